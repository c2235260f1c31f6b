//! The network resources: a virtual network with subnets (delegation, service endpoints,
//! network policies), a network security group, a public IP, a NAT gateway and its
//! associations, and peerings between two virtual networks.

use crate::support::{attr, blocks, s, string_list, string_set, tags, Driver, Harness};
use terrane_azure_sim::Faults;
use terrane_engine::value::Value;

const RG: &str = "azurerm_resource_group";
const VNET: &str = "azurerm_virtual_network";
const SUBNET: &str = "azurerm_subnet";
const NSG: &str = "azurerm_network_security_group";
const PIP: &str = "azurerm_public_ip";
const NAT: &str = "azurerm_nat_gateway";
const NAT_PIP: &str = "azurerm_nat_gateway_public_ip_association";
const SUBNET_NAT: &str = "azurerm_subnet_nat_gateway_association";
const PEERING: &str = "azurerm_virtual_network_peering";

fn vnet_config(rm: &Driver, name: &str, space: &str, tag: &str) -> Value {
    rm.config(
        VNET,
        vec![
            ("name", s(name)),
            ("resource_group_name", s("rg-net")),
            ("location", s("westeurope")),
            ("address_space", string_set(&[space])),
            ("tags", tags(&[("env", tag)])),
        ],
    )
}

fn subnet_config(rm: &Driver, name: &str, prefix: &str, endpoints: &[&str]) -> Value {
    let block = rm.block(SUBNET);
    let delegation = blocks(
        block,
        "delegation",
        vec![vec![
            ("name", s("fs")),
            (
                "service_delegation",
                blocks(
                    &block.blocks["delegation"].block,
                    "service_delegation",
                    vec![vec![
                        ("name", s("Microsoft.DBforPostgreSQL/flexibleServers")),
                        (
                            "actions",
                            string_set(&["Microsoft.Network/virtualNetworks/subnets/join/action"]),
                        ),
                    ]],
                ),
            ),
        ]],
    );
    rm.config(
        SUBNET,
        vec![
            ("name", s(name)),
            ("resource_group_name", s("rg-net")),
            ("virtual_network_name", s("vnet-a")),
            ("address_prefixes", string_list(&[prefix])),
            ("service_endpoints", string_set(endpoints)),
            ("private_endpoint_network_policies", s("Enabled")),
            ("delegation", delegation),
        ],
    )
}

