//! The inputs the server-side apply properties (`fuzz_apply.rs`) shrank their failures to,
//! each a plain test: what the fake got wrong, and what a real API server does instead.

use crate::common;
use crate::fuzz::apply;
use crate::fuzz::managed_fields;

use std::collections::BTreeSet;

use apply::*;
use common::*;
use kobj_core::{CustomObjects, ResourceType};
use kobj_fake::FakeCluster;
use kube_core::DynamicObject;
use kube_core::params::{Patch, PatchParams, PostParams};
use managed_fields::*;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------
// Regressions: the inputs the properties found
// ---------------------------------------------------------------------------------------

/// The sequence the properties shrank a refused apply to: a manager applies a label, then
/// applies a configuration without it. The prune removed the whole `metadata` (the applier's
/// set had been stripped of `metadata.name` before pruning), and the update was refused with
/// 400 "the name of the object () does not match the name on the URL (w)". The label must go,
/// the object's name, uid and the other managers' labels stay.
#[tokio::test]
async fn dropping_the_only_applied_label_keeps_the_metadata() {
    let c = cluster().await;
    let apply = PatchParams::apply("bob");
    // A Deployment needs a spec a real server accepts, written here by another manager.
    create_deployment(&c, "creator", json!([{"name": "app", "image": "img:0"}])).await;
    for kind in [Kind::Widget, Kind::Deployment] {
        let (rt, name) = (kind.resource(), kind.name());
        let with =
            kind.body(serde_json::from_value(json!({"metadata": {"labels": {"a": "x"}}})).unwrap());
        let created = patched(&c, &rt, name, &Patch::Apply(with), &apply).await;
        let without = kind.body(serde_json::Map::new());
        let applied = patched(&c, &rt, name, &Patch::Apply(without), &apply).await;
        assert_eq!(applied.metadata.name.as_deref(), Some(name));
        assert_eq!(applied.metadata.uid, created.metadata.uid);
        assert_eq!(applied.metadata.labels, None, "{applied:?}");
        let managers: Vec<_> = applied
            .metadata
            .managed_fields
            .iter()
            .flatten()
            .filter_map(|e| e.manager.as_deref())
            .collect();
        let expected: &[&str] = if kind == Kind::Deployment {
            &["creator"]
        } else {
            &[]
        };
        assert_eq!(managers, expected, "{applied:?}");
    }
    // Another manager's label stays.
    let rt = widgets();
    let labels = |l: Value| {
        Patch::Apply(
            Kind::Widget.body(serde_json::from_value(json!({"metadata": {"labels": l}})).unwrap()),
        )
    };
    patched(&c, &rt, "w", &labels(json!({"a": "x"})), &apply).await;
    patched(
        &c,
        &rt,
        "w",
        &labels(json!({"b": "y"})),
        &PatchParams::apply("alice"),
    )
    .await;
    let applied = patched(
        &c,
        &rt,
        "w",
        &Patch::Apply(Kind::Widget.body(serde_json::Map::new())),
        &apply,
    )
    .await;
    assert_eq!(
        serde_json::to_value(applied.metadata.labels).unwrap(),
        json!({"b": "y"})
    );
}

/// The input the properties shrank a lost status apply to: an apply through `/status` was
/// stored without its managedFields entry (the status update core rebuilt the object from
/// the old version, managedFields included). The applier must own what it applied, with
/// subresource `status`.
#[tokio::test]
async fn an_apply_through_status_records_its_entry() {
    let c = cluster().await;
    let rt = widgets();
    c.create_object(
        &rt,
        Some("default"),
        &serde_json::from_value(Kind::Widget.body(serde_json::Map::new())).unwrap(),
        &PostParams {
            field_manager: Some("creator".into()),
            ..PostParams::default()
        },
    )
    .await
    .unwrap();
    let config =
        Kind::Widget.body(serde_json::from_value(json!({"status": {"replicas": 0}})).unwrap());
    let applied = to_value(
        &c.patch_object_status(
            &rt,
            Some("default"),
            "w",
            &Patch::Apply(config),
            &PatchParams::apply("alice"),
        )
        .await
        .unwrap(),
    );
    assert_eq!(applied["status"], json!({"replicas": 0}));
    let es = entries(&applied);
    let alice = find(&es, "alice", "Apply", "status").expect("alice's entry");
    assert_eq!(
        alice.paths,
        BTreeSet::from([vec!["f:status".to_string(), "f:replicas".to_string()]])
    );
    assert_eq!(
        applied.pointer("/metadata/managedFields/0/subresource"),
        Some(&json!("status"))
    );
}

