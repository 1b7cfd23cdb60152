//! Bodies built field by field with the numbers of the Go types' `protobuf` tags.

use super::decode::GO_ZERO_TIME;
use super::*;
use serde_json::json;

/// A message under construction.
#[derive(Default)]
struct Msg(Vec<u8>);

fn varint(mut v: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

impl Msg {
    fn bytes(mut self, n: u64, data: &[u8]) -> Self {
        varint(n << 3 | 2, &mut self.0);
        varint(data.len() as u64, &mut self.0);
        self.0.extend_from_slice(data);
        self
    }
    fn str(self, n: u64, s: &str) -> Self {
        self.bytes(n, s.as_bytes())
    }
    fn msg(self, n: u64, m: Msg) -> Self {
        self.bytes(n, &m.0)
    }
    fn int(mut self, n: u64, v: i64) -> Self {
        varint(n << 3, &mut self.0);
        varint(v.cast_unsigned(), &mut self.0);
        self
    }
    fn entry(self, n: u64, k: &str, v: Msg) -> Self {
        self.msg(n, Msg::default().str(1, k).msg(2, v))
    }
    fn str_entry(self, n: u64, k: &str, v: &str) -> Self {
        self.msg(n, Msg::default().str(1, k).str(2, v))
    }
}

fn envelope(api_version: &str, kind: &str, raw: &Msg) -> Vec<u8> {
    let type_meta = Msg::default().str(1, api_version).str(2, kind);
    let mut out = MAGIC.to_vec();
    out.extend(Msg::default().msg(1, type_meta).bytes(2, &raw.0).0);
    out
}

#[test]
fn the_table_parses_and_has_the_kinds_kubectl_creates() {
    let table = table::TABLE.as_ref().unwrap();
    for (api_version, kind) in [
        ("v1", "ConfigMap"),
        ("v1", "Secret"),
        ("v1", "Namespace"),
        ("v1", "ServiceAccount"),
        ("v1", "Pod"),
        ("v1", "Service"),
        ("v1", "ResourceQuota"),
        ("apps/v1", "Deployment"),
        ("batch/v1", "Job"),
        ("batch/v1", "CronJob"),
        ("rbac.authorization.k8s.io/v1", "Role"),
        ("rbac.authorization.k8s.io/v1", "RoleBinding"),
        ("rbac.authorization.k8s.io/v1", "ClusterRole"),
        ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
        ("networking.k8s.io/v1", "Ingress"),
        ("policy/v1", "PodDisruptionBudget"),
        ("scheduling.k8s.io/v1", "PriorityClass"),
        ("authorization.k8s.io/v1", "SelfSubjectAccessReview"),
        ("authentication.k8s.io/v1", "TokenRequest"),
    ] {
        assert!(
            table.kind(api_version, kind).is_some(),
            "{api_version} {kind}"
        );
    }
}

#[test]
fn secrets_decode_with_binary_data_as_base64() {
    let zero = Msg::default().int(1, GO_ZERO_TIME);
    let created = Msg::default().int(1, 1_700_000_000);
    let meta = Msg::default()
        .str(1, "creds")
        .str(2, "")
        .msg(9, zero)
        .str_entry(11, "app", "demo")
        .str(14, "keep")
        .msg(8, created);
    let secret = Msg::default()
        .msg(1, meta)
        .str_entry(2, "password", "hunter2")
        .str(3, "Opaque")
        .int(5, 1);
    let value = decode(&envelope("v1", "Secret", &secret), &[]).unwrap();
    assert_eq!(
        value,
        json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {
                "name": "creds",
                "labels": {"app": "demo"},
                "finalizers": ["keep"],
                "creationTimestamp": "2023-11-14T22:13:20Z"
            },
            "data": {"password": "aHVudGVyMg=="},
            "type": "Opaque",
            "immutable": true
        })
    );
}

