//! Area `watch`: start points, expiry, timeouts, initial events and refused watches
//! (rules 36–40, 42, 43).

use std::time::Duration;

use kobj_core::ErrorKind;
use kube_core::WatchEvent;
use kube_core::params::WatchParams;
use serde_json::json;

use super::watch::{list_version, watch_from};
use super::widget;
use crate::case::{Case, During, Failure, Outcome, case};
use crate::check::*;
use crate::ctx::Ctx;
use crate::fixtures::widgets;
use crate::watching::*;

pub(super) fn cases() -> Vec<Case> {
    vec![
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
            watch_bad_selector_bad_request,
            Watch,
            [42, 43],
            "a watch with a malformed selector is refused with 400"
        ),
    ]
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
