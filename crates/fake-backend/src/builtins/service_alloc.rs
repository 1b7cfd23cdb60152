//! The Service REST layer's allocations (pkg/registry/core/service/storage, Kubernetes
//! 1.35): cluster IPs from the service CIDR, node ports and health-check node ports from the
//! node-port range, for a single-stack IPv4 cluster with kind's and kubeadm's defaults
//! (`--service-cluster-ip-range=10.96.0.0/12`, `--service-node-port-range=30000-32767`).
//!
//! Written by hand: no crate reproduces kube-apiserver's allocators, and their rules (which
//! field is filled when, which 422 a conflict gets) are what tests notice. The store is the
//! only state: the addresses and ports in use are those of the stored Services, read at each
//! allocation, so deletion (of any kind), dry-run and fixture loading need no bookkeeping.
//! Where a real server picks at random, this picks the lowest free value of the dynamic
//! (upper) band first (KEP-3070, KEP-3668), so runs are reproducible.
//!
//! The order is the server's: `beginCreate` / `beginUpdate` (`patchAllocatedValues`,
//! `normalizeClusterIPs`, the allocations), then the strategy (`dropTypeDependentFields`) and
//! validation of the fields involved (see [`super::service_rules`]).

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr};

use kobj_core::{Error, FieldError, ResourceType, Result};
use serde_json::{Map, Value, json};

use super::service_rules::{self as rules, Svc};
use crate::cluster::State;
use crate::store::JsonRead;

/// The service CIDR's network address (10.96.0.0/12).
const NETWORK: u32 = 0x0A60_0000;
/// The service CIDR's prefix length.
const PREFIX: u32 = 12;
/// The first address handed out: the network address is not.
const FIRST_IP: u32 = NETWORK + 1;
/// The address of the `kubernetes` Service: the range's first (`GetIndexedIP(cidr, 1)`).
pub(crate) const KUBERNETES_SERVICE_IP: &str = "10.96.0.1";
/// The address the one API server advertises, behind the `kubernetes` Service's endpoints:
/// the address kind gives its control-plane node (the first of its Docker network).
pub(crate) const API_SERVER_ADDRESS: &str = "172.18.0.2";
/// The last address handed out: the broadcast address is not.
const LAST_IP: u32 = NETWORK + (1 << (32 - PREFIX)) - 2;
/// Where the dynamic band starts: `calculateRangeOffset` is min(max(16, size/16), 256).
const DYNAMIC_IP: u32 = FIRST_IP + 256;
/// The node-port range.
pub(crate) const PORT_MIN: i64 = 30000;
/// The node-port range's last port.
pub(crate) const PORT_MAX: i64 = 32767;
/// Where the node ports' dynamic band starts: min(max(16, size/32), 128) = 86 ports in.
const DYNAMIC_PORT: i64 = PORT_MIN + (PORT_MAX - PORT_MIN + 1) / 32;

/// Whether `info` is the core Service type.
pub(crate) fn is_service(rt: &ResourceType) -> bool {
    rt.api.group.is_empty() && rt.api.plural == "services"
}

/// The addresses and node ports held by stored Services other than the one written.
#[derive(Debug, Default)]
struct Used {
    /// Cluster IPs (IPv4, as integers).
    ips: BTreeSet<u32>,
    /// Node ports and health-check node ports.
    ports: BTreeSet<i64>,
}

