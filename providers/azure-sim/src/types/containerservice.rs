//! Microsoft.ContainerService: managed clusters (AKS) and their agent pools. A cluster's
//! `agentPoolProfiles` are stored as agent pool children (as AKS keeps them) and shown back
//! in the cluster; creation makes the node resource group (`MC_...`), a kubelet identity, and a
//! cluster CA with client certificates, from which `listClusterUserCredential` and
//! `listClusterAdminCredential` return real kubeconfigs.

use crate::arm::{Ctx, Put};
use crate::http::{ArmError, ArmResult, Response};
use crate::store::{Resource, Store};
use crate::types::{lookup, made_resource, Check, Family};
use crate::util::{self, at, default, set, str_at, Prefix};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};

const CLUSTER: &str = "Microsoft.ContainerService/managedClusters";
const POOL: &str = "Microsoft.ContainerService/managedClusters/agentPools";

/// The Kubernetes minor versions the simulated AKS offers, and the patch each runs.
const VERSIONS: &[(&str, &str)] = &[
    ("1.29", "1.29.15"),
    ("1.30", "1.30.14"),
    ("1.31", "1.31.10"),
    ("1.32", "1.32.6"),
    ("1.33", "1.33.2"),
];
const DEFAULT_VERSION: &str = "1.32";
const NODE_IMAGE: &str = "AKSUbuntu-2204gen2containerd-202507.21.0";

pub(crate) fn check_name(kind: &str, name: &str) -> ArmResult<()> {
    if kind == CLUSTER {
        let valid = (1..=63).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && name.starts_with(|c: char| c.is_ascii_alphanumeric())
            && name.ends_with(|c: char| c.is_ascii_alphanumeric());
        if !valid {
            return Err(ArmError::bad_request(
                "InvalidParameter",
                format!("The value of parameter resourceName is invalid: '{name}'. It must be 1 to 63 letters, digits, underscores and hyphens, starting and ending with a letter or digit."),
            ));
        }
    } else if kind == POOL {
        let valid = (1..=12).contains(&name.len())
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if !valid {
            return Err(ArmError::bad_request(
                "InvalidParameter",
                format!("The agent pool name '{name}' is invalid: it must start with a lowercase letter and hold only lowercase letters and digits, 12 characters at most."),
            ));
        }
    }
    Ok(())
}

/// The version a cluster asks for (`1.32` or `1.32.6`), as (requested, running patch).
fn version(path: &str, requested: Option<&str>) -> ArmResult<(String, String)> {
    let requested = requested.unwrap_or(DEFAULT_VERSION);
    let minor: String = requested.split('.').take(2).collect::<Vec<_>>().join(".");
    let Some((_, patch)) = VERSIONS.iter().find(|(m, _)| *m == minor) else {
        return Err(ArmError::bad_request(
            "K8sVersionNotSupported",
            format!(
                "Version {requested} ('{path}') is not supported in this region. Supported versions: {}.",
                VERSIONS.iter().map(|(m, _)| *m).collect::<Vec<_>>().join(", ")
            ),
        ));
    };
    let running = if requested.split('.').count() == 3 {
        requested.to_string()
    } else {
        patch.to_string()
    };
    Ok((requested.to_string(), running))
}

