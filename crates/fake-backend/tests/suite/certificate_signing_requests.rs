//! CertificateSigningRequests as the server keeps them: the caller's identity stamped on
//! create, real PKCS#10 requests (parsed, signature checked), approval only through
//! `/approval`, the certificate only through `/status`, and the server's refusals, each
//! leaving the state as it was.

use crate::common;

use base64::Engine as _;
use common::{code_and_message, manager};
use kobj_core::ResourceType;
use kobj_fake::{FakeCluster, WriteOptions};
use serde_json::{Value, json};

fn csrs() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::certificates::v1::CertificateSigningRequest>()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A PEM certificate request signed by a new P-256 key.
fn request_pem() -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    let params = rcgen::CertificateParams::new(vec!["client.example.com".into()]).unwrap();
    params.serialize_request(&key).unwrap().pem().unwrap()
}

fn certificate_pem() -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    let params = rcgen::CertificateParams::new(vec!["client.example.com".into()]).unwrap();
    params.self_signed(&key).unwrap().pem()
}

fn csr(name: &str, spec: impl FnOnce(&mut Value)) -> Value {
    let mut body = json!({
        "apiVersion": "certificates.k8s.io/v1",
        "kind": "CertificateSigningRequest",
        "metadata": {"name": name},
        "spec": {
            "request": b64(request_pem().as_bytes()),
            "signerName": "example.com/signer",
            "usages": ["client auth", "digital signature"]
        }
    });
    spec(&mut body["spec"]);
    body
}

fn create(c: &FakeCluster, body: Value) -> kobj_core::Result<Value> {
    c.create_value(&csrs(), None, body, &WriteOptions::default())
}