impl Used {
    /// Scans the stored Services, leaving out the one at `skip` (the object updated).
    fn scan(st: &State, skip: &str) -> Self {
        let mut used = Used::default();
        let Some(table) = st.store.table("/services") else {
            return used;
        };
        for (key, stored) in table {
            if key.as_ref() as &str == skip {
                continue;
            }
            let view = stored.view();
            let Some(spec) = view.get("spec") else {
                continue;
            };
            let mut ips: Vec<&str> = spec
                .get("clusterIPs")
                .and_then(|l| l.items())
                .map(|items| items.filter_map(JsonRead::as_str).collect())
                .unwrap_or_default();
            if let Some(ip) = spec.get("clusterIP").and_then(JsonRead::as_str) {
                ips.push(ip);
            }
            for ip in ips {
                if let Ok(ip) = ip.parse::<Ipv4Addr>() {
                    used.ips.insert(u32::from(ip));
                }
            }
            let number = |v: Option<crate::store::View<'_>>| {
                v.and_then(|v| v.to_value().as_i64()).unwrap_or(0)
            };
            if let Some(ports) = spec.get("ports").and_then(|p| p.items()) {
                for p in ports {
                    let np = number(p.get("nodePort"));
                    if np != 0 {
                        used.ports.insert(np);
                    }
                }
            }
            let hc = number(spec.get("healthCheckNodePort"));
            if hc != 0 {
                used.ports.insert(hc);
            }
        }
        used
    }

    /// The lowest free address of the dynamic band, else of the static band.
    fn next_ip(&self) -> Option<u32> {
        (DYNAMIC_IP..=LAST_IP)
            .chain(FIRST_IP..DYNAMIC_IP)
            .find(|ip| !self.ips.contains(ip))
    }

    /// Reserves a requested address (`allocIPs`' error texts, with the MetaAllocator of
    /// 1.33+: an address outside every ServiceCIDR is a mismatched network).
    fn take_ip(&mut self, text: &str) -> std::result::Result<(), String> {
        let ip = match text.parse::<IpAddr>() {
            Ok(IpAddr::V4(ip)) => ip,
            Ok(IpAddr::V6(ip)) => match ip.to_ipv4_mapped() {
                Some(ip) => ip,
                None => return Err("the provided network does not match the current range".into()),
            },
            Err(_) => return Err(format!("failed to parse service IP {text:?}")),
        };
        let n = u32::from(ip);
        if n >> (32 - PREFIX) != NETWORK >> (32 - PREFIX) {
            return Err("the provided network does not match the current range".into());
        }
        if !(FIRST_IP..=LAST_IP).contains(&n) {
            return Err(format!("provided IP {ip} is not in the valid range"));
        }
        if !self.ips.insert(n) {
            return Err("provided IP is already allocated".into());
        }
        Ok(())
    }

    /// The lowest free port of the dynamic band, else of the static band; reserved.
    fn next_port(&mut self) -> Option<i64> {
        let port = (DYNAMIC_PORT..=PORT_MAX)
            .chain(PORT_MIN..DYNAMIC_PORT)
            .find(|p| !self.ports.contains(p))?;
        self.ports.insert(port);
        Some(port)
    }

    /// Reserves a requested port (portallocator's `Allocate`).
    fn take_port(&mut self, port: i64) -> std::result::Result<(), String> {
        if !(PORT_MIN..=PORT_MAX).contains(&port) {
            return Err(format!(
                "provided port is not in the valid range. The range of valid ports is {PORT_MIN}-{}",
                PORT_MAX
            ));
        }
        if !self.ports.insert(port) {
            return Err("provided port is already allocated".into());
        }
        Ok(())
    }
}

/// The Service's allocations and the checks of the fields involved, run after the field
/// manager (nothing set here is owned). `key` is the object's table key (its own addresses
/// and ports do not count as taken); `old` the stored version for an update. Errors are the
/// server's 422s (500 for a full range) and leave `obj` to be dropped.
pub(crate) fn allocate(
    st: &State,
    rt: &ResourceType,
    key: &str,
    obj: &mut Value,
    old: Option<&Value>,
) -> Result<()> {
    let name = crate::meta::meta_str(obj, "name").to_string();
    let invalid = |errors: Vec<FieldError>| Error::invalid(rt, &name, &errors);
    let old_value = old;
    let old = old.map(Svc::read);
    let Some(spec) = spec_of(obj) else {
        return Ok(());
    };
    let mut svc = Svc::read_spec(spec);
    if let Some(old) = &old {
        rules::patch_allocated_values(&mut svc, old);
    }
    rules::normalize_cluster_ips(&mut svc, old.as_ref());
    let mut used = Used::scan(st, key);
    rules::init_ip_family_fields(&mut svc, old.as_ref()).map_err(invalid)?;
    match &old {
        None => alloc_cluster_ips(rt, &name, &mut svc, &mut used)?,
        Some(old) => {
            if old.kind == "ExternalName" && svc.kind != "ExternalName" {
                alloc_cluster_ips(rt, &name, &mut svc, &mut used)?;
            }
        }
    }
    let before = old.clone().unwrap_or_default();
    if svc.needs_node_ports() {
        if old.is_some() {
            update_node_ports(&mut svc, &before, &mut used).or_full(rt, &name)?;
        } else {
            init_node_ports(&mut svc, &mut used).or_full(rt, &name)?;
        }
    }
    let needed = old.as_ref().is_some_and(Svc::needs_health_check);
    if svc.needs_health_check() && !needed {
        alloc_health_check(&mut svc, &mut used)?;
    }
    if let Some(old) = &old {
        rules::drop_type_dependent_fields(&mut svc, old);
    }
    let old_spec = old_value
        .and_then(|o| o.get("spec"))
        .and_then(Value::as_object);
    let errors = super::service_validation::validate(&svc, old.as_ref(), spec, old_spec);
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    svc.write(spec);
    Ok(())
}

/// The object's `spec`, created when absent (a Service always has one once decoded).
fn spec_of(obj: &mut Value) -> Option<&mut Map<String, Value>> {
    let map = obj.as_object_mut()?;
    let spec = map
        .entry("spec")
        .or_insert_with(|| Value::Object(Map::new()));
    if spec.is_null() {
        *spec = Value::Object(Map::new());
    }
    spec.as_object_mut()
}

