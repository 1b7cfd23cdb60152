//! Ingresses and NetworkPolicies are validated as a real API server validates them
//! (`ValidateIngressCreate`, `ValidateIngressSpec`, `ValidateNetworkPolicySpec`): rules or a
//! default backend, hosts that are DNS names, typed absolute paths, one backend kind with a
//! port name or number; policy ports, peers and CIDR blocks. Each refusal is a 422 with the
//! server's text and leaves the stored state as it was.

use crate::common;

use common::*;
use kobj_core::{CustomObjects, ResourceType};
use kube_core::params::PostParams;
use serde_json::{Value, json};

fn ingresses() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::networking::v1::Ingress>()
}

fn network_policies() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::networking::v1::NetworkPolicy>()
}

fn ingress(spec: Value) -> Value {
    json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web"}, "spec": spec})
}

fn policy(spec: Value) -> Value {
    json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "deny"}, "spec": spec})
}

#[tokio::test]
async fn an_ingress_needs_rules_or_a_backend_and_valid_hosts_paths_and_backends() {
    let c = cluster().await;
    refused_as_invalid(
        &c,
        &ingresses(),
        ingress(json!({})),
        "Ingress.networking.k8s.io \"web\" is invalid: spec: Invalid value: null: either \
         `defaultBackend` or `rules` must be specified",
    )
    .await;
    refused_as_invalid(
        &c,
        &ingresses(),
        ingress(json!({
            "rules": [
                {"host": "10.0.0.1", "http": {"paths": [
                    {"path": "/api//v1", "pathType": "Prefix",
                     "backend": {"service": {"name": "api", "port": {"number": 80, "name": "http"}}}},
                    {"path": "relative", "pathType": "Exact",
                     "backend": {"service": {"name": "1api", "port": {"number": 70000}}}},
                    {"path": "/", "pathType": "Regex", "backend": {}},
                    {"path": "/x", "backend": {"service": {"name": "api", "port": {"number": 80}}}}
                ]}},
                {"host": "*.*.example.com", "http": {"paths": []}}
            ],
            "tls": [{"hosts": ["Web.example.com"], "secretName": "tls_cert"}]
        })),
        "Ingress.networking.k8s.io \"web\" is invalid: [\
         spec.rules[0].host: Invalid value: \"10.0.0.1\": must be a DNS name, not an IP address, \
         spec.rules[0].http.paths[0].path: Invalid value: \"/api//v1\": must not contain '//', \
         spec.rules[0].http.paths[0].backend: Invalid value: \"\": cannot set both port name & \
         port number, \
         spec.rules[0].http.paths[1].path: Invalid value: \"relative\": must be an absolute path, \
         spec.rules[0].http.paths[1].backend.service.name: Invalid value: \"1api\": a DNS-1035 \
         label must consist of lower case alphanumeric characters or '-', start with an \
         alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or \
         'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?'), \
         spec.rules[0].http.paths[1].backend.service.port.number: Invalid value: 70000: must be \
         between 1 and 65535, inclusive, \
         spec.rules[0].http.paths[2].pathType: Unsupported value: \"Regex\": supported values: \
         \"Exact\", \"ImplementationSpecific\", \"Prefix\", \
         spec.rules[0].http.paths[2].backend: Invalid value: \"\": resource or service backend \
         is required, \
         spec.rules[0].http.paths[3].pathType: Required value: pathType must be specified, \
         spec.rules[1].host: Invalid value: \"*.*.example.com\": a wildcard DNS-1123 subdomain \
         must start with '*.', followed by a valid DNS subdomain, which must consist of lower \
         case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. \
         '*.example.com', regex used for validation is \
         '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'), \
         spec.rules[1].http.paths: Required value, \
         spec.tls[0].hosts[0]: Invalid value: \"Web.example.com\": a lowercase RFC 1123 subdomain \
         must consist of lower case alphanumeric characters, '-' or '.', and must start and end \
         with an alphanumeric character (e.g. 'example.com', regex used for validation is \
         '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'), \
         spec.tls[0].secretName: Invalid value: \"tls_cert\": a lowercase RFC 1123 subdomain \
         must consist of lower case alphanumeric characters, '-' or '.', and must start and end \
         with an alphanumeric character (e.g. 'example.com', regex used for validation is \
         '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')]",
    )
    .await;
    let made = c
        .create_object(
            &ingresses(),
            Some("default"),
            &obj(ingress(json!({
                "ingressClassName": "nginx",
                "rules": [{"host": "*.example.com", "http": {"paths": [
                    {"path": "/", "pathType": "Prefix",
                     "backend": {"service": {"name": "web", "port": {"name": "http"}}}}
                ]}}]
            }))),
            &PostParams::default(),
        )
        .await
        .unwrap();
    assert_eq!(made.data["spec"]["ingressClassName"], json!("nginx"));
}

#[tokio::test]
async fn a_network_policy_has_valid_ports_peers_and_cidrs() {
    let c = cluster().await;
    refused_as_invalid(
        &c,
        &network_policies(),
        policy(json!({
            "podSelector": {"matchLabels": {"app": "web"}},
            "ingress": [{
                "ports": [
                    {"protocol": "ICMP", "port": 80},
                    {"port": 8080, "endPort": 8000},
                    {"port": "http", "endPort": 9000},
                    {"endPort": 10}
                ],
                "from": [
                    {},
                    {"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.1.0.0/24", "10.0.1.0/24"]},
                     "podSelector": {}},
                    {"ipBlock": {"cidr": "10.0.0.0/33"}}
                ]
            }],
            "policyTypes": ["Ingress", "Sideways"]
        })),
        "NetworkPolicy.networking.k8s.io \"deny\" is invalid: [\
         spec.ingress[0].ports[0].protocol: Unsupported value: \"ICMP\": supported values: \
         \"TCP\", \"UDP\", \"SCTP\", \
         spec.ingress[0].ports[1].endPort: Invalid value: 8000: must be greater than or equal to \
         `port`, \
         spec.ingress[0].ports[2].endPort: Invalid value: 9000: may not be specified when `port` \
         is non-numeric, \
         spec.ingress[0].ports[3].endPort: Invalid value: 10: may not be specified when `port` is \
         not specified, \
         spec.ingress[0].from[0]: Required value: must specify a peer, \
         spec.ingress[0].from[1].ipBlock.except[0]: Invalid value: \"10.1.0.0/24\": must be a \
         strict subset of `cidr`, \
         spec.ingress[0].from[1]: Forbidden: may not specify both ipBlock and another peer, \
         spec.ingress[0].from[2].ipBlock.cidr: Invalid value: \"10.0.0.0/33\": must be a valid \
         CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64), \
         spec.policyTypes[1]: Unsupported value: \"Sideways\": supported values: \"Ingress\", \
         \"Egress\"]",
    )
    .await;
    c.create_object(
        &network_policies(),
        Some("default"),
        &obj(policy(json!({
            "podSelector": {},
            "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["169.254.0.0/16"]}}],
                        "ports": [{"port": 53, "protocol": "UDP"}, {"port": 30000, "endPort": 32767}]}],
            "policyTypes": ["Egress"]
        }))),
        &PostParams::default(),
    )
    .await
    .unwrap();
}
