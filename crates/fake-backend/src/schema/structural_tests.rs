use super::*;
use serde_json::json;

const P: &str = "spec.versions[0].schema.openAPIV3Schema";

fn run(s: Value) -> Vec<String> {
    let s: JSONSchemaProps = serde_json::from_value(s).unwrap();
    check(&s, P).iter().map(ToString::to_string).collect()
}

fn with_spec(spec: Value) -> Value {
    json!({"type": "object", "properties": {"spec": spec}})
}

#[test]
fn a_complete_schema_passes() {
    assert!(run(json!({"type": "object", "properties": {
        "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
        "spec": {"type": "object", "required": ["size"], "properties": {
            "size": {"type": "integer", "minimum": 0, "default": 1},
            "port": {"x-kubernetes-int-or-string": true,
                     "anyOf": [{"type": "integer"}, {"type": "string"}]},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "raw": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
            "list": {"type": "array", "items": {"type": "string"}}
        }},
        "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
    }}))
    .is_empty());
}

#[test]
fn every_node_needs_a_type() {
    assert_eq!(
        run(with_spec(json!({"description": "untyped"}))),
        vec![format!(
            "{P}.properties[spec].type: Required value: must not be empty for specified object fields"
        )]
    );
    assert_eq!(
        run(json!({"properties": {"spec": {"type": "object"}}})),
        vec![format!(
            "{P}.type: Required value: must not be empty at the root"
        )]
    );
    assert_eq!(
        run(with_spec(json!({"type": "array", "items": {}}))),
        vec![format!(
            "{P}.properties[spec].items.type: Required value: must not be empty for specified array items"
        )]
    );
    assert_eq!(
        run(with_spec(json!({"type": "array"}))),
        vec![format!(
            "{P}.properties[spec].items: Required value: must be specified"
        )]
    );
    assert_eq!(
        run(json!({"type": "string"})),
        vec![format!(
            "{P}.type: Invalid value: \"string\": must be object at the root"
        )]
    );
}

#[test]
fn structural_errors_are_sorted() {
    assert_eq!(
        run(json!({"type": "object", "properties": {"b": {}, "a": {}}})),
        vec![
            format!(
                "{P}.properties[a].type: Required value: must not be empty for specified object fields"
            ),
            format!(
                "{P}.properties[b].type: Required value: must not be empty for specified object fields"
            ),
        ]
    );
}

#[test]
fn additional_properties_rules() {
    assert_eq!(
        run(with_spec(
            json!({"type": "object", "properties": {"a": {"type": "string"}},
                              "additionalProperties": {"type": "string"}})
        )),
        vec![format!(
            "{P}.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive"
        )]
    );
    assert_eq!(
        run(json!({"type": "object", "additionalProperties": {"type": "string"}})),
        vec![format!(
            "{P}.additionalProperties: Forbidden: must not be used at the root"
        )]
    );
}

#[test]
fn metadata_may_only_restrict_names() {
    assert!(
        run(
            json!({"type": "object", "properties": {"metadata": {"type": "object", "properties": {
        "name": {"type": "string", "maxLength": 10}, "generateName": {"type": "string"}}}}})
        )
        .is_empty()
    );
    assert_eq!(
        run(
            json!({"type": "object", "properties": {"metadata": {"type": "object", "properties": {
            "labels": {"type": "object"}}}}})
        ),
        vec![format!(
            "{P}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified"
        )]
    );
    assert_eq!(
        run(json!({"type": "object", "properties": {"metadata": {"type": "string"}}})),
        vec![format!(
            "{P}.properties[metadata].type: Invalid value: \"string\": must be object"
        )]
    );
    assert_eq!(
        run(json!({"type": "object", "properties": {"kind": {"type": "integer"}}})),
        vec![format!(
            "{P}.properties[kind].type: Invalid value: \"integer\": must be string"
        )]
    );
}

