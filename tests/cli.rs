//! The command line as users and CI see it: exit codes, located diagnostics on
//! stderr, files written whole or not at all.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn quire(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("quire").unwrap();
    c.current_dir(dir);
    c
}

/// A scratch project holding `manuscript/NAME.md` for each `(name, bytes)`.
fn project(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("manuscript")).unwrap();
    for (name, bytes) in files {
        fs::write(dir.path().join("manuscript").join(format!("{name}.md")), bytes)
            .unwrap();
    }
    dir
}

fn golden_case(rel: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(rel);
    fs::read(p).unwrap()
}

const GOOD: &[u8] = b"---\ntitle: Good\n---\n\nA \"quoted\" word.[^1]\n\n[^1]: A note.\n";

#[test]
fn build_writes_the_text_edition_to_dist() {
    let p = project(&[("good", GOOD)]);
    let out = quire(p.path()).arg("build").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let txt = fs::read_to_string(p.path().join("dist/good.txt")).unwrap();
    assert!(txt.contains("A “quoted” word.[1]"), "{txt}");
    assert!(txt.contains("[1] A note."), "{txt}");
    // Nothing but the editions is left in dist/ (no temporary files).
    let mut names: Vec<_> = fs::read_dir(p.path().join("dist"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names, ["good-booklet.pdf", "good.epub", "good.pdf", "good.txt"]);
}

#[test]
fn build_takes_paths_and_an_output_folder() {
    let p = project(&[("good", GOOD)]);
    quire(p.path())
        .args(["build", "manuscript/good.md", "-o", "out", "--format", "txt"])
        .assert()
        .success();
    assert!(p.path().join("out/good.txt").is_file());
    assert!(!p.path().join("dist").exists());
}

#[test]
fn each_bad_input_gives_a_located_error_exit_1_and_writes_nothing() {
    let cases: &[(&str, &str, &str)] = &[
        ("undefined-note", "diag/undefined-note.md", ":5:31: error[undefined-note]: "),
        ("unused-note", "diag/unused-note.md", ":7:1: warning[unused-note]: "),
        ("duplicate-note", "diag/duplicate-note.md", ":8:1: error[duplicate-note]: "),
        ("malformed", "diag/malformed-front-matter.md", ":3:9: error[front-matter]: "),
        ("missing-title", "diag/missing-title.md", ":1:1: error[missing-title]: "),
        ("not-utf8", "diag/not-utf8.md", ":6:5: error[not-utf8]: "),
        ("empty", "diag/empty.md", ":1:1: error[empty-manuscript]: "),
    ];
    for (name, rel, expected) in cases {
        let p = project(&[(name, &golden_case(rel))]);
        // An earlier edition of the same name must survive a failed build.
        fs::create_dir(p.path().join("dist")).unwrap();
        let old = p.path().join(format!("dist/{name}.txt"));
        fs::write(&old, "OLD EDITION\n").unwrap();
        let out = quire(p.path()).arg("build").output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let headline = format!("manuscript/{name}.md{expected}");
        assert!(err.contains(&headline), "{name}: expected {headline:?} in:\n{err}");
        let is_warning = expected.contains("warning");
        if is_warning {
            assert_eq!(out.status.code(), Some(0), "{name}: warnings do not fail: {err}");
            assert_ne!(fs::read_to_string(&old).unwrap(), "OLD EDITION\n");
            continue;
        }
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        // The source line follows the headline.
        let after = err.split(&headline).nth(1).unwrap();
        assert!(after.lines().nth(1).is_some_and(|l| l.contains(" | ")), "{name}: {err}");
        assert_eq!(
            fs::read_to_string(&old).unwrap(),
            "OLD EDITION\n",
            "{name}: old output touched"
        );
        let names: Vec<_> = fs::read_dir(p.path().join("dist"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{name}: stray files {names:?}");
    }
}

#[test]
fn a_bad_manuscript_does_not_stop_the_good_ones() {
    let p =
        project(&[("a-good", GOOD), ("b-bad", b"---\ntitle: T\n---\n\nx[^missing]\n")]);
    let out = quire(p.path()).arg("build").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(p.path().join("dist/a-good.txt").is_file());
    assert!(!p.path().join("dist/b-bad.txt").exists());
}

#[test]
fn usage_and_io_errors_exit_2() {
    let p = project(&[("good", GOOD)]);
    let out = quire(p.path())
        .args(["build", "--format", "pdf", "--trim", "a7"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a trim size"));
    assert!(!p.path().join("dist").exists());

    quire(p.path()).args(["build", "nowhere.md"]).assert().code(2);
    quire(p.path()).args(["build", "--format", "docx"]).assert().code(2);
    quire(p.path()).args(["frobnicate"]).assert().code(2);
    let empty = tempfile::tempdir().unwrap();
    fs::create_dir(empty.path().join("manuscript")).unwrap();
    quire(empty.path()).arg("build").assert().code(2);
}

#[test]
fn text_width_flag_overrides_front_matter() {
    let long = "word ".repeat(60);
    let md = format!("---\ntitle: W\ntext:\n  width: 30\n---\n\n{long}\n");
    let p = project(&[("w", md.as_bytes())]);
    quire(p.path()).arg("build").assert().success();
    let t = fs::read_to_string(p.path().join("dist/w.txt")).unwrap();
    assert!(t.lines().all(|l| l.chars().count() <= 30) && t.lines().count() > 8, "{t}");
    quire(p.path()).args(["build", "--text-width", "0"]).assert().success();
    let t = fs::read_to_string(p.path().join("dist/w.txt")).unwrap();
    assert!(t.lines().any(|l| l.trim() == long.trim()), "{t}");
}

#[test]
fn check_writes_nothing_and_reports_json() {
    let bad = b"---\ntitle: T\nauthor: A\nlang: en\ncolour: red\n---\n\nx[^missing]\n";
    let p = project(&[("bad", bad)]);
    let out =
        quire(p.path()).args(["check", "--message-format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!p.path().join("dist").exists());
    let err = String::from_utf8(out.stderr).unwrap();
    let objs: Vec<serde_json::Value> =
        err.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(objs.len(), 2, "{err}");
    assert_eq!(objs[0]["code"], "unknown-key");
    assert_eq!(objs[0]["severity"], "warning");
    assert_eq!(objs[0]["line"], 5);
    assert_eq!(objs[1]["code"], "undefined-note");
    assert_eq!(objs[1]["line"], 8);
    assert_eq!(objs[1]["column"], 2);
    assert_eq!(objs[1]["file"], "manuscript/bad.md");

    let p = project(&[("good", GOOD)]);
    quire(p.path()).arg("check").assert().success();
    let warn = b"---\ntitle: T\ncolour: red\n---\n\nText.\n";
    let p = project(&[("warn", warn)]);
    quire(p.path()).arg("check").assert().success();
    quire(p.path()).args(["check", "--deny-warnings"]).assert().code(1);
}

#[test]
fn allowed_warnings_are_silenced() {
    let md =
        b"---\ntitle: T\nauthor: A\nlang: en\ncolour: red\ncheck:\n  allow: [unknown-key]\n---\n\nText.\n";
    let p = project(&[("quiet", md)]);
    let out = quire(p.path()).args(["check", "--deny-warnings"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty());
}

#[test]
fn check_runs_the_lints_and_flags_a_small_cover() {
    let md = b"---\ntitle: T\nauthor: A\nlang: en\ncover: small.png\n---\n\nIt was the the end.\n";
    let p = project(&[("lint", md)]);
    let png = fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/epub/images/cover.png"),
    )
    .unwrap();
    fs::write(p.path().join("manuscript/small.png"), png).unwrap();
    let out =
        quire(p.path()).args(["check", "--message-format", "json"]).output().unwrap();
    assert!(out.status.success(), "warnings only");
    let err = String::from_utf8(out.stderr).unwrap();
    let codes: Vec<String> = err
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["code"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(codes, ["small-cover", "repeated-word"], "{err}");
    // `build` validates but does not lint.
    let out = quire(p.path()).args(["build", "--format", "txt"]).output().unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("repeated-word"));
    quire(p.path()).args(["check", "--deny-warnings"]).assert().code(1);
}

#[test]
fn check_on_the_sample_reports_nothing() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = quire(&root).args(["check", "--deny-warnings"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_cover_in_the_projects_covers_folder_is_found() {
    let md =
        b"---\ntitle: T\nauthor: A\nlang: en\ncover: ../covers/front.png\n---\n\nText.\n";
    let p = project(&[("c", md)]);
    fs::create_dir(p.path().join("covers")).unwrap();
    let png = fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/epub/images/cover.png"),
    )
    .unwrap();
    fs::write(p.path().join("covers/front.png"), png).unwrap();
    let out = quire(p.path()).args(["build", "--format", "epub"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(p.path().join("dist/c.epub").is_file());
}

#[test]
fn new_makes_a_project_that_builds_without_warnings() {
    let dir = tempfile::tempdir().unwrap();
    quire(dir.path()).args(["new", "my-pamphlet"]).assert().success();
    let proj = dir.path().join("my-pamphlet");
    for f in [
        "manuscript/my-pamphlet.md",
        "manuscript/images/figure.png",
        "covers/README.md",
        "fonts/README.md",
        ".gitignore",
        ".github/workflows/editions.yml",
    ] {
        assert!(proj.join(f).is_file(), "{f}");
    }
    let out = quire(&proj).arg("build").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("warning"), "{err}");
    assert!(proj.join("dist/my-pamphlet.epub").is_file());
    assert!(proj.join("dist/my-pamphlet.txt").is_file());
    let out = quire(&proj).args(["check", "--deny-warnings"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // An existing, non-empty folder is never overwritten.
    quire(dir.path()).args(["new", "my-pamphlet"]).assert().code(2);
}

/// Waits up to 30 s for a watched build to write `what` into `out`.
fn written(out: &std::path::Path, what: &str) -> bool {
    use std::time::{Duration, Instant};
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(30) {
        if fs::read_to_string(out).is_ok_and(|t| t.contains(what)) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

/// `quire watch --format txt` started in a project, its messages kept.
fn watch_txt(dir: &Path) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_quire"))
        .current_dir(dir)
        .args(["watch", "--format", "txt"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn watch_rebuilds_after_a_save() {
    use std::time::Duration;
    let p = project(&[("w", b"---\ntitle: W\n---\n\nFirst version.\n")]);
    let mut child = watch_txt(p.path());
    let out = p.path().join("dist/w.txt");
    let wait_for = |what: &str| written(&out, what);
    let first = wait_for("First version.");
    // Give the watcher a moment to start before saving.
    std::thread::sleep(Duration::from_millis(500));
    fs::write(
        p.path().join("manuscript/w.md"),
        "---\ntitle: W\n---\n\nSecond version.\n",
    )
    .unwrap();
    let second = wait_for("Second version.");
    // A save with an error is reported and watching goes on.
    fs::write(p.path().join("manuscript/w.md"), "---\ntitle: W\n---\n\nBroken[^x].\n")
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    fs::write(p.path().join("manuscript/w.md"), "---\ntitle: W\n---\n\nThird version.\n")
        .unwrap();
    let third = wait_for("Third version.");
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        first && second && third,
        "first {first}, second {second}, third {third}:\n{err}"
    );
    assert!(err.contains("changed; rebuilding"), "{err}");
    assert!(err.contains("error[undefined-note]"), "{err}");
}

#[test]
fn watch_follows_a_books_chapter_files_outside_the_watched_folder() {
    use std::time::Duration;
    let p = project(&[(
        "b",
        b"---\ntitle: B\nchapters: [../parts/one.md]\n---\n\nOpening.\n",
    )]);
    fs::create_dir(p.path().join("parts")).unwrap();
    fs::write(p.path().join("parts/one.md"), "# One\n\nFirst chapter text.\n").unwrap();
    let mut child = watch_txt(p.path());
    let out = p.path().join("dist/b.txt");
    let wait_for = |what: &str| written(&out, what);
    let first = wait_for("First chapter text.");
    std::thread::sleep(Duration::from_millis(500));
    fs::write(p.path().join("parts/one.md"), "# One\n\nSecond chapter text.\n").unwrap();
    let second = wait_for("Second chapter text.");
    child.kill().unwrap();
    let err =
        String::from_utf8_lossy(&child.wait_with_output().unwrap().stderr).into_owned();
    assert!(first && second, "first {first}, second {second}:\n{err}");
    assert!(err.contains("parts/one.md changed; rebuilding"), "{err}");
}

#[test]
fn an_oversized_manuscript_is_refused_with_a_diagnostic() {
    let p = project(&[]);
    let big = vec![b'a'; (16 << 20) + 1];
    fs::write(p.path().join("manuscript/big.md"), big).unwrap();
    let out = quire(p.path()).arg("build").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("manuscript/big.md:1:1: error[too-large]"), "{err}");
    assert!(!p.path().join("dist").exists());
}

#[test]
fn layout_findings_are_reported_against_the_manuscript_with_their_page() {
    let long = "x".repeat(220);
    let md = format!(
        "---\ntitle: T\nauthor: A\nlang: en\n---\n\nA paragraph.\n\nSee https://example.org/{long} for more.\n"
    );
    let p = project(&[("f", md.as_bytes())]);
    let out = quire(p.path()).args(["build", "--format", "pdf"]).output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    // Once, at the word's start (col 5), with the page and the line of the page.
    assert!(err.contains("manuscript/f.md:9:5: warning[broken-word]"), "{err}");
    assert_eq!(err.matches("warning[broken-word]").count(), 1, "{err}");
    assert!(
        err.contains("(page 3, line"),
        "the text starts on page 3 of a self-cover pamphlet: {err}"
    );
    // Its pieces are letter-spaced to the measure like any justified line.
    assert!(!err.contains("loose-line"), "{err}");
}

#[test]
fn github_annotations_for_ci() {
    let p = project(&[(
        "g",
        b"---\ntitle: G\n---\n\nText.[^x]\n\n[^x]: A note.\n[^y]: Unused.\n",
    )]);
    let out =
        quire(p.path()).args(["check", "--message-format", "github"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let line =
        err.lines().find(|l| l.contains("title=unused-note")).unwrap_or_else(|| {
            panic!("no annotation:\n{err}");
        });
    assert!(
        line.starts_with("::warning file=manuscript/g.md,line=8,col=1,")
            && line.contains("title=unused-note::"),
        "{line}"
    );
}

#[test]
fn issue_12_one_save_gives_one_rebuild_and_an_idle_watch_stays_idle() {
    use std::time::Duration;
    let p = project(&[("w", b"---\ntitle: W\n---\n\nFirst version.\n")]);
    let mut child = watch_txt(p.path());
    // The first build, then quiet: a rebuild reads the manuscript, which must not
    // count as a change.
    std::thread::sleep(Duration::from_millis(2500));
    fs::write(p.path().join("manuscript/w.md"), "---\ntitle: W\n---\n\nSecond.\n")
        .unwrap();
    std::thread::sleep(Duration::from_millis(3000));
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(err.matches("changed; rebuilding").count(), 1, "{err}");
    assert_eq!(
        err.matches("rebuilt in").count(),
        2,
        "the first build and one more: {err}"
    );
}

#[test]
fn issue_13_a_character_no_font_has_is_a_gap_and_the_pdf_stays_pdf_a() {
    // No font quire ships has ※: it was once drawn as .notdef, which PDF/A forbids
    // (and the file fell back to plain PDF); now it is a gap, reported once.
    let p = project(&[(
        "r",
        "---\ntitle: R\nauthor: A\nlang: en\n---\n\nA mark ※ here, and ※ again.\n"
            .as_bytes(),
    )]);
    let out = quire(p.path()).args(["build", "--format", "pdf"]).output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("warning[uncovered-char]").count(), 1, "{err}");
    assert!(err.contains("r.md:7:8: warning[uncovered-char]: U+203B"), "{err}");
    assert!(!err.contains("not-pdfa"), "{err}");
    let pdf = std::fs::read(p.path().join("dist/r.pdf")).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    assert!(
        text.contains("pdfaid:part>2<") || text.contains("pdfaid:part=\"2\""),
        "PDF/A-2 metadata"
    );
}

/// Every edition is the same byte for byte whether built on one thread or on
/// several: the editions of one manuscript are made on different cores at once, and
/// nothing in them may depend on which finished first.
#[test]
fn one_thread_or_many_build_the_same_bytes() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    // The sample (with its cover image) and a book with chapters, notes and a drawn
    // cover.
    let book = tmp.path().join("book.md");
    fs::write(
        &book,
        "---\ntitle: A Book\nauthor: A. Writer\nlang: en\n---\n\n# One\n\nText.[^1]\n\n[^1]: A note.\n\n# Two\n\nMore text.\n",
    )
    .unwrap();
    let build = |threads: &str, out: &Path| {
        quire(&root)
            .env("RAYON_NUM_THREADS", threads)
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .args(["build", "manuscript"])
            .arg(&book)
            .arg("-o")
            .arg(out)
            .assert()
            .success();
    };
    let (one, many) = (tmp.path().join("one"), tmp.path().join("many"));
    build("1", &one);
    build("4", &many);
    let mut names: Vec<_> =
        fs::read_dir(&one).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names.len(), 8, "{names:?}");
    for n in names {
        let (a, b) = (fs::read(one.join(&n)).unwrap(), fs::read(many.join(&n)).unwrap());
        assert!(a == b, "{n:?} differs between one thread and four");
    }
}

/// A folder of many manuscripts builds them all, each once, and holds only a few
/// at a time: builds never nest inside one another (which once overflowed the
/// stack at a hundred pamphlets: a thread waiting for its PDF's pages to be
/// compressed took up another manuscript's build meanwhile).
#[test]
fn a_folder_of_many_pamphlets_builds_every_one() {
    let files: Vec<(String, Vec<u8>)> = (0..100)
        .map(|k| {
            let para =
                format!("A paragraph of pamphlet {k}, long enough for a line or two. ");
            let text = format!("---\ntitle: Pamphlet {k}\n---\n\n{}\n", para.repeat(3));
            (format!("p{k:03}"), text.into_bytes())
        })
        .collect();
    let refs: Vec<(&str, &[u8])> =
        files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let p = project(&refs);
    // The print editions and the text: the e-book's drawn cover would cost the
    // debug suite 20 s here, and is not what nested.
    let out =
        quire(p.path()).args(["build", "--format", "pdf,booklet,txt"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let written = fs::read_dir(p.path().join("dist")).unwrap().count();
    assert_eq!(written, 300);
    // One summary line each, in the folder's order.
    let err = String::from_utf8_lossy(&out.stderr);
    let order: Vec<&str> =
        err.lines().filter_map(|l| l.strip_prefix("quire: manuscript/")).collect();
    assert_eq!(order.len(), 100, "{err}");
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{err}");
}
