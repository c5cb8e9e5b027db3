//! Colours that reach a stylesheet: validated hex colours and WCAG contrast.
//!
//! A Messenger deployment names its accent (`styles.primaryColor`) as free text in a document
//! Parley fetches from the network. Only a [`HexColor`] — `#rrggbb`, parsed from `#rrggbb` or
//! `#rgb` and nothing else — is ever handed to the window, so no value from that document can
//! carry CSS (`red; background:url(…)`) into a style. [`readable_text_on`] then picks the text
//! colour for buttons and bubbles painted in the accent so that they keep the WCAG 2.x AA
//! contrast of at least [`AA_NORMAL_TEXT`] (4.5:1) whatever the admin chose.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// WCAG 2.x AA minimum contrast ratio for normal-size text.
pub const AA_NORMAL_TEXT: f64 = 4.5;

/// A colour as `#rrggbb` in lower case: the only colour syntax Parley puts into a style.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HexColor {
    rgb: [u8; 3],
}

impl HexColor {
    /// White, the preferred text colour on an accent.
    pub const WHITE: HexColor = HexColor::from_rgb(0xff, 0xff, 0xff);
    /// The near-black used when white is not readable on an accent.
    pub const NEAR_BLACK: HexColor = HexColor::from_rgb(0x11, 0x11, 0x11);
    /// Black, the last resort for the few mid-light accents on which near-black falls short.
    pub const BLACK: HexColor = HexColor::from_rgb(0, 0, 0);

    /// A colour from its channels.
    pub const fn from_rgb(red: u8, green: u8, blue: u8) -> HexColor {
        HexColor {
            rgb: [red, green, blue],
        }
    }

    /// Parses `#rrggbb` or `#rgb` (either case, surrounding whitespace ignored). Anything else
    /// — names, `rgb()`, alpha, stray characters — is `None`.
    pub fn parse(text: &str) -> Option<HexColor> {
        let digits = text.trim().strip_prefix('#')?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let nibble = |i: usize| u8::from_str_radix(&digits[i..=i], 16).ok();
        match digits.len() {
            3 => {
                let [r, g, b] = [nibble(0)?, nibble(1)?, nibble(2)?];
                Some(HexColor::from_rgb(r * 17, g * 17, b * 17))
            }
            6 => {
                let byte = |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).ok();
                Some(HexColor::from_rgb(byte(0)?, byte(2)?, byte(4)?))
            }
            _ => None,
        }
    }

    /// The red, green and blue channels.
    pub const fn rgb(self) -> [u8; 3] {
        self.rgb
    }

    /// WCAG relative luminance, 0.0 (black) to 1.0 (white).
    pub fn relative_luminance(self) -> f64 {
        let linear = |channel: u8| {
            let c = f64::from(channel) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let [r, g, b] = self.rgb;
        0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    }
}

impl fmt::Display for HexColor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [r, g, b] = self.rgb;
        write!(f, "#{r:02x}{g:02x}{b:02x}")
    }
}

impl Serialize for HexColor {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for HexColor {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        HexColor::parse(&text)
            .ok_or_else(|| serde::de::Error::custom("expected a #rrggbb or #rgb colour"))
    }
}

/// WCAG contrast ratio between two colours, from 1.0 (same) to 21.0 (black on white).
pub fn contrast_ratio(a: HexColor, b: HexColor) -> f64 {
    let (la, lb) = (a.relative_luminance(), b.relative_luminance());
    let (light, dark) = if la >= lb { (la, lb) } else { (lb, la) };
    (light + 0.05) / (dark + 0.05)
}

