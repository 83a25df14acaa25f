//! Typefaces: the families a document is set in — the shipped ones, or the
//! manuscript's own (`fonts:` in the front matter) — sorted into the four styles a
//! text needs, and judged before anything is set with them.
//!
//! Input: font files' bytes, which the CLI has read. Output: a [`Family`] per role
//! (body, headings, each fallback), or a message saying why a file cannot be used.
//! Nothing here reads files.
//!
//! A family's files are sorted by what the fonts say of themselves, not by their file
//! names: the family is the typographic family name (name ID 16, else ID 1); a face is
//! italic when OS/2 `fsSelection` has ITALIC or OBLIQUE, `head.macStyle` has italic,
//! or its style name says so; its weight is OS/2 `usWeightClass` and its width
//! `usWidthClass` (OpenType 1.9, the `name` and `OS/2` tables). Regular is the
//! upright face nearest weight 400, bold the upright face nearest 700 among those of
//! 600 and over, and likewise for the italics, always preferring normal width. A
//! style the family lacks is stood in for by another of its styles (italic and bold
//! by regular; bold italic by bold, else italic) — never by a slanted or emboldened
//! fake.

use std::borrow::Cow;
use std::sync::Mutex;

use skrifa::raw::tables::os2::SelectionFlags;
use skrifa::raw::{FileRef, FontRef, TableProvider};
use skrifa::{MetadataProvider, string::StringId};

use crate::diag::Span;

/// One of the four styles of a text face.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Style {
    /// Upright, normal weight.
    Regular,
    /// Italic (or oblique), normal weight.
    Italic,
    /// Upright, bold.
    Bold,
    /// Italic, bold.
    BoldItalic,
}

impl Style {
    /// Every style, in the order of [`Style::index`].
    pub const ALL: [Style; 4] =
        [Style::Regular, Style::Italic, Style::Bold, Style::BoldItalic];

    /// Position in [`Style::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Whether it is italic.
    pub fn is_italic(self) -> bool {
        matches!(self, Style::Italic | Style::BoldItalic)
    }

    /// Whether it is bold.
    pub fn is_bold(self) -> bool {
        matches!(self, Style::Bold | Style::BoldItalic)
    }

    /// The style with italic toggled (emphasis inside italic is roman).
    pub fn emphasised(self) -> Style {
        match self {
            Style::Regular => Style::Italic,
            Style::Italic => Style::Regular,
            Style::Bold => Style::BoldItalic,
            Style::BoldItalic => Style::Bold,
        }
    }

    /// The style made bold.
    pub fn strong(self) -> Style {
        if self.is_italic() { Style::BoldItalic } else { Style::Bold }
    }

    /// Its name, as a user reads it.
    pub fn name(self) -> &'static str {
        match self {
            Style::Regular => "regular",
            Style::Italic => "italic",
            Style::Bold => "bold",
            Style::BoldItalic => "bold italic",
        }
    }

    /// The styles that stand in for this one when a family lacks it, best first.
    fn stand_ins(self) -> &'static [Style] {
        match self {
            Style::Regular => &[Style::Italic, Style::Bold, Style::BoldItalic],
            Style::Italic | Style::Bold => &[Style::Regular],
            Style::BoldItalic => &[Style::Bold, Style::Italic, Style::Regular],
        }
    }
}

/// One font: a face of a family, in a file (or one font of a collection).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontFile {
    /// The typographic family name.
    pub family: Cow<'static, str>,
    /// The file name (without folders), for the EPUB's manifest and messages.
    pub file: Cow<'static, str>,
    /// The whole file's bytes.
    pub data: &'static [u8],
    /// Which font of a collection (`.ttc`); 0 for a single font.
    pub index: u32,
    /// OS/2 `usWeightClass` (400 regular, 700 bold).
    pub weight: u16,
    /// Whether the face is italic or oblique.
    pub italic: bool,
    /// OS/2 `usWidthClass` (5 normal).
    pub width: u16,
}

impl FontFile {
    /// A font quire ships (its family, file name and bytes are known at build time).
    pub const fn shipped(
        family: &'static str,
        file: &'static str,
        data: &'static [u8],
        weight: u16,
        italic: bool,
    ) -> FontFile {
        FontFile {
            family: Cow::Borrowed(family),
            file: Cow::Borrowed(file),
            data,
            index: 0,
            weight,
            italic,
            width: 5,
        }
    }

