//! Get and list (rules 11–14, 42–43): resourceVersion semantics, consistent paged snapshots
//! with continue tokens, selectors, sorted items.

use std::collections::BTreeSet;
use std::ops::Bound;
use std::sync::Arc;
use std::time::Instant;

use base64::Engine as _;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ListMeta;
use kobj_core::error::empty_details;
use kobj_core::selector::LabelOperator;
use kobj_core::{Error, FieldError, ResourceType, Result};
use kube_core::params::{ListParams, VersionMatch};
use kube_core::response::{StatusCause, StatusDetails};
use kube_core::{DynamicObject, ObjectList, TypeMeta};
use serde_json::Value;

use super::{ns_of, resolve};
use crate::cluster::FakeCluster;
use crate::selection::Selection;
use crate::store::{self, Store, Stored, Table};

/// Parses a resourceVersion parameter (`""` → `None`).
pub(crate) fn parse_rv(rv: &str) -> Result<Option<u64>> {
    if rv.is_empty() {
        return Ok(None);
    }
    rv.parse::<u64>().map(Some).map_err(|_| {
        Error::bad_request(format!(
            "resourceVersion: Invalid value: {rv:?}: strconv.ParseUint: parsing {rv:?}: invalid syntax"
        ))
    })
}

/// The 504 of rule 13 for a version ahead of the cluster.
pub(crate) fn too_large(wanted: u64, current: u64) -> Error {
    Error::timeout(format!(
        "Too large resource version: {wanted}, current: {current}"
    ))
    .with_details(StatusDetails {
        causes: vec![StatusCause {
            reason: "ResourceVersionTooLarge".into(),
            message: "Too large resource version".into(),
            field: String::new(),
        }],
        retry_after_seconds: 1,
        ..empty_details()
    })
}

/// 422 on `ListOptions.meta.k8s.io ""` (rule 13).
pub(crate) fn invalid_list_options(errors: &[FieldError]) -> Error {
    Error::invalid_kind(
        "ListOptions.meta.k8s.io",
        "ListOptions",
        "meta.k8s.io",
        "",
        errors,
    )
}

/// What a list continues from: the snapshot's version, and the key the last page ended at,
/// relative to the listed prefix (without its trailing NUL).
struct Token {
    /// The snapshot; `None` for the newest state (a token whose version is negative, as the
    /// replacement token of an expired one is).
    rv: Option<u64>,
    start: String,
}

const TOO_OLD_CONTINUE: &str = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

/// The token of a page that ended at `last_key`. Its start key is relative to the listed
/// prefix, as the apiserver's is: the name in a one-namespace list, `<namespace>/<name>` in a
/// list across namespaces (see [`token_key`]).
fn encode_token(rv: u64, last_key: &str, listed_namespace: Option<&str>) -> String {
    let (ns, name) = store::split_key(last_key);
    let start = if ns.is_empty() || listed_namespace.is_some() {
        format!("{name}\u{0}")
    } else {
        format!("{ns}/{name}\u{0}")
    };
    encode_start(rv as i64, &start)
}

/// A token continuing after the relative key `start` (with its trailing NUL) at `rv` (`-1`:
/// the newest state).
fn encode_start(rv: i64, start: &str) -> String {
    let json = serde_json::json!({"v": "meta.k8s.io/v1", "rv": rv, "start": start});
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json.to_string())
}

/// The 410 for a token whose snapshot is gone, carrying a token that continues from the same
/// key in the newest state, as etcd3's `handleCompactedErrorForPaging` answers; the message
/// tells the client it may use it.
fn expired_continue(token: &Token) -> Error {
    let mut e = Error::expired(TOO_OLD_CONTINUE);
    if let Error::Api(status) = &mut e {
        status.metadata = Some(ListMeta {
            continue_: Some(encode_start(-1, &format!("{}\u{0}", token.start))),
            ..ListMeta::default()
        });
    }
    e
}

fn decode_token(token: &str) -> Result<Token> {
    let bad = |detail: String| {
        Error::bad_request(format!(
            "invalid continue token: continue key is not valid: {detail}"
        ))
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim_end_matches('='))
        .map_err(|e| bad(format!("illegal base64 data: {e}")))?;
    let json: Value = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
    if json.get("v").and_then(Value::as_str) != Some("meta.k8s.io/v1") {
        return Err(Error::bad_request(
            "invalid continue token: continue key is not valid: server does not recognize this encoded version",
        ));
    }
    let rv = json.get("rv").and_then(Value::as_i64).unwrap_or(0);
    if rv == 0 {
        return Err(bad(
            "incorrect encoded start resourceVersion (version meta.k8s.io/v1)".into(),
        ));
    }
    // A negative version continues in the newest state (etcd3's `GetList`).
    let rv = u64::try_from(rv).ok();
    let start = json
        .get("start")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if start.is_empty() {
        return Err(bad(
            "encoded start key empty (version meta.k8s.io/v1)".into()
        ));
    }
    let start = start.strip_suffix('\u{0}').unwrap_or(start).to_string();
    Ok(Token { rv, start })
}

