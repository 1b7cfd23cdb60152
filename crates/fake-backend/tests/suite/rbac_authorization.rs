//! Authorization: handles made by `FakeCluster::impersonate` are authorized by the cluster's
//! RBAC objects as the server's RBAC authorizer does (exact 403 texts, the privileged group,
//! subresources, resource names, role bindings to cluster roles, service accounts, an apply
//! that creates). The reviews are in `rbac_reviews.rs`.

use crate::common;

use common::rbac::*;
use common::{configmap, configmaps, message, namespaces, obj, pods, status};
use futures::StreamExt;
use k8s_openapi::api::authorization::v1::SubjectAccessReview;
use kobj_core::{CoreResources, ErrorKind, ResourceType};
use kobj_fake::actions::{ActionFilter, Outcome, Verb};
use kobj_fake::{FakeCluster, UserInfo};
use kube_core::params::{DeleteParams, GetParams, ListParams, PostParams};
use serde_json::json;

#[tokio::test]
async fn an_impersonated_user_without_bindings_is_refused_with_the_servers_403() {
    let c = FakeCluster::new();
    let alice = c.impersonate(UserInfo::new("alice"));
    let before = c.dump_yaml().unwrap();

    let e = alice
        .list_objects(&configmaps(), Some("default"), &ListParams::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden);
    assert_eq!(e.code(), Some(403));
    assert_eq!(
        message(&e),
        r#"configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" in the namespace "default""#
    );
    let details = status(&e).details.as_ref().unwrap();
    assert_eq!(
        (details.kind.as_str(), details.name.as_str()),
        ("configmaps", "")
    );

    // A create names no object (the name is in the body, not the path); a cluster-scoped
    // request names the cluster scope.
    let e = alice
        .create_object(
            &configmaps(),
            Some("default"),
            &configmap("c", json!({})),
            &PostParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        r#"configmaps is forbidden: User "alice" cannot create resource "configmaps" in API group "" in the namespace "default""#
    );
    let e = alice
        .delete_object(
            &common::deployments(),
            Some("web"),
            "api",
            &DeleteParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        r#"deployments.apps "api" is forbidden: User "alice" cannot delete resource "deployments" in API group "apps" in the namespace "web""#
    );
    assert_eq!(status(&e).details.as_ref().unwrap().group, "apps");
    let e = alice
        .list_objects(&namespaces(), None, &ListParams::default())
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        r#"namespaces is forbidden: User "alice" cannot list resource "namespaces" in API group "" at the cluster scope"#
    );
    // Across namespaces is at the cluster scope too.
    let e = alice
        .list_objects(&configmaps(), None, &ListParams::default())
        .await
        .unwrap_err();
    assert!(
        message(&e).ends_with(r#"in API group "" at the cluster scope"#),
        "{e}"
    );

    // Nothing was written, and the log shows the refusals as the server's answers.
    assert_eq!(c.dump_yaml().unwrap(), before);
    let refused = c.actions().matching(&ActionFilter::verb(Verb::Create));
    assert!(matches!(
        refused.last().map(|a| &a.outcome),
        Some(Outcome::Failure { code: 403, reason, .. }) if reason == "Forbidden"
    ));
    // The fake's own handle is not authorized at all (it is in system:masters).
    c.list_objects(&configmaps(), Some("default"), &ListParams::default())
        .await
        .unwrap();
    assert_eq!(c.user(), UserInfo::admin());
    assert_eq!(alice.user().username, "alice");
}

#[tokio::test]
async fn a_role_binding_to_view_allows_reads_in_its_namespace_only() {
    let c = FakeCluster::new();
    c.create_object(
        &namespaces(),
        None,
        &obj(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}})),
        &PostParams::default(),
    )
    .await
    .unwrap();
    create(
        &c,
        &configmaps(),
        Some("default"),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}),
    )
    .await;
    bind(
        &c,
        "default",
        "alice-view",
        ("ClusterRole", "view"),
        user("alice"),
    )
    .await;
    let alice = c.impersonate(UserInfo::new("alice"));

    alice
        .get_object(&configmaps(), Some("default"), "c", &GetParams::default())
        .await
        .unwrap();
    alice
        .list_objects(&configmaps(), Some("default"), &ListParams::default())
        .await
        .unwrap();
    // view does not write, nor read Secrets, nor reach another namespace.
    let e = alice
        .delete_object(
            &configmaps(),
            Some("default"),
            "c",
            &DeleteParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(403));
    let e = alice
        .list_objects(&common::secrets(), Some("default"), &ListParams::default())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(403));
    let e = alice
        .list_objects(&configmaps(), Some("other"), &ListParams::default())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(403));

    // Why it was allowed, as a SubjectAccessReview reports it.
    let review = c
        .create_object(
            &ResourceType::of::<SubjectAccessReview>(),
            None,
            &obj(json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
                        "spec": {"user": "alice", "resourceAttributes": {"namespace": "default", "verb": "get", "resource": "configmaps"}}})),
            &PostParams::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        review.data["status"],
        json!({"allowed": true, "reason": "RBAC: allowed by RoleBinding \"alice-view/default\" of ClusterRole \"view\" to User \"alice\""})
    );
}

