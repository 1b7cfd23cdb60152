//! Pods and PodTemplates: printers.go's `printPod` (the STATUS reason, readiness, restarts
//! with the last restart's age, the wide IP/Node/Nominated Node/Readiness Gates cells and the
//! `Completed` row condition of finished pods) and `printPodTemplate`.

use k8s_openapi::jiff::Timestamp;
use serde_json::{Value, json};

use super::fields::{self, int, list, object, string};
use super::format::{age, container_cells, format_labels, since};
use super::{AGE, Col, NAME, Printer, Row, descriptions as d, text};

/// `podColumnDefinitions`.
const POD_COLUMNS: &[Col] = &[
    NAME,
    text(
        "Ready",
        "The aggregate readiness state of this pod for accepting traffic.",
    ),
    text(
        "Status",
        "The aggregate status of the containers in this pod.",
    ),
    text(
        "Restarts",
        "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
    ),
    AGE,
    text("IP", d::POD_IP).wide(),
    text("Node", d::POD_NODE).wide(),
    text("Nominated Node", d::POD_NOMINATED).wide(),
    text("Readiness Gates", d::POD_GATES).wide(),
];

/// The Pod printer.
pub(super) const POD: Printer = Printer::new(POD_COLUMNS, print_pod);

/// `podTemplateColumnDefinitions` (no Age column).
const POD_TEMPLATE_COLUMNS: &[Col] = &[
    NAME,
    text("Containers", "Names of each container in the template."),
    text(
        "Images",
        "Images referenced by each container in the template.",
    ),
    text("Pod Labels", "The labels for the pod template."),
];

/// The PodTemplate printer.
pub(super) const POD_TEMPLATE: Printer = Printer::new(POD_TEMPLATE_COLUMNS, print_pod_template);

/// `node.NodeUnreachablePodReason`.
const NODE_UNREACHABLE_POD_REASON: &str = "NodeLost";

/// The latest of two `metav1.Time`s where `None` is the zero time: `b` when `a.Before(b)`.
fn later(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (_, None) => a,
        (None, Some(_)) => b,
        (Some(x), Some(y)) => Some(if x < y { y } else { x }),
    }
}

/// When a container status last terminated (`lastState.terminated.finishedAt`), if it did.
fn last_terminated(status: &Value) -> Option<Option<Timestamp>> {
    object(status, "lastState.terminated").map(|t| fields::time(t, "finishedAt"))
}

/// Whether the first `type` condition of the pod is `True` (`isPodInitializedConditionTrue`
/// for `Initialized`).
fn first_condition_true(pod: &Value, kind: &str) -> bool {
    list(pod, "status.conditions")
        .iter()
        .find(|c| string(c, "type") == kind)
        .is_some_and(|c| string(c, "status") == "True")
}

/// `hasPodReadyCondition`: any `Ready` condition that is `True`.
fn has_ready_condition(pod: &Value) -> bool {
    list(pod, "status.conditions")
        .iter()
        .any(|c| string(c, "type") == "Ready" && string(c, "status") == "True")
}

