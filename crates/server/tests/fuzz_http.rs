//! Property tests for the wire: random requests through the router, in process (no socket).
//! The router never panics; every 4xx/5xx answer is a JSON `Status` (kind `Status`, apiVersion
//! `v1`, status `Failure`, a `code` equal to the HTTP status and a message), except the plain
//! `404 page not found` of an unrouted path (rule 5); and a request that got 4xx/5xx, or any
//! GET, leaves the cluster's state (`dump_yaml`) as it was.
//!
//! The requests are generated near valid ones: real resource paths with odd segments,
//! percent-encodings, unknown groups, versions and resources and trailing slashes; query
//! strings with the API server's parameter names and random values; every patch content type
//! and garbage ones; bodies of random bytes, truncated JSON and JSON near a valid object.
//! Watches are read for a bounded time only. Each case runs on a fresh cluster, so a failure
//! shrinks to a request that replays alone.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use common::*;
use http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use kobj_fake::FakeCluster;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};
use tower::ServiceExt;

/// Cases per property: enough to cover the shapes, few enough for a fast debug `cargo test`.
const CASES: u32 = 64;

// ---------------------------------------------------------------------------------------
// The cluster
// ---------------------------------------------------------------------------------------

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// The widget CRD, a namespace `team`, widgets `default/w1`, `default/held` (a finalizer)
/// and `team/w3`, and the ConfigMap `default/c1`.
async fn seeded() -> (FakeCluster, Router) {
    // A resourceVersion ahead of the cluster is refused after 50 ms rather than 3 s.
    let cluster = FakeCluster::builder()
        .too_large_resource_version_wait(Duration::from_millis(50))
        .build()
        .unwrap();
    let router = kobj_server::router(cluster.clone(), kobj_server::ServerConfig::default());
    let r = send_json(
        &router,
        Method::POST,
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        &widget_crd(),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = send_json(
        &router,
        Method::POST,
        "/api/v1/namespaces",
        &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    create_widget(&router, "default", "w1", 1).await;
    create_widget(&router, "team", "w3", 3).await;
    let mut held = widget("held", 2);
    held["metadata"]["finalizers"] = json!(["test.kobj.dev/hold"]);
    let r = send_json(&router, Method::POST, &widgets("default"), &held).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = send_json(
        &router,
        Method::POST,
        "/api/v1/namespaces/default/configmaps",
        &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c1", "labels": {"app": "demo"}}, "data": {"k": "v"}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    (cluster, router)
}

// ---------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------

/// One generated request.
#[derive(Clone, Debug)]
struct Req {
    method: Method,
    path: String,
    query: Vec<(String, String, bool)>,
    content_type: Option<String>,
    accept: Option<String>,
    body: Vec<u8>,
}

impl Req {
    fn uri(&self) -> String {
        if self.query.is_empty() {
            return self.path.clone();
        }
        let query: Vec<String> = self
            .query
            .iter()
            .map(|(k, v, encode)| {
                if *encode {
                    form_urlencoded::Serializer::new(String::new())
                        .append_pair(k, v)
                        .finish()
                } else {
                    format!("{k}={v}")
                }
            })
            .collect();
        format!("{}?{}", self.path, query.join("&"))
    }

    fn is_watch(&self) -> bool {
        self.path.contains("/watch/")
            || self.query.iter().any(|(k, v, _)| {
                k == "watch" && matches!(v.as_str(), "1" | "t" | "T" | "true" | "TRUE" | "True")
            })
    }
}

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![
        4 => Just(Method::GET),
        2 => Just(Method::POST),
        2 => Just(Method::PUT),
        3 => Just(Method::PATCH),
        2 => Just(Method::DELETE),
        1 => Just(Method::HEAD),
        1 => Just(Method::OPTIONS),
        1 => Just(Method::from_bytes(b"FROB").unwrap()),
    ]
}

/// A path segment that is a valid URI path character sequence: names, percent-encodings
/// (valid and not), dots.
fn odd_segment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(
            &["", "a", "x", "..", ".", "%2e%2e", "%2F", "a%2Fb", "%20", "a%00b", "%ZZ", "%",
              "%e2%82%ac", "UPPER", "w1%20", "-", "_", "~", "a;b", "a:b", "@", "!", "$", "'",
              "(", "*", "+", ",", "="][..]
        )
        .prop_map(str::to_owned),
        2 => "[a-z0-9.%_~-]{0,10}",
        1 => (250usize..300).prop_map(|n| "x".repeat(n)),
    ]
}

