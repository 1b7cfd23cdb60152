//! The inputs of the server-side apply properties (`fuzz_apply.rs`): writes to one object (the
//! widget `w` or the Deployment `d`) by a few field managers — applied configurations that
//! set, change and drop fields (labels, scalars, Deployment containers keyed by name, an
//! atomic `args` list), updates, merge and JSON patches, and status writes — and the field
//! paths of `fieldsV1` and of configurations, as `fieldsV1` keys (`f:spec`,
//! `k:{"name":"app"}`).

use std::collections::BTreeSet;

use kobj_core::ResourceType;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

use crate::common::{deployments, widgets};

/// The managers writing.
pub const MANAGERS: &[&str] = &["alice", "bob", "carol"];

/// The object written: the widget `w` (a schema with an enum, a defaulted integer and a
/// status subresource) or the Deployment `d` (containers keyed by name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Widget,
    Deployment,
}

impl Kind {
    pub fn resource(self) -> ResourceType {
        match self {
            Kind::Widget => widgets(),
            Kind::Deployment => deployments(),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Widget => "w",
            Kind::Deployment => "d",
        }
    }

    pub fn api_version(self) -> &'static str {
        match self {
            Kind::Widget => "example.com/v1",
            Kind::Deployment => "apps/v1",
        }
    }

    pub fn kind(self) -> &'static str {
        match self {
            Kind::Widget => "Widget",
            Kind::Deployment => "Deployment",
        }
    }

    /// A configuration (or object body) of this kind with `fields` at the top level.
    pub fn body(self, fields: Map<String, Value>) -> Value {
        let mut m = Map::new();
        m.insert("apiVersion".into(), json!(self.api_version()));
        m.insert("kind".into(), json!(self.kind()));
        let mut meta = Map::new();
        meta.insert("name".into(), json!(self.name()));
        let mut fields = fields;
        if let Some(Value::Object(extra)) = fields.remove("metadata") {
            meta.extend(extra);
        }
        m.insert("metadata".into(), Value::Object(meta));
        m.extend(fields);
        Value::Object(m)
    }
}

/// One write.
#[derive(Clone, Debug)]
pub enum Op {
    /// `Patch::Apply` of a whole configuration (main resource).
    Apply {
        m: usize,
        config: Value,
        force: bool,
    },
    /// `Patch::Apply` of a status configuration through `/status`.
    ApplyStatus {
        m: usize,
        config: Value,
        force: bool,
    },
    /// Read, merge `change` in (merge-patch rules), replace.
    Update { m: usize, change: Value },
    /// Merge patch.
    Merge { m: usize, patch: Value },
    /// JSON Patch.
    Json { m: usize, ops: Vec<Value> },
    /// Merge patch through `/status`.
    Status { m: usize, patch: Value },
}

fn manager() -> impl Strategy<Value = usize> {
    0..MANAGERS.len()
}

/// Labels: one to three entries (an empty map would own nothing, so it is left out).
fn labels() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(
        prop::sample::select(&["a", "b", "c"][..]),
        prop::sample::select(&["x", "y"][..]),
        1..3,
    )
    .prop_map(|m| json!(m))
}

/// Inserts `(k, v)` for each `Some` value.
fn object(entries: Vec<(&str, Option<Value>)>) -> Option<Value> {
    let m: Map<String, Value> = entries
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
        .collect();
    (!m.is_empty()).then_some(Value::Object(m))
}

fn widget_spec() -> impl Strategy<Value = Option<Value>> {
    (
        prop::option::of(prop::sample::select(&["red", "green", "blue"][..])),
        prop::option::of(1i64..4),
        prop::option::of(0i64..3),
        prop::option::of(prop::sample::select(&["n", "m"][..])),
    )
        .prop_map(|(color, replicas, size, note)| {
            object(vec![
                ("color", color.map(Value::from)),
                ("replicas", replicas.map(Value::from)),
                ("size", size.map(Value::from)),
                ("note", note.map(Value::from)),
            ])
        })
}

