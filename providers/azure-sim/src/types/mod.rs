//! The resource types the simulator knows: one table row per type (api-versions, durations,
//! location rule, global name uniqueness, long-running-operation style), and per namespace the
//! hooks that differ: validation of the request, server-generated properties, read-time
//! additions, actions (`listKeys`...) and what deletion must check or leave behind. Types not
//! in the table are stored as they are sent (for azapi).

pub(crate) mod authorization;
pub(crate) mod cache;
pub(crate) mod containerservice;
pub(crate) mod keyvault;
pub(crate) mod network;
pub(crate) mod postgres;
pub(crate) mod registry;
pub(crate) mod resources;
pub(crate) mod storage;

use crate::arm::{Ctx, Put};
use crate::http::{ArmError, ArmResult, Response};
use crate::store::{Resource, Store};
use crate::util;
use serde_json::Value;

/// The namespaces with hooks of their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    Resources,
    Network,
    ContainerService,
    Postgres,
    Cache,
    KeyVault,
    Storage,
    Registry,
    Authorization,
    Generic,
}

/// Where a resource's location comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Loc {
    /// A tracked resource: `location` is required and must be a region.
    Region,
    /// `location` is `global` (DNS zones and their links).
    Global,
    /// A child or proxy resource: no location of its own.
    None,
    /// Whatever the request says (types the simulator does not know).
    Any,
}

/// How a write that takes time answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lro {
    /// 201/200 with the resource and `Azure-AsyncOperation` and `Location` headers.
    AsyncOperation,
    /// 202 with `Location` only and no body, on create (storage accounts).
    Accepted,
    /// 202 with `Azure-AsyncOperation` and `Location` and no body, on create and update
    /// (PostgreSQL flexible servers and their children).
    AcceptedAsync,
}

/// Whether and how PATCH works.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Patch {
    No,
    Sync,
    Async,
}

/// Where the resource shows the state of its operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum State {
    /// `properties.provisioningState`.
    Provisioning,
    /// `properties.state` (PostgreSQL flexible servers: Provisioning, Updating, Dropping, Ready).
    Server,
    None,
}

pub(crate) struct TypeSpec {
    /// The canonical type, `Microsoft.Network/virtualNetworks/subnets`.
    pub kind: &'static str,
    pub family: Family,
    /// Published api-versions, oldest first: the oldest bounds what is accepted.
    pub versions: &'static [&'static str],
    /// Realistic durations in seconds (before dividing by the speed); 0 answers at once.
    pub create_secs: f64,
    pub update_secs: f64,
    pub delete_secs: f64,
    pub location: Loc,
    /// The 409 code when the name is taken anywhere (globally unique names).
    pub unique: Option<&'static str>,
    pub lro: Lro,
    pub patch: Patch,
    pub state: State,
}

