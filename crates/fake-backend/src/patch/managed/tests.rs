use super::*;
use serde_json::json;

fn t(secs: i64) -> Time {
    Time(k8s_openapi::jiff::Timestamp::from_second(secs).unwrap())
}

pub(super) fn ctx<'a>(manager: &'a str, secs: i64) -> FieldManagement<'a> {
    FieldManagement {
        manager,
        api_version: "apps/v1",
        time: t(secs),
        subresource: None,
        group: "apps",
        kind: "Deployment",
        schema: None,
    }
}

pub(super) fn deployment(replicas: i64) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx:1"}]}}}})
}

pub(super) fn managed(obj: &Value) -> &Value {
    &obj["metadata"]["managedFields"]
}

/// The managers of `obj`'s managedFields entries, in order.
pub(super) fn manager_names(obj: &Value) -> Vec<&str> {
    managed(obj)
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["manager"].as_str().unwrap())
        .collect()
}

#[test]
fn create_by_update_records_exact_managed_fields() {
    let mut obj = deployment(1);
    obj["metadata"]["uid"] = json!("u1");
    obj["metadata"]["resourceVersion"] = json!("5");
    track_update(None, &mut obj, &ctx("kubectl-create", 10));
    assert_eq!(
        managed(&obj),
        &json!([{"manager": "kubectl-create", "operation": "Update", "apiVersion": "apps/v1",
            "time": "1970-01-01T00:00:10Z", "fieldsType": "FieldsV1",
            "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                "f:spec": {"f:replicas": {}, "f:selector": {},
                    "f:template": {"f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                        "f:spec": {"f:containers": {"k:{\"name\":\"nginx\"}": {".": {}, "f:image": {}, "f:name": {}}}}}}}}])
    );
}

#[test]
fn update_transfers_ownership_and_drops_empty_managers() {
    let mut old = deployment(1);
    track_update(None, &mut old, &ctx("creator", 10));
    let mut new = old.clone();
    new["spec"]["replicas"] = json!(3);
    track_update(Some(&old), &mut new, &ctx("scaler", 20));
    let entries = managed(&new).as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["manager"], "creator");
    assert!(entries[0]["fieldsV1"]["f:spec"].get("f:replicas").is_none());
    assert_eq!(entries[1]["manager"], "scaler");
    assert_eq!(
        entries[1]["fieldsV1"],
        json!({"f:spec": {"f:replicas": {}}})
    );
    assert_eq!(entries[1]["time"], "1970-01-01T00:00:20Z");

    // The scaler takes every field the creator had left: the creator's entry disappears.
    let mut all = new.clone();
    all["metadata"]["labels"]["app"] = json!("x");
    all["spec"]["selector"] = json!({"matchLabels": {"app": "x"}});
    all["spec"]["template"]["metadata"]["labels"]["app"] = json!("x");
    all["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:2");
    all["spec"]["template"]["spec"]["containers"][0]["name"] = json!("nginx");
    let mut after = all.clone();
    track_update(Some(&new), &mut after, &ctx("scaler", 30));
    let entries = managed(&after).as_array().unwrap();
    assert!(
        entries
            .iter()
            .all(|e| e["manager"] == "scaler" || e["fieldsV1"] != json!({}))
    );
    assert!(
        entries.iter().any(|e| e["manager"] == "creator"),
        "creator still owns the container name"
    );

    // A write that changes nothing keeps the entries and their times.
    let mut same = after.clone();
    track_update(Some(&after), &mut same, &ctx("other", 40));
    assert_eq!(managed(&same), managed(&after));
}

#[test]
fn managed_fields_reset_and_ignored_changes() {
    let mut old = deployment(1);
    track_update(None, &mut old, &ctx("creator", 10));
    // An empty list is ignored: the stored entries stay.
    let mut new = old.clone();
    new["metadata"]["managedFields"] = json!([]);
    track_update(Some(&old), &mut new, &ctx("x", 20));
    assert_eq!(managed(&new), managed(&old));
    // `[{}]` clears ownership.
    let mut new = old.clone();
    new["metadata"]["managedFields"] = json!([{}]);
    track_update(Some(&old), &mut new, &ctx("x", 20));
    assert!(new["metadata"].get("managedFields").is_none());
    // Through a subresource the body's managedFields are ignored.
    let mut new = old.clone();
    new["metadata"]["managedFields"] = json!([{}]);
    let mut sub = ctx("x", 20);
    sub.subresource = Some("status");
    track_update(Some(&old), &mut new, &sub);
    assert_eq!(managed(&new), managed(&old));
}

