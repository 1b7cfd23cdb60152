//! Area `watch` (rules 14, 33–41).

use kobj_core::WatchStream;
use kube_core::params::{DeleteParams, ListParams, WatchParams};
use kube_core::{DynamicObject, WatchEvent};
use serde_json::json;

use super::widget;
use crate::case::{Case, During, Failure, Outcome, case};
use crate::check::*;
use crate::ctx::Ctx;
use crate::fixtures::{CASE_LABEL, realms, widgets};
use crate::watching::*;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(
            watch_reports_added_modified_deleted,
            Watch,
            [34, 35],
            "a watch from a list's version sees ADDED, MODIFIED and DELETED in order with increasing versions"
        ),
        case!(
            watch_deleted_carries_last_state,
            Watch,
            [35],
            "DELETED carries the last state with the deletion's resourceVersion"
        ),
        case!(
            watch_label_selector_filters,
            Watch,
            [35, 42],
            "a label-selected watch sees only matching objects"
        ),
        case!(
            watch_object_leaving_selector_is_deleted,
            Watch,
            [35],
            "an object that stops matching arrives as DELETED with its old content and the new version"
        ),
        case!(
            watch_object_entering_selector_is_added,
            Watch,
            [35],
            "an object that starts matching arrives as ADDED"
        ),
        case!(
            watch_one_object_by_name,
            Watch,
            [34, 43],
            "fieldSelector metadata.name=X watches one object"
        ),
        case!(
            watch_is_scoped_to_its_namespace,
            Watch,
            [34, 46],
            "a namespaced watch misses other namespaces; an all-namespaces watch sees them"
        ),
        case!(
            watch_cluster_scoped_objects,
            Watch,
            [34, 46],
            "cluster-scoped objects can be watched"
        ),
        case!(
            watch_resumes_without_gaps,
            Watch,
            [41],
            "re-watching from the last version seen continues with no gap and no repeat"
        ),
        case!(
            watchers_see_the_same_order,
            Watch,
            [41],
            "concurrent watchers see the same events in the same order"
        ),
        case!(
            shared_watch_sees_what_watch_sees,
            Watch,
            [34, 35, 41],
            "a watch with shared objects (watch_objects_shared) yields the same events with the same objects as watch_objects"
        ),
        case!(
            watch_reports_collection_deletes,
            Watch,
            [33, 35],
            "deletecollection sends one DELETED per object"
        ),
    ]
}

pub(super) async fn list_version(cx: &Ctx<'_>) -> Result<String, Failure> {
    let list = cx
        .list(&widgets(), &ListParams::default())
        .await
        .during("list")?;
    Ok(list.metadata.resource_version.unwrap_or_default())
}

pub(super) async fn watch_from(
    cx: &Ctx<'_>,
    params: &WatchParams,
    version: &str,
) -> Result<WatchStream, Failure> {
    cx.watch(&widgets(), params, version).await.during("watch")
}

async fn watch_reports_added_modified_deleted(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let version = list_version(cx).await?;
    let mut watch = watch_from(cx, &WatchParams::default(), &version).await?;
    widget(cx, "w", json!({"size": "small"})).await?;
    cx.merge(&rt, "w", json!({"spec": {"size": "large"}}))
        .await
        .during("patch")?;
    cx.delete(&rt, "w", &DeleteParams::default())
        .await
        .during("delete")?;
    let added = expect_change(&mut watch, "ADDED", "w").await?;
    let modified = expect_change(&mut watch, "MODIFIED", "w").await?;
    let deleted = expect_change(&mut watch, "DELETED", "w").await?;
    ensure(
        rv(&added)? < rv(&modified)? && rv(&modified)? < rv(&deleted)?,
        || "versions do not increase".into(),
    )?;
    ensure_field("MODIFIED", &modified, "/spec/size", &json!("large"))?;
    let types = added.types.clone().unwrap_or_default();
    ensure_eq("event object kind", "Widget", types.kind.as_str())?;
    ensure_eq(
        "event object apiVersion",
        "conformance.kobj.dev/v1",
        types.api_version.as_str(),
    )
}

async fn watch_deleted_carries_last_state(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    widget(cx, "w", json!({"size": "small"})).await?;
    let last = cx
        .merge(&rt, "w", json!({"spec": {"color": "red"}}))
        .await
        .during("patch")?;
    let version = last.metadata.resource_version.clone().unwrap_or_default();
    let mut watch = watch_from(cx, &WatchParams::default(), &version).await?;
    cx.delete(&rt, "w", &DeleteParams::default())
        .await
        .during("delete")?;
    let deleted = expect_change(&mut watch, "DELETED", "w").await?;
    ensure_field("DELETED", &deleted, "/spec/color", &json!("red"))?;
    ensure(rv(&deleted)? > rv(&last)?, || {
        format!(
            "DELETED version {} is not after the last write {}",
            rv(&deleted).unwrap_or_default(),
            rv(&last).unwrap_or_default()
        )
    })
}

