//! The print PDF: laid-out pages → a krilla document.
//!
//! Input: a [`Layout`] (positions decided), the document's metadata, the images the
//! CLI has read, and [`PdfOptions`]. Output: PDF bytes with the fonts subset and
//! mapped to Unicode (copied text is right, ligatures included), MediaBox, BleedBox
//! and TrimBox on every page, an outline of the headings, links for note references
//! and web addresses, and the metadata (title, authors, language, dates, producer)
//! taken from the manuscript — dates from `SOURCE_DATE_EPOCH` or the manuscript,
//! never the clock. Nothing typographic is decided here.

mod booklet;
mod tagged;
mod wrap;

pub use wrap::{WrapOptions, render_wrap};

use std::collections::BTreeMap;
use std::ops::Range;

use krilla::Document;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::page::PageSettings;
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId};

use crate::backend::epub::{Image, civil};
use crate::layout::fonts::{Face, Feat};
use crate::layout::items::Link;
use crate::layout::structure::{ARTIFACT, Role};
use crate::layout::units::{Sp, to_pt};
use crate::layout::{Fonts, Layout, Numbering};
use crate::model::Metadata;

/// Settings of the PDF edition.
#[derive(Debug, Clone, PartialEq)]
pub struct PdfOptions {
    /// Bleed on each side, in points.
    pub bleed: f32,
    /// The document's date, in Unix seconds (from `SOURCE_DATE_EPOCH` or the
    /// manuscript).
    pub modified: i64,
    /// Trim marks outside the bleed, on an enlarged MediaBox.
    pub crop_marks: bool,
}

/// Trim marks, as offset printers expect them: 0.25 pt lines (thinner ones may not
/// print), 5 mm long, starting 3 pt outside the
/// bleed, so that they never print on the finished page.
const MARK_GAP: f32 = 3.0;
const MARK_LEN: f32 = 14.17;
const MARK_WIDTH: f32 = 0.25;

/// The eight trim marks around a trim box at (x, y, w, h) with bleed `b`, as
/// rectangles (x, y, w, h): two at each corner, in line with the trim edges, wholly
/// outside the bleed.
pub fn mark_rects(x: f32, y: f32, w: f32, h: f32, b: f32) -> Vec<(f32, f32, f32, f32)> {
    let out = b + MARK_GAP;
    let t = MARK_WIDTH;
    let mut bars = Vec::new();
    for &ty in &[y, y + h] {
        bars.push((x - out - MARK_LEN, ty - t / 2.0, MARK_LEN, t));
        bars.push((x + w + out, ty - t / 2.0, MARK_LEN, t));
    }
    for &tx in &[x, x + w] {
        bars.push((tx - t / 2.0, y - out - MARK_LEN, t, MARK_LEN));
        bars.push((tx - t / 2.0, y + h + out, t, MARK_LEN));
    }
    bars
}

fn crop_marks(s: &mut Surface, x: f32, y: f32, w: f32, h: f32, b: f32) {
    for (bx, by, bw, bh) in mark_rects(x, y, w, h, b) {
        if let Some(p) = rect_path(bx, by, bw, bh) {
            s.draw_path(&p);
        }
    }
}

/// Why the PDF could not be written.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// krilla refused the document.
    #[error("cannot write the PDF: {0}")]
    Krilla(String),
}

/// A glyph for krilla, in em units: krilla calls `x_advance(1.0)` for the TJ
/// adjustments and `x_advance(size)` to move the pen, so advances must scale with the
/// size (krilla 0.8, `content.rs`).
struct G {
    id: u32,
    range: Range<usize>,
    adv: f32,
    dx: f32,
    dy: f32,
}

impl krilla::text::Glyph for G {
    fn glyph_id(&self) -> GlyphId {
        GlyphId::new(self.id)
    }
    fn text_range(&self) -> Range<usize> {
        self.range.clone()
    }
    fn x_advance(&self, size: f32) -> f32 {
        self.adv * size
    }
    fn x_offset(&self, size: f32) -> f32 {
        self.dx * size
    }
    fn y_offset(&self, size: f32) -> f32 {
        self.dy * size
    }
    fn y_advance(&self, _: f32) -> f32 {
        0.0
    }
    fn location(&self) -> Option<krilla::surface::Location> {
        None
    }
}

/// The document's fonts as krilla fonts, one per loaded font (so two faces set in
/// one font share one PDF font), made once per document.
pub struct PdfFonts<'a> {
    layout_fonts: &'a Fonts,
    fonts: Vec<Option<Font>>,
}

impl<'a> PdfFonts<'a> {
    /// Loads the document's fonts. A font krilla cannot read is `None` and its text
    /// is not drawn; quire judged every font before setting text with it, so this
    /// does not happen with a font that passed.
    pub fn new(fonts: &'a Fonts) -> Self {
        let pdf = fonts
            .files()
            .map(|f| Font::new(krilla::Data::from(f.data), f.index))
            .collect();
        PdfFonts { layout_fonts: fonts, fonts: pdf }
    }

    fn get(&self, face: Face) -> Option<Font> {
        self.fonts[self.layout_fonts.slot(face)].clone()
    }
}

/// Draws a run of glyphs with its baseline at (x, y).
fn draw_run(
    s: &mut Surface,
    (pf, fonts): (&PdfFonts, &Fonts),
    (face, size, scale): (Face, Sp, f32),
    glyphs: &[crate::layout::fonts::Glyph],
    adv: &[Sp],
    text: &str,
    (x, y): (f32, f32),
) {
    if glyphs.is_empty() {
        return;
    }
    let Some(font) = pf.get(face) else { return };
    let upem = fonts.upem(face) as f32;
    // Expanded glyphs are drawn in a space scaled horizontally (a `cm`, as pdfTeX's
    // expanded fonts are scaled copies): their advances, which already hold the
    // expansion, are given in that space so they land where the layout put them.
    let size_f = size as f32 * scale;
    let ranges = text_ranges(glyphs, text.len());
    let mut out: Vec<G> = Vec::with_capacity(glyphs.len());
    // A character no font has is shaped as glyph 0, `.notdef`, which PDF/A forbids
    // drawing (ISO 19005-2, 6.2.11.8): its advance is left as a gap and its text
    // joins a neighbour's, so the page still reads it.
    let mut lead: Option<(f32, std::ops::Range<usize>)> = None;
    for (k, g) in glyphs.iter().enumerate() {
        let (range, adv) = (ranges[k].clone(), adv[k] as f32 / size_f);
        // An expanded glyph's advance, taken back into the scaled space, is its own
        // but for the rounding of scaled points (a millionth of the em): written as
        // its own, it needs no adjustment in the text object.
        let own = g.adv as f32 / upem;
        let adv = if (adv - own).abs() < 1e-5 { own } else { adv };
        if g.id == 0 {
            match out.last_mut() {
                Some(prev) => {
                    prev.adv += adv;
                    prev.range =
                        prev.range.start.min(range.start)..prev.range.end.max(range.end);
                }
                None => {
                    let (w, r) = lead.take().unwrap_or((0.0, range.clone()));
                    lead =
                        Some((w + adv, r.start.min(range.start)..r.end.max(range.end)));
                }
            }
            continue;
        }
        let mut glyph =
            G { id: g.id, range, adv, dx: g.dx as f32 / upem, dy: g.dy as f32 / upem };
        if let Some((w, r)) = lead.take() {
            glyph.dx += w;
            glyph.adv += w;
            glyph.range = r.start.min(glyph.range.start)..r.end.max(glyph.range.end);
        }
        out.push(glyph);
    }
    if out.is_empty() {
        return;
    }
    settle_adjustments(&mut out, upem, |id| fonts.hmtx_advance(face, id));
    if scale == 1.0 {
        s.draw_glyphs(Point::from_xy(x, y), &out, font, text, to_pt(size), false);
    } else {
        s.push_transform(&Transform::from_row(scale, 0.0, 0.0, 1.0, x, y));
        s.draw_glyphs(Point::from_xy(0.0, 0.0), &out, font, text, to_pt(size), false);
        s.pop();
    }
}

