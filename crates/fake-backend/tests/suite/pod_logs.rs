//! `pods/<name>/log`: the server's checks of the request and the Pod, and the kubelet's
//! options over the lines a test wrote.

use crate::common;

use std::time::Duration;

use common::*;
use k8s_openapi::jiff::Timestamp;
use kobj_core::CustomObjects;
use kobj_fake::actions::{ActionFilter, Verb};
use kobj_fake::faults::{Fault, FaultError};
use kobj_fake::{Clock, FakeCluster};
use kube_core::params::{DeleteParams, PostParams};
use kube_core::subresource::LogParams;
use serde_json::json;

const START: &str = "2026-01-02T03:04:05Z";

fn logs_cluster() -> FakeCluster {
    FakeCluster::builder()
        .clock(Clock::manual(START.parse::<Timestamp>().unwrap()))
        .build()
        .unwrap()
}

/// A Pod named `name` on `node` (or unscheduled), with containers `app` and `sidecar` and
/// the init container `setup`, or only `app`.
async fn pod(c: &FakeCluster, name: &str, node: Option<&str>, several: bool) {
    let mut spec = json!({"containers": [{"name": "app", "image": "busybox"}]});
    if several {
        spec["containers"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "sidecar", "image": "busybox"}));
        spec["initContainers"] = json!([{"name": "setup", "image": "busybox"}]);
    }
    if let Some(node) = node {
        spec["nodeName"] = json!(node);
    }
    let body = obj(json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"}, "spec": spec}));
    c.create_object(&pods(), Some("default"), &body, &PostParams::default())
        .await
        .unwrap();
}

async fn delete_pod(c: &FakeCluster, name: &str) {
    let now = DeleteParams {
        grace_period_seconds: Some(0),
        ..Default::default()
    };
    c.delete_object(&pods(), Some("default"), name, &now)
        .await
        .unwrap();
}

fn log(c: &FakeCluster, name: &str, p: LogParams) -> kobj_core::Result<String> {
    c.pod_log("default", name, &p)
}

#[tokio::test]
async fn a_scheduled_pods_log_is_what_its_container_printed() {
    let c = logs_cluster();
    pod(&c, "p", Some("node-1"), false).await;
    c.append_container_log("default", "p", "app", "one\ntwo\n")
        .unwrap();
    c.clock().advance(Duration::from_secs(60));
    c.append_container_log("default", "p", "app", "three\nfour")
        .unwrap();
    assert_eq!(
        log(&c, "p", LogParams::default()).unwrap(),
        "one\ntwo\nthree\nfour"
    );
    let tail = LogParams {
        tail_lines: Some(2),
        ..Default::default()
    };
    assert_eq!(log(&c, "p", tail).unwrap(), "three\nfour");
    let none = LogParams {
        tail_lines: Some(0),
        ..Default::default()
    };
    assert_eq!(log(&c, "p", none).unwrap(), "");
    let stamped = LogParams {
        timestamps: true,
        tail_lines: Some(3),
        ..Default::default()
    };
    assert_eq!(
        log(&c, "p", stamped).unwrap(),
        "2026-01-02T03:04:05.000000000Z two\n\
         2026-01-02T03:05:05.000000000Z three\n\
         2026-01-02T03:05:05.000000000Z four"
    );
    let limited = LogParams {
        limit_bytes: Some(6),
        ..Default::default()
    };
    assert_eq!(log(&c, "p", limited).unwrap(), "one\ntw");
    // The last 30 s hold the second write; a time before everything, all of it.
    c.clock().advance(Duration::from_secs(10));
    let recent = LogParams {
        since_seconds: Some(30),
        ..Default::default()
    };
    assert_eq!(log(&c, "p", recent).unwrap(), "three\nfour");
    let since = LogParams {
        since_time: Some("2026-01-02T03:05:00Z".parse().unwrap()),
        ..Default::default()
    };
    assert_eq!(log(&c, "p", since).unwrap(), "three\nfour");
    // A named container is the same container.
    let named = LogParams {
        container: Some("app".into()),
        ..Default::default()
    };
    assert_eq!(log(&c, "p", named).unwrap(), "one\ntwo\nthree\nfour");
}

