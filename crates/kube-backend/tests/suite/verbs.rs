//! Every verb against a wiremock server: the exact method, path, query, Content-Type and body
//! on the wire, and the decoded answer, namespaced and cluster-scoped (built-in kinds: `builtin.rs`).

use crate::common;

use common::*;
use either::Either;
use k8s_openapi::api::autoscaling::v1::{Scale, ScaleSpec};
use kube_core::params::{
    DeleteParams, GetParams, ListParams, Patch, PatchParams, PostParams, Preconditions,
    PropagationPolicy, VersionMatch, WatchParams,
};
use kube_core::{DynamicObject, WatchEvent};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn answering(body: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    server
}

fn object(value: Value) -> DynamicObject {
    serde_json::from_value(value).unwrap()
}

#[tokio::test]
async fn create_namespaced_and_cluster_scoped() {
    let server = answering(widget("w1", "7")).await;
    let backend = backend(&server);
    let pp = PostParams {
        dry_run: true,
        field_manager: Some("kobj-test".into()),
    };
    let sent = object(widget("w1", ""));
    let created = backend
        .create_object(&widgets(), Some("lab"), &sent, &pp)
        .await
        .unwrap();
    assert_eq!(created.metadata.resource_version.as_deref(), Some("7"));
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(
        path_and_query(&request),
        "/apis/example.com/v1/namespaces/lab/widgets?&dryRun=All&fieldManager=kobj-test"
    );
    assert_eq!(header(&request, "content-type"), "application/json");
    assert_eq!(body_json(&request), serde_json::to_value(&sent).unwrap());

    let server = answering(json!({"apiVersion": "example.com/v1", "kind": "ClusterWidget", "metadata": {"name": "c1"}})).await;
    let backend = common::backend(&server);
    let sent = object(
        json!({"apiVersion": "example.com/v1", "kind": "ClusterWidget", "metadata": {"name": "c1"}}),
    );
    backend
        .create_object(&cluster_widgets(), None, &sent, &PostParams::default())
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), "/apis/example.com/v1/clusterwidgets");
    assert_eq!(request.url.query().unwrap_or(""), "");
}

#[tokio::test]
async fn get_with_and_without_resource_version() {
    let server = answering(widget("w1", "7")).await;
    let backend = backend(&server);
    let got = backend
        .get_object(&widgets(), Some("lab"), "w1", &GetParams::default())
        .await
        .unwrap();
    assert_eq!(got.metadata.name.as_deref(), Some("w1"));
    backend
        .get_object(&widgets(), Some("lab"), "w1", &GetParams::at("42"))
        .await
        .unwrap();
    backend
        .get_object(&widgets(), Some("lab"), "w1", &GetParams::any())
        .await
        .unwrap();
    let seen: Vec<String> = requests(&server)
        .await
        .iter()
        .map(|r| format!("{} {}", r.method, path_and_query(r)))
        .collect();
    assert_eq!(
        seen,
        [
            "GET /apis/example.com/v1/namespaces/lab/widgets/w1",
            "GET /apis/example.com/v1/namespaces/lab/widgets/w1?&resourceVersion=42",
            "GET /apis/example.com/v1/namespaces/lab/widgets/w1?&resourceVersion=0",
        ]
    );
}

#[tokio::test]
async fn list_with_every_parameter() {
    let server = answering(list_of(
        "Widget",
        "example.com/v1",
        "99",
        vec![widget("w1", "7")],
    ))
    .await;
    let backend = backend(&server);
    let lp = ListParams::default()
        .labels("app=demo,tier in (a,b)")
        .fields("metadata.name=w1")
        .limit(5);
    let list = backend
        .list_objects(&widgets(), Some("lab"), &lp)
        .await
        .unwrap();
    assert_eq!(list.items.len(), 1);
    assert_eq!(list.metadata.resource_version.as_deref(), Some("99"));

    let next = ListParams::default().limit(5).continue_token("tok-1");
    backend.list_objects(&widgets(), None, &next).await.unwrap();
    let exact = ListParams::default().at("42").matching(VersionMatch::Exact);
    backend
        .list_objects(&widgets(), Some("lab"), &exact)
        .await
        .unwrap();
    let newer = ListParams::default()
        .at("42")
        .matching(VersionMatch::NotOlderThan);
    backend
        .list_objects(&cluster_widgets(), None, &newer)
        .await
        .unwrap();

    let seen: Vec<String> = requests(&server).await.iter().map(path_and_query).collect();
    assert_eq!(
        seen,
        [
            "/apis/example.com/v1/namespaces/lab/widgets?&fieldSelector=metadata.name%3Dw1&labelSelector=app%3Ddemo%2Ctier+in+%28a%2Cb%29&limit=5",
            "/apis/example.com/v1/widgets?&limit=5&continue=tok-1",
            "/apis/example.com/v1/namespaces/lab/widgets?&resourceVersion=42&resourceVersionMatch=Exact",
            "/apis/example.com/v1/clusterwidgets?&resourceVersion=42&resourceVersionMatch=NotOlderThan",
        ]
    );
    assert!(
        requests(&server)
            .await
            .iter()
            .all(|r| r.method.as_str() == "GET")
    );
}

