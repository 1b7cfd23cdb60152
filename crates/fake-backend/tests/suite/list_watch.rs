//! Rules 11–14, 34–43: lists, paging, resourceVersion semantics, selectors, watches.

use crate::common;

use std::time::Duration;

use common::*;
use futures::StreamExt;
use kobj_core::CustomObjects;
use kube_core::WatchEvent;
use kube_core::params::{ListParams, PostParams, VersionMatch, WatchParams};
use serde_json::json;

async fn seeded(n: usize) -> kobj_fake::FakeCluster {
    let c = cluster().await;
    for i in 0..n {
        let color = ["red", "green", "blue"][i % 3];
        let mut w = widget(&format!("w{i:02}"), json!({"color": color}));
        w.metadata.labels = Some([("color".to_string(), color.to_string())].into());
        c.create_object(&widgets(), Some("default"), &w, &PostParams::default())
            .await
            .unwrap();
    }
    c
}

#[tokio::test]
async fn paging_is_a_consistent_snapshot() {
    let c = seeded(10).await;
    let p = ListParams::default().limit(4);
    let first = c
        .list_objects(&widgets(), Some("default"), &p)
        .await
        .unwrap();
    assert_eq!(first.items.len(), 4);
    assert_eq!(first.metadata.remaining_item_count, Some(6));
    let rv = first.metadata.resource_version.clone();
    // Changes after the first page are not seen by later pages.
    c.delete_object(&widgets(), Some("default"), "w09", &Default::default())
        .await
        .unwrap();
    c.create_object(
        &widgets(),
        Some("default"),
        &widget("w05a", json!({})),
        &PostParams::default(),
    )
    .await
    .unwrap();
    let mut names: Vec<String> = first
        .items
        .iter()
        .map(|o| o.metadata.name.clone().unwrap())
        .collect();
    let mut token = first.metadata.continue_.clone();
    while let Some(t) = token {
        let page = c
            .list_objects(
                &widgets(),
                Some("default"),
                &ListParams::default().limit(4).continue_token(&t),
            )
            .await
            .unwrap();
        assert_eq!(page.metadata.resource_version, rv);
        names.extend(page.items.iter().map(|o| o.metadata.name.clone().unwrap()));
        token = page.metadata.continue_.clone();
        if token.is_none() {
            assert_eq!(page.metadata.remaining_item_count, None);
        }
    }
    let expected: Vec<String> = (0..10).map(|i| format!("w{i:02}")).collect();
    assert_eq!(names, expected);
}

/// The rest of a list of widgets in `namespace` (all when `None`) after `token`.
async fn continue_in(
    c: &kobj_fake::FakeCluster,
    namespace: Option<&str>,
    token: &str,
) -> kube_core::ObjectList<kube_core::DynamicObject> {
    c.list_objects(
        &widgets(),
        namespace,
        &ListParams::default().continue_token(token),
    )
    .await
    .unwrap()
}

/// A continue token's key is relative to the listed prefix, as the apiserver's is: the token
/// of a one-namespace page, sent with a list of another namespace, continues after the same
/// name there; the token of a page across namespaces names `<namespace>/<name>`.
#[tokio::test]
async fn continue_tokens_are_relative_to_the_listed_prefix() {
    let c = seeded(6).await;
    let ns = obj(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}}));
    kobj_core::CoreResources::create_object(&c, &namespaces(), None, &ns, &PostParams::default())
        .await
        .unwrap();
    for name in ["w00", "w02", "w03", "w09"] {
        c.create_object(
            &widgets(),
            Some("other"),
            &widget(name, json!({})),
            &PostParams::default(),
        )
        .await
        .unwrap();
    }
    let names = |l: &kube_core::ObjectList<kube_core::DynamicObject>| -> Vec<String> {
        l.items
            .iter()
            .map(|o| {
                format!(
                    "{}/{}",
                    o.metadata.namespace.clone().unwrap(),
                    o.metadata.name.clone().unwrap()
                )
            })
            .collect()
    };
    // default: w00..w05; a page of two ends at w01.
    let page = c
        .list_objects(&widgets(), Some("default"), &ListParams::default().limit(2))
        .await
        .unwrap();
    let token = page.metadata.continue_.unwrap();
    let rest = continue_in(&c, Some("other"), &token).await;
    assert_eq!(names(&rest), ["other/w02", "other/w03", "other/w09"]);
    // Across namespaces: default/w00..w05, other/...; a page of seven ends at other/w00.
    let page = c
        .list_objects(&widgets(), None, &ListParams::default().limit(7))
        .await
        .unwrap();
    let token = page.metadata.continue_.unwrap();
    let rest = continue_in(&c, None, &token).await;
    assert_eq!(names(&rest), ["other/w02", "other/w03", "other/w09"]);
    // Sent with a one-namespace list, that token's key is the name `other/w00` there: the
    // list goes on with the names that sort after it, every `w..` of `default`.
    let rest = continue_in(&c, Some("default"), &token).await;
    assert_eq!(names(&rest).len(), 6, "{:?}", names(&rest));
}