/// Checks an agent pool's properties and fills in AKS's defaults.
fn pool_properties(
    store: &Store,
    properties: &Value,
    path: &str,
    cluster_version: &str,
    network_plugin: &str,
    owner_id: &str,
) -> ArmResult<Value> {
    let wrapper = json!({"p": properties});
    let check = Check {
        family: Family::ContainerService,
        doc: wrapper.clone(),
    };
    let named = |field: &str| format!("{path}.{field}");
    let mut out = if properties.is_object() {
        properties.clone()
    } else {
        json!({})
    };
    let count = check
        .int_in("p.count", 0, 1000)
        .map_err(|_| {
            check.invalid(format!(
                "The value of '{}' must be an integer from 0 to 1000.",
                named("count")
            ))
        })?
        .unwrap_or(1);
    let auto = check.boolean("p.enableAutoScaling")?.unwrap_or(false);
    if auto {
        let min = at(&wrapper, "p.minCount").and_then(Value::as_i64);
        let max = at(&wrapper, "p.maxCount").and_then(Value::as_i64);
        match (min, max) {
            (Some(min), Some(max)) if min <= max && (min..=max).contains(&count) => {}
            _ => {
                return Err(ArmError::bad_request(
                    "InvalidParameter",
                    format!("With autoscaling enabled, '{}' and '{}' are required, with minCount <= count <= maxCount.", named("minCount"), named("maxCount")),
                ))
            }
        }
    }
    for (field, allowed, fallback) in [
        ("osType", &["Linux", "Windows"][..], "Linux"),
        ("mode", &["System", "User", "Gateway"][..], "User"),
        (
            "type",
            &[
                "VirtualMachineScaleSets",
                "AvailabilitySet",
                "VirtualMachines",
            ][..],
            "VirtualMachineScaleSets",
        ),
        ("scaleSetPriority", &["Regular", "Spot"][..], "Regular"),
        ("osDiskType", &["Managed", "Ephemeral"][..], "Managed"),
        ("kubeletDiskType", &["OS", "Temporary"][..], "OS"),
    ] {
        let value = match at(&wrapper, &format!("p.{field}")) {
            Some(v) => check.enum_value(&named(field), v, allowed)?,
            None => fallback.to_string(),
        };
        out[field] = json!(value);
    }
    if let Some(subnet) = str_at(&wrapper, "p.vnetSubnetID") {
        match lookup(store, subnet) {
            Some((_, r)) if r.kind == "Microsoft.Network/virtualNetworks/subnets" => {
                let delegated = at(&r.doc, "properties.delegations")
                    .and_then(Value::as_array)
                    .is_some_and(|d| !d.is_empty());
                if delegated {
                    return Err(ArmError::bad_request(
                        "SubnetIsDelegated",
                        format!("Subnet {subnet} is delegated to another service and cannot hold the nodes of agent pool '{path}'."),
                    ));
                }
            }
            _ => {
                return Err(ArmError::bad_request(
                    "InvalidParameter",
                    format!(
                        "The subnet '{subnet}' given in '{}' of {owner_id} does not exist.",
                        named("vnetSubnetID")
                    ),
                ))
            }
        }
    }
    let max_pods_default = match network_plugin {
        "azure" if str_at(&wrapper, "p.podSubnetID").is_none() => 30,
        "kubenet" => 110,
        _ => 250,
    };
    check.int_in("p.maxPods", 10, 250)?;
    check.int_in("p.osDiskSizeGB", 30, 2048)?;
    let requested = str_at(&wrapper, "p.orchestratorVersion")
        .unwrap_or(cluster_version)
        .to_string();
    let (requested, running) = version(&named("orchestratorVersion"), Some(&requested))?;
    default(&mut out, "vmSize", json!("Standard_D2s_v3"));
    out["count"] = json!(count);
    out["enableAutoScaling"] = json!(auto);
    default(&mut out, "maxPods", json!(max_pods_default));
    default(&mut out, "osDiskSizeGB", json!(128));
    let os_sku = if out["osType"] == "Windows" {
        "Windows2022"
    } else {
        "Ubuntu"
    };
    default(&mut out, "osSKU", json!(os_sku));
    default(&mut out, "enableNodePublicIP", json!(false));
    default(&mut out, "enableFIPS", json!(false));
    default(&mut out, "enableEncryptionAtHost", json!(false));
    default(&mut out, "upgradeSettings", json!({"maxSurge": "10%"}));
    out["orchestratorVersion"] = json!(requested);
    out["currentOrchestratorVersion"] = json!(running);
    out["nodeImageVersion"] = json!(NODE_IMAGE);
    out["powerState"] = json!({"code": "Running"});
    if let Value::Object(map) = &mut out {
        map.remove("name");
    }
    Ok(out)
}

