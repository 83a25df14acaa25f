//! The vertical list → pages (the page builder; cf. TeX §980–1028, simplified).
//!
//! Each page is filled greedily; at every place a break is allowed the builder keeps a
//! snapshot, and when the next item does not fit the page ends at the last snapshot —
//! so widows, orphans and stranded headings are avoided by leaving a page a line short
//! (Linotype: "perfectly permissible"), never by spacing. Footnotes go to the foot of
//! the page holding their reference, under a short rule; a note too long for the room
//! left starts there and continues at the foot of the next page, before that page's
//! own notes. A line whose notes cannot at least begin on its page moves to the next.

use super::galley::{Galley, VItem, VKind};
use super::units::Sp;
use super::{Geometry, Mark, Page, Placed, PlacedImage, Rule};
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::Document;

/// A slice of a note placed on a page: note number, first and end line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Chunk {
    note: u32,
    from: usize,
    to: usize,
}

#[derive(Clone)]
struct State {
    /// Body items placed (indices into the galley), and their heights.
    body: Vec<usize>,
    body_h: Sp,
    /// Note chunks placed on this page.
    chunks: Vec<Chunk>,
    notes_h: Sp,
    /// Note lines still to place on later pages.
    carry: Vec<Chunk>,
}

/// Space between the text and the footnote rule, and the rule's length.
fn note_sep(geo: &Geometry) -> Sp {
    geo.leading
}

/// Lays the galley out on pages.
pub fn paginate(
    doc: &Document,
    g: &mut Galley,
    geo: &Geometry,
    diags: &mut Diagnostics,
) -> Vec<Page> {
    let _ = doc;
    let avail = geo.body_height();
    let mut pages: Vec<Page> = Vec::new();
    let mut carry: Vec<Chunk> = Vec::new();
    let mut i = 0;
    let note_len = |n: u32| g.notes.get(&n).map_or(0, |nl| nl.lines.len());
    let note_lead = |n: u32| g.notes.get(&n).map_or(0, |nl| nl.leading);
    let mut started = vec![false; g.notes.keys().max().map_or(1, |m| *m as usize + 1)];

    while i < g.items.len() || !carry.is_empty() {
        // A chapter opens a right-hand page: a blank left-hand page if need be.
        if let Some(recto) = g.items.get(i).and_then(|it| it.new_page)
            && recto
            && pages.len() % 2 == 1
            && carry.is_empty()
        {
            pages.push(Page { number: pages.len() + 1, ..Default::default() });
        }
        let number = pages.len() + 1;
        let opening = g.items.get(i).is_some_and(|it| it.opening);
        // Carried note lines come first, as many as fit.
        let mut st = State {
            body: Vec::new(),
            body_h: 0,
            chunks: Vec::new(),
            notes_h: 0,
            carry: Vec::new(),
        };
        for c in std::mem::take(&mut carry) {
            let lead = note_lead(c.note);
            let sep = if st.chunks.is_empty() { note_sep(geo) } else { 0 };
            let room = (avail - st.notes_h - sep) / lead.max(1);
            let fit = (room.max(0) as usize).min(c.to - c.from);
            // An empty foot always takes at least a line, so a page always progresses.
            let fit = if st.chunks.is_empty() { fit.max(1) } else { fit };
            if fit > 0 && st.carry.is_empty() {
                st.notes_h += sep + lead * fit as Sp;
                st.chunks.push(Chunk { note: c.note, from: c.from, to: c.from + fit });
                if c.from + fit < c.to {
                    st.carry.push(Chunk { note: c.note, from: c.from + fit, to: c.to });
                }
            } else {
                st.carry.push(c);
            }
        }
        let mut best: Option<(usize, State)> = None;
        let mut j = i;
        let mut page_started = vec![];
        loop {
            if j >= g.items.len() {
                best = Some((j, st.clone()));
                break;
            }
            let it = &g.items[j];
            if j > i && it.new_page.is_some() {
                best = Some((j, st.clone()));
                break;
            }
            if st.body.is_empty() && it.discard {
                // Space is dropped at the top of a page.
                j += 1;
                continue;
            }
            if j > i && it.break_before && !st.body.is_empty() {
                best = Some((j, st.clone()));
            }
            // The notes this item brings.
            let new: Vec<u32> = it
                .notes
                .iter()
                .copied()
                .filter(|n| {
                    !started.get(*n as usize).copied().unwrap_or(true)
                        && !page_started.contains(n)
                })
                .collect();
            let sep =
                if st.chunks.is_empty() && !new.is_empty() { note_sep(geo) } else { 0 };
            let full: Sp = new.iter().map(|&n| note_lead(n) * note_len(n) as Sp).sum();
            let first: Sp = new.iter().map(|&n| note_lead(n)).sum();
            let used = st.body_h + st.notes_h;
            if used + it.h + sep + full <= avail && st.carry.is_empty()
                || (new.is_empty() && used + it.h <= avail)
            {
                st.body.push(j);
                st.body_h += it.h;
                st.notes_h += sep;
                for &n in &new {
                    st.notes_h += note_lead(n) * note_len(n) as Sp;
                    st.chunks.push(Chunk { note: n, from: 0, to: note_len(n) });
                    page_started.push(n);
                }
                j += 1;
            } else if st.carry.is_empty() && used + it.h + sep + first <= avail {
                // The notes begin here and continue overleaf; each later note of the
                // line keeps room for its first line.
                st.body.push(j);
                st.body_h += it.h;
                st.notes_h += sep;
                let mut reserve = first;
                for &n in &new {
                    let lead = note_lead(n);
                    reserve -= lead;
                    let room = ((avail - st.body_h - st.notes_h - reserve) / lead.max(1))
                        .max(1) as usize;
                    let fit = room.min(note_len(n));
                    st.notes_h += lead * fit as Sp;
                    st.chunks.push(Chunk { note: n, from: 0, to: fit });
                    if fit < note_len(n) {
                        st.carry.push(Chunk { note: n, from: fit, to: note_len(n) });
                    }
                    page_started.push(n);
                }
                j += 1;
            } else {
                break;
            }
        }
        let (end, state) = match best {
            Some(b) if b.0 > i || !b.1.body.is_empty() || !b.1.chunks.is_empty() => b,
            // Notes held over fill the page and the next line cannot start its own:
            // a page of notes alone, and the line waits for the next.
            _ if st.body.is_empty() && !st.chunks.is_empty() => (i, st.clone()),
            _ => {
                // Nothing fits with the rules: force the next item on an empty page.
                let mut s = st.clone();
                if s.body.is_empty() && i < g.items.len() {
                    s.body.push(i);
                    diags.push(Diagnostic::warning(
                        "overfull-page",
                        g.items[i].span,
                        format!("this material is taller than the page (page {number})"),
                    ));
                }
                (i + 1, s)
            }
        };
        // Short pages: ending a page early to keep a paragraph's lines together.
        for c in &state.chunks {
            if c.from == 0
                && let Some(s) = started.get_mut(c.note as usize)
            {
                *s = true;
            }
        }
        carry = state.carry.clone();
        pages.push(compose(&mut g.items, &g.notes, geo, number, opening, &state));
        // Every page makes progress: it places body items (end > i) or notes.
        i = end.max(i);
    }
    number_and_heads(&mut pages, g);
    pages
}

