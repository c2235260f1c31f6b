//! `tls_self_signed_cert`, `tls_locally_signed_cert` and `tls_cert_request`: planning with
//! the upstream plan modifiers (renewal: `ready_for_renewal` and replacement once the early
//! renewal time has come), creation, updates that only take the plan, and refresh.

use crate::gocompat::{go_time_text, hash_for_state, parse_go_rfc3339, pem_encode};
use crate::keys::{self, PrivateKey};
use crate::plan_rules::{self, AttributeRules};
use crate::schema::{self, CERT_REQUEST, LOCALLY_SIGNED_CERT, SELF_SIGNED_CERT};
use crate::values::{
    attr, get_bool, get_i64, get_str, get_str_list, is_null, string, unknowns_to_null, with_attr,
};
use crate::x509::{self, AltNames, CertificateTemplate, DistinguishedName, Issuer};
use chrono::{DateTime, FixedOffset};
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::provider::framework;
use terrane_engine::provider::{ApplyRequest, ApplyResponse, Block, PlanRequest, PlanResponse};
use terrane_engine::value::{Type, Value};

fn block(type_name: &str) -> Block {
    schema::provider_schema()
        .resources
        .get(type_name)
        .map(|s| s.block.clone())
        .unwrap_or_default()
}

fn rules(type_name: &str) -> Vec<AttributeRules> {
    let names = || {
        vec![
            AttributeRules::new("dns_names").replace(),
            AttributeRules::new("ip_addresses").replace(),
            AttributeRules::new("uris").replace(),
        ]
    };
    let certificate = || {
        vec![
            AttributeRules::new("validity_period_hours").replace(),
            AttributeRules::new("allowed_uses").replace(),
            AttributeRules::new("early_renewal_hours").default(0),
            AttributeRules::new("is_ca_certificate")
                .default(false)
                .replace(),
            AttributeRules::new("max_path_length")
                .keep_state()
                .replace(),
            AttributeRules::new("set_subject_key_id")
                .default(false)
                .replace(),
            AttributeRules::new("cert_pem").keep_state(),
            AttributeRules::new("ready_for_renewal").default(false),
            AttributeRules::new("validity_start_time").keep_state(),
            AttributeRules::new("validity_end_time").keep_state(),
            AttributeRules::new("id").keep_state(),
        ]
    };
    let mut rules = Vec::new();
    match type_name {
        SELF_SIGNED_CERT => {
            rules.push(AttributeRules::new("private_key_pem").replace_if_pem());
            rules.extend(names());
            rules.extend(certificate());
            rules.push(
                AttributeRules::new("set_authority_key_id")
                    .default(false)
                    .replace(),
            );
            rules.push(AttributeRules::new("key_algorithm").keep_state());
        }
        LOCALLY_SIGNED_CERT => {
            rules.push(AttributeRules::new("cert_request_pem").replace_if_pem());
            rules.push(AttributeRules::new("ca_private_key_pem").replace_if_pem());
            rules.push(AttributeRules::new("ca_cert_pem").replace_if_pem());
            rules.extend(certificate());
            rules.push(AttributeRules::new("ca_key_algorithm").keep_state());
        }
        _ => {
            rules.push(AttributeRules::new("private_key_pem").replace_if_pem());
            rules.extend(names());
            rules.push(AttributeRules::new("key_algorithm").keep_state());
            rules.push(AttributeRules::new("cert_request_pem").keep_state());
            rules.push(AttributeRules::new("id").keep_state());
        }
    }
    rules
}

fn is_certificate(type_name: &str) -> bool {
    type_name == SELF_SIGNED_CERT || type_name == LOCALLY_SIGNED_CERT
}