#[tokio::test]
async fn replace_sends_the_object() {
    let server = answering(widget("w1", "8")).await;
    let backend = backend(&server);
    let sent = object(widget("w1", "7"));
    let pp = PostParams {
        dry_run: false,
        field_manager: Some("editor".into()),
    };
    let stored = backend
        .replace_object(&widgets(), Some("lab"), "w1", &sent, &pp)
        .await
        .unwrap();
    assert_eq!(stored.metadata.resource_version.as_deref(), Some("8"));
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "PUT");
    assert_eq!(
        path_and_query(&request),
        "/apis/example.com/v1/namespaces/lab/widgets/w1?&fieldManager=editor"
    );
    assert_eq!(header(&request, "content-type"), "application/json");
    assert_eq!(body_json(&request), serde_json::to_value(&sent).unwrap());
}

#[tokio::test]
async fn each_patch_kind_has_its_content_type_and_body() {
    let server = answering(widget("w1", "8")).await;
    let backend = backend(&server);
    let rt = widgets();
    let merge = json!({"spec": {"size": 4}});
    let apply = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1"}, "spec": {"size": 5}});
    let ops: json_patch::Patch =
        serde_json::from_value(json!([{"op": "replace", "path": "/spec/size", "value": 6}]))
            .unwrap();
    let strategic = json!({"metadata": {"labels": {"tier": "a"}}});

    let cases: Vec<(Patch<Value>, PatchParams, &str, &str, Value)> = vec![
        (
            Patch::Merge(merge.clone()),
            PatchParams::default(),
            "application/merge-patch+json",
            "",
            merge.clone(),
        ),
        (
            Patch::Apply(apply.clone()),
            PatchParams::apply("kobj").force(),
            "application/apply-patch+yaml",
            "&force=true&fieldManager=kobj",
            apply.clone(),
        ),
        (
            Patch::Json(ops.clone()),
            PatchParams {
                dry_run: true,
                ..Default::default()
            },
            "application/json-patch+json",
            "&dryRun=All",
            serde_json::to_value(&ops).unwrap(),
        ),
        (
            Patch::Strategic(strategic.clone()),
            PatchParams::default(),
            "application/strategic-merge-patch+json",
            "",
            strategic.clone(),
        ),
    ];
    for (patch, pp, _, _, _) in &cases {
        backend
            .patch_object(&rt, Some("lab"), "w1", patch, pp)
            .await
            .unwrap();
    }
    let seen = requests(&server).await;
    assert_eq!(seen.len(), cases.len());
    for (request, (_, _, content_type, query, body)) in seen.iter().zip(&cases) {
        assert_eq!(request.method.as_str(), "PATCH");
        assert_eq!(
            request.url.path(),
            "/apis/example.com/v1/namespaces/lab/widgets/w1"
        );
        assert_eq!(request.url.query().unwrap_or(""), *query);
        assert_eq!(header(request, "content-type"), *content_type);
        assert_eq!(body_json(request), *body);
    }
}