pub(crate) fn prepare(ctx: &mut Ctx, put: &mut Put) -> ArmResult<()> {
    match put.kind.as_str() {
        CLUSTER => cluster(ctx, put),
        POOL => {
            let cluster = ctx
                .store
                .get(put.parent_key.as_deref().unwrap_or_default())
                .cloned()
                .unwrap_or_default();
            let cluster_version = str_at(&cluster.doc, "properties.kubernetesVersion")
                .unwrap_or(DEFAULT_VERSION)
                .to_string();
            let plugin = str_at(&cluster.doc, "properties.networkProfile.networkPlugin")
                .unwrap_or("kubenet")
                .to_string();
            let properties = put.doc.get("properties").cloned().unwrap_or(json!({}));
            let out = pool_properties(
                ctx.store,
                &properties,
                "properties",
                &cluster_version,
                &plugin,
                &put.id,
            )?;
            put.doc["properties"] = out;
            Ok(())
        }
        _ => Ok(()),
    }
}

fn cluster(ctx: &mut Ctx, put: &mut Put) -> ArmResult<()> {
    let check = put.check();
    check.one_of("sku.name", &["Base", "Automatic"])?;
    check.one_of("sku.tier", &["Free", "Standard", "Premium"])?;
    let dns_prefix = str_at(&put.doc, "properties.dnsPrefix").map(str::to_string);
    let subdomain = str_at(&put.doc, "properties.fqdnSubdomain").map(str::to_string);
    let label =
        match (&dns_prefix, &subdomain) {
            (Some(p), _) => p.clone(),
            (None, Some(s)) => s.clone(),
            (None, None) => return Err(ArmError::bad_request(
                "InvalidParameter",
                "Either 'properties.dnsPrefix' or 'properties.fqdnSubdomain' must be specified.",
            )),
        };
    let valid_prefix = (1..=54).contains(&label.len())
        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && label.starts_with(|c: char| c.is_ascii_alphanumeric())
        && label.ends_with(|c: char| c.is_ascii_alphanumeric());
    if !valid_prefix {
        return Err(ArmError::bad_request(
            "InvalidDnsPrefix",
            format!("The value of parameter dnsPrefix '{label}' is invalid: it must be 1 to 54 letters, digits and hyphens, starting and ending with a letter or digit."),
        ));
    }
    let requested_version = str_at(&put.doc, "properties.kubernetesVersion").map(str::to_string);
    let (requested, running) =
        version("properties.kubernetesVersion", requested_version.as_deref())?;
    // Identity: managed (system or user assigned) or a service principal.
    let identity_type =
        check.one_of("identity.type", &["SystemAssigned", "UserAssigned", "None"])?;
    let principal =
        str_at(&put.doc, "properties.servicePrincipalProfile.clientId").map(str::to_string);
    match identity_type.as_deref() {
        Some("UserAssigned") => {
            let ids = at(&put.doc, "identity.userAssignedIdentities")
                .and_then(Value::as_object)
                .map(|m| m.len())
                .unwrap_or(0);
            if ids == 0 {
                return Err(ArmError::bad_request(
                    "InvalidParameter",
                    "The identity type UserAssigned needs 'identity.userAssignedIdentities'.",
                ));
            }
        }
        Some("SystemAssigned") => {}
        _ => {
            if principal.as_deref().is_none_or(|p| p == "msi") {
                return Err(ArmError::bad_request(
                    "ServicePrincipalProfileRequired",
                    "Either a managed identity ('identity.type') or a service principal ('properties.servicePrincipalProfile') is required.",
                ));
            }
            if str_at(&put.doc, "properties.servicePrincipalProfile.secret").is_none()
                && put.creating()
            {
                return Err(ArmError::bad_request(
                    "InvalidParameter",
                    "The service principal profile needs a 'secret' to create a cluster.",
                ));
            }
        }
    }
    // Network profile.
    let plugin = check
        .one_of(
            "properties.networkProfile.networkPlugin",
            &["azure", "kubenet", "none"],
        )?
        .unwrap_or_else(|| "kubenet".into());
    check.one_of("properties.networkProfile.networkPluginMode", &["overlay"])?;
    check.one_of(
        "properties.networkProfile.networkPolicy",
        &["none", "calico", "azure", "cilium"],
    )?;
    check.one_of(
        "properties.networkProfile.networkDataplane",
        &["azure", "cilium"],
    )?;
    let lb_sku = check
        .one_of(
            "properties.networkProfile.loadBalancerSku",
            &["standard", "basic"],
        )?
        .unwrap_or_else(|| "standard".into());
    let outbound = check
        .one_of(
            "properties.networkProfile.outboundType",
            &[
                "loadBalancer",
                "userDefinedRouting",
                "managedNATGateway",
                "userAssignedNATGateway",
                "none",
            ],
        )?
        .unwrap_or_else(|| "loadBalancer".into());
    let service_cidr = str_at(&put.doc, "properties.networkProfile.serviceCidr")
        .unwrap_or("10.0.0.0/16")
        .to_string();
    let dns_ip = str_at(&put.doc, "properties.networkProfile.dnsServiceIP")
        .unwrap_or("10.0.0.10")
        .to_string();
    let Some(service) = Prefix::parse(&service_cidr) else {
        return Err(ArmError::bad_request(
            "InvalidServiceCidr",
            format!("The service CIDR '{service_cidr}' is not a valid IPv4 prefix."),
        ));
    };
    if !dns_ip.parse().is_ok_and(|ip| service.contains(ip)) {
        return Err(ArmError::bad_request(
            "InvalidDNSServiceIP",
            format!("The DNS service IP '{dns_ip}' must be an address within the service CIDR '{service_cidr}'."),
        ));
    }
    // Agent pools.
    let keep_pools = put.patch && at(&put.body, "properties.agentPoolProfiles").is_none();
    let profiles: Vec<Value> = check.array("properties.agentPoolProfiles")?.to_vec();
    if put.creating() {
        if profiles.is_empty() {
            return Err(ArmError::bad_request(
                "InvalidParameter",
                "A cluster needs at least one agent pool ('properties.agentPoolProfiles').",
            ));
        }
        if !profiles.iter().any(|p| {
            p["mode"]
                .as_str()
                .is_some_and(|m| m.eq_ignore_ascii_case("System"))
        }) {
            return Err(ArmError::bad_request(
                "MustDefineAtLeastOneSystemPool",
                "Must define at least one system pool.",
            ));
        }
    }
    if !keep_pools {
        let mut seen: Vec<String> = Vec::new();
        for (i, profile) in profiles.iter().enumerate() {
            let name = profile["name"].as_str().unwrap_or_default().to_string();
            check_name(POOL, &name)?;
            if seen.contains(&name) {
                return Err(ArmError::bad_request(
                    "InvalidParameter",
                    format!("Agent pool name '{name}' appears more than once."),
                ));
            }
            seen.push(name.clone());
            let properties = pool_properties(
                ctx.store,
                profile,
                &format!("properties.agentPoolProfiles[{i}]"),
                &requested,
                &plugin,
                &put.id,
            )?;
            let id = format!("{}/agentPools/{name}", put.id);
            let key = format!("{}/agentpools/{name}", put.key);
            let mut pool = made_resource(&id, POOL, json!({"properties": properties}), false);
            set(
                &mut pool.doc,
                "properties.provisioningState",
                json!("Succeeded"),
            );
            put.staged.push((key, pool));
        }
    }
    if let Some(props) = put.doc.get_mut("properties").and_then(Value::as_object_mut) {
        props.remove("agentPoolProfiles");
    }
    let location = put.location().unwrap_or_default().to_string();
    let hash = put
        .old_private("fqdnHash")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| util::random_hex(8));
    let fqdn = format!("{label}-{hash}.hcp.{location}.azmk8s.io");
    let node_rg = str_at(&put.doc, "properties.nodeResourceGroup")
        .map(str::to_string)
        .unwrap_or_else(|| format!("MC_{}_{}_{location}", put.rg_name(), put.name));
    set(
        &mut put.doc,
        "properties.kubernetesVersion",
        json!(requested),
    );
    set(
        &mut put.doc,
        "properties.currentKubernetesVersion",
        json!(running),
    );
    set(&mut put.doc, "properties.fqdn", json!(fqdn));
    set(
        &mut put.doc,
        "properties.azurePortalFQDN",
        json!(format!("{label}-{hash}.portal.hcp.{location}.azmk8s.io")),
    );
    if at(
        &put.doc,
        "properties.apiServerAccessProfile.enablePrivateCluster",
    ) == Some(&json!(true))
    {
        set(
            &mut put.doc,
            "properties.privateFQDN",
            json!(format!(
                "{label}-{hash}.{}.privatelink.{location}.azmk8s.io",
                util::random_hex(8)
            )),
        );
    }
    set(&mut put.doc, "properties.nodeResourceGroup", json!(node_rg));
    set(&mut put.doc, "properties.maxAgentPools", json!(100));
    set(
        &mut put.doc,
        "properties.powerState",
        json!({"code": "Running"}),
    );
    default(&mut put.doc, "properties.enableRBAC", json!(true));
    default(
        &mut put.doc,
        "properties.supportPlan",
        json!("KubernetesOfficial"),
    );
    default(
        &mut put.doc,
        "properties.disableLocalAccounts",
        json!(false),
    );
    default(&mut put.doc, "sku", json!({"name": "Base", "tier": "Free"}));
    let mut network = at(&put.doc, "properties.networkProfile")
        .cloned()
        .unwrap_or(json!({}));
    network["networkPlugin"] = json!(plugin);
    network["loadBalancerSku"] = json!(lb_sku);
    network["outboundType"] = json!(outbound);
    network["serviceCidr"] = json!(service_cidr);
    network["serviceCidrs"] = json!([service_cidr]);
    network["dnsServiceIP"] = json!(dns_ip);
    default(&mut network, "ipFamilies", json!(["IPv4"]));
    if plugin == "kubenet" || network.get("networkPluginMode").is_some() {
        default(&mut network, "podCidr", json!("10.244.0.0/16"));
        let pod = network["podCidr"].clone();
        network["podCidrs"] = json!([pod]);
    }
    if outbound == "loadBalancer" {
        default(
            &mut network,
            "loadBalancerProfile",
            json!({"managedOutboundIPs": {"count": 1}, "backendPoolType": "nodeIPConfiguration"}),
        );
    }
    set(&mut put.doc, "properties.networkProfile", network);
    let oidc = at(&put.doc, "properties.oidcIssuerProfile.enabled") == Some(&json!(true));
    if oidc {
        let issuer = put
            .old_at("properties.oidcIssuerProfile.issuerURL")
            .cloned()
            .unwrap_or_else(|| {
                json!(format!(
                    "https://{location}.oic.prod-aks.azure.com/{}/{}/",
                    crate::TENANT_ID,
                    util::new_uuid()
                ))
            });
        set(
            &mut put.doc,
            "properties.oidcIssuerProfile.issuerURL",
            issuer,
        );
    } else {
        set(
            &mut put.doc,
            "properties.oidcIssuerProfile",
            json!({"enabled": false}),
        );
    }
    // Identities: the cluster's (system assigned) and the kubelet's.
    if identity_type.as_deref() == Some("SystemAssigned") {
        let principal = put
            .old_at("identity.principalId")
            .cloned()
            .unwrap_or_else(|| json!(util::new_uuid()));
        set(&mut put.doc, "identity.principalId", principal);
        set(&mut put.doc, "identity.tenantId", json!(crate::TENANT_ID));
    }
    if identity_type.as_deref().is_some_and(|t| t != "None") {
        set(
            &mut put.doc,
            "properties.servicePrincipalProfile",
            json!({"clientId": "msi"}),
        );
        let kubelet = put.old_at("properties.identityProfile.kubeletidentity").cloned().unwrap_or_else(|| {
            json!({
                "resourceId": format!("/subscriptions/{}/resourcegroups/{node_rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{}-agentpool", crate::SUBSCRIPTION_ID, put.name),
                "clientId": util::new_uuid(),
                "objectId": util::new_uuid(),
            })
        });
        set(
            &mut put.doc,
            "properties.identityProfile.kubeletidentity",
            kubelet,
        );
    } else if let Some(props) = put
        .doc
        .pointer_mut("/properties/servicePrincipalProfile")
        .and_then(Value::as_object_mut)
    {
        props.remove("secret");
    }
    // The node resource group, owned by the cluster.
    if put.creating() {
        let rg_key = format!(
            "/subscriptions/{}/resourcegroups/{}",
            crate::SUBSCRIPTION_ID,
            node_rg.to_ascii_lowercase()
        );
        if ctx.store.get(&rg_key).is_none() {
            let rg_id = format!(
                "/subscriptions/{}/resourceGroups/{node_rg}",
                crate::SUBSCRIPTION_ID
            );
            let mut rg = made_resource(
                &rg_id,
                "Microsoft.Resources/resourceGroups",
                json!({"location": location, "managedBy": put.id, "tags": {"aks-managed-cluster-name": put.name, "aks-managed-cluster-rg": put.rg_name()}, "properties": {"provisioningState": "Succeeded"}}),
                false,
            );
            rg.doc.as_object_mut().map(|m| m.remove("etag"));
            rg.owner = Some(put.key.clone());
            put.staged.push((rg_key, rg));
        }
    }
    // Credentials: made once, kept across updates.
    let credentials_current = put.old_private("fqdnHash").is_some()
        && put.old_at("properties.fqdn") == Some(&json!(fqdn));
    if !credentials_current {
        let (user, admin) = kubeconfigs(&put.name, put.rg_name(), &fqdn)
            .map_err(|e| ArmError::new(500, "InternalServerError", e))?;
        put.private = json!({"fqdnHash": hash, "user": user, "admin": admin});
    } else {
        put.private["fqdnHash"] = json!(hash);
    }
    Ok(())
}

