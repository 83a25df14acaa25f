//! The cover wrap (`--cover-wrap`): its boxes measured against the formula
//! (bleed + back + spine + front + bleed, the spine the book's leaves × the
//! paper's caliper), `qpdf --check`, the title on the spine only when the spine is
//! wide enough, the panels the right way round, and a pamphlet refused. Needs
//! poppler and qpdf: skipped loudly where missing, failed under `CI=true`.

use std::fs;
use std::path::Path;
use std::process::Command;

mod common;
use common::{in_ci, page_text, quire, root};

const MM: f64 = 72.0 / 25.4;

fn tools_present() -> bool {
    let ok = ["pdftotext", "pdfinfo", "qpdf"]
        .iter()
        .all(|t| Command::new(t).arg("-v").output().is_ok());
    if !ok {
        if in_ci() {
            panic!("poppler-utils and qpdf are required under CI=true");
        }
        eprintln!("\n!!!! SKIPPED: poppler-utils or qpdf not found !!!!\n");
    }
    ok
}

fn info(pdf: &Path) -> String {
    let o = Command::new("pdfinfo").args(["-box"]).arg(pdf).output().unwrap();
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A box's width and height, in points.
fn size(pdf: &Path, name: &str) -> (f64, f64) {
    let out = info(pdf);
    let l = out
        .lines()
        .find(|l| l.starts_with(name))
        .unwrap_or_else(|| panic!("{name}: {out}"));
    let v: Vec<f64> = l.split_whitespace().skip(1).map(|v| v.parse().unwrap()).collect();
    (v[2] - v[0], v[3] - v[1])
}

fn pages(pdf: &Path) -> usize {
    let out = info(pdf);
    let l = out.lines().find(|l| l.starts_with("Pages:")).unwrap();
    l.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn qpdf_clean(pdf: &Path) {
    let o = Command::new("qpdf").arg("--check").arg(pdf).output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && out.contains("No syntax or stream encoding errors"),
        "{}: {out}",
        pdf.display()
    );
}

/// A book of eight chapters (each opens on a right-hand page, so at least sixteen
/// pages), no cover image: the front is the typographic cover.
fn chapter_book(dir: &Path) {
    let mut md = String::from(
        "---\ntitle: Wrapped Tidings\nauthor: Rosa Spine\nlang: en\n\
         description: The back cover says what the book is about.\n---\n\n",
    );
    for c in 1..=8 {
        md.push_str(&format!("# Chapter {c}\n\n"));
        for _ in 0..6 {
            md.push_str("The committee met at dawn and argued until the lamps were lit; nobody left the hall before the vote was taken and counted twice.\n\n");
        }
    }
    fs::write(dir.join("book.md"), md).unwrap();
}

/// Builds `book.md` in `dir` with the print PDF and the wrap; returns the wrap.
fn build_wrap(dir: &Path, extra: &[&str]) -> std::path::PathBuf {
    let mut args =
        vec!["build", "book.md", "--format", "pdf", "--cover-wrap", "-o", "out"];
    args.extend_from_slice(extra);
    let o = quire(dir, &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let wrap = dir.join("out/book-cover.pdf");
    qpdf_clean(&wrap);
    assert_eq!(pages(&wrap), 1);
    wrap
}

/// The wrap's boxes against the formula, for the book's page count; returns the
/// spine's width in points.
fn check_boxes(dir: &Path, wrap: &Path, trim: (f64, f64), bleed: f64, leaf: f64) -> f64 {
    let n = pages(&dir.join("out/book.pdf"));
    let spine = n.div_ceil(2) as f64 * leaf;
    let (tw, th) = size(wrap, "TrimBox:");
    let (bw, bh) = size(wrap, "BleedBox:");
    let (mw, mh) = size(wrap, "MediaBox:");
    let near = |a: f64, b: f64| (a - b).abs() < 0.02;
    assert!(near(tw, 2.0 * trim.0 + spine) && near(th, trim.1), "TrimBox {tw} × {th}");
    assert!(
        near(bw, 2.0 * bleed + 2.0 * trim.0 + spine) && near(bh, 2.0 * bleed + trim.1),
        "BleedBox {bw} × {bh} for {n} pages"
    );
    assert!(near(mw, bw) && near(mh, bh), "MediaBox {mw} × {mh}");
    spine
}

#[test]
fn a_books_wrap_measures_its_formula_and_titles_a_wide_spine() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    chapter_book(dir.path());
    let (a5, bleed) = ((148.0 * MM, 210.0 * MM), 3.0 * MM);

    // 1 mm a leaf: a spine wide enough for its title.
    let wrap = build_wrap(dir.path(), &["--paper-caliper", "1mm"]);
    let spine = check_boxes(dir.path(), &wrap, a5, bleed, MM);
    assert!(spine >= 0.25 * 72.0, "{spine} pt is a wide spine");
    let (mw, mh) = size(&wrap, "MediaBox:");
    // Regions in the media box's points: the back panel, the spine, the front.
    let back = page_text(&wrap, 1, Some((0.0, 0.0, bleed + a5.0, mh)));
    let on_spine = page_text(&wrap, 1, Some((bleed + a5.0, 0.0, spine, mh)));
    let front = page_text(&wrap, 1, Some((bleed + a5.0 + spine, 0.0, mw, mh)));
    eprintln!("back: {back}\nspine: {on_spine}\nfront: {front}");
    assert!(on_spine.contains("Wrapped Tidings"), "spine: {on_spine}");
    assert!(on_spine.contains("Rosa Spine"), "spine: {on_spine}");
    assert!(front.contains("Wrapped Tidings"), "front: {front}");
    assert!(back.contains("The back cover says"), "back: {back}");
    assert!(!back.contains("Wrapped"), "back: {back}");

    // 0.1 mm a leaf: too thin a spine for text.
    let wrap = build_wrap(dir.path(), &["--paper-caliper", "0.1mm"]);
    let spine = check_boxes(dir.path(), &wrap, a5, bleed, 0.1 * MM);
    assert!(spine < 0.25 * 72.0);
    let (_, mh) = size(&wrap, "MediaBox:");
    let around = page_text(&wrap, 1, Some((bleed + a5.0 - 2.0, 0.0, spine + 4.0, mh)));
    assert!(!around.contains("Wrapped"), "no spine text on a thin spine: {around}");

    // A front-matter preset on a US trim with its 0.125 in bleed, and the same
    // wrap twice byte for byte.
    let md = fs::read_to_string(dir.path().join("book.md")).unwrap();
    let md = md.replacen("lang: en\n", "lang: en\npdf:\n  paper-caliper: kdp-cream\n", 1);
    fs::write(dir.path().join("book.md"), md).unwrap();
    let wrap = build_wrap(dir.path(), &["--trim", "6x9"]);
    check_boxes(dir.path(), &wrap, (432.0, 648.0), 9.0, 2.0 * 0.0025 * 72.0);
    let first = fs::read(&wrap).unwrap();
    let wrap = build_wrap(dir.path(), &["--trim", "6x9"]);
    assert_eq!(first, fs::read(&wrap).unwrap(), "reproducible");
}

#[test]
fn the_samples_wrap_has_its_cover_image_and_a_bad_caliper_is_located() {
    if !tools_present() {
        return;
    }
    // The sample as a book: its cover image on the front, the description behind.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_quire"))
        .current_dir(root())
        .args(["build", "manuscript/lessons-of-the-paris-commune.md", "--format", "txt"])
        .args(["--layout", "book", "--cover-wrap", "--paper-caliper", "kdp-white", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let wrap = out.join("lessons-of-the-paris-commune-cover.pdf");
    qpdf_clean(&wrap);
    let img = Command::new("pdfimages").arg("-list").arg(&wrap).output();
    if let Ok(img) = img {
        let list = String::from_utf8_lossy(&img.stdout);
        assert_eq!(list.lines().count(), 3, "one image: {list}");
    }
    let text = page_text(&wrap, 1, None);
    assert!(text.contains("Fifty years after the Paris Commune"), "{text}");

    // A pamphlet has its own covers: refused, nothing written.
    let o = Command::new(env!("CARGO_BIN_EXE_quire"))
        .current_dir(root())
        .args(["build", "manuscript/lessons-of-the-paris-commune.md", "--cover-wrap"])
        .arg("-o")
        .arg(dir.path().join("pamphlet"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--layout book"));
    assert!(!dir.path().join("pamphlet").exists());

    // A bad caliper in the front matter is an error at its value.
    let bad = dir.path().join("bad");
    fs::create_dir(&bad).unwrap();
    let md = "---\ntitle: T\nauthor: A\nlang: en\npdf:\n  paper-caliper: 3cm\n---\n\n# One\n\nText.\n";
    fs::write(bad.join("book.md"), md).unwrap();
    let o = quire(&bad, &["check", "book.md"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("book.md:6:18: error[pdf-setting]"), "{err}");
    assert!(err.contains("paper caliper"), "{err}");
}
