//! Differential test of the language against Terraform 1.0.3.
//!
//! Every case of `tests/differential/cases/*.txt` becomes a directory holding
//! the case's files and a `main.tf` with `output "result" { value = EXPR }`;
//! the terrane binary then runs `init`, `apply -auto-approve` and
//! `output -json` there, exactly as `scripts/record-differential` ran the
//! reference Terraform to record `tests/differential/expected.json`. The
//! answers must agree on type and value (numbers compared by their exact
//! decimal text), or both be errors. At least 99% of the cases must agree,
//! every remaining difference must be listed with its reason in
//! `tests/differential/known-differences.md`, and a listed difference that
//! agrees now fails the test so the list stays true.
//!
//! `DIFFERENTIAL_FILTER=prefix[,prefix...]` runs only the matching cases;
//! `DIFFERENTIAL_JOBS=n` sets how many run at once (default 2).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value as Json;

/// Share of the cases that must agree with the reference.
const REQUIRED_AGREEMENT: f64 = 0.99;
/// A command of terrane taking longer than this counts as a failure of the case.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// The same fixed, nonexistent home the recorder uses (pathexpand depends on it).
const FAKE_HOME: &str = "/nonexistent-differential-home";
/// Longest text shown for one answer in the table of differences.
const CELL_WIDTH: usize = 110;
/// Table rows printed to the test output; the full report goes to a file.
const PRINTED_ROWS: usize = 300;

fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential")
}

/// One case parsed from the case files (the format is described in
/// `tests/differential/README.md` and mirrored by `scripts/record-differential`).
#[derive(Debug)]
struct Case {
    name: String,
    /// The case's text from its `===` line on, as recorded in expected.json.
    source: String,
    expr: String,
    sensitive: bool,
    files: Vec<(String, String)>,
}

impl Case {
    /// The generated main.tf; the recorder writes the same text.
    fn main_tf(&self) -> String {
        let mut text = format!("output \"result\" {{\n  value = {}\n", self.expr);
        if self.sensitive {
            text.push_str("  sensitive = true\n");
        }
        text.push_str("}\n");
        text
    }
}

fn strip_trailing_blank(lines: &mut Vec<&str>) {
    while lines.last().is_some_and(|line| line.trim().is_empty()) {
        lines.pop();
    }
}

fn parse_cases(dir: &Path) -> Result<Vec<Case>, String> {
    let mut file_names: Vec<String> = fs::read_dir(dir)
        .map_err(|err| format!("{}: {err}", dir.display()))?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".txt"))
        .collect();
    file_names.sort();
    let mut cases = Vec::new();
    let mut seen = BTreeSet::new();
    for file_name in file_names {
        let text = fs::read_to_string(dir.join(&file_name))
            .map_err(|err| format!("{file_name}: {err}"))?;
        let mut current: Option<(String, Vec<&str>)> = None;
        for line in text.split('\n') {
            if let Some(name) = line.strip_prefix("=== ") {
                if let Some((name, lines)) = current.take() {
                    cases.push(build_case(&file_name, name, lines)?);
                }
                let name = name.trim().to_string();
                if !seen.insert(name.clone()) {
                    return Err(format!("{file_name}: duplicate case name {name}"));
                }
                current = Some((name, Vec::new()));
            } else if let Some((_, lines)) = current.as_mut() {
                lines.push(line);
            }
        }
        if let Some((name, lines)) = current.take() {
            cases.push(build_case(&file_name, name, lines)?);
        }
    }
    Ok(cases)
}

