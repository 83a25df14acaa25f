//! Reads the fonts the front matter names (`fonts: {body, headings, fallback}`): a
//! font file, or a folder searched for font files (`.ttf`, `.otf`, `.ttc`, `.otc`,
//! in its subfolders too, in name order). `typeface` judges and sorts what is read;
//! every problem is an error located at the path in the front matter, and a family
//! missing a style is a warning naming what stands in for it.

use std::fs;
use std::path::{Path, PathBuf};

use super::inside;
use crate::diag::{Diagnostic, Diagnostics};
use crate::resources::Ref;
use crate::typeface::{self, FontFile, Role, Typefaces};

/// How deep a font folder is searched (`fonts/Literata/static/…` is two levels).
const MAX_DEPTH: usize = 3;
/// The most font files one folder may hold.
const MAX_FILES: usize = 256;

/// The document's typefaces: the shipped ones, with each family the front matter
/// names read in. A family that cannot be read is reported and left out.
pub(super) fn read(
    base: &Path,
    root: &Path,
    named: Vec<(Role, Ref)>,
    diags: &mut Diagnostics,
) -> Typefaces {
    let mut tf = Typefaces::default();
    for (role, r) in named {
        match read_family(base, root, &r) {
            Ok(family) => {
                if matches!(role, Role::Body | Role::Headings)
                    && let Some(msg) = typeface::stand_in_message(&family)
                {
                    diags.push(
                        Diagnostic::warning("missing-style", r.span, msg).with_hint(
                            "add the family's other files to the folder, or allow `missing-style`",
                        ),
                    );
                }
                tf.set(role, family);
            }
            Err(d) => diags.push(d),
        }
    }
    tf
}

/// One path of `fonts:` read into a family.
fn read_family(
    base: &Path,
    root: &Path,
    r: &Ref,
) -> Result<typeface::Family, Diagnostic> {
    let at = inside(base, root, &r.path, r.span, ("missing-font", "font"))?;
    let bad = |msg: String| Diagnostic::error("bad-font", r.span, msg);
    let files = if at.is_dir() {
        let mut files = Vec::new();
        font_files(&at, 0, &mut files)
            .map_err(|e| bad(format!("`{}` cannot be read: {e}", r.path)))?;
        files.sort();
        if files.is_empty() {
            return Err(bad(format!(
                "the folder `{}` holds no font files (.ttf, .otf, .ttc)",
                r.path
            )));
        }
        if files.len() > MAX_FILES {
            return Err(bad(format!(
                "the folder `{}` holds {} font files; quire reads at most {MAX_FILES}: name the family's own folder",
                r.path,
                files.len()
            )));
        }
        files
    } else {
        vec![at.clone()]
    };
    let one_file = files.len() == 1 && !at.is_dir();
    let mut fonts: Vec<FontFile> = Vec::new();
    for f in &files {
        let shown = shown_name(&r.path, &at, f);
        if !f.starts_with(root) {
            return Err(Diagnostic::error(
                "unsafe-path",
                r.span,
                format!("`{shown}` leads outside the project folder {}", root.display()),
            ));
        }
        let bytes =
            read_bounded(f).map_err(|e| bad(format!("`{shown}` cannot be read: {e}")))?;
        let data = typeface::keep(bytes);
        fonts.extend(typeface::read_file(&shown, data).map_err(bad)?);
    }
    if one_file {
        // A collection of several families (a `.ttc` with a proportional and a
        // monospaced family, say): its first font's family, as font index 0 is
        // what other programs take from a collection too.
        if let Some(first) = fonts.first().map(|f| f.family.clone()) {
            fonts.retain(|f| f.family == first);
        }
    }
    typeface::family(&r.path, fonts).map_err(bad)
}

/// The font files under `dir`, to [`MAX_DEPTH`] folders down (symbolic links are
/// followed, and judged by where they lead).
fn font_files(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let Ok(path) = path.canonicalize() else { continue };
        if path.is_dir() {
            if depth < MAX_DEPTH {
                font_files(&path, depth + 1, out)?;
            }
        } else if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(typeface::is_font_name)
        {
            out.push(path);
        }
        if out.len() > MAX_FILES {
            break;
        }
    }
    Ok(())
}

/// Reads a file of at most [`typeface::MAX_FONT_FILE`] bytes.
fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    let len = fs::metadata(path)?.len();
    if len > typeface::MAX_FONT_FILE {
        return Err(std::io::Error::other(format!(
            "it is {} MiB; quire reads fonts of at most {} MiB",
            len >> 20,
            typeface::MAX_FONT_FILE >> 20
        )));
    }
    fs::read(path)
}

/// A font file's name as the user wrote it: the path in the front matter, with the
/// part of a folder's file below it.
fn shown_name(written: &str, at: &Path, file: &Path) -> String {
    match file.strip_prefix(at) {
        Ok(rest) if !rest.as_os_str().is_empty() => {
            format!("{}/{}", written.trim_end_matches('/'), rest.display())
        }
        _ => written.to_string(),
    }
}
