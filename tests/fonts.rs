//! The manuscript's own fonts (`fonts: {body, headings, fallback}`, `pdf: {font-size,
//! leading}`), as a user sees them: every edition built in a house face, characters
//! of other scripts set from the fallback faces, and each bad font a located error.
//!
//! The faces come from the registries, pinned by version and SHA-256 in
//! `tools/fetch-test-data.sh` (Literata and Noto Naskh Arabic from npm, DejaVu Serif
//! and WenQuanYi Micro Hei from Debian); `.ci/run` fetches them into
//! `target/test-data/`. Without them the tests skip loudly, and fail under CI=true.

use std::collections::BTreeSet;
use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{
    ace, ace_violations, epubcheck, have, in_order, notdef_glyphs, pdffonts, pdftotext,
    quire, require_epubcheck, root, test_data, words,
};

const LITERATA: &str = "@expo-google-fonts+literata-0.4.3";
const NASKH: &str = "@expo-google-fonts+noto-naskh-arabic-0.4.5";

/// A scratch project: `manuscript/m.md`, and each `(folder, files)` copied under
/// `fonts/folder/`.
fn project(md: &str, fonts: &[(&str, Vec<PathBuf>)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("manuscript")).unwrap();
    fs::write(dir.path().join("manuscript/m.md"), md).unwrap();
    for (folder, files) in fonts {
        let to = dir.path().join("fonts").join(folder);
        fs::create_dir_all(&to).unwrap();
        for f in files {
            fs::copy(f, to.join(f.file_name().unwrap())).unwrap();
        }
    }
    dir
}

/// The `.ttf` files of a folder, in name order.
fn ttfs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ttf" || e == "ttc"))
        .collect();
    v.sort();
    v
}

/// The sample manuscript with `extra` front matter in place of its cover line.
fn sample_with(extra: &str) -> String {
    let md =
        fs::read_to_string(root().join("manuscript/lessons-of-the-paris-commune.md"))
            .unwrap();
    md.replacen("cover: ../covers/lessons-of-the-paris-commune.jpg\n", extra, 1)
}

/// The baselines of a page's lines (`pdftotext -bbox`), top to bottom.
fn baselines(pdf: &Path, page: u32) -> Vec<f64> {
    let p = page.to_string();
    let o = Command::new("pdftotext")
        .args(["-bbox", "-f", &p, "-l", &p])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    let html = String::from_utf8_lossy(&o.stdout);
    let mut ys: Vec<f64> = html
        .lines()
        .filter(|l| l.contains("<word"))
        .filter_map(|l| {
            let at = l.find("yMax=\"")? + 6;
            l[at..].split('"').next()?.parse::<f64>().ok()
        })
        .map(|y| (y * 10.0).round() / 10.0)
        .collect();
    ys.sort_by(f64::total_cmp);
    ys.dedup();
    ys
}

/// The entries of an EPUB under `EPUB/fonts/`, with their sizes.
fn epub_fonts(epub: &Path) -> Vec<(String, usize)> {
    let mut z = zip::ZipArchive::new(fs::File::open(epub).unwrap()).unwrap();
    let mut out = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        if name.starts_with("EPUB/fonts/") {
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            out.push((name, b.len()));
        }
    }
    out
}

