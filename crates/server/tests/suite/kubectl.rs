//! kubectl (the machine's, with its own discovery, OpenAPI validation, tables and watches)
//! driving a whole custom-object workflow against the `kobj serve` binary. Skipped with a note
//! when kubectl is not installed.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::Child;
use std::sync::mpsc;
use std::time::Duration;

use common::kubectl::served_kubectl;

const CRD: &str = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.demo.kobj.dev
spec:
  group: demo.kobj.dev
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Ready, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].status'}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
              color: {type: string}
          status:
            type: object
            properties:
              conditions:
                type: array
                items:
                  type: object
                  properties:
                    type: {type: string}
                    status: {type: string}
"#;

const WIDGETS: &str = r#"
apiVersion: demo.kobj.dev/v1
kind: Widget
metadata:
  name: w1
  labels: {app: demo, tier: front}
spec: {size: 3, color: red}
---
apiVersion: demo.kobj.dev/v1
kind: Widget
metadata:
  name: w2
  labels: {app: demo, tier: back}
spec: {size: 1, color: blue}
"#;

/// Lines of a child's stdout, as they come.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn wait_ok(child: Child, what: &str) -> String {
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn kubectl_drives_a_custom_object_workflow() {
    let Some((served, k)) = served_kubectl("kubectl workflow", &[]) else {
        return;
    };

    // CRD and objects, validated by the server (fieldValidation=Strict from OpenAPI v3).
    let out = k.ok_with(&["apply", "-f", "-"], Some(CRD));
    assert!(
        out.contains("customresourcedefinition.apiextensions.k8s.io/widgets.demo.kobj.dev created"),
        "{out}"
    );
    let out = k.ok(&[
        "wait",
        "--for=condition=Established",
        "crd/widgets.demo.kobj.dev",
        "--timeout=10s",
    ]);
    assert!(out.contains("condition met"), "{out}");
    let out = k.ok_with(&["apply", "-f", "-"], Some(WIDGETS));
    assert!(
        out.contains("widget.demo.kobj.dev/w1 created")
            && out.contains("widget.demo.kobj.dev/w2 created"),
        "{out}"
    );
    let err = k.fails(
        &["create", "-f", "-"],
        Some("apiVersion: demo.kobj.dev/v1\nkind: Widget\nmetadata: {name: w3}\nspec: {size: 1, bogus: 2}\n"),
    );
    assert!(
        err.contains("strict decoding error: unknown field \"spec.bogus\""),
        "{err}"
    );

    // Tables with the CRD's printer columns, JSON and YAML.
    let table = k.ok(&["get", "widgets"]);
    let mut rows = table.lines();
    let header: Vec<&str> = rows.next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["NAME", "SIZE", "READY", "AGE"], "{table}");
    let w1: Vec<&str> = rows.next().unwrap().split_whitespace().collect();
    assert_eq!(&w1[..2], ["w1", "3"], "{table}");
    let list = k.json(&["get", "wd"]);
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["w1", "w2"]);
    assert!(
        k.ok(&["get", "wd", "w2", "-o", "yaml"])
            .contains("kind: Widget")
    );

    // Label and field selectors.
    assert_eq!(
        k.ok(&["get", "wd", "-l", "tier=front", "-o", "name"])
            .trim(),
        "widget.demo.kobj.dev/w1"
    );
    assert_eq!(
        k.ok(&["get", "wd", "-l", "tier notin (front)", "-o", "name"])
            .trim(),
        "widget.demo.kobj.dev/w2"
    );
    assert_eq!(
        k.ok(&[
            "get",
            "wd",
            "--field-selector",
            "metadata.name=w2",
            "-o",
            "name"
        ])
        .trim(),
        "widget.demo.kobj.dev/w2"
    );
    let err = k.fails(&["get", "wd", "--field-selector", "spec.color=red"], None);
    assert!(
        err.contains("field label not supported: spec.color"),
        "{err}"
    );

    // Label, annotate, merge and JSON patches, the status subresource.
    k.ok(&["label", "wd", "w1", "env=prod"]);
    k.ok(&["annotate", "wd", "w1", "note=hello"]);
    k.ok(&[
        "patch",
        "wd",
        "w1",
        "--type=merge",
        "-p",
        r#"{"spec":{"size":4}}"#,
    ]);
    k.ok(&[
        "patch",
        "wd",
        "w1",
        "--type=json",
        "-p",
        r#"[{"op":"replace","path":"/spec/color","value":"green"}]"#,
    ]);
    let w1 = k.json(&["get", "wd", "w1"]);
    assert_eq!(w1["metadata"]["labels"]["env"], "prod");
    assert_eq!(w1["metadata"]["annotations"]["note"], "hello");
    assert_eq!(w1["spec"]["size"], 4);
    assert_eq!(w1["spec"]["color"], "green");
    k.ok(&[
        "patch",
        "wd",
        "w1",
        "--subresource=status",
        "--type=merge",
        "-p",
        r#"{"status":{"conditions":[{"type":"Ready","status":"True"}]}}"#,
    ]);
    assert_eq!(
        k.ok(&[
            "get",
            "wd",
            "w1",
            "-o",
            "jsonpath={.status.conditions[0].status}"
        ]),
        "True"
    );
    let table = k.ok(&["get", "wd", "w1", "--no-headers"]);
    assert_eq!(
        table.split_whitespace().take(3).collect::<Vec<_>>(),
        ["w1", "4", "True"],
        "{table}"
    );

    // Server-side apply: a conflict with the patch's manager, then forced.
    let err = k.fails(&["apply", "--server-side", "-f", "-"], Some(WIDGETS));
    assert!(
        err.contains("Apply failed with") && err.contains("conflict"),
        "{err}"
    );
    k.ok_with(
        &["apply", "--server-side", "--force-conflicts", "-f", "-"],
        Some(WIDGETS),
    );
    assert_eq!(
        k.ok(&["get", "wd", "w1", "-o", "jsonpath={.spec.size}"]),
        "3"
    );

    // get -w sees a change as it happens.
    let mut watch = k.spawn(&[
        "get",
        "wd",
        "w1",
        "-w",
        "-o",
        "jsonpath={.spec.size}{\"\\n\"}",
    ]);
    let lines = lines_of(&mut watch);
    assert_eq!(lines.recv_timeout(Duration::from_secs(10)).unwrap(), "3");
    k.ok(&[
        "patch",
        "wd",
        "w1",
        "--type=merge",
        "-p",
        r#"{"spec":{"size":42}}"#,
    ]);
    assert_eq!(lines.recv_timeout(Duration::from_secs(10)).unwrap(), "42");
    let _ = watch.kill();
    let _ = watch.wait();

    // wait --for=condition while a "controller" sets it.
    let waiting = k.spawn(&["wait", "wd/w2", "--for=condition=Ready", "--timeout=20s"]);
    std::thread::sleep(Duration::from_millis(300));
    k.ok(&[
        "patch",
        "wd",
        "w2",
        "--subresource=status",
        "--type=merge",
        "-p",
        r#"{"status":{"conditions":[{"type":"Ready","status":"True"}]}}"#,
    ]);
    assert!(wait_ok(waiting, "wait --for=condition").contains("condition met"));

    // Delete with a finalizer: the object stays, marked; removing the finalizer completes it.
    k.ok(&[
        "patch",
        "wd",
        "w2",
        "--type=merge",
        "-p",
        r#"{"metadata":{"finalizers":["demo.kobj.dev/hold"]}}"#,
    ]);
    let out = k.ok(&["delete", "wd", "w2", "--wait=false"]);
    assert!(out.contains("deleted"), "{out}");
    assert!(
        !k.ok(&[
            "get",
            "wd",
            "w2",
            "-o",
            "jsonpath={.metadata.deletionTimestamp}"
        ])
        .is_empty()
    );
    let waiting = k.spawn(&["wait", "wd/w2", "--for=delete", "--timeout=20s"]);
    std::thread::sleep(Duration::from_millis(300));
    k.ok(&[
        "patch",
        "wd",
        "w2",
        "--type=json",
        "-p",
        r#"[{"op":"remove","path":"/metadata/finalizers"}]"#,
    ]);
    wait_ok(waiting, "wait --for=delete");
    let err = k.fails(&["get", "wd", "w2"], None);
    assert!(
        err.contains("widgets.demo.kobj.dev \"w2\" not found"),
        "{err}"
    );

    // Namespaces, Secrets and ConfigMaps (kubectl's typed clients send protobuf here).
    k.ok(&["create", "namespace", "team"]);
    k.ok(&[
        "-n",
        "team",
        "create",
        "secret",
        "generic",
        "creds",
        "--from-literal=password=hunter2",
    ]);
    k.ok(&[
        "-n",
        "team",
        "create",
        "configmap",
        "settings",
        "--from-literal=mode=fast",
    ]);
    assert_eq!(
        k.ok(&[
            "-n",
            "team",
            "get",
            "secret",
            "creds",
            "-o",
            "jsonpath={.data.password}"
        ]),
        "aHVudGVyMg=="
    );
    assert_eq!(
        k.ok(&[
            "-n",
            "team",
            "get",
            "secret",
            "creds",
            "-o",
            "jsonpath={.type}"
        ]),
        "Opaque"
    );
    assert_eq!(
        k.ok(&[
            "-n",
            "team",
            "get",
            "configmap",
            "settings",
            "-o",
            "jsonpath={.data.mode}"
        ]),
        "fast"
    );
    let table = k.ok(&["-n", "team", "get", "configmaps"]);
    assert!(
        table.starts_with("NAME") && table.contains("settings"),
        "{table}"
    );
    assert!(k.ok(&["get", "namespace", "team"]).contains("Active"));
    // Client-side apply of a built-in kind: create, then a strategic merge patch.
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: applied, namespace: team}\ndata: {a: '1'}\n";
    assert!(
        k.ok_with(&["apply", "-f", "-"], Some(cm))
            .contains("configmap/applied created")
    );
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: applied, namespace: team}\ndata: {b: '2'}\n";
    assert!(
        k.ok_with(&["apply", "-f", "-"], Some(cm))
            .contains("configmap/applied configured")
    );
    let data = k.json(&["-n", "team", "get", "configmap", "applied"]);
    assert_eq!(
        data["data"],
        serde_json::json!({"b": "2"}),
        "apply removed what it no longer declares"
    );
    // A list item the manifest no longer declares goes too: kubectl's patch deletes it by its
    // merge key (`$patch: delete`), which it takes from the types compiled into it.
    let svc = |ports: &str| {
        format!(
            "apiVersion: v1\nkind: Service\nmetadata: {{name: web, namespace: team}}\nspec: {{selector: {{app: web}}, ports: [{ports}]}}\n"
        )
    };
    let both = svc("{name: http, port: 80}, {name: https, port: 443}");
    k.ok_with(&["apply", "-f", "-"], Some(&both));
    let one = svc("{name: http, port: 80}");
    k.ok_with(&["apply", "-f", "-"], Some(&one));
    let service = k.json(&["-n", "team", "get", "service", "web"]);
    let names: Vec<&str> = service["spec"]["ports"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(names, ["http"], "{service}");
    // From client-side to server-side apply and back: `kubectl apply --server-side` takes over
    // the fields it applied client-side, no conflict, and rewrites the last-applied
    // annotation, so the next client-side apply removes what only the server-side one added.
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: applied, namespace: team}\ndata: {b: '3', c: new}\n";
    assert!(
        k.ok_with(&["apply", "--server-side", "-f", "-"], Some(cm))
            .contains("configmap/applied serverside-applied")
    );
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: applied, namespace: team}\ndata: {b: '3'}\n";
    k.ok_with(&["apply", "-f", "-"], Some(cm));
    let data = k.json(&["-n", "team", "get", "configmap", "applied"]);
    assert_eq!(data["data"], serde_json::json!({"b": "3"}), "{data}");
    k.ok(&["delete", "namespace", "team"]);
    let err = k.fails(&["get", "namespace", "team"], None);
    assert!(err.contains("namespaces \"team\" not found"), "{err}");

    // The CRD goes, and its resource with it (kubectl's cached discovery still knows the
    // type, so it asks and gets the API server's 404 for an unserved path).
    k.ok(&["delete", "crd", "widgets.demo.kobj.dev"]);
    let err = k.fails(&["get", "widgets"], None);
    assert!(
        err.contains("the server could not find the requested resource"),
        "{err}"
    );
    let err = k.fails(&["get", "--raw", "/apis/demo.kobj.dev/v1"], None);
    assert!(err.contains("NotFound"), "{err}");

    let (status, stderr) = served.stop("-TERM", Duration::from_secs(10));
    assert!(status.success(), "{stderr}");
}

