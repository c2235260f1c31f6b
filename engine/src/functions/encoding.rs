//! Built-in functions: encoding family (`base64encode`, `base64decode`, `base64gzip`,
//! `textencodebase64`, `textdecodebase64`, `urlencode`, `csvdecode`, `jsonencode`,
//! `jsondecode`, `yamlencode`, `yamldecode`).
//!
//! JSON and CSV are read by small readers that follow Go's `encoding/json` token decoder and
//! `encoding/csv` reader, because Terraform's results and error messages come from those:
//! which inputs are accepted (`1 ]` is, `a"b` in CSV is not), and how errors are worded.
//! Base64 uses the `base64` crate, gzip `flate2`, legacy text encodings `encoding_rs`.

use super::{dynamic_return, string_return, FnContext, FnError, FnResult, Param, Registry};
use crate::number::Number;
use crate::value::{Type, Value};
use base64::Engine as _;
use std::collections::BTreeMap;

mod yaml;

pub(super) fn register(r: &mut Registry) {
    let str_param = || vec![Param::new("str", Type::String)];
    r.add("base64encode", str_param(), string_return, |_, a| {
        Ok(Value::string(
            base64::engine::general_purpose::STANDARD.encode(str_arg(a, 0)),
        ))
    });
    r.add("base64decode", str_param(), string_return, base64decode);
    r.add("base64gzip", str_param(), string_return, base64gzip);
    r.add("urlencode", str_param(), string_return, |_, a| {
        Ok(Value::string(query_escape(str_arg(a, 0))))
    });
    r.add(
        "textencodebase64",
        vec![
            Param::new("string", Type::String),
            Param::new("encoding", Type::String),
        ],
        string_return,
        textencodebase64,
    );
    r.add(
        "textdecodebase64",
        vec![
            Param::new("source", Type::String),
            Param::new("encoding", Type::String),
        ],
        string_return,
        textdecodebase64,
    );
    r.add("csvdecode", str_param(), dynamic_return, csvdecode);
    r.add("jsondecode", str_param(), dynamic_return, jsondecode);
    r.add(
        "jsonencode",
        vec![Param::new("val", Type::Dynamic).allow_null()],
        string_return,
        jsonencode,
    );
    r.add(
        "yamldecode",
        vec![Param::new("src", Type::String)],
        dynamic_return,
        |_, a| yaml::decode(str_arg(a, 0)).map_err(FnError::new),
    );
    r.add(
        "yamlencode",
        vec![Param::new("value", Type::Dynamic).allow_null()],
        string_return,
        |_, a| {
            yaml::encode(a.first().unwrap_or(&Value::Null(Type::Dynamic)))
                .map(Value::string)
                .map_err(FnError::new)
        },
    );
}

fn str_arg(args: &[Value], i: usize) -> &str {
    args.get(i).and_then(Value::as_str).unwrap_or_default()
}

/// Go's `base64.StdEncoding` decoder: padding required, line breaks ignored, non-zero
/// trailing bits accepted.
fn go_base64_decode(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const ENGINE: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
    );
    let cleaned: String = text.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    ENGINE.decode(cleaned)
}

fn base64decode(_: &FnContext, args: &[Value]) -> FnResult {
    let text = str_arg(args, 0);
    let bytes = go_base64_decode(text)
        .map_err(|_| FnError::new(format!("failed to decode base64 data '{text}'")))?;
    String::from_utf8(bytes)
        .map(Value::string)
        .map_err(|_| FnError::new("the result of decoding the provided string is not valid UTF-8"))
}

/// gzip as Terraform writes it with Go's `compress/gzip`: a header with no name or time and
/// the "unknown" OS byte, the data deflated and sync-flushed, then an empty final stored
/// block. (The deflate body itself is flate2's, which can differ from Go's for the same
/// input; any gzip reader gives back the same text.)
fn base64gzip(_: &FnContext, args: &[Value]) -> FnResult {
    use flate2::{Compress, Compression, FlushCompress};
    let data = str_arg(args, 0).as_bytes();
    let mut deflater = Compress::new(Compression::default(), false);
    let mut body = Vec::with_capacity(data.len() / 2 + 64);
    let mut consumed = 0;
    loop {
        body.reserve(4096);
        let before_in = deflater.total_in();
        deflater
            .compress_vec(&data[consumed..], &mut body, FlushCompress::Sync)
            .map_err(|e| FnError::new(format!("failed to write gzip raw data: {e}")))?;
        consumed += (deflater.total_in() - before_in) as usize;
        if consumed >= data.len() && body.len() < body.capacity() {
            break;
        }
    }
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend_from_slice(&body);
    out.extend_from_slice(&[0x01, 0x00, 0x00, 0xff, 0xff]);
    let mut crc = flate2::Crc::new();
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    Ok(Value::string(
        base64::engine::general_purpose::STANDARD.encode(out),
    ))
}

