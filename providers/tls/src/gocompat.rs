//! Small pieces of Go's standard library whose exact output the upstream provider exposes:
//! `strings.TrimSpace`, `encoding/pem` encoding, and the RFC 3339 timestamps
//! `time.Time.MarshalText` writes and `time.Parse(time.RFC3339, ...)` reads (`strconv.Quote`
//! is the engine's `framework::go_quote`).

use chrono::{DateTime, FixedOffset, Timelike};
use sha1::{Digest, Sha1};
use terrane_engine::provider::framework::go_quote;

/// The first character of `bytes` and its length in bytes, if they start with valid UTF-8.
fn first_char(bytes: &[u8]) -> Option<(char, usize)> {
    (1..=bytes.len().min(4)).find_map(|len| {
        std::str::from_utf8(&bytes[..len])
            .ok()
            .and_then(|s| s.chars().next().map(|c| (c, len)))
    })
}

/// The last character of `bytes` and its length in bytes, if they end with valid UTF-8.
fn last_char(bytes: &[u8]) -> Option<(char, usize)> {
    (1..=bytes.len().min(4)).find_map(|len| {
        std::str::from_utf8(&bytes[bytes.len() - len..])
            .ok()
            .and_then(|s| s.chars().next_back().map(|c| (c, len)))
    })
}

/// Go's `strings.TrimSpace` on arbitrary bytes: strips leading and trailing Unicode white
/// space, stopping at bytes that are not valid UTF-8.
pub(crate) fn go_trim_space(mut bytes: &[u8]) -> &[u8] {
    while let Some((c, len)) = first_char(bytes) {
        if !c.is_whitespace() {
            break;
        }
        bytes = &bytes[len..];
    }
    while let Some((c, len)) = last_char(bytes) {
        if !c.is_whitespace() {
            break;
        }
        bytes = &bytes[..bytes.len() - len];
    }
    bytes
}

/// The provider's `hashForState`: hex SHA-1 of the trimmed value, empty for an empty value.
pub(crate) fn hash_for_state(value: &[u8]) -> String {
    if value.is_empty() {
        return String::new();
    }
    Sha1::digest(go_trim_space(value))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A PEM block as Go's `pem.EncodeToMemory` writes it: 64-column base64 and `\n` line ends.
pub(crate) fn pem_encode(tag: &str, der: &[u8]) -> String {
    pem::encode_config(
        &pem::Pem::new(tag, der),
        pem::EncodeConfig::new()
            .set_line_ending(pem::LineEnding::LF)
            .set_line_wrap(64),
    )
}

/// A time as Go's `time.Time.MarshalText` writes it (RFC 3339 with nanoseconds, trailing
/// zeros dropped, `Z` for UTC).
pub(crate) fn go_time_text(time: &DateTime<FixedOffset>) -> String {
    let mut text = time.format("%Y-%m-%dT%H:%M:%S").to_string();
    let nanos = time.nanosecond() % 1_000_000_000;
    if nanos > 0 {
        let fraction = format!("{nanos:09}");
        text.push('.');
        text.push_str(fraction.trim_end_matches('0'));
    }
    if time.offset().local_minus_utc() == 0 {
        text.push('Z');
    } else {
        text.push_str(&time.format("%:z").to_string());
    }
    text
}

/// Parses a timestamp as `time.Parse(time.RFC3339, text)` does, with Go's error text.
pub(crate) fn parse_go_rfc3339(text: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(text).map_err(|_| {
        format!(
            "parsing time {} as \"2006-01-02T15:04:05Z07:00\": cannot parse {} as \"2006\"",
            go_quote(text),
            go_quote(text)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_space_follows_go() {
        assert_eq!(go_trim_space(b" \t a b \n"), b"a b");
        assert_eq!(go_trim_space("\u{a0}x\u{2003}".as_bytes()), b"x");
        assert_eq!(go_trim_space(b"\xff \x01 "), b"\xff \x01");
        assert_eq!(hash_for_state(b""), "");
        assert_eq!(
            hash_for_state(b" abc\n"),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
    }

    #[test]
    fn time_text_follows_go() {
        let t = DateTime::parse_from_rfc3339("2024-03-01T10:20:30.123400+02:00").unwrap();
        assert_eq!(go_time_text(&t), "2024-03-01T10:20:30.1234+02:00");
        let t = DateTime::parse_from_rfc3339("2024-03-01T10:20:30Z").unwrap();
        assert_eq!(go_time_text(&t), "2024-03-01T10:20:30Z");
    }

    #[test]
    fn pem_encoding_follows_go() {
        let text = pem_encode("TEST", &[0u8; 60]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "-----BEGIN TEST-----");
        assert_eq!(lines[1].len(), 64);
        assert_eq!(lines[3], "-----END TEST-----");
        assert!(text.ends_with("-----\n"));
    }
}
