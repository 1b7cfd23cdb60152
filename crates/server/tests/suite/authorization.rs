//! Authentication and authorization over HTTP: a service account token the fake issued is
//! that service account, authorized by RBAC; impersonation headers (`kubectl --as`) make a
//! request as another user once the requester may impersonate them; paths that are not
//! resources are authorized by the bootstrap discovery roles. kubectl's `--as`, `auth can-i`
//! and `auth whoami` against `kobj serve`.

use crate::common;

use axum::body::Body;
use common::{call, created, get, setup};
use http::{Method, StatusCode};
use serde_json::{Value, json};

const CONFIGMAPS: &str = "/api/v1/namespaces/default/configmaps";

/// A token of the service account `name` in `default`, made through TokenRequest.
async fn token_of(router: &axum::Router, name: &str) -> String {
    created(
        router,
        "/api/v1/namespaces/default/serviceaccounts",
        &json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name}}),
    )
    .await;
    let request = created(
        router,
        &format!("/api/v1/namespaces/default/serviceaccounts/{name}/token"),
        &json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {}}),
    )
    .await;
    request["status"]["token"].as_str().unwrap().to_string()
}

async fn as_bearer(
    router: &axum::Router,
    method: Method,
    uri: &str,
    token: &str,
    body: Option<Value>,
) -> common::Reply {
    let auth = format!("Bearer {token}");
    let mut headers = vec![("authorization", auth.as_str())];
    if body.is_some() {
        headers.push(("content-type", "application/json"));
    }
    let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
    call(router, method, uri, &headers, body).await
}

#[tokio::test]
async fn a_service_account_token_is_authorized_by_rbac() {
    let (_cluster, router) = setup().await;
    let token = token_of(&router, "deployer").await;

    let refused = as_bearer(&router, Method::GET, CONFIGMAPS, &token, None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        refused.json(),
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
               "message": "configmaps is forbidden: User \"system:serviceaccount:default:deployer\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"default\"",
               "reason": "Forbidden", "details": {"kind": "configmaps"}, "code": 403})
    );
    // Discovery and the version are every authenticated user's; other paths are not.
    assert_eq!(
        as_bearer(&router, Method::GET, "/api/v1", &token, None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        as_bearer(&router, Method::GET, "/version", &token, None)
            .await
            .status,
        StatusCode::OK
    );
    let metrics = as_bearer(&router, Method::GET, "/metrics", &token, None).await;
    assert_eq!(metrics.status, StatusCode::FORBIDDEN);
    assert_eq!(
        metrics.json()["message"],
        "forbidden: User \"system:serviceaccount:default:deployer\" cannot get path \"/metrics\""
    );

    // A RoleBinding of `edit` to the account (written by the administrator: no token).
    created(
        &router,
        "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
        &json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": {"name": "deployer-edit"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
                "subjects": [{"kind": "ServiceAccount", "name": "deployer", "namespace": "default"}]}),
    )
    .await;
    let made = as_bearer(
        &router,
        Method::POST,
        CONFIGMAPS,
        &token,
        Some(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "made"}})),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
    // Who it is, as the server tells it.
    let me = as_bearer(
        &router,
        Method::POST,
        "/apis/authentication.k8s.io/v1/selfsubjectreviews",
        &token,
        Some(json!({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})),
    )
    .await;
    let info = &me.json()["status"]["userInfo"];
    assert_eq!(info["username"], "system:serviceaccount:default:deployer");
    assert_eq!(
        info["groups"],
        json!([
            "system:serviceaccounts",
            "system:serviceaccounts:default",
            "system:authenticated"
        ])
    );
    // edit may not impersonate.
    let auth = format!("Bearer {token}");
    let impersonating = call(
        &router,
        Method::GET,
        CONFIGMAPS,
        &[
            ("authorization", auth.as_str()),
            ("impersonate-user", "bob"),
        ],
        Body::empty(),
    )
    .await;
    assert_eq!(impersonating.status, StatusCode::FORBIDDEN);
    assert_eq!(
        impersonating.json()["message"],
        "users \"bob\" is forbidden: User \"system:serviceaccount:default:deployer\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"
    );
}