/// Go's `url.QueryEscape`: unreserved characters kept, space as `+`, the rest `%XX`.
fn query_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A character encoding that `textencodebase64` and `textdecodebase64` accept.
#[derive(Clone, Copy)]
enum TextCodec {
    Utf8,
    Utf16Le,
    Utf16Be,
    /// UTF-16 with a byte order mark (big-endian when writing).
    Utf16Bom,
    Latin1,
    Legacy(&'static encoding_rs::Encoding),
}

/// Finds an encoding by its IANA name or alias (case-insensitively, as Go's `ianaindex`),
/// with the IANA name that Terraform's messages use.
fn text_codec(name: &str) -> Option<(TextCodec, &'static str)> {
    use encoding_rs as e;
    use TextCodec::{Latin1, Legacy, Utf16Be, Utf16Bom, Utf16Le, Utf8};
    let table: &[(&[&str], &str, TextCodec)] = &[
        (&["utf-8", "csutf8"], "UTF-8", Utf8),
        (&["utf-16le", "csutf16le"], "UTF-16LE", Utf16Le),
        (&["utf-16be", "csutf16be"], "UTF-16BE", Utf16Be),
        (&["utf-16", "csutf16"], "UTF-16", Utf16Bom),
        (
            &[
                "iso-8859-1",
                "iso_8859-1:1987",
                "iso-ir-100",
                "iso_8859-1",
                "latin1",
                "l1",
                "ibm819",
                "cp819",
                "csisolatin1",
            ],
            "ISO_8859-1:1987",
            Latin1,
        ),
        (
            &[
                "iso-8859-2",
                "iso_8859-2:1987",
                "iso-ir-101",
                "iso_8859-2",
                "latin2",
                "l2",
                "csisolatin2",
            ],
            "ISO_8859-2:1987",
            Legacy(e::ISO_8859_2),
        ),
        (
            &[
                "iso-8859-3",
                "iso_8859-3:1988",
                "iso-ir-109",
                "iso_8859-3",
                "latin3",
                "l3",
                "csisolatin3",
            ],
            "ISO_8859-3:1988",
            Legacy(e::ISO_8859_3),
        ),
        (
            &[
                "iso-8859-4",
                "iso_8859-4:1988",
                "iso-ir-110",
                "iso_8859-4",
                "latin4",
                "l4",
                "csisolatin4",
            ],
            "ISO_8859-4:1988",
            Legacy(e::ISO_8859_4),
        ),
        (
            &[
                "iso-8859-5",
                "iso_8859-5:1988",
                "iso-ir-144",
                "iso_8859-5",
                "cyrillic",
                "csisolatincyrillic",
            ],
            "ISO_8859-5:1988",
            Legacy(e::ISO_8859_5),
        ),
        (
            &[
                "iso-8859-6",
                "iso_8859-6:1987",
                "iso-ir-127",
                "iso_8859-6",
                "ecma-114",
                "asmo-708",
                "arabic",
                "csisolatinarabic",
            ],
            "ISO_8859-6:1987",
            Legacy(e::ISO_8859_6),
        ),
        (
            &[
                "iso-8859-7",
                "iso_8859-7:1987",
                "iso-ir-126",
                "iso_8859-7",
                "elot_928",
                "ecma-118",
                "greek",
                "greek8",
                "csisolatingreek",
            ],
            "ISO_8859-7:1987",
            Legacy(e::ISO_8859_7),
        ),
        (
            &[
                "iso-8859-8",
                "iso_8859-8:1988",
                "iso-ir-138",
                "iso_8859-8",
                "hebrew",
                "csisolatinhebrew",
            ],
            "ISO_8859-8:1988",
            Legacy(e::ISO_8859_8),
        ),
        (
            &[
                "iso-8859-10",
                "iso-ir-157",
                "l6",
                "iso_8859-10:1992",
                "csisolatin6",
                "latin6",
            ],
            "ISO-8859-10",
            Legacy(e::ISO_8859_10),
        ),
        (
            &["iso-8859-13", "csiso885913"],
            "ISO-8859-13",
            Legacy(e::ISO_8859_13),
        ),
        (
            &[
                "iso-8859-14",
                "iso-ir-199",
                "iso_8859-14:1998",
                "iso_8859-14",
                "latin8",
                "iso-celtic",
                "l8",
                "csiso885914",
            ],
            "ISO-8859-14",
            Legacy(e::ISO_8859_14),
        ),
        (
            &["iso-8859-15", "iso_8859-15", "latin-9", "csiso885915"],
            "ISO-8859-15",
            Legacy(e::ISO_8859_15),
        ),
        (
            &[
                "iso-8859-16",
                "iso-ir-226",
                "iso_8859-16:2001",
                "iso_8859-16",
                "latin10",
                "l10",
                "csiso885916",
            ],
            "ISO-8859-16",
            Legacy(e::ISO_8859_16),
        ),
        (&["koi8-r", "cskoi8r"], "KOI8-R", Legacy(e::KOI8_R)),
        (&["koi8-u", "cskoi8u"], "KOI8-U", Legacy(e::KOI8_U)),
        (
            &["macintosh", "mac", "csmacintosh"],
            "macintosh",
            Legacy(e::MACINTOSH),
        ),
        (
            &["ibm866", "cp866", "866", "csibm866"],
            "IBM866",
            Legacy(e::IBM866),
        ),
        (
            &["windows-874", "cswindows874"],
            "windows-874",
            Legacy(e::WINDOWS_874),
        ),
        (
            &["windows-1250", "cswindows1250"],
            "windows-1250",
            Legacy(e::WINDOWS_1250),
        ),
        (
            &["windows-1251", "cswindows1251"],
            "windows-1251",
            Legacy(e::WINDOWS_1251),
        ),
        (
            &["windows-1252", "cswindows1252"],
            "windows-1252",
            Legacy(e::WINDOWS_1252),
        ),
        (
            &["windows-1253", "cswindows1253"],
            "windows-1253",
            Legacy(e::WINDOWS_1253),
        ),
        (
            &["windows-1254", "cswindows1254"],
            "windows-1254",
            Legacy(e::WINDOWS_1254),
        ),
        (
            &["windows-1255", "cswindows1255"],
            "windows-1255",
            Legacy(e::WINDOWS_1255),
        ),
        (
            &["windows-1256", "cswindows1256"],
            "windows-1256",
            Legacy(e::WINDOWS_1256),
        ),
        (
            &["windows-1257", "cswindows1257"],
            "windows-1257",
            Legacy(e::WINDOWS_1257),
        ),
        (
            &["windows-1258", "cswindows1258"],
            "windows-1258",
            Legacy(e::WINDOWS_1258),
        ),
        (
            &["shift_jis", "ms_kanji", "csshiftjis"],
            "Shift_JIS",
            Legacy(e::SHIFT_JIS),
        ),
        (
            &[
                "euc-jp",
                "cseucpkdfmtjapanese",
                "extended_unix_code_packed_format_for_japanese",
            ],
            "EUC-JP",
            Legacy(e::EUC_JP),
        ),
        (
            &["iso-2022-jp", "csiso2022jp"],
            "ISO-2022-JP",
            Legacy(e::ISO_2022_JP),
        ),
        (&["euc-kr", "cseuckr"], "EUC-KR", Legacy(e::EUC_KR)),
        (
            &["gbk", "cp936", "ms936", "windows-936", "csgbk"],
            "GBK",
            Legacy(e::GBK),
        ),
        (&["gb18030", "csgb18030"], "GB18030", Legacy(e::GB18030)),
        (&["big5", "csbig5"], "Big5", Legacy(e::BIG5)),
    ];
    let wanted = name.trim().to_ascii_lowercase();
    table
        .iter()
        .find(|(aliases, _, _)| aliases.contains(&wanted.as_str()))
        .map(|(_, canonical, codec)| (*codec, *canonical))
}

fn unsupported_encoding(name: &str) -> FnError {
    FnError::arg(
        1,
        format!(
            "{name:?} is not a supported IANA encoding name or alias in this Terraform version"
        ),
    )
}

fn textencodebase64(_: &FnContext, args: &[Value]) -> FnResult {
    let text = str_arg(args, 0);
    let enc_name = str_arg(args, 1);
    let (codec, canonical) = text_codec(enc_name).ok_or_else(|| unsupported_encoding(enc_name))?;
    let unrepresentable = || {
        FnError::arg(
            0,
            format!(
                "the given string contains characters that cannot be represented in {canonical}"
            ),
        )
    };
    let utf16 = |big_endian: bool| -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|u| {
                if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect()
    };
    let bytes = match codec {
        TextCodec::Utf8 => text.as_bytes().to_vec(),
        TextCodec::Utf16Le => utf16(false),
        TextCodec::Utf16Be => utf16(true),
        TextCodec::Utf16Bom => {
            let mut out = vec![0xfe, 0xff];
            out.extend(utf16(true));
            out
        }
        TextCodec::Latin1 => text
            .chars()
            .map(|c| u8::try_from(u32::from(c)).map_err(|_| unrepresentable()))
            .collect::<Result<Vec<u8>, FnError>>()?,
        TextCodec::Legacy(encoding) => {
            let (bytes, _, had_unmappable) = encoding.encode(text);
            if had_unmappable {
                return Err(unrepresentable());
            }
            bytes.into_owned()
        }
    };
    Ok(Value::string(
        base64::engine::general_purpose::STANDARD.encode(bytes),
    ))
}

fn textdecodebase64(_: &FnContext, args: &[Value]) -> FnResult {
    let source = str_arg(args, 0);
    let enc_name = str_arg(args, 1);
    let (codec, canonical) = text_codec(enc_name).ok_or_else(|| unsupported_encoding(enc_name))?;
    let bytes = go_base64_decode(source).map_err(|e| {
        let offset = match e {
            base64::DecodeError::InvalidByte(offset, _)
            | base64::DecodeError::InvalidLastSymbol { offset, .. } => offset,
            base64::DecodeError::InvalidLength(_) | base64::DecodeError::InvalidPadding => {
                source.len() / 4 * 4
            }
        };
        FnError::arg(
            0,
            format!("the given value is has an invalid base64 symbol at offset {offset}"),
        )
    })?;
    let undefined = || {
        FnError::arg(
            0,
            format!("the given string contains symbols that are not defined for {canonical}"),
        )
    };
    let utf16 = |data: &[u8], big_endian: bool| -> Option<String> {
        let pairs = data.chunks_exact(2);
        if !pairs.remainder().is_empty() {
            return None;
        }
        let units = pairs.map(|c| {
            if big_endian {
                u16::from_be_bytes([c[0], c[1]])
            } else {
                u16::from_le_bytes([c[0], c[1]])
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .ok()
    };
    let decoded = match codec {
        TextCodec::Utf8 => String::from_utf8(bytes).ok(),
        TextCodec::Utf16Le => utf16(&bytes, false),
        TextCodec::Utf16Be => utf16(&bytes, true),
        TextCodec::Utf16Bom => match bytes.get(..2) {
            Some([0xff, 0xfe]) => utf16(&bytes[2..], false),
            Some([0xfe, 0xff]) => utf16(&bytes[2..], true),
            _ => utf16(&bytes, true),
        },
        TextCodec::Latin1 => Some(bytes.iter().map(|b| char::from(*b)).collect()),
        TextCodec::Legacy(encoding) => encoding
            .decode_without_bom_handling_and_without_replacement(&bytes)
            .map(|s| s.into_owned()),
    };
    match decoded {
        Some(text) if !text.contains('\u{fffd}') => Ok(Value::string(text)),
        _ => Err(undefined()),
    }
}

// ---------------------------------------------------------------------------------------
// CSV

/// A CSV reader with the behaviour of Go's `encoding/csv` defaults: blank lines skipped,
/// `\r\n` read as `\n`, strict quoting, and a fixed field count once it is known.
struct CsvReader<'a> {
    data: &'a str,
    pos: usize,
    line: usize,
    fields_per_record: Option<usize>,
}

/// A CSV error: the line it was found on and Go's description.
struct CsvError {
    line: usize,
    message: &'static str,
}

impl CsvError {
    fn text(&self) -> String {
        format!("CSV parse error on line {}: {}", self.line, self.message)
    }
}

impl<'a> CsvReader<'a> {
    fn new(data: &'a str) -> Self {
        CsvReader {
            data,
            pos: 0,
            line: 0,
            fields_per_record: None,
        }
    }

    /// The next line with its `\n` (if any), `\r\n` normalized to `\n`; `None` at the end.
    fn read_line(&mut self) -> Option<String> {
        if self.pos >= self.data.len() {
            self.line += 1;
            return None;
        }
        let rest = &self.data[self.pos..];
        let end = rest.find('\n').map_or(rest.len(), |i| i + 1);
        let mut line = rest[..end].to_string();
        self.pos += end;
        self.line += 1;
        if !line.ends_with('\n') && line.ends_with('\r') {
            line.pop();
        }
        if line.ends_with("\r\n") {
            line.truncate(line.len() - 2);
            line.push('\n');
        }
        Some(line)
    }

    /// Reads one record; `Ok(None)` at the end of the input.
    fn read_record(&mut self) -> Result<Option<Vec<String>>, CsvError> {
        let mut line = loop {
            match self.read_line() {
                None => return Ok(None),
                Some(l) if l == "\n" => continue,
                Some(l) => break l,
            }
        };
        let record_line = self.line;
        let mut fields = Vec::new();
        let mut rest: &str = &line;
        let mut owned_rest: String;
        'fields: loop {
            if !rest.starts_with('"') {
                let (field, more) = match rest.find(',') {
                    Some(i) => (&rest[..i], Some(&rest[i + 1..])),
                    None => (rest.strip_suffix('\n').unwrap_or(rest), None),
                };
                if field.contains('"') {
                    return Err(CsvError {
                        line: self.line,
                        message: "bare \" in non-quoted-field",
                    });
                }
                fields.push(field.to_string());
                match more {
                    Some(m) => {
                        rest = m;
                        continue 'fields;
                    }
                    None => break 'fields,
                }
            }
            // A quoted field, which may continue over several lines.
            let mut field = String::new();
            owned_rest = rest[1..].to_string();
            loop {
                if let Some(i) = owned_rest.find('"') {
                    field.push_str(&owned_rest[..i]);
                    let after = owned_rest[i + 1..].to_string();
                    if let Some(more) = after.strip_prefix('"') {
                        field.push('"');
                        owned_rest = more.to_string();
                    } else if let Some(more) = after.strip_prefix(',') {
                        fields.push(field);
                        line = more.to_string();
                        rest = &line;
                        continue 'fields;
                    } else if after.is_empty() || after == "\n" {
                        fields.push(field);
                        break 'fields;
                    } else {
                        return Err(CsvError {
                            line: self.line,
                            message: "extraneous or missing \" in quoted-field",
                        });
                    }
                } else if !owned_rest.is_empty() {
                    field.push_str(&owned_rest);
                    owned_rest = self.read_line().unwrap_or_default();
                } else {
                    return Err(CsvError {
                        line: self.line,
                        message: "extraneous or missing \" in quoted-field",
                    });
                }
            }
        }
        match self.fields_per_record {
            Some(n) if n != fields.len() => Err(CsvError {
                line: record_line,
                message: "wrong number of fields",
            }),
            Some(_) => Ok(Some(fields)),
            None => {
                self.fields_per_record = Some(fields.len());
                Ok(Some(fields))
            }
        }
    }
}

fn csvdecode(_: &FnContext, args: &[Value]) -> FnResult {
    let mut reader = CsvReader::new(str_arg(args, 0));
    let headers = reader
        .read_record()
        .map_err(|e| FnError::new(e.text()))?
        .ok_or_else(|| FnError::new("missing header line"))?;
    let mut attr_types = BTreeMap::new();
    for name in &headers {
        if attr_types.insert(name.clone(), Type::String).is_some() {
            return Err(FnError::new(format!("duplicate column name {name:?}")));
        }
    }
    let mut rows = Vec::new();
    while let Some(fields) = reader.read_record().map_err(|e| FnError::new(e.text()))? {
        let attrs = headers
            .iter()
            .cloned()
            .zip(fields.into_iter().map(Value::string))
            .collect();
        rows.push(Value::object(attrs));
    }
    Ok(Value::list(Type::object(attr_types), rows))
}

// ---------------------------------------------------------------------------------------
// JSON

/// Go's `json.Marshal` text for a string: HTML-sensitive characters and U+2028/U+2029
/// escaped, control characters as `\u00XX` except `\n`, `\r` and `\t`.
pub(super) fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn json_encode_value(v: &Value, out: &mut String) -> Result<(), String> {
    match v {
        Value::Null(_) => out.push_str("null"),
        Value::Unknown(_) => return Err("value is not known".into()),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if n.is_infinite() {
                return Err("cannot serialize infinity as JSON".into());
            }
            out.push_str(&n.to_string());
        }
        Value::String(s) => json_string(s, out),
        Value::List(_, items) | Value::Set(_, items) | Value::Tuple(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_encode_value(item, out)?;
            }
            out.push(']');
        }
        Value::Map(_, attrs) | Value::Object(attrs) => {
            out.push('{');
            for (i, (k, item)) in attrs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(k, out);
                out.push(':');
                json_encode_value(item, out)?;
            }
            out.push('}');
        }
        Value::Sensitive(inner) => json_encode_value(inner, out)?,
    }
    Ok(())
}

