//! Defaults of the workload kinds: `pkg/apis/apps/v1/defaults.go` (Deployment, ReplicaSet,
//! StatefulSet, DaemonSet) and `pkg/apis/batch/v1/defaults.go` (Job, CronJob), Kubernetes
//! 1.35 (`MaxUnavailableStatefulSet` beta and on, `StatefulSetAutoDeletePVC` and
//! `JobPodReplacementPolicy` GA). Their pod templates get the core/v1 pod-spec defaults.

use serde_json::{Map, Value, json};

use super::{child, each, ensure_obj, is_empty, is_nil, set_default, set_default_zero, str_of};

/// The pod template at `spec.template`, if any.
fn template(root: &mut Map<String, Value>) {
    if let Some(t) = child(root, "spec").and_then(|s| child(s, "template")) {
        super::pod::template(t);
    }
}

/// `SetDefaults_Deployment`.
pub(super) fn deployment(root: &mut Map<String, Value>) {
    if let Some(spec) = child(root, "spec") {
        set_default(spec, "replicas", Value::from(1));
        if let Some(strategy) = ensure_obj(spec, "strategy") {
            set_default_zero(strategy, "type", Value::from("RollingUpdate"));
            if str_of(strategy, "type") == "RollingUpdate"
                && let Some(rolling) = ensure_obj(strategy, "rollingUpdate")
            {
                set_default(rolling, "maxUnavailable", Value::from("25%"));
                set_default(rolling, "maxSurge", Value::from("25%"));
            }
        }
        set_default(spec, "revisionHistoryLimit", Value::from(10));
        set_default(spec, "progressDeadlineSeconds", Value::from(600));
    }
    template(root);
}

/// `SetDefaults_ReplicaSet`.
pub(super) fn replica_set(root: &mut Map<String, Value>) {
    if let Some(spec) = child(root, "spec") {
        set_default(spec, "replicas", Value::from(1));
    }
    template(root);
}

/// `SetDefaults_DaemonSet`.
pub(super) fn daemon_set(root: &mut Map<String, Value>) {
    if let Some(spec) = child(root, "spec") {
        if let Some(strategy) = ensure_obj(spec, "updateStrategy") {
            set_default_zero(strategy, "type", Value::from("RollingUpdate"));
            if str_of(strategy, "type") == "RollingUpdate"
                && let Some(rolling) = ensure_obj(strategy, "rollingUpdate")
            {
                set_default(rolling, "maxUnavailable", Value::from(1));
                set_default(rolling, "maxSurge", Value::from(0));
            }
        }
        set_default(spec, "revisionHistoryLimit", Value::from(10));
    }
    template(root);
}

/// `SetDefaults_StatefulSet`, and the volume claim templates' PersistentVolumeClaim
/// defaults (`status.phase` Pending included, as a real server returns them).
pub(super) fn stateful_set(root: &mut Map<String, Value>) {
    if let Some(spec) = child(root, "spec") {
        set_default_zero(spec, "podManagementPolicy", Value::from("OrderedReady"));
        if let Some(strategy) = ensure_obj(spec, "updateStrategy") {
            if super::is_zero(strategy, "type") {
                strategy.insert("type".into(), Value::from("RollingUpdate"));
                set_default(strategy, "rollingUpdate", json!({}));
            }
            if str_of(strategy, "type") == "RollingUpdate"
                && let Some(rolling) = child(strategy, "rollingUpdate")
            {
                set_default(rolling, "partition", Value::from(0));
                set_default(rolling, "maxUnavailable", Value::from(1));
            }
        }
        if let Some(retention) = ensure_obj(spec, "persistentVolumeClaimRetentionPolicy") {
            set_default_zero(retention, "whenDeleted", Value::from("Retain"));
            set_default_zero(retention, "whenScaled", Value::from("Retain"));
        }
        set_default(spec, "replicas", Value::from(1));
        set_default(spec, "revisionHistoryLimit", Value::from(10));
        each(spec, "volumeClaimTemplates", |claim| {
            super::core::persistent_volume_claim(claim);
        });
    }
    template(root);
}

/// `SetDefaults_Job`.
pub(super) fn job(root: &mut Map<String, Value>) {
    let labels = template_labels(root);
    if let Some(spec) = child(root, "spec") {
        if is_nil(spec, "completions") && is_nil(spec, "parallelism") {
            spec.insert("completions".into(), Value::from(1));
            spec.insert("parallelism".into(), Value::from(1));
        }
        set_default(spec, "parallelism", Value::from(1));
        if is_nil(spec, "backoffLimit") {
            let limit = if is_nil(spec, "backoffLimitPerIndex") {
                6
            } else {
                i64::from(i32::MAX)
            };
            spec.insert("backoffLimit".into(), Value::from(limit));
        }
        set_default(spec, "completionMode", Value::from("NonIndexed"));
        set_default(spec, "suspend", Value::Bool(false));
        let has_failure_policy = !is_nil(spec, "podFailurePolicy");
        if let Some(policy) = child(spec, "podFailurePolicy") {
            each(policy, "rules", |rule| {
                each(rule, "onPodConditions", |pattern| {
                    set_default_zero(pattern, "status", Value::from("True"));
                });
            });
        }
        let replacement = if has_failure_policy {
            "Failed"
        } else {
            "TerminatingOrFailed"
        };
        set_default(spec, "podReplacementPolicy", Value::from(replacement));
        set_default(spec, "manualSelector", Value::Bool(false));
    }
    copy_labels(root, labels);
    template(root);
}

/// The Job's template labels become its labels when it has none (`SetDefaults_Job`); run
/// again on the stored object, after the strategy added its labels to the template.
pub(super) fn job_labels(root: &mut Map<String, Value>) {
    let labels = template_labels(root);
    copy_labels(root, labels);
}

/// `spec.template.metadata.labels`, if it is an object.
fn template_labels(root: &Map<String, Value>) -> Option<Value> {
    root.get("spec")
        .and_then(|s| s.get("template"))
        .and_then(|t| t.get("metadata"))
        .and_then(|m| m.get("labels"))
        .filter(|l| l.is_object())
        .cloned()
}

/// Sets `metadata.labels` to `labels` when the object has no labels.
fn copy_labels(root: &mut Map<String, Value>, labels: Option<Value>) {
    if let Some(labels) = labels.filter(|l| l.as_object().is_some_and(|m| !m.is_empty()))
        && let Some(meta) = ensure_obj(root, "metadata")
        && is_empty(meta, "labels")
    {
        meta.insert("labels".into(), labels);
    }
}

/// `SetDefaults_CronJob`; the job template gets only its pod template's defaults.
pub(super) fn cron_job(root: &mut Map<String, Value>) {
    let Some(spec) = child(root, "spec") else {
        return;
    };
    set_default_zero(spec, "concurrencyPolicy", Value::from("Allow"));
    set_default(spec, "suspend", Value::Bool(false));
    set_default(spec, "successfulJobsHistoryLimit", Value::from(3));
    set_default(spec, "failedJobsHistoryLimit", Value::from(1));
    if let Some(t) = child(spec, "jobTemplate")
        .and_then(|j| child(j, "spec"))
        .and_then(|s| child(s, "template"))
    {
        super::pod::template(t);
    }
}
