//! TokenRequests (`serviceaccounts/<name>/token`): the answer, the token's claims, the
//! server's refusals, and nothing stored either way.

use crate::common;

use base64::Engine as _;
use common::{created, pods, valid_pod};
use k8s_openapi::jiff::Timestamp;
use kobj_core::{ResourceType, Result};
use kobj_fake::{Clock, FakeCluster};
use serde_json::{Value, json};

fn service_accounts() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::core::v1::ServiceAccount>()
}

async fn cluster_with_robot() -> FakeCluster {
    let start = Timestamp::from_second(1_800_000_000).unwrap();
    let c = FakeCluster::builder()
        .clock(Clock::manual(start))
        .deterministic(7)
        .build()
        .unwrap();
    created(
        &c,
        &service_accounts(),
        json!({"metadata": {"name": "robot"}}),
    )
    .await;
    c
}

async fn robot_uid(c: &FakeCluster) -> Value {
    let sa = kobj_core::CustomObjects::get_object(
        c,
        &service_accounts(),
        Some("default"),
        "robot",
        &Default::default(),
    )
    .await
    .unwrap();
    json!(sa.metadata.uid)
}

async fn token(c: &FakeCluster, name: &str, body: Value) -> Result<Value> {
    c.create_token_value("default", name, body).await
}

fn claims(answer: &Value) -> Value {
    let token = answer["status"]["token"].as_str().unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    let decode = |p: &str| {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(p)
            .unwrap();
        serde_json::from_slice::<Value>(&bytes).unwrap()
    };
    assert_eq!(
        decode(parts[0]),
        json!({"alg": "RS256", "kid": "kobj-fake"})
    );
    decode(parts[1])
}

#[tokio::test]
async fn a_token_has_the_defaults_and_the_servers_claims() {
    let c = cluster_with_robot().await;
    let sa_uid = robot_uid(&c).await;
    let before = c.dump_yaml().unwrap();
    let answer = token(&c, "robot", json!({})).await.unwrap();
    assert_eq!(
        c.dump_yaml().unwrap(),
        before,
        "a TokenRequest stores nothing"
    );
    assert_eq!(answer["kind"], "TokenRequest");
    assert_eq!(answer["apiVersion"], "authentication.k8s.io/v1");
    assert_eq!(answer["metadata"]["name"], "robot");
    assert_eq!(answer["metadata"]["namespace"], "default");
    assert_eq!(answer["metadata"]["uid"], sa_uid);
    assert_eq!(
        answer["metadata"]["creationTimestamp"],
        "2027-01-15T08:00:00Z"
    );
    assert_eq!(
        answer["spec"],
        json!({"audiences": ["https://kubernetes.default.svc.cluster.local"], "expirationSeconds": 3600})
    );
    assert_eq!(
        answer["status"]["expirationTimestamp"],
        "2027-01-15T09:00:00Z"
    );
    let seen = claims(&answer);
    assert_eq!(seen["sub"], "system:serviceaccount:default:robot");
    assert_eq!(seen["iss"], "https://kubernetes.default.svc.cluster.local");
    assert_eq!(
        seen["aud"],
        json!(["https://kubernetes.default.svc.cluster.local"])
    );
    assert_eq!(seen["iat"], 1_800_000_000);
    assert_eq!(seen["nbf"], 1_800_000_000);
    assert_eq!(seen["exp"], 1_800_003_600);
    assert!(
        seen["jti"].as_str().is_some_and(|j| j.len() == 36),
        "{seen}"
    );
    assert_eq!(
        seen["kubernetes.io"],
        json!({"namespace": "default", "serviceaccount": {"name": "robot", "uid": sa_uid}})
    );

    let answer = token(
        &c,
        "robot",
        json!({"spec": {"audiences": ["vault"], "expirationSeconds": 600}}),
    )
    .await
    .unwrap();
    assert_eq!(claims(&answer)["aud"], json!(["vault"]));
    assert_eq!(
        answer["status"]["expirationTimestamp"],
        "2027-01-15T08:10:00Z"
    );
    let log = c.actions().all();
    let last = log.last().unwrap();
    assert_eq!(
        (
            last.resource.as_str(),
            last.subresource.as_deref(),
            last.name.as_deref()
        ),
        ("serviceaccounts", Some("token"), Some("robot"))
    );
}