/// A string as Go's `json.Marshal` writes it.
pub(super) fn json_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    json_string(s, &mut out);
    out
}

/// A wholly known value as cty's JSON encoding writes it (objects and maps sorted by key).
pub(super) fn json_text(v: &Value) -> Result<String, String> {
    let mut out = String::new();
    json_encode_value(v, &mut out)?;
    Ok(out)
}

fn jsonencode(_: &FnContext, args: &[Value]) -> FnResult {
    let v = args.first().cloned().unwrap_or(Value::Null(Type::Dynamic));
    if !v.is_wholly_known() {
        return Ok(Value::Unknown(Type::String));
    }
    let mut out = String::new();
    json_encode_value(&v, &mut out).map_err(FnError::new)?;
    Ok(Value::string(out))
}

/// Where Go's JSON token decoder is within the structure it reads.
#[derive(Clone, Copy, PartialEq, Debug)]
enum JsonState {
    TopValue,
    ArrayStart,
    ArrayValue,
    ArrayComma,
    ObjectStart,
    ObjectKey,
    ObjectColon,
    ObjectValue,
    ObjectComma,
}

#[derive(Debug)]
enum JsonToken {
    Open(u8),
    Close(u8),
    Str(String),
    Num(String),
    Bool(bool),
    Null,
}

