//! RBAC's own objects: the bootstrap roles, the ClusterRole aggregation controller, and the
//! RBAC storages' escalation checks for roles and bindings written by an impersonated user.

use crate::common;

use common::rbac::*;
use common::{message, obj};
use kobj_core::CoreResources;
use kobj_fake::{FakeCluster, UserInfo};
use kube_core::params::{DeleteParams, GetParams, PostParams};
use serde_json::{Value, json};

#[tokio::test]
async fn the_bootstrap_roles_exist_and_are_aggregated() {
    let c = FakeCluster::new();
    let admin = get_cluster_role(&c, "cluster-admin").await;
    assert_eq!(
        admin["metadata"]["labels"]["kubernetes.io/bootstrapping"],
        "rbac-defaults"
    );
    let binding = c
        .get_object(
            &cluster_role_bindings(),
            None,
            "cluster-admin",
            &GetParams::default(),
        )
        .await
        .unwrap();
    assert_eq!(binding.data["subjects"][0]["name"], "system:masters");

    let view = get_cluster_role(&c, "view").await;
    let edit = get_cluster_role(&c, "edit").await;
    let admin_role = get_cluster_role(&c, "admin").await;
    assert!(grants(&view, "", "configmaps", "list"));
    assert!(
        !grants(&view, "", "secrets", "get"),
        "view does not read Secrets"
    );
    assert!(!grants(&view, "", "configmaps", "create"));
    // edit aggregates view (labelled aggregate-to-edit) and writes; admin aggregates edit and RBAC.
    assert!(grants(&edit, "", "configmaps", "list") && grants(&edit, "", "secrets", "create"));
    assert!(!grants(
        &edit,
        "rbac.authorization.k8s.io",
        "roles",
        "create"
    ));
    assert!(grants(
        &admin_role,
        "rbac.authorization.k8s.io",
        "rolebindings",
        "create"
    ));
    assert!(grants(&admin_role, "apps", "deployments", "delete"));
    // The controller's forced apply owns the rules.
    let managers: Vec<(&str, &str)> = view["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["manager"].as_str().unwrap(),
                m["operation"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        managers,
        [
            ("clusterrole-aggregation-controller", "Apply"),
            ("kube-apiserver", "Update")
        ]
    );
}

#[tokio::test]
async fn a_cluster_role_labelled_for_aggregation_joins_and_leaves_the_aggregate() {
    let c = FakeCluster::new();
    let widget_reader = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": "widget-reader", "labels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}},
        "rules": [{"apiGroups": ["example.com"], "resources": ["widgets"], "verbs": ["get", "list", "watch"]}]});
    create(&c, &cluster_roles(), None, widget_reader).await;
    // view, and through it edit and admin.
    for name in ["view", "edit", "admin"] {
        assert!(
            grants(
                &get_cluster_role(&c, name).await,
                "example.com",
                "widgets",
                "list"
            ),
            "{name}"
        );
    }
    // A rule already taken is not repeated.
    let view = get_cluster_role(&c, "view").await;
    let count = view["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["resources"] == json!(["widgets"]))
        .count();
    assert_eq!(count, 1);

    // An aggregated role of one's own.
    create(
        &c,
        &cluster_roles(),
        None,
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "widgets-all"},
               "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"widgets": "yes"}}]}}),
    )
    .await;
    // Nothing selected yet: no rules (`rules` has no omitempty in Go: null).
    assert_eq!(
        get_cluster_role(&c, "widgets-all").await.get("rules"),
        Some(&Value::Null)
    );
    create_labelled_cluster_role(
        &c,
        "b-writer",
        json!({"widgets": "yes"}),
        json!([{"apiGroups": ["example.com"], "resources": ["widgets"], "verbs": ["create"]}]),
    )
    .await;
    create_labelled_cluster_role(
        &c,
        "a-deleter",
        json!({"widgets": "yes"}),
        json!([{"apiGroups": ["example.com"], "resources": ["widgets"], "verbs": ["delete"]}]),
    )
    .await;
    // Sources by name: a-deleter's rule first.
    assert_eq!(
        get_cluster_role(&c, "widgets-all").await["rules"],
        json!([{"apiGroups": ["example.com"], "resources": ["widgets"], "verbs": ["delete"]},
               {"apiGroups": ["example.com"], "resources": ["widgets"], "verbs": ["create"]}])
    );
    c.delete_object(
        &cluster_roles(),
        None,
        "a-deleter",
        &DeleteParams::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        get_cluster_role(&c, "widgets-all").await["rules"],
        json!([{"apiGroups": ["example.com"], "resources": ["widgets"], "verbs": ["create"]}])
    );
    c.delete_object(
        &cluster_roles(),
        None,
        "widget-reader",
        &DeleteParams::default(),
    )
    .await
    .unwrap();
    assert!(!grants(
        &get_cluster_role(&c, "view").await,
        "example.com",
        "widgets",
        "list"
    ));
}

