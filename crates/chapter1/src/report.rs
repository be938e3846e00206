//! One structured description of a run's report, rendered to REPORT.md and to the HTML pages.
//!
//! Nothing is parsed back from text: each renderer walks the same blocks and escapes every text
//! for the format it lands in (Markdown's syntax characters with a backslash; HTML by maud). A
//! picture is one of the files this run writes ([`Picture`]), named by the program, never a path
//! taken from text, so a page embeds only pictures of the run's own folder.

use std::path::Path;

use anyhow::{Context, Result};
use maud::{Markup, html};

use crate::text::markdown_text;

/// A piece of running text.
#[derive(Debug, Clone)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// Emphasised text (a result).
    Bold(String),
    /// Code or a command.
    Code(String),
}

/// Plain text.
pub fn text(s: impl Into<String>) -> Inline {
    Inline::Text(s.into())
}

/// Emphasised text.
pub fn bold(s: impl Into<String>) -> Inline {
    Inline::Bold(s.into())
}

/// Code.
pub fn code(s: impl Into<String>) -> Inline {
    Inline::Code(s.into())
}

/// A picture a run writes into its folder: the only pictures a report can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Picture {
    /// `spiral.png`.
    Data,
    /// `data.png` (your own points).
    OwnData,
    /// `loss.png`.
    CustomLoss,
    /// `decision_boundary.png`.
    Boundary,
    /// `trainer_loss.png`.
    TrainerLoss,
    /// `training.gif` (the pages show its frames instead).
    TrainingGif,
    /// `hidden_units.png`.
    HiddenUnits,
    /// `compare_loss.png`.
    CompareLoss,
    /// `compare_boundaries.png`.
    CompareBoundaries,
}

impl Picture {
    /// The file's name in the run's folder.
    pub fn file(self) -> &'static str {
        match self {
            Picture::Data => crate::files::SPIRAL_PNG,
            Picture::OwnData => crate::files::DATA_PNG,
            Picture::CustomLoss => crate::files::LOSS_PNG,
            Picture::Boundary => crate::files::DECISION_BOUNDARY_PNG,
            Picture::TrainerLoss => crate::files::TRAINER_LOSS_PNG,
            Picture::TrainingGif => crate::files::TRAINING_GIF,
            Picture::HiddenUnits => crate::files::HIDDEN_UNITS_PNG,
            Picture::CompareLoss => crate::files::COMPARE_LOSS_PNG,
            Picture::CompareBoundaries => crate::files::COMPARE_BOUNDARIES_PNG,
        }
    }
}

/// A block of the report.
#[derive(Debug, Clone)]
pub enum Block {
    /// The title.
    Title(String),
    /// A section heading.
    Heading(String),
    /// A paragraph.
    Para(Vec<Inline>),
    /// A table: header cells, then rows.
    Table(Vec<String>, Vec<Vec<String>>),
    /// A picture of this run, with its description.
    Picture(Picture, String),
    /// Blocks only REPORT.md shows: the page shows the same live (the animation and its hidden
    /// units are the page's frames section).
    MarkdownOnly(Vec<Block>),
}

/// A report: blocks in order.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The blocks.
    pub blocks: Vec<Block>,
}

impl Report {
    /// Adds a block.
    pub fn push(&mut self, b: Block) {
        self.blocks.push(b);
    }

    /// The report as Markdown (REPORT.md).
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        markdown_blocks(&self.blocks, &mut out);
        out
    }

    /// The report as HTML, its pictures embedded from `dir` (the run's folder): the title with
    /// what precedes the first section, then the sections (the page puts its frames section
    /// between them). Blocks for Markdown only are left out.
    pub fn html(&self, dir: &Path) -> Result<(Markup, Markup)> {
        let mut head = Vec::new();
        let mut blocks = Vec::new();
        for b in &self.blocks {
            let into_head = blocks.is_empty() && !matches!(b, Block::Heading(_));
            let markup = match b {
                Block::Title(t) => html! { h1 { (shown(t)) } },
                Block::Heading(t) => html! { h2 { (shown(t)) } },
                Block::Para(parts) => html! { p { @for p in parts { (inline_html(p)) } } },
                Block::Table(header, rows) => html! {
                    table {
                        tr { @for h in header { th { (shown(h)) } } }
                        @for r in rows { tr { @for c in r { td { (shown(c)) } } } }
                    }
                },
                Block::MarkdownOnly(_) | Block::Picture(Picture::TrainingGif, _) => continue,
                Block::Picture(p, alt) => {
                    let path = dir.join(p.file());
                    let bytes = std::fs::read(&path)
                        .with_context(|| format!("report.html: cannot read {}", p.file()))?;
                    html! { p { img alt=(alt) src=(data_uri("image/png", &bytes)); } }
                }
            };
            if into_head {
                head.push(markup);
            } else {
                blocks.push(markup);
            }
        }
        Ok((
            html! { @for b in head { (b) } },
            html! { @for b in blocks { (b) } },
        ))
    }
}