/// The configuration checks the schema's validators make.
pub(crate) fn validate(type_name: &str, config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if is_certificate(type_name) {
        framework::at_least(
            "validity_period_hours",
            attr(config, "validity_period_hours"),
            0,
            &mut diags,
        );
        let usages = x509::supported_key_usages();
        framework::each_element(config, "allowed_uses", |path, value| {
            framework::one_of(path, Some(value), &usages, &mut diags)
        });
        framework::at_least(
            "early_renewal_hours",
            attr(config, "early_renewal_hours"),
            0,
            &mut diags,
        );
        framework::at_least(
            "max_path_length",
            attr(config, "max_path_length"),
            -1,
            &mut diags,
        );
    }
    if type_name != LOCALLY_SIGNED_CERT {
        for name in ["ip_addresses", "uris"] {
            framework::each_element(config, name, |path, value| {
                framework::length_at_least(path, value, 1, &mut diags)
            });
        }
        framework::size_between(config, "subject", 0, 1, &mut diags);
    }
    diags
}

/// Whether the certificate ending at `end` is due for renewal at `now`.
fn due_for_renewal(
    end: &DateTime<FixedOffset>,
    early_renewal_hours: i64,
    now: &DateTime<FixedOffset>,
) -> bool {
    let early = chrono::Duration::nanoseconds(early_renewal_hours.wrapping_mul(-3_600_000_000_000));
    *end + early <= *now
}

pub(crate) fn plan(
    type_name: &str,
    request: &PlanRequest,
    now: DateTime<FixedOffset>,
) -> PlanResponse {
    let replace_blocks: &[&str] = if type_name == LOCALLY_SIGNED_CERT {
        &[]
    } else {
        &["subject"]
    };
    let mut plan = plan_rules::plan(
        &block(type_name),
        &rules(type_name),
        replace_blocks,
        request,
    );
    let mut diagnostics = Diagnostics::new();
    if is_certificate(type_name) && !plan.state.is_null() {
        // The ready_for_renewal attribute modifier.
        let validity = attr(&plan.state, "validity_period_hours");
        let validity_hours = validity
            .filter(|v| v.is_known())
            .and_then(Value::as_number)
            .and_then(|n| n.to_i64())
            .unwrap_or(0);
        if validity_hours == 0 {
            plan.state = with_attr(&plan.state, "ready_for_renewal", Value::Bool(true));
        } else if let Some(early) = get_i64(&plan.state, "early_renewal_hours") {
            if early >= validity_hours {
                plan.state = with_attr(&plan.state, "ready_for_renewal", Value::Bool(true));
            }
        }
        // The resource's ModifyPlan: replace once the early renewal time has come.
        if let Some(end) = get_str(&plan.state, "validity_end_time") {
            match parse_go_rfc3339(end) {
                Ok(end) => {
                    let early = get_i64(&plan.state, "early_renewal_hours").unwrap_or(0);
                    if due_for_renewal(&end, early, &now) {
                        plan.state =
                            with_attr(&plan.state, "ready_for_renewal", Value::Unknown(Type::Bool));
                        plan.requires_replace.push(vec!["ready_for_renewal".into()]);
                    }
                }
                Err(e) => diagnostics.push(Diagnostic::error(
                    format!("Failed to parse data from string: {end}"),
                    e,
                )),
            }
        }
    }
    PlanResponse {
        planned_state: plan.state,
        requires_replace: plan.requires_replace,
        planned_private: request.prior_private.clone(),
        diagnostics,
    }
}

/// The subject configured in a `subject` block (null or empty list: the zero name).
fn configured_subject(state: &Value) -> DistinguishedName {
    let Some(subject) = attr(state, "subject")
        .and_then(Value::as_seq)
        .and_then(|items| items.first())
    else {
        return DistinguishedName::default();
    };
    let single = |name: &str| {
        get_str(subject, name)
            .map(|s| vec![s.to_string()])
            .unwrap_or_default()
    };
    DistinguishedName {
        country: single("country"),
        province: single("province"),
        locality: single("locality"),
        street_address: get_str_list(subject, "street_address"),
        postal_code: single("postal_code"),
        organization: single("organization"),
        organizational_unit: single("organizational_unit"),
        common_name: get_str(subject, "common_name")
            .unwrap_or_default()
            .to_string(),
        serial_number: get_str(subject, "serial_number")
            .unwrap_or_default()
            .to_string(),
        email_address: get_str(subject, "email_address").map(str::to_string),
        parsed_attributes: 0,
    }
}