#[test]
fn a_house_face_at_10_5_on_13_5_builds_every_edition() {
    let Some(lit) = test_data(LITERATA) else { return };
    let md = sample_with(
        "fonts:\n  body: ../fonts/Literata\npdf:\n  font-size: 10.5pt\n  leading: 13.5pt\n",
    );
    let p = project(&md, &[("Literata", ttfs(&lit))]);
    let o = quire(p.path(), &["build"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    // Literata is a quarter wider than EB Garamond: at 10.5 pt the A5 measure holds
    // about 55 characters, and a few paragraphs that nearly fit one line fewer are
    // set loose (as TeX's emergency pass would set them), and said so. Nothing else.
    let other: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("warning[") && !l.contains("warning[loose-line]"))
        .collect();
    assert!(other.is_empty(), "{other:#?}");
    let dist = p.path().join("dist");
    let (pdf, epub) = (dist.join("m.pdf"), dist.join("m.epub"));
    for f in ["m.pdf", "m-booklet.pdf", "m.epub", "m.txt"] {
        assert!(dist.join(f).is_file(), "{f} written");
    }

    // The print edition: Literata's four styles embedded and subset, set 10.5/13.5.
    if have("pdffonts") && have("pdftotext") {
        let fonts = pdffonts(&pdf);
        let lit: Vec<_> = fonts.iter().filter(|f| f.0.contains("Literata")).collect();
        assert!(lit.len() >= 2, "{fonts:?}");
        assert!(fonts.iter().all(|f| f.1 && f.2), "all embedded and subset: {fonts:?}");
        // The body face sets the text; EB Garamond at most a fleuron Literata lacks.
        assert!(
            fonts.iter().filter(|f| !f.0.contains("Literata")).count() <= 1,
            "{fonts:?}"
        );
        let ys = baselines(&pdf, 4);
        let steps: Vec<f64> = ys.windows(2).map(|w| w[1] - w[0]).collect();
        let leading = steps.iter().filter(|s| (**s - 13.5).abs() < 0.15).count();
        assert!(leading * 2 > steps.len(), "lines 13.5 pt apart: {steps:?}");
        let seed = words(
            &fs::read_to_string(
                root().join("tests/fixtures/lessons-of-the-paris-commune.seed.txt"),
            )
            .unwrap(),
        );
        let found = in_order(&seed, &words(&pdftotext(&pdf)));
        assert!(found * 1000 >= seed.len() * 995, "{found} of {} words", seed.len());
        let info = Command::new("pdfinfo").arg(&pdf).output().unwrap();
        let info = String::from_utf8_lossy(&info.stdout);
        assert!(info.contains("Title:           Lessons of the Paris Commune"), "{info}");
    }

    // The EPUB: Literata embedded, subset to at most a fifth of the whole files.
    let fonts = epub_fonts(&epub);
    assert_eq!(fonts.len(), 4, "four styles: {fonts:?}");
    let embedded: usize = fonts.iter().map(|f| f.1).sum();
    let whole: u64 = ["400Regular", "400Regular_Italic", "700Bold", "700Bold_Italic"]
        .iter()
        .map(|s| fs::metadata(lit.join(format!("Literata_{s}.ttf"))).unwrap().len())
        .sum();
    eprintln!(
        "EPUB fonts: {embedded} bytes of {whole} ({:.1} %)",
        embedded as f64 * 100.0 / whole as f64
    );
    assert!(embedded as u64 * 5 <= whole, "{embedded} of {whole}");
    let mut css = String::new();
    zip::ZipArchive::new(fs::File::open(&epub).unwrap())
        .unwrap()
        .by_name("EPUB/style.css")
        .unwrap()
        .read_to_string(&mut css)
        .unwrap();
    assert!(css.contains("body { font-family: \"Literata\", serif; }"), "{css}");
    if let Some(jar) = require_epubcheck() {
        let m = epubcheck(&jar, &epub);
        assert!(m.is_empty(), "EPUBCheck: {m:#?}");
    }
    if let Some(ace) = ace() {
        let v = ace_violations(&ace, &epub);
        assert!(v.is_empty(), "Ace: {v:#?}");
    }

    // The text edition does not depend on fonts.
    let plain = project(&sample_with(""), &[]);
    assert!(quire(plain.path(), &["build", "--format", "txt"]).status.success());
    assert_eq!(
        fs::read(dist.join("m.txt")).unwrap(),
        fs::read(plain.path().join("dist/m.txt")).unwrap()
    );
}

#[test]
fn a_fallback_chain_sets_every_character_from_a_face_that_has_it() {
    let (Some(lit), Some(naskh), Some(wqy)) =
        (test_data(LITERATA), test_data(NASKH), test_data("wqy"))
    else {
        return;
    };
    let md = "---\ntitle: Peace\nauthor: A. Writer\nlang: en\nfonts:\n  body: ../fonts/Literata\n  fallback: [../fonts/Naskh, ../fonts/WQY/wqy-microhei.ttc]\n---\n\nThe word for peace is سلام in Arabic, 和平 in Chinese and εἰρήνη in Greek.\nA hammer ☭ and a snowman ☃ are in no face, and ☭ comes back.[^1]\n\n[^1]: The note says سلام and 和平 again.\n";
    let p = project(
        md,
        &[("Literata", ttfs(&lit)), ("Naskh", ttfs(&naskh)), ("WQY", ttfs(&wqy))],
    );
    let o = quire(p.path(), &["build"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    // One warning per character no face has, at its first place.
    assert_eq!(err.matches("warning[uncovered-char]").count(), 2, "{err}");
    assert!(err.contains("m.md:11:10: warning[uncovered-char]: U+262D"), "{err}");
    assert!(err.contains("m.md:11:26: warning[uncovered-char]: U+2603"), "{err}");
    let pdf = p.path().join("dist/m.pdf");
    assert_eq!(notdef_glyphs(&pdf), 0, "no .notdef drawn");
    if have("pdffonts") && have("pdftotext") {
        let names: BTreeSet<String> = pdffonts(&pdf).into_iter().map(|f| f.0).collect();
        for face in ["Literata", "NotoNaskhArabic", "WenQuanYiMicroHei"] {
            assert!(names.iter().any(|n| n.contains(face)), "{face} in {names:?}");
        }
        let text: String = pdftotext(&pdf)
            .chars()
            .filter(|c| !matches!(c, '\u{202A}'..='\u{202E}'))
            .collect();
        for w in ["سلام", "和平", "εἰρήνη", "Arabic", "Chinese"] {
            assert!(text.contains(w), "{w} in {text}");
        }
    }
    let epub = p.path().join("dist/m.epub");
    let fonts = epub_fonts(&epub);
    assert!(fonts.iter().any(|f| f.0.contains("noto-naskh-arabic")), "{fonts:?}");
    assert!(fonts.iter().any(|f| f.0.contains("wenquanyi")), "{fonts:?}");
    if let Some(jar) = require_epubcheck() {
        let m = epubcheck(&jar, &epub);
        assert!(m.is_empty(), "EPUBCheck: {m:#?}");
    }
}

#[test]
fn a_family_missing_styles_says_what_stands_in() {
    let Some(dejavu) = test_data("dejavu-serif") else { return };
    let two = vec![dejavu.join("DejaVuSerif.ttf"), dejavu.join("DejaVuSerif-Bold.ttf")];
    let md = "---\ntitle: T\nauthor: A\nlang: en\nfonts:\n  body: ../fonts/DejaVu\n---\n\nSome *italic* and **bold** text.\n";
    let p = project(md, &[("DejaVu", two)]);
    let o = quire(p.path(), &["build", "--format", "pdf"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("m.md:6:9: warning[missing-style]: DejaVu Serif has no italic or bold italic: regular stands in for italic; bold stands in for bold italic"),
        "{err}"
    );
}

/// Builds and expects exit 1, the located error `want` on stderr and nothing written.
fn refused(p: &tempfile::TempDir, want: &str) {
    let o = quire(p.path(), &["build"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains(want), "expected `{want}` in:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!p.path().join("dist").exists(), "nothing written: {err}");
}

/// The bytes of a font with its OS/2 `fsType` set to `fs_type`.
fn with_fs_type(font: &[u8], fs_type: u16) -> Vec<u8> {
    let mut b = font.to_vec();
    let tables = u16::from_be_bytes([b[4], b[5]]) as usize;
    for t in 0..tables {
        let rec = 12 + 16 * t;
        if &b[rec..rec + 4] == b"OS/2" {
            let off =
                u32::from_be_bytes(b[rec + 8..rec + 12].try_into().unwrap()) as usize;
            b[off + 8..off + 10].copy_from_slice(&fs_type.to_be_bytes());
            return b;
        }
    }
    panic!("no OS/2 table");
}

#[test]
fn each_bad_font_is_a_located_error_and_nothing_is_written() {
    let Some(lit) = test_data(LITERATA) else { return };
    let regular = fs::read(lit.join("Literata_400Regular.ttf")).unwrap();
    let front = |fonts: &str| {
        format!("---\ntitle: T\nauthor: A\nlang: en\n{fonts}---\n\nText.\n")
    };
    let with_file = |name: &str, bytes: &[u8], fonts: &str| {
        let p = project(&front(fonts), &[]);
        fs::create_dir_all(p.path().join("fonts")).unwrap();
        fs::write(p.path().join("fonts").join(name), bytes).unwrap();
        p
    };
    // A missing file or folder.
    let p = project(&front("fonts:\n  body: ../fonts/Nowhere\n"), &[]);
    refused(&p, "m.md:6:9: error[missing-font]: font `../fonts/Nowhere` not found");
    // A folder with no fonts in it.
    let p = with_file("readme.txt", b"no fonts here", "fonts:\n  body: ../fonts\n");
    refused(&p, "m.md:6:9: error[bad-font]: the folder `../fonts` holds no font files");
    // Not a font at all.
    let p = with_file(
        "x.ttf",
        b"<html>not a font</html>",
        "fonts:\n  body: ../fonts/x.ttf\n",
    );
    refused(
        &p,
        "m.md:6:9: error[bad-font]: `../fonts/x.ttf` is not a TrueType or OpenType font file",
    );
    // Cut short, as an interrupted download leaves it.
    let p = with_file(
        "cut.ttf",
        &regular[..regular.len() / 3],
        "fonts:\n  body: ../fonts/cut.ttf\n",
    );
    refused(&p, "m.md:6:9: error[bad-font]: `../fonts/cut.ttf` is cut short");
    // Damaged inside: a table's contents overwritten.
    let mut damaged = regular.clone();
    for b in damaged.iter_mut().skip(12).take(16 * 4) {
        *b = 0xFF;
    }
    let p = with_file("bad.ttf", &damaged, "fonts:\n  fallback: [../fonts/bad.ttf]\n");
    refused(&p, "m.md:6:14: error[bad-font]: `../fonts/bad.ttf`");
    // A licence that forbids embedding.
    let p = with_file(
        "r.ttf",
        &with_fs_type(&regular, 0x0002),
        "fonts:\n  headings: ../fonts/r.ttf\n",
    );
    refused(
        &p,
        "m.md:6:13: error[bad-font]: `../fonts/r.ttf` cannot be used: its licence forbids embedding it",
    );
    // A character map pointing past the last glyph (found by the font fuzz target;
    // the EPUB's subsetter panicked on it).
    let fuzzed =
        fs::read(root().join("tests/regressions/fuzz-font-cmap-past-glyphs.ttf"));
    let p = with_file("f.ttf", &fuzzed.unwrap(), "fonts:\n  body: ../fonts/f.ttf\n");
    refused(
        &p,
        "m.md:6:9: error[bad-font]: `../fonts/f.ttf` is damaged: its character map points past its last glyph",
    );
    // A PostScript name that is not ASCII (krilla panicked writing it).
    let fuzzed = fs::read(root().join("tests/regressions/fuzz-font-postscript-name.ttf"));
    let p = with_file("g.ttf", &fuzzed.unwrap(), "fonts:\n  body: ../fonts/g.ttf\n");
    refused(
        &p,
        "m.md:6:9: error[bad-font]: `../fonts/g.ttf` is damaged: its PostScript name",
    );
    // Outside the project.
    let p = project(&front("fonts:\n  body: ../../elsewhere\n"), &[]);
    refused(&p, "m.md:6:9: error[");
    // A bad size.
    let p = project(&front("pdf:\n  font-size: 2pt\n"), &[]);
    refused(
        &p,
        "m.md:6:14: error[pdf-setting]: in the `pdf:` settings: `font-size: 2pt` is 2 pt",
    );
    // `quire check` says the same and writes nothing.
    let p = with_file("x.ttf", b"garbage", "fonts:\n  body: ../fonts/x.ttf\n");
    let o = quire(p.path(), &["check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("error[bad-font]"));
}

#[test]
fn a_collection_gives_its_first_family_and_a_folder_of_two_families_is_refused() {
    let Some(wqy) = test_data("wqy") else { return };
    let md = |path: &str| {
        format!(
            "---\ntitle: T\nauthor: A\nlang: en\nfonts:\n  fallback: {path}\n---\n\nText 和平.\n"
        )
    };
    let p = project(&md("../fonts/WQY/wqy-microhei.ttc"), &[("WQY", ttfs(&wqy))]);
    let o = quire(p.path(), &["build", "--format", "pdf"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    if have("pdffonts") {
        let names: Vec<String> =
            pdffonts(&p.path().join("dist/m.pdf")).into_iter().map(|f| f.0).collect();
        assert!(names.iter().any(|n| n.ends_with("WenQuanYiMicroHei")), "{names:?}");
    }
    let p = project(&md("../fonts/WQY"), &[("WQY", ttfs(&wqy))]);
    refused(
        &p,
        "error[bad-font]: `../fonts/WQY` holds several families (WenQuanYi Micro Hei, WenQuanYi Micro Hei Mono): name a folder with one family, or one file",
    );
}

#[test]
fn check_reports_a_measure_that_reads_badly() {
    let md = "---\ntitle: T\nauthor: A\nlang: en\npdf:\n  font-size: 7pt\n---\n\nText.\n";
    let p = project(md, &[]);
    let o = quire(p.path(), &["check"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("m.md:6:14: warning[measure]: a line of the print edition holds about 107 characters; 45–75 read best"),
        "{err}"
    );
    let fine = project(&md.replace("7pt", "11pt"), &[]);
    let o = quire(fine.path(), &["check"]);
    assert!(!String::from_utf8_lossy(&o.stderr).contains("measure"));
}