#[tokio::test]
async fn roles_and_bindings_cannot_grant_what_their_writer_lacks() {
    let c = FakeCluster::new();
    bind(
        &c,
        "default",
        "alice-admin",
        ("ClusterRole", "admin"),
        user("alice"),
    )
    .await;
    let alice = c.impersonate(UserInfo::new("alice"));
    let role = |name: &str, rules: Value| {
        obj(
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                   "metadata": {"name": name}, "rules": rules}),
        )
    };
    // Rules she holds (admin's) may be granted.
    alice
        .create_object(
            &roles(),
            Some("default"),
            &role(
                "pod-deleter",
                json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["delete"]}]),
            ),
            &PostParams::default(),
        )
        .await
        .unwrap();
    let before = c.dump_yaml().unwrap();
    let e = alice
        .create_object(
            &roles(),
            Some("default"),
            &role("widgets", json!([{"apiGroups": ["example.com"], "resources": ["widgets"], "verbs": ["get", "delete"]}])),
            &PostParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(403));
    assert_eq!(
        message(&e),
        "roles.rbac.authorization.k8s.io \"widgets\" is forbidden: user \"alice\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"example.com\"], Resources:[\"widgets\"], Verbs:[\"get\" \"delete\"]}"
    );
    let binding = |name: &str, role: &str| {
        obj(
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                   "metadata": {"name": name},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
                   "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "dave"}]}),
        )
    };
    let e = alice
        .create_object(
            &role_bindings(),
            Some("default"),
            &binding("dave-root", "cluster-admin"),
            &PostParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        "rolebindings.rbac.authorization.k8s.io \"dave-root\" is forbidden: user \"alice\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"*\"], Resources:[\"*\"], Verbs:[\"*\"]}\n{NonResourceURLs:[\"*\"], Verbs:[\"*\"]}"
    );
    // A missing role is the storage's 404.
    let e = alice
        .create_object(
            &role_bindings(),
            Some("default"),
            &binding("dave-none", "nosuch"),
            &PostParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(404));
    assert_eq!(
        message(&e),
        "clusterroles.rbac.authorization.k8s.io \"nosuch\" not found"
    );
    assert_eq!(c.dump_yaml().unwrap(), before);
    // view's rules are within admin's: she may bind it.
    alice
        .create_object(
            &role_bindings(),
            Some("default"),
            &binding("dave-view", "view"),
            &PostParams::default(),
        )
        .await
        .unwrap();

    // `bind` on a role lets one bind it without holding it.
    create(
        &c,
        &roles(),
        Some("default"),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "binder"},
               "rules": [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["rolebindings"], "verbs": ["create"]},
                         {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind"], "resourceNames": ["cluster-admin"]}]}),
    )
    .await;
    bind(&c, "default", "bob-binder", ("Role", "binder"), user("bob")).await;
    c.impersonate(UserInfo::new("bob"))
        .create_object(
            &role_bindings(),
            Some("default"),
            &binding("dave-root", "cluster-admin"),
            &PostParams::default(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn an_aggregation_rule_needs_full_authority() {
    let c = FakeCluster::new();
    create_cluster_role(&c, "role-writer", json!([{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["create"]}])).await;
    bind_cluster(
        &c,
        "carol-writer",
        "role-writer",
        json!([{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "carol"}]),
    )
    .await;
    let carol = c.impersonate(UserInfo::new("carol"));
    let e = carol
        .create_object(
            &cluster_roles(),
            None,
            &obj(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "agg"},
                        "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"x": "y"}}]}})),
            &PostParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        "clusterroles.rbac.authorization.k8s.io \"agg\" is forbidden: must have cluster-admin privileges to use the aggregationRule"
    );
    // Without one, a role of rules she holds is fine.
    carol
        .create_object(
            &cluster_roles(),
            None,
            &obj(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "plain"},
                        "rules": [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["create"]}]})),
            &PostParams::default(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn an_update_of_finalizers_alone_is_not_an_escalation() {
    use kube_core::params::{Patch, PatchParams};
    let c = FakeCluster::new();
    create_cluster_role(&c, "role-editor", json!([{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["get", "update", "patch"]}])).await;
    bind_cluster(&c, "hank-editor", "role-editor", user("hank")).await;
    // An aggregated role selecting nothing: its rules stay null.
    create(
        &c,
        &cluster_roles(),
        None,
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "empty-aggregate"},
               "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"nothing": "matches"}}]}}),
    )
    .await;
    let hank = c.impersonate(UserInfo::new("hank"));
    let finalizer = Patch::Merge(json!({"metadata": {"finalizers": ["example.com/keep"]}}));
    let patched = hank
        .patch_object(
            &cluster_roles(),
            None,
            "empty-aggregate",
            &finalizer,
            &PatchParams::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        patched.metadata.finalizers,
        Some(vec!["example.com/keep".to_string()])
    );
    // Anything more than the collector's fields is checked.
    let label = Patch::Merge(json!({"metadata": {"labels": {"a": "b"}}}));
    let e = hank
        .patch_object(
            &cluster_roles(),
            None,
            "empty-aggregate",
            &label,
            &PatchParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        "clusterroles.rbac.authorization.k8s.io \"empty-aggregate\" is forbidden: must have cluster-admin privileges to use the aggregationRule"
    );
}
