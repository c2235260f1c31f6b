//! The tokenizer for HCL native syntax that the formatter works on.
//!
//! It splits source text into exactly the tokens Terraform's HCL scanner produces (the same
//! kinds, the same boundaries), because Terraform's formatter decides every space from the
//! kinds of neighbouring tokens. Whitespace between tokens is not a token: a token only
//! records its byte range, and the gap before it is what remains of the original spacing.

use super::FormatError;
use unicode_ident::{is_xid_continue, is_xid_start};

/// What a token is. The names follow HCL's scanner token types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenKind {
    OBrace,
    CBrace,
    OBrack,
    CBrack,
    OParen,
    CParen,
    OQuote,
    CQuote,
    OHeredoc,
    CHeredoc,
    Star,
    Slash,
    Plus,
    Minus,
    Percent,
    Equal,
    EqualOp,
    NotEqual,
    LessThan,
    LessThanEq,
    GreaterThan,
    GreaterThanEq,
    And,
    Or,
    Bang,
    Dot,
    Comma,
    Ellipsis,
    FatArrow,
    Question,
    Colon,
    TemplateInterp,
    TemplateControl,
    TemplateSeqEnd,
    /// Literal text of a quoted template; may contain backslash escapes.
    QuotedLit,
    /// Literal text of a heredoc template, verbatim.
    StringLit,
    NumberLit,
    Ident,
    /// A `#` or `//` comment (including its terminating newline) or a `/* */` comment.
    Comment,
    Newline,
    Eof,
    BitwiseAnd,
    BitwiseOr,
    BitwiseNot,
    BitwiseXor,
    Apostrophe,
    Backtick,
    Semicolon,
    Invalid,
    /// A line break inside a quoted string, which is always an error.
    QuotedNewline,
}

/// One token: its kind and its byte range in the source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        src.get(self.start..self.end).unwrap_or("")
    }
}

/// Whether a comment token ends its line, as `#` and `//` comments do by swallowing the
/// newline that ends them.
pub(crate) fn comment_ends_line(text: &str) -> bool {
    text.ends_with('\n')
}

const UTF8_BOM: &str = "\u{feff}";

/// Splits the whole source into tokens, always ending with an [`TokenKind::Eof`] token.
pub(crate) fn scan(src: &str) -> Vec<Token> {
    let start = if src.starts_with(UTF8_BOM) {
        UTF8_BOM.len()
    } else {
        0
    };
    let mut scanner = Scanner {
        src,
        bytes: src.as_bytes(),
        pos: start,
        tokens: Vec::new(),
        modes: vec![Mode::Main],
        heredocs: Vec::new(),
        braces: 0,
        template_braces: Vec::new(),
    };
    scanner.run();
    let end = src.len();
    scanner.tokens.push(Token {
        kind: TokenKind::Eof,
        start: end,
        end,
    });
    scanner.tokens
}

