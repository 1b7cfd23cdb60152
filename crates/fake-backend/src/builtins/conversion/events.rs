//! core/v1 ⇄ events.k8s.io/v1 Events (`pkg/apis/events/v1/conversion.go`): the same
//! fields, seven of them renamed; each side's `omitempty` zeros left out and its
//! always-present fields added, as the Go structs marshal them.

use serde_json::Value;

use super::{drop_omitted_zeros, rename};
use crate::builtins::zero_fields;

/// core/v1 name → events.k8s.io/v1 name.
const RENAMED: &[(&str, &str)] = &[
    ("involvedObject", "regarding"),
    ("message", "note"),
    ("source", "deprecatedSource"),
    ("firstTimestamp", "deprecatedFirstTimestamp"),
    ("lastTimestamp", "deprecatedLastTimestamp"),
    ("count", "deprecatedCount"),
    ("reportingComponent", "reportingController"),
];

/// The scalar fields of events.k8s.io/v1's `Event` tagged `omitempty`.
const EVENTS_OMITEMPTY: &[&str] = &[
    "reportingController",
    "reportingInstance",
    "action",
    "reason",
    "note",
    "type",
    "deprecatedCount",
];

/// The scalar fields of core/v1's `Event` tagged `omitempty`.
const CORE_OMITEMPTY: &[&str] = &["reason", "message", "count", "type", "action"];

/// An events.k8s.io/v1 Event as the core/v1 Event it is stored as.
pub(super) fn to_core(obj: &mut Value) {
    if let Some(map) = obj.as_object_mut() {
        let reversed: Vec<(&str, &str)> = RENAMED.iter().map(|(core, ev)| (*ev, *core)).collect();
        rename(map, &reversed);
        map.insert("apiVersion".into(), Value::String("v1".into()));
        drop_omitted_zeros(map, CORE_OMITEMPTY);
    }
    zero_fields::fill_kind("v1", "Event", obj);
}

/// A stored core/v1 Event as events.k8s.io/v1 shows it.
pub(super) fn from_core(obj: &mut Value) {
    if let Some(map) = obj.as_object_mut() {
        rename(map, RENAMED);
        map.insert(
            "apiVersion".into(),
            Value::String("events.k8s.io/v1".into()),
        );
        drop_omitted_zeros(map, EVENTS_OMITEMPTY);
    }
    zero_fields::fill_kind("events.k8s.io/v1", "Event", obj);
}