fn markdown_blocks(blocks: &[Block], out: &mut String) {
    for b in blocks {
        match b {
            Block::Title(t) => out.push_str(&format!("# {}\n\n", markdown_text(t))),
            Block::Heading(t) => out.push_str(&format!("## {}\n\n", markdown_text(t))),
            Block::Para(parts) => {
                for p in parts {
                    out.push_str(&inline_markdown(p));
                }
                out.push_str("\n\n");
            }
            Block::Table(head, rows) => {
                out.push_str(&row_markdown(head));
                out.push_str(&format!("|{}\n", "---|".repeat(head.len())));
                for r in rows {
                    out.push_str(&row_markdown(r));
                }
                out.push('\n');
            }
            Block::Picture(p, alt) => {
                out.push_str(&format!("![{}]({})\n\n", markdown_text(alt), p.file()));
            }
            Block::MarkdownOnly(inner) => markdown_blocks(inner, out),
        }
    }
}

fn inline_markdown(p: &Inline) -> String {
    match p {
        Inline::Text(t) => markdown_text(t),
        Inline::Bold(t) => format!("**{}**", markdown_text(t)),
        // A code span cannot escape a backtick inside it: such text is shown as plain text.
        Inline::Code(t) if t.contains('`') || t.contains('\n') => markdown_text(t),
        Inline::Code(t) => format!("`{}`", crate::text::clean(t, false)),
    }
}

fn inline_html(p: &Inline) -> Markup {
    match p {
        Inline::Text(t) => html! { (shown(t)) },
        Inline::Bold(t) => html! { b { (shown(t)) } },
        Inline::Code(t) => html! { code { (shown(t)) } },
    }
}

/// Text for HTML: maud escapes the markup characters; control characters (which HTML text may
/// not hold) are shown escaped, as on the terminal.
fn shown(t: &str) -> String {
    crate::text::clean(t, false)
}

fn row_markdown(cells: &[String]) -> String {
    let mut s = String::from("|");
    for c in cells {
        s.push(' ');
        s.push_str(&markdown_text(c));
        s.push_str(" |");
    }
    s.push('\n');
    s
}

/// `data:<mime>;base64,<bytes>`.
pub fn data_uri(mime: &str, bytes: &[u8]) -> String {
    use base64::Engine as _;
    format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hostile() -> Report {
        let evil = "x\n![x](/proc/self/environ)\n<img src=/etc/passwd>\u{1b}[2J | `a` **b**";
        Report {
            blocks: vec![
                Block::Title(evil.into()),
                Block::Para(vec![text(evil), bold(evil), code(evil)]),
                Block::Table(vec!["data".into()], vec![vec![evil.into()]]),
            ],
        }
    }

    #[test]
    fn user_text_cannot_become_markdown_syntax() {
        let md = hostile().markdown();
        // Every `[` and `<` of the text is escaped, so no link, picture or tag can open.
        for c in ['[', '<'] {
            let bare = md.match_indices(c).any(|(i, _)| !md[..i].ends_with('\\'));
            assert!(!bare, "an unescaped {c}: {md}");
        }
        // One title line, one paragraph line, three table lines: no injected line breaks.
        assert_eq!(md.lines().filter(|l| !l.is_empty()).count(), 5, "{md}");
    }

    #[test]
    fn user_text_is_escaped_in_html_and_no_path_is_read() {
        let (title, body) = hostile().html(Path::new("/nonexistent")).unwrap();
        let html = title.into_string() + &body.into_string();
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;img"), "{html}");
        assert!(!html.contains('\n') && !html.contains('\u{1b}'), "{html}");
    }

    #[test]
    fn pictures_are_read_from_the_runs_folder_by_their_own_name() {
        let dir = std::env::temp_dir().join(format!("dlfs2-report-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(crate::files::SPIRAL_PNG), b"PNGDATA").unwrap();
        let r = Report {
            blocks: vec![Block::Picture(Picture::Data, "the data".into())],
        };
        let (head, body) = r.html(&dir).unwrap();
        let html = head.into_string() + &body.into_string();
        assert!(
            html.contains("data:image/png;base64,UE5HREFUQQ=="),
            "{html}"
        );
        assert_eq!(r.markdown(), "![the data](spiral.png)\n\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
