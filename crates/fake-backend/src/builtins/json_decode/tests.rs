use serde_json::{Value, json};

use super::{Shape, TABLE, decode, knows};

fn deployment(spec: Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": spec})
}

fn error_of(api_version: &str, kind: &str, mut obj: Value) -> String {
    match decode(api_version, kind, &mut obj) {
        Err(e) => e,
        Ok(unknown) => panic!("decoded, unknown fields {unknown:?}: {obj}"),
    }
}

#[test]
fn every_table_line_parses() {
    let text = include_str!("table.txt");
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect();
    let structs: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| !l.starts_with('='))
        .collect();
    assert_eq!(TABLE.structs.len(), structs.len());
    for (def, line) in TABLE.structs.iter().zip(&structs) {
        let tokens = line.split(' ').count() - 1;
        assert_eq!(
            def.fields.len(),
            tokens,
            "a token of {line:?} did not parse"
        );
        for shape in def.fields.values() {
            let mut s = shape;
            while let Shape::List(inner) | Shape::Map(inner) = s {
                s = inner;
            }
            if let Shape::Struct(i) = s {
                assert!(*i < TABLE.structs.len());
            }
        }
    }
    let roots: usize = TABLE.roots.values().map(|k| k.len()).sum();
    assert_eq!(roots, lines.len() - structs.len());
    assert!(knows("apps/v1", "Deployment"));
    assert!(knows("v1", "ConfigMap"));
    assert!(!knows(
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition"
    ));
    assert!(!knows("example.com/v1", "Widget"));
}

#[test]
fn type_errors_are_encoding_json_texts() {
    assert_eq!(
        error_of(
            "apps/v1",
            "Deployment",
            deployment(json!({"replicas": "3"}))
        ),
        "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"
    );
    assert_eq!(
        error_of(
            "apps/v1",
            "Deployment",
            deployment(json!({"template": {"spec": {"containers": [
                {"name": "a", "ports": [{"containerPort": "80"}]}
            ]}}}))
        ),
        "json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32"
    );
    assert_eq!(
        error_of(
            "apps/v1",
            "Deployment",
            deployment(json!({"replicas": 1.5}))
        ),
        "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32"
    );
    assert_eq!(
        error_of(
            "apps/v1",
            "Deployment",
            deployment(json!({"replicas": 3_000_000_000u64}))
        ),
        "json: cannot unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32"
    );
    assert_eq!(
        error_of("apps/v1", "Deployment", deployment(json!("x"))),
        "json: cannot unmarshal string into Go struct field Deployment.spec of type v1.DeploymentSpec"
    );
    assert_eq!(
        error_of(
            "apps/v1",
            "Deployment",
            deployment(json!({"template": {"spec": {"containers": {"name": "a"}}}}))
        ),
        "json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container"
    );
    let cm = |data: Value| json!({"apiVersion": "v1", "kind": "ConfigMap", "data": data});
    assert_eq!(
        error_of("v1", "ConfigMap", cm(json!({"port": 8080}))),
        "json: cannot unmarshal number into Go struct field ConfigMap.data of type string"
    );
    assert_eq!(
        error_of("v1", "ConfigMap", cm(json!(["a"]))),
        "json: cannot unmarshal array into Go struct field ConfigMap.data of type map[string]string"
    );
    assert_eq!(
        error_of(
            "v1",
            "ConfigMap",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"labels": {"a": true}}})
        ),
        "json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string"
    );
}

#[test]
fn int_or_string_errors_stop_the_decoder_and_get_the_field() {
    let svc = |port: Value| {
        json!({"apiVersion": "v1", "kind": "Service",
               "spec": {"clusterIP": 5, "ports": [{"port": 80, "targetPort": port}]}})
    };
    // The int-or-string's error is returned at once, so it wins over the type error of
    // `clusterIP` saved before it.
    assert_eq!(
        error_of("v1", "Service", svc(json!(true))),
        "json: cannot unmarshal bool into Go struct field ServicePort.spec.ports.targetPort of type int32"
    );
    assert_eq!(
        error_of("v1", "Service", svc(json!(1.5))),
        "json: cannot unmarshal number 1.5 into Go struct field ServicePort.spec.ports.targetPort of type int32"
    );
    // Valid int-or-strings, and the saved error is reported.
    for port in [json!(8080), json!("http")] {
        assert_eq!(
            error_of("v1", "Service", svc(port)),
            "json: cannot unmarshal number into Go struct field ServiceSpec.spec.clusterIP of type string"
        );
    }
}

