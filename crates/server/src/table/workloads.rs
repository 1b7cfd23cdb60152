//! Workload controllers: printers.go's `printReplicationController`, `printReplicaSet`,
//! `printDeployment`, `printStatefulSet`, `printDaemonSet`, `printControllerRevision`,
//! `printJob`, `printCronJob` and `printPodDisruptionBudget`.

use k8s_openapi::jiff::Timestamp;
use serde_json::{Value, json};

use super::fields::{self, at, int, list, string};
use super::format::{
    age, between, bool_ptr, container_cells, format_label_selector, format_labels, int_or_string,
    selector_string, since,
};
use super::{AGE, Col, NAME, Printer, Row, boolean, descriptions as d, integer, text};

/// The template's container names (wide).
const CONTAINERS: Col = text("Containers", "Names of each container in the template.").wide();
/// The template's images (wide).
const IMAGES: Col = text(
    "Images",
    "Images referenced by each container in the template.",
)
.wide();

/// `replicationControllerColumnDefinitions`.
const RC_COLUMNS: &[Col] = &[
    NAME,
    integer("Desired", d::RC_REPLICAS),
    integer("Current", d::RC_STATUS_REPLICAS),
    integer("Ready", d::RC_READY),
    AGE,
    CONTAINERS,
    IMAGES,
    text("Selector", d::RC_SELECTOR).wide(),
];

/// The ReplicationController printer.
pub(super) const REPLICATION_CONTROLLER: Printer = Printer::new(RC_COLUMNS, print_rc);

/// `replicaSetColumnDefinitions`.
const RS_COLUMNS: &[Col] = &[
    NAME,
    integer("Desired", d::RS_REPLICAS),
    integer("Current", d::RS_STATUS_REPLICAS),
    integer("Ready", d::RS_READY),
    AGE,
    CONTAINERS,
    IMAGES,
    text("Selector", d::RS_SELECTOR).wide(),
];

/// The ReplicaSet printer.
pub(super) const REPLICA_SET: Printer = Printer::new(RS_COLUMNS, print_replica_set);

/// `deploymentColumnDefinitions` (Up-to-date and Available are `string` columns holding
/// numbers, as on the server).
const DEPLOYMENT_COLUMNS: &[Col] = &[
    NAME,
    text("Ready", "Number of the pod with ready state"),
    text("Up-to-date", d::DEPLOY_UPDATED),
    text("Available", d::DEPLOY_AVAILABLE),
    AGE,
    CONTAINERS,
    IMAGES,
    text("Selector", d::DEPLOY_SELECTOR).wide(),
];

/// The Deployment printer.
pub(super) const DEPLOYMENT: Printer = Printer::new(DEPLOYMENT_COLUMNS, print_deployment);

/// `statefulSetColumnDefinitions`.
const STATEFUL_SET_COLUMNS: &[Col] = &[
    NAME,
    text("Ready", "Number of the pod with ready state"),
    AGE,
    CONTAINERS,
    IMAGES,
];

/// The StatefulSet printer.
pub(super) const STATEFUL_SET: Printer = Printer::new(STATEFUL_SET_COLUMNS, print_stateful_set);

/// `daemonSetColumnDefinitions`.
const DAEMON_SET_COLUMNS: &[Col] = &[
    NAME,
    integer("Desired", d::DS_DESIRED),
    integer("Current", d::DS_CURRENT),
    integer("Ready", d::DS_READY),
    integer("Up-to-date", d::DS_UPDATED),
    integer("Available", d::DS_AVAILABLE),
    text("Node Selector", d::POD_NODE_SELECTOR),
    AGE,
    CONTAINERS,
    IMAGES,
    text("Selector", d::DS_SELECTOR).wide(),
];

/// The DaemonSet printer.
pub(super) const DAEMON_SET: Printer = Printer::new(DAEMON_SET_COLUMNS, print_daemon_set);

/// `controllerRevisionColumnDefinition` (Revision is a `string` column holding a number).
const CONTROLLER_REVISION_COLUMNS: &[Col] = &[
    NAME,
    text("Controller", "Controller of the object"),
    text("Revision", d::CR_REVISION),
    AGE,
];

