//! Query parameters exactly as the API server names and decodes them (`ListOptions`,
//! `GetOptions`, `CreateOptions`, `UpdateOptions`, `PatchOptions`, `DeleteOptions`), with the
//! validation the generic handlers run before storage is touched.

use kobj_core::{Error, FieldError, FieldErrorType, Result};
use kobj_fake::WriteOptions;
use kube_core::params::{
    DeleteParams, GetParams, ListParams, Preconditions, PropagationPolicy, ValidationDirective,
    VersionMatch, WatchParams,
};
use serde_json::Value;

/// The decoded query string of one request (the last value wins for repeated keys, except
/// `dryRun`, which collects them all).
#[derive(Debug, Default)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Decodes `a=1&b=2` (percent-decoding keys and values).
    pub fn parse(query: Option<&str>) -> Self {
        let pairs = query
            .map(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Self { pairs }
    }

    /// The last value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `key`.
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The value of `key`, or `None` when absent or empty.
    pub fn non_empty(&self, key: &str) -> Option<&str> {
        self.get(key).filter(|v| !v.is_empty())
    }

    /// A boolean as Go's `strconv.ParseBool` reads it; an empty value is false.
    pub fn flag(&self, key: &str) -> Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => parse_bool(key, v).map(Some),
        }
    }

    /// An integer parameter.
    pub fn int(&self, key: &str) -> Result<Option<i64>> {
        match self.non_empty(key) {
            None => Ok(None),
            Some(v) => v.parse::<i64>().map(Some).map_err(|_| {
                Error::bad_request(format!(
                    "strconv.ParseInt: parsing {v:?}: invalid syntax (query parameter {key})"
                ))
            }),
        }
    }

    /// `watch=true` (or `1`, `t`, …).
    pub fn is_watch(&self) -> Result<bool> {
        Ok(self.flag("watch")?.unwrap_or(false))
    }

    /// `dryRun`: only `All` is allowed (422 otherwise, as `ValidateDryRun`).
    pub fn dry_run(&self, options_kind: &str) -> Result<bool> {
        let values = self.all("dryRun");
        dry_run_values(&values, options_kind)
    }
}

fn parse_bool(key: &str, v: &str) -> Result<bool> {
    match v {
        "" | "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        _ => Err(Error::bad_request(format!(
            "strconv.ParseBool: parsing {v:?}: invalid syntax (query parameter {key})"
        ))),
    }
}

fn dry_run_values(values: &[&str], options_kind: &str) -> Result<bool> {
    let values: Vec<&str> = values.iter().copied().filter(|v| !v.is_empty()).collect();
    if values.iter().any(|v| *v != "All") {
        let value = Value::Array(values.iter().map(|v| Value::String((*v).into())).collect());
        return Err(invalid_options(
            options_kind,
            &[FieldError::new(
                FieldErrorType::NotSupported,
                "dryRun",
                Some(value),
                "supported values: \"All\"",
            )],
        ));
    }
    Ok(!values.is_empty())
}

/// 422 `<Kind>.meta.k8s.io "" is invalid: …` for bad request options.
pub(crate) fn invalid_options(kind: &str, errors: &[FieldError]) -> Error {
    Error::invalid_kind(
        &format!("{kind}.meta.k8s.io"),
        kind,
        "meta.k8s.io",
        "",
        errors,
    )
}

