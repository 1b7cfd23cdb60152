//! The CRDs and objects of the schema properties (`fuzz_schema.rs`): a CRD envelope with
//! CRD-level junk around a schema of `schemas.rs`, and objects generated near the shape of a
//! schema (right and wrong types, missing and extra fields, nulls, huge numbers, odd
//! strings).

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::schemas::*;

/// Junk at the CRD level, applied to an otherwise valid envelope.
#[derive(Debug, Clone, Copy)]
pub enum Junk {
    None,
    NameNotPluralGroup,
    GroupWithoutDot,
    NoStorageVersion,
    TwoStorageVersions,
    BogusScope,
    NoSchema,
    KindLowercase,
}

pub fn junk() -> impl Strategy<Value = Junk> {
    prop_oneof![
        12 => Just(Junk::None),
        1 => Just(Junk::NameNotPluralGroup),
        1 => Just(Junk::GroupWithoutDot),
        1 => Just(Junk::NoStorageVersion),
        1 => Just(Junk::TwoStorageVersions),
        1 => Just(Junk::BogusScope),
        1 => Just(Junk::NoSchema),
        1 => Just(Junk::KindLowercase),
    ]
}

/// The CRD body for `schema`, namespaced or cluster-scoped, spoiled by `junk`.
pub fn crd_body(schema: &Value, namespaced: bool, junk: Junk) -> Value {
    let version = |name: &str, storage: bool| {
        json!({
            "name": name, "served": true, "storage": storage,
            "schema": {"openAPIV3Schema": schema},
        })
    };
    let mut crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("{PLURAL}.{GROUP}")},
        "spec": {
            "group": GROUP,
            "scope": if namespaced { "Namespaced" } else { "Cluster" },
            "names": {"plural": PLURAL, "singular": "thing", "kind": KIND},
            "versions": [version(VERSION, true)],
        }
    });
    let spec = &mut crd["spec"];
    match junk {
        Junk::None => {}
        Junk::NameNotPluralGroup => crd["metadata"]["name"] = json!("thing.example.com"),
        Junk::GroupWithoutDot => spec["group"] = json!("example"),
        Junk::NoStorageVersion => spec["versions"] = json!([version(VERSION, false)]),
        Junk::TwoStorageVersions => {
            spec["versions"] = json!([version(VERSION, true), version("v2", true)]);
        }
        Junk::BogusScope => spec["scope"] = json!("Bogus"),
        Junk::NoSchema => {
            spec["versions"][0]
                .as_object_mut()
                .expect("an object")
                .remove("schema");
        }
        Junk::KindLowercase => spec["names"]["kind"] = json!("thing kind"),
    }
    crd
}

/// A whole CRD: (body, namespaced, junk).
pub fn crd() -> impl Strategy<Value = (Value, bool)> {
    (
        root_schema(),
        prop::bool::weighted(0.7),
        junk(),
        version_extras(),
    )
        .prop_map(|(s, namespaced, j, extras)| {
            (with_extras(crd_body(&s, namespaced, j), extras), namespaced)
        })
}

fn schema_type(s: &Value) -> &str {
    s.get("type").and_then(Value::as_str).unwrap_or("")
}

/// A value near the shape of `schema`: mostly what its type asks for (enum members, fields
/// of its properties, items of its items), sometimes any JSON at all. `depth` bounds the
/// nesting.
pub fn value_near(schema: &Value, depth: u32) -> BoxedStrategy<Value> {
    let wild = odd_json().boxed();
    if depth == 0 {
        return wild;
    }
    let enum_values: Vec<Value> = schema
        .get("enum")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let near: BoxedStrategy<Value> = match schema_type(schema) {
        "object" => {
            let props: Vec<(String, Value)> = schema
                .get("properties")
                .and_then(Value::as_object)
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default();
            let extra = schema
                .get("additionalProperties")
                .filter(|a| a.is_object())
                .cloned()
                .unwrap_or(json!({}));
            let fields: Vec<BoxedStrategy<Option<(String, Value)>>> = props
                .into_iter()
                .map(|(k, s)| {
                    prop::option::weighted(0.75, value_near(&s, depth - 1))
                        .prop_map(move |v| v.map(|v| (k.clone(), v)))
                        .boxed()
                })
                .collect();
            (
                fields,
                prop::collection::vec((field(), value_near(&extra, depth - 1)), 0..2),
            )
                .prop_map(|(fields, extras)| {
                    let mut m = Map::new();
                    for (k, v) in extras {
                        m.insert(k, v);
                    }
                    for (k, v) in fields.into_iter().flatten() {
                        m.insert(k, v);
                    }
                    Value::Object(m)
                })
                .boxed()
        }
        "array" => {
            let items = schema.get("items").cloned().unwrap_or(json!({}));
            prop::collection::vec(value_near(&items, depth - 1), 0..4)
                .prop_map(Value::from)
                .boxed()
        }
        "string" => prop_oneof![
            2 => prop::sample::select(vec!["a", "b"]).prop_map(Value::from),
            4 => odd_string().prop_map(Value::from),
            1 => odd_number(),
        ]
        .boxed(),
        "integer" | "number" => prop_oneof![
            4 => odd_number(),
            1 => odd_string().prop_map(Value::from),
        ]
        .boxed(),
        "boolean" => any::<bool>().prop_map(Value::from).boxed(),
        _ => wild.clone(),
    };
    let near = if schema.get("x-kubernetes-embedded-resource") == Some(&json!(true)) {
        (near, embedded_envelope())
            .prop_map(|(v, envelope)| match v {
                Value::Object(mut m) => {
                    m.extend(envelope);
                    Value::Object(m)
                }
                other => other,
            })
            .boxed()
    } else {
        near
    };
    if enum_values.is_empty() {
        prop_oneof![8 => near, 1 => wild].boxed()
    } else {
        prop_oneof![
            4 => prop::sample::select(enum_values),
            4 => near,
            1 => wild,
        ]
        .boxed()
    }
}

