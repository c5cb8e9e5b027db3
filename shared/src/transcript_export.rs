//! The conversation as a file the visitor keeps: plain text, or a small accessible HTML page.
//!
//! Pure formatting, so that it is tested natively: the window gathers the lines (who, when in
//! the visitor's words, what, which files) and the words in the visitor's language, and offers
//! the result as a download. This is the one place Parley writes HTML as a string: every wire
//! string (texts, names, file names, URLs) goes through [`escape_html`], and only `http(s)`
//! links become `href`s, so nothing the agent, the bot or the visitor typed can become markup
//! or script in the saved file.

use std::fmt::Write;

/// Who wrote a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Speaker {
    /// The visitor.
    Visitor,
    /// An agent or a bot, by the name it gave (the window's word for "agent" when none).
    Agent(String),
    /// The conversation itself (joined, ended …).
    System,
}

/// A file in a message, saved as a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLink {
    /// The name to show.
    pub name: String,
    /// Where to download it, if known.
    pub url: Option<String>,
}

/// One line of the saved transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportLine {
    /// Who wrote it.
    pub speaker: Speaker,
    /// When, already in the visitor's locale ("" when unknown).
    pub when: String,
    /// The text (wire text: escaped in HTML).
    pub text: String,
    /// Files sent with it.
    pub files: Vec<FileLink>,
}

/// The words of the file, in the visitor's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportWords {
    /// The document's title (e.g. "Chat transcript").
    pub title: String,
    /// The visitor's name in the transcript (e.g. "You").
    pub visitor: String,
    /// The name of the conversation's own notices (e.g. "Chat").
    pub system: String,
    /// The language tag for `<html lang>`.
    pub lang: String,
}

fn speaker_name<'a>(speaker: &'a Speaker, words: &'a ExportWords) -> &'a str {
    match speaker {
        Speaker::Visitor => &words.visitor,
        Speaker::Agent(name) => name,
        Speaker::System => &words.system,
    }
}

/// The transcript as plain text: a title line, then one block per message
/// (`[when] who: text`, continuation lines indented, files as `name <url>`).
pub fn to_text(lines: &[ExportLine], words: &ExportWords) -> String {
    let mut out = format!("{}\n\n", words.title);
    for line in lines {
        let who = speaker_name(&line.speaker, words);
        if line.when.is_empty() {
            let _ = write!(out, "{who}:");
        } else {
            let _ = write!(out, "[{}] {who}:", line.when);
        }
        for (i, part) in line.text.lines().enumerate() {
            out.push_str(if i == 0 { " " } else { "\n    " });
            out.push_str(part);
        }
        for file in &line.files {
            match &file.url {
                Some(url) => {
                    let _ = write!(out, "\n    {} <{url}>", file.name);
                }
                None => {
                    let _ = write!(out, "\n    {}", file.name);
                }
            }
        }
        out.push('\n');
    }
    out
}

