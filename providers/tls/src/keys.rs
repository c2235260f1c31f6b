//! Private and public keys as the upstream provider handles them with Go's crypto packages:
//! generation (RSA, ECDSA on the NIST curves, Ed25519), the PEM, PKCS#8 and OpenSSH encodings,
//! parsing of PEM and OpenSSH private keys, the public key attributes (PEM, authorized_keys
//! line, fingerprints, id) and signing for certificates and certificate requests.

use crate::gocompat::{hash_for_state, pem_encode};
use base64::Engine as _;
use der::asn1::{AnyRef, ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use ecdsa::signature::hazmat::PrehashSigner;
use md5::Md5;
use rand::rngs::OsRng;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::RsaPrivateKey;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

pub(crate) const OID_RSA_ENCRYPTION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
pub(crate) const OID_EC_PUBLIC_KEY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
pub(crate) const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
pub(crate) const OID_SHA256_WITH_RSA: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
pub(crate) const OID_ECDSA_WITH_SHA256: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
pub(crate) const OID_ECDSA_WITH_SHA384: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
pub(crate) const OID_ECDSA_WITH_SHA512: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");

/// PEM block types (Go's "preambles") the provider reads and writes.
pub(crate) const PEM_PUBLIC_KEY: &str = "PUBLIC KEY";
pub(crate) const PEM_PRIVATE_KEY_PKCS8: &str = "PRIVATE KEY";
pub(crate) const PEM_PRIVATE_KEY_RSA: &str = "RSA PRIVATE KEY";
pub(crate) const PEM_PRIVATE_KEY_EC: &str = "EC PRIVATE KEY";
pub(crate) const PEM_PRIVATE_KEY_OPENSSH: &str = "OPENSSH PRIVATE KEY";
pub(crate) const PEM_CERTIFICATE: &str = "CERTIFICATE";
pub(crate) const PEM_CERTIFICATE_REQUEST: &str = "CERTIFICATE REQUEST";

/// The smallest RSA key Go's crypto/rsa generates or signs with.
const RSA_MIN_BITS: usize = 1024;

/// The key algorithms the provider supports, as its `algorithm` attributes spell them.
pub(crate) const ALGORITHMS: [&str; 3] = ["RSA", "ECDSA", "ED25519"];
/// The ECDSA curves, as `ecdsa_curve` spells them.
pub(crate) const CURVES: [&str; 4] = ["P224", "P256", "P384", "P521"];

/// A NIST elliptic curve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Curve {
    P224,
    P256,
    P384,
    P521,
}

impl Curve {
    pub(crate) fn from_name(name: &str) -> Option<Curve> {
        match name {
            "P224" => Some(Curve::P224),
            "P256" => Some(Curve::P256),
            "P384" => Some(Curve::P384),
            "P521" => Some(Curve::P521),
            _ => None,
        }
    }
    pub(crate) fn oid(self) -> ObjectIdentifier {
        const P224: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.33");
        const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
        const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
        const P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
        match self {
            Curve::P224 => P224,
            Curve::P256 => P256,
            Curve::P384 => P384,
            Curve::P521 => P521,
        }
    }
    pub(crate) fn from_oid(oid: &ObjectIdentifier) -> Option<Curve> {
        [Curve::P224, Curve::P256, Curve::P384, Curve::P521]
            .into_iter()
            .find(|c| c.oid() == *oid)
    }
}

/// A private key of one of the supported algorithms.
pub(crate) enum PrivateKey {
    Rsa(Box<RsaPrivateKey>),
    P224(p224::SecretKey),
    P256(p256::SecretKey),
    P384(p384::SecretKey),
    P521(p521::SecretKey),
    Ed25519(Box<ed25519_dalek::SigningKey>),
}

/// Generates an ECDSA secret key on `curve`.
fn generate_ec(curve: Curve) -> PrivateKey {
    match curve {
        Curve::P224 => PrivateKey::P224(p224::SecretKey::random(&mut OsRng)),
        Curve::P256 => PrivateKey::P256(p256::SecretKey::random(&mut OsRng)),
        Curve::P384 => PrivateKey::P384(p384::SecretKey::random(&mut OsRng)),
        Curve::P521 => PrivateKey::P521(p521::SecretKey::random(&mut OsRng)),
    }
}

