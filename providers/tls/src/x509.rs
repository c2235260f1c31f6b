//! X.509 certificates and PKCS#10 requests shaped as Go's `crypto/x509` builds them for the
//! upstream provider: distinguished names (one RDN per attribute type, Go's string types
//! and order), key usages, basic constraints, key identifiers, subject alternative names,
//! and the parsing of certificates and requests the provider reads back.

use crate::gocompat::pem_encode;
use crate::keys::{self, PrivateKey};
use chrono::{DateTime, Datelike, FixedOffset, Utc};
use der::asn1::{
    Any, BitString, GeneralizedTime, Ia5String, ObjectIdentifier, OctetString, SetOfVec, UtcTime,
};
use der::{Decode, Encode, Tag, Tagged};
use spki::SubjectPublicKeyInfoOwned;
use std::net::IpAddr;
use terrane_engine::provider::framework::go_quote;
use x509_cert::attr::{Attribute, AttributeTypeAndValue};
use x509_cert::certificate::{Certificate, TbsCertificate, Version};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, ExtendedKeyUsage, SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::ext::Extension;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::request::{CertReq, CertReqInfo, ExtensionReq};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

const OID_COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const OID_SERIAL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");
const OID_COUNTRY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.6");
const OID_LOCALITY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.7");
const OID_PROVINCE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.8");
const OID_STREET_ADDRESS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.9");
const OID_ORGANIZATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
const OID_ORGANIZATIONAL_UNIT: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.11");
const OID_POSTAL_CODE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.17");
const OID_EMAIL_ADDRESS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1");

const OID_EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
const OID_EXT_EXTENDED_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
const OID_EXT_BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
const OID_EXT_SUBJECT_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
const OID_EXT_AUTHORITY_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.35");
const OID_EXT_SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
const OID_EXTENSION_REQUEST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.14");

/// The key usage flags (bit positions as in RFC 5280 and Go's `x509.KeyUsage`).
const KEY_USAGES: [(&str, u16); 9] = [
    ("digital_signature", 1 << 0),
    ("content_commitment", 1 << 1),
    ("key_encipherment", 1 << 2),
    ("data_encipherment", 1 << 3),
    ("key_agreement", 1 << 4),
    ("cert_signing", 1 << 5),
    ("crl_signing", 1 << 6),
    ("encipher_only", 1 << 7),
    ("decipher_only", 1 << 8),
];

/// The extended key usages and their OIDs.
const EXTENDED_KEY_USAGES: [(&str, &str); 14] = [
    ("any_extended", "2.5.29.37.0"),
    ("server_auth", "1.3.6.1.5.5.7.3.1"),
    ("client_auth", "1.3.6.1.5.5.7.3.2"),
    ("code_signing", "1.3.6.1.5.5.7.3.3"),
    ("email_protection", "1.3.6.1.5.5.7.3.4"),
    ("ipsec_end_system", "1.3.6.1.5.5.7.3.5"),
    ("ipsec_tunnel", "1.3.6.1.5.5.7.3.6"),
    ("ipsec_user", "1.3.6.1.5.5.7.3.7"),
    ("timestamping", "1.3.6.1.5.5.7.3.8"),
    ("ocsp_signing", "1.3.6.1.5.5.7.3.9"),
    ("microsoft_server_gated_crypto", "1.3.6.1.4.1.311.10.3.3"),
    ("netscape_server_gated_crypto", "2.16.840.1.113730.4.1"),
    (
        "microsoft_commercial_code_signing",
        "1.3.6.1.4.1.311.2.1.22",
    ),
    ("microsoft_kernel_code_signing", "1.3.6.1.4.1.311.61.1.1"),
];

/// Every value `allowed_uses` accepts, sorted.
pub(crate) fn supported_key_usages() -> Vec<&'static str> {
    let mut all: Vec<&str> = KEY_USAGES
        .iter()
        .map(|(n, _)| *n)
        .chain(EXTENDED_KEY_USAGES.iter().map(|(n, _)| *n))
        .collect();
    all.sort_unstable();
    all
}

fn der_error(e: der::Error) -> String {
    e.to_string()
}

/// A distinguished name with the fields Go's `pkix.Name` has.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct DistinguishedName {
    pub country: Vec<String>,
    pub province: Vec<String>,
    pub locality: Vec<String>,
    /// `None` when unset, to tell it apart from an empty list as Go does.
    pub street_address: Option<Vec<String>>,
    pub postal_code: Vec<String>,
    pub organization: Vec<String>,
    pub organizational_unit: Vec<String>,
    pub common_name: String,
    pub serial_number: String,
    /// The email address attribute, which Go keeps among the "extra names".
    pub email_address: Option<String>,
    /// How many attributes the name was parsed from (Go's `Names`).
    pub parsed_attributes: usize,
}

