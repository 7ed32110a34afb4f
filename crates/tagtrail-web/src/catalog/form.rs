//! The catalog's forms: reading typed numbers, the ledger's messages in words, each problem
//! under the field it is about, and the inputs the forms are made of.

use crate::error::WebError;
use crate::fields::Fields;
use crate::flash::Prefill;
use crate::frame::Frame;
use maud::{Markup, html};
use rust_decimal::Decimal;
use tagtrail_domain::quantity::{QuantityType, UNITS};

/// A catalog form as shown: the values typed if it was refused, else the record's, and the
/// problems of the refusal.
pub struct Form<'a> {
    pf: Prefill<'a>,
    errors: &'a [String],
}

impl<'a> Form<'a> {
    /// The form posting to `action` on the page `f`.
    pub fn of(f: &'a Frame, action: &str) -> Form<'a> {
        let errors = f
            .flash()
            .filter(|fl| fl.form.as_ref().is_some_and(|t| t.action == action))
            .map(|fl| fl.errors.as_slice())
            .unwrap_or(&[]);
        Form {
            pf: f.prefill(action),
            errors,
        }
    }

    pub fn value(&self, name: &str, default: &str) -> String {
        self.pf.value(name, default)
    }

    pub fn chosen(&self, name: &str, value: &str, default: bool) -> bool {
        self.pf.chosen(name, value, default)
    }

    /// The problems about a field: those that start with one of its `labels` ([`worded`] puts
    /// the field a message is about first). A message about no field is only at the top.
    pub fn problem(&self, labels: &[&str]) -> Markup {
        let found = self.errors.iter().filter(|e| {
            let e = e.to_lowercase();
            labels.iter().any(|l| e.starts_with(&l.to_lowercase()))
        });
        html! { @for e in found { span.field-error role="alert" { (e) } } }
    }

    /// A line of text, its problems under it.
    pub fn text(&self, name: &str, label: &str, default: &str, required: bool) -> Markup {
        html! {
            label.field {
                span { (label) @if required { span.req aria-hidden="true" { " *" } } }
                input type="text" name=(name) value=(self.value(name, default)) required[required] maxlength="250";
            }
            (self.problem(&[label]))
        }
    }

    /// Longer text.
    pub fn area(&self, name: &str, label: &str, default: &str) -> Markup {
        html! {
            label.field.wide {
                span { (label) }
                textarea name=(name) rows="2" { (self.value(name, default)) }
            }
            (self.problem(&[label]))
        }
    }

    /// A number, typed as text so that what was typed comes back as it was.
    pub fn number(&self, name: &str, label: &str, default: Option<Decimal>) -> Markup {
        html! {
            label.field {
                span { (label) }
                input.n type="text" inputmode="decimal" name=(name) value=(self.value(name, &decimal(default)));
            }
            (self.problem(&[label]))
        }
    }

    /// A number and its unit of measure, side by side; `problems` name both.
    pub fn measure(
        &self,
        (name, unit): (&str, &str),
        label: &str,
        default: (Option<Decimal>, Option<&str>),
        kind: QuantityType,
        problems: &[&str],
    ) -> Markup {
        html! {
            div.cat-measure role="group" aria-label=(label) {
                label.field {
                    span { (label) }
                    input.n type="text" inputmode="decimal" name=(name) value=(self.value(name, &decimal(default.0)));
                }
                label.field {
                    span { "Unit" span.cat-sr { " of " (label.to_lowercase()) } }
                    select name=(unit) {
                        option value="" { "—" }
                        @for u in UNITS.iter().filter(|u| u.active && u.quantity_type == kind) {
                            option value=(u.name) selected[self.chosen(unit, u.name, default.1.is_some_and(|d| d.eq_ignore_ascii_case(u.name)))] { (u.name) }
                        }
                    }
                }
            }
            (self.problem(problems))
        }
    }

    /// A choice among `options` (value, words), with a blank first choice when `blank` names it.
    pub fn select(
        &self,
        name: &str,
        label: &str,
        options: &[(String, String)],
        default: &str,
        blank: Option<&str>,
        required: bool,
    ) -> Markup {
        html! {
            label.field {
                span { (label) @if required { span.req aria-hidden="true" { " *" } } }
                select name=(name) required[required] {
                    @if let Some(b) = blank { option value="" { (b) } }
                    @for (v, words) in options {
                        option value=(v) selected[self.chosen(name, v, v.eq_ignore_ascii_case(default))] { (words) }
                    }
                }
            }
            (self.problem(&[label]))
        }
    }
}

/// A decimal as a person writes it (`18.5`, not `18.500`); blank when absent.
pub fn decimal(d: Option<Decimal>) -> String {
    d.map(|d| d.normalize().to_string()).unwrap_or_default()
}

/// Reads a posted form's typed values, gathering every problem so that all are shown at once.
pub struct Reader<'a> {
    fields: &'a Fields,
    problems: Vec<String>,
}

