//! HorizontalPodAutoscalers: printers.go's `printHorizontalPodAutoscaler` and
//! `formatHPAMetrics`. The printer reads the internal (autoscaling/v2-shaped) object; an
//! `autoscaling/v1` object is read as its conversion gives it: `targetCPUUtilizationPercentage`
//! as a `cpu` Resource metric with that average utilization, and
//! `status.currentCPUUtilizationPercentage` as its current value.

use k8s_openapi::jiff::Timestamp;
use serde_json::{Value, json};

use super::fields::{self, at, int, list, string};
use super::format::{age, quantity_ptr};
use super::{AGE, Col, NAME, Printer, Row, descriptions as d, text};

/// `horizontalPodAutoscalerColumnDefinitions` (MaxPods and Replicas are `string` columns
/// holding numbers, as on the server).
const HPA_COLUMNS: &[Col] = &[
    NAME,
    text("Reference", d::HPA_REF),
    text("Targets", d::HPA_METRICS),
    text("MinPods", d::HPA_MIN),
    text("MaxPods", d::HPA_MAX),
    text("Replicas", d::HPA_CURRENT),
    AGE,
];

/// The HorizontalPodAutoscaler printer.
pub(super) const HORIZONTAL_POD_AUTOSCALER: Printer = Printer::new(HPA_COLUMNS, print_hpa);

/// The metric specs and statuses of an HPA, converted from autoscaling/v1 when needed.
fn metrics(obj: &Value) -> (Vec<Value>, Vec<Value>) {
    if string(obj, "apiVersion") != "autoscaling/v1" {
        return (
            list(obj, "spec.metrics").to_vec(),
            list(obj, "status.currentMetrics").to_vec(),
        );
    }
    let specs = fields::opt_int(obj, "spec.targetCPUUtilizationPercentage")
        .map(|target| {
            vec![json!({"type": "Resource", "resource": {"name": "cpu",
                "target": {"type": "Utilization", "averageUtilization": target}}})]
        })
        .unwrap_or_default();
    let statuses = fields::opt_int(obj, "status.currentCPUUtilizationPercentage")
        .map(|current| {
            vec![json!({"type": "Resource", "resource": {"name": "cpu",
                "current": {"averageUtilization": current}}})]
        })
        .unwrap_or_default();
    (specs, statuses)
}

/// One metric of `formatHPAMetrics`. `status` is the status at the same index, if any.
fn format_metric(spec: &Value, status: Option<&Value>) -> String {
    // The status's source of the spec's type, when the status has it.
    let current = |source: &str| status.and_then(|s| fields::object(s, source));
    match string(spec, "type") {
        kind @ ("External" | "Object") => {
            let source = if kind == "External" {
                "external"
            } else {
                "object"
            };
            let target = at(spec, source).and_then(|s| at(s, "target"));
            let average = target.and_then(|t| at(t, "averageValue"));
            if average.is_some() {
                let now = current(source)
                    .and_then(|s| at(s, "current.averageValue"))
                    .map_or_else(|| "<unknown>".into(), |v| quantity_ptr(Some(v)));
                format!("{now}/{} (avg)", quantity_ptr(average))
            } else {
                let now = current(source).map_or_else(
                    || "<unknown>".into(),
                    |s| quantity_ptr(at(s, "current.value")),
                );
                format!(
                    "{now}/{}",
                    quantity_ptr(target.and_then(|t| at(t, "value")))
                )
            }
        }
        "Pods" => {
            let now = current("pods").map_or_else(
                || "<unknown>".into(),
                |s| quantity_ptr(at(s, "current.averageValue")),
            );
            let target = at(spec, "pods.target.averageValue");
            format!("{now}/{}", quantity_ptr(target))
        }
        kind @ ("Resource" | "ContainerResource") => {
            let source = if kind == "Resource" {
                "resource"
            } else {
                "containerResource"
            };
            let spec_source = at(spec, source);
            let name = spec_source.map_or("", |s| string(s, "name"));
            let target = spec_source.and_then(|s| at(s, "target"));
            let average = target.and_then(|t| at(t, "averageValue"));
            if average.is_some() {
                let now = current(source).map_or_else(
                    || "<unknown>".into(),
                    |s| quantity_ptr(at(s, "current.averageValue")),
                );
                format!("{name}: {now}/{}", quantity_ptr(average))
            } else {
                let now = current(source)
                    .and_then(|s| fields::opt_int(s, "current.averageUtilization"))
                    .map_or_else(|| "<unknown>".into(), |u| format!("{u}%"));
                let goal = target
                    .and_then(|t| fields::opt_int(t, "averageUtilization"))
                    .map_or_else(|| "<auto>".into(), |u| format!("{u}%"));
                format!("{name}: {now}/{goal}")
            }
        }
        _ => "<unknown type>".into(),
    }
}