/// The first token that HCL rejects whatever its context (stray characters, unsupported
/// operators, line breaks inside quoted strings), as an error.
pub(crate) fn first_invalid_token(src: &str, tokens: &[Token]) -> Option<FormatError> {
    tokens.iter().find_map(|token| {
        let (summary, detail) = match token.kind {
            TokenKind::BitwiseAnd => (
                "Unsupported operator",
                "Bitwise operators are not supported. Did you mean boolean AND (\"&&\")?",
            ),
            TokenKind::BitwiseOr => (
                "Unsupported operator",
                "Bitwise operators are not supported. Did you mean boolean OR (\"||\")?",
            ),
            TokenKind::BitwiseNot => (
                "Unsupported operator",
                "Bitwise operators are not supported. Did you mean boolean NOT (\"!\")?",
            ),
            TokenKind::BitwiseXor => (
                "Unsupported operator",
                "Bitwise operators are not supported.",
            ),
            TokenKind::Backtick => (
                "Invalid character",
                "The \"`\" character is not valid. To create a multi-line string, use the \"heredoc\" syntax, like \"<<EOT\".",
            ),
            TokenKind::Apostrophe => (
                "Invalid character",
                "Single quotes are not valid. Use double quotes (\") to enclose strings.",
            ),
            TokenKind::Semicolon => (
                "Invalid character",
                "The \";\" character is not valid. Use newlines to separate arguments and blocks, and commas to separate items in collection values.",
            ),
            TokenKind::QuotedNewline => (
                "Invalid multi-line string",
                "Quoted strings may not be split over multiple lines. To produce a multi-line string, either use the \\n escape to represent a newline character or use the \"heredoc\" multi-line template syntax.",
            ),
            TokenKind::Invalid => match token.text(src) {
                "\u{201c}" | "\u{201d}" => (
                    "Invalid character",
                    "\"Curly quotes\" are not valid here. These can sometimes be inadvertently introduced when sharing code via documents or discussion forums. It might help to replace the character with a \"straight quote\".",
                ),
                _ => (
                    "Invalid character",
                    "This character is not used within the language.",
                ),
            },
            _ => return None,
        };
        Some(FormatError::at(src, token.start, summary, detail))
    })
}

/// What the scanner is looking at: ordinary syntax, the inside of a quoted string, or the
/// body of a heredoc.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Main,
    Quoted,
    Heredoc,
}

/// A heredoc whose closing marker has not been seen yet.
struct OpenHeredoc {
    marker_start: usize,
    marker_end: usize,
    at_start_of_line: bool,
}

struct Scanner<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
    modes: Vec<Mode>,
    heredocs: Vec<OpenHeredoc>,
    /// How many braces (of any kind, including template sequence openers) are open.
    braces: i64,
    /// The brace depth at which each open template sequence (`${`, `%{`) closes.
    template_braces: Vec<i64>,
}