/// The input the properties shrank a new version for a repeated apply to: alice applies, bob
/// applies later, and alice applies the same configuration again a second later. The fake
/// gave alice's entry the new time, which sorted it after bob's; the reordered list counted as
/// a change and the object got a new resourceVersion. A no-op apply keeps the applier's time
/// (the server sets it only when the object changed), so nothing is written.
#[tokio::test]
async fn a_repeated_apply_in_a_later_second_is_a_no_op() {
    let c = cluster().await;
    let rt = widgets();
    let config = |l: Value| {
        Patch::Apply(
            Kind::Widget.body(serde_json::from_value(json!({"metadata": {"labels": l}})).unwrap()),
        )
    };
    let second = std::time::Duration::from_secs(1);
    let alice = PatchParams::apply("alice");
    patched(&c, &rt, "w", &config(json!({"a": "x"})), &alice).await;
    c.clock().advance(second);
    let bob = PatchParams::apply("bob");
    let first = patched(&c, &rt, "w", &config(json!({"b": "y"})), &bob).await;
    c.clock().advance(second);
    let dump = c.dump_yaml().unwrap();
    let again = patched(&c, &rt, "w", &config(json!({"a": "x"})), &alice).await;
    assert_eq!(
        again.metadata.resource_version,
        first.metadata.resource_version
    );
    assert_eq!(again, first);
    assert_eq!(c.dump_yaml().unwrap(), dump);
}