/// The steps the adjustments between glyphs are written in: quarters of a
/// thousandth of the em. Whole thousandths moved glyphs by up to 0.011 pt, enough
/// to move the sample's measured word spacing (p95/median 1.198 → 1.201); quarters
/// keep it, and are exact in binary, so they print short (`-4.75`).
const STEPS: f64 = 4.0;

/// Gives each glyph of a run (but the last, after which nothing is written) an
/// advance that makes krilla write a short number in the text object's array: the
/// adjustment after a glyph is its advance as set less the font's own (`hmtx`), in
/// thousandths of the em (PDF 1.7, 9.4.3, `TJ`). As set, the advances carry the
/// justification's letter- and word-spacing and the rounding of scaled points, so
/// the numbers were all different (`-1.0350952`, `-1.0341492`): long to write and
/// hard to compress, and compressing the page streams was a quarter of a build.
/// Each number is rounded to a step ([`STEPS`]) and what rounding took is carried
/// to the next glyph, so no glyph stands further than a step (0.003 pt at 11.5
/// pt) from where the layout put it, and the run ends where it did. A run with
/// offset glyphs (marks placed by the shaper) is left as it is.
fn settle_adjustments(glyphs: &mut [G], upem: f32, hmtx: impl Fn(u32) -> Option<f32>) {
    if glyphs.iter().any(|g| g.dx != 0.0 || g.dy != 0.0) {
        return;
    }
    let Some((_, settled)) = glyphs.split_last_mut() else { return };
    let mut carry = 0.0f64;
    for g in settled {
        let Some(own) = hmtx(g.id).map(|n| krilla_font_advance(n, upem)) else {
            continue;
        };
        let want = f64::from(g.adv) * 1000.0 - f64::from(own) + carry;
        let nearest = (want * STEPS).round() / STEPS;
        // Some steps no advance gives: then the next nearest; and where the
        // font's advance itself does not come out whole in `f32`, none does, and
        // the number written is the nearest's neighbour (`-8.00003`).
        let next = nearest + if want < nearest { -1.0 } else { 1.0 } / STEPS;
        let (step, adv) = [nearest, next]
            .into_iter()
            .find_map(|w| advance_writing(w as f32, own).map(|adv| (w, adv)))
            .unwrap_or((nearest, (own + nearest as f32) / 1000.0));
        carry = want - step;
        g.adv = adv;
    }
}

/// A glyph's font advance as krilla 0.8 reckons it for the adjustments, in
/// thousandths of the em: `hmtx` over units per em, times 1000, in `f32`.
fn krilla_font_advance(n: f32, upem: f32) -> f32 {
    n / upem * 1000.0
}

/// An advance (em) after which krilla 0.8 writes exactly `-a` in the array: it
/// writes `-((adv·1000 − own) / 1000 · 1000)` in `f32`, so the nearest advance may
/// miss the step by a rounding; the few `f32`s around it are tried.
fn advance_writing(a: f32, own: f32) -> Option<f32> {
    let writes_a = |adv: f32| {
        let x = adv * 1000.0 - own;
        x / 1000.0 * 1000.0 == a && (a != 0.0 || x == 0.0)
    };
    let nearest = (own + a) / 1000.0;
    let (mut up, mut down) = (nearest, nearest);
    for _ in 0..8 {
        if writes_a(up) {
            return Some(up);
        }
        if writes_a(down) {
            return Some(down);
        }
        (up, down) = (up.next_up(), down.next_down());
    }
    None
}

/// The horizontal scale to draw runs of one face and size at: the expanded ones'
/// width as set over their natural width (each run's own scale differs from it
/// only by rounding). Runs that were not expanded — the hyphen added at the line's
/// end — are drawn in the same scaled space, as pdfTeX draws the whole line in its
/// expanded font: their places are exact, their shapes a point or two per cent
/// wider, and the line is one text object rather than several.
fn scale_of(runs: &[crate::layout::lines::Run]) -> f32 {
    let expanded = runs.iter().filter(|r| r.grow != 0);
    let natural: Sp = expanded.clone().map(|r| r.frag.width()).sum();
    let grow: Sp = expanded.map(|r| Sp::from(r.grow)).sum();
    if grow == 0 || natural <= 0 {
        1.0
    } else {
        ((natural + grow) as f64 / natural as f64) as f32
    }
}

/// The text each glyph shows. harfrust's clusters are byte offsets into the shaped
/// text; a glyph's text runs from its cluster to the next greater cluster of the run
/// (a ligature covers several characters). Left to right the clusters rise, and the
/// next greater one is the next glyph's that differs; a right-to-left run has them
/// falling, so there the next greater one is looked up among them all.
fn text_ranges(
    glyphs: &[crate::layout::fonts::Glyph],
    len: usize,
) -> Vec<std::ops::Range<usize>> {
    let rising = glyphs.windows(2).all(|w| w[0].cluster <= w[1].cluster);
    let mut sorted: Vec<usize> = Vec::new();
    if !rising {
        sorted = glyphs.iter().map(|g| g.cluster as usize).collect();
        sorted.sort_unstable();
        sorted.dedup();
    }
    glyphs
        .iter()
        .enumerate()
        .map(|(k, g)| {
            let start = g.cluster as usize;
            let end = if rising {
                glyphs[k + 1..].iter().map(|n| n.cluster as usize).find(|&c| c > start)
            } else {
                sorted.iter().copied().find(|&c| c > start)
            }
            .unwrap_or(len);
            start.min(len)..end.max(start).min(len)
        })
        .collect()
}

