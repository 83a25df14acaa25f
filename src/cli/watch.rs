//! `quire watch`: build, then rebuild whenever a manuscript or an image under the
//! watched folders is saved (debounced, so an editor's save-rename-touch counts once).
//! Errors are reported and watching goes on.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify_debouncer_full::notify::RecursiveMode;
use notify_debouncer_full::notify::event::{EventKind, ModifyKind};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};

use super::CliError;
use super::args::BuildArgs;
use super::build::{Afterwards, build_all};

/// How long the file system must be quiet before a rebuild.
const DEBOUNCE: Duration = Duration::from_millis(300);

/// Whether an event is a change to a file: written, created, renamed or removed.
/// Reading a file (which every rebuild does) and changes to its metadata alone are
/// not: taking them for saves made the watcher rebuild for ever.
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(m) => !matches!(m, ModifyKind::Metadata(_)),
        EventKind::Access(_) | EventKind::Any | EventKind::Other => false,
    }
}

fn relevant(p: &Path, out: &Path) -> bool {
    if p.starts_with(out) {
        return false;
    }
    let name = p.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    // Editors' swap and backup files are not saves.
    if name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") {
        return false;
    }
    p.extension().is_some_and(|e| {
        matches!(
            e.to_string_lossy().to_ascii_lowercase().as_str(),
            "md" | "png" | "jpg" | "jpeg" | "webp"
        )
    })
}

/// Runs until interrupted.
pub fn watch(args: &BuildArgs) -> Result<ExitCode, CliError> {
    let roots: Vec<PathBuf> = if args.paths.is_empty() {
        vec![PathBuf::from(super::DEFAULT_MANUSCRIPTS)]
    } else {
        args.paths.clone()
    };
    let out = std::path::absolute(&args.out).unwrap_or_else(|_| args.out.clone());
    let t0 = Instant::now();
    report(build_all(args, Afterwards::Continue), t0);

    let (tx, rx) = mpsc::channel::<DebounceEventResult>();
    let mut debouncer = new_debouncer(DEBOUNCE, None, tx)
        .map_err(|e| CliError::Usage(format!("cannot watch files: {e}")))?;
    for r in &roots {
        // A file is watched through its folder, so that editors that save by
        // replacing the file are seen too.
        let (target, mode) = if r.is_dir() {
            (r.clone(), RecursiveMode::Recursive)
        } else {
            let parent = r
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            (parent.to_path_buf(), RecursiveMode::NonRecursive)
        };
        debouncer.watch(&target, mode).map_err(|e| {
            CliError::Usage(format!("cannot watch {}: {e}", target.display()))
        })?;
    }
    // A book's chapter files, wherever they are, are followed too (their folders,
    // not recursively).
    let mut folders: Vec<PathBuf> = super::manuscripts(&roots)
        .unwrap_or_default()
        .iter()
        .flat_map(|m| super::chapter_paths(m))
        .filter_map(|c| c.parent().and_then(|d| d.canonicalize().ok()))
        .collect();
    folders.sort();
    folders.dedup();
    let watched: Vec<PathBuf> = roots
        .iter()
        .filter(|r| r.is_dir())
        .filter_map(|r| r.canonicalize().ok())
        .collect();
    for f in folders {
        if watched.iter().any(|r| f.starts_with(r)) {
            continue;
        }
        debouncer
            .watch(&f, RecursiveMode::NonRecursive)
            .map_err(|e| CliError::Usage(format!("cannot watch {}: {e}", f.display())))?;
    }
    eprintln!(
        "quire: watching {} (Ctrl-C stops)",
        roots.iter().map(|r| r.display().to_string()).collect::<Vec<_>>().join(", ")
    );
    for result in rx {
        match result {
            Ok(events) => {
                let changed: Vec<&PathBuf> = events
                    .iter()
                    .filter(|e| is_change(&e.kind))
                    .flat_map(|e| e.paths.iter())
                    .filter(|p| relevant(p, &out))
                    .collect();
                if let Some(first) = changed.first() {
                    eprintln!("quire: {} changed; rebuilding", first.display());
                    let t0 = Instant::now();
                    report(build_all(args, Afterwards::Continue), t0);
                }
            }
            Err(errors) => {
                for e in errors {
                    eprintln!("quire: watch error: {e}");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn report(result: Result<bool, CliError>, t0: Instant) {
    let ms = t0.elapsed().as_millis();
    match result {
        Ok(false) => eprintln!("quire: rebuilt in {ms} ms; watching"),
        Ok(true) => eprintln!("quire: errors above; watching"),
        Err(e) => eprintln!("quire: error: {e}; watching"),
    }
}
