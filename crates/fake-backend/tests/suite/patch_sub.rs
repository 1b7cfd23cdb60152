//! Rules 21–27: patches, server-side apply, status and scale subresources, and CRDs (44–49).

use crate::common;

use common::*;
use kobj_core::CustomObjects;
use kube_core::params::{GetParams, Patch, PatchParams, PostParams};
use serde_json::json;

fn jp(v: serde_json::Value) -> Patch<serde_json::Value> {
    Patch::Json(serde_json::from_value(v).unwrap())
}

#[tokio::test]
async fn json_and_merge_patch() {
    let c = cluster().await;
    c.create_object(
        &widgets(),
        Some("default"),
        &widget("a", json!({"color": "red"})),
        &PostParams::default(),
    )
    .await
    .unwrap();
    let p = c
        .patch_object(
            &widgets(),
            Some("default"),
            "a",
            &jp(json!([{"op": "replace", "path": "/spec/color", "value": "blue"}])),
            &PatchParams::default(),
        )
        .await
        .unwrap();
    assert_eq!(p.data["spec"]["color"], json!("blue"));
    assert_eq!(p.metadata.generation, Some(2));
    let before = c.dump_yaml().unwrap();
    let e = c
        .patch_object(
            &widgets(),
            Some("default"),
            "a",
            &jp(json!([{"op": "test", "path": "/spec/color", "value": "red"}])),
            &PatchParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(422));
    assert_eq!(
        message(&e),
        "the server rejected our request due to an error in our request"
    );
    let e = c
        .patch_object(
            &widgets(),
            Some("default"),
            "a",
            &jp(json!([{"op": "remove", "path": "/spec/nope"}])),
            &PatchParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(422));
    let ops: Vec<_> = (0..10_001)
        .map(|_| json!({"op": "test", "path": "/spec", "value": {}}))
        .collect();
    let e = c
        .patch_object(
            &widgets(),
            Some("default"),
            "a",
            &jp(json!(ops)),
            &PatchParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(413));
    // Name, namespace and uid changes are refused.
    let e = c
        .patch_object(
            &widgets(),
            Some("default"),
            "a",
            &Patch::Merge(json!({"metadata": {"name": "b"}})),
            &PatchParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        "the name of the object (b) does not match the name on the URL (a)"
    );
    let e = c
        .patch_object(
            &widgets(),
            Some("default"),
            "a",
            &Patch::Merge(json!({"metadata": {"namespace": "kube-system"}})),
            &PatchParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(400));
    let e = c
        .patch_object(
            &widgets(),
            Some("default"),
            "a",
            &Patch::Merge(json!({"metadata": {"uid": "u"}})),
            &PatchParams::default(),
        )
        .await
        .unwrap_err();
    // A patch carries no uid precondition: the changed uid is an immutable field (422).
    assert_eq!(e.code(), Some(422), "{e}");
    assert!(
        e.to_string()
            .contains("metadata.uid: Invalid value: \"u\": field is immutable"),
        "{e}"
    );
    let e = c
        .patch_object(
            &widgets(),
            Some("default"),
            "a",
            &Patch::Merge(json!({"metadata": {"resourceVersion": "1"}})),
            &PatchParams::default(),
        )
        .await
        .unwrap_err();
    assert!(e.is_conflict());
    // Strategic merge is refused for custom resources.
    let e = c
        .patch_object(
            &widgets(),
            Some("default"),
            "a",
            &Patch::Strategic(json!({"spec": {}})),
            &PatchParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(415));
    let e = c
        .patch_object(
            &widgets(),
            Some("default"),
            "missing",
            &Patch::Merge(json!({})),
            &PatchParams::default(),
        )
        .await
        .unwrap_err();
    assert!(e.is_not_found());
    // Schema validation on patch.
    let e = c
        .patch_object(
            &widgets(),
            Some("default"),
            "a",
            &Patch::Merge(json!({"spec": {"color": "pink"}})),
            &PatchParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(422));
    assert!(
        message(&e).starts_with(
            "Widget.example.com \"a\" is invalid: spec.color: Unsupported value: \"pink\""
        ),
        "{}",
        message(&e)
    );
    assert_eq!(c.dump_yaml().unwrap(), before);
}