#[tokio::test]
async fn a_token_bound_to_a_pod_names_the_pod_and_its_node() {
    let c = cluster_with_robot().await;
    let pod = created(
        &c,
        &pods(),
        valid_pod(|s| {
            s["serviceAccountName"] = json!("robot");
            s["nodeName"] = json!("node-1");
        }),
    )
    .await;
    let pod_uid = pod["metadata"]["uid"].as_str().unwrap().to_string();
    let body = json!({"spec": {"boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": "p", "uid": pod_uid}}});
    let answer = token(&c, "robot", body).await.unwrap();
    let k = &claims(&answer)["kubernetes.io"];
    assert_eq!(k["pod"], json!({"name": "p", "uid": pod_uid}));
    assert_eq!(
        k["node"],
        json!({"name": "node-1"}),
        "no Node object: its name only"
    );
}

#[tokio::test]
async fn refusals_have_the_servers_codes_and_messages() {
    let c = cluster_with_robot().await;
    created(&c, &pods(), valid_pod(|_| {})).await;
    let before = c.dump_yaml().unwrap();
    let cases = [
        (
            "nobody",
            json!({}),
            404,
            r#"serviceaccounts "nobody" not found"#,
        ),
        (
            "robot",
            json!({"metadata": {"name": "other"}}),
            422,
            r#"TokenRequest.authentication.k8s.io "robot" is invalid: metadata.name: Invalid value: "other": must match the service account name if specified"#,
        ),
        (
            "robot",
            json!({"metadata": {"namespace": "kube-system"}}),
            422,
            r#"TokenRequest.authentication.k8s.io "robot" is invalid: metadata.namespace: Invalid value: "kube-system": must match the service account namespace if specified"#,
        ),
        (
            "robot",
            json!({"metadata": {"uid": "00000000-0000-0000-0000-000000000000"}}),
            409,
            "Operation cannot be fulfilled on TokenRequest.authentication.k8s.io \"robot\": the UID in the token request (00000000-0000-0000-0000-000000000000) does not match the UID of the service account (",
        ),
        (
            "robot",
            json!({"spec": {"expirationSeconds": 60}}),
            422,
            r#"TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes"#,
        ),
        (
            "robot",
            json!({"spec": {"expirationSeconds": 5_000_000_000_i64}}),
            422,
            r#"TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 5000000000: may not specify a duration larger than 2^32 seconds"#,
        ),
        (
            "robot",
            json!({"spec": {"expirationSeconds": "soon"}}),
            400,
            r#"TokenRequest in version "v1" cannot be handled as a TokenRequest: json: cannot unmarshal string into Go struct field TokenRequestSpec.spec.expirationSeconds of type int64"#,
        ),
        (
            "robot",
            json!({"spec": {"boundObjectRef": {"kind": "ConfigMap", "apiVersion": "v1", "name": "x"}}}),
            400,
            "cannot bind token to object of type /v1, Kind=ConfigMap",
        ),
        (
            "robot",
            json!({"spec": {"boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": "gone"}}}),
            404,
            r#"pods "gone" not found"#,
        ),
        (
            "robot",
            json!({"spec": {"boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": "p"}}}),
            400,
            r#"cannot bind token for serviceaccount "robot" to pod running with different serviceaccount name."#,
        ),
    ];
    for (name, body, code, message) in cases {
        let e = token(&c, name, body.clone()).await.unwrap_err();
        let status = e.status().unwrap();
        assert_eq!(status.code, code, "{body}: {e}");
        assert!(
            status.message.starts_with(message),
            "{body}: {}",
            status.message
        );
        assert_eq!(c.dump_yaml().unwrap(), before);
    }
}