async fn watch_label_selector_filters(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let version = list_version(cx).await?;
    let mut watch = watch_from(cx, &WatchParams::default().labels("app=web"), &version).await?;
    cx.create(
        &rt,
        "other",
        json!({"metadata": {"labels": {"app": "db"}}, "spec": {}}),
    )
    .await?;
    cx.create(
        &rt,
        "web",
        json!({"metadata": {"labels": {"app": "web"}}, "spec": {}}),
    )
    .await?;
    expect_change(&mut watch, "ADDED", "web").await.map(|_| ())
}

async fn watch_object_leaving_selector_is_deleted(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = cx
        .create(
            &rt,
            "w",
            json!({"metadata": {"labels": {"app": "web"}}, "spec": {}}),
        )
        .await?;
    let version = created
        .metadata
        .resource_version
        .clone()
        .unwrap_or_default();
    let mut watch = watch_from(cx, &WatchParams::default().labels("app=web"), &version).await?;
    let relabelled = cx
        .merge(&rt, "w", json!({"metadata": {"labels": {"app": "db"}}}))
        .await
        .during("relabel")?;
    let deleted = expect_change(&mut watch, "DELETED", "w").await?;
    let label = deleted
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get("app"))
        .cloned();
    ensure_eq(
        "label in the DELETED object (old content)",
        &Some("web".to_string()),
        &label,
    )?;
    ensure_eq(
        "DELETED resourceVersion (the relabel's)",
        &rv(&relabelled)?,
        &rv(&deleted)?,
    )
}

async fn watch_object_entering_selector_is_added(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = cx
        .create(
            &rt,
            "w",
            json!({"metadata": {"labels": {"app": "db"}}, "spec": {}}),
        )
        .await?;
    let version = created
        .metadata
        .resource_version
        .clone()
        .unwrap_or_default();
    let mut watch = watch_from(cx, &WatchParams::default().labels("app=web"), &version).await?;
    let relabelled = cx
        .merge(&rt, "w", json!({"metadata": {"labels": {"app": "web"}}}))
        .await
        .during("relabel")?;
    let added = expect_change(&mut watch, "ADDED", "w").await?;
    ensure_eq("ADDED resourceVersion", &rv(&relabelled)?, &rv(&added)?)
}

async fn watch_one_object_by_name(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let version = list_version(cx).await?;
    let mut watch = watch_from(
        cx,
        &WatchParams::default().fields("metadata.name=b"),
        &version,
    )
    .await?;
    widget(cx, "a", json!({})).await?;
    widget(cx, "b", json!({})).await?;
    cx.merge(&rt, "a", json!({"spec": {"size": "large"}}))
        .await
        .during("patch a")?;
    cx.merge(&rt, "b", json!({"spec": {"size": "large"}}))
        .await
        .during("patch b")?;
    expect_change(&mut watch, "ADDED", "b").await?;
    expect_change(&mut watch, "MODIFIED", "b").await.map(|_| ())
}

async fn watch_is_scoped_to_its_namespace(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let other = cx.extra_namespace("x1").await?;
    let version = list_version(cx).await?;
    let mut mine = watch_from(cx, &WatchParams::default(), &version).await?;
    let selector = format!("{CASE_LABEL}={}", cx.ns());
    let mut everywhere = cx
        .api(&rt)
        .watch(
            &rt,
            None,
            &WatchParams::default().labels(&selector),
            &version,
        )
        .await
        .during("all-namespaces watch")?;
    let labelled = json!({"metadata": {"labels": {CASE_LABEL: cx.ns()}}, "spec": {}});
    let theirs = cx.object_in(&rt, Some(&other), "theirs", labelled.clone())?;
    cx.api(&rt)
        .create(&rt, Some(&other), &theirs, &Default::default())
        .await
        .during("create in the other namespace")?;
    cx.create(&rt, "ours", labelled).await?;
    expect_change(&mut mine, "ADDED", "ours").await?;
    let first = expect_change(&mut everywhere, "ADDED", "theirs").await?;
    ensure_eq(
        "namespace",
        Some(other.as_str()),
        first.metadata.namespace.as_deref(),
    )?;
    expect_change(&mut everywhere, "ADDED", "ours")
        .await
        .map(|_| ())
}

async fn watch_cluster_scoped_objects(cx: &Ctx<'_>) -> Outcome {
    let rt = realms();
    let list = cx.list(&rt, &ListParams::default()).await.during("list")?;
    let version = list.metadata.resource_version.unwrap_or_default();
    let selector = format!("{CASE_LABEL}={}", cx.ns());
    let mut watch = cx
        .watch(&rt, &WatchParams::default().labels(&selector), &version)
        .await
        .during("watch")?;
    let name = cx.unique("r");
    cx.create(&rt, &name, json!({"spec": {}})).await?;
    cx.delete(&rt, &name, &DeleteParams::default())
        .await
        .during("delete")?;
    expect_change(&mut watch, "ADDED", &name).await?;
    expect_change(&mut watch, "DELETED", &name)
        .await
        .map(|_| ())
}

