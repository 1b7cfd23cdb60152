//! Whole tables: every printer's rows match its columns, the Table's shape, the default and
//! custom-resource tables.

use kobj_fake::registry::builtin;
use serde_json::json;

use super::*;

/// The fixed "now" every printer's tests read ages against.
pub(super) fn now() -> Timestamp {
    "2024-05-01T12:00:00Z".parse().unwrap()
}

fn info(group: &str, kind: &str) -> TypeInfo {
    builtin::types()
        .into_iter()
        .find(|t| t.resource.api.group == group && t.resource.api.kind == kind)
        .unwrap_or_else(|| panic!("{group}/{kind} is registered"))
}

#[test]
fn every_printer_fills_every_column() {
    for t in builtin::types() {
        let api = &t.resource.api;
        let Some(printer) = builtin_printer(&api.group, &api.kind) else {
            continue;
        };
        for obj in [
            json!({}),
            json!({"metadata": 1, "spec": "x", "status": [], "data": 2}),
            json!(null),
        ] {
            let row = (printer.row)(&obj, now());
            assert_eq!(
                row.cells.len(),
                printer.columns.len(),
                "{}/{}",
                api.group,
                api.kind
            );
        }
        // Integer and boolean columns hold numbers and booleans (CronJob's Suspend is the
        // server's own exception: printBoolPtr's strings).
        let row = (printer.row)(&json!({}), now());
        for (col, cell) in printer.columns.iter().zip(&row.cells) {
            match col.kind {
                "integer" => assert!(cell.is_i64(), "{}: {} {cell}", api.kind, col.name),
                "boolean" if api.kind != "CronJob" => {
                    assert!(cell.is_boolean(), "{}: {} {cell}", api.kind, col.name);
                }
                _ => {}
            }
        }
    }
}

#[test]
fn kinds_without_handlers_get_name_and_created_at() {
    for (group, kind) in [
        ("rbac.authorization.k8s.io", "Role"),
        ("rbac.authorization.k8s.io", "ClusterRole"),
        ("", "LimitRange"),
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ] {
        let obj = json!({"metadata": {"name": "x", "creationTimestamp": "2024-05-01T10:00:00Z"}});
        let t = table(
            &info(group, kind),
            std::slice::from_ref(&obj),
            json!({}),
            IncludeObject::None,
            now(),
        );
        let names: Vec<&str> = t["columnDefinitions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Name", "Created At"], "{kind}");
        assert_eq!(t["rows"][0]["cells"], json!(["x", "2024-05-01T10:00:00Z"]));
    }
}

#[test]
fn tables_carry_definitions_rows_conditions_and_objects() {
    let pod = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "done", "namespace": "default", "creationTimestamp": "2024-05-01T11:00:00Z"},
        "spec": {"containers": [{"name": "c"}]},
        "status": {"phase": "Succeeded"}});
    let t = table(
        &info("", "Pod"),
        std::slice::from_ref(&pod),
        json!({"resourceVersion": "7"}),
        IncludeObject::Metadata,
        now(),
    );
    assert_eq!(t["kind"], "Table");
    assert_eq!(t["metadata"]["resourceVersion"], "7");
    let ip = &t["columnDefinitions"][5];
    assert_eq!(ip["name"], "IP");
    assert_eq!(ip["priority"], 1);
    assert_eq!(t["columnDefinitions"][0]["format"], "name");
    let row = &t["rows"][0];
    assert_eq!(
        row["cells"],
        json!([
            "done",
            "0/1",
            "Succeeded",
            "0",
            "60m",
            "<none>",
            "<none>",
            "<none>",
            "<none>"
        ])
    );
    assert_eq!(
        row["conditions"],
        json!([{"type": "Completed", "status": "True", "reason": "Succeeded",
                "message": "The pod has completed successfully."}])
    );
    assert_eq!(row["object"]["kind"], "PartialObjectMetadata");
    assert_eq!(row["object"]["metadata"]["name"], "done");
    let whole = table(
        &info("", "Pod"),
        std::slice::from_ref(&pod),
        json!({}),
        IncludeObject::Object,
        now(),
    );
    assert_eq!(whole["rows"][0]["object"], pod);
    let bare = table(
        &info("", "Pod"),
        std::slice::from_ref(&pod),
        json!({}),
        IncludeObject::None,
        now(),
    );
    assert!(bare["rows"][0].get("object").is_none());
}

#[test]
fn flow_schema_lists_are_sorted() {
    let fs = |name: &str, precedence: i64| json!({"metadata": {"name": name}, "spec": {"matchingPrecedence": precedence}});
    let items = [fs("b", 1000), fs("z", 2), fs("a", 1000)];
    let t = table(
        &info("flowcontrol.apiserver.k8s.io", "FlowSchema"),
        &items,
        json!({}),
        IncludeObject::Object,
        now(),
    );
    let names: Vec<&str> = t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["cells"][0].as_str().unwrap())
        .collect();
    assert_eq!(names, ["z", "a", "b"]);
    assert_eq!(t["rows"][0]["object"]["metadata"]["name"], "z");
}

#[test]
fn event_tables_put_the_name_last() {
    for group in ["", "events.k8s.io"] {
        let t = table(
            &info(group, "Event"),
            &[],
            json!({}),
            IncludeObject::None,
            now(),
        );
        let defs = t["columnDefinitions"].as_array().unwrap();
        assert_eq!(defs[0]["name"], "Last Seen");
        assert_eq!(defs[9]["name"], "Name");
        assert_eq!(defs[9]["priority"], 1);
    }
}
