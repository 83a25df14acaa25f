//! Blocks → the vertical list (TeX's "galley"): lines, rules, figures and spaces,
//! with the rules for where a page may end. A break is allowed before a paragraph's
//! line k of n only when k = 0 or when at least two lines stay on each side (no
//! orphan, no widow), and after a hyphen only at the foot of a left-hand page; never
//! within the first two lines after a heading or right after
//! a section-break ornament. Notes are set here too, at note size, ready for the page
//! builder, with the notes each one refers to.
//!
//! Sizes and spaces come from the one table in `style`; tables are set in `table`.

use std::collections::BTreeMap;

use super::fonts::{Face, Feat, Fonts};
use super::items::{Align, Builder, Para, ParaStyle};
use super::linebreak::{Params, Ragged, linebreak, linebreak_loose};
use super::lines::{self, Line};
use super::structure::{ARTIFACT, DOCUMENT, Role, Structure, Tag};
use super::style::STYLES;
use super::table::CellLine;
use super::units::Sp;
use super::{Geometry, LayoutOptions};
use crate::diag::{Diagnostics, Span};
use crate::model::{Block, DivRole, Document, Inline, plain_text};

/// What a vertical item is.
#[derive(Debug, Clone, PartialEq)]
pub enum VKind {
    /// A line of text, `x` from the text block's left edge, its baseline `ascent`
    /// below the item's top.
    Line {
        /// The set line.
        line: Line,
        /// Offset from the text block's left edge.
        x: Sp,
        /// Baseline below the item's top.
        ascent: Sp,
    },
    /// Vertical space.
    Space,
    /// A heading starts here (for the outline and internal links).
    Mark {
        /// Level (0: the title).
        level: u8,
        /// Plain text.
        text: String,
        /// The heading's id, the target of `[…](#id)` links.
        id: Option<String>,
    },
    /// A line of a table row: the k-th line of each of its cells.
    Row {
        /// The cells' lines.
        cells: Vec<CellLine>,
        /// Baseline below the item's top.
        ascent: Sp,
        /// The table (an index into [`Galley::tables`]).
        table: usize,
        /// The row, counting the header row if there is one.
        row: usize,
        /// Whether it is the header row.
        header: bool,
    },
    /// A horizontal rule (a table's), centred vertically in the item.
    Rule {
        /// Offset from the text block's left edge.
        x: Sp,
        /// Length.
        w: Sp,
        /// Thickness.
        t: Sp,
    },
    /// A figure: an image scaled to fit, with its caption under it. It floats: when
    /// it does not fit in what is left of a page, the text after it fills the page
    /// and the figure heads the next.
    Figure(Box<Figure>),
}

/// A figure, set.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// Path as written.
    pub src: String,
    /// Alternative text.
    pub alt: String,
    /// The image's offset from the text block's left edge.
    pub x: Sp,
    /// The image's size on the page.
    pub w: Sp,
    /// See `w`.
    pub h: Sp,
    /// Space above (dropped at the top of a page) and below.
    pub above: Sp,
    /// The caption's lines: offset from the text block's left edge, baseline below
    /// the image's foot, the line.
    pub caption: Vec<(Sp, Sp, Line)>,
    /// Its node in the document's structure.
    pub tag: Tag,
}

/// One item of the vertical list.
#[derive(Debug, Clone, PartialEq)]
pub struct VItem {
    /// Height it takes.
    pub h: Sp,
    /// What it is.
    pub kind: VKind,
    /// Whether a page may end just before it.
    pub break_before: bool,
    /// Whether a left-hand page (an even one) may end just before it, which no
    /// other may: the line before ends in a hyphen, which a reader follows across
    /// the spread but should not have to carry over the turn of a leaf.
    pub break_verso: bool,
    /// Dropped when it would start a page (space).
    pub discard: bool,
    /// Notes referenced in it.
    pub notes: Vec<u32>,
    /// Starts a new page; `true` for a right-hand page (a chapter).
    pub new_page: Option<bool>,
    /// The page it starts has no running head (chapter openings, the first page).
    pub opening: bool,
    /// Part of the body of table `t` (an index into [`Galley::tables`]): a page that
    /// starts here repeats the table's header first.
    pub repeat_head: Option<usize>,
    /// Where it came from (for layout findings).
    pub span: Span,
    /// The paragraph it belongs to, when the page builder may set that paragraph
    /// again (an index into [`Resetter`]'s paragraphs).
    pub para: Option<u32>,
}

impl VItem {
    /// An item of some kind and height, with no break before it and nothing else.
    pub(super) fn new(kind: VKind, h: Sp, span: Span) -> VItem {
        VItem {
            h,
            kind,
            break_before: false,
            break_verso: false,
            discard: false,
            notes: Vec::new(),
            new_page: None,
            opening: false,
            repeat_head: None,
            span,
            para: None,
        }
    }

    /// The height it takes at the top of a page: a figure drops its space above.
    pub fn height_at_top(&self) -> Sp {
        match &self.kind {
            VKind::Figure(f) => self.h - f.above,
            _ => self.h,
        }
    }
}

/// A note, set: its lines and their leading.
#[derive(Debug, Clone, PartialEq)]
pub struct NoteLines {
    /// The lines.
    pub lines: Vec<Line>,
    /// Their baseline-to-baseline distance.
    pub leading: Sp,
    /// Type size.
    pub size: Sp,
    /// Notes referred to from inside this one, in order: they are set right after it.
    pub refs: Vec<u32>,
    /// The anchors (`<span id>`) in it, by the line that holds each.
    pub anchors: Vec<(usize, String)>,
}

/// The vertical list and the notes.
#[derive(Debug, Clone, PartialEq)]
pub struct Galley {
    /// Body items in reading order.
    pub items: Vec<VItem>,
    /// Notes by number.
    pub notes: BTreeMap<u32, NoteLines>,
    /// Running head for left-hand pages (the author), and right-hand (the title).
    pub heads: (String, String),
    /// Each table's header (top rule, header lines, rule under them), repeated at the
    /// top of every page the table continues on.
    pub tables: Vec<Vec<VItem>>,
    /// The document's structure, which every run and figure points into.
    pub structure: Structure,
}

/// Where a block is set: its left edge (from the text block's), its measure, and the
/// style of its plain paragraphs.
#[derive(Debug, Clone, Copy)]
pub(super) struct Frame {
    pub(super) x: Sp,
    pub(super) measure: Sp,
    pub(super) base: ParaStyle,
}

impl Frame {
    /// The same frame with another paragraph style.
    fn with(self, base: ParaStyle) -> Frame {
        Frame { base, ..self }
    }
}

