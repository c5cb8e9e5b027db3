//! Small serde helpers that let decoding survive the shapes the real service is known to vary:
//! `null` where a list is expected, numbers where strings are documented.

use std::collections::BTreeMap;

use serde::de::{DeserializeOwned, Error};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A list that may be absent or `null` on the wire; both decode as empty.
pub(crate) fn vec_or_null<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

/// [`vec_or_null`] whose items are decoded from a [`Value`], the way frame bodies are: a list that
/// arrives as text (a history page) then shares the items' decoder with the WebSocket path, so
/// the browser bundle carries one compiled copy of it instead of one per deserializer.
pub(crate) fn vec_or_null_via_value<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let raw = Value::deserialize(deserializer)?;
    vec_or_null(&raw).map_err(D::Error::custom)
}

/// A `map<string,string>` whose values are sometimes numbers or booleans in practice
/// (`durationSeconds`, `readOnly`). Scalars are kept as their JSON text; nested values as JSON.
pub(crate) fn string_map<'de, D>(deserializer: D) -> Result<BTreeMap<String, String>, D::Error>
where
    D: Deserializer<'de>,
{
    let raw = Option::<BTreeMap<String, Value>>::deserialize(deserializer)?.unwrap_or_default();
    // Inserted one by one rather than `collect()`ed: `BTreeMap::from_iter` compiles a stable
    // sort into the browser bundle (~4 KB of wasm) for keys that are already in order.
    let mut map = BTreeMap::new();
    for (key, value) in raw {
        let text = match value {
            Value::String(text) => text,
            Value::Null => String::new(),
            other => other.to_string(),
        };
        map.insert(key, text);
    }
    Ok(map)
}
