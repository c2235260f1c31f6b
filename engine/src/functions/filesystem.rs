//! Built-in functions: file system family (`abspath`, `basename`, `dirname`, `pathexpand`,
//! `file`, `fileexists`, `fileset`, `filebase64`).
//!
//! Paths are handled as Go's `path/filepath` handles them on Unix (lexical cleaning, joining,
//! relative paths), and every file is read through [`FnContext::files`], never directly, so
//! that evaluation has no side effects. `fileset` matches patterns as the doublestar glob
//! library Terraform uses does.

use super::{string_return, FnContext, FnError, FnResult, Param, Registry};
use crate::value::{Type, Value};
use base64::Engine as _;
use std::io;
use std::path::{Path, PathBuf};

pub(super) fn register(r: &mut Registry) {
    let path = || vec![Param::new("path", Type::String)];
    r.add("abspath", path(), string_return, abspath);
    r.add("basename", path(), string_return, basename);
    r.add("dirname", path(), string_return, dirname);
    r.add("pathexpand", path(), string_return, pathexpand);
    r.add("file", path(), string_return, file);
    r.add("filebase64", path(), string_return, filebase64);
    r.add("fileexists", path(), super::bool_return, fileexists);
    r.add(
        "fileset",
        vec![
            Param::new("path", Type::String),
            Param::new("pattern", Type::String),
        ],
        |_| Type::set(Type::String),
        fileset,
    );
}

fn str_arg(args: &[Value], i: usize) -> &str {
    args.get(i).and_then(Value::as_str).unwrap_or_default()
}

fn abspath(_: &FnContext, args: &[Value]) -> FnResult {
    let path = str_arg(args, 0);
    if path.starts_with('/') {
        return Ok(Value::string(clean(path)));
    }
    let cwd = std::env::current_dir().map_err(|e| FnError::new(e.to_string()))?;
    Ok(Value::string(join(&[&cwd.to_string_lossy(), path])))
}

fn basename(_: &FnContext, args: &[Value]) -> FnResult {
    Ok(Value::string(base(str_arg(args, 0))))
}

fn dirname(_: &FnContext, args: &[Value]) -> FnResult {
    Ok(Value::string(dir(str_arg(args, 0))))
}

fn pathexpand(_: &FnContext, args: &[Value]) -> FnResult {
    expand_home(str_arg(args, 0))
        .map(Value::string)
        .map_err(FnError::new)
}

fn file(ctx: &FnContext, args: &[Value]) -> FnResult {
    let path = str_arg(args, 0);
    let bytes = read_file_bytes(ctx, path).map_err(|e| FnError::arg(0, e))?;
    match String::from_utf8(bytes) {
        Ok(s) => Ok(Value::string(s)),
        Err(_) => Err(FnError::new(format!(
            "contents of {path} are not valid UTF-8; use the filebase64 function to obtain \
             the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) \
             to obtain file hashing results instead"
        ))),
    }
}

fn filebase64(ctx: &FnContext, args: &[Value]) -> FnResult {
    let bytes = read_file_bytes(ctx, str_arg(args, 0)).map_err(|e| FnError::arg(0, e))?;
    Ok(Value::string(
        base64::engine::general_purpose::STANDARD.encode(bytes),
    ))
}

fn fileexists(ctx: &FnContext, args: &[Value]) -> FnResult {
    let path = resolve(ctx, str_arg(args, 0)).map_err(FnError::new)?;
    match ctx.files.metadata(Path::new(&path)) {
        Ok(meta) if meta.is_file() => Ok(Value::Bool(true)),
        Ok(meta) => Err(FnError::new(format!(
            "{path} is not a regular file, but {:?}",
            mode_string(&meta)
        ))),
        Err(e) if is_not_exist(&e) => Ok(Value::Bool(false)),
        Err(_) => Err(FnError::new(format!("failed to stat {path}"))),
    }
}