/// `kubectl auth` asks the create-only reviews: can-i (a SelfSubjectAccessReview), can-i
/// --list (a SelfSubjectRulesReview) and whoami (a SelfSubjectReview), which the fake allows
/// and answers as `kobj-admin`; `kubectl create -f` of a review gets its answer or the
/// server's 422; reading a review is the server's 405.
#[test]
fn kubectl_auth_asks_the_reviews() {
    let Some((served, k)) = served_kubectl("kubectl auth", &[]) else {
        return;
    };
    assert_eq!(k.ok(&["auth", "can-i", "create", "pods"]), "yes\n");
    assert_eq!(k.ok(&["auth", "can-i", "get", "/healthz"]), "yes\n");
    let words = |text: &str| -> Vec<Vec<String>> {
        let words = |l: &str| l.split_whitespace().map(String::from).collect();
        text.lines().map(words).collect()
    };
    let list = k.ok(&["auth", "can-i", "--list"]);
    let rows = words(&list);
    let header = "Resources Non-Resource URLs Resource Names Verbs";
    assert_eq!(rows[0].join(" "), header, "{list}");
    assert!(
        rows.iter().any(|r| r.join(" ") == "*.* [] [] [*]"),
        "{list}"
    );
    assert!(rows.iter().any(|r| r.join(" ") == "[*] [] [*]"), "{list}");
    let whoami = k.ok(&["auth", "whoami"]);
    let rows = words(&whoami);
    assert!(
        rows.iter().any(|r| r.join(" ") == "Username kobj-admin"),
        "{whoami}"
    );
    let groups = "Groups [system:masters system:authenticated]";
    assert!(rows.iter().any(|r| r.join(" ") == groups), "{whoami}");

    let review = "apiVersion: authorization.k8s.io/v1\nkind: SubjectAccessReview\nspec:\n";
    let answer = k.ok_with(
        &["create", "-f", "-", "-o", "jsonpath={.status.allowed}"],
        Some(&format!(
            "{review}  user: alice\n  nonResourceAttributes: {{path: /x, verb: get}}\n"
        )),
    );
    // No binding names alice: RBAC denies.
    assert_eq!(answer, "false");
    let err = k.fails(
        &["create", "-f", "-"],
        Some(&format!("{review}  user: alice\n")),
    );
    assert!(
        err.contains("spec.resourceAttributes: Invalid value: null: exactly one of"),
        "{err}"
    );

    // Discovery lists create alone, and any read is refused as the server refuses it.
    let resources = k.ok(&[
        "api-resources",
        "--api-group=authorization.k8s.io",
        "-o",
        "wide",
    ]);
    let row = words(&resources)
        .into_iter()
        .find(|r| r[0] == "selfsubjectaccessreviews");
    let expected =
        "selfsubjectaccessreviews authorization.k8s.io/v1 false SelfSubjectAccessReview create";
    assert_eq!(
        row.map(|r| r.join(" ")).as_deref(),
        Some(expected),
        "{resources}"
    );
    let err = k.fails(&["get", "selfsubjectaccessreviews"], None);
    let refusal =
        "(MethodNotAllowed): the server does not allow this method on the requested resource";
    assert!(err.contains(refusal), "{err}");

    let (status, stderr) = served.stop("-TERM", Duration::from_secs(10));
    assert!(status.success(), "{stderr}");
}

