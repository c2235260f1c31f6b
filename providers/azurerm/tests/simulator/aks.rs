//! Containers and identity: AKS clusters (managed identity, service principal, Azure AD RBAC)
//! with their kubeconfigs, node pools, a container registry with its admin credentials, role
//! assignments by role name, and the cluster data source — each created, read back, planned
//! clean, updated in place where AKS updates in place, checked for replacement, imported and
//! destroyed.

use crate::support::{
    attr, blocks, corpus_dir, decode_problems, s, string_set, tags, Driver, Harness,
};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use terrane_azure_sim::Faults;
use terrane_engine::provider::Block;
use terrane_engine::value::Value;

const RG: &str = "azurerm_resource_group";
const VNET: &str = "azurerm_virtual_network";
const SUBNET: &str = "azurerm_subnet";
const AKS: &str = "azurerm_kubernetes_cluster";
const POOL: &str = "azurerm_kubernetes_cluster_node_pool";
const ACR: &str = "azurerm_container_registry";
const ROLE: &str = "azurerm_role_assignment";

fn first(value: &Value, name: &str) -> Value {
    attr(value, name)
        .as_seq()
        .and_then(|s| s.first().cloned())
        .unwrap_or_else(|| panic!("{name} has no element: {value:?}"))
}

fn text(value: &Value, name: &str) -> String {
    attr(value, name).as_str().unwrap_or_default().to_string()
}

/// A base64 attribute, decoded.
fn decoded(value: &Value, name: &str) -> String {
    String::from_utf8(STANDARD.decode(text(value, name)).expect("base64")).expect("utf-8")
}

fn nested<'a>(block: &'a Block, name: &str) -> &'a Block {
    &block.blocks[name].block
}

async fn network(rm: &Driver) -> Value {
    rm.create(
        RG,
        &rm.config(
            RG,
            vec![("name", s("rg-aks")), ("location", s("westeurope"))],
        ),
    )
    .await;
    rm.create(
        VNET,
        &rm.config(
            VNET,
            vec![
                ("name", s("vnet-aks")),
                ("resource_group_name", s("rg-aks")),
                ("location", s("westeurope")),
                ("address_space", string_set(&["172.17.0.0/16"])),
            ],
        ),
    )
    .await;
    rm.create(
        SUBNET,
        &rm.config(
            SUBNET,
            vec![
                ("name", s("aks")),
                ("resource_group_name", s("rg-aks")),
                ("virtual_network_name", s("vnet-aks")),
                (
                    "address_prefixes",
                    crate::support::string_list(&["172.17.0.0/24"]),
                ),
            ],
        ),
    )
    .await
}

/// A default node pool block.
fn default_pool(rm: &Driver, pairs: Vec<(&str, Value)>) -> Value {
    let block = rm.block(AKS);
    let pool_block = nested(block, "default_node_pool");
    let mut pairs = pairs;
    pairs.push((
        "upgrade_settings",
        blocks(
            pool_block,
            "upgrade_settings",
            vec![vec![("max_surge", s("10%"))]],
        ),
    ));
    blocks(block, "default_node_pool", vec![pairs])
}

