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
        // An annotation that does not parse stays where it is (the server's conversion
        // fails the request; see docs/semantics.md).
        let parses = annotations
            .get(key)
            .and_then(Value::as_str)
            .is_some_and(|t| parse(t).is_some());
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

/// A JSON object's text with its members in the order given, as `encoding/json` writes a
/// struct (serde_json's map would sort them); members given `None` are left out.
fn ordered(members: &[(&str, Option<String>)]) -> String {
    let body: Vec<String> = members
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{}:{v}", Value::from(*k))))
        .collect();
    format!("{{{}}}", body.join(","))
}

/// The member `key` of `v` as JSON text, if set.
fn member(v: Option<&Value>, key: &str) -> Option<String> {
    v.and_then(|v| v.get(key))
        .filter(|x| !x.is_null())
        .map(Value::to_string)
}

/// A string member, `""` when unset (a Go string without `omitempty`).
fn string(v: Option<&Value>, key: &str) -> Option<String> {
    Some(member(v, key).unwrap_or_else(|| "\"\"".to_string()))
}

/// A quantity member, `"0"` when unset (a `resource.Quantity` without a pointer).
fn quantity(v: Option<&Value>, key: &str) -> Option<String> {
    Some(member(v, key).unwrap_or_else(|| "\"0\"".to_string()))
}

/// `metav1.LabelSelector` as `encoding/json` writes it.
fn selector(v: Option<&Value>, key: &str) -> Option<String> {
    let s = v.and_then(|v| v.get(key)).filter(|s| !s.is_null())?;
    let expressions = s
        .get("matchExpressions")
        .and_then(Value::as_array)
        .map(|xs| {
            let items: Vec<String> = xs
                .iter()
                .map(|x| {
                    ordered(&[
                        ("key", string(Some(x), "key")),
                        ("operator", string(Some(x), "operator")),
                        ("values", member(Some(x), "values")),
                    ])
                })
                .collect();
            format!("[{}]", items.join(","))
        });
    Some(ordered(&[
        ("matchLabels", member(Some(s), "matchLabels")),
        ("matchExpressions", expressions),
    ]))
}

/// v1 `CrossVersionObjectReference` of a v2 one.
fn reference(r: Option<&Value>) -> Option<String> {
    Some(ordered(&[
        ("kind", string(r, "kind")),
        ("name", string(r, "name")),
        (
            "apiVersion",
            member(r, "apiVersion").filter(|a| a != "\"\""),
        ),
    ]))
}

/// `Convert_autoscaling_MetricSpec_To_v1_MetricSpec`, as JSON text.
fn metric_spec_to_v1(m: &Value) -> String {
    let ty = m.get("type").and_then(Value::as_str).unwrap_or_default();
    let at = |k: &str| m.get(k).filter(|v| !v.is_null());
    let target = |k: &str| at(k).and_then(|s| s.get("target"));
    let metric = |k: &str| at(k).and_then(|s| s.get("metric"));
    let object = at("object").map(|_| {
        ordered(&[
            (
                "target",
                reference(at("object").and_then(|o| o.get("describedObject"))),
            ),
            ("metricName", string(metric("object"), "name")),
            ("targetValue", quantity(target("object"), "value")),
            ("selector", selector(metric("object"), "selector")),
            ("averageValue", member(target("object"), "averageValue")),
        ])
    });
    let pods = at("pods").map(|_| {
        ordered(&[
            ("metricName", string(metric("pods"), "name")),
            (
                "targetAverageValue",
                quantity(target("pods"), "averageValue"),
            ),
            ("selector", selector(metric("pods"), "selector")),
        ])
    });
    let resource = |k: &str, container: bool| {
        at(k).map(|r| {
            ordered(&[
                ("name", string(Some(r), "name")),
                (
                    "targetAverageUtilization",
                    member(target(k), "averageUtilization"),
                ),
                ("targetAverageValue", member(target(k), "averageValue")),
                (
                    "container",
                    container.then(|| string(Some(r), "container")).flatten(),
                ),
            ])
        })
    };
    let external = at("external").map(|_| {
        ordered(&[
            ("metricName", string(metric("external"), "name")),
            ("metricSelector", selector(metric("external"), "selector")),
            ("targetValue", member(target("external"), "value")),
            (
                "targetAverageValue",
                member(target("external"), "averageValue"),
            ),
        ])
    });
    ordered(&[
        ("type", Some(Value::from(ty).to_string())),
        ("object", object),
        ("pods", pods),
        ("resource", resource("resource", false)),
        ("containerResource", resource("containerResource", true)),
        ("external", external),
    ])
}

