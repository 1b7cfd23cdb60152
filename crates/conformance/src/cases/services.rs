//! Area `builtins`, Services: the REST layer's allocations (rules 6, 18). Backend-neutral:
//! the checks hold for any cluster's service CIDR and for the default node-port range
//! (30000–32767), whatever addresses and ports the server picks.

use k8s_openapi::api::core::v1::Service;
use kobj_core::{ErrorKind, ResourceType};
use kube_core::DynamicObject;
use serde_json::{Value, json};

use crate::case::{Case, During, Failure, Outcome, case};
use crate::check::*;
use crate::ctx::Ctx;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(
            service_gets_cluster_ip_and_family_policy,
            Builtins,
            [6],
            "a ClusterIP Service gets clusterIP = clusterIPs[0] and an ipFamilyPolicy; two Services get different addresses"
        ),
        case!(
            node_port_service_gets_ports_in_range,
            Builtins,
            [6],
            "a NodePort Service's ports get distinct node ports in the default range 30000-32767"
        ),
        case!(
            node_port_in_use_is_refused,
            Builtins,
            [6],
            "a Service asking for a node port another Service holds gets 422 `provided port is already allocated`"
        ),
        case!(
            cluster_ip_cannot_change,
            Builtins,
            [18],
            "changing a Service's clusterIP gets 422 `may not change once set` and leaves it as it was"
        ),
    ]
}

/// core/v1 Service.
fn services() -> ResourceType {
    ResourceType::of::<Service>()
}

/// A string field of a Service's spec.
fn spec_str<'o>(what: &str, o: &'o DynamicObject, key: &str) -> Result<&'o str, Failure> {
    field(o, &format!("/spec/{key}"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Failure::new(format!("{what}: spec.{key} not set: {:?}", o.data)))
}

async fn service_gets_cluster_ip_and_family_policy(cx: &Ctx<'_>) -> Outcome {
    let rt = services();
    let body = json!({"spec": {"selector": {"app": "a"}, "ports": [{"port": 80}]}});
    let a = cx.create(&rt, "a", body.clone()).await?;
    let ip = spec_str("a", &a, "clusterIP")?;
    ensure_field("a", &a, "/spec/clusterIPs/0", &json!(ip))?;
    spec_str("a", &a, "ipFamilyPolicy")?;
    let read = cx.get(&rt, "a").await.during("get")?;
    ensure_field("stored a", &read, "/spec/clusterIP", &json!(ip))?;
    let b = cx.create(&rt, "b", body).await?;
    let other = spec_str("b", &b, "clusterIP")?;
    ensure(ip != other, || format!("both Services got {ip}"))
}

/// The node ports of a Service's ports.
fn node_ports(o: &DynamicObject) -> Vec<i64> {
    field(o, "/spec/ports")
        .and_then(Value::as_array)
        .map(|ports| {
            ports
                .iter()
                .map(|p| p["nodePort"].as_i64().unwrap_or(0))
                .collect()
        })
        .unwrap_or_default()
}

async fn node_port_service_gets_ports_in_range(cx: &Ctx<'_>) -> Outcome {
    let body = json!({"spec": {"type": "NodePort", "selector": {"app": "np"},
        "ports": [{"name": "http", "port": 80}, {"name": "https", "port": 443}]}});
    let created = cx.create(&services(), "np", body).await?;
    let ports = node_ports(&created);
    ensure_eq("node port count", 2, ports.len())?;
    for p in &ports {
        ensure((30000..=32767).contains(p), || {
            format!("node port {p} outside 30000-32767")
        })?;
    }
    ensure(ports[0] != ports[1], || {
        format!("both ports got {}", ports[0])
    })
}

async fn node_port_in_use_is_refused(cx: &Ctx<'_>) -> Outcome {
    let rt = services();
    let a = cx
        .create(
            &rt,
            "a",
            json!({"spec": {"type": "NodePort", "ports": [{"port": 80}]}}),
        )
        .await?;
    let taken = node_ports(&a).first().copied().unwrap_or(0);
    ensure(taken != 0, || "no node port allocated".into())?;
    let body = json!({"spec": {"type": "NodePort", "ports": [{"port": 80, "nodePort": taken}]}});
    let object = cx.object(&rt, "b", body)?;
    let err = expect_error(
        "create",
        cx.create_with(&rt, &object, &Default::default()).await,
        ErrorKind::Invalid,
    )?;
    expect_cause(
        "create",
        &err,
        "spec.ports[0].nodePort",
        Some("FieldValueInvalid"),
        "provided port is already allocated",
    )?;
    expect_error("get b", cx.get(&rt, "b").await, ErrorKind::NotFound).map(|_| ())
}

async fn cluster_ip_cannot_change(cx: &Ctx<'_>) -> Outcome {
    let rt = services();
    let a = cx
        .create(&rt, "a", json!({"spec": {"ports": [{"port": 80}]}}))
        .await?;
    let ip = spec_str("a", &a, "clusterIP")?.to_string();
    // Another address of the same network: the last byte changed.
    let other = match ip.rsplit_once('.') {
        Some((head, last)) => {
            let n: u8 = last.parse().unwrap_or(0);
            format!("{head}.{}", if n == 200 { 201 } else { 200 })
        }
        None => "10.96.0.200".to_string(),
    };
    let err = expect_error(
        "merge",
        cx.merge(&rt, "a", json!({"spec": {"clusterIP": other}}))
            .await,
        ErrorKind::Invalid,
    )?;
    expect_message_contains("merge", &err, "may not change once set")?;
    let read = cx.get(&rt, "a").await.during("get")?;
    ensure_field("stored", &read, "/spec/clusterIP", &json!(ip))
}