fn fileset(ctx: &FnContext, args: &[Value]) -> FnResult {
    let mut dir_path = str_arg(args, 0).to_string();
    if !dir_path.starts_with('/') {
        dir_path = join(&[&ctx.base_dir.to_string_lossy(), &dir_path]);
    }
    let pattern = join(&[&dir_path, str_arg(args, 1)]);
    let matches = glob(ctx, &pattern)
        .map_err(|e| FnError::new(format!("failed to glob pattern ({pattern}): {e}")))?;
    let mut found = Vec::new();
    for m in matches {
        let meta = ctx.files.metadata(Path::new(&m)).map_err(|e| {
            FnError::new(format!(
                "failed to stat ({m}): {}",
                go_io_error("stat", &m, &e)
            ))
        })?;
        if !meta.is_file() {
            continue;
        }
        let rel = rel(&dir_path, &m).ok_or_else(|| {
            FnError::new(format!(
                "failed to trim path of match ({m}): Rel: can't make {m} relative to {dir_path}"
            ))
        })?;
        found.push(Value::string(rel));
    }
    Ok(Value::set(Type::String, found))
}

/// Resolves a path argument as Terraform's file functions do: `~` expanded, then relative
/// paths taken from the base directory, then cleaned.
pub(super) fn resolve(ctx: &FnContext, path: &str) -> Result<String, String> {
    let path = expand_home(path).map_err(|e| format!("failed to expand ~: {e}"))?;
    if path.starts_with('/') {
        Ok(clean(&path))
    } else {
        Ok(join(&[&ctx.base_dir.to_string_lossy(), &path]))
    }
}

/// Reads a file named by a function argument, with Terraform's error messages.
pub(super) fn read_file_bytes(ctx: &FnContext, path: &str) -> Result<Vec<u8>, String> {
    let path = resolve(ctx, path)?;
    match ctx.files.read(Path::new(&path)) {
        Ok(bytes) => Ok(bytes),
        Err(e) if is_not_exist(&e) => Err(format!(
            "no file exists at {path}; this function works only with files that are \
             distributed as part of the configuration source code, so if this file will be \
             created by a resource in this configuration you must instead obtain this result \
             from an attribute of that resource"
        )),
        Err(e) if e.kind() == io::ErrorKind::IsADirectory => Err(format!("failed to read {path}")),
        Err(e) => Err(go_io_error("open", &path, &e)),
    }
}

/// Whether an error means there is no such file, as Go's `os.IsNotExist` answers on the
/// paths Terraform passes (a path through a regular file counts too).
fn is_not_exist(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
    )
}

/// Reads a file for the hashing functions, which report errors as Go's `os.Open` and `io.Copy`
/// word them (`open x: no such file or directory`).
pub(super) fn read_file_raw(ctx: &FnContext, path: &str) -> Result<Vec<u8>, String> {
    let path = resolve(ctx, path)?;
    match ctx.files.read(Path::new(&path)) {
        Ok(bytes) => Ok(bytes),
        Err(e) if e.kind() == io::ErrorKind::IsADirectory => {
            Err(format!("read {path}: is a directory"))
        }
        Err(e) => Err(go_io_error("open", &path, &e)),
    }
}

/// An I/O error worded as Go's `*PathError` is (`open /x: permission denied`).
fn go_io_error(op: &str, path: &str, e: &io::Error) -> String {
    let what = match e.kind() {
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        io::ErrorKind::NotFound => "no such file or directory".to_string(),
        io::ErrorKind::NotADirectory => "not a directory".to_string(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error") {
                Some(i) => text[..i].to_lowercase(),
                None => text.to_lowercase(),
            }
        }
    };
    format!("{op} {path}: {what}")
}

/// Go's `os.FileMode.String()` for a file's metadata (`drwxr-xr-x`, `Dcrw-rw-rw-`).
fn mode_string(meta: &std::fs::Metadata) -> String {
    let mut s = String::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::{FileTypeExt, PermissionsExt};
        let ft = meta.file_type();
        if ft.is_dir() {
            s.push('d');
        }
        if ft.is_symlink() {
            s.push('L');
        }
        if ft.is_block_device() {
            s.push('D');
        }
        if ft.is_char_device() {
            s.push_str("Dc");
        }
        if ft.is_fifo() {
            s.push('p');
        }
        if ft.is_socket() {
            s.push('S');
        }
        let mode = meta.permissions().mode();
        if mode & 0o4000 != 0 {
            s.push('u');
        }
        if mode & 0o2000 != 0 {
            s.push('g');
        }
        if mode & 0o1000 != 0 {
            s.push('t');
        }
        if s.is_empty() {
            s.push('-');
        }
        for (i, c) in "rwxrwxrwx".chars().enumerate() {
            s.push(if mode & (1 << (8 - i)) != 0 { c } else { '-' });
        }
    }
    #[cfg(not(unix))]
    {
        s.push_str(if meta.is_dir() {
            "d---------"
        } else {
            "----------"
        });
    }
    s
}