fn invalid(name: &str, detail: &str) -> (u16, String) {
    (
        422,
        format!(r#"CertificateSigningRequest.certificates.k8s.io "{name}" is invalid: {detail}"#),
    )
}

fn with_conditions(stored: &Value, conditions: Value) -> Value {
    let mut body = stored.clone();
    body["status"]["conditions"] = conditions;
    body
}

fn approved() -> Value {
    json!([{"type": "Approved", "status": "True", "reason": "KubectlApprove",
            "message": "This CSR was approved by kubectl certificate approve."}])
}

#[test]
fn a_request_is_stamped_with_the_callers_identity_and_no_status() {
    let c = FakeCluster::new();
    let out = create(
        &c,
        csr("r", |s| {
            s["username"] = json!("someone-else");
            s["groups"] = json!(["system:masters"]);
            s["uid"] = json!("1234");
        }),
    )
    .unwrap();
    assert_eq!(out["spec"]["username"], "kobj-admin");
    assert_eq!(
        out["spec"]["groups"],
        json!(["system:masters", "system:authenticated"])
    );
    assert!(out["spec"].get("uid").is_none(), "{out}");
    assert!(out["status"].get("conditions").is_none(), "{out}");
}

#[test]
fn bad_requests_get_the_servers_errors_and_store_nothing() {
    let c = FakeCluster::new();
    let before = c.dump_yaml().unwrap();
    // A request whose signature does not hold: one byte of the signature changed.
    let pem = request_pem();
    let der = x509_der(&pem);
    let mut tampered = der.clone();
    let last = tampered.len() - 2;
    tampered[last] ^= 0x01;
    let tampered = format!(
        "-----BEGIN CERTIFICATE REQUEST-----\n{}\n-----END CERTIFICATE REQUEST-----\n",
        b64(&tampered)
    );
    let not_pem = b64(b"hello");
    let cases: Vec<(Value, String)> = vec![
        (
            csr("a", |s| s["request"] = json!(not_pem)),
            format!(
                r#"spec.request: Invalid value: "{not_pem}": PEM block type must be CERTIFICATE REQUEST"#
            ),
        ),
        (
            csr("a", |s| s["request"] = json!(b64(tampered.as_bytes()))),
            format!(
                r#"spec.request: Invalid value: "{}": x509: ECDSA verification failure"#,
                b64(tampered.as_bytes())
            ),
        ),
        (
            csr("a", |s| s["usages"] = json!([])),
            "spec.usages: Required value".into(),
        ),
        (
            csr("a", |s| s["usages"] = json!(["client auth", "client auth", "fly"])),
            r#"[spec.usages[2]: Unsupported value: "fly": supported values: "any", "cert sign", "client auth", "code signing", "content commitment", "crl sign", "data encipherment", "decipher only", "digital signature", "email protection", "encipher only", "ipsec end system", "ipsec tunnel", "ipsec user", "key agreement", "key encipherment", "microsoft sgc", "netscape sgc", "ocsp signing", "s/mime", "server auth", "signing", "timestamping", spec.usages[1]: Duplicate value: "client auth"]"#.into(),
        ),
        (
            csr("a", |s| s["signerName"] = json!("signer")),
            r#"spec.signerName: Invalid value: "signer": must be a fully qualified domain and path of the form 'example.com/signer-name'"#.into(),
        ),
        (
            csr("a", |s| s["signerName"] = json!("example/Signer")),
            r#"[spec.signerName: Invalid value: "example": should be a domain with at least two segments separated by dots, spec.signerName: Invalid value: "Signer": validating label "Signer": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')]"#.into(),
        ),
        (
            csr("a", |s| s["signerName"] = json!("kubernetes.io/legacy-unknown")),
            r#"spec.signerName: Invalid value: "kubernetes.io/legacy-unknown": the legacy signerName is not allowed via this API version"#.into(),
        ),
        (
            csr("a", |s| s["expirationSeconds"] = json!(599)),
            "spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 600 seconds (10 minutes)".into(),
        ),
    ];
    for (body, want) in cases {
        let e = create(&c, body).unwrap_err();
        assert_eq!(code_and_message(&e), invalid("a", &want));
        assert_eq!(c.dump_yaml().unwrap(), before);
    }
}

/// The DER bytes of the first PEM block of `pem`.
fn x509_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

#[test]
fn approval_goes_through_approval_and_the_certificate_through_status() {
    let now = "2027-01-15T08:00:00Z";
    let c = FakeCluster::builder()
        .clock(kobj_fake::Clock::manual(
            now.parse::<k8s_openapi::jiff::Timestamp>().unwrap(),
        ))
        .build()
        .unwrap();
    let stored = create(&c, csr("r", |_| {})).unwrap();
    // The object's own endpoint keeps spec and status as stored.
    let mut changed = with_conditions(&stored, approved());
    changed["spec"]["usages"] = json!(["server auth"]);
    let out = c
        .replace_value(&csrs(), None, "r", changed, None, &manager("m"))
        .unwrap();
    assert_eq!(out["spec"], stored["spec"]);
    assert!(out["status"].get("conditions").is_none(), "{out}");
    // /status may not approve.
    let e = c
        .replace_value(
            &csrs(),
            None,
            "r",
            with_conditions(&stored, approved()),
            Some("status"),
            &manager("m"),
        )
        .unwrap_err();
    assert_eq!(
        code_and_message(&e),
        invalid(
            "r",
            r#"status.conditions: Forbidden: updates may not add a condition of type "Approved""#
        )
    );
    // /approval approves, stamping the condition's times.
    let mut body = with_conditions(&stored, approved());
    body["spec"]["usages"] = json!(["server auth"]);
    let out = c
        .replace_value(
            &csrs(),
            None,
            "r",
            body,
            Some("approval"),
            &manager("kubectl"),
        )
        .unwrap();
    let condition = &out["status"]["conditions"][0];
    assert_eq!(condition["type"], "Approved");
    assert_eq!(condition["lastUpdateTime"], json!(now));
    assert_eq!(condition["lastTransitionTime"], json!(now));
    assert_eq!(out["spec"], stored["spec"]);
    let approved_csr = out;
    // Refusals after it, none of which changes anything.
    let before = c.dump_yaml().unwrap();
    let mut both = approved_csr["status"]["conditions"]
        .as_array()
        .unwrap()
        .clone();
    both.push(json!({"type": "Denied", "status": "True"}));
    let cases: Vec<(Value, Option<&str>, &str)> = vec![
        (
            with_conditions(&approved_csr, Value::Array(both)),
            Some("approval"),
            r#"status.conditions: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive"#,
        ),
        (
            with_conditions(&approved_csr, json!([])),
            Some("approval"),
            r#"status.conditions: Forbidden: updates may not remove a condition of type "Approved""#,
        ),
        (
            with_conditions(
                &approved_csr,
                json!([{"type": "Failed", "status": "False"}]),
            ),
            Some("approval"),
            r#"[status.conditions[0].status: Unsupported value: "False": supported values: "True", status.conditions: Forbidden: updates may not remove a condition of type "Approved"]"#,
        ),
        (
            {
                let mut b = approved_csr.clone();
                b["status"]["certificate"] = json!(b64(b"not a certificate"));
                b
            },
            Some("status"),
            r#"status.certificate: Invalid value: "<certificate data>": must contain at least one CERTIFICATE PEM block"#,
        ),
    ];
    for (body, sub, want) in cases {
        let e = c
            .replace_value(&csrs(), None, "r", body, sub, &manager("m"))
            .unwrap_err();
        assert_eq!(code_and_message(&e), invalid("r", want), "{sub:?}");
        assert_eq!(c.dump_yaml().unwrap(), before);
    }
    // The signer issues the certificate through /status; it may not change after.
    let mut issued = approved_csr.clone();
    issued["status"]["certificate"] = json!(b64(certificate_pem().as_bytes()));
    let out = c
        .replace_value(
            &csrs(),
            None,
            "r",
            issued.clone(),
            Some("status"),
            &manager("signer"),
        )
        .unwrap();
    assert_eq!(
        out["status"]["certificate"],
        issued["status"]["certificate"]
    );
    assert_eq!(
        out["status"]["conditions"],
        approved_csr["status"]["conditions"]
    );
    let mut reissued = out.clone();
    reissued["status"]["certificate"] = json!(b64(certificate_pem().as_bytes()));
    let e = c
        .replace_value(
            &csrs(),
            None,
            "r",
            reissued,
            Some("status"),
            &manager("signer"),
        )
        .unwrap_err();
    assert_eq!(
        code_and_message(&e),
        invalid(
            "r",
            "status.certificate: Forbidden: updates may not modify existing certificate content"
        )
    );
}

#[test]
fn only_certificate_requests_have_approval() {
    let c = FakeCluster::new();
    let e = c
        .replace_value(
            &ResourceType::of::<k8s_openapi::api::core::v1::Namespace>(),
            None,
            "default",
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}}),
            Some("approval"),
            &manager("m"),
        )
        .unwrap_err();
    assert_eq!(code_and_message(&e).0, 404);
}
