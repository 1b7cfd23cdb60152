//! Property tests of the garbage collector (rules 28–33): random ownership graphs over a
//! handful of widgets, ConfigMaps, Secrets and cluster-scoped gadgets (several owners per
//! dependent, cycles, blockOwnerDeletion true, false or absent, some objects held by an
//! `example.com/hold` finalizer), then a random sequence of deletes (each propagation
//! policy, sometimes a dry run or a uid precondition), deletecollections by label, finalizer
//! removals and the deletion of the namespace. The fake settles synchronously, so after
//! each step the state must satisfy what a real API server's garbage collector guarantees
//! once it has settled:
//!
//! - no object is left with a deletionTimestamp and no finalizers, nor with `orphan`;
//! - a live object has no ownerReference to an owner that is gone (Background collects it
//!   when every owner is gone, and strips the reference when another owner lives);
//! - an object with `foregroundDeletion` has a dependent that blocks it, and all of its
//!   dependents are being deleted;
//! - a Foreground delete waits through chains: a dependent with dependents of its own is
//!   deleted in Foreground too, so no object live before the step is gone after it while
//!   another still names it with blockOwnerDeletion;
//! - a dependent with an owner that was not deleted survives, its reference intact;
//! - Orphan keeps the dependents and strips their references to the owner;
//! - a Terminating namespace holds only while something in it holds;
//! - a refused call or a dry run changes nothing (`dump_yaml`).
//!
//! Every owner uid named exists when the references are written (an owner uid that never
//! existed is a known difference, see docs/semantics.md).

use crate::common;
mod gc_model;
use crate::fuzz::owners;
use crate::fuzz::support;

use common::*;
use gc_model::*;
use kobj_core::CustomObjects;
use kobj_fake::FakeCluster;
use kube_core::params::{GetParams, ListParams, Patch, PatchParams, PostParams, PropagationPolicy};
use owners::*;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};
use support::*;

/// The objects of the graph (index `i` is named `o<i>`), as JSON, `None` once gone.
type Snapshot = Vec<Option<Value>>;

fn name(i: usize) -> String {
    format!("o{i}")
}

async fn build(nodes: &[Node]) -> (FakeCluster, Vec<String>) {
    let c = cluster().await;
    let pp = PostParams::default();
    c.create_object(
        &namespaces(),
        None,
        &obj(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})),
        &pp,
    )
    .await
    .unwrap();
    let mut uids = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        let mut v = json!({
            "apiVersion": n.kind.api_version(), "kind": n.kind.name(),
            "metadata": {
                "name": name(i),
                "labels": {"grp": if n.group_a { "a" } else { "b" }},
            },
        });
        if n.hold {
            v["metadata"]["finalizers"] = json!([HOLD]);
        }
        match n.kind {
            Kind::Widget | Kind::Gadget => v["spec"] = json!({}),
            Kind::ConfigMap | Kind::Secret => v["data"] = json!({}),
        }
        let created = c
            .create_object(&n.kind.resource(), n.kind.namespace(), &obj(v), &pp)
            .await
            .unwrap();
        uids.push(created.metadata.uid.unwrap());
    }
    // The references go in once every uid is known, so cycles can form.
    for (i, n) in nodes.iter().enumerate() {
        if n.owners.is_empty() {
            continue;
        }
        let refs: Vec<Value> = n
            .owners
            .iter()
            .map(|&(j, block)| {
                let mut r = json!({
                    "apiVersion": nodes[j].kind.api_version(), "kind": nodes[j].kind.name(),
                    "name": name(j), "uid": uids[j],
                });
                if let Some(b) = block {
                    r["blockOwnerDeletion"] = json!(b);
                }
                r
            })
            .collect();
        c.patch_object(
            &n.kind.resource(),
            n.kind.namespace(),
            &name(i),
            &Patch::Merge(json!({"metadata": {"ownerReferences": refs}})),
            &PatchParams::default(),
        )
        .await
        .unwrap();
    }
    (c, uids)
}

async fn snapshot(c: &FakeCluster, nodes: &[Node]) -> Snapshot {
    let mut out = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        let got = c
            .get_object(
                &n.kind.resource(),
                n.kind.namespace(),
                &name(i),
                &GetParams::default(),
            )
            .await;
        out.push(got.ok().map(|o| serde_json::to_value(o).unwrap()));
    }
    out
}

