//! Tests of the loader: every block kind, overrides, JSON, errors and their positions,
//! module trees, and the sample configurations of the shared corpus.
//!
//! Diagnostic summaries, details and positions were checked against `terraform validate
//! -json` of Terraform 1.0.3 where that version has the feature.

use super::*;
use crate::config::{Expr, ResourceMode};
use crate::diag::Severity;
use crate::typeexpr::Constraint;
use crate::value::Type;
use hcl_edit::expr::Expression;

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create test directory");
        }
        std::fs::write(path, text).expect("write test file");
    }
}

fn load(files: &[(&str, &str)]) -> (Module, Diagnostics, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temporary directory");
    write(dir.path(), files);
    let (module, diags) = load_module(dir.path());
    (module, diags, dir)
}

/// A diagnostic as `Summary @ file:line:column` (the file's base name).
fn describe(d: &Diagnostic) -> String {
    match &d.range {
        Some(r) => {
            let name = Path::new(&*r.filename)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned());
            format!(
                "{} @ {}:{}:{}",
                d.summary,
                name.unwrap_or_default(),
                r.start.line,
                r.start.column
            )
        }
        None => d.summary.clone(),
    }
}

fn errors(diags: &Diagnostics) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d.is_error())
        .map(describe)
        .collect()
}

fn assert_clean(diags: &Diagnostics) {
    assert!(!diags.has_errors(), "unexpected errors: {:#?}", diags.0);
}

/// The source text an expression spans.
fn text(expr: &Expr) -> String {
    let span = hcl_edit::Span::span(&expr.expr).expect("expression has a span");
    expr.file.text[span].to_string()
}

fn position(expr: &Expr) -> (usize, usize) {
    let r = expr.range().expect("expression has a range");
    (r.start.line, r.start.column)
}

const EVERY_BLOCK: &str = r#"terraform {
  required_version = ">= 1.1.0"
  required_providers {
    aws = {
      source                = "hashicorp/aws"
      version               = "~> 5.0"
      configuration_aliases = [aws.east]
    }
    legacy = "1.0"
  }
  backend "s3" {
    bucket = "b"
  }
  provider_meta "aws" {
    module_name = "x"
  }
}

variable "region" {
  type        = string
  default     = "eu-west-1"
  description = "Where"
  sensitive   = true
  nullable    = false
  validation {
    condition     = length(var.region) > 0
    error_message = "Empty."
  }
}

variable "untyped" {}

locals {
  name = "app-${var.region}"
  n    = 3
}

output "id" {
  value       = aws_instance.web[0].id
  description = "The id"
  sensitive   = true
  depends_on  = [aws_instance.web]
  precondition {
    condition     = true
    error_message = "never"
  }
}

provider "aws" {
  alias  = "east"
  region = "us-east-1"
  assume_role {
    role_arn = "x"
  }
}

resource "aws_instance" "web" {
  count      = local.n
  provider   = aws.east
  depends_on = [aws_s3_bucket.b]
  ami        = "ami-1"
  tags       = { Name = local.name }

  ebs_block_device {
    device_name = "/dev/sdb"
  }

  dynamic "ingress" {
    for_each = [1, 2]
    content {
      port = ingress.value
    }
  }

  provisioner "local-exec" {
    command = "echo hi"
  }

  lifecycle {
    create_before_destroy = true
    prevent_destroy       = false
    ignore_changes        = [tags["Name"], ami]
    replace_triggered_by  = [aws_s3_bucket.b.id]
    precondition {
      condition     = true
      error_message = "pre"
    }
    postcondition {
      condition     = true
      error_message = "post"
    }
  }
}

resource "aws_s3_bucket" "b" {
  for_each = toset(["a"])
  lifecycle {
    ignore_changes = all
  }
}

data "aws_ami" "ubuntu" {
  most_recent = true
}

module "net" {
  source     = "./modules/net"
  version    = "1.0.0"
  count      = 2
  providers  = { aws = aws.east, aws.west = aws }
  depends_on = [aws_s3_bucket.b]
  cidr       = "10.0.0.0/16"
}

moved {
  from = aws_instance.old
  to   = aws_instance.web
}

import {
  to       = aws_s3_bucket.b["a"]
  id       = "bucket-a"
  provider = aws.east
}

removed {
  from = aws_instance.gone
  lifecycle {
    destroy = false
  }
}

