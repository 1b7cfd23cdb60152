//! Fixtures: objects loaded from YAML or JSON text and files, and the state dumped back as YAML.
//!
//! [`parse_documents`] reads what `kubectl apply -f` reads: multi-document YAML (`---`), a JSON
//! object, a JSON array, or a stream of JSON objects (JSON lines); `List` and `<Kind>List`
//! documents expand into their items. [`load_order`] puts CustomResourceDefinitions and
//! Namespaces first, so fixtures can come in any order. [`to_yaml`] writes objects back as
//! deterministic multi-document YAML that [`parse_documents`] reads again.
//!
//! JSON is much faster to parse than YAML (serde_json against the libyaml-based serde_yaml):
//! for large fixture sets (tens of thousands of objects) prefer a JSON array or JSON lines.
//!
//! ```
//! use kobj_fake::fixtures::{load_order, parse_documents, to_yaml};
//!
//! let mut objects = parse_documents(r#"
//! apiVersion: example.com/v1
//! kind: Widget
//! metadata: {name: w1, namespace: team-a}
//! spec: {size: 3}
//! ---
//! apiVersion: v1
//! kind: Namespace
//! metadata: {name: team-a}
//! "#).unwrap();
//! load_order(&mut objects);
//! assert_eq!(objects[0].metadata.name.as_deref(), Some("team-a"));
//!
//! let yaml = to_yaml(&objects).unwrap();
//! assert_eq!(parse_documents(&yaml).unwrap().len(), 2);
//! ```

use std::path::Path;

use kobj_core::kube_core::DynamicObject;
use kobj_core::{Error, Result};
use serde_json::Value;

use decode::{DocError, parse_json, parse_yaml};

mod decode;
#[cfg(test)]
mod tests;
mod yaml;

/// Parses fixture text into objects.
///
/// The text is JSON when it starts (after white space) with `{` or `[` and parses as JSON —
/// one object, an array of objects, or several objects one after another (JSON lines) —
/// and YAML otherwise, with documents separated by `---`. Empty documents and `null`s are
/// skipped. A `List` (or `<Kind>List` with `items`) expands into its items; items of a typed
/// list that carry neither `apiVersion` nor `kind` get the list's `apiVersion` and the list's
/// kind without `List`, as apimachinery's unstructured decoder does.
///
/// # Errors
/// A 400 BadRequest whose message starts with `document <n>: ` (documents numbered from 1 as
/// the YAML or JSON parser counts them, empty ones included — a `---` on the first line starts
/// document 1; `document <n>, item <i>: ` inside a list or a JSON array) and goes on
/// with the decoder's text:
/// - a syntax error: the YAML or JSON parser's message, with its line and column;
/// - a missing kind or apiVersion: `Object 'Kind' is missing in '<json>'` or
///   `Object 'apiVersion' is missing in '<json>'` (apimachinery's texts; `<json>` is the
///   document as compact JSON);
/// - a document that is not an object: `couldn't get version/kind; json parse error: …`;
/// - an apiVersion with more than one `/`: `unexpected GroupVersion string: <s>`;
/// - malformed metadata: the decoder's message.
///
/// ```
/// use kobj_fake::fixtures::parse_documents;
///
/// let err = parse_documents("apiVersion: v1\nmetadata: {name: x}\n").unwrap_err();
/// assert!(err.is_bad_request());
/// assert_eq!(err.status().unwrap().message,
///     r#"document 1: Object 'Kind' is missing in '{"apiVersion":"v1","metadata":{"name":"x"}}'"#);
/// ```
pub fn parse_documents(text: &str) -> Result<Vec<DynamicObject>> {
    let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        match parse_json(trimmed) {
            Ok(objects) => return Ok(objects),
            // Not JSON after all? YAML is a superset (`{a: 1}`, or JSON documents separated
            // by `---`): try it, and report the JSON error if YAML fails too.
            Err(json_err @ DocError::Syntax(..)) => {
                return parse_yaml(text).map_err(|_| json_err.into_error());
            }
            Err(other) => return Err(other.into_error()),
        }
    }
    parse_yaml(text).map_err(DocError::into_error)
}

