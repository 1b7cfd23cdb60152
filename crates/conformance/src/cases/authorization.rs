//! Area `builtins`, authorization: a SubjectAccessReview is decided by the cluster's RBAC
//! objects, as the RBAC authorizer decides it, and an aggregated ClusterRole gathers the rules
//! of the roles its selectors match (rule 6).

use k8s_openapi::api::authorization::v1::SubjectAccessReview;
use k8s_openapi::api::rbac::v1::{ClusterRole, Role, RoleBinding};
use kobj_core::ResourceType;
use kube_core::params::{DeleteParams, PostParams};
use serde_json::{Value, json};

use crate::case::{Case, During, Outcome, case};
use crate::check::*;
use crate::ctx::Ctx;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(
            aggregated_cluster_role_gathers_labelled_rules,
            Builtins,
            [6],
            "a ClusterRole with an `aggregationRule` comes to hold the rules of the ClusterRoles its selector matches, ordered by their names (the aggregation controller, eventually on a cluster), and loses those of a source deleted"
        ),
        case!(
            subject_access_review_follows_role_bindings,
            Builtins,
            [6],
            "a SubjectAccessReview for a user bound by a RoleBinding to a Role that grants `get` on ConfigMaps is `{allowed: true, reason: \"RBAC: allowed by RoleBinding \\\"<binding>/<ns>\\\" of Role \\\"<role>\\\" to User \\\"<user>\\\"\"}`; for `list`, for another resource, or for a name the Role's `resourceNames` does not hold it is `{allowed: false}`"
        ),
    ]
}

async fn subject_access_review_follows_role_bindings(cx: &Ctx<'_>) -> Outcome {
    let ns = cx.ns().to_string();
    // A user name of this run alone, so no binding outside the case applies to it.
    let user = format!("kobj-conformance-{ns}");
    cx.create(
        &ResourceType::of::<Role>(),
        "settings-reader",
        json!({"rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"],
                          "resourceNames": ["settings"]}]}),
    )
    .await?;
    cx.create(
        &ResourceType::of::<RoleBinding>(),
        "reader",
        json!({"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "settings-reader"},
               "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}]}),
    )
    .await?;
    let rt = ResourceType::of::<SubjectAccessReview>();
    let api = cx.api(&rt);
    let ask = |verb: &str, resource: &str, name: &str| {
        crate::fixtures::dynamic(json!({
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SubjectAccessReview",
            "spec": {"user": user, "resourceAttributes": {
                "namespace": ns, "verb": verb, "resource": resource, "name": name}}
        }))
    };
    let status = |answer: kube_core::DynamicObject| {
        answer.data.get("status").cloned().unwrap_or(Value::Null)
    };
    let allowed = api
        .create(
            &rt,
            None,
            &ask("get", "configmaps", "settings")?,
            &PostParams::default(),
        )
        .await
        .during("asking for get")?;
    let reason = format!(
        "RBAC: allowed by RoleBinding \"reader/{ns}\" of Role \"settings-reader\" to User \"{user}\""
    );
    let got = status(allowed);
    ensure(got == json!({"allowed": true, "reason": reason}), || {
        format!("get: expected allowed by the binding, got {got}")
    })?;
    for (verb, resource, name) in [
        ("list", "configmaps", ""),
        ("get", "secrets", "settings"),
        ("get", "configmaps", "other"),
    ] {
        let denied = api
            .create(
                &rt,
                None,
                &ask(verb, resource, name)?,
                &PostParams::default(),
            )
            .await
            .during(&format!("asking for {verb} {resource} {name}"))?;
        let got = status(denied);
        ensure(got == json!({"allowed": false}), || {
            format!("{verb} {resource} {name:?}: expected {{allowed: false}}, got {got}")
        })?;
    }
    Ok(())
}

async fn aggregated_cluster_role_gathers_labelled_rules(cx: &Ctx<'_>) -> Outcome {
    let rt = ResourceType::of::<ClusterRole>();
    // A label of this run alone, so the aggregate gathers only the case's roles.
    let label = format!("conformance.kobj.dev/aggregate-{}", cx.ns());
    let aggregate = cx.unique("gathered");
    let rule = |resource: &str| json!({"apiGroups": ["example.com"], "resources": [resource], "verbs": ["get"]});
    cx.create(
        &rt,
        &aggregate,
        json!({"aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {label.clone(): "true"}}]}}),
    )
    .await?;
    // Created in the reverse of their names' order.
    let (first, second) = (cx.unique("a-source"), cx.unique("b-source"));
    for (name, resource) in [(&second, "seconds"), (&first, "firsts")] {
        cx.create(
            &rt,
            name,
            json!({"metadata": {"labels": {label.clone(): "true"}}, "rules": [rule(resource)]}),
        )
        .await?;
    }
    let both = json!([rule("firsts"), rule("seconds")]);
    cx.eventually_object(&rt, None, &aggregate, |o| {
        let rules = o.and_then(|o| o.data.get("rules"));
        if rules == Some(&both) {
            Ok(())
        } else {
            Err(format!("its rules are {rules:?}, expected {both}"))
        }
    })
    .await?;
    cx.delete(&rt, &first, &DeleteParams::default())
        .await
        .during("deleting the first source")?;
    let one = json!([rule("seconds")]);
    cx.eventually_object(&rt, None, &aggregate, |o| {
        let rules = o.and_then(|o| o.data.get("rules"));
        if rules == Some(&one) {
            Ok(())
        } else {
            Err(format!(
                "after deleting {first}, its rules are {rules:?}, expected {one}"
            ))
        }
    })
    .await
}
