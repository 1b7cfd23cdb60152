//! Ephemeral containers (`pods/<name>/ephemeralcontainers`, what `kubectl debug` writes): only
//! `spec.ephemeralContainers` is taken from the request, and the server's rules refuse what it
//! refuses, leaving the Pod as it was.

use crate::common;

use common::{code_and_message, manager, mirror, named_pod, pods, valid_pod};
use kobj_core::{PatchValue, ResourceType};
use kobj_fake::{FakeCluster, WriteOptions};
use kube_core::params::Patch;
use serde_json::{Value, json};

const SUB: Option<&str> = Some("ephemeralcontainers");

fn debugger() -> Value {
    json!({"name": "debugger", "image": "busybox", "targetContainerName": "app",
           "stdin": true, "tty": true})
}

/// A strategic merge patch of the Pod's ephemeral containers, as `kubectl debug` sends.
fn add(containers: Value) -> PatchValue {
    Patch::Strategic(json!({"spec": {"ephemeralContainers": containers}}))
}

fn patch(c: &FakeCluster, name: &str, p: &PatchValue) -> kobj_core::Result<Value> {
    c.patch_value(
        &pods(),
        Some("default"),
        name,
        p,
        SUB,
        &manager("kubectl-debug"),
    )
}

#[test]
fn a_patch_through_the_subresource_adds_an_ephemeral_container_and_nothing_else() {
    let c = FakeCluster::new();
    let made = named_pod(&c, "p", |_| {});
    // The labels and the container image in the same patch are dropped by the strategy.
    let p = Patch::Strategic(json!({
        "metadata": {"labels": {"debugged": "yes"}},
        "spec": {"ephemeralContainers": [debugger()],
                 "containers": [{"name": "app", "image": "nginx:2"}]}
    }));
    let out = patch(&c, "p", &p).unwrap();
    let added = &out["spec"]["ephemeralContainers"][0];
    assert_eq!(added["name"], "debugger");
    assert_eq!(added["targetContainerName"], "app");
    // Decoded and defaulted as any container of the Pod.
    assert_eq!(added["terminationMessagePolicy"], "File");
    assert_eq!(added["imagePullPolicy"], "Always");
    assert_eq!(out["spec"]["containers"][0]["image"], "nginx");
    assert!(out["metadata"].get("labels").is_none(), "{out}");
    // The spec changed: the Pod's generation goes up.
    assert_eq!(made["metadata"]["generation"], 1);
    assert_eq!(out["metadata"]["generation"], 2);
    let entry = out["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["manager"] == "kubectl-debug")
        .unwrap();
    assert_eq!(entry["subresource"], "ephemeralcontainers");
    assert_eq!(entry["operation"], "Update");
    let owned = &entry["fieldsV1"]["f:spec"]["f:ephemeralContainers"];
    assert!(owned.get(r#"k:{"name":"debugger"}"#).is_some(), "{entry}");
    assert!(entry["fieldsV1"]["f:spec"].get("f:containers").is_none());
    let logged = c
        .actions()
        .all()
        .into_iter()
        .find(|a| a.subresource.as_deref() == Some("ephemeralcontainers"))
        .unwrap();
    assert_eq!(
        (logged.name.as_deref(), logged.outcome.code()),
        (Some("p"), 200)
    );
    // A second container is added after the first, which stays as it was: the order
    // directive `kubectl debug` sends keeps it (without it, a strategic merge puts the
    // patch's new items before the server's).
    let second = json!({"name": "second", "image": "busybox"});
    let p = Patch::Strategic(json!({"spec": {
        "$setElementOrder/ephemeralContainers": [{"name": "debugger"}, {"name": "second"}],
        "ephemeralContainers": [second]
    }}));
    let out = patch(&c, "p", &p).unwrap();
    let names: Vec<&str> = out["spec"]["ephemeralContainers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["debugger", "second"]);
}

#[test]
fn a_replace_through_the_subresource_takes_the_ephemeral_containers_of_the_body() {
    let c = FakeCluster::new();
    let mut body = named_pod(&c, "p", |_| {});
    body["spec"]["ephemeralContainers"] = json!([debugger()]);
    body["spec"]["activeDeadlineSeconds"] = json!(30);
    let out = c
        .replace_value(&pods(), Some("default"), "p", body, SUB, &manager("m"))
        .unwrap();
    assert_eq!(out["spec"]["ephemeralContainers"][0]["name"], "debugger");
    assert!(out["spec"].get("activeDeadlineSeconds").is_none(), "{out}");
}

#[test]
fn the_pod_itself_takes_no_ephemeral_containers() {
    let c = FakeCluster::new();
    let e = c
        .create_value(
            &pods(),
            Some("default"),
            valid_pod(|s| {
                s["ephemeralContainers"] =
                    json!([{"name": "d", "image": "busybox", "ports": [{"containerPort": 80}]}])
            }),
            &WriteOptions::default(),
        )
        .unwrap_err();
    assert_eq!(
        code_and_message(&e),
        (
            422,
            r#"Pod "p" is invalid: [spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container, spec.ephemeralContainers: Forbidden: cannot be set on create]"#
                .into()
        )
    );
    let mut body = named_pod(&c, "p", |_| {});
    body["spec"]["ephemeralContainers"] = json!([debugger()]);
    let e = c
        .replace_value(&pods(), Some("default"), "p", body, None, &manager("m"))
        .unwrap_err();
    let (code, text) = code_and_message(&e);
    assert_eq!(code, 422);
    assert!(
        text.starts_with(
            r#"Pod "p" is invalid: spec: Forbidden: pod updates may not change fields other than "#
        ),
        "{text}"
    );
}

#[test]
fn refused_ephemeral_containers_get_the_servers_errors_and_change_nothing() {
    let c = FakeCluster::new();
    named_pod(&c, "p", |s| {
        s["volumes"] = json!([{"name": "data", "emptyDir": {}}]);
    });
    patch(&c, "p", &add(json!([debugger()]))).unwrap();
    named_pod(&c, "static", |s| s["nodeName"] = json!("node-1"));
    mirror(&c, "static");
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "p",
            json!([{"name": "app", "image": "busybox"}]),
            r#"spec.ephemeralContainers[0].name: Duplicate value: "app""#,
        ),
        (
            "p",
            json!([{"name": "d2", "image": "busybox", "targetContainerName": "nope"}]),
            r#"spec.ephemeralContainers[0].targetContainerName: Not found: "nope""#,
        ),
        (
            "p",
            json!([{"name": "d2", "image": "busybox", "ports": [{"containerPort": 80}],
                    "resources": {"limits": {"cpu": "1"}},
                    "readinessProbe": {"exec": {"command": ["true"]}}}]),
            "[spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container, spec.ephemeralContainers[0].resources: Forbidden: cannot be set for an Ephemeral Container, spec.ephemeralContainers[0].readinessProbe: Forbidden: cannot be set for an Ephemeral Container]",
        ),
        (
            "p",
            json!([{"name": "d2", "image": "busybox",
                    "volumeMounts": [{"name": "data", "mountPath": "/d", "subPath": "x"}]}]),
            "spec.ephemeralContainers[0].volumeMounts[0].subPath: Forbidden: cannot be set for an Ephemeral Container",
        ),
        (
            "p",
            json!([{"name": "debugger", "image": "busybox:2", "targetContainerName": "app",
                    "stdin": true, "tty": true}]),
            "spec.ephemeralContainers: Forbidden: existing ephemeral containers \"debugger\" may not be changed\n",
        ),
        (
            "static",
            json!([debugger()]),
            ": Forbidden: static pods do not support ephemeral containers",
        ),
    ];
    let before = c.dump_yaml().unwrap();
    // A strategic merge puts each new container before the one already there: index 0.
    for (name, containers, want) in cases {
        let e = patch(&c, name, &add(containers)).unwrap_err();
        assert_eq!(
            code_and_message(&e),
            (422, format!("Pod {name:?} is invalid: {want}")),
            "{name}"
        );
        assert_eq!(c.dump_yaml().unwrap(), before);
    }
    // Removing one: a JSON patch of the list.
    let remove = Patch::Json(
        serde_json::from_value(json!([{"op": "remove", "path": "/spec/ephemeralContainers/0"}]))
            .unwrap(),
    );
    let e = patch(&c, "p", &remove).unwrap_err();
    assert_eq!(
        code_and_message(&e),
        (
            422,
            "Pod \"p\" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral containers \"debugger\" may not be removed\n".into()
        )
    );
    assert_eq!(c.dump_yaml().unwrap(), before);
}

#[test]
fn only_pods_have_the_subresource() {
    let c = FakeCluster::new();
    let cm = ResourceType::of::<k8s_openapi::api::core::v1::ConfigMap>();
    c.create_value(
        &cm,
        Some("default"),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}),
        &WriteOptions::default(),
    )
    .unwrap();
    let e = c
        .patch_value(
            &cm,
            Some("default"),
            "a",
            &add(json!([])),
            SUB,
            &manager("m"),
        )
        .unwrap_err();
    assert_eq!(code_and_message(&e).0, 404);
    let e = patch(&c, "missing", &add(json!([debugger()]))).unwrap_err();
    assert_eq!(
        code_and_message(&e),
        (404, r#"pods "missing" not found"#.into())
    );
}

#[test]
fn pod_security_judges_an_added_ephemeral_container() {
    let c = FakeCluster::new();
    c.create_value(
        &ResourceType::of::<k8s_openapi::api::core::v1::Namespace>(),
        None,
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shared",
               "labels": {"pod-security.kubernetes.io/enforce": "baseline"}}}),
        &WriteOptions::default(),
    )
    .unwrap();
    c.create_value(
        &pods(),
        Some("shared"),
        valid_pod(|_| {}),
        &WriteOptions::default(),
    )
    .unwrap();
    let before = c.dump_yaml().unwrap();
    let privileged = add(json!([{"name": "debugger", "image": "busybox",
                                 "securityContext": {"privileged": true}}]));
    let e = c
        .patch_value(
            &pods(),
            Some("shared"),
            "p",
            &privileged,
            SUB,
            &manager("m"),
        )
        .unwrap_err();
    assert_eq!(
        code_and_message(&e),
        (
            403,
            "pods \"p\" is forbidden: violates PodSecurity \"baseline:latest\": privileged \
             (container \"debugger\" must not set securityContext.privileged=true)"
                .into()
        )
    );
    assert_eq!(c.dump_yaml().unwrap(), before);
    c.patch_value(
        &pods(),
        Some("shared"),
        "p",
        &add(json!([debugger()])),
        SUB,
        &manager("m"),
    )
    .unwrap();
}
