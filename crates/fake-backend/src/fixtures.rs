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

use std::fmt::Write as _;
use std::path::Path;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kobj_core::kube_core::{DynamicObject, TypeMeta};
use kobj_core::{Error, Result};
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

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
/// keys in alphabetical order; nested keys in alphabetical order.
///
/// # Errors
/// A decode error if an object cannot be serialized (not expected for objects that came from
/// JSON or YAML).
pub fn to_yaml(objects: &[DynamicObject]) -> Result<String> {
    let mut sorted: Vec<&DynamicObject> = objects.iter().collect();
    sorted.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    let mut out = String::new();
    for object in sorted {
        let metadata = serde_json::to_value(&object.metadata)
            .map_err(|e| Error::decode(format!("cannot serialize metadata: {e}"), None))?;
        let doc = TopLevel {
            types: object.types.as_ref(),
            metadata: &metadata,
            data: &object.data,
        };
        let yaml = serde_yaml::to_string(&doc)
            .map_err(|e| Error::decode(format!("cannot write YAML: {e}"), None))?;
        out.push_str("---\n");
        out.push_str(&yaml);
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

/// An object written with `apiVersion`, `kind`, `metadata` first, then its other keys sorted.
struct TopLevel<'a> {
    types: Option<&'a TypeMeta>,
    metadata: &'a Value,
    data: &'a Value,
}

impl Serialize for TopLevel<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(t) = self.types {
            map.serialize_entry("apiVersion", &t.api_version)?;
            map.serialize_entry("kind", &t.kind)?;
        }
        let empty_meta = matches!(self.metadata, Value::Object(m) if m.is_empty());
        if !empty_meta {
            map.serialize_entry("metadata", &Sorted(self.metadata))?;
        }
        if let Value::Object(data) = self.data {
            let mut keys: Vec<&String> = data
                .keys()
                .filter(|k| !matches!(k.as_str(), "apiVersion" | "kind" | "metadata"))
                .collect();
            keys.sort();
            for key in keys {
                map.serialize_entry(key, &Sorted(&data[key.as_str()]))?;
            }
        }
        map.end()
    }
}

/// A JSON value written with its object keys in alphabetical order.
struct Sorted<'a>(&'a Value);

impl Serialize for Sorted<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self.0 {
            Value::Object(object) => {
                let mut keys: Vec<&String> = object.keys().collect();
                keys.sort();
                let mut map = serializer.serialize_map(Some(keys.len()))?;
                for key in keys {
                    map.serialize_entry(key, &Sorted(&object[key.as_str()]))?;
                }
                map.end()
            }
            Value::Array(items) => serializer.collect_seq(items.iter().map(Sorted)),
            other => other.serialize(serializer),
        }
    }
}

// ----- parsing -----

/// Where a problem is: a document, and an item inside it.
#[derive(Clone, Copy, Debug)]
struct Place {
    document: usize,
    item: Option<usize>,
}

impl Place {
    fn prefix(self) -> String {
        match self.item {
            Some(item) => format!("document {}, item {item}", self.document),
            None => format!("document {}", self.document),
        }
    }
}

enum DocError {
    /// The text is not valid JSON (or YAML); the place is the document being read.
    Syntax(Place, String),
    /// A document parsed but is not a usable object.
    Object(Place, String),
}

impl DocError {
    /// Sets the document number of an error found inside a JSON array.
    fn in_document(self, document: usize) -> Self {
        match self {
            DocError::Syntax(place, m) => DocError::Syntax(Place { document, ..place }, m),
            DocError::Object(place, m) => DocError::Object(Place { document, ..place }, m),
        }
    }

    fn into_error(self) -> Error {
        match self {
            DocError::Syntax(place, message) | DocError::Object(place, message) => {
                Error::bad_request(format!("{}: {message}", place.prefix()))
            }
        }
    }
}

/// One top-level document, decoded in one pass: `apiVersion`, `kind` and `metadata` into
/// their types, every other key into `rest`.
struct RawDoc {
    api_version: Option<Value>,
    kind: Option<Value>,
    metadata: Option<ObjectMeta>,
    rest: Map<String, Value>,
}

