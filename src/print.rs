//! Print geometry: trim sizes, bleed, margins and type size for a trim, and the page
//! order of saddle-stitch imposition.
//!
//! Input: the `pdf:` front-matter settings and command-line flags. Output: typed
//! lengths in PostScript points and sheet layouts. Pure arithmetic: no layout, no PDF
//! writing. Trims are the ISO 216 A sizes and the US trade sizes print-on-demand
//! services offer; bleed is 3 mm (European printers) or 0.125 in (US printers and
//! print on demand); margins and type follow Bringhurst (a 45–75 character measure,
//! 66 ideal; margins growing inner < top < outer < bottom).

/// PostScript points per millimetre.
pub const PT_PER_MM: f64 = 72.0 / 25.4;
/// PostScript points per inch.
pub const PT_PER_IN: f64 = 72.0;

/// A trim size: the finished page.
#[derive(Debug, Clone, PartialEq)]
pub struct Trim {
    /// The preset's name or the `WxH` as given.
    pub name: String,
    /// Width in points.
    pub width: f64,
    /// Height in points.
    pub height: f64,
    /// Whether it was given in inches (US trims take 0.125 in bleed, metric 3 mm).
    pub imperial: bool,
}

impl Trim {
    /// The presets: `a5` (default), `a6`, `half-letter`, `5x8`, `6x9` (inches), or a
    /// custom `WxH` with a unit: `140x216mm`, `5.25x8in`.
    pub fn parse(s: &str) -> Result<Trim, String> {
        let key = s.trim().to_ascii_lowercase();
        let mm = |w: f64, h: f64| (w * PT_PER_MM, h * PT_PER_MM, false);
        let inch = |w: f64, h: f64| (w * PT_PER_IN, h * PT_PER_IN, true);
        let (width, height, imperial) = match key.as_str() {
            "a5" => mm(148.0, 210.0),
            "a6" => mm(105.0, 148.0),
            "a4" => mm(210.0, 297.0),
            "half-letter" | "digest" | "statement" => inch(5.5, 8.5),
            "5x8" | "5x8in" => inch(5.0, 8.0),
            "6x9" | "6x9in" => inch(6.0, 9.0),
            custom => {
                let (dims, unit) = if let Some(d) = custom.strip_suffix("mm") {
                    (d, "mm")
                } else if let Some(d) = custom.strip_suffix("in") {
                    (d, "in")
                } else {
                    return Err(format!(
                        "`{s}` is not a trim size: use a5, a6, half-letter, 5x8, 6x9, or WxH with mm or in (140x216mm)"
                    ));
                };
                let (w, h) = dims
                    .split_once('x')
                    .and_then(|(w, h)| {
                        Some((
                            w.trim().parse::<f64>().ok()?,
                            h.trim().parse::<f64>().ok()?,
                        ))
                    })
                    .filter(|(w, h)| {
                        w.is_finite() && h.is_finite() && *w > 0.0 && *h > 0.0
                    })
                    .ok_or_else(|| {
                        format!("`{s}` is not WIDTHxHEIGHT with a unit, e.g. 140x216mm")
                    })?;
                let (w, h, imp) = if unit == "mm" { mm(w, h) } else { inch(w, h) };
                // 50 mm to 500 mm on a side: smaller or larger is not a pamphlet page.
                let (lo, hi) = (50.0 * PT_PER_MM, 500.0 * PT_PER_MM);
                if !(lo..=hi).contains(&w) || !(lo..=hi).contains(&h) {
                    return Err(format!(
                        "`{s}`: each side must be between 50 and 500 mm"
                    ));
                }
                (w, h, imp)
            }
        };
        Ok(Trim { name: key, width, height, imperial })
    }

    /// The default bleed: 3 mm for metric trims (what European printers ask),
    /// 0.125 in for inch trims (US printers and print on demand).
    pub fn default_bleed(&self) -> f64 {
        if self.imperial { 0.125 * PT_PER_IN } else { 3.0 * PT_PER_MM }
    }