/// An ECDSA secret key on `curve` from its scalar bytes.
fn ec_from_scalar(curve: Curve, scalar: &[u8]) -> Result<PrivateKey, String> {
    let invalid = |_| "x509: invalid elliptic curve private key value".to_string();
    Ok(match curve {
        Curve::P224 => PrivateKey::P224(p224::SecretKey::from_slice(scalar).map_err(invalid)?),
        Curve::P256 => PrivateKey::P256(p256::SecretKey::from_slice(scalar).map_err(invalid)?),
        Curve::P384 => PrivateKey::P384(p384::SecretKey::from_slice(scalar).map_err(invalid)?),
        Curve::P521 => PrivateKey::P521(p521::SecretKey::from_slice(scalar).map_err(invalid)?),
    })
}

fn der_error(e: der::Error) -> String {
    e.to_string()
}

fn rsa_min_size_error(bits: usize) -> String {
    format!(
        "crypto/rsa: {bits}-bit keys are insecure (see https://go.dev/pkg/crypto/rsa#hdr-Minimum_key_size)"
    )
}

impl PrivateKey {
    /// Generates a key as `tls_private_key` does: `rsa_bits` applies to RSA, `curve` to
    /// ECDSA.
    pub(crate) fn generate(
        algorithm: &str,
        rsa_bits: Option<i64>,
        curve: Option<&str>,
    ) -> Result<PrivateKey, String> {
        match algorithm {
            "RSA" => {
                let bits = rsa_bits.ok_or("RSA bits curve not provided")?;
                if bits < RSA_MIN_BITS as i64 {
                    return Err(rsa_min_size_error(bits.max(0) as usize));
                }
                let bits = usize::try_from(bits).map_err(|e| e.to_string())?;
                let key = RsaPrivateKey::new(&mut OsRng, bits).map_err(|e| e.to_string())?;
                Ok(PrivateKey::Rsa(Box::new(key)))
            }
            "ECDSA" => {
                let name = curve.ok_or("ECDSA curve not provided")?;
                let curve = Curve::from_name(name).ok_or_else(|| {
                    format!(
                        "invalid ECDSA curve; supported values are: [{}]",
                        CURVES.join(" ")
                    )
                })?;
                Ok(generate_ec(curve))
            }
            "ED25519" => Ok(PrivateKey::Ed25519(Box::new(
                ed25519_dalek::SigningKey::generate(&mut OsRng),
            ))),
            other => Err(format!("Key Algorithm {other:?} is not supported")),
        }
    }

