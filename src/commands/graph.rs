//! `terrane graph [-type=plan|validate] [-format=dot|mermaid] [-draw-cycles]`: the
//! dependency graph Terraform 1.0 builds to plan (or validate) the configuration, drawn in
//! Graphviz DOT exactly as `terraform graph` draws it, or as a Mermaid flowchart.
//!
//! The graph has a node for every variable, local value, output, resource, data source,
//! used provider configuration and module call (its expansion and its closing) of every
//! module, plus Terraform's bookkeeping nodes (provider closing, the count boundary and the
//! root); each node points at what it must wait for. Once acyclic it is transitively
//! reduced, as Terraform reduces it. A cycle is an error naming its members, unless
//! `-draw-cycles` asks to see it (its edges in red).

use super::{check, cwd, load, parse_flags, use_color, CommandResult, Failure};
use crate::flags::Spec;
use hcl_edit::expr::{Expression, Traversal, TraversalOperator};
use hcl_edit::visit::{visit_traversal, Visit};
use hcl_edit::Span;
use petgraph::algo::tred::{dag_to_toposorted_adjacency_list, dag_transitive_reduction_closure};
use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{EdgeRef, IntoNeighbors};
use petgraph::Direction;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use terrane_engine::config::{Body, Expr, Module};
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::eval::expr::Reference;
use terrane_engine::eval::references::references;
use terrane_engine::plan::decode::iterator_name;
use terrane_engine::plan::{resource_provider, BUILTIN_PROVIDER};
use terrane_engine::provider::provider_address;

pub fn run(args: &[String]) -> CommandResult {
    let flags = parse_flags(
        args,
        &Spec {
            bools: &["draw-cycles", "no-color"],
            values: &["type", "format"],
        },
    )?;
    if !flags.positional.is_empty() {
        return Err(Failure::Message(
            "Too many command line arguments. Did you mean to use -chdir?".into(),
        ));
    }
    // Validate graphs name resources by address; plan graphs by their expansion node.
    let resource_suffix = match flags.value("type").unwrap_or("plan") {
        "plan" => " (expand)",
        "validate" => "",
        kind @ ("apply" | "plan-destroy") => {
            return Err(Failure::Message(format!(
                "terrane graph does not draw the {kind:?} graph: it depends on a saved plan or on the state, and terrane graph draws the configuration only. Use -type=plan or -type=validate."
            )))
        }
        other => {
            return Err(Failure::Message(format!(
                "Invalid graph type requested: {other}"
            )))
        }
    };
    let mermaid = match flags.value("format").unwrap_or("dot") {
        "dot" => false,
        "mermaid" => true,
        other => {
            return Err(Failure::Message(format!(
            "Invalid graph format requested: {other:?}. The format must be \"dot\" or \"mermaid\"."
        )))
        }
    };
    let color = use_color(flags.flag("no-color"));
    let loaded = load(&cwd());
    check(&loaded.sources, &loaded.diagnostics, color)?;

    let mut graph = DependencyGraph::build(&loaded.module, resource_suffix);
    let cycles = graph.cycles();
    if cycles.is_empty() {
        graph.reduce();
    } else if !flags.flag("draw-cycles") {
        let mut diags = Diagnostics::new();
        for cycle in &cycles {
            let members = graph.names(cycle).join(", ");
            diags.push(Diagnostic::error(format!("Cycle: {members}"), ""));
        }
        return Err(Failure::Diagnostics(Box::default(), diags, color));
    }
    let text = if mermaid {
        graph.mermaid(&cycles)
    } else {
        graph.dot(&cycles)
    };
    print!("{text}");
    Ok(0)
}

/// What a node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Variable,
    Local,
    Output,
    Resource,
    Provider,
    ProviderClose,
    ModuleExpand,
    ModuleClose,
    CountBoundary,
    Root,
}

/// How Terraform declares a node in DOT (only root variables and outputs, resources and
/// provider configurations are declared; other nodes appear in edges only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Note,
    Box,
    Diamond,
}

impl Shape {
    fn dot(self) -> &'static str {
        match self {
            Shape::Note => "note",
            Shape::Box => "box",
            Shape::Diamond => "diamond",
        }
    }
}

#[derive(Debug)]
struct Node {
    /// Terraform's name of the node, e.g. `module.a.null_resource.b (expand)`.
    name: String,
    kind: Kind,
    /// The module the node belongs to; for a module call's nodes, the called module.
    module: Vec<String>,
    /// The label and shape of nodes Terraform declares.
    drawn: Option<(String, Shape)>,
}

