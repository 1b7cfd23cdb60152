//! Area `create` (rules 6–10).

use kobj_core::ErrorKind;
use kube_core::params::{ListParams, PostParams};
use serde_json::json;

use super::{held, widget};
use crate::case::{Case, During, Failure, Outcome, case};
use crate::check::*;
use crate::ctx::Ctx;
use crate::fixtures::{configmaps, gizmos, realms, widgets};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(
            create_returns_stored_object,
            Create,
            [6],
            "create returns the stored object: uid, creationTimestamp, decimal resourceVersion, generation 1"
        ),
        case!(
            create_resets_server_fields,
            Create,
            [6],
            "uid, creationTimestamp and generation sent by the client are replaced"
        ),
        case!(
            create_drops_empty_metadata_collections,
            Create,
            [6],
            "empty labels, annotations, finalizers and ownerReferences are not stored, on create or replace"
        ),
        case!(
            create_drops_status_with_subresource,
            Create,
            [6, 21],
            "with a status subresource, status in a create body is dropped"
        ),
        case!(
            create_keeps_status_without_subresource,
            Create,
            [21],
            "without a status subresource, status is stored like any field"
        ),
        case!(
            create_records_field_manager,
            Create,
            [6],
            "managedFields records the fieldManager parameter with operation Update"
        ),
        case!(
            create_managed_fields_mark_added_maps,
            Create,
            [6, 26],
            "a create's managedFields entry owns each map it adds as well as the map's fields (`.` in fieldsV1)"
        ),
        case!(
            create_with_resource_version_refused,
            Create,
            [6],
            "a resourceVersion on create is refused (500, `resourceVersion should not be set on objects to be created`)"
        ),
        case!(
            create_dry_run_stores_nothing,
            Create,
            [6],
            "dryRun create returns the object and stores nothing"
        ),
        case!(
            create_fills_namespace_from_request,
            Create,
            [9],
            "an object without a namespace gets the request's"
        ),
        case!(
            create_namespace_mismatch_bad_request,
            Create,
            [9],
            "an object whose namespace differs from the request's: 400 with the server's text"
        ),
        case!(
            create_in_missing_namespace_not_found,
            Create,
            [9],
            "creating in a namespace that does not exist: 404 `namespaces \"<ns>\" not found`"
        ),
        case!(
            create_duplicate_already_exists,
            Create,
            [10],
            "a duplicate name is AlreadyExists and leaves the first object unchanged"
        ),
        case!(
            create_duplicate_of_deleting_object,
            Create,
            [10, 29],
            "a duplicate of an object being deleted: `object is being deleted: ` prefix"
        ),
        case!(
            create_wrong_api_version_bad_request,
            Create,
            [10],
            "a body whose apiVersion differs from the endpoint's: 400 with both versions"
        ),
        case!(
            create_wrong_kind_invalid,
            Create,
            [10],
            "a body with another kind: 422 `kind: Invalid value: \"X\": must be Widget`"
        ),
        case!(
            create_missing_kind_bad_request,
            Create,
            [10],
            "a body without apiVersion and kind is a 400"
        ),
        case!(
            create_cluster_scoped_object,
            Create,
            [6, 46],
            "a cluster-scoped object is created and read without a namespace"
        ),
        case!(
            namespaced_verbs_need_a_namespace,
            Create,
            [46],
            "create/get on a namespaced type without a namespace is refused as BadRequest"
        ),
        case!(
            cluster_scoped_verbs_refuse_a_namespace,
            Create,
            [46],
            "create/get on a cluster-scoped type with a namespace is refused as BadRequest"
        ),
    ]
}

async fn create_returns_stored_object(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = widget(cx, "w", json!({"size": "small"})).await?;
    ensure_eq("name", "w", name_of(&created))?;
    ensure_eq(
        "namespace",
        Some(cx.ns()),
        created.metadata.namespace.as_deref(),
    )?;
    let uid = super::uid(&created)?;
    ensure(created.metadata.creation_timestamp.is_some(), || {
        "creationTimestamp not set".into()
    })?;
    let version = rv(&created)?;
    ensure_eq("generation", &Some(1), &created.metadata.generation)?;
    ensure_field("created", &created, "/spec/size", &json!("small"))?;
    let types = created.types.clone().unwrap_or_default();
    ensure_eq(
        "apiVersion",
        "conformance.kobj.dev/v1",
        types.api_version.as_str(),
    )?;
    ensure_eq("kind", "Widget", types.kind.as_str())?;
    let read = cx.get(&rt, "w").await.during("get")?;
    ensure_eq(
        "uid on read",
        Some(uid.as_str()),
        read.metadata.uid.as_deref(),
    )?;
    ensure_eq("resourceVersion on read", &version, &rv(&read)?)
}