/// The ControllerRevision printer.
pub(super) const CONTROLLER_REVISION: Printer =
    Printer::new(CONTROLLER_REVISION_COLUMNS, print_controller_revision);

/// `jobColumnDefinitions`.
const JOB_COLUMNS: &[Col] = &[
    NAME,
    text("Status", "Status of the job."),
    text("Completions", d::JOB_SUCCEEDED),
    text("Duration", "Time required to complete the job."),
    AGE,
    CONTAINERS,
    IMAGES,
    text("Selector", d::JOB_SELECTOR).wide(),
];

/// The Job printer.
pub(super) const JOB: Printer = Printer::new(JOB_COLUMNS, print_job);

/// `cronJobColumnDefinitions` (Suspend is a `boolean` column holding `True`/`False`/`<unset>`
/// strings, as on the server).
const CRON_JOB_COLUMNS: &[Col] = &[
    NAME,
    text("Schedule", d::CJ_SCHEDULE),
    text("Timezone", d::CJ_TIME_ZONE),
    boolean("Suspend", d::CJ_SUSPEND),
    integer("Active", d::CJ_ACTIVE),
    text("Last Schedule", d::CJ_LAST),
    AGE,
    CONTAINERS,
    IMAGES,
    text("Selector", d::JOB_SELECTOR).wide(),
];

/// The CronJob printer.
pub(super) const CRON_JOB: Printer = Printer::new(CRON_JOB_COLUMNS, print_cron_job);

/// `podDisruptionBudgetColumnDefinitions`.
const PDB_COLUMNS: &[Col] = &[
    NAME,
    text(
        "Min Available",
        "The minimum number of pods that must be available.",
    ),
    text(
        "Max Unavailable",
        "The maximum number of pods that may be unavailable.",
    ),
    integer(
        "Allowed Disruptions",
        "Calculated number of pods that may be disrupted at this time.",
    ),
    AGE,
];

/// The PodDisruptionBudget printer.
pub(super) const POD_DISRUPTION_BUDGET: Printer = Printer::new(PDB_COLUMNS, print_pdb);

/// `printReplicationController`.
fn print_rc(obj: &Value, now: Timestamp) -> Row {
    let (names, images) = container_cells(obj, "spec.template.spec.containers");
    vec![
        json!(fields::name(obj)),
        json!(int(obj, "spec.replicas")),
        json!(int(obj, "status.replicas")),
        json!(int(obj, "status.readyReplicas")),
        json!(age(obj, now)),
        json!(names),
        json!(images),
        json!(format_labels(obj, "spec.selector")),
    ]
    .into()
}

/// `printReplicaSet`.
fn print_replica_set(obj: &Value, now: Timestamp) -> Row {
    let (names, images) = container_cells(obj, "spec.template.spec.containers");
    vec![
        json!(fields::name(obj)),
        json!(int(obj, "spec.replicas")),
        json!(int(obj, "status.replicas")),
        json!(int(obj, "status.readyReplicas")),
        json!(age(obj, now)),
        json!(names),
        json!(images),
        json!(format_label_selector(obj, "spec.selector")),
    ]
    .into()
}

/// `printDeployment`: its selector is `LabelSelectorAsSelector(...).String()` (empty for
/// none, `<invalid>` when it does not convert).
fn print_deployment(obj: &Value, now: Timestamp) -> Row {
    let (names, images) = container_cells(obj, "spec.template.spec.containers");
    let selector = selector_string(obj, "spec.selector").unwrap_or_else(|()| "<invalid>".into());
    vec![
        json!(fields::name(obj)),
        json!(format!(
            "{}/{}",
            int(obj, "status.readyReplicas"),
            int(obj, "spec.replicas")
        )),
        json!(int(obj, "status.updatedReplicas")),
        json!(int(obj, "status.availableReplicas")),
        json!(age(obj, now)),
        json!(names),
        json!(images),
        json!(selector),
    ]
    .into()
}

