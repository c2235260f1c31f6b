//! Which arguments and nested blocks each kind of block accepts: used to report unexpected
//! content, and to tell blocks from arguments in JSON files, where both are JSON properties.

/// The kinds of block body the loader knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum BodyKind {
    File,
    Terraform,
    RequiredProviders,
    Variable,
    Condition,
    Locals,
    Output,
    Provider,
    Resource,
    Data,
    Lifecycle,
    Provisioner,
    Dynamic,
    Module,
    Moved,
    Import,
    Removed,
    RemovedLifecycle,
    Check,
    /// A body interpreted by someone else (a provider or backend schema).
    Opaque,
}

/// A nested block type and the names of its labels.
#[derive(Clone, Copy, Debug)]
pub(super) struct BlockSpec {
    pub kind: &'static str,
    pub labels: &'static [&'static str],
    pub body: BodyKind,
}

/// What a body accepts.
#[derive(Clone, Copy, Debug)]
pub(super) struct Schema {
    pub attrs: &'static [&'static str],
    pub required: &'static [&'static str],
    pub blocks: &'static [BlockSpec],
    /// Other arguments and blocks are allowed (kept for a provider's schema).
    pub open: bool,
    /// Any argument is allowed, and no block (`locals`, `required_providers`, module calls).
    pub just_attributes: bool,
}

const fn spec(kind: &'static str, labels: &'static [&'static str], body: BodyKind) -> BlockSpec {
    BlockSpec { kind, labels, body }
}

const fn closed(
    attrs: &'static [&'static str],
    required: &'static [&'static str],
    blocks: &'static [BlockSpec],
) -> Schema {
    Schema {
        attrs,
        required,
        blocks,
        open: false,
        just_attributes: false,
    }
}

const CONDITION: &[&str] = &["condition", "error_message"];
const DYNAMIC: BlockSpec = spec("dynamic", &["type"], BodyKind::Dynamic);

/// Evaluates a schema at compile time, so that its slices live forever.
macro_rules! fixed {
    ($e:expr) => {{
        const SCHEMA: Schema = $e;
        SCHEMA
    }};
}

