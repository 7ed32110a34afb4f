//! Addresses the pages link and redirect to, built with `form_urlencoded` so that any text (a
//! message, a license as typed) arrives as it was sent.

/// `value` encoded for a query string.
pub fn query_value(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A path segment as typed in the address (a license), encoded so that the path stays the same
/// path whatever it holds.
pub fn segment(value: &str) -> String {
    // `byte_serialize` writes a space as `+`, which in a path is a plus; a path wants `%20`.
    query_value(value).replace('+', "%20")
}

/// `to` with `pairs` appended to its query string.
pub fn with_query(to: &str, pairs: &[(&str, &str)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        q.append_pair(k, v);
    }
    let q = q.finish();
    if q.is_empty() {
        return to.to_string();
    }
    let sep = if to.contains('?') { '&' } else { '?' };
    format!("{to}{sep}{q}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_survive_the_round_trip() {
        let msg = "Tag 1A4 voided (journal entry 7). 50% & more?\nLine 2: bad";
        let to = with_query("/ui/l/X/tags", &[("msg", msg)]);
        let q = to.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let back: Vec<(String, String)> =
            form_urlencoded::parse(q.as_bytes()).into_owned().collect();
        assert_eq!(back, [("msg".to_string(), msg.to_string())]);
        assert_eq!(with_query("/a?tab=x", &[("page", "2")]), "/a?tab=x&page=2");
    }

    #[test]
    fn a_segment_cannot_leave_its_path() {
        assert_eq!(segment("C11-0000701-LIC"), "C11-0000701-LIC");
        assert_eq!(segment("../x y?z#"), "..%2Fx%20y%3Fz%23");
    }
}
