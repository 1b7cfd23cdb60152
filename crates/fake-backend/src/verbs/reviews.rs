//! The reviews: `authorization.k8s.io/v1` SelfSubjectAccessReview, SelfSubjectRulesReview,
//! SubjectAccessReview and LocalSubjectAccessReview, `authentication.k8s.io/v1`
//! SelfSubjectReview and TokenReview. The server serves them for `create` alone
//! (`pkg/registry/authorization/*/rest.go`, `pkg/registry/authentication/*`): a create is
//! answered and nothing is stored, so there is no resourceVersion, uid, watch event or
//! generated name, and every other verb finds no route ([`refused`]).
//!
//! A create goes through the create handler's stages that apply to them (the body decoded
//! into its Go struct, the namespace filled or checked, `WipeObjectMetaSystemFields`, the
//! field manager's managedFields entry) and then the kind's REST `Create`: its validation
//! (`pkg/apis/authorization/validation`, Kubernetes 1.35; a 422 whose kind is empty, as the
//! REST code names it after the decoded object's empty `Kind`: `.authorization.k8s.io ""
//! is invalid: …`) and its answer: access and rules reviews are decided by the fake's
//! authorizer (`crate::rbac::reviews`) for the caller (the handle's user, or
//! [`CALLER_USERNAME`] in [`CALLER_GROUPS`]) or the spec's subject. The only tokens a
//! TokenReview authenticates are the service account tokens the fake issued itself
//! (`crate::tokens`).

use std::sync::Arc;

use kobj_core::{Error, FieldError, Result};
use serde_json::{Map, Value, json};

use super::create::{check_namespace, check_type};
use super::write::{Request, WriteCtx, decode_builtin_body};
use super::{WriteOptions, not_served, ns_of};
use crate::builtins::fields::{list_of, str_of};
use crate::cluster::{Inner, State};
use crate::meta;
use crate::rbac::{self, UserInfo};
use crate::registry::TypeInfo;
use crate::schema::meta::{MANAGED_FIELDS_FIELDS, OBJECT_META_FIELDS, OWNER_REFERENCE_FIELDS};

/// The user the fake answers a SelfSubjectReview with: the identity every request has,
/// since the fake does not authenticate its callers and allows them everything.
pub const CALLER_USERNAME: &str = "kobj-admin";

/// The groups of [`CALLER_USERNAME`]: `system:masters` (cluster-admin on a real cluster)
/// and `system:authenticated`.
pub const CALLER_GROUPS: &[&str] = &["system:masters", "system:authenticated"];

/// A TokenReview's `status.error` for a token no authenticator accepts: the bearer-token
/// authenticator's default error (`k8s.io/apiserver/.../request/bearertoken`), which is what
/// a real server answers for a token that is not a JWT of its issuers. The fake answers it
/// for every token it did not issue, or issued for a service account or bound object that
/// is gone, or that has expired.
pub const UNKNOWN_TOKEN_ERROR: &str = "invalid bearer token";

/// The review kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Review {
    SelfSubjectAccess,
    SelfSubjectRules,
    SubjectAccess,
    LocalSubjectAccess,
    SelfSubject,
    Token,
}

impl Review {
    fn of(info: &TypeInfo) -> Option<Self> {
        let api = &info.resource.api;
        Some(match (api.group.as_str(), api.kind.as_str()) {
            ("authorization.k8s.io", "SelfSubjectAccessReview") => Self::SelfSubjectAccess,
            ("authorization.k8s.io", "SelfSubjectRulesReview") => Self::SelfSubjectRules,
            ("authorization.k8s.io", "SubjectAccessReview") => Self::SubjectAccess,
            ("authorization.k8s.io", "LocalSubjectAccessReview") => Self::LocalSubjectAccess,
            ("authentication.k8s.io", "SelfSubjectReview") => Self::SelfSubject,
            ("authentication.k8s.io", "TokenReview") => Self::Token,
            _ => return None,
        })
    }
}

/// How the server answers any verb but create on a create-only type: no route serves it.
/// The collection's path exists (for POST), so its other methods (list, watch,
/// deletecollection) get go-restful's 405 through `NewGenericServerResponse`; an object's
/// path does not exist, nor a namespaced review's path without a namespace: 404.
pub(crate) fn refused(info: &TypeInfo, namespace: Option<&str>, collection: bool) -> Error {
    if collection && (namespace.is_some() || !info.resource.is_namespaced()) {
        Error::method_not_routed()
    } else {
        not_served(&info.resource)
    }
}