/// A merge patch that is not an object: the handler's strict decode (fieldValidation Warn,
/// the default, or Strict) refuses it first; with Ignore, the merge does.
#[tokio::test]
async fn merge_patch_that_is_not_an_object() {
    use kube_core::params::ValidationDirective;
    let c = cluster().await;
    c.create_object(
        &widgets(),
        Some("default"),
        &widget("a", json!({"color": "red"})),
        &PostParams::default(),
    )
    .await
    .unwrap();
    let before = c.dump_yaml().unwrap();
    let refusal = |validation: Option<ValidationDirective>, body: serde_json::Value| {
        let c = c.clone();
        async move {
            let pp = PatchParams {
                field_validation: validation,
                ..PatchParams::default()
            };
            let e = c
                .patch_object(&widgets(), Some("default"), "a", &Patch::Merge(body), &pp)
                .await
                .unwrap_err();
            (e.code(), message(&e))
        }
    };
    assert_eq!(
        refusal(None, json!([1])).await,
        (
            Some(400),
            "error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}"
                .to_string()
        )
    );
    assert_eq!(
        refusal(Some(ValidationDirective::Strict), json!("x")).await,
        (
            Some(400),
            "error decoding patch: json: cannot unmarshal string into Go value of type map[string]interface {}"
                .to_string()
        )
    );
    assert_eq!(
        refusal(Some(ValidationDirective::Ignore), json!([1])).await,
        (
            Some(400),
            "json: cannot unmarshal non-object into Go value of type map[string]interface {}"
                .to_string()
        )
    );
    assert_eq!(
        refusal(None, serde_json::Value::Null).await,
        (Some(400), "Invalid JSON Patch".to_string())
    );
    assert_eq!(c.dump_yaml().unwrap(), before);
}

#[tokio::test]
async fn server_side_apply() {
    let c = cluster().await;
    let body = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "a"}, "spec": {"color": "red"}});
    let e = c
        .patch_object(
            &widgets(),
            Some("default"),
            "a",
            &Patch::Apply(body.clone()),
            &PatchParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch"
    );
    let e = c
        .patch_object(
            &widgets(),
            Some("default"),
            "a",
            &Patch::Merge(json!({})),
            &PatchParams {
                force: true,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(422));
    let made = c
        .patch_object(
            &widgets(),
            Some("default"),
            "a",
            &Patch::Apply(body),
            &PatchParams::apply("alice"),
        )
        .await
        .unwrap();
    assert_eq!(made.data["spec"]["color"], json!("red"));
    let mf = made.metadata.managed_fields.unwrap();
    assert_eq!(mf[0].manager.as_deref(), Some("alice"));
    assert_eq!(mf[0].operation.as_deref(), Some("Apply"));
    let other = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "a"}, "spec": {"color": "blue"}});
    let e = c
        .patch_object(
            &widgets(),
            Some("default"),
            "a",
            &Patch::Apply(other.clone()),
            &PatchParams::apply("bob"),
        )
        .await
        .unwrap_err();
    assert!(e.is_conflict());
    let forced = c
        .patch_object(
            &widgets(),
            Some("default"),
            "a",
            &Patch::Apply(other),
            &PatchParams::apply("bob").force(),
        )
        .await
        .unwrap();
    assert_eq!(forced.data["spec"]["color"], json!("blue"));
}

#[tokio::test]
async fn apply_of_the_same_value_shares_ownership() {
    let c = cluster().await;
    let body = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "s"}, "spec": {"color": "red"}});
    let apply = |manager: &'static str, body: serde_json::Value| {
        let c = c.clone();
        async move {
            c.patch_object(
                &widgets(),
                Some("default"),
                "s",
                &Patch::Apply(body),
                &PatchParams::apply(manager),
            )
            .await
            .unwrap()
        }
    };
    let first = apply("alice", body.clone()).await;
    // The same manager applying the same configuration changes nothing: no new version.
    let again = apply("alice", body.clone()).await;
    assert_eq!(
        first.metadata.resource_version,
        again.metadata.resource_version
    );
    // Another manager applying the same value becomes a co-owner: a real write.
    let shared = apply("bob", body).await;
    assert_ne!(
        first.metadata.resource_version,
        shared.metadata.resource_version
    );
    let managers: Vec<_> = shared
        .metadata
        .managed_fields
        .unwrap()
        .iter()
        .map(|m| (m.manager.clone().unwrap(), m.operation.clone().unwrap()))
        .collect();
    assert_eq!(
        managers,
        [
            ("alice".into(), "Apply".into()),
            ("bob".into(), "Apply".into())
        ]
    );
    // alice no longer applying the color leaves it: bob still owns it.
    let dropped = apply(
        "alice",
        json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "s"}}),
    )
    .await;
    assert_eq!(dropped.data["spec"]["color"], json!("red"));
}

