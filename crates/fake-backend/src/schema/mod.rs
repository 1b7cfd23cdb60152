//! CRD structural schemas: validation (rule 47), pruning (rule 48), defaulting (rule 49),
//! structural checks for CRD validation (rule 44), and CEL rules (x-kubernetes-validations).
//!
//! PLACEHOLDER INTERFACE — owned by the schema work; bodies are replaced there.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::JSONSchemaProps;
use kobj_core::FieldError;
use serde_json::Value;

/// Validates a whole object (apiVersion, kind, metadata, spec, status…) against a version's
/// `openAPIV3Schema`; field paths and texts as the API server's (rule 47).
#[must_use]
pub fn validate(schema: &JSONSchemaProps, object: &Value) -> Vec<FieldError> {
    let _ = (schema, object);
    Vec::new()
}

/// Evaluates `x-kubernetes-validations` CEL rules; `old` is the stored object for transition
/// rules (`oldSelf`).
#[must_use]
pub fn validate_rules(
    schema: &JSONSchemaProps,
    object: &Value,
    old: Option<&Value>,
) -> Vec<FieldError> {
    let _ = (schema, object, old);
    Vec::new()
}

/// Removes fields the schema does not know (rule 48); returns the removed paths such as
/// `spec.x`, for fieldValidation Warn / Strict.
pub fn prune(schema: &JSONSchemaProps, object: &mut Value) -> Vec<String> {
    let _ = (schema, object);
    Vec::new()
}

/// Fills in `default`s (rule 49).
pub fn apply_defaults(schema: &JSONSchemaProps, object: &mut Value) {
    let _ = (schema, object);
}

/// Checks that a CRD version's schema is structural (rule 44); `path` is the field path of the
/// schema, e.g. `spec.versions[0].schema.openAPIV3Schema`.
#[must_use]
pub fn check_structural(schema: &JSONSchemaProps, path: &str) -> Vec<FieldError> {
    let _ = (schema, path);
    Vec::new()
}
