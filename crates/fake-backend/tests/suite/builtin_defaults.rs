//! Built-in objects get the defaults a real API server gives them when it decodes a
//! request (`SetDefaults_*` of `pkg/apis/*/v1/defaults.go`): they read back as from a
//! cluster, the creating manager owns the defaulted fields, and an applier does not own
//! defaults it did not send.

use crate::common;

use common::*;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, Pod, Service};
use kobj_core::{CustomObjects, ResourceType};
use kube_core::DynamicObject;
use kube_core::params::{GetParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

fn deployment(name: &str) -> DynamicObject {
    obj(json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}
            }
        }
    }))
}

async fn create(c: &kobj_fake::FakeCluster, rt: &ResourceType, o: &DynamicObject) -> Value {
    let created = c
        .create_object(rt, Some("default"), o, &PostParams::default())
        .await
        .unwrap();
    serde_json::to_value(created).unwrap()
}

async fn get(c: &kobj_fake::FakeCluster, rt: &ResourceType, name: &str) -> Value {
    let got = c
        .get_object(rt, Some("default"), name, &GetParams::default())
        .await
        .unwrap();
    serde_json::to_value(got).unwrap()
}

/// The `fieldsV1` of `manager`'s entry.
fn fields_of(o: &Value, manager: &str) -> Value {
    o["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["manager"] == manager)
        .unwrap_or_else(|| panic!("no entry for {manager}: {o}"))["fieldsV1"]
        .clone()
}

#[tokio::test]
async fn deployment_reads_back_defaulted_and_owned_by_its_creator() {
    let c = cluster().await;
    let created = create(&c, &deployments(), &deployment("web")).await;
    let got = get(&c, &deployments(), "web").await;
    assert_eq!(created["spec"], got["spec"]);
    let spec = &got["spec"];
    assert_eq!(spec["replicas"], 1);
    assert_eq!(spec["revisionHistoryLimit"], 10);
    assert_eq!(spec["progressDeadlineSeconds"], 600);
    assert_eq!(
        spec["strategy"],
        json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}})
    );
    let pod = &spec["template"]["spec"];
    assert_eq!(pod["restartPolicy"], "Always");
    assert_eq!(pod["dnsPolicy"], "ClusterFirst");
    assert_eq!(pod["schedulerName"], "default-scheduler");
    assert_eq!(pod["terminationGracePeriodSeconds"], 30);
    assert_eq!(pod["securityContext"], json!({}));
    let container = &pod["containers"][0];
    assert_eq!(container["imagePullPolicy"], "Always");
    assert_eq!(container["terminationMessagePath"], "/dev/termination-log");
    assert_eq!(container["terminationMessagePolicy"], "File");
    // The typed client decodes it.
    let typed: Deployment = serde_json::from_value(got.clone()).unwrap();
    assert_eq!(serde_json::to_value(typed).unwrap()["spec"]["replicas"], 1);

    // As in `kubectl create deployment`, the creating manager owns the defaulted fields.
    let fields = fields_of(&got, "kobj");
    let spec_fields = &fields["f:spec"];
    for f in [
        "f:replicas",
        "f:revisionHistoryLimit",
        "f:progressDeadlineSeconds",
        "f:strategy",
    ] {
        assert!(spec_fields.get(f).is_some(), "{f} owned: {fields}");
    }
    let c_fields = &spec_fields["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"nginx\"}"];
    for f in [
        "f:imagePullPolicy",
        "f:terminationMessagePath",
        "f:terminationMessagePolicy",
    ] {
        assert!(c_fields.get(f).is_some(), "{f} owned: {fields}");
    }
    for f in [
        "f:dnsPolicy",
        "f:restartPolicy",
        "f:schedulerName",
        "f:securityContext",
    ] {
        assert!(
            spec_fields["f:template"]["f:spec"].get(f).is_some(),
            "{f} owned: {fields}"
        );
    }
}