check "health" {
  data "http" "site" {
    url = "https://example.com"
  }
  assert {
    condition     = data.http.site.status_code == 200
    error_message = "down"
  }
}
"#;

#[test]
fn loads_every_block_kind() {
    let (m, diags, _dir) = load(&[("main.tf", EVERY_BLOCK)]);
    assert_clean(&diags);

    let t = &m.terraform;
    assert_eq!(t.required_versions[0].0, ">= 1.1.0");
    let aws = &t.required_providers["aws"];
    assert_eq!(aws.source.as_deref(), Some("hashicorp/aws"));
    assert_eq!(aws.version.as_deref(), Some("~> 5.0"));
    assert_eq!(aws.configuration_aliases, vec!["aws.east".to_string()]);
    assert_eq!(
        t.required_providers["legacy"].version.as_deref(),
        Some("1.0")
    );
    let backend = t.backend.as_ref().expect("backend");
    assert_eq!(backend.kind, "s3");
    assert!(backend.config.attributes.contains_key("bucket"));
    assert!(t.cloud.is_none());

    let region = &m.variables["region"];
    assert_eq!(region.constraint, Constraint::String);
    assert_eq!(text(region.default.as_ref().unwrap()), "\"eu-west-1\"");
    assert_eq!(region.description.as_deref(), Some("Where"));
    assert!(region.sensitive && !region.nullable);
    assert_eq!(
        text(&region.validations[0].condition),
        "length(var.region) > 0"
    );
    let r = region.range.as_ref().unwrap();
    assert_eq!((r.start.line, r.start.column, r.end.column), (19, 1, 18));
    let untyped = &m.variables["untyped"];
    assert_eq!(untyped.constraint, Constraint::Any);
    assert!(untyped.nullable && untyped.default.is_none());

    assert_eq!(text(&m.locals["name"].expr), "\"app-${var.region}\"");
    assert_eq!(position(&m.locals["n"].expr), (35, 10));

    let id = &m.outputs["id"];
    assert_eq!(text(&id.value), "aws_instance.web[0].id");
    assert!(id.sensitive);
    assert_eq!(id.description.as_deref(), Some("The id"));
    assert_eq!(text(&id.depends_on[0]), "aws_instance.web");
    assert_eq!(id.preconditions.len(), 1);

    let p = &m.providers[0];
    assert_eq!((p.name.as_str(), p.alias.as_deref()), ("aws", Some("east")));
    assert!(p.config.attributes.contains_key("region"));
    assert!(!p.config.attributes.contains_key("alias"));
    assert_eq!(p.config.blocks[0].kind, "assume_role");

    let web = &m.resources["aws_instance.web"];
    assert_eq!(web.mode, ResourceMode::Managed);
    assert_eq!(text(web.count.as_ref().unwrap()), "local.n");
    assert_eq!(
        web.provider,
        Some(("aws".to_string(), Some("east".to_string())))
    );
    assert_eq!(web.provider_name(), "aws");
    assert_eq!(text(&web.depends_on[0]), "aws_s3_bucket.b");
    let attrs: Vec<&str> = web.config.attributes.keys().map(String::as_str).collect();
    assert_eq!(attrs, ["ami", "tags"]);
    let blocks: Vec<(&str, Vec<String>)> = web
        .config
        .blocks
        .iter()
        .map(|b| (b.kind.as_str(), b.labels.clone()))
        .collect();
    assert_eq!(
        blocks,
        [
            ("ebs_block_device", vec![]),
            ("dynamic", vec!["ingress".to_string()]),
            ("provisioner", vec!["local-exec".to_string()])
        ]
    );
    let dynamic = &web.config.blocks[1];
    assert!(dynamic.body.attributes.contains_key("for_each"));
    assert_eq!(dynamic.body.blocks[0].kind, "content");
    let lc = &web.lifecycle;
    assert_eq!(
        (lc.create_before_destroy, lc.prevent_destroy),
        (Some(true), Some(false))
    );
    let ignored: Vec<String> = lc.ignore_changes.iter().map(text).collect();
    assert_eq!(ignored, ["tags[\"Name\"]", "ami"]);
    assert!(!lc.ignore_all_changes);
    assert_eq!(text(&lc.replace_triggered_by[0]), "aws_s3_bucket.b.id");
    assert_eq!((lc.preconditions.len(), lc.postconditions.len()), (1, 1));

    let bucket = &m.resources["aws_s3_bucket.b"];
    assert!(bucket.lifecycle.ignore_all_changes);
    assert!(bucket.for_each.is_some() && bucket.count.is_none());
    let ami = &m.resources["data.aws_ami.ubuntu"];
    assert_eq!(ami.mode, ResourceMode::Data);
    assert_eq!(ami.address(), "data.aws_ami.ubuntu");

    let net = &m.module_calls["net"];
    assert_eq!(net.source, "./modules/net");
    assert_eq!(net.version.as_deref(), Some("1.0.0"));
    assert!(net.count.is_some());
    assert_eq!(
        net.providers,
        [
            ("aws".to_string(), "aws.east".to_string()),
            ("aws.west".to_string(), "aws".to_string())
        ]
    );
    assert_eq!(text(&net.depends_on[0]), "aws_s3_bucket.b");
    assert_eq!(net.arguments.keys().collect::<Vec<_>>(), ["cidr"]);
    assert!(net.module.is_none());

    assert_eq!(text(&m.moved[0].from), "aws_instance.old");
    assert_eq!(text(&m.imports[0].to), "aws_s3_bucket.b[\"a\"]");
    assert_eq!(
        m.imports[0].provider,
        Some(("aws".to_string(), Some("east".to_string())))
    );
    assert!(!m.removed[0].destroy);
    let check = &m.checks[0];
    assert_eq!(check.name, "health");
    assert_eq!(check.data[0].address(), "data.http.site");
    assert_eq!(check.asserts.len(), 1);
    assert_eq!(m.files.len(), 1);
}

