//! The package document (EPUB 3.3 §5), the navigation document (§7) and the NCX for
//! EPUB 2 reading systems.

use std::fmt::Write as _;

use super::xhtml::{esc, page};
use crate::model::{Document, Lang};

/// One manifest item.
pub struct Item {
    /// Manifest id.
    pub id: String,
    /// Path within `EPUB/`.
    pub href: String,
    /// Media type.
    pub media_type: &'static str,
    /// `properties` (nav, cover-image …).
    pub properties: Option<&'static str>,
    /// Whether it is in the spine, in manifest order.
    pub spine: bool,
}

/// One table-of-contents entry.
pub struct TocEntry {
    /// Heading level (1–6).
    pub level: u8,
    /// Plain text.
    pub text: String,
    /// `file#id` or `file`.
    pub href: String,
}

/// What the package says about accessibility, decided from the content.
pub struct A11y {
    /// The book has images (so `visual` is an access mode).
    pub has_images: bool,
    /// Every image has alternative text.
    pub all_alt: bool,
    /// The e-book marks the print edition's pages and lists them.
    pub page_list: bool,
}

/// `YYYY-MM-DDThh:mm:ssZ` from Unix seconds.
pub fn w3c_time(unix: i64) -> String {
    let (y, mo, d, h, mi, s) = super::civil(unix);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// The package document.
pub fn opf(doc: &Document, items: &[Item], modified: i64, a11y: &A11y) -> String {
    let m = &doc.meta;
    let lang = esc(m.lang.tag());
    let mut md = String::new();
    let _ = writeln!(
        md,
        "    <dc:identifier id=\"pub-id\">{}</dc:identifier>",
        esc(&m.identifier)
    );
    let _ = writeln!(md, "    <dc:title id=\"title\">{}</dc:title>", esc(&m.title));
    let _ =
        writeln!(md, "    <meta refines=\"#title\" property=\"title-type\">main</meta>");
    if let Some(s) = &m.subtitle {
        let _ = writeln!(md, "    <dc:title id=\"subtitle\">{}</dc:title>", esc(s));
        let _ = writeln!(
            md,
            "    <meta refines=\"#subtitle\" property=\"title-type\">subtitle</meta>"
        );
    }
    for (i, a) in m.authors.iter().enumerate() {
        let _ =
            writeln!(md, "    <dc:creator id=\"aut{}\">{}</dc:creator>", i + 1, esc(a));
        let _ = writeln!(
            md,
            "    <meta refines=\"#aut{}\" property=\"role\" scheme=\"marc:relators\">aut</meta>",
            i + 1
        );
    }
    for (role, names) in [("trl", &m.translators), ("edt", &m.editors)] {
        for (i, n) in names.iter().enumerate() {
            let id = format!("{role}{}", i + 1);
            let _ = writeln!(
                md,
                "    <dc:contributor id=\"{id}\">{}</dc:contributor>",
                esc(n)
            );
            let _ = writeln!(
                md,
                "    <meta refines=\"#{id}\" property=\"role\" scheme=\"marc:relators\">{role}</meta>"
            );
        }
    }
    let _ = writeln!(md, "    <dc:language>{lang}</dc:language>");
    if let Some(d) = &m.date {
        let _ = writeln!(md, "    <dc:date>{}</dc:date>", d.iso());
    }
    for (tag, v) in [
        ("publisher", &m.publisher),
        ("rights", &m.rights),
        ("description", &m.description),
        ("source", &m.source),
    ] {
        if let Some(v) = v {
            let _ = writeln!(md, "    <dc:{tag}>{}</dc:{tag}>", esc(v));
        }
    }
    for s in &m.subjects {
        let _ = writeln!(md, "    <dc:subject>{}</dc:subject>", esc(s));
    }
    let _ = writeln!(
        md,
        "    <meta property=\"dcterms:modified\">{}</meta>",
        w3c_time(modified)
    );
    // EPUB Accessibility 1.1 §2 discovery metadata (schema.org vocabulary).
    let mut modes = vec!["textual"];
    if a11y.has_images {
        modes.push("visual");
    }
    for mode in modes {
        let _ = writeln!(md, "    <meta property=\"schema:accessMode\">{mode}</meta>");
    }
    let sufficient =
        if !a11y.has_images || a11y.all_alt { "textual" } else { "textual,visual" };
    let _ = writeln!(
        md,
        "    <meta property=\"schema:accessModeSufficient\">{sufficient}</meta>"
    );
    let mut features = vec![
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "displayTransformability",
    ];
    if a11y.has_images && a11y.all_alt {
        features.push("alternativeText");
    }
    if a11y.page_list {
        features.push("pageNavigation");
        features.push("printPageNumbers");
    }
    for f in features {
        let _ =
            writeln!(md, "    <meta property=\"schema:accessibilityFeature\">{f}</meta>");
    }
    let _ = writeln!(md, "    <meta property=\"schema:accessibilityHazard\">none</meta>");
    if a11y.page_list {
        // The print edition the page breaks come from: the one quire made from the
        // same manuscript, which carries the same identifier. Written as EPUB 3.3's
        // `dc:source` refined by `source-of: pagination` (EPUB 3.3, D.3.12), which
        // EPUBCheck 5.3 knows; EPUB Accessibility 1.1's `a11y:pageBreakSource` it
        // reports as undefined.
        let _ = writeln!(
            md,
            "    <dc:source id=\"print-edition\">{}</dc:source>\n    <meta refines=\"#print-edition\" property=\"source-of\">pagination</meta>",
            esc(&doc.meta.identifier)
        );
    }
    let summary = if !a11y.has_images || a11y.all_alt {
        "This publication conforms to WCAG 2.2 Level AA. It has a table of contents, \
         structured headings and a logical reading order; notes are linked to and from \
         their references; every image has a text alternative."
    } else {
        "This publication has a table of contents, structured headings and a logical \
         reading order; notes are linked to and from their references. Some images lack \
         a text alternative."
    };
    let _ = writeln!(
        md,
        "    <meta property=\"schema:accessibilitySummary\">{summary}</meta>"
    );
    if !a11y.has_images || a11y.all_alt {
        let _ = writeln!(
            md,
            "    <meta property=\"dcterms:conformsTo\" id=\"conf\">EPUB Accessibility 1.1 - WCAG 2.2 Level AA</meta>"
        );
        let certifier = m.publisher.as_deref().unwrap_or("quire");
        let _ = writeln!(
            md,
            "    <meta property=\"a11y:certifiedBy\" refines=\"#conf\">{}</meta>",
            esc(certifier)
        );
    }
    if items.iter().any(|i| i.properties == Some("cover-image")) {
        // The EPUB 2 cover convention, still read by some reading systems.
        let _ = writeln!(md, "    <meta name=\"cover\" content=\"cover-image\"/>");
    }

    // EPUB 3.3 §5.7.1: a right-to-left book's pages turn from right to left.
    let progression =
        if m.lang.rtl() { " page-progression-direction=\"rtl\"" } else { "" };
    let mut manifest = String::new();
    let mut spine = String::new();
    for it in items {
        let props =
            it.properties.map(|p| format!(" properties=\"{p}\"")).unwrap_or_default();
        let _ = writeln!(
            manifest,
            "    <item id=\"{}\" href=\"{}\" media-type=\"{}\"{props}/>",
            it.id,
            esc(&it.href),
            it.media_type
        );
        if it.spine {
            let _ = writeln!(spine, "    <itemref idref=\"{}\"/>", it.id);
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" unique-identifier=\"pub-id\" xml:lang=\"{lang}\">\n\
         \x20 <metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n{md}  </metadata>\n\
         \x20 <manifest>\n{manifest}  </manifest>\n\
         \x20 <spine toc=\"ncx\"{progression}>\n{spine}  </spine>\n\
         </package>\n"
    )
}

/// Nests entries by level into `<ol>` lists (a jump of several levels nests once).
fn nested(
    entries: &[TocEntry],
    indent: &str,
    item: impl Fn(&TocEntry) -> String,
) -> String {
    let mut out = format!("{indent}<ol>\n");
    let mut stack: Vec<u8> = Vec::new();
    for e in entries {
        match stack.last() {
            None => stack.push(e.level),
            Some(&top) if e.level > top => {
                out.push_str(&format!("\n{indent}{}<ol>\n", "  ".repeat(stack.len())));
                stack.push(e.level);
            }
            Some(_) => {
                // Close lists while the one around the current list is at this level
                // or deeper; the entry then joins the list that is left.
                while stack.len() > 1 && stack[stack.len() - 2] >= e.level {
                    stack.pop();
                    out.push_str(&format!(
                        "</li>\n{indent}{}</ol>",
                        "  ".repeat(stack.len())
                    ));
                }
                if let Some(top) = stack.last_mut() {
                    *top = (*top).min(e.level);
                }
                out.push_str("</li>\n");
            }
        }
        out.push_str(&format!("{indent}{}<li>{}", "  ".repeat(stack.len()), item(e)));
    }
    while stack.pop().is_some() {
        out.push_str("</li>\n");
        if !stack.is_empty() {
            out.push_str(&format!("{indent}{}</ol>", "  ".repeat(stack.len())));
        }
    }
    out.push_str(&format!("{indent}</ol>\n"));
    out
}

/// The navigation document: the table of contents and the landmarks.
pub fn nav(
    doc: &Document,
    toc: &[TocEntry],
    first_text: &str,
    pages: &[(String, String)],
) -> String {
    let lang: &Lang = &doc.meta.lang;
    let title = lang.contents_heading();
    let list =
        nested(toc, "", |e| format!("<a href=\"{}\">{}</a>", esc(&e.href), esc(&e.text)));
    let body = format!(
        "<nav epub:type=\"toc\" role=\"doc-toc\" id=\"toc\" aria-labelledby=\"toc-title\">\n\
         <h1 id=\"toc-title\">{}</h1>\n{list}</nav>\n\
         <nav epub:type=\"landmarks\" id=\"landmarks\" hidden=\"hidden\" aria-label=\"Landmarks\">\n<ol>\n\
         <li><a epub:type=\"cover\" href=\"cover.xhtml\">Cover</a></li>\n\
         <li><a epub:type=\"titlepage\" href=\"title.xhtml\">Title page</a></li>\n\
         <li><a epub:type=\"bodymatter\" href=\"{}\">Start</a></li>\n</ol>\n</nav>\n",
        esc(title),
        esc(first_text)
    );
    let mut body = body;
    if !pages.is_empty() {
        body.push_str(
            "<nav epub:type=\"page-list\" role=\"doc-pagelist\" id=\"page-list\" hidden=\"hidden\" aria-label=\"Pages\">\n<ol>\n",
        );
        for (label, file) in pages {
            let _ = writeln!(
                body,
                "<li><a href=\"{}#page-{}\">{}</a></li>",
                esc(file),
                esc(label),
                esc(label)
            );
        }
        body.push_str("</ol>\n</nav>\n");
    }
    page(lang, title, Some("frontmatter"), &body)
}

/// The NCX (OPF 2.0.1 §2.4.1), written without a DOCTYPE (EPUBCheck OPF-073).
pub fn ncx(doc: &Document, toc: &[TocEntry]) -> String {
    let mut points = String::new();
    let mut order = 0;
    let mut depth_max = 1;
    let mut stack: Vec<u8> = Vec::new();
    for e in toc {
        while stack.last().is_some_and(|&t| t >= e.level) {
            stack.pop();
            points.push_str(&format!("{}</navPoint>\n", "  ".repeat(stack.len() + 2)));
        }
        stack.push(e.level);
        depth_max = depth_max.max(stack.len());
        order += 1;
        let pad = "  ".repeat(stack.len() + 1);
        points.push_str(&format!(
            "{pad}<navPoint id=\"np{order}\" playOrder=\"{order}\">\n{pad}  <navLabel><text>{}</text></navLabel>\n{pad}  <content src=\"{}\"/>\n",
            esc(&e.text),
            esc(&e.href)
        ));
    }
    while stack.pop().is_some() {
        points.push_str(&format!("{}</navPoint>\n", "  ".repeat(stack.len() + 2)));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\" xml:lang=\"{}\">\n\
         \x20 <head>\n\
         \x20   <meta name=\"dtb:uid\" content=\"{}\"/>\n\
         \x20   <meta name=\"dtb:depth\" content=\"{depth_max}\"/>\n\
         \x20   <meta name=\"dtb:totalPageCount\" content=\"0\"/>\n\
         \x20   <meta name=\"dtb:maxPageNumber\" content=\"0\"/>\n\
         \x20 </head>\n\
         \x20 <docTitle><text>{}</text></docTitle>\n\
         \x20 <navMap>\n{points}  </navMap>\n</ncx>\n",
        esc(doc.meta.lang.tag()),
        esc(&doc.meta.identifier),
        esc(&doc.meta.title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(level: u8, t: &str) -> TocEntry {
        TocEntry { level, text: t.into(), href: format!("f#{t}") }
    }

    #[test]
    fn toc_nests_by_level() {
        let toc = [e(1, "a"), e(2, "b"), e(3, "c"), e(1, "d"), e(3, "e"), e(2, "f")];
        let s = nested(&toc, "", |x| x.text.clone());
        let compact: String = s.split_whitespace().collect();
        assert_eq!(
            compact,
            "<ol><li>a<ol><li>b<ol><li>c</li></ol></li></ol></li><li>d<ol><li>e</li><li>f</li></ol></li></ol>"
        );
    }

    #[test]
    fn times() {
        assert_eq!(w3c_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(w3c_time(-1_543_363_200), "1921-02-04T00:00:00Z");
        assert_eq!(w3c_time(1_700_000_000), "2023-11-14T22:13:20Z");
    }
}
