//! The inputs of the bad-input properties (`fuzz_bad_input.rs`): JSON biased toward objects
//! near a valid one (the right or a wrong `apiVersion`/`kind`, metadata members with odd
//! values, labels with odd keys, random extra fields), and patches of the four kinds, JSON
//! Patch operations included, on paths that do and do not exist.

use kobj_core::ResourceType;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::support::configmaps_by_gvk;
use crate::common::widgets;

/// Stands for the object's current resourceVersion in a generated body.
pub const CURRENT_RV: &str = "@current-rv";
/// Stands for the object's uid in a generated body.
pub const CURRENT_UID: &str = "@current-uid";

pub const ODD_STRINGS: &[&str] = &[
    "",
    "a",
    "b",
    "cm",
    "A",
    "-a",
    "a-",
    "a.b",
    "a..b",
    "a/b",
    "a b",
    "a_b",
    ".",
    "..",
    "default",
    "kube-system",
    "missing",
    "0",
    "-1",
    "1e3",
    "true",
    "null",
    "ü",
    "\u{0}",
    "a\nb",
    "{}",
    "[]",
    "/",
    "~",
    "~1",
    "$patch",
    "delete",
    "replace",
    "merge",
    "example.com/v1",
    "example.com/hold",
    "v1",
    "apps/v1",
    "Widget",
    "ConfigMap",
    "red",
    "pink",
    "2024-01-01T00:00:00Z",
    "not-a-time",
    "99999999999999999999999",
];

pub fn odd_string() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        6 => prop::sample::select(ODD_STRINGS).prop_map(str::to_owned),
        2 => "[a-z0-9./-]{0,12}",
        1 => "\\PC{0,6}",
        1 => (60usize..320).prop_map(|n| "x".repeat(n)),
    ]
}

pub fn odd_value() -> impl Strategy<Value = Value> + Clone {
    odd_string().prop_map(Value::from)
}

pub const KEYS: &[&str] = &[
    "a",
    "b",
    "x",
    "spec",
    "status",
    "metadata",
    "data",
    "color",
    "replicas",
    "size",
    "note",
    "name",
    "labels",
    "$patch",
    "$retainKeys",
    "$setElementOrder/data",
    "$deleteFromPrimitiveList/finalizers",
    "apiVersion",
    "kind",
];

pub fn key() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        3 => prop::sample::select(KEYS).prop_map(str::to_owned),
        1 => odd_string(),
    ]
}

pub fn leaf() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::from),
        1 => prop::sample::select(&[0i64, 1, -1, 2, 63, 64, 1 << 53, i64::MAX, i64::MIN][..])
            .prop_map(Value::from),
        1 => Just(json!(u64::MAX)),
        1 => prop::sample::select(&[0.5f64, -0.0, 1e300, 2.0, -3.25][..]).prop_map(Value::from),
        3 => odd_value(),
    ]
}

/// Any JSON value, at most three levels deep.
pub fn junk() -> impl Strategy<Value = Value> + Clone {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

pub fn object_of(
    entries: impl Strategy<Value = Vec<(String, Value)>>,
) -> impl Strategy<Value = Value> {
    entries.prop_map(|kv| Value::Object(kv.into_iter().collect()))
}

/// Labels or annotations: mostly string to string with odd keys and values, sometimes junk.
pub fn string_map() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        4 => object_of(prop::collection::vec((odd_string(), odd_value()), 0..3)).boxed(),
        1 => junk().boxed(),
    ]
}

pub fn resource_version() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        3 => Just(json!(CURRENT_RV)),
        1 => prop::sample::select(&["0", "1", "2", "", "-1", "abc", "18446744073709551616"][..])
            .prop_map(Value::from),
        1 => odd_value(),
        1 => junk(),
    ]
}

pub fn uid() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        2 => Just(json!(CURRENT_UID)),
        1 => odd_value(),
        1 => junk(),
    ]
}

pub fn time() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        2 => prop::sample::select(
            &["2024-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "2024-13-40T99:99:99Z", "yesterday"][..]
        )
        .prop_map(Value::from),
        1 => junk(),
    ]
}

pub fn owner_references() -> impl Strategy<Value = Value> + Clone {
    let reference = object_of(prop::collection::vec(
        (
            prop::sample::select(
                &[
                    "apiVersion",
                    "kind",
                    "name",
                    "uid",
                    "controller",
                    "blockOwnerDeletion",
                ][..],
            )
            .prop_map(str::to_owned),
            prop_oneof![3 => odd_value(), 1 => any::<bool>().prop_map(Value::from)],
        ),
        0..6,
    ));
    prop_oneof![
        3 => prop::collection::vec(reference, 0..3).prop_map(Value::Array).boxed(),
        1 => junk().boxed(),
    ]
}

