//! Area `crd`: installing, validating, naming, versions and deleting CRDs (rules 44–46, 50, 51).

use kobj_core::wait::condition_is_true;
use kobj_core::{ErrorKind, ResourceType};
use kube_core::DynamicObject;
use kube_core::params::{DeleteParams, GetParams, ListParams};
use serde_json::{Value, json};

use crate::case::{Case, During, Failure, Outcome, case};
use crate::check::*;
use crate::ctx::Ctx;
use crate::fixtures::{self, HOLD, crd_json, crds, realms, simple_version, widgets, widgets_at};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(
            crd_reports_conditions_and_names,
            Crd,
            [45],
            "an installed CRD is NamesAccepted (NoConflicts) and Established (InitialNamesAccepted), with acceptedNames and storedVersions"
        ),
        case!(
            crd_objects_served_after_install,
            Crd,
            [45, 46],
            "a CRD created through the traits serves its resource once Established"
        ),
        case!(
            crd_name_must_be_plural_dot_group,
            Crd,
            [44],
            "a CRD name other than <plural>.<group>: 422 `must be spec.names.plural+\".\"+spec.group`"
        ),
        case!(
            crd_group_needs_a_dot,
            Crd,
            [44],
            "a group without a dot is refused"
        ),
        case!(
            crd_names_must_be_dns_labels,
            Crd,
            [44],
            "plural, singular, kind and listKind must be DNS-1035 labels"
        ),
        case!(
            crd_validation_reports_every_error,
            Crd,
            [44, 4],
            "CRD validation reports metadata and spec errors together, as one aggregate"
        ),
        case!(
            crd_needs_exactly_one_storage_version,
            Crd,
            [44],
            "two storage versions: 422 `must have exactly one version marked as storage version`"
        ),
        case!(
            crd_needs_a_structural_schema,
            Crd,
            [44],
            "a schema without types is refused"
        ),
        case!(
            crd_kind_conflict_not_accepted,
            Crd,
            [45],
            "a second CRD reusing a kind (not its list kind) in the group: NamesAccepted=False, KindConflict, `\"X\" is already in use`, and its resource is not served"
        ),
        case!(
            crd_unserved_version_not_found,
            Crd,
            [50],
            "a version with served=false is not reachable"
        ),
        case!(
            crd_served_versions_share_objects,
            Crd,
            [50],
            "an object written at one served version reads at another, with that apiVersion"
        ),
        case!(
            crd_namespaced_lists_across_namespaces,
            Crd,
            [46],
            "a namespaced custom type can be listed without a namespace"
        ),
        case!(
            crd_delete_removes_its_objects,
            Crd,
            [51],
            "deleting a CRD (finalizer customresourcecleanup) removes its objects and its endpoint"
        ),
        case!(
            crd_terminating_refuses_create,
            Crd,
            [51],
            "while a CRD terminates, create gets 403 `create not allowed while custom resource definition is terminating`"
        ),
    ]
}

/// A group unique to the case: `<namespace>.conformance.kobj.dev`.
pub(super) fn case_group(cx: &Ctx<'_>) -> String {
    format!("{}.{}", cx.ns(), fixtures::GROUP)
}

/// A CRD object for this case, labelled for cleanup.
pub(super) fn case_crd(cx: &Ctx<'_>, mut crd: Value) -> Result<DynamicObject, Failure> {
    let name = crd["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if let Some(meta) = crd.as_object_mut() {
        meta.remove("apiVersion");
        meta.remove("kind");
    }
    cx.object(&crds(), &name, crd)
}

pub(super) fn things(cx: &Ctx<'_>) -> Value {
    crd_json(
        &case_group(cx),
        "things",
        "Thing",
        "Namespaced",
        json!([simple_version("v1", true)]),
    )
}

pub(super) fn thing_type(cx: &Ctx<'_>, version: &str) -> ResourceType {
    let gvk = kube_core::GroupVersionKind::gvk(&case_group(cx), version, "Thing");
    ResourceType::namespaced(kobj_core::ApiResource::from_gvk_with_plural(&gvk, "things"))
}

pub(super) async fn install_case_crd(cx: &Ctx<'_>, crd: Value) -> Result<DynamicObject, Failure> {
    let object = case_crd(cx, crd)?;
    let name = object.metadata.name.clone().unwrap_or_default();
    cx.create_with(&crds(), &object, &Default::default())
        .await
        .during("create the CRD")?;
    let timeout = cx.capabilities().eventual_timeout;
    fixtures::wait_established(cx.core(), &name, timeout).await
}

