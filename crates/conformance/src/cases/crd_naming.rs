//! Area `crd`: the server's CRD status controllers (rule 45). A create answers before they
//! run; the naming controller then accepts the names no other CRD of the group holds (the
//! last conflicting name it checks gives the reason) and the establishing controller sets
//! Established, each through `/status` as `kube-apiserver`; names a deleted CRD frees go
//! to the CRD waiting for them; a deleting CRD is Terminating while its objects go.

use kobj_core::ResourceType;
use kobj_core::wait::condition_is_true;
use kube_core::params::{DeleteParams, ListParams};
use serde_json::json;

use super::crd::{
    case_crd, case_group, condition, install_case_crd, second_crd_with_kind_alpha, thing_type,
    things,
};
use crate::case::{Case, During, Failure, Outcome, case};
use crate::check::*;
use crate::ctx::Ctx;
use crate::fixtures::{self, HOLD, crds};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(
            crd_create_answers_before_the_controllers,
            Crd,
            [45],
            "a CRD's create answers with storedVersions and no conditions; the conditions and acceptedNames come later, owned by kube-apiserver through /status"
        ),
        case!(
            crd_list_kind_conflict_is_reported_last,
            Crd,
            [45],
            "a second CRD reusing a kind, singular and list kind: ListKindConflict (the last name checked), its free plural accepted, Established False NotAccepted"
        ),
        case!(
            crd_names_freed_by_a_deleted_crd_are_accepted,
            Crd,
            [45, 51],
            "deleting the CRD that held a kind lets the CRD waiting for it become NamesAccepted and Established, and its resource served"
        ),
        case!(
            crd_deletion_reports_terminating,
            Crd,
            [45, 51],
            "a deleting CRD whose objects are held by finalizers has Terminating=True (InstanceDeletionInProgress) and goes once they are released"
        ),
    ]
}

async fn crd_deletion_reports_terminating(cx: &Ctx<'_>) -> Outcome {
    let crd = install_case_crd(cx, things(cx)).await?;
    let name = crd.metadata.name.clone().unwrap_or_default();
    let rt = thing_type(cx, "v1");
    let object = cx.object(
        &rt,
        "held",
        json!({"metadata": {"finalizers": [HOLD]}, "spec": {}}),
    )?;
    cx.create_with(&rt, &object, &Default::default())
        .await
        .during("create an object with a finalizer")?;
    cx.delete(&crds(), &name, &DeleteParams::default())
        .await
        .during("delete the CRD")?;
    cx.eventually_object(&crds(), None, &name, |o| {
        let Some(o) = o else {
            return Err("the CRD is gone while its object is held".into());
        };
        let got =
            condition(o, "Terminating").map(|c| json!([c["status"], c["reason"], c["message"]]));
        if got
            == Some(json!([
                "True",
                "InstanceDeletionInProgress",
                "CustomResource deletion is in progress"
            ]))
        {
            Ok(())
        } else {
            Err(format!("Terminating is {got:?}"))
        }
    })
    .await?;
    cx.merge(&rt, "held", json!({"metadata": {"finalizers": null}}))
        .await
        .during("release the object")?;
    cx.expect_gone(&crds(), None, &name).await
}

