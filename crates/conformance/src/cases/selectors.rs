//! Area `selectors`: label and field selectors on list (rules 42, 43).

use kobj_core::ErrorKind;
use kube_core::params::ListParams;
use serde_json::json;

use crate::case::{Case, During, Failure, Outcome, case};
use crate::check::*;
use crate::ctx::Ctx;
use crate::fixtures::{CASE_LABEL, realms, secrets, widgets};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(
            label_selector_equality,
            Selectors,
            [42],
            "`k=v` and `k==v` select objects with that label value"
        ),
        case!(
            label_selector_inequality_matches_missing_key,
            Selectors,
            [42],
            "`k!=v` also selects objects without the key"
        ),
        case!(
            label_selector_in_set,
            Selectors,
            [42],
            "`k in (a,b)` selects objects whose value is in the set"
        ),
        case!(
            label_selector_notin_matches_missing_key,
            Selectors,
            [42],
            "`k notin (a)` also selects objects without the key"
        ),
        case!(
            label_selector_exists_and_absent,
            Selectors,
            [42],
            "`k` selects objects with the key; `!k` those without"
        ),
        case!(
            label_selector_numeric_comparisons,
            Selectors,
            [42],
            "`k>n` and `k<n` compare integer values"
        ),
        case!(
            label_selector_requirements_all_hold,
            Selectors,
            [42],
            "comma-separated requirements must all hold"
        ),
        case!(
            label_selector_empty_value,
            Selectors,
            [42],
            "`k=` selects objects whose value is empty"
        ),
        case!(
            label_selector_parse_error,
            Selectors,
            [42],
            "a malformed label selector: 400 with the parser's text (`found ',', expected: identifier`)"
        ),
        case!(
            label_selector_validates_keys_and_values,
            Selectors,
            [42],
            "over-long values and bad keys are refused with 400; `()` is the set of the empty value"
        ),
        case!(
            field_selector_metadata_name,
            Selectors,
            [43],
            "metadata.name with `=`, `==` and `!=`"
        ),
        case!(
            field_selector_metadata_namespace,
            Selectors,
            [43],
            "metadata.namespace selects across namespaces"
        ),
        case!(
            field_selector_selectable_fields,
            Selectors,
            [43],
            "a CRD's selectableFields can be selected on"
        ),
        case!(
            field_selector_unsupported_field,
            Selectors,
            [43],
            "any other field: 400 `field label not supported: <label>`"
        ),
        case!(
            field_selector_parse_error,
            Selectors,
            [43],
            "a malformed field selector: 400 `invalid selector: '<s>'; can't understand '<t>'`"
        ),
        case!(
            field_selector_no_namespace_on_cluster_scope,
            Selectors,
            [43],
            "metadata.namespace is not a field of cluster-scoped custom objects"
        ),
        case!(
            label_and_field_selectors_combine,
            Selectors,
            [42, 43],
            "label and field selectors together select the intersection"
        ),
        case!(
            field_selector_on_secret_type,
            Selectors,
            [43],
            "Secrets support the `type` field selector"
        ),
    ]
}

/// a {app:web, tier:front, rank:3, size small}, b {app:web, tier:back, rank:7, size large},
/// c {app:db, rank:10}, d {}, e {app:"", tier:front}.
async fn seed(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let objects = [
        (
            "a",
            json!({"app": "web", "tier": "front", "rank": "3"}),
            json!({"size": "small", "color": "red"}),
        ),
        (
            "b",
            json!({"app": "web", "tier": "back", "rank": "7"}),
            json!({"size": "large", "color": "blue"}),
        ),
        (
            "c",
            json!({"app": "db", "rank": "10"}),
            json!({"size": "small"}),
        ),
        ("d", json!({}), json!({})),
        (
            "e",
            json!({"app": "", "tier": "front"}),
            json!({"size": "medium"}),
        ),
    ];
    for (name, labels, spec) in objects {
        cx.create(
            &rt,
            name,
            json!({"metadata": {"labels": labels}, "spec": spec}),
        )
        .await?;
    }
    Ok(())
}

async fn select(cx: &Ctx<'_>, params: ListParams) -> Result<Vec<String>, Failure> {
    let what = format!(
        "list with labels {:?} fields {:?}",
        params.label_selector, params.field_selector
    );
    let list = cx.list(&widgets(), &params).await.during(&what)?;
    Ok(names(&list.items))
}

async fn expect_labels(cx: &Ctx<'_>, selector: &str, expected: &[&str]) -> Outcome {
    let got = select(cx, ListParams::default().labels(selector)).await?;
    ensure_eq(
        &format!("labelSelector {selector:?}"),
        expected,
        &got.iter().map(String::as_str).collect::<Vec<_>>()[..],
    )
}

