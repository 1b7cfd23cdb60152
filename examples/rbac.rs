//! Testing an operator's RBAC with the fake: load its Role and RoleBinding as fixtures, run
//! its code as its service account, and see the API server's 403 for what the Role does not
//! grant, and the RBAC storages refuse a Role that grants more than its writer holds.
//!
//! ```sh
//! cargo run --example rbac
//! ```

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use k8s_openapi::api::rbac::v1::Role;
use kobj::fake::{FakeCluster, UserInfo};
use kobj::kube_core::params::{ListParams, PostParams};
use kobj::{CoreResourcesExt, ErrorKind};
use serde_json::json;

/// The operator's manifests, as it ships them.
const MANIFESTS: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: shop-operator, namespace: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: shop-operator, namespace: shop}
rules:
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list, watch, create, update, patch]
- apiGroups: [rbac.authorization.k8s.io]
  resources: [roles]
  verbs: [create]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: shop-operator, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: shop-operator}
subjects:
- {kind: ServiceAccount, name: shop-operator, namespace: shop}
"#;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cluster = FakeCluster::builder().fixtures_yaml(MANIFESTS).build()?;
    println!("loaded the operator's namespace, service account, Role and RoleBinding");

    // The operator's client: every request is made as its service account.
    let operator = cluster
        .impersonate(UserInfo::service_account("shop", "shop-operator"))
        .client("shop");

    let settings: ConfigMap = serde_json::from_value(json!({
        "metadata": {"name": "settings", "namespace": "shop"}, "data": {"mode": "fast"}
    }))?;
    operator
        .core()
        .create(&settings, &PostParams::default())
        .await?;
    println!("as the operator: created configmap shop/settings");

    // Its Role grants no Secrets: the server's 403.
    let err = operator
        .core()
        .list::<Secret>(Some("shop"), &ListParams::default())
        .await
        .expect_err("the Role grants no Secrets");
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    println!("as the operator: listing secrets is refused: {err}");

    // It may write Roles, but only of rules it holds: the RBAC storages refuse one granting
    // more.
    let wider: Role = serde_json::from_value(json!({
        "metadata": {"name": "wider", "namespace": "shop"},
        "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]
    }))?;
    let err = operator
        .core()
        .create(&wider, &PostParams::default())
        .await
        .expect_err("the operator holds no rights on Secrets");
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    println!("as the operator: creating a Role over secrets is refused: {err}");
    let reader: Role = serde_json::from_value(json!({
        "metadata": {"name": "settings-reader", "namespace": "shop"},
        "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}]
    }))?;
    operator
        .core()
        .create(&reader, &PostParams::default())
        .await?;
    println!("as the operator: created role shop/settings-reader (rules it holds)");

    // What `kubectl auth can-i --list --as=…` shows: the rules it holds in the namespace.
    let who = UserInfo::service_account("shop", "shop-operator");
    let can_read_secrets = cluster
        .authorize(
            &who,
            &kobj::fake::rbac::Attributes {
                verb: "get",
                target: kobj::fake::rbac::Target::Resource {
                    group: "",
                    resource: "secrets",
                    subresource: "",
                    namespace: "shop",
                    name: "db",
                },
            },
        )
        .allowed;
    assert!(!can_read_secrets);
    println!("get secrets/db allowed for the operator: {can_read_secrets}");
    println!("done");
    Ok(())
}