const RESOURCES_VERSIONS: &[&str] = &[
    "2014-04-01",
    "2015-11-01",
    "2016-09-01",
    "2018-05-01",
    "2019-10-01",
    "2020-06-01",
    "2021-04-01",
    "2022-09-01",
    "2023-07-01",
    "2024-03-01",
    "2024-07-01",
    "2024-11-01",
    "2025-04-01",
];
const NETWORK_VERSIONS: &[&str] = &[
    "2015-06-15",
    "2016-09-01",
    "2017-09-01",
    "2018-08-01",
    "2019-11-01",
    "2020-11-01",
    "2021-05-01",
    "2022-01-01",
    "2022-07-01",
    "2022-09-01",
    "2023-02-01",
    "2023-04-01",
    "2023-05-01",
    "2023-06-01",
    "2023-09-01",
    "2023-11-01",
    "2024-01-01",
    "2024-03-01",
    "2024-05-01",
    "2024-07-01",
    "2024-10-01",
];
const DNS_VERSIONS: &[&str] = &[
    "2016-04-01",
    "2017-09-01",
    "2017-10-01",
    "2018-03-01-preview",
    "2018-05-01",
    "2023-07-01-preview",
];
const PRIVATE_DNS_VERSIONS: &[&str] = &["2018-09-01", "2020-01-01", "2020-06-01", "2024-06-01"];
const DNS_RESOLVER_VERSIONS: &[&str] = &[
    "2020-04-01-preview",
    "2022-07-01",
    "2023-07-01-preview",
    "2025-05-01",
];
const AKS_VERSIONS: &[&str] = &[
    "2017-08-31",
    "2019-02-01",
    "2020-09-01",
    "2021-05-01",
    "2022-01-01",
    "2023-01-01",
    "2023-06-01",
    "2023-09-01",
    "2024-01-01",
    "2024-05-01",
    "2024-09-01",
    "2025-01-01",
    "2025-05-01",
    "2025-07-01",
];
const POSTGRES_VERSIONS: &[&str] = &[
    "2020-02-14-preview",
    "2021-06-01",
    "2022-12-01",
    "2023-06-01-preview",
    "2023-12-01-preview",
    "2024-03-01-preview",
    "2024-08-01",
    "2025-08-01",
];
const REDIS_VERSIONS: &[&str] = &[
    "2015-08-01",
    "2016-04-01",
    "2017-10-01",
    "2018-03-01",
    "2019-07-01",
    "2020-06-01",
    "2020-12-01",
    "2021-06-01",
    "2022-05-01",
    "2022-06-01",
    "2023-04-01",
    "2023-08-01",
    "2024-03-01",
    "2024-11-01",
];
const KEYVAULT_VERSIONS: &[&str] = &[
    "2015-06-01",
    "2016-10-01",
    "2018-02-14",
    "2019-09-01",
    "2021-10-01",
    "2022-07-01",
    "2023-02-01",
    "2023-07-01",
    "2024-11-01",
];
const STORAGE_VERSIONS: &[&str] = &[
    "2015-06-15",
    "2016-01-01",
    "2017-10-01",
    "2018-02-01",
    "2019-06-01",
    "2021-04-01",
    "2021-09-01",
    "2022-09-01",
    "2023-01-01",
    "2023-05-01",
    "2024-01-01",
    "2025-01-01",
];
const REGISTRY_VERSIONS: &[&str] = &[
    "2017-10-01",
    "2019-05-01",
    "2021-09-01",
    "2022-12-01",
    "2023-07-01",
    "2023-11-01-preview",
    "2025-04-01",
];
const AUTHORIZATION_VERSIONS: &[&str] = &[
    "2015-07-01",
    "2018-01-01-preview",
    "2020-04-01-preview",
    "2020-10-01-preview",
    "2022-04-01",
    "2022-05-01-preview",
];
const GENERIC_VERSIONS: &[&str] = &["2014-04-01"];

const fn spec(
    kind: &'static str,
    family: Family,
    versions: &'static [&'static str],
    secs: (f64, f64, f64),
    location: Loc,
) -> TypeSpec {
    TypeSpec {
        kind,
        family,
        versions,
        create_secs: secs.0,
        update_secs: secs.1,
        delete_secs: secs.2,
        location,
        unique: None,
        lro: Lro::AsyncOperation,
        patch: Patch::No,
        state: State::Provisioning,
    }
}

use Family::*;
use Loc::{Global, Region};