/// A reader with the behaviour of Go's `json.Decoder.Token`, which Terraform's `jsondecode`
/// uses: the same accepted inputs and the same error messages.
struct JsonDecoder<'a> {
    buf: &'a [u8],
    pos: usize,
    state: JsonState,
    stack: Vec<JsonState>,
}

/// Go's `quoteChar`: a byte as it appears in JSON syntax errors.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".into(),
        b'"' => "'\"'".into(),
        _ => {
            let quoted = super::string::go_quote(&char::from(c).to_string());
            format!("'{}'", &quoted[1..quoted.len() - 1])
        }
    }
}

fn json_syntax(c: u8, context: &str) -> String {
    format!("invalid character {}{context}", quote_char(c))
}

const UNEXPECTED_EOF: &str = "unexpected EOF";

/// How deeply arrays and objects may nest in decoded JSON or YAML. Go's decoder has no such
/// limit on this path, but values nested deeper than this would exhaust the stack of the
/// recursive code that handles values.
pub(super) const MAX_NESTING: usize = 1000;

impl<'a> JsonDecoder<'a> {
    fn new(text: &'a str) -> Self {
        JsonDecoder {
            buf: text.as_bytes(),
            pos: 0,
            state: JsonState::TopValue,
            stack: Vec::new(),
        }
    }