/// The alternative names configured on a self-signed certificate or request.
fn configured_alt_names(state: &Value) -> Result<AltNames, Diagnostics> {
    let mut names = AltNames {
        dns_names: get_str_list(state, "dns_names").unwrap_or_default(),
        ..AltNames::default()
    };
    for text in get_str_list(state, "ip_addresses").unwrap_or_default() {
        let ip = x509::parse_ip(&text).map_err(|(s, d)| Diagnostic::error(s, d))?;
        names.ip_addresses.push(ip);
    }
    for text in get_str_list(state, "uris").unwrap_or_default() {
        let uri = x509::parse_uri(&text).map_err(|(s, d)| Diagnostic::error(s, d))?;
        names.uris.push(uri);
    }
    Ok(names)
}

/// The certificate settings common to both certificate resources.
fn template(state: &Value, subject: DistinguishedName, alt_names: AltNames) -> CertificateTemplate {
    CertificateTemplate {
        subject,
        alt_names,
        validity_period_hours: get_i64(state, "validity_period_hours").unwrap_or(0),
        allowed_uses: get_str_list(state, "allowed_uses").unwrap_or_default(),
        is_ca: get_bool(state, "is_ca_certificate").unwrap_or(false),
        max_path_length: get_i64(state, "max_path_length"),
        set_subject_key_id: get_bool(state, "set_subject_key_id").unwrap_or(false),
        set_authority_key_id: get_bool(state, "set_authority_key_id").unwrap_or(false),
    }
}

/// Stores a created certificate's values on the planned state.
fn with_certificate(planned: &Value, created: x509::CreatedCertificate) -> Value {
    let mut state = planned.clone();
    if crate::values::is_unknown(&state, "max_path_length") {
        state = with_attr(&state, "max_path_length", Value::Null(Type::Number));
    }
    if crate::values::is_unknown(&state, "ready_for_renewal") {
        state = with_attr(&state, "ready_for_renewal", Value::Bool(false));
    }
    state = with_attr(&state, "id", string(created.serial));
    state = with_attr(&state, "cert_pem", string(created.cert_pem));
    state = with_attr(
        &state,
        "validity_start_time",
        string(go_time_text(&created.not_before)),
    );
    with_attr(
        &state,
        "validity_end_time",
        string(go_time_text(&created.not_after)),
    )
}

fn create_self_signed(planned: &Value, now: DateTime<FixedOffset>) -> Result<Value, Diagnostics> {
    let key = PrivateKey::parse_pem(get_str(planned, "private_key_pem").unwrap_or_default())
        .map_err(|e| Diagnostic::error("Failed to parse private key PEM", e))?;
    let state = with_attr(planned, "key_algorithm", string(key.algorithm()));
    let template = template(
        &state,
        configured_subject(&state),
        configured_alt_names(&state)?,
    );
    let public_key = key
        .public_key_info()
        .map_err(|e| Diagnostic::error("Failed to get public key from private key", e))?;
    let created = x509::create_certificate(
        &template,
        &public_key,
        Issuer::SelfSigned(&key),
        now,
        rand::random(),
    )
    .map_err(|(s, d)| Diagnostic::error(s, d))?;
    Ok(with_certificate(&state, created))
}

fn create_locally_signed(
    planned: &Value,
    now: DateTime<FixedOffset>,
    warnings: &mut Diagnostics,
) -> Result<Value, Diagnostics> {
    let request =
        x509::parse_certificate_request(get_str(planned, "cert_request_pem").unwrap_or_default())
            .map_err(|e| Diagnostic::error("Failed to parse certificate request PEM", e))?;
    let ca_key = PrivateKey::parse_pem(get_str(planned, "ca_private_key_pem").unwrap_or_default())
        .map_err(|e| Diagnostic::error("Failed to parse CA private key PEM", e))?;
    let state = with_attr(planned, "ca_key_algorithm", string(ca_key.algorithm()));
    let ca_cert = x509::parse_certificate(get_str(planned, "ca_cert_pem").unwrap_or_default())
        .map_err(|e| Diagnostic::error("Failed to parse CA certificate PEM", e))?;
    if !ca_cert.is_ca {
        warnings.push(Diagnostic::warning(
            "Potentially Invalid Certificate Authority",
            "Certificate provided as Authority does not appear to be a valid Certificate Authority. The resulting certificate might fail certificate validation.",
        ));
    }
    let alt_names = AltNames {
        email_addresses: Vec::new(),
        ..request.alt_names
    };
    let template = template(&state, request.subject, alt_names);
    let issuer = Issuer::Authority {
        certificate: &ca_cert,
        key: &ca_key,
    };
    let created =
        x509::create_certificate(&template, &request.public_key, issuer, now, rand::random())
            .map_err(|(s, d)| Diagnostic::error(s, d))?;
    Ok(with_certificate(&state, created))
}