#[test]
fn reports_declaration_errors_where_terraform_does() {
    // The same configuration given to `terraform validate -json` (1.0.3) reports these
    // summaries at these positions.
    let src = r#"variable "a" {
  type = list(string)
}
variable "a" {
  type = string
}
locals {
  x = 1
}
locals {
  x = 2
}
output "o" {
  value = 1
}
output "o" {
  value = 2
}
resource "null_resource" "r" {
}
resource "null_resource" "r" {
}
data "null_data_source" "r" {
}
data "null_data_source" "r" {
}
module "m" {
  source = "./m"
}
module "m" {
  source = "./m"
}
foo "bar" {
}
variable "count" {
}
variable "1bad" {
}
module "nosrc" {
}
resource "null_resource" "both" {
  count = 1
  for_each = {}
}
variable "v" {
  bogus = 1
}
"#;
    let (_, diags, _dir) = load(&[("main.tf", src)]);
    let mut got = errors(&diags);
    got.sort();
    let mut want = [
        "Duplicate variable declaration @ main.tf:4:1",
        "Duplicate local value definition @ main.tf:11:3",
        "Duplicate output definition @ main.tf:16:1",
        "Duplicate resource \"null_resource\" configuration @ main.tf:21:1",
        "Duplicate data \"null_data_source\" configuration @ main.tf:25:1",
        "Duplicate module call @ main.tf:30:1",
        "Unsupported block type @ main.tf:33:1",
        "Invalid variable name @ main.tf:35:10",
        "Invalid variable name @ main.tf:37:10",
        "Missing required argument @ main.tf:39:16",
        "Invalid combination of \"count\" and \"for_each\" @ main.tf:43:3",
        "Unsupported argument @ main.tf:46:3",
    ];
    want.sort();
    assert_eq!(got, want);
    let find = |summary: &str| diags.iter().find(|d| d.summary == summary).unwrap().clone();
    let dup = find("Duplicate variable declaration");
    assert!(dup
        .detail
        .starts_with("A variable named \"a\" was already declared at "));
    assert!(dup
        .detail
        .ends_with("main.tf:1,1-13. Variable names must be unique within a module."));
    assert_eq!(dup.range.as_ref().unwrap().end.column, 13);
    assert_eq!(dup.context, None);
    let reserved = find("Invalid variable name");
    assert_eq!(
        reserved.detail,
        "The variable name \"count\" is reserved due to its special meaning inside module blocks."
    );
    assert_eq!(reserved.context.as_deref(), Some("variable \"count\""));
    let local = find("Duplicate local value definition");
    assert_eq!(local.context.as_deref(), Some("locals"));
    assert_eq!(local.range.as_ref().unwrap().end.column, 8);
    assert_eq!(
        find("Unsupported argument").detail,
        "An argument named \"bogus\" is not expected here."
    );
    assert_eq!(
        find("Unsupported block type").detail,
        "Blocks of type \"foo\" are not expected here."
    );
    assert_eq!(
        find("Missing required argument").detail,
        "The argument \"source\" is required, but no definition was found."
    );
}

