//! Discovery (rules 52–53): `/version`, `/api`, `/apis`, `/apis/<group>`, `/api/v1` and
//! `/apis/<group>/<version>` as legacy JSON, and aggregated discovery
//! (`apidiscovery.k8s.io/v2`) on `/api` and `/apis` for clients that ask for it. Built from the
//! fake's registry on every request, so CRDs appear and disappear as they are installed and
//! removed.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::response::Response;
use http::{Method, StatusCode, header};
use kobj_core::Error;
use kobj_fake::TypeInfo;
use kobj_fake::registry::compare_versions;
use serde_json::{Value, json};

use crate::app::{App, Incoming};
use crate::negotiate::{Format, Offers, negotiate};
use crate::path::ApiPath;
use crate::respond;

/// The Content-Type of an aggregated discovery document (client-go picks the format by it).
pub(crate) const AGGREGATED: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// A custom resource's verbs, in the order of the apiextensions discovery controller's
/// literal list.
const CUSTOM_RESOURCE_VERBS: &[&str] = &[
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "create",
    "update",
    "watch",
];
/// A built-in resource's verbs, sorted as `registerResourceHandlers` sorts them.
const BUILTIN_RESOURCE_VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
const TERMINATING_VERBS: &[&str] = &["delete", "deletecollection", "get", "list", "watch"];
const NAMESPACE_VERBS: &[&str] = &[
    "create", "delete", "get", "list", "patch", "update", "watch",
];
const SUBRESOURCE_VERBS: &[&str] = &["get", "patch", "update"];
/// The reviews (access, rules, token and self-subject reviews) serve create alone.
const CREATE_ONLY_VERBS: &[&str] = &["create"];
/// The verbs of a Namespace's `finalize`.
const UPDATE_ONLY_VERBS: &[&str] = &["update"];
/// The verbs of a read-only subresource (a Pod's `log`).
const GET_ONLY_VERBS: &[&str] = &["get"];
/// The verbs of a connect subresource (`exec`, `attach`, `portforward`), as discovery lists
/// them.
const CONNECT_VERBS: &[&str] = &["create", "get"];

fn method_not_allowed() -> Response {
    respond::error(&Error::method_not_routed())
}

/// `/version`.
pub(crate) fn version(app: &App, req: &Incoming) -> Response {
    if req.method != Method::GET {
        return method_not_allowed();
    }
    let git = &app.config.git_version;
    let numbers: Vec<&str> = git
        .trim_start_matches('v')
        .split(['.', '-', '+'])
        .take(2)
        .collect();
    let major = numbers.first().copied().unwrap_or("1");
    let minor = numbers.get(1).copied().unwrap_or("0");
    let min_minor = minor
        .parse::<u32>()
        .map_or_else(|_| minor.to_string(), |m| m.saturating_sub(1).to_string());
    let body = json!({
        "major": major,
        "minor": minor,
        "emulationMajor": major,
        "emulationMinor": minor,
        "minCompatibilityMajor": major,
        "minCompatibilityMinor": min_minor,
        "gitVersion": git,
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2025-01-01T00:00:00Z",
        "goVersion": "kobj",
        "compiler": "rustc",
        "platform": format!("{}/{}", std::env::consts::OS, go_arch()),
    });
    respond::object(StatusCode::OK, Format::Json, &body)
}

fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

/// The discovery paths of [`ApiPath`].
pub(crate) fn serve(app: &App, req: &Incoming, path: &ApiPath<'_>) -> Response {
    if req.method != Method::GET {
        return method_not_allowed();
    }
    let aggregated = matches!(path, ApiPath::CoreVersions | ApiPath::Groups);
    let offers = Offers {
        tables: false,
        aggregated_discovery: aggregated,
        yaml: true,
    };
    let format = match negotiate(req.header(header::ACCEPT), offers) {
        Ok(f) => f,
        Err(e) => return respond::error(&e),
    };
    let infos = app.cluster.type_infos();
    let groups = by_group(&infos);
    let body = match path {
        ApiPath::CoreVersions if format == Format::AggregatedDiscovery => {
            return aggregated_response(groups.iter().filter(|(g, _)| g.is_empty()));
        }
        ApiPath::Groups if format == Format::AggregatedDiscovery => {
            return aggregated_response(groups.iter().filter(|(g, _)| !g.is_empty()));
        }
        ApiPath::CoreVersions => {
            let host = req.header(header::HOST).unwrap_or("127.0.0.1");
            json!({
                "kind": "APIVersions",
                "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": host}],
            })
        }
        ApiPath::Groups => {
            let list: Vec<Value> = groups
                .iter()
                .filter(|(g, _)| !g.is_empty())
                .map(|(g, versions)| api_group(g, versions))
                .collect();
            json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": list})
        }
        ApiPath::Group(group) => match groups.get(*group) {
            Some(versions) => {
                let mut g = api_group(group, versions);
                if let Some(map) = g.as_object_mut() {
                    map.insert("kind".into(), "APIGroup".into());
                    map.insert("apiVersion".into(), "v1".into());
                }
                g
            }
            None => return respond::page_not_found(),
        },
        ApiPath::Resources { group, version } => {
            match groups.get(*group).and_then(|v| v.get(*version)) {
                Some(types) => resource_list(group, version, types),
                None => return respond::page_not_found(),
            }
        }
        ApiPath::Resource(_) => return respond::page_not_found(),
    };
    respond::object(StatusCode::OK, format, &body)
}