    /// The algorithm name, as the provider reports it.
    pub(crate) fn algorithm(&self) -> &'static str {
        match self {
            PrivateKey::Rsa(_) => "RSA",
            PrivateKey::Ed25519(_) => "ED25519",
            _ => "ECDSA",
        }
    }

    /// The curve of an ECDSA key.
    pub(crate) fn curve(&self) -> Option<Curve> {
        match self {
            PrivateKey::P224(_) => Some(Curve::P224),
            PrivateKey::P256(_) => Some(Curve::P256),
            PrivateKey::P384(_) => Some(Curve::P384),
            PrivateKey::P521(_) => Some(Curve::P521),
            _ => None,
        }
    }

    /// The public key as a SubjectPublicKeyInfo, as Go's `x509.MarshalPKIXPublicKey` builds
    /// it.
    pub(crate) fn public_key_info(&self) -> Result<SubjectPublicKeyInfoOwned, String> {
        let (algorithm, key_bytes) = match self {
            PrivateKey::Rsa(key) => {
                use rsa::pkcs1::EncodeRsaPublicKey;
                let der = key
                    .to_public_key()
                    .to_pkcs1_der()
                    .map_err(|e| e.to_string())?;
                (
                    AlgorithmIdentifierOwned {
                        oid: OID_RSA_ENCRYPTION,
                        parameters: Some(der::Any::null()),
                    },
                    der.as_bytes().to_vec(),
                )
            }
            PrivateKey::Ed25519(key) => (
                AlgorithmIdentifierOwned {
                    oid: OID_ED25519,
                    parameters: None,
                },
                key.verifying_key().to_bytes().to_vec(),
            ),
            ec => {
                let curve = ec.curve().ok_or("unsupported public key type")?;
                let point = self
                    .ec_public_point()
                    .ok_or("unsupported public key type")?;
                (
                    AlgorithmIdentifierOwned {
                        oid: OID_EC_PUBLIC_KEY,
                        parameters: Some(der::Any::from(curve.oid())),
                    },
                    point,
                )
            }
        };
        Ok(SubjectPublicKeyInfoOwned {
            algorithm,
            subject_public_key: der::asn1::BitString::from_bytes(&key_bytes).map_err(der_error)?,
        })
    }

    /// The uncompressed point of an ECDSA public key.
    fn ec_public_point(&self) -> Option<Vec<u8>> {
        use p256::elliptic_curve::sec1::ToEncodedPoint;
        let point = match self {
            PrivateKey::P224(key) => key.public_key().to_encoded_point(false).as_bytes().to_vec(),
            PrivateKey::P256(key) => key.public_key().to_encoded_point(false).as_bytes().to_vec(),
            PrivateKey::P384(key) => key.public_key().to_encoded_point(false).as_bytes().to_vec(),
            PrivateKey::P521(key) => key.public_key().to_encoded_point(false).as_bytes().to_vec(),
            _ => return None,
        };
        Some(point)
    }

    /// The key in its algorithm's usual PEM form: PKCS#1 for RSA, SEC 1 for ECDSA and
    /// PKCS#8 for Ed25519.
    pub(crate) fn to_native_pem(&self) -> Result<String, String> {
        match self {
            PrivateKey::Rsa(key) => {
                use rsa::pkcs1::EncodeRsaPrivateKey;
                let der = key.to_pkcs1_der().map_err(|e| e.to_string())?;
                Ok(pem_encode(PEM_PRIVATE_KEY_RSA, der.as_bytes()))
            }
            PrivateKey::Ed25519(_) => self.to_pkcs8_pem(),
            ec => {
                let der = ec.to_sec1_der(true)?;
                Ok(pem_encode(PEM_PRIVATE_KEY_EC, &der))
            }
        }
    }

    /// An ECDSA key as SEC 1 `ECPrivateKey`, with or without the curve's OID inside (Go
    /// leaves it out inside PKCS#8).
    fn to_sec1_der(&self, with_curve: bool) -> Result<Vec<u8>, String> {
        let curve = self.curve().ok_or("unsupported private key type")?;
        let scalar: Vec<u8> = match self {
            PrivateKey::P224(key) => key.to_bytes().to_vec(),
            PrivateKey::P256(key) => key.to_bytes().to_vec(),
            PrivateKey::P384(key) => key.to_bytes().to_vec(),
            PrivateKey::P521(key) => key.to_bytes().to_vec(),
            _ => Vec::new(),
        };
        let point = self
            .ec_public_point()
            .ok_or("unsupported private key type")?;
        sec1::EcPrivateKey {
            private_key: &scalar,
            parameters: with_curve.then(|| sec1::EcParameters::NamedCurve(curve.oid())),
            public_key: Some(&point),
        }
        .to_der()
        .map_err(der_error)
    }

    /// The key as unencrypted PKCS#8 DER, as Go's `x509.MarshalPKCS8PrivateKey` writes it.
    pub(crate) fn to_pkcs8_der(&self) -> Result<Vec<u8>, String> {
        match self {
            PrivateKey::Rsa(key) => {
                use rsa::pkcs8::EncodePrivateKey;
                let der = key.to_pkcs8_der().map_err(|e| e.to_string())?;
                Ok(der.as_bytes().to_vec())
            }
            PrivateKey::Ed25519(key) => {
                let seed = OctetString::new(key.to_bytes().to_vec())
                    .map_err(der_error)?
                    .to_der()
                    .map_err(der_error)?;
                pkcs8::PrivateKeyInfo::new(
                    spki::AlgorithmIdentifierRef {
                        oid: OID_ED25519,
                        parameters: None,
                    },
                    &seed,
                )
                .to_der()
                .map_err(der_error)
            }
            ec => {
                let curve = ec.curve().ok_or("unsupported private key type")?;
                let inner = ec.to_sec1_der(false)?;
                let curve_oid = curve.oid();
                pkcs8::PrivateKeyInfo::new(
                    spki::AlgorithmIdentifierRef {
                        oid: OID_EC_PUBLIC_KEY,
                        parameters: Some(AnyRef::from(&curve_oid)),
                    },
                    &inner,
                )
                .to_der()
                .map_err(der_error)
            }
        }
    }

    /// The key as a PKCS#8 PEM block.
    pub(crate) fn to_pkcs8_pem(&self) -> Result<String, String> {
        Ok(pem_encode(PEM_PRIVATE_KEY_PKCS8, &self.to_pkcs8_der()?))
    }

    /// The key data as OpenSSH knows it, or `None` for the curve OpenSSH lacks (P-224).
    fn ssh_keypair(&self) -> Result<Option<ssh_key::private::KeypairData>, String> {
        use ssh_key::private::{EcdsaKeypair, Ed25519Keypair, Ed25519PrivateKey, KeypairData};
        let mpint =
            |bytes: &[u8]| ssh_key::Mpint::from_positive_bytes(bytes).map_err(|e| e.to_string());
        Ok(Some(match self {
            PrivateKey::Rsa(key) => {
                let [p, q] = key.primes() else {
                    return Err("multi-prime RSA keys are not supported".into());
                };
                let iqmp = key
                    .crt_coefficient()
                    .ok_or("RSA key has no CRT coefficient")?;
                KeypairData::Rsa(ssh_key::private::RsaKeypair {
                    public: ssh_key::public::RsaPublicKey {
                        e: mpint(&key.e().to_bytes_be())?,
                        n: mpint(&key.n().to_bytes_be())?,
                    },
                    private: ssh_key::private::RsaPrivateKey {
                        d: mpint(&key.d().to_bytes_be())?,
                        iqmp: mpint(&iqmp.to_bytes_be())?,
                        p: mpint(&p.to_bytes_be())?,
                        q: mpint(&q.to_bytes_be())?,
                    },
                })
            }
            PrivateKey::Ed25519(key) => KeypairData::Ed25519(Ed25519Keypair {
                public: ssh_key::public::Ed25519PublicKey(key.verifying_key().to_bytes()),
                private: Ed25519PrivateKey::from_bytes(&key.to_bytes()),
            }),
            PrivateKey::P224(_) => return Ok(None),
            PrivateKey::P256(key) => {
                use p256::elliptic_curve::sec1::ToEncodedPoint;
                KeypairData::Ecdsa(EcdsaKeypair::NistP256 {
                    public: key.public_key().to_encoded_point(false),
                    private: key.clone().into(),
                })
            }
            PrivateKey::P384(key) => {
                use p384::elliptic_curve::sec1::ToEncodedPoint;
                KeypairData::Ecdsa(EcdsaKeypair::NistP384 {
                    public: key.public_key().to_encoded_point(false),
                    private: key.clone().into(),
                })
            }
            PrivateKey::P521(key) => {
                use p521::elliptic_curve::sec1::ToEncodedPoint;
                KeypairData::Ecdsa(EcdsaKeypair::NistP521 {
                    public: key.public_key().to_encoded_point(false),
                    private: key.clone().into(),
                })
            }
        }))
    }

    /// The key in OpenSSH's private key format (unencrypted, no comment), or the empty
    /// string for P-224 keys, which OpenSSH does not support.
    pub(crate) fn to_openssh_pem(&self) -> Result<String, String> {
        let Some(keypair) = self.ssh_keypair()? else {
            return Ok(String::new());
        };
        let key = ssh_key::PrivateKey::new(keypair, "").map_err(|e| e.to_string())?;
        let bytes = key.to_bytes().map_err(|e| e.to_string())?;
        Ok(pem_encode(PEM_PRIVATE_KEY_OPENSSH, &bytes))
    }

    /// The public key in SSH wire format, or `None` for P-224 keys.
    fn ssh_public_key(&self) -> Result<Option<ssh_key::PublicKey>, String> {
        Ok(self
            .ssh_keypair()?
            .map(|keypair| ssh_key::public::KeyData::try_from(&keypair).map_err(|e| e.to_string()))
            .transpose()?
            .map(|data| ssh_key::PublicKey::new(data, "")))
    }

    /// The signature algorithm Go's x509 package uses with this key: SHA-256 with RSA
    /// PKCS#1 v1.5, ECDSA with the hash matching the curve, pure Ed25519.
    pub(crate) fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        match self {
            PrivateKey::Rsa(_) => AlgorithmIdentifierOwned {
                oid: OID_SHA256_WITH_RSA,
                parameters: Some(der::Any::null()),
            },
            PrivateKey::Ed25519(_) => ecdsa_algorithm(OID_ED25519),
            PrivateKey::P224(_) | PrivateKey::P256(_) => ecdsa_algorithm(OID_ECDSA_WITH_SHA256),
            PrivateKey::P384(_) => ecdsa_algorithm(OID_ECDSA_WITH_SHA384),
            PrivateKey::P521(_) => ecdsa_algorithm(OID_ECDSA_WITH_SHA512),
        }
    }

    /// Signs `message` with the algorithm of [`PrivateKey::signature_algorithm`].
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        match self {
            PrivateKey::Rsa(key) => {
                if key.size() * 8 < RSA_MIN_BITS {
                    return Err(rsa_min_size_error(key.n().bits()));
                }
                key.sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(message))
                    .map_err(|e| e.to_string())
            }
            PrivateKey::Ed25519(key) => {
                use ed25519_dalek::Signer;
                Ok(key.sign(message).to_bytes().to_vec())
            }
            PrivateKey::P224(key) => {
                let signer = p224::ecdsa::SigningKey::from(key);
                let sig: p224::ecdsa::Signature = signer
                    .sign_prehash(&Sha256::digest(message))
                    .map_err(|e| e.to_string())?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            PrivateKey::P256(key) => {
                let signer = p256::ecdsa::SigningKey::from(key);
                let sig: p256::ecdsa::Signature = signer
                    .sign_prehash(&Sha256::digest(message))
                    .map_err(|e| e.to_string())?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            PrivateKey::P384(key) => {
                let signer = p384::ecdsa::SigningKey::from(key);
                let sig: p384::ecdsa::Signature = signer
                    .sign_prehash(&Sha384::digest(message))
                    .map_err(|e| e.to_string())?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            PrivateKey::P521(key) => {
                let signer = p521::ecdsa::SigningKey::from_slice(&key.to_bytes())
                    .map_err(|e| e.to_string())?;
                let sig: p521::ecdsa::Signature = signer
                    .sign_prehash(&Sha512::digest(message))
                    .map_err(|e| e.to_string())?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
        }
    }

    /// Parses a PEM private key as the provider's `parsePrivateKeyPEM` does: PKCS#1 RSA,
    /// SEC 1 EC or PKCS#8 blocks.
    pub(crate) fn parse_pem(text: &str) -> Result<PrivateKey, String> {
        let block = pem::parse(text).map_err(|_| {
            format!(
                "failed to decode PEM block: decoded bytes 0, undecoded {}",
                text.len()
            )
        })?;
        let tag = block.tag();
        match tag {
            PEM_PRIVATE_KEY_RSA | PEM_PRIVATE_KEY_EC | PEM_PRIVATE_KEY_PKCS8 => {}
            PEM_PUBLIC_KEY | PEM_CERTIFICATE | PEM_CERTIFICATE_REQUEST => {
                return Err(format!(
                    "unable to determine parser for PEM preamble: {tag}"
                ))
            }
            other => return Err(format!("unsupported PEM preamble/type: {other}")),
        }
        PrivateKey::from_der(tag, block.contents())
            .map_err(|e| format!("failed to parse private key given PEM preamble '{tag}': {e}"))
    }

    /// A private key from the DER of a PEM block of type `tag`.
    fn from_der(tag: &str, der: &[u8]) -> Result<PrivateKey, String> {
        match tag {
            PEM_PRIVATE_KEY_RSA => {
                use rsa::pkcs1::DecodeRsaPrivateKey;
                let key = RsaPrivateKey::from_pkcs1_der(der).map_err(|e| {
                    if pkcs8::PrivateKeyInfo::from_der(der).is_ok() {
                        "x509: failed to parse private key (use ParsePKCS8PrivateKey instead for this key format)".to_string()
                    } else {
                        e.to_string()
                    }
                })?;
                Ok(PrivateKey::Rsa(Box::new(key)))
            }
            PEM_PRIVATE_KEY_EC => {
                let key = sec1::EcPrivateKey::from_der(der).map_err(|e| {
                    if pkcs8::PrivateKeyInfo::from_der(der).is_ok() {
                        "x509: failed to parse private key (use ParsePKCS8PrivateKey instead for this key format)".to_string()
                    } else {
                        format!("x509: failed to parse EC private key: {e}")
                    }
                })?;
                let curve = key
                    .parameters
                    .and_then(|p| p.named_curve())
                    .and_then(|oid| Curve::from_oid(&oid))
                    .ok_or("x509: unknown elliptic curve")?;
                ec_from_scalar(curve, key.private_key)
            }
            _ => PrivateKey::from_pkcs8_der(der),
        }
    }

    /// A private key from unencrypted PKCS#8 DER.
    fn from_pkcs8_der(der: &[u8]) -> Result<PrivateKey, String> {
        let info = pkcs8::PrivateKeyInfo::from_der(der).map_err(|e| {
            use rsa::pkcs1::DecodeRsaPrivateKey;
            if RsaPrivateKey::from_pkcs1_der(der).is_ok() {
                "x509: failed to parse private key (use ParsePKCS1PrivateKey instead for this key format)".to_string()
            } else if sec1::EcPrivateKey::from_der(der).is_ok() {
                "x509: failed to parse private key (use ParseECPrivateKey instead for this key format)".to_string()
            } else {
                e.to_string()
            }
        })?;
        let oid = info.algorithm.oid;
        if oid == OID_RSA_ENCRYPTION {
            use rsa::pkcs1::DecodeRsaPrivateKey;
            let key = RsaPrivateKey::from_pkcs1_der(info.private_key).map_err(|e| {
                format!("x509: failed to parse RSA private key embedded in PKCS#8: {e}")
            })?;
            Ok(PrivateKey::Rsa(Box::new(key)))
        } else if oid == OID_EC_PUBLIC_KEY {
            let curve_oid = info
                .algorithm
                .parameters
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
            let inner = sec1::EcPrivateKey::from_der(info.private_key).map_err(|e| {
                format!("x509: failed to parse EC private key embedded in PKCS#8: {e}")
            })?;
            let curve = curve_oid
                .or_else(|| inner.parameters.and_then(|p| p.named_curve()))
                .and_then(|oid| Curve::from_oid(&oid))
                .ok_or("x509: failed to parse EC private key embedded in PKCS#8: x509: unknown elliptic curve")?;
            ec_from_scalar(curve, inner.private_key)
        } else if oid == OID_ED25519 {
            if info.algorithm.parameters.is_some() {
                return Err("x509: invalid Ed25519 private key parameters".into());
            }
            let seed = OctetString::from_der(info.private_key)
                .map_err(|e| format!("x509: invalid Ed25519 private key: {e}"))?;
            let seed: [u8; 32] = seed.as_bytes().try_into().map_err(|_| {
                format!(
                    "x509: invalid Ed25519 private key length: {}",
                    seed.as_bytes().len()
                )
            })?;
            Ok(PrivateKey::Ed25519(Box::new(
                ed25519_dalek::SigningKey::from_bytes(&seed),
            )))
        } else {
            Err(format!(
                "x509: PKCS#8 wrapping contained private key with unknown algorithm: {oid}"
            ))
        }
    }

    /// Parses a private key as Go's `ssh.ParseRawPrivateKey` does: OpenSSH's own format, or
    /// the PEM forms `parse_pem` reads.
    pub(crate) fn parse_openssh(text: &str) -> Result<PrivateKey, String> {
        let block = pem::parse(text).map_err(|_| "ssh: no key found".to_string())?;
        match block.tag() {
            PEM_PRIVATE_KEY_OPENSSH => {}
            tag @ (PEM_PRIVATE_KEY_RSA | PEM_PRIVATE_KEY_EC | PEM_PRIVATE_KEY_PKCS8) => {
                if block.headers().get("Proc-Type").is_some() {
                    return Err("ssh: this private key is passphrase protected".into());
                }
                return PrivateKey::from_der(tag, block.contents());
            }
            other => return Err(format!("ssh: unsupported key type {other:?}")),
        }
        let key =
            ssh_key::PrivateKey::from_bytes(block.contents()).map_err(|e| format!("ssh: {e}"))?;
        if key.is_encrypted() {
            return Err("ssh: this private key is passphrase protected".into());
        }
        match key.key_data() {
            ssh_key::private::KeypairData::Rsa(pair) => {
                let big = |m: &ssh_key::Mpint| {
                    m.as_positive_bytes()
                        .map(rsa::BigUint::from_bytes_be)
                        .ok_or_else(|| "ssh: invalid RSA key".to_string())
                };
                let key = RsaPrivateKey::from_components(
                    big(&pair.public.n)?,
                    big(&pair.public.e)?,
                    big(&pair.private.d)?,
                    vec![big(&pair.private.p)?, big(&pair.private.q)?],
                )
                .map_err(|e| e.to_string())?;
                Ok(PrivateKey::Rsa(Box::new(key)))
            }
            ssh_key::private::KeypairData::Ecdsa(pair) => {
                let curve = match pair.curve() {
                    ssh_key::EcdsaCurve::NistP256 => Curve::P256,
                    ssh_key::EcdsaCurve::NistP384 => Curve::P384,
                    ssh_key::EcdsaCurve::NistP521 => Curve::P521,
                };
                ec_from_scalar(curve, pair.private_key_bytes())
            }
            ssh_key::private::KeypairData::Ed25519(pair) => Ok(PrivateKey::Ed25519(Box::new(
                ed25519_dalek::SigningKey::from_bytes(&pair.private.to_bytes()),
            ))),
            other => Err(format!(
                "ssh: unhandled key type {}",
                other.algorithm().map(|a| a.to_string()).unwrap_or_default()
            )),
        }
    }
}

fn ecdsa_algorithm(oid: ObjectIdentifier) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid,
        parameters: None,
    }
}

