//! Area `read`: list shapes, ordering and paging (rules 9, 11, 12).

use kobj_core::ErrorKind;
use kube_core::params::{DeleteParams, ListParams};
use serde_json::json;

use super::widget;
use crate::case::{Case, During, Failure, Outcome, case};
use crate::check::*;
use crate::ctx::Ctx;
use crate::fixtures::{CASE_LABEL, realms, widgets};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(
            list_shape,
            Read,
            [11],
            "a list is `<Kind>List` with a resourceVersion, and its items carry apiVersion and kind"
        ),
        case!(
            list_empty_has_no_items,
            Read,
            [9, 11],
            "an empty namespace, and a namespace that does not exist, list as empty"
        ),
        case!(
            list_sorted_by_storage_key,
            Read,
            [11],
            "items across namespaces come in storage-key order, `<namespace>/<name>`: by namespace then name, but `<ns>-x1` before `<ns>` (`-` sorts below `/`)"
        ),
        case!(
            list_cluster_scoped_sorted_by_name,
            Read,
            [11],
            "cluster-scoped items come sorted by name"
        ),
        case!(
            list_pages_with_limit,
            Read,
            [12],
            "limit pages: continue while more remain, one resourceVersion, remainingItemCount counts down"
        ),
        case!(
            list_limit_zero_means_no_limit,
            Read,
            [12],
            "limit 0 returns everything in one page"
        ),
        case!(
            list_exact_page_has_no_continue,
            Read,
            [12],
            "a page that ends exactly at the last item has no continue token"
        ),
        case!(
            list_remaining_count_omitted_with_selector,
            Read,
            [12],
            "remainingItemCount is left out when a selector is used"
        ),
        case!(
            list_continue_is_a_consistent_snapshot,
            Read,
            [12],
            "later pages show the snapshot of the first, not writes made since"
        ),
        case!(
            list_bad_continue_token_bad_request,
            Read,
            [12],
            "a malformed continue token: 400 `invalid continue token: …`"
        ),
        case!(
            list_continue_with_resource_version_bad_request,
            Read,
            [12],
            "continue with a resourceVersion: 400 `specifying resource version is not allowed when using continue`"
        ),
        case!(
            list_continue_expired,
            Read,
            [12],
            needs[HistoryWindow],
            "a continue token older than the history: 410 Expired, with a token that continues in the newest state"
        ),
    ]
}

async fn list_shape(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let a = widget(cx, "a", json!({})).await?;
    let b = widget(cx, "b", json!({})).await?;
    let list = cx.list(&rt, &ListParams::default()).await.during("list")?;
    ensure_eq("list kind", "WidgetList", list.types.kind.as_str())?;
    ensure_eq(
        "list apiVersion",
        "conformance.kobj.dev/v1",
        list.types.api_version.as_str(),
    )?;
    ensure_eq(
        "names",
        &vec!["a".to_string(), "b".to_string()],
        &names(&list.items),
    )?;
    for item in &list.items {
        let types = item.types.clone().unwrap_or_default();
        ensure_eq(
            "item apiVersion",
            "conformance.kobj.dev/v1",
            types.api_version.as_str(),
        )?;
        ensure_eq("item kind", "Widget", types.kind.as_str())?;
    }
    let version = parse_rv(list.metadata.resource_version.as_deref())?;
    ensure(version >= rv(&a)?.max(rv(&b)?), || {
        "list resourceVersion older than its items".into()
    })?;
    ensure(
        list.metadata
            .continue_
            .as_deref()
            .unwrap_or_default()
            .is_empty(),
        || "continue set on a complete list".into(),
    )?;
    ensure_eq(
        "remainingItemCount",
        &None,
        &list.metadata.remaining_item_count,
    )
}

async fn list_empty_has_no_items(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let list = cx.list(&rt, &ListParams::default()).await.during("list")?;
    ensure_eq("items", &0, &list.items.len())?;
    parse_rv(list.metadata.resource_version.as_deref())?;
    let missing = format!("{}-missing", cx.ns());
    let list = cx
        .api(&rt)
        .list(&rt, Some(&missing), &ListParams::default())
        .await
        .during("list in a missing namespace")?;
    ensure_eq("items in a missing namespace", &0, &list.items.len())
}