#[tokio::test]
async fn impersonation_headers_make_the_request_as_another_user() {
    let (_cluster, router) = setup().await;
    let as_alice = |headers: &'static [(&'static str, &'static str)]| {
        let router = router.clone();
        async move { call(&router, Method::GET, CONFIGMAPS, headers, Body::empty()).await }
    };
    let refused = as_alice(&[("impersonate-user", "alice")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        refused.json()["message"],
        "configmaps is forbidden: User \"alice\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"default\""
    );
    // A group that may: the request is allowed.
    created(
        &router,
        "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
        &json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                "metadata": {"name": "readers"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
                "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "readers"}]}),
    )
    .await;
    let allowed = as_alice(&[
        ("impersonate-user", "alice"),
        ("impersonate-group", "readers"),
    ])
    .await;
    assert_eq!(allowed.status, StatusCode::OK, "{}", allowed.text());
    // Groups without a user.
    let groupless = as_alice(&[("impersonate-group", "readers")]).await;
    assert_eq!(groupless.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        groupless.json()["message"],
        "requested [{Group  readers    }] without impersonating a user"
    );
    // Without impersonation the administrator reads everything.
    assert_eq!(get(&router, CONFIGMAPS).await.status, StatusCode::OK);
}

#[tokio::test]
async fn kubectl_as_another_user_meets_rbac() {
    use common::kubectl::in_process_kubectl;
    let cluster = kobj_fake::FakeCluster::new();
    let settings = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "settings", "namespace": "default"}});
    cluster
        .load_objects(vec![serde_json::from_value(settings).unwrap()])
        .unwrap();
    let Some((running, k, _scratch)) = in_process_kubectl("kubectl --as", &cluster).await else {
        return;
    };
    let out = tokio::task::spawn_blocking(move || {
        let refused = k.fails(&["get", "configmaps", "--as=alice"], None);
        let cannot = k.output(&["auth", "can-i", "list", "pods", "--as=alice"], None);
        k.ok(&[
            "create",
            "rolebinding",
            "alice-view",
            "--clusterrole=view",
            "--user=alice",
        ]);
        let can = k.ok(&["auth", "can-i", "list", "pods", "--as=alice"]);
        let listed = k.ok(&["get", "configmaps", "--as=alice", "-o", "name"]);
        let whoami = k.ok(&["auth", "whoami", "--as=alice", "--as-group=devs"]);
        // view grants no RBAC writes; with admin she may write Roles, but only of rules she holds.
        k.ok(&[
            "create",
            "rolebinding",
            "alice-admin",
            "--clusterrole=admin",
            "--user=alice",
        ]);
        let escalating = k.fails(
            &[
                "create",
                "role",
                "node-reader",
                "--verb=get",
                "--resource=nodes",
                "--as=alice",
            ],
            None,
        );
        k.ok(&[
            "create",
            "role",
            "pod-deleter",
            "--verb=delete",
            "--resource=pods",
            "--as=alice",
        ]);
        (refused, cannot, can, listed, whoami, escalating)
    })
    .await
    .unwrap();
    running.shutdown().await;
    let (refused, cannot, can, listed, whoami, escalating) = out;
    assert!(
        escalating.contains(
            "roles.rbac.authorization.k8s.io \"node-reader\" is forbidden: user \"alice\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"\"], Resources:[\"nodes\"], Verbs:[\"get\"]}"
        ),
        "{escalating}"
    );
    assert!(
        refused.contains(
            "Error from server (Forbidden): configmaps is forbidden: User \"alice\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"default\""
        ),
        "{refused}"
    );
    assert_eq!(String::from_utf8_lossy(&cannot.stdout).trim(), "no");
    assert!(!cannot.status.success());
    assert_eq!(can.trim(), "yes");
    assert_eq!(listed.trim(), "configmap/settings");
    let rows: Vec<String> = whoami
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert!(rows.contains(&"Username alice".to_string()), "{whoami}");
    assert!(
        rows.contains(&"Groups [devs system:authenticated]".to_string()),
        "{whoami}"
    );
}

