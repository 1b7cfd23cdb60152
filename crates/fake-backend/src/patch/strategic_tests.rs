use super::*;
use serde_json::json;

fn smp(kind: &str, original: Value, patch: Value) -> Value {
    let group = match kind {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => "apps",
        "Job" | "CronJob" => "batch",
        _ => "",
    };
    strategic_merge(group, kind, &original, &patch).unwrap()
}

fn smp_err(kind: &str, original: Value, patch: Value) -> Error {
    strategic_merge("", kind, &original, &patch).unwrap_err()
}

#[test]
fn containers_merge_by_name_and_keep_order() {
    let pod = json!({"spec": {"containers": [
        {"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}]}});
    let out = smp(
        "Pod",
        pod,
        json!({"spec": {"containers": [
        {"name": "c", "image": "c:1"}, {"name": "a", "image": "a:2"}]}}),
    );
    assert_eq!(
        out["spec"]["containers"],
        json!([{"name": "c", "image": "c:1"}, {"name": "a", "image": "a:2"}, {"name": "b", "image": "b:1"}])
    );
}

#[test]
fn deployment_template_lists_merge_by_their_keys() {
    let dep = json!({"spec": {"template": {"spec": {
        "containers": [{"name": "app", "image": "x",
            "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
            "ports": [{"containerPort": 80}],
            "volumeMounts": [{"mountPath": "/a", "name": "va"}],
            "envFrom": [{"configMapRef": {"name": "one"}}]}],
        "volumes": [{"name": "va", "emptyDir": {}}],
        "tolerations": [{"key": "k1"}],
        "imagePullSecrets": [{"name": "s1"}]}}}});
    let out = smp(
        "Deployment",
        dep,
        json!({"spec": {"template": {"spec": {
        "containers": [{"name": "app",
            "env": [{"name": "B", "value": "3"}],
            "ports": [{"containerPort": 443}],
            "volumeMounts": [{"mountPath": "/b", "name": "vb"}],
            "envFrom": [{"secretRef": {"name": "two"}}]}],
        "volumes": [{"name": "vb", "emptyDir": {}}],
        "tolerations": [{"key": "k2"}],
        "imagePullSecrets": [{"name": "s2"}]}}}}),
    );
    let spec = &out["spec"]["template"]["spec"];
    let c = &spec["containers"][0];
    assert_eq!(c["image"], "x");
    assert_eq!(
        c["env"],
        json!([{"name": "A", "value": "1"}, {"name": "B", "value": "3"}])
    );
    assert_eq!(
        c["ports"],
        json!([{"containerPort": 443}, {"containerPort": 80}])
    );
    assert_eq!(c["volumeMounts"].as_array().unwrap().len(), 2);
    assert_eq!(
        c["envFrom"],
        json!([{"secretRef": {"name": "two"}}]),
        "envFrom is atomic"
    );
    assert_eq!(spec["volumes"].as_array().unwrap().len(), 2);
    assert_eq!(
        spec["tolerations"],
        json!([{"key": "k2"}]),
        "tolerations replace"
    );
    assert_eq!(
        spec["imagePullSecrets"],
        json!([{"name": "s2"}, {"name": "s1"}])
    );
}

#[test]
fn workload_kinds_reach_pod_template() {
    for kind in ["StatefulSet", "DaemonSet", "ReplicaSet", "Job"] {
        let obj = json!({"spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}});
        let out = smp(
            kind,
            obj,
            json!({"spec": {"template": {"spec": {"containers": [{"name": "b"}]}}}}),
        );
        assert_eq!(
            out["spec"]["template"]["spec"]["containers"]
                .as_array()
                .unwrap()
                .len(),
            2,
            "{kind}"
        );
    }
    let cron = json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}}}});
    let out = strategic_merge("batch", "CronJob", &cron,
        &json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "b"}]}}}}}})).unwrap();
    assert_eq!(
        out["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn service_ports_merge_by_port_and_selector_merges_as_map() {
    let svc = json!({"spec": {"ports": [{"port": 80, "name": "http"}], "selector": {"a": "1"}}});
    let out = smp(
        "Service",
        svc,
        json!({"spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443}], "selector": {"b": "2"}}}),
    );
    assert_eq!(
        out["spec"]["ports"],
        json!([{"port": 80, "name": "http", "targetPort": 8080}, {"port": 443}])
    );
    assert_eq!(out["spec"]["selector"], json!({"a": "1", "b": "2"}));
}

#[test]
fn metadata_finalizers_and_owner_references() {
    let obj = json!({"metadata": {"finalizers": ["a", "b"], "labels": {"x": "1", "y": "2"},
        "ownerReferences": [{"uid": "u1", "name": "one"}]}});
    let out = smp(
        "ConfigMap",
        obj,
        json!({"metadata": {"finalizers": ["c", "a"], "labels": {"x": null},
        "ownerReferences": [{"uid": "u2", "name": "two"}]}}),
    );
    assert_eq!(out["metadata"]["finalizers"], json!(["c", "a", "b"]));
    assert_eq!(out["metadata"]["labels"], json!({"y": "2"}));
    assert_eq!(
        out["metadata"]["ownerReferences"],
        json!([{"uid": "u2", "name": "two"}, {"uid": "u1", "name": "one"}])
    );
}

#[test]
fn conditions_merge_by_type_in_status() {
    let node = json!({"status": {"conditions": [{"type": "Ready", "status": "False"}, {"type": "DiskPressure", "status": "False"}]},
        "spec": {"taints": [{"key": "a", "effect": "NoSchedule"}]}});
    let out = smp(
        "Node",
        node,
        json!({"status": {"conditions": [{"type": "Ready", "status": "True"}]},
        "spec": {"taints": [{"key": "b", "effect": "NoSchedule"}]}}),
    );
    assert_eq!(
        out["status"]["conditions"],
        json!([{"type": "Ready", "status": "True"}, {"type": "DiskPressure", "status": "False"}])
    );
    assert_eq!(
        out["spec"]["taints"],
        json!([{"key": "b", "effect": "NoSchedule"}]),
        "taints are atomic upstream"
    );
    let dep = json!({"status": {"conditions": [{"type": "Available", "status": "True"}]}});
    let out = smp(
        "Deployment",
        dep,
        json!({"status": {"conditions": [{"type": "Progressing", "status": "True"}]}}),
    );
    assert_eq!(out["status"]["conditions"].as_array().unwrap().len(), 2);
}

#[test]
fn endpoints_subsets_replace() {
    let ep = json!({"subsets": [{"addresses": [{"ip": "1.1.1.1"}]}]});
    let out = smp(
        "Endpoints",
        ep,
        json!({"subsets": [{"addresses": [{"ip": "2.2.2.2"}]}]}),
    );
    assert_eq!(out["subsets"], json!([{"addresses": [{"ip": "2.2.2.2"}]}]));
}

#[test]
fn patch_delete_and_replace_directives_in_lists() {
    let pod = json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}});
    let out = smp(
        "Pod",
        pod.clone(),
        json!({"spec": {"containers": [{"name": "b", "$patch": "delete"}]}}),
    );
    assert_eq!(
        out["spec"]["containers"],
        json!([{"name": "a"}, {"name": "c"}])
    );
    let out = smp(
        "Pod",
        pod.clone(),
        json!({"spec": {"containers": [{"name": "z", "image": "z"}, {"$patch": "replace"}]}}),
    );
    assert_eq!(
        out["spec"]["containers"],
        json!([{"name": "z", "image": "z"}])
    );
    let err = smp_err(
        "Pod",
        pod.clone(),
        json!({"spec": {"containers": [{"name": "b", "$patch": "merge"}]}}),
    );
    assert_eq!(err.code(), Some(500));
    assert!(
        err.to_string()
            .contains("merging lists cannot yet be specified in the patch")
    );
    let err = smp_err(
        "Pod",
        pod.clone(),
        json!({"spec": {"containers": [{"name": "b", "$patch": "bogus"}]}}),
    );
    assert!(
        err.to_string()
            .contains("unknown patch type: bogus in map: map[$patch:bogus name:b]"),
        "{err}"
    );
    let err = smp_err(
        "Pod",
        pod,
        json!({"spec": {"containers": [{"image": "x"}]}}),
    );
    assert!(
        err.to_string()
            .contains("map: map[image:x] does not contain declared merge key: name"),
        "{err}"
    );
}

