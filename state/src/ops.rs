//! What the state commands do to a state, as Terraform does it: listing and looking up
//! resource instances by address, removing them, moving resources, instances and whole
//! modules, tainting, and checking that a pushed state may replace the current one.

use crate::address::{
    parse_target, AddressError, InstanceAddr, InstanceKey, Mode, ModuleInstance, ResourceAddr,
    Target,
};
use crate::{Instance, Resource, State};

/// The address of a resource in state.
pub fn resource_addr(resource: &Resource) -> Result<ResourceAddr, AddressError> {
    Ok(ResourceAddr {
        module: ModuleInstance::from_state(resource.module.as_deref())?,
        mode: Mode::from_state_str(&resource.mode),
        ty: resource.ty.clone(),
        name: resource.name.clone(),
    })
}

/// One move `state mv` made: the source and the destination as Terraform prints them.
pub type Moved = (String, String);

/// Why `state mv` refused: a diagnostic, or the plain "Error moving state" message
/// Terraform prints when a destination module exists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MoveError {
    Diagnostics(Vec<AddressError>),
    DestinationModuleExists,
}

/// Why `taint` or `untaint` refused; `Missing` is what `-allow-missing` forgives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaintError {
    Missing(AddressError),
    Refused(AddressError),
}

fn no_such_instance(detail: String) -> AddressError {
    AddressError::new("No such resource instance", detail)
}

