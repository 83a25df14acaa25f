//! Sections: heading ids, chapters, and first-line indents.
//!
//! Input: a raw [`Document`]. Output: every heading with a unique id (its `{#id}` or
//! a slug of its text), [`Document::chapters`] split at level-1 headings (text before
//! the first `#` is a chapter without a heading; a manuscript with no `#` is a single
//! article, one chapter), and each paragraph's `indent` decided once: indented only
//! when it follows another paragraph, as in book typography (Bringhurst 2.3.2: no
//! indent after headings, breaks or set-off material).

use std::collections::BTreeSet;

use super::{Block, Chapter, Document, plain_text};

/// Resolves ids, chapters and indents; see the module docs.
pub fn resolve(doc: &mut Document) {
    assign_ids(&mut doc.blocks);
    doc.chapters = chapters(&doc.blocks);
    set_indents(&mut doc.blocks);
    for n in &mut doc.notes {
        set_indents(&mut n.blocks);
    }
}

fn chapters(blocks: &[Block]) -> Vec<Chapter> {
    let mut out: Vec<Chapter> = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        let opens = matches!(b, Block::Heading { level: 1, .. });
        if opens || out.is_empty() {
            if let Some(last) = out.last_mut() {
                last.end = i;
            }
            out.push(Chapter { start: i, end: blocks.len(), has_heading: opens });
        }
    }
    if out.is_empty() {
        out.push(Chapter { start: 0, end: 0, has_heading: false });
    }
    out
}

/// A slug usable as an XML id (XML 1.0 Name): letters and digits kept (any script),
/// lower-cased, runs of anything else folded to one `-`; a leading digit gets `h-`.
pub fn slug(text: &str) -> String {
    let mut s = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            s.extend(c.to_lowercase());
        } else if !s.is_empty() && !s.ends_with('-') {
            s.push('-');
        }
    }
    let s = s.trim_end_matches('-').to_string();
    match s.chars().next() {
        None => "section".to_string(),
        Some(c) if c.is_ascii_digit() => format!("h-{s}"),
        _ => s,
    }
}

fn assign_ids(blocks: &mut [Block]) {
    // Explicit ids are taken first so that derived ones never steal them.
    let mut taken = BTreeSet::new();
    super::walk_blocks(blocks, &mut |b| {
        if let Block::Heading { id, .. } = b
            && !id.is_empty()
        {
            taken.insert(id.clone());
        }
    });
    let mut seen_explicit = BTreeSet::new();
    for_each_heading_mut(blocks, &mut |id, content| {
        if !id.is_empty() && seen_explicit.insert(id.clone()) {
            return;
        }
        // A derived id, or an explicit one used twice: make it unique.
        let base = if id.is_empty() { slug(&plain_text(content)) } else { id.clone() };
        let mut candidate = base.clone();
        let mut n = 2;
        while taken.contains(&candidate) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        taken.insert(candidate.clone());
        *id = candidate;
    });
}

fn for_each_heading_mut(
    blocks: &mut [Block],
    f: &mut impl FnMut(&mut String, &[super::Inline]),
) {
    for b in blocks {
        match b {
            Block::Heading { id, content, .. } => f(id, content),
            Block::BlockQuote { blocks, .. } | Block::Div { blocks, .. } => {
                for_each_heading_mut(blocks, f)
            }
            Block::List { items, .. } => {
                items.iter_mut().for_each(|it| for_each_heading_mut(it, f))
            }
            _ => {}
        }
    }
}

fn set_indents(blocks: &mut [Block]) {
    let mut prev_is_para = false;
    for b in blocks {
        match b {
            Block::Paragraph { indent, .. } => {
                *indent = prev_is_para;
                prev_is_para = true;
                continue;
            }
            Block::BlockQuote { blocks, .. } | Block::Div { blocks, .. } => {
                set_indents(blocks)
            }
            Block::List { items, .. } => items.iter_mut().for_each(|it| set_indents(it)),
            // A figure floats in print, so the text around it is one flow: the
            // paragraph after it is indented as if the figure were not there.
            Block::Figure { .. } => continue,
            _ => {}
        }
        prev_is_para = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("The Commune came too late!"), "the-commune-came-too-late");
        assert_eq!(slug("1871: Paris"), "h-1871-paris");
        assert_eq!(slug("Парижская коммуна"), "парижская-коммуна");
        assert_eq!(slug("***"), "section");
    }
}

#[cfg(test)]
mod pass_tests {
    use crate::diag::Source;
    use crate::model::{Block, Chapter};

    fn doc(md: &str) -> crate::model::Document {
        let (mut d, _) = crate::manuscript::parse(&Source::new(
            "s.md",
            format!("---\ntitle: T\n---\n{md}"),
        ));
        super::resolve(&mut d);
        d
    }

    #[test]
    fn chapters_split_at_level_one_headings() {
        let d = doc("Intro.\n\n# One\n\nA.\n\n## Sub\n\n# Two\n\nB.\n");
        assert_eq!(
            d.chapters,
            [
                Chapter { start: 0, end: 1, has_heading: false },
                Chapter { start: 1, end: 4, has_heading: true },
                Chapter { start: 4, end: 6, has_heading: true },
            ]
        );
        let single = doc("Just an article.\n\n* * *\n\nMore.\n");
        assert_eq!(single.chapters.len(), 1);
    }

    #[test]
    fn ids_are_unique_and_explicit_ones_win() {
        let d = doc("# Same\n\n# Same\n\n# Other {#same}\n");
        let ids: Vec<&str> = d
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { id, .. } => Some(id.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(ids, ["same-2", "same-3", "same"]);
    }

    #[test]
    fn indents_only_after_paragraphs() {
        let d = doc("# H\n\nA.\n\nB.\n\n* * *\n\nC.\n\n> D.\n\nE.\n");
        let indents: Vec<bool> = d
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Paragraph { indent, .. } => Some(*indent),
                _ => None,
            })
            .collect();
        assert_eq!(indents, [false, true, false, false]);
    }
}
