//! Fonts for the layout: the shipped faces, shaped with harfrust (kerning, standard
//! ligatures, old-style figures, superior figures, small caps — all from the font's own
//! OpenType features) and measured in font units. Shaped words are cached: a book
//! repeats its words, and shaping is the layout's costliest step.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use harfrust::{Feature, ShapeOptions, ShapePlan, ShaperData, UnicodeBuffer};
use skrifa::MetadataProvider;
use skrifa::raw::TableProvider;
use unicode_segmentation::UnicodeSegmentation;

use super::units::Sp;
use crate::memo::Memo;
use crate::typeface::{Family, FontFile, Style, Typefaces};

/// What a face is for; [`Fonts`] knows which font each role is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Running text: the manuscript's body face, or EB Garamond.
    Body,
    /// Headings and titles: the manuscript's headings face, or the body's.
    Headings,
    /// Source Sans 3 (the typographic cover's publisher line).
    Sans,
    /// Source Code Pro (code).
    Mono,
    /// The `k`-th face of the fallback chain: the manuscript's fallbacks in order,
    /// then the shipped faces.
    Fallback(u8),
}

/// A face: a role in a style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Face {
    /// What it is for.
    pub role: Role,
    /// Regular, italic, bold or bold italic.
    pub style: Style,
}

impl Face {
    /// The body face.
    pub const REGULAR: Face = Face { role: Role::Body, style: Style::Regular };
    /// The body face in italic.
    pub const ITALIC: Face = Face { role: Role::Body, style: Style::Italic };
    /// The body face in bold.
    pub const BOLD: Face = Face { role: Role::Body, style: Style::Bold };
    /// The body face in bold italic.
    pub const BOLD_ITALIC: Face = Face { role: Role::Body, style: Style::BoldItalic };
    /// The shipped sans serif.
    pub const SANS: Face = Face { role: Role::Sans, style: Style::Regular };
    /// The monospaced face.
    pub const MONO: Face = Face { role: Role::Mono, style: Style::Regular };

    /// The headings face in a style.
    pub fn heading(italic: bool) -> Face {
        Face {
            role: Role::Headings,
            style: if italic { Style::Italic } else { Style::Regular },
        }
    }

    /// The face with emphasis toggled (emphasis inside italic is roman; code and the
    /// sans have one style).
    pub fn emphasised(self) -> Face {
        match self.role {
            Role::Sans | Role::Mono => self,
            _ => Face { style: self.style.emphasised(), ..self },
        }
    }

    /// The face made bold.
    pub fn strong(self) -> Face {
        match self.role {
            Role::Sans | Role::Mono => self,
            _ => Face { style: self.style.strong(), ..self },
        }
    }

    /// Whether it is the monospaced face.
    pub fn is_mono(self) -> bool {
        self.role == Role::Mono
    }

    /// The same style in another role.
    pub fn as_role(self, role: Role) -> Face {
        Face { role, ..self }
    }
}

/// Which OpenType features a run is shaped with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feat {
    /// Running text: kerning, standard ligatures, old-style figures.
    Text,
    /// Note reference marks: superior figures (`sups`).
    Sups,
    /// Small capitals (`smcp`, `c2sc`).
    SmallCaps,
    /// Lining figures, for folios and headings in capitals.
    Lining,
    /// Code: every glyph as typed, no kerning, no ligatures.
    Code,
}

impl Feat {
    fn features(self) -> &'static [&'static str] {
        match self {
            Feat::Text => &["kern", "liga", "onum"],
            Feat::Sups => &["kern", "sups"],
            Feat::SmallCaps => &["kern", "liga", "smcp", "c2sc", "onum"],
            Feat::Lining => &["kern", "liga", "lnum"],
            Feat::Code => &["-kern", "-liga", "-calt", "-clig"],
        }
    }
}

/// One shaped glyph, in font units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Glyph {
    /// Glyph id in the face.
    pub id: u32,
    /// Byte offset of its cluster in the shaped text.
    pub cluster: u32,
    /// Advance width.
    pub adv: i32,
    /// Horizontal offset.
    pub dx: i32,
    /// Vertical offset (up).
    pub dy: i32,
}