#[tokio::test]
async fn delete_sends_delete_options_and_returns_either() {
    let server = MockServer::start().await;
    let success = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
        "details": {"name": "w1", "group": "example.com", "kind": "widgets", "uid": "uid-w1"}});
    Mock::given(wiremock::matchers::path(
        "/apis/example.com/v1/namespaces/lab/widgets/w1",
    ))
    .respond_with(ResponseTemplate::new(200).set_body_json(success))
    .mount(&server)
    .await;
    let mut held = widget("w2", "9");
    held["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
    held["metadata"]["finalizers"] = json!(["example.com/hold"]);
    Mock::given(wiremock::matchers::path(
        "/apis/example.com/v1/namespaces/lab/widgets/w2",
    ))
    .respond_with(ResponseTemplate::new(200).set_body_json(held))
    .mount(&server)
    .await;
    let backend = backend(&server);
    let dp = DeleteParams {
        dry_run: true,
        grace_period_seconds: Some(0),
        propagation_policy: Some(PropagationPolicy::Foreground),
        preconditions: Some(Preconditions {
            uid: Some("uid-w1".into()),
            resource_version: None,
        }),
    };
    let gone = backend
        .delete_object(&widgets(), Some("lab"), "w1", &dp)
        .await
        .unwrap();
    match gone {
        Either::Right(status) => assert_eq!(status.details.unwrap().uid, "uid-w1"),
        Either::Left(o) => panic!("expected a Status, got {o:?}"),
    }
    let pending = backend
        .delete_object(&widgets(), Some("lab"), "w2", &DeleteParams::background())
        .await
        .unwrap();
    match pending {
        Either::Left(o) => assert!(o.metadata.deletion_timestamp.is_some()),
        Either::Right(s) => panic!("expected the object, got {s:?}"),
    }
    let seen = requests(&server).await;
    assert_eq!(seen[0].method.as_str(), "DELETE");
    assert_eq!(header(&seen[0], "content-type"), "application/json");
    assert_eq!(
        body_json(&seen[0]),
        json!({"dryRun": ["All"], "gracePeriodSeconds": 0, "propagationPolicy": "Foreground",
               "preconditions": {"uid": "uid-w1"}})
    );
    assert_eq!(
        body_json(&seen[1]),
        json!({"propagationPolicy": "Background"})
    );
}

#[tokio::test]
async fn delete_collection_sends_selectors_and_options() {
    let server = answering(list_of(
        "Widget",
        "example.com/v1",
        "12",
        vec![widget("w1", "12")],
    ))
    .await;
    let backend = backend(&server);
    let lp = ListParams::default()
        .labels("app=demo")
        .fields("metadata.name=w1");
    let dp = DeleteParams::orphan();
    let result = backend
        .delete_collection(&widgets(), Some("lab"), &dp, &lp)
        .await
        .unwrap();
    match result {
        Either::Left(list) => assert_eq!(list.items.len(), 1),
        Either::Right(s) => panic!("expected a list, got {s:?}"),
    }
    backend
        .delete_collection(
            &cluster_widgets(),
            None,
            &DeleteParams::default(),
            &ListParams::default(),
        )
        .await
        .unwrap();
    let seen = requests(&server).await;
    assert_eq!(seen[0].method.as_str(), "DELETE");
    assert_eq!(
        path_and_query(&seen[0]),
        "/apis/example.com/v1/namespaces/lab/widgets?&fieldSelector=metadata.name%3Dw1&labelSelector=app%3Ddemo"
    );
    assert_eq!(body_json(&seen[0]), json!({"propagationPolicy": "Orphan"}));
    assert_eq!(seen[1].url.path(), "/apis/example.com/v1/clusterwidgets");
    assert!(
        seen[1].body.is_empty(),
        "default options: empty body, as kube-rs sends"
    );
}

#[tokio::test]
async fn status_subresource_verbs() {
    let mut with_status = widget("w1", "8");
    with_status["status"] = json!({"ready": true});
    let server = answering(with_status.clone()).await;
    let backend = backend(&server);
    let rt = widgets();
    let got = backend
        .get_object_status(&rt, Some("lab"), "w1")
        .await
        .unwrap();
    assert_eq!(got.data["status"]["ready"], json!(true));
    let sent = object(with_status.clone());
    backend
        .replace_object_status(&rt, Some("lab"), "w1", &sent, &PostParams::default())
        .await
        .unwrap();
    let patch = Patch::Merge(json!({"status": {"ready": false}}));
    backend
        .patch_object_status(&rt, Some("lab"), "w1", &patch, &PatchParams::default())
        .await
        .unwrap();
    let seen = requests(&server).await;
    let lines: Vec<String> = seen
        .iter()
        .map(|r| format!("{} {}", r.method, path_and_query(r)))
        .collect();
    let base = "/apis/example.com/v1/namespaces/lab/widgets/w1/status";
    assert_eq!(
        lines,
        [
            format!("GET {base}"),
            format!("PUT {base}?"),
            format!("PATCH {base}?")
        ]
    );
    assert_eq!(body_json(&seen[1]), serde_json::to_value(&sent).unwrap());
    assert_eq!(
        header(&seen[2], "content-type"),
        "application/merge-patch+json"
    );
    assert_eq!(body_json(&seen[2]), json!({"status": {"ready": false}}));
}

