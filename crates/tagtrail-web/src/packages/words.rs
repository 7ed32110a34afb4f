//! The ledger's refusals in the words of the package forms. The domain words its messages for
//! the Metrc API (`UnitOfMeasure`, `Ingredients`, `CountBased`, "the current Facility"); a person
//! at a form reads the names its fields carry. Only the names change: the rule and the values a
//! message names stay as the ledger said them.

use crate::error::WebError;
use tagtrail_domain::quantity::QuantityType;

/// API names and their words on the forms, longest first where one contains another.
const WORDS: &[(&str, &str)] = &[
    (
        "At least one source package (Ingredients) is required.",
        "Choose at least one source package.",
    ),
    (
        "Ingredient Package was not specified.",
        "Choose the source package.",
    ),
    ("Ingredient quantity for", "Quantity taken from"),
    ("Ingredient ", "Source "),
    (
        "UnitOfMeasure was not specified.",
        "Choose a unit of measure.",
    ),
    ("Unit of Measure", "Unit of measure"),
    ("Item was not specified.", "Choose an item."),
    ("Location was not specified.", "Choose a location."),
    ("Tag was not specified.", "Choose a tag."),
    (
        "RemediationMethodName was not specified.",
        "Method: say how the lot was remediated.",
    ),
    (
        "DecontaminationMethodName was not specified.",
        "Method: say how the lot was decontaminated.",
    ),
    ("RemediationDate", "Remediation date"),
    ("DecontaminationDate", "Decontamination date"),
    ("ExpirationDate", "Expiration date"),
    ("SellByDate", "Sell-by date"),
    ("UseByDate", "Use-by date"),
    ("ActualDate", "Date"),
    ("UseSameItem", "The source's item"),
    (" in the current Facility", " at this facility"),
    ("CountBased", "counted"),
    ("WeightBased", "weighed"),
    ("VolumeBased", "measured by volume"),
];

/// `message` with the API's names in the form's words.
pub fn plain(message: &str) -> String {
    WORDS
        .iter()
        .fold(message.to_string(), |m, (api, words)| m.replace(api, words))
}

/// A refusal with every message in the form's words.
pub fn plainly(mut e: WebError) -> WebError {
    e.messages = e.messages.iter().map(|m| plain(m)).collect();
    e
}

/// How a quantity type measures, for the item and unit choices: "counted", "weighed"…
pub fn measured(t: QuantityType) -> &'static str {
    match t {
        QuantityType::CountBased => "counted",
        QuantityType::WeightBased => "weighed",
        QuantityType::VolumeBased => "measured by volume",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_names_become_the_forms_words_and_values_stay() {
        assert_eq!(
            plain("Unit of Measure Grams is WeightBased but Item Mango Gummies is CountBased."),
            "Unit of measure Grams is weighed but Item Mango Gummies is counted."
        );
        assert_eq!(
            plain("Ingredient quantity for 1A4000000000000000000001 must be greater than zero."),
            "Quantity taken from 1A4000000000000000000001 must be greater than zero."
        );
        assert_eq!(
            plain("At least one source package (Ingredients) is required."),
            "Choose at least one source package."
        );
        assert_eq!(
            plain("Location Vault 9 does not exist in the current Facility."),
            "Location Vault 9 does not exist at this facility."
        );
        assert_eq!(
            plain("ExpirationDate 2026-13-01 is not a date (YYYY-MM-DD)."),
            "Expiration date 2026-13-01 is not a date (YYYY-MM-DD)."
        );
        // A message without API names is left as it was.
        let m = "Package 1A4 has 5 Grams; 9 cannot be taken.";
        assert_eq!(plain(m), m);
    }
}