/// Expands a leading `~` to the home directory, as the go-homedir library does.
fn expand_home(path: &str) -> Result<String, String> {
    let Some(rest) = path.strip_prefix('~') else {
        return Ok(path.to_string());
    };
    if !rest.is_empty() && !rest.starts_with('/') && !rest.starts_with('\\') {
        return Err("cannot expand user-specific home dir".into());
    }
    let home = std::env::var("HOME")
        .ok()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| "blank output when reading home directory".to_string())?;
    Ok(join(&[&home, rest]))
}

/// Go's `filepath.Clean` on Unix: the shortest lexically equivalent path.
pub(super) fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

/// Go's `filepath.Join`: the non-empty elements joined with `/`, then cleaned.
pub(super) fn join(elems: &[&str]) -> String {
    let nonempty: Vec<&str> = elems.iter().copied().filter(|e| !e.is_empty()).collect();
    if nonempty.is_empty() {
        return String::new();
    }
    clean(&nonempty.join("/"))
}

/// Go's `filepath.Base`.
fn base(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    match trimmed.rfind('/') {
        Some(i) => trimmed[i + 1..].to_string(),
        None => trimmed.to_string(),
    }
}

/// Go's `filepath.Dir`.
fn dir(path: &str) -> String {
    match path.rfind('/') {
        Some(i) => clean(&path[..=i]),
        None => ".".into(),
    }
}

/// Go's `filepath.Rel` for two cleaned paths: `target` relative to `base`, or `None` when no
/// such path exists (one is absolute and the other not, or `base` climbs out of reach).
fn rel(base: &str, target: &str) -> Option<String> {
    let base = clean(base);
    let target = clean(target);
    if base == target {
        return Some(".".into());
    }
    if base.starts_with('/') != target.starts_with('/') {
        return None;
    }
    let split = |p: &str| -> Vec<String> {
        if p == "." {
            Vec::new()
        } else {
            p.trim_start_matches('/')
                .split('/')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        }
    };
    let b = split(&base);
    let t = split(&target);
    let common = b.iter().zip(t.iter()).take_while(|(x, y)| x == y).count();
    if b[common..].iter().any(|p| p == "..") {
        return None;
    }
    let mut out: Vec<String> = vec!["..".to_string(); b.len() - common];
    out.extend(t[common..].iter().cloned());
    Some(out.join("/"))
}

/// A glob pattern syntax error, as doublestar reports it.
const BAD_PATTERN: &str = "syntax error in pattern";

/// Finds the paths matching a doublestar pattern (`*`, `**`, `?`, `[...]`, `{a,b}`, `\`).
/// Matches may include directories; the caller filters.
fn glob(ctx: &FnContext, pattern: &str) -> Result<Vec<String>, &'static str> {
    let components = split_unescaped(pattern, '/');
    let mut matches = Vec::new();
    if components.first().is_some_and(|c| c.is_empty()) {
        glob_in(ctx, "/".into(), &components[1..], &mut matches)?;
    } else {
        glob_in(ctx, ".".into(), &components, &mut matches)?;
    }
    Ok(matches)
}

fn has_meta(component: &str) -> bool {
    component.contains(['*', '?', '[', '{', '\\'])
}

