//! Services and networking: printers.go's `printService` (with `getServiceExternalIP`,
//! `loadBalancerStatusStringer` and `makePortString`), `printEndpoints` (`formatEndpoints`),
//! `printEndpointSlice` (`formatDiscoveryPorts`, `formatDiscoveryEndpoints`), `printIngress`
//! (`formatHosts`, `formatPorts`, `ingressLoadBalancerStatusStringer`), `printIngressClass`
//! and `printNetworkPolicy`. The server prints wide, so load-balancer addresses are never
//! clipped to 16 characters.

use std::collections::BTreeSet;

use k8s_openapi::jiff::Timestamp;
use serde_json::{Value, json};

use super::fields::{self, int, list, string};
use super::format::{age, format_label_selector, format_labels, join_host_port, list_with_more};
use super::{AGE, Col, NAME, Printer, Row, descriptions as d, text};

/// `serviceColumnDefinitions`.
const SERVICE_COLUMNS: &[Col] = &[
    NAME,
    text("Type", d::SVC_TYPE),
    text("Cluster-IP", d::SVC_CLUSTER_IP),
    text("External-IP", d::SVC_EXTERNAL_IPS),
    text("Port(s)", d::SVC_PORTS),
    AGE,
    text("Selector", d::SVC_SELECTOR).wide(),
];

/// The Service printer.
pub(super) const SERVICE: Printer = Printer::new(SERVICE_COLUMNS, print_service);

/// `endpointColumnDefinitions`.
const ENDPOINTS_COLUMNS: &[Col] = &[NAME, text("Endpoints", d::EP_SUBSETS), AGE];

/// The Endpoints printer.
pub(super) const ENDPOINTS: Printer = Printer::new(ENDPOINTS_COLUMNS, print_endpoints);

/// `endpointSliceColumnDefinitions`.
const ENDPOINT_SLICE_COLUMNS: &[Col] = &[
    NAME,
    text("AddressType", d::ES_ADDRESS_TYPE),
    text("Ports", d::ES_PORTS),
    text("Endpoints", d::ES_ENDPOINTS),
    AGE,
];

/// The EndpointSlice printer.
pub(super) const ENDPOINT_SLICE: Printer =
    Printer::new(ENDPOINT_SLICE_COLUMNS, print_endpoint_slice);

/// `ingressColumnDefinitions`.
const INGRESS_COLUMNS: &[Col] = &[
    NAME,
    text(
        "Class",
        "The name of the IngressClass resource that should be used for additional configuration",
    ),
    text(
        "Hosts",
        "Hosts that incoming requests are matched against before the ingress rule",
    ),
    text(
        "Address",
        "Address is a list containing ingress points for the load-balancer",
    ),
    text("Ports", "Ports of TLS configurations that open"),
    AGE,
];

/// The Ingress printer.
pub(super) const INGRESS: Printer = Printer::new(INGRESS_COLUMNS, print_ingress);

/// `ingressClassColumnDefinitions`.
const INGRESS_CLASS_COLUMNS: &[Col] = &[
    NAME,
    text(
        "Controller",
        "Controller that is responsible for handling this class",
    ),
    text(
        "Parameters",
        "A reference to a resource with additional parameters",
    ),
    AGE,
];

/// The IngressClass printer.
pub(super) const INGRESS_CLASS: Printer = Printer::new(INGRESS_CLASS_COLUMNS, print_ingress_class);

/// `networkPolicyColumnDefinitioins`.
const NETWORK_POLICY_COLUMNS: &[Col] = &[NAME, text("Pod-Selector", d::NP_POD_SELECTOR), AGE];

/// The NetworkPolicy printer.
pub(super) const NETWORK_POLICY: Printer =
    Printer::new(NETWORK_POLICY_COLUMNS, print_network_policy);