/// The galley being built.
pub(super) struct Ctx<'a, 'd> {
    pub(super) fonts: &'a Fonts,
    pub(super) geo: &'a Geometry,
    opts: &'a LayoutOptions,
    pub(super) builder: Builder<'a>,
    pub(super) diags: &'d mut Diagnostics,
    pub(super) out: Vec<VItem>,
    pub(super) tables: Vec<Vec<VItem>>,
    /// Lines still to keep with what precedes them (after a heading or ornament).
    keep: u8,
    /// The headings open so far: (the manuscript's level, the structure's).
    headings: Vec<(u8, u8)>,
    /// The last line set so far, by its node and place in `out`: a paragraph
    /// set into the same node after it (the next line of verse or code) makes it
    /// end between words.
    last_line: Option<(Tag, usize)>,
    /// The document's structure so far.
    pub(super) tags: Structure,
    /// The node what is set now belongs to.
    pub(super) parent: Tag,
    /// The paragraphs the page builder may set again.
    paras: Vec<ParaSrc<'a>>,
    /// How deep in lists the blocks set now are (a list item's first line carries
    /// its marker, which a paragraph set again would lose).
    lists: u32,
    /// The document's top-level paragraphs, set ahead on all cores (see
    /// [`set_ahead`]).
    ahead: BTreeMap<usize, Ahead>,
}

/// A paragraph set ahead of the walk: its style, measure, lines and breaks, and
/// its shaping, which the page builder sets again from should it set the
/// paragraph a line longer or shorter.
#[derive(Clone)]
pub struct Ahead {
    style: ParaStyle,
    measure: Sp,
    set: (Vec<Line>, Vec<usize>),
    shaped: std::sync::Arc<Shaped>,
}

/// Sets the document's top-level paragraphs — nearly all of a long text's — ahead
/// of the walk, on all cores, each as the walk would set it: in the body's style at
/// the full measure, with a builder like the walk's. Keyed by where the
/// paragraph's inlines are. A paragraph that reported anything or met a language
/// span is left to the walk, which reports in order and numbers languages as it
/// meets them; so the walk's output is the same, byte for byte, as with none set
/// ahead.
///
/// `kept` carries paragraphs from one layout of a book to the next (a book whose
/// cross-references print page numbers is laid out until they settle): those
/// that print no page number are set the same each time, so they are set once
/// and copied after.
fn set_ahead(
    doc: &Document,
    like: &Builder,
    (base, measure): (ParaStyle, Sp),
    kept: &mut Option<BTreeMap<usize, Ahead>>,
) -> BTreeMap<usize, Ahead> {
    use rayon::prelude::*;
    let key = |inlines: &[Inline]| inlines.as_ptr() as usize;
    let mut ahead = BTreeMap::new();
    let mut todo: Vec<(&[Inline], ParaStyle)> = Vec::new();
    for b in &doc.blocks {
        let Block::Paragraph { content, indent, .. } = b else { continue };
        match kept.as_ref().and_then(|k| k.get(&key(content))) {
            Some(a) => _ = ahead.insert(key(content), a.clone()),
            None => {
                let indent = if *indent { base.size } else { 0 };
                todo.push((content.as_slice(), ParaStyle { indent, ..base }));
            }
        }
    }
    // Chunks of paragraphs, each set by one builder (its hyphen cache warm).
    let set: Vec<(usize, bool, Ahead)> = todo
        .par_chunks(32)
        .flat_map_iter(|chunk| {
            let mut b = like.like();
            let mut out = Vec::with_capacity(chunk.len());
            for &(inlines, style) in chunk {
                let mut d = Diagnostics::new();
                let shaped = shape_para(&mut b, inlines, &style, measure, &mut d);
                if !d.is_empty() || b.langs.len() > 1 {
                    break;
                }
                let set = break_shaped(&shaped, &style, measure);
                let shaped = std::sync::Arc::new(shaped);
                let fixed = !prints_page(inlines);
                out.push((key(inlines), fixed, Ahead { style, measure, set, shaped }));
            }
            out
        })
        .collect();
    for (k, fixed, a) in set {
        if let (true, Some(kept)) = (fixed, kept.as_mut()) {
            kept.insert(k, a.clone());
        }
        ahead.insert(k, a);
    }
    ahead
}

/// Whether inlines print a page number (a cross-reference to a page), which may
/// change from one layout to the next.
fn prints_page(inlines: &[Inline]) -> bool {
    let mut found = false;
    crate::model::walk_inlines(inlines, &mut |i| {
        found |= matches!(i, Inline::PageRef { .. });
    });
    found
}

/// Whether the lines of a paragraph (from some line to its end) could be set one
/// line longer, and one line shorter, with no line loose (stretched past
/// [`LOOSE_RATIO`](lines::LOOSE_RATIO) of its stretch) nor shrunk past its shrink:
/// necessary conditions on their widths,
/// so that the many paragraphs that cannot change are not set again to find out.
/// A line shorter: the other lines take up the last one's content. A line longer:
/// the lines give up, stretched, enough to fill one more. An em of margin covers
/// what breaking elsewhere changes (hyphens, hanging punctuation).
pub fn could_change(lines: &[&Line], em: Sp) -> [bool; 2] {
    let Some((last, rest)) = lines.split_last() else { return [false, false] };
    let stretch = |f: &lines::Flex| (lines::LOOSE_RATIO * f.stretch as f64) as Sp;
    let take: Sp = rest
        .iter()
        .map(|l| (l.flex.target - l.flex.natural + l.flex.shrink).max(0))
        .sum();
    let give: Sp = rest
        .iter()
        .map(|l| (l.flex.natural - l.flex.target + stretch(&l.flex)).max(0))
        .sum();
    let stretch = lines.iter().map(|l| stretch(&l.flex)).max().unwrap_or(0);
    let longer = give + last.flex.natural + em >= last.flex.target - stretch;
    let shorter = take + em >= last.flex.natural;
    [longer, shorter]
}

/// What the page builder needs to set a paragraph again a line longer or shorter
/// (TeX's `\looseness`): its text and how it was set.
pub struct ParaSrc<'a> {
    inlines: &'a [Inline],
    style: ParaStyle,
    x: Sp,
    measure: Sp,
    span: Span,
    tag: Tag,
    rtl: bool,
    /// Lines still to keep with what precedes, before it and after it.
    keep: (u8, u8),
    /// Its breaks as set now (item indices, as `linebreak` gives them).
    breaks: Vec<usize>,
    /// Whether it was set again already: a paragraph changes once at most.
    changed: bool,
    /// Its shaping, when it was set ahead of the walk (shaping it again was half
    /// of the walk's time on a long book).
    shaped: Option<std::sync::Arc<Shaped>>,
}

/// Sets the galley's paragraphs again, for the page builder: the builder that set
/// them first, so that they come out the same but for their breaks.
pub struct Resetter<'a> {
    builder: Builder<'a>,
    paras: Vec<ParaSrc<'a>>,
    /// The ways the last few paragraphs could be set again, by paragraph and line.
    recent: Vec<((u32, usize), Variants)>,
    /// The last paragraph shaped again, with its protrusions: the page builder
    /// tries one paragraph from several lines (for a page, then the next), and a
    /// long one costs far more to shape than to break.
    shaped: Option<(u32, std::sync::Arc<Shaped>)>,
}

