//! Differential tests: the expected outputs and errors were recorded from Terraform 1.0.3's
//! `terraform fmt` writing each input as a file.

use super::*;

struct FormattedCase {
    name: &'static str,
    input: &'static str,
    expected: &'static str,
    reformatted: Reformatted,
}

/// What `terraform fmt` does with its own output.
enum Reformatted {
    Same,
    /// It refuses it: the rewrite of a multi-line interpolation can produce invalid syntax.
    Refused,
}

struct RefusedCase {
    name: &'static str,
    input: &'static str,
    message: &'static str,
    line: usize,
}

#[test]
fn formats_like_terraform() {
    let failures: Vec<String> = FORMATTED
        .iter()
        .filter_map(|case| match format_source(case.input) {
            Ok(output) if output == case.expected => None,
            Ok(output) => Some(format!(
                "{}: expected {:?}, got {:?}",
                case.name, case.expected, output
            )),
            Err(error) => Some(format!("{}: unexpected error {error}", case.name)),
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn formatting_formatted_output_matches_terraform() {
    let failures: Vec<String> = FORMATTED
        .iter()
        .filter_map(|case| {
            let again = format_source(case.expected);
            match (&case.reformatted, again) {
                (Reformatted::Same, Ok(output)) if output == case.expected => None,
                (Reformatted::Refused, Err(_)) => None,
                (_, again) => Some(format!("{}: second pass gave {again:?}", case.name)),
            }
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn refuses_what_terraform_refuses() {
    let failures: Vec<String> = REFUSED
        .iter()
        .filter_map(|case| match format_source(case.input) {
            Ok(output) => Some(format!("{}: formatted as {output:?}", case.name)),
            Err(error) if error.message == case.message && error.line == case.line => None,
            Err(error) => Some(format!(
                "{}: expected {:?} on line {}, got {error}",
                case.name, case.message, case.line
            )),
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn number_literals_are_accepted_where_terraform_accepts_them() {
    // Terraform parses numbers with Go's big.Float, which rejects binary exponents outside
    // the int32 range and decimal exponents outside the int64 range (zero is exempt from
    // the first). Each verdict below was checked with `terraform fmt`.
    let verdicts = [
        ("1.e5", true),
        ("007", true),
        ("1e2147483646", true),
        ("1e2147483647", false),
        ("12e2147483644", false),
        ("1e-2147483649", true),
        ("1e-2147483650", false),
        ("3e-2147483650", true),
        ("0.1e-2147483648", true),
        ("0e99999999999", true),
        ("0e9223372036854775807", true),
        ("0e9223372036854775808", false),
        ("1e9223372036854775807", false),
        ("1.2.3", false),
        ("1e5e5", false),
    ];
    for (number, accepted) in verdicts {
        let result = format_source(&format!("a = {number}\n"));
        assert_eq!(result.is_ok(), accepted, "{number}: {result:?}");
    }
}

#[test]
fn error_positions_count_columns_in_characters() {
    let error = format_source("a = \"é\" + 'x'\n").unwrap_err();
    assert_eq!((error.line, error.column), (1, 11));
    assert_eq!(error.message, "Invalid character");
    let error = format_source("\u{feff}a = 1\nb = ;\n").unwrap_err();
    assert_eq!((error.line, error.column), (2, 5));
}

#[test]
fn stdout_text_ends_with_exactly_one_newline() {
    // `terraform fmt -` prints "a = 1\n" for "a = 1", and keeps all but one of several
    // trailing newlines before adding its own.
    assert_eq!(as_stdout_text("a = 1"), "a = 1\n");
    assert_eq!(as_stdout_text("a = 1\n"), "a = 1\n");
    assert_eq!(as_stdout_text("a = 1\n\n\n"), "a = 1\n\n\n");
    assert_eq!(as_stdout_text(""), "\n");
}

#[test]
fn never_panics_on_truncated_or_damaged_input() {
    for case in FORMATTED {
        let input = case.input;
        let boundaries = (0..=input.len()).filter(|&at| input.is_char_boundary(at));
        for at in boundaries {
            let _ = format_source(&input[..at]);
            let mut damaged = input[..at].to_string();
            damaged.push_str("\"${");
            damaged.push_str(&input[at..]);
            let _ = format_source(&damaged);
        }
    }
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let depth = 5_000;
    let input = format!("a = {}1{}\n", "[".repeat(depth), "]".repeat(depth));
    assert_eq!(format_source(&input).unwrap(), input);
    let input = format!("a = {}x\n", "-".repeat(depth));
    assert_eq!(format_source(&input).unwrap(), input);
    let blocks = format!("{}{}", "b {\n".repeat(depth), "}\n".repeat(depth));
    assert!(format_source(&blocks).is_ok());
}

/// Inputs with the output `terraform fmt` (1.0.3) writes for them, and what it writes
/// when given that output again.
const FORMATTED: &[FormattedCase] = &[
    FormattedCase {
        name: "equals_spacing",
        input: "a=1\n",
        expected: "a = 1\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "arithmetic",
        input: "a = 1+2*3/4%5-6\n",
        expected: "a = 1 + 2 * 3 / 4 % 5 - 6\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "negation_at_start",
        input: "a = -1\n",
        expected: "a = -1\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "minus_after_minus",
        input: "a = 1 - -1\n",
        expected: "a = 1 - -1\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "minus_after_operand",
        input: "a = x-1\nb = x[0]-1\nc = (x)-1\nd = f(x)-1\n",
        expected: "a = x-1\nb = x[0] - 1\nc = (x) - 1\nd = f(x) - 1\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "minus_after_open_brackets",
        input: "a = [-1, - 2, -x]\nb = f(-1)\nc = {k = -1}\nd = x ? -1 : - 2\n",
        expected: "a = [-1, -2, -x]\nb = f(-1)\nc = { k = -1 }\nd = x ? -1 : -2\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "minus_after_comparison",
        input: "a = x >= -1\nb = x == -1\nc = x && -1\nd = !-x\n",
        expected: "a = x >= -1\nb = x == -1\nc = x && -1\nd = !-x\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "bang",
        input: "a = ! true\nb = !x.y\nc = ! (x)\n",
        expected: "a = !true\nb = !x.y\nc = !(x)\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "logic_and_comparison",
        input: "a = x&&y||z\nb = x<y\nc = x>=y\nd = x!=y\n",
        expected: "a = x && y || z\nb = x < y\nc = x >= y\nd = x != y\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "list_spacing",
        input: "a=[1,2,3]\nb = [ 1 , 2 ]\nc = [ ]\nd = []\n",
        expected: "a = [1, 2, 3]\nb = [1, 2]\nc = []\nd = []\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "function_call_spacing",
        input: "a = f( 1 , 2 )\nb = f (1)\nc = f(x...)\nd = f( x ... )\ne = f()\n",
        expected: "a = f(1, 2)\nb = f(1)\nc = f(x...)\nd = f(x...)\ne = f()\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "traversal_spacing",
        input: "a = foo . bar [ 0 ] . baz\nb = foo[*].id\nc = foo.*.id\nd = foo [\"k\"]\ne = a.0.b\n",
        expected: "a = foo.bar[0].baz\nb = foo[*].id\nc = foo.*.id\nd = foo[\"k\"]\ne = a.0.b\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "object_spacing",
        input: "a = {a=1,b=2}\nb = {}\nc = { }\nd = {a=1}\ne = {\"k\"=1, (x) = 2, y: 3}\n",
        expected: "a = { a = 1, b = 2 }\nb = {}\nc = {}\nd = { a = 1 }\ne = { \"k\" = 1, (x) = 2, y : 3 }\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "conditional",
        input: "a = x?y:z\nb = x ? y : z ? w : v\n",
        expected: "a = x ? y : z\nb = x ? y : z ? w : v\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "for_expressions",
        input: "a = [for x in y : x if x]\nb = {for k,v in m : k => v...}\nc = [for x in [1]: x]\nd = {for k, v in m: k=>v if v!=null}\n",
        expected: "a = [for x in y : x if x]\nb = { for k, v in m : k => v... }\nc = [for x in [1] : x]\nd = { for k, v in m : k => v if v != null }\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "parentheses",
        input: "a = ( 1+2 )*3\nb = ((x))\n",
        expected: "a = (1 + 2) * 3\nb = ((x))\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "templates",
        input: "a = \"${x}-${y}\"\nb = \"a ${ x } b\"\nc = \"%{ if x }y%{ else }z%{ endif }\"\nd = \"%{for v in l}${v},%{endfor}\"\n",
        expected: "a = \"${x}-${y}\"\nb = \"a ${x} b\"\nc = \"%{if x}y%{else}z%{endif}\"\nd = \"%{for v in l}${v},%{endfor}\"\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "template_strip_markers",
        input: "a = \"x ${~ y ~} z\"\nb = \"%{~ if x ~}y%{~ endif ~}\"\n",
        expected: "a = \"x ${~y~} z\"\nb = \"%{~if x~}y%{~endif~}\"\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "template_object_inside",
        input: "a = \"${ {a=1} }\"\nb = \"pre ${ {a=1}.a } post\"\n",
        expected: "a = { a = 1 }\nb = \"pre ${ { a = 1 }.a} post\"\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "template_nested_strings",
        input: "a = \"${f(\"${x}\")}\"\nb = \"x${ \"y${z}\" }\"\n",
        expected: "a = f(\"${x}\")\nb = \"x${\"y${z}\"}\"\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "escapes_kept",
        input: "a = \"tab\\tquote\\\"back\\\\u\\u00e9U\\U0001F600\"\nb = \"$${x} %%{y} $ % $$\"\n",
        expected: "a = \"tab\\tquote\\\"back\\\\u\\u00e9U\\U0001F600\"\nb = \"$${x} %%{y} $ % $$\"\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "splat_forms",
        input: "a = x[*]\nb = x.*\nc = x[*].a[0]\nd = x.*.a.0\n",
        expected: "a = x[*]\nb = x.*\nc = x[*].a[0]\nd = x.*.a.0\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "index_spacing",
        input: "a = x[ 0 ]\nb = x[y][z]\nc = [1,2][0]\nd = \"abc\"[0]\ne = x()[0]\n",
        expected: "a = x[0]\nb = x[y][z]\nc = [1, 2][0]\nd = \"abc\" [0]\ne = x()[0]\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "in_keyword_before_bracket",
        input: "a = [for x in[1,2]: x]\nb = [for k, v in {a=1}: v]\n",
        expected: "a = [for x in [1, 2] : x]\nb = [for k, v in { a = 1 } : v]\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "numbers",
        input: "a = 1.5e10\nb = 0.5\nc = 1e-3\nd = 007\ne = 1.e5\n",
        expected: "a = 1.5e10\nb = 0.5\nc = 1e-3\nd = 007\ne = 1.e5\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "identifiers_with_dashes",
        input: "a-b = c-d\nresource \"x\" \"y\" {\n  foo-bar = baz-qux\n}\n",
        expected: "a-b = c-d\nresource \"x\" \"y\" {\n  foo-bar = baz-qux\n}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "unary_chains",
        input: "a = - - x\nb = !!x\nc = -(-x)\n",
        expected: "a = --x\nb = !!x\nc = -(-x)\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "operators_across_lines_in_parens",
        input: "a = (\n  1 +\n  2\n)\n",
        expected: "a = (\n  1 +\n  2\n)\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "ellipsis_in_object_for",
        input: "a = {for x in y: x.k => x...}\n",
        expected: "a = { for x in y : x.k => x... }\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "colon_in_object",
        input: "a = {a:1, b : 2}\n",
        expected: "a = { a : 1, b : 2 }\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "align_consecutive",
        input: "a = 1\nbbb = 2\ncc = 3\n",
        expected: "a   = 1\nbbb = 2\ncc  = 3\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "align_broken_by_blank_line",
        input: "a = 1\nbbb = 2\n\ncc = 3\nd = 4\n",
        expected: "a   = 1\nbbb = 2\n\ncc = 3\nd  = 4\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "align_broken_by_comment_line",
        input: "a = 1\n# comment\nbbb = 2\n",
        expected: "a = 1\n# comment\nbbb = 2\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "align_broken_by_multiline_value",
        input: "a = 1\nbb = [\n  1,\n]\nccc = 2\ndddd = 3\n",
        expected: "a = 1\nbb = [\n  1,\n]\nccc  = 2\ndddd = 3\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "align_with_single_line_collections",
        input: "a = [1, 2]\nbbbb = {x = 1}\ncc = f(1)\n",
        expected: "a    = [1, 2]\nbbbb = { x = 1 }\ncc   = f(1)\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "align_in_blocks",
        input: "resource \"a\" \"b\" {\n  x = 1\n  yyyy = 2\n  nested {\n    p = 1\n    qqq = 2\n  }\n  zz = 3\n}\n",
        expected: "resource \"a\" \"b\" {\n  x    = 1\n  yyyy = 2\n  nested {\n    p   = 1\n    qqq = 2\n  }\n  zz = 3\n}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "align_object_items",
        input: "a = {\n  x = 1\n  yyy = 2\n  \"quoted key\" = 3\n  z: 4\n}\n",
        expected: "a = {\n  x            = 1\n  yyy          = 2\n  \"quoted key\" = 3\n  z : 4\n}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "align_heredoc_in_chain",
        input: "a = 1\nbb = <<EOF\nhello\n  EOF\nccc = 2\n",
        expected: "a   = 1\nbb  = <<EOF\nhello\n  EOF\nccc = 2\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "align_trailing_comments",
        input: "a = 1 # one\nbbb = 2 # two\nc = [1] // three\n",
        expected: "a   = 1   # one\nbbb = 2   # two\nc   = [1] // three\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "align_comments_without_assign",
        input: "foo { # x\n  a = 1 # y\n}\n",
        expected: "foo {   # x\n  a = 1 # y\n}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "align_comment_chain_broken",
        input: "a = 1 # one\n\nbbb = 2 # two\n",
        expected: "a = 1 # one\n\nbbb = 2 # two\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "align_block_comment_in_line",
        input: "a = 1 /* c */\nbbb = 2\n",
        expected: "a   = 1 /* c */\nbbb = 2\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "align_unicode_keys",
        input: "a = {\n  \"ключ\" = 1\n  b = 2\n  \"é\" = 3\n  \"日本\" = 4\n}\n",
        expected: "a = {\n  \"ключ\" = 1\n  b      = 2\n  \"é\"    = 3\n  \"日本\"   = 4\n}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "align_nested_object_lines",
        input: "a = {\n  b = {\n    c = 1\n    dd = 2\n  }\n  eee = 3\n}\n",
        expected: "a = {\n  b = {\n    c  = 1\n    dd = 2\n  }\n  eee = 3\n}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "align_after_closing_brace",
        input: "a {\n  b = 1\n}\ncc = 2\nd = 3\n",
        expected: "a {\n  b = 1\n}\ncc = 2\nd  = 3\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "comment_styles",
        input: "# hash\n// slashes\n/* block */\na = 1\n",
        expected: "# hash\n// slashes\n/* block */\na = 1\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "comment_indentation",
        input: "foo {\n# a\n      // b\n  /* c */\nx = 1\n}\n",
        expected: "foo {\n  # a\n  // b\n  /* c */\n  x = 1\n}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "multiline_block_comment",
        input: "/*\n  keep\n     this\n*/\na = 1\n",
        expected: "/*\n  keep\n     this\n*/\na = 1\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "comment_trailing_spaces_kept",
        input: "# trailing   \na = 1 # also   \n",
        expected: "# trailing   \na = 1 # also   \n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "comment_at_eof_without_newline",
        input: "a = 1\n# last",
        expected: "a = 1\n# last",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "comment_only_file",
        input: "# just a comment\n",
        expected: "# just a comment\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "block_comment_inside_expression",
        input: "a = [ /* one */ 1, /* two */ 2 ]\nb = f(/* x */ 1)\n",
        expected: "a = [/* one */ 1, /* two */ 2]\nb = f(/* x */ 1)\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "comment_lines_inside_list",
        input: "a = [\n  # first\n  1,\n  2, # two\n  // end\n]\n",
        expected: "a = [\n  # first\n  1,\n  2, # two\n  // end\n]\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "comment_after_block_open",
        input: "foo { # comment\n  a = 1\n}\n",
        expected: "foo { # comment\n  a = 1\n}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "comment_after_block_close",
        input: "foo {\n  a = 1\n} # done\n",
        expected: "foo {\n  a = 1\n} # done\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "heredoc_basic",
        input: "a = <<EOF\n  keep   spaces\n\tand tabs\nEOF\n",
        expected: "a = <<EOF\n  keep   spaces\n\tand tabs\nEOF\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "heredoc_flush",
        input: "a = <<-EOT\n    indented\n      more\n    EOT\n",
        expected: "a = <<-EOT\n    indented\n      more\n    EOT\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "heredoc_with_interpolation",
        input: "a = <<EOF\nhello ${ name }\n%{ if x }yes%{ endif }\nEOF\n",
        expected: "a = <<EOF\nhello ${name}\n%{if x}yes%{endif}\nEOF\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "heredoc_in_function_call",
        input: "a = f(<<EOF\ntext\nEOF\n)\nb = 2\n",
        expected: "a = f(<<EOF\ntext\nEOF\n)\nb = 2\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "heredoc_in_block",
        input: "resource \"a\" \"b\" {\n      user_data = <<-EOF\n        #!/bin/bash\n        echo hi\n      EOF\n  other = 1\n}\n",
        expected: "resource \"a\" \"b\" {\n  user_data = <<-EOF\n        #!/bin/bash\n        echo hi\n      EOF\n  other     = 1\n}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "heredoc_in_list",
        input: "a = [\n  <<EOF\nx\nEOF\n  , 2\n]\n",
        expected: "a = [\n  <<EOF\nx\nEOF\n  , 2\n]\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "heredoc_dollar_lines",
        input: "a = <<EOF\nx$\n$\n\n$$\n%\nEOF\n",
        expected: "a = <<EOF\nx$\n$\n\n$$\n%\nEOF\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "heredoc_crlf",
        input: "a = <<EOF\r\nline\r\nEOF\r\nb=1\r\n",
        expected: "a = <<EOF\r\nline\r\nEOF\r\nb = 1\r\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "heredoc_marker_like_lines",
        input: "a = <<EOF\n EOF x\nEOFX\n  EOF  \n",
        expected: "a = <<EOF\n EOF x\nEOFX\n  EOF  \n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "heredoc_multiline_interpolation",
        input: "a = <<EOF\n${foo(\n1,\n2)}\nEOF\n",
        expected: "a = <<EOF\n${foo(\n1,\n2)}\nEOF\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "two_heredocs",
        input: "a = <<A\none\nA\nb = <<B\ntwo\nB\n",
        expected: "a = <<A\none\nA\nb = <<B\ntwo\nB\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "blank_lines_preserved",
        input: "\n\na = 1\n\n\n\nb = 2\n\n\n",
        expected: "\n\na = 1\n\n\n\nb = 2\n\n\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "trailing_spaces_removed",
        input: "a = 1   \nb {   \n  c = 2  \n}  \n",
        expected: "a = 1\nb {\n  c = 2\n}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "trailing_spaces_at_eof_kept",
        input: "a = 1   ",
        expected: "a = 1   ",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "no_trailing_newline",
        input: "a = 1",
        expected: "a = 1",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "tabs_as_indentation",
        input: "foo {\n\ta = 1\n\t\tbb = 2\n}\n",
        expected: "foo {\n  a  = 1\n  bb = 2\n}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "crlf_line_endings",
        input: "a=1\r\nfoo {\r\n  b=2\r\n}\r\n",
        expected: "a = 1\r\nfoo {\r\n  b = 2\r\n}\r\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "byte_order_mark",
        input: "\u{feff}a=1\n",
        expected: "a = 1\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "empty_file",
        input: "",
        expected: "",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "only_newlines",
        input: "\n\n",
        expected: "\n\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "only_spaces",
        input: "   ",
        expected: "   ",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "nested_blocks",
        input: "a {\nb {\nc {\nd = 1\n}\n}\n}\n",
        expected: "a {\n  b {\n    c {\n      d = 1\n    }\n  }\n}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "nested_collections",
        input: "a = {\nb = [\n{\nc = 1\n},\n]\n}\n",
        expected: "a = {\n  b = [\n    {\n      c = 1\n    },\n  ]\n}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "function_call_lines",
        input: "a = f(\n1,\ng(\n2\n)\n)\n",
        expected: "a = f(\n  1,\n  g(\n    2\n  )\n)\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "brackets_closing_on_same_line",
        input: "a = f([\n1,\n2,\n])\nb = 1\n",
        expected: "a = f([\n  1,\n  2,\n])\nb = 1\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "multiple_openers_one_line",
        input: "a = {b = [\n1\n]}\nc = 3\n",
        expected: "a = { b = [\n  1\n] }\nc = 3\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "uneven_brackets",
        input: "a = [[\n1],\n[2\n]]\n",
        expected: "a = [[\n  1],\n  [2\n]]\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "conditional_across_lines_in_parens",
        input: "a = (\nx\n? y\n: z\n)\n",
        expected: "a = (\n  x\n  ? y\n  : z\n)\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "for_across_lines",
        input: "a = [\nfor x in y :\nx\n]\n",
        expected: "a = [\n  for x in y :\n  x\n]\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "template_interpolation_across_lines",
        input: "a = \"${foo(\n1)}\"\nb = \"x${foo(\n1)}\"\n",
        expected: "a = (foo(\n1))\nb = \"x${foo(\n1)}\"\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "single_line_blocks",
        input: "a { b = 1 }\nc {}\nd { }\ne \"f\" {}\ng {b=1}\n",
        expected: "a { b = 1 }\nc {}\nd {}\ne \"f\" {}\ng { b = 1 }\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "unwrap_interpolation_only",
        input: "a = \"${var.x}\"\nb = \"${ var.x }\"\n",
        expected: "a = var.x\nb = var.x\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "no_unwrap_with_literal",
        input: "a = \"x${var.x}\"\nb = \"${var.x}x\"\nc = \"${a}${b}\"\n",
        expected: "a = \"x${var.x}\"\nb = \"${var.x}x\"\nc = \"${a}${b}\"\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "unwrap_nested_quotes",
        input: "a = \"${f(\"${x}\")}\"\nb = \"${\"lit\"}\"\n",
        expected: "a = f(\"${x}\")\nb = \"lit\"\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "unwrap_multiline_adds_parens",
        input: "a = \"${ x ? \n y : z}\"\nb = \"${\nvar.x\n}\"\nc = \"${(\nx\n)}\"\n",
        expected: "a = (x ?\ny : z)\nb = var.x\nc = (\n  x\n)\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "unwrap_multiline_parenthesized_ends_output_invalid",
        input: "d = \"${(x) +\n(y)}\"\n",
        expected: "d = (x) +\n(y)\n",
        reformatted: Reformatted::Refused,
    },
    FormattedCase {
        name: "unwrap_control_not_unwrapped",
        input: "a = \"%{if x}y%{endif}\"\n",
        expected: "a = \"%{if x}y%{endif}\"\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "unwrap_in_nested_contexts",
        input: "variable \"v\" {\n  default = \"${x}\"\n}\nm {\n  n {\n    a = \"${x.y}\"\n  }\n}\nb = [\"${x}\"]\nc = {k = \"${x}\"}\n",
        expected: "variable \"v\" {\n  default = x\n}\nm {\n  n {\n    a = x.y\n  }\n}\nb = [\"${x}\"]\nc = { k = \"${x}\" }\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "unwrap_with_comment_inside",
        input: "a = \"${x /* c */}\"\n",
        expected: "a = x /* c */\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "unwrap_heredoc_inside",
        input: "a = \"${<<EOF\nx\nEOF\n}\"\n",
        expected: "a = <<EOF\nx\nEOF\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "variable_type_keywords",
        input: "variable \"a\" {\n  type = list\n}\nvariable \"b\" {\n  type = map\n}\nvariable \"c\" {\n  type = set\n}\nvariable \"d\" {\n  type = string\n}\nvariable \"e\" {\n  type = tuple\n}\n",
        expected: "variable \"a\" {\n  type = list(any)\n}\nvariable \"b\" {\n  type = map(any)\n}\nvariable \"c\" {\n  type = set(any)\n}\nvariable \"d\" {\n  type = string\n}\nvariable \"e\" {\n  type = tuple\n}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "variable_type_legacy_strings",
        input: "variable \"a\" {\n  type = \"string\"\n}\nvariable \"b\" {\n  type = \"list\"\n}\nvariable \"c\" {\n  type = \"map\"\n}\nvariable \"d\" {\n  type = \"set\"\n}\nvariable \"e\" {\n  type = \"String\"\n}\n",
        expected: "variable \"a\" {\n  type = string\n}\nvariable \"b\" {\n  type = list(string)\n}\nvariable \"c\" {\n  type = map(string)\n}\nvariable \"d\" {\n  type = \"set\"\n}\nvariable \"e\" {\n  type = \"String\"\n}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "variable_type_with_comment",
        input: "variable \"a\" {\n  type = list # any list\n  default = []\n}\n",
        expected: "variable \"a\" {\n  type    = list(any) # any list\n  default = []\n}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "variable_type_single_line_block",
        input: "variable \"a\" { type = map }\n",
        expected: "variable \"a\" { type = map(any) }\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "type_outside_variable_unchanged",
        input: "v {\n  type = list\n}\nvariable \"x\" {\n  nested {\n    type = list\n  }\n}\ntype = list\n",
        expected: "v {\n  type = list\n}\nvariable \"x\" {\n  nested {\n    type = list\n  }\n}\ntype = list\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "variable_type_interpolation_not_unwrapped",
        input: "variable \"a\" {\n  type = \"${string}\"\n}\n",
        expected: "variable \"a\" {\n  type = \"${string}\"\n}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "labels_identifiers_quoted",
        input: "resource aws_instance web {\n}\n",
        expected: "resource \"aws_instance\" \"web\" {\n}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "labels_mixed",
        input: "module \"a\" {\n}\nprovider aws {\n}\n",
        expected: "module \"a\" {\n}\nprovider \"aws\" {\n}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "labels_escapes",
        input: "resource \"a\\tb\" \"c\\u0041\\\"d\" {}\n",
        expected: "resource \"a\\tb\" \"cA\\\"d\" {}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "labels_unicode",
        input: "resource \"é\" \"日本\" {}\n",
        expected: "resource \"é\" \"日本\" {}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "labels_non_printable",
        input: "resource \"\\u00a0\" \"\\u200b\" \"\\u0001\" {}\n",
        expected: "resource \"\\u00a0\" \"\\u200b\" \"\\u0001\" {}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "labels_empty",
        input: "resource \"\" \"x\" {}\n",
        expected: "resource \"\" \"x\" {}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "labels_comments_dropped",
        input: "resource /* x */ \"a\" /* y */ \"b\" /* z */ {}\n",
        expected: "resource \"a\" \"b\" /* z */ {}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "labels_with_dollar_dropped",
        input: "resource \"a$b\" \"c\" {}\nresource \"x\" \"50%\" {}\n",
        expected: "resource \"c\" {}\nresource \"x\" {}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "labels_template_escapes",
        input: "resource \"$${\" \"%%{\" \"$\" \"%\" {}\n",
        expected: "resource \"$${\" \"%%{\" \"$\" \"%\" {}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "labels_spacing",
        input: "resource   \"a\"    \"b\"{}\n",
        expected: "resource \"a\" \"b\" {}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "realistic_resource",
        input: "resource \"aws_instance\" \"web\" {\nami = \"ami-123\"\ninstance_type = var.type\ntags = {\nName = \"web\"\nEnvironment = var.env\n}\n\nlifecycle {\ncreate_before_destroy = true\n}\n}\n",
        expected: "resource \"aws_instance\" \"web\" {\n  ami           = \"ami-123\"\n  instance_type = var.type\n  tags = {\n    Name        = \"web\"\n    Environment = var.env\n  }\n\n  lifecycle {\n    create_before_destroy = true\n  }\n}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "realistic_locals",
        input: "locals {\n  a = merge(var.x, {\n    b = 1\n  })\n  list = [for s in var.subnets : s.id if s.public]\n  m    = { for k, v in var.m : k => upper(v) }\n}\n",
        expected: "locals {\n  a = merge(var.x, {\n    b = 1\n  })\n  list = [for s in var.subnets : s.id if s.public]\n  m    = { for k, v in var.m : k => upper(v) }\n}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "realistic_dynamic",
        input: "dynamic \"rule\" {\nfor_each = var.rules\ncontent {\nport = rule.value.port\ncidr = rule.value.cidr\n}\n}\n",
        expected: "dynamic \"rule\" {\n  for_each = var.rules\n  content {\n    port = rule.value.port\n    cidr = rule.value.cidr\n  }\n}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "realistic_output",
        input: "output \"ip\" {\nvalue = \"${aws_instance.web.public_ip}\"\nsensitive = true\ndescription = \"The IP\"\n}\n",
        expected: "output \"ip\" {\n  value       = aws_instance.web.public_ip\n  sensitive   = true\n  description = \"The IP\"\n}\n",
        reformatted: Reformatted::Same,
    },
    FormattedCase {
        name: "realistic_tfvars",
        input: "region=\"eu-west-1\"\ntags={\nowner=\"me\"\n}\nzones=[\"a\",\"b\"]\n",
        expected: "region = \"eu-west-1\"\ntags = {\n  owner = \"me\"\n}\nzones = [\"a\", \"b\"]\n",
        reformatted: Reformatted::Same,
    },
];

/// Inputs `terraform fmt` (1.0.3) refuses, with the summary and line of its first error.
const REFUSED: &[RefusedCase] = &[
    RefusedCase {
        name: "error_missing_value",
        input: "a =\n",
        message: "Invalid expression",
        line: 1,
    },
    RefusedCase {
        name: "error_missing_equals",
        input: "a 1\n",
        message: "Argument or block definition required",
        line: 1,
    },
    RefusedCase {
        name: "error_two_attributes_one_line",
        input: "a = 1 b = 2\n",
        message: "Missing newline after argument",
        line: 1,
    },
    RefusedCase {
        name: "error_comma_after_attribute",
        input: "a = 1,\n",
        message: "Unexpected comma after argument",
        line: 1,
    },
    RefusedCase {
        name: "error_duplicate_attribute",
        input: "a = 1\na = 2\n",
        message: "Attribute redefined",
        line: 2,
    },
    RefusedCase {
        name: "error_duplicate_attribute_in_block",
        input: "b {\n  x = 1\n  x = 2\n}\n",
        message: "Attribute redefined",
        line: 3,
    },
    RefusedCase {
        name: "error_unclosed_block",
        input: "a {\n  b = 1\n",
        message: "Argument or block definition required",
        line: 3,
    },
    RefusedCase {
        name: "error_extra_closing_brace",
        input: "a = 1\n}\n",
        message: "Argument or block definition required",
        line: 2,
    },
    RefusedCase {
        name: "error_unclosed_string",
        input: "a = \"abc\n",
        message: "Invalid multi-line string",
        line: 1,
    },
    RefusedCase {
        name: "error_unclosed_string_at_eof",
        input: "a = \"abc",
        message: "Unterminated template string",
        line: 1,
    },
    RefusedCase {
        name: "error_single_quotes",
        input: "a = 'x'\n",
        message: "Invalid character",
        line: 1,
    },
    RefusedCase {
        name: "error_semicolon",
        input: "a = 1;\n",
        message: "Invalid character",
        line: 1,
    },
    RefusedCase {
        name: "error_bitwise",
        input: "a = x & y\n",
        message: "Unsupported operator",
        line: 1,
    },
    RefusedCase {
        name: "error_backtick",
        input: "a = `x`\n",
        message: "Invalid character",
        line: 1,
    },
    RefusedCase {
        name: "error_invalid_character",
        input: "a = @\n",
        message: "Invalid character",
        line: 1,
    },
    RefusedCase {
        name: "error_curly_quote",
        input: "a = “x”\n",
        message: "Invalid character",
        line: 1,
    },
    RefusedCase {
        name: "error_quoted_argument_name",
        input: "\"a\" = 1\n",
        message: "Invalid argument name",
        line: 1,
    },
    RefusedCase {
        name: "error_block_label_template",
        input: "resource \"a${b}\" {}\n",
        message: "Invalid string literal",
        line: 1,
    },
    RefusedCase {
        name: "error_block_equals",
        input: "a = {\n}\nb \"x\" = {}\n",
        message: "Invalid block definition",
        line: 3,
    },
    RefusedCase {
        name: "error_block_newline_before_brace",
        input: "a\n{\n}\n",
        message: "Argument or block definition required",
        line: 1,
    },
    RefusedCase {
        name: "error_single_line_block_two_args",
        input: "a { b = 1, c = 2 }\n",
        message: "Invalid single-argument block definition",
        line: 1,
    },
    RefusedCase {
        name: "error_single_line_block_nested_block",
        input: "a { b {} }\n",
        message: "Argument definition required",
        line: 1,
    },
    RefusedCase {
        name: "error_missing_newline_after_block",
        input: "a {} b {}\n",
        message: "Missing newline after block definition",
        line: 1,
    },
    RefusedCase {
        name: "error_operator_at_line_start",
        input: "a = 1\n+ 2\n",
        message: "Argument or block definition required",
        line: 2,
    },
    RefusedCase {
        name: "error_operator_at_line_end",
        input: "a = 1 +\n2\n",
        message: "Invalid expression",
        line: 1,
    },
    RefusedCase {
        name: "error_conditional_across_lines",
        input: "a = x ?\ny : z\n",
        message: "Invalid expression",
        line: 1,
    },
    RefusedCase {
        name: "error_missing_false_branch",
        input: "a = x ? y\n",
        message: "Missing false expression in conditional",
        line: 1,
    },
    RefusedCase {
        name: "error_unbalanced_paren",
        input: "a = (1\n",
        message: "Unbalanced parentheses",
        line: 2,
    },
    RefusedCase {
        name: "error_missing_argument_separator",
        input: "a = f(1 2)\n",
        message: "Missing argument separator",
        line: 1,
    },
    RefusedCase {
        name: "error_ellipsis_not_last",
        input: "a = f(x..., y)\n",
        message: "Missing closing parenthesis",
        line: 1,
    },
    RefusedCase {
        name: "error_missing_item_separator",
        input: "a = [1 2]\n",
        message: "Missing item separator",
        line: 1,
    },
    RefusedCase {
        name: "error_object_missing_value",
        input: "a = {\n  b\n}\n",
        message: "Missing attribute value",
        line: 2,
    },
    RefusedCase {
        name: "error_object_missing_separator",
        input: "a = {b = 1 c = 2}\n",
        message: "Missing attribute separator",
        line: 1,
    },
    RefusedCase {
        name: "error_for_tuple_with_key",
        input: "a = [for k, v in m: k => v]\n",
        message: "Invalid 'for' expression",
        line: 1,
    },
    RefusedCase {
        name: "error_for_object_without_key",
        input: "a = {for v in l: v}\n",
        message: "Invalid 'for' expression",
        line: 1,
    },
    RefusedCase {
        name: "error_for_missing_in",
        input: "a = [for x y: x]\n",
        message: "Invalid 'for' expression",
        line: 1,
    },
    RefusedCase {
        name: "error_for_grouping_in_tuple",
        input: "a = [for x in y: x...]\n",
        message: "Invalid 'for' expression",
        line: 1,
    },
    RefusedCase {
        name: "error_invalid_escape",
        input: "a = \"\\q\"\n",
        message: "Invalid escape sequence",
        line: 1,
    },
    RefusedCase {
        name: "error_short_unicode_escape",
        input: "a = \"\\u12\"\n",
        message: "Invalid escape sequence",
        line: 1,
    },
    RefusedCase {
        name: "error_surrogate_escape",
        input: "a = \"\\ud800\"\n",
        message: "Invalid escape sequence",
        line: 1,
    },
    RefusedCase {
        name: "error_number_two_points",
        input: "a = 1.2.3\n",
        message: "Invalid number literal",
        line: 1,
    },
    RefusedCase {
        name: "error_number_exponent_overflow",
        input: "a = 1e2147483647\n",
        message: "Invalid number literal",
        line: 1,
    },
    RefusedCase {
        name: "error_legacy_index_chain",
        input: "a = x.0.1\n",
        message: "Invalid legacy index syntax",
        line: 1,
    },
    RefusedCase {
        name: "error_attribute_name_after_dot",
        input: "a = x.\"y\"\n",
        message: "Invalid attribute name",
        line: 1,
    },
    RefusedCase {
        name: "error_nested_attribute_splat",
        input: "a = x.*.*\n",
        message: "Nested splat expression not allowed",
        line: 1,
    },
    RefusedCase {
        name: "error_splat_missing_bracket",
        input: "a = x[*\n]\n",
        message: "Missing close bracket on splat index",
        line: 2,
    },
    RefusedCase {
        name: "error_template_unbalanced_endif",
        input: "a = \"%{ endif }\"\n",
        message: "Unexpected endif directive",
        line: 1,
    },
    RefusedCase {
        name: "error_template_missing_endfor",
        input: "a = \"%{ for x in y }z\"\n",
        message: "Unexpected end of template",
        line: 1,
    },
    RefusedCase {
        name: "error_template_else_in_for",
        input: "a = \"%{ for x in y }%{ else }%{ endfor }\"\n",
        message: "Unexpected else directive",
        line: 1,
    },
    RefusedCase {
        name: "error_template_two_elses",
        input: "a = \"%{ if x }%{ else }%{ else }%{ endif }\"\n",
        message: "Unexpected else directive",
        line: 1,
    },
    RefusedCase {
        name: "error_template_bad_keyword",
        input: "a = \"%{ when x }%{ endif }\"\n",
        message: "Invalid template control keyword",
        line: 1,
    },
    RefusedCase {
        name: "error_interpolation_extra_tokens",
        input: "a = \"${x y}\"\n",
        message: "Extra characters after interpolation expression",
        line: 1,
    },
    RefusedCase {
        name: "error_empty_interpolation",
        input: "a = \"${}\"\n",
        message: "Invalid expression",
        line: 1,
    },
    RefusedCase {
        name: "error_heredoc_unterminated",
        input: "a = <<EOF\nx\n",
        message: "Unterminated template string",
        line: 3,
    },
    RefusedCase {
        name: "error_heredoc_marker_without_newline",
        input: "a = <<EOF\nx\nEOF",
        message: "Unterminated template string",
        line: 3,
    },
    RefusedCase {
        name: "error_heredoc_bare_carriage_return",
        input: "a = <<EOF\nx\ry\nEOF\n",
        message: "Invalid character",
        line: 2,
    },
    RefusedCase {
        name: "error_bare_carriage_return",
        input: "a = 1\rb = 2\n",
        message: "Invalid character",
        line: 1,
    },
    RefusedCase {
        name: "error_unterminated_block_comment",
        input: "a = 1 /* never closed\n",
        message: "Invalid expression",
        line: 1,
    },
    RefusedCase {
        name: "error_tilde_brace_outside_template",
        input: "a = {\n~}\n",
        message: "Invalid expression",
        line: 2,
    },
    RefusedCase {
        name: "error_stray_closing_bracket",
        input: "a = ]\n",
        message: "Invalid expression",
        line: 1,
    },
    RefusedCase {
        name: "error_label_unterminated",
        input: "resource \"a\n",
        message: "Invalid multi-line string",
        line: 1,
    },
    RefusedCase {
        name: "error_block_closed_on_attribute_line",
        input: "a {\n  b = 1 }\n",
        message: "Missing newline after argument",
        line: 2,
    },
];
