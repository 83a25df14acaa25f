//! quire: one Markdown manuscript in; an EPUB 3 e-reader edition, a print-ready PDF
//! pamphlet (and the same pamphlet imposed for saddle stitching) and a plain-text
//! edition out, all set with the same typographic decisions.
//!
//! ```text
//! manuscript/NAME.md ─► manuscript::parse ─► model passes ─► Document ─┬─► backend::epub ─► .epub
//!                                                                      ├─► backend::text ─► .txt
//!                                                                      └─► layout ─► pages ─► backend::pdf ─► .pdf
//! ```
//!
//! Only [`cli`] touches the file system; everything else is a pure function from
//! text to text or bytes.

pub mod backend;
pub mod cli;
pub mod diag;
pub mod font_files;
pub mod layout;
pub mod lint;
pub mod manuscript;
pub mod memo;
pub mod model;
pub mod print;
pub mod resources;
pub mod typeface;

use diag::{Diagnostics, Severity, Source};
use model::Document;

/// Reads a manuscript and runs the model passes: the document every backend takes,
/// and the diagnostics (warnings the manuscript allows with `check: {allow: […]}` are
/// dropped; errors cannot be allowed).
pub fn load(src: &Source) -> (Document, Diagnostics) {
    let (mut doc, mut diags) = manuscript::parse(src);
    model::run_passes(&mut doc, &mut diags);
    // Only now, raw HTML turned into text or dropped, is it known whether there is
    // any text at all.
    if doc.blocks.is_empty() && !diags.has_errors() {
        let at = doc.meta.span.end;
        diags.warning(
            "empty-body",
            diag::Span::new(at, at),
            "the manuscript has front matter but no text",
        );
    }
    resources::collect(&doc, &mut diags);
    print::check_settings(&src.text, &doc.meta, &mut diags);
    allow(&doc, &mut diags);
    (doc, diags)
}

/// Drops the warnings whose codes the manuscript allows (`check: {allow: […]}`);
/// errors cannot be allowed.
pub fn allow(doc: &Document, diags: &mut Diagnostics) {
    let allow = &doc.meta.check.allow;
    diags.retain(|d| d.severity == Severity::Error || !allow.iter().any(|a| a == d.code));
}