/// A paragraph set a line longer and a line shorter, as galley items with the
/// demerits each costs (see [`Resetter::variants`]).
pub type Variants = [Option<(Vec<VItem>, i64)>; 2];

/// A paragraph shaped, with its items' protrusions.
type Shaped = (Para, Vec<(Sp, Sp)>);

/// A paragraph set: its lines and its breaks (item indices, as `linebreak`
/// gives them).
type SetPara = (Vec<Line>, Vec<usize>);

/// How many paragraphs' variants [`Resetter`] remembers.
const RECENT: usize = 32;

impl Resetter<'_> {
    /// Paragraph `id` set one line longer and one line shorter than it is — its
    /// first `from` lines as they are, set already on an earlier page — as the
    /// galley items of its lines from `from` on, with the demerits each costs over
    /// the best breaking of those lines (TeX §859); `None` for a way the tolerance
    /// does not allow, or a paragraph set again already. Only the ways `want`
    /// asks for are given; the last few paragraphs set again are remembered, for
    /// the page builder tries a paragraph for one page, then for the next, or for
    /// a spread planned again.
    pub fn variants(&mut self, id: u32, from: usize, want: [bool; 2]) -> Variants {
        let changed = self.paras.get(id as usize).is_none_or(|s| s.changed);
        if changed || want == [false, false] {
            return [None, None];
        }
        let found = match self.recent.iter().position(|(k, _)| *k == (id, from)) {
            Some(k) => self.recent[k].1.clone(),
            None => {
                let v = self.set_again(id, from);
                if self.recent.len() == RECENT {
                    self.recent.remove(0);
                }
                self.recent.push(((id, from), v.clone()));
                v
            }
        };
        let [longer, shorter] = found;
        [longer.filter(|_| want[0]), shorter.filter(|_| want[1])]
    }

    /// Paragraph `id` set a line longer and a line shorter from its line `from`
    /// (see [`variants`](Self::variants)).
    fn set_again(&mut self, id: u32, from: usize) -> Variants {
        let shaped = self.shape(id);
        let (p, prot) = (&shaped.0, &shaped.1);
        let src = &self.paras[id as usize];
        let params = Params::for_size(src.style.size);
        // The lines after the first `from` are broken as a paragraph of their own.
        let start = match from.checked_sub(1).and_then(|k| src.breaks.get(k)) {
            Some(&b) => lines::after(&p.items, b),
            None => 0,
        };
        if start >= p.items.len() {
            return [None, None];
        }
        let tail_prot = prot.get(start..).unwrap_or_default();
        let found =
            linebreak_loose(&p.items[start..], tail_prot, src.measure, &params, None);
        let mut out = [None, None];
        for ((looseness, found), slot) in [1, -1].into_iter().zip(found).zip(&mut out) {
            let Some((tail, cost)) = found else { continue };
            let mut breaks = src.breaks[..from].to_vec();
            breaks.extend(tail.iter().map(|b| b + start));
            if breaks.len() as i64 != src.breaks.len() as i64 + looseness {
                continue;
            }
            let mut lines = lines::set(p, &breaks, src.measure, src.style.align, prot);
            // No line loose (which the first setting may have needed its emergency
            // stretch for): a paragraph set again keeps within the spacing of the
            // rest, so that the page gains nothing at the cost of the paragraphs.
            if lines.iter().any(|l| !l.last && l.ratio > lines::LOOSE_RATIO) {
                continue;
            }
            tag_runs(&mut lines, src.tag);
            let anchors = anchor_lines(src.inlines, &lines);
            let mut keep = src.keep.0;
            let items =
                para_items(lines, anchors, (src.x, &src.style, src.span), &mut keep);
            // Lines kept with a heading must stay kept the same way.
            if keep != src.keep.1 {
                continue;
            }
            // The items of the lines from `from` on: past the `from`th line.
            let mut seen = 0;
            let skip = items
                .iter()
                .position(|it| {
                    seen += usize::from(matches!(it.kind, VKind::Line { .. }));
                    seen > from
                })
                .map_or(0, |k| {
                    // With the marks that go with that line.
                    let marks = items[..k].iter().rev();
                    k - marks
                        .take_while(|it| matches!(it.kind, VKind::Mark { .. }))
                        .count()
                });
            let items =
                items.into_iter().skip(skip).map(|it| VItem { para: Some(id), ..it });
            *slot = Some((items.collect(), cost));
        }
        out
    }

    /// Paragraph `id` shaped as it was first (the last one asked for is kept).
    fn shape(&mut self, id: u32) -> std::sync::Arc<Shaped> {
        if let Some((k, shaped)) = &self.shaped
            && *k == id
        {
            return shaped.clone();
        }
        let src = &self.paras[id as usize];
        if let Some(shaped) = &src.shaped {
            return shaped.clone();
        }
        self.builder.rtl = src.rtl;
        // Warnings were given when it was first set.
        let mut quiet = Diagnostics::new();
        let shaped = std::sync::Arc::new(shape_para(
            &mut self.builder,
            src.inlines,
            &src.style,
            src.measure,
            &mut quiet,
        ));
        self.shaped = Some((id, shaped.clone()));
        shaped
    }

    /// Records that paragraph `id` was set again.
    pub fn changed(&mut self, id: u32) {
        if let Some(src) = self.paras.get_mut(id as usize) {
            src.changed = true;
        }
    }
}

