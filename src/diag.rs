//! Diagnostics: what the user did wrong, where, and how to say it.
//!
//! Input: byte [`Span`]s into a [`Source`]. Output: human-readable reports in the
//! `file:line:col: severity[code]: message` form followed by the source line and a
//! caret, or one JSON object per diagnostic for CI. Nothing here reads files or
//! decides exit codes; the CLI does both.

use std::fmt::Write as _;

/// A byte range into a manuscript's full text (front matter included).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from a byte range.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end: end.max(start) }
    }

    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Self {
        Span::new(r.start, r.end)
    }
}

/// How bad a finding is. Errors make the build fail and write nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Reported; the build goes on and exits 0.
    Warning,
    /// Reported; nothing is written and the exit code is 1.
    Error,
}

impl Severity {
    /// The word printed before the code.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One finding, located in the manuscript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Warning or error.
    pub severity: Severity,
    /// A stable kebab-case code (`undefined-note`), for `check: {allow: [...]}` and CI.
    pub code: &'static str,
    /// Where in the manuscript.
    pub span: Span,
    /// One line, lower case, no final full stop (the rustc convention).
    pub message: String,
    /// Extra lines printed as `= help: ...`.
    pub hints: Vec<String>,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            span,
            message: message.into(),
            hints: Vec::new(),
        }
    }

    /// A warning at `span`.
    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, span, message)
        }
    }

    /// Adds a `help:` line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }
}

/// The findings of one manuscript, in the order they were made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// No findings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one finding.
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    /// Records an error.
    pub fn error(&mut self, code: &'static str, span: Span, message: impl Into<String>) {
        self.push(Diagnostic::error(code, span, message));
    }

    /// Records a warning.
    pub fn warning(
        &mut self,
        code: &'static str,
        span: Span,
        message: impl Into<String>,
    ) {
        self.push(Diagnostic::warning(code, span, message));
    }

    /// Appends another sink's findings.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// True when any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.severity == Severity::Error).count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.items.iter().filter(|d| d.severity == Severity::Warning).count()
    }

    /// True when there are no findings.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The findings sorted by position (stable for equal positions), as printed.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut v: Vec<&Diagnostic> = self.items.iter().collect();
        v.sort_by_key(|d| d.span.start);
        v
    }

    /// Iterates in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Drops findings whose code the manuscript allows.
    pub fn retain(&mut self, keep: impl FnMut(&Diagnostic) -> bool) {
        self.items.retain(keep);
    }
}

/// A manuscript's text with its display name and line index.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as the user gave it (used in diagnostics).
    pub name: String,
    /// The whole file, front matter included (and, for a book in several files,
    /// each chapter file's text after it).
    pub text: String,
    line_starts: Vec<usize>,
    /// The chapter files joined after the main file, in order.
    parts: Vec<Part>,
}

/// A chapter file's text inside a [`Source`]: where it starts, in the joined text
/// and in its own file, so that diagnostics name the file and its line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Part {
    /// The file, as diagnostics name it.
    name: String,
    /// Byte offset of its text in the joined text (a line start).
    at: usize,
    /// The joined text's 0-based line at `at`.
    line: usize,
    /// The 1-based line of its own file its text starts on (after its front matter).
    first_line: usize,
}

