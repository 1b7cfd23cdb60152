//! coordination.k8s.io Leases: `ValidateLeaseSpec` (pkg/apis/coordination/validation).

use kobj_core::FieldError;
use serde_json::Value;

/// A lease duration above zero, a transition count not below it, and a preferred holder only
/// with a strategy.
pub(crate) fn lease_spec(obj: &Value, errs: &mut Vec<FieldError>) {
    let Some(spec) = obj.get("spec") else {
        return;
    };
    let int = |key: &str| spec.get(key).and_then(Value::as_i64);
    if let Some(d) = int("leaseDurationSeconds").filter(|d| *d <= 0) {
        errs.push(FieldError::invalid(
            "spec.leaseDurationSeconds",
            Value::from(d),
            "must be greater than 0",
        ));
    }
    if let Some(t) = int("leaseTransitions").filter(|t| *t < 0) {
        errs.push(FieldError::invalid(
            "spec.leaseTransitions",
            Value::from(t),
            "must be greater than or equal to 0",
        ));
    }
    let text = |key: &str| spec.get(key).and_then(Value::as_str).unwrap_or_default();
    if !text("preferredHolder").is_empty() && text("strategy").is_empty() {
        errs.push(FieldError::forbidden(
            "spec.preferredHolder",
            "may only be specified if `strategy` is defined",
        ));
    }
}
