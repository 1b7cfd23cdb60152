//! autoscaling/v1 ⇄ autoscaling/v2 HorizontalPodAutoscalers
//! (`pkg/apis/autoscaling/v1/conversion.go`), stored as v2. v1 carries the CPU utilization
//! target and reading; whatever else v2 holds rides in four annotations, written as the
//! server's `encoding/json` writes the v1 annotation types (fields in declaration order)
//! and read back (and removed) when a v1 object is converted to v2:
//! - `autoscaling.alpha.kubernetes.io/metrics`: the metrics other than a CPU utilization
//!   target, as v1 `MetricSpec`s;
//! - `autoscaling.alpha.kubernetes.io/current-metrics`: every current metric, as v1
//!   `MetricStatus`es;
//! - `autoscaling.alpha.kubernetes.io/conditions`: the conditions;
//! - `autoscaling.alpha.kubernetes.io/behavior`: the behavior, as the internal type
//!   marshals (Go's field names).
//!
//! A v2 object given these annotations has them dropped
//! (`DropRoundTripHorizontalPodAutoscalerAnnotations`).

use serde_json::{Map, Value, json};

use crate::builtins::{defaults, zero_fields};

mod go_json;
mod metrics;

use go_json::{behavior_from_go, behavior_to_go, condition_to_v1};
use metrics::{metric_spec_to_v1, metric_spec_to_v2, metric_status_to_v1, metric_status_to_v2};

const METRICS: &str = "autoscaling.alpha.kubernetes.io/metrics";
const CURRENT_METRICS: &str = "autoscaling.alpha.kubernetes.io/current-metrics";
const CONDITIONS: &str = "autoscaling.alpha.kubernetes.io/conditions";
const BEHAVIOR: &str = "autoscaling.alpha.kubernetes.io/behavior";
const ROUND_TRIP: [&str; 4] = [METRICS, CURRENT_METRICS, CONDITIONS, BEHAVIOR];

/// A v2 object as written: the round-trip annotations dropped.
pub(crate) fn drop_round_trip_annotations(obj: &mut Value) {
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let Some(annotations) = meta.get_mut("annotations").and_then(Value::as_object_mut) else {
        return;
    };
    for key in ROUND_TRIP {
        annotations.remove(key);
    }
    if annotations.is_empty() {
        meta.remove("annotations");
    }
}

/// A v1 object as the v2 object it is stored as.
pub(super) fn to_v2(obj: &mut Value) {
    let taken = take_annotations(obj);
    let Some(map) = obj.as_object_mut() else {
        return;
    };
    map.insert("apiVersion".into(), Value::String("autoscaling/v2".into()));
    if let Some(spec) = map.get_mut("spec").and_then(Value::as_object_mut) {
        let cpu = spec.remove("targetCPUUtilizationPercentage");
        let mut metrics: Vec<Value> = parse_list(taken.get(METRICS))
            .iter()
            .map(metric_spec_to_v2)
            .collect();
        if let Some(cpu) = cpu.filter(|c| !c.is_null()) {
            metrics.push(cpu_target(cpu));
        }
        if metrics.is_empty() {
            metrics.push(cpu_target(json!(80)));
        }
        spec.insert("metrics".into(), Value::Array(metrics));
        if let Some(behavior) = taken.get(BEHAVIOR).and_then(Value::as_str).and_then(parse) {
            spec.insert("behavior".into(), behavior_from_go(&behavior));
        }
    }
    if let Some(status) = map.get_mut("status").and_then(Value::as_object_mut) {
        let cpu = status.remove("currentCPUUtilizationPercentage");
        if let Some(current) = taken.get(CURRENT_METRICS) {
            // The annotation holds more than the CPU reading: it wins.
            let current: Vec<Value> = parse_list(Some(current))
                .iter()
                .map(metric_status_to_v2)
                .collect();
            status.insert("currentMetrics".into(), Value::Array(current));
        } else if let Some(cpu) = cpu.filter(|c| !c.is_null()) {
            status.insert(
                "currentMetrics".into(),
                json!([{"type": "Resource",
                    "resource": {"name": "cpu", "current": {"averageUtilization": cpu}}}]),
            );
        }
        if taken.contains_key(CONDITIONS) {
            status.insert(
                "conditions".into(),
                Value::Array(parse_list(taken.get(CONDITIONS))),
            );
        }
    }
    defaults::hpa_v2(obj);
    zero_fields::fill_kind("autoscaling/v2", "HorizontalPodAutoscaler", obj);
}