/// Draws runs of a line: consecutive runs in the same face and size go out as one
/// glyph sequence, the gaps between them as the font's space glyph widened to the
/// gap — so the page has real spaces for text extraction, and one text object per
/// run of a face rather than one per word. The pen starts at `pen` (a gap before
/// the first run is drawn as a space too).
fn draw_runs(
    s: &mut Surface,
    pf: &PdfFonts,
    fonts: &Fonts,
    runs: &[crate::layout::lines::Run],
    mut pen: Sp,
    (x, y): (f32, f32),
    (follows, trail): (bool, bool),
) {
    let mut k = 0;
    while k < runs.len() {
        let (face, size) = (runs[k].frag.face, runs[k].frag.size);
        let mut end = k + 1;
        while end < runs.len()
            && runs[end].frag.face == face
            && runs[end].frag.size == size
            && runs[end].x >= runs[end - 1].x
        {
            end += 1;
        }
        let scale = scale_of(&runs[k..end]);
        let space = fonts.glyph_id(face, ' ');
        // Room for every glyph and character, with a space before each run and
        // one at the end.
        let group = &runs[k..end];
        let n =
            group.iter().map(|r| r.frag.glyphs.len()).sum::<usize>() + group.len() + 1;
        let mut glyphs = Vec::with_capacity(n);
        let mut adv: Vec<Sp> = Vec::with_capacity(n);
        let mut text = String::with_capacity(
            group.iter().map(|r| r.frag.text.len()).sum::<usize>() + 2 * group.len() + 1,
        );
        // A gap before the first run is a space only where the font has one.
        let origin = if space.is_some() && pen < runs[k].x { pen } else { runs[k].x };
        pen = origin;
        for run in &runs[k..end] {
            let gap = run.x - pen;
            if gap > 0 {
                match (space, adv.last_mut()) {
                    (Some(id), _) => {
                        glyphs.push(crate::layout::fonts::Glyph {
                            id,
                            cluster: text.len() as u32,
                            adv: 0,
                            dx: 0,
                            dy: 0,
                        });
                        adv.push(gap);
                        text.push(' ');
                    }
                    (None, Some(a)) => *a += gap,
                    _ => {}
                }
            } else if gap < 0
                && let Some(a) = adv.last_mut()
            {
                // Compressed CJK punctuation: the next run starts inside the last
                // one's blank half, so the pen steps back.
                *a += gap;
            }
            // A note mark is set against its word but is not part of it: its first
            // glyph stands for a space and the figure, so extracted text reads
            // `society. 4`, not `society.4` (the look is unchanged).
            let lead =
                gap <= 0 && run.frag.is_note_mark() && (follows || !text.is_empty());
            let (base, first) = (text.len() as u32, glyphs.len());
            if lead {
                text.push(' ');
            }
            push_drawn(&run.frag, space, &mut text, &mut glyphs);
            if let Some(g) = glyphs.get_mut(first).filter(|_| lead) {
                g.cluster = base;
            }
            run.push_advances(&mut adv);
            pen = run.x + run.width();
        }
        if let Some(id) = space.filter(|_| trail && end == runs.len()) {
            // The line's end: a space of no width.
            let cluster = text.len() as u32;
            glyphs.push(crate::layout::fonts::Glyph {
                id,
                cluster,
                adv: 0,
                dx: 0,
                dy: 0,
            });
            adv.push(0);
            text.push(' ');
        }
        let at = (x + to_pt(origin), y);
        draw_run(s, (pf, fonts), (face, size, scale), &glyphs, &adv, &text, at);
        k = end;
    }
}

/// Appends a fragment's text as the PDF maps its glyphs to `text`, and its glyphs,
/// each with its cluster in that text, to `glyphs`: a no-break or fixed-width space
/// that the font draws with its space glyph is written as a plain space. The glyph
/// then reads as it does everywhere else, and krilla need not wrap it in a
/// marked-content `/ActualText` of its own (which poppler takes for the end of the
/// enclosing tagged content, losing the rest).
fn push_drawn(
    frag: &crate::layout::items::Frag,
    space: Option<u32>,
    text: &mut String,
    glyphs: &mut Vec<crate::layout::fonts::Glyph>,
) {
    let base = text.len();
    let spacy = |c: char| c != ' ' && c.is_whitespace();
    let Some(space) = space.filter(|_| frag.text.chars().any(spacy)) else {
        text.push_str(&frag.text);
        let at = |g: &crate::layout::fonts::Glyph| g.cluster + base as u32;
        glyphs.extend(
            frag.glyphs
                .iter()
                .map(|g| crate::layout::fonts::Glyph { cluster: at(g), ..*g }),
        );
        return;
    };
    let drawn_as_space =
        |at: usize| frag.glyphs.iter().any(|g| g.cluster as usize == at && g.id == space);
    // Old byte offset → new, for every character start (and the end).
    let mut map: Vec<(usize, usize)> = Vec::new();
    for (i, c) in frag.text.char_indices() {
        map.push((i, text.len() - base));
        if spacy(c) && drawn_as_space(i) { text.push(' ') } else { text.push(c) }
    }
    let end = text.len() - base;
    map.push((frag.text.len(), end));
    let moved = |c: u32| -> u32 {
        let at = map.partition_point(|&(old, _)| old < c as usize);
        (base + map.get(at).map_or(end, |&(_, new)| new)) as u32
    };
    glyphs.extend(
        frag.glyphs
            .iter()
            .map(|g| crate::layout::fonts::Glyph { cluster: moved(g.cluster), ..*g }),
    );
}

/// A link drawn on a page, waiting for its annotation: the line's start and
/// baseline (points), the link's ends on it (scaled points from the line's start)
/// and its type size, the target, and the node and place of its content.
struct PendingLink {
    line: (f32, f32),
    ends: (Sp, Sp),
    size: Sp,
    link: Link,
    tag: crate::layout::structure::Tag,
    at: usize,
}

impl PendingLink {
    /// Its rectangle: the link's width, a type size tall from a little below the
    /// baseline.
    fn rect(&self) -> Option<Rect> {
        let ((x, y), (x0, x1), size) = (self.line, self.ends, to_pt(self.size));
        Rect::from_xywh(x + to_pt(x0), y - size * 0.8, to_pt(x1 - x0).max(1.0), size)
    }
}