/// `printStatefulSet`.
fn print_stateful_set(obj: &Value, now: Timestamp) -> Row {
    let (names, images) = container_cells(obj, "spec.template.spec.containers");
    vec![
        json!(fields::name(obj)),
        json!(format!(
            "{}/{}",
            int(obj, "status.readyReplicas"),
            int(obj, "spec.replicas")
        )),
        json!(age(obj, now)),
        json!(names),
        json!(images),
    ]
    .into()
}

/// `printDaemonSet`.
fn print_daemon_set(obj: &Value, now: Timestamp) -> Row {
    let (names, images) = container_cells(obj, "spec.template.spec.containers");
    vec![
        json!(fields::name(obj)),
        json!(int(obj, "status.desiredNumberScheduled")),
        json!(int(obj, "status.currentNumberScheduled")),
        json!(int(obj, "status.numberReady")),
        json!(int(obj, "status.updatedNumberScheduled")),
        json!(int(obj, "status.numberAvailable")),
        json!(format_labels(obj, "spec.template.spec.nodeSelector")),
        json!(age(obj, now)),
        json!(names),
        json!(images),
        json!(format_label_selector(obj, "spec.selector")),
    ]
    .into()
}

/// `printControllerRevision`: the controller as `kind.group/name` (`formatResourceName`).
fn print_controller_revision(obj: &Value, now: Timestamp) -> Row {
    let controller = list(obj, "metadata.ownerReferences")
        .iter()
        .find(|r| fields::boolean(r, "controller"))
        .map_or_else(
            || "<none>".to_string(),
            |r| {
                // `schema.ParseGroupVersion`: `group/version`, or a bare version.
                let api_version = string(r, "apiVersion");
                let group = match api_version.split_once('/') {
                    Some((group, _)) if api_version != "/" => group,
                    _ => "",
                };
                let kind = string(r, "kind");
                let name = string(r, "name");
                match (group, kind) {
                    ("", "") => name.to_string(),
                    ("", kind) => format!("{}/{name}", kind.to_lowercase()),
                    (group, kind) => format!("{}/{name}", format!("{kind}.{group}").to_lowercase()),
                }
            },
        );
    vec![
        json!(fields::name(obj)),
        json!(controller),
        json!(int(obj, "revision")),
        json!(age(obj, now)),
    ]
    .into()
}

/// `hasJobCondition`: the first condition of that type, if `True`.
fn has_job_condition(job: &Value, kind: &str) -> bool {
    list(job, "status.conditions")
        .iter()
        .find(|c| string(c, "type") == kind)
        .is_some_and(|c| string(c, "status") == "True")
}

/// `printJob`.
fn print_job(obj: &Value, now: Timestamp) -> Row {
    let succeeded = int(obj, "status.succeeded");
    let completions = match fields::opt_int(obj, "spec.completions") {
        Some(c) => format!("{succeeded}/{c}"),
        None => match int(obj, "spec.parallelism") {
            p if p > 1 => format!("{succeeded}/1 of {p}"),
            _ => format!("{succeeded}/1"),
        },
    };
    let duration = match (
        fields::time(obj, "status.startTime"),
        fields::time(obj, "status.completionTime"),
    ) {
        (None, _) => String::new(),
        (Some(start), None) => since(now, Some(start)),
        (Some(start), Some(end)) => between(start, end),
    };
    let status = if has_job_condition(obj, "Complete") {
        "Complete"
    } else if has_job_condition(obj, "Failed") {
        "Failed"
    } else if fields::deleting(obj) {
        "Terminating"
    } else if has_job_condition(obj, "Suspended") {
        "Suspended"
    } else if has_job_condition(obj, "FailureTarget") {
        "FailureTarget"
    } else {
        "Running"
    };
    let (names, images) = container_cells(obj, "spec.template.spec.containers");
    vec![
        json!(fields::name(obj)),
        json!(status),
        json!(completions),
        json!(duration),
        json!(age(obj, now)),
        json!(names),
        json!(images),
        json!(format_label_selector(obj, "spec.selector")),
    ]
    .into()
}