/// Every type with behaviour of its own.
pub(crate) static TYPES: &[TypeSpec] = &[
    TypeSpec {
        patch: Patch::Sync,
        ..spec(
            "Microsoft.Resources/resourceGroups",
            Resources,
            RESOURCES_VERSIONS,
            (0.0, 0.0, 30.0),
            Region,
        )
    },
    TypeSpec {
        patch: Patch::Sync,
        ..spec(
            "Microsoft.Network/virtualNetworks",
            Network,
            NETWORK_VERSIONS,
            (10.0, 10.0, 10.0),
            Region,
        )
    },
    spec(
        "Microsoft.Network/virtualNetworks/subnets",
        Network,
        NETWORK_VERSIONS,
        (5.0, 5.0, 5.0),
        Loc::None,
    ),
    spec(
        "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        Network,
        NETWORK_VERSIONS,
        (10.0, 10.0, 10.0),
        Loc::None,
    ),
    TypeSpec {
        patch: Patch::Sync,
        ..spec(
            "Microsoft.Network/networkSecurityGroups",
            Network,
            NETWORK_VERSIONS,
            (5.0, 5.0, 5.0),
            Region,
        )
    },
    spec(
        "Microsoft.Network/networkSecurityGroups/securityRules",
        Network,
        NETWORK_VERSIONS,
        (5.0, 5.0, 5.0),
        Loc::None,
    ),
    TypeSpec {
        patch: Patch::Sync,
        ..spec(
            "Microsoft.Network/publicIPAddresses",
            Network,
            NETWORK_VERSIONS,
            (5.0, 5.0, 5.0),
            Region,
        )
    },
    TypeSpec {
        patch: Patch::Sync,
        ..spec(
            "Microsoft.Network/natGateways",
            Network,
            NETWORK_VERSIONS,
            (10.0, 10.0, 10.0),
            Region,
        )
    },
    TypeSpec {
        patch: Patch::Sync,
        ..spec(
            "Microsoft.Network/networkInterfaces",
            Network,
            NETWORK_VERSIONS,
            (5.0, 5.0, 5.0),
            Region,
        )
    },
    TypeSpec {
        patch: Patch::Sync,
        ..spec(
            "Microsoft.Network/privateEndpoints",
            Network,
            NETWORK_VERSIONS,
            (30.0, 30.0, 20.0),
            Region,
        )
    },
    spec(
        "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
        Network,
        NETWORK_VERSIONS,
        (10.0, 10.0, 10.0),
        Loc::None,
    ),
    TypeSpec {
        patch: Patch::Async,
        ..spec(
            "Microsoft.Network/virtualNetworkGateways",
            Network,
            NETWORK_VERSIONS,
            (1800.0, 600.0, 600.0),
            Region,
        )
    },
    TypeSpec {
        patch: Patch::Async,
        ..spec(
            "Microsoft.Network/localNetworkGateways",
            Network,
            NETWORK_VERSIONS,
            (10.0, 10.0, 10.0),
            Region,
        )
    },
    TypeSpec {
        patch: Patch::Async,
        ..spec(
            "Microsoft.Network/connections",
            Network,
            NETWORK_VERSIONS,
            (120.0, 60.0, 60.0),
            Region,
        )
    },
    TypeSpec {
        patch: Patch::Sync,
        ..spec(
            "Microsoft.Network/dnszones",
            Network,
            DNS_VERSIONS,
            (0.0, 0.0, 20.0),
            Global,
        )
    },
    TypeSpec {
        patch: Patch::Sync,
        ..spec(
            "Microsoft.Network/dnszones/recordsets",
            Network,
            DNS_VERSIONS,
            (0.0, 0.0, 0.0),
            Loc::None,
        )
    },
    TypeSpec {
        patch: Patch::Async,
        ..spec(
            "Microsoft.Network/privateDnsZones",
            Network,
            PRIVATE_DNS_VERSIONS,
            (30.0, 30.0, 30.0),
            Global,
        )
    },
    TypeSpec {
        patch: Patch::Async,
        ..spec(
            "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
            Network,
            PRIVATE_DNS_VERSIONS,
            (30.0, 30.0, 30.0),
            Global,
        )
    },
    TypeSpec {
        patch: Patch::Sync,
        ..spec(
            "Microsoft.Network/privateDnsZones/recordsets",
            Network,
            PRIVATE_DNS_VERSIONS,
            (0.0, 0.0, 0.0),
            Loc::None,
        )
    },
    TypeSpec {
        patch: Patch::Async,
        ..spec(
            "Microsoft.Network/dnsResolvers",
            Network,
            DNS_RESOLVER_VERSIONS,
            (60.0, 60.0, 60.0),
            Region,
        )
    },
    TypeSpec {
        patch: Patch::Async,
        ..spec(
            "Microsoft.Network/dnsResolvers/inboundEndpoints",
            Network,
            DNS_RESOLVER_VERSIONS,
            (60.0, 60.0, 60.0),
            Region,
        )
    },
    TypeSpec {
        patch: Patch::Async,
        ..spec(
            "Microsoft.ContainerService/managedClusters",
            ContainerService,
            AKS_VERSIONS,
            (300.0, 120.0, 240.0),
            Region,
        )
    },
    spec(
        "Microsoft.ContainerService/managedClusters/agentPools",
        ContainerService,
        AKS_VERSIONS,
        (180.0, 60.0, 120.0),
        Loc::None,
    ),
    TypeSpec {
        lro: Lro::AcceptedAsync,
        patch: Patch::Async,
        state: State::Server,
        unique: Some("ServerNameAlreadyExists"),
        ..spec(
            "Microsoft.DBforPostgreSQL/flexibleServers",
            Postgres,
            POSTGRES_VERSIONS,
            (240.0, 120.0, 120.0),
            Region,
        )
    },
    TypeSpec {
        lro: Lro::AcceptedAsync,
        state: State::None,
        ..spec(
            "Microsoft.DBforPostgreSQL/flexibleServers/databases",
            Postgres,
            POSTGRES_VERSIONS,
            (20.0, 20.0, 20.0),
            Loc::None,
        )
    },
    TypeSpec {
        lro: Lro::AcceptedAsync,
        state: State::None,
        ..spec(
            "Microsoft.DBforPostgreSQL/flexibleServers/firewallRules",
            Postgres,
            POSTGRES_VERSIONS,
            (20.0, 20.0, 20.0),
            Loc::None,
        )
    },
    TypeSpec {
        lro: Lro::AcceptedAsync,
        state: State::None,
        patch: Patch::Async,
        ..spec(
            "Microsoft.DBforPostgreSQL/flexibleServers/configurations",
            Postgres,
            POSTGRES_VERSIONS,
            (10.0, 10.0, 0.0),
            Loc::None,
        )
    },
    TypeSpec {
        patch: Patch::Async,
        unique: Some("NameNotAvailable"),
        ..spec(
            "Microsoft.Cache/redis",
            Cache,
            REDIS_VERSIONS,
            (240.0, 60.0, 120.0),
            Region,
        )
    },
    TypeSpec {
        patch: Patch::Sync,
        unique: Some("VaultAlreadyExists"),
        ..spec(
            "Microsoft.KeyVault/vaults",
            KeyVault,
            KEYVAULT_VERSIONS,
            (10.0, 10.0, 0.0),
            Region,
        )
    },
    TypeSpec {
        state: State::None,
        ..spec(
            "Microsoft.KeyVault/vaults/accessPolicies",
            KeyVault,
            KEYVAULT_VERSIONS,
            (0.0, 0.0, 0.0),
            Loc::None,
        )
    },
    TypeSpec {
        patch: Patch::Sync,
        unique: Some("StorageAccountAlreadyTaken"),
        lro: Lro::Accepted,
        ..spec(
            "Microsoft.Storage/storageAccounts",
            Storage,
            STORAGE_VERSIONS,
            (20.0, 0.0, 0.0),
            Region,
        )
    },
    TypeSpec {
        patch: Patch::Async,
        unique: Some("AlreadyInUse"),
        ..spec(
            "Microsoft.ContainerRegistry/registries",
            Registry,
            REGISTRY_VERSIONS,
            (20.0, 10.0, 20.0),
            Region,
        )
    },
    TypeSpec {
        state: State::None,
        ..spec(
            "Microsoft.Authorization/roleAssignments",
            Authorization,
            AUTHORIZATION_VERSIONS,
            (0.0, 0.0, 0.0),
            Loc::None,
        )
    },
];