    fn peek(&mut self) -> Option<u8> {
        while let Some(&c) = self.buf.get(self.pos) {
            if matches!(c, b' ' | b'\t' | b'\r' | b'\n') {
                self.pos += 1;
            } else {
                return Some(c);
            }
        }
        None
    }

    /// Go's `Decoder.More`.
    fn more(&mut self) -> bool {
        self.peek().is_some_and(|c| c != b']' && c != b'}')
    }

    fn value_allowed(&self) -> bool {
        use JsonState::*;
        matches!(self.state, TopValue | ArrayStart | ArrayValue | ObjectValue)
    }

    fn value_end(&mut self) {
        use JsonState::*;
        self.state = match self.state {
            ArrayStart | ArrayValue => ArrayComma,
            ObjectValue => ObjectComma,
            s => s,
        };
    }

    fn token_error(&self, c: u8) -> String {
        use JsonState::*;
        let context = match self.state {
            TopValue | ArrayStart | ArrayValue | ObjectValue => " looking for beginning of value",
            ArrayComma => " after array element",
            ObjectKey => " looking for beginning of object key string",
            ObjectColon => " after object key",
            ObjectComma => " after object key:value pair",
            ObjectStart => "",
        };
        json_syntax(c, context)
    }

    fn token(&mut self) -> Result<JsonToken, String> {
        use JsonState::*;
        loop {
            let c = self.peek().ok_or("EOF")?;
            match c {
                b'[' | b'{' => {
                    if !self.value_allowed() {
                        return Err(self.token_error(c));
                    }
                    if self.stack.len() >= MAX_NESTING {
                        return Err("exceeded max depth".into());
                    }
                    self.pos += 1;
                    self.stack.push(self.state);
                    self.state = if c == b'[' { ArrayStart } else { ObjectStart };
                    return Ok(JsonToken::Open(c));
                }
                b']' | b'}' => {
                    let ok = if c == b']' {
                        matches!(self.state, ArrayStart | ArrayComma)
                    } else {
                        matches!(self.state, ObjectStart | ObjectComma)
                    };
                    if !ok {
                        return Err(self.token_error(c));
                    }
                    self.pos += 1;
                    self.state = self.stack.pop().unwrap_or(TopValue);
                    self.value_end();
                    return Ok(JsonToken::Close(c));
                }
                b':' => {
                    if self.state != ObjectColon {
                        return Err(self.token_error(c));
                    }
                    self.pos += 1;
                    self.state = ObjectValue;
                }
                b',' => {
                    self.state = match self.state {
                        ArrayComma => ArrayValue,
                        ObjectComma => ObjectKey,
                        _ => return Err(self.token_error(c)),
                    };
                    self.pos += 1;
                }
                b'"' if matches!(self.state, ObjectStart | ObjectKey) => {
                    let key = self.scan_value()?;
                    self.state = ObjectColon;
                    return Ok(key);
                }
                _ => {
                    if !self.value_allowed() {
                        return Err(self.token_error(c));
                    }
                    let v = self.scan_value()?;
                    self.value_end();
                    return Ok(v);
                }
            }
        }
    }

