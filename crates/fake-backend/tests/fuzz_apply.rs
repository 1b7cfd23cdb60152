//! Property tests of managedFields and server-side apply (rule 26): random sequences of
//! writes to one object (the widget `w`, a custom resource with a schema and a status
//! subresource, or the Deployment `d`, whose containers merge by name) by a few field
//! managers — applies (sometimes forced, to the main resource and to `/status`), updates,
//! merge and JSON patches and status patches — checked after every step against what the
//! server does (structured-merge-diff's `Updater.Apply` / `Updater.Update`):
//!
//! - an apply that changes a field another manager owns, without force, is refused with 409
//!   naming exactly those managers' fields, and changes nothing; with force it succeeds and
//!   the others lose those fields;
//! - after an apply, the object holds every field of the configuration with its value, the
//!   applier's entry owns exactly the configuration's fields, fields it dropped are gone
//!   unless another manager owns them (then they keep their value), and the same apply
//!   again is a no-op (same resourceVersion, same state);
//! - after an update or patch, the writer owns what it set or changed and nobody else does;
//! - managedFields is always well formed (no duplicate manager identity, no empty entry,
//!   timestamps that parse, every owned field present), and writing the object back
//!   unchanged keeps its resourceVersion;
//! - every refused call leaves `dump_yaml()` as it was; nothing panics.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "fuzz/apply.rs"]
mod apply;
mod common;
#[path = "fuzz/support.rs"]
#[allow(dead_code)] // each property file uses part of it
mod support;

use std::collections::BTreeSet;

use apply::*;
use common::*;
use kobj_core::CustomObjects;
use kobj_fake::FakeCluster;
use kube_core::DynamicObject;
use kube_core::params::{GetParams, Patch, PatchParams, PostParams};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};
use support::*;

// ---------------------------------------------------------------------------------------
// managedFields, decoded
// ---------------------------------------------------------------------------------------

/// One managedFields entry.
#[derive(Clone, Debug)]
struct Entry {
    manager: String,
    operation: String,
    api_version: String,
    subresource: String,
    paths: BTreeSet<FieldPath>,
}

impl Entry {
    /// The server's manager identity (apiVersion counts for updaters only).
    fn id(&self) -> (String, String, String, String) {
        let version = if self.operation == "Apply" {
            String::new()
        } else {
            self.api_version.clone()
        };
        (
            self.manager.clone(),
            self.operation.clone(),
            version,
            self.subresource.clone(),
        )
    }
}

fn entries(obj: &Value) -> Vec<Entry> {
    let list = obj
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let s = |e: &Value, k: &str| e.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    list.iter()
        .map(|e| Entry {
            manager: s(e, "manager"),
            operation: s(e, "operation"),
            api_version: s(e, "apiVersion"),
            subresource: s(e, "subresource"),
            paths: fields_v1_paths(e.get("fieldsV1").unwrap_or(&Value::Null)),
        })
        .collect()
}

fn find<'e>(entries: &'e [Entry], manager: &str, operation: &str, sub: &str) -> Option<&'e Entry> {
    entries
        .iter()
        .find(|e| e.manager == manager && e.operation == operation && e.subresource == sub)
}

