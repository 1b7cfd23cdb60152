//! The Service REST layer's allocations: cluster IPs from 10.96.0.0/12 and node ports from
//! 30000–32767, deterministic (lowest free of the dynamic band), read from the stored
//! Services, released with them, and owned by no manager.

use crate::common;

use common::*;
use k8s_openapi::api::core::v1::Service;
use kobj_core::{CustomObjects, ResourceType};
use kube_core::params::{DeleteParams, GetParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

fn services() -> ResourceType {
    ResourceType::of::<Service>()
}

fn svc(name: &str, spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": spec})
}

fn web(name: &str) -> Value {
    svc(
        name,
        json!({"selector": {"app": name}, "ports": [{"port": 80}]}),
    )
}

async fn try_create(c: &kobj_fake::FakeCluster, o: Value) -> kobj_core::Result<Value> {
    c.create_object(
        &services(),
        Some("default"),
        &obj(o),
        &PostParams::default(),
    )
    .await
    .map(|o| serde_json::to_value(o).unwrap())
}

async fn create(c: &kobj_fake::FakeCluster, o: Value) -> Value {
    try_create(c, o).await.unwrap()
}

async fn get(c: &kobj_fake::FakeCluster, name: &str) -> Value {
    let o = c
        .get_object(&services(), Some("default"), name, &GetParams::default())
        .await
        .unwrap();
    serde_json::to_value(o).unwrap()
}

async fn delete(c: &kobj_fake::FakeCluster, name: &str) {
    c.delete_object(&services(), Some("default"), name, &DeleteParams::default())
        .await
        .unwrap();
}

async fn merge(c: &kobj_fake::FakeCluster, name: &str, patch: Value) -> kobj_core::Result<Value> {
    c.patch_object(
        &services(),
        Some("default"),
        name,
        &Patch::Merge(patch),
        &PatchParams::default(),
    )
    .await
    .map(|o| serde_json::to_value(o).unwrap())
}

/// The 422's message, after checking the code and reason.
fn invalid(e: &kobj_core::Error) -> String {
    let s = status(e);
    assert_eq!(s.code, 422, "{s:?}");
    assert_eq!(s.reason, "Invalid");
    s.message.clone()
}

#[tokio::test]
async fn cluster_ip_is_allocated_with_its_family_fields() {
    let c = cluster().await;
    let a = create(&c, web("a")).await;
    let spec = &a["spec"];
    assert_eq!(spec["clusterIP"], "10.96.1.1");
    assert_eq!(spec["clusterIPs"], json!(["10.96.1.1"]));
    assert_eq!(spec["ipFamilies"], json!(["IPv4"]));
    assert_eq!(spec["ipFamilyPolicy"], "SingleStack");
    assert_eq!(get(&c, "a").await["spec"], a["spec"]);
}

#[tokio::test]
async fn several_services_get_distinct_addresses() {
    let c = cluster().await;
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..5 {
        let s = create(&c, web(&format!("s{i}"))).await;
        let ip = s["spec"]["clusterIP"].as_str().unwrap().to_string();
        assert!(seen.insert(ip.clone()), "{ip} handed out twice");
    }
    assert_eq!(seen.len(), 5);
    assert!(seen.contains("10.96.1.5"));
}

#[tokio::test]
async fn requested_address_is_kept_checked_and_reserved() {
    let c = cluster().await;
    let mut a = web("a");
    a["spec"]["clusterIP"] = json!("10.96.0.10");
    let a = create(&c, a).await;
    assert_eq!(a["spec"]["clusterIPs"], json!(["10.96.0.10"]));

    let before = c.dump_yaml().unwrap();
    let mut b = web("b");
    b["spec"]["clusterIP"] = json!("10.96.0.10");
    let e = try_create(&c, b).await.unwrap_err();
    assert_eq!(
        invalid(&e),
        "Service \"b\" is invalid: spec.clusterIPs: Invalid value: [\"10.96.0.10\"]: failed to allocate IP 10.96.0.10: provided IP is already allocated"
    );
    let cause = &status(&e).details.as_ref().unwrap().causes[0];
    assert_eq!(cause.field, "spec.clusterIPs");

    for (ip, why) in [
        (
            "10.0.0.5",
            "the provided network does not match the current range".to_string(),
        ),
        (
            "10.96.0.0",
            "provided IP 10.96.0.0 is not in the valid range".to_string(),
        ),
        (
            "10.111.255.255",
            "provided IP 10.111.255.255 is not in the valid range".to_string(),
        ),
    ] {
        let mut b = web("b");
        b["spec"]["clusterIP"] = json!(ip);
        let e = try_create(&c, b).await.unwrap_err();
        assert!(
            invalid(&e).ends_with(&format!("failed to allocate IP {ip}: {why}")),
            "{}",
            message(&e)
        );
    }
    let mut b = web("b");
    b["spec"]["clusterIP"] = json!("not-an-ip");
    let e = try_create(&c, b).await.unwrap_err();
    assert_eq!(
        invalid(&e),
        "Service \"b\" is invalid: spec.clusterIPs[0]: Invalid value: \"not-an-ip\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
    );
    let mut b = web("b");
    b["spec"]["clusterIP"] = json!("fd00::1");
    let e = try_create(&c, b).await.unwrap_err();
    assert!(invalid(&e).contains(
        "spec.clusterIPs[0]: Invalid value: [\"fd00::1\"]: IPv6 is not configured on this cluster"
    ));
    // Rejected creates leave nothing behind.
    assert_eq!(c.dump_yaml().unwrap(), before);
}

#[tokio::test]
async fn headless_and_external_name_get_no_address() {
    let c = cluster().await;
    let mut h = web("h");
    h["spec"]["clusterIP"] = json!("None");
    let h = create(&c, h).await;
    assert_eq!(h["spec"]["clusterIPs"], json!(["None"]));
    assert_eq!(h["spec"]["ipFamilies"], json!(["IPv4"]));
    assert_eq!(h["spec"]["ipFamilyPolicy"], "SingleStack");

    // Headless without a selector defaults to RequireDualStack with both families.
    let bare = create(
        &c,
        svc(
            "bare",
            json!({"clusterIP": "None", "ports": [{"port": 80}]}),
        ),
    )
    .await;
    assert_eq!(bare["spec"]["ipFamilyPolicy"], "RequireDualStack");
    assert_eq!(bare["spec"]["ipFamilies"], json!(["IPv4", "IPv6"]));

    let ext = create(
        &c,
        svc(
            "ext",
            json!({"type": "ExternalName", "externalName": "example.com"}),
        ),
    )
    .await;
    for f in ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"] {
        assert!(ext["spec"].get(f).is_none(), "{f}: {ext}");
    }
    let e = try_create(
        &c,
        svc(
            "ext2",
            json!({"type": "ExternalName", "externalName": "example.com", "clusterIP": "10.96.0.20"}),
        ),
    )
    .await
    .unwrap_err();
    assert_eq!(
        invalid(&e),
        "Service \"ext2\" is invalid: spec.clusterIPs: Forbidden: may not be set for ExternalName services"
    );
    let e = try_create(
        &c,
        svc(
            "np",
            json!({"type": "NodePort", "clusterIP": "None", "ports": [{"port": 80}]}),
        ),
    )
    .await
    .unwrap_err();
    assert!(invalid(&e).contains(
        "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"
    ));
}

