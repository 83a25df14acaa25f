//! The command line: reads manuscripts, runs the pipeline, prints diagnostics, writes
//! editions, and sets the exit code. The only module that touches the file system.
//!
//! Exit codes: 0 success (warnings allowed), 1 a manuscript has errors, 2 a usage or
//! I/O error. A manuscript with errors gets no output at all; its earlier outputs are
//! left untouched. Every output is written whole: to a temporary file in the output
//! folder, then renamed over the old one.

pub mod args;

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser as _;

use crate::backend::epub::{self, Resources};
use crate::backend::{Format, text};
use crate::diag::{self, Diagnostic, Diagnostics, Source};
use crate::resources;
use args::{BuildArgs, CheckArgs, Cli, Command, MessageFormat};

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
        Command::Build(a) => build(&a),
        Command::Check(a) => check(&a),
        Command::New { .. } => Err(CliError::Usage(
            "`quire new` is not available in this version yet".into(),
        )),
        Command::Watch(_) => Err(CliError::Usage(
            "`quire watch` is not available in this version yet".into(),
        )),
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

/// Largest image file quire reads, in bytes.
pub const MAX_IMAGE_FILE: u64 = 64 << 20;

/// A manuscript read and resolved, with the images it names.
struct Loaded {
    src: Source,
    doc: Option<crate::model::Document>,
    diags: Diagnostics,
    res: Resources,
}

/// Reads one manuscript and runs the pipeline up to the model, then reads and checks
/// the images it refers to.
fn load(path: &Path) -> Result<Loaded, CliError> {
    let bytes = fs::read(path).map_err(io_err(path))?;
    let name = path.display().to_string();
    match Source::from_bytes(name, &bytes) {
        (src, None) => {
            let (doc, mut diags) = crate::load(&src);
            let base = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let res = read_resources(base, &doc, &mut diags);
            Ok(Loaded { src, doc: Some(doc), diags, res })
        }
        (src, Some(d)) => {
            let mut diags = Diagnostics::new();
            diags.push(d);
            Ok(Loaded { src, doc: None, diags, res: Resources::default() })
        }
    }
}

/// Reads the cover and images the manuscript names, refusing any that do not exist,
/// lead out of the manuscript's folder (through `..` or a symbolic link), are too
/// large, or do not decode.
fn read_resources(
    base: &Path,
    doc: &crate::model::Document,
    diags: &mut Diagnostics,
) -> Resources {
    let mut res = Resources::default();
    let refs = resources::collect(doc, &mut Diagnostics::new());
    let Ok(root) = base.canonicalize() else {
        return res;
    };
    for r in refs {
        if r.kind == resources::Kind::Image && res.images.contains_key(&r.path) {
            continue;
        }
        let p = base.join(&r.path);
        let found = match p.canonicalize() {
            Ok(c) if !c.starts_with(&root) => Err(Diagnostic::error(
                "unsafe-path",
                r.span,
                format!("`{}` leads outside the manuscript's folder", r.path),
            )),
            Ok(c) => match fs::metadata(&c) {
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
            },
            Err(_) => Err(Diagnostic::error(
                "missing-image",
                r.span,
                format!("image `{}` not found (looked for {})", r.path, p.display()),
            )),
        };
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
            (Err(d), _) => diags.push(d),
        }
    }
    res
}

/// `SOURCE_DATE_EPOCH` (reproducible-builds.org): the time builds claim, if set.
fn source_date_epoch() -> Result<Option<i64>, CliError> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v.trim().parse().map(Some).map_err(|_| {
            CliError::Usage(format!(
                "SOURCE_DATE_EPOCH is not a number of seconds: `{v}`"
            ))
        }),
        Err(_) => Ok(None),
    }
}

fn print_diags(src: &Source, diags: &Diagnostics, fmt: MessageFormat) {
    let mut err = std::io::stderr().lock();
    for d in diags.sorted() {
        let s = match fmt {
            MessageFormat::Human => diag::render_human(src, d),
            MessageFormat::Json => diag::render_json(src, d) + "\n",
        };
        let _ = err.write_all(s.as_bytes());
    }
}