/// The table key a token's start stands for in this list: the start is relative to the
/// listed prefix (`/registry/<resource>/<namespace>/` or `/registry/<resource>/`), so a
/// token made by another list continues after the same relative key here, as the
/// apiserver's does (a name from another namespace's list, in this namespace).
fn token_key(start: &str, listed_namespace: Option<&str>, namespaced: bool) -> String {
    match (listed_namespace, namespaced) {
        (Some(ns), _) => store::key(ns, start),
        (None, true) => match start.split_once('/') {
            Some((ns, name)) => store::key(ns, name),
            // Keys after `<start>` across namespaces: the namespace `<start>` and later ones.
            None => store::key(start, ""),
        },
        (None, false) => store::key("", start),
    }
}

/// Which snapshot a list reads.
enum At {
    /// The newest state (optionally at least this version).
    Newest(Option<u64>),
    /// Exactly this version.
    Exact(u64),
}

impl FakeCluster {
    /// Waits (up to the configured time) until the cluster reaches `rv`; the 504 of rule 13
    /// otherwise.
    pub(crate) async fn wait_for_rv(&self, rv: u64) -> Result<()> {
        let start = Instant::now();
        loop {
            let current = self.inner.lock().store.rv;
            if current >= rv {
                return Ok(());
            }
            if start.elapsed() >= self.inner.settings.too_large_wait {
                return Err(too_large(rv, current));
            }
            // Boxed: see `pass_gate`; get, list and watch futures embed this one.
            Box::pin(tokio::time::sleep(std::time::Duration::from_millis(5))).await;
        }
    }

