use proptest::prelude::*;

use super::*;

fn text(s: &str) -> Inline {
    Inline::Text(s.to_owned())
}

fn paragraph(inlines: Vec<Inline>) -> Vec<Block> {
    vec![Block::Paragraph(inlines)]
}

#[test]
fn bold_italic_and_code_become_nodes() {
    assert_eq!(
        parse("**bold** and _it_ or *it* with `x*y*`"),
        paragraph(vec![
            Inline::Strong(vec![text("bold")]),
            text(" and "),
            Inline::Emphasis(vec![text("it")]),
            text(" or "),
            Inline::Emphasis(vec![text("it")]),
            text(" with "),
            Inline::Code("x*y*".into()),
        ])
    );
}

#[test]
fn html_stays_text() {
    let input = "<script>alert(1)</script> <b>hi</b>";
    assert_eq!(parse(input), paragraph(vec![text(input)]));
}

#[test]
fn links_need_a_safe_scheme() {
    assert_eq!(
        parse("[site](https://example.com/a?b=1) [mail](mailto:a@b.example)"),
        paragraph(vec![
            Inline::Link {
                href: "https://example.com/a?b=1".into(),
                children: vec![text("site")]
            },
            text(" "),
            Inline::Link {
                href: "mailto:a@b.example".into(),
                children: vec![text("mail")]
            },
        ])
    );
    for unsafe_link in [
        "[x](javascript:alert(1))",
        "[x](JavaScript:alert(1))",
        "[x](data:text/html,hi)",
        "[x](/relative)",
        "[x](https://)",
    ] {
        assert_eq!(
            parse(unsafe_link),
            paragraph(vec![text(unsafe_link)]),
            "{unsafe_link}"
        );
    }
    // An empty link text is no link, but the bare URL in it still is one.
    assert_eq!(
        parse("[](https://example.com)"),
        paragraph(vec![
            text("[]("),
            Inline::Url("https://example.com".into()),
            text(")")
        ])
    );
}

#[test]
fn link_text_may_be_bold_but_links_do_not_nest() {
    assert_eq!(
        parse("[**go** https://a.example](https://b.example)"),
        paragraph(vec![Inline::Link {
            href: "https://b.example".into(),
            children: vec![Inline::Strong(vec![text("go")]), text(" https://a.example")],
        }])
    );
}

#[test]
fn bare_urls_link_without_trailing_punctuation() {
    assert_eq!(
        parse("see https://example.com/a_b. (or http://x.example/y)"),
        paragraph(vec![
            text("see "),
            Inline::Url("https://example.com/a_b".into()),
            text(". (or "),
            Inline::Url("http://x.example/y".into()),
            text(")"),
        ])
    );
    assert_eq!(
        parse("https://en.example/wiki/Rust_(language)"),
        paragraph(vec![Inline::Url(
            "https://en.example/wiki/Rust_(language)".into()
        )])
    );
    assert_eq!(
        parse("xhttps://a.example"),
        paragraph(vec![text("xhttps://a.example")])
    );
}

#[test]
fn lone_or_intraword_delimiters_stay_text() {
    for input in [
        "snake_case_name",
        "2 * 3 * 4",
        "**unclosed",
        "*unclosed",
        "`unclosed",
        "** spaced **",
        "[no link]",
        "[text](mailto:unclosed",
    ] {
        assert_eq!(parse(input), paragraph(vec![text(input)]), "{input}");
    }
}

#[test]
fn escapes_keep_the_punctuation_and_drop_the_backslash() {
    assert_eq!(
        parse(r"\*not italic\* C:\path"),
        paragraph(vec![text(r"*not italic* C:\path")])
    );
}

#[test]
fn emphasis_nests_around_strong() {
    assert_eq!(
        parse("*a **b** c*"),
        paragraph(vec![Inline::Emphasis(vec![
            text("a "),
            Inline::Strong(vec![text("b")]),
            text(" c"),
        ])])
    );
}

#[test]
fn newlines_break_lines_and_blank_lines_split_paragraphs() {
    assert_eq!(
        parse("one\r\ntwo\n\n  three  "),
        vec![
            Block::Paragraph(vec![text("one"), Inline::LineBreak, text("two")]),
            Block::Paragraph(vec![text("three")]),
        ]
    );
    assert_eq!(parse(""), Vec::<Block>::new());
    assert_eq!(parse(" \n\n "), Vec::<Block>::new());
}

#[test]
fn lists_of_both_kinds() {
    assert_eq!(
        parse("Options:\n- **a**\n* b\n\n3) third\n4. fourth\n- back to bullets"),
        vec![
            Block::Paragraph(vec![text("Options:")]),
            Block::List {
                kind: ListKind::Unordered,
                items: vec![vec![Inline::Strong(vec![text("a")])], vec![text("b")]],
            },
            Block::List {
                kind: ListKind::Ordered { start: 3 },
                items: vec![vec![text("third")], vec![text("fourth")]],
            },
            Block::List {
                kind: ListKind::Unordered,
                items: vec![vec![text("back to bullets")]],
            },
        ]
    );
    assert_eq!(parse("-not a list"), paragraph(vec![text("-not a list")]));
    assert_eq!(parse("1.5 litres"), paragraph(vec![text("1.5 litres")]));
}

