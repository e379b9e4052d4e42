//! JSON text to contract types, with line/column and JSON path on every
//! parse error (codes E1001 malformed JSON, E1002 wrong shape).

use serde::de::DeserializeOwned;

use crate::error::{Issue, RotaError};
use crate::model::{Client, Plan, Request};

/// Parse a request. Syntax errors give line and column (E1001); a value of the
/// wrong type, a missing field or an unknown field gives its JSON path (E1002).
pub fn request_from_str(text: &str) -> Result<Request, RotaError> {
    from_str(text, "request")
}

/// Parse one client of the request format (`rota fit --client`).
pub fn client_from_str(text: &str) -> Result<Client, RotaError> {
    from_str(text, "client")
}

/// Parse a plan (unknown fields are allowed in plans).
pub fn plan_from_str(text: &str) -> Result<Plan, RotaError> {
    from_str(text, "plan")
}

fn from_str<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, RotaError> {
    // A file saved with a UTF-8 byte order mark (as some Windows editors do)
    // is the same document.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let de = &mut serde_json::Deserializer::from_str(text);
    let parsed: Result<T, _> = serde_path_to_error::deserialize(&mut *de);
    let value = match parsed {
        Ok(v) => v,
        Err(e) => return Err(RotaError::invalid(to_issue(e, text, what))),
    };
    // Trailing characters after the document.
    if let Err(e) = de.end() {
        return Err(RotaError::invalid(Issue::new(
            "E1001",
            "",
            format!(
                "malformed JSON at line {} column {}: {e}",
                e.line(),
                e.column()
            ),
            format!("the {what} must be a single JSON object"),
        )));
    }
    Ok(value)
}

fn to_issue(e: serde_path_to_error::Error<serde_json::Error>, text: &str, what: &str) -> Issue {
    let path = clean_path(&e.path().to_string());
    let inner = e.inner();
    let (line, col) = (inner.line(), inner.column());
    use serde_json::error::Category;
    match inner.classify() {
        Category::Syntax | Category::Eof | Category::Io => {
            let msg = strip_position(&inner.to_string());
            let hint = if msg.starts_with("trailing comma") {
                "remove the comma after the last item of the list or object (JSON allows none there)"
                    .to_string()
            } else {
                format!("fix the JSON syntax of the {what} (a missing comma, quote or bracket)")
            };
            Issue::new(
                "E1001",
                path,
                format!("malformed JSON at line {line} column {col}: {msg}"),
                hint,
            )
        }
        Category::Data => {
            let msg = plain_words(&strip_position(&inner.to_string()), &path, text, what);
            let hint = if msg.starts_with("unknown field") {
                "remove the field or correct its spelling (see docs/format.md)"
            } else if msg.starts_with("missing field") {
                "add the field (see docs/format.md for required fields)"
            } else {
                "give the value the type the contract expects (see docs/format.md)"
            };
            Issue::new(
                "E1002",
                path,
                format!("{msg} (line {line} column {col})"),
                hint,
            )
        }
    }
}

/// serde_path_to_error writes `?` for a position it could not name (after a
/// trailing comma, say): drop those, keeping the part that is known.
fn clean_path(path: &str) -> String {
    let mut p = path;
    loop {
        if let Some(q) = p.strip_suffix(".?") {
            p = q;
        } else if let Some(q) = p.strip_suffix("[?]") {
            p = q;
        } else if p == "?" || p == "." {
            p = "";
        } else {
            return p.to_string();
        }
    }
}

/// serde's type-level wording ("invalid value: integer `-1`, expected
/// u32", "expected struct Request with 7 elements") in words a rota
/// manager understands, quoting the value and naming the expected form.
fn plain_words(msg: &str, path: &str, text: &str, what: &str) -> String {
    let field = path.rsplit(['.', '[']).next().unwrap_or("");
    let expected = |m: &str| {
        m.rsplit_once(", expected ")
            .map(|(_, e)| e.to_string())
            .unwrap_or_default()
    };
    let exp = expected(msg);
    let got = value_at(text, path).map(|v| describe(&v));
    let whole = exp == "u32" || exp == "u64" || exp == "i64" || exp == "i32";
    if whole {
        let got = got.unwrap_or_else(|| "another value".into());
        let want = match field {
            "duration" => "a duration in whole minutes, at least 1 (e.g. 30)",
            "priority" => "a priority: a whole number, 1 or more (default 1)",
            "carers_required" => "the number of carers: 1 or 2",
            "min_gap" | "max_gap" | "minutes" => "whole minutes, 0 or more",
            "seed" => "a whole number, 0 or more",
            _ if exp.starts_with('u') => "a whole number, 0 or more",
            _ => "a whole number",
        };
        return format!("expected {want}, got {got}");
    }
    if field == "date"
        && (exp.is_empty() || exp.contains("date") || !msg.starts_with("invalid type"))
    {
        let got = got.unwrap_or_else(|| "another value".into());
        return format!("expected a date written YYYY-MM-DD (e.g. \"2026-11-25\"), got {got}");
    }
    if let Some(rest) = exp.strip_prefix("struct ") {
        let name = rest.split(' ').next().unwrap_or(rest);
        let got = got.unwrap_or_else(|| "another value".into());
        let name = if path.is_empty() { what } else { name };
        return format!("expected a JSON object {{...}} (the {name}), got {got}");
    }
    if exp == "a sequence" {
        let got = got.unwrap_or_else(|| "another value".into());
        return format!("expected a list [...], got {got}");
    }
    msg.to_string()
}

