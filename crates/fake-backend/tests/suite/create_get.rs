//! Rules 6–11, 15–20: create, get, update, with exact codes and messages, and bad input
//! leaving the state unchanged.

use crate::common;

use common::*;
use kobj_core::CustomObjects;
use kube_core::params::{GetParams, PostParams};
use serde_json::json;

fn pp() -> PostParams {
    PostParams::default()
}

#[tokio::test]
async fn server_sets_metadata_and_drops_status_with_subresource() {
    let c = cluster().await;
    let mut w = widget("a", json!({"color": "red"}));
    w.data["status"] = json!({"phase": "Ready"});
    w.metadata.uid = Some("client-uid".into());
    let created = c
        .create_object(&widgets(), Some("default"), &w, &pp())
        .await
        .unwrap();
    assert_ne!(created.metadata.uid.as_deref(), Some("client-uid"));
    assert!(created.metadata.creation_timestamp.is_some());
    assert_eq!(created.metadata.generation, Some(1));
    assert!(
        created.data.get("status").is_none(),
        "status dropped (rule 6)"
    );
    let rv: u64 = created.metadata.resource_version.unwrap().parse().unwrap();
    assert_eq!(rv, c.resource_version());
    let mf = created.metadata.managed_fields.unwrap_or_default();
    assert_eq!(mf.first().map(|m| m.manager.as_deref()), Some(Some("kobj")));
}

#[tokio::test]
async fn create_with_resource_version_is_refused() {
    let c = cluster().await;
    let mut w = widget("a", json!({}));
    w.metadata.resource_version = Some("5".into());
    let before = c.dump_yaml().unwrap();
    let e = c
        .create_object(&widgets(), Some("default"), &w, &pp())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(500));
    assert_eq!(
        message(&e),
        "resourceVersion should not be set on objects to be created"
    );
    assert_eq!(c.dump_yaml().unwrap(), before);
}

#[tokio::test]
async fn duplicates_and_deleting_prefix() {
    let c = cluster().await;
    c.create_object(&widgets(), Some("default"), &widget("a", json!({})), &pp())
        .await
        .unwrap();
    let e = c
        .create_object(&widgets(), Some("default"), &widget("a", json!({})), &pp())
        .await
        .unwrap_err();
    assert!(e.is_already_exists());
    assert_eq!(message(&e), "widgets.example.com \"a\" already exists");
    let mut f = widget("b", json!({}));
    f.metadata.finalizers = Some(vec!["example.com/hold".into()]);
    c.create_object(&widgets(), Some("default"), &f, &pp())
        .await
        .unwrap();
    c.delete_object(&widgets(), Some("default"), "b", &Default::default())
        .await
        .unwrap();
    let e = c
        .create_object(&widgets(), Some("default"), &f, &pp())
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        "object is being deleted: widgets.example.com \"b\" already exists"
    );
}

#[tokio::test]
async fn generate_name_and_give_up_after_eight() {
    let c = FakeClusterBuilderExt::det().await;
    let mut w = widget("", json!({}));
    w.metadata.generate_name = Some("w-".into());
    let a = c
        .create_object(&widgets(), Some("default"), &w, &pp())
        .await
        .unwrap();
    let name = a.metadata.name.unwrap();
    assert!(name.starts_with("w-") && name.len() == 7, "{name}");
    assert!(
        name[2..]
            .chars()
            .all(|ch| "bcdfghjklmnpqrstvwxz2456789".contains(ch))
    );
    // Long prefixes are cut to 58 characters.
    let mut long = widget("", json!({}));
    long.metadata.generate_name = Some("x".repeat(70));
    let l = c
        .create_object(&widgets(), Some("default"), &long, &pp())
        .await
        .unwrap();
    assert_eq!(l.metadata.name.unwrap().len(), 63);
}