impl<'a> Ctx<'a, '_> {
    /// Appends an item; the lines right after a heading or ornament keep with it.
    pub(super) fn push(&mut self, mut it: VItem) {
        keep_with(&mut it, &mut self.keep);
        self.out.push(it);
    }

    /// Appends space where a page may end (dropped at the top of a page).
    pub(super) fn space(&mut self, h: Sp, span: Span) {
        let mut it = VItem::new(VKind::Space, h, span);
        it.break_before = self.keep == 0;
        it.discard = true;
        self.out.push(it);
    }

    /// Appends space that keeps with what precedes it (never dropped, never a break).
    fn space_kept(&mut self, h: Sp, span: Span) {
        self.out.push(VItem::new(VKind::Space, h, span));
    }

    /// Sets what `f` sets inside a new node of the structure, under the current one.
    pub(super) fn within<R>(
        &mut self,
        role: Role,
        span: Span,
        f: impl FnOnce(&mut Self) -> R,
    ) -> R {
        let outer = self.parent;
        self.parent = self.tags.add(role, outer, span);
        let r = f(self);
        self.parent = outer;
        r
    }

    /// Marks set lines as content of node `tag`, and the notes they refer to as
    /// read after it.
    pub(super) fn tag(&mut self, lines: &mut [Line], tag: Tag) {
        tag_runs(lines, tag);
        if tag != ARTIFACT {
            for &n in lines.iter().flat_map(|l| &l.notes) {
                self.tags.refer(n, tag);
            }
        }
    }

    /// Sets a paragraph and appends its lines (content of the current node);
    /// returns its breaks.
    pub(super) fn para(
        &mut self,
        inlines: &[Inline],
        style: ParaStyle,
        x: Sp,
        measure: Sp,
        span: Span,
    ) -> Vec<usize> {
        let (set, _) = self.set(inlines, style, measure);
        self.append_para(inlines, style, (x, span), set)
    }

    /// A paragraph's lines and breaks at a measure: as set ahead, with its
    /// shaping, or set now.
    fn set(
        &mut self,
        inlines: &[Inline],
        style: ParaStyle,
        measure: Sp,
    ) -> (SetPara, Option<std::sync::Arc<Shaped>>) {
        let ahead = self
            .ahead
            .remove(&(inlines.as_ptr() as usize))
            .filter(|a| a.style == style && a.measure == measure);
        match ahead {
            Some(a) => (a.set, Some(a.shaped)),
            None => {
                let set =
                    break_para(&mut self.builder, inlines, &style, measure, self.diags);
                (set, None)
            }
        }
    }

    /// Appends a set paragraph's lines (content of the current node); returns its
    /// breaks.
    fn append_para(
        &mut self,
        inlines: &[Inline],
        style: ParaStyle,
        (x, span): (Sp, Span),
        (mut lines, breaks): SetPara,
    ) -> Vec<usize> {
        self.tag(&mut lines, self.parent);
        if let Some((tag, at)) = self.last_line
            && tag == self.parent
            && tag != ARTIFACT
            && let Some(VItem { kind: VKind::Line { line, .. }, .. }) =
                self.out.get_mut(at)
        {
            line.word_end = true;
        }
        let n = lines.len();
        let anchors = anchor_lines(inlines, &lines);
        let items = para_items(lines, anchors, (x, &style, span), &mut self.keep);
        self.out.extend(items);
        if n > 0 {
            self.last_line = Some((self.parent, self.out.len() - 1));
        }
        breaks
    }

    /// Sets a paragraph of the document as [`para`](Self::para) does, and keeps
    /// what the page builder needs to set it again a line longer or shorter —
    /// a justified paragraph outside lists.
    fn body_para(
        &mut self,
        inlines: &'a [Inline],
        style: ParaStyle,
        (x, measure): (Sp, Sp),
        span: Span,
    ) {
        let first = self.out.len();
        let keep = self.keep;
        let (set, shaped) = self.set(inlines, style, measure);
        let breaks = self.append_para(inlines, style, (x, span), set);
        if style.align != Align::Justify || self.lists > 0 || breaks.is_empty() {
            return;
        }
        let id = self.paras.len() as u32;
        for it in &mut self.out[first..] {
            it.para = Some(id);
        }
        self.paras.push(ParaSrc {
            inlines,
            style,
            x,
            measure,
            span,
            tag: self.parent,
            rtl: self.builder.rtl,
            keep: (keep, self.keep),
            breaks,
            changed: false,
            shaped,
        });
    }

    fn body(&self) -> ParaStyle {
        ParaStyle {
            face: Face::REGULAR,
            feat: Feat::Text,
            size: self.geo.size,
            leading: self.geo.leading,
            indent: 0,
            align: Align::Justify,
            hyphenate: true,
        }
    }

    /// Indents a nested block by `left` and `right`, unless that would take the
    /// measure below what the style table allows: deep nesting then stops indenting.
    /// In a right-to-left document the start is on the right: `left` and `right`
    /// change places.
    fn nest(&self, f: Frame, left: Sp, right: Sp) -> Frame {
        if self.builder.rtl {
            self.nest_ltr(f, right, left)
        } else {
            self.nest_ltr(f, left, right)
        }
    }

    /// [`Ctx::nest`] as in a left-to-right document (code, always left to right).
    fn nest_ltr(&self, f: Frame, left: Sp, right: Sp) -> Frame {
        let full = self.geo.measure();
        let indent = full - f.measure + left + right;
        if indent > STYLES.max_indent.of(full) {
            f
        } else {
            Frame { x: f.x + left, measure: f.measure - left - right, ..f }
        }
    }

    /// Sets blocks in order. Where section breaks divide them, the stretches
    /// between breaks (and chapter openings) are sections of the structure: the
    /// ornament itself is not content, so a reader of the tagged PDF meets the
    /// break as the end of one section and the start of the next.
    fn blocks(&mut self, blocks: &'a [Block], f: Frame) {
        let is_break = |b: &Block| matches!(b, Block::SectionBreak { .. });
        if !blocks.iter().any(is_break) {
            for b in blocks {
                self.block(b, f);
            }
            return;
        }
        let mut start = 0;
        for (k, b) in blocks.iter().enumerate() {
            let chapter = matches!(b, Block::Heading { level: 1, .. });
            if is_break(b) || chapter {
                self.section(&blocks[start..k], f);
                start = k;
            }
            if is_break(b) {
                self.block(b, f);
                start = k + 1;
            }
        }
        self.section(&blocks[start..], f);
    }

    /// Sets blocks as one section of the structure.
    fn section(&mut self, blocks: &'a [Block], f: Frame) {
        let (Some(first), Some(last)) = (blocks.first(), blocks.last()) else { return };
        let span = Span::new(first.span().start, last.span().end);
        self.within(Role::Section, span, |c| {
            for b in blocks {
                c.block(b, f);
            }
        });
    }

    fn block(&mut self, b: &'a Block, f: Frame) {
        let Frame { x, measure, base } = f;
        match b {
            Block::Paragraph { content, indent, span } => {
                let style =
                    ParaStyle { indent: if *indent { base.size } else { 0 }, ..base };
                self.within(Role::P, *span, |c| {
                    c.body_para(content, style, (x, measure), *span)
                });
            }
            Block::Heading { level, id, content, span, .. } => {
                self.heading(*level, id, content, f, *span)
            }
            Block::BlockQuote { blocks, span } => self.quote(blocks, f, *span),
            Block::List { start, items, span, .. } => self.list(*start, items, f, *span),
            Block::Verse { stanzas, span } => self.verse(stanzas, f, *span),
            Block::Code { text, span, .. } => self.code(text, f, *span),
            Block::Table { align, head, rows, span } => {
                let l = self.geo.leading;
                self.space(STYLES.around.of(l), *span);
                self.within(Role::Table, *span, |c| {
                    super::table::set(c, align, head, rows, f, *span)
                });
                self.space(STYLES.around.of(l), *span);
            }
            Block::Figure { src, alt, title, span } => {
                self.figure(src, alt, title.as_deref(), f, *span)
            }
            Block::SectionBreak { span } => self.section_break(f, *span),
            Block::Div { role, lang, blocks, span } => {
                // A passage in another language takes its direction for its
                // paragraphs and their indents.
                let outer = self.builder.rtl;
                if let Some(l) = lang {
                    self.builder.rtl = l.rtl();
                }
                // An epigraph is a quotation; the rest group their blocks.
                let kind =
                    if *role == DivRole::Epigraph { Role::BlockQuote } else { Role::Div };
                self.within(kind, *span, |c| {
                    if let Some(l) = lang {
                        c.tags.nodes[c.parent as usize].lang = Some(l.tag().to_string());
                    }
                    c.div(*role, blocks, f, *span)
                });
                self.builder.rtl = outer;
            }
            Block::Html { .. } => {}
        }
    }

    fn heading(&mut self, level: u8, id: &str, content: &[Inline], f: Frame, span: Span) {
        let Frame { x, measure, base } = f;
        let l = self.geo.leading;
        let hs = STYLES.heading(level);
        if level > 1 {
            self.space(hs.before.of(l), span);
        } else {
            // A chapter opens a right-hand page, with space above its title.
            let mut it = VItem::new(VKind::Space, hs.before.of(l), span);
            it.break_before = true;
            it.new_page = Some(true);
            it.opening = true;
            self.out.push(it);
        }
        let mark = VKind::Mark { level, text: plain_text(content), id: Some(id.into()) };
        self.out.push(VItem::new(mark, 0, span));
        let size = hs.size.of(base.size);
        let style = ParaStyle {
            face: Face::heading(hs.italic),
            size,
            leading: STYLES.display_leading.of(size),
            indent: 0,
            align: if hs.centred { Align::Center } else { Align::Left },
            hyphenate: false,
            feat: Feat::Text,
        };
        let first = self.out.len();
        let title = plain_text(content);
        // A heading with no text is nothing to navigate by (PDF/UA-1 7.4 wants a
        // heading's text): it is read, if at all, as a paragraph.
        let role = if title.trim().is_empty() {
            Role::P
        } else {
            Role::Heading { level: self.outline_level(level), title }
        };
        self.within(role, span, |c| c.para(content, style, x, measure, span));
        // A heading stays with its mark and its own lines stay together; the space
        // above it is where a page may end.
        for it in &mut self.out[first..] {
            it.break_before = false;
        }
        self.space_kept(hs.after.of(l), span);
        // Keep the heading with the next two lines.
        self.keep = 2;
    }

    /// A heading's level in the structure: the manuscript's, shifted so that the
    /// first heading is a level 1 and no heading is more than one level below the
    /// one it follows (PDF/UA-1, 7.4.2: H1 first, no level skipped). A pamphlet whose
    /// sections are `##` — its title being the `#` — gets H1 sections under its
    /// Title; `#` then `###` gives H1, H2.
    fn outline_level(&mut self, level: u8) -> u8 {
        while self.headings.last().is_some_and(|&(m, _)| m >= level) {
            self.headings.pop();
        }
        let own = self.headings.last().map_or(1, |&(_, s)| s + 1);
        self.headings.push((level, own));
        own
    }

    fn quote(&mut self, blocks: &'a [Block], f: Frame, span: Span) {
        let around = STYLES.around.of(self.geo.leading);
        self.space(around, span);
        let inset = STYLES.quote_inset.of(f.base.size);
        let inner = self.nest(f, inset, inset);
        self.within(Role::BlockQuote, span, |c| c.blocks(blocks, inner));
        self.space(around, span);
    }

    fn list(
        &mut self,
        start: Option<u64>,
        items: &'a [Vec<Block>],
        f: Frame,
        span: Span,
    ) {
        let base = f.base;
        let around = STYLES.around_list.of(self.geo.leading);
        self.space(around, span);
        let (hang, gap) = STYLES.list_hang;
        let inner = self.nest(f, hang.of(base.size), 0);
        let body = inner.with(ParaStyle { align: Align::Justify, ..base });
        self.lists += 1;
        self.within(Role::List { ordered: start.is_some() }, span, |c| {
            for (k, item) in items.iter().enumerate() {
                let marker = match start {
                    Some(s) => format!("{}.", s.saturating_add(k as u64)),
                    None => "•".to_string(),
                };
                let first = c.out.len();
                let label = c.within(Role::Item, span, |c| {
                    let label = c.tags.add(Role::Label, c.parent, span);
                    c.within(Role::ItemBody, span, |c| c.blocks(item, body));
                    label
                });
                c.hang_marker(
                    first,
                    (&marker, label),
                    (base, inner.measure),
                    gap.of(base.size),
                    span,
                );
            }
        });
        self.lists -= 1;
        self.space(around, span);
    }

    /// Hangs a list marker, the content of node `label`, in front of the first line
    /// set since item `first`.
    fn hang_marker(
        &mut self,
        first: usize,
        (marker, label): (&str, Tag),
        (base, measure): (ParaStyle, Sp),
        gap: Sp,
        span: Span,
    ) {
        let glyphs = self.fonts.shape(base.face, Feat::Text, marker).to_vec();
        let frag = super::items::Frag::new(
            base.face,
            base.size,
            self.fonts.upem(base.face),
            glyphs,
            marker.to_string(),
            None,
            span,
        );
        let w = frag.width();
        if let Some(VKind::Line { line, .. }) = self.out[first..]
            .iter_mut()
            .map(|i| &mut i.kind)
            .find(|k| matches!(k, VKind::Line { .. }))
        {
            // It hangs before the line's start: in the margin on the right in a
            // right-to-left document.
            let run = std::sync::Arc::new(frag);
            if self.builder.rtl {
                let at = measure - line.indent + gap;
                line.runs.push(lines::Run { tag: label, ..lines::Run::new(at, run) });
            } else {
                let at = -(w + gap);
                line.runs
                    .insert(0, lines::Run { tag: label, ..lines::Run::new(at, run) });
            }
        }
    }

    fn verse(&mut self, stanzas: &[Vec<Vec<Inline>>], f: Frame, span: Span) {
        let base = f.base;
        let around = STYLES.around.of(self.geo.leading);
        self.space(around, span);
        let (inset, turn) = STYLES.verse;
        let (inset, turn) = (inset.of(base.size), turn.of(base.size));
        let Frame { x: vx, measure: vm, .. } = self.nest(f, inset, 0);
        // Verse is a group of stanzas, each a paragraph whose lines are the verse
        // lines.
        // Each verse line is set on its own, flush left, unhyphenated; a line too
        // long for the measure turns over with a deeper indent, as verse is
        // printed (so it is broken that much short of the measure).
        let style = ParaStyle { align: Align::Left, hyphenate: false, indent: 0, ..base };
        let rtl = self.builder.rtl;
        self.within(Role::Div, span, |c| {
            for (k, stanza) in stanzas.iter().enumerate() {
                if k > 0 {
                    c.space(around, span);
                }
                c.within(Role::P, span, |c| {
                    for line in stanza {
                        let first = c.out.len();
                        c.para(line, style, vx, vm - turn, span);
                        // Turned lines go deeper from the start of the line: from
                        // the right in a right-to-left document.
                        for (k, it) in c.out[first..].iter_mut().enumerate() {
                            if let VKind::Line { x, .. } = &mut it.kind
                                && (k == 0) == rtl
                            {
                                *x += turn;
                            }
                        }
                    }
                });
            }
        });
        self.space(around, span);
    }

    /// A code block: each source line set on its own in the monospaced face, flush
    /// left, unhyphenated, every space kept; a line too long for the measure turns
    /// over at a space (or, as a last resort, between two characters) onto an
    /// indented line marked with an arrow, as program listings are printed.
    fn code(&mut self, text: &str, f: Frame, span: Span) {
        let base = f.base;
        let around = STYLES.around.of(self.geo.leading);
        self.space(around, span);
        let (size, inset) = STYLES.code;
        let size = size.of(base.size);
        let style = ParaStyle {
            face: Face::MONO,
            size,
            leading: STYLES.display_leading.of(size),
            indent: 0,
            align: Align::Left,
            hyphenate: false,
            feat: Feat::Code,
        };
        let inner = self.nest_ltr(f, inset.of(base.size), 0);
        // Turned-over lines are indented two characters, the arrow hanging in them.
        let mark = self.fonts.shape(Face::MONO, Feat::Code, "→").to_vec();
        let upem = self.fonts.upem(Face::MONO);
        let char_w: Sp =
            mark.iter().map(|g| super::units::scale(g.adv, size, upem)).sum();
        let turn = 2 * char_w;
        self.within(Role::Code, span, |c| {
            c.code_lines(text, style, inner, (turn, &mark), span)
        });
        self.space(around, span);
    }

    /// The lines of a code block, each turned-over line indented by `turn` with an
    /// arrow (`mark`'s glyphs) hanging in the indent.
    fn code_lines(
        &mut self,
        text: &str,
        style: ParaStyle,
        inner: Frame,
        (turn, mark): (Sp, &[super::fonts::Glyph]),
        span: Span,
    ) {
        let (size, upem) = (style.size, self.fonts.upem(Face::MONO));
        for line in text.trim_end_matches('\n').split('\n') {
            let inl = [Inline::Code { text: line.to_string(), span }];
            let first = self.out.len();
            self.para(&inl, style, inner.x, inner.measure - turn, span);
            for it in self.out[first..].iter_mut().skip(1) {
                if let VKind::Line { x, line, .. } = &mut it.kind {
                    *x += turn;
                    let arrow = super::items::Frag::new(
                        Face::MONO,
                        size,
                        upem,
                        mark.to_vec(),
                        "→".into(),
                        None,
                        span,
                    );
                    // The arrow is the printer's mark, not the program's text.
                    let run = lines::Run::new(-turn, std::sync::Arc::new(arrow));
                    line.runs.insert(0, lines::Run { tag: ARTIFACT, ..run });
                }
            }
        }
    }

    fn figure(
        &mut self,
        src: &str,
        alt: &str,
        caption: Option<&str>,
        f: Frame,
        span: Span,
    ) {
        let Frame { x, measure, base } = f;
        let Some(&(pw, ph)) = self.opts.images.get(src) else { return };
        if pw == 0 || ph == 0 {
            return;
        }
        let (tallest, csize, gap) = STYLES.figure;
        // Fit the measure and at most the style's share of the text block's height.
        let maxh = tallest.of(self.geo.body_height());
        let w = measure.min(maxh * Sp::from(pw) / Sp::from(ph));
        let h = w * Sp::from(ph) / Sp::from(pw);
        let around = STYLES.around.of(self.geo.leading);
        let mut cap = Vec::new();
        let mut cap_h = 0;
        // The image, then its caption after it (ISO 32000-1, 14.8.4.4: a caption
        // goes with the figure it describes).
        let tag = self.tags.add(Role::Figure { alt: alt.to_string() }, self.parent, span);
        if let Some(c) = caption.filter(|c| !c.trim().is_empty()) {
            let cap_tag = self.tags.add(Role::Caption, self.parent, span);
            let size = csize.of(base.size);
            let style = ParaStyle {
                face: Face::ITALIC,
                size,
                leading: STYLES.display_leading.of(size),
                indent: 0,
                align: Align::Center,
                hyphenate: true,
                feat: Feat::Text,
            };
            let text = [Inline::plain(c.to_string(), span)];
            let mut lines =
                set_para(&mut self.builder, &text, &style, measure, self.diags);
            self.tag(&mut lines, cap_tag);
            cap_h = gap.of(self.geo.leading);
            for line in lines {
                cap_h += style.leading;
                cap.push((x, cap_h - (style.leading - size), line));
            }
        }
        let fig = Figure {
            src: src.to_string(),
            alt: alt.to_string(),
            x: x + (measure - w) / 2,
            w,
            h,
            above: around,
            caption: cap,
            tag,
        };
        let mut it =
            VItem::new(VKind::Figure(Box::new(fig)), around + h + cap_h + around, span);
        it.break_before = true;
        self.push(it);
    }

    fn section_break(&mut self, f: Frame, span: Span) {
        let Frame { x, measure, base } = f;
        let around = STYLES.around.of(self.geo.leading);
        self.space(around, span);
        let fleuron = [Inline::plain("\u{2766}", span)];
        let style = ParaStyle {
            align: Align::Center,
            hyphenate: false,
            indent: 0,
            size: STYLES.fleuron.of(base.size),
            ..base
        };
        let at = self.out.len();
        let outer = std::mem::replace(&mut self.parent, ARTIFACT);
        self.para(&fleuron, style, x, measure, span);
        self.parent = outer;
        // The ornament may open a page but never end one (and is not dropped at a
        // page top as space would be).
        if let Some(it) = self.out.get_mut(at) {
            it.break_before = true;
        }
        self.space_kept(around, span);
        self.keep = 1;
    }

    fn div(&mut self, role: DivRole, blocks: &'a [Block], f: Frame, span: Span) {
        let base = f.base;
        let l = self.geo.leading;
        let set_off = STYLES.after_set_off.of(l);
        let emphasised = ParaStyle { face: base.face.emphasised(), ..base };
        match role {
            DivRole::EditorNote => {
                self.blocks(blocks, f.with(emphasised));
                self.space(set_off, span);
            }
            DivRole::Signature => {
                self.space(STYLES.around.of(l), span);
                let style = ParaStyle { align: Align::Right, hyphenate: false, ..base };
                self.blocks(blocks, f.with(style));
            }
            DivRole::Epigraph => {
                let inset = STYLES.epigraph_inset.of(f.measure);
                let style = ParaStyle { align: Align::Left, ..emphasised };
                self.blocks(blocks, self.nest(f, inset, 0).with(style));
                self.space(set_off, span);
            }
            DivRole::Dedication => {
                self.space(set_off, span);
                let style = ParaStyle { align: Align::Center, ..emphasised };
                self.blocks(blocks, f.with(style));
                self.space(set_off, span);
            }
            DivRole::Passage => self.blocks(blocks, f),
        }
    }

    /// The title block: on its own page for a book, above the text for an article.
    fn title_block(&mut self, doc: &Document, book: bool) {
        let geo = self.geo;
        let m = &doc.meta;
        let span = m.span;
        let base = self.body();
        let measure = geo.measure();
        let text = |s: &str| vec![Inline::plain(s, span)];
        let display = ParaStyle {
            align: Align::Center,
            hyphenate: false,
            indent: 0,
            face: Face::heading(false),
            ..base
        };
        let drop = if book { STYLES.book_title_drop.of(geo.body_height()) } else { 0 };
        let mut top = VItem::new(VKind::Space, drop, span);
        top.opening = true;
        self.out.push(top);
        let mark = VKind::Mark { level: 0, text: m.title.clone(), id: None };
        self.out.push(VItem::new(mark, 0, span));
        let (ts, tl) = STYLES.title;
        let title =
            ParaStyle { size: ts.of(geo.size), leading: tl.of(geo.size), ..display };
        // The title is the document's title, not a first heading (PDF/UA-1 7.4:
        // the headings are the manuscript's own).
        self.within(Role::Title, span, |c| {
            c.para(&text(&m.title), title, 0, measure, span)
        });
        if let Some(sub) = &m.subtitle {
            let (ss, sl) = STYLES.subtitle;
            let st = ParaStyle {
                face: Face::heading(true),
                size: ss.of(geo.size),
                leading: sl.of(geo.size),
                ..display
            };
            self.within(Role::P, span, |c| c.para(&text(sub), st, 0, measure, span));
        }
        if !m.authors.is_empty() {
            self.space(STYLES.around.of(geo.leading), span);
            let st = ParaStyle { feat: Feat::SmallCaps, ..display };
            let names = text(&m.lang.join_names(&m.authors));
            self.within(Role::P, span, |c| c.para(&names, st, 0, measure, span));
        }
        for it in &mut self.out {
            it.break_before = false;
        }
        self.space_kept(STYLES.after_title.of(geo.leading), span);
        self.keep = 2;
    }

    /// Sets every note at note size on the full measure, and records the notes each
    /// refers to.
    fn notes(&mut self, doc: &Document) -> BTreeMap<u32, NoteLines> {
        let (size, leading) = STYLES.notes;
        let nsize = size.of(self.geo.size);
        let nstyle = ParaStyle {
            size: nsize,
            leading: leading.of(nsize),
            indent: 0,
            ..self.body()
        };
        let measure = self.geo.measure();
        let mut notes = BTreeMap::new();
        for n in &doc.notes {
            let mut lines = Vec::new();
            let mut anchors = Vec::new();
            let note = self.tags.add(Role::Note(n.number), DOCUMENT, n.span);
            for (k, b) in n.blocks.iter().enumerate() {
                let mut inl: Vec<Inline> = Vec::new();
                if k == 0 {
                    inl.push(Inline::Text {
                        text: format!("{}.\u{a0}", n.number),
                        hyphens: Vec::new(),
                        span: n.span,
                    });
                }
                match b {
                    Block::Paragraph { content, .. } | Block::Heading { content, .. } => {
                        inl.extend(content.iter().cloned())
                    }
                    other => {
                        inl.extend(crate::model::inline_flow(std::slice::from_ref(other)))
                    }
                }
                let style = ParaStyle { indent: if k > 0 { nsize } else { 0 }, ..nstyle };
                let mut set =
                    set_para(&mut self.builder, &inl, &style, measure, self.diags);
                let p = self.tags.add(Role::P, note, b.span());
                self.tag(&mut set, p);
                if k == 0 {
                    link_back(&mut set, n.number);
                }
                let first = lines.len();
                anchors.extend(
                    anchor_lines(&inl, &set).into_iter().map(|(at, id)| (first + at, id)),
                );
                lines.extend(set);
            }
            let mut refs: Vec<u32> =
                lines.iter().flat_map(|l| l.notes.iter().copied()).collect();
            refs.retain(|&r| r != n.number);
            let mut seen = Vec::new();
            refs.retain(|r| {
                let new = !seen.contains(r);
                seen.push(*r);
                new
            });
            notes.insert(
                n.number,
                NoteLines { lines, leading: nstyle.leading, size: nsize, refs, anchors },
            );
        }
        notes
    }
}