/// Answers a create of a review: the create handler's stages, then the kind's validation
/// and answer. Nothing is stored and no watcher hears of it.
pub(crate) fn create(
    inner: &Inner,
    st: &State,
    info: &Arc<TypeInfo>,
    namespace: Option<&str>,
    mut obj: Value,
    opts: &WriteOptions,
    request: Request<'_>,
) -> Result<Value> {
    let Some(review) = Review::of(info) else {
        return Err(Error::internal(format!(
            "{} is not a review",
            info.resource.qualified_resource()
        )));
    };
    check_type(info, &mut obj)?;
    decode_builtin_body(info, &mut obj, opts)?;
    check_namespace(info, &mut obj, ns_of(info, namespace))?;
    // `rest.WipeObjectMetaSystemFields`; the field manager writes managedFields (a given
    // list is dropped, as every create in the fake drops it).
    let m = meta::meta_mut(&mut obj);
    for f in [
        "creationTimestamp",
        "uid",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "selfLink",
        "managedFields",
    ] {
        m.remove(f);
    }
    // The Go struct's always-present fields (`spec: {}`, `status: {allowed: false}`), which
    // the field manager compares with the kind's empty object.
    crate::builtins::apply_defaults(info, &mut obj);
    let ctx = WriteCtx::new(inner, info, opts, request);
    ctx.track(None, &mut obj);
    answer(review, st, obj, &ctx)
}

/// The kind's REST `Create`: validation, then the answer.
fn answer(review: Review, st: &State, mut obj: Value, ctx: &WriteCtx<'_>) -> Result<Value> {
    let spec = obj.get("spec").cloned().unwrap_or(Value::Null);
    let caller = || {
        ctx.opts
            .user
            .as_deref()
            .cloned()
            .unwrap_or_else(UserInfo::admin)
    };
    match review {
        Review::SelfSubjectAccess | Review::SubjectAccess | Review::LocalSubjectAccess => {
            let errors = access_review_errors(review, &obj, &spec);
            if !errors.is_empty() {
                return Err(Error::invalid_kind(
                    ".authorization.k8s.io",
                    "",
                    "authorization.k8s.io",
                    "",
                    &errors,
                ));
            }
            // The self review asks for the caller; the others for the spec's user
            // (`AuthorizationAttributesFrom`: its groups as given, none added).
            let user = if review == Review::SelfSubjectAccess {
                caller()
            } else {
                rbac::reviews::spec_user(&spec)
            };
            let status = rbac::reviews::access_status(st, &user, &spec);
            set_member(&mut obj, "status", status);
            Ok(obj)
        }
        Review::SelfSubjectRules => {
            let namespace = str_of(&spec, "namespace");
            if namespace.is_empty() {
                return Err(Error::bad_request("no namespace on request"));
            }
            // A new object with the rules alone (the request's metadata and spec are not
            // kept).
            let status = rbac::reviews::rules_status(st, &caller(), namespace);
            Ok(json!({
                "apiVersion": "authorization.k8s.io/v1",
                "kind": "SelfSubjectRulesReview",
                "metadata": {},
                "spec": {},
                "status": status,
            }))
        }
        Review::SelfSubject => {
            let info = rbac::reviews::user_info(&caller());
            Ok(json!({
                "apiVersion": "authentication.k8s.io/v1",
                "kind": "SelfSubjectReview",
                "metadata": {"creationTimestamp": ctx.now},
                "status": {"userInfo": info}
            }))
        }
        Review::Token => token_review(st, obj, ctx.inner.clock.now().as_second()),
    }
}