#[tokio::test]
async fn the_kube_backend_with_a_kubeconfig_that_impersonates_meets_rbac() {
    use kobj_core::{CoreResourcesExt, ErrorKind};
    let cluster = kobj_fake::FakeCluster::new();
    let running = kobj_server::start(cluster.clone(), Default::default())
        .await
        .unwrap();
    // The server's kubeconfig, its user impersonating alice (kubeconfig's `as`).
    let mut config: Value = serde_yaml::from_str(&running.kubeconfig()).unwrap();
    config["users"][0]["user"]["as"] = json!("alice");
    config["users"][0]["user"]["as-groups"] = json!(["devs"]);
    let dir = std::env::temp_dir().join(format!("kobj-as-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("kubeconfig");
    std::fs::write(&path, serde_yaml::to_string(&config).unwrap()).unwrap();

    let client = kobj_kube::connect(kobj_kube::Connect::default().kubeconfig(&path))
        .await
        .unwrap();
    let err = client
        .core()
        .list::<k8s_openapi::api::core::v1::ConfigMap>(Some("default"), &Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert_eq!(
        err.status().unwrap().message,
        "configmaps is forbidden: User \"alice\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"default\""
    );
    // The same refusal as the fake's own impersonated handle gives.
    let direct = cluster
        .impersonate(kobj_fake::UserInfo::new("alice").with_groups(["devs"]))
        .client("default")
        .core()
        .list::<k8s_openapi::api::core::v1::ConfigMap>(Some("default"), &Default::default())
        .await
        .unwrap_err();
    let (a, b) = (direct.status().unwrap(), err.status().unwrap());
    assert_eq!(
        (a.code, &a.reason, &a.message, &a.details),
        (b.code, &b.reason, &b.message, &b.details)
    );
    // A binding for the group lets the backend read.
    cluster
        .load_objects(vec![serde_json::from_value(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "devs-view", "namespace": "default"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "devs"}]}))
        .unwrap()])
        .unwrap();
    client
        .core()
        .list::<k8s_openapi::api::core::v1::ConfigMap>(Some("default"), &Default::default())
        .await
        .unwrap();
    // The same through the connection options (`--as`, `--as-group`), over the server's own
    // kubeconfig.
    let plain = dir.join("plain");
    running.write_kubeconfig(&plain).unwrap();
    let options = kobj_kube::Connect::default().kubeconfig(&plain);
    let as_bob = kobj_kube::connect(options.clone().impersonate("bob"))
        .await
        .unwrap();
    let err = as_bob
        .core()
        .list::<k8s_openapi::api::core::v1::ConfigMap>(Some("default"), &Default::default())
        .await
        .unwrap_err();
    assert_eq!(
        err.status().unwrap().message,
        "configmaps is forbidden: User \"bob\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"default\""
    );
    let as_dev = kobj_kube::connect(options.impersonate("bob").impersonate_groups(["devs"]))
        .await
        .unwrap();
    as_dev
        .core()
        .list::<k8s_openapi::api::core::v1::ConfigMap>(Some("default"), &Default::default())
        .await
        .unwrap();
    running.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_in_process_kube_client_over_an_impersonating_handle_has_its_users_rights() {
    use k8s_openapi::api::core::v1::ConfigMap;
    let cluster = kobj_fake::FakeCluster::new();
    let operator = kobj_fake::UserInfo::service_account("default", "operator");
    let client = kobj_server::in_process_client(&cluster.impersonate(operator));
    let api: kube::Api<ConfigMap> = kube::Api::namespaced(client, "default");
    let err = api.list(&Default::default()).await.unwrap_err();
    let kube::Error::Api(status) = err else {
        panic!("not an API error: {err}");
    };
    assert_eq!(status.code, 403);
    assert_eq!(
        status.message,
        "configmaps is forbidden: User \"system:serviceaccount:default:operator\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"default\""
    );
    // The operator's RBAC manifest, loaded as a fixture.
    cluster
        .load_objects(
            serde_yaml::Deserializer::from_str(
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: operator, namespace: default}\nrules:\n- apiGroups: ['']\n  resources: [configmaps]\n  verbs: [get, list, watch]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: operator, namespace: default}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: operator}\nsubjects:\n- {kind: ServiceAccount, name: operator, namespace: default}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: default}\n",
            )
            .map(|doc| serde::Deserialize::deserialize(doc).unwrap())
            .collect(),
        )
        .unwrap();
    let listed = api.list(&Default::default()).await.unwrap();
    let names: Vec<_> = listed
        .items
        .iter()
        .filter_map(|c| c.metadata.name.as_deref())
        .collect();
    assert_eq!(names, ["settings"]);
    // Writes stay refused.
    let made = api
        .create(
            &Default::default(),
            &serde_json::from_value(json!({"metadata": {"name": "x"}})).unwrap(),
        )
        .await
        .unwrap_err();
    assert!(matches!(made, kube::Error::Api(s) if s.code == 403));
}
