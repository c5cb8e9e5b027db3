//! Dates and times for the transcript, formatted for the visitor's locale by the browser's
//! `Intl.DateTimeFormat` (no date library in the bundle).
//!
//! Times on the wire are ISO-8601 strings (`channel.time`); entries without one (a message
//! still sending, a local notice) use the moment the window first showed them.

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::{Array, Date, Intl, Object, Reflect};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::i18n::{Key, Locale};

/// Milliseconds on `performance.now()`: monotonic, the one clock every engine call uses, so
/// also the clock of the engine's deadlines (a reconnect countdown reads it).
pub fn monotonic_now() -> u64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
        .max(0.0) as u64
}

/// Wall-clock milliseconds since the epoch (for display only; the engine has its own clock).
pub fn wall_now() -> f64 {
    Date::now()
}

/// Milliseconds since the epoch of an ISO-8601 time, if the browser can parse it.
pub fn parse_time(iso: &str) -> Option<f64> {
    let millis = Date::parse(iso);
    millis.is_finite().then_some(millis)
}

/// The ISO-8601 form of `millis`, for `<time datetime>`.
pub fn iso(millis: f64) -> String {
    Date::new(&JsValue::from_f64(millis))
        .to_iso_string()
        .as_string()
        .unwrap_or_default()
}

/// The local calendar day of `millis`, as a sortable key `YYYY-MM-DD`.
pub fn day_key(millis: f64) -> String {
    let date = Date::new(&JsValue::from_f64(millis));
    format!(
        "{:04}-{:02}-{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date()
    )
}

/// The start (inclusive) and end (exclusive) of the local day holding `millis`, epoch ms.
pub fn day_bounds(millis: f64) -> (f64, f64) {
    let date = Date::new(&JsValue::from_f64(millis));
    let start = Date::new_with_year_month_day(
        date.get_full_year(),
        date.get_month() as i32,
        date.get_date() as i32,
    );
    let end = Date::new_with_year_month_day(
        date.get_full_year(),
        date.get_month() as i32,
        date.get_date() as i32 + 1,
    );
    (start.get_time(), end.get_time())
}

/// The options of [`time_of_day`]'s formatter.
const TIME_OF_DAY: &[(&str, &str)] = &[("hour", "numeric"), ("minute", "2-digit")];

/// "14:05" / "2:05 PM": the time of day in `locale`.
pub fn time_of_day(locale: Locale, millis: f64) -> String {
    format_with(locale, "time", millis, TIME_OF_DAY)
}

/// Builds [`time_of_day`]'s formatter for `locale` the next time the browser is idle, so that
/// the first entry does not pay for it. Why: a page's first `Intl.DateTimeFormat` costs ~11 ms
/// in Chromium (the browser loads its locale data; later ones cost ~0.1 ms), and a fresh
/// visitor's first entry is their own first message, so without this that cost fell between
/// Send and the message showing as sent (BENCHMARKS.md, "Browser latency"). A browser without
/// `requestIdleCallback` builds it at first use, as before.
pub fn prepare_when_idle(locale: Locale) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let prepare = Closure::once_into_js(move || {
        with_formatter(locale, "time", TIME_OF_DAY, |_| ());
    });
    let _ = window.request_idle_callback(prepare.unchecked_ref());
}

/// Whether [`time_of_day`]'s formatter for `locale` is built (see [`prepare_when_idle`]).
pub fn time_of_day_prepared(locale: Locale) -> bool {
    FORMATTERS.with(|cache| cache.borrow().contains_key(&(locale, "time")))
}

/// "Today", "Yesterday" or e.g. "Friday, 20 November 2026" for a date separator.
pub fn day_label(locale: Locale, millis: f64) -> String {
    let now = wall_now();
    let day = day_key(millis);
    if day == day_key(now) {
        return locale.text(Key::Today).to_owned();
    }
    if day == day_key(now - 86_400_000.0) {
        return locale.text(Key::Yesterday).to_owned();
    }
    format_with(
        locale,
        "day",
        millis,
        &[
            ("weekday", "long"),
            ("day", "numeric"),
            ("month", "long"),
            ("year", "numeric"),
        ],
    )
}

/// "20 Nov 2026, 14:05": date and time in `locale`, for a saved transcript.
pub fn date_time(locale: Locale, millis: f64) -> String {
    format_with(
        locale,
        "date-time",
        millis,
        &[
            ("year", "numeric"),
            ("month", "short"),
            ("day", "numeric"),
            ("hour", "numeric"),
            ("minute", "2-digit"),
        ],
    )
}

thread_local! {
    /// Formatters are costly to build; one per (locale, style) is kept.
    static FORMATTERS: RefCell<HashMap<(Locale, &'static str), Intl::DateTimeFormat>> =
        RefCell::new(HashMap::new());
}

fn format_with(
    locale: Locale,
    style: &'static str,
    millis: f64,
    options: &[(&str, &str)],
) -> String {
    with_formatter(locale, style, options, |formatter| {
        formatter
            .format()
            .call1(formatter, &Date::new(&JsValue::from_f64(millis)))
            .ok()
            .and_then(|text| text.as_string())
            .unwrap_or_default()
    })
}

/// Runs `use_it` with the kept formatter for (`locale`, `style`), building it first if needed.
fn with_formatter<T>(
    locale: Locale,
    style: &'static str,
    options: &[(&str, &str)],
    use_it: impl FnOnce(&Intl::DateTimeFormat) -> T,
) -> T {
    FORMATTERS.with(|cache| {
        let mut cache = cache.borrow_mut();
        let formatter = cache.entry((locale, style)).or_insert_with(|| {
            let locales = Array::of1(&JsValue::from_str(locale.tag()));
            let opts = Object::new();
            for (key, value) in options {
                let _ = Reflect::set(&opts, &JsValue::from_str(key), &JsValue::from_str(value));
            }
            Intl::DateTimeFormat::new(&locales, &opts)
        });
        use_it(formatter)
    })
}