#[tokio::test]
async fn continue_token_errors() {
    let c = seeded(5).await;
    let e = c
        .list_objects(
            &widgets(),
            Some("default"),
            &ListParams::default().continue_token("!!!"),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(400));
    assert!(
        message(&e).starts_with("invalid continue token: continue key is not valid"),
        "{}",
        message(&e)
    );
    let first = c
        .list_objects(&widgets(), Some("default"), &ListParams::default().limit(2))
        .await
        .unwrap();
    let t = first.metadata.continue_.unwrap();
    let mut p = ListParams::default().continue_token(&t);
    p.resource_version = Some("3".into());
    let e = c
        .list_objects(&widgets(), Some("default"), &p)
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        "specifying resource version is not allowed when using continue"
    );
    // Expired once the version leaves the history.
    let small = kobj_fake::FakeCluster::builder()
        .watch_history(3)
        .build()
        .unwrap();
    small.install_crd(&widget_crd()).await.unwrap();
    for i in 0..4 {
        small
            .create_object(
                &widgets(),
                Some("default"),
                &widget(&format!("x{i}"), json!({})),
                &PostParams::default(),
            )
            .await
            .unwrap();
    }
    let page = small
        .list_objects(&widgets(), Some("default"), &ListParams::default().limit(1))
        .await
        .unwrap();
    for i in 0..4 {
        small
            .create_object(
                &widgets(),
                Some("default"),
                &widget(&format!("y{i}"), json!({})),
                &PostParams::default(),
            )
            .await
            .unwrap();
    }
    let e = small
        .list_objects(
            &widgets(),
            Some("default"),
            &ListParams::default().continue_token(&page.metadata.continue_.unwrap()),
        )
        .await
        .unwrap_err();
    assert!(e.is_expired());
    assert!(message(&e).starts_with(
        "The provided continue parameter is too old to display a consistent list result."
    ));
    // The replacement token goes on after the same key, in the newest state (the objects
    // created since included), and its next page is at that state's version.
    let replacement = status(&e)
        .metadata
        .as_ref()
        .and_then(|m| m.continue_.clone())
        .unwrap();
    let rest = small
        .list_objects(
            &widgets(),
            Some("default"),
            &ListParams::default().limit(2).continue_token(&replacement),
        )
        .await
        .unwrap();
    let names: Vec<_> = rest
        .items
        .iter()
        .map(|o| o.metadata.name.clone().unwrap())
        .collect();
    let after = page.items[0].metadata.name.clone().unwrap();
    assert!(names.iter().all(|n| *n > after), "{names:?} after {after}");
    assert_eq!(names.len(), 2);
    assert_eq!(
        rest.metadata.resource_version,
        Some(small.resource_version().to_string())
    );
}