#[tokio::test]
async fn an_unscheduled_pod_answers_an_empty_log() {
    let c = logs_cluster();
    pod(&c, "p", None, false).await;
    c.append_container_log("default", "p", "app", "printed\n")
        .unwrap();
    assert_eq!(log(&c, "p", LogParams::default()).unwrap(), "");
}

#[tokio::test]
async fn the_previous_run_is_kept_apart() {
    let c = logs_cluster();
    pod(&c, "p", Some("node-1"), false).await;
    let previous = || LogParams {
        previous: true,
        ..Default::default()
    };
    let e = log(&c, "p", previous()).unwrap_err();
    assert_eq!(
        code_and_message(&e),
        (
            400,
            r#"previous terminated container "app" in pod "p" not found"#.to_string()
        )
    );
    c.append_previous_container_log("default", "p", "app", "crashed\n")
        .unwrap();
    c.append_container_log("default", "p", "app", "restarted\n")
        .unwrap();
    assert_eq!(log(&c, "p", previous()).unwrap(), "crashed\n");
    assert_eq!(log(&c, "p", LogParams::default()).unwrap(), "restarted\n");
}

#[tokio::test]
async fn containers_are_named_as_the_server_asks() {
    let c = logs_cluster();
    pod(&c, "p", Some("node-1"), true).await;
    c.append_container_log("default", "p", "setup", "init done\n")
        .unwrap();
    let e = log(&c, "p", LogParams::default()).unwrap_err();
    assert_eq!(
        code_and_message(&e),
        (
            400,
            "a container name must be specified for pod p, choose one of: [setup app sidecar]"
                .to_string()
        )
    );
    let setup = LogParams {
        container: Some("setup".into()),
        ..Default::default()
    };
    assert_eq!(log(&c, "p", setup).unwrap(), "init done\n");
    let wrong = LogParams {
        container: Some("nope".into()),
        ..Default::default()
    };
    let e = log(&c, "p", wrong).unwrap_err();
    assert_eq!(
        code_and_message(&e),
        (400, "container nope is not valid for pod p".to_string())
    );
    let e = c
        .append_container_log("default", "p", "nope", "x")
        .unwrap_err();
    assert_eq!(code_and_message(&e).0, 400);
    let e = log(&c, "missing", LogParams::default()).unwrap_err();
    assert_eq!(
        code_and_message(&e),
        (404, r#"pods "missing" not found"#.to_string())
    );
    let e = c
        .append_container_log("default", "missing", "app", "x")
        .unwrap_err();
    assert_eq!(code_and_message(&e).0, 404);
}

#[tokio::test]
async fn bad_options_are_refused_as_pod_log_options() {
    let c = logs_cluster();
    pod(&c, "p", Some("node-1"), false).await;
    let e = log(
        &c,
        "p",
        LogParams {
            tail_lines: Some(-1),
            limit_bytes: Some(0),
            since_seconds: Some(5),
            since_time: Some(START.parse().unwrap()),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        code_and_message(&e),
        (
            422,
            "PodLogOptions \"p\" is invalid: [tailLines: Invalid value: -1: must be greater than \
             or equal to 0, limitBytes: Invalid value: 0: must be greater than 0, : Forbidden: \
             at most one of `sinceTime` or `sinceSeconds` may be specified]"
                .to_string()
        )
    );
    let details = status(&e).details.as_ref().unwrap();
    assert_eq!(details.kind, "PodLogOptions");
    let e = log(
        &c,
        "p",
        LogParams {
            since_seconds: Some(0),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        code_and_message(&e).1,
        "PodLogOptions \"p\" is invalid: sinceSeconds: Invalid value: 0: must be greater than 0"
    );
    // The options are checked before the Pod is looked up, as the server does.
    let e = log(
        &c,
        "missing",
        LogParams {
            tail_lines: Some(-1),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(code_and_message(&e).0, 422);
}

#[tokio::test]
async fn logs_belong_to_the_pod_not_its_name() {
    let c = logs_cluster();
    pod(&c, "p", Some("node-1"), false).await;
    c.append_container_log("default", "p", "app", "old\n")
        .unwrap();
    let forked = c.fork();
    delete_pod(&c, "p").await;
    pod(&c, "p", Some("node-1"), false).await;
    assert_eq!(log(&c, "p", LogParams::default()).unwrap(), "");
    // A fork kept its copy.
    assert_eq!(log(&forked, "p", LogParams::default()).unwrap(), "old\n");
}

#[tokio::test]
async fn log_requests_are_recorded_and_faultable() {
    let c = logs_cluster();
    pod(&c, "p", Some("node-1"), false).await;
    c.faults().add(
        Fault::on(Verb::Get)
            .resource("pods")
            .subresource("log")
            .error_kind(FaultError::Timeout)
            .once(),
    );
    let e = log(&c, "p", LogParams::default()).unwrap_err();
    assert_eq!(code_and_message(&e).0, 504);
    let tail = LogParams {
        tail_lines: Some(5),
        ..Default::default()
    };
    assert_eq!(log(&c, "p", tail).unwrap(), "");
    let f = ActionFilter::verb(Verb::Get)
        .resource("pods")
        .namespace("default")
        .name("p")
        .subresource("log");
    c.actions().assert_count(&f, 2);
    c.actions()
        .assert_count(&f.succeeded().param("tailLines", json!(5)), 1);
}

#[tokio::test]
async fn following_streams_new_lines_until_the_run_ends() {
    use futures::StreamExt;
    let c = logs_cluster();
    pod(&c, "p", Some("node-1"), false).await;
    c.append_container_log("default", "p", "app", "one\n")
        .unwrap();
    let follow = LogParams {
        follow: true,
        ..Default::default()
    };
    let mut stream = c.pod_log_stream("default", "p", &follow).unwrap();
    assert_eq!(stream.next().await.as_deref(), Some("one\n"));
    let writer = c.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(20)).await;
        writer
            .append_container_log("default", "p", "app", "two\nthree\n")
            .unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        writer.end_container_log("default", "p", "app").unwrap();
    });
    assert_eq!(stream.next().await.as_deref(), Some("two\nthree\n"));
    assert_eq!(stream.next().await, None);
    // An ended run is read whole, and a new stream of it ends at once.
    let rest: Vec<String> = c
        .pod_log_stream("default", "p", &follow)
        .unwrap()
        .collect()
        .await;
    assert_eq!(rest, ["one\ntwo\nthree\n"]);
}

#[tokio::test]
async fn following_ends_with_the_pod_or_the_byte_limit() {
    use futures::StreamExt;
    let c = logs_cluster();
    pod(&c, "p", Some("node-1"), false).await;
    let follow = LogParams {
        follow: true,
        ..Default::default()
    };
    let mut stream = c.pod_log_stream("default", "p", &follow).unwrap();
    c.append_container_log("default", "p", "app", "hello\n")
        .unwrap();
    assert_eq!(stream.next().await.as_deref(), Some("hello\n"));
    delete_pod(&c, "p").await;
    let ended = tokio::time::timeout(Duration::from_secs(5), stream.next()).await;
    assert_eq!(ended.unwrap(), None);

    pod(&c, "q", Some("node-1"), false).await;
    let limited = LogParams {
        follow: true,
        limit_bytes: Some(8),
        ..Default::default()
    };
    let mut stream = c.pod_log_stream("default", "q", &limited).unwrap();
    c.append_container_log("default", "q", "app", "12345\n")
        .unwrap();
    assert_eq!(stream.next().await.as_deref(), Some("12345\n"));
    c.append_container_log("default", "q", "app", "67890\n")
        .unwrap();
    assert_eq!(stream.next().await.as_deref(), Some("67"));
    assert_eq!(stream.next().await, None);
    // Errors come before the stream.
    let e = c
        .pod_log_stream("default", "missing", &follow)
        .err()
        .unwrap();
    assert_eq!(code_and_message(&e).0, 404);
}
