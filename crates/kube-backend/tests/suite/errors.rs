//! Failures: real Status bodies for every category, non-Status bodies, transport failures,
//! timeouts, and argument errors that never reach the wire.

use crate::common;

use std::time::Duration;

use common::*;
use kobj_core::{Error, ErrorKind};
use kube_core::DynamicObject;
use kube_core::params::{GetParams, ListParams, Patch, PatchParams, PostParams, VersionMatch};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn failing(code: u16, body: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(code).set_body_json(body))
        .mount(&server)
        .await;
    server
}

async fn get_error(server: &MockServer) -> Error {
    backend_without_retry(server)
        .get_object(&widgets(), Some("lab"), "w1", &GetParams::default())
        .await
        .unwrap_err()
}

fn details(name: &str) -> Value {
    json!({"name": name, "group": "example.com", "kind": "widgets"})
}

/// The error is the server's Status, unchanged, of the expected kind.
fn assert_status(err: &Error, kind: ErrorKind, body: &Value) {
    assert_eq!(err.kind(), kind, "{err:?}");
    let expected: kube_core::Status = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(err.status(), Some(&expected));
}

#[tokio::test]
async fn unauthorized_401() {
    let body = status(401, "Unauthorized", "Unauthorized", Value::Null);
    let err = get_error(&failing(401, body.clone()).await).await;
    assert_status(&err, ErrorKind::Unauthorized, &body);
    assert!(err.is_unauthorized());
}

#[tokio::test]
async fn forbidden_403() {
    let message = "widgets.example.com \"w1\" is forbidden: User \"system:serviceaccount:lab:robot\" \
                   cannot get resource \"widgets\" in API group \"example.com\" in the namespace \"lab\"";
    let body = status(403, "Forbidden", message, details("w1"));
    let err = get_error(&failing(403, body.clone()).await).await;
    assert_status(&err, ErrorKind::Forbidden, &body);
    assert!(err.is_forbidden());
    assert_eq!(err.to_string(), format!("Forbidden (403): {message}"));
}

#[tokio::test]
async fn not_found_404_status() {
    let body = status(
        404,
        "NotFound",
        "widgets.example.com \"w1\" not found",
        details("w1"),
    );
    let err = get_error(&failing(404, body.clone()).await).await;
    assert_status(&err, ErrorKind::NotFound, &body);
    assert!(err.is_not_found());
    // Exactly the fake's text for the same situation.
    assert_eq!(
        err.status().unwrap().message,
        Error::not_found(&widgets(), "w1").status().unwrap().message
    );
}

#[tokio::test]
async fn not_found_404_plain_text_body() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_raw("404 page not found\n", "text/plain; charset=utf-8"),
        )
        .mount(&server)
        .await;
    let err = get_error(&server).await;
    assert!(err.is_not_found(), "{err:?}");
    let status = err.status().unwrap();
    assert_eq!(status.code, 404);
    assert_eq!(status.reason, "NotFound");
    assert_eq!(
        status.message,
        "the server could not find the requested resource (get widgets.example.com w1)"
    );
    assert_eq!(err.causes()[0].reason, "UnexpectedServerResponse");
    assert_eq!(err.causes()[0].message, "404 page not found");
}

#[tokio::test]
async fn already_exists_409_on_create() {
    let body = status(
        409,
        "AlreadyExists",
        "widgets.example.com \"w1\" already exists",
        details("w1"),
    );
    let server = failing(409, body.clone()).await;
    let object: DynamicObject = serde_json::from_value(widget("w1", "")).unwrap();
    let err = backend(&server)
        .create_object(&widgets(), Some("lab"), &object, &PostParams::default())
        .await
        .unwrap_err();
    assert_status(&err, ErrorKind::AlreadyExists, &body);
    assert!(err.is_already_exists());
    assert!(!err.is_conflict());
}

