//! core/v1 and events.k8s.io/v1 Events: one storage, two views (`builtins::conversion`).

use crate::common;

use common::*;
use futures::StreamExt;
use kobj_core::{CustomObjects, ResourceType};
use kobj_fake::FakeCluster;
use kube_core::WatchEvent;
use kube_core::params::{
    DeleteParams, GetParams, ListParams, Patch, PatchParams, PostParams, WatchParams,
};
use serde_json::{Value, json};

fn core_events() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::core::v1::Event>()
}

fn new_events() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::events::v1::Event>()
}

/// What kube-runtime's `Recorder` publishes: an events.k8s.io/v1 Event about a widget.
fn recorded(name: &str) -> Value {
    json!({
        "apiVersion": "events.k8s.io/v1", "kind": "Event",
        "metadata": {"name": name, "namespace": "default"},
        "eventTime": "2026-01-01T00:00:00.000000Z",
        "reportingController": "example.com/widget-controller",
        "reportingInstance": "widget-controller-0",
        "action": "Reconcile", "reason": "Synced", "note": "synced the widget",
        "type": "Normal",
        "regarding": {"apiVersion": "example.com/v1", "kind": "Widget", "name": "w",
            "namespace": "default", "uid": "u-1"}
    })
}

async fn get(c: &FakeCluster, rt: &ResourceType, name: &str) -> Value {
    let o = c
        .get_object(rt, Some("default"), name, &GetParams::default())
        .await
        .unwrap();
    serde_json::to_value(o).unwrap()
}

async fn names(c: &FakeCluster, rt: &ResourceType, fields: &str) -> Vec<String> {
    let lp = ListParams::default().fields(fields);
    let list = c.list_objects(rt, Some("default"), &lp).await.unwrap();
    list.items
        .into_iter()
        .filter_map(|o| o.metadata.name)
        .collect()
}

#[tokio::test]
async fn an_event_published_through_events_v1_is_a_core_event_too() {
    let c = FakeCluster::new();
    let created = created(&c, &new_events(), recorded("w.1")).await;
    assert_eq!(created["apiVersion"], "events.k8s.io/v1");
    assert_eq!(created["note"], "synced the widget");
    assert_eq!(created.get("message"), None);

    let core = get(&c, &core_events(), "w.1").await;
    assert_eq!(core["apiVersion"], "v1");
    assert_eq!(core["kind"], "Event");
    assert_eq!(core["message"], "synced the widget");
    assert_eq!(core["involvedObject"], created["regarding"]);
    assert_eq!(core["reportingComponent"], "example.com/widget-controller");
    assert_eq!(core["reportingInstance"], "widget-controller-0");
    assert_eq!(core["eventTime"], "2026-01-01T00:00:00.000000Z");
    // The core struct's always-present fields, and none of the other version's names.
    assert_eq!(core["source"], json!({}));
    assert_eq!(core["firstTimestamp"], Value::Null);
    for absent in [
        "note",
        "regarding",
        "reportingController",
        "deprecatedSource",
    ] {
        assert_eq!(core.get(absent), None, "{absent}");
    }
    // One object: the same uid and resourceVersion through both.
    assert_eq!(
        core["metadata"]["resourceVersion"],
        created["metadata"]["resourceVersion"]
    );
    assert_eq!(core["metadata"]["uid"], created["metadata"]["uid"]);
    assert_eq!(get(&c, &new_events(), "w.1").await, created);

    // The dump holds it once, as the core/v1 Event the server stores.
    let dump = c.dump_yaml().unwrap();
    assert_eq!(dump.matches("name: w.1").count(), 1, "{dump}");
    assert!(dump.contains("apiVersion: v1\nkind: Event\n"), "{dump}");
    assert!(
        !dump.contains("apiVersion: events.k8s.io/v1\nkind: Event"),
        "{dump}"
    );
}

