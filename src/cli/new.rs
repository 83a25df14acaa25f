//! `quire new DIR`: a ready project — a manuscript that shows every feature, an image
//! for it, a covers/ folder, a note on fonts, a .gitignore for dist/, and an example CI
//! workflow that builds every edition and keeps them as artifacts.

use std::fs;
use std::path::Path;

use super::{CliError, io_err, write_atomically};

const MANUSCRIPT: &str = r#"---
title: The Title of Your Pamphlet
subtitle: A subtitle, if it has one
author: Your Name
date: 2026-01-01
lang: en
publisher: Your Organisation
rights: Copyright 2026 Your Name. Some rights reserved.
description: One or two sentences about the text, for e-book stores and the back cover.
subjects: [Pamphlets]
source: Where and when the text was first published.
---

<div class="editor-note">

An editor's introduction: why this text, and why now. Every edition sets it apart
from the text that follows.

</div>

The first paragraph of the text. Type quotes "straight" and they come out curly; type
two hyphens for an en dash (1871--1921) and three for an em dash---like this. Three
dots become an ellipsis...[^first]

A second paragraph is indented in print, as in a book. *Emphasis* and **strong** text
work as in any Markdown, and so does a link to [a web page](https://example.org).

## A section heading {#section}

> A block quotation, set in from the margin.

- A list item
- Another item

<div class="verse">

Verse keeps its lines
and its stanzas.

</div>

| Year | Event |
|-----:|:------|
| 1848 | Revolutions across Europe |
| 1871 | The Paris Commune |

![A gradient standing in for your picture: describe what it shows](images/figure.png)

* * *

After a section break, the text goes on.[^second] A cross-reference to the section
above prints its page in the PDF (see [page](#section)) and its title in the e-book.

<div class="signature">

Your Name, January 2026

</div>

[^first]: Notes are numbered by their first reference, wherever they are defined.
[^second]: In print a note sits at the foot of its page; in the e-book it pops up.
"#;

const GITIGNORE: &str = "/dist\n";

const README: &str = r#"# A quire project

- `manuscript/` holds the manuscripts: every `*.md` here is built.
- `covers/` is for cover images; name one in a manuscript's front matter as
  `cover: ../covers/front.jpg` (JPEG, PNG or WebP; 1600 × 2560 px suits e-book stores).
- `fonts/` is for the house faces: put a family's files in a folder here and name it
  in the front matter as `fonts: {body: ../fonts/Literata}` (also `headings:` and
  `fallback: [...]` for other scripts). Without one, quire sets the text in its
  built-in EB Garamond.
- `dist/` receives the editions: `quire build`.

```sh
quire check --deny-warnings   # lint the manuscripts
quire build                   # every edition into dist/
quire watch                   # rebuild on every save
```
"#;

const FONTS_NOTE: &str = "Put the house faces here, a folder per family (.ttf, .otf or .ttc files; \
quire sorts them into regular, italic, bold and bold italic from the fonts' own names), and \
name them in the manuscript's front matter: `fonts: {body: ../fonts/Literata}`, with \
`headings:` and `fallback: [...]` if wanted. Without them, quire sets the text in its \
built-in EB Garamond (SIL Open Font License 1.1).\n";

const COVERS_NOTE: &str = "Put cover images here (JPEG, PNG or WebP, ideally 1600 × 2560 px) and \
name one in the manuscript's front matter: `cover: ../covers/front.jpg`. Without one, quire \
draws a typographic cover from the title and author.\n";

const WORKFLOW: &str = r#"# Builds every edition on each push and keeps them as artifacts.
name: editions
on: [push, pull_request]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 1
      - name: Install quire
        # From crates, or from your own checkout: cargo install --locked --path path/to/quire
        run: cargo install --locked quire
      - name: Check the manuscripts
        # Findings appear on the pull request's diff, at their lines.
        run: quire check --deny-warnings --message-format github
      - name: Build every edition
        # The commit's time stamps the editions, so a rebuild of the same commit is
        # byte-identical.
        run: SOURCE_DATE_EPOCH="$(git log -1 --format=%ct)" quire build
      - uses: actions/upload-artifact@v4
        with:
          name: editions
          path: dist/
"#;

/// A small picture for the example manuscript, drawn here so the project is complete.
fn figure_png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(600, 360, |x, y| {
        image::Rgb([(120 + x / 5) as u8, (60 + y / 4) as u8, 90])
    });
    let mut out = Vec::new();
    // Encoding an in-memory image into a Vec cannot fail.
    let _ = img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png);
    out
}

/// Creates the project; refuses a folder that exists and is not empty.
pub fn new(dir: &Path) -> Result<(), CliError> {
    if dir.exists() && fs::read_dir(dir).map_err(io_err(dir))?.next().is_some() {
        return Err(CliError::Usage(format!(
            "{} exists and is not empty",
            dir.display()
        )));
    }
    let stem = dir
        .file_name()
        .map(|n| crate::model::sections::slug(&n.to_string_lossy()))
        .unwrap_or_else(|| "pamphlet".to_string());
    let files: [(String, Vec<u8>); 7] = [
        (format!("manuscript/{stem}.md"), MANUSCRIPT.as_bytes().to_vec()),
        ("manuscript/images/figure.png".into(), figure_png()),
        ("covers/README.md".into(), COVERS_NOTE.as_bytes().to_vec()),
        ("fonts/README.md".into(), FONTS_NOTE.as_bytes().to_vec()),
        (".gitignore".into(), GITIGNORE.as_bytes().to_vec()),
        ("README.md".into(), README.as_bytes().to_vec()),
        (".github/workflows/editions.yml".into(), WORKFLOW.as_bytes().to_vec()),
    ];
    for (rel, bytes) in &files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        write_atomically(&path, bytes)?;
    }
    eprintln!("quire: created {} — cd there and run `quire build`", dir.display());
    Ok(())
}
