//! Watch over HTTP (rules 34–41): one JSON event per line, start points, bookmarks,
//! sendInitialEvents, timeouts, 410 as an ERROR event, the watch limit and Table events.

use crate::common;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use common::*;
use http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use kobj_fake::FakeCluster;
use serde_json::{Value, json};
use tower::ServiceExt;

/// An open watch: its response head and a line reader over the body.
struct Watch {
    status: StatusCode,
    headers: http::HeaderMap,
    body: Body,
    buf: Vec<u8>,
}

impl Watch {
    /// The next line as JSON, `None` when the stream ended; panics after 5 s.
    async fn next(&mut self) -> Option<Value> {
        tokio::time::timeout(Duration::from_secs(5), self.next_line())
            .await
            .expect("a watch event within 5 s")
    }

    async fn next_line(&mut self) -> Option<Value> {
        loop {
            if let Some(pos) = self.buf.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=pos).collect();
                return Some(serde_json::from_slice(&line[..line.len() - 1]).unwrap());
            }
            match self.body.frame().await {
                None => {
                    assert!(self.buf.is_empty(), "a partial line at the end");
                    return None;
                }
                Some(frame) => {
                    if let Ok(data) = frame.unwrap().into_data() {
                        self.buf.extend_from_slice(&data);
                    }
                }
            }
        }
    }
}