/// The anchors of a paragraph (`<span id>`), each with the line that holds the text
/// it stands before — the first text inline after it, found by the model text its
/// fragments were set from — or the last line when no text follows; in order.
fn anchor_lines(inlines: &[Inline], lines: &[Line]) -> Vec<(usize, String)> {
    let last = lines.len().saturating_sub(1);
    let mut out: Vec<(usize, String)> = anchor_origins(inlines)
        .into_iter()
        .map(|(id, origin)| {
            let line = origin.and_then(|o| lines.iter().position(|l| holds(l, o)));
            (line.unwrap_or(last), id)
        })
        .collect();
    out.sort_by_key(|(k, _)| *k);
    out
}

/// Whether a set line holds text set from the model text inline starting at `o`.
pub(super) fn holds(line: &Line, o: u32) -> bool {
    line.runs.iter().any(|r| r.frag.origin.0 == o)
}

/// The anchors of some inlines, in order, each with the span start of the first
/// text inline after it (`None` when no text follows).
pub(super) fn anchor_origins(inlines: &[Inline]) -> Vec<(String, Option<u32>)> {
    let (mut pending, mut found) = (Vec::new(), Vec::new());
    crate::model::walk_inlines(inlines, &mut |i| match i {
        Inline::Anchor { id, .. } => pending.push(id.clone()),
        Inline::Text { span, .. } | Inline::Code { span, .. } => {
            found.extend(pending.drain(..).map(|id| (id, Some(span.start as u32))))
        }
        _ => {}
    });
    found.extend(pending.into_iter().map(|id| (id, None)));
    found
}

