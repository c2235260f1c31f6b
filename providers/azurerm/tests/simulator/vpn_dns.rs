//! VPN, DNS and private networking: a VPN gateway with Azure AD point-to-site, a local
//! network gateway and an IPsec connection; a public DNS zone with A, CNAME and TXT records;
//! a private DNS zone with a virtual network link and an A record, a private endpoint with
//! its DNS zone group, and a private DNS resolver with an inbound endpoint — and the
//! user's own configuration (git-ops-starter) decoded against these schemas.

use crate::support::{attr, blocks, corpus_dir, s, string_list, string_set, tags, Driver, Harness};
use std::collections::BTreeMap;
use terrane_azure_sim::Faults;
use terrane_engine::plan::decode::decode_body;
use terrane_engine::value::{Type, Value};

const RG: &str = "azurerm_resource_group";
const VNET: &str = "azurerm_virtual_network";
const SUBNET: &str = "azurerm_subnet";
const PIP: &str = "azurerm_public_ip";
const GATEWAY: &str = "azurerm_virtual_network_gateway";
const LOCAL: &str = "azurerm_local_network_gateway";
const CONNECTION: &str = "azurerm_virtual_network_gateway_connection";
const ZONE: &str = "azurerm_dns_zone";
const A: &str = "azurerm_dns_a_record";
const CNAME: &str = "azurerm_dns_cname_record";
const TXT: &str = "azurerm_dns_txt_record";
const PRIVATE_ZONE: &str = "azurerm_private_dns_zone";
const LINK: &str = "azurerm_private_dns_zone_virtual_network_link";
const PRIVATE_A: &str = "azurerm_private_dns_a_record";
const ENDPOINT: &str = "azurerm_private_endpoint";
const RESOLVER: &str = "azurerm_private_dns_resolver";
const INBOUND: &str = "azurerm_private_dns_resolver_inbound_endpoint";

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

fn first(value: &Value) -> Value {
    value
        .as_seq()
        .and_then(|items| items.first().cloned())
        .unwrap_or(Value::Null(Type::Dynamic))
}

/// A resource group, a virtual network, and subnets (name, prefix, delegated service).
async fn network(rm: &Driver, group: &str, space: &str, subnets: &[(&str, &str, Option<&str>)]) {
    rm.create(
        RG,
        &rm.config(RG, vec![("name", s(group)), ("location", s("westeurope"))]),
    )
    .await;
    rm.create(
        VNET,
        &rm.config(
            VNET,
            vec![
                ("name", s("vnet")),
                ("resource_group_name", s(group)),
                ("location", s("westeurope")),
                ("address_space", string_set(&[space])),
            ],
        ),
    )
    .await;
    for (name, prefix, service) in subnets {
        let block = rm.block(SUBNET);
        let delegation = match service {
            Some(service) => blocks(
                block,
                "delegation",
                vec![vec![
                    ("name", s("delegation")),
                    (
                        "service_delegation",
                        blocks(
                            &block.blocks["delegation"].block,
                            "service_delegation",
                            vec![vec![
                                ("name", s(*service)),
                                (
                                    "actions",
                                    string_set(&[
                                        "Microsoft.Network/virtualNetworks/subnets/join/action",
                                    ]),
                                ),
                            ]],
                        ),
                    ),
                ]],
            ),
            None => blocks(block, "delegation", vec![]),
        };
        rm.create(
            SUBNET,
            &rm.config(
                SUBNET,
                vec![
                    ("name", s(*name)),
                    ("resource_group_name", s(group)),
                    ("virtual_network_name", s("vnet")),
                    ("address_prefixes", string_list(&[prefix])),
                    ("delegation", delegation),
                ],
            ),
        )
        .await;
    }
}

/// Imports the object by its ID and checks that it reads as the state terrane holds.
async fn assert_imports_same(rm: &Driver, type_name: &str, state: &Value) {
    let imported = rm.import(type_name, &text(&attr(state, "id"))).await;
    let block = rm.block(type_name);
    let names = block.attributes.keys().chain(block.blocks.keys());
    for name in names.filter(|n| *n != "timeouts") {
        assert!(
            attr(&imported, name).raw_equal(&attr(state, name)),
            "{type_name}.{name}: imported {:?}, created {:?}",
            attr(&imported, name),
            attr(state, name)
        );
    }
}

/// Plans a change and returns what requires replacement.
async fn replaced_by(
    rm: &Driver,
    type_name: &str,
    state: &Value,
    config: &Value,
) -> Vec<Vec<String>> {
    rm.plan(type_name, state, config).await.requires_replace
}

async fn validation_errors(rm: &Driver, type_name: &str, config: &Value) -> String {
    rm.provider
        .validate_resource_config(type_name, config)
        .await
        .iter()
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect::<Vec<_>>()
        .join("\n")
}

fn gateway_config(
    rm: &Driver,
    pip: &Value,
    subnet: &Value,
    tag: &str,
    certificates: bool,
) -> Value {
    let block = rm.block(GATEWAY);
    let client = &block.blocks["vpn_client_configuration"].block;
    let tenant = "00000000-0000-0000-0000-000000000001";
    let roots = if certificates {
        vec![vec![
            ("name", s("root-ca")),
            ("public_cert_data", s("MIIC5jCCAc6gAwIBAgIQ")),
        ]]
    } else {
        vec![]
    };
    let auth: &[&str] = if certificates {
        &["AAD", "Certificate"]
    } else {
        &["AAD"]
    };
    rm.config(
        GATEWAY,
        vec![
            ("name", s("vpn-gateway")),
            ("resource_group_name", s("rg-vpn")),
            ("location", s("westeurope")),
            ("type", s("Vpn")),
            ("vpn_type", s("RouteBased")),
            ("active_active", Value::Bool(false)),
            ("enable_bgp", Value::Bool(false)),
            ("sku", s("VpnGw2")),
            (
                "ip_configuration",
                blocks(
                    block,
                    "ip_configuration",
                    vec![vec![
                        ("name", s("dev-vnet")),
                        ("public_ip_address_id", attr(pip, "id")),
                        ("private_ip_address_allocation", s("Dynamic")),
                        ("subnet_id", attr(subnet, "id")),
                    ]],
                ),
            ),
            (
                "vpn_client_configuration",
                blocks(
                    block,
                    "vpn_client_configuration",
                    vec![vec![
                        ("address_space", string_list(&["172.16.201.0/24"])),
                        ("vpn_client_protocols", string_set(&["OpenVPN"])),
                        ("vpn_auth_types", string_set(auth)),
                        (
                            "aad_tenant",
                            s(format!("https://login.microsoftonline.com/{tenant}/")),
                        ),
                        ("aad_audience", s("41b23e61-6c1e-4545-b367-cd054e0ed4b4")),
                        (
                            "aad_issuer",
                            s(format!("https://sts.windows.net/{tenant}/")),
                        ),
                        (
                            "root_certificate",
                            blocks(client, "root_certificate", roots),
                        ),
                    ]],
                ),
            ),
            ("tags", tags(&[("env", tag)])),
        ],
    )
}

