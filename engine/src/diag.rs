//! Diagnostics as Terraform reports them: a severity, a summary, a detail, and where in the
//! source the problem is (file, line, column, and the source line to show).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

/// A position in a source file; line and column count from 1, byte from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
    pub byte: usize,
}

/// A range of a source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceRange {
    pub filename: Arc<str>,
    pub start: Pos,
    pub end: Pos,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in the configuration or while evaluating it.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    pub range: Option<SourceRange>,
    /// The block the problem is in, as Terraform names it (`resource "a" "b"`), if any.
    pub context: Option<String>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            range: None,
            context: None,
        }
    }
    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(summary, detail)
        }
    }
    pub fn at(mut self, range: Option<SourceRange>) -> Diagnostic {
        if self.range.is_none() {
            self.range = range;
        }
        self
    }
    pub fn in_context(mut self, context: impl Into<String>) -> Diagnostic {
        if self.context.is_none() {
            self.context = Some(context.into());
        }
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A list of diagnostics.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics(Vec::new())
    }
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Diagnostics {
        Diagnostics(vec![d])
    }
}

/// One loaded source file, with its line starts for turning byte offsets into positions.
#[derive(Debug)]
pub struct SourceFile {
    pub name: Arc<str>,
    pub text: Arc<str>,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> SourceFile {
        let text: Arc<str> = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            name: name.into(),
            text,
            line_starts,
        }
    }
    /// The position of a byte offset (columns count characters, as Terraform's do).
    pub fn pos(&self, byte: usize) -> Pos {
        let byte = byte.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= byte) - 1;
        let start = self.line_starts[line];
        let column = self
            .text
            .get(start..byte)
            .map_or(byte - start, |s| s.chars().count())
            + 1;
        Pos {
            line: line + 1,
            column,
            byte,
        }
    }
    /// The range of a span of byte offsets.
    pub fn range(&self, span: std::ops::Range<usize>) -> SourceRange {
        SourceRange {
            filename: self.name.clone(),
            start: self.pos(span.start),
            end: self.pos(span.end),
        }
    }
    /// The text of a line (1-based), without its line ending.
    pub fn line(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        self.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }
}

/// All source files of a configuration, by name, for showing snippets.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    files: HashMap<Arc<str>, Arc<SourceFile>>,
}

impl Sources {
    pub fn add(&mut self, file: Arc<SourceFile>) {
        self.files.insert(file.name.clone(), file);
    }
    pub fn get(&self, name: &str) -> Option<&Arc<SourceFile>> {
        self.files.get(name)
    }

    /// Renders a diagnostic as Terraform does on a terminal without colour.
    pub fn render(&self, d: &Diagnostic) -> String {
        let mut out = String::new();
        let label = match d.severity {
            Severity::Error => "Error",
            Severity::Warning => "Warning",
        };
        let _ = writeln!(out, "╷");
        let _ = writeln!(out, "│ {label}: {}", d.summary);
        if let Some(r) = &d.range {
            let _ = writeln!(out, "│ ");
            let ctx = d
                .context
                .as_ref()
                .map(|c| format!(", in {c}"))
                .unwrap_or_default();
            let _ = writeln!(out, "│   on {} line {}{ctx}:", r.filename, r.start.line);
            if let Some(f) = self.get(&r.filename) {
                let text = f.line(r.start.line);
                let _ = writeln!(out, "│ {:>4}: {}", r.start.line, text);
                let width = if r.end.line == r.start.line {
                    r.end.column.saturating_sub(r.start.column).max(1)
                } else {
                    text.chars()
                        .count()
                        .saturating_sub(r.start.column - 1)
                        .max(1)
                };
                let _ = writeln!(
                    out,
                    "│       {}{}",
                    " ".repeat(r.start.column.saturating_sub(1)),
                    "^".repeat(width.min(120))
                );
            }
        }
        if !d.detail.is_empty() {
            let _ = writeln!(out, "│ ");
            for line in d.detail.lines() {
                let _ = writeln!(out, "│ {line}");
            }
        }
        let _ = writeln!(out, "╵");
        out
    }

    /// A diagnostic in the JSON form of `terraform validate -json`.
    pub fn to_json(&self, d: &Diagnostic) -> serde_json::Value {
        use serde_json::json;
        let mut obj = json!({
            "severity": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
            "summary": d.summary,
            "detail": d.detail,
        });
        if let Some(r) = &d.range {
            let pos = |p: &Pos| json!({"line": p.line, "column": p.column, "byte": p.byte});
            obj["range"] =
                json!({"filename": &*r.filename, "start": pos(&r.start), "end": pos(&r.end)});
            if let Some(f) = self.get(&r.filename) {
                let line = f.line(r.start.line);
                let start_off = line
                    .char_indices()
                    .nth(r.start.column - 1)
                    .map_or(line.len(), |(i, _)| i);
                let end_off = if r.end.line == r.start.line {
                    line.char_indices()
                        .nth(r.end.column - 1)
                        .map_or(line.len(), |(i, _)| i)
                } else {
                    line.len()
                };
                obj["snippet"] = json!({
                    "context": d.context,
                    "code": line,
                    "start_line": r.start.line,
                    "highlight_start_offset": start_off,
                    "highlight_end_offset": end_off.max(start_off),
                    "values": [],
                });
            }
        }
        obj
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let f = SourceFile::new("a.tf", "ab\nçd = 1\n");
        assert_eq!(
            f.pos(0),
            Pos {
                line: 1,
                column: 1,
                byte: 0
            }
        );
        assert_eq!(
            f.pos(3),
            Pos {
                line: 2,
                column: 1,
                byte: 3
            }
        );
        assert_eq!(
            f.pos(5),
            Pos {
                line: 2,
                column: 2,
                byte: 5
            }
        );
        assert_eq!(f.line(2), "çd = 1");
    }

    #[test]
    fn render_shows_the_source_line() {
        let mut s = Sources::default();
        let f = Arc::new(SourceFile::new("main.tf", "locals {\n  a = b\n}\n"));
        s.add(f.clone());
        let d = Diagnostic::error("Bad", "Detail here.").at(Some(f.range(15..16)));
        let text = s.render(&d);
        assert!(text.contains("on main.tf line 2"), "{text}");
        assert!(text.contains("   2:   a = b"), "{text}");
    }
}
