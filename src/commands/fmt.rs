//! `terrane fmt [-check] [-diff] [-recursive] [-list=false] [-write=false] [TARGET...]`:
//! rewrites configuration files in Terraform's canonical style.

use super::{parse_flags, CommandResult, Failure};
use crate::flags::Spec;
use std::io::Read;
use std::path::{Path, PathBuf};
use terrane_engine::format::format_source;

pub fn run(args: &[String]) -> CommandResult {
    let flags = parse_flags(
        args,
        &Spec {
            bools: &["check", "diff", "recursive", "list", "write", "no-color"],
            values: &[],
        },
    )?;
    let check = flags.flag("check");
    let diff = flags.flag("diff");
    let list = flags.flag_default_true("list");
    let write = flags.flag_default_true("write") && !check;
    let targets: Vec<String> = if flags.positional.is_empty() {
        vec![".".into()]
    } else {
        flags.positional.clone()
    };

    if targets.len() == 1 && targets[0] == "-" {
        let mut src = String::new();
        std::io::stdin()
            .read_to_string(&mut src)
            .map_err(|e| format!("Failed to read standard input: {e}"))?;
        let formatted = format_source(&src)
            .map_err(|e| Failure::Message(format!("Invalid HCL on standard input: {e}")))?;
        if check {
            return Ok(if formatted == src { 0 } else { 3 });
        }
        print!("{}", terrane_engine::format::as_stdout_text(&formatted));
        return Ok(0);
    }

    let mut files = Vec::new();
    for t in &targets {
        let p = PathBuf::from(t);
        if p.is_dir() {
            collect(&p, flags.flag("recursive"), &mut files);
        } else if p.is_file() {
            files.push(p);
        } else {
            return Err(Failure::Message(format!("No file or directory at {t}")));
        }
    }
    let mut unformatted = false;
    let mut failed = false;
    for f in files {
        let Ok(bytes) = std::fs::read(&f) else {
            eprintln!("Error: Failed to read file {}", f.display());
            failed = true;
            continue;
        };
        let Ok(src) = String::from_utf8(bytes) else {
            eprintln!("Error: {} is not valid UTF-8", f.display());
            failed = true;
            continue;
        };
        let formatted = match format_source(&src) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("Error: Invalid HCL in {}: {e}", f.display());
                failed = true;
                continue;
            }
        };
        if formatted == src {
            continue;
        }
        unformatted = true;
        let name = display(&f);
        if list {
            println!("{name}");
        }
        if diff {
            let d = similar::TextDiff::from_lines(&src, &formatted);
            print!(
                "{}",
                d.unified_diff()
                    .header(&format!("old/{name}"), &format!("new/{name}"))
            );
        }
        if write {
            if let Err(e) = std::fs::write(&f, formatted) {
                eprintln!("Error: Failed to write {}: {e}", f.display());
                failed = true;
            }
        }
    }
    if failed {
        return Ok(2);
    }
    Ok(if check && unformatted { 3 } else { 0 })
}

fn display(p: &Path) -> String {
    let s = p.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_string()
}

/// Configuration files of a directory (`.tf`, `.tfvars`, `.tftest.hcl`), sorted; with
/// `recursive`, of its subdirectories too (hidden ones and `.terraform` excluded).
fn collect(dir: &Path, recursive: bool, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        if p.is_dir() {
            if recursive && !name.starts_with('.') {
                collect(&p, recursive, out);
            }
        } else if name.ends_with(".tf")
            || name.ends_with(".tfvars")
            || name.ends_with(".tftest.hcl")
        {
            out.push(p);
        }
    }
}
