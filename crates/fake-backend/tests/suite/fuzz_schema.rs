//! Property tests for CRD schemas: a CustomResourceDefinition with a random JSONSchemaProps
//! tree (valid and invalid keyword combinations, CEL rules, CRD-level junk) installs cleanly
//! (Established, its objects reachable) or is refused with a 4xx `Status` and the state
//! unchanged, never a panic. For the CRDs that install, random objects near the schema's
//! shape are created, replaced and merge-patched: an error is a 4xx `Status` with the state
//! unchanged; a success is what a later get reads, writing it back unchanged is a no-op
//! (same resourceVersion, rule 14), and pruning and defaulting are idempotent (the stored
//! content, created again under another name, stores the same).
//!
//! The generators are in `fuzz/schemas.rs`. Each case runs on a fresh cluster, so a failure
//! shrinks to a small input that replays alone.

use crate::common;
use crate::fuzz::crds;
use crate::fuzz::schemas;
use crate::fuzz::support;

use common::*;
use crds::*;
use kobj_core::{ApiResource, CustomObjects, ResourceType};
use kobj_fake::{FakeCluster, crd_type};
use kube_core::params::{GetParams, ListParams, Patch, PatchParams, PostParams};
use kube_core::{DynamicObject, GroupVersionKind};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use schemas::*;
use serde_json::{Value, json};
use support::*;

// ---------------------------------------------------------------------------------------
// Running a case
// ---------------------------------------------------------------------------------------
fn things(namespaced: bool) -> ResourceType {
    let api =
        ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(GROUP, VERSION, KIND), PLURAL);
    if namespaced {
        ResourceType::namespaced(api)
    } else {
        ResourceType::cluster(api)
    }
}

fn ns(namespaced: bool) -> Option<&'static str> {
    namespaced.then_some("default")
}

/// The object a body decodes to; the case is skipped when it does not decode (the server
/// only ever sees a `DynamicObject`).
fn decode(v: &Value) -> Result<DynamicObject, TestCaseError> {
    let decoded = serde_json::from_value::<DynamicObject>(v.clone());
    prop_assume!(decoded.is_ok(), "not a DynamicObject");
    Ok(decoded.unwrap())
}

/// Installs the CRD through the traits, as kubectl does. `Ok(true)` when it installed (and
/// is Established), `Ok(false)` when it was refused cleanly.
async fn install(c: &FakeCluster, body: &Value) -> Result<bool, TestCaseError> {
    let before = c.dump_yaml().unwrap();
    let crd = decode(body)?;
    match c
        .create_object(&crd_type(), None, &crd, &PostParams::default())
        .await
    {
        Err(e) => {
            check_refused_4xx(c, &e, &before)?;
            Ok(false)
        }
        Ok(created) => {
            // The create answers with the strategy's status; the server's controllers
            // establish the CRD right after (synchronously in the fake), so read it back.
            prop_assert!(
                created.data["status"]["conditions"].is_null(),
                "the create's answer already has conditions: {}",
                created.data["status"]
            );
            let name = created.metadata.name.clone().unwrap_or_default();
            let stored = c
                .get_object(&crd_type(), None, &name, &Default::default())
                .await
                .map_err(|e| TestCaseError::fail(format!("get the installed CRD: {e}")))?;
            let conditions = stored.data["status"]["conditions"].clone();
            let established = conditions.as_array().is_some_and(|cs| {
                cs.iter()
                    .any(|c| c["type"] == "Established" && c["status"] == "True")
            });
            prop_assert!(established, "installed but not Established: {conditions}");
            Ok(true)
        }
    }
}

/// Whether the CRD has a transition rule (a CEL rule naming `oldSelf`).
fn transition(body: &Value) -> bool {
    body.to_string().contains("oldSelf")
}

/// The object without the metadata the server owns, for comparing stored content.
fn content(o: &DynamicObject) -> Value {
    let mut v = serde_json::to_value(o).unwrap();
    v.as_object_mut().unwrap().remove("metadata");
    v
}