impl State {
    /// No resources and no outputs, as Terraform's `State.Empty` says.
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty() && self.outputs.is_empty()
    }

    /// Sorts resources and instances as Terraform writes them: resources by module, mode,
    /// type and name; instances by key (numbers before strings), deposed objects after.
    pub fn normalize(&mut self) {
        self.resources.sort_by(|a, b| {
            let module = |r: &Resource| r.module.clone().unwrap_or_default();
            module(a)
                .cmp(&module(b))
                .then_with(|| a.mode.cmp(&b.mode))
                .then_with(|| a.ty.cmp(&b.ty))
                .then_with(|| a.name.cmp(&b.name))
        });
        for r in &mut self.resources {
            r.instances.sort_by(|a, b| {
                InstanceKey::from_json(a.index_key.as_ref())
                    .cmp(&InstanceKey::from_json(b.index_key.as_ref()))
                    .then_with(|| a.deposed.cmp(&b.deposed))
            });
        }
    }

    /// Whether two snapshots hold the same resources and outputs (serial, lineage and
    /// versions aside), as Terraform compares them before counting a new serial.
    pub fn same_content(&self, other: &State) -> bool {
        let mut a = self.clone();
        let mut b = other.clone();
        a.normalize();
        b.normalize();
        let sorted = |m: &serde_json::Map<String, serde_json::Value>| {
            let mut v: Vec<_> = m.iter().collect();
            v.sort_by(|x, y| x.0.cmp(y.0));
            serde_json::to_string(&v).unwrap_or_default()
        };
        a.resources == b.resources && sorted(&a.outputs) == sorted(&b.outputs)
    }

    fn resource_index(&self, addr: &ResourceAddr) -> Result<Option<usize>, AddressError> {
        for (i, r) in self.resources.iter().enumerate() {
            if r.ty == addr.ty
                && r.name == addr.name
                && Mode::from_state_str(&r.mode) == addr.mode
                && resource_addr(r)?.module == addr.module
            {
                return Ok(Some(i));
            }
        }
        Ok(None)
    }

    /// The resource at `addr`.
    pub fn resource(&self, addr: &ResourceAddr) -> Option<&Resource> {
        self.resource_index(addr)
            .ok()
            .flatten()
            .map(|i| &self.resources[i])
    }

    /// The objects of an instance: its current object (if any) and its deposed ones.
    pub fn instance_objects(&self, addr: &InstanceAddr) -> Vec<&Instance> {
        self.resource(&addr.resource)
            .map(|r| {
                r.instances
                    .iter()
                    .filter(|i| InstanceKey::from_json(i.index_key.as_ref()) == addr.key)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The current (not deposed) object of an instance.
    pub fn current_object(&self, addr: &InstanceAddr) -> Option<&Instance> {
        self.instance_objects(addr)
            .into_iter()
            .find(|i| i.deposed.is_none())
    }

    fn instances_of(r: &Resource, addr: &ResourceAddr) -> Vec<InstanceAddr> {
        let mut keys: Vec<InstanceKey> = r
            .instances
            .iter()
            .map(|i| InstanceKey::from_json(i.index_key.as_ref()))
            .collect();
        keys.sort();
        keys.dedup();
        keys.into_iter().map(|k| addr.instance(k)).collect()
    }

    /// Every resource instance, in the order `terraform state list` prints them.
    pub fn instance_addrs(&self) -> Result<Vec<InstanceAddr>, AddressError> {
        let mut out = Vec::new();
        for r in &self.resources {
            out.extend(Self::instances_of(r, &resource_addr(r)?));
        }
        out.sort();
        Ok(out)
    }

    /// The instances an address argument selects, sorted, with Terraform's errors for an
    /// address that selects nothing (unless `allow_missing`).
    pub fn lookup(
        &self,
        target: &Target,
        allow_missing: bool,
    ) -> Result<Vec<InstanceAddr>, AddressError> {
        let mut out = Vec::new();
        match target {
            Target::Module(m) => {
                let mut found = false;
                for r in &self.resources {
                    let addr = resource_addr(r)?;
                    if m.target_contains(&addr.module) {
                        found = true;
                        out.extend(Self::instances_of(r, &addr));
                    }
                }
                if !found && !allow_missing {
                    return Err(AddressError::new(
                        "Unknown module",
                        format!("The current state contains no module at {m}. If you've just added this module to the configuration, you must run \"terrane apply\" first to create the module's entry in the state."),
                    ));
                }
            }
            Target::Resource(addr) => match self.resource(addr) {
                Some(r) => out.extend(Self::instances_of(r, addr)),
                None if allow_missing => {}
                None => {
                    return Err(AddressError::new(
                        "Unknown resource",
                        format!("The current state contains no resource {addr}. If you've just added this resource to the configuration, you must run \"terrane apply\" first to create the resource's entry in the state."),
                    ))
                }
            },
            Target::Instance(addr) => {
                if !self.instance_objects(addr).is_empty() {
                    out.push(addr.clone());
                } else if !allow_missing {
                    return Err(AddressError::new(
                        "Unknown resource instance",
                        format!("The current state contains no resource instance {addr}. If you've just added its resource to the configuration or have changed the count or for_each arguments, you must run \"terrane apply\" first to update the resource's entry in the state."),
                    ));
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Removes every object of these instances, and resources left without instances.
    pub fn remove_instances(&mut self, addrs: &[InstanceAddr]) {
        for addr in addrs {
            if let Ok(Some(i)) = self.resource_index(&addr.resource) {
                let r = &mut self.resources[i];
                r.instances
                    .retain(|o| InstanceKey::from_json(o.index_key.as_ref()) != addr.key);
                if r.instances.is_empty() {
                    self.resources.remove(i);
                }
            }
        }
    }

    /// Marks an instance's current object tainted (or clears the mark), with Terraform's
    /// refusals.
    pub fn set_tainted(&mut self, addr: &InstanceAddr, tainted: bool) -> Result<(), TaintError> {
        if self.is_empty() {
            return Err(TaintError::Missing(no_such_instance(
                "The state currently contains no resource instances whatsoever. This may occur if the configuration has never been applied or if it has recently been destroyed.".into(),
            )));
        }
        let verb = if tainted { "tainted" } else { "untainted" };
        let objects = self.instance_objects(addr);
        if objects.is_empty() {
            return Err(TaintError::Missing(no_such_instance(format!(
                "There is no resource instance in the state with the address {addr}. If the resource configuration has just been added, you must run \"terrane apply\" once to create the corresponding instance(s) before they can be {verb}."
            ))));
        }
        if !objects.iter().any(|o| o.deposed.is_none()) {
            return Err(TaintError::Refused(no_such_instance(format!(
                "Resource instance {addr} is currently part-way through a create_before_destroy replacement action. Run \"terrane apply\" to complete its replacement before tainting it."
            ))));
        }
        let Ok(Some(ri)) = self.resource_index(&addr.resource) else {
            return Err(TaintError::Missing(no_such_instance(addr.to_string())));
        };
        let object = self.resources[ri]
            .instances
            .iter_mut()
            .find(|o| {
                o.deposed.is_none() && InstanceKey::from_json(o.index_key.as_ref()) == addr.key
            })
            .expect("a current object was found above");
        if !tainted && object.status.as_deref() != Some("tainted") {
            return Err(TaintError::Refused(AddressError::new(
                "Resource instance is not tainted",
                format!("Resource instance {addr} is not currently tainted, and so it cannot be untainted."),
            )));
        }
        object.status = tainted.then(|| "tainted".to_string());
        Ok(())
    }

    /// Moves what `from` names to `to`, as `terraform state mv` does: a whole module
    /// (with its descendants), a whole resource, or one instance (to another instance, or
    /// to a resource address meaning its instance without a key). With `dest`, the
    /// objects go to that other state. `to_text` is the destination as typed (Terraform
    /// echoes it for instance moves). Returns the moves made.
    pub fn move_target(
        &mut self,
        mut dest: Option<&mut State>,
        from: &Target,
        to: &Target,
        to_text: &str,
    ) -> Result<Vec<Moved>, MoveError> {
        let invalid_source = |detail: String| {
            MoveError::Diagnostics(vec![AddressError::new("Invalid source address", detail)])
        };
        let invalid_target = |detail: String| {
            MoveError::Diagnostics(vec![AddressError::new("Invalid target address", detail)])
        };
        let diag = |e: AddressError| MoveError::Diagnostics(vec![e]);
        let mut moved = Vec::new();
        match from {
            Target::Module(search) => {
                let mut sources: Vec<ModuleInstance> = Vec::new();
                for r in &self.resources {
                    let m = resource_addr(r).map_err(diag)?.module;
                    if search.is_prefix_of(&m) && !sources.contains(&m) {
                        sources.push(m);
                    }
                }
                sources.sort();
                if sources.is_empty() {
                    return Err(invalid_source(format!(
                        "Cannot move {from}: does not match anything in the current state."
                    )));
                }
                let Target::Module(to_module) = to else {
                    return Err(invalid_target(format!(
                        "Cannot move {} to {to}: the target must also be a module.",
                        sources[0]
                    )));
                };
                for source in sources {
                    let mut steps = to_module.0.clone();
                    steps.extend_from_slice(&source.0[search.0.len()..]);
                    let new_module = ModuleInstance(steps);
                    let target_state: &State = dest.as_deref().unwrap_or(self);
                    let exists = target_state.resources.iter().any(|r| {
                        resource_addr(r)
                            .map(|a| a.module == new_module)
                            .unwrap_or(false)
                    });
                    if exists {
                        return Err(MoveError::DestinationModuleExists);
                    }
                    let mut taken = Vec::new();
                    let mut kept = Vec::new();
                    for r in std::mem::take(&mut self.resources) {
                        if resource_addr(&r)
                            .map(|a| a.module == source)
                            .unwrap_or(false)
                        {
                            taken.push(r);
                        } else {
                            kept.push(r);
                        }
                    }
                    self.resources = kept;
                    for mut r in taken {
                        r.module = new_module.to_state();
                        match dest.as_deref_mut() {
                            Some(d) => d.resources.push(r),
                            None => self.resources.push(r),
                        }
                    }
                    moved.push((source.to_string(), new_module.to_string()));
                    let target_state: &mut State = match dest.as_deref_mut() {
                        Some(d) => d,
                        None => self,
                    };
                    target_state.forget_dependencies_on(|dep| {
                        source.0.iter().all(|s| s.key == InstanceKey::None)
                            && dep.module.0.len() >= source.0.len()
                            && source
                                .0
                                .iter()
                                .zip(&dep.module.0)
                                .all(|(a, b)| a.name == b.name)
                    });
                }
            }
            Target::Resource(addr) => {
                let Some(resource) = self.resource(addr) else {
                    return Err(invalid_source(format!(
                        "Cannot move {from}: does not match anything in the current state."
                    )));
                };
                let has_keyless = resource
                    .instances
                    .iter()
                    .any(|i| InstanceKey::from_json(i.index_key.as_ref()) == InstanceKey::None);
                if has_keyless {
                    let instance = Target::Instance(addr.instance(InstanceKey::None));
                    return self.move_target(dest, &instance, to, to_text);
                }
                let Target::Resource(to_addr) = to else {
                    return Err(invalid_target(format!(
                        "Cannot move {addr} to {to}: the source is a whole resource (not a resource instance) so the target must also be a whole resource."
                    )));
                };
                let mut problems = validate_resource_move(addr, to_addr);
                let target_state: &State = dest.as_deref().unwrap_or(self);
                if target_state.resource(to_addr).is_some() {
                    problems.push(AddressError::new(
                        "Invalid target address",
                        format!("Cannot move to {to_addr}: there is already a resource at that address in the current state."),
                    ));
                }
                if !problems.is_empty() {
                    return Err(MoveError::Diagnostics(problems));
                }
                let index = self
                    .resource_index(addr)
                    .map_err(diag)?
                    .expect("the resource was found above");
                let mut r = self.resources.remove(index);
                r.module = to_addr.module.to_state();
                r.mode = to_addr.mode.as_state_str().to_string();
                r.ty = to_addr.ty.clone();
                r.name = to_addr.name.clone();
                let target_state: &mut State = match dest.as_deref_mut() {
                    Some(d) => d,
                    None => self,
                };
                target_state.resources.push(r);
                moved.push((addr.to_string(), to_addr.to_string()));
                let config = addr.config_string();
                target_state.forget_dependencies_on(|dep| dep.config_string() == config);
            }
            Target::Instance(addr) => {
                let to_addr = match to {
                    Target::Instance(i) => i.clone(),
                    Target::Resource(r) => r.instance(InstanceKey::None),
                    Target::Module(_) => {
                        return Err(invalid_target(format!(
                        "Cannot move {addr} to {to}: the target must also be a resource instance."
                    )))
                    }
                };
                let mut problems = validate_resource_move(&addr.resource, &to_addr.resource);
                let target_state: &State = dest.as_deref().unwrap_or(self);
                if !target_state.instance_objects(&to_addr).is_empty() {
                    problems.push(AddressError::new(
                        "Invalid target address",
                        format!("Cannot move to {to_addr}: there is already a resource instance at that address in the current state."),
                    ));
                }
                let source_index = self.resource_index(&addr.resource).map_err(diag)?;
                if self.instance_objects(addr).is_empty() {
                    problems.push(AddressError::new(
                        "Invalid source address",
                        format!("The current state does not contain {addr}."),
                    ));
                }
                if !problems.is_empty() {
                    return Err(MoveError::Diagnostics(problems));
                }
                let source_index = source_index.expect("the instance was found above");
                let source = &mut self.resources[source_index];
                let provider = source.provider.clone();
                let mut objects = Vec::new();
                let mut kept = Vec::new();
                for o in std::mem::take(&mut source.instances) {
                    if InstanceKey::from_json(o.index_key.as_ref()) == addr.key {
                        objects.push(o);
                    } else {
                        kept.push(o);
                    }
                }
                source.instances = kept;
                if source.instances.is_empty() {
                    self.resources.remove(source_index);
                }
                let target_state: &mut State = match dest.as_deref_mut() {
                    Some(d) => d,
                    None => self,
                };
                let target_index = match target_state
                    .resource_index(&to_addr.resource)
                    .map_err(diag)?
                {
                    Some(i) => i,
                    None => {
                        target_state.resources.push(Resource {
                            module: to_addr.resource.module.to_state(),
                            mode: to_addr.resource.mode.as_state_str().to_string(),
                            ty: to_addr.resource.ty.clone(),
                            name: to_addr.resource.name.clone(),
                            each: to_addr.key.each_mode(),
                            provider,
                            instances: Vec::new(),
                        });
                        target_state.resources.len() - 1
                    }
                };
                for mut o in objects {
                    o.index_key = to_addr.key.to_json();
                    target_state.resources[target_index].instances.push(o);
                }
                moved.push((addr.to_string(), to_text.to_string()));
                let config = addr.resource.config_string();
                target_state.forget_dependencies_on(|dep| dep.config_string() == config);
            }
        }
        self.normalize();
        if let Some(d) = dest {
            d.normalize();
        }
        Ok(moved)
    }

    /// Clears the recorded dependencies of every current object that depends on something
    /// `matches` selects (Terraform does this after a move; the next apply records them
    /// again).
    fn forget_dependencies_on(&mut self, matches: impl Fn(&ResourceAddr) -> bool) {
        for r in &mut self.resources {
            for o in &mut r.instances {
                if o.deposed.is_some() {
                    continue;
                }
                let depends = o.dependencies.iter().any(|d| match parse_target(d) {
                    Ok(Target::Resource(dep)) => matches(&dep),
                    _ => false,
                });
                if depends {
                    o.dependencies.clear();
                }
            }
        }
    }
}

fn validate_resource_move(from: &ResourceAddr, to: &ResourceAddr) -> Vec<AddressError> {
    let mut problems = Vec::new();
    let request = |detail: String| AddressError::new("Invalid state move request", detail);
    if from.mode != to.mode {
        problems.push(request(match from.mode {
            Mode::Managed => format!("Cannot move {from} to {to}: a managed resource can be moved only to another managed resource address."),
            Mode::Data => format!("Cannot move {from} to {to}: a data resource can be moved only to another data resource address."),
        }));
    }
    if from.ty != to.ty {
        problems.push(request(format!(
            "Cannot move {from} to {to}: resource types don't match."
        )));
    }
    problems
}

/// Whether `pushed` may replace `existing`, as `terraform state push` checks it without
/// `-force`: the same lineage and a newer serial (or the same serial and content); an
/// empty or absent current state, or one without a lineage, accepts anything.
pub fn check_push(pushed: &State, existing: Option<&State>) -> Result<(), String> {
    let Some(existing) = existing.filter(|e| !e.is_empty()) else {
        return Ok(());
    };
    if pushed.lineage.is_empty() || existing.lineage.is_empty() {
        return Ok(());
    }
    if pushed.lineage != existing.lineage {
        return Err(format!(
            "cannot import state with lineage {:?} over unrelated state with lineage {:?}",
            pushed.lineage, existing.lineage
        ));
    }
    match pushed.serial.cmp(&existing.serial) {
        std::cmp::Ordering::Greater => Ok(()),
        std::cmp::Ordering::Less => Err(format!(
            "cannot import state with serial {} over newer state with serial {}",
            pushed.serial, existing.serial
        )),
        std::cmp::Ordering::Equal if pushed.same_content(existing) => Ok(()),
        std::cmp::Ordering::Equal => Err(format!(
            "cannot overwrite existing state with serial {} with a different state that has the same serial",
            pushed.serial
        )),
    }
}

/// The snapshot `state push` writes: the pushed state with its lineage, and its serial
/// counted up when its content differs from the current state's (as Terraform does).
pub fn pushed_snapshot(pushed: &State, existing: Option<&State>) -> State {
    let mut out = pushed.clone();
    if existing.is_none_or(|e| !pushed.same_content(e)) {
        out.serial += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::{parse_instance, parse_target};
    use serde_json::json;

    /// The state used for the `terraform state` checks against Terraform 1.0.3.
    fn sample() -> State {
        let provider = "provider[\"registry.terraform.io/hashicorp/null\"]";
        let inst = |key: Option<serde_json::Value>, id: &str| Instance {
            index_key: key,
            status: None,
            deposed: None,
            schema_version: 0,
            attributes: json!({"id": id, "triggers": null}),
            sensitive_attributes: vec![],
            private: None,
            dependencies: vec![],
            create_before_destroy: false,
        };
        let res =
            |module: Option<&str>, mode: &str, ty: &str, name: &str, i: Vec<Instance>| Resource {
                module: module.map(String::from),
                mode: mode.into(),
                ty: ty.into(),
                name: name.into(),
                each: None,
                provider: provider.into(),
                instances: i,
            };
        let mut s = State::new("1.0.3");
        s.serial = 3;
        s.resources = vec![
            res(
                None,
                "managed",
                "null_resource",
                "b",
                vec![inst(None, "111")],
            ),
            res(
                None,
                "data",
                "null_data_source",
                "d",
                vec![inst(None, "static")],
            ),
            res(
                None,
                "managed",
                "null_resource",
                "a",
                vec![
                    inst(Some(json!(10)), "10"),
                    inst(Some(json!(2)), "2"),
                    inst(Some(json!(0)), "0"),
                ],
            ),
            res(
                Some("module.m[\"k\"]"),
                "managed",
                "null_resource",
                "c",
                vec![
                    inst(Some(json!("z")), "z1"),
                    inst(Some(json!("a\"q")), "a1"),
                ],
            ),
            res(
                Some("module.b"),
                "managed",
                "aaa",
                "c",
                vec![inst(None, "111")],
            ),
            res(
                Some("module.b.module.c"),
                "managed",
                "aaa",
                "c",
                vec![inst(None, "1")],
            ),
        ];
        s
    }

    fn strings(v: &[InstanceAddr]) -> Vec<String> {
        v.iter().map(|a| a.to_string()).collect()
    }

    fn listed(s: &State) -> Vec<String> {
        strings(&s.instance_addrs().unwrap())
    }

    #[test]
    fn lookups_as_state_list_does() {
        let s = sample();
        let look = |a: &str| s.lookup(&parse_target(a).unwrap(), false);
        assert_eq!(
            strings(&look("module.b").unwrap()),
            ["module.b.aaa.c", "module.b.module.c.aaa.c"]
        );
        assert_eq!(
            strings(&look("module.m").unwrap()),
            [
                r#"module.m["k"].null_resource.c["a\"q"]"#,
                r#"module.m["k"].null_resource.c["z"]"#
            ]
        );
        assert_eq!(
            strings(&look("null_resource.a").unwrap()),
            [
                "null_resource.a[0]",
                "null_resource.a[2]",
                "null_resource.a[10]"
            ]
        );
        assert_eq!(look("nope.x").unwrap_err().summary, "Unknown resource");
        assert_eq!(look("module.zz").unwrap_err().summary, "Unknown module");
        assert_eq!(
            look("null_resource.a[7]").unwrap_err().summary,
            "Unknown resource instance"
        );
        // A keyed module step must match exactly for a resource address.
        assert!(look("module.b[0].aaa.c").is_err());
    }

    #[test]
    fn remove_instances_and_empty_resources() {
        let mut s = sample();
        let addrs = [
            parse_instance("null_resource.b").unwrap(),
            parse_instance("null_resource.a[2]").unwrap(),
        ];
        s.remove_instances(&addrs);
        assert_eq!(
            listed(&s),
            [
                "data.null_data_source.d",
                "null_resource.a[0]",
                "null_resource.a[10]",
                "module.b.aaa.c",
                r#"module.m["k"].null_resource.c["a\"q"]"#,
                r#"module.m["k"].null_resource.c["z"]"#,
                "module.b.module.c.aaa.c",
            ]
        );
        assert!(s.resources.iter().all(|r| r.name != "b"));
    }

    fn mv(s: &mut State, from: &str, to: &str) -> Result<Vec<Moved>, MoveError> {
        s.move_target(
            None,
            &parse_target(from).unwrap(),
            &parse_target(to).unwrap(),
            to,
        )
    }

    #[test]
    fn moves_as_terraform_does() {
        // Outputs and refusals checked against `terraform state mv` (1.0.3).
        let mut s = sample();
        assert_eq!(
            mv(&mut s, "null_resource.a[0]", "null_resource.x").unwrap(),
            [(
                "null_resource.a[0]".to_string(),
                "null_resource.x".to_string()
            )]
        );
        assert_eq!(
            mv(&mut s, "module.b", "module.q").unwrap(),
            [
                ("module.b".to_string(), "module.q".to_string()),
                (
                    "module.b.module.c".to_string(),
                    "module.q.module.c".to_string()
                )
            ]
        );
        assert_eq!(
            mv(&mut s, "module.q", r#"module.m["k"]"#),
            Err(MoveError::DestinationModuleExists)
        );
        let Err(MoveError::Diagnostics(d)) = mv(&mut s, "null_resource.a", "null_resource.x")
        else {
            panic!("expected a refusal")
        };
        assert_eq!(d[0].detail, "Cannot move to null_resource.x: there is already a resource at that address in the current state.");
        let Err(MoveError::Diagnostics(d)) = mv(&mut s, "null_resource.a", "data.null_resource.z")
        else {
            panic!("expected a refusal")
        };
        assert_eq!(d[0].summary, "Invalid state move request");
        assert_eq!(d[0].detail, "Cannot move null_resource.a to data.null_resource.z: a managed resource can be moved only to another managed resource address.");
        let Err(MoveError::Diagnostics(d)) = mv(&mut s, "nope.a", "nope.b") else {
            panic!("expected a refusal")
        };
        assert_eq!(
            d[0].detail,
            "Cannot move nope.a: does not match anything in the current state."
        );
        assert_eq!(
            listed(&s),
            [
                "data.null_data_source.d",
                "null_resource.a[2]",
                "null_resource.a[10]",
                "null_resource.b",
                "null_resource.x",
                r#"module.m["k"].null_resource.c["a\"q"]"#,
                r#"module.m["k"].null_resource.c["z"]"#,
                "module.q.aaa.c",
                "module.q.module.c.aaa.c",
            ]
        );
        // A whole resource keeps its instances; a keyless one moves as its instance.
        mv(&mut s, "null_resource.a", "null_resource.y").unwrap();
        assert!(listed(&s).contains(&"null_resource.y[10]".to_string()));
        assert_eq!(
            mv(&mut s, "null_resource.b", "module.n.null_resource.b").unwrap(),
            [(
                "null_resource.b".to_string(),
                "module.n.null_resource.b".to_string()
            )]
        );
        mv(&mut s, "null_resource.y[2]", r#"null_resource.z["two"]"#).unwrap();
        let z = s
            .resource(&match parse_target("null_resource.z").unwrap() {
                Target::Resource(r) => r,
                _ => unreachable!(),
            })
            .unwrap();
        assert_eq!(z.each.as_deref(), Some("map"));
        assert_eq!(z.instances[0].index_key, Some(json!("two")));
    }

    #[test]
    fn moves_to_another_state_and_forgets_dependencies() {
        let mut from = sample();
        from.resources[1].instances[0].dependencies = vec!["null_resource.b".into()];
        let mut to = State::new("1.0.3");
        from.move_target(
            Some(&mut to),
            &parse_target("null_resource.b").unwrap(),
            &parse_target("null_resource.b").unwrap(),
            "null_resource.b",
        )
        .unwrap();
        assert_eq!(listed(&to), ["null_resource.b"]);
        assert!(!listed(&from).contains(&"null_resource.b".to_string()));

        let mut s = sample();
        s.resources[0].instances[0].dependencies = vec!["module.b.aaa.c".into()];
        mv(&mut s, "module.b", "module.z").unwrap();
        let b = s.resources.iter().find(|r| r.name == "b").unwrap();
        assert!(b.instances[0].dependencies.is_empty());
    }

    #[test]
    fn taint_and_untaint() {
        let mut s = sample();
        let a0 = parse_instance("null_resource.a[0]").unwrap();
        assert!(matches!(
            s.set_tainted(&a0, false),
            Err(TaintError::Refused(e)) if e.summary == "Resource instance is not tainted"
        ));
        s.set_tainted(&a0, true).unwrap();
        assert_eq!(
            s.current_object(&a0).unwrap().status.as_deref(),
            Some("tainted")
        );
        s.set_tainted(&a0, false).unwrap();
        assert_eq!(s.current_object(&a0).unwrap().status, None);
        let missing = parse_instance("null_resource.a[5]").unwrap();
        assert!(matches!(
            s.set_tainted(&missing, true),
            Err(TaintError::Missing(_))
        ));
        assert!(matches!(
            State::new("1").set_tainted(&a0, true),
            Err(TaintError::Missing(e)) if e.detail.starts_with("The state currently contains no resource instances")
        ));
    }

    #[test]
    fn push_refusals() {
        // Messages checked against `terraform state push` (1.0.3).
        let existing = sample();
        let mut older = existing.clone();
        older.serial = 2;
        assert_eq!(
            check_push(&older, Some(&existing)),
            Err("cannot import state with serial 2 over newer state with serial 3".into())
        );
        let mut other = existing.clone();
        other.lineage = "other".into();
        other.serial = 9;
        assert_eq!(
            check_push(&other, Some(&existing)),
            Err(format!(
                "cannot import state with lineage \"other\" over unrelated state with lineage {:?}",
                existing.lineage
            ))
        );
        let mut same_serial = existing.clone();
        same_serial.resources.pop();
        assert_eq!(
            check_push(&same_serial, Some(&existing)),
            Err("cannot overwrite existing state with serial 3 with a different state that has the same serial".into())
        );
        assert_eq!(check_push(&existing.clone(), Some(&existing)), Ok(()));
        assert_eq!(check_push(&other, None), Ok(()));
        assert_eq!(check_push(&other, Some(&State::new("1"))), Ok(()));
        // Terraform's result serials: 7 over a different 3 gives 8; equal content keeps it.
        let mut newer = same_serial.clone();
        newer.serial = 7;
        assert_eq!(check_push(&newer, Some(&existing)), Ok(()));
        assert_eq!(pushed_snapshot(&newer, Some(&existing)).serial, 8);
        assert_eq!(pushed_snapshot(&existing, Some(&existing)).serial, 3);
    }
}
