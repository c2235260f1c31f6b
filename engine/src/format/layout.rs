//! The re-spacing of tokens, following the rules of HCL's `hclwrite` formatter.
//!
//! Only the spaces before tokens change. The tokens are split into lines (a `#`/`//`
//! comment ends its line, heredoc bodies belong to the line that opens them), and each line
//! into up to three cells: the lead, an `=` with everything after it when that is balanced,
//! and a trailing comment. Then three passes run:
//! 1. indentation: two spaces per bracket level still open, counting brackets per line;
//! 2. spacing inside cells, decided from each token and its neighbours;
//! 3. alignment: `=` cells of consecutive lines line up, then trailing comments do.

use super::columns;
use super::lexer::{comment_ends_line, TokenKind};
use super::rewrite::OutToken;
use std::ops::Range;

/// One line of tokens, as ranges of token indices.
struct Line {
    lead: Range<usize>,
    assign: Option<Range<usize>>,
    comment: Option<Range<usize>>,
}

/// Sets the spaces before every token (except the end-of-file marker) to the canonical
/// layout.
pub(crate) fn format(tokens: &mut [OutToken<'_>]) {
    let lines = split_lines(tokens);
    indent(tokens, &lines);
    space(tokens, &lines);
    align(tokens, &lines);
}

/// The text of the tokens with their spacing.
pub(crate) fn render(tokens: &[OutToken<'_>]) -> String {
    let length = tokens
        .iter()
        .map(|token| token.spaces_before + token.text.len())
        .sum();
    let mut output = String::with_capacity(length);
    for token in tokens {
        for _ in 0..token.spaces_before {
            output.push(' ');
        }
        output.push_str(&token.text);
    }
    output
}

fn ends_line(token: &OutToken<'_>) -> bool {
    match token.kind {
        TokenKind::Newline => true,
        TokenKind::Comment => comment_ends_line(&token.text),
        _ => false,
    }
}

fn bracket_change(kind: TokenKind) -> i64 {
    use TokenKind::*;
    match kind {
        OBrace | OBrack | OParen | TemplateControl | TemplateInterp => 1,
        CBrace | CBrack | CParen | TemplateSeqEnd => -1,
        _ => 0,
    }
}

fn split_lines(tokens: &[OutToken<'_>]) -> Vec<Line> {
    let mut leads = Vec::new();
    let mut line_start = 0;
    let mut reached_end = false;
    for (index, token) in tokens.iter().enumerate() {
        if token.kind == TokenKind::Eof {
            leads.push(line_start..index);
            reached_end = true;
            break;
        }
        if ends_line(token) {
            leads.push(line_start..index + 1);
            line_start = index + 1;
        }
    }
    if !reached_end {
        leads.push(line_start..tokens.len());
    }

    leads
        .into_iter()
        .map(|mut lead| {
            let mut comment = None;
            if lead.len() > 1 && tokens[lead.end - 1].kind == TokenKind::Comment {
                comment = Some(lead.end - 1..lead.end);
                lead.end -= 1;
            }
            let mut assign = None;
            let equals = (lead.start + 1..lead.end).find(|&i| tokens[i].kind == TokenKind::Equal);
            if let Some(equals) = equals {
                let net: i64 = (equals..lead.end)
                    .map(|i| bracket_change(tokens[i].kind))
                    .sum();
                if net == 0 {
                    assign = Some(equals..lead.end);
                    lead.end = equals;
                }
            }
            Line {
                lead,
                assign,
                comment,
            }
        })
        .collect()
}

fn indent(tokens: &mut [OutToken<'_>], lines: &[Line]) {
    let mut open_levels: Vec<i64> = Vec::new();
    for line in lines {
        if line.lead.is_empty() {
            continue;
        }
        let first = line.lead.start;
        if tokens[first].kind == TokenKind::Newline {
            tokens[first].spaces_before = 0;
            continue;
        }
        let mut net = 0;
        for token in &tokens[line.lead.clone()] {
            net += bracket_change(token.kind);
            if token.kind == TokenKind::OHeredoc {
                break;
            }
        }
        if let Some(assign) = &line.assign {
            net += tokens[assign.clone()]
                .iter()
                .map(|token| bracket_change(token.kind))
                .sum::<i64>();
        }
        if net > 0 {
            tokens[first].spaces_before = 2 * open_levels.len();
            open_levels.push(net);
            continue;
        }
        let mut closed = -net;
        while closed > 0 {
            let Some(top) = open_levels.last_mut() else {
                break;
            };
            if closed > *top {
                closed -= *top;
                open_levels.pop();
            } else if closed < *top {
                *top -= closed;
                closed = 0;
            } else {
                open_levels.pop();
                closed = 0;
            }
        }
        tokens[first].spaces_before = 2 * open_levels.len();
    }
}

fn space(tokens: &mut [OutToken<'_>], lines: &[Line]) {
    for line in lines {
        space_cell(tokens, line.lead.clone());
        if let Some(assign) = &line.assign {
            // The equals sign is always one space away from what it assigns to.
            tokens[assign.start].spaces_before = 1;
            space_cell(tokens, assign.clone());
        }
    }
}

fn space_cell(tokens: &mut [OutToken<'_>], cell: Range<usize>) {
    for index in cell.start..cell.end.saturating_sub(1) {
        let before = (index > cell.start).then(|| tokens[index - 1].kind);
        let spaced = space_after(&tokens[index], before, tokens[index + 1].kind);
        tokens[index + 1].spaces_before = usize::from(spaced);
    }
}

/// Whether `subject` is followed by a space, given the kinds of the tokens around it
/// (`before` is `None` at the start of a cell).
fn space_after(subject: &OutToken<'_>, before: Option<TokenKind>, after: TokenKind) -> bool {
    use TokenKind::*;
    let kind = subject.kind;
    if after == Newline {
        return false;
    }
    if kind == Ident && after == OParen {
        return false; // a function call
    }
    if kind == Dot || after == Dot {
        return false;
    }
    if after == Comma || after == Ellipsis {
        return false;
    }
    if kind == Comma {
        return true;
    }
    if matches!(kind, QuotedLit | StringLit | OQuote | OHeredoc)
        || matches!(after, QuotedLit | StringLit | CQuote | CHeredoc)
    {
        return false; // inside templates
    }
    if kind == Ident && subject.text == "in" && before == Some(Ident) {
        return true; // the keyword of a `for`, even before a bracket
    }
    if after == OBrack && (kind == Ident || kind == NumberLit || bracket_change(kind) < 0) {
        return false; // an index
    }
    if kind == Bang {
        return false;
    }
    if kind == Minus {
        // Subtraction is spaced, negation is not: it is negation unless what comes before
        // could end an operand.
        return !matches!(
            before,
            None | Some(
                OParen
                    | OBrace
                    | OBrack
                    | Equal
                    | Colon
                    | Comma
                    | Question
                    | Plus
                    | Star
                    | Slash
                    | Percent
                    | Minus
                    | EqualOp
                    | NotEqual
                    | GreaterThan
                    | GreaterThanEq
                    | LessThan
                    | LessThanEq
                    | And
                    | Or
                    | Bang
            )
        );
    }
    if kind == OBrace || after == CBrace {
        return !(kind == OBrace && after == CBrace);
    }
    if matches!(kind, TemplateInterp | TemplateControl) && after == OBrace {
        return true;
    }
    if kind == CBrace && after == TemplateSeqEnd {
        return true;
    }
    if kind == TemplateSeqEnd && matches!(after, TemplateInterp | TemplateControl) {
        return false;
    }
    if bracket_change(kind) > 0 || bracket_change(after) < 0 {
        return false;
    }
    true
}

fn cell_columns(tokens: &[OutToken<'_>], cell: Option<&Range<usize>>) -> usize {
    cell.map_or(0, |cell| {
        tokens[cell.clone()]
            .iter()
            .map(|token| token.spaces_before + columns(&token.text))
            .sum()
    })
}

fn align(tokens: &mut [OutToken<'_>], lines: &[Line]) {
    // Equals signs first, since moving them moves the comments after them too.
    align_cells(
        tokens,
        lines,
        |line| line.assign.as_ref().map(|assign| assign.start),
        |tokens, line| cell_columns(tokens, Some(&line.lead)),
    );
    align_cells(
        tokens,
        lines,
        |line| line.comment.as_ref().map(|comment| comment.start),
        |tokens, line| {
            cell_columns(tokens, Some(&line.lead)) + cell_columns(tokens, line.assign.as_ref())
        },
    );
}

/// Lines the cells chosen by `cell_start` up across each run of consecutive lines that
/// have one, one space after the widest text before them (`width_before`).
fn align_cells(
    tokens: &mut [OutToken<'_>],
    lines: &[Line],
    cell_start: impl Fn(&Line) -> Option<usize>,
    width_before: impl Fn(&[OutToken<'_>], &Line) -> usize,
) {
    let mut run_start = 0;
    while run_start < lines.len() {
        if cell_start(&lines[run_start]).is_none() {
            run_start += 1;
            continue;
        }
        let run_end = (run_start..lines.len())
            .find(|&i| cell_start(&lines[i]).is_none())
            .unwrap_or(lines.len());
        let run = &lines[run_start..run_end];
        let widest = run
            .iter()
            .map(|line| width_before(tokens, line))
            .max()
            .unwrap_or(0);
        for line in run {
            let width = width_before(tokens, line);
            if let Some(start) = cell_start(line) {
                tokens[start].spaces_before = widest - width + 1;
            }
        }
        run_start = run_end;
    }
}