#[test]
fn reports_label_name_and_value_errors() {
    let src = r#"variable {
}
variable "a" "b" {
}
resource "x" {
}
resource "1x" "2y" {
}
output "1o" {
  value = 1
}
varable "x" {
}
resource "null_resource" "r" {
  lifecycle {
    create_befor_destroy = true
    prevent_destroy      = var.x
  }
  provider = 3
  depends_on = [null_resource.x, var.x[0], 3]
}
variable "c" {
  type    = number
  default = "x"
}
variable "d" {
  default = upper("a")
}
variable "e" {
  type = "string"
}
output "s" {
  value     = 1
  sensitive = "maybe"
}
"#;
    let (_, diags, _dir) = load(&[("main.tf", src)]);
    let mut got = errors(&diags);
    got.sort();
    let mut want = [
        "Missing name for variable @ main.tf:1:10",
        "Extraneous label for variable @ main.tf:3:14",
        "Missing name for resource @ main.tf:5:14",
        "Invalid resource type name @ main.tf:7:10",
        "Invalid resource name @ main.tf:7:15",
        "Invalid output name @ main.tf:9:8",
        "Unsupported block type @ main.tf:12:1",
        "Unsupported argument @ main.tf:16:5",
        "Variables not allowed @ main.tf:17:28",
        "Invalid provider configuration reference @ main.tf:19:14",
        "Invalid expression @ main.tf:20:44",
        "Invalid default value for variable @ main.tf:24:13",
        "Function calls not allowed @ main.tf:27:13",
        "Invalid quoted type constraints @ main.tf:30:10",
        "Unsuitable value type @ main.tf:34:15",
    ];
    want.sort();
    assert_eq!(got, want);
    let find = |summary: &str| diags.iter().find(|d| d.summary == summary).unwrap().clone();
    assert_eq!(
        find("Unsupported block type").detail,
        "Blocks of type \"varable\" are not expected here. Did you mean \"variable\"?"
    );
    assert_eq!(
        find("Unsupported argument").detail,
        "An argument named \"create_befor_destroy\" is not expected here. Did you mean \
         \"create_before_destroy\"?"
    );
    assert_eq!(
        find("Missing name for resource").detail,
        "All resource blocks must have 2 labels (type, name)."
    );
    assert_eq!(
        find("Invalid default value for variable").detail,
        "This default value is not compatible with the variable's type constraint: a number is \
         required."
    );
    assert_eq!(
        find("Unsuitable value type").detail,
        "Unsuitable value: a bool is required"
    );
    assert_eq!(
        find("Variables not allowed")
            .range
            .as_ref()
            .unwrap()
            .end
            .column,
        31
    );
}

#[test]
fn syntax_errors_have_positions_and_other_files_still_load() {
    let (m, diags, _dir) = load(&[
        ("a.tf", "locals {\n  a = 1 +\n}\n"),
        ("b.tf", "variable \"ok\" {}\n"),
        ("c.tf", "locals {\n  a = 1\n  a = 2\n}\n"),
        ("d.tf", "locals {\n  a = 1\n"),
        ("e.tf", "variable \"x\" {\n  type = list(string\n}\n"),
    ]);
    assert!(m.variables.contains_key("ok"));
    assert_eq!(
        errors(&diags),
        [
            "Invalid expression @ a.tf:2:10",
            "Attribute redefined @ c.tf:3:3",
            "Argument or block definition required @ d.tf:3:1",
            "Invalid expression @ e.tf:3:1",
        ]
    );
    let redefined = diags
        .iter()
        .find(|d| d.summary == "Attribute redefined")
        .unwrap();
    assert!(redefined
        .detail
        .starts_with("The argument \"a\" was already set at "));
    assert!(redefined
        .detail
        .ends_with("c.tf:2,3-4. Each argument may be set only once."));
    assert_eq!(m.files.len(), 5);
}

