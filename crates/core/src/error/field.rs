//! Field errors: one validation failure on one field, printed as the API server prints it
//! (k8s.io/apimachinery `pkg/util/validation/field/errors.go`).

use std::fmt;

use super::StatusCause;

/// The type of a [`FieldError`], with the text the API server prints for it
/// (k8s.io/apimachinery `pkg/util/validation/field/errors.go`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldErrorType {
    /// `Required value`.
    Required,
    /// `Invalid value`.
    Invalid,
    /// `Unsupported value`.
    NotSupported,
    /// `Forbidden`.
    Forbidden,
    /// `Too long`.
    TooLong,
    /// `Too many`.
    TooMany,
    /// `Duplicate value`.
    Duplicate,
    /// `Not found`.
    NotFound,
    /// `Internal error`.
    Internal,
    /// `Invalid value` of the wrong type (cause reason `FieldValueTypeInvalid`).
    TypeInvalid,
}

impl FieldErrorType {
    /// The text used in messages, e.g. `Required value`.
    #[must_use]
    pub fn text(self) -> &'static str {
        match self {
            Self::Required => "Required value",
            Self::Invalid | Self::TypeInvalid => "Invalid value",
            Self::NotSupported => "Unsupported value",
            Self::Forbidden => "Forbidden",
            Self::TooLong => "Too long",
            Self::TooMany => "Too many",
            Self::Duplicate => "Duplicate value",
            Self::NotFound => "Not found",
            Self::Internal => "Internal error",
        }
    }

    /// The cause reason in `details.causes[].reason`, e.g. `FieldValueRequired`.
    #[must_use]
    pub fn cause_reason(self) -> &'static str {
        match self {
            Self::Required => "FieldValueRequired",
            Self::Invalid => "FieldValueInvalid",
            Self::TypeInvalid => "FieldValueTypeInvalid",
            Self::NotSupported => "FieldValueNotSupported",
            Self::Forbidden => "FieldValueForbidden",
            Self::TooLong => "FieldValueTooLong",
            Self::TooMany => "FieldValueTooMany",
            Self::Duplicate => "FieldValueDuplicate",
            Self::NotFound => "FieldValueNotFound",
            Self::Internal => "InternalError",
        }
    }

    /// Whether the bad value is left out of the message (as the server does for these types).
    fn omits_value(self) -> bool {
        matches!(
            self,
            Self::Required | Self::Forbidden | Self::TooLong | Self::Internal
        )
    }
}

/// One validation failure on one field, printed as `<path>: <Type>[: <value>][: <detail>]`.
///
/// ```
/// use kobj_core::{FieldError, FieldErrorType};
///
/// let e = FieldError::new(FieldErrorType::Invalid, "spec.r", Some("x".into()),
///     "spec.r in body must be of type integer: \"string\"");
/// assert_eq!(e.to_string(),
///     "spec.r: Invalid value: \"x\": spec.r in body must be of type integer: \"string\"");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    /// The error type.
    pub error_type: FieldErrorType,
    /// The field path, e.g. `spec.replicas` or `metadata.name`.
    pub field: String,
    /// The offending value, if the message shows one.
    pub value: Option<serde_json::Value>,
    /// The value as the message prints it, when that is not `value`'s JSON: a Go struct
    /// is printed with its fields in declaration order, which a `serde_json::Value` (keys
    /// sorted) cannot keep. Set with [`with_value_text`](Self::with_value_text).
    pub value_text: Option<String>,
    /// Free-form detail.
    pub detail: String,
}