#[tokio::test]
async fn conflict_409_on_replace() {
    let message = "Operation cannot be fulfilled on widgets.example.com \"w1\": the object has been \
                   modified; please apply your changes to the latest version and try again";
    let body = status(409, "Conflict", message, details("w1"));
    let server = failing(409, body.clone()).await;
    let object: DynamicObject = serde_json::from_value(widget("w1", "3")).unwrap();
    let err = backend(&server)
        .replace_object(
            &widgets(),
            Some("lab"),
            "w1",
            &object,
            &PostParams::default(),
        )
        .await
        .unwrap_err();
    assert_status(&err, ErrorKind::Conflict, &body);
    assert!(err.is_conflict());
    assert_eq!(
        err.status().unwrap().message,
        Error::stale(&widgets(), "w1").status().unwrap().message
    );
}

#[tokio::test]
async fn plain_text_409_on_post_is_already_exists() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(409).set_body_raw("conflict", "text/plain"))
        .mount(&server)
        .await;
    let object: DynamicObject = serde_json::from_value(widget("w1", "")).unwrap();
    let err = backend(&server)
        .create_object(&widgets(), Some("lab"), &object, &PostParams::default())
        .await
        .unwrap_err();
    assert!(err.is_already_exists(), "{err:?}");
    assert_eq!(
        err.status().unwrap().message,
        "the server reported a conflict (post widgets.example.com)"
    );
}

#[tokio::test]
async fn expired_410_on_a_continue_token() {
    let message = "The provided continue parameter is too old to display a consistent list result. \
                   You can start a new list without the continue parameter, or use the continue \
                   token in this response to retrieve the remainder of the results. Continuing \
                   with the provided token results in an inconsistent list - objects that were \
                   created, modified, or deleted between the time the first chunk was returned \
                   and now may show up in the list.";
    let body = status(410, "Expired", message, Value::Null);
    let server = failing(410, body.clone()).await;
    let err = backend(&server)
        .list_objects(
            &widgets(),
            Some("lab"),
            &ListParams::default().limit(2).continue_token("old"),
        )
        .await
        .unwrap_err();
    assert_status(&err, ErrorKind::Expired, &body);
    assert!(err.is_expired());
}

#[tokio::test]
async fn invalid_422_keeps_its_causes() {
    let message = "Widget.example.com \"w1\" is invalid: [spec.size: Invalid value: \"x\": spec.size \
                   in body must be of type integer: \"string\", spec.color: Unsupported value: \"pink\": \
                   supported values: \"red\", \"blue\"]";
    let body = status(
        422,
        "Invalid",
        message,
        json!({"name": "w1", "group": "example.com", "kind": "Widget", "causes": [
            {"reason": "FieldValueTypeInvalid", "message": "Invalid value: \"x\": spec.size in body must be of type integer: \"string\"", "field": "spec.size"},
            {"reason": "FieldValueNotSupported", "message": "Unsupported value: \"pink\": supported values: \"red\", \"blue\"", "field": "spec.color"}
        ]}),
    );
    let server = failing(422, body.clone()).await;
    let patch = Patch::Merge(json!({"spec": {"size": "x", "color": "pink"}}));
    let err = backend(&server)
        .patch_object(
            &widgets(),
            Some("lab"),
            "w1",
            &patch,
            &PatchParams::default(),
        )
        .await
        .unwrap_err();
    assert_status(&err, ErrorKind::Invalid, &body);
    assert!(err.is_invalid());
    let fields: Vec<&str> = err.causes().iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["spec.size", "spec.color"]);
}

#[tokio::test]
async fn too_many_requests_429_with_retry_after() {
    let body = status(
        429,
        "TooManyRequests",
        "Too many requests, please try again later.",
        json!({"retryAfterSeconds": 1}),
    );
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(body.clone()),
        )
        .mount(&server)
        .await;
    let err = get_error(&server).await;
    assert_status(&err, ErrorKind::TooManyRequests, &body);
    assert!(err.is_too_many_requests());
    assert_eq!(err.retry_after_seconds(), Some(1));
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn kube_rs_default_retry_honours_retry_after_on_429() {
    // kube-rs's default client retries 429/503/504 itself (server-aware backoff); the backend
    // adds no retry of its own on top.
    let body = status(
        429,
        "TooManyRequests",
        "slow down",
        json!({"retryAfterSeconds": 1}),
    );
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(body),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(widget("w1", "3")))
        .mount(&server)
        .await;
    let started = std::time::Instant::now();
    let got = backend(&server)
        .get_object(&widgets(), Some("lab"), "w1", &GetParams::default())
        .await
        .unwrap();
    assert_eq!(got.metadata.name.as_deref(), Some("w1"));
    assert_eq!(requests(&server).await.len(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited for Retry-After"
    );
}