/// The marked-content sequence left open after a line: plain text of one node in
/// one language, which the next line of the same node continues (one sequence per
/// paragraph and page, not per line: fewer sequences, a smaller structure tree).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct OpenText {
    tag: crate::layout::structure::Tag,
    lang: u8,
}

/// Ends the open marked-content sequence, if any.
fn close_text(s: &mut Surface, open: &mut Option<OpenText>) {
    if open.take().is_some() {
        s.end_tagged();
    }
}

/// Draws a placed line as marked content: each stretch of runs of one node, link
/// and language is one sequence (see `tagged`); a stretch after the first starts
/// at the end of the one before, so the space between them is drawn (and read)
/// with it; a line that goes on ends with a space of no width, so the words either
/// side of the line break are read apart (ISO 32000-1, 14.8.2.5: word breaks as
/// spaces). Plain text continues the sequence the line before left open; links,
/// words broken across lines and artifacts are sequences of their own.
/// Consecutive stretches with one link make one `Link` element.
#[allow(clippy::too_many_arguments)]
fn draw_line(
    s: &mut Surface,
    (pf, fonts): (&PdfFonts, &Fonts),
    pl: &crate::layout::Placed,
    segs: &[tagged::Seg],
    langs: &[String],
    (x, y): (f32, f32),
    tagging: &mut tagged::Tagging,
    (links, text): (&mut Vec<PendingLink>, &mut Option<OpenText>),
) {
    use krilla::tagging::{Artifact, ArtifactType, ContentTag, SpanTag};
    let line = &pl.line;
    let mut pen = line.runs.first().map_or(0, |r| r.x);
    // A line with right-to-left text: its stretches come in reading order, each
    // read as its text says (see `tagged`, which gives it the space at its end),
    // drawn where it stands.
    let reordered = segs.iter().any(|s| matches!(s.word, Some(tagged::Part::Whole(_))));
    // A line that breaks between words (the layout says) ends with a space.
    let trail = line.word_end && !reordered;
    // Whether the last link drawn on this line is still open (the stretch before
    // linked to it).
    let mut open = false;
    for (k, seg) in segs.iter().enumerate() {
        let runs = &line.runs[seg.runs.clone()];
        let Some(first) = runs.first() else { continue };
        let start = if reordered { first.x } else { pen.min(first.x) };
        let lead = start < first.x && fonts.glyph_id(first.frag.face, ' ').is_some();
        let plain = seg.tag != ARTIFACT && seg.link.is_none() && seg.word.is_none();
        let whole = match &seg.word {
            Some(tagged::Part::Whole(t)) => Some(t.clone()),
            _ => None,
        };
        let here = OpenText { tag: seg.tag, lang: seg.lang };
        let draw = |s: &mut Surface| {
            let last = k + 1 == segs.len();
            draw_runs(
                s,
                pf,
                fonts,
                runs,
                start,
                (x, y),
                (seg.runs.start > 0, last && trail),
            );
        };
        let (x0, x1) = tagged::extent(line, seg);
        pen = pen.max(x1);
        if plain && *text == Some(here) {
            draw(s);
            open = false;
            continue;
        }
        close_text(s, text);
        let id = if seg.tag == ARTIFACT {
            let kind = if pl.repeated() {
                ArtifactType::PaginationOther
            } else {
                ArtifactType::Layout
            };
            s.start_tagged(ContentTag::Artifact(Artifact::with_kind(kind)))
        } else {
            let lang = langs.get(usize::from(seg.lang)).filter(|l| !l.is_empty());
            s.start_tagged(ContentTag::Span(
                SpanTag::empty().with_lang(lang.map(String::as_str)),
            ))
        };
        draw(s);
        if plain {
            *text = Some(here);
        } else {
            s.end_tagged();
        }
        let size = runs.iter().map(|r| r.frag.size).max().unwrap_or(0);
        match (&seg.link, links.last_mut()) {
            _ if seg.tag == ARTIFACT => open = false,
            _ if seg.word.is_some() && seg.link.is_none() => {
                // The whole word, with the space drawn before its head.
                let part = match &seg.word {
                    Some(tagged::Part::Head(w)) if lead => {
                        tagged::Part::Head(format!(" {w}"))
                    }
                    Some(p) => p.clone(),
                    None => tagged::Part::Rest,
                };
                tagging.push_word(seg.tag, id, &part);
                open = false;
            }
            (Some(link), Some(last))
                if open && last.link == *link && last.tag == seg.tag =>
            {
                if let Some(tagged::Content::Link { marks, .. }) = tagging
                    .content
                    .get_mut(last.tag as usize)
                    .and_then(|v| v.get_mut(last.at))
                {
                    marks.push((id, whole));
                }
                last.ends.1 = x1;
                last.size = last.size.max(size);
            }
            (Some(link), _) => {
                let at = tagging.content.get(seg.tag as usize).map_or(0, Vec::len);
                let note = matches!(link, Link::Note(_) | Link::Back(_));
                tagging.push(
                    seg.tag,
                    tagged::Content::Link { marks: vec![(id, whole)], annot: None, note },
                );
                links.push(PendingLink {
                    line: (x, y),
                    ends: (x0, x1),
                    size,
                    link: link.clone(),
                    tag: seg.tag,
                    at,
                });
                open = true;
            }
            (None, _) => {
                tagging.push(seg.tag, tagged::Content::Mark(id));
                open = false;
            }
        }
    }
}

/// Draws a string set in one face, centred on `cx` (running heads, folios).
#[allow(clippy::too_many_arguments)]
fn draw_centred(
    s: &mut Surface,
    pf: &PdfFonts,
    fonts: &Fonts,
    face: Face,
    feat: Feat,
    size: Sp,
    text: &str,
    cx: f32,
    y: f32,
) {
    let glyphs = fonts.shape(face, feat, text);
    let upem = fonts.upem(face);
    let adv: Vec<Sp> =
        glyphs.iter().map(|g| crate::layout::units::scale(g.adv, size, upem)).collect();
    let w: Sp = adv.iter().sum();
    draw_run(
        s,
        (pf, fonts),
        (face, size, 1.0),
        &glyphs,
        &adv,
        text,
        (cx - to_pt(w) / 2.0, y),
    );
}

/// An image as krilla reads it; `None` when krilla cannot (the CLI has decoded
/// every image already, so this does not happen with one that passed).
fn krilla_image(img: &Image) -> Option<krilla::image::Image> {
    let data = krilla::Data::from(img.bytes.clone());
    // No interpolation: PDF/A forbids it (ISO 19005-2, 6.2.8.1).
    match img.info.format {
        image::ImageFormat::Png => krilla::image::Image::from_png(data, false),
        image::ImageFormat::WebP => krilla::image::Image::from_webp(data, false),
        _ => krilla::image::Image::from_jpeg(data, false),
    }
    .ok()
}

