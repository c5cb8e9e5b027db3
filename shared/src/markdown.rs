//! The limited markdown Genesys Messenger renders in agent and bot messages (when the deployment
//! enables `markdown`), parsed into a small tree of typed nodes — never into HTML.
//!
//! Supported: bold `**x**`, italic `*x*` / `_x_`, inline code `` `x` ``, fenced code blocks
//! (```` ``` ````), links `[text](https://…)` (`http`, `https` and `mailto` only) and bare
//! `http(s)://` URLs, unordered (`-`, `*`, `+`) and ordered (`1.`, `1)`) lists, line breaks
//! (a newline is a line break, a blank line a new paragraph) and backslash escapes. Anything
//! else — headings, images, HTML, other link schemes — stays text, character for character.
//!
//! The window renders the tree as DOM nodes whose text goes in as text, so a `<script>` in a
//! message is shown, never run; and a [`Inline::Link`] can only point where [`safe_href`]
//! allows. Parsing never fails and never loses text: every character of the input is in the
//! tree, except the markup that the tree's shape now says (delimiters, list markers, fences,
//! escaping backslashes). Nesting is bounded ([`MAX_DEPTH`]) so adversarial input cannot
//! exhaust the stack. Candidly, an opener without a closer scans to the end of its paragraph,
//! so a paragraph of thousands of lone `_a ` costs quadratic time (≈0.1 s for 9,000 characters
//! in a debug build); URL scans are bounded by [`MAX_HREF_CHARS`].

/// A block of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// Lines of text (joined by [`Inline::LineBreak`]).
    Paragraph(Vec<Inline>),
    /// A bulleted or numbered list; each item is one line of inline content.
    List {
        /// Bullets or numbers.
        kind: ListKind,
        /// The items, in order.
        items: Vec<Vec<Inline>>,
    },
    /// A fenced code block, shown verbatim.
    CodeBlock {
        /// The info string after the opening fence (` ```rust `), if any.
        language: Option<String>,
        /// The lines between the fences, joined by `\n`.
        code: String,
    },
}

/// Bullets or numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListKind {
    /// `-`, `*` or `+` items.
    Unordered,
    /// `1.` / `1)` items, numbered from `start`.
    Ordered {
        /// The first item's number.
        start: u32,
    },
}

/// Inline content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    /// Plain text, never empty.
    Text(String),
    /// `**bold**`.
    Strong(Vec<Inline>),
    /// `*italic*` or `_italic_`.
    Emphasis(Vec<Inline>),
    /// `` `code` ``, verbatim.
    Code(String),
    /// `[text](href)`; `href` passed [`safe_href`]. Links do not nest.
    Link {
        /// Where it points.
        href: String,
        /// What it shows.
        children: Vec<Inline>,
    },
    /// A bare `http(s)://` URL, shown as itself and linking to itself.
    Url(String),
    /// A newline inside a paragraph.
    LineBreak,
}

/// Deepest nesting of bold / italic / links; delimiters deeper than this stay text.
pub const MAX_DEPTH: usize = 8;

/// Longest link target or bare URL; scans for one stop here, so a long run of text without
/// spaces costs linear time, not quadratic.
pub const MAX_HREF_CHARS: usize = 2048;

/// Parses `text` into blocks. Never fails; empty or blank input gives no blocks.
pub fn parse(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .collect();
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut list: Option<(ListKind, Vec<Vec<Inline>>)> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim();
        if let Some(info) = trimmed.strip_prefix("```") {
            flush_paragraph(&mut blocks, &mut paragraph);
            flush_list(&mut blocks, &mut list);
            let mut code_lines = Vec::new();
            i += 1;
            while i < lines.len() && !is_closing_fence(lines[i]) {
                code_lines.push(lines[i]);
                i += 1;
            }
            let info = info.trim();
            blocks.push(Block::CodeBlock {
                language: (!info.is_empty()).then(|| info.to_owned()),
                code: code_lines.join("\n"),
            });
            i += 1; // the closing fence, or past the end
            continue;
        }
        if trimmed.is_empty() {
            flush_paragraph(&mut blocks, &mut paragraph);
            flush_list(&mut blocks, &mut list);
        } else if let Some((kind, content)) = list_item(line) {
            flush_paragraph(&mut blocks, &mut paragraph);
            let same_list = matches!(
                (&list, kind),
                (Some((ListKind::Unordered, _)), ListKind::Unordered)
                    | (
                        Some((ListKind::Ordered { .. }, _)),
                        ListKind::Ordered { .. }
                    )
            );
            if !same_list {
                flush_list(&mut blocks, &mut list);
                list = Some((kind, Vec::new()));
            }
            if let Some((_, items)) = &mut list {
                items.push(parse_inline(&chars(content.trim()), 0, false));
            }
        } else {
            flush_list(&mut blocks, &mut list);
            paragraph.push(trimmed);
        }
        i += 1;
    }
    flush_paragraph(&mut blocks, &mut paragraph);
    flush_list(&mut blocks, &mut list);
    blocks
}