/// Positions a page's body and notes.
/// Moves a page's lines out of the galley (each is placed once) and positions them.
fn compose(
    items: &mut [VItem],
    notes: &std::collections::BTreeMap<u32, super::galley::NoteLines>,
    geo: &Geometry,
    number: usize,
    opening: bool,
    st: &State,
) -> Page {
    let left = geo.left(number);
    let mut page = Page { number, folio: true, ..Default::default() };
    let mut y = geo.top;
    for &k in &st.body {
        let it: &mut VItem = &mut items[k];
        match &mut it.kind {
            VKind::Line { line, x, ascent } => {
                let line = std::mem::take(line);
                page.lines.push(Placed {
                    x: left + *x + line.indent,
                    y: y + *ascent,
                    line,
                });
                page.body_lines += 1;
            }
            VKind::Mark { level, text } => {
                page.marks.push(Mark { level: *level, text: text.clone(), y })
            }
            VKind::Image { src, alt, x, w } => page.images.push(PlacedImage {
                src: src.clone(),
                alt: alt.clone(),
                x: left + *x,
                y,
                w: *w,
                h: it.h,
            }),
            VKind::Space => {}
        }
        y += it.h;
    }
    if !st.chunks.is_empty() {
        // Notes sit at the foot of the text block, under a short rule.
        let mut ny = geo.top + geo.body_height() - st.notes_h;
        let sep = note_sep(geo);
        page.rules.push(Rule {
            x: left,
            y: ny + sep / 2,
            w: geo.measure() / 4,
            t: super::units::PT * 2 / 5,
        });
        ny += sep;
        for c in &st.chunks {
            let nl = &notes[&c.note];
            if c.from == 0 {
                page.note_starts.push((c.note, ny + nl.size));
            }
            for line in &nl.lines[c.from..c.to] {
                page.lines.push(Placed {
                    x: left + line.indent,
                    y: ny + nl.size,
                    line: line.clone(),
                });
                ny += nl.leading;
            }
        }
    }
    page.folio = !opening;
    page
}

/// Running heads: the author on left-hand pages, the title on right-hand ones; none
/// on openings (the first page, chapter openings) or blank pages.
fn number_and_heads(pages: &mut [Page], g: &Galley) {
    for p in pages.iter_mut() {
        let blank = p.lines.is_empty() && p.images.is_empty();
        let opening = p.marks.iter().any(|m| m.level <= 1) || !p.folio;
        if blank {
            p.folio = false;
        }
        if !blank && !opening {
            p.head = Some(if p.number % 2 == 0 {
                g.heads.0.clone()
            } else {
                g.heads.1.clone()
            });
        }
        if opening {
            p.folio = p.number > 1 && !blank;
        }
    }
}
