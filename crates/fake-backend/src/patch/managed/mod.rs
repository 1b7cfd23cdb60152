//! Field management: server-side apply (rule 26) and managedFields tracking for other writes
//! (k8s.io/apimachinery `pkg/util/managedfields/internal`, kubernetes-sigs/structured-merge-diff
//! `merge/update.go`).
//!
//! - Entries are keyed like the server's manager identifiers: `(manager, Apply, subresource)`
//!   for appliers and `(manager, Update, apiVersion, subresource)` for updaters.
//! - Server-set metadata (`apiVersion`, `kind`, `metadata.name`, `namespace`, `uid`,
//!   `resourceVersion`, `generation`, `creationTimestamp`, `selfLink`, `managedFields`) is
//!   never owned (stripmeta.go).
//! - At most 10 Update entries are kept; older ones merge into `ancient-changes` per apiVersion
//!   (capmanagers.go).
//! - An update whose body carries a non-empty `managedFields` list replaces the tracked
//!   ownership with it (so `[{}]` clears it); an empty or absent list keeps the stored one; writes
//!   through a subresource always keep the stored one (fieldmanager.go).
//! - An update of an existing object that has no managedFields is not tracked, and an apply to
//!   such an object first attributes its fields to `before-first-apply` (skipnonapplied.go).

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::JSONSchemaProps;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kobj_core::error::{StatusCause, StatusDetails, empty_details};
use kobj_core::{Error, Result};
use serde_json::{Map, Value};

use super::compare::{changed, compare};
use super::fieldset::{FieldSet, Path, PathElement, path_string};
use super::typed::{ensure_named_fields, merge, remove_items, to_field_set};
use super::typeinfo::Ty;

/// Who writes, and how: the context of one write for managedFields.
#[derive(Clone, Debug)]
pub struct FieldManagement<'a> {
    /// The field manager (`fieldManager` parameter, or the User-Agent's first segment).
    pub manager: &'a str,
    /// The object's apiVersion.
    pub api_version: &'a str,
    /// The write's time.
    pub time: Time,
    /// `Some("status")` / `Some("scale")` for writes through a subresource.
    pub subresource: Option<&'a str>,
    /// The group and kind of the object (selects built-in list merge keys).
    pub group: &'a str,
    /// The kind.
    pub kind: &'a str,
    /// The CRD version's schema, for custom resources (list types, map keys).
    pub schema: Option<&'a JSONSchemaProps>,
}

impl FieldManagement<'_> {
    fn root_ty(&self) -> Ty<'_> {
        let version = self.api_version.rsplit('/').next();
        Ty::root(self.group, self.kind, version, self.schema)
    }

    /// The kind's empty object, which a created object is compared with (`None` for a
    /// custom resource, whose empty object has no owned fields).
    fn empty_object(&self) -> Option<&'static Value> {
        if self.schema.is_some() {
            return None;
        }
        empty_object::empty_object(self.api_version, self.kind)
    }

    fn time_value(&self) -> Value {
        crate::meta::time_text(&self.time).map_or(Value::Null, Value::String)
    }
}

const APPLY: &str = "Apply";
const UPDATE: &str = "Update";
const MAX_UPDATE_MANAGERS: usize = 10;
const ANCIENT_CHANGES: &str = "ancient-changes";
const BEFORE_FIRST_APPLY: &str = "before-first-apply";

/// One managedFields entry, decoded.
#[derive(Clone, Debug)]
struct Entry {
    manager: String,
    operation: String,
    api_version: String,
    time: Option<Value>,
    subresource: String,
    set: FieldSet,
}

impl Entry {
    /// The entry of this write's manager, with the write's time.
    fn of_writer(ctx: &FieldManagement<'_>, operation: &str, set: FieldSet) -> Entry {
        Entry {
            manager: ctx.manager.to_string(),
            operation: operation.to_string(),
            api_version: ctx.api_version.to_string(),
            time: Some(ctx.time_value()),
            subresource: ctx.subresource.unwrap_or("").to_string(),
            set,
        }
    }

    /// The server's manager identifier (`BuildManagerIdentifier`): JSON without time and
    /// fields, and without apiVersion for appliers.
    fn identifier(&self) -> String {
        let mut s = format!(
            "{{\"manager\":{},\"operation\":{}",
            Value::String(self.manager.clone()),
            Value::String(self.operation.clone())
        );
        if self.operation != APPLY && !self.api_version.is_empty() {
            s.push_str(&format!(
                ",\"apiVersion\":{}",
                Value::String(self.api_version.clone())
            ));
        }
        if !self.subresource.is_empty() {
            s.push_str(&format!(
                ",\"subresource\":{}",
                Value::String(self.subresource.clone())
            ));
        }
        s.push('}');
        s
    }

