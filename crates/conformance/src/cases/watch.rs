//! Area `watch` (rules 14, 33–41).

use std::time::Duration;

use kobj_core::{ErrorKind, WatchStream};
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
            watch_without_version_starts_with_current_state,
            Watch,
            [36],
            "a watch from \"\" first sends ADDED for every existing object, then changes"
        ),
        case!(
            watch_from_zero_starts_with_current_state,
            Watch,
            [36],
            "a watch from \"0\" first sends ADDED for every existing object"
        ),
        case!(
            watch_from_version_sends_only_later_changes,
            Watch,
            [36],
            "a watch from N sends only changes after N"
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
            watch_too_old_version_expires,
            Watch,
            [37],
            needs[HistoryWindow],
            "a watch from a version older than the history: one ERROR event 410 Expired `too old resource version: N (M)`, then the end"
        ),
        case!(
            watch_timeout_closes_cleanly,
            Watch,
            [38],
            "timeoutSeconds closes the stream cleanly, with no error event"
        ),
        case!(
            watch_initial_events_end_with_bookmark,
            Watch,
            [38, 39, 40],
            needs[InitialEventsKnown],
            "sendInitialEvents: ADDED for each object, then a BOOKMARK annotated initial-events-end (or the 422 of a disabled gate)"
        ),
        case!(
            watch_reports_collection_deletes,
            Watch,
            [33, 35],
            "deletecollection sends one DELETED per object"
        ),
        case!(
            watch_bad_selector_bad_request,
            Watch,
            [42, 43],
            "a watch with a malformed selector is refused with 400"
        ),
    ]
}

async fn list_version(cx: &Ctx<'_>) -> Result<String, Failure> {
    let list = cx
        .list(&widgets(), &ListParams::default())
        .await
        .during("list")?;
    Ok(list.metadata.resource_version.unwrap_or_default())
}

async fn watch_from(
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

async fn initial_state(cx: &Ctx<'_>, version: &str) -> Outcome {
    let rt = widgets();
    widget(cx, "a", json!({})).await?;
    widget(cx, "b", json!({})).await?;
    let mut watch = watch_from(cx, &WatchParams::default(), version).await?;
    let events = next_changes(&mut watch, 2, EVENT_WAIT).await?;
    let mut got: Vec<String> = events
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
        "initial events",
        &vec!["ADDED a".to_string(), "ADDED b".to_string()],
        &got,
    )?;
    cx.merge(&rt, "a", json!({"spec": {"size": "large"}}))
        .await
        .during("patch")?;
    expect_change(&mut watch, "MODIFIED", "a").await.map(|_| ())
}

async fn watch_without_version_starts_with_current_state(cx: &Ctx<'_>) -> Outcome {
    initial_state(cx, "").await
}

async fn watch_from_zero_starts_with_current_state(cx: &Ctx<'_>) -> Outcome {
    initial_state(cx, "0").await
}

async fn watch_from_version_sends_only_later_changes(cx: &Ctx<'_>) -> Outcome {
    let a = widget(cx, "a", json!({})).await?;
    let version = a.metadata.resource_version.clone().unwrap_or_default();
    widget(cx, "b", json!({})).await?;
    let mut watch = watch_from(cx, &WatchParams::default(), &version).await?;
    expect_change(&mut watch, "ADDED", "b").await.map(|_| ())
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

async fn watch_too_old_version_expires(cx: &Ctx<'_>) -> Outcome {
    let a = widget(cx, "a", json!({})).await?;
    let version = a.metadata.resource_version.clone().unwrap_or_default();
    super::read::churn(cx, cx.capabilities().history_window.unwrap_or_default() + 1).await?;
    let mut watch = watch_from(cx, &WatchParams::default(), &version).await?;
    let event = next_change(&mut watch, EVENT_WAIT).await?;
    let WatchEvent::Error(status) = &event else {
        return Err(Failure::new(format!(
            "expected an ERROR event, got {}",
            describe(&event)
        )));
    };
    ensure_eq("code", 410, status.code)?;
    ensure_eq("reason", "Expired", status.reason.as_str())?;
    let prefix = format!("too old resource version: {version} (");
    ensure(
        status.message.starts_with(&prefix) && status.message.ends_with(')'),
        || {
            format!(
                "expected a message like {prefix:?}M), got {:?}",
                status.message
            )
        },
    )?;
    expect_end(&mut watch, EVENT_WAIT).await
}

async fn watch_timeout_closes_cleanly(cx: &Ctx<'_>) -> Outcome {
    let version = list_version(cx).await?;
    let mut watch = watch_from(cx, &WatchParams::default().timeout(1), &version).await?;
    expect_end(&mut watch, Duration::from_secs(15)).await
}

async fn watch_initial_events_end_with_bookmark(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let a = widget(cx, "a", json!({})).await?;
    let b = widget(cx, "b", json!({})).await?;
    let params = WatchParams::default().initial_events();
    if cx.capabilities().send_initial_events == Some(false) {
        let result = cx.watch(&rt, &params, "").await;
        let err = match result {
            Err(e) => e,
            Ok(mut stream) => match next_event(&mut stream, EVENT_WAIT).await? {
                WatchEvent::Error(status) => kobj_core::Error::from(*status),
                other => {
                    return Err(Failure::new(format!(
                        "expected the request refused, got {}",
                        describe(&other)
                    )));
                }
            },
        };
        ensure_eq("error kind", ErrorKind::Invalid, err.kind())?;
        return expect_message_contains(
            "watch",
            &err,
            "sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled",
        );
    }
    let mut watch = cx
        .watch(&rt, &params, "")
        .await
        .during("watch with sendInitialEvents")?;
    let mut added = Vec::new();
    let bookmark = loop {
        match next_event(&mut watch, EVENT_WAIT).await? {
            WatchEvent::Added(o) => added.push(name_of(&o).to_string()),
            WatchEvent::Bookmark(b)
                if b.metadata
                    .annotations
                    .get("k8s.io/initial-events-end")
                    .map(String::as_str)
                    == Some("true") =>
            {
                break b;
            }
            WatchEvent::Bookmark(_) => {}
            other => {
                return Err(Failure::new(format!(
                    "expected initial ADDED events, got {}",
                    describe(&other)
                )));
            }
        }
    };
    added.sort();
    ensure_eq(
        "initial events",
        &vec!["a".to_string(), "b".to_string()],
        &added,
    )?;
    ensure_eq("bookmark kind", "Widget", bookmark.types.kind.as_str())?;
    ensure_eq(
        "bookmark apiVersion",
        "conformance.kobj.dev/v1",
        bookmark.types.api_version.as_str(),
    )?;
    let at = parse_rv(Some(&bookmark.metadata.resource_version))?;
    ensure(at >= rv(&a)?.max(rv(&b)?), || {
        format!("bookmark version {at} is older than the objects")
    })?;
    widget(cx, "c", json!({})).await?;
    expect_change(&mut watch, "ADDED", "c").await.map(|_| ())
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

async fn watch_bad_selector_bad_request(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let labels = cx
        .watch(&rt, &WatchParams::default().labels("!,x"), "")
        .await;
    let err = expect_error("label selector", labels, ErrorKind::BadRequest)?;
    expect_message_contains("label selector", &err, "found ',', expected: identifier")?;
    let fields = cx
        .watch(&rt, &WatchParams::default().fields("spec.label=x"), "")
        .await;
    let err = expect_error("field selector", fields, ErrorKind::BadRequest)?;
    expect_message(
        "field selector",
        &err,
        "field label not supported: spec.label",
    )
}