    /// The font, parsed (it was parsed when it was classified, so this holds).
    pub fn font(&self) -> Option<FontRef<'static>> {
        match FileRef::new(self.data).ok()? {
            FileRef::Font(f) => Some(f),
            FileRef::Collection(c) => c.get(self.index).ok(),
        }
    }

    /// The style it fills best: italic or not, bold from weight 600.
    fn style(&self) -> Style {
        match (self.weight >= 600, self.italic) {
            (false, false) => Style::Regular,
            (false, true) => Style::Italic,
            (true, false) => Style::Bold,
            (true, true) => Style::BoldItalic,
        }
    }
}

/// A family in the four styles; a style it lacks is stood in for by another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    /// The family name.
    pub name: Cow<'static, str>,
    /// Regular, italic, bold and bold italic, where the family has them; at least
    /// one is present.
    styles: [Option<FontFile>; 4],
}

impl Family {
    /// A family from its styles; `None` if it has none.
    pub fn new(name: Cow<'static, str>, styles: [Option<FontFile>; 4]) -> Option<Family> {
        styles.iter().any(Option::is_some).then_some(Family { name, styles })
    }

    /// The font for a style: the family's own, or the one standing in for it.
    pub fn get(&self, style: Style) -> &FontFile {
        self.own(style)
            .or_else(|| style.stand_ins().iter().find_map(|&s| self.own(s)))
            .or_else(|| self.styles.iter().flatten().next())
            .expect("a family has at least one style")
    }

    /// The family's own font for a style, if it has one.
    pub fn own(&self, style: Style) -> Option<&FontFile> {
        self.styles[style.index()].as_ref()
    }

    /// The styles the family lacks, each with the style that stands in for it.
    pub fn stand_ins(&self) -> Vec<(Style, Style)> {
        Style::ALL
            .into_iter()
            .filter(|&s| self.own(s).is_none())
            .map(|s| {
                let by = Style::ALL
                    .into_iter()
                    .find(|&o| self.own(o) == Some(self.get(s)))
                    .unwrap_or(Style::Regular);
                (s, by)
            })
            .collect()
    }

    /// Its distinct fonts, in style order.
    pub fn fonts(&self) -> impl Iterator<Item = (Style, &FontFile)> {
        Style::ALL.into_iter().filter_map(|s| self.own(s).map(|f| (s, f)))
    }
}

/// Where a family is named in the manuscript.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `fonts: {body: …}`: running text.
    Body,
    /// `fonts: {headings: …}`: headings and the title.
    Headings,
    /// The `k`-th entry of `fonts: {fallback: […]}`.
    Fallback(usize),
}

/// The families a document is set in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typefaces {
    /// Running text (and headings, when no headings face is named).
    pub body: Family,
    /// Headings and the title, if named.
    pub headings: Option<Family>,
    /// Faces tried in order for a character the text face lacks.
    pub fallback: Vec<Family>,
    /// Whether the manuscript named any of them (`fonts:` in its front matter).
    pub custom: bool,
}

impl Default for Typefaces {
    /// The shipped EB Garamond, with no fallback but the shipped faces.
    fn default() -> Self {
        Typefaces {
            body: shipped_serif(),
            headings: None,
            fallback: Vec::new(),
            custom: false,
        }
    }
}

impl Typefaces {
    /// The headings' family: its own, or the body's.
    pub fn headings(&self) -> &Family {
        self.headings.as_ref().unwrap_or(&self.body)
    }

    /// Sets the family of a role.
    pub fn set(&mut self, role: Role, family: Family) {
        self.custom = true;
        match role {
            Role::Body => self.body = family,
            Role::Headings => self.headings = Some(family),
            Role::Fallback(_) => self.fallback.push(family),
        }
    }
}

/// EB Garamond in its four styles.
pub fn shipped_serif() -> Family {
    let [r, i, b, bi] = crate::font_files::SERIF;
    Family { name: r.family.clone(), styles: [Some(r), Some(i), Some(b), Some(bi)] }
}

/// The largest font file quire reads, in bytes (a full CJK face is 20–30 MB).
pub const MAX_FONT_FILE: u64 = 64 << 20;

/// Whether a file name looks like a font quire reads.
pub fn is_font_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".ttf", ".otf", ".ttc", ".otc"].iter().any(|e| lower.ends_with(e))
}

