//! Wire text → runs of plain text and safe links, so a message is rendered as text nodes and
//! `<a>` elements only (never `inner_html`; STYLE.md "Wire text is text, never HTML").
//!
//! A link is a run starting with `http://` or `https://` (case-insensitive) at a word
//! boundary and running to the next whitespace; trailing punctuation that usually ends a
//! sentence (`.,;:!?'"`) and an unbalanced closing bracket stay outside the link. Other schemes
//! (`javascript:`, `data:`) are never links.

/// One run of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Run<'a> {
    /// Plain text, shown as a text node.
    Text(&'a str),
    /// An http(s) URL, shown as a link to itself.
    Link(&'a str),
}

/// Splits `text` into text and link runs, in order; concatenating them gives `text` back.
pub fn runs(text: &str) -> Vec<Run<'_>> {
    let mut out = Vec::new();
    let mut plain_start = 0;
    let mut index = 0;
    while index < text.len() {
        let rest = &text[index..];
        let at_boundary = text[..index]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || "([<\"'".contains(c));
        if at_boundary && starts_with_scheme(rest) {
            let end = index + link_len(rest);
            if end > index {
                if plain_start < index {
                    out.push(Run::Text(&text[plain_start..index]));
                }
                out.push(Run::Link(&text[index..end]));
                plain_start = end;
                index = end;
                continue;
            }
        }
        index += rest.chars().next().map_or(1, char::len_utf8);
    }
    if plain_start < text.len() {
        out.push(Run::Text(&text[plain_start..]));
    }
    out
}

/// Whether `url` may be used as an `href` or `src`: an absolute http(s) URL without spaces.
pub fn is_safe_url(url: &str) -> bool {
    starts_with_scheme(url) && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn starts_with_scheme(text: &str) -> bool {
    let lower = |n: usize| text.get(..n).map(str::to_ascii_lowercase);
    let has_host = |n: usize| text[n..].chars().next().is_some_and(|c| !c.is_whitespace());
    (lower(8).as_deref() == Some("https://") && has_host(8))
        || (lower(7).as_deref() == Some("http://") && has_host(7))
}

/// Length in bytes of the link at the start of `text` (0 if nothing but the scheme remains).
fn link_len(text: &str) -> usize {
    let mut end = text.find(char::is_whitespace).unwrap_or(text.len());
    loop {
        let candidate = &text[..end];
        let Some(last) = candidate.chars().next_back() else {
            return 0;
        };
        let unbalanced = match last {
            ')' => candidate.matches('(').count() < candidate.matches(')').count(),
            ']' => candidate.matches('[').count() < candidate.matches(']').count(),
            '>' => true,
            _ => false,
        };
        if ".,;:!?'\"".contains(last) || unbalanced {
            end -= last.len_utf8();
        } else {
            break;
        }
    }
    let scheme = if text
        .get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
    {
        8
    } else {
        7
    };
    if end <= scheme { 0 } else { end }
}