    /// Whether `self` and `other` have the same [`identifier`](Self::identifier), compared
    /// field by field instead of building the two strings.
    fn same_identity(&self, other: &Entry) -> bool {
        self.manager == other.manager
            && self.operation == other.operation
            && (self.operation == APPLY || self.api_version == other.api_version)
            && self.subresource == other.subresource
    }

    /// How conflicts name this manager (`printManager`).
    fn printed(&self) -> String {
        let mut s = format!("{:?}", self.manager);
        if !self.subresource.is_empty() {
            s.push_str(&format!(" with subresource {:?}", self.subresource));
        }
        if self.operation == UPDATE {
            s.push_str(&format!(" using {}", self.api_version));
        }
        s
    }

    /// Where the entry goes in the list, given its time in seconds.
    fn sort_key(&self, seconds: i64) -> SortKey<'_> {
        (
            &self.operation,
            seconds,
            &self.manager,
            &self.api_version,
            &self.subresource,
        )
    }

    fn seconds(&self) -> i64 {
        seconds_of(self.time.as_ref())
    }

    fn to_json(&self) -> Value {
        self.to_json_with(self.set.to_fields_v1())
    }

    /// The entry's JSON with `fields` as its `fieldsV1`.
    fn to_json_with(&self, fields: Value) -> Value {
        entry_json(
            &self.manager,
            &self.operation,
            &self.api_version,
            self.time.clone(),
            &self.subresource,
            fields,
        )
    }
}

/// One encoded managedFields entry (`subresource` left out when empty).
fn entry_json(
    manager: &str,
    operation: &str,
    api_version: &str,
    time: Option<Value>,
    subresource: &str,
    fields: Value,
) -> Value {
    let mut m = Map::new();
    m.insert("manager".into(), Value::String(manager.to_string()));
    m.insert("operation".into(), Value::String(operation.to_string()));
    m.insert("apiVersion".into(), Value::String(api_version.to_string()));
    if let Some(t) = time {
        m.insert("time".into(), t);
    }
    m.insert("fieldsType".into(), Value::String("FieldsV1".into()));
    m.insert("fieldsV1".into(), fields);
    if !subresource.is_empty() {
        m.insert("subresource".into(), Value::String(subresource.to_string()));
    }
    Value::Object(m)
}

/// The order of the managedFields list (`sortEncodedManagedFields`): operation (so `Apply`
/// first), time, manager, apiVersion, subresource.
type SortKey<'a> = (&'a str, i64, &'a str, &'a str, &'a str);

/// [`Entry::sort_key`] of an encoded entry.
fn encoded_sort_key(entry: &Value, seconds: i64) -> SortKey<'_> {
    (
        text(entry, "operation"),
        seconds,
        text(entry, "manager"),
        text(entry, "apiVersion"),
        text(entry, "subresource"),
    )
}

/// An encoded entry's time in seconds, as [`decode`] reads it.
fn encoded_seconds(entry: &Value) -> i64 {
    seconds_of(entry.get("time").filter(|t| t.is_string()))
}

/// A text field of an encoded entry ("" when absent or not a string, as [`decode`] reads it).
fn text<'v>(entry: &'v Value, key: &str) -> &'v str {
    entry.get(key).and_then(Value::as_str).unwrap_or("")
}

/// An entry's time in whole seconds since the epoch (0 when absent or malformed).
fn seconds_of(time: Option<&Value>) -> i64 {
    time.and_then(Value::as_str)
        .and_then(|t| t.parse::<k8s_openapi::jiff::Timestamp>().ok())
        .map_or(0, |t| t.as_second())
}

fn managed_fields_of(obj: &Value) -> Option<&Vec<Value>> {
    obj.get("metadata")?.get("managedFields")?.as_array()
}

/// Decodes managedFields; entries with the same identifier are merged.
fn decode(list: &[Value]) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    for item in list {
        let text = |k: &str| text(item, k).to_string();
        let entry = Entry {
            manager: text("manager"),
            operation: text("operation"),
            api_version: text("apiVersion"),
            time: item.get("time").filter(|t| t.is_string()).cloned(),
            subresource: text("subresource"),
            set: item
                .get("fieldsV1")
                .map(FieldSet::from_fields_v1)
                .unwrap_or_default(),
        };
        match entries.iter_mut().find(|e| e.same_identity(&entry)) {
            Some(existing) => existing.set.union_with(&entry.set),
            None => entries.push(entry),
        }
    }
    entries
}