async fn create_resets_server_fields(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let sent_uid = "00000000-0000-0000-0000-000000000001";
    let body = json!({
        "metadata": {"uid": sent_uid, "creationTimestamp": "2001-01-01T00:00:00Z", "generation": 7},
        "spec": {}
    });
    let created = cx.create(&rt, "w", body).await?;
    ensure(created.metadata.uid.as_deref() != Some(sent_uid), || {
        "the client's uid was kept".into()
    })?;
    let ts = created
        .metadata
        .creation_timestamp
        .clone()
        .map(|t| t.0.to_string())
        .unwrap_or_default();
    ensure(!ts.starts_with("2001"), || {
        format!("the client's creationTimestamp was kept: {ts}")
    })?;
    ensure_eq("generation", &Some(1), &created.metadata.generation)
}

async fn create_drops_empty_metadata_collections(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let body = json!({
        "metadata": {"labels": {}, "annotations": {}, "finalizers": [], "ownerReferences": []},
        "spec": {}
    });
    let created = cx.create(&rt, "w", body).await?;
    no_empty_collections("create response", &created)?;
    let mut read = cx.get(&rt, "w").await.during("get")?;
    no_empty_collections("stored object", &read)?;
    read.metadata.labels = Some(Default::default());
    read.metadata.annotations = Some(Default::default());
    read.metadata.finalizers = Some(Vec::new());
    let replaced = cx.replace(&rt, "w", &read).await.during("replace")?;
    no_empty_collections("replace response", &replaced)
}

/// Expects `metadata` without labels, annotations, finalizers or ownerReferences.
fn no_empty_collections(what: &str, object: &kube_core::DynamicObject) -> Outcome {
    let m = &object.metadata;
    let present = [
        ("labels", m.labels.is_some()),
        ("annotations", m.annotations.is_some()),
        ("finalizers", m.finalizers.is_some()),
        ("ownerReferences", m.owner_references.is_some()),
    ];
    for (field, is_there) in present {
        ensure(!is_there, || format!("{what}: metadata.{field} is present"))?;
    }
    Ok(())
}

async fn create_drops_status_with_subresource(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = cx
        .create(&rt, "w", json!({"spec": {}, "status": {"phase": "Ready"}}))
        .await?;
    ensure_absent("create response", &created, "/status/phase")?;
    let read = cx.get(&rt, "w").await.during("get")?;
    ensure_absent("stored object", &read, "/status/phase")
}

async fn create_keeps_status_without_subresource(cx: &Ctx<'_>) -> Outcome {
    let rt = gizmos();
    let created = cx
        .create(
            &rt,
            "g",
            json!({"spec": {"a": 1}, "status": {"phase": "Ready"}}),
        )
        .await?;
    ensure_field(
        "create response",
        &created,
        "/status/phase",
        &json!("Ready"),
    )?;
    let read = cx.get(&rt, "g").await.during("get")?;
    ensure_field("stored object", &read, "/status/phase", &json!("Ready"))
}

/// Creates `object` with the field manager `conformance-writer`.
async fn create_as_writer(
    cx: &Ctx<'_>,
    rt: &kobj_core::ResourceType,
    object: &kube_core::DynamicObject,
) -> Result<kube_core::DynamicObject, Failure> {
    let params = PostParams {
        field_manager: Some("conformance-writer".into()),
        ..Default::default()
    };
    cx.create_with(rt, object, &params).await.during("create")
}

async fn create_records_field_manager(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let object = cx.object(&rt, "w", json!({"spec": {"size": "small"}}))?;
    let created = create_as_writer(cx, &rt, &object).await?;
    let entries = created.metadata.managed_fields.clone().unwrap_or_default();
    let entry = entries
        .iter()
        .find(|e| e.manager.as_deref() == Some("conformance-writer"))
        .ok_or_else(|| {
            Failure::new(format!(
                "no managedFields entry for conformance-writer in {entries:?}"
            ))
        })?;
    ensure_eq("operation", Some("Update"), entry.operation.as_deref())?;
    ensure_eq(
        "apiVersion",
        Some("conformance.kobj.dev/v1"),
        entry.api_version.as_deref(),
    )
}

