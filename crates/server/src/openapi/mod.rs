//! OpenAPI v3 (rule 55): the `/openapi/v3` root and one document per group version, with a
//! PATCH operation per kind tagged `x-kubernetes-group-version-kind` that lists the
//! `fieldValidation` query parameter, so that `kubectl create` and `kubectl apply` validate on
//! the server (`fieldValidation=Strict`) instead of asking for `--validate=false`. CRD schemas
//! and the built-in kinds' schemas (`builtin`) are published as components, so `kubectl
//! explain` works for both. `/openapi/v2` is a document without definitions (`v2`).
//!
//! The PATCH request bodies do not list `application/strategic-merge-patch+json`: kubectl
//! would then compute strategic merge patches from these documents, whose schemas carry no
//! patch strategies or merge keys; without it, it uses the patch metadata compiled into it, as
//! with any server lacking them.

mod builtin;
mod v2;

use std::collections::{BTreeMap, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use axum::response::Response;
use http::{Method, StatusCode};
use kobj_fake::TypeInfo;
use serde_json::{Map, Value, json};

use crate::app::{App, Incoming};
use crate::negotiate::Format;
use crate::respond;

/// Serves `/openapi/<rest>`.
pub(crate) fn serve(app: &App, req: &Incoming, rest: &str) -> Response {
    if req.method != Method::GET {
        return respond::page_not_found();
    }
    let rest = rest.trim_end_matches('/');
    if rest == "v2" {
        return v2::serve(&req.headers, &app.config.git_version);
    }
    let Some(gv_path) = rest.strip_prefix("v3") else {
        return respond::page_not_found();
    };
    let infos = app.cluster.type_infos();
    let docs = documents(&infos, &app.config.git_version);
    if gv_path.is_empty() {
        let paths: Map<String, Value> = docs
            .iter()
            .map(|(path, doc)| {
                (
                    path.clone(),
                    json!({"serverRelativeURL": format!("/openapi/v3/{path}?hash={}", doc.hash)}),
                )
            })
            .collect();
        return respond::object(StatusCode::OK, Format::Json, &json!({"paths": paths}));
    }
    match docs.get(gv_path.trim_start_matches('/')) {
        Some(doc) => respond::object(StatusCode::OK, Format::Json, &doc.value),
        None => respond::page_not_found(),
    }
}

/// A group version's document and the hash its URL carries.
struct Doc {
    value: Value,
    hash: String,
}

impl Doc {
    fn new(value: Value) -> Self {
        let mut h = DefaultHasher::new();
        value.to_string().hash(&mut h);
        let hash = format!("{:016X}", h.finish());
        Self { value, hash }
    }
}

/// One document per group version, keyed `api/v1` or `apis/<group>/<version>`. A group
/// version of built-in kinds alone is made once and kept (its schemas are large, and
/// kubectl asks for the list, which needs every document's hash, before most commands).
fn documents(infos: &[Arc<TypeInfo>], version: &str) -> BTreeMap<String, Arc<Doc>> {
    static BUILT_IN: OnceLock<Mutex<HashMap<String, Arc<Doc>>>> = OnceLock::new();
    let mut by_gv: BTreeMap<String, Vec<&Arc<TypeInfo>>> = BTreeMap::new();
    for info in infos {
        let api = &info.resource.api;
        let key = if api.group.is_empty() {
            format!("api/{}", api.version)
        } else {
            format!("apis/{}/{}", api.group, api.version)
        };
        by_gv.entry(key).or_default().push(info);
    }
    by_gv
        .into_iter()
        .map(|(key, types)| {
            if types.iter().any(|t| t.is_custom()) {
                let doc = Arc::new(Doc::new(document(&key, &types, version)));
                return (key, doc);
            }
            let kinds: Vec<&str> = types.iter().map(|t| t.resource.api.kind.as_str()).collect();
            let id = format!("{key}|{version}|{}", kinds.join(","));
            let cache = BUILT_IN.get_or_init(Mutex::default);
            let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
            let doc = cache
                .entry(id)
                .or_insert_with(|| Arc::new(Doc::new(document(&key, &types, version))))
                .clone();
            (key, doc)
        })
        .collect()
}

fn schema_id(info: &TypeInfo) -> String {
    let api = &info.resource.api;
    if api.group.is_empty() {
        return format!("io.k8s.api.core.{}.{}", api.version, api.kind);
    }
    if info.is_custom() {
        let reversed: Vec<&str> = api.group.split('.').rev().collect();
        return format!("{}.{}.{}", reversed.join("."), api.version, api.kind);
    }
    let short = api.group.split('.').next().unwrap_or(&api.group);
    format!("io.k8s.api.{short}.{}.{}", api.version, api.kind)
}

/// What apiextensions' `buildKubeNative` adds to a CRD's structural schema: `apiVersion` and
/// `kind` as TypeMeta describes them, and `metadata` referring to ObjectMeta, so that
/// `kubectl explain <kind>.metadata` works.
fn add_kube_native_properties(schema: &mut Value) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    let properties = map
        .entry("properties")
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(properties) = properties.as_object_mut() else {
        return;
    };
    for name in ["apiVersion", "kind"] {
        if let Some(p) = builtin::type_meta_property(name) {
            properties.insert(name.to_string(), p.clone());
        }
    }
    properties.insert(
        "metadata".into(),
        json!({
            "allOf": [{"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}],
            "description": "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
        }),
    );
}

/// A custom resource's List schema (`buildListSchema`).
fn list_schema(info: &TypeInfo, id: &str) -> Value {
    let api = &info.resource.api;
    let mut properties = Map::new();
    for name in ["apiVersion", "kind"] {
        if let Some(p) = builtin::type_meta_property(name) {
            properties.insert(name.to_string(), p.clone());
        }
    }
    properties.insert(
        "items".into(),
        json!({
            "type": "array",
            "description": format!("List of {}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md", api.plural),
            "items": {"$ref": format!("#/components/schemas/{id}")},
        }),
    );
    properties.insert(
        "metadata".into(),
        json!({
            "allOf": [{"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"}],
            "description": "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
        }),
    );
    json!({
        "type": "object",
        "description": format!("{} is a list of {}", info.list_kind, api.kind),
        "required": ["items"],
        "properties": properties,
        "x-kubernetes-group-version-kind": [{"group": api.group, "version": api.version, "kind": info.list_kind}],
    })
}

fn param(name: &str, location: &str, description: &str) -> Value {
    let mut p = json!({
        "name": name,
        "in": location,
        "description": description,
        "schema": {"type": if name == "force" { "boolean" } else { "string" }, "uniqueItems": true},
    });
    if location == "path"
        && let Some(map) = p.as_object_mut()
    {
        map.insert("required".into(), true.into());
    }
    p
}

fn write_params(patch: bool) -> Vec<Value> {
    let mut ps = vec![
        param(
            "dryRun",
            "query",
            "When present, indicates that modifications should not be persisted. Valid value: All.",
        ),
        param(
            "fieldManager",
            "query",
            "fieldManager is a name associated with the actor or entity that is making these changes.",
        ),
        param(
            "fieldValidation",
            "query",
            "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn (default), Strict.",
        ),
    ];
    if patch {
        ps.push(param("force", "query", "Force is going to \"force\" Apply requests. It must be unset for non-apply patch requests."));
    }
    ps
}

fn document(key: &str, types: &[&Arc<TypeInfo>], version: &str) -> Value {
    let mut paths = Map::new();
    let mut schemas = Map::new();
    let built_in = types
        .iter()
        .find(|info| !info.is_custom())
        .and_then(|info| builtin::schemas(&info.resource.api.api_version));
    if let Some(gv) = built_in {
        schemas.extend(gv.definitions.clone());
    }
    for info in types {
        let api = &info.resource.api;
        let gvk = json!({"group": api.group, "version": api.version, "kind": api.kind});
        let typed_root = built_in
            .filter(|_| !info.is_custom())
            .and_then(|gv| gv.roots.get(api.kind.as_str()));
        let id = typed_root.cloned().unwrap_or_else(|| schema_id(info));
        let reference = json!({"$ref": format!("#/components/schemas/{id}")});
        let ok = json!({"200": {"description": "OK", "content": {"application/json": {"schema": reference}}}});
        let created = json!({
            "200": {"description": "OK", "content": {"application/json": {"schema": reference}}},
            "201": {"description": "Created", "content": {"application/json": {"schema": reference}}},
        });
        // A built-in kind's schema came with the group version's definitions; a custom
        // resource's is its CRD's (or open when the CRD has none).
        if typed_root.is_none() {
            let mut schema = info
                .schema
                .as_ref()
                .and_then(|s| serde_json::to_value(s.as_ref()).ok())
                .unwrap_or_else(
                    || json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}),
                );
            if info.schema.is_some() {
                add_kube_native_properties(&mut schema);
            }
            if let Some(map) = schema.as_object_mut() {
                map.insert("x-kubernetes-group-version-kind".into(), json!([gvk]));
            }
            schemas.insert(id.clone(), schema);
            schemas.extend(builtin::custom_resource_definitions().clone());
            schemas.insert(format!("{id}List"), list_schema(info, &id));
        }
        // Strategic merge patch is not listed, though built-in kinds are served it (see the
        // module's documentation): listed, kubectl would compute client-side apply patches
        // from these schemas, which carry no merge keys, and send every list whole, so an
        // item removed from a manifest would stay. Unlisted, kubectl finds no patch metadata
        // in `/openapi/v2` either and uses the metadata compiled into it.
        let mut patch_types = Map::new();
        for t in [
            "application/json-patch+json",
            "application/merge-patch+json",
            "application/apply-patch+yaml",
        ] {
            patch_types.insert(t.to_string(), json!({"schema": {"type": "object"}}));
        }
        let ns_part = if info.resource.is_namespaced() {
            "namespaces/{namespace}/"
        } else {
            ""
        };
        let scoped = if info.resource.is_namespaced() {
            "Namespaced"
        } else {
            ""
        };
        let op_kind = format!("{scoped}{}", api.kind);
        let mut path_params = vec![param("name", "path", "name of the resource")];
        if info.resource.is_namespaced() {
            path_params.push(param(
                "namespace",
                "path",
                "object name and auth scope, such as for teams and projects",
            ));
        }
        let base = format!("/{key}/{ns_part}{}", api.plural);
        let op = |verb: &str,
                  action: &str,
                  params: Vec<Value>,
                  body: Option<Value>,
                  responses: &Value| {
            let (verb, suffix) = verb.split_once(':').unwrap_or((verb, ""));
            let mut o = json!({
                "operationId": format!("{verb}{op_kind}{suffix}"),
                "parameters": params,
                "responses": responses,
                "x-kubernetes-action": action,
                "x-kubernetes-group-version-kind": gvk,
            });
            if let (Some(b), Some(map)) = (body, o.as_object_mut()) {
                map.insert("requestBody".into(), b);
            }
            o
        };
        let object_body =
            json!({"content": {"application/json": {"schema": reference}}, "required": true});
        let patch_request = json!({"content": patch_types, "required": true});
        let mut collection_params = Vec::new();
        if info.resource.is_namespaced() {
            collection_params.push(param(
                "namespace",
                "path",
                "object name and auth scope, such as for teams and projects",
            ));
        }
        let create = op(
            "create",
            "post",
            write_params(false),
            Some(object_body.clone()),
            &created,
        );
        let patch = op(
            "patch",
            "patch",
            write_params(true),
            Some(patch_request.clone()),
            &created,
        );
        if info.create_only {
            // The reviews: the collection's POST is their one operation. The object's PATCH
            // is kept although the server has none: kubectl looks for a PATCH operation of
            // the kind to learn that the server validates fields, and without one falls back
            // to validating against `/openapi/v2`, which has no definitions here.
            paths.insert(
                format!("{base}/{{name}}"),
                json!({"patch": patch, "parameters": path_params}),
            );
            paths.insert(
                base,
                json!({"post": create, "parameters": collection_params}),
            );
            continue;
        }
        let item = json!({
            "get": op("read", "get", vec![], None, &ok),
            "put": op("replace", "put", write_params(false), Some(object_body.clone()), &created),
            "patch": patch,
            "delete": op("delete", "delete", vec![], None, &ok),
            "parameters": path_params,
        });
        paths.insert(format!("{base}/{{name}}"), item);
        paths.insert(
            base.clone(),
            json!({
                "get": op("list", "list", vec![], None, &ok),
                "post": create,
                "parameters": collection_params,
            }),
        );
        if info.is_custom() {
            let list_reference = json!({"$ref": format!("#/components/schemas/{id}List")});
            let listed = json!({"200": {"description": "OK", "content": {"application/json": {"schema": list_reference}}}});
            if let Some(get) = paths
                .get_mut(&base)
                .and_then(|p| p.get_mut("get"))
                .and_then(Value::as_object_mut)
            {
                get.insert("responses".into(), listed.clone());
            }
            if info.resource.is_namespaced() {
                // `list<Kind>ForAllNamespaces` on `/apis/<group>/<version>/<plural>`.
                paths.insert(
                    format!("/{key}/{}", api.plural),
                    json!({"get": {
                        "operationId": format!("list{}ForAllNamespaces", api.kind),
                        "parameters": [],
                        "responses": listed,
                        "x-kubernetes-action": "list",
                        "x-kubernetes-group-version-kind": gvk,
                    }}),
                );
            }
            if info.scale.is_some() {
                let scale = json!({"$ref": "#/components/schemas/io.k8s.api.autoscaling.v1.Scale"});
                let scale_ok = json!({"200": {"description": "OK", "content": {"application/json": {"schema": scale}}}});
                let scale_body =
                    json!({"content": {"application/json": {"schema": scale}}, "required": true});
                let scale_gvk = json!({"group": "autoscaling", "version": "v1", "kind": "Scale"});
                let with_scale_gvk = |mut o: Value| {
                    if let Some(map) = o.as_object_mut() {
                        map.insert("x-kubernetes-group-version-kind".into(), scale_gvk.clone());
                    }
                    o
                };
                paths.insert(
                    format!("{base}/{{name}}/scale"),
                    json!({
                        "get": with_scale_gvk(op("read:Scale", "get", vec![], None, &scale_ok)),
                        "put": with_scale_gvk(op("replace:Scale", "put", write_params(false), Some(scale_body), &scale_ok)),
                        "patch": with_scale_gvk(op("patch:Scale", "patch", write_params(true), Some(patch_request.clone()), &scale_ok)),
                        "parameters": path_params,
                    }),
                );
            }
        }
        if info.status {
            paths.insert(
                format!("{base}/{{name}}/status"),
                json!({
                    "get": op("read:Status", "get", vec![], None, &ok),
                    "put": op("replace:Status", "put", write_params(false), Some(object_body), &created),
                    "patch": op("patch:Status", "patch", write_params(true), Some(patch_request), &created),
                    "parameters": path_params,
                }),
            );
        }
    }
    json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": version},
        "paths": paths,
        "components": {"schemas": schemas},
    })
}
