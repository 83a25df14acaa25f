//! The world's scripts, as a user sees them: short pamphlets in Arabic, Hebrew, Hindi,
//! Simplified Chinese and Japanese, and an English one quoting Arabic
//! (`tests/scripts/*.md`, written for these tests), each built into every edition
//! with the faces of its script and read back: the PDF's text in logical order, no
//! `.notdef`, the face embedded and subset, EPUBCheck and Ace silent. A right-to-left
//! pamphlet's pages are mirrored and its booklet folds into page order.
//!
//! The faces come from Debian's `fonts-noto-core` and `fonts-wqy-microhei`, pinned by
//! SHA-256 in `tools/fetch-test-data.sh`; without them the tests skip loudly, and fail
//! under CI=true.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{
    ace, ace_violations, epubcheck, have, notdef_glyphs, page_text, pdffonts, pdftotext,
    quire, require_epubcheck, root, struct_elems, tagged, test_data, unmarked_paint,
};

/// One test manuscript: its file, the test-data font folders it names (copied to
/// `fonts/<folder>/`), the face `pdffonts` must list, and how its text is counted.
struct Case {
    file: &'static str,
    fonts: &'static [&'static str],
    face: &'static str,
    /// Chinese or Japanese: counted in characters, not words.
    cjk: bool,
    rtl: bool,
}

const CASES: &[Case] = &[
    Case {
        file: "ar.md",
        fonts: &["noto-naskh"],
        face: "NotoNaskhArabic",
        cjk: false,
        rtl: true,
    },
    Case {
        file: "he.md",
        fonts: &["noto-serif-hebrew"],
        face: "NotoSerifHebrew",
        cjk: false,
        rtl: true,
    },
    Case {
        file: "hi.md",
        fonts: &["noto-serif-devanagari"],
        face: "NotoSerifDevanagari",
        cjk: false,
        rtl: false,
    },
    Case { file: "zh.md", fonts: &["wqy"], face: "WenQuanYi", cjk: true, rtl: false },
    Case { file: "ja.md", fonts: &["wqy"], face: "WenQuanYi", cjk: true, rtl: false },
    Case {
        file: "en-ar.md",
        fonts: &["noto-naskh"],
        face: "NotoNaskhArabic",
        cjk: false,
        rtl: false,
    },
];

/// A scratch project holding the case's manuscript as `manuscript/m.md` and its
/// fonts under `fonts/`.
fn project(case: &Case) -> Option<tempfile::TempDir> {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("manuscript")).unwrap();
    fs::copy(
        root().join("tests/scripts").join(case.file),
        dir.path().join("manuscript/m.md"),
    )
    .unwrap();
    for folder in case.fonts {
        let from = test_data(folder)?;
        let to = dir.path().join("fonts").join(folder);
        fs::create_dir_all(&to).unwrap();
        for f in fs::read_dir(from).unwrap() {
            let f = f.unwrap().path();
            fs::copy(&f, to.join(f.file_name().unwrap())).unwrap();
        }
    }
    Some(dir)
}

/// A text's letters and digits, without combining marks or spaces: extraction may
/// give an Arabic or Devanagari vowel sign before or after its letter (as the
/// glyphs stand) and put a space where a mark sits, so texts are compared as the
/// run of their base characters.
fn bare(s: &str) -> String {
    s.chars()
        .filter(|c| {
            c.is_alphanumeric() && !unicode_normalization::char::is_combining_mark(*c)
        })
        .collect()
}

/// The units a text is checked in: its words, or for Chinese and Japanese its
/// characters.
fn units(s: &str, cjk: bool) -> Vec<String> {
    if cjk {
        bare(s).chars().map(String::from).collect()
    } else {
        s.split_whitespace().map(bare).filter(|w| !w.is_empty()).collect()
    }
}

/// How many of `want` occur in `got` (a text's [`bare`] characters) in order, each
/// within 400 characters of the one before (running heads, folios and a note may
/// come between).
fn found_in_order(want: &[String], got: &str) -> usize {
    let (mut at, mut found) = (0, 0);
    for w in want {
        let window = match found {
            // The first is looked for anywhere.
            0 => got.len(),
            _ => got[at..].char_indices().nth(400).map_or(got.len(), |(i, _)| at + i),
        };
        if let Some(i) = got[at..window].find(w.as_str()) {
            at += i + w.len();
            found += 1;
        }
    }
    found
}