#[tokio::test]
async fn status_subresource() {
    let c = cluster().await;
    let a = c
        .create_object(
            &widgets(),
            Some("default"),
            &widget("a", json!({"color": "red"})),
            &PostParams::default(),
        )
        .await
        .unwrap();
    let mut with_status = a.clone();
    with_status.data["status"] = json!({"phase": "Ready"});
    with_status.data["spec"]["color"] = json!("blue");
    let s = c
        .replace_object_status(
            &widgets(),
            Some("default"),
            "a",
            &with_status,
            &PostParams::default(),
        )
        .await
        .unwrap();
    assert_eq!(s.data["status"]["phase"], json!("Ready"));
    assert_eq!(
        s.data["spec"]["color"],
        json!("red"),
        "spec edits via /status are dropped"
    );
    assert_eq!(
        s.metadata.generation,
        Some(1),
        "status does not bump generation"
    );
    let p = c
        .patch_object_status(
            &widgets(),
            Some("default"),
            "a",
            &Patch::Merge(json!({"status": {"phase": "Done"}})),
            &PatchParams::default(),
        )
        .await
        .unwrap();
    assert_eq!(p.data["status"]["phase"], json!("Done"));
    let got = c
        .get_object_status(&widgets(), Some("default"), "a")
        .await
        .unwrap();
    assert_eq!(got.data["status"]["phase"], json!("Done"));
    // Gadgets have no status subresource: 404 Status.
    c.create_object(&gadgets(), None, &obj(json!({"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"}, "spec": {"x": 1}, "status": {"s": 1}})), &PostParams::default()).await.unwrap();
    let e = c
        .get_object_status(&gadgets(), None, "g")
        .await
        .unwrap_err();
    assert!(e.is_not_found());
    // Without the subresource, status is written through the main resource and bumps generation.
    let g = c
        .patch_object(
            &gadgets(),
            None,
            "g",
            &Patch::Merge(json!({"status": {"s": 2}})),
            &PatchParams::default(),
        )
        .await
        .unwrap();
    assert_eq!(g.data["status"]["s"], json!(2));
    assert_eq!(g.metadata.generation, Some(2));
}

#[tokio::test]
async fn scale_subresource() {
    let c = cluster().await;
    c.create_object(
        &widgets(),
        Some("default"),
        &widget("a", json!({"replicas": 2})),
        &PostParams::default(),
    )
    .await
    .unwrap();
    let s = c.get_scale(&widgets(), Some("default"), "a").await.unwrap();
    assert_eq!(s.spec.unwrap().replicas, Some(2));
    let s = c
        .patch_scale(
            &widgets(),
            Some("default"),
            "a",
            &Patch::Merge(json!({"spec": {"replicas": 5}})),
            &PatchParams::default(),
        )
        .await
        .unwrap();
    assert_eq!(s.spec.unwrap().replicas, Some(5));
    let w = c
        .get_object(&widgets(), Some("default"), "a", &GetParams::default())
        .await
        .unwrap();
    assert_eq!(w.data["spec"]["replicas"], json!(5));
    // A Scale without a name: `checkName` refuses it, nothing changes.
    let mut nameless = c.get_scale(&widgets(), Some("default"), "a").await.unwrap();
    nameless.metadata.name = None;
    nameless.spec = Some(k8s_openapi::api::autoscaling::v1::ScaleSpec { replicas: Some(7) });
    let e = c
        .replace_scale(
            &widgets(),
            Some("default"),
            "a",
            &nameless,
            &PostParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        "the name of the object (a based on URL) was undeterminable: name must be provided"
    );
    let s = c.get_scale(&widgets(), Some("default"), "a").await.unwrap();
    assert_eq!(s.spec.unwrap().replicas, Some(5));
    let e = c.get_scale(&gadgets(), None, "g").await.unwrap_err();
    assert!(e.is_not_found());
    // Deployments have scale too.
    let d = obj(
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "d"}}, "template": {"metadata": {"labels": {"app": "d"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}}),
    );
    kobj_core::CoreResources::create_object(
        &c,
        &deployments(),
        Some("default"),
        &d,
        &PostParams::default(),
    )
    .await
    .unwrap();
    let s = kobj_core::CoreResources::get_scale(&c, &deployments(), Some("default"), "d")
        .await
        .unwrap();
    assert_eq!(s.status.unwrap().selector.as_deref(), Some("app=d"));
}

