//! CertificateSigningRequests (certificates.k8s.io/v1): the strategies of
//! pkg/registry/certificates/certificates/strategy.go (the caller's identity on create; the
//! spec fixed after it; `/status` keeping the approval conditions, `/approval` writing only
//! the conditions, both stamping condition times) and the validation of
//! pkg/apis/certificates/validation/validation.go, with the compatibility allowances the
//! server makes for what a stored request already has.
//!
//! Requests are PKCS#10 documents: they are parsed, and their signatures checked, with
//! x509-parser (ring), as the server does with Go's `crypto/x509`; only the texts of parse
//! errors differ (Go's own are not reproduced).

use kobj_core::{FieldError, FieldErrorType};
use serde_json::{Map, Value, json};
use x509_parser::pem::Pem;
use x509_parser::prelude::{FromDer, X509CertificationRequest, parse_x509_certificate};

use crate::builtins::fields::str_of;
use crate::meta;
use crate::rbac::UserInfo;

/// The subresource through which requests are approved or denied.
pub(crate) const APPROVAL: &str = "approval";

/// The signer name the v1 API refuses on new requests.
const LEGACY_SIGNER: &str = "kubernetes.io/legacy-unknown";

/// The condition types whose status may only be `True`.
const TRUE_ONLY: [&str; 3] = ["Approved", "Denied", "Failed"];

/// `allValidUsages`, in `sets.List()`'s (sorted) order.
const USAGES: [&str; 23] = [
    "any",
    "cert sign",
    "client auth",
    "code signing",
    "content commitment",
    "crl sign",
    "data encipherment",
    "decipher only",
    "digital signature",
    "email protection",
    "encipher only",
    "ipsec end system",
    "ipsec tunnel",
    "ipsec user",
    "key agreement",
    "key encipherment",
    "microsoft sgc",
    "netscape sgc",
    "ocsp signing",
    "s/mime",
    "server auth",
    "signing",
    "timestamping",
];

fn base64(v: Option<&Value>) -> Vec<u8> {
    use base64::Engine as _;
    v.and_then(Value::as_str)
        .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
        .unwrap_or_default()
}