/// `formatHPAMetrics`: the first two metrics, `+ N more...` for the rest, `<none>` for none.
fn format_hpa_metrics(specs: &[Value], statuses: &[Value]) -> String {
    if specs.is_empty() {
        return "<none>".into();
    }
    const MAX: usize = 2;
    let list: Vec<String> = specs
        .iter()
        .enumerate()
        .map(|(i, spec)| format_metric(spec, statuses.get(i)))
        .collect();
    let shown = list
        .iter()
        .take(MAX)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if list.len() > MAX {
        format!("{shown} + {} more...", list.len() - MAX)
    } else {
        shown
    }
}

/// `printHorizontalPodAutoscaler`.
fn print_hpa(obj: &Value, now: Timestamp) -> Row {
    let (specs, statuses) = metrics(obj);
    let reference = format!(
        "{}/{}",
        string(obj, "spec.scaleTargetRef.kind"),
        string(obj, "spec.scaleTargetRef.name")
    );
    let min_pods = fields::opt_int(obj, "spec.minReplicas")
        .map_or_else(|| "<unset>".into(), |n| n.to_string());
    vec![
        json!(fields::name(obj)),
        json!(reference),
        json!(format_hpa_metrics(&specs, &statuses)),
        json!(min_pods),
        json!(int(obj, "spec.maxReplicas")),
        json!(int(obj, "status.currentReplicas")),
        json!(age(obj, now)),
    ]
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::table::tests::now;

    #[test]
    fn hpa_targets() {
        let hpa = json!({"apiVersion": "autoscaling/v2",
        "metadata": {"name": "web", "creationTimestamp": "2024-05-01T11:00:00Z"},
        "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "minReplicas": 1, "maxReplicas": 10,
            "metrics": [
                {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}},
                {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "100Mi"}}},
                {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "1k"}}}
            ]},
        "status": {"currentReplicas": 3, "currentMetrics": [
            {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 42, "averageValue": "210m"}}}
        ]}});
        assert_eq!(
            print_hpa(&hpa, now()).cells,
            [
                json!("web"),
                json!("Deployment/web"),
                json!("cpu: 42%/80%, memory: <unknown>/100Mi + 1 more..."),
                json!("1"),
                json!(10),
                json!(3),
                json!("60m"),
            ]
        );
    }

    #[test]
    fn hpa_metric_kinds() {
        let external =
            json!({"type": "External", "external": {"target": {"type": "Value", "value": "5"}}});
        let status = json!({"type": "External", "external": {"current": {"value": "3"}}});
        assert_eq!(format_metric(&external, Some(&status)), "3/5");
        let object_avg = json!({"type": "Object", "object": {"target": {"averageValue": "2"}}});
        assert_eq!(format_metric(&object_avg, None), "<unknown>/2 (avg)");
        let container = json!({"type": "ContainerResource",
            "containerResource": {"name": "cpu", "container": "app", "target": {"type": "Utilization"}}});
        assert_eq!(format_metric(&container, None), "cpu: <unknown>/<auto>");
        assert_eq!(
            format_metric(&json!({"type": "Other"}), None),
            "<unknown type>"
        );
        // A source missing from its spec reads as an empty one.
        assert_eq!(
            format_metric(&json!({"type": "Pods"}), None),
            "<unknown>/<nil>"
        );
    }

    #[test]
    fn hpa_v1_and_sparse() {
        let v1 = json!({"apiVersion": "autoscaling/v1", "metadata": {"name": "h"},
            "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "d"}, "maxReplicas": 4,
                     "targetCPUUtilizationPercentage": 50},
            "status": {"currentCPUUtilizationPercentage": 12, "currentReplicas": 2}});
        assert_eq!(
            print_hpa(&v1, now()).cells[1..6],
            [
                json!("Deployment/d"),
                json!("cpu: 12%/50%"),
                json!("<unset>"),
                json!(4),
                json!(2)
            ]
        );
        assert_eq!(
            print_hpa(&json!({"spec": {"metrics": {}}}), now()).cells[1..6],
            [
                json!("/"),
                json!("<none>"),
                json!("<unset>"),
                json!(0),
                json!(0)
            ]
        );
    }
}
