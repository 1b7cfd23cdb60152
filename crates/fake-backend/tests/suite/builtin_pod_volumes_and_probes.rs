//! A pod's volumes, probes, lifecycle hooks and host ports are validated as a real API
//! server validates them (`ValidateVolumes`, `validateVolumeSource`, `validateProbe`,
//! `validateLifecycle`, `AccumulateUniqueHostPorts`): at most one source per volume, file
//! modes and relative paths, one handler per probe or hook, sleep hooks within the grace
//! period, and no host port taken twice. Each refusal is a 422 with the server's text and
//! leaves the stored state as it was.

use crate::common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn a_volume_has_at_most_one_source_and_valid_fields() {
    let c = cluster().await;
    refused_as_invalid(
        &c,
        &pods(),
        valid_pod(|s| {
            s["volumes"] = json!([
                {"name": "two", "emptyDir": {}, "secret": {"secretName": "s"}},
                {"name": "cm", "configMap": {"name": "c", "defaultMode": 1000, "items": [
                    {"key": "k", "path": "/etc/x"},
                    {"key": "", "path": "../up"}
                ]}},
                {"name": "host", "hostPath": {"path": "/var/../etc", "type": "Dir"}}
            ]);
            s["containers"][0]["volumeMounts"] = json!([{"name": "two", "mountPath": "/a"}]);
        }),
        "Pod \"p\" is invalid: [\
         spec.volumes[0].secret: Forbidden: may not specify more than 1 volume type, \
         spec.volumes[1].configMap.defaultMode: Invalid value: 1000: must be a number between 0 \
         and 0777 (octal), both inclusive, \
         spec.volumes[1].configMap.items[0].path: Invalid value: \"/etc/x\": must be a relative path, \
         spec.volumes[1].configMap.items[1].key: Required value, \
         spec.volumes[1].configMap.items[1].path: Invalid value: \"../up\": must not contain '..', \
         spec.volumes[2].hostPath.path: Invalid value: \"/var/../etc\": must not contain '..', \
         spec.volumes[2].hostPath.type: Unsupported value: \"Dir\": supported values: \"\", \
         \"BlockDevice\", \"CharDevice\", \"Directory\", \"DirectoryOrCreate\", \"File\", \
         \"FileOrCreate\", \"Socket\", \
         spec.containers[0].volumeMounts[0].name: Not found: \"two\"]",
    )
    .await;
}

#[tokio::test]
async fn projected_sources_are_single_and_their_paths_unique() {
    let c = cluster().await;
    refused_as_invalid(
        &c,
        &pods(),
        valid_pod(|s| {
            s["volumes"] = json!([{"name": "proj", "projected": {"sources": [
                {"configMap": {"name": "a", "items": [{"key": "k", "path": "same"}]}},
                {"secret": {"name": "b", "items": [{"key": "k", "path": "same"}]},
                 "configMap": {"name": "c"}},
                {"serviceAccountToken": {"path": "token", "expirationSeconds": 60}}
            ]}}]);
        }),
        "Pod \"p\" is invalid: [spec.volumes[0].projected: Invalid value: \"b\": conflicting \
         duplicate paths, \
         spec.volumes[0].projected.sources[1]: Forbidden: may not specify more than 1 volume \
         type per source, \
         spec.volumes[0].projected.sources[2].serviceAccountToken.expirationSeconds: Invalid \
         value: 60: may not specify a duration less than 10 minutes]",
    )
    .await;
}

#[tokio::test]
async fn a_pods_ephemeral_claim_and_image_volumes_are_checked_against_the_pod() {
    let c = cluster().await;
    let claim_template = json!({"spec": {
        "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}
    }});
    refused_as_invalid(
        &c,
        &pods(),
        valid_pod(|s| {
            s["volumes"] = json!([
                {"name": "scratch", "ephemeral": {"volumeClaimTemplate": claim_template}},
                {"name": "claim", "persistentVolumeClaim": {"claimName": "p-scratch"}},
                {"name": "img", "image": {}}
            ]);
        }),
        "Pod \"p\" is invalid: [spec.volumes[1].persistentVolumeClaim.claimName: Invalid value: \
         \"p-scratch\": must not reference a PVC that gets created for an ephemeral volume, \
         spec.volumes[2].image.reference: Required value]",
    )
    .await;
    // The claim template's spec is a claim's spec.
    refused_as_invalid(
        &c,
        &pods(),
        valid_pod(|s| {
            s["volumes"] =
                json!([{"name": "scratch", "ephemeral": {"volumeClaimTemplate": {"spec": {}}}}]);
        }),
        "Pod \"p\" is invalid: [spec.volumes[0].ephemeral.volumeClaimTemplate.spec.accessModes: \
         Required value: at least 1 access mode is required, \
         spec.volumes[0].ephemeral.volumeClaimTemplate.spec.resources[storage]: Required value]",
    )
    .await;
    // A template names no pod: neither check applies to it.
    let d = created(
        &c,
        &deployments(),
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {
                        "containers": [{"name": "app", "image": "nginx"}],
                        "volumes": [
                            {"name": "scratch", "ephemeral": {"volumeClaimTemplate": claim_template}},
                            {"name": "img", "image": {}}
                        ]
                    }
                }
            }
        }),
    )
    .await;
    assert_eq!(
        d["spec"]["template"]["spec"]["volumes"][1]["name"],
        json!("img")
    );
}

