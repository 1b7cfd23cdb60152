//! Mapping every `kube::Error` into kobj's one error model ([`kobj_core::Error`]), with the same
//! category the fake returns for the same situation.
//!
//! | kube-rs error | kobj error |
//! |---|---|
//! | `Api(status)` with a JSON `Status` body | [`Error::Api`] with the whole Status, unchanged |
//! | `Api(status)` that kube-client rebuilt from a body that was not a Status (a proxy's HTML, the API server's plain-text `404 page not found` for a path it does not serve) | [`Error::Api`] with the Status client-go builds for such a response (`NewGenericServerResponse`): reason from the HTTP code (404 → NotFound, 409 on POST → AlreadyExists, …) and the body as an `UnexpectedServerResponse` cause |
//! | `HyperError`, `Service` (connection refused, TLS handshake, timeouts), `ReadEvents` | [`Error::Transport`] naming the method and URL |
//! | `SerdeError`, `FromUtf8`, `LinesCodecMaxLineLengthExceeded` | [`Error::Decode`] |
//! | `InferConfig`, `InferKubeconfig`, TLS and proxy set-up, `Auth` | [`Error::Config`] |
//! | `BuildRequest` (a parameter kube-rs refuses before sending) | 400 BadRequest |
//! | `Discovery` | 404 NotFound |
//!
//! Messages never include request or response bodies of successful calls, headers, or
//! credentials: a bearer token cannot reach an error's `Display` or `Debug` through here.

use std::fmt::Write as _;

use kobj_core::error::{StatusCause, StatusDetails, empty_details};
use kobj_core::{Error, ResourceType};
use kube_core::Status;

/// The reason kube-client puts on a `Status` it rebuilt from a non-Status error body
/// (kube-client `handle_api_errors`).
pub(crate) const KUBE_UNPARSED_REASON: &str = "Failed to parse error data";

/// What a failed call was doing, for error messages: the HTTP method, the resource, the
/// namespace and name, the subresource, and the server URL when known.
#[derive(Clone, Copy)]
pub(crate) struct Call<'a> {
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    pub method: &'static str,
    /// The resource type addressed.
    pub rt: &'a ResourceType,
    /// The namespace in the path, if any.
    pub namespace: Option<&'a str>,
    /// The object name, empty for collection calls.
    pub name: &'a str,
    /// `status` or `scale`, if a subresource is addressed.
    pub subresource: Option<&'static str>,
    /// The API server's base URL, when the backend knows it.
    pub server: Option<&'a str>,
    /// A path to show instead of the resource path (discovery documents, `/version`).
    pub path: Option<&'a str>,
}

impl Call<'_> {
    /// The request path, as kube-rs builds it.
    pub(crate) fn path(&self) -> String {
        if let Some(path) = self.path {
            return path.to_string();
        }
        let mut path = if self.rt.api.group.is_empty() {
            format!("/api/{}", self.rt.api.version)
        } else {
            format!("/apis/{}/{}", self.rt.api.group, self.rt.api.version)
        };
        if let Some(ns) = self.namespace {
            let _ = write!(path, "/namespaces/{ns}");
        }
        if !self.rt.api.plural.is_empty() {
            let _ = write!(path, "/{}", self.rt.api.plural);
        }
        if !self.name.is_empty() {
            let _ = write!(path, "/{}", self.name);
        }
        if let Some(sub) = self.subresource {
            let _ = write!(path, "/{sub}");
        }
        path
    }

    /// `GET https://host:6443/api/v1/...`, or the path alone when the server is unknown.
    pub(crate) fn target(&self) -> String {
        let server = self.server.unwrap_or("").trim_end_matches('/');
        format!("{} {server}{}", self.method, self.path())
    }
}

