//! The tables of kinds without a printers.go handler: a custom resource's Name plus its
//! CRD's `additionalPrinterColumns` (Age when it declares none, rule 50), and the default
//! convertor's `Name`/`Created At` (apiserver `rest.NewDefaultTableConvertor`) for built-in
//! kinds printers.go has no handler for.

use k8s_openapi::jiff::Timestamp;
use kobj_fake::TypeInfo;
use serde_json::{Value, json};

use super::{descriptions, fields, format};
use crate::jsonpath;

/// A CRD column: its definition and how its cell is computed.
pub(super) struct CrdColumn {
    /// The column's name.
    name: String,
    /// Its declared type.
    kind: String,
    /// Its declared format.
    format: String,
    /// Its description.
    description: String,
    /// Its priority.
    priority: i64,
    /// How its cells are computed.
    cell: CrdCell,
}

/// How a CRD column's cell is computed.
enum CrdCell {
    /// The object's name.
    Name,
    /// A human-readable age from a timestamp at this path (`date` columns).
    Age(jsonpath::JsonPath),
    /// A JSONPath (none when it does not parse) and the column's declared type.
    Path(Option<jsonpath::JsonPath>),
}

/// The columns of a custom resource's table.
pub(super) fn crd_columns(info: &TypeInfo) -> Vec<CrdColumn> {
    let mut cols = vec![CrdColumn {
        name: "Name".into(),
        kind: "string".into(),
        format: "name".into(),
        description: descriptions::NAME.into(),
        priority: 0,
        cell: CrdCell::Name,
    }];
    if info.printer_columns.is_empty()
        && let Some(path) = jsonpath::parse(".metadata.creationTimestamp")
    {
        cols.push(CrdColumn {
            name: "Age".into(),
            kind: "date".into(),
            format: String::new(),
            description: descriptions::CREATED.into(),
            priority: 0,
            cell: CrdCell::Age(path),
        });
    }
    for pc in &info.printer_columns {
        let path = jsonpath::parse(&pc.json_path);
        let cell = if pc.type_ == "date" {
            path.map_or(CrdCell::Path(None), CrdCell::Age)
        } else {
            CrdCell::Path(path)
        };
        cols.push(CrdColumn {
            name: pc.name.clone(),
            kind: pc.type_.clone(),
            format: pc.format.clone().unwrap_or_default(),
            description: pc.description.clone().unwrap_or_default(),
            priority: i64::from(pc.priority.unwrap_or(0)),
            cell,
        });
    }
    cols
}

/// The `columnDefinitions` of a custom resource's table.
pub(super) fn definitions(cols: &[CrdColumn]) -> Vec<Value> {
    cols.iter()
        .map(|c| super::column_definition(&c.name, &c.kind, &c.format, &c.description, c.priority))
        .collect()
}

/// A custom resource's cells.
pub(super) fn crd_cells(cols: &[CrdColumn], item: &Value, now: Timestamp) -> Vec<Value> {
    cols.iter()
        .map(|c| match &c.cell {
            CrdCell::Name => item
                .pointer("/metadata/name")
                .cloned()
                .unwrap_or(Value::Null),
            CrdCell::Age(path) => match path.find(item).first().and_then(|v| v.as_str()) {
                Some(ts) => match ts.parse::<Timestamp>() {
                    Ok(t) => Value::String(format::since(now, Some(t))),
                    Err(_) => Value::String("<invalid>".into()),
                },
                None => Value::String("<unknown>".into()),
            },
            CrdCell::Path(path) => path
                .as_ref()
                .and_then(|p| p.find(item).first().copied())
                .map_or(Value::Null, |found| typed_cell(&c.kind, found)),
        })
        .collect()
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

/// The default convertor's column definitions: `Name` and `Created At`.
pub(super) fn default_definitions() -> Vec<Value> {
    vec![
        json!({
            "name": "Name",
            "type": "string",
            "format": "name",
            "description": descriptions::NAME,
            "priority": 0,
        }),
        json!({
            "name": "Created At",
            "type": "date",
            "format": "",
            "description": descriptions::CREATED,
            "priority": 0,
        }),
    ]
}

/// The default convertor's cells: the name and the creation time in RFC 3339 (UTC), the
/// zero time when there is none.
pub(super) fn default_cells(item: &Value) -> Vec<Value> {
    let created = fields::time(item, "metadata.creationTimestamp")
        .map_or_else(|| "0001-01-01T00:00:00Z".to_string(), format::rfc3339);
    vec![json!(fields::string(item, "metadata.name")), json!(created)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_cells() {
        assert_eq!(typed_cell("integer", &json!(3.0)), json!(3));
        assert_eq!(typed_cell("integer", &json!("3")), Value::Null);
        assert_eq!(typed_cell("string", &json!(true)), json!("true"));
        assert_eq!(typed_cell("boolean", &json!(true)), json!(true));
    }

    #[test]
    fn default_cells_format_the_creation_time() {
        let item = json!({"metadata": {"name": "r", "creationTimestamp": "2024-05-01T10:00:00Z"}});
        assert_eq!(
            default_cells(&item),
            [json!("r"), json!("2024-05-01T10:00:00Z")]
        );
        let sparse = json!({"metadata": {"name": 5, "creationTimestamp": false}});
        assert_eq!(
            default_cells(&sparse),
            [json!(""), json!("0001-01-01T00:00:00Z")]
        );
    }
}
