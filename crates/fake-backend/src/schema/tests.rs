//! The public API end to end: the write pipeline prune → defaults → validate → rules.

use super::*;
use serde_json::json;

fn widget_schema() -> JSONSchemaProps {
    serde_json::from_value(json!({
        "type": "object",
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
            "spec": {
                "type": "object",
                "required": ["size"],
                "x-kubernetes-validations": [
                    {"rule": "self.size <= self.maxSize", "message": "size must not exceed maxSize"}
                ],
                "properties": {
                    "size": {"type": "integer", "minimum": 0},
                    "maxSize": {"type": "integer", "default": 10},
                    "mode": {"type": "string", "enum": ["fast", "safe"], "default": "safe"},
                    "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
                    "template": {"type": "object", "x-kubernetes-embedded-resource": true,
                                 "x-kubernetes-preserve-unknown-fields": true}
                }
            },
            "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
        }
    }))
    .unwrap()
}

fn texts(errs: &[FieldError]) -> Vec<String> {
    errs.iter().map(ToString::to_string).collect()
}

#[test]
fn the_write_pipeline_prunes_defaults_and_validates() {
    let schema = widget_schema();
    let mut obj = json!({
        "apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": {"name": "w", "oops": 1},
        "spec": {"size": 3, "unknown": true},
        "status": {"anything": [1, 2]}
    });
    assert_eq!(
        prune(&schema, &mut obj),
        vec!["metadata.oops", "spec.unknown"]
    );
    apply_defaults(&schema, &mut obj);
    assert_eq!(
        obj,
        json!({
            "apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": "w"},
            "spec": {"size": 3, "maxSize": 10, "mode": "safe"},
            "status": {"anything": [1, 2]}
        })
    );
    assert!(validate(&schema, &obj).is_empty());
    assert!(validate_rules(&schema, &obj, None).is_empty());
}

#[test]
fn schema_errors_block_the_rules() {
    let schema = widget_schema();
    let obj = json!({"spec": {"size": "big", "maxSize": 1, "mode": "slow"}});
    let errs = validate(&schema, &obj);
    assert_eq!(
        texts(&errs),
        vec![
            r#"spec.mode: Unsupported value: "slow": supported values: "fast", "safe""#,
            r#"spec.size: Invalid value: "string": spec.size in body must be of type integer: "string""#,
        ]
    );
    let blocked = rules_blocked(&errs).map(|e| e.to_string());
    assert_eq!(
        blocked.as_deref(),
        Some(
            "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"
        )
    );
    // Range errors do not block the rules.
    let range = validate(&schema, &json!({"spec": {"size": -1, "maxSize": -5}}));
    assert_eq!(
        texts(&range),
        vec![
            "spec.size: Invalid value: -1: spec.size in body should be greater than or equal to 0"
        ]
    );
    assert!(rules_blocked(&range).is_none());
    assert_eq!(
        texts(&validate_rules(
            &schema,
            &json!({"spec": {"size": -1, "maxSize": -5}}),
            None
        )),
        vec!["spec: Invalid value: size must not exceed maxSize"]
    );
}

#[test]
fn validate_includes_list_sets_and_embedded_resources() {
    let schema = widget_schema();
    let obj =
        json!({"spec": {"size": 1, "maxSize": 2, "tags": ["a", "a"], "template": {"kind": "Pod"}}});
    assert_eq!(
        texts(&validate(&schema, &obj)),
        vec![
            "spec.template.apiVersion: Required value",
            r#"spec.tags[1]: Duplicate value: "a""#,
        ]
    );
}

#[test]
fn updates_ratchet_but_creates_do_not() {
    let schema = widget_schema();
    let stored = json!({"spec": {"size": -1, "maxSize": 2, "mode": "fast"}});
    let update = json!({"spec": {"size": -1, "maxSize": 3, "mode": "fast"}});
    assert!(validate_update(&schema, &update, &stored).is_empty());
    assert_eq!(validate(&schema, &update).len(), 1);
}

#[test]
fn structural_check_of_a_valid_crd_schema() {
    assert!(
        check_structural(&widget_schema(), "spec.versions[0].schema.openAPIV3Schema").is_empty()
    );
    assert!(
        check_status_subresource_root(&widget_schema(), "spec.versions[0].schema.openAPIV3Schema")
            .is_empty()
    );
}

#[test]
fn paths_render_like_field_path_and_openapi() {
    let root = Path::Root;
    let spec = root.field("spec");
    let map = spec.key("labels");
    let item = map.index(2);
    assert_eq!(item.field_path(), "spec[labels][2]");
    assert_eq!(item.openapi(), "spec.labels[2]");
    assert_eq!(root.field_path(), "<nil>");
    assert_eq!(root.openapi(), "");
    assert_eq!(root.key("k").field_path(), "[k]");
}

#[test]
fn nothing_panics_on_hostile_input() {
    let schema: JSONSchemaProps = serde_json::from_value(json!({
        "type": "object",
        "properties": {"spec": {"type": "object", "properties": {
            "s": {"type": "string", "pattern": "((((", "format": "date-time", "maxLength": -1},
            "n": {"type": "integer", "multipleOf": 0, "maximum": 1e308, "minimum": -1e308},
            "f": {"type": "number", "multipleOf": 1e-300},
            "l": {"type": "array", "maxItems": -3, "items": {"type": "string"}}
        }, "x-kubernetes-validations": [{"rule": "self.s.matches('((((')"}, {"rule": "1/0 == 1"}]}}
    }))
    .unwrap();
    let mut obj = json!({"spec": {"s": "\u{0}\u{ffff}", "n": i64::MIN, "f": 1e308, "l": ["x"]}});
    let _ = prune(&schema, &mut obj);
    apply_defaults(&schema, &mut obj);
    assert!(!validate(&schema, &obj).is_empty());
    assert!(!validate_rules(&schema, &obj, Some(&obj)).is_empty());
    let _ = check_structural(&schema, "p");
}
