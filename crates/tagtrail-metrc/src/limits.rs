//! The longest text each field of a Metrc write body may carry, the same on every backend.
//!
//! Metrc documents no lengths; these are tagtrail's, chosen so that every value fits the
//! database's indexes on either backend (PostgreSQL refuses an index entry over ~2.7 KB) and a
//! client learns of a long value as a row-indexed 400 before anything is written:
//!
//! | Field | Maximum |
//! |---|---|
//! | a file's content (`…Base64`) | none here: the body's byte limit and the document limit apply |
//! | free text (`…Note`, `…Notes`, `…Comment`, `…Description`, `…Ingredients`, `…Allergens`, `PlannedRoute`, `…Text`) | [`NOTE_CHARS`] characters |
//! | every other text (names, labels, numbers, addresses, dates, reasons) | [`NAME_CHARS`] characters |
//!
//! A string inside an array (a list of labels, say) has the limit of the array's field.

use serde_json::Value;

/// Names, labels, numbers and every short text field.
pub const NAME_CHARS: usize = 250;
/// Free-text fields: notes, comments, descriptions, ingredients, a planned route.
pub const NOTE_CHARS: usize = 1000;

/// Field-name endings that mark free text.
const FREE_TEXT: [&str; 8] = [
    "Note",
    "Notes",
    "Comment",
    "Description",
    "Ingredients",
    "Allergens",
    "PlannedRoute",
    "Text",
];

/// The maximum length in characters of field `name` (PascalCase, as on the wire), or `None`
/// for file content.
pub fn max_chars(name: &str) -> Option<usize> {
    if name.ends_with("Base64") {
        None
    } else if FREE_TEXT.iter().any(|end| name.ends_with(end)) {
        Some(NOTE_CHARS)
    } else {
        Some(NAME_CHARS)
    }
}

/// The first text in `element` (one object of a write body, keys PascalCase) longer than its
/// field allows, as a message naming the field's path: `Ingredients[2].Name is longer than 250
/// characters.`
pub fn too_long(element: &Value) -> Option<String> {
    walk(element, "", Some(NAME_CHARS))
}

fn walk(v: &Value, path: &str, max: Option<usize>) -> Option<String> {
    match v {
        Value::String(s) => {
            let max = max?;
            // Counting stops one past the limit: a megabyte of text is not counted in full.
            (s.chars().take(max + 1).count() > max).then(|| {
                let field = if path.is_empty() { "A value" } else { path };
                format!("{field} is longer than {max} characters.")
            })
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| walk(item, &format!("{path}[{i}]"), max)),
        Value::Object(fields) => fields.iter().find_map(|(k, item)| {
            let at = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            walk(item, &at, max_chars(k))
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_notes_and_files_have_their_own_maximum() {
        let name = "n".repeat(NAME_CHARS);
        let note = "n".repeat(NOTE_CHARS);
        let ok = json!({"Name": name, "ReasonNote": note, "DocumentFileBase64": "x".repeat(5000)});
        assert_eq!(too_long(&ok), None);
        let long = json!({"Name": format!("{name}x")});
        assert_eq!(
            too_long(&long).as_deref(),
            Some("Name is longer than 250 characters.")
        );
        let long = json!({"ReasonNote": format!("{note}x")});
        assert!(too_long(&long).is_some_and(|m| m.starts_with("ReasonNote is longer than 1000")));
    }

    #[test]
    fn nested_values_name_their_path_and_characters_not_bytes_count() {
        let v = json!({"Ingredients": [{"Name": "ok"}, {"Name": "é".repeat(NAME_CHARS + 1)}]});
        assert_eq!(
            too_long(&v).as_deref(),
            Some("Ingredients[1].Name is longer than 250 characters.")
        );
        // 250 two-byte characters are within the limit.
        assert_eq!(too_long(&json!({"Name": "é".repeat(NAME_CHARS)})), None);
        let labels = json!({"Labels": ["A".repeat(NAME_CHARS + 1)]});
        assert!(too_long(&labels).is_some_and(|m| m.starts_with("Labels[0] ")));
    }
}