/// A note's number, at the start of its first line, links back to the note's
/// first reference, as the EPUB's does.
fn link_back(lines: &mut [Line], number: u32) {
    let label = format!("{number}.");
    if let Some(run) = lines.first_mut().and_then(|l| l.runs.first_mut())
        && run.frag.text.starts_with(&label)
    {
        std::sync::Arc::make_mut(&mut run.frag).link =
            Some(super::items::Link::Back(number));
    }
}

/// A kept line (or figure) allows no break before it.
fn keep_with(it: &mut VItem, keep: &mut u8) {
    if *keep > 0 && matches!(it.kind, VKind::Line { .. } | VKind::Figure(_)) {
        it.break_before = false;
        it.break_verso = false;
        *keep -= 1;
    }
}

/// A paragraph's lines as vertical items, with the marks of its anchors, and the
/// places a page may end between them: before a paragraph's line k of n only when
/// k = 0 or at least two lines stay on each side (no orphan, no widow), and after
/// a hyphen only on a left-hand page (TeX's `\brokenpenalty`, made absolute where
/// the reader turns the leaf). The first `keep` lines
/// keep with what precedes them.
fn para_items(
    lines: Vec<Line>,
    mut anchors: Vec<(usize, String)>,
    (x, style, span): (Sp, &ParaStyle, Span),
    keep: &mut u8,
) -> Vec<VItem> {
    let n = lines.len();
    let mut out = Vec::with_capacity(n + anchors.len());
    let mut after_hyphen = false;
    for (k, line) in lines.into_iter().enumerate() {
        let mut it = line_item(line, x, style.size, style.leading, span);
        let between = k >= 2 && n - k >= 2;
        it.break_before = k == 0 || (between && !after_hyphen);
        it.break_verso = between && after_hyphen;
        after_hyphen = matches!(&it.kind, VKind::Line { line, .. } if line.hyphenated);
        keep_with(&mut it, keep);
        // An anchor's mark goes with the line that holds its text: a page may end
        // before the mark, never between it and its line.
        while anchors.first().is_some_and(|(at, _)| *at == k) {
            let (_, id) = anchors.remove(0);
            let level = super::ANCHOR_LEVEL;
            let mark = VKind::Mark { level, text: String::new(), id: Some(id) };
            let mut m = VItem::new(mark, 0, span);
            m.break_before = std::mem::take(&mut it.break_before);
            m.break_verso = std::mem::take(&mut it.break_verso);
            out.push(m);
        }
        out.push(it);
    }
    out
}

