//! The data sources: `tls_public_key` (public key attributes of a PEM or OpenSSH private
//! key) and `tls_certificate` (certificate details from `content`; fetching from a `url`
//! is not supported by this native provider).

use crate::gocompat::{hash_for_state, pem_encode};
use crate::keys::{
    self, public_key_attributes, PrivateKey, OID_EC_PUBLIC_KEY, OID_ED25519, OID_RSA_ENCRYPTION,
};
use crate::schema::{certificate_object_type, CERTIFICATE, PUBLIC_KEY};
use crate::values::{get_str, is_null, string, with_attr};
use crate::x509::{self, ParsedCertificate};
use chrono::{DateTime, Utc};
use der::asn1::ObjectIdentifier;
use der::Encode;
use sha1::{Digest, Sha1};
use std::collections::BTreeMap;
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::provider::framework;
use terrane_engine::provider::framework::go_quote;
use terrane_engine::value::{Type, Value};

/// The configuration checks the schema's validators make.
pub(crate) fn validate(type_name: &str, config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    match type_name {
        PUBLIC_KEY => framework::exactly_one_of(
            config,
            &["private_key_pem", "private_key_openssh"],
            &mut diags,
        ),
        CERTIFICATE => {
            if let Some(url) = get_str(config, "url") {
                check_url(url, &["https", "tls"], &mut diags);
            }
            framework::exactly_one_of(config, &["content", "url"], &mut diags);
            framework::conflicts_with(config, "verify_chain", &["content"], &mut diags);
        }
        _ => {}
    }
    diags
}

/// The provider's `UrlWithScheme` validator.
pub(crate) fn check_url(url: &str, schemes: &[&str], diags: &mut Diagnostics) {
    let (scheme, rest) = match url.split_once(':') {
        Some((scheme, rest))
            if !scheme.is_empty()
                && scheme
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            (scheme.to_ascii_lowercase(), rest)
        }
        _ => (String::new(), url),
    };
    let host = rest
        .strip_prefix("//")
        .map(|authority| {
            let authority = authority.split(['/', '?', '#']).next().unwrap_or("");
            authority.rsplit('@').next().unwrap_or("").to_string()
        })
        .unwrap_or_default();
    if host.is_empty() {
        diags.push(Diagnostic::error(
            "Invalid URL",
            format!("URL {} contains no host", go_quote(url)),
        ));
        return;
    }
    if !schemes.contains(&scheme.as_str()) {
        let quoted: Vec<String> = schemes.iter().map(|s| go_quote(s)).collect();
        diags.push(Diagnostic::error(
            "Invalid URL scheme",
            format!(
                "URL {} expected to use scheme from [{}], got: {}",
                go_quote(url),
                quoted.join(" "),
                go_quote(&scheme)
            ),
        ));
    }
}

fn unknown_computed(config: &Value, computed: &[(&str, Type)]) -> Value {
    computed.iter().fold(config.clone(), |state, (name, ty)| {
        with_attr(&state, name, Value::Unknown(ty.clone()))
    })
}

fn read_public_key(config: &Value) -> Result<Value, Diagnostics> {
    if !config.is_wholly_known() {
        let computed: Vec<(&str, Type)> = [
            "algorithm",
            "public_key_pem",
            "public_key_openssh",
            "public_key_fingerprint_md5",
            "public_key_fingerprint_sha256",
            "id",
        ]
        .into_iter()
        .map(|n| (n, Type::String))
        .collect();
        return Ok(unknown_computed(config, &computed));
    }
    let key = if let Some(pem) = get_str(config, "private_key_pem") {
        PrivateKey::parse_pem(pem)
    } else if let Some(openssh) = get_str(config, "private_key_openssh") {
        PrivateKey::parse_openssh(openssh).map_err(|e| format!("failed to parse openssh private key: {e}"))
    } else {
        return Err(Diagnostic::error(
            "Invalid Attribute Combination",
            "No attribute specified when one (and only one) of [private_key_pem,private_key_openssh] is required",
        )
        .into());
    }
    .map_err(|e| Diagnostic::error("Unable to parse private key", e))?;
    let public = public_key_attributes(&key)
        .map_err(|e| Diagnostic::error("Failed to marshal public key", e))?;
    let mut state = with_attr(config, "algorithm", string(key.algorithm()));
    state = with_attr(&state, "id", string(public.id));
    state = with_attr(&state, "public_key_pem", string(public.public_key_pem));
    state = with_attr(
        &state,
        "public_key_openssh",
        string(public.public_key_openssh),
    );
    state = with_attr(
        &state,
        "public_key_fingerprint_md5",
        string(public.public_key_fingerprint_md5),
    );
    Ok(with_attr(
        &state,
        "public_key_fingerprint_sha256",
        string(public.public_key_fingerprint_sha256),
    ))
}