/// One metadata member with a value of the right type (mostly) but an odd content.
pub fn metadata_member() -> impl Strategy<Value = (String, Value)> + Clone {
    let member = |k: &'static str| Just(k.to_owned());
    prop_oneof![
        (
            member("namespace"),
            prop_oneof![2 => Just(json!("default")), 1 => odd_value()]
        ),
        (member("labels"), string_map()),
        (member("annotations"), string_map()),
        (member("generateName"), odd_value()),
        (member("resourceVersion"), resource_version()),
        (member("uid"), uid()),
        (
            member("finalizers"),
            prop_oneof![
                3 => prop::collection::vec(odd_value(), 0..3).prop_map(Value::Array).boxed(),
                1 => junk().boxed(),
            ]
        ),
        (member("ownerReferences"), owner_references()),
        (member("creationTimestamp"), time()),
        (member("deletionTimestamp"), time()),
        (
            member("deletionGracePeriodSeconds"),
            prop::sample::select(&[-1i64, 0, 30, i64::MAX][..]).prop_map(Value::from)
        ),
        (
            member("generation"),
            prop::sample::select(&[-1i64, 0, 1, 7, i64::MAX][..]).prop_map(Value::from)
        ),
        (member("managedFields"), junk()),
        (member("selfLink"), odd_value()),
        (key(), junk()),
    ]
}

/// Metadata near a valid one, named by `name` (`Null` leaves the name out).
pub fn metadata(
    name: impl Strategy<Value = Value> + Clone + 'static,
) -> impl Strategy<Value = Value> + Clone {
    let near = (name, prop::collection::vec(metadata_member(), 0..4)).prop_map(|(name, rest)| {
        let mut m = Map::new();
        if !name.is_null() {
            m.insert("name".into(), name);
        }
        m.extend(rest);
        Value::Object(m)
    });
    prop_oneof![8 => near.boxed(), 1 => junk().boxed()]
}

pub fn spec() -> impl Strategy<Value = Value> + Clone {
    let value = prop_oneof![
        2 => prop::sample::select(&["red", "green", "blue", "pink"][..]).prop_map(Value::from),
        2 => prop::sample::select(&[0i64, 1, 3, -5, i64::MAX][..]).prop_map(Value::from),
        2 => junk(),
    ];
    let field = prop_oneof![
        3 => prop::sample::select(&["color", "replicas", "size", "note"][..]).prop_map(str::to_owned),
        1 => key(),
    ];
    prop_oneof![
        4 => object_of(prop::collection::vec((field, value), 0..4)).boxed(),
        1 => junk().boxed(),
    ]
}

/// A ConfigMap's `data` or `binaryData`.
pub fn data() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        4 => object_of(prop::collection::vec(
            (odd_string(), prop_oneof![3 => odd_value(), 1 => junk()]),
            0..3
        ))
        .boxed(),
        1 => junk().boxed(),
    ]
}

/// A top-level member other than the type and metadata.
pub fn top_member() -> impl Strategy<Value = (String, Value)> + Clone {
    let member = |k: &'static str| Just(k.to_owned());
    prop_oneof![
        3 => (member("spec"), spec()),
        1 => (member("status"), junk()),
        2 => (member("data"), data()),
        1 => (member("binaryData"), data()),
        1 => (member("immutable"), prop_oneof![any::<bool>().prop_map(Value::from), junk()]),
        2 => (key(), junk()),
    ]
}

/// `Null` leaves a member out.
pub fn type_field(good: &'static str) -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        6 => Just(json!(good)),
        1 => Just(Value::Null),
        1 => odd_value(),
        1 => junk(),
    ]
}

/// A body near a valid `api_version`/`kind` object named by `name`.
pub fn body(
    api_version: &'static str,
    kind: &'static str,
    name: impl Strategy<Value = Value> + Clone + 'static,
) -> impl Strategy<Value = Value> + Clone {
    (
        type_field(api_version),
        type_field(kind),
        prop_oneof![12 => metadata(name).prop_map(Some), 1 => Just(None)],
        prop::collection::vec(top_member(), 0..4),
    )
        .prop_map(|(api_version, kind, metadata, rest)| {
            let mut m = Map::new();
            if !api_version.is_null() {
                m.insert("apiVersion".into(), api_version);
            }
            if !kind.is_null() {
                m.insert("kind".into(), kind);
            }
            if let Some(metadata) = metadata {
                m.insert("metadata".into(), metadata);
            }
            m.extend(rest);
            Value::Object(m)
        })
}

