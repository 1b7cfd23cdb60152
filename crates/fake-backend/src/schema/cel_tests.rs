use super::*;
use serde_json::json;

fn schema(v: Value) -> JSONSchemaProps {
    serde_json::from_value(v).unwrap()
}

fn run(s: &Value, obj: Value, old: Option<Value>) -> Vec<String> {
    validate(&schema(s.clone()), &obj, old.as_ref())
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// A root schema whose `spec` has `props` and `rules`.
fn spec(props: Value, rules: Value) -> Value {
    json!({"type": "object", "properties": {"spec": {
        "type": "object", "properties": props, "x-kubernetes-validations": rules}}})
}

#[test]
fn object_rules_omit_the_value() {
    let s = spec(
        json!({"replicas": {"type": "integer"}, "maxReplicas": {"type": "integer"}}),
        json!([{"rule": "self.replicas <= self.maxReplicas", "message": "replicas must not exceed maxReplicas"}]),
    );
    assert!(run(&s, json!({"spec": {"replicas": 1, "maxReplicas": 2}}), None).is_empty());
    assert_eq!(
        run(&s, json!({"spec": {"replicas": 3, "maxReplicas": 2}}), None),
        vec!["spec: Invalid value: replicas must not exceed maxReplicas"]
    );
}

#[test]
fn scalar_rules_show_the_value_and_default_message() {
    let s = json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "name": {"type": "string", "x-kubernetes-validations": [
            {"rule": "self == self.lowerAscii()", "message": " name must be lowercase "}]},
        "size": {"type": "integer", "x-kubernetes-validations": [{"rule": "  self > 0 "}]}
    }}}});
    assert_eq!(
        run(&s, json!({"spec": {"name": "OTHER", "size": 0}}), None),
        vec![
            r#"spec.name: Invalid value: "OTHER": name must be lowercase"#,
            "spec.size: Invalid value: 0: failed rule: self > 0"
        ]
    );
}

#[test]
fn root_rules_report_the_nil_path_and_see_limited_metadata() {
    let s = json!({"type": "object", "x-kubernetes-validations": [
        {"rule": "self.metadata.name.startsWith('a')", "message": "name must start with a"},
        {"rule": "!has(self.metadata.labels)", "message": "labels are not visible"},
        {"rule": "self.kind == 'Widget'"}
    ]});
    assert!(
        run(
            &s,
            json!({"kind": "Widget", "metadata": {"name": "abc", "labels": {"x": "y"}}}),
            None
        )
        .is_empty()
    );
    assert_eq!(
        run(
            &s,
            json!({"kind": "Gadget", "metadata": {"name": "zz"}}),
            None
        ),
        vec![
            "<nil>: Invalid value: name must start with a",
            "<nil>: Invalid value: failed rule: self.kind == 'Widget'"
        ]
    );
}

#[test]
fn message_expressions_build_the_message() {
    let s = spec(
        json!({"replicas": {"type": "integer"}}),
        json!([
            {"rule": "self.replicas < 5", "messageExpression": "'replicas ' + string(self.replicas) + ' is too many'"},
            {"rule": "self.replicas < 4", "message": "fallback", "messageExpression": "self.replicas"}
        ]),
    );
    assert_eq!(
        run(&s, json!({"spec": {"replicas": 7}}), None),
        vec![
            "spec: Invalid value: replicas 7 is too many",
            "spec: Invalid value: fallback"
        ]
    );
}

#[test]
fn reasons_pick_the_error_type() {
    let s = json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
    "a": {"type": "string", "x-kubernetes-validations": [
        {"rule": "self != 'x'", "message": "no x", "reason": "FieldValueForbidden"},
        {"rule": "self != 'x'", "message": "need y", "reason": "FieldValueRequired"},
        {"rule": "self != 'x'", "message": "dup", "reason": "FieldValueDuplicate"},
        {"rule": "self != 'x'", "message": "bad", "reason": "FieldValueInvalid"}
    ]}}}}});
    assert_eq!(
        run(&s, json!({"spec": {"a": "x"}}), None),
        vec![
            "spec.a: Forbidden: no x",
            "spec.a: Required value: need y",
            r#"spec.a: Duplicate value: "x""#,
            r#"spec.a: Invalid value: "x": bad"#
        ]
    );
}

