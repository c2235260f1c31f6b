//! `terrane providers`: the providers the configuration and the state require, printed as
//! Terraform's tree. Also what `init` shares with it: the provider requirements of a module
//! tree (explicit `required_providers` entries and the providers implied by resources, data
//! sources, `import` blocks and provider blocks) and Terraform's version-constraint syntax.

use super::{check, current_workspace, cwd, load, parse_flags, use_color, CommandResult, Failure};
use crate::flags::Spec;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use terrane_engine::config::Module;
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::plan::{resource_provider, BUILTIN_PROVIDER};
use terrane_engine::provider::provider_address;
use terrane_state::{workspace_state_path, State};

pub fn run(args: &[String]) -> CommandResult {
    let flags = parse_flags(
        args,
        &Spec {
            bools: &["no-color"],
            values: &[],
        },
    )?;
    if let Some(subcommand) = flags.positional.first() {
        return Err(Failure::Message(format!(
            "terrane does not support \"providers {subcommand}\": it has its providers built in, so there is nothing to lock, mirror or download."
        )));
    }
    let color = use_color(flags.flag("no-color"));
    let loaded = load(&cwd());
    let mut diags = loaded.diagnostics.clone();
    let required = requirements(&loaded.module, &mut diags);
    check(&loaded.sources, &diags, color)?;

    let state_path = workspace_state_path(&cwd(), &current_workspace());
    let state = State::read(&state_path).map_err(|e| {
        Failure::Message(format!(
            "Failed to load state from {}: {e}",
            state_path.display()
        ))
    })?;
    let in_state = state.as_ref().map(state_providers).unwrap_or_default();
    tracing::debug!(
        "providers: {} required by the configuration, {} by the state",
        required.merged().len(),
        in_state.len()
    );
    print!("{}", render(&required, &in_state));
    Ok(0)
}

/// Terraform's output: a blank line, the configuration's tree, and the providers of the
/// state when it has any.
fn render(required: &ModuleRequirements, in_state: &BTreeSet<String>) -> String {
    let mut out = String::from("\nProviders required by configuration:\n.\n");
    tree_lines(required, "", &mut out);
    out.push('\n');
    if !in_state.is_empty() {
        out.push_str("Providers required by state:\n\n");
        for address in in_state {
            out.push_str(&format!("    provider[{address}]\n\n"));
        }
    }
    out
}

/// The tree below one module, as the `treeprint` package draws it: `├── ` before every
/// entry but the last (`└── `), and under an entry `│` plus two non-breaking spaces and a
/// space, or four spaces below the last one.
fn tree_lines(module: &ModuleRequirements, indent: &str, out: &mut String) {
    let mut entries: Vec<(String, Option<&ModuleRequirements>)> = module
        .providers
        .iter()
        .map(|(address, constraints)| {
            let text = constraints.canonical();
            let suffix = if text.is_empty() {
                String::new()
            } else {
                format!(" {text}")
            };
            (format!("provider[{address}]{suffix}"), None)
        })
        .collect();
    entries.extend(
        module
            .children
            .iter()
            .map(|(name, child)| (format!("module.{name}"), Some(child))),
    );
    let count = entries.len();
    for (index, (label, child)) in entries.into_iter().enumerate() {
        let last = index + 1 == count;
        out.push_str(indent);
        out.push_str(if last { "└── " } else { "├── " });
        out.push_str(&label);
        out.push('\n');
        if let Some(child) = child {
            let deeper = if last {
                format!("{indent}    ")
            } else {
                format!("{indent}│\u{a0}\u{a0} ")
            };
            tree_lines(child, &deeper, out);
        }
    }
}

/// The provider addresses a state's resources use (each resource names its provider
/// configuration as `provider["ADDRESS"]`, perhaps after a module path and before an alias).
pub fn state_providers(state: &State) -> BTreeSet<String> {
    state
        .resources
        .iter()
        .filter_map(|r| {
            let start = r.provider.find("provider[\"")? + "provider[\"".len();
            let length = r.provider[start..].find("\"]")?;
            Some(r.provider[start..start + length].to_string())
        })
        .collect()
}

/// The providers one module requires (by address, with the version constraints the module
/// gives), and its child modules' requirements by call name.
#[derive(Debug, Default)]
pub struct ModuleRequirements {
    pub providers: BTreeMap<String, Constraints>,
    pub children: BTreeMap<String, ModuleRequirements>,
}

impl ModuleRequirements {
    /// Every provider the module tree requires, with all the constraints written for it.
    pub fn merged(&self) -> BTreeMap<String, Constraints> {
        let mut out = BTreeMap::new();
        self.merge_into(&mut out);
        out
    }

