//! In-place resize (`pods/<name>/resize`): only the containers' `resources` and
//! `resizePolicy` are taken from the request, and `ValidatePodResize` refuses what the server
//! refuses, leaving the Pod as it was.

use crate::common;

use common::{code_and_message, manager, mirror, named_pod, pods};
use kobj_core::PatchValue;
use kobj_fake::FakeCluster;
use kube_core::params::Patch;
use serde_json::{Value, json};

const SUB: Option<&str> = Some("resize");

/// A Burstable Pod: requests below limits.
fn pod(c: &FakeCluster, name: &str, edit: impl FnOnce(&mut Value)) -> Value {
    named_pod(c, name, |s| {
        s["containers"][0]["resources"] = json!({
            "requests": {"cpu": "100m", "memory": "64Mi"},
            "limits": {"cpu": "200m", "memory": "128Mi"}
        });
        edit(s);
    })
}

/// A strategic merge patch of the `app` container's resources.
fn resources(r: Value) -> PatchValue {
    Patch::Strategic(json!({"spec": {"containers": [{"name": "app", "resources": r}]}}))
}

fn resize(c: &FakeCluster, name: &str, p: &PatchValue) -> kobj_core::Result<Value> {
    c.patch_value(&pods(), Some("default"), name, p, SUB, &manager("resizer"))
}

#[test]
fn a_resize_changes_cpu_and_memory_and_nothing_else() {
    let c = FakeCluster::new();
    let made = pod(&c, "p", |_| {});
    let p = Patch::Strategic(json!({
        "metadata": {"labels": {"resized": "yes"}},
        "spec": {"activeDeadlineSeconds": 30, "containers": [{"name": "app", "image": "nginx:2",
                 "resources": {"requests": {"cpu": "150m"}, "limits": {"cpu": "300m", "memory": "256Mi"}}}]}
    }));
    let out = resize(&c, "p", &p).unwrap();
    let app = &out["spec"]["containers"][0];
    assert_eq!(
        app["resources"],
        json!({"requests": {"cpu": "150m", "memory": "64Mi"},
               "limits": {"cpu": "300m", "memory": "256Mi"}})
    );
    assert_eq!(app["image"], "nginx");
    assert!(out["spec"].get("activeDeadlineSeconds").is_none(), "{out}");
    assert!(out["metadata"].get("labels").is_none(), "{out}");
    assert_eq!(out["status"], made["status"]);
    assert_eq!(out["metadata"]["generation"], 2);
    let entry = out["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["manager"] == "resizer")
        .unwrap();
    assert_eq!(entry["subresource"], "resize");
    let logged = c
        .actions()
        .all()
        .into_iter()
        .find(|a| a.subresource.as_deref() == Some("resize"))
        .unwrap();
    assert_eq!(logged.outcome.code(), 200);
    // The Pod itself may not change its resources.
    let mut body = out.clone();
    body["spec"]["containers"][0]["resources"]["limits"]["cpu"] = json!("400m");
    let e = c
        .replace_value(&pods(), Some("default"), "p", body, None, &manager("m"))
        .unwrap_err();
    assert!(
        code_and_message(&e).1.starts_with(
            r#"Pod "p" is invalid: spec: Forbidden: pod updates may not change fields other than "#
        ),
        "{e:?}"
    );
}

#[test]
fn a_memory_limit_goes_down_only_when_the_container_restarts_for_it() {
    let c = FakeCluster::new();
    pod(&c, "restarts", |s| {
        s["containers"][0]["resizePolicy"] =
            json!([{"resourceName": "memory", "restartPolicy": "RestartContainer"}]);
    });
    let out = resize(
        &c,
        "restarts",
        &resources(json!({"limits": {"memory": "96Mi"}})),
    )
    .unwrap();
    assert_eq!(
        out["spec"]["containers"][0]["resources"]["limits"]["memory"],
        "96Mi"
    );
}

#[test]
fn refused_resizes_get_the_servers_errors_and_change_nothing() {
    let c = FakeCluster::new();
    pod(&c, "p", |_| {});
    pod(&c, "static", |s| s["nodeName"] = json!("node-1"));
    mirror(&c, "static");
    pod(&c, "old-node", |_| {});
    c.patch_value(
        &pods(),
        Some("default"),
        "old-node",
        &Patch::Merge(json!({"status": {"containerStatuses": [{
            "name": "app", "image": "nginx", "imageID": "", "ready": true, "restartCount": 0,
            "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}}}]}})),
        Some("status"),
        &manager("kubelet"),
    )
    .unwrap();
    let remove = |path: &str| -> PatchValue {
        Patch::Json(serde_json::from_value(json!([{"op": "remove", "path": path}])).unwrap())
    };
    let cases: Vec<(&str, PatchValue, &str)> = vec![
        (
            "p",
            resources(json!({"limits": {"memory": "100Mi"}})),
            "spec.containers[0].resources.limits[memory]: Forbidden: memory limits cannot be decreased unless resizePolicy is RestartContainer",
        ),
        // (A request removed with its limit kept is defaulted back to the limit, as the
        // server's decoding does, so that resize goes through.)
        (
            "p",
            remove("/spec/containers/0/resources/limits/cpu"),
            "spec.containers[0].resources.limits: Forbidden: resource limits cannot be removed",
        ),
        (
            "p",
            resources(json!({"requests": {"cpu": "200m", "memory": "128Mi"}})),
            r#"spec: Invalid value: "Burstable": Pod QOS Class may not change as a result of resizing"#,
        ),
        (
            "p",
            resources(json!({"requests": {"ephemeral-storage": "1Gi"}})),
            "spec: Forbidden: only cpu and memory resources are mutable",
        ),
        (
            "static",
            resources(json!({"limits": {"cpu": "300m"}})),
            ": Forbidden: static pods cannot be resized",
        ),
        (
            "old-node",
            resources(json!({"limits": {"cpu": "300m"}})),
            "spec: Forbidden: Pod running on node without support for resize",
        ),
    ];
    let before = c.dump_yaml().unwrap();
    for (name, patch, want) in cases {
        let e = resize(&c, name, &patch).unwrap_err();
        assert_eq!(
            code_and_message(&e),
            (422, format!("Pod {name:?} is invalid: {want}")),
            "{name}"
        );
        assert_eq!(c.dump_yaml().unwrap(), before);
    }
}