/// The graph: each edge goes from a node to one it waits for.
struct DependencyGraph(DiGraph<Node, ()>);

impl DependencyGraph {
    fn build(root: &Module, resource_suffix: &'static str) -> DependencyGraph {
        let mut builder = Builder {
            graph: DiGraph::new(),
            index: HashMap::new(),
            dependencies: Vec::new(),
            resource_suffix,
        };
        builder.add_module(&[root], &[]);
        builder.finish()
    }

    /// The strongly connected components of more than one node (a node's references to
    /// itself are not edges), each sorted by name, sorted.
    fn cycles(&self) -> Vec<Vec<NodeIndex>> {
        let mut cycles: Vec<Vec<NodeIndex>> = tarjan_scc(&self.0)
            .into_iter()
            .filter(|component| component.len() > 1)
            .map(|mut component| {
                component.sort_by(|&a, &b| self.0[a].name.cmp(&self.0[b].name));
                component
            })
            .collect();
        cycles.sort_by(|a, b| self.names(a).cmp(&self.names(b)));
        cycles
    }

    /// The names of `nodes`, in order.
    fn names(&self, nodes: &[NodeIndex]) -> Vec<&str> {
        nodes.iter().map(|&n| self.0[n].name.as_str()).collect()
    }

    /// Removes every edge that a longer path implies, as Terraform does once the graph is
    /// known to be acyclic (a cyclic graph is left as it is).
    fn reduce(&mut self) {
        let Ok(order) = toposort(&self.0, None) else {
            return;
        };
        let (sorted, _) = dag_to_toposorted_adjacency_list::<_, u32>(&self.0, &order);
        let (reduction, _) = dag_transitive_reduction_closure(&sorted);
        self.0.clear_edges();
        for from in reduction.node_indices() {
            for to in (&reduction).neighbors(from) {
                self.0
                    .add_edge(order[from as usize], order[to as usize], ());
            }
        }
    }

    /// The edges as (from, to, on a cycle), sorted by the names of their ends.
    fn edges(&self, cycles: &[Vec<NodeIndex>]) -> Vec<(&Node, &Node, bool)> {
        let component: HashMap<NodeIndex, usize> = cycles
            .iter()
            .enumerate()
            .flat_map(|(i, members)| members.iter().map(move |&n| (n, i)))
            .collect();
        let mut edges: Vec<(&Node, &Node, bool)> = self
            .0
            .edge_references()
            .map(|e| {
                let on_cycle = component
                    .get(&e.source())
                    .is_some_and(|c| component.get(&e.target()) == Some(c));
                (&self.0[e.source()], &self.0[e.target()], on_cycle)
            })
            .collect();
        edges.sort_by(|a, b| (&a.0.name, &a.1.name).cmp(&(&b.0.name, &b.1.name)));
        edges
    }

    fn sorted_nodes(&self) -> Vec<&Node> {
        let mut nodes: Vec<&Node> = self.0.node_weights().collect();
        nodes.sort_by(|a, b| a.name.cmp(&b.name));
        nodes
    }

    /// Graphviz DOT, as `terraform graph` writes it (cycle edges in red).
    fn dot(&self, cycles: &[Vec<NodeIndex>]) -> String {
        let mut out = String::from(
            "digraph {\n\tcompound = \"true\"\n\tnewrank = \"true\"\n\tsubgraph \"root\" {\n",
        );
        for node in self.sorted_nodes() {
            if let Some((label, shape)) = &node.drawn {
                out.push_str(&format!(
                    "\t\t\"[root] {}\" [label = \"{}\", shape = \"{}\"]\n",
                    dot_escape(&node.name),
                    dot_escape(label),
                    shape.dot()
                ));
            }
        }
        let mut lines: Vec<String> = self
            .edges(cycles)
            .into_iter()
            .map(|(from, to, on_cycle)| {
                format!(
                    "\"[root] {}\" -> \"[root] {}\"{}",
                    dot_escape(&from.name),
                    dot_escape(&to.name),
                    if on_cycle {
                        " [color = \"red\", penwidth = \"2.0\"]"
                    } else {
                        ""
                    }
                )
            })
            .collect();
        lines.sort();
        for line in lines {
            out.push_str(&format!("\t\t{line}\n"));
        }
        out.push_str("\t}\n}\n\n");
        out
    }

