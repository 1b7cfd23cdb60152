//! The CRD status controllers of apiextensions-apiserver, run synchronously after every CRD
//! write, where the server runs them moments later: the naming controller
//! (`pkg/controller/status/naming_controller.go`: `acceptedNames` and the NamesAccepted
//! condition, with Established False until the names are in), and the establishing controller
//! (`pkg/controller/establish`: Established True), and, for a deleting CRD, the finalizer
//! controller (`pkg/controller/finalizer`: the Terminating condition, the cleanup finalizer
//! removed once the CRD's objects are gone). Each writes through `/status` as the
//! manager `kube-apiserver`, as the server's loopback client does, so a CRD's create answers
//! with the strategy's status (its storage version in `storedVersions`, nothing else) and
//! watchers then see two MODIFIED events, as on a cluster.
//!
//! Written by hand: these are the server's own controllers, not a library.

use std::collections::VecDeque;

use serde_json::{Map, Value, json};

use super::{CRDS, after_write};
use crate::cluster::{Inner, State};
use crate::meta;
use crate::store::{self, JsonRead, Stored, View};

/// The field manager of the server's own controllers (its loopback client's User-Agent).
const MANAGER: &str = "kube-apiserver";

/// `CustomResourceDefinitionNames`, read from JSON with absent, null and empty treated
/// alike (`equality.Semantic` does not tell a nil slice from an empty one).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Names {
    plural: String,
    singular: String,
    short_names: Vec<String>,
    kind: String,
    list_kind: String,
    categories: Vec<String>,
}

impl Names {
    /// The names in a JSON tree or, read in place, in a stored object.
    fn read<'a, J: JsonRead<'a>>(v: Option<J>) -> Self {
        let s = |k: &str| {
            v.and_then(|v| v.get(k))
                .and_then(JsonRead::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let list = |k: &str| -> Vec<String> {
            v.and_then(|v| v.get(k))
                .and_then(JsonRead::items)
                .map(|items| {
                    items
                        .filter_map(JsonRead::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        Self {
            plural: s("plural"),
            singular: s("singular"),
            short_names: list("shortNames"),
            kind: s("kind"),
            list_kind: s("listKind"),
            categories: list("categories"),
        }
    }

    /// Every name: plural, singular, short names, kind, list kind.
    fn all(&self) -> impl Iterator<Item = &str> {
        [&self.plural, &self.singular, &self.kind, &self.list_kind]
            .into_iter()
            .chain(&self.short_names)
            .map(String::as_str)
    }

    /// The JSON the server writes: `plural` and `kind` always, the rest when not empty.
    fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("plural".into(), Value::String(self.plural.clone()));
        if !self.singular.is_empty() {
            m.insert("singular".into(), Value::String(self.singular.clone()));
        }
        if !self.short_names.is_empty() {
            m.insert("shortNames".into(), json!(self.short_names));
        }
        m.insert("kind".into(), Value::String(self.kind.clone()));
        if !self.list_kind.is_empty() {
            m.insert("listKind".into(), Value::String(self.list_kind.clone()));
        }
        if !self.categories.is_empty() {
            m.insert("categories".into(), json!(self.categories));
        }
        Value::Object(m)
    }
}

/// The member at `path` (dot-separated) of a stored object, read in place.
fn at<'a>(view: View<'a>, path: &str) -> Option<View<'a>> {
    path.split('.').try_fold(view, |v, k| v.get(k))
}

/// The subtree at `path` of a stored object, as JSON (for the few small parts the
/// controllers compare: a CRD's schemas can be large, so it is not decoded whole).
fn json_at(view: View<'_>, path: &str) -> Option<Value> {
    at(view, path).map(|v| v.to_value().into_owned())
}

/// A condition as the controllers compute it (`lastTransitionTime` is set when written).
struct Condition {
    type_: &'static str,
    status: &'static str,
    reason: String,
    message: String,
}

impl Condition {
    fn new(type_: &'static str, status: &'static str, reason: &str, message: &str) -> Self {
        Self {
            type_,
            status,
            reason: reason.to_string(),
            message: message.to_string(),
        }
    }

    /// `IsCRDConditionEquivalent`: type, status, reason and message.
    fn equivalent(&self, other: Option<&Value>) -> bool {
        other.is_some_and(|o| {
            o.get("type").and_then(Value::as_str) == Some(self.type_)
                && o.get("status").and_then(Value::as_str) == Some(self.status)
                && o.get("reason").and_then(Value::as_str).unwrap_or_default() == self.reason
                && o.get("message").and_then(Value::as_str).unwrap_or_default() == self.message
        })
    }
}

/// The condition of `type_` in a CRD's status.
fn find<'a>(crd: &'a Value, type_: &str) -> Option<&'a Value> {
    meta::get_path(crd, "status.conditions")
        .and_then(Value::as_array)
        .and_then(|cs| {
            cs.iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some(type_))
        })
}