/// `kubectl apply` validates on the client what the server cannot validate for it, against
/// `/openapi/v2`: a `kind: List` (what `kubectl get -o yaml` prints) and a kind the server
/// does not serve go through, the first applied item by item, the second refused by kubectl's
/// mapping as on a real server.
#[test]
fn kubectl_applies_lists_and_maps_unknown_kinds() {
    let Some((_served, k)) = served_kubectl("kubectl apply of a List", &[]) else {
        return;
    };
    let list = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: l1, namespace: default}\n  data: {a: '1'}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: l2, namespace: default}\n  data: {a: '2'}\n";
    let out = k.ok_with(&["apply", "-f", "-"], Some(list));
    assert!(
        out.contains("configmap/l1 created") && out.contains("configmap/l2 created"),
        "{out}"
    );
    let listed = k.ok(&["get", "configmaps", "l1", "l2", "-o", "yaml"]);
    let out = k.ok_with(&["apply", "-f", "-"], Some(&listed));
    assert!(out.contains("configmap/l1"), "{out}");
    let err = k.fails(
        &["apply", "-f", "-"],
        Some("apiVersion: nope.example.com/v1\nkind: Thing\nmetadata: {name: t1}\n"),
    );
    assert!(
        err.contains(
            "no matches for kind \"Thing\" in version \"nope.example.com/v1\"\nensure CRDs are installed first"
        ),
        "{err}"
    );
}