async fn namespace_state(c: &FakeCluster) -> Option<Value> {
    c.get_object(&namespaces(), None, NS, &GetParams::default())
        .await
        .ok()
        .map(|o| serde_json::to_value(o).unwrap())
}

fn deleting(o: &Value) -> bool {
    o.pointer("/metadata/deletionTimestamp").is_some()
}

fn finalizers(o: &Value) -> Vec<String> {
    o.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|f| f.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The (uid, blockOwnerDeletion) of each ownerReference.
fn refs(o: &Value) -> Vec<(String, bool)> {
    o.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .map(|r| {
                    (
                        r["uid"].as_str().unwrap_or("").to_owned(),
                        r["blockOwnerDeletion"].as_bool() == Some(true),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn uid_index(uids: &[String], uid: &str) -> Option<usize> {
    uids.iter().position(|u| u == uid)
}

/// What the garbage collector guarantees of any settled state.
fn check_settled(
    snap: &Snapshot,
    uids: &[String],
    ns: Option<&Value>,
    step: &str,
) -> Result<(), TestCaseError> {
    for (i, o) in snap.iter().enumerate() {
        let Some(o) = o else { continue };
        let fins = finalizers(o);
        prop_assert!(
            !deleting(o) || !fins.is_empty(),
            "after {step}: o{i} has a deletionTimestamp and no finalizers: {o}"
        );
        prop_assert!(
            !fins.iter().any(|f| f == "orphan"),
            "after {step}: o{i} is stuck with the orphan finalizer: {o}"
        );
        prop_assert!(
            fins.iter().all(|f| f != "foregroundDeletion") || deleting(o),
            "after {step}: o{i} has foregroundDeletion but no deletionTimestamp: {o}"
        );
        if !deleting(o) {
            for (uid, _) in refs(o) {
                let j = uid_index(uids, &uid).expect("every owner uid is one of the graph's");
                prop_assert!(
                    snap[j].is_some(),
                    "after {step}: o{i} is live with a reference to o{j}, which is gone: {o}"
                );
            }
        }
        if fins.iter().any(|f| f == "foregroundDeletion") {
            let uid = &uids[i];
            let dependents: Vec<(usize, &Value, bool)> = snap
                .iter()
                .enumerate()
                .filter_map(|(d, dep)| {
                    let dep = dep.as_ref()?;
                    let r = refs(dep).into_iter().find(|(u, _)| u == uid)?;
                    Some((d, dep, r.1))
                })
                .collect();
            prop_assert!(
                dependents.iter().any(|(_, _, block)| *block),
                "after {step}: o{i} waits in foreground deletion with no blocking dependent: {o}"
            );
            for (d, dep, _) in dependents {
                prop_assert!(
                    deleting(dep),
                    "after {step}: o{d}, a dependent of o{i} (foreground deletion), is live: {dep}"
                );
            }
        }
    }
    if let Some(ns) = ns
        && deleting(ns)
    {
        prop_assert!(
            snap.iter()
                .flatten()
                .any(|o| o.pointer("/metadata/namespace").is_some()),
            "after {step}: namespace {NS} is Terminating and empty: {ns}"
        );
    }
    Ok(())
}

/// What must hold between the states before and after a successful, non-dry-run step that
/// deleted the objects `targets` directly (`policy` for a single delete).
fn check_step(
    before: &Snapshot,
    after: &Snapshot,
    uids: &[String],
    targets: &[usize],
    policy: Option<&PropagationPolicy>,
    step: &str,
) -> Result<(), TestCaseError> {
    for (i, (b, a)) in before.iter().zip(after).enumerate() {
        let Some(b) = b else {
            prop_assert!(a.is_none(), "after {step}: o{i} came back");
            continue;
        };
        if targets.contains(&i) {
            prop_assert!(
                a.as_ref().is_none_or(deleting),
                "after {step}: o{i} was deleted and is live"
            );
            continue;
        }
        // A dependent with an owner that lives on (never deleted) is not collected (one
        // already being deleted goes when its finalizers are done).
        if deleting(b) {
            continue;
        }
        for (uid, _) in refs(b) {
            let j = uid_index(uids, &uid).unwrap();
            if after[j].as_ref().is_some_and(|o| !deleting(o)) {
                let Some(a) = a else {
                    prop_assert!(false, "after {step}: o{i} was collected though o{j} lives");
                    return Ok(());
                };
                prop_assert!(
                    !deleting(a),
                    "after {step}: o{i} is being deleted though o{j} lives: {a}"
                );
                prop_assert!(
                    refs(a).iter().any(|(u, _)| *u == uid),
                    "after {step}: o{i} lost its reference to o{j}, which lives: {a}"
                );
            }
        }
    }
    // Foreground: the owner stays while a dependent that blocks it is still there.
    if let (Some(PropagationPolicy::Foreground), [t]) = (policy, targets)
        && before[*t].is_some()
    {
        let uid = &uids[*t];
        let blocker = after.iter().enumerate().find(|(_, o)| {
            o.as_ref()
                .is_some_and(|o| refs(o).iter().any(|(u, block)| u == uid && *block))
        });
        if let Some((d, _)) = blocker {
            prop_assert!(
                after[*t].is_some(),
                "after {step}: o{t} went while o{d} still blocks it"
            );
        }
    }
    // Foreground through a chain: the controller deletes a dependent of a waiting owner that
    // has dependents of its own in Foreground as well, so nothing that was live before the
    // step is gone while an object still names it with blockOwnerDeletion.
    if let (Some(PropagationPolicy::Foreground), [_]) = (policy, targets) {
        for (i, (b, a)) in before.iter().zip(after).enumerate() {
            if b.as_ref().is_none_or(deleting) || a.is_some() {
                continue;
            }
            let uid = &uids[i];
            let blocker = after.iter().enumerate().find(|(_, o)| {
                o.as_ref()
                    .is_some_and(|o| refs(o).iter().any(|(u, block)| u == uid && *block))
            });
            if let Some((d, _)) = blocker {
                prop_assert!(
                    false,
                    "after {step}: o{i} went in a Foreground cascade while o{d} still blocks it"
                );
            }
        }
    }
    // Orphan: the dependents stay and lose their reference; the owner goes once only its
    // own finalizers are left to hold it.
    if let (Some(PropagationPolicy::Orphan), [t]) = (policy, targets)
        && let Some(tb) = &before[*t]
    {
        let uid = &uids[*t];
        for (d, b) in before.iter().enumerate() {
            let Some(b) = b else { continue };
            if d == *t || deleting(b) || !refs(b).iter().any(|(u, _)| u == uid) {
                continue;
            }
            let Some(a) = &after[d] else {
                prop_assert!(false, "after {step}: o{d}, orphaned, was collected");
                return Ok(());
            };
            prop_assert!(
                !deleting(a),
                "after {step}: o{d}, orphaned, is being deleted"
            );
            prop_assert!(
                !refs(a).iter().any(|(u, _)| u == uid),
                "after {step}: o{d} still names its orphaning owner o{t}: {a}"
            );
        }
        let own: Vec<String> = finalizers(tb)
            .into_iter()
            .filter(|f| f != "orphan" && f != "foregroundDeletion")
            .collect();
        match &after[*t] {
            None => prop_assert!(own.is_empty(), "after {step}: o{t} went despite {own:?}"),
            Some(a) => prop_assert_eq!(finalizers(a), own, "after {}: o{}", step, t),
        }
    }
    Ok(())
}

async fn run(nodes: Vec<Node>, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let (c, uids) = build(&nodes).await;
    let mut snap = snapshot(&c, &nodes).await;
    check_settled(&snap, &uids, namespace_state(&c).await.as_ref(), "setup")?;
    for (step_no, op) in ops.iter().enumerate() {
        let step = format!("step {step_no} ({op:?})");
        let before = c.dump_yaml().unwrap();
        let ns_before = namespace_state(&c).await;
        let (result, targets, dry_run, policy): (kobj_core::Result<()>, Vec<usize>, bool, _) =
            match op {
                Op::Delete {
                    target,
                    policy,
                    dry_run,
                    pre,
                } => {
                    let t = target % nodes.len();
                    let uid = match pre {
                        Pre::None => None,
                        Pre::RightUid => Some(uids[t].clone()),
                        Pre::WrongUid => Some(uids[(t + 1) % nodes.len()].clone()),
                    };
                    let wrong = matches!(pre, Pre::WrongUid);
                    let dp = delete_params(policy, *dry_run, uid);
                    let k = nodes[t].kind;
                    let r = c
                        .delete_object(&k.resource(), k.namespace(), &name(t), &dp)
                        .await
                        .map(|_| ());
                    prop_assert!(
                        !(wrong && r.is_ok()),
                        "{step}: a delete with a wrong uid precondition succeeded"
                    );
                    (r, vec![t], *dry_run, policy.clone())
                }
                Op::DeleteCollection {
                    kind,
                    group_a,
                    policy,
                    dry_run,
                } => {
                    let label = if *group_a { "a" } else { "b" };
                    let targets = (0..nodes.len())
                        .filter(|&i| {
                            nodes[i].kind == *kind
                                && nodes[i].group_a == *group_a
                                && snap[i].is_some()
                        })
                        .collect();
                    let lp = ListParams {
                        label_selector: Some(format!("grp={label}")),
                        ..ListParams::default()
                    };
                    let dp = delete_params(policy, *dry_run, None);
                    let r = c
                        .delete_collection(&kind.resource(), kind.namespace(), &dp, &lp)
                        .await
                        .map(|_| ());
                    (r, targets, *dry_run, None)
                }
                Op::Release { target } => {
                    let t = target % nodes.len();
                    let k = nodes[t].kind;
                    let list: Vec<String> = snap[t]
                        .as_ref()
                        .map(finalizers)
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|f| f != HOLD)
                        .collect();
                    let r = c
                        .patch_object(
                            &k.resource(),
                            k.namespace(),
                            &name(t),
                            &Patch::Merge(json!({"metadata": {"finalizers": list}})),
                            &PatchParams::default(),
                        )
                        .await
                        .map(|_| ());
                    // A release deletes nothing directly, but the object may go.
                    let targets = if snap[t].as_ref().is_some_and(deleting) {
                        vec![t]
                    } else {
                        vec![]
                    };
                    (r, targets, false, None)
                }
                Op::DeleteNamespace { policy, dry_run } => {
                    let dp = delete_params(policy, *dry_run, None);
                    let r = c
                        .delete_object(&namespaces(), None, NS, &dp)
                        .await
                        .map(|_| ());
                    let targets = (0..nodes.len())
                        .filter(|&i| nodes[i].kind.namespace().is_some())
                        .collect();
                    (r, targets, *dry_run, None)
                }
            };
        let after = snapshot(&c, &nodes).await;
        let ns_after = namespace_state(&c).await;
        match result {
            Err(e) => {
                check_refused_with(&c, &e, &before, 400..=499)?;
                // Not Found only for an object (or namespace) already gone.
                let existed = match op {
                    Op::Delete { target, .. } | Op::Release { target } => {
                        snap[target % nodes.len()].is_some()
                    }
                    Op::DeleteCollection { kind, .. } => {
                        kind.namespace().is_none() || ns_before.is_some()
                    }
                    Op::DeleteNamespace { .. } => ns_before.is_some(),
                };
                prop_assert!(
                    e.code() != Some(404) || !existed,
                    "{}: Not Found for something that exists: {}",
                    step,
                    e
                );
            }
            Ok(()) if dry_run => {
                let now = c.dump_yaml().unwrap();
                prop_assert!(now == before, "{step}: a dry run changed the state");
            }
            Ok(()) => {
                // A namespace deletion targets its contents only while it terminates.
                let targets = if matches!(op, Op::DeleteNamespace { .. })
                    && ns_before.as_ref().is_none_or(|n| !deleting(n))
                    && ns_after.as_ref().is_some_and(|n| !deleting(n))
                {
                    vec![]
                } else {
                    targets
                };
                check_step(&snap, &after, &uids, &targets, policy.as_ref(), &step)?;
            }
        }
        check_settled(&after, &uids, ns_after.as_ref(), &step)?;
        snap = after;
    }
    Ok(())
}

async fn run_model(nodes: Vec<Node>, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let (c, uids) = build(&nodes).await;
    let mut model = Model::new(&nodes);
    for (step_no, op) in ops.iter().enumerate() {
        let step = format!("step {step_no} ({op:?})");
        let before = c.dump_yaml().unwrap();
        let n = nodes.len();
        let (result, dry_run, uids_ok) = match op {
            Op::Delete {
                target,
                policy,
                dry_run,
                pre,
            } => {
                let t = target % n;
                let (uid, ok) = match pre {
                    Pre::None => (None, true),
                    Pre::RightUid => (Some(uids[t].clone()), true),
                    Pre::WrongUid => (Some(uids[(t + 1) % n].clone()), false),
                };
                let k = nodes[t].kind;
                let dp = delete_params(policy, *dry_run, uid);
                let r = c
                    .delete_object(&k.resource(), k.namespace(), &name(t), &dp)
                    .await
                    .map(|_| ());
                (r, *dry_run, ok)
            }
            Op::DeleteCollection {
                kind,
                group_a,
                policy,
                dry_run,
            } => {
                let lp = ListParams {
                    label_selector: Some(format!("grp={}", if *group_a { "a" } else { "b" })),
                    ..ListParams::default()
                };
                let dp = delete_params(policy, *dry_run, None);
                let r = c
                    .delete_collection(&kind.resource(), kind.namespace(), &dp, &lp)
                    .await
                    .map(|_| ());
                (r, *dry_run, true)
            }
            Op::Release { target } => {
                let t = target % n;
                let k = nodes[t].kind;
                let r = c
                    .patch_object(
                        &k.resource(),
                        k.namespace(),
                        &name(t),
                        &Patch::Merge(json!({"metadata": {"finalizers": null}})),
                        &PatchParams::default(),
                    )
                    .await
                    .map(|_| ());
                (r, false, true)
            }
            Op::DeleteNamespace { policy, dry_run } => {
                let dp = delete_params(policy, *dry_run, None);
                let r = c
                    .delete_object(&namespaces(), None, NS, &dp)
                    .await
                    .map(|_| ());
                (r, *dry_run, true)
            }
        };
        match result {
            Err(e) => check_refused_with(&c, &e, &before, 400..=499)?,
            Ok(()) if dry_run => {
                prop_assert!(
                    c.dump_yaml().unwrap() == before,
                    "{step}: a dry run changed the state"
                );
            }
            Ok(()) => model.apply(op, uids_ok),
        }
        let snap = snapshot(&c, &nodes).await;
        model.check(&snap, &uids, namespace_state(&c).await.as_ref(), &step)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(1))]

    /// Random ownership graphs and operations: after every step the settled state satisfies
    /// the garbage collector's guarantees, and a refusal or a dry run changes nothing.
    #[test]
    fn garbage_collection_settles_like_the_controller(nodes in graph(), ops in ops()) {
        block_on(run(nodes, ops))?;
    }

    /// Background and Orphan only (no Foreground, whose GC finalizer persists): the settled
    /// state is the model's, object by object (live, held, gone), with the owners each
    /// still names, and the namespace's phase.
    #[test]
    fn background_and_orphan_match_the_model(nodes in graph(), ops in modelled_ops()) {
        block_on(run_model(nodes, ops))?;
    }
}

// ---------------------------------------------------------------------------------------
// Regression tests: the inputs the property shrank to
// ---------------------------------------------------------------------------------------

fn node(kind: Kind, hold: bool, owners: Vec<(usize, Option<bool>)>) -> Node {
    Node {
        kind,
        group_a: false,
        hold,
        owners,
    }
}

/// What both Foreground regressions end with: the owner `o0` is gone (no dependent left to
/// wait for), and `o2`, kept by its other owner `o1`, lives on with only that reference.
async fn assert_o0_gone_and_o2_kept_by_o1(c: &FakeCluster, nodes: &[Node], uids: &[String]) {
    let snap = snapshot(c, nodes).await;
    assert!(snap[0].is_none(), "o0 has no dependent left to wait for");
    let dep = snap[2].as_ref().expect("o2 is kept by o1");
    assert!(!deleting(dep));
    assert_eq!(refs(dep), vec![(uids[1].clone(), false)]);
}

/// A Foreground delete of one owner (here through deletecollection) collected a dependent
/// whose other owner lives; the dependent must survive and only lose the reference.
#[tokio::test]
async fn foreground_keeps_a_dependent_with_another_live_owner() {
    let nodes = vec![
        node(Kind::Widget, false, vec![]),
        node(Kind::Gadget, false, vec![]),
        node(Kind::Widget, false, vec![(1, None), (0, None)]),
    ];
    let (c, uids) = build(&nodes).await;
    let dp = delete_params(&Some(PropagationPolicy::Foreground), false, None);
    c.delete_object(&widgets(), Some(NS), "o0", &dp)
        .await
        .unwrap();
    assert_o0_gone_and_o2_kept_by_o1(&c, &nodes, &uids).await;
}

/// The same, through the exact deletecollection the property found.
#[tokio::test]
async fn foreground_deletecollection_keeps_a_dependent_with_another_live_owner() {
    let nodes = vec![
        node(Kind::Widget, false, vec![]),
        node(Kind::Gadget, false, vec![]),
        Node {
            group_a: true,
            ..node(Kind::Widget, false, vec![(1, None), (0, None)])
        },
    ];
    let (c, uids) = build(&nodes).await;
    let dp = delete_params(&Some(PropagationPolicy::Foreground), false, None);
    let lp = ListParams {
        label_selector: Some("grp=b".into()),
        ..ListParams::default()
    };
    c.delete_collection(&widgets(), Some(NS), &dp, &lp)
        .await
        .unwrap();
    assert_o0_gone_and_o2_kept_by_o1(&c, &nodes, &uids).await;
}

/// An owner waiting in Foreground deletion for a held dependent, deleted again with
/// Background: the repeated DELETE drops `foregroundDeletion`, its last finalizer, and left
/// it with a deletionTimestamp and no finalizers for ever; it must go.
#[tokio::test]
async fn repeated_delete_that_drops_the_last_finalizer_removes_the_object() {
    let nodes = vec![
        node(Kind::Widget, false, vec![]),
        node(Kind::Gadget, false, vec![]),
        node(Kind::Gadget, true, vec![(1, Some(true))]),
    ];
    let (c, _) = build(&nodes).await;
    let fg = delete_params(&Some(PropagationPolicy::Foreground), false, None);
    c.delete_object(&gadgets(), None, "o1", &fg).await.unwrap();
    let snap = snapshot(&c, &nodes).await;
    let owner = snap[1].as_ref().expect("o1 waits for o2");
    assert_eq!(finalizers(owner), vec!["foregroundDeletion".to_owned()]);
    assert!(snap[2].as_ref().is_some_and(deleting));
    let bg = delete_params(&Some(PropagationPolicy::Background), false, None);
    c.delete_object(&gadgets(), None, "o1", &bg).await.unwrap();
    let snap = snapshot(&c, &nodes).await;
    assert!(
        snap[1].is_none(),
        "o1 is left with no finalizer: {:?}",
        snap[1]
    );
    // o2 is still held by its own finalizer, and is still being deleted.
    let held = snap[2].as_ref().unwrap();
    assert!(deleting(held));
    assert_eq!(finalizers(held), vec![HOLD.to_owned()]);
}

/// What the Foreground chain property shrank to against the old collector, which deleted the
/// dependents of an owner in Foreground deletion with Background: `o2` (owned by `o0`, the
/// reference not blocking) has a held dependent `o4` that blocks it. The collector deletes
/// `o2` in Foreground, so it waits for `o4`; `o0` does not wait for `o2` and goes.
#[tokio::test]
async fn foreground_dependent_with_a_blocking_dependent_waits_for_it() {
    let nodes = vec![
        node(Kind::Widget, false, vec![]),
        node(Kind::Widget, false, vec![]),
        node(Kind::Widget, false, vec![(0, None)]),
        node(Kind::Widget, false, vec![]),
        node(Kind::Widget, true, vec![(2, Some(true))]),
    ];
    let (c, uids) = build(&nodes).await;
    let fg = delete_params(&Some(PropagationPolicy::Foreground), false, None);
    c.delete_object(&widgets(), Some(NS), "o0", &fg)
        .await
        .unwrap();
    let snap = snapshot(&c, &nodes).await;
    assert!(snap[0].is_none(), "o0 has no dependent that blocks it");
    let o2 = snap[2].as_ref().expect("o2 waits for o4");
    assert!(deleting(o2));
    assert_eq!(finalizers(o2), vec!["foregroundDeletion".to_owned()]);
    let o4 = snap[4].as_ref().expect("o4 is held");
    assert!(deleting(o4));
    assert_eq!(finalizers(o4), vec![HOLD.to_owned()]);
    assert_eq!(refs(o4), vec![(uids[2].clone(), true)]);
    assert!(snap[1].as_ref().is_some_and(|o| !deleting(o)));
    assert!(snap[3].as_ref().is_some_and(|o| !deleting(o)));
}