struct FakeClusterBuilderExt;
impl FakeClusterBuilderExt {
    async fn det() -> kobj_fake::FakeCluster {
        let c = kobj_fake::FakeCluster::builder()
            .deterministic(7)
            .build()
            .unwrap();
        c.install_crd(&widget_crd()).await.unwrap();
        c
    }
}

#[tokio::test]
async fn generate_name_collisions_give_409_with_retry() {
    // Same seed in two clusters: the second cluster's names repeat the first's.
    let a = FakeClusterBuilderExt::det().await;
    let mut w = widget("", json!({}));
    w.metadata.generate_name = Some("w-".into());
    let mut names = Vec::new();
    for _ in 0..8 {
        names.push(
            a.create_object(&widgets(), Some("default"), &w, &pp())
                .await
                .unwrap()
                .metadata
                .name
                .unwrap(),
        );
    }
    let b = FakeClusterBuilderExt::det().await;
    for n in &names {
        b.create_object(&widgets(), Some("default"), &widget(n, json!({})), &pp())
            .await
            .unwrap();
    }
    // b's generator now replays a's eight names... only if the sequences align: use a fork.
    let fork_src = FakeClusterBuilderExt::det().await;
    let fork = fork_src.fork();
    for n in &names {
        fork.create_object(&widgets(), Some("default"), &widget(n, json!({})), &pp())
            .await
            .unwrap();
    }
    let e = fork
        .create_object(&widgets(), Some("default"), &w, &pp())
        .await;
    // The fork shares the id generator with fork_src, which has not generated any name yet,
    // so its next eight names are exactly `names`.
    let e = e.unwrap_err();
    assert!(e.is_already_exists());
    assert!(
        message(&e).ends_with(", the server was not able to generate a unique name for the object"),
        "{}",
        message(&e)
    );
    assert_eq!(e.retry_after_seconds(), Some(1));
}

#[tokio::test]
async fn name_validation() {
    let c = cluster().await;
    let before = c.dump_yaml().unwrap();
    let e = c
        .create_object(&widgets(), Some("default"), &widget("", json!({})), &pp())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(422));
    assert_eq!(
        message(&e),
        "Widget.example.com \"\" is invalid: metadata.name: Required value: name or generateName is required"
    );
    let e = c
        .create_object(
            &widgets(),
            Some("default"),
            &widget("Bad_Name", json!({})),
            &pp(),
        )
        .await
        .unwrap_err();
    assert!(message(&e).starts_with("Widget.example.com \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of"), "{}", message(&e));
    let long = "a".repeat(254);
    let e = c
        .create_object(
            &widgets(),
            Some("default"),
            &widget(&long, json!({})),
            &pp(),
        )
        .await
        .unwrap_err();
    assert!(message(&e).contains("must be no more than 253 characters"));
    // Namespaces are labels: dots are refused.
    let ns = obj(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a.b"}}));
    let e = kobj_core::CoreResources::create_object(&c, &namespaces(), None, &ns, &pp())
        .await
        .unwrap_err();
    assert!(message(&e).starts_with("Namespace \"a.b\" is invalid: metadata.name: Invalid value: \"a.b\": a lowercase RFC 1123 label must consist of"), "{}", message(&e));
    assert_eq!(c.dump_yaml().unwrap(), before);
}

#[tokio::test]
async fn namespace_rules() {
    let c = cluster().await;
    let before = c.dump_yaml().unwrap();
    let e = c
        .create_object(&widgets(), Some("nope"), &widget("a", json!({})), &pp())
        .await
        .unwrap_err();
    assert!(e.is_not_found());
    assert_eq!(message(&e), "namespaces \"nope\" not found");
    let mut w = widget("a", json!({}));
    w.metadata.namespace = Some("other".into());
    let e = c
        .create_object(&widgets(), Some("default"), &w, &pp())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(400));
    assert_eq!(
        message(&e),
        "the namespace of the provided object does not match the namespace sent on the request"
    );
    assert_eq!(c.dump_yaml().unwrap(), before);
    // A list in a missing namespace is empty.
    let l = c
        .list_objects(&widgets(), Some("nope"), &Default::default())
        .await
        .unwrap();
    assert!(l.items.is_empty());
}