/// Sorts as `sortEncodedManagedFields` does and writes the entries into the object.
fn encode(obj: &mut Value, mut entries: Vec<Entry>) {
    entries.retain(|e| !e.set.is_empty());
    if entries.len() > 1 {
        // Each entry's time is parsed once, not on every comparison.
        let mut keyed: Vec<(i64, Entry)> = entries.into_iter().map(|e| (e.seconds(), e)).collect();
        keyed.sort_by(|(ps, p), (qs, q)| p.sort_key(*ps).cmp(&q.sort_key(*qs)));
        entries = keyed.into_iter().map(|(_, e)| e).collect();
    }
    write_managed_fields(obj, entries.iter().map(Entry::to_json).collect());
}

/// Writes encoded managedFields entries into the object (removing the field when there are
/// none; `metadata` is added when missing).
fn write_managed_fields(obj: &mut Value, list: Vec<Value>) {
    let Value::Object(root) = obj else { return };
    let meta = root
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(meta) = meta else { return };
    if list.is_empty() {
        meta.remove("managedFields");
    } else {
        crate::meta::set_member(meta, "managedFields", Value::Array(list));
    }
}

/// The root fields no manager owns (stripmeta.go); `metadata` itself is not owned either,
/// but its other members are.
pub(in crate::patch) const SERVER_SET_ROOT: [&str; 2] = ["apiVersion", "kind"];

/// The `metadata` fields no manager owns (stripmeta.go).
pub(in crate::patch) const SERVER_SET_METADATA: [&str; 9] = [
    "name",
    "namespace",
    "creationTimestamp",
    "selfLink",
    "uid",
    "clusterName",
    "generation",
    "managedFields",
    "resourceVersion",
];

/// Removes what nobody owns: server-set metadata (stripmeta.go).
pub(in crate::patch) fn strip_meta(set: &mut FieldSet) {
    static PATHS: std::sync::LazyLock<Vec<Path>> = std::sync::LazyLock::new(|| {
        let f = |s: &str| PathElement::Field(s.to_string());
        let root = SERVER_SET_ROOT.iter().chain(["metadata"].iter());
        let meta = SERVER_SET_METADATA
            .iter()
            .map(|m| vec![f("metadata"), f(m)]);
        root.map(|r| vec![f(r)]).chain(meta).collect()
    });
    for path in PATHS.iter() {
        set.remove_members(&[path.as_slice()]);
    }
}

/// Merges the oldest Update entries into `ancient-changes` buckets (capmanagers.go).
fn cap_update_managers(entries: &mut Vec<Entry>) {
    let mut updaters: Vec<usize> = (0..entries.len())
        .filter(|&i| entries[i].operation != APPLY)
        .collect();
    if updaters.len() <= MAX_UPDATE_MANAGERS {
        return;
    }
    updaters.sort_by(|&a, &b| {
        entries[a]
            .seconds()
            .cmp(&entries[b].seconds())
            .then_with(|| entries[a].identifier().cmp(&entries[b].identifier()))
    });
    let mut first_by_version: std::collections::HashMap<String, usize> = Default::default();
    let mut removed = vec![false; entries.len()];
    let mut length = updaters.len();
    for &i in &updaters {
        if length <= MAX_UPDATE_MANAGERS {
            break;
        }
        let version = entries[i].api_version.clone();
        match first_by_version.get(&version) {
            Some(&first) => {
                if entries[first].manager != ANCIENT_CHANGES {
                    entries[first].manager = ANCIENT_CHANGES.to_string();
                    entries[first].operation = UPDATE.to_string();
                    entries[first].subresource.clear();
                }
                let set = entries[i].set.clone();
                entries[first].set.union_with(&set);
                entries[first].time = entries[i].time.clone();
                removed[i] = true;
                length -= 1;
            }
            None => {
                first_by_version.insert(version, i);
            }
        }
    }
    let mut idx = 0;
    entries.retain(|_| {
        let keep = !removed[idx];
        idx += 1;
        keep
    });
}

mod apply;
pub(crate) use apply::typed_patch_error;
pub use apply::{apply, apply_resetting};
mod empty_object;
mod last_applied;
mod update;
pub use update::track_update;
pub(crate) use update::track_update_from;

#[cfg(test)]
mod tests;