#[test]
fn extension_combinations() {
    assert_eq!(
        run(with_spec(
            json!({"x-kubernetes-int-or-string": true, "x-kubernetes-preserve-unknown-fields": true})
        )),
        vec![format!(
            "{P}.properties[spec].x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if x-kubernetes-int-or-string is true"
        )]
    );
    assert_eq!(
        run(with_spec(json!({"x-kubernetes-embedded-resource": true}))),
        vec![
            format!(
                "{P}.properties[spec].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"
            ),
            format!(
                "{P}.properties[spec].type: Required value: must be object if x-kubernetes-embedded-resource is true"
            ),
        ]
    );
    assert_eq!(
        run(with_spec(
            json!({"type": "object", "x-kubernetes-preserve-unknown-fields": false})
        )),
        vec![format!(
            "{P}.properties[spec].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined"
        )]
    );
}

#[test]
fn value_validations_may_not_declare_structure() {
    assert_eq!(
        run(with_spec(
            json!({"type": "string", "anyOf": [{"type": "string", "description": "d"}]})
        )),
        vec![
            format!(
                "{P}.properties[spec].anyOf[0].description: Forbidden: must be empty to be structural"
            ),
            format!(
                "{P}.properties[spec].anyOf[0].type: Forbidden: must be empty to be structural"
            ),
        ]
    );
    assert_eq!(
        run(
            json!({"type": "object", "properties": {"a": {"type": "string"}},
                   "anyOf": [{"properties": {"a": {"pattern": "x"}, "b": {"minLength": 1}}}]})
        ),
        vec![format!(
            "{P}.properties[b]: Required value: because it is defined in {P}.anyOf[0].properties[b]"
        )]
    );
    assert_eq!(
        run(with_spec(
            json!({"type": "object", "allOf": [{"properties": {"metadata": {}}}]})
        )),
        vec![format!(
            "{P}.properties[spec].allOf[0].properties[metadata]: Forbidden: must not be specified in a nested context"
        )]
    );
}

#[test]
fn invalid_patterns_are_rejected() {
    assert_eq!(
        run(with_spec(json!({"type": "string", "pattern": "(a"}))),
        vec![format!(
            "{P}.properties[spec].pattern: Invalid value: \"(a\": must be a valid regular expression, but isn't: error parsing regexp: missing closing ): `(a`"
        )]
    );
}

#[test]
fn generic_openapi_checks() {
    assert_eq!(
        run(with_spec(json!({"type": "foo"}))),
        vec![format!(
            "{P}.properties[spec].type: Unsupported value: \"foo\": supported values: \"array\", \"boolean\", \"integer\", \"number\", \"object\", \"string\""
        )]
    );
    assert_eq!(
        run(with_spec(json!({"type": "null"}))),
        vec![
            format!(
                "{P}.properties[spec].type: Unsupported value: \"null\": supported values: \"array\", \"boolean\", \"integer\", \"number\", \"object\", \"string\""
            ),
            format!(
                "{P}.properties[spec].type: Forbidden: type cannot be set to null, use nullable as an alternative"
            ),
        ]
    );
    assert_eq!(
        run(with_spec(
            json!({"type": "array", "uniqueItems": true, "items": {"type": "string"}})
        )),
        vec![format!(
            "{P}.properties[spec].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic"
        )]
    );
    assert_eq!(
        run(with_spec(json!({"$ref": "#/definitions/x"}))),
        vec![format!(
            "{P}.properties[spec].$ref: Forbidden: $ref is not supported"
        )]
    );
    assert_eq!(
        run(json!({"type": "object", "$schema": "http://json-schema.org/draft-04/schema#"})),
        vec![format!(
            "{P}: Invalid value: \"\": OpenAPIV3Schema 'schema' is not supported"
        )]
    );
    assert_eq!(
        run(json!({"type": "object", "nullable": true})),
        vec![format!(
            "{P}.nullable: Forbidden: nullable cannot be true at the root"
        )]
    );
}