#[test]
fn unreadable_and_truncated_files_are_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.tf"),
        b"locals {\n  a = \"\xff\xfe\"\n}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("cut.tf.json"), b"{\"locals\": {\"a\": ").unwrap();
    std::fs::write(dir.path().join("empty.tf.json"), b"").unwrap();
    std::fs::write(dir.path().join("good.tf"), b"locals {\n  b = 2\n}\n").unwrap();
    std::fs::create_dir(dir.path().join("sub.tf")).unwrap();
    std::fs::write(dir.path().join(".hidden.tf"), b"nonsense").unwrap();
    std::fs::write(dir.path().join("backup.tf~"), b"nonsense").unwrap();
    let (m, diags) = load_module(dir.path());
    assert_eq!(
        errors(&diags),
        [
            "Invalid character encoding @ bad.tf:2:8",
            "Invalid JSON @ cut.tf.json:1:18",
            "Missing value @ empty.tf.json:1:1",
        ]
    );
    assert!(m.locals.contains_key("b"));
    assert_eq!(m.files.len(), 4);
}

#[test]
fn override_files_merge_into_their_base_blocks() {
    let main = r#"terraform {
  required_version = ">= 1.0"
  backend "local" {}
}
variable "v" {
  type        = list(string)
  default     = ["a"]
  description = "base"
}
locals {
  l = 1
  k = 2
}
output "o" {
  value       = local.l
  description = "d"
}
provider "aws" {
  region = "a"
  default_tags {
    tags = {}
  }
}
resource "aws_instance" "x" {
  ami           = "a"
  instance_type = "t2"
  ebs_block_device {
    device_name = "a"
  }
  ebs_block_device {
    device_name = "b"
  }
  network_interface {
    index = 0
  }
  lifecycle {
    create_before_destroy = true
    ignore_changes        = [ami]
  }
}
module "m" {
  source = "./one"
  a      = 1
  b      = 2
}
"#;
    let first = r#"variable "v" {
  default = ["b", "c"]
}
locals {
  l = 10
}
output "o" {
  value = "${local.l}x"
}
resource "aws_instance" "x" {
  ami = "b"
  dynamic "ebs_block_device" {
    for_each = []
    content {}
  }
  lifecycle {
    prevent_destroy = true
  }
}
module "m" {
  source = "./two"
  b      = 3
}
provider "aws" {
  region = "b"
}
"#;
    let second = r#"terraform {
  required_version = ">= 1.5"
  cloud {
    organization = "o"
  }
}
locals {
  l = 20
}
"#;
    let (m, diags, _dir) = load(&[
        ("main.tf", main),
        ("a_override.tf", first),
        ("override.tf", second),
    ]);
    assert_clean(&diags);
    let v = &m.variables["v"];
    assert_eq!(v.constraint.ty(), Type::list(Type::String));
    assert_eq!(text(v.default.as_ref().unwrap()), "[\"b\", \"c\"]");
    assert_eq!(v.description.as_deref(), Some("base"));
    // Override files apply in lexical order: a_override.tf, then override.tf.
    assert_eq!(text(&m.locals["l"].expr), "20");
    assert!(m.locals["l"]
        .range
        .as_ref()
        .unwrap()
        .filename
        .ends_with("override.tf"));
    assert_eq!(text(&m.locals["k"].expr), "2");
    assert_eq!(text(&m.outputs["o"].value), "\"${local.l}x\"");
    assert_eq!(m.outputs["o"].description.as_deref(), Some("d"));
    assert_eq!(
        text(&m.providers[0].config.attributes["region"].expr),
        "\"b\""
    );
    assert_eq!(m.providers[0].config.blocks.len(), 1);

    let x = &m.resources["aws_instance.x"];
    assert_eq!(text(&x.config.attributes["ami"].expr), "\"b\"");
    assert_eq!(text(&x.config.attributes["instance_type"].expr), "\"t2\"");
    // The override's dynamic "ebs_block_device" replaces both base blocks of that type.
    let kinds: Vec<(String, Vec<String>)> = x
        .config
        .blocks
        .iter()
        .map(|b| (b.kind.clone(), b.labels.clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("network_interface".to_string(), vec![]),
            ("dynamic".to_string(), vec!["ebs_block_device".to_string()])
        ]
    );
    assert_eq!(x.lifecycle.create_before_destroy, Some(true));
    assert_eq!(x.lifecycle.prevent_destroy, Some(true));
    assert_eq!(x.lifecycle.ignore_changes.len(), 1);

    let call = &m.module_calls["m"];
    assert_eq!(call.source, "./two");
    assert_eq!(text(&call.arguments["a"].expr), "1");
    assert_eq!(text(&call.arguments["b"].expr), "3");

    let t = &m.terraform;
    assert_eq!(t.required_versions.len(), 1);
    assert_eq!(t.required_versions[0].0, ">= 1.5");
    // A cloud block in an override file replaces the backend, and is not an error.
    assert!(t.backend.is_none());
    assert!(t.cloud.is_some());
}