    fn merge_into(&self, out: &mut BTreeMap<String, Constraints>) {
        for (address, constraints) in &self.providers {
            out.entry(address.clone()).or_default().extend(constraints);
        }
        for child in self.children.values() {
            child.merge_into(out);
        }
    }
}

/// The provider requirements of a module tree; a malformed version constraint is an error
/// in `diags`.
pub fn requirements(module: &Module, diags: &mut Diagnostics) -> ModuleRequirements {
    let mut providers: BTreeMap<String, Constraints> = BTreeMap::new();
    for (local, requirement) in &module.terraform.required_providers {
        let address = local_provider_address(module, local);
        let entry = providers.entry(address).or_default();
        if let Some(text) = &requirement.version {
            match Constraints::parse(text) {
                Ok(parsed) => entry.extend(&parsed),
                Err(_) => diags.push(
                    Diagnostic::error(
                        "Invalid version constraint",
                        "This string does not use correct version constraint syntax.",
                    )
                    .at(requirement.range.clone()),
                ),
            }
        }
    }
    for config in &module.providers {
        providers
            .entry(local_provider_address(module, &config.name))
            .or_default();
    }
    let check_data = module.checks.iter().flat_map(|c| c.data.iter());
    for resource in module.resources.values().chain(check_data) {
        providers
            .entry(resource_provider(module, resource))
            .or_default();
    }
    for import in &module.imports {
        if let Some((local, _)) = &import.provider {
            providers
                .entry(local_provider_address(module, local))
                .or_default();
        }
    }
    let children = module
        .module_calls
        .iter()
        .filter_map(|(name, call)| {
            let child = call.module.as_ref()?;
            Some((name.clone(), requirements(child, diags)))
        })
        .collect();
    ModuleRequirements {
        providers,
        children,
    }
}

/// The address a module's local provider name stands for: its `required_providers` source,
/// else `hashicorp/NAME`; the name `terraform` alone is the provider built into Terraform.
fn local_provider_address(module: &Module, local: &str) -> String {
    let source = module
        .terraform
        .required_providers
        .get(local)
        .and_then(|r| r.source.as_deref());
    if local == "terraform" && source.is_none() {
        return BUILTIN_PROVIDER.to_string();
    }
    provider_address(local, source)
}

/// The short form of a registry address Terraform shows in messages (`hashicorp/random`).
pub fn short_address(address: &str) -> &str {
    address
        .strip_prefix("registry.terraform.io/")
        .unwrap_or(address)
}

/// A provider version: `MAJOR.MINOR.PATCH` with an optional prerelease.
pub type Version = semver::Version;

/// A comparison in a constraint, in the order Terraform sorts equal boundaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Operator {
    Greater,
    GreaterOrEqual,
    Equal,
    /// `~> 1.2.3`: at least the version, below the next minor release.
    PessimisticPatch,
    /// `~> 1.2` (or `~> 1`): at least the version, below the next major release.
    PessimisticMinor,
    LessOrEqual,
    Less,
    NotEqual,
}

/// The version of a constraint, where trailing parts may be left out (`2` is `2.*.*`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Boundary {
    major: u64,
    minor: Option<u64>,
    patch: Option<u64>,
    pre: semver::Prerelease,
    build: semver::BuildMetadata,
}

impl Boundary {
    /// The boundary with omitted parts as zeros.
    fn zeroed(&self) -> Version {
        Version {
            major: self.major,
            minor: self.minor.unwrap_or(0),
            patch: self.patch.unwrap_or(0),
            pre: self.pre.clone(),
            build: self.build.clone(),
        }
    }

    /// The first version past every version the boundary's omitted parts stand for (`1.*`
    /// ends before `2.0.0`); none when every part is given.
    fn end_of_wildcard(&self) -> Option<Version> {
        match (self.minor, self.patch) {
            (None, _) => Some(Version::new(self.major.saturating_add(1), 0, 0)),
            (Some(minor), None) => Some(Version::new(self.major, minor.saturating_add(1), 0)),
            _ => None,
        }
    }

    /// The boundary written with omitted parts as zeros, which Terraform treats as the
    /// same constraint.
    fn normalized(&self) -> Boundary {
        Boundary {
            minor: Some(self.minor.unwrap_or(0)),
            patch: Some(self.patch.unwrap_or(0)),
            ..self.clone()
        }
    }
}

/// One term of a constraint, such as `>= 1.2`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Selection {
    operator: Operator,
    boundary: Boundary,
}