#[tokio::test]
async fn internal_500() {
    let body = status(
        500,
        "InternalError",
        "Internal error occurred: etcdserver: request timed out",
        json!({"causes": [{"message": "etcdserver: request timed out"}]}),
    );
    let err = get_error(&failing(500, body.clone()).await).await;
    assert_status(&err, ErrorKind::Internal, &body);
    assert!(err.is_internal());
}

#[tokio::test]
async fn service_unavailable_503_and_timeout_504() {
    let body = status(
        503,
        "ServiceUnavailable",
        "the server is currently unable to handle the request",
        Value::Null,
    );
    let err = get_error(&failing(503, body.clone()).await).await;
    assert_status(&err, ErrorKind::ServiceUnavailable, &body);

    let body = status(
        504,
        "Timeout",
        "Timeout: Too large resource version: 99, current: 12",
        json!({"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}], "retryAfterSeconds": 1}),
    );
    let err = get_error(&failing(504, body.clone()).await).await;
    assert_status(&err, ErrorKind::Timeout, &body);
    assert!(err.is_timeout());
}

#[tokio::test]
async fn a_body_that_is_not_the_object_is_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            "{\"metadata\": 7, \"secret\": \"hunter2\"}",
            "application/json",
        ))
        .mount(&server)
        .await;
    let err = get_error(&server).await;
    assert!(err.is_decode(), "{err:?}");
    let text = err.to_string();
    assert!(text.starts_with(&format!(
        "decode error: cannot decode the response to GET {}/apis/example.com/v1/namespaces/lab/widgets/w1: ",
        server.uri()
    )), "{text}");
    assert!(!text.contains("hunter2"));
}

#[tokio::test]
async fn a_slow_server_is_a_transport_timeout() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(widget("w1", "1"))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let mut config = config(&server);
    config.read_timeout = Some(Duration::from_millis(200));
    let backend = kobj_kube::KubeBackend::from_config(config).unwrap();
    let started = std::time::Instant::now();
    let err = backend
        .get_object(&widgets(), Some("lab"), "w1", &GetParams::default())
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(err.is_transport(), "{err:?}");
    assert!(
        err.to_string().starts_with(&format!(
            "transport error: timed out talking to the API server for GET {}/apis/example.com/v1/namespaces/lab/widgets/w1",
            server.uri()
        )),
        "{err}"
    );
}

#[tokio::test]
async fn a_refused_connection_names_the_url() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let backend =
        kobj_kube::KubeBackend::from_config(kube::Config::new(url.parse().unwrap())).unwrap();
    let err = backend
        .list_objects(&widgets(), None, &ListParams::default())
        .await
        .unwrap_err();
    assert!(err.is_transport());
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "transport error: cannot reach the API server for GET {url}/apis/example.com/v1/widgets: "
        )),
        "{text}"
    );
    assert!(text.contains("Connection refused"), "{text}");

    // Without a known server URL, the path is still named.
    let bare = kobj_kube::KubeBackend::from_kube_client(backend.kube_client().clone());
    let err = bare
        .get_object(&widgets(), Some("lab"), "w1", &GetParams::default())
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("GET /apis/example.com/v1/namespaces/lab/widgets/w1"),
        "{err}"
    );
    let named = bare.with_server_url(url.clone());
    let err = named
        .get_object(&widgets(), Some("lab"), "w1", &GetParams::default())
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains(&format!("GET {url}/apis/")),
        "{err}"
    );
}