#[test]
fn override_errors() {
    let main = r#"variable "v" {
  type    = string
  default = "a"
}
output "o" {
  value = 1
}
module "m" {
  source     = "./m"
  depends_on = [output.o]
}
"#;
    let over = r#"variable "v" {
  type = number
}
variable "w" {
  default = "b"
}
locals {
  m = 3
}
output "o" {
  depends_on = [module.m]
}
output "p" {
  value = 1
}
resource "null_resource" "n" {}
module "m" {
  count = 1
}
module "mm" {
  source = "./x"
}
provider "aws" {
  alias = "nope"
}
moved {
  from = a.b
  to   = a.c
}
"#;
    let (_, diags, _dir) = load(&[("main.tf", main), ("x_override.tf", over)]);
    assert_eq!(
        errors(&diags),
        [
            "Missing base provider configuration for override @ x_override.tf:23:1",
            "Invalid default value for variable @ x_override.tf:1:1",
            "Missing base variable declaration to override @ x_override.tf:4:1",
            "Missing base local value definition to override @ x_override.tf:8:3",
            "Unsupported override @ x_override.tf:11:17",
            "Missing base output definition to override @ x_override.tf:13:1",
            "Unsupported override @ main.tf:10:17",
            "Missing module call to override @ x_override.tf:20:1",
            "Missing resource to override @ x_override.tf:16:1",
            "Cannot override 'moved' blocks @ x_override.tf:26:1",
        ]
    );
    let invalid = diags
        .iter()
        .find(|d| d.summary == "Invalid default value for variable")
        .unwrap();
    assert_eq!(
        invalid.detail,
        "Overriding this variable's type constraint has made its default value invalid: a \
         number is required."
    );
}

const JSON_CONFIG: &str = r#"{
  "//": "a comment",
  "terraform": {
    "required_providers": {
      "aws": {"source": "hashicorp/aws", "configuration_aliases": ["aws.east"]}
    },
    "backend": {"s3": {"bucket": "b"}}
  },
  "variable": {
    "names": {"type": "list(object({a = optional(string, \"x\")}))", "default": []},
    "plain": {}
  },
  "locals": {"greeting": "hello ${var.names[0].a}!", "n": 2, "quoted": "say \"${lookup(local.m, \"k\", \"d\")}\"", "m": {"k": "v"}},
  "output": {"o": {"value": "${local.greeting}", "depends_on": ["aws_instance.web"]}},
  "provider": {"aws": [{"region": "a"}, {"alias": "east", "region": "b"}]},
  "resource": {
    "aws_instance": {
      "web": {
        "count": "${local.n}",
        "provider": "aws.east",
        "ami": "ami-1",
        "tags": {"Name": "web-${count.index}"},
        "ebs_block_device": [{"device_name": "/dev/sdb"}],
        "dynamic": {"ingress": {"for_each": [1], "content": {"port": "${ingress.value}"}}},
        "lifecycle": {"ignore_changes": ["tags"], "create_before_destroy": true}
      }
    }
  },
  "data": {"aws_ami": {"u": {"most_recent": true}}},
  "module": {"net": {"source": "./net", "providers": {"aws": "aws.east"}, "cidr": "10.0.0.0/16"}},
  "moved": [{"from": "aws_instance.old", "to": "aws_instance.web"}]
}
"#;

