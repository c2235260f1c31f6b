//! Tests of the provider through the `Provider` trait: schemas, plans, applies, refresh,
//! import and state upgrades, with the generated keys, requests and certificates checked by
//! the `openssl` and `ssh-keygen` binaries when they are installed.

use super::*;
use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};
use terrane_engine::provider::Block;
use terrane_engine::value::Type;

fn test_provider() -> TlsProvider {
    TlsProvider {
        clock: || chrono::Local::now().fixed_offset(),
    }
}

/// A clock ten years ahead, to see certificates come up for renewal.
fn ten_years_later() -> DateTime<FixedOffset> {
    chrono::Local::now().fixed_offset() + chrono::Duration::days(3650)
}

fn resource_block(type_name: &str) -> Block {
    schema::provider_schema().resources[type_name].block.clone()
}

fn data_block(type_name: &str) -> Block {
    schema::provider_schema().data_sources[type_name]
        .block
        .clone()
}

/// An object of `block` with every attribute null and every nested list empty, then `attrs`.
fn object(block: &Block, attrs: Vec<(&str, Value)>) -> Value {
    let mut map: BTreeMap<String, Value> = block
        .attributes
        .iter()
        .map(|(name, a)| (name.clone(), Value::Null(a.ty.clone())))
        .collect();
    for (name, nested) in &block.blocks {
        map.insert(
            name.clone(),
            Value::list(nested.block.value_type(), Vec::new()),
        );
    }
    for (name, value) in attrs {
        map.insert(name.to_string(), value);
    }
    Value::object(map)
}

fn s(text: &str) -> Value {
    Value::string(text)
}

fn strings(items: &[&str]) -> Value {
    Value::list(Type::String, items.iter().map(|t| s(t)).collect())
}

fn subject(attrs: Vec<(&str, Value)>) -> Value {
    let block = &resource_block(schema::SELF_SIGNED_CERT).blocks["subject"].block;
    Value::list(block.value_type(), vec![object(block, attrs)])
}

fn get<'a>(state: &'a Value, name: &str) -> &'a Value {
    values::attr(state, name).expect("attribute present")
}

fn text(state: &Value, name: &str) -> String {
    get(state, name)
        .as_str()
        .expect("a known string")
        .to_string()
}

/// Terraform's proposed new state: the configuration, with computed attributes the
/// configuration leaves null taken from the prior state.
fn propose(block: &Block, prior: &Value, config: &Value) -> Value {
    let mut state = config.clone();
    for (name, attribute) in &block.attributes {
        if attribute.computed && values::is_null(config, name) {
            state = values::with_attr(&state, name, get(prior, name).clone());
        }
    }
    state
}

async fn plan_create(provider: &TlsProvider, type_name: &str, config: &Value) -> PlanResponse {
    provider
        .plan_change(PlanRequest {
            type_name: type_name.into(),
            prior_state: Value::Null(config.ty()),
            proposed_new_state: config.clone(),
            config: config.clone(),
            prior_private: Vec::new(),
        })
        .await
}

async fn plan_update(
    provider: &TlsProvider,
    type_name: &str,
    prior: &Value,
    config: &Value,
) -> PlanResponse {
    provider
        .plan_change(PlanRequest {
            type_name: type_name.into(),
            prior_state: prior.clone(),
            proposed_new_state: propose(&resource_block(type_name), prior, config),
            config: config.clone(),
            prior_private: Vec::new(),
        })
        .await
}

/// Plans and applies the creation of a resource, failing the test on errors.
async fn create(provider: &TlsProvider, type_name: &str, config: &Value) -> Value {
    let plan = plan_create(provider, type_name, config).await;
    assert!(!plan.diagnostics.has_errors(), "{:?}", plan.diagnostics);
    let applied = provider
        .apply_change(ApplyRequest {
            type_name: type_name.into(),
            prior_state: Value::Null(config.ty()),
            planned_state: plan.planned_state,
            config: config.clone(),
            planned_private: Vec::new(),
        })
        .await;
    assert!(
        !applied.diagnostics.has_errors(),
        "{:?}",
        applied.diagnostics
    );
    assert!(applied.new_state.is_wholly_known());
    applied.new_state
}

async fn create_error(provider: &TlsProvider, type_name: &str, config: &Value) -> Diagnostic {
    let plan = plan_create(provider, type_name, config).await;
    let applied = provider
        .apply_change(ApplyRequest {
            type_name: type_name.into(),
            prior_state: Value::Null(config.ty()),
            planned_state: plan.planned_state,
            config: config.clone(),
            planned_private: Vec::new(),
        })
        .await;
    applied
        .diagnostics
        .0
        .into_iter()
        .find(|d| d.is_error())
        .expect("an error")
}

fn private_key_config(attrs: Vec<(&str, Value)>) -> Value {
    object(&resource_block(schema::PRIVATE_KEY), attrs)
}

/// Creates a `tls_private_key`; RSA keys are 1024 bits unless `extra` says otherwise, to
/// keep debug-build tests quick (the 2048-bit default is tested on its own).
async fn new_key(provider: &TlsProvider, algorithm: &str, extra: Vec<(&str, Value)>) -> Value {
    let mut attrs = vec![("algorithm", s(algorithm)), ("rsa_bits", Value::int(1024))];
    attrs.extend(extra);
    create(provider, schema::PRIVATE_KEY, &private_key_config(attrs)).await
}

/// Runs a tool with `input` files, returning its standard output, or `None` (with a note)
/// when the tool is not installed.
fn run_tool(tool: &str, args: &[&str], files: &[(&str, &str)]) -> Option<(bool, String)> {
    if Command::new(tool)
        .arg("-h")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_err()
        && Command::new(tool)
            .arg("version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_err()
    {
        eprintln!("{tool} is not installed: skipping the check with it");
        return None;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    for (name, content) in files {
        let path = dir.path().join(name);
        let mut file = std::fs::File::create(&path).expect("file");
        file.write_all(content.as_bytes()).expect("write");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("mode");
        }
    }
    let output = Command::new(tool)
        .args(args)
        .current_dir(dir.path())
        .output()
        .expect("tool runs");
    let mut out = String::from_utf8_lossy(&output.stdout).to_string();
    out.push_str(&String::from_utf8_lossy(&output.stderr));
    Some((output.status.success(), out))
}

fn openssl(args: &[&str], files: &[(&str, &str)]) -> Option<String> {
    let (ok, out) = run_tool("openssl", args, files)?;
    assert!(ok, "openssl {args:?} failed: {out}");
    Some(out)
}

fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len
        && text
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
}

// ---------------------------------------------------------------- schema

