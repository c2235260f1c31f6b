//! The azurerm provider block: its schema as azurerm v4 declares it (the `features` block with
//! every nested block it accepts, the authentication and cloud arguments, the deprecated
//! `skip_provider_registration` and `enhanced_validation`), and its reading into connection
//! settings and features, with each argument's `ARM_*` environment fallbacks.

use crate::arm::credentials::AuthSettings;
use crate::connection::ConnectionSettings;
use crate::framework::schema::{
    block, block_def, boolean, list_of_strings, string, Attr, BlockDef,
};
use crate::framework::{attribute, Features};
use terrane_engine::provider::Schema;
use terrane_engine::value::Value;

/// The nested blocks of `features` and their arguments (all booleans unless listed in
/// [`FEATURE_STRINGS`]); `features` must be given, its blocks are optional.
const FEATURE_BLOCKS: &[(&str, &[&str])] = &[
    (
        "enhanced_validation",
        &[
            "locations",
            "resource_providers",
            "preflight_enabled",
            "preflight_location_fallback",
        ],
    ),
    (
        "api_management",
        &["purge_soft_delete_on_destroy", "recover_soft_deleted"],
    ),
    (
        "app_configuration",
        &["purge_soft_delete_on_destroy", "recover_soft_deleted"],
    ),
    ("application_insights", &["disable_generated_rule"]),
    ("cognitive_account", &["purge_soft_delete_on_destroy"]),
    (
        "key_vault",
        &[
            "purge_soft_delete_on_destroy",
            "purge_soft_deleted_certificates_on_destroy",
            "purge_soft_deleted_keys_on_destroy",
            "purge_soft_deleted_secrets_on_destroy",
            "purge_soft_deleted_hardware_security_modules_on_destroy",
            "purge_soft_deleted_hardware_security_module_keys_on_destroy",
            "recover_soft_deleted_certificates",
            "recover_soft_deleted_key_vaults",
            "recover_soft_deleted_keys",
            "recover_soft_deleted_secrets",
            "recover_soft_deleted_hardware_security_module_keys",
        ],
    ),
    (
        "log_analytics_workspace",
        &["permanently_delete_on_destroy"],
    ),
    (
        "template_deployment",
        &["delete_nested_items_during_deletion"],
    ),
    (
        "virtual_machine",
        &[
            "detach_implicit_data_disk_on_deletion",
            "delete_os_disk_on_deletion",
            "graceful_shutdown",
            "skip_shutdown_and_force_delete",
        ],
    ),
    (
        "virtual_machine_scale_set",
        &[
            "force_delete",
            "reimage_on_manual_upgrade",
            "roll_instances_when_required",
            "scale_to_zero_before_deletion",
        ],
    ),
    (
        "resource_group",
        &["prevent_deletion_if_contains_resources"],
    ),
    (
        "recovery_services_vaults",
        &["recover_soft_deleted_backup_protected_vm"],
    ),
    ("managed_disk", &["expand_without_downtime"]),
    ("storage", &["data_plane_available"]),
    ("subscription", &["prevent_cancellation_on_destroy"]),
    (
        "postgresql_flexible_server",
        &["restart_server_on_configuration_value_change"],
    ),
    (
        "machine_learning",
        &["purge_soft_deleted_workspace_on_destroy"],
    ),
    (
        "recovery_service",
        &[
            "vm_backup_stop_protection_and_retain_data_on_destroy",
            "vm_backup_suspend_protection_and_retain_data_on_destroy",
            "purge_protected_items_from_vault_on_destroy",
        ],
    ),
    (
        "netapp",
        &[
            "delete_backups_on_backup_vault_destroy",
            "prevent_volume_destruction",
        ],
    ),
    ("databricks_workspace", &["force_delete"]),
    ("servicebus", &["auto_delete_subscription_default_rule"]),
];

/// The feature arguments that are strings.
const FEATURE_STRINGS: &[&str] = &["preflight_location_fallback"];

/// The feature arguments that are required within their block.
const FEATURE_REQUIRED: &[&str] = &["delete_nested_items_during_deletion"];

fn features_block() -> BlockDef {
    let blocks = FEATURE_BLOCKS
        .iter()
        .map(|(name, args)| {
            let attrs: Vec<Attr> = args
                .iter()
                .map(|arg| {
                    let a = if FEATURE_STRINGS.contains(arg) {
                        string(arg)
                    } else {
                        boolean(arg)
                    };
                    if FEATURE_REQUIRED.contains(arg) {
                        a.required()
                    } else {
                        a.optional()
                    }
                })
                .collect();
            block(name, block_def(attrs, vec![])).max(1)
        })
        .collect();
    block_def(
        vec![
            boolean("persist_id_on_create_before_polling_for_completion").optional(),
            boolean("skip_import_check_on_create_and_allow_overwriting_existing_resources")
                .optional(),
        ],
        blocks,
    )
}

