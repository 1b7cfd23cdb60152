//! Area `read`: get, resourceVersion on reads, and resourceVersion values (rules 11, 13, 14).

use kobj_core::ErrorKind;
use kube_core::params::{GetParams, ListParams, Patch, PatchParams, VersionMatch, WatchParams};
use serde_json::json;

use super::widget;
use crate::case::{Case, During, Outcome, case};
use crate::check::*;
use crate::ctx::Ctx;
use crate::fixtures::{configmaps, widgets};
use crate::watching::expect_change;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(
            get_returns_stored_object,
            Read,
            [11],
            "get returns the object with apiVersion, kind, metadata and body as stored"
        ),
        case!(
            get_at_resource_version_zero,
            Read,
            [13],
            "get with resourceVersion \"0\" (any) returns the object"
        ),
        case!(
            get_not_older_than_current,
            Read,
            [13],
            "get with the current resourceVersion returns that version or newer"
        ),
        case!(
            list_too_large_resource_version_times_out,
            Read,
            [13],
            "a resourceVersion ahead of the server: 504 `Timeout: Too large resource version: N, current: M`"
        ),
        case!(
            list_exact_resource_version_is_a_snapshot,
            Read,
            [13],
            "list with resourceVersionMatch=Exact returns the state at that version"
        ),
        case!(
            list_not_older_than_and_any,
            Read,
            [13],
            "NotOlderThan and \"0\" lists include what was written before that version"
        ),
        case!(
            list_match_without_version_invalid,
            Read,
            [13],
            "resourceVersionMatch without resourceVersion: 422 on `ListOptions.meta.k8s.io \"\"`"
        ),
        case!(
            list_match_with_continue_invalid,
            Read,
            [13],
            "resourceVersionMatch with continue: 422 `resourceVersionMatch is forbidden when continue is provided`"
        ),
        case!(
            list_exact_zero_invalid,
            Read,
            [13],
            "resourceVersionMatch=Exact with \"0\": 422"
        ),
        case!(
            list_exact_too_old_expired,
            Read,
            [13],
            needs[HistoryWindow],
            "an Exact list at a compacted version: 410 `The resourceVersion for the provided list is too old.`"
        ),
        case!(
            resource_versions_increase_on_every_write,
            Read,
            [14],
            "every write returns a larger decimal resourceVersion"
        ),
        case!(
            noop_write_keeps_resource_version,
            Read,
            [14],
            "a write that changes nothing keeps the resourceVersion and sends no watch event"
        ),
    ]
}

async fn get_returns_stored_object(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = cx
        .create(&rt, "w", json!({"metadata": {"labels": {"a": "b"}, "annotations": {"n": "v"}}, "spec": {"size": "large", "tags": ["x", "y"]}}))
        .await?;
    let read = cx.get(&rt, "w").await.during("get")?;
    let types = read.types.clone().unwrap_or_default();
    ensure_eq(
        "apiVersion",
        "conformance.kobj.dev/v1",
        types.api_version.as_str(),
    )?;
    ensure_eq("kind", "Widget", types.kind.as_str())?;
    ensure_eq("uid", &created.metadata.uid, &read.metadata.uid)?;
    ensure_eq(
        "resourceVersion",
        &created.metadata.resource_version,
        &read.metadata.resource_version,
    )?;
    ensure_eq("labels", &created.metadata.labels, &read.metadata.labels)?;
    ensure_eq(
        "annotations",
        &created.metadata.annotations,
        &read.metadata.annotations,
    )?;
    ensure_eq("body", &created.data, &read.data)?;
    ensure_field("read", &read, "/spec/tags", &json!(["x", "y"]))
}

async fn get_at_resource_version_zero(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    widget(cx, "w", json!({"size": "small"})).await?;
    let read = cx
        .api(&rt)
        .get(&rt, Some(cx.ns()), "w", &GetParams::any())
        .await
        .during("get at \"0\"")?;
    ensure_eq("name", "w", name_of(&read))
}

