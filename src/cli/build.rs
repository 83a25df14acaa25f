//! `quire build` and `quire check`: many manuscripts at once (rayon), a progress bar
//! on a terminal (indicatif) and plain lines in CI logs, one summary line per
//! manuscript. Output order never depends on which thread finished first.

use std::fs;
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use rayon::prelude::*;

use super::args::{BuildArgs, CheckArgs, MessageFormat};
use super::{CliError, Loaded, io_err, load, manuscripts, write_atomically};
use crate::backend::{Format, epub, pdf, text};
use crate::diag::{self, Diagnostic, Diagnostics, Source};

/// Prints diagnostics, sorted by position.
pub fn print_diags(src: &Source, diags: &Diagnostics, fmt: MessageFormat) {
    let mut err = std::io::stderr().lock();
    for d in diags.sorted() {
        let s = match fmt {
            MessageFormat::Human => diag::render_human(src, d),
            MessageFormat::Json => diag::render_json(src, d) + "\n",
            MessageFormat::Github => diag::render_github(src, d) + "\n",
        };
        let _ = err.write_all(s.as_bytes());
    }
}

/// The editions to build: those asked for, or every one this version builds.
pub fn formats(args: &BuildArgs) -> Result<Vec<Format>, CliError> {
    if args.format.is_empty() {
        return Ok(Format::ALL.to_vec());
    }
    let mut v: Vec<Format> = args.format.iter().map(|&f| f.into()).collect();
    v.sort();
    v.dedup();
    Ok(v)
}

/// `SOURCE_DATE_EPOCH` (reproducible-builds.org): the time builds claim, if set.
pub fn source_date_epoch() -> Result<Option<i64>, CliError> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v.trim().parse().map(Some).map_err(|_| {
            CliError::Usage(format!(
                "SOURCE_DATE_EPOCH is not a number of seconds: `{v}`"
            ))
        }),
        Err(_) => Ok(None),
    }
}

/// Whether the EPUB embeds its fonts: as the front matter says, else when the
/// manuscript names its own.
fn embeds_fonts(doc: &crate::model::Document, res: &epub::Resources) -> bool {
    doc.meta.epub.embed_fonts.unwrap_or(res.fonts.custom)
}

/// The print edition laid out once, for the PDF and the booklet alike.
struct PrintJob {
    print: PrintSettings,
    fonts: crate::layout::Fonts,
    layout: crate::layout::Layout,
    images: std::collections::BTreeMap<String, epub::Image>,
}

/// The text edition.
fn render_text(doc: &crate::model::Document, args: &BuildArgs) -> Vec<u8> {
    let width = args.text_width.or(doc.meta.text.width).unwrap_or(text::DEFAULT_WIDTH);
    text::render(doc, &text::TextOptions { width }).into_bytes()
}

/// The e-book's cover: being drawn on a thread of its own, or to be drawn with
/// the EPUB (see [`Build::start_cover`]).
enum Cover<'s> {
    Drawing(std::thread::ScopedJoinHandle<'s, Result<Vec<u8>, epub::EpubError>>),
    Later,
}

/// Says why the PDF is not PDF/UA-1 + PDF/A-2a when it is not: at each image
/// without alternative text, and at the front matter for anything else krilla's
/// validators refused.
fn conformance_findings(
    doc: &crate::model::Document,
    w: &pdf::Written,
    findings: &mut Diagnostics,
) {
    let best = pdf::Conformance::UaA2a;
    if w.conformance == best {
        return;
    }
    for &span in &w.images_without_alt {
        findings.push(
            // It says more than the manuscript check's `missing-alt` at the same
            // place, which it replaces (see `build_one`).
            Diagnostic::warning(
                "missing-alt",
                span,
                format!(
                    "this image has no alternative text, so the PDF is {}, not {} (accessible)",
                    w.conformance.name(),
                    best.name()
                ),
            )
            .with_hint("write `![what the image shows](path)`; readers who cannot see it depend on it"),
        );
    }
    if let Some(why) = &w.refused
        && w.images_without_alt.is_empty()
    {
        findings.push(
            Diagnostic::warning(
                "not-pdfua",
                doc.meta.span,
                format!(
                    "the PDF is {}, not {}: {why}",
                    w.conformance.name(),
                    best.name()
                ),
            )
            .with_hint(
                "archives, public bodies and some print shops ask for PDF/A and PDF/UA",
            ),
        );
    }
}