#[tokio::test]
async fn user_values_are_kept() {
    let c = cluster().await;
    let mut d = deployment("keep");
    d.data["spec"]["replicas"] = json!(3);
    d.data["spec"]["strategy"] = json!({"type": "Recreate"});
    d.data["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = json!("Never");
    d.data["spec"]["template"]["spec"]["restartPolicy"] = json!("Always");
    create(&c, &deployments(), &d).await;
    let got = get(&c, &deployments(), "keep").await;
    assert_eq!(got["spec"]["replicas"], 3);
    assert_eq!(got["spec"]["strategy"], json!({"type": "Recreate"}));
    assert_eq!(
        got["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"],
        "Never"
    );
}

#[tokio::test]
async fn apply_does_not_own_defaults_it_did_not_send() {
    let c = cluster().await;
    let applied = c
        .patch_object(
            &deployments(),
            Some("default"),
            "applied",
            &Patch::Apply(serde_json::to_value(deployment("applied")).unwrap()),
            &PatchParams::apply("applier"),
        )
        .await
        .unwrap();
    let applied = serde_json::to_value(applied).unwrap();
    assert_eq!(applied["spec"]["replicas"], 1);
    assert_eq!(
        applied["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"],
        "Always"
    );
    let fields = fields_of(&applied, "applier");
    let spec_fields = &fields["f:spec"];
    for f in ["f:replicas", "f:strategy", "f:revisionHistoryLimit"] {
        assert!(spec_fields.get(f).is_none(), "{f} not owned: {fields}");
    }
    let c_fields = &spec_fields["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"nginx\"}"];
    assert!(c_fields.get("f:imagePullPolicy").is_none(), "{fields}");
    assert!(c_fields.get("f:image").is_some(), "{fields}");

    // Applying again without change keeps the defaults and changes nothing.
    let again = c
        .patch_object(
            &deployments(),
            Some("default"),
            "applied",
            &Patch::Apply(serde_json::to_value(deployment("applied")).unwrap()),
            &PatchParams::apply("applier"),
        )
        .await
        .unwrap();
    let again = serde_json::to_value(again).unwrap();
    assert_eq!(
        again["metadata"]["resourceVersion"],
        applied["metadata"]["resourceVersion"]
    );
    assert_eq!(again["spec"], applied["spec"]);
}

#[tokio::test]
async fn pod_status_and_pod_only_defaults() {
    let c = cluster().await;
    let pods = ResourceType::of::<Pod>();
    let pod = |name: &str, resources: Value| {
        obj(json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "busybox:1.36", "resources": resources,
                "ports": [{"containerPort": 80}]}]}
        }))
    };
    let best = create(&c, &pods, &pod("best", json!({}))).await;
    assert_eq!(
        best["status"],
        json!({"phase": "Pending", "qosClass": "BestEffort"})
    );
    // Set by the strategy, after the field manager: nobody owns the status.
    let owned = &best["metadata"]["managedFields"][0]["fieldsV1"];
    assert!(owned.get("f:status").is_none(), "{owned}");
    assert_eq!(
        owned["f:spec"]["f:enableServiceLinks"],
        json!({}),
        "{owned}"
    );
    assert_eq!(best["spec"]["enableServiceLinks"], true);
    let container = &best["spec"]["containers"][0];
    assert_eq!(container["imagePullPolicy"], "IfNotPresent");
    assert_eq!(container["ports"][0]["protocol"], "TCP");
    let guaranteed = create(
        &c,
        &pods,
        &pod(
            "guaranteed",
            json!({"limits": {"cpu": "500m", "memory": "128Mi"}}),
        ),
    )
    .await;
    assert_eq!(guaranteed["status"]["qosClass"], "Guaranteed");
    assert_eq!(
        guaranteed["spec"]["containers"][0]["resources"]["requests"],
        json!({"cpu": "500m", "memory": "128Mi"})
    );
    let burstable = create(
        &c,
        &pods,
        &pod("burstable", json!({"requests": {"cpu": "100m"}})),
    )
    .await;
    assert_eq!(burstable["status"]["qosClass"], "Burstable");
    let typed: Pod = serde_json::from_value(get(&c, &pods, "guaranteed").await).unwrap();
    assert_eq!(
        serde_json::to_value(typed).unwrap()["status"]["qosClass"],
        "Guaranteed"
    );
}

