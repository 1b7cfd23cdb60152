//! The requests of the wire properties (`fuzz_http.rs`): methods, paths near real ones (odd
//! segments, percent-encodings, unknown groups, versions and resources, trailing slashes),
//! query strings with the API server's parameter names and random values, content types and
//! Accept headers. Bodies are in `bodies.rs`.

use http::Method;
use proptest::prelude::*;

use super::bodies::body;

/// One generated request.
#[derive(Clone, Debug)]
pub struct Req {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String, bool)>,
    pub content_type: Option<String>,
    pub accept: Option<String>,
    pub body: Vec<u8>,
}

impl Req {
    pub fn uri(&self) -> String {
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

    pub fn is_watch(&self) -> bool {
        self.path.contains("/watch/")
            || self.query.iter().any(|(k, v, _)| {
                k == "watch" && matches!(v.as_str(), "1" | "t" | "T" | "true" | "TRUE" | "True")
            })
    }
}

pub fn method() -> impl Strategy<Value = Method> {
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
pub fn odd_segment() -> impl Strategy<Value = String> {
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

pub fn namespace_segment() -> impl Strategy<Value = String> {
    prop_oneof![
        5 => Just("default".to_owned()),
        2 => Just("team".to_owned()),
        1 => Just("missing".to_owned()),
        1 => Just("kube-system".to_owned()),
        2 => odd_segment(),
    ]
}

pub fn resource_segment() -> impl Strategy<Value = String> {
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

pub fn name_segment() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(&["w1", "held", "w3", "c1", "default", "team", "missing", "new"][..])
            .prop_map(str::to_owned),
        3 => odd_segment(),
    ]
}

/// The group and version prefix of a path.
pub fn prefix() -> impl Strategy<Value = String> {
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
pub fn path() -> impl Strategy<Value = String> {
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
pub const COLLECTIONS: &[&str] = &[
    "/apis/test.kobj.dev/v1/namespaces/default/widgets",
    "/apis/test.kobj.dev/v1/namespaces/team/widgets",
    "/apis/test.kobj.dev/v1/widgets",
    "/api/v1/namespaces/default/configmaps",
    "/api/v1/configmaps",
    "/api/v1/namespaces",
];

/// A path to a real collection or object, where the handlers (not the router) decide.
pub fn real_path() -> impl Strategy<Value = String> {
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

pub const QUERY_KEYS: &[&str] = &[
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

pub fn query_value(key: &'static str) -> BoxedStrategy<String> {
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
pub fn query() -> impl Strategy<Value = Vec<(String, String, bool)>> {
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

pub fn content_type() -> impl Strategy<Value = Option<String>> {
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

pub fn accept() -> impl Strategy<Value = Option<String>> {
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

pub fn request(path: BoxedStrategy<String>) -> impl Strategy<Value = Req> {
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