/// The TokenReview REST `Create`: the token is authenticated for the audiences asked (the
/// API server's when none are), as a service account token of this fake
/// (`tokens::review`). The status is the request's with `authenticated`, `user`,
/// `audiences` and `error` set as the REST code sets them (`authenticated: false` is omitted,
/// as Go omits it).
fn token_review(st: &State, mut obj: Value, now: i64) -> Result<Value> {
    let spec = obj.get("spec").cloned().unwrap_or(Value::Null);
    let token = str_of(&spec, "token");
    if token.is_empty() {
        return Err(Error::bad_request(
            "token is required for TokenReview in authentication",
        ));
    }
    let mut status = match obj.get("status") {
        Some(Value::Object(s)) => s.clone(),
        _ => Map::new(),
    };
    status.remove("authenticated");
    let asked: Vec<String> = match list_of(&spec, "audiences") {
        [] => vec![crate::tokens::API_AUDIENCE.to_string()],
        list => list
            .iter()
            .map(|a| a.as_str().unwrap_or_default().to_string())
            .collect(),
    };
    match crate::tokens::review(st, token, now) {
        None => {
            status.insert("error".into(), Value::String(UNKNOWN_TOKEN_ERROR.into()));
        }
        Some(user) => {
            let has = crate::tokens::audiences(token);
            // `Audiences.Intersect`: the asked audiences the token has, in the asked order.
            let both: Vec<&String> = asked.iter().filter(|a| has.contains(a)).collect();
            if both.is_empty() {
                // The service account authenticator's refusal (`jwt.go`, Go's `%q` of the
                // two lists), aggregated with the bearer-token default as servers report it.
                let quoted = |list: &[String]| {
                    let items: Vec<String> =
                        list.iter().map(|a| crate::schema::go::quote(a)).collect();
                    format!("[{}]", items.join(" "))
                };
                status.insert(
                    "error".into(),
                    Value::String(format!(
                        "[{UNKNOWN_TOKEN_ERROR}, token audiences {} is invalid for the target \
                         audiences {}]",
                        quoted(&has),
                        quoted(&asked)
                    )),
                );
            } else {
                status.insert("authenticated".into(), Value::Bool(true));
                status.insert("user".into(), user);
                status.insert("audiences".into(), json!(both));
            }
        }
    }
    set_member(&mut obj, "status", Value::Object(status));
    Ok(obj)
}

fn set_member(obj: &mut Value, key: &str, value: Value) {
    if let Some(map) = obj.as_object_mut() {
        meta::set_member(map, key, value);
    }
}

/// `ValidateSelfSubjectAccessReview`, `ValidateSubjectAccessReview` and
/// `ValidateLocalSubjectAccessReview`, in their order.
fn access_review_errors(review: Review, obj: &Value, spec: &Value) -> Vec<FieldError> {
    let resource = spec.get("resourceAttributes").filter(|v| v.is_object());
    let non_resource = spec.get("nonResourceAttributes").filter(|v| v.is_object());
    let mut errs = Vec::new();
    match (resource, non_resource) {
        (Some(_), Some(attributes)) => errs.push(
            FieldError::invalid(
                "spec.nonResourceAttributes",
                Value::Null,
                "cannot be specified in combination with resourceAttributes",
            )
            .with_value_text(non_resource_text(attributes)),
        ),
        (None, None) => errs.push(FieldError::invalid(
            "spec.resourceAttributes",
            Value::Null,
            "exactly one of nonResourceAttributes or resourceAttributes must be specified",
        )),
        _ => {}
    }
    if review != Review::SelfSubjectAccess
        && str_of(spec, "user").is_empty()
        && list_of(spec, "groups").is_empty()
    {
        errs.push(FieldError::invalid(
            "spec.user",
            Value::String(String::new()),
            "at least one of user or group must be specified",
        ));
    }
    if let Some(attributes) = resource {
        selector_errors(attributes, &mut errs);
    }
    let empty = Map::new();
    let metadata = meta::meta(obj).unwrap_or(&empty);
    let local = review == Review::LocalSubjectAccess;
    let set = |key: &str| metadata.get(key).is_some_and(is_set);
    if OBJECT_META_FIELDS
        .iter()
        .any(|k| *k != "managedFields" && !(local && *k == "namespace") && set(k))
    {
        let detail = if local {
            "must be empty except for namespace"
        } else {
            "must be empty"
        };
        errs.push(
            FieldError::invalid("metadata", Value::Null, detail)
                .with_value_text(object_meta_text(metadata)),
        );
    }
    if local {
        let namespace = metadata
            .get("namespace")
            .and_then(Value::as_str)
            .unwrap_or("");
        if let Some(attributes) = resource {
            let asked = str_of(attributes, "namespace");
            if asked != namespace {
                errs.push(FieldError::invalid(
                    "spec.resourceAttributes.namespace",
                    Value::String(asked.into()),
                    "must match metadata.namespace",
                ));
            }
        }
        if let Some(attributes) = non_resource {
            errs.push(
                FieldError::invalid(
                    "spec.nonResourceAttributes",
                    Value::Null,
                    "disallowed on this kind of request",
                )
                .with_value_text(non_resource_text(attributes)),
            );
        }
    }
    errs
}

