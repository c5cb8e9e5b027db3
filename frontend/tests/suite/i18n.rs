//! Every string exists in every language, with the same placeholders as English.

use parley_frontend::i18n::{Key, Locale, fill, placeholders};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn every_key_is_translated_in_every_locale_with_the_english_placeholders() {
    for &key in Key::ALL {
        let english = Locale::En.text(key);
        for locale in Locale::ALL {
            let text = locale.text(key);
            assert!(!text.trim().is_empty(), "{key:?} is empty in {locale:?}");
            assert_eq!(
                placeholders(text),
                placeholders(english),
                "{key:?} in {locale:?} has other placeholders than English"
            );
        }
    }
}

#[wasm_bindgen_test]
fn other_locales_are_real_translations_not_copies_of_english() {
    for locale in [Locale::De, Locale::Fr, Locale::Es] {
        let same = Key::ALL
            .iter()
            .filter(|&&key| locale.text(key) == Locale::En.text(key))
            .count();
        // A few words are the same in both languages ("Chat", "Offline"); most are not.
        assert!(
            same * 10 < Key::ALL.len(),
            "{locale:?} repeats English {same} times"
        );
    }
}

#[wasm_bindgen_test]
fn locale_is_chosen_from_the_first_supported_candidate() {
    assert_eq!(Locale::choose([Some("de"), Some("fr-FR")]), Locale::De);
    assert_eq!(
        Locale::choose([None, Some("xx"), Some("es-MX")]),
        Locale::Es
    );
    assert_eq!(Locale::choose([Some("FR_ca")]), Locale::Fr);
    assert_eq!(Locale::choose([None, Some("ja-JP")]), Locale::En);
}

#[wasm_bindgen_test]
fn placeholders_are_filled() {
    assert_eq!(
        fill(Locale::De.text(Key::Typing), &[("name", "Alex")]),
        "Alex schreibt…"
    );
}
