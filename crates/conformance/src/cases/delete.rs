//! Area `delete`: delete, finalizers, options, deletecollection (rules 19, 28–31, 33).

use kobj_core::{Either, ErrorKind};
use kube_core::DynamicObject;
use kube_core::params::{DeleteParams, ListParams, Preconditions};
use kube_core::response::StatusSummary;
use serde_json::json;

use super::{held, widget};
use crate::case::{Case, During, Failure, Outcome, case};
use crate::check::*;
use crate::ctx::Ctx;
use crate::fixtures::{HOLD, widgets};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(
            delete_returns_success_status,
            Delete,
            [28],
            "deleting an object without finalizers returns a Success Status with name, group, plural kind and uid"
        ),
        case!(
            delete_missing_not_found,
            Delete,
            [28],
            "deleting an object that does not exist is NotFound"
        ),
        case!(
            delete_with_finalizer_marks_object,
            Delete,
            [29, 19],
            "with finalizers: deletionTimestamp set, grace period 0, generation bumped, the object returned and readable"
        ),
        case!(
            delete_again_returns_object_unchanged,
            Delete,
            [29],
            "deleting an object already being deleted returns it unchanged"
        ),
        case!(
            delete_uid_precondition_conflict,
            Delete,
            [30],
            "a failed uid precondition: 409 `… the UID in the precondition (X) does not match the UID in record (Y). …`"
        ),
        case!(
            delete_resource_version_precondition_conflict,
            Delete,
            [30],
            "a failed resourceVersion precondition is a Conflict and deletes nothing"
        ),
        case!(
            delete_matching_preconditions_deletes,
            Delete,
            [30],
            "matching uid and resourceVersion preconditions delete"
        ),
        case!(
            delete_dry_run_keeps_object,
            Delete,
            [30],
            "a dry-run delete answers as a delete would and keeps the object"
        ),
        case!(
            delete_ignores_grace_period_for_custom_objects,
            Delete,
            [30],
            "custom objects ignore gracePeriodSeconds and go at once"
        ),
        case!(
            delete_orphan_adds_orphan_finalizer,
            Delete,
            [31],
            "propagationPolicy=Orphan adds the `orphan` finalizer"
        ),
        case!(
            delete_foreground_adds_foreground_finalizer,
            Delete,
            [31],
            "propagationPolicy=Foreground adds the `foregroundDeletion` finalizer"
        ),
        case!(
            delete_background_adds_no_finalizer,
            Delete,
            [31],
            "propagationPolicy=Background adds no finalizer"
        ),
        case!(
            delete_collection_deletes_selected,
            Delete,
            [33],
            "deletecollection with a label selector deletes those objects, returns them, and leaves the rest"
        ),
        case!(
            delete_collection_marks_finalized_items,
            Delete,
            [33, 29],
            "deletecollection marks objects with finalizers for deletion and deletes the rest"
        ),
        case!(
            delete_collection_dry_run_keeps_objects,
            Delete,
            [33, 30],
            "a dry-run deletecollection keeps every object"
        ),
    ]
}

fn expect_object(
    what: &str,
    answer: Either<DynamicObject, kube_core::Status>,
) -> Result<DynamicObject, Failure> {
    match answer {
        Either::Left(object) => Ok(object),
        Either::Right(status) => Err(Failure::new(format!(
            "{what}: expected the object back (finalizers hold it), got a Status: {status:?}"
        ))),
    }
}

async fn delete_returns_success_status(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = widget(cx, "w", json!({})).await?;
    let status = match cx
        .delete(&rt, "w", &DeleteParams::default())
        .await
        .during("delete")?
    {
        Either::Right(status) => status,
        Either::Left(o) => {
            return Err(Failure::new(format!(
                "expected a Status, got the object back: {:?}",
                o.metadata
            )));
        }
    };
    ensure_eq("status", &Some(StatusSummary::Success), &status.status)?;
    let details = status
        .details
        .clone()
        .ok_or_else(|| Failure::new("no details in the Status"))?;
    ensure_eq("details.name", "w", details.name.as_str())?;
    ensure_eq(
        "details.group",
        "conformance.kobj.dev",
        details.group.as_str(),
    )?;
    ensure_eq("details.kind", "widgets", details.kind.as_str())?;
    ensure_eq(
        "details.uid",
        created.metadata.uid.as_deref().unwrap_or_default(),
        details.uid.as_str(),
    )?;
    expect_error(
        "get after delete",
        cx.get(&rt, "w").await,
        ErrorKind::NotFound,
    )
    .map(|_| ())
}

