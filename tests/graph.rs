//! `terrane graph` end to end: the real binary on configurations in temporary directories.
//!
//! The expected DOT follows `terraform graph` (1.0.3) node for node and edge for edge: its
//! conventions were checked against the reference binary on configurations it can graph
//! offline (variables, locals, outputs, modules, and data sources of the built-in
//! `terraform` provider), and resources of other providers follow the same rules.

use std::path::Path;
use std::process::{Command, Output};

fn terrane(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_terrane"))
        .args(args)
        .current_dir(dir)
        .env("CHECKPOINT_DISABLE", "1")
        .env("NO_COLOR", "1")
        .env_remove("TF_CLI_ARGS")
        .env_remove("TF_CLI_ARGS_graph")
        .env_remove("TF_DATA_DIR")
        .output()
        .expect("run terrane")
}

/// A directory holding the given files (paths relative to it).
fn config(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in files {
        let path = dir.path().join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create dir");
        }
        std::fs::write(path, text).expect("write file");
    }
    dir
}

/// Standard output of a successful run.
fn success(output: &Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

const ROOT: &str = r#"
variable "instances" {
  default = 2
}

resource "null_resource" "server" {
  count = var.instances
}

data "terraform_remote_state" "network" {
  backend = "local"
  config = {
    path = "network.tfstate"
  }
}

module "app" {
  source = "./child"
  name   = data.terraform_remote_state.network.outputs.name
}

resource "null_resource" "deploy" {
  triggers = {
    ids = join(",", null_resource.server[*].id)
  }
  depends_on = [module.app]
}

output "deploy_id" {
  value = null_resource.deploy.id
}
"#;

const CHILD: &str = r#"
variable "name" {}

resource "null_resource" "this" {
  triggers = {
    name = var.name
  }
}

output "id" {
  value = null_resource.this.id
}
"#;

fn module_config() -> tempfile::TempDir {
    config(&[("main.tf", ROOT), ("child/main.tf", CHILD)])
}

#[test]
fn dot_graph_of_a_module_count_depends_on_and_a_data_source() {
    let dir = module_config();
    let expected = r#"digraph {
	compound = "true"
	newrank = "true"
	subgraph "root" {
		"[root] data.terraform_remote_state.network (expand)" [label = "data.terraform_remote_state.network", shape = "box"]
		"[root] module.app.null_resource.this (expand)" [label = "module.app.null_resource.this", shape = "box"]
		"[root] null_resource.deploy (expand)" [label = "null_resource.deploy", shape = "box"]
		"[root] null_resource.server (expand)" [label = "null_resource.server", shape = "box"]
		"[root] output.deploy_id" [label = "output.deploy_id", shape = "note"]
		"[root] provider[\"registry.terraform.io/hashicorp/null\"]" [label = "provider[\"registry.terraform.io/hashicorp/null\"]", shape = "diamond"]
		"[root] provider[\"terraform.io/builtin/terraform\"]" [label = "provider[\"terraform.io/builtin/terraform\"]", shape = "diamond"]
		"[root] var.instances" [label = "var.instances", shape = "note"]
		"[root] data.terraform_remote_state.network (expand)" -> "[root] provider[\"terraform.io/builtin/terraform\"]"
		"[root] meta.count-boundary (EachMode fixup)" -> "[root] output.deploy_id"
		"[root] module.app (close)" -> "[root] module.app.output.id (expand)"
		"[root] module.app.null_resource.this (expand)" -> "[root] module.app.var.name (expand)"
		"[root] module.app.null_resource.this (expand)" -> "[root] provider[\"registry.terraform.io/hashicorp/null\"]"
		"[root] module.app.output.id (expand)" -> "[root] module.app.null_resource.this (expand)"
		"[root] module.app.var.name (expand)" -> "[root] data.terraform_remote_state.network (expand)"
		"[root] module.app.var.name (expand)" -> "[root] module.app (expand)"
		"[root] null_resource.deploy (expand)" -> "[root] module.app (close)"
		"[root] null_resource.deploy (expand)" -> "[root] null_resource.server (expand)"
		"[root] null_resource.server (expand)" -> "[root] provider[\"registry.terraform.io/hashicorp/null\"]"
		"[root] null_resource.server (expand)" -> "[root] var.instances"
		"[root] output.deploy_id" -> "[root] null_resource.deploy (expand)"
		"[root] provider[\"registry.terraform.io/hashicorp/null\"] (close)" -> "[root] null_resource.deploy (expand)"
		"[root] provider[\"terraform.io/builtin/terraform\"] (close)" -> "[root] data.terraform_remote_state.network (expand)"
		"[root] root" -> "[root] meta.count-boundary (EachMode fixup)"
		"[root] root" -> "[root] provider[\"registry.terraform.io/hashicorp/null\"] (close)"
		"[root] root" -> "[root] provider[\"terraform.io/builtin/terraform\"] (close)"
	}
}

"#;
    assert_eq!(success(&terrane(dir.path(), &["graph"])), expected);
    // The same with the format named, and run twice: the output is deterministic.
    assert_eq!(
        success(&terrane(dir.path(), &["graph", "-format=dot"])),
        expected
    );
}