/// The text colour to put on `background`: white when it keeps [`AA_NORMAL_TEXT`], otherwise
/// near-black, otherwise black. One of white and black always reaches 4.5:1 (the worst
/// background, of luminance ≈ 0.18, still gives ≈ 4.58:1), so the answer always passes AA.
pub fn readable_text_on(background: HexColor) -> HexColor {
    [HexColor::WHITE, HexColor::NEAR_BLACK]
        .into_iter()
        .find(|text| contrast_ratio(*text, background) >= AA_NORMAL_TEXT)
        .unwrap_or(HexColor::BLACK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_long_and_short_hex_and_normalises_to_lower_case_rrggbb() {
        assert_eq!(HexColor::parse("#1F6FEB").unwrap().to_string(), "#1f6feb");
        assert_eq!(HexColor::parse(" #abc ").unwrap().to_string(), "#aabbcc");
        assert_eq!(HexColor::parse("#000").unwrap(), HexColor::BLACK);
    }

    #[test]
    fn rejects_everything_that_is_not_a_hex_colour() {
        for text in [
            "",
            "#",
            "1f6feb",
            "#1f6fe",
            "#1f6feb0",
            "#1f6febff",
            "#ggg",
            "red",
            "rgb(1,2,3)",
            "#fff;background:url(x)",
            "#fff}",
            "#+1+2+3",
            "#١٢٣",
        ] {
            assert_eq!(HexColor::parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn deserialising_refuses_unsafe_text() {
        assert!(serde_json::from_str::<HexColor>("\"#fff; color: red\"").is_err());
        let color: HexColor = serde_json::from_str("\"#FFF\"").unwrap();
        assert_eq!(serde_json::to_string(&color).unwrap(), "\"#ffffff\"");
    }

    #[test]
    fn contrast_matches_the_wcag_reference_values() {
        assert!((contrast_ratio(HexColor::WHITE, HexColor::BLACK) - 21.0).abs() < 1e-9);
        assert!((contrast_ratio(HexColor::WHITE, HexColor::WHITE) - 1.0).abs() < 1e-9);
        // #777777 on white is the classic "just fails AA" grey: 4.48:1.
        let grey = HexColor::parse("#777").unwrap();
        assert!((contrast_ratio(grey, HexColor::WHITE) - 4.48).abs() < 0.01);
    }

    #[test]
    fn dark_accents_get_white_text_and_light_ones_near_black() {
        let blue = HexColor::parse("#1f6feb").unwrap();
        assert_eq!(readable_text_on(blue), HexColor::WHITE);
        let yellow = HexColor::parse("#ffd700").unwrap();
        assert_eq!(readable_text_on(yellow), HexColor::NEAR_BLACK);
    }

    #[test]
    fn mid_light_accents_where_near_black_falls_short_get_black() {
        // Luminance ≈ 0.19: white gives ~4.4:1 and #111 ~4.3:1; only black passes.
        let accent = HexColor::parse("#7a7a7a").unwrap();
        assert!(contrast_ratio(HexColor::WHITE, accent) < AA_NORMAL_TEXT);
        assert!(contrast_ratio(HexColor::NEAR_BLACK, accent) < AA_NORMAL_TEXT);
        assert_eq!(readable_text_on(accent), HexColor::BLACK);
    }

    #[test]
    fn every_short_hex_colour_gets_text_that_passes_aa() {
        for r in 0..16u8 {
            for g in 0..16u8 {
                for b in 0..16u8 {
                    let background = HexColor::from_rgb(r * 17, g * 17, b * 17);
                    let text = readable_text_on(background);
                    assert!(
                        contrast_ratio(text, background) >= AA_NORMAL_TEXT,
                        "{background}"
                    );
                }
            }
        }
    }

    proptest! {
        #[test]
        fn any_accent_gets_text_that_passes_aa(r: u8, g: u8, b: u8) {
            let background = HexColor::from_rgb(r, g, b);
            let text = readable_text_on(background);
            prop_assert!(contrast_ratio(text, background) >= AA_NORMAL_TEXT);
        }

        #[test]
        fn parse_never_panics_and_accepts_only_hex(text in ".{0,12}") {
            if let Some(color) = HexColor::parse(&text) {
                let trimmed = text.trim();
                prop_assert!(trimmed.starts_with('#'));
                prop_assert!(trimmed[1..].bytes().all(|b| b.is_ascii_hexdigit()));
                prop_assert_eq!(HexColor::parse(&color.to_string()), Some(color));
            }
        }
    }
}
