//! RBAC objects are validated as `ValidateRole` and `ValidateRoleBinding` validate them: a
//! rule needs verbs, API groups and resources; a binding's `roleRef` names a Role or
//! ClusterRole of `rbac.authorization.k8s.io` and may not change; subjects have known kinds.
//! 422 with the server's text, nothing stored.

use crate::common;

use common::*;
use kobj_core::{CustomObjects, ResourceType};
use kube_core::params::{Patch, PatchParams, PostParams};
use serde_json::json;

fn roles() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::rbac::v1::Role>()
}

fn role_bindings() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::rbac::v1::RoleBinding>()
}

#[tokio::test]
async fn a_rule_needs_verbs_groups_and_resources() {
    let c = cluster().await;
    refused_as_invalid(
        &c,
        &roles(),
        json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": "reader"},
            "rules": [{"resources": ["pods"]}, {"verbs": ["get"], "nonResourceURLs": ["/healthz"]}]
        }),
        "Role.rbac.authorization.k8s.io \"reader\" is invalid: [rules[0].verbs: Required value: \
         verbs must contain at least one value, rules[0].apiGroups: Required value: resource \
         rules must supply at least one api group, rules[1].nonResourceURLs: Invalid value: \
         [\"/healthz\"]: namespaced rules cannot apply to non-resource URLs]",
    )
    .await;
}

#[tokio::test]
async fn a_binding_names_a_role_and_keeps_it() {
    let c = cluster().await;
    let binding = |role_kind: &str, role: &str, subject_kind: &str| {
        json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "read"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
            "subjects": [{"kind": subject_kind, "name": "app", "namespace": "default"}]
        })
    };
    refused_as_invalid(
        &c,
        &role_bindings(),
        binding("Policy", "reader", "Robot"),
        "RoleBinding.rbac.authorization.k8s.io \"read\" is invalid: [roleRef.kind: Unsupported \
         value: \"Policy\": supported values: \"Role\", \"ClusterRole\", subjects[0].kind: \
         Unsupported value: \"Robot\": supported values: \"ServiceAccount\", \"User\", \"Group\"]",
    )
    .await;
    c.create_object(
        &role_bindings(),
        Some("default"),
        &obj(binding("Role", "reader", "ServiceAccount")),
        &PostParams::default(),
    )
    .await
    .unwrap();
    let before = c.dump_yaml().unwrap();
    let e = c
        .patch_object(
            &role_bindings(),
            Some("default"),
            "read",
            &Patch::Merge(json!({"roleRef": {"name": "writer"}})),
            &PatchParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        "RoleBinding.rbac.authorization.k8s.io \"read\" is invalid: roleRef: Invalid value: \
         {\"APIGroup\":\"rbac.authorization.k8s.io\",\"Kind\":\"Role\",\"Name\":\"writer\"}: \
         cannot change roleRef"
    );
    assert_eq!(c.dump_yaml().unwrap(), before);
}
