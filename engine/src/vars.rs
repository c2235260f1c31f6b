//! Root module input variables from everywhere Terraform takes them, in its order of
//! precedence (later wins): `TF_VAR_name` environment variables, `terraform.tfvars`,
//! `terraform.tfvars.json`, `*.auto.tfvars[.json]` in lexical order, then `-var` and
//! `-var-file` in command-line order.

use crate::config::{Expr, Module};
use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::eval::expr::{evaluate, Reference, Resolver};
use crate::functions::{FnContext, RealFiles};
use crate::json::value_from_json_untyped;
use crate::value::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// A `-var` or `-var-file` argument, in command-line order.
#[derive(Clone, Debug)]
pub enum CliVar {
    Assign(String),
    File(String),
}

/// Resolves nothing: values in variable files and `-var` are constants.
struct NoReferences;

impl Resolver for NoReferences {
    fn resolve(&self, _: Reference) -> Result<Value, Diagnostic> {
        Err(Diagnostic::error(
            "Variables not allowed",
            "Variables may not be used here.",
        ))
    }
    fn fn_context(&self) -> FnContext<'_> {
        FnContext {
            base_dir: Path::new("."),
            files: &RealFiles,
            plan_timestamp: "",
        }
    }
}

/// Root variable values and the files they came from (for diagnostics).
#[derive(Default)]
pub struct RootVariables {
    pub values: BTreeMap<String, Value>,
    pub files: Vec<Arc<SourceFile>>,
}

/// Collects root variable values from the environment, the working directory's variable
/// files and the command line.
pub fn collect(
    module: &Module,
    dir: &Path,
    env: &[(String, String)],
    cli: &[CliVar],
) -> (RootVariables, Diagnostics) {
    let mut out = RootVariables::default();
    let mut diags = Diagnostics::new();
    for (k, v) in env {
        if let Some(name) = k.strip_prefix("TF_VAR_") {
            if module.variables.contains_key(name) {
                match raw_value(module, name, v, "environment variable") {
                    Ok(val) => {
                        out.values.insert(name.to_string(), val);
                    }
                    Err(d) => diags.push(d),
                }
            }
        }
    }
    let mut auto: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.path().is_file())
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter(|n| n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json"))
                .collect()
        })
        .unwrap_or_default();
    auto.sort();
    let mut files = vec![
        "terraform.tfvars".to_string(),
        "terraform.tfvars.json".to_string(),
    ];
    files.extend(auto);
    for f in files {
        let path = dir.join(&f);
        if path.is_file() {
            read_file(module, &path, &f, false, &mut out, &mut diags);
        }
    }
    for arg in cli {
        match arg {
            CliVar::Assign(s) => match s.split_once('=') {
                Some((name, raw)) => {
                    let name = name.trim();
                    if !module.variables.contains_key(name) {
                        diags.push(Diagnostic::error(
                            "Value for undeclared variable",
                            format!("A variable named {name:?} was assigned on the command line, but the root module does not declare a variable of that name. To use this value, add a \"variable\" block to the configuration."),
                        ));
                        continue;
                    }
                    match raw_value(module, name, raw, "-var option") {
                        Ok(v) => {
                            out.values.insert(name.to_string(), v);
                        }
                        Err(d) => diags.push(d),
                    }
                }
                None => diags.push(Diagnostic::error(
                    "Invalid -var option",
                    format!("The given -var option {s:?} is not correctly specified. It must be a variable name and value separated by an equals sign, like -var=\"key=value\"."),
                )),
            },
            CliVar::File(f) => {
                let path = dir.join(f);
                if !path.is_file() {
                    diags.push(Diagnostic::error(
                        "Failed to read variables file",
                        format!("Given variables file {f} does not exist."),
                    ));
                    continue;
                }
                read_file(module, &path, f, true, &mut out, &mut diags);
            }
        }
    }
    (out, diags)
}

/// A value given as text on the command line or in the environment: literal text for
/// variables without a type or of primitive type, an HCL expression otherwise.
pub fn raw_value(
    module: &Module,
    name: &str,
    raw: &str,
    source: &str,
) -> Result<Value, Diagnostic> {
    let var = &module.variables[name];
    if var.literal_text_values {
        return Ok(Value::string(raw));
    }
    let file = Arc::new(SourceFile::new(format!("<value for var.{name}>"), raw));
    let expr = hcl_edit::parser::parse_expr(raw).map_err(|e| {
        Diagnostic::error(
            "Invalid expression for variable",
            format!(
                "The value given for var.{name} in the {source} is not a valid expression: {e}"
            ),
        )
    })?;
    evaluate(
        &NoReferences,
        &Expr {
            expr,
            file,
            fallback: None,
        },
    )
}

