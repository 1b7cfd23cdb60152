//! Discovery: resolving group/version/kind to plural and scope, the cache, a CRD installed
//! after start-up, and a stale answer refreshed on a 404.

use crate::common;

use common::*;
use kobj_core::{ApiResource, ResourceType, Scope};
use kube_core::GroupVersionKind;
use kube_core::params::{GetParams, ListParams};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const VERBS: [&str; 8] = [
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

fn resource_list(group_version: &str, resources: &[(&str, &str, bool)]) -> Value {
    let mut items = Vec::new();
    for (name, kind, namespaced) in resources {
        items.push(json!({"name": name, "singularName": "", "namespaced": namespaced, "kind": kind, "verbs": VERBS}));
        items.push(json!({"name": format!("{name}/status"), "singularName": "", "namespaced": namespaced, "kind": kind, "verbs": ["get", "patch", "update"]}));
    }
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": items})
}

fn by_kind(group: &str, version: &str, kind: &str) -> ResourceType {
    let gvk = GroupVersionKind::gvk(group, version, kind);
    // The scope given here is ignored: discovery decides.
    ResourceType::namespaced(ApiResource::from_gvk_with_plural(&gvk, ""))
}

async fn discovery_doc(server: &MockServer, doc_path: &str, doc: Value) {
    Mock::given(method("GET"))
        .and(path(doc_path))
        .respond_with(ResponseTemplate::new(200).set_body_json(doc))
        .mount(server)
        .await;
}

fn paths(requests: &[wiremock::Request]) -> Vec<String> {
    requests.iter().map(path_and_query).collect()
}

#[tokio::test]
async fn resolve_finds_plural_and_scope_and_caches_them() {
    let server = MockServer::start().await;
    discovery_doc(
        &server,
        "/apis/example.com/v1",
        resource_list(
            "example.com/v1",
            &[
                ("widgets", "Widget", true),
                ("clusterwidgets", "ClusterWidget", false),
            ],
        ),
    )
    .await;
    discovery_doc(
        &server,
        "/api/v1",
        resource_list(
            "v1",
            &[
                ("configmaps", "ConfigMap", true),
                ("namespaces", "Namespace", false),
            ],
        ),
    )
    .await;
    let backend = backend(&server);

    let w = backend
        .resolve(&GroupVersionKind::gvk("example.com", "v1", "Widget"))
        .await
        .unwrap();
    assert_eq!(w.api.plural, "widgets");
    assert_eq!(w.api.api_version, "example.com/v1");
    assert_eq!(w.scope, Scope::Namespaced);
    let c = backend
        .resolve(&GroupVersionKind::gvk("example.com", "v1", "ClusterWidget"))
        .await
        .unwrap();
    assert_eq!(c.api.plural, "clusterwidgets");
    assert_eq!(c.scope, Scope::Cluster);
    let ns = backend
        .resolve(&GroupVersionKind::gvk("", "v1", "Namespace"))
        .await
        .unwrap();
    assert_eq!(
        (ns.api.plural.as_str(), ns.scope.clone()),
        ("namespaces", Scope::Cluster)
    );
    assert_eq!(
        ns,
        ResourceType::of::<k8s_openapi::api::core::v1::Namespace>()
    );

    // Cached: asking again sends nothing.
    let again = backend
        .resolve(&GroupVersionKind::gvk("example.com", "v1", "Widget"))
        .await
        .unwrap();
    assert_eq!(again, w);
    assert_eq!(requests(&server).await.len(), 3);
    assert!(format!("{backend:?}").contains("discovered_kinds: 3"));

    assert!(backend.forget(&GroupVersionKind::gvk("example.com", "v1", "Widget")));
    backend
        .resolve(&GroupVersionKind::gvk("example.com", "v1", "Widget"))
        .await
        .unwrap();
    assert_eq!(requests(&server).await.len(), 4);
    backend.clear_discovery_cache();
    assert!(format!("{backend:?}").contains("discovered_kinds: 0"));
}

#[tokio::test]
async fn a_verb_with_only_a_kind_is_resolved_first() {
    let server = MockServer::start().await;
    discovery_doc(
        &server,
        "/apis/example.com/v1",
        resource_list("example.com/v1", &[("widgets", "Widget", true)]),
    )
    .await;
    Mock::given(path("/apis/example.com/v1/namespaces/lab/widgets/w1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(widget("w1", "4")))
        .mount(&server)
        .await;
    Mock::given(path("/apis/example.com/v1/widgets"))
        .respond_with(ResponseTemplate::new(200).set_body_json(list_of(
            "Widget",
            "example.com/v1",
            "4",
            vec![widget("w1", "4")],
        )))
        .mount(&server)
        .await;
    let backend = backend(&server);
    let rt = by_kind("example.com", "v1", "Widget");
    let got = backend
        .get_object(&rt, Some("lab"), "w1", &GetParams::default())
        .await
        .unwrap();
    assert_eq!(got.metadata.name.as_deref(), Some("w1"));
    let list = backend
        .list_objects(&rt, None, &ListParams::default())
        .await
        .unwrap();
    assert_eq!(list.items.len(), 1);
    assert_eq!(
        paths(&requests(&server).await),
        [
            "/apis/example.com/v1",
            "/apis/example.com/v1/namespaces/lab/widgets/w1",
            "/apis/example.com/v1/widgets?",
        ]
    );
}

#[tokio::test]
async fn the_discovered_scope_is_checked_before_the_call() {
    let server = MockServer::start().await;
    discovery_doc(
        &server,
        "/apis/example.com/v1",
        resource_list(
            "example.com/v1",
            &[("clusterwidgets", "ClusterWidget", false)],
        ),
    )
    .await;
    let backend = backend(&server);
    let rt = by_kind("example.com", "v1", "ClusterWidget");
    let err = backend
        .get_object(&rt, Some("lab"), "c1", &GetParams::default())
        .await
        .unwrap_err();
    assert!(err.is_bad_request());
    assert_eq!(
        err.status().unwrap().message,
        "clusterwidgets.example.com is cluster-scoped: a namespace (\"lab\") may not be given"
    );
    // Only discovery went on the wire; an empty name is refused even before discovery.
    assert_eq!(paths(&requests(&server).await), ["/apis/example.com/v1"]);
    let err = backend
        .get_object(&rt, None, "", &GetParams::default())
        .await
        .unwrap_err();
    assert!(err.is_bad_request());
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn a_crd_installed_after_start_up_resolves() {
    let server = MockServer::start().await;
    let backend = backend(&server);
    let gvk = GroupVersionKind::gvk("example.com", "v1", "Widget");

    // Not served yet: the API server answers its plain-text 404 for the group version.
    let err = backend.resolve(&gvk).await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(
        err.status().unwrap().message,
        "no matches for kind \"Widget\" in version \"example.com/v1\""
    );
    let err = backend
        .list_objects(
            &by_kind("example.com", "v1", "Widget"),
            Some("lab"),
            &ListParams::default(),
        )
        .await
        .unwrap_err();
    assert!(err.is_not_found());

    // The group exists but without this kind yet.
    discovery_doc(
        &server,
        "/apis/example.com/v1",
        resource_list("example.com/v1", &[("gadgets", "Gadget", true)]),
    )
    .await;
    assert!(backend.resolve(&gvk).await.unwrap_err().is_not_found());

    // Now the CRD is established: misses were not cached, so it resolves.
    server.reset().await;
    discovery_doc(
        &server,
        "/apis/example.com/v1",
        resource_list(
            "example.com/v1",
            &[("gadgets", "Gadget", true), ("widgets", "Widget", true)],
        ),
    )
    .await;
    let rt = backend.resolve(&gvk).await.unwrap();
    assert_eq!(rt.api.plural, "widgets");
}

#[tokio::test]
async fn a_stale_answer_is_refreshed_on_a_plain_404_and_the_call_retried() {
    let server = MockServer::start().await;
    // First discovery answer: plural "widgets"; later ones: "things" (the CRD was replaced).
    Mock::given(path("/apis/example.com/v1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(resource_list(
            "example.com/v1",
            &[("widgets", "Widget", true)],
        )))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    discovery_doc(
        &server,
        "/apis/example.com/v1",
        resource_list("example.com/v1", &[("things", "Widget", true)]),
    )
    .await;
    Mock::given(path("/apis/example.com/v1/namespaces/lab/widgets/w1"))
        .respond_with(ResponseTemplate::new(404).set_body_raw("404 page not found\n", "text/plain"))
        .mount(&server)
        .await;
    Mock::given(path("/apis/example.com/v1/namespaces/lab/things/w1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(widget("w1", "9")))
        .mount(&server)
        .await;
    let backend = backend(&server);
    let rt = by_kind("example.com", "v1", "Widget");
    let got = backend
        .get_object(&rt, Some("lab"), "w1", &GetParams::default())
        .await
        .unwrap();
    assert_eq!(got.metadata.resource_version.as_deref(), Some("9"));
    assert_eq!(
        paths(&requests(&server).await),
        [
            "/apis/example.com/v1",
            "/apis/example.com/v1/namespaces/lab/widgets/w1",
            "/apis/example.com/v1",
            "/apis/example.com/v1/namespaces/lab/things/w1",
        ]
    );
    let cached = backend
        .resolve(&GroupVersionKind::gvk("example.com", "v1", "Widget"))
        .await
        .unwrap();
    assert_eq!(cached.api.plural, "things");
}

#[tokio::test]
async fn a_plain_404_with_an_unchanged_answer_is_returned_as_not_found() {
    let server = MockServer::start().await;
    discovery_doc(
        &server,
        "/apis/example.com/v1",
        resource_list("example.com/v1", &[("widgets", "Widget", true)]),
    )
    .await;
    Mock::given(path("/apis/example.com/v1/namespaces/lab/widgets/w1"))
        .respond_with(ResponseTemplate::new(404).set_body_raw("404 page not found\n", "text/plain"))
        .mount(&server)
        .await;
    let backend = backend(&server);
    let err = backend
        .get_object(
            &by_kind("example.com", "v1", "Widget"),
            Some("lab"),
            "w1",
            &GetParams::default(),
        )
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    // Discovery, the call, discovery again (unchanged), and no second call.
    assert_eq!(requests(&server).await.len(), 3);
    // An explicit plural is never second-guessed.
    let before = requests(&server).await.len();
    let err = backend
        .get_object(&widgets(), Some("lab"), "w1", &GetParams::default())
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(requests(&server).await.len(), before + 1);
}

#[tokio::test]
async fn discovery_failures_keep_their_category() {
    let server = MockServer::start().await;
    Mock::given(path("/apis/example.com/v1"))
        .respond_with(ResponseTemplate::new(403).set_body_json(status(
            403,
            "Forbidden",
            "forbidden: User \"robot\" cannot get path \"/apis/example.com/v1\"",
            Value::Null,
        )))
        .mount(&server)
        .await;
    let err = backend(&server)
        .resolve(&GroupVersionKind::gvk("example.com", "v1", "Widget"))
        .await
        .unwrap_err();
    assert!(err.is_forbidden(), "{err:?}");
    let err = backend(&server)
        .resolve(&GroupVersionKind::gvk("example.com", "", "Widget"))
        .await
        .unwrap_err();
    assert!(err.is_bad_request());
}
