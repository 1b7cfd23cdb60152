//! Label and field selectors applied to stored objects (rules 42–43): parsing with the
//! server's error texts, the field labels each type supports, and matching.

use std::borrow::Cow;

use kobj_core::selector::{FieldSelector, LabelOperator, LabelRequirement, LabelSelector};
use kobj_core::{Error, Result};
use serde_json::Value;

use crate::meta;
use crate::registry::TypeInfo;
use crate::store::{self, Stored};

/// A parsed label and field selector for one type.
#[derive(Clone, Debug, Default)]
pub(crate) struct Selection {
    /// The label selector.
    pub labels: LabelSelector,
    /// The field selector.
    pub fields: FieldSelector,
    /// Whether a field requirement needs the decoded object (not only name/namespace).
    decode: bool,
    /// The type's field labels (for decoding).
    info: Option<std::sync::Arc<TypeInfo>>,
}

impl Selection {
    /// Parses and checks selectors for `info` (400 on bad syntax or an unsupported field).
    pub fn parse(
        info: &std::sync::Arc<TypeInfo>,
        labels: Option<&str>,
        fields: Option<&str>,
    ) -> Result<Self> {
        let labels = LabelSelector::parse(labels.unwrap_or_default())?;
        let fields = FieldSelector::parse(fields.unwrap_or_default())?;
        let mut decode = false;
        // A built-in kind without field labels of its own has no conversion func registered:
        // the scheme's `DefaultMetaV1FieldSelectorConversion` takes the two metadata labels
        // (the namespace one even on a cluster-scoped kind) and words its refusal apart.
        let metadata_only = !info.is_custom() && info.field_labels.is_empty();
        for r in fields.requirements() {
            let f = r.field();
            let supported = f == "metadata.name"
                || (f == "metadata.namespace" && (info.resource.is_namespaced() || metadata_only))
                || info.field_labels.iter().any(|l| l == f);
            if !supported {
                let api = &info.resource.api;
                return Err(Error::bad_request(if metadata_only {
                    format!(
                        "\"{f}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
                    )
                } else if !info.is_custom()
                    && (api.group.as_str(), api.kind.as_str()) == ("batch", "Job")
                {
                    // batch/v1's conversion func words its refusal apart.
                    format!("field label \"{f}\" not supported for Job")
                } else {
                    format!("field label not supported: {f}")
                }));
            }
            if f != "metadata.name" && f != "metadata.namespace" {
                decode = true;
            }
        }
        Ok(Self {
            labels,
            fields,
            decode,
            info: Some(info.clone()),
        })
    }

    /// Whether the selection selects everything.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.fields.is_empty()
    }

    /// Whether any selector is set (then `remainingItemCount` is left out, rule 12).
    pub fn is_set(&self) -> bool {
        !self.is_empty()
    }

    /// Whether the object stored under `key` matches.
    pub fn matches(&self, key: &str, obj: &Stored) -> bool {
        if !self
            .labels
            .requirements()
            .iter()
            .all(|r| label_matches(r, obj))
        {
            return false;
        }
        if self.fields.is_empty() {
            return true;
        }
        let (ns, name) = store::split_key(key);
        let decoded = if self.decode { Some(obj.value()) } else { None };
        self.fields.matches(|f| match f {
            "metadata.name" => Some(Cow::Owned(name.to_string())),
            "metadata.namespace" => Some(Cow::Owned(ns.to_string())),
            other => decoded.as_ref().and_then(|v| {
                self.info
                    .as_ref()
                    .and_then(|i| field_value(i, v, other))
                    .map(Cow::Owned)
            }),
        })
    }
}

/// One label requirement against a stored object's labels (`Requirement.Matches`).
fn label_matches(r: &LabelRequirement, obj: &Stored) -> bool {
    let found = obj.label(r.key());
    let has = |v: &str| r.values().iter().any(|x| x == v);
    match r.operator() {
        LabelOperator::In | LabelOperator::Equals | LabelOperator::DoubleEquals => {
            found.is_some_and(has)
        }
        LabelOperator::NotIn | LabelOperator::NotEquals => found.is_none_or(|v| !has(v)),
        LabelOperator::Exists => found.is_some(),
        LabelOperator::DoesNotExist => found.is_none(),
        LabelOperator::GreaterThan | LabelOperator::LessThan => {
            let Some(Ok(actual)) = found.map(str::parse::<i64>) else {
                return false;
            };
            let [wanted] = r.values() else { return false };
            let Ok(wanted) = wanted.parse::<i64>() else {
                return false;
            };
            if r.operator() == LabelOperator::GreaterThan {
                actual > wanted
            } else {
                actual < wanted
            }
        }
    }
}

/// The value of a field label on an object, as the server's field set has it.
pub(crate) fn field_value(info: &TypeInfo, obj: &Value, label: &str) -> Option<String> {
    let api = &info.resource.api;
    // events.k8s.io/v1's labels name the core/v1 Event fields stored
    // (`AddFieldLabelConversionsForEvent`).
    let label = match (api.group.as_str(), api.kind.as_str()) {
        ("events.k8s.io", "Event") => match label.strip_prefix("regarding.") {
            Some(rest) => return field_value_at(obj, &format!("involvedObject.{rest}"), label),
            None if label == "reportingController" => "reportingComponent",
            None => label,
        },
        _ => label,
    };
    let path = if !info.is_custom() && api.kind == "Event" && label == "source" {
        "source.component"
    } else {
        label
    };
    field_value_at(obj, path, label)
}

/// The value at `path` of an object, for the field label `label`.
fn field_value_at(obj: &Value, path: &str, label: &str) -> Option<String> {
    match meta::get_path(obj, path) {
        Some(v) => meta::scalar_text(v).or_else(|| Some(v.to_string())),
        // Unset booleans read as "false" in the server's field sets.
        None if label == "spec.hostNetwork" || label == "spec.unschedulable" => {
            Some("false".to_string())
        }
        None => None,
    }
}
