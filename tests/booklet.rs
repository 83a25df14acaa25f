//! Pamphlet production: the self-cover, trim presets with their boxes, crop marks,
//! and the saddle-stitch booklet — each half of each sheet compared, by its text,
//! with the pamphlet page it should hold. Needs poppler and qpdf: skipped loudly
//! where missing, failed under `CI=true`.

use std::path::Path;
use std::process::Command;

mod common;
use common::{page_text, root};

fn tools_present() -> bool {
    let ok = ["pdftotext", "pdfinfo", "qpdf"]
        .iter()
        .all(|t| Command::new(t).arg("-v").output().is_ok());
    if !ok {
        if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
            panic!("poppler-utils and qpdf are required under CI=true");
        }
        eprintln!("\n!!!! SKIPPED: poppler-utils or qpdf not found !!!!\n");
    }
    ok
}

fn build(out: &Path, extra: &[&str]) {
    let o = Command::new(env!("CARGO_BIN_EXE_quire"))
        .current_dir(root())
        .args([
            "build",
            "manuscript/lessons-of-the-paris-commune.md",
            "--format",
            "pdf,booklet",
            "-o",
        ])
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn info(pdf: &Path) -> String {
    let o = Command::new("pdfinfo").args(["-box"]).arg(pdf).output().unwrap();
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn boxes(pdf: &Path, name: &str) -> Vec<f64> {
    let out = info(pdf);
    let l = out
        .lines()
        .find(|l| l.starts_with(name))
        .unwrap_or_else(|| panic!("{name}: {out}"));
    l.split_whitespace().skip(1).map(|v| v.parse().unwrap()).collect()
}

fn pages(pdf: &Path) -> usize {
    info(pdf)
        .lines()
        .find(|l| l.starts_with("Pages:"))
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap()
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

/// One printed side as the test expects it: the pamphlet pages on its halves, and
/// whether it is turned 180°.
type Expected = Vec<([Option<usize>; 2], bool)>;

/// The sides a booklet of `n` pages should have, worked out here from the
/// saddle-stitch order alone: signatures of `per` pages (each folded on its own),
/// then the duplex mode's order and turning.
fn expected_sides(n: usize, per: usize, duplex: &str) -> Expected {
    let mut sheets = Vec::new();
    for first in (0..n).step_by(per) {
        for sheet in quire::print::saddle_stitch(per.min(n - first)) {
            let shift = |h: [Option<usize>; 2]| h.map(|p| p.map(|p| p + first));
            sheets.push((shift(sheet.front), shift(sheet.back)));
        }
    }
    match duplex {
        "manual" => {
            let mut v: Expected = sheets.iter().map(|s| (s.0, false)).collect();
            v.extend(sheets.iter().rev().map(|s| (s.1, false)));
            v
        }
        d => {
            sheets.iter().flat_map(|s| [(s.0, false), (s.1, d == "long-edge")]).collect()
        }
    }
}

/// Builds the sample's booklet with `args` and checks, half-sheet by half-sheet, that
/// each side holds the pamphlet pages it should (the text of each half, extracted with
/// `pdftotext -x -y -W -H`, equals the page's).
fn check_halves(args: &[&str], per: Option<usize>, duplex: &str) {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), args);
    let pamphlet = dir.path().join("lessons-of-the-paris-commune.pdf");
    let booklet = dir.path().join("lessons-of-the-paris-commune-booklet.pdf");
    qpdf_clean(&pamphlet);
    qpdf_clean(&booklet);
    let n = pages(&pamphlet);
    assert_eq!(n % 4, 0, "the pamphlet is padded to a multiple of four");
    assert_eq!(pages(&booklet), n / 2, "N/2 sides");
    // Landscape A4.
    let media = boxes(&booklet, "MediaBox:");
    assert!(
        (media[2] - 841.89).abs() < 0.1 && (media[3] - 595.28).abs() < 0.1,
        "{media:?}"
    );
    let half = media[2] / 2.0;
    for (i, (halves, turned)) in
        expected_sides(n, per.unwrap_or(n), duplex).iter().enumerate()
    {
        let side_no = i + 1;
        for (k, page) in halves.iter().enumerate() {
            // A turned side has its left page drawn on the right.
            let slot = if *turned { 1 - k } else { k };
            let got = page_text(
                &booklet,
                side_no,
                Some((slot as f64 * half, 0.0, half, media[3])),
            );
            let want = page.map(|p| page_text(&pamphlet, p, None)).unwrap_or_default();
            assert_eq!(
                got, want,
                "{args:?}: side {side_no}, half {slot} should hold page {page:?}"
            );
        }
    }
}

#[test]
fn booklet_halves_hold_the_right_pages_by_default() {
    // Short-edge duplex, backs upright, is the default.
    if tools_present() {
        check_halves(&[], None, "short-edge");
    }
}

#[test]
fn issue_12_manual_duplex_gives_every_front_then_every_back_in_reverse() {
    if tools_present() {
        check_halves(&["--duplex", "manual"], None, "manual");
    }
}

#[test]
fn issue_12_signatures_are_folded_each_on_their_own() {
    if tools_present() {
        check_halves(&["--signature", "8"], Some(8), "short-edge");
    }
}

#[test]
fn booklet_halves_hold_the_right_pages_short_edge() {
    if tools_present() {
        check_halves(&["--duplex", "short-edge"], None, "short-edge");
    }
}

#[test]
fn booklet_halves_hold_the_right_pages_long_edge() {
    if tools_present() {
        check_halves(&["--duplex", "long-edge"], None, "long-edge");
    }
}

#[test]
fn self_cover_pamphlet_pages() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), &[]);
    let p = dir.path().join("lessons-of-the-paris-commune.pdf");
    let n = pages(&p);
    // The front cover is the sample's cover image (covers/), bled to the edges.
    let o =
        Command::new("pdfimages").args(["-list", "-f", "1", "-l", "1"]).arg(&p).output();
    let list = String::from_utf8_lossy(&o.unwrap().stdout).into_owned();
    assert!(
        list.lines().any(|l| l.contains(" 1600 ") && l.contains(" 2244 ")),
        "front cover: {list}"
    );
    assert!(
        page_text(&p, 2, None).contains("preface to the Russian edition"),
        "colophon on the inside cover"
    );
    assert!(
        page_text(&p, 3, None).starts_with("Lessons of the Paris Commune"),
        "the text from page 3"
    );
    assert!(
        page_text(&p, n, None).contains("Fifty years after the Paris Commune"),
        "description on the back cover"
    );
}

