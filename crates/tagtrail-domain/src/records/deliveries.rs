//! Retail delivery (`metrc-v2-api.md` §Sales, §12b `SalesDelivery` and `RetailerDelivery`;
//! cctt-rules 63 and 65, 16 CCR §15049.3).
//!
//! Two records:
//! - a [`SalesDelivery`] is one delivery to one customer: the courier, the recipient's address
//!   and the sale lines. Recorded directly (`POST /sales/v2/deliveries`) its lines take their
//!   quantity out of the packages at once, as a receipt's do; completing it names what the
//!   customer accepted and gives back what was returned. A sale made from a retailer's route is
//!   also a `SalesDelivery` (completed when recorded, with `retailer_delivery_id` set), so each
//!   delivery rule 65 asks about is one record with its time, customer type, UIDs, quantities,
//!   price, city, county and ZIP.
//! - a [`RetailerDelivery`] is California's delivery inventory ledger: a driver in a vehicle
//!   leaving with a stock of packages and selling from it on the road. Loading a package onto
//!   it takes the loaded quantity out of the package (the product is in the van, not on the
//!   shelf, so a receipt at the counter cannot sell it twice); sales from the route take from
//!   what is loaded; ending the route gives what comes back (`EndQuantity`) to the packages.

use super::{CustomerType, Record, SaleLine};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Who carries a delivery and in what (rule 65: driver name, ID and driver's licence; vehicle).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Courier {
    pub driver_employee_id: String,
    pub driver_name: String,
    pub drivers_license_number: String,
    pub phone_number_for_questions: Option<String>,
    pub vehicle_make: String,
    pub vehicle_model: String,
    pub vehicle_license_plate_number: String,
}

/// Where a delivery goes (rule 65: city, county and ZIP are required).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Recipient {
    pub name: Option<String>,
    pub street1: Option<String>,
    pub street2: Option<String>,
    pub city: String,
    pub county: String,
    pub state: Option<String>,
    pub postal_code: String,
    pub zone_id: Option<String>,
}

/// Where a sales delivery is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SalesDeliveryState {
    /// Recorded, on its way; editable, voidable and completable.
    InTransit,
    /// Completed: every package accepted or returned.
    Delivered,
    /// Voided before completion; its quantities went back to the packages.
    Voided,
}

impl SalesDeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            SalesDeliveryState::InTransit => "InTransit",
            SalesDeliveryState::Delivered => "Delivered",
            SalesDeliveryState::Voided => "Voided",
        }
    }
}

/// A package (part) the customer sent back on completion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReturnedPackage {
    pub package_id: i64,
    pub package_label: String,
    pub quantity: Decimal,
    pub unit_of_measure: String,
    pub reason: String,
    pub reason_note: Option<String>,
}

/// One delivery to one customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SalesDelivery {
    pub id: i64,
    pub license_number: String,
    /// The id, zero-padded (Metrc's `DeliveryNumber`).
    pub delivery_number: String,
    /// The retailer delivery (route) it was sold from, if any.
    pub retailer_delivery_id: Option<i64>,
    /// The distributor carrying it, when not the retailer itself.
    pub transporter_license_number: Option<String>,
    /// When the sale happened, as an instant (`SalesDateTime`).
    pub sales_date_time: String,
    pub sales_customer_type: CustomerType,
    pub patient_license_number: Option<String>,
    pub consumer_id: Option<String>,
    pub courier: Courier,
    pub recipient: Recipient,
    pub planned_route: Option<String>,
    pub estimated_departure: Option<String>,
    pub estimated_arrival: Option<String>,
    pub actual_departure: Option<String>,
    pub actual_arrival: Option<String>,
    pub transactions: Vec<SaleLine>,
    pub accepted_packages: Vec<String>,
    pub returned_packages: Vec<ReturnedPackage>,
    pub payment_type: Option<String>,
    /// A hub's acceptance (`PUT /sales/v2/deliveries/hub/accept`).
    pub accepted_date_time: Option<String>,
    pub id_verified: bool,
    pub state: SalesDeliveryState,
    pub completed_date_time: Option<String>,
    pub voided_date: Option<String>,
    pub recorded_date_time: String,
    pub recorded_by_user_name: String,
    /// In transit; delivered and voided deliveries are inactive.
    pub active: bool,
    pub last_modified: String,
}

impl SalesDelivery {
    /// Metrc's `TotalPrice`: the sum of the lines' amounts.
    pub fn total_price(&self) -> Decimal {
        self.transactions.iter().map(|l| l.total_amount).sum()
    }