fn build_case(file_name: &str, name: String, mut lines: Vec<&str>) -> Result<Case, String> {
    strip_trailing_blank(&mut lines);
    let source = std::iter::once(format!("=== {name}"))
        .chain(lines.iter().map(|line| line.to_string()))
        .collect::<Vec<_>>()
        .join("\n");
    let mut sections: Vec<(Option<&str>, Vec<&str>)> = vec![(None, Vec::new())];
    for line in &lines {
        if let Some(header) = line.strip_prefix("--- ") {
            sections.push((Some(header), Vec::new()));
        } else if let Some(section) = sections.last_mut() {
            section.1.push(line);
        }
    }
    let mut sensitive = false;
    let mut expr_lines = Vec::new();
    let mut in_directives = true;
    for line in &sections[0].1 {
        if in_directives && line.starts_with('@') {
            if line.trim() == "@sensitive" {
                sensitive = true;
            }
            continue;
        }
        in_directives = false;
        if !line.trim_start().starts_with('#') {
            expr_lines.push(*line);
        }
    }
    while expr_lines
        .first()
        .is_some_and(|line| line.trim().is_empty())
    {
        expr_lines.remove(0);
    }
    strip_trailing_blank(&mut expr_lines);
    if expr_lines.is_empty() {
        return Err(format!("{file_name}: case {name} has no expression"));
    }
    let mut files = Vec::new();
    for (header, mut content) in sections.into_iter().skip(1) {
        let words: Vec<&str> = header.unwrap_or_default().split_whitespace().collect();
        let (path, no_final_newline) = match words.as_slice() {
            [path] => (*path, false),
            [path, "+noeol"] => (*path, true),
            _ => return Err(format!("{file_name}: bad file header in case {name}")),
        };
        if path == "main.tf" || path.starts_with('/') || path.split('/').any(|part| part == "..") {
            return Err(format!("{file_name}: bad file name {path} in case {name}"));
        }
        strip_trailing_blank(&mut content);
        let mut text = content.join("\n");
        if !no_final_newline {
            text.push('\n');
        }
        files.push((path.to_string(), text));
    }
    Ok(Case {
        name,
        source,
        expr: expr_lines.join("\n"),
        sensitive,
        files,
    })
}

/// What one run produced: the `result` output, or a failure.
#[derive(Debug, Clone)]
enum Answer {
    Value {
        ty: Json,
        value: Option<Json>,
        sensitive: bool,
    },
    /// Terraform leaves null outputs out of the state, so `output -json` has no `result`.
    Absent,
    Error {
        summary: String,
    },
    /// The run did not behave like Terraform's CLI at all (bad JSON, timeout...).
    Broken {
        detail: String,
    },
}

impl Answer {
    fn from_expected(entry: &Json) -> Answer {
        if entry.get("error").and_then(Json::as_bool) == Some(true) {
            let summary = entry
                .get("summary")
                .and_then(Json::as_str)
                .unwrap_or("(from docs)");
            return Answer::Error {
                summary: summary.to_string(),
            };
        }
        if entry.get("absent").and_then(Json::as_bool) == Some(true) {
            return Answer::Absent;
        }
        Answer::Value {
            ty: entry.get("type").cloned().unwrap_or(Json::Null),
            value: entry.get("value").cloned(),
            sensitive: entry
                .get("sensitive")
                .and_then(Json::as_bool)
                .unwrap_or(false),
        }
    }

    fn describe(&self) -> String {
        let text = match self {
            Answer::Value {
                ty,
                value,
                sensitive,
            } => {
                let mut text = format!(
                    "{} = {}",
                    compact(ty),
                    value.as_ref().map_or("(any)".to_string(), compact)
                );
                if *sensitive {
                    text.push_str(" (sensitive)");
                }
                text
            }
            Answer::Absent => "null (no output)".to_string(),
            Answer::Error { summary } => format!("error: {summary}"),
            Answer::Broken { detail } => format!("broken: {detail}"),
        };
        shorten(&text, CELL_WIDTH)
    }
}

fn compact(json: &Json) -> String {
    serde_json::to_string(json).unwrap_or_else(|_| "?".to_string())
}