/// `kubectl explain` reads the OpenAPI v3 documents: built-in kinds' fields and their
/// descriptions come from the k8s-openapi schemas, a custom resource's from its CRD.
#[test]
fn kubectl_explain_documents_built_in_and_custom_fields() {
    let Some((_served, k)) = served_kubectl("kubectl explain", &[]) else {
        return;
    };
    let out = k.ok(&["explain", "pods.spec.containers.resources"]);
    assert!(
        out.contains("FIELD: resources <ResourceRequirements>"),
        "{out}"
    );
    assert!(
        out.contains("Compute Resources required by this container."),
        "{out}"
    );
    assert!(out.contains("limits\t<map[string]Quantity>"), "{out}");
    let out = k.ok(&["explain", "deployments.spec.replicas"]);
    assert!(out.contains("GROUP:      apps"), "{out}");
    assert!(out.contains("Number of desired pods."), "{out}");
    let out = k.ok(&["explain", "hpa.spec", "--api-version=autoscaling/v2"]);
    assert!(out.contains("VERSION:    v2"), "{out}");
    assert!(
        out.contains("behavior\t<HorizontalPodAutoscalerBehavior>"),
        "{out}"
    );
    let err = k.fails(&["explain", "pods.spec.nope"], None);
    assert!(err.contains(r#"field "nope" does not exist"#), "{err}");

    k.ok_with(
        &["apply", "-f", "-"],
        Some(
            r#"{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": {"name": "gadgets.explain.kobj.dev"},
                "spec": {"group": "explain.kobj.dev", "scope": "Namespaced",
                  "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
                  "versions": [{"name": "v1", "served": true, "storage": true,
                    "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                      "spec": {"type": "object", "description": "What the gadget is.",
                        "properties": {"size": {"type": "integer", "description": "How big."}}}}}}}]}}"#,
        ),
    );
    let out = k.ok(&["explain", "gadgets.spec"]);
    assert!(out.contains("What the gadget is."), "{out}");
    assert!(out.contains("size\t<integer>"), "{out}");
    // The server adds apiVersion, kind and metadata to a CRD's schema (`buildKubeNative`).
    let out = k.ok(&["explain", "gadgets"]);
    for field in [
        "apiVersion\t<string>",
        "kind\t<string>",
        "metadata\t<ObjectMeta>",
    ] {
        assert!(out.contains(field), "{field}: {out}");
    }
    let out = k.ok(&["explain", "gadgets.metadata.labels"]);
    assert!(out.contains("FIELD: labels <map[string]string>"), "{out}");
}