#[tokio::test]
async fn a_core_event_reads_through_events_v1_with_its_deprecated_fields() {
    let c = FakeCluster::new();
    created(
        &c,
        &core_events(),
        json!({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "p.1", "namespace": "default"},
            "involvedObject": {"kind": "Pod", "name": "p", "namespace": "default"},
            "reason": "Started", "message": "Started container app", "type": "Normal",
            "source": {"component": "kubelet", "host": "node-1"}, "count": 3,
            "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:00:09Z"
        }),
    )
    .await;
    let ev = get(&c, &new_events(), "p.1").await;
    assert_eq!(ev["apiVersion"], "events.k8s.io/v1");
    assert_eq!(ev["note"], "Started container app");
    assert_eq!(
        ev["regarding"],
        json!({"kind": "Pod", "name": "p", "namespace": "default"})
    );
    assert_eq!(
        ev["deprecatedSource"],
        json!({"component": "kubelet", "host": "node-1"})
    );
    assert_eq!(ev["deprecatedCount"], 3);
    assert_eq!(ev["deprecatedFirstTimestamp"], "2026-01-01T00:00:00Z");
    assert_eq!(ev["deprecatedLastTimestamp"], "2026-01-01T00:00:09Z");
    assert_eq!(ev["eventTime"], Value::Null);
    // `reportingComponent: ""` of the core struct is an omitted `reportingController`.
    for absent in [
        "message",
        "count",
        "reportingController",
        "reportingInstance",
    ] {
        assert_eq!(ev.get(absent), None, "{absent}");
    }
    // Typed reads decode through both versions.
    let typed: k8s_openapi::api::events::v1::Event = serde_json::from_value(ev).unwrap();
    assert_eq!(typed.deprecated_count, Some(3));
}

#[tokio::test]
async fn field_selectors_use_each_versions_labels() {
    let c = FakeCluster::new();
    created(&c, &new_events(), recorded("w.1")).await;
    let mut other = recorded("v.1");
    other["regarding"]["name"] = json!("v");
    other["reportingController"] = json!("example.com/other");
    created(&c, &new_events(), other).await;

    assert_eq!(
        names(&c, &core_events(), "involvedObject.name=w").await,
        ["w.1"]
    );
    assert_eq!(names(&c, &new_events(), "regarding.name=w").await, ["w.1"]);
    assert_eq!(
        names(&c, &new_events(), "reportingController=example.com/other").await,
        ["v.1"]
    );
    assert_eq!(
        names(&c, &core_events(), "reportingComponent=example.com/other").await,
        ["v.1"]
    );
    assert_eq!(
        names(
            &c,
            &new_events(),
            "regarding.kind=Widget,reason=Synced,type=Normal"
        )
        .await,
        ["v.1", "w.1"]
    );
    // Each version accepts only its own labels.
    for (rt, label) in [
        (new_events(), "involvedObject.name"),
        (new_events(), "reportingComponent"),
        (core_events(), "regarding.name"),
    ] {
        let lp = ListParams::default().fields(&format!("{label}=w"));
        let e = c.list_objects(&rt, Some("default"), &lp).await.unwrap_err();
        assert_eq!(
            code_and_message(&e),
            (400, format!("field label not supported: {label}"))
        );
    }
}

#[tokio::test]
async fn writes_through_either_version_reach_watchers_of_both() {
    let c = FakeCluster::new();
    let wp = WatchParams::default();
    let mut core_watch = c
        .watch_objects(&core_events(), Some("default"), &wp, "0")
        .await
        .unwrap();
    let mut new_watch = c
        .watch_objects(&new_events(), Some("default"), &wp, "0")
        .await
        .unwrap();
    created(&c, &new_events(), recorded("w.1")).await;
    // The Recorder's next publish of the same event: a merge patch of its series.
    let series = json!({"series": {"count": 2, "lastObservedTime": "2026-01-01T00:00:30.000000Z"}});
    let patched = c
        .patch_object(
            &new_events(),
            Some("default"),
            "w.1",
            &Patch::Merge(series.clone()),
            &PatchParams::default(),
        )
        .await
        .unwrap();
    let patched = serde_json::to_value(patched).unwrap();
    assert_eq!(patched["series"], series["series"]);
    // A core client replaces it (the resourceVersion read through one view is the other's).
    let mut core = get(&c, &core_events(), "w.1").await;
    assert_eq!(core["series"], series["series"]);
    core["message"] = json!("synced again");
    let replaced = c
        .replace_object(
            &core_events(),
            Some("default"),
            "w.1",
            &obj(core),
            &PostParams::default(),
        )
        .await
        .unwrap();
    c.delete_object(
        &new_events(),
        Some("default"),
        "w.1",
        &DeleteParams::default(),
    )
    .await
    .unwrap();
    assert!(names(&c, &core_events(), "").await.is_empty());

    let mut seen = Vec::new();
    while seen.len() < 4 {
        let event = core_watch.next().await.unwrap().unwrap();
        let (kind, o) = match event {
            WatchEvent::Added(o) => ("ADDED", o),
            WatchEvent::Modified(o) => ("MODIFIED", o),
            WatchEvent::Deleted(o) => ("DELETED", o),
            WatchEvent::Bookmark(_) => continue,
            WatchEvent::Error(e) => panic!("{e:?}"),
        };
        let o = serde_json::to_value(o).unwrap();
        assert_eq!(o["apiVersion"], "v1");
        seen.push((kind, o["message"].clone()));
    }
    assert_eq!(
        seen,
        [
            ("ADDED", json!("synced the widget")),
            ("MODIFIED", json!("synced the widget")),
            ("MODIFIED", json!("synced again")),
            ("DELETED", json!("synced again")),
        ]
    );
    let mut notes = Vec::new();
    while notes.len() < 4 {
        let event = new_watch.next().await.unwrap().unwrap();
        let o = match event {
            WatchEvent::Added(o) | WatchEvent::Modified(o) | WatchEvent::Deleted(o) => o,
            WatchEvent::Bookmark(_) => continue,
            WatchEvent::Error(e) => panic!("{e:?}"),
        };
        let o = serde_json::to_value(o).unwrap();
        assert_eq!(o["apiVersion"], "events.k8s.io/v1");
        assert_eq!(o.get("message"), None);
        notes.push(o["note"].clone());
    }
    assert_eq!(
        notes,
        [
            "synced the widget",
            "synced the widget",
            "synced again",
            "synced again"
        ]
    );
    assert_eq!(
        serde_json::to_value(replaced).unwrap()["message"],
        "synced again"
    );
}