/// A font file's bytes kept for the rest of the run: shaping and PDF writing borrow
/// them for as long as the program lives. The same bytes read twice (a watched
/// manuscript rebuilt) are kept once.
pub fn keep(bytes: Vec<u8>) -> &'static [u8] {
    static KEPT: Mutex<Vec<&'static [u8]>> = Mutex::new(Vec::new());
    let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(k) = kept.iter().find(|k| **k == bytes.as_slice()) {
        return k;
    }
    let k: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    kept.push(k);
    k
}

/// The fonts in a file, each classified; or why the file cannot be used. `name` is
/// the file's name as the user knows it, for messages.
pub fn read_file(name: &str, data: &'static [u8]) -> Result<Vec<FontFile>, String> {
    let file = FileRef::new(data)
        .map_err(|_| format!("`{name}` is not a TrueType or OpenType font file"))?;
    let fonts: Vec<(u32, Result<FontRef, _>)> = match &file {
        FileRef::Font(f) => vec![(0, Ok(f.clone()))],
        FileRef::Collection(c) => (0..c.len()).map(|i| (i, c.get(i))).collect(),
    };
    if fonts.is_empty() {
        return Err(format!("`{name}` is a font collection with no fonts in it"));
    }
    let short = name.rsplit(['/', '\\']).next().unwrap_or(name);
    fonts
        .into_iter()
        .map(|(index, font)| {
            let font = font.map_err(|_| {
                format!("`{name}`: font {index} of the collection is damaged")
            })?;
            classify(name, short, data, index, &font)
        })
        .collect()
}

