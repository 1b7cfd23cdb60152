//! Property tests for the remaining entry points: list, watch, get, delete,
//! deletecollection, and the status and scale subresources. Every call with arbitrary
//! parameters gets a result or a Kubernetes-shaped error (an API `Status` with a 4xx or 5xx
//! code), never a panic; reads never change the stored state (`dump_yaml`); a refused delete
//! leaves it unchanged; a list selects exactly what a client-side filter of the full list
//! selects (for selectors whose meaning the test computes), page after page.
//!
//! The parameters are generated near valid syntax (see `fuzz/reads.rs`): selectors of every
//! form and junk built from their tokens, limits from 0 to `u32::MAX`, continue tokens from
//! real ones to base64 of junk JSON, resourceVersions ahead of the cluster, malformed or
//! absent. Each case runs on a fresh cluster, so a failure shrinks to an input that replays
//! alone.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "fuzz/inputs.rs"]
#[allow(dead_code)]
mod inputs;
#[path = "fuzz/reads.rs"]
mod reads;

use std::time::Duration;

use common::*;
use either::Either;
use futures::StreamExt;
use inputs::*;
use kobj_core::{ApiResource, CustomObjects, ResourceType};
use kobj_fake::FakeCluster;
use kube_core::params::{
    DeleteParams, GetParams, ListParams, Patch, PatchParams, PostParams, WatchParams,
};
use kube_core::{DynamicObject, GroupVersionKind, WatchEvent};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use reads::*;
use serde_json::{Value, json};

/// Cases per property: enough to cover the shapes, few enough for a fast debug `cargo test`.
const CASES: u32 = 64;

// ---------------------------------------------------------------------------------------
// The cluster
// ---------------------------------------------------------------------------------------

/// ConfigMaps as a resource type built from the group, version and kind alone (the name
/// `fuzz/inputs.rs` expects).
fn configmaps_by_gvk() -> ResourceType {
    ResourceType::namespaced(ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("", "v1", "ConfigMap"),
        "configmaps",
    ))
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// The kinds the properties read: namespaced widgets (a selectable field, status and scale
/// subresources), ConfigMaps, and cluster-scoped gadgets.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Widgets,
    ConfigMaps,
    Gadgets,
}

impl Kind {
    fn resource(self) -> ResourceType {
        match self {
            Kind::Widgets => widgets(),
            Kind::ConfigMaps => configmaps_by_gvk(),
            Kind::Gadgets => gadgets(),
        }
    }

    fn namespaced(self) -> bool {
        !matches!(self, Kind::Gadgets)
    }
}

fn kind() -> impl Strategy<Value = Kind> + Clone {
    prop_oneof![
        3 => Just(Kind::Widgets),
        2 => Just(Kind::ConfigMaps),
        1 => Just(Kind::Gadgets),
    ]
}

/// Widgets in `default` and `team` with assorted labels and colors (`c` held by a finalizer,
/// `owned` owned by `default/a`), ConfigMaps in both namespaces, and a gadget.
async fn seeded() -> FakeCluster {
    let c = cluster().await;
    let pp = PostParams::default();
    c.create_object(
        &namespaces(),
        None,
        &obj(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})),
        &pp,
    )
    .await
    .unwrap();
    let widget = |name: &str, labels: Value, color: &str, extra: Value| {
        let mut v = json!({
            "apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": name, "labels": labels},
            "spec": {"color": color, "replicas": 2}
        });
        if let (Some(m), Value::Object(extra)) = (v["metadata"].as_object_mut(), extra) {
            m.extend(extra);
        }
        obj(v)
    };
    let mut uid_a = String::new();
    for (ns, name, labels, color, extra) in [
        (
            "default",
            "a",
            json!({"app": "web", "tier": "1"}),
            "red",
            json!({}),
        ),
        (
            "default",
            "b",
            json!({"app": "db", "tier": "2"}),
            "blue",
            json!({}),
        ),
        (
            "default",
            "c",
            json!({"app": "web"}),
            "green",
            json!({"finalizers": ["example.com/hold"]}),
        ),
        ("default", "d", json!({}), "red", json!({})),
        (
            "team",
            "a",
            json!({"app": "web", "tier": "3"}),
            "blue",
            json!({}),
        ),
        (
            "team",
            "e",
            json!({"example.com/x": "y", "tier": "10"}),
            "red",
            json!({}),
        ),
        (
            "default",
            "owned",
            json!({"app": "db"}),
            "blue",
            json!({"ownerReferences": [{
                "apiVersion": "example.com/v1", "kind": "Widget", "name": "a", "uid": "@uid-a"
            }]}),
        ),
    ] {
        let mut o = widget(name, labels, color, extra);
        if let Some(refs) = o.metadata.owner_references.as_mut() {
            refs[0].uid = uid_a.clone();
        }
        let created = c
            .create_object(&widgets(), Some(ns), &o, &pp)
            .await
            .unwrap();
        if ns == "default" && name == "a" {
            uid_a = created.metadata.uid.unwrap();
        }
    }
    for (ns, name, labels) in [
        ("default", "cm", json!({"app": "web"})),
        ("default", "cm2", json!({"tier": "2"})),
        ("team", "cm", json!({"app": "db"})),
    ] {
        c.create_object(
            &configmaps_by_gvk(),
            Some(ns),
            &obj(json!({
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": name, "labels": labels}, "data": {"k": "v"}
            })),
            &pp,
        )
        .await
        .unwrap();
    }
    c.create_object(
        &gadgets(),
        None,
        &obj(json!({
            "apiVersion": "example.com/v1", "kind": "Gadget",
            "metadata": {"name": "g1", "labels": {"app": "web"}}, "spec": {"x": 1}
        })),
        &pp,
    )
    .await
    .unwrap();
    c
}