impl<'a> Reader<'a> {
    pub fn new(fields: &'a Fields) -> Reader<'a> {
        Reader {
            fields,
            problems: vec![],
        }
    }

    /// A text field, trimmed; `None` when blank.
    pub fn text(&self, name: &str) -> Option<String> {
        self.fields.text(name)
    }

    /// A decimal number (`label` names it in the problem).
    pub fn decimal(&mut self, name: &str, label: &str) -> Option<Decimal> {
        let text = self.fields.text(name)?;
        match text.parse::<Decimal>() {
            Ok(d) => Some(d),
            Err(_) => {
                self.problems.push(format!(
                    "{label}: “{text}” is not a number; enter one such as 10 or 2.5."
                ));
                None
            }
        }
    }

    /// A percentage typed as people write it (18.5) for a field the ledger keeps as a fraction
    /// (0.185), as Metrc's strain levels are.
    pub fn percent_as_fraction(&mut self, name: &str, label: &str) -> Option<Decimal> {
        self.decimal(name, label)
            .map(|d| d / Decimal::ONE_HUNDRED)
            .map(|d| d.normalize())
    }

    /// A whole number, not negative.
    pub fn count(&mut self, name: &str, label: &str) -> Option<i64> {
        let text = self.fields.text(name)?;
        match text.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            _ => {
                self.problems.push(format!(
                    "{label}: “{text}” is not a whole number; enter one such as 0, 1 or 30."
                ));
                None
            }
        }
    }

    /// Refuses the form (400, shown beside the fields) if anything could not be read.
    pub fn done(self) -> Result<(), WebError> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(WebError {
                status: axum::http::StatusCode::BAD_REQUEST,
                messages: self.problems,
            })
        }
    }
}

/// The ledger's names for fields (Metrc's), as the forms label them. Applied in order, so a
/// longer name comes before a shorter one it contains.
const WORDS: &[(&str, &str)] = &[
    (" was not specified.", " is required."),
    (
        " does not exist in the current Facility.",
        " does not exist at this facility.",
    ),
    // Rule 29: a unit's kind against its category's.
    (" but Item Category ", " but "),
    (" is WeightBased but ", " is a weight unit, but "),
    (" is CountBased but ", " is a count unit, but "),
    (" is VolumeBased but ", " is a volume unit, but "),
    (
        " requires WeightBased.",
        " items need a weight unit (such as Grams).",
    ),
    (" requires CountBased.", " items need a count unit (Each)."),
    (
        " requires VolumeBased.",
        " items need a volume unit (such as Milliliters).",
    ),
    ("a WeightBased unit", "a weight unit"),
    ("a VolumeBased unit", "a volume unit"),
    ("a CountBased unit", "a count unit"),
    ("UnitThcContentDoseUnitOfMeasure", "THC per dose unit"),
    ("UnitCbdContentDoseUnitOfMeasure", "CBD per dose unit"),
    ("UnitThcContentUnitOfMeasure", "THC content unit"),
    ("UnitCbdContentUnitOfMeasure", "CBD content unit"),
    ("UnitVolumeUnitOfMeasure", "Volume unit"),
    ("UnitWeightUnitOfMeasure", "Weight unit"),
    ("UnitThcContentDose", "THC per dose"),
    ("UnitCbdContentDose", "CBD per dose"),
    ("UnitThcContent", "THC content"),
    ("UnitCbdContent", "CBD content"),
    ("UnitThcPercent", "THC percent"),
    ("UnitCbdPercent", "CBD percent"),
    ("UnitVolume", "Volume per unit"),
    ("UnitWeight", "Weight per unit"),
    ("Unit of Measure", "Unit of measure"),
    ("UnitOfMeasure", "Unit of measure"),
    ("Item Category", "Category"),
    ("ItemCategory", "Category"),
    ("Item Brand", "Brand"),
    ("Administration Method", "Administration method"),
    ("LocationTypeName", "Location type"),
    ("Location Type", "Location type"),
    ("TestingStatus", "Testing status"),
    (
        "; use None, InHouse or ThirdParty.",
        "; choose one of the listed ones.",
    ),
    // Strain levels are typed as percentages on the form (see `percent_as_fraction`).
    (
        "ThcLevel must be between 0 and 1.",
        "THC level must be between 0 and 100 %.",
    ),
    (
        "CbdLevel must be between 0 and 1.",
        "CBD level must be between 0 and 100 %.",
    ),
    ("IndicaPercentage", "Indica %"),
    ("SativaPercentage", "Sativa %"),
    ("DriversLicenseNumber", "Driver's license number"),
    ("LicensePlateNumber", "License plate"),
];