/// The provider block's schema.
pub fn provider_schema() -> Schema {
    let strings = [
        "subscription_id",
        "tenant_id",
        "environment",
        "metadata_host",
        "client_id",
        "client_id_file_path",
        "client_certificate",
        "client_certificate_path",
        "client_certificate_password",
        "client_secret",
        "client_secret_file_path",
        "ado_pipeline_service_connection_id",
        "oidc_request_token",
        "oidc_request_url",
        "oidc_token",
        "oidc_token_file_path",
        "msi_endpoint",
        "msi_api_version",
        "partner_id",
        "resource_provider_registrations",
    ];
    let bools = [
        "use_oidc",
        "use_msi",
        "use_cli",
        "use_aks_workload_identity",
        "disable_correlation_request_id",
        "disable_terraform_partner_id",
        "storage_use_azuread",
        "skip_provider_registration",
    ];
    let mut attrs: Vec<Attr> = strings.iter().map(|n| string(n).optional()).collect();
    attrs.extend(bools.iter().map(|n| boolean(n).optional()));
    attrs.push(list_of_strings("auxiliary_tenant_ids").optional());
    attrs.push(list_of_strings("resource_providers_to_register").optional());
    let enhanced_validation = block(
        "enhanced_validation",
        block_def(
            vec![
                boolean("locations").optional(),
                boolean("resource_providers").optional(),
            ],
            vec![],
        ),
    )
    .max(1);
    let features = block("features", features_block()).min(1).max(1);
    Schema {
        version: 0,
        block: block_def(attrs, vec![features, enhanced_validation]).to_engine(),
    }
}

/// Environment variables, looked up by name (the process environment, or a table in tests).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// A string argument: the configured value, else the first of the variables that is set.
pub fn string_setting(config: &Value, name: &str, env: Env<'_>, vars: &[&str]) -> Option<String> {
    attribute(config, name)
        .as_str()
        .map(str::to_string)
        .filter(|s| !s.is_empty())
        .or_else(|| vars.iter().find_map(|v| env(v).filter(|s| !s.is_empty())))
}

/// A bool argument: the configured value, else a variable (Go's `strconv.ParseBool`
/// spellings), else `default`.
pub fn bool_setting(config: &Value, name: &str, env: Env<'_>, var: &str, default: bool) -> bool {
    if let Some(b) = attribute(config, name).as_bool() {
        return b;
    }
    match env(var).as_deref() {
        Some("1" | "t" | "T" | "TRUE" | "true" | "True") => true,
        Some("0" | "f" | "F" | "FALSE" | "false" | "False") => false,
        _ => default,
    }
}

/// A secret given directly or in a file (azurerm's `client_secret`/`client_secret_file_path`
/// and `client_id`/`client_id_file_path`): both may be given only when they agree.
fn value_or_file(
    direct: Option<String>,
    file: Option<String>,
    what: &str,
) -> Result<Option<String>, String> {
    let Some(path) = file else { return Ok(direct) };
    let from_file = std::fs::read_to_string(&path)
        .map_err(|e| format!("reading {what} from {path:?}: {e}"))?
        .trim()
        .to_string();
    match direct {
        Some(d) if d != from_file => Err(format!(
            "mismatch between the supplied {what} and the one read from {path:?}"
        )),
        _ => Ok(Some(from_file)),
    }
}

