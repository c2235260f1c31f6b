//! Bad input never crashes terrane: truncated files, invalid UTF-8, NUL bytes, very deep
//! nesting, a 50 MB string literal, huge numbers and huge templates each end in a
//! diagnostic (exit code 1, `Error:` on standard error) or, where Terraform accepts the
//! input, in success, and never in a panic, a stack overflow or death by a signal.
//!
//! Each case runs the real binary with `validate` and `apply -auto-approve -input=false`
//! in a temporary directory. Every prefix of a representative configuration is also loaded
//! and evaluated in process, which covers truncation at every byte.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use terrane_engine::config::load_module_tree;
use terrane_engine::eval::module::{evaluate_tree, Mode, Settings};

/// What Terraform does with an input, and so what terrane must do.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// Accepted: exit code 0.
    Valid,
    /// Rejected with a diagnostic: exit code 1 and `Error:` on standard error.
    Diagnostic,
    /// Terraform accepts it, but terrane may reject it with a diagnostic (a documented
    /// limit, such as the parser's nesting depth); either way it must not crash.
    ValidOrDiagnostic,
}

fn terrane(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_terrane"))
        .args(args)
        .current_dir(dir)
        .env("CHECKPOINT_DISABLE", "1")
        .env("NO_COLOR", "1")
        .env_remove("TF_CLI_ARGS")
        .env_remove("TF_WORKSPACE")
        .env_remove("TF_DATA_DIR")
        .output()
        .expect("run terrane")
}

/// Describes how a process ended, for assertion messages.
fn describe(output: &Output) -> String {
    #[cfg(unix)]
    let signal = {
        use std::os::unix::process::ExitStatusExt;
        output.status.signal()
    };
    #[cfg(not(unix))]
    let signal: Option<i32> = None;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let clip = |s: &str| s.chars().take(2000).collect::<String>();
    format!(
        "exit code {:?}, signal {signal:?}\n--- stderr ---\n{}\n--- stdout ---\n{}",
        output.status.code(),
        clip(&stderr),
        clip(&stdout)
    )
}

/// Asserts that the process ended normally with the expected outcome, and returns its
/// standard output.
fn check(case: &str, command: &str, output: &Output, expect: Expect) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let context = || format!("{case}: terrane {command}: {}", describe(output));
    let code = output.status.code();
    assert!(code.is_some(), "died by a signal; {}", context());
    for crash in [
        "panicked at",
        "stack overflow",
        "the command panicked",
        "RUST_BACKTRACE",
    ] {
        assert!(
            !stderr.contains(crash),
            "crashed ({crash:?}); {}",
            context()
        );
    }
    let valid = code == Some(0);
    let diagnostic = code == Some(1) && stderr.contains("Error:");
    match expect {
        Expect::Valid => assert!(valid, "expected success; {}", context()),
        Expect::Diagnostic => assert!(diagnostic, "expected a diagnostic; {}", context()),
        Expect::ValidOrDiagnostic => {
            assert!(
                valid || diagnostic,
                "expected success or a diagnostic; {}",
                context()
            )
        }
    }
    stdout
}

/// Runs `validate` and `apply` on a directory holding `files`; returns the standard output
/// of `apply` when it succeeded.
fn run_case(case: &str, files: &[(&str, &[u8])], expect: Expect) -> Option<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).expect("write a file");
    }
    let validate = terrane(dir.path(), &["validate", "-no-color"]);
    check(case, "validate", &validate, expect);
    let apply = terrane(
        dir.path(),
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    );
    let stdout = check(case, "apply", &apply, expect);
    apply.status.success().then_some(stdout)
}

/// Runs a case of one `main.tf`.
fn run_main(case: &str, config: impl AsRef<[u8]>, expect: Expect) -> Option<String> {
    run_case(case, &[("main.tf", config.as_ref())], expect)
}

fn nested(open: &str, inner: &str, close: &str, depth: usize) -> String {
    let mut s = String::with_capacity((open.len() + close.len()) * depth + inner.len());
    s.push_str(&open.repeat(depth));
    s.push_str(inner);
    s.push_str(&close.repeat(depth));
    s
}