/// After a successful write: a get reads what the write returned; writing it back unchanged
/// keeps the resourceVersion and the content; created again under another name, the content
/// stores the same (pruning and defaulting are idempotent).
///
/// With a transition rule (one naming `oldSelf`) the write back may be refused: such rules
/// run only on updates, and their errors are not ratcheted away for unchanged values, on a
/// real server either.
async fn check_written(
    c: &FakeCluster,
    namespaced: bool,
    transition: bool,
    written: &DynamicObject,
) -> Result<(), TestCaseError> {
    let t = things(namespaced);
    let name = written.metadata.name.clone().unwrap();
    let read = c
        .get_object(&t, ns(namespaced), &name, &GetParams::default())
        .await
        .unwrap();
    prop_assert_eq!(&read, written);

    let before = c.dump_yaml().unwrap();
    match c
        .replace_object(&t, ns(namespaced), &name, written, &PostParams::default())
        .await
    {
        Err(e) if transition && e.code() == Some(422) => check_refused_4xx(c, &e, &before)?,
        Err(e) => prop_assert!(false, "writing back unchanged failed: {e:?}"),
        Ok(again) => {
            prop_assert_eq!(
                &again.metadata.resource_version,
                &written.metadata.resource_version,
                "a no-op write got a new resourceVersion"
            );
            prop_assert_eq!(&again, written);
        }
    }

    let mut copy = written.clone();
    copy.metadata = Default::default();
    copy.metadata.name = Some("copy".into());
    let before = c.dump_yaml().unwrap();
    match c
        .create_object(&t, ns(namespaced), &copy, &PostParams::default())
        .await
    {
        Err(e) => {
            // Only a rule on oldSelf-free content could refuse what it accepted: none does.
            check_refused_4xx(c, &e, &before)?;
            prop_assert!(false, "the stored content, created again, was refused: {e}");
        }
        Ok(created) => {
            prop_assert_eq!(content(&created), content(written));
            c.delete_object(&t, ns(namespaced), "copy", &Default::default())
                .await
                .unwrap();
        }
    }
    Ok(())
}

/// What a write of `object` does.
enum Write {
    Create(Value),
    Replace(Value),
    Merge(Value),
    Apply(Value),
}

async fn write(
    c: &FakeCluster,
    namespaced: bool,
    transition: bool,
    w: Write,
    rv: Option<String>,
) -> Result<Option<DynamicObject>, TestCaseError> {
    let t = things(namespaced);
    let before = c.dump_yaml().unwrap();
    let result = match w {
        Write::Create(v) => {
            let o = decode(&v)?;
            c.create_object(&t, ns(namespaced), &o, &PostParams::default())
                .await
        }
        Write::Replace(v) => {
            let mut o = decode(&v)?;
            o.metadata.resource_version = rv;
            c.replace_object(&t, ns(namespaced), "o", &o, &PostParams::default())
                .await
        }
        Write::Apply(v) => {
            c.patch_object(
                &t,
                ns(namespaced),
                "o",
                &Patch::Apply(v),
                &PatchParams::apply("fuzz").force(),
            )
            .await
        }
        Write::Merge(v) => {
            c.patch_object(
                &t,
                ns(namespaced),
                "o",
                &Patch::Merge(v),
                &PatchParams::default(),
            )
            .await
        }
    };
    match result {
        Err(e) => {
            check_refused_4xx(c, &e, &before)?;
            Ok(None)
        }
        Ok(o) => {
            check_written(c, namespaced, transition, &o).await?;
            Ok(Some(o))
        }
    }
}

async fn crd_case(body: Value, namespaced: bool) -> Result<(), TestCaseError> {
    let c = FakeCluster::builder().build().unwrap();
    if !install(&c, &body).await? {
        return Ok(());
    }
    // Its objects are served: a minimal one is created or refused as invalid, never 404.
    let o = obj(json!({
        "apiVersion": format!("{GROUP}/{VERSION}"), "kind": KIND, "metadata": {"name": "o"}
    }));
    let before = c.dump_yaml().unwrap();
    match c
        .create_object(
            &things(namespaced),
            ns(namespaced),
            &o,
            &PostParams::default(),
        )
        .await
    {
        Err(e) => {
            prop_assert_eq!(e.code(), Some(422), "{}", e);
            check_refused_4xx(&c, &e, &before)?;
        }
        Ok(created) => check_written(&c, namespaced, transition(&body), &created).await?,
    }
    Ok(())
}