fn read_file(
    module: &Module,
    path: &Path,
    display: &str,
    explicit: bool,
    out: &mut RootVariables,
    diags: &mut Diagnostics,
) {
    let text = match std::fs::read(path).map(String::from_utf8) {
        Ok(Ok(t)) => t,
        _ => {
            diags.push(Diagnostic::error(
                "Failed to read variables file",
                format!("The file {display} could not be read as UTF-8 text."),
            ));
            return;
        }
    };
    let file = Arc::new(SourceFile::new(display, text.as_str()));
    out.files.push(file.clone());
    let mut assigned: Vec<(String, Value, Option<crate::diag::SourceRange>)> = Vec::new();
    if display.ends_with(".json") {
        match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::Object(o)) => {
                for (k, v) in o {
                    match value_from_json_untyped(&v) {
                        Ok(val) => assigned.push((k, val, None)),
                        Err(e) => diags.push(Diagnostic::error("Invalid variables file", e)),
                    }
                }
            }
            Ok(_) => diags.push(Diagnostic::error(
                "Invalid variables file",
                format!("The root of {display} must be a JSON object."),
            )),
            Err(e) => diags.push(Diagnostic::error(
                "Invalid variables file",
                format!("{display} is not valid JSON: {e}"),
            )),
        }
    } else {
        let body = match hcl_edit::parser::parse_body(&text) {
            Ok(b) => b,
            Err(e) => {
                let loc = e.location();
                diags.push(
                    Diagnostic::error("Invalid variables file", e.message().to_string()).at(Some(
                        crate::diag::SourceRange {
                            filename: file.name.clone(),
                            start: crate::diag::Pos {
                                line: loc.line(),
                                column: loc.column(),
                                byte: loc.offset(),
                            },
                            end: crate::diag::Pos {
                                line: loc.line(),
                                column: loc.column(),
                                byte: loc.offset(),
                            },
                        },
                    )),
                );
                return;
            }
        };
        for structure in body.iter() {
            use hcl_edit::Span;
            match structure {
                hcl_edit::structure::Structure::Attribute(a) => {
                    let expr = Expr { expr: a.value.clone(), file: file.clone(), fallback: None };
                    let range = a.span().map(|s| file.range(s));
                    match evaluate(&NoReferences, &expr) {
                        Ok(v) => assigned.push((a.key.as_str().to_string(), v, range)),
                        Err(d) => diags.push(d),
                    }
                }
                hcl_edit::structure::Structure::Block(b) => diags.push(
                    Diagnostic::error(
                        "Unexpected block",
                        "Blocks are not allowed in variable files: each item must be an attribute assigning a value to a variable.",
                    )
                    .at(b.span().map(|s| file.range(s))),
                ),
            }
        }
    }
    for (name, value, range) in assigned {
        if !module.variables.contains_key(&name) {
            let d = if explicit {
                Diagnostic::error(
                    "Value for undeclared variable",
                    format!("The root module does not declare a variable named {name:?} but a value was found in file {display:?}. To use this value, add a \"variable\" block to the configuration."),
                )
            } else {
                Diagnostic::warning(
                    "Value for undeclared variable",
                    format!("The root module does not declare a variable named {name:?} but a value was found in file {display:?}. If you meant to use this value, add a \"variable\" block to the configuration."),
                )
            };
            diags.push(d.at(range));
            continue;
        }
        out.values.insert(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(text: &str) -> Module {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("main.tf"), text).expect("write");
        let (module, diags) = crate::config::load_module_tree(dir.path());
        assert!(!diags.has_errors(), "{diags:?}");
        module
    }

    #[test]
    fn text_values_are_literal_without_a_type_or_with_a_primitive_one() {
        let m = module(
            "variable \"untyped\" {}\nvariable \"n\" { type = number }\nvariable \"a\" { type = any }\nvariable \"l\" { type = list(string) }\n",
        );
        assert_eq!(
            raw_value(&m, "untyped", "prod", "-var option").unwrap(),
            Value::string("prod")
        );
        assert_eq!(
            raw_value(&m, "n", "3", "-var option").unwrap(),
            Value::string("3")
        );
        assert!(raw_value(&m, "a", "prod", "-var option").is_err());
        assert_eq!(
            raw_value(&m, "l", "[\"x\"]", "-var option").unwrap(),
            Value::tuple(vec![Value::string("x")])
        );
    }
}