impl Selection {
    fn allows(&self, version: &Version) -> bool {
        let low = self.boundary.zeroed();
        let wildcard_end = self.boundary.end_of_wildcard();
        let at_least = |v: &Version| version.cmp_precedence(v) != Ordering::Less;
        let below = |v: &Version| version.cmp_precedence(v) == Ordering::Less;
        let equal = || match &wildcard_end {
            Some(end) => at_least(&low) && below(end),
            None => version.cmp_precedence(&low) == Ordering::Equal,
        };
        match self.operator {
            Operator::Equal => equal(),
            Operator::NotEqual => !equal(),
            Operator::Greater => match &wildcard_end {
                Some(end) => at_least(end),
                None => version.cmp_precedence(&low) == Ordering::Greater,
            },
            Operator::GreaterOrEqual => at_least(&low),
            Operator::Less => below(&low),
            Operator::LessOrEqual => match &wildcard_end {
                Some(end) => below(end),
                None => version.cmp_precedence(&low) != Ordering::Greater,
            },
            Operator::PessimisticPatch => {
                at_least(&low) && below(&Version::new(low.major, low.minor.saturating_add(1), 0))
            }
            Operator::PessimisticMinor => {
                at_least(&low) && below(&Version::new(low.major.saturating_add(1), 0, 0))
            }
        }
    }

    /// The term as Terraform writes it in lock files and messages.
    fn canonical(&self) -> String {
        let symbol = match self.operator {
            Operator::Greater => "> ",
            Operator::GreaterOrEqual => ">= ",
            Operator::Equal => "",
            Operator::PessimisticPatch | Operator::PessimisticMinor => "~> ",
            Operator::LessOrEqual => "<= ",
            Operator::Less => "< ",
            Operator::NotEqual => "!= ",
        };
        let b = self.boundary.zeroed();
        let mut text = if self.operator == Operator::PessimisticMinor {
            format!("{symbol}{}.{}", b.major, b.minor)
        } else {
            format!("{symbol}{}.{}.{}", b.major, b.minor, b.patch)
        };
        if !b.pre.is_empty() {
            text.push_str(&format!("-{}", b.pre));
        }
        if !b.build.is_empty() {
            text.push_str(&format!("+{}", b.build));
        }
        text
    }
}

/// Version constraints in Terraform's ("Ruby-style") syntax: comma-separated terms, all of
/// which a version must meet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Constraints(Vec<Selection>);

impl Constraints {
    /// Parses a constraint string such as `">= 1.2, < 2.0.0"`; an empty string allows
    /// every version.
    pub fn parse(text: &str) -> Result<Constraints, String> {
        if text.trim().is_empty() {
            return Ok(Constraints::default());
        }
        text.split(',')
            .map(parse_selection)
            .collect::<Result<Vec<_>, _>>()
            .map(Constraints)
    }

    pub fn extend(&mut self, other: &Constraints) {
        self.0.extend(other.0.iter().cloned());
    }

    /// Whether `version` meets every term.
    pub fn allows(&self, version: &Version) -> bool {
        self.0.iter().all(|s| s.allows(version))
    }