#[tokio::test]
async fn bad_arguments_never_reach_the_wire() {
    let server = failing(
        500,
        status(500, "InternalError", "must not be called", Value::Null),
    )
    .await;
    let backend = backend(&server);
    let w = widgets();
    let c = cluster_widgets();
    let gp = GetParams::default();
    let message = |e: Error| e.status().map(|s| (s.code, s.message.clone())).unwrap();

    let err = backend.get_object(&w, None, "w1", &gp).await.unwrap_err();
    assert_eq!(
        message(err),
        (
            400,
            "widgets.example.com is namespaced: a namespace is required".into()
        )
    );
    let err = backend
        .get_object(&c, Some("lab"), "c1", &gp)
        .await
        .unwrap_err();
    assert_eq!(
        message(err),
        (
            400,
            "clusterwidgets.example.com is cluster-scoped: a namespace (\"lab\") may not be given"
                .into()
        )
    );
    let err = backend
        .get_object(&w, Some("lab"), "", &gp)
        .await
        .unwrap_err();
    assert_eq!(message(err), (400, "resource name may not be empty".into()));
    let err = backend
        .delete_object(&w, Some("lab"), "a/b", &Default::default())
        .await
        .unwrap_err();
    assert_eq!(
        message(err),
        (
            400,
            "invalid resource name \"a/b\": [may not contain '/']".into()
        )
    );
    let err = backend
        .list_objects(&w, Some(".."), &Default::default())
        .await
        .unwrap_err();
    assert_eq!(
        message(err),
        (400, "invalid namespace \"..\": [may not be '..']".into())
    );
    let err = backend
        .list_objects(&w, Some(""), &Default::default())
        .await
        .unwrap_err();
    assert!(err.is_bad_request());

    let mut no_plural = widgets();
    no_plural.api.plural.clear();
    no_plural.api.kind.clear();
    let err = backend
        .get_object(&no_plural, Some("lab"), "w1", &gp)
        .await
        .unwrap_err();
    assert!(err.is_bad_request(), "{err:?}");

    let lp = ListParams::default().matching(VersionMatch::Exact).at("0");
    let err = backend
        .list_objects(&w, Some("lab"), &lp)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    let lp = ListParams {
        version_match: Some(VersionMatch::NotOlderThan),
        ..Default::default()
    };
    let err = backend
        .list_objects(&w, Some("lab"), &lp)
        .await
        .unwrap_err();
    assert!(err.is_invalid());

    let with_continue = ListParams::default().continue_token("tok").at("12");
    let err = backend
        .list_objects(&w, Some("lab"), &with_continue)
        .await
        .unwrap_err();
    assert_eq!(
        message(err),
        (
            400,
            "specifying resource version is not allowed when using continue".into()
        )
    );
    let err = backend
        .list_objects(
            &w,
            Some("lab"),
            &with_continue.matching(VersionMatch::NotOlderThan),
        )
        .await
        .unwrap_err();
    assert!(err.is_invalid());

    let merge = Patch::Merge(json!({}));
    let err = backend
        .patch_object(
            &w,
            Some("lab"),
            "w1",
            &merge,
            &PatchParams::apply("me").force(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        message(err),
        (422, "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for non-apply patch".into())
    );
    let long = PostParams {
        dry_run: false,
        field_manager: Some("m".repeat(200)),
    };
    let object: DynamicObject = serde_json::from_value(widget("w1", "")).unwrap();
    let err = backend
        .create_object(&w, Some("lab"), &object, &long)
        .await
        .unwrap_err();
    assert!(err.is_invalid());
    let err = backend
        .replace_scale(&w, Some("lab"), "w1", &Default::default(), &long)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("UpdateOptions.meta.k8s.io"));

    let wp = kube_core::params::WatchParams {
        send_initial_events: true,
        bookmarks: false,
        ..Default::default()
    };
    let err = backend
        .watch_objects(&w, Some("lab"), &wp, "")
        .await
        .err()
        .unwrap();
    assert!(err.is_bad_request(), "{err:?}");

    assert!(
        requests(&server).await.is_empty(),
        "nothing reached the server"
    );
}