/// `Convert_autoscaling_MetricStatus_To_v1_MetricStatus`, as JSON text.
fn metric_status_to_v1(m: &Value) -> String {
    let ty = m.get("type").and_then(Value::as_str).unwrap_or_default();
    let at = |k: &str| m.get(k).filter(|v| !v.is_null());
    let current = |k: &str| at(k).and_then(|s| s.get("current"));
    let metric = |k: &str| at(k).and_then(|s| s.get("metric"));
    let object = at("object").map(|_| {
        ordered(&[
            (
                "target",
                reference(at("object").and_then(|o| o.get("describedObject"))),
            ),
            ("metricName", string(metric("object"), "name")),
            ("currentValue", quantity(current("object"), "value")),
            ("selector", selector(metric("object"), "selector")),
            ("averageValue", member(current("object"), "averageValue")),
        ])
    });
    let pods = at("pods").map(|_| {
        ordered(&[
            ("metricName", string(metric("pods"), "name")),
            (
                "currentAverageValue",
                quantity(current("pods"), "averageValue"),
            ),
            ("selector", selector(metric("pods"), "selector")),
        ])
    });
    let resource = |k: &str, container: bool| {
        at(k).map(|r| {
            ordered(&[
                ("name", string(Some(r), "name")),
                (
                    "currentAverageUtilization",
                    member(current(k), "averageUtilization"),
                ),
                ("currentAverageValue", quantity(current(k), "averageValue")),
                (
                    "container",
                    container.then(|| string(Some(r), "container")).flatten(),
                ),
            ])
        })
    };
    let external = at("external").map(|_| {
        ordered(&[
            ("metricName", string(metric("external"), "name")),
            ("metricSelector", selector(metric("external"), "selector")),
            ("currentValue", quantity(current("external"), "value")),
            (
                "currentAverageValue",
                member(current("external"), "averageValue"),
            ),
        ])
    });
    ordered(&[
        ("type", Some(Value::from(ty).to_string())),
        ("object", object),
        ("pods", pods),
        ("resource", resource("resource", false)),
        ("containerResource", resource("containerResource", true)),
        ("external", external),
    ])
}

/// A v1 `HorizontalPodAutoscalerCondition`, as JSON text.
fn condition_to_v1(c: &Value) -> String {
    let c = Some(c);
    ordered(&[
        ("type", string(c, "type")),
        ("status", string(c, "status")),
        (
            "lastTransitionTime",
            Some(member(c, "lastTransitionTime").unwrap_or_else(|| "null".to_string())),
        ),
        ("reason", member(c, "reason").filter(|r| r != "\"\"")),
        ("message", member(c, "message").filter(|m| m != "\"\"")),
        ("observedGeneration", member(c, "observedGeneration")),
    ])
}

/// Sets `key` of `map` to `value` when it is set.
fn put(map: &mut Map<String, Value>, key: &str, value: Option<&Value>) {
    if let Some(v) = value.filter(|v| !v.is_null()) {
        map.insert(key.to_string(), v.clone());
    }
}

/// A v2 `MetricIdentifier` from a v1 source's name and selector.
fn identifier(s: &Value, name: &str, selector: &str) -> Value {
    let mut id = Map::new();
    id.insert(
        "name".into(),
        s.get(name).cloned().unwrap_or_else(|| json!("")),
    );
    put(&mut id, "selector", s.get(selector));
    Value::Object(id)
}