/// Lays out the print edition when a print format is asked for; its findings join
/// the manuscript's diagnostics.
fn print_job(
    doc: &crate::model::Document,
    l: &Loaded,
    args: &BuildArgs,
    diags: &mut Diagnostics,
) -> Result<PrintJob, String> {
    let print = PrintSettings::resolve(doc, args)?;
    let fonts = crate::layout::Fonts::with(&l.res.fonts)?;
    let (layout, images) = pdf_layout(doc, l, &print, &fonts, diags)?;
    Ok(PrintJob { print, fonts, layout, images })
}

/// The print settings: command-line flags over the front matter's `pdf:` keys over
/// the defaults.
pub(super) struct PrintSettings {
    trim: crate::print::Trim,
    /// Margins and type: the trim's, with the front matter's type size.
    style: crate::print::PageStyle,
    bleed: f64,
    crop_marks: bool,
    kind: crate::layout::Makeup,
    gray: bool,
    duplex: crate::print::Duplex,
    signature: Option<usize>,
    creep: f64,
    /// The thickness of one leaf, for the cover wrap's spine.
    caliper: f64,
}

impl PrintSettings {
    pub(super) fn resolve(
        doc: &crate::model::Document,
        args: &BuildArgs,
    ) -> Result<Self, String> {
        let pdf = &doc.meta.pdf;
        let trim = crate::print::Trim::parse(
            args.trim.as_deref().or(pdf.trim.as_deref()).unwrap_or("a5"),
        )?;
        let mut style = trim.page_style();
        (style.font_size, style.leading) =
            crate::print::type_size(pdf, Some(style)).map_err(|(_, why)| why)?;
        let bleed = match args.bleed.as_deref().or(pdf.bleed.as_deref()) {
            Some(b) => crate::print::parse_length(b)?,
            None => trim.default_bleed(),
        };
        let kind = crate::layout::Makeup::for_document(
            doc,
            args.layout.as_deref().or(pdf.layout.as_deref()),
        )?;
        let gray = match args.color.as_deref().or(pdf.color.as_deref()) {
            None | Some("color") => false,
            Some("gray" | "grey") => true,
            Some(other) => {
                return Err(format!("`{other}` is not a colour mode: use color or gray"));
            }
        };
        let creep = match &args.creep {
            Some(c) => crate::print::parse_length(c)?,
            None => 0.0,
        };
        let caliper = match args
            .paper_caliper
            .as_deref()
            .or(pdf.paper_caliper.as_ref().map(|c| c.0.as_str()))
        {
            Some(c) => crate::print::paper_caliper(c)?,
            None => crate::print::DEFAULT_CALIPER,
        };
        Ok(PrintSettings {
            trim,
            style,
            bleed,
            crop_marks: args.crop_marks || pdf.crop_marks.unwrap_or(false),
            kind,
            gray,
            duplex: args.duplex.unwrap_or_default().into(),
            signature: match args.signature {
                Some(n) if n == 0 || n % 4 != 0 => {
                    return Err(format!(
                        "--signature {n}: a signature is a multiple of 4 pages (4, 8, 12 …)"
                    ));
                }
                s => s,
            },
            creep,
            caliper,
        })
    }
}

/// The cover wrap of the laid-out book: its spine as thick as the book's leaves.
/// A pamphlet has its own covers (a self-cover), so it gets no wrap.
fn render_wrap(
    l: &Loaded,
    doc: &crate::model::Document,
    job: &PrintJob,
    modified: i64,
    findings: &mut Diagnostics,
) -> Result<Vec<u8>, String> {
    if job.print.kind == crate::layout::Makeup::Pamphlet {
        return Err("--cover-wrap: a pamphlet has its own covers (self-cover); the wrap is for a perfect-bound book: add --layout book or `pdf: {layout: book}`".into());
    }
    let spine = crate::print::spine_width(job.layout.pages.len(), job.print.caliper);
    let mut own = Diagnostics::new();
    let wrap = crate::layout::wrap::wrap(
        &doc.meta,
        &job.fonts,
        &job.layout.geometry,
        (spine, job.print.bleed),
        l.res.cover.as_ref().map(|c| (c.info.width, c.info.height)),
        &mut own,
    );
    // A character no font has was reported where the print edition set it.
    own.retain(|d| d.code != "uncovered-char");
    findings.extend(own);
    let opts = pdf::WrapOptions { modified };
    pdf::render_wrap(&wrap, &doc.meta, &job.fonts, &job.images, &opts)
        .map_err(|e| e.to_string())
}