/// Whether `href` may be a link target: `http://`, `https://` or `mailto:` (any case) with
/// something after it, and no whitespace, control characters, quotes or angle brackets.
pub fn safe_href(href: &str) -> bool {
    let lower = href.to_ascii_lowercase();
    let rest = ["https://", "http://", "mailto:"]
        .iter()
        .find_map(|scheme| lower.strip_prefix(scheme));
    rest.is_some_and(|rest| !rest.is_empty())
        && href.len() <= MAX_HREF_CHARS
        && href
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !matches!(c, '"' | '<' | '>' | '`'))
}

fn chars(text: &str) -> Vec<char> {
    text.chars().collect()
}

fn is_closing_fence(line: &str) -> bool {
    let trimmed = line.trim();
    trimmed.len() >= 3 && trimmed.bytes().all(|b| b == b'`')
}

fn flush_paragraph(blocks: &mut Vec<Block>, paragraph: &mut Vec<&str>) {
    if !paragraph.is_empty() {
        let text = paragraph.join("\n");
        blocks.push(Block::Paragraph(parse_inline(&chars(&text), 0, false)));
        paragraph.clear();
    }
}

fn flush_list(blocks: &mut Vec<Block>, list: &mut Option<(ListKind, Vec<Vec<Inline>>)>) {
    if let Some((kind, items)) = list.take() {
        blocks.push(Block::List { kind, items });
    }
}

/// `- item`, `* item`, `+ item`, `3. item` or `3) item` (up to three spaces of indent).
fn list_item(line: &str) -> Option<(ListKind, &str)> {
    let unindented = line.trim_start_matches(' ');
    if line.len() - unindented.len() > 3 {
        return None;
    }
    let mut rest_chars = unindented.char_indices();
    let (_, first) = rest_chars.next()?;
    if matches!(first, '-' | '*' | '+') {
        let rest = &unindented[1..];
        return rest
            .starts_with([' ', '\t'])
            .then_some((ListKind::Unordered, rest));
    }
    let digits = unindented.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 9 {
        return None;
    }
    let rest = &unindented[digits..];
    let rest = rest.strip_prefix(['.', ')'])?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let start = unindented[..digits].parse().ok()?;
    Some((ListKind::Ordered { start }, rest))
}

/// Accumulates text and nodes, merging adjacent text.
struct Builder {
    nodes: Vec<Inline>,
    text: String,
}

impl Builder {
    fn new() -> Self {
        Self {
            nodes: Vec::new(),
            text: String::new(),
        }
    }

    fn push_text(&mut self, chars: &[char]) {
        self.text.extend(chars);
    }

    fn push(&mut self, node: Inline) {
        self.flush();
        self.nodes.push(node);
    }

    fn flush(&mut self) {
        if !self.text.is_empty() {
            self.nodes
                .push(Inline::Text(std::mem::take(&mut self.text)));
        }
    }

    fn finish(mut self) -> Vec<Inline> {
        self.flush();
        self.nodes
    }
}

/// Inline markup of `chars`. `depth` counts enclosing bold / italic / links; inside a link no
/// further links or URLs are recognised.
fn parse_inline(chars: &[char], depth: usize, in_link: bool) -> Vec<Inline> {
    let mut out = Builder::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let nested = depth < MAX_DEPTH;
        match c {
            '\\' if chars.get(i + 1).is_some_and(char::is_ascii_punctuation) => {
                out.push_text(&chars[i + 1..i + 2]);
                i += 2;
            }
            '\n' => {
                out.push(Inline::LineBreak);
                i += 1;
            }
            '`' => match find(chars, i + 1, |j| chars[j] == '`') {
                Some(end) if end > i + 1 => {
                    out.push(Inline::Code(chars[i + 1..end].iter().collect()));
                    i = end + 1;
                }
                _ => {
                    out.push_text(&chars[i..i + 1]);
                    i += 1;
                }
            },
            '*' if nested && chars.get(i + 1) == Some(&'*') => match strong_end(chars, i) {
                Some(end) => {
                    let inner = parse_inline(&chars[i + 2..end], depth + 1, in_link);
                    out.push(Inline::Strong(inner));
                    i = end + 2;
                }
                None => {
                    out.push_text(&chars[i..i + 2]);
                    i += 2;
                }
            },
            '*' | '_' if nested => match emphasis_end(chars, i) {
                Some(end) => {
                    let inner = parse_inline(&chars[i + 1..end], depth + 1, in_link);
                    out.push(Inline::Emphasis(inner));
                    i = end + 1;
                }
                None => {
                    out.push_text(&chars[i..i + 1]);
                    i += 1;
                }
            },
            '[' if nested && !in_link => match link(chars, i) {
                Some((text_end, href, end)) => {
                    let children = parse_inline(&chars[i + 1..text_end], depth + 1, true);
                    out.push(Inline::Link { href, children });
                    i = end + 1;
                }
                None => {
                    out.push_text(&chars[i..i + 1]);
                    i += 1;
                }
            },
            'h' | 'H' if !in_link && (i == 0 || !chars[i - 1].is_alphanumeric()) => {
                match bare_url(chars, i) {
                    Some(end) => {
                        out.push(Inline::Url(chars[i..end].iter().collect()));
                        i = end;
                    }
                    None => {
                        out.push_text(&chars[i..i + 1]);
                        i += 1;
                    }
                }
            }
            _ => {
                out.push_text(&chars[i..i + 1]);
                i += 1;
            }
        }
    }
    out.finish()
}

