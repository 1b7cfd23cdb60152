use serde_json::{Value, json};

use super::*;
use crate::registry::builtin;

/// `fill` for the built-in kind of `obj` (its apiVersion and kind).
fn filled(mut obj: Value) -> Value {
    let api_version = obj["apiVersion"].as_str().unwrap_or_default().to_string();
    let kind = obj["kind"].as_str().unwrap_or_default().to_string();
    let info = builtin::types()
        .into_iter()
        .find(|t| t.resource.api.api_version == api_version && t.resource.api.kind == kind)
        .unwrap_or_else(|| panic!("{api_version} {kind} is not registered"));
    fill(&info, &mut obj);
    obj
}

#[test]
fn every_line_and_token_of_the_table_parses_and_every_link_resolves() {
    let text = include_str!("table.txt");
    let mut tokens = 0;
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with('='))
    {
        tokens += line.split(' ').count() - 1;
    }
    let parsed: usize = TABLE.types.values().map(Vec::len).sum();
    assert_eq!(parsed, tokens);
    for steps in TABLE.types.values() {
        for (_, step) in steps {
            if let Step::Struct(t) | Step::List(t) | Step::Map(t) = step {
                assert!(TABLE.types.contains_key(t), "{t}");
            }
        }
    }
    let roots: Vec<&str> = TABLE
        .roots
        .values()
        .flat_map(|kinds| kinds.values().copied())
        .collect();
    for ty in &roots {
        assert!(TABLE.types.contains_key(ty), "{ty}");
    }
    assert!(roots.len() >= 40, "{}", roots.len());
}

/// `fill` of a bare object is the kind's empty object (the field manager's), plus
/// apiVersion and kind: the two never disagree at the top level.
#[test]
fn fill_of_a_bare_object_is_the_kinds_empty_object() {
    let empty: HashMap<String, Value> =
        serde_json::from_str(include_str!("../../patch/managed/empty_objects.json")).unwrap();
    for (key, empty) in empty {
        let (api_version, kind) = key.split_once(' ').unwrap();
        let mut got = filled(json!({"apiVersion": api_version, "kind": kind, "metadata": {}}));
        let map = got.as_object_mut().unwrap();
        assert_eq!(map.remove("apiVersion"), Some(json!(api_version)));
        assert_eq!(map.remove("kind"), Some(json!(kind)));
        assert_eq!(got, empty, "{key}");
    }
}

/// As `kubectl create deployment web --image=nginx -o json` returns it from a 1.34 server
/// (before the controller acts), less the defaults and server-set metadata.
#[test]
fn a_deployment_gets_status_strategy_template_metadata_and_container_resources() {
    let got = filled(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}
            }
        }
    }));
    assert_eq!(
        got,
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "web"}},
                "strategy": {},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "nginx", "image": "nginx", "resources": {}}]}
                }
            },
            "status": {}
        })
    );
    // A template without metadata gets `metadata: {}`, without `creationTimestamp` (1.33+).
    let got = filled(json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"},
        "spec": {"template": {"spec": {"containers": [{"name": "c"}]}}}
    }));
    assert_eq!(got["spec"]["template"]["metadata"], json!({}));
    assert_eq!(got["spec"]["selector"], Value::Null);
}

#[test]
fn a_service_gets_its_load_balancer_status_and_port_zeros() {
    let got = filled(json!({
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
        "spec": {"ports": [{"port": 80, "targetPort": 8080}], "selector": {"app": "web"}}
    }));
    assert_eq!(got["status"], json!({"loadBalancer": {}}));
    assert_eq!(
        got["spec"]["ports"],
        json!([{"port": 80, "targetPort": 8080}])
    );
    // An IntOrString marshals 0 when zero, and `port` has no omitempty.
    let got = filled(json!({
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
        "spec": {"ports": [{"name": "http"}]}
    }));
    assert_eq!(
        got["spec"]["ports"],
        json!([{"name": "http", "port": 0, "targetPort": 0}])
    );
}

#[test]
fn a_core_event_gets_its_reporting_fields_and_null_times() {
    let got = filled(json!({
        "apiVersion": "v1", "kind": "Event", "metadata": {"name": "e", "namespace": "d"},
        "involvedObject": {"kind": "Pod", "name": "p"}, "reason": "Started", "type": "Normal"
    }));
    assert_eq!(
        got,
        json!({
            "apiVersion": "v1", "kind": "Event", "metadata": {"name": "e", "namespace": "d"},
            "involvedObject": {"kind": "Pod", "name": "p"}, "reason": "Started",
            "type": "Normal", "source": {}, "firstTimestamp": null, "lastTimestamp": null,
            "eventTime": null, "reportingComponent": "", "reportingInstance": ""
        })
    );
}