#[tokio::test]
async fn terminating_namespace_refuses_create() {
    let c = cluster().await;
    let ns = obj(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "t"}}));
    kobj_core::CoreResources::create_object(&c, &namespaces(), None, &ns, &pp())
        .await
        .unwrap();
    let mut held = widget("held", json!({}));
    held.metadata.finalizers = Some(vec!["example.com/hold".into()]);
    c.create_object(&widgets(), Some("t"), &held, &pp())
        .await
        .unwrap();
    let del =
        kobj_core::CoreResources::delete_object(&c, &namespaces(), None, "t", &Default::default())
            .await
            .unwrap();
    let ns_obj = del.left().unwrap();
    assert_eq!(ns_obj.data["status"]["phase"], json!("Terminating"));
    let e = c
        .create_object(&widgets(), Some("t"), &widget("x", json!({})), &pp())
        .await
        .unwrap_err();
    assert!(e.is_forbidden());
    assert_eq!(
        message(&e),
        "widgets.example.com \"x\" is forbidden: unable to create new content in namespace t because it is being terminated"
    );
    assert_eq!(e.causes()[0].reason, "NamespaceTerminating");
    // Releasing the finalizer lets the namespace go.
    let patch = kube_core::params::Patch::Merge(json!({"metadata": {"finalizers": null}}));
    c.patch_object(&widgets(), Some("t"), "held", &patch, &Default::default())
        .await
        .unwrap();
    let e =
        kobj_core::CoreResources::get_object(&c, &namespaces(), None, "t", &GetParams::default())
            .await
            .unwrap_err();
    assert!(e.is_not_found());
}

#[tokio::test]
async fn type_mismatches() {
    let c = cluster().await;
    let mut w = widget("a", json!({}));
    w.types.as_mut().unwrap().api_version = "example.com/v2".into();
    let e = c
        .create_object(&widgets(), Some("default"), &w, &pp())
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        "the API version in the data (example.com/v2) does not match the expected API version (example.com/v1)"
    );
    let mut w = widget("a", json!({}));
    w.types.as_mut().unwrap().kind = "Gizmo".into();
    let e = c
        .create_object(&widgets(), Some("default"), &w, &pp())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(422));
    assert_eq!(
        message(&e),
        "Widget.example.com \"a\" is invalid: kind: Invalid value: \"Gizmo\": must be Widget"
    );
    let mut w = widget("a", json!({}));
    w.types = None;
    let e = c
        .create_object(&widgets(), Some("default"), &w, &pp())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(400));
    assert!(
        message(&e).starts_with(
            "Widget in version \"v1\" cannot be handled as a Widget: Object 'Kind' is missing in '"
        ),
        "{}",
        message(&e)
    );
    // Built-ins get apiVersion and kind filled in.
    let mut cm = configmap("c", json!({"k": "v"}));
    cm.types = None;
    let made =
        kobj_core::CoreResources::create_object(&c, &configmaps(), Some("default"), &cm, &pp())
            .await
            .unwrap();
    assert_eq!(made.types.unwrap().kind, "ConfigMap");
}

