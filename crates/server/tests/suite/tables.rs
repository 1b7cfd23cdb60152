//! `kubectl get` and `kubectl get -o wide` (the machine's kubectl) against the `kobj serve`
//! binary: the server's Table columns and cells for built-in kinds, as kubectl prints them.
//! Skipped with a note when kubectl is not installed (a failure when `CI` is set).

use crate::common;

use common::kubectl::served_kubectl;

/// kubectl with the served cluster's kubeconfig.
const OBJECTS: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: nginx, image: "nginx:1.25"}
      - {name: side, image: busybox}
---
apiVersion: v1
kind: Service
metadata: {name: lb}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Pod
metadata: {name: p1}
spec:
  containers: [{name: c, image: busybox}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  completions: 3
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: tick}
spec:
  schedule: "*/5 * * * *"
  suspend: true
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: c, image: busybox}]
---
apiVersion: v1
kind: Node
metadata:
  name: n1
  labels: {node-role.kubernetes.io/control-plane: ""}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: "1", b: "2"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}
- {kind: ServiceAccount, name: bot, namespace: default}
---
apiVersion: v1
kind: Event
metadata: {name: web.1}
involvedObject: {kind: Deployment, name: web, namespace: default}
reason: ScalingReplicaSet
type: Normal
message: Scaled up replica set web-1 to 2
source: {component: deployment-controller}
count: 4
firstTimestamp: "2024-01-01T00:00:00Z"
lastTimestamp: "2024-01-01T00:00:00Z"
"#;

/// The pod's status after its container crashed three times.
const CRASHING: &str = r#"{"status": {"phase": "Running", "podIPs": [{"ip": "10.244.0.7"}],
  "podIP": "10.244.0.7", "containerStatuses": [{"name": "c", "image": "busybox", "imageID": "",
  "ready": false, "restartCount": 3, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
  "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2024-01-01T00:00:00Z"}}}]}}"#;