#[tokio::test]
async fn resource_version_match_rules() {
    let c = seeded(3).await;
    let before = c.dump_yaml().unwrap();
    let mut p = ListParams {
        version_match: Some(VersionMatch::Exact),
        ..Default::default()
    };
    let e = c
        .list_objects(&widgets(), Some("default"), &p)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(422));
    assert_eq!(
        message(&e),
        "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided"
    );
    p.resource_version = Some("0".into());
    let e = c
        .list_objects(&widgets(), Some("default"), &p)
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\""
    );
    assert_eq!(c.dump_yaml().unwrap(), before);
    // Exact at an older version shows the older state.
    let rv_before = c.resource_version();
    c.delete_object(&widgets(), Some("default"), "w00", &Default::default())
        .await
        .unwrap();
    p.resource_version = Some(rv_before.to_string());
    let old = c
        .list_objects(&widgets(), Some("default"), &p)
        .await
        .unwrap();
    assert_eq!(old.items.len(), 3);
    assert_eq!(old.metadata.resource_version, Some(rv_before.to_string()));
    let now = c
        .list_objects(&widgets(), Some("default"), &ListParams::default())
        .await
        .unwrap();
    assert_eq!(now.items.len(), 2);
    // Too large: 504 after the (short) wait.
    p.resource_version = Some((c.resource_version() + 100).to_string());
    let e = c
        .list_objects(&widgets(), Some("default"), &p)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(504));
    assert!(message(&e).starts_with("Timeout: Too large resource version: "));
    assert_eq!(e.causes()[0].reason, "ResourceVersionTooLarge");
}

