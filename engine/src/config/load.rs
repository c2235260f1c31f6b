//! Reading a module directory into a [`Module`]: every `.tf` and `.tf.json` file of the
//! directory in lexical order, override files merged last, and (for a module tree) the
//! local modules it calls, recursively.
//!
//! File names in diagnostics are the directory joined with the file name, without a
//! leading `./`: load `.` to get Terraform's `main.tf`, `modules/x/main.tf`, ...

mod decode;
mod json;
mod merge;
mod raw;
mod schema;

use super::Module;
use crate::diag::{Diagnostic, Diagnostics, SourceFile, SourceRange};
use raw::{quote, RawBody};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// Loads the module in `dir` (not its children).
pub fn load_module(dir: &Path) -> (Module, Diagnostics) {
    let mut diags = Diagnostics::new();
    let (module, _) = load_dir(dir, &mut diags);
    (module, diags)
}

/// Loads the module in `dir` and every local child module it calls, recursively.
pub fn load_module_tree(dir: &Path) -> (Module, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut callers = Vec::new();
    let module = load_tree(dir, &mut callers, &mut diags);
    (module, diags)
}

fn load_tree(dir: &Path, callers: &mut Vec<PathBuf>, diags: &mut Diagnostics) -> Module {
    let (mut module, sources) = load_dir(dir, diags);
    callers.push(std::fs::canonicalize(dir).unwrap_or_else(|_| clean_path(dir)));
    for call in module.module_calls.values_mut() {
        let source_range = sources
            .iter()
            .find(|(name, _)| *name == call.name)
            .and_then(|(_, r)| r.clone())
            .or_else(|| call.range.clone());
        if call.source.is_empty() {
            continue;
        }
        if !is_local_source(&call.source) {
            diags.push(
                Diagnostic::error(
                    "Module source not yet supported",
                    format!(
                        "Module {} has the source address {}, which terrane cannot install: \
                         terrane loads only local module paths (starting with \"./\" or \
                         \"../\") for now. Vendor the module into a local directory and use \
                         that directory's relative path as the source.",
                        quote(&call.name),
                        quote(&call.source)
                    ),
                )
                .at(source_range),
            );
            continue;
        }
        let child_dir = clean_path(&dir.join(&call.source));
        let problem = match std::fs::metadata(&child_dir) {
            Ok(meta) if meta.is_dir() => None,
            Ok(_) => Some("it is not a directory".to_string()),
            Err(e) => Some(e.to_string()),
        };
        if let Some(problem) = problem {
            diags.push(
                Diagnostic::error(
                    "Unreadable module directory",
                    format!(
                        "The module directory {} for module {} cannot be read: {problem}.",
                        child_dir.display(),
                        quote(&call.name)
                    ),
                )
                .at(source_range),
            );
            continue;
        }
        let identity = std::fs::canonicalize(&child_dir).unwrap_or_else(|_| child_dir.clone());
        if callers.contains(&identity) {
            diags.push(
                Diagnostic::error(
                    "Recursive module call",
                    format!(
                        "Module {} calls the module in {}, which is already being loaded by \
                         this call's own callers: a module cannot call itself, directly or \
                         indirectly.",
                        quote(&call.name),
                        child_dir.display()
                    ),
                )
                .at(source_range),
            );
            continue;
        }
        call.module = Some(Arc::new(load_tree(&child_dir, callers, diags)));
    }
    callers.pop();
    module
}

/// Whether a module source address is a local path.
fn is_local_source(source: &str) -> bool {
    ["./", "../", ".\\", "..\\"]
        .iter()
        .any(|prefix| source.starts_with(prefix))
}

/// Removes `.` components and resolves `..` against the components before it, without
/// touching the file system.
fn clean_path(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                let last_is_normal =
                    matches!(out.components().next_back(), Some(Component::Normal(_)));
                if last_is_normal {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            c => out.push(c),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// Whether Terraform ignores a file of a module directory (editor and hidden files).
fn is_ignored_file(name: &str) -> bool {
    name.starts_with('.') || name.ends_with('~') || (name.starts_with('#') && name.ends_with('#'))
}

/// Whether a configuration file is an override file (`override.tf`, `x_override.tf`, and
/// their `.tf.json` forms).
fn is_override_file(name: &str) -> bool {
    let stem = name
        .strip_suffix(".tf.json")
        .or_else(|| name.strip_suffix(".tf"))
        .unwrap_or(name);
    stem == "override" || stem.ends_with("_override")
}

/// The configuration files of a directory, in lexical order.
fn config_files(dir: &Path, diags: &mut Diagnostics) -> Vec<String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            diags.push(Diagnostic::error(
                "Failed to read module directory",
                format!(
                    "Module directory {} does not exist or cannot be read: {e}.",
                    dir.display()
                ),
            ));
            return Vec::new();
        }
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let wanted = (name.ends_with(".tf") || name.ends_with(".tf.json"))
                && !is_ignored_file(&name)
                && std::fs::metadata(entry.path()).is_ok_and(|m| m.is_file());
            wanted.then_some(name)
        })
        .collect();
    names.sort();
    names
}

