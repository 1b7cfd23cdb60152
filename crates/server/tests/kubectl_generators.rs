//! kubectl's generators (`kubectl create deployment|service|job|…`, `kubectl run`) against
//! `kobj serve`: their typed clients send protobuf bodies, which the server decodes by the
//! built-in kinds' protobuf layout; what each creates is read back as JSON.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::process::serve;
use serde_json::Value;

struct Kubectl {
    kubeconfig: PathBuf,
    cache: PathBuf,
}

impl Kubectl {
    fn ok(&self, args: &[&str]) -> String {
        let out = Command::new("kubectl")
            .args(args)
            .env("KUBECONFIG", &self.kubeconfig)
            .env("KUBECACHEDIR", &self.cache)
            .env_remove("HTTPS_PROXY")
            .env_remove("HTTP_PROXY")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "kubectl {}: {}\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.extend(["-o", "json"]);
        serde_json::from_str(&self.ok(&args)).unwrap()
    }
}

fn kubectl_available() -> bool {
    Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn kubectl_generators_create_built_in_objects() {
    if !kubectl_available() {
        assert!(
            std::env::var_os("CI").is_none(),
            "kubectl is not installed, and CI is set"
        );
        println!("kubectl generators: skipped (kubectl is not installed)");
        return;
    }
    let served = serve(&[]);
    let k = Kubectl {
        kubeconfig: served.kubeconfig.clone(),
        cache: served.scratch.path("kube-cache"),
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
}
