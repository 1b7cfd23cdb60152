//! The resource verbs: scope checks (rule 46), method → verb, and each verb through the fake:
//! get, list, create, update, patch, delete, deletecollection, the status and scale
//! subresources, and watch (in `watch.rs`).

mod scale;

use std::sync::Arc;

use axum::response::Response;
use either::Either;
use http::{Method, StatusCode, header};
use kobj_core::{CustomObjects, Error, ResourceType, Result};
use kobj_fake::{TypeInfo, WriteOptions};
use kube_core::params::{Patch, PostParams, ValidationDirective};
use serde_json::{Value, json};

use crate::app::{App, Incoming};
use crate::negotiate::{self, Format, Offers};
use crate::params::{self, Query};
use crate::path::ResourcePath;
use crate::respond;
use crate::table::{self, IncludeObject};

/// One request to a resource path, resolved to its served type.
pub(crate) struct Ctx<'a> {
    /// The server.
    pub app: &'a App,
    /// The served type.
    pub info: Arc<TypeInfo>,
    /// The namespace of the path.
    pub ns: Option<&'a str>,
    /// The query.
    pub query: Query,
    /// The request.
    pub req: Incoming,
}

impl Ctx<'_> {
    /// The resource type and namespace as owned values, for work moved to another thread.
    pub fn owned_target(&self) -> (ResourceType, Option<String>) {
        (self.rt().clone(), self.ns.map(str::to_string))
    }

    /// The type.
    pub fn rt(&self) -> &ResourceType {
        &self.info.resource
    }

    /// The fake, through its trait.
    pub fn api(&self) -> &dyn CustomObjects {
        &self.app.cluster
    }

    fn user_agent(&self) -> Option<&str> {
        self.req.header(header::USER_AGENT)
    }

    fn accept(&self, offers: Offers) -> Result<Format> {
        negotiate::negotiate(self.req.header(header::ACCEPT), offers)
    }

    async fn body(&mut self) -> Result<bytes::Bytes> {
        let limit = self.app.config.max_body_bytes;
        self.req.read_body(limit).await
    }
}

/// Offers for reads: tables, partial metadata, YAML.
const READ: Offers = Offers {
    tables: true,
    aggregated_discovery: false,
    yaml: true,
};
/// Offers for writes: JSON and YAML.
const WRITE: Offers = Offers {
    tables: false,
    aggregated_discovery: false,
    yaml: true,
};
/// Offers for writes that answer with the object (create, update, patch): also a Table and
/// partial object metadata (`RequestScope.AllowsMediaTypeTransform` allows both whatever the
/// verb; kube-rs's `Api::patch_metadata` asks for the latter).
const WRITE_OBJECT: Offers = Offers {
    tables: true,
    aggregated_discovery: false,
    yaml: true,
};

/// Serves a resource path.
pub(crate) async fn serve(app: &App, req: Incoming, target: ResourcePath<'_>) -> Response {
    let Some(info) =
        app.cluster
            .resource_type_for_plural(target.group, target.version, target.plural)
    else {
        return respond::page_not_found();
    };
    let query = Query::parse(req.query.as_deref());
    let collection_read = target.name.is_none() && req.method == Method::GET;
    // Rule 46: a namespaced type without a namespace only for list and watch; a cluster-scoped
    // type never with one. Anything else is not routed.
    match (info.resource.is_namespaced(), target.namespace) {
        (true, None) if !collection_read => return respond::page_not_found(),
        (false, Some(_)) => return respond::page_not_found(),
        _ => {}
    }
    let mut ctx = Ctx {
        app,
        info,
        ns: target.namespace,
        query,
        req,
    };
    let mut resp = match dispatch(&mut ctx, &target).await {
        Ok(resp) => resp,
        Err(e) => respond::error(&e),
    };
    // The server's handlers of a deprecated version add its warning to every answer, before
    // any the request itself draws.
    if let Some(warning) = &ctx.info.deprecation_warning {
        respond::add_first_warning(&mut resp, warning);
    }
    resp
}