/// A v2 `CrossVersionObjectReference` from a v1 one.
fn reference_to_v2(r: Option<&Value>) -> Value {
    let mut out = Map::new();
    for k in ["kind", "name", "apiVersion"] {
        put(&mut out, k, r.and_then(|r| r.get(k)));
    }
    Value::Object(out)
}

/// `Convert_v1_MetricSpec_To_autoscaling_MetricSpec`.
fn metric_spec_to_v2(m: &Value) -> Value {
    let mut out = Map::new();
    put(&mut out, "type", m.get("type"));
    if let Some(s) = m.get("object").filter(|v| v.is_object()) {
        let average = s.get("averageValue").filter(|v| !v.is_null());
        let mut target = Map::new();
        target.insert(
            "type".into(),
            json!(if average.is_some() {
                "AverageValue"
            } else {
                "Value"
            }),
        );
        target.insert(
            "value".into(),
            s.get("targetValue").cloned().unwrap_or_else(|| json!("0")),
        );
        put(&mut target, "averageValue", average);
        out.insert(
            "object".into(),
            json!({"describedObject": reference_to_v2(s.get("target")),
                "target": target, "metric": identifier(s, "metricName", "selector")}),
        );
    }
    if let Some(s) = m.get("pods").filter(|v| v.is_object()) {
        out.insert(
            "pods".into(),
            json!({"metric": identifier(s, "metricName", "selector"),
                "target": {"type": "AverageValue",
                    "averageValue": s.get("targetAverageValue").cloned().unwrap_or_else(|| json!("0"))}}),
        );
    }
    for key in ["resource", "containerResource"] {
        if let Some(s) = m.get(key).filter(|v| v.is_object()) {
            let utilization = s.get("targetAverageUtilization").filter(|v| !v.is_null());
            let mut target = Map::new();
            target.insert(
                "type".into(),
                json!(if utilization.is_some() {
                    "Utilization"
                } else {
                    "AverageValue"
                }),
            );
            put(&mut target, "averageUtilization", utilization);
            put(&mut target, "averageValue", s.get("targetAverageValue"));
            let mut source = Map::new();
            put(&mut source, "name", s.get("name"));
            source.insert("target".into(), Value::Object(target));
            if key == "containerResource" {
                put(&mut source, "container", s.get("container"));
            }
            out.insert(key.into(), Value::Object(source));
        }
    }
    if let Some(s) = m.get("external").filter(|v| v.is_object()) {
        let value = s.get("targetValue").filter(|v| !v.is_null());
        let mut target = Map::new();
        target.insert(
            "type".into(),
            json!(if value.is_some() {
                "Value"
            } else {
                "AverageValue"
            }),
        );
        put(&mut target, "value", value);
        put(&mut target, "averageValue", s.get("targetAverageValue"));
        out.insert(
            "external".into(),
            json!({"metric": identifier(s, "metricName", "metricSelector"), "target": target}),
        );
    }
    Value::Object(out)
}

