//! Events: printers.go's `printEvent` with `formatEventSource`. `events.k8s.io/v1` Events
//! share the core Event's storage and printer on the server; they are read through their
//! conversion to the core fields (`regarding` is `involvedObject`, `note` is `message`, the
//! `deprecated*` fields are the core ones).

use k8s_openapi::jiff::Timestamp;
use serde_json::{Value, json};

use super::fields::{self, string};
use super::format::since;
use super::{Col, NAME, Printer, Row, descriptions as d, text};

/// `eventColumnDefinitions` (the name comes last, wide).
const EVENT_COLUMNS: &[Col] = &[
    text("Last Seen", d::EV_LAST),
    text("Type", d::EV_TYPE),
    text("Reason", d::EV_REASON),
    text("Object", d::EV_OBJECT),
    text("Subobject", d::REF_FIELD_PATH).wide(),
    text("Source", d::EV_SOURCE).wide(),
    text("Message", d::EV_MESSAGE),
    text("First Seen", d::EV_FIRST).wide(),
    text("Count", d::EV_COUNT).wide(),
    NAME.wide(),
];

/// The core/v1 Event printer.
pub(super) const EVENT: Printer = Printer::new(EVENT_COLUMNS, print_core_event);

/// The events.k8s.io/v1 Event printer.
pub(super) const EVENTS_EVENT: Printer = Printer::new(EVENT_COLUMNS, print_events_event);

/// Where an Event version keeps the fields the printer reads.
struct EventFields {
    /// The involved object (`involvedObject` / `regarding`).
    involved: &'static str,
    /// The message (`message` / `note`).
    message: &'static str,
    /// The source (`source` / `deprecatedSource`).
    source: &'static str,
    /// The first timestamp.
    first: &'static str,
    /// The last timestamp.
    last: &'static str,
    /// The count.
    count: &'static str,
    /// The reporting controller (`reportingComponent` in core/v1).
    controller: &'static str,
}

/// core/v1's field names.
const CORE: EventFields = EventFields {
    involved: "involvedObject",
    message: "message",
    source: "source",
    first: "firstTimestamp",
    last: "lastTimestamp",
    count: "count",
    controller: "reportingComponent",
};

/// events.k8s.io/v1's field names.
const EVENTS: EventFields = EventFields {
    involved: "regarding",
    message: "note",
    source: "deprecatedSource",
    first: "deprecatedFirstTimestamp",
    last: "deprecatedLastTimestamp",
    count: "deprecatedCount",
    controller: "reportingController",
};

/// `printEvent` of a core/v1 Event.
fn print_core_event(obj: &Value, now: Timestamp) -> Row {
    print_event(obj, now, &CORE)
}

/// `printEvent` of an events.k8s.io/v1 Event.
fn print_events_event(obj: &Value, now: Timestamp) -> Row {
    print_event(obj, now, &EVENTS)
}

/// The first non-empty string (`firstNonEmpty`).
fn first_non_empty<'a>(a: &'a str, b: &'a str) -> &'a str {
    if a.is_empty() { b } else { a }
}

/// `printEvent`.
fn print_event(obj: &Value, now: Timestamp, f: &EventFields) -> Row {
    let first = match fields::time(obj, f.first) {
        Some(t) => since(now, Some(t)),
        None => since(now, fields::time(obj, "eventTime")),
    };
    let mut last = match fields::time(obj, f.last) {
        Some(t) => since(now, Some(t)),
        None => first.clone(),
    };
    let mut count = fields::int(obj, f.count);
    if let Some(series) = fields::object(obj, "series") {
        last = since(now, fields::time(series, "lastObservedTime"));
        count = fields::int(series, "count");
    } else if count == 0 {
        // Singleton events of the new API have no count.
        count = 1;
    }
    let involved = fields::object(obj, f.involved);
    let field = |name: &str| involved.map_or("", |o| string(o, name));
    let kind = field("kind").to_lowercase();
    let target = match field("name") {
        "" => kind,
        name => format!("{kind}/{name}"),
    };
    let source = fields::object(obj, f.source);
    let component = first_non_empty(
        source.map_or("", |s| string(s, "component")),
        string(obj, f.controller),
    );
    let instance = first_non_empty(
        source.map_or("", |s| string(s, "host")),
        string(obj, "reportingInstance"),
    );
    let source = if instance.is_empty() {
        component.to_string()
    } else {
        format!("{component}, {instance}")
    };
    vec![
        json!(last),
        json!(string(obj, "type")),
        json!(string(obj, "reason")),
        json!(target),
        json!(field("fieldPath")),
        json!(source),
        json!(string(obj, f.message).trim()),
        json!(first),
        json!(count),
        json!(fields::name(obj)),
    ]
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::table::tests::now;

    #[test]
    fn core_events() {
        let ev = json!({"metadata": {"name": "web.17a"},
            "involvedObject": {"kind": "Pod", "name": "web-1", "fieldPath": "spec.containers{nginx}"},
            "reason": "Pulled", "type": "Normal", "message": "  Successfully pulled image\n",
            "source": {"component": "kubelet", "host": "node-1"},
            "firstTimestamp": "2024-05-01T11:00:00Z", "lastTimestamp": "2024-05-01T11:59:00Z", "count": 3});
        assert_eq!(
            print_core_event(&ev, now()).cells,
            [
                json!("60s"),
                json!("Normal"),
                json!("Pulled"),
                json!("pod/web-1"),
                json!("spec.containers{nginx}"),
                json!("kubelet, node-1"),
                json!("Successfully pulled image"),
                json!("60m"),
                json!(3),
                json!("web.17a"),
            ]
        );
    }

    #[test]
    fn new_api_events_and_series() {
        let ev = json!({"metadata": {"name": "e"},
            "eventTime": "2024-05-01T11:50:00.123456Z", "reportingComponent": "scheduler",
            "reportingInstance": "scheduler-x", "involvedObject": {"kind": "Node"},
            "series": {"count": 7, "lastObservedTime": "2024-05-01T11:58:00.000000Z"}});
        assert_eq!(
            print_core_event(&ev, now()).cells[0..9],
            [
                json!("2m"),
                json!(""),
                json!(""),
                json!("node"),
                json!(""),
                json!("scheduler, scheduler-x"),
                json!(""),
                json!("9m59s"),
                json!(7),
            ]
        );
        let events = json!({"apiVersion": "events.k8s.io/v1", "metadata": {"name": "e2"},
            "regarding": {"kind": "Deployment", "name": "web"}, "note": "Scaled up",
            "reportingController": "deployment-controller", "type": "Normal", "reason": "ScalingReplicaSet",
            "eventTime": "2024-05-01T11:59:30.000000Z"});
        assert_eq!(
            print_events_event(&events, now()).cells,
            [
                json!("30s"),
                json!("Normal"),
                json!("ScalingReplicaSet"),
                json!("deployment/web"),
                json!(""),
                json!("deployment-controller"),
                json!("Scaled up"),
                json!("30s"),
                json!(1),
                json!("e2"),
            ]
        );
        assert_eq!(
            print_core_event(&json!({"series": 5}), now()).cells[0..9],
            [
                json!("<unknown>"),
                json!(""),
                json!(""),
                json!(""),
                json!(""),
                json!(""),
                json!(""),
                json!("<unknown>"),
                json!(1),
            ]
        );
    }
}
