//! kubectl's typed clients against `kobj serve`: the generators (`kubectl create
//! deployment|service|job|…`, `kubectl run`, `kubectl create token`) send protobuf bodies,
//! which the server decodes by the built-in kinds' protobuf layout, and `kubectl drain`
//! evicts through `pods/<name>/eviction`, `kubectl debug` adds containers through
//! `pods/<name>/ephemeralcontainers`; what each makes is read back as JSON.

use crate::common;

use base64::Engine as _;
use common::kubectl::served_kubectl;
use serde_json::Value;

#[test]
fn kubectl_generators_create_built_in_objects() {
    let Some((_served, k)) = served_kubectl("kubectl generators", &[]) else {
        return;
    };

    let out = k.ok(&[
        "create",
        "deployment",
        "web",
        "--image=nginx",
        "--replicas=0",
        "--port=80",
    ]);
    assert_eq!(out.trim(), "deployment.apps/web created");
    let web = k.json(&["get", "deployment", "web"]);
    assert_eq!(
        web["spec"]["replicas"], 0,
        "a pointer's zero is kept: {web}"
    );
    assert_eq!(web["spec"]["selector"]["matchLabels"]["app"], "web");
    assert_eq!(
        web["spec"]["strategy"]["type"], "RollingUpdate",
        "defaulted"
    );
    let container = &web["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["image"], "nginx");
    assert_eq!(container["ports"][0]["containerPort"], 80);
    assert_eq!(container["terminationMessagePath"], "/dev/termination-log");
    assert!(container.get("workingDir").is_none(), "{container}");
    assert!(container.get("stdin").is_none(), "{container}");

    k.ok(&["create", "service", "clusterip", "front", "--tcp=80:8080"]);
    let front = k.json(&["get", "service", "front"]);
    assert_eq!(front["spec"]["ports"][0]["port"], 80);
    assert_eq!(front["spec"]["ports"][0]["targetPort"], 8080);
    assert_eq!(front["spec"]["selector"]["app"], "front");
    assert!(
        front["spec"]["clusterIP"]
            .as_str()
            .is_some_and(|ip| !ip.is_empty())
    );

    k.ok(&[
        "create",
        "job",
        "once",
        "--image=busybox",
        "--",
        "echo",
        "hi",
    ]);
    let once = k.json(&["get", "job", "once"]);
    let container = &once["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["command"], serde_json::json!(["echo", "hi"]));
    assert_eq!(once["spec"]["template"]["spec"]["restartPolicy"], "Never");

    k.ok(&[
        "create",
        "cronjob",
        "nightly",
        "--image=busybox",
        "--schedule=0 3 * * *",
    ]);
    assert_eq!(
        k.json(&["get", "cronjob", "nightly"])["spec"]["schedule"],
        "0 3 * * *"
    );

    k.ok(&[
        "create",
        "role",
        "reader",
        "--verb=get,list",
        "--resource=pods",
    ]);
    let reader = k.json(&["get", "role", "reader"]);
    assert_eq!(
        reader["rules"][0]["verbs"],
        serde_json::json!(["get", "list"])
    );
    assert_eq!(reader["rules"][0]["resources"], serde_json::json!(["pods"]));
    k.ok(&[
        "create",
        "rolebinding",
        "reads",
        "--role=reader",
        "--user=ann",
    ]);
    let reads = k.json(&["get", "rolebinding", "reads"]);
    assert_eq!(reads["roleRef"]["name"], "reader");
    assert_eq!(reads["subjects"][0]["name"], "ann");
    k.ok(&[
        "create",
        "clusterrole",
        "viewer",
        "--verb=get",
        "--resource=nodes",
    ]);
    k.ok(&[
        "create",
        "clusterrolebinding",
        "views",
        "--clusterrole=viewer",
        "--group=devs",
    ]);
    assert_eq!(
        k.json(&["get", "clusterrolebinding", "views"])["subjects"][0]["kind"],
        "Group"
    );

    k.ok(&[
        "create",
        "ingress",
        "entry",
        "--rule=example.com/app=front:8080",
    ]);
    let entry = k.json(&["get", "ingress", "entry"]);
    let rule = &entry["spec"]["rules"][0];
    assert_eq!(rule["host"], "example.com");
    assert_eq!(rule["http"]["paths"][0]["path"], "/app");
    assert_eq!(
        rule["http"]["paths"][0]["backend"]["service"]["port"]["number"],
        8080
    );

    k.ok(&[
        "create",
        "pdb",
        "keep",
        "--selector=app=web",
        "--min-available=1",
    ]);
    assert_eq!(k.json(&["get", "pdb", "keep"])["spec"]["minAvailable"], 1);
    k.ok(&["create", "priorityclass", "high", "--value=1000"]);
    assert_eq!(k.json(&["get", "priorityclass", "high"])["value"], 1000);
    k.ok(&["create", "quota", "small", "--hard=pods=2,requests.cpu=1"]);
    let small = k.json(&["get", "quota", "small"]);
    assert_eq!(small["spec"]["hard"]["pods"], "2");
    assert_eq!(small["spec"]["hard"]["requests.cpu"], "1");

    k.ok(&[
        "run",
        "solo",
        "--image=nginx",
        "--labels=app=solo",
        "--restart=Never",
    ]);
    let solo = k.json(&["get", "pod", "solo"]);
    assert_eq!(solo["metadata"]["labels"]["app"], "solo");
    assert_eq!(solo["spec"]["restartPolicy"], "Never");
    k.ok(&["expose", "pod", "solo", "--port=80", "--target-port=8080"]);
    assert_eq!(
        k.json(&["get", "service", "solo"])["spec"]["selector"]["app"],
        "solo"
    );

    // A TokenRequest (protobuf too): a JWT whose claims name the service account.
    k.ok(&["create", "serviceaccount", "robot"]);
    let token = k.ok(&[
        "create",
        "token",
        "robot",
        "--duration=20m",
        "--audience=vault",
    ]);
    let payload = token.trim().split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["sub"], "system:serviceaccount:default:robot");
    assert_eq!(claims["aud"], serde_json::json!(["vault"]));
    let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert_eq!(lifetime, 1200);
}

const DRAINED: &str = r#"
apiVersion: v1
kind: Node
metadata: {name: node-1}
---
apiVersion: v1
kind: Pod
metadata: {name: w1, labels: {app: web}}
spec: {nodeName: node-1, containers: [{name: app, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: w2, labels: {app: web}}
spec: {nodeName: node-1, containers: [{name: app, image: nginx}]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
"#;

/// `kubectl drain` cordons the node and evicts its pods through `pods/<name>/eviction`
/// (discovery lists it): the budget lets one go and holds the other.
#[test]
fn kubectl_drain_evicts_within_the_disruption_budget() {
    let Some((_served, k)) = served_kubectl("kubectl drain", &[]) else {
        return;
    };
    k.ok_with(&["apply", "-f", "-"], Some(DRAINED));
    let running =
        r#"{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}"#;
    for pod in ["w1", "w2"] {
        k.ok(&[
            "patch",
            "pod",
            pod,
            "--subresource=status",
            "--type=merge",
            "-p",
            running,
        ]);
    }
    let budget = r#"{"status":{"observedGeneration":1,"disruptionsAllowed":1,"currentHealthy":2,"desiredHealthy":1,"expectedPods":2}}"#;
    k.ok(&[
        "patch",
        "pdb",
        "web",
        "--subresource=status",
        "--type=merge",
        "-p",
        budget,
    ]);
    let out = k.output(&["drain", "node-1", "--force", "--timeout=3s"], None);
    assert!(!out.status.success(), "the second eviction cannot pass");
    let out = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    assert!(out.contains("node/node-1 cordoned"), "{out}");
    assert!(
        out.contains("Cannot evict pod as it would violate the pod's disruption budget."),
        "{out}"
    );
    assert_eq!(
        k.json(&["get", "node", "node-1"])["spec"]["unschedulable"],
        true
    );
    let pods = k.json(&["get", "pods"]);
    let left: Vec<&str> = pods["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
    let budget = k.json(&["get", "pdb", "web"]);
    assert_eq!(budget["status"]["disruptionsAllowed"], 0);
    let evicted = if left[0] == "w1" { "w2" } else { "w1" };
    assert!(
        budget["status"]["disruptedPods"][evicted].is_string(),
        "{budget}"
    );
}

/// `kubectl debug` patches `pods/<name>/ephemeralcontainers` (discovery lists it) with a
/// strategic merge patch that adds its container; a container already there may not change
/// (`kubectl patch --subresource=ephemeralcontainers`).
#[test]
fn kubectl_debug_adds_an_ephemeral_container() {
    let Some((_served, k)) = served_kubectl("kubectl debug", &[]) else {
        return;
    };
    k.ok(&["run", "app", "--image=nginx"]);
    k.ok(&[
        "debug",
        "app",
        "--image=busybox",
        "--target=app",
        "--container=debugger",
    ]);
    let pod = k.json(&["get", "pod", "app", "--show-managed-fields"]);
    let added = &pod["spec"]["ephemeralContainers"][0];
    assert_eq!(added["name"], "debugger", "{pod}");
    assert_eq!(added["image"], "busybox");
    assert_eq!(added["targetContainerName"], "app");
    assert_eq!(added["terminationMessagePolicy"], "File", "defaulted");
    assert_eq!(pod["spec"]["containers"][0]["image"], "nginx");
    let entry = pod["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["subresource"] == "ephemeralcontainers")
        .unwrap();
    assert_eq!(entry["operation"], "Update");

    // A second one is added after it.
    k.ok(&["debug", "app", "--image=busybox", "--container=second"]);
    // Changing one that is there is refused (kubectl debug with the same name sends a patch
    // that merges its container into the existing one twice, leaving it as it was, as the
    // server's strategic merge does).
    let err = k.fails(
        &[
            "patch",
            "pod",
            "app",
            "--subresource=ephemeralcontainers",
            "-p",
            r#"{"spec":{"ephemeralContainers":[{"name":"debugger","image":"alpine"}]}}"#,
        ],
        None,
    );
    assert!(
        err.contains(r#"existing ephemeral containers "debugger" may not be changed"#),
        "{err}"
    );
    let after = k.json(&["get", "pod", "app"]);
    let names: Vec<&str> = after["spec"]["ephemeralContainers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["debugger", "second"]);
    assert_eq!(after["spec"]["ephemeralContainers"][0]["image"], "busybox");
}

/// `kubectl patch --subresource=resize` resizes a container in place (discovery lists
/// `pods/resize`); a memory limit lowered without a restarting resize policy is refused.
#[test]
fn kubectl_resizes_a_pod_in_place() {
    let Some((_served, k)) = served_kubectl("kubectl resize", &[]) else {
        return;
    };
    k.ok_with(
        &["apply", "-f", "-"],
        Some(
            r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sized"},
                "spec": {"containers": [{"name": "app", "image": "nginx", "resources": {
                  "requests": {"cpu": "100m", "memory": "64Mi"},
                  "limits": {"cpu": "200m", "memory": "128Mi"}}}]}}"#,
        ),
    );
    k.ok(&[
        "patch",
        "pod",
        "sized",
        "--subresource=resize",
        "-p",
        r#"{"spec":{"containers":[{"name":"app","resources":{"limits":{"cpu":"300m"}}}]}}"#,
    ]);
    let pod = k.json(&["get", "pod", "sized"]);
    let resources = &pod["spec"]["containers"][0]["resources"];
    assert_eq!(resources["limits"]["cpu"], "300m", "{pod}");
    assert_eq!(resources["limits"]["memory"], "128Mi");
    assert_eq!(pod["metadata"]["generation"], 2);
    let err = k.fails(
        &[
            "patch",
            "pod",
            "sized",
            "--subresource=resize",
            "-p",
            r#"{"spec":{"containers":[{"name":"app","resources":{"limits":{"memory":"100Mi"}}}]}}"#,
        ],
        None,
    );
    assert!(
        err.contains("memory limits cannot be decreased unless resizePolicy is RestartContainer"),
        "{err}"
    );
}

/// `kubectl certificate approve|deny` writes the condition through
/// `certificatesigningrequests/<name>/approval` (discovery lists it); the requests are real
/// PKCS#10 requests, whose signatures the server checks on create.
#[test]
fn kubectl_approves_and_denies_certificate_requests() {
    let Some((_served, k)) = served_kubectl("kubectl certificate", &[]) else {
        return;
    };
    for name in ["alice", "bob"] {
        let key = rcgen::KeyPair::generate().unwrap();
        let pem = rcgen::CertificateParams::new(vec![format!("{name}.example.com")])
            .unwrap()
            .serialize_request(&key)
            .unwrap()
            .pem()
            .unwrap();
        let body = serde_json::json!({
            "apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
            "metadata": {"name": name},
            "spec": {"request": base64::engine::general_purpose::STANDARD.encode(pem),
                     "signerName": "example.com/signer", "usages": ["client auth"]}
        });
        k.ok_with(&["create", "-f", "-"], Some(&body.to_string()));
    }
    let out = k.ok(&["certificate", "approve", "alice"]);
    assert_eq!(
        out.trim(),
        "certificatesigningrequest.certificates.k8s.io/alice approved"
    );
    k.ok(&["certificate", "deny", "bob"]);
    let alice = k.json(&["get", "csr", "alice"]);
    let condition = &alice["status"]["conditions"][0];
    assert_eq!(condition["type"], "Approved", "{alice}");
    assert_eq!(condition["reason"], "KubectlApprove");
    assert!(
        condition["lastUpdateTime"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    assert_eq!(alice["spec"]["username"], "kobj-admin");
    let bob = k.json(&["get", "csr", "bob"]);
    assert_eq!(bob["status"]["conditions"][0]["type"], "Denied", "{bob}");
    // The server refuses a request whose body is not a certificate request.
    let bad = serde_json::json!({
        "apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
        "metadata": {"name": "carol"},
        "spec": {"request": "aGVsbG8=", "signerName": "example.com/signer", "usages": ["client auth"]}
    });
    let err = k.fails(&["create", "-f", "-"], Some(&bad.to_string()));
    assert!(
        err.contains("PEM block type must be CERTIFICATE REQUEST"),
        "{err}"
    );
}