impl DistinguishedName {
    /// True for the zero name (Go's `cmp.Equal(name, pkix.Name{})`).
    pub(crate) fn is_zero(&self) -> bool {
        *self == DistinguishedName::default()
    }

    /// The name as an RDN sequence, as Go's `pkix.Name.ToRDNSequence` orders it: one RDN
    /// per attribute type holding all its values, then the extra names.
    pub(crate) fn to_name(&self) -> Result<Name, String> {
        let mut rdns = Vec::new();
        let street = self.street_address.clone().unwrap_or_default();
        let multi: [(&[String], ObjectIdentifier); 7] = [
            (&self.country, OID_COUNTRY),
            (&self.province, OID_PROVINCE),
            (&self.locality, OID_LOCALITY),
            (&street, OID_STREET_ADDRESS),
            (&self.postal_code, OID_POSTAL_CODE),
            (&self.organization, OID_ORGANIZATION),
            (&self.organizational_unit, OID_ORGANIZATIONAL_UNIT),
        ];
        for (values, oid) in multi {
            if !values.is_empty() {
                rdns.push(rdn(values.iter().map(|v| go_string_value(oid, v)))?);
            }
        }
        if !self.common_name.is_empty() {
            rdns.push(rdn([go_string_value(OID_COMMON_NAME, &self.common_name)])?);
        }
        if !self.serial_number.is_empty() {
            rdns.push(rdn([go_string_value(
                OID_SERIAL_NUMBER,
                &self.serial_number,
            )])?);
        }
        if let Some(email) = &self.email_address {
            let value = Any::new(Tag::Ia5String, email.as_bytes()).map_err(der_error)?;
            rdns.push(rdn([Ok(AttributeTypeAndValue {
                oid: OID_EMAIL_ADDRESS,
                value,
            })])?);
        }
        Ok(RdnSequence(rdns))
    }

    /// The fields Go's `pkix.Name.FillFromRDNSequence` takes from a parsed name (the email
    /// address, not being one of them, is dropped).
    fn from_name(name: &Name) -> Result<DistinguishedName, String> {
        let mut dn = DistinguishedName::default();
        for rdn in name.0.iter() {
            for atv in rdn.0.iter() {
                dn.parsed_attributes += 1;
                let value = decode_go_string(&atv.value)?;
                match atv.oid {
                    OID_COMMON_NAME => dn.common_name = value,
                    OID_SERIAL_NUMBER => dn.serial_number = value,
                    OID_COUNTRY => dn.country.push(value),
                    OID_LOCALITY => dn.locality.push(value),
                    OID_PROVINCE => dn.province.push(value),
                    OID_STREET_ADDRESS => {
                        dn.street_address.get_or_insert_with(Vec::new).push(value)
                    }
                    OID_ORGANIZATION => dn.organization.push(value),
                    OID_ORGANIZATIONAL_UNIT => dn.organizational_unit.push(value),
                    OID_POSTAL_CODE => dn.postal_code.push(value),
                    _ => {}
                }
            }
        }
        Ok(dn)
    }
}

/// One RDN from its attribute values (duplicates, which a DER SET cannot hold, collapse).
fn rdn(
    values: impl IntoIterator<Item = Result<AttributeTypeAndValue, String>>,
) -> Result<RelativeDistinguishedName, String> {
    let mut set = SetOfVec::new();
    for value in values {
        let value = value?;
        if !set.iter().any(|existing| *existing == value) {
            set.insert(value).map_err(der_error)?;
        }
    }
    Ok(RelativeDistinguishedName(set))
}

/// Whether Go's asn1 package writes `c` in a PrintableString.
fn is_go_printable(c: char) -> bool {
    c.is_ascii_alphanumeric() || " '()+,-./:=?".contains(c)
}

/// A string attribute value as Go's asn1 package marshals a Go string: PrintableString
/// when every character allows it, UTF8String otherwise.
fn go_string_value(oid: ObjectIdentifier, text: &str) -> Result<AttributeTypeAndValue, String> {
    let tag = if text.chars().all(is_go_printable) {
        Tag::PrintableString
    } else {
        Tag::Utf8String
    };
    let value = Any::new(tag, text.as_bytes()).map_err(der_error)?;
    Ok(AttributeTypeAndValue { oid, value })
}

