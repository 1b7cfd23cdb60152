//! Area `namespaces`: namespace lifecycle (rules 9, 28, 33).

use kobj_core::{Either, ErrorKind};
use kube_core::params::DeleteParams;
use serde_json::json;

use super::held;
use crate::case::{Case, During, Failure, Outcome, case};
use crate::check::*;
use crate::ctx::{Ctx, create_namespace};
use crate::fixtures::{
    HOLD, configmaps, endpoint_slices, endpoints, namespaces, services, widgets,
};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(
            default_namespace_exists,
            Namespaces,
            [9],
            "the `default` namespace exists and is Active"
        ),
        case!(
            kubernetes_service_is_in_default,
            Namespaces,
            [9],
            "`default` holds the API server's `kubernetes` Service: ClusterIP, port `https` 443 to 6443"
        ),
        case!(
            kubernetes_service_has_its_endpoints,
            Namespaces,
            [9],
            "the `kubernetes` Service's Endpoints (kept from mirroring) and EndpointSlice (`kubernetes.io/service-name: kubernetes`, a ready endpoint, port `https`) are in `default`"
        ),
        case!(
            new_namespace_is_active,
            Namespaces,
            [9, 33],
            "a new namespace is in phase Active"
        ),
        case!(
            namespace_delete_terminates_then_removes,
            Namespaces,
            [33, 9],
            "a deleted namespace turns Terminating, its contents are deleted, its conditions name what remains, create is refused with 403, updates still work, then it is removed"
        ),
        case!(
            namespace_delete_missing_not_found,
            Namespaces,
            [28],
            "deleting a namespace that does not exist: 404 `namespaces \"<n>\" not found`"
        ),
        case!(
            namespace_duplicate_already_exists,
            Namespaces,
            [10, 2],
            "creating an existing namespace: 409 `namespaces \"<n>\" already exists`"
        ),
    ]
}

async fn default_namespace_exists(cx: &Ctx<'_>) -> Outcome {
    let default = cx
        .get(&namespaces(), "default")
        .await
        .during("get namespace default")?;
    ensure_field(
        "namespace default",
        &default,
        "/status/phase",
        &json!("Active"),
    )
}

async fn kubernetes_service_is_in_default(cx: &Ctx<'_>) -> Outcome {
    let rt = services();
    let svc = cx
        .api(&rt)
        .get(&rt, Some("default"), "kubernetes", &Default::default())
        .await
        .during("get service default/kubernetes")?;
    ensure_field(
        "service kubernetes",
        &svc,
        "/spec/type",
        &json!("ClusterIP"),
    )?;
    let labels = svc.metadata.labels.clone().unwrap_or_default();
    ensure_eq(
        "service kubernetes: labels",
        &[("component", "apiserver"), ("provider", "kubernetes")]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into_iter()
            .collect::<std::collections::BTreeMap<_, _>>(),
        &labels,
    )?;
    ensure_field(
        "service kubernetes",
        &svc,
        "/spec/ports/0/name",
        &json!("https"),
    )?;
    ensure_field(
        "service kubernetes",
        &svc,
        "/spec/ports/0/port",
        &json!(443),
    )
}

async fn kubernetes_service_has_its_endpoints(cx: &Ctx<'_>) -> Outcome {
    let mut read = Vec::new();
    for rt in [endpoints(), endpoint_slices()] {
        let object = cx
            .api(&rt)
            .get(&rt, Some("default"), "kubernetes", &Default::default())
            .await
            .during(&format!("get {} default/kubernetes", rt.api.plural))?;
        read.push(object);
    }
    let [eps, slice] = &read[..] else {
        return Err(Failure::new("two objects were read"));
    };
    let labels = [
        (eps, "endpointslice.kubernetes.io/skip-mirror", "true"),
        (slice, "kubernetes.io/service-name", "kubernetes"),
    ];
    for (object, key, value) in labels {
        ensure_eq(
            &format!("{} kubernetes: label {key}", kind_of(object)),
            Some(value),
            object
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(key))
                .map(String::as_str),
        )?;
    }
    let fields = [
        (eps, "/subsets/0/ports/0/name", json!("https")),
        (slice, "/endpoints/0/conditions/ready", json!(true)),
        (slice, "/ports/0/name", json!("https")),
    ];
    for (object, pointer, expected) in fields {
        ensure_field(kind_of(object), object, pointer, &expected)?;
    }
    // The slice carries the Endpoints' address and port.
    let address = field(eps, "/subsets/0/addresses/0/ip");
    ensure(address.is_some(), || {
        format!("Endpoints kubernetes: no address in {:?}", eps.data)
    })?;
    ensure_eq(
        "EndpointSlice kubernetes: address",
        address,
        field(slice, "/endpoints/0/addresses/0"),
    )?;
    ensure_eq(
        "EndpointSlice kubernetes: port",
        field(eps, "/subsets/0/ports/0/port"),
        field(slice, "/ports/0/port"),
    )
}

/// The kind an object says it is, for messages.
fn kind_of(object: &kube_core::DynamicObject) -> &str {
    object.types.as_ref().map_or("", |t| t.kind.as_str())
}