fn shorten(text: &str, width: usize) -> String {
    let single_line = text.replace('\n', "\\n");
    if single_line.chars().count() <= width {
        return single_line;
    }
    let mut cut: String = single_line.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn agrees(expected: &Answer, observed: &Answer, type_only: bool) -> bool {
    match (expected, observed) {
        (Answer::Error { .. }, Answer::Error { .. }) | (Answer::Absent, Answer::Absent) => true,
        (
            Answer::Value {
                ty,
                value,
                sensitive,
            },
            Answer::Value {
                ty: got_ty,
                value: got_value,
                sensitive: got_sensitive,
            },
        ) => ty == got_ty && sensitive == got_sensitive && (type_only || value == got_value),
        _ => false,
    }
}

/// The first `Error: ...` summary, in plain or boxed (`│ Error: ...`) diagnostics.
fn first_error_summary(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(|line| line.trim_matches(|c: char| c.is_whitespace() || matches!(c, '│' | '╷' | '╵')))
        .filter(|line| !line.is_empty())
        .collect();
    lines
        .iter()
        .find_map(|line| line.strip_prefix("Error: "))
        .or_else(|| lines.first().copied())
        .unwrap_or("(no message)")
        .to_string()
}

struct CommandOutput {
    success: bool,
    stdout: String,
    stderr: String,
}

/// Runs one terrane command in `dir`, killing it after [`COMMAND_TIMEOUT`].
fn run_terrane(dir: &Path, args: &[&str], log_name: &str) -> Result<CommandOutput, String> {
    let stdout_path = dir.join(format!(".{log_name}.stdout"));
    let stderr_path = dir.join(format!(".{log_name}.stderr"));
    let stdout_file = fs::File::create(&stdout_path).map_err(|err| err.to_string())?;
    let stderr_file = fs::File::create(&stderr_path).map_err(|err| err.to_string())?;
    let mut command = Command::new(env!("CARGO_BIN_EXE_terrane"));
    command
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(stdout_file)
        .stderr(stderr_file);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("TF_") {
            command.env_remove(&key);
        }
    }
    command
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .env("HOME", FAKE_HOME);
    let mut child = command
        .spawn()
        .map_err(|err| format!("cannot start terrane: {err}"))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > COMMAND_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "terrane {} timed out after {}s",
                    args.join(" "),
                    COMMAND_TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(err) => return Err(format!("waiting for terrane: {err}")),
        }
    };
    Ok(CommandOutput {
        success: status.success(),
        stdout: String::from_utf8_lossy(&fs::read(&stdout_path).unwrap_or_default()).into_owned(),
        stderr: String::from_utf8_lossy(&fs::read(&stderr_path).unwrap_or_default()).into_owned(),
    })
}

fn run_case(case: &Case, type_only: bool) -> Answer {
    match try_run_case(case, type_only) {
        Ok(answer) => answer,
        Err(detail) => Answer::Broken { detail },
    }
}

fn try_run_case(case: &Case, type_only: bool) -> Result<Answer, String> {
    let dir = tempfile::Builder::new()
        .prefix("differential-")
        .tempdir()
        .map_err(|err| err.to_string())?;
    for (path, content) in &case.files {
        let target = dir.path().join(path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|err| err.to_string())?;
        }
        fs::write(&target, content).map_err(|err| err.to_string())?;
    }
    fs::write(dir.path().join("main.tf"), case.main_tf()).map_err(|err| err.to_string())?;
    let steps: [(&[&str], &str); 2] = [
        (&["init", "-input=false", "-no-color"], "init"),
        (
            &["apply", "-auto-approve", "-input=false", "-no-color"],
            "apply",
        ),
    ];
    for (args, log_name) in steps {
        let output = run_terrane(dir.path(), args, log_name)?;
        if !output.success {
            return Ok(Answer::Error {
                summary: first_error_summary(&format!("{}\n{}", output.stderr, output.stdout)),
            });
        }
    }
    let output = run_terrane(dir.path(), &["output", "-json"], "output")?;
    if !output.success {
        return Err(format!(
            "output -json failed: {}",
            first_error_summary(&output.stderr)
        ));
    }
    let outputs: Json = serde_json::from_str(&output.stdout).map_err(|err| {
        format!(
            "output -json is not JSON ({err}): {}",
            shorten(&output.stdout, 60)
        )
    })?;
    let Some(outputs) = outputs.as_object() else {
        return Err(format!(
            "output -json is not an object: {}",
            shorten(&output.stdout, 60)
        ));
    };
    let Some(result) = outputs.get("result") else {
        return Ok(Answer::Absent);
    };
    let (Some(ty), Some(sensitive)) = (
        result.get("type"),
        result.get("sensitive").and_then(Json::as_bool),
    ) else {
        return Err(format!(
            "output -json lacks type or sensitive: {}",
            shorten(&compact(result), 60)
        ));
    };
    Ok(Answer::Value {
        ty: ty.clone(),
        value: if type_only {
            None
        } else {
            result.get("value").cloned()
        },
        sensitive,
    })
}