/// The manuscript as a reader should get it back, in two parts: the body and the
/// notes (which print at the foot of their page, so between two pages of the body).
/// No front matter, no Markdown syntax; list numbers and note labels dropped.
/// A third part: in a left-to-right document, the paragraphs that read right to
/// left (their own words are checked, not their order: `pdftotext`, like every
/// extractor that reads a page as left to right, gives such a paragraph's line in
/// visual chunks — typst's PDF of the same text reads the same way).
fn body_and_notes(md: &str) -> (String, Vec<String>, String) {
    let (mut body, mut notes, mut rtl) = (String::new(), Vec::new(), String::new());
    let ltr = !md.contains("\nlang: ar\n") && !md.contains("\nlang: he\n");
    for l in md.splitn(3, "---\n").nth(2).unwrap().lines() {
        if l.starts_with('<') {
            continue; // a `<div lang>` line
        }
        let l = l.trim_start_matches(['#', '>', ' ']);
        if let Some(note) = l.strip_prefix("[^1]:").or_else(|| l.strip_prefix("[^2]:")) {
            notes.push(note.to_string());
            continue;
        }
        let l = l
            .split_once(". ")
            .filter(|(n, _)| n.parse::<u32>().is_ok())
            .map_or(l, |x| x.1);
        let to = if ltr && quire::model::lang::first_strong_rtl(l) {
            &mut rtl
        } else {
            &mut body
        };
        to.push_str(&strip_tags(&l.replace("[^1]", " ").replace("[^2]", " ")));
        to.push('\n');
    }
    (body, notes, rtl)
}

/// A line without its inline HTML tags (`<span lang="fr">`, `</span>`).
fn strip_tags(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        rest = rest[at..].split_once('>').map_or("", |(_, after)| after);
    }
    out.push_str(rest);
    out
}

#[test]
fn every_script_builds_every_edition_and_reads_back_in_logical_order() {
    let tools = have("pdftotext") && have("pdffonts");
    let jar = require_epubcheck();
    let ace = ace();
    // The cases run side by side: most of their time is EPUBCheck's and Ace's.
    std::thread::scope(|s| {
        let runs: Vec<_> = CASES
            .iter()
            .map(|case| {
                s.spawn(|| check_case(case, tools, jar.as_deref(), ace.as_deref()))
            })
            .collect();
        for r in runs {
            r.join().expect("a script case failed (see above)");
        }
    });
}