async fn create_managed_fields_mark_added_maps(cx: &Ctx<'_>) -> Outcome {
    let rt = configmaps();
    let object = cx.object(
        &rt,
        "cm",
        json!({"metadata": {"labels": {"app": "a"}}, "data": {"k": "v"}}),
    )?;
    let created = create_as_writer(cx, &rt, &object).await?;
    ensure_owned(
        &created,
        "conformance-writer",
        Some(&json!({"f:data": {".": {}, "f:k": {}},
            "f:metadata": {"f:labels": {".": {}, "f:app": {}}}})),
    )
}

async fn create_with_resource_version_refused(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let object = cx.object(
        &rt,
        "w",
        json!({"metadata": {"resourceVersion": "1"}, "spec": {}}),
    )?;
    let err = expect_error(
        "create",
        cx.create_with(&rt, &object, &Default::default()).await,
        ErrorKind::Internal,
    )?;
    expect_code("create", &err, 500)?;
    expect_message(
        "create",
        &err,
        "resourceVersion should not be set on objects to be created",
    )?;
    expect_error("get", cx.get(&rt, "w").await, ErrorKind::NotFound).map(|_| ())
}

async fn create_dry_run_stores_nothing(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let object = cx.object(&rt, "w", json!({"spec": {"size": "small"}}))?;
    let params = PostParams {
        dry_run: true,
        ..Default::default()
    };
    let answer = cx
        .create_with(&rt, &object, &params)
        .await
        .during("dry-run create")?;
    ensure_eq("name", "w", name_of(&answer))?;
    ensure_field("dry-run answer", &answer, "/spec/size", &json!("small"))?;
    expect_error(
        "get after dry run",
        cx.get(&rt, "w").await,
        ErrorKind::NotFound,
    )?;
    let list = cx.list(&rt, &ListParams::default()).await.during("list")?;
    ensure_eq(
        "items after dry run",
        &Vec::<String>::new(),
        &names(&list.items),
    )
}

async fn create_fills_namespace_from_request(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let object = cx.object_in(&rt, None, "w", json!({"spec": {}}))?;
    ensure(object.metadata.namespace.is_none(), || {
        "test object has a namespace".into()
    })?;
    let created = cx
        .create_with(&rt, &object, &Default::default())
        .await
        .during("create")?;
    ensure_eq(
        "namespace",
        Some(cx.ns()),
        created.metadata.namespace.as_deref(),
    )
}

async fn create_namespace_mismatch_bad_request(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let object = cx.object_in(&rt, Some("elsewhere"), "w", json!({"spec": {}}))?;
    let err = expect_error(
        "create",
        cx.create_with(&rt, &object, &Default::default()).await,
        ErrorKind::BadRequest,
    )?;
    expect_code("create", &err, 400)?;
    expect_message(
        "create",
        &err,
        "the namespace of the provided object does not match the namespace sent on the request",
    )
}

async fn create_in_missing_namespace_not_found(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let missing = format!("{}-missing", cx.ns());
    let object = cx.object_in(&rt, Some(&missing), "w", json!({"spec": {}}))?;
    let result = cx
        .api(&rt)
        .create(&rt, Some(&missing), &object, &Default::default())
        .await;
    let err = expect_error("create", result, ErrorKind::NotFound)?;
    expect_message("create", &err, &format!("namespaces {missing:?} not found"))
}

async fn create_duplicate_already_exists(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let first = widget(cx, "w", json!({"size": "small"})).await?;
    let again = cx.object(&rt, "w", json!({"spec": {"size": "large"}}))?;
    expect_error(
        "second create",
        cx.create_with(&rt, &again, &Default::default()).await,
        ErrorKind::AlreadyExists,
    )?;
    let read = cx.get(&rt, "w").await.during("get")?;
    ensure_field("stored object", &read, "/spec/size", &json!("small"))?;
    ensure_eq("resourceVersion", &rv(&first)?, &rv(&read)?)
}

