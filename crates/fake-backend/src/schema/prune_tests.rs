use super::*;
use serde_json::json;

fn run(s: Value, mut obj: Value) -> (Value, Vec<String>) {
    let s: JSONSchemaProps = serde_json::from_value(s).unwrap();
    let removed = prune(&s, &mut obj);
    (obj, removed)
}

fn spec_schema(spec: Value) -> Value {
    json!({"type": "object", "properties": {"spec": spec}})
}

#[test]
fn root_keeps_type_and_object_meta_but_drops_unknown_fields() {
    let (obj, removed) = run(
        spec_schema(json!({"type": "object", "properties": {"a": {"type": "string"}}})),
        json!({
            "apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": "w", "labels": {"x": "y"}, "bogus": true},
            "spec": {"a": "1", "b": 2, "c": {"d": 1}},
            "extra": 1
        }),
    );
    assert_eq!(removed, vec!["metadata.bogus", "extra", "spec.b", "spec.c"]);
    assert_eq!(
        obj,
        json!({
            "apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": "w", "labels": {"x": "y"}},
            "spec": {"a": "1"}
        })
    );
}

#[test]
fn paths_name_array_items_and_map_keys() {
    let (obj, removed) = run(
        spec_schema(json!({"type": "object", "properties": {
            "list": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}},
            "map": {"type": "object", "additionalProperties": {"type": "object", "properties": {
                "on": {"type": "boolean"}}}}
        }})),
        json!({"spec": {"list": [{"name": "a", "x": 1}, {"y": 2}], "map": {"k": {"on": true, "z": 0}}}}),
    );
    assert_eq!(
        removed,
        vec!["spec.list[0].x", "spec.list[1].y", "spec.map.k.z"]
    );
    assert_eq!(
        obj,
        json!({"spec": {"list": [{"name": "a"}, {}], "map": {"k": {"on": true}}}})
    );
}

#[test]
fn preserve_unknown_fields_keeps_unknown_but_prunes_specified_children() {
    let (obj, removed) = run(
        spec_schema(
            json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {
                "known": {"type": "object", "properties": {"a": {"type": "string"}}}
            }}),
        ),
        json!({"spec": {"anything": {"deep": [1, {"x": 2}]}, "known": {"a": "1", "b": 2}}}),
    );
    assert_eq!(removed, vec!["spec.known.b"]);
    assert_eq!(
        obj,
        json!({"spec": {"anything": {"deep": [1, {"x": 2}]}, "known": {"a": "1"}}})
    );
}

#[test]
fn preserve_at_the_root_keeps_everything_unspecified() {
    let (obj, removed) = run(
        json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}),
        json!({"spec": {"x": 1}, "metadata": {"name": "n", "junk": 1}}),
    );
    assert_eq!(removed, vec!["metadata.junk"]);
    assert_eq!(obj, json!({"spec": {"x": 1}, "metadata": {"name": "n"}}));
}

#[test]
fn embedded_resources_keep_their_type_and_object_meta() {
    let (obj, removed) = run(
        spec_schema(json!({"type": "object", "properties": {
            "template": {"type": "object", "x-kubernetes-embedded-resource": true, "properties": {
                "spec": {"type": "object", "properties": {"image": {"type": "string"}}}}}
        }})),
        json!({"spec": {"template": {
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "nope": 1},
            "spec": {"image": "nginx", "other": 1},
            "status": {}
        }}}),
    );
    assert_eq!(
        removed,
        vec![
            "spec.template.spec.other",
            "spec.template.status",
            "spec.template.metadata.nope"
        ]
    );
    assert_eq!(
        obj,
        json!({"spec": {"template": {
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"image": "nginx"}
        }}})
    );
}

#[test]
fn additional_properties_true_keeps_keys_but_not_nested_fields() {
    let (obj, removed) = run(
        spec_schema(json!({"type": "object", "properties": {
            "any": {"type": "object", "additionalProperties": true}}})),
        json!({"spec": {"any": {"a": 1, "b": {"c": 2}}}}),
    );
    assert_eq!(removed, vec!["spec.any.b.c"]);
    assert_eq!(obj, json!({"spec": {"any": {"a": 1, "b": {}}}}));
}

#[test]
fn non_nullable_nulls_without_default_are_removed() {
    let (obj, removed) = run(
        spec_schema(json!({"type": "object", "properties": {
            "plain": {"type": "string"},
            "nullable": {"type": "string", "nullable": true},
            "defaulted": {"type": "string", "default": "d"},
            "list": {"type": "array", "items": {"type": "object", "properties": {"v": {"type": "integer"}}}}
        }})),
        json!({"spec": {"plain": null, "nullable": null, "defaulted": null, "list": [{"v": null}]}}),
    );
    assert!(removed.is_empty());
    assert_eq!(
        obj,
        json!({"spec": {"nullable": null, "defaulted": null, "list": [{}]}})
    );
}

#[test]
fn unknown_fields_inside_untyped_arrays_of_objects_are_removed() {
    let (obj, removed) = run(
        spec_schema(json!({"type": "object", "properties": {"l": {"type": "array"}}})),
        json!({"spec": {"l": [{"a": 1}, 2]}}),
    );
    assert_eq!(removed, vec!["spec.l[0].a"]);
    assert_eq!(obj, json!({"spec": {"l": [{}, 2]}}));
}

#[test]
fn scalars_and_non_objects_are_left_alone() {
    let (obj, removed) = run(spec_schema(json!({"type": "object"})), json!("text"));
    assert_eq!(obj, json!("text"));
    assert!(removed.is_empty());
}

#[test]
fn prune_unknown_treats_the_node_as_a_resource_root_when_asked() {
    let s: JSONSchemaProps =
        serde_json::from_value(json!({"type": "object", "properties": {"a": {"type": "string"}}}))
            .unwrap();
    let mut v = json!({"a": "x", "kind": "K", "b": 1});
    prune_unknown(&s, &mut v, true);
    assert_eq!(v, json!({"a": "x", "kind": "K"}));
    let mut v = json!({"a": "x", "kind": "K", "b": 1});
    prune_unknown(&s, &mut v, false);
    assert_eq!(v, json!({"a": "x"}));
}
