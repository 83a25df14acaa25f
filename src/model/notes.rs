//! Notes: matches references to definitions and numbers them.
//!
//! Input: a [`Document`] with raw note definitions (in definition order) and
//! [`Inline::NoteRef`]s carrying labels; its chapters already resolved. Output: notes
//! numbered 1, 2, 3 … by first reference in reading order — whatever the labels and
//! wherever the definitions stand — with a second reference to a note reusing its
//! number; `Document::notes` holding exactly the referenced notes in number order,
//! each with the chapter of its first reference. Notes referenced only from other
//! notes are numbered after the body's, in the order those notes are reached.
//!
//! Diagnostics: a reference with no definition (error), a label defined twice
//! (error), a definition never referenced (warning).

use std::collections::BTreeMap;

use super::{Block, Document, Inline};
use crate::diag::{Diagnostic, Diagnostics};

/// How GFM matches labels: case-insensitively, with runs of white space folded
/// (CommonMark 0.31 §4.7, "link label" matching).
pub fn label_key(label: &str) -> String {
    label.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Numbers the notes; see the module docs.
pub fn resolve(doc: &mut Document, diags: &mut Diagnostics) {
    // Label → index of its (first) definition.
    let mut defs: BTreeMap<String, usize> = BTreeMap::new();
    for (i, n) in doc.notes.iter().enumerate() {
        let key = label_key(&n.label);
        if let Some(&first) = defs.get(&key) {
            let first_span = doc.notes[first].span;
            diags.push(
                Diagnostic::error(
                    "duplicate-note",
                    n.span,
                    format!("note [^{}] is defined more than once", n.label),
                )
                .with_hint(format!(
                    "the first definition starts at byte {}; rename or remove one",
                    first_span.start
                )),
            );
        } else {
            defs.insert(key, i);
        }
    }

    // Which chapter each top-level block belongs to.
    let mut chapter_of = vec![0; doc.blocks.len()];
    for (c, ch) in doc.chapters.iter().enumerate() {
        chapter_of[ch.start..ch.end].iter_mut().for_each(|x| *x = c);
    }

    let mut numbering =
        Numbering { defs: &defs, order: Vec::new(), number_of: vec![0; doc.notes.len()] };
    let mut chapters = vec![0usize; doc.notes.len()];
    for (b, block) in doc.blocks.iter_mut().enumerate() {
        let chapter = chapter_of[b];
        let before = numbering.order.len();
        numbering.blocks(std::slice::from_mut(block), diags);
        for &def in &numbering.order[before..] {
            chapters[def] = chapter;
        }
    }
    // Notes referenced from notes: walk the numbered notes in order; the list grows
    // as new ones are reached.
    let mut k = 0;
    while k < numbering.order.len() {
        let def = numbering.order[k];
        let chapter = chapters[def];
        let before = numbering.order.len();
        let mut blocks = std::mem::take(&mut doc.notes[def].blocks);
        numbering.blocks(&mut blocks, diags);
        doc.notes[def].blocks = blocks;
        for &d in &numbering.order[before..] {
            chapters[d] = chapter;
        }
        k += 1;
    }

    for (i, n) in doc.notes.iter().enumerate() {
        let is_first_def = defs.get(&label_key(&n.label)) == Some(&i);
        if is_first_def && numbering.number_of[i] == 0 {
            diags.warning(
                "unused-note",
                n.span,
                format!("note [^{}] is defined but never referenced", n.label),
            );
        }
    }

    let mut notes = std::mem::take(&mut doc.notes);
    doc.notes = numbering
        .order
        .iter()
        .map(|&def| {
            let mut n = std::mem::replace(&mut notes[def], placeholder());
            n.number = numbering.number_of[def];
            n.chapter = chapters[def];
            n
        })
        .collect();
}

fn placeholder() -> super::Note {
    super::Note {
        label: String::new(),
        number: 0,
        chapter: 0,
        blocks: Vec::new(),
        span: Default::default(),
    }
}

struct Numbering<'a> {
    defs: &'a BTreeMap<String, usize>,
    /// Definition indices in number order.
    order: Vec<usize>,
    /// Number of each definition (0 = unreferenced).
    number_of: Vec<u32>,
}

impl Numbering<'_> {
    fn blocks(&mut self, blocks: &mut [Block], diags: &mut Diagnostics) {
        super::for_each_inlines_mut(blocks, &mut |inl| self.inlines(inl, diags));
    }

    fn inlines(&mut self, inlines: &mut [Inline], diags: &mut Diagnostics) {
        for i in inlines {
            match i {
                Inline::NoteRef { label, number, first, span } => {
                    let Some(&def) = self.defs.get(&label_key(label)) else {
                        *number = 0;
                        *first = false;
                        diags.push(
                            Diagnostic::error(
                                "undefined-note",
                                *span,
                                format!("note reference [^{label}] has no definition"),
                            )
                            .with_hint(format!(
                                "add a line `[^{label}]: text of the note`"
                            )),
                        );
                        continue;
                    };
                    *first = self.number_of[def] == 0;
                    if *first {
                        self.order.push(def);
                        self.number_of[def] = self.order.len() as u32;
                    }
                    *number = self.number_of[def];
                }
                Inline::Emphasis { content, .. }
                | Inline::Strong { content, .. }
                | Inline::Strikethrough { content, .. }
                | Inline::SmallCaps { content, .. }
                | Inline::Lang { content, .. }
                | Inline::Anchor { content, .. }
                | Inline::Link { content, .. } => self.inlines(content, diags),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::diag::{Diagnostics, Source};
    use crate::model::{Inline, walk_blocks};

    fn numbers(md: &str) -> (Vec<u32>, Vec<(String, usize)>, Diagnostics) {
        let src = Source::new("n.md", format!("---\ntitle: T\n---\n{md}"));
        let (mut doc, mut diags) = crate::manuscript::parse(&src);
        crate::model::sections::resolve(&mut doc);
        super::resolve(&mut doc, &mut diags);
        let mut refs = Vec::new();
        walk_blocks(&doc.blocks, &mut |b| {
            if let crate::model::Block::Paragraph { content, .. } = b {
                for i in content {
                    if let Inline::NoteRef { number, .. } = i {
                        refs.push(*number);
                    }
                }
            }
        });
        let notes = doc.notes.iter().map(|n| (n.label.clone(), n.chapter)).collect();
        (refs, notes, diags)
    }

    #[test]
    fn numbers_by_first_reference_not_by_label_or_definition() {
        let (refs, notes, d) = numbers("a[^z] b[^1] c[^z]\n\n[^1]: one\n[^z]: zed\n");
        assert!(d.is_empty());
        assert_eq!(refs, [1, 2, 1]);
        assert_eq!(notes, [("z".to_string(), 0), ("1".to_string(), 0)]);
    }

    #[test]
    fn notes_belong_to_the_chapter_of_their_first_reference() {
        let (_, notes, _) =
            numbers("# A\n\nx[^a]\n\n# B\n\ny[^b] z[^a]\n\n[^a]: A\n[^b]: B\n");
        assert_eq!(notes, [("a".to_string(), 0), ("b".to_string(), 1)]);
    }

    #[test]
    fn labels_match_case_insensitively_and_unused_ones_warn() {
        let (refs, notes, d) = numbers("x[^Note]\n\n[^note]: n\n[^spare]: s\n");
        assert_eq!(refs, [1]);
        assert_eq!(notes.len(), 1);
        assert_eq!(d.iter().map(|d| d.code).collect::<Vec<_>>(), ["unused-note"]);
    }
}