async fn get_not_older_than_current(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    widget(cx, "w", json!({"size": "small"})).await?;
    let patched = cx
        .merge(&rt, "w", json!({"spec": {"size": "large"}}))
        .await
        .during("patch")?;
    let version = patched
        .metadata
        .resource_version
        .clone()
        .unwrap_or_default();
    let read = cx
        .api(&rt)
        .get(&rt, Some(cx.ns()), "w", &GetParams::at(&version))
        .await
        .during("get at the patch's version")?;
    ensure(rv(&read)? >= rv(&patched)?, || {
        "read an older version than asked for".into()
    })?;
    ensure_field("read", &read, "/spec/size", &json!("large"))
}

async fn list_too_large_resource_version_times_out(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let current = widget(cx, "w", json!({})).await?;
    let ahead = (rv(&current)? + 1_000_000).to_string();
    let params = ListParams::default()
        .at(&ahead)
        .matching(VersionMatch::NotOlderThan);
    let err = expect_error(
        "list ahead",
        cx.list(&rt, &params).await,
        ErrorKind::Timeout,
    )?;
    expect_code("list ahead", &err, 504)?;
    expect_message_starts_with(
        "list ahead",
        &err,
        &format!("Timeout: Too large resource version: {ahead}, current: "),
    )?;
    expect_cause(
        "list ahead",
        &err,
        "",
        Some("ResourceVersionTooLarge"),
        "Too large resource version",
    )
}

async fn list_exact_resource_version_is_a_snapshot(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    widget(cx, "a", json!({"size": "small"})).await?;
    let before = cx
        .list(&rt, &ListParams::default())
        .await
        .during("first list")?;
    let version = before.metadata.resource_version.clone().unwrap_or_default();
    widget(cx, "b", json!({})).await?;
    cx.merge(&rt, "a", json!({"spec": {"size": "large"}}))
        .await
        .during("patch a")?;
    let params = ListParams::default()
        .at(&version)
        .matching(VersionMatch::Exact);
    let snapshot = cx.list(&rt, &params).await.during("exact list")?;
    ensure_eq(
        "items at the old version",
        &vec!["a".to_string()],
        &names(&snapshot.items),
    )?;
    ensure_field(
        "a at the old version",
        &snapshot.items[0],
        "/spec/size",
        &json!("small"),
    )?;
    ensure_eq(
        "list resourceVersion",
        Some(version.as_str()),
        snapshot.metadata.resource_version.as_deref(),
    )
}

async fn list_not_older_than_and_any(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let a = widget(cx, "a", json!({})).await?;
    let version = a.metadata.resource_version.clone().unwrap_or_default();
    let params = ListParams::default()
        .at(&version)
        .matching(VersionMatch::NotOlderThan);
    let list = cx.list(&rt, &params).await.during("NotOlderThan list")?;
    ensure(names(&list.items).contains(&"a".to_string()), || {
        format!("a missing from {:?}", names(&list.items))
    })?;
    ensure(
        parse_rv(list.metadata.resource_version.as_deref())? >= rv(&a)?,
        || "the list is older than asked for".into(),
    )?;
    let any = cx
        .list(&rt, &ListParams::default().match_any())
        .await
        .during("list at \"0\"")?;
    parse_rv(any.metadata.resource_version.as_deref())?;
    Ok(())
}

async fn list_match_without_version_invalid(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let params = ListParams {
        version_match: Some(VersionMatch::NotOlderThan),
        ..Default::default()
    };
    let err = expect_error("list", cx.list(&rt, &params).await, ErrorKind::Invalid)?;
    expect_message(
        "list",
        &err,
        "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided",
    )
}

async fn list_match_with_continue_invalid(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    for name in ["a", "b"] {
        widget(cx, name, json!({})).await?;
    }
    let page = cx
        .list(&rt, &ListParams::default().limit(1))
        .await
        .during("first page")?;
    let token = page.metadata.continue_.clone().unwrap_or_default();
    let version = page.metadata.resource_version.clone().unwrap_or_default();
    let params = ListParams::default()
        .limit(1)
        .continue_token(&token)
        .at(&version)
        .matching(VersionMatch::NotOlderThan);
    let err = expect_error("list", cx.list(&rt, &params).await, ErrorKind::Invalid)?;
    expect_message_contains(
        "list",
        &err,
        "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided",
    )
}

