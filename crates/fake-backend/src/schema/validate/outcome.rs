//! What a validation reports: kube-openapi's errors ([`Failure`], by [`Code`]), their results
//! ([`Outcome`]), and apiextensions' conversion of them into field errors.

use kobj_core::{FieldError, FieldErrorType};
use serde_json::Value;

use super::super::go;
use super::super::{NIL_PATH, Path};

/// What kind of kube-openapi error a failure is; it decides the field error type.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Code {
    InvalidType,
    Required,
    TooLong,
    Enum,
    MaxItems,
    TooManyProperties,
    Other,
    /// A composite error (`errors.New`), reported at the nil path.
    Composite,
}

/// One kube-openapi validation error.
#[derive(Clone, Debug)]
pub(super) struct Failure {
    pub(super) code: Code,
    /// The kube-openapi name (path) of the error.
    pub(super) name: String,
    /// `Validation.Value`.
    pub(super) value: Option<Value>,
    /// `Validation.Valid` (the limit), for too-long and too-many errors.
    pub(super) valid: Option<i64>,
    /// The allowed values of an enum.
    pub(super) values: Vec<Value>,
    pub(super) message: String,
}

impl Failure {
    pub(super) fn new(code: Code, path: &Path<'_>, value: Option<Value>, message: String) -> Self {
        Self {
            code,
            name: path.openapi(),
            value,
            valid: None,
            values: Vec::new(),
            message,
        }
    }

    /// apiextensions' `kubeOpenAPIResultToFieldErrors` with the base path `base` (nil when
    /// `None`).
    pub(super) fn into_field_error_at(self, base: Option<&str>) -> FieldError {
        let base_text = base.unwrap_or(NIL_PATH);
        if self.code == Code::Composite {
            return FieldError::invalid(base_text, Value::String(String::new()), self.message);
        }
        let field = if self.name.is_empty() || self.name == "." {
            base_text.to_string()
        } else {
            let name = self.name.strip_prefix('.').unwrap_or(&self.name);
            match base {
                Some(b) => format!("{b}.{name}"),
                None => name.to_string(),
            }
        };
        let value = self.value.unwrap_or_else(|| Value::String(String::new()));
        match self.code {
            Code::Required => FieldError::required(field, ""),
            Code::Enum => {
                let quoted: Vec<String> = self
                    .values
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => go::quote(s),
                        other => go::quote(&go::json(other)),
                    })
                    .collect();
                let detail = if quoted.is_empty() {
                    String::new()
                } else {
                    format!("supported values: {}", quoted.join(", "))
                };
                FieldError::new(FieldErrorType::NotSupported, field, Some(value), detail)
            }
            Code::TooLong => {
                let max = self.valid.unwrap_or(-1);
                let detail = match max {
                    1 => "may not be more than 1 byte".to_string(),
                    m if m >= 0 => format!("may not be more than {m} bytes"),
                    _ => "value is too long".to_string(),
                };
                FieldError::new(FieldErrorType::TooLong, field, None, detail)
            }
            Code::MaxItems | Code::TooManyProperties => {
                let actual = value.as_i64().filter(|a| *a >= 0);
                let max = self.valid.unwrap_or(-1);
                let detail = match max {
                    1 => "must have at most 1 item".to_string(),
                    m if m >= 0 => format!("must have at most {m} items"),
                    _ => "has too many items".to_string(),
                };
                FieldError::new(
                    FieldErrorType::TooMany,
                    field,
                    actual.map(Value::from),
                    detail,
                )
            }
            Code::InvalidType => FieldError::new(
                FieldErrorType::TypeInvalid,
                field,
                Some(value),
                self.message,
            ),
            Code::Other | Code::Composite => FieldError::invalid(field, value, self.message),
        }
    }
}

/// A kube-openapi `Result`: errors (unique by message) and the match count used to pick the
/// most relevant failing alternative of `anyOf`/`oneOf`.
#[derive(Debug, Default)]
pub(super) struct Outcome {
    pub(super) errors: Vec<Failure>,
    pub(super) matches: u32,
}

impl Outcome {
    pub(super) fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    pub(super) fn add(&mut self, failure: Failure) {
        if !self
            .errors
            .iter()
            .any(|e| e.message == failure.message && e.code == failure.code)
        {
            self.errors.push(failure);
        }
    }

    pub(super) fn merge(&mut self, other: Outcome) {
        self.matches += other.matches;
        for e in other.errors {
            self.add(e);
        }
    }

    pub(super) fn failed(failure: Failure) -> Outcome {
        Outcome {
            errors: vec![failure],
            matches: 0,
        }
    }
}