/// When the apply succeeded, its outputs must include `line`.
fn assert_output(case: &str, stdout: Option<String>, line: &str) {
    if let Some(out) = stdout {
        assert!(
            out.contains(line),
            "{case}: expected {line:?} in the outputs:\n{out}"
        );
    }
}

#[test]
fn truncated_mid_block() {
    run_main(
        "mid-block",
        "locals {\n  a = 1\n}\noutput \"x\" {\n  value = local.a\n",
        Expect::Diagnostic,
    );
    run_main("mid-block header", "output \"x", Expect::Diagnostic);
    run_main(
        "mid-attribute",
        "output \"x\" {\n  value =",
        Expect::Diagnostic,
    );
}

#[test]
fn truncated_mid_string_and_template() {
    run_main(
        "mid-string",
        "output \"x\" {\n  value = \"abc",
        Expect::Diagnostic,
    );
    run_main(
        "mid-escape",
        "output \"x\" {\n  value = \"abc\\u00",
        Expect::Diagnostic,
    );
    run_main(
        "mid-interpolation",
        "output \"x\" {\n  value = \"a${upper(\"b",
        Expect::Diagnostic,
    );
    run_main(
        "mid-directive",
        "output \"x\" {\n  value = \"%{ for x in [1] }${x}",
        Expect::Diagnostic,
    );
    run_main(
        "mid-for",
        "output \"x\" {\n  value = [for x in [1, 2] :",
        Expect::Diagnostic,
    );
    run_main(
        "mid-comment",
        "output \"x\" {\n  value = 1\n}\n/* comment",
        Expect::Diagnostic,
    );
}

#[test]
fn truncated_mid_heredoc() {
    run_main(
        "mid-heredoc",
        "output \"x\" {\n  value = <<EOT\nhello\n",
        Expect::Diagnostic,
    );
    run_main(
        "mid-heredoc marker",
        "output \"x\" {\n  value = <<-EO",
        Expect::Diagnostic,
    );
    run_main(
        "heredoc missing close brace",
        "output \"x\" {\n  value = <<EOT\nhello\nEOT\n",
        Expect::Diagnostic,
    );
}

#[test]
fn truncated_json_configuration() {
    run_case(
        "mid-json",
        &[(
            "main.tf.json",
            b"{\"output\": {\"x\": {\"value\": \"${upper(\\\"a",
        )],
        Expect::Diagnostic,
    );
    run_case(
        "mid-json object",
        &[("main.tf.json", b"{\"locals\": {\"a\": [1, 2")],
        Expect::Diagnostic,
    );
}

#[test]
fn invalid_utf8() {
    run_main(
        "invalid UTF-8 in a string",
        b"output \"x\" { value = \"\xff\xfe abc\" }\n",
        Expect::Diagnostic,
    );
    run_main(
        "invalid UTF-8 in a label",
        b"output \"x\xff\" { value = 1 }\n",
        Expect::Diagnostic,
    );
    run_main(
        "invalid UTF-8 in a name",
        b"locals { a\xc3 = 1 }\n",
        Expect::Diagnostic,
    );
    // Terraform ignores invalid UTF-8 inside comments; terrane rejects the whole file.
    run_main(
        "invalid UTF-8 in a comment",
        b"# comment \xff\xfe\noutput \"x\" { value = 1 }\n",
        Expect::ValidOrDiagnostic,
    );
    run_main(
        "truncated UTF-8 sequence at the end",
        b"output \"x\" { value = 1 }\n#\xe6\x97",
        Expect::ValidOrDiagnostic,
    );
    run_case(
        "invalid UTF-8 in JSON",
        &[("main.tf.json", b"{\"locals\": {\"a\": \"\xff\"}}")],
        Expect::Diagnostic,
    );
}

#[test]
fn empty_and_blank_files() {
    run_main("an empty file", "", Expect::Valid);
    run_main("a file of blank lines", "\n\n  \t\n\r\n", Expect::Valid);
}

#[test]
fn syntax_errors_next_to_multibyte_characters() {
    // A syntax error at the end of a file that ends in a multi-byte character: the parser
    // reports it at the last byte, inside that character.
    for (case, config) in [
        ("a ß", "a ß"),
        ("a é", "a é"),
        ("a block type then ü", "x = 1\nlocals ü"),
        ("an emoji at the end", "a 😀"),
        ("an emoji after a name", "locals {\n  a 😀\n}\n"),
        ("CJK after a block", "locals { a = 1 } 日本"),
        (
            "a label then a combining mark",
            "output \"x\" \u{301} { value = 1 }",
        ),
    ] {
        run_main(case, config, Expect::Diagnostic);
    }
}

