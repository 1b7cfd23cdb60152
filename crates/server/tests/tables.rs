//! `kubectl get` and `kubectl get -o wide` (the machine's kubectl) against the `kobj serve`
//! binary: the server's Table columns and cells for built-in kinds, as kubectl prints them.
//! Skipped with a note when kubectl is not installed (a failure when `CI` is set).

#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use common::process::serve;

/// kubectl with the served cluster's kubeconfig.
struct Kubectl {
    kubeconfig: PathBuf,
    cache: PathBuf,
}

impl Kubectl {
    /// Runs kubectl, asserts success, returns stdout.
    fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let mut child = Command::new("kubectl")
            .args(args)
            .env("KUBECONFIG", &self.kubeconfig)
            .env("KUBECACHEDIR", &self.cache)
            .env_remove("HTTPS_PROXY")
            .env_remove("HTTP_PROXY")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
        drop(input);
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "kubectl {}: {}\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// `kubectl get <args>` as rows of cells (the header first). kubectl pads columns with
    /// at least three spaces, so a cell never holds two spaces in a row.
    fn table(&self, args: &[&str]) -> Vec<Vec<String>> {
        let mut all = vec!["get"];
        all.extend(args);
        self.ok(&all, None)
            .lines()
            .map(|line| {
                line.split("  ")
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            })
            .collect()
    }
}

fn kubectl_available() -> bool {
    Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success())
}

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
    if !kubectl_available() {
        // CI machines have kubectl; there, its absence is a failure, not a skip.
        assert!(
            std::env::var_os("CI").is_none(),
            "kubectl is not installed, and CI is set"
        );
        println!("kubectl tables: skipped (kubectl is not installed)");
        return;
    }
    let served = serve(&[]);
    let k = Kubectl {
        kubeconfig: served.kubeconfig.clone(),
        cache: served.scratch.path("kube-cache"),
    };
    k.ok(&["apply", "-f", "-"], Some(OBJECTS));
    k.ok(
        &[
            "patch",
            "pod",
            "p1",
            "--subresource=status",
            "--type=merge",
            "-p",
            CRASHING,
        ],
        None,
    );
    k.ok(
        &[
            "patch",
            "deployment",
            "web",
            "--subresource=status",
            "--type=merge",
            "-p",
            r#"{"status": {"replicas": 2, "readyReplicas": 1, "updatedReplicas": 2, "availableReplicas": 1}}"#,
        ],
        None,
    );

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
    assert_eq!(t[1][..2], ["lb", "LoadBalancer"]);
    assert_eq!(t[1][3], "<pending>");
    assert!(
        t[1][4].starts_with("80:") && t[1][4].ends_with("/TCP"),
        "{:?}",
        t[1]
    );
    assert_eq!(t[1][6], "app=web");

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