    /// The sheet the booklet is printed on: twice the trim, landscape — A6 → A5,
    /// half-letter → Letter exactly; A5 → A4, which is 1 mm wider than two A5 pages
    /// (297 vs 296 mm), so a real A4 sheet with the pages centred on the fold.
    pub fn sheet(&self) -> (f64, f64) {
        if self.name == "a5" {
            return (297.0 * PT_PER_MM, 210.0 * PT_PER_MM);
        }
        (2.0 * self.width, self.height)
    }

    /// Margins (inner, top, outer, bottom) and type size/leading for this trim:
    /// the A5 page (17/20/28/34 mm, 11.5/15 pt) scaled with the page width,
    /// with the type size stepped down for small trims (A6: 10/13 pt), so that the
    /// measure stays near 66 characters.
    pub fn page_style(&self) -> PageStyle {
        let a5_width = 148.0 * PT_PER_MM;
        let k = self.width / a5_width;
        let m = |mm: f64| mm * PT_PER_MM * k;
        let (size, leading) = if k < 0.8 {
            (10.0, 13.0)
        } else if k < 0.97 {
            (11.0, 14.5)
        } else {
            (11.5, 15.0)
        };
        PageStyle {
            inner: m(17.0),
            top: m(20.0),
            outer: m(28.0),
            bottom: m(34.0),
            font_size: size,
            leading,
        }
    }
}

/// Margins and type for a trim; see [`Trim::page_style`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageStyle {
    /// Inner (spine-side) margin in points.
    pub inner: f64,
    /// Top margin in points.
    pub top: f64,
    /// Outer (fore-edge) margin in points.
    pub outer: f64,
    /// Bottom margin in points.
    pub bottom: f64,
    /// Body type size in points.
    pub font_size: f64,
    /// Baseline-to-baseline distance in points.
    pub leading: f64,
}

/// The smallest and largest body sizes quire sets, in points.
pub const TYPE_SIZES: std::ops::RangeInclusive<f64> = 6.0..=24.0;

/// The body type's size and leading in points: the front matter's `font-size` and
/// `leading` (lengths; a bare number is points) over the trim's (`page_style`). A
/// size given without a leading gets 1.3 times the size, to the half point (11.5/15
/// and 10/13, the trims' own, are that ratio). `Err` locates a bad value.
pub fn type_size(
    p: &crate::model::PdfSettings,
    trim: Option<PageStyle>,
) -> Result<(f64, f64), (crate::diag::Span, String)> {
    let (size0, leading0) = trim.map_or((11.5, 15.0), |t| (t.font_size, t.leading));
    let read = |v: &(String, crate::diag::Span),
                key: &str|
     -> Result<f64, (crate::diag::Span, String)> {
        let (text, span) = v;
        let pt = match text.parse::<f64>() {
            Ok(n) if n.is_finite() && n > 0.0 => Ok(n),
            _ => parse_length(text),
        };
        pt.map_err(|e| (*span, format!("`{key}`: {e}")))
    };
    let size = match &p.font_size {
        Some(v) => {
            let s = read(v, "font-size")?;
            if !TYPE_SIZES.contains(&s) {
                return Err((
                    v.1,
                    format!(
                        "`font-size: {}` is {s} pt; quire sets text from {} to {} pt",
                        v.0,
                        TYPE_SIZES.start(),
                        TYPE_SIZES.end()
                    ),
                ));
            }
            s
        }
        None => size0,
    };
    let leading = match &p.leading {
        Some(v) => {
            let l = read(v, "leading")?;
            if l < size || l > size * 2.5 {
                return Err((
                    v.1,
                    format!(
                        "`leading: {}` is {l} pt; with {size} pt type it must be from {size} to {} pt (lines would collide, or fall apart)",
                        v.0,
                        size * 2.5
                    ),
                ));
            }
            l
        }
        None if p.font_size.is_some() => (size * 1.3 * 2.0).round() / 2.0,
        None => leading0.max(size),
    };
    Ok((size, leading))
}