/// Lays out the print edition; returns the layout and the images to draw (the cover
/// under its own key, all in gray for black-only printing when asked).
fn pdf_layout(
    doc: &crate::model::Document,
    l: &Loaded,
    print: &PrintSettings,
    fonts: &crate::layout::Fonts,
    diags: &mut Diagnostics,
) -> Result<
    (crate::layout::Layout, std::collections::BTreeMap<String, epub::Image>),
    String,
> {
    let mut images = l.res.images.clone();
    if let Some(c) = &l.res.cover {
        images.insert(crate::layout::covers::COVER_IMAGE.to_string(), c.clone());
    }
    if print.gray {
        for img in images.values_mut() {
            let (bytes, info) = crate::resources::to_gray(&img.bytes, img.info)?;
            *img = epub::Image { bytes, info };
        }
    }
    let sizes = l
        .res
        .images
        .iter()
        .map(|(k, v)| (k.clone(), (v.info.width, v.info.height)))
        .collect();
    let opts = crate::layout::LayoutOptions {
        trim: print.trim.clone(),
        style: print.style,
        images: sizes,
        kind: Some(print.kind),
        bleed: print.bleed,
        cover: l.res.cover.as_ref().map(|c| (c.info.width, c.info.height)),
        toc_depth: doc.meta.toc_depth.max(1),
        protrusion: doc.meta.pdf.protrusion.unwrap_or(true),
        expansion: doc.meta.pdf.expansion.unwrap_or(true),
    };
    Ok((crate::layout::layout(doc, fonts, &opts, diags), images))
}

/// What building one manuscript came to.
struct Report {
    loaded: Loaded,
    /// Files written, with their sizes and (a PDF) what they conform to.
    written: Vec<(PathBuf, usize, Option<&'static str>)>,
    /// Pages of the print edition, when one was made.
    pages: Option<usize>,
    millis: u128,
}

/// Runs each of `sides` on another core while `main` runs here, when `spread`; else
/// all of them here, one after the other. Each writes its own result, so the
/// outcome is the same either way.
fn alongside<'a, R>(
    spread: bool,
    sides: Vec<Box<dyn FnOnce() + Send + 'a>>,
    main: impl FnOnce() -> R,
) -> R {
    if !spread {
        sides.into_iter().for_each(|side| side());
        return main();
    }
    rayon::in_place_scope(|s| {
        for side in sides {
            s.spawn(move |_| side());
        }
        main()
    })
}

/// An edition's bytes and, for the PDF, the standards it conforms to.
type Rendered = (Vec<u8>, Option<&'static str>);

/// One manuscript's build: what each of its steps reads.
struct Build<'a> {
    path: &'a Path,
    l: &'a Loaded,
    doc: &'a crate::model::Document,
    formats: &'a [Format],
    args: &'a BuildArgs,
    sde: Option<i64>,
    /// Whether its editions are spread over the cores (see [`alongside`]).
    spread: bool,
}