/// A kubeconfig pair (user, admin) for a cluster: a new CA and client certificates it signed.
fn kubeconfigs(cluster: &str, rg: &str, fqdn: &str) -> Result<(String, String), String> {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    };
    let err = |e: rcgen::Error| format!("cannot make the cluster's certificates: {e}");
    let ca_key = KeyPair::generate().map_err(err)?;
    let mut ca_params = CertificateParams::new(Vec::new()).map_err(err)?;
    ca_params.distinguished_name.push(DnType::CommonName, "ca");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::CrlSign,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(err)?;
    let issuer = Issuer::new(ca_params, ca_key);
    let client = |common_name: &str| -> Result<(String, String), String> {
        let key = KeyPair::generate().map_err(err)?;
        let mut params = CertificateParams::new(Vec::new()).map_err(err)?;
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params
            .distinguished_name
            .push(DnType::OrganizationName, "system:masters");
        params.use_authority_key_identifier_extension = true;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        let cert = params.signed_by(&key, &issuer).map_err(err)?;
        Ok((cert.pem(), key.serialize_pem()))
    };
    let ca = STANDARD.encode(ca_cert.pem());
    let make = |context: &str, user: &str, common_name: &str| -> Result<String, String> {
        let (cert, key) = client(common_name)?;
        Ok(format!(
            "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: {ca}\n    server: https://{fqdn}:443\n  name: {cluster}\ncontexts:\n- context:\n    cluster: {cluster}\n    user: {user}\n  name: {context}\ncurrent-context: {context}\nkind: Config\npreferences: {{}}\nusers:\n- name: {user}\n  user:\n    client-certificate-data: {}\n    client-key-data: {}\n    token: {}\n",
            STANDARD.encode(cert),
            STANDARD.encode(key),
            util::random_hex(64),
        ))
    };
    let user = make(cluster, &format!("clusterUser_{rg}_{cluster}"), "client")?;
    let admin = make(
        &format!("{cluster}-admin"),
        &format!("clusterAdmin_{rg}_{cluster}"),
        "masterclient",
    )?;
    Ok((user, admin))
}