async fn list_sorted_by_storage_key(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let other = cx.extra_namespace("x1").await?;
    let label = json!({"metadata": {"labels": {CASE_LABEL: cx.ns()}}, "spec": {}});
    for name in ["c", "a", "b"] {
        cx.create(&rt, name, label.clone()).await?;
    }
    for name in ["b", "a"] {
        let object = cx.object_in(&rt, Some(&other), name, label.clone())?;
        cx.api(&rt)
            .create(&rt, Some(&other), &object, &Default::default())
            .await
            .during("create in the other namespace")?;
    }
    let selector = format!("{CASE_LABEL}={}", cx.ns());
    let list = cx
        .api(&rt)
        .list(&rt, None, &ListParams::default().labels(&selector))
        .await
        .during("list all namespaces")?;
    let got: Vec<(String, String)> = list
        .items
        .iter()
        .map(|o| {
            (
                o.metadata.namespace.clone().unwrap_or_default(),
                name_of(o).to_string(),
            )
        })
        .collect();
    // The etcd keys `/registry/<resource>/<namespace>/<name>`, in byte order: the namespace
    // `<ns>-x1` extends `<ns>` with `-`, which sorts below `/`, so its objects come first.
    let ns = cx.ns().to_string();
    let expected = vec![
        (other.clone(), "a".to_string()),
        (other, "b".to_string()),
        (ns.clone(), "a".to_string()),
        (ns.clone(), "b".to_string()),
        (ns, "c".to_string()),
    ];
    ensure_eq("(namespace, name) order", &expected, &got)
}

async fn list_cluster_scoped_sorted_by_name(cx: &Ctx<'_>) -> Outcome {
    let rt = realms();
    for base in ["zulu", "mike", "alpha"] {
        cx.create(&rt, &cx.unique(base), json!({"spec": {}}))
            .await?;
    }
    let selector = format!("{CASE_LABEL}={}", cx.ns());
    let list = cx
        .list(&rt, &ListParams::default().labels(&selector))
        .await
        .during("list")?;
    let expected: Vec<String> = ["alpha", "mike", "zulu"]
        .iter()
        .map(|b| cx.unique(b))
        .collect();
    ensure_eq("names", &expected, &names(&list.items))?;
    for item in &list.items {
        ensure_eq(
            "namespace of a cluster-scoped item",
            &None,
            &item.metadata.namespace,
        )?;
    }
    Ok(())
}

async fn seed(cx: &Ctx<'_>, names: &[&str]) -> Outcome {
    for name in names {
        widget(cx, name, json!({})).await?;
    }
    Ok(())
}

async fn list_pages_with_limit(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    seed(cx, &["e", "d", "c", "b", "a"]).await?;
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut version: Option<String> = None;
    let expected_sizes = [2usize, 2, 1];
    let expected_remaining = [Some(3i64), Some(1), None];
    for (page, (size, remaining)) in expected_sizes.iter().zip(expected_remaining).enumerate() {
        let mut params = ListParams::default().limit(2);
        if let Some(t) = &token {
            params = params.continue_token(t);
        }
        let list = cx
            .list(&rt, &params)
            .await
            .during(&format!("page {page}"))?;
        ensure_eq(&format!("page {page} size"), size, &list.items.len())?;
        ensure_eq(
            &format!("page {page} remainingItemCount"),
            &remaining,
            &list.metadata.remaining_item_count,
        )?;
        if let Some(v) = &version {
            ensure_eq(
                &format!("page {page} resourceVersion"),
                Some(v.as_str()),
                list.metadata.resource_version.as_deref(),
            )?;
        }
        version = list.metadata.resource_version.clone();
        seen.extend(names(&list.items));
        let next = list.metadata.continue_.clone().filter(|t| !t.is_empty());
        ensure(next.is_some() == (page < 2), || {
            format!("page {page}: continue is {next:?}")
        })?;
        token = next;
    }
    ensure_eq(
        "all pages",
        &vec!["a", "b", "c", "d", "e"],
        &seen.iter().map(String::as_str).collect::<Vec<_>>(),
    )
}

async fn list_limit_zero_means_no_limit(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    seed(cx, &["a", "b", "c"]).await?;
    let list = cx
        .list(&rt, &ListParams::default().limit(0))
        .await
        .during("list")?;
    ensure_eq("items", &3, &list.items.len())?;
    ensure(
        list.metadata
            .continue_
            .as_deref()
            .unwrap_or_default()
            .is_empty(),
        || "continue set".into(),
    )
}

async fn list_exact_page_has_no_continue(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    seed(cx, &["a", "b", "c"]).await?;
    let list = cx
        .list(&rt, &ListParams::default().limit(3))
        .await
        .during("list")?;
    ensure_eq("items", &3, &list.items.len())?;
    ensure(
        list.metadata
            .continue_
            .as_deref()
            .unwrap_or_default()
            .is_empty(),
        || {
            format!(
                "continue {:?} set though nothing remains",
                list.metadata.continue_
            )
        },
    )?;
    ensure_eq(
        "remainingItemCount",
        &None,
        &list.metadata.remaining_item_count,
    )
}