fn connection_config(
    rm: &Driver,
    gateway: &Value,
    local: &Value,
    tag: &str,
    protocol: &str,
) -> Value {
    let block = rm.block(CONNECTION);
    rm.config(
        CONNECTION,
        vec![
            ("name", s("onprem")),
            ("resource_group_name", s("rg-vpn")),
            ("location", s("westeurope")),
            ("type", s("IPsec")),
            ("virtual_network_gateway_id", attr(gateway, "id")),
            ("local_network_gateway_id", attr(local, "id")),
            ("shared_key", s("4-v3ry-53cr37-1p53c-5h4r3d-k3y")),
            ("connection_protocol", s(protocol)),
            ("dpd_timeout_seconds", Value::int(45)),
            (
                "ipsec_policy",
                blocks(
                    block,
                    "ipsec_policy",
                    vec![vec![
                        ("dh_group", s("DHGroup14")),
                        ("ike_encryption", s("AES256")),
                        ("ike_integrity", s("SHA256")),
                        ("ipsec_encryption", s("AES256")),
                        ("ipsec_integrity", s("SHA256")),
                        ("pfs_group", s("PFS2048")),
                        ("sa_lifetime", Value::int(27000)),
                        ("sa_datasize", Value::int(102400000)),
                    ]],
                ),
            ),
            ("tags", tags(&[("env", tag)])),
        ],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vpn_gateway_local_gateway_and_connection() {
    let h = Harness::start(Faults::default()).await;
    let rm = &h.azurerm;
    network(
        rm,
        "rg-vpn",
        "10.10.0.0/16",
        &[("GatewaySubnet", "10.10.255.0/27", None)],
    )
    .await;
    let subnet = rm
        .read(
            SUBNET,
            &rm.config(
                SUBNET,
                vec![(
                    "id",
                    s(format!(
                        "{}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/GatewaySubnet",
                        h.group_id("rg-vpn")
                    )),
                )],
            ),
        )
        .await
        .expect("the gateway subnet");
    let pip = rm
        .create(
            PIP,
            &rm.config(
                PIP,
                vec![
                    ("name", s("gateway-ip")),
                    ("resource_group_name", s("rg-vpn")),
                    ("location", s("westeurope")),
                    ("allocation_method", s("Static")),
                ],
            ),
        )
        .await;

    // The gateway with Azure AD point-to-site, as the corpus writes it (`enable_bgp`).
    let first = gateway_config(rm, &pip, &subnet, "dev", false);
    let warnings = validation_errors(rm, GATEWAY, &first).await;
    assert!(warnings.contains("Argument is deprecated"), "{warnings}");
    let gateway = rm.create(GATEWAY, &first).await;
    assert_eq!(
        text(&attr(&gateway, "id")),
        format!(
            "{}/providers/Microsoft.Network/virtualNetworkGateways/vpn-gateway",
            h.group_id("rg-vpn")
        )
    );
    assert_eq!(attr(&gateway, "bgp_enabled"), Value::Bool(false));
    assert_eq!(attr(&gateway, "enable_bgp"), Value::Bool(false));
    assert_eq!(attr(&gateway, "active_active"), Value::Bool(false));
    assert_eq!(attr(&gateway, "generation"), s("Generation1"));
    assert_eq!(
        attr(&gateway, "ip_sec_replay_protection_enabled"),
        Value::Bool(true)
    );
    let client = first_of(&gateway, "vpn_client_configuration");
    assert_eq!(attr(&client, "vpn_auth_types"), string_set(&["AAD"]));
    assert_eq!(
        attr(&client, "vpn_client_protocols"),
        string_set(&["OpenVPN"])
    );
    assert_eq!(
        attr(&client, "aad_audience"),
        s("41b23e61-6c1e-4545-b367-cd054e0ed4b4")
    );
    let bgp = first_of(&gateway, "bgp_settings");
    assert_eq!(attr(&bgp, "asn"), Value::int(65515));
    let peering = first_of(&bgp, "peering_addresses");
    assert_eq!(attr(&peering, "ip_configuration_name"), s("dev-vnet"));
    assert!(
        attr(&peering, "default_addresses")
            .len()
            .is_some_and(|n| n > 0),
        "{peering:?}"
    );
    rm.assert_read_same(GATEWAY, &gateway).await;
    rm.assert_clean(GATEWAY, &gateway, &first).await;

    // Tags and certificate authentication change in place; the VPN type and the IP
    // configurations force a new gateway.
    let second = gateway_config(rm, &pip, &subnet, "prod", true);
    let gateway = rm.update(GATEWAY, &gateway, &second).await;
    assert_eq!(attr(&gateway, "tags"), tags(&[("env", "prod")]));
    let client = first_of(&gateway, "vpn_client_configuration");
    assert_eq!(
        attr(&client, "vpn_auth_types"),
        string_set(&["AAD", "Certificate"])
    );
    assert_eq!(attr(&client, "root_certificate").len(), Some(1));
    rm.assert_read_same(GATEWAY, &gateway).await;
    rm.assert_clean(GATEWAY, &gateway, &second).await;
    let mut policy_based = second.as_mapping().cloned().unwrap_or_default();
    policy_based.insert("vpn_type".into(), s("PolicyBased"));
    assert_eq!(
        replaced_by(rm, GATEWAY, &gateway, &Value::object(policy_based)).await,
        vec![vec!["vpn_type".to_string()]]
    );
    let mut renamed = second.as_mapping().cloned().unwrap_or_default();
    let block = rm.block(GATEWAY);
    renamed.insert(
        "ip_configuration".into(),
        blocks(
            block,
            "ip_configuration",
            vec![vec![
                ("name", s("other")),
                ("public_ip_address_id", attr(&pip, "id")),
                ("subnet_id", attr(&subnet, "id")),
            ]],
        ),
    );
    assert_eq!(
        replaced_by(rm, GATEWAY, &gateway, &Value::object(renamed)).await,
        vec![vec!["ip_configuration".to_string()]]
    );
    let mut both_bgp = second.as_mapping().cloned().unwrap_or_default();
    both_bgp.insert("bgp_enabled".into(), Value::Bool(false));
    let errors = validation_errors(rm, GATEWAY, &Value::object(both_bgp)).await;
    assert!(errors.contains("conflicts with bgp_enabled"), "{errors}");
    assert_imports_same(rm, GATEWAY, &gateway).await;

    // The local network gateway: its address space changes in place.
    let local_config = |space: &[&str]| {
        rm.config(
            LOCAL,
            vec![
                ("name", s("onprem")),
                ("resource_group_name", s("rg-vpn")),
                ("location", s("westeurope")),
                ("gateway_address", s("203.0.113.10")),
                ("address_space", string_list(space)),
                (
                    "bgp_settings",
                    blocks(
                        rm.block(LOCAL),
                        "bgp_settings",
                        vec![vec![
                            ("asn", Value::int(65010)),
                            ("bgp_peering_address", s("192.168.0.1")),
                        ]],
                    ),
                ),
            ],
        )
    };
    let local_first = local_config(&["192.168.0.0/16"]);
    let local = rm.create(LOCAL, &local_first).await;
    assert_eq!(attr(&local, "gateway_fqdn"), s(""));
    assert_eq!(
        attr(&first_of(&local, "bgp_settings"), "peer_weight"),
        Value::int(0)
    );
    rm.assert_read_same(LOCAL, &local).await;
    rm.assert_clean(LOCAL, &local, &local_first).await;
    let local_second = local_config(&["10.200.0.0/16", "192.168.0.0/16"]);
    let local = rm.update(LOCAL, &local, &local_second).await;
    assert_eq!(
        attr(&local, "address_space"),
        string_list(&["10.200.0.0/16", "192.168.0.0/16"])
    );
    rm.assert_read_same(LOCAL, &local).await;
    rm.assert_clean(LOCAL, &local, &local_second).await;
    let mut both = local_second.as_mapping().cloned().unwrap_or_default();
    both.insert("gateway_fqdn".into(), s("vpn.example.com"));
    let errors = validation_errors(rm, LOCAL, &Value::object(both)).await;
    assert!(errors.contains("exactly one of"), "{errors}");
    assert_imports_same(rm, LOCAL, &local).await;

    // The site-to-site connection with its shared key and IPsec policy.
    let connection_first = connection_config(rm, &gateway, &local, "dev", "IKEv2");
    let connection = rm.create(CONNECTION, &connection_first).await;
    assert_eq!(
        attr(&connection, "shared_key"),
        s("4-v3ry-53cr37-1p53c-5h4r3d-k3y")
    );
    assert_eq!(attr(&connection, "connection_mode"), s("Default"));
    assert_eq!(attr(&connection, "routing_weight"), Value::int(0));
    assert_eq!(attr(&connection, "bgp_enabled"), Value::Bool(false));
    let policy = first_of(&connection, "ipsec_policy");
    assert_eq!(attr(&policy, "sa_lifetime"), Value::int(27000));
    rm.assert_read_same(CONNECTION, &connection).await;
    rm.assert_clean(CONNECTION, &connection, &connection_first)
        .await;
    let connection_second = connection_config(rm, &gateway, &local, "prod", "IKEv2");
    let connection = rm.update(CONNECTION, &connection, &connection_second).await;
    assert_eq!(attr(&connection, "tags"), tags(&[("env", "prod")]));
    rm.assert_read_same(CONNECTION, &connection).await;
    rm.assert_clean(CONNECTION, &connection, &connection_second)
        .await;
    assert_eq!(
        replaced_by(
            rm,
            CONNECTION,
            &connection,
            &connection_config(rm, &gateway, &local, "prod", "IKEv1")
        )
        .await,
        vec![vec!["connection_protocol".to_string()]]
    );
    assert_imports_same(rm, CONNECTION, &connection).await;

    // An IPsec connection needs a local network gateway (azurerm refuses it when applying).
    let mut no_local = connection_second.as_mapping().cloned().unwrap_or_default();
    no_local.insert("name".into(), s("nowhere"));
    no_local.insert("local_network_gateway_id".into(), Value::Null(Type::String));
    let no_local = Value::object(no_local);
    let null = Value::Null(no_local.ty());
    let plan = rm.plan(CONNECTION, &null, &no_local).await;
    let refused = rm
        .try_apply(CONNECTION, &null, &plan.planned_state, &no_local)
        .await
        .expect_err("refused");
    assert!(
        refused.contains("`local_network_gateway_id` must be specified"),
        "{refused}"
    );

    for (ty, state) in [
        (CONNECTION, &connection),
        (LOCAL, &local),
        (GATEWAY, &gateway),
        (PIP, &pip),
    ] {
        rm.destroy(ty, state).await;
        assert!(rm.read(ty, state).await.is_none(), "{ty} is gone");
    }
}

/// The first element of a nested block.
fn first_of(object: &Value, name: &str) -> Value {
    first(&attr(object, name))
}

fn zone_config(rm: &Driver, tag: &str, soa: Option<(&str, i64)>) -> Value {
    let soa = soa
        .map(|(email, ttl)| vec![vec![("email", s(email)), ("ttl", Value::int(ttl))]])
        .unwrap_or_default();
    rm.config(
        ZONE,
        vec![
            ("name", s("example.com")),
            ("resource_group_name", s("rg-dns")),
            ("soa_record", blocks(rm.block(ZONE), "soa_record", soa)),
            ("tags", tags(&[("env", tag)])),
        ],
    )
}

fn record_config(
    rm: &Driver,
    type_name: &str,
    name: &str,
    ttl: i64,
    pairs: Vec<(&str, Value)>,
) -> Value {
    let mut all = vec![
        ("name", s(name)),
        ("resource_group_name", s("rg-dns")),
        ("zone_name", s("example.com")),
        ("ttl", Value::int(ttl)),
    ];
    all.extend(pairs);
    rm.config(type_name, all)
}

fn txt_records(rm: &Driver, values: &[&str]) -> Value {
    blocks(
        rm.block(TXT),
        "record",
        values.iter().map(|v| vec![("value", s(*v))]).collect(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dns_zone_with_a_cname_and_txt_records() {
    let h = Harness::start(Faults::default()).await;
    let rm = &h.azurerm;
    rm.create(
        RG,
        &rm.config(
            RG,
            vec![("name", s("rg-dns")), ("location", s("westeurope"))],
        ),
    )
    .await;

    // The zone: what Azure gives it, then a SOA record of our own in place.
    let first = zone_config(rm, "dev", None);
    let zone = rm.create(ZONE, &first).await;
    assert_eq!(
        text(&attr(&zone, "id")),
        format!(
            "{}/providers/Microsoft.Network/dnsZones/example.com",
            h.group_id("rg-dns")
        )
    );
    assert_eq!(attr(&zone, "name_servers").len(), Some(4));
    assert_eq!(attr(&zone, "max_number_of_record_sets"), Value::int(10000));
    assert_eq!(attr(&zone, "number_of_record_sets"), Value::int(2));
    let soa = first_of(&zone, "soa_record");
    assert_eq!(attr(&soa, "email"), s("azuredns-hostmaster.microsoft.com"));
    assert_eq!(attr(&soa, "minimum_ttl"), Value::int(300));
    assert!(!text(&attr(&soa, "host_name")).is_empty(), "{soa:?}");
    rm.assert_read_same(ZONE, &zone).await;
    rm.assert_clean(ZONE, &zone, &first).await;
    let second = zone_config(rm, "prod", Some(("hostmaster.example.com", 600)));
    let zone = rm.update(ZONE, &zone, &second).await;
    let soa = first_of(&zone, "soa_record");
    assert_eq!(attr(&soa, "email"), s("hostmaster.example.com"));
    assert_eq!(attr(&soa, "ttl"), Value::int(600));
    assert_eq!(attr(&zone, "tags"), tags(&[("env", "prod")]));
    rm.assert_read_same(ZONE, &zone).await;
    rm.assert_clean(ZONE, &zone, &second).await;
    let mut other = second.as_mapping().cloned().unwrap_or_default();
    other.insert("name".into(), s("example.net"));
    assert_eq!(
        replaced_by(rm, ZONE, &zone, &Value::object(other)).await,
        vec![vec!["name".to_string()]]
    );

    // An A record with addresses, and one aliasing an Azure resource.
    let www_first = record_config(
        rm,
        A,
        "www",
        300,
        vec![("records", string_set(&["10.0.0.1", "10.0.0.2"]))],
    );
    let www = rm.create(A, &www_first).await;
    assert_eq!(attr(&www, "fqdn"), s("www.example.com."));
    assert_eq!(
        text(&attr(&www, "id")),
        format!(
            "{}/providers/Microsoft.Network/dnsZones/example.com/A/www",
            h.group_id("rg-dns")
        )
    );
    rm.assert_read_same(A, &www).await;
    rm.assert_clean(A, &www, &www_first).await;
    let www_second = record_config(
        rm,
        A,
        "www",
        60,
        vec![("records", string_set(&["10.0.0.3"]))],
    );
    let www = rm.update(A, &www, &www_second).await;
    assert_eq!(attr(&www, "records"), string_set(&["10.0.0.3"]));
    assert_eq!(attr(&www, "ttl"), Value::int(60));
    rm.assert_read_same(A, &www).await;
    rm.assert_clean(A, &www, &www_second).await;
    assert_eq!(
        replaced_by(
            rm,
            A,
            &www,
            &record_config(
                rm,
                A,
                "web",
                60,
                vec![("records", string_set(&["10.0.0.3"]))]
            )
        )
        .await,
        vec![vec!["name".to_string()]]
    );
    assert_imports_same(rm, A, &www).await;
    let pip = rm
        .create(
            PIP,
            &rm.config(
                PIP,
                vec![
                    ("name", s("apex-ip")),
                    ("resource_group_name", s("rg-dns")),
                    ("location", s("westeurope")),
                    ("allocation_method", s("Static")),
                ],
            ),
        )
        .await;
    let alias_config = record_config(
        rm,
        A,
        "@",
        300,
        vec![("target_resource_id", attr(&pip, "id"))],
    );
    let alias = rm.create(A, &alias_config).await;
    assert_eq!(attr(&alias, "fqdn"), s("example.com."));
    assert_eq!(attr(&alias, "target_resource_id"), attr(&pip, "id"));
    rm.assert_read_same(A, &alias).await;
    rm.assert_clean(A, &alias, &alias_config).await;
    let conflicting = record_config(
        rm,
        A,
        "both",
        300,
        vec![
            ("records", string_set(&["10.0.0.1"])),
            ("target_resource_id", attr(&pip, "id")),
        ],
    );
    let errors = validation_errors(rm, A, &conflicting).await;
    assert!(
        errors.contains("conflicts with target_resource_id"),
        "{errors}"
    );

    // A CNAME record, retargeted in place.
    let blog_first = record_config(
        rm,
        CNAME,
        "blog",
        300,
        vec![("record", s("www.example.com"))],
    );
    let blog = rm.create(CNAME, &blog_first).await;
    assert_eq!(attr(&blog, "target_resource_id"), s(""));
    rm.assert_read_same(CNAME, &blog).await;
    rm.assert_clean(CNAME, &blog, &blog_first).await;
    let blog_second = record_config(
        rm,
        CNAME,
        "blog",
        300,
        vec![("record", s("blog.example.net"))],
    );
    let blog = rm.update(CNAME, &blog, &blog_second).await;
    assert_eq!(attr(&blog, "record"), s("blog.example.net"));
    rm.assert_read_same(CNAME, &blog).await;
    rm.assert_clean(CNAME, &blog, &blog_second).await;
    assert_imports_same(rm, CNAME, &blog).await;
    let neither = record_config(rm, CNAME, "none", 300, vec![]);
    let errors = validation_errors(rm, CNAME, &neither).await;
    assert!(errors.contains("exactly one of"), "{errors}");

    // A TXT record set at the apex, one value longer than a TXT string holds.
    let dkim = format!("v=DKIM1; k=rsa; p={}", "A".repeat(400));
    let txt_first = record_config(
        rm,
        TXT,
        "@",
        3600,
        vec![("record", txt_records(rm, &["v=spf1 -all", &dkim]))],
    );
    let txt = rm.create(TXT, &txt_first).await;
    let values: Vec<String> = attr(&txt, "record")
        .as_seq()
        .unwrap_or_default()
        .iter()
        .map(|r| text(&attr(r, "value")))
        .collect();
    assert!(values.contains(&dkim), "the long value reads back whole");
    rm.assert_read_same(TXT, &txt).await;
    rm.assert_clean(TXT, &txt, &txt_first).await;
    let txt_second = record_config(
        rm,
        TXT,
        "@",
        3600,
        vec![(
            "record",
            txt_records(rm, &["v=spf1 include:example.net -all", &dkim]),
        )],
    );
    let txt = rm.update(TXT, &txt, &txt_second).await;
    rm.assert_read_same(TXT, &txt).await;
    rm.assert_clean(TXT, &txt, &txt_second).await;
    assert_imports_same(rm, TXT, &txt).await;

    // The zone counts the record sets made in it.
    let zone = rm.read(ZONE, &zone).await.expect("the zone");
    assert_eq!(attr(&zone, "number_of_record_sets"), Value::int(6));

    // An import ID of another record type is refused.
    let wrong = text(&attr(&www, "id")).replace("/A/", "/AAAA/");
    assert!(rm.provider.import(A, &wrong).await.is_err());

    for (ty, state) in [
        (TXT, &txt),
        (CNAME, &blog),
        (A, &alias),
        (A, &www),
        (ZONE, &zone),
        (PIP, &pip),
    ] {
        rm.destroy(ty, state).await;
        assert!(rm.read(ty, state).await.is_none(), "{ty} is gone");
    }
}

fn object(pairs: Vec<(&str, Value)>) -> Value {
    Value::object(
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<BTreeMap<_, _>>(),
    )
}

fn endpoint_config(
    rm: &Driver,
    subnet: &Value,
    account: &Value,
    zone: &Value,
    group: &str,
    tag: &str,
) -> Value {
    let block = rm.block(ENDPOINT);
    rm.config(
        ENDPOINT,
        vec![
            ("name", s("pe-blob")),
            ("resource_group_name", s("rg-private")),
            ("location", s("westeurope")),
            ("subnet_id", attr(subnet, "id")),
            (
                "private_service_connection",
                blocks(
                    block,
                    "private_service_connection",
                    vec![vec![
                        ("name", s("blob-connection")),
                        ("private_connection_resource_id", attr(account, "id")),
                        ("subresource_names", string_list(&["blob"])),
                        ("is_manual_connection", Value::Bool(false)),
                    ]],
                ),
            ),
            (
                "private_dns_zone_group",
                blocks(
                    block,
                    "private_dns_zone_group",
                    vec![vec![
                        ("name", s(group)),
                        (
                            "private_dns_zone_ids",
                            string_list(&[&text(&attr(zone, "id"))]),
                        ),
                    ]],
                ),
            ),
            ("tags", tags(&[("env", tag)])),
        ],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_dns_endpoint_and_resolver() {
    let h = Harness::start(Faults::default()).await;
    let rm = &h.azurerm;
    network(
        rm,
        "rg-private",
        "10.20.0.0/16",
        &[
            ("endpoints", "10.20.1.0/24", None),
            (
                "resolver-in",
                "10.20.2.0/28",
                Some("Microsoft.Network/dnsResolvers"),
            ),
            (
                "resolver-in-2",
                "10.20.3.0/28",
                Some("Microsoft.Network/dnsResolvers"),
            ),
        ],
    )
    .await;
    let vnet_id = format!(
        "{}/providers/Microsoft.Network/virtualNetworks/vnet",
        h.group_id("rg-private")
    );
    let subnet_of =
        |name: &str| rm.config(SUBNET, vec![("id", s(format!("{vnet_id}/subnets/{name}")))]);
    let endpoints = rm
        .read(SUBNET, &subnet_of("endpoints"))
        .await
        .expect("subnet");
    let resolver_subnet = rm
        .read(SUBNET, &subnet_of("resolver-in"))
        .await
        .expect("subnet");
    let other_resolver_subnet = rm
        .read(SUBNET, &subnet_of("resolver-in-2"))
        .await
        .expect("subnet");

    // The private zone, its link to the network, and a record in it.
    let zone_config = rm.config(
        PRIVATE_ZONE,
        vec![
            ("name", s("privatelink.blob.core.windows.net")),
            ("resource_group_name", s("rg-private")),
        ],
    );
    let zone = rm.create(PRIVATE_ZONE, &zone_config).await;
    assert_eq!(attr(&zone, "max_number_of_record_sets"), Value::int(25000));
    assert_eq!(
        attr(&zone, "max_number_of_virtual_network_links"),
        Value::int(1000)
    );
    let soa = first_of(&zone, "soa_record");
    assert_eq!(attr(&soa, "minimum_ttl"), Value::int(10));
    assert_eq!(attr(&soa, "email"), s("azureprivatedns-host.microsoft.com"));
    rm.assert_read_same(PRIVATE_ZONE, &zone).await;
    rm.assert_clean(PRIVATE_ZONE, &zone, &zone_config).await;
    let retagged = rm.config(
        PRIVATE_ZONE,
        vec![
            ("name", s("privatelink.blob.core.windows.net")),
            ("resource_group_name", s("rg-private")),
            ("tags", tags(&[("env", "prod")])),
        ],
    );
    let zone = rm.update(PRIVATE_ZONE, &zone, &retagged).await;
    rm.assert_clean(PRIVATE_ZONE, &zone, &retagged).await;
    assert_imports_same(rm, PRIVATE_ZONE, &zone).await;

    let link_config = |registration: bool, vnet: &str| {
        rm.config(
            LINK,
            vec![
                ("name", s("prod-abc-private-dns-blob-link")),
                (
                    "private_dns_zone_name",
                    s("privatelink.blob.core.windows.net"),
                ),
                ("resource_group_name", s("rg-private")),
                ("virtual_network_id", s(vnet)),
                ("registration_enabled", Value::Bool(registration)),
            ],
        )
    };
    let link_first = link_config(false, &vnet_id);
    let link = rm.create(LINK, &link_first).await;
    assert_eq!(attr(&link, "resolution_policy"), s("Default"));
    rm.assert_read_same(LINK, &link).await;
    rm.assert_clean(LINK, &link, &link_first).await;
    let link_second = link_config(true, &vnet_id);
    let link = rm.update(LINK, &link, &link_second).await;
    assert_eq!(attr(&link, "registration_enabled"), Value::Bool(true));
    rm.assert_clean(LINK, &link, &link_second).await;
    assert_eq!(
        replaced_by(rm, LINK, &link, &link_config(true, &format!("{vnet_id}2"))).await,
        vec![vec!["virtual_network_id".to_string()]]
    );
    assert_imports_same(rm, LINK, &link).await;

    let record_config = |records: &[&str]| {
        rm.config(
            PRIVATE_A,
            vec![
                ("name", s("db")),
                ("resource_group_name", s("rg-private")),
                ("zone_name", s("privatelink.blob.core.windows.net")),
                ("records", string_set(records)),
                ("ttl", Value::int(300)),
            ],
        )
    };
    let record_first = record_config(&["10.20.1.200"]);
    let record = rm.create(PRIVATE_A, &record_first).await;
    assert_eq!(
        attr(&record, "fqdn"),
        s("db.privatelink.blob.core.windows.net.")
    );
    rm.assert_read_same(PRIVATE_A, &record).await;
    rm.assert_clean(PRIVATE_A, &record, &record_first).await;
    let record_second = record_config(&["10.20.1.200", "10.20.1.201"]);
    let record = rm.update(PRIVATE_A, &record, &record_second).await;
    assert_eq!(attr(&record, "records").len(), Some(2));
    rm.assert_clean(PRIVATE_A, &record, &record_second).await;
    assert_imports_same(rm, PRIVATE_A, &record).await;

    // A storage account (through azapi) reached by a private endpoint with a DNS zone group.
    let api = h.azapi().await;
    let account_config = api.config(
        "azapi_resource",
        vec![
            ("type", s("Microsoft.Storage/storageAccounts@2023-05-01")),
            ("name", s("privateblobs")),
            ("parent_id", s(h.group_id("rg-private"))),
            ("location", s("westeurope")),
            (
                "body",
                object(vec![
                    ("kind", s("StorageV2")),
                    ("sku", object(vec![("name", s("Standard_LRS"))])),
                ]),
            ),
        ],
    );
    let account = api.create("azapi_resource", &account_config).await;

    let endpoint_first = endpoint_config(rm, &endpoints, &account, &zone, "default", "dev");
    let endpoint = rm.create(ENDPOINT, &endpoint_first).await;
    let connection = first_of(&endpoint, "private_service_connection");
    let ip = text(&attr(&connection, "private_ip_address"));
    assert!(ip.starts_with("10.20.1."), "{connection:?}");
    let interface = first_of(&endpoint, "network_interface");
    assert!(
        text(&attr(&interface, "id")).contains("/networkInterfaces/"),
        "{interface:?}"
    );
    let dns = first_of(&endpoint, "custom_dns_configs");
    assert_eq!(attr(&dns, "fqdn"), s("privateblobs.blob.core.windows.net"));
    assert_eq!(attr(&dns, "ip_addresses"), string_list(&[&ip]));
    let group = first_of(&endpoint, "private_dns_zone_group");
    assert!(
        text(&attr(&group, "id"))
            .ends_with("/privateEndpoints/pe-blob/privateDnsZoneGroups/default"),
        "{group:?}"
    );
    let config = first_of(&endpoint, "private_dns_zone_configs");
    assert_eq!(attr(&config, "private_dns_zone_id"), attr(&zone, "id"));
    let record_set = first_of(&config, "record_sets");
    assert_eq!(attr(&record_set, "type"), s("A"));
    assert_eq!(attr(&record_set, "ip_addresses"), string_list(&[&ip]));
    rm.assert_read_same(ENDPOINT, &endpoint).await;
    rm.assert_clean(ENDPOINT, &endpoint, &endpoint_first).await;

    // Tags and the zone group's name change in place (the group is written again).
    let endpoint_second = endpoint_config(rm, &endpoints, &account, &zone, "renamed", "prod");
    let plan = rm.plan(ENDPOINT, &endpoint, &endpoint_second).await;
    let planned_group = first_of(&plan.planned_state, "private_dns_zone_group");
    assert!(
        !attr(&planned_group, "id").is_known(),
        "a group written again has a new ID"
    );
    let endpoint = rm.update(ENDPOINT, &endpoint, &endpoint_second).await;
    let group = first_of(&endpoint, "private_dns_zone_group");
    assert_eq!(attr(&group, "name"), s("renamed"));
    assert_eq!(attr(&endpoint, "tags"), tags(&[("env", "prod")]));
    rm.assert_read_same(ENDPOINT, &endpoint).await;
    rm.assert_clean(ENDPOINT, &endpoint, &endpoint_second).await;
    let elsewhere = endpoint_config(rm, &resolver_subnet, &account, &zone, "renamed", "prod");
    assert_eq!(
        replaced_by(rm, ENDPOINT, &endpoint, &elsewhere).await,
        vec![vec!["subnet_id".to_string()]]
    );
    assert_imports_same(rm, ENDPOINT, &endpoint).await;
    let mut manual = endpoint_second.as_mapping().cloned().unwrap_or_default();
    manual.insert(
        "private_service_connection".into(),
        blocks(
            rm.block(ENDPOINT),
            "private_service_connection",
            vec![vec![
                ("name", s("blob-connection")),
                ("private_connection_resource_id", attr(&account, "id")),
                ("is_manual_connection", Value::Bool(true)),
            ]],
        ),
    );
    let errors = validation_errors(rm, ENDPOINT, &Value::object(manual)).await;
    assert!(errors.contains("must not be empty"), "{errors}");

    // The zone group wrote the endpoint's record into the zone.
    let zone = rm.read(PRIVATE_ZONE, &zone).await.expect("the zone");
    assert_eq!(attr(&zone, "number_of_record_sets"), Value::int(3));

    // The resolver and its inbound endpoint.
    let resolver_config = |tag: &str| {
        rm.config(
            RESOLVER,
            vec![
                ("name", s("abc-dns-resolver")),
                ("resource_group_name", s("rg-private")),
                ("location", s("westeurope")),
                ("virtual_network_id", s(&vnet_id)),
                ("tags", tags(&[("env", tag)])),
            ],
        )
    };
    let resolver = rm.create(RESOLVER, &resolver_config("dev")).await;
    rm.assert_read_same(RESOLVER, &resolver).await;
    rm.assert_clean(RESOLVER, &resolver, &resolver_config("dev"))
        .await;
    let resolver = rm
        .update(RESOLVER, &resolver, &resolver_config("prod"))
        .await;
    assert_imports_same(rm, RESOLVER, &resolver).await;

    let inbound_config = |subnet: &Value, tag: &str| {
        rm.config(
            INBOUND,
            vec![
                ("name", s("dns-private-inbound")),
                ("private_dns_resolver_id", attr(&resolver, "id")),
                ("location", s("westeurope")),
                (
                    "ip_configurations",
                    blocks(
                        rm.block(INBOUND),
                        "ip_configurations",
                        vec![vec![
                            ("private_ip_allocation_method", s("Dynamic")),
                            ("subnet_id", attr(subnet, "id")),
                        ]],
                    ),
                ),
                ("tags", tags(&[("env", tag)])),
            ],
        )
    };
    let inbound_first = inbound_config(&resolver_subnet, "dev");
    let inbound = rm.create(INBOUND, &inbound_first).await;
    assert_eq!(
        text(&attr(&inbound, "id")),
        format!(
            "{}/inboundEndpoints/dns-private-inbound",
            text(&attr(&resolver, "id"))
        )
    );
    let configuration = first_of(&inbound, "ip_configurations");
    assert!(
        text(&attr(&configuration, "private_ip_address")).starts_with("10.20.2."),
        "{configuration:?}"
    );
    rm.assert_read_same(INBOUND, &inbound).await;
    rm.assert_clean(INBOUND, &inbound, &inbound_first).await;
    let inbound_second = inbound_config(&resolver_subnet, "prod");
    let inbound = rm.update(INBOUND, &inbound, &inbound_second).await;
    rm.assert_clean(INBOUND, &inbound, &inbound_second).await;
    assert_eq!(
        replaced_by(
            rm,
            INBOUND,
            &inbound,
            &inbound_config(&other_resolver_subnet, "prod")
        )
        .await,
        vec![vec!["ip_configurations".to_string()]]
    );
    assert_imports_same(rm, INBOUND, &inbound).await;

    for (ty, state) in [
        (INBOUND, &inbound),
        (RESOLVER, &resolver),
        (ENDPOINT, &endpoint),
        (PRIVATE_A, &record),
        (LINK, &link),
    ] {
        rm.destroy(ty, state).await;
        assert!(rm.read(ty, state).await.is_none(), "{ty} is gone");
    }
    let zone = rm.read(PRIVATE_ZONE, &zone).await.expect("the zone");
    assert_eq!(
        attr(&zone, "number_of_record_sets"),
        Value::int(1),
        "the endpoint's record went with its zone group"
    );
    rm.destroy(PRIVATE_ZONE, &zone).await;
    assert!(rm.read(PRIVATE_ZONE, &zone).await.is_none());
    api.destroy("azapi_resource", &account).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corpus_blocks_decode_and_validate_against_the_schemas() {
    let dir = corpus_dir("tf-infra");
    if !dir.is_dir() {
        eprintln!("skipping: the git-ops-starter corpus is not beside the project");
        return;
    }
    let (module, _) = terrane_engine::config::load_module(&dir);
    let provider = terrane_provider_azurerm::provider();
    let schema = provider.schema();
    let mine = [
        GATEWAY,
        LOCAL,
        CONNECTION,
        ZONE,
        A,
        CNAME,
        TXT,
        PRIVATE_ZONE,
        LINK,
        PRIVATE_A,
        ENDPOINT,
        RESOLVER,
        INBOUND,
    ];
    let mut decoded: BTreeMap<String, usize> = BTreeMap::new();
    for resource in module.resources.values() {
        if !mine.contains(&resource.ty.as_str()) {
            continue;
        }
        let block = &schema.resources[resource.ty.as_str()].block;
        let config = match decode_body(&crate::support::UnknownReferences, &resource.config, block)
        {
            Ok(config) => config,
            Err(diagnostics) => panic!(
                "{} does not decode: {:?}",
                resource.address(),
                diagnostics
                    .iter()
                    .map(|d| format!("{}: {}", d.summary, d.detail))
                    .collect::<Vec<_>>()
            ),
        };
        let diagnostics = provider
            .validate_resource_config(&resource.ty, &config)
            .await;
        assert!(
            !diagnostics.has_errors(),
            "{} is invalid: {diagnostics:?}",
            resource.address()
        );
        *decoded.entry(resource.ty.clone()).or_default() += 1;
    }
    for (ty, count) in [
        (GATEWAY, 1),
        (RESOLVER, 1),
        (INBOUND, 1),
        (PRIVATE_ZONE, 5),
        (LINK, 5),
        (ENDPOINT, 6),
    ] {
        assert_eq!(decoded.get(ty), Some(&count), "{ty} in {decoded:?}");
    }
}

/// With a fifth of the requests throttled, one in twenty failing and some dropped, the
/// family's objects (and the sub-resources they write: SOA records, DNS zone groups, shared
/// keys) are each made once, read back as planned, and deleted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vpn_dns_and_private_endpoints_converge_under_faults() {
    let h = Harness::start(Faults {
        throttle: 0.2,
        server_error: 0.05,
        drop: 0.02,
    })
    .await;
    let rm = &h.azurerm;
    network(
        rm,
        "rg-vpn",
        "10.10.0.0/16",
        &[("GatewaySubnet", "10.10.255.0/27", None)],
    )
    .await;
    network(
        rm,
        "rg-private",
        "10.20.0.0/16",
        &[("endpoints", "10.20.1.0/24", None)],
    )
    .await;
    rm.create(
        RG,
        &rm.config(
            RG,
            vec![("name", s("rg-dns")), ("location", s("westeurope"))],
        ),
    )
    .await;
    let subnet_id = |group: &str, name: &str| {
        s(format!(
            "{}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/{name}",
            h.group_id(group)
        ))
    };
    let gateway_subnet = rm
        .read(
            SUBNET,
            &rm.config(SUBNET, vec![("id", subnet_id("rg-vpn", "GatewaySubnet"))]),
        )
        .await
        .expect("subnet");
    let endpoints = rm
        .read(
            SUBNET,
            &rm.config(SUBNET, vec![("id", subnet_id("rg-private", "endpoints"))]),
        )
        .await
        .expect("subnet");
    let pip = rm
        .create(
            PIP,
            &rm.config(
                PIP,
                vec![
                    ("name", s("gateway-ip")),
                    ("resource_group_name", s("rg-vpn")),
                    ("location", s("westeurope")),
                    ("allocation_method", s("Static")),
                ],
            ),
        )
        .await;
    let mut made: Vec<(&str, Value, Value)> = Vec::new();
    let gateway_config = gateway_config(rm, &pip, &gateway_subnet, "dev", true);
    let gateway = rm.create(GATEWAY, &gateway_config).await;
    made.push((GATEWAY, gateway.clone(), gateway_config));
    let local_config = rm.config(
        LOCAL,
        vec![
            ("name", s("onprem")),
            ("resource_group_name", s("rg-vpn")),
            ("location", s("westeurope")),
            ("gateway_address", s("203.0.113.10")),
            ("address_space", string_list(&["192.168.0.0/16"])),
        ],
    );
    let local = rm.create(LOCAL, &local_config).await;
    made.push((LOCAL, local.clone(), local_config));
    let connection_config = connection_config(rm, &gateway, &local, "dev", "IKEv2");
    let connection = rm.create(CONNECTION, &connection_config).await;
    made.push((CONNECTION, connection, connection_config));

    let zone_config = zone_config(rm, "dev", Some(("hostmaster.example.com", 600)));
    let zone = rm.create(ZONE, &zone_config).await;
    assert_eq!(
        attr(&first_of(&zone, "soa_record"), "email"),
        s("hostmaster.example.com")
    );
    made.push((ZONE, zone, zone_config));
    let www_config = record_config(
        rm,
        A,
        "www",
        300,
        vec![("records", string_set(&["10.0.0.1"]))],
    );
    made.push((A, rm.create(A, &www_config).await, www_config));
    let txt_config = record_config(
        rm,
        TXT,
        "@",
        300,
        vec![("record", txt_records(rm, &["v=spf1 -all"]))],
    );
    made.push((TXT, rm.create(TXT, &txt_config).await, txt_config));

    let private_zone_config = rm.config(
        PRIVATE_ZONE,
        vec![
            ("name", s("privatelink.blob.core.windows.net")),
            ("resource_group_name", s("rg-private")),
        ],
    );
    let private_zone = rm.create(PRIVATE_ZONE, &private_zone_config).await;
    let api = h.azapi().await;
    let account = api
        .create(
            "azapi_resource",
            &api.config(
                "azapi_resource",
                vec![
                    ("type", s("Microsoft.Storage/storageAccounts@2023-05-01")),
                    ("name", s("faultyblobs")),
                    ("parent_id", s(h.group_id("rg-private"))),
                    ("location", s("westeurope")),
                    (
                        "body",
                        object(vec![
                            ("kind", s("StorageV2")),
                            ("sku", object(vec![("name", s("Standard_LRS"))])),
                        ]),
                    ),
                ],
            ),
        )
        .await;
    let endpoint_config =
        endpoint_config(rm, &endpoints, &account, &private_zone, "default", "dev");
    let endpoint = rm.create(ENDPOINT, &endpoint_config).await;
    assert_eq!(attr(&endpoint, "private_dns_zone_group").len(), Some(1));
    made.push((ENDPOINT, endpoint, endpoint_config));

    // Each object reads back as planned (the zone once refreshed, as its record sets were
    // made after it); the zones hold each record set once.
    made[3].1 = rm.read(ZONE, &made[3].1).await.expect("the zone");
    for (ty, state, config) in &made {
        rm.assert_read_same(ty, state).await;
        rm.assert_clean(ty, state, config).await;
    }
    assert_eq!(attr(&made[3].1, "number_of_record_sets"), Value::int(4));
    let private_zone = rm
        .read(PRIVATE_ZONE, &private_zone)
        .await
        .expect("the zone");
    assert_eq!(attr(&private_zone, "number_of_record_sets"), Value::int(2));

    for (ty, state, _) in made.iter().rev() {
        rm.destroy(ty, state).await;
        assert!(rm.read(ty, state).await.is_none(), "{ty} is gone");
    }
    rm.destroy(PRIVATE_ZONE, &private_zone).await;
    assert!(rm.read(PRIVATE_ZONE, &private_zone).await.is_none());
    api.destroy("azapi_resource", &account).await;
}