#[test]
fn defaults_must_be_allowed_pruned_and_valid() {
    assert_eq!(
        run(
            json!({"type": "object", "properties": {"metadata": {"type": "object", "default": {}}}})
        ),
        vec![format!(
            "{P}.properties[metadata].default: Forbidden: must not be set in top-level metadata"
        )]
    );
    assert_eq!(
        run(with_spec(
            json!({"type": "object", "properties": {"r": {"type": "integer", "default": "x"}}})
        )),
        vec![format!(
            "{P}.properties[spec].properties[r].default: Invalid value: \"string\":  in body must be of type integer: \"string\""
        )]
    );
    assert_eq!(
        run(with_spec(
            json!({"type": "object", "default": {"a": 1, "b": 2},
                              "properties": {"a": {"type": "integer"}}})
        )),
        vec![format!(
            "{P}.properties[spec].default: Invalid value: {{\"a\":1,\"b\":2}}: must not have unknown fields"
        )]
    );
    assert_eq!(
        run(with_spec(
            json!({"type": "object", "default": {}, "required": ["a"],
                              "properties": {"a": {"type": "integer"}}})
        )),
        vec![format!("{P}.properties[spec].default.a: Required value")]
    );
}

#[test]
fn list_and_map_type_checks() {
    assert_eq!(
        run(with_spec(
            json!({"type": "array", "x-kubernetes-list-type": "map",
                              "items": {"type": "object", "properties": {"k": {"type": "string"}}}})
        )),
        vec![format!(
            "{P}.properties[spec].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map"
        )]
    );
    assert_eq!(
        run(with_spec(
            json!({"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["k"],
                              "items": {"type": "object", "properties": {"k": {"type": "string"}}}})
        )),
        vec![format!(
            "{P}.properties[spec].items.properties[k].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property"
        )]
    );
    assert_eq!(
        run(with_spec(
            json!({"type": "array", "x-kubernetes-list-type": "bag", "items": {"type": "string"}})
        )),
        vec![format!(
            "{P}.properties[spec].x-kubernetes-list-type: Unsupported value: \"bag\": supported values: \"atomic\", \"set\", \"map\""
        )]
    );
    assert_eq!(
        run(with_spec(
            json!({"type": "string", "x-kubernetes-map-type": "atomic"})
        )),
        vec![format!(
            "{P}.properties[spec].type: Invalid value: \"string\": must be object if x-kubernetes-map-type is specified"
        )]
    );
}

#[test]
fn validation_rules_are_checked() {
    assert_eq!(
        run(with_spec(
            json!({"type": "object", "x-kubernetes-validations": [{"rule": " "}]})
        )),
        vec![format!(
            "{P}.properties[spec].x-kubernetes-validations[0].rule: Required value: rule is not specified"
        )]
    );
    assert_eq!(
        run(with_spec(
            json!({"type": "object", "x-kubernetes-validations": [
                {"rule": "true", "message": "two\nlines"},
                {"rule": "true", "reason": "Odd"}
            ]})
        )),
        vec![
            format!(
                "{P}.properties[spec].x-kubernetes-validations[0].message: Invalid value: \"two\\nlines\": message must not contain line breaks"
            ),
            format!(
                "{P}.properties[spec].x-kubernetes-validations[1].reason: Unsupported value: \"Odd\": supported values: \"FieldValueDuplicate\", \"FieldValueForbidden\", \"FieldValueInvalid\", \"FieldValueRequired\""
            ),
        ]
    );
    let errs = run(with_spec(
        json!({"type": "object", "x-kubernetes-validations": [{"rule": "self.x >"}]}),
    ));
    assert_eq!(errs.len(), 1);
    assert!(
        errs[0].starts_with(&format!(
            "{P}.properties[spec].x-kubernetes-validations[0].rule: Invalid value: {{\"rule\":\"self.x >\"}}: compilation failed: "
        )),
        "{}",
        errs[0]
    );
}
