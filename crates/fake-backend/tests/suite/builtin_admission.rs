//! The default admission plugins that shape Pods as a real API server does: `Priority`
//! (priority and preemption policy from the PriorityClass, a missing class Forbidden, one
//! global default class) and `DefaultTolerationSeconds` (the not-ready and unreachable
//! tolerations). What they set is owned by no field manager; refusals are 403s that leave
//! the stored state as it was.

use crate::common;

use common::*;
use kobj_core::{CustomObjects, ErrorKind, ResourceType};
use kobj_fake::FakeCluster;
use kube_core::params::{ListParams, PostParams};
use serde_json::{Value, json};

fn pods() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::core::v1::Pod>()
}

fn priority_classes() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::scheduling::v1::PriorityClass>()
}

/// A Pod `name` with one container, with `edit` applied to its spec.
fn pod(name: &str, edit: impl FnOnce(&mut Value)) -> Value {
    let mut spec = json!({"containers": [{"name": "app", "image": "nginx"}]});
    edit(&mut spec);
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec})
}

async fn create(c: &FakeCluster, rt: &ResourceType, body: Value) -> kobj_core::Result<Value> {
    let ns = rt.is_namespaced().then_some("default");
    c.create_object(rt, ns, &obj(body), &PostParams::default())
        .await
        .map(|o| serde_json::to_value(o).unwrap())
}

async fn forbidden(c: &FakeCluster, rt: &ResourceType, body: Value, expected: &str) {
    let before = c.dump_yaml().unwrap();
    let e = create(c, rt, body).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden, "{e}");
    assert_eq!(e.code(), Some(403), "{e}");
    assert_eq!(message(&e), expected);
    assert_eq!(c.dump_yaml().unwrap(), before);
}

fn default_tolerations() -> Value {
    json!([
        {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
        {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300}
    ])
}

#[tokio::test]
async fn a_new_pod_gets_priority_zero_and_the_default_tolerations_owned_by_nobody() {
    let c = cluster().await;
    let p = create(&c, &pods(), pod("p", |_| {})).await.unwrap();
    assert_eq!(p["spec"]["priority"], json!(0));
    assert_eq!(p["spec"]["preemptionPolicy"], json!("PreemptLowerPriority"));
    assert!(p["spec"].get("priorityClassName").is_none());
    assert_eq!(p["spec"]["tolerations"], default_tolerations());
    let owned = &p["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"];
    for field in ["f:priority", "f:preemptionPolicy", "f:tolerations"] {
        assert!(owned.get(field).is_none(), "{field} is owned: {owned}");
    }
    // A toleration of every taint covers both; one of another taint covers neither.
    let all = create(
        &c,
        &pods(),
        pod("all", |s| {
            s["tolerations"] = json!([{"operator": "Exists"}])
        }),
    )
    .await
    .unwrap();
    assert_eq!(all["spec"]["tolerations"], json!([{"operator": "Exists"}]));
    let other = create(
        &c,
        &pods(),
        pod("other", |s| {
            s["tolerations"] =
                json!([{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}]);
        }),
    )
    .await
    .unwrap();
    assert_eq!(other["spec"]["tolerations"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn a_pod_takes_its_priority_class_and_a_missing_class_is_forbidden() {
    let c = cluster().await;
    let classes = c
        .list_objects(&priority_classes(), None, &ListParams::default())
        .await
        .unwrap();
    let names: Vec<_> = classes
        .items
        .iter()
        .map(|o| o.metadata.name.clone().unwrap())
        .collect();
    assert_eq!(names, ["system-cluster-critical", "system-node-critical"]);
    let critical = create(
        &c,
        &pods(),
        pod("critical", |s| {
            s["priorityClassName"] = json!("system-cluster-critical")
        }),
    )
    .await
    .unwrap();
    assert_eq!(critical["spec"]["priority"], json!(2_000_000_000));
    forbidden(
        &c,
        &pods(),
        pod("p", |s| s["priorityClassName"] = json!("gold")),
        "pods \"p\" is forbidden: no PriorityClass with name gold was found",
    )
    .await;
    create(
        &c,
        &priority_classes(),
        json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
               "metadata": {"name": "gold"}, "value": 1000, "preemptionPolicy": "Never"}),
    )
    .await
    .unwrap();
    forbidden(
        &c,
        &pods(),
        pod("p", |s| {
            s["priorityClassName"] = json!("gold");
            s["priority"] = json!(5);
        }),
        "pods \"p\" is forbidden: the integer value of priority (5) must not be provided in pod \
         spec; priority admission controller computed 1000 from the given PriorityClass name",
    )
    .await;
    forbidden(
        &c,
        &pods(),
        pod("p", |s| {
            s["priorityClassName"] = json!("gold");
            s["preemptionPolicy"] = json!("PreemptLowerPriority");
        }),
        "pods \"p\" is forbidden: the string value of PreemptionPolicy (PreemptLowerPriority) \
         must not be provided in pod spec; priority admission controller computed Never from the \
         given PriorityClass name",
    )
    .await;
    let p = create(
        &c,
        &pods(),
        pod("p", |s| s["priorityClassName"] = json!("gold")),
    )
    .await
    .unwrap();
    assert_eq!(p["spec"]["priority"], json!(1000));
    assert_eq!(p["spec"]["preemptionPolicy"], json!("Never"));
}

#[tokio::test]
async fn one_priority_class_is_the_global_default() {
    let c = cluster().await;
    let class = |name: &str, value: i64| {
        json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
               "metadata": {"name": name}, "value": value, "globalDefault": true})
    };
    create(&c, &priority_classes(), class("base", 10))
        .await
        .unwrap();
    forbidden(
        &c,
        &priority_classes(),
        class("other", 20),
        "priorityclasses.scheduling.k8s.io \"other\" is forbidden: PriorityClass base is \
         already marked as default. Only one default can exist",
    )
    .await;
    let p = create(&c, &pods(), pod("p", |_| {})).await.unwrap();
    assert_eq!(p["spec"]["priorityClassName"], json!("base"));
    assert_eq!(p["spec"]["priority"], json!(10));
}

#[tokio::test]
async fn a_pod_replaced_without_its_admitted_fields_keeps_them() {
    let c = cluster().await;
    // Tagged images: an untagged one is pulled `Always`, a tagged one `IfNotPresent`, and
    // the pull policy may not change.
    let made = create(
        &c,
        &pods(),
        pod("p", |s| s["containers"][0]["image"] = json!("nginx:1")),
    )
    .await
    .unwrap();
    // The caller's own body again, with the resourceVersion and a new image: no priority,
    // no tolerations.
    let mut body = pod("p", |s| s["containers"][0]["image"] = json!("nginx:2"));
    body["metadata"]["resourceVersion"] = made["metadata"]["resourceVersion"].clone();
    let replaced = c
        .replace_object(
            &pods(),
            Some("default"),
            "p",
            &obj(body),
            &PostParams::default(),
        )
        .await
        .unwrap();
    let replaced = serde_json::to_value(replaced).unwrap();
    assert_eq!(replaced["spec"]["containers"][0]["image"], json!("nginx:2"));
    assert_eq!(replaced["spec"]["priority"], json!(0));
    assert_eq!(
        replaced["spec"]["preemptionPolicy"],
        json!("PreemptLowerPriority")
    );
    assert_eq!(replaced["spec"]["tolerations"], default_tolerations());
}
