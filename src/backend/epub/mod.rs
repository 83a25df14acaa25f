//! The EPUB 3 e-reader edition.
//!
//! Input: a resolved [`Document`], the images the CLI has read and checked
//! ([`Resources`]) and [`EpubOptions`]. Output: the bytes of an EPUB 3.3 publication
//! (package `version="3.0"`) that EPUBCheck 5.3 passes with no message: a cover page,
//! a title page, one XHTML file per chapter with its notes as EPUB 3 footnotes at its
//! end, a navigation document with the table of contents nested by heading level and
//! the landmarks, an NCX for EPUB 2 reading systems, EPUB Accessibility 1.1 metadata,
//! and a stylesheet. Two renders of the same input are byte-identical.
//!
//! It does not read files (the CLI passes images in), parse Markdown, or decide
//! typography (the model did).

pub mod container;
pub mod cover;
pub mod fonts;
mod jpeg;
pub mod package;
pub mod xhtml;

use std::collections::BTreeMap;

use crate::model::{Block, Document, walk_blocks};
use crate::resources::ImageInfo;
use package::{A11y, Item, TocEntry};
use xhtml::{Ctx, esc, heading_text, page};

/// The stylesheet every content document links to.
pub const STYLESHEET: &str = include_str!("style.css");

/// Settings of the EPUB edition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpubOptions {
    /// `dcterms:modified` and the zip entries' times, in Unix seconds (UTC): from
    /// `SOURCE_DATE_EPOCH` or the manuscript's date — never the clock.
    pub modified: i64,
    /// Embed the document's faces, subset (`epub: {embed-fonts: …}`; by default on
    /// when the manuscript names fonts).
    pub embed_fonts: bool,
    /// Where each page of the print edition begins, when the CLI laid it out: the
    /// e-book then marks them and lists them in a page-list (empty: no page-list).
    pub pages: Vec<crate::layout::PageStart>,
}

/// An image read by the CLI and checked by [`crate::resources::inspect`].
#[derive(Debug, Clone)]
pub struct Image {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// Its format and size.
    pub info: ImageInfo,
}

/// The files a manuscript refers to, read and checked.
#[derive(Debug, Clone, Default)]
pub struct Resources {
    /// The front matter's cover image, if any.
    pub cover: Option<Image>,
    /// Images in the text, by the path as written.
    pub images: BTreeMap<String, Image>,
    /// The faces the document is set in.
    pub fonts: crate::typeface::Typefaces,
}

/// Why an EPUB could not be written.
#[derive(Debug, thiserror::Error)]
pub enum EpubError {
    /// The zip writer failed (only on exhausted memory, in practice).
    #[error("cannot write the EPUB container: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// The cover image could not be encoded.
    #[error("cannot make the cover: {0}")]
    Cover(String),
    /// A font could not be subset.
    #[error("cannot embed a font: {0}")]
    Font(String),
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day, hour, minute, second) of Unix seconds, UTC (Hinnant's
/// `civil_from_days`).
pub fn civil(unix: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400) as u32;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, secs / 3600, secs / 60 % 60, secs % 60)
}

/// The time the editions' files claim (EPUB `dcterms:modified`, the zip entries, the
/// PDF's creation and modification dates): `SOURCE_DATE_EPOCH` if set (the
/// reproducible-builds.org convention, which CI sets), else the manuscript file's
/// modification time, else 1980-01-01 (the zip epoch). Never the work's own `date`:
/// a text written in 1921 was not made into a file in 1921 (and PDF viewers read a
/// year before 1930 as a known bug of old writers).
pub fn modified_time(file_modified: Option<i64>, source_date_epoch: Option<i64>) -> i64 {
    source_date_epoch.or(file_modified).unwrap_or(days_from_civil(1980, 1, 1) * 86_400)
}

fn chapter_file(i: usize) -> String {
    format!("ch{:03}.xhtml", i + 1)
}

/// Renders the EPUB: where every chapter and heading goes, the images in order,
/// then the files — front matter, chapters, images, fonts, NCX, navigation — and
/// the package document, zipped.
pub fn render(
    doc: &Document,
    res: &Resources,
    opts: &EpubOptions,
) -> Result<Vec<u8>, EpubError> {
    render_with_cover(doc, res, opts, cover_jpeg(doc, res)?)
}

