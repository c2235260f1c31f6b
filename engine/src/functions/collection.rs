//! Built-in functions: collection family (`alltrue`, `anytrue`, `chunklist`, `coalesce`,
//! `coalescelist`, `compact`, `concat`, `contains`, `distinct`, `element`, `flatten`,
//! `index`, `keys`, `length`, `lookup`, `matchkeys`, `merge`, `one`, `range`, `reverse`,
//! `setintersection`, `setproduct`, `setsubtract`, `setunion`, `slice`, `sort`, `sum`,
//! `transpose`, `values`, `zipmap`).
//!
//! Each function follows cty's specification of it: its result type (list or tuple, map or
//! object) is worked out from the argument types first, so that type errors are reported
//! even when values are unknown. Where a function can work on partly known values, its
//! parameters take unknown values and the function applies cty's rule itself: an argument
//! that is unknown at its top level makes the result unknown, while known collections with
//! unknown elements are worked on (`length` of a list of unknowns is known). Functions that take marked values keep the marks of elements
//! where they are and carry top-level marks to the result.

use super::numeric::{number_of, whole_int};
use super::string::{go_quote, grapheme_count};
use super::{bool_return, number_return, FnContext, FnError, FnResult, Param, Registry};
use crate::convert::{convert, unify};
use crate::number::Number;
use crate::value::{Type, Value};
use std::collections::BTreeMap;

pub(super) fn register(r: &mut Registry) {
    // These parameters take unknown values: the functions check them as cty does.
    let any = |name| Param::new(name, Type::Dynamic).allow_unknown();
    let list_of = |name, ty| Param::new(name, Type::list(ty)).allow_unknown();

    r.add(
        "alltrue",
        vec![list_of("list", Type::Bool)],
        bool_return,
        alltrue,
    );
    r.add(
        "anytrue",
        vec![list_of("list", Type::Bool)],
        bool_return,
        anytrue,
    );
    r.add(
        "chunklist",
        vec![
            list_of("list", Type::Dynamic).allow_marked(),
            Param::new("size", Type::Number)
                .allow_unknown()
                .allow_marked(),
        ],
        |a| Type::list(a[0].ty()),
        chunklist,
    );
    r.add_variadic(
        "coalesce",
        vec![],
        any("vals").allow_null(),
        |a| coalesce_type(a).unwrap_or(Type::Dynamic),
        coalesce,
    );
    r.add_variadic(
        "coalescelist",
        vec![],
        any("vals").allow_null(),
        |a| coalescelist_type(a).unwrap_or(Type::Dynamic),
        coalescelist,
    );
    r.add(
        "compact",
        vec![Param::new("list", Type::list(Type::String))],
        |_| Type::list(Type::String),
        compact,
    );
    r.add_variadic(
        "concat",
        vec![],
        any("seqs").allow_marked(),
        |a| concat_type(a).unwrap_or(Type::Dynamic),
        concat,
    );
    r.add(
        "contains",
        vec![any("list"), any("value")],
        bool_return,
        contains,
    );
    r.add(
        "distinct",
        vec![Param::new("list", Type::list(Type::Dynamic))],
        |a| a[0].ty(),
        distinct,
    );
    r.add(
        "element",
        vec![
            any("list").allow_marked(),
            Param::new("index", Type::Number),
        ],
        |a| element_type(a).unwrap_or(Type::Dynamic),
        element,
    );
    r.add(
        "flatten",
        vec![any("list").allow_marked()],
        |a| flatten_type(a).unwrap_or(Type::Dynamic),
        flatten,
    );
    r.add(
        "index",
        vec![any("list"), any("value")],
        number_return,
        index,
    );
    r.add(
        "keys",
        vec![any("inputMap").allow_marked()],
        |a| keys_type(a).unwrap_or(Type::Dynamic),
        keys,
    );
    r.add(
        "length",
        vec![any("value").allow_marked()],
        number_return,
        length,
    );
    r.add_variadic(
        "lookup",
        vec![
            any("inputMap").allow_marked(),
            Param::new("key", Type::String)
                .allow_unknown()
                .allow_marked(),
        ],
        any("default").allow_null().allow_marked(),
        |a| lookup_type(a).unwrap_or(Type::Dynamic),
        lookup,
    );
    r.add(
        "matchkeys",
        vec![
            list_of("values", Type::Dynamic),
            list_of("keys", Type::Dynamic),
            list_of("searchset", Type::Dynamic),
        ],
        |a| matchkeys_type(a).unwrap_or(Type::Dynamic),
        matchkeys,
    );
    r.add_variadic(
        "merge",
        vec![],
        any("maps").allow_null().allow_marked(),
        |a| merge_type(a).unwrap_or(Type::Dynamic),
        merge,
    );
    r.add(
        "one",
        vec![any("list")],
        |a| one_type(a).unwrap_or(Type::Dynamic),
        one,
    );
    r.add_variadic(
        "range",
        vec![],
        Param::new("params", Type::Number),
        |_| Type::list(Type::Number),
        range,
    );
    r.add(
        "reverse",
        vec![any("list").allow_marked()],
        |a| reverse_type(a).unwrap_or(Type::Dynamic),
        reverse,
    );
    let set = |name| Param::new(name, Type::set(Type::Dynamic)).allow_unknown();
    let set_type = |a: &[Value]| set_operation_type(a).unwrap_or(Type::Dynamic);
    r.add_variadic(
        "setintersection",
        vec![set("first_set")],
        set("other_sets"),
        set_type,
        |_, a| set_operation(a, SetOperation::Intersection),
    );
    r.add("setsubtract", vec![set("a"), set("b")], set_type, |_, a| {
        set_operation(a, SetOperation::Subtract)
    });
    r.add_variadic(
        "setunion",
        vec![set("first_set")],
        set("other_sets"),
        set_type,
        |_, a| set_operation(a, SetOperation::Union),
    );
    r.add_variadic(
        "setproduct",
        vec![],
        any("sets").allow_marked(),
        |a| setproduct_type(a).unwrap_or(Type::Dynamic),
        setproduct,
    );
    r.add(
        "slice",
        vec![
            any("list").allow_marked(),
            Param::new("start_index", Type::Number),
            Param::new("end_index", Type::Number),
        ],
        |a| slice_type(a).unwrap_or(Type::Dynamic),
        slice,
    );
    r.add(
        "sort",
        vec![Param::new("list", Type::list(Type::String))],
        |_| Type::list(Type::String),
        sort,
    );
    r.add("sum", vec![any("list")], number_return, sum);
    r.add(
        "transpose",
        vec![Param::new("values", Type::map(Type::list(Type::String)))],
        |_| Type::map(Type::list(Type::String)),
        transpose,
    );
    r.add(
        "values",
        vec![any("values").allow_marked()],
        |a| values_type(a).unwrap_or(Type::Dynamic),
        values,
    );
    r.add(
        "zipmap",
        vec![
            list_of("keys", Type::String).allow_marked(),
            any("values").allow_marked(),
        ],
        |a| zipmap_type(a).unwrap_or(Type::Dynamic),
        zipmap,
    );
}

type TypeResult = Result<Type, FnError>;

/// Whether any of the values is unknown at its top level (cty's rule for parameters that do
/// not take unknown values).
fn any_unknown(args: &[Value]) -> bool {
    args.iter().any(|a| !a.is_known())
}

/// Whether any of the values is of a type not known yet (cty then gives up on the result
/// type for parameters that do not take such values).
fn any_dynamic(args: &[Value]) -> bool {
    args.iter().any(|a| a.ty() == Type::Dynamic)
}

/// Whether any of the values is marked sensitive at its top level.
fn any_marked(args: &[Value]) -> bool {
    args.iter().any(Value::is_sensitive)
}

/// An unknown result, marked when any of `marked_args` is.
fn unknown(ty: Type, marked_args: &[Value]) -> FnResult {
    Ok(Value::Unknown(ty).mark_if(any_marked(marked_args)))
}

/// The elements of a list, set or tuple (none for anything else).
fn elements(v: &Value) -> &[Value] {
    v.unmark().0.as_seq().unwrap_or(&[])
}

fn is_sequence(ty: &Type) -> bool {
    matches!(ty, Type::List(_) | Type::Set(_) | Type::Tuple(_))
}

/// A list of `elems` of type `ty`, or the empty tuple when the type is a tuple.
fn list_or_tuple(ty: &Type, elems: Vec<Value>) -> Value {
    match ty {
        Type::Tuple(_) => Value::tuple(elems),
        Type::List(e) => Value::list((**e).clone(), elems),
        _ => Value::list(Type::Dynamic, elems),
    }
}