/// Go's `x509.SignatureAlgorithm.String()` for a certificate's signature algorithm.
fn signature_algorithm_name(cert: &ParsedCertificate) -> String {
    let algorithm = &cert.certificate.signature_algorithm;
    let oid = algorithm.oid.to_string();
    let name = match oid.as_str() {
        "1.2.840.113549.1.1.2" => "MD2-RSA",
        "1.2.840.113549.1.1.4" => "MD5-RSA",
        "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => "SHA1-RSA",
        "1.2.840.113549.1.1.11" => "SHA256-RSA",
        "1.2.840.113549.1.1.12" => "SHA384-RSA",
        "1.2.840.113549.1.1.13" => "SHA512-RSA",
        "1.2.840.10040.4.3" => "DSA-SHA1",
        "2.16.840.1.101.3.4.3.2" => "DSA-SHA256",
        "1.2.840.10045.4.1" => "ECDSA-SHA1",
        "1.2.840.10045.4.3.2" => "ECDSA-SHA256",
        "1.2.840.10045.4.3.3" => "ECDSA-SHA384",
        "1.2.840.10045.4.3.4" => "ECDSA-SHA512",
        "1.3.101.112" if algorithm.parameters.is_none() => "Ed25519",
        "1.2.840.113549.1.1.10" => {
            let params = algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.to_der().ok())
                .unwrap_or_default();
            let has = |hash: &str| {
                ObjectIdentifier::new(hash)
                    .ok()
                    .and_then(|oid| oid.to_der().ok())
                    .is_some_and(|der| params.windows(der.len()).any(|w| w == der.as_slice()))
            };
            if has("2.16.840.1.101.3.4.2.1") {
                "SHA256-RSAPSS"
            } else if has("2.16.840.1.101.3.4.2.2") {
                "SHA384-RSAPSS"
            } else if has("2.16.840.1.101.3.4.2.3") {
                "SHA512-RSAPSS"
            } else {
                "0"
            }
        }
        _ => "0",
    };
    name.to_string()
}

/// Go's `x509.PublicKeyAlgorithm.String()`.
fn public_key_algorithm_name(cert: &ParsedCertificate) -> &'static str {
    let oid = cert.public_key.algorithm.oid;
    if oid == OID_RSA_ENCRYPTION {
        "RSA"
    } else if oid == OID_EC_PUBLIC_KEY {
        "ECDSA"
    } else if oid == OID_ED25519 {
        "Ed25519"
    } else if oid.to_string() == "1.2.840.10040.4.1" {
        "DSA"
    } else {
        "0"
    }
}