/// The transcript as a standalone HTML page: a heading and an ordered list of messages, each
/// with its author, a `<time>` and its text (line breaks kept by CSS), files as links.
pub fn to_html(lines: &[ExportLine], words: &ExportWords) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:40rem;\
         margin:2rem auto;padding:0 1rem}}ol{{list-style:none;padding:0}}li{{margin:0 0 1rem}}\
         .text{{white-space:pre-wrap;margin:.25rem 0}}time{{color:#555}}</style>\n</head>\n\
         <body>\n<main>\n<h1>{}</h1>\n<ol>\n",
        escape_html(&words.lang),
        escape_html(&words.title),
        escape_html(&words.title),
    );
    for line in lines {
        let _ = write!(
            out,
            "<li><strong>{}</strong>",
            escape_html(speaker_name(&line.speaker, words))
        );
        if !line.when.is_empty() {
            let _ = write!(out, " <time>{}</time>", escape_html(&line.when));
        }
        if !line.text.is_empty() {
            let _ = write!(out, "<p class=\"text\">{}</p>", escape_html(&line.text));
        }
        for file in &line.files {
            match file.url.as_deref().filter(|url| is_web_url(url)) {
                Some(url) => {
                    let _ = write!(
                        out,
                        "<p><a href=\"{}\">{}</a></p>",
                        escape_html(url),
                        escape_html(&file.name)
                    );
                }
                None => {
                    let _ = write!(out, "<p>{}</p>", escape_html(&file.name));
                }
            }
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n</main>\n</body>\n</html>\n");
    out
}

/// Only web links become `href`s (no `javascript:`, no `data:`).
fn is_web_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// `text` safe inside HTML text and double-quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> ExportWords {
        ExportWords {
            title: "Chat transcript".into(),
            visitor: "You".into(),
            system: "Chat".into(),
            lang: "en".into(),
        }
    }

    fn line(speaker: Speaker, when: &str, text: &str) -> ExportLine {
        ExportLine {
            speaker,
            when: when.into(),
            text: text.into(),
            files: vec![],
        }
    }

    #[test]
    fn text_has_every_message_with_author_and_time_in_order() {
        let lines = [
            line(Speaker::Visitor, "10:01", "hello"),
            line(
                Speaker::Agent("Ana".into()),
                "10:02",
                "Hi!\nHow can I help?",
            ),
            line(Speaker::System, "", "The conversation ended."),
        ];
        assert_eq!(
            to_text(&lines, &words()),
            "Chat transcript\n\n[10:01] You: hello\n[10:02] Ana: Hi!\n    How can I help?\n\
             Chat: The conversation ended.\n"
        );
    }

    #[test]
    fn text_lists_files_with_their_links() {
        let mut message = line(Speaker::Visitor, "9:00", "");
        message.files = vec![
            FileLink {
                name: "a.pdf".into(),
                url: Some("https://files.example/a.pdf".into()),
            },
            FileLink {
                name: "b.png".into(),
                url: None,
            },
        ];
        assert_eq!(
            to_text(&[message], &words()),
            "Chat transcript\n\n[9:00] You:\n    a.pdf <https://files.example/a.pdf>\n    b.png\n"
        );
    }

    #[test]
    fn html_escapes_every_wire_string() {
        let mut message = line(
            Speaker::Agent("<b>Eve</b>".into()),
            "<i>now</i>",
            "<script>alert(1)</script> & \"quotes\"",
        );
        message.files = vec![FileLink {
            name: "<img src=x onerror=alert(1)>".into(),
            url: Some("https://x.example/?a=\"><script>".into()),
        }];
        let html = to_html(&[message], &words());
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<b>") && !html.contains("<i>") && !html.contains("<img"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;"));
        assert!(html.contains("<strong>&lt;b&gt;Eve&lt;/b&gt;</strong>"));
        assert!(html.contains("href=\"https://x.example/?a=&quot;&gt;&lt;script&gt;\""));
    }

    #[test]
    fn html_links_only_web_urls() {
        let mut message = line(Speaker::Agent("Ana".into()), "", "");
        message.files = vec![
            FileLink {
                name: "evil".into(),
                url: Some("javascript:alert(1)".into()),
            },
            FileLink {
                name: "good".into(),
                url: Some("https://files.example/good".into()),
            },
        ];
        let html = to_html(&[message], &words());
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("<p>evil</p>"));
        assert!(html.contains("<a href=\"https://files.example/good\">good</a>"));
    }

    #[test]
    fn html_is_a_titled_document_in_the_visitors_language() {
        let mut words = words();
        words.lang = "de".into();
        words.title = "Chatverlauf".into();
        let html = to_html(&[line(Speaker::Visitor, "10:01", "hallo")], &words);
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"de\">"));
        assert!(html.contains("<title>Chatverlauf</title>"));
        assert!(html.contains("<h1>Chatverlauf</h1>"));
        assert!(html.contains(
            "<li><strong>You</strong> <time>10:01</time><p class=\"text\">hallo</p></li>"
        ));
    }
}