    /// A Mermaid flowchart: resources as boxes, providers as diamonds, root variables and
    /// outputs as flags, other nodes rounded; cycle edges in red.
    fn mermaid(&self, cycles: &[Vec<NodeIndex>]) -> String {
        let mut out = String::from("flowchart LR\n");
        let mut ids: HashMap<&str, String> = HashMap::new();
        let mut taken: HashSet<String> = HashSet::new();
        for node in self.sorted_nodes() {
            let id = unique_id(mermaid_id(&node.name), &mut taken);
            let (label, open, close) = match &node.drawn {
                Some((label, Shape::Box)) => (label.as_str(), "[", "]"),
                Some((label, Shape::Diamond)) => (label.as_str(), "{", "}"),
                Some((label, Shape::Note)) => (label.as_str(), ">", "]"),
                None => (node.name.as_str(), "(", ")"),
            };
            out.push_str(&format!(
                "    {id}{open}\"{}\"{close}\n",
                label.replace('"', "#quot;")
            ));
            ids.insert(&node.name, id);
        }
        let mut red = Vec::new();
        for (i, (from, to, on_cycle)) in self.edges(cycles).into_iter().enumerate() {
            out.push_str(&format!(
                "    {} --> {}\n",
                ids[from.name.as_str()],
                ids[to.name.as_str()]
            ));
            if on_cycle {
                red.push(i.to_string());
            }
        }
        if !red.is_empty() {
            out.push_str(&format!(
                "    linkStyle {} stroke:red,stroke-width:2px\n",
                red.join(",")
            ));
        }
        out
    }
}

/// Escapes a string for a double-quoted DOT identifier.
fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// A Mermaid node id from a node name: letters, digits and single underscores.
fn mermaid_id(name: &str) -> String {
    let mut id = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if !id.is_empty() && !id.ends_with('_') {
            id.push('_');
        }
    }
    while id.ends_with('_') {
        id.pop();
    }
    if id.is_empty() {
        id.push('n');
    }
    id
}

/// `id`, or `id_2`, `id_3`... when names sanitise alike.
fn unique_id(id: String, taken: &mut HashSet<String>) -> String {
    let mut candidate = id.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{id}_{n}");
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

/// A module and its path from the root: where an expression's names are resolved.
#[derive(Clone, Copy)]
struct Scope<'a> {
    module: &'a Module,
    path: &'a [String],
}

/// Collects nodes and dependencies (by node name) module by module, then connects them.
struct Builder {
    graph: DiGraph<Node, ()>,
    index: HashMap<String, NodeIndex>,
    /// (dependent, dependency) by node name; names of nothing (references to undeclared
    /// objects) are dropped when connecting.
    dependencies: Vec<(String, String)>,
    resource_suffix: &'static str,
}

impl Builder {
    fn add_node(&mut self, name: String, kind: Kind, module: &[String]) -> NodeIndex {
        if let Some(&existing) = self.index.get(&name) {
            return existing;
        }
        let index = self.graph.add_node(Node {
            name: name.clone(),
            kind,
            module: module.to_vec(),
            drawn: None,
        });
        self.index.insert(name, index);
        index
    }

    fn add_drawn(&mut self, name: String, kind: Kind, module: &[String], drawn: (String, Shape)) {
        let index = self.add_node(name, kind, module);
        self.graph[index].drawn = Some(drawn);
    }