impl Source {
    /// A source from text already known to be UTF-8.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Source { name: name.into(), text, line_starts, parts: Vec::new() }
    }

    /// Appends a chapter file's text (from its line `first_line`) after a blank
    /// line, so that its first block never runs on from the text before it.
    pub fn append_part(
        &mut self,
        name: impl Into<String>,
        text: &str,
        first_line: usize,
    ) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
        self.text.push('\n');
        let at = self.text.len();
        self.text.push_str(text);
        self.line_starts = vec![0];
        self.line_starts.extend(self.text.match_indices('\n').map(|(i, _)| i + 1));
        let line = self.line_starts.partition_point(|&s| s <= at) - 1;
        self.parts.push(Part { name: name.into(), at, line, first_line });
    }

    /// The file, its 1-based line and column (in characters) of a byte offset of
    /// the joined text: the main file's, or a chapter file's own.
    pub fn locate(&self, byte: usize) -> (&str, usize, usize) {
        let (line, col) = self.line_col(byte);
        match self.parts.iter().rev().find(|p| p.at <= byte) {
            Some(p) => (&p.name, line - 1 - p.line + p.first_line, col),
            None => (&self.name, line, col),
        }
    }

    /// A source from raw bytes. Bytes that are not UTF-8 are an error located at the
    /// first bad byte, never silently replaced: the returned source then holds a lossy
    /// copy of the text only so that the offending line can be shown.
    pub fn from_bytes(
        name: impl Into<String>,
        bytes: &[u8],
    ) -> (Source, Option<Diagnostic>) {
        match std::str::from_utf8(bytes) {
            Ok(s) => (Source::new(name, s), None),
            Err(e) => {
                // The prefix up to `valid_up_to` is byte-identical in the lossy copy, so
                // the offset still points at the first bad byte.
                let at = e.valid_up_to();
                let src = Source::new(name, String::from_utf8_lossy(bytes).into_owned());
                let d = Diagnostic::error(
                    "not-utf8",
                    Span::new(at, at + 1),
                    format!(
                        "the manuscript is not valid UTF-8: byte 0x{:02X} at offset {at}",
                        bytes[at]
                    ),
                )
                .with_hint("save the file as UTF-8");
                (src, Some(d))
            }
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, byte: usize) -> (usize, usize) {
        let byte = byte.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= byte) - 1;
        let start = self.line_starts[line];
        let col = self.text.get(start..byte).map_or(byte - start, |s| s.chars().count());
        (line + 1, col + 1)
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self.line_starts.get(line).map_or(self.text.len(), |&e| e);
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }
}

/// The widest stretch of a source line a diagnostic shows, in characters.
pub const WINDOW: usize = 100;

/// Renders one diagnostic as rustc-style text: a located headline, the source line
/// and a caret under the span. A line wider than [`WINDOW`] characters is shown as a
/// window around the column, `…` where it is cut, as rustc does.
pub fn render_human(src: &Source, d: &Diagnostic) -> String {
    let (line, col) = src.line_col(d.span.start);
    let (file, shown_line, _) = src.locate(d.span.start);
    let mut out = format!(
        "{file}:{shown_line}:{col}: {}[{}]: {}\n",
        d.severity.as_str(),
        d.code,
        d.message
    );
    let text: Vec<char> = src.line_text(line).chars().collect();
    let num = shown_line.to_string();
    let pad = " ".repeat(num.len());
    // The caret runs to the end of the span or of the line, whichever comes first.
    let (end_line, end_col) = src.line_col(d.span.end);
    let width = if end_line == line {
        end_col.saturating_sub(col).max(1)
    } else {
        (text.len() + 1).saturating_sub(col).max(1)
    };
    let (shown, caret_at, width) = window(&text, col - 1, width);
    let _ = writeln!(out, "{num} | {shown}");
    let _ = writeln!(out, "{pad} | {}{}", " ".repeat(caret_at), "^".repeat(width));
    for h in &d.hints {
        let _ = writeln!(out, "{pad} = help: {h}");
    }
    out
}

/// The part of a line to show for a span starting at character `at`, `width` wide:
/// the whole line when it fits the window, else [`WINDOW`] characters starting a
/// little before the span, with `…` where the line is cut. Returns the text shown,
/// the caret's offset in it and the caret's width (cut at the window's end).
fn window(text: &[char], at: usize, width: usize) -> (String, usize, usize) {
    if text.len() <= WINDOW {
        return (text.iter().collect(), at, width);
    }
    let start = at.saturating_sub(WINDOW / 3).min(text.len() - WINDOW);
    let end = start + WINDOW;
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    shown.extend(&text[start..end]);
    if end < text.len() {
        shown.push('…');
    }
    let caret_at = at - start + usize::from(start > 0);
    let width = width.min(end.saturating_sub(at)).max(1);
    (shown, caret_at, width)
}

/// One diagnostic as JSON, with exact positions whatever the line's length.
#[derive(serde::Serialize)]
struct JsonDiagnostic<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    severity: &'a str,
    code: &'a str,
    message: &'a str,
    hints: &'a [String],
}

