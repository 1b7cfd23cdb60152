//! The `params` of an [`Action`](super::Action), built from kube-core's parameter types with
//! the names and values of the query string (`labelSelector`, `dryRun: "All"`, …), so every
//! verb records them the same way and tests can filter on them with
//! [`ActionFilter::param`](super::ActionFilter::param). Only parameters that are set appear.
//!
//! ```
//! use kobj_fake::actions::params;
//! use kube_core::params::ListParams;
//!
//! let lp = ListParams::default().labels("app=demo").limit(10);
//! assert_eq!(params::list(&lp), serde_json::json!({"labelSelector": "app=demo", "limit": 10}));
//! ```

use kube_core::params::{
    DeleteParams, GetParams, ListParams, Patch, PatchParams, PostParams, PropagationPolicy,
    ValidationDirective, VersionMatch, WatchParams,
};
use serde_json::{Map, Value};

fn put(map: &mut Map<String, Value>, key: &str, value: impl Into<Value>) {
    map.insert(key.to_string(), value.into());
}

fn put_opt(map: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(v) = value.filter(|v| !v.is_empty()) {
        put(map, key, v);
    }
}

fn dry_run(map: &mut Map<String, Value>, dry_run: bool) {
    if dry_run {
        put(map, "dryRun", "All");
    }
}

/// `resourceVersion`.
#[must_use]
pub fn get(p: &GetParams) -> Value {
    let mut map = Map::new();
    put_opt(&mut map, "resourceVersion", p.resource_version.as_deref());
    Value::Object(map)
}

/// `labelSelector`, `fieldSelector`, `limit`, `continue`, `resourceVersion`,
/// `resourceVersionMatch` (`Exact`, `NotOlderThan`).
#[must_use]
pub fn list(p: &ListParams) -> Value {
    let mut map = Map::new();
    list_into(&mut map, p);
    Value::Object(map)
}

fn list_into(map: &mut Map<String, Value>, p: &ListParams) {
    put_opt(map, "labelSelector", p.label_selector.as_deref());
    put_opt(map, "fieldSelector", p.field_selector.as_deref());
    if let Some(limit) = p.limit {
        put(map, "limit", limit);
    }
    put_opt(map, "continue", p.continue_token.as_deref());
    put_opt(map, "resourceVersion", p.resource_version.as_deref());
    if let Some(m) = &p.version_match {
        let m = match m {
            VersionMatch::NotOlderThan => "NotOlderThan",
            VersionMatch::Exact => "Exact",
        };
        put(map, "resourceVersionMatch", m);
    }
}

/// `labelSelector`, `fieldSelector`, `resourceVersion`, `timeoutSeconds`,
/// `allowWatchBookmarks: true`, `sendInitialEvents: true`.
#[must_use]
pub fn watch(p: &WatchParams, resource_version: &str) -> Value {
    let mut map = Map::new();
    put_opt(&mut map, "labelSelector", p.label_selector.as_deref());
    put_opt(&mut map, "fieldSelector", p.field_selector.as_deref());
    put_opt(&mut map, "resourceVersion", Some(resource_version));
    if let Some(t) = p.timeout {
        put(&mut map, "timeoutSeconds", t);
    }
    if p.bookmarks {
        put(&mut map, "allowWatchBookmarks", true);
    }
    if p.send_initial_events {
        put(&mut map, "sendInitialEvents", true);
    }
    Value::Object(map)
}

/// `dryRun: "All"`, `fieldManager` (create, update, and the status and scale replacements).
#[must_use]
pub fn post(p: &PostParams) -> Value {
    let mut map = Map::new();
    dry_run(&mut map, p.dry_run);
    put_opt(&mut map, "fieldManager", p.field_manager.as_deref());
    Value::Object(map)
}

/// `patchType` (`apply`, `json`, `merge`, `strategic`), `dryRun: "All"`, `fieldManager`,
/// `force: true`, `fieldValidation` (`Strict`, `Warn`, `Ignore`).
#[must_use]
pub fn patch<T: serde::Serialize>(p: &PatchParams, patch: &Patch<T>) -> Value {
    let mut map = Map::new();
    put(&mut map, "patchType", patch_type(patch));
    dry_run(&mut map, p.dry_run);
    put_opt(&mut map, "fieldManager", p.field_manager.as_deref());
    if p.force {
        put(&mut map, "force", true);
    }
    validation(&mut map, p.field_validation.as_ref());
    Value::Object(map)
}

/// The same parameters from the engine's [`WriteOptions`](crate::WriteOptions): as [`post`]
/// (plus `fieldValidation`) without a patch, as [`patch`] with one.
#[must_use]
pub fn write(opts: &crate::WriteOptions, patch: Option<&Patch<Value>>) -> Value {
    let mut map = Map::new();
    if let Some(patch) = patch {
        put(&mut map, "patchType", patch_type(patch));
    }
    dry_run(&mut map, opts.dry_run);
    put_opt(&mut map, "fieldManager", opts.field_manager.as_deref());
    if opts.force {
        put(&mut map, "force", true);
    }
    validation(&mut map, opts.field_validation.as_ref());
    Value::Object(map)
}

