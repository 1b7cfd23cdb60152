//! Watch: the raw stream (ERROR and BOOKMARK events, clean ends, streams that break), and the
//! resilient stream (reconnects, re-lists on 410, no missed and no repeated state).

use crate::common;

use std::time::Duration;

use common::scripted::{Reply, Scripted};
use common::*;
use futures::StreamExt;
use kobj_core::{Result, WatchStream};
use kube_core::params::WatchParams;
use kube_core::{DynamicObject, WatchEvent};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A widget with an explicit uid.
fn w(name: &str, rv: &str, uid: &str) -> Value {
    let mut o = widget(name, rv);
    o["metadata"]["uid"] = json!(uid);
    o
}

fn line(ty: &str, object: Value) -> String {
    format!("{}\n", event(ty, object))
}

fn full(status: u16, body: Value) -> Reply {
    Reply::Full {
        status,
        body: body.to_string(),
    }
}

fn chunks(lines: &[String], finish: bool) -> Reply {
    Reply::Chunks {
        chunks: lines.to_vec(),
        finish,
    }
}

/// A short description of an event: `ADDED a@3`.
fn describe(event: &WatchEvent<DynamicObject>) -> String {
    let obj = |ty: &str, o: &DynamicObject| {
        format!(
            "{ty} {}@{}",
            o.metadata.name.as_deref().unwrap_or("?"),
            o.metadata.resource_version.as_deref().unwrap_or("?")
        )
    };
    match event {
        WatchEvent::Added(o) => obj("ADDED", o),
        WatchEvent::Modified(o) => obj("MODIFIED", o),
        WatchEvent::Deleted(o) => obj("DELETED", o),
        WatchEvent::Bookmark(b) => format!("BOOKMARK @{}", b.metadata.resource_version),
        WatchEvent::Error(s) => format!("ERROR {}", s.code),
    }
}

/// Takes `n` items, failing the test if they do not come within 10 s.
async fn take(stream: &mut WatchStream, n: usize) -> Vec<Result<WatchEvent<DynamicObject>>> {
    let mut out = Vec::new();
    for _ in 0..n {
        let item = tokio::time::timeout(Duration::from_secs(10), stream.next())
            .await
            .expect("the stream stalled");
        match item {
            Some(item) => out.push(item),
            None => break,
        }
    }
    out
}

fn describe_all(items: &[Result<WatchEvent<DynamicObject>>]) -> Vec<String> {
    items
        .iter()
        .map(|i| match i {
            Ok(e) => describe(e),
            Err(e) => format!("Err {:?}", e.kind()),
        })
        .collect()
}

const LIST_PATH: &str = "GET /apis/example.com/v1/namespaces/lab/widgets?";

fn watch_path(rv: &str) -> String {
    format!(
        "GET /apis/example.com/v1/namespaces/lab/widgets?&watch=true&timeoutSeconds=290&allowWatchBookmarks=true&resourceVersion={rv}"
    )
}

// ---------------------------------------------------------------- raw

