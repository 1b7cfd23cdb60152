//! Evictions (`pods/<name>/eviction`): PodDisruptionBudgets decide, as on the server.

use crate::common;

use common::{pods, valid_pod};
use kobj_core::{CustomObjects, ResourceType};
use kobj_fake::{FakeCluster, WriteOptions};
use kube_core::params::GetParams;
use serde_json::{Value, json};

fn budgets() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::policy::v1::PodDisruptionBudget>()
}

fn opts() -> WriteOptions {
    WriteOptions::default()
}

/// A pod `name` labelled `app: web`, Running and (unless `ready` is false) Ready.
fn running_pod(c: &FakeCluster, name: &str, ready: bool) {
    let mut pod = valid_pod(|_| {});
    pod["metadata"] = json!({"name": name, "labels": {"app": "web"}});
    let mut made = c
        .create_value(&pods(), Some("default"), pod, &opts())
        .unwrap();
    let ready = if ready { "True" } else { "False" };
    made["status"] =
        json!({"phase": "Running", "conditions": [{"type": "Ready", "status": ready}]});
    put_status(c, &pods(), name, made);
}

/// A budget selecting `app: web` whose status allows `allowed` disruptions (processed
/// unless `processed` is false).
fn budget(c: &FakeCluster, name: &str, allowed: i64, processed: bool, policy: Option<&str>) {
    let mut spec = json!({"selector": {"matchLabels": {"app": "web"}}, "minAvailable": 1});
    if let Some(p) = policy {
        spec["unhealthyPodEvictionPolicy"] = json!(p);
    }
    let body = json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name}, "spec": spec});
    let mut made = c
        .create_value(&budgets(), Some("default"), body, &opts())
        .unwrap();
    made["status"] = json!({
        "observedGeneration": if processed { 1 } else { 0 },
        "disruptionsAllowed": allowed, "currentHealthy": 2, "desiredHealthy": 1, "expectedPods": 2,
    });
    put_status(c, &budgets(), name, made);
}

/// Writes `obj`'s status through `/status`, as the controller owning it would.
fn put_status(c: &FakeCluster, rt: &kobj_core::ResourceType, name: &str, obj: Value) {
    c.replace_value(rt, Some("default"), name, obj, Some("status"), &opts())
        .unwrap();
}

fn eviction(name: &str) -> Value {
    json!({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": name}})
}

async fn evict(c: &FakeCluster, name: &str) -> kobj_core::Result<Value> {
    c.evict_pod_value("default", name, eviction(name), false)
        .await
}

async fn exists(c: &FakeCluster, rt: &ResourceType, name: &str) -> Option<Value> {
    c.get_object(rt, Some("default"), name, &GetParams::default())
        .await
        .ok()
        .map(|o| serde_json::to_value(o).unwrap())
}

#[tokio::test]
async fn without_a_budget_the_pod_is_deleted() {
    let c = FakeCluster::new();
    running_pod(&c, "a", true);
    let answer = evict(&c, "a").await.unwrap();
    assert_eq!(
        answer,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201})
    );
    assert!(exists(&c, &pods(), "a").await.is_none());
    let logged = c
        .actions()
        .all()
        .into_iter()
        .find(|a| a.subresource.as_deref() == Some("eviction"))
        .unwrap();
    assert_eq!(
        (
            logged.resource.as_str(),
            logged.name.as_deref(),
            logged.outcome.code()
        ),
        ("pods", Some("a"), 201)
    );
}

#[tokio::test]
async fn a_budget_gives_one_disruption_then_refuses() {
    let c = FakeCluster::new();
    running_pod(&c, "a", true);
    running_pod(&c, "b", true);
    budget(&c, "web", 1, true, None);
    evict(&c, "a").await.unwrap();
    assert!(exists(&c, &pods(), "a").await.is_none());
    let pdb = exists(&c, &budgets(), "web").await.unwrap();
    assert_eq!(pdb["status"]["disruptionsAllowed"], 0);
    assert!(pdb["status"]["disruptedPods"]["a"].is_string(), "{pdb}");
    let condition = &pdb["status"]["conditions"][0];
    assert_eq!(
        (
            &condition["type"],
            &condition["status"],
            &condition["reason"]
        ),
        (
            &json!("DisruptionAllowed"),
            &json!("False"),
            &json!("InsufficientPods")
        )
    );

    let before = c.dump_yaml().unwrap();
    let e = evict(&c, "b").await.unwrap_err();
    let status = e.status().unwrap();
    assert_eq!(status.code, 429);
    assert_eq!(status.reason, "TooManyRequests");
    assert_eq!(
        status.message,
        "Cannot evict pod as it would violate the pod's disruption budget."
    );
    let details = status.details.as_ref().unwrap();
    assert_eq!(details.causes[0].reason, "DisruptionBudget");
    assert_eq!(
        details.causes[0].message,
        "The disruption budget web needs 1 healthy pods and has 2 currently"
    );
    assert_eq!(
        c.dump_yaml().unwrap(),
        before,
        "a refused eviction changes nothing"
    );
}

