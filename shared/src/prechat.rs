//! The pre-chat form: which fields a host asks for, and whether an answer is acceptable.
//!
//! A host page names the fields on the element (`<parley-chat prechat="name,email,consent">`,
//! custom ones as `key:Label`) or as JSON (`[{"key":"orderId","label":{"en":"Order","de":
//! "Bestellung"},"required":false}]`, through the same attribute or `window.parley`). The
//! window shows the fields the host did not fill already (`window.parley.setAttributes`)
//! before the first message, and the answers travel as Genesys custom attributes under each
//! field's key (the engine sends them with the first message). Everything here is plain data
//! and rules, so it is tested natively; the window only renders it.

use std::collections::BTreeMap;

use serde_json::Value;

/// The longest answer kept, in characters: four answers stay well inside the 2 KB that
/// Genesys allows for custom attributes.
pub const MAX_ANSWER_CHARS: usize = 200;

/// What a field asks for, which decides its input, its default label and its check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// The visitor's name.
    Name,
    /// An email address (checked).
    Email,
    /// A phone number (checked; optional unless required).
    Phone,
    /// A consent checkbox; its answer is `"true"`.
    Consent,
    /// Free text under a key and label of the host's.
    Text,
}

/// One field of the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The custom attribute's key (and the field's id).
    pub key: String,
    /// Its kind.
    pub kind: FieldKind,
    /// The host's label, per language tag (`""` for any language); empty for the built-in one.
    pub labels: BTreeMap<String, String>,
    /// Whether the form refuses to go on without it.
    pub required: bool,
}

impl Field {
    /// The host's label for the language `tag` (`de`), else its label for any language, its
    /// English one, or any it has.
    pub fn label(&self, tag: &str) -> Option<&str> {
        self.labels
            .get(tag)
            .or_else(|| self.labels.get(""))
            .or_else(|| self.labels.get("en"))
            .or_else(|| self.labels.values().next())
            .map(String::as_str)
    }
}

/// Why an answer is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// A required field is empty (or a required consent is not given).
    Required,
    /// Not an email address.
    Email,
    /// Not a phone number.
    Phone,
}

/// The fields of a form spec: JSON when it starts with `[`, else the comma-separated short
/// form. Unknown or malformed entries are skipped, so a typo costs a field, never the chat.
pub fn parse_fields(spec: &str) -> Vec<Field> {
    let spec = spec.trim();
    let fields = if spec.starts_with('[') {
        serde_json::from_str::<Vec<Value>>(spec)
            .unwrap_or_default()
            .iter()
            .filter_map(json_field)
            .collect()
    } else {
        spec.split(',').filter_map(short_field).collect::<Vec<_>>()
    };
    let mut seen = std::collections::BTreeSet::new();
    fields
        .into_iter()
        .filter(|field| seen.insert(field.key.clone()))
        .collect()
}

/// `name`, `email`, `phone`, `consent`, or `key:Label` for a custom text field.
fn short_field(entry: &str) -> Option<Field> {
    let (key, label) = match entry.split_once(':') {
        Some((key, label)) => (key.trim(), Some(label.trim()).filter(|l| !l.is_empty())),
        None => (entry.trim(), None),
    };
    let mut field = field(key, None)?;
    if let Some(label) = label {
        field.labels.insert(String::new(), label.to_owned());
    }
    Some(field)
}

/// A field for `key`: a built-in kind by its name (or by `kind`), else free text.
fn field(key: &str, kind: Option<&str>) -> Option<Field> {
    let valid_key = !key.is_empty()
        && key.len() <= 64
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !valid_key {
        return None;
    }
    let kind = match kind.unwrap_or(key).to_ascii_lowercase().as_str() {
        "name" => FieldKind::Name,
        "email" => FieldKind::Email,
        "phone" | "tel" => FieldKind::Phone,
        "consent" | "checkbox" => FieldKind::Consent,
        _ => FieldKind::Text,
    };
    Some(Field {
        key: key.to_owned(),
        kind,
        labels: BTreeMap::new(),
        // A phone number is often not needed; everything else a host asks for is.
        required: kind != FieldKind::Phone,
    })
}

/// A field as JSON: `"email"` or `{"key", "type"?, "label"? (text or per language), "required"?}`.
/// Read from a `serde_json::Value` by hand: an untagged serde enum would cost the wasm bundle
/// far more than these lines.
fn json_field(value: &Value) -> Option<Field> {
    if let Some(key) = value.as_str() {
        return field(key.trim(), None);
    }
    let key = value.get("key")?.as_str()?;
    let mut field = field(key.trim(), value.get("type").and_then(Value::as_str))?;
    match value.get("label") {
        Some(Value::String(text)) => drop(field.labels.insert(String::new(), text.clone())),
        Some(Value::Object(labels)) => {
            for (tag, text) in labels {
                if let Some(text) = text.as_str() {
                    field
                        .labels
                        .insert(tag.to_ascii_lowercase(), text.to_owned());
                }
            }
        }
        _ => {}
    }
    if let Some(required) = value.get("required").and_then(Value::as_bool) {
        field.required = required;
    }
    Some(field)
}

