//! Reading a manuscript: front matter and Markdown body → a raw [`Document`].
//!
//! Input: a [`Source`] (the CLI reads the file). Output: the document with every node
//! spanned, and diagnostics. The model passes are not run here (see
//! [`crate::model::run_passes`]); this module never touches the file system.

pub mod convert;
pub mod front_matter;

use crate::diag::{Diagnostics, Source, Span};
use crate::model::{Block, Document};

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
    let (meta, body_start) = front_matter::read(&src.text, &mut diags);
    let body = &src.text[body_start.min(src.text.len())..];
    let conv = convert::convert(body, body_start, &mut diags);
    if conv.blocks.iter().all(|b| matches!(b, Block::Html { .. })) && !diags.has_errors()
    {
        diags.warning(
            "empty-body",
            Span::new(body_start, body_start),
            "the manuscript has front matter but no text",
        );
    }
    let doc =
        Document { meta, blocks: conv.blocks, notes: conv.notes, chapters: Vec::new() };
    (doc, diags)
}