pub(super) fn schema(kind: BodyKind) -> Schema {
    use BodyKind as K;
    const JUST_ATTRIBUTES: Schema = Schema {
        just_attributes: true,
        ..closed(&[], &[], &[])
    };
    match kind {
        K::File => fixed!(closed(
            &[],
            &[],
            &[
                spec("terraform", &[], K::Terraform),
                spec("variable", &["name"], K::Variable),
                spec("locals", &[], K::Locals),
                spec("output", &["name"], K::Output),
                spec("provider", &["name"], K::Provider),
                spec("resource", &["type", "name"], K::Resource),
                spec("data", &["type", "name"], K::Data),
                spec("module", &["name"], K::Module),
                spec("moved", &[], K::Moved),
                spec("import", &[], K::Import),
                spec("removed", &[], K::Removed),
                spec("check", &["name"], K::Check),
            ],
        )),
        K::Terraform => fixed!(closed(
            &["required_version", "experiments"],
            &[],
            &[
                spec("required_providers", &[], K::RequiredProviders),
                spec("backend", &["type"], K::Opaque),
                spec("cloud", &[], K::Opaque),
                spec("provider_meta", &["provider"], K::Opaque),
            ],
        )),
        K::RequiredProviders | K::Locals => JUST_ATTRIBUTES,
        K::Module => fixed!(Schema {
            attrs: &[
                "source",
                "version",
                "count",
                "for_each",
                "providers",
                "depends_on"
            ],
            required: &["source"],
            ..JUST_ATTRIBUTES
        }),
        K::Variable => fixed!(closed(
            &[
                "description",
                "default",
                "type",
                "sensitive",
                "nullable",
                "ephemeral"
            ],
            &[],
            &[spec("validation", &[], K::Condition)],
        )),
        K::Condition => fixed!(closed(CONDITION, CONDITION, &[])),
        K::Output => fixed!(closed(
            &[
                "value",
                "description",
                "sensitive",
                "depends_on",
                "ephemeral"
            ],
            &["value"],
            &[spec("precondition", &[], K::Condition)],
        )),
        K::Provider => fixed!(Schema {
            open: true,
            ..closed(&["alias", "version"], &[], &[DYNAMIC])
        }),
        K::Resource => fixed!(Schema {
            open: true,
            ..closed(
                &["count", "for_each", "provider", "depends_on"],
                &[],
                &[
                    spec("lifecycle", &[], K::Lifecycle),
                    spec("connection", &[], K::Opaque),
                    spec("provisioner", &["type"], K::Provisioner),
                    DYNAMIC,
                ],
            )
        }),
        K::Data => fixed!(Schema {
            open: true,
            ..closed(
                &["count", "for_each", "provider", "depends_on"],
                &[],
                &[spec("lifecycle", &[], K::Lifecycle), DYNAMIC],
            )
        }),
        K::Lifecycle => fixed!(closed(
            &[
                "create_before_destroy",
                "prevent_destroy",
                "ignore_changes",
                "replace_triggered_by"
            ],
            &[],
            &[
                spec("precondition", &[], K::Condition),
                spec("postcondition", &[], K::Condition)
            ],
        )),
        K::Provisioner => fixed!(Schema {
            open: true,
            ..closed(
                &["when", "on_failure"],
                &[],
                &[spec("connection", &[], K::Opaque), DYNAMIC]
            )
        }),
        K::Dynamic => fixed!(closed(
            &["for_each", "iterator", "labels"],
            &["for_each"],
            &[spec("content", &[], K::Opaque)],
        )),
        K::Moved => fixed!(closed(&["from", "to"], &["from", "to"], &[])),
        K::Import => fixed!(closed(
            &["to", "id", "for_each", "provider"],
            &["to", "id"],
            &[]
        )),
        K::Removed => fixed!(closed(
            &["from"],
            &["from"],
            &[
                spec("lifecycle", &[], K::RemovedLifecycle),
                spec("connection", &[], K::Opaque),
                spec("provisioner", &["type"], K::Provisioner),
            ],
        )),
        K::RemovedLifecycle => fixed!(closed(&["destroy"], &[], &[])),
        K::Check => fixed!(closed(
            &[],
            &[],
            &[
                spec("data", &["type", "name"], K::Data),
                spec("assert", &[], K::Condition)
            ],
        )),
        K::Opaque => fixed!(Schema {
            open: true,
            ..closed(&[], &[], &[DYNAMIC])
        }),
    }
}

/// How a JSON string is read where an expression is expected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ExprMode {
    /// As a string template (`"${var.x}"` interpolates).
    Template,
    /// As the text of an expression: type constraints and references (`"aws_instance.x"`),
    /// at any depth of the value.
    Expression,
    /// A `required_providers` entry: an object whose `configuration_aliases` are references.
    RequiredProvider,
}

/// How the JSON value of an argument is read.
pub(super) fn expr_mode(kind: BodyKind, attr: &str) -> ExprMode {
    use BodyKind as K;
    match (kind, attr) {
        (K::Variable, "type")
        | (K::Resource | K::Data | K::Output | K::Module, "depends_on")
        | (K::Resource | K::Data | K::Import, "provider")
        | (K::Lifecycle, "ignore_changes" | "replace_triggered_by")
        | (K::Module, "providers")
        | (K::Moved, "from" | "to")
        | (K::Removed, "from")
        | (K::Import, "to")
        | (K::Terraform, "experiments") => ExprMode::Expression,
        (K::RequiredProviders, _) => ExprMode::RequiredProvider,
        _ => ExprMode::Template,
    }
}

/// The closest of `candidates` to `given`, as Terraform suggests names ("Did you mean").
pub(super) fn suggestion<'a>(given: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (levenshtein(given, c), *c))
        .filter(|(d, _)| *d < 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names() {
        assert_eq!(
            suggestion("varable", &["variable", "output"]),
            Some("variable")
        );
        assert_eq!(
            suggestion("create_befor_destroy", &["create_before_destroy"]),
            Some("create_before_destroy")
        );
        assert_eq!(suggestion("zzz", &["variable"]), None);
    }
}
