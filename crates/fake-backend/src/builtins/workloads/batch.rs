//! `ValidateJob` (with the generated selector's checks) and `ValidateCronJobCreate`
//! (pkg/apis/batch/validation/validation.go): counts not negative, the pod template, a
//! restart policy of `OnFailure` or `Never`, and the selector. Pod failure and success
//! policies, indexed completion limits and a CronJob's schedule syntax and time zone are
//! not checked.

use kobj_core::FieldError;
use serde_json::{Map, Value};

use super::{Spec, nonnegative, pod, selector};

/// `ValidateJob` for a create (`creating`) or an update. The generated selector has the
/// `batch.kubernetes.io/` labels (`RequirePrefixedLabels`) on create, and on update when the
/// Job was created with them.
pub(super) fn job(obj: &Value, spec: &Spec<'_>, creating: bool, errs: &mut Vec<FieldError>) {
    let prefixed = creating
        || spec
            .object("template")
            .and_then(|t| t.get("metadata"))
            .and_then(|m| m.get("labels"))
            .is_some_and(|l| l.get("batch.kubernetes.io/controller-uid").is_some());
    generated_selector(obj, spec, prefixed, errs);
    job_spec(spec.0, "spec", errs);
    match spec.object("selector") {
        None => errs.push(FieldError::required("spec.selector", "")),
        Some(raw) => selector::validate(raw, "spec.selector", errs),
    }
    let converted = selector::Converted::of(spec.get("selector"));
    let labels = spec
        .object("template")
        .and_then(|t| t.get("metadata"))
        .and_then(|m| m.get("labels"))
        .and_then(Value::as_object);
    // `Matches` without `Empty()`: no selector (`Nothing`) matches nothing.
    let refused = match &converted {
        selector::Converted::Invalid => false,
        selector::Converted::Selector(s) if s.is_empty() => false,
        other => other.refuses(labels),
    };
    if refused {
        errs.push(FieldError::invalid(
            "spec.template.metadata.labels",
            labels.map_or(Value::Null, |l| Value::Object(l.clone())),
            "`selector` does not match template `labels`",
        ));
    }
}

/// `validateGeneratedSelector`: unless `manualSelector`, the template carries the labels the
/// strategy generated and the selector selects them.
fn generated_selector(obj: &Value, spec: &Spec<'_>, prefixed: bool, errs: &mut Vec<FieldError>) {
    if spec.get("manualSelector").and_then(Value::as_bool) == Some(true) {
        return;
    }
    if spec.get("selector").is_none() {
        return;
    }
    let uid = crate::meta::meta_str(obj, "uid");
    let name = crate::meta::meta_str(obj, "name");
    if uid.is_empty() {
        errs.push(FieldError::required("metadata.uid", ""));
    }
    let labels = spec
        .object("template")
        .and_then(|t| t.get("metadata"))
        .and_then(|m| m.get("labels"))
        .and_then(Value::as_object);
    let mut expected = vec![("controller-uid", uid), ("job-name", name)];
    if prefixed {
        expected.push(("batch.kubernetes.io/controller-uid", uid));
        expected.push(("batch.kubernetes.io/job-name", name));
    }
    for (key, want) in &expected {
        has_label(labels, key, want, errs);
    }
    let set: Map<String, Value> = expected
        .iter()
        .map(|(k, v)| ((*k).to_string(), Value::String((*v).to_string())))
        .collect();
    if let selector::Converted::Selector(s) = selector::Converted::of(spec.get("selector"))
        && selector::Converted::Selector(s).refuses(Some(&set))
    {
        errs.push(FieldError::invalid(
            "spec.selector",
            spec.value("selector"),
            "`selector` not auto-generated",
        ));
    }
}

/// `ValidateHasLabel` at `spec.template.metadata`.
fn has_label(
    labels: Option<&Map<String, Value>>,
    key: &str,
    want: &str,
    errs: &mut Vec<FieldError>,
) {
    let path = format!("spec.template.metadata.labels[{key}]");
    match labels.and_then(|l| l.get(key)).and_then(Value::as_str) {
        None => errs.push(FieldError::required(path, format!("must be '{want}'"))),
        Some(actual) if actual != want => errs.push(FieldError::invalid(
            path,
            labels.map_or(Value::Null, |l| Value::Object(l.clone())),
            format!("must be '{want}'"),
        )),
        Some(_) => {}
    }
}

