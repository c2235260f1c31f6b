//! The `local_file` and `local_sensitive_file` data sources: a file's content (as text and
//! as base64) and its checksums.

use crate::file::{checksums, go_io_error, sensitive_if, sha1_hex, FileKind, CHECKSUMS};
use base64::Engine as _;
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::provider::framework::{self, get_str};
use terrane_engine::provider::{Attribute, Block, Schema};
use terrane_engine::value::{Type, Value};

pub fn schema(kind: FileKind) -> Schema {
    let sensitive = kind == FileKind::Sensitive;
    let mut block = Block {
        description: "Reads a local file.".into(),
        ..Block::default()
    };
    let attrs = &mut block.attributes;
    attrs.insert(
        "filename".into(),
        Attribute::required(Type::String).describe("Path of the file to read."),
    );
    attrs.insert(
        "content".into(),
        sensitive_if(
            Attribute::computed(Type::String)
                .describe("Content of the file as UTF-8 text (invalid sequences become U+FFFD)."),
            sensitive,
        ),
    );
    attrs.insert(
        "content_base64".into(),
        sensitive_if(
            Attribute::computed(Type::String).describe("Content of the file in base64."),
            sensitive,
        ),
    );
    attrs.insert(
        "id".into(),
        Attribute::computed(Type::String).describe("SHA-1 checksum of the content, in hex."),
    );
    for (name, what) in CHECKSUMS {
        attrs.insert(
            name.into(),
            Attribute::computed(Type::String).describe(what),
        );
    }
    Schema { version: 0, block }
}

/// Bytes as text the way a Go string reaches Terraform: each byte that is not part of a
/// valid UTF-8 sequence becomes U+FFFD.
fn text_of(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                out.push_str(valid);
                return out;
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                let invalid = e.error_len().unwrap_or(after.len());
                out.extend(std::iter::repeat_n('\u{FFFD}', invalid));
                rest = &after[invalid..];
            }
        }
    }
}

pub fn read(kind: FileKind, config: &Value) -> Result<Value, Diagnostics> {
    let filename = get_str(config, "filename").unwrap_or_default();
    let content = std::fs::read(&filename).map_err(|e| {
        let summary = match kind {
            FileKind::Plain => "Read local file data source error",
            FileKind::Sensitive => "Read local sensitive file data source error",
        };
        Diagnostics::from(Diagnostic::error(
            summary,
            format!(
                "The file at given path cannot be read.\n\nOriginal Error: {}",
                go_io_error("open", &filename, &e)
            ),
        ))
    })?;
    let mut state = framework::null_attributes(&schema(kind).block);
    state.insert("filename".into(), Value::string(filename));
    state.insert("content".into(), Value::string(text_of(&content)));
    state.insert(
        "content_base64".into(),
        Value::string(base64::engine::general_purpose::STANDARD.encode(&content)),
    );
    state.insert("id".into(), Value::string(sha1_hex(&content)));
    for (name, sum) in checksums(&content) {
        state.insert(name.into(), Value::string(sum));
    }
    Ok(Value::object(state))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider;

    fn config(path: &std::path::Path) -> Value {
        let mut attrs = framework::null_attributes(&schema(FileKind::Plain).block);
        attrs.insert(
            "filename".into(),
            Value::string(path.to_string_lossy().to_string()),
        );
        Value::object(attrs)
    }

    #[test]
    fn schema_shape() {
        let a = schema(FileKind::Plain).block.attributes;
        assert_eq!(a.len(), 10);
        assert!(a["filename"].required);
        assert!(a
            .values()
            .filter(|x| !x.required)
            .all(|x| x.computed && !x.optional));
        assert!(!a["content"].sensitive);
        let s = schema(FileKind::Sensitive).block.attributes;
        assert!(s["content"].sensitive && s["content_base64"].sensitive);
        assert!(!s["content_sha1"].sensitive);
    }

    #[test]
    fn invalid_utf8_becomes_replacement_characters() {
        assert_eq!(text_of(b"ok"), "ok");
        assert_eq!(text_of(b"a\xffb"), "a\u{FFFD}b");
        assert_eq!(text_of(b"a\xe2\x82"), "a\u{FFFD}\u{FFFD}");
        assert_eq!(text_of(b"\xe2\x82a\xc3\xa9"), "\u{FFFD}\u{FFFD}a\u{e9}");
    }

    #[tokio::test]
    async fn reads_content_and_checksums() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.txt");
        std::fs::write(&path, "hello").unwrap();
        for name in ["local_file", "local_sensitive_file"] {
            let v = provider()
                .read_data_source(name, &config(&path))
                .await
                .unwrap();
            assert_eq!(framework::get(&v, "content"), Value::string("hello"));
            assert_eq!(
                framework::get(&v, "content_base64"),
                Value::string("aGVsbG8=")
            );
            assert_eq!(
                framework::get(&v, "id"),
                Value::string("aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d")
            );
            assert!(v.is_wholly_known());
        }
        let missing = dir.path().join("missing");
        let e = provider()
            .read_data_source("local_file", &config(&missing))
            .await
            .unwrap_err();
        assert_eq!(e.0[0].summary, "Read local file data source error");
        assert!(e.0[0]
            .detail
            .ends_with("missing: no such file or directory"));
    }
}