/// A length with a unit, `3mm`, `0.125in` or `2pt`, in points.
pub fn parse_length(s: &str) -> Result<f64, String> {
    let t = s.trim().to_ascii_lowercase();
    let (num, k) = if let Some(n) = t.strip_suffix("mm") {
        (n, PT_PER_MM)
    } else if let Some(n) = t.strip_suffix("in") {
        (n, PT_PER_IN)
    } else if let Some(n) = t.strip_suffix("pt") {
        (n, 1.0)
    } else {
        return Err(format!("`{s}` needs a unit: mm, in or pt"));
    };
    let v: f64 = num.trim().parse().map_err(|_| format!("`{s}` is not a length"))?;
    if !v.is_finite() || v < 0.0 {
        return Err(format!("`{s}` is not a length"));
    }
    Ok(v * k)
}

/// How the printer turns the sheet for its back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Duplex {
    /// Flip on the short edge: backs upright — what pdfjam, Acrobat's booklet printing
    /// and copy shops expect, and what a PDF viewer shows sensibly.
    #[default]
    ShortEdge,
    /// Flip on the long edge (many office printers' default): backs turned 180°.
    LongEdge,
    /// No duplex unit: every front, then every back in reverse order, for a printer
    /// that prints one side at a time (the stack is turned over between the two).
    Manual,
}

/// One printed side of the booklet, in the order the file gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrintedSide {
    /// The pamphlet pages on its left and right halves.
    pub pages: Side,
    /// The sheet's place in its signature (0: outermost), for creep.
    pub nest: usize,
    /// Turned 180° (the backs, for long-edge duplex).
    pub turned: bool,
}

/// The booklet's printed sides in file order: the pamphlet's pages gathered into
/// signatures of `signature` pages (a multiple of four; `None`: one signature holding
/// every page), each imposed for saddle stitching ([`saddle_stitch`]), then laid out
/// for the printer's way of duplexing. A right-to-left pamphlet binds on the right:
/// every side is mirrored, so page 1 is on the left half of the outermost sheet's
/// front and is still the front cover once folded.
pub fn impose(
    pages: usize,
    signature: Option<usize>,
    duplex: Duplex,
    rtl: bool,
) -> Vec<PrintedSide> {
    let total = padded(pages);
    let per = signature.map_or(total, |s| s.max(4).div_ceil(4) * 4).min(total);
    let mut sheets: Vec<(Sheet, usize)> = Vec::new();
    let mut first = 0;
    while first < pages.max(1) {
        let count = per.min(padded(pages - first.min(pages)));
        for (nest, sheet) in saddle_stitch(count).into_iter().enumerate() {
            let shift = |p: Option<usize>| p.map(|p| p + first).filter(|&p| p <= pages);
            let mut sheet =
                Sheet { front: sheet.front.map(shift), back: sheet.back.map(shift) };
            if rtl {
                sheet.front.reverse();
                sheet.back.reverse();
            }
            sheets.push((sheet, nest));
        }
        first += count;
    }
    let front = |(s, nest): &(Sheet, usize)| PrintedSide {
        pages: s.front,
        nest: *nest,
        turned: false,
    };
    let back = |(s, nest): &(Sheet, usize)| PrintedSide {
        pages: s.back,
        nest: *nest,
        turned: duplex == Duplex::LongEdge,
    };
    match duplex {
        Duplex::ShortEdge | Duplex::LongEdge => {
            sheets.iter().flat_map(|s| [front(s), back(s)]).collect()
        }
        Duplex::Manual => {
            let mut out: Vec<PrintedSide> = sheets.iter().map(front).collect();
            out.extend(sheets.iter().rev().map(back));
            out
        }
    }
}

/// One side of a sheet: the 1-based pamphlet pages on its left and right halves;
/// `None` for a blank half.
pub type Side = [Option<usize>; 2];

/// One folded sheet: its front and back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sheet {
    /// The outside of the sheet as it lies in the printer.
    pub front: Side,
    /// The inside.
    pub back: Side,
}