/// `loadBalancerStatusStringer` (wide): the distinct IPs, else hostnames, sorted, joined by
/// `,`.
fn load_balancer_addresses(obj: &Value, path: &str) -> String {
    let addresses: BTreeSet<&str> = list(obj, path)
        .iter()
        .filter_map(|i| match (string(i, "ip"), string(i, "hostname")) {
            ("", "") => None,
            ("", host) => Some(host),
            (ip, _) => Some(ip),
        })
        .collect();
    addresses.into_iter().collect::<Vec<_>>().join(",")
}

/// `getServiceExternalIP` (wide).
fn external_ip(svc: &Value) -> String {
    let external: Vec<&str> = list(svc, "spec.externalIPs")
        .iter()
        .map(|v| v.as_str().unwrap_or(""))
        .collect();
    match string(svc, "spec.type") {
        "ClusterIP" | "NodePort" if external.is_empty() => "<none>".into(),
        "ClusterIP" | "NodePort" => external.join(","),
        "LoadBalancer" => {
            let lb = load_balancer_addresses(svc, "status.loadBalancer.ingress");
            if !external.is_empty() {
                let mut all: Vec<&str> = if lb.is_empty() {
                    Vec::new()
                } else {
                    lb.split(',').collect()
                };
                all.extend(external);
                all.join(",")
            } else if lb.is_empty() {
                "<pending>".into()
            } else {
                lb
            }
        }
        "ExternalName" => string(svc, "spec.externalName").into(),
        _ => "<unknown>".into(),
    }
}