async fn dispatch(ctx: &mut Ctx<'_>, target: &ResourcePath<'_>) -> Result<Response> {
    let method = ctx.req.method.clone();
    if target.watch_prefix {
        if method != Method::GET || target.subresource.is_some() {
            return Err(Error::method_not_allowed(ctx.rt(), "watch"));
        }
        return crate::watch::serve(ctx, target.name).await;
    }
    match (target.name, target.subresource) {
        (None, _) => match method {
            Method::GET if ctx.query.is_watch()? => crate::watch::serve(ctx, None).await,
            Method::GET => list(ctx).await,
            Method::POST => create(ctx).await,
            Method::DELETE => delete_collection(ctx).await,
            _ => Err(Error::method_not_routed()),
        },
        (Some(name), None) => match method {
            Method::GET => get(ctx, name).await,
            Method::PUT => replace(ctx, name, None).await,
            Method::PATCH => patch(ctx, name, None).await,
            Method::DELETE => delete(ctx, name).await,
            _ => Err(Error::method_not_routed()),
        },
        (Some(name), Some("status")) => match method {
            Method::GET => get_status(ctx, name).await,
            Method::PUT => replace(ctx, name, Some("status")).await,
            Method::PATCH => patch(ctx, name, Some("status")).await,
            _ => Err(Error::method_not_routed()),
        },
        (Some(name), Some("scale")) => match method {
            Method::GET => scale::get(ctx, name).await,
            Method::PUT => scale::replace(ctx, name).await,
            Method::PATCH => scale::patch(ctx, name).await,
            _ => Err(Error::method_not_routed()),
        },
        (Some(name), Some("token")) if is_core(ctx.rt(), "serviceaccounts") => match method {
            Method::POST => create_on_subresource(ctx, name, Action::Token).await,
            _ => Err(Error::method_not_routed()),
        },
        (Some(name), Some("binding")) if is_core(ctx.rt(), "pods") => match method {
            Method::POST => create_on_subresource(ctx, name, Action::Bind).await,
            _ => Err(Error::method_not_routed()),
        },
        // `kubectl debug`, in-place resize and `kubectl certificate approve|deny`: the object
        // itself, of which a write takes only `spec.ephemeralContainers`, the containers'
        // `resources` and `resizePolicy`, or a request's `status.conditions`.
        (Some(name), Some(sub @ ("ephemeralcontainers" | "resize")))
            if is_core(ctx.rt(), "pods") =>
        {
            object_subresource(ctx, name, sub, &method).await
        }
        (Some(name), Some(sub @ "approval")) if is_certificate_requests(ctx.rt()) => {
            object_subresource(ctx, name, sub, &method).await
        }
        // `FinalizeREST`: an update that takes a Namespace's `spec.finalizers` alone.
        (Some(name), Some("finalize")) if is_core(ctx.rt(), "namespaces") => match method {
            Method::PUT => replace(ctx, name, Some("finalize")).await,
            _ => Err(Error::method_not_routed()),
        },
        (Some(name), Some("log")) if is_core(ctx.rt(), "pods") => match method {
            Method::GET => {
                crate::logs::serve(ctx.app, ctx.ns.unwrap_or_default(), name, &ctx.query)
            }
            _ => Err(Error::method_not_routed()),
        },
        // Streams the server hands to the kubelet: refused as a server without one refuses.
        (Some(name), Some(sub @ ("exec" | "attach" | "portforward")))
            if is_core(ctx.rt(), "pods") =>
        {
            match method {
                Method::GET | Method::POST => {
                    let container = ctx.query.non_empty("container");
                    let ns = ctx.ns.unwrap_or_default();
                    Err(ctx.app.cluster.pod_connect(ns, name, sub, container))
                }
                _ => Err(Error::method_not_routed()),
            }
        }
        (Some(name), Some("eviction")) if is_core(ctx.rt(), "pods") => match method {
            Method::POST => create_on_subresource(ctx, name, Action::Evict).await,
            _ => Err(Error::method_not_routed()),
        },
        (Some(name), Some(_)) => Err(Error::not_found(ctx.rt(), name)),
    }
}

