//! Front matter: the YAML block between `---` lines at the top of a manuscript,
//! read with serde-saphyr into typed [`Metadata`] with defaults.
//!
//! Input: the manuscript's full text. Output: the metadata, the byte offset where the
//! Markdown body starts, and diagnostics (malformed YAML, a value of the wrong type, a
//! missing title, an unknown key — the last a warning) located in the file.

use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::model::{Date, Lang, Metadata};

/// Top-level keys quire knows.
const KEYS: &[&str] = &[
    "title",
    "subtitle",
    "author",
    "translator",
    "editor",
    "date",
    "lang",
    "identifier",
    "publisher",
    "rights",
    "description",
    "subjects",
    "source",
    "cover",
    "toc-depth",
    "chapters",
    "text",
    "epub",
    "pdf",
    "fonts",
    "check",
];
const TEXT_KEYS: &[&str] = &["width"];
const EPUB_KEYS: &[&str] = &["embed-fonts"];
const PDF_KEYS: &[&str] = &[
    "trim",
    "layout",
    "crop-marks",
    "font-size",
    "leading",
    "bleed",
    "color",
    "paper-caliper",
    "protrusion",
    "expansion",
];
const FONTS_KEYS: &[&str] = &["body", "headings", "fallback"];
const CHECK_KEYS: &[&str] = &["allow"];