    /// Scans one string, number or literal as Go's scanner does for a top-level value.
    fn scan_value(&mut self) -> Result<JsonToken, String> {
        let start = self.pos;
        let at = |i: usize| self.buf.get(i).copied();
        let c = at(start).ok_or(UNEXPECTED_EOF)?;
        match c {
            b'"' => {
                let mut i = start + 1;
                loop {
                    let c = at(i).ok_or(UNEXPECTED_EOF)?;
                    match c {
                        b'"' => break,
                        b'\\' => {
                            let e = at(i + 1).ok_or(UNEXPECTED_EOF)?;
                            match e {
                                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                                b'u' => {
                                    for k in 0..4 {
                                        let h = at(i + 2 + k).ok_or(UNEXPECTED_EOF)?;
                                        if !h.is_ascii_hexdigit() {
                                            return Err(json_syntax(
                                                h,
                                                " in \\u hexadecimal character escape",
                                            ));
                                        }
                                    }
                                    i += 6;
                                }
                                _ => return Err(json_syntax(e, " in string escape code")),
                            }
                        }
                        c if c < 0x20 => return Err(json_syntax(c, " in string literal")),
                        _ => i += 1,
                    }
                }
                self.pos = i + 1;
                Ok(JsonToken::Str(unquote_json(&self.buf[start + 1..i])))
            }
            b'-' | b'0'..=b'9' => {
                let mut i = start;
                if c == b'-' {
                    i += 1;
                    match at(i) {
                        None => return Err(UNEXPECTED_EOF.into()),
                        Some(d) if d.is_ascii_digit() => {}
                        Some(d) => return Err(json_syntax(d, " in numeric literal")),
                    }
                }
                if at(i) == Some(b'0') {
                    i += 1;
                } else {
                    while at(i).is_some_and(|d| d.is_ascii_digit()) {
                        i += 1;
                    }
                }
                if at(i) == Some(b'.') {
                    i += 1;
                    match at(i) {
                        None => return Err(UNEXPECTED_EOF.into()),
                        Some(d) if d.is_ascii_digit() => {}
                        Some(d) => {
                            return Err(json_syntax(d, " after decimal point in numeric literal"))
                        }
                    }
                    while at(i).is_some_and(|d| d.is_ascii_digit()) {
                        i += 1;
                    }
                }
                if matches!(at(i), Some(b'e' | b'E')) {
                    i += 1;
                    if matches!(at(i), Some(b'+' | b'-')) {
                        i += 1;
                    }
                    match at(i) {
                        None => return Err(UNEXPECTED_EOF.into()),
                        Some(d) if d.is_ascii_digit() => {}
                        Some(d) => return Err(json_syntax(d, " in exponent of numeric literal")),
                    }
                    while at(i).is_some_and(|d| d.is_ascii_digit()) {
                        i += 1;
                    }
                }
                self.pos = i;
                Ok(JsonToken::Num(
                    String::from_utf8_lossy(&self.buf[start..i]).into_owned(),
                ))
            }
            b't' | b'f' | b'n' => {
                let (word, token, name) = match c {
                    b't' => ("true", JsonToken::Bool(true), "true"),
                    b'f' => ("false", JsonToken::Bool(false), "false"),
                    _ => ("null", JsonToken::Null, "null"),
                };
                for (k, expected) in word.bytes().enumerate().skip(1) {
                    let got = at(start + k).ok_or(UNEXPECTED_EOF)?;
                    if got != expected {
                        return Err(json_syntax(
                            got,
                            &format!(" in literal {name} (expecting {})", quote_char(expected)),
                        ));
                    }
                }
                self.pos = start + word.len();
                Ok(token)
            }
            _ => Err(json_syntax(c, " looking for beginning of value")),
        }
    }