#[test]
fn field_path_moves_the_error() {
    let s = spec(
        json!({"replicas": {"type": "integer"}, "m": {"type": "object", "additionalProperties": {"type": "string"}}}),
        json!([
            {"rule": "self.replicas >= 0", "message": "negative", "fieldPath": ".replicas"},
            {"rule": "!('k' in self.m)", "message": "no k", "fieldPath": ".m['k']"},
            {"rule": "self.replicas != -1", "message": "bad path", "fieldPath": ".nope"}
        ]),
    );
    assert_eq!(
        run(&s, json!({"spec": {"replicas": -1, "m": {"k": "v"}}}), None),
        vec![
            "spec.replicas: Invalid value: negative",
            "spec.m[k]: Invalid value: no k",
            "spec: Invalid value: bad path"
        ]
    );
}

#[test]
fn transition_rules_run_only_on_update() {
    let s = json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "replicas": {"type": "integer", "x-kubernetes-validations": [
            {"rule": "self >= oldSelf", "message": "cannot scale down"}]}}}}});
    assert!(run(&s, json!({"spec": {"replicas": 1}}), None).is_empty());
    assert!(
        run(
            &s,
            json!({"spec": {"replicas": 3}}),
            Some(json!({"spec": {"replicas": 2}}))
        )
        .is_empty()
    );
    assert_eq!(
        run(
            &s,
            json!({"spec": {"replicas": 1}}),
            Some(json!({"spec": {"replicas": 2}}))
        ),
        vec!["spec.replicas: Invalid value: 1: cannot scale down"]
    );
    // A new field has no old value: its transition rules are skipped.
    assert!(
        run(
            &s,
            json!({"spec": {"replicas": 1}}),
            Some(json!({"spec": {}}))
        )
        .is_empty()
    );
}

#[test]
fn unchanged_values_ratchet_on_update() {
    let s = spec(
        json!({"a": {"type": "integer"}, "b": {"type": "integer"}}),
        json!([{"rule": "self.a < 10", "message": "a too big"}]),
    );
    let old = json!({"spec": {"a": 20, "b": 1}});
    assert!(run(&s, old.clone(), Some(old.clone())).is_empty());
    // spec changed (b), so its rule reports again.
    assert_eq!(
        run(&s, json!({"spec": {"a": 20, "b": 2}}), Some(old)),
        vec!["spec: Invalid value: a too big"]
    );
}

#[test]
fn map_values_and_list_items_have_their_paths() {
    let s = json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "m": {"type": "object", "additionalProperties": {"type": "string",
              "x-kubernetes-validations": [{"rule": "self.size() < 3", "message": "short"}]}},
        "l": {"type": "array", "items": {"type": "object", "properties": {"n": {"type": "integer"}},
              "x-kubernetes-validations": [{"rule": "self.n > 0", "message": "positive"}]}}
    }}}});
    assert_eq!(
        run(
            &s,
            json!({"spec": {"m": {"ok": "ab", "bad": "abcd"}, "l": [{"n": 1}, {"n": 0}]}}),
            None
        ),
        vec![
            "spec.l[1]: Invalid value: positive",
            "spec.m[bad]: Invalid value: \"abcd\": short"
        ]
    );
}

#[test]
fn property_names_are_escaped() {
    let s = spec(
        json!({"namespace": {"type": "string"}, "foo-bar": {"type": "string"}, "a__b": {"type": "string"}}),
        json!([{"rule": "self.__namespace__ == 'ns' && self.foo__dash__bar == 'x' && self.a__underscores__b == 'y'"}]),
    );
    assert!(
        run(
            &s,
            json!({"spec": {"namespace": "ns", "foo-bar": "x", "a__b": "y"}}),
            None
        )
        .is_empty()
    );
    assert_eq!(escape("1abc"), None);
    assert_eq!(escape("a b"), None);
    assert_eq!(escape("a.b/c"), Some("a__dot__b__slash__c".to_string()));
    assert_eq!(escape("my_field"), Some("my_field".to_string()));
}