#[test]
fn patch_directives_on_maps() {
    let dep = json!({"spec": {"replicas": 1, "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}});
    let out = smp(
        "Deployment",
        dep.clone(),
        json!({"spec": {"strategy": {"$patch": "replace", "type": "Recreate"}}}),
    );
    assert_eq!(out["spec"]["strategy"], json!({"type": "Recreate"}));
    let out = smp(
        "Deployment",
        dep.clone(),
        json!({"spec": {"strategy": {"$patch": "delete"}}}),
    );
    assert_eq!(out["spec"]["strategy"], json!({}));
    let err = strategic_merge(
        "apps",
        "Deployment",
        &dep,
        &json!({"spec": {"$patch": "merge"}}),
    )
    .unwrap_err();
    assert_eq!(err.code(), Some(500));
    assert!(
        err.to_string()
            .contains("unknown patch type: merge in map: map[$patch:merge]"),
        "{err}"
    );
}

#[test]
fn retain_keys() {
    let dep =
        json!({"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}});
    let out = smp(
        "Deployment",
        dep.clone(),
        json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}),
    );
    assert_eq!(out["spec"]["strategy"], json!({"type": "Recreate"}));
    let err = strategic_merge(
        "apps",
        "Deployment",
        &dep,
        &json!({"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": {}}}}),
    )
    .unwrap_err();
    assert!(err.is_bad_request());
    assert_eq!(
        err.status().unwrap().message,
        "invalid patch format of retainKeys"
    );
    let err = strategic_merge(
        "apps",
        "Deployment",
        &dep,
        &json!({"spec": {"strategy": {"$retainKeys": "type"}}}),
    )
    .unwrap_err();
    assert!(err.is_bad_request());
}

#[test]
fn delete_from_primitive_list() {
    let obj = json!({"metadata": {"finalizers": ["a", "b", "c"]}});
    let out = smp(
        "ConfigMap",
        obj.clone(),
        json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["b"]}}),
    );
    assert_eq!(out["metadata"]["finalizers"], json!(["a", "c"]));
    let out = smp(
        "ConfigMap",
        json!({"metadata": {}}),
        json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["b"]}}),
    );
    assert_eq!(out["metadata"], json!({}));
    let err = strategic_merge(
        "",
        "ConfigMap",
        &obj,
        &json!({"metadata": {"$deleteFromPrimitiveListfinalizers": ["b"]}}),
    )
    .unwrap_err();
    assert_eq!(
        err.status().unwrap().message,
        "invalid patch format of primitive list"
    );
}