#[test]
fn kubectl_warns_about_deprecated_versions() {
    let Some((_served, k)) = served_kubectl("kubectl deprecation warnings", &[]) else {
        return;
    };
    let stdout_and_stderr = |args: &[&str]| {
        let out = k.output(args, None);
        assert!(out.status.success(), "{out:?}");
        (
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (out, err) = stdout_and_stderr(&["get", "endpoints", "kubernetes"]);
    assert!(out.contains("172.18.0.2:6443"), "{out}");
    assert!(
        err.contains(
            "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"
        ),
        "{err}"
    );
    let (out, err) = stdout_and_stderr(&["get", "endpointslices"]);
    assert!(out.contains("kubernetes"), "{out}");
    assert!(!err.contains("Warning"), "{err}");

    k.ok_with(
        &["apply", "-f", "-"],
        Some(
            r#"{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": {"name": "things.deprecation.kobj.dev"},
                "spec": {"group": "deprecation.kobj.dev", "scope": "Namespaced",
                  "names": {"plural": "things", "singular": "thing", "kind": "Thing"},
                  "versions": [
                    {"name": "v1alpha1", "served": true, "storage": false, "deprecated": true,
                     "deprecationWarning": "v1alpha1 things go away in 2027",
                     "schema": {"openAPIV3Schema": {"type": "object"}}},
                    {"name": "v1beta1", "served": true, "storage": false, "deprecated": true,
                     "schema": {"openAPIV3Schema": {"type": "object"}}},
                    {"name": "v1", "served": true, "storage": true,
                     "schema": {"openAPIV3Schema": {"type": "object"}}}]}}"#,
        ),
    );
    let (_, err) = stdout_and_stderr(&["get", "things.v1beta1.deprecation.kobj.dev"]);
    assert!(
        err.contains(
            "Warning: deprecation.kobj.dev/v1beta1 Thing is deprecated; use deprecation.kobj.dev/v1 Thing"
        ),
        "{err}"
    );
    let (_, err) = stdout_and_stderr(&["get", "things.v1alpha1.deprecation.kobj.dev"]);
    assert!(
        err.contains("Warning: v1alpha1 things go away in 2027"),
        "{err}"
    );
    let (_, err) = stdout_and_stderr(&["get", "things.v1.deprecation.kobj.dev"]);
    assert!(!err.contains("Warning"), "{err}");
}

/// `kubectl logs` against a fake served in-process, so the test can write the container's
/// lines first (a served child has no way to take them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_logs_reads_what_a_test_wrote_and_exec_finds_no_kubelet() {
    use common::kubectl::in_process_kubectl;
    let cluster = kobj_fake::FakeCluster::new();
    let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "app", "namespace": "default"},
        "spec": {"nodeName": "node-1", "containers": [
            {"name": "main", "image": "busybox"}, {"name": "sidecar", "image": "busybox"}]}});
    cluster
        .load_objects(vec![serde_json::from_value(pod).unwrap()])
        .unwrap();
    cluster
        .append_container_log("default", "app", "main", "starting\nready\n")
        .unwrap();
    let Some((running, k, _scratch)) = in_process_kubectl("kubectl logs", &cluster).await else {
        return;
    };
    let (all, last, wrong, exec, following) = tokio::task::spawn_blocking(move || {
        // kubectl picks the first container itself, and says so on stderr.
        let all = k.ok(&["logs", "app"]);
        let last = k.ok(&["logs", "app", "-c", "main", "--tail=1"]);
        let wrong = k.fails(&["logs", "app", "-c", "nope"], None);
        // No kubelet runs the container: exec fails as against an unreachable kubelet.
        let exec = k.fails(&["exec", "app", "-c", "main", "--", "true"], None);
        let following = k.spawn(&["logs", "app", "-c", "main", "-f"]);
        (all, last, wrong, exec, following)
    })
    .await
    .unwrap();
    assert_eq!(all, "starting\nready\n");
    assert_eq!(last, "ready\n");
    assert!(
        wrong.contains("container nope is not valid for pod app"),
        "{wrong}"
    );
    assert!(
        exec.contains("error dialing backend: no kubelet runs Node \"node-1\""),
        "{exec}"
    );

    // `-f` prints what was written, then each new line, and exits when the run ends.
    tokio::time::sleep(Duration::from_millis(300)).await;
    cluster
        .append_container_log("default", "app", "main", "serving\n")
        .unwrap();
    cluster.end_container_log("default", "app", "main").unwrap();
    let out = tokio::task::spawn_blocking(move || following.wait_with_output().unwrap())
        .await
        .unwrap();
    running.shutdown().await;
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "starting\nready\nserving\n"
    );
}