/// The checked parts of `validateJobSpec` at `path`.
fn job_spec(spec: Option<&Map<String, Value>>, path: &str, errs: &mut Vec<FieldError>) {
    let int = |key: &str| spec.and_then(|s| s.get(key)).and_then(Value::as_i64);
    for key in [
        "parallelism",
        "completions",
        "activeDeadlineSeconds",
        "backoffLimit",
        "ttlSecondsAfterFinished",
        "backoffLimitPerIndex",
    ] {
        nonnegative(int(key), &format!("{path}.{key}"), errs);
    }
    let template = spec
        .and_then(|s| s.get("template"))
        .and_then(Value::as_object);
    pod::template(template, &format!("{path}.template"), errs);
    let policy = template
        .and_then(|t| t.get("spec"))
        .and_then(|s| s.get("restartPolicy"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let policy_path = format!("{path}.template.spec.restartPolicy");
    match policy {
        // Defaulting makes an unset policy `Always`.
        "Always" | "" => errs.push(FieldError::required(
            policy_path,
            "valid values: \"OnFailure\", \"Never\"",
        )),
        "OnFailure" | "Never" => {
            let failure_policy = spec
                .and_then(|s| s.get("podFailurePolicy"))
                .is_some_and(|v| !v.is_null());
            if failure_policy && policy != "Never" {
                errs.push(FieldError::invalid(
                    policy_path,
                    Value::String(policy.into()),
                    "only \"Never\" is supported when podFailurePolicy is specified",
                ));
            }
        }
        other => errs.push(FieldError::not_supported(
            policy_path,
            Value::String(other.into()),
            &["OnFailure", "Never"],
        )),
    }
}

/// `ValidateCronJobCreate`'s spec checks and its name length.
pub(super) fn cron_job(obj: &Value, spec: &Spec<'_>, errs: &mut Vec<FieldError>) {
    if spec.str("schedule").is_none_or(str::is_empty) {
        errs.push(FieldError::required("spec.schedule", ""));
    }
    if let Some(deadline) = spec.int("startingDeadlineSeconds") {
        nonnegative(Some(deadline), "spec.startingDeadlineSeconds", errs);
    }
    match spec.str("concurrencyPolicy").unwrap_or("") {
        "Allow" | "Forbid" | "Replace" => {}
        "" => errs.push(FieldError::required("spec.concurrencyPolicy", "")),
        other => errs.push(FieldError::not_supported(
            "spec.concurrencyPolicy",
            Value::String(other.into()),
            &["Allow", "Forbid", "Replace"],
        )),
    }
    // `ValidateJobTemplateSpec`.
    let template = spec.object("jobTemplate");
    let job = template
        .and_then(|t| t.get("spec"))
        .and_then(Value::as_object);
    job_spec(job, "spec.jobTemplate.spec", errs);
    if let Some(sel) = job.and_then(|j| j.get("selector")).filter(|v| !v.is_null()) {
        errs.push(FieldError::invalid(
            "spec.jobTemplate.spec.selector",
            sel.clone(),
            "`selector` will be auto-generated",
        ));
    }
    if job
        .and_then(|j| j.get("manualSelector"))
        .and_then(Value::as_bool)
        == Some(true)
    {
        errs.push(FieldError::not_supported(
            "spec.jobTemplate.spec.manualSelector",
            Value::Bool(true),
            &["nil", "false"],
        ));
    }
    for key in ["successfulJobsHistoryLimit", "failedJobsHistoryLimit"] {
        if let Some(limit) = spec.int(key) {
            nonnegative(Some(limit), &format!("spec.{key}"), errs);
        }
    }
    let name = crate::meta::meta_str(obj, "name");
    if name.len() > 52 {
        errs.push(FieldError::invalid(
            "metadata.name",
            Value::String(name.into()),
            "must be no more than 52 characters",
        ));
    }
}

/// `ValidateJobSpecUpdate`'s immutable fields after `ValidateJob`: the selector, the pod
/// template (its labels, annotations, node selector, tolerations, affinity and scheduling
/// gates may change while the Job is suspended and has never started), the completion mode
/// and the failure, success and replacement policies. `old` is the stored Job.
pub(super) fn job_update(obj: &Value, old: &Value, errs: &mut Vec<FieldError>) {
    let spec = obj.get("spec");
    let old_spec = old.get("spec");
    let field = |s: Option<&Value>, key: &str| s.and_then(|s| s.get(key)).cloned();
    let immutable = |key: &str, errs: &mut Vec<FieldError>| {
        let (new, before) = (field(spec, key), field(old_spec, key));
        if !super::semantically_equal(new.as_ref(), before.as_ref()) {
            errs.push(FieldError::invalid(
                format!("spec.{key}"),
                new.unwrap_or(Value::Null),
                "field is immutable",
            ));
        }
    };
    immutable("selector", errs);
    let suspended = old_spec
        .and_then(|s| s.get("suspend"))
        .and_then(Value::as_bool)
        == Some(true);
    let not_started = old
        .get("status")
        .and_then(|s| s.get("startTime"))
        .is_none_or(Value::is_null);
    let mutable_scheduling = suspended && not_started;
    let template = |s: Option<&Value>| {
        let mut t = field(s, "template").unwrap_or(Value::Null);
        if mutable_scheduling {
            if let Some(meta) = t.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.remove("labels");
                meta.remove("annotations");
            }
            if let Some(pod) = t.get_mut("spec").and_then(Value::as_object_mut) {
                for key in ["nodeSelector", "tolerations", "affinity", "schedulingGates"] {
                    pod.remove(key);
                }
            }
        }
        t
    };
    if !super::semantically_equal(Some(&template(spec)), Some(&template(old_spec))) {
        // The server prints its internal `PodTemplateSpec` (Go field names); the fake the
        // template's JSON.
        errs.push(FieldError::invalid(
            "spec.template",
            field(spec, "template").unwrap_or(Value::Null),
            "field is immutable",
        ));
    }
    for key in [
        "completionMode",
        "podFailurePolicy",
        "backoffLimitPerIndex",
        "managedBy",
        "successPolicy",
        "podReplacementPolicy",
    ] {
        immutable(key, errs);
    }
}
