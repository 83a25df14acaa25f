//! The command line: reads manuscripts, runs the pipeline, prints diagnostics, writes
//! editions, and sets the exit code. The only module that touches the file system.
//!
//! Exit codes: 0 success (warnings allowed), 1 a manuscript has errors, 2 a usage or
//! I/O error. A manuscript with errors gets no output at all; its earlier outputs are
//! left untouched. Every output is written whole: to a temporary file in the output
//! folder, then renamed over the old one.

pub mod args;
pub mod build;
mod fonts;
pub mod new;
pub mod watch;

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser as _;

use crate::backend::epub::{self, Resources};
use crate::diag::{Diagnostic, Diagnostics, Source};
use crate::resources;
use args::{Cli, Command};

/// Where manuscripts are looked for when no path is given.
pub const DEFAULT_MANUSCRIPTS: &str = "manuscript";

/// A failure that is not the manuscript's fault: exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad arguments.
    #[error("{0}")]
    Usage(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> CliError + '_ {
    move |source| CliError::Io { path: path.to_path_buf(), source }
}

/// Parses `std::env::args` and runs; the binary's whole `main`.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("quire: error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode, CliError> {
    match cli.command {
        Command::Build(a) => build::build(&a),
        Command::Check(a) => build::check(&a),
        Command::New { dir } => new::new(&dir).map(|()| ExitCode::SUCCESS),
        Command::Watch(a) => watch::watch(&a),
    }
}

/// Expands files and folders into manuscript files, sorted within each folder.
pub fn manuscripts(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let default = [PathBuf::from(DEFAULT_MANUSCRIPTS)];
    let paths = if paths.is_empty() { &default[..] } else { paths };
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = fs::read_dir(p)
                .map_err(io_err(p))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file() && f.extension().is_some_and(|x| x == "md"))
                .collect();
            if found.is_empty() {
                return Err(CliError::Usage(format!(
                    "no *.md manuscripts in {}",
                    p.display()
                )));
            }
            found.sort();
            out.extend(found);
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            return Err(CliError::Usage(format!(
                "{}: no such file or folder",
                p.display()
            )));
        }
    }
    Ok(out)
}

/// Largest manuscript quire reads, in bytes (a long book is a few MiB).
pub const MAX_MANUSCRIPT: u64 = 16 << 20;

/// Largest image file quire reads, in bytes.
pub const MAX_IMAGE_FILE: u64 = 64 << 20;

/// A manuscript read and resolved, with the images it names.
struct Loaded {
    src: Source,
    doc: Option<crate::model::Document>,
    diags: Diagnostics,
    res: Resources,
    /// The manuscript file's modification time, in Unix seconds.
    modified: Option<i64>,
}

/// Reads one manuscript and runs the pipeline up to the model, then reads and checks
/// the images it refers to.
fn load(path: &Path) -> Result<Loaded, CliError> {
    let name = path.display().to_string();
    let meta = fs::metadata(path).map_err(io_err(path))?;
    let size = meta.len();
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64);
    if size > MAX_MANUSCRIPT {
        let mut diags = Diagnostics::new();
        diags.push(
            Diagnostic::error(
                "too-large",
                crate::diag::Span::new(0, 0),
                format!(
                    "the manuscript is {} MiB; quire reads at most {} MiB",
                    size >> 20,
                    MAX_MANUSCRIPT >> 20
                ),
            )
            .with_hint("split it into several manuscripts"),
        );
        let src = Source::new(name, String::new());
        return Ok(Loaded { src, doc: None, diags, res: Resources::default(), modified });
    }
    let bytes = fs::read(path).map_err(io_err(path))?;
    match Source::from_bytes(name, &bytes) {
        (mut src, None) => {
            let mut joined = Diagnostics::new();
            let newest = join_chapters(path, &mut src, &mut joined);
            let modified = modified.max(newest);
            let (doc, mut diags) = crate::load(&src);
            diags.extend(joined);
            let res = read_resources(path, &doc, &mut diags);
            Ok(Loaded { src, doc: Some(doc), diags, res, modified })
        }
        (src, Some(d)) => {
            let mut diags = Diagnostics::new();
            diags.push(d);
            Ok(Loaded { src, doc: None, diags, res: Resources::default(), modified })
        }
    }
}

/// The chapter files a manuscript's front matter lists (`chapters: […]`), as paths
/// relative to the manuscript's folder, with where each is named.
fn chapter_list(text: &str) -> Vec<(String, crate::diag::Span)> {
    crate::manuscript::front_matter::read(text, &mut Diagnostics::new()).0.chapters
}

/// The files `watch` follows for a manuscript besides itself: its chapter files.
pub fn chapter_paths(manuscript: &Path) -> Vec<PathBuf> {
    let Ok(text) = fs::read_to_string(manuscript) else { return Vec::new() };
    let base = manuscript.parent().unwrap_or(Path::new("."));
    chapter_list(&text).into_iter().map(|(p, _)| base.join(p)).collect()
}

