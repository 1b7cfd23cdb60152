//! `exec`, `attach` and `portforward`: the server's answers up to the kubelet it would dial.

use crate::common;

use common::*;
use kobj_fake::FakeCluster;
use kobj_fake::actions::{ActionFilter, Verb};
use kobj_fake::faults::{Fault, FaultError};
use serde_json::json;

fn with_pod(name: &str, node: Option<&str>, init: bool) -> FakeCluster {
    let c = FakeCluster::new();
    let mut spec = json!({"containers": [{"name": "app", "image": "busybox"},
                                         {"name": "sidecar", "image": "busybox"}]});
    if init {
        spec["initContainers"] = json!([{"name": "setup", "image": "busybox"}]);
    }
    if let Some(node) = node {
        spec["nodeName"] = json!(node);
    }
    let pod = obj(json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"}, "spec": spec}));
    c.load_objects(vec![pod]).unwrap();
    c
}

fn refused(c: &FakeCluster, name: &str, sub: &str, container: Option<&str>) -> (u16, String) {
    code_and_message(&c.pod_connect("default", name, sub, container))
}

#[test]
fn an_unscheduled_pod_has_no_host() {
    let c = with_pod("p", None, false);
    for sub in ["exec", "attach", "portforward"] {
        assert_eq!(
            refused(&c, "p", sub, Some("app")),
            (400, "pod p does not have a host assigned".into()),
            "{sub}"
        );
    }
}

#[test]
fn a_scheduled_pod_has_no_kubelet_to_dial() {
    let c = with_pod("p", Some("node-1"), false);
    let (code, message) = refused(&c, "p", "exec", Some("app"));
    assert_eq!(code, 500);
    assert_eq!(
        message,
        "Internal error occurred: error dialing backend: no kubelet runs Node \"node-1\": \
         kobj-fake runs no containers"
    );
}

#[test]
fn containers_are_checked_for_exec_and_attach_only() {
    let c = with_pod("p", None, true);
    assert_eq!(
        refused(&c, "p", "exec", None),
        (
            400,
            "a container name must be specified for pod p, choose one of: [app sidecar] or \
             one of the init containers: [setup]"
                .into()
        )
    );
    assert_eq!(
        refused(&c, "p", "attach", Some("nope")),
        (400, "container nope is not valid for pod p".into())
    );
    // An init container may be named; port forwarding names none.
    assert_eq!(
        refused(&c, "p", "exec", Some("setup")).1,
        "pod p does not have a host assigned"
    );
    assert_eq!(
        refused(&c, "p", "portforward", None).1,
        "pod p does not have a host assigned"
    );
    assert_eq!(
        refused(&with_pod("q", None, false), "q", "exec", None).1,
        "a container name must be specified for pod q, choose one of: [app sidecar]"
    );
}

#[test]
fn missing_pods_and_other_subresources_are_not_found() {
    let c = with_pod("p", None, false);
    assert_eq!(
        refused(&c, "missing", "exec", Some("app")),
        (404, r#"pods "missing" not found"#.into())
    );
    assert_eq!(refused(&c, "p", "proxy", None).0, 404);
}

#[test]
fn connect_requests_are_recorded_and_faultable() {
    let c = with_pod("p", None, false);
    c.faults().add(
        Fault::on(Verb::Create)
            .resource("pods")
            .subresource("exec")
            .error_kind(FaultError::Forbidden(String::new()))
            .once(),
    );
    assert_eq!(refused(&c, "p", "exec", Some("app")).0, 403);
    assert_eq!(refused(&c, "p", "exec", Some("app")).0, 400);
    let f = ActionFilter::verb(Verb::Create)
        .resource("pods")
        .name("p")
        .subresource("exec");
    c.actions().assert_count(&f, 2);
    c.actions()
        .assert_count(&f.param("container", json!("app")).code(400), 1);
}