/// The page count padded to a multiple of four (a folded sheet carries four pages).
pub fn padded(pages: usize) -> usize {
    pages.max(1).div_ceil(4) * 4
}

/// Saddle-stitch order for `pages` pages (padded to a multiple of 4, N): sheet s
/// (0-based, outermost first) has front [N − 2s, 1 + 2s] and back [2 + 2s, N − 1 − 2s]
/// (the psbook order, psutils). Pages past `pages` are blank halves.
pub fn saddle_stitch(pages: usize) -> Vec<Sheet> {
    let n = padded(pages);
    let real = |p: usize| (p >= 1 && p <= pages).then_some(p);
    (0..n / 4)
        .map(|s| Sheet {
            front: [real(n - 2 * s), real(1 + 2 * s)],
            back: [real(2 + 2 * s), real(n - 1 - 2 * s)],
        })
        .collect()
}

/// How far sheet `s` (0 = outermost) of `sheets` is shifted toward the spine to offset
/// creep: inner sheets stick out by about one paper thickness each, so sheet s moves in
/// by s × `per_sheet`: each nested sheet sticks out by about one paper thickness
/// at the fore-edge ("creep" or "shingling"; about 0.1 mm for 80 g/m² paper).
pub fn creep_shift(s: usize, per_sheet: f64) -> f64 {
    s as f64 * per_sheet
}

/// Where one half of a printed side puts its page, in points from the sheet's
/// left edge and from its top (or bottom: the page is centred, so both are the
/// same): the half's trim, which clips the page, and the page's left edge, moved
/// toward the fold by its sheet's creep. The two halves meet at the sheet's centre
/// line, the fold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HalfPlace {
    /// The left edge of the half's trim (the clip).
    pub clip_x: f32,
    /// The left edge of the page: the clip's, moved by the creep.
    pub page_x: f32,
    /// The top (and bottom) margin of the page on the sheet.
    pub y: f32,
}

/// The place of half `half` (0 left, 1 right) of a side of the sheet at `nest`
/// (0: outermost) for pages of `page` on sheets of `sheet` (points), with `creep`
/// points per sheet (see [`creep_shift`]).
pub fn half_place(
    sheet: (f32, f32),
    page: (f32, f32),
    half: usize,
    nest: usize,
    creep: f32,
) -> HalfPlace {
    let ((sw, sh), (w, h)) = (sheet, page);
    let shift = creep_shift(nest, f64::from(creep)) as f32;
    let clip_x = (sw - 2.0 * w) / 2.0 + half as f32 * w;
    let page_x = if half == 0 { clip_x + shift } else { clip_x - shift };
    HalfPlace { clip_x, page_x, y: (sh - h) / 2.0 }
}

/// The thickness of one leaf (one sheet of the book block: two pages) when the
/// manuscript names no paper: 0.1 mm, about that of 80 g/m² offset paper — the
/// figure creep compensation uses too.
pub const DEFAULT_CALIPER: f64 = 0.1 * PT_PER_MM;

/// Named papers, by the thickness of one leaf. Amazon KDP gives its spine formula
/// per *page*: spine = page count × 0.002252 in for black-and-white on white
/// paper, × 0.0025 in on cream, × 0.002252 in for standard colour and × 0.002347 in
/// for premium colour (KDP's cover calculator; the figures as quoted by guides such
/// as kdpprintcover.com, "How to Calculate KDP Spine Width", and publishing.co.uk,
/// "Spine width calculator"), so a leaf is twice that. IngramSpark publishes no
/// such table (third-party figures disagree), hence no preset: give its cover
/// template's pages per inch (`444ppi`) instead.
pub const CALIPER_PRESETS: [(&str, f64); 4] = [
    ("kdp-white", 2.0 * 0.002252 * PT_PER_IN),
    ("kdp-cream", 2.0 * 0.0025 * PT_PER_IN),
    ("kdp-color", 2.0 * 0.002252 * PT_PER_IN),
    ("kdp-premium-color", 2.0 * 0.002347 * PT_PER_IN),
];