#[tokio::test]
async fn job_gets_its_selector_and_labels() {
    let c = cluster().await;
    let jobs = ResourceType::of::<Job>();
    let job = obj(json!({
        "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi"},
        "spec": {"template": {"spec": {"restartPolicy": "Never",
            "containers": [{"name": "pi", "image": "perl:5.34"}]}}}
    }));
    let created = create(&c, &jobs, &job).await;
    let uid = created["metadata"]["uid"].as_str().unwrap();
    let labels = json!({
        "batch.kubernetes.io/controller-uid": uid,
        "batch.kubernetes.io/job-name": "pi",
        "controller-uid": uid,
        "job-name": "pi"
    });
    assert_eq!(created["spec"]["template"]["metadata"]["labels"], labels);
    assert_eq!(created["metadata"]["labels"], labels);
    assert_eq!(
        created["spec"]["selector"],
        json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}})
    );
    // The strategy generates the selector and labels after the field manager has run: the
    // creator owns the defaults it got at decode, not those.
    let owned = &created["metadata"]["managedFields"][0]["fieldsV1"];
    assert_eq!(owned["f:spec"]["f:backoffLimit"], json!({}), "{owned}");
    assert!(owned["f:spec"].get("f:selector").is_none(), "{owned}");
    assert!(
        owned["f:spec"]["f:template"].get("f:metadata").is_none(),
        "{owned}"
    );
    assert!(owned.get("f:metadata").is_none(), "{owned}");
    let spec = &created["spec"];
    assert_eq!(spec["backoffLimit"], 6);
    assert_eq!(spec["completions"], 1);
    assert_eq!(spec["parallelism"], 1);
    assert_eq!(spec["completionMode"], "NonIndexed");
    assert_eq!(spec["suspend"], false);
    assert_eq!(spec["manualSelector"], false);
    assert_eq!(spec["podReplacementPolicy"], "TerminatingOrFailed");
    let typed: Job = serde_json::from_value(created).unwrap();
    assert_eq!(
        serde_json::to_value(typed).unwrap()["spec"]["backoffLimit"],
        6
    );
}

#[tokio::test]
async fn a_namespace_owns_its_name_label_but_not_the_strategys_finalizer() {
    let c = cluster().await;
    let namespaces = ResourceType::of::<k8s_openapi::api::core::v1::Namespace>();
    let ns = obj(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}}));
    let created = c
        .create_object(&namespaces, None, &ns, &PostParams::default())
        .await
        .unwrap();
    let created = serde_json::to_value(created).unwrap();
    assert_eq!(created["spec"]["finalizers"], json!(["kubernetes"]));
    assert_eq!(created["status"]["phase"], "Active");
    // `SetDefaults_Namespace` sets the label at decode: the creator owns it, as a real
    // `kubectl create namespace` shows; the finalizer and phase come from the strategy.
    let owned = &created["metadata"]["managedFields"][0]["fieldsV1"];
    assert_eq!(
        owned,
        &json!({"f:metadata": {"f:labels": {".": {}, "f:kubernetes.io/metadata.name": {}}}})
    );
}

#[tokio::test]
async fn service_claim_and_stateful_set() {
    let c = cluster().await;
    let services = ResourceType::of::<Service>();
    let svc = obj(json!({
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}
    }));
    let svc = create(&c, &services, &svc).await;
    let spec = &svc["spec"];
    assert_eq!(spec["type"], "ClusterIP");
    assert_eq!(spec["sessionAffinity"], "None");
    assert_eq!(spec["internalTrafficPolicy"], "Cluster");
    assert_eq!(
        spec["ports"][0],
        json!({"port": 80, "protocol": "TCP", "targetPort": 80})
    );
    assert!(spec.get("externalTrafficPolicy").is_none());

    let claims = ResourceType::of::<PersistentVolumeClaim>();
    let claim = obj(json!({
        "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
    }));
    let claim = create(&c, &claims, &claim).await;
    assert_eq!(claim["spec"]["volumeMode"], "Filesystem");
    assert_eq!(claim["status"]["phase"], "Pending");

    let sets = ResourceType::of::<StatefulSet>();
    let set = obj(json!({
        "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
        "spec": {
            "serviceName": "db",
            "selector": {"matchLabels": {"app": "db"}},
            "template": {"metadata": {"labels": {"app": "db"}},
                "spec": {"containers": [{"name": "db", "image": "postgres:17"}]}}
        }
    }));
    let set = create(&c, &sets, &set).await;
    assert_eq!(set["spec"]["podManagementPolicy"], "OrderedReady");
    assert_eq!(
        set["spec"]["updateStrategy"],
        json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0, "maxUnavailable": 1}})
    );

    let volumes = ResourceType::of::<PersistentVolume>();
    let volume = obj(json!({
        "apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv"},
        "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
            "hostPath": {"path": "/data"}},
        "status": {"phase": "Bound"}
    }));
    let volume = c
        .create_object(&volumes, None, &volume, &PostParams::default())
        .await
        .unwrap();
    let volume = serde_json::to_value(volume).unwrap();
    assert_eq!(volume["spec"]["persistentVolumeReclaimPolicy"], "Retain");
    assert_eq!(volume["spec"]["volumeMode"], "Filesystem");
    assert_eq!(
        volume["spec"]["hostPath"],
        json!({"path": "/data", "type": ""})
    );
    assert_eq!(
        volume["status"],
        json!({
            "phase": "Pending",
            "lastPhaseTransitionTime": volume["metadata"]["creationTimestamp"]
        })
    );
}

