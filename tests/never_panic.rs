//! Properties over generated manuscripts: the pipeline never panics, answers with a
//! document or diagnostics, and its passes are idempotent.

use proptest::prelude::*;
use quire::backend::text;
use quire::diag::Source;
use quire::model;

/// Markdown-flavoured fragments, so that generated input reaches deep into the
/// parser and the passes rather than being one long paragraph.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Zéà’ ]{0,30}".prop_map(String::from),
        Just("\n\n".to_string()),
        Just("\n".to_string()),
        Just("# ".to_string()),
        Just("## ".to_string()),
        Just("> ".to_string()),
        Just("- ".to_string()),
        Just("1. ".to_string()),
        Just("* * *\n".to_string()),
        Just("[^a]".to_string()),
        Just("[^b]: note ".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("--".to_string()),
        Just("...".to_string()),
        Just("*".to_string()),
        Just("`".to_string()),
        Just("```\n".to_string()),
        Just("| a | b |\n|---|---|\n".to_string()),
        Just("<div class=\"verse\">\n\n".to_string()),
        Just("<div class=\"signature\">\n\n".to_string()),
        Just("</div>\n".to_string()),
        Just("<script>x</script>".to_string()),
        Just("![alt](x.png)".to_string()),
        Just("[link](http://a--b.example)".to_string()),
        Just("\\\n".to_string()),
        Just("«".to_string()),
        Just(" ?".to_string()),
    ]
}

fn manuscript() -> impl Strategy<Value = String> {
    let front = prop_oneof![
        Just(String::new()),
        Just("---\ntitle: T\n---\n".to_string()),
        Just("---\ntitle: T\nlang: fr\n---\n".to_string()),
        Just("---\ntitle: T\nlang: ru\n---\n".to_string()),
        Just("---\ntitle: [\n---\n".to_string()),
        "---\n[a-z: \\[\\]\n]{0,40}\n---\n".prop_map(String::from),
    ];
    (front, prop::collection::vec(fragment(), 0..40)).prop_map(|(f, v)| f + &v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_utf8_manuscript_gives_a_document_or_diagnostics(s in manuscript()) {
        let src = Source::new("p.md", s.clone());
        let (doc, diags) = quire::load(&src);
        for d in diags.iter() {
            // Every diagnostic points inside the file (or at its very end).
            prop_assert!(d.span.start <= s.len() && d.span.end <= s.len(), "{d:?}");
            let _ = quire::diag::render_human(&src, d);
        }
        if !diags.has_errors() {
            let out = text::render(&doc, &text::TextOptions::default());
            prop_assert!(out.is_empty() || out.ends_with('\n'));
        }
    }

    #[test]
    fn any_bytes_are_read_or_refused_with_a_location(b in prop::collection::vec(any::<u8>(), 0..300)) {
        let (src, bad) = Source::from_bytes("b.md", &b);
        match bad {
            Some(d) => prop_assert!(std::str::from_utf8(&b).is_err() && d.span.start < b.len()),
            None => { let _ = quire::load(&src); }
        }
    }

    #[test]
    fn passes_are_idempotent(s in manuscript()) {
        let src = Source::new("p.md", s);
        let (mut doc, _) = quire::load(&src);
        let once = doc.clone();
        let mut diags = quire::diag::Diagnostics::new();
        model::run_passes(&mut doc, &mut diags);
        prop_assert_eq!(once, doc);
    }

    #[test]
    fn text_edition_keeps_every_word_of_plain_prose(words in prop::collection::vec("[a-zA-Z]{1,12}", 1..200)) {
        let body = words.join(" ");
        let src = Source::new("w.md", format!("---\ntitle: W\n---\n\n{body}\n"));
        let (doc, diags) = quire::load(&src);
        prop_assert!(!diags.has_errors());
        let out = text::render(&doc, &text::TextOptions { width: 40 });
        let got: Vec<&str> = out.split_whitespace().skip(1).collect();
        prop_assert_eq!(got, words.iter().map(String::as_str).collect::<Vec<_>>());
        prop_assert!(out.lines().all(|l| l.chars().count() <= 40));
    }
}
