//! The print PDF: laid-out pages → a krilla document.
//!
//! Input: a [`Layout`] (positions decided), the document's metadata, the images the
//! CLI has read, and [`PdfOptions`]. Output: PDF bytes with the fonts subset and
//! mapped to Unicode (copied text is right, ligatures included), MediaBox, BleedBox
//! and TrimBox on every page, an outline of the headings, links for note references
//! and web addresses, and the metadata (title, authors, language, dates, producer)
//! taken from the manuscript — dates from `SOURCE_DATE_EPOCH` or the manuscript,
//! never the clock. Nothing typographic is decided here.

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
use crate::layout::units::{Sp, to_pt};
use crate::layout::{Fonts, Layout, Page};
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
#[allow(clippy::too_many_arguments)]
fn draw_run(
    s: &mut Surface,
    pf: &PdfFonts,
    fonts: &Fonts,
    face: Face,
    size: Sp,
    glyphs: &[crate::layout::fonts::Glyph],
    adv: &[Sp],
    text: &str,
    x: f32,
    y: f32,
) {
    if glyphs.is_empty() {
        return;
    }
    let Some(font) = pf.get(face) else { return };
    let upem = fonts.upem(face) as f32;
    let size_f = size as f32;
    let ranges = text_ranges(glyphs, text.len());
    let mut out: Vec<G> = Vec::with_capacity(glyphs.len());
    // A character no font has is shaped as glyph 0, `.notdef`, which PDF/A forbids
    // drawing (ISO 19005-2, 6.2.11.8): its advance is left as a gap and its text
    // joins a neighbour's, so the page still reads it.
    let mut lead: Option<(f32, std::ops::Range<usize>)> = None;
    for (k, g) in glyphs.iter().enumerate() {
        let (range, adv) = (ranges[k].clone(), adv[k] as f32 / size_f);
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
    s.draw_glyphs(Point::from_xy(x, y), &out, font, text, to_pt(size), false);
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

/// Draws a line: consecutive runs in the same face and size go out as one glyph
/// sequence, the gaps between them as the font's space glyph widened to the gap — so
/// the page has real spaces for text extraction, and one text object per run of a
/// face rather than one per word.
fn draw_line(
    s: &mut Surface,
    pf: &PdfFonts,
    fonts: &Fonts,
    line: &crate::layout::lines::Line,
    x: f32,
    y: f32,
) {
    let runs = &line.runs;
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
        let space = fonts.glyph_id(face, ' ');
        let mut glyphs = Vec::new();
        let mut adv: Vec<Sp> = Vec::new();
        let mut text = String::new();
        let mut pen = runs[k].x;
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
            let lead = gap <= 0 && run.frag.is_note_mark() && !text.is_empty();
            let base = text.len() as u32;
            if lead {
                text.push(' ');
            }
            glyphs.extend(run.frag.glyphs.iter().enumerate().map(|(i, g)| {
                let cluster = match (lead, i) {
                    (true, 0) => base,
                    (true, _) => g.cluster + base + 1,
                    (false, _) => g.cluster + base,
                };
                crate::layout::fonts::Glyph { cluster, ..*g }
            }));
            adv.extend_from_slice(&run.advances());
            text.push_str(&run.frag.text);
            pen = run.x + run.width();
        }
        draw_run(s, pf, fonts, face, size, &glyphs, &adv, &text, x + to_pt(runs[k].x), y);
        k = end;
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
    draw_run(s, pf, fonts, face, size, &glyphs, &adv, text, cx - to_pt(w) / 2.0, y);
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

/// The stretches of a line that link somewhere: consecutive runs with the same
/// target make one (the spaces between their words included), with the largest
/// type size among them.
fn link_spans(line: &crate::layout::lines::Line) -> Vec<(Sp, Sp, Sp, Link)> {
    let mut out: Vec<(Sp, Sp, Sp, Link)> = Vec::new();
    let mut open = false;
    for run in &line.runs {
        let Some(link) = &run.frag.link else {
            open = false;
            continue;
        };
        let end = run.x + run.width();
        match out.last_mut() {
            Some(last) if open && last.3 == *link => {
                last.1 = end;
                last.2 = last.2.max(run.frag.size);
            }
            _ => out.push((run.x, end, run.frag.size, link.clone())),
        }
        open = true;
    }
    out
}

/// Draws one laid-out page with its trim's top-left at (ox, oy); returns the link
/// rectangles (in the same coordinates) with their targets.
#[allow(clippy::too_many_arguments)]
pub fn draw_page(
    s: &mut Surface,
    page: &Page,
    layout: &Layout,
    pf: &PdfFonts,
    fonts: &Fonts,
    images: &BTreeMap<String, Image>,
    ox: f32,
    oy: f32,
) -> Vec<(Rect, Link)> {
    let geo = &layout.geometry;
    let mut links = Vec::new();
    for pl in &page.lines {
        draw_line(s, pf, fonts, &pl.line, ox + to_pt(pl.x), oy + to_pt(pl.y));
        for (x0, x1, size, link) in link_spans(&pl.line) {
            let x = ox + to_pt(pl.x + x0);
            let y = oy + to_pt(pl.y);
            let size = to_pt(size);
            if let Some(r) =
                Rect::from_xywh(x, y - size * 0.8, to_pt(x1 - x0).max(1.0), size)
            {
                links.push((r, link));
            }
        }
    }
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
    for im in &page.images {
        let Some(img) = images.get(&im.src) else { continue };
        let data = krilla::Data::from(img.bytes.clone());
        // No interpolation: PDF/A forbids it (ISO 19005-2, 6.2.8.1).
        let k = match img.info.format {
            image::ImageFormat::Png => krilla::image::Image::from_png(data, false),
            image::ImageFormat::WebP => krilla::image::Image::from_webp(data, false),
            _ => krilla::image::Image::from_jpeg(data, false),
        };
        if let (Ok(k), Some(size)) = (k, Size::from_wh(to_pt(im.w), to_pt(im.h))) {
            s.push_transform(&Transform::from_translate(
                ox + to_pt(im.x),
                oy + to_pt(im.y),
            ));
            s.draw_image(k, size);
            s.pop();
        }
    }
    let small = geo.size * 4 / 5;
    let cx = ox + to_pt(geo.left(page.number) + geo.measure() / 2);
    if let Some(head) = &page.head {
        let y = oy + to_pt(geo.top - geo.leading * 3 / 2);
        draw_centred(s, pf, fonts, Face::ITALIC, Feat::Text, small, head, cx, y);
    }
    if page.folio {
        let y = oy + to_pt(geo.height - geo.bottom + geo.leading * 2);
        draw_centred(
            s,
            pf,
            fonts,
            Face::REGULAR,
            Feat::Text,
            small,
            &page.number.to_string(),
            cx,
            y,
        );
    }
    links
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

/// A written PDF, and what it conforms to.
#[derive(Debug, Clone)]
pub struct Written {
    /// The file.
    pub bytes: Vec<u8>,
    /// Why the file is a plain PDF rather than PDF/A-2b, if it is: krilla's validator
    /// refused the document, for this reason.
    pub not_pdfa: Option<String>,
}

/// Renders the laid-out pages as a PDF/A-2b file with trim and bleed boxes; if
/// krilla's PDF/A validator refuses the document, as a plain PDF instead, saying why.
pub fn render(
    layout: &Layout,
    meta: &Metadata,
    fonts: &Fonts,
    images: &BTreeMap<String, Image>,
    opts: &PdfOptions,
) -> Result<Written, PdfError> {
    let pdfa = krilla::configure::ConfigurationBuilder::new()
        .with_archival_validator(krilla::configure::Archival::A2_B)
        .finish()
        .map_err(|e| format!("{e:?}"));
    let refused = match pdfa {
        Ok(configuration) => {
            let settings =
                krilla::SerializeSettings { configuration, ..Default::default() };
            match render_with(layout, meta, fonts, images, opts, settings) {
                Ok(bytes) => return Ok(Written { bytes, not_pdfa: None }),
                Err(PdfError::Krilla(why)) => why,
            }
        }
        Err(e) => e,
    };
    let settings = krilla::SerializeSettings::default();
    let bytes = render_with(layout, meta, fonts, images, opts, settings)?;
    Ok(Written { bytes, not_pdfa: Some(refused) })
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
    // Where each note starts, for the links from its references, and where each
    // heading stands, for links to it.
    let mut note_at: BTreeMap<u32, (usize, f32)> = BTreeMap::new();
    let mut id_at: BTreeMap<&str, (usize, f32)> = BTreeMap::new();
    for (pi, p) in layout.pages.iter().enumerate() {
        for (n, y) in &p.note_starts {
            note_at.entry(*n).or_insert((pi, o + to_pt(*y)));
        }
        for m in &p.marks {
            if let Some(id) = &m.id {
                id_at.entry(id).or_insert((pi, o + to_pt(m.y)));
            }
        }
    }
    let mut outline = krilla::outline::Outline::new();
    let mut stack: Vec<(u8, krilla::outline::OutlineNode)> = Vec::new();
    let close = |stack: &mut Vec<(u8, krilla::outline::OutlineNode)>,
                 outline: &mut krilla::outline::Outline,
                 level: u8| {
        while stack.last().is_some_and(|(l, _)| *l >= level) {
            let (_, node) = stack.pop().expect("non-empty");
            match stack.last_mut() {
                Some((_, parent)) => parent.push_child(node),
                None => outline.push_child(node),
            }
        }
    };
    for (pi, page) in layout.pages.iter().enumerate() {
        let settings = PageSettings::from_wh(w + 2.0 * o, h + 2.0 * o)
            .ok_or_else(|| PdfError::Krilla("page size".into()))?
            .with_bleed_box(Rect::from_xywh(m, m, w + 2.0 * b, h + 2.0 * b))
            .with_trim_box(Rect::from_xywh(o, o, w, h));
        let mut p = doc.start_page_with(settings);
        let mut s = p.surface();
        let links = draw_page(&mut s, page, layout, &pf, fonts, images, o, o);
        if opts.crop_marks {
            crop_marks(&mut s, o, o, w, h, b);
        }
        s.finish();
        for (rect, link) in links {
            let target = match &link {
                Link::Url(u) => {
                    krilla::annotation::Target::Action(krilla::action::Action::Link(
                        krilla::action::LinkAction::new(u.to_string()),
                    ))
                }
                Link::Note(n) => match note_at.get(n) {
                    Some(&(np, y)) => goto(np, y - 20.0),
                    None => continue,
                },
                Link::Internal(id) => match id_at.get(&**id) {
                    Some(&(np, y)) => goto(np, y),
                    None => continue,
                },
            };
            let alt = match &link {
                Link::Url(u) => u.to_string(),
                Link::Note(n) => format!("Note {n}"),
                Link::Internal(id) => format!("Go to #{id}"),
            };
            p.add_annotation(krilla::annotation::Annotation::new_link(
                krilla::annotation::LinkAnnotation::new(rect, target),
                Some(alt),
            ));
        }
        p.finish();
        for mk in &page.marks {
            let level = mk.level.max(1);
            close(&mut stack, &mut outline, level);
            let dest = krilla::destination::XyzDestination::new(
                pi,
                Point::from_xy(0.0, o + to_pt(mk.y)),
            );
            stack.push((level, krilla::outline::OutlineNode::new(mk.text.clone(), dest)));
        }
    }
    close(&mut stack, &mut outline, 0);
    doc.set_outline(outline);
    finish(doc)
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
    let mut doc = Document::new();
    doc.set_metadata(metadata(meta, opts.modified));
    let sides = crate::print::impose(
        layout.pages.len(),
        opts.signature,
        opts.duplex,
        meta.lang.rtl(),
    );
    for side in sides {
        let shift = crate::print::creep_shift(side.nest, f64::from(opts.creep)) as f32;
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
                let page = &layout.pages[n - 1];
                // The two pages meet at the sheet's centre line, the fold.
                let x0 = (sw - 2.0 * w) / 2.0 + half as f32 * w;
                let y0 = (sh - h) / 2.0;
                // Creep: inner sheets' pages move toward the fold.
                let ox = if half == 0 { x0 + shift } else { x0 - shift };
                if let Some(clip) = rect_path(x0, y0, w, h) {
                    s.push_clip_path(&clip, &krilla::paint::FillRule::NonZero);
                    draw_page(&mut s, page, layout, &pf, fonts, images, ox, y0);
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