fn dir_entries(ctx: &FnContext, dir: &str) -> Vec<String> {
    let mut names: Vec<String> = ctx
        .files
        .read_dir(Path::new(dir))
        .unwrap_or_default()
        .iter()
        .filter_map(|p: &PathBuf| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    names.sort();
    names
}

fn glob_in(
    ctx: &FnContext,
    mut base_dir: String,
    components: &[String],
    matches: &mut Vec<String>,
) -> Result<(), &'static str> {
    let literal = components.iter().take_while(|c| !has_meta(c)).count();
    if literal > 0 {
        let parts: Vec<&str> = components[..literal].iter().map(String::as_str).collect();
        base_dir = join(&[&base_dir, &join(&parts)]);
    }
    let Ok(meta) = ctx.files.metadata(Path::new(&base_dir)) else {
        return Ok(());
    };
    if literal >= components.len() {
        matches.push(base_dir);
        return Ok(());
    }
    if !meta.is_dir() {
        return Ok(());
    }
    let entries = dir_entries(ctx, &base_dir);
    let mut index = literal;
    let mut last = index + 1 >= components.len();
    if components[index] == "**" {
        for name in &entries {
            let child = join(&[&base_dir, name]);
            let Ok(child_meta) = ctx.files.metadata(Path::new(&child)) else {
                continue;
            };
            if child_meta.is_dir() {
                if last {
                    matches.push(child.clone());
                }
                glob_in(ctx, child, &components[index..], matches)?;
            } else if last {
                matches.push(child);
            }
        }
        if last {
            return Ok(());
        }
        index += 1;
        last = index + 1 >= components.len();
    }
    for name in &entries {
        if match_component(&components[index], name)? {
            let child = join(&[&base_dir, name]);
            if last {
                matches.push(child);
            } else {
                glob_in(ctx, child, &components[index + 1..], matches)?;
            }
        }
    }
    Ok(())
}

/// Splits on `sep` where it is not escaped by a backslash.
fn split_unescaped(s: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut prev = None;
    for c in s.chars() {
        if c == sep && prev != Some('\\') {
            out.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
        prev = Some(c);
    }
    out.push(current);
    out
}

/// Finds `target` in `s` (as chars) where it is not escaped by a backslash.
fn find_unescaped(s: &[char], target: char) -> Option<usize> {
    (0..s.len()).find(|&i| s[i] == target && (i == 0 || s[i - 1] != '\\'))
}

/// Matches one path component against one pattern component.
fn match_component(pattern: &str, name: &str) -> Result<bool, &'static str> {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    match_chars(&p, &n)
}

fn match_chars(p: &[char], n: &[char]) -> Result<bool, &'static str> {
    if p.is_empty() {
        return Ok(n.is_empty());
    }
    if n.is_empty() && p != ['*'] {
        return Ok(false);
    }
    let (mut pi, mut ni) = (0, 0);
    while pi < p.len() && ni < n.len() {
        match p[pi] {
            '\\' => {
                pi += 1;
                match p.get(pi) {
                    None => return Err(BAD_PATTERN),
                    Some(&c) if c == n[ni] => {
                        pi += 1;
                        ni += 1;
                    }
                    Some(_) => return Ok(false),
                }
            }
            '*' => {
                pi += 1;
                if pi >= p.len() {
                    return Ok(true);
                }
                for start in ni..n.len() {
                    if match_chars(&p[pi..], &n[start..]).unwrap_or(false) {
                        return Ok(true);
                    }
                }
                return Ok(false);
            }
            '[' => {
                pi += 1;
                let end = find_unescaped(&p[pi..], ']').ok_or(BAD_PATTERN)? + pi;
                let class = &p[pi..end];
                if class.is_empty() {
                    return Err(BAD_PATTERN);
                }
                if !class_matches(class, n[ni])? {
                    return Ok(false);
                }
                pi = end + 1;
                ni += 1;
            }
            '{' => {
                pi += 1;
                let end = find_unescaped(&p[pi..], '}').ok_or(BAD_PATTERN)? + pi;
                let inner: String = p[pi..end].iter().collect();
                let rest = &p[end + 1..];
                for option in split_unescaped(&inner, ',') {
                    let mut candidate: Vec<char> = option.chars().collect();
                    candidate.extend_from_slice(rest);
                    if match_chars(&candidate, &n[ni..])? {
                        return Ok(true);
                    }
                }
                return Ok(false);
            }
            c if c == '?' || c == n[ni] => {
                pi += 1;
                ni += 1;
            }
            _ => return Ok(false),
        }
    }
    if pi >= p.len() && ni >= n.len() {
        return Ok(true);
    }
    let rest = &p[pi..];
    Ok((ni >= n.len() && rest == ['*']) || rest == ['*', '*'])
}