#[tokio::test]
async fn unprocessed_budgets_two_budgets_and_bad_requests_are_refused() {
    let c = FakeCluster::new();
    running_pod(&c, "a", true);
    budget(&c, "web", 3, false, None);
    let before = c.dump_yaml().unwrap();
    let e = evict(&c, "a").await.unwrap_err();
    let status = e.status().unwrap();
    assert_eq!((status.code, e.retry_after_seconds()), (429, Some(10)));
    assert_eq!(
        status.details.as_ref().unwrap().causes[0].message,
        "The disruption budget web is still being processed by the server."
    );
    budget(&c, "web-too", 3, true, None);
    let before_two = c.dump_yaml().unwrap();
    let e = evict(&c, "a").await.unwrap_err();
    assert_eq!(e.status().unwrap().code, 500);
    assert_eq!(
        e.status().unwrap().message,
        "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."
    );
    assert_eq!(c.dump_yaml().unwrap(), before_two);

    let e = c
        .evict_pod_value("default", "a", eviction("b"), false)
        .await
        .unwrap_err();
    assert_eq!(
        (
            e.status().unwrap().code,
            e.status().unwrap().message.as_str()
        ),
        (400, "name in URL does not match name in Eviction object")
    );
    let e = evict(&c, "nothing").await.unwrap_err();
    assert_eq!(e.status().unwrap().message, r#"pods "nothing" not found"#);
    assert!(before.len() < before_two.len());
}

#[tokio::test]
async fn pending_and_unready_pods_and_dry_run() {
    let c = FakeCluster::new();
    budget(&c, "web", 0, true, Some("AlwaysAllow"));
    // Pending (as created): the budgets are not consulted.
    let mut pod = valid_pod(|_| {});
    pod["metadata"] = json!({"name": "new", "labels": {"app": "web"}});
    c.create_value(&pods(), Some("default"), pod, &opts())
        .unwrap();
    evict(&c, "new").await.unwrap();
    assert!(exists(&c, &pods(), "new").await.is_none());
    // Running but not ready, under AlwaysAllow: deleted, the budget untouched.
    running_pod(&c, "sick", false);
    let pdb_before = exists(&c, &budgets(), "web").await.unwrap();
    evict(&c, "sick").await.unwrap();
    assert!(exists(&c, &pods(), "sick").await.is_none());
    assert_eq!(exists(&c, &budgets(), "web").await.unwrap(), pdb_before);
    // Dry run: nothing changes.
    running_pod(&c, "fine", true);
    let before = c.dump_yaml().unwrap();
    let e = c
        .evict_pod_value("default", "fine", eviction("fine"), true)
        .await
        .unwrap_err();
    assert_eq!(e.status().unwrap().code, 429, "the budget allows nothing");
    running_pod(&c, "other", false);
    let before = (before, c.dump_yaml().unwrap());
    c.evict_pod_value("default", "other", eviction("other"), true)
        .await
        .unwrap();
    assert_eq!(c.dump_yaml().unwrap(), before.1);
}

#[tokio::test]
async fn the_pod_gets_the_disruption_target_condition_before_its_delete() {
    let c = FakeCluster::new();
    running_pod(&c, "held", true);
    let mut pod = exists(&c, &pods(), "held").await.unwrap();
    pod["metadata"]["finalizers"] = json!(["example.com/hold"]);
    c.replace_value(&pods(), Some("default"), "held", pod, None, &opts())
        .unwrap();
    evict(&c, "held").await.unwrap();
    let pod = exists(&c, &pods(), "held").await.unwrap();
    assert!(pod["metadata"]["deletionTimestamp"].is_string(), "{pod}");
    let conditions = pod["status"]["conditions"].as_array().unwrap();
    let target = conditions
        .iter()
        .find(|c| c["type"] == "DisruptionTarget")
        .unwrap();
    assert_eq!(target["reason"], "EvictionByEvictionAPI");
    assert_eq!(target["message"], "Eviction API: evicting");
    assert_eq!(target["status"], "True");
}