/// The input the properties shrank an owned field missing from the object to: carol applies
/// the container `log`, alice sets its image by update, and carol applies a configuration
/// without the container. The prune removes the item (carol owned it) with alice's image in
/// it, as structured-merge-diff does; alice's entry kept `image`, a field the object no
/// longer had. What an apply removes now leaves the other managers' sets.
#[tokio::test]
async fn an_item_the_applier_drops_leaves_the_other_owners_of_its_fields() {
    let c = cluster().await;
    let rt = deployments();
    let carol = PatchParams::apply("carol");
    // Another manager's container keeps the Deployment valid once `log` goes.
    create_deployment(&c, "creator", json!([{"name": "app", "image": "img:0"}])).await;
    let with = Kind::Deployment.body(
        serde_json::from_value(json!({"spec": {"template": {"spec": {"containers": [
            {"name": "log", "image": "img:0"}
        ]}}}}))
        .unwrap(),
    );
    patched(&c, &rt, "d", &Patch::Apply(with), &carol).await;
    let mut body = current(&c, Kind::Deployment).await.unwrap();
    assert_eq!(
        body["spec"]["template"]["spec"]["containers"][1]["name"],
        "log"
    );
    body["spec"]["template"]["spec"]["containers"][1]["image"] = json!("img:1");
    let post = PostParams {
        field_manager: Some("alice".into()),
        ..PostParams::default()
    };
    c.replace_object(
        &rt,
        Some("default"),
        "d",
        &serde_json::from_value(body).unwrap(),
        &post,
    )
    .await
    .unwrap();
    let applied = patched(
        &c,
        &rt,
        "d",
        &Patch::Apply(Kind::Deployment.body(serde_json::Map::new())),
        &carol,
    )
    .await;
    let applied = to_value(&applied);
    let names: Vec<&Value> = applied["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["name"])
        .collect();
    assert_eq!(names, [&json!("app")], "{applied:#}");
    check_well_formed(&applied, &BTreeSet::new()).unwrap();
    assert!(entries(&applied).iter().all(|e| e.manager != "alice"));
}

/// The input the properties shrank an owned field missing from the object to: alice applies
/// a widget with a `status` to the main resource. The strategy resets status there (rule 21),
/// yet alice's entry owned `status.replicas`, which the object did not have. The server gives
/// structured-merge-diff the strategy's reset fields to ignore: `status` on the main
/// resource, `spec` on `/status`; nobody owns them through such an apply, and changing them
/// is no conflict.
#[tokio::test]
async fn an_apply_does_not_own_what_its_endpoint_resets() {
    let c = cluster().await;
    let rt = widgets();
    let config = Kind::Widget.body(
        serde_json::from_value(json!({"spec": {"color": "red"}, "status": {"replicas": 2}}))
            .unwrap(),
    );
    let alice = PatchParams::apply("alice");
    let created = to_value(&patched(&c, &rt, "w", &Patch::Apply(config), &alice).await);
    assert_eq!(created.get("status"), None, "{created:#}");
    let es = entries(&created);
    let owned = &find(&es, "alice", "Apply", "").unwrap().paths;
    assert!(owned.iter().all(|p| p[0] != "f:status"), "{owned:?}");
    // Through /status, a spec that differs from alice's is neither applied nor a conflict.
    let status = Kind::Widget.body(
        serde_json::from_value(json!({"spec": {"color": "blue"}, "status": {"replicas": 1}}))
            .unwrap(),
    );
    let applied = to_value(
        &c.patch_object_status(
            &rt,
            Some("default"),
            "w",
            &Patch::Apply(status),
            &PatchParams::apply("bob"),
        )
        .await
        .unwrap(),
    );
    assert_eq!(applied["spec"]["color"], "red");
    assert_eq!(applied["status"], json!({"replicas": 1}));
    let es = entries(&applied);
    assert_eq!(
        find(&es, "bob", "Apply", "status").unwrap().paths,
        BTreeSet::from([vec!["f:status".to_string(), "f:replicas".to_string()]])
    );
    check_well_formed(&applied, &BTreeSet::new()).unwrap();
}

/// The input the properties shrank a new version for a repeated status apply to: an
/// untracked Deployment with an empty `spec` (its fields go to `before-first-apply`), and an
/// apply through `/status` whose configuration also sets a spec label (reset there). Applied
/// again, it took `spec` from `before-first-apply` as "removed" (an empty map that got fields
/// is not removed, and what the endpoint resets is not compared), which changed managedFields
/// and the version.
#[tokio::test]
async fn a_repeated_status_apply_with_a_spec_is_a_no_op() {
    let c = cluster().await;
    let rt = deployments();
    let alice = PatchParams::apply("alice");
    // (The properties' input was an empty spec, which a real server refuses; the smallest
    // spec it accepts stands in for it.)
    patched(
        &c,
        &rt,
        "d",
        &Patch::Apply(
            Kind::Deployment.body(
                serde_json::from_value(json!({"spec": valid_deployment_spec(json!([
                    {"name": "app", "image": "img:0"}
                ]))}))
                .unwrap(),
            ),
        ),
        &alice,
    )
    .await;
    let pp = PatchParams {
        field_manager: Some("alice".into()),
        ..PatchParams::default()
    };
    patched(
        &c,
        &rt,
        "d",
        &Patch::Merge(json!({"metadata": {"labels": {}}, "spec": {}})),
        &pp,
    )
    .await;
    let stored = current(&c, Kind::Deployment).await.unwrap();
    let status = Patch::Apply(
        Kind::Deployment.body(
            serde_json::from_value(json!({
                "spec": {"template": {"metadata": {"labels": {"a": "x"}}}},
                "status": {"replicas": 1}
            }))
            .unwrap(),
        ),
    );
    let first = c
        .patch_object_status(&rt, Some("default"), "d", &status, &alice)
        .await
        .unwrap();
    // The status endpoint resets the spec to the stored one.
    assert_eq!(to_value(&first)["spec"], stored["spec"]);
    let dump = c.dump_yaml().unwrap();
    let again = c
        .patch_object_status(&rt, Some("default"), "d", &status, &alice)
        .await
        .unwrap();
    assert_eq!(again, first);
    assert_eq!(c.dump_yaml().unwrap(), dump);
}

/// A patch of `name` in `default` that must succeed.
async fn patched(
    c: &FakeCluster,
    rt: &ResourceType,
    name: &str,
    patch: &Patch<Value>,
    pp: &PatchParams,
) -> DynamicObject {
    c.patch_object(rt, Some("default"), name, patch, pp)
        .await
        .unwrap()
}

/// The smallest Deployment spec a real server accepts, with these containers: a selector
/// (`z` absent, which every template here satisfies) and the containers.
fn valid_deployment_spec(containers: Value) -> Value {
    json!({
        "selector": {"matchExpressions": [{"key": "z", "operator": "DoesNotExist"}]},
        "template": {"spec": {"containers": containers}}
    })
}

/// Creates the Deployment `d` in `default` as `manager` (an update, not an apply).
async fn create_deployment(c: &FakeCluster, manager: &str, containers: Value) {
    let body = Kind::Deployment
        .body(serde_json::from_value(json!({"spec": valid_deployment_spec(containers)})).unwrap());
    let post = PostParams {
        field_manager: Some(manager.into()),
        ..PostParams::default()
    };
    c.create_object(
        &deployments(),
        Some("default"),
        &serde_json::from_value(body).unwrap(),
        &post,
    )
    .await
    .unwrap();
}