/// The authentication settings shared by the azurerm and azapi provider blocks; the two name
/// the Azure DevOps service connection argument differently (`service_connection` is its name
/// and the variables it falls back to).
pub fn auth_settings(
    config: &Value,
    env: Env<'_>,
    service_connection: (&str, &[&str]),
) -> Result<AuthSettings, String> {
    let aks_workload_identity = bool_setting(
        config,
        "use_aks_workload_identity",
        env,
        "ARM_USE_AKS_WORKLOAD_IDENTITY",
        false,
    );
    let with_aks = |vars: &[&'static str], aks: &'static str| -> Vec<&'static str> {
        let mut v = vars.to_vec();
        if aks_workload_identity {
            v.push(aks);
        }
        v
    };
    let client_id = value_or_file(
        string_setting(
            config,
            "client_id",
            env,
            &with_aks(&["ARM_CLIENT_ID"], "AZURE_CLIENT_ID"),
        ),
        string_setting(
            config,
            "client_id_file_path",
            env,
            &["ARM_CLIENT_ID_FILE_PATH"],
        ),
        "client ID",
    )?;
    let client_secret = value_or_file(
        string_setting(config, "client_secret", env, &["ARM_CLIENT_SECRET"]),
        string_setting(
            config,
            "client_secret_file_path",
            env,
            &["ARM_CLIENT_SECRET_FILE_PATH"],
        ),
        "client secret",
    )?;
    Ok(AuthSettings {
        tenant_id: string_setting(
            config,
            "tenant_id",
            env,
            &with_aks(&["ARM_TENANT_ID"], "AZURE_TENANT_ID"),
        ),
        client_id,
        client_secret,
        client_certificate_configured: string_setting(
            config,
            "client_certificate",
            env,
            &["ARM_CLIENT_CERTIFICATE"],
        )
        .is_some()
            || string_setting(
                config,
                "client_certificate_path",
                env,
                &["ARM_CLIENT_CERTIFICATE_PATH"],
            )
            .is_some(),
        use_oidc: bool_setting(config, "use_oidc", env, "ARM_USE_OIDC", false)
            || aks_workload_identity,
        oidc_token: string_setting(config, "oidc_token", env, &["ARM_OIDC_TOKEN"]),
        oidc_token_file_path: string_setting(
            config,
            "oidc_token_file_path",
            env,
            &with_aks(&["ARM_OIDC_TOKEN_FILE_PATH"], "AZURE_FEDERATED_TOKEN_FILE"),
        ),
        oidc_request_url: string_setting(
            config,
            "oidc_request_url",
            env,
            &[
                "ARM_OIDC_REQUEST_URL",
                "ACTIONS_ID_TOKEN_REQUEST_URL",
                "SYSTEM_OIDCREQUESTURI",
            ],
        ),
        oidc_request_token: string_setting(
            config,
            "oidc_request_token",
            env,
            &[
                "ARM_OIDC_REQUEST_TOKEN",
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                "SYSTEM_ACCESSTOKEN",
            ],
        ),
        ado_pipeline_service_connection_id: string_setting(
            config,
            service_connection.0,
            env,
            service_connection.1,
        ),
        use_msi: bool_setting(config, "use_msi", env, "ARM_USE_MSI", false),
        msi_endpoint: string_setting(config, "msi_endpoint", env, &["ARM_MSI_ENDPOINT"]),
        msi_api_version: string_setting(config, "msi_api_version", env, &["ARM_MSI_API_VERSION"]),
        use_cli: bool_setting(config, "use_cli", env, "ARM_USE_CLI", true),
        subscription_id: None,
    })
}

/// Everything the azurerm provider block configures.
#[derive(Clone, Debug)]
pub struct Settings {
    pub connection: ConnectionSettings,
    pub features: Features,
}