fn namespace_segment() -> impl Strategy<Value = String> {
    prop_oneof![
        5 => Just("default".to_owned()),
        2 => Just("team".to_owned()),
        1 => Just("missing".to_owned()),
        1 => Just("kube-system".to_owned()),
        2 => odd_segment(),
    ]
}

fn resource_segment() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(
            &["widgets", "configmaps", "namespaces", "secrets", "pods", "deployments",
              "customresourcedefinitions", "Widgets", "widget", "wd", "widgets.test.kobj.dev",
              "events", "leases", "nothings"][..]
        )
        .prop_map(str::to_owned),
        1 => odd_segment(),
    ]
}

fn name_segment() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(&["w1", "held", "w3", "c1", "default", "team", "missing", "new"][..])
            .prop_map(str::to_owned),
        3 => odd_segment(),
    ]
}

/// The group and version prefix of a path.
fn prefix() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just("/apis/test.kobj.dev/v1".to_owned()),
        4 => Just("/api/v1".to_owned()),
        1 => Just("/apis/apps/v1".to_owned()),
        1 => Just("/apis/apiextensions.k8s.io/v1".to_owned()),
        1 => Just("/apis/test.kobj.dev/v2".to_owned()),
        1 => Just("/apis/nope.example.com/v1".to_owned()),
        1 => Just("/api/v2".to_owned()),
        1 => Just("/apis/test.kobj.dev".to_owned()),
        1 => Just("/apis".to_owned()),
        1 => Just("/api".to_owned()),
        1 => Just("".to_owned()),
        1 => Just("/openapi/v3".to_owned()),
        1 => Just("/openapi/v2".to_owned()),
        1 => Just("/version".to_owned()),
        1 => Just("/healthz".to_owned()),
        1 => odd_segment().prop_map(|s| format!("/{s}")),
    ]
}

/// A path: a prefix, `watch/` now and then, a namespace, a resource, a name, a
/// subresource, extra segments, a trailing slash.
fn path() -> impl Strategy<Value = String> {
    (
        prefix(),
        prop::bool::weighted(0.1),
        prop_oneof![3 => namespace_segment().prop_map(Some), 1 => Just(None)],
        prop_oneof![8 => resource_segment().prop_map(Some), 1 => Just(None)],
        prop_oneof![3 => name_segment().prop_map(Some), 2 => Just(None)],
        prop_oneof![
            6 => Just(None),
            2 => prop::sample::select(&["status", "scale", "bogus", "finalize", "status/extra", ""][..])
                .prop_map(|s| Some(s.to_owned())),
        ],
        prop::collection::vec(odd_segment(), 0..2),
        prop::bool::weighted(0.15),
    )
        .prop_map(|(prefix, watch, ns, resource, name, sub, extra, slash)| {
            let mut p = prefix;
            if watch {
                p.push_str("/watch");
            }
            if let Some(ns) = ns {
                p.push_str("/namespaces/");
                p.push_str(&ns);
            }
            if let Some(r) = resource {
                p.push('/');
                p.push_str(&r);
                if let Some(n) = name {
                    p.push('/');
                    p.push_str(&n);
                    if let Some(s) = sub {
                        p.push('/');
                        p.push_str(&s);
                    }
                }
            }
            for e in extra.iter().take(usize::from(extra.len() > 1)) {
                p.push('/');
                p.push_str(e);
            }
            if slash {
                p.push('/');
            }
            if p.is_empty() { "/".to_owned() } else { p }
        })
}

/// Real collections.
const COLLECTIONS: &[&str] = &[
    "/apis/test.kobj.dev/v1/namespaces/default/widgets",
    "/apis/test.kobj.dev/v1/namespaces/team/widgets",
    "/apis/test.kobj.dev/v1/widgets",
    "/api/v1/namespaces/default/configmaps",
    "/api/v1/configmaps",
    "/api/v1/namespaces",
];