/// Messages that name their record rather than a field, led by the field they are about.
const LEADS: &[(&str, &str)] = &[
    ("An item named ", "Name"),
    ("A strain named ", "Name"),
    ("A location named ", "Name"),
    ("A sublocation named ", "Name"),
    ("An item brand named ", "Name"),
    ("A driver with license number ", "Driver's license number"),
    ("A vehicle with plate ", "License plate"),
];

/// A message of the ledger in the words the forms use, led by the field it is about (so that
/// [`Form::problem`] puts it under that field).
pub fn plain(message: &str) -> String {
    let mut m = message.to_string();
    for (from, to) in WORDS {
        m = m.replace(from, to);
    }
    // "Category Buds requires a Strain." is a problem with the strain (rules 30 and the
    // category's THC content requirement): said as such.
    if let Some(rest) = m.strip_prefix("Category ")
        && let Some((category, what)) = rest.rsplit_once(" requires ")
    {
        let what = what.trim_end_matches('.');
        let what = what.strip_prefix("a ").unwrap_or(what);
        return format!("{what} is required for {category} items.");
    }
    for (start, field) in LEADS {
        if m.starts_with(start) {
            let mut rest = m.clone();
            if let Some(first) = rest.get(..1) {
                let lower = first.to_lowercase();
                rest.replace_range(..1, &lower);
            }
            return format!("{field}: {rest}");
        }
    }
    m
}

/// A refusal in words ([`plain`]); other errors as they are.
pub fn worded(mut e: WebError) -> WebError {
    if e.shown() {
        e.messages = e.messages.iter().map(|m| plain(m)).collect();
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ledgers_messages_lead_with_the_field_in_words() {
        assert_eq!(
            plain(
                "Unit of Measure Grams is WeightBased but Item Category Edible (Each) requires CountBased."
            ),
            "Unit of measure Grams is a weight unit, but Edible (Each) items need a count unit (Each)."
        );
        assert_eq!(
            plain("Item Category Buds requires a Strain."),
            "Strain is required for Buds items."
        );
        assert_eq!(
            plain("Item Category Vape Cartridge requires UnitThcContent."),
            "THC content is required for Vape Cartridge items."
        );
        assert_eq!(
            plain("UnitThcContentUnitOfMeasure Liters is not a WeightBased unit."),
            "THC content unit Liters is not a weight unit."
        );
        assert_eq!(
            plain("An item named Mango already exists."),
            "Name: an item named Mango already exists."
        );
        assert_eq!(
            plain("DriversLicenseNumber was not specified."),
            "Driver's license number is required."
        );
        assert_eq!(
            plain("ThcLevel must be between 0 and 1."),
            "THC level must be between 0 and 100 %."
        );
    }

    #[test]
    fn typed_numbers_are_read_or_named_as_problems() {
        let f = Fields::urlencoded(b"a=12.50&b=abc&c=-1&d=18.5&e=");
        let mut r = Reader::new(&f);
        assert_eq!(r.decimal("a", "A"), Some(Decimal::new(1250, 2)));
        assert_eq!(r.decimal("b", "B"), None);
        assert_eq!(r.count("c", "C"), None);
        assert_eq!(r.percent_as_fraction("d", "D"), Some(Decimal::new(185, 3)));
        assert_eq!(r.decimal("e", "E"), None);
        let e = r.done().expect_err("two problems");
        assert_eq!(e.messages.len(), 2);
        assert!(e.messages[0].starts_with("B: "), "{:?}", e.messages);
        assert!(e.messages[1].starts_with("C: "), "{:?}", e.messages);
    }
}
