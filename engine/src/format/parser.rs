//! The syntax check that decides whether a file may be formatted, and the outline of the
//! file that the formatter's rewrites need.
//!
//! It follows HCL's native-syntax parser rule for rule (which tokens may follow which, where
//! line breaks end an item and where they are ignored, template directives, escapes, number
//! literals, duplicate arguments), stopping at the first error. It builds no syntax tree:
//! it only records where each argument's expression and each block's labels are in the
//! token list.

use super::lexer::{comment_ends_line, Token, TokenKind};
use super::FormatError;
use std::collections::HashSet;
use std::ops::Range;

/// Where the parts that `terraform fmt` rewrites are, as ranges of token indices.
#[derive(Debug, Default)]
pub(crate) struct Structure {
    pub attributes: Vec<AttributeSpan>,
    pub blocks: Vec<BlockHeader>,
}

/// An argument (`name = expression`) in some body.
#[derive(Debug)]
pub(crate) struct AttributeSpan {
    /// The tokens of the expression, including comments and line breaks inside it.
    pub expr: Range<usize>,
    /// Whether this is the `type` argument of a top-level `variable` block.
    pub is_variable_type: bool,
}

/// The header of a block: its type name and its labels.
#[derive(Debug)]
pub(crate) struct BlockHeader {
    pub type_token: usize,
    /// Each label's tokens: one identifier, or a quoted string from quote to quote.
    pub labels: Vec<Range<usize>>,
}

type ParseResult<T = ()> = Result<T, FormatError>;

/// Checks that the whole file is valid native syntax and outlines it.
pub(crate) fn parse(src: &str, tokens: &[Token]) -> ParseResult<Structure> {
    if tokens.is_empty() {
        return Ok(Structure::default());
    }
    let mut parser = Parser {
        src,
        tokens,
        next: 0,
        include_newlines: vec![true],
        structure: Structure::default(),
    };
    parser.parse_body(TokenKind::Eof, BodyPlace::File)?;
    Ok(parser.structure)
}

/// Which body is being parsed, as far as `terraform fmt`'s rewrites care.
#[derive(Clone, Copy, PartialEq, Eq)]
enum BodyPlace {
    File,
    TopLevelVariable,
    Other,
}

/// A token as the parser sees it: comments are skipped, and line breaks too where they do
/// not matter; a comment that ends its line stands for the line break it swallowed.
#[derive(Clone, Copy)]
struct Seen {
    index: usize,
    kind: TokenKind,
}

struct Parser<'a> {
    src: &'a str,
    tokens: &'a [Token],
    next: usize,
    include_newlines: Vec<bool>,
    structure: Structure,
}

impl<'a> Parser<'a> {
    // ----- reading tokens -----

    fn including_newlines(&self) -> bool {
        self.include_newlines.last().copied().unwrap_or(true)
    }

    fn next_token(&self) -> (Seen, usize) {
        let including_newlines = self.including_newlines();
        for index in self.next..self.tokens.len() {
            let token = self.tokens[index];
            match token.kind {
                TokenKind::Comment => {
                    if including_newlines && comment_ends_line(token.text(self.src)) {
                        let seen = Seen {
                            index,
                            kind: TokenKind::Newline,
                        };
                        return (seen, index + 1);
                    }
                    continue;
                }
                TokenKind::Newline if !including_newlines => continue,
                kind => return (Seen { index, kind }, index + 1),
            }
        }
        let last = self.tokens.len().saturating_sub(1);
        let seen = Seen {
            index: last,
            kind: self.tokens.get(last).map_or(TokenKind::Eof, |t| t.kind),
        };
        (seen, self.tokens.len())
    }

    fn peek(&self) -> Seen {
        self.next_token().0
    }

    fn read(&mut self) -> Seen {
        let (seen, next) = self.next_token();
        self.next = next;
        seen
    }

