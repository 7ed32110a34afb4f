//! Transfer manifests (cctt-rules §1.F, §2.6). A California manifest has one destination and one
//! transporter (rule 41), so the delivery and its transporter are part of the manifest record;
//! the recipient's and the transporter's index rows share the manifest's id, which is also the
//! delivery id the Metrc reads take.

use super::{Package, Record};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Where a manifest is in its life (§2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransferState {
    /// An outgoing template: a plan with no manifest number that reserves nothing.
    Template,
    /// Registered, with a manifest number; editable and voidable until it departs.
    Outgoing,
    InTransit,
    /// Arrived at the destination, awaiting the receiver's decision.
    Delivered,
    /// Every package accepted or rejected (rule 44).
    Received,
    Voided,
}

impl TransferState {
    pub fn as_str(self) -> &'static str {
        match self {
            TransferState::Template => "Template",
            TransferState::Outgoing => "Outgoing",
            TransferState::InTransit => "InTransit",
            TransferState::Delivered => "Delivered",
            TransferState::Received => "Received",
            TransferState::Voided => "Voided",
        }
    }

    pub fn departed(self) -> bool {
        matches!(
            self,
            TransferState::InTransit | TransferState::Delivered | TransferState::Received
        )
    }
}

/// Where one package of a manifest is (`GET /transfers/v2/deliveries/packages/states`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShipmentState {
    Shipped,
    Accepted,
    Rejected,
    Returned,
}

impl ShipmentState {
    pub fn as_str(self) -> &'static str {
        match self {
            ShipmentState::Shipped => "Shipped",
            ShipmentState::Accepted => "Accepted",
            ShipmentState::Rejected => "Rejected",
            ShipmentState::Returned => "Returned",
        }
    }
}

/// One licensee on a manifest, as rule 40 requires it named: name, license, premises address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Party {
    pub license_number: String,
    pub name: String,
    pub address: Option<String>,
}

/// A transfer manifest or an outgoing template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transfer {
    pub id: i64,
    /// The shipper.
    pub license_number: String,
    pub manifest_number: String,
    /// A template's name.
    pub name: Option<String>,
    pub state: TransferState,
    /// The template it was registered from.
    pub template_id: Option<i64>,
    pub transfer_type: String,
    pub shipper: Party,
    pub recipient: Party,
    pub transporter: Party,
    pub driver_name: String,
    pub driver_license_number: String,
    /// The driver's employee id at the transporter (`DriverOccupationalLicenseNumber`).
    pub driver_employee_id: Option<String>,
    pub vehicle_make: String,
    pub vehicle_model: String,
    pub vehicle_plate: String,
    pub phone_for_questions: Option<String>,
    pub invoice_number: Option<String>,
    pub planned_route: Option<String>,
    pub estimated_departure: String,
    pub estimated_arrival: String,
    pub actual_departure: Option<String>,
    pub actual_arrival: Option<String>,
    pub received_at: Option<String>,
    /// The transfer-package ids of its lines, in manifest order.
    pub lines: Vec<i64>,
    pub accepted_count: u32,
    pub rejected_count: u32,
    /// The shipper took its rejected packages back (rule 45).
    pub rejected_returned_at: Option<String>,
    pub contains_testing_sample: bool,
    pub contains_trade_sample: bool,
    pub contains_donation: bool,
    pub contains_remediation: bool,
    pub created_at: String,
    pub created_by: String,
    pub voided: bool,
    pub active: bool,
    pub last_modified: String,
}

impl Transfer {
    /// Every list a registered manifest can stand in ([`Transfer::list_status`]); templates
    /// are not among them.
    pub const REGISTERED_LISTS: &'static [&'static str] = &[
        "Outgoing",
        "InTransit",
        "Delivered",
        "Received",
        "Rejected",
        "Returned",
        "Voided",
    ];

    /// The list a manifest belongs to: its state, with received manifests that carried
    /// rejections shown as `Rejected` until the shipper takes them back, then `Returned`.
    pub fn list_status(&self) -> String {
        match (self.state, self.rejected_count, &self.rejected_returned_at) {
            (TransferState::Received, n, None) if n > 0 => "Rejected".into(),
            (TransferState::Received, n, Some(_)) if n > 0 => "Returned".into(),
            (s, _, _) => s.as_str().into(),
        }
    }
}
record!(
    Transfer,
    "transfers",
    license = |r| Some(&r.license_number),
    lookup = |r| Some(r.manifest_number.clone())
);

/// The recipient's index row of a manifest (id = the manifest's id = its delivery id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferDelivery {
    pub id: i64,
    /// The recipient.
    pub license_number: String,
    pub shipper_license: String,
    pub status: String,
    pub active: bool,
    pub last_modified: String,
}
record!(
    TransferDelivery,
    "transfer_deliveries",
    license = |r| Some(&r.license_number),
    lookup = |r| Some(r.shipper_license.to_lowercase())
);

/// The transporter's index row of a manifest (id = the manifest's id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferTransport {
    pub id: i64,
    /// The transporting distributor.
    pub license_number: String,
    pub shipper_license: String,
    pub status: String,
    pub active: bool,
    pub last_modified: String,
}
record!(
    TransferTransport,
    "transfer_transports",
    license = |r| Some(&r.license_number),
    lookup = |r| Some(r.shipper_license.to_lowercase())
);

/// One package line of a manifest, with the package as it was when it last left (or was
/// planned to leave) the shipper.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferPackage {
    pub id: i64,
    /// The shipper.
    pub license_number: String,
    pub transfer_id: i64,
    pub recipient_license: String,
    pub package: Package,
    pub shipped_quantity: Decimal,
    pub shipped_unit: String,
    pub gross_weight: Option<Decimal>,
    pub gross_unit: Option<String>,
    pub wholesale_price: Option<Decimal>,
    pub receiver_wholesale_price: Option<Decimal>,
    pub shipment_state: ShipmentState,
    pub received_quantity: Option<Decimal>,
    pub rejection_reason: Option<String>,
    pub departed_at: Option<String>,
    pub received_at: Option<String>,
    pub returned_at: Option<String>,
    pub is_template: bool,
    /// True while the line holds its package: on a registered manifest, not yet accepted,
    /// returned or voided. A package can be on one such line at a time.
    pub active: bool,
    pub last_modified: String,
}

impl TransferPackage {
    /// `Template`, `Planned` (registered, not departed) or the shipment state.
    pub fn list_status(&self) -> String {
        if self.is_template {
            "Template".into()
        } else if self.departed_at.is_none() {
            "Planned".into()
        } else {
            self.shipment_state.as_str().into()
        }
    }
}
record!(
    TransferPackage,
    "transfer_packages",
    license = |r| Some(&r.license_number),
    lookup = |r| Some(r.package.label.as_str().to_string())
);