#[test]
fn schema_matches_upstream() {
    let schema = schema::provider_schema();
    assert_eq!(
        schema.resources.keys().collect::<Vec<_>>(),
        [
            "tls_cert_request",
            "tls_locally_signed_cert",
            "tls_private_key",
            "tls_self_signed_cert"
        ]
    );
    assert_eq!(
        schema.data_sources.keys().collect::<Vec<_>>(),
        ["tls_certificate", "tls_public_key"]
    );
    let key = &schema.resources["tls_private_key"];
    assert_eq!(key.version, 1);
    let a = &key.block.attributes;
    assert!(a["algorithm"].required && a["algorithm"].force_new);
    assert!(a["rsa_bits"].optional && a["rsa_bits"].computed && a["rsa_bits"].force_new);
    assert!(a["ecdsa_curve"].optional && a["ecdsa_curve"].computed);
    for name in [
        "private_key_pem",
        "private_key_openssh",
        "private_key_pem_pkcs8",
    ] {
        assert!(a[name].computed && a[name].sensitive, "{name}");
    }
    for name in [
        "public_key_pem",
        "public_key_openssh",
        "public_key_fingerprint_md5",
        "public_key_fingerprint_sha256",
        "id",
    ] {
        assert!(a[name].computed && !a[name].sensitive, "{name}");
    }
    assert_eq!(a.len(), 11);

    let cert = &schema.resources["tls_self_signed_cert"];
    assert_eq!(cert.version, 0);
    let a = &cert.block.attributes;
    assert!(a["private_key_pem"].required && a["private_key_pem"].sensitive);
    assert!(a["validity_period_hours"].required && a["validity_period_hours"].force_new);
    assert_eq!(a["allowed_uses"].ty, Type::list(Type::String));
    assert!(!a["early_renewal_hours"].force_new && a["early_renewal_hours"].computed);
    assert_eq!(a["ready_for_renewal"].ty, Type::Bool);
    assert_eq!(a.len(), 17);
    let subject = &cert.block.blocks["subject"];
    assert_eq!(subject.nesting, terrane_engine::provider::Nesting::List);
    assert_eq!(subject.block.attributes.len(), 10);
    assert_eq!(
        subject.block.attributes["street_address"].ty,
        Type::list(Type::String)
    );

    let signed = &schema.resources["tls_locally_signed_cert"].block.attributes;
    assert_eq!(signed.len(), 15);
    assert!(signed["ca_private_key_pem"].sensitive && !signed["ca_cert_pem"].sensitive);
    assert!(!signed.contains_key("set_authority_key_id"));

    let request = &schema.resources["tls_cert_request"].block;
    assert_eq!(request.attributes.len(), 7);
    assert!(request.blocks.contains_key("subject"));

    let public = &schema.data_sources["tls_public_key"].block.attributes;
    assert!(public["private_key_pem"].optional && public["private_key_pem"].sensitive);
    assert_eq!(public.len(), 8);
    assert!(schema.provider.block.blocks.contains_key("proxy"));
}

// ---------------------------------------------------------------- tls_private_key

#[tokio::test]
async fn private_key_plan_sets_defaults_and_unknowns() {
    let provider = test_provider();
    let config = private_key_config(vec![("algorithm", s("RSA"))]);
    let plan = plan_create(&provider, schema::PRIVATE_KEY, &config).await;
    let planned = &plan.planned_state;
    assert_eq!(get(planned, "rsa_bits"), &Value::int(2048));
    assert_eq!(get(planned, "ecdsa_curve"), &s("P224"));
    for name in ["private_key_pem", "public_key_openssh", "id"] {
        assert_eq!(get(planned, name), &Value::Unknown(Type::String), "{name}");
    }
    assert!(plan.requires_replace.is_empty());
}