/// What `kubectl create deployment web --image=nginx --replicas=0 --port=80` sends, with the
/// zero values gogo-protobuf writes for every non-pointer scalar.
#[test]
fn deployments_keep_pointer_zeros_and_drop_the_other_zeros() {
    let labels = |m: Msg| m.str_entry(11, "app", "web");
    let port = Msg::default().str(1, "").int(2, 0).int(3, 80).str(4, "TCP");
    let container = Msg::default()
        .str(1, "nginx")
        .str(2, "nginx")
        .str(5, "")
        .msg(6, port)
        .msg(8, Msg::default())
        .int(16, 0)
        .int(18, 0);
    let pod_spec = Msg::default().msg(2, container).str(3, "").str(16, "");
    let template = Msg::default()
        .msg(1, labels(Msg::default()).str(1, ""))
        .msg(2, pod_spec);
    let selector = Msg::default().str_entry(1, "app", "web");
    let spec = Msg::default()
        .int(1, 0)
        .msg(2, selector)
        .msg(3, template)
        .msg(4, Msg::default())
        .int(5, 0);
    let deployment = Msg::default()
        .msg(1, labels(Msg::default().str(1, "web")))
        .msg(2, spec)
        .msg(3, Msg::default());
    let value = decode(&envelope("apps/v1", "Deployment", &deployment), &[]).unwrap();
    assert_eq!(
        value,
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {
                "replicas": 0,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{
                        "name": "nginx",
                        "image": "nginx",
                        "ports": [{"containerPort": 80, "protocol": "TCP"}],
                        "resources": {}
                    }]}
                },
                "strategy": {}
            },
            "status": {}
        })
    );
}

#[test]
fn inlined_sources_int_or_string_quantities_and_negative_numbers() {
    // core.v1.Volume: name 1, volumeSource 2 (inlined); VolumeSource.emptyDir 2
    // (medium 1, sizeLimit 2), VolumeSource.configMap 19 (LocalObjectReference 1 inlined).
    let quantity = |q: &str| Msg::default().str(1, q);
    let empty_dir = Msg::default().msg(2, quantity("1Gi"));
    let volume = Msg::default()
        .str(1, "scratch")
        .msg(2, Msg::default().msg(2, empty_dir));
    let config_map = Msg::default()
        .msg(1, Msg::default().str(1, "settings"))
        .int(3, 0o644);
    let volume2 = Msg::default()
        .str(1, "conf")
        .msg(2, Msg::default().msg(19, config_map));
    // core.v1.ResourceRequirements: limits 1, requests 2.
    let resources =
        Msg::default()
            .entry(1, "memory", quantity("128Mi"))
            .entry(2, "cpu", quantity("100m"));
    // core.v1.Probe: ProbeHandler 1 inlined (httpGet 2: path 1, port 2 IntOrString).
    let port = Msg::default().int(1, 1).str(3, "http");
    let probe = Msg::default().msg(
        1,
        Msg::default().msg(2, Msg::default().str(1, "/").msg(2, port)),
    );
    // core.v1.PodSecurityContext.runAsUser 2 (a pointer) at -1.
    let security = Msg::default().int(2, -1);
    let container = Msg::default()
        .str(1, "app")
        .msg(8, resources)
        .msg(10, probe);
    let pod = Msg::default().msg(1, Msg::default().str(1, "p")).msg(
        2,
        Msg::default()
            .msg(1, volume)
            .msg(1, volume2)
            .msg(2, container)
            .msg(14, security),
    );
    let value = decode(&envelope("v1", "Pod", &pod), &[]).unwrap();
    assert_eq!(
        value["spec"],
        json!({
            "volumes": [
                {"name": "scratch", "emptyDir": {"sizeLimit": "1Gi"}},
                {"name": "conf", "configMap": {"name": "settings", "defaultMode": 420}}
            ],
            "containers": [{
                "name": "app",
                "resources": {"limits": {"memory": "128Mi"}, "requests": {"cpu": "100m"}},
                "livenessProbe": {"httpGet": {"path": "/", "port": "http"}}
            }],
            "securityContext": {"runAsUser": -1}
        })
    );
}

#[test]
fn go_durations_print_as_go_does() {
    for (nanos, text) in [
        (0, "0s"),
        (1, "1ns"),
        (1_500, "1.5µs"),
        (2_000_000, "2ms"),
        (1_500_000_000, "1.5s"),
        (90_000_000_000, "1m30s"),
        (3_600_000_000_000, "1h0m0s"),
        (-5_000_000_000, "-5s"),
    ] {
        assert_eq!(decode::go_duration_for_tests(nanos), text);
    }
}