/// `makePortString`: `port/protocol` or `port:nodePort/protocol`, joined by `,`.
fn port_string(svc: &Value) -> String {
    list(svc, "spec.ports")
        .iter()
        .map(|p| {
            let (port, protocol) = (int(p, "port"), string(p, "protocol"));
            match int(p, "nodePort") {
                node if node > 0 => format!("{port}:{node}/{protocol}"),
                _ => format!("{port}/{protocol}"),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// `printService`.
fn print_service(svc: &Value, now: Timestamp) -> Row {
    let cluster_ip = list(svc, "spec.clusterIPs")
        .first()
        .map_or("<none>", |ip| ip.as_str().unwrap_or(""));
    let ports = match port_string(svc) {
        p if p.is_empty() => "<none>".into(),
        p => p,
    };
    vec![
        json!(fields::name(svc)),
        json!(string(svc, "spec.type")),
        json!(cluster_ip),
        json!(external_ip(svc)),
        json!(ports),
        json!(age(svc, now)),
        json!(format_labels(svc, "spec.selector")),
    ]
    .into()
}

/// `formatEndpoints` with every port: up to three `ip:port` (or bare IPs of port-less
/// subsets), `+ N more...` for the rest, `<none>` without subsets.
fn format_endpoints(obj: &Value) -> String {
    let subsets = list(obj, "subsets");
    if subsets.is_empty() {
        return "<none>".into();
    }
    const MAX: usize = 3;
    let mut shown: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0;
    for subset in subsets {
        let addresses = list(subset, "addresses");
        let ports = list(subset, "ports");
        if ports.is_empty() {
            count += addresses.len();
            for address in addresses {
                if shown.len() == MAX {
                    more = true;
                    break;
                }
                shown.push(string(address, "ip").to_string());
            }
            continue;
        }
        for port in ports {
            count += addresses.len();
            for address in addresses {
                if shown.len() == MAX {
                    more = true;
                    break;
                }
                shown.push(join_host_port(string(address, "ip"), int(port, "port")));
            }
        }
    }
    let joined = shown.join(",");
    if more {
        format!("{joined} + {} more...", count.saturating_sub(MAX))
    } else {
        joined
    }
}

/// `printEndpoints`.
fn print_endpoints(obj: &Value, now: Timestamp) -> Row {
    vec![
        json!(fields::name(obj)),
        json!(format_endpoints(obj)),
        json!(age(obj, now)),
    ]
    .into()
}

/// `printEndpointSlice`.
fn print_endpoint_slice(obj: &Value, now: Timestamp) -> Row {
    let ports: Vec<String> = list(obj, "ports")
        .iter()
        .map(
            |p| match (fields::opt_int(p, "port"), fields::opt_string(p, "name")) {
                (Some(port), _) => port.to_string(),
                (None, Some(name)) => name.to_string(),
                (None, None) => "*".into(),
            },
        )
        .collect();
    let addresses: Vec<String> = list(obj, "endpoints")
        .iter()
        .flat_map(|e| list(e, "addresses"))
        .map(|a| a.as_str().unwrap_or("").to_string())
        .collect();
    vec![
        json!(fields::name(obj)),
        json!(string(obj, "addressType")),
        json!(list_with_more(&ports, ports.len(), 3)),
        json!(list_with_more(&addresses, addresses.len(), 3)),
        json!(age(obj, now)),
    ]
    .into()
}

/// `formatHosts`: up to three rule hosts, `+ N more...` (counting every rule), `*` for none.
fn format_hosts(obj: &Value) -> String {
    const MAX: usize = 3;
    let rules = list(obj, "spec.rules");
    let mut hosts = Vec::new();
    let mut more = false;
    for rule in rules {
        if hosts.len() == MAX {
            more = true;
        }
        let host = string(rule, "host");
        if !more && !host.is_empty() {
            hosts.push(host);
        }
    }
    if hosts.is_empty() {
        return "*".into();
    }
    let joined = hosts.join(",");
    if more {
        format!("{joined} + {} more...", rules.len() - MAX)
    } else {
        joined
    }
}

/// `printIngress`.
fn print_ingress(obj: &Value, now: Timestamp) -> Row {
    let ports = if list(obj, "spec.tls").is_empty() {
        "80"
    } else {
        "80, 443"
    };
    vec![
        json!(fields::name(obj)),
        json!(fields::opt_string(obj, "spec.ingressClassName").unwrap_or("<none>")),
        json!(format_hosts(obj)),
        json!(load_balancer_addresses(obj, "status.loadBalancer.ingress")),
        json!(ports),
        json!(age(obj, now)),
    ]
    .into()
}

/// `printIngressClass`: the parameters as `Kind[.apiGroup]/name`.
fn print_ingress_class(obj: &Value, now: Timestamp) -> Row {
    let parameters = fields::object(obj, "spec.parameters").map_or_else(
        || "<none>".to_string(),
        |p| match fields::opt_string(p, "apiGroup") {
            Some(group) => format!("{}.{group}/{}", string(p, "kind"), string(p, "name")),
            None => format!("{}/{}", string(p, "kind"), string(p, "name")),
        },
    );
    vec![
        json!(fields::name(obj)),
        json!(string(obj, "spec.controller")),
        json!(parameters),
        json!(age(obj, now)),
    ]
    .into()
}

/// `printNetworkPolicy`.
fn print_network_policy(obj: &Value, now: Timestamp) -> Row {
    vec![
        json!(fields::name(obj)),
        json!(format_label_selector(obj, "spec.podSelector")),
        json!(age(obj, now)),
    ]
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::table::tests::now;

    fn svc(spec: Value, status: Value) -> Value {
        json!({"metadata": {"name": "s", "creationTimestamp": "2024-04-30T12:00:00Z"}, "spec": spec, "status": status})
    }

    #[test]
    fn service_external_ips() {
        let lb = svc(
            json!({"type": "LoadBalancer", "clusterIPs": ["10.96.1.1"],
                   "ports": [{"port": 80, "protocol": "TCP", "nodePort": 30080}, {"port": 53, "protocol": "UDP"}],
                   "selector": {"app": "web"}}),
            json!({"loadBalancer": {}}),
        );
        assert_eq!(
            print_service(&lb, now()).cells,
            [
                json!("s"),
                json!("LoadBalancer"),
                json!("10.96.1.1"),
                json!("<pending>"),
                json!("80:30080/TCP,53/UDP"),
                json!("24h"),
                json!("app=web"),
            ]
        );
        let ready = svc(
            json!({"type": "LoadBalancer", "externalIPs": ["1.2.3.4"]}),
            json!({"loadBalancer": {"ingress": [
                {"hostname": "a-very-long-load-balancer.example.com"}, {"ip": "5.6.7.8"}, {"ip": "5.6.7.8"}]}}),
        );
        assert_eq!(
            external_ip(&ready),
            "5.6.7.8,a-very-long-load-balancer.example.com,1.2.3.4"
        );
        let cluster = svc(
            json!({"type": "ClusterIP", "clusterIPs": ["None"]}),
            json!({}),
        );
        assert_eq!(
            print_service(&cluster, now()).cells[2..5],
            [json!("None"), json!("<none>"), json!("<none>")]
        );
        let name = svc(
            json!({"type": "ExternalName", "externalName": "db.example.com"}),
            json!({}),
        );
        assert_eq!(external_ip(&name), "db.example.com");
        let sparse = json!({"spec": {"type": 1, "ports": [{"port": "80"}]}});
        assert_eq!(
            print_service(&sparse, now()).cells[1..7],
            [
                json!(""),
                json!("<none>"),
                json!("<unknown>"),
                json!("0/"),
                json!("<unknown>"),
                json!("<none>")
            ]
        );
    }

    #[test]
    fn endpoints_and_slices() {
        let ep = json!({"subsets": [
            {"addresses": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}], "ports": [{"port": 80}, {"port": 443}]},
            {"addresses": [{"ip": "fd00::1"}]}]});
        assert_eq!(
            format_endpoints(&ep),
            "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 2 more..."
        );
        assert_eq!(format_endpoints(&json!({})), "<none>");
        let slice = json!({"addressType": "IPv4",
            "ports": [{"port": 80}, {"name": "https"}, {}],
            "endpoints": [{"addresses": ["10.0.0.1", "10.0.0.2"]}, {"addresses": ["10.0.0.3", "10.0.0.4"]}]});
        assert_eq!(
            print_endpoint_slice(&slice, now()).cells[1..4],
            [
                json!("IPv4"),
                json!("80,https,*"),
                json!("10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...")
            ]
        );
        assert_eq!(
            print_endpoint_slice(&json!({}), now()).cells[1..4],
            [json!(""), json!("<unset>"), json!("<unset>")]
        );
    }

    #[test]
    fn ingresses() {
        let ing = json!({"spec": {"ingressClassName": "nginx", "tls": [{}],
            "rules": [{"host": "a"}, {}, {"host": "c"}, {"host": "d"}, {"host": "e"}]},
            "status": {"loadBalancer": {"ingress": [{"ip": "1.1.1.1"}]}}});
        assert_eq!(
            print_ingress(&ing, now()).cells[1..5],
            [
                json!("nginx"),
                json!("a,c,d + 2 more..."),
                json!("1.1.1.1"),
                json!("80, 443")
            ]
        );
        assert_eq!(
            print_ingress(&json!({}), now()).cells[1..5],
            [json!("<none>"), json!("*"), json!(""), json!("80")]
        );
        let class = json!({"spec": {"controller": "k8s.io/nginx",
            "parameters": {"apiGroup": "k8s.example.com", "kind": "Params", "name": "p"}}});
        assert_eq!(
            print_ingress_class(&class, now()).cells[1..3],
            [json!("k8s.io/nginx"), json!("Params.k8s.example.com/p")]
        );
        let np = json!({"spec": {"podSelector": {"matchLabels": {"role": "db"}}}});
        assert_eq!(print_network_policy(&np, now()).cells[1], "role=db");
        assert_eq!(print_network_policy(&json!({}), now()).cells[1], "<none>");
    }
}