#[tokio::test]
async fn selectors() {
    let c = seeded(9).await;
    let l = c
        .list_objects(
            &widgets(),
            Some("default"),
            &ListParams::default().labels("color=red").limit(2),
        )
        .await
        .unwrap();
    assert_eq!(l.items.len(), 2);
    assert_eq!(
        l.metadata.remaining_item_count, None,
        "no count with a selector"
    );
    assert!(l.metadata.continue_.is_some());
    let l = c
        .list_objects(
            &widgets(),
            Some("default"),
            &ListParams::default().labels("color in (red,blue)"),
        )
        .await
        .unwrap();
    assert_eq!(l.items.len(), 6);
    let l = c
        .list_objects(
            &widgets(),
            Some("default"),
            &ListParams::default().fields("spec.color=green"),
        )
        .await
        .unwrap();
    assert_eq!(l.items.len(), 3);
    let l = c
        .list_objects(
            &widgets(),
            None,
            &ListParams::default().fields("metadata.name=w01,metadata.namespace=default"),
        )
        .await
        .unwrap();
    assert_eq!(l.items.len(), 1);
    let before = c.dump_yaml().unwrap();
    let e = c
        .list_objects(
            &widgets(),
            Some("default"),
            &ListParams::default().fields("spec.size=1"),
        )
        .await
        .unwrap_err();
    assert_eq!(message(&e), "field label not supported: spec.size");
    let e = c
        .list_objects(
            &widgets(),
            Some("default"),
            &ListParams::default().labels("x,"),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(400));
    let e = c
        .list_objects(
            &widgets(),
            Some("default"),
            &ListParams::default().fields("a"),
        )
        .await
        .unwrap_err();
    assert_eq!(message(&e), "invalid selector: 'a'; can't understand 'a'");
    let e = c
        .list_objects(
            &gadgets(),
            None,
            &ListParams::default().fields("metadata.namespace=x"),
        )
        .await
        .unwrap_err();
    assert_eq!(message(&e), "field label not supported: metadata.namespace");
    // A built-in kind with no field labels of its own gets the scheme's default conversion:
    // its own wording, and the namespace label taken even on a cluster-scoped kind.
    let e = c
        .list_objects(
            &configmaps(),
            Some("default"),
            &ListParams::default().fields("data.k=1"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        code_and_message(&e),
        (
            400,
            r#""data.k" is not a known field selector: only "metadata.name", "metadata.namespace""#
                .to_string()
        )
    );
    let cluster_roles = kobj_core::ResourceType::of::<k8s_openapi::api::rbac::v1::ClusterRole>();
    let none = c
        .list_objects(
            &cluster_roles,
            None,
            &ListParams::default().fields("metadata.namespace=x"),
        )
        .await
        .unwrap();
    assert!(none.items.is_empty());
    assert_eq!(c.dump_yaml().unwrap(), before);
}

async fn next(w: &mut kobj_core::WatchStream) -> WatchEvent<kube_core::DynamicObject> {
    loop {
        let e = tokio::time::timeout(Duration::from_secs(2), w.next())
            .await
            .expect("an event")
            .expect("open")
            .unwrap();
        if !matches!(e, WatchEvent::Bookmark(_)) {
            return e;
        }
    }
}

#[tokio::test]
async fn watch_from_version_and_selector_transitions() {
    let c = seeded(0).await;
    let start = c.resource_version().to_string();
    let made = c
        .create_object(
            &widgets(),
            Some("default"),
            &widget_labeled("a", json!({"app": "x"})),
            &PostParams::default(),
        )
        .await
        .unwrap();
    let wp = WatchParams::default().labels("app=x");
    let mut w = c
        .watch_objects(&widgets(), Some("default"), &wp, &start)
        .await
        .unwrap();
    assert!(matches!(next(&mut w).await, WatchEvent::Added(_)));
    // Stops matching: DELETED with the old content at the new version.
    let mut moved = made.clone();
    moved.metadata.labels = Some([("app".to_string(), "y".to_string())].into());
    let upd = c
        .replace_object(
            &widgets(),
            Some("default"),
            "a",
            &moved,
            &PostParams::default(),
        )
        .await
        .unwrap();
    match next(&mut w).await {
        WatchEvent::Deleted(o) => {
            assert_eq!(o.metadata.labels.unwrap()["app"], "x");
            assert_eq!(o.metadata.resource_version, upd.metadata.resource_version);
        }
        e => panic!("{e:?}"),
    }
    let mut back = upd.clone();
    back.metadata.labels = Some([("app".to_string(), "x".to_string())].into());
    c.replace_object(
        &widgets(),
        Some("default"),
        "a",
        &back,
        &PostParams::default(),
    )
    .await
    .unwrap();
    assert!(matches!(next(&mut w).await, WatchEvent::Added(_)));
    c.delete_object(&widgets(), Some("default"), "a", &Default::default())
        .await
        .unwrap();
    assert!(matches!(next(&mut w).await, WatchEvent::Deleted(_)));
}

#[tokio::test]
async fn watch_too_old_is_one_error_event() {
    let c = kobj_fake::FakeCluster::builder()
        .watch_history(2)
        .build()
        .unwrap();
    c.install_crd(&widget_crd()).await.unwrap();
    for i in 0..5 {
        c.create_object(
            &widgets(),
            Some("default"),
            &widget(&format!("x{i}"), json!({})),
            &PostParams::default(),
        )
        .await
        .unwrap();
    }
    let mut w = c
        .watch_objects(&widgets(), Some("default"), &WatchParams::default(), "1")
        .await
        .unwrap();
    match w.next().await.unwrap().unwrap() {
        WatchEvent::Error(s) => {
            assert_eq!(s.code, 410);
            assert_eq!(s.reason, "Expired");
            assert!(
                s.message.starts_with("too old resource version: 1 ("),
                "{}",
                s.message
            );
        }
        e => panic!("{e:?}"),
    }
    assert!(w.next().await.is_none());
}

#[tokio::test]
async fn send_initial_events_ends_with_annotated_bookmark() {
    let c = seeded(3).await;
    let wp = WatchParams::default().initial_events();
    let mut w = c
        .watch_objects(&widgets(), Some("default"), &wp, "")
        .await
        .unwrap();
    for _ in 0..3 {
        assert!(matches!(
            w.next().await.unwrap().unwrap(),
            WatchEvent::Added(_)
        ));
    }
    match w.next().await.unwrap().unwrap() {
        WatchEvent::Bookmark(b) => {
            assert_eq!(
                b.metadata
                    .annotations
                    .get("k8s.io/initial-events-end")
                    .map(String::as_str),
                Some("true")
            );
            assert_eq!(
                b.metadata.resource_version,
                c.resource_version().to_string()
            );
        }
        e => panic!("{e:?}"),
    }
}

#[tokio::test]
async fn watch_timeout_closes_the_stream() {
    let c = seeded(0).await;
    let wp = WatchParams::default().timeout(1);
    let mut w = c
        .watch_objects(
            &widgets(),
            Some("default"),
            &wp,
            &c.resource_version().to_string(),
        )
        .await
        .unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(3), async {
        while w.next().await.is_some() {}
    })
    .await;
    assert!(ended.is_ok());
}