/// The thinnest and thickest leaf quire believes, in points (0.02 to 1 mm: thinner
/// than bible paper or thicker than board is a slip of the unit).
const CALIPERS: std::ops::RangeInclusive<f64> = (0.02 * PT_PER_MM)..=(1.0 * PT_PER_MM);

/// The `paper-caliper` setting → the thickness of one leaf (two pages), in points:
/// a preset (`kdp-white`, `kdp-cream`, `kdp-color`, `kdp-premium-color`), a length
/// (`0.1mm`, `0.004in`), or pages per inch as printers quote them (`444ppi`: a leaf
/// is 2/444 in).
pub fn paper_caliper(s: &str) -> Result<f64, String> {
    let key = s.trim().to_ascii_lowercase();
    if let Some(&(_, t)) = CALIPER_PRESETS.iter().find(|(name, _)| *name == key) {
        return Ok(t);
    }
    let leaf = match key.strip_suffix("ppi") {
        Some(n) => match n.trim().parse::<f64>() {
            Ok(ppi) if ppi.is_finite() && ppi > 0.0 => 2.0 * PT_PER_IN / ppi,
            _ => return Err(format!("`{s}` is not a number of pages per inch")),
        },
        None => parse_length(s).map_err(|_| {
            format!(
                "`{s}` is not a paper caliper: use the thickness of one leaf (0.1mm), pages per inch (444ppi), or kdp-white, kdp-cream, kdp-color, kdp-premium-color"
            )
        })?,
    };
    if !CALIPERS.contains(&leaf) {
        return Err(format!(
            "`{s}` is {:.3} mm a leaf; paper is between 0.02 and 1 mm thick",
            leaf / PT_PER_MM
        ));
    }
    Ok(leaf)
}

/// The spine of a perfect-bound book of `pages` pages: its leaves (the pages
/// rounded up to an even count, two to a leaf) × the thickness of one leaf.
pub fn spine_width(pages: usize, caliper: f64) -> f64 {
    pages.div_ceil(2) as f64 * caliper
}

/// The cover wrap's sheet without bleed (its TrimBox): back cover, spine and front
/// cover side by side — two trim widths and the spine wide, a trim high.
pub fn wrap_trim(trim: &Trim, spine: f64) -> (f64, f64) {
    (2.0 * trim.width + spine, trim.height)
}

/// The narrowest spine that takes text: 1/4 in (6.35 mm). KDP allows spine text
/// from 79 pages (0.18 in on white paper), but wants 1/16 in clear on either side
/// of it (as KDP's cover guidelines are quoted, e.g. lessoncraftstudio.com's "KDP
/// size calculator"), which would leave under 4 pt for the type; 1/4 in leaves 9 pt.
pub const SPINE_TEXT_MIN: f64 = 0.25 * PT_PER_IN;

/// Clear space on either side of the spine text (KDP's 1/16 in, 1.6 mm): binding
/// moves the spine's folds that much.
pub const SPINE_MARGIN: f64 = 0.0625 * PT_PER_IN;

