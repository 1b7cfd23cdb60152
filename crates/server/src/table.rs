//! `meta.k8s.io/v1` Table responses (rule 54) for `kubectl get`: Name plus a CRD's
//! `additionalPrinterColumns` (Age by default, rule 50), the columns of the common built-in
//! kinds, and the API server's default `Name`/`Created At` for the rest.

use k8s_openapi::jiff::Timestamp;
use kobj_fake::TypeInfo;
use serde_json::{Map, Value, json};

use crate::jsonpath;

/// What each row's `object` holds (`includeObject`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IncludeObject {
    /// No object.
    None,
    /// A PartialObjectMetadata (the default).
    Metadata,
    /// The whole object.
    Object,
}

impl IncludeObject {
    /// From the `includeObject` query parameter.
    pub(crate) fn parse(v: Option<&str>) -> Self {
        match v {
            Some("None") => Self::None,
            Some("Object") => Self::Object,
            _ => Self::Metadata,
        }
    }
}

/// One column: its definition and how a cell is computed.
struct Column {
    name: &'static str,
    owned_name: Option<String>,
    kind: String,
    format: String,
    description: String,
    priority: i64,
    cell: Cell,
}

enum Cell {
    Name,
    /// A human-readable age from a timestamp at this path (`date` columns).
    Age(jsonpath::JsonPath),
    /// RFC 3339 creation time (the default convertor's `Created At`).
    CreatedAt,
    /// A CRD column: a JSONPath and its declared type.
    Path(Option<jsonpath::JsonPath>),
    /// A number of entries in these maps.
    CountKeys(&'static [&'static str]),
    /// A string at a path, with a default.
    Text(&'static str, &'static str),
    /// Pod readiness `ready/total`.
    PodReady,
    /// Pod restarts.
    PodRestarts,
    /// Deployment `ready/desired`.
    DeployReady,
    /// An integer at a path (0 when absent).
    Int(&'static str),
    /// Service ports `80/TCP,443/TCP`.
    ServicePorts,
}

fn col(name: &'static str, kind: &str, cell: Cell) -> Column {
    Column {
        name,
        owned_name: None,
        kind: kind.to_string(),
        format: String::new(),
        description: String::new(),
        priority: 0,
        cell,
    }
}

fn name_column() -> Column {
    let mut c = col("Name", "string", Cell::Name);
    c.format = "name".into();
    c.description = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names".into();
    c
}

fn age_column() -> Column {
    let mut c = col("Age", "string", Cell::Age(age_path()));
    c.description = "CreationTimestamp is a timestamp representing the server time when this object was created.".into();
    c
}

fn age_path() -> jsonpath::JsonPath {
    jsonpath::parse(".metadata.creationTimestamp").unwrap_or_else(|| unreachable!())
}