    /// The nodes of a module and of its descendants; `chain` holds the modules from the
    /// root to this one, `path` the module call names leading to it.
    fn add_module(&mut self, chain: &[&Module], path: &[String]) {
        let Some(&module) = chain.last() else {
            return;
        };
        let scope = Scope { module, path };
        let prefix = module_prefix(path);
        for (name, variable) in &module.variables {
            let node = variable_name(path, name);
            if path.is_empty() {
                self.add_drawn(
                    node.clone(),
                    Kind::Variable,
                    path,
                    (node.clone(), Shape::Note),
                );
            } else {
                self.add_node(node.clone(), Kind::Variable, path);
            }
            for rule in &variable.validations {
                self.depend(&node, scope, &rule.condition, &[]);
                self.depend(&node, scope, &rule.error_message, &[]);
            }
        }
        for (name, local) in &module.locals {
            let node = format!("{prefix}local.{name} (expand)");
            self.add_node(node.clone(), Kind::Local, path);
            self.depend(&node, scope, &local.expr, &[]);
        }
        for (name, output) in &module.outputs {
            let node = output_name(path, name);
            if path.is_empty() {
                self.add_drawn(
                    node.clone(),
                    Kind::Output,
                    path,
                    (node.clone(), Shape::Note),
                );
            } else {
                self.add_node(node.clone(), Kind::Output, path);
            }
            self.depend(&node, scope, &output.value, &[]);
            for expr in &output.depends_on {
                self.depend(&node, scope, expr, &[]);
            }
            for rule in &output.preconditions {
                self.depend(&node, scope, &rule.condition, &[]);
                self.depend(&node, scope, &rule.error_message, &[]);
            }
        }
        for resource in module.resources.values() {
            let address = format!("{prefix}{}", resource.address());
            let node = format!("{address}{}", self.resource_suffix);
            self.add_drawn(node.clone(), Kind::Resource, path, (address, Shape::Box));
            let lifecycle = &resource.lifecycle;
            let exprs = resource
                .count
                .iter()
                .chain(&resource.for_each)
                .chain(&resource.depends_on)
                .chain(&lifecycle.replace_triggered_by);
            for expr in exprs {
                self.depend(&node, scope, expr, &[]);
            }
            for rule in lifecycle
                .preconditions
                .iter()
                .chain(&lifecycle.postconditions)
            {
                self.depend(&node, scope, &rule.condition, &[]);
                self.depend(&node, scope, &rule.error_message, &[]);
            }
            self.depend_on_body(&node, scope, &resource.config, &[]);
            let alias = resource.provider.as_ref().and_then(|(_, a)| a.as_deref());
            let provider =
                self.provider_for(chain, path, resource_provider(module, resource), alias);
            self.dependencies.push((node, provider));
        }
        for (name, call) in &module.module_calls {
            let child_path: Vec<String> = path.iter().chain([name]).cloned().collect();
            let call_name = module_call_name(&child_path);
            let expand = format!("{call_name} (expand)");
            self.add_node(expand.clone(), Kind::ModuleExpand, &child_path);
            self.add_node(
                format!("{call_name} (close)"),
                Kind::ModuleClose,
                &child_path,
            );
            for expr in call
                .count
                .iter()
                .chain(&call.for_each)
                .chain(&call.depends_on)
            {
                self.depend(&expand, scope, expr, &[]);
            }
            let Some(child) = &call.module else {
                continue;
            };
            let child_chain: Vec<&Module> = chain.iter().copied().chain([&**child]).collect();
            self.add_module(&child_chain, &child_path);
            for (argument, attribute) in &call.arguments {
                let variable = variable_name(&child_path, argument);
                self.depend(&variable, scope, &attribute.expr, &[]);
            }
        }
    }

    /// The provider configuration a resource of the module at `path` uses (creating its
    /// node): one configured in that module, else one the module call passes in its
    /// `providers`, else the calling module's (configurations are inherited), else at the
    /// root the empty configuration Terraform implies.
    fn provider_for(
        &mut self,
        chain: &[&Module],
        path: &[String],
        fqn: String,
        alias: Option<&str>,
    ) -> String {
        let Some((&module, ancestors)) = chain.split_last() else {
            return String::new();
        };
        let scope = Scope { module, path };
        let configured = module
            .providers
            .iter()
            .find(|p| provider_fqn(module, &p.name) == fqn && p.alias.as_deref() == alias);
        if let Some(config) = configured {
            return self.add_provider(scope, &fqn, alias, Some(&config.config));
        }
        let (Some((call_name, parent_path)), Some(&parent)) = (path.split_last(), ancestors.last())
        else {
            return self.add_provider(scope, &fqn, alias, None);
        };
        let passed = parent.module_calls.get(call_name).and_then(|call| {
            call.providers.iter().find_map(|(child_ref, parent_ref)| {
                let (local, child_alias) = split_provider_ref(child_ref);
                (provider_fqn(module, local) == fqn && child_alias == alias)
                    .then(|| split_provider_ref(parent_ref))
            })
        });
        match passed {
            Some((local, parent_alias)) => {
                let parent_fqn = provider_fqn(parent, local);
                self.provider_for(ancestors, parent_path, parent_fqn, parent_alias)
            }
            None => self.provider_for(ancestors, parent_path, fqn, alias),
        }
    }