async fn expect_refused(cx: &Ctx<'_>, crd: Value, fragment: &str) -> Outcome {
    let object = case_crd(cx, crd)?;
    let name = object.metadata.name.clone().unwrap_or_default();
    let err = expect_error(
        "create the CRD",
        cx.create_with(&crds(), &object, &Default::default()).await,
        ErrorKind::Invalid,
    )?;
    expect_message_starts_with(
        "create the CRD",
        &err,
        &format!("CustomResourceDefinition.apiextensions.k8s.io {name:?} is invalid: "),
    )?;
    expect_message_contains("create the CRD", &err, fragment)?;
    expect_error(
        "get the refused CRD",
        cx.get(&crds(), &name).await,
        ErrorKind::NotFound,
    )
    .map(|_| ())
}

pub(super) fn condition<'o>(crd: &'o DynamicObject, type_: &str) -> Option<&'o Value> {
    crd.data
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|c| c.iter().find(|c| c["type"] == type_))
}

async fn crd_reports_conditions_and_names(cx: &Ctx<'_>) -> Outcome {
    let crd = install_case_crd(cx, things(cx)).await?;
    let accepted = condition(&crd, "NamesAccepted")
        .ok_or_else(|| Failure::new("no NamesAccepted condition"))?;
    ensure_eq(
        "NamesAccepted",
        &json!(["True", "NoConflicts", "no conflicts found"]),
        &json!([accepted["status"], accepted["reason"], accepted["message"]]),
    )?;
    let established =
        condition(&crd, "Established").ok_or_else(|| Failure::new("no Established condition"))?;
    ensure_eq(
        "Established",
        &json!(["True", "InitialNamesAccepted"]),
        &json!([established["status"], established["reason"]]),
    )?;
    ensure_field(
        "CRD",
        &crd,
        "/status/acceptedNames/plural",
        &json!("things"),
    )?;
    ensure_field("CRD", &crd, "/status/acceptedNames/kind", &json!("Thing"))?;
    ensure_field(
        "CRD",
        &crd,
        "/status/acceptedNames/listKind",
        &json!("ThingList"),
    )?;
    ensure_field("CRD", &crd, "/status/storedVersions", &json!(["v1"]))
}

async fn crd_objects_served_after_install(cx: &Ctx<'_>) -> Outcome {
    install_case_crd(cx, things(cx)).await?;
    let rt = thing_type(cx, "v1");
    let created = cx
        .create(&rt, "t", json!({"spec": {"anything": [1, 2]}}))
        .await?;
    ensure_field("created", &created, "/spec/anything", &json!([1, 2]))?;
    let list = cx.list(&rt, &ListParams::default()).await.during("list")?;
    ensure_eq("list kind", "ThingList", list.types.kind.as_str())?;
    ensure_eq("names", &vec!["t".to_string()], &names(&list.items))
}

async fn crd_name_must_be_plural_dot_group(cx: &Ctx<'_>) -> Outcome {
    let mut crd = things(cx);
    crd["metadata"]["name"] = json!(format!("wrong.{}", case_group(cx)));
    expect_refused(cx, crd, "must be spec.names.plural+\".\"+spec.group").await
}

async fn crd_group_needs_a_dot(cx: &Ctx<'_>) -> Outcome {
    let group = cx.ns().to_string();
    let crd = crd_json(
        &group,
        "things",
        "Thing",
        "Namespaced",
        json!([simple_version("v1", true)]),
    );
    expect_refused(cx, crd, "spec.group").await
}

async fn crd_names_must_be_dns_labels(cx: &Ctx<'_>) -> Outcome {
    let group = case_group(cx);
    // A valid subdomain label, but not a DNS-1035 label (it starts with a digit).
    let crd = crd_json(
        &group,
        "9things",
        "Thing",
        "Namespaced",
        json!([simple_version("v1", true)]),
    );
    expect_refused(cx, crd, "spec.names.plural: Invalid value: \"9things\"").await?;
    let mut crd = things(cx);
    crd["spec"]["names"]["kind"] = json!("Thing Two");
    expect_refused(cx, crd, "spec.names.kind").await?;
    let mut crd = things(cx);
    crd["spec"]["names"]["listKind"] = json!("Thing-List!");
    expect_refused(cx, crd, "spec.names.listKind").await
}

async fn crd_validation_reports_every_error(cx: &Ctx<'_>) -> Outcome {
    let group = case_group(cx);
    let crd = crd_json(
        &group,
        "bad_things",
        "Thing",
        "Namespaced",
        json!([simple_version("v1", true), simple_version("v2", true)]),
    );
    let object = case_crd(cx, crd)?;
    let err = expect_error(
        "create the CRD",
        cx.create_with(&crds(), &object, &Default::default()).await,
        ErrorKind::Invalid,
    )?;
    for field in ["metadata.name", "spec.names.plural", "spec.versions"] {
        ensure(err.causes().iter().any(|c| c.field == field), || {
            format!(
                "expected a cause on {field} among {:?}",
                err.causes().iter().map(|c| &c.field).collect::<Vec<_>>()
            )
        })?;
    }
    expect_message_contains("create the CRD", &err, "is invalid: [")
}