    /// Reads one object (the engine behind `get_object`), with a resourceVersion that was
    /// already waited for.
    pub(crate) fn get_now(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<DynamicObject> {
        let st = self.inner.lock();
        let info = resolve(&st, rt, namespace, false)?;
        let key = store::key(ns_of(&info, namespace), name);
        let obj = st
            .store
            .get(&info.store_key(), &key)
            .cloned()
            .ok_or_else(|| Error::not_found(&info.resource, name))?;
        drop(st);
        self.inner.render(&info, &obj)
    }

    /// Lists objects (the engine behind `list_objects`).
    pub(crate) async fn list_dynamic(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        params: &ListParams,
    ) -> Result<ObjectList<DynamicObject>> {
        let rv = params.resource_version.as_deref().unwrap_or_default();
        let cont = params.continue_token.as_deref().unwrap_or_default();
        // Rule 13: ListOptions validation.
        if let Some(m) = &params.version_match {
            let mut errs = Vec::new();
            if rv.is_empty() {
                errs.push(FieldError::forbidden(
                    "resourceVersionMatch",
                    "resourceVersionMatch is forbidden unless resourceVersion is provided",
                ));
            }
            if !cont.is_empty() {
                errs.push(FieldError::forbidden(
                    "resourceVersionMatch",
                    "resourceVersionMatch is forbidden when continue is provided",
                ));
            }
            if matches!(m, VersionMatch::Exact) && rv == "0" {
                errs.push(FieldError::forbidden(
                    "resourceVersionMatch",
                    "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"",
                ));
            }
            if !errs.is_empty() {
                return Err(invalid_list_options(&errs));
            }
        }
        let limit = params.limit.unwrap_or(0) as usize;
        let token = if cont.is_empty() {
            None
        } else {
            if !rv.is_empty() && rv != "0" {
                return Err(Error::bad_request(
                    "specifying resource version is not allowed when using continue",
                ));
            }
            Some(decode_token(cont)?)
        };
        let wanted = parse_rv(rv)?;
        let at = match (&token, &params.version_match, wanted) {
            (Some(Token { rv: Some(n), .. }), _, _) => At::Exact(*n),
            (Some(Token { rv: None, .. }), _, _) => At::Newest(None),
            (None, _, None | Some(0)) => At::Newest(None),
            (None, Some(VersionMatch::Exact), Some(n)) => At::Exact(n),
            (None, None, Some(n)) if limit > 0 => At::Exact(n),
            (None, _, Some(n)) => At::Newest(Some(n)),
        };
        if let At::Newest(Some(n)) | At::Exact(n) = at
            && token.is_none()
        {
            self.wait_for_rv(n).await?;
        }
        let st = self.inner.lock();
        let info = resolve(&st, rt, namespace, true)?;
        let selection = Selection::parse(
            &info,
            params.label_selector.as_deref(),
            params.field_selector.as_deref(),
        )?;
        let (snapshot_rv, table) = match at {
            At::Newest(_) => (
                st.store.rv,
                std::borrow::Cow::Borrowed(st.store.table(&info.store_key()).unwrap_or(&EMPTY)),
            ),
            At::Exact(n) => match st.store.table_at(&info.store_key(), n) {
                Some(t) => (n, t),
                None if let Some(t) = &token => return Err(expired_continue(t)),
                None => {
                    return Err(Error::expired(
                        "The resourceVersion for the provided list is too old.",
                    ));
                }
            },
        };
        // The live table with an equality label requirement: only the objects the label
        // index lists for it are candidates (the smallest such set).
        let candidates = match &table {
            std::borrow::Cow::Borrowed(_) => {
                equality_candidates(&st.store, &info.store_key(), &selection)
            }
            std::borrow::Cow::Owned(_) => None,
        };
        let table: &Table = &table;
        let ns = namespace.filter(|_| info.resource.is_namespaced());
        let (lo, hi) = match ns {
            Some(ns) => (store::key(ns, ""), Some(store::namespace_end(ns))),
            None => (String::new(), None),
        };
        let after = token
            .as_ref()
            .map(|t| token_key(&t.start, ns, info.resource.is_namespaced()));
        let lower = match (&after, &hi) {
            // A key past this namespace's keys (a name sorting after every possible one)
            // leaves nothing to list; `range` panics on a start after its end.
            (Some(a), Some(h)) if a.as_str() >= h.as_str() => Bound::Included(h.as_str()),
            (Some(a), _) if a.as_str() >= lo.as_str() => Bound::Excluded(a.as_str()),
            _ => Bound::Included(lo.as_str()),
        };
        let upper = match &hi {
            Some(h) => Bound::Excluded(h.as_str()),
            None => Bound::Unbounded,
        };
        let scan: Box<dyn Iterator<Item = (&str, &Arc<Stored>)>> = match candidates {
            Some(keys) => Box::new(
                keys.range::<str, _>((lower, upper))
                    .filter_map(|k| table.get(&**k).map(|o| (&**k, o))),
            ),
            None => Box::new(
                table
                    .range::<str, _>((lower, upper))
                    .map(|(k, o)| (&**k, o)),
            ),
        };
        let mut range = scan.filter(|(k, o)| selection.is_empty() || selection.matches(k, o));
        let mut picked = Vec::new();
        let mut last_key = None;
        for (k, o) in range.by_ref() {
            picked.push(o.clone());
            if limit > 0 && picked.len() == limit {
                last_key = Some(k.to_string());
                break;
            }
        }
        let mut more = 0usize;
        let mut continue_ = None;
        if let Some(last) = &last_key {
            more = range.by_ref().count();
            if more > 0 {
                continue_ = Some(encode_token(snapshot_rv, last, ns));
            }
        }
        drop(range);
        drop(st);
        let mut items = Vec::with_capacity(picked.len());
        for o in &picked {
            items.push(self.inner.render(&info, o)?);
        }
        Ok(ObjectList {
            types: TypeMeta {
                api_version: info.resource.api.api_version.clone(),
                kind: info.list_kind.clone(),
            },
            metadata: ListMeta {
                continue_,
                remaining_item_count: (more > 0 && !selection.is_set())
                    .then_some(i64::try_from(more).unwrap_or(i64::MAX)),
                resource_version: Some(snapshot_rv.to_string()),
                ..ListMeta::default()
            },
            items,
        })
    }
}

static EMPTY: Table = Table::new();
static NO_KEYS: BTreeSet<crate::store::Key> = BTreeSet::new();

/// The smallest set of candidate keys the label index gives for the selection's equality
/// requirements (`key=value`, `key==value`, `key in (value)`), if it has any.
fn equality_candidates<'a>(
    store: &'a Store,
    store_key: &str,
    selection: &Selection,
) -> Option<&'a BTreeSet<crate::store::Key>> {
    selection
        .labels
        .requirements()
        .iter()
        .filter_map(|r| match (r.operator(), r.values()) {
            (LabelOperator::Equals | LabelOperator::DoubleEquals | LabelOperator::In, [value]) => {
                Some(
                    store
                        .labelled(store_key, r.key(), value)
                        .unwrap_or(&NO_KEYS),
                )
            }
            _ => None,
        })
        .min_by_key(|keys| keys.len())
}