/// Whether the condition `type_` is True.
pub(crate) fn is_true(crd: &Value, type_: &str) -> bool {
    find(crd, type_).and_then(|c| c.get("status").and_then(Value::as_str)) == Some("True")
}

/// `SetCRDCondition`: overwrite the condition of its type (its time only when its status
/// changes) or append it.
fn set_condition(status: &mut Map<String, Value>, c: &Condition, now: &str) {
    let conditions = status
        .entry("conditions")
        .or_insert_with(|| Value::Array(Vec::new()));
    if !conditions.is_array() {
        *conditions = Value::Array(Vec::new());
    }
    let Some(list) = conditions.as_array_mut() else {
        return;
    };
    let existing = list
        .iter_mut()
        .find(|x| x.get("type").and_then(Value::as_str) == Some(c.type_));
    match existing.and_then(Value::as_object_mut) {
        None => list.push(json!({
            "type": c.type_,
            "status": c.status,
            "lastTransitionTime": now,
            "reason": c.reason,
            "message": c.message,
        })),
        Some(x) => {
            let time_missing = x
                .get("lastTransitionTime")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty);
            if x.get("status").and_then(Value::as_str) != Some(c.status) || time_missing {
                x.insert("lastTransitionTime".into(), Value::String(now.to_string()));
            }
            x.insert("status".into(), Value::String(c.status.to_string()));
            x.insert("reason".into(), Value::String(c.reason.clone()));
            x.insert("message".into(), Value::String(c.message.clone()));
        }
    }
}

