use super::*;
use serde_json::json;

const P: &str = "spec.versions[0].schema.openAPIV3Schema";

fn generic_errors(s: Value, ssv: &Ssv) -> Vec<String> {
    let s: JSONSchemaProps = serde_json::from_value(s).unwrap();
    let mut errs = Vec::new();
    generic(&s, P, ssv, true, &mut errs, 0);
    errs.iter().map(ToString::to_string).collect()
}

#[test]
fn defaults_follow_the_descent_settings() {
    let schema = json!({"type": "object", "properties": {
        "apiVersion": {"type": "string", "default": "v1"},
        "spec": {"type": "object", "default": {}}
    }});
    let allowed = Ssv {
        allow_defaults: true,
        forbid_reason: None,
        inside_meta: false,
    };
    assert_eq!(
        generic_errors(schema.clone(), &allowed),
        vec![format!(
            "{P}.properties[apiVersion].default: Forbidden: must not be set in top-level apiVersion"
        )]
    );
    let forbidden_everywhere = Ssv {
        allow_defaults: false,
        forbid_reason: None,
        inside_meta: false,
    };
    assert_eq!(
        generic_errors(schema, &forbidden_everywhere),
        vec![
            format!(
                "{P}.properties[apiVersion].default: Forbidden: must not be set in top-level apiVersion"
            ),
            format!("{P}.properties[spec].default: Forbidden: must not be set"),
        ]
    );
}

#[test]
fn embedded_resources_may_not_nest_in_metadata() {
    let schema = json!({"type": "object", "properties": {"metadata": {"type": "object", "properties": {
        "x": {"type": "object", "x-kubernetes-embedded-resource": true}}}}});
    let ssv = Ssv {
        allow_defaults: true,
        forbid_reason: None,
        inside_meta: false,
    };
    assert_eq!(
        generic_errors(schema, &ssv),
        vec![format!(
            "{P}.properties[metadata].properties[x].x-kubernetes-embedded-resource: Forbidden: must not be used inside of resource meta"
        )]
    );
}

#[test]
fn status_subresource_root() {
    let root = |v: Value| -> Vec<String> {
        let s: JSONSchemaProps = serde_json::from_value(v).unwrap();
        check_status_root(&s, P)
            .iter()
            .map(ToString::to_string)
            .collect()
    };
    assert!(
        root(json!({"type": "object", "description": "d", "properties": {}, "required": ["spec"]}))
            .is_empty()
    );
    assert_eq!(
        root(json!({"type": "string"})),
        vec![format!(
            "{P}.type: Invalid value: \"string\": only \"object\" is allowed as the type at the root of the schema if the status subresource is enabled"
        )]
    );
    let errs = root(json!({"type": "object", "anyOf": [{"required": ["spec"]}]}));
    assert_eq!(errs.len(), 1);
    assert!(errs[0].starts_with(&format!("{P}: Invalid value: {{")));
    assert!(errs[0].ends_with(
        "only [Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations] fields are allowed at the root of the schema if the status subresource is enabled"
    ));
}

/// apiextensions' CRD validation has no check on the value of `multipleOf`
/// (`ValidateCustomResourceDefinitionOpenAPISchema`, `specStandardValidatorV3.validate` and
/// `ValidateStructural` never read it): a schema with `multipleOf: 0` or a negative factor
/// installs, and only a value checked against it fails, in kube-openapi's `MultipleOf`
/// ("factor MultipleOf declared for <path> must be positive: <factor>", see
/// `validate_tests::multiple_of`).
#[test]
fn multiple_of_zero_or_negative_is_not_refused() {
    let schema = json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "zero": {"type": "integer", "multipleOf": 0},
        "negative": {"type": "number", "multipleOf": -1.5},
        "items": {"type": "array", "items": {"type": "integer", "multipleOf": -2}}
    }}}});
    let ssv = Ssv {
        allow_defaults: true,
        forbid_reason: None,
        inside_meta: false,
    };
    assert_eq!(generic_errors(schema.clone(), &ssv), Vec::<String>::new());
    let props: JSONSchemaProps = serde_json::from_value(schema).unwrap();
    assert!(crate::schema::check_structural(&props, P).is_empty());
}