/// Types the simulator does not know: stored as sent, taking ten seconds.
pub(crate) static GENERIC: TypeSpec = TypeSpec {
    patch: Patch::Async,
    ..spec("", Generic, GENERIC_VERSIONS, (10.0, 10.0, 10.0), Loc::Any)
};

/// The resource groups' row.
pub(crate) fn resource_group_spec() -> &'static TypeSpec {
    &TYPES[0]
}

/// A type as a request names it: its table row and its canonical name.
#[derive(Clone)]
pub(crate) struct Resolved {
    pub spec: &'static TypeSpec,
    /// `Microsoft.Network/dnszones/A`, canonical where known, else as the request spelled it.
    pub kind: String,
}

impl Resolved {
    pub fn namespace(&self) -> &str {
        self.kind.split('/').next().unwrap_or_default()
    }

    /// The type segments after the namespace, canonical.
    pub fn type_segments(&self) -> Vec<&str> {
        self.kind.split('/').skip(1).collect()
    }

    /// `virtualNetworks/subnets` (what error messages call the type).
    pub fn short(&self) -> String {
        self.type_segments().join("/")
    }
}

/// Finds a type from the namespace and type segments of a request path.
pub(crate) fn resolve(namespace: &str, types: &[String]) -> Resolved {
    let wanted = format!("{namespace}/{}", types.join("/")).to_ascii_lowercase();
    if let Some(spec) = TYPES.iter().find(|s| s.kind.eq_ignore_ascii_case(&wanted)) {
        return Resolved {
            spec,
            kind: spec.kind.to_string(),
        };
    }
    // DNS record sets: dnszones/{zone}/{A|CNAME|TXT|...}/{name}.
    if namespace.eq_ignore_ascii_case("Microsoft.Network") && types.len() == 2 {
        for parent in ["dnszones", "privateDnsZones"] {
            if types[0].eq_ignore_ascii_case(parent) {
                if let Some(record_type) = network::record_type(&types[1]) {
                    let spec = TYPES
                        .iter()
                        .find(|s| s.kind == format!("Microsoft.Network/{parent}/recordsets"))
                        .unwrap_or(&GENERIC);
                    return Resolved {
                        spec,
                        kind: format!("Microsoft.Network/{parent}/{record_type}"),
                    };
                }
            }
        }
    }
    Resolved {
        spec: &GENERIC,
        kind: format!("{namespace}/{}", types.join("/")),
    }
}