async fn crd_needs_exactly_one_storage_version(cx: &Ctx<'_>) -> Outcome {
    let group = case_group(cx);
    let crd = crd_json(
        &group,
        "things",
        "Thing",
        "Namespaced",
        json!([simple_version("v1", true), simple_version("v2", true)]),
    );
    expect_refused(
        cx,
        crd,
        "must have exactly one version marked as storage version",
    )
    .await
}

async fn crd_needs_a_structural_schema(cx: &Ctx<'_>) -> Outcome {
    let mut crd = things(cx);
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"] =
        json!({"properties": {"spec": {"properties": {"a": {}}}}});
    expect_refused(cx, crd, "openAPIV3Schema").await
}

/// Installs `alphas` (kind `Alpha`) in the case's group, then creates `betas` with the kind
/// `Alpha` and the list kind `list_kind`; returns the second CRD's name.
pub(super) async fn second_crd_with_kind_alpha(
    cx: &Ctx<'_>,
    list_kind: &str,
) -> Result<String, Failure> {
    let group = case_group(cx);
    install_case_crd(
        cx,
        crd_json(
            &group,
            "alphas",
            "Alpha",
            "Namespaced",
            json!([simple_version("v1", true)]),
        ),
    )
    .await?;
    let mut second = crd_json(
        &group,
        "betas",
        "Alpha",
        "Namespaced",
        json!([simple_version("v1", true)]),
    );
    second["spec"]["names"]["listKind"] = json!(list_kind);
    let second = case_crd(cx, second)?;
    cx.create_with(&crds(), &second, &Default::default())
        .await
        .during("create the second CRD")?;
    Ok(format!("betas.{group}"))
}

async fn crd_kind_conflict_not_accepted(cx: &Ctx<'_>) -> Outcome {
    // Its own listKind: with `AlphaList` too, the list kind's check (the naming
    // controller's last) would name the conflict ListKindConflict.
    let name = second_crd_with_kind_alpha(cx, "BetaList").await?;
    let group = case_group(cx);
    cx.eventually_object(&crds(), None, &name, |o| {
        let Some(o) = o else {
            return Err("the second CRD is gone".into());
        };
        match condition(o, "NamesAccepted") {
            Some(c)
                if c["status"] == "False"
                    && c["reason"] == "KindConflict"
                    && c["message"] == "\"Alpha\" is already in use" =>
            {
                if condition_is_true(o, "Established") {
                    Err("the conflicting CRD is Established".into())
                } else {
                    Ok(())
                }
            }
            other => Err(format!("NamesAccepted is {other:?}")),
        }
    })
    .await?;
    // Neither NamesAccepted nor Established: its resource is not served.
    let gvk = kube_core::GroupVersionKind::gvk(&group, "v1", "Alpha");
    let betas =
        ResourceType::namespaced(kobj_core::ApiResource::from_gvk_with_plural(&gvk, "betas"));
    let served = cx
        .api(&betas)
        .list(&betas, Some(cx.ns()), &ListParams::default())
        .await;
    expect_error("list the conflicting resource", served, ErrorKind::NotFound).map(|_| ())
}

async fn crd_unserved_version_not_found(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets_at("v1alpha1");
    let api = cx.api(&rt);
    expect_error(
        "list v1alpha1",
        api.list(&rt, Some(cx.ns()), &ListParams::default()).await,
        ErrorKind::NotFound,
    )?;
    let object = cx.object(&rt, "w", json!({"spec": {}}))?;
    expect_error(
        "create v1alpha1",
        cx.create_with(&rt, &object, &Default::default()).await,
        ErrorKind::NotFound,
    )?;
    expect_error(
        "get at v1",
        cx.get(&widgets(), "w").await,
        ErrorKind::NotFound,
    )
    .map(|_| ())
}

async fn crd_served_versions_share_objects(cx: &Ctx<'_>) -> Outcome {
    let beta = widgets_at("v1beta1");
    let created = cx
        .create(&beta, "w", json!({"spec": {"size": "small"}}))
        .await?;
    let types = created.types.clone().unwrap_or_default();
    ensure_eq(
        "apiVersion of the answer",
        "conformance.kobj.dev/v1beta1",
        types.api_version.as_str(),
    )?;
    let at_v1 = cx.get(&widgets(), "w").await.during("get at v1")?;
    ensure_eq(
        "apiVersion at v1",
        "conformance.kobj.dev/v1",
        at_v1.types.clone().unwrap_or_default().api_version.as_str(),
    )?;
    ensure_field("at v1", &at_v1, "/spec/size", &json!("small"))?;
    ensure_eq("uid", &created.metadata.uid, &at_v1.metadata.uid)?;
    let list = cx
        .list(&beta, &ListParams::default())
        .await
        .during("list at v1beta1")?;
    ensure_eq(
        "list apiVersion",
        "conformance.kobj.dev/v1beta1",
        list.types.api_version.as_str(),
    )
}