#[tokio::test]
async fn rsa_keys_have_every_encoding() {
    let provider = test_provider();
    let config = private_key_config(vec![("algorithm", s("RSA"))]);
    let state = create(&provider, schema::PRIVATE_KEY, &config).await;
    assert_eq!(get(&state, "rsa_bits"), &Value::int(2048));
    let pem = text(&state, "private_key_pem");
    assert!(pem.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
    assert!(text(&state, "private_key_pem_pkcs8").starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert!(
        text(&state, "private_key_openssh").starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    );
    let public = text(&state, "public_key_pem");
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----\n") && public.ends_with("-----\n"));
    let openssh = text(&state, "public_key_openssh");
    assert!(openssh.starts_with("ssh-rsa AAAA") && openssh.ends_with('\n'));
    let md5 = text(&state, "public_key_fingerprint_md5");
    assert_eq!(md5.len(), 47);
    assert!(md5.split(':').all(|pair| is_hex(pair, 2)));
    let sha = text(&state, "public_key_fingerprint_sha256");
    assert!(sha.starts_with("SHA256:") && sha.len() == 7 + 43, "{sha}");
    assert!(is_hex(&text(&state, "id"), 40));

    let pkcs8 = text(&state, "private_key_pem_pkcs8");
    let files = [("key.pem", pem.as_str()), ("pkcs8.pem", pkcs8.as_str())];
    if let Some(out) = openssl(
        &["rsa", "-in", "key.pem", "-check", "-noout", "-text"],
        &files,
    ) {
        assert!(
            out.contains("RSA key ok") && out.contains("(2048 bit"),
            "{out}"
        );
        let derived = openssl(&["pkey", "-in", "pkcs8.pem", "-pubout"], &files).unwrap_or_default();
        assert_eq!(derived, public);
    }
    check_openssh(&state);
}

/// Checks the OpenSSH private key and fingerprints with ssh-keygen.
fn check_openssh(state: &Value) {
    let private = text(state, "private_key_openssh");
    let public = text(state, "public_key_openssh");
    let files = [
        ("id_key", private.as_str()),
        ("id_key.pub", public.as_str()),
    ];
    let Some((ok, derived)) = run_tool("ssh-keygen", &["-y", "-f", "id_key"], &files) else {
        return;
    };
    assert!(ok, "{derived}");
    assert_eq!(derived.trim_end(), public.trim_end());
    let (ok, sha) = run_tool(
        "ssh-keygen",
        &["-l", "-E", "sha256", "-f", "id_key.pub"],
        &files,
    )
    .unwrap_or_default();
    assert!(
        ok && sha.contains(&text(state, "public_key_fingerprint_sha256")),
        "{sha}"
    );
    let (ok, md5) = run_tool(
        "ssh-keygen",
        &["-l", "-E", "md5", "-f", "id_key.pub"],
        &files,
    )
    .unwrap_or_default();
    assert!(
        ok && md5.contains(&format!(
            "MD5:{}",
            text(state, "public_key_fingerprint_md5")
        )),
        "{md5}"
    );
}

#[tokio::test]
async fn key_id_is_the_sha1_of_the_public_key_der() {
    let provider = test_provider();
    let state = new_key(&provider, "ED25519", vec![]).await;
    let der = pem::parse(text(&state, "public_key_pem"))
        .unwrap()
        .into_contents();
    assert_eq!(text(&state, "id"), gocompat::hash_for_state(&der));
}

#[tokio::test]
async fn ecdsa_keys_on_every_curve() {
    let provider = test_provider();
    for (curve, openssl_name) in [
        ("P224", "secp224r1"),
        ("P256", "prime256v1"),
        ("P384", "secp384r1"),
        ("P521", "secp521r1"),
    ] {
        let state = new_key(&provider, "ECDSA", vec![("ecdsa_curve", s(curve))]).await;
        let pem = text(&state, "private_key_pem");
        assert!(
            pem.starts_with("-----BEGIN EC PRIVATE KEY-----\n"),
            "{curve}"
        );
        if curve == "P224" {
            for name in [
                "private_key_openssh",
                "public_key_openssh",
                "public_key_fingerprint_md5",
                "public_key_fingerprint_sha256",
            ] {
                assert_eq!(text(&state, name), "", "{name}");
            }
        } else {
            let prefix = format!("ecdsa-sha2-nistp{} ", &curve[1..]);
            assert!(text(&state, "public_key_openssh").starts_with(&prefix));
            check_openssh(&state);
        }
        let pkcs8 = text(&state, "private_key_pem_pkcs8");
        let files = [("key.pem", pem.as_str()), ("pkcs8.pem", pkcs8.as_str())];
        if let Some(out) = openssl(
            &["ec", "-in", "key.pem", "-check", "-noout", "-text"],
            &files,
        ) {
            assert!(
                out.contains(openssl_name) && out.contains("EC Key valid"),
                "{out}"
            );
            let derived =
                openssl(&["pkey", "-in", "pkcs8.pem", "-pubout"], &files).unwrap_or_default();
            assert_eq!(derived, text(&state, "public_key_pem"), "{curve}");
        }
    }
}

#[tokio::test]
async fn ed25519_keys() {
    let provider = test_provider();
    let state = new_key(&provider, "ED25519", vec![]).await;
    let pem = text(&state, "private_key_pem");
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert_eq!(pem, text(&state, "private_key_pem_pkcs8"));
    assert!(text(&state, "public_key_openssh").starts_with("ssh-ed25519 AAAA"));
    if let Some(out) = openssl(
        &["pkey", "-in", "key.pem", "-pubout"],
        &[("key.pem", pem.as_str())],
    ) {
        assert_eq!(out, text(&state, "public_key_pem"));
    }
    check_openssh(&state);
}

#[tokio::test]
async fn private_key_argument_changes_replace() {
    let provider = test_provider();
    let config = private_key_config(vec![("algorithm", s("ED25519"))]);
    let state = create(&provider, schema::PRIVATE_KEY, &config).await;

    let same = plan_update(&provider, schema::PRIVATE_KEY, &state, &config).await;
    assert!(same.requires_replace.is_empty());
    assert_eq!(same.planned_state, state);

    let other = private_key_config(vec![("algorithm", s("RSA"))]);
    let plan = plan_update(&provider, schema::PRIVATE_KEY, &state, &other).await;
    assert_eq!(plan.requires_replace, vec![vec!["algorithm".to_string()]]);

    let curve = private_key_config(vec![
        ("algorithm", s("ED25519")),
        ("ecdsa_curve", s("P256")),
    ]);
    let plan = plan_update(&provider, schema::PRIVATE_KEY, &state, &curve).await;
    assert_eq!(plan.requires_replace, vec![vec!["ecdsa_curve".to_string()]]);

    let read = provider
        .read(schema::PRIVATE_KEY, &state, &[])
        .await
        .unwrap();
    assert_eq!(read.map(|(v, _)| v), Some(state.clone()));

    let destroy = provider
        .plan_change(PlanRequest {
            type_name: schema::PRIVATE_KEY.into(),
            prior_state: state.clone(),
            proposed_new_state: Value::Null(state.ty()),
            config: Value::Null(state.ty()),
            prior_private: Vec::new(),
        })
        .await;
    assert!(destroy.planned_state.is_null());
}

#[tokio::test]
async fn private_key_validation_matches_upstream() {
    let provider = test_provider();
    let config = private_key_config(vec![("algorithm", s("DSA")), ("ecdsa_curve", s("P999"))]);
    let diags = provider
        .validate_resource_config(schema::PRIVATE_KEY, &config)
        .await;
    let details: Vec<&str> = diags.iter().map(|d| d.detail.as_str()).collect();
    assert_eq!(
        details,
        [
            "Attribute algorithm value must be one of: [\"RSA\" \"ECDSA\" \"ED25519\"], got: \"DSA\"",
            "Attribute ecdsa_curve value must be one of: [\"P224\" \"P256\" \"P384\" \"P521\"], got: \"P999\"",
        ]
    );
    assert_eq!(diags.0[0].summary, "Invalid Attribute Value Match");
}

#[tokio::test]
async fn import_is_not_supported() {
    let provider = test_provider();
    for type_name in certificates::TYPES.iter().chain([&schema::PRIVATE_KEY]) {
        let err = provider.import(type_name, "x").await.unwrap_err();
        assert_eq!(err.0[0].summary, "Resource Import Not Implemented");
    }
}

#[tokio::test]
async fn private_key_state_upgrades_from_version_0() {
    let provider = test_provider();
    let current = new_key(&provider, "ECDSA", vec![("ecdsa_curve", s("P256"))]).await;
    // A version 0 state (provider 3.1): no OpenSSH private key, no PKCS#8, no SHA-256
    // fingerprint.
    let raw = serde_json::json!({
        "algorithm": "ECDSA",
        "ecdsa_curve": "P256",
        "rsa_bits": 2048,
        "id": text(&current, "id"),
        "private_key_pem": text(&current, "private_key_pem"),
        "public_key_pem": text(&current, "public_key_pem"),
        "public_key_openssh": text(&current, "public_key_openssh"),
        "public_key_fingerprint_md5": text(&current, "public_key_fingerprint_md5"),
        "some_removed_attribute": "ignored",
    });
    let upgraded = provider
        .upgrade_state(schema::PRIVATE_KEY, 0, &raw)
        .await
        .unwrap();
    for name in [
        "private_key_pem",
        "private_key_pem_pkcs8",
        "public_key_pem",
        "public_key_openssh",
        "public_key_fingerprint_md5",
        "public_key_fingerprint_sha256",
        "id",
    ] {
        assert_eq!(get(&upgraded, name), get(&current, name), "{name}");
    }
    assert!(
        text(&upgraded, "private_key_openssh").starts_with("-----BEGIN OPENSSH PRIVATE KEY-----")
    );
    assert_eq!(get(&upgraded, "rsa_bits"), &Value::int(2048));

    let same = provider
        .upgrade_state(schema::PRIVATE_KEY, 1, &raw)
        .await
        .unwrap();
    assert!(get(&same, "private_key_pem_pkcs8").is_null());
    let err = provider
        .upgrade_state(schema::PRIVATE_KEY, 2, &raw)
        .await
        .unwrap_err();
    assert_eq!(err.0[0].summary, "Unable to Upgrade Resource State");
}

// ---------------------------------------------------------------- certificates

fn self_signed_config(key_pem: &str, attrs: Vec<(&str, Value)>) -> Value {
    let mut all = vec![
        ("private_key_pem", s(key_pem)),
        ("validity_period_hours", Value::int(24)),
        (
            "allowed_uses",
            strings(&["key_encipherment", "digital_signature", "server_auth"]),
        ),
    ];
    all.extend(attrs);
    object(&resource_block(schema::SELF_SIGNED_CERT), all)
}

#[tokio::test]
async fn self_signed_plan_has_defaults_and_unknowns() {
    let provider = test_provider();
    let config = self_signed_config("k", vec![]);
    let plan = plan_create(&provider, schema::SELF_SIGNED_CERT, &config).await;
    let p = &plan.planned_state;
    assert_eq!(get(p, "early_renewal_hours"), &Value::int(0));
    assert_eq!(get(p, "is_ca_certificate"), &Value::Bool(false));
    assert_eq!(get(p, "set_subject_key_id"), &Value::Bool(false));
    assert_eq!(get(p, "set_authority_key_id"), &Value::Bool(false));
    assert_eq!(get(p, "ready_for_renewal"), &Value::Bool(false));
    assert_eq!(get(p, "max_path_length"), &Value::Unknown(Type::Number));
    for name in [
        "cert_pem",
        "validity_start_time",
        "validity_end_time",
        "key_algorithm",
        "id",
    ] {
        assert_eq!(get(p, name), &Value::Unknown(Type::String), "{name}");
    }
    // Zero validity, or early renewal covering the whole validity: ready at once.
    let zero = self_signed_config("k", vec![("validity_period_hours", Value::int(0))]);
    let plan = plan_create(&provider, schema::SELF_SIGNED_CERT, &zero).await;
    assert_eq!(
        get(&plan.planned_state, "ready_for_renewal"),
        &Value::Bool(true)
    );
    let early = self_signed_config("k", vec![("early_renewal_hours", Value::int(24))]);
    let plan = plan_create(&provider, schema::SELF_SIGNED_CERT, &early).await;
    assert_eq!(
        get(&plan.planned_state, "ready_for_renewal"),
        &Value::Bool(true)
    );
}

#[tokio::test]
async fn self_signed_certificate_is_well_formed() {
    let provider = test_provider();
    let key = new_key(&provider, "ECDSA", vec![("ecdsa_curve", s("P384"))]).await;
    let config = self_signed_config(
        &text(&key, "private_key_pem"),
        vec![
            (
                "subject",
                subject(vec![
                    ("common_name", s("example.com")),
                    ("organization", s("ACME Examples, Inc")),
                    ("street_address", strings(&["1 Main St", "Floor 2"])),
                    ("email_address", s("admin@example.com")),
                ]),
            ),
            ("dns_names", strings(&["example.com", "www.example.com"])),
            ("ip_addresses", strings(&["127.0.0.1", "::1"])),
            ("uris", strings(&["spiffe://example.com/service"])),
            ("set_subject_key_id", Value::Bool(true)),
            ("set_authority_key_id", Value::Bool(true)),
        ],
    );
    let state = create(&provider, schema::SELF_SIGNED_CERT, &config).await;
    assert_eq!(text(&state, "key_algorithm"), "ECDSA");
    assert_eq!(get(&state, "ready_for_renewal"), &Value::Bool(false));
    assert!(get(&state, "max_path_length").is_null());
    let id = text(&state, "id");
    assert!(id.parse::<u128>().is_ok(), "{id}");
    let start = gocompat::parse_go_rfc3339(&text(&state, "validity_start_time")).unwrap();
    let end = gocompat::parse_go_rfc3339(&text(&state, "validity_end_time")).unwrap();
    assert_eq!(end - start, chrono::Duration::hours(24));
    let cert = text(&state, "cert_pem");
    assert!(
        cert.starts_with("-----BEGIN CERTIFICATE-----\n")
            && cert.ends_with("-----END CERTIFICATE-----\n")
    );

    let files = [("cert.pem", cert.as_str())];
    let Some(out) = openssl(
        &[
            "x509", "-in", "cert.pem", "-noout", "-text", "-nameopt", "RFC2253",
        ],
        &files,
    ) else {
        return;
    };
    assert!(out.contains("Version: 3 (0x2)"), "{out}");
    assert!(
        out.contains("Signature Algorithm: ecdsa-with-SHA384"),
        "{out}"
    );
    assert!(out.contains("Subject: emailAddress=admin@example.com,CN=example.com,O=ACME Examples\\, Inc,street=1 Main St+street=Floor 2"), "{out}");
    assert!(
        out.contains(
            "X509v3 Key Usage: critical\n                Digital Signature, Key Encipherment"
        ),
        "{out}"
    );
    assert!(out.contains("TLS Web Server Authentication"), "{out}");
    assert!(
        out.contains("X509v3 Basic Constraints: critical\n                CA:FALSE"),
        "{out}"
    );
    assert!(out.contains("X509v3 Subject Key Identifier"), "{out}");
    assert!(out.contains("X509v3 Authority Key Identifier"), "{out}");
    assert!(out.contains(
        "DNS:example.com, DNS:www.example.com, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, URI:spiffe://example.com/service"
    ), "{out}");
    let serial =
        openssl(&["x509", "-in", "cert.pem", "-noout", "-serial"], &files).unwrap_or_default();
    let hex = serial.trim().trim_start_matches("serial=");
    assert_eq!(u128::from_str_radix(hex, 16).ok(), id.parse::<u128>().ok());
    let dates =
        openssl(&["x509", "-in", "cert.pem", "-noout", "-enddate"], &files).unwrap_or_default();
    let expected = end
        .with_timezone(&chrono::Utc)
        .format("%b %e %H:%M:%S %Y GMT")
        .to_string();
    assert_eq!(dates.trim(), format!("notAfter={expected}"));
}

#[tokio::test]
async fn self_signed_ca_verifies_itself() {
    let provider = test_provider();
    for algorithm in ["RSA", "ED25519", "ECDSA"] {
        let key = new_key(&provider, algorithm, vec![]).await;
        let config = self_signed_config(
            &text(&key, "private_key_pem"),
            vec![
                ("subject", subject(vec![("common_name", s("Test CA"))])),
                ("is_ca_certificate", Value::Bool(true)),
                ("max_path_length", Value::int(2)),
                ("allowed_uses", strings(&["cert_signing", "crl_signing"])),
            ],
        );
        let state = create(&provider, schema::SELF_SIGNED_CERT, &config).await;
        assert_eq!(get(&state, "max_path_length"), &Value::int(2));
        let cert = text(&state, "cert_pem");
        let files = [("ca.pem", cert.as_str())];
        if let Some(out) = openssl(&["x509", "-in", "ca.pem", "-noout", "-text"], &files) {
            assert!(out.contains("CA:TRUE, pathlen:2"), "{out}");
            assert!(out.contains("Certificate Sign, CRL Sign"), "{out}");
            assert!(out.contains("X509v3 Subject Key Identifier"), "{out}");
            let verified =
                openssl(&["verify", "-CAfile", "ca.pem", "ca.pem"], &files).unwrap_or_default();
            assert!(verified.contains("ca.pem: OK"), "{algorithm}: {verified}");
        }
    }
}

#[tokio::test]
async fn certificate_creation_errors_match_upstream() {
    let provider = test_provider();
    let key = new_key(&provider, "ED25519", vec![]).await;
    let pem = text(&key, "private_key_pem");
    let no_subject = self_signed_config(&pem, vec![("is_ca_certificate", Value::Bool(true))]);
    let err = create_error(&provider, schema::SELF_SIGNED_CERT, &no_subject).await;
    assert_eq!(err.summary, "Invalid Certificate Subject");
    let path_len = self_signed_config(&pem, vec![("max_path_length", Value::int(3))]);
    let err = create_error(&provider, schema::SELF_SIGNED_CERT, &path_len).await;
    assert_eq!(
        (err.summary.as_str(), err.detail.as_str()),
        (
            "Failed to create certificate",
            "x509: only CAs are allowed to specify MaxPathLen"
        )
    );
    let aki = self_signed_config(&pem, vec![("set_authority_key_id", Value::Bool(true))]);
    let err = create_error(&provider, schema::SELF_SIGNED_CERT, &aki).await;
    assert_eq!(err.detail, "Could not determine Authority Key Identifier");
    let bad_ip = self_signed_config(&pem, vec![("ip_addresses", strings(&["1.2.3"]))]);
    let err = create_error(&provider, schema::SELF_SIGNED_CERT, &bad_ip).await;
    assert_eq!(
        (err.summary.as_str(), err.detail.as_str()),
        ("Invalid IP address", "Failed to parse \"1.2.3\"")
    );
    let bad_key = self_signed_config("not a key", vec![]);
    let err = create_error(&provider, schema::SELF_SIGNED_CERT, &bad_key).await;
    assert_eq!(err.summary, "Failed to parse private key PEM");
}

#[tokio::test]
async fn certificates_are_renewed_when_due() {
    let provider = test_provider();
    let key = new_key(&provider, "ED25519", vec![]).await;
    let config = self_signed_config(
        &text(&key, "private_key_pem"),
        vec![("early_renewal_hours", Value::int(2))],
    );
    let state = create(&provider, schema::SELF_SIGNED_CERT, &config).await;

    // Not yet due: refresh keeps the state, the plan is empty.
    let (read, _) = provider
        .read(schema::SELF_SIGNED_CERT, &state, &[])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read, state);
    let plan = plan_update(&provider, schema::SELF_SIGNED_CERT, &state, &config).await;
    assert!(plan.requires_replace.is_empty());
    assert_eq!(plan.planned_state, state);

    // Changing early_renewal_hours updates in place and keeps the certificate.
    let changed = self_signed_config(
        &text(&key, "private_key_pem"),
        vec![("early_renewal_hours", Value::int(3))],
    );
    let plan = plan_update(&provider, schema::SELF_SIGNED_CERT, &state, &changed).await;
    assert!(
        plan.requires_replace.is_empty(),
        "{:?}",
        plan.requires_replace
    );
    assert_eq!(
        get(&plan.planned_state, "cert_pem"),
        get(&state, "cert_pem")
    );
    assert_eq!(
        get(&plan.planned_state, "early_renewal_hours"),
        &Value::int(3)
    );
    let applied = provider
        .apply_change(ApplyRequest {
            type_name: schema::SELF_SIGNED_CERT.into(),
            prior_state: state.clone(),
            planned_state: plan.planned_state.clone(),
            config: changed.clone(),
            planned_private: Vec::new(),
        })
        .await;
    assert_eq!(applied.new_state, plan.planned_state);

    // Ten years later: refresh flags it, the plan replaces it.
    let later = TlsProvider {
        clock: ten_years_later,
    };
    let (read, _) = later
        .read(schema::SELF_SIGNED_CERT, &state, &[])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(get(&read, "ready_for_renewal"), &Value::Bool(true));
    let plan = plan_update(&later, schema::SELF_SIGNED_CERT, &read, &config).await;
    assert_eq!(
        plan.requires_replace,
        vec![vec!["ready_for_renewal".to_string()]]
    );
    assert_eq!(
        get(&plan.planned_state, "ready_for_renewal"),
        &Value::Unknown(Type::Bool)
    );
}

#[tokio::test]
async fn certificate_argument_changes_replace() {
    let provider = test_provider();
    let key = new_key(&provider, "ED25519", vec![]).await;
    let pem = text(&key, "private_key_pem");
    let config = self_signed_config(
        &pem,
        vec![("subject", subject(vec![("common_name", s("a"))]))],
    );
    let state = create(&provider, schema::SELF_SIGNED_CERT, &config).await;
    let cases: Vec<(Vec<(&str, Value)>, &str)> = vec![
        (
            vec![("subject", subject(vec![("common_name", s("b"))]))],
            "subject",
        ),
        (
            vec![("validity_period_hours", Value::int(48))],
            "validity_period_hours",
        ),
        (vec![("dns_names", strings(&["x"]))], "dns_names"),
        (
            vec![("is_ca_certificate", Value::Bool(true))],
            "is_ca_certificate",
        ),
        (vec![("max_path_length", Value::int(1))], "max_path_length"),
    ];
    for (mut attrs, replaced) in cases {
        if replaced != "subject" {
            attrs.push(("subject", subject(vec![("common_name", s("a"))])));
        }
        let other = self_signed_config(&pem, attrs);
        let plan = plan_update(&provider, schema::SELF_SIGNED_CERT, &state, &other).await;
        assert!(
            plan.requires_replace.contains(&vec![replaced.to_string()]),
            "{replaced}: {:?}",
            plan.requires_replace
        );
    }
    // A stored hash instead of a PEM (provider 3.x) changes in place.
    let hashed = values::with_attr(
        &state,
        "private_key_pem",
        s("0123456789abcdef0123456789abcdef01234567"),
    );
    let plan = plan_update(&provider, schema::SELF_SIGNED_CERT, &hashed, &config).await;
    assert!(
        plan.requires_replace.is_empty(),
        "{:?}",
        plan.requires_replace
    );
    let other_key = new_key(&provider, "ED25519", vec![]).await;
    let config = self_signed_config(
        &text(&other_key, "private_key_pem"),
        vec![("subject", subject(vec![("common_name", s("a"))]))],
    );
    let plan = plan_update(&provider, schema::SELF_SIGNED_CERT, &state, &config).await;
    assert_eq!(
        plan.requires_replace,
        vec![vec!["private_key_pem".to_string()]]
    );
}

#[tokio::test]
async fn certificate_validation_matches_upstream() {
    let provider = test_provider();
    let config = self_signed_config(
        "k",
        vec![
            ("validity_period_hours", Value::int(-1)),
            ("allowed_uses", strings(&["server_auth", "flying"])),
            ("ip_addresses", strings(&[""])),
        ],
    );
    let diags = provider
        .validate_resource_config(schema::SELF_SIGNED_CERT, &config)
        .await;
    let details: Vec<&str> = diags.iter().map(|d| d.detail.as_str()).collect();
    assert_eq!(
        details[0],
        "Attribute validity_period_hours value must be at least 0, got: -1"
    );
    assert!(details[1].starts_with("Attribute allowed_uses[1] value must be one of: [\"any_extended\" \"cert_signing\" \"client_auth\""), "{}", details[1]);
    assert!(details[1].ends_with("\"timestamping\"], got: \"flying\""));
    assert_eq!(
        details[2],
        "Attribute ip_addresses[0] string length must be at least 1, got: 0"
    );
}

#[tokio::test]
async fn certificate_requests_verify() {
    let provider = test_provider();
    for algorithm in ["RSA", "ECDSA", "ED25519"] {
        let key = new_key(&provider, algorithm, vec![("ecdsa_curve", s("P521"))]).await;
        let config = object(
            &resource_block(schema::CERT_REQUEST),
            vec![
                ("private_key_pem", s(&text(&key, "private_key_pem"))),
                (
                    "subject",
                    subject(vec![
                        ("common_name", s("req.example.com")),
                        ("country", s("NL")),
                    ]),
                ),
                ("dns_names", strings(&["req.example.com"])),
                ("ip_addresses", strings(&["10.0.0.1"])),
            ],
        );
        let plan = plan_create(&provider, schema::CERT_REQUEST, &config).await;
        assert_eq!(
            get(&plan.planned_state, "cert_request_pem"),
            &Value::Unknown(Type::String)
        );
        let state = create(&provider, schema::CERT_REQUEST, &config).await;
        assert_eq!(text(&state, "key_algorithm"), algorithm);
        let csr = text(&state, "cert_request_pem");
        assert!(csr.starts_with("-----BEGIN CERTIFICATE REQUEST-----\n"));
        let der = pem::parse(&csr).unwrap().into_contents();
        assert_eq!(text(&state, "id"), gocompat::hash_for_state(&der));
        let files = [("req.pem", csr.as_str())];
        if let Some(out) = openssl(
            &[
                "req", "-in", "req.pem", "-verify", "-noout", "-text", "-nameopt", "RFC2253",
            ],
            &files,
        ) {
            assert!(out.contains("verify OK"), "{out}");
            assert!(out.contains("Subject: CN=req.example.com,C=NL"), "{out}");
            assert!(
                out.contains("DNS:req.example.com, IP Address:10.0.0.1"),
                "{out}"
            );
        }
        let same = plan_update(&provider, schema::CERT_REQUEST, &state, &config).await;
        assert_eq!(same.planned_state, state);
        assert!(same.requires_replace.is_empty());
    }
}

async fn make_ca(provider: &TlsProvider, algorithm: &str, is_ca: bool) -> (Value, Value) {
    let key = new_key(provider, algorithm, vec![]).await;
    let config = self_signed_config(
        &text(&key, "private_key_pem"),
        vec![
            (
                "subject",
                subject(vec![
                    ("common_name", s("Example CA")),
                    ("organization", s("Example")),
                ]),
            ),
            ("is_ca_certificate", Value::Bool(is_ca)),
            ("allowed_uses", strings(&["cert_signing"])),
        ],
    );
    (
        key,
        create(provider, schema::SELF_SIGNED_CERT, &config).await,
    )
}

async fn make_request(provider: &TlsProvider, algorithm: &str) -> Value {
    let key = new_key(provider, algorithm, vec![("ecdsa_curve", s("P256"))]).await;
    let config = object(
        &resource_block(schema::CERT_REQUEST),
        vec![
            ("private_key_pem", s(&text(&key, "private_key_pem"))),
            (
                "subject",
                subject(vec![
                    ("common_name", s("leaf.example.com")),
                    ("email_address", s("leaf@example.com")),
                ]),
            ),
            ("dns_names", strings(&["leaf.example.com"])),
            ("uris", strings(&["https://leaf.example.com/"])),
        ],
    );
    create(provider, schema::CERT_REQUEST, &config).await
}

fn locally_signed_config(
    request: &Value,
    ca_key: &Value,
    ca_cert: &Value,
    attrs: Vec<(&str, Value)>,
) -> Value {
    let mut all = vec![
        ("cert_request_pem", get(request, "cert_request_pem").clone()),
        ("ca_private_key_pem", get(ca_key, "private_key_pem").clone()),
        ("ca_cert_pem", get(ca_cert, "cert_pem").clone()),
        ("validity_period_hours", Value::int(12)),
        (
            "allowed_uses",
            strings(&["server_auth", "client_auth", "digital_signature"]),
        ),
    ];
    all.extend(attrs);
    object(&resource_block(schema::LOCALLY_SIGNED_CERT), all)
}

#[tokio::test]
async fn locally_signed_certificates_chain_to_their_ca() {
    let provider = test_provider();
    for (ca_algorithm, leaf_algorithm) in
        [("RSA", "ECDSA"), ("ECDSA", "ED25519"), ("ED25519", "RSA")]
    {
        let (ca_key, ca_cert) = make_ca(&provider, ca_algorithm, true).await;
        let request = make_request(&provider, leaf_algorithm).await;
        let config = locally_signed_config(
            &request,
            &ca_key,
            &ca_cert,
            vec![("set_subject_key_id", Value::Bool(true))],
        );
        let plan = plan_create(&provider, schema::LOCALLY_SIGNED_CERT, &config).await;
        assert_eq!(
            get(&plan.planned_state, "ca_key_algorithm"),
            &Value::Unknown(Type::String)
        );
        let state = create(&provider, schema::LOCALLY_SIGNED_CERT, &config).await;
        assert_eq!(text(&state, "ca_key_algorithm"), ca_algorithm);
        let cert = text(&state, "cert_pem");
        let ca = text(&ca_cert, "cert_pem");
        let files = [("ca.pem", ca.as_str()), ("cert.pem", cert.as_str())];
        let Some(out) = openssl(
            &[
                "x509", "-in", "cert.pem", "-noout", "-text", "-nameopt", "RFC2253",
            ],
            &files,
        ) else {
            continue;
        };
        assert!(out.contains("Issuer: CN=Example CA,O=Example"), "{out}");
        // Go drops the request's email address from the subject and the alternative names.
        assert!(out.contains("Subject: CN=leaf.example.com\n"), "{out}");
        assert!(
            out.contains("DNS:leaf.example.com, URI:https://leaf.example.com/"),
            "{out}"
        );
        assert!(out.contains("X509v3 Authority Key Identifier"), "{out}");
        assert!(out.contains("X509v3 Subject Key Identifier"), "{out}");
        let verified =
            openssl(&["verify", "-CAfile", "ca.pem", "cert.pem"], &files).unwrap_or_default();
        assert!(
            verified.contains("cert.pem: OK"),
            "{ca_algorithm}/{leaf_algorithm}: {verified}"
        );
    }
}

#[tokio::test]
async fn locally_signed_warns_about_non_ca_and_refuses_a_foreign_key() {
    let provider = test_provider();
    let (ca_key, ca_cert) = make_ca(&provider, "ED25519", false).await;
    let request = make_request(&provider, "ED25519").await;
    let config = locally_signed_config(&request, &ca_key, &ca_cert, vec![]);
    let plan = plan_create(&provider, schema::LOCALLY_SIGNED_CERT, &config).await;
    let applied = provider
        .apply_change(ApplyRequest {
            type_name: schema::LOCALLY_SIGNED_CERT.into(),
            prior_state: Value::Null(config.ty()),
            planned_state: plan.planned_state,
            config: config.clone(),
            planned_private: Vec::new(),
        })
        .await;
    assert!(!applied.diagnostics.has_errors());
    assert_eq!(
        applied.diagnostics.0[0].summary,
        "Potentially Invalid Certificate Authority"
    );

    let stranger = new_key(&provider, "ED25519", vec![]).await;
    let config = locally_signed_config(&request, &stranger, &ca_cert, vec![]);
    let err = create_error(&provider, schema::LOCALLY_SIGNED_CERT, &config).await;
    assert_eq!(
        err.detail,
        "x509: provided PrivateKey doesn't match parent's PublicKey"
    );

    let config = locally_signed_config(&request, &ca_key, &ca_cert, vec![]);
    let config = values::with_attr(
        &config,
        "ca_cert_pem",
        get(&request, "cert_request_pem").clone(),
    );
    let err = create_error(&provider, schema::LOCALLY_SIGNED_CERT, &config).await;
    assert_eq!(err.summary, "Failed to parse CA certificate PEM");
    assert_eq!(
        err.detail,
        "invalid PEM type - expected \"CERTIFICATE\", got \"CERTIFICATE REQUEST\""
    );
}

#[tokio::test]
async fn certificate_state_is_read_as_stored() {
    let provider = test_provider();
    let raw = serde_json::json!({
        "cert_request_pem": "x",
        "key_algorithm": "RSA",
        "validity_period_hours": 5,
        "allowed_uses": ["server_auth"],
        "ready_for_renewal": false,
    });
    let state = provider
        .upgrade_state(schema::LOCALLY_SIGNED_CERT, 0, &raw)
        .await
        .unwrap();
    assert_eq!(get(&state, "validity_period_hours"), &Value::int(5));
    assert!(get(&state, "max_path_length").is_null());
    let err = provider
        .upgrade_state(schema::SELF_SIGNED_CERT, 1, &raw)
        .await
        .unwrap_err();
    assert!(err.0[0]
        .detail
        .contains("implemented without an UpgradeState() method"));
}

// ---------------------------------------------------------------- data sources

#[tokio::test]
async fn public_key_data_source_matches_the_key() {
    let provider = test_provider();
    for algorithm in ["RSA", "ECDSA", "ED25519"] {
        let key = new_key(&provider, algorithm, vec![("ecdsa_curve", s("P384"))]).await;
        for input in [
            "private_key_pem",
            "private_key_openssh",
            "private_key_pem_pkcs8",
        ] {
            let attribute = if input == "private_key_openssh" {
                "private_key_openssh"
            } else {
                "private_key_pem"
            };
            let config = object(
                &data_block(schema::PUBLIC_KEY),
                vec![(attribute, get(&key, input).clone())],
            );
            assert!(provider
                .validate_data_source_config(schema::PUBLIC_KEY, &config)
                .await
                .is_empty());
            let state = provider
                .read_data_source(schema::PUBLIC_KEY, &config)
                .await
                .unwrap();
            assert_eq!(text(&state, "algorithm"), algorithm);
            for name in [
                "public_key_pem",
                "public_key_openssh",
                "public_key_fingerprint_md5",
                "public_key_fingerprint_sha256",
                "id",
            ] {
                assert_eq!(
                    get(&state, name),
                    get(&key, name),
                    "{algorithm} {input} {name}"
                );
            }
        }
    }
    let none = object(&data_block(schema::PUBLIC_KEY), vec![]);
    let diags = provider
        .validate_data_source_config(schema::PUBLIC_KEY, &none)
        .await;
    assert_eq!(diags.0.len(), 2);
    assert_eq!(
        diags.0[0].detail,
        "No attribute specified when one (and only one) of [private_key_pem,private_key_openssh] is required"
    );
    let bad = object(
        &data_block(schema::PUBLIC_KEY),
        vec![("private_key_pem", s("junk"))],
    );
    let err = provider
        .read_data_source(schema::PUBLIC_KEY, &bad)
        .await
        .unwrap_err();
    assert_eq!(err.0[0].summary, "Unable to parse private key");
}

#[tokio::test]
async fn certificate_data_source_reads_content() {
    let provider = test_provider();
    let (_, ca) = make_ca(&provider, "RSA", true).await;
    let config = object(
        &data_block(schema::CERTIFICATE),
        vec![("content", get(&ca, "cert_pem").clone())],
    );
    let state = provider
        .read_data_source(schema::CERTIFICATE, &config)
        .await
        .unwrap();
    assert_eq!(get(&state, "verify_chain"), &Value::Bool(true));
    assert!(is_hex(&text(&state, "id"), 40));
    let certs = get(&state, "certificates").as_seq().unwrap();
    assert_eq!(certs.len(), 1);
    let cert = &certs[0];
    assert_eq!(text(cert, "signature_algorithm"), "SHA256-RSA");
    assert_eq!(text(cert, "public_key_algorithm"), "RSA");
    assert_eq!(text(cert, "serial_number"), text(&ca, "id"));
    assert_eq!(get(cert, "is_ca"), &Value::Bool(true));
    assert_eq!(get(cert, "max_path_length"), &Value::int(-1));
    assert_eq!(get(cert, "version"), &Value::int(3));
    assert_eq!(text(cert, "subject"), "CN=Example CA,O=Example");
    assert_eq!(text(cert, "issuer"), "CN=Example CA,O=Example");
    assert_eq!(text(cert, "cert_pem"), text(&ca, "cert_pem"));
    assert!(text(cert, "not_after").ends_with('Z'));
    let files = [("ca.pem", text(&ca, "cert_pem"))];
    let files: Vec<(&str, &str)> = files.iter().map(|(n, c)| (*n, c.as_str())).collect();
    if let Some(out) = openssl(
        &["x509", "-in", "ca.pem", "-noout", "-fingerprint", "-sha1"],
        &files,
    ) {
        let expected = out
            .trim()
            .rsplit('=')
            .next()
            .unwrap_or("")
            .replace(':', "")
            .to_lowercase();
        assert_eq!(text(cert, "sha1_fingerprint"), expected);
    }

    let url = object(
        &data_block(schema::CERTIFICATE),
        vec![("url", s("https://example.com"))],
    );
    assert!(provider
        .validate_data_source_config(schema::CERTIFICATE, &url)
        .await
        .is_empty());
    let err = provider
        .read_data_source(schema::CERTIFICATE, &url)
        .await
        .unwrap_err();
    assert_eq!(err.0[0].summary, "Fetching certificates is not supported");
    let ftp = object(
        &data_block(schema::CERTIFICATE),
        vec![("url", s("ftp://example.com"))],
    );
    let diags = provider
        .validate_data_source_config(schema::CERTIFICATE, &ftp)
        .await;
    assert_eq!(
        diags.0[0].detail,
        "URL \"ftp://example.com\" expected to use scheme from [\"https\" \"tls\"], got: \"ftp\""
    );
}

#[tokio::test]
async fn sensitive_marks_on_inputs_are_ignored() {
    let provider = test_provider();
    let key = new_key(&provider, "ED25519", vec![]).await;
    let config = object(
        &data_block(schema::PUBLIC_KEY),
        vec![(
            "private_key_pem",
            get(&key, "private_key_pem").clone().mark(),
        )],
    );
    let state = provider
        .read_data_source(schema::PUBLIC_KEY, &config)
        .await
        .unwrap();
    assert_eq!(get(&state, "id"), get(&key, "id"));
}

#[test]
fn address_and_constructor() {
    assert_eq!(ADDRESS, "registry.terraform.io/hashicorp/tls");
    assert!(provider()
        .schema()
        .resources
        .contains_key("tls_private_key"));
}

// ---------------------------------------------------------------- byte compatibility with Go

/// Certificates, a request and keys made by Go's crypto/x509 (the library the upstream
/// provider uses) from the same Ed25519 key, serial numbers and time, with the provider's
/// settings; Ed25519 signatures being deterministic, ours must be byte for byte the same.
mod go_fixtures {
    pub const ED25519_KEY: &str = include_str!("testdata/ed25519_key.pem");
    pub const SELF_SIGNED: &str = include_str!("testdata/go_self_signed.pem");
    pub const CA: &str = include_str!("testdata/go_ca.pem");
    pub const NO_SUBJECT: &str = include_str!("testdata/go_no_subject.pem");
    pub const REQUEST: &str = include_str!("testdata/go_request.pem");
    pub const LOCALLY_SIGNED: &str = include_str!("testdata/go_locally_signed.pem");
}

fn go_time() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z").unwrap()
}