/// Decodes a directory string as Go's x509 parser does (PrintableString, UTF8String,
/// IA5String, NumericString, T61String, BMPString).
fn decode_go_string(value: &Any) -> Result<String, String> {
    let bytes = value.value();
    let invalid =
        |what: &str| format!("x509: invalid RDNSequence: invalid attribute value: {what}");
    match value.tag() {
        Tag::PrintableString | Tag::Utf8String | Tag::Ia5String | Tag::NumericString => {
            String::from_utf8(bytes.to_vec()).map_err(|_| invalid("invalid UTF-8 string"))
        }
        Tag::TeletexString => Ok(bytes.iter().map(|&b| b as char).collect()),
        Tag::BmpString => {
            let pairs = bytes.chunks_exact(2);
            if !pairs.remainder().is_empty() {
                return Err(invalid("invalid BMPString"));
            }
            let units: Vec<u16> = pairs
                .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
                .collect();
            String::from_utf16(&units).map_err(|_| invalid("invalid BMPString"))
        }
        other => Err(invalid(&format!(
            "unsupported string type: {}",
            other.number()
        ))),
    }
}

/// The alternative names of a certificate or request.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct AltNames {
    pub dns_names: Vec<String>,
    pub email_addresses: Vec<String>,
    pub ip_addresses: Vec<IpAddr>,
    pub uris: Vec<String>,
}

impl AltNames {
    fn is_empty(&self) -> bool {
        self.dns_names.is_empty()
            && self.email_addresses.is_empty()
            && self.ip_addresses.is_empty()
            && self.uris.is_empty()
    }

    /// The subjectAltName extension value, as Go's `marshalSANs` writes it.
    fn to_der(&self) -> Result<Vec<u8>, String> {
        let ia5 = |text: &str| {
            Ia5String::new(text)
                .map_err(|_| format!("x509: {} cannot be encoded as an IA5String", go_quote(text)))
        };
        let mut names = Vec::new();
        for name in &self.dns_names {
            names.push(GeneralName::DnsName(ia5(name)?));
        }
        for email in &self.email_addresses {
            names.push(GeneralName::Rfc822Name(ia5(email)?));
        }
        for ip in &self.ip_addresses {
            let bytes = match ip {
                IpAddr::V4(v4) => v4.octets().to_vec(),
                IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                    Some(v4) => v4.octets().to_vec(),
                    None => v6.octets().to_vec(),
                },
            };
            names.push(GeneralName::IpAddress(
                OctetString::new(bytes).map_err(der_error)?,
            ));
        }
        for uri in &self.uris {
            names.push(GeneralName::UniformResourceIdentifier(ia5(uri)?));
        }
        SubjectAltName(names).to_der().map_err(der_error)
    }

    fn from_extension(value: &[u8]) -> Result<AltNames, String> {
        let san = SubjectAltName::from_der(value).map_err(der_error)?;
        let mut names = AltNames::default();
        for name in san.0 {
            match name {
                GeneralName::DnsName(s) => names.dns_names.push(s.to_string()),
                GeneralName::Rfc822Name(s) => names.email_addresses.push(s.to_string()),
                GeneralName::UniformResourceIdentifier(s) => names.uris.push(s.to_string()),
                GeneralName::IpAddress(bytes) => {
                    let bytes = bytes.as_bytes();
                    let ip = match bytes.len() {
                        4 => IpAddr::from(<[u8; 4]>::try_from(bytes).map_err(|e| e.to_string())?),
                        16 => IpAddr::from(<[u8; 16]>::try_from(bytes).map_err(|e| e.to_string())?),
                        n => return Err(format!("x509: cannot parse IP address of length {n}")),
                    };
                    names.ip_addresses.push(ip);
                }
                _ => {}
            }
        }
        Ok(names)
    }
}

/// Parses an IP address as Go's `net.ParseIP` does; the error is the provider's.
pub(crate) fn parse_ip(text: &str) -> Result<IpAddr, (String, String)> {
    text.parse::<IpAddr>().map_err(|_| {
        (
            "Invalid IP address".to_string(),
            format!("Failed to parse {}", go_quote(text)),
        )
    })
}

