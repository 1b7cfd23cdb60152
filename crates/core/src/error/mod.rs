//! One error model for every backend, classified like a Kubernetes `Status`.
//!
//! A failure the API server (or the fake) reports is [`Error::Api`] and carries the whole
//! [`Status`] body. Callers recognise errors by predicates ([`Error::is_not_found`], …) or by
//! [`Error::kind`], never by matching on message text.

use std::fmt;

pub use kube_core::Status;
pub use kube_core::response::{StatusCause, StatusDetails, StatusSummary};

use crate::resource::ResourceType;

mod field;
#[cfg(test)]
mod tests;

pub use field::{FieldError, FieldErrorType};

/// A boxed error from a lower layer (HTTP client, JSON decoder, file system).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// `Result` with kobj's [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every error a kobj backend returns.
#[derive(thiserror::Error, Debug)]
#[non_exhaustive]
pub enum Error {
    /// The API server answered with a failure `Status` (HTTP code, reason, message, details).
    #[error("{} ({}): {}", .0.reason, .0.code, .0.message)]
    Api(Box<Status>),
    /// The server could not be reached, or the connection broke.
    #[error("transport error: {message}")]
    Transport {
        /// What went wrong, with the URL where one is known.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<BoxError>,
    },
    /// A response or an object could not be decoded (bad JSON, or not the expected type).
    #[error("decode error: {message}")]
    Decode {
        /// What could not be decoded.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<BoxError>,
    },
    /// Client configuration could not be loaded: a missing kubeconfig, an unknown context.
    #[error("configuration error: {message}")]
    Config {
        /// What is wrong, naming the file or context.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<BoxError>,
    },
}

/// The category of an [`Error`], following the `reason` of a Kubernetes `Status` (and its HTTP
/// code when the reason is missing or unknown).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// 400 BadRequest.
    BadRequest,
    /// 401 Unauthorized.
    Unauthorized,
    /// 403 Forbidden.
    Forbidden,
    /// 404 NotFound.
    NotFound,
    /// 405 MethodNotAllowed.
    MethodNotAllowed,
    /// 406 NotAcceptable.
    NotAcceptable,
    /// 409 AlreadyExists.
    AlreadyExists,
    /// 409 Conflict.
    Conflict,
    /// 410 Expired (a too-old resourceVersion or continue token).
    Expired,
    /// 410 Gone.
    Gone,
    /// 413 RequestEntityTooLarge.
    RequestEntityTooLarge,
    /// 415 UnsupportedMediaType.
    UnsupportedMediaType,
    /// 422 Invalid, with field causes.
    Invalid,
    /// 429 TooManyRequests.
    TooManyRequests,
    /// 500 InternalError.
    Internal,
    /// 503 ServiceUnavailable.
    ServiceUnavailable,
    /// 504 Timeout (or 408 / ServerTimeout).
    Timeout,
    /// Any other failure Status.
    Other,
    /// The server could not be reached.
    Transport,
    /// A response or object could not be decoded.
    Decode,
    /// Client configuration could not be loaded.
    Config,
}

impl ErrorKind {
    /// Classifies a `Status` by its reason, falling back to its HTTP code (a 404 whose body is
    /// not a Status still counts as NotFound).
    #[must_use]
    pub fn of_status(status: &Status) -> Self {
        match status.reason.as_str() {
            "BadRequest" => Self::BadRequest,
            "Unauthorized" => Self::Unauthorized,
            "Forbidden" => Self::Forbidden,
            "NotFound" => Self::NotFound,
            "MethodNotAllowed" => Self::MethodNotAllowed,
            "NotAcceptable" => Self::NotAcceptable,
            "AlreadyExists" => Self::AlreadyExists,
            "Conflict" => Self::Conflict,
            "Expired" => Self::Expired,
            "Gone" => Self::Gone,
            "RequestEntityTooLarge" => Self::RequestEntityTooLarge,
            "UnsupportedMediaType" => Self::UnsupportedMediaType,
            "Invalid" => Self::Invalid,
            "TooManyRequests" => Self::TooManyRequests,
            "InternalError" => Self::Internal,
            "ServiceUnavailable" => Self::ServiceUnavailable,
            "Timeout" | "ServerTimeout" => Self::Timeout,
            _ => Self::of_code(status.code),
        }
    }