/// `Convert_v1_MetricStatus_To_autoscaling_MetricStatus`.
fn metric_status_to_v2(m: &Value) -> Value {
    let mut out = Map::new();
    put(&mut out, "type", m.get("type"));
    if let Some(s) = m.get("object").filter(|v| v.is_object()) {
        let mut current = Map::new();
        current.insert(
            "value".into(),
            s.get("currentValue").cloned().unwrap_or_else(|| json!("0")),
        );
        put(&mut current, "averageValue", s.get("averageValue"));
        out.insert(
            "object".into(),
            json!({"describedObject": reference_to_v2(s.get("target")),
                "current": current, "metric": identifier(s, "metricName", "selector")}),
        );
    }
    if let Some(s) = m.get("pods").filter(|v| v.is_object()) {
        out.insert(
            "pods".into(),
            json!({"metric": identifier(s, "metricName", "selector"),
                "current": {"averageValue": s.get("currentAverageValue").cloned().unwrap_or_else(|| json!("0"))}}),
        );
    }
    for key in ["resource", "containerResource"] {
        if let Some(s) = m.get(key).filter(|v| v.is_object()) {
            let mut current = Map::new();
            current.insert(
                "averageValue".into(),
                s.get("currentAverageValue")
                    .cloned()
                    .unwrap_or_else(|| json!("0")),
            );
            put(
                &mut current,
                "averageUtilization",
                s.get("currentAverageUtilization"),
            );
            let mut source = Map::new();
            put(&mut source, "name", s.get("name"));
            source.insert("current".into(), Value::Object(current));
            if key == "containerResource" {
                put(&mut source, "container", s.get("container"));
            }
            out.insert(key.into(), Value::Object(source));
        }
    }
    if let Some(s) = m.get("external").filter(|v| v.is_object()) {
        let mut current = Map::new();
        current.insert(
            "value".into(),
            s.get("currentValue").cloned().unwrap_or_else(|| json!("0")),
        );
        put(&mut current, "averageValue", s.get("currentAverageValue"));
        out.insert(
            "external".into(),
            json!({"metric": identifier(s, "metricName", "metricSelector"), "current": current}),
        );
    }
    Value::Object(out)
}

/// Go field name → JSON name of the internal behavior types.
const BEHAVIOR_FIELDS: &[(&str, &str)] = &[
    ("ScaleUp", "scaleUp"),
    ("ScaleDown", "scaleDown"),
    ("StabilizationWindowSeconds", "stabilizationWindowSeconds"),
    ("SelectPolicy", "selectPolicy"),
    ("Policies", "policies"),
    ("Tolerance", "tolerance"),
    ("Type", "type"),
    ("Value", "value"),
    ("PeriodSeconds", "periodSeconds"),
];

/// The internal `HorizontalPodAutoscalerBehavior` as `encoding/json` writes it: Go's field
/// names in declaration order, unset pointers as `null` (`Tolerance`, newer than some
/// servers, only when set).
fn behavior_to_go(b: &Value) -> String {
    let rules = |r: Option<&Value>| -> String {
        let Some(r) = r.filter(|r| r.is_object()) else {
            return "null".to_string();
        };
        let policies = r.get("policies").and_then(Value::as_array).map(|ps| {
            let items: Vec<String> = ps
                .iter()
                .map(|p| {
                    let p = Some(p);
                    ordered(&[
                        ("Type", string(p, "type")),
                        (
                            "Value",
                            Some(member(p, "value").unwrap_or_else(|| "0".into())),
                        ),
                        (
                            "PeriodSeconds",
                            Some(member(p, "periodSeconds").unwrap_or_else(|| "0".into())),
                        ),
                    ])
                })
                .collect();
            format!("[{}]", items.join(","))
        });
        let r = Some(r);
        let or_null = |v: Option<String>| Some(v.unwrap_or_else(|| "null".to_string()));
        ordered(&[
            (
                "StabilizationWindowSeconds",
                or_null(member(r, "stabilizationWindowSeconds")),
            ),
            ("SelectPolicy", or_null(member(r, "selectPolicy"))),
            ("Policies", or_null(policies)),
            ("Tolerance", member(r, "tolerance")),
        ])
    };
    ordered(&[
        ("ScaleUp", Some(rules(b.get("scaleUp")))),
        ("ScaleDown", Some(rules(b.get("scaleDown")))),
    ])
}

/// The behavior annotation back as v2 JSON. Go matches field names without regard to case,
/// so either spelling is read; `null`s are unset fields.
fn behavior_from_go(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                if v.is_null() {
                    continue;
                }
                let name = BEHAVIOR_FIELDS
                    .iter()
                    .find(|(go, js)| go.eq_ignore_ascii_case(k) || js.eq_ignore_ascii_case(k))
                    .map_or(k.as_str(), |(_, js)| js);
                out.insert(name.to_string(), behavior_from_go(v));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(behavior_from_go).collect()),
        other => other.clone(),
    }
}