    /// Metrc's `TotalPackages`: how many different packages it carries.
    pub fn total_packages(&self) -> usize {
        let mut ids: Vec<i64> = self.transactions.iter().map(|l| l.package_id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    }

    /// The day of the sale (`YYYY-MM-DD`), the `salesDateStart/End` filter's column.
    pub fn sales_date(&self) -> &str {
        self.sales_date_time
            .get(..10)
            .unwrap_or(&self.sales_date_time)
    }
}

record!(
    SalesDelivery,
    "sales_deliveries",
    license = |r| Some(&r.license_number),
    lookup = |r| Some(r.sales_date().to_string())
);

/// Where a retailer delivery (route) is in its life (rule 65).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RetailerDeliveryState {
    /// The delivery inventory ledger exists; the driver has not left. Editable and voidable.
    Pending,
    /// Departed: the only state sales may be made in (rule 65's "active ledger").
    InTransit,
    /// Back: what was not sold went back to the packages.
    Ended,
    /// Voided before departure; the loaded quantities went back to the packages.
    Voided,
}

impl RetailerDeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            RetailerDeliveryState::Pending => "Pending",
            RetailerDeliveryState::InTransit => "InTransit",
            RetailerDeliveryState::Ended => "Ended",
            RetailerDeliveryState::Voided => "Voided",
        }
    }
}

/// One package on a route: how much was loaded (restocks add to it), sold and brought back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutePackage {
    pub package_id: i64,
    pub package_label: String,
    pub item_name: String,
    pub item_category: String,
    pub item_strain_name: Option<String>,
    pub unit_of_measure: String,
    pub loaded: Decimal,
    pub sold: Decimal,
    pub total_price: Option<Decimal>,
    /// What came back when the route ended (`EndQuantity`).
    pub end_quantity: Option<Decimal>,
    /// Taken off the route by a restock (`RemoveCurrentPackage`); what remained went back.
    pub removed: bool,
    pub loaded_at: String,
}

impl RoutePackage {
    /// What is still in the van.
    pub fn remaining(&self) -> Decimal {
        if self.removed || self.end_quantity.is_some() {
            Decimal::ZERO
        } else {
            self.loaded - self.sold
        }
    }
}

/// A stop planned before the driver leaves (rule 65's "pre-ordered UIDs").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedStop {
    pub sales_customer_type: CustomerType,
    pub patient_license_number: Option<String>,
    pub consumer_id: Option<String>,
    pub recipient: Recipient,
    pub estimated_arrival: Option<String>,
    pub lines: Vec<PlannedLine>,
}

/// A pre-ordered quantity of a package on the route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedLine {
    pub package_label: String,
    pub quantity: Decimal,
    pub unit_of_measure: String,
    pub total_amount: Option<Decimal>,
}

/// A retailer's delivery inventory ledger (§15049.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetailerDelivery {
    pub id: i64,
    pub license_number: String,
    /// The ledger number (`RetailerDeliveryNumber`): the id, zero-padded.
    pub retailer_delivery_number: String,
    /// The start time the ledger names (`DateTime`).
    pub date_time: String,
    pub courier: Courier,
    pub estimated_departure: Option<String>,
    pub actual_departure: Option<String>,
    pub restock_date_time: Option<String>,
    pub actual_arrival: Option<String>,
    pub packages: Vec<RoutePackage>,
    pub planned_stops: Vec<PlannedStop>,
    /// The sales deliveries recorded from the route, in order.
    pub sales: Vec<i64>,
    pub total_price_sold: Decimal,
    /// Restocks so far: each starts a new leg.
    pub leg: u32,
    pub state: RetailerDeliveryState,
    pub completed_date_time: Option<String>,
    pub voided_date: Option<String>,
    pub recorded_date_time: String,
    pub recorded_by_user_name: String,
    /// Pending or in transit.
    pub active: bool,
    pub last_modified: String,
}

impl RetailerDelivery {
    /// Metrc's `TotalPackages`: the packages on the route (not removed).
    pub fn total_packages(&self) -> usize {
        self.packages.iter().filter(|p| !p.removed).count()
    }

    /// Metrc's `TotalPrice`: the loaded packages' prices.
    pub fn total_price(&self) -> Decimal {
        self.packages.iter().filter_map(|p| p.total_price).sum()
    }

    /// The least, over its packages, of loaded − sold − returned: never negative on a route the
    /// rules allowed (the store's CHECK holds it). Zero for a route without packages.
    pub fn least_unaccounted(&self) -> Decimal {
        self.packages
            .iter()
            .map(|p| p.loaded - p.sold - p.end_quantity.unwrap_or_default())
            .min()
            .unwrap_or_default()
    }
}

record!(
    RetailerDelivery,
    "retailer_deliveries",
    license = |r| Some(&r.license_number),
    lookup = |r| Some(r.retailer_delivery_number.clone())
);