/// An Event published through events.k8s.io/v1 (as kube-runtime's `Recorder` does) is one
/// `kubectl get events` lists and `kubectl describe` shows, both reading core/v1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_shows_events_published_through_events_v1() {
    use common::kubectl::in_process_kubectl;
    use kobj_core::CustomObjects;
    let cluster = kobj_fake::FakeCluster::new();
    let cm = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "settings", "namespace": "default"}, "data": {"a": "1"}});
    let cm = cluster
        .load_objects(vec![serde_json::from_value(cm).unwrap()])
        .unwrap()
        .remove(0);
    let event = serde_json::json!({
        "apiVersion": "events.k8s.io/v1", "kind": "Event",
        "metadata": {"name": "settings.1", "namespace": "default"},
        "eventTime": "2026-01-01T00:00:00.000000Z",
        "reportingController": "settings-controller", "reportingInstance": "settings-controller-0",
        "action": "Reconcile", "reason": "Reconciled", "note": "all settings applied",
        "type": "Normal",
        "regarding": {"apiVersion": "v1", "kind": "ConfigMap", "name": "settings",
            "namespace": "default", "uid": cm.metadata.uid}
    });
    cluster
        .create_object(
            &kobj_core::ResourceType::of::<k8s_openapi::api::events::v1::Event>(),
            Some("default"),
            &serde_json::from_value(event).unwrap(),
            &Default::default(),
        )
        .await
        .unwrap();
    let Some((running, k, _scratch)) = in_process_kubectl("kubectl events", &cluster).await else {
        return;
    };
    let (listed, described) = tokio::task::spawn_blocking(move || {
        (
            k.ok(&["get", "events"]),
            k.ok(&["describe", "configmap", "settings"]),
        )
    })
    .await
    .unwrap();
    running.shutdown().await;
    let row = listed
        .lines()
        .find(|l| l.contains("Reconciled"))
        .unwrap_or_else(|| panic!("no event row in:\n{listed}"));
    for cell in ["Normal", "configmap/settings", "all settings applied"] {
        assert!(row.contains(cell), "{cell} missing from: {row}");
    }
    let events = described
        .split_once("Events:")
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("no Events section in:\n{described}"));
    for cell in ["Reconciled", "settings-controller", "all settings applied"] {
        assert!(events.contains(cell), "{cell} missing from:\n{described}");
    }
}