/// A cluster with a system-assigned identity and Azure CNI on `subnet`.
fn cluster_config(
    rm: &Driver,
    subnet: &Value,
    dns_prefix: &str,
    node_count: i64,
    vm_size: &str,
    env: &str,
) -> Value {
    let block = rm.block(AKS);
    rm.config(
        AKS,
        vec![
            ("name", s("abc-aks")),
            ("location", s("West Europe")),
            ("resource_group_name", s("rg-aks")),
            ("dns_prefix", s(dns_prefix)),
            ("kubernetes_version", s("1.32")),
            (
                "default_node_pool",
                default_pool(
                    rm,
                    vec![
                        ("name", s("default")),
                        ("node_count", Value::int(node_count)),
                        ("vm_size", s(vm_size)),
                        ("vnet_subnet_id", attr(subnet, "id")),
                        ("temporary_name_for_rotation", s("rotation")),
                    ],
                ),
            ),
            (
                "identity",
                blocks(block, "identity", vec![vec![("type", s("SystemAssigned"))]]),
            ),
            (
                "network_profile",
                blocks(
                    block,
                    "network_profile",
                    vec![vec![
                        ("network_plugin", s("azure")),
                        ("dns_service_ip", s("10.0.0.10")),
                        ("service_cidr", s("10.0.0.0/16")),
                    ]],
                ),
            ),
            ("oidc_issuer_enabled", Value::Bool(true)),
            ("workload_identity_enabled", Value::Bool(true)),
            ("tags", tags(&[("env", env)])),
        ],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubernetes_cluster_lifecycle() {
    let h = Harness::start(Faults::default()).await;
    let rm = &h.azurerm;
    let subnet = network(rm).await;
    let config = cluster_config(rm, &subnet, "abc-aks", 1, "Standard_D2_v2", "dev");
    let cluster = rm.create(AKS, &config).await;
    let id = text(&cluster, "id");
    assert_eq!(
        id,
        format!(
            "{}/providers/Microsoft.ContainerService/managedClusters/abc-aks",
            h.group_id("rg-aks")
        )
    );
    assert_eq!(attr(&cluster, "location"), s("westeurope"));
    assert_eq!(attr(&cluster, "sku_tier"), s("Free"));
    assert!(text(&cluster, "fqdn").ends_with(".hcp.westeurope.azmk8s.io"));
    assert_eq!(
        attr(&cluster, "node_resource_group"),
        s("MC_rg-aks_abc-aks_westeurope")
    );
    assert!(text(&cluster, "oidc_issuer_url").starts_with("https://"));
    let identity = first(&cluster, "identity");
    assert!(!text(&identity, "principal_id").is_empty());
    assert!(!text(&identity, "tenant_id").is_empty());
    let kubelet = first(&cluster, "kubelet_identity");
    assert!(text(&kubelet, "user_assigned_identity_id").contains("/resourceGroups/MC_rg-aks"));
    let pool = first(&cluster, "default_node_pool");
    assert_eq!(attr(&pool, "node_count"), Value::int(1));
    assert_eq!(attr(&pool, "vnet_subnet_id"), attr(&subnet, "id"));
    assert_eq!(
        attr(&pool, "max_pods"),
        Value::int(30),
        "Azure CNI's default"
    );
    let network = first(&cluster, "network_profile");
    assert_eq!(attr(&network, "network_plugin"), s("azure"));
    assert_eq!(attr(&network, "load_balancer_sku"), s("standard"));
    assert_eq!(attr(&network, "outbound_type"), s("loadBalancer"));

    // The kubeconfig is what the helm and kubernetes providers are fed with.
    let kube = first(&cluster, "kube_config");
    assert_eq!(
        attr(&kube, "host"),
        s(format!("https://{}:443", text(&cluster, "fqdn")))
    );
    assert!(decoded(&kube, "client_certificate").starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(decoded(&kube, "client_key").starts_with("-----BEGIN PRIVATE KEY-----"));
    assert!(decoded(&kube, "cluster_ca_certificate").starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(text(&kube, "username").starts_with("clusterUser_rg-aks_abc-aks"));
    assert!(!text(&kube, "password").is_empty());
    assert!(text(&cluster, "kube_config_raw").contains("current-context: abc-aks"));
    assert_eq!(
        attr(&cluster, "kube_admin_config").len(),
        Some(0),
        "no admin kubeconfig without Azure AD RBAC"
    );
    let schema = rm.block(AKS);
    for name in [
        "kube_config",
        "kube_config_raw",
        "kube_admin_config",
        "kube_admin_config_raw",
    ] {
        assert!(schema.attributes[name].sensitive, "{name} is sensitive");
    }
    rm.assert_read_same(AKS, &cluster).await;
    rm.assert_clean(AKS, &cluster, &config).await;

    // Tags and the node count change in place.
    let scaled = cluster_config(rm, &subnet, "abc-aks", 2, "Standard_D2_v2", "prod");
    let cluster = rm.update(AKS, &cluster, &scaled).await;
    assert_eq!(attr(&cluster, "tags"), tags(&[("env", "prod")]));
    let pool = first(&cluster, "default_node_pool");
    assert_eq!(attr(&pool, "node_count"), Value::int(2));
    rm.assert_read_same(AKS, &cluster).await;
    rm.assert_clean(AKS, &cluster, &scaled).await;

    // A new VM size cycles the default pool through the temporary one, in place.
    let resized = cluster_config(rm, &subnet, "abc-aks", 2, "Standard_D4s_v3", "prod");
    let cluster = rm.update(AKS, &cluster, &resized).await;
    let pool = first(&cluster, "default_node_pool");
    assert_eq!(attr(&pool, "vm_size"), s("Standard_D4s_v3"));
    assert_eq!(attr(&pool, "name"), s("default"));
    let temporary = format!("{id}/agentPools/rotation");
    let pools = rm.read(AKS, &cluster).await.expect("the cluster exists");
    assert!(
        !format!("{pools:?}").contains(&temporary),
        "the temporary pool is gone"
    );
    rm.assert_clean(AKS, &cluster, &resized).await;

    // A new DNS prefix, or a new network plugin, replaces the cluster.
    let renamed = rm
        .plan(
            AKS,
            &cluster,
            &cluster_config(rm, &subnet, "abc-aks-2", 2, "Standard_D4s_v3", "prod"),
        )
        .await;
    assert!(renamed
        .requires_replace
        .contains(&vec!["dns_prefix".to_string()]));
    let mut kubenet = resized.as_mapping().cloned().expect("object");
    kubenet.insert(
        "network_profile".into(),
        blocks(
            schema,
            "network_profile",
            vec![vec![("network_plugin", s("kubenet"))]],
        ),
    );
    let replugged = rm.plan(AKS, &cluster, &Value::object(kubenet)).await;
    assert!(replugged
        .requires_replace
        .iter()
        .any(|p| p.first().map(String::as_str) == Some("network_profile")));

    // The data source gives the same kubeconfig.
    let data = rm
        .read_data(
            AKS,
            &rm.data_config(
                AKS,
                vec![("name", s("abc-aks")), ("resource_group_name", s("rg-aks"))],
            ),
        )
        .await;
    assert_eq!(attr(&data, "id"), s(id.clone()));
    assert!(attr(&data, "kube_config").raw_equal(&attr(&cluster, "kube_config")));
    assert_eq!(attr(&data, "fqdn"), attr(&cluster, "fqdn"));
    let pools = attr(&data, "agent_pool_profile");
    assert_eq!(pools.len(), Some(1));
    assert_eq!(
        attr(&pools.as_seq().expect("pools")[0], "count"),
        Value::int(2)
    );

    // Import by ID gives the same cluster.
    let imported = rm.import(AKS, &id).await;
    for name in [
        "fqdn",
        "kube_config",
        "identity",
        "network_profile",
        "node_resource_group",
        "tags",
    ] {
        assert!(
            attr(&imported, name).raw_equal(&attr(&cluster, name)),
            "{name}: imported {:?}, created {:?}",
            attr(&imported, name),
            attr(&cluster, name)
        );
    }
    let lower = id.replace("/resourceGroups/", "/resourcegroups/");
    let refused = rm.provider.import(AKS, &lower).await;
    assert!(refused.is_err(), "import IDs are parsed strictly");

    rm.destroy(AKS, &cluster).await;
    assert!(
        rm.read(AKS, &cluster).await.is_none(),
        "the cluster is gone"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_principal_and_azure_ad_clusters() {
    let h = Harness::start(Faults::default()).await;
    let rm = &h.azurerm;
    let subnet = network(rm).await;
    let block = rm.block(AKS);
    // The tf-k8s shape: a service principal and Azure CNI.
    let config = rm.config(
        AKS,
        vec![
            ("name", s("sp-aks")),
            ("location", s("westeurope")),
            ("resource_group_name", s("rg-aks")),
            ("dns_prefix", s("sp-aks")),
            ("kubernetes_version", s("1.31")),
            ("private_cluster_enabled", Value::Bool(false)),
            (
                "default_node_pool",
                default_pool(
                    rm,
                    vec![
                        ("name", s("default")),
                        ("node_count", Value::int(1)),
                        ("vm_size", s("Standard_D2_v2")),
                        ("orchestrator_version", s("1.31")),
                        ("vnet_subnet_id", attr(&subnet, "id")),
                    ],
                ),
            ),
            (
                "service_principal",
                blocks(
                    block,
                    "service_principal",
                    vec![vec![
                        ("client_id", s("7b1f1b9e-5b7a-4b7e-9a61-1f0e5a6b8c9d")),
                        ("client_secret", s("not-a-real-secret")),
                    ]],
                ),
            ),
            (
                "network_profile",
                blocks(
                    block,
                    "network_profile",
                    vec![vec![
                        ("network_plugin", s("azure")),
                        ("dns_service_ip", s("10.0.0.10")),
                        ("service_cidr", s("10.0.0.0/16")),
                    ]],
                ),
            ),
        ],
    );
    let cluster = rm.create(AKS, &config).await;
    let principal = first(&cluster, "service_principal");
    assert_eq!(
        attr(&principal, "client_id"),
        s("7b1f1b9e-5b7a-4b7e-9a61-1f0e5a6b8c9d")
    );
    assert_eq!(
        attr(&principal, "client_secret"),
        s("not-a-real-secret"),
        "the secret ARM never returns is kept"
    );
    assert_eq!(attr(&cluster, "identity").len(), Some(0));
    assert_eq!(attr(&cluster, "kubernetes_version"), s("1.31"));
    assert!(text(&cluster, "current_kubernetes_version").starts_with("1.31."));
    assert_eq!(
        attr(
            &first(&cluster, "default_node_pool"),
            "orchestrator_version"
        ),
        s("1.31")
    );
    assert!(block.blocks["service_principal"].block.attributes["client_secret"].sensitive);
    rm.assert_read_same(AKS, &cluster).await;
    rm.assert_clean(AKS, &cluster, &config).await;
    // A service principal cluster moves to a managed identity in place.
    let mut managed = config.as_mapping().cloned().expect("object");
    managed.insert(
        "service_principal".into(),
        blocks(block, "service_principal", vec![]),
    );
    managed.insert(
        "identity".into(),
        blocks(block, "identity", vec![vec![("type", s("SystemAssigned"))]]),
    );
    let managed = Value::object(managed);
    let cluster = rm.update(AKS, &cluster, &managed).await;
    assert_eq!(attr(&cluster, "service_principal").len(), Some(0));
    assert!(!text(&first(&cluster, "identity"), "principal_id").is_empty());
    rm.assert_clean(AKS, &cluster, &managed).await;
    // ... but not back: that needs a new cluster.
    let plan = rm.plan(AKS, &cluster, &config).await;
    assert!(
        plan.requires_replace.contains(&vec![
            "service_principal".into(),
            "0".into(),
            "client_id".into()
        ]),
        "{:?}",
        plan.requires_replace
    );
    rm.destroy(AKS, &cluster).await;

    // Azure AD RBAC gives an admin kubeconfig as well.
    let aad = rm.config(
        AKS,
        vec![
            ("name", s("aad-aks")),
            ("location", s("westeurope")),
            ("resource_group_name", s("rg-aks")),
            ("dns_prefix", s("aad-aks")),
            (
                "default_node_pool",
                default_pool(
                    rm,
                    vec![("name", s("system")), ("node_count", Value::int(1))],
                ),
            ),
            (
                "identity",
                blocks(block, "identity", vec![vec![("type", s("SystemAssigned"))]]),
            ),
            (
                "azure_active_directory_role_based_access_control",
                blocks(
                    block,
                    "azure_active_directory_role_based_access_control",
                    vec![vec![
                        ("azure_rbac_enabled", Value::Bool(true)),
                        ("tenant_id", s(h.sim.tenant_id())),
                    ]],
                ),
            ),
        ],
    );
    let cluster = rm.create(AKS, &aad).await;
    let admin = first(&cluster, "kube_admin_config");
    assert!(text(&admin, "username").starts_with("clusterAdmin_rg-aks_aad-aks"));
    assert!(decoded(&admin, "client_certificate").starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(text(&cluster, "kube_admin_config_raw").contains("current-context: aad-aks-admin"));
    let user = first(&cluster, "kube_config");
    assert_eq!(attr(&admin, "host"), attr(&user, "host"));
    assert_eq!(
        attr(&admin, "cluster_ca_certificate"),
        attr(&user, "cluster_ca_certificate")
    );
    rm.assert_read_same(AKS, &cluster).await;
    rm.assert_clean(AKS, &cluster, &aad).await;
    rm.destroy(AKS, &cluster).await;
}

fn pool_config(rm: &Driver, cluster: &Value, vm_size: &str, count: i64, rotation: bool) -> Value {
    let block = rm.block(POOL);
    let mut pairs = vec![
        ("name", s("internal")),
        ("kubernetes_cluster_id", attr(cluster, "id")),
        ("vm_size", s(vm_size)),
        ("node_count", Value::int(count)),
        ("auto_scaling_enabled", Value::Bool(false)),
        (
            "upgrade_settings",
            blocks(
                block,
                "upgrade_settings",
                vec![vec![("max_surge", s("33%"))]],
            ),
        ),
        ("tags", tags(&[("pool", "internal")])),
    ];
    if rotation {
        pairs.push(("temporary_name_for_rotation", s("internaltmp")));
    }
    rm.config(POOL, pairs)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_pools_registries_and_role_assignments() {
    let h = Harness::start(Faults::default()).await;
    let rm = &h.azurerm;
    let subnet = network(rm).await;
    let cluster_config = cluster_config(rm, &subnet, "abc-aks", 1, "Standard_D2_v2", "dev");
    let cluster = rm.create(AKS, &cluster_config).await;

    // A node pool: the node count changes in place; a new VM size needs a temporary pool.
    let config = pool_config(rm, &cluster, "Standard_DS2_v2", 1, false);
    let pool = rm.create(POOL, &config).await;
    let id = text(&pool, "id");
    assert_eq!(id, format!("{}/agentPools/internal", text(&cluster, "id")));
    assert_eq!(attr(&pool, "mode"), s("User"));
    assert_eq!(attr(&pool, "os_type"), s("Linux"));
    assert_eq!(attr(&pool, "priority"), s("Regular"));
    assert!(!text(&pool, "node_image_version").is_empty());
    rm.assert_read_same(POOL, &pool).await;
    rm.assert_clean(POOL, &pool, &config).await;
    let scaled = pool_config(rm, &cluster, "Standard_DS2_v2", 3, false);
    let pool = rm.update(POOL, &pool, &scaled).await;
    assert_eq!(attr(&pool, "node_count"), Value::int(3));
    rm.assert_clean(POOL, &pool, &scaled).await;
    let resized = pool_config(rm, &cluster, "Standard_D4s_v3", 3, false);
    let plan = rm.plan(POOL, &pool, &resized).await;
    assert!(plan.requires_replace.is_empty());
    let refused = rm
        .try_apply(POOL, &pool, &plan.planned_state, &resized)
        .await
        .expect_err("a new VM size needs temporary_name_for_rotation");
    assert!(refused.contains("temporary_name_for_rotation"), "{refused}");
    let resized = pool_config(rm, &cluster, "Standard_D4s_v3", 3, true);
    let pool = rm.update(POOL, &pool, &resized).await;
    assert_eq!(attr(&pool, "vm_size"), s("Standard_D4s_v3"));
    rm.assert_read_same(POOL, &pool).await;
    let renamed = rm
        .plan(POOL, &pool, &{
            let mut c = resized.as_mapping().cloned().expect("object");
            c.insert("name".into(), s("other"));
            Value::object(c)
        })
        .await;
    assert!(renamed.requires_replace.contains(&vec!["name".to_string()]));
    let imported = rm.import(POOL, &id).await;
    assert_eq!(
        attr(&imported, "kubernetes_cluster_id"),
        attr(&cluster, "id")
    );
    assert_eq!(attr(&imported, "vm_size"), attr(&pool, "vm_size"));

    // A registry with the admin user: its credentials are read.
    let acr_config = |sku: &str, env: &str| {
        rm.config(
            ACR,
            vec![
                ("name", s("abccontainerhub")),
                ("resource_group_name", s("rg-aks")),
                ("location", s("westeurope")),
                ("sku", s(sku)),
                ("admin_enabled", Value::Bool(true)),
                ("tags", tags(&[("env", env)])),
            ],
        )
    };
    let config = acr_config("Standard", "dev");
    let registry = rm.create(ACR, &config).await;
    assert_eq!(
        attr(&registry, "login_server"),
        s("abccontainerhub.azurecr.io")
    );
    assert_eq!(attr(&registry, "admin_username"), s("abccontainerhub"));
    assert!(text(&registry, "admin_password").len() > 20);
    assert!(rm.block(ACR).attributes["admin_password"].sensitive);
    assert_eq!(attr(&registry, "export_policy_enabled"), Value::Bool(true));
    rm.assert_read_same(ACR, &registry).await;
    rm.assert_clean(ACR, &registry, &config).await;
    let premium = acr_config("Premium", "prod");
    let registry = rm.update(ACR, &registry, &premium).await;
    assert_eq!(attr(&registry, "sku"), s("Premium"));
    assert_eq!(attr(&registry, "tags"), tags(&[("env", "prod")]));
    rm.assert_clean(ACR, &registry, &premium).await;
    let mut zonal = premium.as_mapping().cloned().expect("object");
    zonal.insert("zone_redundancy_enabled".into(), Value::Bool(true));
    let plan = rm.plan(ACR, &registry, &Value::object(zonal)).await;
    assert!(plan
        .requires_replace
        .contains(&vec!["zone_redundancy_enabled".to_string()]));
    let imported = rm.import(ACR, text(&registry, "id").as_str()).await;
    assert!(attr(&imported, "admin_password").raw_equal(&attr(&registry, "admin_password")));

    // The kubelet identity may pull from the registry: the role is found by name.
    let kubelet = first(&cluster, "kubelet_identity");
    let role_config = rm.config(
        ROLE,
        vec![
            ("principal_id", attr(&kubelet, "object_id")),
            ("role_definition_name", s("AcrPull")),
            ("scope", attr(&registry, "id")),
            ("skip_service_principal_aad_check", Value::Bool(true)),
        ],
    );
    let role = rm.create(ROLE, &role_config).await;
    let role_id = text(&role, "id");
    assert!(role_id.starts_with(&format!(
        "{}/providers/Microsoft.Authorization/roleAssignments/",
        text(&registry, "id")
    )));
    assert!(uuid::Uuid::parse_str(&text(&role, "name")).is_ok());
    assert!(text(&role, "role_definition_id").ends_with(
        "/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d"
    ));
    assert_eq!(attr(&role, "principal_type"), s("ServicePrincipal"));
    rm.assert_read_same(ROLE, &role).await;
    rm.assert_clean(ROLE, &role, &role_config).await;
    let mut other_role = role_config.as_mapping().cloned().expect("object");
    other_role.insert("role_definition_name".into(), s("AcrPush"));
    let plan = rm.plan(ROLE, &role, &Value::object(other_role)).await;
    assert!(plan
        .requires_replace
        .contains(&vec!["role_definition_name".to_string()]));
    let imported = rm.import(ROLE, &role_id).await;
    for name in [
        "name",
        "scope",
        "role_definition_id",
        "role_definition_name",
        "principal_id",
    ] {
        assert_eq!(attr(&imported, name), attr(&role, name), "{name}");
    }
    // A subscription-wide assignment, as tf-k8s makes for its service principal.
    let subscription = format!("/subscriptions/{}", h.sim.subscription_id());
    let contributor = rm
        .create(
            ROLE,
            &rm.config(
                ROLE,
                vec![
                    ("principal_id", attr(&kubelet, "object_id")),
                    ("role_definition_name", s("Contributor")),
                    ("scope", s(subscription.clone())),
                ],
            ),
        )
        .await;
    assert_eq!(attr(&contributor, "scope"), s(subscription));

    for (ty, state) in [
        (ROLE, &contributor),
        (ROLE, &role),
        (ACR, &registry),
        (POOL, &pool),
        (AKS, &cluster),
    ] {
        rm.destroy(ty, state).await;
        assert!(rm.read(ty, state).await.is_none(), "{ty} is gone");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converge_under_faults() {
    let h = Harness::start(Faults {
        throttle: 0.2,
        server_error: 0.05,
        drop: 0.02,
    })
    .await;
    let rm = &h.azurerm;
    let subnet = network(rm).await;
    let config = cluster_config(rm, &subnet, "abc-aks", 1, "Standard_D2_v2", "dev");
    let cluster = rm.create(AKS, &config).await;
    assert!(text(&first(&cluster, "kube_config"), "host").starts_with("https://"));
    rm.assert_read_same(AKS, &cluster).await;
    rm.assert_clean(AKS, &cluster, &config).await;
    let pool_config = pool_config(rm, &cluster, "Standard_DS2_v2", 1, false);
    let pool = rm.create(POOL, &pool_config).await;
    rm.assert_read_same(POOL, &pool).await;
    let registry = rm
        .create(
            ACR,
            &rm.config(
                ACR,
                vec![
                    ("name", s("faultyregistry")),
                    ("resource_group_name", s("rg-aks")),
                    ("location", s("westeurope")),
                    ("sku", s("Basic")),
                    ("admin_enabled", Value::Bool(true)),
                ],
            ),
        )
        .await;
    rm.assert_read_same(ACR, &registry).await;
    let role_config = rm.config(
        ROLE,
        vec![
            (
                "principal_id",
                attr(&first(&cluster, "kubelet_identity"), "object_id"),
            ),
            ("role_definition_name", s("AcrPull")),
            ("scope", attr(&registry, "id")),
        ],
    );
    let role = rm.create(ROLE, &role_config).await;
    rm.assert_read_same(ROLE, &role).await;
    rm.assert_clean(ROLE, &role, &role_config).await;
    for (ty, state) in [
        (ROLE, &role),
        (ACR, &registry),
        (POOL, &pool),
        (AKS, &cluster),
    ] {
        rm.destroy(ty, state).await;
        assert!(rm.read(ty, state).await.is_none(), "{ty} is gone");
    }
}

/// The user's tf-k8s (written for azurerm v3) decodes against these v4 schemas, except for the
/// two arguments azurerm 4.0 removed or renamed: `network_profile.docker_bridge_cidr` and the
/// node pool's `enable_auto_scaling` (now `auto_scaling_enabled`).
#[test]
fn tf_k8s_decodes_against_the_v4_schemas() {
    let dir = corpus_dir("tf-k8s");
    if !dir.is_dir() {
        eprintln!("skipped: the corpus is not at {}", dir.display());
        return;
    }
    let (module, diagnostics) = terrane_engine::config::load_module(&dir);
    assert!(!diagnostics.has_errors(), "{diagnostics:?}");
    let (decoded, problems) = decode_problems(&module, &[AKS, POOL, ACR, ROLE]);
    assert_eq!(
        decoded, 5,
        "the cluster, its node pool, the registry, two role assignments"
    );
    assert_eq!(
        problems.keys().collect::<Vec<_>>(),
        vec![
            "azurerm_kubernetes_cluster.k8s",
            "azurerm_kubernetes_cluster_node_pool.main"
        ],
        "{problems:?}"
    );
    let cluster = &problems["azurerm_kubernetes_cluster.k8s"];
    assert_eq!(cluster.len(), 1, "{cluster:?}");
    assert!(cluster[0].contains("\"docker_bridge_cidr\""), "{cluster:?}");
    let pool = &problems["azurerm_kubernetes_cluster_node_pool.main"];
    assert_eq!(pool.len(), 1, "{pool:?}");
    assert!(pool[0].contains("\"enable_auto_scaling\""), "{pool:?}");
}