/// Checks a URI the way Go's `url.Parse` rejects input and returns it as `URL.String()`
/// writes it (scheme in lower case); the error is the provider's.
pub(crate) fn parse_uri(text: &str) -> Result<String, (String, String)> {
    let fail = |reason: &str| {
        (
            "Invalid URI".to_string(),
            format!(
                "Failed to parse {}: parse {}: {reason}",
                go_quote(text),
                go_quote(text)
            ),
        )
    };
    if text.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err(fail("net/url: invalid control character in URL"));
    }
    // Go validates escapes everywhere but in the query.
    let (before_fragment, fragment) = text.split_once('#').unwrap_or((text, ""));
    let without_query = before_fragment.split('?').next().unwrap_or("");
    let checked = format!("{without_query}#{fragment}");
    let bytes = checked.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = |b: Option<&u8>| b.is_some_and(u8::is_ascii_hexdigit);
            if !hex(bytes.get(i + 1)) || !hex(bytes.get(i + 2)) {
                let end = (i + 3).min(bytes.len());
                return Err(fail(&format!(
                    "invalid URL escape {}",
                    go_quote(&String::from_utf8_lossy(&bytes[i..end]))
                )));
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    let mut scheme_end = None;
    for (i, c) in text.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' => {}
            '0'..='9' | '+' | '-' | '.' if i > 0 => {}
            ':' => {
                if i == 0 {
                    return Err(fail("missing protocol scheme"));
                }
                scheme_end = Some(i);
                break;
            }
            _ => break,
        }
    }
    match scheme_end {
        Some(end) => Ok(format!(
            "{}{}",
            text[..end].to_ascii_lowercase(),
            &text[end..]
        )),
        None => {
            let path = text.split(['?', '#']).next().unwrap_or("");
            if !path.starts_with('/') && path.split('/').next().is_some_and(|s| s.contains(':')) {
                return Err(fail("first path segment in URL cannot contain colon"));
            }
            Ok(text.to_string())
        }
    }
}

/// What goes into a new certificate besides its issuer and keys.
pub(crate) struct CertificateTemplate {
    pub subject: DistinguishedName,
    pub alt_names: AltNames,
    pub validity_period_hours: i64,
    pub allowed_uses: Vec<String>,
    pub is_ca: bool,
    pub max_path_length: Option<i64>,
    pub set_subject_key_id: bool,
    pub set_authority_key_id: bool,
}

/// The issuer of a certificate being created.
pub(crate) enum Issuer<'a> {
    /// The certificate signs itself with this key.
    SelfSigned(&'a PrivateKey),
    /// A certificate authority signs it.
    Authority {
        certificate: &'a ParsedCertificate,
        key: &'a PrivateKey,
    },
}

/// A created certificate and the values the provider stores about it.
pub(crate) struct CreatedCertificate {
    pub cert_pem: String,
    /// The serial number in decimal (the resource id).
    pub serial: String,
    pub not_before: DateTime<FixedOffset>,
    pub not_after: DateTime<FixedOffset>,
}

/// The provider's error for a failure while creating a certificate: (summary, detail).
pub(crate) type CreateError = (String, String);

fn create_failure(detail: impl Into<String>) -> CreateError {
    ("Failed to create certificate".to_string(), detail.into())
}

fn x509_time(time: DateTime<Utc>) -> Result<Time, String> {
    let seconds = u64::try_from(time.timestamp())
        .map_err(|_| "x509: certificate time before 1970 cannot be encoded".to_string())?;
    let date = der::DateTime::from_unix_duration(std::time::Duration::from_secs(seconds))
        .map_err(der_error)?;
    if (1950..2050).contains(&time.year()) {
        Ok(Time::UtcTime(
            UtcTime::from_date_time(date).map_err(der_error)?,
        ))
    } else {
        Ok(Time::GeneralTime(GeneralizedTime::from_date_time(date)))
    }
}

fn extension(oid: ObjectIdentifier, critical: bool, value: Vec<u8>) -> Result<Extension, String> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value).map_err(der_error)?,
    })
}

/// The keyUsage bit string as Go writes it (bits reversed per byte, trailing zero bits
/// trimmed).
fn key_usage_value(usage: u16) -> Result<Vec<u8>, String> {
    let bytes = [
        (usage as u8).reverse_bits(),
        ((usage >> 8) as u8).reverse_bits(),
    ];
    let used = if bytes[1] != 0 {
        &bytes[..]
    } else {
        &bytes[..1]
    };
    let last = used[used.len() - 1];
    let unused = if last == 0 {
        0
    } else {
        last.trailing_zeros() as u8
    };
    BitString::new(unused, used.to_vec())
        .and_then(|b| b.to_der())
        .map_err(der_error)
}

/// The basicConstraints value: cA only when true, pathLen only when positive (Go's
/// handling of `MaxPathLen` without `MaxPathLenZero`).
fn basic_constraints_value(is_ca: bool, max_path_length: i64) -> Result<Vec<u8>, String> {
    let mut content = Vec::new();
    if is_ca {
        content.extend(true.to_der().map_err(der_error)?);
    }
    if max_path_length > 0 {
        content.extend((max_path_length as u64).to_der().map_err(der_error)?);
    }
    Any::new(Tag::Sequence, content)
        .and_then(|a| a.to_der())
        .map_err(der_error)
}