/// The words an operation's state goes through: (creating, updating, deleting, done).
pub(crate) fn state_words(
    spec: &TypeSpec,
) -> Option<(
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
)> {
    match (spec.state, spec.family) {
        (State::None, _) => None,
        (State::Server, _) => Some((
            "properties.state",
            "Provisioning",
            "Updating",
            "Dropping",
            "Ready",
        )),
        (State::Provisioning, Family::Network) => Some((
            "properties.provisioningState",
            "Updating",
            "Updating",
            "Deleting",
            "Succeeded",
        )),
        (State::Provisioning, Family::KeyVault) => Some((
            "properties.provisioningState",
            "RegisteringDns",
            "RegisteringDns",
            "Deleting",
            "Succeeded",
        )),
        (State::Provisioning, _) => Some((
            "properties.provisioningState",
            "Creating",
            "Updating",
            "Deleting",
            "Succeeded",
        )),
    }
}

/// The error code a namespace uses for an invalid request property.
fn invalid_code(family: Family) -> &'static str {
    match family {
        Family::Network => "InvalidRequestFormat",
        Family::ContainerService => "InvalidParameter",
        Family::Postgres => "InvalidParameterValue",
        Family::Cache => "InvalidRequestBody",
        Family::KeyVault => "BadRequest",
        Family::Storage => "InvalidValuesForRequestParameters",
        Family::Registry => "InvalidParameter",
        Family::Authorization => "InvalidRoleAssignmentRequest",
        Family::Resources | Family::Generic => "InvalidRequestContent",
    }
}

/// Checks of request properties, with the namespace's error code.
pub(crate) struct Check {
    pub family: Family,
    pub doc: Value,
}

impl Check {
    pub fn invalid(&self, message: impl Into<String>) -> ArmError {
        ArmError::bad_request(invalid_code(self.family), message)
    }

    /// A required property.
    pub fn required(&self, path: &str) -> ArmResult<&Value> {
        util::at(&self.doc, path).ok_or_else(|| {
            self.invalid(format!(
                "The required property '{path}' is missing from the request."
            ))
        })
    }

    pub fn required_str(&self, path: &str) -> ArmResult<&str> {
        let value = self.required(path)?;
        value.as_str().filter(|s| !s.is_empty()).ok_or_else(|| {
            self.invalid(format!(
                "The property '{path}' must be a non-empty string, got {value}."
            ))
        })
    }

    /// An enumerated property (compared case-insensitively, as ARM does), in its canonical
    /// spelling; `None` if absent.
    pub fn one_of(&self, path: &str, allowed: &[&str]) -> ArmResult<Option<String>> {
        let Some(value) = util::at(&self.doc, path) else {
            return Ok(None);
        };
        self.enum_value(path, value, allowed).map(Some)
    }