async fn object_case(
    body: Value,
    namespaced: bool,
    create: Value,
    replace: Value,
    merge: Value,
    status_patch: Value,
    replicas: Value,
) -> Result<(), TestCaseError> {
    let c = FakeCluster::builder().build().unwrap();
    prop_assume!(install(&c, &body).await?, "the CRD does not install");
    let transition = transition(&body);
    let created = write(&c, namespaced, transition, Write::Create(create), None).await?;
    let rv = created.and_then(|o| o.metadata.resource_version);
    let exists = rv.is_some();
    let replaced = write(
        &c,
        namespaced,
        transition,
        Write::Replace(replace.clone()),
        rv.clone(),
    )
    .await?;
    prop_assert!(exists || replaced.is_none(), "replace created an object");
    let patched = write(&c, namespaced, transition, Write::Merge(merge), None).await?;
    prop_assert!(exists || patched.is_none(), "merge patch created an object");
    // Server-side apply of the replace body (it creates the object when there is none).
    write(&c, namespaced, transition, Write::Apply(replace), None).await?;
    subresources(&c, namespaced, status_patch, replicas).await
}

/// The status and scale subresources and field selectors on the selectable fields: a
/// result or a 4xx with the state unchanged.
async fn subresources(
    c: &FakeCluster,
    namespaced: bool,
    status_patch: Value,
    replicas: Value,
) -> Result<(), TestCaseError> {
    let t = things(namespaced);
    let refused = |r: Result<(), kobj_core::Error>, before: String| match r {
        Ok(()) => Ok(()),
        Err(e) => check_refused_4xx(c, &e, &before),
    };
    let before = c.dump_yaml().unwrap();
    let r = c.get_scale(&t, ns(namespaced), "o").await.map(drop);
    refused(r, before)?;
    let before = c.dump_yaml().unwrap();
    let r = c
        .patch_scale(
            &t,
            ns(namespaced),
            "o",
            &Patch::Merge(json!({"spec": {"replicas": replicas}})),
            &PatchParams::default(),
        )
        .await
        .map(drop);
    refused(r, before)?;
    let before = c.dump_yaml().unwrap();
    let r = c
        .patch_object_status(
            &t,
            ns(namespaced),
            "o",
            &Patch::Merge(json!({ "status": status_patch })),
            &PatchParams::default(),
        )
        .await;
    match r {
        Ok(o) => {
            let read = c
                .get_object(&t, ns(namespaced), "o", &GetParams::default())
                .await
                .unwrap();
            prop_assert_eq!(read, o);
        }
        Err(e) => check_refused_4xx(c, &e, &before)?,
    }
    for selector in ["spec.a=x", "status.a!=1", "spec=", "metadata.name=o"] {
        let before = c.dump_yaml().unwrap();
        let r = c
            .list_objects(&t, ns(namespaced), &ListParams::default().fields(selector))
            .await
            .map(drop);
        refused(r, before)?;
    }
    Ok(())
}

/// A CRD that installs, with the objects to write: (body, namespaced, create, replace,
/// merge patch).
#[allow(clippy::type_complexity)]
fn crd_with_objects() -> impl Strategy<Value = (Value, bool, Value, Value, Value, Value, Value)> {
    (root_schema(), prop::bool::weighted(0.7), version_extras()).prop_flat_map(
        |(schema, namespaced, extras)| {
            (
                Just(with_extras(
                    crd_body(&schema, namespaced, Junk::None),
                    extras,
                )),
                Just(namespaced),
                object_near(&schema),
                object_near(&schema),
                merge_patch_near(&schema),
                merge_patch_near(&schema),
                odd_number(),
            )
        },
    )
}