type Groups<'a> = BTreeMap<&'a str, BTreeMap<&'a str, Vec<&'a Arc<TypeInfo>>>>;

fn by_group(infos: &[Arc<TypeInfo>]) -> Groups<'_> {
    let mut groups: Groups<'_> = BTreeMap::new();
    for info in infos {
        let api = &info.resource.api;
        groups
            .entry(api.group.as_str())
            .or_default()
            .entry(api.version.as_str())
            .or_default()
            .push(info);
    }
    groups
}

/// Versions in Kubernetes version order, the preferred (highest) first (rule 50):
/// GA before beta before alpha, higher numbers first, then other names alphabetically.
fn sorted_versions<'a>(versions: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut v: Vec<&str> = versions.collect();
    v.sort_by(|a, b| compare_versions(b, a));
    v
}

fn group_version(group: &str, version: &str) -> String {
    if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    }
}

fn api_group(group: &str, versions: &BTreeMap<&str, Vec<&Arc<TypeInfo>>>) -> Value {
    let ordered = sorted_versions(versions.keys().copied());
    let entries: Vec<Value> = ordered
        .iter()
        .map(|v| json!({"groupVersion": group_version(group, v), "version": v}))
        .collect();
    let preferred = entries.first().cloned().unwrap_or(Value::Null);
    json!({"name": group, "versions": entries, "preferredVersion": preferred})
}

/// The subresources of an object the router serves beyond scale and the create-only ones,
/// with their verbs: those that read and write the object (`status`, a Pod's
/// `ephemeralcontainers` and `resize`, a CSR's `approval`), a Pod's read-only `log`, and its
/// connect subresources, which the fake refuses as a server without a kubelet does.
fn object_subresources(
    info: &TypeInfo,
) -> impl Iterator<Item = (&'static str, &'static [&'static str])> {
    let api = &info.resource.api;
    let pods = api.group.is_empty() && api.plural == "pods";
    let csr = api.group == "certificates.k8s.io" && api.plural == "certificatesigningrequests";
    let namespaces = api.group.is_empty() && api.plural == "namespaces";
    [
        (csr, "approval", SUBRESOURCE_VERBS),
        (namespaces, "finalize", UPDATE_ONLY_VERBS),
        (pods, "ephemeralcontainers", SUBRESOURCE_VERBS),
        (pods, "resize", SUBRESOURCE_VERBS),
        (info.status, "status", SUBRESOURCE_VERBS),
        (pods, "log", GET_ONLY_VERBS),
        (pods, "attach", CONNECT_VERBS),
        (pods, "exec", CONNECT_VERBS),
        (pods, "portforward", CONNECT_VERBS),
    ]
    .into_iter()
    .filter_map(|(served, sub, verbs)| served.then_some((sub, verbs)))
}

/// The create-only subresources the router serves beyond status and scale: name, and the
/// group, version and kind of what they take (kubectl drain looks for `pods/eviction`).
fn create_subresources(
    info: &TypeInfo,
) -> &'static [(&'static str, &'static str, &'static str, &'static str)] {
    let api = &info.resource.api;
    match (api.group.as_str(), api.plural.as_str()) {
        ("", "pods") => &[
            ("binding", "", "v1", "Binding"),
            ("eviction", "policy", "v1", "Eviction"),
        ],
        ("", "serviceaccounts") => &[("token", "authentication.k8s.io", "v1", "TokenRequest")],
        _ => &[],
    }
}

fn verbs(info: &TypeInfo) -> &'static [&'static str] {
    if info.create_only {
        CREATE_ONLY_VERBS
    } else if info.terminating {
        TERMINATING_VERBS
    } else if info.resource.api.group.is_empty() && info.resource.api.plural == "namespaces" {
        NAMESPACE_VERBS
    } else if info.is_custom() {
        CUSTOM_RESOURCE_VERBS
    } else {
        BUILTIN_RESOURCE_VERBS
    }
}