/// The v1 conversions that keep deprecated and singular fields with their successors
/// (`pkg/apis/core/v1/conversion.go`): `serviceAccount` follows `serviceAccountName` (or
/// names the account when it is the only one given), `podIP`/`hostIP` and `podCIDR` are the
/// first of their lists and win when they differ; and `TaintNodesByCondition` taints a new
/// Node not-ready.
#[tokio::test]
async fn v1_conversions_keep_aliases_and_new_nodes_are_tainted() {
    let c = cluster().await;
    let pods = ResourceType::of::<Pod>();
    let pod = obj(json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"serviceAccount": "sa1", "containers": [{"name": "c", "image": "i"}]},
    }));
    let created = create(&c, &pods, &pod).await;
    assert_eq!(created["spec"]["serviceAccountName"], "sa1");
    assert_eq!(created["spec"]["serviceAccount"], "sa1");
    // The name wins over the alias.
    let pod = obj(json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "q"},
        "spec": {"serviceAccountName": "a", "serviceAccount": "b",
                 "containers": [{"name": "c", "image": "i"}]},
    }));
    let created = create(&c, &pods, &pod).await;
    assert_eq!(
        (
            &created["spec"]["serviceAccountName"],
            &created["spec"]["serviceAccount"]
        ),
        (&json!("a"), &json!("a"))
    );
    // Status addresses: the single one fills the list, the list's first fills the single.
    let p = c
        .patch_object_status(
            &pods,
            Some("default"),
            "p",
            &Patch::Merge(
                json!({"status": {"podIP": "10.0.0.5", "hostIPs": [{"ip": "192.168.0.2"}]}}),
            ),
            &PatchParams::default(),
        )
        .await
        .unwrap();
    let p = serde_json::to_value(p).unwrap();
    assert_eq!(p["status"]["podIPs"], json!([{"ip": "10.0.0.5"}]));
    assert_eq!(p["status"]["hostIP"], "192.168.0.2");

    let nodes = ResourceType::of::<k8s_openapi::api::core::v1::Node>();
    let node = obj(json!({
        "apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"},
        "spec": {"podCIDR": "10.244.0.0/24"},
    }));
    let created = c
        .create_object(&nodes, None, &node, &PostParams::default())
        .await
        .unwrap();
    let created = serde_json::to_value(created).unwrap();
    assert_eq!(created["spec"]["podCIDRs"], json!(["10.244.0.0/24"]));
    assert_eq!(
        created["spec"]["taints"],
        json!([{"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}])
    );
    // A patch of the list alone: the stored single value wins.
    let patched = c
        .patch_object(
            &nodes,
            None,
            "n1",
            &Patch::Merge(json!({"spec": {"podCIDRs": ["10.9.0.0/24"]}})),
            &PatchParams::default(),
        )
        .await
        .unwrap();
    let patched = serde_json::to_value(patched).unwrap();
    assert_eq!(patched["spec"]["podCIDRs"], json!(["10.244.0.0/24"]));
    // An update keeps the taints as written (the plugin taints on create only).
    let mut untainted = patched.clone();
    untainted["spec"]["taints"] = json!([]);
    let updated = c
        .replace_object(
            &nodes,
            None,
            "n1",
            &serde_json::from_value(untainted).unwrap(),
            &PostParams::default(),
        )
        .await
        .unwrap();
    assert!(
        serde_json::to_value(updated).unwrap()["spec"]
            .get("taints")
            .is_none_or(|t| t == &json!([]))
    );
}