#[test]
fn set_element_order() {
    let pod = json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}});
    let out = smp(
        "Pod",
        pod.clone(),
        json!({"spec": {"$setElementOrder/containers": [{"name": "c"}, {"name": "a"}, {"name": "b"}]}}),
    );
    assert_eq!(
        out["spec"]["containers"],
        json!([{"name": "c"}, {"name": "a"}, {"name": "b"}])
    );
    let out = smp(
        "Pod",
        pod.clone(),
        json!({"spec": {
        "$setElementOrder/containers": [{"name": "b"}, {"name": "d"}, {"name": "a"}, {"name": "c"}],
        "containers": [{"name": "d", "image": "d"}]}}),
    );
    assert_eq!(
        out["spec"]["containers"],
        json!([{"name": "b"}, {"name": "d", "image": "d"}, {"name": "a"}, {"name": "c"}])
    );
    let obj = json!({"metadata": {"finalizers": ["a", "b"]}});
    let out = smp(
        "ConfigMap",
        obj,
        json!({"metadata": {"$setElementOrder/finalizers": ["b", "a"]}}),
    );
    assert_eq!(out["metadata"]["finalizers"], json!(["b", "a"]));
    let err = strategic_merge(
        "",
        "Pod",
        &pod,
        &json!({"spec": {"$setElementOrdercontainers": []}}),
    )
    .unwrap_err();
    assert_eq!(
        err.status().unwrap().message,
        "invalid patch format of setElementOrder list"
    );
}

#[test]
fn null_deletes_and_new_values_are_cleaned() {
    let obj = json!({"data": {"a": "1", "b": "2"}});
    let out = smp(
        "ConfigMap",
        obj,
        json!({"data": {"a": null, "c": "3"}, "metadata": {"labels": {"x": "1", "y": null}}}),
    );
    assert_eq!(
        out,
        json!({"data": {"b": "2", "c": "3"}, "metadata": {"labels": {"x": "1"}}})
    );
}

#[test]
fn non_object_patches_are_bad_requests() {
    let obj = json!({"data": {}});
    for (patch, what) in [
        (json!([1]), "array"),
        (json!("x"), "string"),
        (json!(3), "number"),
        (json!(true), "bool"),
    ] {
        let err = strategic_merge("", "ConfigMap", &obj, &patch).unwrap_err();
        assert!(err.is_bad_request());
        assert_eq!(
            err.status().unwrap().message,
            format!(
                "json: cannot unmarshal {what} into Go value of type map[string]interface {{}}"
            )
        );
    }
    assert_eq!(
        strategic_merge("", "ConfigMap", &obj, &Value::Null).unwrap(),
        obj
    );
}

