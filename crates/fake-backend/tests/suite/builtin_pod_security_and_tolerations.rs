//! A pod's security contexts and tolerations are validated as a real API server validates
//! them (`validatePodSpecSecurityContext`, `ValidateSecurityContext`, `ValidateTolerations`):
//! user and group ids in range, sysctl names and host namespaces, seccomp and AppArmor
//! profiles, privilege escalation against privileged containers, toleration keys, operators
//! and effects. Each refusal is a 422 with the server's text and leaves the stored state as
//! it was.

use crate::common;

use common::*;
use kobj_core::CustomObjects;
use kube_core::params::PostParams;
use serde_json::json;

#[tokio::test]
async fn the_pod_security_context_is_checked() {
    let c = cluster().await;
    refused_as_invalid(
        &c,
        &pods(),
        valid_pod(|s| {
            s["hostNetwork"] = json!(true);
            s["hostPID"] = json!(true);
            s["shareProcessNamespace"] = json!(true);
            s["securityContext"] = json!({
                "runAsUser": -1,
                "supplementalGroups": [5, 3_000_000_000_i64],
                "fsGroupChangePolicy": "Sometimes",
                "sysctls": [
                    {"name": "net.core.somaxconn", "value": "1"},
                    {"name": "Bad_Name", "value": "1"},
                    {"name": "net.core.somaxconn", "value": "2"}
                ],
                "seccompProfile": {"type": "Localhost"}
            });
        }),
        "Pod \"p\" is invalid: [\
         spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, \
         inclusive, \
         spec.securityContext.supplementalGroups[1]: Invalid value: 3000000000: must be between \
         0 and 2147483647, inclusive, \
         spec.securityContext.shareProcessNamespace: Invalid value: true: ShareProcessNamespace \
         and HostPID cannot both be enabled, \
         spec.securityContext.sysctls[0].name: Invalid value: \"net.core.somaxconn\": may not be \
         specified when 'hostNetwork' is true, \
         spec.securityContext.sysctls[1].name: Invalid value: \"Bad_Name\": must have at most 253 \
         characters and match regex \
         ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$, \
         spec.securityContext.sysctls[2].name: Duplicate value: \"net.core.somaxconn\", \
         spec.securityContext.sysctls[2].name: Invalid value: \"net.core.somaxconn\": may not be \
         specified when 'hostNetwork' is true, \
         spec.securityContext.fsGroupChangePolicy: Unsupported value: \"Sometimes\": supported \
         values: \"Always\", \"OnRootMismatch\", \
         spec.securityContext.seccompProfile.localhostProfile: Required value: must be set when \
         seccomp type is Localhost]",
    )
    .await;
}

#[tokio::test]
async fn a_container_security_context_is_checked() {
    let c = cluster().await;
    let context = "{\"Capabilities\":{\"Add\":[\"CAP_SYS_ADMIN\"],\"Drop\":null},\
                   \"Privileged\":true,\"SELinuxOptions\":null,\"WindowsOptions\":null,\
                   \"RunAsUser\":null,\"RunAsGroup\":-5,\"RunAsNonRoot\":null,\
                   \"ReadOnlyRootFilesystem\":null,\"AllowPrivilegeEscalation\":false,\
                   \"ProcMount\":\"Unmasked\",\
                   \"SeccompProfile\":{\"Type\":\"RuntimeDefault\",\"LocalhostProfile\":\"p.json\"},\
                   \"AppArmorProfile\":{\"Type\":\"Localhost\",\"LocalhostProfile\":\" x\"}}";
    refused_as_invalid(
        &c,
        &pods(),
        valid_pod(|s| {
            s["containers"][0]["securityContext"] = json!({
                "runAsGroup": -5,
                "procMount": "Unmasked",
                "allowPrivilegeEscalation": false,
                "privileged": true,
                "capabilities": {"add": ["CAP_SYS_ADMIN"]},
                "seccompProfile": {"type": "RuntimeDefault", "localhostProfile": "p.json"},
                "appArmorProfile": {"type": "Localhost", "localhostProfile": " x"}
            });
        }),
        &format!(
            "Pod \"p\" is invalid: [\
             spec.containers[0].securityContext.runAsGroup: Invalid value: -5: must be between 0 \
             and 2147483647, inclusive, \
             spec.containers[0].securityContext.procMount: Invalid value: \"Unmasked\": \
             `hostUsers` must be false to use `Unmasked`, \
             spec.containers[0].securityContext.seccompProfile.localhostProfile: Invalid value: \
             {{\"Type\":\"RuntimeDefault\",\"LocalhostProfile\":\"p.json\"}}: can only be set when \
             seccomp type is Localhost, \
             spec.containers[0].securityContext: Invalid value: {context}: cannot set \
             `allowPrivilegeEscalation` to false and `privileged` to true, \
             spec.containers[0].securityContext: Invalid value: {context}: cannot set \
             `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN, \
             spec.containers[0].securityContext.appArmorProfile.localhostProfile: Invalid value: \
             \" x\": must not be padded with whitespace]"
        ),
    )
    .await;
    // A privileged container, and an unmasked proc mount in a user namespace, are allowed.
    c.create_object(
        &pods(),
        Some("default"),
        &obj(valid_pod(|s| {
            s["hostUsers"] = json!(false);
            s["containers"][0]["securityContext"] = json!({
                "privileged": true, "procMount": "Unmasked", "runAsUser": 1000,
                "seccompProfile": {"type": "Localhost", "localhostProfile": "profiles/p.json"}
            });
        })),
        &PostParams::default(),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn tolerations_are_checked() {
    let c = cluster().await;
    refused_as_invalid(
        &c,
        &pods(),
        valid_pod(|s| {
            s["tolerations"] = json!([
                {"key": "bad key!", "operator": "Exists"},
                {"operator": "Equal", "value": "x"},
                {"key": "k", "operator": "Exists", "value": "v", "tolerationSeconds": 60},
                {"key": "k", "operator": "Lt", "effect": "NoWhere"},
                {"operator": "Exists"},
                {"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                 "effect": "NoExecute", "tolerationSeconds": 300}
            ]);
        }),
        "Pod \"p\" is invalid: [\
         spec.tolerations[0].key: Invalid value: \"bad key!\": name part must consist of \
         alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric \
         character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is \
         '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'), \
         spec.tolerations[1].operator: Invalid value: \"Equal\": operator must be Exists when \
         `key` is empty, which means \"match all values and all keys\", \
         spec.tolerations[2].effect: Invalid value: \"\": effect must be 'NoExecute' when \
         `tolerationSeconds` is set, \
         spec.tolerations[2].operator: Invalid value: \"v\": value must be empty when `operator` \
         is 'Exists', \
         spec.tolerations[3].operator: Unsupported value: \"Lt\": supported values: \"Equal\", \
         \"Exists\", \
         spec.tolerations[3].effect: Unsupported value: \"NoWhere\": supported values: \
         \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"]",
    )
    .await;
}
