//! The bodies of the wire properties (`fuzz_http.rs`): random bytes, truncated JSON, JSON
//! near a valid object, and writes near valid ones.

use http::Method;
use proptest::prelude::*;
use serde_json::{Value, json};

use super::requests::{Req, query};

pub fn leaf() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        prop::sample::select(&[0i64, 1, -1, 3, i64::MAX][..]).prop_map(Value::from),
        prop::sample::select(&["", "w1", "red", "blue", "demo", "x/y", "1", "ü"][..])
            .prop_map(Value::from),
    ]
}

pub fn junk() -> impl Strategy<Value = Value> + Clone {
    leaf().prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(
                        &[
                            "spec", "status", "metadata", "replicas", "color", "name", "labels",
                            "op", "path", "value", "x"
                        ][..]
                    )
                    .prop_map(str::to_owned),
                    inner
                ),
                0..3
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// JSON near a valid widget, ConfigMap, Scale, DeleteOptions or JSON Patch.
pub fn near_json() -> impl Strategy<Value = Value> {
    let object = (
        prop::sample::select(
            &[
                "test.kobj.dev/v1",
                "v1",
                "autoscaling/v1",
                "test.kobj.dev/v2",
                "",
            ][..],
        ),
        prop::sample::select(
            &[
                "Widget",
                "ConfigMap",
                "Scale",
                "DeleteOptions",
                "Namespace",
                "",
            ][..],
        ),
        prop::sample::select(&["w1", "held", "new", "c1", "", "Bad_Name", "team"][..]),
        prop_oneof![Just(None), leaf().prop_map(Some), junk().prop_map(Some)],
        prop_oneof![Just(None), junk().prop_map(Some)],
        prop_oneof![3 => Just(None), 1 => junk().prop_map(Some)],
    )
        .prop_map(|(api_version, kind, name, replicas, labels, extra)| {
            let mut v = json!({
                "apiVersion": api_version,
                "kind": kind,
                "metadata": {"name": name},
                "spec": {"replicas": replicas.unwrap_or(json!(1)), "color": "red"},
            });
            if let Some(l) = labels {
                v["metadata"]["labels"] = l;
            }
            if let Some(e) = extra {
                v["status"] = e.clone();
                v["preconditions"] = e;
            }
            v
        });
    let op = (
        prop::sample::select(&["add", "remove", "replace", "move", "copy", "test", "x"][..]),
        prop::sample::select(
            &[
                "/spec/replicas",
                "/metadata/labels/a",
                "/metadata/name",
                "",
                "/",
                "/status",
                "/x/y",
            ][..],
        ),
        prop_oneof![Just(None), leaf().prop_map(Some)],
    )
        .prop_map(|(op, path, value)| {
            let mut o = json!({"op": op, "path": path, "from": "/spec"});
            if let Some(value) = value {
                o["value"] = value;
            }
            o
        });
    prop_oneof![
        4 => object,
        2 => prop::collection::vec(op, 0..3).prop_map(Value::Array),
        1 => junk(),
    ]
}

pub fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => Just(Vec::new()),
        4 => near_json().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        2 => (near_json(), any::<prop::sample::Index>()).prop_map(|(v, cut)| {
            let bytes = serde_json::to_vec(&v).unwrap();
            let at = cut.index(bytes.len().max(1));
            bytes[..at].to_vec()
        }),
        1 => near_json().prop_map(|v| serde_yaml::to_string(&v).unwrap().into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..48),
        1 => prop::sample::select(
            &["null", "[]", "{}", "1", "\"x\"", "{\"a\":1,\"a\":2}", "[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]",
              "{\"metadata\":{\"name\":\"w1\"}}", "---\n---\n", "\u{feff}{}"][..]
        )
        .prop_map(|s| s.as_bytes().to_vec()),
    ]
}

