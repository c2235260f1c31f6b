//! The schemas of the provider, its resources and data sources, as the upstream provider's
//! current release declares them (names, types, optional/computed/sensitive, replacement,
//! schema versions).

use terrane_engine::provider::{Attribute, Block, NestedBlock, Nesting, ProviderSchema, Schema};
use terrane_engine::value::Type;

pub(crate) const PRIVATE_KEY: &str = "tls_private_key";
pub(crate) const SELF_SIGNED_CERT: &str = "tls_self_signed_cert";
pub(crate) const CERT_REQUEST: &str = "tls_cert_request";
pub(crate) const LOCALLY_SIGNED_CERT: &str = "tls_locally_signed_cert";
pub(crate) const PUBLIC_KEY: &str = "tls_public_key";
pub(crate) const CERTIFICATE: &str = "tls_certificate";

/// The current schema version of `tls_private_key`.
pub(crate) const PRIVATE_KEY_VERSION: u64 = 1;

fn block(attributes: Vec<(&str, Attribute)>, description: &str) -> Block {
    Block {
        attributes: attributes
            .into_iter()
            .map(|(name, attr)| (name.to_string(), attr))
            .collect(),
        blocks: Default::default(),
        description: description.to_string(),
    }
}

fn string_list() -> Type {
    Type::list(Type::String)
}

/// The `subject` block shared by certificates and requests.
fn subject_block() -> NestedBlock {
    let text = |d: &str| Attribute::optional(Type::String).force_new().describe(d);
    NestedBlock {
        nesting: Nesting::List,
        block: block(
            vec![
                ("common_name", text("Distinguished name: CN")),
                ("organization", text("Distinguished name: O")),
                ("organizational_unit", text("Distinguished name: OU")),
                (
                    "street_address",
                    Attribute::optional(string_list())
                        .force_new()
                        .describe("Distinguished name: STREET"),
                ),
                ("locality", text("Distinguished name: L")),
                ("province", text("Distinguished name: ST")),
                ("country", text("Distinguished name: C")),
                ("postal_code", text("Distinguished name: PC")),
                ("serial_number", text("Distinguished name: SERIALNUMBER")),
                (
                    "email_address",
                    text("Attribute with OID 1.2.840.113549.1.9.1 (email address)"),
                ),
            ],
            "The certificate's subject distinguished name.",
        ),
        min_items: 0,
        max_items: 0,
    }
}

/// A PEM input whose change replaces the object when the stored value is a PEM string.
fn pem_input(description: &str) -> Attribute {
    Attribute::required(Type::String)
        .force_new()
        .describe(description)
}

fn computed_string(description: &str) -> Attribute {
    Attribute::computed(Type::String).describe(description)
}

fn optional_names(description: &str) -> Attribute {
    Attribute::optional(string_list())
        .force_new()
        .describe(description)
}

fn private_key_schema() -> Schema {
    let sensitive = |d: &str| computed_string(d).sensitive();
    Schema {
        version: PRIVATE_KEY_VERSION,
        block: block(
            vec![
                (
                    "algorithm",
                    Attribute::required(Type::String)
                        .force_new()
                        .describe("Key algorithm: RSA, ECDSA or ED25519."),
                ),
                (
                    "rsa_bits",
                    Attribute::optional_computed(Type::Number)
                        .force_new()
                        .describe("RSA key size in bits (default 2048)."),
                ),
                (
                    "ecdsa_curve",
                    Attribute::optional_computed(Type::String)
                        .force_new()
                        .describe("ECDSA curve: P224, P256, P384 or P521 (default P224)."),
                ),
                (
                    "private_key_pem",
                    sensitive("The private key, PEM encoded."),
                ),
                (
                    "private_key_openssh",
                    sensitive("The private key in OpenSSH format (empty for P224)."),
                ),
                (
                    "private_key_pem_pkcs8",
                    sensitive("The private key as PKCS#8, PEM encoded."),
                ),
                (
                    "public_key_pem",
                    computed_string("The public key, PEM encoded."),
                ),
                (
                    "public_key_openssh",
                    computed_string("The public key as an authorized_keys line (empty for P224)."),
                ),
                (
                    "public_key_fingerprint_md5",
                    computed_string("MD5 fingerprint of the OpenSSH public key."),
                ),
                (
                    "public_key_fingerprint_sha256",
                    computed_string("SHA256 fingerprint of the OpenSSH public key."),
                ),
                (
                    "id",
                    computed_string("Hex SHA-1 of the DER encoded public key."),
                ),
            ],
            "Generates a private key.",
        ),
    }
}