/// One loaded font, with its shaper and what the layout asks of it.
struct Loaded {
    file: FontFile,
    font: harfrust::FontRef<'static>,
    data: ShaperData,
    upem: i32,
    charmap: skrifa::charmap::Charmap<'static>,
    /// Its glyphs' advances as `hmtx` gives them, unscaled.
    metrics: skrifa::metrics::GlyphMetrics<'static>,
    /// Every glyph's advance from [`Loaded::metrics`], read once when a PDF first
    /// asks (it asks for every glyph it draws, and reading `hmtx` costs ten
    /// times looking it up here).
    advances: std::sync::OnceLock<Vec<Option<f32>>>,
    /// Its x-height, of the em (OS/2 `sxHeight`), when the font gives one.
    x_height: Option<f32>,
    /// Whether its `GSUB` has superior figures (`sups`).
    has_sups: bool,
    feats: HashMap<Feat, Vec<Feature>>,
}

impl Loaded {
    fn new(file: &FontFile) -> Result<Loaded, String> {
        let unreadable = || format!("`{}` cannot be read as a font", file.file);
        let font = file.font().ok_or_else(unreadable)?;
        let sk = skrifa::FontRef::from_index(file.data, file.index)
            .map_err(|_| unreadable())?;
        let upem = font.head().map_err(|_| unreadable())?.units_per_em();
        let x_height = font
            .os2()
            .ok()
            .and_then(|o| o.sx_height())
            .filter(|&x| x > 0)
            .map(|x| f32::from(x) / f32::from(upem));
        let has_sups =
            font.gsub().ok().and_then(|g| g.feature_list().ok()).is_some_and(|l| {
                l.feature_records()
                    .iter()
                    .any(|r| r.feature_tag() == skrifa::Tag::new(b"sups"))
            });
        let feats = [Feat::Text, Feat::Sups, Feat::SmallCaps, Feat::Lining, Feat::Code]
            .into_iter()
            .map(|ft| (ft, ft.features().iter().filter_map(|s| s.parse().ok()).collect()))
            .collect();
        Ok(Loaded {
            file: file.clone(),
            data: ShaperData::new(&font),
            font,
            upem: i32::from(upem),
            charmap: sk.charmap(),
            metrics: sk.glyph_metrics(
                skrifa::instance::Size::unscaled(),
                skrifa::instance::LocationRef::default(),
            ),
            advances: std::sync::OnceLock::new(),
            x_height,
            has_sups,
            feats,
        })
    }

    /// Whether the font draws a character: it maps it to a glyph, or the shaper
    /// makes the character without one (a space of any width is drawn from the space
    /// glyph; joiners and selectors are not drawn at all).
    fn draws(&self, c: char) -> bool {
        self.charmap.map(c).is_some() || !needs_glyph(c)
    }
}

/// Whether a character needs a glyph of its own to be shown: not a space (a shaper
/// fakes any space from the font's own) nor a default-ignorable format character
/// (joiners, variation selectors, bidi controls; Unicode ch. 5.21).
fn needs_glyph(c: char) -> bool {
    !(c.is_whitespace()
        || matches!(c,
            '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{00AD}'
            | '\u{034F}'
            | '\u{E0100}'..='\u{E01EF}'))
}

/// What a shaped word is cached under: the font, the features, the direction asked
/// for (none: guessed from the script); then its text.
type ShapeKey = (u16, Feat, Option<bool>);

/// Shaped words, by what they were shaped with and then by their text: a word is
/// looked up by its `&str`, with nothing allocated when it is found.
type ShapeCache = Memo<ShapeKey, Memo<Box<str>, Arc<[Glyph]>>>;

