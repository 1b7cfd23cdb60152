//! The access, rules and self reviews answer by the cluster's RBAC objects: a
//! SubjectAccessReview for its subject, the self reviews for the handle's user, and what
//! being bound to `system:auth-delegator` or in `system:monitoring` allows.

use crate::common;

use common::rbac::*;
use common::{message, obj};
use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use k8s_openapi::api::authorization::v1::{
    LocalSubjectAccessReview, SelfSubjectAccessReview, SelfSubjectRulesReview, SubjectAccessReview,
};
use kobj_core::{CoreResources, ResourceType};
use kobj_fake::{FakeCluster, UserInfo};
use kube_core::params::PostParams;
use serde_json::{Value, json};

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
