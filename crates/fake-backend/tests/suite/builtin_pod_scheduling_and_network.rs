//! A pod's scheduling and networking fields are validated as a real API server validates
//! them (`validateAffinity`, `validateReadinessGates`, `validateSchedulingGates`,
//! `validateTopologySpreadConstraints`, `validatePodHostNetworkDeps`,
//! `validatePodDNSConfig`, `ValidateHostAliases`). Each refusal is a 422 with the server's
//! text and leaves the stored state as it was.

use crate::common;

use common::*;
use kobj_core::CustomObjects;
use kube_core::params::PostParams;
use serde_json::json;

const QUALIFIED: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', \
                         and must start and end with an alphanumeric character (e.g. 'MyName',  \
                         or 'my.name',  or '123-abc', regex used for validation is \
                         '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

#[tokio::test]
async fn node_and_pod_affinity_are_checked() {
    let c = cluster().await;
    let terms = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.\
                 nodeSelectorTerms[0]";
    let anti = "spec.affinity.podAntiAffinity";
    refused_as_invalid(
        &c,
        &pods(),
        valid_pod(|s| {
            s["affinity"] = json!({
                "nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{
                        "matchExpressions": [
                            {"key": "zone", "operator": "In"},
                            {"key": "disk", "operator": "Exists", "values": ["ssd"]},
                            {"key": "bad key", "operator": "Near", "values": ["x"]}
                        ],
                        "matchFields": [{"key": "metadata.uid", "operator": "In", "values": ["a"]}]
                    }]},
                    "preferredDuringSchedulingIgnoredDuringExecution": [{
                        "weight": 0,
                        "preference": {"matchExpressions": [
                            {"key": "tier", "operator": "In", "values": ["not valid!"]}
                        ]}
                    }]
                },
                "podAntiAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": [{
                        "labelSelector": {"matchLabels": {"app": "web"}},
                        "namespaces": ["Bad_NS"],
                        "topologyKey": "kubernetes.io/hostname"
                    }],
                    "preferredDuringSchedulingIgnoredDuringExecution": [{
                        "weight": 101, "podAffinityTerm": {"topologyKey": ""}
                    }]
                }
            });
        }),
        &format!(
            "Pod \"p\" is invalid: [\
             {terms}.matchExpressions[0].values: Required value: must be specified when \
             `operator` is 'In' or 'NotIn', \
             {terms}.matchExpressions[1].values: Forbidden: may not be specified when `operator` \
             is 'Exists' or 'DoesNotExist', \
             {terms}.matchExpressions[2].operator: Invalid value: \"Near\": not a valid selector \
             operator, \
             {terms}.matchExpressions[2].key: Invalid value: \"bad key\": {QUALIFIED}, \
             {terms}.matchFields[0].key: Invalid value: \"metadata.uid\": not a valid field \
             selector key, \
             spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: \
             Invalid value: 0: must be in the range 1-100, \
             {anti}.requiredDuringSchedulingIgnoredDuringExecution[0].namespace: Invalid value: \
             \"Bad_NS\": a lowercase RFC 1123 label must consist of lower case alphanumeric \
             characters or '-', and must start and end with an alphanumeric character (e.g. \
             'my-name',  or '123-abc', regex used for validation is \
             '[a-z0-9]([-a-z0-9]*[a-z0-9])?'), \
             {anti}.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: \
             101: must be in the range 1-100, \
             {anti}.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey: \
             Required value: can not be empty, \
             {anti}.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey: \
             Invalid value: \"\": name part must be non-empty, \
             {anti}.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey: \
             Invalid value: \"\": {QUALIFIED}]"
        ),
    )
    .await;
}

