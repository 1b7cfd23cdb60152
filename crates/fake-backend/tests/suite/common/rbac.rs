//! What the RBAC tests share: the RBAC types, and writing roles and bindings as the fake's
//! own (unauthorized) user.

use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use kobj_core::{CustomObjects, ResourceType};
use kobj_fake::FakeCluster;
use kube_core::params::{GetParams, PostParams};
use serde_json::{Value, json};

use super::obj;

pub fn roles() -> ResourceType {
    ResourceType::of::<Role>()
}
pub fn role_bindings() -> ResourceType {
    ResourceType::of::<RoleBinding>()
}
pub fn cluster_roles() -> ResourceType {
    ResourceType::of::<ClusterRole>()
}
pub fn cluster_role_bindings() -> ResourceType {
    ResourceType::of::<ClusterRoleBinding>()
}

/// Creates `body` of `rt` (in `ns`) as the fake's own user.
pub async fn create(c: &FakeCluster, rt: &ResourceType, ns: Option<&str>, body: Value) -> Value {
    let made = c
        .create_object(rt, ns, &obj(body), &PostParams::default())
        .await
        .unwrap();
    serde_json::to_value(made).unwrap()
}

/// A RoleBinding `name` in `ns` of `role_ref` (`Role`/`ClusterRole`, name) to `subjects`.
pub async fn bind(c: &FakeCluster, ns: &str, name: &str, role_ref: (&str, &str), subjects: Value) {
    create(
        c,
        &role_bindings(),
        Some(ns),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
               "metadata": {"name": name},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_ref.0, "name": role_ref.1},
               "subjects": subjects}),
    )
    .await;
}

/// A ClusterRoleBinding `name` of the ClusterRole `role` to `subjects`.
pub async fn bind_cluster(c: &FakeCluster, name: &str, role: &str, subjects: Value) {
    create(
        c,
        &cluster_role_bindings(),
        None,
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
               "metadata": {"name": name},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
               "subjects": subjects}),
    )
    .await;
}

pub fn user(name: &str) -> Value {
    json!([{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": name}])
}

pub async fn get_cluster_role(c: &FakeCluster, name: &str) -> Value {
    let got = c
        .get_object(&cluster_roles(), None, name, &GetParams::default())
        .await
        .unwrap();
    serde_json::to_value(got).unwrap()
}

/// Whether the rules of `role` include one granting `verb` on `resource` of `group`.
pub fn grants(role: &Value, group: &str, resource: &str, verb: &str) -> bool {
    role["rules"].as_array().into_iter().flatten().any(|r| {
        let has = |key: &str, want: &str| {
            r[key]
                .as_array()
                .is_some_and(|l| l.iter().any(|v| v == want || v == "*"))
        };
        has("apiGroups", group) && has("resources", resource) && has("verbs", verb)
    })
}

/// A ClusterRole `name` with `rules` (or, for `Value::Null`, none), written by the fake's own
/// user.
pub async fn create_cluster_role(c: &FakeCluster, name: &str, rules: Value) {
    create_labelled_cluster_role(c, name, json!({}), rules).await;
}

/// [`create_cluster_role`] with `labels`.
pub async fn create_labelled_cluster_role(
    c: &FakeCluster,
    name: &str,
    labels: Value,
    rules: Value,
) {
    let mut body = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                          "metadata": {"name": name, "labels": labels}});
    if !rules.is_null() {
        body["rules"] = rules;
    }
    create(c, &cluster_roles(), None, body).await;
}