/// Builds one case into every edition and checks each (see the test above).
fn check_case(case: &Case, tools: bool, jar: Option<&Path>, ace: Option<&Path>) {
    let Some(p) = project(case) else { return };
    let o = quire(p.path(), &["build"]);
    let err = String::from_utf8_lossy(&o.stderr);
    let name = case.file;
    assert!(o.status.success(), "{name}: {err}");
    for unwanted in ["uncovered-char", "no-hyphenation", "panicked", "broken-word"] {
        assert!(!err.contains(unwanted), "{name}: {unwanted} in\n{err}");
    }
    let dist = p.path().join("dist");
    for f in ["m.pdf", "m-booklet.pdf", "m.epub", "m.txt"] {
        assert!(dist.join(f).is_file(), "{name}: {f} missing");
    }
    let md = fs::read_to_string(root().join("tests/scripts").join(name)).unwrap();
    let (body, notes, rtl) = body_and_notes(&md);
    let rtl_words = units(&rtl, case.cjk);
    let rtl_found =
        |text: &str| rtl_words.iter().filter(|w| text.contains(w.as_str())).count();
    let want = units(&body, case.cjk);
    // A note is looked for whole: its text in one piece.
    let notes_found = |text: &str| -> usize {
        let found = notes.iter().filter(|n| text.contains(&bare(n)));
        found.map(|n| units(n, case.cjk).len()).sum()
    };
    let all = want.len()
        + notes.iter().map(|n| units(n, case.cjk).len()).sum::<usize>()
        + rtl_words.len();
    assert!(want.len() > if case.cjk { 250 } else { 100 }, "{name}: {}", want.len());
    // The text edition: every word, in logical order.
    let txt = bare(&fs::read_to_string(dist.join("m.txt")).unwrap());
    assert_eq!(found_in_order(&want, &txt), want.len(), "{name}: text edition");
    assert_eq!(notes_found(&txt) + rtl_found(&txt), all - want.len(), "{name}: notes");
    if tools {
        let pdf = dist.join("m.pdf");
        let text = bare(&pdftotext(&pdf));
        let found = found_in_order(&want, &text) + notes_found(&text) + rtl_found(&text);
        let share = found as f64 / all as f64;
        eprintln!("{name}: {found} of {all} read back in order ({:.1} %)", share * 100.0);
        assert!(share >= 0.99, "{name}: only {found} of {all} in order");
        assert_eq!(notdef_glyphs(&pdf), 0, "{name}: .notdef in the PDF");
        if case.cjk {
            // Justified between characters, compressed punctuation included: no
            // printed line runs past the measure (A5: 419.53 pt less 17 and 28 mm).
            let measure = 419.53 - (17.0 + 28.0) * 72.0 / 25.4;
            for (page, w) in line_widths(&pdf) {
                assert!(w <= measure + 0.5, "{name}: page {page}: a line {w:.1} pt wide");
            }
        }
        // Tagged, accessible and archival in every script; all drawing tagged or
        // an artifact.
        assert!(
            err.contains("m.pdf") && err.contains("PDF/UA-1 + PDF/A-2a"),
            "{name}: {err}"
        );
        assert!(tagged(&pdf), "{name}: not tagged");
        let (unmarked, _) = unmarked_paint(&pdf);
        assert!(
            unmarked.is_empty(),
            "{name}: drawn outside marked content: {unmarked:?}"
        );
        // Right-to-left text is drawn in visual order; the structure reads it in
        // logical order (each line's /ActualText): every word, in order.
        if case.rtl || name == "en-ar.md" {
            let read: String =
                struct_elems(&pdf).into_iter().filter_map(|e| e.actual).collect();
            let read = bare(&read);
            if case.rtl {
                let found = found_in_order(&want, &read);
                assert!(
                    found * 100 >= want.len() * 99,
                    "{name}: {found} of {} read",
                    want.len()
                );
            } else {
                assert_eq!(
                    rtl_found(&read),
                    rtl_words.len(),
                    "{name}: the Arabic read in order"
                );
            }
        }
        let fonts = pdffonts(&pdf);
        assert!(
            fonts.iter().any(|(f, emb, sub)| f.contains(case.face) && *emb && *sub),
            "{name}: {} not embedded and subset: {fonts:?}",
            case.face
        );
    }
    let epub = dist.join("m.epub");
    let opf = unzip(&epub, "EPUB/package.opf");
    assert_eq!(
        opf.contains("page-progression-direction=\"rtl\""),
        case.rtl,
        "{name}: spine direction"
    );
    if name == "en-ar.md" {
        // The `<div lang="ar">` passage and the `<span lang>` phrases: their
        // quotes, and their language (and direction) in the EPUB.
        let text = fs::read_to_string(dist.join("m.txt")).unwrap();
        assert!(text.contains("«عاشت الكومونة»"), "{text}");
        // `<span lang>` phrases: French quotes and spaces, Arabic guillemets.
        assert!(text.contains("«\u{202F}Vive la Commune\u{202F}!\u{202F}»"), "{text}");
        assert!(text.contains("«عاشت الكومونة»."), "{text}");
        let pages = unzip(&epub, "EPUB/*.xhtml");
        assert!(
            pages.contains("<span lang=\"fr\" xml:lang=\"fr\">«"),
            "no French phrase"
        );
        assert!(
            pages.contains(
                "<div class=\"passage\" lang=\"ar\" xml:lang=\"ar\" dir=\"rtl\">"
            ),
            "no Arabic passage in the EPUB"
        );
    }
    if let Some(jar) = jar {
        let msgs = epubcheck(jar, &epub);
        assert!(msgs.is_empty(), "{name}: EPUBCheck: {msgs:#?}");
    }
    if let Some(ace) = ace {
        let v = ace_violations(ace, &epub);
        assert!(v.is_empty(), "{name}: Ace: {v:#?}");
    }
}