#[tokio::test]
async fn crd_validation_and_strict_fields() {
    let c = cluster().await;
    let mut bad = widget_crd();
    bad.metadata.name = Some("wrong.example.com".into());
    let e = c.install_crd(&bad).await.unwrap_err();
    assert_eq!(e.code(), Some(422));
    assert!(message(&e).contains("metadata.name: Invalid value: \"wrong.example.com\": must be spec.names.plural+\".\"+spec.group"), "{}", message(&e));
    // Metadata and spec errors come in one aggregate (rule 44).
    let mut many = widget_crd();
    many.metadata.name = Some("bad_widgets.example.com".into());
    many.spec.names.plural = "bad_widgets".into();
    many.spec.scope = "Everywhere".into();
    let e = c.install_crd(&many).await.unwrap_err();
    let fields: Vec<&str> = status(&e)
        .details
        .as_ref()
        .unwrap()
        .causes
        .iter()
        .map(|c| c.field.as_str())
        .collect();
    for f in ["metadata.name", "spec.scope", "spec.names.plural"] {
        assert!(fields.contains(&f), "{f} missing in {fields:?}");
    }
    let mut no_dot = gadget_crd();
    no_dot.spec.group = "example".into();
    no_dot.metadata.name = Some("gadgets.example".into());
    let e = c.install_crd(&no_dot).await.unwrap_err();
    assert!(
        message(&e).contains(
            "spec.group: Invalid value: \"example\": should be a domain with at least one dot"
        ),
        "{}",
        message(&e)
    );
    let crd = kobj_core::CoreResources::get_object(
        &c,
        &kobj_fake::crd_type(),
        None,
        "widgets.example.com",
        &GetParams::default(),
    )
    .await
    .unwrap();
    let conds = crd.data["status"]["conditions"].as_array().unwrap().clone();
    assert!(
        conds
            .iter()
            .any(|c| c["type"] == "Established" && c["status"] == "True")
    );
    assert!(
        conds
            .iter()
            .any(|c| c["type"] == "NamesAccepted" && c["reason"] == "NoConflicts")
    );
    assert_eq!(crd.data["status"]["storedVersions"], json!(["v1"]));
    // Unknown fields are pruned; Strict refuses them on patch.
    let made = c
        .create_object(
            &widgets(),
            Some("default"),
            &widget("a", json!({"color": "red", "extra": 1})),
            &PostParams::default(),
        )
        .await
        .unwrap();
    assert!(made.data["spec"].get("extra").is_none());
    let strict = PatchParams {
        field_validation: Some(kube_core::params::ValidationDirective::Strict),
        ..Default::default()
    };
    let e = c
        .patch_object(
            &widgets(),
            Some("default"),
            "a",
            &Patch::Merge(json!({"spec": {"extra": 1}})),
            &strict,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(422));
    assert!(
        message(&e).contains("strict decoding error: unknown field \"spec.extra\""),
        "{}",
        message(&e)
    );
    // The patch handler's shape: no kind or name, the patched object as the bad value.
    assert!(
        message(&e).starts_with(" \"\" is invalid: patch: Invalid value: \"{"),
        "{}",
        message(&e)
    );
    assert!(message(&e).contains("\\\"extra\\\":1"), "{}", message(&e));
    // The patched object is the stored one patched (`applyPatchToCurrentObject`): its
    // resourceVersion and generation as stored, not as the update would set them.
    let stored = c
        .get_object(&widgets(), Some("default"), "a", &GetParams::default())
        .await
        .unwrap();
    let rv = stored.metadata.resource_version.clone().unwrap();
    let generation = stored.metadata.generation.unwrap();
    assert!(
        message(&e).contains(&format!("\\\"resourceVersion\\\":\\\"{rv}\\\"")),
        "{}",
        message(&e)
    );
    assert!(
        message(&e).contains(&format!("\\\"generation\\\":{generation}")),
        "{}",
        message(&e)
    );
    let e = c
        .create_object(
            &widgets(),
            Some("default"),
            &widget("b", json!({"size": "big"})),
            &PostParams::default(),
        )
        .await
        .unwrap_err();
    assert!(message(&e).contains("spec.size: Invalid value: \"string\": spec.size in body must be of type integer: \"string\""), "{}", message(&e));
}