/// Joins the chapter files the manuscript lists after its own text, each after a
/// blank line and without its front matter, so the book reads as one file whose
/// diagnostics still name the chapter file and its line. A path is checked like an
/// image's (inside the project, there, UTF-8, within the size limit); a chapter
/// file's own `chapters` are not followed. Returns the newest file's modification
/// time.
fn join_chapters(path: &Path, src: &mut Source, diags: &mut Diagnostics) -> Option<i64> {
    let list = chapter_list(&src.text);
    if list.is_empty() {
        return None;
    }
    let base =
        path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let root = resource_root(path)?;
    let mut newest = None;
    for (p, span) in list {
        if let Some(why) = resources::path_problem(&p) {
            diags.error("unsafe-path", span, format!("chapter file `{p}`: {why}"));
            continue;
        }
        let read = inside(base, &root, &p, span, ("missing-chapter", "chapter file"))
            .and_then(|c| {
                let too_big = fs::metadata(&c).map(|m| m.len() > MAX_MANUSCRIPT);
                if too_big.unwrap_or(false) || src.text.len() as u64 > MAX_MANUSCRIPT {
                    return Err(Diagnostic::error(
                        "too-large",
                        span,
                        format!(
                            "with `{p}` the book is over {} MiB",
                            MAX_MANUSCRIPT >> 20
                        ),
                    ));
                }
                let time = fs::metadata(&c)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map(|d| d.as_secs() as i64);
                newest = newest.max(time);
                let bytes = fs::read(&c).map_err(|e| {
                    Diagnostic::error(
                        "missing-chapter",
                        span,
                        format!("`{p}` cannot be read: {e}"),
                    )
                })?;
                String::from_utf8(bytes).map_err(|e| {
                    Diagnostic::error(
                        "not-utf8",
                        span,
                        format!(
                            "chapter file `{p}` is not valid UTF-8 (at byte {})",
                            e.utf8_error().valid_up_to()
                        ),
                    )
                    .with_hint("save the file as UTF-8")
                })
            });
        match read {
            Ok(text) => {
                let body = crate::manuscript::front_matter::body_start(&text);
                let first_line = text[..body].matches('\n').count() + 1;
                // Named as the manuscript is, from where quire was run.
                let name = path.with_file_name(&p).display().to_string();
                src.append_part(name, &text[body..], first_line);
            }
            Err(d) => diags.push(d),
        }
    }
    newest
}

/// The folder a manuscript's files must stay inside: the project (the current
/// folder) when the manuscript is in it, so that `cover: ../covers/front.jpg` works;
/// else the manuscript's own folder.
fn resource_root(manuscript: &Path) -> Option<PathBuf> {
    let dir = manuscript
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let dir = dir.canonicalize().ok()?;
    match std::env::current_dir().and_then(|c| c.canonicalize()) {
        Ok(project) if dir.starts_with(&project) => Some(project),
        _ => Some(dir),
    }
}

/// Reads the cover and images the manuscript names (relative to its folder),
/// refusing any that do not exist, lead out of the project (through `..` or a
/// symbolic link; see [`resource_root`]), are too large, or do not decode.
fn read_resources(
    manuscript: &Path,
    doc: &crate::model::Document,
    diags: &mut Diagnostics,
) -> Resources {
    let mut res = Resources::default();
    let refs = resources::collect(doc, &mut Diagnostics::new());
    let base = manuscript
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Some(root) = resource_root(manuscript) else { return res };
    let mut fonts = Vec::new();
    for r in refs {
        if let resources::Kind::Font(role) = r.kind {
            fonts.push((role, r));
            continue;
        }
        if r.kind == resources::Kind::Image && res.images.contains_key(&r.path) {
            continue;
        }
        let found = inside(base, &root, &r.path, r.span, ("missing-image", "image"))
            .and_then(|c| match fs::metadata(&c) {
                Ok(m) if m.len() > MAX_IMAGE_FILE => Err(Diagnostic::error(
                    "bad-image",
                    r.span,
                    format!("`{}` is larger than {} MiB", r.path, MAX_IMAGE_FILE >> 20),
                )),
                Ok(m) if m.is_file() => fs::read(&c).map_err(|e| {
                    Diagnostic::error(
                        "missing-image",
                        r.span,
                        format!("`{}` cannot be read: {e}", r.path),
                    )
                }),
                _ => Err(Diagnostic::error(
                    "missing-image",
                    r.span,
                    format!("`{}` is not a file", r.path),
                )),
            });
        let image = found.and_then(|bytes| match resources::inspect(&bytes) {
            Ok(info) => Ok(epub::Image { bytes, info }),
            Err(why) => Err(Diagnostic::error(
                "bad-image",
                r.span,
                format!("`{}`: {why}", r.path),
            )),
        });
        match (image, r.kind) {
            (Ok(img), resources::Kind::Cover) => res.cover = Some(img),
            (Ok(img), resources::Kind::Image) => {
                res.images.insert(r.path, img);
            }
            (Ok(_), resources::Kind::Font(_)) => {}
            (Err(d), _) => diags.push(d),
        }
    }
    res.fonts = fonts::read(base, &root, fonts, diags);
    res
}

/// The canonical path of `path` (relative to `base`), if it exists and lies inside
/// `root`; else a located error (`missing` is the code for a path that is not there).
fn inside(
    base: &Path,
    root: &Path,
    path: &str,
    span: crate::diag::Span,
    (missing, what): (&'static str, &str),
) -> Result<PathBuf, Diagnostic> {
    let p = base.join(path);
    match p.canonicalize() {
        Ok(c) if !c.starts_with(root) => Err(Diagnostic::error(
            "unsafe-path",
            span,
            format!("`{path}` leads outside the project folder {}", root.display()),
        )),
        Ok(c) => Ok(c),
        Err(_) => Err(Diagnostic::error(
            missing,
            span,
            format!("{what} `{path}` not found (looked for {})", p.display()),
        )),
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`, so
/// that readers see the old file or the new one, never a part. The file is not
/// flushed to the disk first (no fsync): an edition is a derived file, made again by
/// the next build, and a flush for each of them cost a pamphlet's build a tenth of
/// its time — compilers and typesetters (cargo, typst, TeX) do not flush theirs
/// either.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let dir =
        path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name =
        path.file_name().map_or("out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(CliError::Io { path: path.to_path_buf(), source: e });
    }
    Ok(())
}