/// `ListOptions` for a list (or, with `watch`, a watch) after `ValidateListOptions` (rule 13,
/// 39): the match value, sendInitialEvents and continue combinations.
pub(crate) fn validate_list_options(q: &Query, watch: bool) -> Result<()> {
    let rv = q.get("resourceVersion").unwrap_or_default();
    let matched = q.get("resourceVersionMatch").unwrap_or_default();
    let cont = q.get("continue").unwrap_or_default();
    let send_initial = q.flag("sendInitialEvents")?;
    let forbidden = |field: &str, detail: &str| FieldError::forbidden(field, detail);
    let mut errs = Vec::new();
    if watch {
        if send_initial.is_some() && matched != "NotOlderThan" {
            errs.push(forbidden(
                "resourceVersionMatch",
                "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
            ));
        }
        if !matched.is_empty() {
            if send_initial.is_none() {
                errs.push(forbidden(
                    "resourceVersionMatch",
                    "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided",
                ));
            }
            if matched != "NotOlderThan" {
                errs.push(FieldError::new(
                    FieldErrorType::NotSupported,
                    "resourceVersionMatch",
                    Some(Value::String(matched.into())),
                    "supported values: \"NotOlderThan\"",
                ));
            }
            if !cont.is_empty() {
                errs.push(forbidden(
                    "resourceVersionMatch",
                    "resourceVersionMatch is forbidden when continue is provided",
                ));
            }
        }
    } else {
        if !matched.is_empty() {
            if rv.is_empty() {
                errs.push(forbidden(
                    "resourceVersionMatch",
                    "resourceVersionMatch is forbidden unless resourceVersion is provided",
                ));
            }
            if !cont.is_empty() {
                errs.push(forbidden(
                    "resourceVersionMatch",
                    "resourceVersionMatch is forbidden when continue is provided",
                ));
            }
            if matched != "Exact" && matched != "NotOlderThan" {
                errs.push(FieldError::new(
                    FieldErrorType::NotSupported,
                    "resourceVersionMatch",
                    Some(Value::String(matched.into())),
                    "supported values: \"Exact\", \"NotOlderThan\", \"\"",
                ));
            }
            if matched == "Exact" && rv == "0" {
                errs.push(forbidden(
                    "resourceVersionMatch",
                    "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"",
                ));
            }
        }
        if send_initial.is_some() {
            errs.push(forbidden(
                "sendInitialEvents",
                "sendInitialEvents is forbidden for list",
            ));
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(invalid_options("ListOptions", &errs))
    }
}

/// `ListParams` from a list request's query.
pub(crate) fn list_params(q: &Query) -> Result<ListParams> {
    validate_list_options(q, false)?;
    let limit = q.int("limit")?.filter(|l| *l > 0);
    let version_match = match q.non_empty("resourceVersionMatch") {
        Some("Exact") => Some(VersionMatch::Exact),
        Some("NotOlderThan") => Some(VersionMatch::NotOlderThan),
        _ => None,
    };
    // timeoutSeconds bounds the request on the server; lists here answer at once.
    timeout_seconds(q)?;
    Ok(ListParams {
        label_selector: q.non_empty("labelSelector").map(ToString::to_string),
        field_selector: q.non_empty("fieldSelector").map(ToString::to_string),
        limit: limit.map(|l| u32::try_from(l).unwrap_or(u32::MAX)),
        continue_token: q.non_empty("continue").map(ToString::to_string),
        version_match,
        resource_version: q.non_empty("resourceVersion").map(ToString::to_string),
        ..ListParams::default()
    })
}

fn timeout_seconds(q: &Query) -> Result<Option<u32>> {
    Ok(q.int("timeoutSeconds")?
        .filter(|t| *t > 0)
        .map(|t| u32::try_from(t).unwrap_or(u32::MAX)))
}

/// A watch request's parameters: kube-core's `WatchParams` and the start resourceVersion.
pub(crate) fn watch_params(q: &Query) -> Result<(WatchParams, String)> {
    validate_list_options(q, true)?;
    let params = WatchParams {
        label_selector: q.non_empty("labelSelector").map(ToString::to_string),
        field_selector: q.non_empty("fieldSelector").map(ToString::to_string),
        timeout: timeout_seconds(q)?,
        bookmarks: q.flag("allowWatchBookmarks")?.unwrap_or(false),
        send_initial_events: q.flag("sendInitialEvents")?.unwrap_or(false),
    };
    let rv = q.get("resourceVersion").unwrap_or_default().to_string();
    Ok((params, rv))
}

/// `GetParams` of a GET by name.
pub(crate) fn get_params(q: &Query) -> GetParams {
    GetParams {
        resource_version: q.non_empty("resourceVersion").map(ToString::to_string),
    }
}

/// Whether a patch body is decoded strictly before it is applied (`applyJSPatch`): for
/// `fieldValidation` Warn, the default, and Strict (an unsupported value is refused later, with
/// the other options).
pub(crate) fn strict_patch_decode(q: &Query) -> bool {
    q.non_empty("fieldValidation") != Some("Ignore")
}

/// `fieldValidation`: `Ignore`, `Warn` or `Strict` (422 otherwise, as
/// `ValidateFieldValidation`).
fn field_validation(q: &Query, options_kind: &str) -> Result<Option<ValidationDirective>> {
    match q.non_empty("fieldValidation") {
        None => Ok(None),
        Some("Ignore") => Ok(Some(ValidationDirective::Ignore)),
        Some("Warn") => Ok(Some(ValidationDirective::Warn)),
        Some("Strict") => Ok(Some(ValidationDirective::Strict)),
        Some(other) => Err(invalid_options(
            options_kind,
            &[FieldError::new(
                FieldErrorType::NotSupported,
                "fieldValidation",
                Some(Value::String(other.into())),
                "supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"",
            )],
        )),
    }
}

/// `fieldManager` validation (`ValidateFieldManager`): at most 128 printable characters.
fn check_field_manager(manager: Option<&str>, options_kind: &str) -> Result<()> {
    let Some(manager) = manager else {
        return Ok(());
    };
    let mut errs = Vec::new();
    if manager.chars().count() > 128 {
        errs.push(FieldError::new(
            FieldErrorType::TooLong,
            "fieldManager",
            Some(Value::String(manager.into())),
            "may not be more than 128 bytes",
        ));
    }
    if manager.chars().any(|c| c.is_control()) {
        errs.push(FieldError::invalid(
            "fieldManager",
            Value::String(manager.into()),
            "must only contain printable characters",
        ));
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(invalid_options(options_kind, &errs))
    }
}

/// The manager the server records when a write names none: the User-Agent up to its first
/// `/` (rule 6).
pub(crate) fn manager_from_user_agent(user_agent: Option<&str>) -> Option<String> {
    let ua = user_agent?;
    let prefix = ua.split('/').next().unwrap_or(ua);
    let prefix: String = prefix.chars().take(128).collect();
    (!prefix.is_empty()).then_some(prefix)
}

/// The options of a POST, PUT or PATCH. `apply` keeps a missing fieldManager missing (the
/// server validates that before defaulting it from the User-Agent).
pub(crate) fn write_options(
    q: &Query,
    options_kind: &str,
    user_agent: Option<&str>,
    apply: bool,
) -> Result<WriteOptions> {
    let dry_run = q.dry_run(options_kind)?;
    let explicit = q.non_empty("fieldManager");
    check_field_manager(explicit, options_kind)?;
    let field_manager = match explicit {
        Some(m) => Some(m.to_string()),
        None if apply => None,
        None => manager_from_user_agent(user_agent),
    };
    let force = if options_kind == "PatchOptions" {
        q.flag("force")?.unwrap_or(false)
    } else {
        false
    };
    Ok(WriteOptions {
        dry_run,
        field_manager,
        field_validation: field_validation(q, options_kind)?,
        force,
        keep_uid: false,
        user: None,
        decode_errors: Vec::new(),
    })
}

/// `DeleteOptions` from the body (if any) and the query; the query's values win, as the
/// handler decodes the body first and the query over it. Returns the params and whether
/// `orphanDependents=false` was given (a 202 when the object stays, rule 29).
pub(crate) fn delete_params(q: &Query, body: &[u8]) -> Result<(DeleteParams, bool)> {
    let mut opts: serde_json::Map<String, Value> = serde_json::Map::new();
    if crate::proto::is_protobuf(body) {
        // client-go's typed clients send DeleteOptions in protobuf (`kubectl drain`).
        if let Value::Object(map) =
            crate::proto::decode_options(body, "DeleteOptions", "meta.v1.DeleteOptions")?
        {
            opts = map;
        }
    } else if !body.iter().all(u8::is_ascii_whitespace) {
        let parsed: Value = serde_json::from_slice(body).map_err(|e| {
            Error::bad_request(format!(
                "the body of the request was in an unknown format - DeleteOptions: {e}"
            ))
        })?;
        match parsed {
            Value::Object(map) => opts = map,
            Value::Null => {}
            _ => {
                return Err(Error::bad_request(
                    "the body of the request was in an unknown format - DeleteOptions: not an object",
                ));
            }
        }
    }
    if let Some(g) = q.int("gracePeriodSeconds")? {
        opts.insert("gracePeriodSeconds".into(), g.into());
    }
    if let Some(p) = q.non_empty("propagationPolicy") {
        opts.insert("propagationPolicy".into(), p.into());
    }
    if let Some(o) = q.flag("orphanDependents")? {
        opts.insert("orphanDependents".into(), o.into());
    }
    let query_dry_run = q.all("dryRun");
    if !query_dry_run.is_empty() {
        opts.insert(
            "dryRun".into(),
            Value::Array(query_dry_run.iter().map(|v| (*v).into()).collect()),
        );
    }
    from_delete_options(&opts)
}

fn from_delete_options(opts: &serde_json::Map<String, Value>) -> Result<(DeleteParams, bool)> {
    let bad = |field: &str| {
        Error::bad_request(format!(
            "the body of the request was in an unknown format - DeleteOptions.{field} has the wrong type"
        ))
    };
    let policy = match opts.get("propagationPolicy") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(bad("propagationPolicy")),
    };
    let orphan = match opts.get("orphanDependents") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => return Err(bad("orphanDependents")),
    };
    let dry_run: Vec<&str> = match opts.get("dryRun") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        Some(_) => return Err(bad("dryRun")),
    };
    let grace = match opts.get("gracePeriodSeconds") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_i64().ok_or_else(|| bad("gracePeriodSeconds"))?),
    };
    let mut errs = Vec::new();
    if let (Some(_), Some(p)) = (orphan, &policy) {
        errs.push(FieldError::invalid(
            "propagationPolicy",
            Value::String(p.clone()),
            "orphanDependents and deletionPropagation cannot be both set",
        ));
    }
    let propagation = match policy.as_deref() {
        None => None,
        Some("Foreground") => Some(PropagationPolicy::Foreground),
        Some("Background") => Some(PropagationPolicy::Background),
        Some("Orphan") => Some(PropagationPolicy::Orphan),
        Some(other) => {
            errs.push(FieldError::new(
                FieldErrorType::NotSupported,
                "propagationPolicy",
                Some(Value::String(other.into())),
                "supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"",
            ));
            None
        }
    };
    let dry_run = match dry_run_values(&dry_run, "DeleteOptions") {
        Ok(d) => d,
        Err(_) => {
            errs.push(FieldError::new(
                FieldErrorType::NotSupported,
                "dryRun",
                Some(Value::Array(dry_run.iter().map(|v| (*v).into()).collect())),
                "supported values: \"All\"",
            ));
            false
        }
    };
    if !errs.is_empty() {
        return Err(invalid_options("DeleteOptions", &errs));
    }
    let propagation_policy = match orphan {
        Some(true) => Some(PropagationPolicy::Orphan),
        Some(false) => Some(PropagationPolicy::Background),
        None => propagation,
    };
    let preconditions = opts
        .get("preconditions")
        .and_then(Value::as_object)
        .map(|p| Preconditions {
            resource_version: p
                .get("resourceVersion")
                .and_then(Value::as_str)
                .map(ToString::to_string),
            uid: p
                .get("uid")
                .and_then(Value::as_str)
                .map(ToString::to_string),
        })
        .filter(|p| p.resource_version.is_some() || p.uid.is_some());
    let params = DeleteParams {
        dry_run,
        grace_period_seconds: grace.map(|g| u32::try_from(g.max(0)).unwrap_or(u32::MAX)),
        propagation_policy,
        preconditions,
    };
    Ok((params, orphan == Some(false)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Query {
        Query::parse(Some(s))
    }

    #[test]
    fn list_params_use_kubernetes_names() {
        let p = list_params(&q(
            "labelSelector=app%3Dweb&fieldSelector=metadata.name%3Dx&limit=5&continue=abc&timeoutSeconds=7",
        ))
        .unwrap();
        assert_eq!(p.label_selector.as_deref(), Some("app=web"));
        assert_eq!(p.field_selector.as_deref(), Some("metadata.name=x"));
        assert_eq!(p.limit, Some(5));
        assert_eq!(p.continue_token.as_deref(), Some("abc"));
        assert_eq!(list_params(&q("limit=-3")).unwrap().limit, None);
        assert!(list_params(&q("limit=abc")).unwrap_err().is_bad_request());
    }

    #[test]
    fn list_options_validation_matches_the_server() {
        let e = list_params(&q("resourceVersionMatch=Bogus&resourceVersion=5")).unwrap_err();
        assert_eq!(
            e.status().unwrap().message,
            "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Unsupported value: \"Bogus\": supported values: \"Exact\", \"NotOlderThan\", \"\""
        );
        let e = list_params(&q("sendInitialEvents=true")).unwrap_err();
        assert!(e.is_invalid());
        assert!(
            e.status()
                .unwrap()
                .message
                .ends_with("sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list")
        );
        let e = watch_params(&q("watch=1&sendInitialEvents=true")).unwrap_err();
        assert_eq!(
            e.status().unwrap().message,
            "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"
        );
        let (w, rv) = watch_params(&q(
            "watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion=12",
        ))
        .unwrap();
        assert!(w.send_initial_events && w.bookmarks);
        assert_eq!(rv, "12");
    }

    #[test]
    fn delete_options_from_body_and_query() {
        let (p, orphan_false) = delete_params(
            &q("propagationPolicy=Foreground"),
            br#"{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"uid":"u1"},"gracePeriodSeconds":0}"#,
        )
        .unwrap();
        assert_eq!(p.propagation_policy, Some(PropagationPolicy::Foreground));
        assert_eq!(p.preconditions.unwrap().uid.as_deref(), Some("u1"));
        assert_eq!(p.grace_period_seconds, Some(0));
        assert!(!orphan_false);
        let (p, orphan_false) = delete_params(&q("orphanDependents=false"), b"").unwrap();
        assert_eq!(p.propagation_policy, Some(PropagationPolicy::Background));
        assert!(orphan_false);
        let e =
            delete_params(&q("orphanDependents=true&propagationPolicy=Orphan"), b"").unwrap_err();
        assert_eq!(
            e.status().unwrap().message,
            "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Invalid value: \"Orphan\": orphanDependents and deletionPropagation cannot be both set"
        );
        let e = delete_params(&q(""), br#"{"propagationPolicy":"Sideways"}"#).unwrap_err();
        assert!(e.is_invalid());
        let (p, _) = delete_params(&q("dryRun=All"), b"").unwrap();
        assert!(p.dry_run);
        assert!(
            delete_params(&q("dryRun=Some"), b"")
                .unwrap_err()
                .is_invalid()
        );
    }

    #[test]
    fn write_options_and_user_agent_manager() {
        let o = write_options(
            &q("fieldValidation=Strict&dryRun=All"),
            "CreateOptions",
            Some("kubectl/v1.33 (linux)"),
            false,
        )
        .unwrap();
        assert!(o.dry_run);
        assert_eq!(o.field_manager.as_deref(), Some("kubectl"));
        assert!(matches!(
            o.field_validation,
            Some(ValidationDirective::Strict)
        ));
        let o = write_options(&q("force=true"), "PatchOptions", Some("kubectl/v1"), true).unwrap();
        assert!(o.force);
        assert_eq!(o.field_manager, None);
        let e =
            write_options(&q("fieldValidation=Loud"), "CreateOptions", None, false).unwrap_err();
        assert_eq!(
            e.status().unwrap().message,
            "CreateOptions.meta.k8s.io \"\" is invalid: fieldValidation: Unsupported value: \"Loud\": supported values: \"\", \"Ignore\", \"Strict\", \"Warn\""
        );
        assert_eq!(manager_from_user_agent(Some("")), None);
        assert_eq!(
            manager_from_user_agent(Some("python")).as_deref(),
            Some("python")
        );
    }
}