fn rect_path(x: f32, y: f32, w: f32, h: f32) -> Option<krilla::geom::Path> {
    let mut pb = PathBuilder::new();
    pb.move_to(x, y);
    pb.line_to(x + w, y);
    pb.line_to(x + w, y + h);
    pb.line_to(x, y + h);
    pb.close();
    pb.finish()
}

/// What drawing a page needs besides the page: the laid-out document, its fonts
/// and images, the words broken across lines, and where the drawing's marked
/// content goes.
struct Drawing<'a> {
    layout: &'a Layout,
    pf: &'a PdfFonts<'a>,
    fonts: &'a Fonts,
    images: &'a BTreeMap<String, Image>,
    words: tagged::Words,
}

/// Draws one laid-out page (index `pi`) with its trim's top-left at (ox, oy), as
/// marked content: text and images as content of their nodes, running heads,
/// folios and rules as artifacts. Returns the links drawn, waiting for their
/// annotations.
fn draw_page(
    s: &mut Surface,
    d: &Drawing,
    pi: usize,
    (ox, oy): (f32, f32),
    tagging: &mut tagged::Tagging,
) -> Vec<PendingLink> {
    use krilla::tagging::{Artifact, ArtifactType, ContentTag};
    let (layout, fonts) = (d.layout, d.fonts);
    let page = &layout.pages[pi];
    let geo = &layout.geometry;
    let langs = &layout.structure.langs;
    let mut links = Vec::new();
    let mut text = None;
    for (li, pl) in page.lines.iter().enumerate() {
        let segs = tagged::segments(pl, &d.words, (pi, li));
        let at = (ox + to_pt(pl.x), oy + to_pt(pl.y));
        draw_line(
            s,
            (d.pf, fonts),
            pl,
            &segs,
            langs,
            at,
            tagging,
            (&mut links, &mut text),
        );
    }
    close_text(s, &mut text);
    if !page.rules.is_empty() {
        s.start_tagged(ContentTag::Artifact(Artifact::with_kind(ArtifactType::Layout)));
        for r in &page.rules {
            if let Some(p) = rect_path(
                ox + to_pt(r.x),
                oy + to_pt(r.y) - to_pt(r.t) / 2.0,
                to_pt(r.w),
                to_pt(r.t),
            ) {
                s.draw_path(&p);
            }
        }
        s.end_tagged();
    }
    for im in &page.images {
        let Some(img) = d.images.get(&im.src) else { continue };
        if let (Some(k), Some(size)) =
            (krilla_image(img), Size::from_wh(to_pt(im.w), to_pt(im.h)))
        {
            let id = s.start_tagged(ContentTag::Other);
            s.push_transform(&Transform::from_translate(
                ox + to_pt(im.x),
                oy + to_pt(im.y),
            ));
            s.draw_image(k, size);
            s.pop();
            s.end_tagged();
            tagging.push(im.tag, tagged::Content::Mark(id));
        }
    }
    let small = geo.size * 4 / 5;
    let cx = ox + to_pt(geo.left(page.number) + geo.measure() / 2);
    if let Some(head) = &page.head {
        let y = oy + to_pt(geo.top - geo.leading * 3 / 2);
        s.start_tagged(ContentTag::Artifact(Artifact::with_kind(ArtifactType::Header)));
        draw_centred(s, d.pf, fonts, Face::ITALIC, Feat::Text, small, head, cx, y);
        s.end_tagged();
    }
    if page.folio {
        let y = oy + to_pt(geo.height - geo.bottom + geo.leading * 2);
        let folio = page.label.to_string();
        let kind = ArtifactType::PageNumber;
        s.start_tagged(ContentTag::Artifact(Artifact::with_kind(kind)));
        draw_centred(s, d.pf, fonts, Face::REGULAR, Feat::Text, small, &folio, cx, y);
        s.end_tagged();
    }
    links
}

/// A page's label (PDF 1.7, 12.4.2): its style and its own number. krilla 0.8
/// writes a range for each page (it merges none), so each page states its number
/// rather than counting on from the range's start.
fn page_label(folio: crate::layout::Folio) -> krilla::page::PageLabel {
    let style = match folio.numbering {
        Numbering::Roman => krilla::page::NumberingStyle::LowerRoman,
        Numbering::Arabic => krilla::page::NumberingStyle::Arabic,
    };
    krilla::page::PageLabel::new(Some(style), None, std::num::NonZeroU32::new(folio.n))
}

/// A link target: a place on a page (y from the top, in points).
fn goto(page: usize, y: f32) -> krilla::annotation::Target {
    krilla::annotation::Target::Destination(
        krilla::destination::XyzDestination::new(page, Point::from_xy(0.0, y.max(0.0)))
            .into(),
    )
}

