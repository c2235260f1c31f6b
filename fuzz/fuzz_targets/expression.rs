//! Fuzz target: arbitrary bytes as one expression, parsed and evaluated in process.
//!
//! Most mutations of a whole configuration file stop at the parser; this target spends its
//! time in the evaluator and the functions instead. References resolve to fixed values of
//! every kind (`var.s`, `var.l`, `var.m`, `var.secret`, `var.unknown`, `local.*`,
//! `count.index`, `each.key`, `path.module`, `terraform.workspace`); anything else is an
//! error, as an undeclared name would be. Any panic, stack overflow or hang is a bug.

#![no_main]

mod common;

use common::{has_huge_exponent, process_dir, ConfinedFiles};
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use terrane_engine::config::Expr;
use terrane_engine::diag::{Diagnostic, SourceFile, Sources};
use terrane_engine::eval::expr::{evaluate, Reference, Resolver};
use terrane_engine::functions::FnContext;
use terrane_engine::json::value_to_json;
use terrane_engine::number::Number;
use terrane_engine::value::{Type, Value};

/// A directory of this process with one template, for file functions.
fn files_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = process_dir("files");
        std::fs::write(
            dir.join("tpl.tftpl"),
            "Hi ${name}! %{ for x in items }[${x}]%{ endfor }",
        )
        .expect("write the template");
        dir
    })
}

/// Resolves references to the fixed values of [`variable`].
struct FixedNames {
    files: ConfinedFiles,
}

/// The value of `var.NAME` (and `local.NAME`): one of every kind.
fn variable(name: &str) -> Option<Value> {
    let s = |t: &str| Value::string(t);
    Some(match name {
        "s" => s("héllo wörld"),
        "n" => Value::number(Number::from_i64(42)),
        "b" => Value::Bool(true),
        "l" => Value::list(Type::String, vec![s("a"), s("b"), s("a")]),
        "t" => Value::tuple(vec![s("x"), Value::Bool(false), Value::Null(Type::String)]),
        "set" => Value::set(Type::String, vec![s("b"), s("a")]),
        "m" => Value::map(
            Type::String,
            [("k".to_string(), s("v")), ("z".to_string(), s("w"))]
                .into_iter()
                .collect(),
        ),
        "o" => Value::object(
            [
                ("a".to_string(), s("1")),
                ("b".to_string(), Value::list(Type::String, vec![s("x")])),
            ]
            .into_iter()
            .collect(),
        ),
        "secret" => s("hunter2").mark(),
        "unknown" => Value::Unknown(Type::String),
        "any" => Value::dynamic_unknown(),
        "null" => Value::Null(Type::Dynamic),
        _ => return None,
    })
}

impl Resolver for FixedNames {
    fn resolve(&self, reference: Reference) -> Result<Value, Diagnostic> {
        let found = match reference {
            Reference::Var(name) | Reference::Local(name) => variable(name),
            Reference::Count("index") => Some(Value::number(Number::from_i64(1))),
            Reference::Each("key") => Some(Value::string("k")),
            Reference::Each("value") => variable("o"),
            Reference::Path(_) => Some(Value::string(".")),
            Reference::Terraform("workspace") => Some(Value::string("default")),
            _ => None,
        };
        found.ok_or_else(|| Diagnostic::error("Reference to undeclared name", "Not declared."))
    }
    fn fn_context(&self) -> FnContext<'_> {
        FnContext {
            base_dir: self.files.root,
            files: &self.files,
            plan_timestamp: "2024-05-06T07:08:09Z",
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if has_huge_exponent(data) {
        return;
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(parsed) = hcl_edit::parser::parse_expr(text) else {
        return;
    };
    let file = Arc::new(SourceFile::new("main.tf", text));
    let expr = Expr {
        expr: parsed,
        file: file.clone(),
        fallback: None,
    };
    let resolver = FixedNames {
        files: ConfinedFiles { root: files_dir() },
    };
    match evaluate(&resolver, &expr) {
        Ok(value) => {
            let _ = value_to_json(&value);
        }
        Err(diagnostic) => {
            let mut sources = Sources::default();
            sources.add(file);
            let _ = sources.render(&diagnostic);
            let _ = sources.to_json(&diagnostic);
        }
    }
});