/// Whether `c` is in a bracket class (`a-z`, `^` negation, `\` escapes).
fn class_matches(class: &[char], c: char) -> Result<bool, &'static str> {
    let negated = class[0] == '^';
    let mut i = usize::from(negated);
    let mut matched = false;
    let take = |i: &mut usize| -> Result<char, &'static str> {
        let mut ch = class[*i];
        *i += 1;
        if ch == '\\' {
            ch = *class.get(*i).ok_or(BAD_PATTERN)?;
            *i += 1;
        }
        Ok(ch)
    };
    while i < class.len() {
        if class[i] == '-' {
            return Err(BAD_PATTERN);
        }
        let low = take(&mut i)?;
        let mut high = low;
        if class.get(i) == Some(&'-') {
            i += 1;
            if i >= class.len() || class[i] == '-' {
                return Err(BAD_PATTERN);
            }
            high = take(&mut i)?;
        }
        if low <= c && c <= high {
            matched = true;
        }
    }
    Ok(matched != negated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::test_support::call_fn;
    use crate::functions::{call, lookup, RealFiles};

    fn s(v: &str) -> Value {
        Value::string(v)
    }

    fn call_in(dir: &Path, name: &str, args: Vec<Value>) -> FnResult {
        let ctx = FnContext {
            base_dir: dir,
            files: &RealFiles,
            plan_timestamp: "",
        };
        call(name, lookup(name).expect("function"), &ctx, args)
    }

    #[test]
    fn path_functions() {
        assert_eq!(
            call_fn("basename", vec![s("foo/bar/baz.txt")]),
            Ok(s("baz.txt"))
        );
        assert_eq!(call_fn("basename", vec![s("foo/bar/")]), Ok(s("bar")));
        assert_eq!(call_fn("basename", vec![s("")]), Ok(s(".")));
        assert_eq!(call_fn("basename", vec![s("/")]), Ok(s("/")));
        assert_eq!(
            call_fn("dirname", vec![s("foo/bar/baz.txt")]),
            Ok(s("foo/bar"))
        );
        assert_eq!(call_fn("dirname", vec![s("baz.txt")]), Ok(s(".")));
        assert_eq!(call_fn("dirname", vec![s("/foo//bar/")]), Ok(s("/foo/bar")));
        assert_eq!(call_fn("dirname", vec![s("")]), Ok(s(".")));
        assert_eq!(call_fn("abspath", vec![s("/a/./b/../c/")]), Ok(s("/a/c")));
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(
            call_fn("abspath", vec![s("x/../y")]),
            Ok(s(&format!("{}/y", cwd.to_string_lossy())))
        );
        assert_eq!(call_fn("pathexpand", vec![s("/x/~")]), Ok(s("/x/~")));
        let home = std::env::var("HOME").unwrap();
        assert_eq!(
            call_fn("pathexpand", vec![s("~/a//b")]),
            Ok(s(&format!("{home}/a/b")))
        );
        assert!(call_fn("pathexpand", vec![s("~bob/x")]).is_err());
    }

    #[test]
    fn clean_join_rel() {
        assert_eq!(clean("a//b/./c/.."), "a/b");
        assert_eq!(clean("/../a"), "/a");
        assert_eq!(clean("../../a"), "../../a");
        assert_eq!(clean("a/../.."), "..");
        assert_eq!(join(&[".", "x.txt"]), "x.txt");
        assert_eq!(join(&["", ""]), "");
        assert_eq!(rel("a", "a/b/c").as_deref(), Some("b/c"));
        assert_eq!(rel(".", "../x/a").as_deref(), Some("../x/a"));
        assert_eq!(rel("a/b", "a/c").as_deref(), Some("../c"));
        assert_eq!(rel("/a", "b"), None);
    }

    #[test]
    fn components_match_like_doublestar() {
        assert_eq!(match_component("*.txt", "a.txt"), Ok(true));
        assert_eq!(match_component("*.txt", ".txt"), Ok(true));
        assert_eq!(match_component("?.txt", "ab.txt"), Ok(false));
        assert_eq!(match_component("[a-c]x", "bx"), Ok(true));
        assert_eq!(match_component("[^a-c]x", "bx"), Ok(false));
        assert_eq!(match_component("{a,b}.md", "b.md"), Ok(true));
        assert_eq!(match_component("{a,b}.md", "c.md"), Ok(false));
        assert_eq!(match_component("\\*", "*"), Ok(true));
        assert_eq!(match_component("*", ""), Ok(true));
        assert_eq!(match_component("[a-", "a"), Err(BAD_PATTERN));
        assert_eq!(match_component("{a", "a"), Err(BAD_PATTERN));
    }

    #[test]
    fn file_reading() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        std::fs::write(d.join("hello.txt"), "Hello World").unwrap();
        std::fs::write(d.join("bin.dat"), [0xff, 0xfe, 0x00]).unwrap();
        std::fs::create_dir(d.join("sub")).unwrap();
        assert_eq!(
            call_in(d, "file", vec![s("hello.txt")]),
            Ok(s("Hello World"))
        );
        assert_eq!(
            call_in(d, "filebase64", vec![s("hello.txt")]),
            Ok(s("SGVsbG8gV29ybGQ="))
        );
        assert_eq!(call_in(d, "filebase64", vec![s("bin.dat")]), Ok(s("//4A")));
        let err = call_in(d, "file", vec![s("bin.dat")]).unwrap_err();
        assert_eq!(
            err.message,
            "contents of bin.dat are not valid UTF-8; use the filebase64 function to obtain the \
             Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to \
             obtain file hashing results instead"
        );
        let err = call_in(d, "file", vec![s("missing.txt")]).unwrap_err();
        let missing = format!("{}/missing.txt", d.to_string_lossy());
        assert_eq!(err.arg, Some(0));
        assert!(err
            .message
            .starts_with(&format!("no file exists at {missing}; this function")));
        let err = call_in(d, "file", vec![s("sub")]).unwrap_err();
        assert_eq!(
            err.message,
            format!("failed to read {}/sub", d.to_string_lossy())
        );
        assert_eq!(
            call_in(d, "fileexists", vec![s("hello.txt")]),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            call_in(d, "fileexists", vec![s("nope.txt")]),
            Ok(Value::Bool(false))
        );
        assert_eq!(
            call_in(d, "fileexists", vec![s("hello.txt/x")]),
            Ok(Value::Bool(false))
        );
        let err = call_in(d, "fileexists", vec![s("sub")]).unwrap_err();
        assert!(
            err.message
                .ends_with("/sub is not a regular file, but \"drwxr-xr-x\"")
                || err.message.contains("is not a regular file, but \"d")
        );
    }

    #[test]
    fn fileset_matches() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        for f in [
            "a.txt",
            "b.txt",
            "c.md",
            ".hidden.txt",
            "sub/d.txt",
            "sub/deep/e.txt",
            "sub/f.md",
        ] {
            let p = d.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        let set = |items: &[&str]| Value::set(Type::String, items.iter().map(|i| s(i)).collect());
        assert_eq!(
            call_in(d, "fileset", vec![s("."), s("*.txt")]),
            Ok(set(&[".hidden.txt", "a.txt", "b.txt"]))
        );
        assert_eq!(
            call_in(d, "fileset", vec![s("."), s("**/*.txt")]),
            Ok(set(&[
                ".hidden.txt",
                "a.txt",
                "b.txt",
                "sub/d.txt",
                "sub/deep/e.txt"
            ]))
        );
        assert_eq!(
            call_in(d, "fileset", vec![s("sub"), s("**")]),
            Ok(set(&["d.txt", "deep/e.txt", "f.md"]))
        );
        assert_eq!(
            call_in(d, "fileset", vec![s("."), s("{a,c}.*")]),
            Ok(set(&["a.txt", "c.md"]))
        );
        assert_eq!(
            call_in(d, "fileset", vec![s("."), s("[ab].txt")]),
            Ok(set(&["a.txt", "b.txt"]))
        );
        assert_eq!(
            call_in(d, "fileset", vec![s("."), s("sub/*")]),
            Ok(set(&["sub/d.txt", "sub/f.md"]))
        );
        assert_eq!(
            call_in(d, "fileset", vec![s("."), s("a.txt")]),
            Ok(set(&["a.txt"]))
        );
        assert_eq!(
            call_in(d, "fileset", vec![s("nowhere"), s("*")]),
            Ok(set(&[]))
        );
        assert_eq!(call_in(d, "fileset", vec![s("."), s("sub")]), Ok(set(&[])));
        let err = call_in(d, "fileset", vec![s("."), s("[a")]).unwrap_err();
        assert!(
            err.message.ends_with("/[a): syntax error in pattern"),
            "{}",
            err.message
        );
    }
}
