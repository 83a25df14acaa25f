//! Books: the printed contents with the pages its entries open on, roman and arabic
//! page labels, cross-references to pages, the EPUB's page-list from the print
//! edition, and a book split into chapter files that builds the same bytes as the
//! book in one file. The long book is 100,000 words in 11 chapters made from the
//! sample's seed text.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use common::{
    ace, ace_violations, epubcheck, have, in_ci, quire, require_epubcheck, root,
};

const NAMES: [&str; 11] = [
    "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten",
    "Eleven",
];

/// The long book: its main file's text (front matter and an epigraph) and its
/// eleven chapters, each a `#` chapter of about 9,100 words with two `##` parts,
/// notes, and cross-references to other chapters' pages in its notes.
fn long_book() -> (String, Vec<String>) {
    let seed = fs::read_to_string(
        root().join("tests/fixtures/lessons-of-the-paris-commune.seed.txt"),
    )
    .unwrap();
    let paras: Vec<String> = seed
        .split("\n\n")
        .map(|p| p.replace('\n', " "))
        .filter(|p| p.split_whitespace().count() > 25)
        .collect();
    let main = "---\ntitle: The Long Book\nauthor: Ada Writer\ntranslator: Tom Translator\npublisher: The Test Press\nrights: Public domain\nidentifier: urn:isbn:9780000000002\nlang: en\ntoc-depth: 2\n---\n\n<div class=\"epigraph\">\n\nA book of eleven chapters, long enough to need a contents.\n\n</div>\n".to_string();
    let mut chapters = Vec::new();
    let mut k = 0;
    for (c, name) in NAMES.iter().enumerate() {
        let mut ch = format!("# Chapter {name} {{#ch-{}}}\n", c + 1);
        let (mut words, mut j) = (0, 0);
        let mut notes = Vec::new();
        while words < 9050 {
            let mut p = paras[k % paras.len()].clone();
            k += 1;
            if [1, 4, 9].contains(&j) {
                let n = format!("c{}n{j}", c + 1);
                p.push_str(&format!("[^{n}]"));
                notes.push(n);
            }
            words += p.split_whitespace().count();
            ch.push_str(&format!("\n{p}\n"));
            j += 1;
            if j == 8 || j == 20 {
                ch.push_str(&format!(
                    "\n## Part {} of chapter {}\n",
                    j / 8,
                    name.to_lowercase()
                ));
            }
        }
        for n in notes {
            let other = (c + 5) % 11 + 1;
            ch.push_str(&format!(
                "\n[^{n}]: A note on chapter {}, see [](#ch-{other}).\n",
                name.to_lowercase()
            ));
        }
        chapters.push(ch);
    }
    (main, chapters)
}

/// The book in one file: the main file, then each chapter after a blank line —
/// how quire joins chapter files.
fn one_file((main, chapters): &(String, Vec<String>)) -> String {
    let mut s = main.clone();
    for c in chapters {
        if !s.ends_with('\n') {
            s.push('\n');
        }
        s.push('\n');
        s.push_str(c);
    }
    s
}

/// Each page's label, as `qpdf --json` reads the PDF's page labels.
fn page_labels(pdf: &Path) -> Vec<String> {
    let o = Command::new("qpdf")
        .args(["--json", "--json-key=pages"])
        .arg(pdf)
        .output()
        .unwrap();
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    j["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p["label"]["/St"].as_i64().map_or(String::new(), |n| {
                if p["label"]["/S"] == "/r" { roman(n as u32) } else { n.to_string() }
            })
        })
        .collect()
}

fn roman(n: u32) -> String {
    quire::layout::roman(n)
}

/// Each page's text lines (`pdftotext -layout`).
fn pages_of(pdf: &Path) -> Vec<Vec<String>> {
    let o = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout)
        .split('\u{c}')
        .map(|p| {
            p.lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect()
        })
        .collect()
}

/// The contents' entries: title and page number of every line with leaders.
fn contents_entries(page: &[String]) -> Vec<(String, String)> {
    page.iter()
        .filter(|l| l.contains(". . ."))
        .filter_map(|l| {
            let (text, num) = l.rsplit_once(' ')?;
            let title = text.trim_end_matches(['.', ' ']).trim().to_string();
            Some((title, num.to_string()))
        })
        .collect()
}