async fn list_exact_zero_invalid(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let params = ListParams {
        resource_version: Some("0".into()),
        version_match: Some(VersionMatch::Exact),
        ..Default::default()
    };
    let err = expect_error("list", cx.list(&rt, &params).await, ErrorKind::Invalid)?;
    expect_message(
        "list",
        &err,
        "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"",
    )
}

/// Makes `n` writes (annotation changes on one ConfigMap) to push older versions out of the
/// backend's history.
pub(super) async fn churn(cx: &Ctx<'_>, n: usize) -> Outcome {
    let rt = configmaps();
    cx.create(&rt, "churn", json!({"data": {}})).await?;
    for i in 0..n {
        cx.merge(
            &rt,
            "churn",
            json!({"metadata": {"annotations": {"n": i.to_string()}}}),
        )
        .await
        .during("churning")?;
    }
    Ok(())
}

async fn list_exact_too_old_expired(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let a = widget(cx, "a", json!({})).await?;
    let version = a.metadata.resource_version.clone().unwrap_or_default();
    churn(cx, cx.capabilities().history_window.unwrap_or_default() + 1).await?;
    let params = ListParams::default()
        .at(&version)
        .matching(VersionMatch::Exact);
    let err = expect_error(
        "exact list",
        cx.list(&rt, &params).await,
        ErrorKind::Expired,
    )?;
    expect_code("exact list", &err, 410)?;
    expect_message(
        "exact list",
        &err,
        "The resourceVersion for the provided list is too old.",
    )
}

async fn resource_versions_increase_on_every_write(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = widget(cx, "w", json!({"size": "small"})).await?;
    let mut last = rv(&created)?;
    let mut step = |what: &str, next: u64| {
        let ok = next > last;
        let previous = last;
        last = next;
        ensure(ok, || {
            format!("{what}: resourceVersion {next} is not after {previous}")
        })
    };
    let mut current = created.clone();
    current.data["spec"]["size"] = json!("medium");
    let replaced = cx.replace(&rt, "w", &current).await.during("replace")?;
    step("replace", rv(&replaced)?)?;
    let patched = cx
        .merge(&rt, "w", json!({"spec": {"size": "large"}}))
        .await
        .during("merge patch")?;
    step("merge patch", rv(&patched)?)?;
    let status = cx
        .api(&rt)
        .patch_status(
            &rt,
            Some(cx.ns()),
            "w",
            &Patch::Merge(json!({"status": {"phase": "Ready"}})),
            &PatchParams::default(),
        )
        .await
        .during("status patch")?;
    step("status patch", rv(&status)?)?;
    let other = widget(cx, "v", json!({})).await?;
    step("create another", rv(&other)?)?;
    let list = cx.list(&rt, &ListParams::default()).await.during("list")?;
    let list_rv = parse_rv(list.metadata.resource_version.as_deref())?;
    ensure(list_rv >= last, || {
        format!("list resourceVersion {list_rv} is older than the last write {last}")
    })
}

async fn noop_write_keeps_resource_version(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = widget(cx, "w", json!({"size": "small"})).await?;
    let version = created
        .metadata
        .resource_version
        .clone()
        .unwrap_or_default();
    let mut watch = cx
        .watch(&rt, &WatchParams::default(), &version)
        .await
        .during("watch")?;
    let replaced = cx
        .replace(&rt, "w", &created)
        .await
        .during("identical replace")?;
    ensure_eq(
        "resourceVersion after an identical replace",
        &rv(&created)?,
        &rv(&replaced)?,
    )?;
    let patched = cx
        .merge(&rt, "w", json!({"spec": {"size": "small"}}))
        .await
        .during("no-op merge patch")?;
    ensure_eq(
        "resourceVersion after a no-op patch",
        &rv(&created)?,
        &rv(&patched)?,
    )?;
    let changed = cx
        .merge(&rt, "w", json!({"spec": {"size": "large"}}))
        .await
        .during("real patch")?;
    let event = expect_change(&mut watch, "MODIFIED", "w").await?;
    ensure_eq(
        "first event after the no-op writes",
        &rv(&changed)?,
        &rv(&event)?,
    )
}
