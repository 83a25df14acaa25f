//! XHTML content documents: the model's blocks and inlines as EPUB 3 XHTML.
//!
//! Input: resolved model nodes and a [`Ctx`] that knows where every note, anchor and
//! image went. Output: well-formed XHTML strings. Only encoding happens here: the
//! model already decided punctuation, indents, note numbers and sanitised raw HTML.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::model::html::{push_escaped, safe_href};
use crate::model::{Block, ColumnAlign, DivRole, Document, Inline, Lang, plain_text};

/// What the renderer must know beyond the node at hand.
pub struct Ctx<'a> {
    /// The document.
    pub doc: &'a Document,
    /// File name (within `EPUB/`) of the chapter holding each note, by number − 1.
    pub note_files: &'a [String],
    /// Heading id → file name holding it.
    pub anchors: &'a BTreeMap<String, String>,
    /// Image path as written → href within `EPUB/`.
    pub images: &'a BTreeMap<String, String>,
    /// The file being written.
    pub file: &'a str,
    /// Every reference to each note, in reading order: the file holding it and its
    /// id.
    pub note_refs: &'a BTreeMap<u32, Vec<(String, String)>>,
    /// The id of each note reference, by its note and where it stands.
    pub noteref_ids: &'a BTreeMap<(u32, usize), String>,
    /// The print edition's page breaks, by the text inline they stand in.
    pub pages: &'a BTreeMap<u32, Vec<(u32, String)>>,
    /// The text inlines whose page breaks are written (each once).
    pub placed: std::cell::RefCell<std::collections::BTreeSet<u32>>,
}

/// The id of a note reference: the first reference to a note has the plain one its
/// note links back to first; later ones are counted in reading order (`noteref-4-2`
/// is the second reference to note 4), never named by their place in the
/// manuscript's file, so a book split into several files gets the same ids.
pub fn noteref_id(number: u32, first: bool, nth: usize) -> String {
    if first { format!("noteref-{number}") } else { format!("noteref-{number}-{nth}") }
}

/// The start of the word holding byte `at` of `text` (a character boundary; at a
/// space, the word after it).
fn word_start(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    match text[..at].char_indices().rev().find(|(_, c)| c.is_whitespace()) {
        Some((i, c)) => i + c.len_utf8(),
        None => 0,
    }
}

/// Escapes text for XML.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    push_escaped(&mut o, s);
    o
}

/// A whole XHTML content document around `body`.
pub fn page(lang: &Lang, title: &str, body_type: Option<&str>, body: &str) -> String {
    let l = esc(lang.tag());
    let bt = body_type.map(|t| format!(" epub:type=\"{t}\"")).unwrap_or_default();
    // A right-to-left language's pages say so, so reading systems set every
    // paragraph's base direction as the print edition does.
    let dir = if lang.rtl() { " dir=\"rtl\"" } else { "" };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n\
         <html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" lang=\"{l}\" xml:lang=\"{l}\"{dir}>\n\
         <head>\n<meta charset=\"UTF-8\"/>\n<title>{}</title>\n\
         <link rel=\"stylesheet\" type=\"text/css\" href=\"style.css\"/>\n</head>\n\
         <body{bt}>\n{body}</body>\n</html>\n",
        esc(title)
    )
}

