//! Retail sales receipts (`metrc-v2-api.md` §Sales and §12b `SalesReceipt`; cctt-rules 63, 64
//! and state machine 2.8).
//!
//! A receipt is one sale to one customer: a line per package sold, each taking its quantity out
//! of the package. It is *active* while it can still be edited (not finalized, not voided) and
//! *inactive* once finalized or voided (rule 64).

use super::Record;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Who bought (`SalesCustomerType`, `GET /sales/v2/customertypes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CustomerType {
    Consumer,
    Patient,
    Caregiver,
    ExternalPatient,
    NonResidentConsumer,
}

impl CustomerType {
    /// Every customer type, in the order `GET /sales/v2/customertypes` lists them.
    pub const ALL: [CustomerType; 5] = [
        CustomerType::Consumer,
        CustomerType::Patient,
        CustomerType::Caregiver,
        CustomerType::ExternalPatient,
        CustomerType::NonResidentConsumer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CustomerType::Consumer => "Consumer",
            CustomerType::Patient => "Patient",
            CustomerType::Caregiver => "Caregiver",
            CustomerType::ExternalPatient => "ExternalPatient",
            CustomerType::NonResidentConsumer => "NonResidentConsumer",
        }
    }

    /// The type named `name`, in any case.
    pub fn parse(name: &str) -> Option<CustomerType> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(name.trim()))
    }
}

/// One line of a sale: a quantity of one package, at a price. Shared by receipts and (another
/// module's) deliveries; `commands::sales::lines` builds it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SaleLine {
    pub package_id: i64,
    pub package_label: String,
    pub item_name: String,
    pub item_category: String,
    pub item_strain_name: Option<String>,
    /// In the package's unit (rule 63: the line's unit must match it).
    pub quantity: Decimal,
    pub unit_of_measure: String,
    /// What the customer paid for the line (`TotalAmount`), never negative.
    pub total_amount: Decimal,
    #[serde(default)]
    pub extras: SaleLineExtras,
}

/// The optional figures a point-of-sale system may send with a line, kept as sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SaleLineExtras {
    pub unit_thc_percent: Option<Decimal>,
    pub unit_thc_content: Option<Decimal>,
    pub unit_thc_content_unit_of_measure: Option<String>,
    pub unit_weight: Option<Decimal>,
    pub unit_weight_unit_of_measure: Option<String>,
    pub invoice_number: Option<String>,
    pub price: Option<Decimal>,
    pub excise_tax: Option<Decimal>,
    pub city_tax: Option<Decimal>,
    pub county_tax: Option<Decimal>,
    pub municipal_tax: Option<Decimal>,
    pub discount_amount: Option<Decimal>,
    pub sub_total: Option<Decimal>,
    pub sales_tax: Option<Decimal>,
}

/// A retailer's sales receipt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SalesReceipt {
    pub id: i64,
    pub license_number: String,
    /// The ledger's number for it (Metrc's `ReceiptNumber`): the id, zero-padded.
    pub receipt_number: String,
    /// The point-of-sale system's own number, unique per license among receipts not voided.
    pub external_receipt_number: Option<String>,
    /// When the sale happened, as an instant (`SalesDateTime`).
    pub sales_date_time: String,
    pub sales_customer_type: CustomerType,
    pub patient_license_number: Option<String>,
    pub caregiver_license_number: Option<String>,
    pub identification_method: Option<String>,
    pub patient_registration_location_id: Option<i64>,
    pub transactions: Vec<SaleLine>,
    /// Finalized (rule 64): inactive, and not editable until unfinalized.
    pub is_final: bool,
    /// Voided (`DELETE`): inactive for good; its quantities went back to the packages.
    pub voided: bool,
    pub archived_date: Option<String>,
    pub recorded_date_time: String,
    pub recorded_by_user_name: String,
    /// Rule 64: active means neither finalized nor voided.
    pub active: bool,
    pub last_modified: String,
}

impl SalesReceipt {
    /// Where the receipt stands: `Active`, `Finalized` or `Voided` (a typed column).
    pub fn status(&self) -> &'static str {
        match (self.voided, self.is_final) {
            (true, _) => "Voided",
            (false, true) => "Finalized",
            (false, false) => "Active",
        }
    }

    /// Metrc's `TotalPrice`: the sum of the lines' amounts.
    pub fn total_price(&self) -> Decimal {
        self.transactions.iter().map(|l| l.total_amount).sum()
    }

    /// Metrc's `TotalPackages`: how many different packages the receipt sells from.
    pub fn total_packages(&self) -> usize {
        let mut ids: Vec<i64> = self.transactions.iter().map(|l| l.package_id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    }
}

record!(
    SalesReceipt,
    "sales_receipts",
    license = |r| Some(&r.license_number),
    lookup = |r| r.external_receipt_number.clone()
);
