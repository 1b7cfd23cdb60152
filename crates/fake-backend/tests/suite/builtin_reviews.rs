//! The reviews (`authorization.k8s.io/v1` access and rules reviews, `authentication.k8s.io/v1`
//! SelfSubjectReview and TokenReview) are answered through the traits and never stored: the
//! exact answers, the server's validation texts, 405 on the collection and 404 on a name for
//! every other verb, and the state (`dump_yaml`, the resourceVersion) unchanged by every call.

use crate::common;

use common::{created, message};
use k8s_openapi::api::authentication::v1::{SelfSubjectReview, TokenReview};
use k8s_openapi::api::authorization::v1::{
    LocalSubjectAccessReview, SelfSubjectAccessReview, SelfSubjectRulesReview, SubjectAccessReview,
};
use k8s_openapi::jiff::Timestamp;
use kobj_core::{CoreResources, ErrorKind, ResourceType};
use kobj_fake::actions::{ActionFilter, Verb};
use kobj_fake::faults::{Fault, FaultError};
use kobj_fake::{Clock, FakeCluster};
use kube_core::params::{DeleteParams, ListParams, Patch, PatchParams, PostParams, WatchParams};
use serde_json::{Value, json};

const NOW: &str = "2027-01-15T08:00:00Z";

fn cluster() -> FakeCluster {
    FakeCluster::builder()
        .clock(Clock::manual(NOW.parse::<Timestamp>().unwrap()))
        .deterministic(7)
        .build()
        .unwrap()
}

fn ssar() -> ResourceType {
    ResourceType::of::<SelfSubjectAccessReview>()
}
fn ssrr() -> ResourceType {
    ResourceType::of::<SelfSubjectRulesReview>()
}
fn sar() -> ResourceType {
    ResourceType::of::<SubjectAccessReview>()
}
fn lsar() -> ResourceType {
    ResourceType::of::<LocalSubjectAccessReview>()
}
fn ssr() -> ResourceType {
    ResourceType::of::<SelfSubjectReview>()
}
fn token_reviews() -> ResourceType {
    ResourceType::of::<TokenReview>()
}

/// The state and the cluster's resourceVersion (a list's), which nothing here may change.
async fn state(c: &FakeCluster) -> (String, Option<String>) {
    let list = c
        .list_objects(
            &common::configmaps(),
            Some("default"),
            &ListParams::default(),
        )
        .await
        .unwrap();
    (c.dump_yaml().unwrap(), list.metadata.resource_version)
}

/// Creates `body` as `rt` (apiVersion and kind filled in) and returns the answer as JSON;
/// the state is the same afterwards.
async fn review(c: &FakeCluster, rt: &ResourceType, ns: Option<&str>, body: Value) -> Value {
    let before = state(c).await;
    let answer = c
        .create_object(rt, ns, &object(rt, body), &PostParams::default())
        .await
        .unwrap();
    assert_eq!(state(c).await, before, "a review stores nothing");
    serde_json::to_value(answer).unwrap()
}

/// Creates `body` as `rt` expecting an error of `kind` with `expected` as its message; the
/// state is the same afterwards.
async fn refused(
    c: &FakeCluster,
    rt: &ResourceType,
    ns: Option<&str>,
    body: Value,
    kind: ErrorKind,
    expected: &str,
) -> kobj_core::Error {
    let before = state(c).await;
    let e = c
        .create_object(rt, ns, &object(rt, body), &PostParams::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), kind, "{e}");
    assert_eq!(message(&e), expected);
    assert_eq!(state(c).await, before, "a refused review stores nothing");
    e
}

fn object(rt: &ResourceType, mut body: Value) -> kube_core::DynamicObject {
    body["apiVersion"] = json!(rt.api.api_version);
    if body.get("kind").is_none() {
        body["kind"] = json!(rt.api.kind);
    }
    serde_json::from_value(body).unwrap()
}