/// The first index `j >= from` for which `matches(j)` holds.
fn find(chars: &[char], from: usize, matches: impl Fn(usize) -> bool) -> Option<usize> {
    (from..chars.len()).find(|&j| matches(j))
}

/// For `**` at `open`: the index of the closing `**` (non-empty content that neither starts
/// nor ends with whitespace).
fn strong_end(chars: &[char], open: usize) -> Option<usize> {
    let first = *chars.get(open + 2)?;
    if first.is_whitespace() {
        return None;
    }
    find(chars, open + 3, |j| {
        chars[j] == '*' && chars.get(j + 1) == Some(&'*') && !chars[j - 1].is_whitespace()
    })
}

/// For `*` or `_` at `open`: the index of the matching single closer. `_` only opens and closes
/// at word boundaries, so `snake_case_names` stay text; closers that are part of `**` are
/// skipped, so `*a **b** c*` nests.
fn emphasis_end(chars: &[char], open: usize) -> Option<usize> {
    let delimiter = chars[open];
    let first = *chars.get(open + 1)?;
    if first.is_whitespace() || first == delimiter {
        return None;
    }
    if delimiter == '_' && open > 0 && chars[open - 1].is_alphanumeric() {
        return None;
    }
    let mut j = open + 2;
    while j < chars.len() {
        if chars[j] == delimiter {
            if chars.get(j + 1) == Some(&delimiter) {
                j += 2;
                continue;
            }
            let after_ok =
                delimiter != '_' || !chars.get(j + 1).is_some_and(|c| c.is_alphanumeric());
            if !chars[j - 1].is_whitespace() && after_ok {
                return Some(j);
            }
        }
        j += 1;
    }
    None
}

/// For `[` at `open`: `[text](href)` → (index of `]`, href, index of `)`), when the text is
/// non-empty and the href is [`safe_href`].
fn link(chars: &[char], open: usize) -> Option<(usize, String, usize)> {
    let text_end = find(chars, open + 1, |j| chars[j] == ']' || chars[j] == '[')?;
    if chars[text_end] != ']' || text_end == open + 1 || chars.get(text_end + 1) != Some(&'(') {
        return None;
    }
    let href_start = text_end + 2;
    let end = (href_start..chars.len().min(href_start + MAX_HREF_CHARS + 1))
        .find(|&j| chars[j] == ')' || chars[j].is_whitespace())?;
    if chars[end] != ')' {
        return None;
    }
    let href: String = chars[href_start..end].iter().collect();
    safe_href(&href).then_some((text_end, href, end))
}

/// For a bare URL starting at `start`: the index just past it. The URL runs to whitespace;
/// trailing sentence punctuation and an unbalanced `)` are left outside.
fn bare_url(chars: &[char], start: usize) -> Option<usize> {
    let rest: String = chars[start..chars.len().min(start + 8)].iter().collect();
    let lower = rest.to_ascii_lowercase();
    let scheme = ["https://", "http://"]
        .into_iter()
        .find(|scheme| lower.starts_with(scheme))?;
    let body_start = start + scheme.len();
    let limit = chars.len().min(start + MAX_HREF_CHARS + 1);
    let mut end = (body_start..limit)
        .find(|&j| chars[j].is_whitespace() || matches!(chars[j], '<' | '>' | '"' | '`'))
        .unwrap_or(limit);
    while end > body_start {
        let last = chars[end - 1];
        let opens = chars[start..end].iter().filter(|&&c| c == '(').count();
        let closes = chars[start..end].iter().filter(|&&c| c == ')').count();
        let trailing_punctuation =
            matches!(last, '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*' | '_');
        if trailing_punctuation || (last == ')' && closes > opens) {
            end -= 1;
        } else {
            break;
        }
    }
    let url: String = chars[start..end].iter().collect();
    (end > body_start && safe_href(&url)).then_some(end)
}

#[cfg(test)]
#[path = "markdown_tests.rs"]
mod tests;