impl FieldError {
    /// A field error.
    #[must_use]
    pub fn new(
        error_type: FieldErrorType,
        field: impl Into<String>,
        value: Option<serde_json::Value>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            error_type,
            field: field.into(),
            value,
            value_text: None,
            detail: detail.into(),
        }
    }

    /// The same error, printing its value as `text` (already rendered, e.g. the JSON of a
    /// Go struct in field order) instead of `value`'s JSON.
    ///
    /// ```
    /// use kobj_core::{FieldError, FieldErrorType};
    ///
    /// let e = FieldError::new(FieldErrorType::Duplicate, "spec.ports[1]", None, "")
    ///     .with_value_text(r#"{"Protocol":"TCP","Port":80}"#);
    /// assert_eq!(e.to_string(), r#"spec.ports[1]: Duplicate value: {"Protocol":"TCP","Port":80}"#);
    /// ```
    #[must_use]
    pub fn with_value_text(mut self, text: impl Into<String>) -> Self {
        self.value_text = Some(text.into());
        self
    }

    /// `Required value`.
    #[must_use]
    pub fn required(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(FieldErrorType::Required, field, None, detail)
    }

    /// `Invalid value`.
    #[must_use]
    pub fn invalid(
        field: impl Into<String>,
        value: serde_json::Value,
        detail: impl Into<String>,
    ) -> Self {
        Self::new(FieldErrorType::Invalid, field, Some(value), detail)
    }

    /// `Unsupported value`, listing the supported values as the server does
    /// (`field.NotSupported`): `supported values: "a", "b"`.
    ///
    /// ```
    /// use kobj_core::FieldError;
    ///
    /// let e = FieldError::not_supported("spec.type", "Internal", &["ClusterIP", "NodePort"]);
    /// assert_eq!(e.to_string(),
    ///     r#"spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "NodePort""#);
    /// ```
    #[must_use]
    pub fn not_supported(
        field: impl Into<String>,
        value: impl Into<serde_json::Value>,
        supported: &[&str],
    ) -> Self {
        let quoted: Vec<String> = supported.iter().map(|s| format!("{s:?}")).collect();
        Self::new(
            FieldErrorType::NotSupported,
            field,
            Some(value.into()),
            format!("supported values: {}", quoted.join(", ")),
        )
    }

    /// `Forbidden`.
    #[must_use]
    pub fn forbidden(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(FieldErrorType::Forbidden, field, None, detail)
    }

    /// The message without the field path (the `message` of a Status cause).
    #[must_use]
    pub fn body(&self) -> String {
        let mut s = self.error_type.text().to_string();
        if let Some(text) = self
            .value_text
            .as_ref()
            .filter(|_| !self.error_type.omits_value())
        {
            s.push_str(": ");
            s.push_str(text);
        } else if let Some(value) = self
            .value
            .as_ref()
            .filter(|_| !self.error_type.omits_value())
        {
            s.push_str(": ");
            match value {
                serde_json::Value::String(text) => s.push_str(&format!("{text:?}")),
                other => s.push_str(&other.to_string()),
            }
        }
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }

    /// The Status cause for this error.
    #[must_use]
    pub fn to_cause(&self) -> StatusCause {
        StatusCause {
            reason: self.error_type.cause_reason().to_string(),
            message: self.body(),
            field: self.field.clone(),
        }
    }

    /// Several errors as the server joins them (`ErrorList.ToAggregate`): each distinct
    /// message once, in order; one alone, or `[e1, e2]`.
    ///
    /// ```
    /// use kobj_core::FieldError;
    ///
    /// let a = FieldError::required("spec.ports", "");
    /// let b = FieldError::required("spec.type", "");
    /// assert_eq!(FieldError::aggregate(&[a.clone(), a.clone()]), "spec.ports: Required value");
    /// assert_eq!(FieldError::aggregate(&[a.clone(), b, a]),
    ///     "[spec.ports: Required value, spec.type: Required value]");
    /// ```
    #[must_use]
    pub fn aggregate(errors: &[FieldError]) -> String {
        let mut messages: Vec<String> = Vec::with_capacity(errors.len());
        for e in errors {
            let m = e.to_string();
            if !messages.contains(&m) {
                messages.push(m);
            }
        }
        match messages.as_slice() {
            [one] => one.clone(),
            many => format!("[{}]", many.join(", ")),
        }
    }
}

/// `<field>: <body>`, as Go's `field.Error.Error()`; an error about the whole object (an
/// empty path, as `field.NewPath("")` gives) prints as `: <body>` there too.
impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.body())
    }
}