/// [`render`], with the cover JPEG made beforehand by [`cover_jpeg`] (on another
/// core, while the print edition is laid out for the page-list).
pub fn render_with_cover(
    doc: &Document,
    res: &Resources,
    opts: &EpubOptions,
    cover: Vec<u8>,
) -> Result<Vec<u8>, EpubError> {
    let mut map = Map::new(doc);
    map.pages = PageBreaks::place(doc, &map.files, &opts.pages);
    let images = Images::collect(doc, res);
    let mut book = Book::default();
    book.front(doc, res, opts, cover);
    book.chapters(doc, &map, &images);
    book.images(res, &images);
    book.nav(doc, &map);
    if opts.embed_fonts {
        book.fonts(&res.fonts)?;
    }
    book.add("ncx", "toc.ncx", "application/x-dtbncx+xml", None, false, {
        package::ncx(doc, &map.toc).into_bytes()
    });
    book.finish(doc, opts, &images)
}

/// Where everything goes: each chapter's file, each heading's file, the table of
/// contents, and the file holding each note.
struct Map {
    files: Vec<String>,
    anchors: BTreeMap<String, String>,
    toc: Vec<TocEntry>,
    note_files: Vec<String>,
    /// Every reference to each note: the file holding it and its id.
    note_refs: BTreeMap<u32, Vec<(String, String)>>,
    /// Each note reference's id, by note and place.
    noteref_ids: BTreeMap<(u32, usize), String>,
    /// Where the print edition's pages begin.
    pages: PageBreaks,
}

/// The print edition's page breaks, placed in the text: before the word each
/// printed page begins with (EPUB 3.3 page-list; DPUB-ARIA `doc-pagebreak`).
#[derive(Debug, Clone, Default)]
pub struct PageBreaks {
    /// By the start of the text inline they stand in: the byte of its text each
    /// stands before, and the page's number, in order.
    pub at: BTreeMap<u32, Vec<(u32, String)>>,
    /// Every page, in order, with the file its marker is in.
    pub list: Vec<(String, String)>,
}

impl PageBreaks {
    /// Places each page's marker before the word it begins with. A page with no
    /// word of its own (a blank, a figure alone) or whose word the e-book does not
    /// have (a list item's number) gets its marker with the next page's — or, at the
    /// end, with the last one placed — so every printed page is in the list, in
    /// order.
    fn place(
        doc: &Document,
        files: &[String],
        pages: &[crate::layout::PageStart],
    ) -> Self {
        let mut texts: BTreeMap<u32, (usize, usize)> = BTreeMap::new();
        for (i, ch) in doc.chapters.iter().enumerate() {
            crate::model::for_each_inlines(&doc.blocks[ch.start..ch.end], &mut |inl| {
                texts_in(inl, &mut |start, len| {
                    texts.entry(start).or_insert((i, len));
                })
            });
        }
        let found = |p: &crate::layout::PageStart| {
            p.at.and_then(|(o, at)| {
                texts.get(&o).map(|&(f, len)| (o, at.min(len as u32), f))
            })
        };
        let mut out = PageBreaks::default();
        let mut last = None;
        let mut k = 0;
        while k < pages.len() {
            // This page and any before the next that has a place go there.
            let next = (k..pages.len()).find_map(|j| found(&pages[j]).map(|f| (j, f)));
            let (upto, place) = match next {
                Some((j, f)) => (j, Some(f)),
                None => (pages.len() - 1, last),
            };
            let Some((o, at, f)) = place else { break };
            for p in &pages[k..=upto] {
                out.at.entry(o).or_default().push((at, p.label.clone()));
                out.list.push((p.label.clone(), files[f].clone()));
            }
            last = place;
            k = upto + 1;
        }
        out
    }
}

/// Calls `f` with the span start and length of every text inline, in order.
fn texts_in(inl: &[crate::model::Inline], f: &mut impl FnMut(u32, usize)) {
    use crate::model::Inline;
    crate::model::walk_inlines(inl, &mut |i| match i {
        Inline::Text { text, span, .. } | Inline::Code { text, span } => {
            f(span.start as u32, text.len())
        }
        _ => {}
    });
}