impl Ctx<'_> {
    /// ` dir="rtl"` for a paragraph, heading or list item that opens in Arabic or
    /// Hebrew in a left-to-right book (UAX #9 P2–P3), as the print edition sets it.
    fn dir_of(&self, content: &[Inline]) -> &'static str {
        let rtl = !self.doc.meta.lang.rtl()
            && crate::model::lang::first_strong_rtl(&crate::model::plain_text(content));
        if rtl { " dir=\"rtl\"" } else { "" }
    }

    /// Renders blocks.
    pub fn blocks(&self, blocks: &[Block], out: &mut String) {
        for b in blocks {
            self.block(b, out);
        }
    }

    fn block(&self, b: &Block, out: &mut String) {
        match b {
            Block::Heading { level, id, classes, content, .. } => {
                let class = if classes.is_empty() {
                    String::new()
                } else {
                    format!(" class=\"{}\"", esc(&classes.join(" ")))
                };
                let dir = self.dir_of(content);
                let _ = write!(out, "<h{level} id=\"{}\"{class}{dir}>", esc(id));
                self.inlines(content, out);
                let _ = writeln!(out, "</h{level}>");
            }
            Block::Paragraph { content, indent, .. } => {
                out.push_str(if *indent { "<p" } else { "<p class=\"noindent\"" });
                out.push_str(self.dir_of(content));
                out.push('>');
                self.inlines(content, out);
                out.push_str("</p>\n");
            }
            Block::BlockQuote { blocks, .. } => {
                out.push_str("<blockquote>\n");
                self.blocks(blocks, out);
                out.push_str("</blockquote>\n");
            }
            Block::List { start, items, .. } => {
                let tag = match start {
                    Some(1) => "ol".to_string(),
                    Some(s) => format!("ol start=\"{s}\""),
                    None => "ul".to_string(),
                };
                let _ = writeln!(out, "<{tag}>");
                for item in items {
                    // A tight item's single paragraph is written without <p>.
                    match item.as_slice() {
                        [Block::Paragraph { content, .. }] => {
                            let _ = write!(out, "<li{}>", self.dir_of(content));
                            self.inlines(content, out)
                        }
                        _ => {
                            out.push_str("<li>\n");
                            self.blocks(item, out);
                        }
                    }
                    out.push_str("</li>\n");
                }
                let _ = writeln!(out, "</{}>", if start.is_some() { "ol" } else { "ul" });
            }
            Block::Verse { stanzas, .. } => {
                out.push_str("<div class=\"verse\">\n");
                for stanza in stanzas {
                    out.push_str("<p class=\"stanza\">");
                    for (i, line) in stanza.iter().enumerate() {
                        if i > 0 {
                            out.push_str("<br/>");
                        }
                        out.push_str("<span class=\"line\">");
                        self.inlines(line, out);
                        out.push_str("</span>");
                    }
                    out.push_str("</p>\n");
                }
                out.push_str("</div>\n");
            }
            Block::Code { lang, text, .. } => {
                let class = lang
                    .as_ref()
                    .map(|l| format!(" class=\"language-{}\"", esc(l)))
                    .unwrap_or_default();
                // Code reads left to right in any book, as the print edition sets it.
                let dir = if self.doc.meta.lang.rtl() { " dir=\"ltr\"" } else { "" };
                let _ = writeln!(
                    out,
                    "<pre{dir}><code{class}>{}</code></pre>",
                    esc(text.trim_end_matches('\n'))
                );
            }
            Block::Table { align, head, rows, .. } => {
                let cls = |i: usize| match align.get(i) {
                    Some(ColumnAlign::Left) => " class=\"left\"",
                    Some(ColumnAlign::Center) => " class=\"center\"",
                    Some(ColumnAlign::Right) => " class=\"right\"",
                    _ => "",
                };
                out.push_str("<table>\n");
                if !head.is_empty() {
                    out.push_str("<thead><tr>");
                    for (i, c) in head.iter().enumerate() {
                        let _ = write!(out, "<th scope=\"col\"{}>", cls(i));
                        self.inlines(c, out);
                        out.push_str("</th>");
                    }
                    out.push_str("</tr></thead>\n");
                }
                out.push_str("<tbody>\n");
                for r in rows {
                    out.push_str("<tr>");
                    for (i, c) in r.iter().enumerate() {
                        let _ = write!(out, "<td{}>", cls(i));
                        self.inlines(c, out);
                        out.push_str("</td>");
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
            Block::Figure { src, alt, title, .. } => {
                out.push_str("<figure>");
                self.img(src, alt, out);
                if let Some(t) = title {
                    let _ = write!(out, "<figcaption>{}</figcaption>", esc(t));
                }
                out.push_str("</figure>\n");
            }
            Block::SectionBreak { .. } => out.push_str("<hr class=\"section-break\"/>\n"),
            Block::Div { role, lang, blocks, .. } => {
                let extra = match role {
                    DivRole::Epigraph => " epub:type=\"epigraph\" role=\"doc-epigraph\"",
                    DivRole::Dedication => {
                        " epub:type=\"dedication\" role=\"doc-dedication\""
                    }
                    DivRole::EditorNote | DivRole::Signature | DivRole::Passage => "",
                };
                let lang = lang.as_ref().map_or(String::new(), |l| {
                    let t = esc(l.tag());
                    let dir = if l.rtl() == self.doc.meta.lang.rtl() {
                        ""
                    } else if l.rtl() {
                        " dir=\"rtl\""
                    } else {
                        " dir=\"ltr\""
                    };
                    format!(" lang=\"{t}\" xml:lang=\"{t}\"{dir}")
                });
                let _ = writeln!(out, "<div class=\"{}\"{extra}{lang}>", role.class());
                self.blocks(blocks, out);
                out.push_str("</div>\n");
            }
            // The html pass turned raw HTML into model blocks: none is left.
            Block::Html { .. } => {}
        }
    }

    fn img(&self, src: &str, alt: &str, out: &mut String) {
        match self.images.get(src) {
            Some(href) => {
                let _ = write!(out, "<img src=\"{}\" alt=\"{}\"/>", esc(href), esc(alt));
            }
            // Not embedded (the build refuses missing images; this keeps the
            // document valid if a caller passes none): the alt text stands in.
            None => {
                let _ = write!(out, "<span class=\"missing-image\">{}</span>", esc(alt));
            }
        }
    }

    /// Renders inlines.
    pub fn inlines(&self, inlines: &[Inline], out: &mut String) {
        for i in inlines {
            match i {
                Inline::Text { text, span, .. } => self.text(text, *span, out),
                Inline::Emphasis { content, .. } => self.wrap("em", content, out),
                Inline::Strong { content, .. } => self.wrap("strong", content, out),
                Inline::Strikethrough { content, .. } => self.wrap("s", content, out),
                Inline::SmallCaps { content, .. } => {
                    out.push_str("<span class=\"smallcaps\">");
                    self.inlines(content, out);
                    out.push_str("</span>");
                }
                Inline::Lang { lang, content, .. } => {
                    let t = esc(lang.tag());
                    let _ = write!(out, "<span lang=\"{t}\" xml:lang=\"{t}\">");
                    self.inlines(content, out);
                    out.push_str("</span>");
                }
                Inline::Code { text, span } => {
                    out.push_str("<code>");
                    self.text(text, *span, out);
                    out.push_str("</code>");
                }
                Inline::Link { url, title, content, .. } => match self.href(url) {
                    Some(href) => {
                        let t = title
                            .as_ref()
                            .map(|t| format!(" title=\"{}\"", esc(t)))
                            .unwrap_or_default();
                        let _ = write!(out, "<a href=\"{}\"{t}>", esc(&href));
                        self.inlines(content, out);
                        out.push_str("</a>");
                    }
                    None => self.inlines(content, out),
                },
                Inline::Anchor { id, content, .. } => {
                    let _ = write!(out, "<span id=\"{}\">", esc(id));
                    self.inlines(content, out);
                    out.push_str("</span>");
                }
                // No pages in an e-book: the reference reads as the heading's
                // title, linked to it.
                Inline::PageRef { id, content, .. } => match self.href(&format!("#{id}"))
                {
                    Some(href) => {
                        let _ = write!(out, "<a href=\"{}\">", esc(&href));
                        self.inlines(content, out);
                        out.push_str("</a>");
                    }
                    None => self.inlines(content, out),
                },
                Inline::Image { src, alt, .. } => self.img(src, alt, out),
                Inline::NoteRef { number, first, span, .. } => {
                    if *number == 0 {
                        continue;
                    }
                    let id = self
                        .noteref_ids
                        .get(&(*number, span.start))
                        .cloned()
                        .unwrap_or_else(|| noteref_id(*number, *first, 1));
                    let file = &self.note_files[*number as usize - 1];
                    let target = if file == self.file {
                        format!("#note-{number}")
                    } else {
                        format!("{file}#note-{number}")
                    };
                    let _ = write!(
                        out,
                        "<sup><a id=\"{id}\" class=\"noteref\" href=\"{target}\" epub:type=\"noteref\" role=\"doc-noteref\">{number}</a></sup>"
                    );
                }
                Inline::SoftBreak { .. } => out.push('\n'),
                Inline::LineBreak { .. } => out.push_str("<br/>\n"),
                // The html pass turned raw HTML into model inlines: none is left.
                Inline::Html { .. } => {}
            }
        }
    }

    /// Text, with the page breaks of the print edition that fall in it: each
    /// before the word holding its byte.
    fn text(&self, text: &str, span: crate::diag::Span, out: &mut String) {
        let key = span.start as u32;
        let Some(breaks) =
            self.pages.get(&key).filter(|_| self.placed.borrow_mut().insert(key))
        else {
            return push_escaped(out, text);
        };
        let mut from = 0;
        for (at, label) in breaks {
            let at = word_start(text, (*at as usize).max(from));
            push_escaped(out, &text[from..at]);
            let l = esc(label);
            let _ = write!(
                out,
                "<span id=\"page-{l}\" epub:type=\"pagebreak\" role=\"doc-pagebreak\" aria-label=\"{l}\"></span>"
            );
            from = at;
        }
        push_escaped(out, &text[from..]);
    }

    fn wrap(&self, tag: &str, content: &[Inline], out: &mut String) {
        let _ = write!(out, "<{tag}>");
        self.inlines(content, out);
        let _ = write!(out, "</{tag}>");
    }

    /// Where a link goes in the book: web and mail addresses as they are; `#id` to the
    /// file holding that heading; anything else (the model has warned) nowhere.
    fn href(&self, url: &str) -> Option<String> {
        if let Some(frag) = url.strip_prefix('#') {
            let file = self.anchors.get(frag)?;
            return Some(if file == self.file {
                url.to_string()
            } else {
                format!("{file}{url}")
            });
        }
        safe_href(url).then(|| url.to_string())
    }

    /// The notes of one chapter, as EPUB 3 footnotes (EPUB 3 Structural Semantics
    /// `footnote`, DPUB-ARIA `doc-footnote`), each linking back to its reference.
    pub fn notes(&self, chapter: usize, out: &mut String) {
        let notes: Vec<_> =
            self.doc.notes.iter().filter(|n| n.chapter == chapter).collect();
        if notes.is_empty() {
            return;
        }
        out.push_str("<section class=\"footnotes\">\n<hr class=\"notes-rule\"/>\n");
        for n in notes {
            let num = n.number;
            let _ = writeln!(
                out,
                "<aside id=\"note-{num}\" class=\"footnote\" epub:type=\"footnote\" role=\"doc-footnote\">"
            );
            let back = self.backlinks(num);
            match n.blocks.split_first() {
                Some((Block::Paragraph { content, .. }, rest)) => {
                    out.push_str("<p class=\"noindent\">");
                    out.push_str(&back);
                    self.inlines(content, out);
                    out.push_str("</p>\n");
                    self.blocks(rest, out);
                }
                _ => {
                    let _ =
                        writeln!(out, "<p class=\"noindent\">{}</p>", back.trim_end());
                    self.blocks(&n.blocks, out);
                }
            }
            out.push_str("</aside>\n");
        }
        out.push_str("</section>\n");
    }
}

impl Ctx<'_> {
    /// The note's number, linking back to its first reference; a note referred to
    /// more than once also links back to each reference, labelled 1a, 1b … (as
    /// Wikipedia and pandoc do).
    fn backlinks(&self, num: u32) -> String {
        let refs = self.note_refs.get(&num).map_or(&[][..], Vec::as_slice);
        let href = |(file, id): &(String, String)| {
            if file == self.file { format!("#{id}") } else { format!("{file}#{id}") }
        };
        let first = refs.first().map_or(format!("#noteref-{num}"), href);
        let mut s = format!(
            "<a class=\"note-number\" href=\"{first}\" role=\"doc-backlink\">{num}.</a> "
        );
        if refs.len() > 1 {
            let links: Vec<String> = refs
                .iter()
                .enumerate()
                .map(|(k, r)| {
                    let label = format!("{num}{}", letter(k));
                    format!(
                        "<a href=\"{}\" role=\"doc-backlink\" aria-label=\"Back to reference {label}\">{label}</a>",
                        href(r)
                    )
                })
                .collect();
            let _ =
                write!(s, "<span class=\"backlinks\">↩\u{a0}{}</span> ", links.join(" "));
        }
        s
    }
}

/// a, b, … z, aa, ab …: the labels of a note's references.
fn letter(k: usize) -> String {
    let mut s = String::new();
    let mut k = k + 1;
    while k > 0 {
        k -= 1;
        s.insert(0, (b'a' + (k % 26) as u8) as char);
        k /= 26;
    }
    s
}

/// Heading text for navigation: no note markers, no markup.
pub fn heading_text(content: &[Inline]) -> String {
    let t = plain_text(content);
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}