#[test]
fn apply_creates_with_an_apply_entry() {
    let out = apply(None, &deployment(2), &ctx("kubectl", 10), false).unwrap();
    assert_eq!(out["spec"]["replicas"], 2);
    let entries = managed(&out).as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["operation"], "Apply");
    assert_eq!(entries[0]["apiVersion"], "apps/v1");
    assert_eq!(entries[0]["fieldsV1"]["f:spec"]["f:replicas"], json!({}));
    assert!(entries[0]["fieldsV1"]["f:metadata"].get("f:name").is_none());
}

#[test]
fn apply_conflicts_with_an_updater() {
    let live = apply(None, &deployment(2), &ctx("kubectl", 10), false).unwrap();
    let mut scaled = live.clone();
    scaled["spec"]["replicas"] = json!(5);
    track_update(Some(&live), &mut scaled, &ctx("hpa", 20));

    let err = apply(Some(&scaled), &deployment(3), &ctx("kubectl", 30), false).unwrap_err();
    assert!(err.is_conflict());
    let status = err.status().unwrap();
    assert_eq!(status.code, 409);
    assert_eq!(status.reason, "Conflict");
    assert_eq!(
        status.message,
        "Apply failed with 1 conflict: conflict with \"hpa\" using apps/v1: .spec.replicas"
    );
    let causes = err.causes();
    assert_eq!(causes.len(), 1);
    assert_eq!(causes[0].reason, "FieldManagerConflict");
    assert_eq!(causes[0].message, "conflict with \"hpa\" using apps/v1");
    assert_eq!(causes[0].field, ".spec.replicas");

    // Applying the value the other manager set is no conflict: both own it.
    let same = apply(Some(&scaled), &deployment(5), &ctx("kubectl", 30), false).unwrap();
    let entries = managed(&same).as_array().unwrap();
    assert!(
        entries
            .iter()
            .all(|e| e["fieldsV1"]["f:spec"].get("f:replicas").is_some())
    );

    // force takes ownership.
    let forced = apply(Some(&scaled), &deployment(3), &ctx("kubectl", 30), true).unwrap();
    assert_eq!(forced["spec"]["replicas"], 3);
    let entries = managed(&forced).as_array().unwrap();
    assert_eq!(entries.len(), 1, "hpa owned nothing else: {entries:?}");
    assert_eq!(entries[0]["manager"], "kubectl");
}

#[test]
fn conflicts_with_several_managers_use_the_multi_line_form() {
    let live = apply(None, &deployment(2), &ctx("a", 10), false).unwrap();
    let mut cfg = deployment(4);
    cfg["metadata"]["labels"]["app"] = json!("other");
    let err = apply(Some(&live), &cfg, &ctx("b", 20), false).unwrap_err();
    assert_eq!(
        err.status().unwrap().message,
        "Apply failed with 2 conflicts: conflicts with \"a\":\n- .metadata.labels.app\n- .spec.replicas"
    );
    assert_eq!(err.causes()[0].message, "conflict with \"a\"");
}

