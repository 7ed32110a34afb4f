//! The editor's form as typed, and the manifest plan it describes.

use super::super::{local, opt, with_seconds};
use crate::error::WebError;
use crate::fields::Fields;
use axum::http::StatusCode;
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};
use tagtrail_app::actions::transfers::Loaded;
use tagtrail_domain::commands::transfers::{ManifestLine, ManifestSpec};
use tagtrail_domain::records::Package;

/// What the editor form holds, as typed (shown again unchanged when a save is refused).
#[derive(Debug, Default, Clone)]
pub struct Draft {
    pub name: String,
    pub recipient: String,
    pub transfer_type: String,
    /// Empty: the shipper transports itself.
    pub transporter: String,
    /// The driver's driver's license number.
    pub driver: String,
    /// The vehicle's plate.
    pub vehicle: String,
    pub departure: String,
    pub arrival: String,
    pub route: String,
    pub invoice: String,
    pub phone: String,
    /// Ticked package labels (upper case), in the order ticked.
    pub picked: Vec<String>,
    pub prices: HashMap<String, String>,
    pub weights: HashMap<String, String>,
    pub units: HashMap<String, String>,
    /// A pasted list of UIDs.
    pub list: String,
    /// An uploaded list of UIDs: its name and bytes.
    pub file: Option<(String, Vec<u8>)>,
    pub add_n: String,
    /// Which button: `add`, `save` or `template`.
    pub op: String,
}

impl Draft {
    /// The form as posted. A party typed into an "other" box wins over the list beside it.
    pub fn from_fields(f: &Fields) -> Draft {
        let get = |k: &str| f.get(k).unwrap_or_default().to_string();
        let either = |k: &str| f.text(&format!("{k}_other")).unwrap_or_else(|| get(k));
        let mut d = Draft {
            name: get("name"),
            recipient: either("recipient"),
            transfer_type: get("transfer_type"),
            transporter: either("transporter"),
            driver: either("driver"),
            vehicle: either("vehicle"),
            departure: get("departure"),
            arrival: get("arrival"),
            route: get("route"),
            invoice: get("invoice"),
            phone: get("phone"),
            list: get("list"),
            add_n: get("add_n"),
            op: get("op"),
            file: f
                .file("file")
                .map(|u| (u.file_name.clone(), u.bytes.clone())),
            ..Default::default()
        };
        for label in f.all("pick") {
            let label = label.trim().to_ascii_uppercase();
            if !label.is_empty() && !d.picked.contains(&label) {
                d.picked.push(label);
            }
        }
        for (k, v) in f.pairs() {
            let per_package = |prefix: &str| k.strip_prefix(prefix).map(str::to_ascii_uppercase);
            if let Some(l) = per_package("price_") {
                d.prices.insert(l, v.clone());
            } else if let Some(l) = per_package("weight_") {
                d.weights.insert(l, v.clone());
            } else if let Some(l) = per_package("unit_") {
                d.units.insert(l, v.clone());
            }
        }
        d
    }

    /// A new manifest: tomorrow morning to noon, one package to add at a time.
    pub fn new_manifest() -> Draft {
        let day = (chrono::Utc::now() + chrono::Duration::days(1))
            .format("%Y-%m-%d")
            .to_string();
        Draft {
            transfer_type: "Transfer".into(),
            departure: format!("{day}T08:00"),
            arrival: format!("{day}T12:00"),
            add_n: "1".into(),
            ..Default::default()
        }
    }

    /// The stored manifest or template, as the form shows it.
    pub fn of(l: &Loaded) -> Draft {
        let t = &l.transfer;
        let mut d = Draft {
            name: t.name.clone().unwrap_or_default(),
            recipient: t.recipient.license_number.clone(),
            transfer_type: t.transfer_type.clone(),
            transporter: if t.transporter.license_number == t.license_number {
                String::new()
            } else {
                t.transporter.license_number.clone()
            },
            driver: t.driver_license_number.clone(),
            vehicle: t.vehicle_plate.clone(),
            departure: local(&t.estimated_departure),
            arrival: local(&t.estimated_arrival),
            route: t.planned_route.clone().unwrap_or_default(),
            invoice: t.invoice_number.clone().unwrap_or_default(),
            phone: t.phone_for_questions.clone().unwrap_or_default(),
            add_n: "1".into(),
            ..Default::default()
        };
        for line in &l.lines {
            let label = line.package.label.to_string();
            let text = |v: Option<Decimal>| v.map(|v| v.to_string()).unwrap_or_default();
            d.prices.insert(label.clone(), text(line.wholesale_price));
            d.weights.insert(label.clone(), text(line.gross_weight));
            d.units
                .insert(label.clone(), line.gross_unit.clone().unwrap_or_default());
            d.picked.push(label);
        }
        d
    }

    fn line_for(&self, label: &str) -> Result<ManifestLine, String> {
        let num = |m: &HashMap<String, String>, what: &str| -> Result<Option<Decimal>, String> {
            match m.get(label).map(|v| v.trim()).filter(|v| !v.is_empty()) {
                None => Ok(None),
                Some(v) => v
                    .parse::<Decimal>()
                    .map(Some)
                    .map_err(|_| format!("{what} of package {label}: {v} is not a number.")),
            }
        };
        let gross_weight = num(&self.weights, "Gross weight")?;
        Ok(ManifestLine {
            package_label: Some(label.to_string()),
            wholesale_price: num(&self.prices, "Wholesale price")?,
            gross_weight,
            // A unit without a weight says nothing.
            gross_unit: gross_weight.and_then(|_| self.units.get(label).and_then(|u| opt(u))),
        })
    }