fn conditions(csr: &Value) -> &[Value] {
    csr.get("status")
        .and_then(|s| s.get("conditions"))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// `PrepareForCreate`: the caller's identity (the fake's own, [`UserInfo::admin`], until
/// [`set_requester`] names another) replaces whatever the request claims, and the status is
/// cleared.
pub(crate) fn prepare_create(obj: &mut Value) {
    set_requester(obj, &UserInfo::admin());
    if let Some(map) = obj.as_object_mut() {
        map.insert("status".into(), json!({}));
    }
}

/// The requester `PrepareForCreate` injects from the request's user: `username`, `uid`,
/// `groups` and `extra`, each only when set, replacing what the request claims.
pub(crate) fn set_requester(obj: &mut Value, user: &UserInfo) {
    let Some(Value::Object(spec)) = obj.get_mut("spec") else {
        return;
    };
    for f in ["username", "uid", "groups", "extra"] {
        spec.remove(f);
    }
    if !user.username.is_empty() {
        spec.insert("username".into(), json!(user.username));
    }
    if !user.uid.is_empty() {
        spec.insert("uid".into(), json!(user.uid));
    }
    if !user.groups.is_empty() {
        spec.insert("groups".into(), json!(user.groups));
    }
    if !user.extra.is_empty() {
        spec.insert("extra".into(), json!(user.extra));
    }
}

/// The update strategies, `subresource` naming the endpoint: the spec is always the stored
/// one; the object keeps the stored status; `/status` keeps the stored Approved and Denied
/// conditions (when as many are given) and `/approval` only takes the conditions (its
/// merge already did); both give new conditions their update and transition times.
pub(crate) fn prepare_update(subresource: Option<&str>, old: &Value, obj: &mut Value, now: &str) {
    match old.get("spec") {
        Some(spec) => meta::set_path(obj, "spec", spec.clone()),
        None => drop(meta::take_path(obj, "spec")),
    }
    match subresource {
        None => match old.get("status") {
            Some(status) => meta::set_path(obj, "status", status.clone()),
            None => drop(meta::take_path(obj, "status")),
        },
        Some("status") => {
            for t in ["Approved", "Denied"] {
                preserve_instances(obj, old, t);
            }
            stamp_conditions(obj, old, now);
        }
        Some(APPROVAL) => stamp_conditions(obj, old, now),
        Some(_) => {}
    }
}

/// `preserveConditionInstances`: the stored conditions of type `t` replace the request's,
/// when it has as many.
fn preserve_instances(obj: &mut Value, old: &Value, t: &str) {
    let before: Vec<Value> = conditions(old)
        .iter()
        .filter(|c| str_of(c, "type") == t)
        .cloned()
        .collect();
    let Some(list) = obj
        .pointer_mut("/status/conditions")
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    let slots: Vec<usize> = (0..list.len())
        .filter(|&i| str_of(&list[i], "type") == t)
        .collect();
    if slots.len() != before.len() {
        return;
    }
    for (slot, kept) in slots.into_iter().zip(before) {
        list[slot] = kept;
    }
}

/// `populateConditionTimestamps`.
fn stamp_conditions(obj: &mut Value, old: &Value, now: &str) {
    let before = conditions(old).to_vec();
    let Some(list) = obj
        .pointer_mut("/status/conditions")
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for c in list.iter_mut().filter_map(Value::as_object_mut) {
        let unset = |c: &Map<String, Value>, k: &str| {
            c.get(k).and_then(Value::as_str).is_none_or(str::is_empty)
        };
        if unset(c, "lastUpdateTime") {
            c.insert("lastUpdateTime".into(), json!(now));
        }
        if unset(c, "lastTransitionTime") {
            let text = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("");
            let kept = before
                .iter()
                .find(|o| {
                    str_of(o, "type") == text("type")
                        && str_of(o, "status") == text("status")
                        && !str_of(o, "lastTransitionTime").is_empty()
                })
                .map(|o| str_of(o, "lastTransitionTime").to_string());
            c.insert(
                "lastTransitionTime".into(),
                json!(kept.unwrap_or_else(|| now.to_string())),
            );
        }
    }
}

/// `validateCSR`: the request is a PEM `CERTIFICATE REQUEST` whose signature holds.
fn request_error(request: &[u8]) -> Option<String> {
    let pem = Pem::iter_from_buffer(request).next().and_then(Result::ok);
    let Some(pem) = pem.filter(|p| p.label == "CERTIFICATE REQUEST") else {
        return Some("PEM block type must be CERTIFICATE REQUEST".into());
    };
    let Ok((_, csr)) = X509CertificationRequest::from_der(&pem.contents) else {
        return Some("x509: malformed certificate request".into());
    };
    csr.verify_signature().err().map(|_| {
        let algorithm = csr
            .certification_request_info
            .subject_pki
            .algorithm
            .algorithm
            .to_id_string();
        match algorithm.as_str() {
            // rsaEncryption
            "1.2.840.113549.1.1.1" => "crypto/rsa: verification error".into(),
            // id-ecPublicKey
            "1.2.840.10045.2.1" => "x509: ECDSA verification failure".into(),
            // id-Ed25519
            "1.3.101.112" => "x509: Ed25519 verification failure".into(),
            _ => "x509: cannot verify signature: algorithm unimplemented".into(),
        }
    })
}

/// `validateCertificate`: empty, or CERTIFICATE PEM blocks of certificates.
fn certificate_error(data: &[u8]) -> Option<String> {
    if data.is_empty() {
        return None;
    }
    let mut blocks = 0;
    for pem in Pem::iter_from_buffer(data) {
        let Ok(pem) = pem else { break };
        if pem.label != "CERTIFICATE" {
            return Some(format!(
                "only CERTIFICATE PEM blocks are allowed, found {}",
                crate::schema::go::quote(&pem.label)
            ));
        }
        blocks += 1;
        let mut rest: &[u8] = &pem.contents;
        if rest.is_empty() {
            return Some("found CERTIFICATE PEM block containing 0 certificates".into());
        }
        while !rest.is_empty() {
            match parse_x509_certificate(rest) {
                Ok((more, _)) => rest = more,
                Err(_) => return Some("x509: malformed certificate".into()),
            }
        }
    }
    (blocks == 0).then(|| "must contain at least one CERTIFICATE PEM block".into())
}

/// The errors of the first of `segment`'s dot-separated labels that `check` refuses,
/// reported on the whole segment as `ValidateSignerName` does (later labels are not checked).
fn first_bad_label(segment: &str, check: fn(&str) -> Vec<String>, errs: &mut Vec<FieldError>) {
    for label in segment.split('.') {
        let found = check(label);
        if !found.is_empty() {
            for m in found {
                errs.push(FieldError::invalid(
                    "spec.signerName",
                    Value::String(segment.into()),
                    format!("validating label {}: {m}", crate::schema::go::quote(label)),
                ));
            }
            return;
        }
    }
}

/// `ValidateSignerName`.
fn signer_name(name: &str, errs: &mut Vec<FieldError>) {
    const PATH: &str = "spec.signerName";
    let too_long = |max: usize| {
        FieldError::new(
            FieldErrorType::TooLong,
            PATH,
            None,
            format!("may not be more than {max} bytes"),
        )
    };
    if name.is_empty() {
        errs.push(FieldError::required(PATH, ""));
        return;
    }
    let segments: Vec<&str> = name.split('/').collect();
    let [domain, path] = segments[..] else {
        errs.push(FieldError::invalid(
            PATH,
            Value::String(name.into()),
            "must be a fully qualified domain and path of the form 'example.com/signer-name'",
        ));
        return;
    };
    if domain.len() > 253 {
        errs.push(too_long(253));
    }
    first_bad_label(domain, meta::dns1123_label_errors, errs);
    let labels = domain.split('.').count();
    if labels < 2 {
        errs.push(FieldError::invalid(
            PATH,
            Value::String(domain.into()),
            "should be a domain with at least two segments separated by dots",
        ));
    }
    first_bad_label(path, meta::dns1123_subdomain_errors, errs);
    let max = 253 + (253 + 63 + 1) + 1;
    if name.len() > max {
        errs.push(too_long(max));
    }
}

/// `field.Duplicate`.
fn duplicate(path: &str, value: &str) -> FieldError {
    FieldError::new(
        FieldErrorType::Duplicate,
        path,
        Some(Value::String(value.into())),
        "",
    )
}

fn has_type(csr: &Value, t: &str) -> bool {
    conditions(csr).iter().any(|c| str_of(c, "type") == t)
}

fn duplicate_types(csr: &Value) -> bool {
    let mut seen = std::collections::BTreeSet::new();
    conditions(csr)
        .iter()
        .any(|c| !seen.insert(str_of(c, "type")))
}

/// `validateConditions`.
fn validate_conditions(csr: &Value, old: Option<&Value>, errs: &mut Vec<FieldError>) {
    const PATH: &str = "status.conditions";
    let allow_both = old.is_some_and(|o| has_type(o, "Approved") && has_type(o, "Denied"));
    let allow_duplicates = old.is_some_and(duplicate_types);
    let allow_empty = old.is_some_and(|o| has_type(o, ""));
    let (mut approved, mut denied) = (false, false);
    let mut seen = std::collections::BTreeSet::new();
    for (i, c) in conditions(csr).iter().enumerate() {
        let t = str_of(c, "type");
        if !allow_empty && t.is_empty() {
            errs.push(FieldError::required(format!("{PATH}[{i}].type"), ""));
        }
        let status = str_of(c, "status");
        let allowed: &[&str] = if TRUE_ONLY.contains(&t) {
            &["True"]
        } else {
            &["False", "True", "Unknown"]
        };
        if status.is_empty() {
            errs.push(FieldError::required(format!("{PATH}[{i}].status"), ""));
        } else if !allowed.contains(&status) {
            errs.push(FieldError::not_supported(
                format!("{PATH}[{i}].status"),
                status,
                allowed,
            ));
        }
        if !allow_both {
            let clash = match t {
                "Approved" => {
                    approved = true;
                    denied
                }
                "Denied" => {
                    denied = true;
                    approved
                }
                _ => false,
            };
            if clash {
                errs.push(FieldError::invalid(
                    PATH,
                    Value::String(t.into()),
                    "Approved and Denied conditions are mutually exclusive",
                ));
            }
        }
        if !allow_duplicates && !seen.insert(t) {
            errs.push(duplicate(&format!("{PATH}[{i}].type"), t));
        }
    }
}

/// The validation of a create (`old` `None`) or of an update through `subresource`.
pub(crate) fn validate(
    obj: &Value,
    old: Option<&Value>,
    subresource: Option<&str>,
    errs: &mut Vec<FieldError>,
) {
    let empty = Value::Object(Map::new());
    let spec = obj.get("spec").unwrap_or(&empty);
    let request = spec.get("request");
    if let Some(why) = request_error(&base64(request)) {
        errs.push(FieldError::invalid(
            "spec.request",
            request.cloned().unwrap_or(Value::String(String::new())),
            why,
        ));
    }
    let usages: Vec<&str> = spec
        .get("usages")
        .and_then(Value::as_array)
        .map(|u| u.iter().map(|v| v.as_str().unwrap_or("")).collect())
        .unwrap_or_default();
    if usages.is_empty() {
        errs.push(FieldError::required("spec.usages", ""));
    }
    let old_usages = |f: &dyn Fn(&[&str]) -> bool| {
        old.and_then(|o| o.pointer("/spec/usages"))
            .and_then(Value::as_array)
            .is_some_and(|u| {
                f(&u.iter()
                    .map(|v| v.as_str().unwrap_or(""))
                    .collect::<Vec<_>>())
            })
    };
    if !old_usages(&|u| u.iter().any(|x| !USAGES.contains(x))) {
        for (i, u) in usages.iter().enumerate() {
            if !USAGES.contains(u) {
                errs.push(FieldError::not_supported(
                    format!("spec.usages[{i}]"),
                    *u,
                    &USAGES,
                ));
            }
        }
    }
    if !old_usages(&|u| u.iter().enumerate().any(|(i, x)| u[..i].contains(x))) {
        for (i, u) in usages.iter().enumerate() {
            if usages[..i].contains(u) {
                errs.push(duplicate(&format!("spec.usages[{i}]"), u));
            }
        }
    }
    let signer = str_of(spec, "signerName");
    let legacy_allowed = old.is_some_and(|o| {
        o.pointer("/spec/signerName").and_then(Value::as_str) == Some(LEGACY_SIGNER)
    });
    if signer == LEGACY_SIGNER && !legacy_allowed {
        errs.push(FieldError::invalid(
            "spec.signerName",
            Value::String(signer.into()),
            "the legacy signerName is not allowed via this API version",
        ));
    } else {
        signer_name(signer, errs);
    }
    if let Some(seconds) = spec.get("expirationSeconds").and_then(Value::as_i64)
        && seconds < 600
    {
        errs.push(FieldError::invalid(
            "spec.expirationSeconds",
            Value::from(seconds),
            "may not specify a duration less than 600 seconds (10 minutes)",
        ));
    }
    validate_conditions(obj, old, errs);
    let certificate = base64(obj.pointer("/status/certificate"));
    let old_certificate = old.map(|o| base64(o.pointer("/status/certificate")));
    let arbitrary = old_certificate
        .as_ref()
        .is_some_and(|o| *o == certificate || certificate_error(o).is_some());
    if !arbitrary && let Some(why) = certificate_error(&certificate) {
        errs.push(FieldError::invalid(
            "status.certificate",
            Value::String("<certificate data>".into()),
            why,
        ));
    }
    let (Some(old), Some(old_certificate)) = (old, old_certificate) else {
        return;
    };
    let of_type = |csr: &Value, t: &str| -> Vec<Value> {
        conditions(csr)
            .iter()
            .filter(|c| str_of(c, "type") == t)
            .cloned()
            .collect()
    };
    for t in ["Approved", "Denied", "Failed"] {
        if of_type(obj, t).len() < of_type(old, t).len() {
            errs.push(FieldError::forbidden(
                "status.conditions",
                format!("updates may not remove a condition of type {t:?}"),
            ));
        }
    }
    if subresource != Some(APPROVAL) {
        for t in ["Approved", "Denied"] {
            let (before, after) = (of_type(old, t), of_type(obj, t));
            if after.len() > before.len() {
                errs.push(FieldError::forbidden(
                    "status.conditions",
                    format!("updates may not add a condition of type {t:?}"),
                ));
            } else if after.len() == before.len() && after != before {
                // The server's detail ends with a diff of the conditions, left out here.
                errs.push(FieldError::forbidden(
                    "status.conditions",
                    format!("updates may not modify a condition of type {t:?}\n"),
                ));
            }
        }
    }
    if certificate != old_certificate {
        if subresource != Some("status") {
            errs.push(FieldError::forbidden(
                "status.certificate",
                "updates may not set certificate content",
            ));
        } else if !old_certificate.is_empty() {
            errs.push(FieldError::forbidden(
                "status.certificate",
                "updates may not modify existing certificate content",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_requests_and_certificates_are_errors_not_panics() {
        let inputs: [&[u8]; 7] = [
            b"",
            b"\xff\xfe\x00garbage\n\xc3\x28\n",
            b"-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n",
            b"-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n",
            b"-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n",
            b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n",
            b"-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n",
        ];
        for input in inputs {
            assert!(request_error(input).is_some(), "{input:?}");
        }
        assert_eq!(certificate_error(b""), None);
        assert_eq!(
            certificate_error(inputs[6]).as_deref(),
            Some(r#"only CERTIFICATE PEM blocks are allowed, found "PRIVATE KEY""#)
        );
        assert_eq!(
            certificate_error(inputs[5]).as_deref(),
            Some("x509: malformed certificate")
        );
        assert_eq!(
            certificate_error(inputs[1]).as_deref(),
            Some("must contain at least one CERTIFICATE PEM block")
        );
    }
}