/// Creates a certificate as the provider's `createCertificate` with Go's
/// `x509.CreateCertificate` does; `now` is the start of validity, `serial` is below 2^128.
pub(crate) fn create_certificate(
    template: &CertificateTemplate,
    subject_public_key: &SubjectPublicKeyInfoOwned,
    issuer: Issuer<'_>,
    now: DateTime<FixedOffset>,
    serial: u128,
) -> Result<CreatedCertificate, CreateError> {
    let key_id_failure = |e| ("Failed to generate subject key identifier".to_string(), e);
    let mut subject_key_id = None;
    if template.is_ca {
        if template.subject.is_zero() {
            return Err((
                "Invalid Certificate Subject".to_string(),
                "Must contain at least one Distinguished Name when creating Certificate Authority (CA)"
                    .to_string(),
            ));
        }
        subject_key_id = Some(keys::subject_key_id(subject_public_key).map_err(key_id_failure)?);
    }
    if template.set_subject_key_id {
        subject_key_id = Some(keys::subject_key_id(subject_public_key).map_err(key_id_failure)?);
    }
    let parent_key_id = match &issuer {
        Issuer::SelfSigned(_) => subject_key_id.clone(),
        Issuer::Authority { certificate, .. } => certificate.subject_key_id.clone(),
    }
    .filter(|id| !id.is_empty());
    if template.set_authority_key_id && parent_key_id.is_none() {
        return Err((
            "Invalid Certificate Authority".to_string(),
            "Could not determine Authority Key Identifier".to_string(),
        ));
    }
    let key_ids = KeyIds {
        subject: subject_key_id,
        authority: parent_key_id
            .clone()
            .filter(|_| template.set_authority_key_id),
        parent: parent_key_id,
    };
    build_certificate(template, subject_public_key, &issuer, now, serial, key_ids)
        .map_err(create_failure)
}

/// The key identifiers of a certificate being built.
struct KeyIds {
    /// The subject key identifier to write.
    subject: Option<Vec<u8>>,
    /// The authority key identifier asked for explicitly.
    authority: Option<Vec<u8>>,
    /// The issuer's subject key identifier (Go uses it when issuer and subject differ).
    parent: Option<Vec<u8>>,
}

/// What Go's `x509.CreateCertificate` does with the provider's template.
fn build_certificate(
    template: &CertificateTemplate,
    subject_public_key: &SubjectPublicKeyInfoOwned,
    issuer: &Issuer<'_>,
    not_before: DateTime<FixedOffset>,
    serial: u128,
    key_ids: KeyIds,
) -> Result<CreatedCertificate, String> {
    let mut authority_key_id = key_ids.authority;
    let period = chrono::Duration::nanoseconds(
        template
            .validity_period_hours
            .wrapping_mul(3_600_000_000_000),
    );
    let not_after = not_before + period;
    let max_path_length = template.max_path_length.filter(|n| *n >= 0).unwrap_or(0);
    if !template.is_ca && max_path_length > 0 {
        return Err("x509: only CAs are allowed to specify MaxPathLen".into());
    }
    let (issuer_name, signer) = match issuer {
        Issuer::SelfSigned(key) => (template.subject.to_name()?, *key),
        Issuer::Authority { certificate, key } => {
            let ca_key = key.public_key_info()?;
            if ca_key.algorithm.oid != certificate.public_key.algorithm.oid
                || ca_key.subject_public_key != certificate.public_key.subject_public_key
            {
                return Err("x509: provided PrivateKey doesn't match parent's PublicKey".into());
            }
            (certificate.subject.clone(), *key)
        }
    };
    let subject = template.subject.to_name()?;
    if issuer_name.to_der().map_err(der_error)? != subject.to_der().map_err(der_error)? {
        if let Some(id) = key_ids.parent {
            authority_key_id = Some(id);
        }
    }

    let mut key_usage = 0u16;
    let mut extended = Vec::new();
    for usage in &template.allowed_uses {
        if let Some((_, bit)) = KEY_USAGES.iter().find(|(n, _)| n == usage) {
            key_usage |= bit;
        }
        if let Some((_, oid)) = EXTENDED_KEY_USAGES.iter().find(|(n, _)| n == usage) {
            extended.push(ObjectIdentifier::new(oid).map_err(|e| e.to_string())?);
        }
    }
    let mut extensions = Vec::new();
    if key_usage != 0 {
        extensions.push(extension(
            OID_EXT_KEY_USAGE,
            true,
            key_usage_value(key_usage)?,
        )?);
    }
    if !extended.is_empty() {
        let value = ExtendedKeyUsage(extended).to_der().map_err(der_error)?;
        extensions.push(extension(OID_EXT_EXTENDED_KEY_USAGE, false, value)?);
    }
    let constraints = basic_constraints_value(template.is_ca, max_path_length)?;
    extensions.push(extension(OID_EXT_BASIC_CONSTRAINTS, true, constraints)?);
    if let Some(id) = key_ids.subject.filter(|id| !id.is_empty()) {
        let value = SubjectKeyIdentifier(OctetString::new(id).map_err(der_error)?)
            .to_der()
            .map_err(der_error)?;
        extensions.push(extension(OID_EXT_SUBJECT_KEY_ID, false, value)?);
    }
    if let Some(id) = authority_key_id {
        let value = AuthorityKeyIdentifier {
            key_identifier: Some(OctetString::new(id).map_err(der_error)?),
            authority_cert_issuer: None,
            authority_cert_serial_number: None,
        }
        .to_der()
        .map_err(der_error)?;
        extensions.push(extension(OID_EXT_AUTHORITY_KEY_ID, false, value)?);
    }
    if !template.alt_names.is_empty() {
        // RFC 5280: the extension is critical when the subject is empty.
        let critical = subject.0.is_empty();
        extensions.push(extension(
            OID_EXT_SUBJECT_ALT_NAME,
            critical,
            template.alt_names.to_der()?,
        )?);
    }

    let signature_algorithm = signer.signature_algorithm();
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: SerialNumber::new(&serial.to_be_bytes()).map_err(der_error)?,
        signature: signature_algorithm.clone(),
        issuer: issuer_name,
        validity: Validity {
            not_before: x509_time(not_before.with_timezone(&Utc))?,
            not_after: x509_time(not_after.with_timezone(&Utc))?,
        },
        subject,
        subject_public_key_info: subject_public_key.clone(),
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    };
    let signature = signer.sign(&tbs.to_der().map_err(der_error)?)?;
    let certificate = Certificate {
        tbs_certificate: tbs,
        signature_algorithm,
        signature: BitString::from_bytes(&signature).map_err(der_error)?,
    };
    let der = certificate.to_der().map_err(der_error)?;
    Ok(CreatedCertificate {
        cert_pem: pem_encode(keys::PEM_CERTIFICATE, &der),
        serial: serial.to_string(),
        not_before,
        not_after,
    })
}