fn formats(args: &BuildArgs) -> Result<Vec<Format>, CliError> {
    if args.format.is_empty() {
        let missing: Vec<&str> =
            Format::ALL.iter().filter(|f| !f.is_available()).map(|f| f.name()).collect();
        if !missing.is_empty() {
            eprintln!(
                "quire: note: this version does not build the {} editions yet",
                missing.join(", ")
            );
        }
        return Ok(Format::ALL.into_iter().filter(|f| f.is_available()).collect());
    }
    let mut v: Vec<Format> = args.format.iter().map(|&f| f.into()).collect();
    v.sort();
    v.dedup();
    if let Some(f) = v.iter().find(|f| !f.is_available()) {
        return Err(CliError::Usage(format!(
            "this version does not build the {} edition yet",
            f.name()
        )));
    }
    Ok(v)
}

/// Renders one edition of a resolved manuscript.
fn render(
    format: Format,
    path: &Path,
    l: &Loaded,
    doc: &crate::model::Document,
    args: &BuildArgs,
    sde: Option<i64>,
) -> Result<Vec<u8>, CliError> {
    Ok(match format {
        Format::Txt => {
            let width =
                args.text_width.or(doc.meta.text.width).unwrap_or(text::DEFAULT_WIDTH);
            text::render(doc, &text::TextOptions { width }).into_bytes()
        }
        Format::Epub => {
            let opts = epub::EpubOptions {
                modified: epub::modified_time(doc.meta.date.as_ref(), sde),
                embed_fonts: doc.meta.epub.embed_fonts,
            };
            epub::render(doc, &l.res, &opts)
                .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?
        }
        other => unreachable!("{} is filtered out by formats()", other.name()),
    })
}

fn build(args: &BuildArgs) -> Result<ExitCode, CliError> {
    let formats = formats(args)?;
    let files = manuscripts(&args.paths)?;
    let sde = source_date_epoch()?;
    let mut failed = false;
    for path in &files {
        let t0 = Instant::now();
        let l = load(path)?;
        print_diags(&l.src, &l.diags, args.message_format);
        let Some(doc) = l.doc.as_ref().filter(|_| !l.diags.has_errors()) else {
            eprintln!(
                "quire: {}: not built ({} errors)",
                path.display(),
                l.diags.error_count()
            );
            failed = true;
            continue;
        };
        let stem =
            path.file_stem().map_or("book".into(), |s| s.to_string_lossy().into_owned());
        // Render everything first: nothing is written unless every edition rendered.
        let mut outputs = Vec::new();
        for &f in &formats {
            let bytes = render(f, path, &l, doc, args, sde)?;
            outputs.push((args.out.join(f.file_name(&stem)), bytes));
        }
        fs::create_dir_all(&args.out).map_err(io_err(&args.out))?;
        let mut summary = Vec::new();
        for (out, bytes) in &outputs {
            write_atomically(out, bytes)?;
            summary.push(format!("{} ({})", out.display(), human_size(bytes.len())));
        }
        eprintln!(
            "quire: built {} in {} ms",
            summary.join(", "),
            t0.elapsed().as_millis()
        );
    }
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Smallest cover e-book stores take, in pixels (KDP: 625 × 1000).
const MIN_COVER: (u32, u32) = (625, 1000);

fn check(args: &CheckArgs) -> Result<ExitCode, CliError> {
    let files = manuscripts(&args.paths)?;
    let mut failed = false;
    for path in &files {
        let mut l = load(path)?;
        if let Some(doc) = &l.doc {
            crate::lint::lint(&l.src, doc, &mut l.diags);
            if let (Some(img), Some((_, span))) = (&l.res.cover, &doc.meta.cover)
                && (img.info.width < MIN_COVER.0 || img.info.height < MIN_COVER.1)
            {
                l.diags.push(
                    Diagnostic::warning(
                        "small-cover",
                        *span,
                        format!(
                            "the cover is {} × {} px; e-book stores want at least {} × {}",
                            img.info.width, img.info.height, MIN_COVER.0, MIN_COVER.1
                        ),
                    )
                    .with_hint("1600 × 2560 px is the size quire writes"),
                );
            }
            crate::allow(doc, &mut l.diags);
        }
        print_diags(&l.src, &l.diags, args.message_format);
        if l.diags.has_errors() || (args.deny_warnings && l.diags.warning_count() > 0) {
            failed = true;
        }
    }
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn human_size(n: usize) -> String {
    if n < 1024 {
        format!("{n} B")
    } else if n < 1024 * 1024 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", n as f64 / (1024.0 * 1024.0))
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`, so
/// that readers see the old file or the new one, never a part.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let dir =
        path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name =
        path.file_name().map_or("out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(CliError::Io { path: path.to_path_buf(), source: e });
    }
    Ok(())
}