/// `allocClusterIPs`: one address per family (here only IPv4) unless ExternalName or
/// headless; a requested address must be free and in range.
fn alloc_cluster_ips(rt: &ResourceType, name: &str, svc: &mut Svc, used: &mut Used) -> Result<()> {
    if svc.kind == "ExternalName" || svc.cluster_ips.first().is_some_and(|ip| ip == "None") {
        return Ok(());
    }
    let families = svc.families.clone();
    for (i, _family) in families.iter().enumerate() {
        if i >= svc.cluster_ips.len() {
            svc.cluster_ips.push(String::new());
        }
        let requested = svc.cluster_ips[i].clone();
        let ip = if requested.is_empty() {
            let next = used
                .next_ip()
                .ok_or_else(|| Error::internal("failed to allocate a serviceIP: range is full"))?;
            used.ips.insert(next);
            Ipv4Addr::from(next).to_string()
        } else {
            if let Err(why) = used.take_ip(&requested) {
                let value = json!(svc.cluster_ips);
                return Err(Error::invalid(
                    rt,
                    name,
                    &[FieldError::invalid(
                        "spec.clusterIPs",
                        value,
                        format!("failed to allocate IP {requested}: {why}"),
                    )],
                ));
            }
            requested
        };
        if i == 0 {
            svc.cluster_ip = ip.clone();
        }
        svc.cluster_ips[i] = ip;
    }
    Ok(())
}

/// The 422 of a node port that cannot be had.
fn node_port_error(i: usize, port: i64, why: String) -> Vec<FieldError> {
    vec![FieldError::invalid(
        format!("spec.ports[{i}].nodePort"),
        Value::from(port),
        why,
    )]
}

/// A full node-port range: no field errors (see [`OrFull`]).
fn ports_full() -> Vec<FieldError> {
    Vec::new()
}

/// `initNodePorts`: every port (unless `allocateLoadBalancerNodePorts` is false) gets a
/// node port; ports with the same number share one; requested ones are reserved.
fn init_node_ports(svc: &mut Svc, used: &mut Used) -> std::result::Result<(), Vec<FieldError>> {
    let allocate_all = svc.should_allocate_node_ports();
    let mut by_port: BTreeMap<i64, i64> = BTreeMap::new();
    for i in 0..svc.ports.len() {
        let (port, node_port) = (svc.ports[i].port, svc.ports[i].node_port);
        if node_port == 0 && !allocate_all {
            continue;
        }
        match by_port.get(&port).copied() {
            None => {
                let requested = svc
                    .ports
                    .iter()
                    .find(|p| p.port == port && p.node_port != 0)
                    .map_or(0, |p| p.node_port);
                let np = if requested != 0 {
                    used.take_port(requested)
                        .map_err(|why| node_port_error(i, requested, why))?;
                    requested
                } else {
                    used.next_port().ok_or_else(ports_full)?
                };
                svc.ports[i].node_port = np;
                by_port.insert(port, np);
            }
            Some(np) if node_port == 0 => svc.ports[i].node_port = np,
            Some(np) if node_port != np => {
                used.take_port(node_port)
                    .map_err(|why| node_port_error(i, node_port, why))?;
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// `updateNodePorts`: node ports the old version held stay held; new requested ones are
/// reserved; missing ones are allocated.
fn update_node_ports(
    svc: &mut Svc,
    old: &Svc,
    used: &mut Used,
) -> std::result::Result<(), Vec<FieldError>> {
    let allocate_all = svc.should_allocate_node_ports();
    let held: BTreeSet<i64> = old.ports.iter().map(|p| p.node_port).collect();
    let mut taken = BTreeSet::new();
    for i in 0..svc.ports.len() {
        let node_port = svc.ports[i].node_port;
        if node_port == 0 && !allocate_all {
            continue;
        }
        if node_port != 0 {
            if !held.contains(&node_port) && !taken.contains(&node_port) {
                used.take_port(node_port)
                    .map_err(|why| node_port_error(i, node_port, why))?;
                taken.insert(node_port);
            }
        } else {
            svc.ports[i].node_port = used.next_port().ok_or_else(ports_full)?;
        }
    }
    Ok(())
}

/// `allocHealthCheckNodePort`: the requested port, or the next free one; a failure is a 500.
fn alloc_health_check(svc: &mut Svc, used: &mut Used) -> Result<()> {
    let requested = svc.health_check_node_port;
    if requested != 0 {
        used.take_port(requested).map_err(|why| {
            Error::internal(format!(
                "failed to allocate requested HealthCheck NodePort {requested}: {why}"
            ))
        })?;
    } else {
        svc.health_check_node_port = used.next_port().ok_or_else(|| {
            Error::internal("failed to allocate a HealthCheck NodePort 0: range is full")
        })?;
    }
    Ok(())
}

/// Turns the errors of a node-port step into the server's status: a 422 when there are
/// field errors, else the 500 of a full range.
trait OrFull<T> {
    /// The error as a status.
    fn or_full(self, rt: &ResourceType, name: &str) -> Result<T>;
}

impl<T> OrFull<T> for std::result::Result<T, Vec<FieldError>> {
    fn or_full(self, rt: &ResourceType, name: &str) -> Result<T> {
        self.map_err(|errors| {
            if errors.is_empty() {
                Error::internal("failed to allocate a nodePort: range is full")
            } else {
                Error::invalid(rt, name, &errors)
            }
        })
    }
}
