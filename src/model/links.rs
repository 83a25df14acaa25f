//! Links: keeps the Markdown links that can work in a book and unlinks the others,
//! with a `bad-link` warning at their line.
//!
//! Input: a [`Document`] after the sections pass (heading ids are known). Output: the
//! same document where every [`Inline::Link`] points to a web or mail address or to a
//! heading of the book; a link to anything else — a file, an active URL
//! (`javascript:` …), a `#fragment` that names no heading — is replaced by its text.

use std::collections::BTreeSet;

use super::html::safe_href;
use super::{Block, Document, Inline};
use crate::diag::Diagnostics;

/// Unlinks the links that cannot work; see the module docs.
pub fn apply(doc: &mut Document, diags: &mut Diagnostics) {
    let mut ids = BTreeSet::new();
    super::walk_blocks(&doc.blocks, &mut |b| {
        if let Block::Heading { id, .. } = b {
            ids.insert(id.clone());
        }
    });
    super::for_each_inlines_mut(&mut doc.blocks, &mut |inl| inlines(inl, &ids, diags));
    for n in &mut doc.notes {
        super::for_each_inlines_mut(&mut n.blocks, &mut |inl| inlines(inl, &ids, diags));
    }
}

/// Why a link cannot stay a link, if it cannot.
fn link_problem(url: &str, ids: &BTreeSet<String>) -> Option<String> {
    match url.strip_prefix('#') {
        Some(frag) if ids.contains(frag) => None,
        Some(frag) => Some(format!("no heading has the id `{frag}`")),
        None if safe_href(url) => None,
        None => Some(format!(
            "`{url}` is not a web or mail address; only http:, https:, mailto: and #heading links are kept"
        )),
    }
}

fn inlines(v: &mut Vec<Inline>, ids: &BTreeSet<String>, diags: &mut Diagnostics) {
    let mut out = Vec::with_capacity(v.len());
    for mut i in std::mem::take(v) {
        match &mut i {
            Inline::Link { url, content, span, .. } => {
                inlines(content, ids, diags);
                if let Some(why) = link_problem(url, ids) {
                    diags.warning("bad-link", *span, format!("link removed: {why}"));
                    out.append(content);
                    continue;
                }
            }
            Inline::Emphasis { content, .. }
            | Inline::Strong { content, .. }
            | Inline::Strikethrough { content, .. }
            | Inline::SmallCaps { content, .. } => inlines(content, ids, diags),
            _ => {}
        }
        out.push(i);
    }
    *v = out;
}
