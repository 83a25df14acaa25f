//! The fonts an EPUB embeds: each face of the document's families, subset to the
//! characters the book uses, with the `@font-face` rules that name them.
//!
//! Which faces: every style the body family has, then the headings family's (when it
//! is another), then each fallback family's. A subset keeps the glyphs of the book's
//! characters and everything the layout features reach from them (GSUB closure:
//! ligatures, small capitals, old-style and superior figures), with the GSUB and GPOS
//! tables themselves, so a reading system still kerns and forms ligatures — the
//! HarfBuzz subsetter's behaviour, through its Rust port (skera). A fallback face
//! keeps only the characters no face before it in the chain has: it is there for
//! those alone, as the stylesheet's `font-family` list says.

use std::collections::BTreeSet;

use read_fonts::collections::IntSet;
use read_fonts::types::{NameId, Tag};
use skera::{DEFAULT_LAYOUT_FEATURES, Plan, SubsetFlags, subset_font};
use skrifa::MetadataProvider;

use crate::typeface::{Family, FontFile, Style, Typefaces};

/// The OpenType features kept beyond HarfBuzz's default set: the ones the
/// stylesheet's `font-variant` and the print edition use.
const EXTRA_FEATURES: [&[u8; 4]; 6] =
    [b"onum", b"lnum", b"smcp", b"c2sc", b"sups", b"pnum"];

/// One face to embed.
#[derive(Debug, Clone)]
pub struct Face<'a> {
    /// The family name the stylesheet uses.
    pub family: String,
    /// Its style.
    pub style: Style,
    /// The font.
    pub file: &'a FontFile,
    /// Position of its family in the chain (0: body), for what it must keep.
    pub rank: usize,
    /// Path in the EPUB, below `EPUB/`.
    pub href: String,
    /// Manifest id.
    pub id: String,
    /// `font/ttf` (TrueType outlines) or `font/otf` (CFF).
    pub media_type: &'static str,
}

/// The faces to embed, in chain order.
pub fn plan(tf: &Typefaces) -> Vec<Face<'_>> {
    let mut families: Vec<&Family> = vec![&tf.body];
    if tf.headings().name != tf.body.name {
        families.push(tf.headings());
    }
    families.extend(tf.fallback.iter());
    let mut out: Vec<Face> = Vec::new();
    for (rank, fam) in families.into_iter().enumerate() {
        for (style, file) in fam.fonts() {
            let seen = out.iter().any(|f| {
                std::ptr::eq(f.file.data, file.data) && f.file.index == file.index
            });
            if seen {
                continue;
            }
            let cff = file
                .font()
                .is_some_and(|f| f.table_data(skrifa::Tag::new(b"CFF ")).is_some());
            let n = out.len() + 1;
            let ext = if cff { "otf" } else { "ttf" };
            out.push(Face {
                family: css_name(&fam.name),
                style,
                file,
                rank,
                href: format!("fonts/font{n:02}-{}.{ext}", slug(&fam.name, style)),
                id: format!("font{n:02}"),
                media_type: if cff { "font/otf" } else { "font/ttf" },
            });
        }
    }
    out
}

/// The `@font-face` rules and the `font-family` lists of text and headings.
pub fn css(faces: &[Face], tf: &Typefaces) -> String {
    let mut css = String::from(
        "\n/* Embedded: subsets of the faces the book is set in, each keeping only the characters the book uses. */\n",
    );
    for f in faces {
        css.push_str(&format!(
            "@font-face {{ font-family: \"{}\"; font-weight: {}; font-style: {}; src: url(\"{}\"); }}\n",
            f.family,
            f.file.weight,
            if f.file.italic { "italic" } else { "normal" },
            f.href
        ));
    }
    let fallbacks: String =
        tf.fallback.iter().map(|f| format!("\"{}\", ", css_name(&f.name))).collect();
    css.push_str(&format!(
        "body {{ font-family: \"{}\", {fallbacks}serif; }}\n",
        css_name(&tf.body.name)
    ));
    if tf.headings().name != tf.body.name {
        css.push_str(&format!(
            "h1, h2, h3, h4, h5, h6, .titlepage .subtitle {{ font-family: \"{}\", {fallbacks}serif; }}\n",
            css_name(&tf.headings().name)
        ));
    }
    css
}