    /// Reads one whole value (after its first token) into a Terraform value: objects and
    /// tuples, 512-bit numbers, nulls of unknown type.
    fn value_from(&mut self, token: JsonToken) -> Result<Value, String> {
        match token {
            JsonToken::Null => Ok(Value::Null(Type::Dynamic)),
            JsonToken::Bool(b) => Ok(Value::Bool(b)),
            JsonToken::Str(s) => Ok(Value::string(s)),
            JsonToken::Num(text) => Number::parse(&text)
                .map(Value::number)
                .ok_or_else(|| format!("failed to parse number {text:?}")),
            JsonToken::Open(b'[') => {
                let mut items = Vec::new();
                loop {
                    match self.token()? {
                        JsonToken::Close(_) => return Ok(Value::tuple(items)),
                        t => items.push(self.value_from(t)?),
                    }
                }
            }
            JsonToken::Open(_) => {
                let mut attrs = BTreeMap::new();
                loop {
                    match self.token()? {
                        JsonToken::Close(_) => return Ok(Value::object(attrs)),
                        JsonToken::Str(key) => {
                            let t = self.token()?;
                            let v = self.value_from(t)?;
                            attrs.insert(key, v);
                        }
                        other => return Err(format!("expected string but found {other:?}")),
                    }
                }
            }
            JsonToken::Close(c) => Err(format!("unexpected token {:?}", char::from(c))),
        }
    }
}