/// `- `case/name`: reason` lines of known-differences.md.
fn parse_known_differences(path: &Path) -> Result<BTreeMap<String, String>, String> {
    let text = fs::read_to_string(path).map_err(|err| format!("{}: {err}", path.display()))?;
    let mut known = BTreeMap::new();
    for (number, line) in text.lines().enumerate() {
        let Some(rest) = line.strip_prefix("- `") else {
            continue;
        };
        let Some((name, reason)) = rest.split_once('`') else {
            return Err(format!(
                "known-differences.md:{}: unterminated case name",
                number + 1
            ));
        };
        let reason = reason.trim_start_matches(':').trim();
        if reason.is_empty() {
            return Err(format!(
                "known-differences.md:{}: {name} has no reason",
                number + 1
            ));
        }
        known.insert(name.to_string(), reason.to_string());
    }
    Ok(known)
}

struct Outcome<'a> {
    case: &'a Case,
    expected: Answer,
    expected_source: String,
    observed: Answer,
    agrees: bool,
}

#[test]
fn language_agrees_with_terraform_1_0_3() {
    let suite = suite_dir();
    let cases =
        parse_cases(&suite.join("cases")).unwrap_or_else(|err| panic!("bad case file: {err}"));
    let expected_text =
        fs::read_to_string(suite.join("expected.json")).expect("read expected.json");
    let expected_doc: Json = serde_json::from_str(&expected_text).expect("expected.json is JSON");
    let recorded = expected_doc["cases"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let known = parse_known_differences(&suite.join("known-differences.md"))
        .unwrap_or_else(|err| panic!("{err}"));

    let filters: Vec<String> = std::env::var("DIFFERENTIAL_FILTER")
        .map(|value| {
            value
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let selected: Vec<&Case> = cases
        .iter()
        .filter(|case| {
            filters.is_empty()
                || filters
                    .iter()
                    .any(|prefix| case.name.starts_with(prefix.as_str()))
        })
        .collect();

    // The recording must match the case files, or the comparison means nothing.
    let mut stale: Vec<String> = selected
        .iter()
        .filter(|case| {
            recorded
                .get(&case.name)
                .and_then(|entry| entry["source"].as_str())
                != Some(case.source.as_str())
        })
        .map(|case| case.name.clone())
        .collect();
    if filters.is_empty() {
        let names: BTreeSet<&str> = cases.iter().map(|case| case.name.as_str()).collect();
        stale.extend(
            recorded
                .keys()
                .filter(|name| !names.contains(name.as_str()))
                .map(|name| format!("{name} (no such case)")),
        );
    }
    let unknown_known: Vec<&String> = known
        .keys()
        .filter(|name| !cases.iter().any(|case| &case.name == *name))
        .collect();
    assert!(
        stale.is_empty(),
        "expected.json is out of date for {} case(s): {:?}; run scripts/record-differential",
        stale.len(),
        stale
    );
    assert!(
        unknown_known.is_empty(),
        "known-differences.md names cases that do not exist: {unknown_known:?}"
    );

    let jobs: usize = std::env::var("DIFFERENTIAL_JOBS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(2)
        .max(1);
    let next = AtomicUsize::new(0);
    let outcomes: Mutex<Vec<Outcome>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(case) = selected.get(index) else {
                    break;
                };
                let entry = &recorded[&case.name];
                let type_only = entry["mode"].as_str() == Some("type");
                let expected = Answer::from_expected(&entry["expected"]);
                let observed = run_case(case, type_only);
                let outcome = Outcome {
                    case,
                    agrees: agrees(&expected, &observed, type_only),
                    expected,
                    expected_source: entry["expected_source"].as_str().unwrap_or("?").to_string(),
                    observed,
                };
                outcomes
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .push(outcome);
            });
        }
    });
    let mut outcomes = outcomes
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    outcomes.sort_by(|a, b| a.case.name.cmp(&b.case.name));

    let total = outcomes.len();
    let agreeing = outcomes.iter().filter(|outcome| outcome.agrees).count();
    let differing: Vec<&Outcome> = outcomes.iter().filter(|outcome| !outcome.agrees).collect();
    let unlisted: Vec<&&Outcome> = differing
        .iter()
        .filter(|outcome| !known.contains_key(&outcome.case.name))
        .collect();
    let fixed: Vec<&Outcome> = outcomes
        .iter()
        .filter(|outcome| outcome.agrees && known.contains_key(&outcome.case.name))
        .collect();
    let share = if total == 0 {
        1.0
    } else {
        agreeing as f64 / total as f64
    };

    let mut report = String::new();
    let _ = writeln!(
        report,
        "differential suite: {agreeing}/{total} cases agree with Terraform 1.0.3 ({:.1}%, {:.0}% required); \
         {} differ ({} listed in known-differences.md, {} not listed); {} listed difference(s) agree now",
        share * 100.0,
        REQUIRED_AGREEMENT * 100.0,
        differing.len(),
        differing.len() - unlisted.len(),
        unlisted.len(),
        fixed.len()
    );
    if !differing.is_empty() {
        let _ = writeln!(
            report,
            "\n{:<44} | {:<w$} | terrane",
            "case",
            "expected",
            w = CELL_WIDTH.min(60)
        );
        for outcome in &differing {
            let marker = if known.contains_key(&outcome.case.name) {
                " (known)"
            } else {
                ""
            };
            let docs = if outcome.expected_source == "docs" {
                " [docs]"
            } else {
                ""
            };
            let _ = writeln!(
                report,
                "{:<44} | {:<w$} | {}",
                format!("{}{marker}{docs}", outcome.case.name),
                outcome.expected.describe(),
                outcome.observed.describe(),
                w = CELL_WIDTH.min(60)
            );
        }
        // Failures shared by many cases usually have one cause: show them first.
        let mut causes: BTreeMap<String, usize> = BTreeMap::new();
        for outcome in &differing {
            if let Answer::Error { summary } | Answer::Broken { detail: summary } =
                &outcome.observed
            {
                *causes.entry(shorten(summary, 100)).or_default() += 1;
            }
        }
        let mut causes: Vec<(String, usize)> =
            causes.into_iter().filter(|(_, count)| *count > 1).collect();
        causes.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
        if !causes.is_empty() {
            let _ = writeln!(
                report,
                "\nmost common terrane failures among the differing cases:"
            );
            for (summary, count) in causes.iter().take(10) {
                let _ = writeln!(report, "  {count:>4} × {summary}");
            }
        }
    }
    for outcome in &fixed {
        let _ = writeln!(
            report,
            "listed in known-differences.md but agrees now (remove it from the list): {}",
            outcome.case.name
        );
    }

    let report_path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("differential-report.txt");
    let _ = fs::write(&report_path, &report);
    let printed: Vec<&str> = report.lines().collect();
    if printed.len() > PRINTED_ROWS {
        println!("{}", printed[..PRINTED_ROWS].join("\n"));
        println!(
            "… {} more lines in {}",
            printed.len() - PRINTED_ROWS,
            report_path.display()
        );
    } else {
        println!("{report}");
    }

    assert!(
        share >= REQUIRED_AGREEMENT,
        "only {agreeing} of {total} cases agree ({:.1}%); see the table above or {}",
        share * 100.0,
        report_path.display()
    );
    assert!(
        unlisted.is_empty(),
        "{} difference(s) are not listed in tests/differential/known-differences.md: {:?}",
        unlisted.len(),
        unlisted
            .iter()
            .map(|outcome| outcome.case.name.as_str())
            .collect::<Vec<_>>()
    );
    assert!(
        fixed.is_empty(),
        "known-differences.md lists cases that agree now: {:?}",
        fixed
            .iter()
            .map(|outcome| outcome.case.name.as_str())
            .collect::<Vec<_>>()
    );
}
