//! The sample manuscript's text edition: the seed's words, in order, within 72
//! columns, with exactly two section-break lines, the editor's note set apart and the
//! signature flush right.

use std::path::Path;

use quire::backend::text::{self, SECTION_BREAK};
use quire::diag::Source;
use unicode_width::UnicodeWidthStr;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn sample_text(width: usize) -> String {
    let path = root().join("manuscript/lessons-of-the-paris-commune.md");
    let src = Source::new("sample.md", std::fs::read_to_string(path).unwrap());
    let (doc, diags) = quire::load(&src);
    assert!(diags.is_empty(), "the sample must build without findings: {diags:?}");
    text::render(&doc, &text::TextOptions { width })
}

fn seed() -> String {
    let p = root().join("tests/fixtures/lessons-of-the-paris-commune.seed.txt");
    std::fs::read_to_string(p).unwrap()
}

#[test]
fn sample_words_are_the_seeds_words_in_order() {
    let out = sample_text(72);
    let seed = seed();
    let seed_words: Vec<&str> = seed.split_whitespace().collect();
    let out_words: Vec<&str> = out.split_whitespace().collect();
    // The text edition opens with a title block (title, author, date); after it come
    // exactly the seed's words.
    let title_block = ["Lessons", "of", "the", "Paris", "Commune", "Leon", "Trotsky"];
    assert_eq!(&out_words[..title_block.len()], &title_block);
    let body = &out_words[out_words.len() - seed_words.len()..];
    if body != seed_words.as_slice() {
        let i = body.iter().zip(&seed_words).position(|(a, b)| a != b).unwrap();
        panic!(
            "word {i} differs: {:?} vs seed {:?}",
            &body[i..i + 5],
            &seed_words[i..i + 5]
        );
    }
    assert_eq!(
        out_words.len() - seed_words.len(),
        title_block.len() + 3,
        "only the title block and the date (3 words) come before the text"
    );
    assert_eq!(seed_words.len(), 4723);
}

#[test]
fn sample_lines_fit_72_columns() {
    let out = sample_text(72);
    for (i, l) in out.lines().enumerate() {
        assert!(l.width() <= 72, "line {} is {} columns: {l:?}", i + 1, l.width());
    }
    assert!(out.lines().count() > 300);
}

#[test]
fn sample_has_exactly_two_section_breaks() {
    let out = sample_text(72);
    let breaks: Vec<&str> = out.lines().filter(|l| l.trim() == SECTION_BREAK).collect();
    assert_eq!(breaks.len(), 2);
    // Centred on the 72-column measure.
    assert_eq!(breaks[0].len() - breaks[0].trim_start().len(), (72 - 5) / 2);
}

#[test]
fn sample_editor_note_and_signature_are_set_apart() {
    let out = sample_text(72);
    let note = out.lines().find(|l| l.contains("For our organization-wide")).unwrap();
    assert!(note.starts_with("    For our"), "editor's note indented: {note:?}");
    let last = out.lines().last().unwrap();
    assert_eq!(last.trim(), "Leon Trotsky, February 4, 1921");
    assert_eq!(last.width(), 72, "signature flush right: {last:?}");
}

#[test]
fn sample_without_wrapping_keeps_paragraphs_on_one_line() {
    let out = sample_text(0);
    let long = out.lines().filter(|l| l.width() > 72).count();
    // The seed has 40 paragraphs of prose (plus breaks, note and signature).
    assert!(long >= 35, "{long} long lines");
    let seed = seed();
    let first_para = seed.lines().nth(2).unwrap();
    assert!(out.lines().any(|l| l == first_para), "paragraph kept whole");
}