#[tokio::test]
async fn scale_subresource_verbs() {
    let scale_body = json!({"apiVersion": "autoscaling/v1", "kind": "Scale",
        "metadata": {"name": "w1", "namespace": "lab", "resourceVersion": "8"},
        "spec": {"replicas": 3}, "status": {"replicas": 2, "selector": "app=demo"}});
    let server = answering(scale_body).await;
    let backend = backend(&server);
    let rt = widgets();
    let scale = backend.get_scale(&rt, Some("lab"), "w1").await.unwrap();
    assert_eq!(scale.spec.as_ref().and_then(|s| s.replicas), Some(3));
    assert_eq!(scale.status.as_ref().map(|s| s.replicas), Some(2));
    let wanted = Scale {
        metadata: scale.metadata.clone(),
        spec: Some(ScaleSpec { replicas: Some(5) }),
        status: None,
    };
    backend
        .replace_scale(&rt, Some("lab"), "w1", &wanted, &PostParams::default())
        .await
        .unwrap();
    let patch = Patch::Merge(json!({"spec": {"replicas": 6}}));
    backend
        .patch_scale(&rt, Some("lab"), "w1", &patch, &PatchParams::default())
        .await
        .unwrap();
    let seen = requests(&server).await;
    let base = "/apis/example.com/v1/namespaces/lab/widgets/w1/scale";
    assert_eq!(seen[0].method.as_str(), "GET");
    assert_eq!(path_and_query(&seen[0]), base);
    assert_eq!(seen[1].method.as_str(), "PUT");
    assert_eq!(body_json(&seen[1])["spec"], json!({"replicas": 5}));
    assert_eq!(seen[2].method.as_str(), "PATCH");
    assert_eq!(seen[2].url.path(), base);
    assert_eq!(body_json(&seen[2]), json!({"spec": {"replicas": 6}}));
}

#[tokio::test]
async fn watch_request_carries_every_parameter() {
    let server = MockServer::start().await;
    let body = watch_body(&[
        event("ADDED", widget("w1", "10")),
        bookmark("example.com/v1", "Widget", "11"),
    ]);
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let backend = backend(&server);
    let wp = WatchParams::default()
        .labels("app=demo")
        .fields("metadata.name=w1")
        .timeout(30);
    let mut stream = backend
        .watch_objects(&widgets(), Some("lab"), &wp, "10")
        .await
        .unwrap();
    use futures::StreamExt;
    let mut events = Vec::new();
    while let Some(event) = stream.next().await {
        events.push(event.unwrap());
    }
    assert!(matches!(&events[0], WatchEvent::Added(o) if o.metadata.name.as_deref() == Some("w1")));
    assert!(matches!(&events[1], WatchEvent::Bookmark(b) if b.metadata.resource_version == "11"));
    assert_eq!(events.len(), 2);
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(
        path_and_query(&request),
        "/apis/example.com/v1/namespaces/lab/widgets?&watch=true&timeoutSeconds=30&fieldSelector=metadata.name%3Dw1&labelSelector=app%3Ddemo&allowWatchBookmarks=true&resourceVersion=10"
    );
    assert_eq!(header(&request, "accept-encoding"), "identity");
}

#[tokio::test]
async fn names_that_need_escaping_are_percent_encoded() {
    let server = answering(widget("w1", "7")).await;
    let backend = backend(&server);
    backend
        .get_object(
            &widgets(),
            Some("lab"),
            "odd name?x=1#y",
            &GetParams::default(),
        )
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        path_and_query(&request),
        "/apis/example.com/v1/namespaces/lab/widgets/odd%20name%3Fx=1%23y"
    );
}