/// The body of an object of the CRD near `schema` (the root's fields, with `apiVersion`,
/// `kind` and `metadata` laid over them).
pub fn object_near(schema: &Value) -> BoxedStrategy<Value> {
    value_near(schema, DEPTH + 1)
        .prop_map(|v| {
            let mut m = match v {
                Value::Object(m) => m,
                other => {
                    let mut m = Map::new();
                    m.insert("spec".into(), other);
                    m
                }
            };
            m.insert("apiVersion".into(), format!("{GROUP}/{VERSION}").into());
            m.insert("kind".into(), KIND.into());
            m.insert("metadata".into(), json!({"name": "o"}));
            Value::Object(m)
        })
        .boxed()
}

/// A merge patch near `schema`: an object near it, with some fields set to null.
pub fn merge_patch_near(schema: &Value) -> BoxedStrategy<Value> {
    (
        value_near(schema, DEPTH + 1),
        prop::collection::vec(field(), 0..2),
    )
        .prop_map(|(v, nulls)| {
            let mut m = match v {
                Value::Object(m) => m,
                other => {
                    let mut m = Map::new();
                    m.insert("spec".into(), other);
                    m
                }
            };
            m.remove("metadata");
            m.remove("apiVersion");
            m.remove("kind");
            for k in nulls {
                m.insert(k, Value::Null);
            }
            Value::Object(m)
        })
        .boxed()
}

/// The apiVersion, kind and metadata of an embedded resource: right, wrong or missing.
fn embedded_envelope() -> impl Strategy<Value = Map<String, Value>> {
    (
        prop::option::weighted(
            0.8,
            prop_oneof![Just(json!("v1")), Just(json!("a/b/c")), odd_scalar()],
        ),
        prop::option::weighted(0.8, prop_oneof![Just(json!("Pod")), odd_scalar()]),
        prop::option::weighted(
            0.6,
            prop_oneof![
                2 => (
                    prop::option::of(odd_string()),
                    prop::option::of(odd_string()),
                    prop::option::of(prop::collection::btree_map(odd_string(), odd_scalar(), 0..2)),
                    prop::option::of(odd_json()),
                )
                    .prop_map(|(name, generate_name, labels, junk)| {
                        let mut m = Map::new();
                        if let Some(n) = name {
                            m.insert("name".into(), n.into());
                        }
                        if let Some(n) = generate_name {
                            m.insert("generateName".into(), n.into());
                        }
                        if let Some(l) = labels {
                            m.insert("labels".into(), Value::Object(l.into_iter().collect()));
                        }
                        if let Some(j) = junk {
                            m.insert("junk".into(), j);
                        }
                        Value::Object(m)
                    }),
                1 => odd_json(),
            ],
        ),
    )
        .prop_map(|(api_version, kind, metadata)| {
            let mut m = Map::new();
            for (k, v) in [
                ("apiVersion", api_version),
                ("kind", kind),
                ("metadata", metadata),
            ] {
                if let Some(v) = v {
                    m.insert(k.into(), v);
                }
            }
            m
        })
}

pub const JSON_PATHS: &[&str] = &[
    ".spec.a",
    ".spec.b",
    ".spec",
    ".status.a",
    ".status.replicas",
    ".spec.a.b",
    ".metadata.name",
    ".metadata.labels",
    "spec.a",
    ".spec.a[0]",
    ".spec[*]",
    "",
    ".",
];

pub fn json_path() -> impl Strategy<Value = Value> + Clone {
    prop::sample::select(JSON_PATHS).prop_map(Value::from)
}

/// What a version may have besides its schema: subresources (status; scale with paths into
/// the schema, right or wrong) and selectable fields.
pub fn version_extras() -> impl Strategy<Value = Map<String, Value>> {
    (
        prop::option::weighted(0.5, Just(json!({}))),
        prop::option::weighted(
            0.4,
            (json_path(), json_path(), prop::option::of(json_path())),
        ),
        prop::option::weighted(0.3, prop::collection::vec(json_path(), 0..3)),
    )
        .prop_map(|(status, scale, selectable)| {
            let mut version = Map::new();
            let mut subresources = Map::new();
            if let Some(s) = status {
                subresources.insert("status".into(), s);
            }
            if let Some((spec, status, selector)) = scale {
                let mut scale = Map::new();
                scale.insert("specReplicasPath".into(), spec);
                scale.insert("statusReplicasPath".into(), status);
                if let Some(s) = selector {
                    scale.insert("labelSelectorPath".into(), s);
                }
                subresources.insert("scale".into(), Value::Object(scale));
            }
            if !subresources.is_empty() {
                version.insert("subresources".into(), Value::Object(subresources));
            }
            if let Some(paths) = selectable {
                let fields: Vec<Value> = paths
                    .into_iter()
                    .map(|p| json!({ "jsonPath": p }))
                    .collect();
                version.insert("selectableFields".into(), Value::from(fields));
            }
            version
        })
}

/// Lays `extras` over the first version of a CRD body.
pub fn with_extras(mut crd: Value, extras: Map<String, Value>) -> Value {
    if let Some(v) = crd["spec"]["versions"][0].as_object_mut() {
        v.extend(extras);
    }
    crd
}