/// The public key attributes `tls_private_key` and `tls_public_key` report.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PublicKeyAttributes {
    /// Hex SHA-1 of the public key's DER (SubjectPublicKeyInfo).
    pub id: String,
    pub public_key_pem: String,
    /// The authorized_keys line, empty for P-224 keys.
    pub public_key_openssh: String,
    pub public_key_fingerprint_md5: String,
    pub public_key_fingerprint_sha256: String,
}

/// The public key attributes of `key`, as the provider's `setPublicKeyAttributes` computes
/// them.
pub(crate) fn public_key_attributes(key: &PrivateKey) -> Result<PublicKeyAttributes, String> {
    let spki_der = key.public_key_info()?.to_der().map_err(der_error)?;
    let (openssh, md5_fingerprint, sha256_fingerprint) = match key.ssh_public_key()? {
        Some(public) => {
            let blob = public.to_bytes().map_err(|e| e.to_string())?;
            let line = public.to_openssh().map_err(|e| e.to_string())?;
            let md5 = Md5::digest(&blob)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(":");
            let sha256 = format!(
                "SHA256:{}",
                base64::engine::general_purpose::STANDARD_NO_PAD.encode(Sha256::digest(&blob))
            );
            (format!("{}\n", line.trim_end()), md5, sha256)
        }
        None => (String::new(), String::new(), String::new()),
    };
    Ok(PublicKeyAttributes {
        id: hash_for_state(&spki_der),
        public_key_pem: pem_encode(PEM_PUBLIC_KEY, &spki_der),
        public_key_openssh: openssh,
        public_key_fingerprint_md5: md5_fingerprint,
        public_key_fingerprint_sha256: sha256_fingerprint,
    })
}