impl Build<'_> {
    fn usage(&self, e: impl std::fmt::Display) -> CliError {
        CliError::Usage(format!("{}: {e}", self.path.display()))
    }

    /// The editions' modification date: the manuscript's, or `SOURCE_DATE_EPOCH`.
    fn modified(&self) -> i64 {
        epub::modified_time(self.l.modified, self.sde)
    }

    /// The text edition, when asked for: it needs no print layout, so it is made
    /// on another core while the print edition is laid out.
    fn render_txt(&self) -> Option<Vec<u8>> {
        self.formats.contains(&Format::Txt).then(|| render_text(self.doc, self.args))
    }

    /// Starts the e-book's cover on a thread of its own when the editions are
    /// spread over the cores: it needs nothing but the metadata, so it is drawn
    /// beside the layout and the PDF alike. A small book's layout takes a fraction
    /// of the cover's time and its PDF about as long, so drawn beside either step
    /// alone the cover kept the book waiting. Its own thread, not a rayon job, so
    /// that the EPUB's job may wait for it without holding up the pool.
    fn start_cover<'s>(&'s self, s: &'s std::thread::Scope<'s, '_>) -> Cover<'s> {
        if !self.spread || !self.formats.contains(&Format::Epub) {
            return Cover::Later;
        }
        // A thread the system refuses leaves the cover to the EPUB's job.
        std::thread::Builder::new()
            .name("cover".into())
            .spawn_scoped(s, || epub::cover_jpeg(self.doc, &self.l.res))
            .map_or(Cover::Later, Cover::Drawing)
    }

    /// The EPUB, with the print edition's pages (its page-list) and its cover.
    fn render_epub(
        &self,
        pages: Vec<crate::layout::PageStart>,
        cover: Cover,
    ) -> Result<Vec<u8>, CliError> {
        let cover = match cover {
            Cover::Drawing(h) => h.join().expect("drawing the cover does not panic"),
            Cover::Later => epub::cover_jpeg(self.doc, &self.l.res),
        };
        let cover = cover.map_err(|e| self.usage(e))?;
        let opts = epub::EpubOptions {
            modified: self.modified(),
            embed_fonts: embeds_fonts(self.doc, &self.l.res),
            pages,
        };
        epub::render_with_cover(self.doc, &self.l.res, &opts, cover)
            .map_err(|e| self.usage(e))
    }

    /// Renders the PDF from the laid-out print edition; returns its bytes and the
    /// standards it conforms to (for the summary line).
    fn render_pdf(
        &self,
        j: &PrintJob,
        findings: &mut Diagnostics,
    ) -> Result<Rendered, CliError> {
        let opts = pdf::PdfOptions {
            bleed: j.print.bleed as f32,
            modified: self.modified(),
            crop_marks: j.print.crop_marks,
        };
        let w = pdf::render(&j.layout, &self.doc.meta, &j.fonts, &j.images, &opts)
            .map_err(|e| self.usage(e))?;
        conformance_findings(self.doc, &w, findings);
        Ok((w.bytes, Some(w.conformance.name())))
    }

    /// Renders the booklet: the print edition's pages imposed for saddle-stitching,
    /// copied from the pamphlet's PDF (`pdf`) where it can be, else drawn again.
    fn render_booklet(
        &self,
        j: &PrintJob,
        pdf: Option<&[u8]>,
    ) -> Result<Vec<u8>, CliError> {
        let (sw, sh) = j.print.trim.sheet();
        let opts = pdf::BookletOptions {
            duplex: j.print.duplex,
            creep: j.print.creep as f32,
            modified: self.modified(),
            sheet: (sw as f32, sh as f32),
            signature: j.print.signature,
        };
        if j.print.duplex == crate::print::Duplex::Manual {
            let sides = crate::print::impose(
                j.layout.pages.len(),
                j.print.signature,
                j.print.duplex,
                self.doc.meta.lang.rtl(),
            )
            .len();
            eprintln!(
                "quire: {}: print sides 1–{} (the fronts), turn the printed stack over on its short edge and put it back, then print sides {}–{sides}",
                self.path.display(),
                sides / 2,
                sides / 2 + 1
            );
        }
        match pdf.and_then(|p| pdf::booklet_from_pdf(p, &j.layout, &self.doc.meta, &opts))
        {
            Some(bytes) => Ok(bytes),
            None => {
                pdf::render_booklet(&j.layout, &self.doc.meta, &j.fonts, &j.images, &opts)
                    .map_err(|e| self.usage(e))
            }
        }
    }

    /// Whether a print edition is asked for.
    fn prints(&self) -> bool {
        self.args.cover_wrap
            || self.formats.iter().any(|f| matches!(f, Format::Pdf | Format::Booklet))
    }

    /// Lays out the print edition here while the text edition, which does not
    /// need it, is made on another core; returns both.
    fn lay_out(
        &self,
        findings: &mut Diagnostics,
    ) -> Result<(Option<PrintJob>, Option<Vec<u8>>), CliError> {
        let (b, mut txt) = (self, None);
        let side: Box<dyn FnOnce() + Send> = {
            let txt = &mut txt;
            Box::new(move || *txt = b.render_txt())
        };
        let job = alongside(self.spread, vec![side], || {
            if self.prints() {
                print_job(self.doc, self.l, self.args, findings)
                    .map(Some)
                    .map_err(|e| self.usage(e))
            } else if self.formats.contains(&Format::Epub) {
                // The EPUB's page-list comes from the print edition, laid out for it
                // alone: its findings are the PDF's to report, and print settings it
                // cannot use only cost the e-book its page-list.
                Ok(print_job(self.doc, self.l, self.args, &mut Diagnostics::new()).ok())
            } else {
                Ok(None)
            }
        })?;
        Ok((job, txt))
    }

    /// Renders every edition asked for — the e-book and the booklet on other
    /// cores while the PDF is drawn here — and returns the files to write, in the
    /// order the formats were asked for, the cover wrap last. Nothing is written
    /// unless every edition rendered.
    fn render(
        &self,
        job: Option<&PrintJob>,
        (txt, cover): (Option<Vec<u8>>, Cover),
        findings: &mut Diagnostics,
    ) -> Result<Vec<(PathBuf, Rendered)>, CliError> {
        let b = self;
        let mut epub = None;
        let mut sides: Vec<Box<dyn FnOnce() + Send>> = Vec::new();
        if self.formats.contains(&Format::Epub) {
            let starts = job.map(|j| j.layout.page_starts()).unwrap_or_default();
            let epub = &mut epub;
            sides.push(Box::new(move || *epub = Some(b.render_epub(starts, cover))));
        }
        let (wants_pdf, wants_booklet) = (
            self.formats.contains(&Format::Pdf),
            self.formats.contains(&Format::Booklet),
        );
        let here = alongside(self.spread, sides, || -> Result<_, CliError> {
            // The booklet is made from the PDF, which is made for it even when it
            // is not asked for: its findings are then not the build's, and should
            // it fail, the booklet is drawn.
            let pdf = match (wants_pdf, wants_booklet, job) {
                (true, _, Some(j)) => Some(self.render_pdf(j, findings)?),
                (false, true, Some(j)) => {
                    self.render_pdf(j, &mut Diagnostics::new()).ok()
                }
                _ => None,
            };
            let booklet = match (wants_booklet, job) {
                (true, Some(j)) => {
                    Some(self.render_booklet(j, pdf.as_ref().map(|(b, _)| b.as_slice()))?)
                }
                _ => None,
            };
            let pdf = pdf.filter(|_| wants_pdf);
            let wrap = match (self.args.cover_wrap, job) {
                (true, Some(j)) => {
                    let bytes =
                        render_wrap(self.l, self.doc, j, self.modified(), findings)
                            .map_err(|e| self.usage(e))?;
                    Some((bytes, None))
                }
                _ => None,
            };
            Ok((pdf, booklet, wrap))
        });
        let (pdf, booklet, wrap) = here?;
        let mut rendered = std::collections::BTreeMap::new();
        rendered.extend(txt.map(|t| (Format::Txt, (t, None))));
        rendered.extend(epub.transpose()?.map(|e| (Format::Epub, (e, None))));
        rendered.extend(booklet.map(|e| (Format::Booklet, (e, None))));
        rendered.extend(pdf.map(|p| (Format::Pdf, p)));
        let stem = self
            .path
            .file_stem()
            .map_or("book".into(), |s| s.to_string_lossy().into_owned());
        let mut outputs: Vec<(PathBuf, Rendered)> = (self.formats.iter())
            .filter_map(|f| {
                Some((self.args.out.join(f.file_name(&stem)), rendered.remove(f)?))
            })
            .collect();
        outputs
            .extend(wrap.map(|w| (self.args.out.join(format!("{stem}-cover.pdf")), w)));
        Ok(outputs)
    }
}