    pub fn enum_value(&self, path: &str, value: &Value, allowed: &[&str]) -> ArmResult<String> {
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        allowed
            .iter()
            .find(|a| a.eq_ignore_ascii_case(&text))
            .map(|a| a.to_string())
            .ok_or_else(|| {
                self.invalid(format!(
                    "The value '{text}' of property '{path}' is not valid. Allowed values are: {}.",
                    allowed.join(", ")
                ))
            })
    }

    /// An integer property within bounds; `None` if absent.
    pub fn int_in(&self, path: &str, min: i64, max: i64) -> ArmResult<Option<i64>> {
        let Some(value) = util::at(&self.doc, path) else {
            return Ok(None);
        };
        value
            .as_i64()
            .filter(|n| (min..=max).contains(n))
            .map(Some)
            .ok_or_else(|| {
                self.invalid(format!(
                    "The value {value} of property '{path}' is not valid: it must be an integer from {min} to {max}."
                ))
            })
    }

    /// A boolean property; `None` if absent.
    pub fn boolean(&self, path: &str) -> ArmResult<Option<bool>> {
        let Some(value) = util::at(&self.doc, path) else {
            return Ok(None);
        };
        value.as_bool().map(Some).ok_or_else(|| {
            self.invalid(format!(
                "The value {value} of property '{path}' is not valid: it must be true or false."
            ))
        })
    }

    /// An array property; empty if absent.
    pub fn array(&self, path: &str) -> ArmResult<&[Value]> {
        match util::at(&self.doc, path) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(other) => Err(self.invalid(format!(
                "The value {other} of property '{path}' is not valid: it must be an array."
            ))),
        }
    }
}

/// A name against a type's naming rule (a 400 with the namespace's code when broken).
pub(crate) fn check_name(family: Family, kind: &str, name: &str) -> ArmResult<()> {
    match family {
        Family::Resources => resources::check_name(name),
        Family::Storage => storage::check_name(name),
        Family::KeyVault if kind == "Microsoft.KeyVault/vaults" => keyvault::check_name(name),
        Family::Registry => registry::check_name(name),
        Family::Cache => cache::check_name(name),
        Family::Postgres if kind == "Microsoft.DBforPostgreSQL/flexibleServers" => {
            postgres::check_name(name)
        }
        Family::ContainerService => containerservice::check_name(kind, name),
        Family::Authorization => authorization::check_name(name),
        _ => Ok(()),
    }
}

/// Validates a write and fills in what the server generates.
pub(crate) fn prepare(ctx: &mut Ctx, put: &mut Put) -> ArmResult<()> {
    match put.spec.family {
        Family::Resources => Ok(()),
        Family::Network => network::prepare(ctx, put),
        Family::ContainerService => containerservice::prepare(ctx, put),
        Family::Postgres => postgres::prepare(ctx, put),
        Family::Cache => cache::prepare(ctx, put),
        Family::KeyVault => keyvault::prepare(ctx, put),
        Family::Storage => storage::prepare(ctx, put),
        Family::Registry => registry::prepare(ctx, put),
        Family::Authorization => authorization::prepare(ctx, put),
        Family::Generic => Ok(()),
    }
}

/// The resource as GET shows it: the stored document plus what is derived from others.
pub(crate) fn present(store: &Store, key: &str, resource: &Resource) -> Value {
    let mut doc = resource.doc.clone();
    match resource.kind.split('/').next().unwrap_or_default() {
        "Microsoft.Network" => network::present(store, key, resource, &mut doc),
        "Microsoft.ContainerService" => containerservice::present(store, key, resource, &mut doc),
        _ => {}
    }
    doc
}

/// A POST action on a resource (`listKeys`...).
pub(crate) fn action(ctx: &mut Ctx, key: &str, action: &str, body: &Value) -> ArmResult<Response> {
    let Some(resource) = ctx.store.get(key).cloned() else {
        return Err(ArmError::not_found(
            "ResourceNotFound",
            "The resource was not found.",
        ));
    };
    let action_lower = action.to_ascii_lowercase();
    let answer = match resource.kind.as_str() {
        "Microsoft.ContainerService/managedClusters" => {
            containerservice::action(ctx, &resource, &action_lower)
        }
        "Microsoft.Cache/redis" => cache::action(ctx, key, &resource, &action_lower, body),
        "Microsoft.Storage/storageAccounts" => {
            storage::action(ctx, key, &resource, &action_lower, body)
        }
        "Microsoft.ContainerRegistry/registries" => {
            registry::action(ctx, key, &resource, &action_lower, body)
        }
        _ => None,
    };
    answer.unwrap_or_else(|| {
        Err(ArmError::not_found(
            "InvalidResourceType",
            format!(
                "The resource type '{}' does not support the action '{action}'.",
                resource.kind
            ),
        ))
    })
}