/// A path to a real collection or object, where the handlers (not the router) decide.
fn real_path() -> impl Strategy<Value = String> {
    (
        prop::sample::select(COLLECTIONS),
        prop_oneof![
            2 => Just(None),
            3 => prop::sample::select(&["w1", "held", "w3", "c1", "default", "team", "new"][..])
                .prop_map(|s| Some(s.to_owned())),
            1 => odd_segment().prop_map(Some),
        ],
        prop_oneof![
            5 => Just(""),
            1 => Just("/status"),
            1 => Just("/scale"),
        ],
    )
        .prop_map(|(base, name, sub)| match name {
            Some(n) => format!("{base}/{n}{sub}"),
            None => base.to_owned(),
        })
}

const QUERY_KEYS: &[&str] = &[
    "labelSelector",
    "fieldSelector",
    "limit",
    "continue",
    "watch",
    "timeoutSeconds",
    "dryRun",
    "fieldManager",
    "fieldValidation",
    "propagationPolicy",
    "pretty",
    "resourceVersion",
    "resourceVersionMatch",
    "allowWatchBookmarks",
    "sendInitialEvents",
    "force",
    "gracePeriodSeconds",
    "orphanDependents",
    "includeObject",
];

fn query_value(key: &'static str) -> BoxedStrategy<String> {
    let pool: &'static [&'static str] = match key {
        "labelSelector" => &[
            "app=demo",
            "app!=demo",
            "app in (demo,x)",
            "!app",
            "app",
            "a>1",
            "app in (",
            "a)",
            "=",
            ",",
            "app=demo,",
            "x/y/z=1",
        ],
        "fieldSelector" => &[
            "metadata.name=w1",
            "metadata.name!=w1",
            "metadata.namespace=default",
            "spec.color=red",
            "metadata.name",
            "=x",
            "metadata.name=w1,",
        ],
        "limit" => &[
            "0",
            "1",
            "2",
            "-1",
            "4294967296",
            "99999999999999999999",
            "x",
            "",
        ],
        "continue" => &[
            "",
            "abc",
            "e30",
            "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MSwic3RhcnQiOiJ6enovYVx1MDAwMCJ9",
            "!!",
        ],
        "watch"
        | "allowWatchBookmarks"
        | "sendInitialEvents"
        | "force"
        | "orphanDependents"
        | "pretty" => &["true", "1", "false", "0", "yes", ""],
        // A watch's timeout stays short: the property reads a stream for a bounded time.
        "timeoutSeconds" => &["0", "1", "-1", "x", "99999999999999999999"],
        "dryRun" => &["All", "all", "", "None"],
        "fieldManager" => &["me", "", "kubectl-client-side-apply", "a\u{1}b"],
        "fieldValidation" => &["Strict", "Warn", "Ignore", "strict", ""],
        "propagationPolicy" => &["Orphan", "Background", "Foreground", "orphan", ""],
        "resourceVersion" => &["", "0", "1", "99999999", "-1", "abc"],
        "resourceVersionMatch" => &["Exact", "NotOlderThan", "exact", ""],
        "gracePeriodSeconds" => &["0", "30", "-1", "x"],
        "includeObject" => &["None", "Metadata", "Object", "x"],
        _ => &["", "x"],
    };
    prop_oneof![
        5 => prop::sample::select(pool).prop_map(str::to_owned),
        1 => "\\PC{0,6}",
    ]
    .boxed()
}

/// A query string's pairs: keys from the API server's parameters (sometimes odd ones), and
/// values near valid ones; encoded, or sent raw when the raw text is a valid URI.
fn query() -> impl Strategy<Value = Vec<(String, String, bool)>> {
    let pair = prop_oneof![
        8 => prop::sample::select(QUERY_KEYS)
            .prop_flat_map(|k| (Just(k.to_owned()), query_value(k))),
        1 => ("[a-zA-Z%&=]{0,6}", "[a-z%=&+]{0,6}"),
    ];
    prop::collection::vec((pair, prop::bool::weighted(0.85)), 0..4).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|((k, v), encode)| (k, v, encode))
            .collect()
    })
}

fn content_type() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        1 => Just(None),
        4 => prop::sample::select(
            &["application/json", "application/merge-patch+json", "application/json-patch+json",
              "application/strategic-merge-patch+json", "application/apply-patch+yaml",
              "application/yaml", "application/vnd.kubernetes.protobuf", "text/plain",
              "application/json; charset=utf-8", "application/merge-patch+json;charset=UTF-8",
              "a/b;c=", "garbage", "", "*/*", "application/json-patch+json; x"][..]
        )
        .prop_map(|s| Some(s.to_owned())),
    ]
}