#[test]
fn has_and_kubernetes_functions() {
    let s = spec(
        json!({"opt": {"type": "string"}, "mem": {"type": "string"}, "url": {"type": "string"}}),
        json!([
            {"rule": "!has(self.opt) || self.opt.startsWith('x')", "message": "opt"},
            {"rule": "!has(self.mem) || quantity(self.mem).isLessThan(quantity('1Gi'))", "message": "mem"},
            {"rule": "!has(self.url) || isURL(self.url)", "message": "url"}
        ]),
    );
    assert!(run(&s, json!({"spec": {}}), None).is_empty());
    assert!(
        run(
            &s,
            json!({"spec": {"opt": "xy", "mem": "512Mi", "url": "https://a.b/c"}}),
            None
        )
        .is_empty()
    );
    assert_eq!(
        run(
            &s,
            json!({"spec": {"opt": "y", "mem": "2Gi", "url": "::"}}),
            None
        ),
        vec![
            "spec: Invalid value: opt",
            "spec: Invalid value: mem",
            "spec: Invalid value: url"
        ]
    );
}

#[test]
fn formats_become_timestamps_durations_and_bytes() {
    let s = spec(
        json!({"t": {"type": "string", "format": "date-time"},
               "d": {"type": "string", "format": "duration"},
               "b": {"type": "string", "format": "byte"}}),
        json!([
            {"rule": "self.t < timestamp('2030-01-01T00:00:00Z')", "message": "t"},
            {"rule": "self.d > duration('1s')", "message": "d"},
            {"rule": "size(self.b) == 5", "message": "b"}
        ]),
    );
    assert!(
        run(
            &s,
            json!({"spec": {"t": "2024-01-01T00:00:00Z", "d": "1m", "b": "aGVsbG8="}}),
            None
        )
        .is_empty()
    );
    assert_eq!(
        run(
            &s,
            json!({"spec": {"t": "2031-01-01T00:00:00Z", "d": "500ms", "b": "aGk="}}),
            None
        ),
        vec![
            "spec: Invalid value: t",
            "spec: Invalid value: d",
            "spec: Invalid value: b"
        ]
    );
}

#[test]
fn evaluation_and_compile_errors() {
    let s = spec(
        json!({"x": {"type": "integer"}, "s": {"type": "string"}}),
        json!([
            {"rule": "self.missing == 1"},
            {"rule": "self.s + 1 == 2"},
            {"rule": "self.x >"}
        ]),
    );
    let errs = run(&s, json!({"spec": {"x": 1, "s": "a"}}), None);
    assert_eq!(errs.len(), 3);
    assert_eq!(
        errs[0],
        r#"spec: Invalid value: "object": no such key: missing evaluating rule: self.missing == 1"#
    );
    assert_eq!(
        errs[1],
        r#"spec: Invalid value: "object": 'no such overload': call arguments did not match a supported operator, function or macro signature for rule: self.s + 1 == 2"#
    );
    assert!(
        errs[2].starts_with(r#"spec: Invalid value: "object": rule compile error: "#),
        "{}",
        errs[2]
    );
}

#[test]
fn nulls_and_rule_free_schemas_are_skipped() {
    let s = spec(json!({}), json!([{"rule": "false"}]));
    assert!(run(&s, json!({"spec": null}), None).is_empty());
    assert!(run(&json!({"type": "object"}), json!({"a": 1}), None).is_empty());
    assert_eq!(
        run(&s, json!({"spec": {}}), None),
        vec!["spec: Invalid value: failed rule: false"]
    );
}

#[test]
fn field_paths_normalize_against_the_schema() {
    let s = schema(json!({"type": "object", "properties": {
        "a": {"type": "object", "properties": {"b": {"type": "string"}}},
        "m": {"type": "object", "additionalProperties": {"type": "object", "properties": {"c": {"type": "string"}}}}
    }}));
    assert_eq!(normalize_field_path(".a.b", &s), Some("a.b".to_string()));
    assert_eq!(normalize_field_path("['a'].b", &s), Some("a.b".to_string()));
    assert_eq!(
        normalize_field_path(".m['x.y'].c", &s),
        Some("m[x.y].c".to_string())
    );
    assert_eq!(normalize_field_path(".nope", &s), None);
    assert_eq!(normalize_field_path("a", &s), None);
}