/// The document's faces, loaded once, with their shapers and a cache of shaped
/// words. Each role and style maps to one loaded font; two faces that are one font
/// share it (and its cache entries and, in the PDF, its font object).
pub struct Fonts {
    loaded: Vec<Loaded>,
    /// Per role (body, headings, sans, mono, then each fallback), the loaded font of
    /// each style.
    table: Vec<[u16; 4]>,
    /// Shared by the threads that draw one layout's editions (a lock taken once
    /// per word shaped, never held while shaping).
    cache: Mutex<ShapeCache>,
    /// Shaping plans, made once for each font, features, direction, script and
    /// language (see [`Fonts::plan`]).
    plans: Mutex<HashMap<PlanKey, Arc<ShapePlan>>>,
}

/// What a shaping plan is made for.
type PlanKey = (
    u16,
    Feat,
    harfrust::Direction,
    Option<harfrust::Script>,
    Option<harfrust::Language>,
);

impl Default for Fonts {
    fn default() -> Self {
        Self::new()
    }
}

impl Fonts {
    /// The shipped faces: EB Garamond for text and headings, Source Sans 3 and
    /// Source Code Pro (built into the binary, so this cannot fail on a sound build;
    /// a broken shipped font is a build-time bug caught by the tests).
    pub fn new() -> Fonts {
        Fonts::with(&Typefaces::default()).expect("shipped fonts load")
    }

    /// The document's faces: body, headings, the shipped sans and mono, and the
    /// fallback chain — the manuscript's fallbacks in order, then EB Garamond,
    /// Source Sans 3 and Source Code Pro.
    pub fn with(tf: &Typefaces) -> Result<Fonts, String> {
        let sans = one_style(crate::font_files::SANS_REGULAR);
        let mono = one_style(crate::font_files::MONO_REGULAR);
        let serif = crate::typeface::shipped_serif();
        let mut families: Vec<&Family> = vec![&tf.body, tf.headings(), &sans, &mono];
        families.extend(tf.fallback.iter());
        families.extend([&serif, &sans, &mono]);
        let mut loaded: Vec<Loaded> = Vec::new();
        let mut table = Vec::with_capacity(families.len());
        for fam in families {
            let mut slots = [0u16; 4];
            for style in Style::ALL {
                let file = fam.get(style);
                let at = loaded.iter().position(|l| {
                    std::ptr::eq(l.file.data, file.data) && l.file.index == file.index
                });
                slots[style.index()] = match at {
                    Some(k) => k as u16,
                    None => {
                        loaded.push(Loaded::new(file)?);
                        (loaded.len() - 1) as u16
                    }
                };
            }
            table.push(slots);
        }
        Ok(Fonts { loaded, table, cache: Mutex::default(), plans: Mutex::default() })
    }

    /// The loaded font a face is set in: an index into [`Fonts::files`].
    pub fn slot(&self, face: Face) -> usize {
        let row = match face.role {
            Role::Body => 0,
            Role::Headings => 1,
            Role::Sans => 2,
            Role::Mono => 3,
            Role::Fallback(k) => (4 + usize::from(k)).min(self.table.len() - 1),
        };
        usize::from(self.table[row][face.style.index()])
    }

    /// Every loaded font, in slot order.
    pub fn files(&self) -> impl Iterator<Item = &FontFile> {
        self.loaded.iter().map(|l| &l.file)
    }

    /// The font a face is set in.
    pub fn file(&self, face: Face) -> &FontFile {
        &self.get(face).file
    }

    fn get(&self, face: Face) -> &Loaded {
        &self.loaded[self.slot(face)]
    }

    /// The family name of a face's font.
    pub fn family_name(&self, face: Face) -> &str {
        &self.get(face).file.family
    }

    /// Units per em of a face.
    pub fn upem(&self, face: Face) -> i32 {
        self.get(face).upem
    }

    /// A glyph's own advance in font units, as the font's `hmtx` table gives it
    /// (before the shaper's kerning): what a PDF viewer moves by for the glyph before
    /// the text object's own adjustments.
    pub fn hmtx_advance(&self, face: Face, glyph: u32) -> Option<f32> {
        let l = self.get(face);
        let all = l.advances.get_or_init(|| {
            let count = l.metrics.glyph_count();
            (0..count).map(|g| l.metrics.advance_width(skrifa::GlyphId::new(g))).collect()
        });
        all.get(glyph as usize).copied().flatten()
    }

