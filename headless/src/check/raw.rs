//! The YAML shapes of a check script as written, before validation: what serde-saphyr
//! deserialises (with the line of every step), and the friendly errors for steps that are not
//! steps. `script` turns these into validated [`super::script::Script`]s.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_saphyr::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScript {
    #[serde(default)]
    pub(super) name: Option<String>,
    #[serde(default)]
    pub(super) timeout: Option<Spanned<RawDuration>>,
    pub(super) steps: Vec<Spanned<RawStep>>,
}

/// A duration as written: a number of seconds or text with a unit.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawDuration {
    /// Seconds.
    Seconds(f64),
    /// `10s`, `500ms`, `2m`.
    Text(String),
}

#[derive(Debug)]
pub(super) struct RawStep {
    pub(super) action: RawAction,
    pub(super) timeout: Option<RawDuration>,
}

#[derive(Debug)]
pub(super) enum RawAction {
    Say(String),
    Expect(String),
    Choose(String),
    ExpectTyping,
    ExpectEnd,
}

const STEP_KINDS: &str = "say, expect, choose, expect_typing, expect_end";

impl<'de> Deserialize<'de> for RawStep {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StepVisitor)
    }
}

struct StepVisitor;

impl<'de> Visitor<'de> for StepVisitor {
    type Value = RawStep;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a step ({STEP_KINDS})")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<RawStep, E> {
        let action = match value.trim() {
            "expect_typing" => RawAction::ExpectTyping,
            "expect_end" => RawAction::ExpectEnd,
            "say" | "expect" | "choose" => {
                return Err(E::custom(format!(
                    "'{value}' needs a value, e.g. `- {value}: hello`"
                )));
            }
            other => {
                return Err(E::custom(format!(
                    "unknown step '{other}' (expected one of: {STEP_KINDS})"
                )));
            }
        };
        Ok(RawStep {
            action,
            timeout: None,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawStep, A::Error> {
        let mut action = None;
        let mut timeout = None;
        while let Some(key) = map.next_key::<String>()? {
            let next = match key.as_str() {
                "timeout" => {
                    timeout = Some(map.next_value::<RawDuration>()?);
                    continue;
                }
                "say" => RawAction::Say(map.next_value::<String>()?),
                "expect" => RawAction::Expect(map.next_value::<String>()?),
                "choose" => RawAction::Choose(map.next_value::<String>()?),
                "expect_typing" => {
                    map.next_value::<de::IgnoredAny>()?;
                    RawAction::ExpectTyping
                }
                "expect_end" => {
                    map.next_value::<de::IgnoredAny>()?;
                    RawAction::ExpectEnd
                }
                other => {
                    return Err(de::Error::custom(format!(
                        "unknown key '{other}' (a step is one of: {STEP_KINDS}, with an optional timeout)"
                    )));
                }
            };
            if action.is_some() {
                return Err(de::Error::custom(format!(
                    "a step does one thing; '{key}' is a second action in the same step"
                )));
            }
            action = Some(next);
        }
        let action = action
            .ok_or_else(|| de::Error::custom(format!("a step needs one of: {STEP_KINDS}")))?;
        Ok(RawStep { action, timeout })
    }
}