fn accept() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        6 => Just(None),
        2 => prop::sample::select(
            &["application/json", "application/yaml", "*/*",
              "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
              "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io",
              "application/vnd.kubernetes.protobuf", "text/html", "garbage;;;", ""][..]
        )
        .prop_map(|s| Some(s.to_owned())),
    ]
}

fn leaf() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        prop::sample::select(&[0i64, 1, -1, 3, i64::MAX][..]).prop_map(Value::from),
        prop::sample::select(&["", "w1", "red", "blue", "demo", "x/y", "1", "ü"][..])
            .prop_map(Value::from),
    ]
}

fn junk() -> impl Strategy<Value = Value> + Clone {
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
fn near_json() -> impl Strategy<Value = Value> {
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

fn body() -> impl Strategy<Value = Vec<u8>> {
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
fn near_write() -> impl Strategy<Value = Req> {
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

fn request(path: BoxedStrategy<String>) -> impl Strategy<Value = Req> {
    (method(), path, query(), content_type(), accept(), body()).prop_map(
        |(method, path, query, content_type, accept, body)| Req {
            method,
            path,
            query,
            content_type,
            accept,
            body,
        },
    )
}

// ---------------------------------------------------------------------------------------
// Running a case
// ---------------------------------------------------------------------------------------

/// What came back: the status, the content type and as much of the body as arrived within
/// a bounded time (a watch streams).
struct Answer {
    status: StatusCode,
    content_type: Option<String>,
    body: Vec<u8>,
}

async fn send(router: &Router, r: &Req) -> Result<Answer, TestCaseError> {
    let mut builder = Request::builder().method(r.method.clone()).uri(r.uri());
    if let Some(ct) = &r.content_type {
        builder = builder.header("content-type", ct.as_str());
    }
    if let Some(a) = &r.accept {
        builder = builder.header("accept", a.as_str());
    }
    let req = builder.body(Body::from(r.body.clone()));
    // Only requests http can express reach a server.
    prop_assume!(req.is_ok(), "not an HTTP request");
    let resp = tokio::time::timeout(
        Duration::from_secs(10),
        router.clone().oneshot(req.unwrap()),
    )
    .await;
    prop_assert!(resp.is_ok(), "no answer within 10 s: {r:?}");
    let resp = resp.unwrap().unwrap();
    let status = resp.status();
    let content_type = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap_or("").to_owned());
    let mut body = resp.into_body();
    let mut bytes = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_millis(300);
    loop {
        let next = tokio::time::timeout_at(deadline, body.frame()).await;
        match next {
            Ok(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    bytes.extend_from_slice(data);
                }
            }
            Ok(Some(Err(e))) => prop_assert!(false, "the body failed: {e}"),
            Ok(None) => break,
            Err(_) => {
                // Only a watch may still be open.
                prop_assert!(
                    status.is_success() && r.is_watch(),
                    "a {status} body still open after 300 ms: {r:?}"
                );
                break;
            }
        }
    }
    Ok(Answer {
        status,
        content_type,
        body: bytes,
    })
}

/// The error envelope of rule 1 (or the plain 404 of rule 5).
fn check_error_body(r: &Req, a: &Answer) -> Result<(), TestCaseError> {
    let text = String::from_utf8_lossy(&a.body);
    if r.method == Method::HEAD {
        // A response to HEAD carries no body (axum drops it, as Go's net/http does).
        prop_assert!(a.body.is_empty(), "a body in answer to HEAD: {text:?}");
        return Ok(());
    }
    if a.status == StatusCode::NOT_FOUND && text == "404 page not found\n" {
        prop_assert_eq!(a.content_type.as_deref(), Some("text/plain; charset=utf-8"));
        return Ok(());
    }
    let s: Result<Value, _> = serde_json::from_slice(&a.body);
    prop_assert!(
        s.is_ok(),
        "a {} body that is not JSON: {text:?}\nfor {r:?}",
        a.status
    );
    let s = s.unwrap();
    prop_assert_eq!(&s["kind"], "Status", "{} {:?}", s, r);
    prop_assert_eq!(&s["apiVersion"], "v1", "{} {:?}", s, r);
    prop_assert_eq!(&s["status"], "Failure", "{} {:?}", s, r);
    prop_assert_eq!(
        s["code"].as_u64(),
        Some(u64::from(a.status.as_u16())),
        "{} {:?}",
        s,
        r
    );
    prop_assert!(
        s["message"].as_str().is_some_and(|m| !m.is_empty()),
        "a Status without a message: {s} for {r:?}"
    );
    prop_assert_eq!(
        a.content_type.as_deref(),
        Some("application/json"),
        "{} {:?}",
        s,
        r
    );
    Ok(())
}

/// A watch's body: one JSON event per line; an ERROR event carries a failure Status.
fn check_watch_body(r: &Req, a: &Answer) -> Result<(), TestCaseError> {
    let text = String::from_utf8_lossy(&a.body);
    // The last line may be cut off by the time limit.
    let complete = text.rsplit_once('\n').map_or("", |(done, _)| done);
    for line in complete.lines().filter(|l| !l.is_empty()) {
        let e: Result<Value, _> = serde_json::from_str(line);
        prop_assert!(
            e.is_ok(),
            "a watch line that is not JSON: {line:?} for {r:?}"
        );
        let e = e.unwrap();
        let kind = e["type"].as_str().unwrap_or("");
        prop_assert!(
            matches!(
                kind,
                "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR"
            ),
            "an event of type {kind:?}: {line} for {r:?}"
        );
        if kind == "ERROR" {
            prop_assert_eq!(&e["object"]["kind"], "Status", "{} {:?}", line, r);
            prop_assert!(
                e["object"]["code"]
                    .as_u64()
                    .is_some_and(|c| (400..600).contains(&c)),
                "an ERROR event without a failure code: {line} for {r:?}"
            );
        }
    }
    Ok(())
}

/// A deletecollection refused for one item (a failed precondition, 409) after deleting
/// others: the API server deletes item by item and returns the first error without undoing
/// the deletes that succeeded (`DeleteCollection` in the apiserver's registry/generic store),
/// and so does the fake. The refused item is named in the Status; the path names the
/// collection.
fn partial_delete_collection(r: &Req, a: &Answer) -> bool {
    let last = r
        .path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("");
    r.method == Method::DELETE
        && a.status == StatusCode::CONFLICT
        && serde_json::from_slice::<Value>(&a.body)
            .is_ok_and(|s| s["details"]["name"].as_str().is_some_and(|n| n != last))
}

async fn case(r: Req) -> Result<(), TestCaseError> {
    let (cluster, router) = seeded().await;
    let before = cluster.dump_yaml().unwrap();
    let a = send(&router, &r).await?;
    let after = cluster.dump_yaml().unwrap();
    if std::env::var_os("FUZZ_HTTP_TRACE").is_some() {
        eprintln!(
            "STAT {} {} {}",
            a.status.as_u16(),
            r.method,
            if a.status.is_server_error() {
                String::from_utf8_lossy(&a.body)
                    .chars()
                    .take(300)
                    .collect::<String>()
                    + &format!(" {r:?}")
            } else {
                String::new()
            }
        );
    }
    if a.status.is_client_error() || a.status.is_server_error() {
        check_error_body(&r, &a)?;
        prop_assert!(
            after == before || partial_delete_collection(&r, &a),
            "a refused request ({}: {}) changed the state: {r:?}\n--- before\n{before}\n--- after\n{after}",
            a.status,
            String::from_utf8_lossy(&a.body)
        );
    } else if r.method == Method::GET || r.method == Method::HEAD {
        prop_assert!(
            after == before,
            "a read ({}) changed the state: {r:?}\n--- before\n{before}\n--- after\n{after}",
            a.status
        );
        // A watch of a collection streams JSON lines (a GET of one object ignores `watch`).
        if a.status == StatusCode::OK
            && r.is_watch()
            && a.content_type
                .as_deref()
                .is_some_and(|c| c.starts_with("application/json"))
        {
            check_watch_body(&r, &a)?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig {
        cases: CASES,
        max_global_rejects: CASES * 16,
        ..ProptestConfig::default()
    })]

    /// Any request, on any path near a real one: an answer, a Status on every error, and no
    /// change from an error or a read.
    #[test]
    fn any_request_gets_an_answer_and_errors_are_statuses(r in request(path().boxed())) {
        block_on(case(r))?;
    }

    /// Requests to real collections and objects (the handlers decide, not the router), with
    /// random methods, parameters, content types and bodies.
    #[test]
    fn requests_to_real_paths_get_an_answer_and_errors_are_statuses(
        r in request(real_path().boxed()),
    ) {
        block_on(case(r))?;
    }

    /// Writes near valid ones to real objects: create, update, every patch type, the status
    /// and scale subresources, delete, with random query strings.
    #[test]
    fn writes_near_valid_ones_succeed_or_refuse_cleanly(r in near_write()) {
        block_on(case(r))?;
    }

    /// Lists and watches of real collections with random query strings.
    #[test]
    fn reads_with_any_query_read_or_refuse(
        path in prop::sample::select(COLLECTIONS).prop_map(str::to_owned),
        query in query(),
        watch in prop::bool::weighted(0.4),
        accept in accept(),
    ) {
        let mut query = query;
        if watch {
            query.push(("watch".to_owned(), "true".to_owned(), true));
        }
        block_on(case(Req {
            method: Method::GET,
            path,
            query,
            content_type: None,
            accept,
            body: Vec::new(),
        }))?;
    }
}

// ---------------------------------------------------------------------------------------
// Regressions: the inputs the properties found
// ---------------------------------------------------------------------------------------

/// The request the write property shrank a corrupted store to: a PUT of the namespace `team`
/// whose `metadata.labels` is `false`. It was stored, and then every read of the object, and
/// the dump, failed with a 500 ("stored metadata does not decode"). A body's metadata must
/// decode, as the API server decodes a body into its type first: 400, nothing stored; for
/// creates, replaces and status replaces, of built-in and custom kinds.
#[tokio::test]
async fn a_body_whose_metadata_does_not_decode_is_refused_and_stores_nothing() {
    let (cluster, router) = seeded().await;
    let before = cluster.dump_yaml().unwrap();
    let w1 = get(&router, &format!("{}/w1", widgets("default")))
        .await
        .json();
    let rv = w1["metadata"]["resourceVersion"].clone();
    let cases = [
        (
            Method::PUT,
            "/api/v1/namespaces/team".to_owned(),
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team", "labels": false}}),
            "Namespace in version \"v1\" cannot be handled as a Namespace: invalid type: boolean `false`, expected a map",
        ),
        (
            Method::POST,
            "/api/v1/namespaces/default/configmaps".to_owned(),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c2", "annotations": []}}),
            "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: invalid type: sequence, expected a map",
        ),
        (
            Method::PUT,
            "/api/v1/namespaces/default/configmaps/c1".to_owned(),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c1", "finalizers": "x"}}),
            "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: invalid type: string \"x\", expected a sequence",
        ),
        (
            Method::POST,
            widgets("default"),
            json!({"apiVersion": "test.kobj.dev/v1", "kind": "Widget", "metadata": {"name": "w2", "labels": {"a": 1}}}),
            "Widget in version \"v1\" cannot be handled as a Widget: invalid type: integer `1`, expected a string",
        ),
        (
            Method::PUT,
            format!("{}/w1", widgets("default")),
            json!({"apiVersion": "test.kobj.dev/v1", "kind": "Widget", "metadata": {"name": "w1", "labels": false, "resourceVersion": rv}}),
            "Widget in version \"v1\" cannot be handled as a Widget: invalid type: boolean `false`, expected a map",
        ),
        (
            Method::PUT,
            format!("{}/w1/status", widgets("default")),
            json!({"apiVersion": "test.kobj.dev/v1", "kind": "Widget", "metadata": {"name": "w1", "labels": false, "resourceVersion": rv}}),
            "Widget in version \"v1\" cannot be handled as a Widget: invalid type: boolean `false`, expected a map",
        ),
    ];
    for (method, path, body, message) in cases {
        let r = send_json(&router, method.clone(), &path, &body).await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{method} {path}: {}",
            r.text()
        );
        let s = r.json();
        assert_eq!(s["reason"], "BadRequest");
        assert_eq!(s["message"], message);
        assert_eq!(cluster.dump_yaml().unwrap(), before, "{method} {path}");
    }
}