    /// Whether the face maps the character to a glyph.
    pub fn covers(&self, face: Face, c: char) -> bool {
        self.get(face).charmap.map(c).is_some()
    }

    /// The glyph id of a character, if the face has one.
    pub fn glyph_id(&self, face: Face, c: char) -> Option<u32> {
        self.get(face).charmap.map(c).map(|g| g.to_u32())
    }

    /// Whether the face has superior figures of its own.
    pub fn has_sups(&self, face: Face) -> bool {
        self.get(face).has_sups
    }

    /// The faces tried for a character, in order: the face itself, then the
    /// fallback chain in the same style.
    fn chain(&self, face: Face) -> impl Iterator<Item = Face> {
        let n = (self.table.len() - 4).min(usize::from(u8::MAX)) as u8;
        std::iter::once(face).chain((0..n).map(move |k| face.as_role(Role::Fallback(k))))
    }

    /// The family names of a face's chain, without repeats, for messages.
    pub fn chain_names(&self, face: Face) -> String {
        let mut names: Vec<&str> = Vec::new();
        for f in self.chain(face) {
            let n = self.family_name(f);
            if !names.contains(&n) {
                names.push(n);
            }
        }
        names.join(", ")
    }

    /// Splits `text` into runs by the face that sets them: each grapheme cluster
    /// goes to the first face of `face`'s chain that draws all of it (a cluster no
    /// face draws stays in `face`). Returns byte ranges with their faces, in order.
    pub fn split(&self, face: Face, text: &str) -> Vec<(std::ops::Range<usize>, Face)> {
        let mut runs: Vec<(std::ops::Range<usize>, Face)> = Vec::new();
        for (at, g) in text.grapheme_indices(true) {
            let f = self
                .chain(face)
                .find(|&f| {
                    let l = self.get(f);
                    g.chars().all(|c| l.draws(c))
                })
                .unwrap_or(face);
            match runs.last_mut() {
                Some((r, last)) if self.slot(*last) == self.slot(f) => {
                    r.end = at + g.len()
                }
                _ => runs.push((at..at + g.len(), f)),
            }
        }
        runs
    }

    /// The size to set a fallback face at beside `primary` at `size`: for cased
    /// letters (Latin, Greek, Cyrillic …) the size whose x-height matches the
    /// primary's, within 80–125 %; other scripts, whose letters have no x-height,
    /// at the primary's size.
    pub fn matched_size(
        &self,
        primary: Face,
        fallback: Face,
        text: &str,
        size: Sp,
    ) -> Sp {
        if self.slot(primary) == self.slot(fallback) || !text.chars().any(has_case) {
            return size;
        }
        match (self.get(primary).x_height, self.get(fallback).x_height) {
            (Some(p), Some(f)) => {
                let ratio = (p / f).clamp(0.8, 1.25);
                (size as f64 * f64::from(ratio)).round() as Sp
            }
            _ => size,
        }
    }

    /// Shapes `text` (one word, or a piece of one) in `face` with `feat`, in the
    /// direction its script suggests; glyphs in visual (left-to-right) order.
    pub fn shape(&self, face: Face, feat: Feat, text: &str) -> Arc<[Glyph]> {
        self.shape_in(face, feat, text, None)
    }

    /// Shapes one directional run of text (UAX #9: a run of one embedding level) in
    /// that direction, its script guessed from its letters (UAX #24). Glyphs come in
    /// logical order, so a line may be cut between them as between characters; a
    /// right-to-left run's glyphs are drawn reversed (see [`super::items::Frag`]).
    pub fn shape_run(
        &self,
        face: Face,
        feat: Feat,
        text: &str,
        rtl: bool,
    ) -> Arc<[Glyph]> {
        let glyphs = self.shape_in(face, feat, text, Some(rtl));
        if rtl { glyphs.iter().rev().copied().collect() } else { glyphs }
    }

