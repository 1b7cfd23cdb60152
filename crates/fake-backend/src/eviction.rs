//! Pod eviction: the `pods/<name>/eviction` subresource (what `kubectl drain` and
//! `Api::<Pod>::evict` call), following `pkg/registry/core/pod/storage/eviction.go`.
//!
//! A pod that is Pending, Succeeded, Failed or already deleting is deleted at once. Otherwise
//! the PodDisruptionBudgets of its namespace that select it decide: none, the pod is deleted;
//! more than one, 500; one, its `status` must have been processed (`observedGeneration`) and
//! allow a disruption, which the eviction takes (`disruptionsAllowed` less one, the pod under
//! `disruptedPods`), or the answer is 429 with the budget's cause. An unready pod passes a
//! budget with `unhealthyPodEvictionPolicy: AlwaysAllow`, or one whose healthy pods reach
//! the desired count. Before the delete the pod gets the `DisruptionTarget` condition.
//!
//! The fake runs no disruption controller: a budget's `status` is what tests write into it
//! (as in an envtest cluster), and `disruptedPods` entries are never cleared.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kobj_core::selector::LabelSelector;
use kobj_core::{Error, ResourceType, Result};
use kube_core::params::{DeleteParams, ListParams, Preconditions, PropagationPolicy};
use kube_core::response::{StatusCause, StatusDetails};
use serde_json::{Value, json};

use crate::cluster::FakeCluster;
use crate::verbs::WriteOptions;

/// More entries than this in a budget's `disruptedPods` refuse evictions (403).
const MAX_DISRUPTED_PODS: usize = 2000;

/// The field manager of the writes the eviction makes (the server's loopback client).
const MANAGER: &str = "kube-apiserver";

fn evictions() -> ResourceType {
    kobj_fake_type("policy", "Eviction", "evictions", true)
}

fn kobj_fake_type(group: &str, kind: &str, plural: &str, namespaced: bool) -> ResourceType {
    crate::registry::resource_type(group, "v1", kind, plural, namespaced)
}

/// The 429 a budget answers with, and its cause.
fn budget_refusal(retry_after: u32, cause: String) -> Error {
    Error::too_many_requests(
        "Cannot evict pod as it would violate the pod's disruption budget.",
        retry_after,
    )
    .with_details(StatusDetails {
        causes: vec![StatusCause {
            reason: "DisruptionBudget".into(),
            message: cause,
            field: String::new(),
        }],
        retry_after_seconds: retry_after,
        ..kobj_core::error::empty_details()
    })
}

/// `metav1.DeleteOptions` of an Eviction body as kube-core's `DeleteParams`.
fn delete_params(options: Option<&Value>, dry_run: bool) -> DeleteParams {
    let o = options.cloned().unwrap_or(Value::Null);
    let text = |p: &str| {
        o.pointer(p)
            .and_then(Value::as_str)
            .map(ToString::to_string)
    };
    let body_dry_run = o
        .get("dryRun")
        .and_then(Value::as_array)
        .is_some_and(|d| !d.is_empty());
    let preconditions =
        (o.get("preconditions").is_some_and(Value::is_object)).then(|| Preconditions {
            uid: text("/preconditions/uid"),
            resource_version: text("/preconditions/resourceVersion"),
        });
    DeleteParams {
        dry_run: dry_run || body_dry_run,
        grace_period_seconds: o
            .get("gracePeriodSeconds")
            .and_then(Value::as_u64)
            .and_then(|g| u32::try_from(g).ok()),
        propagation_policy: match text("/propagationPolicy").as_deref() {
            Some("Orphan") => Some(PropagationPolicy::Orphan),
            Some("Background") => Some(PropagationPolicy::Background),
            Some("Foreground") => Some(PropagationPolicy::Foreground),
            _ => None,
        },
        preconditions,
    }
}

fn is_ready(pod: &Value) -> bool {
    pod.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter().any(|c| {
                c.get("type").and_then(Value::as_str) == Some("Ready")
                    && c.get("status").and_then(Value::as_str) == Some("True")
            })
        })
}

fn can_ignore_budgets(pod: &Value) -> bool {
    let phase = pod
        .pointer("/status/phase")
        .and_then(Value::as_str)
        .unwrap_or_default();
    matches!(phase, "Succeeded" | "Failed" | "Pending")
        || pod
            .pointer("/metadata/deletionTimestamp")
            .is_some_and(|t| !t.is_null())
}

fn int(v: &Value, path: &str) -> i64 {
    v.pointer(path).and_then(Value::as_i64).unwrap_or(0)
}

