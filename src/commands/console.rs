//! `terrane console`: reads expressions from standard input, one per line (continuing a
//! line while brackets are open), and prints each value in Terraform's console notation.

use super::{
    check, collect_root_variables, current_workspace, cwd, load, parse_flags, use_color,
    CommandResult,
};
use crate::flags::Spec;
use crate::render::{console_value, print_diagnostics};
use std::io::BufRead;
use std::sync::Arc;
use terrane_engine::config::Expr;
use terrane_engine::diag::{Diagnostic, SourceFile, Sources};
use terrane_engine::eval::module::{evaluate_tree, Mode, Settings};

pub fn run(args: &[String]) -> CommandResult {
    let flags = parse_flags(
        args,
        &Spec {
            bools: &["no-color", "input"],
            values: &["var", "var-file", "state", "plan"],
        },
    )?;
    let color = use_color(flags.flag("no-color"));
    let dir = cwd();
    let loaded = load(&dir);
    // An empty directory is fine for the console: only real errors stop it.
    let diags: Vec<Diagnostic> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.summary != "No configuration files")
        .cloned()
        .collect();
    check(
        &loaded.sources,
        &terrane_engine::diag::Diagnostics(diags),
        color,
    )?;
    let (vars, var_diags) = collect_root_variables(&loaded.module, &dir, &flags);
    check(&loaded.sources, &var_diags, color)?;
    let settings = Settings {
        mode: Mode::Apply,
        workspace: current_workspace(),
        cwd: dir,
        files: Arc::new(terrane_engine::functions::RealFiles),
        plan_timestamp: String::new(),
    };
    let eval = evaluate_tree(loaded.module.clone(), vars.values, settings);
    check(&loaded.sources, &eval.diagnostics, color)?;

    let stdin = std::io::stdin();
    let mut pending = String::new();
    let mut failed = false;
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        if !pending.is_empty() {
            pending.push('\n');
        }
        pending.push_str(&line);
        if pending.trim().is_empty() {
            pending.clear();
            continue;
        }
        if open_brackets(&pending) > 0 {
            continue;
        }
        let text = std::mem::take(&mut pending);
        let trimmed = text.trim();
        if trimmed == "exit" {
            break;
        }
        let file = Arc::new(SourceFile::new("<console-input>", trimmed));
        let mut sources = Sources::default();
        sources.add(file.clone());
        match hcl_edit::parser::parse_expr(trimmed) {
            Err(e) => {
                failed = true;
                let d = Diagnostic::error("Invalid expression", e.message().to_string());
                print_diagnostics(&sources, [&d], color);
            }
            Ok(expr) => {
                let result = match type_call(&expr) {
                    Some(inner) => eval
                        .evaluate_in_root(&Expr {
                            expr: inner,
                            file: file.clone(),
                            fallback: None,
                        })
                        .map(|v| v.ty().to_string()),
                    None => eval
                        .evaluate_in_root(&Expr {
                            expr,
                            file: file.clone(),
                            fallback: None,
                        })
                        .map(|v| console_value(&v)),
                };
                match result {
                    Ok(text) => println!("{text}"),
                    Err(d) => {
                        failed = true;
                        print_diagnostics(&sources, [&d], color);
                    }
                }
            }
        }
    }
    Ok(if failed { 1 } else { 0 })
}

/// The argument of a console-only `type(...)` call.
fn type_call(expr: &hcl_edit::expr::Expression) -> Option<hcl_edit::expr::Expression> {
    match expr {
        hcl_edit::expr::Expression::FuncCall(f)
            if f.name.name.as_str() == "type"
                && f.name.namespace.is_empty()
                && f.args.len() == 1 =>
        {
            f.args.iter().next().cloned()
        }
        _ => None,
    }
}

/// How many brackets are open at the end of `text`, outside strings.
fn open_brackets(text: &str) -> i64 {
    let mut depth = 0i64;
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
    }
    depth
}