#[tokio::test]
async fn wrong_scope_and_unknown_types_are_404() {
    let c = cluster().await;
    let mut cluster_scoped_widgets = widgets();
    cluster_scoped_widgets.scope = kobj_core::Scope::Cluster;
    let e = c
        .get_object(&cluster_scoped_widgets, None, "a", &GetParams::default())
        .await
        .unwrap_err();
    assert!(e.is_not_found());
    let mut ns_gadgets = gadgets();
    ns_gadgets.scope = kobj_core::Scope::Namespaced;
    let e = c
        .get_object(&ns_gadgets, Some("default"), "a", &GetParams::default())
        .await
        .unwrap_err();
    assert!(e.is_not_found());
    // Namespaced list across all namespaces is fine.
    c.list_objects(&widgets(), None, &Default::default())
        .await
        .unwrap();
    let e = c
        .get_object(
            &widgets(),
            Some("default"),
            "missing",
            &GetParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(message(&e), "widgets.example.com \"missing\" not found");
    let st = status(&e);
    let d = st.details.as_ref().unwrap();
    assert_eq!(
        (d.kind.as_str(), d.group.as_str(), d.name.as_str()),
        ("widgets", "example.com", "missing")
    );
}

#[tokio::test]
async fn update_rules() {
    let c = cluster().await;
    let a = c
        .create_object(
            &widgets(),
            Some("default"),
            &widget("a", json!({"color": "red"})),
            &pp(),
        )
        .await
        .unwrap();
    // Rule 16: a CR needs a resourceVersion.
    let mut no_rv = a.clone();
    no_rv.metadata.resource_version = None;
    let e = c
        .replace_object(&widgets(), Some("default"), "a", &no_rv, &pp())
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        "widgets.example.com \"a\" is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update"
    );
    // Rule 19: spec change bumps generation.
    let mut next = a.clone();
    next.data["spec"]["color"] = json!("blue");
    let b = c
        .replace_object(&widgets(), Some("default"), "a", &next, &pp())
        .await
        .unwrap();
    assert_eq!(b.metadata.generation, Some(2));
    // Stale version.
    let e = c
        .replace_object(&widgets(), Some("default"), "a", &next, &pp())
        .await
        .unwrap_err();
    assert!(e.is_conflict());
    assert_eq!(
        message(&e),
        "Operation cannot be fulfilled on widgets.example.com \"a\": the object has been modified; please apply your changes to the latest version and try again"
    );
    // Label change: no generation bump; a no-op keeps the version.
    let mut labeled = b.clone();
    labeled.metadata.labels = Some([("x".to_string(), "y".to_string())].into());
    let c2 = c
        .replace_object(&widgets(), Some("default"), "a", &labeled, &pp())
        .await
        .unwrap();
    assert_eq!(c2.metadata.generation, Some(2));
    let rv = c.resource_version();
    let same = c
        .replace_object(&widgets(), Some("default"), "a", &c2, &pp())
        .await
        .unwrap();
    assert_eq!(
        c.resource_version(),
        rv,
        "no-op write gets no version (rule 14)"
    );
    assert_eq!(same.metadata.resource_version, c2.metadata.resource_version);
    // Name mismatch and uid mismatch.
    let e = c
        .replace_object(&widgets(), Some("default"), "zzz", &c2, &pp())
        .await
        .unwrap_err();
    assert!(e.is_not_found());
    let mut other = c2.clone();
    other.metadata.name = Some("b".into());
    let e = c
        .replace_object(&widgets(), Some("default"), "a", &other, &pp())
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        "the name of the object (b) does not match the name on the URL (a)"
    );
    // A body without a name: `checkName` cannot tell which object it is.
    let mut nameless = c2.clone();
    nameless.metadata.name = None;
    let e = c
        .replace_object(&widgets(), Some("default"), "a", &nameless, &pp())
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        "the name of the object (a based on URL) was undeterminable: name must be provided"
    );
    let mut wrong_uid = c2.clone();
    wrong_uid.metadata.uid = Some("other".into());
    let e = c
        .replace_object(&widgets(), Some("default"), "a", &wrong_uid, &pp())
        .await
        .unwrap_err();
    assert!(e.is_conflict());
    assert!(
        message(&e)
            .contains("Precondition failed: UID in precondition: other, UID in object meta: "),
        "{}",
        message(&e)
    );
    // Status written through the main resource is ignored.
    let mut st = c2.clone();
    st.data["status"] = json!({"phase": "Hacked"});
    let d = c
        .replace_object(&widgets(), Some("default"), "a", &st, &pp())
        .await
        .unwrap();
    assert!(d.data.get("status").is_none());
}