#[test]
fn apply_removes_fields_no_longer_applied_unless_owned() {
    let live = apply(None, &deployment(2), &ctx("a", 10), false).unwrap();
    let mut cfg = deployment(2);
    cfg["metadata"]["labels"] = json!({"app": "web", "tier": "fe"});
    let live = apply(Some(&live), &cfg, &ctx("a", 20), false).unwrap();
    assert_eq!(live["metadata"]["labels"]["tier"], "fe");
    let out = apply(Some(&live), &deployment(2), &ctx("a", 30), false).unwrap();
    assert!(out["metadata"]["labels"].get("tier").is_none(), "{out}");
    assert_eq!(out["metadata"]["labels"]["app"], "web");

    // Another manager owning the label keeps it.
    let mut with_b = live.clone();
    track_update(Some(&live), &mut with_b, &ctx("b", 25));
    let mut b_owns = with_b.clone();
    b_owns["metadata"]["labels"]["tier"] = json!("fe2");
    track_update(Some(&with_b), &mut b_owns, &ctx("b", 26));
    let mut cfg2 = deployment(2);
    cfg2["metadata"]["labels"] = json!({"app": "web"});
    let out = apply(Some(&b_owns), &cfg2, &ctx("a", 30), false).unwrap();
    assert_eq!(out["metadata"]["labels"]["tier"], "fe2");

    // Dropping a container removes it; other containers stay.
    let mut two = deployment(2);
    two["spec"]["template"]["spec"]["containers"] =
        json!([{"name": "nginx", "image": "nginx:1"}, {"name": "side", "image": "s"}]);
    let live = apply(Some(&live), &two, &ctx("a", 40), false).unwrap();
    assert_eq!(
        live["spec"]["template"]["spec"]["containers"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let out = apply(Some(&live), &deployment(2), &ctx("a", 50), false).unwrap();
    assert_eq!(
        out["spec"]["template"]["spec"]["containers"],
        json!([{"name": "nginx", "image": "nginx:1"}])
    );
}

#[test]
fn two_appliers_share_and_hand_over() {
    let live = apply(None, &deployment(2), &ctx("a", 10), false).unwrap();
    let live = apply(Some(&live), &deployment(2), &ctx("b", 20), false).unwrap();
    let entries = managed(&live).as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["manager"], "a");
    assert_eq!(entries[1]["manager"], "b");
    // a stops applying replicas; b still owns it so the value stays.
    let mut without = deployment(2);
    without["spec"].as_object_mut().unwrap().remove("replicas");
    let out = apply(Some(&live), &without, &ctx("a", 30), false).unwrap();
    assert_eq!(out["spec"]["replicas"], 2);
}

#[test]
fn apply_validates_the_configuration() {
    let mut cfg = deployment(1);
    cfg["apiVersion"] = json!("apps/v1beta1");
    let err = apply(None, &cfg, &ctx("a", 1), false).unwrap_err();
    assert!(err.is_bad_request());
    assert_eq!(
        err.status().unwrap().message,
        "Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1"
    );
    let mut cfg = deployment(1);
    cfg["kind"] = json!("StatefulSet");
    let err = apply(None, &cfg, &ctx("a", 1), false).unwrap_err();
    assert_eq!(
        err.status().unwrap().message,
        "failed to create typed patch object (default/web; apps/v1, Kind=StatefulSet): no corresponding type for apps/v1, Kind=StatefulSet"
    );
    let mut cfg = deployment(1);
    cfg["metadata"]["managedFields"] = json!([]);
    let err = apply(None, &cfg, &ctx("a", 1), false).unwrap_err();
    assert_eq!(
        err.status().unwrap().message,
        "metadata.managedFields must be nil"
    );
    let mut cfg = deployment(1);
    cfg["spec"]["template"]["spec"]["containers"] = json!([{"name": "a"}, {"name": "a"}]);
    let err = apply(None, &cfg, &ctx("a", 1), false).unwrap_err();
    assert_eq!(
        err.status().unwrap().message,
        "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: duplicate entries for key [name=\"a\"]"
    );
}

fn crd_schema() -> JSONSchemaProps {
    serde_json::from_value(json!({"type": "object", "properties": {
        "spec": {"type": "object", "properties": {
            "items": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["id"],
                "items": {"type": "object", "properties": {"id": {"type": "string"}, "v": {"type": "integer"}}}},
            "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
            "plain": {"type": "array", "items": {"type": "string"}},
            "sel": {"type": "object", "x-kubernetes-map-type": "atomic", "additionalProperties": {"type": "string"}}}}}}))
    .unwrap()
}

#[test]
fn custom_resource_list_types_come_from_the_schema() {
    let schema = crd_schema();
    let c = |m: &'static str, s: i64| FieldManagement {
        manager: m,
        api_version: "example.com/v1",
        time: t(s),
        subresource: None,
        group: "example.com",
        kind: "Widget",
        schema: Some(&schema),
    };
    let cfg = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
        "spec": {"items": [{"id": "a", "v": 1}], "tags": ["x"], "plain": ["p"], "sel": {"k": "v"}}});
    let out = apply(None, &cfg, &c("a", 1), false).unwrap();
    assert_eq!(
        managed(&out)[0]["fieldsV1"],
        json!({"f:spec": {"f:items": {"k:{\"id\":\"a\"}": {".": {}, "f:id": {}, "f:v": {}}},
            "f:plain": {}, "f:sel": {}, "f:tags": {"v:\"x\"": {}}}})
    );
    let cfg_b = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
        "spec": {"items": [{"id": "b", "v": 2}], "tags": ["y"]}});
    let out = apply(Some(&out), &cfg_b, &c("b", 2), false).unwrap();
    assert_eq!(
        out["spec"]["items"],
        json!([{"id": "a", "v": 1}, {"id": "b", "v": 2}])
    );
    assert_eq!(out["spec"]["tags"], json!(["x", "y"]));
    let cfg_c = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
        "spec": {"plain": ["q"]}});
    let err = apply(Some(&out), &cfg_c, &c("c", 3), false).unwrap_err();
    assert_eq!(err.causes()[0].field, ".spec.plain");
}