fn pdf_date(unix: i64) -> krilla::metadata::DateTime {
    let (y, mo, d, h, mi, sec) = civil(unix);
    krilla::metadata::DateTime::new(y.clamp(0, 9999) as u16)
        .month(mo as u8)
        .day(d as u8)
        .hour(h as u8)
        .minute(mi as u8)
        .second(sec as u8)
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

/// The document metadata, reproducibly.
pub fn metadata(meta: &Metadata, modified: i64) -> krilla::metadata::Metadata {
    let mut md = krilla::metadata::Metadata::new()
        .title(meta.title.clone())
        .authors(meta.authors.clone())
        .language(meta.lang.tag().to_string())
        .producer(format!("quire {}", env!("CARGO_PKG_VERSION")))
        .creator("quire".to_string())
        .creation_date(pdf_date(modified))
        .keywords(meta.subjects.clone())
        // The document ID comes from the identifier, so rebuilds keep it.
        .document_id(meta.identifier.clone());
    if let Some(d) = &meta.description {
        md = md.description(d.clone());
    }
    if meta.lang.rtl() {
        // ViewerPreferences /Direction /R2L (PDF 1.7, 12.2): viewers show facing
        // pages right to left, as the book binds.
        md = md.text_direction(krilla::metadata::TextDirection::RightToLeft);
    }
    md
}

/// What krilla refused, in words a reader of the warning can act on.
fn describe(e: &krilla::error::KrillaError) -> String {
    use krilla::configure::ValidationError as V;
    use krilla::error::KrillaError as K;
    match e {
        K::Validation(list) => {
            let mut why: Vec<String> = Vec::new();
            for (v, _) in list {
                let w = match v {
                    V::ContainsNotDefGlyph(_, _, text) => {
                        format!("no font has a glyph for `{text}`")
                    }
                    V::NoCodepointMapping(..) | V::InvalidCodepointMapping(..) => {
                        "a glyph has no Unicode meaning".to_string()
                    }
                    V::MissingAltText(_) => {
                        "an image has no alternative text".to_string()
                    }
                    V::RestrictedLicense(_) => {
                        "a font's licence forbids embedding".to_string()
                    }
                    V::UnicodePrivateArea(_, _, c, _) => format!(
                        "the text uses U+{:04X}, a private-use character, which has no meaning a reader can be told",
                        u32::from(*c)
                    ),
                    V::MissingHeadingTitle => "a heading has no text".to_string(),
                    V::NoDocumentTitle => "the document has no title".to_string(),
                    V::NoDocumentLanguage => "the document has no language".to_string(),
                    V::MissingDocumentOutline => {
                        "the document has no outline".to_string()
                    }
                    other => format!("{other:?}"),
                };
                if !why.contains(&w) {
                    why.push(w);
                }
            }
            why.join("; ")
        }
        other => format!("{other:?}"),
    }
}

/// What a written PDF conforms to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conformance {
    /// Tagged and accessible (PDF/UA-1, ISO 14289-1) and archival at level A
    /// (PDF/A-2a, ISO 19005-2): the aim.
    UaA2a,
    /// Tagged, archival at level B (PDF/A-2b): what a manuscript with an image
    /// without alternative text gets — PDF/UA-1 and PDF/A-2a require one.
    A2b,
    /// Tagged, but neither: krilla's validators refused both.
    Plain,
    /// Not even tagged: krilla refused the structure (which should not happen).
    Untagged,
}

impl Conformance {
    /// Its name, as the build's summary line gives it.
    pub fn name(self) -> &'static str {
        match self {
            Conformance::UaA2a => "PDF/UA-1 + PDF/A-2a",
            Conformance::A2b => "PDF/A-2b",
            Conformance::Plain => "tagged PDF 1.7",
            Conformance::Untagged => "untagged PDF 1.7",
        }
    }

    /// krilla's settings for it: every edition is tagged (the structure costs a
    /// reader nothing and serves every one who needs it).
    fn settings(self) -> Result<krilla::SerializeSettings, String> {
        use krilla::configure::{Accessibility, Archival, ConfigurationBuilder};
        let builder = ConfigurationBuilder::new();
        let builder = match self {
            Conformance::UaA2a => builder
                .with_accessibility_validator(Accessibility::UA1)
                .with_archival_validator(Archival::A2_A),
            Conformance::A2b => builder.with_archival_validator(Archival::A2_B),
            Conformance::Plain | Conformance::Untagged => builder,
        };
        let configuration = builder.finish().map_err(|e| format!("{e:?}"))?;
        Ok(krilla::SerializeSettings {
            configuration,
            enable_tagging: self != Conformance::Untagged,
            ..Default::default()
        })
    }
}

/// A written PDF, and what it conforms to.
#[derive(Debug, Clone)]
pub struct Written {
    /// The file.
    pub bytes: Vec<u8>,
    /// What it conforms to.
    pub conformance: Conformance,
    /// Why it is not PDF/UA-1 + PDF/A-2a, if it is not: the images without
    /// alternative text (their manuscript spans), and what krilla's validators
    /// refused otherwise.
    pub images_without_alt: Vec<crate::diag::Span>,
    /// What krilla's validators refused, in words, when that is not only the
    /// images without alternative text.
    pub refused: Option<String>,
}

/// Renders the laid-out pages as a tagged PDF with trim and bleed boxes:
/// PDF/UA-1 + PDF/A-2a when the document allows, else PDF/A-2b (an image without
/// alternative text), else a plain tagged PDF — saying why, never silently.
pub fn render(
    layout: &Layout,
    meta: &Metadata,
    fonts: &Fonts,
    images: &BTreeMap<String, Image>,
    opts: &PdfOptions,
) -> Result<Written, PdfError> {
    let images_without_alt: Vec<crate::diag::Span> = layout
        .structure
        .nodes
        .iter()
        .filter(|n| matches!(&n.role, Role::Figure { .. }) && n.role.alt().is_none())
        .map(|n| n.span)
        .collect();
    // An image without alternative text cannot be PDF/UA-1 or PDF/A-2a: no need
    // to try.
    let first = if images_without_alt.is_empty() { 0 } else { 1 };
    // Last, untagged: should krilla refuse the structure itself, the print edition
    // is still written, and the build says why.
    let ladder =
        [Conformance::UaA2a, Conformance::A2b, Conformance::Plain, Conformance::Untagged];
    let mut refused: Option<String> = None;
    for conformance in ladder[first..].iter().copied() {
        let result = conformance
            .settings()
            .map_err(PdfError::Krilla)
            .and_then(|s| render_with(layout, meta, fonts, images, opts, s));
        match result {
            Ok(bytes) => {
                return Ok(Written { bytes, conformance, images_without_alt, refused });
            }
            Err(PdfError::Krilla(why)) => {
                refused.get_or_insert(why);
            }
        }
    }
    Err(PdfError::Krilla(refused.unwrap_or_default()))
}

