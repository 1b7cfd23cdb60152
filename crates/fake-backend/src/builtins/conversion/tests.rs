use serde_json::json;

use super::events;

#[test]
fn a_core_event_reads_as_events_v1_with_renamed_fields_and_go_zeros() {
    let mut e = json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": "p.1", "namespace": "d"},
        "involvedObject": {"kind": "Pod", "name": "p", "namespace": "d"},
        "reason": "Started", "message": "started container", "type": "Normal",
        "source": {"component": "kubelet"}, "count": 2,
        "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:00:05Z",
        "eventTime": null, "reportingComponent": "", "reportingInstance": ""
    });
    events::from_core(&mut e);
    assert_eq!(
        e,
        json!({
            "apiVersion": "events.k8s.io/v1", "kind": "Event",
            "metadata": {"name": "p.1", "namespace": "d"},
            "regarding": {"kind": "Pod", "name": "p", "namespace": "d"},
            "reason": "Started", "note": "started container", "type": "Normal",
            "deprecatedSource": {"component": "kubelet"}, "deprecatedCount": 2,
            "deprecatedFirstTimestamp": "2026-01-01T00:00:00Z",
            "deprecatedLastTimestamp": "2026-01-01T00:00:05Z",
            "eventTime": null
        })
    );
}

#[test]
fn an_events_v1_event_is_stored_as_core_and_reads_back_unchanged() {
    let original = json!({
        "apiVersion": "events.k8s.io/v1", "kind": "Event",
        "metadata": {"name": "w.1", "namespace": "d"},
        "eventTime": "2026-01-01T00:00:00.000000Z",
        "series": {"count": 3, "lastObservedTime": "2026-01-01T00:01:00.000000Z"},
        "reportingController": "example.com/ctl", "reportingInstance": "ctl-0",
        "action": "Reconcile", "reason": "Synced", "note": "done", "type": "Normal",
        "regarding": {"kind": "Widget", "name": "w", "namespace": "d"},
        "related": {"kind": "Secret", "name": "s"},
        "deprecatedSource": {}, "deprecatedFirstTimestamp": null,
        "deprecatedLastTimestamp": null
    });
    let mut e = original.clone();
    events::to_core(&mut e);
    assert_eq!(
        e,
        json!({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "w.1", "namespace": "d"},
            "eventTime": "2026-01-01T00:00:00.000000Z",
            "series": {"count": 3, "lastObservedTime": "2026-01-01T00:01:00.000000Z"},
            "reportingComponent": "example.com/ctl", "reportingInstance": "ctl-0",
            "action": "Reconcile", "reason": "Synced", "message": "done", "type": "Normal",
            "involvedObject": {"kind": "Widget", "name": "w", "namespace": "d"},
            "related": {"kind": "Secret", "name": "s"},
            "source": {}, "firstTimestamp": null, "lastTimestamp": null
        })
    );
    events::from_core(&mut e);
    assert_eq!(e, original);
}

#[test]
fn zeros_the_target_omits_are_left_out_and_odd_shapes_are_kept() {
    let mut e = json!({
        "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e"},
        "note": "", "deprecatedCount": 0, "reason": "", "regarding": "odd"
    });
    events::to_core(&mut e);
    assert_eq!(e.get("message"), None);
    assert_eq!(e.get("count"), None);
    assert_eq!(e.get("reason"), None);
    assert_eq!(e["involvedObject"], json!("odd"));
    assert_eq!(e["reportingComponent"], json!(""));
    events::from_core(&mut e);
    assert_eq!(e.get("reportingController"), None);
    assert_eq!(e.get("reportingInstance"), None);
    assert_eq!(e["regarding"], json!("odd"));
    // Not an object at all: left as it is.
    let mut odd = json!("text");
    events::to_core(&mut odd);
    events::from_core(&mut odd);
    assert_eq!(odd, json!("text"));
}