/// A file of a zip archive, as text.
fn unzip(zip: &Path, name: &str) -> String {
    let o = Command::new("unzip").arg("-p").arg(zip).arg(name).output().unwrap();
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The width of every text line `pdftotext -bbox-layout` finds, with its page.
fn line_widths(pdf: &Path) -> Vec<(usize, f64)> {
    let o =
        Command::new("pdftotext").arg("-bbox-layout").arg(pdf).arg("-").output().unwrap();
    let html = String::from_utf8_lossy(&o.stdout);
    let num = |l: &str, key: &str| -> Option<f64> {
        let at = l.find(key)? + key.len();
        l[at..].split('"').next()?.parse().ok()
    };
    let mut page = 0;
    let mut out = Vec::new();
    for l in html.lines() {
        if l.contains("<page") {
            page += 1;
        }
        if l.trim_start().starts_with("<line")
            && let (Some(a), Some(b)) = (num(l, "xMin=\""), num(l, "xMax=\""))
        {
            out.push((page, b - a));
        }
    }
    out
}

/// Where a page's text lies across the page: the smallest and largest x of its words
/// (`pdftotext -bbox`), in points.
fn text_extent(pdf: &Path, page: usize) -> (f64, f64) {
    let o = Command::new("pdftotext")
        .args(["-bbox", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    let html = String::from_utf8_lossy(&o.stdout);
    let num = |l: &str, key: &str| -> Option<f64> {
        let at = l.find(key)? + key.len();
        l[at..].split('"').next()?.parse().ok()
    };
    let (mut lo, mut hi) = (f64::MAX, f64::MIN);
    for l in html.lines().filter(|l| l.contains("<word")) {
        if let (Some(a), Some(b)) = (num(l, "xMin=\""), num(l, "xMax=\"")) {
            lo = lo.min(a);
            hi = hi.max(b);
        }
    }
    (lo, hi)
}

#[test]
fn a_right_to_left_pamphlet_is_mirrored_and_its_booklet_folds_into_page_order() {
    if !have("pdftotext") {
        return;
    }
    let Some(p) = project(&CASES[0]) else { return };
    let o = quire(p.path(), &["build"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pdf = p.path().join("dist/m.pdf");
    let booklet = p.path().join("dist/m-booklet.pdf");
    // Viewers are told to show facing pages right to left.
    if have("qpdf") {
        let qdf = p.path().join("qdf.pdf");
        Command::new("qpdf")
            .args(["--qdf", "--object-streams=disable"])
            .arg(&pdf)
            .arg(&qdf)
            .status()
            .unwrap();
        let raw = String::from_utf8_lossy(&fs::read(&qdf).unwrap()).into_owned();
        assert!(raw.contains("/Direction /R2L"), "no /Direction /R2L in the PDF");
    }
    // Mirrored margins: bound on the right, an odd page is a left-hand page with the
    // spine (the narrow inner margin) on its right, an even page the other way.
    let width = 419.53;
    let info = Command::new("pdfinfo").arg(&pdf).output().unwrap();
    let n: usize = String::from_utf8_lossy(&info.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap();
    let mut seen = (false, false);
    for page in 3..=n {
        if page_text(&pdf, page, None).len() < 200 {
            continue;
        }
        let (lo, hi) = text_extent(&pdf, page);
        let (left, right) = (lo, width - hi);
        if page % 2 == 1 {
            assert!(right < left, "page {page}: margins {left:.0} | {right:.0}");
            seen.0 = true;
        } else {
            assert!(left < right, "page {page}: margins {left:.0} | {right:.0}");
            seen.1 = true;
        }
    }
    assert!(seen.0, "an odd page of text was checked");
    // The booklet, half-sheet by half-sheet: each half holds a pamphlet page, and
    // folded they read in order. For a pamphlet of N pages (a multiple of four),
    // sheet s (outermost first) has the pages 2s+1 and N-2s on its front and
    // 2s+2 and N-2s-1 on its back; bound on the right, page 1 is on the front's
    // left half (the front cover, with the fold on its right), and the page behind
    // it (2) on the back's right half.
    let pages: Vec<String> = (1..=n).map(|k| page_text(&pdf, k, None)).collect();
    let total = n.div_ceil(4) * 4;
    let (sheet_w, sheet_h) = (841.89, 595.28);
    let half = |side: usize, h: usize| {
        page_text(
            &booklet,
            side,
            Some((h as f64 * sheet_w / 2.0, 0.0, sheet_w / 2.0, sheet_h)),
        )
    };
    let page_of = |text: &str| -> Option<usize> {
        (!text.is_empty()).then(|| pages.iter().position(|p| p == text).map(|i| i + 1))?
    };
    for s in 0..total / 4 {
        let front = [half(2 * s + 1, 0), half(2 * s + 1, 1)];
        let back = [half(2 * s + 2, 0), half(2 * s + 2, 1)];
        let want_front = [Some(2 * s + 1), Some(total - 2 * s)];
        let want_back = [Some(total - 2 * s - 1), Some(2 * s + 2)];
        let real = |p: Option<usize>| p.filter(|&p| p <= n && !pages[p - 1].is_empty());
        for (got, want) in front.iter().zip(want_front).chain(back.iter().zip(want_back))
        {
            assert_eq!(page_of(got), real(want), "sheet {s}: {got:?}");
        }
    }
}

/// The faces of a test-data folder as a layout's body face (a collection gives its
/// first family, as `fonts: {body: file.ttc}` does).
fn body_fonts(folder: &str) -> Option<quire::layout::Fonts> {
    use quire::typeface::{self, Role, Typefaces};
    let dir = test_data(folder)?;
    let mut paths: Vec<PathBuf> =
        fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    let mut files = Vec::new();
    for p in
        paths.iter().filter(|p| p.extension().is_some_and(|e| e == "ttf" || e == "ttc"))
    {
        let bytes = typeface::keep(fs::read(p).unwrap());
        files.extend(typeface::read_file(&p.display().to_string(), bytes).unwrap());
    }
    let first = files[0].family.clone();
    files.retain(|f| f.family == first);
    let mut tf = Typefaces::default();
    tf.set(Role::Body, typeface::family(folder, files).unwrap());
    Some(quire::layout::Fonts::with(&tf).unwrap())
}

/// Golden page dumps of a paragraph in each script (`tests/golden_scripts/*.md`,
/// laid out on A5 in the script's face): an Arabic paragraph with numbers and Latin
/// words, a Japanese one full of punctuation that may not start or end a line, a
/// Hebrew note. `UPDATE_GOLDEN=1` rewrites them; review the diff.
#[test]
fn golden_script_paragraphs() {
    let dir = root().join("tests/golden_scripts");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let cases = [
        ("ar-number-latin", "noto-naskh"),
        ("ja-prohibitions", "wqy"),
        ("he-note", "noto-serif-hebrew"),
    ];
    for (case, folder) in cases {
        let Some(fonts) = body_fonts(folder) else { return };
        let md = fs::read_to_string(dir.join(format!("{case}.md"))).unwrap();
        let src = quire::diag::Source::new("c.md", md);
        let (doc, mut diags) = quire::load(&src);
        let l = quire::layout::layout(
            &doc,
            &fonts,
            &quire::layout::LayoutOptions::a5(),
            &mut diags,
        );
        assert!(l.audit.is_empty(), "{case}: {:?}", l.audit);
        check_line_edges(case, &l);
        let actual = quire::layout::dump::dump(&l);
        let golden = dir.join(format!("{case}.layout"));
        match fs::read_to_string(&golden) {
            Ok(expected) if expected == actual => {}
            _ if update => fs::write(&golden, &actual).unwrap(),
            Ok(expected) => panic!(
                "{}: differs (UPDATE_GOLDEN=1 rewrites it)\nexpected:\n{expected}\nactual:\n{actual}",
                golden.display()
            ),
            Err(_) => panic!("{}: missing (UPDATE_GOLDEN=1 writes it)", golden.display()),
        }
    }
}

/// No glyph is a .notdef, and no set line starts with a character Japanese and Chinese forbid at a line's start
/// (closing brackets and quotes, 、。，．！？, small kana, the prolonged sound mark),
/// and none ends with an opening bracket or quote (JIS X 4051 §4, W3C JLREQ §3.1.7).
fn check_line_edges(case: &str, l: &quire::layout::Layout) {
    const NO_START: &str =
        "、。，．！？」』）】〉》ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶー・：；";
    const NO_END: &str = "「『（【〈《";
    let mut lines = 0;
    for page in &l.pages {
        for pl in &page.lines {
            let text: String =
                pl.line.runs.iter().map(|r| r.frag.text.as_str()).collect();
            // Every glyph drawn from a face that has it (a .notdef would be dropped
            // from the PDF, leaving a hole where a note mark or letter should be).
            assert!(
                pl.line.runs.iter().all(|r| r.frag.glyphs.iter().all(|g| g.id != 0)),
                "{case}: a .notdef glyph in: {text}"
            );
            let (Some(first), Some(last)) = (text.chars().next(), text.chars().last())
            else {
                continue;
            };
            assert!(
                !NO_START.contains(first),
                "{case}: a line starts with {first}: {text}"
            );
            assert!(!NO_END.contains(last), "{case}: a line ends with {last}: {text}");
            lines += 1;
        }
    }
    assert!(lines > 0, "{case}: no lines");
}