fn alltrue(_: &FnContext, args: &[Value]) -> FnResult {
    if any_unknown(args) {
        return Ok(Value::Unknown(Type::Bool));
    }
    for v in elements(&args[0]) {
        match v.unmark().0 {
            Value::Unknown(_) => return Ok(Value::Unknown(Type::Bool)),
            Value::Bool(true) => {}
            _ => return Ok(Value::Bool(false)),
        }
    }
    Ok(Value::Bool(true))
}

fn anytrue(_: &FnContext, args: &[Value]) -> FnResult {
    if any_unknown(args) {
        return Ok(Value::Unknown(Type::Bool));
    }
    let mut has_unknown = false;
    for v in elements(&args[0]) {
        match v.unmark().0 {
            Value::Unknown(_) => has_unknown = true,
            Value::Bool(true) => return Ok(Value::Bool(true)),
            _ => {}
        }
    }
    Ok(if has_unknown {
        Value::Unknown(Type::Bool)
    } else {
        Value::Bool(false)
    })
}

fn chunklist(_: &FnContext, args: &[Value]) -> FnResult {
    let ret = Type::list(args[0].ty());
    if any_unknown(args) {
        return unknown(ret, args);
    }
    let marked = any_marked(args);
    let size = whole_int(&args[1]).map_err(|e| FnError::new(format!("invalid size: {e}")))?;
    let size =
        usize::try_from(size).map_err(|_| FnError::new("the size argument must be positive"))?;
    let (list, _) = args[0].unmark();
    let elems = elements(list);
    let chunk_type = list.ty();
    let chunks: Vec<Value> = if elems.is_empty() {
        vec![]
    } else if size == 0 {
        vec![list.clone()]
    } else {
        let elem_type = chunk_type.element_type().cloned().unwrap_or(Type::Dynamic);
        elems
            .chunks(size)
            .map(|c| Value::list(elem_type.clone(), c.to_vec()))
            .collect()
    };
    Ok(Value::list(chunk_type, chunks).mark_if(marked))
}

fn coalesce_type(args: &[Value]) -> TypeResult {
    let types: Vec<Type> = args.iter().map(Value::ty).collect();
    unify(&types, true).ok_or_else(|| FnError::new("all arguments must have the same type"))
}

fn coalesce(_: &FnContext, args: &[Value]) -> FnResult {
    let ret = coalesce_type(args)?;
    for arg in args {
        // A value that does not convert counts as null, as in cty.
        let Ok(v) = convert(arg, &ret) else { continue };
        if !v.is_known() {
            return Ok(Value::Unknown(ret));
        }
        if v.is_null() || (ret == Type::String && v.as_str() == Some("")) {
            continue;
        }
        return Ok(v);
    }
    Err(FnError::new("no non-null, non-empty-string arguments"))
}

fn coalescelist_type(args: &[Value]) -> TypeResult {
    if args.is_empty() {
        return Err(FnError::new("at least one argument is required"));
    }
    let mut types = Vec::with_capacity(args.len());
    for arg in args {
        if !arg.is_known() {
            return Ok(Type::Dynamic);
        }
        let ty = arg.ty();
        if !matches!(ty, Type::List(_) | Type::Tuple(_)) {
            return Err(FnError::new(
                "coalescelist arguments must be lists or tuples",
            ));
        }
        types.push(ty);
    }
    Ok(if types.iter().all(|t| *t == types[0]) {
        types[0].clone()
    } else {
        Type::Dynamic
    })
}

fn coalescelist(_: &FnContext, args: &[Value]) -> FnResult {
    let ret = coalescelist_type(args)?;
    for arg in args {
        if !arg.is_known() {
            return Ok(Value::Unknown(ret));
        }
        if !arg.is_null() && !elements(arg).is_empty() {
            return Ok(arg.clone());
        }
    }
    Err(FnError::new("no non-null arguments"))
}

fn compact(_: &FnContext, args: &[Value]) -> FnResult {
    let kept: Vec<Value> = elements(&args[0])
        .iter()
        .filter(|v| v.as_str().is_some_and(|s| !s.is_empty()))
        .cloned()
        .collect();
    Ok(Value::list(Type::String, kept))
}

fn concat_type(args: &[Value]) -> TypeResult {
    if args.is_empty() {
        return Err(FnError::new("at least one argument is required"));
    }
    if any_dynamic(args) {
        return Ok(Type::Dynamic);
    }
    let types: Vec<Type> = args.iter().map(Value::ty).collect();
    if types.iter().all(|t| matches!(t, Type::List(_))) {
        if let Some(common) = unify(&types, true) {
            return Ok(common);
        }
    }
    let mut elem_types = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        match arg.ty() {
            Type::Tuple(elems) => elem_types.extend(elems.iter().cloned()),
            Type::List(elem) => {
                if !arg.is_known() {
                    return Ok(Type::Dynamic);
                }
                elem_types.extend(vec![(*elem).clone(); elements(arg).len()]);
            }
            other => {
                return Err(FnError::arg(
                    i,
                    format!(
                        "all arguments must be lists or tuples; got {}",
                        other.friendly_name()
                    ),
                ))
            }
        }
    }
    Ok(Type::tuple(elem_types))
}

fn concat(_: &FnContext, args: &[Value]) -> FnResult {
    let ret = concat_type(args)?;
    if any_unknown(args) {
        return unknown(ret, args);
    }
    let mut elems = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        let seq = match ret {
            Type::List(_) => convert(arg, &ret).map_err(|e| FnError::arg(i, e))?,
            _ => arg.clone(),
        };
        elems.extend(elements(&seq).iter().cloned());
    }
    Ok(list_or_tuple(&ret, elems).mark_if(any_marked(args)))
}

fn contains(_: &FnContext, args: &[Value]) -> FnResult {
    if any_unknown(args) {
        return Ok(Value::Unknown(Type::Bool));
    }
    if !is_sequence(&args[0].ty()) {
        return Err(FnError::new("argument must be list, tuple, or set"));
    }
    let mut contains_unknown = false;
    for v in elements(&args[0]) {
        match args[1].equals(v) {
            Some(true) => return Ok(Value::Bool(true)),
            Some(false) => {}
            None => contains_unknown = true,
        }
    }
    Ok(if contains_unknown {
        Value::Unknown(Type::Bool)
    } else {
        Value::Bool(false)
    })
}

fn distinct(_: &FnContext, args: &[Value]) -> FnResult {
    let ty = args[0].ty();
    let mut kept: Vec<Value> = Vec::new();
    for v in elements(&args[0]) {
        if !kept.iter().any(|k| k.equals(v) == Some(true)) {
            kept.push(v.clone());
        }
    }
    Ok(list_or_tuple(&ty, kept))
}

fn element_type(args: &[Value]) -> TypeResult {
    let (list, index) = (&args[0], &args[1]);
    if any_dynamic(args) {
        return Ok(Type::Dynamic);
    }
    if index.is_known() && number_of(index)?.signum() < 0 {
        return Err(FnError::new(
            "cannot use element function with a negative index",
        ));
    }
    match list.ty() {
        Type::List(elem) => Ok(*elem),
        Type::Tuple(elems) => {
            if !index.is_known() {
                return Ok(Type::Dynamic);
            }
            let i = whole_int(index).map_err(|e| FnError::new(format!("invalid index: {e}")))?;
            if elems.is_empty() {
                return Err(FnError::new(
                    "cannot use element function with an empty list",
                ));
            }
            let i = usize::try_from(i).unwrap_or(0) % elems.len();
            Ok(elems[i].clone())
        }
        other => Err(FnError::new(format!(
            "cannot read elements from {}",
            other.friendly_name()
        ))),
    }
}

fn element(_: &FnContext, args: &[Value]) -> FnResult {
    let ret = element_type(args)?;
    let i = whole_int(&args[1]).map_err(|e| FnError::new(format!("invalid index: {e}")))?;
    let i = usize::try_from(i)
        .map_err(|_| FnError::new("cannot use element function with a negative index"))?;
    if !args[0].is_known() {
        return unknown(ret, &args[..1]);
    }
    let elems = elements(&args[0]);
    if elems.is_empty() {
        return Err(FnError::new(
            "cannot use element function with an empty list",
        ));
    }
    Ok(elems[i % elems.len()]
        .clone()
        .mark_if(args[0].is_sensitive()))
}

