//! `tls_private_key`: generates a key at create; every argument replaces it; state version 1
//! with the upstream upgrade from version 0 (adding the OpenSSH and PKCS#8 encodings and the
//! SHA-256 fingerprint).

use crate::keys::{public_key_attributes, PrivateKey, ALGORITHMS, CURVES};
use crate::plan_rules::{self, AttributeRules};
use crate::schema::{self, PRIVATE_KEY_VERSION};
use crate::values::{get_i64, get_str, string, with_attr};
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::provider::framework;
use terrane_engine::provider::{ApplyRequest, ApplyResponse, PlanRequest, PlanResponse};
use terrane_engine::value::Value;

fn rules() -> Vec<AttributeRules> {
    vec![
        AttributeRules::new("algorithm").replace(),
        AttributeRules::new("rsa_bits").default(2048).replace(),
        AttributeRules::new("ecdsa_curve").default("P224").replace(),
    ]
}

fn block() -> terrane_engine::provider::Block {
    schema::provider_schema().resources[schema::PRIVATE_KEY]
        .block
        .clone()
}

/// The configuration checks the schema's validators make.
pub(crate) fn validate(config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    framework::one_of(
        "algorithm",
        crate::values::attr(config, "algorithm"),
        &ALGORITHMS,
        &mut diags,
    );
    framework::one_of(
        "ecdsa_curve",
        crate::values::attr(config, "ecdsa_curve"),
        &CURVES,
        &mut diags,
    );
    diags
}

pub(crate) fn plan(request: &PlanRequest) -> PlanResponse {
    let plan = plan_rules::plan(&block(), &rules(), &[], request);
    PlanResponse {
        planned_state: plan.state,
        requires_replace: plan.requires_replace,
        planned_private: request.prior_private.clone(),
        diagnostics: Diagnostics::new(),
    }
}

/// Sets the PKCS#8 and OpenSSH encodings (unless `openssh` is already known) and the public
/// key attributes of `key` on `state`.
fn with_key(
    state: &Value,
    key: &PrivateKey,
    openssh: Option<String>,
) -> Result<Value, Diagnostics> {
    let pkcs8 = key
        .to_pkcs8_pem()
        .map_err(|e| Diagnostic::error("Unable to encode private key to PKCS#8 PEM", e))?;
    let openssh = match openssh {
        Some(existing) => existing,
        None => key.to_openssh_pem().map_err(|e| {
            Diagnostic::error("Unable to marshal private key into OpenSSH format", e)
        })?,
    };
    let public = public_key_attributes(key)
        .map_err(|e| Diagnostic::error("Failed to marshal public key", e))?;
    let mut state = with_attr(state, "private_key_pem_pkcs8", string(pkcs8));
    state = with_attr(&state, "private_key_openssh", string(openssh));
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

fn create(planned: &Value) -> Result<Value, Diagnostics> {
    let algorithm = get_str(planned, "algorithm").unwrap_or_default();
    if !ALGORITHMS.contains(&algorithm) {
        return Err(Diagnostic::error(
            "Invalid Key Algorithm",
            format!("Key Algorithm {algorithm:?} is not supported"),
        )
        .into());
    }
    let key = PrivateKey::generate(
        algorithm,
        get_i64(planned, "rsa_bits"),
        get_str(planned, "ecdsa_curve"),
    )
    .map_err(|e| Diagnostic::error("Unable to generate Key from configuration", e))?;
    let native = key
        .to_native_pem()
        .map_err(|e| Diagnostic::error("Unable to encode key to PEM", e))?;
    with_key(
        &with_attr(planned, "private_key_pem", string(native)),
        &key,
        None,
    )
}

pub(crate) fn apply(request: &ApplyRequest) -> ApplyResponse {
    let result = if request.planned_state.is_null() {
        Ok(request.planned_state.clone())
    } else if request.prior_state.is_null() {
        create(&request.planned_state)
    } else {
        Ok(crate::values::unknowns_to_null(&request.planned_state))
    };
    match result {
        Ok(new_state) => ApplyResponse {
            new_state,
            private: request.planned_private.clone(),
            diagnostics: Diagnostics::new(),
        },
        Err(diagnostics) => ApplyResponse {
            new_state: request.prior_state.clone(),
            private: request.planned_private.clone(),
            diagnostics,
        },
    }
}

/// Upgrades stored state to version 1 as upstream does: version 0 lacked the OpenSSH and
/// PKCS#8 encodings (and possibly the SHA-256 fingerprint), which are derived from the
/// stored PEM key.
pub(crate) fn upgrade(version: u64, raw: &serde_json::Value) -> Result<Value, Diagnostics> {
    let block = block();
    match version {
        PRIVATE_KEY_VERSION => framework::decode_state(&block, raw),
        0 => {
            let state = terrane_engine::json::value_from_json(raw, &block.value_type()).map_err(
                |e| {
                    Diagnostics::from(Diagnostic::error(
                        "Unable to Read Previously Saved State for UpgradeResourceState",
                        format!(
                            "There was an error reading the saved resource state using the prior resource schema defined for version 0 upgrade.\n\n\
                             Please report this to the provider developer:\n\n{e}"
                        ),
                    ))
                },
            )?;
            let pem = get_str(&state, "private_key_pem").unwrap_or_default();
            let key = PrivateKey::parse_pem(pem)
                .map_err(|e| Diagnostic::error("Unable to parse key from PEM", e))?;
            let openssh = get_str(&state, "private_key_openssh")
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            with_key(&state, &key, openssh)
        }
        other => Err(framework::no_upgrader(other, true)),
    }
}