fn key(event: &WatchEvent<DynamicObject>) -> String {
    describe(event)
}

async fn watch_resumes_without_gaps(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let version = list_version(cx).await?;
    let mut first = watch_from(cx, &WatchParams::default(), &version).await?;
    widget(cx, "a", json!({})).await?;
    widget(cx, "b", json!({})).await?;
    let seen = next_changes(&mut first, 2, EVENT_WAIT).await?;
    let last = seen
        .last()
        .and_then(event_object)
        .and_then(|o| o.metadata.resource_version.clone())
        .unwrap_or_default();
    drop(first);
    cx.merge(&rt, "a", json!({"spec": {"size": "large"}}))
        .await
        .during("patch a")?;
    cx.delete(&rt, "b", &DeleteParams::default())
        .await
        .during("delete b")?;
    let mut resumed = watch_from(cx, &WatchParams::default(), &last).await?;
    expect_change(&mut resumed, "MODIFIED", "a").await?;
    expect_change(&mut resumed, "DELETED", "b")
        .await
        .map(|_| ())
}

async fn watchers_see_the_same_order(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let version = list_version(cx).await?;
    let mut one = watch_from(cx, &WatchParams::default(), &version).await?;
    let mut two = watch_from(cx, &WatchParams::default(), &version).await?;
    for name in ["a", "b", "c"] {
        widget(cx, name, json!({})).await?;
    }
    for name in ["c", "a"] {
        cx.merge(&rt, name, json!({"spec": {"size": "large"}}))
            .await
            .during("patch")?;
    }
    cx.delete(&rt, "b", &DeleteParams::default())
        .await
        .during("delete")?;
    let first: Vec<String> = next_changes(&mut one, 6, EVENT_WAIT)
        .await?
        .iter()
        .map(key)
        .collect();
    let second: Vec<String> = next_changes(&mut two, 6, EVENT_WAIT)
        .await?
        .iter()
        .map(key)
        .collect();
    ensure_eq("the two watchers' events", &first, &second)?;
    let versions: Vec<u64> = first
        .iter()
        .filter_map(|k| k.rsplit('@').next().and_then(|v| v.parse().ok()))
        .collect();
    ensure(
        versions.windows(2).all(|w| w[0] < w[1]) && versions.len() == 6,
        || format!("versions not increasing: {first:?}"),
    )
}

async fn watch_reports_collection_deletes(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    widget(cx, "a", json!({})).await?;
    widget(cx, "b", json!({})).await?;
    let version = list_version(cx).await?;
    let mut watch = watch_from(cx, &WatchParams::default(), &version).await?;
    cx.api(&rt)
        .delete_collection(
            &rt,
            Some(cx.ns()),
            &DeleteParams::default(),
            &ListParams::default(),
        )
        .await
        .during("deletecollection")?;
    let mut got: Vec<String> = next_changes(&mut watch, 2, EVENT_WAIT)
        .await?
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                event_type(e),
                event_object(e).map(name_of).unwrap_or_default()
            )
        })
        .collect();
    got.sort();
    ensure_eq(
        "events",
        &vec!["DELETED a".to_string(), "DELETED b".to_string()],
        &got,
    )
}

async fn shared_watch_sees_what_watch_sees(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let version = list_version(cx).await?;
    let mut owned = watch_from(cx, &WatchParams::default(), &version).await?;
    let mut shared = unshared(
        cx.watch_shared(&rt, &WatchParams::default(), &version)
            .await
            .during("watch with shared objects")?,
    );
    widget(cx, "a", json!({"size": "small"})).await?;
    widget(cx, "b", json!({})).await?;
    cx.merge(&rt, "a", json!({"spec": {"size": "large"}}))
        .await
        .during("patch")?;
    cx.delete(&rt, "b", &DeleteParams::default())
        .await
        .during("delete")?;
    let one = next_changes(&mut owned, 4, EVENT_WAIT).await?;
    let two = next_changes(&mut shared, 4, EVENT_WAIT).await?;
    let keys = |events: &[WatchEvent<DynamicObject>]| events.iter().map(key).collect::<Vec<_>>();
    ensure_eq("the events of the two watches", &keys(&one), &keys(&two))?;
    ensure_eq(
        "the event types",
        &vec!["ADDED", "ADDED", "MODIFIED", "DELETED"],
        &one.iter().map(event_type).collect::<Vec<_>>(),
    )?;
    for (a, b) in one.iter().zip(&two) {
        let (a, b) = (
            serde_json::to_value(event_object(a)).unwrap_or_default(),
            serde_json::to_value(event_object(b)).unwrap_or_default(),
        );
        ensure_eq("the objects of one event", &a, &b)?;
    }
    Ok(())
}