/// A stored v2 object as autoscaling/v1 shows it.
pub(super) fn to_v1(obj: &mut Value) {
    let mut annotations: Vec<(&str, String)> = Vec::new();
    let Some(map) = obj.as_object_mut() else {
        return;
    };
    map.insert("apiVersion".into(), Value::String("autoscaling/v1".into()));
    if let Some(spec) = map.get_mut("spec").and_then(Value::as_object_mut) {
        let metrics = list(spec.remove("metrics"));
        // The first CPU resource metric gives the target, if it is a utilization.
        if let Some(cpu) = metrics.iter().find(|m| is_cpu_resource(m, "resource"))
            && let Some(u) = cpu
                .pointer("/resource/target/averageUtilization")
                .filter(|u| !u.is_null())
        {
            spec.insert("targetCPUUtilizationPercentage".into(), u.clone());
        }
        let others: Vec<String> = metrics
            .iter()
            .filter(|m| {
                !(is_cpu_resource(m, "resource")
                    && m.pointer("/resource/target/averageUtilization")
                        .is_some_and(|u| !u.is_null()))
            })
            .map(metric_spec_to_v1)
            .collect();
        if !others.is_empty() {
            annotations.push((METRICS, format!("[{}]", others.join(","))));
        }
        if let Some(behavior) = spec.remove("behavior").filter(|b| !b.is_null()) {
            annotations.push((BEHAVIOR, behavior_to_go(&behavior)));
        }
    }
    if let Some(status) = map.get_mut("status").and_then(Value::as_object_mut) {
        let current = list(status.remove("currentMetrics"));
        // The last CPU reading that is a utilization.
        for m in &current {
            if is_cpu_resource(m, "resource")
                && let Some(u) = m
                    .pointer("/resource/current/averageUtilization")
                    .filter(|u| !u.is_null())
            {
                status.insert("currentCPUUtilizationPercentage".into(), u.clone());
            }
        }
        if !current.is_empty() {
            let texts: Vec<String> = current.iter().map(metric_status_to_v1).collect();
            annotations.push((CURRENT_METRICS, format!("[{}]", texts.join(","))));
        }
        let conditions = list(status.remove("conditions"));
        if !conditions.is_empty() {
            let texts: Vec<String> = conditions.iter().map(condition_to_v1).collect();
            annotations.push((CONDITIONS, format!("[{}]", texts.join(","))));
        }
    }
    if !annotations.is_empty() {
        let meta = map
            .entry("metadata")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(meta) = meta.as_object_mut() {
            let entry = meta
                .entry("annotations")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(entry) = entry.as_object_mut() {
                for (k, v) in annotations {
                    entry.insert(k.to_string(), Value::String(v));
                }
            }
        }
    }
    zero_fields::fill_kind("autoscaling/v1", "HorizontalPodAutoscaler", obj);
}

/// Removes the round-trip annotations, returning their texts.
fn take_annotations(obj: &mut Value) -> Map<String, Value> {
    let mut taken = Map::new();
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else {
        return taken;
    };
    let Some(annotations) = meta.get_mut("annotations").and_then(Value::as_object_mut) else {
        return taken;
    };
    for key in ROUND_TRIP {
        // The lists must be arrays of objects and the behavior an object, as the Go types
        // decode them; an annotation that does not decode stays where it is (the server's
        // conversion fails the request; see docs/semantics.md).
        let parses = annotations
            .get(key)
            .and_then(Value::as_str)
            .and_then(parse)
            .is_some_and(|v| match v {
                Value::Object(_) => key == BEHAVIOR,
                Value::Array(items) => key != BEHAVIOR && items.iter().all(Value::is_object),
                _ => false,
            });
        if parses && let Some(v) = annotations.remove(key) {
            taken.insert(key.to_string(), v);
        }
    }
    if annotations.is_empty() {
        meta.remove("annotations");
    }
    taken
}

fn parse(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok()
}

fn parse_list(text: Option<&Value>) -> Vec<Value> {
    list(text.and_then(Value::as_str).and_then(parse))
}

fn list(v: Option<Value>) -> Vec<Value> {
    match v {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    }
}

fn cpu_target(utilization: Value) -> Value {
    json!({"type": "Resource",
        "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": utilization}}})
}

fn is_cpu_resource(m: &Value, source: &str) -> bool {
    m.get("type").and_then(Value::as_str) == Some("Resource")
        && m.get(source)
            .and_then(|r| r.get("name"))
            .and_then(Value::as_str)
            == Some("cpu")
}