impl Map {
    fn new(doc: &Document) -> Map {
        let files: Vec<String> = (0..doc.chapters.len()).map(chapter_file).collect();
        let mut anchors = BTreeMap::new();
        let mut toc = Vec::new();
        let mut min_level = 6;
        walk_blocks(&doc.blocks, &mut |b| {
            if let Block::Heading { level, .. } = b {
                min_level = min_level.min(*level);
            }
        });
        for (i, ch) in doc.chapters.iter().enumerate() {
            if i == 0 && !ch.has_heading {
                // A single article, or text before the first chapter: listed under the
                // book's title so that the table of contents reaches it.
                let (text, href) = (doc.meta.title.clone(), files[i].clone());
                toc.push(TocEntry { level: min_level, text, href });
            }
            walk_blocks(&doc.blocks[ch.start..ch.end], &mut |b| {
                if let Block::Heading { level, id, content, .. } = b {
                    anchors.insert(id.clone(), files[i].clone());
                    // A heading with no text has nothing to show in the contents.
                    let text = heading_text(content);
                    if !text.is_empty() {
                        let href = format!("{}#{id}", files[i]);
                        toc.push(TocEntry { level: *level, text, href });
                    }
                }
            });
        }
        let note_files: Vec<String> =
            doc.notes.iter().map(|n| files[n.chapter].clone()).collect();
        // Anchors in the running text, and in notes (set in their chapter's file).
        let mut place = |blocks: &[Block], file: &str| {
            crate::model::for_each_inlines(blocks, &mut |inl| {
                crate::model::anchors_in(inl, &mut |id, _, _| {
                    anchors.entry(id.to_string()).or_insert_with(|| file.to_string());
                })
            });
        };
        for (i, ch) in doc.chapters.iter().enumerate() {
            place(&doc.blocks[ch.start..ch.end], &files[i]);
        }
        for n in &doc.notes {
            place(&n.blocks, &note_files[n.number as usize - 1]);
        }
        let mut note_refs: BTreeMap<u32, Vec<(String, String)>> = BTreeMap::new();
        let mut noteref_ids = BTreeMap::new();
        let mut collect = |blocks: &[Block], file: &str| {
            crate::model::for_each_inlines(blocks, &mut |inl| {
                note_refs_in(inl, &mut |n, first, span| {
                    let refs = note_refs.entry(n).or_default();
                    let id = xhtml::noteref_id(n, first, refs.len() + 1);
                    noteref_ids.insert((n, span.start), id.clone());
                    refs.push((file.to_string(), id));
                })
            });
        };
        for (i, ch) in doc.chapters.iter().enumerate() {
            collect(&doc.blocks[ch.start..ch.end], &files[i]);
        }
        for n in &doc.notes {
            collect(&n.blocks, &note_files[n.number as usize - 1]);
        }
        Map {
            files,
            anchors,
            toc,
            note_files,
            note_refs,
            noteref_ids,
            pages: PageBreaks::default(),
        }
    }
}

/// Calls `f` with each note reference in a run of inlines, in order.
fn note_refs_in(
    inl: &[crate::model::Inline],
    f: &mut impl FnMut(u32, bool, crate::diag::Span),
) {
    crate::model::walk_inlines(inl, &mut |i| {
        if let crate::model::Inline::NoteRef { number, first, span, .. } = i
            && *number > 0
        {
            f(*number, *first, *span)
        }
    });
}

/// The images the text shows, numbered in order of first appearance, and whether
/// every one has alternative text.
struct Images {
    order: Vec<String>,
    hrefs: BTreeMap<String, String>,
    all_alt: bool,
}

impl Images {
    fn collect(doc: &Document, res: &Resources) -> Images {
        let mut order: Vec<String> = Vec::new();
        let mut all_alt = true;
        let mut seen = |src: &str, alt: &str, body: bool| {
            if res.images.contains_key(src) && !order.iter().any(|s| s == src) {
                order.push(src.to_string());
            }
            all_alt &= !body || !alt.trim().is_empty();
        };
        let mut visit = |blocks: &[Block], body: bool| {
            walk_blocks(blocks, &mut |b| {
                if let Block::Figure { src, alt, .. } = b {
                    seen(src, alt, body);
                }
            });
            crate::model::for_each_inlines(blocks, &mut |inl| {
                for i in inl {
                    if let crate::model::Inline::Image { src, alt, .. } = i {
                        seen(src, alt, body);
                    }
                }
            });
        };
        visit(&doc.blocks, true);
        for n in &doc.notes {
            visit(&n.blocks, false);
        }
        let hrefs = order
            .iter()
            .enumerate()
            .map(|(k, src)| {
                let ext = res.images[src].info.extension();
                (src.clone(), format!("images/img{:03}.{ext}", k + 1))
            })
            .collect();
        Images { order, hrefs, all_alt }
    }
}

/// The publication as it is assembled: manifest items and the files behind them.
#[derive(Default)]
struct Book {
    items: Vec<Item>,
    files: Vec<(String, Vec<u8>)>,
    /// The navigation document has a page-list.
    page_list: bool,
}