    /// Terraform's canonical text: terms deduplicated (omitted version parts counting as
    /// zero), sorted by version and then by operator, joined with `", "`; empty when there
    /// are no terms.
    pub fn canonical(&self) -> String {
        let mut terms: Vec<Selection> = self
            .0
            .iter()
            .map(|s| Selection {
                operator: s.operator,
                boundary: s.boundary.normalized(),
            })
            .collect();
        terms.sort_by(|a, b| {
            let (va, vb) = (a.boundary.zeroed(), b.boundary.zeroed());
            va.cmp_precedence(&vb)
                .then_with(|| va.build.as_str().cmp(vb.build.as_str()))
                .then_with(|| a.operator.cmp(&b.operator))
        });
        terms.dedup();
        terms
            .iter()
            .map(Selection::canonical)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// One term: an optional operator, then a version of one to three numbers with an optional
/// `-prerelease` and `+build`.
fn parse_selection(term: &str) -> Result<Selection, String> {
    let term = term.trim();
    let operators = [
        ("!=", Operator::NotEqual),
        (">=", Operator::GreaterOrEqual),
        ("<=", Operator::LessOrEqual),
        ("~>", Operator::PessimisticPatch),
        (">", Operator::Greater),
        ("<", Operator::Less),
        ("=", Operator::Equal),
    ];
    let (operator, rest) = operators
        .iter()
        .find_map(|(symbol, op)| term.strip_prefix(symbol).map(|rest| (*op, rest)))
        .unwrap_or((Operator::Equal, term));
    let boundary = parse_boundary(rest.trim())
        .ok_or_else(|| format!("invalid version constraint {term:?}"))?;
    let operator = if operator == Operator::PessimisticPatch && boundary.patch.is_none() {
        Operator::PessimisticMinor
    } else {
        operator
    };
    Ok(Selection { operator, boundary })
}

fn parse_boundary(text: &str) -> Option<Boundary> {
    let (rest, build) = match text.split_once('+') {
        Some((rest, build)) => (rest, semver::BuildMetadata::new(build).ok()?),
        None => (text, semver::BuildMetadata::EMPTY),
    };
    let (numbers, pre) = match rest.split_once('-') {
        Some((numbers, pre)) => (numbers, semver::Prerelease::new(pre).ok()?),
        None => (rest, semver::Prerelease::EMPTY),
    };
    let parts: Vec<&str> = numbers.split('.').collect();
    if parts.is_empty() || parts.len() > 3 {
        return None;
    }
    let number = |s: &str| -> Option<u64> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let major = number(parts[0])?;
    let minor = match parts.get(1) {
        Some(text) => Some(number(text)?),
        None => None,
    };
    let patch = match parts.get(2) {
        Some(text) => Some(number(text)?),
        None => None,
    };
    if (minor.is_none() || patch.is_none()) && !(pre.is_empty() && build.is_empty()) {
        return None;
    }
    Some(Boundary {
        major,
        minor,
        patch,
        pre,
        build,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allows(constraint: &str, version: &str) -> bool {
        let c = Constraints::parse(constraint).expect("constraint parses");
        c.allows(&Version::parse(version).expect("version parses"))
    }

    #[test]
    fn canonical_text_matches_terraform() {
        let mut c = Constraints::parse(">=3.0,<4, !=3.0.1").unwrap();
        assert_eq!(c.canonical(), ">= 3.0.0, != 3.0.1, < 4.0.0");
        c.extend(&Constraints::parse("~> 3.1.0").unwrap());
        assert_eq!(c.canonical(), ">= 3.0.0, != 3.0.1, ~> 3.1.0, < 4.0.0");
        assert_eq!(Constraints::parse("~> 3").unwrap().canonical(), "~> 3.0");
        assert_eq!(Constraints::parse("3.1.0").unwrap().canonical(), "3.1.0");
        assert_eq!(
            Constraints::parse(">= 2.0, >= 2.0.0, >= 2")
                .unwrap()
                .canonical(),
            ">= 2.0.0"
        );
        assert_eq!(Constraints::parse("").unwrap().canonical(), "");
    }

    #[test]
    fn matching() {
        assert!(allows("~> 3.0", "3.9.0"));
        assert!(!allows("~> 3.0", "4.0.0"));
        assert!(allows("~> 3.1.0", "3.1.9"));
        assert!(!allows("~> 3.1.0", "3.2.0"));
        assert!(allows("~> 3", "3.9.0"));
        assert!(allows("3", "3.9.0"));
        assert!(!allows("3.1", "3.2.0"));
        assert!(allows("> 3", "4.0.0"));
        assert!(!allows("> 3", "3.9.0"));
        assert!(allows("<= 3.1", "3.1.7"));
        assert!(!allows("!= 3.9.0", "3.9.0"));
        assert!(allows(">= 0.7.0, < 1.0.0", "0.12.1"));
        assert!(!allows("> 3.9.0-beta", "3.8.0"));
        assert!(allows("> 3.9.0-beta", "3.9.0"));
    }

    #[test]
    fn malformed_constraints_are_errors() {
        for bad in ["abc", ">= 1.2.3.4", "~>", "1.x", ">= 1,", "=> 1.0"] {
            assert!(Constraints::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tree_shape() {
        let mut grand = ModuleRequirements::default();
        grand.providers.insert(
            "registry.terraform.io/hashicorp/time".into(),
            Constraints::default(),
        );
        let mut child = ModuleRequirements::default();
        child.children.insert("grand".into(), grand);
        let mut root = ModuleRequirements::default();
        root.providers.insert(
            "registry.terraform.io/hashicorp/random".into(),
            Constraints::parse("~> 3.0").unwrap(),
        );
        root.children.insert("child".into(), child);
        root.children
            .insert("other".into(), ModuleRequirements::default());
        let state = BTreeSet::from(["registry.terraform.io/hashicorp/null".to_string()]);
        assert_eq!(
            render(&root, &state),
            "\nProviders required by configuration:\n.\n\
             ├── provider[registry.terraform.io/hashicorp/random] ~> 3.0\n\
             ├── module.child\n\
             │\u{a0}\u{a0} └── module.grand\n\
             │\u{a0}\u{a0}     └── provider[registry.terraform.io/hashicorp/time]\n\
             └── module.other\n\n\
             Providers required by state:\n\n    provider[registry.terraform.io/hashicorp/null]\n\n"
        );
    }
}