#[test]
fn loads_json_configuration() {
    let (m, diags, _dir) = load(&[("main.tf.json", JSON_CONFIG)]);
    assert_clean(&diags);
    let aws = &m.terraform.required_providers["aws"];
    assert_eq!(aws.source.as_deref(), Some("hashicorp/aws"));
    assert_eq!(aws.configuration_aliases, ["aws.east"]);
    assert_eq!(m.terraform.backend.as_ref().unwrap().kind, "s3");

    let names = &m.variables["names"];
    assert_eq!(
        names.constraint.ty().to_string(),
        "list(object({a=string}))"
    );
    assert_eq!(m.variables["plain"].constraint, Constraint::Any);

    // Strings are templates whose spans point into the JSON file.
    let greeting = &m.locals["greeting"].expr;
    assert!(matches!(greeting.expr, Expression::StringTemplate(_)));
    assert_eq!(text(greeting), "\"hello ${var.names[0].a}!\"");
    assert_eq!(position(greeting), (13, 26));
    let Expression::StringTemplate(t) = &greeting.expr else {
        unreachable!()
    };
    let interpolation = t.iter().find_map(|e| e.as_interpolation()).unwrap();
    let span = hcl_edit::Span::span(&interpolation.expr).unwrap();
    assert_eq!(&greeting.file.text[span], "var.names[0].a");
    assert_eq!(text(&m.locals["n"].expr), "2");
    // Escaped quotes inside an interpolation are quotes of the expression.
    let quoted = &m.locals["quoted"].expr.expr;
    let Expression::StringTemplate(t) = quoted else {
        panic!("not a template: {quoted:?}")
    };
    let call = t.iter().find_map(|e| e.as_interpolation()).unwrap();
    assert!(
        matches!(call.expr, Expression::FuncCall(_)),
        "{:?}",
        call.expr
    );
    assert!(matches!(m.locals["m"].expr.expr, Expression::Object(_)));

    let o = &m.outputs["o"];
    assert!(matches!(o.depends_on[0].expr, Expression::Traversal(_)));
    assert_eq!(text(&o.depends_on[0]), "aws_instance.web");

    assert_eq!(m.providers.len(), 2);
    assert_eq!(m.providers[1].alias.as_deref(), Some("east"));

    let web = &m.resources["aws_instance.web"];
    assert_eq!(
        web.provider,
        Some(("aws".to_string(), Some("east".to_string())))
    );
    assert_eq!(text(web.count.as_ref().unwrap()), "\"${local.n}\"");
    assert!(web.config.attributes.contains_key("tags"));
    // Without the provider's schema a nested block is an argument holding objects.
    assert!(matches!(
        web.config.attributes["ebs_block_device"].expr.expr,
        Expression::Array(_)
    ));
    let dynamic = &web.config.blocks[0];
    assert_eq!(
        (dynamic.kind.as_str(), dynamic.labels.as_slice()),
        ("dynamic", &["ingress".to_string()][..])
    );
    assert!(dynamic.body.blocks[0].body.attributes.contains_key("port"));
    assert_eq!(web.lifecycle.create_before_destroy, Some(true));
    assert_eq!(text(&web.lifecycle.ignore_changes[0]), "tags");
    assert!(m.resources.contains_key("data.aws_ami.u"));
    let net = &m.module_calls["net"];
    assert_eq!(net.source, "./net");
    assert_eq!(net.providers, [("aws".to_string(), "aws.east".to_string())]);
    assert!(net.arguments.contains_key("cidr"));
    assert_eq!(text(&m.moved[0].to), "aws_instance.web");
}

#[test]
fn json_errors() {
    let src = r#"{
  "variable": {
    "b": {"default": "${1 + 2}", "bogus": 1}
  },
  "locals": {"a": "${", "b": 1, "b": 2},
  "foo": {},
  "resource": {"x": "nope"}
}"#;
    let (m, diags, _dir) = load(&[("main.tf.json", src)]);
    assert_eq!(
        errors(&diags),
        [
            "Extraneous JSON object property @ main.tf.json:3:34",
            "Duplicate argument @ main.tf.json:5:33",
            "Extraneous JSON object property @ main.tf.json:6:3",
            "Incorrect JSON value type @ main.tf.json:7:21",
            "Invalid expression @ main.tf.json:5:19",
        ]
    );
    assert!(m.variables.contains_key("b"));
    let bogus = diags.iter().next().unwrap();
    assert_eq!(
        bogus.detail,
        "No argument or block type is named \"bogus\"."
    );
}