fn nsg_config(rm: &Driver, rules: &[(&str, i64, &str)]) -> Value {
    let block = rm.block(NSG);
    let rules = blocks(
        block,
        "security_rule",
        rules
            .iter()
            .map(|(name, priority, port)| {
                vec![
                    ("name", s(*name)),
                    ("priority", Value::int(*priority)),
                    ("direction", s("Inbound")),
                    ("access", s("Allow")),
                    ("protocol", s("Tcp")),
                    ("source_port_range", s("*")),
                    ("destination_port_range", s(*port)),
                    ("source_address_prefix", s("*")),
                    ("destination_address_prefix", s("*")),
                ]
            })
            .collect(),
    );
    rm.config(
        NSG,
        vec![
            ("name", s("nsg")),
            ("resource_group_name", s("rg-net")),
            ("location", s("westeurope")),
            ("security_rule", rules),
        ],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_lifecycle() {
    let h = Harness::start(Faults::default()).await;
    let rm = &h.azurerm;
    let group = rm
        .create(
            RG,
            &rm.config(
                RG,
                vec![("name", s("rg-net")), ("location", s("westeurope"))],
            ),
        )
        .await;

    // A virtual network and a delegated subnet with service endpoints.
    let vnet_a_config = vnet_config(rm, "vnet-a", "10.1.0.0/16", "dev");
    let vnet_a = rm.create(VNET, &vnet_a_config).await;
    assert_eq!(
        attr(&vnet_a, "id"),
        s(format!(
            "{}/providers/Microsoft.Network/virtualNetworks/vnet-a",
            h.group_id("rg-net")
        ))
    );
    assert!(attr(&vnet_a, "guid")
        .as_str()
        .is_some_and(|g| !g.is_empty()));
    assert_eq!(
        attr(&vnet_a, "private_endpoint_vnet_policies"),
        s("Disabled")
    );
    rm.assert_read_same(VNET, &vnet_a).await;
    rm.assert_clean(VNET, &vnet_a, &vnet_a_config).await;

    let subnet_config_1 = subnet_config(rm, "db", "10.1.1.0/24", &["Microsoft.Storage"]);
    let subnet = rm.create(SUBNET, &subnet_config_1).await;
    assert_eq!(
        attr(&subnet, "address_prefixes"),
        string_list(&["10.1.1.0/24"])
    );
    assert_eq!(
        attr(&subnet, "default_outbound_access_enabled"),
        Value::Bool(true)
    );
    assert_eq!(
        attr(&subnet, "private_link_service_network_policies_enabled"),
        Value::Bool(true)
    );
    let delegation = attr(&subnet, "delegation");
    let first = &delegation.as_seq().expect("delegation")[0];
    let services = attr(first, "service_delegation");
    let service = &services.as_seq().expect("service")[0];
    assert_eq!(
        attr(service, "name"),
        s("Microsoft.DBforPostgreSQL/flexibleServers")
    );
    rm.assert_read_same(SUBNET, &subnet).await;
    rm.assert_clean(SUBNET, &subnet, &subnet_config_1).await;

    // Service endpoints change in place; a new name replaces the subnet.
    let subnet_config_2 = subnet_config(
        rm,
        "db",
        "10.1.1.0/24",
        &["Microsoft.Storage", "Microsoft.KeyVault"],
    );
    let subnet = rm.update(SUBNET, &subnet, &subnet_config_2).await;
    assert_eq!(
        attr(&subnet, "service_endpoints"),
        string_set(&["Microsoft.KeyVault", "Microsoft.Storage"])
    );
    rm.assert_read_same(SUBNET, &subnet).await;
    let renamed = rm
        .plan(
            SUBNET,
            &subnet,
            &subnet_config(rm, "db2", "10.1.1.0/24", &[]),
        )
        .await;
    assert!(renamed.requires_replace.contains(&vec!["name".to_string()]));

    // A security group: rules added in place.
    let nsg_config_1 = nsg_config(rm, &[("ssh", 100, "22")]);
    let nsg = rm.create(NSG, &nsg_config_1).await;
    rm.assert_read_same(NSG, &nsg).await;
    rm.assert_clean(NSG, &nsg, &nsg_config_1).await;
    let nsg_config_2 = nsg_config(rm, &[("ssh", 100, "22"), ("https", 110, "443")]);
    let nsg = rm.update(NSG, &nsg, &nsg_config_2).await;
    assert_eq!(attr(&nsg, "security_rule").len(), Some(2));
    rm.assert_clean(NSG, &nsg, &nsg_config_2).await;

    // A public IP, a NAT gateway, and their associations.
    let pip_config = rm.config(
        PIP,
        vec![
            ("name", s("pip")),
            ("resource_group_name", s("rg-net")),
            ("location", s("westeurope")),
            ("allocation_method", s("Static")),
        ],
    );
    let pip = rm.create(PIP, &pip_config).await;
    assert_eq!(attr(&pip, "sku"), s("Standard"));
    assert_eq!(attr(&pip, "idle_timeout_in_minutes"), Value::int(4));
    assert!(
        attr(&pip, "ip_address")
            .as_str()
            .is_some_and(|a| !a.is_empty()),
        "{pip:?}"
    );
    rm.assert_read_same(PIP, &pip).await;
    rm.assert_clean(PIP, &pip, &pip_config).await;
    let sku_change = rm
        .plan(
            PIP,
            &pip,
            &rm.config(
                PIP,
                vec![
                    ("name", s("pip")),
                    ("resource_group_name", s("rg-net")),
                    ("location", s("westeurope")),
                    ("allocation_method", s("Static")),
                    ("sku_tier", s("Global")),
                ],
            ),
        )
        .await;
    assert!(sku_change
        .requires_replace
        .contains(&vec!["sku_tier".to_string()]));

    let nat_config = rm.config(
        NAT,
        vec![
            ("name", s("nat")),
            ("resource_group_name", s("rg-net")),
            ("location", s("westeurope")),
            ("tags", tags(&[("env", "dev")])),
        ],
    );
    let nat = rm.create(NAT, &nat_config).await;
    assert_eq!(attr(&nat, "sku_name"), s("Standard"));
    rm.assert_read_same(NAT, &nat).await;

    let nat_pip_config = rm.config(
        NAT_PIP,
        vec![
            ("nat_gateway_id", attr(&nat, "id")),
            ("public_ip_address_id", attr(&pip, "id")),
        ],
    );
    let nat_pip = rm.create(NAT_PIP, &nat_pip_config).await;
    assert_eq!(
        attr(&nat_pip, "id"),
        s(format!(
            "{}|{}",
            attr(&nat, "id").as_str().unwrap_or_default(),
            attr(&pip, "id").as_str().unwrap_or_default()
        ))
    );
    rm.assert_read_same(NAT_PIP, &nat_pip).await;
    rm.assert_clean(NAT_PIP, &nat_pip, &nat_pip_config).await;

    let subnet_nat_config = rm.config(
        SUBNET_NAT,
        vec![
            ("subnet_id", attr(&subnet, "id")),
            ("nat_gateway_id", attr(&nat, "id")),
        ],
    );
    let subnet_nat = rm.create(SUBNET_NAT, &subnet_nat_config).await;
    assert_eq!(attr(&subnet_nat, "id"), attr(&subnet, "id"));
    rm.assert_read_same(SUBNET_NAT, &subnet_nat).await;

    // Updating the NAT gateway and the virtual network keeps what the associations and the
    // standalone subnet set.
    let nat_config_2 = rm.config(
        NAT,
        vec![
            ("name", s("nat")),
            ("resource_group_name", s("rg-net")),
            ("location", s("westeurope")),
            ("tags", tags(&[("env", "prod")])),
            ("idle_timeout_in_minutes", Value::int(10)),
        ],
    );
    let nat = rm.update(NAT, &nat, &nat_config_2).await;
    assert_eq!(attr(&nat, "idle_timeout_in_minutes"), Value::int(10));
    rm.assert_read_same(NAT_PIP, &nat_pip).await;
    let vnet_a = rm.read(VNET, &vnet_a).await.expect("vnet");
    rm.assert_clean(VNET, &vnet_a, &vnet_a_config).await;
    let vnet_a = rm
        .update(
            VNET,
            &vnet_a,
            &vnet_config(rm, "vnet-a", "10.1.0.0/16", "prod"),
        )
        .await;
    assert_eq!(attr(&vnet_a, "tags"), tags(&[("env", "prod")]));
    rm.assert_read_same(SUBNET, &subnet).await;
    rm.assert_read_same(SUBNET_NAT, &subnet_nat).await;
    assert_eq!(
        attr(&vnet_a, "subnet").len(),
        Some(1),
        "the standalone subnet shows in the network"
    );

    // Peerings both ways.
    let vnet_b = rm
        .create(VNET, &vnet_config(rm, "vnet-b", "10.2.0.0/16", "dev"))
        .await;
    let peering = |from: &str, to: &Value| {
        rm.config(
            PEERING,
            vec![
                ("name", s(format!("{from}-peer"))),
                ("resource_group_name", s("rg-net")),
                ("virtual_network_name", s(from)),
                ("remote_virtual_network_id", attr(to, "id")),
                ("allow_forwarded_traffic", Value::Bool(true)),
            ],
        )
    };
    let a_to_b_config = peering("vnet-a", &vnet_b);
    let a_to_b = rm.create(PEERING, &a_to_b_config).await;
    let b_to_a = rm.create(PEERING, &peering("vnet-b", &vnet_a)).await;
    assert_eq!(
        attr(&a_to_b, "allow_virtual_network_access"),
        Value::Bool(true)
    );
    assert_eq!(attr(&a_to_b, "allow_forwarded_traffic"), Value::Bool(true));
    rm.assert_read_same(PEERING, &a_to_b).await;
    rm.assert_clean(PEERING, &a_to_b, &a_to_b_config).await;

    // Imports by ID give the same objects.
    for (ty, state) in [
        (VNET, &vnet_a),
        (SUBNET, &subnet),
        (NSG, &nsg),
        (PIP, &pip),
        (NAT, &nat),
        (NAT_PIP, &nat_pip),
        (SUBNET_NAT, &subnet_nat),
        (PEERING, &a_to_b),
    ] {
        let id = attr(state, "id");
        let imported = rm.import(ty, id.as_str().unwrap_or_default()).await;
        let block = rm.block(ty);
        for (name, a) in &block.attributes {
            if a.required || (a.computed && !a.optional) || name == "id" {
                assert!(
                    attr(&imported, name).raw_equal(&attr(state, name)),
                    "{ty}.{name}: imported {:?}, created {:?}",
                    attr(&imported, name),
                    attr(state, name)
                );
            }
        }
    }

    // Deletion, dependents first; each is gone afterwards.
    for (ty, state) in [
        (PEERING, &b_to_a),
        (PEERING, &a_to_b),
        (SUBNET_NAT, &subnet_nat),
        (NAT_PIP, &nat_pip),
        (NAT, &nat),
        (PIP, &pip),
        (NSG, &nsg),
        (SUBNET, &subnet),
        (VNET, &vnet_b),
        (VNET, &vnet_a),
    ] {
        rm.destroy(ty, state).await;
        assert!(rm.read(ty, state).await.is_none(), "{ty} is gone");
    }
    rm.destroy(RG, &group).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn associations_disappear_with_their_objects() {
    let h = Harness::start(Faults::default()).await;
    let rm = &h.azurerm;
    let group = rm
        .create(
            RG,
            &rm.config(
                RG,
                vec![("name", s("rg-net")), ("location", s("westeurope"))],
            ),
        )
        .await;
    let vnet = rm
        .create(VNET, &vnet_config(rm, "vnet-a", "10.1.0.0/16", "dev"))
        .await;
    let subnet = rm
        .create(
            SUBNET,
            &rm.config(
                SUBNET,
                vec![
                    ("name", s("plain")),
                    ("resource_group_name", s("rg-net")),
                    ("virtual_network_name", s("vnet-a")),
                    ("address_prefixes", string_list(&["10.1.2.0/24"])),
                ],
            ),
        )
        .await;
    let nat = rm
        .create(
            NAT,
            &rm.config(
                NAT,
                vec![
                    ("name", s("nat")),
                    ("resource_group_name", s("rg-net")),
                    ("location", s("westeurope")),
                ],
            ),
        )
        .await;
    let association = rm
        .create(
            SUBNET_NAT,
            &rm.config(
                SUBNET_NAT,
                vec![
                    ("subnet_id", attr(&subnet, "id")),
                    ("nat_gateway_id", attr(&nat, "id")),
                ],
            ),
        )
        .await;
    rm.destroy(SUBNET_NAT, &association).await;
    assert!(
        rm.read(SUBNET_NAT, &association).await.is_none(),
        "no NAT gateway on the subnet any more"
    );
    rm.assert_read_same(SUBNET, &subnet).await;
    rm.destroy(SUBNET, &subnet).await;
    rm.destroy(NAT, &nat).await;
    rm.destroy(VNET, &vnet).await;
    rm.destroy(RG, &group).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inline_subnets_of_a_virtual_network() {
    let h = Harness::start(Faults::default()).await;
    let rm = &h.azurerm;
    rm.create(
        RG,
        &rm.config(
            RG,
            vec![("name", s("rg-net")), ("location", s("westeurope"))],
        ),
    )
    .await;
    let block = rm.block(VNET);
    let subnets = |names: &[(&str, &str)]| {
        blocks(
            block,
            "subnet",
            names
                .iter()
                .map(|(n, p)| vec![("name", s(*n)), ("address_prefixes", string_list(&[p]))])
                .collect(),
        )
    };
    let config = |subnet: Value| {
        rm.config(
            VNET,
            vec![
                ("name", s("vnet-inline")),
                ("resource_group_name", s("rg-net")),
                ("location", s("westeurope")),
                ("address_space", string_set(&["10.9.0.0/16"])),
                ("subnet", subnet),
            ],
        )
    };
    let first = config(subnets(&[("a", "10.9.1.0/24")]));
    let vnet = rm.create(VNET, &first).await;
    let inline = attr(&vnet, "subnet");
    let a = &inline.as_seq().expect("subnets")[0];
    assert!(attr(a, "id")
        .as_str()
        .is_some_and(|id| id.ends_with("/subnets/a")));
    assert_eq!(attr(a, "private_endpoint_network_policies"), s("Disabled"));
    rm.assert_clean(VNET, &vnet, &first).await;
    let second = config(subnets(&[("a", "10.9.1.0/24"), ("b", "10.9.2.0/24")]));
    let plan = rm.plan(VNET, &vnet, &second).await;
    let planned = attr(&plan.planned_state, "subnet");
    let kept = planned
        .as_seq()
        .expect("subnets")
        .iter()
        .find(|e| attr(e, "name") == s("a"))
        .expect("a");
    assert_eq!(
        attr(kept, "id"),
        attr(a, "id"),
        "the existing subnet keeps its id"
    );
    let vnet = rm.update(VNET, &vnet, &second).await;
    assert_eq!(attr(&vnet, "subnet").len(), Some(2));
    rm.assert_read_same(VNET, &vnet).await;
    rm.assert_clean(VNET, &vnet, &second).await;
}
