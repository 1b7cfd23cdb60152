//! Property test of authorization: arbitrary Roles, ClusterRoles and bindings over a few
//! users, groups, service accounts, resources, verbs and names, then arbitrary requests made
//! through an impersonated handle. Three answers must agree with a model written here from
//! the RBAC rules (not from the fake's code): whether the request is refused with 403, what
//! a SubjectAccessReview for the same user answers, and whether the user's
//! SelfSubjectRulesReview lists a rule that covers it. A refused request leaves the state
//! unchanged.

use crate::fuzz::support;

use k8s_openapi::api::authorization::v1::{SelfSubjectRulesReview, SubjectAccessReview};
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use kobj_core::{CustomObjects, ResourceType};
use kobj_fake::{FakeCluster, UserInfo};
use kube_core::params::{DeleteParams, GetParams, ListParams, PostParams};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};
use support::*;

const NAMESPACES: [&str; 2] = ["default", "other"];
const RESOURCES: [&str; 2] = ["configmaps", "secrets"];
const VERBS: [&str; 4] = ["get", "list", "create", "delete"];
const OBJECTS: [&str; 2] = ["a", "b"];
const USERS: [&str; 2] = ["alice", "bob"];
const GROUPS: [&str; 2] = ["devs", "ops"];

/// One rule: verbs (or `*`), resources (or `*`), names (empty: any).
#[derive(Clone, Debug)]
struct Rule {
    verbs: Vec<&'static str>,
    resources: Vec<&'static str>,
    names: Vec<&'static str>,
}