impl Book {
    /// Adds a file and its manifest item.
    fn add(
        &mut self,
        id: &str,
        href: &str,
        media_type: &'static str,
        properties: Option<&'static str>,
        spine: bool,
        bytes: Vec<u8>,
    ) {
        let (id, href) = (id.to_string(), href.to_string());
        self.files.push((format!("EPUB/{href}"), bytes));
        self.items.push(Item { id, href, media_type, properties, spine });
    }

    /// The navigation document's slot (filled last), the stylesheet, the cover image
    /// and page, and the title page.
    fn front(
        &mut self,
        doc: &Document,
        res: &Resources,
        opts: &EpubOptions,
        jpg: Vec<u8>,
    ) {
        let xhtml = "application/xhtml+xml";
        self.add("nav", "nav.xhtml", xhtml, Some("nav"), false, Vec::new());
        self.add(
            "css",
            "style.css",
            "text/css",
            None,
            false,
            stylesheet(opts, &res.fonts).into_bytes(),
        );
        self.add(
            "cover-image",
            "images/cover.jpg",
            "image/jpeg",
            Some("cover-image"),
            false,
            jpg,
        );
        self.add("cover", "cover.xhtml", xhtml, None, true, cover_page(doc).into_bytes());
        self.add(
            "titlepage",
            "title.xhtml",
            xhtml,
            None,
            true,
            title_page(doc).into_bytes(),
        );
    }

    /// One content document per chapter, with its notes at its end.
    fn chapters(&mut self, doc: &Document, map: &Map, images: &Images) {
        for (i, ch) in doc.chapters.iter().enumerate() {
            let ctx = Ctx {
                doc,
                note_files: &map.note_files,
                anchors: &map.anchors,
                images: &images.hrefs,
                file: &map.files[i],
                note_refs: &map.note_refs,
                noteref_ids: &map.noteref_ids,
                pages: &map.pages.at,
                placed: Default::default(),
            };
            let blocks = &doc.blocks[ch.start..ch.end];
            let title = &doc.meta.title;
            let (title, label) = match blocks.first() {
                Some(Block::Heading { id, content, .. })
                    if ch.has_heading && !heading_text(content).is_empty() =>
                {
                    (heading_text(content), format!("aria-labelledby=\"{}\"", esc(id)))
                }
                _ => (title.clone(), format!("aria-label=\"{}\"", esc(title))),
            };
            let mut body =
                format!("<section epub:type=\"chapter\" role=\"doc-chapter\" {label}>\n");
            ctx.blocks(blocks, &mut body);
            ctx.notes(i, &mut body);
            body.push_str("</section>\n");
            let xhtml = page(&doc.meta.lang, &title, Some("bodymatter"), &body);
            let id = format!("ch{:03}", i + 1);
            self.add(
                &id,
                &map.files[i],
                "application/xhtml+xml",
                None,
                true,
                xhtml.into_bytes(),
            );
        }
    }

    fn images(&mut self, res: &Resources, images: &Images) {
        for (k, src) in images.order.iter().enumerate() {
            let img = &res.images[src];
            let id = format!("img{:03}", k + 1);
            self.add(
                &id,
                &images.hrefs[src],
                img.info.media_type(),
                None,
                false,
                img.bytes.clone(),
            );
        }
    }

    /// The document's faces, each subset to the characters of the book's content
    /// documents (see [`fonts`]).
    fn fonts(&mut self, tf: &crate::typeface::Typefaces) -> Result<(), EpubError> {
        let mut chars: std::collections::BTreeSet<char> = self
            .files
            .iter()
            .filter(|(p, _)| p.ends_with(".xhtml"))
            .flat_map(|(_, b)| String::from_utf8_lossy(b).chars().collect::<Vec<_>>())
            .collect();
        // Drawn by the stylesheet: the section-break fleuron.
        chars.insert('\u{2766}');
        let faces = fonts::plan(tf);
        for f in &faces {
            let bytes = fonts::subset(f, &faces, &chars).map_err(EpubError::Font)?;
            self.add(&f.id, &f.href, f.media_type, None, false, bytes);
        }
        Ok(())
    }

    /// The navigation document, when the first text file is known.
    fn nav(&mut self, doc: &Document, map: &Map) {
        self.page_list = !map.pages.list.is_empty();
        let first_text =
            map.files.first().cloned().unwrap_or_else(|| "title.xhtml".into());
        let nav = package::nav(doc, &map.toc, &first_text, &map.pages.list);
        if let Some(slot) = self.files.iter_mut().find(|(p, _)| p == "EPUB/nav.xhtml") {
            slot.1 = nav.into_bytes();
        }
    }

