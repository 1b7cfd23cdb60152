//! Property tests for bad input: every malformed create, patch or replace gets a
//! Kubernetes-shaped error (an API `Status` with a 4xx or 5xx code), never a panic, and an
//! error leaves the stored state (`dump_yaml`) exactly as it was. A patch or replace that
//! succeeds keeps the object's name, namespace and uid, and what it returns is what a
//! later get reads.
//!
//! The inputs are generated JSON biased toward objects near a valid one: the right or a
//! wrong `apiVersion`/`kind`, metadata fields with odd values, labels with odd keys,
//! random extra fields, JSON Patch operations on paths that do and do not exist. Each case
//! runs on a fresh cluster, so a failure shrinks to a small input that replays alone.

use crate::common;
use crate::fuzz::inputs;
use crate::fuzz::support;

use common::*;
use inputs::*;
use kobj_core::{CustomObjects, ResourceType};
use kobj_fake::FakeCluster;
use kube_core::DynamicObject;
use kube_core::params::{GetParams, Patch, PatchParams, PostParams};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};
use support::*;

// ---------------------------------------------------------------------------------------
// Running a case
// ---------------------------------------------------------------------------------------
/// A cluster holding the widget `a` (labels, finalizer-free, with a spec) and the
/// ConfigMap `cm`, both in `default`.
async fn seeded() -> FakeCluster {
    let c = cluster().await;
    let pp = PostParams::default();
    c.create_object(
        &widgets(),
        Some("default"),
        &obj(json!({
            "apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": "a", "labels": {"a": "1"}, "annotations": {"x": "y"}},
            "spec": {"color": "red", "replicas": 2, "note": "n"}
        })),
        &pp,
    )
    .await
    .unwrap();
    c.create_object(
        &configmaps_by_gvk(),
        Some("default"),
        &obj(json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "cm", "labels": {"a": "1"}},
            "data": {"k": "v"}
        })),
        &pp,
    )
    .await
    .unwrap();
    c
}

/// Replaces the stand-ins for the current resourceVersion and uid, anywhere in `v`.
fn fill_in(v: &mut Value, rv: &str, uid: &str) {
    match v {
        Value::String(s) if s == CURRENT_RV => *s = rv.to_owned(),
        Value::String(s) if s == CURRENT_UID => *s = uid.to_owned(),
        Value::Array(items) => items.iter_mut().for_each(|i| fill_in(i, rv, uid)),
        Value::Object(m) => m.values_mut().for_each(|i| fill_in(i, rv, uid)),
        _ => {}
    }
}

/// The object a body decodes to; the case is skipped when it does not decode (the server
/// only ever sees a `DynamicObject`).
fn decode(v: &Value) -> Result<DynamicObject, TestCaseError> {
    let decoded = serde_json::from_value::<DynamicObject>(v.clone());
    prop_assume!(decoded.is_ok(), "not a DynamicObject");
    Ok(decoded.unwrap())
}

/// After a successful write to an existing object: the identity is kept and a get reads what
/// the write returned.
async fn check_written(
    c: &FakeCluster,
    t: Target,
    uid: &str,
    written: &DynamicObject,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(written.metadata.name.as_deref(), Some(t.name()));
    prop_assert_eq!(written.metadata.namespace.as_deref(), Some("default"));
    prop_assert_eq!(written.metadata.uid.as_deref(), Some(uid));
    prop_assert_eq!(&read_target(c, t).await, written);
    Ok(())
}

/// The target object as stored now.
async fn read_target(c: &FakeCluster, t: Target) -> DynamicObject {
    c.get_object(
        &t.resource(),
        Some("default"),
        t.name(),
        &GetParams::default(),
    )
    .await
    .unwrap()
}

async fn identity(c: &FakeCluster, t: Target) -> (String, String) {
    let o = read_target(c, t).await;
    (
        o.metadata.resource_version.unwrap(),
        o.metadata.uid.unwrap(),
    )
}