#[test]
fn every_trim_preset_has_the_right_boxes() {
    if !tools_present() {
        return;
    }
    let mm = 72.0 / 25.4;
    for (trim, w, h, bleed, sheet) in [
        ("a5", 148.0 * mm, 210.0 * mm, 3.0 * mm, (297.0 * mm, 210.0 * mm)),
        ("a6", 105.0 * mm, 148.0 * mm, 3.0 * mm, (210.0 * mm, 148.0 * mm)),
        ("half-letter", 396.0, 612.0, 9.0, (792.0, 612.0)),
        ("5x8", 360.0, 576.0, 9.0, (720.0, 576.0)),
        ("6x9", 432.0, 648.0, 9.0, (864.0, 648.0)),
        ("140x216mm", 140.0 * mm, 216.0 * mm, 3.0 * mm, (280.0 * mm, 216.0 * mm)),
    ] {
        let dir = tempfile::tempdir().unwrap();
        build(dir.path(), &["--trim", trim]);
        let pdf = dir.path().join("lessons-of-the-paris-commune.pdf");
        qpdf_clean(&pdf);
        let (t, b, m) =
            (boxes(&pdf, "TrimBox:"), boxes(&pdf, "BleedBox:"), boxes(&pdf, "MediaBox:"));
        assert!(
            (t[2] - t[0] - w).abs() < 0.02 && (t[3] - t[1] - h).abs() < 0.02,
            "{trim}: trim {t:?}"
        );
        assert!(
            (t[0] - b[0] - bleed).abs() < 0.02 && (b[3] - t[3] - bleed).abs() < 0.02,
            "{trim}: bleed {b:?} {t:?}"
        );
        assert_eq!(b, m, "{trim}: no marks, MediaBox = BleedBox");
        let booklet = dir.path().join("lessons-of-the-paris-commune-booklet.pdf");
        qpdf_clean(&booklet);
        let s = boxes(&booklet, "MediaBox:");
        assert!(
            (s[2] - sheet.0).abs() < 0.1 && (s[3] - sheet.1).abs() < 0.1,
            "{trim}: sheet {s:?}"
        );
    }
}