fn validators() -> bool {
    let have_all = ["pdftotext", "qpdf"].iter().all(|t| have(t));
    if !have_all {
        assert!(!in_ci(), "poppler and qpdf are required under CI=true");
        eprintln!("\n!!!! SKIPPED: poppler-utils or qpdf not installed !!!!\n");
    }
    have_all
}

#[test]
fn a_long_book_lists_its_chapters_on_the_pages_they_open_and_its_epub_knows_the_pages() {
    if !validators() {
        return;
    }
    let book = long_book();
    let words = one_file(&book).split_whitespace().count();
    assert!(words > 100_000, "the long book has {words} words");
    let tmp = tempfile::tempdir().unwrap();
    let one = tmp.path().join("one");
    fs::create_dir_all(&one).unwrap();
    fs::write(one.join("long.md"), one_file(&book)).unwrap();
    let o = quire(&one, &["build", "long.md", "-o", "out"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pdf = one.join("out/long.pdf");

    // Page labels: the front matter in roman numerals, then the text from 1.
    let labels = page_labels(&pdf);
    let front = labels.iter().position(|l| l == "1").expect("an arabic page 1");
    assert!(front >= 6 && front % 2 == 0, "front matter of {front} pages");
    for (k, l) in labels.iter().enumerate() {
        let want =
            if k < front { roman(k as u32 + 1) } else { (k - front + 1).to_string() };
        assert_eq!(*l, want, "page {}", k + 1);
    }

    // The contents: every chapter and part, each on the page where pdftotext finds
    // its heading, with the chapter's first words under it.
    let pages = pages_of(&pdf);
    let entries: Vec<(String, String)> =
        pages[..front].iter().flat_map(|p| contents_entries(p)).collect();
    assert_eq!(entries.len(), 33, "{entries:?}");
    let mut chapters = 0;
    for (title, num) in &entries {
        let k = labels
            .iter()
            .position(|l| l == num)
            .unwrap_or_else(|| panic!("no page {num}"));
        assert!(
            pages[k].iter().any(|l| l == title),
            "“{title}” is not on page {num}: {:?}",
            &pages[k][..pages[k].len().min(4)]
        );
        if let Some(c) = NAMES.iter().position(|n| *title == format!("Chapter {n}")) {
            let first: String = book.1[c]
                .lines()
                .nth(2)
                .unwrap()
                .split_whitespace()
                .take(4)
                .collect::<Vec<_>>()
                .join(" ");
            let text = pages[k].join(" ");
            assert!(
                text.contains(&first),
                "chapter {title} opens with “{first}” on page {num}"
            );
            chapters += 1;
        }
    }
    assert_eq!(chapters, 11);

    // The EPUB's page-list: one entry per printed text page, each marker before the
    // word that page begins with.
    let epub = one.join("out/long.epub");
    let mut z = zip::ZipArchive::new(fs::File::open(&epub).unwrap()).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut z.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    let nav = read("EPUB/nav.xhtml");
    let list = nav.split("epub:type=\"page-list\"").nth(1).expect("a page-list");
    let listed: Vec<&str> = list
        .split("<li><a href=\"")
        .skip(1)
        .map(|e| e.split('"').next().unwrap())
        .collect();
    assert_eq!(listed.len(), labels.len() - front, "one entry per text page");
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    let mut checked = 0;
    for (k, href) in listed.iter().enumerate() {
        let (file, id) = href.split_once('#').unwrap();
        assert_eq!(id, format!("page-{}", k + 1));
        let xhtml = files
            .entry(file.to_string())
            .or_insert_with(|| read(&format!("EPUB/{file}")));
        let after = xhtml
            .split(&format!("id=\"{id}\""))
            .nth(1)
            .unwrap_or_else(|| panic!("no marker {id}"));
        let epub_words = words_of(after, 3);
        let pdf_words = body_words(&pages[front + k]);
        if pdf_words.is_empty() {
            continue;
        }
        // A page may begin with the rest of a word hyphenated on the page before.
        let first = pdf_words[0].as_str();
        assert!(
            epub_words.first().is_some_and(|w| w == first || w.ends_with(first)),
            "page {}: the PDF begins {pdf_words:?}, the EPUB's marker stands before {epub_words:?}",
            k + 1
        );
        checked += 1;
    }
    assert!(checked > 300, "{checked} pages compared");

    if let Some(jar) = require_epubcheck() {
        let msgs = epubcheck(&jar, &epub);
        assert!(msgs.is_empty(), "EPUBCheck: {msgs:#?}");
    }
    if let Some(ace) = ace() {
        let v = ace_violations(&ace, &epub);
        assert!(v.is_empty(), "Ace: {v:#?}");
    }

    // The same book in five chapter files builds the same editions, byte for byte.
    let split = tmp.path().join("split");
    fs::create_dir_all(split.join("chapters")).unwrap();
    let groups = [0..3, 3..5, 5..7, 7..9, 9..11];
    let mut names = Vec::new();
    for (g, range) in groups.iter().enumerate() {
        let name = format!("chapters/{:02}.md", g + 1);
        let text = book.1[range.clone()].join("\n");
        // A chapter file may have a front matter of its own, to be built alone.
        let text = if g == 0 {
            format!("---\ntitle: Chapters one to three\n---\n{text}")
        } else {
            text
        };
        fs::write(split.join(&name), text).unwrap();
        names.push(name);
    }
    let main = book.0.replace(
        "toc-depth: 2\n",
        &format!("toc-depth: 2\nchapters: [{}]\n", names.join(", ")),
    );
    fs::write(split.join("long.md"), main).unwrap();
    let o = quire(&split, &["build", "long.md", "-o", "out"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in ["long.epub", "long.pdf", "long-booklet.pdf", "long.txt"] {
        let a = fs::read(one.join("out").join(f)).unwrap();
        let b = fs::read(split.join("out").join(f)).unwrap();
        assert!(a == b, "{f} differs between the book in one file and in five");
    }
    // Its diagnostics name the chapter file and the line there.
    let o = quire(&split, &["check", "long.md"]);
    let err = String::from_utf8_lossy(&o.stderr);
    let short =
        err.lines().find(|l| l.contains("warning[short-page]")).expect("a short page");
    let (file, rest) = short.split_once(':').unwrap();
    assert!(file.starts_with("chapters/"), "{short}");
    let line: usize = rest.split(':').next().unwrap().parse().unwrap();
    let text = fs::read_to_string(split.join(file)).unwrap();
    let shown = err.lines().skip_while(|l| *l != short).nth(1).unwrap();
    // The source line is shown after its number, cut short with "…" when long.
    let (_, source) = shown.split_once("| ").unwrap();
    let source = source.trim_end_matches('…');
    assert!(!source.is_empty(), "{shown}");
    assert!(text.lines().nth(line - 1).unwrap().starts_with(source), "{shown}");
    // A chapter file builds alone too.
    let o = quire(&split, &["build", "chapters/02.md", "-o", "alone", "--format", "txt"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The first `n` words of XHTML after a place, tags and markers left out.
fn words_of(xhtml: &str, n: usize) -> Vec<String> {
    let mut text = String::new();
    let mut in_tag = false;
    for c in xhtml.chars().skip_while(|&c| c != '>').skip(1) {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
        if text.split_whitespace().count() > n {
            break;
        }
    }
    text.split_whitespace().take(n).map(str::to_string).collect()
}

/// A printed page's first words: its lines without the running head.
fn body_words(page: &[String]) -> Vec<String> {
    let heads = ["Ada Writer", "The Long Book"];
    page.iter()
        .skip_while(|l| heads.contains(&l.as_str()))
        .flat_map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .take(3)
        .collect()
}

#[test]
fn cross_references_print_their_targets_pages_and_link_in_every_edition() {
    if !validators() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let o = quire(
        &root(),
        &["build", "tests/book/cross-references.md", "-o", tmp.path().to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pdf = tmp.path().join("cross-references.pdf");
    let labels = page_labels(&pdf);
    let pages = pages_of(&pdf);
    let page_of = |title: &str| {
        let k = pages.iter().position(|p| p.iter().any(|l| l == title)).unwrap();
        labels[k].clone()
    };
    // In the manuscript's order: forward to the last chapter and the middle one,
    // back to the first chapter, then from the last chapter back twice.
    // A page holding a phrase of running text (an anchor's).
    let page_with = |phrase: &str| {
        let k = pages.iter().position(|p| p.join(" ").contains(phrase)).unwrap();
        labels[k].clone()
    };
    let want: Vec<String> = vec![
        page_of("Late Arrivals"),
        page_of("The Middle Way"),
        page_of("Beginnings"),
        page_with("the hinge of the argument"),
        page_with("Quietly, the argument resumes"),
        page_with("The table’s anchored cell"),
        page_with("the note’s anchored remark"),
        page_of("Beginnings"),
        page_of("A section of chapter 2"),
    ];
    let text = pages
        .iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('\u{a0}', " ");
    let got: Vec<String> = text
        .split("page ")
        .skip(1)
        .filter_map(|s| {
            s.split(|c: char| !c.is_ascii_digit()).next().filter(|n| !n.is_empty())
        })
        .map(str::to_string)
        .collect();
    assert_eq!(got, want, "the cross-references print {got:?}");
    assert!(want.iter().collect::<std::collections::BTreeSet<_>>().len() >= 3);
    // Every link to a heading in the PDF goes to the page the heading is on.
    let targets = link_targets(&pdf);
    let places = [
        ("late", page_of("Late Arrivals")),
        ("middle", page_of("The Middle Way")),
        ("begin", page_of("Beginnings")),
        ("sec-2", page_of("A section of chapter 2")),
        ("hinge", page_with("the hinge of the argument")),
        ("quiet", page_with("Quietly, the argument resumes")),
        ("in-table", page_with("The table’s anchored cell")),
        ("in-note", page_with("the note’s anchored remark")),
    ];
    for (id, page) in places {
        let to: Vec<&usize> =
            targets.iter().filter(|(i, _)| i == id).map(|(_, p)| p).collect();
        assert!(!to.is_empty(), "no PDF link to #{id}");
        for &&p in &to {
            assert_eq!(
                labels[p - 1],
                page,
                "a link to #{id} goes to page {}",
                labels[p - 1]
            );
        }
    }
    // The EPUB links each to its heading, reading as the heading's title.
    let mut z = zip::ZipArchive::new(
        fs::File::open(tmp.path().join("cross-references.epub")).unwrap(),
    )
    .unwrap();
    let mut all = String::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        if f.name().is_ok_and(|n| n.ends_with(".xhtml")) {
            std::io::Read::read_to_string(&mut f, &mut all).unwrap();
        }
    }
    for (id, title) in [
        ("late", "Late Arrivals"),
        ("middle", "The Middle Way"),
        ("sec-2", "A section of chapter 2"),
        ("hinge", "the hinge of the argument"),
        ("quiet", "Late Arrivals"),
    ] {
        assert!(all.contains(&format!("#{id}\">{title}</a>")), "no EPUB link to #{id}");
    }
    // The anchors are where the EPUB's links go.
    assert!(all.contains("<span id=\"hinge\">the hinge of the argument</span>"));
    assert!(all.contains("<span id=\"quiet\"></span>Quietly"));
    let txt = fs::read_to_string(tmp.path().join("cross-references.txt")).unwrap();
    assert!(txt.contains("it is on The Middle Way"), "the text edition reads the title");
}

#[test]
fn a_cross_reference_to_a_missing_id_fails_at_its_line_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let md = "---\ntitle: Broken\nlang: en\n---\n\n# One {#one}\n\nSee [](#one) and [the other](#nowhere).\n";
    fs::write(tmp.path().join("broken.md"), md).unwrap();
    let o = quire(tmp.path(), &["build", "broken.md", "-o", "out"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("broken.md:8:18: error[missing-id]"), "{err}");
    assert!(
        !tmp.path().join("out").exists()
            || fs::read_dir(tmp.path().join("out")).unwrap().next().is_none()
    );
}

/// Every internal link annotation of a PDF: the id it says it goes to (its
/// `/Contents`, "Go to #id") and the page (1-based) its destination is on.
fn link_targets(pdf: &Path) -> Vec<(String, usize)> {
    use lopdf::Object;
    let doc = lopdf::Document::load(pdf).unwrap();
    let pages = doc.get_pages();
    let number: BTreeMap<lopdf::ObjectId, usize> =
        pages.iter().map(|(n, id)| (*id, *n as usize)).collect();
    let mut out = Vec::new();
    for id in pages.values() {
        for a in doc.get_page_annotations(*id).unwrap_or_default() {
            let Ok(Object::String(c, _)) = a.get(b"Contents") else { continue };
            let Some(target) =
                String::from_utf8_lossy(c).strip_prefix("Go to #").map(str::to_string)
            else {
                continue;
            };
            let dest = match a.get(b"Dest") {
                Ok(Object::Reference(r)) => doc.get_object(*r).ok(),
                Ok(o) => Some(o),
                Err(_) => None,
            };
            if let Some(Object::Array(d)) = dest
                && let Some(Object::Reference(page)) = d.first()
            {
                out.push((target, number[page]));
            }
        }
    }
    out
}