async fn create_case(
    resource: ResourceType,
    mut v: Value,
    dry_run: bool,
) -> Result<(), TestCaseError> {
    let c = seeded().await;
    // The stand-ins name the widget's current values: a create must refuse them too.
    let (rv, uid) = identity(&c, Target::Widget).await;
    fill_in(&mut v, &rv, &uid);
    let object = decode(&v)?;
    let before = c.dump_yaml().unwrap();
    let params = PostParams {
        dry_run,
        ..PostParams::default()
    };
    match c
        .create_object(&resource, Some("default"), &object, &params)
        .await
    {
        Err(e) => check_refused(&c, &e, &before)?,
        Ok(created) => {
            let name = created.metadata.name.clone().unwrap_or_default();
            prop_assert!(!name.is_empty(), "created without a name: {created:?}");
            prop_assert_eq!(created.metadata.namespace.as_deref(), Some("default"));
            prop_assert_ne!(created.metadata.uid.as_deref(), Some(uid.as_str()));
            let read = c
                .get_object(&resource, Some("default"), &name, &GetParams::default())
                .await;
            if dry_run {
                prop_assert!(read.is_err(), "a dry-run create stored {name}");
                prop_assert_eq!(c.dump_yaml().unwrap(), before);
            } else {
                prop_assert_eq!(read.unwrap(), created);
            }
        }
    }
    Ok(())
}

async fn patch_case_run(t: Target, input: PatchInput) -> Result<(), TestCaseError> {
    let c = seeded().await;
    let (rv, uid) = identity(&c, t).await;
    let mut params = PatchParams::default();
    let patch = match input {
        PatchInput::Merge(mut v) => {
            fill_in(&mut v, &rv, &uid);
            Patch::Merge(v)
        }
        PatchInput::Json(mut ops) => {
            ops.iter_mut().for_each(|op| fill_in(op, &rv, &uid));
            let ops = serde_json::from_value(Value::Array(ops));
            prop_assume!(ops.is_ok(), "not a JSON Patch");
            Patch::Json(ops.unwrap())
        }
        PatchInput::Strategic(mut v) => {
            fill_in(&mut v, &rv, &uid);
            Patch::Strategic(v)
        }
        PatchInput::Apply { mut body, force } => {
            fill_in(&mut body, &rv, &uid);
            params.field_manager = Some("fuzz".into());
            params.force = force;
            Patch::Apply(body)
        }
    };
    let before = c.dump_yaml().unwrap();
    match c
        .patch_object(&t.resource(), Some("default"), t.name(), &patch, &params)
        .await
    {
        Err(e) => check_refused(&c, &e, &before)?,
        Ok(patched) => check_written(&c, t, &uid, &patched).await?,
    }
    Ok(())
}

