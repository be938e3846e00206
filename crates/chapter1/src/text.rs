//! User-given text made safe for where it lands: a terminal line ([`clean`], [`shown`]) or a
//! Markdown file ([`markdown_text`]). HTML is escaped by the page builder (maud).

/// Whether `c` must not reach a terminal raw: control characters, and the formatting characters
/// that reorder or hide text (bidirectional overrides, zero-width marks).
fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character escaped (`\u{1b}`), line breaks kept when `lines`.
pub fn clean(text: &str, lines: bool) -> String {
    if !text.chars().any(unsafe_char) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if unsafe_char(c) && !(lines && c == '\n') {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Longest user-given value a message shows whole.
pub const SHOWN_MAX: usize = 160;

/// A user-given value (a path, a flag's value) as a message shows it: unsafe characters and
/// line breaks escaped, non-UTF-8 bytes replaced, and cut in the middle past [`SHOWN_MAX`]
/// characters.
pub fn shown(value: impl AsRef<std::ffi::OsStr>) -> String {
    cut(&clean(&value.as_ref().to_string_lossy(), false), SHOWN_MAX)
}

/// `text` cut in the middle (`head...tail`) when it has more than `max` characters.
pub fn cut(text: &str, max: usize) -> String {
    let n = text.chars().count();
    if n <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max / 2).collect();
    let tail: String = text.chars().skip(n - max / 2).collect();
    format!("{head}...{tail}")
}

/// Text for a Markdown file: every character Markdown or HTML would read as syntax escaped with
/// a backslash (a leading `#`, `+`, `-` or `=` too), and line breaks (which could start a
/// heading or a picture) shown escaped, so the text stays inside its block.
pub fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in clean(text, false).chars().enumerate() {
        let syntax = matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '~'
        ) || (i == 0 && matches!(c, '#' | '+' | '-' | '='));
        if syntax {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_text_is_cleaned_and_values_cut() {
        assert_eq!(clean("a\u{1b}[2Jb\nc", true), "a\\u{1b}[2Jb\nc");
        assert_eq!(clean("a\nb\u{202e}", false), "a\\nb\\u{202e}");
        let long = "x".repeat(10_000);
        assert!(shown(&long).len() < SHOWN_MAX + 10);
        assert_eq!(shown("plain/path"), "plain/path");
    }

    #[test]
    fn markdown_text_cannot_open_a_picture_heading_or_tag() {
        let m = markdown_text("a\n![x](/proc/self/environ)<img src=x>\n# h");
        for c in ['[', '<'] {
            let bare = m.match_indices(c).any(|(i, _)| !m[..i].ends_with('\\'));
            assert!(!bare, "an unescaped {c}: {m}");
        }
        assert!(!m.contains('\n'), "{m}");
    }
}
