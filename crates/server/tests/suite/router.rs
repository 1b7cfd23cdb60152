//! The REST protocol through the router, request by request: codes, Status bodies, plain 404s,
//! query parameters, patch content types, delete options, limits and authentication.

use crate::common;

use axum::body::Body;
use common::*;
use http::{Method, StatusCode};
use kobj_fake::FakeCluster;
use serde_json::json;

#[tokio::test]
async fn create_get_list_replace_and_errors_carry_status_bodies() {
    let (_cluster, router) = setup().await;
    let created = create_widget(&router, "default", "w1", 2).await;
    assert_eq!(created["metadata"]["generation"], 1);
    assert_eq!(created["metadata"]["namespace"], "default");

    let r = get(&router, &format!("{}/w1", widgets("default"))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(r.json()["spec"]["replicas"], 2);

    let r = get(&router, &format!("{}/missing", widgets("default"))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let s = r.json();
    assert_eq!(s["kind"], "Status");
    assert_eq!(s["apiVersion"], "v1");
    assert_eq!(s["status"], "Failure");
    assert_eq!(s["code"], 404);
    assert_eq!(s["reason"], "NotFound");
    assert_eq!(s["message"], "widgets.test.kobj.dev \"missing\" not found");
    assert_eq!(s["details"]["kind"], "widgets");
    assert_eq!(s["details"]["group"], "test.kobj.dev");

    let r = send_json(&router, Method::POST, &widgets("default"), &widget("w1", 1)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["reason"], "AlreadyExists");

    // Stale resourceVersion on PUT: 409 Conflict.
    let mut stale = created.clone();
    stale["spec"]["replicas"] = json!(5);
    let r = send_json(
        &router,
        Method::PUT,
        &format!("{}/w1", widgets("default")),
        &stale,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = send_json(
        &router,
        Method::PUT,
        &format!("{}/w1", widgets("default")),
        &stale,
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["reason"], "Conflict");

    // Schema errors: 422 with causes.
    let mut bad = widget("w2", 1);
    bad["spec"]["color"] = json!("green");
    let r = send_json(&router, Method::POST, &widgets("default"), &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let s = r.json();
    assert_eq!(s["reason"], "Invalid");
    assert_eq!(s["details"]["causes"][0]["field"], "spec.color");

    let r = get(&router, &widgets("default")).await;
    assert_eq!(r.status, StatusCode::OK);
    let list = r.json();
    assert_eq!(list["kind"], "WidgetList");
    assert_eq!(list["apiVersion"], "test.kobj.dev/v1");
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["kind"], "Widget");
}

#[tokio::test]
async fn unrouted_paths_get_the_plain_404() {
    let (_cluster, router) = setup().await;
    create_widget(&router, "default", "w1", 1).await;
    for path in [
        "/apis/nope.example.com/v1/things",
        "/apis/test.kobj.dev/v2/namespaces/default/widgets",
        "/apis/test.kobj.dev/v1/widgets/w1",
        "/api/v1/namespaces/default/namespaces",
        "/nothing/here",
        "/apis/test.kobj.dev/v1/namespaces/default/widgets/w1/status/extra",
    ] {
        let r = get(&router, path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.text(), "404 page not found\n", "{path}");
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("text/plain; charset=utf-8")
        );
    }
    // A subresource the type does not have is a Status 404 (rule 5).
    let r = get(&router, &format!("{}/w1/bogus", widgets("default"))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["kind"], "Status");
    // A namespaced type across namespaces is listable.
    let r = get(&router, "/apis/test.kobj.dev/v1/widgets").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn list_paging_and_parameter_validation_on_the_wire() {
    let (_cluster, router) = setup().await;
    for name in ["a", "b", "c"] {
        create_widget(&router, "default", name, 1).await;
    }
    let r = get(&router, &format!("{}?limit=2", widgets("default"))).await;
    let page = r.json();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["metadata"]["remainingItemCount"], 1);
    let token = page["metadata"]["continue"].as_str().unwrap().to_string();
    let version = page["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    let r = get(
        &router,
        &format!("{}?limit=2&continue={token}", widgets("default")),
    )
    .await;
    let rest = r.json();
    assert_eq!(rest["items"][0]["metadata"]["name"], "c");
    assert!(rest["metadata"].get("continue").is_none());

    // What kube-rs cannot send (it drops resourceVersion when continue is set): the server's
    // answers to the combinations of rules 12 and 13.
    let r = get(
        &router,
        &format!(
            "{}?limit=1&continue={token}&resourceVersion={version}",
            widgets("default")
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json()["message"],
        "specifying resource version is not allowed when using continue"
    );
    let r = get(
        &router,
        &format!(
            "{}?limit=1&continue={token}&resourceVersion={version}&resourceVersionMatch=NotOlderThan",
            widgets("default")
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["message"],
        "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided"
    );
    let r = get(
        &router,
        &format!("{}?resourceVersionMatch=Exact", widgets("default")),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = get(
        &router,
        &format!("{}?labelSelector=app%20in%20(", widgets("default")),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["reason"], "BadRequest");
    let r = get(
        &router,
        &format!("{}?fieldSelector=spec.color%3Dred", widgets("default")),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["message"], "field label not supported: spec.color");
    let r = get(
        &router,
        &format!("{}?fieldSelector=metadata.name%3Db", widgets("default")),
    )
    .await;
    assert_eq!(r.json()["items"][0]["metadata"]["name"], "b");
    let r = get(
        &router,
        &format!("{}?labelSelector=app%3Ddemo&limit=1", widgets("default")),
    )
    .await;
    assert!(r.json()["metadata"].get("remainingItemCount").is_none());
}

#[tokio::test]
async fn patch_types_and_their_errors() {
    let (_cluster, router) = setup().await;
    create_widget(&router, "default", "w1", 1).await;
    let url = format!("{}/w1", widgets("default"));

    let r = patch(
        &router,
        &url,
        "application/merge-patch+json",
        &json!({"spec": {"replicas": 3}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["spec"]["replicas"], 3);
    assert_eq!(r.json()["metadata"]["generation"], 2);

    let ops = json!([{"op": "replace", "path": "/spec/replicas", "value": 4}]);
    let r = patch(&router, &url, "application/json-patch+json", &ops).await;
    assert_eq!(r.json()["spec"]["replicas"], 4);

    let failing = json!([{"op": "test", "path": "/spec/replicas", "value": 99}]);
    let r = patch(&router, &url, "application/json-patch+json", &failing).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    let r = patch(
        &router,
        &url,
        "application/strategic-merge-patch+json",
        &json!({}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(r.json()["reason"], "UnsupportedMediaType");
    let r = call(&router, Method::PATCH, &url, &[], "{}").await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // Server-side apply: fieldManager required; creating gives 201, updating 200.
    let applied = json!({"apiVersion": "test.kobj.dev/v1", "kind": "Widget", "metadata": {"name": "w9"}, "spec": {"replicas": 7}});
    let apply_url = format!("{}/w9", widgets("default"));
    let r = patch(
        &router,
        &apply_url,
        "application/apply-patch+yaml",
        &applied,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["message"],
        "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch"
    );
    let r = patch(
        &router,
        &format!("{apply_url}?fieldManager=me"),
        "application/apply-patch+yaml",
        &applied,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = patch(
        &router,
        &format!("{apply_url}?fieldManager=me"),
        "application/apply-patch+yaml",
        &applied,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let other = json!({"apiVersion": "test.kobj.dev/v1", "kind": "Widget", "metadata": {"name": "w9"}, "spec": {"replicas": 8}});
    let r = patch(
        &router,
        &format!("{apply_url}?fieldManager=other"),
        "application/apply-patch+yaml",
        &other,
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = patch(
        &router,
        &format!("{apply_url}?fieldManager=other&force=true"),
        "application/apply-patch+yaml",
        &other,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["spec"]["replicas"], 8);

    // Patches of built-in kinds also take strategic merge.
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}});
    let r = send_json(
        &router,
        Method::POST,
        "/api/v1/namespaces/default/configmaps",
        &cm,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = patch(
        &router,
        "/api/v1/namespaces/default/configmaps/c",
        "application/strategic-merge-patch+json",
        &json!({"data": {"b": "2"}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["data"], json!({"a": "1", "b": "2"}));
}

#[tokio::test]
async fn status_and_scale_subresources() {
    let (_cluster, router) = setup().await;
    let created = create_widget(&router, "default", "w1", 2).await;
    let status_url = format!("{}/w1/status", widgets("default"));
    let mut with_status = created.clone();
    with_status["status"] =
        json!({"replicas": 2, "conditions": [{"type": "Ready", "status": "True"}]});
    with_status["spec"]["replicas"] = json!(9);
    let r = send_json(&router, Method::PUT, &status_url, &with_status).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let body = r.json();
    assert_eq!(body["status"]["replicas"], 2);
    assert_eq!(
        body["spec"]["replicas"], 2,
        "spec edits through /status are dropped"
    );
    let r = patch(
        &router,
        &status_url,
        "application/merge-patch+json",
        &json!({"status": {"replicas": 3}}),
    )
    .await;
    assert_eq!(r.json()["status"]["replicas"], 3);
    let r = get(&router, &status_url).await;
    assert_eq!(r.json()["status"]["replicas"], 3);

    let scale_url = format!("{}/w1/scale", widgets("default"));
    let r = get(&router, &scale_url).await;
    assert_eq!(r.status, StatusCode::OK);
    let scale = r.json();
    assert_eq!(scale["kind"], "Scale");
    assert_eq!(scale["apiVersion"], "autoscaling/v1");
    assert_eq!(scale["spec"]["replicas"], 2);
    assert_eq!(scale["status"]["replicas"], 3);
    let r = patch(
        &router,
        &scale_url,
        "application/merge-patch+json",
        &json!({"spec": {"replicas": 5}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = get(&router, &format!("{}/w1", widgets("default"))).await;
    assert_eq!(r.json()["spec"]["replicas"], 5);
    // ConfigMaps have neither.
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
    send_json(
        &router,
        Method::POST,
        "/api/v1/namespaces/default/configmaps",
        &cm,
    )
    .await;
    let r = get(&router, "/api/v1/namespaces/default/configmaps/c/status").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["kind"], "Status");
}

#[tokio::test]
async fn delete_options_from_body_and_query() {
    let (_cluster, router) = setup().await;
    let created = create_widget(&router, "default", "w1", 1).await;
    let url = format!("{}/w1", widgets("default"));

    let wrong_uid =
        json!({"kind": "DeleteOptions", "apiVersion": "v1", "preconditions": {"uid": "not-it"}});
    let r = send_json(&router, Method::DELETE, &url, &wrong_uid).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());

    let r = call(
        &router,
        Method::DELETE,
        &format!("{url}?dryRun=All"),
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        get(&router, &url).await.status,
        StatusCode::OK,
        "dry run stored nothing"
    );

    let r = call(
        &router,
        Method::DELETE,
        &format!("{url}?orphanDependents=true&propagationPolicy=Orphan"),
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    let r = call(&router, Method::DELETE, &url, &[], Body::empty()).await;
    assert_eq!(r.status, StatusCode::OK);
    let s = r.json();
    assert_eq!(s["kind"], "Status");
    assert_eq!(s["status"], "Success");
    assert!(s.get("code").is_none());
    assert_eq!(s["details"]["name"], "w1");
    assert_eq!(s["details"]["kind"], "widgets");
    assert_eq!(s["details"]["uid"], created["metadata"]["uid"]);

    // With a finalizer: 200 with the object; with orphanDependents=false: 202.
    let mut held = widget("held", 1);
    held["metadata"]["finalizers"] = json!(["test.kobj.dev/hold"]);
    send_json(&router, Method::POST, &widgets("default"), &held).await;
    let held_url = format!("{}/held", widgets("default"));
    let r = call(&router, Method::DELETE, &held_url, &[], Body::empty()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json()["metadata"]["deletionTimestamp"].is_string());
    let r = call(
        &router,
        Method::DELETE,
        &format!("{held_url}?orphanDependents=false"),
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);

    // deletecollection with a selector returns the affected items.
    for n in ["x1", "x2"] {
        create_widget(&router, "default", n, 1).await;
    }
    let r = call(
        &router,
        Method::DELETE,
        &format!("{}?labelSelector=app%3Ddemo", widgets("default")),
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let names: Vec<String> = r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["held", "x1", "x2"]);
    let left = get(&router, &widgets("default")).await.json();
    assert_eq!(
        left["items"].as_array().unwrap().len(),
        1,
        "only the held widget stays"
    );
}

#[tokio::test]
async fn field_validation_and_field_managers() {
    let (_cluster, router) = setup().await;
    let mut body = widget("w1", 1);
    body["spec"]["extra"] = json!(true);
    let r = send_json(
        &router,
        Method::POST,
        &format!("{}?fieldValidation=Strict", widgets("default")),
        &body,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("unknown field \"spec.extra\"")
    );

    let r = call(
        &router,
        Method::POST,
        &widgets("default"),
        &[
            ("content-type", "application/json"),
            ("user-agent", "my-operator/1.2 (linux)"),
        ],
        serde_json::to_vec(&body).unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(
        r.header("warning").as_deref(),
        Some("299 - \"unknown field \\\"spec.extra\\\"\"")
    );
    let created = r.json();
    assert!(created["spec"].get("extra").is_none(), "pruned");
    assert_eq!(
        created["metadata"]["managedFields"][0]["manager"],
        "my-operator"
    );

    let r = patch(
        &router,
        &format!("{}/w1?fieldManager=explicit", widgets("default")),
        "application/merge-patch+json",
        &json!({"spec": {"replicas": 2}}),
    )
    .await;
    let patched = r.json();
    let managers: Vec<&str> = patched["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["manager"].as_str().unwrap())
        .collect();
    assert!(managers.contains(&"explicit"), "{managers:?}");
}

#[tokio::test]
async fn bodies_over_the_limit_get_413_and_tokens_are_required() {
    let cluster = FakeCluster::new();
    let router = kobj_server::router(
        cluster.clone(),
        kobj_server::ServerConfig::default().max_body_bytes(1024),
    );
    let big = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big"}, "data": {"a": "x".repeat(4096)}});
    let r = send_json(
        &router,
        Method::POST,
        "/api/v1/namespaces/default/configmaps",
        &big,
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.json()["reason"], "RequestEntityTooLarge");
    assert_eq!(
        r.json()["message"],
        "Request entity too large: limit is 1024"
    );

    // The default limit is the API server's 3 MiB.
    let router = kobj_server::router(cluster.clone(), kobj_server::ServerConfig::default());
    let huge = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "huge"}, "data": {"a": "x".repeat(3 * 1024 * 1024)}});
    let r = send_json(
        &router,
        Method::POST,
        "/api/v1/namespaces/default/configmaps",
        &huge,
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);

    let router = kobj_server::router(
        cluster,
        kobj_server::ServerConfig::default().token("s3cret"),
    );
    let r = get(&router, "/api/v1/namespaces").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let s = r.json();
    assert_eq!(
        (s["kind"].as_str(), s["reason"].as_str(), s["code"].as_i64()),
        (Some("Status"), Some("Unauthorized"), Some(401))
    );
    let r = call(
        &router,
        Method::GET,
        "/api/v1/namespaces",
        &[("authorization", "Bearer wrong")],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = call(
        &router,
        Method::GET,
        "/api/v1/namespaces",
        &[("authorization", "Bearer s3cret")],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn namespaces_secrets_and_configmaps() {
    let (_cluster, router) = setup().await;
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}});
    let r = send_json(&router, Method::POST, "/api/v1/namespaces", &ns).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"password": "hunter2"}});
    let r = send_json(
        &router,
        Method::POST,
        "/api/v1/namespaces/team/secrets",
        &secret,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["data"]["password"], "aHVudGVyMg==");
    let r = send_json(
        &router,
        Method::POST,
        "/api/v1/namespaces/nowhere/secrets",
        &secret,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["message"], "namespaces \"nowhere\" not found");
    let r = get(&router, "/api/v1/namespaces/team").await;
    assert_eq!(r.json()["status"]["phase"], "Active");
    let r = call(
        &router,
        Method::DELETE,
        "/api/v1/namespaces/team",
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = get(&router, "/api/v1/namespaces/team/secrets/s").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn methods_a_path_does_not_take_are_405() {
    let (_cluster, router) = setup().await;
    let r = call(&router, Method::PUT, &widgets("default"), &[], "{}").await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.json()["reason"], "MethodNotAllowed");
    let generic = "the server does not allow this method on the requested resource";
    assert_eq!(r.json()["message"], generic);
    let named = format!("{}/w", widgets("default"));
    let r = call(&router, Method::POST, &named, &[], "{}").await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.json()["message"], generic);
    let r = call(&router, Method::POST, "/apis", &[], "{}").await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
}

/// A built-in kind's unknown fields are dropped with the server's warning, and refused with
/// fieldValidation=Strict, for bodies and strategic merge patches.
#[tokio::test]
async fn built_in_unknown_fields_warn_or_refuse() {
    let (_cluster, router) = setup().await;
    let configmaps = "/api/v1/namespaces/default/configmaps";
    let body = json!({"apiVersion": "v1", "kind": "ConfigMap",
                      "metadata": {"name": "c"}, "data": {"a": "1"}, "spec": {"a": "1"}});
    let r = send_json(
        &router,
        Method::POST,
        &format!("{configmaps}?fieldValidation=Strict"),
        &body,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert_eq!(
        r.json()["message"],
        "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field \"spec\""
    );
    let r = send_json(&router, Method::POST, configmaps, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(
        r.header("warning").as_deref(),
        Some("299 - \"unknown field \\\"spec\\\"\"")
    );
    assert!(r.json().get("spec").is_none(), "dropped: {}", r.text());

    let patch = json!({"data": {"b": "2"}, "bogus": 1});
    let r = call(
        &router,
        Method::PATCH,
        &format!("{configmaps}/c"),
        &[("content-type", "application/strategic-merge-patch+json")],
        serde_json::to_vec(&patch).unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        r.header("warning").as_deref(),
        Some("299 - \"unknown field \\\"bogus\\\"\"")
    );
    assert_eq!(r.json()["data"], json!({"a": "1", "b": "2"}));
}

#[tokio::test]
async fn pod_logs_are_served_as_text_with_the_servers_errors() {
    let (cluster, router) = setup().await;
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                     "spec": {"nodeName": "node-1",
                              "containers": [{"name": "app", "image": "busybox"}]}});
    created(&router, "/api/v1/namespaces/default/pods", &pod).await;
    cluster
        .append_container_log("default", "p", "app", "one\ntwo\n")
        .unwrap();
    let base = "/api/v1/namespaces/default/pods/p/log";

    let r = get(&router, base).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type").as_deref(), Some("text/plain"));
    assert_eq!(r.text(), "one\ntwo\n");
    let r = get(&router, &format!("{base}?tailLines=1&container=app")).await;
    assert_eq!(r.text(), "two\n");
    // Following a run that has ended answers its lines and ends.
    cluster.end_container_log("default", "p", "app").unwrap();
    let r = get(&router, &format!("{base}?follow=true&timestamps=false")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type").as_deref(), Some("text/plain"));
    assert_eq!(r.text(), "one\ntwo\n");

    let r = get(&router, &format!("{base}?tailLines=-1")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["message"],
        "PodLogOptions \"p\" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0"
    );
    let r = get(&router, &format!("{base}?tailLines=x")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    let r = get(&router, &format!("{base}?sinceTime=yesterday")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    let r = get(&router, &format!("{base}?container=nope")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["message"], "container nope is not valid for pod p");
    let r = get(&router, "/api/v1/namespaces/default/pods/missing/log").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = call(&router, Method::POST, base, &[], Body::empty()).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
}

/// A custom resource's body without a kind: the decoder's error names the type and quotes the
/// body as it was sent.
#[tokio::test]
async fn a_custom_resource_without_kind_is_quoted_as_sent() {
    let (cluster, router) = setup().await;
    let before = cluster.dump_yaml().unwrap();
    let raw = "{\"apiVersion\": \"test.kobj.dev/v1\",\n \"metadata\": {\"name\": \"nk\"}}";
    let r = call(
        &router,
        Method::POST,
        &widgets("default"),
        &[("content-type", "application/json")],
        raw.to_string(),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json()["message"],
        format!(
            "Widget in version \"v1\" cannot be handled as a Widget: Object 'Kind' is missing in '{raw}'"
        )
    );
    assert_eq!(cluster.dump_yaml().unwrap(), before);
}

/// A custom resource's JSON body that repeats a key: `duplicate field "x"` for each repeat,
/// before the unknown fields, as a warning (the default), in the strict decoding error
/// (Strict), or not at all (Ignore); a merge patch's too.
#[tokio::test]
async fn repeated_keys_are_strict_decoding_errors() {
    let (cluster, router) = setup().await;
    let body = r#"{"apiVersion": "test.kobj.dev/v1", "kind": "Widget",
        "metadata": {"name": "d"},
        "spec": {"replicas": 1, "bogus": 1, "replicas": 2, "color": "red", "color": "blue"}}"#;
    let post = |query: &'static str| {
        let router = router.clone();
        async move {
            call(
                &router,
                Method::POST,
                &format!("{}{query}", widgets("default")),
                &[("content-type", "application/json")],
                body.to_string(),
            )
            .await
        }
    };
    let before = cluster.dump_yaml().unwrap();
    let r = post("?fieldValidation=Strict").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json()["message"],
        "Widget in version \"v1\" cannot be handled as a Widget: strict decoding error: duplicate field \"replicas\", duplicate field \"color\", unknown field \"spec.bogus\""
    );
    assert_eq!(cluster.dump_yaml().unwrap(), before);

    let r = post("").await;
    assert_eq!(r.status, StatusCode::CREATED);
    let warnings: Vec<String> = r
        .headers
        .get_all("warning")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert_eq!(
        warnings,
        [
            "299 - \"duplicate field \\\"replicas\\\"\"",
            "299 - \"duplicate field \\\"color\\\"\"",
            "299 - \"unknown field \\\"spec.bogus\\\"\""
        ]
    );
    // The last value wins.
    assert_eq!(r.json()["spec"]["replicas"], 2);
    assert_eq!(r.json()["spec"]["color"], "blue");

    let merge_patch = |validation: &'static str| {
        let router = router.clone();
        async move {
            call(
                &router,
                Method::PATCH,
                &format!("{}/d?fieldValidation={validation}", widgets("default")),
                &[("content-type", "application/merge-patch+json")],
                r#"{"spec": {"replicas": 3, "replicas": 4}}"#.to_string(),
            )
            .await
        }
    };
    let merge = merge_patch("Strict").await;
    assert_eq!(merge.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = merge.json()["message"].as_str().unwrap().to_string();
    assert!(
        message.ends_with("\": strict decoding error: duplicate field \"replicas\""),
        "{message}"
    );
    let ignored = merge_patch("Ignore").await;
    assert_eq!(ignored.status, StatusCode::OK);
    assert!(ignored.headers.get("warning").is_none());
    assert_eq!(ignored.json()["spec"]["replicas"], 4);
}

/// A write may answer with partial object metadata (kube-rs's `Api::patch_metadata`) or a
/// Table, as `AllowsMediaTypeTransform` allows for every verb; a failed JSON Patch operation's
/// 422 carries empty details.
#[tokio::test]
async fn writes_answer_with_partial_metadata_when_asked() {
    let (_cluster, router) = setup().await;
    create_widget(&router, "default", "pm", 1).await;
    let r = call(
        &router,
        Method::PATCH,
        &format!("{}/pm", widgets("default")),
        &[
            ("content-type", "application/merge-patch+json"),
            (
                "accept",
                "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1",
            ),
        ],
        r#"{"metadata": {"labels": {"x": "y"}}}"#.to_string(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let body = r.json();
    assert_eq!(body["kind"], "PartialObjectMetadata");
    assert_eq!(body["apiVersion"], "meta.k8s.io/v1");
    assert_eq!(body["metadata"]["labels"]["x"], "y");
    assert!(body.get("spec").is_none(), "{body}");

    let r = call(
        &router,
        Method::PATCH,
        &format!("{}/pm", widgets("default")),
        &[("content-type", "application/json-patch+json")],
        r#"[{"op": "test", "path": "/spec/replicas", "value": 9}]"#.to_string(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["details"], json!({}));
}

/// `PUT /api/v1/namespaces/<name>/finalize` takes the namespace's `spec.finalizers`, and is
/// listed in discovery with the verb `update`.
#[tokio::test]
async fn namespace_finalize_takes_spec_finalizers() {
    let (_cluster, router) = setup().await;
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "fin"}});
    let r = send_json(&router, Method::POST, "/api/v1/namespaces", &ns).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let mut body = r.json();
    body["spec"]["finalizers"] = json!(["example.com/x", "kubernetes"]);
    let r = send_json(
        &router,
        Method::PUT,
        "/api/v1/namespaces/fin/finalize",
        &body,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json()["spec"]["finalizers"],
        json!(["example.com/x", "kubernetes"])
    );
    let r = get(&router, "/api/v1/namespaces/fin/finalize").await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    let core = get(&router, "/api/v1").await.json();
    let finalize = core["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "namespaces/finalize")
        .cloned()
        .unwrap();
    assert_eq!(finalize["verbs"], json!(["update"]));
}
