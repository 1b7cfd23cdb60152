//! Update tracking's shortcuts against the general path: a new object's one-walk `fieldsV1`
//! and the kept stored list of a read-modify-write.

use super::super::tests::{ctx, deployment, managed, manager_names};
use super::super::{FieldManagement, apply, strip_meta};
use super::{keep_stored_ownership, track_every_entry, track_update, track_update_from};
use crate::patch::compare::changed;
use serde_json::{Value, json};

/// The general path's `fieldsV1` for a new object: the field set, stripped, encoded.
fn general_fields_v1(obj: &Value, ctx: &FieldManagement<'_>) -> Value {
    let mut set = changed(None, obj, ctx.root_ty(), ctx.empty_object());
    strip_meta(&mut set);
    set.to_fields_v1()
}

#[test]
fn one_pass_fields_v1_of_a_new_object_matches_the_field_set_path() {
    let pod = |containers: Value| {
        json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "ns", "uid": "u", "generation": 1,
                "labels": {"a": "b"}, "annotations": {}, "finalizers": ["x", "y"],
                "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "c", "uid": "1"}]},
            "spec": {"containers": containers, "volumes": [],
                "nodeSelector": {"k": "v"}, "hostAliases": null,
                "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution":
                    {"nodeSelectorTerms": [{"matchExpressions": []}]}}}},
            "extra": {"nested": {"deep": 1}, "empty": {}}})
    };
    let pod_ctx = FieldManagement {
        api_version: "v1",
        group: "",
        kind: "Pod",
        ..ctx("m", 1)
    };
    let cases = [
        (deployment(2), ctx("m", 1)),
        (
            pod(
                json!([{"name": "a", "image": "i", "ports": [{"containerPort": 80}, {"containerPort": 81, "protocol": "UDP"}],
                "args": ["x"], "env": [{"name": "E", "value": "1"}]}]),
            ),
            pod_ctx.clone(),
        ),
        // A keyed item without its key: the list is owned as a whole.
        (pod(json!([{"image": "i"}])), pod_ctx.clone()),
        (
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
                "data": {"a": "1"}, "binaryData": {}}),
            FieldManagement {
                api_version: "v1",
                group: "",
                kind: "ConfigMap",
                ..ctx("m", 1)
            },
        ),
        (
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}),
            FieldManagement {
                api_version: "v1",
                group: "",
                kind: "ConfigMap",
                ..ctx("m", 1)
            },
        ),
        // Server-set metadata: scalars are left out of the walk, maps and lists in those
        // places lose only their member mark, as stripping does.
        (
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "c", "namespace": "n", "uid": "u", "resourceVersion": "7",
                    "generation": 3, "creationTimestamp": "2026-01-01T00:00:00Z",
                    "selfLink": null, "clusterName": "",
                    "managedFields": [{"manager": "x", "operation": "Update"}],
                    "labels": {"name": "kept", "uid": "kept"}},
                "data": {"kind": "kept", "apiVersion": "kept", "metadata": "kept"}}),
            FieldManagement {
                api_version: "v1",
                group: "",
                kind: "ConfigMap",
                ..ctx("m", 1)
            },
        ),
        (
            json!({"apiVersion": {"odd": 1}, "kind": ["odd"],
                "metadata": {"name": {"odd": true}, "uid": [1], "generation": {}}}),
            FieldManagement {
                api_version: "v1",
                group: "",
                kind: "ConfigMap",
                ..ctx("m", 1)
            },
        ),
        (
            json!({"apiVersion": "x/v1", "kind": "Unknown", "metadata": {},
                "spec": {"list": [1, 2], "m": {"a": [{"b": null}]}}}),
            FieldManagement {
                api_version: "x/v1",
                group: "x",
                kind: "Unknown",
                ..ctx("m", 1)
            },
        ),
    ];
    for (obj, c) in &cases {
        let fast =
            crate::patch::fields_v1::of_new_object(obj, c.root_ty(), c.empty_object()).unwrap();
        assert_eq!(Value::Object(fast), general_fields_v1(obj, c), "{obj}");
    }
    // Duplicate keyed items take the general path.
    let dup = pod(json!([{"name": "a"}, {"name": "a", "image": "i"}]));
    assert!(
        crate::patch::fields_v1::of_new_object(&dup, pod_ctx.root_ty(), pod_ctx.empty_object())
            .is_none()
    );
    let mut tracked = dup.clone();
    track_update(None, &mut tracked, &pod_ctx);
    assert_eq!(
        managed(&tracked)[0]["fieldsV1"],
        general_fields_v1(&dup, &pod_ctx)
    );
}