#[test]
fn crop_marks_enlarge_the_media_box_outside_the_bleed() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), &["--crop-marks", "--bleed", "0.125in"]);
    let pdf = dir.path().join("lessons-of-the-paris-commune.pdf");
    qpdf_clean(&pdf);
    let (t, b, m) =
        (boxes(&pdf, "TrimBox:"), boxes(&pdf, "BleedBox:"), boxes(&pdf, "MediaBox:"));
    assert!((t[0] - b[0] - 9.0).abs() < 0.02);
    // Room for the marks beyond the bleed on every side.
    assert!(
        b[0] - m[0] > 15.0
            && m[2] - b[2] > 15.0
            && b[1] - m[1] > 15.0
            && m[3] - b[3] > 15.0,
        "{m:?} {b:?}"
    );
}

#[test]
fn gray_output_for_black_only_printing() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m");
    std::fs::create_dir_all(&m).unwrap();
    std::fs::copy(root().join("tests/epub/images/plate.png"), m.join("plate.png"))
        .unwrap();
    std::fs::write(m.join("g.md"), "---\ntitle: Gray\nauthor: A\nlang: en\npdf:\n  color: gray\n---\n\n![A plate](plate.png)\n\nText.\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_quire"))
        .current_dir(&m)
        .args(["build", "g.md", "--format", "pdf", "-o", "out"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pdf = std::fs::read(m.join("out/g.pdf")).unwrap();
    let has = |n: &[u8]| pdf.windows(n.len()).any(|w| w == n);
    assert!(has(b"/DeviceGray") || has(b"/CalGray") || has(b"ICCBased"), "a gray image");
    assert!(!has(b"/DeviceRGB"), "no RGB image left");
}

/// The booklet is made from the pamphlet's own PDF: each page a form XObject
/// holding the pamphlet page's content stream byte for byte (still compressed), no
/// transparency group (which print preflight reports), each font once.
#[test]
fn the_booklet_places_the_pamphlets_own_page_streams() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), &[]);
    let pamphlet = dir.path().join("lessons-of-the-paris-commune.pdf");
    let booklet = dir.path().join("lessons-of-the-paris-commune-booklet.pdf");
    let p = lopdf::Document::load(&pamphlet).unwrap();
    let b = lopdf::Document::load(&booklet).unwrap();
    let page_streams: Vec<Vec<u8>> = p
        .get_pages()
        .values()
        .map(|&id| {
            let page = p.get_dictionary(id).unwrap();
            let c = page.get(b"Contents").unwrap().as_reference().unwrap();
            p.get_object(c).unwrap().as_stream().unwrap().content.clone()
        })
        .collect();
    let forms: Vec<&lopdf::Stream> = b
        .objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .filter(|s| {
            s.dict.get(b"Subtype").and_then(|t| t.as_name()).ok() == Some(b"Form")
        })
        .collect();
    assert_eq!(forms.len(), page_streams.len(), "a form for each pamphlet page");
    for f in &forms {
        assert!(
            page_streams.contains(&f.content),
            "a form holds a page's stream as it is"
        );
        assert!(f.dict.get(b"Group").is_err(), "no transparency group");
    }
    let font_descriptors = |d: &lopdf::Document| {
        (d.objects.values())
            .filter_map(|o| o.as_dict().ok())
            .filter(|d| {
                d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"FontDescriptor")
            })
            .count()
    };
    assert_eq!(font_descriptors(&b), font_descriptors(&p), "each font once");
}