fn resource_list(group: &str, version: &str, types: &[&Arc<TypeInfo>]) -> Value {
    let mut resources = Vec::new();
    for info in types {
        let api = &info.resource.api;
        let namespaced = info.resource.is_namespaced();
        let mut r = json!({
            "name": api.plural,
            "singularName": info.singular,
            "namespaced": namespaced,
            "kind": api.kind,
            "verbs": verbs(info),
        });
        if let Some(map) = r.as_object_mut() {
            if !info.short_names.is_empty() {
                map.insert("shortNames".into(), json!(info.short_names));
            }
            if !info.categories.is_empty() {
                map.insert("categories".into(), json!(info.categories));
            }
        }
        resources.push(r);
        for (sub, verbs) in object_subresources(info) {
            resources.push(json!({
                "name": format!("{}/{sub}", api.plural),
                "singularName": "",
                "namespaced": namespaced,
                "kind": api.kind,
                "verbs": verbs,
            }));
        }
        if info.scale.is_some() {
            resources.push(json!({
                "name": format!("{}/scale", api.plural),
                "singularName": "",
                "namespaced": namespaced,
                "group": "autoscaling",
                "version": "v1",
                "kind": "Scale",
                "verbs": SUBRESOURCE_VERBS,
            }));
        }
        for (sub, group, version, kind) in create_subresources(info) {
            let mut r = json!({
                "name": format!("{}/{sub}", api.plural),
                "singularName": "",
                "namespaced": namespaced,
                "kind": kind,
                "verbs": CREATE_ONLY_VERBS,
            });
            // `group` and `version` are `omitempty`: set for another group's kind only.
            if let (false, Some(map)) = (group.is_empty(), r.as_object_mut()) {
                map.insert("group".into(), json!(group));
                map.insert("version".into(), json!(version));
            }
            resources.push(r);
        }
    }
    json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version(group, version),
        "resources": resources,
    })
}

fn aggregated_resource(info: &TypeInfo) -> Value {
    let api = &info.resource.api;
    let kind = json!({"group": api.group, "version": api.version, "kind": api.kind});
    let mut subresources = Vec::new();
    for (sub, verbs) in object_subresources(info) {
        subresources.push(json!({"subresource": sub, "responseKind": kind, "verbs": verbs}));
    }
    if info.scale.is_some() {
        subresources.push(json!({
            "subresource": "scale",
            "responseKind": {"group": "autoscaling", "version": "v1", "kind": "Scale"},
            "verbs": SUBRESOURCE_VERBS,
        }));
    }
    for (sub, group, version, kind) in create_subresources(info) {
        subresources.push(json!({
            "subresource": sub,
            "responseKind": {"group": group, "version": version, "kind": kind},
            "verbs": CREATE_ONLY_VERBS,
        }));
    }
    let mut r = json!({
        "resource": api.plural,
        "responseKind": kind,
        "scope": if info.resource.is_namespaced() { "Namespaced" } else { "Cluster" },
        "singularResource": info.singular,
        "verbs": verbs(info),
    });
    if let Some(map) = r.as_object_mut() {
        if !info.short_names.is_empty() {
            map.insert("shortNames".into(), json!(info.short_names));
        }
        if !info.categories.is_empty() {
            map.insert("categories".into(), json!(info.categories));
        }
        if !subresources.is_empty() {
            map.insert("subresources".into(), Value::Array(subresources));
        }
    }
    r
}

fn aggregated_response<'a>(
    groups: impl Iterator<Item = (&'a &'a str, &'a BTreeMap<&'a str, Vec<&'a Arc<TypeInfo>>>)>,
) -> Response {
    let items: Vec<Value> = groups
        .map(|(group, versions)| {
            let ordered = sorted_versions(versions.keys().copied());
            let entries: Vec<Value> = ordered
                .iter()
                .map(|v| {
                    let resources: Vec<Value> = versions
                        .get(v)
                        .map(|types| types.iter().map(|t| aggregated_resource(t)).collect())
                        .unwrap_or_default();
                    json!({"version": v, "resources": resources, "freshness": "Current"})
                })
                .collect();
            json!({"metadata": {"name": group, "creationTimestamp": null}, "versions": entries})
        })
        .collect();
    let body = json!({
        "kind": "APIGroupDiscoveryList",
        "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": {},
        "items": items,
    });
    respond::bytes_response(StatusCode::OK, AGGREGATED, respond::to_json_bytes(&body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubernetes_version_order() {
        let v = sorted_versions(
            [
                "v1alpha1",
                "v1",
                "v2beta1",
                "v1beta2",
                "v2",
                "foo",
                "v10",
                "v11alpha2",
            ]
            .into_iter(),
        );
        assert_eq!(
            v,
            [
                "v10",
                "v2",
                "v1",
                "v2beta1",
                "v1beta2",
                "v11alpha2",
                "v1alpha1",
                "foo"
            ]
        );
    }
}
