//! CRD structural schemas, as the apiextensions-apiserver applies them to custom objects:
//! validation (rule 47), pruning (rule 48), defaulting (rule 49), the structural checks a CRD
//! must pass (rule 44), and `x-kubernetes-validations` CEL rules.
//!
//! The order the API server uses on a write is: [`prune`] (unknown fields, unknown metadata
//! fields and non-nullable nulls without a default), [`apply_defaults`], then [`validate`] (or
//! [`validate_update`], which ratchets unchanged fields) and, when [`rules_blocked`] finds no
//! blocking error, [`validate_rules`].
//!
//! Sources reproduced here: kube-openapi `pkg/validation/validate` (keywords, message texts,
//! `MatchCount` choice of `anyOf`/`oneOf` errors) and `strfmt` (formats); apiextensions-apiserver
//! `pkg/apiserver/validation` (error conversion), `schema/pruning`, `schema/defaulting`,
//! `schema/validation.go` + `complete.go` (structural), `schema/listtype`, `schema/objectmeta`,
//! `schema/cel/validation.go`, and `apis/apiextensions/validation` (CRD schema checks).
//!
//! Paths follow the server: OpenAPI errors name map values `spec.labels.key` (kube-openapi's
//! dotted names) while CEL, list-type and embedded-resource errors use `spec.labels[key]`
//! (`field.Path`); errors with no path print `<nil>`.
//!
//! Known differences from the real server:
//! - CEL rules run on the `cel` crate with kube-cel's Kubernetes function libraries. Rules are
//!   checked dynamically, not type-checked: a rule the server would reject at CRD creation for a
//!   type error fails at evaluation instead; cost budgets are not enforced; list-type `set` and
//!   `map` equality is positional; evaluation error texts are cel-go-like, not identical.
//! - ObjectMeta of embedded resources is checked for apiVersion/kind only, not with the full
//!   ObjectMeta validation; root metadata is validated by the caller.
//! - `email` and `uri` formats follow Go's `net/mail` and `net/url` closely but not exactly.

mod cel;
mod crd_checks;
mod defaults;
mod format;
pub(crate) mod go;
mod listtype;
pub(crate) mod meta;
mod pattern;
mod prune;
mod structural;
mod validate;
mod value_validation;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    JSONSchemaProps, JSONSchemaPropsOrArray, JSONSchemaPropsOrBool,
};
use kobj_core::FieldError;
use serde_json::Value;

/// Nesting depth beyond which schema walks stop descending (guards the stack).
pub(crate) const MAX_DEPTH: usize = 256;

/// Validates a whole object (apiVersion, kind, metadata, spec, status…) against a version's
/// `openAPIV3Schema`, as the API server does on create (rule 47): the OpenAPI keywords, the
/// apiVersion/kind of embedded resources, and the uniqueness of `x-kubernetes-list-type`
/// `set`/`map` lists. Paths and texts are the server's, e.g.
/// `spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`.
///
/// ```
/// # use kobj_fake::schema::validate;
/// let schema = serde_json::from_value(serde_json::json!({
///     "type": "object",
///     "properties": {"spec": {"type": "object", "properties": {"replicas": {"type": "integer"}}}}
/// })).unwrap();
/// let errs = validate(&schema, &serde_json::json!({"spec": {"replicas": "two"}}));
/// assert_eq!(errs[0].to_string(),
///     "spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"");
/// ```
#[must_use]
pub fn validate(schema: &JSONSchemaProps, object: &Value) -> Vec<FieldError> {
    let mut errs = validate::validate(schema, object, None);
    errs.extend(meta::validate_embedded(schema, object));
    errs.extend(listtype::validate(schema, object));
    errs
}

/// Validates an update like [`validate`], ratcheting as the API server does
/// (`CRDValidationRatcheting`): errors in fields whose value equals the correlated old value are
/// dropped, so objects stored before a schema tightened can still be updated elsewhere.
#[must_use]
pub fn validate_update(schema: &JSONSchemaProps, object: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = validate::validate(schema, object, Some(old));
    errs.extend(meta::validate_embedded(schema, object));
    errs.extend(listtype::validate(schema, object));
    errs
}

