//! A CRD's status comes from the server's controllers after the write that stores it: the
//! naming controller (acceptedNames, NamesAccepted, Established False) and then the
//! establishing controller (Established True), each through `/status` with its own
//! resourceVersion and watch event; names one CRD gives up go to the CRD waiting for them.

use crate::common;

use common::*;
use futures::StreamExt;
use kobj_core::CustomObjects;
use kobj_fake::crd_type;
use kube_core::params::{GetParams, Patch, PatchParams, PostParams, WatchParams};
use kube_core::{DynamicObject, WatchEvent};
use serde_json::{Value, json};

fn crd(plural: &str, kind: &str, list_kind: &str) -> DynamicObject {
    obj(json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("{plural}.names.example.com")},
        "spec": {
            "group": "names.example.com",
            "scope": "Namespaced",
            "names": {"plural": plural, "kind": kind, "listKind": list_kind},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object",
                    "x-kubernetes-preserve-unknown-fields": true}}}],
        },
    }))
}

fn condition(o: &DynamicObject, type_: &str) -> Option<(String, String)> {
    o.data["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == type_)
        .map(|c| {
            (
                c["status"].as_str().unwrap_or_default().to_string(),
                c["reason"].as_str().unwrap_or_default().to_string(),
            )
        })
}

fn pair(status: &str, reason: &str) -> Option<(String, String)> {
    Some((status.to_string(), reason.to_string()))
}

async fn get(c: &kobj_fake::FakeCluster, name: &str) -> DynamicObject {
    c.get_object(&crd_type(), None, name, &GetParams::default())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_watch_sees_the_create_then_the_two_controllers() {
    let c = kobj_fake::FakeCluster::new();
    let mut w = c
        .watch_objects(&crd_type(), None, &WatchParams::default(), "0")
        .await
        .unwrap();
    let created = c
        .create_object(
            &crd_type(),
            None,
            &crd("foos", "Foo", "FooList"),
            &PostParams::default(),
        )
        .await
        .unwrap();
    assert_eq!(created.data["status"]["conditions"], Value::Null);
    assert_eq!(created.data["status"]["storedVersions"], json!(["v1"]));
    let mut events = Vec::new();
    while events.len() < 3 {
        match w.next().await.unwrap().unwrap() {
            WatchEvent::Bookmark(_) => {}
            e => events.push(e),
        }
    }
    let (added, named, established) = match &events[..] {
        [
            WatchEvent::Added(a),
            WatchEvent::Modified(n),
            WatchEvent::Modified(e),
        ] => (a, n, e),
        other => panic!("events {other:?}"),
    };
    assert_eq!(
        added.metadata.resource_version,
        created.metadata.resource_version
    );
    assert_eq!(condition(added, "NamesAccepted"), None);
    assert_eq!(
        condition(named, "NamesAccepted"),
        pair("True", "NoConflicts")
    );
    assert_eq!(condition(named, "Established"), pair("False", "Installing"));
    assert_eq!(
        named.data["status"]["acceptedNames"],
        json!({"plural": "foos", "singular": "foo", "kind": "Foo", "listKind": "FooList"})
    );
    assert_eq!(
        condition(established, "Established"),
        pair("True", "InitialNamesAccepted")
    );
    let rv = |o: &DynamicObject| {
        o.metadata
            .resource_version
            .as_deref()
            .unwrap()
            .parse::<u64>()
            .unwrap()
    };
    assert!(rv(added) < rv(named) && rv(named) < rv(established));
    // The creator owns no part of the status; kube-apiserver owns what it wrote.
    let entries = established.metadata.managed_fields.clone().unwrap();
    let creator = entries
        .iter()
        .find(|e| e.manager.as_deref() != Some("kube-apiserver"))
        .unwrap();
    assert!(
        creator
            .fields_v1
            .as_ref()
            .unwrap()
            .0
            .get("f:status")
            .is_none()
    );
    assert!(
        entries
            .iter()
            .any(|e| e.manager.as_deref() == Some("kube-apiserver")
                && e.subresource.as_deref() == Some("status"))
    );
}

#[tokio::test]
async fn a_dry_run_create_answers_without_conditions_and_stores_nothing() {
    let c = kobj_fake::FakeCluster::new();
    let before = c.dump_yaml().unwrap();
    let pp = PostParams {
        dry_run: true,
        ..PostParams::default()
    };
    let answer = c
        .create_object(&crd_type(), None, &crd("foos", "Foo", "FooList"), &pp)
        .await
        .unwrap();
    assert_eq!(condition(&answer, "Established"), None);
    assert_eq!(c.dump_yaml().unwrap(), before);
}

#[tokio::test]
async fn a_new_short_name_is_accepted_by_the_naming_controller() {
    let c = kobj_fake::FakeCluster::new();
    c.create_object(
        &crd_type(),
        None,
        &crd("foos", "Foo", "FooList"),
        &PostParams::default(),
    )
    .await
    .unwrap();
    let name = "foos.names.example.com";
    let before = get(&c, name).await;
    c.patch_object(
        &crd_type(),
        None,
        name,
        &Patch::Merge(json!({"spec": {"names": {"shortNames": ["fo"]}}})),
        &PatchParams::default(),
    )
    .await
    .unwrap();
    let after = get(&c, name).await;
    assert_eq!(
        after.data["status"]["acceptedNames"]["shortNames"],
        json!(["fo"])
    );
    // The condition's status did not change, so neither did its time.
    let time = |o: &DynamicObject| {
        o.data["status"]["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["type"] == "NamesAccepted")
            .unwrap()["lastTransitionTime"]
            .clone()
    };
    assert_eq!(time(&after), time(&before));
}

#[tokio::test]
async fn a_kind_given_up_by_a_rename_goes_to_the_crd_waiting_for_it() {
    let c = kobj_fake::FakeCluster::new();
    for (plural, list_kind) in [("foos", "FooList"), ("bars", "BarList")] {
        c.create_object(
            &crd_type(),
            None,
            &crd(plural, "Foo", list_kind),
            &PostParams::default(),
        )
        .await
        .unwrap();
    }
    let bars = "bars.names.example.com";
    let waiting = get(&c, bars).await;
    // The kind conflicts, and so does the defaulted singular `foo`; the kind is checked
    // later, so it names the reason.
    assert_eq!(
        condition(&waiting, "NamesAccepted"),
        pair("False", "KindConflict")
    );
    assert_eq!(
        condition(&waiting, "Established"),
        pair("False", "NotAccepted")
    );
    // foos takes the kind Baz (and the singular baz: bars wants the singular foo too): its
    // naming controller gives up Foo and foo and requeues the group.
    c.patch_object(
        &crd_type(),
        None,
        "foos.names.example.com",
        &Patch::Merge(
            json!({"spec": {"names": {"kind": "Baz", "listKind": "BazList", "singular": "baz"}}}),
        ),
        &PatchParams::default(),
    )
    .await
    .unwrap();
    let accepted = get(&c, bars).await;
    assert_eq!(
        condition(&accepted, "NamesAccepted"),
        pair("True", "NoConflicts")
    );
    assert_eq!(
        condition(&accepted, "Established"),
        pair("True", "InitialNamesAccepted")
    );
    assert_eq!(accepted.data["status"]["acceptedNames"]["kind"], "Foo");
}