/// The face subset to `chars`: those its font has, less, for a fallback, those a
/// face earlier in the chain has.
pub fn subset(
    face: &Face,
    faces: &[Face],
    chars: &BTreeSet<char>,
) -> Result<Vec<u8>, String> {
    let earlier: Vec<_> = faces
        .iter()
        .filter(|f| f.rank < face.rank)
        .filter_map(|f| f.file.font())
        .collect();
    let mut unicodes = IntSet::<u32>::empty();
    for &c in chars {
        if !earlier.iter().any(|f| f.charmap().map(c).is_some()) {
            unicodes.insert(c as u32);
        }
    }
    let font = read_fonts::FileRef::new(face.file.data)
        .ok()
        .and_then(|f| f.fonts().nth(face.file.index as usize))
        .and_then(Result::ok)
        .ok_or_else(|| format!("`{}` cannot be read for embedding", face.file.file))?;
    // `typeface::read_file` has refused fonts whose character map points past their
    // last glyph (skera 0.9 unwraps the missing glyph).
    let mut features = IntSet::<Tag>::empty();
    features.extend(DEFAULT_LAYOUT_FEATURES.iter().copied());
    features.extend(EXTRA_FEATURES.iter().map(|t| Tag::new(t)));
    let mut scripts = IntSet::<Tag>::empty();
    scripts.invert();
    let mut names = IntSet::<NameId>::empty();
    names.insert_range(NameId::from(0)..=NameId::from(25));
    let mut languages = IntSet::<u16>::empty();
    languages.invert();
    // The subsetter is a dependency: should it still panic on a malformed font,
    // the font is refused with an error rather than the build aborting.
    let subset = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let plan = Plan::new(
            &IntSet::empty(),
            &unicodes,
            &font,
            SubsetFlags::SUBSET_FLAGS_NOTDEF_OUTLINE,
            &IntSet::empty(),
            &scripts,
            &features,
            &names,
            &languages,
        );
        subset_font(&font, &plan)
    }));
    subset
        .map_err(|_| format!("`{}` could not be subset for the EPUB", face.file.file))?
        .map_err(|e| {
            format!("`{}` could not be subset for the EPUB: {e}", face.file.file)
        })
}

/// A family name fit to stand between double quotes in CSS.
fn css_name(name: &str) -> String {
    name.chars().filter(|c| !matches!(c, '"' | '\\') && !c.is_control()).collect()
}

/// A file-name part for a family and style: lower-case ASCII letters and digits.
fn slug(name: &str, style: Style) -> String {
    let mut s: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect();
    s.push('-');
    s.push_str(&style.name().replace(' ', "-"));
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !(c == '-' && (out.is_empty() || out.ends_with('-'))) {
            out.push(c);
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(data: &[u8], text: &str) -> Vec<(u32, i32)> {
        let font = harfrust::FontRef::new(data).expect("font");
        let sd = harfrust::ShaperData::new(&font);
        let shaper = sd.shaper(&font).build();
        let mut buf = harfrust::UnicodeBuffer::new();
        buf.push_str(text);
        buf.guess_segment_properties();
        let out = shaper.shape(buf, harfrust::ShapeOptions::new());
        out.glyph_infos()
            .iter()
            .zip(out.glyph_positions())
            .map(|(i, p)| (i.glyph_id, p.x_advance))
            .collect()
    }

    #[test]
    fn a_subset_is_small_and_keeps_ligatures_and_kerning() {
        let tf = Typefaces::default();
        let faces = plan(&tf);
        assert_eq!(faces.len(), 4);
        assert_eq!(faces[0].href, "fonts/font01-eb-garamond-regular.ttf");
        let text = "office AVA To. Wave";
        let chars: BTreeSet<char> = text.chars().collect();
        let sub = subset(&faces[0], &faces, &chars).expect("subset");
        let whole = faces[0].file.data;
        assert!(sub.len() * 10 < whole.len(), "{} of {}", sub.len(), whole.len());
        // The same text shapes to as many glyphs with the same advances: the ffi
        // ligature and the kerning of AV, To and Wa survive (glyph ids differ).
        let (a, b) = (shape(whole, text), shape(&sub, text));
        assert_eq!(a.len(), b.len());
        assert!(a.len() < text.chars().count(), "a ligature formed");
        let adv = |v: &[(u32, i32)]| v.iter().map(|g| g.1).collect::<Vec<_>>();
        assert_eq!(adv(&a), adv(&b));
        assert!(b.iter().all(|g| g.0 != 0), "no .notdef in the subset's shaping");
        let css = css(&faces, &tf);
        assert!(css.contains("font-family: \"EB Garamond\"; font-weight: 700; font-style: italic; src: url(\"fonts/font04-eb-garamond-bold-italic.ttf\")"), "{css}");
    }

    #[test]
    fn slugs_and_names_are_safe() {
        assert_eq!(slug("Noto Serif SC", Style::BoldItalic), "noto-serif-sc-bold-italic");
        assert_eq!(slug("Ünï \"x\"", Style::Regular), "n-x-regular");
        assert_eq!(css_name("A \"B\" \\C"), "A B C");
    }
}