/// A document: nothing (`null`), an object, or something else (kept for the error text).
enum Doc {
    Null,
    Object(Box<RawDoc>),
    Other(Value),
}

impl<'de> Deserialize<'de> for Doc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(DocVisitor {
            metadata_via_value: false,
        })
    }
}

/// Reads a document. With `metadata_via_value`, `metadata` is read into a JSON value first and
/// then decoded from it: the YAML deserializer turns numbers and booleans into strings on
/// request, so decoding `ObjectMeta` straight from YAML would accept `labels: {a: 5}`, which
/// the API server refuses.
#[derive(Clone, Copy)]
struct DocVisitor {
    metadata_via_value: bool,
}

impl<'de> de::DeserializeSeed<'de> for DocVisitor {
    type Value = Doc;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Doc, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DocVisitor {
    type Value = Doc;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a Kubernetes object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Doc, A::Error> {
        let mut doc = RawDoc {
            api_version: None,
            kind: None,
            metadata: None,
            rest: Map::new(),
        };
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "apiVersion" => doc.api_version = Some(map.next_value()?),
                "kind" => doc.kind = Some(map.next_value()?),
                "metadata" if self.metadata_via_value => {
                    let value: Value = map.next_value()?;
                    doc.metadata = match value {
                        Value::Null => None,
                        value => Some(
                            ObjectMeta::deserialize(value)
                                .map_err(|e| de::Error::custom(format_args!("metadata: {e}")))?,
                        ),
                    };
                }
                "metadata" => doc.metadata = map.next_value::<Option<ObjectMeta>>()?,
                _ => {
                    let value: Value = map.next_value()?;
                    doc.rest.insert(key, value);
                }
            }
        }
        Ok(Doc::Object(Box::new(doc)))
    }

    fn visit_unit<E: de::Error>(self) -> std::result::Result<Doc, E> {
        Ok(Doc::Null)
    }

    fn visit_none<E: de::Error>(self) -> std::result::Result<Doc, E> {
        Ok(Doc::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Doc, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<Doc, E> {
        Ok(Doc::Other(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Doc, E> {
        Ok(Doc::Other(Value::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Doc, E> {
        Ok(Doc::Other(Value::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Doc, E> {
        Ok(Doc::Other(Value::from(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Doc, E> {
        Ok(Doc::Other(Value::String(v.to_string())))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Doc, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Value>()? {
            items.push(item);
        }
        Ok(Doc::Other(Value::Array(items)))
    }
}

/// A top-level JSON value: an array of objects (expanded while it is read, so the documents
/// never sit in memory all at once), or one document. An array item that is not a usable
/// object stops the expansion with `Failed`; its place gets the document number later.
enum JsonTop {
    Array(Vec<DynamicObject>),
    One(Doc),
    Failed(DocError),
}

impl<'de> Deserialize<'de> for JsonTop {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(TopVisitor)
    }
}

struct TopVisitor;

const JSON_DOC: DocVisitor = DocVisitor {
    metadata_via_value: false,
};

impl<'de> Visitor<'de> for TopVisitor {
    type Value = JsonTop;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a Kubernetes object or an array of objects")
    }

    fn visit_seq<A: de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<JsonTop, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        let mut item = 0;
        while let Some(doc) = seq.next_element_seed(JSON_DOC)? {
            item += 1;
            let place = Place {
                document: 0,
                item: Some(item),
            };
            if let Err(e) = expand(doc, place, &mut out) {
                // Read the rest of the array so that the parser stays in step.
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                return Ok(JsonTop::Failed(e));
            }
        }
        Ok(JsonTop::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<JsonTop, A::Error> {
        JSON_DOC.visit_map(map).map(JsonTop::One)
    }

    fn visit_unit<E: de::Error>(self) -> std::result::Result<JsonTop, E> {
        Ok(JsonTop::One(Doc::Null))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<JsonTop, E> {
        JSON_DOC.visit_bool(v).map(JsonTop::One)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<JsonTop, E> {
        JSON_DOC.visit_i64(v).map(JsonTop::One)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<JsonTop, E> {
        JSON_DOC.visit_u64(v).map(JsonTop::One)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<JsonTop, E> {
        JSON_DOC.visit_f64(v).map(JsonTop::One)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<JsonTop, E> {
        JSON_DOC.visit_str(v).map(JsonTop::One)
    }
}

fn parse_json(text: &str) -> std::result::Result<Vec<DynamicObject>, DocError> {
    let mut out = Vec::new();
    let stream = serde_json::Deserializer::from_str(text).into_iter::<JsonTop>();
    for (i, top) in stream.enumerate() {
        let document = i + 1;
        let place = Place {
            document,
            item: None,
        };
        let top = top.map_err(|e| {
            if e.is_data() {
                DocError::Object(place, e.to_string())
            } else {
                DocError::Syntax(place, e.to_string())
            }
        })?;
        match top {
            JsonTop::One(doc) => expand(doc, place, &mut out)?,
            JsonTop::Array(objects) if out.is_empty() => out = objects,
            JsonTop::Array(objects) => out.extend(objects),
            JsonTop::Failed(e) => return Err(e.in_document(document)),
        }
    }
    Ok(out)
}

fn parse_yaml(text: &str) -> std::result::Result<Vec<DynamicObject>, DocError> {
    let mut out = Vec::new();
    for (i, document) in serde_yaml::Deserializer::from_str(text).enumerate() {
        let place = Place {
            document: i + 1,
            item: None,
        };
        let doc = DocVisitor {
            metadata_via_value: true,
        }
        .deserialize(document)
        .map_err(|e| DocError::Syntax(place, e.to_string()))?;
        expand(doc, place, &mut out)?;
    }
    Ok(out)
}

/// Turns one document into objects: nothing for `null`, its items for a list, else itself.
fn expand(
    doc: Doc,
    place: Place,
    out: &mut Vec<DynamicObject>,
) -> std::result::Result<(), DocError> {
    let raw = match doc {
        Doc::Null => return Ok(()),
        Doc::Other(value) => return Err(DocError::Object(place, not_an_object(&value))),
        Doc::Object(raw) => raw,
    };
    let kind = raw.kind.as_ref().and_then(Value::as_str).unwrap_or("");
    let is_list = kind == "List" || (kind.ends_with("List") && raw.rest.contains_key("items"));
    if !is_list {
        out.push(to_object(raw, place)?);
        return Ok(());
    }
    // Check the list itself as apimachinery does (kind and apiVersion present).
    check_types(&raw, place)?;
    let list_version = raw.api_version.clone();
    let item_kind = kind.strip_suffix("List").unwrap_or("").to_string();
    let mut raw = raw;
    let items = match raw.rest.remove("items") {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(DocError::Object(
                place,
                format!(
                    "items: expected an array of objects, got {}",
                    json_type_name(&other)
                ),
            ));
        }
    };
    out.reserve(items.len());
    for (j, item) in items.into_iter().enumerate() {
        let item_place = Place {
            document: place.document,
            item: Some(j + 1),
        };
        let mut raw_item = match Doc::deserialize(item) {
            Ok(Doc::Object(raw_item)) => raw_item,
            Ok(Doc::Null) => continue,
            Ok(Doc::Other(value)) => {
                return Err(DocError::Object(item_place, not_an_object(&value)));
            }
            Err(e) => return Err(DocError::Object(item_place, e.to_string())),
        };
        if raw_item.kind.is_none() && raw_item.api_version.is_none() && !item_kind.is_empty() {
            raw_item.kind = Some(Value::String(item_kind.clone()));
            raw_item.api_version = list_version.clone();
        }
        let nested = raw_item.kind.as_ref().and_then(Value::as_str).unwrap_or("");
        if nested == "List" || (nested.ends_with("List") && raw_item.rest.contains_key("items")) {
            expand(Doc::Object(raw_item), item_place, out)?;
        } else {
            out.push(to_object(raw_item, item_place)?);
        }
    }
    Ok(())
}

/// `couldn't get version/kind; json parse error: …` for a document that is not an object, as
/// apimachinery's `SimpleMetaFactory.Interpret` words it (Go's `encoding/json` text).
fn not_an_object(value: &Value) -> String {
    format!(
        "couldn't get version/kind; json parse error: json: cannot unmarshal {} into Go value \
         of type struct {{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \
         \"json:\\\"kind,omitempty\\\"\" }}",
        json_type_name(value)
    )
}

/// The name Go's `encoding/json` gives a JSON value's type in unmarshal errors.
fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Checks kind and apiVersion the way apimachinery's JSON serializer does, and returns them.
fn check_types(raw: &RawDoc, place: Place) -> std::result::Result<(String, String), DocError> {
    let field_str = |v: &Option<Value>, field: &str| -> std::result::Result<String, DocError> {
        match v {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(DocError::Object(
                place,
                format!(
                    "couldn't get version/kind; json parse error: json: cannot unmarshal {} \
                     into Go struct field .{field} of type string",
                    json_type_name(other)
                ),
            )),
        }
    };
    let api_version = field_str(&raw.api_version, "apiVersion")?;
    let kind = field_str(&raw.kind, "kind")?;
    if api_version.matches('/').count() > 1 {
        return Err(DocError::Object(
            place,
            format!("unexpected GroupVersion string: {api_version}"),
        ));
    }
    if kind.is_empty() {
        return Err(DocError::Object(
            place,
            format!("Object 'Kind' is missing in '{}'", compact_json(raw)),
        ));
    }
    // `v1`, `example.com/v1`; `example.com/` has no version, `/` neither group nor version.
    let version = api_version.rsplit('/').next().unwrap_or("");
    if version.is_empty() {
        return Err(DocError::Object(
            place,
            format!("Object 'apiVersion' is missing in '{}'", compact_json(raw)),
        ));
    }
    Ok((api_version, kind))
}

/// The document as compact JSON with sorted keys (what `yaml.YAMLToJSON` gives the decoder).
fn compact_json(raw: &RawDoc) -> String {
    let mut map = raw.rest.clone();
    for (key, value) in [("apiVersion", &raw.api_version), ("kind", &raw.kind)] {
        if let Some(value) = value {
            map.insert(key.to_string(), value.clone());
        }
    }
    if let Some(Ok(metadata)) = raw.metadata.as_ref().map(serde_json::to_value) {
        map.insert("metadata".to_string(), metadata);
    }
    let mut out = String::new();
    let _ = write!(out, "{}", SortedJson(&Value::Object(map)));
    out
}

/// Compact JSON with object keys sorted, whatever the map's own order.
struct SortedJson<'a>(&'a Value);

impl std::fmt::Display for SortedJson<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Value::Object(object) => {
                let mut keys: Vec<&String> = object.keys().collect();
                keys.sort();
                f.write_str("{")?;
                for (i, key) in keys.into_iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(
                        f,
                        "{}:{}",
                        Value::String(key.clone()),
                        SortedJson(&object[key.as_str()])
                    )?;
                }
                f.write_str("}")
            }
            Value::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{}", SortedJson(item))?;
                }
                f.write_str("]")
            }
            other => write!(f, "{other}"),
        }
    }
}

fn to_object(raw: Box<RawDoc>, place: Place) -> std::result::Result<DynamicObject, DocError> {
    let (api_version, kind) = check_types(&raw, place)?;
    Ok(DynamicObject {
        types: Some(TypeMeta { api_version, kind }),
        metadata: raw.metadata.unwrap_or_default(),
        data: Value::Object(raw.rest),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(objects: &[DynamicObject]) -> Vec<String> {
        objects
            .iter()
            .map(|o| {
                let kind = o.types.as_ref().map_or("", |t| t.kind.as_str());
                format!("{kind}/{}", o.metadata.name.as_deref().unwrap_or(""))
            })
            .collect()
    }

    fn message(text: &str) -> String {
        let err = parse_documents(text).unwrap_err();
        assert!(err.is_bad_request(), "{err}");
        err.status().unwrap().message.clone()
    }

    const WIDGET_YAML: &str = "\
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w1
  namespace: team-a
  labels: {app: demo}
  annotations: {note: \"x: y\"}
spec:
  size: 3
  ratio: 0.5
  tags: [a, b]
  nested: {enabled: true, nothing: null}
status:
  phase: Ready
";

    #[test]
    fn multi_document_yaml_with_empty_documents_and_comments() {
        let text = format!(
            "# leading comment\n---\n{WIDGET_YAML}---\n---\n# only a comment\n---\napiVersion: v1\nkind: \
             Namespace\nmetadata:\n  name: team-a\n...\n"
        );
        let objects = parse_documents(&text).unwrap();
        assert_eq!(names(&objects), ["Widget/w1", "Namespace/team-a"]);
        let w = &objects[0];
        let types = w.types.as_ref().unwrap();
        assert_eq!(types.api_version, "example.com/v1");
        assert_eq!(w.metadata.namespace.as_deref(), Some("team-a"));
        assert_eq!(w.metadata.labels.as_ref().unwrap()["app"], "demo");
        assert_eq!(w.metadata.annotations.as_ref().unwrap()["note"], "x: y");
        assert_eq!(
            w.data,
            json!({
                "spec": {"size": 3, "ratio": 0.5, "tags": ["a", "b"],
                         "nested": {"enabled": true, "nothing": null}},
                "status": {"phase": "Ready"}
            })
        );
    }

    #[test]
    fn empty_text_has_no_objects() {
        assert!(parse_documents("").unwrap().is_empty());
        assert!(parse_documents("  \n---\n---\n").unwrap().is_empty());
        assert!(parse_documents("null").unwrap().is_empty());
        assert!(parse_documents("[]").unwrap().is_empty());
    }

    #[test]
    fn json_object_array_and_lines() {
        let one =
            r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"k":"v"}}"#;
        let objects = parse_documents(one).unwrap();
        assert_eq!(names(&objects), ["ConfigMap/a"]);
        assert_eq!(objects[0].data, json!({"data": {"k": "v"}}));

        let array = r#"  [
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}},
            null,
            {"apiVersion":"v1","kind":"Secret","metadata":{"name":"b"}}
        ]"#;
        assert_eq!(
            names(&parse_documents(array).unwrap()),
            ["ConfigMap/a", "Secret/b"]
        );

        let lines = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"}}\n\
                     {\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"b\"}}\n\
                     [{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"}}]\n";
        assert_eq!(
            names(&parse_documents(lines).unwrap()),
            ["ConfigMap/a", "ConfigMap/b", "ConfigMap/c"]
        );
    }

    #[test]
    fn json_documents_separated_like_yaml_and_flow_yaml_parse_as_yaml() {
        let text = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"}}\n---\n\
                    {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n";
        assert_eq!(
            names(&parse_documents(text).unwrap()),
            ["ConfigMap/a", "ConfigMap/b"]
        );
    }

    #[test]
    fn the_same_object_from_yaml_and_json_and_as_serde_reads_it() {
        let from_yaml = parse_documents(WIDGET_YAML).unwrap();
        let as_json = serde_json::to_string(&from_yaml[0]).unwrap();
        let from_json = parse_documents(&as_json).unwrap();
        assert_eq!(from_yaml, from_json);
        let by_serde: DynamicObject = serde_json::from_str(&as_json).unwrap();
        assert_eq!(from_json[0], by_serde);
    }

    #[test]
    fn lists_expand() {
        let text = "\
apiVersion: v1
kind: List
metadata: {resourceVersion: \"\"}
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: a}
- apiVersion: v1
  kind: List
  items:
  - {apiVersion: v1, kind: Secret, metadata: {name: nested}}
- null
---
apiVersion: v1
kind: List
items: []
---
apiVersion: v1
kind: List
";
        assert_eq!(
            names(&parse_documents(text).unwrap()),
            ["ConfigMap/a", "Secret/nested"]
        );
    }

    #[test]
    fn typed_list_items_inherit_kind_and_api_version() {
        let text = r#"{"apiVersion":"example.com/v1","kind":"WidgetList","metadata":{"resourceVersion":"7"},
            "items":[{"metadata":{"name":"a"},"spec":{"size":1}},
                     {"apiVersion":"example.com/v2","kind":"Widget","metadata":{"name":"b"}}]}"#;
        let objects = parse_documents(text).unwrap();
        assert_eq!(names(&objects), ["Widget/a", "Widget/b"]);
        assert_eq!(
            objects[0].types.as_ref().unwrap().api_version,
            "example.com/v1"
        );
        assert_eq!(
            objects[1].types.as_ref().unwrap().api_version,
            "example.com/v2"
        );
        assert_eq!(objects[0].data, json!({"spec": {"size": 1}}));
    }

    #[test]
    fn a_kind_ending_in_list_without_items_is_an_object() {
        let objects = parse_documents(
            "apiVersion: shop.example.com/v1\nkind: ShoppingList\nmetadata: {name: s}\n",
        )
        .unwrap();
        assert_eq!(names(&objects), ["ShoppingList/s"]);
    }

    #[test]
    fn missing_kind_and_api_version_use_apimachinery_texts() {
        assert_eq!(
            message(
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\napiVersion: v1\nmetadata:\n  name: x\n  labels: {b: c}\nspec: {z: 1, a: [1, {y: 2, b: 3}]}\n"
            ),
            r#"document 2: Object 'Kind' is missing in '{"apiVersion":"v1","metadata":{"labels":{"b":"c"},"name":"x"},"spec":{"a":[1,{"b":3,"y":2}],"z":1}}'"#
        );
        assert_eq!(
            message("kind: ConfigMap\nmetadata: {name: a}\n"),
            r#"document 1: Object 'apiVersion' is missing in '{"kind":"ConfigMap","metadata":{"name":"a"}}'"#
        );
        // Kind is checked before apiVersion, as the serializer does.
        assert_eq!(
            message(r#"{"metadata":{"name":"a"}}"#),
            r#"document 1: Object 'Kind' is missing in '{"metadata":{"name":"a"}}'"#
        );
        assert_eq!(
            message("apiVersion: example.com/\nkind: Widget\n"),
            r#"document 1: Object 'apiVersion' is missing in '{"apiVersion":"example.com/","kind":"Widget"}'"#
        );
        assert_eq!(
            message("apiVersion: \"\"\nkind: Widget\n"),
            r#"document 1: Object 'apiVersion' is missing in '{"apiVersion":"","kind":"Widget"}'"#
        );
        assert_eq!(
            message("apiVersion: a/b/c\nkind: Widget\n"),
            "document 1: unexpected GroupVersion string: a/b/c"
        );
    }

    #[test]
    fn errors_inside_lists_and_arrays_name_the_item() {
        assert_eq!(
            message(
                "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n- metadata: {name: b}\n"
            ),
            r#"document 1, item 2: Object 'Kind' is missing in '{"metadata":{"name":"b"}}'"#
        );
        assert_eq!(
            message(r#"[{"apiVersion":"v1","kind":"ConfigMap"},{"kind":"ConfigMap"}]"#),
            r#"document 1, item 2: Object 'apiVersion' is missing in '{"kind":"ConfigMap"}'"#
        );
        assert_eq!(
            message(
                "[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\"}]\n\
                 [{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"kind\":\"Secret\"}]},\n\
                  {\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\"}]"
            ),
            r#"document 2, item 1: Object 'apiVersion' is missing in '{"kind":"Secret"}'"#
        );
        assert_eq!(
            message("apiVersion: v1\nkind: List\nitems: {a: b}\n"),
            "document 1: items: expected an array of objects, got object"
        );
        assert_eq!(
            message("apiVersion: v1\nkind: List\nitems: [5]\n"),
            "document 1, item 1: couldn't get version/kind; json parse error: json: cannot \
             unmarshal number into Go value of type struct { APIVersion string \
             \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }"
        );
    }

    #[test]
    fn documents_that_are_not_objects() {
        assert_eq!(
            message("apiVersion: v1\nkind: ConfigMap\n---\nhello\n"),
            "document 2: couldn't get version/kind; json parse error: json: cannot unmarshal \
             string into Go value of type struct { APIVersion string \
             \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }"
        );
        assert!(message("- a\n- b\n").contains("cannot unmarshal array into Go value"));
        assert!(message("true").contains("cannot unmarshal bool into Go value"));
        assert_eq!(
            message("apiVersion: v1\nkind: 5\n"),
            "document 1: couldn't get version/kind; json parse error: json: cannot unmarshal \
             number into Go struct field .kind of type string"
        );
    }

    #[test]
    fn syntax_errors_carry_the_parsers_message_and_the_document() {
        assert_eq!(
            message("apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: [unclosed\n"),
            "document 2: did not find expected ',' or ']' at line 6 column 1, while parsing a \
             flow sequence at line 5 column 7"
        );
        assert_eq!(
            message("apiVersion: v1\nkind: ConfigMap\n metadata: x\n"),
            "document 1: mapping values are not allowed in this context at line 3 column 10"
        );
        assert_eq!(
            message(r#"{"apiVersion": "v1", "kind": }"#),
            "document 1: expected value at line 1 column 30"
        );
        assert_eq!(
            message("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\"}\n{\"kind\":"),
            "document 2: EOF while parsing a value at line 2 column 8"
        );
    }

    #[test]
    fn malformed_metadata_is_refused_in_json_and_yaml() {
        assert_eq!(
            message(
                r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","labels":{"x":5}}}"#
            ),
            "document 1: invalid type: integer `5`, expected a string at line 1 column 76"
        );
        // YAML would happily read `5` as a string; the API server does not.
        assert_eq!(
            message("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: {x: 5}\n"),
            "document 1: metadata: invalid type: integer `5`, expected a string"
        );
        assert!(message("apiVersion: v1\nkind: ConfigMap\nmetadata: 7\n").contains("metadata"));
    }

    #[test]
    fn yaml_details_match_the_json_model() {
        // Non-string keys become strings (as sigs.k8s.io/yaml does), aliases resolve.
        let objects = parse_documents(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  1: one\n  x: &v hello\n  y: *v\n",
        )
        .unwrap();
        assert_eq!(
            objects[0].data,
            json!({"data": {"1": "one", "x": "hello", "y": "hello"}})
        );
    }

    fn obj(api_version: &str, kind: &str, ns: Option<&str>, name: &str) -> DynamicObject {
        DynamicObject {
            types: Some(TypeMeta {
                api_version: api_version.into(),
                kind: kind.into(),
            }),
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: ns.map(Into::into),
                ..ObjectMeta::default()
            },
            data: json!({}),
        }
    }

    #[test]
    fn load_order_puts_crds_then_namespaces_first_and_is_stable() {
        let mut objects = vec![
            obj("example.com/v1", "Widget", Some("a"), "w2"),
            obj("v1", "Namespace", None, "a"),
            obj("example.com/v1", "Widget", Some("a"), "w1"),
            obj(
                "apiextensions.k8s.io/v1",
                "CustomResourceDefinition",
                None,
                "widgets.example.com",
            ),
            obj("v1", "ConfigMap", Some("a"), "c"),
            obj("v1", "Namespace", None, "b"),
            obj("example.com/v1", "Namespace", None, "not-core"),
            obj(
                "apiextensions.k8s.io/v1",
                "CustomResourceDefinition",
                None,
                "gadgets.example.com",
            ),
        ];
        load_order(&mut objects);
        assert_eq!(
            names(&objects),
            [
                "CustomResourceDefinition/widgets.example.com",
                "CustomResourceDefinition/gadgets.example.com",
                "Namespace/a",
                "Namespace/b",
                "Widget/w2",
                "Widget/w1",
                "ConfigMap/c",
                "Namespace/not-core",
            ]
        );
    }

    #[test]
    fn to_yaml_is_sorted_and_deterministic() {
        let mut w = parse_documents(WIDGET_YAML).unwrap().remove(0);
        w.metadata.resource_version = Some("12".into());
        let objects = vec![
            obj("v1", "Namespace", None, "team-a"),
            w,
            obj("v1", "ConfigMap", Some("b"), "c1"),
            obj("v1", "ConfigMap", Some("a"), "c2"),
        ];
        let yaml = to_yaml(&objects).unwrap();
        let expected = "\
---
apiVersion: example.com/v1
kind: Widget
metadata:
  annotations:
    note: 'x: y'
  labels:
    app: demo
  name: w1
  namespace: team-a
  resourceVersion: '12'
spec:
  nested:
    enabled: true
    nothing: null
  ratio: 0.5
  size: 3
  tags:
  - a
  - b
status:
  phase: Ready
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: c2
  namespace: a
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: c1
  namespace: b
---
apiVersion: v1
kind: Namespace
metadata:
  name: team-a
";
        assert_eq!(yaml, expected);
        let mut reversed = objects.clone();
        reversed.reverse();
        assert_eq!(to_yaml(&reversed).unwrap(), yaml);
        assert_eq!(to_yaml(&[]).unwrap(), "");
    }

    #[test]
    fn to_yaml_round_trips() {
        let mut objects = parse_documents(WIDGET_YAML).unwrap();
        let mut tricky = obj("v1", "ConfigMap", Some("a"), "tricky");
        tricky.data = json!({
            "data": {
                "multi": "line one\nline two\n",
                "number_like": "0123",
                "bool_like": "true",
                "empty": "",
                "colon": "a: b",
                "unicode": "héllo ✓",
            },
            "binaryData": {"b": "AAEC"},
            "list": [[], {}, [1, 2.5, -3, null]],
            "big": 18446744073709551615u64,
        });
        tricky.metadata.labels = Some([("k".to_string(), "yes".to_string())].into());
        objects.push(tricky);
        objects.push(obj(
            "apiextensions.k8s.io/v1",
            "CustomResourceDefinition",
            None,
            "x.y.z",
        ));
        let yaml = to_yaml(&objects).unwrap();
        let mut back = parse_documents(&yaml).unwrap();
        let key = |o: &DynamicObject| o.metadata.name.clone();
        objects.sort_by_key(key);
        back.sort_by_key(key);
        assert_eq!(back, objects);
        assert_eq!(to_yaml(&back).unwrap(), yaml);
    }

    fn scratch_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "kobj-fixtures-{name}-{}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn parse_file_reads_a_file_or_a_directory_in_name_order() {
        let dir = scratch_dir("dir");
        std::fs::write(
            dir.join("b.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-b}\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("a.json"),
            r#"[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"from-a"}}]"#,
        )
        .unwrap();
        std::fs::write(
            dir.join("c.yml"),
            "apiVersion: v1\nkind: Secret\nmetadata: {name: from-c}\n",
        )
        .unwrap();
        std::fs::write(dir.join("notes.txt"), "not a fixture").unwrap();
        std::fs::create_dir(dir.join("sub.yaml")).unwrap();

        assert_eq!(
            names(&parse_file(&dir).unwrap()),
            ["ConfigMap/from-a", "ConfigMap/from-b", "Secret/from-c"]
        );
        assert_eq!(
            names(&parse_file(&dir.join("b.yaml")).unwrap()),
            ["ConfigMap/from-b"]
        );

        std::fs::write(dir.join("d.yaml"), "apiVersion: v1\nmetadata: {name: x}\n").unwrap();
        let err = parse_file(&dir).unwrap_err();
        assert!(err.is_bad_request());
        assert_eq!(
            err.status().unwrap().message,
            format!(
                "{}: document 1: Object 'Kind' is missing in '{{\"apiVersion\":\"v1\",\"metadata\":{{\"name\":\"x\"}}}}'",
                dir.join("d.yaml").display()
            )
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn parse_file_io_errors_name_the_path() {
        let missing = std::env::temp_dir().join("kobj-fixtures-does-not-exist.yaml");
        let err = parse_file(&missing).unwrap_err();
        assert_eq!(err.kind(), kobj_core::ErrorKind::Config);
        assert!(
            err.to_string().starts_with(&format!(
                "configuration error: cannot read fixtures from {}: ",
                missing.display()
            )),
            "{err}"
        );
    }
}