/// A container's image (always set: a real server refuses a container without one) and
/// optional `args`.
fn container() -> impl Strategy<Value = (Option<Value>, Option<Value>)> {
    (
        prop::sample::select(&["img:1", "img:2"][..]).prop_map(|i| Some(Value::from(i))),
        prop::option::of(
            prop::collection::vec(prop::sample::select(&["a", "b"][..]), 1..3)
                .prop_map(|v| json!(v)),
        ),
    )
}

/// Containers: a subset of `app`, `side`, `log`, in a random order.
fn some_containers() -> impl Strategy<Value = Value> {
    (
        prop::sample::subsequence(vec!["app", "side", "log"], 1..=3).prop_shuffle(),
        prop::collection::vec(container(), 3),
    )
        .prop_map(|(names, bodies)| {
            let items: Vec<Value> = names
                .into_iter()
                .zip(bodies)
                .map(|(name, (image, args))| {
                    object(vec![
                        ("name", Some(json!(name))),
                        ("image", image),
                        ("args", args),
                    ])
                    .unwrap()
                })
                .collect();
            Value::Array(items)
        })
}

fn containers() -> impl Strategy<Value = Option<Value>> {
    prop::option::of(some_containers())
}

/// The Deployment's selector in every configuration: required and non-empty on a real
/// server, and selecting any template the labels below make (none has `z`).
fn deployment_selector() -> Value {
    json!({"matchExpressions": [{"key": "z", "operator": "DoesNotExist"}]})
}

/// A Deployment spec a real server accepts: the selector, and containers with images
/// (so no configuration leaves the object without them).
fn deployment_spec() -> impl Strategy<Value = Option<Value>> {
    (
        prop::option::of(1i64..4),
        prop::option::of(labels()),
        some_containers(),
    )
        .prop_map(|(replicas, template_labels, containers)| {
            let template = object(vec![
                ("metadata", object(vec![("labels", template_labels)])),
                ("spec", object(vec![("containers", Some(containers))])),
            ]);
            object(vec![
                ("replicas", replicas.map(Value::from)),
                ("selector", Some(deployment_selector())),
                ("template", template),
            ])
        })
}

/// The top-level fields of a configuration of `kind` (metadata labels, spec).
fn config_fields(kind: Kind) -> BoxedStrategy<Map<String, Value>> {
    let spec = match kind {
        Kind::Widget => widget_spec().boxed(),
        Kind::Deployment => deployment_spec().boxed(),
    };
    (prop::option::of(labels()), spec)
        .prop_map(|(labels, spec)| {
            let mut m = Map::new();
            if let Some(l) = labels {
                m.insert("metadata".into(), json!({ "labels": l }));
            }
            if let Some(s) = spec {
                m.insert("spec".into(), s);
            }
            m
        })
        .boxed()
}

/// A whole applied configuration of `kind`; now and then with a `status`, which the main
/// resource's strategy resets (nobody owns it through this apply).
pub fn apply_config(kind: Kind) -> impl Strategy<Value = Value> {
    (
        config_fields(kind),
        prop::option::weighted(0.15, status_fields(kind)),
    )
        .prop_map(move |(mut m, status)| {
            if let Some(Some(s)) = status {
                m.insert("status".into(), s);
            }
            kind.body(m)
        })
}

fn status_fields(kind: Kind) -> impl Strategy<Value = Option<Value>> {
    let names: &'static [&'static str] = match kind {
        Kind::Widget => &["phase", "replicas"],
        Kind::Deployment => &["replicas", "readyReplicas"],
    };
    (
        prop::option::of(prop::sample::select(&["on", "off"][..])),
        prop::option::of(0i64..3),
    )
        .prop_map(move |(a, b)| {
            let a = match kind {
                Kind::Widget => a.map(Value::from),
                Kind::Deployment => a.map(|s| json!(if s == "on" { 1 } else { 2 })),
            };
            object(vec![(names[0], a), (names[1], b.map(Value::from))])
        })
}

