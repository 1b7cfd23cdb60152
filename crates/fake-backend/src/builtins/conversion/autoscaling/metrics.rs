//! Metric specs and statuses between v2 and the v1 annotation types
//! (`Convert_autoscaling_MetricSpec_To_v1_MetricSpec` and the reverse, per source).

use serde_json::{Map, Value, json};

use super::go_json::{member, ordered, quantity, reference, selector, string};

/// `Convert_autoscaling_MetricSpec_To_v1_MetricSpec`, as JSON text.
pub(super) fn metric_spec_to_v1(m: &Value) -> String {
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
pub(super) fn metric_status_to_v1(m: &Value) -> String {
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
pub(super) fn metric_spec_to_v2(m: &Value) -> Value {
    let mut out = Map::new();
    // `type` has no `omitempty`: Go writes it even when empty.
    out.insert(
        "type".into(),
        m.get("type")
            .cloned()
            .filter(|t| !t.is_null())
            .unwrap_or_else(|| json!("")),
    );
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
pub(super) fn metric_status_to_v2(m: &Value) -> Value {
    let mut out = Map::new();
    // `type` has no `omitempty`: Go writes it even when empty.
    out.insert(
        "type".into(),
        m.get("type")
            .cloned()
            .filter(|t| !t.is_null())
            .unwrap_or_else(|| json!("")),
    );
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