/// The error the API server adds instead of running CEL rules when schema validation already
/// found an `Unsupported value` or a wrong type:
/// `<nil>: Invalid value: null: some validation rules were not checked because the object was
/// invalid; correct the existing errors to complete validation`.
#[must_use]
pub fn rules_blocked(errors: &[FieldError]) -> Option<FieldError> {
    use kobj_core::FieldErrorType;
    errors
        .iter()
        .any(|e| matches!(e.error_type, FieldErrorType::NotSupported | FieldErrorType::TypeInvalid))
        .then(|| {
            FieldError::invalid(
                NIL_PATH,
                Value::Null,
                "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
            )
        })
}

/// Evaluates `x-kubernetes-validations` CEL rules; `old` is the stored object for transition
/// rules (`oldSelf`), which are skipped on create. A failing rule gives
/// `<path>: Invalid value: <message>` (the value shown for scalars, omitted for objects and
/// arrays), or the error type its `reason` names.
#[must_use]
pub fn validate_rules(
    schema: &JSONSchemaProps,
    object: &Value,
    old: Option<&Value>,
) -> Vec<FieldError> {
    cel::validate(schema, object, old)
}

/// Removes fields the schema does not know (rule 48): unknown fields outside
/// `x-kubernetes-preserve-unknown-fields` nodes, unknown ObjectMeta fields at the root and in
/// embedded resources, and non-nullable nulls without a default. Returns the removed unknown
/// fields' paths such as `metadata.foo` or `spec.x`, for fieldValidation Warn / Strict.
pub fn prune(schema: &JSONSchemaProps, object: &mut Value) -> Vec<String> {
    prune::prune(schema, object)
}

/// Fills in `default`s (rule 49): absent fields, and nulls of non-nullable fields, inside
/// objects that exist, recursively through properties, array items and additionalProperties.
pub fn apply_defaults(schema: &JSONSchemaProps, object: &mut Value) {
    defaults::apply(schema, object, 0);
}

/// Checks that a CRD version's schema is acceptable and structural (rule 44); `path` is the
/// field path of the schema, e.g. `spec.versions[0].schema.openAPIV3Schema`.
///
/// ```
/// # use kobj_fake::schema::check_structural;
/// let schema = serde_json::from_value(serde_json::json!({
///     "type": "object", "properties": {"spec": {"description": "untyped"}}
/// })).unwrap();
/// let errs = check_structural(&schema, "spec.versions[0].schema.openAPIV3Schema");
/// assert_eq!(errs[0].to_string(),
///     "spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields");
/// ```
#[must_use]
pub fn check_structural(schema: &JSONSchemaProps, path: &str) -> Vec<FieldError> {
    structural::check(schema, path)
}

/// Checks the root of a schema for a version whose status subresource is enabled: only
/// `type: object` and the keywords that survive extracting `properties[status]` are allowed.
/// `path` is the schema's path as for [`check_structural`].
#[must_use]
pub fn check_status_subresource_root(schema: &JSONSchemaProps, path: &str) -> Vec<FieldError> {
    crd_checks::check_status_root(schema, path)
}

/// What Go prints for a nil `*field.Path`.
pub(crate) const NIL_PATH: &str = "<nil>";