#[test]
fn kubectl_prints_builtin_tables() {
    let Some((_served, k)) = served_kubectl("kubectl tables", &[]) else {
        return;
    };
    k.ok_with(&["apply", "-f", "-"], Some(OBJECTS));
    k.ok(&[
        "patch",
        "pod",
        "p1",
        "--subresource=status",
        "--type=merge",
        "-p",
        CRASHING,
    ]);
    k.ok(
        &[
            "patch",
            "deployment",
            "web",
            "--subresource=status",
            "--type=merge",
            "-p",
            r#"{"status": {"replicas": 2, "readyReplicas": 1, "updatedReplicas": 2, "availableReplicas": 1}}"#,
        ]);

    // Deployments: READY ready/desired, and the wide containers, images and selector.
    let t = k.table(&["deployments"]);
    assert_eq!(t[0], ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]);
    assert_eq!(t[1][..4], ["web", "1/2", "2", "1"]);
    let t = k.table(&["deployments", "-o", "wide"]);
    assert_eq!(
        t[0],
        [
            "NAME",
            "READY",
            "UP-TO-DATE",
            "AVAILABLE",
            "AGE",
            "CONTAINERS",
            "IMAGES",
            "SELECTOR"
        ]
    );
    assert_eq!(t[1][5..], ["nginx,side", "nginx:1.25,busybox", "app=web"]);

    // Pods: the waiting reason, restarts with the last restart's age, the wide cells.
    let t = k.table(&["pods"]);
    assert_eq!(t[0], ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
    assert_eq!(t[1][..3], ["p1", "0/1", "CrashLoopBackOff"]);
    assert!(
        t[1][3].starts_with("3 (") && t[1][3].ends_with(" ago)"),
        "{:?}",
        t[1]
    );
    let t = k.table(&["pods", "-o", "wide"]);
    assert_eq!(
        t[0][5..],
        ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]
    );
    assert_eq!(t[1][5..], ["10.244.0.7", "<none>", "<none>", "<none>"]);

    // Services: a load balancer without an address is pending; node ports are shown.
    let t = k.table(&["services", "-o", "wide"]);
    assert_eq!(
        t[0],
        [
            "NAME",
            "TYPE",
            "CLUSTER-IP",
            "EXTERNAL-IP",
            "PORT(S)",
            "AGE",
            "SELECTOR"
        ]
    );
    // The API server's own Service comes first, as on any cluster.
    assert_eq!(
        [&t[1][..5], &t[1][6..]].concat(),
        [
            "kubernetes",
            "ClusterIP",
            "10.96.0.1",
            "<none>",
            "443/TCP",
            "<none>"
        ]
    );
    assert_eq!(t[2][..2], ["lb", "LoadBalancer"]);
    assert_eq!(t[2][3], "<pending>");
    assert!(
        t[2][4].starts_with("80:") && t[2][4].ends_with("/TCP"),
        "{:?}",
        t[2]
    );
    assert_eq!(t[2][6], "app=web");

    // Jobs and CronJobs.
    let t = k.table(&["jobs", "-o", "wide"]);
    assert_eq!(
        t[0],
        [
            "NAME",
            "STATUS",
            "COMPLETIONS",
            "DURATION",
            "AGE",
            "CONTAINERS",
            "IMAGES",
            "SELECTOR"
        ]
    );
    // The duration is empty until the job starts, so the row has one cell fewer.
    assert_eq!(t[1][..3], ["once", "Running", "0/3"]);
    assert!(
        t[1].last()
            .unwrap()
            .starts_with("batch.kubernetes.io/controller-uid="),
        "{:?}",
        t[1]
    );
    let t = k.table(&["cronjobs"]);
    assert_eq!(
        t[0],
        [
            "NAME",
            "SCHEDULE",
            "TIMEZONE",
            "SUSPEND",
            "ACTIVE",
            "LAST SCHEDULE",
            "AGE"
        ]
    );
    assert_eq!(
        t[1][..6],
        ["tick", "*/5 * * * *", "<none>", "True", "0", "<none>"]
    );

    // Nodes: no Ready condition yet, roles from labels.
    let t = k.table(&["nodes", "-o", "wide"]);
    assert_eq!(
        t[0],
        [
            "NAME",
            "STATUS",
            "ROLES",
            "AGE",
            "VERSION",
            "INTERNAL-IP",
            "EXTERNAL-IP",
            "OS-IMAGE",
            "KERNEL-VERSION",
            "CONTAINER-RUNTIME"
        ]
    );
    assert_eq!(t[1][..3], ["n1", "Unknown", "control-plane"]);
    assert_eq!(
        t[1][4..],
        ["<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"]
    );

    // ConfigMaps, RoleBindings (wide subjects), Roles (no printer: Name and Created At).
    let t = k.table(&["configmaps", "settings"]);
    assert_eq!(t[0], ["NAME", "DATA", "AGE"]);
    assert_eq!(t[1][..2], ["settings", "2"]);
    let t = k.table(&["rolebindings", "-o", "wide"]);
    assert_eq!(
        t[0],
        ["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"]
    );
    // The empty GROUPS cell leaves a gap the split does not keep.
    assert_eq!(t[1][..2], ["read", "Role/reader"]);
    assert_eq!(t[1][3..], ["alice", "default/bot"]);
    let t = k.table(&["roles"]);
    assert_eq!(t[0], ["NAME", "CREATED AT"]);
    assert_eq!(t[1][0], "reader");
    assert!(t[1][1].ends_with('Z'), "{:?}", t[1]);

    // Events: the object as kind/name, the wide source, first seen and count.
    let t = k.table(&["events"]);
    assert_eq!(t[0], ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]);
    assert_eq!(
        t[1][1..],
        [
            "Normal",
            "ScalingReplicaSet",
            "deployment/web",
            "Scaled up replica set web-1 to 2"
        ]
    );
    let t = k.table(&["events", "-o", "wide"]);
    assert_eq!(
        t[0],
        [
            "LAST SEEN",
            "TYPE",
            "REASON",
            "OBJECT",
            "SUBOBJECT",
            "SOURCE",
            "MESSAGE",
            "FIRST SEEN",
            "COUNT",
            "NAME"
        ]
    );
    assert_eq!(t[1][t[1].len() - 2..], ["4", "web.1"]);
    assert!(
        t[1].contains(&"deployment-controller".to_string()),
        "{:?}",
        t[1]
    );
}