    fn shape_in(
        &self,
        face: Face,
        feat: Feat,
        text: &str,
        rtl: Option<bool>,
    ) -> Arc<[Glyph]> {
        let slot = self.slot(face);
        let key = (slot as u16, feat, rtl);
        if let Some(g) = self.cached().get(&key).and_then(|words| words.get(text)) {
            return g.clone();
        }
        let fd = &self.loaded[slot];
        let shaper = fd.data.shaper(&fd.font).build();
        let mut buf = UnicodeBuffer::new();
        buf.push_str(text);
        match rtl {
            Some(true) => buf.set_direction(harfrust::Direction::RightToLeft),
            Some(false) => buf.set_direction(harfrust::Direction::LeftToRight),
            None => {}
        }
        buf.guess_segment_properties();
        let plan = self.plan(slot, feat, &shaper, &buf);
        let features = &fd.feats[&feat];
        let out =
            shaper.shape(buf, ShapeOptions::new().plan(Some(&plan)).features(features));
        let glyphs: Arc<[Glyph]> = out
            .glyph_infos()
            .iter()
            .zip(out.glyph_positions())
            .map(|(i, p)| Glyph {
                id: i.glyph_id,
                cluster: i.cluster,
                adv: p.x_advance,
                dx: p.x_offset,
                dy: p.y_offset,
            })
            .collect();
        self.cached().entry(key).or_default().insert(text.into(), glyphs.clone());
        glyphs
    }

    /// The shaping plan for a buffer of the font's: its lookups for the features,
    /// the direction, script and language, as the shaper would otherwise compile for
    /// every word (a third of a new word's shaping). A buffer of no script (digits,
    /// punctuation: every note's and page's number) gets the plan the shaper would
    /// make for it, one of no script.
    fn plan(
        &self,
        slot: usize,
        feat: Feat,
        shaper: &harfrust::Shaper<'_>,
        buf: &UnicodeBuffer,
    ) -> Arc<ShapePlan> {
        let script = Some(buf.script()).filter(|s| *s != harfrust::script::UNKNOWN);
        let (direction, language) = (buf.direction(), buf.language());
        let plans =
            || self.plans.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let key = (slot as u16, feat, direction, script, language.clone());
        if let Some(p) = plans().get(&key) {
            return p.clone();
        }
        let features = &self.loaded[slot].feats[&feat];
        let plan = ShapePlan::new(shaper, direction, script, language.as_ref(), features);
        plans().entry(key).or_insert(Arc::new(plan)).clone()
    }

    /// The cache of shaped words. A thread that panicked while holding it left it
    /// whole (an insert is all it does), so its lock is taken back.
    fn cached(&self) -> std::sync::MutexGuard<'_, ShapeCache> {
        self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Whether a character is a letter with case (so an x-height means something).
fn has_case(c: char) -> bool {
    c.is_lowercase() || c.is_uppercase()
}

/// A family of one style (the shipped sans and mono).
fn one_style(file: FontFile) -> Family {
    Family::new(file.family.clone(), [Some(file), None, None, None])
        .expect("one style is a family")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ligatures_kerning_and_spaces() {
        let f = Fonts::new();
        let g = f.shape(Face::REGULAR, Feat::Text, "office");
        assert!(g.len() < 6, "ffi ligature: {g:?}");
        // A narrow no-break space is drawn (from the space glyph if the font lacks
        // one) rather than as .notdef.
        let n = f.shape(Face::REGULAR, Feat::Text, "a\u{202F}b");
        assert!(n.iter().all(|g| g.id != 0), "{n:?}");
        assert!(
            n[1].adv > 0 && n[1].adv < f.shape(Face::REGULAR, Feat::Text, " ")[0].adv
        );
        let s = f.shape(Face::REGULAR, Feat::Sups, "12");
        let t = f.shape(Face::REGULAR, Feat::Text, "12");
        assert_ne!(s[0].id, t[0].id, "superior figures differ");
        assert_eq!(f.upem(Face::REGULAR), 1000);
    }
}
