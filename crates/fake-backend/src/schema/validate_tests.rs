use super::*;
use kobj_core::FieldErrorType;
use serde_json::json;

fn schema(v: Value) -> JSONSchemaProps {
    serde_json::from_value(v).unwrap()
}

fn errs(s: Value, obj: Value) -> Vec<String> {
    validate(&schema(s), &obj, None)
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// A root schema with `spec` holding `props`.
fn spec(props: Value) -> Value {
    json!({"type": "object", "properties": {"spec": {"type": "object", "properties": props}}})
}

fn one(props: Value, spec_value: Value) -> Vec<String> {
    errs(spec(props), json!({ "spec": spec_value }))
}

#[test]
fn wrong_types_name_the_type_found() {
    assert_eq!(
        one(json!({"r": {"type": "integer"}}), json!({"r": "x"})),
        vec![
            r#"spec.r: Invalid value: "string": spec.r in body must be of type integer: "string""#
        ]
    );
    assert_eq!(
        one(json!({"b": {"type": "boolean"}}), json!({"b": 1})),
        vec![
            r#"spec.b: Invalid value: "integer": spec.b in body must be of type boolean: "integer""#
        ]
    );
    assert_eq!(
        one(json!({"n": {"type": "number"}}), json!({"n": "1"})),
        vec![r#"spec.n: Invalid value: "string": spec.n in body must be of type number: "string""#]
    );
    assert_eq!(
        one(json!({"o": {"type": "object"}}), json!({"o": []})),
        vec![r#"spec.o: Invalid value: "array": spec.o in body must be of type object: "array""#]
    );
    assert_eq!(
        one(
            json!({"a": {"type": "array", "items": {"type": "string"}}}),
            json!({"a": {}})
        ),
        vec![r#"spec.a: Invalid value: "object": spec.a in body must be of type array: "object""#]
    );
}

#[test]
fn type_errors_are_type_invalid_causes() {
    let e = validate(
        &schema(spec(json!({"r": {"type": "integer"}}))),
        &json!({"spec": {"r": "x"}}),
        None,
    );
    assert_eq!(e[0].error_type, FieldErrorType::TypeInvalid);
    assert_eq!(e[0].field, "spec.r");
    assert_eq!(e[0].to_cause().reason, "FieldValueTypeInvalid");
}

#[test]
fn integers_and_numbers_mix_like_go() {
    let props = json!({"i": {"type": "integer"}, "n": {"type": "number"}});
    assert!(one(props.clone(), json!({"i": 1.0, "n": 2})).is_empty());
    assert_eq!(
        one(props.clone(), json!({"i": 1.5})),
        vec![
            r#"spec.i: Invalid value: "number": spec.i in body must be of type integer: "number""#
        ]
    );
    // Beyond int64 the decoder gives a float64, which is not a JSON integer past 2^53.
    assert_eq!(
        one(props, json!({"i": u64::MAX})),
        vec![
            r#"spec.i: Invalid value: "number": spec.i in body must be of type integer: "number""#
        ]
    );
}

#[test]
fn null_needs_nullable() {
    let props = json!({"o": {"type": "object"}, "s": {"type": "string", "nullable": true}});
    assert_eq!(
        one(props.clone(), json!({"o": null})),
        vec![r#"spec.o: Invalid value: "null": spec.o in body must be of type object: "null""#]
    );
    assert!(one(props, json!({"s": null})).is_empty());
}

#[test]
fn int_or_string_accepts_both() {
    let props = json!({"p": {"x-kubernetes-int-or-string": true}});
    assert!(one(props.clone(), json!({"p": 80})).is_empty());
    assert!(one(props.clone(), json!({"p": "http"})).is_empty());
    assert_eq!(
        one(props.clone(), json!({"p": 1.5})),
        vec![
            r#"spec.p: Invalid value: "number": spec.p in body must be of type integer,string: "number""#
        ]
    );
    assert_eq!(
        one(props, json!({"p": true})),
        vec![
            r#"spec.p: Invalid value: "boolean": spec.p in body must be of type integer,string: "boolean""#
        ]
    );
}

#[test]
fn required_fields() {
    let s = json!({"type": "object", "required": ["spec"], "properties": {"spec": {
        "type": "object", "required": ["name", "size"],
        "properties": {"name": {"type": "string"}, "size": {"type": "integer"}}}}});
    assert_eq!(errs(s.clone(), json!({})), vec!["spec: Required value"]);
    assert_eq!(
        errs(s, json!({"spec": {"size": "x"}})),
        vec![
            r#"spec.size: Invalid value: "string": spec.size in body must be of type integer: "string""#,
            "spec.name: Required value"
        ]
    );
}

#[test]
fn enums_list_supported_values() {
    assert_eq!(
        one(
            json!({"c": {"type": "string", "enum": ["a", "b"]}}),
            json!({"c": "c"})
        ),
        vec![r#"spec.c: Unsupported value: "c": supported values: "a", "b""#]
    );
    assert_eq!(
        one(
            json!({"n": {"type": "integer", "enum": [1, 2]}}),
            json!({"n": 3})
        ),
        vec![r#"spec.n: Unsupported value: 3: supported values: "1", "2""#]
    );
    let e = validate(
        &schema(spec(json!({"c": {"type": "string", "enum": ["a"]}}))),
        &json!({"spec": {"c": "z"}}),
        None,
    );
    assert_eq!(e[0].error_type, FieldErrorType::NotSupported);
}

#[test]
fn enums_compare_after_go_conversion() {
    // float64 1.0 and 1.5 both convert to int64 1; int64 97 converts to the string "a".
    let props = json!({"n": {"enum": [1]}, "s": {"enum": ["a"]}});
    assert!(one(props.clone(), json!({"n": 1.0})).is_empty());
    assert!(one(props.clone(), json!({"n": 1.5})).is_empty());
    assert!(one(props.clone(), json!({"s": 97})).is_empty());
    assert_eq!(
        one(props.clone(), json!({"s": 98})),
        vec![r#"spec.s: Unsupported value: 98: supported values: "a""#]
    );
    // A null never matches, not even a null enum entry.
    let nullable = json!({"c": {"type": "string", "nullable": true, "enum": ["a", null]}});
    assert_eq!(
        one(nullable, json!({"c": null})),
        vec![r#"spec.c: Unsupported value: null: supported values: "a", "null""#]
    );
    let objects = json!({"o": {"type": "object", "enum": [{"k": 1}]}});
    assert!(one(objects.clone(), json!({"o": {"k": 1}})).is_empty());
    assert_eq!(
        one(objects, json!({"o": {"k": 2}})),
        vec![r#"spec.o: Unsupported value: {"k":2}: supported values: "{\"k\":1}""#]
    );
}

#[test]
fn string_lengths_and_patterns() {
    let props = json!({"s": {"type": "string", "maxLength": 3, "minLength": 2, "pattern": "^[a-z]+$"},
                       "one": {"type": "string", "maxLength": 1}});
    assert_eq!(
        one(props.clone(), json!({"s": "abcd"})),
        vec!["spec.s: Too long: may not be more than 3 bytes"]
    );
    assert_eq!(
        one(props.clone(), json!({"one": "ab"})),
        vec!["spec.one: Too long: may not be more than 1 byte"]
    );
    assert_eq!(
        one(props.clone(), json!({"s": "a"})),
        vec![r#"spec.s: Invalid value: "a": spec.s in body should be at least 2 chars long"#]
    );
    assert_eq!(
        one(props.clone(), json!({"s": "AB"})),
        vec![r#"spec.s: Invalid value: "AB": spec.s in body should match '^[a-z]+$'"#]
    );
    // Lengths count characters, not bytes.
    assert_eq!(
        one(props.clone(), json!({"s": "éé"})),
        vec![r#"spec.s: Invalid value: "éé": spec.s in body should match '^[a-z]+$'"#]
    );
    // The first failing string check is the only one reported.
    assert_eq!(
        one(props, json!({"s": "ABCDE"})),
        vec!["spec.s: Too long: may not be more than 3 bytes"]
    );
}

#[test]
fn invalid_patterns_report_the_regexp_error() {
    assert_eq!(
        one(
            json!({"s": {"type": "string", "pattern": "(a"}}),
            json!({"s": "x"})
        ),
        vec![
            "spec.s: Invalid value: \"x\": spec.s in body should match '(a, but pattern is invalid: error parsing regexp: missing closing ): `(a`'"
        ]
    );
}

#[test]
fn arrays() {
    let props = json!({
        "l": {"type": "array", "maxItems": 2, "minItems": 1, "items": {"type": "integer"}},
        "one": {"type": "array", "maxItems": 1, "items": {"type": "string"}},
        "u": {"type": "array", "uniqueItems": true, "items": {"type": "integer"}},
        "objs": {"type": "array", "items": {"type": "object", "required": ["name"],
                 "properties": {"name": {"type": "string"}}}}
    });
    assert_eq!(
        one(props.clone(), json!({"l": [1, 2, 3]})),
        vec!["spec.l: Too many: 3: must have at most 2 items"]
    );
    assert_eq!(
        one(props.clone(), json!({"one": ["a", "b"]})),
        vec!["spec.one: Too many: 2: must have at most 1 item"]
    );
    assert_eq!(
        one(props.clone(), json!({"l": []})),
        vec!["spec.l: Invalid value: 0: spec.l in body should have at least 1 items"]
    );
    assert_eq!(
        one(props.clone(), json!({"l": [1, "x"]})),
        vec![
            r#"spec.l[1]: Invalid value: "string": spec.l[1] in body must be of type integer: "string""#
        ]
    );
    assert_eq!(
        one(props.clone(), json!({"u": [1, 2, 1]})),
        vec![r#"spec.u: Invalid value: "": spec.u in body shouldn't contain duplicates"#]
    );
    // 1 and 1.0 differ for DeepEqual.
    assert!(one(props.clone(), json!({"u": [1, 1.0]})).is_empty());
    assert_eq!(
        one(props, json!({"objs": [{"name": "a"}, {}]})),
        vec!["spec.objs[1].name: Required value"]
    );
}

#[test]
fn numeric_bounds() {
    let props = json!({
        "min": {"type": "integer", "minimum": 1},
        "xmin": {"type": "integer", "minimum": 1, "exclusiveMinimum": true},
        "max": {"type": "number", "maximum": 10},
        "xmax": {"type": "number", "maximum": 10, "exclusiveMaximum": true},
        "big": {"type": "number", "maximum": 1_000_000}
    });
    assert_eq!(
        one(props.clone(), json!({"min": 0})),
        vec!["spec.min: Invalid value: 0: spec.min in body should be greater than or equal to 1"]
    );
    assert_eq!(
        one(props.clone(), json!({"xmin": 1})),
        vec!["spec.xmin: Invalid value: 1: spec.xmin in body should be greater than 1"]
    );
    assert_eq!(
        one(props.clone(), json!({"max": 10.5})),
        vec!["spec.max: Invalid value: 10.5: spec.max in body should be less than or equal to 10"]
    );
    assert_eq!(
        one(props.clone(), json!({"xmax": 10})),
        vec!["spec.xmax: Invalid value: 10: spec.xmax in body should be less than 10"]
    );
    // Float data prints the bound with Go's %v.
    assert_eq!(
        one(props.clone(), json!({"big": 2_000_000.5})),
        vec![
            "spec.big: Invalid value: 2000000.5: spec.big in body should be less than or equal to 1e+06"
        ]
    );
    assert_eq!(
        one(props, json!({"big": 2_000_000})),
        vec![
            "spec.big: Invalid value: 2000000: spec.big in body should be less than or equal to 1000000"
        ]
    );
}

#[test]
fn multiple_of() {
    let props = json!({
        "i": {"type": "integer", "multipleOf": 3},
        "f": {"type": "number", "multipleOf": 0.1},
        "neg": {"type": "integer", "multipleOf": -2},
        "frac": {"type": "integer", "multipleOf": 0.5}
    });
    assert_eq!(
        one(props.clone(), json!({"i": 7})),
        vec!["spec.i: Invalid value: 7: spec.i in body should be a multiple of 3"]
    );
    assert!(one(props.clone(), json!({"i": 9, "f": 0.3})).is_empty());
    assert_eq!(
        one(props.clone(), json!({"f": 0.35})),
        vec!["spec.f: Invalid value: 0.35: spec.f in body should be a multiple of 0.1"]
    );
    assert_eq!(
        one(props.clone(), json!({"neg": 4})),
        vec![
            "spec.neg: Invalid value: -2: factor MultipleOf declared for spec.neg must be positive: -2"
        ]
    );
    // Go would divide by int64(0.5) == 0; the float rule is used instead of failing.
    assert!(one(props, json!({"frac": 3})).is_empty());
}

#[test]
fn object_property_counts() {
    let props = json!({"m": {"type": "object", "maxProperties": 2, "minProperties": 2,
                             "required": ["z"], "additionalProperties": {"type": "string"}}});
    assert_eq!(
        one(props.clone(), json!({"m": {"a": "1", "b": "2", "c": "3"}})),
        vec!["spec.m: Too many: 3: must have at most 2 items"]
    );
    assert_eq!(
        one(props, json!({"m": {"a": "1"}})),
        vec!["spec.m: Invalid value: 1: spec.m in body should have at least 2 properties"]
    );
}

#[test]
fn maps_use_dotted_paths_in_validation() {
    let props = json!({"labels": {"type": "object", "additionalProperties": {"type": "string"}},
                       "closed": {"type": "object", "additionalProperties": false}});
    assert_eq!(
        one(props.clone(), json!({"labels": {"a": 1}})),
        vec![
            r#"spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer""#
        ]
    );
    assert_eq!(
        one(props, json!({"closed": {"x": 1}})),
        vec![r#"spec.closed: Invalid value: "x": spec.closed.x in body is a forbidden property"#]
    );
}

#[test]
fn formats() {
    let props = json!({
        "t": {"type": "string", "format": "date-time"},
        "d": {"type": "string", "format": "date"},
        "u": {"type": "string", "format": "unknown-format"},
        "i": {"type": "integer", "format": "int32"}
    });
    assert!(
        one(
            props.clone(),
            json!({"t": "2024-01-02T03:04:05Z", "d": "2024-01-02", "u": "x"})
        )
        .is_empty()
    );
    assert_eq!(
        one(props.clone(), json!({"t": "nope"})),
        vec![r#"spec.t: Invalid value: "nope": spec.t in body must be of type date-time: "nope""#]
    );
    // int32 is not range checked for CRDs.
    assert!(one(props.clone(), json!({"i": 9_999_999_999_i64})).is_empty());
    // A number where a formatted string belongs names the Go type.
    assert_eq!(
        one(props.clone(), json!({"d": 5})),
        vec![r#"spec.d: Invalid value: "int64": spec.d in body must be of type date: "int64""#]
    );
    // kube-openapi lets arrays through formatted string fields.
    assert!(one(props, json!({"d": ["x"]})).is_empty());
}

#[test]
fn any_of_reports_the_best_failure() {
    let props = json!({"x": {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
                             "anyOf": [{"required": ["a"]}, {"required": ["b"]}]}});
    assert!(one(props.clone(), json!({"x": {"b": "1"}})).is_empty());
    assert_eq!(
        one(props, json!({"x": {}})),
        vec![
            r#"<nil>: Invalid value: "": "spec.x" must validate at least one schema (anyOf)"#,
            "spec.x.a: Required value"
        ]
    );
}

#[test]
fn one_of_all_of_and_not() {
    let props = json!({"x": {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
                             "oneOf": [{"required": ["a"]}, {"required": ["b"]}]}});
    assert_eq!(
        one(props.clone(), json!({"x": {}})),
        vec![
            r#"<nil>: Invalid value: "": "spec.x" must validate one and only one schema (oneOf). Found none valid"#,
            "spec.x.a: Required value"
        ]
    );
    assert_eq!(
        one(props, json!({"x": {"a": "1", "b": "2"}})),
        vec![
            r#"<nil>: Invalid value: "": "spec.x" must validate one and only one schema (oneOf). Found 2 valid alternatives"#
        ]
    );

    let all = json!({"n": {"type": "integer", "allOf": [{"minimum": 5}, {"maximum": 3}]}});
    assert_eq!(
        one(all.clone(), json!({"n": 4})),
        vec![
            "spec.n: Invalid value: 4: spec.n in body should be greater than or equal to 5",
            "spec.n: Invalid value: 4: spec.n in body should be less than or equal to 3",
            r#"<nil>: Invalid value: "": "spec.n" must validate all the schemas (allOf). None validated"#
        ]
    );
    assert_eq!(
        one(all, json!({"n": 6})),
        vec![
            "spec.n: Invalid value: 6: spec.n in body should be less than or equal to 3",
            r#"<nil>: Invalid value: "": "spec.n" must validate all the schemas (allOf)"#
        ]
    );

    let not = json!({"s": {"type": "string", "not": {"enum": ["forbidden"]}}});
    assert!(one(not.clone(), json!({"s": "ok"})).is_empty());
    assert_eq!(
        one(not, json!({"s": "forbidden"})),
        vec![r#"<nil>: Invalid value: "": "spec.s" must not validate the schema (not)"#]
    );
}

#[test]
fn identical_messages_are_reported_once() {
    let props =
        json!({"x": {"type": "object", "allOf": [{"required": ["a"]}, {"required": ["a"]}]}});
    assert_eq!(
        one(props, json!({"x": {}})),
        vec![
            "spec.x.a: Required value",
            r#"<nil>: Invalid value: "": "spec.x" must validate all the schemas (allOf). None validated"#
        ]
    );
}

#[test]
fn metadata_name_constraints_apply() {
    let s = json!({"type": "object", "properties": {
        "metadata": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 5}}}}});
    assert_eq!(
        errs(
            s,
            json!({"metadata": {"name": "too-long-name", "labels": {"a": "b"}}})
        ),
        vec!["metadata.name: Too long: may not be more than 5 bytes"]
    );
}

#[test]
fn updates_ratchet_unchanged_fields() {
    let s = schema(spec(
        json!({"a": {"type": "string", "pattern": "^[a-z]+$"}, "b": {"type": "integer"},
                               "l": {"type": "array", "x-kubernetes-list-type": "map",
                                     "x-kubernetes-list-map-keys": ["k"],
                                     "items": {"type": "object", "properties": {
                                         "k": {"type": "string"}, "v": {"type": "string", "maxLength": 1}}}}}),
    ));
    let old = json!({"spec": {"a": "BAD", "b": 1, "l": [{"k": "x", "v": "long"}]}});
    let changed_elsewhere =
        json!({"spec": {"a": "BAD", "b": 2, "l": [{"k": "y"}, {"k": "x", "v": "long"}]}});
    assert!(validate(&s, &changed_elsewhere, Some(&old)).is_empty());
    let changed_field = json!({"spec": {"a": "WORSE", "b": 1, "l": [{"k": "x", "v": "longer"}]}});
    let texts: Vec<String> = validate(&s, &changed_field, Some(&old))
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        texts,
        vec![
            r#"spec.a: Invalid value: "WORSE": spec.a in body should match '^[a-z]+$'"#.to_string(),
            "spec.l[0].v: Too long: may not be more than 1 byte".to_string()
        ]
    );
    // Without an old object the same field fails.
    assert_eq!(validate(&s, &old, None).len(), 2);
}

#[test]
fn default_values_validate_below_a_base_path() {
    let s = schema(json!({"type": "integer"}));
    let texts: Vec<String> = validate_at(&s, &json!("x"), "p.default")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        texts,
        vec![r#"p.default: Invalid value: "string":  in body must be of type integer: "string""#]
    );
}

#[test]
fn deep_schemas_and_objects_do_not_overflow() {
    let mut s = schema(json!({"type": "string"}));
    let mut obj = json!(1);
    for _ in 0..400 {
        let mut props = std::collections::BTreeMap::new();
        props.insert("n".to_string(), s);
        s = JSONSchemaProps {
            type_: Some("object".into()),
            properties: Some(props),
            ..Default::default()
        };
        obj = json!({ "n": obj });
    }
    // Nodes past the depth limit are not visited; nothing overflows.
    assert!(validate(&s, &obj, None).is_empty());
}