#[test]
fn update_managers_are_capped() {
    let mut obj =
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {}});
    let mut c = ctx("m", 0);
    c.api_version = "v1";
    c.group = "";
    c.kind = "ConfigMap";
    obj["data"]["init"] = json!("v");
    track_update(None, &mut obj, &c);
    let names: Vec<String> = (0..12).map(|i| format!("m{i:02}")).collect();
    for (i, name) in names.iter().enumerate() {
        let mut next = obj.clone();
        next["data"][name.as_str()] = json!("v");
        let mut cc = c.clone();
        cc.manager = name;
        cc.time = t(i as i64 + 1);
        track_update(Some(&obj), &mut next, &cc);
        obj = next;
    }
    let entries = managed(&obj).as_array().unwrap();
    assert_eq!(entries.len(), 10);
    let ancient = entries
        .iter()
        .find(|e| e["manager"] == "ancient-changes")
        .unwrap();
    // The creator's entry became the bucket and took m00..m02 (beside `init` and the `.` of
    // the `data` map the creator added).
    assert_eq!(ancient["fieldsV1"]["f:data"].as_object().unwrap().len(), 5);
    assert_eq!(ancient["time"], "1970-01-01T00:00:03Z");
}

#[test]
fn thousand_item_lists_stay_fast() {
    let containers: Vec<Value> = (0..1000)
        .map(|i| json!({"name": format!("c{i}"), "image": "x"}))
        .collect();
    let mut cfg = deployment(1);
    cfg["spec"]["template"]["spec"]["containers"] = Value::Array(containers.clone());
    let start = std::time::Instant::now();
    let live = apply(None, &cfg, &ctx("a", 1), false).unwrap();
    let mut cfg2 = cfg.clone();
    cfg2["spec"]["template"]["spec"]["containers"] = Value::Array(containers[..500].to_vec());
    let out = apply(Some(&live), &cfg2, &ctx("a", 2), false).unwrap();
    let mut upd = out.clone();
    upd["spec"]["template"]["spec"]["containers"][10]["image"] = json!("y");
    track_update(Some(&out), &mut upd, &ctx("b", 3));
    assert!(
        start.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(
        out["spec"]["template"]["spec"]["containers"]
            .as_array()
            .unwrap()
            .len(),
        500
    );
}

#[test]
fn untracked_objects_stay_untracked_and_apply_meets_before_first_apply() {
    let old = deployment(1);
    let mut new = old.clone();
    new["spec"]["replicas"] = json!(2);
    track_update(Some(&old), &mut new, &ctx("x", 10));
    assert!(new["metadata"].get("managedFields").is_none());

    let err = apply(Some(&new), &deployment(3), &ctx("a", 20), false).unwrap_err();
    assert_eq!(
        err.status().unwrap().message,
        "Apply failed with 1 conflict: conflict with \"before-first-apply\" using apps/v1: .spec.replicas"
    );
    let out = apply(Some(&new), &deployment(2), &ctx("a", 20), false).unwrap();
    assert_eq!(manager_names(&out), ["a", "before-first-apply"]);
}

#[test]
fn entries_sort_apply_first_then_by_time_and_record_subresources() {
    let live = apply(None, &deployment(2), &ctx("z-applier", 50), false).unwrap();
    let mut with_status = live.clone();
    with_status["status"] = json!({"replicas": 2});
    let mut sub = ctx("controller", 20);
    sub.subresource = Some("status");
    track_update(Some(&live), &mut with_status, &sub);
    let entries = managed(&with_status).as_array().unwrap();
    assert_eq!(entries[0]["operation"], "Apply");
    assert_eq!(
        entries[1],
        json!({"manager": "controller", "operation": "Update", "apiVersion": "apps/v1",
        "time": "1970-01-01T00:00:20Z", "fieldsType": "FieldsV1",
        "fieldsV1": {"f:status": {"f:replicas": {}}}, "subresource": "status"})
    );
    // A conflict names the subresource.
    let mut cfg = deployment(2);
    cfg["status"] = json!({"replicas": 3});
    let err = apply(Some(&with_status), &cfg, &ctx("z-applier", 60), false).unwrap_err();
    assert_eq!(
        err.status().unwrap().message,
        "Apply failed with 1 conflict: conflict with \"controller\" with subresource \"status\" using apps/v1: .status.replicas"
    );
}

#[test]
fn update_records_new_scalar_and_atomic_list_fields() {
    // Compare's Added: a new leaf (scalar) and a new atomic list are owned as one path each.
    let mut old = deployment(1);
    track_update(None, &mut old, &ctx("creator", 10));
    let mut new = old.clone();
    new["spec"]["minReadySeconds"] = json!(5);
    new["spec"]["template"]["spec"]["containers"][0]["command"] = json!(["nginx", "-g"]);
    track_update(Some(&old), &mut new, &ctx("editor", 20));
    let entries = managed(&new).as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1]["manager"], "editor");
    assert_eq!(
        entries[1]["fieldsV1"],
        json!({"f:spec": {"f:minReadySeconds": {},
            "f:template": {"f:spec": {"f:containers": {"k:{\"name\":\"nginx\"}": {"f:command": {}}}}}}})
    );
}
