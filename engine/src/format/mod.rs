//! Terraform's canonical formatting of configuration files, as `terraform fmt` does it.
//!
//! This reproduces Terraform 1.x exactly: the file must first parse as HCL native syntax
//! (otherwise it is refused with the first syntax error), then its tokens are re-spaced by
//! the rules of HCL's `hclwrite` formatter (indentation, spaces between tokens, alignment of
//! `=` and of trailing comments), after `terraform fmt`'s own rewrites (interpolation-only
//! strings unwrapped, legacy type keywords completed, block labels quoted).
//!
//! The result is what `terraform fmt` writes to a file. Printing to standard output, as
//! `terraform fmt -` does, additionally ends the text with exactly one newline: see
//! [`as_stdout_text`].

mod layout;
mod lexer;
mod parser;
mod rewrite;

use std::fmt;
use unicode_segmentation::UnicodeSegmentation;

/// Why a file cannot be formatted: it is not valid HCL native syntax. Positions are
/// 1-based; columns count user-perceived characters (grapheme clusters), as HCL does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError {
    /// The short description, as Terraform's diagnostic summary ("Invalid expression").
    pub message: String,
    /// The longer explanation Terraform gives under the summary.
    pub detail: String,
    pub line: usize,
    pub column: usize,
}

impl FormatError {
    /// An error about the source text at byte offset `offset`.
    pub(crate) fn at(src: &str, offset: usize, message: &str, detail: &str) -> FormatError {
        let (line, column) = line_and_column(src, offset);
        FormatError {
            message: message.to_string(),
            detail: detail.to_string(),
            line,
            column,
        }
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.line, self.column, self.message, self.detail
        )
    }
}

impl std::error::Error for FormatError {}

/// Formats a whole configuration file (`.tf` or `.tfvars`, native syntax) the way
/// `terraform fmt` rewrites it.
pub fn format_source(src: &str) -> Result<String, FormatError> {
    let tokens = lexer::scan(src);
    if let Some(error) = lexer::first_invalid_token(src, &tokens) {
        return Err(error);
    }
    let structure = parser::parse(src, &tokens)?;
    let mut output = rewrite::rewrite(src, &tokens, &structure);
    layout::format(&mut output);
    Ok(layout::render(&output))
}

/// The text `terraform fmt -` prints for a formatted file: Terraform's output stream drops
/// one trailing newline and then always ends what it prints with one.
pub fn as_stdout_text(formatted: &str) -> String {
    let mut text = formatted
        .strip_suffix('\n')
        .unwrap_or(formatted)
        .to_string();
    text.push('\n');
    text
}

/// The 1-based line and column of a byte offset, as HCL counts them: lines end at `\n`,
/// columns count grapheme clusters, and a leading byte order mark takes no column.
fn line_and_column(src: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &src[..offset];
    let line = 1 + before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let mut line_text = &before[line_start..];
    if line_start == 0 {
        line_text = line_text.strip_prefix('\u{feff}').unwrap_or(line_text);
    }
    (line, 1 + columns(line_text))
}

/// How many columns text takes, counting grapheme clusters as HCL does.
///
/// HCL segments text by the rules of Unicode 13, which break between the consonants of an
/// Indic conjunct (such as "क्ष") that newer Unicode versions keep together; each consonant
/// joined that way counts as a column of its own here too.
fn columns(text: &str) -> usize {
    if text.is_ascii() {
        return text.len() - text.matches("\r\n").count();
    }
    text.graphemes(true)
        .map(|cluster| {
            let joined_consonants = cluster
                .chars()
                .skip(1)
                .filter(|&c| is_conjunct_consonant(c));
            1 + joined_consonants.count()
        })
        .sum()
}

/// Consonants of the scripts whose conjuncts Unicode 15.1 made single grapheme clusters.
fn is_conjunct_consonant(c: char) -> bool {
    matches!(
        c as u32,
        0x0915..=0x0939 // Devanagari
            | 0x0958..=0x095F
            | 0x0978..=0x097F
            | 0x0995..=0x09B9 // Bengali
            | 0x09DC..=0x09DF
            | 0x09F0..=0x09F1
            | 0x0A95..=0x0AB9 // Gujarati
            | 0x0AF9
            | 0x0B15..=0x0B39 // Oriya
            | 0x0B5C..=0x0B5F
            | 0x0B71
            | 0x0C15..=0x0C39 // Telugu
            | 0x0C58..=0x0C5A
            | 0x0D15..=0x0D3A // Malayalam
    )
}

#[cfg(test)]
mod tests;
