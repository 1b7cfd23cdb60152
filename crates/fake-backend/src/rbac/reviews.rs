//! What the access, rules and self reviews answer, by the authorizer
//! (`pkg/registry/authorization/*/rest.go`, `selfsubjectreview`): the status of an access
//! review, a rules review's rules, a user's `userInfo`.

use serde_json::{Map, Value, json};

use super::{Attributes, Target, UserInfo};
use crate::builtins::fields::str_of;
use crate::cluster::State;

/// An access review's `status`: `allowed`, and the `reason` when there is one
/// (`denied` is never set: neither the privileged group nor RBAC denies).
pub(crate) fn access_status(st: &State, user: &UserInfo, spec: &Value) -> Value {
    let decision = match access_attributes(spec) {
        Some(attributes) => super::authorize(st, user, &attributes.borrowed()),
        None => super::Decision {
            allowed: false,
            reason: String::new(),
        },
    };
    let mut status = Map::new();
    status.insert("allowed".into(), Value::Bool(decision.allowed));
    if !decision.reason.is_empty() {
        status.insert("reason".into(), Value::String(decision.reason));
    }
    Value::Object(status)
}

/// A SelfSubjectRulesReview's `status`: one entry per rule (its resource and non-resource
/// parts apart), `incomplete: false`, and the errors met as `evaluationError`.
pub(crate) fn rules_status(st: &State, user: &UserInfo, namespace: &str) -> Value {
    let (rules, errors) = super::rules_for(st, user, namespace);
    let mut resource_rules = Vec::new();
    let mut non_resource_rules = Vec::new();
    for rule in rules {
        if rule.resources.as_ref().is_some_and(|r| !r.is_empty()) {
            let mut r = Map::new();
            r.insert("verbs".into(), json!(rule.verbs));
            for (key, list) in [
                ("apiGroups", &rule.api_groups),
                ("resources", &rule.resources),
                ("resourceNames", &rule.resource_names),
            ] {
                if let Some(list) = list.as_ref().filter(|l| !l.is_empty()) {
                    r.insert(key.into(), json!(list));
                }
            }
            resource_rules.push(Value::Object(r));
        }
        if let Some(urls) = rule.non_resource_urls.as_ref().filter(|u| !u.is_empty()) {
            non_resource_rules.push(json!({"verbs": rule.verbs, "nonResourceURLs": urls}));
        }
    }
    let mut status = Map::new();
    status.insert("resourceRules".into(), Value::Array(resource_rules));
    status.insert("nonResourceRules".into(), Value::Array(non_resource_rules));
    status.insert("incomplete".into(), Value::Bool(false));
    if !errors.is_empty() {
        status.insert(
            "evaluationError".into(),
            Value::String(super::aggregate_errors(&errors)),
        );
    }
    Value::Object(status)
}

/// A user as a SelfSubjectReview's `status.userInfo` (empty fields left out).
pub(crate) fn user_info(user: &UserInfo) -> Value {
    let mut info = Map::new();
    info.insert("username".into(), Value::String(user.username.clone()));
    if !user.uid.is_empty() {
        info.insert("uid".into(), Value::String(user.uid.clone()));
    }
    if !user.groups.is_empty() {
        info.insert("groups".into(), json!(user.groups));
    }
    if !user.extra.is_empty() {
        info.insert("extra".into(), json!(user.extra));
    }
    Value::Object(info)
}

/// A SubjectAccessReview's user: its spec's `user`, `uid`, `groups` and `extra`.
pub(crate) fn spec_user(spec: &Value) -> UserInfo {
    super::user_from_json(spec, "user")
}

/// The attributes an access review asks about, owned (`ResourceAttributesFrom`,
/// `NonResourceAttributesFrom`).
struct AskedAttributes {
    verb: String,
    resource: Option<[String; 5]>,
    path: String,
}

impl AskedAttributes {
    fn borrowed(&self) -> Attributes<'_> {
        Attributes {
            verb: &self.verb,
            target: match &self.resource {
                Some([group, resource, subresource, namespace, name]) => Target::Resource {
                    group,
                    resource,
                    subresource,
                    namespace,
                    name,
                },
                None => Target::Path(&self.path),
            },
        }
    }
}

fn access_attributes(spec: &Value) -> Option<AskedAttributes> {
    if let Some(a) = spec.get("resourceAttributes").filter(|v| v.is_object()) {
        let text = |k: &str| str_of(a, k).to_string();
        return Some(AskedAttributes {
            verb: text("verb"),
            resource: Some([
                text("group"),
                text("resource"),
                text("subresource"),
                text("namespace"),
                text("name"),
            ]),
            path: String::new(),
        });
    }
    let a = spec
        .get("nonResourceAttributes")
        .filter(|v| v.is_object())?;
    Some(AskedAttributes {
        verb: str_of(a, "verb").to_string(),
        resource: None,
        path: str_of(a, "path").to_string(),
    })
}