async fn replace_case_run(t: Target, mut v: Value) -> Result<(), TestCaseError> {
    let c = seeded().await;
    let (rv, uid) = identity(&c, t).await;
    fill_in(&mut v, &rv, &uid);
    let object = decode(&v)?;
    let before = c.dump_yaml().unwrap();
    match c
        .replace_object(
            &t.resource(),
            Some("default"),
            t.name(),
            &object,
            &PostParams::default(),
        )
        .await
    {
        Err(e) => check_refused(&c, &e, &before)?,
        Ok(replaced) => check_written(&c, t, &uid, &replaced).await?,
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

proptest! {
    // About a third of the generated bodies do not decode as a DynamicObject and are
    // skipped.
    #![proptest_config(config(16))]

    /// Creates of widgets (a schema with an enum, integers, a status subresource) from
    /// bodies near a valid widget.
    #[test]
    fn create_widget_errs_or_succeeds_cleanly(
        v in body("example.com/v1", "Widget", create_name()),
        dry_run in prop::bool::weighted(0.2),
    ) {
        block_on(create_case(widgets(), v, dry_run))?;
    }

    /// Creates of ConfigMaps (a built-in type: `data` must map strings to strings) from
    /// bodies near a valid ConfigMap.
    #[test]
    fn create_configmap_errs_or_succeeds_cleanly(
        v in body("v1", "ConfigMap", create_name()),
        dry_run in prop::bool::weighted(0.2),
    ) {
        block_on(create_case(configmaps_by_gvk(), v, dry_run))?;
    }

    /// Merge, JSON, strategic-merge and apply patches of the widget `a` or the ConfigMap
    /// `cm`.
    #[test]
    fn patch_errs_or_keeps_identity((t, input) in patch_case()) {
        block_on(patch_case_run(t, input))?;
    }

    /// Replaces of the widget `a` or the ConfigMap `cm` with bodies near a valid one:
    /// random resourceVersions (often the current one), uids, namespaces and metadata.
    #[test]
    fn replace_errs_or_keeps_identity(
        (t, v) in target().prop_flat_map(|t| {
            let body = match t {
                Target::Widget => body("example.com/v1", "Widget", same_name("a")).boxed(),
                Target::ConfigMap => body("v1", "ConfigMap", same_name("cm")).boxed(),
            };
            (Just(t), body)
        }),
    ) {
        block_on(replace_case_run(t, v))?;
    }
}

// ---------------------------------------------------------------------------------------
// Regressions: the inputs the properties found
// ---------------------------------------------------------------------------------------

/// The JSON Patch the patch property shrank a panic to: a `move` to the root and then a
/// failing operation. `json_patch::patch` panicked undoing the first ("unable to undo
/// applied patches"); the server now applies to its copy without undo, and refuses.
#[tokio::test]
async fn json_patch_moving_to_the_root_then_failing_is_refused_not_a_panic() {
    let c = seeded().await;
    let before = c.dump_yaml().unwrap();
    let ops = json!([
        {"op": "move", "from": "/apiVersion", "path": ""},
        {"op": "add", "path": "/", "value": null}
    ]);
    let patch = Patch::Json(serde_json::from_value(ops).unwrap());
    let e = c
        .patch_object(
            &widgets(),
            Some("default"),
            "a",
            &patch,
            &PatchParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(422), "{e}");
    assert_eq!(
        message(&e),
        "the server rejected our request due to an error in our request"
    );
    // The scale subresource patched the same way.
    let e = c
        .patch_scale(
            &widgets(),
            Some("default"),
            "a",
            &patch,
            &PatchParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(422), "{e}");
    assert_eq!(c.dump_yaml().unwrap(), before);
}

/// The patch the patch property shrank a corrupted store to: a label given a list. It was
/// stored, and then every read of the object, and the dump, failed with a 500 ("stored
/// metadata does not decode"). The patched object must decode, as the apiserver decodes it
/// before anything else: 422 on `patch` (400 for apply), nothing stored.
#[tokio::test]
async fn patch_giving_metadata_a_wrong_type_is_refused_and_stores_nothing() {
    let c = seeded().await;
    let before = c.dump_yaml().unwrap();
    let pp = PatchParams::default();
    let e = c
        .patch_object(
            &widgets(),
            Some("default"),
            "a",
            &Patch::Json(
                serde_json::from_value(
                    json!([{"op": "replace", "path": "/metadata/labels/a", "value": []}]),
                )
                .unwrap(),
            ),
            &pp,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(422), "{e}");
    let m = message(&e);
    assert!(
        m.starts_with(" \"\" is invalid: patch: Invalid value: \"{"),
        "{m}"
    );
    assert!(
        m.ends_with("\": invalid type: sequence, expected a string"),
        "{m}"
    );
    assert_eq!(
        status(&e).details.as_ref().unwrap().causes[0].field,
        "patch"
    );
    // Merge patch, on a built-in type.
    let e = c
        .patch_object(
            &configmaps_by_gvk(),
            Some("default"),
            "cm",
            &Patch::Merge(json!({"metadata": {"finalizers": "x"}})),
            &pp,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(422), "{e}");
    // Strategic merge: the bad value is the patch as Go prints it; a built-in kind's error is
    // its Go decoder's.
    let e = c
        .patch_object(
            &configmaps_by_gvk(),
            Some("default"),
            "cm",
            &Patch::Strategic(json!({"metadata": {"labels": {"a": []}}})),
            &pp,
        )
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        " \"\" is invalid: patch: Invalid value: \"map[metadata:map[labels:map[a:[]]]]\": json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type string"
    );
    // Apply, updating and creating.
    let apply = PatchParams::apply("fuzz");
    for name in ["a", "new"] {
        let body = json!({
            "apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": name, "ownerReferences": [{"name": 1}]}
        });
        let e = c
            .patch_object(
                &widgets(),
                Some("default"),
                name,
                &Patch::Apply(body),
                &apply,
            )
            .await
            .unwrap_err();
        // structured-merge-diff cannot type the configuration (the owner reference lacks its
        // `uid` key): its error, passed on unwrapped, is a 500.
        assert_eq!(e.code(), Some(500), "{e}");
        assert!(
            message(&e).starts_with(&format!(
                "failed to create typed patch object (/{name}; example.com/v1, Kind=Widget): .metadata.ownerReferences"
            )),
            "{e}"
        );
    }
    assert_eq!(c.dump_yaml().unwrap(), before);
    let a = c
        .get_object(&widgets(), Some("default"), "a", &GetParams::default())
        .await
        .unwrap();
    assert_eq!(a.metadata.labels.unwrap()["a"], "1");
}