#[test]
fn pod_list_items_nested_structs_and_special_zeros() {
    let got = filled(json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {
            "containers": [{
                "name": "c",
                "ports": [{"name": "http"}],
                "env": [{"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}}],
                "readinessProbe": {"httpGet": {"path": "/"}},
                "volumeMounts": [{"name": "v"}]
            }],
            "volumes": [{"name": "v", "configMap": {"name": "cm", "items": [{"key": "k"}]}}],
            "affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1}]}}
        },
        "status": {"phase": "Pending", "conditions": [{"type": "Ready", "status": "False"}]}
    }));
    let c = &got["spec"]["containers"][0];
    assert_eq!(c["resources"], json!({}));
    assert_eq!(c["ports"], json!([{"name": "http", "containerPort": 0}]));
    assert_eq!(
        c["env"][0]["valueFrom"]["resourceFieldRef"],
        json!({"resource": "limits.cpu", "divisor": "0"})
    );
    assert_eq!(
        c["readinessProbe"]["httpGet"],
        json!({"path": "/", "port": 0})
    );
    assert_eq!(c["volumeMounts"], json!([{"name": "v", "mountPath": ""}]));
    assert_eq!(
        got["spec"]["volumes"][0]["configMap"]["items"],
        json!([{"key": "k", "path": ""}])
    );
    assert_eq!(
        got["spec"]["affinity"]["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"],
        json!([{"weight": 1, "preference": {}}])
    );
    assert_eq!(
        got["status"]["conditions"],
        json!([{"type": "Ready", "status": "False", "lastProbeTime": null, "lastTransitionTime": null}])
    );
}

#[test]
fn user_values_are_kept_nulls_become_zeros_and_odd_shapes_are_left_alone() {
    let got = filled(json!({
        "apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"},
        "reportingComponent": "me", "reportingInstance": null, "source": "odd"
    }));
    assert_eq!(got["reportingComponent"], json!("me"));
    assert_eq!(got["reportingInstance"], json!(""));
    assert_eq!(got["source"], json!("odd"));
    for spec in [
        json!("a string"),
        json!({"template": 3}),
        json!({"template": {"spec": {"containers": "x"}}}),
        json!({"template": {"spec": {"containers": [1, null, "c", []]}}}),
        json!({"template": {"spec": {"containers": [{"resources": 7}]}}}),
    ] {
        let got = filled(json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {}, "spec": spec.clone()
        }));
        assert_eq!(got["status"], json!({}));
        if !spec.is_object() {
            assert_eq!(got["spec"], spec);
        }
    }
    let got = filled(json!({"apiVersion": "apps/v1", "kind": "Deployment", "status": null}));
    assert_eq!(got["status"], json!({}));
    let mut odd = json!([1, 2]);
    fill_struct("apps.v1.Deployment", &mut odd);
    assert_eq!(odd, json!([1, 2]));
}

#[test]
fn a_crds_schema_is_left_alone_and_its_versions_and_columns_are_filled() {
    let schema = json!({"type": "object", "properties": {"spec": {"type": "object"}}});
    let got = filled(json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com", "scope": "Namespaced",
            "names": {"plural": "widgets", "kind": "Widget"},
            "versions": [{
                "name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": schema.clone()},
                "additionalPrinterColumns": [{"name": "Age", "jsonPath": ".metadata.creationTimestamp"}]
            }]
        }
    }));
    let v = &got["spec"]["versions"][0];
    assert_eq!(v["schema"], json!({"openAPIV3Schema": schema}));
    assert_eq!(
        v["additionalPrinterColumns"],
        json!([{"name": "Age", "jsonPath": ".metadata.creationTimestamp", "type": ""}])
    );
    assert_eq!(
        got["status"],
        json!({"conditions": null, "acceptedNames": {"plural": "", "kind": ""}, "storedVersions": null})
    );
}

#[test]
fn kinds_without_always_fields_and_custom_kinds_are_untouched() {
    let cm =
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {}});
    assert_eq!(filled(cm.clone()), cm);
    assert!(root_type("example.com/v1", "Widget").is_none());
}
