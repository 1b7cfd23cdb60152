//! Bindings (`pods/<name>/binding`): a scheduler puts a pod on a node, as on the server.

use crate::common;

use common::{pods, valid_pod};
use kobj_core::CustomObjects;
use kobj_fake::{FakeCluster, WriteOptions};
use kube_core::params::GetParams;
use serde_json::{Value, json};

fn binding(name: &str, node: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": name},
           "target": {"kind": "Node", "name": node}})
}

fn pod(c: &FakeCluster, name: &str, edit: impl FnOnce(&mut Value)) -> Value {
    let mut body = valid_pod(edit);
    body["metadata"]["name"] = json!(name);
    c.create_value(&pods(), Some("default"), body, &WriteOptions::default())
        .unwrap()
}

async fn read(c: &FakeCluster, name: &str) -> Value {
    let got = c
        .get_object(&pods(), Some("default"), name, &GetParams::default())
        .await
        .unwrap();
    serde_json::to_value(got).unwrap()
}

#[tokio::test]
async fn a_binding_puts_the_pod_on_the_node_in_one_write() {
    let c = FakeCluster::new();
    let made = pod(&c, "p", |_| {});
    let mut body = binding("p", "node-1");
    body["metadata"]["annotations"] = json!({"scheduler.example.com/score": "7"});
    let answer = c.bind_pod_value("default", "p", body, false).await.unwrap();
    assert_eq!(
        answer,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201})
    );
    let bound = read(&c, "p").await;
    assert_eq!(bound["spec"]["nodeName"], "node-1");
    assert_eq!(
        bound["metadata"]["annotations"]["scheduler.example.com/score"],
        "7"
    );
    let scheduled = bound["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "PodScheduled")
        .unwrap();
    assert_eq!(scheduled["status"], "True");
    // The storage write the server makes: one new version, managedFields untouched.
    let rv = |o: &Value| {
        o["metadata"]["resourceVersion"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
    };
    assert_eq!(rv(&bound), rv(&made) + 1);
    assert_eq!(
        bound["metadata"]["managedFields"],
        made["metadata"]["managedFields"]
    );
    let logged = c
        .actions()
        .all()
        .into_iter()
        .find(|a| a.subresource.as_deref() == Some("binding"))
        .unwrap();
    assert_eq!(
        (logged.name.as_deref(), logged.outcome.code()),
        (Some("p"), 201)
    );
}

#[tokio::test]
async fn refusals_have_the_servers_codes_and_messages() {
    let c = FakeCluster::new();
    pod(&c, "placed", |s| s["nodeName"] = json!("node-0"));
    pod(&c, "gated", |s| {
        s["schedulingGates"] = json!([{"name": "example.com/wait"}])
    });
    pod(&c, "free", |_| {});
    let before = c.dump_yaml().unwrap();
    let mut wrong_uid = binding("free", "n");
    wrong_uid["metadata"]["uid"] = json!("0000");
    let cases = [
        ("free", binding("other", "n"), 400, "name in URL does not match name in Binding object".to_string()),
        ("free", json!({"metadata": {"name": "free"}, "target": {}}), 500, "target.name: Required value".to_string()),
        (
            "free",
            json!({"metadata": {"name": "free"}, "target": {"kind": "Pod", "name": "n"}}),
            500,
            r#"target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>""#.to_string(),
        ),
        ("nothing", binding("nothing", "n"), 404, r#"pods "nothing" not found"#.to_string()),
        (
            "placed",
            binding("placed", "n"),
            409,
            r#"Operation cannot be fulfilled on pods/binding "placed": pod placed is already assigned to node "node-0""#.to_string(),
        ),
        (
            "gated",
            binding("gated", "n"),
            409,
            r#"Operation cannot be fulfilled on pods/binding "gated": pod gated has non-empty .spec.schedulingGates"#.to_string(),
        ),
        ("free", wrong_uid, 409, r#"Operation cannot be fulfilled on pods "free": Precondition failed: UID in precondition: 0000, UID in object meta: "#.to_string()),
    ];
    for (name, body, code, message) in cases {
        let e = c
            .bind_pod_value("default", name, body.clone(), false)
            .await
            .unwrap_err();
        let status = e.status().unwrap();
        assert_eq!(status.code, code, "{body}: {e}");
        assert!(
            status.message.starts_with(&message),
            "{body}: {}",
            status.message
        );
        assert_eq!(c.dump_yaml().unwrap(), before);
    }
    // A dry run answers success and stores nothing.
    c.bind_pod_value("default", "free", binding("free", "n"), true)
        .await
        .unwrap();
    assert_eq!(c.dump_yaml().unwrap(), before);
}

/// `PodTopologyLabels` (beta, on since 1.35): a Binding to a Node carries the Node's
/// `topology.kubernetes.io/zone` and `region` labels, and its labels land on the pod,
/// overwriting; a Pod created on a Node gets them too.
#[tokio::test]
async fn the_nodes_topology_labels_follow_the_pod_onto_it() {
    let c = FakeCluster::new();
    c.create_value(
        &kobj_core::ResourceType::of::<k8s_openapi::api::core::v1::Node>(),
        None,
        json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1", "labels": {
            "topology.kubernetes.io/zone": "z1",
            "topology.kubernetes.io/region": "r1",
            "topology.kubernetes.io/rack": "no",
            "unrelated": "no"
        }}}),
        &WriteOptions::default(),
    )
    .unwrap();
    pod(&c, "p", |_| {});
    c.patch_value(
        &pods(),
        Some("default"),
        "p",
        &kube_core::params::Patch::Merge(
            json!({"metadata": {"labels": {"topology.kubernetes.io/zone": "old", "app": "web"}}}),
        ),
        None,
        &WriteOptions::default(),
    )
    .unwrap();
    let mut body = binding("p", "node-1");
    body["metadata"]["labels"] = json!({"scheduler.example.com/pass": "2"});
    c.bind_pod_value("default", "p", body, false).await.unwrap();
    let bound = read(&c, "p").await;
    assert_eq!(
        bound["metadata"]["labels"],
        json!({"app": "web", "scheduler.example.com/pass": "2",
               "topology.kubernetes.io/region": "r1", "topology.kubernetes.io/zone": "z1"})
    );
    // A Pod created on the Node; a Node that does not exist adds nothing.
    let on_node = pod(&c, "q", |s| s["nodeName"] = json!("node-1"));
    assert_eq!(
        on_node["metadata"]["labels"],
        json!({"topology.kubernetes.io/region": "r1", "topology.kubernetes.io/zone": "z1"})
    );
    let elsewhere = pod(&c, "r", |s| s["nodeName"] = json!("node-2"));
    assert!(elsewhere["metadata"].get("labels").is_none(), "{elsewhere}");
}
