//! Built-in types served at several versions over one storage: the request's version is
//! converted to the storage version before it is stored, and the stored object to the
//! requested version on every read, as the server converts through its internal types.
//!
//! Two such types exist among the built-ins the fake registers:
//! - Events: core/v1 and events.k8s.io/v1 are two views of one storage (the server stores
//!   both as core/v1 Events; `pkg/apis/events/v1/conversion.go` renames the fields);
//!   an Event kube-runtime's `Recorder` publishes through events.k8s.io/v1 is listed by
//!   `kubectl get events` (core/v1), and the reverse.
//! - HorizontalPodAutoscalers: autoscaling/v1 and autoscaling/v2, stored as v2
//!   (`pkg/apis/autoscaling/v1/conversion.go`).
//!
//! The conversions are written by hand on JSON: the server's are Go functions over its
//! internal types, which no crate provides.

use serde_json::{Map, Value};

use crate::registry::TypeInfo;

mod autoscaling;
pub(crate) use autoscaling::drop_round_trip_annotations;
mod events;

/// The versions a converted type's objects are served at, besides the storage version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Conversion {
    /// events.k8s.io/v1 Events, stored as core/v1 Events.
    EventsV1,
    /// autoscaling/v1 HorizontalPodAutoscalers, stored as autoscaling/v2.
    AutoscalingV1,
}

/// The conversion between `info`'s version and the storage version, when they differ.
pub(crate) fn of(info: &TypeInfo) -> Option<Conversion> {
    let api = &info.resource.api;
    // Asked on every read and write: the group is compared first, and most groups differ.
    match api.group.as_str() {
        "events.k8s.io" if api.kind == "Event" && !info.is_custom() => Some(Conversion::EventsV1),
        "autoscaling"
            if api.version == "v1"
                && api.kind == "HorizontalPodAutoscaler"
                && !info.is_custom() =>
        {
            Some(Conversion::AutoscalingV1)
        }
        _ => None,
    }
}

/// Whether objects of `info` are stored in another version's form.
pub(crate) fn converts(info: &TypeInfo) -> bool {
    of(info).is_some()
}

/// Converts `obj`, in `info`'s version, to the storage version (nothing when they are the
/// same).
pub(crate) fn to_storage(info: &TypeInfo, obj: &mut Value) {
    match of(info) {
        Some(Conversion::EventsV1) => events::to_core(obj),
        Some(Conversion::AutoscalingV1) => autoscaling::to_v2(obj),
        None => {}
    }
}

/// Converts a stored object to `info`'s version (nothing when it is the storage version).
pub(crate) fn from_storage(info: &TypeInfo, obj: &mut Value) {
    match of(info) {
        Some(Conversion::EventsV1) => events::from_core(obj),
        Some(Conversion::AutoscalingV1) => autoscaling::to_v1(obj),
        None => {}
    }
}

/// Moves the members named on the left of `pairs` to the names on their right (a member
/// already under a right-hand name is replaced).
fn rename(map: &mut Map<String, Value>, pairs: &[(&str, &str)]) {
    let moved: Vec<(&str, Value)> = pairs
        .iter()
        .filter_map(|(from, to)| map.remove(*from).map(|v| (*to, v)))
        .collect();
    for (to, v) in moved {
        map.insert(to.to_string(), v);
    }
}

/// Drops the members named in `fields` that hold their Go zero value (`""`, `0`, `null`):
/// fields tagged `omitempty` in the target version's struct, which `encoding/json` leaves
/// out.
fn drop_omitted_zeros(map: &mut Map<String, Value>, fields: &[&str]) {
    for f in fields {
        let zero = match map.get(*f) {
            Some(Value::String(s)) => s.is_empty(),
            Some(Value::Number(n)) => n.as_f64() == Some(0.0),
            Some(Value::Null) => true,
            _ => false,
        };
        if zero {
            map.remove(*f);
        }
    }
}

#[cfg(test)]
mod tests;
