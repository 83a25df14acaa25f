//! Reading a manuscript: front matter and Markdown body → a raw [`Document`].
//!
//! Input: a [`Source`] (the CLI reads the file). Output: the document with every node
//! spanned, and diagnostics. The model passes are not run here (see
//! [`crate::model::run_passes`]); this module never touches the file system.

pub mod convert;
pub mod front_matter;

use crate::diag::{Diagnostics, Source, Span};
use crate::model::{Block, Document};

/// A plain Markdown file, with no front matter, builds with documented defaults: the
/// title is the text of its first `#` heading, else the file's name without its
/// extension; the language English. One warning says so.
fn plain_markdown_defaults(
    src: &Source,
    blocks: &[Block],
    meta: &mut crate::model::Metadata,
    diags: &mut Diagnostics,
) {
    let heading = blocks.iter().find_map(|b| match b {
        Block::Heading { level: 1, content, .. } => {
            Some(crate::model::plain_text(content).trim().to_string())
        }
        _ => None,
    });
    let stem = std::path::Path::new(&src.name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| src.name.clone());
    let (title, from) = match heading.filter(|h| !h.is_empty()) {
        Some(h) => (h, "its first heading"),
        None => (stem, "the file's name"),
    };
    diags.push(
        crate::diag::Diagnostic::warning(
            "no-front-matter",
            Span::new(0, 0),
            format!(
                "no front matter: the title is `{title}` (from {from}) and the language English"
            ),
        )
        .with_hint("start the file with `---`, `title: …`, `lang: …`, `---` to set them"),
    );
    meta.title = title;
    front_matter::finish_defaults(meta);
}

/// Reads front matter and body. An empty manuscript is an error; the document is
/// returned anyway so that callers can still run `check`-style passes.
pub fn parse(src: &Source) -> (Document, Diagnostics) {
    let mut diags = Diagnostics::new();
    if src.text.trim().is_empty() {
        diags.error("empty-manuscript", Span::new(0, 0), "the manuscript is empty");
        let doc = Document {
            meta: Default::default(),
            blocks: Vec::new(),
            notes: Vec::new(),
            chapters: Vec::new(),
        };
        return (doc, diags);
    }
    let (mut meta, body_start) = front_matter::read(&src.text, &mut diags);
    let body = &src.text[body_start.min(src.text.len())..];
    let conv = convert::convert(body, body_start, &mut diags);
    if body_start == 0 && meta.span == Span::default() {
        plain_markdown_defaults(src, &conv.blocks, &mut meta, &mut diags);
    }
    let doc =
        Document { meta, blocks: conv.blocks, notes: conv.notes, chapters: Vec::new() };
    (doc, diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn title(name: &str, text: &str) -> (String, Vec<&'static str>) {
        let (doc, diags) = parse(&Source::new(name, text));
        (doc.meta.title, diags.iter().map(|d| d.code).collect())
    }

    #[test]
    fn a_plain_markdown_file_builds_with_defaults_and_one_warning() {
        assert_eq!(
            title("notes/essay.md", "Some text.\n\n# The Heading\n\nMore.\n"),
            ("The Heading".to_string(), vec!["no-front-matter"])
        );
        assert_eq!(
            title("notes/essay.md", "Just text.\n"),
            ("essay".to_string(), vec!["no-front-matter"])
        );
    }
}