/// Frees what a build no longer needs on a thread of its own. A long book's layout
/// is millions of small allocations: freeing the 235k-word book's took 0.16–0.20 s
/// of its 2.4 s build, on the path to the summary line. Nothing waits for it, and a
/// process that ends first leaves the memory to the system; a folder's or a watch's
/// next build starts meanwhile. Should no thread be had, it is freed here.
fn free_aside<T: Send + 'static>(x: T) {
    let _ = std::thread::Builder::new().name("free".into()).spawn(move || drop(x));
}

/// Whether the process goes on after a build (a folder's next manuscript, `quire
/// watch`) or ends with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Afterwards {
    /// More builds follow: a layout is freed aside (see [`free_aside`]).
    Continue,
    /// The process ends with its one manuscript: the system takes the layout's
    /// memory back whole, and freeing it item by item is work for nothing (a free
    /// thread the exit may or may not let run, which made a build's instruction
    /// count vary by up to 2 %).
    Exit,
}

/// Lets a layout go: freed aside, or left to the system at `Exit`.
fn let_go<T: Send + 'static>(x: T, after: Afterwards) {
    match after {
        Afterwards::Continue => free_aside(x),
        Afterwards::Exit => std::mem::forget(x),
    }
}

fn build_one(
    path: &Path,
    formats: &[Format],
    args: &BuildArgs,
    sde: Option<i64>,
    (spread, after): (bool, Afterwards),
) -> Result<Report, CliError> {
    let t0 = Instant::now();
    let mut l = load(path)?;
    let mut written = Vec::new();
    let mut pages = None;
    if let Some(doc) = l.doc.as_ref().filter(|_| !l.diags.has_errors()) {
        let b = Build { path, l: &l, doc, formats, args, sde, spread };
        let mut findings = Diagnostics::new();
        let (job, outputs) = std::thread::scope(|s| {
            let cover = b.start_cover(s);
            let (job, txt) = b.lay_out(&mut findings)?;
            let outputs = b.render(job.as_ref(), (txt, cover), &mut findings)?;
            Ok::<_, CliError>((job, outputs))
        })?;
        pages = job.as_ref().filter(|_| b.prints()).map(|j| j.layout.pages.len());
        fs::create_dir_all(&args.out).map_err(io_err(&args.out))?;
        for (out, (bytes, conforms)) in outputs {
            write_atomically(&out, &bytes)?;
            written.push((out, bytes.len(), conforms));
        }
        let_go(job, after);
        let doc_allow = doc.meta.check.allow.clone();
        findings.retain(|d| !doc_allow.iter().any(|a| a == d.code));
        // The PDF's word on an image without alternative text replaces the
        // manuscript check's at the same place.
        let amended: Vec<diag::Span> =
            findings.iter().filter(|d| d.code == "missing-alt").map(|d| d.span).collect();
        l.diags.retain(|d| !(d.code == "missing-alt" && amended.contains(&d.span)));
        l.diags.extend(findings);
    }
    Ok(Report { loaded: l, written, pages, millis: t0.elapsed().as_millis() })
}