    fn add_provider(
        &mut self,
        scope: Scope,
        fqn: &str,
        alias: Option<&str>,
        config: Option<&Body>,
    ) -> String {
        let alias = alias.map(|a| format!(".{a}")).unwrap_or_default();
        let name = format!("{}provider[\"{fqn}\"]{alias}", module_prefix(scope.path));
        if !self.index.contains_key(&name) {
            self.add_drawn(
                name.clone(),
                Kind::Provider,
                scope.path,
                (name.clone(), Shape::Diamond),
            );
            if let Some(body) = config {
                self.depend_on_body(&name, scope, body, &[]);
            }
        }
        name
    }

    /// Dependencies of a block body's arguments and nested blocks; a `dynamic` block's
    /// iterator is not a reference.
    fn depend_on_body(&mut self, node: &str, scope: Scope, body: &Body, ignore: &[&str]) {
        for attribute in body.attributes.values() {
            self.depend(node, scope, &attribute.expr, ignore);
        }
        for block in &body.blocks {
            if block.kind == "dynamic" {
                let iterator = iterator_name(block);
                let mut inner: Vec<&str> = ignore.to_vec();
                inner.push(&iterator);
                self.depend_on_body(node, scope, &block.body, &inner);
            } else {
                self.depend_on_body(node, scope, &block.body, ignore);
            }
        }
    }

    /// Records that `node` waits for whatever `expr` refers to.
    fn depend(&mut self, node: &str, scope: Scope, expr: &Expr, ignore: &[&str]) {
        // `references` names a module call only; the output a reference to it names is
        // found by the reference's span.
        let outputs = module_outputs_named(&expr.expr);
        let prefix = module_prefix(scope.path);
        for found in references(&expr.expr, ignore) {
            let targets = match found.reference {
                Reference::Var(name) => vec![variable_name(scope.path, name)],
                Reference::Local(name) => vec![format!("{prefix}local.{name} (expand)")],
                Reference::Resource { ty, name } => {
                    vec![format!("{prefix}{ty}.{name}{}", self.resource_suffix)]
                }
                Reference::Data { ty, name } => {
                    vec![format!("{prefix}data.{ty}.{name}{}", self.resource_suffix)]
                }
                Reference::Module(call) => {
                    let output = found.span.and_then(|span| outputs.get(&span));
                    module_reference_targets(scope, call, output.map(String::as_str))
                }
                _ => Vec::new(),
            };
            for target in targets {
                self.dependencies.push((node.to_string(), target));
            }
        }
    }

    fn connect(&mut self, from: NodeIndex, to: NodeIndex) {
        if from != to {
            self.graph.update_edge(from, to, ());
        }
    }

    fn connect_names(&mut self, from: &str, to: &str) {
        if let (Some(&from), Some(&to)) = (self.index.get(from), self.index.get(to)) {
            self.connect(from, to);
        }
    }

    /// Connects the recorded dependencies, then adds the edges and nodes Terraform's plan
    /// graph adds around them: module expansion and closing, provider closing, the count
    /// boundary and the root.
    fn finish(mut self) -> DependencyGraph {
        for (from, to) in std::mem::take(&mut self.dependencies) {
            self.connect_names(&from, &to);
        }

        // Everything in a module waits for its expansion; its closing waits for everything
        // in it, for its expansion and for the closing of the modules it contains.
        let nodes: Vec<NodeIndex> = self.graph.node_indices().collect();
        for &node in &nodes {
            let module = self.graph[node].module.clone();
            match self.graph[node].kind {
                Kind::ModuleClose => {
                    let call = module_call_name(&module);
                    self.connect_names(&format!("{call} (close)"), &format!("{call} (expand)"));
                    for &inner in &nodes {
                        let other = &self.graph[inner];
                        if other.kind == Kind::ModuleClose
                            && other.module.len() > module.len()
                            && other.module.starts_with(&module)
                        {
                            self.connect(node, inner);
                        }
                    }
                }
                kind => {
                    let scope = match kind {
                        Kind::ModuleExpand => &module[..module.len().saturating_sub(1)],
                        _ => &module[..],
                    };
                    if scope.is_empty() {
                        continue;
                    }
                    let call = module_call_name(scope);
                    let name = self.graph[node].name.clone();
                    self.connect_names(&name, &format!("{call} (expand)"));
                    self.connect_names(&format!("{call} (close)"), &name);
                }
            }
        }

        let boundary = self.add_node(
            "meta.count-boundary (EachMode fixup)".into(),
            Kind::CountBoundary,
            &[],
        );
        for &node in &nodes {
            self.connect(boundary, node);
        }

        // A provider's closing waits for the provider and every resource using it.
        for &provider in &nodes {
            if self.graph[provider].kind != Kind::Provider {
                continue;
            }
            let name = format!("{} (close)", self.graph[provider].name);
            let module = self.graph[provider].module.clone();
            let close = self.add_node(name, Kind::ProviderClose, &module);
            self.connect(close, provider);
            let users: Vec<NodeIndex> = self
                .graph
                .neighbors_directed(provider, Direction::Incoming)
                .filter(|&n| self.graph[n].kind == Kind::Resource)
                .collect();
            for user in users {
                self.connect(close, user);
            }
        }

        let root = self.add_node("root".into(), Kind::Root, &[]);
        let tops: Vec<NodeIndex> = self
            .graph
            .node_indices()
            .filter(|&n| {
                n != root
                    && self
                        .graph
                        .neighbors_directed(n, Direction::Incoming)
                        .next()
                        .is_none()
            })
            .collect();
        for top in tops {
            self.connect(root, top);
        }
        DependencyGraph(self.graph)
    }
}

