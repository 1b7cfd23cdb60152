//! Authorization: handles made by `FakeCluster::impersonate` are authorized by the cluster's
//! RBAC objects as the server's RBAC authorizer does (exact 403 texts, the privileged group,
//! subresources, resource names, role bindings to cluster roles, service accounts), the access
//! and rules reviews evaluate the same rules, the bootstrap roles exist, and the aggregation
//! controller keeps aggregated ClusterRoles' rules.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{configmap, configmaps, message, namespaces, obj, pods, status};
use futures::StreamExt;
use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use k8s_openapi::api::authorization::v1::{
    LocalSubjectAccessReview, SelfSubjectAccessReview, SelfSubjectRulesReview, SubjectAccessReview,
};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use kobj_core::{CoreResources, ErrorKind, ResourceType};
use kobj_fake::actions::{ActionFilter, Outcome, Verb};
use kobj_fake::{FakeCluster, UserInfo};
use kube_core::params::{DeleteParams, GetParams, ListParams, PostParams};
use serde_json::{Value, json};

fn roles() -> ResourceType {
    ResourceType::of::<Role>()
}
fn role_bindings() -> ResourceType {
    ResourceType::of::<RoleBinding>()
}
fn cluster_roles() -> ResourceType {
    ResourceType::of::<ClusterRole>()
}
fn cluster_role_bindings() -> ResourceType {
    ResourceType::of::<ClusterRoleBinding>()
}

/// Creates `body` of `rt` (in `ns`) as the fake's own user.
async fn create(c: &FakeCluster, rt: &ResourceType, ns: Option<&str>, body: Value) -> Value {
    let made = c
        .create_object(rt, ns, &obj(body), &PostParams::default())
        .await
        .unwrap();
    serde_json::to_value(made).unwrap()
}