fn load_dir(dir: &Path, diags: &mut Diagnostics) -> (Module, Vec<(String, Option<SourceRange>)>) {
    let mut module = Module {
        dir: dir.to_path_buf(),
        ..Module::default()
    };
    let names = config_files(dir, diags);
    let (override_names, primary_names): (Vec<String>, Vec<String>) =
        names.into_iter().partition(|n| is_override_file(n));
    let mut primaries = Vec::new();
    let mut overrides = Vec::new();
    for (names, items, is_override) in [
        (primary_names, &mut primaries, false),
        (override_names, &mut overrides, true),
    ] {
        for name in names {
            let display = clean_path(&dir.join(&name)).to_string_lossy().into_owned();
            let Some((file, body)) = read_file(&dir.join(&name), &display, diags) else {
                continue;
            };
            items.push(decode::decode_file(&body, &file, is_override, diags));
            module.files.push(file);
        }
    }
    let sources = merge::assemble(&mut module, primaries, overrides, diags);
    (module, sources)
}

/// Reads and parses one file. The file is returned even when it has errors, so that
/// diagnostics can show its lines; `None` only when it could not be read at all.
fn read_file(
    path: &Path,
    display: &str,
    diags: &mut Diagnostics,
) -> Option<(Arc<SourceFile>, RawBody)> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            diags.push(Diagnostic::error(
                "Failed to read file",
                format!("The configuration file {display} could not be read: {e}."),
            ));
            return None;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let file = Arc::new(SourceFile::new(display, text));
            diags.push(
                Diagnostic::error(
                    "Invalid character encoding",
                    "All input files must be UTF-8 encoded. Ensure that UTF-8 encoding is \
                     selected in your editor.",
                )
                .at(Some(
                    file.range(offset..offset + char::REPLACEMENT_CHARACTER.len_utf8()),
                )),
            );
            return Some((file, RawBody::default()));
        }
    };
    let file = Arc::new(SourceFile::new(display, text));
    let body = if display.ends_with(".tf.json") {
        json::parse_json(&file, diags)
    } else {
        parse_native(&file, diags)
    };
    Some((file, body))
}

/// Parses a native-syntax file.
fn parse_native(file: &Arc<SourceFile>, diags: &mut Diagnostics) -> RawBody {
    let text: &str = &file.text;
    match std::panic::catch_unwind(|| hcl_edit::parser::parse_body(text)) {
        Ok(Ok(body)) => raw::from_hcl(&body, file),
        Ok(Err(e)) => {
            diags.push(syntax_error(file, e.message(), e.location().offset()));
            RawBody::default()
        }
        Err(_) => {
            diags.push(syntax_error(file, "the file could not be parsed", 0));
            RawBody::default()
        }
    }
}

/// A syntax error as a diagnostic, named as Terraform names the most common ones.
fn syntax_error(file: &SourceFile, message: &str, offset: usize) -> Diagnostic {
    let text: &str = &file.text;
    let mut offset = offset.min(text.len());
    // The parser may report a byte offset inside a multi-byte character.
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let end = text[offset..]
        .chars()
        .next()
        .map_or(offset, |c| offset + c.len_utf8());
    let at_end = text[offset..].trim().is_empty();
    let (summary, detail) = if message.contains("redefined attribute") {
        let name: String = text[offset..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        let detail = match previous_definition(file, &name, offset) {
            Some(at) => format!(
                "The argument {} was already set at {}. Each argument may be set only once.",
                quote(&name),
                raw::range_text(&Some(file.range(at..at + name.len())))
            ),
            None => format!(
                "The argument {} was already set. Each argument may be set only once.",
                quote(&name)
            ),
        };
        ("Attribute redefined", detail)
    } else if at_end {
        let eof = text.len();
        return Diagnostic::error(
            "Argument or block definition required",
            "An argument or block definition is required here.",
        )
        .at(Some(file.range(eof..eof)));
    } else if message.starts_with("invalid block body") || message.starts_with("invalid body") {
        (
            "Argument or block definition required",
            capitalized(message),
        )
    } else if message.starts_with("invalid expression") || message.starts_with("expected") {
        ("Invalid expression", capitalized(message))
    } else {
        ("Invalid syntax", capitalized(message))
    };
    Diagnostic::error(summary, detail).at(Some(file.range(offset..end)))
}

/// Where an attribute redefined at `offset` was first set: the closest earlier line that
/// starts with the same name followed by `=`.
fn previous_definition(file: &SourceFile, name: &str, offset: usize) -> Option<usize> {
    if name.is_empty() {
        return None;
    }
    let before = file.text.get(..offset)?;
    let mut line_start = before.len();
    loop {
        let start = before[..line_start.saturating_sub(1)]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let line = &before[start..line_start];
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(name) {
            if rest.trim_start().starts_with('=') && !rest.trim_start().starts_with("==") {
                return Some(start + (line.len() - trimmed.len()));
            }
        }
        if start == 0 {
            return None;
        }
        line_start = start;
    }
}

fn capitalized(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests;
