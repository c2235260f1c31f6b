//! Built-in functions: crypto family (hashes of strings and files, `bcrypt`, `uuid`,
//! `uuidv5`, `rsadecrypt`).
//!
//! Hashing uses the RustCrypto crates (`md-5`, `sha1`, `sha2`), `bcrypt` the `bcrypt` crate
//! (formatted as `$2a$` like Go's), UUIDs the `uuid` crate and `rsadecrypt` the `rsa` crate;
//! file hashes read through [`FnContext::files`].

use super::filesystem::read_file_raw;
use super::{string_return, FnContext, FnError, FnResult, Param, Registry};
use crate::value::{Type, Value};
use base64::Engine as _;
use sha2::Digest;

pub(super) fn register(r: &mut Registry) {
    let str_param = || vec![Param::new("str", Type::String)];
    let path_param = || vec![Param::new("path", Type::String)];
    r.add("md5", str_param(), string_return, |_, a| {
        Ok(hash_string(a, md5_hex))
    });
    r.add("sha1", str_param(), string_return, |_, a| {
        Ok(hash_string(a, sha1_hex))
    });
    r.add("sha256", str_param(), string_return, |_, a| {
        Ok(hash_string(a, sha256_hex))
    });
    r.add("sha512", str_param(), string_return, |_, a| {
        Ok(hash_string(a, sha512_hex))
    });
    r.add("base64sha256", str_param(), string_return, |_, a| {
        Ok(hash_string(a, sha256_b64))
    });
    r.add("base64sha512", str_param(), string_return, |_, a| {
        Ok(hash_string(a, sha512_b64))
    });
    r.add("filemd5", path_param(), string_return, |c, a| {
        hash_file(c, a, md5_hex)
    });
    r.add("filesha1", path_param(), string_return, |c, a| {
        hash_file(c, a, sha1_hex)
    });
    r.add("filesha256", path_param(), string_return, |c, a| {
        hash_file(c, a, sha256_hex)
    });
    r.add("filesha512", path_param(), string_return, |c, a| {
        hash_file(c, a, sha512_hex)
    });
    r.add("filebase64sha256", path_param(), string_return, |c, a| {
        hash_file(c, a, sha256_b64)
    });
    r.add("filebase64sha512", path_param(), string_return, |c, a| {
        hash_file(c, a, sha512_b64)
    });
    r.add_variadic(
        "bcrypt",
        str_param(),
        Param::new("cost", Type::Number),
        string_return,
        bcrypt,
    );
    r.add("uuid", vec![], string_return, uuid_v4);
    r.add(
        "uuidv5",
        vec![
            Param::new("namespace", Type::String),
            Param::new("name", Type::String),
        ],
        string_return,
        uuid_v5,
    );
    r.add(
        "rsadecrypt",
        vec![
            Param::new("ciphertext", Type::String),
            Param::new("privatekey", Type::String),
        ],
        string_return,
        rsa_decrypt,
    );
}