/// Renders one diagnostic as a single-line JSON object (`--message-format json`).
pub fn render_json(src: &Source, d: &Diagnostic) -> String {
    let (file, line, column) = src.locate(d.span.start);
    let (_, end_line, end_column) = src.locate(d.span.end);
    let j = JsonDiagnostic {
        file,
        line,
        column,
        end_line,
        end_column,
        severity: d.severity.as_str(),
        code: d.code,
        message: &d.message,
        hints: &d.hints,
    };
    serde_json::to_string(&j).unwrap_or_default()
}

/// Renders one diagnostic as a GitHub Actions workflow command
/// (`::warning file=…,line=…,col=…,endLine=…,endColumn=…,title=code::message`), the
/// values escaped as the Actions toolkit does (`%`, CR, LF, and in properties `:` and
/// `,`).
pub fn render_github(src: &Source, d: &Diagnostic) -> String {
    let (file, line, col) = src.locate(d.span.start);
    let (_, end_line, end_col) = src.locate(d.span.end);
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let data = |s: &str| s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    let prop = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    let mut message = d.message.clone();
    for h in &d.hints {
        message.push_str("\nhelp: ");
        message.push_str(h);
    }
    format!(
        "::{level} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}",
        prop(file),
        prop(d.code),
        data(&message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let s = Source::new("a.md", "ab\nçd[^x]\n");
        assert_eq!(s.line_col(0), (1, 1));
        assert_eq!(s.line_col(3), (2, 1));
        // 'ç' is two bytes: "[^x]" starts at byte 6, the third character.
        assert_eq!(s.line_col(6), (2, 3));
        assert_eq!(s.line_text(2), "çd[^x]");
    }

    #[test]
    fn human_rendering_has_location_source_line_and_caret() {
        let s = Source::new("m.md", "one\ntwo [^x] three\n");
        let d = Diagnostic::error("undefined-note", Span::new(8, 12), "no note [^x]");
        assert_eq!(
            render_human(&s, &d),
            "m.md:2:5: error[undefined-note]: no note [^x]\n2 | two [^x] three\n  |     ^^^^\n"
        );
    }

    #[test]
    fn bad_utf8_is_located_at_the_first_bad_byte() {
        let (src, d) = Source::from_bytes("b.md", b"ok\nfine\nbad \xff here\n");
        let d = d.unwrap();
        assert_eq!(src.line_col(d.span.start), (3, 5));
        assert!(d.message.contains("0xFF"));
    }

    #[test]
    fn a_long_line_is_shown_as_a_window_around_the_column() {
        let line = "word ".repeat(400);
        let s = Source::new("l.md", format!("{line}\n"));
        let at = 1500;
        let d = Diagnostic::warning("x", Span::new(at, at + 4), "here");
        let out = render_human(&s, &d);
        let shown: Vec<&str> = out.lines().collect();
        assert!(shown[1].starts_with("1 | …") && shown[1].ends_with('…'), "{out}");
        assert!(shown[1].chars().count() <= WINDOW + 6, "{}", shown[1].len());
        // The caret stands under the span: the same column in both lines.
        let caret = shown[2].find('^').unwrap();
        let under: String = shown[1].chars().skip(caret).take(4).collect();
        assert_eq!(under, "word", "{out}");
        assert_eq!(shown[2].matches('^').count(), 4);
        // JSON keeps the exact column.
        assert!(render_json(&s, &d).contains("\"column\":1501"));
    }

    #[test]
    fn github_annotations_escape_their_values() {
        let s = Source::new("a,b.md", "x\n");
        let d =
            Diagnostic::warning("c", Span::new(0, 1), "50% done\nnext").with_hint("h");
        assert_eq!(
            render_github(&s, &d),
            "::warning file=a%2Cb.md,line=1,col=1,endLine=1,endColumn=2,title=c::50%25 done%0Anext%0Ahelp: h"
        );
    }

    #[test]
    fn json_is_one_escaped_line() {
        let s = Source::new("q\"m.md", "x\n");
        let d = Diagnostic::warning("c", Span::new(0, 1), "a \"b\"\nc");
        let j = render_json(&s, &d);
        assert!(!j.contains('\n'));
        assert!(j.contains(r#""message":"a \"b\"\nc""#));
        assert!(j.contains(r#""file":"q\"m.md""#));
    }
}