fn columns(info: &TypeInfo) -> Vec<Column> {
    let api = &info.resource.api;
    let mut cols = vec![name_column()];
    if info.is_custom() {
        if info.printer_columns.is_empty() {
            let mut age = age_column();
            age.kind = "date".into();
            cols.push(age);
        }
        for pc in &info.printer_columns {
            let path = jsonpath::parse(&pc.json_path);
            let cell = if pc.type_ == "date" {
                path.map_or(Cell::Path(None), Cell::Age)
            } else {
                Cell::Path(path)
            };
            cols.push(Column {
                name: "",
                owned_name: Some(pc.name.clone()),
                kind: pc.type_.clone(),
                format: pc.format.clone().unwrap_or_default(),
                description: pc.description.clone().unwrap_or_default(),
                priority: i64::from(pc.priority.unwrap_or(0)),
                cell,
            });
        }
        return cols;
    }
    match (api.group.as_str(), api.kind.as_str()) {
        ("", "ConfigMap") => {
            cols.push(col(
                "Data",
                "string",
                Cell::CountKeys(&["data", "binaryData"]),
            ));
            cols.push(age_column());
        }
        ("", "Secret") => {
            cols.push(col("Type", "string", Cell::Text("type", "")));
            cols.push(col("Data", "string", Cell::CountKeys(&["data"])));
            cols.push(age_column());
        }
        ("", "Namespace") => {
            cols.push(col("Status", "string", Cell::Text("status.phase", "")));
            cols.push(age_column());
        }
        ("", "Pod") => {
            cols.push(col("Ready", "string", Cell::PodReady));
            cols.push(col(
                "Status",
                "string",
                Cell::Text("status.phase", "Pending"),
            ));
            cols.push(col("Restarts", "string", Cell::PodRestarts));
            cols.push(age_column());
        }
        ("", "Service") => {
            cols.push(col("Type", "string", Cell::Text("spec.type", "ClusterIP")));
            cols.push(col(
                "Cluster-IP",
                "string",
                Cell::Text("spec.clusterIP", "<none>"),
            ));
            cols.push(col("Port(s)", "string", Cell::ServicePorts));
            cols.push(age_column());
        }
        ("apps", "Deployment") => {
            cols.push(col("Ready", "string", Cell::DeployReady));
            cols.push(col(
                "Up-to-date",
                "integer",
                Cell::Int("status.updatedReplicas"),
            ));
            cols.push(col(
                "Available",
                "integer",
                Cell::Int("status.availableReplicas"),
            ));
            cols.push(age_column());
        }
        _ => {
            let mut created = col("Created At", "date", Cell::CreatedAt);
            created.description = "CreationTimestamp is a timestamp representing the server time when this object was created.".into();
            cols.push(created);
        }
    }
    cols
}

/// A Table of `items` (objects as JSON) of type `info`, with the list metadata `meta`.
pub(crate) fn table(
    info: &TypeInfo,
    items: &[Value],
    meta: Value,
    include: IncludeObject,
    now: Timestamp,
) -> Value {
    let cols = columns(info);
    let definitions: Vec<Value> = cols
        .iter()
        .map(|c| {
            json!({
                "name": c.owned_name.as_deref().unwrap_or(c.name),
                "type": c.kind,
                "format": c.format,
                "description": c.description,
                "priority": c.priority,
            })
        })
        .collect();
    let rows: Vec<Value> = items
        .iter()
        .map(|item| {
            let cells: Vec<Value> = cols.iter().map(|c| cell(c, item, now)).collect();
            let mut row = Map::new();
            row.insert("cells".into(), Value::Array(cells));
            match include {
                IncludeObject::None => {}
                IncludeObject::Metadata => {
                    row.insert("object".into(), partial_metadata(item));
                }
                IncludeObject::Object => {
                    row.insert("object".into(), item.clone());
                }
            }
            Value::Object(row)
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": meta,
        "columnDefinitions": definitions,
        "rows": rows,
    })
}

/// `PartialObjectMetadata` of an object.
pub(crate) fn partial_metadata(item: &Value) -> Value {
    json!({
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": item.get("metadata").cloned().unwrap_or_else(|| json!({})),
    })
}

fn at<'a>(item: &'a Value, dotted: &str) -> Option<&'a Value> {
    dotted.split('.').try_fold(item, |v, k| v.get(k))
}