/// The cluster's resourceVersion now.
async fn now_rv(c: &FakeCluster) -> u64 {
    c.list_objects(&namespaces(), None, &ListParams::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap()
        .parse()
        .unwrap()
}

/// Every object of a kind in a namespace (or all), as JSON, in list order; none where the
/// namespace is refused.
async fn full_list(c: &FakeCluster, k: Kind, ns: Option<&str>) -> Vec<Value> {
    c.list_objects(&k.resource(), ns, &ListParams::default())
        .await
        .map(|l| {
            l.items
                .iter()
                .map(|o| serde_json::to_value(o).unwrap())
                .collect()
        })
        .unwrap_or_default()
}

fn key_of(o: &Value) -> (String, String) {
    let s = |p: &str| {
        o.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    (s("/metadata/namespace"), s("/metadata/name"))
}

// ---------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------

/// An error must be an API `Status` with a 4xx or 5xx code and must leave the state as it
/// was.
fn check_refused(c: &FakeCluster, e: &kobj_core::Error, before: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        matches!(e.code(), Some(400..=599)),
        "not a Kubernetes-shaped error: {e:?}"
    );
    prop_assert!(
        e.status().is_some_and(|s| !s.message.is_empty()),
        "a Status without a message: {e:?}"
    );
    check_unchanged(c, before, &format!("the refused call ({e})"))
}

fn check_unchanged(c: &FakeCluster, before: &str, what: &str) -> Result<(), TestCaseError> {
    let after = c.dump_yaml().unwrap();
    prop_assert!(
        after == before,
        "{what} changed the state:\n--- before\n{before}\n--- after\n{after}"
    );
    Ok(())
}

/// Listed items are in list order (namespace, then name), once each, and each is the object
/// a full list holds (the seeded objects have one version each, so any snapshot agrees).
fn check_items_of_full(
    items: &[Value],
    full: &[Value],
    ordered: bool,
) -> Result<(), TestCaseError> {
    let keys: Vec<_> = items.iter().map(key_of).collect();
    prop_assert!(
        !ordered || keys.windows(2).all(|w| w[0] < w[1]),
        "items out of order or repeated: {keys:?}"
    );
    for item in items {
        prop_assert!(
            full.contains(item),
            "an item not in the full list: {}",
            item
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// List
// ---------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
struct ListInput {
    kind: Kind,
    namespace: Option<String>,
    label_selector: Option<String>,
    field_selector: Option<String>,
    limit: Option<u32>,
    token: Option<Token>,
    rv: Option<String>,
    version_match: Option<kube_core::params::VersionMatch>,
}

fn list_input() -> impl Strategy<Value = ListInput> {
    (
        kind(),
        namespace(),
        any_selector(),
        any_selector(),
        limit(),
        token(),
        read_rv(),
        version_match(),
    )
        .prop_map(
            |(kind, namespace, label_selector, field_selector, limit, token, rv, version_match)| {
                ListInput {
                    kind,
                    namespace,
                    label_selector,
                    field_selector,
                    limit,
                    token,
                    rv,
                    version_match,
                }
            },
        )
}

async fn render_token(c: &FakeCluster, k: Kind, ns: Option<&str>, t: &Token, now: u64) -> String {
    match t {
        Token::Real { limit, all } => c
            .list_objects(
                &k.resource(),
                ns.filter(|_| !all),
                &ListParams::default().limit(*limit),
            )
            .await
            .map(|l| l.metadata.continue_.unwrap_or_default())
            .unwrap_or_default(),
        Token::Encoded { json, standard } => {
            let mut json = json.clone();
            fill_json(&mut json, now);
            encode_token(&json, *standard)
        }
        Token::Raw(s) => s.clone(),
    }
}

async fn list_case(input: ListInput) -> Result<(), TestCaseError> {
    let c = seeded().await;
    let now = now_rv(&c).await;
    let ns = input.namespace.as_deref();
    let mut lp = ListParams {
        label_selector: input.label_selector.clone(),
        field_selector: input.field_selector.clone(),
        limit: input.limit,
        version_match: input.version_match.clone(),
        resource_version: input.rv.as_deref().map(|s| fill_rv(s, now)),
        ..ListParams::default()
    };
    if let Some(t) = &input.token {
        lp.continue_token = Some(render_token(&c, input.kind, ns, t, now).await);
    }
    let full = full_list(&c, input.kind, ns.filter(|_| input.kind.namespaced())).await;
    let before = c.dump_yaml().unwrap();
    match c.list_objects(&input.kind.resource(), ns, &lp).await {
        Err(e) => check_refused(&c, &e, &before)?,
        Ok(list) => {
            check_unchanged(&c, &before, "a list")?;
            let items: Vec<Value> = list
                .items
                .iter()
                .map(|o| serde_json::to_value(o).unwrap())
                .collect();
            check_items_of_full(&items, &full, true)?;
            let limit = lp.limit.unwrap_or(0) as usize;
            if limit > 0 {
                prop_assert!(
                    items.len() <= limit,
                    "{} items over limit {limit}",
                    items.len()
                );
            }
            if list.metadata.continue_.is_some() {
                prop_assert!(
                    limit > 0 && items.len() == limit,
                    "continue on a short page"
                );
            }
            prop_assert!(list.metadata.resource_version.is_some());
        }
    }
    Ok(())
}

/// A list with structured selectors, paged with `limit`: the pages concatenated are exactly
/// the full list filtered client-side.
async fn paged_selection_case(
    k: Kind,
    ns: Option<String>,
    sel: Selectors,
    limit: u32,
) -> Result<(), TestCaseError> {
    let c = seeded().await;
    let ns = ns.as_deref();
    let full = full_list(&c, k, ns.filter(|_| k.namespaced())).await;
    let expected: Vec<Value> = full.iter().filter(|o| sel.matches(o)).cloned().collect();
    let before = c.dump_yaml().unwrap();
    let mut lp = ListParams {
        label_selector: sel.label_selector(),
        field_selector: sel.field_selector(),
        limit: Some(limit),
        ..ListParams::default()
    };
    let mut got = Vec::new();
    for _page in 0..20 {
        let list = match c.list_objects(&k.resource(), ns, &lp).await {
            Ok(list) => list,
            Err(e) => {
                // A cluster-scoped kind refuses a namespace (and a gadget has no
                // `metadata.namespace` field label): those are the only refusals expected.
                prop_assert!(
                    !k.namespaced(),
                    "refused {:?} / {:?}: {e}",
                    lp.label_selector,
                    lp.field_selector
                );
                return check_refused(&c, &e, &before);
            }
        };
        if sel.is_set() {
            prop_assert!(list.metadata.remaining_item_count.is_none());
        }
        got.extend(list.items.iter().map(|o| serde_json::to_value(o).unwrap()));
        match list.metadata.continue_ {
            Some(t) if !t.is_empty() => lp.continue_token = Some(t),
            _ => break,
        }
    }
    check_unchanged(&c, &before, "a paged list")?;
    let names = |v: &[Value]| v.iter().map(key_of).collect::<Vec<_>>();
    prop_assert_eq!(
        names(&got),
        names(&expected),
        "labels {:?} fields {:?} limit {}",
        sel.label_selector(),
        sel.field_selector(),
        limit
    );
    prop_assert_eq!(got, expected);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Watch
// ---------------------------------------------------------------------------------------

/// The events a watch sends within a short time (the stream may stay open).
async fn drain(
    mut events: kobj_core::WatchStream,
) -> Vec<kobj_core::Result<WatchEvent<DynamicObject>>> {
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_millis(300);
    while let Ok(Some(e)) = tokio::time::timeout_at(
        deadline.min(tokio::time::Instant::now() + Duration::from_millis(30)),
        events.next(),
    )
    .await
    {
        out.push(e);
        if out.len() > 100 {
            break;
        }
    }
    out
}

#[derive(Clone, Debug)]
struct WatchInput {
    kind: Kind,
    namespace: Option<String>,
    label_selector: Option<String>,
    field_selector: Option<String>,
    timeout: Option<u32>,
    bookmarks: bool,
    send_initial_events: bool,
    rv: String,
}

fn watch_input() -> impl Strategy<Value = WatchInput> {
    (
        kind(),
        namespace(),
        any_selector(),
        any_selector(),
        prop_oneof![2 => Just(None), 1 => Just(Some(0)), 1 => Just(Some(1)), 1 => Just(Some(u32::MAX))],
        any::<bool>(),
        prop::bool::weighted(0.3),
        read_rv().prop_map(Option::unwrap_or_default),
    )
        .prop_map(
            |(kind, namespace, label_selector, field_selector, timeout, bookmarks, send_initial_events, rv)| {
                WatchInput {
                    kind,
                    namespace,
                    label_selector,
                    field_selector,
                    timeout,
                    bookmarks,
                    send_initial_events,
                    rv,
                }
            },
        )
}

async fn watch_case(input: WatchInput, structured: Option<Selectors>) -> Result<(), TestCaseError> {
    let c = seeded().await;
    let now = now_rv(&c).await;
    let ns = input.namespace.as_deref();
    let full = full_list(&c, input.kind, ns.filter(|_| input.kind.namespaced())).await;
    let wp = WatchParams {
        label_selector: input.label_selector.clone(),
        field_selector: input.field_selector.clone(),
        timeout: input.timeout,
        bookmarks: input.bookmarks,
        send_initial_events: input.send_initial_events,
    };
    let rv = fill_rv(&input.rv, now);
    let before = c.dump_yaml().unwrap();
    let events = match c.watch_objects(&input.kind.resource(), ns, &wp, &rv).await {
        Err(e) => return check_refused(&c, &e, &before),
        Ok(events) => drain(events).await,
    };
    check_unchanged(&c, &before, "a watch")?;
    let mut added = Vec::new();
    for e in events {
        match e {
            Ok(WatchEvent::Added(o)) => added.push(serde_json::to_value(&o).unwrap()),
            Ok(WatchEvent::Error(s)) => prop_assert!(
                (400..=599).contains(&s.code) && !s.message.is_empty(),
                "an ERROR event that is not a failure Status: {s:?}"
            ),
            Ok(WatchEvent::Bookmark(_)) => {}
            Ok(other) => prop_assert!(false, "a change on a cluster nothing writes: {other:?}"),
            Err(e) => prop_assert!(
                matches!(e.code(), Some(400..=599)),
                "not a Kubernetes-shaped error in the stream: {e:?}"
            ),
        }
    }
    // From the current state the ADDED events come in list order; from a past version they
    // replay the history, in the order of the writes.
    let initial = rv.is_empty() || rv == "0" || input.send_initial_events;
    check_items_of_full(&added, &full, initial)?;
    if let Some(sel) = structured
        && initial
    {
        let expected: Vec<Value> = full.iter().filter(|o| sel.matches(o)).cloned().collect();
        prop_assert_eq!(added, expected);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Get
// ---------------------------------------------------------------------------------------

async fn get_case(
    k: Kind,
    ns: Option<String>,
    name: String,
    rv: Option<String>,
) -> Result<(), TestCaseError> {
    let c = seeded().await;
    let now = now_rv(&c).await;
    let ns = ns.as_deref();
    let full = full_list(&c, k, None).await;
    let gp = GetParams {
        resource_version: rv.as_deref().map(|s| fill_rv(s, now)),
    };
    let before = c.dump_yaml().unwrap();
    match c.get_object(&k.resource(), ns, &name, &gp).await {
        Err(e) => check_refused(&c, &e, &before)?,
        Ok(o) => {
            check_unchanged(&c, &before, "a get")?;
            let v = serde_json::to_value(&o).unwrap();
            prop_assert_eq!(o.metadata.name.as_deref(), Some(name.as_str()));
            prop_assert!(full.contains(&v), "got an object no list holds: {v}");
        }
    }
    for sub in [true, false] {
        let r = if sub {
            c.get_object_status(&k.resource(), ns, &name)
                .await
                .map(|_| ())
        } else {
            c.get_scale(&k.resource(), ns, &name).await.map(|_| ())
        };
        match r {
            Err(e) => check_refused(&c, &e, &before)?,
            Ok(()) => check_unchanged(&c, &before, "a subresource get")?,
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Delete
// ---------------------------------------------------------------------------------------

fn fill_preconditions(dp: &mut DeleteParams, target: Option<&DynamicObject>) {
    let uid = target
        .and_then(|o| o.metadata.uid.clone())
        .unwrap_or_else(|| "no-uid".into());
    let rv = target
        .and_then(|o| o.metadata.resource_version.clone())
        .unwrap_or_else(|| "1".into());
    if let Some(p) = dp.preconditions.as_mut() {
        for field in [&mut p.uid, &mut p.resource_version] {
            match field.as_deref() {
                Some(TARGET_UID) => *field = Some(uid.clone()),
                Some(TARGET_RV) => *field = Some(rv.clone()),
                _ => {}
            }
        }
    }
}

async fn delete_case(
    k: Kind,
    ns: Option<String>,
    name: String,
    mut dp: DeleteParams,
) -> Result<(), TestCaseError> {
    let c = seeded().await;
    let ns = ns.as_deref();
    let target = c
        .get_object(&k.resource(), ns, &name, &GetParams::default())
        .await
        .ok();
    fill_preconditions(&mut dp, target.as_ref());
    let before = c.dump_yaml().unwrap();
    let result = c.delete_object(&k.resource(), ns, &name, &dp).await;
    let mismatch = target.as_ref().is_some_and(|t| {
        let pre = dp.preconditions.clone().unwrap_or_default();
        pre.uid
            .as_ref()
            .is_some_and(|u| !u.is_empty() && Some(u) != t.metadata.uid.as_ref())
            || pre
                .resource_version
                .as_ref()
                .is_some_and(|r| !r.is_empty() && Some(r) != t.metadata.resource_version.as_ref())
    });
    match result {
        Err(e) => check_refused(&c, &e, &before)?,
        Ok(done) => {
            prop_assert!(
                !mismatch,
                "a delete with failing preconditions succeeded: {dp:?}"
            );
            prop_assert!(target.is_some(), "deleted {name}, which did not exist");
            if dp.dry_run {
                check_unchanged(&c, &before, "a dry-run delete")?;
            } else {
                let after = c
                    .get_object(&k.resource(), ns, &name, &GetParams::default())
                    .await;
                match (&done, after) {
                    (_, Err(e)) => prop_assert!(e.is_not_found(), "{e}"),
                    (Either::Left(_), Ok(o)) => prop_assert!(
                        o.metadata.deletion_timestamp.is_some(),
                        "a delete left {name} unmarked"
                    ),
                    (Either::Right(s), Ok(_)) => {
                        prop_assert!(false, "a success Status ({s:?}) for an object still there")
                    }
                }
            }
        }
    }
    Ok(())
}

async fn delete_collection_case(
    k: Kind,
    ns: Option<String>,
    sel: Either<Selectors, (Option<String>, Option<String>)>,
    limit: Option<u32>,
    mut dp: DeleteParams,
) -> Result<(), TestCaseError> {
    let c = seeded().await;
    let ns = ns.as_deref();
    fill_preconditions(&mut dp, None);
    let full = full_list(&c, k, ns.filter(|_| k.namespaced())).await;
    let lp = match &sel {
        Either::Left(s) => ListParams {
            label_selector: s.label_selector(),
            field_selector: s.field_selector(),
            limit,
            ..ListParams::default()
        },
        Either::Right((labels, fields)) => ListParams {
            label_selector: labels.clone(),
            field_selector: fields.clone(),
            limit,
            ..ListParams::default()
        },
    };
    let before = c.dump_yaml().unwrap();
    match c.delete_collection(&k.resource(), ns, &dp, &lp).await {
        Err(e) => check_refused(&c, &e, &before)?,
        Ok(Either::Right(s)) => prop_assert!(false, "a Status from deletecollection: {s:?}"),
        Ok(Either::Left(list)) => {
            let names: Vec<_> = list
                .items
                .iter()
                .map(|o| key_of(&serde_json::to_value(o).unwrap()))
                .collect();
            if let Either::Left(s) = &sel {
                let expected: Vec<_> = full.iter().filter(|o| s.matches(o)).map(key_of).collect();
                prop_assert_eq!(&names, &expected, "limit {:?}", limit);
            }
            if dp.dry_run {
                check_unchanged(&c, &before, "a dry-run deletecollection")?;
            } else {
                for (item_ns, name) in &names {
                    let item_ns = Some(item_ns.as_str()).filter(|n| !n.is_empty());
                    if let Ok(o) = c
                        .get_object(&k.resource(), item_ns, name, &GetParams::default())
                        .await
                    {
                        prop_assert!(
                            o.metadata.deletion_timestamp.is_some(),
                            "deletecollection left {name} unmarked"
                        );
                    }
                }
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Status and scale subresources
// ---------------------------------------------------------------------------------------

/// A body near an autoscaling/v1 Scale of the widget `a`.
fn scale_body() -> impl Strategy<Value = Value> {
    (
        type_field("autoscaling/v1"),
        type_field("Scale"),
        metadata(same_name("a")),
        prop_oneof![
            3 => leaf().prop_map(|r| json!({"replicas": r})),
            1 => junk(),
        ],
        prop_oneof![3 => Just(None), 1 => junk().prop_map(Some)],
    )
        .prop_map(|(api_version, kind, metadata, spec, status)| {
            let mut m = serde_json::Map::new();
            if !api_version.is_null() {
                m.insert("apiVersion".into(), api_version);
            }
            if !kind.is_null() {
                m.insert("kind".into(), kind);
            }
            m.insert("metadata".into(), metadata);
            m.insert("spec".into(), spec);
            if let Some(status) = status {
                m.insert("status".into(), status);
            }
            Value::Object(m)
        })
}

#[derive(Clone, Debug)]
enum SubInput {
    StatusPatch(PatchInput),
    StatusReplace(Value),
    ScalePatch(PatchInput),
    ScaleReplace(Value),
}

fn sub_input() -> impl Strategy<Value = SubInput> {
    let widget_patch = patch_case().prop_map(|(_, p)| p).boxed();
    prop_oneof![
        widget_patch.clone().prop_map(SubInput::StatusPatch),
        body("example.com/v1", "Widget", same_name("a")).prop_map(SubInput::StatusReplace),
        prop_oneof![
            2 => widget_patch,
            2 => scale_body().prop_map(PatchInput::Merge),
        ]
        .prop_map(SubInput::ScalePatch),
        scale_body().prop_map(SubInput::ScaleReplace),
    ]
}

/// Replaces the stand-ins of `fuzz/inputs.rs` for the current resourceVersion and uid.
fn fill_in(v: &mut Value, rv: &str, uid: &str) {
    match v {
        Value::String(s) if s == CURRENT_RV => *s = rv.to_owned(),
        Value::String(s) if s == CURRENT_UID => *s = uid.to_owned(),
        Value::Array(items) => items.iter_mut().for_each(|i| fill_in(i, rv, uid)),
        Value::Object(m) => m.values_mut().for_each(|i| fill_in(i, rv, uid)),
        _ => {}
    }
}

fn to_patch(
    input: PatchInput,
    rv: &str,
    uid: &str,
    params: &mut PatchParams,
) -> Result<Patch<Value>, TestCaseError> {
    Ok(match input {
        PatchInput::Merge(mut v) => {
            fill_in(&mut v, rv, uid);
            Patch::Merge(v)
        }
        PatchInput::Json(mut ops) => {
            ops.iter_mut().for_each(|op| fill_in(op, rv, uid));
            let ops = serde_json::from_value(Value::Array(ops));
            prop_assume!(ops.is_ok(), "not a JSON Patch");
            Patch::Json(ops.unwrap())
        }
        PatchInput::Strategic(mut v) => {
            fill_in(&mut v, rv, uid);
            Patch::Strategic(v)
        }
        PatchInput::Apply { mut body, force } => {
            fill_in(&mut body, rv, uid);
            params.field_manager = Some("fuzz".into());
            params.force = force;
            Patch::Apply(body)
        }
    })
}

async fn sub_case(input: SubInput, name: String) -> Result<(), TestCaseError> {
    let c = seeded().await;
    let old = c
        .get_object(&widgets(), Some("default"), &name, &GetParams::default())
        .await
        .ok();
    let rv = old
        .as_ref()
        .and_then(|o| o.metadata.resource_version.clone())
        .unwrap_or_else(|| "1".into());
    let uid = old
        .as_ref()
        .and_then(|o| o.metadata.uid.clone())
        .unwrap_or_else(|| "no-uid".into());
    let mut params = PatchParams::default();
    let before = c.dump_yaml().unwrap();
    let ns = Some("default");
    let w = widgets();
    let result: kobj_core::Result<()> = match input {
        SubInput::StatusPatch(p) => {
            let patch = to_patch(p, &rv, &uid, &mut params)?;
            c.patch_object_status(&w, ns, &name, &patch, &params)
                .await
                .map(|_| ())
        }
        SubInput::StatusReplace(mut v) => {
            fill_in(&mut v, &rv, &uid);
            let o = serde_json::from_value::<DynamicObject>(v);
            prop_assume!(o.is_ok(), "not a DynamicObject");
            c.replace_object_status(&w, ns, &name, &o.unwrap(), &PostParams::default())
                .await
                .map(|_| ())
        }
        SubInput::ScalePatch(p) => {
            let patch = to_patch(p, &rv, &uid, &mut params)?;
            c.patch_scale(&w, ns, &name, &patch, &params)
                .await
                .map(|_| ())
        }
        SubInput::ScaleReplace(mut v) => {
            fill_in(&mut v, &rv, &uid);
            let s = serde_json::from_value::<k8s_openapi::api::autoscaling::v1::Scale>(v);
            prop_assume!(s.is_ok(), "not a Scale");
            c.replace_scale(&w, ns, &name, &s.unwrap(), &PostParams::default())
                .await
                .map(|_| ())
        }
    };
    match result {
        Err(e) => check_refused(&c, &e, &before)?,
        Ok(()) => {
            let Some(old) = old else {
                prop_assert!(false, "a subresource write to {name}, which does not exist");
                return Ok(());
            };
            let new = c
                .get_object(&w, ns, &name, &GetParams::default())
                .await
                .unwrap();
            prop_assert_eq!(new.metadata.uid.as_deref(), Some(uid.as_str()));
            prop_assert_eq!(&new.metadata.labels, &old.metadata.labels);
            // Through a subresource, only status or spec.replicas may change.
            let strip = |o: &DynamicObject| {
                let mut v = serde_json::to_value(o).unwrap();
                v["metadata"] = json!({});
                v.as_object_mut().unwrap().remove("status");
                v["spec"].as_object_mut().map(|s| s.remove("replicas"));
                v
            };
            prop_assert_eq!(strip(&new), strip(&old));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig {
        cases: CASES,
        max_global_rejects: CASES * 16,
        ..ProptestConfig::default()
    })]

    /// Lists with arbitrary parameters: a page of the full list, or a refusal that is a
    /// Status; nothing changes.
    #[test]
    fn list_with_any_parameters_reads_or_refuses(input in list_input()) {
        block_on(list_case(input))?;
    }

    /// Lists continuing from tokens of every shape (real ones of this or another list,
    /// base64 of JSON near a token, junk) with valid selectors: a page of the full list or a
    /// refusal that is a Status.
    #[test]
    fn list_from_any_continue_token_reads_or_refuses(
        kind in kind(),
        namespace in prop_oneof![
            Just(Some("default".to_owned())),
            Just(Some("team".to_owned())),
            Just(None),
        ],
        sel in selectors(false),
        limit in limit(),
        token in token().prop_filter("a token", Option::is_some),
    ) {
        block_on(list_case(ListInput {
            kind,
            namespace,
            label_selector: sel.label_selector(),
            field_selector: None,
            limit,
            token,
            rv: None,
            version_match: None,
        }))?;
    }

    /// Lists with structured selectors and a limit: the pages together are the full list
    /// filtered client-side.
    #[test]
    fn paged_list_selects_what_a_client_filter_selects(
        (k, sel) in kind().prop_flat_map(|k| (Just(k), selectors(matches!(k, Kind::Widgets)))),
        ns in prop_oneof![Just(Some("default".to_owned())), Just(Some("team".to_owned())), Just(None)],
        limit in prop_oneof![Just(0u32), 1u32..4, Just(u32::MAX)],
    ) {
        // A cluster-scoped kind has no `metadata.namespace` field label.
        prop_assume!(k.namespaced() || sel.fields.iter().all(|f| f.field != "metadata.namespace"));
        block_on(paged_selection_case(k, ns, sel, limit))?;
    }

    /// Watches with arbitrary parameters: a stream whose initial events are listed objects,
    /// or a refusal that is a Status; nothing changes.
    #[test]
    fn watch_with_any_parameters_streams_or_refuses(input in watch_input()) {
        block_on(watch_case(input, None))?;
    }

    /// Watches from the current state with structured selectors: the initial events are the
    /// full list filtered client-side.
    #[test]
    fn watch_initial_events_select_what_a_client_filter_selects(
        sel in selectors(true),
        ns in prop_oneof![Just(Some("default".to_owned())), Just(Some("team".to_owned())), Just(None)],
        rv in prop_oneof![Just(String::new()), Just("0".to_owned())],
        send_initial_events in any::<bool>(),
    ) {
        let input = WatchInput {
            kind: Kind::Widgets,
            namespace: ns,
            label_selector: sel.label_selector(),
            field_selector: sel.field_selector(),
            timeout: Some(1),
            bookmarks: true,
            send_initial_events,
            rv,
        };
        block_on(watch_case(input, Some(sel)))?;
    }

    /// Gets (and status and scale gets) of random names with random resourceVersions.
    #[test]
    fn get_with_any_parameters_reads_or_refuses(
        k in kind(),
        ns in namespace(),
        name in read_name(),
        rv in read_rv(),
    ) {
        block_on(get_case(k, ns, name, rv))?;
    }

    /// Deletes with arbitrary options: a refused delete changes nothing, a failing
    /// precondition is refused, a dry run changes nothing, a delete removes or marks.
    #[test]
    fn delete_with_any_options_deletes_or_refuses_cleanly(
        k in kind(),
        ns in namespace(),
        name in read_name(),
        dp in delete_params(),
    ) {
        block_on(delete_case(k, ns, name, dp))?;
    }

    /// Deletecollections with arbitrary options and selectors: the items returned are the
    /// ones a client filter selects, and a refusal changes nothing.
    #[test]
    fn delete_collection_with_any_options_deletes_or_refuses_cleanly(
        (k, sel) in kind().prop_flat_map(|k| {
            let sel = prop_oneof![
                selectors(matches!(k, Kind::Widgets)).prop_map(Either::Left),
                (any_selector(), any_selector()).prop_map(Either::Right),
            ];
            (Just(k), sel)
        }),
        ns in namespace(),
        limit in limit(),
        dp in delete_params(),
    ) {
        prop_assume!(
            k.namespaced()
                || !matches!(&sel, Either::Left(s) if s.fields.iter().any(|f| f.field == "metadata.namespace"))
        );
        block_on(delete_collection_case(k, ns, sel, limit, dp))?;
    }
}

/// Patches and replaces of the status and scale subresources of the widget `a` (or a random
/// name): a refusal changes nothing; a success changes only status or spec.replicas. The
/// strategy nests the patch generators of `fuzz/inputs.rs` one level deeper than their own
/// properties do, and building its value tree in a debug build needs more than a test
/// thread's 2 MiB of stack, so the runner runs on a thread of its own.
#[test]
fn subresource_writes_change_only_their_part_or_refuse() {
    std::thread::Builder::new()
        .stack_size(16 << 20)
        .spawn(|| {
            let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
                cases: CASES,
                max_global_rejects: CASES * 16,
                ..ProptestConfig::default()
            });
            let inputs = (
                sub_input(),
                prop_oneof![6 => Just("a".to_owned()), 1 => read_name()],
            );
            if let Err(e) = runner.run(&inputs, |(input, name)| block_on(sub_case(input, name))) {
                panic!("{e}");
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

// ---------------------------------------------------------------------------------------
// Regressions: the inputs the properties found
// ---------------------------------------------------------------------------------------

/// The list the list property shrank a panic to: a continue token whose key lies past the
/// listed namespace's keys. Here it is the token of an all-namespaces page that ended in
/// `team`, sent with a list of `default`; `BTreeMap::range` panicked ("range start is greater
/// than range end"). Nothing follows such a key in the namespace: an empty last page.
#[tokio::test]
async fn continue_token_past_the_namespace_lists_nothing_not_a_panic() {
    let c = seeded().await;
    let before = c.dump_yaml().unwrap();
    // default/a, b, c, d, owned, team/a: the page ends at team/a.
    let page = c
        .list_objects(&widgets(), None, &ListParams::default().limit(6))
        .await
        .unwrap();
    let token = page.metadata.continue_.unwrap();
    for (ns, token) in [
        ("default", token),
        (
            "team",
            encode_token(
                &json!({"v": "meta.k8s.io/v1", "rv": now_rv(&c).await, "start": "zzz/x\u{0}"}),
                false,
            ),
        ),
    ] {
        for limit in [None, Some(1)] {
            for labels in [None, Some("app=web".to_owned())] {
                let lp = ListParams {
                    continue_token: Some(token.clone()),
                    limit,
                    label_selector: labels,
                    ..ListParams::default()
                };
                let list = c.list_objects(&widgets(), Some(ns), &lp).await.unwrap();
                assert!(list.items.is_empty(), "{ns} {lp:?}: {:?}", list.items);
                assert_eq!(list.metadata.continue_, None);
            }
        }
    }
    assert_eq!(c.dump_yaml().unwrap(), before);
}