/// Renders one object in the negotiated format.
fn render_one(ctx: &Ctx<'_>, code: StatusCode, format: Format, obj: &Value) -> Response {
    match format {
        Format::Table => {
            let include = IncludeObject::parse(ctx.query.get("includeObject"));
            let meta = json!({"resourceVersion": obj.pointer("/metadata/resourceVersion").cloned().unwrap_or(Value::Null)});
            let t = table::table(
                &ctx.info,
                std::slice::from_ref(obj),
                meta,
                include,
                ctx.app.cluster.clock().now(),
            );
            respond::object(code, Format::Json, &t)
        }
        Format::PartialMetadata => {
            respond::object(code, Format::Json, &table::partial_metadata(obj))
        }
        other => respond::object(code, other, obj),
    }
}

fn to_value<T: serde::Serialize>(obj: &T) -> Result<Value> {
    serde_json::to_value(obj).map_err(|e| Error::internal(format!("cannot encode the object: {e}")))
}

async fn get(ctx: &mut Ctx<'_>, name: &str) -> Result<Response> {
    let format = ctx.accept(READ)?;
    let obj = ctx
        .api()
        .get_object(ctx.rt(), ctx.ns, name, &params::get_params(&ctx.query))
        .await?;
    if matches!(format, Format::Json | Format::Yaml) {
        return Ok(respond::object(StatusCode::OK, format, &obj));
    }
    Ok(render_one(ctx, StatusCode::OK, format, &to_value(&obj)?))
}

async fn list(ctx: &mut Ctx<'_>) -> Result<Response> {
    let format = ctx.accept(READ)?;
    let lp = params::list_params(&ctx.query)?;
    let list = ctx.api().list_objects(ctx.rt(), ctx.ns, &lp).await?;
    match format {
        Format::Json | Format::Yaml => Ok(respond::object(StatusCode::OK, format, &list)),
        Format::Table => {
            let items: Vec<Value> = list.items.iter().map(to_value).collect::<Result<_>>()?;
            let meta = to_value(&list.metadata)?;
            let include = IncludeObject::parse(ctx.query.get("includeObject"));
            let t = table::table(
                &ctx.info,
                &items,
                meta,
                include,
                ctx.app.cluster.clock().now(),
            );
            Ok(respond::object(StatusCode::OK, Format::Json, &t))
        }
        _ => {
            let items: Vec<Value> = list
                .items
                .iter()
                .map(|i| to_value(i).map(|v| table::partial_metadata(&v)))
                .collect::<Result<_>>()?;
            let body = json!({
                "kind": "PartialObjectMetadataList",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": to_value(&list.metadata)?,
                "items": items,
            });
            Ok(respond::object(StatusCode::OK, Format::Json, &body))
        }
    }
}

/// `Warning` texts for the fields the write would drop as unknown when fieldValidation is
/// Warn (rule 27): pruning for a custom resource, its Go struct's decoding for a built-in
/// kind (a strategic merge patch's `$` directives are not fields).
fn unknown_field_warnings(info: &TypeInfo, opts: &WriteOptions, body: &Value) -> Vec<String> {
    if !matches!(
        opts.field_validation,
        None | Some(ValidationDirective::Warn)
    ) {
        return Vec::new();
    }
    // The body's repeated keys come first, as the decoder finds them before the pruning.
    let duplicates = opts.decode_errors.iter().cloned();
    if !body.is_object() {
        return duplicates.collect();
    }
    let paths = match &info.schema {
        Some(schema) => {
            let mut copy = body.clone();
            kobj_fake::schema::prune(schema, &mut copy)
        }
        None if !info.is_custom() => {
            let api = &info.resource.api;
            kobj_fake::builtin_unknown_fields(
                &api.api_version,
                &api.kind,
                &without_directives(body),
            )
        }
        None => Vec::new(),
    };
    duplicates
        .chain(paths.into_iter().map(|p| format!("unknown field {p:?}")))
        .collect()
}

