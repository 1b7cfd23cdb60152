//! Defaulting (rule 49): apiextensions `schema/defaulting.Default`.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::JSONSchemaProps;
use serde_json::Value;

use super::{Additional, MAX_DEPTH};

/// Fills absent properties (and non-nullable nulls) from their `default`, then recurses into
/// every value, defaults included.
pub(crate) fn apply(s: &JSONSchemaProps, x: &mut Value, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match x {
        Value::Object(map) => {
            if let Some(properties) = &s.properties {
                for (key, prop) in properties {
                    let Some(default) = super::default_of(prop) else {
                        continue;
                    };
                    let missing = match map.get(key) {
                        None => true,
                        Some(v) => v.is_null() && !super::is_nullable(prop),
                    };
                    if missing {
                        map.insert(key.clone(), default.clone());
                    }
                }
            }
            let additional = match super::additional_of(s) {
                Some(Additional::Schema(a)) => Some(a),
                _ => None,
            };
            for (key, value) in map.iter_mut() {
                if let Some(prop) = s.properties.as_ref().and_then(|p| p.get(key)) {
                    apply(prop, value, depth + 1);
                } else if let Some(additional) = additional {
                    fill_null(value, additional);
                    apply(additional, value, depth + 1);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = super::items_of(s) {
                for item in items {
                    fill_null(item, item_schema);
                    apply(item_schema, item, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// A null map value or list item of a non-nullable schema takes the schema's default.
fn fill_null(value: &mut Value, s: &JSONSchemaProps) {
    if value.is_null()
        && !super::is_nullable(s)
        && let Some(default) = super::default_of(s)
    {
        *value = default.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema(v: Value) -> JSONSchemaProps {
        serde_json::from_value(v).unwrap()
    }

    fn defaulted(s: &Value, mut obj: Value) -> Value {
        apply(&schema(s.clone()), &mut obj, 0);
        obj
    }

    #[test]
    fn absent_fields_get_defaults_only_inside_existing_objects() {
        let s = json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
            "replicas": {"type": "integer", "default": 1},
            "nested": {"type": "object", "properties": {"x": {"type": "string", "default": "d"}}}
        }}}});
        assert_eq!(defaulted(&s, json!({})), json!({}));
        assert_eq!(
            defaulted(&s, json!({"spec": {}})),
            json!({"spec": {"replicas": 1}})
        );
        assert_eq!(
            defaulted(&s, json!({"spec": {"replicas": 3, "nested": {}}})),
            json!({"spec": {"replicas": 3, "nested": {"x": "d"}}})
        );
    }

    #[test]
    fn defaults_are_defaulted_recursively() {
        let s = json!({"type": "object", "properties": {"spec": {
            "type": "object", "default": {},
            "properties": {"a": {"type": "string", "default": "A"}}
        }}});
        assert_eq!(defaulted(&s, json!({})), json!({"spec": {"a": "A"}}));
    }

    #[test]
    fn nulls_take_defaults_unless_nullable() {
        let s = json!({"type": "object", "properties": {
            "a": {"type": "string", "default": "A"},
            "b": {"type": "string", "nullable": true, "default": "B"}
        }});
        assert_eq!(
            defaulted(&s, json!({"a": null, "b": null})),
            json!({"a": "A", "b": null})
        );
    }

    #[test]
    fn array_items_and_map_values_are_defaulted() {
        let s = json!({"type": "object", "properties": {
            "list": {"type": "array", "items": {"type": "object", "properties": {
                "port": {"type": "integer", "default": 80}}}},
            "scalars": {"type": "array", "items": {"type": "string", "default": "x"}},
            "map": {"type": "object", "additionalProperties": {"type": "object", "properties": {
                "enabled": {"type": "boolean", "default": true}}}},
            "nullmap": {"type": "object", "additionalProperties": {"type": "integer", "default": 7}}
        }});
        assert_eq!(
            defaulted(
                &s,
                json!({"list": [{}, {"port": 8080}], "scalars": ["a", null],
                       "map": {"k": {}}, "nullmap": {"n": null}})
            ),
            json!({"list": [{"port": 80}, {"port": 8080}], "scalars": ["a", "x"],
                   "map": {"k": {"enabled": true}}, "nullmap": {"n": 7}})
        );
    }

    #[test]
    fn null_defaults_and_scalars_are_left_alone() {
        let s = json!({"type": "object", "properties": {"a": {"type": "string", "default": null}}});
        assert_eq!(defaulted(&s, json!({})), json!({}));
        assert_eq!(defaulted(&s, json!("scalar")), json!("scalar"));
    }
}