/// A CRD that installs with an object, then replaced by a random CRD of the same name: the
/// replace succeeds or gets a 4xx with the state unchanged, and the stored object stays
/// readable (defaulting and pruning run on reads with the new schema) and listable.
async fn crd_update_case(
    first: Value,
    namespaced: bool,
    object: Value,
    second: Value,
) -> Result<(), TestCaseError> {
    let c = FakeCluster::builder().build().unwrap();
    prop_assume!(install(&c, &first).await?, "the CRD does not install");
    let t = things(namespaced);
    let created = c
        .create_object(
            &t,
            ns(namespaced),
            &decode(&object)?,
            &PostParams::default(),
        )
        .await
        .is_ok();
    let name = format!("{PLURAL}.{GROUP}");
    let stored = c
        .get_object(&crd_type(), None, &name, &GetParams::default())
        .await
        .unwrap();
    let mut replacement = decode(&second)?;
    replacement.metadata.resource_version = stored.metadata.resource_version.clone();
    let before = c.dump_yaml().unwrap();
    match c
        .replace_object(
            &crd_type(),
            None,
            &name,
            &replacement,
            &PostParams::default(),
        )
        .await
    {
        Err(e) => check_refused_4xx(&c, &e, &before)?,
        Ok(_) => {
            let dump = c.dump_yaml();
            prop_assert!(dump.is_ok(), "the dump failed: {:?}", dump);
        }
    }
    let list = c
        .list_objects(&t, ns(namespaced), &ListParams::default())
        .await;
    if let Err(e) = &list {
        prop_assert!(matches!(e.code(), Some(400..=499)), "list: {e:?}");
    }
    if created {
        let read = c
            .get_object(&t, ns(namespaced), "o", &GetParams::default())
            .await;
        if let Err(e) = &read {
            prop_assert!(matches!(e.code(), Some(400..=499)), "get: {e:?}");
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(64))]

    /// Installing a random CRD succeeds (Established, objects served) or gets a 4xx with
    /// the state unchanged.
    #[test]
    fn crd_installs_or_is_refused_cleanly((body, namespaced) in crd()) {
        block_on(crd_case(body, namespaced))?;
    }

    /// A CRD that installs, with an object, replaced by a random CRD of the same name.
    #[test]
    fn crd_replace_keeps_objects_readable(
        ((first, namespaced, object), (second, _)) in (
            (root_schema(), prop::bool::weighted(0.7)).prop_flat_map(|(schema, namespaced)| {
                (
                    Just(crd_body(&schema, namespaced, Junk::None)),
                    Just(namespaced),
                    object_near(&schema),
                )
            }),
            crd(),
        ),
    ) {
        block_on(crd_update_case(first, namespaced, object, second))?;
    }

    /// Objects near the schema of a CRD that installs: created, replaced, merge-patched.
    #[test]
    fn objects_write_cleanly_and_idempotently(
        (body, namespaced, create, replace, merge, status, replicas) in crd_with_objects(),
    ) {
        block_on(object_case(body, namespaced, create, replace, merge, status, replicas))?;
    }
}

// ---------------------------------------------------------------------------------------
// Regressions: the inputs the properties found
// ---------------------------------------------------------------------------------------