fn render_with(
    layout: &Layout,
    meta: &Metadata,
    fonts: &Fonts,
    images: &BTreeMap<String, Image>,
    opts: &PdfOptions,
    settings: krilla::SerializeSettings,
) -> Result<Vec<u8>, PdfError> {
    let geo = &layout.geometry;
    let pf = PdfFonts::new(fonts);
    let (w, h, b) = (to_pt(geo.width), to_pt(geo.height), opts.bleed);
    // Room for trim marks outside the bleed, and the offset of the trim's corner.
    let m = if opts.crop_marks { MARK_GAP + MARK_LEN + 6.0 } else { 0.0 };
    let o = m + b;
    let mut doc = Document::new_with(settings);
    doc.set_metadata(metadata(meta, opts.modified));
    let targets = Targets::new(layout, o);
    let d =
        Drawing { layout, pf: &pf, fonts, images, words: tagged::broken_words(layout) };
    let mut tagging = tagged::Tagging::new(&layout.structure);
    let mut outline = Outline::default();
    // Page labels only where the printed numbers are not the pages' places (a
    // book's roman front matter): viewers then show the printed numbers.
    let labelled = layout.pages.iter().any(|p| p.label.numbering == Numbering::Roman);
    for (pi, page) in layout.pages.iter().enumerate() {
        let mut settings = PageSettings::from_wh(w + 2.0 * o, h + 2.0 * o)
            .ok_or_else(|| PdfError::Krilla("page size".into()))?
            .with_bleed_box(Rect::from_xywh(m, m, w + 2.0 * b, h + 2.0 * b))
            .with_trim_box(Rect::from_xywh(o, o, w, h));
        if labelled {
            settings = settings.with_page_label(page_label(page.label));
        }
        let mut p = doc.start_page_with(settings);
        let mut s = p.surface();
        let links = draw_page(&mut s, &d, pi, (o, o), &mut tagging);
        if opts.crop_marks {
            use krilla::tagging::{Artifact, ArtifactType, ContentTag};
            s.start_tagged(ContentTag::Artifact(Artifact::with_kind(ArtifactType::Page)));
            crop_marks(&mut s, o, o, w, h, b);
            s.end_tagged();
        }
        s.finish();
        for pending in links {
            let Some(target) = targets.of(&pending.link) else { continue };
            let Some(rect) = pending.rect() else { continue };
            let alt = match &pending.link {
                Link::Url(u) => u.to_string(),
                Link::Note(n) => format!("Note {n}"),
                Link::Back(n) => format!("Back to the reference to note {n}"),
                Link::Internal(id) => format!("Go to #{id}"),
            };
            let annot =
                p.add_tagged_annotation(krilla::annotation::Annotation::new_link(
                    krilla::annotation::LinkAnnotation::new(rect, target),
                    Some(alt),
                ));
            if let Some(tagged::Content::Link { annot: slot, .. }) = tagging
                .content
                .get_mut(pending.tag as usize)
                .and_then(|v| v.get_mut(pending.at))
            {
                *slot = Some(annot);
            }
        }
        p.finish();
        for mk in page.marks.iter().filter(|m| m.level != crate::layout::ANCHOR_LEVEL) {
            outline.add(mk, pi, o);
        }
    }
    doc.set_outline(outline.finish());
    doc.set_tag_tree(tagged::tree(&layout.structure, tagging, meta.lang.tag()));
    finish(doc)
}

/// Where links go: each note's first line, each note's first reference, each
/// heading (y from the page's top, in points, with the trim's offset `o`).
struct Targets<'a> {
    notes: BTreeMap<u32, (usize, f32)>,
    refs: BTreeMap<u32, (usize, f32)>,
    ids: BTreeMap<&'a str, (usize, f32)>,
}

impl<'a> Targets<'a> {
    fn new(layout: &'a Layout, o: f32) -> Self {
        let mut t = Targets {
            notes: BTreeMap::new(),
            refs: BTreeMap::new(),
            ids: BTreeMap::new(),
        };
        for (pi, p) in layout.pages.iter().enumerate() {
            for (n, y) in &p.note_starts {
                t.notes.entry(*n).or_insert((pi, o + to_pt(*y)));
            }
            for m in &p.marks {
                if let Some(id) = &m.id {
                    t.ids.entry(id).or_insert((pi, o + to_pt(m.y)));
                }
            }
            for pl in &p.lines {
                for r in &pl.line.runs {
                    if let Some(n) = r.frag.note_anchor {
                        t.refs.entry(n.get()).or_insert((pi, o + to_pt(pl.y)));
                    }
                }
            }
        }
        t
    }

    /// A link's target, if it has one in this document.
    fn of(&self, link: &Link) -> Option<krilla::annotation::Target> {
        Some(match link {
            Link::Url(u) => {
                krilla::annotation::Target::Action(krilla::action::Action::Link(
                    krilla::action::LinkAction::new(u.to_string()),
                ))
            }
            Link::Note(n) => self.notes.get(n).map(|&(np, y)| goto(np, y - 20.0))?,
            Link::Back(n) => self.refs.get(n).map(|&(np, y)| goto(np, y - 20.0))?,
            Link::Internal(id) => self.ids.get(&**id).map(|&(np, y)| goto(np, y))?,
        })
    }
}

/// The outline being built from the headings, in order: a stack of open entries.
#[derive(Default)]
struct Outline {
    done: krilla::outline::Outline,
    stack: Vec<(u8, krilla::outline::OutlineNode)>,
}

impl Outline {
    /// Closes the open entries at `level` or deeper.
    fn close(&mut self, level: u8) {
        while self.stack.last().is_some_and(|(l, _)| *l >= level) {
            let (_, node) = self.stack.pop().expect("non-empty");
            match self.stack.last_mut() {
                Some((_, parent)) => parent.push_child(node),
                None => self.done.push_child(node),
            }
        }
    }

    /// Adds a heading on page `pi`.
    fn add(&mut self, mk: &crate::layout::Mark, pi: usize, o: f32) {
        let level = mk.level.max(1);
        self.close(level);
        let dest = krilla::destination::XyzDestination::new(
            pi,
            Point::from_xy(0.0, o + to_pt(mk.y)),
        );
        self.stack
            .push((level, krilla::outline::OutlineNode::new(mk.text.clone(), dest)));
    }

    fn finish(mut self) -> krilla::outline::Outline {
        self.close(0);
        self.done
    }
}

/// Writes the document out. krilla is a dependency: should it panic on a font it
/// cannot serialise, the build gets an error rather than aborting.
fn finish(doc: Document) -> Result<Vec<u8>, PdfError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| doc.finish()))
        .map_err(|_| PdfError::Krilla("a font could not be written into the PDF".into()))?
        .map_err(|e| PdfError::Krilla(describe(&e)))
}

/// Settings of the imposed booklet.
#[derive(Debug, Clone, PartialEq)]
pub struct BookletOptions {
    /// How the printer turns the sheet.
    pub duplex: crate::print::Duplex,
    /// Creep compensation per sheet, in points: sheet s (0 = outermost) has its pages
    /// moved s × this toward the spine.
    pub creep: f32,
    /// The document's date, as for the pamphlet.
    pub modified: i64,
    /// The sheet, in points (landscape: two pages wide).
    pub sheet: (f32, f32),
    /// Pages per signature (gathering), a multiple of four; `None`: one signature.
    pub signature: Option<usize>,
}

/// The booklet made from the pamphlet's own PDF (`pdf`, rendered from `layout`):
/// its pages' content streams copied, still compressed, and placed two-up as
/// [`render_booklet`] draws them; `None` when the PDF is not one quire wrote.
pub fn booklet_from_pdf(
    pdf: &[u8],
    layout: &Layout,
    meta: &Metadata,
    opts: &BookletOptions,
) -> Option<Vec<u8>> {
    let geo = &layout.geometry;
    let trim = (to_pt(geo.width), to_pt(geo.height));
    booklet::from_pamphlet(pdf, trim, opts, meta.lang.rtl())
}