/// A field path built on the stack while walking an object; rendered only when an error needs it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Path<'a> {
    /// The object itself.
    Root,
    /// A named property.
    Field(&'a Path<'a>, &'a str),
    /// A key of an `additionalProperties` map.
    Key(&'a Path<'a>, &'a str),
    /// An array index.
    Index(&'a Path<'a>, usize),
}

impl<'a> Path<'a> {
    /// A child property.
    pub(crate) fn field(&'a self, name: &'a str) -> Path<'a> {
        Path::Field(self, name)
    }

    /// A map key.
    pub(crate) fn key(&'a self, key: &'a str) -> Path<'a> {
        Path::Key(self, key)
    }

    /// An array index.
    pub(crate) fn index(&'a self, index: usize) -> Path<'a> {
        Path::Index(self, index)
    }

    /// The path as kube-openapi names it: `spec.items[0].map.key`, empty at the root.
    pub(crate) fn openapi(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, false);
        out
    }

    /// The path as `field.Path.String()` prints it: `spec.items[0].map[key]`, `<nil>` at the
    /// root.
    pub(crate) fn field_path(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, true);
        if out.is_empty() {
            out.push_str(NIL_PATH);
        }
        out
    }

    fn write(&self, out: &mut String, keys_in_brackets: bool) {
        match self {
            Path::Root => {}
            Path::Field(parent, name) => {
                parent.write(out, keys_in_brackets);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Path::Key(parent, key) => {
                parent.write(out, keys_in_brackets);
                if keys_in_brackets {
                    out.push('[');
                    out.push_str(key);
                    out.push(']');
                } else {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                }
            }
            Path::Index(parent, index) => {
                parent.write(out, keys_in_brackets);
                out.push('[');
                out.push_str(&index.to_string());
                out.push(']');
            }
        }
    }
}

/// The schema's `type`, empty when unset.
pub(crate) fn type_of(s: &JSONSchemaProps) -> &str {
    s.type_.as_deref().unwrap_or("")
}

/// `x-kubernetes-preserve-unknown-fields: true`.
pub(crate) fn preserves_unknown(s: &JSONSchemaProps) -> bool {
    s.x_kubernetes_preserve_unknown_fields == Some(true)
}

/// `x-kubernetes-embedded-resource: true`.
pub(crate) fn is_embedded(s: &JSONSchemaProps) -> bool {
    s.x_kubernetes_embedded_resource == Some(true)
}

/// `x-kubernetes-int-or-string: true`.
pub(crate) fn is_int_or_string(s: &JSONSchemaProps) -> bool {
    s.x_kubernetes_int_or_string == Some(true)
}

/// `nullable: true`.
pub(crate) fn is_nullable(s: &JSONSchemaProps) -> bool {
    s.nullable == Some(true)
}

/// The `items` schema (a single schema; arrays of schemas are not structural).
pub(crate) fn items_of(s: &JSONSchemaProps) -> Option<&JSONSchemaProps> {
    match &s.items {
        Some(JSONSchemaPropsOrArray::Schema(items)) => Some(items),
        _ => None,
    }
}

/// `additionalProperties`, as the structural schema sees it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Additional<'a> {
    /// A schema for every value.
    Schema(&'a JSONSchemaProps),
    /// `true` or `false` without a schema.
    Bool(bool),
}

/// The node's `additionalProperties`, if set.
pub(crate) fn additional_of(s: &JSONSchemaProps) -> Option<Additional<'_>> {
    match &s.additional_properties {
        Some(JSONSchemaPropsOrBool::Schema(schema)) => Some(Additional::Schema(schema)),
        Some(JSONSchemaPropsOrBool::Bool(allows)) => Some(Additional::Bool(*allows)),
        None => None,
    }
}

/// The schema for value `key` of an object node: its property, else its additionalProperties
/// schema. The outer `Option` tells whether the key is specified at all.
pub(crate) fn child_schema<'s>(
    s: &'s JSONSchemaProps,
    key: &str,
) -> Option<Option<&'s JSONSchemaProps>> {
    if let Some(prop) = s.properties.as_ref().and_then(|p| p.get(key)) {
        return Some(Some(prop));
    }
    match additional_of(s) {
        Some(Additional::Schema(schema)) => Some(Some(schema)),
        Some(Additional::Bool(_)) => Some(None),
        None => None,
    }
}

/// The node's `default`, when set to something other than `null`.
pub(crate) fn default_of(s: &JSONSchemaProps) -> Option<&Value> {
    s.default.as_ref().map(|d| &d.0).filter(|d| !d.is_null())
}

#[cfg(test)]
mod tests;