/// A RoleBinding `name` in `ns` of `role_ref` (`Role`/`ClusterRole`, name) to `subjects`.
async fn bind(c: &FakeCluster, ns: &str, name: &str, role_ref: (&str, &str), subjects: Value) {
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
async fn bind_cluster(c: &FakeCluster, name: &str, role: &str, subjects: Value) {
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

fn user(name: &str) -> Value {
    json!([{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": name}])
}

async fn get_cluster_role(c: &FakeCluster, name: &str) -> Value {
    let got = c
        .get_object(&cluster_roles(), None, name, &GetParams::default())
        .await
        .unwrap();
    serde_json::to_value(got).unwrap()
}

/// Whether the rules of `role` include one granting `verb` on `resource` of `group`.
fn grants(role: &Value, group: &str, resource: &str, verb: &str) -> bool {
    role["rules"].as_array().into_iter().flatten().any(|r| {
        let has = |key: &str, want: &str| {
            r[key]
                .as_array()
                .is_some_and(|l| l.iter().any(|v| v == want || v == "*"))
        };
        has("apiGroups", group) && has("resources", resource) && has("verbs", verb)
    })
}

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
async fn access_reviews_answer_for_their_subject() {
    let c = FakeCluster::new();
    bind(
        &c,
        "default",
        "alice-edit",
        ("ClusterRole", "edit"),
        user("alice"),
    )
    .await;
    let sar = |spec: Value| {
        obj(
            json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": spec}),
        )
    };
    let ask = |spec: Value| {
        let c = c.clone();
        async move {
            let r = c
                .create_object(
                    &ResourceType::of::<SubjectAccessReview>(),
                    None,
                    &sar(spec),
                    &PostParams::default(),
                )
                .await
                .unwrap();
            r.data["status"].clone()
        }
    };
    // Denied: no reason.
    assert_eq!(
        ask(json!({"user": "alice", "resourceAttributes": {"namespace": "default", "verb": "create", "resource": "roles", "group": "rbac.authorization.k8s.io"}})).await,
        json!({"allowed": false})
    );
    // A SubjectAccessReview adds no groups: `system:authenticated`'s discovery rules apply only
    // when asked for.
    assert_eq!(
        ask(json!({"user": "alice", "nonResourceAttributes": {"path": "/api", "verb": "get"}}))
            .await,
        json!({"allowed": false})
    );
    assert_eq!(
        ask(json!({"user": "alice", "groups": ["system:authenticated"], "nonResourceAttributes": {"path": "/api", "verb": "get"}})).await,
        json!({"allowed": true, "reason": "RBAC: allowed by ClusterRoleBinding \"system:discovery\" of ClusterRole \"system:discovery\" to Group \"system:authenticated\""})
    );
    // Monitoring reads /metrics through its bootstrap binding.
    assert_eq!(
        ask(json!({"user": "prometheus", "groups": ["system:monitoring"], "nonResourceAttributes": {"path": "/metrics", "verb": "get"}})).await,
        json!({"allowed": true, "reason": "RBAC: allowed by ClusterRoleBinding \"system:monitoring\" of ClusterRole \"system:monitoring\" to Group \"system:monitoring\""})
    );
    // The privileged group: allowed, no reason.
    assert_eq!(
        ask(json!({"user": "x", "groups": ["system:masters"], "resourceAttributes": {"verb": "delete", "resource": "nodes"}})).await,
        json!({"allowed": true})
    );

    // A local review asks in its namespace.
    let local = c
        .create_object(
            &ResourceType::of::<LocalSubjectAccessReview>(),
            Some("default"),
            &obj(json!({"apiVersion": "authorization.k8s.io/v1", "kind": "LocalSubjectAccessReview",
                        "metadata": {"namespace": "default"},
                        "spec": {"user": "alice", "resourceAttributes": {"namespace": "default", "verb": "update", "resource": "deployments", "group": "apps", "subresource": "scale"}}})),
            &PostParams::default(),
        )
        .await
        .unwrap();
    assert_eq!(local.data["status"]["allowed"], json!(true));

    // The self reviews answer for the handle's user.
    let alice = c.impersonate(UserInfo::new("alice"));
    let ssar = |verb: &str, resource: &str| {
        obj(
            json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                   "spec": {"resourceAttributes": {"namespace": "default", "verb": verb, "resource": resource}}}),
        )
    };
    let rt = ResourceType::of::<SelfSubjectAccessReview>();
    let yes = alice
        .create_object(
            &rt,
            None,
            &ssar("patch", "services"),
            &PostParams::default(),
        )
        .await
        .unwrap();
    assert_eq!(yes.data["status"]["allowed"], json!(true));
    let no = alice
        .create_object(
            &rt,
            None,
            &ssar("create", "rolebindings"),
            &PostParams::default(),
        )
        .await
        .unwrap();
    assert_eq!(no.data["status"], json!({"allowed": false}));
    let me = alice
        .create_object(
            &ResourceType::of::<SelfSubjectReview>(),
            None,
            &obj(json!({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})),
            &PostParams::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        me.data["status"]["userInfo"],
        json!({"username": "alice", "groups": ["system:authenticated"]})
    );
}

#[tokio::test]
async fn a_rules_review_lists_the_rules_of_every_binding_in_order() {
    let c = FakeCluster::new();
    create(
        &c,
        &roles(),
        Some("default"),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r"},
               "rules": [{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["a"], "verbs": ["get"]}]}),
    )
    .await;
    bind(&c, "default", "alice-r", ("Role", "r"), user("alice")).await;
    bind(&c, "default", "alice-gone", ("Role", "gone"), user("alice")).await;
    let review = c
        .impersonate(UserInfo::new("alice"))
        .create_object(
            &ResourceType::of::<SelfSubjectRulesReview>(),
            None,
            &obj(json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview", "spec": {"namespace": "default"}})),
            &PostParams::default(),
        )
        .await
        .unwrap();
    let status = &review.data["status"];
    let resource_rules = status["resourceRules"].as_array().unwrap();
    // system:basic-user's reviews first (ClusterRoleBindings come first), the Role's last.
    assert_eq!(
        resource_rules.first().unwrap(),
        &json!({"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
               "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]})
    );
    assert_eq!(
        resource_rules.last().unwrap(),
        &json!({"verbs": ["get"], "apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["a"]})
    );
    let urls: Vec<&Value> = status["nonResourceRules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["nonResourceURLs"].as_array().unwrap())
        .collect();
    assert!(
        urls.contains(&&json!("/api/*")) && urls.contains(&&json!("/healthz")),
        "{urls:?}"
    );
    assert_eq!(status["incomplete"], json!(false));
    assert_eq!(
        status["evaluationError"],
        json!("role.rbac.authorization.k8s.io \"gone\" not found")
    );

    // The fake's own user sees cluster-admin's rules through its binding.
    let own = c
        .create_object(
            &ResourceType::of::<SelfSubjectRulesReview>(),
            None,
            &obj(json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview", "spec": {"namespace": "default"}})),
            &PostParams::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        own.data["status"]["resourceRules"][0],
        json!({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]})
    );
    assert_eq!(
        own.data["status"]["nonResourceRules"][0],
        json!({"verbs": ["*"], "nonResourceURLs": ["*"]})
    );
}

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
    create(
        &c,
        &cluster_roles(),
        None,
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
               "metadata": {"name": "b-writer", "labels": {"widgets": "yes"}},
               "rules": [{"apiGroups": ["example.com"], "resources": ["widgets"], "verbs": ["create"]}]}),
    )
    .await;
    create(
        &c,
        &cluster_roles(),
        None,
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
               "metadata": {"name": "a-deleter", "labels": {"widgets": "yes"}},
               "rules": [{"apiGroups": ["example.com"], "resources": ["widgets"], "verbs": ["delete"]}]}),
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
async fn a_certificate_request_names_the_impersonated_requester() {
    let c = FakeCluster::new();
    let root = c.impersonate(
        UserInfo::new("root")
            .with_groups(["system:masters"])
            .with_uid("u-1"),
    );
    let key = rcgen::KeyPair::generate().unwrap();
    let params = rcgen::CertificateParams::new(vec!["client.example.com".into()]).unwrap();
    let pem = params.serialize_request(&key).unwrap().pem().unwrap();
    use base64::Engine as _;
    let csr = json!({
        "apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
        "metadata": {"name": "req"},
        "spec": {"request": base64::engine::general_purpose::STANDARD.encode(pem),
                 "signerName": "example.com/signer", "usages": ["client auth"],
                 "username": "claimed"}});
    let made = root
        .create_object(
            &ResourceType::of::<k8s_openapi::api::certificates::v1::CertificateSigningRequest>(),
            None,
            &obj(csr),
            &PostParams::default(),
        )
        .await
        .unwrap();
    assert_eq!(made.data["spec"]["username"], "root");
    assert_eq!(made.data["spec"]["uid"], "u-1");
    assert_eq!(
        made.data["spec"]["groups"],
        json!(["system:masters", "system:authenticated"])
    );
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
    create(
        &c,
        &cluster_roles(),
        None,
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "role-writer"},
               "rules": [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["create"]}]}),
    )
    .await;
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
async fn an_account_bound_to_auth_delegator_reviews_tokens() {
    // What Vault's Kubernetes auth and metrics-server are given.
    let c = FakeCluster::new();
    bind_cluster(
        &c,
        "reviewer",
        "system:auth-delegator",
        json!([{"kind": "ServiceAccount", "name": "vault", "namespace": "default"}]),
    )
    .await;
    let review = obj(
        json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": "x"}}),
    );
    let rt = ResourceType::of::<k8s_openapi::api::authentication::v1::TokenReview>();
    let vault = c.impersonate(UserInfo::service_account("default", "vault"));
    let answered = vault
        .create_object(&rt, None, &review, &PostParams::default())
        .await
        .unwrap();
    assert_eq!(answered.data["status"]["error"], "invalid bearer token");
    let e = c
        .impersonate(UserInfo::service_account("default", "other"))
        .create_object(&rt, None, &review, &PostParams::default())
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        "tokenreviews.authentication.k8s.io is forbidden: User \"system:serviceaccount:default:other\" cannot create resource \"tokenreviews\" in API group \"authentication.k8s.io\" at the cluster scope"
    );
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