#[tokio::test]
async fn dry_run_answers_in_the_requests_version_and_stores_nothing() {
    let c = FakeCluster::new();
    let before = c.dump_yaml().unwrap();
    let pp = PostParams {
        dry_run: true,
        ..PostParams::default()
    };
    let o = c
        .create_object(&new_events(), Some("default"), &obj(recorded("w.1")), &pp)
        .await
        .unwrap();
    let o = serde_json::to_value(o).unwrap();
    assert_eq!(o["note"], "synced the widget");
    assert_eq!(o.get("message"), None);
    assert_eq!(c.dump_yaml().unwrap(), before);
}

#[tokio::test]
async fn a_name_taken_through_one_version_is_taken_in_the_other() {
    let c = FakeCluster::new();
    created(&c, &new_events(), recorded("w.1")).await;
    let e = c
        .create_object(
            &core_events(),
            Some("default"),
            &obj(json!({"apiVersion": "v1", "kind": "Event",
                "metadata": {"name": "w.1", "namespace": "default"},
                "involvedObject": {"kind": "Pod", "name": "p", "namespace": "default"}})),
            &PostParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        code_and_message(&e),
        (409, "events \"w.1\" already exists".to_string())
    );
}

/// A 422 for `body` created as `rt`, with the stored state unchanged.
async fn refused(c: &FakeCluster, rt: &ResourceType, body: Value) -> String {
    let before = c.dump_yaml().unwrap();
    let e = c
        .create_object(rt, Some("default"), &obj(body), &PostParams::default())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(422), "{e}");
    assert_eq!(c.dump_yaml().unwrap(), before);
    message(&e)
}