#[tokio::test]
async fn watchers_see_one_order() {
    let c = seeded(0).await;
    let rv = c.resource_version().to_string();
    let mut a = c
        .watch_objects(&widgets(), None, &WatchParams::default(), &rv)
        .await
        .unwrap();
    let mut b = c
        .watch_objects(&widgets(), Some("default"), &WatchParams::default(), &rv)
        .await
        .unwrap();
    let writers: Vec<_> = (0..4)
        .map(|t| {
            let c = c.clone();
            tokio::spawn(async move {
                for i in 0..10 {
                    c.create_object(
                        &widgets(),
                        Some("default"),
                        &widget(&format!("t{t}-{i}"), json!({})),
                        &PostParams::default(),
                    )
                    .await
                    .unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.await.unwrap();
    }
    let mut seen_a = Vec::new();
    let mut seen_b = Vec::new();
    for _ in 0..40 {
        if let WatchEvent::Added(o) = next(&mut a).await {
            seen_a.push(o.metadata.resource_version.unwrap());
        }
        if let WatchEvent::Added(o) = next(&mut b).await {
            seen_b.push(o.metadata.resource_version.unwrap());
        }
    }
    assert_eq!(seen_a, seen_b);
}

/// The names an equality selector lists, page by page, against the same filter applied to
/// the whole list client-side.
async fn selected_by_pages(c: &kobj_fake::FakeCluster, selector: &str, ns: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut params = ListParams::default().labels(selector).limit(4);
    loop {
        let page = c
            .list_objects(&configmaps(), Some(ns), &params)
            .await
            .unwrap();
        names.extend(page.items.iter().map(|o| o.metadata.name.clone().unwrap()));
        match page.metadata.continue_ {
            Some(t) => {
                params = ListParams::default()
                    .labels(selector)
                    .limit(4)
                    .continue_token(&t)
            }
            None => return names,
        }
    }
}

#[tokio::test]
async fn equality_selectors_follow_label_changes() {
    let c = cluster().await;
    for ns in ["default", "kube-public"] {
        for i in 0..30 {
            let mut cm = configmap(&format!("cm{i:02}"), json!({}));
            cm.metadata.labels = Some(
                [
                    ("bucket".to_string(), format!("b{}", i % 3)),
                    ("tier".to_string(), ["web", "db"][i % 2].to_string()),
                ]
                .into(),
            );
            c.create_object(&configmaps(), Some(ns), &cm, &PostParams::default())
                .await
                .unwrap();
        }
    }
    // Relabel some, unlabel one, delete one: the selectors see the current labels only.
    for (name, patch) in [
        ("cm01", json!({"metadata": {"labels": {"bucket": "b0"}}})),
        ("cm03", json!({"metadata": {"labels": {"bucket": "b1"}}})),
        ("cm06", json!({"metadata": {"labels": {"bucket": null}}})),
    ] {
        c.patch_object(
            &configmaps(),
            Some("default"),
            name,
            &kube_core::params::Patch::Merge(patch),
            &Default::default(),
        )
        .await
        .unwrap();
    }
    c.delete_object(&configmaps(), Some("default"), "cm04", &Default::default())
        .await
        .unwrap();
    let all = c
        .list_objects(&configmaps(), Some("default"), &ListParams::default())
        .await
        .unwrap();
    for selector in [
        "bucket=b1",
        "bucket==b0",
        "bucket in (b2)",
        "bucket=b1,tier=db",
        "bucket=b0,tier!=web",
        "bucket=nothing",
    ] {
        let parsed = kobj_core::selector::LabelSelector::parse(selector).unwrap();
        let expected: Vec<String> = all
            .items
            .iter()
            .filter(|o| parsed.matches(&o.metadata.labels.clone().unwrap_or_default()))
            .map(|o| o.metadata.name.clone().unwrap())
            .collect();
        assert_eq!(
            selected_by_pages(&c, selector, "default").await,
            expected,
            "{selector}"
        );
    }
    assert!(
        selected_by_pages(&c, "bucket=b1", "default")
            .await
            .contains(&"cm03".to_string())
    );
    assert_eq!(
        selected_by_pages(&c, "bucket=b1", "kube-public")
            .await
            .len(),
        10
    );
}

#[tokio::test]
async fn shared_watches_of_one_change_hold_one_object() {
    let c = cluster().await;
    let rv = c.resource_version().to_string();
    let wp = WatchParams {
        bookmarks: false,
        ..Default::default()
    };
    let mut one = c
        .watch_objects_shared(&widgets(), Some("default"), &wp, &rv)
        .await
        .unwrap();
    let mut two = c
        .watch_objects_shared(&widgets(), Some("default"), &wp, &rv)
        .await
        .unwrap();
    let mut owned = c
        .watch_objects(&widgets(), Some("default"), &wp, &rv)
        .await
        .unwrap();
    let made = c
        .create_object(
            &widgets(),
            Some("default"),
            &widget("s", json!({"color": "red"})),
            &PostParams::default(),
        )
        .await
        .unwrap();
    let added = |e: Option<
        kobj_core::Result<WatchEvent<std::sync::Arc<kube_core::DynamicObject>>>,
    >| {
        match e {
            Some(Ok(WatchEvent::Added(o))) => o,
            other => panic!("expected ADDED, got {other:?}"),
        }
    };
    let (a, b) = (added(one.next().await), added(two.next().await));
    assert!(
        std::sync::Arc::ptr_eq(&a, &b),
        "one object for both watchers"
    );
    assert_eq!(*a, made, "the object the create returned");
    match owned.next().await {
        Some(Ok(WatchEvent::Added(o))) => assert_eq!(o, *a),
        other => panic!("expected ADDED, got {other:?}"),
    }
}

/// A watch from a resourceVersion the cluster has not reached opens at once and delivers only
/// the changes after it (the watch cache starts an empty interval there); with
/// sendInitialEvents it waits to be fresh, then ends with the 504 as an ERROR event.
#[tokio::test]
async fn watch_from_a_future_version_waits_for_it() {
    let c = seeded(1).await;
    let ahead = c.resource_version() + 2;
    let mut w = c
        .watch_objects(
            &widgets(),
            Some("default"),
            &WatchParams::default(),
            &ahead.to_string(),
        )
        .await
        .unwrap();
    for i in 0..3 {
        c.create_object(
            &widgets(),
            Some("default"),
            &widget(&format!("n{i}"), json!({})),
            &PostParams::default(),
        )
        .await
        .unwrap();
    }
    match next(&mut w).await {
        WatchEvent::Added(o) => {
            assert_eq!(o.metadata.name.as_deref(), Some("n2"));
            assert_eq!(o.metadata.resource_version, Some((ahead + 1).to_string()));
        }
        e => panic!("{e:?}"),
    }

    let far = (c.resource_version() + 100).to_string();
    let wp = WatchParams::default().initial_events();
    let mut w = c
        .watch_objects(&widgets(), Some("default"), &wp, &far)
        .await
        .unwrap();
    match next(&mut w).await {
        WatchEvent::Error(status) => {
            assert_eq!(status.code, 504);
            assert!(
                status
                    .message
                    .starts_with("Timeout: Too large resource version: "),
                "{}",
                status.message
            );
        }
        e => panic!("{e:?}"),
    }
}