    fn text(&self, seen: Seen) -> &'a str {
        self.tokens
            .get(seen.index)
            .map_or("", |token| token.text(self.src))
    }

    fn is_keyword(&self, seen: Seen, keyword: &str) -> bool {
        seen.kind == TokenKind::Ident && self.text(seen) == keyword
    }

    fn push_newlines(&mut self, include: bool) {
        self.include_newlines.push(include);
    }

    fn pop_newlines(&mut self) {
        if self.include_newlines.len() > 1 {
            self.include_newlines.pop();
        }
    }

    fn error(&self, seen: Seen, summary: &str, detail: &str) -> FormatError {
        let offset = self.tokens.get(seen.index).map_or(0, |token| token.start);
        FormatError::at(self.src, offset, summary, detail)
    }

    fn expect(&mut self, kind: TokenKind, summary: &str, detail: &str) -> ParseResult {
        let seen = self.peek();
        if seen.kind != kind {
            return Err(self.error(seen, summary, detail));
        }
        self.read();
        Ok(())
    }

    // ----- bodies -----

    fn parse_body(&mut self, end: TokenKind, place: BodyPlace) -> ParseResult {
        let mut names: HashSet<&'a str> = HashSet::new();
        loop {
            let next = self.peek();
            if next.kind == end {
                self.read();
                return Ok(());
            }
            match next.kind {
                TokenKind::Newline => {
                    self.read();
                }
                TokenKind::Ident => self.parse_body_item(place, &mut names)?,
                TokenKind::OQuote => {
                    return Err(self.error(
                        next,
                        "Invalid argument name",
                        "Argument names must not be quoted.",
                    ))
                }
                _ => {
                    return Err(self.error(
                        next,
                        "Argument or block definition required",
                        "An argument or block definition is required here.",
                    ))
                }
            }
        }
    }

    fn parse_body_item(&mut self, place: BodyPlace, names: &mut HashSet<&'a str>) -> ParseResult {
        let name = self.read();
        let next = self.peek();
        match next.kind {
            TokenKind::Equal => {
                self.parse_attribute(name, place, false)?;
                if !names.insert(self.text(name)) {
                    return Err(self.error(
                        name,
                        "Attribute redefined",
                        &format!(
                            "The argument {:?} was already set. Each argument may be set only once.",
                            self.text(name)
                        ),
                    ));
                }
                Ok(())
            }
            TokenKind::OQuote | TokenKind::OBrace | TokenKind::Ident => {
                stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.parse_block(name, place))
            }
            _ => Err(self.error(
                name,
                "Argument or block definition required",
                "An argument or block definition is required here. To set an argument, use the equals sign \"=\" to introduce the argument value.",
            )),
        }
    }

    fn parse_attribute(&mut self, name: Seen, place: BodyPlace, single_line: bool) -> ParseResult {
        self.read(); // the equals sign
        let expr_start = self.peek().index;
        self.parse_expression()?;
        let expr_end = self.next;
        self.structure.attributes.push(AttributeSpan {
            expr: expr_start..expr_end,
            is_variable_type: place == BodyPlace::TopLevelVariable && self.text(name) == "type",
        });
        if single_line {
            return Ok(());
        }
        let end = self.peek();
        match end.kind {
            TokenKind::Newline | TokenKind::Eof => {
                self.read();
                Ok(())
            }
            TokenKind::Comma => Err(self.error(
                end,
                "Unexpected comma after argument",
                "Argument definitions must be separated by newlines, not commas. An argument definition must end with a newline.",
            )),
            _ => Err(self.error(
                end,
                "Missing newline after argument",
                "An argument definition must end with a newline.",
            )),
        }
    }

    fn parse_block(&mut self, type_name: Seen, place: BodyPlace) -> ParseResult {
        let mut labels = Vec::new();
        loop {
            let next = self.peek();
            match next.kind {
                TokenKind::OBrace => {
                    self.read();
                    break;
                }
                TokenKind::OQuote => {
                    let start = next.index;
                    self.parse_quoted_label()?;
                    labels.push(start..self.next);
                }
                TokenKind::Ident => {
                    self.read();
                    labels.push(next.index..next.index + 1);
                }
                TokenKind::Equal => {
                    return Err(self.error(
                        next,
                        "Invalid block definition",
                        "The equals sign \"=\" indicates an argument definition, and must not be used when defining a block.",
                    ))
                }
                TokenKind::Newline => {
                    return Err(self.error(
                        next,
                        "Invalid block definition",
                        "A block definition must have block content delimited by \"{\" and \"}\", starting on the same line as the block header.",
                    ))
                }
                _ => {
                    return Err(self.error(
                        next,
                        "Invalid block definition",
                        "Either a quoted string block label or an opening brace (\"{\") is expected here.",
                    ))
                }
            }
        }
        self.structure.blocks.push(BlockHeader {
            type_token: type_name.index,
            labels,
        });
        let inner_place = if place == BodyPlace::File && self.text(type_name) == "variable" {
            BodyPlace::TopLevelVariable
        } else {
            BodyPlace::Other
        };

        match self.peek().kind {
            TokenKind::Newline | TokenKind::Eof | TokenKind::CBrace => {
                self.parse_body(TokenKind::CBrace, inner_place)?;
            }
            _ => {
                self.parse_single_attribute_body(inner_place)?;
                let close = self.peek();
                match close.kind {
                    TokenKind::CBrace => {
                        self.read();
                    }
                    TokenKind::Comma => return Err(self.error(
                        close,
                        "Invalid single-argument block definition",
                        "Single-line block syntax can include only one argument definition. To define multiple arguments, use the multi-line block syntax with one argument definition per line.",
                    )),
                    TokenKind::Newline => return Err(self.error(
                        close,
                        "Invalid single-argument block definition",
                        "An argument definition on the same line as its containing block creates a single-line block definition, which must also be closed on the same line. Place the block's closing brace immediately after the argument definition.",
                    )),
                    _ => return Err(self.error(
                        close,
                        "Invalid single-argument block definition",
                        "A single-line block definition must end with a closing brace immediately after its single argument definition.",
                    )),
                }
            }
        }

        let end = self.peek();
        match end.kind {
            TokenKind::Newline | TokenKind::Eof => {
                self.read();
                Ok(())
            }
            _ => Err(self.error(
                end,
                "Missing newline after block definition",
                "A block definition must end with a newline.",
            )),
        }
    }

    /// The body of a block written on one line, like `foo { bar = baz }`.
    fn parse_single_attribute_body(&mut self, place: BodyPlace) -> ParseResult {
        let name = self.read();
        if name.kind != TokenKind::Ident {
            return Err(self.error(
                name,
                "Argument or block definition required",
                "An argument or block definition is required here.",
            ));
        }
        let next = self.peek();
        match next.kind {
            TokenKind::Equal => self.parse_attribute(name, place, true),
            TokenKind::OQuote | TokenKind::OBrace | TokenKind::Ident => Err(self.error(
                name,
                "Argument definition required",
                &format!(
                    "A single-line block definition can contain only a single argument. If you meant to define argument {:?}, use an equals sign to assign it a value. To define a nested block, place it on a line of its own within its parent block.",
                    self.text(name)
                ),
            )),
            _ => Err(self.error(
                name,
                "Argument or block definition required",
                "An argument or block definition is required here. To set an argument, use the equals sign \"=\" to introduce the argument value.",
            )),
        }
    }

    /// A quoted block label: a string with no template sequences.
    fn parse_quoted_label(&mut self) -> ParseResult {
        self.read(); // the opening quote
        loop {
            let token = self.read();
            match token.kind {
                TokenKind::CQuote => return Ok(()),
                TokenKind::QuotedLit => self.check_escapes(token)?,
                TokenKind::TemplateInterp | TokenKind::TemplateControl => {
                    let symbol = if token.kind == TokenKind::TemplateInterp {
                        "$"
                    } else {
                        "%"
                    };
                    return Err(self.error(
                        token,
                        "Invalid string literal",
                        &format!(
                            "Template sequences are not allowed in this string. To include a literal \"{symbol}\", double it (as \"{symbol}{symbol}\") to escape it."
                        ),
                    ));
                }
                TokenKind::Eof => {
                    return Err(self.error(
                        token,
                        "Unterminated string literal",
                        "Unable to find the closing quote mark before the end of the file.",
                    ))
                }
                _ => {
                    return Err(self.error(
                        token,
                        "Invalid string literal",
                        "This item is not valid in a string literal.",
                    ))
                }
            }
        }
    }

    // ----- expressions -----

    fn parse_expression(&mut self) -> ParseResult {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.parse_conditional())
    }

    fn parse_conditional(&mut self) -> ParseResult {
        self.parse_binary_operations()?;
        if self.peek().kind != TokenKind::Question {
            return Ok(());
        }
        self.read();
        self.parse_expression()?;
        self.expect(
            TokenKind::Colon,
            "Missing false expression in conditional",
            "The conditional operator (...?...:...) requires a false expression, delimited by a colon.",
        )?;
        self.parse_expression()
    }

    /// Operands joined by binary operators. Precedence decides the tree HCL builds, but not
    /// which token sequences are valid, so one loop checks them all.
    fn parse_binary_operations(&mut self) -> ParseResult {
        self.parse_term_with_traversals()?;
        while is_binary_operator(self.peek().kind) {
            self.read();
            self.parse_term_with_traversals()?;
        }
        Ok(())
    }

    fn parse_term_with_traversals(&mut self) -> ParseResult {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.parse_term())?;
        self.parse_traversals()
    }

    fn parse_traversals(&mut self) -> ParseResult {
        loop {
            let next = self.peek();
            match next.kind {
                TokenKind::Dot => {
                    self.read();
                    let step = self.peek();
                    match step.kind {
                        TokenKind::Ident => {
                            self.read();
                        }
                        TokenKind::NumberLit => {
                            self.read();
                            self.check_legacy_index(step)?;
                        }
                        TokenKind::Star => {
                            self.read();
                            self.parse_attribute_only_splat(step)?;
                        }
                        _ => return Err(self.invalid_attribute_name(step)),
                    }
                }
                TokenKind::OBrack => {
                    self.read();
                    if self.peek().kind == TokenKind::Star {
                        self.read();
                        let close = self.read();
                        if close.kind != TokenKind::CBrack {
                            return Err(self.error(
                                self.closing_bracket_after_error(),
                                "Missing close bracket on splat index",
                                "The star for a full splat operator must be immediately followed by a closing bracket (\"]\").",
                            ));
                        }
                    } else {
                        self.push_newlines(false);
                        self.parse_expression()?;
                        let close = self.read();
                        if close.kind != TokenKind::CBrack {
                            return Err(self.error(
                                self.closing_bracket_after_error(),
                                "Missing close bracket on index",
                                "The index operator must end with a closing bracket (\"]\").",
                            ));
                        }
                        self.pop_newlines();
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// Where HCL reports a missing `]`: at the bracket that its error recovery finds next
    /// (skipping nested pairs), or at the end of the file.
    fn closing_bracket_after_error(&self) -> Seen {
        let mut nesting = 0usize;
        for (index, token) in self.tokens.iter().enumerate().skip(self.next) {
            match token.kind {
                TokenKind::OBrack => nesting += 1,
                TokenKind::CBrack if nesting == 0 => {
                    return Seen {
                        index,
                        kind: token.kind,
                    }
                }
                TokenKind::CBrack => nesting -= 1,
                TokenKind::Eof => break,
                _ => {}
            }
        }
        Seen {
            index: self.tokens.len().saturating_sub(1),
            kind: TokenKind::Eof,
        }
    }

    /// The steps after `.*`: attribute names, or legacy numeric indexes.
    fn parse_attribute_only_splat(&mut self, star: Seen) -> ParseResult {
        while self.peek().kind == TokenKind::Dot {
            self.read();
            let step = self.peek();
            match step.kind {
                TokenKind::NumberLit => {
                    self.read();
                    if self.text(step).contains('.') {
                        return Err(self.error(
                            star,
                            "Invalid legacy index syntax",
                            "When using the legacy index syntax, chaining two indexes together is not permitted. Use the proper index syntax with a full splat expression [*] instead.",
                        ));
                    }
                    self.check_number(step)?;
                }
                TokenKind::Ident => {
                    self.read();
                }
                TokenKind::Star => {
                    return Err(self.error(
                        step,
                        "Nested splat expression not allowed",
                        "A splat expression (*) cannot be used inside another attribute-only splat expression.",
                    ))
                }
                _ => return Err(self.invalid_attribute_name(star)),
            }
        }
        Ok(())
    }

    fn invalid_attribute_name(&self, at: Seen) -> FormatError {
        self.error(
            at,
            "Invalid attribute name",
            "An attribute name is required after a dot.",
        )
    }

    fn check_legacy_index(&self, number: Seen) -> ParseResult {
        if self.text(number).contains('.') {
            return Err(self.error(
                number,
                "Invalid legacy index syntax",
                "When using the legacy index syntax, chaining two indexes together is not permitted. Use the proper index syntax instead.",
            ));
        }
        self.check_number(number)
    }

    fn check_number(&self, number: Seen) -> ParseResult {
        if number_literal_is_valid(self.text(number)) {
            Ok(())
        } else {
            Err(self.error(
                number,
                "Invalid number literal",
                "Failed to recognize the value of this number literal.",
            ))
        }
    }

    fn parse_term(&mut self) -> ParseResult {
        let start = self.peek();
        match start.kind {
            TokenKind::OParen => {
                self.read();
                self.push_newlines(false);
                self.parse_expression()?;
                self.expect(
                    TokenKind::CParen,
                    "Unbalanced parentheses",
                    "Expected a closing parenthesis to terminate the expression.",
                )?;
                self.pop_newlines();
                Ok(())
            }
            TokenKind::NumberLit => {
                self.read();
                self.check_number(start)
            }
            TokenKind::Ident => {
                self.read();
                if self.peek().kind == TokenKind::OParen {
                    self.parse_function_call()
                } else {
                    Ok(())
                }
            }
            TokenKind::OQuote => {
                self.read();
                self.parse_template(TokenKind::CQuote)
            }
            TokenKind::OHeredoc => {
                self.read();
                self.parse_template(TokenKind::CHeredoc)
            }
            TokenKind::Minus | TokenKind::Bang => {
                self.read();
                self.parse_term_with_traversals()
            }
            TokenKind::OBrack => self.parse_tuple(),
            TokenKind::OBrace => self.parse_object(),
            _ => Err(self.error(
                start,
                "Invalid expression",
                "Expected the start of an expression, but found an invalid expression token.",
            )),
        }
    }

    fn parse_function_call(&mut self) -> ParseResult {
        self.read(); // the opening parenthesis
        self.push_newlines(false);
        loop {
            if self.peek().kind == TokenKind::CParen {
                self.read();
                break;
            }
            self.parse_expression()?;
            let separator = self.read();
            match separator.kind {
                TokenKind::CParen => break,
                TokenKind::Ellipsis => {
                    if self.peek().kind != TokenKind::CParen {
                        return Err(self.error(
                            separator,
                            "Missing closing parenthesis",
                            "An expanded function argument (with ...) must be immediately followed by closing parentheses.",
                        ));
                    }
                    self.read();
                    break;
                }
                TokenKind::Comma => {
                    if self.peek().kind == TokenKind::CParen {
                        self.read();
                        break;
                    }
                }
                _ => {
                    return Err(self.error(
                        separator,
                        "Missing argument separator",
                        "A comma is required to separate each function argument from the next.",
                    ));
                }
            }
        }
        self.pop_newlines();
        Ok(())
    }

    fn parse_tuple(&mut self) -> ParseResult {
        self.read(); // the opening bracket
        self.push_newlines(false);
        if self.is_keyword(self.peek(), "for") {
            self.parse_for_expression(TokenKind::CBrack)?;
            self.pop_newlines();
            return Ok(());
        }
        loop {
            if self.peek().kind == TokenKind::CBrack {
                self.read();
                break;
            }
            self.parse_expression()?;
            let next = self.peek();
            if next.kind == TokenKind::CBrack {
                self.read();
                break;
            }
            if next.kind != TokenKind::Comma {
                return Err(self.error(
                    next,
                    "Missing item separator",
                    "Expected a comma to mark the beginning of the next item.",
                ));
            }
            self.read();
        }
        self.pop_newlines();
        Ok(())
    }

    fn parse_object(&mut self) -> ParseResult {
        self.read(); // the opening brace
        self.push_newlines(false);
        let is_for = self.is_keyword(self.peek(), "for");
        self.pop_newlines();
        if is_for {
            return self.parse_for_expression(TokenKind::CBrace);
        }
        self.push_newlines(true);
        loop {
            let next = self.peek();
            match next.kind {
                TokenKind::Newline => {
                    self.read();
                    continue;
                }
                TokenKind::CBrace => {
                    self.read();
                    break;
                }
                _ => {}
            }
            self.parse_expression()?;
            let separator = self.peek();
            match separator.kind {
                TokenKind::Equal | TokenKind::Colon => {
                    self.read();
                }
                TokenKind::Newline | TokenKind::Comma => {
                    return Err(self.error(
                        separator,
                        "Missing attribute value",
                        "Expected an attribute value, introduced by an equals sign (\"=\").",
                    ))
                }
                TokenKind::Ident => return Err(self.error(
                    separator,
                    "Missing key/value separator",
                    "Expected an equals sign (\"=\") to mark the beginning of the attribute value. If you intended to given an attribute name containing periods or spaces, write the name in quotes to create a string literal.",
                )),
                _ => {
                    return Err(self.error(
                        separator,
                        "Missing key/value separator",
                        "Expected an equals sign (\"=\") to mark the beginning of the attribute value.",
                    ))
                }
            }
            self.parse_expression()?;
            let next = self.peek();
            match next.kind {
                TokenKind::CBrace => {
                    self.read();
                    break;
                }
                TokenKind::Comma | TokenKind::Newline => {
                    self.read();
                }
                _ => {
                    return Err(self.error(
                        next,
                        "Missing attribute separator",
                        "Expected a newline or comma to mark the beginning of the next attribute.",
                    ))
                }
            }
        }
        self.pop_newlines();
        Ok(())
    }

    /// A `for` expression, after its opening bracket or brace; `close` says which.
    fn parse_for_expression(&mut self, close: TokenKind) -> ParseResult {
        const SUMMARY: &str = "Invalid 'for' expression";
        self.push_newlines(false);
        self.read(); // "for"
        let name = self.peek();
        if name.kind != TokenKind::Ident {
            return Err(self.error(
                name,
                SUMMARY,
                "For expression requires variable name after 'for'.",
            ));
        }
        self.read();
        if self.peek().kind == TokenKind::Comma {
            self.read();
            let value_name = self.peek();
            if value_name.kind != TokenKind::Ident {
                return Err(self.error(
                    value_name,
                    SUMMARY,
                    "For expression requires value variable name after comma.",
                ));
            }
            self.read();
        }
        let keyword = self.peek();
        if !self.is_keyword(keyword, "in") {
            return Err(self.error(
                keyword,
                SUMMARY,
                "For expression requires the 'in' keyword after its name declarations.",
            ));
        }
        self.read();
        self.parse_expression()?;
        self.expect(
            TokenKind::Colon,
            SUMMARY,
            "For expression requires a colon after the collection expression.",
        )?;
        let first_result = self.peek();
        self.parse_expression()?;
        let mut key_result = None;
        if self.peek().kind == TokenKind::FatArrow {
            self.read();
            key_result = Some(first_result);
            self.parse_expression()?;
        }
        let mut ellipsis = None;
        if self.peek().kind == TokenKind::Ellipsis {
            ellipsis = Some(self.read());
        }
        if self.is_keyword(self.peek(), "if") {
            self.read();
            self.parse_expression()?;
        }
        self.expect(
            close,
            SUMMARY,
            "Extra characters after the end of the 'for' expression.",
        )?;
        self.pop_newlines();

        if close == TokenKind::CBrack {
            if let Some(key) = key_result {
                return Err(self.error(
                    key,
                    SUMMARY,
                    "Key expression is not valid when building a tuple.",
                ));
            }
            if let Some(ellipsis) = ellipsis {
                return Err(self.error(
                    ellipsis,
                    SUMMARY,
                    "Grouping ellipsis (...) cannot be used when building a tuple.",
                ));
            }
        } else if key_result.is_none() {
            return Err(self.error(
                first_result,
                SUMMARY,
                "Key expression is required when building an object.",
            ));
        }
        Ok(())
    }

    // ----- templates -----

    /// The inside of a quoted string or heredoc, up to and including its closing token:
    /// literals, interpolations and balanced `if`/`for` directives.
    fn parse_template(&mut self, end: TokenKind) -> ParseResult {
        let mut open_directives: Vec<OpenDirective> = Vec::new();
        loop {
            let token = self.read();
            if token.kind == end {
                break;
            }
            match token.kind {
                TokenKind::QuotedLit => self.check_escapes(token)?,
                TokenKind::StringLit => {}
                TokenKind::TemplateInterp => {
                    self.push_newlines(false);
                    self.parse_expression()?;
                    let close = self.peek();
                    if close.kind != TokenKind::TemplateSeqEnd {
                        let detail = if close.kind == TokenKind::Colon {
                            "Template interpolation doesn't expect a colon at this location. Did you intend this to be a literal sequence to be processed as part of another language? If so, you can escape it by starting with \"$${\" instead of just \"${\"."
                        } else {
                            "Expected a closing brace to end the interpolation expression, but found extra characters.\n\nThis can happen when you include interpolation syntax for another language, such as shell scripting, but forget to escape the interpolation start token. If this is an embedded sequence for another language, escape it by starting with \"$${\" instead of just \"${\"."
                        };
                        return Err(self.error(
                            close,
                            "Extra characters after interpolation expression",
                            detail,
                        ));
                    }
                    self.read();
                    self.pop_newlines();
                }
                TokenKind::TemplateControl => {
                    self.push_newlines(false);
                    self.parse_directive(&mut open_directives)?;
                    self.pop_newlines();
                }
                _ => {
                    return Err(self.error(
                        token,
                        "Unterminated template string",
                        "No closing marker was found for the string.",
                    ))
                }
            }
        }
        if let Some(open) = open_directives.last() {
            let (name, closer) = match open.kind {
                DirectiveKind::If => ("if", "endif"),
                DirectiveKind::For => ("for", "endfor"),
            };
            let end_token = Seen {
                index: self.next.saturating_sub(1),
                kind: end,
            };
            return Err(self.error(
                end_token,
                "Unexpected end of template",
                &format!("The {name} directive is missing its corresponding {closer} directive."),
            ));
        }
        Ok(())
    }

    /// One `%{ ... }` directive, after its opener, checking that directives nest properly.
    fn parse_directive(&mut self, open_directives: &mut Vec<OpenDirective>) -> ParseResult {
        let keyword = self.peek();
        if keyword.kind != TokenKind::Ident {
            return Err(self.error(
                keyword,
                "Invalid template directive",
                "A template directive keyword (\"if\", \"for\", etc) is expected at the beginning of a %{ sequence.",
            ));
        }
        self.read();
        let word = self.text(keyword);
        match word {
            "if" => {
                self.parse_expression()?;
                open_directives.push(OpenDirective {
                    kind: DirectiveKind::If,
                    has_else: false,
                });
            }
            "for" => {
                const SUMMARY: &str = "Invalid 'for' directive";
                if self.peek().kind != TokenKind::Ident {
                    return Err(self.error(
                        self.peek(),
                        SUMMARY,
                        "For directive requires variable name after 'for'.",
                    ));
                }
                self.read();
                if self.peek().kind == TokenKind::Comma {
                    self.read();
                    if self.peek().kind != TokenKind::Ident {
                        return Err(self.error(
                            self.peek(),
                            SUMMARY,
                            "For directive requires value variable name after comma.",
                        ));
                    }
                    self.read();
                }
                if !self.is_keyword(self.peek(), "in") {
                    return Err(self.error(
                        self.peek(),
                        SUMMARY,
                        "For directive requires 'in' keyword after names.",
                    ));
                }
                self.read();
                self.parse_expression()?;
                open_directives.push(OpenDirective {
                    kind: DirectiveKind::For,
                    has_else: false,
                });
            }
            "else" => match open_directives.last_mut() {
                Some(open) if open.kind == DirectiveKind::If && !open.has_else => {
                    open.has_else = true;
                }
                Some(open) if open.kind == DirectiveKind::If => {
                    return Err(self.error(
                        keyword,
                        "Unexpected else directive",
                        "Already in the else clause for this if.",
                    ))
                }
                Some(_) => {
                    return Err(self.error(
                        keyword,
                        "Unexpected else directive",
                        "An else clause is not expected for a for directive.",
                    ))
                }
                None => return Err(self.unbalanced_directive(keyword, "else")),
            },
            "endif" => match open_directives.last() {
                Some(open) if open.kind == DirectiveKind::If => {
                    open_directives.pop();
                }
                Some(_) => {
                    return Err(self.error(
                        keyword,
                        "Unexpected endif directive",
                        "Expecting an endfor directive corresponding to the for directive.",
                    ))
                }
                None => return Err(self.unbalanced_directive(keyword, "endif")),
            },
            "endfor" => match open_directives.last() {
                Some(open) if open.kind == DirectiveKind::For => {
                    open_directives.pop();
                }
                Some(_) => {
                    return Err(self.error(
                        keyword,
                        "Unexpected endfor directive",
                        "Expecting an endif directive for the if.",
                    ))
                }
                None => return Err(self.unbalanced_directive(keyword, "endfor")),
            },
            _ => {
                return Err(self.error(
                    keyword,
                    "Invalid template control keyword",
                    &format!("{word:?} is not a valid template control keyword."),
                ))
            }
        }
        let close = self.peek();
        if close.kind != TokenKind::TemplateSeqEnd {
            return Err(self.error(
                close,
                &format!("Extra characters in {word} marker"),
                "Expected a closing brace to end the sequence, but found extra characters.",
            ));
        }
        self.read();
        Ok(())
    }

    fn unbalanced_directive(&self, at: Seen, word: &str) -> FormatError {
        self.error(
            at,
            &format!("Unexpected {word} directive"),
            "The control directives within this template are unbalanced.",
        )
    }

    /// Checks the backslash escapes of a quoted string's literal text.
    fn check_escapes(&self, literal: Seen) -> ParseResult {
        let text = self.text(literal);
        let mut chars = text.char_indices().peekable();
        while let Some((_, c)) = chars.next() {
            if c != '\\' {
                continue;
            }
            let Some((_, selector)) = chars.next() else {
                return Err(self.error(
                    literal,
                    "Invalid escape sequence",
                    "Backslash must be followed by an escape sequence selector character.",
                ));
            };
            let digits = match selector {
                'n' | 'r' | 't' | '"' | '\\' => continue,
                'u' => 4,
                'U' => 8,
                other => {
                    return Err(self.error(
                        literal,
                        "Invalid escape sequence",
                        &format!(
                            "The symbol {:?} is not a valid escape sequence selector.",
                            other.to_string()
                        ),
                    ))
                }
            };
            let mut value: u32 = 0;
            let mut count = 0;
            while count < digits {
                match chars.peek().and_then(|&(_, c)| c.to_digit(16)) {
                    Some(digit) => {
                        value = value.wrapping_mul(16).wrapping_add(digit);
                        count += 1;
                        chars.next();
                    }
                    None => break,
                }
            }
            if count != digits {
                let detail = if digits == 4 {
                    "The \\u escape sequence must be followed by four hexadecimal digits."
                } else {
                    "The \\U escape sequence must be followed by eight hexadecimal digits."
                };
                return Err(self.error(literal, "Invalid escape sequence", detail));
            }
            if char::from_u32(value).is_none() {
                return Err(self.error(
                    literal,
                    "Invalid escape sequence",
                    &format!("Cannot encode character U+{value:04x} in UTF-8."),
                ));
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DirectiveKind {
    If,
    For,
}

struct OpenDirective {
    kind: DirectiveKind,
    has_else: bool,
}

fn is_binary_operator(kind: TokenKind) -> bool {
    use TokenKind::*;
    matches!(
        kind,
        Or | And
            | EqualOp
            | NotEqual
            | GreaterThan
            | GreaterThanEq
            | LessThan
            | LessThanEq
            | Plus
            | Minus
            | Star
            | Slash
            | Percent
    )
}

/// Whether a number literal's text is a number Terraform accepts: a decimal mantissa with
/// at most one point and at most one exponent, whose binary exponent fits Go's big.Float
/// (which rejects values beyond about 2^±2147483647 as an exponent overflow).
pub(crate) fn number_literal_is_valid(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (mantissa, ""),
    };
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return false;
    }
    let exponent: i64 = match exponent {
        None => 0,
        Some(exponent) => {
            let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return false;
            }
            match exponent.parse::<i64>() {
                Ok(value) => value,
                Err(_) => return false,
            }
        }
    };
    let significant = format!("{whole}{fraction}");
    let significant = significant.trim_start_matches('0');
    if significant.is_empty() {
        return true; // zero, whatever its exponent
    }
    let binary_exponent = i128::from(mantissa_bit_length(significant)) - fraction.len() as i128
        + i128::from(exponent);
    (i128::from(i32::MIN)..=i128::from(i32::MAX)).contains(&binary_exponent)
}

/// The number of bits of a decimal integer given as digits without leading zeros.
fn mantissa_bit_length(digits: &str) -> u64 {
    if digits.len() <= 18 {
        let value: u64 = digits.parse().unwrap_or(0);
        return u64::from(64 - value.leading_zeros());
    }
    match num_bigint::BigUint::parse_bytes(digits.as_bytes(), 10) {
        Some(value) => value.bits(),
        None => 0,
    }
}