/// The managedFields entry the default manager (`kobj`) gets for `fields`.
fn managed(api_version: &str, fields: Value) -> Value {
    json!([{"manager": "kobj", "operation": "Update", "apiVersion": api_version,
            "time": NOW, "fieldsType": "FieldsV1", "fieldsV1": fields}])
}

const PODS: &str = r#"{"namespace": "default", "verb": "create", "resource": "pods"}"#;

fn pods_attributes() -> Value {
    serde_json::from_str(PODS).unwrap()
}

#[tokio::test]
async fn a_self_subject_access_review_is_allowed() {
    let c = cluster();
    let answer = review(
        &c,
        &ssar(),
        None,
        json!({"spec": {"resourceAttributes": pods_attributes()}}),
    )
    .await;
    assert_eq!(
        answer,
        json!({
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "metadata": {"managedFields": managed("authorization.k8s.io/v1", json!(
                {"f:spec": {"f:resourceAttributes": {".": {}, "f:namespace": {}, "f:resource": {}, "f:verb": {}}}}
            ))},
            "spec": {"resourceAttributes": pods_attributes()},
            "status": {"allowed": true}
        })
    );
    // A non-resource review, and a status in the request replaced by the answer's.
    let answer = review(
        &c,
        &ssar(),
        None,
        json!({"spec": {"nonResourceAttributes": {"path": "/healthz", "verb": "get"}},
               "status": {"allowed": false, "denied": true, "reason": "asked"}}),
    )
    .await;
    assert_eq!(answer["status"], json!({"allowed": true}));
}

#[tokio::test]
async fn an_access_review_needs_exactly_one_kind_of_attributes() {
    let c = cluster();
    let e = refused(
        &c,
        &ssar(),
        None,
        json!({}),
        ErrorKind::Invalid,
        ".authorization.k8s.io \"\" is invalid: spec.resourceAttributes: Invalid value: null: \
         exactly one of nonResourceAttributes or resourceAttributes must be specified",
    )
    .await;
    let status = e.status().unwrap();
    assert_eq!(status.code, 422);
    let details = status.details.as_ref().unwrap();
    assert_eq!(
        (
            details.group.as_str(),
            details.kind.as_str(),
            details.name.as_str()
        ),
        ("authorization.k8s.io", "", "")
    );
    assert_eq!(details.causes[0].field, "spec.resourceAttributes");
    assert_eq!(details.causes[0].reason, "FieldValueInvalid");
    refused(
        &c,
        &ssar(),
        None,
        json!({"spec": {"resourceAttributes": pods_attributes(),
                        "nonResourceAttributes": {"path": "/healthz", "verb": "get"}}}),
        ErrorKind::Invalid,
        ".authorization.k8s.io \"\" is invalid: spec.nonResourceAttributes: Invalid value: \
         {\"Path\":\"/healthz\",\"Verb\":\"get\"}: cannot be specified in combination with \
         resourceAttributes",
    )
    .await;
    refused(
        &c,
        &ssar(),
        None,
        json!({"spec": {"resourceAttributes": {"verb": "list", "resource": "pods",
                        "labelSelector": {}, "fieldSelector": {"rawSelector": "a=b",
                        "requirements": [{"key": "a", "operator": "In", "values": ["b"]}]}}}}),
        ErrorKind::Invalid,
        ".authorization.k8s.io \"\" is invalid: [spec.resourceAttributes.fieldSelector.rawSelector: \
         Invalid value: \"a=b\": may not specified at the same time as requirements, \
         spec.resourceAttributes.labelSelector.requirements: Required value: when \
         spec.resourceAttributes.labelSelector is specified, requirements or rawSelector is \
         required]",
    )
    .await;
    // Metadata must be empty: shown as the server prints the ObjectMeta, managedFields and all.
    refused(
        &c,
        &ssar(),
        None,
        json!({"metadata": {"name": "mine", "labels": {"a": "b"}, "uid": "wiped"},
               "spec": {"resourceAttributes": {"verb": "get"}}}),
        ErrorKind::Invalid,
        &format!(
            ".authorization.k8s.io \"\" is invalid: metadata: Invalid value: {{\"name\":\"mine\",\
             \"labels\":{{\"a\":\"b\"}},\"managedFields\":[{{\"manager\":\"kobj\",\"operation\":\
             \"Update\",\"apiVersion\":\"authorization.k8s.io/v1\",\"time\":\"{NOW}\",\
             \"fieldsType\":\"FieldsV1\",\"fieldsV1\":{{\"f:metadata\":{{\"f:labels\":{{\".\":{{}},\
             \"f:a\":{{}}}}}},\"f:spec\":{{\"f:resourceAttributes\":{{\".\":{{}},\
             \"f:verb\":{{}}}}}}}}}}]}}: must be empty"
        ),
    )
    .await;
    // A body of another kind is the create handler's 400.
    refused(
        &c,
        &ssar(),
        None,
        json!({"kind": "SubjectAccessReview", "spec": {}}),
        ErrorKind::BadRequest,
        "the kind in the data (SubjectAccessReview) does not match the expected kind \
         (SelfSubjectAccessReview)",
    )
    .await;
}