fn str_arg(args: &[Value], i: usize) -> &str {
    args.get(i).and_then(Value::as_str).unwrap_or_default()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn md5_hex(data: &[u8]) -> String {
    hex(&md5::Md5::digest(data))
}
fn sha1_hex(data: &[u8]) -> String {
    hex(&sha1::Sha1::digest(data))
}
fn sha256_hex(data: &[u8]) -> String {
    hex(&sha2::Sha256::digest(data))
}
fn sha512_hex(data: &[u8]) -> String {
    hex(&sha2::Sha512::digest(data))
}
fn sha256_b64(data: &[u8]) -> String {
    b64(&sha2::Sha256::digest(data))
}
fn sha512_b64(data: &[u8]) -> String {
    b64(&sha2::Sha512::digest(data))
}

fn hash_string(args: &[Value], hash: fn(&[u8]) -> String) -> Value {
    Value::string(hash(str_arg(args, 0).as_bytes()))
}

fn hash_file(ctx: &FnContext, args: &[Value], hash: fn(&[u8]) -> String) -> FnResult {
    let bytes = read_file_raw(ctx, str_arg(args, 0)).map_err(FnError::new)?;
    Ok(Value::string(hash(&bytes)))
}

/// The message Go's cty conversion gives for a number that is not a whole `int`.
pub(super) const WHOLE_INT_REQUIRED: &str =
    "value must be a whole number, between -9223372036854775808 and 9223372036854775807";

fn bcrypt(_: &FnContext, args: &[Value]) -> FnResult {
    let mut cost: i64 = 10;
    if let Some(n) = args.get(1).and_then(Value::as_number) {
        cost = n.to_i64().ok_or_else(|| FnError::new(WHOLE_INT_REQUIRED))?;
    }
    if args.len() > 2 {
        return Err(FnError::new("bcrypt() takes no more than two arguments"));
    }
    // Go's bcrypt quietly uses its default cost for anything below the minimum.
    if cost < 4 {
        cost = 10;
    }
    let cost = u32::try_from(cost).ok().filter(|c| *c <= 31).ok_or_else(|| {
        FnError::new(format!(
            "error occured generating password crypto/bcrypt: cost {cost} is outside allowed range (4,31)"
        ))
    })?;
    let parts = ::bcrypt::hash_with_result(str_arg(args, 0), cost)
        .map_err(|e| FnError::new(format!("error occured generating password {e}")))?;
    Ok(Value::string(
        parts.format_for_version(::bcrypt::Version::TwoA),
    ))
}

fn uuid_v4(_: &FnContext, _: &[Value]) -> FnResult {
    Ok(Value::string(uuid::Uuid::new_v4().hyphenated().to_string()))
}

fn uuid_v5(_: &FnContext, args: &[Value]) -> FnResult {
    let ns_text = str_arg(args, 0);
    let namespace = match ns_text {
        "dns" => uuid::Uuid::NAMESPACE_DNS,
        "url" => uuid::Uuid::NAMESPACE_URL,
        "oid" => uuid::Uuid::NAMESPACE_OID,
        "x500" => uuid::Uuid::NAMESPACE_X500,
        _ => parse_uuid(ns_text).map_err(|e| {
            FnError::new(format!(
                "uuidv5() doesn't support namespace {ns_text} ({e})"
            ))
        })?,
    };
    let id = uuid::Uuid::new_v5(&namespace, str_arg(args, 1).as_bytes());
    Ok(Value::string(id.hyphenated().to_string()))
}

/// Parses a UUID in the forms Go's google/uuid accepts (plain 32 hex digits, hyphenated,
/// braced, or with a `urn:uuid:` prefix), with its error messages.
fn parse_uuid(text: &str) -> Result<uuid::Uuid, String> {
    let body = match text.len() {
        32 => {
            return uuid::Uuid::try_parse(text).map_err(|_| "invalid UUID format".to_string());
        }
        36 => text,
        38 => {
            if !text.starts_with('{') || !text.ends_with('}') {
                return Err("invalid UUID format".into());
            }
            &text[1..37]
        }
        45 => {
            let prefix = text.get(..9).unwrap_or_default();
            if !prefix.eq_ignore_ascii_case("urn:uuid:") {
                return Err(format!("invalid urn prefix: {prefix:?}"));
            }
            &text[9..]
        }
        n => return Err(format!("invalid UUID length: {n}")),
    };
    let bytes = body.as_bytes();
    let hyphens_ok = [8, 13, 18, 23].iter().all(|&i| bytes.get(i) == Some(&b'-'));
    let hex_ok = bytes
        .iter()
        .enumerate()
        .all(|(i, b)| [8, 13, 18, 23].contains(&i) || b.is_ascii_hexdigit());
    if !hyphens_ok || !hex_ok {
        return Err("invalid UUID format".into());
    }
    uuid::Uuid::try_parse(body).map_err(|_| "invalid UUID format".to_string())
}

fn rsa_decrypt(_: &FnContext, args: &[Value]) -> FnResult {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::pkcs8::DecodePrivateKey;
    let ciphertext_b64 = str_arg(args, 0);
    let ciphertext = base64::engine::general_purpose::STANDARD
        .decode(ciphertext_b64)
        .map_err(|_| {
            FnError::arg(
                0,
                format!(
                    "failed to decode input {ciphertext_b64:?}: cipher text must be base64-encoded"
                ),
            )
        })?;
    let (label, der) = decode_pem(str_arg(args, 1))
        .ok_or_else(|| FnError::arg(1, "invalid private key: ssh: no key found"))?;
    let key = match label.as_str() {
        "RSA PRIVATE KEY" => rsa::RsaPrivateKey::from_pkcs1_der(&der).map_err(|e| {
            FnError::arg(
                1,
                format!("invalid ASN1 data in the given private key: {e}"),
            )
        })?,
        "PRIVATE KEY" => rsa::RsaPrivateKey::from_pkcs8_der(&der).map_err(|e| {
            FnError::arg(
                1,
                format!("invalid ASN1 data in the given private key: {e}"),
            )
        })?,
        "EC PRIVATE KEY" | "DSA PRIVATE KEY" | "OPENSSH PRIVATE KEY" => {
            return Err(FnError::arg(1, "invalid private key type: not an RSA key"));
        }
        other => {
            return Err(FnError::arg(
                1,
                format!("invalid private key: ssh: unsupported key type {other:?}"),
            ));
        }
    };
    let plain = key
        .decrypt(rsa::Pkcs1v15Encrypt, &ciphertext)
        .map_err(|_| FnError::new("failed to decrypt: crypto/rsa: decryption error"))?;
    String::from_utf8(plain)
        .map(Value::string)
        .map_err(|_| FnError::new("failed to decrypt: the result is not valid UTF-8"))
}

/// Finds the first PEM block in `text`, as Go's `pem.Decode` does (text before it is
/// ignored, headers are skipped): its label and decoded body.
fn decode_pem(text: &str) -> Option<(String, Vec<u8>)> {
    let start = text.find("-----BEGIN ")?;
    let rest = &text[start + "-----BEGIN ".len()..];
    let label_end = rest.find("-----")?;
    let label = rest[..label_end].to_string();
    let body_and_end = &rest[label_end + 5..];
    let end_marker = format!("-----END {label}-----");
    let body = &body_and_end[..body_and_end.find(&end_marker)?];
    let encoded: String = body
        .lines()
        .filter(|line| !line.contains(':'))
        .flat_map(|line| line.chars().filter(|c| !c.is_whitespace()))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    Some((label, der))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::test_support::call_fn;
    use crate::functions::{call, lookup, RealFiles};

    fn s(v: &str) -> Value {
        Value::string(v)
    }

    fn call_in(dir: &std::path::Path, name: &str, args: Vec<Value>) -> FnResult {
        let ctx = FnContext {
            base_dir: dir,
            files: &RealFiles,
            plan_timestamp: "",
        };
        call(name, lookup(name).expect("function"), &ctx, args)
    }

    #[test]
    fn string_hashes() {
        let cases = [
            ("md5", "5eb63bbbe01eeed093cb22bb8f5acdc3"),
            ("sha1", "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"),
            ("sha256", "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"),
            ("sha512", "309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f"),
            ("base64sha256", "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="),
            ("base64sha512", "MJ7MSJwS1utMxA9QyQLytNDtd+5RGnx6m808qG1M2G+YndNbxf9JlnDaNCVbRbDP2DDoH2Bdz33FVC6TrpzXbw=="),
        ];
        for (name, want) in cases {
            assert_eq!(call_fn(name, vec![s("hello world")]), Ok(s(want)), "{name}");
        }
        assert_eq!(
            call_fn("md5", vec![Value::Unknown(Type::String)]),
            Ok(Value::Unknown(Type::String))
        );
        assert_eq!(
            call_fn("md5", vec![s("x").mark()]),
            Ok(s("9dd4e461268c8034f5c8564e155c67a6").mark())
        );
    }

    #[test]
    fn file_hashes() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("h.txt"), "hello world\n").unwrap();
        let cases = [
            ("filemd5", "6f5902ac237024bdd0c176cb93063dc4"),
            ("filesha1", "22596363b3de40b06f981fb85d82312e8c0ed511"),
            ("filesha256", "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"),
            ("filesha512", "db3974a97f2407b7cae1ae637c0030687a11913274d578492558e39c16c017de84eacdc8c62fe34ee4e12b4b1428817f09b6a2760c3f8a664ceae94d2434a593"),
            ("filebase64sha256", "qUiQTy8PR5uPgZdpSzAYSw0u0cHNKh7A+4XSmaGSpEc="),
            ("filebase64sha512", "2zl0qX8kB7fK4a5jfAAwaHoRkTJ01XhJJVjjnBbAF96E6s3Ixi/jTuThK0sUKIF/Cbaidgw/imZM6ulNJDSlkw=="),
        ];
        for (name, want) in cases {
            assert_eq!(
                call_in(tmp.path(), name, vec![s("h.txt")]),
                Ok(s(want)),
                "{name}"
            );
        }
        let err = call_in(std::path::Path::new("."), "filemd5", vec![s("nope")]).unwrap_err();
        assert_eq!(err.message, "open nope: no such file or directory");
    }

    #[test]
    fn uuids() {
        let v4 = call_fn("uuid", vec![]).unwrap();
        let text = v4.as_str().unwrap();
        assert_eq!(text.len(), 36);
        assert_eq!(text.as_bytes()[8], b'-');
        let v5 = |ns: &str, name: &str| call_fn("uuidv5", vec![s(ns), s(name)]);
        assert_eq!(
            v5("dns", "www.terraform.io"),
            Ok(s("a5008fae-b28c-5ba5-96cd-82b4c53552d6"))
        );
        assert_eq!(
            v5("url", "https://www.terraform.io/"),
            Ok(s("9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5"))
        );
        for ns in [
            "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
            "{6ba7b810-9dad-11d1-80b4-00c04fd430c8}",
            "urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8",
            "6ba7b8109dad11d180b400c04fd430c8",
        ] {
            assert_eq!(
                v5(ns, "x"),
                Ok(s("05b16a01-46c6-56dd-bd6e-c6dfb4a1427a")),
                "{ns}"
            );
        }
        assert_eq!(
            v5("nope", "x").unwrap_err().message,
            "uuidv5() doesn't support namespace nope (invalid UUID length: 4)"
        );
        assert_eq!(
            v5("6ba7b810-9dad-11d1-80b4-00c04fd430cx", "x").unwrap_err().message,
            "uuidv5() doesn't support namespace 6ba7b810-9dad-11d1-80b4-00c04fd430cx (invalid UUID format)"
        );
    }

    #[test]
    fn bcrypt_hashes() {
        let out = call_fn("bcrypt", vec![s("x"), Value::int(4)]).unwrap();
        let text = out.as_str().unwrap();
        assert!(text.starts_with("$2a$04$") && text.len() == 60, "{text}");
        assert!(::bcrypt::verify("x", text).unwrap());
        let low = call_fn("bcrypt", vec![s("x"), Value::int(3)]).unwrap();
        assert!(low.as_str().unwrap().starts_with("$2a$10$"));
        assert_eq!(
            call_fn("bcrypt", vec![s("x"), Value::int(32)]).unwrap_err().message,
            "error occured generating password crypto/bcrypt: cost 32 is outside allowed range (4,31)"
        );
        assert_eq!(
            call_fn("bcrypt", vec![s("x"), Value::int(4), Value::int(5)])
                .unwrap_err()
                .message,
            "bcrypt() takes no more than two arguments"
        );
        let half = Value::number(crate::number::Number::parse("4.5").unwrap());
        assert_eq!(
            call_fn("bcrypt", vec![s("x"), half]).unwrap_err().message,
            WHOLE_INT_REQUIRED
        );
    }

    const KEY_PKCS1: &str = "-----BEGIN RSA PRIVATE KEY-----