/// A status configuration of `kind`; now and then with a `spec`, which the status
/// strategy resets.
pub fn status_config(kind: Kind) -> impl Strategy<Value = Value> {
    (
        status_fields(kind),
        prop::option::weighted(0.15, config_fields(kind)),
    )
        .prop_map(move |(s, spec)| {
            let mut m = Map::new();
            if let Some(s) = s {
                m.insert("status".into(), s);
            }
            if let Some(spec) = spec.and_then(|mut f| f.remove("spec")) {
                m.insert("spec".into(), spec);
            }
            kind.body(m)
        })
}

/// A value or a `null` (which a merge removes).
fn or_null(v: impl Strategy<Value = Value>) -> impl Strategy<Value = Value> {
    prop_oneof![3 => v, 1 => Just(Value::Null)]
}

/// A change in merge-patch form: some fields set, some removed with `null`.
fn change(kind: Kind) -> BoxedStrategy<Value> {
    let label = prop::collection::btree_map(
        prop::sample::select(&["a", "b", "c"][..]),
        or_null(prop::sample::select(&["x", "y"][..]).prop_map(Value::from)),
        0..3,
    );
    match kind {
        Kind::Widget => (
            label,
            prop::collection::btree_map(
                prop::sample::select(&["color", "replicas", "size", "note"][..]),
                or_null(prop_oneof![
                    prop::sample::select(&["red", "blue"][..]).prop_map(Value::from),
                    (1i64..4).prop_map(Value::from),
                ]),
                0..3,
            ),
        )
            .prop_map(|(labels, mut spec)| {
                // Keep the types right: a failed validation is not what is tested here.
                for (k, v) in spec.iter_mut() {
                    let want_str = matches!(*k, "color" | "note");
                    if !v.is_null() && v.is_string() != want_str {
                        *v = if *k == "color" {
                            json!("green")
                        } else if *k == "note" {
                            json!("p")
                        } else {
                            json!(2)
                        };
                    }
                }
                json!({"metadata": {"labels": labels}, "spec": spec})
            })
            .boxed(),
        Kind::Deployment => (
            label,
            prop::option::of(or_null((1i64..4).prop_map(Value::from))),
            containers(),
        )
            .prop_map(|(labels, replicas, containers)| {
                let mut spec = Map::new();
                if let Some(r) = replicas {
                    spec.insert("replicas".into(), r);
                }
                if let Some(c) = containers {
                    spec.insert("template".into(), json!({"spec": {"containers": c}}));
                }
                json!({"metadata": {"labels": labels}, "spec": spec})
            })
            .boxed(),
    }
}

fn status_change(kind: Kind) -> impl Strategy<Value = Value> {
    let names: &'static [&'static str] = match kind {
        Kind::Widget => &["phase", "replicas"],
        Kind::Deployment => &["readyReplicas", "replicas"],
    };
    // For each field: absent, removed (`null`) or set.
    let a = prop::option::of(prop::option::of(any::<bool>()));
    let b = prop::option::of(prop::option::of(0i64..3));
    (a, b).prop_map(move |(a, b)| {
        let mut s = Map::new();
        if let Some(a) = a {
            let v = match (kind, a) {
                (_, None) => Value::Null,
                (Kind::Widget, Some(on)) => json!(if on { "on" } else { "off" }),
                (Kind::Deployment, Some(on)) => json!(if on { 1 } else { 2 }),
            };
            s.insert(names[0].into(), v);
        }
        if let Some(b) = b {
            s.insert(names[1].into(), b.map_or(Value::Null, Value::from));
        }
        json!({ "status": s })
    })
}