#[tokio::test]
async fn delete_releases_the_address_and_ports() {
    let c = cluster().await;
    let a = create(
        &c,
        svc("a", json!({"type": "NodePort", "ports": [{"port": 80}]})),
    )
    .await;
    assert_eq!(a["spec"]["ports"][0]["nodePort"], 30086);
    delete(&c, "a").await;
    let b = create(
        &c,
        svc("b", json!({"type": "NodePort", "ports": [{"port": 80}]})),
    )
    .await;
    assert_eq!(b["spec"]["clusterIP"], a["spec"]["clusterIP"]);
    assert_eq!(b["spec"]["ports"][0]["nodePort"], 30086);
}

#[tokio::test]
async fn dry_run_reserves_nothing() {
    let c = cluster().await;
    let before = c.dump_yaml().unwrap();
    let dry = PostParams {
        dry_run: true,
        ..Default::default()
    };
    let o = c
        .create_object(&services(), Some("default"), &obj(web("a")), &dry)
        .await
        .unwrap();
    let o = serde_json::to_value(o).unwrap();
    assert_eq!(o["spec"]["clusterIP"], "10.96.1.1");
    assert_eq!(c.dump_yaml().unwrap(), before);
    let real = create(&c, web("a")).await;
    assert_eq!(real["spec"]["clusterIP"], "10.96.1.1");
}

#[tokio::test]
async fn allocated_fields_are_owned_by_nobody() {
    let c = cluster().await;
    let a = create(
        &c,
        svc("a", json!({"type": "NodePort", "ports": [{"port": 80}]})),
    )
    .await;
    let entries = a["metadata"]["managedFields"].as_array().unwrap();
    assert!(!entries.is_empty());
    for e in entries {
        let spec = &e["fieldsV1"]["f:spec"];
        for f in [
            "f:clusterIP",
            "f:clusterIPs",
            "f:ipFamilies",
            "f:ipFamilyPolicy",
        ] {
            assert!(spec.get(f).is_none(), "{f} owned: {e}");
        }
        let ports = spec["f:ports"].to_string();
        assert!(!ports.contains("nodePort"), "node port owned: {e}");
        // The writer still owns what it sent and its decode-time defaults.
        assert!(spec.get("f:type").is_some());
    }
}