fn create_request(planned: &Value) -> Result<Value, Diagnostics> {
    let key = PrivateKey::parse_pem(get_str(planned, "private_key_pem").unwrap_or_default())
        .map_err(|e| Diagnostic::error("Failed to parse private key PEM", e))?;
    let state = with_attr(planned, "key_algorithm", string(key.algorithm()));
    let subject = configured_subject(&state);
    let alt_names = configured_alt_names(&state)?;
    let der = x509::create_certificate_request(&subject, &alt_names, &key)
        .map_err(|e| Diagnostic::error("Error creating certificate request", e))?;
    let state = with_attr(
        &state,
        "cert_request_pem",
        string(pem_encode(keys::PEM_CERTIFICATE_REQUEST, &der)),
    );
    Ok(with_attr(&state, "id", string(hash_for_state(&der))))
}

pub(crate) fn apply(
    type_name: &str,
    request: &ApplyRequest,
    now: DateTime<FixedOffset>,
) -> ApplyResponse {
    let mut warnings = Diagnostics::new();
    let planned = &request.planned_state;
    let result = if planned.is_null() {
        Ok(planned.clone())
    } else if request.prior_state.is_null() {
        match type_name {
            SELF_SIGNED_CERT => create_self_signed(planned, now),
            LOCALLY_SIGNED_CERT => create_locally_signed(planned, now, &mut warnings),
            _ => create_request(planned),
        }
    } else {
        Ok(unknowns_to_null(planned))
    };
    match result {
        Ok(new_state) => ApplyResponse {
            new_state,
            private: request.planned_private.clone(),
            diagnostics: warnings,
        },
        Err(errors) => {
            warnings.extend(errors);
            ApplyResponse {
                new_state: request.prior_state.clone(),
                private: request.planned_private.clone(),
                diagnostics: warnings,
            }
        }
    }
}

/// Refresh: certificates flag `ready_for_renewal` once the early renewal time has come.
pub(crate) fn read(
    type_name: &str,
    state: &Value,
    now: DateTime<FixedOffset>,
) -> Result<Value, Diagnostics> {
    if !is_certificate(type_name) || is_null(state, "validity_end_time") {
        return Ok(state.clone());
    }
    let Some(end_text) = get_str(state, "validity_end_time") else {
        return Ok(state.clone());
    };
    let end = parse_go_rfc3339(end_text).map_err(|e| {
        Diagnostic::error(format!("Failed to parse data from string: {end_text}"), e)
    })?;
    let early = get_i64(state, "early_renewal_hours").unwrap_or(0);
    if due_for_renewal(&end, early, &now) {
        return Ok(with_attr(state, "ready_for_renewal", Value::Bool(true)));
    }
    Ok(state.clone())
}

/// These resources have always had schema version 0: the stored JSON is read as is.
pub(crate) fn upgrade(
    type_name: &str,
    version: u64,
    raw: &serde_json::Value,
) -> Result<Value, Diagnostics> {
    if version == 0 {
        framework::decode_state(&block(type_name), raw)
    } else {
        Err(framework::no_upgrader(version, false))
    }
}

/// The type names this module serves.
pub(crate) const TYPES: [&str; 3] = [SELF_SIGNED_CERT, LOCALLY_SIGNED_CERT, CERT_REQUEST];
