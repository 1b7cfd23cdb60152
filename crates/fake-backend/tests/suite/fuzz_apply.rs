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

use crate::common;
use crate::fuzz::apply;
use crate::fuzz::managed_fields;
use crate::fuzz::support;

use std::collections::BTreeSet;

use apply::*;
use common::*;
use kobj_core::CustomObjects;
use kobj_fake::FakeCluster;
use kube_core::DynamicObject;
use kube_core::params::{Patch, PatchParams, PostParams};
use managed_fields::*;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};
use support::*;

// ---------------------------------------------------------------------------------------
// Running a sequence
// ---------------------------------------------------------------------------------------

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

/// The spec's defaulted field: the widget's `spec.replicas` (its schema's default) and the
/// Deployment's (`SetDefaults_Deployment`) come back as 1 when dropped.
fn defaulted(_kind: Kind, p: &[String]) -> bool {
    p == ["f:spec", "f:replicas"]
}

/// Whether applying `config` as `manager` drops the image of a container another manager
/// keeps: the image was owned by this applier alone, the configuration leaves the
/// container out, and the container's item is someone else's too. The merged Deployment
/// then has a container without an image, which a real server refuses (422).
fn drops_an_image(before: &Value, owners: &[Entry], manager: &str, config: &Value) -> bool {
    let containers = |v: &Value| -> Vec<String> {
        v.pointer("/spec/template/spec/containers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| c.get("name").and_then(Value::as_str).map(String::from))
            .collect()
    };
    let kept = containers(config);
    let mine =
        |e: &Entry| e.manager == manager && e.operation == "Apply" && e.subresource.is_empty();
    containers(before).into_iter().any(|name| {
        let item: FieldPath = ["f:spec", "f:template", "f:spec", "f:containers"]
            .iter()
            .map(|s| (*s).to_string())
            .chain([format!("k:{}", json!({ "name": name }))])
            .collect();
        let mut image = item.clone();
        image.push("f:image".into());
        !kept.contains(&name)
            && owners.iter().any(|e| mine(e) && e.paths.contains(&image))
            && !owners.iter().any(|e| !mine(e) && e.paths.contains(&image))
            && owners.iter().any(|e| !mine(e) && e.paths.contains(&item))
    })
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
    let containers: BTreeSet<FieldPath> = container_paths(config, true)
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
            // A container the live object lacks is added as a whole: its owner conflicts.
            for p in e.paths.intersection(&containers) {
                if lookup(b, p).is_none() {
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
            if e.code() == Some(422) && (conflicts.is_empty() || force) {
                // The merged object is refused by validation, as on a real server: only when
                // it would keep a container whose image this apply drops.
                let dropped = before
                    .as_ref()
                    .is_some_and(|b| drops_an_image(b, &owners, manager, config));
                prop_assert!(
                    dropped,
                    "apply by {manager} refused ({e}) but no conflict was expected; config {config}"
                );
                prop_assert!(e.to_string().contains(".image: Required value"), "{e}");
                check_refused_with(c, &e, &before_dump, 422..=422)?;
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
        // When the reset left the applier owning nothing, the object has no managedFields,
        // and the repeated apply may record `before-first-apply` as below.
        let unowned = applied["metadata"].get("managedFields").is_none();
        let owners = |v: &Value| {
            entries(v)
                .into_iter()
                .filter(|e| !(unowned && e.manager == "before-first-apply"))
                .map(|e| (e.id(), e.paths))
                .collect::<BTreeSet<_>>()
        };
        prop_assert_eq!(plain(&again), plain(&applied));
        prop_assert_eq!(owners(&again), owners(&applied));
        return Ok(false);
    }
    // An apply that left nobody owning anything (an empty configuration) leaves an object
    // with no managedFields; applying to such an object first records its fields, the
    // defaults included, for `before-first-apply` (the server's skipNonAppliedManager), which
    // is a change. Only that entry may be new.
    let captured = entries(&again)
        .iter()
        .any(|e| e.manager == "before-first-apply");
    if applied["metadata"].get("managedFields").is_none() && captured {
        let plain = |v: &Value| {
            let mut v = v.clone();
            let meta = v["metadata"].as_object_mut().unwrap();
            meta.remove("managedFields");
            meta.remove("resourceVersion");
            v
        };
        prop_assert_eq!(plain(&again), plain(&applied));
        for e in entries(&again) {
            prop_assert!(
                e.manager == "before-first-apply" || e.manager == manager,
                "a repeated apply added {:?}",
                e.id()
            );
        }
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
