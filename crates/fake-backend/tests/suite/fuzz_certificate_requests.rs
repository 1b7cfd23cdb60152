//! Property tests for CertificateSigningRequests: creates from bodies near a valid request,
//! and writes through the object, `/status` and `/approval` with odd conditions and
//! certificates, each get a Kubernetes-shaped error that leaves the state as it was, or
//! succeed without changing the request's spec; never a panic.

use crate::common;
use crate::fuzz::inputs;
use crate::fuzz::support;

use base64::Engine as _;
use common::manager;
use inputs::junk;
use kobj_core::ResourceType;
use kobj_fake::{FakeCluster, WriteOptions};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};
use support::{check_refused, config};

fn csrs() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::certificates::v1::CertificateSigningRequest>()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A valid request, made once: key generation is the slow part of a case.
fn valid_request() -> &'static str {
    static REQUEST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    REQUEST.get_or_init(|| {
        let key = rcgen::KeyPair::generate().unwrap();
        let params = rcgen::CertificateParams::new(vec!["fuzz.example.com".into()]).unwrap();
        b64(params
            .serialize_request(&key)
            .unwrap()
            .pem()
            .unwrap()
            .as_bytes())
    })
}

fn request() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => Just(json!(valid_request())),
        1 => prop::collection::vec(any::<u8>(), 0..64).prop_map(|b| json!(b64(&b))),
        1 => Just(json!(b64(b"-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n"))),
        1 => junk(),
    ]
}

fn usages() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => Just(json!(["client auth", "digital signature"])),
        2 => prop::collection::vec(
            prop::sample::select(&["client auth", "server auth", "digital signature", "fly", ""][..]),
            0..4,
        )
        .prop_map(|u| json!(u)),
        1 => junk(),
    ]
}

fn conditions() -> impl Strategy<Value = Value> {
    let condition = (
        prop::sample::select(&["Approved", "Denied", "Failed", "Ready", ""][..]),
        prop::sample::select(&["True", "False", "Unknown", ""][..]),
        prop::option::of(junk()),
    )
        .prop_map(|(t, s, extra)| {
            let mut c = json!({"type": t, "status": s});
            if let Some(Value::Object(extra)) = extra {
                c.as_object_mut().unwrap().extend(extra);
            }
            c
        });
    prop_oneof![
        4 => prop::collection::vec(condition, 0..3).prop_map(Value::Array),
        1 => junk(),
    ]
}

fn certificate() -> impl Strategy<Value = Option<Value>> {
    prop::option::of(prop_oneof![
        prop::collection::vec(any::<u8>(), 0..48).prop_map(|b| json!(b64(&b))),
        Just(json!(b64(
            b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"
        ))),
        junk(),
    ])
}

fn body(request: Value, usages: Value, signer: &str) -> Value {
    json!({
        "apiVersion": "certificates.k8s.io/v1",
        "kind": "CertificateSigningRequest",
        "metadata": {"name": "r"},
        "spec": {"request": request, "usages": usages, "signerName": signer}
    })
}

fn create_case(request: Value, usages: Value, signer: &str) -> Result<(), TestCaseError> {
    let c = FakeCluster::new();
    let before = c.dump_yaml().unwrap();
    match c.create_value(
        &csrs(),
        None,
        body(request, usages, signer),
        &WriteOptions::default(),
    ) {
        Err(e) => check_refused(&c, &e, &before)?,
        Ok(made) => {
            prop_assert_eq!(&made["spec"]["username"], "kobj-admin");
            prop_assert!(made["status"].get("conditions").is_none(), "{made}");
        }
    }
    Ok(())
}

fn write_case(
    sub: Option<&'static str>,
    conditions: Value,
    certificate: Option<Value>,
) -> Result<(), TestCaseError> {
    let c = FakeCluster::new();
    let made = c
        .create_value(
            &csrs(),
            None,
            body(
                json!(valid_request()),
                json!(["client auth"]),
                "example.com/signer",
            ),
            &WriteOptions::default(),
        )
        .unwrap();
    let before = c.dump_yaml().unwrap();
    let mut next = made.clone();
    next["status"]["conditions"] = conditions;
    if let Some(cert) = certificate {
        next["status"]["certificate"] = cert;
    }
    next["spec"]["usages"] = json!(["server auth"]);
    match c.replace_value(&csrs(), None, "r", next, sub, &manager("fuzz")) {
        Err(e) => check_refused(&c, &e, &before)?,
        Ok(written) => prop_assert_eq!(&written["spec"], &made["spec"]),
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(4))]

    #[test]
    fn creates_err_or_stamp_the_caller(
        r in request(),
        u in usages(),
        signer in prop_oneof![
            4 => Just("example.com/signer"),
            1 => prop::sample::select(&["signer", "kubernetes.io/legacy-unknown", "", "a.b/C"][..]),
        ],
    ) {
        create_case(r, u, signer)?;
    }

    #[test]
    fn writes_err_or_keep_the_spec(
        sub in prop::sample::select(&[None, Some("status"), Some("approval")][..]),
        conds in conditions(),
        cert in certificate(),
    ) {
        write_case(sub, conds, cert)?;
    }
}