#[tokio::test]
async fn events_v1_creates_are_validated_strictly_and_core_ones_leniently() {
    let c = FakeCluster::new();
    // What core/v1 takes from an old client (no eventTime) events.k8s.io/v1 refuses.
    let old_style = json!({
        "metadata": {"name": "p.1", "namespace": "default"},
        "involvedObject": {"kind": "Pod", "name": "p", "namespace": "default"},
        "reason": "Started", "source": {"component": "kubelet"}, "count": 1,
        "firstTimestamp": "2026-01-01T00:00:00Z", "type": "Normal"
    });
    let mut core = old_style.clone();
    core["apiVersion"] = json!("v1");
    core["kind"] = json!("Event");
    created(&c, &core_events(), core).await;
    let mut new = recorded("w.2");
    new["deprecatedSource"] = json!({"component": "kubelet"});
    new["deprecatedCount"] = json!(1);
    new["deprecatedFirstTimestamp"] = json!("2026-01-01T00:00:00Z");
    new["type"] = json!("Info");
    new["series"] = json!({"count": 1});
    new.as_object_mut().unwrap().remove("eventTime");
    new.as_object_mut().unwrap().remove("action");
    assert_eq!(
        refused(&c, &new_events(), new).await,
        "Event.events.k8s.io \"w.2\" is invalid: [series.count: Invalid value: \"\": should be at least 2, \
         series.lastObservedTime: Required value, eventTime: Required value, \
         type: Invalid value: \"\": has invalid value: Info, \
         firstTimestamp: Invalid value: \"\": needs to be unset, \
         count: Invalid value: \"\": needs to be unset, source: Invalid value: \"\": needs to be unset]"
    );
    // With an eventTime, both versions ask for the reporting fields; each names the
    // controller's field as its own version does.
    let mut bare = json!({
        "metadata": {"name": "x.1", "namespace": "default"},
        "eventTime": "2026-01-01T00:00:00.000000Z", "type": "Normal",
        "note": "n".repeat(1025), "message": "n".repeat(1025)
    });
    bare["apiVersion"] = json!("events.k8s.io/v1");
    bare["kind"] = json!("Event");
    let qualified = "name part must consist of alphanumeric characters, '-', '_' or '.', and must \
        start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', \
        regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    let expected = |field: &str, kind: &str| {
        format!(
            "{kind} \"x.1\" is invalid: [{field}: Required value, \
             {field}: Invalid value: \"\": name part must be non-empty, \
             {field}: Invalid value: \"\": {qualified}, reportingInstance: Required value, \
             action: Required value, reason: Required value, \
             message: Invalid value: \"\": can have at most 1024 characters]"
        )
    };
    let mut events_body = bare.clone();
    events_body.as_object_mut().unwrap().remove("message");
    assert_eq!(
        refused(&c, &new_events(), events_body).await,
        expected("reportingController", "Event.events.k8s.io")
    );
    let mut core_body = bare;
    core_body.as_object_mut().unwrap().remove("note");
    core_body["apiVersion"] = json!("v1");
    assert_eq!(
        refused(&c, &core_events(), core_body).await,
        expected("reportingComponent", "Event")
    );
    // An Event in another namespace than its object's.
    let mut elsewhere = recorded("w.3");
    elsewhere["regarding"]["namespace"] = json!("");
    elsewhere["metadata"]["namespace"] = json!("default");
    created(&c, &new_events(), elsewhere).await;
    let mut core = old_style;
    core["apiVersion"] = json!("v1");
    core["kind"] = json!("Event");
    core["metadata"]["name"] = json!("p.2");
    core["involvedObject"]["namespace"] = json!("team");
    assert_eq!(
        refused(&c, &core_events(), core).await,
        "Event \"p.2\" is invalid: involvedObject.namespace: Invalid value: \"team\": \
         does not match event.namespace"
    );
}

#[tokio::test]
async fn events_v1_updates_may_change_only_the_series() {
    let c = FakeCluster::new();
    let mut e = recorded("w.1");
    e["related"] = json!({"kind": "Secret", "name": "s", "namespace": "default"});
    created(&c, &new_events(), e).await;
    let patch = |p: Value| {
        let c = c.clone();
        async move {
            c.patch_object(
                &new_events(),
                Some("default"),
                "w.1",
                &Patch::Merge(p),
                &PatchParams::default(),
            )
            .await
        }
    };
    let e = patch(json!({"series": {"count": 1}})).await.unwrap_err();
    assert_eq!(
        message(&e),
        "Event.events.k8s.io \"w.1\" is invalid: [series.count: Invalid value: \"\": should be at least 2, \
         series.lastObservedTime: Required value]"
    );
    // (`reason` is checked twice; the message names it once, as the aggregate drops repeats.)
    let e = patch(json!({
        "note": "other", "reason": "Other", "eventTime": "2026-01-02T00:00:00.500000Z",
        "regarding": {"name": "v"}, "related": null, "reportingInstance": "i-1"
    }))
    .await
    .unwrap_err();
    assert_eq!(
        message(&e),
        "Event.events.k8s.io \"w.1\" is invalid: [\
         involvedObject: Invalid value: {\"Kind\":\"Widget\",\"Namespace\":\"default\",\"Name\":\"v\",\
         \"UID\":\"u-1\",\"APIVersion\":\"example.com/v1\",\"ResourceVersion\":\"\",\"FieldPath\":\"\"}: \
         field is immutable, \
         reason: Invalid value: \"Other\": field is immutable, \
         message: Invalid value: \"other\": field is immutable, \
         eventTime: Invalid value: 2026-01-02 00:00:00.5 +0000 UTC: field is immutable, \
         related: Invalid value: null: field is immutable, \
         reportingInstance: Invalid value: \"i-1\": field is immutable]"
    );
    // Through core/v1 the same change is taken.
    let mut core = get(&c, &core_events(), "w.1").await;
    core["message"] = json!("other");
    c.replace_object(
        &core_events(),
        Some("default"),
        "w.1",
        &obj(core),
        &PostParams::default(),
    )
    .await
    .unwrap();
    // And the series may grow through either.
    patch(json!({"series": {"count": 2, "lastObservedTime": "2026-01-01T00:00:30.000000Z"}}))
        .await
        .unwrap();
}