fn fixture_template(
    subject: x509::DistinguishedName,
    hours: i64,
    uses: &[&str],
) -> x509::CertificateTemplate {
    x509::CertificateTemplate {
        subject,
        alt_names: x509::AltNames::default(),
        validity_period_hours: hours,
        allowed_uses: uses.iter().map(|u| u.to_string()).collect(),
        is_ca: false,
        max_path_length: None,
        set_subject_key_id: false,
        set_authority_key_id: false,
    }
}

#[test]
fn certificates_and_requests_are_byte_identical_to_go() {
    let key = keys::PrivateKey::parse_pem(go_fixtures::ED25519_KEY).unwrap();
    let spki = key.public_key_info().unwrap();

    let mut full = fixture_template(
        x509::DistinguishedName {
            common_name: "example.com".into(),
            organization: vec!["ACME Examples, Inc".into()],
            street_address: Some(vec!["1 Main St".into(), "Floor 2".into()]),
            email_address: Some("admin@example.com".into()),
            ..Default::default()
        },
        24,
        &[
            "key_encipherment",
            "digital_signature",
            "server_auth",
            "client_auth",
            "decipher_only",
        ],
    );
    full.alt_names = x509::AltNames {
        dns_names: vec!["example.com".into(), "www.example.com".into()],
        email_addresses: Vec::new(),
        ip_addresses: vec![
            "127.0.0.1".parse().unwrap(),
            "::1".parse().unwrap(),
            "::ffff:10.0.0.1".parse().unwrap(),
        ],
        uris: vec!["spiffe://example.com/service".into()],
    };
    full.set_subject_key_id = true;
    full.set_authority_key_id = true;
    let created = x509::create_certificate(
        &full,
        &spki,
        x509::Issuer::SelfSigned(&key),
        go_time(),
        12345,
    )
    .unwrap();
    assert_eq!(created.cert_pem, go_fixtures::SELF_SIGNED);

    let mut ca = fixture_template(
        x509::DistinguishedName {
            common_name: "Test CA".into(),
            country: vec!["NL".into()],
            organizational_unit: vec!["Ops*".into()],
            ..Default::default()
        },
        100,
        &["cert_signing", "crl_signing"],
    );
    ca.is_ca = true;
    ca.max_path_length = Some(2);
    let created = x509::create_certificate(
        &ca,
        &spki,
        x509::Issuer::SelfSigned(&key),
        go_time(),
        1 << 127,
    )
    .unwrap();
    assert_eq!(created.cert_pem, go_fixtures::CA);

    let mut bare = fixture_template(x509::DistinguishedName::default(), 1, &[]);
    bare.alt_names.dns_names = vec!["only.example".into()];
    let created =
        x509::create_certificate(&bare, &spki, x509::Issuer::SelfSigned(&key), go_time(), 0)
            .unwrap();
    assert_eq!(created.cert_pem, go_fixtures::NO_SUBJECT);

    let subject = x509::DistinguishedName {
        common_name: "leaf".into(),
        organization: vec!["Ünïcode Org".into()],
        email_address: Some("x@y.z".into()),
        serial_number: "42".into(),
        ..Default::default()
    };
    let names = x509::AltNames {
        dns_names: vec!["leaf.example".into()],
        email_addresses: Vec::new(),
        ip_addresses: vec!["10.1.2.3".parse().unwrap()],
        uris: vec!["https://leaf.example/".into()],
    };
    let request = x509::create_certificate_request(&subject, &names, &key).unwrap();
    assert_eq!(
        gocompat::pem_encode(keys::PEM_CERTIFICATE_REQUEST, &request),
        go_fixtures::REQUEST
    );

    // The CA above signs the request (the provider drops the request's email address).
    let authority = x509::parse_certificate(go_fixtures::CA).unwrap();
    let parsed = x509::parse_certificate_request(go_fixtures::REQUEST).unwrap();
    let mut leaf = fixture_template(parsed.subject, 12, &["server_auth"]);
    leaf.alt_names = x509::AltNames {
        email_addresses: Vec::new(),
        ..parsed.alt_names
    };
    leaf.set_subject_key_id = true;
    let issuer = x509::Issuer::Authority {
        certificate: &authority,
        key: &key,
    };
    let created =
        x509::create_certificate(&leaf, &parsed.public_key, issuer, go_time(), 777).unwrap();
    assert_eq!(created.cert_pem, go_fixtures::LOCALLY_SIGNED);
}