/// A subject: a user, a group, or the service account `deployer` of a namespace.
#[derive(Clone, Debug)]
enum Subject {
    User(&'static str),
    Group(&'static str),
    ServiceAccount(&'static str),
}

/// A binding: `Some(ns)` a RoleBinding there (of a Role of that namespace, or a ClusterRole),
/// `None` a ClusterRoleBinding (of a ClusterRole).
#[derive(Clone, Debug)]
struct Binding {
    namespace: Option<&'static str>,
    role: usize,
    cluster_role: bool,
    subject: Subject,
}

#[derive(Clone, Debug)]
struct Request {
    who: Subject,
    verb: &'static str,
    resource: &'static str,
    namespace: &'static str,
    name: &'static str,
}

fn pick<T: Copy + std::fmt::Debug + 'static>(items: &'static [T]) -> impl Strategy<Value = T> {
    proptest::sample::select(items)
}

fn rule() -> impl Strategy<Value = Rule> {
    (
        proptest::sample::subsequence(&["get", "list", "create", "delete", "*"][..], 1..=2),
        proptest::sample::subsequence(&["configmaps", "secrets", "*"][..], 1..=2),
        proptest::sample::subsequence(&OBJECTS[..], 0..=1),
    )
        .prop_map(|(verbs, resources, names)| Rule {
            verbs,
            resources,
            names,
        })
}

fn subject() -> impl Strategy<Value = Subject> {
    prop_oneof![
        pick(&USERS).prop_map(Subject::User),
        pick(&GROUPS).prop_map(Subject::Group),
        pick(&NAMESPACES).prop_map(Subject::ServiceAccount),
    ]
}

fn binding(roles: usize) -> impl Strategy<Value = Binding> {
    (
        proptest::option::of(pick(&NAMESPACES)),
        0..roles,
        any::<bool>(),
        subject(),
    )
        .prop_map(|(namespace, role, cluster_role, subject)| Binding {
            namespace,
            role,
            cluster_role: cluster_role || namespace.is_none(),
            subject,
        })
}

fn request() -> impl Strategy<Value = Request> {
    (
        subject(),
        pick(&VERBS),
        pick(&RESOURCES),
        pick(&NAMESPACES),
        pick(&OBJECTS),
    )
        .prop_map(|(who, verb, resource, namespace, name)| Request {
            who,
            verb,
            resource,
            namespace,
            name,
        })
}

/// The user a request subject is, impersonated (a group's member is `carol`).
fn user_of(who: &Subject) -> UserInfo {
    match who {
        Subject::User(u) => UserInfo::new(*u),
        Subject::Group(g) => UserInfo::new("carol").with_groups([*g]),
        Subject::ServiceAccount(ns) => UserInfo::service_account(ns, "deployer"),
    }
}

// The model -----------------------------------------------------------------------------

fn model_subject_is(subject: &Subject, binding_ns: Option<&str>, user: &UserInfo) -> bool {
    match subject {
        Subject::User(u) => user.username == *u,
        Subject::Group(g) => user.groups.iter().any(|x| x == g),
        // The subject names its namespace explicitly (`ns`), so a ClusterRoleBinding's
        // applies too.
        Subject::ServiceAccount(ns) => {
            let _ = binding_ns;
            user.username == format!("system:serviceaccount:{ns}:deployer")
        }
    }
}

fn model_rule_allows(rule: &Rule, req: &Request, name: &str) -> bool {
    let verb = rule.verbs.iter().any(|v| *v == "*" || *v == req.verb);
    let resource = rule
        .resources
        .iter()
        .any(|r| *r == "*" || *r == req.resource);
    let named = rule.names.is_empty() || (!name.is_empty() && rule.names.contains(&name));
    verb && resource && named
}

/// Whether the model allows `req`: the name a create or list carries is none.
fn model_allows(roles: &[Vec<Rule>], bindings: &[Binding], user: &UserInfo, req: &Request) -> bool {
    let name = match req.verb {
        "create" | "list" => "",
        _ => req.name,
    };
    bindings.iter().any(|b| {
        let in_scope = b.namespace.is_none_or(|ns| ns == req.namespace);
        in_scope
            && model_subject_is(&b.subject, b.namespace, user)
            && roles[b.role]
                .iter()
                .any(|r| model_rule_allows(r, req, name))
    })
}

// Writing the generated objects -----------------------------------------------------------

fn rules_json(rules: &[Rule]) -> Value {
    Value::Array(
        rules
            .iter()
            .map(|r| {
                let mut rule =
                    json!({"apiGroups": [""], "resources": r.resources, "verbs": r.verbs});
                if !r.names.is_empty() {
                    rule["resourceNames"] = json!(r.names);
                }
                rule
            })
            .collect(),
    )
}

fn subject_json(s: &Subject) -> Value {
    match s {
        Subject::User(u) => {
            json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": u})
        }
        Subject::Group(g) => {
            json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": g})
        }
        Subject::ServiceAccount(ns) => {
            json!({"kind": "ServiceAccount", "name": "deployer", "namespace": ns})
        }
    }
}

async fn create(c: &FakeCluster, rt: &ResourceType, ns: Option<&str>, body: Value) {
    let object = serde_json::from_value(body).unwrap();
    c.create_object(rt, ns, &object, &PostParams::default())
        .await
        .unwrap();
}

async fn install(c: &FakeCluster, roles: &[Vec<Rule>], bindings: &[Binding]) {
    c.create_object(
        &ResourceType::of::<k8s_openapi::api::core::v1::Namespace>(),
        None,
        &serde_json::from_value(
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}}),
        )
        .unwrap(),
        &PostParams::default(),
    )
    .await
    .unwrap();
    for (i, rules) in roles.iter().enumerate() {
        let name = format!("r{i}");
        create(c, &ResourceType::of::<ClusterRole>(), None, json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": name}, "rules": rules_json(rules)})).await;
        for ns in NAMESPACES {
            create(c, &ResourceType::of::<Role>(), Some(ns), json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": name}, "rules": rules_json(rules)})).await;
        }
    }
    for ns in NAMESPACES {
        for name in OBJECTS {
            for (rt, kind) in [
                (ResourceType::of::<ConfigMap>(), "ConfigMap"),
                (ResourceType::of::<Secret>(), "Secret"),
            ] {
                create(
                    c,
                    &rt,
                    Some(ns),
                    json!({"apiVersion": "v1", "kind": kind, "metadata": {"name": name}}),
                )
                .await;
            }
        }
    }
    for (i, b) in bindings.iter().enumerate() {
        let kind = if b.cluster_role {
            "ClusterRole"
        } else {
            "Role"
        };
        let role_ref = json!({"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": format!("r{}", b.role)});
        match b.namespace {
            Some(ns) => create(c, &ResourceType::of::<RoleBinding>(), Some(ns), json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": format!("b{i}")}, "roleRef": role_ref, "subjects": [subject_json(&b.subject)]})).await,
            None => create(c, &ResourceType::of::<ClusterRoleBinding>(), None, json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": format!("b{i}")}, "roleRef": role_ref, "subjects": [subject_json(&b.subject)]})).await,
        }
    }
}

/// Makes `req` through `as_user`: `Ok(true)` when refused with 403.
async fn refused(as_user: &FakeCluster, req: &Request) -> Result<bool, TestCaseError> {
    let rt = match req.resource {
        "configmaps" => ResourceType::of::<ConfigMap>(),
        _ => ResourceType::of::<Secret>(),
    };
    let ns = Some(req.namespace);
    let result = match req.verb {
        "get" => as_user
            .get_object(&rt, ns, req.name, &GetParams::default())
            .await
            .map(drop),
        "list" => as_user
            .list_objects(&rt, ns, &ListParams::default())
            .await
            .map(drop),
        "create" => {
            let kind = if req.resource == "configmaps" {
                "ConfigMap"
            } else {
                "Secret"
            };
            let body = serde_json::from_value(
                json!({"apiVersion": "v1", "kind": kind, "metadata": {"name": "new"}}),
            )
            .unwrap();
            as_user
                .create_object(
                    &rt,
                    ns,
                    &body,
                    &PostParams {
                        dry_run: true,
                        ..Default::default()
                    },
                )
                .await
                .map(drop)
        }
        _ => as_user
            .delete_object(
                &rt,
                ns,
                req.name,
                &DeleteParams {
                    dry_run: true,
                    ..Default::default()
                },
            )
            .await
            .map(drop),
    };
    match result {
        Ok(()) => Ok(false),
        Err(e) if e.code() == Some(403) => Ok(true),
        Err(e) => Err(TestCaseError::fail(format!("{req:?}: {e}"))),
    }
}

async fn review_allows(c: &FakeCluster, user: &UserInfo, req: &Request) -> bool {
    let name = match req.verb {
        "create" | "list" => "",
        _ => req.name,
    };
    let review = serde_json::from_value(json!({
        "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
        "spec": {"user": user.username, "groups": user.groups, "resourceAttributes": {
            "namespace": req.namespace, "verb": req.verb, "resource": req.resource, "name": name}}
    }))
    .unwrap();
    let answer = c
        .create_object(
            &ResourceType::of::<SubjectAccessReview>(),
            None,
            &review,
            &PostParams::default(),
        )
        .await
        .unwrap();
    answer.data["status"]["allowed"] == json!(true)
}

/// Whether the user's rules review lists a rule covering `req` (by the model's matching).
async fn rules_cover(as_user: &FakeCluster, req: &Request) -> bool {
    let review = serde_json::from_value(json!({
        "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview",
        "spec": {"namespace": req.namespace}
    }))
    .unwrap();
    let answer = as_user
        .create_object(
            &ResourceType::of::<SelfSubjectRulesReview>(),
            None,
            &review,
            &PostParams::default(),
        )
        .await
        .unwrap();
    let name = match req.verb {
        "create" | "list" => "",
        _ => req.name,
    };
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(ToString::to_string))
            .collect()
    };
    answer.data["status"]["resourceRules"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|r| {
            let groups = strings(&r["apiGroups"]);
            let verbs = strings(&r["verbs"]);
            let resources = strings(&r["resources"]);
            let names = strings(&r["resourceNames"]);
            (groups.iter().any(|g| g.is_empty() || g == "*"))
                && verbs.iter().any(|v| v == "*" || v == req.verb)
                && resources.iter().any(|x| x == "*" || x == req.resource)
                && (names.is_empty() || (!name.is_empty() && names.iter().any(|n| n == name)))
        })
}

async fn authorization_case(
    roles: Vec<Vec<Rule>>,
    bindings: Vec<Binding>,
    requests: Vec<Request>,
) -> Result<(), TestCaseError> {
    let c = FakeCluster::new();
    install(&c, &roles, &bindings).await;
    for req in &requests {
        let user = user_of(&req.who);
        let as_user = c.impersonate(user.clone());
        let expected = model_allows(&roles, &bindings, &user, req);
        let before = c.dump_yaml().unwrap();
        let was_refused = refused(&as_user, req).await?;
        prop_assert_eq!(!was_refused, expected, "request {:?} as {:?}", req, user);
        if was_refused {
            prop_assert_eq!(
                c.dump_yaml().unwrap(),
                before,
                "a refusal changed the state"
            );
        }
        prop_assert_eq!(
            review_allows(&c, &user, req).await,
            expected,
            "review of {:?}",
            req
        );
        prop_assert_eq!(
            rules_cover(&as_user, req).await,
            expected,
            "rules review of {:?}",
            req
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(1))]

    /// Impersonated requests, access reviews and rules reviews agree with the model.
    #[test]
    fn requests_reviews_and_rules_agree_with_the_model(
        roles in proptest::collection::vec(proptest::collection::vec(rule(), 1..=3), 1..=3),
        bindings in proptest::collection::vec(binding(3), 0..=5),
        requests in proptest::collection::vec(request(), 1..=8),
    ) {
        let bindings: Vec<Binding> = bindings.into_iter().map(|mut b| { b.role %= roles.len(); b }).collect();
        block_on(authorization_case(roles, bindings, requests))?;
    }
}