/// A write near a valid one: a real object path, the content type the method takes (mostly),
/// a body near the object at that path.
pub fn near_write() -> impl Strategy<Value = Req> {
    let target = prop::sample::select(
        &[
            (
                "/apis/test.kobj.dev/v1/namespaces/default/widgets",
                "w1",
                "test.kobj.dev/v1",
                "Widget",
            ),
            (
                "/apis/test.kobj.dev/v1/namespaces/default/widgets",
                "held",
                "test.kobj.dev/v1",
                "Widget",
            ),
            (
                "/apis/test.kobj.dev/v1/namespaces/team/widgets",
                "w3",
                "test.kobj.dev/v1",
                "Widget",
            ),
            (
                "/apis/test.kobj.dev/v1/namespaces/default/widgets",
                "new",
                "test.kobj.dev/v1",
                "Widget",
            ),
            (
                "/api/v1/namespaces/default/configmaps",
                "c1",
                "v1",
                "ConfigMap",
            ),
            (
                "/api/v1/namespaces/default/configmaps",
                "new",
                "v1",
                "ConfigMap",
            ),
            ("/api/v1/namespaces", "team", "v1", "Namespace"),
        ][..],
    );
    let verb = prop::sample::select(
        &[
            ("POST", "application/json", false, ""),
            ("PUT", "application/json", true, ""),
            ("PUT", "application/json", true, "/status"),
            ("PATCH", "application/merge-patch+json", true, ""),
            ("PATCH", "application/merge-patch+json", true, "/status"),
            ("PATCH", "application/merge-patch+json", true, "/scale"),
            ("PATCH", "application/json-patch+json", true, ""),
            ("PATCH", "application/json-patch+json", true, "/scale"),
            ("PATCH", "application/strategic-merge-patch+json", true, ""),
            ("PATCH", "application/apply-patch+yaml", true, ""),
            ("PATCH", "application/apply-patch+yaml", true, "/status"),
            ("PUT", "application/json", true, "/scale"),
            ("DELETE", "application/json", true, ""),
            ("DELETE", "application/json", false, ""),
        ][..],
    );
    let metadata = (
        prop_oneof![6 => Just(None), 1 => prop::sample::select(&["w1", "other", "", "Bad"][..]).prop_map(Some)],
        prop_oneof![3 => Just(None), 1 => junk().prop_map(Some)],
        prop_oneof![4 => Just(None), 1 => prop::sample::select(&["1", "0", "x", "99999"][..]).prop_map(Some)],
        prop_oneof![4 => Just(None), 1 => junk().prop_map(Some)],
    );
    let spec = prop_oneof![
        3 => (prop_oneof![leaf(), Just(json!(5))], prop::sample::select(&["red", "blue", "green"][..]))
            .prop_map(|(r, c)| json!({"replicas": r, "color": c})),
        1 => junk(),
    ];
    let ops = prop::collection::vec(
        (
            prop::sample::select(&["add", "replace", "remove", "test", "move", "copy"][..]),
            prop::sample::select(
                &[
                    "/spec/replicas",
                    "/spec/color",
                    "/metadata/labels",
                    "/metadata/labels/a",
                    "/metadata/finalizers",
                    "/metadata/finalizers/0",
                    "/status",
                    "/data/k",
                    "/metadata/name",
                    "/metadata/namespace",
                    "/metadata/resourceVersion",
                ][..],
            ),
            prop_oneof![leaf(), junk()],
        ),
        1..3,
    );
    (
        target,
        verb,
        metadata,
        spec,
        junk(),
        ops,
        query(),
        prop::bool::weighted(0.9),
    )
        .prop_map(
            |((base, name, api_version, kind), (method, ct, named, sub), (rename, labels, rv, finalizers), spec, status, ops, query, right_type)| {
                let mut meta = json!({"name": rename.unwrap_or(name)});
                if let Some(l) = labels {
                    meta["labels"] = l;
                }
                if let Some(rv) = rv {
                    meta["resourceVersion"] = json!(rv);
                }
                if let Some(f) = finalizers {
                    meta["finalizers"] = f;
                }
                let mut object = json!({"apiVersion": api_version, "kind": kind, "metadata": meta});
                if kind == "ConfigMap" {
                    object["data"] = json!({"k": spec.get("color").cloned().unwrap_or(spec.clone())});
                } else {
                    object["spec"] = spec;
                }
                object["status"] = status;
                let body = match (method, ct) {
                    ("PATCH", "application/json-patch+json") => Value::Array(
                        ops.into_iter()
                            .map(|(op, path, value)| json!({"op": op, "path": path, "from": "/spec/replicas", "value": value}))
                            .collect(),
                    ),
                    ("PATCH", _) if sub == "/scale" => json!({"spec": object["spec"].get("replicas").cloned().unwrap_or(Value::Null)}),
                    ("PUT", _) if sub == "/scale" => json!({"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": object["metadata"].clone(), "spec": {"replicas": object["spec"].get("replicas").cloned().unwrap_or(Value::Null)}}),
                    ("DELETE", _) => json!({"kind": "DeleteOptions", "apiVersion": "v1", "preconditions": object["metadata"].get("resourceVersion").map(|rv| json!({"resourceVersion": rv})).unwrap_or(Value::Null)}),
                    _ => object,
                };
                let path = if named { format!("{base}/{name}{sub}") } else { base.to_owned() };
                Req {
                    method: Method::from_bytes(method.as_bytes()).unwrap(),
                    path,
                    query,
                    content_type: Some(if right_type { ct.to_owned() } else { "application/merge-patch+json".to_owned() }),
                    accept: None,
                    body: serde_json::to_vec(&body).unwrap(),
                }
            },
        )
}
