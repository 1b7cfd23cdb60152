//! Area `builtins`, authorization: a SubjectAccessReview is decided by the cluster's RBAC
//! objects, as the RBAC authorizer decides it (rules 3, 6).

use k8s_openapi::api::authorization::v1::SubjectAccessReview;
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use kobj_core::ResourceType;
use kube_core::params::PostParams;
use serde_json::{Value, json};

use crate::case::{Case, During, Outcome, case};
use crate::check::*;
use crate::ctx::Ctx;

pub(super) fn cases() -> Vec<Case> {
    vec![case!(
        subject_access_review_follows_role_bindings,
        Builtins,
        [6],
        "a SubjectAccessReview for a user bound by a RoleBinding to a Role that grants `get` on ConfigMaps is `{allowed: true, reason: \"RBAC: allowed by RoleBinding \\\"<binding>/<ns>\\\" of Role \\\"<role>\\\" to User \\\"<user>\\\"\"}`; for `list`, for another resource, or for a name the Role's `resourceNames` does not hold it is `{allowed: false}`"
    )]
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