/// The strategy's `PrepareForCreate` and `PrepareForUpdate`: the storage version joins
/// `storedVersions` (a version stays there until a client removes it through `/status`).
pub(crate) fn record_storage_version(obj: &mut Value) {
    let storage = meta::get_path(obj, "spec.versions")
        .and_then(Value::as_array)
        .and_then(|vs| {
            vs.iter()
                .find(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
        })
        .and_then(|v| v.get("name").cloned());
    let Some(storage) = storage else {
        return;
    };
    let Some(map) = obj.as_object_mut() else {
        return;
    };
    let status = map
        .entry("status")
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(status) = status.as_object_mut() else {
        return;
    };
    let stored = status
        .entry("storedVersions")
        .or_insert_with(|| Value::Array(Vec::new()));
    if !stored.is_array() {
        *stored = Value::Array(Vec::new());
    }
    if let Some(list) = stored.as_array_mut()
        && !list.contains(&storage)
    {
        list.push(storage);
    }
}

/// Whether the stored CRD at `key` is of `group`. Its name is `<plural>.<group>` (checked
/// when it was created), so other groups' CRDs are told apart without reading them.
fn in_group(key: &str, stored: &Stored, group: &str) -> bool {
    store::split_key(key)
        .1
        .strip_suffix(group)
        .is_some_and(|rest| rest.ends_with('.'))
        && at(stored.view(), "spec.group").and_then(JsonRead::as_str) == Some(group)
}

/// The names of the stored CRDs of `group`, in name order.
fn crds_of_group(st: &State, group: &str) -> Vec<String> {
    let Some(table) = st.store.table(CRDS) else {
        return Vec::new();
    };
    let mut names: Vec<String> = table
        .iter()
        .filter(|(k, o)| in_group(k, o, group))
        .map(|(k, _)| store::split_key(k).1.to_string())
        .collect();
    names.sort();
    names
}

/// Runs the naming and establishing controllers as their work queues would: from `first`
/// (the CRD just written) or, with `None`, from every CRD of `group` (one was removed and
/// may have freed names). A naming write that gives up a name requeues the group's other
/// CRDs (`requeueAllOtherGroupCRDs`); the sync of one that waits for no name returns at once.
pub(crate) fn reconcile(inner: &Inner, st: &mut State, group: &str, first: Option<&str>) {
    let mut queue: VecDeque<String> = match first {
        Some(name) => VecDeque::from([name.to_string()]),
        None => crds_of_group(st, group).into(),
    };
    // Every requeue follows a write that gave up a name, which a group can do only so
    // often; the bound only guards against a cycle.
    let mut budget = 10_000_usize;
    while let Some(name) = queue.pop_front() {
        budget = match budget.checked_sub(1) {
            Some(b) => b,
            None => break,
        };
        if naming_sync(inner, st, group, &name) {
            for other in crds_of_group(st, group) {
                if other != name && !queue.contains(&other) {
                    queue.push_back(other);
                }
            }
        }
        establishing_sync(inner, st, &name);
    }
}

/// The names the group's CRDs have been given (`getAcceptedNamesForGroup`, the CRD itself
/// included): resources (plural, singular, short names) and kinds (kind, list kind).
fn accepted_names_of_group(st: &State, group: &str) -> (Vec<String>, Vec<String>) {
    let mut resources = Vec::new();
    let mut kinds = Vec::new();
    if let Some(table) = st.store.table(CRDS) {
        for (k, o) in table.iter() {
            if !in_group(k, o, group) {
                continue;
            }
            let v = o.view();
            let n = Names::read(at(v, "status.acceptedNames"));
            resources.push(n.plural);
            resources.push(n.singular);
            resources.extend(n.short_names);
            kinds.push(n.kind);
            kinds.push(n.list_kind);
        }
    }
    (resources, kinds)
}

/// `equalToAcceptedOrFresh`: the error text when `requested` is taken by another name.
fn taken(requested: &str, accepted: &str, used: &[String]) -> Option<String> {
    (requested != accepted && used.iter().any(|u| u == requested))
        .then(|| format!("{requested:?} is already in use"))
}

/// `calculateNamesAndConditions`: the names to accept, the NamesAccepted condition and the
/// Established condition to write with it.
fn calculate(st: &State, group: &str, crd: &Value) -> (Names, Condition, Condition) {
    let (resources, kinds) = accepted_names_of_group(st, group);
    let requested = Names::read(meta::get_path(crd, "spec.names"));
    let accepted = Names::read(meta::get_path(crd, "status.acceptedNames"));
    let mut names = accepted.clone();
    let mut conflict: Option<(&str, String)> = None;
    match taken(&requested.plural, &accepted.plural, &resources) {
        Some(m) => conflict = Some(("PluralConflict", m)),
        None => names.plural.clone_from(&requested.plural),
    }
    match taken(&requested.singular, &accepted.singular, &resources) {
        Some(m) => conflict = Some(("SingularConflict", m)),
        None => names.singular.clone_from(&requested.singular),
    }
    if requested.short_names != accepted.short_names {
        let errors: Vec<String> = requested
            .short_names
            .iter()
            .filter(|s| {
                !accepted.short_names.contains(s)
                    && **s != accepted.plural
                    && **s != accepted.singular
            })
            .filter_map(|s| taken(s, "", &resources))
            .collect();
        if errors.is_empty() {
            names.short_names.clone_from(&requested.short_names);
        } else {
            // `utilerrors.NewAggregate(...).Error()`: one error alone, several in brackets.
            let message = if errors.len() == 1 {
                errors[0].clone()
            } else {
                format!("[{}]", errors.join(", "))
            };
            conflict = Some(("ShortNamesConflict", message));
        }
    }
    match taken(&requested.kind, &accepted.kind, &kinds) {
        Some(m) => conflict = Some(("KindConflict", m)),
        None => names.kind.clone_from(&requested.kind),
    }
    match taken(&requested.list_kind, &accepted.list_kind, &kinds) {
        Some(m) => conflict = Some(("ListKindConflict", m)),
        None => names.list_kind.clone_from(&requested.list_kind),
    }
    names.categories.clone_from(&requested.categories);
    let names_accepted = match conflict {
        Some((reason, message)) => Condition::new("NamesAccepted", "False", reason, &message),
        None => Condition::new("NamesAccepted", "True", "NoConflicts", "no conflicts found"),
    };
    let mut established = match find(crd, "Established") {
        Some(c) => Condition {
            type_: "Established",
            status: match c.get("status").and_then(Value::as_str) {
                Some("True") => "True",
                Some("False") => "False",
                _ => "Unknown",
            },
            reason: c
                .get("reason")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            message: c
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        },
        None => Condition::new(
            "Established",
            "False",
            "NotAccepted",
            "not all names are accepted",
        ),
    };
    if established.status != "True" && names_accepted.status == "True" {
        established = Condition::new(
            "Established",
            "False",
            "Installing",
            "the initial names have been accepted",
        );
    }
    (names, names_accepted, established)
}

/// The naming controller's `sync` for one CRD; whether it wrote and gave up a name it had
/// accepted (which another CRD of the group may be waiting for).
fn naming_sync(inner: &Inner, st: &mut State, group: &str, name: &str) -> bool {
    let Some(stored) = st.store.get(CRDS, &store::key("", name)) else {
        return false;
    };
    let view = stored.view();
    let requested = Names::read(at(view, "spec.names"));
    let accepted = Names::read(at(view, "status.acceptedNames"));
    if requested == accepted {
        return false;
    }
    let crd = stored.value();
    let (names, names_accepted, established) = calculate(st, group, &crd);
    if names == accepted && names_accepted.equivalent(find(&crd, "NamesAccepted")) {
        return false;
    }
    let released = accepted
        .all()
        .any(|n| !n.is_empty() && !names.all().any(|m| m == n));
    let wrote = write_status(inner, st, name, |status, now| {
        status.insert("acceptedNames".into(), names.to_value());
        set_condition(status, &names_accepted, now);
        set_condition(status, &established, now);
    });
    wrote && released
}

/// The establishing controller's `sync` for one CRD; whether it wrote.
fn establishing_sync(inner: &Inner, st: &mut State, name: &str) -> bool {
    let Some(stored) = st.store.get(CRDS, &store::key("", name)) else {
        return false;
    };
    let status = json!({"status": {"conditions": json_at(stored.view(), "status.conditions")}});
    if !is_true(&status, "NamesAccepted") || is_true(&status, "Established") {
        return false;
    }
    let established = Condition::new(
        "Established",
        "True",
        "InitialNamesAccepted",
        "the initial names have been accepted",
    );
    write_status(inner, st, name, |status, now| {
        set_condition(status, &established, now);
    })
}

/// An `UpdateStatus` of the CRD `name` by the server's controllers that changes only its
/// status (`f` gets the status object and the write's time).
fn write_status(
    inner: &Inner,
    st: &mut State,
    name: &str,
    f: impl FnOnce(&mut Map<String, Value>, &str),
) -> bool {
    update_status(inner, st, name, |obj, now| {
        if let Some(status) = status_mut(obj) {
            f(status, now);
        }
    })
}

/// A CRD's status object, made an empty object if absent or not an object.
fn status_mut(obj: &mut Value) -> Option<&mut Map<String, Value>> {
    let status = obj
        .as_object_mut()?
        .entry("status")
        .or_insert_with(|| Value::Object(Map::new()));
    if !status.is_object() {
        *status = Value::Object(Map::new());
    }
    status.as_object_mut()
}

/// An `UpdateStatus` of the CRD `name` by the server's controllers (`f` gets the whole
/// object, for the finalizer controller, and the write's time): managedFields follow (the
/// manager `kube-apiserver`, subresource `status`), a new resourceVersion and the watchers'
/// MODIFIED event, and the registry serves what the new status accepts. A deleting CRD
/// whose last finalizer the write removes goes away. Whether it wrote.
fn update_status(
    inner: &Inner,
    st: &mut State,
    name: &str,
    f: impl FnOnce(&mut Value, &str),
) -> bool {
    let key = store::key("", name);
    let Some(stored) = st.store.get(CRDS, &key).cloned() else {
        return false;
    };
    let before = stored.value();
    let time = inner.clock.now();
    let now = meta::time_text(&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(time))
        .unwrap_or_else(|_| time.to_string());
    let mut obj = before.clone();
    f(&mut obj, &now);
    if obj == before {
        return false;
    }
    let Some(info) = crate::gc::info_for_store(st, CRDS) else {
        return false;
    };
    let stored_now = crate::gc::commit_controller_update(
        inner,
        st,
        &info,
        (CRDS, &key),
        (&stored, &before),
        obj,
        (MANAGER, Some("status")),
        time,
    );
    if let Some(obj) = stored_now {
        after_write(st, &obj);
    }
    true
}

/// The finalizer controller (`pkg/controller/finalizer/crd_finalizer.go`) for a deleting
/// CRD: the Terminating condition True, the objects of an Established CRD deleted, and, once
/// none remains, the condition False (`InstanceDeletionCompleted`, or `NeverEstablished`)
/// written with the cleanup finalizer removed, which deletes the CRD when it was the last.
/// `remaining` deletes the objects and says whether any is still there (held by its own
/// finalizers): then the CRD keeps waiting, Terminating True. Returns `false` while it waits.
pub(crate) fn finalize(
    inner: &Inner,
    st: &mut State,
    name: &str,
    remaining: impl FnOnce(&Inner, &mut State) -> bool,
) -> bool {
    let Some(crd) = st.store.get(CRDS, &store::key("", name)).map(|o| o.value()) else {
        return true;
    };
    if !meta::finalizers(&crd)
        .iter()
        .any(|f| f == super::CLEANUP_FINALIZER)
    {
        return true;
    }
    let in_progress = Condition::new(
        "Terminating",
        "True",
        "InstanceDeletionInProgress",
        "CustomResource deletion is in progress",
    );
    write_status(inner, st, name, |status, now| {
        set_condition(status, &in_progress, now);
    });
    let done = if is_true(&crd, "Established") {
        if remaining(inner, st) {
            return false;
        }
        Condition::new(
            "Terminating",
            "False",
            "InstanceDeletionCompleted",
            "removed all instances",
        )
    } else {
        Condition::new(
            "Terminating",
            "False",
            "NeverEstablished",
            "resource was never established",
        )
    };
    update_status(inner, st, name, |obj, now| {
        if let Some(status) = status_mut(obj) {
            set_condition(status, &done, now);
        }
        let mut finalizers = meta::finalizers(obj);
        finalizers.retain(|f| f != super::CLEANUP_FINALIZER);
        meta::set_finalizers(obj, &finalizers);
    });
    true
}
