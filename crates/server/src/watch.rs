//! Watch over HTTP (rules 34–41): a 200 chunked `application/json` stream of one JSON event per
//! line, bounded by a permit per open watch (429 when none is left), ending when the fake's
//! stream ends (timeoutSeconds, an ERROR event) or the client goes away.

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use futures::StreamExt;
use http::StatusCode;
use kobj_core::selector::FieldSelector;
use kobj_core::{Error, Result, SharedWatchStream};
use kube_core::{DynamicObject, WatchEvent};
use serde_json::{Value, json};
use tokio::sync::OwnedSemaphorePermit;

use crate::negotiate::{Format, Offers};
use crate::params;
use crate::resource::Ctx;
use crate::respond;
use crate::table::{self, IncludeObject};

const WATCH_OFFERS: Offers = Offers {
    tables: true,
    aggregated_discovery: false,
    yaml: false,
};

/// Serves a watch on the collection of `ctx`, or on one object (`name`, from the deprecated
/// `/watch/` path): a conflicting `metadata.name` field selector is a 400 (rule 43).
pub(crate) async fn serve(ctx: &mut Ctx<'_>, name: Option<&str>) -> Result<Response> {
    let format = crate::negotiate::negotiate(ctx.req.header(http::header::ACCEPT), WATCH_OFFERS)?;
    let (mut wp, rv) = params::watch_params(&ctx.query)?;
    if let Some(name) = name {
        match wp.field_selector.as_deref() {
            Some(fs) => {
                let selector = FieldSelector::parse(fs)?;
                if selector.value_for("metadata.name") != Some(name) {
                    return Err(Error::bad_request(
                        "fieldSelector metadata.name doesn't match requested name",
                    ));
                }
            }
            None => wp.field_selector = Some(format!("metadata.name={name}")),
        }
    }
    let permit =
        ctx.app.watches.clone().try_acquire_owned().map_err(|_| {
            Error::too_many_requests("Too many requests, please try again later.", 1)
        })?;
    // Shared events: every HTTP watcher of a change renders from the same object instead of
    // a copy of its own.
    let events = ctx
        .api()
        .watch_objects_shared(ctx.rt(), ctx.ns, &wp, &rv)
        .await?;
    let render = Render {
        format,
        info: ctx.info.clone(),
        include: IncludeObject::parse(ctx.query.get("includeObject")),
        clock: ctx.app.cluster.clock().clone(),
    };
    tracing::debug!(
        resource = %ctx.rt().qualified_resource(),
        namespace = ctx.ns.unwrap_or_default(),
        resource_version = %rv,
        "watch opened"
    );
    let stop = ctx.app.shutdown.clone();
    let stopped = async move {
        match stop {
            Some(mut rx) => {
                let _ = rx.wait_for(|stop| *stop).await;
            }
            None => futures::future::pending::<()>().await,
        }
    };
    let body = Body::from_stream(lines(events, render, permit).take_until(stopped));
    let mut resp = Response::new(body);
    *resp.status_mut() = StatusCode::OK;
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static(respond::JSON),
    );
    Ok(resp)
}

/// How events are rendered.
struct Render {
    format: Format,
    info: std::sync::Arc<kobj_fake::TypeInfo>,
    include: IncludeObject,
    clock: kobj_fake::Clock,
}

impl Render {
    fn object(&self, obj: &DynamicObject) -> Value {
        let value = serde_json::to_value(obj).unwrap_or(Value::Null);
        match self.format {
            Format::Table => table::table(
                &self.info,
                std::slice::from_ref(&value),
                json!({"resourceVersion": value.pointer("/metadata/resourceVersion").cloned().unwrap_or(Value::Null)}),
                self.include,
                self.clock.now(),
            ),
            Format::PartialMetadata => table::partial_metadata(&value),
            _ => value,
        }
    }

    /// One line: `{"type":…,"object":…}\n`.
    fn line(&self, event: &WatchEvent<std::sync::Arc<DynamicObject>>) -> Bytes {
        let (kind, object) = match event {
            WatchEvent::Added(o) => ("ADDED", self.object(o)),
            WatchEvent::Modified(o) => ("MODIFIED", self.object(o)),
            WatchEvent::Deleted(o) => ("DELETED", self.object(o)),
            WatchEvent::Bookmark(b) => ("BOOKMARK", serde_json::to_value(b).unwrap_or(Value::Null)),
            WatchEvent::Error(status) => ("ERROR", respond::status_value(status)),
        };
        encode_line(kind, &object)
    }
}

fn encode_line(kind: &str, object: &Value) -> Bytes {
    let mut buf = serde_json::to_vec(&json!({"type": kind, "object": object}))
        .unwrap_or_else(|_| b"{}".to_vec());
    buf.push(b'\n');
    Bytes::from(buf)
}

/// The event stream as lines; the permit is released when the body is dropped.
fn lines(
    events: SharedWatchStream,
    render: Render,
    permit: OwnedSemaphorePermit,
) -> impl futures::Stream<Item = std::result::Result<Bytes, std::convert::Infallible>> + Send + 'static
{
    struct State {
        events: SharedWatchStream,
        render: Render,
        done: bool,
        _permit: OwnedSemaphorePermit,
    }
    let state = State {
        events,
        render,
        done: false,
        _permit: permit,
    };
    futures::stream::unfold(state, |mut st| async move {
        if st.done {
            return None;
        }
        let line = match st.events.next().await? {
            Ok(event) => {
                st.done = matches!(event, WatchEvent::Error(_));
                st.render.line(&event)
            }
            Err(e) => {
                st.done = true;
                encode_line("ERROR", &respond::status_value(&respond::error_status(&e)))
            }
        };
        Some((Ok(line), st))
    })
}