/// JSON Patch operations, some on paths that do not exist (refused).
fn json_ops(kind: Kind) -> impl Strategy<Value = Vec<Value>> {
    let ops: Vec<Value> = match kind {
        Kind::Widget => vec![
            json!({"op": "add", "path": "/spec/color", "value": "blue"}),
            json!({"op": "replace", "path": "/spec/replicas", "value": 3}),
            json!({"op": "remove", "path": "/spec/note"}),
            json!({"op": "add", "path": "/spec/size", "value": 1}),
            json!({"op": "add", "path": "/metadata/labels/a", "value": "y"}),
            json!({"op": "remove", "path": "/metadata/labels/b"}),
            json!({"op": "test", "path": "/spec/color", "value": "red"}),
        ],
        Kind::Deployment => vec![
            json!({"op": "replace", "path": "/spec/replicas", "value": 2}),
            json!({"op": "remove", "path": "/spec/replicas"}),
            json!({"op": "add", "path": "/spec/template/spec/containers/0/image", "value": "img:3"}),
            json!({"op": "remove", "path": "/spec/template/spec/containers/1"}),
            json!({"op": "remove", "path": "/spec/template/spec/containers/0/args"}),
            json!({"op": "add", "path": "/metadata/labels/c", "value": "x"}),
            json!({"op": "remove", "path": "/metadata/labels/a"}),
        ],
    };
    prop::collection::vec(prop::sample::select(ops), 1..3)
}

/// One write to an object of `kind`.
pub fn op(kind: Kind) -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (manager(), apply_config(kind), prop::bool::weighted(0.3))
            .prop_map(|(m, config, force)| Op::Apply { m, config, force }),
        1 => (manager(), status_config(kind), prop::bool::weighted(0.3))
            .prop_map(|(m, config, force)| Op::ApplyStatus { m, config, force }),
        2 => (manager(), change(kind)).prop_map(|(m, change)| Op::Update { m, change }),
        2 => (manager(), change(kind)).prop_map(|(m, patch)| Op::Merge { m, patch }),
        1 => (manager(), json_ops(kind)).prop_map(|(m, ops)| Op::Json { m, ops }),
        1 => (manager(), status_change(kind)).prop_map(|(m, patch)| Op::Status { m, patch }),
    ]
}

pub fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![Just(Kind::Widget), Just(Kind::Deployment)]
}

// ---------------------------------------------------------------------------------------
// Field paths
// ---------------------------------------------------------------------------------------

/// A field path as `fieldsV1` keys.
pub type FieldPath = Vec<String>;

/// The `fieldsV1` key of the `containers` item named `name`.
fn item_key(name: &str) -> String {
    format!("k:{}", json!({ "name": name }))
}