/// A line as a vertical item.
fn line_item(line: Line, x: Sp, ascent: Sp, h: Sp, span: Span) -> VItem {
    let mut it = VItem::new(VKind::Line { x, ascent, line: Line::default() }, h, span);
    it.notes = line.notes.clone();
    if let VKind::Line { line: l, .. } = &mut it.kind {
        *l = line;
    }
    it
}

/// Breaks and sets one paragraph at a measure.
pub fn set_para(
    builder: &mut Builder,
    inlines: &[Inline],
    style: &ParaStyle,
    measure: Sp,
    diags: &mut Diagnostics,
) -> Vec<Line> {
    break_para(builder, inlines, style, measure, diags).0
}

/// Breaks and sets one paragraph at a measure; returns its lines and its breaks.
fn break_para(
    builder: &mut Builder,
    inlines: &[Inline],
    style: &ParaStyle,
    measure: Sp,
    diags: &mut Diagnostics,
) -> (Vec<Line>, Vec<usize>) {
    let shaped = shape_para(builder, inlines, style, measure, diags);
    break_shaped(&shaped, style, measure)
}

/// Breaks and sets a shaped paragraph; returns its lines and its breaks.
fn break_shaped(
    (p, prot): &Shaped,
    style: &ParaStyle,
    measure: Sp,
) -> (Vec<Line>, Vec<usize>) {
    let params = Params::for_size(style.size);
    let ragged = (style.align != Align::Justify).then_some(Ragged(2 * style.size));
    let (breaks, _) = linebreak(&p.items, prot, measure, &params, ragged);
    (lines::set(p, &breaks, measure, style.align, prot), breaks)
}