    /// The package document first, Apple's display options if fonts are embedded,
    /// and the container around it all.
    fn finish(
        mut self,
        doc: &Document,
        opts: &EpubOptions,
        images: &Images,
    ) -> Result<Vec<u8>, EpubError> {
        let a11y = A11y {
            has_images: !images.hrefs.is_empty(),
            all_alt: images.all_alt,
            page_list: self.page_list,
        };
        let opf = package::opf(doc, &self.items, opts.modified, &a11y);
        self.files.insert(0, ("EPUB/package.opf".to_string(), opf.into_bytes()));
        if opts.embed_fonts {
            // Apple Books uses embedded fonts only when told to.
            self.files.push((
                "META-INF/com.apple.ibooks.display-options.xml".to_string(),
                b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<display_options>\n  <platform name=\"*\">\n    <option name=\"specified-fonts\">true</option>\n  </platform>\n</display_options>\n".to_vec(),
            ));
        }
        Ok(container::write(&self.files, container::zip_time(opts.modified))?)
    }
}

/// The cover as a JPEG: the manuscript's image, or a typographic cover.
pub fn cover_jpeg(doc: &Document, res: &Resources) -> Result<Vec<u8>, EpubError> {
    match &res.cover {
        Some(img) if cover::fits_as_it_is(&img.bytes, img.info) => Ok(img.bytes.clone()),
        Some(img) => {
            let decoded = crate::resources::decode(&img.bytes, img.info.format)
                .map_err(EpubError::Cover)?;
            cover::from_image(&decoded).map_err(EpubError::Cover)
        }
        None => cover::typographic(&doc.meta, &res.fonts).map_err(EpubError::Cover),
    }
}

/// The cover page: the cover image, described.
fn cover_page(doc: &Document) -> String {
    let meta = &doc.meta;
    let by = if meta.authors.is_empty() {
        String::new()
    } else {
        format!(", by {}", meta.lang.join_names(&meta.authors))
    };
    let alt = format!("Cover: {}{by}", meta.title);
    page(
        &meta.lang,
        &meta.title,
        None,
        &format!(
            "<section class=\"cover\" epub:type=\"cover\">\n<img src=\"images/cover.jpg\" alt=\"{}\"/>\n</section>\n",
            esc(&alt)
        ),
    )
}

/// The stylesheet, with `@font-face` rules when fonts are embedded.
fn stylesheet(opts: &EpubOptions, tf: &crate::typeface::Typefaces) -> String {
    let mut css = STYLESHEET.to_string();
    if opts.embed_fonts {
        css.push_str(&fonts::css(&fonts::plan(tf), tf));
    }
    css
}

fn title_page(doc: &Document) -> String {
    let m = &doc.meta;
    let mut b = String::from("<section class=\"titlepage\" epub:type=\"titlepage\">\n");
    b.push_str(&format!("<h1 class=\"title\">{}</h1>\n", esc(&m.title)));
    if let Some(s) = &m.subtitle {
        b.push_str(&format!("<p class=\"subtitle\">{}</p>\n", esc(s)));
    }
    if !m.authors.is_empty() {
        b.push_str(&format!(
            "<p class=\"author\">{}</p>\n",
            esc(&m.lang.join_names(&m.authors))
        ));
    }
    if !m.translators.is_empty() {
        b.push_str(&format!(
            "<p class=\"translator\">{}</p>\n",
            esc(&m.lang.translated_by(&m.lang.join_names(&m.translators)))
        ));
    }
    if let Some(d) = &m.date {
        b.push_str(&format!("<p class=\"date\">{}</p>\n", esc(&m.lang.format_date(d))));
    }
    let colophon: Vec<&String> =
        [&m.publisher, &m.source, &m.rights].into_iter().flatten().collect();
    if !colophon.is_empty() {
        b.push_str("<div class=\"colophon\">\n");
        for c in colophon {
            b.push_str(&format!("<p>{}</p>\n", esc(c)));
        }
        b.push_str("</div>\n");
    }
    b.push_str("</section>\n");
    page(&m.lang, &m.title, Some("frontmatter"), &b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trips() {
        for days in [-1_000_000i64, -17_860, 0, 3_652, 19_000, 2_932_896] {
            let (y, m, d, ..) = civil(days * 86_400);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(package::w3c_time(modified_time(None, None)), "1980-01-01T00:00:00Z");
        assert_eq!(modified_time(Some(7), None), 7);
        assert_eq!(modified_time(Some(7), Some(42)), 42);
    }
}