/// `body` without a strategic merge patch's `$`-keys (`$patch`, `$setElementOrder/…`,
/// `$retainKeys`, `$deleteFromPrimitiveList/…`).
fn without_directives(body: &Value) -> Value {
    match body {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !k.starts_with('$'))
                .map(|(k, v)| (k.clone(), without_directives(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_directives).collect()),
        other => other.clone(),
    }
}

fn content_type(ctx: &Ctx<'_>) -> Option<String> {
    ctx.req
        .header(header::CONTENT_TYPE)
        .map(ToString::to_string)
}

/// Runs one of the fake's synchronous writes. Its injected fault delays sleep the calling
/// thread, so while fault rules are set the write runs on tokio's blocking pool instead of a
/// worker thread; without rules (the common case) it runs inline.
async fn write<T: Send + 'static>(
    cluster: &kobj_fake::FakeCluster,
    f: impl FnOnce(&kobj_fake::FakeCluster) -> Result<T> + Send + 'static,
) -> Result<T> {
    if cluster.faults().is_empty() {
        return f(cluster);
    }
    let cluster = cluster.clone();
    tokio::task::spawn_blocking(move || f(&cluster))
        .await
        .map_err(Error::internal)?
}

/// A custom resource's JSON body's repeated keys, for the engine to report with the unknown
/// fields (fieldValidation Warn or Strict; built-in kinds' bodies and YAML bodies are not
/// scanned, see docs/semantics.md).
fn note_duplicates(ctx: &Ctx<'_>, body: &[u8], json_body: bool, opts: &mut WriteOptions) {
    if ctx.info.is_custom()
        && json_body
        && !matches!(opts.field_validation, Some(ValidationDirective::Ignore))
    {
        opts.decode_errors = negotiate::duplicate_fields(body);
    }
}

/// Whether a create or update body is JSON (no Content-Type is JSON).
fn json_body(ctx: &Ctx<'_>) -> bool {
    negotiate::media_type(content_type(ctx).as_deref())
        .is_none_or(|m| m.is_empty() || m == "application/json")
}

/// A custom resource's JSON body without `kind` or `apiVersion`: the unstructured decoder's
/// error quotes the body as it was sent (`NewMissingKindErr(string(data))`), which the engine,
/// holding the decoded value, cannot.
fn missing_type_meta(ctx: &Ctx<'_>, body: &[u8], value: &serde_json::Value) -> Result<()> {
    if !ctx.info.is_custom() || !json_body(ctx) {
        return Ok(());
    }
    let missing = |key: &str| {
        value
            .get(key)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .is_empty()
    };
    let what = if missing("kind") {
        "Kind"
    } else if missing("apiVersion") {
        "apiVersion"
    } else {
        return Ok(());
    };
    let api = &ctx.info.resource.api;
    Err(Error::bad_request(format!(
        "{kind} in version {version:?} cannot be handled as a {kind}: Object '{what}' is missing in '{raw}'",
        kind = api.kind,
        version = api.version,
        raw = String::from_utf8_lossy(body),
    )))
}

async fn create(ctx: &mut Ctx<'_>) -> Result<Response> {
    let format = ctx.accept(WRITE_OBJECT)?;
    let mut opts = params::write_options(&ctx.query, "CreateOptions", ctx.user_agent(), false)?;
    let body = ctx.body().await?;
    let value =
        negotiate::decode_object(content_type(ctx).as_deref(), &body, ctx.info.is_custom())?;
    missing_type_meta(ctx, &body, &value)?;
    note_duplicates(ctx, &body, json_body(ctx), &mut opts);
    let warnings = unknown_field_warnings(&ctx.info, &opts, &value);
    let (rt, ns) = ctx.owned_target();
    let created = write(&ctx.app.cluster, move |c| {
        c.create_value(&rt, ns.as_deref(), value, &opts)
    })
    .await?;
    let mut resp = render_one(ctx, StatusCode::CREATED, format, &created);
    respond::add_warnings(&mut resp, &warnings);
    Ok(resp)
}