    /// The plan the form describes, with the packages `labels` (the ticks, or a list's UIDs).
    pub fn spec(&self, labels: &[String]) -> Result<ManifestSpec, WebError> {
        let mut errors = Vec::new();
        let mut packages = Vec::new();
        for label in labels {
            match self.line_for(label) {
                Ok(l) => packages.push(l),
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(WebError {
                status: StatusCode::BAD_REQUEST,
                messages: errors,
            });
        }
        let transporter = opt(&self.transporter);
        Ok(ManifestSpec {
            name: opt(&self.name),
            invoice_number: opt(&self.invoice),
            phone_for_questions: opt(&self.phone),
            driver_employee_id: None,
            recipient_license: opt(&self.recipient),
            transfer_type: opt(&self.transfer_type),
            transporter_count: usize::from(transporter.is_some()),
            transporter_license: transporter,
            driver_license_number: opt(&self.driver),
            vehicle_plate: opt(&self.vehicle),
            planned_route: opt(&self.route),
            estimated_departure: opt(&self.departure).map(|v| with_seconds(&v)),
            estimated_arrival: opt(&self.arrival).map(|v| with_seconds(&v)),
            packages,
            destination_count: 1,
        })
    }

    /// Bulletin IV: enter how many packages to add and add them with one click. Ticks the next
    /// N packages of the list that are not ticked yet, up to the manifest limit (rule 47).
    pub fn add_packages(&mut self, available: &[Package], max: usize) -> Result<String, WebError> {
        let want = match self.add_n.trim().parse::<usize>() {
            Ok(n) if n > 0 => n,
            _ => {
                return Err(WebError::bad(
                    "Enter how many packages to add: a whole number above zero.",
                ));
            }
        };
        let room = max.saturating_sub(self.picked.len());
        let ticked: HashSet<&str> = self.picked.iter().map(String::as_str).collect();
        let fresh: Vec<String> = available
            .iter()
            .map(|p| p.label.to_string())
            .filter(|l| !ticked.contains(l.as_str()))
            .take(want.min(room))
            .collect();
        let added = fresh.len();
        self.picked.extend(fresh);
        let mut msg = format!("Added {added} package(s); {} ticked.", self.picked.len());
        if want > room {
            msg.push_str(&format!(
                " A transfer holds at most {max} packages (rule 47)."
            ));
        } else if added < want {
            msg.push_str(&format!(" Only {added} more package(s) are available."));
        }
        Ok(msg)
    }
}

/// An uploaded or pasted list of UIDs, held to the API's terms: UTF-8 text without NUL (the
/// store cannot hold NUL, and a list silently repaired would not be the list uploaded).
pub fn list_text(
    file: &Option<(String, Vec<u8>)>,
    pasted: &str,
) -> Result<Option<String>, WebError> {
    let text = match file {
        Some((_, bytes)) => std::str::from_utf8(bytes)
            .map_err(|_| WebError::bad("The package list must be UTF-8 text."))?
            .to_string(),
        None => pasted.to_string(),
    };
    if text.contains('\0') {
        return Err(WebError::bad(
            "The package list may not contain NUL characters.",
        ));
    }
    // Browsers send a textarea with CRLF line ends, and spreadsheet CSVs have them too; a lone
    // CR is a line end to a person reading the file. Plain LF line ends keep every line and its
    // number as the user's editor shows them.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    Ok((!text.trim().is_empty()).then_some(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_becomes_a_plan() {
        let f = Fields::urlencoded(
            b"recipient=CDPH-1&recipient_other=&transporter=&driver=D1&driver_other=D9&pick=1a4&pick=1A4&pick=B&price_1A4=12.5&weight_B=x&departure=2026-11-21T08:00",
        );
        let d = Draft::from_fields(&f);
        assert_eq!(d.recipient, "CDPH-1");
        assert_eq!(d.driver, "D9", "a typed driver wins over the list");
        assert_eq!(d.picked, ["1A4", "B"]);
        let err = d.spec(&d.picked).err().map(|e| e.messages);
        assert_eq!(
            err,
            Some(vec![
                "Gross weight of package B: x is not a number.".to_string()
            ])
        );
        let spec = d.spec(&["1A4".to_string()]).ok();
        let spec = spec.as_ref();
        assert_eq!(
            spec.and_then(|s| s.estimated_departure.as_deref()),
            Some("2026-11-21T08:00:00")
        );
        assert_eq!(
            spec.and_then(|s| s.packages[0].wholesale_price),
            Some(Decimal::new(125, 1))
        );
        assert_eq!(spec.map(|s| s.transporter_count), Some(0));
    }

    #[test]
    fn lists_are_text_with_plain_line_ends() {
        assert_eq!(
            list_text(&None, "a\r\nb\rc").ok().flatten().as_deref(),
            Some("a\nb\nc")
        );
        assert!(list_text(&Some(("x".into(), vec![0xff])), "").is_err());
        assert!(list_text(&None, "a\0b").is_err());
        assert_eq!(list_text(&None, "  \n").ok().flatten(), None);
    }
}
