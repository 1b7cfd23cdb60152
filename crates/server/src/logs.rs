//! `GET pods/<name>/log` (`kubectl logs`, kube-rs `Api::<Pod>::logs`): the query's
//! `PodLogOptions`, answered as plain text by [`FakeCluster::pod_log`](kobj_fake::FakeCluster::pod_log).

use axum::response::Response;
use bytes::Bytes;
use http::StatusCode;
use k8s_openapi::jiff::Timestamp;
use kobj_core::{Error, Result};
use kube_core::subresource::LogParams;

use crate::params::Query;
use crate::respond;

/// The query parameters of a log request, with the server's 400 for one that does not parse.
fn log_params(q: &Query) -> Result<LogParams> {
    let since_time = q
        .non_empty("sinceTime")
        .map(|t| {
            t.parse::<Timestamp>().map_err(|_| {
                Error::bad_request(format!(
                    "parsing time {t:?} as \"2006-01-02T15:04:05Z07:00\": cannot parse {t:?} \
                     (query parameter sinceTime)"
                ))
            })
        })
        .transpose()?;
    Ok(LogParams {
        container: q.non_empty("container").map(ToString::to_string),
        follow: q.flag("follow")?.unwrap_or(false),
        limit_bytes: q.int("limitBytes")?,
        pretty: false,
        previous: q.flag("previous")?.unwrap_or(false),
        since_seconds: q.int("sinceSeconds")?,
        since_time,
        tail_lines: q.int("tailLines")?,
        timestamps: q.flag("timestamps")?.unwrap_or(false),
    })
}

/// Answers the log of one container of the Pod `namespace/name`.
pub(crate) fn serve(
    cluster: &kobj_fake::FakeCluster,
    namespace: &str,
    name: &str,
    q: &Query,
) -> Result<Response> {
    let params = log_params(q)?;
    let text = cluster.pod_log(namespace, name, &params)?;
    Ok(respond::bytes_response(
        StatusCode::OK,
        "text/plain",
        Bytes::from(text),
    ))
}