#[tokio::test]
async fn configmap_unconditional_update_and_immutability() {
    let c = cluster().await;
    let made = kobj_core::CoreResources::create_object(
        &c,
        &configmaps(),
        Some("default"),
        &configmap("c", json!({"k": "v"})),
        &pp(),
    )
    .await
    .unwrap();
    assert!(made.metadata.generation.is_none());
    let mut next = configmap("c", json!({"k": "w"}));
    next.data["immutable"] = json!(true);
    let upd = kobj_core::CoreResources::replace_object(
        &c,
        &configmaps(),
        Some("default"),
        "c",
        &next,
        &pp(),
    )
    .await
    .unwrap();
    assert_eq!(upd.data["data"]["k"], json!("w"));
    let before = c.dump_yaml().unwrap();
    let mut again = configmap("c", json!({"k": "x"}));
    again.data["immutable"] = json!(true);
    let e = kobj_core::CoreResources::replace_object(
        &c,
        &configmaps(),
        Some("default"),
        "c",
        &again,
        &pp(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        message(&e),
        "ConfigMap \"c\" is invalid: data: Forbidden: field is immutable when `immutable` is set"
    );
    assert_eq!(c.dump_yaml().unwrap(), before);
}

#[tokio::test]
async fn secret_string_data_is_folded() {
    let c = cluster().await;
    let s = obj(
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"user": "admin"}}),
    );
    let made = kobj_core::CoreResources::create_object(&c, &secrets(), Some("default"), &s, &pp())
        .await
        .unwrap();
    assert_eq!(made.data["data"]["user"], json!("YWRtaW4="));
    assert!(made.data.get("stringData").is_none());
    assert_eq!(made.data["type"], json!("Opaque"));
}

#[tokio::test]
async fn dry_run_stores_nothing() {
    let c = cluster().await;
    let before = c.dump_yaml().unwrap();
    let rv = c.resource_version();
    let dry = PostParams {
        dry_run: true,
        ..Default::default()
    };
    let made = c
        .create_object(&widgets(), Some("default"), &widget("a", json!({})), &dry)
        .await
        .unwrap();
    assert_eq!(made.metadata.name.as_deref(), Some("a"));
    assert_eq!(c.dump_yaml().unwrap(), before);
    assert_eq!(c.resource_version(), rv);
}

#[tokio::test]
async fn last_finalizer_removed_deletes() {
    let c = cluster().await;
    let mut w = widget("a", json!({}));
    w.metadata.finalizers = Some(vec!["example.com/x".into()]);
    c.create_object(&widgets(), Some("default"), &w, &pp())
        .await
        .unwrap();
    let marked = c
        .delete_object(&widgets(), Some("default"), "a", &Default::default())
        .await
        .unwrap()
        .left()
        .unwrap();
    assert!(marked.metadata.deletion_timestamp.is_some());
    assert_eq!(
        marked.metadata.generation,
        Some(2),
        "marking bumps generation"
    );
    // Adding a finalizer now is refused.
    let mut more = marked.clone();
    more.metadata.finalizers = Some(vec!["example.com/x".into(), "example.com/y".into()]);
    let e = c
        .replace_object(&widgets(), Some("default"), "a", &more, &pp())
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        "Widget.example.com \"a\" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"example.com/y\"}"
    );
    let mut release = marked.clone();
    release.metadata.finalizers = None;
    let out = c
        .replace_object(&widgets(), Some("default"), "a", &release, &pp())
        .await
        .unwrap();
    assert_eq!(out.metadata.name.as_deref(), Some("a"));
    let e = c
        .get_object(&widgets(), Some("default"), "a", &GetParams::default())
        .await
        .unwrap_err();
    assert!(e.is_not_found());
}