/// Maps a kube-rs error raised by a call into the core model.
pub(crate) fn map_error(err: kube::Error, call: &Call<'_>) -> Error {
    match err {
        kube::Error::Api(status) => map_status(*status, call),
        kube::Error::HyperError(e) => transport(call, Box::new(e)),
        kube::Error::Service(e) => transport(call, e),
        kube::Error::ReadEvents(e) => transport(call, Box::new(e)),
        kube::Error::SerdeError(e) => Error::decode(
            format!("cannot decode the response to {}: {e}", call.target()),
            Some(Box::new(e)),
        ),
        kube::Error::FromUtf8(e) => Error::decode(
            format!("the response to {} is not UTF-8: {e}", call.target()),
            Some(Box::new(e)),
        ),
        kube::Error::LinesCodecMaxLineLengthExceeded => Error::decode(
            format!("a watch event from {} is too long", call.target()),
            None,
        ),
        kube::Error::BuildRequest(e) => Error::bad_request(format!("{e}")),
        kube::Error::HttpError(e) => Error::bad_request(format!("invalid request: {e}")),
        kube::Error::Discovery(e) => Error::from_parts(404, "NotFound", format!("{e}")),
        other => map_setup_error(other),
    }
}

/// Maps a kube-rs error raised while building a client or loading configuration.
pub(crate) fn map_setup_error(err: kube::Error) -> Error {
    let message = match &err {
        kube::Error::Auth(e) => format!("cannot set up authentication: {e}"),
        other => format!("{other}"),
    };
    Error::config(message, Some(Box::new(err)))
}

fn transport(call: &Call<'_>, source: kobj_core::error::BoxError) -> Error {
    let chain = error_chain(source.as_ref());
    let what = if chain_has_timeout(source.as_ref()) {
        "timed out talking to the API server"
    } else {
        "cannot reach the API server"
    };
    Error::transport(
        format!("{what} for {}: {chain}", call.target()),
        Some(source),
    )
}

/// `outer: inner: innermost`, skipping repeated texts.
pub(crate) fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut current = err.source();
    let mut depth = 0;
    while let Some(e) = current {
        let text = e.to_string();
        if !out.ends_with(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        current = e.source();
        depth += 1;
        if depth > 16 {
            break;
        }
    }
    out
}

fn chain_has_timeout(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(err);
    let mut depth = 0;
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::TimedOut
        {
            return true;
        }
        if e.is::<tokio::time::error::Elapsed>() {
            return true;
        }
        current = e.source();
        depth += 1;
        if depth > 16 {
            break;
        }
    }
    false
}

/// Keeps a server Status as it is, and turns a Status kube-client rebuilt from a non-Status
/// body into the one client-go builds.
pub(crate) fn map_status(status: Status, call: &Call<'_>) -> Error {
    if status.reason == KUBE_UNPARSED_REASON {
        return generic_server_response(status.code, call, &status.message);
    }
    Error::Api(Box::new(status))
}

/// apimachinery `NewGenericServerResponse(code, verb, qualifiedResource, name, serverMessage,
/// 0, true)`: the Status client-go reports for an error response whose body is not a Status.
pub(crate) fn generic_server_response(code: u16, call: &Call<'_>, body: &str) -> Error {
    let (reason, mut message) = match code {
        409 if call.method == "POST" => ("AlreadyExists", "the server reported a conflict".into()),
        409 => ("Conflict", "the server reported a conflict".into()),
        404 => (
            "NotFound",
            "the server could not find the requested resource".into(),
        ),
        400 => (
            "BadRequest",
            "the server rejected our request for an unknown reason".into(),
        ),
        401 => (
            "Unauthorized",
            "the server has asked for the client to provide credentials".into(),
        ),
        403 => ("Forbidden", body.to_string()),
        405 => (
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource".into(),
        ),
        422 => (
            "Invalid",
            "the server rejected our request due to an error in our request".into(),
        ),
        504 => (
            "Timeout",
            "the server was unable to return a response in the time allotted, but may still be processing the request".into(),
        ),
        429 => (
            "TooManyRequests",
            "the server has received too many requests and has asked us to try again later".into(),
        ),
        c if c >= 500 => (
            "InternalError",
            format!("an error on the server ({body:?}) has prevented the request from succeeding"),
        ),
        c => (
            "Unknown",
            format!("the server responded with the status code {c} but did not return more information"),
        ),
    };
    let qualified = call.rt.qualified_resource();
    let verb = call.method.to_ascii_lowercase();
    if call.name.is_empty() {
        let _ = write!(message, " ({verb} {qualified})");
    } else {
        let _ = write!(message, " ({verb} {qualified} {})", call.name);
    }
    Error::from_parts(code, reason, message).with_details(StatusDetails {
        name: call.name.to_string(),
        group: call.rt.api.group.clone(),
        kind: call.rt.api.plural.clone(),
        causes: vec![StatusCause {
            reason: "UnexpectedServerResponse".into(),
            message: body.to_string(),
            field: String::new(),
        }],
        ..empty_details()
    })
}

