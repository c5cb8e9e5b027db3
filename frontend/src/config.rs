//! How the host page configures the window, read once at start-up.
//!
//! From the page URL: `?open=1` opens the window at load, `?lang=de` picks the language. From
//! data attributes on `<html>` (for embedding without touching URLs): `data-parley-lang`,
//! `data-parley-title` (the header title) and `data-parley-open`.

use crate::i18n::Locale;

/// The start-up configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Open the window at load.
    pub open: bool,
    /// The language.
    pub locale: Locale,
    /// A header title replacing the locale's default.
    pub title: Option<String>,
}

impl Config {
    /// Reads the page's URL, `<html>` data attributes and the browser language.
    pub fn from_page() -> Config {
        let window = web_sys::window();
        let search = window
            .as_ref()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        let params = web_sys::UrlSearchParams::new_with_str(&search).ok();
        let param = |name: &str| params.as_ref().and_then(|p| p.get(name));
        let root = window
            .as_ref()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element());
        let data = |name: &str| root.as_ref().and_then(|r| r.get_attribute(name));
        let navigator_lang = window.as_ref().and_then(|w| w.navigator().language());
        let lang_param = param("lang");
        let lang_data = data("data-parley-lang");
        let locale = Locale::choose([
            lang_param.as_deref(),
            lang_data.as_deref(),
            navigator_lang.as_deref(),
        ]);
        let truthy = |value: Option<String>| {
            value.is_some_and(|v| matches!(v.as_str(), "" | "1" | "true" | "yes"))
        };
        Config {
            open: truthy(param("open")) || truthy(data("data-parley-open")),
            locale,
            title: data("data-parley-title").filter(|t| !t.trim().is_empty()),
        }
    }
}