/// A name for a create: often valid, often not.
pub fn create_name() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        3 => prop::sample::select(&["a", "b", "w-1", "x.y"][..]).prop_map(Value::from),
        1 => Just(Value::Null),
        3 => odd_value(),
        1 => junk(),
    ]
}

/// The name for a write to the existing object `existing`.
pub fn same_name(existing: &'static str) -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        6 => Just(json!(existing)),
        1 => Just(Value::Null),
        1 => odd_value(),
    ]
}

/// What a patch may target: the widget `a` or the ConfigMap `cm`.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    Widget,
    ConfigMap,
}

impl Target {
    pub fn resource(self) -> ResourceType {
        match self {
            Target::Widget => widgets(),
            Target::ConfigMap => configmaps_by_gvk(),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Target::Widget => "a",
            Target::ConfigMap => "cm",
        }
    }
}

pub fn target() -> impl Strategy<Value = Target> + Clone {
    prop_oneof![Just(Target::Widget), Just(Target::ConfigMap)]
}

pub const OPS: &[&str] = &["add", "remove", "replace", "move", "copy", "test"];

pub const PATHS: &[&str] = &[
    "",
    "/",
    "/-",
    "/0",
    "/apiVersion",
    "/kind",
    "/metadata",
    "/metadata/name",
    "/metadata/namespace",
    "/metadata/uid",
    "/metadata/resourceVersion",
    "/metadata/generation",
    "/metadata/creationTimestamp",
    "/metadata/deletionTimestamp",
    "/metadata/labels",
    "/metadata/labels/a",
    "/metadata/labels/b",
    "/metadata/labels/a~1b",
    "/metadata/annotations/x",
    "/metadata/finalizers",
    "/metadata/finalizers/0",
    "/metadata/finalizers/-",
    "/metadata/managedFields",
    "/metadata/managedFields/0",
    "/metadata/ownerReferences/-",
    "/spec",
    "/spec/x",
    "/spec/x/y",
    "/spec/color",
    "/spec/replicas",
    "/status",
    "/data",
    "/data/k",
    "/data/new",
    "/binaryData",
    "/~01",
    "/a~2b",
    "spec",
];

pub fn path() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        6 => prop::sample::select(PATHS).prop_map(str::to_owned),
        1 => "(/[a-z~01-]{0,3}){0,3}",
    ]
}

/// One JSON Patch operation, sometimes with a member missing or of the wrong type.
pub fn operation() -> impl Strategy<Value = Value> + Clone {
    (
        prop::sample::select(OPS),
        path(),
        path(),
        prop_oneof![
            4 => junk().prop_map(Some),
            2 => metadata(same_name("a")).prop_map(Some),
            1 => Just(None),
        ],
    )
        .prop_map(|(op, path, from, value)| {
            let mut m = Map::new();
            m.insert("op".into(), json!(op));
            m.insert("path".into(), json!(path));
            if matches!(op, "move" | "copy") {
                m.insert("from".into(), json!(from));
            }
            if let Some(value) = value {
                m.insert("value".into(), value);
            }
            Value::Object(m)
        })
}

/// A patch of any of the four kinds, near the target's shape.
pub fn patch(target: Target) -> impl Strategy<Value = Value> + Clone {
    let (api_version, kind) = match target {
        Target::Widget => ("example.com/v1", "Widget"),
        Target::ConfigMap => ("v1", "ConfigMap"),
    };
    prop_oneof![
        2 => junk(),
        3 => body(api_version, kind, same_name(target.name())),
    ]
}

#[derive(Clone, Debug)]
pub enum PatchInput {
    Merge(Value),
    Json(Vec<Value>),
    Strategic(Value),
    Apply { body: Value, force: bool },
}

pub fn patch_case() -> impl Strategy<Value = (Target, PatchInput)> {
    target().prop_flat_map(|t| {
        let input = prop_oneof![
            patch(t).prop_map(PatchInput::Merge),
            prop::collection::vec(operation(), 0..4).prop_map(PatchInput::Json),
            patch(t).prop_map(PatchInput::Strategic),
            (patch(t), any::<bool>()).prop_map(|(body, force)| PatchInput::Apply { body, force }),
        ];
        (Just(t), input)
    })
}