/// GET, PUT or PATCH on a subresource whose reads and writes are the object's own kind.
async fn object_subresource(
    ctx: &mut Ctx<'_>,
    name: &str,
    sub: &str,
    method: &Method,
) -> Result<Response> {
    match *method {
        Method::GET => get(ctx, name).await,
        Method::PUT => replace(ctx, name, Some(sub)).await,
        Method::PATCH => patch(ctx, name, Some(sub)).await,
        _ => Err(Error::method_not_routed()),
    }
}

/// Whether `rt` is certificates.k8s.io's CertificateSigningRequests.
fn is_certificate_requests(rt: &ResourceType) -> bool {
    rt.api.group == "certificates.k8s.io" && rt.api.plural == "certificatesigningrequests"
}

/// Whether `rt` is the core group's `plural`.
fn is_core(rt: &ResourceType, plural: &str) -> bool {
    rt.api.group.is_empty() && rt.api.plural == plural
}

/// The create-only subresources the fake serves beyond status and scale.
#[derive(Clone, Copy)]
enum Action {
    /// `pods/<name>/binding`: a v1 Binding (what a scheduler sends).
    Bind,
    /// `pods/<name>/eviction`: a policy/v1 Eviction (`kubectl drain`).
    Evict,
    /// `serviceaccounts/<name>/token`: a TokenRequest (`kubectl create token`).
    Token,
}

/// POST on a create-only subresource: the body decoded as for a create, the fake's answer
/// with 201.
async fn create_on_subresource(ctx: &mut Ctx<'_>, name: &str, action: Action) -> Result<Response> {
    let format = ctx.accept(WRITE)?;
    let opts = params::write_options(&ctx.query, "CreateOptions", ctx.user_agent(), false)?;
    let body = ctx.body().await?;
    let value = negotiate::decode_object(content_type(ctx).as_deref(), &body, false)?;
    let ns = ctx.ns.unwrap_or_default().to_string();
    let cluster = &ctx.app.cluster;
    let answer = match action {
        Action::Bind => {
            cluster
                .bind_pod_value(&ns, name, value, opts.dry_run)
                .await?
        }
        Action::Evict => {
            cluster
                .evict_pod_value(&ns, name, value, opts.dry_run)
                .await?
        }
        Action::Token => cluster.create_token_value(&ns, name, value).await?,
    };
    Ok(respond::object(StatusCode::CREATED, format, &answer))
}

async fn replace(ctx: &mut Ctx<'_>, name: &str, subresource: Option<&str>) -> Result<Response> {
    let format = ctx.accept(WRITE_OBJECT)?;
    let mut opts = params::write_options(&ctx.query, "UpdateOptions", ctx.user_agent(), false)?;
    let body = ctx.body().await?;
    let value =
        negotiate::decode_object(content_type(ctx).as_deref(), &body, ctx.info.is_custom())?;
    missing_type_meta(ctx, &body, &value)?;
    note_duplicates(ctx, &body, json_body(ctx), &mut opts);
    let warnings = unknown_field_warnings(&ctx.info, &opts, &value);
    let (rt, ns) = ctx.owned_target();
    let name_owned = name.to_string();
    let sub = subresource.map(str::to_string);
    let updated = write(&ctx.app.cluster, move |c| {
        c.replace_value(
            &rt,
            ns.as_deref(),
            &name_owned,
            value,
            sub.as_deref(),
            &opts,
        )
    })
    .await?;
    let mut resp = render_one(ctx, StatusCode::OK, format, &updated);
    respond::add_warnings(&mut resp, &warnings);
    Ok(resp)
}