#[tokio::test]
async fn a_subject_access_review_names_a_user_or_groups() {
    let c = cluster();
    let answer = review(
        &c,
        &sar(),
        None,
        json!({"spec": {"resourceAttributes": pods_attributes(), "user": "alice",
                        "groups": ["devs"], "extra": {"k": ["v"]}, "uid": "u1"}}),
    )
    .await;
    // Nothing binds alice or devs: no rule allows it, and RBAC gives no reason.
    assert_eq!(answer["status"], json!({"allowed": false}));
    assert_eq!(answer["spec"]["user"], "alice");
    refused(
        &c,
        &sar(),
        None,
        json!({"spec": {}}),
        ErrorKind::Invalid,
        ".authorization.k8s.io \"\" is invalid: [spec.resourceAttributes: Invalid value: null: \
         exactly one of nonResourceAttributes or resourceAttributes must be specified, \
         spec.user: Invalid value: \"\": at least one of user or group must be specified]",
    )
    .await;
    let answer = review(
        &c,
        &sar(),
        None,
        json!({"spec": {"nonResourceAttributes": {"path": "/healthz", "verb": "get"},
                        "groups": ["system:authenticated"]}}),
    )
    .await;
    assert_eq!(
        answer["status"],
        json!({"allowed": true, "reason": "RBAC: allowed by ClusterRoleBinding \"system:discovery\" \
               of ClusterRole \"system:discovery\" to Group \"system:authenticated\""})
    );
}

#[tokio::test]
async fn a_local_subject_access_review_stays_in_its_namespace() {
    let c = cluster();
    // The namespace is filled from the request, and need not exist (NamespaceLifecycle lets
    // access reviews through).
    let mut attributes = pods_attributes();
    attributes["namespace"] = json!("elsewhere");
    let answer = review(
        &c,
        &lsar(),
        Some("elsewhere"),
        json!({"spec": {"resourceAttributes": attributes, "user": "bob"}}),
    )
    .await;
    assert_eq!(answer["metadata"]["namespace"], "elsewhere");
    assert_eq!(answer["status"], json!({"allowed": false}));
    refused(
        &c,
        &lsar(),
        Some("default"),
        json!({"spec": {"resourceAttributes": {"namespace": "other", "verb": "get"},
                        "user": "bob"}}),
        ErrorKind::Invalid,
        ".authorization.k8s.io \"\" is invalid: spec.resourceAttributes.namespace: Invalid \
         value: \"other\": must match metadata.namespace",
    )
    .await;
    refused(
        &c,
        &lsar(),
        Some("default"),
        json!({"spec": {"nonResourceAttributes": {"path": "/x", "verb": "get"}, "user": "bob"}}),
        ErrorKind::Invalid,
        ".authorization.k8s.io \"\" is invalid: spec.nonResourceAttributes: Invalid value: \
         {\"Path\":\"/x\",\"Verb\":\"get\"}: disallowed on this kind of request",
    )
    .await;
    refused(
        &c,
        &lsar(),
        Some("default"),
        json!({"metadata": {"namespace": "other"}, "spec": {}}),
        ErrorKind::BadRequest,
        "the namespace of the provided object does not match the namespace sent on the request",
    )
    .await;
}

