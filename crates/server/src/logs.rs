//! `GET pods/<name>/log` (`kubectl logs`, kube-rs `Api::<Pod>::logs`): the query's
//! `PodLogOptions`, answered as plain text by [`FakeCluster::pod_log`](kobj_fake::FakeCluster::pod_log).

use std::convert::Infallible;

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use futures::StreamExt;
use http::{HeaderValue, StatusCode};
use k8s_openapi::jiff::Timestamp;
use kobj_core::{Error, Result};
use kube_core::subresource::LogParams;

use crate::app::App;
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

/// Answers the log of one container of the Pod `namespace/name`; with `follow`, a body
/// that goes on with each line written until the run ends, the Pod goes, or the server
/// shuts down.
pub(crate) fn serve(app: &App, namespace: &str, name: &str, q: &Query) -> Result<Response> {
    let params = log_params(q)?;
    if !params.follow {
        let text = app.cluster.pod_log(namespace, name, &params)?;
        return Ok(respond::bytes_response(
            StatusCode::OK,
            TEXT,
            Bytes::from(text),
        ));
    }
    let chunks = app.cluster.pod_log_stream(namespace, name, &params)?;
    let stop = app.shutdown.clone();
    let stopped = async move {
        match stop {
            Some(mut rx) => {
                let _ = rx.wait_for(|stop| *stop).await;
            }
            None => futures::future::pending::<()>().await,
        }
    };
    let body = chunks
        .map(|chunk| Ok::<_, Infallible>(Bytes::from(chunk)))
        .take_until(stopped);
    let mut resp = Response::new(Body::from_stream(body));
    resp.headers_mut()
        .insert(http::header::CONTENT_TYPE, HeaderValue::from_static(TEXT));
    Ok(resp)
}

/// The content type of a log.
const TEXT: &str = "text/plain";