fn cell(c: &Column, item: &Value, now: Timestamp) -> Value {
    match &c.cell {
        Cell::Name => at(item, "metadata.name").cloned().unwrap_or(Value::Null),
        Cell::Age(path) => match path.find(item).first().and_then(|v| v.as_str()) {
            Some(ts) => match ts.parse::<Timestamp>() {
                Ok(t) => Value::String(human_duration(now.duration_since(t).as_secs())),
                Err(_) => Value::String("<invalid>".into()),
            },
            None => Value::String("<unknown>".into()),
        },
        Cell::CreatedAt => at(item, "metadata.creationTimestamp")
            .cloned()
            .unwrap_or(Value::Null),
        Cell::Path(path) => {
            let Some(found) = path.as_ref().and_then(|p| p.find(item).first().copied()) else {
                return Value::Null;
            };
            typed_cell(&c.kind, found)
        }
        Cell::CountKeys(fields) => {
            let n: usize = fields
                .iter()
                .filter_map(|f| item.get(*f).and_then(Value::as_object))
                .map(Map::len)
                .sum();
            json!(n)
        }
        Cell::Text(path, default) => at(item, path)
            .and_then(Value::as_str)
            .map_or_else(|| json!(default), |s| json!(s)),
        Cell::PodReady => {
            let total = at(item, "spec.containers")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            let statuses = at(item, "status.containerStatuses").and_then(Value::as_array);
            let ready = statuses.map_or(0, |s| {
                s.iter()
                    .filter(|c| c.get("ready") == Some(&Value::Bool(true)))
                    .count()
            });
            json!(format!("{ready}/{total}"))
        }
        Cell::PodRestarts => {
            let n: i64 = at(item, "status.containerStatuses")
                .and_then(Value::as_array)
                .map_or(0, |s| {
                    s.iter()
                        .filter_map(|c| c.get("restartCount").and_then(Value::as_i64))
                        .sum()
                });
            json!(n)
        }
        Cell::DeployReady => {
            let ready = at(item, "status.readyReplicas")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            let want = at(item, "spec.replicas")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            json!(format!("{ready}/{want}"))
        }
        Cell::Int(path) => json!(at(item, path).and_then(Value::as_i64).unwrap_or(0)),
        Cell::ServicePorts => {
            let ports: Vec<String> = at(item, "spec.ports")
                .and_then(Value::as_array)
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            let port = p.get("port").and_then(Value::as_i64).unwrap_or(0);
                            let proto = p.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
                            format!("{port}/{proto}")
                        })
                        .collect()
                })
                .unwrap_or_default();
            if ports.is_empty() {
                json!("<none>")
            } else {
                json!(ports.join(","))
            }
        }
    }
}

/// `cellForJSONValue`: the value converted to the column's declared type, or null.
fn typed_cell(kind: &str, v: &Value) -> Value {
    match kind {
        "integer" => v
            .as_i64()
            .or_else(|| v.as_f64().map(|f| f as i64))
            .map_or(Value::Null, Value::from),
        "number" => v.as_f64().map_or(Value::Null, Value::from),
        "boolean" => v.as_bool().map_or(Value::Null, Value::from),
        "string" => match v {
            Value::String(s) => Value::String(s.clone()),
            Value::Null => Value::Null,
            other => Value::String(other.to_string()),
        },
        _ => Value::Null,
    }
}

/// Go's `duration.HumanDuration`, as `kubectl get` shows ages.
pub(crate) fn human_duration(seconds: i64) -> String {
    if seconds < -1 {
        return "<invalid>".into();
    }
    if seconds < 0 {
        return "0s".into();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{dy}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_durations_as_go_prints_them() {
        assert_eq!(human_duration(-5), "<invalid>");
        assert_eq!(human_duration(-1), "0s");
        assert_eq!(human_duration(59), "59s");
        assert_eq!(human_duration(119), "119s");
        assert_eq!(human_duration(125), "2m5s");
        assert_eq!(human_duration(600), "10m");
        assert_eq!(human_duration(3 * 3600 + 60), "3h1m");
        assert_eq!(human_duration(9 * 3600), "9h");
        assert_eq!(human_duration(50 * 3600), "2d2h");
        assert_eq!(human_duration(10 * 86400), "10d");
        assert_eq!(human_duration(800 * 86400), "2y70d");
        assert_eq!(human_duration(3000 * 86400), "8y");
    }

    #[test]
    fn typed_cells() {
        assert_eq!(typed_cell("integer", &json!(3.0)), json!(3));
        assert_eq!(typed_cell("integer", &json!("3")), Value::Null);
        assert_eq!(typed_cell("string", &json!(true)), json!("true"));
        assert_eq!(typed_cell("boolean", &json!(true)), json!(true));
    }
}