/// `validateResourceAttributes`: a field or label selector has requirements or a raw
/// selector, not both. (The requirements themselves are not checked.)
fn selector_errors(attributes: &Value, errs: &mut Vec<FieldError>) {
    for key in ["fieldSelector", "labelSelector"] {
        let Some(selector) = attributes.get(key).filter(|v| v.is_object()) else {
            continue;
        };
        let at = format!("spec.resourceAttributes.{key}");
        let raw = str_of(selector, "rawSelector");
        let requirements = list_of(selector, "requirements");
        if !raw.is_empty() && !requirements.is_empty() {
            errs.push(FieldError::invalid(
                format!("{at}.rawSelector"),
                Value::String(raw.into()),
                "may not specified at the same time as requirements",
            ));
        }
        if raw.is_empty() && requirements.is_empty() {
            errs.push(FieldError::required(
                format!("{at}.requirements"),
                format!("when {at} is specified, requirements or rawSelector is required"),
            ));
        }
    }
}

/// The internal (untagged) `authorization.NonResourceAttributes` as the server prints a bad
/// value since 1.34: its JSON with Go's field names.
fn non_resource_text(attributes: &Value) -> String {
    format!(
        "{{\"Path\":{},\"Verb\":{}}}",
        Value::String(str_of(attributes, "path").into()),
        Value::String(str_of(attributes, "verb").into())
    )
}

/// Whether an `omitempty` field is written: not null, `""`, `0`, `false`, `{}` or `[]`.
fn is_set(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// The request's `ObjectMeta` as the server prints the bad value of `metadata: must be
/// empty`: its JSON in Go's field order, with the field manager's entry.
fn object_meta_text(metadata: &Map<String, Value>) -> String {
    let members = OBJECT_META_FIELDS.iter().filter_map(|key| {
        let value = metadata.get(*key).filter(|v| is_set(v))?;
        let text = match (*key, value) {
            ("ownerReferences", Value::Array(items)) => {
                ordered_list(items, OWNER_REFERENCE_FIELDS, 4)
            }
            ("managedFields", Value::Array(items)) => ordered_list(items, MANAGED_FIELDS_FIELDS, 0),
            _ => value.to_string(),
        };
        Some(format!("{}:{text}", Value::String((*key).into())))
    });
    format!("{{{}}}", members.collect::<Vec<_>>().join(","))
}

/// A list of structs, each with its members in `order`: the first `always` written even
/// when empty (no `omitempty`: `""`), the others when set (an `omitempty` string or a
/// pointer: a `false` pointer is written).
fn ordered_list(items: &[Value], order: &[&str], always: usize) -> String {
    let texts: Vec<String> = items
        .iter()
        .map(|item| {
            let members: Vec<String> = order
                .iter()
                .enumerate()
                .filter_map(|(i, key)| {
                    let value = match item.get(*key) {
                        Some(v) if matches!(v, Value::Bool(_)) || is_set(v) => v.clone(),
                        _ if i < always => Value::String(String::new()),
                        _ => return None,
                    };
                    Some(format!("{}:{value}", Value::String((*key).into())))
                })
                .collect();
            format!("{{{}}}", members.join(","))
        })
        .collect();
    format!("[{}]", texts.join(","))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn object_meta_prints_in_go_field_order_without_empty_fields() {
        let metadata = json!({
            "labels": {"b": "1", "a": "2"},
            "name": "x",
            "generation": 0,
            "annotations": {},
            "managedFields": [{"time": "2025-01-01T00:00:00Z", "manager": "m", "operation": "Update",
                "apiVersion": "authorization.k8s.io/v1", "fieldsType": "FieldsV1",
                "fieldsV1": {"f:spec": {}}}],
            "ownerReferences": [{"uid": "u", "name": "o", "kind": "K", "apiVersion": "v1"}]
        });
        assert_eq!(
            object_meta_text(metadata.as_object().unwrap()),
            r#"{"name":"x","labels":{"a":"2","b":"1"},"ownerReferences":[{"apiVersion":"v1","kind":"K","name":"o","uid":"u"}],"managedFields":[{"manager":"m","operation":"Update","apiVersion":"authorization.k8s.io/v1","time":"2025-01-01T00:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{}}}]}"#
        );
    }

    #[test]
    fn the_collection_refuses_with_405_and_a_name_with_404() {
        let info = crate::registry::builtin::types()
            .into_iter()
            .find(|t| t.resource.api.kind == "LocalSubjectAccessReview")
            .unwrap();
        assert_eq!(refused(&info, Some("ns"), true).code(), Some(405));
        assert_eq!(refused(&info, None, true).code(), Some(404));
        assert_eq!(refused(&info, Some("ns"), false).code(), Some(404));
        assert_eq!(
            Review::of(&info),
            Some(Review::LocalSubjectAccess),
            "every create-only built-in is a review"
        );
        for t in crate::registry::builtin::types() {
            assert_eq!(
                t.create_only,
                Review::of(&t).is_some(),
                "{}",
                t.resource.api.kind
            );
        }
    }
}