#[test]
fn validate_graph_names_resources_by_address() {
    let dir = module_config();
    let out = success(&terrane(dir.path(), &["graph", "-type=validate"]));
    assert!(out.contains("\"[root] null_resource.deploy\" -> \"[root] null_resource.server\"\n"));
    assert!(!out.contains("null_resource.deploy (expand)"));
    assert!(
        out.contains("\"[root] module.app.var.name (expand)\" -> \"[root] module.app (expand)\"\n")
    );
}

#[test]
fn mermaid_graph_of_a_module_count_depends_on_and_a_data_source() {
    let dir = module_config();
    let expected = r#"flowchart LR
    data_terraform_remote_state_network_expand["data.terraform_remote_state.network"]
    meta_count_boundary_EachMode_fixup("meta.count-boundary (EachMode fixup)")
    module_app_close("module.app (close)")
    module_app_expand("module.app (expand)")
    module_app_null_resource_this_expand["module.app.null_resource.this"]
    module_app_output_id_expand("module.app.output.id (expand)")
    module_app_var_name_expand("module.app.var.name (expand)")
    null_resource_deploy_expand["null_resource.deploy"]
    null_resource_server_expand["null_resource.server"]
    output_deploy_id>"output.deploy_id"]
    provider_registry_terraform_io_hashicorp_null{"provider[#quot;registry.terraform.io/hashicorp/null#quot;]"}
    provider_registry_terraform_io_hashicorp_null_close("provider[#quot;registry.terraform.io/hashicorp/null#quot;] (close)")
    provider_terraform_io_builtin_terraform{"provider[#quot;terraform.io/builtin/terraform#quot;]"}
    provider_terraform_io_builtin_terraform_close("provider[#quot;terraform.io/builtin/terraform#quot;] (close)")
    root("root")
    var_instances>"var.instances"]
    data_terraform_remote_state_network_expand --> provider_terraform_io_builtin_terraform
    meta_count_boundary_EachMode_fixup --> output_deploy_id
    module_app_close --> module_app_output_id_expand
    module_app_null_resource_this_expand --> module_app_var_name_expand
    module_app_null_resource_this_expand --> provider_registry_terraform_io_hashicorp_null
    module_app_output_id_expand --> module_app_null_resource_this_expand
    module_app_var_name_expand --> data_terraform_remote_state_network_expand
    module_app_var_name_expand --> module_app_expand
    null_resource_deploy_expand --> module_app_close
    null_resource_deploy_expand --> null_resource_server_expand
    null_resource_server_expand --> provider_registry_terraform_io_hashicorp_null
    null_resource_server_expand --> var_instances
    output_deploy_id --> null_resource_deploy_expand
    provider_registry_terraform_io_hashicorp_null_close --> null_resource_deploy_expand
    provider_terraform_io_builtin_terraform_close --> data_terraform_remote_state_network_expand
    root --> meta_count_boundary_EachMode_fixup
    root --> provider_registry_terraform_io_hashicorp_null_close
    root --> provider_terraform_io_builtin_terraform_close
"#;
    assert_eq!(
        success(&terrane(dir.path(), &["graph", "-format", "mermaid"])),
        expected
    );
}

const LOCALS_CYCLE: &str = r#"
locals {
  a = local.b
  b = "${local.a}-x"
  c = local.a
}

output "c" {
  value = local.c
}
"#;

#[test]
fn a_cycle_between_two_locals_is_an_error_naming_both() {
    let dir = config(&[("main.tf", LOCALS_CYCLE)]);
    let output = terrane(dir.path(), &["graph"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert!(output.stdout.is_empty());
    assert!(
        stderr.contains("Error: Cycle: local.a (expand), local.b (expand)"),
        "stderr: {stderr}"
    );
    assert!(!stderr.contains("local.c"), "stderr: {stderr}");
}

#[test]
fn draw_cycles_draws_the_cycle_in_red() {
    let dir = config(&[("main.tf", LOCALS_CYCLE)]);
    let out = success(&terrane(dir.path(), &["graph", "-draw-cycles"]));
    let red = " [color = \"red\", penwidth = \"2.0\"]";
    assert!(out.contains(&format!(
        "\t\t\"[root] local.a (expand)\" -> \"[root] local.b (expand)\"{red}\n"
    )));
    assert!(out.contains(&format!(
        "\t\t\"[root] local.b (expand)\" -> \"[root] local.a (expand)\"{red}\n"
    )));
    assert!(out.contains("\t\t\"[root] local.c (expand)\" -> \"[root] local.a (expand)\"\n"));
    let mermaid = success(&terrane(
        dir.path(),
        &["graph", "-draw-cycles", "-format=mermaid"],
    ));
    assert!(mermaid.contains("    local_a_expand --> local_b_expand\n"));
    assert!(mermaid.contains("    linkStyle 0,1 stroke:red,stroke-width:2px\n"));
}

#[test]
fn unknown_graph_types_and_formats_are_rejected() {
    let dir = config(&[("main.tf", LOCALS_CYCLE)]);
    let output = terrane(dir.path(), &["graph", "-type=input"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("Invalid graph type requested: input"));
    let output = terrane(dir.path(), &["graph", "-format=svg"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("Invalid graph format requested"));
}