#[test]
fn unknown_kinds_unknown_fields_and_garbage() {
    let e = decode(
        &envelope("example.com/v1", "Widget", &Msg::default()),
        &["application/json"],
    )
    .unwrap_err();
    assert!(e.is_unsupported_media_type());
    // An unknown field number is skipped, as Go's Unmarshal skips it.
    let cm = Msg::default().str(1000, "ignored").str_entry(2, "k", "v");
    assert_eq!(
        decode(&envelope("v1", "ConfigMap", &cm), &[]).unwrap(),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"k": "v"}})
    );
    assert!(decode(b"{}", &[]).unwrap_err().is_bad_request());
    let mut truncated = envelope("v1", "ConfigMap", &Msg::default());
    truncated.push(0x0a);
    truncated.push(0x05);
    assert!(decode(&truncated, &[]).unwrap_err().is_bad_request());
    // A field with the wrong wire type: ConfigMap.data as a varint.
    let wrong = Msg::default().int(2, 7);
    assert!(
        decode(&envelope("v1", "ConfigMap", &wrong), &[])
            .unwrap_err()
            .is_bad_request()
    );
    // Invalid UTF-8 in a string.
    let bad = Msg::default().msg(1, Msg::default().bytes(1, &[0xff, 0xfe]));
    assert!(
        decode(&envelope("v1", "ConfigMap", &bad), &[])
            .unwrap_err()
            .is_bad_request()
    );
}

/// client-go sends DeleteOptions with the resource's group version (`kubectl drain`
/// deleting pods): decoded as `meta.v1.DeleteOptions` whatever the apiVersion.
#[test]
fn delete_options_decode_as_meta_delete_options() {
    let preconditions = Msg::default().str(1, "u-1");
    let options = Msg::default()
        .int(1, 0)
        .msg(2, preconditions)
        .str(4, "Foreground")
        .str(5, "All");
    let body = envelope("v1", "DeleteOptions", &options);
    assert!(is_protobuf(&body));
    assert_eq!(
        decode_options(&body, "DeleteOptions", "meta.v1.DeleteOptions").unwrap(),
        json!({
            "gracePeriodSeconds": 0,
            "preconditions": {"uid": "u-1"},
            "propagationPolicy": "Foreground",
            "dryRun": ["All"]
        })
    );
    let other = envelope("v1", "ConfigMap", &Msg::default());
    assert!(
        decode_options(&other, "DeleteOptions", "meta.v1.DeleteOptions")
            .unwrap_err()
            .is_bad_request()
    );
}

mod fuzz {
    use proptest::prelude::*;

    use super::*;

    /// A valid Deployment body to mutate.
    fn deployment() -> Vec<u8> {
        let container = Msg::default().str(1, "app").str(2, "nginx");
        let template = Msg::default().msg(2, Msg::default().msg(2, container));
        let spec = Msg::default().int(1, 2).msg(3, template);
        let body = Msg::default()
            .msg(1, Msg::default().str(1, "web"))
            .msg(2, spec);
        envelope("apps/v1", "Deployment", &body)
    }

    proptest! {
        /// Any bytes after the envelope's magic decode or get a 400/415, never a panic.
        #[test]
        fn arbitrary_bodies_are_decoded_or_refused(tail in proptest::collection::vec(any::<u8>(), 0..256)) {
            let mut body = MAGIC.to_vec();
            body.extend(tail);
            if let Err(e) = decode(&body, &[]) {
                prop_assert!(e.is_bad_request() || e.is_unsupported_media_type(), "{e}");
            }
        }

        /// A valid body with bytes flipped or cut short: decoded or a 400, never a panic.
        #[test]
        fn mutated_bodies_are_decoded_or_refused(
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut body = deployment();
            for (at, byte) in flips {
                let i = at.index(body.len());
                body[i] = byte;
            }
            body.truncate(cut.index(body.len() + 1).max(MAGIC.len()));
            if let Err(e) = decode(&body, &[]) {
                prop_assert!(e.is_bad_request() || e.is_unsupported_media_type(), "{e}");
            }
        }
    }
}

/// Go marshals a zero `metav1.Time` as an empty message (what kubectl's typed generators
/// send for a pod template's `creationTimestamp`), and `Time.Unmarshal` reads it back as the
/// zero time: unset, not the Unix epoch.
#[test]
fn an_empty_time_message_is_an_unset_time() {
    let meta = Msg::default().str(1, "cfg").msg(8, Msg::default());
    let map = Msg::default().msg(1, meta);
    let value = decode(&envelope("v1", "ConfigMap", &map), &[]).unwrap();
    assert_eq!(
        value,
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}})
    );
}