#[tokio::test]
async fn gates_and_topology_spread_constraints_are_checked() {
    let c = cluster().await;
    let at = "spec.topologySpreadConstraints";
    refused_as_invalid(
        &c,
        &pods(),
        valid_pod(|s| {
            s["readinessGates"] = json!([{"conditionType": "bad type!"}]);
            s["schedulingGates"] = json!([{"name": "example.com/wait"}, {"name": "example.com/wait"}]);
            s["topologySpreadConstraints"] = json!([
                {"maxSkew": 0, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule", "minDomains": 2},
                {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"},
                {"maxSkew": 1, "topologyKey": "", "whenUnsatisfiable": "Maybe",
                 "nodeAffinityPolicy": "Sometimes", "minDomains": 0}
            ]);
        }),
        &format!(
            "Pod \"p\" is invalid: [\
             spec.readinessGates[0].conditionType: Invalid value: \"bad type!\": {QUALIFIED}, \
             spec.schedulingGates[1]: Duplicate value: \"example.com/wait\", \
             {at}[0].maxSkew: Invalid value: 0: must be greater than zero, \
             {at}[0].{{topologyKey, whenUnsatisfiable}}: Duplicate value: \"{{zone, DoNotSchedule}}\", \
             {at}[2].topologyKey: Required value: can not be empty, \
             {at}[2].whenUnsatisfiable: Unsupported value: \"Maybe\": supported values: \
             \"DoNotSchedule\", \"ScheduleAnyway\", \
             {at}[2].minDomains: Invalid value: 0: must be greater than zero, \
             {at}[2].minDomains: Invalid value: 0: can only use minDomains if \
             whenUnsatisfiable=DoNotSchedule, not Maybe, \
             {at}[2].nodeAffinityPolicy: Unsupported value: \"Sometimes\": supported values: \
             \"Honor\", \"Ignore\"]"
        ),
    )
    .await;
}

#[tokio::test]
async fn host_network_ports_dns_config_and_host_aliases_are_checked() {
    let c = cluster().await;
    refused_as_invalid(
        &c,
        &pods(),
        valid_pod(|s| {
            s["hostNetwork"] = json!(true);
            s["containers"][0]["ports"] = json!([{"containerPort": 80, "hostPort": 81}]);
            s["dnsPolicy"] = json!("None");
            s["dnsConfig"] = json!({
                "nameservers": ["1.1.1.1", "8.8.8.8", "9.9.9.9", "10.0.0.300"],
                "searches": ["Example.com", "_srv.example.com.", "."],
                "options": [{"value": "1"}]
            });
            s["hostAliases"] = json!([{"ip": "not-an-ip", "hostnames": ["Web"]}]);
        }),
        "Pod \"p\" is invalid: [\
         spec.containers[0].ports[0].hostPort: Invalid value: 81: must match `containerPort` \
         when `hostNetwork` is true, \
         spec.dnsConfig.nameservers: Invalid value: [\"1.1.1.1\",\"8.8.8.8\",\"9.9.9.9\",\
         \"10.0.0.300\"]: must not have more than 3 nameservers, \
         spec.dnsConfig.nameservers[3]: Invalid value: \"10.0.0.300\": must be a valid IP \
         address, (e.g. 10.9.8.7 or 2001:db8::ffff), \
         spec.dnsConfig.searches[0]: Invalid value: \"Example.com\": a lowercase RFC 1123 \
         subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', and must \
         start and end with an alphanumeric character (e.g. 'example.com', regex used for \
         validation is '_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?(\\._?[a-z0-9]([-_a-z0-9]*[a-z0-9])?)*'), \
         spec.dnsConfig.options[0]: Required value: must not be empty, \
         spec.hostAliases[0].ip: Invalid value: \"not-an-ip\": must be a valid IP address, (e.g. \
         10.9.8.7 or 2001:db8::ffff), \
         spec.hostAliases[0].hostnames[0]: Invalid value: \"Web\": a lowercase RFC 1123 \
         subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start \
         and end with an alphanumeric character (e.g. 'example.com', regex used for validation \
         is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')]",
    )
    .await;
    refused_as_invalid(
        &c,
        &pods(),
        valid_pod(|s| s["dnsPolicy"] = json!("None")),
        "Pod \"p\" is invalid: spec.dnsConfig: Required value: must provide `dnsConfig` when \
         `dnsPolicy` is None",
    )
    .await;
    // With host networking, an unset host port is defaulted to the container port.
    let made = c
        .create_object(
            &pods(),
            Some("default"),
            &obj(valid_pod(|s| {
                s["hostNetwork"] = json!(true);
                s["containers"][0]["ports"] = json!([{"containerPort": 80}]);
                s["affinity"] = json!({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchExpressions": [
                        {"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]}
                    ]}]
                }}});
                s["topologySpreadConstraints"] = json!([{
                    "maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
                    "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": {"app": "web"}}
                }]);
            })),
            &PostParams::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        made.data["spec"]["containers"][0]["ports"][0]["hostPort"],
        json!(80)
    );
}