#[tokio::test]
async fn certificate_data_source_is_identical_to_go() {
    let provider = test_provider();
    let read = |content: &str| {
        object(
            &data_block(schema::CERTIFICATE),
            vec![("content", s(content))],
        )
    };
    let state = provider
        .read_data_source(schema::CERTIFICATE, &read(go_fixtures::SELF_SIGNED))
        .await
        .unwrap();
    assert_eq!(
        text(&state, "id"),
        "c1ed1a21d7c1ce19829ededc417f24ecf7c52f97"
    );
    let cert = &get(&state, "certificates").as_seq().unwrap()[0];
    let email = "1.2.840.113549.1.9.1=#0c1161646d696e406578616d706c652e636f6d";
    assert_eq!(
        text(cert, "subject"),
        format!("CN=example.com,O=ACME Examples\\, Inc,STREET=Floor 2+STREET=1 Main St,{email}")
    );
    assert_eq!(text(cert, "signature_algorithm"), "Ed25519");
    assert_eq!(text(cert, "public_key_algorithm"), "Ed25519");
    assert_eq!(text(cert, "serial_number"), "12345");
    assert_eq!(get(cert, "max_path_length"), &Value::int(-1));
    assert_eq!(text(cert, "not_before"), "2024-01-01T00:00:00Z");
    assert_eq!(
        text(cert, "sha1_fingerprint"),
        "c96736b5b63c70aa9e2ca1757cd1524e94579524"
    );

    let state = provider
        .read_data_source(schema::CERTIFICATE, &read(go_fixtures::LOCALLY_SIGNED))
        .await
        .unwrap();
    assert_eq!(
        text(&state, "id"),
        "01ecd5530a86d45ba7ba064557e7d35474026053"
    );
    let cert = &get(&state, "certificates").as_seq().unwrap()[0];
    assert_eq!(
        text(cert, "subject"),
        "SERIALNUMBER=42,CN=leaf,O=Ünïcode Org"
    );
    assert_eq!(text(cert, "issuer"), "CN=Test CA,OU=Ops*,C=NL");

    let state = provider
        .read_data_source(schema::CERTIFICATE, &read(go_fixtures::CA))
        .await
        .unwrap();
    let cert = &get(&state, "certificates").as_seq().unwrap()[0];
    assert_eq!(get(cert, "max_path_length"), &Value::int(2));
    assert_eq!(get(cert, "is_ca"), &Value::Bool(true));
}

#[test]
fn key_encodings_are_byte_identical_to_go() {
    for (native, pkcs8, public) in [
        (
            include_str!("testdata/k224_native.pem"),
            include_str!("testdata/k224_pkcs8.pem"),
            include_str!("testdata/k224_pub.pem"),
        ),
        (
            include_str!("testdata/k521_native.pem"),
            include_str!("testdata/k521_pkcs8.pem"),
            include_str!("testdata/k521_pub.pem"),
        ),
        (
            include_str!("testdata/krsa_native.pem"),
            include_str!("testdata/krsa_pkcs8.pem"),
            include_str!("testdata/krsa_pub.pem"),
        ),
    ] {
        for input in [native, pkcs8] {
            let key = keys::PrivateKey::parse_pem(input).unwrap();
            assert_eq!(key.to_native_pem().unwrap(), native);
            assert_eq!(key.to_pkcs8_pem().unwrap(), pkcs8);
            assert_eq!(
                keys::public_key_attributes(&key).unwrap().public_key_pem,
                public
            );
        }
    }
}