async fn create_duplicate_of_deleting_object(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    cx.create(&rt, "w", held(json!({}))).await?;
    cx.delete(&rt, "w", &Default::default())
        .await
        .during("delete")?;
    let again = cx.object(&rt, "w", json!({"spec": {}}))?;
    let err = expect_error(
        "create while deleting",
        cx.create_with(&rt, &again, &Default::default()).await,
        ErrorKind::AlreadyExists,
    )?;
    expect_message(
        "create while deleting",
        &err,
        "object is being deleted: widgets.conformance.kobj.dev \"w\" already exists",
    )
}

async fn create_wrong_api_version_bad_request(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let mut object = cx.object(&rt, "w", json!({"spec": {}}))?;
    if let Some(types) = object.types.as_mut() {
        types.api_version = "conformance.kobj.dev/v9".into();
    }
    let err = expect_error(
        "create",
        cx.create_with(&rt, &object, &Default::default()).await,
        ErrorKind::BadRequest,
    )?;
    expect_message(
        "create",
        &err,
        "the API version in the data (conformance.kobj.dev/v9) does not match the expected API version (conformance.kobj.dev/v1)",
    )?;
    expect_error("get", cx.get(&rt, "w").await, ErrorKind::NotFound).map(|_| ())
}

async fn create_wrong_kind_invalid(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let mut object = cx.object(&rt, "w", json!({"spec": {}}))?;
    if let Some(types) = object.types.as_mut() {
        types.kind = "Gadget".into();
    }
    let err = expect_error(
        "create",
        cx.create_with(&rt, &object, &Default::default()).await,
        ErrorKind::Invalid,
    )?;
    expect_message_contains(
        "create",
        &err,
        "kind: Invalid value: \"Gadget\": must be Widget",
    )?;
    expect_error("get", cx.get(&rt, "w").await, ErrorKind::NotFound).map(|_| ())
}

async fn create_missing_kind_bad_request(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let mut object = cx.object(&rt, "w", json!({"spec": {}}))?;
    object.types = None;
    let err = expect_error(
        "create",
        cx.create_with(&rt, &object, &Default::default()).await,
        ErrorKind::BadRequest,
    )?;
    expect_code("create", &err, 400)?;
    expect_error("get", cx.get(&rt, "w").await, ErrorKind::NotFound).map(|_| ())
}

async fn create_cluster_scoped_object(cx: &Ctx<'_>) -> Outcome {
    let rt = realms();
    let name = cx.unique("r");
    let created = cx
        .create(&rt, &name, json!({"spec": {"region": "eu"}}))
        .await?;
    ensure_eq("namespace", &None, &created.metadata.namespace)?;
    let read = cx
        .api(&rt)
        .get(&rt, None, &name, &Default::default())
        .await
        .during("get")?;
    ensure_field("read", &read, "/spec/region", &json!("eu"))
}

async fn namespaced_verbs_need_a_namespace(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let object = cx.object_in(&rt, None, "w", json!({"spec": {}}))?;
    let api = cx.api(&rt);
    expect_error(
        "create without namespace",
        api.create(&rt, None, &object, &Default::default()).await,
        ErrorKind::BadRequest,
    )?;
    expect_error(
        "get without namespace",
        api.get(&rt, None, "w", &Default::default()).await,
        ErrorKind::BadRequest,
    )?;
    expect_error(
        "delete without namespace",
        api.delete(&rt, None, "w", &Default::default()).await,
        ErrorKind::BadRequest,
    )?;
    expect_error(
        "get with an empty name",
        api.get(&rt, Some(cx.ns()), "", &Default::default()).await,
        ErrorKind::BadRequest,
    )?;
    Ok(())
}

async fn cluster_scoped_verbs_refuse_a_namespace(cx: &Ctx<'_>) -> Outcome {
    let rt = realms();
    let name = cx.unique("r");
    let object = cx.object(&rt, &name, json!({"spec": {}}))?;
    let api = cx.api(&rt);
    expect_error(
        "create with namespace",
        api.create(&rt, Some(cx.ns()), &object, &Default::default())
            .await,
        ErrorKind::BadRequest,
    )?;
    expect_error(
        "get with namespace",
        api.get(&rt, Some(cx.ns()), &name, &Default::default())
            .await,
        ErrorKind::BadRequest,
    )?;
    expect_error(
        "get after refusals",
        api.get(&rt, None, &name, &Default::default()).await,
        ErrorKind::NotFound,
    )
    .map(|_| ())
}