/// Runs one update both ways: `track_update` (which takes the stored list as it is when it
/// can) must write exactly what the general path writes. Returns whether the stored list was
/// kept, and the updated object.
fn update_both_ways(old: &Value, body: &Value, ctx: &FieldManagement<'_>) -> (bool, Value) {
    let mut kept = body.clone();
    let took_stored = keep_stored_ownership(old, &mut kept, ctx);
    if !took_stored {
        assert_eq!(
            &kept, body,
            "a refused shortcut leaves the object as it was"
        );
    }
    let mut general = body.clone();
    track_every_entry(Some(old), &mut general, ctx);
    let mut tracked = body.clone();
    track_update(Some(old), &mut tracked, ctx);
    assert_eq!(tracked, general, "{body}");
    // The same from the old version's stored encoding, read in place.
    let bytes = crate::store::codec::encode(old);
    let mut in_place = body.clone();
    let took_in_place = keep_stored_ownership(crate::store::View::new(&bytes), &mut in_place, ctx);
    assert_eq!(took_in_place, took_stored, "{body}");
    let mut in_place = body.clone();
    track_update_from(Some(crate::store::View::new(&bytes)), &mut in_place, ctx);
    assert_eq!(in_place, general, "{body}");
    (took_stored, tracked)
}

#[test]
fn keeping_the_stored_list_writes_what_the_general_path_writes() {
    let mut created = deployment(1);
    track_update(None, &mut created, &ctx("creator", 10));
    let mut scaled = created.clone();
    scaled["spec"]["replicas"] = json!(2);
    let (_, scaled) = update_both_ways(&created, &scaled, &ctx("scaler", 20));
    assert_eq!(managed(&scaled).as_array().unwrap().len(), 2);

    // The creator changes a label it alone owns, sending the list back: retimed, and now
    // sorted after the scaler (Update entries sort by time).
    let mut body = scaled.clone();
    body["metadata"]["labels"]["app"] = json!("web2");
    let (kept, out) = update_both_ways(&scaled, &body, &ctx("creator", 30));
    assert!(kept);
    assert_eq!(managed(&out)[0]["manager"], "scaler");
    assert_eq!(managed(&out)[1]["manager"], "creator");
    assert_eq!(managed(&out)[1]["time"], "1970-01-01T00:00:30Z");

    // The same without managedFields in the body: the stored list is carried over.
    body["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("managedFields");
    assert!(update_both_ways(&scaled, &body, &ctx("creator", 30)).0);
    // An empty list in the body is ignored the same way.
    body["metadata"]["managedFields"] = json!([]);
    assert!(update_both_ways(&scaled, &body, &ctx("creator", 30)).0);

    // The scaler changes what it owns.
    let mut body = scaled.clone();
    body["spec"]["replicas"] = json!(5);
    assert!(update_both_ways(&scaled, &body, &ctx("scaler", 40)).0);

    // A write that changes nothing keeps the list and its times, whoever writes.
    assert!(update_both_ways(&scaled, &scaled, &ctx("nobody", 50)).0);

    // Not kept: a field another manager owns, a field nobody owns, a new manager, another
    // apiVersion of the same manager, a list in the body that differs from the stored one.
    let mut body = scaled.clone();
    body["spec"]["replicas"] = json!(7);
    assert!(!update_both_ways(&scaled, &body, &ctx("creator", 60)).0);
    let mut body = scaled.clone();
    body["spec"]["minReadySeconds"] = json!(3);
    assert!(!update_both_ways(&scaled, &body, &ctx("creator", 60)).0);
    let mut body = scaled.clone();
    body["metadata"]["labels"]["app"] = json!("x");
    assert!(!update_both_ways(&scaled, &body, &ctx("newcomer", 60)).0);
    let beta = FieldManagement {
        api_version: "apps/v1beta1",
        ..ctx("creator", 60)
    };
    assert!(!update_both_ways(&scaled, &body, &beta).0);
    let mut reset = body.clone();
    reset["metadata"]["managedFields"] = json!([{}]);
    assert!(!update_both_ways(&scaled, &reset, &ctx("creator", 60)).0);
    let mut edited = body.clone();
    edited["metadata"]["managedFields"][0]["time"] = json!("2000-01-01T00:00:00Z");
    assert!(!update_both_ways(&scaled, &edited, &ctx("creator", 60)).0);
    // Nor when that list is the only difference.
    let mut only_list = scaled.clone();
    only_list["metadata"]["managedFields"][0]["manager"] = json!("renamed");
    assert!(!update_both_ways(&scaled, &only_list, &ctx("nobody", 60)).0);

    // Through the status subresource: the first write adds an entry, the next is retimed;
    // the body's managedFields are ignored there, as everywhere on a subresource.
    let mut status = ctx("controller", 70);
    status.subresource = Some("status");
    let mut body = scaled.clone();
    body["status"] = json!({"replicas": 1});
    let (kept, with_status) = update_both_ways(&scaled, &body, &status);
    assert!(!kept);
    let mut body = with_status.clone();
    body["status"]["replicas"] = json!(2);
    body["metadata"]["managedFields"] = json!([{}]);
    let mut status = ctx("controller", 80);
    status.subresource = Some("status");
    let (kept, out) = update_both_ways(&with_status, &body, &status);
    assert!(kept);
    assert_eq!(managed(&out).as_array().unwrap().len(), 3);

    // Beside an applier.
    let applied = apply(None, &deployment(2), &ctx("applier", 90), false).unwrap();
    let mut body = applied.clone();
    body["spec"]["paused"] = json!(true);
    let (_, edited) = update_both_ways(&applied, &body, &ctx("editor", 100));
    let mut body = edited.clone();
    body["spec"]["paused"] = json!(false);
    assert!(update_both_ways(&edited, &body, &ctx("editor", 110)).0);
    let mut body = edited.clone();
    body["spec"]["replicas"] = json!(9);
    assert!(!update_both_ways(&edited, &body, &ctx("editor", 110)).0);
}

#[test]
fn removed_fields_leave_every_manager() {
    let mut created = deployment(1);
    track_update(None, &mut created, &ctx("creator", 10));
    // The scaler adds a label and a field of its own.
    let mut body = created.clone();
    body["metadata"]["labels"]["tier"] = json!("front");
    body["spec"]["paused"] = json!(true);
    let (_, scaled) = update_both_ways(&created, &body, &ctx("scaler", 20));
    assert_eq!(
        managed(&scaled)[1]["fieldsV1"],
        json!({"f:metadata": {"f:labels": {"f:tier": {}}}, "f:spec": {"f:paused": {}}})
    );

    // A third manager removes the creator's `app` label and the scaler's `paused`: both
    // leave their owners' sets; the remover changed nothing, so it gets no entry.
    let mut body = scaled.clone();
    body["metadata"]["labels"]
        .as_object_mut()
        .unwrap()
        .remove("app");
    body["spec"].as_object_mut().unwrap().remove("paused");
    let (kept, out) = update_both_ways(&scaled, &body, &ctx("remover", 30));
    assert!(!kept, "a removal takes the general path");
    let list = managed(&out).as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["manager"], "creator");
    // What is left of its labels is the map itself, which it added.
    assert_eq!(list[0]["fieldsV1"]["f:metadata"], json!({"f:labels": {}}));
    assert_eq!(list[1]["manager"], "scaler");
    assert_eq!(
        list[1]["fieldsV1"],
        json!({"f:metadata": {"f:labels": {"f:tier": {}}}})
    );
    // Their times are unchanged.
    assert_eq!(list[0]["time"], "1970-01-01T00:00:10Z");
    assert_eq!(list[1]["time"], "1970-01-01T00:00:20Z");

    // Removing the whole labels map takes the creator's `.` mark with it, and an entry left
    // empty goes; a manager that also sets a field keeps an entry with it.
    let mut body = out.clone();
    body["metadata"].as_object_mut().unwrap().remove("labels");
    body["spec"]["minReadySeconds"] = json!(5);
    let (_, out) = update_both_ways(&out, &body, &ctx("remover", 40));
    let list = managed(&out).as_array().unwrap();
    assert_eq!(manager_names(&out), ["creator", "remover"]);
    assert!(list[0]["fieldsV1"].get("f:metadata").is_none());
    assert_eq!(
        list[1]["fieldsV1"],
        json!({"f:spec": {"f:minReadySeconds": {}}})
    );

    // The writer's own removed fields leave its entry too.
    let mut body = out.clone();
    body["spec"]
        .as_object_mut()
        .unwrap()
        .remove("minReadySeconds");
    let (_, out) = update_both_ways(&out, &body, &ctx("remover", 50));
    assert_eq!(manager_names(&out), ["creator"]);
}