impl FakeCluster {
    /// Evicts a pod (`POST /api/v1/namespaces/<ns>/pods/<name>/eviction` with a `policy/v1`
    /// Eviction): deletes it unless a PodDisruptionBudget forbids it, as the server does (see
    /// the module's documentation). Answers the server's `Status` of success (201). Logged
    /// as a `create` of `pods` with subresource `eviction`.
    ///
    /// # Errors
    /// 400 for a body whose name is not the URL's, 404 for a missing pod, 429 when a budget
    /// allows no disruption or has not been processed, 500 for a pod under more than one
    /// budget, and the delete's own errors (preconditions).
    pub async fn evict_pod_value(
        &self,
        namespace: &str,
        name: &str,
        body: Value,
        dry_run: bool,
    ) -> Result<Value> {
        let pods = ResourceType::of::<Pod>();
        self.run_subresource_create(&pods, namespace, name, "eviction", async {
            self.evict_now(namespace, name, body, dry_run).await
        })
        .await
    }

    async fn evict_now(
        &self,
        namespace: &str,
        name: &str,
        mut body: Value,
        dry_run: bool,
    ) -> Result<Value> {
        let api_version = body
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("policy/v1")
            .to_string();
        crate::builtins::json_decode::decode(&api_version, "Eviction", &mut body)
            .map_err(|e| crate::verbs::write::cannot_be_handled(&evictions(), &e))?;
        let body_name = body
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if body_name != name {
            return Err(Error::bad_request(
                "name in URL does not match name in Eviction object",
            ));
        }
        let params = delete_params(body.get("deleteOptions"), dry_run);
        let pods = ResourceType::of::<Pod>();
        let pod = serde_json::to_value(self.get_now(&pods, Some(namespace), name)?)
            .map_err(|e| Error::internal(e.to_string()))?;
        if can_ignore_budgets(&pod) {
            self.delete_disrupted(&pods, namespace, name, &pod, params)?;
            return Ok(crate::verbs::gate::created_status());
        }
        let budgets = self
            .list_dynamic(
                &ResourceType::of::<PodDisruptionBudget>(),
                Some(namespace),
                &ListParams::default(),
            )
            .await?;
        let labels: BTreeMap<String, String> = pod
            .pointer("/metadata/labels")
            .and_then(|l| serde_json::from_value(l.clone()).ok())
            .unwrap_or_default();
        let matching: Vec<Value> = budgets
            .items
            .into_iter()
            .filter_map(|b| serde_json::to_value(b).ok())
            .filter(|b| {
                b.pointer("/spec/selector")
                    .filter(|s| s.is_object())
                    .and_then(|s| serde_json::from_value(s.clone()).ok())
                    .and_then(|s| LabelSelector::from_label_selector(&s).ok())
                    .is_some_and(|s| s.matches(&labels))
            })
            .collect();
        let budget = match matching.as_slice() {
            [] => None,
            [one] => Some(one.clone()),
            _ => {
                return Err(Error::from_parts(
                    500,
                    "",
                    "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
                ));
            }
        };
        let mut params = params;
        if let Some(budget) = budget {
            let unhealthy_ok = !is_ready(&pod)
                && (budget
                    .pointer("/spec/unhealthyPodEvictionPolicy")
                    .and_then(Value::as_str)
                    == Some("AlwaysAllow")
                    || (int(&budget, "/status/currentHealthy")
                        >= int(&budget, "/status/desiredHealthy")
                        && int(&budget, "/status/desiredHealthy") > 0));
            if unhealthy_ok {
                if params
                    .preconditions
                    .as_ref()
                    .is_none_or(|p| p.resource_version.is_none())
                {
                    let mut pre = params.preconditions.take().unwrap_or(Preconditions {
                        uid: None,
                        resource_version: None,
                    });
                    pre.resource_version = pod
                        .pointer("/metadata/resourceVersion")
                        .and_then(Value::as_str)
                        .map(ToString::to_string);
                    params.preconditions = Some(pre);
                }
            } else {
                self.take_disruption(namespace, name, budget, params.dry_run)?;
            }
        }
        self.delete_disrupted(&pods, namespace, name, &pod, params)?;
        Ok(crate::verbs::gate::created_status())
    }

