//! JSON text to contract types, with line/column and JSON path on every
//! parse error (codes E1001 malformed JSON, E1002 wrong shape).

use serde::de::DeserializeOwned;

use crate::error::{Issue, RotaError};
use crate::model::{Plan, Request};

/// Parse a request. Syntax errors give line and column (E1001); a value of the
/// wrong type, a missing field or an unknown field gives its JSON path (E1002).
pub fn request_from_str(text: &str) -> Result<Request, RotaError> {
    from_str(text, "request")
}

/// Parse a plan (unknown fields are allowed in plans).
pub fn plan_from_str(text: &str) -> Result<Plan, RotaError> {
    from_str(text, "plan")
}

fn from_str<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, RotaError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let parsed: Result<T, _> = serde_path_to_error::deserialize(&mut *de);
    let value = match parsed {
        Ok(v) => v,
        Err(e) => return Err(RotaError::invalid(to_issue(e, what))),
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

fn to_issue(e: serde_path_to_error::Error<serde_json::Error>, what: &str) -> Issue {
    let path = e.path().to_string();
    let path = if path == "." { String::new() } else { path };
    let inner = e.inner();
    let (line, col) = (inner.line(), inner.column());
    use serde_json::error::Category;
    match inner.classify() {
        Category::Syntax | Category::Eof | Category::Io => Issue::new(
            "E1001",
            path,
            format!("malformed JSON at line {line} column {col}: {inner}"),
            format!("fix the JSON syntax of the {what} (a missing comma, quote or bracket)"),
        ),
        Category::Data => {
            let msg = strip_position(&inner.to_string());
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

    #[test]
    fn trailing_garbage_is_malformed() {
        let err =
            request_from_str(r#"{"date":"2026-11-23","carers":[],"clients":[]} x"#).unwrap_err();
        assert_eq!(err.issues().unwrap()[0].code, "E1001");
    }
}