async fn delete_missing_not_found(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let err = expect_error(
        "delete",
        cx.delete(&rt, "absent", &DeleteParams::default()).await,
        ErrorKind::NotFound,
    )?;
    expect_message(
        "delete",
        &err,
        "widgets.conformance.kobj.dev \"absent\" not found",
    )
}

async fn delete_with_finalizer_marks_object(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = cx.create(&rt, "w", held(json!({}))).await?;
    let answer = expect_object(
        "delete",
        cx.delete(&rt, "w", &DeleteParams::default())
            .await
            .during("delete")?,
    )?;
    ensure(answer.metadata.deletion_timestamp.is_some(), || {
        "no deletionTimestamp".into()
    })?;
    ensure_eq(
        "deletionGracePeriodSeconds",
        &Some(0),
        &answer.metadata.deletion_grace_period_seconds,
    )?;
    ensure_eq("generation", &Some(2), &answer.metadata.generation)?;
    ensure_eq(
        "finalizers",
        &vec![HOLD.to_string()],
        &finalizers_of(&answer),
    )?;
    ensure(rv(&answer)? > rv(&created)?, || {
        "resourceVersion did not advance".into()
    })?;
    let read = cx
        .get(&rt, "w")
        .await
        .during("get while finalizers hold it")?;
    ensure_eq(
        "deletionTimestamp on read",
        &answer.metadata.deletion_timestamp,
        &read.metadata.deletion_timestamp,
    )
}

async fn delete_again_returns_object_unchanged(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    cx.create(&rt, "w", held(json!({}))).await?;
    let first = expect_object(
        "first delete",
        cx.delete(&rt, "w", &DeleteParams::default())
            .await
            .during("first delete")?,
    )?;
    let second = expect_object(
        "second delete",
        cx.delete(&rt, "w", &DeleteParams::default())
            .await
            .during("second delete")?,
    )?;
    ensure_eq(
        "resourceVersion",
        &first.metadata.resource_version,
        &second.metadata.resource_version,
    )?;
    ensure_eq(
        "deletionTimestamp",
        &first.metadata.deletion_timestamp,
        &second.metadata.deletion_timestamp,
    )?;
    ensure_eq(
        "generation",
        &first.metadata.generation,
        &second.metadata.generation,
    )
}

async fn delete_uid_precondition_conflict(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = widget(cx, "w", json!({})).await?;
    let real = super::uid(&created)?;
    let other = "00000000-0000-0000-0000-0000000000ff";
    let params = DeleteParams::default().preconditions(Preconditions {
        uid: Some(other.into()),
        resource_version: None,
    });
    let err = expect_error(
        "delete",
        cx.delete(&rt, "w", &params).await,
        ErrorKind::Conflict,
    )?;
    expect_message(
        "delete",
        &err,
        &format!(
            "Operation cannot be fulfilled on Widget.conformance.kobj.dev \"w\": the UID in the precondition ({other}) does not match the UID in record ({real}). The object might have been deleted and then recreated"
        ),
    )?;
    cx.get(&rt, "w")
        .await
        .during("get after the refused delete")?;
    Ok(())
}

async fn delete_resource_version_precondition_conflict(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = widget(cx, "w", json!({})).await?;
    cx.merge(&rt, "w", json!({"spec": {"size": "large"}}))
        .await
        .during("patch")?;
    let params = DeleteParams::default().preconditions(Preconditions {
        uid: None,
        resource_version: created.metadata.resource_version.clone(),
    });
    let err = expect_error(
        "delete",
        cx.delete(&rt, "w", &params).await,
        ErrorKind::Conflict,
    )?;
    expect_message_contains("delete", &err, "the ResourceVersion in the precondition")?;
    cx.get(&rt, "w")
        .await
        .during("get after the refused delete")?;
    Ok(())
}

async fn delete_matching_preconditions_deletes(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = widget(cx, "w", json!({})).await?;
    let params = DeleteParams::default().preconditions(Preconditions {
        uid: created.metadata.uid.clone(),
        resource_version: created.metadata.resource_version.clone(),
    });
    cx.delete(&rt, "w", &params).await.during("delete")?;
    expect_error(
        "get after delete",
        cx.get(&rt, "w").await,
        ErrorKind::NotFound,
    )
    .map(|_| ())
}