async fn expect_fields(cx: &Ctx<'_>, selector: &str, expected: &[&str]) -> Outcome {
    let got = select(cx, ListParams::default().fields(selector)).await?;
    ensure_eq(
        &format!("fieldSelector {selector:?}"),
        expected,
        &got.iter().map(String::as_str).collect::<Vec<_>>()[..],
    )
}

async fn expect_bad_labels(cx: &Ctx<'_>, selector: &str) -> Result<kobj_core::Error, Failure> {
    let result = cx
        .list(&widgets(), &ListParams::default().labels(selector))
        .await;
    expect_error(
        &format!("labelSelector {selector:?}"),
        result,
        ErrorKind::BadRequest,
    )
}

async fn label_selector_equality(cx: &Ctx<'_>) -> Outcome {
    seed(cx).await?;
    expect_labels(cx, "app=web", &["a", "b"]).await?;
    expect_labels(cx, "app==web", &["a", "b"]).await?;
    expect_labels(cx, "app=nothing", &[]).await
}

async fn label_selector_inequality_matches_missing_key(cx: &Ctx<'_>) -> Outcome {
    seed(cx).await?;
    expect_labels(cx, "app!=web", &["c", "d", "e"]).await
}

async fn label_selector_in_set(cx: &Ctx<'_>) -> Outcome {
    seed(cx).await?;
    expect_labels(cx, "tier in (front,back)", &["a", "b", "e"]).await?;
    expect_labels(cx, "app in (db)", &["c"]).await
}

async fn label_selector_notin_matches_missing_key(cx: &Ctx<'_>) -> Outcome {
    seed(cx).await?;
    expect_labels(cx, "tier notin (front)", &["b", "c", "d"]).await
}

async fn label_selector_exists_and_absent(cx: &Ctx<'_>) -> Outcome {
    seed(cx).await?;
    expect_labels(cx, "tier", &["a", "b", "e"]).await?;
    expect_labels(cx, "!tier", &["c", "d"]).await
}

async fn label_selector_numeric_comparisons(cx: &Ctx<'_>) -> Outcome {
    seed(cx).await?;
    expect_labels(cx, "rank>5", &["b", "c"]).await?;
    expect_labels(cx, "rank<5", &["a"]).await
}

async fn label_selector_requirements_all_hold(cx: &Ctx<'_>) -> Outcome {
    seed(cx).await?;
    expect_labels(cx, "app=web,tier=front", &["a"]).await?;
    expect_labels(cx, "tier,!app", &[]).await?;
    expect_labels(cx, "app in (web,db),rank>5", &["b", "c"]).await
}

async fn label_selector_empty_value(cx: &Ctx<'_>) -> Outcome {
    seed(cx).await?;
    expect_labels(cx, "app=", &["e"]).await
}

async fn label_selector_parse_error(cx: &Ctx<'_>) -> Outcome {
    seed(cx).await?;
    let err = expect_bad_labels(cx, "!,x").await?;
    expect_code("labelSelector", &err, 400)?;
    expect_message_contains("labelSelector", &err, "found ',', expected: identifier")?;
    expect_bad_labels(cx, "x in a").await.map(|_| ())
}

async fn label_selector_validates_keys_and_values(cx: &Ctx<'_>) -> Outcome {
    seed(cx).await?;
    let long_value = format!("app={}", "v".repeat(64));
    expect_bad_labels(cx, &long_value).await?;
    let long_key = format!("{}=v", "k".repeat(64));
    expect_bad_labels(cx, &long_key).await?;
    expect_bad_labels(cx, "bad key=v").await?;
    expect_bad_labels(cx, "tier in (a,)b").await?;
    // `()` is the set holding the empty value, not an empty set (apimachinery's parseValues).
    expect_labels(cx, "app in ()", &["e"]).await?;
    let fits = format!("app={}", "v".repeat(63));
    expect_labels(cx, &fits, &[]).await
}

async fn field_selector_metadata_name(cx: &Ctx<'_>) -> Outcome {
    seed(cx).await?;
    expect_fields(cx, "metadata.name=a", &["a"]).await?;
    expect_fields(cx, "metadata.name==b", &["b"]).await?;
    expect_fields(cx, "metadata.name!=a", &["b", "c", "d", "e"]).await?;
    expect_fields(cx, "metadata.name!=a,metadata.name!=b", &["c", "d", "e"]).await
}