/// The text of a JSON string body, escapes resolved as Go resolves them (a lone surrogate
/// becomes U+FFFD).
fn unquote_json(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let hex4 = |chars: &mut std::iter::Peekable<std::str::Chars>| -> Option<u32> {
        let s: String = (0..4).filter_map(|_| chars.next()).collect();
        u32::from_str_radix(&s, 16).ok()
    };
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('u') => {
                let unit = hex4(&mut chars).unwrap_or(0xfffd);
                if (0xd800..0xe000).contains(&unit) {
                    let mut lookahead = chars.clone();
                    let paired = if lookahead.next() == Some('\\') && lookahead.next() == Some('u')
                    {
                        hex4(&mut lookahead)
                            .filter(|lo| (0xdc00..0xe000).contains(lo) && unit < 0xdc00)
                    } else {
                        None
                    };
                    match paired {
                        Some(lo) => {
                            chars = lookahead;
                            let code = 0x10000 + ((unit - 0xd800) << 10) + (lo - 0xdc00);
                            out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                        }
                        None => out.push('\u{fffd}'),
                    }
                } else {
                    out.push(char::from_u32(unit).unwrap_or('\u{fffd}'));
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

fn jsondecode(_: &FnContext, args: &[Value]) -> FnResult {
    let mut decoder = JsonDecoder::new(str_arg(args, 0));
    let first = decoder.token().map_err(FnError::new)?;
    let value = decoder.value_from(first).map_err(FnError::new)?;
    if decoder.more() {
        return Err(FnError::new("extraneous data after JSON object"));
    }
    Ok(value)
}

#[cfg(test)]
mod tests;