/// The elements of nested sequences, in order; whether all of them could be known; whether
/// any sequence on the way was marked.
fn flattened(list: &Value) -> (Vec<Value>, bool, bool) {
    let (list, mut marked) = list.unmark();
    if !list.is_known() {
        return (vec![], false, marked);
    }
    let mut out = Vec::new();
    let mut known = true;
    for v in elements(list) {
        let ty = v.ty();
        if ty == Type::Dynamic && !v.is_known() {
            known = false;
        }
        if is_sequence(&ty) && !v.is_null() {
            let (inner, inner_known, inner_marked) = flattened(v);
            marked |= inner_marked;
            if inner_known {
                out.extend(inner);
            } else {
                known = false;
            }
        } else {
            out.push(v.clone());
        }
    }
    (out, known, marked)
}

fn flatten_type(args: &[Value]) -> TypeResult {
    let list = &args[0];
    if list.ty() == Type::Dynamic || !list.is_wholly_known() {
        return Ok(Type::Dynamic);
    }
    if !is_sequence(&list.ty()) {
        return Err(FnError::new("can only flatten lists, sets and tuples"));
    }
    let (out, known, _) = flattened(list);
    Ok(if known {
        Type::tuple(out.iter().map(Value::ty).collect())
    } else {
        Type::Dynamic
    })
}

fn flatten(_: &FnContext, args: &[Value]) -> FnResult {
    let ret = flatten_type(args)?;
    if !args[0].is_known() {
        return unknown(ret, args);
    }
    if !is_sequence(&args[0].ty()) {
        return Err(FnError::new("can only flatten lists, sets and tuples"));
    }
    let (out, known, marked) = flattened(&args[0]);
    if !known {
        return Ok(Value::Unknown(ret).mark_if(marked));
    }
    Ok(Value::tuple(out).mark_if(marked))
}

fn index(_: &FnContext, args: &[Value]) -> FnResult {
    if any_unknown(args) {
        return Ok(Value::Unknown(Type::Number));
    }
    if !matches!(args[0].ty(), Type::List(_) | Type::Tuple(_)) {
        return Err(FnError::new("argument must be a list or tuple"));
    }
    let elems = elements(&args[0]);
    if elems.is_empty() {
        return Err(FnError::new("cannot search an empty list"));
    }
    for (i, v) in elems.iter().enumerate() {
        match v.equals(&args[1]) {
            None => return Ok(Value::Unknown(Type::Number)),
            Some(true) => return Ok(Value::int(i64::try_from(i).unwrap_or(i64::MAX))),
            Some(false) => {}
        }
    }
    Err(FnError::new("item not found"))
}

fn keys_type(args: &[Value]) -> TypeResult {
    match args[0].ty() {
        Type::Dynamic => Ok(Type::Dynamic),
        Type::Map(_) => Ok(Type::list(Type::String)),
        Type::Object(attrs) => Ok(Type::tuple(vec![Type::String; attrs.len()])),
        _ => Err(FnError::arg(0, "must have map or object type")),
    }
}

fn keys(_: &FnContext, args: &[Value]) -> FnResult {
    let ret = keys_type(args)?;
    let (m, marked) = args[0].unmark();
    let names: Vec<Value> = match (m.ty(), m) {
        (Type::Object(attrs), _) => attrs.keys().map(|k| Value::string(k.as_str())).collect(),
        (_, Value::Map(_, entries)) => entries.keys().map(|k| Value::string(k.as_str())).collect(),
        _ => return Ok(Value::Unknown(ret).mark_if(marked)),
    };
    Ok(list_or_tuple(&ret, names).mark_if(marked))
}

fn length(_: &FnContext, args: &[Value]) -> FnResult {
    let (v, marked) = args[0].unmark();
    let count = match v.ty() {
        Type::Dynamic => None,
        Type::Tuple(elems) => Some(elems.len()),
        Type::Object(attrs) => Some(attrs.len()),
        Type::String => v.as_str().map(grapheme_count),
        Type::List(_) | Type::Set(_) | Type::Map(_) => v.len(),
        _ => {
            return Err(FnError::new(
                "argument must be a string, a collection type, or a structural type",
            ))
        }
    };
    let result = match count {
        Some(n) => Value::int(i64::try_from(n).unwrap_or(i64::MAX)),
        None => Value::Unknown(Type::Number),
    };
    Ok(result.mark_if(marked))
}

fn lookup_type(args: &[Value]) -> TypeResult {
    if args.len() > 3 {
        return Err(FnError::new(format!(
            "lookup() takes two or three arguments, got {}",
            args.len()
        )));
    }
    let default = args.get(2);
    match args[0].ty() {
        Type::Dynamic => Ok(Type::Dynamic),
        Type::Object(attrs) => {
            if !args[1].is_known() {
                return Ok(Type::Dynamic);
            }
            let key = args[1].unmark().0.as_str().unwrap_or_default();
            match (attrs.get(key), default) {
                (Some(ty), _) => Ok(ty.clone()),
                (None, Some(d)) => Ok(d.ty()),
                (None, None) => Err(FnError::arg(
                    0,
                    format!("the given object has no attribute {}", go_quote(key)),
                )),
            }
        }
        Type::Map(elem) => {
            if let Some(d) = default {
                convert(d, &elem).map_err(|_| {
                    FnError::arg(
                        2,
                        "the default value must have the same type as the map elements",
                    )
                })?;
            }
            Ok(*elem)
        }
        _ => Err(FnError::arg(
            0,
            "lookup() requires a map as the first argument",
        )),
    }
}

fn lookup(_: &FnContext, args: &[Value]) -> FnResult {
    let ret = lookup_type(args)?;
    if any_unknown(&args[..2]) {
        return unknown(ret, &args[..2]);
    }
    let marked = any_marked(&args[..2]);
    let (map, _) = args[0].unmark();
    let key = args[1].unmark().0.as_str().unwrap_or_default();
    if let Some(found) = map.as_mapping().and_then(|m| m.get(key)) {
        return Ok(found.clone().mark_if(marked));
    }
    match args.get(2) {
        Some(default) => Ok(convert(default, &ret)
            .map_err(FnError::new)?
            .mark_if(marked)),
        None => Err(FnError::new(format!("lookup failed to find '{key}'"))),
    }
}

fn matchkeys_type(args: &[Value]) -> TypeResult {
    if any_dynamic(args) {
        return Ok(Type::Dynamic);
    }
    unify(&[args[1].ty(), args[2].ty()], true)
        .ok_or_else(|| FnError::new("keys and searchset must be of the same type"))?;
    Ok(args[0].ty())
}

fn matchkeys(_: &FnContext, args: &[Value]) -> FnResult {
    let ret = matchkeys_type(args)?;
    if any_unknown(args) {
        return Ok(Value::Unknown(ret));
    }
    let elem_type = ret.element_type().cloned().unwrap_or(Type::Dynamic);
    let empty = || Ok(Value::list(elem_type.clone(), vec![]));
    let values = elements(&args[0]);
    if values.len() != elements(&args[1]).len() {
        return Err(FnError::new("length of keys and values should be equal"));
    }
    let common = unify(&[args[1].ty(), args[2].ty()], true).unwrap_or(Type::Dynamic);
    let keys = convert(&args[1], &common).map_err(FnError::new)?;
    let searchset = convert(&args[2], &common).map_err(FnError::new)?;
    if elements(&searchset).is_empty() {
        return empty();
    }
    if !args[0].is_wholly_known() || !keys.is_wholly_known() {
        return Ok(Value::Unknown(ret));
    }
    let mut output = Vec::new();
    for (key, value) in elements(&keys).iter().zip(values) {
        for search in elements(&searchset) {
            match key.equals(search) {
                None => return empty(),
                Some(true) => {
                    output.push(value.clone());
                    break;
                }
                Some(false) => {}
            }
        }
    }
    Ok(Value::list(elem_type, output))
}

fn merge_type(args: &[Value]) -> TypeResult {
    let mut attrs: BTreeMap<String, Type> = BTreeMap::new();
    let mut attrs_known = true;
    let first = match args.first() {
        None => return Ok(Type::object(BTreeMap::new())),
        Some(a) => a.ty(),
    };
    for arg in args {
        let ty = arg.ty();
        match &ty {
            Type::Dynamic => return Ok(Type::Dynamic),
            Type::Object(object) if !arg.is_null() => {
                attrs.extend(object.iter().map(|(k, t)| (k.clone(), t.clone())));
            }
            Type::Object(_) => {}
            Type::Map(elem) => match arg.unmark().0 {
                Value::Null(_) => {}
                Value::Map(_, entries) => {
                    attrs.extend(entries.keys().map(|k| (k.clone(), (**elem).clone())));
                }
                _ => attrs_known = false,
            },
            other => {
                return Err(FnError::new(format!(
                    "arguments must be maps or objects, got {}",
                    go_quote(&other.friendly_name())
                )))
            }
        }
    }
    if args.iter().all(|a| a.ty() == first) {
        return Ok(first);
    }
    Ok(if attrs_known {
        Type::object(attrs)
    } else {
        Type::Dynamic
    })
}