/// Judges one font: whole, static, embeddable; then reads its family, weight, width
/// and slant.
fn classify(
    name: &str,
    short: &str,
    data: &'static [u8],
    index: u32,
    font: &FontRef<'static>,
) -> Result<FontFile, String> {
    check_whole(name, font)?;
    if font.fvar().is_ok_and(|f| f.axis_count() > 0) || font.cff2().is_ok() {
        return Err(format!(
            "`{name}` is a variable font; quire sets static fonts: use the family's static files (often in a `static/` folder beside it)"
        ));
    }
    let os2 = font.os2().ok();
    check_embedding(name, os2.as_ref().map_or(0, |o| o.fs_type()))?;
    check_postscript_name(name, font)?;
    let names = |id: StringId| -> Option<String> {
        font.localized_strings(id)
            .english_or_first()
            .map(|s| s.chars().collect::<String>())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let family = names(StringId::TYPOGRAPHIC_FAMILY_NAME)
        .or_else(|| names(StringId::FAMILY_NAME))
        .ok_or_else(|| format!("`{name}` has no family name in its `name` table"))?;
    let style_name = names(StringId::TYPOGRAPHIC_SUBFAMILY_NAME)
        .or_else(|| names(StringId::SUBFAMILY_NAME))
        .unwrap_or_default()
        .to_ascii_lowercase();
    let selection = os2.as_ref().map_or(SelectionFlags::empty(), |o| o.fs_selection());
    let mac_italic = font.head().is_ok_and(|h| h.mac_style().bits() & 0x0002 != 0);
    let italic = selection.intersects(SelectionFlags::ITALIC | SelectionFlags::OBLIQUE)
        || mac_italic
        || style_name.contains("italic")
        || style_name.contains("oblique");
    let weight = os2.as_ref().map_or(400, |o| o.us_weight_class()).clamp(1, 1000);
    let width = os2.as_ref().map_or(5, |o| o.us_width_class()).clamp(1, 9);
    Ok(FontFile {
        family: Cow::Owned(family),
        file: Cow::Owned(short.to_string()),
        data,
        index,
        weight,
        italic,
        width,
    })
}

/// Refuses a font missing a table that setting text needs, or with one cut short (a
/// damaged or truncated file).
fn check_whole(name: &str, font: &FontRef) -> Result<(), String> {
    let damaged = |what: &str| {
        format!("`{name}` is damaged or cut short: its `{what}` table cannot be read")
    };
    // The table directory must lie inside the file: a truncated download parses its
    // header but not the tables at its end.
    for rec in font.table_directory.table_records() {
        let end = u64::from(rec.offset()) + u64::from(rec.length());
        if end > font.data().len() as u64 + 3 {
            return Err(format!(
                "`{name}` is cut short: its `{}` table runs past the end of the file",
                rec.tag()
            ));
        }
    }
    let head = font.head().map_err(|_| damaged("head"))?;
    if !(16..=16384).contains(&head.units_per_em()) {
        return Err(damaged("head"));
    }
    font.hhea().map_err(|_| damaged("hhea"))?;
    let glyphs = font.maxp().map_err(|_| damaged("maxp"))?.num_glyphs();
    font.hmtx().map_err(|_| damaged("hmtx"))?;
    font.cmap().map_err(|_| damaged("cmap"))?;
    // A character mapped to a glyph the font does not have cannot be drawn nor
    // subset (found by the font fuzz target).
    if font.charmap().mappings().any(|(_, g)| g.to_u32() >= u32::from(glyphs)) {
        return Err(format!(
            "`{name}` is damaged: its character map points past its last glyph"
        ));
    }
    let outlines = (font.glyf().is_ok() && font.loca(None).is_ok()) || font.cff().is_ok();
    if !outlines && font.cff2().is_err() {
        return Err(format!(
            "`{name}` has no glyph outlines quire can draw (TrueType `glyf` or CFF); bitmap-only fonts cannot be used"
        ));
    }
    if font.charmap().mappings().next().is_none() {
        return Err(format!("`{name}` maps no characters (its `cmap` is empty)"));
    }
    Ok(())
}

/// Refuses a font whose PostScript name is not printable ASCII.
fn check_postscript_name(name: &str, font: &FontRef) -> Result<(), String> {
    // OpenType's `name` table: the PostScript name (ID 6) is printable ASCII, no
    // more than 63 characters; the PDF names the embedded font by it (and krilla
    // 0.8 cuts it by bytes, so a non-ASCII one panics: found by the font fuzz
    // target).
    let bad = font
        .localized_strings(StringId::POSTSCRIPT_NAME)
        .any(|s| s.chars().any(|c| !(c.is_ascii_graphic())));
    if bad {
        return Err(format!(
            "`{name}` is damaged: its PostScript name (`name` ID 6) is not printable ASCII"
        ));
    }
    Ok(())
}

/// Refuses a font whose licence bits (OS/2 `fsType`) forbid embedding it: restricted
/// licence (bit 1) or bitmap embedding only (bit 9). quire embeds subsets of every
/// face it sets, so no-subsetting (bit 8) is refused too.
fn check_embedding(name: &str, fs_type: u16) -> Result<(), String> {
    let why = if fs_type & 0x000F == 0x0002 {
        "its licence forbids embedding it (OS/2 fsType: restricted)"
    } else if fs_type & 0x0200 != 0 {
        "its licence allows only bitmaps to be embedded (OS/2 fsType bit 9)"
    } else if fs_type & 0x0100 != 0 {
        "its licence forbids embedding a subset of it (OS/2 fsType bit 8), and quire embeds only the glyphs a book uses"
    } else {
        return Ok(());
    };
    Err(format!("`{name}` cannot be used: {why}"))
}

/// Sorts fonts into a family's styles. Several families among them is an error that
/// names them; so is no font at all.
pub fn family(label: &str, fonts: Vec<FontFile>) -> Result<Family, String> {
    let mut names: Vec<&str> = fonts.iter().map(|f| f.family.as_ref()).collect();
    names.sort_unstable();
    names.dedup();
    match names.as_slice() {
        [] => return Err(format!("`{label}` holds no font files (.ttf, .otf, .ttc)")),
        [_] => {}
        many => {
            return Err(format!(
                "`{label}` holds several families ({}): name a folder with one family, or one file",
                many.join(", ")
            ));
        }
    }
    let name = Cow::Owned(names[0].to_string());
    let styles = Style::ALL.map(|s| best_for(s, &fonts).cloned());
    let styles = if styles.iter().all(Option::is_none) {
        // Only weights outside both ranges (a light italic alone, say): the nearest to
        // regular becomes regular.
        [best_any(&fonts).cloned(), None, None, None]
    } else {
        styles
    };
    Family::new(name, styles).ok_or_else(|| format!("`{label}` holds no usable font"))
}

/// The font that fills a style best, if any does.
fn best_for(style: Style, fonts: &[FontFile]) -> Option<&FontFile> {
    let target: i32 = if style.is_bold() { 700 } else { 400 };
    fonts.iter().filter(|f| f.style() == style).min_by_key(|f| {
        (
            (i32::from(f.width) - 5).abs(),
            (i32::from(f.weight) - target).abs(),
            f.weight,
            f.file.clone(),
            f.index,
        )
    })
}

/// The font nearest an upright regular.
fn best_any(fonts: &[FontFile]) -> Option<&FontFile> {
    fonts.iter().min_by_key(|f| {
        (
            f.italic,
            (i32::from(f.width) - 5).abs(),
            (i32::from(f.weight) - 400).abs(),
            f.file.clone(),
            f.index,
        )
    })
}

/// The message for a family's missing styles, if it lacks any: "Literata has no
/// bold italic: bold stands in for it".
pub fn stand_in_message(family: &Family) -> Option<String> {
    let missing = family.stand_ins();
    if missing.is_empty() {
        return None;
    }
    let list = |styles: Vec<&str>, and: &str| match styles.as_slice() {
        [one] => one.to_string(),
        [init @ .., last] => format!("{} {and} {last}", init.join(", ")),
        [] => String::new(),
    };
    let lacks = list(missing.iter().map(|(s, _)| s.name()).collect(), "or");
    let mut by: Vec<Style> = missing.iter().map(|&(_, b)| b).collect();
    by.sort();
    by.dedup();
    let stands: Vec<String> = by
        .into_iter()
        .map(|b| {
            let those: Vec<&str> =
                missing.iter().filter(|m| m.1 == b).map(|(s, _)| s.name()).collect();
            let them =
                if missing.len() == 1 { "it".to_string() } else { list(those, "and") };
            format!("{} stands in for {them}", b.name())
        })
        .collect();
    Some(format!("{} has no {lacks}: {}", family.name, stands.join("; ")))
}

/// The shipped faces that end every fallback chain: EB Garamond, Source Sans 3,
/// Source Code Pro.
pub fn shipped_families() -> [Family; 3] {
    let one = |f: FontFile| Family {
        name: f.family.clone(),
        styles: [Some(f), None, None, None],
    };
    [
        shipped_serif(),
        one(crate::font_files::SANS_REGULAR),
        one(crate::font_files::MONO_REGULAR),
    ]
}

/// The warning for a character none of the document's fonts has (`fonts` names them,
/// in the order they are tried).
pub fn uncovered(c: char, fonts: &str, span: Span) -> crate::diag::Diagnostic {
    crate::diag::Diagnostic::warning(
        "uncovered-char",
        span,
        format!("U+{:04X} `{c}` is in none of the fonts ({fonts}); the print editions leave a gap for it", c as u32),
    )
    .with_hint("name a font that has it under `fonts: {fallback: […]}`, or replace the character")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped(k: usize) -> Vec<FontFile> {
        let f = &crate::font_files::SERIF[k];
        read_file(&f.file, f.data).expect("shipped font reads")
    }

    #[test]
    fn shipped_serif_sorts_into_its_four_styles() {
        let all: Vec<FontFile> = (0..4).flat_map(shipped).collect();
        let fam = family("fonts/EBGaramond", all).expect("one family");
        assert_eq!(fam.name, "EB Garamond");
        for s in Style::ALL {
            let want = crate::font_files::SERIF[s.index()].data;
            assert!(fam.own(s).is_some_and(|f| std::ptr::eq(f.data, want)), "{s:?}");
        }
        assert!(fam.stand_ins().is_empty());
        assert_eq!(stand_in_message(&fam), None);
    }

    #[test]
    fn missing_styles_are_stood_in_for() {
        let fam = family("x", shipped(0)).expect("regular alone");
        assert!(std::ptr::eq(
            fam.get(Style::BoldItalic).data,
            crate::font_files::SERIF[0].data
        ));
        assert_eq!(
            fam.stand_ins(),
            vec![
                (Style::Italic, Style::Regular),
                (Style::Bold, Style::Regular),
                (Style::BoldItalic, Style::Regular)
            ]
        );
        let msg = stand_in_message(&fam).expect("a message");
        assert_eq!(
            msg,
            "EB Garamond has no italic, bold or bold italic: regular stands in for italic, bold and bold italic"
        );
        let two: Vec<FontFile> = [0, 2].into_iter().flat_map(shipped).collect();
        let fam = family("x", two).expect("regular and bold");
        assert!(std::ptr::eq(
            fam.get(Style::BoldItalic).data,
            crate::font_files::SERIF[2].data
        ));
        assert_eq!(
            stand_in_message(&fam).as_deref(),
            Some(
                "EB Garamond has no italic or bold italic: regular stands in for italic; bold stands in for bold italic"
            )
        );
    }

    #[test]
    fn bad_files_are_refused_with_reasons() {
        let not = read_file("a.ttf", b"not a font at all").unwrap_err();
        assert!(not.contains("not a TrueType or OpenType"), "{not}");
        let data = crate::font_files::SERIF[0].data;
        let cut = keep(data[..data.len() / 2].to_vec());
        let e = read_file("half.ttf", cut).unwrap_err();
        assert!(e.contains("cut short") || e.contains("damaged"), "{e}");
        assert!(
            check_embedding("r.ttf", 0x0002).unwrap_err().contains("forbids embedding")
        );
        assert!(check_embedding("e.ttf", 0x0008).is_ok());
        assert!(check_embedding("p.ttf", 0x0004).is_ok());
        let many = vec![
            shipped(0).remove(0),
            read_file("mono", crate::font_files::MONO_REGULAR.data).unwrap().remove(0),
        ];
        let e = family("fonts", many).unwrap_err();
        assert!(e.contains("several families (EB Garamond, Source Code Pro)"), "{e}");
        assert!(family("fonts", Vec::new()).unwrap_err().contains("holds no font files"));
    }

    /// A font with one more table (the directory kept sorted by tag, as readers
    /// binary-search it).
    fn with_table(font: &[u8], tag: &[u8; 4], table: &[u8]) -> Vec<u8> {
        let n = usize::from(u16::from_be_bytes([font[4], font[5]]));
        let mut recs: Vec<[u8; 16]> =
            (0..n).map(|t| font[12 + 16 * t..28 + 16 * t].try_into().unwrap()).collect();
        for r in &mut recs {
            let off = u32::from_be_bytes(r[8..12].try_into().unwrap()) + 16;
            r[8..12].copy_from_slice(&off.to_be_bytes());
        }
        let mut out = font.to_vec();
        out.splice(12 + 16 * n..12 + 16 * n, [0u8; 16]);
        while !out.len().is_multiple_of(4) {
            out.push(0);
        }
        let mut rec = [0u8; 16];
        rec[..4].copy_from_slice(tag);
        rec[8..12].copy_from_slice(&(out.len() as u32).to_be_bytes());
        rec[12..16].copy_from_slice(&(table.len() as u32).to_be_bytes());
        out.extend_from_slice(table);
        recs.push(rec);
        recs.sort_by(|a, b| a[..4].cmp(&b[..4]));
        out[4..6].copy_from_slice(&((n + 1) as u16).to_be_bytes());
        for (t, r) in recs.iter().enumerate() {
            out[12 + 16 * t..28 + 16 * t].copy_from_slice(r);
        }
        out
    }

    #[test]
    fn a_variable_font_is_refused_with_what_to_use() {
        // fvar 1.0 with one axis, wght 100–900 (OpenType 1.9, `fvar`).
        let mut fvar = Vec::new();
        for v in [1u16, 0, 16, 2, 1, 20, 0, 8] {
            fvar.extend_from_slice(&v.to_be_bytes());
        }
        fvar.extend_from_slice(b"wght");
        for v in [100u32, 400, 900] {
            fvar.extend_from_slice(&(v << 16).to_be_bytes());
        }
        fvar.extend_from_slice(&[0, 0, 1, 0]);
        let data = keep(with_table(crate::font_files::SERIF[0].data, b"fvar", &fvar));
        let e = read_file("fonts/Var.ttf", data).unwrap_err();
        assert!(e.contains("is a variable font") && e.contains("static"), "{e}");
        // The same font without the table reads.
        let same = keep(with_table(crate::font_files::SERIF[0].data, b"zzzz", &[0; 4]));
        assert!(read_file("fonts/Plain.ttf", same).is_ok());
    }

    #[test]
    fn kept_bytes_are_kept_once() {
        let a = keep(vec![1, 2, 3]);
        let b = keep(vec![1, 2, 3]);
        assert!(std::ptr::eq(a, b));
    }
}