fn progress(n: usize) -> indicatif::ProgressBar {
    if n < 2 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new(n as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} manuscripts")
    {
        pb.set_style(style);
    }
    pb
}

/// Builds every manuscript in parallel; returns whether any had errors. `after`
/// says whether the process ends with the builds.
pub fn build_all(args: &BuildArgs, after: Afterwards) -> Result<bool, CliError> {
    let formats = formats(args)?;
    let files = manuscripts(&args.paths)?;
    let sde = source_date_epoch()?;
    let pb = progress(files.len());
    // Only a lone manuscript's layout is left to the exit: a folder's are freed as
    // it goes, so that its memory stays that of a few layouts.
    let after = if files.len() == 1 { after } else { Afterwards::Continue };
    let reports = each_on_a_core(&files, |p, spread| {
        let r = build_one(p, &formats, args, sde, (spread, after));
        pb.inc(1);
        r
    });
    pb.finish_and_clear();
    let mut failed = false;
    let mut first_error = None;
    for (path, r) in files.iter().zip(reports) {
        match r {
            Ok(rep) => {
                let l = &rep.loaded;
                print_diags(&l.src, &l.diags, args.message_format);
                if l.diags.has_errors() || l.doc.is_none() {
                    let n = l.diags.error_count();
                    eprintln!(
                        "quire: {}: not built ({n} error{})",
                        path.display(),
                        if n == 1 { "" } else { "s" }
                    );
                    failed = true;
                } else {
                    eprintln!("quire: {}", summary(path, &rep));
                }
            }
            Err(e) => {
                eprintln!("quire: error: {e}");
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(failed),
    }
}

/// Builds each manuscript with `build`, as many at once as there are cores (or
/// `RAYON_NUM_THREADS`); returns the results in the manuscripts' order.
///
/// Each is built on a thread of its own, outside the rayon pool: a pool thread
/// that waits for a PDF's pages to be compressed runs other pool work meanwhile,
/// and were that another manuscript's build, builds would nest inside one another
/// — the stack and the memory growing with the number of manuscripts. With fewer
/// manuscripts than cores, each one's editions are spread over the cores (`build`
/// is told so); else each keeps to one.
fn each_on_a_core<T: Send>(
    files: &[PathBuf],
    build: impl Fn(&Path, bool) -> T + Sync,
) -> Vec<T> {
    let cores = rayon::current_num_threads();
    let spread = files.len() < cores;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let done = std::sync::Mutex::new(Vec::with_capacity(files.len()));
    std::thread::scope(|s| {
        for _ in 0..cores.min(files.len()) {
            s.spawn(|| {
                loop {
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(p) = files.get(k) else { break };
                    let r = build(p, spread);
                    done.lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .push((k, r));
                }
            });
        }
    });
    let mut done = done.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    done.sort_by_key(|(k, _)| *k);
    done.into_iter().map(|(_, r)| r).collect()
}

/// One line: the manuscript, its editions with their sizes, warnings, and the time.
fn summary(path: &Path, rep: &Report) -> String {
    let editions: Vec<String> = rep
        .written
        .iter()
        .map(|(p, n, c)| match c {
            Some(c) => format!("{} ({}, {c})", p.display(), human_size(*n)),
            None => format!("{} ({})", p.display(), human_size(*n)),
        })
        .collect();
    let w = rep.loaded.diags.warning_count();
    let warnings = match w {
        0 => String::new(),
        1 => ", 1 warning".to_string(),
        n => format!(", {n} warnings"),
    };
    let pages = rep.pages.map(|n| format!(", {n} pages")).unwrap_or_default();
    format!(
        "{}: {}{pages}{warnings} in {} ms",
        path.display(),
        editions.join(", "),
        rep.millis
    )
}

/// `quire build`.
pub fn build(args: &BuildArgs) -> Result<ExitCode, CliError> {
    Ok(if build_all(args, Afterwards::Exit)? {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Smallest cover e-book stores take, in pixels (KDP: 625 × 1000).
const MIN_COVER: (u32, u32) = (625, 1000);

/// Warns when a line of the print edition holds too few or too many characters to
/// read well (see [`crate::layout::chars_per_line`]), at the type size's setting or
/// else the front matter.
fn measure_finding(
    doc: &crate::model::Document,
    job: &PrintJob,
    diags: &mut Diagnostics,
) {
    // The 45–75 rule counts the letters of alphabetic scripts; Chinese and
    // Japanese count full-width characters (15–40 a line, JLREQ), so it says
    // nothing there.
    if matches!(doc.meta.lang.primary().as_str(), "zh" | "ja" | "ko") {
        return;
    }
    let n = crate::layout::chars_per_line(&job.fonts, &job.layout.geometry);
    if crate::layout::COMFORTABLE_MEASURE.contains(&n) {
        return;
    }
    let at = doc.meta.pdf.font_size.as_ref().map_or(doc.meta.span, |f| f.1);
    let (lo, hi) = (
        crate::layout::COMFORTABLE_MEASURE.start(),
        crate::layout::COMFORTABLE_MEASURE.end(),
    );
    diags.push(
        Diagnostic::warning(
            "measure",
            at,
            format!("a line of the print edition holds about {n:.0} characters; {lo}–{hi} read best"),
        )
        .with_hint(if n < *lo {
            "set a smaller `pdf: {font-size}`, or a larger trim"
        } else {
            "set a larger `pdf: {font-size}`, or a smaller trim"
        }),
    );
}

/// `quire check`: validation and lints, nothing written.
pub fn check(args: &CheckArgs) -> Result<ExitCode, CliError> {
    let files = manuscripts(&args.paths)?;
    let loaded: Vec<Result<Loaded, CliError>> = files
        .par_iter()
        .map(|path| {
            let mut l = load(path)?;
            if let Some(doc) = &l.doc {
                crate::lint::lint(&l.src, doc, &l.res.fonts, &mut l.diags);
                // The layout findings of the print edition, as the manuscript asks
                // for it (nothing is written); a character no font has the lint has
                // reported already.
                if !l.diags.has_errors() {
                    let mut findings = Diagnostics::new();
                    if let Ok(job) = print_job(doc, &l, &BuildArgs::default(), &mut findings) {
                        findings.retain(|d| d.code != "uncovered-char");
                        l.diags.extend(findings);
                        measure_finding(doc, &job, &mut l.diags);
                    }
                }
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
            Ok(l)
        })
        .collect();
    let mut failed = false;
    for l in loaded {
        let l = l?;
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