/// What a reference to module call `call` of `scope` waits for: the output it names, or
/// for the whole module, its closing and every output.
fn module_reference_targets(scope: Scope, call: &str, output: Option<&str>) -> Vec<String> {
    let child_path: Vec<String> = scope
        .path
        .iter()
        .cloned()
        .chain([call.to_string()])
        .collect();
    if let Some(output) = output {
        return vec![output_name(&child_path, output)];
    }
    let mut targets = vec![format!("{} (close)", module_call_name(&child_path))];
    let child = scope
        .module
        .module_calls
        .get(call)
        .and_then(|c| c.module.as_ref());
    if let Some(child) = child {
        targets.extend(child.outputs.keys().map(|o| output_name(&child_path, o)));
    }
    targets
}

/// `module.a.module.b.` for the module at path `[a, b]`; empty at the root.
fn module_prefix(path: &[String]) -> String {
    path.iter().map(|call| format!("module.{call}.")).collect()
}

/// `module.a.module.b` for the module call at path `[a, b]`.
fn module_call_name(path: &[String]) -> String {
    let prefix = module_prefix(path);
    prefix.trim_end_matches('.').to_string()
}

fn variable_name(path: &[String], name: &str) -> String {
    if path.is_empty() {
        format!("var.{name}")
    } else {
        format!("{}var.{name} (expand)", module_prefix(path))
    }
}

fn output_name(path: &[String], name: &str) -> String {
    if path.is_empty() {
        format!("output.{name}")
    } else {
        format!("{}output.{name} (expand)", module_prefix(path))
    }
}

/// The provider address a module's local provider name stands for.
fn provider_fqn(module: &Module, local: &str) -> String {
    let source = module
        .terraform
        .required_providers
        .get(local)
        .and_then(|r| r.source.as_deref());
    if source.is_none() && local == "terraform" {
        return BUILTIN_PROVIDER.to_string();
    }
    provider_address(local, source)
}

/// `aws.west` as (`aws`, Some(`west`)), `aws` as (`aws`, None).
fn split_provider_ref(reference: &str) -> (&str, Option<&str>) {
    match reference.split_once('.') {
        Some((name, alias)) => (name, Some(alias)),
        None => (reference, None),
    }
}

/// The output each `module.NAME.OUTPUT` (or `module.NAME[KEY].OUTPUT`) reference of an
/// expression names, by the span of the reference; references to a whole module are absent.
fn module_outputs_named(expr: &Expression) -> HashMap<Range<usize>, String> {
    #[derive(Default)]
    struct Finder(HashMap<Range<usize>, String>);
    impl Visit for Finder {
        fn visit_traversal(&mut self, traversal: &Traversal) {
            let rooted_at_module =
                matches!(&traversal.expr, Expression::Variable(v) if v.as_str() == "module");
            if rooted_at_module {
                let attribute = |i: usize| match traversal.operators.get(i).map(|o| o.value()) {
                    Some(TraversalOperator::GetAttr(a)) => Some(a.as_str().to_string()),
                    _ => None,
                };
                let output = match traversal.operators.get(1).map(|o| o.value()) {
                    Some(TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_)) => {
                        attribute(2)
                    }
                    _ => attribute(1),
                };
                if let (Some(span), Some(output)) = (traversal.span(), output) {
                    self.0.insert(span, output);
                }
            }
            visit_traversal(self, traversal);
        }
    }
    let mut finder = Finder::default();
    finder.visit_expr(expr);
    finder.0
}