/// Shows a cluster's agent pools in `agentPoolProfiles`.
pub(crate) fn present(store: &Store, key: &str, resource: &Resource, doc: &mut Value) {
    if resource.kind != CLUSTER {
        return;
    }
    let cluster_state = resource
        .provisioning_state()
        .unwrap_or("Succeeded")
        .to_string();
    let profiles: Vec<Value> = store
        .children(key, "agentPools")
        .iter()
        .map(|pool| {
            let mut profile = json!({"name": pool.name()});
            if let (Value::Object(p), Some(Value::Object(props))) =
                (&mut profile, pool.doc.get("properties"))
            {
                for (k, v) in props {
                    p.insert(k.clone(), v.clone());
                }
            }
            if resource.pending.is_some() {
                profile["provisioningState"] = json!(cluster_state);
            }
            profile
        })
        .collect();
    set(doc, "properties.agentPoolProfiles", json!(profiles));
}

/// `GET {cluster}/availableAgentPoolVersions`: the Kubernetes versions new node pools may
/// run, each offered version's patch as AKS lists them.
pub(crate) fn available_agent_pool_versions(cluster_id: &str) -> Value {
    let versions: Vec<Value> = VERSIONS
        .iter()
        .map(|(minor, patch)| {
            json!({
                "kubernetesVersion": patch,
                "default": *minor == DEFAULT_VERSION,
                "isPreview": false,
            })
        })
        .collect();
    json!({
        "id": format!("{cluster_id}/availableAgentPoolVersions"),
        "name": "default",
        "type": "Microsoft.ContainerService/managedClusters/availableAgentPoolVersions",
        "properties": {"agentPoolVersions": versions},
    })
}