async fn crd_namespaced_lists_across_namespaces(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    cx.create(
        &rt,
        "w",
        json!({"metadata": {"labels": {fixtures::CASE_LABEL: cx.ns()}}, "spec": {}}),
    )
    .await?;
    let selector = format!("{}={}", fixtures::CASE_LABEL, cx.ns());
    let list = cx
        .api(&rt)
        .list(&rt, None, &ListParams::default().labels(&selector))
        .await
        .during("list without a namespace")?;
    ensure_eq("names", &vec!["w".to_string()], &names(&list.items))?;
    ensure_eq(
        "namespace",
        Some(cx.ns()),
        list.items[0].metadata.namespace.as_deref(),
    )?;
    let realm_list = cx
        .api(&realms())
        .list(&realms(), None, &ListParams::default())
        .await
        .during("list realms")?;
    ensure(
        realm_list
            .items
            .iter()
            .all(|r| r.metadata.namespace.is_none()),
        || "a cluster-scoped object has a namespace".into(),
    )
}

async fn crd_delete_removes_its_objects(cx: &Ctx<'_>) -> Outcome {
    let crd = install_case_crd(cx, things(cx)).await?;
    // The cleanup finalizer comes with the first DELETE, not at create.
    ensure(
        !finalizers_of(&crd).contains(&"customresourcecleanup.apiextensions.k8s.io".to_string()),
        || format!("a new CRD has finalizers {:?}", finalizers_of(&crd)),
    )?;
    let name = crd.metadata.name.clone().unwrap_or_default();
    let rt = thing_type(cx, "v1");
    cx.create(&rt, "t", json!({"spec": {}})).await?;
    let answer = cx
        .delete(&crds(), &name, &DeleteParams::default())
        .await
        .during("delete the CRD")?;
    if let kobj_core::Either::Left(object) = &answer {
        ensure(
            finalizers_of(object)
                .contains(&"customresourcecleanup.apiextensions.k8s.io".to_string()),
            || {
                format!(
                    "CRD finalizers {:?} lack customresourcecleanup.apiextensions.k8s.io",
                    finalizers_of(object)
                )
            },
        )?;
    }
    cx.expect_gone(&crds(), None, &name).await?;
    let api = cx.api(&rt);
    let timeout = cx.eventual_timeout();
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        match api
            .get(&rt, Some(cx.ns()), "t", &GetParams::default())
            .await
        {
            Err(e) if e.is_not_found() => return Ok(()),
            other if tokio::time::Instant::now() >= deadline => {
                return Err(Failure::new(format!(
                    "the object outlived its CRD: {:?}",
                    other.map(|o| o.metadata.name)
                )));
            }
            _ => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
}

async fn crd_terminating_refuses_create(cx: &Ctx<'_>) -> Outcome {
    let mut crd = things(cx);
    crd["metadata"]["finalizers"] = json!([HOLD]);
    let crd = install_case_crd(cx, crd).await?;
    let name = crd.metadata.name.clone().unwrap_or_default();
    let rt = thing_type(cx, "v1");
    cx.create(&rt, "t", json!({"spec": {}})).await?;
    cx.delete(&crds(), &name, &DeleteParams::default())
        .await
        .during("delete the CRD")?;
    cx.eventually_object(&crds(), None, &name, |o| match o {
        Some(o)
            if !finalizers_of(o)
                .iter()
                .any(|f| f == "customresourcecleanup.apiextensions.k8s.io") =>
        {
            Ok(())
        }
        Some(_) => Err("the CRD's objects are still being cleaned up".into()),
        None => Err("the CRD is gone despite its finalizer".into()),
    })
    .await?;
    let object = cx.object(&rt, "late", json!({"spec": {}}))?;
    let err = expect_error(
        "create while terminating",
        cx.create_with(&rt, &object, &Default::default()).await,
        ErrorKind::Forbidden,
    )?;
    expect_message_contains(
        "create while terminating",
        &err,
        "create not allowed while custom resource definition is terminating",
    )?;
    cx.merge(&crds(), &name, json!({"metadata": {"finalizers": null}}))
        .await
        .during("release the CRD")?;
    cx.expect_gone(&crds(), None, &name).await
}