/// Reads the provider block (with its environment fallbacks).
pub fn settings(config: &Value, env: Env<'_>) -> Result<Settings, String> {
    let auth = auth_settings(
        config,
        env,
        (
            "ado_pipeline_service_connection_id",
            &[
                "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
                "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID",
            ],
        ),
    )?;
    if let Some(registrations) = string_setting(
        config,
        "resource_provider_registrations",
        env,
        &["ARM_RESOURCE_PROVIDER_REGISTRATIONS"],
    ) {
        if !["core", "extended", "all", "none", "legacy"].contains(&registrations.as_str()) {
            return Err(format!(
                "expected resource_provider_registrations to be one of [\"core\" \"extended\" \"all\" \"none\" \"legacy\"], got {registrations}"
            ));
        }
    }
    let features_list = attribute(config, "features");
    let features = features_list
        .as_seq()
        .and_then(|f| f.first())
        .cloned()
        .unwrap_or(Value::Null(terrane_engine::value::Type::Dynamic));
    let nested_bool = |block_name: &str, name: &str, default: bool| -> bool {
        attribute(&features, block_name)
            .as_seq()
            .and_then(|b| b.first())
            .and_then(|b| attribute(b, name).as_bool())
            .unwrap_or(default)
    };
    Ok(Settings {
        connection: ConnectionSettings {
            auth,
            subscription_id: string_setting(
                config,
                "subscription_id",
                env,
                &["ARM_SUBSCRIPTION_ID"],
            ),
            environment: string_setting(config, "environment", env, &["ARM_ENVIRONMENT"])
                .unwrap_or_else(|| "public".into()),
            metadata_host: string_setting(config, "metadata_host", env, &["ARM_METADATA_HOSTNAME"]),
            endpoints: None,
            partner_id: string_setting(config, "partner_id", env, &["ARM_PARTNER_ID"]),
        },
        features: Features {
            prevent_resource_group_deletion_if_contains_resources: nested_bool(
                "resource_group",
                "prevent_deletion_if_contains_resources",
                env("TF_ACC").is_none_or(|v| v.is_empty()),
            ),
            skip_import_check: attribute(
                &features,
                "skip_import_check_on_create_and_allow_overwriting_existing_resources",
            )
            .as_bool()
            .unwrap_or(false),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, HashMap};
    use terrane_engine::value::Type;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn config(pairs: Vec<(&str, Value)>) -> Value {
        let schema = provider_schema();
        let mut object: BTreeMap<String, Value> = schema
            .block
            .attributes
            .iter()
            .map(|(k, a)| (k.clone(), Value::Null(a.ty.clone())))
            .collect();
        let features_ty = schema.block.blocks["features"].block.value_type();
        object.insert(
            "features".into(),
            Value::list(features_ty, vec![Value::Null(Type::Dynamic)]),
        );
        for (k, v) in pairs {
            object.insert(k.to_string(), v);
        }
        Value::object(object)
    }

    #[test]
    fn schema_has_upstream_arguments() {
        let schema = provider_schema();
        for name in [
            "subscription_id",
            "use_oidc",
            "oidc_token_file_path",
            "ado_pipeline_service_connection_id",
            "metadata_host",
            "skip_provider_registration",
            "resource_provider_registrations",
            "storage_use_azuread",
            "partner_id",
        ] {
            assert!(schema.block.attributes.contains_key(name), "{name}");
        }
        let features = &schema.block.blocks["features"];
        assert_eq!((features.min_items, features.max_items), (1, 1));
        assert!(features.block.blocks.contains_key("resource_group"));
        assert!(
            features.block.blocks["template_deployment"]
                .block
                .attributes["delete_nested_items_during_deletion"]
                .required
        );
    }

    #[test]
    fn environment_fallbacks() {
        let env = env_of(&[
            ("ARM_SUBSCRIPTION_ID", "sub"),
            ("ARM_CLIENT_ID", "cid"),
            ("ARM_USE_OIDC", "true"),
            (
                "SYSTEM_OIDCREQUESTURI",
                "https://dev.azure.com/o/_apis/oidc",
            ),
            ("SYSTEM_ACCESSTOKEN", "tok"),
            ("ARM_OIDC_AZURE_SERVICE_CONNECTION_ID", "sc"),
            ("ARM_USE_CLI", "false"),
        ]);
        let s = settings(&config(vec![("tenant_id", Value::string("tid"))]), &env).unwrap();
        assert_eq!(s.connection.subscription_id.as_deref(), Some("sub"));
        assert_eq!(s.connection.environment, "public");
        let auth = &s.connection.auth;
        assert_eq!(auth.tenant_id.as_deref(), Some("tid"));
        assert!(auth.use_oidc && !auth.use_cli);
        assert_eq!(
            auth.ado_pipeline_service_connection_id.as_deref(),
            Some("sc")
        );
        assert_eq!(auth.oidc_request_token.as_deref(), Some("tok"));
        assert!(
            s.features
                .prevent_resource_group_deletion_if_contains_resources
        );
    }

    #[test]
    fn configured_values_win_and_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        std::fs::write(&path, "s3cret\n").unwrap();
        let env = env_of(&[
            ("ARM_ENVIRONMENT", "china"),
            ("ARM_CLIENT_SECRET_FILE_PATH", path.to_str().unwrap()),
        ]);
        let s = settings(
            &config(vec![("environment", Value::string("simulator"))]),
            &env,
        )
        .unwrap();
        assert_eq!(s.connection.environment, "simulator");
        assert_eq!(s.connection.auth.client_secret.as_deref(), Some("s3cret"));
        let env = env_of(&[("ARM_CLIENT_SECRET_FILE_PATH", path.to_str().unwrap())]);
        let e = settings(
            &config(vec![("client_secret", Value::string("other"))]),
            &env,
        )
        .unwrap_err();
        assert!(e.contains("mismatch") && !e.contains("s3cret"));
        let bad = settings(
            &config(vec![(
                "resource_provider_registrations",
                Value::string("some"),
            )]),
            &env_of(&[]),
        );
        assert!(bad.is_err());
    }
}