#[test]
fn nul_bytes() {
    run_main("a file of NUL bytes", vec![0u8; 4096], Expect::Diagnostic);
    run_main(
        "a NUL byte in a string",
        b"output \"x\" { value = \"a\0b\" }\n",
        Expect::ValidOrDiagnostic,
    );
    run_case(
        "a JSON file of NUL bytes",
        &[("main.tf.json", &[0u8; 100])],
        Expect::Diagnostic,
    );
}

#[test]
fn random_bytes() {
    // A fixed pseudo-random sequence (xorshift), so that failures reproduce.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let bytes: Vec<u8> = (0..65536)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    run_main("random bytes", &bytes, Expect::Diagnostic);
}

#[test]
fn ten_thousand_nested_brackets() {
    let config = format!(
        "output \"x\" {{ value = length({}) }}\n",
        nested("[", "1", "]", 10_000)
    );
    let out = run_main("10,000 nested brackets", config, Expect::ValidOrDiagnostic);
    assert_output("10,000 nested brackets", out, "x = 1");
    let unclosed = format!("output \"x\" {{ value = {} }}\n", "[".repeat(10_000));
    run_main("10,000 unclosed brackets", unclosed, Expect::Diagnostic);
}

#[test]
fn ten_thousand_nested_parentheses_and_calls() {
    let parens = format!(
        "output \"x\" {{ value = {} }}\n",
        nested("(", "1", ")", 10_000)
    );
    let out = run_main(
        "10,000 nested parentheses",
        parens,
        Expect::ValidOrDiagnostic,
    );
    assert_output("10,000 nested parentheses", out, "x = 1");
    let calls = format!(
        "output \"x\" {{ value = {} }}\n",
        nested("abs(", "-1", ")", 10_000)
    );
    let out = run_main(
        "10,000 nested function calls",
        calls,
        Expect::ValidOrDiagnostic,
    );
    assert_output("10,000 nested function calls", out, "x = 1");
    let interpolations = format!(
        "output \"x\" {{ value = {} }}\n",
        nested("\"${", "1", "}\"", 10_000)
    );
    run_main(
        "10,000 nested interpolations",
        interpolations,
        Expect::ValidOrDiagnostic,
    );
    let operators = format!("output \"x\" {{ value = 0{} }}\n", " + 1".repeat(10_000));
    let out = run_main(
        "10,000 chained operators",
        operators,
        Expect::ValidOrDiagnostic,
    );
    assert_output("10,000 chained operators", out, "x = 10000");
    let negations = format!("output \"x\" {{ value = {}true }}\n", "!".repeat(10_000));
    let out = run_main("10,000 negations", negations, Expect::ValidOrDiagnostic);
    assert_output("10,000 negations", out, "x = true");
}

#[test]
fn deeply_nested_objects_and_blocks() {
    let object = format!(
        "locals {{ deep = {} }}\noutput \"x\" {{ value = length(local.deep) }}\n",
        nested("{a = ", "1", "}", 10_000)
    );
    let out = run_main("10,000 nested objects", object, Expect::ValidOrDiagnostic);
    assert_output("10,000 nested objects", out, "x = 1");
    // Deep enough to be interesting, shallow enough for every parser: must work.
    let moderate = format!(
        "locals {{ deep = {} }}\noutput \"x\" {{ value = jsonencode(local.deep) }}\n",
        nested("{a = [", "1", "]}", 30)
    );
    let expected = format!("x = \"{}\"", nested("{\\\"a\\\":[", "1", "]}", 30));
    let out = run_main("30 nested objects", moderate, Expect::Valid);
    assert_output("30 nested objects", out, &expected);
    let blocks = format!(
        "resource \"terraform_data\" \"r\" {{\n{}\n}}\n",
        nested(
            "dynamic \"b\" {\n for_each = [1]\n content {\n",
            "",
            "}\n}\n",
            10_000
        )
    );
    run_main("10,000 nested blocks", blocks, Expect::ValidOrDiagnostic);
}