#[tokio::test]
async fn a_rules_review_lists_every_rule() {
    let c = cluster();
    let answer = review(
        &c,
        &ssrr(),
        None,
        json!({"metadata": {"name": "kept-out"}, "spec": {"namespace": "default"}}),
    )
    .await;
    assert_eq!(
        answer,
        json!({
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectRulesReview",
            "metadata": {},
            "spec": {},
            // The fake's user is in system:masters and system:authenticated: the rules of
            // cluster-admin, system:basic-user, system:discovery and
            // system:public-info-viewer, by binding name, one entry per rule.
            "status": {
                "resourceRules": [
                    {"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]},
                    {"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
                     "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]},
                    {"verbs": ["create"], "apiGroups": ["authentication.k8s.io"],
                     "resources": ["selfsubjectreviews"]}
                ],
                "nonResourceRules": [
                    {"verbs": ["*"], "nonResourceURLs": ["*"]},
                    {"verbs": ["get"], "nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*",
                        "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version",
                        "/version/"]},
                    {"verbs": ["get"], "nonResourceURLs": ["/healthz", "/livez", "/readyz",
                        "/version", "/version/"]}
                ],
                "incomplete": false
            }
        })
    );
    refused(
        &c,
        &ssrr(),
        None,
        json!({"spec": {}}),
        ErrorKind::BadRequest,
        "no namespace on request",
    )
    .await;
}

#[tokio::test]
async fn a_self_subject_review_names_the_caller() {
    let c = cluster();
    let answer = review(&c, &ssr(), None, json!({"metadata": {"name": "me"}})).await;
    assert_eq!(
        answer,
        json!({
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "SelfSubjectReview",
            "metadata": {"creationTimestamp": NOW},
            "status": {"userInfo": {"username": "kobj-admin",
                                     "groups": ["system:masters", "system:authenticated"]}}
        })
    );
    assert_eq!(kobj_fake::CALLER_USERNAME, "kobj-admin");
}

#[tokio::test]
async fn a_token_review_authenticates_only_the_fakes_own_tokens() {
    let c = cluster();
    let answer = review(
        &c,
        &token_reviews(),
        None,
        json!({"spec": {"token": "not-a-token", "audiences": ["api"]}}),
    )
    .await;
    assert_eq!(
        answer,
        json!({
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenReview",
            "metadata": {"managedFields": managed("authentication.k8s.io/v1",
                json!({"f:spec": {"f:audiences": {}, "f:token": {}}}))},
            "spec": {"token": "not-a-token", "audiences": ["api"]},
            "status": {"user": {}, "error": "invalid bearer token"}
        })
    );
    refused(
        &c,
        &token_reviews(),
        None,
        json!({"spec": {"audiences": ["api"]}}),
        ErrorKind::BadRequest,
        "token is required for TokenReview in authentication",
    )
    .await;
    // A token the fake issued authenticates its service account, for its audiences.
    let sa = ResourceType::of::<k8s_openapi::api::core::v1::ServiceAccount>();
    created(&c, &sa, json!({"metadata": {"name": "robot"}})).await;
    let issued = c
        .create_token_value(
            "default",
            "robot",
            json!({"spec": {"audiences": ["vault"]}}),
        )
        .await
        .unwrap();
    let token = issued["status"]["token"].as_str().unwrap().to_string();
    let answer = review(
        &c,
        &token_reviews(),
        None,
        json!({"spec": {"token": token, "audiences": ["vault", "other"]}}),
    )
    .await;
    let status = &answer["status"];
    assert_eq!(status["authenticated"], true, "{answer}");
    assert_eq!(status["audiences"], json!(["vault"]));
    assert_eq!(
        status["user"]["username"],
        "system:serviceaccount:default:robot"
    );
    let answer = review(
        &c,
        &token_reviews(),
        None,
        json!({"spec": {"token": token}}),
    )
    .await;
    assert_eq!(
        answer["status"],
        json!({"user": {}, "error": "[invalid bearer token, token audiences [\"vault\"] is \
               invalid for the target audiences [\"https://kubernetes.default.svc.cluster.local\"]]"})
    );
}

#[tokio::test]
async fn every_other_verb_is_refused() {
    let c = cluster();
    let before = state(&c).await;
    let not_allowed = |e: kobj_core::Error| {
        assert_eq!(e.kind(), ErrorKind::MethodNotAllowed, "{e}");
        assert_eq!(e.code(), Some(405));
        assert_eq!(
            message(&e),
            "the server does not allow this method on the requested resource"
        );
    };
    let not_found = |e: kobj_core::Error| {
        assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
        assert_eq!(
            message(&e),
            "the server could not find the requested resource"
        );
    };
    for (rt, ns) in [
        (ssar(), None),
        (ssrr(), None),
        (sar(), None),
        (lsar(), Some("default")),
        (ssr(), None),
        (token_reviews(), None),
    ] {
        not_allowed(
            c.list_objects(&rt, ns, &ListParams::default())
                .await
                .unwrap_err(),
        );
        not_allowed(
            c.watch_objects(&rt, ns, &WatchParams::default(), "0")
                .await
                .err()
                .unwrap(),
        );
        not_allowed(
            c.delete_collection(&rt, ns, &DeleteParams::default(), &ListParams::default())
                .await
                .unwrap_err(),
        );
        not_found(
            c.get_object(&rt, ns, "x", &Default::default())
                .await
                .unwrap_err(),
        );
        not_found(
            c.delete_object(&rt, ns, "x", &DeleteParams::default())
                .await
                .unwrap_err(),
        );
        not_found(
            c.replace_object(
                &rt,
                ns,
                "x",
                &object(&rt, json!({"metadata": {"name": "x"}})),
                &PostParams::default(),
            )
            .await
            .unwrap_err(),
        );
        not_found(
            c.patch_object(
                &rt,
                ns,
                "x",
                &Patch::Merge(json!({})),
                &PatchParams::default(),
            )
            .await
            .unwrap_err(),
        );
        not_found(c.get_object_status(&rt, ns, "x").await.unwrap_err());
    }
    // A namespaced review has no path without a namespace.
    not_found(
        c.list_objects(&lsar(), None, &ListParams::default())
            .await
            .unwrap_err(),
    );
    assert_eq!(state(&c).await, before);
}

#[tokio::test]
async fn reviews_are_logged_and_faultable_like_any_create() {
    let c = cluster();
    c.actions().clear();
    c.faults().add(
        Fault::on(Verb::Create)
            .resource("selfsubjectaccessreviews")
            .error_kind(FaultError::Conflict)
            .once(),
    );
    let body = json!({"spec": {"resourceAttributes": pods_attributes()}});
    let e = c
        .create_object(
            &ssar(),
            None,
            &object(&ssar(), body.clone()),
            &PostParams::default(),
        )
        .await
        .unwrap_err();
    assert!(e.is_conflict(), "{e}");
    review(&c, &ssar(), None, body).await;
    let _ = c.list_objects(&ssar(), None, &ListParams::default()).await;
    let creates = ActionFilter::verb(Verb::Create).resource("selfsubjectaccessreviews");
    c.actions().assert_count(&creates, 2);
    c.actions()
        .assert_count(&creates.clone().failed().code(409), 1);
    c.actions().assert_count(&creates.succeeded().code(201), 1);
    c.actions().assert_count(
        &ActionFilter::verb(Verb::List)
            .resource("selfsubjectaccessreviews")
            .failed()
            .code(405),
        1,
    );
}