/// A scalar as text, whatever YAML typed it as (`title: 1984` is a title too).
#[derive(Debug, Clone, PartialEq)]
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A string or a list of strings (`author: A` or `author: [A, B]`).
#[derive(Debug, Clone, PartialEq, Default)]
struct OneOrMany(Vec<String>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany(vec![v.to_string()]))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<OneOrMany, E> {
                Ok(OneOrMany(vec![v.to_string()]))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<OneOrMany, E> {
                Ok(OneOrMany(vec![v.to_string()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<OneOrMany, A::Error> {
                let mut v = Vec::new();
                while let Some(Scalar(s)) = seq.next_element()? {
                    v.push(s);
                }
                Ok(OneOrMany(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// A path or a list of paths (`fallback: a` or `fallback: [a, b]`), each listed one
/// with where it is written.
#[derive(Debug, Default)]
struct PathList(Vec<PathEntry>);

#[derive(Debug)]
enum PathEntry {
    /// The value itself was the one path (its place is the value's).
    Whole(String),
    /// One item of a list.
    Item(Spanned<Scalar>),
}

impl<'de> Deserialize<'de> for PathList {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PathList;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a path or a list of paths")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PathList, E> {
                Ok(PathList(vec![PathEntry::Whole(v.to_string())]))
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<PathList, A::Error> {
                let mut v = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<Scalar>>()? {
                    v.push(PathEntry::Item(item));
                }
                Ok(PathList(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// The keys of a mapping, and of the mappings nested in it, to report unknown ones.
#[derive(Debug, Default)]
struct KeyTree(Vec<(String, Option<KeyTree>)>);

impl<'de> Deserialize<'de> for KeyTree {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Option<KeyTree>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("anything")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut keys = Vec::new();
                while let Some(Scalar(k)) = map.next_key()? {
                    let sub: Sub = map.next_value()?;
                    keys.push((k, sub.0));
                }
                Ok(Some(KeyTree(keys)))
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(None)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
        }
        struct Sub(Option<KeyTree>);
        impl<'de> Deserialize<'de> for Sub {
            fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(V).map(Sub)
            }
        }
        Ok(d.deserialize_any(V)?.unwrap_or_default())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
struct Raw {
    title: Option<Spanned<Scalar>>,
    subtitle: Option<Scalar>,
    author: OneOrMany,
    translator: OneOrMany,
    editor: OneOrMany,
    date: Option<Spanned<Scalar>>,
    lang: Option<Spanned<Scalar>>,
    identifier: Option<Scalar>,
    publisher: Option<Scalar>,
    rights: Option<Scalar>,
    description: Option<Scalar>,
    subjects: OneOrMany,
    source: Option<Scalar>,
    cover: Option<Spanned<Scalar>>,
    toc_depth: Option<Spanned<Scalar>>,
    chapters: Option<Spanned<PathList>>,
    text: RawText,
    epub: RawEpub,
    pdf: RawPdf,
    fonts: Option<Spanned<RawFonts>>,
    check: RawCheck,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
struct RawFonts {
    body: Option<Spanned<Scalar>>,
    headings: Option<Spanned<Scalar>>,
    fallback: Option<Spanned<PathList>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
struct RawText {
    width: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
struct RawEpub {
    embed_fonts: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
struct RawPdf {
    trim: Option<Scalar>,
    layout: Option<Scalar>,
    crop_marks: Option<bool>,
    protrusion: Option<bool>,
    expansion: Option<bool>,
    font_size: Option<Spanned<Scalar>>,
    leading: Option<Spanned<Scalar>>,
    bleed: Option<Scalar>,
    color: Option<Scalar>,
    paper_caliper: Option<Spanned<Scalar>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
struct RawCheck {
    allow: OneOrMany,
}

/// Where the front matter is in the file.
struct Block<'a> {
    yaml: &'a str,
    /// Byte offset of `yaml` in the file.
    yaml_start: usize,
    /// Byte offset of the Markdown body.
    body_start: usize,
}

fn is_fence(line: &str, closing: bool) -> bool {
    let l = line.trim_end_matches(['\r', '\n']).trim_end();
    l == "---" || (closing && l == "...")
}

/// Finds the `---` block; `Err` with a diagnostic when it is opened and never closed.
fn find_block(text: &str) -> Result<Option<Block<'_>>, Diagnostic> {
    let first = text.split_inclusive('\n').next().unwrap_or("");
    if !is_fence(first, false) {
        return Ok(None);
    }
    let yaml_start = first.len();
    let mut at = yaml_start;
    for line in text[yaml_start..].split_inclusive('\n') {
        if is_fence(line, true) {
            return Ok(Some(Block {
                yaml: &text[yaml_start..at],
                yaml_start,
                body_start: at + line.len(),
            }));
        }
        at += line.len();
    }
    Err(Diagnostic::error(
        "front-matter",
        Span::new(0, 3),
        "the front matter opened here is never closed",
    )
    .with_hint("end it with a line holding only `---`"))
}

/// Byte offset in `yaml` of a 1-based line and column (in characters).
fn yaml_offset(yaml: &str, line: u64, col: u64) -> usize {
    let mut off = 0;
    for (i, l) in yaml.split_inclusive('\n').enumerate() {
        if i as u64 + 1 == line {
            let c = l
                .char_indices()
                .nth(col.saturating_sub(1) as usize)
                .map_or(l.len(), |x| x.0);
            return off + c.min(l.trim_end_matches('\n').len());
        }
        off += l.len();
    }
    yaml.len()
}

fn spanned_at<T>(b: &Block, s: &Spanned<T>) -> Span {
    let loc = s.referenced;
    let start = loc
        .span()
        .byte_offset()
        .map(|o| o as usize)
        .filter(|&o| o <= b.yaml.len())
        .unwrap_or_else(|| yaml_offset(b.yaml, loc.line(), loc.column()));
    let len = loc.span().len() as usize;
    Span::new(b.yaml_start + start, b.yaml_start + (start + len.max(1)).min(b.yaml.len()))
}

/// Locates `key:` in the YAML text: at the start of a line for top-level keys, or
/// indented after the line of `parent:` for nested ones.
fn key_span(b: &Block, parent: Option<&str>, key: &str) -> Span {
    let mut off = 0;
    let mut in_parent = parent.is_none();
    for line in b.yaml.split_inclusive('\n') {
        let indented = line.starts_with([' ', '\t']);
        let trimmed = line.trim_start();
        if let Some(p) = parent {
            if !indented && trimmed.starts_with(p) {
                in_parent = trimmed[p.len()..].trim_start().starts_with(':');
            } else if !indented {
                in_parent = false;
            }
        }
        if in_parent
            && (parent.is_none() != indented)
            && trimmed.starts_with(key)
            && trimmed[key.len()..].trim_start().starts_with(':')
        {
            let s = b.yaml_start + off + (line.len() - trimmed.len());
            return Span::new(s, s + key.len());
        }
        off += line.len();
    }
    Span::new(b.yaml_start, b.yaml_start + 1)
}

/// Where a file's Markdown body starts: after its front matter, if it has one
/// that closes (0 when it has none).
pub fn body_start(text: &str) -> usize {
    match find_block(text) {
        Ok(Some(b)) => b.body_start,
        _ => 0,
    }
}

/// Reads the front matter. Returns the metadata (with defaults where keys are missing
/// or wrong) and the byte offset of the Markdown body.
pub fn read(text: &str, diags: &mut Diagnostics) -> (Metadata, usize) {
    let mut meta = Metadata::default();
    let block = match find_block(text) {
        Ok(Some(b)) => b,
        Ok(None) => {
            // No front matter: the defaults stand; the title is the caller's to find
            // (`manuscript::parse` takes the first heading or the file's name).
            return (meta, 0);
        }
        Err(d) => {
            diags.push(d);
            finish_defaults(&mut meta);
            return (meta, text.len());
        }
    };
    meta.span = Span::new(0, block.body_start);

    let parsed: Result<Raw, _> = if block.yaml.trim().is_empty() {
        Ok(Raw::default())
    } else {
        serde_saphyr::from_str(block.yaml)
    };
    let raw = match parsed {
        Ok(r) => r,
        Err(e) => {
            let at =
                e.location().map_or(0, |l| yaml_offset(block.yaml, l.line(), l.column()));
            let msg = e.to_string();
            // serde-saphyr prefixes its own "error: line L column C:"; the diagnostic
            // already has the location, in file coordinates.
            let msg = msg.lines().next().unwrap_or("malformed front matter");
            let msg = msg.strip_prefix("error: ").unwrap_or(msg);
            let msg = match msg.strip_prefix("line ").and_then(|m| m.split_once(": ")) {
                Some((_, rest)) => rest,
                None => msg,
            };
            let start = block.yaml_start + at;
            diags.push(Diagnostic::error(
                "front-matter",
                Span::new(start, start + 1),
                format!("malformed front matter: {msg}"),
            ));
            finish_defaults(&mut meta);
            return (meta, block.body_start);
        }
    };

    if let Ok(keys) = serde_saphyr::from_str::<KeyTree>(block.yaml) {
        report_unknown(&block, &keys, diags);
    }

    match &raw.title {
        Some(t) if !t.value.0.trim().is_empty() => {
            meta.title = t.value.0.trim().to_string()
        }
        Some(t) => {
            diags.error("missing-title", spanned_at(&block, t), "the title is empty")
        }
        None => diags.push(
            Diagnostic::error(
                "missing-title",
                Span::new(0, 3),
                "the front matter has no title",
            )
            .with_hint("add a line `title: …`"),
        ),
    }
    let text =
        |s: Option<Scalar>| s.map(|s| s.0.trim().to_string()).filter(|s| !s.is_empty());
    meta.subtitle = text(raw.subtitle);
    meta.authors = raw.author.0;
    meta.translators = raw.translator.0;
    meta.editors = raw.editor.0;
    meta.subjects = raw.subjects.0;
    meta.publisher = text(raw.publisher);
    meta.rights = text(raw.rights);
    meta.description = text(raw.description);
    meta.source = text(raw.source);
    meta.identifier = text(raw.identifier).unwrap_or_default();
    if let Some(d) = &raw.date {
        match parse_date(&d.value.0) {
            Some(date) => meta.date = Some(date),
            None => diags.push(
                Diagnostic::error(
                    "bad-date",
                    spanned_at(&block, d),
                    format!("`{}` is not a date", d.value.0),
                )
                .with_hint("write YYYY or YYYY-MM-DD"),
            ),
        }
    }
    if let Some(l) = &raw.lang {
        match Lang::parse(&l.value.0) {
            Some(lang) => {
                if lang.hyphenates() && lang.hyphenation().is_none() {
                    diags.warning(
                        "no-hyphenation",
                        spanned_at(&block, l),
                        format!("quire has no hyphenation patterns for `{}`; words will not be hyphenated", lang.tag()),
                    );
                }
                meta.lang = lang;
            }
            None => diags.push(
                Diagnostic::error(
                    "bad-lang",
                    spanned_at(&block, l),
                    format!("`{}` is not a BCP 47 language tag", l.value.0),
                )
                .with_hint("for example `en`, `en-GB`, `fr`, `de`, `ru`"),
            ),
        }
    }
    if let Some(c) = &raw.cover {
        meta.cover = Some((c.value.0.clone(), spanned_at(&block, c)));
    }
    if let Some(d) = &raw.toc_depth {
        match d.value.0.trim().parse::<u8>() {
            Ok(n @ 1..=6) => meta.toc_depth = n,
            _ => diags.push(
                Diagnostic::error(
                    "front-matter",
                    spanned_at(&block, d),
                    format!("`toc-depth: {}` is not a heading level", d.value.0),
                )
                .with_hint(
                    "1 lists the chapters (`#`), 2 their sections (`##`) too, up to 6",
                ),
            ),
        }
    }
    meta.text.width = raw.text.width;
    meta.epub.embed_fonts = raw.epub.embed_fonts;
    meta.pdf.trim = raw.pdf.trim.map(|s| s.0);
    meta.pdf.layout = raw.pdf.layout.map(|s| s.0);
    meta.pdf.crop_marks = raw.pdf.crop_marks;
    meta.pdf.protrusion = raw.pdf.protrusion;
    meta.pdf.expansion = raw.pdf.expansion;
    let at = |v: &Spanned<Scalar>| (v.value.0.trim().to_string(), spanned_at(&block, v));
    meta.pdf.font_size = raw.pdf.font_size.as_ref().map(at);
    meta.pdf.leading = raw.pdf.leading.as_ref().map(at);
    meta.pdf.paper_caliper = raw.pdf.paper_caliper.as_ref().map(at);
    if let Some(f) = &raw.fonts {
        meta.fonts.span = spanned_at(&block, f);
        meta.fonts.body = f.value.body.as_ref().map(at);
        meta.fonts.headings = f.value.headings.as_ref().map(at);
        if let Some(list) = &f.value.fallback {
            meta.fonts.fallback = paths(&block, list);
        }
    }
    if let Some(list) = &raw.chapters {
        meta.chapters = paths(&block, list);
    }
    meta.pdf.bleed = raw.pdf.bleed.map(|s| s.0);
    meta.pdf.color = raw.pdf.color.map(|s| s.0);
    meta.check.allow = raw.check.allow.0;
    finish_defaults(&mut meta);
    (meta, block.body_start)
}

/// The paths of a path or list of paths, each with where it is written (a lone
/// path, where the value is).
fn paths(b: &Block, list: &Spanned<PathList>) -> Vec<(String, Span)> {
    let whole = spanned_at(b, list);
    list.value
        .0
        .iter()
        .map(|e| match e {
            PathEntry::Whole(p) => (p.trim().to_string(), whole),
            PathEntry::Item(v) => (v.value.0.trim().to_string(), spanned_at(b, v)),
        })
        .collect()
}

fn report_unknown(b: &Block, keys: &KeyTree, diags: &mut Diagnostics) {
    for (k, sub) in &keys.0 {
        if !KEYS.contains(&k.as_str()) {
            diags.push(
                Diagnostic::warning(
                    "unknown-key",
                    key_span(b, None, k),
                    format!("unknown front-matter key `{k}`; it is ignored"),
                )
                .with_hint(format!("known keys: {}", KEYS.join(", "))),
            );
            continue;
        }
        let known = match k.as_str() {
            "text" => TEXT_KEYS,
            "epub" => EPUB_KEYS,
            "pdf" => PDF_KEYS,
            "fonts" => FONTS_KEYS,
            "check" => CHECK_KEYS,
            _ => continue,
        };
        for (sk, _) in sub.as_ref().map_or(&[][..], |t| &t.0[..]) {
            if !known.contains(&sk.as_str()) {
                diags.push(
                    Diagnostic::warning(
                        "unknown-key",
                        key_span(b, Some(k), sk),
                        format!("unknown key `{sk}` under `{k}`; it is ignored"),
                    )
                    .with_hint(format!("known keys under `{k}`: {}", known.join(", "))),
                );
            }
        }
    }
}

/// Fills computed defaults: the stable identifier.
pub fn finish_defaults(meta: &mut Metadata) {
    if meta.identifier.is_empty() {
        // A name-based UUID (RFC 9562 §5.5) of title and authors: the same book gets
        // the same identifier on every build and every machine.
        let name = format!("quire:{}\u{1f}{}", meta.title, meta.authors.join("\u{1e}"));
        let id = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes());
        meta.identifier = format!("urn:uuid:{id}");
    }
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, with the month and day checked.
fn parse_date(s: &str) -> Option<Date> {
    let mut parts = s.trim().split('-');
    let y = parts.next()?;
    if y.len() != 4 || !y.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let year: i32 = y.parse().ok()?;
    let num = |p: Option<&str>| -> Option<Option<u8>> {
        match p {
            None => Some(None),
            Some(p) if p.len() == 2 && p.chars().all(|c| c.is_ascii_digit()) => {
                Some(Some(p.parse().ok()?))
            }
            Some(_) => None,
        }
    };
    let month = num(parts.next())?;
    let day = num(parts.next())?;
    if parts.next().is_some() || month.is_some_and(|m| !(1..=12).contains(&m)) {
        return None;
    }
    if let (Some(m), Some(d)) = (month, day) {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days =
            [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        if d == 0 || d > days[usize::from(m - 1)] {
            return None;
        }
    }
    Some(Date { year, month, day })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(s: &str) -> (Metadata, usize, Diagnostics) {
        let mut d = Diagnostics::new();
        let (m, b) = read(s, &mut d);
        (m, b, d)
    }

    #[test]
    fn reads_typed_metadata() {
        let src = "---\ntitle: T\nauthor: [A, B]\ndate: 1921-02-04\nlang: fr\ntext:\n  width: 60\n---\nBody\n";
        let (m, body, d) = read_str(src);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(m.title, "T");
        assert_eq!(m.authors, ["A", "B"]);
        assert_eq!(m.date.unwrap().iso(), "1921-02-04");
        assert_eq!(m.lang.tag(), "fr");
        assert_eq!(m.text.width, Some(60));
        assert_eq!(&src[body..], "Body\n");
        assert!(m.identifier.starts_with("urn:uuid:"));
    }

    #[test]
    fn unknown_keys_are_located_warnings() {
        let src = "---\ntitle: T\ncolour: red\npdf:\n  trim: a5\n  margins: 3\n---\n";
        let (_, _, d) = read_str(src);
        let w: Vec<_> = d.iter().collect();
        assert_eq!(w.len(), 2, "{w:?}");
        assert_eq!(&src[w[0].span.start..w[0].span.end], "colour");
        assert_eq!(&src[w[1].span.start..w[1].span.end], "margins");
        assert!(!d.has_errors());
    }

    #[test]
    fn identifier_is_stable() {
        let (a, _, _) = read_str("---\ntitle: T\nauthor: A\n---\n");
        let (b, _, _) = read_str("---\ntitle: T\nauthor: A\n---\n");
        let (c, _, _) = read_str("---\ntitle: U\nauthor: A\n---\n");
        assert_eq!(a.identifier, b.identifier);
        assert_ne!(a.identifier, c.identifier);
    }

    #[test]
    fn malformed_yaml_is_located() {
        let src = "---\ntitle: T\nauthor: [A, B\n---\n";
        let (_, _, d) = read_str(src);
        assert!(d.has_errors());
        let e = d.iter().next().unwrap();
        assert_eq!(e.code, "front-matter");
        assert!(e.span.start >= 4 && e.span.start < src.len(), "{e:?}");
    }

    #[test]
    fn missing_title_and_bad_values() {
        let (_, _, d) = read_str("---\nauthor: A\n---\n");
        assert_eq!(d.iter().next().unwrap().code, "missing-title");
        // No front matter at all is no error: `manuscript::parse` supplies defaults.
        let (_, body, d) = read_str("Just text\n");
        assert_eq!((body, d.iter().count()), (0, 0));
        let (_, _, d) = read_str("---\ntitle: T\ndate: 1921-02-30\n---\n");
        assert_eq!(d.iter().next().unwrap().code, "bad-date");
        let (_, _, d) = read_str("---\ntitle: T\n");
        assert_eq!(d.iter().next().unwrap().code, "front-matter");
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("1921"), Some(Date { year: 1921, month: None, day: None }));
        assert!(parse_date("2024-02-29").is_some());
        assert!(parse_date("2023-02-29").is_none());
        assert!(parse_date("21-02-04").is_none());
        assert!(parse_date("1921-13").is_none());
    }
}