/// The subject key identifier the provider computes (`generateSubjectKeyID`): SHA-1 of the
/// PKCS#1 RSA public key, of the uncompressed EC point, or of the Ed25519 key wrapped as
/// an ASN.1 OCTET STRING.
pub(crate) fn subject_key_id(spki: &SubjectPublicKeyInfoOwned) -> Result<Vec<u8>, String> {
    let bits = spki.subject_public_key.raw_bytes();
    let hashed = if spki.algorithm.oid == OID_ED25519 {
        OctetString::new(bits.to_vec())
            .map_err(der_error)?
            .to_der()
            .map_err(der_error)?
    } else if spki.algorithm.oid == OID_RSA_ENCRYPTION || spki.algorithm.oid == OID_EC_PUBLIC_KEY {
        bits.to_vec()
    } else {
        return Err(format!(
            "failed to marshal public key of type {}: unsupported public key type",
            spki.algorithm.oid
        ));
    };
    Ok(Sha1::digest(&hashed).to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ed25519_round_trips_through_pem_and_openssh() {
        let key = PrivateKey::generate("ED25519", None, None).unwrap();
        let pem = key.to_native_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        let parsed = PrivateKey::parse_pem(&pem).unwrap();
        assert_eq!(
            public_key_attributes(&parsed).unwrap(),
            public_key_attributes(&key).unwrap()
        );
        let openssh = key.to_openssh_pem().unwrap();
        assert!(openssh.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n"));
        let parsed = PrivateKey::parse_openssh(&openssh).unwrap();
        assert_eq!(parsed.to_native_pem().unwrap(), pem);
    }

    #[test]
    fn p224_has_no_openssh_forms() {
        let key = PrivateKey::generate("ECDSA", None, Some("P224")).unwrap();
        assert_eq!(key.to_openssh_pem().unwrap(), "");
        let attrs = public_key_attributes(&key).unwrap();
        assert_eq!(attrs.public_key_openssh, "");
        assert_eq!(attrs.public_key_fingerprint_md5, "");
        assert_eq!(attrs.public_key_fingerprint_sha256, "");
        assert!(attrs
            .public_key_pem
            .starts_with("-----BEGIN PUBLIC KEY-----\n"));
    }

    #[test]
    fn unsupported_pem_types_are_reported_like_upstream() {
        let public = pem_encode(PEM_PUBLIC_KEY, &[1, 2, 3]);
        assert_eq!(
            PrivateKey::parse_pem(&public).err().unwrap(),
            "unable to determine parser for PEM preamble: PUBLIC KEY"
        );
        let other = pem_encode("FOO", &[1, 2, 3]);
        assert_eq!(
            PrivateKey::parse_pem(&other).err().unwrap(),
            "unsupported PEM preamble/type: FOO"
        );
        assert_eq!(
            PrivateKey::parse_pem("nope").err().unwrap(),
            "failed to decode PEM block: decoded bytes 0, undecoded 4"
        );
    }

    #[test]
    fn small_rsa_keys_are_refused_like_go() {
        assert_eq!(
            PrivateKey::generate("RSA", Some(512), None).err().unwrap(),
            "crypto/rsa: 512-bit keys are insecure (see https://go.dev/pkg/crypto/rsa#hdr-Minimum_key_size)"
        );
    }
}