/// Attributes shared by the two certificate resources.
fn certificate_attributes() -> Vec<(&'static str, Attribute)> {
    vec![
        (
            "validity_period_hours",
            Attribute::required(Type::Number)
                .force_new()
                .describe("Hours the certificate stays valid after issuing."),
        ),
        (
            "allowed_uses",
            Attribute::required(string_list())
                .force_new()
                .describe("Key usages and extended key usages allowed for the certificate."),
        ),
        (
            "early_renewal_hours",
            Attribute::optional_computed(Type::Number)
                .describe("Hours before expiry from which the certificate is renewed (default 0)."),
        ),
        (
            "is_ca_certificate",
            Attribute::optional_computed(Type::Bool)
                .force_new()
                .describe("Whether the certificate is a certificate authority (default false)."),
        ),
        (
            "max_path_length",
            Attribute::optional_computed(Type::Number)
                .force_new()
                .describe("Maximum number of intermediate certificates below a CA certificate."),
        ),
        (
            "set_subject_key_id",
            Attribute::optional_computed(Type::Bool)
                .force_new()
                .describe("Whether to include a subject key identifier (default false)."),
        ),
        ("cert_pem", computed_string("The certificate, PEM encoded.")),
        (
            "ready_for_renewal",
            Attribute::computed(Type::Bool)
                .describe("Whether the certificate is expired or within its early renewal period."),
        ),
        (
            "validity_start_time",
            computed_string("Start of validity, RFC 3339."),
        ),
        (
            "validity_end_time",
            computed_string("End of validity, RFC 3339."),
        ),
        ("id", computed_string("The certificate's serial number.")),
    ]
}

fn self_signed_cert_schema() -> Schema {
    let mut attributes = certificate_attributes();
    attributes.extend([
        (
            "private_key_pem",
            pem_input("Private key the certificate belongs to, PEM encoded.").sensitive(),
        ),
        ("dns_names", optional_names("DNS names of the certificate.")),
        (
            "ip_addresses",
            optional_names("IP addresses of the certificate."),
        ),
        ("uris", optional_names("URIs of the certificate.")),
        (
            "set_authority_key_id",
            Attribute::optional_computed(Type::Bool)
                .force_new()
                .describe("Whether to include an authority key identifier (default false)."),
        ),
        (
            "key_algorithm",
            computed_string("Algorithm of the private key."),
        ),
    ]);
    let mut block = block(attributes, "Creates a self-signed certificate.");
    block.blocks.insert("subject".into(), subject_block());
    Schema { version: 0, block }
}

fn locally_signed_cert_schema() -> Schema {
    let mut attributes = certificate_attributes();
    attributes.extend([
        (
            "cert_request_pem",
            pem_input("Certificate request to sign, PEM encoded."),
        ),
        (
            "ca_private_key_pem",
            pem_input("Private key of the certificate authority, PEM encoded.").sensitive(),
        ),
        (
            "ca_cert_pem",
            pem_input("Certificate of the certificate authority, PEM encoded."),
        ),
        (
            "ca_key_algorithm",
            computed_string("Algorithm of the CA private key."),
        ),
    ]);
    Schema {
        version: 0,
        block: block(
            attributes,
            "Signs a certificate request with a local certificate authority.",
        ),
    }
}

fn cert_request_schema() -> Schema {
    let mut block = block(
        vec![
            (
                "private_key_pem",
                pem_input("Private key the request is for, PEM encoded.").sensitive(),
            ),
            ("dns_names", optional_names("DNS names to request.")),
            ("ip_addresses", optional_names("IP addresses to request.")),
            ("uris", optional_names("URIs to request.")),
            (
                "key_algorithm",
                computed_string("Algorithm of the private key."),
            ),
            (
                "cert_request_pem",
                computed_string("The certificate request, PEM encoded."),
            ),
            (
                "id",
                computed_string("Hex SHA-1 of the DER encoded request."),
            ),
        ],
        "Creates a certificate signing request.",
    );
    block.blocks.insert("subject".into(), subject_block());
    Schema { version: 0, block }
}