#[test]
fn deeply_nested_decoded_values() {
    let json = format!(
        "output \"x\" {{ value = length(jsondecode(\"{}\")) }}\n",
        nested("[", "1", "]", 10_000)
    );
    let out = run_main(
        "jsondecode of 10,000 nested arrays",
        json,
        Expect::ValidOrDiagnostic,
    );
    assert_output("jsondecode of 10,000 nested arrays", out, "x = 1");
    let yaml = format!(
        "output \"x\" {{ value = length(yamldecode(\"{}\")) }}\n",
        nested("[", "1", "]", 10_000)
    );
    let out = run_main(
        "yamldecode of 10,000 nested sequences",
        yaml,
        Expect::ValidOrDiagnostic,
    );
    assert_output("yamldecode of 10,000 nested sequences", out, "x = 1");
    let config = format!(
        "{{\"output\": {{\"x\": {{\"value\": {}}}}}}}",
        nested("[", "1", "]", 10_000)
    );
    run_case(
        "a JSON configuration of 10,000 nested arrays",
        &[("main.tf.json", config.as_bytes())],
        Expect::ValidOrDiagnostic,
    );
}

#[test]
fn fifty_megabyte_string_literal() {
    // `startswith` rather than `length`: counting 50 million grapheme clusters is correct but
    // slow in a debug build, and the point here is loading and evaluating the literal.
    let size = 50_000_000;
    let mut config = String::with_capacity(size + 64);
    config.push_str("output \"x\" { value = startswith(\"");
    config.push_str(&"a".repeat(size));
    config.push_str("\", \"aaa\") }\n");
    let out = run_main("50 MB string literal", config, Expect::Valid);
    assert_output("50 MB string literal", out, "x = true");
}

#[test]
fn huge_number_literals() {
    // Terraform accepts these (arbitrary precision). terrane's parser (hcl-edit) reads number
    // literals as 64-bit floats and rejects those that overflow: a diagnostic, not a crash.
    let out = run_main(
        "1e100000",
        "output \"x\" { value = 1e100000 > 1 }\n",
        Expect::ValidOrDiagnostic,
    );
    assert_output("1e100000", out, "x = true");
    let out = run_main(
        "1e100000 printed",
        "output \"x\" { value = 1e100000 }\n",
        Expect::ValidOrDiagnostic,
    );
    assert_output(
        "1e100000 printed",
        out,
        &format!("x = 1{}", "0".repeat(100_000)),
    );
    let digits = format!("output \"x\" {{ value = {} > 0 }}\n", "9".repeat(1_000_000));
    let out = run_main("a million digits", digits, Expect::ValidOrDiagnostic);
    assert_output("a million digits", out, "x = true");
    // Terraform rejects an exponent this large.
    run_main(
        "1e9999999999",
        "output \"x\" { value = 1e9999999999 }\n",
        Expect::Diagnostic,
    );
    // Tiny numbers parse as 64-bit zero, then exactly: both Terraform and terrane accept them.
    let out = run_main(
        "1e-100000",
        "output \"x\" { value = 1e-100000 > 0 }\n",
        Expect::Valid,
    );
    assert_output("1e-100000", out, "x = true");
    let out = run_main(
        "tonumber of 1e100000",
        "output \"x\" { value = tonumber(\"1e100000\") > 1 }\n",
        Expect::Valid,
    );
    assert_output("tonumber of 1e100000", out, "x = true");
}

#[test]
fn absurd_format_widths() {
    // Terraform prints Go's "%!(NOVERB)" for numeric verbs whose width or precision is over
    // ten million, and fails the call for a string padded to 10^20: never an allocation of
    // that size, and never a crash.
    for (case, expr) in [
        ("a 20-digit width", "format(\"%99999999999999999999d\", 1)"),
        (
            "a 20-digit string width",
            "format(\"%99999999999999999999s\", \"a\")",
        ),
        (
            "a 20-digit precision",
            "format(\"%.99999999999999999999f\", 1)",
        ),
        (
            "a 60-digit width",
            "format(\"%111111111111111111111111111111111111111111111111111111111111x\", -1e306)",
        ),
        ("formatlist", "formatlist(\"%99999999999999999999v\", [1])"),
    ] {
        let config = format!("output \"x\" {{ value = {expr} }}\n");
        run_main(case, config, Expect::ValidOrDiagnostic);
    }
}

