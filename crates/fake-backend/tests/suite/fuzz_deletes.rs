//! Property tests for delete, deletecollection and the status and scale subresources:
//! every call with arbitrary options gets a result or a Kubernetes-shaped error (an API
//! `Status` with a 4xx or 5xx code), never a panic; a refused delete or write leaves the
//! stored state (`dump_yaml`) unchanged; a success changes only what it should.
//!
//! The parameters are generated near valid syntax (see `fuzz/reads.rs`): selectors of every
//! form and junk built from their tokens, limits from 0 to `u32::MAX`, continue tokens from
//! real ones to base64 of junk JSON, resourceVersions ahead of the cluster, malformed or
//! absent. Each case runs on a fresh cluster, so a failure shrinks to an input that replays
//! alone.

use crate::common;
use crate::fuzz::cluster;
use crate::fuzz::inputs;
use crate::fuzz::reads;
use crate::fuzz::support;

use cluster::*;
use common::*;
use either::Either;
use inputs::*;
use kobj_core::CustomObjects;
use kube_core::DynamicObject;
use kube_core::params::{DeleteParams, GetParams, ListParams, Patch, PatchParams, PostParams};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use reads::*;
use serde_json::{Value, json};
use support::*;

// ---------------------------------------------------------------------------------------
// Delete
// ---------------------------------------------------------------------------------------

fn fill_preconditions(dp: &mut DeleteParams, target: Option<&DynamicObject>) {
    let uid = target
        .and_then(|o| o.metadata.uid.clone())
        .unwrap_or_else(|| "no-uid".into());
    let rv = target
        .and_then(|o| o.metadata.resource_version.clone())
        .unwrap_or_else(|| "1".into());
    if let Some(p) = dp.preconditions.as_mut() {
        for field in [&mut p.uid, &mut p.resource_version] {
            match field.as_deref() {
                Some(TARGET_UID) => *field = Some(uid.clone()),
                Some(TARGET_RV) => *field = Some(rv.clone()),
                _ => {}
            }
        }
    }
}

async fn delete_case(
    k: Kind,
    ns: Option<String>,
    name: String,
    mut dp: DeleteParams,
) -> Result<(), TestCaseError> {
    let c = seeded().await;
    let ns = ns.as_deref();
    let target = c
        .get_object(&k.resource(), ns, &name, &GetParams::default())
        .await
        .ok();
    fill_preconditions(&mut dp, target.as_ref());
    let before = c.dump_yaml().unwrap();
    let result = c.delete_object(&k.resource(), ns, &name, &dp).await;
    let mismatch = target.as_ref().is_some_and(|t| {
        let pre = dp.preconditions.clone().unwrap_or_default();
        pre.uid
            .as_ref()
            .is_some_and(|u| !u.is_empty() && Some(u) != t.metadata.uid.as_ref())
            || pre
                .resource_version
                .as_ref()
                .is_some_and(|r| !r.is_empty() && Some(r) != t.metadata.resource_version.as_ref())
    });
    match result {
        Err(e) => check_refused(&c, &e, &before)?,
        Ok(done) => {
            prop_assert!(
                !mismatch,
                "a delete with failing preconditions succeeded: {dp:?}"
            );
            prop_assert!(target.is_some(), "deleted {name}, which did not exist");
            if dp.dry_run {
                check_unchanged(&c, &before, "a dry-run delete")?;
            } else {
                let after = c
                    .get_object(&k.resource(), ns, &name, &GetParams::default())
                    .await;
                match (&done, after) {
                    (_, Err(e)) => prop_assert!(e.is_not_found(), "{e}"),
                    (Either::Left(_), Ok(o)) => prop_assert!(
                        o.metadata.deletion_timestamp.is_some(),
                        "a delete left {name} unmarked"
                    ),
                    (Either::Right(s), Ok(_)) => {
                        prop_assert!(false, "a success Status ({s:?}) for an object still there")
                    }
                }
            }
        }
    }
    Ok(())
}