/// Parses a fixture file, or every `*.yaml`, `*.yml` and `*.json` file in a directory (not
/// recursively), in file-name order.
///
/// # Errors
/// A configuration error naming the path when it cannot be read; the errors of
/// [`parse_documents`] with the file's path in front of the message.
pub fn parse_file(path: &Path) -> Result<Vec<DynamicObject>> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(path, e))?;
    if !meta.is_dir() {
        return parse_one_file(path);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(|e| io_error(path, e))? {
        let entry = entry.map_err(|e| io_error(path, e))?;
        let file = entry.path();
        let wanted = file
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"));
        if wanted && !file.is_dir() {
            files.push(file);
        }
    }
    files.sort();
    let mut objects = Vec::new();
    for file in files {
        objects.extend(parse_one_file(&file)?);
    }
    Ok(objects)
}

fn parse_one_file(path: &Path) -> Result<Vec<DynamicObject>> {
    let text = std::fs::read_to_string(path).map_err(|e| io_error(path, e))?;
    parse_documents(&text).map_err(|e| match e {
        Error::Api(mut status) => {
            status.message = format!("{}: {}", path.display(), status.message);
            Error::Api(status)
        }
        other => other,
    })
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::config(
        format!("cannot read fixtures from {}: {e}", path.display()),
        Some(Box::new(e)),
    )
}

/// Sorts objects so that they can be created in order: CustomResourceDefinitions first, then
/// Namespaces, then everything else, each group keeping its original order.
pub fn load_order(objects: &mut [DynamicObject]) {
    objects.sort_by_key(|o| {
        let types = o.types.as_ref();
        let kind = types.map_or("", |t| t.kind.as_str());
        let api_version = types.map_or("", |t| t.api_version.as_str());
        match (kind, api_version.split('/').next()) {
            ("CustomResourceDefinition", Some("apiextensions.k8s.io")) => 0,
            ("Namespace", Some("v1")) if !api_version.contains('/') => 1,
            _ => 2,
        }
    });
}

/// Writes objects as multi-document YAML, deterministically: documents sorted by apiVersion,
/// kind, namespace and name; in each, `apiVersion`, `kind` and `metadata` first and the other
/// keys in alphabetical order; nested keys in alphabetical order. Strings that a YAML 1.1
/// reader (kubectl's) would take for a boolean, a number or null are quoted, so the dump is
/// also fit for `kubectl apply -f`.
///
/// # Errors
/// A decode error if an object's metadata cannot be serialized (not expected).
pub fn to_yaml(objects: &[DynamicObject]) -> Result<String> {
    let mut sorted: Vec<&DynamicObject> = objects.iter().collect();
    sorted.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    let mut out = String::with_capacity(objects.len() * 256);
    for object in sorted {
        let metadata = serde_json::to_value(&object.metadata)
            .map_err(|e| Error::decode(format!("cannot serialize metadata: {e}"), None))?;
        let types = object.types.as_ref().map(|t| {
            (
                Value::String(t.api_version.clone()),
                Value::String(t.kind.clone()),
            )
        });
        let mut entries: Vec<(&str, &Value)> = Vec::with_capacity(8);
        if let Some((api_version, kind)) = &types {
            entries.push(("apiVersion", api_version));
            entries.push(("kind", kind));
        }
        if !matches!(&metadata, Value::Object(m) if m.is_empty()) {
            entries.push(("metadata", &metadata));
        }
        if let Value::Object(data) = &object.data {
            let start = entries.len();
            entries.extend(
                data.iter()
                    .filter(|(k, _)| !matches!(k.as_str(), "apiVersion" | "kind" | "metadata"))
                    .map(|(k, v)| (k.as_str(), v)),
            );
            entries[start..].sort_by(|a, b| a.0.cmp(b.0));
        }
        yaml::write_document(&mut out, &entries);
    }
    Ok(out)
}

fn sort_key(o: &DynamicObject) -> (&str, &str, &str, &str) {
    let types = o.types.as_ref();
    (
        types.map_or("", |t| t.api_version.as_str()),
        types.map_or("", |t| t.kind.as_str()),
        o.metadata.namespace.as_deref().unwrap_or(""),
        o.metadata.name.as_deref().unwrap_or(""),
    )
}