/// Whether an error is a 404 for a path the server does not serve at all (the plain-text
/// `404 page not found`), as opposed to a missing object: the sign that a cached discovery
/// answer is stale.
pub(crate) fn is_unserved_path(err: &Error) -> bool {
    err.code() == Some(404)
        && err
            .causes()
            .iter()
            .any(|c| c.reason == "UnexpectedServerResponse")
}

#[cfg(test)]
mod tests {
    use super::*;
    use kobj_core::ApiResource;
    use kube_core::GroupVersionKind;

    fn widgets() -> ResourceType {
        let gvk = GroupVersionKind::gvk("example.com", "v1", "Widget");
        ResourceType::namespaced(ApiResource::from_gvk_with_plural(&gvk, "widgets"))
    }

    fn call<'a>(rt: &'a ResourceType, method: &'static str, name: &'a str) -> Call<'a> {
        Call {
            method,
            rt,
            namespace: Some("lab"),
            name,
            subresource: None,
            server: Some("https://k8s.example:6443/"),
            path: None,
        }
    }

    #[test]
    fn paths_and_targets() {
        let rt = widgets();
        let mut c = call(&rt, "GET", "w1");
        assert_eq!(c.path(), "/apis/example.com/v1/namespaces/lab/widgets/w1");
        c.subresource = Some("status");
        assert_eq!(
            c.target(),
            "GET https://k8s.example:6443/apis/example.com/v1/namespaces/lab/widgets/w1/status"
        );
        let cm = ResourceType::of::<k8s_openapi::api::core::v1::ConfigMap>();
        let c = Call {
            namespace: None,
            server: None,
            ..call(&cm, "GET", "")
        };
        assert_eq!(c.target(), "GET /api/v1/configmaps");
    }

    #[test]
    fn plain_text_404_is_not_found_like_client_go() {
        let rt = widgets();
        let rebuilt = Status::failure("404 page not found", KUBE_UNPARSED_REASON).with_code(404);
        let err = map_status(rebuilt, &call(&rt, "GET", "w1"));
        assert!(err.is_not_found());
        assert_eq!(
            err.status().map(|s| s.message.as_str()),
            Some("the server could not find the requested resource (get widgets.example.com w1)")
        );
        assert!(is_unserved_path(&err));
        assert_eq!(err.causes()[0].message, "404 page not found");
    }

    #[test]
    fn plain_text_409_depends_on_the_method() {
        let rt = widgets();
        let post = generic_server_response(409, &call(&rt, "POST", ""), "conflict");
        assert!(post.is_already_exists());
        let put = generic_server_response(409, &call(&rt, "PUT", "w1"), "conflict");
        assert!(put.is_conflict());
        let boom = generic_server_response(502, &call(&rt, "GET", "w1"), "bad gateway");
        assert!(boom.is_internal());
        assert!(
            boom.to_string()
                .contains("an error on the server (\"bad gateway\")")
        );
        let odd = generic_server_response(418, &call(&rt, "GET", "w1"), "teapot");
        assert_eq!(odd.kind(), kobj_core::ErrorKind::Other);
    }

    #[test]
    fn a_real_status_is_kept_whole() {
        let rt = widgets();
        let status = Status::failure("widgets.example.com \"w1\" not found", "NotFound")
            .with_code(404)
            .with_details(StatusDetails {
                name: "w1".into(),
                ..empty_details()
            });
        let err = map_status(status.clone(), &call(&rt, "GET", "w1"));
        assert_eq!(err.status(), Some(&status));
        assert!(!is_unserved_path(&err));
    }
}