async fn watch(router: &Router, uri: &str, headers: &[(&str, &str)]) -> Watch {
    let mut req = Request::get(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = router
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    Watch {
        status: resp.status(),
        headers: resp.headers().clone(),
        body: resp.into_body(),
        buf: Vec::new(),
    }
}

fn kind_and_name(event: &Value) -> (String, String) {
    (
        event["type"].as_str().unwrap().to_string(),
        event["object"]["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

#[tokio::test]
async fn events_are_one_json_line_each_from_a_resource_version() {
    let (_cluster, router) = setup().await;
    let first = create_widget(&router, "default", "before", 1).await;
    let rv = first["metadata"]["resourceVersion"].as_str().unwrap();
    let mut w = watch(
        &router,
        &format!("{}?watch=1&resourceVersion={rv}", widgets("default")),
        &[],
    )
    .await;
    assert_eq!(w.status, StatusCode::OK);
    assert_eq!(w.headers["content-type"], "application/json");

    create_widget(&router, "default", "w1", 1).await;
    patch(
        &router,
        &format!("{}/w1", widgets("default")),
        "application/merge-patch+json",
        &json!({"spec": {"replicas": 2}}),
    )
    .await;
    call(
        &router,
        Method::DELETE,
        &format!("{}/w1", widgets("default")),
        &[],
        Body::empty(),
    )
    .await;

    let added = w.next().await.unwrap();
    assert_eq!(kind_and_name(&added), ("ADDED".into(), "w1".into()));
    assert_eq!(added["object"]["kind"], "Widget");
    let modified = w.next().await.unwrap();
    assert_eq!(kind_and_name(&modified), ("MODIFIED".into(), "w1".into()));
    assert_eq!(modified["object"]["spec"]["replicas"], 2);
    let deleted = w.next().await.unwrap();
    assert_eq!(kind_and_name(&deleted), ("DELETED".into(), "w1".into()));
    let rvs: Vec<u64> = [&added, &modified, &deleted]
        .iter()
        .map(|e| {
            e["object"]["metadata"]["resourceVersion"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert!(rvs.windows(2).all(|p| p[0] < p[1]), "{rvs:?}");
}

#[tokio::test]
async fn unset_version_replays_state_and_timeout_closes_cleanly() {
    let (_cluster, router) = setup().await;
    create_widget(&router, "default", "a", 1).await;
    create_widget(&router, "default", "b", 1).await;
    let started = std::time::Instant::now();
    let mut w = watch(
        &router,
        &format!("{}?watch=true&timeoutSeconds=1", widgets("default")),
        &[],
    )
    .await;
    assert_eq!(
        kind_and_name(&w.next().await.unwrap()),
        ("ADDED".into(), "a".into())
    );
    assert_eq!(
        kind_and_name(&w.next().await.unwrap()),
        ("ADDED".into(), "b".into())
    );
    assert!(
        w.next().await.is_none(),
        "the stream ends when timeoutSeconds runs out"
    );
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(4),
        "{took:?}"
    );
}

#[tokio::test]
async fn too_old_versions_get_an_error_event_with_410() {
    let cluster = FakeCluster::builder().watch_history(3).build().unwrap();
    let router = kobj_server::router(cluster, kobj_server::ServerConfig::default());
    let r = send_json(
        &router,
        Method::POST,
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        &widget_crd(),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let first = create_widget(&router, "default", "w0", 1).await;
    let old = first["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    for i in 1..8 {
        create_widget(&router, "default", &format!("w{i}"), 1).await;
    }
    let mut w = watch(
        &router,
        &format!("{}?watch=1&resourceVersion={old}", widgets("default")),
        &[],
    )
    .await;
    assert_eq!(w.status, StatusCode::OK);
    let e = w.next().await.unwrap();
    assert_eq!(e["type"], "ERROR");
    assert_eq!(e["object"]["kind"], "Status");
    assert_eq!(e["object"]["apiVersion"], "v1");
    assert_eq!(e["object"]["code"], 410);
    assert_eq!(e["object"]["reason"], "Expired");
    assert!(
        e["object"]["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("too old resource version: {old} ("))
    );
    assert!(w.next().await.is_none());
}

#[tokio::test]
async fn send_initial_events_ends_with_an_annotated_bookmark() {
    let (_cluster, router) = setup().await;
    create_widget(&router, "default", "a", 1).await;
    let r = get(
        &router,
        &format!("{}?watch=1&sendInitialEvents=true", widgets("default")),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["message"],
        "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"
    );
    let mut w = watch(
        &router,
        &format!("{}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true", widgets("default")),
        &[],
    )
    .await;
    assert_eq!(
        kind_and_name(&w.next().await.unwrap()),
        ("ADDED".into(), "a".into())
    );
    let bookmark = w.next().await.unwrap();
    assert_eq!(bookmark["type"], "BOOKMARK");
    assert_eq!(bookmark["object"]["kind"], "Widget");
    assert_eq!(bookmark["object"]["apiVersion"], "test.kobj.dev/v1");
    assert_eq!(
        bookmark["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"],
        "true"
    );
    assert!(bookmark["object"]["metadata"]["resourceVersion"].is_string());
    create_widget(&router, "default", "b", 1).await;
    assert_eq!(
        kind_and_name(&w.next().await.unwrap()),
        ("ADDED".into(), "b".into())
    );
}

#[tokio::test]
async fn open_watches_are_bounded() {
    let cluster = FakeCluster::new();
    let router = kobj_server::router(
        cluster.clone(),
        kobj_server::ServerConfig::default().max_watches(1),
    );
    let first = watch(
        &router,
        "/api/v1/namespaces/default/configmaps?watch=1",
        &[],
    )
    .await;
    assert_eq!(first.status, StatusCode::OK);
    let r = get(&router, "/api/v1/namespaces/default/configmaps?watch=1").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.json()["reason"], "TooManyRequests");
    assert_eq!(r.header("retry-after").as_deref(), Some("1"));
    drop(first);
    let again = watch(
        &router,
        "/api/v1/namespaces/default/configmaps?watch=1",
        &[],
    )
    .await;
    assert_eq!(
        again.status,
        StatusCode::OK,
        "the permit came back when the first watch closed"
    );
}

#[tokio::test]
async fn legacy_watch_path_for_one_object() {
    let (_cluster, router) = setup().await;
    create_widget(&router, "default", "a", 1).await;
    create_widget(&router, "default", "b", 1).await;
    let base = "/apis/test.kobj.dev/v1/watch/namespaces/default/widgets/a";
    let r = get(&router, &format!("{base}?fieldSelector=metadata.name%3Db")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json()["message"],
        "fieldSelector metadata.name doesn't match requested name"
    );
    let mut w = watch(&router, base, &[]).await;
    assert_eq!(
        kind_and_name(&w.next().await.unwrap()),
        ("ADDED".into(), "a".into())
    );
    patch(
        &router,
        &format!("{}/b", widgets("default")),
        "application/merge-patch+json",
        &json!({"spec": {"replicas": 5}}),
    )
    .await;
    patch(
        &router,
        &format!("{}/a", widgets("default")),
        "application/merge-patch+json",
        &json!({"spec": {"replicas": 6}}),
    )
    .await;
    assert_eq!(
        kind_and_name(&w.next().await.unwrap()),
        ("MODIFIED".into(), "a".into())
    );
}

#[tokio::test]
async fn table_watches_carry_one_row_per_event() {
    let (_cluster, router) = setup().await;
    create_widget(&router, "default", "a", 3).await;
    let accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
    let mut w = watch(
        &router,
        &format!("{}?watch=1", widgets("default")),
        &[("accept", accept)],
    )
    .await;
    let e = w.next().await.unwrap();
    assert_eq!(e["type"], "ADDED");
    assert_eq!(e["object"]["kind"], "Table");
    assert_eq!(e["object"]["columnDefinitions"][1]["name"], "Replicas");
    assert_eq!(e["object"]["rows"][0]["cells"][0], "a");
    assert_eq!(e["object"]["rows"][0]["cells"][1], 3);
    assert_eq!(
        e["object"]["rows"][0]["object"]["kind"],
        "PartialObjectMetadata"
    );
}