#[test]
fn fenced_code_is_verbatim() {
    assert_eq!(
        parse("before\n```rust\nlet x = **1**;\n<b>\n```\nafter"),
        vec![
            Block::Paragraph(vec![text("before")]),
            Block::CodeBlock {
                language: Some("rust".into()),
                code: "let x = **1**;\n<b>".into(),
            },
            Block::Paragraph(vec![text("after")]),
        ]
    );
    assert_eq!(
        parse("```\nno end"),
        vec![Block::CodeBlock {
            language: None,
            code: "no end".into()
        }]
    );
}

#[test]
fn deep_nesting_is_bounded() {
    let depth = 5000;
    let input = format!("{}x{}", "**".repeat(depth), "**".repeat(depth));
    let blocks = parse(&input);
    assert_eq!(squeeze(&input), squeeze(&content(&blocks)));
    let input = format!(
        "{}x{}",
        "[".repeat(depth),
        "](https://a.example)".repeat(depth)
    );
    parse(&input);
}

/// All text the tree holds, including link targets and code languages, in order.
fn content(blocks: &[Block]) -> String {
    fn inline(nodes: &[Inline], out: &mut String) {
        for node in nodes {
            match node {
                Inline::Text(t) | Inline::Code(t) | Inline::Url(t) => out.push_str(t),
                Inline::Strong(children) | Inline::Emphasis(children) => inline(children, out),
                Inline::Link { href, children } => {
                    inline(children, out);
                    out.push_str(href);
                }
                Inline::LineBreak => out.push('\n'),
            }
        }
    }
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Paragraph(nodes) => inline(nodes, &mut out),
            Block::List { items, .. } => items.iter().for_each(|item| inline(item, &mut out)),
            Block::CodeBlock { language, code } => {
                out.push_str(language.as_deref().unwrap_or_default());
                out.push_str(code);
            }
        }
        out.push('\n');
    }
    out
}

/// Text modulo markup: without whitespace and the characters markup is made of (delimiters,
/// brackets, escapes, list markers and their numbers).
fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| {
            !c.is_whitespace()
                && !c.is_ascii_digit()
                && !matches!(
                    c,
                    '*' | '_' | '`' | '[' | ']' | '(' | ')' | '\\' | '-' | '+' | '.'
                )
        })
        .collect()
}

fn check_nodes(nodes: &[Inline]) -> Result<(), TestCaseError> {
    for node in nodes {
        match node {
            Inline::Text(t) => prop_assert!(!t.is_empty()),
            Inline::Code(t) => prop_assert!(!t.is_empty()),
            Inline::Url(url) => {
                prop_assert!(url.to_ascii_lowercase().starts_with("http"));
                prop_assert!(safe_href(url));
            }
            Inline::Link { href, children } => {
                prop_assert!(safe_href(href));
                prop_assert!(!children.is_empty());
                check_nodes(children)?;
            }
            Inline::Strong(children) | Inline::Emphasis(children) => {
                prop_assert!(!children.is_empty());
                check_nodes(children)?;
            }
            Inline::LineBreak => {}
        }
    }
    Ok(())
}

/// Strings dense in markup, so that the parser's every branch meets odd neighbours.
fn markdownish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("*".to_owned()),
        Just("**".to_owned()),
        Just("_".to_owned()),
        Just("`".to_owned()),
        Just("```".to_owned()),
        Just("[".to_owned()),
        Just("](".to_owned()),
        Just(")".to_owned()),
        Just("\n".to_owned()),
        Just("\n\n".to_owned()),
        Just("- ".to_owned()),
        Just("12. ".to_owned()),
        Just("https://".to_owned()),
        Just("mailto:".to_owned()),
        Just("javascript:".to_owned()),
        Just("\\".to_owned()),
        Just(" ".to_owned()),
        Just("<script>".to_owned()),
        "[a-zé.,!?/]{1,4}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn markup_heavy_input_keeps_its_text_and_only_safe_links(input in markdownish()) {
        let blocks = parse(&input);
        prop_assert_eq!(squeeze(&input), squeeze(&content(&blocks)));
        for block in &blocks {
            match block {
                Block::Paragraph(nodes) => check_nodes(nodes)?,
                Block::List { items, .. } => {
                    for item in items {
                        check_nodes(item)?;
                    }
                }
                Block::CodeBlock { .. } => {}
            }
        }
    }

    #[test]
    fn arbitrary_input_never_panics_and_keeps_its_text(input in any::<String>()) {
        let blocks = parse(&input);
        prop_assert_eq!(squeeze(&input), squeeze(&content(&blocks)));
    }
}