#[tokio::test]
async fn subresources_resource_names_and_service_accounts_follow_the_rules() {
    let c = FakeCluster::new();
    create(
        &c,
        &roles(),
        Some("default"),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "one-map"},
               "rules": [
                   {"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["settings"], "verbs": ["get", "update"]},
                   {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]}]}),
    )
    .await;
    // A ServiceAccount subject without a namespace is the binding's namespace's.
    bind(
        &c,
        "default",
        "deployer",
        ("Role", "one-map"),
        json!([{"kind": "ServiceAccount", "name": "deployer"}]),
    )
    .await;
    create(
        &c,
        &configmaps(),
        Some("default"),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}}),
    )
    .await;
    create(
        &c,
        &configmaps(),
        Some("default"),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "other"}}),
    )
    .await;
    let sa = c.impersonate(UserInfo::service_account("default", "deployer"));

    sa.get_object(
        &configmaps(),
        Some("default"),
        "settings",
        &GetParams::default(),
    )
    .await
    .unwrap();
    let e = sa
        .get_object(
            &configmaps(),
            Some("default"),
            "other",
            &GetParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        r#"configmaps "other" is forbidden: User "system:serviceaccount:default:deployer" cannot get resource "configmaps" in API group "" in the namespace "default""#
    );
    // Names never cover a list, unless its field selector names the object (the server's
    // RequestInfo takes the name from `metadata.name=`).
    let e = sa
        .list_objects(&configmaps(), Some("default"), &ListParams::default())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(403));
    create(
        &c,
        &roles(),
        Some("default"),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "watch-one"},
               // Names with two resources are valid (no rule of ValidatePolicyRule refuses them).
               "rules": [{"apiGroups": [""], "resources": ["configmaps", "secrets"], "resourceNames": ["settings"], "verbs": ["list", "watch"]}]}),
    )
    .await;
    bind(
        &c,
        "default",
        "deployer-watch",
        ("Role", "watch-one"),
        json!([{"kind": "ServiceAccount", "name": "deployer"}]),
    )
    .await;
    let one = ListParams::default().fields("metadata.name=settings");
    let listed = sa
        .list_objects(&configmaps(), Some("default"), &one)
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1);
    let mut events = sa
        .watch_objects(
            &configmaps(),
            Some("default"),
            &kube_core::params::WatchParams::default().fields("metadata.name=settings"),
            "0",
        )
        .await
        .unwrap();
    let first = tokio::time::timeout(std::time::Duration::from_secs(5), events.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(
        matches!(&first, kube_core::WatchEvent::Added(o) if o.metadata.name.as_deref() == Some("settings")),
        "{first:?}"
    );
    let e = sa
        .list_objects(
            &configmaps(),
            Some("default"),
            &ListParams::default().fields("metadata.name=other"),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(403));
    // `pods/log` is not `pods`.
    let e = sa
        .get_object(&pods(), Some("default"), "p", &GetParams::default())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(403));
    // Another namespace's account of the same name is someone else.
    let other = c.impersonate(UserInfo::service_account("kube-system", "deployer"));
    let e = other
        .get_object(
            &configmaps(),
            Some("default"),
            "settings",
            &GetParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(403));

    // A binding whose role is missing: the denial gives the lister's error as its reason.
    bind(
        &c,
        "default",
        "dangling",
        ("ClusterRole", "nosuch"),
        user("bob"),
    )
    .await;
    let e = c
        .impersonate(UserInfo::new("bob"))
        .list_objects(&configmaps(), Some("default"), &ListParams::default())
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        r#"configmaps is forbidden: User "bob" cannot list resource "configmaps" in API group "" in the namespace "default": RBAC: clusterrole.rbac.authorization.k8s.io "nosuch" not found"#
    );
}

#[tokio::test]
async fn a_group_given_with_the_user_is_bound_and_system_masters_may_do_anything() {
    let c = FakeCluster::new();
    bind_cluster(
        &c,
        "devs-edit",
        "edit",
        json!([{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "devs"}]),
    )
    .await;
    let carol = c.impersonate(UserInfo::new("carol").with_groups(["devs"]));
    assert_eq!(carol.user().groups, ["devs", "system:authenticated"]);
    carol
        .create_object(
            &configmaps(),
            Some("default"),
            &configmap("made", json!({})),
            &PostParams::default(),
        )
        .await
        .unwrap();
    // edit does not grant RBAC writes.
    let e = carol
        .list_objects(&roles(), Some("default"), &ListParams::default())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(403));
    let root = c.impersonate(UserInfo::new("root").with_groups(["system:masters"]));
    root.list_objects(&roles(), Some("default"), &ListParams::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn an_apply_that_creates_needs_create_too() {
    use kube_core::params::{Patch, PatchParams};
    let c = FakeCluster::new();
    create(
        &c,
        &roles(),
        Some("default"),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "patcher"},
               "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["patch"]}]}),
    )
    .await;
    bind(
        &c,
        "default",
        "alice-patcher",
        ("Role", "patcher"),
        user("alice"),
    )
    .await;
    create(
        &c,
        &configmaps(),
        Some("default"),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "there"}}),
    )
    .await;
    let alice = c.impersonate(UserInfo::new("alice"));
    let apply = |name: &str| {
        Patch::Apply(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": "v"}}),
        )
    };
    let pp = PatchParams::apply("alice");
    alice
        .patch_object(
            &configmaps(),
            Some("default"),
            "there",
            &apply("there"),
            &pp,
        )
        .await
        .unwrap();
    let before = c.dump_yaml().unwrap();
    let e = alice
        .patch_object(&configmaps(), Some("default"), "new", &apply("new"), &pp)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(403));
    // The authorizer's reason alone, empty for a plain RBAC denial.
    assert_eq!(message(&e), "configmaps \"new\" is forbidden: ");
    assert_eq!(c.dump_yaml().unwrap(), before);
    // With create as well, the apply creates it.
    create(
        &c,
        &roles(),
        Some("default"),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "creator"},
               "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["create"]}]}),
    )
    .await;
    bind(
        &c,
        "default",
        "alice-creator",
        ("Role", "creator"),
        user("alice"),
    )
    .await;
    let made = alice
        .patch_object(&configmaps(), Some("default"), "new", &apply("new"), &pp)
        .await
        .unwrap();
    assert_eq!(made.data["data"]["k"], "v");
}