#[test]
fn unknown_fields_are_removed_with_their_paths() {
    let mut obj = deployment(json!({
        "replicas": 2,
        "replica": 3,
        "template": {"spec": {"containers": [
            {"name": "a", "image": "x"},
            {"name": "b", "imagee": "y", "env": [{"name": "E", "value": "1", "valueFrm": {}}]}
        ]}}
    }));
    obj["status"] = json!({"bogus": 1});
    obj["extra"] = json!(1);
    obj["metadata"]["bogus"] = json!("m");
    let unknown = decode("apps/v1", "Deployment", &mut obj).unwrap();
    assert_eq!(
        unknown,
        [
            "extra",
            "metadata.bogus",
            "spec.replica",
            "spec.template.spec.containers[1].env[0].valueFrm",
            "spec.template.spec.containers[1].imagee",
            "status.bogus",
        ]
    );
    assert_eq!(
        obj,
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
            "spec": {"replicas": 2, "template": {"spec": {"containers": [
                {"name": "a", "image": "x"},
                {"name": "b", "env": [{"name": "E", "value": "1"}]}
            ]}}},
            "status": {}
        })
    );
}

#[test]
fn nulls_leave_fields_unset_and_elements_at_their_zero() {
    let mut obj = deployment(json!({
        "replicas": null,
        "selector": null,
        "template": {"spec": {"containers": [null, {"name": "a", "args": ["x", null]}]}}
    }));
    obj["metadata"]["labels"] = json!({"a": null});
    assert_eq!(
        decode("apps/v1", "Deployment", &mut obj).unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        obj,
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "d", "labels": {"a": ""}},
            "spec": {"template": {"spec": {"containers": [{}, {"name": "a", "args": ["x", ""]}]}}}
        })
    );
    // Any JSON keeps its null.
    let mut rev =
        json!({"apiVersion": "apps/v1", "kind": "ControllerRevision", "data": null, "revision": 1});
    decode("apps/v1", "ControllerRevision", &mut rev).unwrap();
    assert_eq!(rev["data"], Value::Null);
}

#[test]
fn bytes_must_be_base64_and_are_written_back_canonically() {
    let secret = |data: Value| json!({"apiVersion": "v1", "kind": "Secret", "data": data});
    assert_eq!(
        error_of("v1", "Secret", secret(json!({"password": "hello world"}))),
        "illegal base64 data at input byte 5"
    );
    assert_eq!(
        error_of("v1", "Secret", secret(json!({"password": "abc"}))),
        "illegal base64 data at input byte 0"
    );
    assert_eq!(
        error_of("v1", "Secret", secret(json!({"n": 5}))),
        "json: cannot unmarshal number into Go struct field Secret.data of type []uint8"
    );
    let mut ok = secret(json!({"a": "aGVs\nbG8=", "b": [104, 105], "c": "aGk="}));
    decode("v1", "Secret", &mut ok).unwrap();
    assert_eq!(
        ok["data"],
        json!({"a": "aGVsbG8=", "b": "aGk=", "c": "aGk="})
    );
    assert_eq!(
        error_of("v1", "Secret", secret(json!({"b": [104, 256]}))),
        "json: cannot unmarshal number 256 into Go struct field Secret.data of type uint8"
    );
}

#[test]
fn kinds_outside_the_table_are_left_alone() {
    let mut obj = json!({"apiVersion": "example.com/v1", "kind": "Widget", "spec": {"x": 1}});
    let before = obj.clone();
    assert_eq!(decode("example.com/v1", "Widget", &mut obj), Ok(Vec::new()));
    assert_eq!(obj, before);
}