#[test]
fn lists_of_lists_are_unprocessable() {
    let obj = json!({"metadata": {"finalizers": [["a"]]}});
    let err = strategic_merge(
        "",
        "ConfigMap",
        &obj,
        &json!({"metadata": {"finalizers": [["b"]]}}),
    )
    .unwrap_err();
    assert_eq!(err.code(), Some(422));
    assert_eq!(err.causes()[0].message, "lists of lists are not supported");
}

#[test]
fn unknown_builtin_kind_replaces_lists_but_merges_maps() {
    let obj = json!({"spec": {"items": [1, 2], "m": {"a": 1}}});
    let out = strategic_merge(
        "example.io",
        "Widget",
        &obj,
        &json!({"spec": {"items": [3], "m": {"b": 2}}}),
    )
    .unwrap();
    assert_eq!(out, json!({"spec": {"items": [3], "m": {"a": 1, "b": 2}}}));
}

#[test]
fn thousand_item_lists_are_fast() {
    let items: Vec<Value> = (0..1000)
        .map(|i| json!({"name": format!("c{i}"), "image": "x"}))
        .collect();
    let patch: Vec<Value> = (0..1000)
        .rev()
        .map(|i| json!({"name": format!("c{i}"), "image": "y"}))
        .collect();
    let start = std::time::Instant::now();
    let out = smp(
        "Pod",
        json!({"spec": {"containers": items}}),
        json!({"spec": {"containers": patch}}),
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
    assert_eq!(out["spec"]["containers"][0]["name"], "c999");
    assert_eq!(out["spec"]["containers"][999]["image"], "y");
}

#[test]
fn every_pod_merge_key_merges() {
    // (field under spec, merge key, two items)
    let cases = [
        ("initContainers", "name"),
        ("ephemeralContainers", "name"),
        ("volumes", "name"),
        ("imagePullSecrets", "name"),
        ("hostAliases", "ip"),
        ("resourceClaims", "name"),
        ("schedulingGates", "name"),
        ("topologySpreadConstraints", "topologyKey"),
    ];
    for (field, key) in cases {
        let pod = json!({"spec": {field: [{key: "one", "x": 1}]}});
        let out = smp(
            "Pod",
            pod,
            json!({"spec": {field: [{key: "one", "y": 2}, {key: "two"}]}}),
        );
        assert_eq!(
            out["spec"][field],
            json!([{key: "one", "x": 1, "y": 2}, {key: "two"}]),
            "{field}"
        );
    }
    let container_cases = [
        ("volumeDevices", "devicePath"),
        ("env", "name"),
        ("volumeMounts", "mountPath"),
    ];
    for (field, key) in container_cases {
        let pod = json!({"spec": {"containers": [{"name": "c", field: [{key: "one", "x": 1}]}]}});
        let out = smp(
            "Pod",
            pod,
            json!({"spec": {"containers": [{"name": "c", field: [{key: "two"}]}]}}),
        );
        assert_eq!(
            out["spec"]["containers"][0][field]
                .as_array()
                .unwrap()
                .len(),
            2,
            "{field}"
        );
    }
    let status = json!({"status": {"podIPs": [{"ip": "1"}], "conditions": [{"type": "Ready", "status": "False"}]}});
    let out = smp(
        "Pod",
        status,
        json!({"status": {"podIPs": [{"ip": "2"}], "conditions": [{"type": "Ready", "status": "True"}]}}),
    );
    assert_eq!(out["status"]["podIPs"], json!([{"ip": "2"}, {"ip": "1"}]));
    assert_eq!(
        out["status"]["conditions"],
        json!([{"type": "Ready", "status": "True"}])
    );
}

#[test]
fn atomic_container_lists_replace() {
    let pod = json!({"spec": {"containers": [{"name": "c", "args": ["a"], "command": ["x"], "resizePolicy": [{"resourceName": "cpu"}]}],
        "readinessGates": [{"conditionType": "a"}]}});
    let out = smp(
        "Pod",
        pod,
        json!({"spec": {"containers": [{"name": "c", "args": ["b"], "command": ["y"]}],
        "readinessGates": [{"conditionType": "b"}]}}),
    );
    assert_eq!(out["spec"]["containers"][0]["args"], json!(["b"]));
    assert_eq!(out["spec"]["containers"][0]["command"], json!(["y"]));
    assert_eq!(
        out["spec"]["containers"][0]["resizePolicy"],
        json!([{"resourceName": "cpu"}])
    );
    assert_eq!(
        out["spec"]["readinessGates"],
        json!([{"conditionType": "b"}])
    );
}