/// The fields the visitor still has to see: those whose key the host did not fill.
pub fn unfilled<'a>(fields: &'a [Field], filled: &BTreeMap<String, String>) -> Vec<&'a Field> {
    fields
        .iter()
        .filter(|field| filled.get(&field.key).is_none_or(|v| v.trim().is_empty()))
        .collect()
}

/// The answer to keep for `field` (trimmed, `"true"`/`""` for a consent), or why it is refused.
pub fn check(field: &Field, answer: &str) -> Result<String, Problem> {
    let answer: String = answer.trim().chars().take(MAX_ANSWER_CHARS).collect();
    if field.kind == FieldKind::Consent {
        let given = answer == "true";
        return match (given, field.required) {
            (false, true) => Err(Problem::Required),
            (given, _) => Ok(if given { "true".into() } else { String::new() }),
        };
    }
    if answer.is_empty() {
        return if field.required {
            Err(Problem::Required)
        } else {
            Ok(answer)
        };
    }
    match field.kind {
        FieldKind::Email if !is_email(&answer) => Err(Problem::Email),
        FieldKind::Phone if !is_phone(&answer) => Err(Problem::Phone),
        _ => Ok(answer),
    }
}

/// `local@domain.tld`, no spaces: what a visitor mistypes gets caught, without pretending to
/// implement RFC 5322.
fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !text.chars().any(char::is_whitespace)
        && domain.split('.').count() >= 2
        && domain.split('.').all(|label| !label.is_empty())
}

/// Digits with the usual separators, at least six digits.
fn is_phone(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '.' | '/'))
        && text.chars().filter(char::is_ascii_digit).count() >= 6
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(fields: &[Field]) -> Vec<(&str, FieldKind, bool)> {
        fields
            .iter()
            .map(|f| (f.key.as_str(), f.kind, f.required))
            .collect()
    }

    #[test]
    fn the_short_form_names_built_in_and_custom_fields_and_skips_bad_keys() {
        let fields = parse_fields(" name, email ,phone,consent,orderId:Order number,bad key,name");
        assert_eq!(
            keys(&fields),
            [
                ("name", FieldKind::Name, true),
                ("email", FieldKind::Email, true),
                ("phone", FieldKind::Phone, false),
                ("consent", FieldKind::Consent, true),
                ("orderId", FieldKind::Text, true),
            ]
        );
        assert_eq!(fields[4].label("de"), Some("Order number"));
        assert_eq!(
            fields[0].label("en"),
            None,
            "built-in fields use the window's words"
        );
    }

    #[test]
    fn the_json_form_carries_kinds_localised_labels_and_optional_fields() {
        let fields = parse_fields(
            r#"["email", {"key":"orderId","label":{"en":"Order","DE":"Bestellung"},"required":false},
                {"key":"mobile","type":"phone","required":true}, {"nokey":1}]"#,
        );
        assert_eq!(
            keys(&fields),
            [
                ("email", FieldKind::Email, true),
                ("orderId", FieldKind::Text, false),
                ("mobile", FieldKind::Phone, true),
            ]
        );
        assert_eq!(fields[1].label("de"), Some("Bestellung"));
        assert_eq!(
            fields[1].label("fr"),
            Some("Order"),
            "another language falls back"
        );
        assert!(parse_fields("[not json").is_empty());
    }

    #[test]
    fn answers_are_checked_by_kind() {
        let fields = parse_fields("name,email,phone,consent");
        let [name, email, phone, consent] = &fields[..] else {
            panic!()
        };
        assert_eq!(check(name, "  Jane "), Ok("Jane".into()));
        assert_eq!(check(name, "  "), Err(Problem::Required));
        assert_eq!(
            check(email, "jane@example.com"),
            Ok("jane@example.com".into())
        );
        for bad in [
            "jane@",
            "jane",
            "jane@example",
            "ja ne@example.com",
            "a@b@c.d",
            "a@.com",
        ] {
            assert_eq!(check(email, bad), Err(Problem::Email), "{bad}");
        }
        assert_eq!(check(phone, ""), Ok(String::new()), "optional");
        assert_eq!(
            check(phone, "+49 (30) 123-456"),
            Ok("+49 (30) 123-456".into())
        );
        assert_eq!(check(phone, "call me"), Err(Problem::Phone));
        assert_eq!(check(consent, "true"), Ok("true".into()));
        assert_eq!(check(consent, ""), Err(Problem::Required));
        let long = "x".repeat(500);
        assert_eq!(check(name, &long).unwrap().len(), MAX_ANSWER_CHARS);
    }

    #[test]
    fn fields_the_host_filled_are_not_asked_again() {
        let fields = parse_fields("name,email,consent");
        let filled = BTreeMap::from([
            ("name".to_owned(), "Jane".to_owned()),
            ("email".to_owned(), " ".to_owned()),
        ]);
        let left: Vec<&str> = unfilled(&fields, &filled)
            .iter()
            .map(|f| f.key.as_str())
            .collect();
        assert_eq!(left, ["email", "consent"]);
    }
}