/// managedFields is well formed: known operations, `FieldsV1`, a time that parses, a
/// non-empty field set, one entry per manager identity, and every owned field present,
/// except fields an update or patch removed (`removed`): the fake does not take those from
/// their owners (see "Known differences" in docs/semantics.md).
fn check_well_formed(obj: &Value, removed: &BTreeSet<FieldPath>) -> Result<(), TestCaseError> {
    let list = obj
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if obj.pointer("/metadata/managedFields").is_some() {
        prop_assert!(!list.is_empty(), "an empty managedFields list is stored");
    }
    for raw in &list {
        prop_assert!(
            raw.get("manager")
                .and_then(Value::as_str)
                .is_some_and(|m| !m.is_empty()),
            "{raw}"
        );
        prop_assert!(
            matches!(
                raw.get("operation").and_then(Value::as_str),
                Some("Apply" | "Update")
            ),
            "{raw}"
        );
        prop_assert_eq!(raw.get("fieldsType"), Some(&json!("FieldsV1")));
        let time = raw.get("time").and_then(Value::as_str).unwrap_or("");
        prop_assert!(
            time.parse::<k8s_openapi::jiff::Timestamp>().is_ok(),
            "time {time:?} does not parse: {raw}"
        );
    }
    let es = entries(obj);
    let mut ids = BTreeSet::new();
    for e in &es {
        prop_assert!(ids.insert(e.id()), "two entries for {:?}: {list:?}", e.id());
        prop_assert!(!e.paths.is_empty(), "an entry with no fields: {e:?}");
        for p in &e.paths {
            prop_assert!(
                lookup(obj, p).is_some() || removed.contains(p),
                "{e:?} owns {} but the object lacks it:\n{obj:#}",
                path_text(p)
            );
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Running a sequence
// ---------------------------------------------------------------------------------------

fn to_value(o: &DynamicObject) -> Value {
    serde_json::to_value(o).unwrap()
}

async fn current(c: &FakeCluster, kind: Kind) -> Option<Value> {
    c.get_object(
        &kind.resource(),
        Some("default"),
        kind.name(),
        &GetParams::default(),
    )
    .await
    .ok()
    .map(|o| to_value(&o))
}

/// RFC 7386 merge of `patch` into `doc`.
fn merge(doc: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *doc = patch.clone();
        return;
    };
    if !doc.is_object() {
        *doc = json!({});
    }
    let d = doc.as_object_mut().unwrap();
    for (k, v) in p {
        if v.is_null() {
            d.remove(k);
        } else {
            merge(d.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

fn rv(v: &Value) -> &str {
    v.pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// The spec's defaulted field (the widget's `spec.replicas` comes back as 1 when dropped).
fn defaulted(kind: Kind, p: &[String]) -> bool {
    kind == Kind::Widget && p == ["f:spec", "f:replicas"]
}

/// An apply by `manager` (to `/status` when `status`), checked against the prediction from
/// the state before it. True when it was refused with the conflicts predicted.
async fn apply_step(
    c: &FakeCluster,
    kind: Kind,
    manager: &str,
    config: &Value,
    force: bool,
    status: bool,
    removed: &BTreeSet<FieldPath>,
) -> Result<bool, TestCaseError> {
    let before = current(c, kind).await;
    let before_dump = c.dump_yaml().unwrap();
    let sub = if status { "status" } else { "" };
    // The configuration's fields, without what the endpoint's strategy resets (both kinds
    // have a status subresource: `status` on the main resource, `spec` on `/status`).
    let reset = if status { "f:spec" } else { "f:status" };
    let mine: BTreeSet<FieldPath> = value_paths(config, true)
        .into_iter()
        .filter(|p| p[0] != reset)
        .collect();
    // The conflicts the server must find: fields of the configuration that another manager
    // owns, whose value the apply changes.
    let mut owners = before.as_ref().map(entries).unwrap_or_default();
    if let (Some(b), true) = (&before, owners.is_empty()) {
        owners.push(Entry {
            manager: "before-first-apply".into(),
            operation: "Update".into(),
            api_version: kind.api_version().into(),
            subresource: String::new(),
            paths: value_paths(b, true),
        });
    }
    let mut conflicts: BTreeSet<(String, String)> = BTreeSet::new();
    let mut conflicting: Vec<((String, String, String, String), FieldPath)> = Vec::new();
    if let Some(b) = &before {
        for e in &owners {
            if e.manager == manager && e.operation == "Apply" && e.subresource == sub {
                continue;
            }
            for p in e.paths.intersection(&mine) {
                let differs = if is_item(p) {
                    lookup(b, p).is_none()
                } else {
                    lookup(b, p) != lookup(config, p)
                };
                if differs {
                    conflicts.insert((e.manager.clone(), path_text(p)));
                    conflicting.push((e.id(), p.clone()));
                }
            }
        }
    }
    let params = PatchParams {
        force,
        ..PatchParams::apply(manager)
    };
    let patch = Patch::Apply(config.clone());
    let (rt, name) = (kind.resource(), kind.name());
    let result = if status {
        c.patch_object_status(&rt, Some("default"), name, &patch, &params)
            .await
    } else {
        c.patch_object(&rt, Some("default"), name, &patch, &params)
            .await
    };
    let applied = match result {
        Err(e) => {
            if status && before.is_none() {
                check_refused_with(c, &e, &before_dump, 404..=404)?;
                return Ok(false);
            }
            prop_assert!(
                !conflicts.is_empty() && !force,
                "apply by {manager} refused ({e}) but no conflict was expected; config {config}"
            );
            check_refused_with(c, &e, &before_dump, 409..=409)?;
            let causes: BTreeSet<(String, String)> = e
                .status()
                .unwrap()
                .details
                .as_ref()
                .map(|d| {
                    d.causes
                        .iter()
                        .map(|c| {
                            prop_assert_eq!(&c.reason, "FieldManagerConflict");
                            let m = conflicts
                                .iter()
                                .map(|(m, _)| m)
                                .find(|m| c.message.contains(&format!("{m:?}")))
                                .cloned()
                                .unwrap_or_else(|| c.message.clone());
                            Ok((m, c.field.clone()))
                        })
                        .collect::<Result<_, TestCaseError>>()
                })
                .transpose()?
                .unwrap_or_default();
            prop_assert_eq!(&causes, &conflicts, "{}", e);
            let message = &e.status().unwrap().message;
            let n = conflicting.len();
            let head = if n == 1 {
                "Apply failed with 1 conflict: conflict with ".to_string()
            } else {
                format!("Apply failed with {n} conflicts: conflicts with ")
            };
            prop_assert!(message.starts_with(&head), "{message}");
            for (m, path) in &conflicts {
                prop_assert!(message.contains(&format!("{m:?}")), "{message}");
                prop_assert!(message.contains(path.as_str()), "{message}");
            }
            return Ok(true);
        }
        Ok(o) => to_value(&o),
    };
    prop_assert!(
        conflicts.is_empty() || force,
        "apply by {manager} of {config} succeeded despite conflicts {conflicts:?}; before {before:?}"
    );
    let read = current(c, kind).await;
    prop_assert_eq!(Some(&applied), read.as_ref());
    check_well_formed(&applied, removed)?;
    // Every field of the configuration, with its value.
    for p in &mine {
        let got = lookup(&applied, p);
        prop_assert!(got.is_some(), "applied {} missing", path_text(p));
        if !is_item(p) {
            prop_assert_eq!(got, lookup(config, p), "at {}", path_text(p));
        }
    }
    // The applier owns exactly its configuration.
    let after = entries(&applied);
    let own = find(&after, manager, "Apply", sub).map(|e| e.paths.clone());
    prop_assert_eq!(
        own.clone().unwrap_or_default(),
        mine.clone(),
        "the applier's fields after applying {}",
        config
    );
    // Forced: the others lost what conflicted.
    for (id, p) in &conflicting {
        if let Some(e) = after.iter().find(|e| &e.id() == id) {
            prop_assert!(
                !e.paths.contains(p),
                "{id:?} still owns {} after a forced apply",
                path_text(p)
            );
        }
    }
    // What the applier dropped is gone unless another manager owns it.
    if let (Some(b), Some(prev)) = (&before, before.as_ref().map(entries)) {
        let last = find(&prev, manager, "Apply", sub)
            .map(|e| e.paths.clone())
            .unwrap_or_default();
        for p in last.difference(&mine) {
            if is_item(p) || p.last().is_some_and(|l| l == "f:name") || defaulted(kind, p) {
                continue;
            }
            let owned_after = after.iter().any(|e| e.paths.contains(p));
            let owned_by_other_before = prev.iter().any(|e| {
                !(e.manager == manager && e.operation == "Apply" && e.subresource == sub)
                    && e.paths.contains(p)
            });
            if !owned_after {
                prop_assert!(
                    lookup(&applied, p).is_none(),
                    "{} was dropped by {manager} and nobody owns it, yet it stayed",
                    path_text(p)
                );
            } else if owned_by_other_before {
                prop_assert_eq!(lookup(&applied, p), lookup(b, p), "at {}", path_text(p));
            }
        }
    }
    // The same apply again changes nothing.
    let dump = c.dump_yaml().unwrap();
    let again = if status {
        c.patch_object_status(&rt, Some("default"), name, &patch, &params)
            .await
    } else {
        c.patch_object(&rt, Some("default"), name, &patch, &params)
            .await
    };
    let again = to_value(&again.unwrap());
    // A configuration with a field the endpoint resets (`status` on the main resource) that
    // differs from the object's changes the merged object before the reset: the applier's
    // time is renewed, and when that reorders the entries the server writes a new version
    // too (its managedFields comparison is by position). Only the content must be the same.
    let resets_something = config
        .get(&reset[2..])
        .is_some_and(|v| applied.get(&reset[2..]) != Some(v));
    if resets_something {
        let plain = |v: &Value| {
            let mut v = v.clone();
            let meta = v["metadata"].as_object_mut().unwrap();
            meta.remove("managedFields");
            meta.remove("resourceVersion");
            v
        };
        let owners = |v: &Value| {
            entries(v)
                .into_iter()
                .map(|e| (e.id(), e.paths))
                .collect::<BTreeSet<_>>()
        };
        prop_assert_eq!(plain(&again), plain(&applied));
        prop_assert_eq!(owners(&again), owners(&applied));
        return Ok(false);
    }
    prop_assert_eq!(
        rv(&again),
        rv(&applied),
        "a repeated apply got a new version:\n{:#}\n{:#}",
        applied,
        again
    );
    prop_assert_eq!(&again, &applied);
    prop_assert_eq!(c.dump_yaml().unwrap(), dump);
    Ok(false)
}

/// After an update or patch by `manager` (through `/status` when `status`): the writer owns
/// what it set or changed, and nobody else owns it or anything it removed.
fn check_update(
    before: &Value,
    after: &Value,
    manager: &str,
    status: bool,
    removed: &mut BTreeSet<FieldPath>,
) -> Result<(), TestCaseError> {
    for p in value_paths(before, true) {
        if lookup(after, &p).is_none() {
            removed.insert(p);
        }
    }
    check_well_formed(after, removed)?;
    if before.pointer("/metadata/managedFields").is_none() {
        // An untracked object stays untracked.
        prop_assert!(after.pointer("/metadata/managedFields").is_none());
        return Ok(());
    }
    let sub = if status { "status" } else { "" };
    let es = entries(after);
    let mut all = value_paths(before, true);
    all.extend(value_paths(after, true));
    for p in &all {
        let (old, new) = (lookup(before, p), lookup(after, p));
        let differs = if is_item(p) {
            old.is_some() != new.is_some()
        } else {
            old != new
        };
        // A removed field keeps its owners in the fake (a known difference): only what the
        // write set or changed is checked.
        if !differs || new.is_none() {
            continue;
        }
        for e in &es {
            if e.manager == manager && e.operation == "Update" && e.subresource == sub {
                continue;
            }
            prop_assert!(
                !e.paths.contains(p),
                "{} changed by {manager} but still owned by {e:?}",
                path_text(p)
            );
        }
        prop_assert!(
            find(&es, manager, "Update", sub).is_some_and(|e| e.paths.contains(p)),
            "{manager} changed {} but does not own it: {es:?}",
            path_text(p)
        );
    }
    Ok(())
}

/// A non-apply write: refused (state unchanged) or checked with [`check_update`].
async fn write_step(
    c: &FakeCluster,
    kind: Kind,
    op: &Op,
    removed: &mut BTreeSet<FieldPath>,
) -> Result<(), TestCaseError> {
    let before = current(c, kind).await;
    let before_dump = c.dump_yaml().unwrap();
    let (rt, name) = (kind.resource(), kind.name());
    let (m, status) = match op {
        Op::Update { m, .. } | Op::Merge { m, .. } | Op::Json { m, .. } => (*m, false),
        Op::Status { m, .. } => (*m, true),
        _ => unreachable!(),
    };
    let manager = MANAGERS[m];
    let pp = PatchParams {
        field_manager: Some(manager.into()),
        ..PatchParams::default()
    };
    let result = match op {
        Op::Update { change, .. } => {
            let Some(mut body) = before.clone() else {
                return Ok(());
            };
            merge(&mut body, change);
            let post = PostParams {
                field_manager: Some(manager.into()),
                ..PostParams::default()
            };
            let body: DynamicObject = serde_json::from_value(body).unwrap();
            c.replace_object(&rt, Some("default"), name, &body, &post)
                .await
        }
        Op::Merge { patch, .. } => {
            c.patch_object(
                &rt,
                Some("default"),
                name,
                &Patch::Merge(patch.clone()),
                &pp,
            )
            .await
        }
        Op::Json { ops, .. } => {
            let p = Patch::Json(serde_json::from_value(Value::Array(ops.clone())).unwrap());
            c.patch_object(&rt, Some("default"), name, &p, &pp).await
        }
        Op::Status { patch, .. } => {
            c.patch_object_status(
                &rt,
                Some("default"),
                name,
                &Patch::Merge(patch.clone()),
                &pp,
            )
            .await
        }
        _ => unreachable!(),
    };
    match (result, &before) {
        (Err(e), None) => check_refused_with(c, &e, &before_dump, 404..=404),
        (Err(e), Some(_)) => {
            prop_assert!(matches!(op, Op::Json { .. }), "{op:?} refused: {e}");
            check_refused_with(c, &e, &before_dump, 422..=422)
        }
        (Ok(o), None) => {
            prop_assert!(false, "{op:?} on a missing object succeeded: {o:?}");
            Ok(())
        }
        (Ok(o), Some(b)) => {
            let after = to_value(&o);
            let read = current(c, kind).await;
            prop_assert_eq!(Some(&after), read.as_ref());
            check_update(b, &after, manager, status, removed)
        }
    }
}

async fn run(kind: Kind, seed: Option<Value>, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let c = cluster().await;
    if let Some(body) = seed {
        let post = PostParams {
            field_manager: Some("creator".into()),
            ..PostParams::default()
        };
        let o: DynamicObject = serde_json::from_value(body).unwrap();
        let created = c
            .create_object(&kind.resource(), Some("default"), &o, &post)
            .await
            .unwrap();
        check_well_formed(&to_value(&created), &BTreeSet::new())?;
    }
    // Fields updates and patches removed (their owners may still list them).
    let mut removed = BTreeSet::new();
    for op in &ops {
        match op {
            Op::Apply { m, config, force } | Op::ApplyStatus { m, config, force } => {
                let status = matches!(op, Op::ApplyStatus { .. });
                let (manager, removed) = (MANAGERS[*m], &removed);
                if apply_step(&c, kind, manager, config, *force, status, removed).await? {
                    // Refused for conflicts: the same apply with force takes the fields.
                    apply_step(&c, kind, manager, config, true, status, removed).await?;
                }
            }
            _ => write_step(&c, kind, op, &mut removed).await?,
        }
    }
    // Writing the object back unchanged keeps its version and its managedFields.
    if let Some(cur) = current(&c, kind).await {
        let dump = c.dump_yaml().unwrap();
        let post = PostParams {
            field_manager: Some("carol".into()),
            ..PostParams::default()
        };
        let o: DynamicObject = serde_json::from_value(cur.clone()).unwrap();
        let back = c
            .replace_object(&kind.resource(), Some("default"), kind.name(), &o, &post)
            .await
            .unwrap();
        prop_assert_eq!(to_value(&back), cur);
        prop_assert_eq!(c.dump_yaml().unwrap(), dump);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

/// A kind, maybe an object created first by the manager `creator`, and writes.
fn case(len: std::ops::Range<usize>) -> impl Strategy<Value = (Kind, Option<Value>, Vec<Op>)> {
    kind().prop_flat_map(move |k| {
        (
            Just(k),
            prop::option::of(apply_config(k)),
            prop::collection::vec(op(k), len.clone()),
        )
    })
}

/// Applies only, by the three managers, to one field-rich object.
fn applies(len: std::ops::Range<usize>) -> impl Strategy<Value = (Kind, Vec<Op>)> {
    kind().prop_flat_map(move |k| {
        let apply = (
            0..MANAGERS.len(),
            apply_config(k),
            prop::bool::weighted(0.3),
        )
            .prop_map(|(m, config, force)| Op::Apply { m, config, force });
        (Just(k), prop::collection::vec(apply, len.clone()))
    })
}

proptest! {
    #![proptest_config(config(1))]

    /// Mixed writes (apply, forced apply, status apply, update, merge patch, JSON patch,
    /// status patch), each checked against the prediction from the state before it.
    #[test]
    fn mixed_writes_keep_managed_fields_right((kind, seed, ops) in case(1..8)) {
        block_on(run(kind, seed, ops))?;
    }

    /// Applies only: conflicts, forced takeovers, dropped fields, repeated applies.
    #[test]
    fn applies_conflict_take_over_and_prune((kind, ops) in applies(2..8)) {
        block_on(run(kind, None, ops))?;
    }
}

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
    for kind in [Kind::Widget, Kind::Deployment] {
        let (rt, name) = (kind.resource(), kind.name());
        let with =
            kind.body(serde_json::from_value(json!({"metadata": {"labels": {"a": "x"}}})).unwrap());
        let created = c
            .patch_object(&rt, Some("default"), name, &Patch::Apply(with), &apply)
            .await
            .unwrap();
        let without = kind.body(serde_json::Map::new());
        let applied = c
            .patch_object(&rt, Some("default"), name, &Patch::Apply(without), &apply)
            .await
            .unwrap();
        assert_eq!(applied.metadata.name.as_deref(), Some(name));
        assert_eq!(applied.metadata.uid, created.metadata.uid);
        assert_eq!(applied.metadata.labels, None, "{applied:?}");
        assert_eq!(applied.metadata.managed_fields, None, "{applied:?}");
    }
    // Another manager's label stays.
    let rt = widgets();
    let labels = |l: Value| {
        Patch::Apply(
            Kind::Widget.body(serde_json::from_value(json!({"metadata": {"labels": l}})).unwrap()),
        )
    };
    c.patch_object(
        &rt,
        Some("default"),
        "w",
        &labels(json!({"a": "x"})),
        &apply,
    )
    .await
    .unwrap();
    c.patch_object(
        &rt,
        Some("default"),
        "w",
        &labels(json!({"b": "y"})),
        &PatchParams::apply("alice"),
    )
    .await
    .unwrap();
    let applied = c
        .patch_object(
            &rt,
            Some("default"),
            "w",
            &Patch::Apply(Kind::Widget.body(serde_json::Map::new())),
            &apply,
        )
        .await
        .unwrap();
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
    c.patch_object(
        &rt,
        Some("default"),
        "w",
        &config(json!({"a": "x"})),
        &alice,
    )
    .await
    .unwrap();
    c.clock().advance(second);
    let bob = PatchParams::apply("bob");
    let first = c
        .patch_object(&rt, Some("default"), "w", &config(json!({"b": "y"})), &bob)
        .await
        .unwrap();
    c.clock().advance(second);
    let dump = c.dump_yaml().unwrap();
    let again = c
        .patch_object(
            &rt,
            Some("default"),
            "w",
            &config(json!({"a": "x"})),
            &alice,
        )
        .await
        .unwrap();
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
    let with = Kind::Deployment.body(
        serde_json::from_value(
            json!({"spec": {"template": {"spec": {"containers": [{"name": "log"}]}}}}),
        )
        .unwrap(),
    );
    c.patch_object(&rt, Some("default"), "d", &Patch::Apply(with), &carol)
        .await
        .unwrap();
    let mut body = current(&c, Kind::Deployment).await.unwrap();
    body["spec"]["template"]["spec"]["containers"][0]["image"] = json!("img:1");
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
    let applied = c
        .patch_object(
            &rt,
            Some("default"),
            "d",
            &Patch::Apply(Kind::Deployment.body(serde_json::Map::new())),
            &carol,
        )
        .await
        .unwrap();
    let applied = to_value(&applied);
    assert_eq!(
        applied.pointer("/spec/template/spec/containers/0"),
        None,
        "{applied:#}"
    );
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
    let created = to_value(
        &c.patch_object(&rt, Some("default"), "w", &Patch::Apply(config), &alice)
            .await
            .unwrap(),
    );
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
    c.patch_object(
        &rt,
        Some("default"),
        "d",
        &Patch::Apply(Kind::Deployment.body(serde_json::Map::new())),
        &alice,
    )
    .await
    .unwrap();
    let pp = PatchParams {
        field_manager: Some("alice".into()),
        ..PatchParams::default()
    };
    c.patch_object(
        &rt,
        Some("default"),
        "d",
        &Patch::Merge(json!({"metadata": {"labels": {}}, "spec": {}})),
        &pp,
    )
    .await
    .unwrap();
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
    assert_eq!(to_value(&first)["spec"], json!({}));
    let dump = c.dump_yaml().unwrap();
    let again = c
        .patch_object_status(&rt, Some("default"), "d", &status, &alice)
        .await
        .unwrap();
    assert_eq!(again, first);
    assert_eq!(c.dump_yaml().unwrap(), dump);
}