/// The paths a `fieldsV1` value names (a key whose value is `{}`, or that holds `.`).
pub fn fields_v1_paths(v: &Value) -> BTreeSet<FieldPath> {
    fn walk(v: &Value, path: &mut FieldPath, out: &mut BTreeSet<FieldPath>) {
        let Value::Object(m) = v else { return };
        if m.is_empty() && !path.is_empty() {
            out.insert(path.clone());
        }
        for (k, child) in m {
            if k == "." {
                out.insert(path.clone());
                continue;
            }
            path.push(k.clone());
            walk(child, path, out);
            path.pop();
        }
    }
    let mut out = BTreeSet::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

/// The paths of an object or configuration as the server's field sets name them: scalars,
/// atomic lists (`args`) and structs (`selector`), `containers` items (the item and its
/// fields); only labels and
/// annotations of the metadata; `status` only when `with_status`.
pub fn value_paths(v: &Value, with_status: bool) -> BTreeSet<FieldPath> {
    fn walk(v: &Value, path: &mut FieldPath, out: &mut BTreeSet<FieldPath>) {
        match v {
            // `LabelSelector` is `+structType=atomic`: owned as a whole.
            Value::Object(_) if path.last().is_some_and(|l| l == "f:selector") => {
                out.insert(path.clone());
            }
            Value::Object(m) => {
                for (k, child) in m {
                    path.push(format!("f:{k}"));
                    walk(child, path, out);
                    path.pop();
                }
            }
            Value::Array(items) if path.last().is_some_and(|l| l == "f:containers") => {
                for item in items {
                    let name = item.get("name").and_then(Value::as_str).unwrap_or("");
                    path.push(item_key(name));
                    out.insert(path.clone());
                    walk(item, path, out);
                    path.pop();
                }
            }
            Value::Null => {}
            _ => {
                out.insert(path.clone());
            }
        }
    }
    walk_roots(v, with_status, walk)
}

/// The paths of the maps and structs in `v` that [`value_paths`] walks into
/// (`spec`, `status`, `metadata.labels`, `metadata.annotations` and what they hold, not an
/// atomic selector nor a list item). structured-merge-diff's comparison lists such a
/// container as added when the live object lacks it, so a manager that owns the
/// container's own path conflicts with an apply that brings it back.
pub fn container_paths(v: &Value, with_status: bool) -> BTreeSet<FieldPath> {
    fn walk(v: &Value, path: &mut FieldPath, out: &mut BTreeSet<FieldPath>) {
        let Value::Object(m) = v else { return };
        if path.last().is_some_and(|l| l == "f:selector") {
            return;
        }
        out.insert(path.clone());
        for (k, child) in m {
            path.push(format!("f:{k}"));
            walk(child, path, out);
            path.pop();
        }
    }
    walk_roots(v, with_status, walk)
}

/// Runs `walk` from each part of `v` an apply configuration's fields are counted in:
/// `spec`, `status` when `with_status`, and the metadata's `labels` and `annotations`.
fn walk_roots(
    v: &Value,
    with_status: bool,
    walk: fn(&Value, &mut FieldPath, &mut BTreeSet<FieldPath>),
) -> BTreeSet<FieldPath> {
    let mut out = BTreeSet::new();
    let Some(root) = v.as_object() else {
        return out;
    };
    for (k, child) in root {
        let mut path = vec![format!("f:{k}")];
        match k.as_str() {
            "spec" => walk(child, &mut path, &mut out),
            "status" if with_status => walk(child, &mut path, &mut out),
            "metadata" => {
                for m in ["labels", "annotations"] {
                    if let Some(c) = child.get(m) {
                        path.push(format!("f:{m}"));
                        walk(c, &mut path, &mut out);
                        path.pop();
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The value at `path` in `v`.
pub fn lookup<'v>(v: &'v Value, path: &[String]) -> Option<&'v Value> {
    let mut cur = v;
    for pe in path {
        cur = if let Some(f) = pe.strip_prefix("f:") {
            cur.get(f)?
        } else if let Some(k) = pe.strip_prefix("k:") {
            let key: Value = serde_json::from_str(k).ok()?;
            let key = key.as_object()?;
            cur.as_array()?
                .iter()
                .find(|item| key.iter().all(|(kk, kv)| item.get(kk) == Some(kv)))?
        } else {
            return None;
        };
    }
    (!cur.is_null()).then_some(cur)
}

/// Whether `path` names a `containers` item (compared by existence, not value).
pub fn is_item(path: &[String]) -> bool {
    path.last().is_some_and(|l| l.starts_with("k:"))
}

/// The path as the server prints it in a conflict (`.spec.template.spec.containers[name="app"].image`).
pub fn path_text(path: &[String]) -> String {
    let mut s = String::new();
    for pe in path {
        if let Some(f) = pe.strip_prefix("f:") {
            s.push('.');
            s.push_str(f);
        } else if let Some(k) = pe.strip_prefix("k:") {
            let key: Value = serde_json::from_str(k).unwrap();
            let parts: Vec<String> = key
                .as_object()
                .unwrap()
                .iter()
                .map(|(kk, kv)| format!("{kk}={kv}"))
                .collect();
            s.push('[');
            s.push_str(&parts.join(","));
            s.push(']');
        }
    }
    s
}