impl Scanner<'_> {
    fn run(&mut self) {
        while self.pos < self.bytes.len() {
            let mode = self.modes.last().copied().unwrap_or(Mode::Main);
            let keep_going = match mode {
                Mode::Main => self.scan_main(),
                Mode::Quoted => self.scan_quoted(),
                Mode::Heredoc => self.scan_heredoc(),
            };
            if !keep_going {
                break;
            }
        }
    }

    fn byte_at(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    fn char_at(&self, at: usize) -> Option<char> {
        self.src.get(at..).and_then(|rest| rest.chars().next())
    }

    fn emit(&mut self, kind: TokenKind, start: usize, end: usize) {
        self.tokens.push(Token { kind, start, end });
        self.pos = end;
    }

    /// Scanning cannot go on (HCL's scanner reached a state it has no way out of): the rest
    /// of the input becomes one invalid token.
    fn give_up(&mut self, start: usize) -> bool {
        let end = self.bytes.len();
        self.emit(TokenKind::Invalid, start, end);
        false
    }

    fn pop_mode(&mut self) {
        if self.modes.len() > 1 {
            self.modes.pop();
        }
    }

    fn ident_end(&self, start: usize) -> Option<usize> {
        let first = self.char_at(start)?;
        if first != '_' && !is_xid_start(first) {
            return None;
        }
        let mut end = start + first.len_utf8();
        while let Some(c) = self.char_at(end) {
            if c == '-' || is_xid_continue(c) {
                end += c.len_utf8();
            } else {
                break;
            }
        }
        Some(end)
    }

    fn begin_template_sequence(&mut self, kind: TokenKind) {
        let start = self.pos;
        let mut end = start + 2;
        if self.byte_at(end) == Some(b'~') {
            end += 1;
        }
        self.emit(kind, start, end);
        self.braces += 1;
        self.template_braces.push(self.braces);
        if let Some(heredoc) = self.heredocs.last_mut() {
            heredoc.at_start_of_line = false;
        }
        self.modes.push(Mode::Main);
    }

    /// Closes a brace (`}` or `~}`): the end of a template sequence if it balances the
    /// sequence's opener, otherwise an ordinary closing brace.
    fn close_brace(&mut self, width: usize) {
        let start = self.pos;
        let closes_sequence = self.template_braces.last() == Some(&self.braces);
        if closes_sequence {
            self.emit(TokenKind::TemplateSeqEnd, start, start + width);
            self.braces -= 1;
            self.template_braces.pop();
            self.pop_mode();
        } else {
            // A `~}` that closes no template sequence is still scanned as one, so that the
            // parser reports it.
            let kind = if width == 2 {
                TokenKind::TemplateSeqEnd
            } else {
                TokenKind::CBrace
            };
            self.emit(kind, start, start + width);
            self.braces -= 1;
        }
    }

    fn scan_main(&mut self) -> bool {
        let start = self.pos;
        let Some(byte) = self.byte_at(start) else {
            return false;
        };
        let next = self.byte_at(start + 1);
        use TokenKind::*;
        match byte {
            b' ' | b'\t' => {
                let mut end = start + 1;
                while matches!(self.byte_at(end), Some(b' ' | b'\t')) {
                    end += 1;
                }
                self.pos = end;
            }
            b'0'..=b'9' => {
                let end = self.number_end(start);
                self.emit(NumberLit, start, end);
            }
            b'#' => self.line_comment(start),
            b'/' if next == Some(b'/') => self.line_comment(start),
            b'/' if next == Some(b'*') => {
                match self.src.get(start + 2..).and_then(|rest| rest.find("*/")) {
                    Some(offset) => self.emit(Comment, start, start + 2 + offset + 2),
                    None => self.emit(Slash, start, start + 1),
                }
            }
            b'\n' => self.emit(Newline, start, start + 1),
            b'\r' if next == Some(b'\n') => self.emit(Newline, start, start + 2),
            b'=' => match next {
                Some(b'=') => self.emit(EqualOp, start, start + 2),
                Some(b'>') => self.emit(FatArrow, start, start + 2),
                _ => self.emit(Equal, start, start + 1),
            },
            b'!' if next == Some(b'=') => self.emit(NotEqual, start, start + 2),
            b'>' if next == Some(b'=') => self.emit(GreaterThanEq, start, start + 2),
            b'<' if next == Some(b'=') => self.emit(LessThanEq, start, start + 2),
            b'<' if next == Some(b'<') => {
                if !self.heredoc_opener(start) {
                    self.emit(LessThan, start, start + 1);
                }
            }
            b'&' if next == Some(b'&') => self.emit(And, start, start + 2),
            b'|' if next == Some(b'|') => self.emit(Or, start, start + 2),
            b'.' if next == Some(b'.') && self.byte_at(start + 2) == Some(b'.') => {
                self.emit(Ellipsis, start, start + 3)
            }
            b'~' if next == Some(b'}') => self.close_brace(2),
            b'{' => {
                self.emit(OBrace, start, start + 1);
                self.braces += 1;
            }
            b'}' => self.close_brace(1),
            b'"' => {
                self.emit(OQuote, start, start + 1);
                self.modes.push(Mode::Quoted);
            }
            _ => {
                let single = match byte {
                    b'[' => Some(OBrack),
                    b']' => Some(CBrack),
                    b'(' => Some(OParen),
                    b')' => Some(CParen),
                    b'.' => Some(Dot),
                    b',' => Some(Comma),
                    b'*' => Some(Star),
                    b'/' => Some(Slash),
                    b'%' => Some(Percent),
                    b'+' => Some(Plus),
                    b'-' => Some(Minus),
                    b'=' => Some(Equal),
                    b'<' => Some(LessThan),
                    b'>' => Some(GreaterThan),
                    b'!' => Some(Bang),
                    b'?' => Some(Question),
                    b':' => Some(Colon),
                    b'&' => Some(BitwiseAnd),
                    b'|' => Some(BitwiseOr),
                    b'~' => Some(BitwiseNot),
                    b'^' => Some(BitwiseXor),
                    b';' => Some(Semicolon),
                    b'`' => Some(Backtick),
                    b'\'' => Some(Apostrophe),
                    _ => None,
                };
                if let Some(kind) = single {
                    self.emit(kind, start, start + 1);
                } else if let Some(end) = self.ident_end(start) {
                    self.emit(Ident, start, end);
                } else {
                    let width = self.char_at(start).map_or(1, char::len_utf8);
                    self.emit(Invalid, start, start + width);
                }
            }
        }
        true
    }

    /// The end of the longest number literal at `start`: digits, then any run of digits,
    /// dots and exponents (`e5`, `E+5`, `e-5`) that does not end with a dot.
    fn number_end(&self, start: usize) -> usize {
        let mut at = start + 1;
        let mut end = at;
        loop {
            match self.byte_at(at) {
                Some(b'0'..=b'9') => {
                    at += 1;
                    end = at;
                }
                Some(b'.') => at += 1,
                Some(b'e' | b'E') => {
                    let mut digit_at = at + 1;
                    if matches!(self.byte_at(digit_at), Some(b'+' | b'-')) {
                        digit_at += 1;
                    }
                    if matches!(self.byte_at(digit_at), Some(b'0'..=b'9')) {
                        at = digit_at + 1;
                        end = at;
                    } else {
                        break;
                    }
                }
                _ => break,
            }
        }
        end
    }

    fn line_comment(&mut self, start: usize) {
        let end = match self.src.get(start..).and_then(|rest| rest.find('\n')) {
            Some(offset) => start + offset + 1,
            None => self.bytes.len(),
        };
        self.emit(TokenKind::Comment, start, end);
    }

    /// Scans `<<MARKER` or `<<-MARKER` followed by a newline, if that is what is at `start`.
    fn heredoc_opener(&mut self, start: usize) -> bool {
        let mut at = start + 2;
        if self.byte_at(at) == Some(b'-') {
            at += 1;
        }
        let Some(marker_end) = self.ident_end(at) else {
            return false;
        };
        let end = match (self.byte_at(marker_end), self.byte_at(marker_end + 1)) {
            (Some(b'\n'), _) => marker_end + 1,
            (Some(b'\r'), Some(b'\n')) => marker_end + 2,
            _ => return false,
        };
        self.emit(TokenKind::OHeredoc, start, end);
        self.heredocs.push(OpenHeredoc {
            marker_start: at,
            marker_end,
            at_start_of_line: true,
        });
        self.modes.push(Mode::Heredoc);
        true
    }

    fn scan_quoted(&mut self) -> bool {
        let start = self.pos;
        let Some(byte) = self.byte_at(start) else {
            return false;
        };
        let next = self.byte_at(start + 1);
        match byte {
            b'$' if next == Some(b'{') => self.begin_template_sequence(TokenKind::TemplateInterp),
            b'%' if next == Some(b'{') => self.begin_template_sequence(TokenKind::TemplateControl),
            b'"' => {
                self.emit(TokenKind::CQuote, start, start + 1);
                self.pop_mode();
            }
            b'\r' | b'\n' => {
                let mut end = start + 1;
                while matches!(self.byte_at(end), Some(b'\r' | b'\n')) {
                    end += 1;
                }
                self.emit(TokenKind::QuotedNewline, start, end);
            }
            b'$' | b'%' => match self.escaped_introducer_end(start) {
                Some(end) => self.emit(TokenKind::QuotedLit, start, end),
                None => return self.give_up(start),
            },
            _ => {
                let end = self.quoted_literal_end(start);
                if end > start {
                    self.emit(TokenKind::QuotedLit, start, end);
                } else {
                    // A backslash with nothing it could escape.
                    self.emit(TokenKind::Invalid, start, start + 1);
                }
            }
        }
        true
    }

    /// At a `$` or `%` that does not open a template sequence: the end of the literal token
    /// it starts, which is `$${` (optionally with `~`) as a whole or the lone symbol. `None`
    /// when the symbol is the last character of the input.
    fn escaped_introducer_end(&self, start: usize) -> Option<usize> {
        let symbol = self.byte_at(start)?;
        let next = self.byte_at(start + 1)?;
        if next == symbol && self.byte_at(start + 2) == Some(b'{') {
            let end = start + 3;
            return Some(if self.byte_at(end) == Some(b'~') {
                end + 1
            } else {
                end
            });
        }
        Some(start + 1)
    }

    /// The end of a run of quoted-string characters: anything but `$`, `%`, `"`, line
    /// breaks and backslashes, where a backslash and the character after it count as one.
    fn quoted_literal_end(&self, start: usize) -> usize {
        let mut at = start;
        while let Some(c) = self.char_at(at) {
            match c {
                '$' | '%' | '"' | '\r' | '\n' => break,
                '\\' => match self.char_at(at + 1) {
                    Some(escaped) if escaped != '\r' && escaped != '\n' => {
                        at += 1 + escaped.len_utf8();
                    }
                    _ => break,
                },
                _ => at += c.len_utf8(),
            }
        }
        at
    }

    fn scan_heredoc(&mut self) -> bool {
        let start = self.pos;
        let Some(byte) = self.byte_at(start) else {
            return false;
        };
        let next = self.byte_at(start + 1);
        if byte == b'$' && next == Some(b'{') {
            self.begin_template_sequence(TokenKind::TemplateInterp);
            return true;
        }
        if byte == b'%' && next == Some(b'{') {
            self.begin_template_sequence(TokenKind::TemplateControl);
            return true;
        }
        let mut at = start;
        loop {
            let Some(byte) = self.byte_at(at) else {
                self.heredoc_midline(start, at);
                return false;
            };
            match byte {
                b'\n' => return self.heredoc_line_end(start, at, at + 1),
                b'\r' if self.byte_at(at + 1) == Some(b'\n') => {
                    return self.heredoc_line_end(start, at, at + 2)
                }
                b'\r' => {
                    self.heredoc_midline(start, at);
                    return self.give_up(at);
                }
                b'$' | b'%' => {
                    if self.byte_at(at + 1) == Some(b'{') {
                        self.heredoc_midline(start, at);
                        return true;
                    }
                    match self.escaped_introducer_end(at) {
                        Some(end) => at = end,
                        None => {
                            self.heredoc_midline(start, at);
                            return self.give_up(at);
                        }
                    }
                }
                _ => at += self.char_at(at).map_or(1, char::len_utf8),
            }
        }
    }

    /// Literal heredoc text that does not reach the end of its line.
    fn heredoc_midline(&mut self, start: usize, end: usize) {
        if end > start {
            self.emit(TokenKind::StringLit, start, end);
            if let Some(heredoc) = self.heredocs.last_mut() {
                heredoc.at_start_of_line = false;
            }
        }
    }

    /// Literal heredoc text up to and including a line break: either the closing marker (a
    /// whole line holding only the marker and spaces), or more of the heredoc's content.
    fn heredoc_line_end(&mut self, start: usize, newline_start: usize, end: usize) -> bool {
        let is_marker = self.heredocs.last().is_some_and(|heredoc| {
            heredoc.at_start_of_line
                && self.src.get(start..end).map(str::trim)
                    == self.src.get(heredoc.marker_start..heredoc.marker_end)
        });
        if is_marker {
            self.emit(TokenKind::CHeredoc, start, newline_start);
            self.emit(TokenKind::Newline, newline_start, end);
            self.heredocs.pop();
            self.pop_mode();
        } else {
            self.emit(TokenKind::StringLit, start, end);
            if let Some(heredoc) = self.heredocs.last_mut() {
                heredoc.at_start_of_line = true;
            }
        }
        true
    }
}
