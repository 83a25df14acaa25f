//! Fonts for the layout: the shipped faces, shaped with harfrust (kerning, standard
//! ligatures, old-style figures, superior figures, small caps — all from the font's own
//! OpenType features) and measured in font units. Shaped words are cached: a book
//! repeats its words, and shaping is the layout's costliest step.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use harfrust::{Feature, ShapeOptions, ShaperData, UnicodeBuffer};
use skrifa::MetadataProvider;

use crate::font_files::{self, FontFile};

/// A face of the shipped families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Face {
    /// EB Garamond Regular.
    Regular,
    /// EB Garamond Italic.
    Italic,
    /// EB Garamond Bold.
    Bold,
    /// EB Garamond Bold Italic.
    BoldItalic,
    /// Source Sans 3 Regular (the typographic cover).
    Sans,
    /// Source Code Pro Regular (code).
    Mono,
}

impl Face {
    /// Every face, in the order of [`Face::index`].
    pub const ALL: [Face; 6] = [
        Face::Regular,
        Face::Italic,
        Face::Bold,
        Face::BoldItalic,
        Face::Sans,
        Face::Mono,
    ];

    /// Position in [`Face::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The font file.
    pub fn file(self) -> &'static FontFile {
        match self {
            Face::Regular => &font_files::SERIF_REGULAR,
            Face::Italic => &font_files::SERIF_ITALIC,
            Face::Bold => &font_files::SERIF_BOLD,
            Face::BoldItalic => &font_files::SERIF_BOLD_ITALIC,
            Face::Sans => &font_files::SANS_REGULAR,
            Face::Mono => &font_files::MONO_REGULAR,
        }
    }

    /// The face with emphasis toggled (emphasis inside italic is roman).
    pub fn emphasised(self) -> Face {
        match self {
            Face::Regular => Face::Italic,
            Face::Italic => Face::Regular,
            Face::Bold => Face::BoldItalic,
            Face::BoldItalic => Face::Bold,
            f @ (Face::Sans | Face::Mono) => f,
        }
    }

    /// The face made bold.
    pub fn strong(self) -> Face {
        match self {
            Face::Regular | Face::Bold => Face::Bold,
            Face::Italic | Face::BoldItalic => Face::BoldItalic,
            f @ (Face::Sans | Face::Mono) => f,
        }
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

struct FaceData {
    font: harfrust::FontRef<'static>,
    data: ShaperData,
    upem: i32,
    charmap: skrifa::charmap::Charmap<'static>,
    feats: HashMap<Feat, Vec<Feature>>,
}

/// What a shaped word is cached under.
type ShapeKey = (Face, Feat, String);

/// The faces with their shapers and a cache of shaped words.
pub struct Fonts {
    faces: Vec<FaceData>,
    cache: RefCell<HashMap<ShapeKey, Rc<[Glyph]>>>,
}

impl Default for Fonts {
    fn default() -> Self {
        Self::new()
    }
}

impl Fonts {
    /// Loads the shipped faces (built into the binary, so this cannot fail on a sound
    /// build; a broken font file is a build-time bug caught by the tests).
    pub fn new() -> Fonts {
        let faces = Face::ALL
            .iter()
            .map(|f| {
                let data: &'static [u8] = f.file().data;
                let font = harfrust::FontRef::new(data).expect("shipped font parses");
                let sk = skrifa::FontRef::new(data).expect("shipped font parses");
                let upem = sk
                    .metrics(
                        skrifa::prelude::Size::unscaled(),
                        skrifa::prelude::LocationRef::default(),
                    )
                    .units_per_em;
                let feats =
                    [Feat::Text, Feat::Sups, Feat::SmallCaps, Feat::Lining, Feat::Code]
                        .into_iter()
                        .map(|ft| {
                            (
                                ft,
                                ft.features()
                                    .iter()
                                    .filter_map(|s| s.parse().ok())
                                    .collect(),
                            )
                        })
                        .collect();
                FaceData {
                    data: ShaperData::new(&font),
                    font,
                    upem: i32::from(upem),
                    charmap: sk.charmap(),
                    feats,
                }
            })
            .collect();
        Fonts { faces, cache: RefCell::new(HashMap::new()) }
    }

    /// Units per em of a face.
    pub fn upem(&self, face: Face) -> i32 {
        self.faces[face.index()].upem
    }

    /// Whether the face maps the character to a glyph.
    pub fn covers(&self, face: Face, c: char) -> bool {
        self.faces[face.index()].charmap.map(c).is_some()
    }

    /// The glyph id of a character, if the face has one.
    pub fn glyph_id(&self, face: Face, c: char) -> Option<u32> {
        self.faces[face.index()].charmap.map(c).map(|g| g.to_u32())
    }

    /// Shapes `text` (one word, or a piece of one) in `face` with `feat`.
    pub fn shape(&self, face: Face, feat: Feat, text: &str) -> Rc<[Glyph]> {
        let key = (face, feat, text.to_string());
        if let Some(g) = self.cache.borrow().get(&key) {
            return g.clone();
        }
        let fd = &self.faces[face.index()];
        let shaper = fd.data.shaper(&fd.font).build();
        let mut buf = UnicodeBuffer::new();
        buf.push_str(text);
        buf.guess_segment_properties();
        let out = shaper.shape(buf, ShapeOptions::new().features(&fd.feats[&feat]));
        let glyphs: Rc<[Glyph]> = out
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
        self.cache.borrow_mut().insert(key, glyphs.clone());
        glyphs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ligatures_kerning_and_spaces() {
        let f = Fonts::new();
        let g = f.shape(Face::Regular, Feat::Text, "office");
        assert!(g.len() < 6, "ffi ligature: {g:?}");
        // A narrow no-break space is drawn (from the space glyph if the font lacks
        // one) rather than as .notdef.
        let n = f.shape(Face::Regular, Feat::Text, "a\u{202F}b");
        assert!(n.iter().all(|g| g.id != 0), "{n:?}");
        assert!(
            n[1].adv > 0 && n[1].adv < f.shape(Face::Regular, Feat::Text, " ")[0].adv
        );
        let s = f.shape(Face::Regular, Feat::Sups, "12");
        let t = f.shape(Face::Regular, Feat::Text, "12");
        assert_ne!(s[0].id, t[0].id, "superior figures differ");
        assert_eq!(f.upem(Face::Regular), 1000);
    }
}