MIICXAIBAAKBgQDYRJdPHzpNuw02KiHp5m5XJ3rtfatkQISG0DnfMRXUps5RnPnh
OSD8sf2fXhfQY2b8dP3AEzisWnye1O6xRdZxCFAvzce+0keiRIb5FEoL/b6tzoab
vU6feGXKZbb5i6hQLp9e9Mmq81w7em7t422Otb1UH1fXURAaaiTmUh5H6QIDAQAB
AoGBANeQpvEqw0avZ5/RpzQph1o/8/u9A5VN6csmykh5+LSZ/5TBzyB7fTHjiFXN
yBbivchuJG/LuPWyy/zVaYYxgmgaJn8h3T9JCC/rf5orPfXFKMSldYtimlStEYEr
PvCgiE2jTd0M2ABkOg2uQjauo1otZrsNGqV5LycHp6/eLJexAkEA+9BM2JrVNQ2f
uhmO1vUTCUlitq4RpbcTEQrYKUyeTGAmks0LUjzaK2TYnS2/KcIFdEyw1/aDalcB
kLEzMQyo8wJBANvdAsstwSlyqIAtZ5BFhycYsJmt3ejbIRcWSyVLGX1aoryF5/60
FA90JEUbSme9p3GvrwlINITndwikD6fUwrMCQCdOjpBJKvrLE6HDF47qVnxenjAR
3+NUPn+sh616rkMRxzOnGhtOMGgRp9ZxK6PjC2LqDbjIXB8fUbk6T9laNo0CQE/B
xuepu26rt1B4KB9/+V1HaZj2J4/3HfPgFHZ83cxJestk0BnnfXd1rEqdccpcVEe7
cYWuec7UoKuzyDIbzl0CQGVHsVnFSbPcQayuv9O6Db2rEPpFxkZLGGaH/HbLo/UK
Bb+U7v353C7UQZKfxO2URaw6oq7jFUvrEetdK9FdhP0=
-----END RSA PRIVATE KEY-----
";
    const CIPHERTEXT: &str = "ZkvGWxOE29ekGy6jcL7IpDpA5uKi3skq1xoKJpWch+XvQMU/VqxpHM266cymbZRb9dO6tuxGf3oeIDLM3C9mhz6iHYfByK6lfAfUMK7E7PHSoN1NInUrzgncaOFPzj+SRJpqtFAWJXbmsSb7dSMMF6CKe3yk0o6C/3J4U9Lw/os=";

    #[test]
    fn rsa_decryption() {
        assert_eq!(
            call_fn("rsadecrypt", vec![s(CIPHERTEXT), s(KEY_PKCS1)]),
            Ok(s("Hello, terrane!"))
        );
        let err = call_fn("rsadecrypt", vec![s(CIPHERTEXT), s("nope")]).unwrap_err();
        assert_eq!(
            (err.arg, err.message.as_str()),
            (Some(1), "invalid private key: ssh: no key found")
        );
        let err = call_fn("rsadecrypt", vec![s("!!"), s("nope")]).unwrap_err();
        assert_eq!(
            (err.arg, err.message.as_str()),
            (
                Some(0),
                "failed to decode input \"!!\": cipher text must be base64-encoded"
            )
        );
        let err = call_fn("rsadecrypt", vec![s("AAAA"), s(KEY_PKCS1)]).unwrap_err();
        assert_eq!(
            err.message,
            "failed to decrypt: crypto/rsa: decryption error"
        );
    }
}