async fn patch(ctx: &mut Ctx<'_>, name: &str, subresource: Option<&str>) -> Result<Response> {
    let format = ctx.accept(WRITE_OBJECT)?;
    let body = ctx.body().await?;
    let patch = negotiate::decode_patch(
        content_type(ctx).as_deref(),
        &body,
        ctx.info.is_custom(),
        params::strict_patch_decode(&ctx.query),
    )?;
    let apply = matches!(patch, Patch::Apply(_));
    let mut opts = params::write_options(&ctx.query, "PatchOptions", ctx.user_agent(), apply)?;
    note_duplicates(ctx, &body, matches!(patch, Patch::Merge(_)), &mut opts);
    let warnings = match &patch {
        // A built-in kind's apply refuses unknown fields (structured-merge-diff).
        Patch::Apply(_) if !ctx.info.is_custom() => Vec::new(),
        Patch::Merge(v) | Patch::Apply(v) | Patch::Strategic(v) => {
            unknown_field_warnings(&ctx.info, &opts, v)
        }
        _ => Vec::new(),
    };
    // Apply to a missing object creates it: 201 (rule 24).
    let created = apply
        && subresource.is_none()
        && ctx
            .api()
            .get_object(ctx.rt(), ctx.ns, name, &Default::default())
            .await
            .is_err_and(|e| e.is_not_found());
    let (rt, ns) = ctx.owned_target();
    let name_owned = name.to_string();
    let sub = subresource.map(str::to_string);
    let patched = write(&ctx.app.cluster, move |c| {
        c.patch_value(
            &rt,
            ns.as_deref(),
            &name_owned,
            &patch,
            sub.as_deref(),
            &opts,
        )
    })
    .await?;
    let code = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut resp = render_one(ctx, code, format, &patched);
    respond::add_warnings(&mut resp, &warnings);
    Ok(resp)
}

async fn delete(ctx: &mut Ctx<'_>, name: &str) -> Result<Response> {
    let format = ctx.accept(WRITE)?;
    let body = ctx.body().await?;
    let (dp, orphan_false) = params::delete_params(&ctx.query, &body)?;
    let (rt, ns) = ctx.owned_target();
    let name_owned = name.to_string();
    let deleted = write(&ctx.app.cluster, move |c| {
        c.delete_value(&rt, ns.as_deref(), &name_owned, &dp)
    })
    .await?;
    match deleted {
        Either::Left(obj) => {
            // Rule 29: 202 only for an explicit orphanDependents=false when the object stays.
            let code = if orphan_false {
                StatusCode::ACCEPTED
            } else {
                StatusCode::OK
            };
            Ok(respond::object(code, format, &obj))
        }
        Either::Right(status) => Ok(respond::object(
            StatusCode::OK,
            format,
            &respond::status_value(&status),
        )),
    }
}

async fn delete_collection(ctx: &mut Ctx<'_>) -> Result<Response> {
    let format = ctx.accept(WRITE)?;
    let body = ctx.body().await?;
    let (dp, _) = params::delete_params(&ctx.query, &body)?;
    let lp = params::list_params(&ctx.query)?;
    match ctx
        .api()
        .delete_collection(ctx.rt(), ctx.ns, &dp, &lp)
        .await?
    {
        Either::Left(list) => Ok(respond::object(StatusCode::OK, format, &list)),
        Either::Right(status) => Ok(respond::object(
            StatusCode::OK,
            format,
            &respond::status_value(&status),
        )),
    }
}

async fn get_status(ctx: &mut Ctx<'_>, name: &str) -> Result<Response> {
    let format = ctx.accept(READ)?;
    let obj = ctx.api().get_object_status(ctx.rt(), ctx.ns, name).await?;
    if matches!(format, Format::Json | Format::Yaml) {
        return Ok(respond::object(StatusCode::OK, format, &obj));
    }
    Ok(render_one(ctx, StatusCode::OK, format, &to_value(&obj)?))
}

fn post_params(opts: &WriteOptions) -> PostParams {
    PostParams {
        dry_run: opts.dry_run,
        field_manager: opts.field_manager.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::without_directives;

    #[test]
    fn strategic_directives_are_not_fields() {
        let patch = json!({
            "$setElementOrder/containers": [{"name": "a"}],
            "spec": {"containers": [{"name": "a", "$patch": "delete"}], "$retainKeys": ["x"]},
            "bogus": 1
        });
        assert_eq!(
            without_directives(&patch),
            json!({"spec": {"containers": [{"name": "a"}]}, "bogus": 1})
        );
    }
}