/// `listClusterUserCredential`, `listClusterAdminCredential`, `listClusterMonitoringUserCredential`.
pub(crate) fn action(
    _ctx: &mut Ctx,
    resource: &Resource,
    action: &str,
) -> Option<ArmResult<Response>> {
    let (which, name) = match action {
        "listclusterusercredential" => ("user", "clusterUser"),
        "listclustermonitoringusercredential" => ("user", "clusterMonitoringUser"),
        "listclusteradmincredential" => ("admin", "clusterAdmin"),
        _ => return None,
    };
    if which == "admin"
        && at(&resource.doc, "properties.disableLocalAccounts") == Some(&json!(true))
    {
        return Some(Err(ArmError::bad_request(
            "BadRequest",
            "Getting static credential is not allowed because this cluster is set to disable local accounts.",
        )));
    }
    let config = resource
        .private
        .get(which)
        .and_then(Value::as_str)
        .unwrap_or_default();
    Some(Ok(Response::json(
        200,
        &json!({"kubeconfigs": [{"name": name, "value": STANDARD.encode(config)}]}),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubeconfigs_hold_a_ca_and_signed_client_certificates() {
        let (user, admin) = kubeconfigs("aks", "rg", "aks-1.hcp.westeurope.azmk8s.io").unwrap();
        assert!(user.contains("server: https://aks-1.hcp.westeurope.azmk8s.io:443"));
        assert!(admin.contains("current-context: aks-admin"));
        let field = |config: &str, name: &str| {
            let line = config
                .lines()
                .find(|l| l.trim_start().starts_with(name))
                .unwrap();
            String::from_utf8(STANDARD.decode(line.split(": ").nth(1).unwrap()).unwrap()).unwrap()
        };
        assert!(
            field(&user, "certificate-authority-data").starts_with("-----BEGIN CERTIFICATE-----")
        );
        assert!(field(&user, "client-certificate-data").starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(field(&user, "client-key-data").starts_with("-----BEGIN PRIVATE KEY-----"));
        assert_eq!(
            field(&user, "certificate-authority-data"),
            field(&admin, "certificate-authority-data")
        );
    }
}