async fn delete_dry_run_keeps_object(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = widget(cx, "w", json!({})).await?;
    cx.delete(&rt, "w", &DeleteParams::default().dry_run())
        .await
        .during("dry-run delete")?;
    let read = cx
        .get(&rt, "w")
        .await
        .during("get after a dry-run delete")?;
    ensure_eq("resourceVersion", &rv(&created)?, &rv(&read)?)?;
    cx.create(&rt, "held", held(json!({}))).await?;
    cx.delete(&rt, "held", &DeleteParams::default().dry_run())
        .await
        .during("dry-run delete of a held object")?;
    let read = cx.get(&rt, "held").await.during("get held")?;
    ensure_eq(
        "deletionTimestamp after a dry run",
        &None,
        &read.metadata.deletion_timestamp,
    )
}

async fn delete_ignores_grace_period_for_custom_objects(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    widget(cx, "w", json!({})).await?;
    let answer = cx
        .delete(&rt, "w", &DeleteParams::default().grace_period(30))
        .await
        .during("delete")?;
    ensure(answer.is_right(), || {
        "expected a Status: the object should go at once".into()
    })?;
    expect_error(
        "get after delete",
        cx.get(&rt, "w").await,
        ErrorKind::NotFound,
    )
    .map(|_| ())
}

async fn delete_with_policy(cx: &Ctx<'_>, params: DeleteParams, expected: &[&str]) -> Outcome {
    let rt = widgets();
    cx.create(&rt, "w", held(json!({}))).await?;
    let answer = expect_object(
        "delete",
        cx.delete(&rt, "w", &params).await.during("delete")?,
    )?;
    ensure(answer.metadata.deletion_timestamp.is_some(), || {
        "no deletionTimestamp".into()
    })?;
    let mut got = finalizers_of(&answer);
    got.sort();
    let mut want: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    want.sort();
    ensure_eq("finalizers in the delete answer", &want, &got)
}

async fn delete_orphan_adds_orphan_finalizer(cx: &Ctx<'_>) -> Outcome {
    delete_with_policy(cx, DeleteParams::orphan(), &[HOLD, "orphan"]).await
}

async fn delete_foreground_adds_foreground_finalizer(cx: &Ctx<'_>) -> Outcome {
    delete_with_policy(
        cx,
        DeleteParams::foreground(),
        &[HOLD, "foregroundDeletion"],
    )
    .await
}

async fn delete_background_adds_no_finalizer(cx: &Ctx<'_>) -> Outcome {
    delete_with_policy(cx, DeleteParams::background(), &[HOLD]).await
}

async fn delete_collection_deletes_selected(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    for (name, tier) in [("a", "x"), ("b", "x"), ("c", "y"), ("d", "x")] {
        cx.create(
            &rt,
            name,
            json!({"metadata": {"labels": {"tier": tier}}, "spec": {}}),
        )
        .await?;
    }
    let answer = cx
        .api(&rt)
        .delete_collection(
            &rt,
            Some(cx.ns()),
            &DeleteParams::default(),
            &ListParams::default().labels("tier=x"),
        )
        .await
        .during("deletecollection")?;
    let deleted = match answer {
        Either::Left(list) => list.items,
        Either::Right(status) => {
            return Err(Failure::new(format!(
                "expected a list of the deleted objects, got a Status: {status:?}"
            )));
        }
    };
    let mut got = names(&deleted);
    got.sort();
    ensure_eq(
        "deleted objects",
        &vec!["a".to_string(), "b".to_string(), "d".to_string()],
        &got,
    )?;
    let left = cx.list(&rt, &ListParams::default()).await.during("list")?;
    ensure_eq(
        "remaining objects",
        &vec!["c".to_string()],
        &names(&left.items),
    )
}

async fn delete_collection_marks_finalized_items(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    cx.create(&rt, "held", held(json!({}))).await?;
    widget(cx, "free", json!({})).await?;
    cx.api(&rt)
        .delete_collection(
            &rt,
            Some(cx.ns()),
            &DeleteParams::default(),
            &ListParams::default(),
        )
        .await
        .during("deletecollection")?;
    expect_error("get free", cx.get(&rt, "free").await, ErrorKind::NotFound)?;
    let read = cx.get(&rt, "held").await.during("get held")?;
    ensure(read.metadata.deletion_timestamp.is_some(), || {
        "the held object was not marked for deletion".into()
    })
}

async fn delete_collection_dry_run_keeps_objects(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    for name in ["a", "b"] {
        widget(cx, name, json!({})).await?;
    }
    cx.api(&rt)
        .delete_collection(
            &rt,
            Some(cx.ns()),
            &DeleteParams::default().dry_run(),
            &ListParams::default(),
        )
        .await
        .during("dry-run deletecollection")?;
    let left = cx.list(&rt, &ListParams::default()).await.during("list")?;
    ensure_eq(
        "objects after a dry run",
        &vec!["a".to_string(), "b".to_string()],
        &names(&left.items),
    )
}