#[tokio::test]
async fn faults_and_actions() {
    use kobj_fake::actions::{ActionFilter, Verb};
    use kobj_fake::faults::{Fault, FaultError};
    let c = cluster().await;
    c.faults().add(
        Fault::on(Verb::Create)
            .resource("widgets")
            .error_kind(FaultError::Conflict)
            .once(),
    );
    let before = c.dump_yaml().unwrap();
    let e = c
        .create_object(
            &widgets(),
            Some("default"),
            &widget("a", json!({})),
            &PostParams::default(),
        )
        .await
        .unwrap_err();
    assert!(e.is_conflict());
    assert_eq!(c.dump_yaml().unwrap(), before);
    c.create_object(
        &widgets(),
        Some("default"),
        &widget("a", json!({})),
        &PostParams::default(),
    )
    .await
    .unwrap();
    c.actions()
        .assert_count(&ActionFilter::verb(Verb::Create).resource("widgets"), 2);
    c.actions().assert_count(
        &ActionFilter::verb(Verb::Create)
            .resource("widgets")
            .succeeded(),
        1,
    );
}

/// kubectl's move from client-side to server-side apply (`lastappliedmanager.go`,
/// `lastappliedupdater.go`): a server-side apply by `kubectl` takes over, without a conflict,
/// the fields its last-applied annotation declares with the values the object still has, and
/// rewrites that annotation to what it applied. Other managers get the conflict.
#[tokio::test]
async fn kubectl_server_side_apply_takes_over_its_client_side_fields() {
    const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
    let c = cluster().await;
    // What `kubectl apply` (client-side) creates.
    let last = "{\"apiVersion\":\"v1\",\"data\":{\"a\":\"1\",\"b\":\"2\"},\"kind\":\"ConfigMap\",\"metadata\":{\"annotations\":{},\"name\":\"app\",\"namespace\":\"default\"}}\n";
    let created: kube_core::DynamicObject = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "app", "namespace": "default",
                     "annotations": {LAST_APPLIED: last}},
        "data": {"a": "1", "b": "2"},
    }))
    .unwrap();
    let csa = PostParams {
        field_manager: Some("kubectl-client-side-apply".into()),
        ..PostParams::default()
    };
    c.create_object(&configmaps(), Some("default"), &created, &csa)
        .await
        .unwrap();
    // Another writer changes `a` afterwards: that field is no longer the last applier's.
    let other = PatchParams {
        field_manager: Some("other".into()),
        ..PatchParams::default()
    };
    c.patch_object(
        &configmaps(),
        Some("default"),
        "app",
        &Patch::Merge(json!({"data": {"a": "9"}})),
        &other,
    )
    .await
    .unwrap();
    let applied = |a: &str, b: &str| {
        Patch::Apply(json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "app", "namespace": "default"},
            "data": {"a": a, "b": b, "c": "<new>"},
        }))
    };
    let before = c.dump_yaml().unwrap();
    // A manager other than kubectl conflicts over `b`.
    let e = c
        .patch_object(
            &configmaps(),
            Some("default"),
            "app",
            &applied("9", "3"),
            &PatchParams::apply("deployer"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using v1: .data.b"
    );
    // kubectl conflicts over `a` alone: `b` still has its last-applied value.
    let e = c
        .patch_object(
            &configmaps(),
            Some("default"),
            "app",
            &applied("8", "3"),
            &PatchParams::apply("kubectl"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        "Apply failed with 1 conflict: conflict with \"other\" using v1: .data.a"
    );
    assert_eq!(c.dump_yaml().unwrap(), before);
    // Leaving `a` as it is, kubectl takes `b` over.
    let out = c
        .patch_object(
            &configmaps(),
            Some("default"),
            "app",
            &applied("9", "3"),
            &PatchParams::apply("kubectl"),
        )
        .await
        .unwrap();
    assert_eq!(out.data["data"], json!({"a": "9", "b": "3", "c": "<new>"}));
    assert_eq!(
        out.metadata.annotations.as_ref().unwrap()[LAST_APPLIED],
        "{\"apiVersion\":\"v1\",\"data\":{\"a\":\"9\",\"b\":\"3\",\"c\":\"\\u003cnew\\u003e\"},\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"app\",\"namespace\":\"default\"}}\n"
    );
    let owners: Vec<(String, String)> = out
        .metadata
        .managed_fields
        .unwrap()
        .into_iter()
        .map(|e| {
            let fields = e.fields_v1.map(|f| f.0.to_string()).unwrap_or_default();
            (e.manager.unwrap_or_default(), fields)
        })
        .collect();
    let csa_fields = &owners
        .iter()
        .find(|(m, _)| m == "kubectl-client-side-apply")
        .unwrap()
        .1;
    assert!(!csa_fields.contains("f:b"), "{csa_fields}");
}

/// A server-side apply that creates its object goes through the patch handler's checks
/// (`patcher.applyPatch`): a uid names an object that is not there (409), the name must be
/// the URL's (`checkName`, 400), and a resourceVersion is dropped as the store's update path
/// prepares the new object.
#[tokio::test]
async fn an_apply_that_creates_checks_uid_and_name() {
    let c = cluster().await;
    let before = c.dump_yaml().unwrap();
    let apply = |body: serde_json::Value| {
        let c = c.clone();
        async move {
            c.patch_object(
                &configmaps(),
                Some("default"),
                "n1",
                &Patch::Apply(body),
                &PatchParams::apply("mgr"),
            )
            .await
        }
    };
    let cm = |metadata: serde_json::Value| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": {"a": "1"}});
    let e = apply(cm(json!({"name": "n1-other"}))).await.unwrap_err();
    assert_eq!(
        (e.code(), message(&e)),
        (
            Some(400),
            "the name of the object (n1-other) does not match the name on the URL (n1)".into()
        )
    );
    let e = apply(cm(json!({}))).await.unwrap_err();
    assert_eq!(
        (e.code(), message(&e)),
        (
            Some(400),
            "the name of the object (n1 based on URL) was undeterminable: name must be provided"
                .into()
        )
    );
    let e = apply(cm(json!({"name": "n1", "uid": "0000-1111"})))
        .await
        .unwrap_err();
    assert_eq!(
        (e.code(), message(&e)),
        (
            Some(409),
            "Operation cannot be fulfilled on configmaps \"n1\": uid mismatch: the provided object specified uid 0000-1111, and no existing object was found".into()
        )
    );
    assert_eq!(c.dump_yaml().unwrap(), before);
    let created = apply(cm(json!({"name": "n1", "resourceVersion": "12345"})))
        .await
        .unwrap();
    assert_ne!(created.metadata.resource_version.as_deref(), Some("12345"));
    assert_eq!(created.data["data"], json!({"a": "1"}));
}

/// A failed JSON Patch operation is the generic 422 with empty details
/// (`NewGenericServerResponse`).
#[tokio::test]
async fn a_failed_json_patch_has_empty_details() {
    let c = cluster().await;
    c.create_object(
        &configmaps(),
        Some("default"),
        &configmap("p", json!({"a": "1"})),
        &PostParams::default(),
    )
    .await
    .unwrap();
    let e = c
        .patch_object(
            &configmaps(),
            Some("default"),
            "p",
            &jp(json!([{"op": "test", "path": "/data/a", "value": "2"}])),
            &PatchParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(422));
    let details = status(&e).details.clone().unwrap();
    assert_eq!(serde_json::to_value(details).unwrap(), json!({}));
}