fn public_key_schema() -> Schema {
    Schema {
        version: 0,
        block: block(
            vec![
                (
                    "private_key_pem",
                    Attribute::optional(Type::String)
                        .sensitive()
                        .describe("Private key, PEM encoded (exclusive with private_key_openssh)."),
                ),
                (
                    "private_key_openssh",
                    Attribute::optional(Type::String)
                        .sensitive()
                        .describe("Private key, OpenSSH format (exclusive with private_key_pem)."),
                ),
                (
                    "algorithm",
                    computed_string("Algorithm of the private key."),
                ),
                (
                    "public_key_pem",
                    computed_string("The public key, PEM encoded."),
                ),
                (
                    "public_key_openssh",
                    computed_string("The public key as an authorized_keys line (empty for P224)."),
                ),
                (
                    "public_key_fingerprint_md5",
                    computed_string("MD5 fingerprint of the OpenSSH public key."),
                ),
                (
                    "public_key_fingerprint_sha256",
                    computed_string("SHA256 fingerprint of the OpenSSH public key."),
                ),
                (
                    "id",
                    computed_string("Hex SHA-1 of the DER encoded public key."),
                ),
            ],
            "Reads the public key of a private key.",
        ),
    }
}

/// The object type of one element of `tls_certificate.certificates`.
pub(crate) fn certificate_object_type() -> Type {
    Type::object(
        [
            ("signature_algorithm", Type::String),
            ("public_key_algorithm", Type::String),
            ("serial_number", Type::String),
            ("is_ca", Type::Bool),
            ("max_path_length", Type::Number),
            ("version", Type::Number),
            ("issuer", Type::String),
            ("subject", Type::String),
            ("not_before", Type::String),
            ("not_after", Type::String),
            ("sha1_fingerprint", Type::String),
            ("cert_pem", Type::String),
        ]
        .into_iter()
        .map(|(k, t)| (k.to_string(), t))
        .collect(),
    )
}

fn certificate_schema() -> Schema {
    Schema {
        version: 0,
        block: block(
            vec![
                (
                    "url",
                    Attribute::optional(Type::String)
                        .describe("URL to fetch certificates from (https:// or tls://)."),
                ),
                (
                    "content",
                    Attribute::optional(Type::String).describe("A certificate, PEM encoded."),
                ),
                (
                    "verify_chain",
                    Attribute::optional(Type::Bool)
                        .describe("Whether to verify the fetched chain (default true)."),
                ),
                ("id", computed_string("Hash of the certificates.")),
                (
                    "certificates",
                    Attribute::computed(Type::list(certificate_object_type()))
                        .describe("The certificates, root of the chain first."),
                ),
            ],
            "Reads certificates.",
        ),
    }
}

fn provider_config_schema() -> Schema {
    let proxy = NestedBlock {
        nesting: Nesting::List,
        block: block(
            vec![
                (
                    "url",
                    Attribute::optional(Type::String)
                        .describe("Proxy URL (http, https or socks5)."),
                ),
                (
                    "username",
                    Attribute::optional(Type::String).describe("Proxy user name."),
                ),
                (
                    "password",
                    Attribute::optional(Type::String)
                        .sensitive()
                        .describe("Proxy password."),
                ),
                (
                    "from_env",
                    Attribute::optional(Type::Bool)
                        .describe("Take the proxy from the environment (default true)."),
                ),
            ],
            "Proxy for data sources that fetch from the network.",
        ),
        min_items: 0,
        max_items: 0,
    };
    let mut block = block(Vec::new(), "Provider configuration");
    block.blocks.insert("proxy".into(), proxy);
    Schema { version: 0, block }
}

/// The whole provider schema.
pub(crate) fn provider_schema() -> ProviderSchema {
    ProviderSchema {
        provider: provider_config_schema(),
        resources: [
            (PRIVATE_KEY, private_key_schema()),
            (SELF_SIGNED_CERT, self_signed_cert_schema()),
            (CERT_REQUEST, cert_request_schema()),
            (LOCALLY_SIGNED_CERT, locally_signed_cert_schema()),
        ]
        .into_iter()
        .map(|(k, s)| (k.to_string(), s))
        .collect(),
        data_sources: [
            (PUBLIC_KEY, public_key_schema()),
            (CERTIFICATE, certificate_schema()),
        ]
        .into_iter()
        .map(|(k, s)| (k.to_string(), s))
        .collect(),
    }
}