async fn field_selector_metadata_namespace(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let other = cx.extra_namespace("x1").await?;
    let labelled = json!({"metadata": {"labels": {CASE_LABEL: cx.ns()}}, "spec": {}});
    cx.create(&rt, "ours", labelled.clone()).await?;
    let theirs = cx.object_in(&rt, Some(&other), "theirs", labelled)?;
    cx.api(&rt)
        .create(&rt, Some(&other), &theirs, &Default::default())
        .await
        .during("create in the other namespace")?;
    let selector = format!("{CASE_LABEL}={}", cx.ns());
    for (fields, expected) in [
        (
            format!("metadata.namespace={other}"),
            vec!["theirs".to_string()],
        ),
        (
            format!("metadata.namespace!={other}"),
            vec!["ours".to_string()],
        ),
    ] {
        let params = ListParams::default().labels(&selector).fields(&fields);
        let list = cx.api(&rt).list(&rt, None, &params).await.during(&fields)?;
        ensure_eq(
            &format!("fieldSelector {fields:?}"),
            &expected,
            &names(&list.items),
        )?;
    }
    Ok(())
}

async fn field_selector_selectable_fields(cx: &Ctx<'_>) -> Outcome {
    seed(cx).await?;
    expect_fields(cx, "spec.size=small", &["a", "c"]).await?;
    expect_fields(cx, "spec.color==blue", &["b"]).await?;
    expect_fields(cx, "spec.color!=red", &["b", "c", "d", "e"]).await
}

async fn field_selector_unsupported_field(cx: &Ctx<'_>) -> Outcome {
    seed(cx).await?;
    let result = cx
        .list(&widgets(), &ListParams::default().fields("spec.label=x"))
        .await;
    let err = expect_error("fieldSelector", result, ErrorKind::BadRequest)?;
    expect_message(
        "fieldSelector",
        &err,
        "field label not supported: spec.label",
    )
}

async fn field_selector_parse_error(cx: &Ctx<'_>) -> Outcome {
    seed(cx).await?;
    for (selector, part) in [
        ("metadata.name", "metadata.name"),
        ("metadata.name=a,size", "size"),
        ("metadata.name in (a)", "metadata.name in (a)"),
    ] {
        let result = cx
            .list(&widgets(), &ListParams::default().fields(selector))
            .await;
        let err = expect_error(
            &format!("fieldSelector {selector:?}"),
            result,
            ErrorKind::BadRequest,
        )?;
        expect_message_contains(
            selector,
            &err,
            &format!("invalid selector: '{selector}'; can't understand '{part}'"),
        )?;
    }
    Ok(())
}

async fn field_selector_no_namespace_on_cluster_scope(cx: &Ctx<'_>) -> Outcome {
    let rt = realms();
    cx.create(&rt, &cx.unique("r"), json!({"spec": {}})).await?;
    let result = cx
        .list(&rt, &ListParams::default().fields("metadata.namespace=x"))
        .await;
    let err = expect_error("fieldSelector", result, ErrorKind::BadRequest)?;
    expect_message(
        "fieldSelector",
        &err,
        "field label not supported: metadata.namespace",
    )?;
    let selector = format!("metadata.name={}", cx.unique("r"));
    let list = cx
        .list(&rt, &ListParams::default().fields(&selector))
        .await
        .during("by name")?;
    ensure_eq("names", &vec![cx.unique("r")], &names(&list.items))
}

async fn label_and_field_selectors_combine(cx: &Ctx<'_>) -> Outcome {
    seed(cx).await?;
    let got = select(
        cx,
        ListParams::default()
            .labels("app=web")
            .fields("spec.size=small"),
    )
    .await?;
    ensure_eq("selection", &vec!["a".to_string()], &got)?;
    let got = select(
        cx,
        ListParams::default()
            .labels("rank")
            .fields("metadata.name!=c"),
    )
    .await?;
    ensure_eq("selection", &vec!["a".to_string(), "b".to_string()], &got)
}

async fn field_selector_on_secret_type(cx: &Ctx<'_>) -> Outcome {
    let rt = secrets();
    cx.create(&rt, "plain", json!({"type": "Opaque", "data": {}}))
        .await?;
    cx.create(
        &rt,
        "custom",
        json!({"type": "conformance.kobj.dev/custom", "data": {}}),
    )
    .await?;
    let list = cx
        .list(
            &rt,
            &ListParams::default().fields("type=conformance.kobj.dev/custom"),
        )
        .await
        .during("list")?;
    ensure_eq(
        "custom secrets",
        &vec!["custom".to_string()],
        &names(&list.items),
    )?;
    let list = cx
        .list(&rt, &ListParams::default().fields("type=Opaque"))
        .await
        .during("list")?;
    ensure_eq(
        "opaque secrets",
        &vec!["plain".to_string()],
        &names(&list.items),
    )
}