async fn new_namespace_is_active(cx: &Ctx<'_>) -> Outcome {
    let own = cx
        .get(&namespaces(), cx.ns())
        .await
        .during("get the case's namespace")?;
    ensure_field(
        "the case's namespace",
        &own,
        "/status/phase",
        &json!("Active"),
    )?;
    ensure_eq("namespace has no namespace", &None, &own.metadata.namespace)
}

async fn namespace_delete_terminates_then_removes(cx: &Ctx<'_>) -> Outcome {
    let (ns_rt, w, cm) = (namespaces(), widgets(), configmaps());
    let doomed = cx.extra_namespace("gone").await?;
    let holder = cx.object_in(&w, Some(&doomed), "holder", held(json!({})))?;
    cx.api(&w)
        .create(&w, Some(&doomed), &holder, &Default::default())
        .await
        .during("create the held widget")?;
    let plain = cx.object_in(&cm, Some(&doomed), "plain", json!({"data": {}}))?;
    cx.api(&cm)
        .create(&cm, Some(&doomed), &plain, &Default::default())
        .await
        .during("create the config map")?;
    let answer = cx
        .core()
        .delete_object(&ns_rt, None, &doomed, &DeleteParams::default())
        .await
        .during("delete the namespace")?;
    if let Either::Left(ns) = &answer {
        ensure(ns.metadata.deletion_timestamp.is_some(), || {
            "the namespace answer has no deletionTimestamp".into()
        })?;
    }
    cx.eventually_object(&cm, Some(&doomed), "plain", |o| match o {
        None => Ok(()),
        Some(_) => Err("the namespace's config map was not deleted".into()),
    })
    .await?;
    let terminating = cx
        .get(&ns_rt, &doomed)
        .await
        .during("get the terminating namespace")?;
    ensure_field(
        "terminating namespace",
        &terminating,
        "/status/phase",
        &json!("Terminating"),
    )?;
    // The namespace deleter says in the status what holds the namespace.
    let remaining = [
        (
            "NamespaceContentRemaining",
            "SomeResourcesRemain",
            "Some resources are remaining: widgets.conformance.kobj.dev has 1 resource instances"
                .to_string(),
        ),
        (
            "NamespaceFinalizersRemaining",
            "SomeFinalizerRemain",
            format!("Some finalizers are remaining: {HOLD} in 1 resource instances"),
        ),
    ];
    cx.eventually_object(&ns_rt, None, &doomed, |o| {
        let conditions = o
            .and_then(|ns| ns.data.pointer("/status/conditions"))
            .and_then(|c| c.as_array())
            .cloned()
            .unwrap_or_default();
        for (kind, reason, message) in &remaining {
            let found = conditions.iter().any(|c| {
                c["type"] == *kind
                    && c["status"] == "True"
                    && c["reason"] == *reason
                    && c["message"] == message.as_str()
            });
            if !found {
                return Err(format!(
                    "no condition {kind} True {reason} `{message}` in {conditions:?}"
                ));
            }
        }
        Ok(())
    })
    .await?;
    let late = cx.object_in(&w, Some(&doomed), "late", json!({"spec": {}}))?;
    let err = expect_error(
        "create in a terminating namespace",
        cx.api(&w)
            .create(&w, Some(&doomed), &late, &Default::default())
            .await,
        ErrorKind::Forbidden,
    )?;
    expect_code("create in a terminating namespace", &err, 403)?;
    expect_message(
        "create in a terminating namespace",
        &err,
        &format!(
            "widgets.conformance.kobj.dev \"late\" is forbidden: unable to create new content in namespace {doomed} because it is being terminated"
        ),
    )?;
    expect_cause(
        "create in a terminating namespace",
        &err,
        "metadata.namespace",
        Some("NamespaceTerminating"),
        "",
    )?;
    let patch = kube_core::params::Patch::Merge(
        json!({"metadata": {"labels": {"still": "writable"}, "finalizers": null}}),
    );
    cx.api(&w)
        .patch(&w, Some(&doomed), "holder", &patch, &Default::default())
        .await
        .during("release the held widget (updates are allowed while terminating)")?;
    cx.expect_gone(&w, Some(&doomed), "holder").await?;
    cx.expect_gone(&ns_rt, None, &doomed).await
}

async fn namespace_delete_missing_not_found(cx: &Ctx<'_>) -> Outcome {
    let missing = format!("{}-missing", cx.ns());
    let err = expect_error(
        "delete",
        cx.core()
            .delete_object(&namespaces(), None, &missing, &DeleteParams::default())
            .await,
        ErrorKind::NotFound,
    )?;
    expect_message("delete", &err, &format!("namespaces {missing:?} not found"))
}

async fn namespace_duplicate_already_exists(cx: &Ctx<'_>) -> Outcome {
    let result = create_namespace(cx.core(), cx.ns(), cx.ns()).await;
    match result {
        Ok(_) => Err(Failure::new("creating an existing namespace succeeded")),
        Err(f) => ensure(
            f.message()
                .contains(&format!("namespaces {:?} already exists", cx.ns())),
            || {
                format!(
                    "expected AlreadyExists `namespaces {:?} already exists`, got {}",
                    cx.ns(),
                    f.message()
                )
            },
        ),
    }
}
