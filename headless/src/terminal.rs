//! Text from the wire (agent names and messages, close reasons, server error text) printed to a
//! terminal must not be able to drive it: an escape sequence could move the cursor, rewrite
//! earlier lines, recolour the screen or set the window title. [`printable`] is applied to
//! every such string before it is printed (JSON output escapes control characters itself).

/// `text` with every control character (ESC and the C1 controls included) replaced by `�`,
/// except newlines and tabs, which lay text out without controlling anything.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_and_c1_controls_are_replaced_newlines_kept() {
        assert_eq!(
            printable("a\u{1b}]0;title\u{7}b\u{9b}2Jc\r\nd\te"),
            "a\u{fffd}]0;title\u{fffd}b\u{fffd}2Jc\u{fffd}\nd\te"
        );
    }
}