/// Creates a PKCS#10 request as Go's `x509.CreateCertificateRequest` does; returns its DER.
pub(crate) fn create_certificate_request(
    subject: &DistinguishedName,
    alt_names: &AltNames,
    key: &PrivateKey,
) -> Result<Vec<u8>, String> {
    let mut attributes = SetOfVec::new();
    if !alt_names.is_empty() {
        let san = extension(OID_EXT_SUBJECT_ALT_NAME, false, alt_names.to_der()?)?;
        let request = ExtensionReq(vec![san]).to_der().map_err(der_error)?;
        let mut values = SetOfVec::new();
        values
            .insert(Any::from_der(&request).map_err(der_error)?)
            .map_err(der_error)?;
        attributes
            .insert(Attribute {
                oid: OID_EXTENSION_REQUEST,
                values,
            })
            .map_err(der_error)?;
    }
    let info = CertReqInfo {
        version: x509_cert::request::Version::V1,
        subject: subject.to_name()?,
        public_key: key.public_key_info()?,
        attributes,
    };
    let algorithm = key.signature_algorithm();
    let signature = key.sign(&info.to_der().map_err(der_error)?)?;
    CertReq {
        info,
        algorithm,
        signature: BitString::from_bytes(&signature).map_err(der_error)?,
    }
    .to_der()
    .map_err(der_error)
}

/// Decodes the first PEM block of `text`, which must be of type `expected` (the provider's
/// `decodePEM`).
pub(crate) fn decode_pem(text: &str, expected: &str) -> Result<Vec<u8>, String> {
    let block = pem::parse(text).map_err(|_| {
        format!(
            "failed to decode PEM of expected type {} from bytes",
            go_quote(expected)
        )
    })?;
    if block.tag() != expected {
        return Err(format!(
            "invalid PEM type - expected {}, got {}",
            go_quote(expected),
            go_quote(block.tag())
        ));
    }
    Ok(block.into_contents())
}

/// What the provider reads from a certificate request.
pub(crate) struct ParsedRequest {
    pub subject: DistinguishedName,
    pub alt_names: AltNames,
    pub public_key: SubjectPublicKeyInfoOwned,
}

