//! The checks every write makes of an object's metadata besides its name: label keys and
//! values, annotation keys and total size, ownerReferences, and finalizer names, with the
//! server's texts (`validateObjectMetaAccessorWithOptsCommon` and
//! `ValidateObjectMetaAccessorUpdate` of k8s.io/apimachinery `pkg/api/validation/objectmeta.go`,
//! `ValidateLabels` of `pkg/apis/meta/v1/validation`, `IsQualifiedName` and
//! `IsValidLabelValue` of `pkg/util/validation`).
//!
//! Written by hand: the texts are Go's, and no crate reproduces them.

use kobj_core::{FieldError, FieldErrorType};
use serde_json::{Map, Value};

const QUALIFIED_NAME_MSG: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const QUALIFIED_NAME_MAX: usize = 63;
const LABEL_VALUE_MAX: usize = 63;
/// `TotalAnnotationSizeLimitB`: the keys and values of all annotations together.
const ANNOTATIONS_MAX_BYTES: usize = 256 * 1024;
const ORPHAN: &str = "orphan";
const FOREGROUND: &str = "foregroundDeletion";

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`: the name part of a qualified name.
fn is_qualified_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    let (Some(first), Some(last)) = (b.first(), b.last()) else {
        return false;
    };
    first.is_ascii_alphanumeric()
        && last.is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// Whether `value` is a qualified name (no messages: the fast path of every write).
fn is_qualified_name(value: &str) -> bool {
    let name = match value.split_once('/') {
        None => value,
        Some((prefix, name)) => {
            if !super::is_dns1123_subdomain(prefix) || name.contains('/') {
                return false;
            }
            name
        }
    };
    name.len() <= QUALIFIED_NAME_MAX && is_qualified_name_part(name)
}

/// The messages of `IsQualifiedName`: an optional DNS subdomain prefix and `/`, then a name
/// of at most 63 characters.
pub(crate) fn qualified_name_errors(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_string());
            } else {
                errs.extend(
                    super::dns1123_subdomain_errors(prefix)
                        .into_iter()
                        .map(|m| format!("prefix part {m}")),
                );
            }
            *name
        }
        _ => {
            errs.push(format!(
                "a qualified name {QUALIFIED_NAME_MSG} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            ));
            return errs;
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".to_string());
    } else if name.len() > QUALIFIED_NAME_MAX {
        errs.push(format!(
            "name part must be no more than {QUALIFIED_NAME_MAX} characters"
        ));
    }
    if !is_qualified_name_part(name) {
        errs.push(format!("name part {QUALIFIED_NAME_MSG}"));
    }
    errs
}

/// The messages of `IsValidLabelValue`: empty, or a qualified name part of at most 63
/// characters.
pub(crate) fn label_value_errors(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > LABEL_VALUE_MAX {
        errs.push(format!("must be no more than {LABEL_VALUE_MAX} characters"));
    }
    if !value.is_empty() && !is_qualified_name_part(value) {
        errs.push(LABEL_VALUE_MSG.to_string());
    }
    errs
}

/// Every metadata error of `obj` beyond its name and namespace, in the server's order:
/// labels, annotations, ownerReferences, finalizers. Map keys are checked in sorted order
/// (Go's map order is random).
pub(crate) fn object_meta(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(meta) = super::meta(obj) else {
        return errs;
    };
    if let Some(labels) = meta.get("labels").and_then(Value::as_object) {
        labels_errors(labels, "metadata.labels", &mut errs);
    }
    if let Some(annotations) = meta.get("annotations").and_then(Value::as_object) {
        annotations_errors(annotations, "metadata.annotations", &mut errs);
    }
    if let Some(refs) = meta.get("ownerReferences").and_then(Value::as_array) {
        owner_references_errors(refs, &mut errs);
    }
    if let Some(finalizers) = meta.get("finalizers").and_then(Value::as_array) {
        finalizers_errors(finalizers, &mut errs);
    }
    errs
}

/// `ValidateLabels`: every key a qualified name, every value a label value; each error on
/// `field` itself (the map), as the server reports it.
pub(crate) fn labels_errors(labels: &Map<String, Value>, field: &str, errs: &mut Vec<FieldError>) {
    for (key, value) in labels {
        if !is_qualified_name(key) {
            for m in qualified_name_errors(key) {
                errs.push(FieldError::invalid(field, Value::String(key.clone()), m));
            }
        }
        let value = value.as_str().unwrap_or_default();
        let valid_value =
            value.len() <= LABEL_VALUE_MAX && (value.is_empty() || is_qualified_name_part(value));
        if valid_value {
            continue;
        }
        for m in label_value_errors(value) {
            errs.push(FieldError::invalid(
                field,
                Value::String(value.to_string()),
                m,
            ));
        }
    }
}

/// `ValidateAnnotations`: keys qualified names (any case), the total size at most 256 KiB.
pub(crate) fn annotations_errors(
    annotations: &Map<String, Value>,
    field: &str,
    errs: &mut Vec<FieldError>,
) {
    let mut total = 0;
    for (key, value) in annotations {
        // The rule is a qualified name, but case does not matter.
        let valid = if key.bytes().any(|b| b.is_ascii_uppercase()) {
            is_qualified_name(&key.to_lowercase())
        } else {
            is_qualified_name(key)
        };
        if !valid {
            for m in qualified_name_errors(&key.to_lowercase()) {
                errs.push(FieldError::invalid(field, Value::String(key.clone()), m));
            }
        }
        total += key.len() + value.as_str().map_or(0, str::len);
    }
    if total > ANNOTATIONS_MAX_BYTES {
        errs.push(FieldError::new(
            FieldErrorType::TooLong,
            field,
            None,
            format!("may not be more than {ANNOTATIONS_MAX_BYTES} bytes"),
        ));
    }
}

/// `schema.FromAPIVersionAndKind`'s group and version: empty on a parse error (more than one
/// `/`).
fn group_version(api_version: &str) -> (&str, &str) {
    match api_version.matches('/').count() {
        _ if api_version == "/" => ("", ""),
        0 => ("", api_version),
        1 => api_version.split_once('/').unwrap_or_default(),
        _ => ("", ""),
    }
}

fn owner_references_errors(refs: &[Value], errs: &mut Vec<FieldError>) {
    const FIELD: &str = "metadata.ownerReferences";
    let text = |r: &Value, k: &str| {
        r.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let mut first_controller: Option<String> = None;
    for r in refs {
        let (api_version, kind, name, uid) = (
            text(r, "apiVersion"),
            text(r, "kind"),
            text(r, "name"),
            text(r, "uid"),
        );
        let (group, version) = group_version(&api_version);
        if version.is_empty() {
            errs.push(FieldError::invalid(
                format!("{FIELD}.apiVersion"),
                Value::String(api_version.clone()),
                "version must not be empty",
            ));
        }
        for (field, value) in [("kind", &kind), ("name", &name), ("uid", &uid)] {
            if value.is_empty() {
                errs.push(FieldError::invalid(
                    format!("{FIELD}.{field}"),
                    Value::String(String::new()),
                    "must not be empty",
                ));
            }
        }
        // BannedOwners: core/v1 Events.
        if (group, version, kind.as_str()) == ("", "v1", "Event") {
            errs.push(FieldError::invalid(
                FIELD,
                r.clone(),
                format!("{group}/{version}, Kind={kind} is disallowed from being an owner"),
            ));
        }
        if r.get("controller").and_then(Value::as_bool) == Some(true) {
            let current = format!("{kind}/{name}");
            match &first_controller {
                Some(first) => errs.push(FieldError::invalid(
                    FIELD,
                    Value::Array(refs.to_vec()),
                    format!(
                        "Only one reference can have Controller set to true. Found \"true\" in references for {first} and {current}"
                    ),
                )),
                None => first_controller = Some(current),
            }
        }
    }
}

fn finalizers_errors(finalizers: &[Value], errs: &mut Vec<FieldError>) {
    const FIELD: &str = "metadata.finalizers";
    let names: Vec<&str> = finalizers
        .iter()
        .map(|f| f.as_str().unwrap_or_default())
        .collect();
    for name in names.iter().filter(|n| !is_qualified_name(n)) {
        for m in qualified_name_errors(name) {
            errs.push(FieldError::invalid(
                FIELD,
                Value::String(name.to_string()),
                m,
            ));
        }
    }
    if names.contains(&ORPHAN) && names.contains(&FOREGROUND) {
        errs.push(FieldError::invalid(
            FIELD,
            Value::Array(finalizers.to_vec()),
            format!("finalizer {ORPHAN} and {FOREGROUND} cannot be both set"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn bodies(obj: Value) -> Vec<String> {
        object_meta(&obj)
            .iter()
            .map(|e| format!("{}: {}", e.field, e.body()))
            .collect()
    }

    #[test]
    fn qualified_names_follow_is_qualified_name() {
        for ok in [
            "a",
            "A.b_c-9",
            "example.com/x",
            "k8s.io/Some_Name",
            &"x".repeat(63),
        ] {
            assert!(qualified_name_errors(ok).is_empty(), "{ok}");
        }
        assert_eq!(
            qualified_name_errors("bad key"),
            [format!("name part {QUALIFIED_NAME_MSG}")]
        );
        assert_eq!(
            qualified_name_errors(&"x".repeat(64)),
            ["name part must be no more than 63 characters"]
        );
        assert_eq!(
            qualified_name_errors("/x"),
            ["prefix part must be non-empty"]
        );
        assert_eq!(
            qualified_name_errors("Example.com/x"),
            [format!(
                "prefix part {}",
                super::super::DNS1123_SUBDOMAIN_MSG
            )]
        );
        assert_eq!(
            qualified_name_errors("a/"),
            [
                "name part must be non-empty".to_string(),
                format!("name part {QUALIFIED_NAME_MSG}")
            ]
        );
        assert_eq!(qualified_name_errors("a/b/c").len(), 1);
        assert!(qualified_name_errors("a/b/c")[0].starts_with("a qualified name must consist"));
        assert!(qualified_name_errors("a/b/c")[0].ends_with("(e.g. 'example.com/MyName')"));
    }

    #[test]
    fn the_fast_check_agrees_with_the_messages() {
        let samples = [
            "",
            "a",
            "a/b",
            "/b",
            "a/",
            "a/b/c",
            "A.b",
            "-a",
            "a-",
            "a_b",
            "a b",
            "é",
            "Example.com/x",
            "example.com/x",
            "ex..com/x",
            "x.y.z/Name_1",
        ];
        let long = "x".repeat(64);
        let long_prefix = format!("{}/x", "a".repeat(254));
        for s in samples
            .iter()
            .copied()
            .chain([long.as_str(), long_prefix.as_str()])
        {
            assert_eq!(
                is_qualified_name(s),
                qualified_name_errors(s).is_empty(),
                "{s:?}"
            );
        }
    }

    #[test]
    fn label_values_may_be_empty_but_not_long_or_odd() {
        assert!(label_value_errors("").is_empty());
        assert!(label_value_errors("v1.2_x-y").is_empty());
        assert_eq!(label_value_errors("-x"), [LABEL_VALUE_MSG]);
        assert_eq!(
            label_value_errors(&"v".repeat(64)),
            ["must be no more than 63 characters"]
        );
    }

    #[test]
    fn labels_report_key_and_value_as_the_server_does() {
        let long = "v".repeat(64);
        assert_eq!(
            bodies(json!({"metadata": {"labels": {"bad key": "ok", "app": long}}})),
            [
                "metadata.labels: Invalid value: \"vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv\": must be no more than 63 characters".to_string(),
                format!("metadata.labels: Invalid value: \"bad key\": name part {QUALIFIED_NAME_MSG}"),
            ]
        );
    }

    #[test]
    fn annotations_check_lowercased_keys_and_total_size() {
        assert!(bodies(json!({"metadata": {"annotations": {"Example.COM/Note": "x"}}})).is_empty());
        assert_eq!(
            bodies(json!({"metadata": {"annotations": {"a b": ""}}})),
            [format!(
                "metadata.annotations: Invalid value: \"a b\": name part {QUALIFIED_NAME_MSG}"
            )]
        );
        let big = "x".repeat(ANNOTATIONS_MAX_BYTES);
        assert_eq!(
            bodies(json!({"metadata": {"annotations": {"k": big}}})),
            ["metadata.annotations: Too long: may not be more than 262144 bytes"]
        );
        let exact = "x".repeat(ANNOTATIONS_MAX_BYTES - 1);
        assert!(bodies(json!({"metadata": {"annotations": {"k": exact}}})).is_empty());
    }

    #[test]
    fn owner_references_need_every_coordinate_and_one_controller() {
        assert_eq!(
            bodies(json!({"metadata": {"ownerReferences": [{}]}})),
            [
                "metadata.ownerReferences.apiVersion: Invalid value: \"\": version must not be empty",
                "metadata.ownerReferences.kind: Invalid value: \"\": must not be empty",
                "metadata.ownerReferences.name: Invalid value: \"\": must not be empty",
                "metadata.ownerReferences.uid: Invalid value: \"\": must not be empty",
            ]
        );
        assert_eq!(
            bodies(json!({"metadata": {"ownerReferences": [
                {"apiVersion": "a/b/c", "kind": "K", "name": "n", "uid": "u"}]}})),
            [
                "metadata.ownerReferences.apiVersion: Invalid value: \"a/b/c\": version must not be empty"
            ]
        );
        let event = json!({"apiVersion": "v1", "kind": "Event", "name": "e", "uid": "u"});
        let errs = object_meta(&json!({"metadata": {"ownerReferences": [event]}}));
        assert_eq!(errs.len(), 1);
        assert_eq!(
            errs[0].detail,
            "/v1, Kind=Event is disallowed from being an owner"
        );
        let owner = |name: &str| {
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": name, "uid": name,
                   "controller": true})
        };
        let errs = object_meta(
            &json!({"metadata": {"ownerReferences": [owner("a"), owner("b"), owner("c")]}}),
        );
        let details: Vec<&str> = errs.iter().map(|e| e.detail.as_str()).collect();
        assert_eq!(
            details,
            [
                "Only one reference can have Controller set to true. Found \"true\" in references for Deployment/a and Deployment/b",
                "Only one reference can have Controller set to true. Found \"true\" in references for Deployment/a and Deployment/c",
            ]
        );
        assert!(bodies(json!({"metadata": {"ownerReferences": [owner("a")]}})).is_empty());
    }

    #[test]
    fn finalizers_are_qualified_names_and_not_both_policies() {
        assert!(
            bodies(json!({"metadata": {"finalizers": ["kubernetes", "example.com/hold"]}}))
                .is_empty()
        );
        assert_eq!(
            bodies(json!({"metadata": {"finalizers": ["a b"]}})),
            [format!(
                "metadata.finalizers: Invalid value: \"a b\": name part {QUALIFIED_NAME_MSG}"
            )]
        );
        let errs =
            object_meta(&json!({"metadata": {"finalizers": ["orphan", "foregroundDeletion"]}}));
        assert_eq!(errs.len(), 1);
        assert_eq!(
            errs[0].detail,
            "finalizer orphan and foregroundDeletion cannot be both set"
        );
    }
}