    /// Classifies a bare HTTP status code.
    #[must_use]
    pub fn of_code(code: u16) -> Self {
        match code {
            400 => Self::BadRequest,
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            405 => Self::MethodNotAllowed,
            406 => Self::NotAcceptable,
            408 | 504 => Self::Timeout,
            409 => Self::Conflict,
            410 => Self::Gone,
            413 => Self::RequestEntityTooLarge,
            415 => Self::UnsupportedMediaType,
            422 => Self::Invalid,
            429 => Self::TooManyRequests,
            500 => Self::Internal,
            503 => Self::ServiceUnavailable,
            _ => Self::Other,
        }
    }
}

impl Error {
    /// The category of this error.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Api(status) => ErrorKind::of_status(status),
            Error::Transport { .. } => ErrorKind::Transport,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::Config { .. } => ErrorKind::Config,
        }
    }

    /// The Status body, for errors the server reported.
    #[must_use]
    pub fn status(&self) -> Option<&Status> {
        match self {
            Error::Api(status) => Some(status),
            _ => None,
        }
    }

    /// The HTTP code of a server-reported error.
    #[must_use]
    pub fn code(&self) -> Option<u16> {
        self.status().map(|s| s.code)
    }

    /// The field causes of an Invalid (or other) Status; empty when there are none.
    #[must_use]
    pub fn causes(&self) -> &[StatusCause] {
        self.status()
            .and_then(|s| s.details.as_ref())
            .map(|d| d.causes.as_slice())
            .unwrap_or_default()
    }

    /// `true` for 404 NotFound.
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        self.kind() == ErrorKind::NotFound
    }
    /// `true` for 409 AlreadyExists.
    #[must_use]
    pub fn is_already_exists(&self) -> bool {
        self.kind() == ErrorKind::AlreadyExists
    }
    /// `true` for 409 Conflict (a stale resourceVersion, a failed precondition, an apply conflict).
    #[must_use]
    pub fn is_conflict(&self) -> bool {
        self.kind() == ErrorKind::Conflict
    }
    /// `true` for 422 Invalid.
    #[must_use]
    pub fn is_invalid(&self) -> bool {
        self.kind() == ErrorKind::Invalid
    }
    /// `true` for 403 Forbidden.
    #[must_use]
    pub fn is_forbidden(&self) -> bool {
        self.kind() == ErrorKind::Forbidden
    }
    /// `true` for 401 Unauthorized.
    #[must_use]
    pub fn is_unauthorized(&self) -> bool {
        self.kind() == ErrorKind::Unauthorized
    }
    /// `true` for 410 Expired or Gone: re-list and start again.
    #[must_use]
    pub fn is_expired(&self) -> bool {
        matches!(self.kind(), ErrorKind::Expired | ErrorKind::Gone)
    }
    /// `true` for 400 BadRequest.
    #[must_use]
    pub fn is_bad_request(&self) -> bool {
        self.kind() == ErrorKind::BadRequest
    }
    /// `true` for 405 MethodNotAllowed.
    #[must_use]
    pub fn is_method_not_allowed(&self) -> bool {
        self.kind() == ErrorKind::MethodNotAllowed
    }
    /// `true` for 415 UnsupportedMediaType.
    #[must_use]
    pub fn is_unsupported_media_type(&self) -> bool {
        self.kind() == ErrorKind::UnsupportedMediaType
    }
    /// `true` for 429 TooManyRequests.
    #[must_use]
    pub fn is_too_many_requests(&self) -> bool {
        self.kind() == ErrorKind::TooManyRequests
    }
    /// `true` for 504 Timeout.
    #[must_use]
    pub fn is_timeout(&self) -> bool {
        self.kind() == ErrorKind::Timeout
    }
    /// `true` for 500 InternalError.
    #[must_use]
    pub fn is_internal(&self) -> bool {
        self.kind() == ErrorKind::Internal
    }
    /// `true` when the server could not be reached.
    #[must_use]
    pub fn is_transport(&self) -> bool {
        self.kind() == ErrorKind::Transport
    }
    /// `true` when a response or object could not be decoded.
    #[must_use]
    pub fn is_decode(&self) -> bool {
        self.kind() == ErrorKind::Decode
    }

    /// The server's `retryAfterSeconds` hint, if any.
    #[must_use]
    pub fn retry_after_seconds(&self) -> Option<u32> {
        self.status()
            .and_then(|s| s.details.as_ref())
            .map(|d| d.retry_after_seconds)
            .filter(|s| *s > 0)
    }

    // ----- constructors: the API server's texts (k8s.io/apimachinery pkg/api/errors) -----

    /// A failure Status with the given code, reason and message.
    #[must_use]
    pub fn from_parts(code: u16, reason: &str, message: impl Into<String>) -> Self {
        Error::Api(Box::new(Status {
            status: Some(StatusSummary::Failure),
            code,
            message: message.into(),
            metadata: None,
            reason: reason.to_string(),
            details: None,
        }))
    }

    /// Adds details to a Status error (no-op on other errors).
    #[must_use]
    pub fn with_details(mut self, details: StatusDetails) -> Self {
        if let Error::Api(status) = &mut self {
            status.details = Some(details);
        }
        self
    }

    fn with_object(self, rt: &ResourceType, name: &str) -> Self {
        self.with_details(StatusDetails {
            name: name.to_string(),
            group: rt.api.group.clone(),
            kind: rt.api.plural.clone(),
            ..empty_details()
        })
    }

    /// 404 `<qr> "<name>" not found`.
    #[must_use]
    pub fn not_found(rt: &ResourceType, name: &str) -> Self {
        Self::from_parts(
            404,
            "NotFound",
            format!("{} {name:?} not found", rt.qualified_resource()),
        )
        .with_object(rt, name)
    }

    /// 409 `<qr> "<name>" already exists`.
    #[must_use]
    pub fn already_exists(rt: &ResourceType, name: &str) -> Self {
        Self::from_parts(
            409,
            "AlreadyExists",
            format!("{} {name:?} already exists", rt.qualified_resource()),
        )
        .with_object(rt, name)
    }

    /// 409 `Operation cannot be fulfilled on <qr> "<name>": <cause>`.
    #[must_use]
    pub fn conflict(rt: &ResourceType, name: &str, cause: impl fmt::Display) -> Self {
        Self::from_parts(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} {name:?}: {cause}",
                rt.qualified_resource()
            ),
        )
        .with_object(rt, name)
    }

    /// The Conflict for a stale resourceVersion.
    #[must_use]
    pub fn stale(rt: &ResourceType, name: &str) -> Self {
        Self::conflict(rt, name, OPTIMISTIC_LOCK_ERROR)
    }

    /// 422 `<Kind[.group]> "<name>" is invalid: <errs>` with one cause per field error.
    #[must_use]
    pub fn invalid(rt: &ResourceType, name: &str, errors: &[FieldError]) -> Self {
        Self::invalid_kind(
            &rt.qualified_kind(),
            &rt.api.kind,
            &rt.api.group,
            name,
            errors,
        )
    }

    /// 422 Invalid for a qualified kind that is not a resource type (e.g.
    /// `ListOptions.meta.k8s.io`): `kind` and `group` go to the details.
    #[must_use]
    pub fn invalid_kind(
        qualified_kind: &str,
        kind: &str,
        group: &str,
        name: &str,
        errors: &[FieldError],
    ) -> Self {
        let message = format!(
            "{qualified_kind} {name:?} is invalid: {}",
            FieldError::aggregate(errors)
        );
        Self::from_parts(422, "Invalid", message).with_details(StatusDetails {
            name: name.to_string(),
            group: group.to_string(),
            kind: kind.to_string(),
            causes: errors.iter().map(FieldError::to_cause).collect(),
            ..empty_details()
        })
    }

    /// 400 BadRequest with the given message.
    #[must_use]
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::from_parts(400, "BadRequest", message)
    }

    /// 403 `<qr> "<name>" is forbidden: <why>` (or `<qr> is forbidden: <why>` without a name).
    #[must_use]
    pub fn forbidden(rt: &ResourceType, name: &str, why: impl fmt::Display) -> Self {
        let qr = rt.qualified_resource();
        let message = if name.is_empty() {
            format!("{qr} is forbidden: {why}")
        } else {
            format!("{qr} {name:?} is forbidden: {why}")
        };
        Self::from_parts(403, "Forbidden", message).with_object(rt, name)
    }

    /// 401 Unauthorized.
    #[must_use]
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::from_parts(401, "Unauthorized", message)
    }

    /// 410 Expired (a too-old resourceVersion or continue token).
    #[must_use]
    pub fn expired(message: impl Into<String>) -> Self {
        Self::from_parts(410, "Expired", message)
    }

    /// 405 `<verb> is not supported on resources of kind "<qr>"`.
    #[must_use]
    pub fn method_not_allowed(rt: &ResourceType, action: &str) -> Self {
        Self::from_parts(
            405,
            "MethodNotAllowed",
            format!(
                "{action} is not supported on resources of kind {:?}",
                rt.qualified_resource()
            ),
        )
        .with_object(rt, "")
    }

    /// 422 for a patch the server's patch library could not apply (a failed JSON Patch
    /// operation, a strategic merge patch it cannot merge): `the server rejected our request
    /// due to an error in our request`, with empty details, as `NewGenericServerResponse`
    /// builds it; `cause` (when given) is the library's error as an `UnexpectedServerResponse`
    /// cause, as the strategic merge patch handler reports it.
    #[must_use]
    pub fn patch_rejected(cause: Option<&str>) -> Self {
        let causes = cause
            .map(|message| {
                vec![StatusCause {
                    reason: "UnexpectedServerResponse".into(),
                    message: message.to_string(),
                    field: String::new(),
                }]
            })
            .unwrap_or_default();
        Self::from_parts(
            422,
            "Invalid",
            "the server rejected our request due to an error in our request",
        )
        .with_details(StatusDetails {
            causes,
            ..empty_details()
        })
    }

    /// 405 for a method its path has no route for: `the server does not allow this method on
    /// the requested resource`, with empty details (the API server's go-restful 405, through
    /// `NewGenericServerResponse`), e.g. PUT on a collection or POST on a named object.
    #[must_use]
    pub fn method_not_routed() -> Self {
        Self::from_parts(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
        )
        .with_details(empty_details())
    }

    /// 415 UnsupportedMediaType, naming the media types the endpoint accepts. The server's
    /// Status (`negotiation.errUnsupportedMediaType`) has no details: the refused type is not
    /// named.
    #[must_use]
    pub fn unsupported_media_type(accepted: &[&str]) -> Self {
        Self::from_parts(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: {}",
                accepted.join(", ")
            ),
        )
    }

    /// 413 `Request entity too large: <message>`.
    #[must_use]
    pub fn request_entity_too_large(message: impl fmt::Display) -> Self {
        Self::from_parts(
            413,
            "RequestEntityTooLarge",
            format!("Request entity too large: {message}"),
        )
    }

    /// 429 TooManyRequests with a retry hint.
    #[must_use]
    pub fn too_many_requests(message: impl Into<String>, retry_after_seconds: u32) -> Self {
        Self::from_parts(429, "TooManyRequests", message).with_details(StatusDetails {
            retry_after_seconds,
            ..empty_details()
        })
    }

    /// 504 `Timeout: <message>`.
    #[must_use]
    pub fn timeout(message: impl fmt::Display) -> Self {
        Self::from_parts(504, "Timeout", format!("Timeout: {message}"))
    }

    /// 500 `Internal error occurred: <message>`.
    #[must_use]
    pub fn internal(message: impl fmt::Display) -> Self {
        let message = message.to_string();
        Self::from_parts(
            500,
            "InternalError",
            format!("Internal error occurred: {message}"),
        )
        .with_details(StatusDetails {
            causes: vec![StatusCause {
                reason: String::new(),
                message,
                field: String::new(),
            }],
            ..empty_details()
        })
    }

    /// A transport failure.
    #[must_use]
    pub fn transport(message: impl Into<String>, source: Option<BoxError>) -> Self {
        Error::Transport {
            message: message.into(),
            source,
        }
    }

    /// A decode failure.
    #[must_use]
    pub fn decode(message: impl Into<String>, source: Option<BoxError>) -> Self {
        Error::Decode {
            message: message.into(),
            source,
        }
    }

    /// A configuration failure.
    #[must_use]
    pub fn config(message: impl Into<String>, source: Option<BoxError>) -> Self {
        Error::Config {
            message: message.into(),
            source,
        }
    }
}

impl From<Status> for Error {
    fn from(status: Status) -> Self {
        Error::Api(Box::new(status))
    }
}

impl From<crate::selector::SelectorError> for Error {
    /// A selector that does not parse is a 400 BadRequest with the parser's text, as the API
    /// server answers.
    fn from(err: crate::selector::SelectorError) -> Self {
        Error::bad_request(err.message())
    }
}

/// The cause of a Conflict for a stale resourceVersion.
pub const OPTIMISTIC_LOCK_ERROR: &str =
    "the object has been modified; please apply your changes to the latest version and try again";

/// Empty details to fill with struct-update syntax (kube-core's `StatusDetails` has no
/// `Default`).
#[must_use]
pub fn empty_details() -> StatusDetails {
    StatusDetails {
        name: String::new(),
        group: String::new(),
        kind: String::new(),
        uid: String::new(),
        causes: Vec::new(),
        retry_after_seconds: 0,
    }
}