/// The pamphlet imposed for saddle stitching: its already laid-out pages two-up on
/// sheets of twice the trim, landscape (A5 → A4), in saddle-stitch order (sheet s:
/// front [N − 2s, 1 + 2s], back [2 + 2s, N − 1 − 2s]; `print::saddle_stitch`), at
/// full size and without bleed — each half clipped to its trim. For long-edge duplex
/// the backs are turned 180° (psbook), so the sheet reads right way up after the
/// printer flips it.
pub fn render_booklet(
    layout: &Layout,
    meta: &Metadata,
    fonts: &Fonts,
    images: &BTreeMap<String, Image>,
    opts: &BookletOptions,
) -> Result<Vec<u8>, PdfError> {
    let geo = &layout.geometry;
    let pf = PdfFonts::new(fonts);
    let (w, h) = (to_pt(geo.width), to_pt(geo.height));
    // A print artefact, untagged: the pamphlet PDF is the accessible one.
    let settings = Conformance::Untagged.settings().map_err(PdfError::Krilla)?;
    let mut doc = Document::new_with(settings);
    let d = Drawing { layout, pf: &pf, fonts, images, words: tagged::Words::default() };
    let mut tagging = tagged::Tagging::new(&layout.structure);
    doc.set_metadata(metadata(meta, opts.modified));
    let sides = crate::print::impose(
        layout.pages.len(),
        opts.signature,
        opts.duplex,
        meta.lang.rtl(),
    );
    for side in sides {
        {
            let (sw, sh) = opts.sheet;
            let settings = PageSettings::from_wh(sw, sh)
                .ok_or_else(|| PdfError::Krilla("sheet size".into()))?
                .with_trim_box(Rect::from_xywh(0.0, 0.0, sw, sh));
            let mut p = doc.start_page_with(settings);
            let mut s = p.surface();
            let turned = side.turned;
            if turned {
                s.push_transform(&Transform::from_row(-1.0, 0.0, 0.0, -1.0, sw, sh));
            }
            for (half, number) in side.pages.iter().enumerate() {
                let Some(n) = number else { continue };
                let at = crate::print::half_place(
                    (sw, sh),
                    (w, h),
                    half,
                    side.nest,
                    opts.creep,
                );
                if let Some(clip) = rect_path(at.clip_x, at.y, w, h) {
                    s.push_clip_path(&clip, &krilla::paint::FillRule::NonZero);
                    draw_page(&mut s, &d, n - 1, (at.page_x, at.y), &mut tagging);
                    s.pop();
                }
            }
            if turned {
                s.pop();
            }
            s.finish();
            p.finish();
        }
    }
    finish(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What krilla 0.8 writes between glyphs for a run without offsets
    /// (`content.rs`, `encode_glyphs_with_individual_positioning`), in thousandths of
    /// the em, with a pen in the same units: the pen after each glyph but the last.
    fn krilla_writes(
        glyphs: &[G],
        upem: f32,
        hmtx: impl Fn(u32) -> f32,
    ) -> Vec<(f32, f64)> {
        let mut pen = 0.0f64;
        let mut out = Vec::new();
        for g in &glyphs[..glyphs.len() - 1] {
            let own = hmtx(g.id) / upem * 1000.0;
            let a = g.adv * 1000.0 - own;
            let written = -(a / 1000.0 * 1000.0);
            pen += f64::from(own) - f64::from(written);
            out.push((written, pen));
        }
        out
    }

    #[test]
    fn adjustments_are_quarter_thousandths_and_glyphs_stay_within_a_step_of_where_they_were_set()
     {
        let hmtx = |id: u32| [250.0, 480.0, 517.0, 333.0, 612.0, 1000.0][id as usize % 6];
        let upem = 1000.0;
        // A justified line: letter-spacing of 1.0351 thousandths, word spaces 4.9705
        // wider, a kern of −14 here and there, as set in scaled points.
        let mut glyphs: Vec<G> = (0..400u32)
            .map(|k| {
                let extra = if k % 6 == 0 { 4.9705 } else { 1.0351 };
                let kern = if k % 17 == 0 { -14.0 } else { 0.0 };
                let adv = (hmtx(k) + kern + extra) / 1000.0 + (k % 7) as f32 * 1.3e-6;
                G { id: k, range: 0..0, adv, dx: 0.0, dy: 0.0 }
            })
            .collect();
        let set: Vec<f64> = glyphs
            .iter()
            .scan(0.0f64, |pen, g| {
                *pen += f64::from(g.adv) * 1000.0;
                Some(*pen)
            })
            .collect();
        settle_adjustments(&mut glyphs, upem, |id| Some(hmtx(id)));
        let written = krilla_writes(&glyphs, upem, hmtx);
        let in_steps = |w: f32| (f64::from(w) * STEPS).fract() == 0.0;
        let steps = written.iter().filter(|(w, _)| in_steps(*w)).count();
        assert!(
            steps * 100 >= written.len() * 90,
            "{steps} of {} in steps",
            written.len()
        );
        for (k, (_, pen)) in written.iter().enumerate() {
            assert!(
                (pen - set[k]).abs() <= 1.0 / STEPS + 1e-3,
                "glyph {k}: {pen} against {}",
                set[k]
            );
        }
    }

    #[test]
    fn a_run_with_offset_glyphs_keeps_its_advances() {
        let mut glyphs = vec![
            G { id: 1, range: 0..1, adv: 0.5013, dx: 0.0, dy: 0.0 },
            G { id: 2, range: 1..2, adv: 0.0, dx: -0.2, dy: 0.1 },
            G { id: 3, range: 2..3, adv: 0.4, dx: 0.0, dy: 0.0 },
        ];
        let before: Vec<f32> = glyphs.iter().map(|g| g.adv).collect();
        settle_adjustments(&mut glyphs, 1000.0, |_| Some(500.0));
        assert_eq!(glyphs.iter().map(|g| g.adv).collect::<Vec<_>>(), before);
    }

    #[test]
    fn trim_marks_lie_outside_the_bleed() {
        let (x, y, w, h, b) = (40.0, 40.0, 419.53, 595.28, 8.5);
        let marks = mark_rects(x, y, w, h, b);
        assert_eq!(marks.len(), 8);
        for (mx, my, mw, mh) in marks {
            let inside_x = mx < x + w + b && mx + mw > x - b;
            let inside_y = my < y + h + b && my + mh > y - b;
            assert!(!(inside_x && inside_y), "mark at {mx},{my} overlaps the bleed");
            // And within the enlarged page.
            assert!(mx >= 0.0 && my >= 0.0);
        }
    }
}