#[test]
fn loads_local_module_trees() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("root/main.tf", "module \"a\" {\n  source = \"./modules/a\"\n}\nmodule \"reg\" {\n  source = \"hashicorp/consul/aws\"\n}\nmodule \"gone\" {\n  source = \"../nowhere\"\n}\n"),
            ("root/modules/a/main.tf", "variable \"x\" {}\nmodule \"b\" {\n  source = \"../b\"\n}\n"),
            ("root/modules/b/main.tf", "module \"again\" {\n  source = \"../a\"\n}\noutput \"y\" {\n  value = 1\n}\n"),
        ],
    );
    let (m, diags) = load_module_tree(&dir.path().join("root"));
    let a = m.module_calls["a"]
        .module
        .as_ref()
        .expect("module a loaded");
    assert!(a.variables.contains_key("x"));
    assert!(
        a.files[0].name.ends_with("root/modules/a/main.tf"),
        "{}",
        a.files[0].name
    );
    let b = a.module_calls["b"]
        .module
        .as_ref()
        .expect("module b loaded");
    assert!(b.outputs.contains_key("y"));
    assert!(b.module_calls["again"].module.is_none());
    assert!(m.module_calls["reg"].module.is_none());
    assert_eq!(
        errors(&diags),
        [
            "Recursive module call @ main.tf:2:12",
            "Module source not yet supported @ main.tf:5:12",
            "Unreadable module directory @ main.tf:8:12",
        ]
    );
    let unsupported = diags
        .iter()
        .find(|d| d.summary == "Module source not yet supported")
        .unwrap();
    assert!(unsupported
        .detail
        .contains("Vendor the module into a local directory"));
}

#[test]
fn file_names_are_relative_to_the_directory_given() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[("main.tf", "locals {\n  a = 1\n}\n")]);
    let (m, _) = load_module(&dir.path().join("."));
    assert_eq!(
        &*m.files[0].name,
        dir.path().join("main.tf").to_string_lossy()
    );
    assert_eq!(clean_path(Path::new("./main.tf")), Path::new("main.tf"));
    assert_eq!(clean_path(Path::new("a/./b/../c")), Path::new("a/c"));
    assert_eq!(clean_path(Path::new("../x")), Path::new("../x"));
    assert!(is_override_file("override.tf") && is_override_file("a_override.tf.json"));
    assert!(!is_override_file("overrides.tf"));
}

#[test]
fn warnings_for_deprecated_forms() {
    let src = r#"resource "a_b" "c" {
  depends_on = ["a_b.d"]
  provider   = "a.x"
  lifecycle {
    ignore_changes = ["tags"]
  }
}
provider "a" {
  version = "1.0"
}
"#;
    let (m, diags, _dir) = load(&[("main.tf", src)]);
    assert_clean(&diags);
    let warnings: Vec<String> = diags
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(describe)
        .collect();
    assert_eq!(
        warnings,
        [
            "Quoted references are deprecated @ main.tf:2:17",
            "Quoted references are deprecated @ main.tf:3:16",
            "Quoted references are deprecated @ main.tf:5:23",
            "Version constraints inside provider configuration blocks are deprecated @ main.tf:9:13",
        ]
    );
    let r = &m.resources["a_b.c"];
    // The quoted reference is read as the reference it names, at its place in the file.
    assert!(matches!(r.depends_on[0].expr, Expression::Traversal(_)));
    assert_eq!(text(&r.depends_on[0]), "a_b.d");
    assert_eq!(position(&r.depends_on[0]), (2, 18));
    assert_eq!(r.provider, Some(("a".to_string(), Some("x".to_string()))));
}

#[test]
fn loads_the_shared_corpus() {
    let base = Path::new("/work/shared/corpus/git-ops-starter/azure");
    for name in ["tf-infra", "tf-k8s", "tf-devops"] {
        let dir = base.join(name);
        if !dir.is_dir() {
            println!("skipping {}: directory absent", dir.display());
            continue;
        }
        let (m, diags) = load_module_tree(&dir);
        assert_clean(&diags);
        assert!(!m.files.is_empty());
        if name == "tf-infra" {
            assert!(m.terraform.cloud.is_some());
            assert!(m.terraform.backend.is_none());
        }
        assert!(!m.resources.is_empty(), "{name} has resources");
    }
}

#[test]
fn truncated_files_never_panic() {
    for (name, source) in [("main.tf", EVERY_BLOCK), ("main.tf.json", JSON_CONFIG)] {
        let mut cut = 0;
        while cut <= source.len() {
            if let Some(prefix) = source.get(..cut) {
                let file = Arc::new(SourceFile::new(name, prefix));
                let mut diags = Diagnostics::new();
                let body = if name.ends_with(".json") {
                    json::parse_json(&file, &mut diags)
                } else {
                    parse_native(&file, &mut diags)
                };
                let items = decode::decode_file(&body, &file, false, &mut diags);
                let mut module = Module::default();
                merge::assemble(&mut module, vec![items], Vec::new(), &mut diags);
            }
            cut += 3;
        }
    }
}