fn validation(map: &mut Map<String, Value>, v: Option<&ValidationDirective>) {
    if let Some(v) = v {
        let v = match v {
            ValidationDirective::Strict => "Strict",
            ValidationDirective::Warn => "Warn",
            ValidationDirective::Ignore => "Ignore",
        };
        put(map, "fieldValidation", v);
    }
}

/// The short name of a patch's type: `apply`, `json`, `merge` or `strategic`.
#[must_use]
pub fn patch_type<T: serde::Serialize>(patch: &Patch<T>) -> &'static str {
    match patch {
        Patch::Apply(_) => "apply",
        Patch::Json(_) => "json",
        Patch::Merge(_) => "merge",
        Patch::Strategic(_) => "strategic",
        _ => "unknown",
    }
}

/// `dryRun: "All"`, `gracePeriodSeconds`, `propagationPolicy`, `preconditions` (`uid`,
/// `resourceVersion`).
#[must_use]
pub fn delete(p: &DeleteParams) -> Value {
    let mut map = Map::new();
    delete_into(&mut map, p);
    Value::Object(map)
}

fn delete_into(map: &mut Map<String, Value>, p: &DeleteParams) {
    dry_run(map, p.dry_run);
    if let Some(g) = p.grace_period_seconds {
        put(map, "gracePeriodSeconds", g);
    }
    if let Some(policy) = &p.propagation_policy {
        let policy = match policy {
            PropagationPolicy::Orphan => "Orphan",
            PropagationPolicy::Background => "Background",
            PropagationPolicy::Foreground => "Foreground",
        };
        put(map, "propagationPolicy", policy);
    }
    if let Some(pre) = &p.preconditions {
        let mut pre_map = Map::new();
        put_opt(&mut pre_map, "uid", pre.uid.as_deref());
        put_opt(
            &mut pre_map,
            "resourceVersion",
            pre.resource_version.as_deref(),
        );
        put(map, "preconditions", Value::Object(pre_map));
    }
}

/// The delete options and the list options of a deletecollection, in one object.
#[must_use]
pub fn delete_collection(dp: &DeleteParams, lp: &ListParams) -> Value {
    let mut map = Map::new();
    delete_into(&mut map, dp);
    list_into(&mut map, lp);
    Value::Object(map)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use kube_core::params::Preconditions;
    use serde_json::json;

    #[test]
    fn unset_parameters_are_left_out() {
        assert_eq!(get(&GetParams::default()), json!({}));
        assert_eq!(list(&ListParams::default()), json!({}));
        assert_eq!(
            watch(&WatchParams::default().disable_bookmarks(), ""),
            json!({})
        );
        // kube-core asks for bookmarks by default.
        assert_eq!(
            watch(&WatchParams::default(), ""),
            json!({"allowWatchBookmarks": true})
        );
        assert_eq!(post(&PostParams::default()), json!({}));
        assert_eq!(delete(&DeleteParams::default()), json!({}));
        assert_eq!(
            patch(&PatchParams::default(), &Patch::Merge(json!({}))),
            json!({"patchType": "merge"})
        );
    }

    #[test]
    fn set_parameters_use_the_query_names() {
        assert_eq!(get(&GetParams::at("5")), json!({"resourceVersion": "5"}));
        let lp = ListParams::default()
            .labels("app=x")
            .fields("metadata.name=a")
            .limit(3)
            .continue_token("tok")
            .at("7")
            .matching(VersionMatch::NotOlderThan);
        assert_eq!(
            list(&lp),
            json!({"labelSelector": "app=x", "fieldSelector": "metadata.name=a", "limit": 3,
                   "continue": "tok", "resourceVersion": "7",
                   "resourceVersionMatch": "NotOlderThan"})
        );
        let wp = WatchParams::default()
            .labels("a")
            .timeout(10)
            .initial_events();
        assert_eq!(
            watch(&wp, "12"),
            json!({"labelSelector": "a", "resourceVersion": "12", "timeoutSeconds": 10,
                   "allowWatchBookmarks": true, "sendInitialEvents": true})
        );
        let pp = PostParams {
            dry_run: true,
            field_manager: Some("me".into()),
        };
        assert_eq!(post(&pp), json!({"dryRun": "All", "fieldManager": "me"}));
        let pp = PatchParams::apply("ctrl").force().validation_strict();
        assert_eq!(
            patch(&pp, &Patch::Apply(json!({}))),
            json!({"patchType": "apply", "fieldManager": "ctrl", "force": true,
                   "fieldValidation": "Strict"})
        );
        assert_eq!(
            patch_type::<Value>(&Patch::Json(json_patch::Patch(vec![]))),
            "json"
        );
        assert_eq!(patch_type(&Patch::Strategic(json!({}))), "strategic");
        let dp = DeleteParams {
            dry_run: true,
            grace_period_seconds: Some(0),
            propagation_policy: Some(PropagationPolicy::Foreground),
            preconditions: Some(Preconditions {
                uid: Some("u1".into()),
                resource_version: None,
            }),
        };
        assert_eq!(
            delete(&dp),
            json!({"dryRun": "All", "gracePeriodSeconds": 0, "propagationPolicy": "Foreground",
                   "preconditions": {"uid": "u1"}})
        );
        assert_eq!(
            delete_collection(
                &DeleteParams::background(),
                &ListParams::default().labels("a=b")
            ),
            json!({"propagationPolicy": "Background", "labelSelector": "a=b"})
        );
    }
}