/// Shapes a paragraph for a measure: its horizontal list, and how far each item
/// may hang into the margins.
fn shape_para(
    builder: &mut Builder,
    inlines: &[Inline],
    style: &ParaStyle,
    measure: Sp,
    diags: &mut Diagnostics,
) -> (Para, Vec<(Sp, Sp)>) {
    builder.measure = measure;
    let p = builder.para(inlines, style, diags);
    // Punctuation hangs in justified text only (a ragged edge is not straight).
    let prot = if style.align == Align::Justify && builder.protrusion {
        p.protrusions()
    } else {
        Vec::new()
    };
    (p, prot)
}

/// Marks set lines as content of node `tag`.
fn tag_runs(lines: &mut [Line], tag: Tag) {
    for run in lines.iter_mut().flat_map(|l| &mut l.runs) {
        run.tag = tag;
    }
}

/// Builds the galley of a document.
pub fn build<'a>(
    doc: &'a Document,
    fonts: &'a Fonts,
    geo: &'a Geometry,
    opts: &'a LayoutOptions,
    (refs, kept): (&BTreeMap<String, String>, &mut Option<BTreeMap<usize, Ahead>>),
    diags: &mut Diagnostics,
) -> (Galley, Resetter<'a>) {
    let measure = geo.measure();
    let mut builder = Builder::new(fonts, measure);
    builder.page_refs = refs.clone();
    builder.protrusion = opts.protrusion;
    builder.expansion = opts.expansion;
    builder.rtl = doc.meta.lang.rtl();
    let mut c = Ctx {
        fonts,
        geo,
        opts,
        builder,
        diags,
        out: Vec::new(),
        tables: Vec::new(),
        keep: 0,
        headings: Vec::new(),
        last_line: None,
        tags: Structure::default(),
        parent: DOCUMENT,
        paras: Vec::new(),
        lists: 0,
        ahead: BTreeMap::new(),
    };
    let book = match opts.kind {
        Some(super::Makeup::Book) => true,
        Some(super::Makeup::Pamphlet) => false,
        None => doc.chapters.iter().any(|ch| ch.has_heading),
    };
    // A book's title page is part of its front matter (`front`), made after the
    // text is paginated.
    if opts.kind != Some(super::Makeup::Book) {
        c.title_block(doc, book);
    }
    let base = c.body();
    c.ahead = set_ahead(doc, &c.builder, (base, measure), kept);
    c.blocks(&doc.blocks, Frame { x: 0, measure, base });
    let notes = c.notes(doc);
    let m = &doc.meta;
    let left = if m.authors.is_empty() {
        m.title.clone()
    } else {
        m.lang.join_names(&m.authors)
    };
    let mut structure = c.tags;
    // The builder keeps its languages: a paragraph set again must find them at
    // the same indices.
    structure.langs = c.builder.langs.clone();
    let galley = Galley {
        items: c.out,
        notes,
        heads: (left, m.title.clone()),
        tables: c.tables,
        structure,
    };
    let resetter =
        Resetter { builder: c.builder, paras: c.paras, recent: Vec::new(), shaped: None };
    (galley, resetter)
}
