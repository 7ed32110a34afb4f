//! Accepting any property casing (`metrc-v2-api.md` §4, §13.1): Metrc emits PascalCase but some
//! states answered camelCase, so a tolerant reader normalizes keys before typed decoding.

use serde_json::Value;

/// Rewrites every object key to PascalCase (first letter upper-cased), recursively.
pub fn pascalize(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let mut c = k.chars();
                    let key = match c.next() {
                        Some(f) => f.to_uppercase().chain(c).collect(),
                        None => k,
                    };
                    (key, pascalize(v))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(pascalize).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn camel_case_becomes_pascal_case() {
        assert_eq!(
            pascalize(json!([{"name": "x", "itemCategory": "Buds", "Nested": {"id": 1}}])),
            json!([{"Name": "x", "ItemCategory": "Buds", "Nested": {"Id": 1}}])
        );
    }
}