/// The CRD the object property shrank a corrupted store to: a scale subresource whose
/// `specReplicasPath` is `.metadata.labels`. It installed, a scale patch then set the labels
/// to a number, and every read of the object, and the dump, failed with a 500 ("stored
/// metadata does not decode"). The server refuses such paths when the CRD is created
/// (ValidateCustomResourceDefinitionSubresources): 422, nothing stored.
#[tokio::test]
async fn scale_paths_outside_spec_and_status_are_refused() {
    let c = FakeCluster::builder().build().unwrap();
    let before = c.dump_yaml().unwrap();
    let schema = json!({"x-kubernetes-preserve-unknown-fields": true});
    let scale = |spec: &str, status: &str, selector: Option<&str>| {
        let mut scale = json!({"specReplicasPath": spec, "statusReplicasPath": status});
        if let Some(s) = selector {
            scale["labelSelectorPath"] = json!(s);
        }
        let extras = json!({"subresources": {"scale": scale}});
        obj(with_extras(
            crd_body(&schema, false, Junk::None),
            extras.as_object().unwrap().clone(),
        ))
    };
    let e = c
        .create_object(
            &crd_type(),
            None,
            &scale(".metadata.labels", ".status.a", None),
            &PostParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(422), "{e}");
    assert_eq!(
        message(&e),
        "CustomResourceDefinition.apiextensions.k8s.io \"things.example.com\" is invalid: \
         spec.versions[0].subresources.scale.specReplicasPath: Invalid value: \
         \".metadata.labels\": should be a json path under .spec"
    );
    let e = c
        .create_object(
            &crd_type(),
            None,
            &scale("", "status.a", Some(".metadata.name")),
            &PostParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        "CustomResourceDefinition.apiextensions.k8s.io \"things.example.com\" is invalid: [\
         spec.versions[0].subresources.scale.specReplicasPath: Required value, \
         spec.versions[0].subresources.scale.statusReplicasPath: Invalid value: \"status.a\": \
         must be a simple json path starting with ., \
         spec.versions[0].subresources.scale.labelSelectorPath: Invalid value: \
         \".metadata.name\": should be a json path under either .spec or .status]"
    );
    assert_eq!(c.dump_yaml().unwrap(), before);

    // Paths under .spec and .status install, and a scale write sets the spec path.
    c.create_object(
        &crd_type(),
        None,
        &scale(".spec.a", ".status.a", Some(".status.s")),
        &PostParams::default(),
    )
    .await
    .unwrap();
    let t = things(false);
    let o = obj(json!({
        "apiVersion": format!("{GROUP}/{VERSION}"), "kind": KIND,
        "metadata": {"name": "o", "labels": {"l": "v"}}
    }));
    c.create_object(&t, None, &o, &PostParams::default())
        .await
        .unwrap();
    c.patch_scale(
        &t,
        None,
        "o",
        &Patch::Merge(json!({"spec": {"replicas": 3}})),
        &PatchParams::default(),
    )
    .await
    .unwrap();
    let read = c
        .get_object(&t, None, "o", &GetParams::default())
        .await
        .unwrap();
    assert_eq!(read.data["spec"]["a"], 3);
    assert_eq!(read.metadata.labels.unwrap()["l"], "v");
}

/// Patterns Go's `regexp` refuses and the `regex` crate accepted (stacked repetition
/// operators, counts above 1000) installed; braces Go reads as literals (`a{,2}`) were
/// refused. The CRD's pattern is now judged as Go judges it.
#[tokio::test]
async fn patterns_are_judged_as_go_judges_them() {
    let crd = |p: &str| {
        obj(crd_body(
            &json!({"type": "object", "properties": {"spec": {"type": "string", "pattern": p}}}),
            true,
            Junk::None,
        ))
    };
    for (p, detail) in [
        ("x**", "invalid nested repetition operator: `**`"),
        ("a{1001}", "invalid repeat count: `{1001}`"),
    ] {
        let c = FakeCluster::builder().build().unwrap();
        let before = c.dump_yaml().unwrap();
        let e = c
            .create_object(&crd_type(), None, &crd(p), &PostParams::default())
            .await
            .unwrap_err();
        assert_eq!(e.code(), Some(422), "{e}");
        assert_eq!(
            message(&e),
            format!(
                "CustomResourceDefinition.apiextensions.k8s.io \"things.example.com\" is invalid: \
                 spec.versions[0].schema.openAPIV3Schema.properties[spec].pattern: Invalid value: \
                 {p:?}: must be a valid regular expression, but isn't: error parsing regexp: {detail}"
            )
        );
        assert_eq!(c.dump_yaml().unwrap(), before);
    }
    let c = FakeCluster::builder().build().unwrap();
    c.create_object(&crd_type(), None, &crd("^a{,2}$"), &PostParams::default())
        .await
        .unwrap();
    let t = things(true);
    let thing = |s: &str| {
        obj(json!({
            "apiVersion": format!("{GROUP}/{VERSION}"), "kind": KIND,
            "metadata": {"name": "o"}, "spec": s
        }))
    };
    let e = c
        .create_object(&t, Some("default"), &thing("aa"), &PostParams::default())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(422), "{e}");
    c.create_object(&t, Some("default"), &thing("a{,2}"), &PostParams::default())
        .await
        .unwrap();
}

/// A refusal of a CRD or of an object of one is a 4xx (see [`check_refused_with`]).
fn check_refused_4xx(
    c: &FakeCluster,
    e: &kobj_core::Error,
    before: &str,
) -> Result<(), TestCaseError> {
    check_refused_with(c, e, before, 400..=499)
}
