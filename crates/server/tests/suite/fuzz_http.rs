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

use crate::common;
use crate::fuzz::bodies;
use crate::fuzz::requests;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use bodies::*;
use common::*;
use http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use kobj_fake::FakeCluster;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use requests::*;
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
    let (cluster, router) = setup_with(
        FakeCluster::builder()
            .too_large_resource_version_wait(Duration::from_millis(50))
            .build()
            .unwrap(),
    )
    .await;
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
            "Namespace in version \"v1\" cannot be handled as a Namespace: json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type map[string]string",
        ),
        (
            Method::POST,
            "/api/v1/namespaces/default/configmaps".to_owned(),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c2", "annotations": []}}),
            "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: json: cannot unmarshal array into Go struct field ObjectMeta.metadata.annotations of type map[string]string",
        ),
        (
            Method::PUT,
            "/api/v1/namespaces/default/configmaps/c1".to_owned(),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c1", "finalizers": "x"}}),
            "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: json: cannot unmarshal string into Go struct field ObjectMeta.metadata.finalizers of type []string",
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