/// `printPod`.
fn print_pod(pod: &Value, now: Timestamp) -> Row {
    let init_specs = list(pod, "spec.initContainers");
    // `podutil.IsRestartableInitContainer` of the init container with that name (the last
    // one, as printers.go's map keeps it).
    let restartable = |name: &str| {
        init_specs
            .iter()
            .rev()
            .find(|c| string(c, "name") == name)
            .is_some_and(|c| string(c, "restartPolicy") == "Always")
    };
    let mut total = list(pod, "spec.containers").len();
    total += init_specs
        .iter()
        .filter(|c| string(c, "restartPolicy") == "Always")
        .count();
    let mut ready = 0usize;
    let mut restarts = 0i64;
    let mut restartable_restarts = 0i64;
    let mut last_restart: Option<Timestamp> = None;
    let mut last_restartable_restart: Option<Timestamp> = None;

    let phase = string(pod, "status.phase");
    let mut reason = match string(pod, "status.reason") {
        "" => phase.to_string(),
        r => r.to_string(),
    };
    if list(pod, "status.conditions")
        .iter()
        .any(|c| string(c, "type") == "PodScheduled" && string(c, "reason") == "SchedulingGated")
    {
        reason = "SchedulingGated".into();
    }
    let conditions = match phase {
        "Succeeded" => Some(
            json!([{"type": "Completed", "status": "True", "reason": "Succeeded", "message": "The pod has completed successfully."}]),
        ),
        "Failed" => Some(
            json!([{"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}]),
        ),
        _ => None,
    };

    let mut initializing = false;
    for (i, status) in list(pod, "status.initContainerStatuses").iter().enumerate() {
        let count = int(status, "restartCount");
        restarts += count;
        if let Some(finished) = last_terminated(status) {
            last_restart = later(last_restart, finished);
        }
        let is_restartable = restartable(string(status, "name"));
        if is_restartable {
            restartable_restarts += count;
            if let Some(finished) = last_terminated(status) {
                last_restartable_restart = later(last_restartable_restart, finished);
            }
        }
        let terminated = object(status, "state.terminated");
        let waiting_reason = object(status, "state.waiting").map(|w| string(w, "reason"));
        if terminated.is_some_and(|t| int(t, "exitCode") == 0) {
            continue;
        }
        if is_restartable && fields::opt_bool(status, "started") == Some(true) {
            if fields::boolean(status, "ready") {
                ready += 1;
            }
            continue;
        }
        reason = if let Some(t) = terminated {
            match string(t, "reason") {
                "" if int(t, "signal") != 0 => format!("Init:Signal:{}", int(t, "signal")),
                "" => format!("Init:ExitCode:{}", int(t, "exitCode")),
                r => format!("Init:{r}"),
            }
        } else if let Some(r) = waiting_reason.filter(|r| !r.is_empty() && *r != "PodInitializing")
        {
            format!("Init:{r}")
        } else {
            format!("Init:{i}/{}", init_specs.len())
        };
        initializing = true;
        break;
    }

    if !initializing || first_condition_true(pod, "Initialized") {
        restarts = restartable_restarts;
        last_restart = last_restartable_restart;
        let mut has_running = false;
        for status in list(pod, "status.containerStatuses").iter().rev() {
            restarts += int(status, "restartCount");
            if let Some(finished) = last_terminated(status) {
                last_restart = later(last_restart, finished);
            }
            let waiting_reason =
                object(status, "state.waiting").map_or("", |w| string(w, "reason"));
            let terminated = object(status, "state.terminated");
            if !waiting_reason.is_empty() {
                reason = waiting_reason.to_string();
            } else if let Some(t) = terminated {
                reason = match string(t, "reason") {
                    "" if int(t, "signal") != 0 => format!("Signal:{}", int(t, "signal")),
                    "" => format!("ExitCode:{}", int(t, "exitCode")),
                    r => r.to_string(),
                };
            } else if fields::boolean(status, "ready") && object(status, "state.running").is_some()
            {
                has_running = true;
                ready += 1;
            }
        }
        // A pod whose last container completed but another still runs is Running again.
        if reason == "Completed" && has_running {
            reason = if has_ready_condition(pod) {
                "Running".into()
            } else {
                "NotReady".into()
            };
        }
    }

    if fields::deleting(pod) && string(pod, "status.reason") == NODE_UNREACHABLE_POD_REASON {
        reason = "Unknown".into();
    } else if fields::deleting(pod) && !matches!(phase, "Failed" | "Succeeded") {
        reason = "Terminating".into();
    }

    let restarts_cell = match last_restart {
        Some(t) if restarts != 0 => format!("{restarts} ({} ago)", since(now, Some(t))),
        _ => restarts.to_string(),
    };

    let or_none = |s: &str| {
        if s.is_empty() {
            "<none>".to_string()
        } else {
            s.to_string()
        }
    };
    let pod_ip = list(pod, "status.podIPs")
        .first()
        .map_or("", |ip| string(ip, "ip"));
    let gates = list(pod, "spec.readinessGates");
    let readiness_gates = if gates.is_empty() {
        "<none>".to_string()
    } else {
        let conditions = list(pod, "status.conditions");
        let met = gates
            .iter()
            .filter(|gate| {
                let kind = string(gate, "conditionType");
                conditions
                    .iter()
                    .find(|c| string(c, "type") == kind)
                    .is_some_and(|c| string(c, "status") == "True")
            })
            .count();
        format!("{met}/{}", gates.len())
    };
    Row {
        cells: vec![
            json!(fields::name(pod)),
            json!(format!("{ready}/{total}")),
            json!(reason),
            json!(restarts_cell),
            json!(age(pod, now)),
            json!(or_none(pod_ip)),
            json!(or_none(string(pod, "spec.nodeName"))),
            json!(or_none(string(pod, "status.nominatedNodeName"))),
            json!(readiness_gates),
        ],
        conditions,
    }
}

/// `printPodTemplate`.
fn print_pod_template(obj: &Value, _now: Timestamp) -> Row {
    let (names, images) = container_cells(obj, "template.spec.containers");
    vec![
        json!(fields::name(obj)),
        json!(names),
        json!(images),
        json!(format_labels(obj, "template.metadata.labels")),
    ]
    .into()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use crate::table::tests::now;

    fn cells(pod: &Value) -> Vec<Value> {
        print_pod(pod, now()).cells
    }

    fn pod(spec: Value, status: Value) -> Value {
        json!({
            "metadata": {"name": "p", "creationTimestamp": "2024-05-01T11:00:00Z"},
            "spec": spec,
            "status": status,
        })
    }

    #[test]
    fn running_pod_with_restarts_and_wide_cells() {
        let p = pod(
            json!({"nodeName": "n1", "containers": [{"name": "a"}, {"name": "b"}],
                   "readinessGates": [{"conditionType": "g1"}, {"conditionType": "g2"}]}),
            json!({"phase": "Running", "podIPs": [{"ip": "10.0.0.5"}],
            "conditions": [{"type": "g1", "status": "True"}, {"type": "g2", "status": "False"}],
            "containerStatuses": [
                {"name": "a", "ready": true, "restartCount": 2, "state": {"running": {}},
                 "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2024-05-01T11:55:00Z"}}},
                {"name": "b", "ready": true, "restartCount": 1, "state": {"running": {}},
                 "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2024-05-01T11:30:00Z"}}}
            ]}),
        );
        assert_eq!(
            cells(&p),
            [
                json!("p"),
                json!("2/2"),
                json!("Running"),
                json!("3 (5m ago)"),
                json!("60m"),
                json!("10.0.0.5"),
                json!("n1"),
                json!("<none>"),
                json!("1/2"),
            ]
        );
        assert!(print_pod(&p, now()).conditions.is_none());
    }

    #[test]
    fn status_reasons() {
        let waiting = |reason: &str| {
            pod(
                json!({"containers": [{"name": "a"}]}),
                json!({"phase": "Pending", "containerStatuses": [
                    {"name": "a", "state": {"waiting": {"reason": reason}}}]}),
            )
        };
        assert_eq!(cells(&waiting("ContainerCreating"))[2], "ContainerCreating");
        assert_eq!(cells(&waiting("CrashLoopBackOff"))[2], "CrashLoopBackOff");
        let completed = pod(
            json!({"containers": [{"name": "a"}]}),
            json!({"phase": "Succeeded", "containerStatuses": [
                {"name": "a", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]}),
        );
        let row = print_pod(&completed, now());
        assert_eq!(
            row.cells[1..4],
            [json!("0/1"), json!("Completed"), json!("0")]
        );
        assert_eq!(row.conditions.unwrap()[0]["reason"], "Succeeded");
        let signal = pod(
            json!({"containers": [{"name": "a"}]}),
            json!({"phase": "Failed", "containerStatuses": [
                {"name": "a", "state": {"terminated": {"exitCode": 137, "signal": 9}}}]}),
        );
        assert_eq!(cells(&signal)[2], "Signal:9");
        let exit = pod(
            json!({"containers": [{"name": "a"}]}),
            json!({"phase": "Failed", "containerStatuses": [
                {"name": "a", "state": {"terminated": {"exitCode": 3}}}]}),
        );
        assert_eq!(cells(&exit)[2], "ExitCode:3");
        // One container completed, another still running and ready: Running or NotReady.
        let mixed = |ready_condition: &str| {
            pod(
                json!({"containers": [{"name": "a"}, {"name": "b"}]}),
                json!({"phase": "Running",
                    "conditions": [{"type": "Ready", "status": ready_condition}],
                    "containerStatuses": [
                    {"name": "a", "ready": true, "state": {"running": {}}},
                    {"name": "b", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]}),
            )
        };
        assert_eq!(cells(&mixed("True"))[2], "Running");
        assert_eq!(cells(&mixed("False"))[2], "NotReady");
        let gated = pod(
            json!({"containers": [{"name": "a"}]}),
            json!({"phase": "Pending", "conditions": [
                {"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]}),
        );
        assert_eq!(cells(&gated)[2], "SchedulingGated");
        let mut deleting = waiting("ContainerCreating");
        deleting["metadata"]["deletionTimestamp"] = json!("2024-05-01T11:59:00Z");
        assert_eq!(cells(&deleting)[2], "Terminating");
        deleting["status"]["reason"] = json!("NodeLost");
        assert_eq!(cells(&deleting)[2], "Unknown");
    }

    #[test]
    fn init_container_reasons() {
        let spec = json!({"initContainers": [{"name": "i1"}, {"name": "i2"}], "containers": [{"name": "a"}]});
        let running_init = pod(
            spec.clone(),
            json!({"phase": "Pending", "initContainerStatuses": [
                {"name": "i1", "state": {"terminated": {"exitCode": 0}}},
                {"name": "i2", "state": {"running": {}}, "restartCount": 1}],
                "containerStatuses": [{"name": "a", "restartCount": 7,
                    "state": {"waiting": {"reason": "PodInitializing"}}}]}),
        );
        // The init restarts count, not the app containers' (initialization is not done).
        assert_eq!(
            cells(&running_init)[1..4],
            [json!("0/1"), json!("Init:1/2"), json!("1")]
        );
        let failed = pod(
            spec.clone(),
            json!({"phase": "Pending", "initContainerStatuses": [
                {"name": "i1", "state": {"terminated": {"exitCode": 1, "reason": "Error"}}}]}),
        );
        assert_eq!(cells(&failed)[2], "Init:Error");
        let crash = pod(
            spec.clone(),
            json!({"phase": "Pending", "initContainerStatuses": [
                {"name": "i1", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}),
        );
        assert_eq!(cells(&crash)[2], "Init:CrashLoopBackOff");
        let code = pod(
            spec,
            json!({"phase": "Pending", "initContainerStatuses": [
                {"name": "i1", "state": {"terminated": {"exitCode": 2}}}]}),
        );
        assert_eq!(cells(&code)[2], "Init:ExitCode:2");
        // A started sidecar counts towards readiness and totals; its restarts stay counted.
        let sidecar = pod(
            json!({"initContainers": [{"name": "s", "restartPolicy": "Always"}], "containers": [{"name": "a"}]}),
            json!({"phase": "Running",
                "conditions": [{"type": "Initialized", "status": "True"}],
                "initContainerStatuses": [{"name": "s", "started": true, "ready": true, "restartCount": 4,
                    "state": {"running": {}},
                    "lastState": {"terminated": {"finishedAt": "2024-05-01T10:00:00Z"}}}],
                "containerStatuses": [{"name": "a", "ready": true, "state": {"running": {}}}]}),
        );
        assert_eq!(
            cells(&sidecar)[1..4],
            [json!("2/2"), json!("Running"), json!("4 (120m ago)")]
        );
    }

    #[test]
    fn sparse_and_mistyped_pods_print_defaults() {
        let sparse = json!({"metadata": {"name": "s"}});
        assert_eq!(
            cells(&sparse),
            [
                json!("s"),
                json!("0/0"),
                json!(""),
                json!("0"),
                json!("<unknown>"),
                json!("<none>"),
                json!("<none>"),
                json!("<none>"),
                json!("<none>"),
            ]
        );
        let wrong = json!({"metadata": {"name": "w", "creationTimestamp": 7},
            "spec": {"containers": "a", "initContainers": [5], "readinessGates": {}},
            "status": {"phase": 3, "containerStatuses": [{"restartCount": "x", "state": []}],
                       "initContainerStatuses": "x", "podIPs": [{"ip": 1}]}});
        assert_eq!(
            cells(&wrong)[1..5],
            [json!("0/0"), json!(""), json!("0"), json!("<unknown>")]
        );
    }

    #[test]
    fn pod_templates() {
        let t = json!({"metadata": {"name": "t"}, "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "a", "image": "nginx"}, {"name": "b", "image": "busybox"}]}}});
        assert_eq!(
            print_pod_template(&t, now()).cells,
            [
                json!("t"),
                json!("a,b"),
                json!("nginx,busybox"),
                json!("app=web")
            ]
        );
        assert_eq!(
            print_pod_template(&json!({}), now()).cells,
            [json!(""), json!(""), json!(""), json!("<none>")]
        );
    }
}