#[tokio::test]
async fn probes_and_hooks_have_one_handler_and_valid_settings() {
    let c = cluster().await;
    refused_as_invalid(
        &c,
        &pods(),
        valid_pod(|s| {
            s["containers"] = json!([
                {
                    "name": "app", "image": "nginx",
                    "livenessProbe": {"periodSeconds": -1},
                    "readinessProbe": {
                        "exec": {"command": ["true"]}, "httpGet": {"port": "8080"},
                        "terminationGracePeriodSeconds": 5
                    },
                    "startupProbe": {"tcpSocket": {"port": 0}, "successThreshold": 2},
                    "lifecycle": {"preStop": {"sleep": {"seconds": 100}}},
                    "ports": [{"containerPort": 80, "hostPort": 8080}]
                },
                {"name": "side", "image": "busybox", "ports": [{"containerPort": 81, "hostPort": 8080}]}
            ]);
            s["initContainers"] = json!([
                {"name": "init", "image": "busybox", "livenessProbe": {"exec": {"command": ["x"]}}}
            ]);
        }),
        "Pod \"p\" is invalid: [\
         spec.containers[0].lifecycle.preStop.sleep: Invalid value: 100: must be non-negative and \
         less than terminationGracePeriodSeconds (30), \
         spec.containers[0].livenessProbe: Required value: must specify a handler type, \
         spec.containers[0].livenessProbe.periodSeconds: Invalid value: -1: must be greater than \
         or equal to 0, \
         spec.containers[0].readinessProbe.httpGet: Forbidden: may not specify more than 1 \
         handler type, \
         spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: must \
         not be set for readinessProbes, \
         spec.containers[0].startupProbe.tcpSocket.port: Invalid value: 0: must be between 1 and \
         65535, inclusive, \
         spec.containers[0].startupProbe.successThreshold: Invalid value: 2: must be 1, \
         spec.containers[1].ports[0].hostPort: Duplicate value: \"TCP//8080\", \
         spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers \
         without restartPolicy=Always]",
    )
    .await;
    refused_as_invalid(
        &c,
        &pods(),
        valid_pod(|s| {
            s["containers"][0]["readinessProbe"] = json!({"httpGet": {
                "port": "8080", "scheme": "FTP", "httpHeaders": [{"name": "X Bad", "value": "1"}]
            }});
        }),
        "Pod \"p\" is invalid: [\
         spec.containers[0].readinessProbe.httpGet.port: Invalid value: \"8080\": must contain at \
         least one letter (a-z), \
         spec.containers[0].readinessProbe.httpGet.scheme: Unsupported value: \"FTP\": supported \
         values: \"HTTP\", \"HTTPS\", \
         spec.containers[0].readinessProbe.httpGet.httpHeaders: Invalid value: \"X Bad\": a valid \
         HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex \
         used for validation is '[-A-Za-z0-9]+')]",
    )
    .await;
}

#[tokio::test]
async fn a_pod_with_valid_volumes_probes_and_hooks_is_created_with_their_defaults() {
    let c = cluster().await;
    let p = created(
        &c,
        &pods(),
        valid_pod(|s| {
            s["volumes"] = json!([
                {"name": "conf", "configMap": {"name": "c", "items": [{"key": "k", "path": "app/k.yaml", "mode": 0o600}]}},
                {"name": "creds", "secret": {"secretName": "s"}},
                {"name": "scratch"},
                {"name": "cache", "emptyDir": {"sizeLimit": "1Gi"}},
                {"name": "data", "persistentVolumeClaim": {"claimName": "data"}},
                {"name": "token", "projected": {"sources": [
                    {"serviceAccountToken": {"path": "token"}},
                    {"downwardAPI": {"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}}
                ]}}
            ]);
            s["containers"][0]["ports"] = json!([{"name": "http", "containerPort": 8080}]);
            s["containers"][0]["volumeMounts"] = json!([
                {"name": "conf", "mountPath": "/etc/app"}, {"name": "token", "mountPath": "/var/run/token"}
            ]);
            s["containers"][0]["livenessProbe"] = json!({"httpGet": {"port": "http"}});
            s["containers"][0]["readinessProbe"] = json!({"grpc": {"port": 9090}});
            s["containers"][0]["lifecycle"] = json!({
                "postStart": {"exec": {"command": ["sh", "-c", "true"]}},
                "preStop": {"sleep": {"seconds": 5}}
            });
            s["initContainers"] = json!([{
                "name": "sidecar", "image": "envoy", "restartPolicy": "Always",
                "startupProbe": {"tcpSocket": {"port": 15000}}
            }]);
        }),
    )
    .await;
    let spec = &p["spec"];
    assert_eq!(spec["volumes"][1]["secret"]["defaultMode"], json!(420));
    // A volume without a source is defaulted to an empty dir (`SetDefaults_Volume`), so it
    // never gets "must specify a volume type".
    assert_eq!(
        spec["volumes"][2],
        json!({"name": "scratch", "emptyDir": {}})
    );
    assert_eq!(
        spec["volumes"][5]["projected"]["sources"][0]["serviceAccountToken"]["expirationSeconds"],
        json!(3600)
    );
    assert_eq!(
        spec["containers"][0]["livenessProbe"]["httpGet"],
        json!({"path": "/", "port": "http", "scheme": "HTTP"})
    );
    assert_eq!(
        spec["initContainers"][0]["startupProbe"]["successThreshold"],
        json!(1)
    );
}