#[tokio::test]
async fn node_ports_allocated_requested_and_conflicting() {
    let c = cluster().await;
    let a = create(
        &c,
        svc(
            "a",
            json!({"type": "NodePort", "ports": [{"name": "h", "port": 80}, {"name": "s", "port": 443, "nodePort": 30443}]}),
        ),
    )
    .await;
    assert_eq!(a["spec"]["ports"][0]["nodePort"], 30086);
    assert_eq!(a["spec"]["ports"][1]["nodePort"], 30443);
    assert_eq!(a["spec"]["externalTrafficPolicy"], "Cluster");

    let before = c.dump_yaml().unwrap();
    let e = try_create(
        &c,
        svc(
            "b",
            json!({"type": "NodePort", "ports": [{"port": 80, "nodePort": 30443}]}),
        ),
    )
    .await
    .unwrap_err();
    assert_eq!(
        invalid(&e),
        "Service \"b\" is invalid: spec.ports[0].nodePort: Invalid value: 30443: provided port is already allocated"
    );
    let e = try_create(
        &c,
        svc(
            "b",
            json!({"type": "NodePort", "ports": [{"port": 80, "nodePort": 8080}]}),
        ),
    )
    .await
    .unwrap_err();
    assert_eq!(
        invalid(&e),
        "Service \"b\" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767"
    );
    let e = try_create(
        &c,
        svc("b", json!({"ports": [{"port": 80, "nodePort": 30001}]})),
    )
    .await
    .unwrap_err();
    assert_eq!(
        invalid(&e),
        "Service \"b\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"
    );
    assert_eq!(c.dump_yaml().unwrap(), before);
}

#[tokio::test]
async fn load_balancer_ports_and_health_check() {
    let c = cluster().await;
    let lb = create(
        &c,
        svc(
            "lb",
            json!({"type": "LoadBalancer", "externalTrafficPolicy": "Local", "ports": [{"port": 80}]}),
        ),
    )
    .await;
    assert_eq!(lb["spec"]["ports"][0]["nodePort"], 30086);
    assert_eq!(lb["spec"]["healthCheckNodePort"], 30087);
    assert_eq!(lb["spec"]["allocateLoadBalancerNodePorts"], true);

    let bare = create(
        &c,
        svc(
            "bare",
            json!({"type": "LoadBalancer", "allocateLoadBalancerNodePorts": false, "ports": [{"port": 80}]}),
        ),
    )
    .await;
    assert!(bare["spec"]["ports"][0].get("nodePort").is_none());
    assert!(bare["spec"].get("healthCheckNodePort").is_none());
    assert_eq!(bare["spec"]["clusterIP"], "10.96.1.2");
}

#[tokio::test]
async fn cluster_ip_is_immutable_and_resubmission_keeps_it() {
    let c = cluster().await;
    create(&c, web("a")).await;
    let before = c.dump_yaml().unwrap();
    let e = merge(&c, "a", json!({"spec": {"clusterIP": "10.96.0.99"}}))
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&e),
        "Service \"a\" is invalid: spec.clusterIPs[0]: Invalid value: [\"10.96.0.99\"]: may not change once set"
    );
    assert_eq!(c.dump_yaml().unwrap(), before);

    // A PUT of the original manifest (no clusterIP) keeps the allocated values.
    let mut body = web("a");
    body["metadata"]["resourceVersion"] = get(&c, "a").await["metadata"]["resourceVersion"].clone();
    let put = c
        .replace_object(
            &services(),
            Some("default"),
            "a",
            &obj(body),
            &PostParams::default(),
        )
        .await
        .unwrap();
    let put = serde_json::to_value(put).unwrap();
    assert_eq!(put["spec"]["clusterIP"], "10.96.1.1");
    assert_eq!(put["spec"]["clusterIPs"], json!(["10.96.1.1"]));
}

