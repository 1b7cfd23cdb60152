//! Validation of Pods, of the built-in kinds that carry a pod template, and of
//! PodDisruptionBudgets: the parts of `ValidatePod`, `ValidatePodTemplate`,
//! `ValidateDeployment`, `ValidateReplicaSet`, `ValidateStatefulSet`, `ValidateDaemonSet`,
//! `ValidateJob`, `ValidateCronJob` (and their update forms) and
//! `ValidatePodDisruptionBudget` that tests which create workloads run into, in the server's
//! order of checks and with its texts (pkg/apis/core, apps, batch and policy
//! `validation/validation.go`, Kubernetes 1.35).
//!
//! Written by hand: no crate reproduces the API server's validation. Each function names the
//! Go function it follows; what is not checked is listed in `docs/semantics.md`.
//! Bad values are shown as the server shows them since 1.34 (kubernetes#132314): strings
//! quoted, numbers plain, maps, lists and structs as JSON.

mod apps;
mod batch;
mod containers;
mod disruption;
mod ephemeral;
mod handlers;
mod network;
mod pod;
mod pod_update;
mod resize;
mod scheduling;
mod security;
mod selector;
mod volumes;

pub(crate) use resize::prepare as resize_prepare;
pub(crate) use selector::validate as validate_label_selector;

use kobj_core::FieldError;
use serde_json::{Map, Value};

use crate::registry::TypeInfo;
use crate::store::JsonRead;

/// The errors of a create or update of `obj`, after the metadata's; `old` is the stored
/// object on update; `subresource` is the subresource written (a status write is validated
/// by the status strategies, which this does not reproduce).
pub(crate) fn validate<'a>(
    info: &TypeInfo,
    obj: &Value,
    old: Option<impl JsonRead<'a>>,
    subresource: Option<&str>,
    errs: &mut Vec<FieldError>,
) {
    if subresource == Some("status") {
        return;
    }
    let api = &info.resource.api;
    let spec = Spec(obj.get("spec").and_then(Value::as_object));
    match (api.group.as_str(), api.plural.as_str()) {
        ("", "pods") => pod::pod(obj, old.is_none(), errs),
        ("", "podtemplates") => pod::template(
            obj.get("template").and_then(Value::as_object),
            "template",
            errs,
        ),
        ("apps", "deployments") => apps::deployment(&spec, errs),
        ("apps", "replicasets") => apps::replica_set(&spec, errs),
        ("apps", "statefulsets") => apps::stateful_set(&spec, errs),
        ("apps", "daemonsets") => apps::daemon_set(&spec, errs),
        ("batch", "jobs") => batch::job(obj, &spec, old.is_none(), errs),
        ("batch", "cronjobs") => batch::cron_job(obj, &spec, errs),
        ("policy", "poddisruptionbudgets") => disruption::pod_disruption_budget(&spec, errs),
        _ => return,
    }
    let Some(old) = old else { return };
    let old_spec = old.get("spec");
    match (api.group.as_str(), api.plural.as_str()) {
        // The apps/v1 strategies' `ValidateUpdate`: the selector may not change.
        ("apps", "deployments" | "replicasets" | "daemonsets") => {
            let before = old_spec
                .and_then(|s| s.get("selector"))
                .map(|s| s.to_value());
            if !semantically_equal(spec.get("selector"), before.as_deref()) {
                errs.push(FieldError::invalid(
                    "spec.selector",
                    spec.value("selector"),
                    "field is immutable",
                ));
            }
        }
        ("batch", "jobs") => batch::job_update(obj, &old.to_value(), errs),
        // The main resource only: `ephemeralcontainers` and `resize` have their own rules.
        ("", "pods") if subresource.is_none() => pod_update::pod_update(obj, &old.to_value(), errs),
        ("", "pods") if subresource == Some(crate::verbs::EPHEMERAL_CONTAINERS) => {
            ephemeral::ephemeral_update(obj, &old.to_value(), errs);
        }
        ("", "pods") if subresource == Some(crate::verbs::RESIZE) => {
            resize::resize_update(obj, &old.to_value(), errs);
        }
        ("apps", "statefulsets") => {
            let before = old_spec.map(|s| s.to_value());
            if !stateful_set_spec_unchanged(spec.0, before.as_deref()) {
                errs.push(FieldError::forbidden(
                    "spec",
                    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
                ));
            }
        }
        _ => {}
    }
}

/// `ValidateStatefulSetUpdate`'s comparison: the specs without the fields an update may
/// change (`apiequality.Semantic.DeepEqual`, for which a missing, `null` or empty list or
/// map are the same).
fn stateful_set_spec_unchanged(new: Option<&Map<String, Value>>, old: Option<&Value>) -> bool {
    const MUTABLE: [&str; 6] = [
        "replicas",
        "template",
        "updateStrategy",
        "minReadySeconds",
        "ordinals",
        "persistentVolumeClaimRetentionPolicy",
    ];
    let rest = |m: Option<&Map<String, Value>>| -> Value {
        Value::Object(
            m.into_iter()
                .flatten()
                .filter(|(k, _)| !MUTABLE.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    };
    semantically_equal(
        Some(&rest(new)),
        Some(&rest(old.and_then(Value::as_object))),
    )
}

/// A kind's `spec`, read field by field.
pub(super) struct Spec<'a>(Option<&'a Map<String, Value>>);

impl<'a> Spec<'a> {
    fn get(&self, key: &str) -> Option<&'a Value> {
        self.0.and_then(|s| s.get(key)).filter(|v| !v.is_null())
    }

    /// The field's value as an error shows it (`null` when unset).
    fn value(&self, key: &str) -> Value {
        self.get(key).cloned().unwrap_or(Value::Null)
    }

    fn int(&self, key: &str) -> Option<i64> {
        self.get(key).and_then(Value::as_i64)
    }

    fn str(&self, key: &str) -> Option<&'a str> {
        self.get(key).and_then(Value::as_str)
    }

    fn object(&self, key: &str) -> Option<&'a Map<String, Value>> {
        self.get(key).and_then(Value::as_object)
    }
}

/// `ValidateNonnegativeField`: `must be greater than or equal to 0`.
pub(super) fn nonnegative(value: Option<i64>, path: &str, errs: &mut Vec<FieldError>) {
    if let Some(v) = value.filter(|v| *v < 0) {
        errs.push(FieldError::invalid(
            path,
            Value::from(v),
            "must be greater than or equal to 0",
        ));
    }
}

/// `apiequality.Semantic.DeepEqual` of two values as JSON: a missing, `null` or empty list or
/// map is the same as another (Go's nil and empty slices and maps compare equal there).
pub(super) fn semantically_equal(a: Option<&Value>, b: Option<&Value>) -> bool {
    normalized(a) == normalized(b)
}

fn normalized(v: Option<&Value>) -> Value {
    fn strip(v: &Value) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .filter(|(_, v)| !is_nil_or_empty(v))
                    .map(|(k, v)| (k.clone(), strip(v)))
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(strip).collect()),
            other => other.clone(),
        }
    }
    fn is_nil_or_empty(v: &Value) -> bool {
        match v {
            Value::Null => true,
            Value::Object(m) => m.is_empty(),
            Value::Array(a) => a.is_empty(),
            _ => false,
        }
    }
    match v {
        None | Some(Value::Null) => Value::Null,
        Some(v) => strip(v),
    }
}