async fn delete_collection_case(
    k: Kind,
    ns: Option<String>,
    sel: Either<Selectors, (Option<String>, Option<String>)>,
    limit: Option<u32>,
    mut dp: DeleteParams,
) -> Result<(), TestCaseError> {
    let c = seeded().await;
    let ns = ns.as_deref();
    fill_preconditions(&mut dp, None);
    let full = full_list(&c, k, ns.filter(|_| k.namespaced())).await;
    let lp = match &sel {
        Either::Left(s) => ListParams {
            label_selector: s.label_selector(),
            field_selector: s.field_selector(),
            limit,
            ..ListParams::default()
        },
        Either::Right((labels, fields)) => ListParams {
            label_selector: labels.clone(),
            field_selector: fields.clone(),
            limit,
            ..ListParams::default()
        },
    };
    let before = c.dump_yaml().unwrap();
    match c.delete_collection(&k.resource(), ns, &dp, &lp).await {
        Err(e) => check_refused(&c, &e, &before)?,
        Ok(Either::Right(s)) => prop_assert!(false, "a Status from deletecollection: {s:?}"),
        Ok(Either::Left(list)) => {
            let names: Vec<_> = list
                .items
                .iter()
                .map(|o| key_of(&serde_json::to_value(o).unwrap()))
                .collect();
            if let Either::Left(s) = &sel {
                let expected: Vec<_> = full.iter().filter(|o| s.matches(o)).map(key_of).collect();
                prop_assert_eq!(&names, &expected, "limit {:?}", limit);
            }
            if dp.dry_run {
                check_unchanged(&c, &before, "a dry-run deletecollection")?;
            } else {
                for (item_ns, name) in &names {
                    let item_ns = Some(item_ns.as_str()).filter(|n| !n.is_empty());
                    if let Ok(o) = c
                        .get_object(&k.resource(), item_ns, name, &GetParams::default())
                        .await
                    {
                        prop_assert!(
                            o.metadata.deletion_timestamp.is_some(),
                            "deletecollection left {name} unmarked"
                        );
                    }
                }
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Status and scale subresources
// ---------------------------------------------------------------------------------------

/// A body near an autoscaling/v1 Scale of the widget `a`.
fn scale_body() -> impl Strategy<Value = Value> {
    (
        type_field("autoscaling/v1"),
        type_field("Scale"),
        metadata(same_name("a")),
        prop_oneof![
            3 => leaf().prop_map(|r| json!({"replicas": r})),
            1 => junk(),
        ],
        prop_oneof![3 => Just(None), 1 => junk().prop_map(Some)],
    )
        .prop_map(|(api_version, kind, metadata, spec, status)| {
            let mut m = serde_json::Map::new();
            if !api_version.is_null() {
                m.insert("apiVersion".into(), api_version);
            }
            if !kind.is_null() {
                m.insert("kind".into(), kind);
            }
            m.insert("metadata".into(), metadata);
            m.insert("spec".into(), spec);
            if let Some(status) = status {
                m.insert("status".into(), status);
            }
            Value::Object(m)
        })
}

#[derive(Clone, Debug)]
enum SubInput {
    StatusPatch(PatchInput),
    StatusReplace(Value),
    ScalePatch(PatchInput),
    ScaleReplace(Value),
}

fn sub_input() -> impl Strategy<Value = SubInput> {
    let widget_patch = patch_case().prop_map(|(_, p)| p).boxed();
    prop_oneof![
        widget_patch.clone().prop_map(SubInput::StatusPatch),
        body("example.com/v1", "Widget", same_name("a")).prop_map(SubInput::StatusReplace),
        prop_oneof![
            2 => widget_patch,
            2 => scale_body().prop_map(PatchInput::Merge),
        ]
        .prop_map(SubInput::ScalePatch),
        scale_body().prop_map(SubInput::ScaleReplace),
    ]
}

/// Replaces the stand-ins of `fuzz/inputs.rs` for the current resourceVersion and uid.
fn fill_in(v: &mut Value, rv: &str, uid: &str) {
    match v {
        Value::String(s) if s == CURRENT_RV => *s = rv.to_owned(),
        Value::String(s) if s == CURRENT_UID => *s = uid.to_owned(),
        Value::Array(items) => items.iter_mut().for_each(|i| fill_in(i, rv, uid)),
        Value::Object(m) => m.values_mut().for_each(|i| fill_in(i, rv, uid)),
        _ => {}
    }
}

fn to_patch(
    input: PatchInput,
    rv: &str,
    uid: &str,
    params: &mut PatchParams,
) -> Result<Patch<Value>, TestCaseError> {
    Ok(match input {
        PatchInput::Merge(mut v) => {
            fill_in(&mut v, rv, uid);
            Patch::Merge(v)
        }
        PatchInput::Json(mut ops) => {
            ops.iter_mut().for_each(|op| fill_in(op, rv, uid));
            let ops = serde_json::from_value(Value::Array(ops));
            prop_assume!(ops.is_ok(), "not a JSON Patch");
            Patch::Json(ops.unwrap())
        }
        PatchInput::Strategic(mut v) => {
            fill_in(&mut v, rv, uid);
            Patch::Strategic(v)
        }
        PatchInput::Apply { mut body, force } => {
            fill_in(&mut body, rv, uid);
            params.field_manager = Some("fuzz".into());
            params.force = force;
            Patch::Apply(body)
        }
    })
}

async fn sub_case(input: SubInput, name: String) -> Result<(), TestCaseError> {
    let c = seeded().await;
    let old = c
        .get_object(&widgets(), Some("default"), &name, &GetParams::default())
        .await
        .ok();
    let rv = old
        .as_ref()
        .and_then(|o| o.metadata.resource_version.clone())
        .unwrap_or_else(|| "1".into());
    let uid = old
        .as_ref()
        .and_then(|o| o.metadata.uid.clone())
        .unwrap_or_else(|| "no-uid".into());
    let mut params = PatchParams::default();
    let before = c.dump_yaml().unwrap();
    let ns = Some("default");
    let w = widgets();
    let result: kobj_core::Result<()> = match input {
        SubInput::StatusPatch(p) => {
            let patch = to_patch(p, &rv, &uid, &mut params)?;
            c.patch_object_status(&w, ns, &name, &patch, &params)
                .await
                .map(|_| ())
        }
        SubInput::StatusReplace(mut v) => {
            fill_in(&mut v, &rv, &uid);
            let o = serde_json::from_value::<DynamicObject>(v);
            prop_assume!(o.is_ok(), "not a DynamicObject");
            c.replace_object_status(&w, ns, &name, &o.unwrap(), &PostParams::default())
                .await
                .map(|_| ())
        }
        SubInput::ScalePatch(p) => {
            let patch = to_patch(p, &rv, &uid, &mut params)?;
            c.patch_scale(&w, ns, &name, &patch, &params)
                .await
                .map(|_| ())
        }
        SubInput::ScaleReplace(mut v) => {
            fill_in(&mut v, &rv, &uid);
            let s = serde_json::from_value::<k8s_openapi::api::autoscaling::v1::Scale>(v);
            prop_assume!(s.is_ok(), "not a Scale");
            c.replace_scale(&w, ns, &name, &s.unwrap(), &PostParams::default())
                .await
                .map(|_| ())
        }
    };
    match result {
        Err(e) => check_refused(&c, &e, &before)?,
        Ok(()) => {
            let Some(old) = old else {
                prop_assert!(false, "a subresource write to {name}, which does not exist");
                return Ok(());
            };
            let new = c
                .get_object(&w, ns, &name, &GetParams::default())
                .await
                .unwrap();
            prop_assert_eq!(new.metadata.uid.as_deref(), Some(uid.as_str()));
            prop_assert_eq!(&new.metadata.labels, &old.metadata.labels);
            // Through a subresource, only status or spec.replicas may change.
            let strip = |o: &DynamicObject| {
                let mut v = serde_json::to_value(o).unwrap();
                v["metadata"] = json!({});
                v.as_object_mut().unwrap().remove("status");
                v["spec"].as_object_mut().map(|s| s.remove("replicas"));
                v
            };
            prop_assert_eq!(strip(&new), strip(&old));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(16))]

    /// Deletes with arbitrary options: a refused delete changes nothing, a failing
    /// precondition is refused, a dry run changes nothing, a delete removes or marks.
    #[test]
    fn delete_with_any_options_deletes_or_refuses_cleanly(
        k in kind(),
        ns in namespace(),
        name in read_name(),
        dp in delete_params(),
    ) {
        block_on(delete_case(k, ns, name, dp))?;
    }

    /// Deletecollections with arbitrary options and selectors: the items returned are the
    /// ones a client filter selects, and a refusal changes nothing.
    #[test]
    fn delete_collection_with_any_options_deletes_or_refuses_cleanly(
        (k, sel) in kind().prop_flat_map(|k| {
            let sel = prop_oneof![
                selectors(matches!(k, Kind::Widgets)).prop_map(Either::Left),
                (any_selector(), any_selector()).prop_map(Either::Right),
            ];
            (Just(k), sel)
        }),
        ns in namespace(),
        limit in limit(),
        dp in delete_params(),
    ) {
        prop_assume!(
            k.namespaced()
                || !matches!(&sel, Either::Left(s) if s.fields.iter().any(|f| f.field == "metadata.namespace"))
        );
        block_on(delete_collection_case(k, ns, sel, limit, dp))?;
    }
}

/// Patches and replaces of the status and scale subresources of the widget `a` (or a random
/// name): a refusal changes nothing; a success changes only status or spec.replicas. The
/// strategy nests the patch generators of `fuzz/inputs.rs` one level deeper than their own
/// properties do, and building its value tree in a debug build needs more than a test
/// thread's 2 MiB of stack, so the runner runs on a thread of its own.
#[test]
fn subresource_writes_change_only_their_part_or_refuse() {
    std::thread::Builder::new()
        .stack_size(16 << 20)
        .spawn(|| {
            let mut runner = proptest::test_runner::TestRunner::new(config(16));
            let inputs = (
                sub_input(),
                prop_oneof![6 => Just("a".to_owned()), 1 => read_name()],
            );
            if let Err(e) = runner.run(&inputs, |(input, name)| block_on(sub_case(input, name))) {
                panic!("{e}");
            }
        })
        .unwrap()
        .join()
        .unwrap();
}