fn merge(_: &FnContext, args: &[Value]) -> FnResult {
    let ret = merge_type(args)?;
    if any_unknown(args) {
        return unknown(ret, args);
    }
    let mut output: BTreeMap<String, Value> = BTreeMap::new();
    for arg in args {
        if let Some(entries) = arg.unmark().0.as_mapping() {
            output.extend(entries.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
    }
    let merged = match ret {
        Type::Map(elem) => Value::map(*elem, output),
        _ => Value::object(output),
    };
    Ok(merged.mark_if(any_marked(args)))
}

fn one_type(args: &[Value]) -> TypeResult {
    let wrong = || {
        FnError::arg(
            0,
            "must be a list, set, or tuple value with either zero or one elements",
        )
    };
    match args[0].ty() {
        Type::Dynamic => Ok(Type::Dynamic),
        Type::List(elem) | Type::Set(elem) => Ok(*elem),
        Type::Tuple(elems) => match elems.len() {
            0 => Ok(Type::Dynamic),
            1 => Ok(elems[0].clone()),
            _ => Err(wrong()),
        },
        _ => Err(wrong()),
    }
}

fn one(_: &FnContext, args: &[Value]) -> FnResult {
    let ret = one_type(args)?;
    if !args[0].is_known() {
        return Ok(Value::Unknown(ret));
    }
    match elements(&args[0]) {
        [] => Ok(Value::Null(ret)),
        [only] => Ok(only.clone()),
        _ => Err(FnError::arg(
            0,
            "must be a list, set, or tuple value with either zero or one elements",
        )),
    }
}

/// The most values `range` makes.
const RANGE_LIMIT: usize = 1024;

fn range(_: &FnContext, args: &[Value]) -> FnResult {
    let numbers = args
        .iter()
        .map(number_of)
        .collect::<Result<Vec<&Number>, FnError>>()?;
    let zero = Number::from_i64(0);
    let (start, end, step) = match numbers.as_slice() {
        [end] => {
            let step = if end.cmp(&&zero).is_lt() { -1 } else { 1 };
            (zero.clone(), (*end).clone(), Number::from_i64(step))
        }
        [start, end] => {
            let step = if end.cmp(start).is_lt() { -1 } else { 1 };
            ((*start).clone(), (*end).clone(), Number::from_i64(step))
        }
        [start, end, step] => ((*start).clone(), (*end).clone(), (*step).clone()),
        _ => return Err(FnError::new("must have one, two, or three arguments")),
    };
    // cty compares the step with zero by identity, so a zero step never matches and
    // `range(0, 10, 0)` runs into the limit below, as it does in Terraform.
    let down = step < zero;
    if down && end > start {
        return Err(FnError::arg(
            1,
            "end must be less than start when step is negative",
        ));
    }
    if !down && end < start {
        return Err(FnError::arg(
            1,
            "end must be greater than start when step is positive",
        ));
    }
    let mut values = Vec::new();
    let mut current = start;
    while (down && current > end) || (!down && current < end) {
        if values.len() >= RANGE_LIMIT {
            return Err(FnError::new(
                "more than 1024 values were generated; either decrease the difference between start and end or use a smaller step",
            ));
        }
        let next = current
            .try_add(&step)
            .map_err(|e| FnError::new(e.to_string()))?;
        values.push(Value::number(current));
        current = next;
    }
    Ok(Value::list(Type::Number, values))
}

fn reverse_type(args: &[Value]) -> TypeResult {
    match args[0].ty() {
        Type::Dynamic => Ok(Type::Dynamic),
        Type::Tuple(elems) => Ok(Type::tuple(elems.iter().rev().cloned().collect())),
        Type::List(elem) | Type::Set(elem) => Ok(Type::list(*elem)),
        other => Err(FnError::arg(
            0,
            format!(
                "can only reverse list or tuple values, not {}",
                other.friendly_name()
            ),
        )),
    }
}

fn reverse(_: &FnContext, args: &[Value]) -> FnResult {
    let ret = reverse_type(args)?;
    if !args[0].is_known() {
        return unknown(ret, args);
    }
    let reversed: Vec<Value> = elements(&args[0]).iter().rev().cloned().collect();
    Ok(list_or_tuple(&ret, reversed).mark_if(args[0].is_sensitive()))
}

#[derive(Clone, Copy, PartialEq)]
enum SetOperation {
    Union,
    Intersection,
    Subtract,
}

fn set_operation_type(args: &[Value]) -> TypeResult {
    let elem_types: Vec<Type> = args
        .iter()
        .filter_map(|arg| {
            let elem = arg.ty().element_type().cloned().unwrap_or(Type::Dynamic);
            let known_empty = arg.is_known() && elements(arg).is_empty();
            (!(known_empty && elem == Type::Dynamic)).then_some(elem)
        })
        .collect();
    if elem_types.is_empty() {
        return Ok(Type::set(Type::Dynamic));
    }
    unify(&elem_types, true)
        .map(Type::set)
        .ok_or_else(|| FnError::new("given sets must all have compatible element types"))
}

fn set_operation(args: &[Value], operation: SetOperation) -> FnResult {
    let ret = set_operation_type(args)?;
    if any_unknown(args) {
        return Ok(Value::Unknown(ret));
    }
    let mut sets = Vec::with_capacity(args.len());
    for (i, arg) in args.iter().enumerate() {
        let set = convert(arg, &ret).map_err(|e| FnError::arg(i, e))?;
        if operation != SetOperation::Union && !set.is_wholly_known() {
            return Ok(Value::Unknown(ret));
        }
        sets.push(set);
    }
    let elem_type = ret.element_type().cloned().unwrap_or(Type::Dynamic);
    let contains = |set: &Value, v: &Value| elements(set).iter().any(|e| e.raw_equal(v));
    let first = elements(&sets[0]).to_vec();
    let result: Vec<Value> = match operation {
        SetOperation::Union => sets
            .iter()
            .flat_map(|s| elements(s).iter().cloned())
            .collect(),
        SetOperation::Intersection => first
            .into_iter()
            .filter(|v| sets[1..].iter().all(|s| contains(s, v)))
            .collect(),
        SetOperation::Subtract => first
            .into_iter()
            .filter(|v| !sets[1..].iter().any(|s| contains(s, v)))
            .collect(),
    };
    Ok(Value::set(elem_type, result))
}

fn setproduct_type(args: &[Value]) -> TypeResult {
    if args.len() < 2 {
        return Err(FnError::new("at least two arguments are required"));
    }
    if any_dynamic(args) {
        return Ok(Type::Dynamic);
    }
    let mut list_count = 0;
    let mut elem_types = Vec::with_capacity(args.len());
    for (i, arg) in args.iter().enumerate() {
        match arg.ty() {
            Type::Set(elem) => elem_types.push(*elem),
            Type::List(elem) => {
                elem_types.push(*elem);
                list_count += 1;
            }
            Type::Tuple(elems) => {
                list_count += 1;
                if elems.is_empty() {
                    elem_types.push(Type::Dynamic);
                } else {
                    let unified = unify(&elems, true)
                        .ok_or_else(|| FnError::arg(i, "all elements must be of the same type"))?;
                    elem_types.push(unified);
                }
            }
            _ => return Err(FnError::arg(i, "a set or a list is required")),
        }
    }
    let product = Type::tuple(elem_types);
    Ok(if list_count == args.len() {
        Type::list(product)
    } else {
        Type::set(product)
    })
}

fn setproduct(_: &FnContext, args: &[Value]) -> FnResult {
    let ret = setproduct_type(args)?;
    let marked = any_marked(args);
    if any_unknown(args) {
        return Ok(Value::Unknown(ret).mark_if(marked));
    }
    let product_type = ret.element_type().cloned().unwrap_or(Type::Dynamic);
    let part_types = match &product_type {
        Type::Tuple(t) => t.to_vec(),
        _ => vec![Type::Dynamic; args.len()],
    };
    let sequences: Vec<&[Value]> = args.iter().map(elements).collect();
    let mut products = Vec::new();
    if sequences.iter().all(|s| !s.is_empty()) {
        let mut positions = vec![0usize; sequences.len()];
        'combinations: loop {
            let tuple = positions
                .iter()
                .zip(&sequences)
                .zip(&part_types)
                .map(|((&at, seq), ty)| convert(&seq[at], ty).map_err(FnError::new))
                .collect::<Result<Vec<Value>, FnError>>()?;
            products.push(Value::tuple(tuple));
            for j in (0..positions.len()).rev() {
                positions[j] += 1;
                if positions[j] < sequences[j].len() {
                    continue 'combinations;
                }
                positions[j] = 0;
            }
            break;
        }
    }
    let result = match ret {
        Type::List(_) => Value::list(product_type, products),
        _ => Value::set(product_type, products),
    };
    Ok(result.mark_if(marked))
}

/// `slice`'s indexes, checked against the list's length when it is known: start, end, and
/// whether both are known.
fn slice_indexes(args: &[Value]) -> Result<(usize, usize, bool), FnError> {
    let (list, _) = args[0].unmark();
    let length = match list.ty() {
        Type::Tuple(elems) => Some(elems.len()),
        _ if list.is_known() => Some(elements(list).len()),
        _ => None,
    };
    let index = |i: usize, what: &str| -> Result<Option<usize>, FnError> {
        if !args[i].is_known() {
            return Ok(None);
        }
        let n = whole_int(&args[i])
            .map_err(|e| FnError::arg(i, format!("invalid {what} index: {e}")))?;
        let n = usize::try_from(n)
            .map_err(|_| FnError::arg(i, format!("{what} index must not be less than zero")))?;
        if length.is_some_and(|l| n > l) {
            return Err(FnError::arg(
                i,
                format!("{what} index must not be greater than the length of the list"),
            ));
        }
        Ok(Some(n))
    };
    let start = index(1, "start")?;
    let end = index(2, "end")?;
    match (start, end) {
        (Some(s), Some(e)) if s > e => Err(FnError::arg(
            1,
            "start index must not be greater than end index",
        )),
        (Some(s), Some(e)) => Ok((s, e, true)),
        (s, e) => Ok((s.unwrap_or(0), e.unwrap_or(0), false)),
    }
}

fn slice_type(args: &[Value]) -> TypeResult {
    let ty = args[0].ty();
    match ty {
        Type::Dynamic => return Ok(Type::Dynamic),
        Type::Set(_) => return Err(FnError::arg(
            0,
            "cannot slice a set, because its elements do not have indices; explicitly convert to a list if the ordering of the result is not important",
        )),
        Type::List(_) | Type::Tuple(_) => {}
        _ => return Err(FnError::arg(0, "must be a list or tuple value")),
    }
    let (start, end, known) = slice_indexes(args)?;
    match ty {
        Type::Tuple(elems) if known => Ok(Type::tuple(elems[start..end].to_vec())),
        Type::Tuple(_) => Ok(Type::Dynamic),
        list => Ok(list),
    }
}

fn slice(_: &FnContext, args: &[Value]) -> FnResult {
    let ret = slice_type(args)?;
    if !args[0].is_known() || ret == Type::Dynamic {
        return unknown(ret, args);
    }
    let (start, end, _) = slice_indexes(args)?;
    let picked = elements(&args[0])[start..end].to_vec();
    Ok(list_or_tuple(&ret, picked).mark_if(args[0].is_sensitive()))
}

fn sort(_: &FnContext, args: &[Value]) -> FnResult {
    let mut strings = Vec::new();
    for (i, v) in elements(&args[0]).iter().enumerate() {
        match v.as_str() {
            Some(s) => strings.push(s),
            None => {
                return Err(FnError::new(format!(
                    "given list element {i} is null; a null string cannot be sorted"
                )))
            }
        }
    }
    strings.sort_unstable();
    Ok(Value::list(
        Type::String,
        strings.into_iter().map(Value::string).collect(),
    ))
}

fn sum(_: &FnContext, args: &[Value]) -> FnResult {
    let list = &args[0];
    if !list.is_known() {
        return Ok(Value::Unknown(Type::Number));
    }
    let ty = list.ty();
    if !is_sequence(&ty) && !matches!(ty, Type::Map(_) | Type::Object(_)) {
        return Err(FnError::arg(0, "cannot sum noniterable"));
    }
    if list.len() == Some(0) {
        return Err(FnError::arg(0, "cannot sum an empty list"));
    }
    if !is_sequence(&ty) {
        return Err(FnError::arg(
            0,
            format!(
                "argument must be list, set, or tuple. Received {}",
                ty.friendly_name()
            ),
        ));
    }
    if !list.is_wholly_known() {
        return Ok(Value::Unknown(Type::Number));
    }
    let not_numbers = || FnError::arg(0, "argument must be list, set, or tuple of number values");
    let mut total: Option<Number> = None;
    for v in elements(list) {
        if v.is_null() {
            return Err(not_numbers());
        }
        let n = convert(v, &Type::Number).map_err(|_| not_numbers())?;
        let n = number_of(&n)?;
        total = Some(match total {
            None => n.clone(),
            Some(t) => t.try_add(n).map_err(|e| FnError::new(e.to_string()))?,
        });
    }
    total.map(Value::number).ok_or_else(not_numbers)
}

fn transpose(_: &FnContext, args: &[Value]) -> FnResult {
    let mut transposed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some(entries) = args[0].as_mapping() {
        for (key, list) in entries {
            for v in elements(list) {
                let out_key = v
                    .as_str()
                    .ok_or_else(|| FnError::new("input must be a map of lists of strings"))?;
                let keys = transposed.entry(out_key.to_string()).or_default();
                keys.push(key.clone());
                keys.sort_unstable();
            }
        }
    }
    let output: BTreeMap<String, Value> = transposed
        .into_iter()
        .map(|(k, keys)| {
            (
                k,
                Value::list(Type::String, keys.into_iter().map(Value::from).collect()),
            )
        })
        .collect();
    Ok(Value::map(Type::list(Type::String), output))
}

fn values_type(args: &[Value]) -> TypeResult {
    match args[0].ty() {
        Type::Dynamic => Ok(Type::Dynamic),
        Type::Map(elem) => Ok(Type::list(*elem)),
        Type::Object(attrs) => Ok(Type::tuple(attrs.values().cloned().collect())),
        _ => Err(FnError::new(
            "values() requires a map as the first argument",
        )),
    }
}

fn values(_: &FnContext, args: &[Value]) -> FnResult {
    let ret = values_type(args)?;
    let (m, marked) = args[0].unmark();
    let Some(entries) = m.as_mapping() else {
        return Ok(Value::Unknown(ret).mark_if(marked));
    };
    Ok(list_or_tuple(&ret, entries.values().cloned().collect()).mark_if(marked))
}

fn zipmap_type(args: &[Value]) -> TypeResult {
    let (keys, values) = (&args[0], &args[1]);
    match values.ty() {
        Type::Dynamic => Ok(Type::Dynamic),
        Type::List(elem) => Ok(Type::map(*elem)),
        Type::Tuple(elems) => {
            if !keys.is_wholly_known() {
                return Ok(Type::Dynamic);
            }
            let names = elements(keys);
            if names.len() != elems.len() {
                return Err(FnError::new(format!(
                    "number of keys ({}) does not match number of values ({})",
                    names.len(),
                    elems.len()
                )));
            }
            let mut attrs = BTreeMap::new();
            for (i, (name, ty)) in names.iter().zip(elems.iter()).enumerate() {
                let name = name.unmark().0.as_str().ok_or_else(|| {
                    FnError::new(format!("keys list has null value at index {i}"))
                })?;
                attrs.insert(name.to_string(), ty.clone());
            }
            Ok(Type::object(attrs))
        }
        _ => Err(FnError::new(
            "values argument must be a list or tuple value",
        )),
    }
}

fn zipmap(_: &FnContext, args: &[Value]) -> FnResult {
    let ret = zipmap_type(args)?;
    let mut marked = any_marked(args);
    if any_unknown(args) || !args[0].is_wholly_known() {
        return unknown(ret, args);
    }
    let names = elements(&args[0]);
    let values = elements(&args[1]);
    if names.len() != values.len() {
        return Err(FnError::new(format!(
            "number of keys ({}) does not match number of values ({})",
            names.len(),
            values.len()
        )));
    }
    let mut output = BTreeMap::new();
    for (i, (name, value)) in names.iter().zip(values).enumerate() {
        let (name, name_marked) = name.unmark();
        marked |= name_marked;
        let name = name
            .as_str()
            .ok_or_else(|| FnError::new(format!("keys list has null value at index {i}")))?;
        output.insert(name.to_string(), value.clone());
    }
    let result = match ret {
        Type::Map(elem) => Value::map(*elem, output),
        _ => Value::object(output),
    };
    Ok(result.mark_if(marked))
}

#[cfg(test)]
mod tests {
    //! Expected values and types are Terraform 1.0.3's (`output -json`), and current
    //! Terraform's for `sum`.
    use crate::functions::test_support::call_fn;
    use crate::number::Number;
    use crate::value::{Type, Value};

    fn n(text: &str) -> Value {
        Value::number(Number::parse(text).expect("number"))
    }
    fn s(text: &str) -> Value {
        Value::string(text)
    }
    fn b(v: bool) -> Value {
        Value::Bool(v)
    }
    fn tup(elems: Vec<Value>) -> Value {
        Value::tuple(elems)
    }
    fn list(ty: Type, elems: Vec<Value>) -> Value {
        Value::list(ty, elems)
    }
    fn strs(items: &[&str]) -> Value {
        list(Type::String, items.iter().map(|i| s(i)).collect())
    }
    fn nums(items: &[&str]) -> Value {
        list(Type::Number, items.iter().map(|i| n(i)).collect())
    }
    fn obj(attrs: Vec<(&str, Value)>) -> Value {
        Value::object(attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }
    fn map(ty: Type, entries: Vec<(&str, Value)>) -> Value {
        Value::map(
            ty,
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }
    fn unknown(ty: Type) -> Value {
        Value::Unknown(ty)
    }
    fn call(name: &str, args: Vec<Value>) -> Value {
        call_fn(name, args).unwrap_or_else(|e| panic!("{name}: {}", e.message))
    }
    fn error(name: &str, args: Vec<Value>) -> (String, Option<usize>) {
        let e = call_fn(name, args).expect_err("an error");
        (e.message, e.arg)
    }
    fn message(name: &str, args: Vec<Value>) -> String {
        error(name, args).0
    }

    #[test]
    fn keys_and_values() {
        assert_eq!(
            call("keys", vec![obj(vec![("b", s("x")), ("a", n("1"))])]),
            tup(vec![s("a"), s("b")])
        );
        assert_eq!(
            call("keys", vec![map(Type::Number, vec![("a", n("1"))])]),
            strs(&["a"])
        );
        assert_eq!(call("keys", vec![obj(vec![])]), tup(vec![]));
        assert_eq!(
            error("keys", vec![tup(vec![n("1")])]),
            ("must have map or object type".into(), Some(0))
        );
        assert_eq!(
            call("values", vec![obj(vec![("b", n("1")), ("a", s("x"))])]),
            tup(vec![s("x"), n("1")])
        );
        assert_eq!(
            call("values", vec![map(Type::Number, vec![("a", n("1"))])]),
            nums(&["1"])
        );
        assert_eq!(call("values", vec![obj(vec![])]), tup(vec![]));
        assert_eq!(
            error("values", vec![tup(vec![n("1")])]),
            ("values() requires a map as the first argument".into(), None)
        );
        // The keys of an object are known from its type alone.
        let partly = unknown(Type::object(
            [("a".to_string(), Type::String)].into_iter().collect(),
        ));
        assert_eq!(call("keys", vec![partly]), tup(vec![s("a")]));
        assert_eq!(
            call("keys", vec![unknown(Type::map(Type::String))]),
            unknown(Type::list(Type::String))
        );
    }

    #[test]
    fn merge_types() {
        assert_eq!(
            call(
                "merge",
                vec![obj(vec![("a", n("1"))]), obj(vec![("b", s("x"))])]
            ),
            obj(vec![("a", n("1")), ("b", s("x"))])
        );
        assert_eq!(
            call(
                "merge",
                vec![
                    map(Type::Number, vec![("a", n("1"))]),
                    map(Type::Number, vec![("b", n("2"))])
                ]
            ),
            map(Type::Number, vec![("a", n("1")), ("b", n("2"))])
        );
        assert_eq!(
            call(
                "merge",
                vec![
                    map(Type::Number, vec![("a", n("1"))]),
                    map(Type::String, vec![("b", s("x"))])
                ]
            ),
            obj(vec![("a", n("1")), ("b", s("x"))])
        );
        assert_eq!(call("merge", vec![]), obj(vec![]));
        assert_eq!(
            call(
                "merge",
                vec![Value::Null(Type::Dynamic), obj(vec![("a", n("1"))])]
            ),
            obj(vec![("a", n("1"))])
        );
        assert_eq!(
            message("merge", vec![obj(vec![]), s("x")]),
            "arguments must be maps or objects, got \"string\""
        );
        let secret = call("merge", vec![obj(vec![("a", n("1"))]).mark(), obj(vec![])]);
        assert_eq!(secret, obj(vec![("a", n("1"))]).mark());
    }

    #[test]
    fn concat_types() {
        assert_eq!(
            call("concat", vec![tup(vec![n("1")]), tup(vec![s("a")])]),
            tup(vec![n("1"), s("a")])
        );
        assert_eq!(
            call("concat", vec![nums(&["1"]), strs(&["a"])]),
            strs(&["1", "a"])
        );
        assert_eq!(
            call("concat", vec![nums(&["1"]), nums(&["2"])]),
            nums(&["1", "2"])
        );
        assert_eq!(
            call("concat", vec![nums(&["1"]), tup(vec![n("2")])]),
            tup(vec![n("1"), n("2")])
        );
        assert_eq!(
            message("concat", vec![]),
            "at least one argument is required"
        );
        assert_eq!(
            error("concat", vec![tup(vec![]), s("a")]),
            (
                "all arguments must be lists or tuples; got string".into(),
                Some(1)
            )
        );
        // A known list with unknown elements is concatenated.
        let partly = list(Type::String, vec![unknown(Type::String)]);
        assert_eq!(
            call("concat", vec![partly, strs(&["a"])]),
            list(Type::String, vec![unknown(Type::String), s("a")])
        );
        assert_eq!(
            call(
                "concat",
                vec![unknown(Type::list(Type::String)), tup(vec![])]
            ),
            unknown(Type::Dynamic)
        );
    }

    #[test]
    fn flatten_gives_tuples() {
        let nested = tup(vec![
            tup(vec![n("1")]),
            tup(vec![n("2"), tup(vec![s("a")])]),
        ]);
        assert_eq!(
            call("flatten", vec![nested]),
            tup(vec![n("1"), n("2"), s("a")])
        );
        let lists = list(Type::list(Type::String), vec![strs(&["a"])]);
        assert_eq!(call("flatten", vec![lists]), tup(vec![s("a")]));
        assert_eq!(call("flatten", vec![tup(vec![])]), tup(vec![]));
        assert_eq!(
            call(
                "flatten",
                vec![tup(vec![Value::Null(Type::Dynamic), tup(vec![s("a")])])]
            ),
            tup(vec![Value::Null(Type::Dynamic), s("a")])
        );
        assert_eq!(
            message("flatten", vec![s("a")]),
            "can only flatten lists, sets and tuples"
        );
        let partly = tup(vec![tup(vec![s("a"), unknown(Type::String)])]);
        assert_eq!(
            call("flatten", vec![partly]),
            tup(vec![s("a"), unknown(Type::String)])
        );
    }

    #[test]
    fn coalescing() {
        assert_eq!(
            call("coalescelist", vec![tup(vec![]), tup(vec![n("1")])]),
            tup(vec![n("1")])
        );
        assert_eq!(
            call("coalescelist", vec![strs(&[]), strs(&["a"])]),
            strs(&["a"])
        );
        assert_eq!(
            call("coalescelist", vec![tup(vec![]), strs(&["a"])]),
            strs(&["a"])
        );
        assert_eq!(
            message("coalescelist", vec![tup(vec![]), s("a")]),
            "coalescelist arguments must be lists or tuples"
        );
        assert_eq!(
            message("coalescelist", vec![tup(vec![]), tup(vec![])]),
            "no non-null arguments"
        );
        assert_eq!(call("coalesce", vec![n("1"), s("a")]), s("1"));
        assert_eq!(
            message("coalesce", vec![]),
            "all arguments must have the same type"
        );
        assert_eq!(
            message("coalesce", vec![n("1"), tup(vec![n("1")])]),
            "all arguments must have the same type"
        );
        assert_eq!(
            message("coalesce", vec![Value::Null(Type::String), s("")]),
            "no non-null, non-empty-string arguments"
        );
        assert_eq!(
            call("coalesce", vec![unknown(Type::String), s("a")]),
            unknown(Type::String)
        );
    }

    /// Terraform unifies `null` (of unknown type) with the strings around it, so empty
    /// strings are skipped here.
    #[test]
    fn coalesce_skips_empty_strings_next_to_null() {
        assert_eq!(
            call("coalesce", vec![s(""), Value::Null(Type::Dynamic), s("b")]),
            s("b")
        );
    }

    #[test]
    fn length_counts_graphemes_and_types() {
        assert_eq!(call("length", vec![s("héllo\u{301}")]), n("5"));
        assert_eq!(call("length", vec![obj(vec![("a", n("1"))])]), n("1"));
        assert_eq!(
            call("length", vec![tup(vec![unknown(Type::String), n("1")])]),
            n("2")
        );
        assert_eq!(
            call("length", vec![unknown(Type::tuple(vec![Type::String]))]),
            n("1")
        );
        assert_eq!(
            call("length", vec![unknown(Type::list(Type::String))]),
            unknown(Type::Number)
        );
        assert_eq!(
            call("length", vec![strs(&["a", "b"]).mark()]),
            n("2").mark()
        );
        assert_eq!(
            message("length", vec![n("1")]),
            "argument must be a string, a collection type, or a structural type"
        );
        assert_eq!(
            message("length", vec![Value::Null(Type::Dynamic)]),
            "argument must not be null"
        );
    }

    #[test]
    fn reverse_and_slice() {
        assert_eq!(
            call("reverse", vec![tup(vec![n("1"), s("a")])]),
            tup(vec![s("a"), n("1")])
        );
        let set = Value::set(Type::String, vec![s("b"), s("a")]);
        assert_eq!(call("reverse", vec![set]), strs(&["b", "a"]));
        assert_eq!(
            error("reverse", vec![s("a")]),
            (
                "can only reverse list or tuple values, not string".into(),
                Some(0)
            )
        );
        assert_eq!(
            call(
                "slice",
                vec![tup(vec![n("1"), s("a"), b(true)]), n("1"), n("3")]
            ),
            tup(vec![s("a"), b(true)])
        );
        assert_eq!(
            call("slice", vec![nums(&["1", "2", "3"]), n("1"), n("1")]),
            nums(&[])
        );
        assert_eq!(
            error("slice", vec![tup(vec![n("1"), n("2")]), n("1"), n("0")]),
            (
                "start index must not be greater than end index".into(),
                Some(1)
            )
        );
        assert_eq!(
            error("slice", vec![tup(vec![n("1")]), n("0"), n("2")]),
            (
                "end index must not be greater than the length of the list".into(),
                Some(2)
            )
        );
        assert_eq!(
            error("slice", vec![tup(vec![n("1")]), n("-1"), n("1")]),
            ("start index must not be less than zero".into(), Some(1))
        );
        assert_eq!(
            error("slice", vec![s("a"), n("0"), n("1")]),
            ("must be a list or tuple value".into(), Some(0))
        );
        assert!(message(
            "slice",
            vec![Value::set(Type::Number, vec![n("1")]), n("0"), n("1")]
        )
        .starts_with("cannot slice a set, because its elements do not have indices"));
    }

    #[test]
    fn zipmap_types() {
        assert_eq!(
            call("zipmap", vec![strs(&["a", "b"]), tup(vec![n("1"), s("x")])]),
            obj(vec![("a", n("1")), ("b", s("x"))])
        );
        assert_eq!(
            call("zipmap", vec![strs(&["a", "b"]), nums(&["1", "2"])]),
            map(Type::Number, vec![("a", n("1")), ("b", n("2"))])
        );
        assert_eq!(
            call("zipmap", vec![strs(&["a", "a"]), tup(vec![n("1"), s("x")])]),
            obj(vec![("a", s("x"))])
        );
        assert_eq!(
            message("zipmap", vec![strs(&["a"]), tup(vec![n("1"), n("2")])]),
            "number of keys (1) does not match number of values (2)"
        );
        assert_eq!(
            message("zipmap", vec![strs(&["a"]), s("x")]),
            "values argument must be a list or tuple value"
        );
    }

    #[test]
    fn set_functions() {
        let product_type = Type::tuple(vec![Type::String, Type::Number]);
        assert_eq!(
            call(
                "setproduct",
                vec![tup(vec![s("a")]), tup(vec![n("1"), n("2")])]
            ),
            list(
                product_type.clone(),
                vec![tup(vec![s("a"), n("1")]), tup(vec![s("a"), n("2")])]
            )
        );
        assert_eq!(
            call(
                "setproduct",
                vec![
                    Value::set(Type::String, vec![s("a")]),
                    tup(vec![n("1"), n("2")])
                ]
            ),
            Value::set(
                product_type,
                vec![tup(vec![s("a"), n("1")]), tup(vec![s("a"), n("2")])]
            )
        );
        assert_eq!(
            call("setproduct", vec![tup(vec![]), tup(vec![n("1")])]),
            list(Type::tuple(vec![Type::Dynamic, Type::Number]), vec![])
        );
        assert_eq!(
            call(
                "setproduct",
                vec![tup(vec![n("1"), s("a")]), tup(vec![n("1")])]
            ),
            list(
                Type::tuple(vec![Type::String, Type::Number]),
                vec![tup(vec![s("1"), n("1")]), tup(vec![s("a"), n("1")])]
            )
        );
        assert_eq!(
            message("setproduct", vec![tup(vec![n("1")])]),
            "at least two arguments are required"
        );
        assert_eq!(
            error("setproduct", vec![tup(vec![n("1")]), s("a")]),
            ("a set or a list is required".into(), Some(1))
        );
        assert_eq!(
            error(
                "setproduct",
                vec![
                    tup(vec![tup(vec![n("1")]), tup(vec![b(true)])]),
                    tup(vec![n("1")])
                ]
            ),
            ("all elements must be of the same type".into(), Some(0))
        );

        let set = |items: &[&str]| Value::set(Type::String, items.iter().map(|i| s(i)).collect());
        assert_eq!(
            call("setunion", vec![tup(vec![s("a")]), tup(vec![n("1")])]),
            set(&["1", "a"])
        );
        assert_eq!(
            call("setunion", vec![tup(vec![]), tup(vec![])]),
            Value::set(Type::Dynamic, vec![])
        );
        assert_eq!(
            call(
                "setintersection",
                vec![tup(vec![s("a"), s("b")]), tup(vec![s("b")])]
            ),
            set(&["b"])
        );
        assert_eq!(
            call(
                "setsubtract",
                vec![tup(vec![s("a"), s("b")]), tup(vec![s("b")])]
            ),
            set(&["a"])
        );
        assert_eq!(
            message(
                "setunion",
                vec![tup(vec![n("1")]), tup(vec![tup(vec![n("1")])])]
            ),
            "given sets must all have compatible element types"
        );
    }

    #[test]
    fn lists() {
        assert_eq!(
            call("distinct", vec![tup(vec![n("1"), s("1"), n("2")])]),
            strs(&["1", "2"])
        );
        assert_eq!(
            call("distinct", vec![tup(vec![])]),
            list(Type::Dynamic, vec![])
        );
        assert_eq!(
            call("chunklist", vec![tup(vec![s("a"), s("b"), s("c")]), n("2")]),
            list(
                Type::list(Type::String),
                vec![strs(&["a", "b"]), strs(&["c"])]
            )
        );
        assert_eq!(
            call("chunklist", vec![tup(vec![]), n("2")]),
            list(Type::list(Type::Dynamic), vec![])
        );
        assert_eq!(
            call("chunklist", vec![tup(vec![n("1"), n("2")]), n("0")]),
            list(Type::list(Type::Number), vec![nums(&["1", "2"])])
        );
        assert_eq!(
            message("chunklist", vec![tup(vec![n("1")]), n("-1")]),
            "the size argument must be positive"
        );
        assert_eq!(
            message("chunklist", vec![tup(vec![n("1")]), n("1.5")]),
            "invalid size: value must be a whole number, between -9223372036854775808 and 9223372036854775807"
        );
        assert_eq!(
            call(
                "compact",
                vec![tup(vec![s("a"), s(""), Value::Null(Type::String)])]
            ),
            strs(&["a"])
        );
        assert_eq!(
            call("sort", vec![strs(&["b", "a", "B"])]),
            strs(&["B", "a", "b"])
        );
        assert_eq!(
            message("sort", vec![tup(vec![s("a"), Value::Null(Type::String)])]),
            "given list element 1 is null; a null string cannot be sorted"
        );
    }

    #[test]
    fn element_and_index() {
        assert_eq!(
            call("element", vec![tup(vec![n("1"), s("a")]), n("3")]),
            s("a")
        );
        assert_eq!(
            message("element", vec![tup(vec![n("1"), n("2")]), n("-1")]),
            "cannot use element function with a negative index"
        );
        assert_eq!(
            message("element", vec![tup(vec![]), n("0")]),
            "cannot use element function with an empty list"
        );
        assert_eq!(
            message(
                "element",
                vec![Value::set(Type::Number, vec![n("1")]), n("0")]
            ),
            "cannot read elements from set of number"
        );
        assert_eq!(
            message("element", vec![nums(&["1", "2", "3"]), n("1.5")]),
            "invalid index: value must be a whole number, between -9223372036854775808 and 9223372036854775807"
        );
        let partly = list(Type::String, vec![s("a"), unknown(Type::String)]);
        assert_eq!(call("element", vec![partly.clone(), n("0")]), s("a"));
        let secrets = list(Type::String, vec![s("a").mark(), s("b")]);
        assert_eq!(call("element", vec![secrets.clone(), n("1")]), s("b"));
        assert_eq!(call("element", vec![secrets, n("0")]), s("a").mark());

        assert_eq!(
            call("index", vec![tup(vec![s("a"), s("b")]), s("b")]),
            n("1")
        );
        assert_eq!(
            message("index", vec![tup(vec![]), n("1")]),
            "cannot search an empty list"
        );
        assert_eq!(
            message("index", vec![tup(vec![s("a")]), s("b")]),
            "item not found"
        );
        assert_eq!(
            message("index", vec![obj(vec![("a", n("1"))]), n("1")]),
            "argument must be a list or tuple"
        );
        assert_eq!(call("index", vec![partly, s("a")]), n("0"));
    }

    #[test]
    fn lookup() {
        let object = obj(vec![("a", n("1")), ("b", s("x"))]);
        assert_eq!(call("lookup", vec![object.clone(), s("b")]), s("x"));
        assert_eq!(
            call("lookup", vec![obj(vec![("a", n("1"))]), s("z"), s("d")]),
            s("d")
        );
        let numbers = map(Type::Number, vec![("a", n("1"))]);
        assert_eq!(
            call("lookup", vec![numbers.clone(), s("z"), s("3")]),
            n("3")
        );
        assert_eq!(
            error("lookup", vec![object.clone(), s("z")]),
            ("the given object has no attribute \"z\"".into(), Some(0))
        );
        assert_eq!(
            error("lookup", vec![numbers.clone(), s("z")]),
            ("lookup failed to find 'z'".into(), None)
        );
        assert_eq!(
            error("lookup", vec![numbers, s("z"), tup(vec![n("1")])]),
            (
                "the default value must have the same type as the map elements".into(),
                Some(2)
            )
        );
        assert_eq!(
            error("lookup", vec![tup(vec![n("1")]), s("z")]),
            (
                "lookup() requires a map as the first argument".into(),
                Some(0)
            )
        );
        assert_eq!(
            message("lookup", vec![object, s("a"), s("x"), s("y")]),
            "lookup() takes two or three arguments, got 4"
        );
        let secret = map(Type::String, vec![("a", s("x"))]).mark();
        assert_eq!(call("lookup", vec![secret, s("a")]), s("x").mark());
    }

    #[test]
    fn one() {
        assert_eq!(call("one", vec![tup(vec![])]), Value::Null(Type::Dynamic));
        assert_eq!(call("one", vec![tup(vec![s("a")])]), s("a"));
        assert_eq!(call("one", vec![strs(&[])]), Value::Null(Type::String));
        assert_eq!(
            error("one", vec![tup(vec![n("1"), n("2")])]),
            (
                "must be a list, set, or tuple value with either zero or one elements".into(),
                Some(0)
            )
        );
        assert_eq!(
            call("one", vec![list(Type::String, vec![unknown(Type::String)])]),
            unknown(Type::String)
        );
    }

    #[test]
    fn matchkeys_and_transpose() {
        assert_eq!(
            call(
                "matchkeys",
                vec![
                    tup(vec![s("a"), s("b")]),
                    tup(vec![n("1"), n("2")]),
                    tup(vec![s("2")])
                ]
            ),
            strs(&["b"])
        );
        assert_eq!(
            message(
                "matchkeys",
                vec![
                    tup(vec![n("1")]),
                    tup(vec![n("1"), n("2")]),
                    tup(vec![n("1")])
                ]
            ),
            "length of keys and values should be equal"
        );
        assert_eq!(
            message(
                "matchkeys",
                vec![
                    tup(vec![n("1")]),
                    tup(vec![n("1")]),
                    tup(vec![tup(vec![n("1")])])
                ]
            ),
            "keys and searchset must be of the same type"
        );
        let input = obj(vec![
            ("a", tup(vec![s("x"), s("y")])),
            ("b", tup(vec![s("x")])),
        ]);
        assert_eq!(
            call("transpose", vec![input]),
            map(
                Type::list(Type::String),
                vec![("x", strs(&["a", "b"])), ("y", strs(&["a"]))]
            )
        );
        assert_eq!(
            call("transpose", vec![obj(vec![("a", tup(vec![]))])]),
            map(Type::list(Type::String), vec![])
        );
    }

    #[test]
    fn range() {
        assert_eq!(call("range", vec![n("3")]), nums(&["0", "1", "2"]));
        assert_eq!(
            call("range", vec![n("1"), n("2"), n("0.25")]),
            nums(&["1", "1.25", "1.5", "1.75"])
        );
        assert_eq!(call("range", vec![n("0")]), nums(&[]));
        assert_eq!(
            call("range", vec![n("5"), n("1")]),
            nums(&["5", "4", "3", "2"])
        );
        assert_eq!(call("range", vec![n("1.5")]), nums(&["0", "1"]));
        assert_eq!(call("range", vec![n("0"), n("0"), n("0")]), nums(&[]));
        assert_eq!(
            message("range", vec![n("0"), n("10"), n("0")]),
            "more than 1024 values were generated; either decrease the difference between start and end or use a smaller step"
        );
        assert_eq!(
            error("range", vec![n("1"), n("5"), n("-1")]),
            (
                "end must be less than start when step is negative".into(),
                Some(1)
            )
        );
    }

    #[test]
    fn sum() {
        assert_eq!(call("sum", vec![tup(vec![n("1"), n("2.5")])]), n("3.5"));
        assert_eq!(call("sum", vec![tup(vec![s("1"), s("2")])]), n("3"));
        let numbers_only = "argument must be list, set, or tuple of number values";
        assert_eq!(
            error("sum", vec![tup(vec![])]),
            ("cannot sum an empty list".into(), Some(0))
        );
        assert_eq!(
            error("sum", vec![s("a")]),
            ("cannot sum noniterable".into(), Some(0))
        );
        assert_eq!(
            error("sum", vec![obj(vec![("a", n("1"))])]),
            (
                "argument must be list, set, or tuple. Received object".into(),
                Some(0)
            )
        );
        assert_eq!(
            error("sum", vec![tup(vec![n("1"), Value::Null(Type::Number)])]).0,
            numbers_only
        );
        assert_eq!(error("sum", vec![tup(vec![s("a")])]).0, numbers_only);
        assert_eq!(
            call("sum", vec![tup(vec![n("1"), unknown(Type::Number)])]),
            unknown(Type::Number)
        );
    }

    #[test]
    fn booleans_and_contains() {
        assert_eq!(call("alltrue", vec![tup(vec![])]), b(true));
        assert_eq!(
            call("alltrue", vec![tup(vec![b(true), Value::Null(Type::Bool)])]),
            b(false)
        );
        assert_eq!(
            call("alltrue", vec![tup(vec![b(false), unknown(Type::Bool)])]),
            b(false)
        );
        assert_eq!(
            call("alltrue", vec![tup(vec![b(true), unknown(Type::Bool)])]),
            unknown(Type::Bool)
        );
        assert_eq!(call("anytrue", vec![tup(vec![s("true")])]), b(true));
        assert_eq!(
            call(
                "anytrue",
                vec![tup(vec![Value::Null(Type::Bool), b(false)])]
            ),
            b(false)
        );
        assert_eq!(
            call("anytrue", vec![tup(vec![unknown(Type::Bool), b(true)])]),
            b(true)
        );
        assert_eq!(call("contains", vec![tup(vec![s("1")]), n("1")]), b(false));
        assert_eq!(call("contains", vec![tup(vec![]), n("1")]), b(false));
        assert_eq!(
            call(
                "contains",
                vec![tup(vec![s("a"), unknown(Type::String)]), s("a")]
            ),
            b(true)
        );
        assert_eq!(
            call(
                "contains",
                vec![tup(vec![s("a"), unknown(Type::String)]), s("b")]
            ),
            unknown(Type::Bool)
        );
        assert_eq!(
            message("contains", vec![obj(vec![("a", n("1"))]), n("1")]),
            "argument must be list, tuple, or set"
        );
    }
}