/// `printCronJob`.
fn print_cron_job(obj: &Value, now: Timestamp) -> Row {
    let last_schedule = if at(obj, "status.lastScheduleTime").is_some() {
        since(now, fields::time(obj, "status.lastScheduleTime"))
    } else {
        "<none>".into()
    };
    let (names, images) = container_cells(obj, "spec.jobTemplate.spec.template.spec.containers");
    vec![
        json!(fields::name(obj)),
        json!(string(obj, "spec.schedule")),
        json!(fields::opt_string(obj, "spec.timeZone").unwrap_or("<none>")),
        json!(bool_ptr(fields::opt_bool(obj, "spec.suspend"))),
        json!(fields::len(obj, "status.active")),
        json!(last_schedule),
        json!(age(obj, now)),
        json!(names),
        json!(images),
        json!(format_label_selector(obj, "spec.jobTemplate.spec.selector")),
    ]
    .into()
}

/// `printPodDisruptionBudget`.
fn print_pdb(obj: &Value, now: Timestamp) -> Row {
    let int_or_na = |path: &str| at(obj, path).map_or_else(|| "N/A".into(), int_or_string);
    vec![
        json!(fields::name(obj)),
        json!(int_or_na("spec.minAvailable")),
        json!(int_or_na("spec.maxUnavailable")),
        json!(int(obj, "status.disruptionsAllowed")),
        json!(age(obj, now)),
    ]
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::table::tests::now;

    fn meta(name: &str) -> Value {
        json!({"name": name, "creationTimestamp": "2024-05-01T11:58:00Z"})
    }

    #[test]
    fn deployment_with_wide_columns() {
        let d = json!({"metadata": meta("web"),
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"},
                "matchExpressions": [{"key": "tier", "operator": "In", "values": ["b", "a"]}]},
                "template": {"spec": {"containers": [
                    {"name": "nginx", "image": "nginx:1.25"}, {"name": "side", "image": "busybox"}]}}},
            "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}});
        assert_eq!(
            print_deployment(&d, now()).cells,
            [
                json!("web"),
                json!("2/3"),
                json!(3),
                json!(2),
                json!("2m"),
                json!("nginx,side"),
                json!("nginx:1.25,busybox"),
                json!("app=web,tier in (a,b)"),
            ]
        );
        let sparse = json!({"metadata": {"name": "d"}, "spec": {"replicas": "3", "selector": 4}});
        assert_eq!(
            print_deployment(&sparse, now()).cells,
            [
                json!("d"),
                json!("0/0"),
                json!(0),
                json!(0),
                json!("<unknown>"),
                json!(""),
                json!(""),
                json!(""),
            ]
        );
        let bad =
            json!({"spec": {"selector": {"matchExpressions": [{"key": "a", "operator": "Has"}]}}});
        assert_eq!(print_deployment(&bad, now()).cells[7], "<invalid>");
    }

    #[test]
    fn replica_sets_daemon_sets_and_stateful_sets() {
        let rs = json!({"metadata": meta("rs"), "spec": {"replicas": 2, "selector": {}},
            "status": {"replicas": 2, "readyReplicas": 1}});
        assert_eq!(
            print_replica_set(&rs, now()).cells[1..8],
            [
                json!(2),
                json!(2),
                json!(1),
                json!("2m"),
                json!(""),
                json!(""),
                json!("<none>")
            ]
        );
        let ds = json!({"metadata": meta("ds"),
            "spec": {"template": {"spec": {"nodeSelector": {"kubernetes.io/os": "linux"}}}},
            "status": {"desiredNumberScheduled": 3, "currentNumberScheduled": 3, "numberReady": 2,
                       "updatedNumberScheduled": 3, "numberAvailable": 2}});
        assert_eq!(
            print_daemon_set(&ds, now()).cells[1..7],
            [
                json!(3),
                json!(3),
                json!(2),
                json!(3),
                json!(2),
                json!("kubernetes.io/os=linux")
            ]
        );
        let sts = json!({"metadata": meta("db"), "spec": {"replicas": 3}, "status": {"readyReplicas": 1}});
        assert_eq!(print_stateful_set(&sts, now()).cells[1], "1/3");
        let rc = json!({"metadata": meta("rc"), "spec": {"replicas": 1, "selector": {"app": "x"}}});
        assert_eq!(print_rc(&rc, now()).cells[7], "app=x");
    }

    #[test]
    fn job_completions_status_and_duration() {
        let job = json!({"metadata": meta("j"),
            "spec": {"completions": 3, "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "u"}}},
            "status": {"succeeded": 3, "startTime": "2024-05-01T11:00:00Z",
                "completionTime": "2024-05-01T11:03:20Z",
                "conditions": [{"type": "Complete", "status": "True"}]}});
        assert_eq!(
            print_job(&job, now()).cells[1..5],
            [json!("Complete"), json!("3/3"), json!("3m20s"), json!("2m")]
        );
        let running = json!({"spec": {"parallelism": 2},
            "status": {"succeeded": 1, "startTime": "2024-05-01T11:30:00Z"}});
        assert_eq!(
            print_job(&running, now()).cells[1..4],
            [json!("Running"), json!("1/1 of 2"), json!("30m")]
        );
        let suspended =
            json!({"status": {"conditions": [{"type": "Suspended", "status": "True"}]}});
        assert_eq!(
            print_job(&suspended, now()).cells[1..4],
            [json!("Suspended"), json!("0/1"), json!("")]
        );
        let failed = json!({"metadata": {"deletionTimestamp": "2024-05-01T11:00:00Z"},
            "status": {"conditions": [{"type": "Failed", "status": "True"}]}});
        assert_eq!(print_job(&failed, now()).cells[1], "Failed");
        let deleting = json!({"metadata": {"deletionTimestamp": "2024-05-01T11:00:00Z"}});
        assert_eq!(print_job(&deleting, now()).cells[1], "Terminating");
    }

    #[test]
    fn cron_job_schedule_suspend_and_last_schedule() {
        let cj = json!({"metadata": meta("cj"),
            "spec": {"schedule": "*/5 * * * *", "suspend": false, "timeZone": "Etc/UTC",
                "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}},
            "status": {"active": [{"name": "cj-1"}], "lastScheduleTime": "2024-05-01T11:55:00Z"}});
        assert_eq!(
            print_cron_job(&cj, now()).cells,
            [
                json!("cj"),
                json!("*/5 * * * *"),
                json!("Etc/UTC"),
                json!("False"),
                json!(1),
                json!("5m"),
                json!("2m"),
                json!("c"),
                json!("busybox"),
                json!("<none>"),
            ]
        );
        let sparse = json!({"spec": {"suspend": "yes"}});
        assert_eq!(
            print_cron_job(&sparse, now()).cells[1..6],
            [
                json!(""),
                json!("<none>"),
                json!("<unset>"),
                json!(0),
                json!("<none>")
            ]
        );
    }

    #[test]
    fn controller_revisions_and_pdbs() {
        let cr = json!({"metadata": {"name": "web-1", "ownerReferences": [
            {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web", "controller": true}]},
            "revision": 2});
        assert_eq!(
            print_controller_revision(&cr, now()).cells[1..3],
            [json!("statefulset.apps/web"), json!(2)]
        );
        let core = json!({"metadata": {"ownerReferences": [
            {"apiVersion": "v1", "kind": "Pod", "name": "p", "controller": true}]}});
        assert_eq!(print_controller_revision(&core, now()).cells[1], "pod/p");
        assert_eq!(
            print_controller_revision(&json!({}), now()).cells[1],
            "<none>"
        );
        let pdb = json!({"spec": {"minAvailable": "50%"}, "status": {"disruptionsAllowed": 1}});
        assert_eq!(
            print_pdb(&pdb, now()).cells[1..4],
            [json!("50%"), json!("N/A"), json!(1)]
        );
    }
}