#[test]
fn templatefile_of_a_huge_template() {
    let mut template = String::with_capacity(6_000_000);
    for i in 0..50_000 {
        template.push_str("line ${name} %{ if i > 0 }positive%{ endif } ");
        template.push_str(&"x".repeat(40));
        template.push_str(&format!(" {i}\n"));
    }
    let config = "output \"x\" { value = length(templatefile(\"${path.module}/big.tftpl\", { name = \"n\", i = 1 })) }\n";
    let expected_len = template
        .replace("${name}", "n")
        .replace("%{ if i > 0 }positive%{ endif }", "positive")
        .len();
    let out = run_case(
        "templatefile of a huge template",
        &[
            ("main.tf", config.as_bytes()),
            ("big.tftpl", template.as_bytes()),
        ],
        Expect::Valid,
    );
    assert_output(
        "templatefile of a huge template",
        out,
        &format!("x = {expected_len}"),
    );
    let deep = nested("%{ if true }", "x", "%{ endif }", 10_000);
    run_case(
        "templatefile of 10,000 nested directives",
        &[
            ("main.tf", config.as_bytes()),
            ("big.tftpl", deep.as_bytes()),
        ],
        Expect::ValidOrDiagnostic,
    );
    let truncated = "a ${name} %{ for x in [1, 2] }${x";
    run_case(
        "templatefile of a truncated template",
        &[
            ("main.tf", config.as_bytes()),
            ("big.tftpl", truncated.as_bytes()),
        ],
        Expect::Diagnostic,
    );
    run_case(
        "templatefile of invalid UTF-8",
        &[
            ("main.tf", config.as_bytes()),
            ("big.tftpl", b"a \xff ${name}"),
        ],
        Expect::Diagnostic,
    );
}

/// A configuration using most of the language, cut at every byte below.
const REPRESENTATIVE: &str = r#"variable "name" {
  type    = string
  default = "world"
  validation {
    condition     = length(var.name) > 0
    error_message = "Empty."
  }
}
locals {
  items = [for i, v in ["a", "b"] : "${i}=${v}" if v != ""]
  map   = { for k, v in { a = 1 } : k => v... }
  text  = <<-EOT
    %{ for x in local.items ~}
    ${x} é 日本
    %{ endfor ~}
    EOT
  cond  = var.name == "" ? null : upper(var.name)
  splat = [{ a = 1 }][*].a
  café  = "ü"
  naïve = local.café
}
resource "terraform_data" "r" {
  count = 1
  input = local.cond
}
output "x" {
  value = [local.items, local.map, local.text, local.splat, terraform_data.r[*].id]
}
"#;

const REPRESENTATIVE_JSON: &str = r#"{
  "variable": { "name": { "type": "string", "default": "x" } },
  "locals": { "a": "${upper(var.name)} é", "b": [1, { "c": null }] },
  "output": { "x": { "value": "${local.a}" } }
}
"#;

/// Loads and, without errors, evaluates every prefix of a configuration in process (the
/// binary would be too slow to start a thousand times).
fn every_prefix_loads(name: &str, text: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let cwd = dir.path().to_path_buf();
    for cut in 0..=text.len() {
        std::fs::write(dir.path().join(name), &text.as_bytes()[..cut]).expect("write");
        let (module, diagnostics) = load_module_tree(dir.path());
        if diagnostics.has_errors() {
            continue;
        }
        let module = Arc::new(module);
        for mode in [Mode::Validate, Mode::Apply] {
            let settings = Settings {
                mode,
                workspace: "default".into(),
                cwd: cwd.clone(),
                files: Arc::new(terrane_engine::functions::RealFiles),
                plan_timestamp: "2024-01-01T00:00:00Z".into(),
            };
            let _ = evaluate_tree(module.clone(), BTreeMap::new(), settings);
        }
    }
}

#[test]
fn truncated_at_every_byte() {
    every_prefix_loads("main.tf", REPRESENTATIVE);
    every_prefix_loads("main.tf.json", REPRESENTATIVE_JSON);
}