#[tokio::test]
async fn raw_error_events_are_items_and_the_stream_then_ends() {
    let server = MockServer::start().await;
    let expired = status(
        410,
        "Expired",
        "too old resource version: 5 (12)",
        Value::Null,
    );
    let body = watch_body(&[event("ADDED", widget("w1", "6")), event("ERROR", expired)]);
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let mut stream = backend(&server)
        .watch_objects(&widgets(), Some("lab"), &WatchParams::default(), "5")
        .await
        .unwrap();
    let items = take(&mut stream, 5).await;
    assert_eq!(describe_all(&items), ["ADDED w1@6", "ERROR 410"]);
    match &items[1] {
        Ok(WatchEvent::Error(status)) => {
            assert_eq!(status.reason, "Expired");
            assert_eq!(status.message, "too old resource version: 5 (12)");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn raw_bookmarks_pass_through_and_a_clean_close_ends_the_stream() {
    let peer = Scripted::start(vec![chunks(
        &[
            line("ADDED", widget("w1", "6")),
            format!("{}\n", bookmark("example.com/v1", "Widget", "9")),
            line("MODIFIED", widget("w1", "10")),
        ],
        true,
    )])
    .await;
    let wp = WatchParams::default().timeout(5);
    let mut stream = peer
        .backend()
        .watch_objects(&widgets(), Some("lab"), &wp, "5")
        .await
        .unwrap();
    let items = take(&mut stream, 10).await;
    assert_eq!(
        describe_all(&items),
        ["ADDED w1@6", "BOOKMARK @9", "MODIFIED w1@10"]
    );
}

#[tokio::test]
async fn raw_stream_that_breaks_yields_one_transport_error() {
    let peer = Scripted::start(vec![chunks(&[line("ADDED", widget("w1", "6"))], false)]).await;
    let mut stream = peer
        .backend()
        .watch_objects(&widgets(), Some("lab"), &WatchParams::default(), "5")
        .await
        .unwrap();
    let items = take(&mut stream, 10).await;
    assert_eq!(describe_all(&items), ["ADDED w1@6", "Err Transport"]);
    let text = items[1].as_ref().unwrap_err().to_string();
    assert!(
        text.starts_with(&format!(
            "transport error: the watch stream from GET {}/apis/example.com/v1/namespaces/lab/widgets?&watch=true",
            peer.url
        )),
        "{text}"
    );
    // kube-rs's own Api::watch ends quietly here instead.
    let peer = Scripted::start(vec![chunks(&[line("ADDED", widget("w1", "6"))], false)]).await;
    let api: kube::Api<DynamicObject> =
        kube::Api::namespaced_with(peer.backend().kube_client().clone(), "lab", &widgets().api);
    let events: Vec<_> = api
        .watch(&WatchParams::default(), "5")
        .await
        .unwrap()
        .collect()
        .await;
    assert_eq!(events.len(), 1);
    assert!(events[0].is_ok());
}

#[tokio::test]
async fn raw_watch_refused_by_the_server() {
    let server = MockServer::start().await;
    let body = status(
        403,
        "Forbidden",
        "widgets.example.com is forbidden: User \"robot\" cannot watch resource \"widgets\"",
        Value::Null,
    );
    Mock::given(any())
        .respond_with(ResponseTemplate::new(403).set_body_json(body))
        .mount(&server)
        .await;
    let err = backend(&server)
        .watch_objects(&widgets(), Some("lab"), &WatchParams::default(), "")
        .await
        .err()
        .unwrap();
    assert!(err.is_forbidden());
}

#[tokio::test]
async fn raw_lines_that_are_not_events() {
    let server = MockServer::start().await;
    let bare = status(
        500,
        "InternalError",
        "Internal error occurred: boom",
        Value::Null,
    );
    let body = format!(
        "{bare}\nnot json\n{}\n",
        event("DELETED", widget("w1", "8"))
    );
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let mut stream = backend(&server)
        .watch_objects(&widgets(), Some("lab"), &WatchParams::default(), "5")
        .await
        .unwrap();
    let items = take(&mut stream, 10).await;
    assert_eq!(
        describe_all(&items),
        ["Err Internal", "Err Decode", "DELETED w1@8"]
    );
}

// ---------------------------------------------------------------- resilient

#[tokio::test]
async fn resilient_lists_then_watches_from_the_list() {
    let peer = Scripted::start(vec![
        full(
            200,
            list_of(
                "Widget",
                "example.com/v1",
                "10",
                vec![w("a", "3", "ua"), w("b", "4", "ub")],
            ),
        ),
        chunks(
            &[
                line("MODIFIED", w("a", "11", "ua")),
                format!("{}\n", bookmark("example.com/v1", "Widget", "12")),
                line("ADDED", w("c", "13", "uc")),
            ],
            false,
        ),
    ])
    .await;
    let mut stream = peer
        .backend()
        .resilient_watch(&widgets(), Some("lab"), &WatchParams::default())
        .backoff(Duration::from_millis(10), Duration::from_millis(50))
        .stream();
    let items = take(&mut stream, 5).await;
    assert_eq!(
        describe_all(&items),
        [
            "ADDED a@3",
            "ADDED b@4",
            "MODIFIED a@11",
            "BOOKMARK @12",
            "ADDED c@13"
        ]
    );
    // Keep polling (the stream is lazy) until the reconnect after the break is seen.
    let poller = tokio::spawn(async move { stream.next().await.map(|i| i.is_ok()) });
    tokio::time::timeout(Duration::from_secs(5), async {
        while peer.requests().len() < 3 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap();
    assert_eq!(
        peer.requests(),
        [LIST_PATH.to_string(), watch_path("10"), watch_path("13")]
    );
    poller.abort();
}

#[tokio::test]
async fn resilient_resumes_after_a_break_without_repeating_events() {
    let peer = Scripted::start(vec![
        full(
            200,
            list_of("Widget", "example.com/v1", "10", vec![w("a", "3", "ua")]),
        ),
        chunks(&[line("MODIFIED", w("a", "11", "ua"))], false),
        // The server re-sends the last event (a duplicate), then a new one.
        chunks(
            &[
                line("MODIFIED", w("a", "11", "ua")),
                line("MODIFIED", w("a", "12", "ua")),
            ],
            true,
        ),
        chunks(&[line("DELETED", w("a", "13", "ua"))], false),
    ])
    .await;
    let mut stream = peer
        .backend()
        .resilient_watch(&widgets(), Some("lab"), &WatchParams::default())
        .backoff(Duration::from_millis(10), Duration::from_millis(50))
        .stream();
    let items = take(&mut stream, 4).await;
    assert_eq!(
        describe_all(&items),
        [
            "ADDED a@3",
            "MODIFIED a@11",
            "MODIFIED a@12",
            "DELETED a@13"
        ]
    );
    let requests = peer.requests();
    assert_eq!(
        requests[..4],
        [
            LIST_PATH.to_string(),
            watch_path("10"),
            watch_path("11"),
            watch_path("12")
        ]
    );
}

#[tokio::test]
async fn resilient_relists_on_410_and_yields_only_the_difference() {
    let expired = status(
        410,
        "Expired",
        "too old resource version: 10 (40)",
        Value::Null,
    );
    let peer = Scripted::start(vec![
        full(
            200,
            list_of(
                "Widget",
                "example.com/v1",
                "10",
                vec![
                    w("a", "3", "ua"),
                    w("b", "4", "ub"),
                    w("c", "5", "uc"),
                    w("e", "6", "ue"),
                ],
            ),
        ),
        chunks(&[format!("{}\n", event("ERROR", expired))], true),
        full(
            200,
            list_of(
                "Widget",
                "example.com/v1",
                "40",
                // a changed, b unchanged, c gone, d new, e re-created under a new uid.
                vec![
                    w("a", "30", "ua"),
                    w("b", "4", "ub"),
                    w("d", "31", "ud"),
                    w("e", "32", "ue2"),
                ],
            ),
        ),
        chunks(&[line("MODIFIED", w("b", "41", "ub"))], true),
    ])
    .await;
    let mut stream = peer
        .backend()
        .resilient_watch(&widgets(), Some("lab"), &WatchParams::default())
        .backoff(Duration::from_millis(10), Duration::from_millis(50))
        .stream();
    let items = take(&mut stream, 10).await;
    assert_eq!(
        describe_all(&items[..10]),
        [
            "ADDED a@3",
            "ADDED b@4",
            "ADDED c@5",
            "ADDED e@6",
            "MODIFIED a@30",
            "ADDED d@31",
            "DELETED e@6",
            "ADDED e@32",
            "DELETED c@5",
            "MODIFIED b@41",
        ]
    );
    let requests = peer.requests();
    assert_eq!(
        requests[..4],
        [
            LIST_PATH.to_string(),
            watch_path("10"),
            LIST_PATH.to_string(),
            watch_path("40")
        ]
    );
}

#[tokio::test]
async fn resilient_relists_when_the_watch_request_itself_is_410() {
    let gone = status(410, "Gone", "resource version too old", Value::Null);
    let peer = Scripted::start(vec![
        full(
            200,
            list_of("Widget", "example.com/v1", "10", vec![w("a", "3", "ua")]),
        ),
        full(410, gone),
        full(200, list_of("Widget", "example.com/v1", "20", vec![])),
    ])
    .await;
    let mut stream = peer
        .backend()
        .resilient_watch(&widgets(), Some("lab"), &WatchParams::default())
        .backoff(Duration::from_millis(10), Duration::from_millis(50))
        .stream();
    let items = take(&mut stream, 2).await;
    assert_eq!(describe_all(&items), ["ADDED a@3", "DELETED a@3"]);
}

#[tokio::test]
async fn resilient_from_a_list_the_consumer_has() {
    let peer = Scripted::start(vec![chunks(&[line("MODIFIED", w("a", "11", "ua"))], true)]).await;
    let backend = peer.backend();
    let known: kube_core::ObjectList<DynamicObject> = serde_json::from_value(list_of(
        "Widget",
        "example.com/v1",
        "10",
        vec![w("a", "3", "ua")],
    ))
    .unwrap();
    let mut stream = backend
        .resilient_watch(&widgets(), Some("lab"), &WatchParams::default())
        .from_list(known)
        .stream();
    let items = take(&mut stream, 1).await;
    assert_eq!(describe_all(&items), ["MODIFIED a@11"]);
    assert_eq!(peer.requests()[0], watch_path("10"));
}

#[tokio::test]
async fn resilient_ends_on_a_permanent_error() {
    let forbidden = status(
        403,
        "Forbidden",
        "widgets.example.com is forbidden",
        Value::Null,
    );
    let peer = Scripted::start(vec![
        full(200, list_of("Widget", "example.com/v1", "10", vec![])),
        full(403, forbidden),
    ])
    .await;
    let mut stream = peer
        .backend()
        .resilient_watch(&widgets(), Some("lab"), &WatchParams::default())
        .stream();
    let items = take(&mut stream, 5).await;
    assert_eq!(describe_all(&items), ["Err Forbidden"]);
}

#[tokio::test]
async fn resilient_gives_up_after_max_retries() {
    let peer = Scripted::start(vec![
        full(200, list_of("Widget", "example.com/v1", "10", vec![])),
        chunks(&[], false),
        chunks(&[], false),
        chunks(&[], false),
    ])
    .await;
    let started = std::time::Instant::now();
    let mut stream = peer
        .backend()
        .resilient_watch(&widgets(), Some("lab"), &WatchParams::default())
        .backoff(Duration::from_millis(40), Duration::from_secs(1))
        .max_retries(2)
        .stream();
    let items = take(&mut stream, 5).await;
    assert_eq!(describe_all(&items), ["Err Transport"]);
    // Three attempts, with 40 ms and 80 ms of backoff between them.
    assert_eq!(peer.requests().len(), 4);
    assert!(started.elapsed() >= Duration::from_millis(120));
}

#[tokio::test]
async fn resilient_survives_a_server_error_event_and_keeps_the_selector() {
    let internal = status(
        500,
        "InternalError",
        "Internal error occurred: etcd",
        Value::Null,
    );
    let peer = Scripted::start(vec![
        full(200, list_of("Widget", "example.com/v1", "10", vec![])),
        chunks(&[format!("{}\n", event("ERROR", internal))], true),
        chunks(&[line("ADDED", w("a", "12", "ua"))], true),
    ])
    .await;
    let wp = WatchParams::default().labels("app=demo");
    let mut stream = peer
        .backend()
        .resilient_watch(&widgets(), Some("lab"), &wp)
        .backoff(Duration::from_millis(10), Duration::from_millis(50))
        .stream();
    let items = take(&mut stream, 1).await;
    assert_eq!(describe_all(&items), ["ADDED a@12"]);
    let requests = peer.requests();
    assert_eq!(
        requests[0],
        "GET /apis/example.com/v1/namespaces/lab/widgets?&labelSelector=app%3Ddemo"
    );
    assert!(
        requests[2].contains("labelSelector=app%3Ddemo")
            && requests[2].ends_with("resourceVersion=10")
    );
}