/// Parses a PEM certificate request (the provider's `parseCertificateRequest`).
pub(crate) fn parse_certificate_request(text: &str) -> Result<ParsedRequest, String> {
    let der = decode_pem(text, keys::PEM_CERTIFICATE_REQUEST)?;
    let fail = |e: String| format!("failed to parse certificate request: {e}");
    let request = CertReq::from_der(&der).map_err(|e| fail(e.to_string()))?;
    let subject = DistinguishedName::from_name(&request.info.subject).map_err(fail)?;
    let mut alt_names = AltNames::default();
    for attribute in request.info.attributes.iter() {
        if attribute.oid != OID_EXTENSION_REQUEST {
            continue;
        }
        for value in attribute.values.iter() {
            let extensions: ExtensionReq = value.decode_as().map_err(|e| fail(e.to_string()))?;
            for ext in extensions.0 {
                if ext.extn_id == OID_EXT_SUBJECT_ALT_NAME {
                    alt_names =
                        AltNames::from_extension(ext.extn_value.as_bytes()).map_err(fail)?;
                }
            }
        }
    }
    Ok(ParsedRequest {
        subject,
        alt_names,
        public_key: request.info.public_key,
    })
}

/// What the provider reads from a certificate.
pub(crate) struct ParsedCertificate {
    pub der: Vec<u8>,
    pub certificate: Certificate,
    pub subject: Name,
    pub subject_key_id: Option<Vec<u8>>,
    pub is_ca: bool,
    /// Go's `MaxPathLen`: 0 without basic constraints, -1 without a path length.
    pub max_path_length: i64,
    pub public_key: SubjectPublicKeyInfoOwned,
}

/// Parses one DER certificate.
pub(crate) fn parse_certificate_der(der: &[u8]) -> Result<ParsedCertificate, String> {
    let certificate = Certificate::from_der(der).map_err(der_error)?;
    let tbs = &certificate.tbs_certificate;
    let mut subject_key_id = None;
    let mut is_ca = false;
    let mut max_path_length = 0;
    for ext in tbs.extensions.iter().flatten() {
        let value = ext.extn_value.as_bytes();
        if ext.extn_id == OID_EXT_SUBJECT_KEY_ID {
            let id = OctetString::from_der(value).map_err(der_error)?;
            subject_key_id = Some(id.as_bytes().to_vec());
        } else if ext.extn_id == OID_EXT_BASIC_CONSTRAINTS {
            let (ca, path) = parse_basic_constraints(value)?;
            is_ca = ca;
            max_path_length = path;
        }
    }
    Ok(ParsedCertificate {
        der: der.to_vec(),
        subject: tbs.subject.clone(),
        subject_key_id,
        is_ca,
        max_path_length,
        public_key: tbs.subject_public_key_info.clone(),
        certificate,
    })
}

/// The cA flag and path length (-1 when absent) of a basicConstraints value.
fn parse_basic_constraints(value: &[u8]) -> Result<(bool, i64), String> {
    let sequence = Any::from_der(value).map_err(der_error)?;
    if sequence.tag() != Tag::Sequence {
        return Err("x509: invalid basic constraints".into());
    }
    let mut reader = der::SliceReader::new(sequence.value()).map_err(der_error)?;
    let mut is_ca = false;
    let mut path = -1;
    while !der::Reader::is_finished(&reader) {
        let item = Any::decode(&mut reader).map_err(der_error)?;
        match item.tag() {
            Tag::Boolean => is_ca = item.decode_as::<bool>().map_err(der_error)?,
            Tag::Integer => {
                path = item
                    .decode_as::<u64>()
                    .ok()
                    .and_then(|n| i64::try_from(n).ok())
                    .ok_or("x509: invalid basic constraints")?
            }
            _ => return Err("x509: invalid basic constraints".into()),
        }
    }
    Ok((is_ca, path))
}

/// Parses a PEM certificate (the provider's `parseCertificate`).
pub(crate) fn parse_certificate(text: &str) -> Result<ParsedCertificate, String> {
    let der = decode_pem(text, keys::PEM_CERTIFICATE)?;
    let certificate = Certificate::from_der(&der);
    match certificate {
        Ok(_) => {
            parse_certificate_der(&der).map_err(|e| format!("failed to parse certificate: {e}"))
        }
        Err(e) => {
            let mut reader = der::SliceReader::new(&der).map_err(der_error)?;
            if let Ok(first) = <Certificate as der::Decode>::decode(&mut reader) {
                let used =
                    usize::try_from(first.encoded_len().map_err(der_error)?).map_err(der_error)?;
                if der.len() > used && Certificate::from_der(&der[used..]).is_ok() {
                    return Err("multiple certificates found in".into());
                }
            }
            Err(format!("failed to parse certificate: {e}"))
        }
    }
}