async fn crd_create_answers_before_the_controllers(cx: &Ctx<'_>) -> Outcome {
    let object = case_crd(cx, things(cx))?;
    let name = object.metadata.name.clone().unwrap_or_default();
    let created = cx
        .create_with(&crds(), &object, &Default::default())
        .await
        .during("create the CRD")?;
    ensure_field(
        "created",
        &created,
        "/status/storedVersions",
        &json!(["v1"]),
    )?;
    ensure(
        condition(&created, "NamesAccepted").is_none()
            && condition(&created, "Established").is_none(),
        || {
            format!(
                "the create's answer has conditions: {}",
                created.data["status"]
            )
        },
    )?;
    ensure_field(
        "created",
        &created,
        "/status/acceptedNames",
        &json!({"kind": "", "plural": ""}),
    )?;
    let timeout = cx.capabilities().eventual_timeout;
    let established = fixtures::wait_established(cx.core(), &name, timeout).await?;
    ensure(rv(&established)? > rv(&created)?, || {
        "the controllers' status writes did not give the CRD a new resourceVersion".to_string()
    })?;
    let condition_fields = json!({
        ".": {}, "f:lastTransitionTime": {}, "f:message": {}, "f:reason": {},
        "f:status": {}, "f:type": {}
    });
    ensure_owned(
        &established,
        "kube-apiserver",
        Some(&json!({"f:status": {
            "f:acceptedNames": {"f:kind": {}, "f:listKind": {}, "f:plural": {}, "f:singular": {}},
            "f:conditions": {
                "k:{\"type\":\"Established\"}": condition_fields,
                "k:{\"type\":\"NamesAccepted\"}": condition_fields,
            },
        }})),
    )?;
    let entry = established
        .metadata
        .managed_fields
        .as_deref()
        .unwrap_or_default()
        .iter()
        .find(|e| e.manager.as_deref() == Some("kube-apiserver"))
        .ok_or_else(|| Failure::new("no kube-apiserver managedFields entry"))?;
    ensure_eq(
        "kube-apiserver's entry (operation, subresource)",
        (Some("Update"), Some("status")),
        (entry.operation.as_deref(), entry.subresource.as_deref()),
    )
}

async fn crd_list_kind_conflict_is_reported_last(cx: &Ctx<'_>) -> Outcome {
    let name = second_crd_with_kind_alpha(cx, "AlphaList").await?;
    cx.eventually_object(&crds(), None, &name, |o| {
        let Some(o) = o else {
            return Err("the second CRD is gone".into());
        };
        let got = |type_: &str| {
            condition(o, type_).map(|c| json!([c["status"], c["reason"], c["message"]]))
        };
        let accepted = got("NamesAccepted");
        if accepted
            != Some(json!([
                "False",
                "ListKindConflict",
                "\"AlphaList\" is already in use"
            ]))
        {
            return Err(format!("NamesAccepted is {accepted:?}"));
        }
        let established = got("Established");
        if established
            != Some(json!([
                "False",
                "NotAccepted",
                "not all names are accepted"
            ]))
        {
            return Err(format!("Established is {established:?}"));
        }
        // The names no other CRD holds are accepted (the plural); the taken ones (the
        // singular `alpha`, the kind, the list kind) stay as they were: empty, and the
        // empty optional ones left out.
        let names = &o.data["status"]["acceptedNames"];
        if names != &json!({"plural": "betas", "kind": ""}) {
            return Err(format!("acceptedNames are {names}"));
        }
        Ok(())
    })
    .await
}

async fn crd_names_freed_by_a_deleted_crd_are_accepted(cx: &Ctx<'_>) -> Outcome {
    let name = second_crd_with_kind_alpha(cx, "BetaList").await?;
    cx.eventually_object(&crds(), None, &name, |o| match o {
        Some(o) if condition(o, "NamesAccepted").is_some_and(|c| c["status"] == "False") => Ok(()),
        other => Err(format!(
            "the second CRD is not refused its names: {:?}",
            other.map(|o| &o.data["status"])
        )),
    })
    .await?;
    let first = format!("alphas.{}", case_group(cx));
    cx.delete(&crds(), &first, &DeleteParams::default())
        .await
        .during("delete the first CRD")?;
    cx.expect_gone(&crds(), None, &first).await?;
    cx.eventually_object(&crds(), None, &name, |o| match o {
        Some(o) if condition_is_true(o, "NamesAccepted") && condition_is_true(o, "Established") => {
            Ok(())
        }
        other => Err(format!(
            "the second CRD did not take the freed names: {:?}",
            other.map(|o| &o.data["status"])
        )),
    })
    .await?;
    let gvk = kube_core::GroupVersionKind::gvk(&case_group(cx), "v1", "Alpha");
    let betas =
        ResourceType::namespaced(kobj_core::ApiResource::from_gvk_with_plural(&gvk, "betas"));
    cx.api(&betas)
        .list(&betas, Some(cx.ns()), &ListParams::default())
        .await
        .during("list the second CRD's resource")
        .map(|_| ())
}