    /// `checkAndDecrement`: the budget allows a disruption, and records it.
    fn take_disruption(
        &self,
        namespace: &str,
        pod: &str,
        mut budget: Value,
        dry_run: bool,
    ) -> Result<()> {
        let budget_name = budget
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if int(&budget, "/status/observedGeneration") < int(&budget, "/metadata/generation") {
            return Err(budget_refusal(
                10,
                format!(
                    "The disruption budget {budget_name} is still being processed by the server."
                ),
            ));
        }
        let budgets = kobj_fake_type("policy", "PodDisruptionBudget", "poddisruptionbudget", true);
        let allowed = int(&budget, "/status/disruptionsAllowed");
        if allowed < 0 {
            return Err(Error::forbidden(
                &budgets,
                &budget_name,
                "pdb disruptions allowed is negative",
            ));
        }
        let disrupted = budget
            .pointer("/status/disruptedPods")
            .and_then(Value::as_object)
            .map_or(0, serde_json::Map::len);
        if disrupted > MAX_DISRUPTED_PODS {
            return Err(Error::forbidden(
                &budgets,
                &budget_name,
                "DisruptedPods map too big - too many evictions not confirmed by PDB controller",
            ));
        }
        if allowed == 0 {
            return Err(budget_refusal(
                0,
                format!(
                    "The disruption budget {budget_name} needs {} healthy pods and has {} currently",
                    int(&budget, "/status/desiredHealthy"),
                    int(&budget, "/status/currentHealthy"),
                ),
            ));
        }
        if dry_run {
            return Ok(());
        }
        let now = self.inner.clock.now().to_string();
        let status = &mut budget["status"];
        status["disruptionsAllowed"] = json!(allowed - 1);
        if allowed - 1 == 0 {
            set_condition(
                status,
                json!({
                    "type": "DisruptionAllowed", "status": "False", "reason": "InsufficientPods",
                    "message": "", "observedGeneration": status.get("observedGeneration").cloned().unwrap_or(json!(0)),
                    "lastTransitionTime": now,
                }),
            );
        }
        status["disruptedPods"][pod] = json!(now);
        let opts = WriteOptions {
            field_manager: Some(MANAGER.into()),
            ..WriteOptions::default()
        };
        self.replace_now(&ResourceType::of::<PodDisruptionBudget>(), Some(namespace), &budget_name, budget, Some("status"), &opts)
            .map(|_| ())
            // A write between the read and this one: the server retries; the client sees 429.
            .map_err(|e| if e.is_conflict() { budget_refusal(10, format!("The disruption budget {budget_name} is still being processed by the server.")) } else { e })
    }

    /// `addConditionAndDeletePod`: the `DisruptionTarget` condition, then the delete.
    fn delete_disrupted(
        &self,
        pods: &ResourceType,
        namespace: &str,
        name: &str,
        pod: &Value,
        params: DeleteParams,
    ) -> Result<()> {
        let mut params = params;
        if !params.dry_run {
            let mut updated = pod.clone();
            if let Some(pre) = &params.preconditions {
                let text = |p: &str| {
                    pod.pointer(p)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string()
                };
                let conflict = |what: &str, given: &str, had: String| {
                    Error::conflict(
                        &kobj_fake_type("", "Pod", "Pod", true),
                        name,
                        format!(
                            "the {what} in the precondition ({given}) does not match the {what} in record ({had}). The object might have been {}",
                            if what == "UID" {
                                "deleted and then recreated"
                            } else {
                                "modified"
                            }
                        ),
                    )
                };
                if let Some(uid) = pre
                    .uid
                    .as_deref()
                    .filter(|u| !u.is_empty() && *u != text("/metadata/uid"))
                {
                    return Err(conflict("UID", uid, text("/metadata/uid")));
                }
                if let Some(rv) = pre
                    .resource_version
                    .as_deref()
                    .filter(|r| !r.is_empty() && *r != text("/metadata/resourceVersion"))
                {
                    return Err(conflict(
                        "ResourceVersion",
                        rv,
                        text("/metadata/resourceVersion"),
                    ));
                }
            }
            let now = self.inner.clock.now().to_string();
            let status = updated
                .as_object_mut()
                .map(|o| o.entry("status").or_insert_with(|| json!({})));
            if let Some(status) = status {
                set_condition(
                    status,
                    json!({
                        "type": "DisruptionTarget", "status": "True", "reason": "EvictionByEvictionAPI",
                        "message": "Eviction API: evicting", "lastTransitionTime": now,
                    }),
                );
            }
            let opts = WriteOptions {
                field_manager: Some(MANAGER.into()),
                ..WriteOptions::default()
            };
            let written =
                self.replace_now(pods, Some(namespace), name, updated, Some("status"), &opts)?;
            if let Some(pre) = params
                .preconditions
                .as_mut()
                .filter(|p| p.resource_version.is_some())
            {
                // The condition moved the version the caller's precondition named.
                pre.resource_version = written
                    .pointer("/metadata/resourceVersion")
                    .and_then(Value::as_str)
                    .map(ToString::to_string);
            }
        }
        self.delete_now(pods, Some(namespace), name, &params)
            .map(|_| ())
    }
}

/// `UpdatePodCondition`-style: replaces the condition of the same type (keeping its
/// transition time when the status is unchanged), or appends it.
pub(crate) fn set_condition(status: &mut Value, mut condition: Value) {
    let Some(map) = status.as_object_mut() else {
        return;
    };
    let list = map.entry("conditions").or_insert_with(|| json!([]));
    if !list.is_array() {
        *list = json!([]);
    }
    let Some(items) = list.as_array_mut() else {
        return;
    };
    let ty = condition.get("type").cloned();
    match items.iter_mut().find(|c| c.get("type") == ty.as_ref()) {
        Some(existing) => {
            if existing.get("status") == condition.get("status")
                && let Some(t) = existing.get("lastTransitionTime").cloned()
            {
                condition["lastTransitionTime"] = t;
            }
            *existing = condition;
        }
        None => items.push(condition),
    }
}