/// A DER name as Go's `pkix.Name.String` writes it (RFC 2253 style, last RDN first).
pub(crate) fn go_name_string(name: &Name) -> Result<String, String> {
    let dn = DistinguishedName::from_name(name)?;
    let mut rdns: Vec<Vec<(ObjectIdentifier, String, Vec<u8>)>> = Vec::new();
    let standard = [
        OID_COMMON_NAME,
        OID_SERIAL_NUMBER,
        OID_COUNTRY,
        OID_LOCALITY,
        OID_PROVINCE,
        OID_STREET_ADDRESS,
        OID_ORGANIZATION,
        OID_ORGANIZATIONAL_UNIT,
        OID_POSTAL_CODE,
    ];
    for rdn in name.0.iter() {
        for atv in rdn.0.iter() {
            if standard.contains(&atv.oid) {
                continue;
            }
            let text = decode_go_string(&atv.value)?;
            let der = go_string_value(atv.oid, &text)?
                .value
                .to_der()
                .map_err(der_error)?;
            rdns.push(vec![(atv.oid, text, der)]);
        }
    }
    let ordered = DistinguishedName {
        email_address: None,
        ..dn
    }
    .to_name()?;
    for rdn in ordered.0.iter() {
        let mut entries = Vec::new();
        for atv in rdn.0.iter() {
            entries.push((atv.oid, decode_go_string(&atv.value)?, Vec::new()));
        }
        rdns.push(entries);
    }
    let short = |oid: &ObjectIdentifier| match *oid {
        OID_COUNTRY => Some("C"),
        OID_ORGANIZATION => Some("O"),
        OID_ORGANIZATIONAL_UNIT => Some("OU"),
        OID_COMMON_NAME => Some("CN"),
        OID_SERIAL_NUMBER => Some("SERIALNUMBER"),
        OID_LOCALITY => Some("L"),
        OID_PROVINCE => Some("ST"),
        OID_STREET_ADDRESS => Some("STREET"),
        OID_POSTAL_CODE => Some("POSTALCODE"),
        _ => None,
    };
    let mut out = String::new();
    for (i, rdn) in rdns.iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, (oid, text, der)) in rdn.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            let Some(type_name) = short(oid) else {
                out.push_str(&format!("{oid}=#"));
                out.extend(der.iter().map(|b| format!("{b:02x}")));
                continue;
            };
            out.push_str(type_name);
            out.push('=');
            let count = text.chars().count();
            for (k, c) in text.chars().enumerate() {
                let escape = match c {
                    ',' | '+' | '"' | '\\' | '<' | '>' | ';' => true,
                    ' ' => k == 0 || k + 1 == count,
                    '#' => k == 0,
                    _ => false,
                };
                if escape {
                    out.push('\\');
                }
                out.push(c);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_usage_bits_follow_go() {
        // digital_signature | key_encipherment = 0b101 -> 0xa0 with 5 unused bits.
        assert_eq!(
            key_usage_value(0b101).unwrap(),
            vec![0x03, 0x02, 0x05, 0xa0]
        );
        // decipher_only needs a second byte.
        assert_eq!(
            key_usage_value(1 << 8 | 1).unwrap(),
            vec![0x03, 0x03, 0x07, 0x80, 0x80]
        );
    }

    #[test]
    fn names_use_go_string_types_and_order() {
        let dn = DistinguishedName {
            common_name: "example.com".into(),
            organization: vec!["Acme & Co".into()],
            street_address: Some(vec!["1 Road".into(), "2 Road".into()]),
            ..Default::default()
        };
        let name = dn.to_name().unwrap();
        assert_eq!(name.0.len(), 3);
        assert_eq!(name.0[0].0.len(), 2);
        assert_eq!(name.0[1].0.get(0).unwrap().value.tag(), Tag::Utf8String);
        assert_eq!(
            name.0[2].0.get(0).unwrap().value.tag(),
            Tag::PrintableString
        );
        assert_eq!(
            go_name_string(&name).unwrap(),
            "CN=example.com,O=Acme & Co,STREET=1 Road+STREET=2 Road"
        );
    }

    #[test]
    fn uri_checks_follow_go() {
        assert_eq!(
            parse_uri("HTTPS://example.com/a").unwrap(),
            "https://example.com/a"
        );
        assert_eq!(parse_uri("a:b/c").unwrap(), "a:b/c");
        assert_eq!(
            parse_uri(":x").unwrap_err().1,
            "Failed to parse \":x\": parse \":x\": missing protocol scheme"
        );
        assert_eq!(
            parse_uri("http://x/%zz").unwrap_err().1,
            "Failed to parse \"http://x/%zz\": parse \"http://x/%zz\": invalid URL escape \"%zz\""
        );
    }
}