/// The JSON value at a serde_path_to_error path (`clients[0].visits[1].duration`),
/// when the text is well-formed JSON.
fn value_at(text: &str, path: &str) -> Option<serde_json::Value> {
    let mut v: serde_json::Value = serde_json::from_str(text).ok()?;
    if path.is_empty() {
        return Some(v);
    }
    for part in path.split('.') {
        let (key, indices) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            v = v.get(key)?.clone();
        }
        for ix in indices.split('[').filter(|s| !s.is_empty()) {
            let n: usize = ix.trim_end_matches(']').parse().ok()?;
            v = v.get(n)?.clone();
        }
    }
    Some(v)
}

/// A JSON value for a message: `-1`, `"25/11/2026"`, `a list [...]`.
fn describe(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("the text \"{s}\""),
        Value::Array(a) if a.is_empty() => "an empty list []".into(),
        Value::Array(_) => "a list [...]".into(),
        Value::Object(_) => "an object {...}".into(),
    }
}

/// serde_json appends " at line L column C"; we report it separately.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_json_reports_line_and_column() {
        let err =
            request_from_str("{\n  \"date\": \"2026-11-23\",\n  \"carers\": [,]\n}").unwrap_err();
        let issues = err.issues().unwrap();
        assert_eq!(issues[0].code, "E1001");
        assert!(
            issues[0].message.contains("line 3"),
            "{}",
            issues[0].message
        );
    }

    #[test]
    fn unknown_field_is_named_with_its_path() {
        let text = r#"{"date":"2026-11-23","carers":[],"clients":[{"id":"P1",
          "location":{"lat":52,"lon":-2.7},
          "visits":[{"id":"v","window":{"start":"08:00","end":"09:00"},
                     "duration":30,"carer_required":2}]}]}"#;
        let err = request_from_str(text).unwrap_err();
        let i = &err.issues().unwrap()[0];
        assert_eq!(i.code, "E1002");
        assert!(i.message.contains("carer_required"), "{}", i.message);
        assert_eq!(i.path, "clients[0].visits[0].carer_required");
    }

    #[test]
    fn bad_time_is_rejected_with_path() {
        let text = r#"{"date":"2026-11-23","carers":[{"id":"C1","travel_mode":"drive",
          "shift":{"start":"7:00","end":"15:00"},"start_location":{"lat":52,"lon":-2.7}}],
          "clients":[]}"#;
        let err = request_from_str(text).unwrap_err();
        let i = &err.issues().unwrap()[0];
        assert_eq!(i.path, "carers[0].shift.start");
        assert!(i.message.contains("HH:MM"), "{}", i.message);
    }

    fn issue_of(text: &str) -> Issue {
        request_from_str(text).unwrap_err().issues().unwrap()[0].clone()
    }

    const DAY: &str = r#"{"date":"2026-11-23","carers":[],"clients":[{"id":"P1",
          "location":{"lat":52,"lon":-2.7},
          "visits":[{"id":"v","window":{"start":"08:00","end":"09:00"},"duration":30}]}]}"#;

    #[test]
    fn negative_numbers_are_named_in_words() {
        let i = issue_of(&DAY.replace("\"duration\":30", "\"duration\":-1"));
        assert_eq!(i.path, "clients[0].visits[0].duration");
        assert!(
            i.message.contains("whole minutes") && i.message.contains("got -1"),
            "{}",
            i.message
        );
        assert!(!i.message.contains("u32"), "{}", i.message);
        let i = issue_of(&DAY.replace("\"id\":\"P1\",", "\"id\":\"P1\",\"priority\":-2,"));
        assert_eq!(i.path, "clients[0].priority");
        assert!(
            i.message.contains("priority") && i.message.contains("got -2"),
            "{}",
            i.message
        );
    }

    #[test]
    fn a_list_for_the_request_says_an_object_is_expected() {
        let i = issue_of("[]");
        assert_eq!(i.code, "E1002");
        assert!(
            i.message.contains("JSON object") && i.message.contains("empty list"),
            "{}",
            i.message
        );
        assert!(!i.message.contains("7 elements"), "{}", i.message);
    }

    #[test]
    fn a_bad_date_names_the_format_and_quotes_the_value() {
        let i = issue_of(&DAY.replace("2026-11-23", "25/11/2026"));
        assert_eq!(i.path, "date");
        assert!(
            i.message.contains("YYYY-MM-DD") && i.message.contains("\"25/11/2026\""),
            "{}",
            i.message
        );
    }

    #[test]
    fn a_byte_order_mark_is_accepted() {
        let with_bom = format!("\u{feff}{DAY}");
        assert_eq!(
            request_from_str(&with_bom).unwrap(),
            request_from_str(DAY).unwrap()
        );
    }

    #[test]
    fn a_trailing_comma_has_a_real_path_and_hint() {
        let i = issue_of(&DAY.replace("\"duration\":30}]", "\"duration\":30},]"));
        assert_eq!(i.code, "E1001");
        assert!(!i.path.contains('?'), "{}", i.path);
        assert_eq!(i.path, "clients[0].visits");
        assert!(i.hint.contains("comma"), "{}", i.hint);
        assert!(!i.to_string().contains('?'), "{i}");
    }

    #[test]
    fn trailing_garbage_is_malformed() {
        let err =
            request_from_str(r#"{"date":"2026-11-23","carers":[],"clients":[]} x"#).unwrap_err();
        assert_eq!(err.issues().unwrap()[0].code, "E1001");
    }
}