/// Checks the front matter's `pdf:` settings, so that a bad one is an error located
/// at the `pdf:` key in `check` and `build` alike.
pub fn check_settings(
    text: &str,
    meta: &crate::model::Metadata,
    diags: &mut crate::diag::Diagnostics,
) {
    let p = &meta.pdf;
    let mut problems = Vec::new();
    if let Some(t) = &p.trim
        && let Err(e) = Trim::parse(t)
    {
        problems.push(e);
    }
    if let Some(b) = &p.bleed
        && let Err(e) = parse_length(b)
    {
        problems.push(e);
    }
    if let Some((c, span)) = &p.paper_caliper
        && let Err(why) = paper_caliper(c)
    {
        diags.error("pdf-setting", *span, format!("in the `pdf:` settings: {why}"));
    }
    if let Some(l) = p.layout.as_deref().filter(|l| !matches!(*l, "pamphlet" | "book")) {
        problems.push(format!("`{l}` is not a layout: use pamphlet or book"));
    }
    if let Some(c) =
        p.color.as_deref().filter(|c| !matches!(*c, "color" | "gray" | "grey"))
    {
        problems.push(format!("`{c}` is not a colour mode: use color or gray"));
    }
    let head = &text[..meta.span.end.min(text.len())];
    let at =
        head.find("\npdf:").map_or(meta.span, |i| crate::diag::Span::new(i + 1, i + 5));
    let trim = Trim::parse(p.trim.as_deref().unwrap_or("a5")).ok();
    if let Err((span, why)) = type_size(p, trim.map(|t| t.page_style())) {
        diags.error("pdf-setting", span, format!("in the `pdf:` settings: {why}"));
    }
    for why in problems {
        diags.error("pdf-setting", at, format!("in the `pdf:` settings: {why}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_right_to_left_booklet_is_mirrored() {
        let r = impose(8, None, Duplex::ShortEdge, true);
        let order: Vec<_> = r.iter().map(|s| s.pages).collect();
        assert_eq!(
            order,
            [
                [Some(1), Some(8)],
                [Some(7), Some(2)],
                [Some(3), Some(6)],
                [Some(5), Some(4)]
            ]
        );
    }

    #[test]
    fn imposition_in_signatures_and_duplex_modes() {
        // 20 pages in signatures of 8: 8 + 8 + 4, each folded on its own.
        let sides = impose(20, Some(8), Duplex::ShortEdge, false);
        assert_eq!(sides.len(), 10);
        assert_eq!(sides[0].pages, [Some(8), Some(1)]);
        assert_eq!(sides[4].pages, [Some(16), Some(9)]);
        assert_eq!(sides[8].pages, [Some(20), Some(17)]);
        assert_eq!((sides[4].nest, sides[6].nest), (0, 1));
        // Manual: the fronts, then the backs in reverse order, none turned.
        let m = impose(8, None, Duplex::Manual, false);
        let order: Vec<_> = m.iter().map(|s| s.pages).collect();
        assert_eq!(
            order,
            [
                [Some(8), Some(1)],
                [Some(6), Some(3)],
                [Some(4), Some(5)],
                [Some(2), Some(7)]
            ]
        );
        assert!(m.iter().all(|s| !s.turned));
        // Long edge turns the backs.
        let l = impose(8, None, Duplex::LongEdge, false);
        assert_eq!(
            l.iter().map(|s| s.turned).collect::<Vec<_>>(),
            [false, true, false, true]
        );
    }

    fn pages(sheets: &[Sheet]) -> Vec<[Option<usize>; 4]> {
        sheets.iter().map(|s| [s.front[0], s.front[1], s.back[0], s.back[1]]).collect()
    }

    #[test]
    fn eight_pages_impose_8_1_2_7_6_3_4_5() {
        let s = saddle_stitch(8);
        assert_eq!(
            pages(&s),
            [[Some(8), Some(1), Some(2), Some(7)], [Some(6), Some(3), Some(4), Some(5)]]
        );
    }

    #[test]
    fn odd_counts_pad_with_blank_halves() {
        assert_eq!(pages(&saddle_stitch(1)), [[None, Some(1), None, None]]);
        assert_eq!(pages(&saddle_stitch(3)), [[None, Some(1), Some(2), Some(3)]]);
        assert_eq!(pages(&saddle_stitch(4)), [[Some(4), Some(1), Some(2), Some(3)]]);
        assert_eq!(
            pages(&saddle_stitch(5)),
            [[None, Some(1), Some(2), None], [None, Some(3), Some(4), Some(5)]]
        );
        let s = saddle_stitch(61);
        assert_eq!(s.len(), 16);
        assert_eq!(pages(&s)[0], [None, Some(1), Some(2), None]);
        assert_eq!(pages(&s)[15], [Some(34), Some(31), Some(32), Some(33)]);
    }

    #[test]
    fn every_page_appears_once_and_facing_halves_sum_to_n_plus_1() {
        for n in 1..=80 {
            let sheets = saddle_stitch(n);
            let mut seen: Vec<usize> =
                pages(&sheets).iter().flatten().flatten().copied().collect();
            seen.sort();
            assert_eq!(seen, (1..=n).collect::<Vec<_>>(), "n = {n}");
            let p = padded(n);
            for (s, sh) in sheets.iter().enumerate() {
                let full = [p - 2 * s, 1 + 2 * s, 2 + 2 * s, p - 1 - 2 * s];
                assert_eq!(full[0] + full[1], p + 1);
                assert_eq!(full[2] + full[3], p + 1);
                assert_eq!(sh.front[1], Some(1 + 2 * s).filter(|&x| x <= n));
            }
        }
    }

    #[test]
    fn a_wrap_is_two_trims_and_the_spine_wide_and_bled_around() {
        let a5 = Trim::parse("a5").unwrap();
        let bleed = a5.default_bleed();
        // 240 pages on the default paper: 120 leaves of 0.1 mm, a 12 mm spine.
        let spine = spine_width(240, DEFAULT_CALIPER);
        assert!((spine - 12.0 * PT_PER_MM).abs() < 1e-9);
        // An odd count is rounded up to whole leaves.
        assert_eq!(spine_width(239, DEFAULT_CALIPER), spine);
        let (w, h) = wrap_trim(&a5, spine);
        assert!((w + 2.0 * bleed - (2.0 * bleed + 2.0 * a5.width + spine)).abs() < 1e-9);
        assert!((w - (2.0 * 148.0 + 12.0) * PT_PER_MM).abs() < 1e-9);
        assert_eq!(h, a5.height);
        // KDP's per-page figures, as leaves: 200 pages on white paper make the
        // 0.4504 in spine KDP's calculator gives; 300 on cream, 0.75 in.
        let white = paper_caliper("kdp-white").unwrap();
        assert!((spine_width(200, white) - 0.4504 * PT_PER_IN).abs() < 1e-9);
        let cream = paper_caliper("KDP-Cream").unwrap();
        assert!((spine_width(300, cream) - 0.75 * PT_PER_IN).abs() < 1e-9);
        let premium = paper_caliper("kdp-premium-color").unwrap();
        assert!((spine_width(100, premium) - 0.2347 * PT_PER_IN).abs() < 1e-9);
        assert_eq!(paper_caliper("kdp-color").unwrap(), white);
        // Pages per inch and lengths; nonsense refused.
        assert!((paper_caliper("444ppi").unwrap() - 2.0 * 72.0 / 444.0).abs() < 1e-9);
        assert!((paper_caliper("0.1mm").unwrap() - DEFAULT_CALIPER).abs() < 1e-9);
        for bad in ["0.1", "1cm", "0mm", "5mm", "0ppi", "kdp-blue", "-0.1mm"] {
            assert!(paper_caliper(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn trims_and_lengths() {
        let a5 = Trim::parse("a5").unwrap();
        assert!((a5.width - 419.53).abs() < 0.01 && (a5.height - 595.28).abs() < 0.01);
        assert!((a5.default_bleed() - 8.504).abs() < 0.01);
        let hl = Trim::parse("half-letter").unwrap();
        assert_eq!((hl.width, hl.height), (396.0, 612.0));
        assert_eq!(hl.default_bleed(), 9.0);
        assert_eq!(hl.sheet(), (792.0, 612.0));
        let c = Trim::parse("140x216mm").unwrap();
        assert!((c.width - 396.85).abs() < 0.01);
        assert!(Trim::parse("5.25x8in").unwrap().imperial);
        assert!(Trim::parse("a7").is_err());
        assert!(Trim::parse("10x10mm").is_err());
        assert!((parse_length("3mm").unwrap() - 8.504).abs() < 0.01);
        assert_eq!(parse_length("0.125in").unwrap(), 9.0);
        assert!(parse_length("3").is_err());
        let a6 = Trim::parse("a6").unwrap().page_style();
        assert_eq!((a6.font_size, a6.leading), (10.0, 13.0));
    }
}