async fn list_remaining_count_omitted_with_selector(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    for name in ["a", "b", "c"] {
        cx.create(
            &rt,
            name,
            json!({"metadata": {"labels": {"pick": "yes"}}, "spec": {}}),
        )
        .await?;
    }
    let list = cx
        .list(&rt, &ListParams::default().labels("pick=yes").limit(1))
        .await
        .during("list")?;
    ensure_eq("items", &1, &list.items.len())?;
    ensure(
        !list
            .metadata
            .continue_
            .as_deref()
            .unwrap_or_default()
            .is_empty(),
        || "no continue though items remain".into(),
    )?;
    ensure_eq(
        "remainingItemCount with a selector",
        &None,
        &list.metadata.remaining_item_count,
    )
}

async fn list_continue_is_a_consistent_snapshot(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    seed(cx, &["a", "b", "c", "d"]).await?;
    let first = cx
        .list(&rt, &ListParams::default().limit(2))
        .await
        .during("first page")?;
    ensure_eq(
        "first page",
        &vec!["a".to_string(), "b".to_string()],
        &names(&first.items),
    )?;
    let token = first.metadata.continue_.clone().unwrap_or_default();
    widget(cx, "bb", json!({})).await?;
    cx.delete(&rt, "d", &DeleteParams::default())
        .await
        .during("delete d")?;
    cx.merge(&rt, "c", json!({"spec": {"size": "large"}}))
        .await
        .during("patch c")?;
    let second = cx
        .list(&rt, &ListParams::default().limit(2).continue_token(&token))
        .await
        .during("second page")?;
    ensure_eq(
        "second page (snapshot)",
        &vec!["c".to_string(), "d".to_string()],
        &names(&second.items),
    )?;
    ensure_absent("c in the snapshot", &second.items[0], "/spec/size")?;
    ensure_eq(
        "resourceVersion",
        &first.metadata.resource_version,
        &second.metadata.resource_version,
    )
}

async fn list_bad_continue_token_bad_request(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let params = ListParams::default()
        .limit(1)
        .continue_token("not-a-token!");
    let err = expect_error("list", cx.list(&rt, &params).await, ErrorKind::BadRequest)?;
    expect_message_starts_with("list", &err, "invalid continue token")
}

async fn list_continue_with_resource_version_bad_request(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    seed(cx, &["a", "b"]).await?;
    let first = cx
        .list(&rt, &ListParams::default().limit(1))
        .await
        .during("first page")?;
    let token = first.metadata.continue_.clone().unwrap_or_default();
    let version = first.metadata.resource_version.clone().unwrap_or_default();
    let params = ListParams {
        resource_version: Some(version),
        ..ListParams::default().limit(1).continue_token(&token)
    };
    let err = expect_error("list", cx.list(&rt, &params).await, ErrorKind::BadRequest)?;
    expect_message(
        "list",
        &err,
        "specifying resource version is not allowed when using continue",
    )
}

async fn list_continue_expired(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    seed(cx, &["a", "b"]).await?;
    let first = cx
        .list(&rt, &ListParams::default().limit(1))
        .await
        .during("first page")?;
    let token = first
        .metadata
        .continue_
        .clone()
        .ok_or_else(|| Failure::new("no continue token on the first page"))?;
    super::read::churn(cx, cx.capabilities().history_window.unwrap_or_default() + 1).await?;
    let err = expect_error(
        "second page",
        cx.list(&rt, &ListParams::default().limit(1).continue_token(&token))
            .await,
        ErrorKind::Expired,
    )?;
    expect_code("second page", &err, 410)?;
    expect_message_starts_with(
        "second page",
        &err,
        "The provided continue parameter is too old to display a consistent list result.",
    )?;
    // The 410 carries a token that goes on from the same key in the newest state.
    let replacement = err
        .status()
        .and_then(|s| s.metadata.as_ref())
        .and_then(|m| m.continue_.clone())
        .ok_or_else(|| Failure::new("no continue token in the 410's Status"))?;
    let rest = cx
        .list(
            &rt,
            &ListParams::default().limit(1).continue_token(&replacement),
        )
        .await
        .during("page from the replacement token")?;
    let names: Vec<&str> = rest
        .items
        .iter()
        .filter_map(|o| o.metadata.name.as_deref())
        .collect();
    ensure_eq("names after the replacement token", vec!["b"], names)
}