#[tokio::test]
async fn type_change_allocates_and_clears_node_ports() {
    let c = cluster().await;
    create(&c, web("a")).await;
    let np = merge(&c, "a", json!({"spec": {"type": "NodePort"}}))
        .await
        .unwrap();
    assert_eq!(np["spec"]["ports"][0]["nodePort"], 30086);
    assert_eq!(np["spec"]["clusterIP"], "10.96.1.1");

    // Back to ClusterIP: the node ports the client left alone are cleared and released.
    let back = merge(
        &c,
        "a",
        json!({"spec": {"type": "ClusterIP", "externalTrafficPolicy": null}}),
    )
    .await
    .unwrap();
    assert!(back["spec"]["ports"][0].get("nodePort").is_none(), "{back}");
    assert_eq!(back["spec"]["clusterIP"], "10.96.1.1");
    let other = create(
        &c,
        svc("b", json!({"type": "NodePort", "ports": [{"port": 80}]})),
    )
    .await;
    assert_eq!(other["spec"]["ports"][0]["nodePort"], 30086);

    // To ExternalName and back: the address goes and a new one comes.
    let ext = merge(
        &c,
        "a",
        json!({"spec": {"type": "ExternalName", "externalName": "example.com"}}),
    )
    .await
    .unwrap();
    assert!(ext["spec"].get("clusterIP").is_none(), "{ext}");
    assert!(ext["spec"].get("ipFamilyPolicy").is_none(), "{ext}");
}

#[tokio::test]
async fn namespace_deletion_releases_addresses() {
    let c = cluster().await;
    let ns = kobj_core::CustomObjects::create_object(
        &c,
        &namespaces(),
        None,
        &obj(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "tmp"}})),
        &PostParams::default(),
    )
    .await
    .unwrap();
    drop(ns);
    let first = c
        .create_object(
            &services(),
            Some("tmp"),
            &obj(web("a")),
            &PostParams::default(),
        )
        .await
        .unwrap();
    let first = serde_json::to_value(first).unwrap();
    c.delete_object(&namespaces(), None, "tmp", &DeleteParams::default())
        .await
        .unwrap();
    let again = create(&c, web("b")).await;
    assert_eq!(again["spec"]["clusterIP"], first["spec"]["clusterIP"]);
}

#[tokio::test]
async fn the_api_server_has_its_kubernetes_service_from_the_start() {
    let c = kobj_fake::FakeCluster::new();
    let k = get(&c, "kubernetes").await;
    assert_eq!(
        k["metadata"]["labels"],
        json!({"component": "apiserver", "provider": "kubernetes"})
    );
    assert_eq!(
        k["spec"],
        json!({
            "clusterIP": "10.96.0.1",
            "clusterIPs": ["10.96.0.1"],
            "internalTrafficPolicy": "Cluster",
            "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack",
            "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
            "sessionAffinity": "None",
            "type": "ClusterIP"
        })
    );
    assert_eq!(k["status"], json!({"loadBalancer": {}}));
    assert_eq!(
        k["metadata"]["managedFields"][0]["manager"],
        "kube-apiserver"
    );
    // Its address is taken.
    let e = try_create(
        &c,
        svc(
            "copy",
            json!({"clusterIP": "10.96.0.1", "ports": [{"port": 80}]}),
        ),
    )
    .await
    .unwrap_err();
    let s = status(&e);
    assert_eq!(s.code, 422);
    assert!(
        s.message.contains("provided IP is already allocated"),
        "{}",
        s.message
    );
    // A new Service gets an address of the dynamic band, not the first one.
    let made = create(&c, web("web")).await;
    assert_ne!(made["spec"]["clusterIP"], "10.96.0.1");
}

#[tokio::test]
async fn the_kubernetes_service_has_the_endpoints_the_api_server_writes() {
    let c = kobj_fake::FakeCluster::new();
    let read = |rt: ResourceType| {
        let c = c.clone();
        async move {
            let o = c
                .get_object(&rt, Some("default"), "kubernetes", &GetParams::default())
                .await
                .unwrap();
            serde_json::to_value(o).unwrap()
        }
    };
    let eps = read(ResourceType::of::<k8s_openapi::api::core::v1::Endpoints>()).await;
    assert_eq!(
        eps["metadata"]["labels"],
        json!({"endpointslice.kubernetes.io/skip-mirror": "true"})
    );
    assert_eq!(
        eps["subsets"],
        json!([{
            "addresses": [{"ip": "172.18.0.2"}],
            "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]
        }])
    );
    assert_eq!(
        eps["metadata"]["managedFields"][0]["manager"],
        "kube-apiserver"
    );

    let slice = read(ResourceType::of::<
        k8s_openapi::api::discovery::v1::EndpointSlice,
    >())
    .await;
    assert_eq!(
        slice["metadata"]["labels"],
        json!({"kubernetes.io/service-name": "kubernetes"})
    );
    assert_eq!(slice["addressType"], "IPv4");
    assert_eq!(
        slice["endpoints"],
        json!([{"addresses": ["172.18.0.2"], "conditions": {"ready": true}}])
    );
    assert_eq!(
        slice["ports"],
        json!([{"name": "https", "port": 6443, "protocol": "TCP"}])
    );
    assert_eq!(
        slice["metadata"]["managedFields"][0]["manager"],
        "kube-apiserver"
    );
}