/// Go's RFC 3339 text of a certificate time (always UTC).
fn certificate_time(time: &x509_cert::time::Time) -> String {
    let seconds = time.to_unix_duration().as_secs();
    DateTime::<Utc>::from_timestamp(i64::try_from(seconds).unwrap_or(i64::MAX), 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// One certificate as the data source reports it, and its `%v` text for the id.
fn certificate_model(cert: &ParsedCertificate) -> Result<(Value, String), String> {
    let tbs = &cert.certificate.tbs_certificate;
    let serial = num_bigint::BigInt::from_signed_bytes_be(tbs.serial_number.as_bytes()).to_string();
    let version = tbs.version as i64 + 1;
    let issuer = x509::go_name_string(&tbs.issuer)?;
    let subject = x509::go_name_string(&tbs.subject)?;
    let not_before = certificate_time(&tbs.validity.not_before);
    let not_after = certificate_time(&tbs.validity.not_after);
    let fingerprint: String = Sha1::digest(&cert.der)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let cert_pem = pem_encode(keys::PEM_CERTIFICATE, &cert.der);
    let signature_algorithm = signature_algorithm_name(cert);
    let public_key_algorithm = public_key_algorithm_name(cert);
    let text = format!(
        "{{{} {} {} {} {} {} {} {} {} {} {} {}}}",
        go_quote(&signature_algorithm),
        go_quote(public_key_algorithm),
        go_quote(&serial),
        cert.is_ca,
        cert.max_path_length,
        version,
        go_quote(&issuer),
        go_quote(&subject),
        go_quote(&not_before),
        go_quote(&not_after),
        go_quote(&fingerprint),
        go_quote(&cert_pem),
    );
    let attrs: BTreeMap<String, Value> = [
        ("signature_algorithm", string(signature_algorithm)),
        ("public_key_algorithm", string(public_key_algorithm)),
        ("serial_number", string(serial)),
        ("is_ca", Value::Bool(cert.is_ca)),
        ("max_path_length", Value::int(cert.max_path_length)),
        ("version", Value::int(version)),
        ("issuer", string(issuer)),
        ("subject", string(subject)),
        ("not_before", string(not_before)),
        ("not_after", string(not_after)),
        ("sha1_fingerprint", string(fingerprint)),
        ("cert_pem", string(cert_pem)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    Ok((Value::object(attrs), text))
}

fn read_certificate(config: &Value) -> Result<Value, Diagnostics> {
    if !config.is_wholly_known() {
        return Ok(unknown_computed(
            config,
            &[
                ("id", Type::String),
                ("certificates", Type::list(certificate_object_type())),
                ("verify_chain", Type::Bool),
            ],
        ));
    }
    let mut state = config.clone();
    if is_null(config, "verify_chain") {
        state = with_attr(&state, "verify_chain", Value::Bool(true));
    }
    let Some(content) = get_str(config, "content") else {
        if let Some(url) = get_str(config, "url") {
            return Err(Diagnostic::error(
                "Fetching certificates is not supported",
                format!(
                    "This native tls provider reads certificates from `content` only and cannot fetch them from {}. \
                     Read the certificate some other way and pass it as `content`.",
                    go_quote(url)
                ),
            )
            .into());
        }
        return Err(Diagnostic::error(
            "Invalid Attribute Combination",
            "No attribute specified when one (and only one) of [content,url] is required",
        )
        .into());
    };
    let block = pem::parse(content).map_err(|_| {
        Diagnostic::error(
            "Failed to decoded PEM",
            "Value is not a valid PEM encoding of a certificate",
        )
    })?;
    let known = [
        keys::PEM_PUBLIC_KEY,
        keys::PEM_PRIVATE_KEY_PKCS8,
        keys::PEM_PRIVATE_KEY_RSA,
        keys::PEM_PRIVATE_KEY_EC,
        keys::PEM_CERTIFICATE,
        keys::PEM_CERTIFICATE_REQUEST,
    ];
    if !known.contains(&block.tag()) {
        return Err(Diagnostic::error(
            "Failed to identify PEM preamble",
            format!("unsupported PEM preamble/type: {}", block.tag()),
        )
        .into());
    }
    if block.tag() != keys::PEM_CERTIFICATE {
        return Err(Diagnostic::error(
            "Unexpected PEM preamble",
            format!(
                "Certificate PEM should be {}, got {}",
                go_quote(keys::PEM_CERTIFICATE),
                go_quote(block.tag())
            ),
        )
        .into());
    }
    let cert = x509::parse_certificate_der(block.contents())
        .map_err(|e| Diagnostic::error("Unable to parse certificate", e))?;
    let (model, text) = certificate_model(&cert)
        .map_err(|e| Diagnostic::error("Unable to parse certificate", e))?;
    state = with_attr(
        &state,
        "certificates",
        Value::list(certificate_object_type(), vec![model]),
    );
    Ok(with_attr(
        &state,
        "id",
        string(hash_for_state(format!("[{text}]").as_bytes())),
    ))
}

pub(crate) fn read(type_name: &str, config: &Value) -> Result<Value, Diagnostics> {
    match type_name {
        PUBLIC_KEY => read_public_key(config),
        CERTIFICATE => read_certificate(config),
        other => Err(Diagnostic::error(
            "Unknown data source",
            format!("The tls provider has no data source {other:?}."),
        )
        .into()),
    }
}