/// Refuses a deletion that Azure refuses (a subnet in use...).
pub(crate) fn check_delete(store: &Store, key: &str, resource: &Resource) -> ArmResult<()> {
    match resource.kind.split('/').next().unwrap_or_default() {
        "Microsoft.Network" => network::check_delete(store, key, resource),
        _ => Ok(()),
    }
}

/// What removal leaves behind: soft-deleted key vaults.
pub(crate) fn after_removal(store: &mut Store, removed: Vec<(String, Resource)>, now: i64) {
    for (_, resource) in removed {
        if resource.kind == "Microsoft.KeyVault/vaults" {
            keyvault::soft_delete(store, resource, now);
        }
    }
}

/// Whether another resource's stored document names `id` (case-insensitively) anywhere.
pub(crate) fn referenced_by<'a>(
    store: &'a Store,
    id: &str,
    exclude_prefix: &str,
) -> Option<&'a Resource> {
    let id = id.to_ascii_lowercase();
    let own = format!("{exclude_prefix}/");
    store.resources.iter().find_map(|(k, r)| {
        if k == exclude_prefix || k.starts_with(&own) {
            return None;
        }
        let refers = r
            .doc
            .as_object()
            .is_some_and(|fields| fields.iter().any(|(k, v)| k != "id" && mentions(v, &id)));
        refers.then_some(r)
    })
}

fn mentions(value: &Value, id: &str) -> bool {
    match value {
        Value::String(s) => s.eq_ignore_ascii_case(id),
        Value::Array(items) => items.iter().any(|v| mentions(v, id)),
        Value::Object(map) => map.values().any(|v| mentions(v, id)),
        _ => false,
    }
}

/// The stored resource an id names, with its key.
pub(crate) fn lookup<'a>(store: &'a Store, id: &str) -> Option<(String, &'a Resource)> {
    let key = id.trim_end_matches('/').to_ascii_lowercase();
    store.get(&key).map(|r| (key, r))
}

/// The resource a property of the request refers to (`{"id": ...}` at `path`, or the id
/// string itself), which must exist and be of the expected type; `None` when absent.
pub(crate) fn reference(
    store: &Store,
    put: &Put,
    path: &str,
    expected_kind: &str,
) -> ArmResult<Option<(String, Resource)>> {
    let Some(value) = util::at(&put.doc, path) else {
        return Ok(None);
    };
    let id = value
        .get("id")
        .and_then(Value::as_str)
        .or_else(|| value.as_str())
        .unwrap_or_default();
    if id.is_empty() {
        return Ok(None);
    }
    match lookup(store, id) {
        Some((key, resource)) if resource.kind.eq_ignore_ascii_case(expected_kind) => {
            Ok(Some((key, resource.clone())))
        }
        _ => Err(invalid_reference(id, &put.id)),
    }
}

pub(crate) fn invalid_reference(id: &str, referrer: &str) -> ArmError {
    ArmError::bad_request(
        "InvalidResourceReference",
        format!("Resource {id} referenced by resource {referrer} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region."),
    )
}

/// A resource the simulator creates itself (a child written inline, an owned resource).
pub(crate) fn made_resource(id: &str, kind: &str, body: Value, network: bool) -> Resource {
    let name = id.rsplit('/').next().unwrap_or_default();
    let mut doc = serde_json::json!({"id": id, "name": name, "type": kind});
    if let (Value::Object(target), Value::Object(extra)) = (&mut doc, body) {
        for (k, v) in extra {
            if !matches!(k.as_str(), "id" | "name" | "type" | "etag") {
                target.insert(k, v);
            }
        }
    }
    doc["etag"] = if network {
        serde_json::json!(format!("W/\"{}\"", util::new_uuid()))
    } else {
        serde_json::json!(util::new_uuid())
    };
    Resource {
        doc,
        kind: kind.to_string(),
        ..Resource::default()
    }
}
