//! Property tests for reads: list, watch and get with arbitrary parameters get a result or
//! a Kubernetes-shaped error (an API `Status` with a 4xx or 5xx code), never a panic; reads
//! never change the stored state (`dump_yaml`); a list selects exactly what a client-side
//! filter of the full list selects (for selectors whose meaning the test computes), page
//! after page. Deletes and subresource writes are in `fuzz_deletes.rs`.
//!
//! The parameters are generated near valid syntax (see `fuzz/reads.rs`): selectors of every
//! form and junk built from their tokens, limits from 0 to `u32::MAX`, continue tokens from
//! real ones to base64 of junk JSON, resourceVersions ahead of the cluster, malformed or
//! absent. Each case runs on a fresh cluster, so a failure shrinks to an input that replays
//! alone.

use crate::common;
use crate::fuzz::cluster;
use crate::fuzz::reads;
use crate::fuzz::support;

use std::time::Duration;

use cluster::*;
use common::*;
use futures::StreamExt;
use kobj_core::CustomObjects;
use kobj_fake::FakeCluster;
use kube_core::params::{GetParams, ListParams, WatchParams};
use kube_core::{DynamicObject, WatchEvent};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use reads::*;
use serde_json::{Value, json};
use support::*;

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
// Properties
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(16))]

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
}
// ---------------------------------------------------------------------------------------
// Regressions: the inputs the properties found
// ---------------------------------------------------------------------------------------

/// The list the list property shrank a panic to: a continue token whose key lies past the
/// listed namespace's keys. Here it is the token of an all-namespaces page that ended in
/// `team/a`, sent with a list of `default` (where its key is the name `team/a`, after every
/// name there), and a hand-made `zzz/x` sent with `team`; `BTreeMap::range` panicked ("range
/// start is greater than range end"). Nothing follows such a key: an empty last page.
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
