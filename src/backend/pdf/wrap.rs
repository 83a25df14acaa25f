//! The cover wrap as a PDF: one page, the laid-out [`Wrap`] drawn on a sheet of the
//! trimmed wrap plus its bleed on every side, with its TrimBox (the wrap without
//! bleed) and BleedBox (the whole sheet). Like the booklet it is a print artefact,
//! untagged: the book's own PDF is the accessible edition. Nothing is decided
//! here: the layout has placed every line, the image and the spine's line.

use std::collections::BTreeMap;

use krilla::Document;
use krilla::geom::{Rect, Size, Transform};
use krilla::page::PageSettings;

use super::{
    Conformance, Drawing, PdfError, PdfFonts, draw_page, draw_runs, finish, krilla_image,
    metadata, rect_path, tagged,
};
use crate::backend::epub::Image;
use crate::layout::Fonts;
use crate::layout::units::to_pt;
use crate::layout::wrap::Wrap;
use crate::model::Metadata;

/// Settings of the cover wrap.
#[derive(Debug, Clone, PartialEq)]
pub struct WrapOptions {
    /// The document's date, as for the print PDF.
    pub modified: i64,
}

/// Renders the cover wrap: back cover, spine and front cover on one page with
/// bleed around the whole sheet.
pub fn render_wrap(
    wrap: &Wrap,
    meta: &Metadata,
    fonts: &Fonts,
    images: &BTreeMap<String, Image>,
    opts: &WrapOptions,
) -> Result<Vec<u8>, PdfError> {
    let geo = &wrap.sheet.geometry;
    let pf = PdfFonts::new(fonts);
    let (w, h, b) = (to_pt(geo.width), to_pt(geo.height), to_pt(wrap.bleed));
    let settings = Conformance::Untagged.settings().map_err(PdfError::Krilla)?;
    let mut doc = Document::new_with(settings);
    doc.set_metadata(metadata(meta, opts.modified));
    let d = Drawing {
        layout: &wrap.sheet,
        pf: &pf,
        fonts,
        images,
        words: tagged::Words::default(),
    };
    let mut tagging = tagged::Tagging::new(&wrap.sheet.structure);
    let page = PageSettings::from_wh(w + 2.0 * b, h + 2.0 * b)
        .ok_or_else(|| PdfError::Krilla("wrap size".into()))?
        .with_bleed_box(Rect::from_xywh(0.0, 0.0, w + 2.0 * b, h + 2.0 * b))
        .with_trim_box(Rect::from_xywh(b, b, w, h));
    let mut p = doc.start_page_with(page);
    let mut s = p.surface();
    // The cover image, cut to the front cover and its bleed.
    if let Some((im, area)) = &wrap.image
        && let Some(img) = images.get(&im.src).and_then(krilla_image)
        && let Some(size) = Size::from_wh(to_pt(im.w), to_pt(im.h))
        && let Some(clip) =
            rect_path(b + to_pt(area.x), b + to_pt(area.y), to_pt(area.w), to_pt(area.h))
    {
        s.push_clip_path(&clip, &krilla::paint::FillRule::NonZero);
        s.push_transform(&Transform::from_translate(b + to_pt(im.x), b + to_pt(im.y)));
        s.draw_image(img, size);
        s.pop();
        s.pop();
    }
    draw_page(&mut s, &d, 0, (b, b), &mut tagging);
    // The spine's line: its frame turned 90° clockwise about the spine's top-right
    // corner, so that (along, across) lands at (right − across, top + along).
    if let Some(pl) = &wrap.spine_text
        && let Some(first) = pl.line.runs.first()
    {
        let (x, sw) = wrap.spine;
        let right = b + to_pt(x + sw);
        s.push_transform(&Transform::from_row(0.0, 1.0, -1.0, 0.0, right, b));
        draw_runs(
            &mut s,
            &pf,
            fonts,
            &pl.line.runs,
            first.x,
            (to_pt(pl.x), to_pt(pl.y)),
            (false, false),
        );
        s.pop();
    }
    s.finish();
    p.finish();
    finish(doc)
}
