//! Watching: the raw stream behind [`CustomObjects::watch_objects`], and
//! [`ResilientWatch`], which survives disconnects and expired versions.
//!
//! # The raw stream
//! `watch_objects` sends exactly kube-rs's watch request (`Api::watch`: `?watch=true`,
//! `timeoutSeconds` — kube-rs's default 290 unless set —, selectors, `allowWatchBookmarks`,
//! `sendInitialEvents`, `resourceVersion`, and `Accept-Encoding: identity`), then reads the
//! response one JSON line at a time:
//!
//! - every event arrives as sent: ADDED, MODIFIED, DELETED, BOOKMARK, and ERROR as
//!   [`WatchEvent::Error`] (a too-old resourceVersion is an ERROR event with a 410 Status);
//! - the stream ends when the server closes it (its `timeoutSeconds` ran out);
//! - a connection that breaks mid-stream yields one `Err` (Transport, naming the URL) and then
//!   ends. kube-rs's own `Api::watch` instead ends quietly on a broken connection, which a
//!   consumer cannot tell from a normal close; that is the one reason this backend reads the
//!   stream itself;
//! - a line that is not an event yields a Decode `Err` (a bare Status line, an `Api` `Err`), and
//!   the stream goes on.
//!
//! # The resilient stream
//! [`ResilientWatch`] (from [`KubeBackend::resilient_watch`]) lists, then watches from the
//! list's resourceVersion, and keeps going:
//!
//! - **Start.** Without [`from_list`](ResilientWatch::from_list) it lists the matching objects
//!   and yields each as ADDED, then live changes. With `from_list(list)` it takes `list` as what
//!   the consumer already has, yields nothing for it, and watches from its resourceVersion.
//! - **Live.** ADDED, MODIFIED, DELETED and BOOKMARK events are passed through as the server
//!   sends them, with two exceptions that only matter after a reconnect: an ADDED or MODIFIED
//!   for an object at exactly the resourceVersion already delivered is dropped (a duplicate),
//!   and a DELETED for an object never delivered is dropped.
//! - **Disconnect.** A clean close re-opens the watch at once from the last resourceVersion
//!   seen (object or bookmark). A broken connection, an undecodable line, or a transient error
//!   (Transport, 429, 500, 503, 504, and ERROR events with those codes) re-opens it from the
//!   same point after a backoff (exponential, from 100 ms to 30 s by default, reset by any
//!   event). A connection that closes without delivering anything counts as a failure.
//! - **410 Expired / Gone** (as an ERROR event or as the response to the watch request): it
//!   lists again and yields the difference from what it had delivered: ADDED for objects it
//!   never delivered, MODIFIED for objects whose resourceVersion changed, DELETED (with the last
//!   state delivered) for objects that are gone, and DELETED then ADDED for an object that was
//!   deleted and re-created under the same name (a different uid). Then it watches from the new
//!   list. So the consumer neither misses the final state nor sees a state twice.
//! - **End.** It yields one `Err` and ends on a permanent error (401, 403, 404, 400, 422, 405,
//!   415, 406, a configuration error) or when [`max_retries`](ResilientWatch::max_retries)
//!   consecutive failures have happened (unlimited by default). Transient failures below that
//!   limit are not yielded; they are logged at debug level.
//!
//! It keeps the last delivered state of every matching object in memory (as an informer's
//! cache does) to compute that difference.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use futures::io::AsyncBufReadExt as _;
use futures::{AsyncBufRead, StreamExt as _};
use kobj_core::{CustomObjects, Error, ErrorKind, ResourceType, Result, WatchStream};
use kube::Api;
use kube_core::params::{ListParams, WatchParams};
use kube_core::{DynamicObject, ObjectList, Status, TypeMeta, WatchEvent};

use crate::KubeBackend;
use crate::errors::error_chain;

/// Opens the raw watch: kube-rs's own request, read line by line.
pub(crate) async fn open_raw(
    api: &Api<DynamicObject>,
    client: kube::Client,
    server: Option<&str>,
    params: &WatchParams,
    version: &str,
) -> kube::Result<WatchStream> {
    let url = api.resource_url().to_string();
    let mut request = kube_core::Request::new(url)
        .watch(params, version)
        .map_err(kube::Error::BuildRequest)?;
    // What kube-rs's `Client::request_events` adds to every watch request.
    request.extensions_mut().insert("watch");
    request
        .headers_mut()
        .entry(http::header::ACCEPT_ENCODING)
        .or_insert(http::HeaderValue::from_static("identity"));
    let target = format!(
        "GET {}{}",
        server.unwrap_or("").trim_end_matches('/'),
        request.uri()
    );
    let reader = client.request_stream(request).await?;
    Ok(events(Box::pin(reader), target))
}

/// Splits a watch response into events.
fn events<R>(reader: R, target: String) -> WatchStream
where
    R: AsyncBufRead + Unpin + Send + 'static,
{
    futures::stream::unfold(Some((reader.lines(), target)), |state| async move {
        let (mut lines, target) = state?;
        loop {
            match lines.next().await {
                None => return None,
                Some(Ok(line)) if line.trim().is_empty() => {}
                Some(Ok(line)) => {
                    let event = parse_event(&line, &target);
                    return Some((event, Some((lines, target))));
                }
                Some(Err(err)) => {
                    let message = format!(
                        "the watch stream from {target} broke: {}",
                        error_chain(&err)
                    );
                    return Some((Err(Error::transport(message, Some(Box::new(err)))), None));
                }
            }
        }
    })
    .boxed()
}

/// One line of a watch response. The error never quotes the line: it may hold Secret data.
fn parse_event(line: &str, target: &str) -> Result<WatchEvent<DynamicObject>> {
    match serde_json::from_str::<WatchEvent<DynamicObject>>(line) {
        Ok(event) => Ok(event),
        Err(err) => {
            if let Ok(value) = serde_json::from_str::<serde_json::Value>(line)
                && value.get("kind").and_then(|k| k.as_str()) == Some("Status")
                && let Ok(status) = serde_json::from_value::<Status>(value)
            {
                return Err(Error::Api(Box::new(status)));
            }
            Err(Error::decode(
                format!("cannot decode a watch event from {target}: {err}"),
                Some(Box::new(err)),
            ))
        }
    }
}

impl KubeBackend {
    /// A watch that survives disconnects and 410 Expired; see [`ResilientWatch`].
    ///
    /// ```no_run
    /// # async fn demo(backend: kobj_kube::KubeBackend) -> kobj_core::Result<()> {
    /// use futures::StreamExt;
    /// use k8s_openapi::api::core::v1::ConfigMap;
    /// use kobj_core::ResourceType;
    ///
    /// let rt = ResourceType::of::<ConfigMap>();
    /// let mut events = backend
    ///     .resilient_watch(&rt, Some("default"), &Default::default())
    ///     .stream();
    /// while let Some(event) = events.next().await {
    ///     println!("{:?}", event?);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn resilient_watch(
        &self,
        resource: &ResourceType,
        namespace: Option<&str>,
        params: &WatchParams,
    ) -> ResilientWatch {
        ResilientWatch {
            backend: self.clone(),
            resource: resource.clone(),
            namespace: namespace.map(str::to_string),
            params: params.clone(),
            initial: None,
            min_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(30),
            max_retries: None,
        }
    }
}

/// A watch that re-lists on 410 Expired and reconnects with backoff after a disconnect, so a
/// consumer neither misses the final state nor sees it twice. What it yields is described in
/// the [module documentation](self).
#[must_use = "a ResilientWatch does nothing until `stream()` is called and polled"]
pub struct ResilientWatch {
    backend: KubeBackend,
    resource: ResourceType,
    namespace: Option<String>,
    params: WatchParams,
    initial: Option<ObjectList<DynamicObject>>,
    min_delay: Duration,
    max_delay: Duration,
    max_retries: Option<u32>,
}

impl std::fmt::Debug for ResilientWatch {
    /// Leaves out the objects of a [`from_list`](Self::from_list) list: they may be Secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResilientWatch")
            .field("backend", &self.backend)
            .field("resource", &self.resource)
            .field("namespace", &self.namespace)
            .field("params", &self.params)
            .field(
                "initial_objects",
                &self.initial.as_ref().map(|l| l.items.len()),
            )
            .field("min_delay", &self.min_delay)
            .field("max_delay", &self.max_delay)
            .field("max_retries", &self.max_retries)
            .finish()
    }
}

impl ResilientWatch {
    /// Starts from a list the consumer already has: its items count as delivered, and the
    /// watch starts at its resourceVersion (without a resourceVersion, it lists first).
    pub fn from_list(mut self, list: ObjectList<DynamicObject>) -> Self {
        self.initial = Some(list);
        self
    }

    /// The backoff between failed attempts: `min` first, doubling up to `max`.
    pub fn backoff(mut self, min: Duration, max: Duration) -> Self {
        self.min_delay = min;
        self.max_delay = max.max(min);
        self
    }

    /// Ends the stream with the last error after `retries` consecutive failed attempts.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    /// The event stream.
    pub fn stream(self) -> WatchStream {
        let mut state = State {
            delay: self.min_delay,
            known: BTreeMap::new(),
            version: String::new(),
            phase: Phase::List,
            pending: VecDeque::new(),
            failures: 0,
            delivered_on_connection: false,
            cfg: self,
        };
        if let Some(list) = state.cfg.initial.take()
            && let Some(version) = list
                .metadata
                .resource_version
                .clone()
                .filter(|v| !v.is_empty())
        {
            for object in list.items {
                state.known.insert(key_of(&object), object);
            }
            state.version = version;
            state.phase = Phase::Watch;
        }
        futures::stream::unfold(state, |mut state| async move {
            let item = state.next().await?;
            Some((item, state))
        })
        .boxed()
    }
}

type Key = (String, String);

/// Lists what the watch selects.
async fn list(cfg: &ResilientWatch) -> Result<ObjectList<DynamicObject>> {
    let mut params = ListParams::default();
    params.label_selector.clone_from(&cfg.params.label_selector);
    params.field_selector.clone_from(&cfg.params.field_selector);
    CustomObjects::list_objects(
        &cfg.backend,
        &cfg.resource,
        cfg.namespace.as_deref(),
        &params,
    )
    .await
}

fn key_of(object: &DynamicObject) -> Key {
    (
        object.metadata.namespace.clone().unwrap_or_default(),
        object.metadata.name.clone().unwrap_or_default(),
    )
}

enum Phase {
    List,
    Watch,
    Watching(WatchStream),
    Done,
}

struct State {
    cfg: ResilientWatch,
    known: BTreeMap<Key, DynamicObject>,
    version: String,
    phase: Phase,
    pending: VecDeque<Result<WatchEvent<DynamicObject>>>,
    failures: u32,
    delay: Duration,
    delivered_on_connection: bool,
}

/// What to do about an error.
enum Recovery {
    Relist,
    Retry,
    Fail,
}

fn recovery(err: &Error) -> Recovery {
    match err.kind() {
        ErrorKind::Expired | ErrorKind::Gone => Recovery::Relist,
        ErrorKind::Transport
        | ErrorKind::Decode
        | ErrorKind::TooManyRequests
        | ErrorKind::Internal
        | ErrorKind::ServiceUnavailable
        | ErrorKind::Timeout
        | ErrorKind::Other => Recovery::Retry,
        _ => Recovery::Fail,
    }
}

impl State {
    async fn next(&mut self) -> Option<Result<WatchEvent<DynamicObject>>> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            match std::mem::replace(&mut self.phase, Phase::Done) {
                Phase::Done => return None,
                Phase::List => match list(&self.cfg).await {
                    Ok(list) => {
                        self.succeeded();
                        self.relisted(list);
                        self.phase = Phase::Watch;
                    }
                    Err(err) => self.failed(err, Phase::List).await,
                },
                Phase::Watch => {
                    let ns = self.cfg.namespace.as_deref();
                    let opened = CustomObjects::watch_objects(
                        &self.cfg.backend,
                        &self.cfg.resource,
                        ns,
                        &self.cfg.params,
                        &self.version,
                    )
                    .await;
                    match opened {
                        Ok(stream) => {
                            self.delivered_on_connection = false;
                            self.phase = Phase::Watching(stream);
                        }
                        Err(err) => self.failed(err, Phase::Watch).await,
                    }
                }
                Phase::Watching(mut stream) => match stream.next().await {
                    None if self.delivered_on_connection => self.phase = Phase::Watch,
                    None => {
                        let err = Error::transport("the watch closed without any event", None);
                        self.failed(err, Phase::Watch).await;
                    }
                    Some(Ok(WatchEvent::Error(status))) => {
                        self.failed(Error::Api(status), Phase::Watch).await;
                    }
                    Some(Ok(event)) => {
                        self.delivered_on_connection = true;
                        self.succeeded();
                        self.phase = Phase::Watching(stream);
                        if let Some(event) = self.live(event) {
                            return Some(Ok(event));
                        }
                    }
                    Some(Err(err)) => self.failed(err, Phase::Watch).await,
                },
            }
        }
    }

    fn succeeded(&mut self) {
        self.failures = 0;
        self.delay = self.cfg.min_delay;
    }

    /// Decides what an error means: a re-list, a retry of `retry` after a backoff, or the end.
    async fn failed(&mut self, err: Error, retry: Phase) {
        match recovery(&err) {
            Recovery::Relist => {
                tracing::debug!(error = %err, "watch expired; listing again");
                self.phase = Phase::List;
            }
            Recovery::Fail => {
                self.pending.push_back(Err(err));
                self.phase = Phase::Done;
            }
            Recovery::Retry => {
                self.failures = self.failures.saturating_add(1);
                if self.cfg.max_retries.is_some_and(|max| self.failures > max) {
                    self.pending.push_back(Err(err));
                    self.phase = Phase::Done;
                    return;
                }
                tracing::debug!(error = %err, delay = ?self.delay, "watch failed; retrying");
                tokio::time::sleep(self.delay).await;
                self.delay = (self.delay * 2).min(self.cfg.max_delay);
                self.phase = retry;
            }
        }
    }

    /// A live event: track it, and drop it if the consumer has it already.
    fn live(&mut self, event: WatchEvent<DynamicObject>) -> Option<WatchEvent<DynamicObject>> {
        match event {
            WatchEvent::Added(object) | WatchEvent::Modified(object)
                if self.is_known_as(&object) =>
            {
                self.note_version(&object);
                None
            }
            WatchEvent::Added(object) => {
                self.note_version(&object);
                self.known.insert(key_of(&object), object.clone());
                Some(WatchEvent::Added(object))
            }
            WatchEvent::Modified(object) => {
                self.note_version(&object);
                self.known.insert(key_of(&object), object.clone());
                Some(WatchEvent::Modified(object))
            }
            WatchEvent::Deleted(object) => {
                self.note_version(&object);
                self.known
                    .remove(&key_of(&object))
                    .map(|_| WatchEvent::Deleted(object))
            }
            WatchEvent::Bookmark(bookmark) => {
                if !bookmark.metadata.resource_version.is_empty() {
                    self.version.clone_from(&bookmark.metadata.resource_version);
                }
                Some(WatchEvent::Bookmark(bookmark))
            }
            WatchEvent::Error(status) => Some(WatchEvent::Error(status)),
        }
    }

    fn is_known_as(&self, object: &DynamicObject) -> bool {
        self.known.get(&key_of(object)).is_some_and(|old| {
            old.metadata.uid == object.metadata.uid
                && old.metadata.resource_version.is_some()
                && old.metadata.resource_version == object.metadata.resource_version
        })
    }

    fn note_version(&mut self, object: &DynamicObject) {
        if let Some(version) = object.metadata.resource_version.as_deref()
            && !version.is_empty()
        {
            self.version = version.to_string();
        }
    }

    /// A fresh list: queue the difference from what was delivered, and remember the list.
    fn relisted(&mut self, list: ObjectList<DynamicObject>) {
        let types = TypeMeta {
            api_version: self.cfg.resource.api.api_version.clone(),
            kind: self.cfg.resource.api.kind.clone(),
        };
        let mut previous = std::mem::take(&mut self.known);
        for mut object in list.items {
            if object.types.is_none() {
                object.types = Some(types.clone());
            }
            let key = key_of(&object);
            match previous.remove(&key) {
                None => self
                    .pending
                    .push_back(Ok(WatchEvent::Added(object.clone()))),
                Some(old) if old.metadata.uid != object.metadata.uid => {
                    self.pending.push_back(Ok(WatchEvent::Deleted(old)));
                    self.pending
                        .push_back(Ok(WatchEvent::Added(object.clone())));
                }
                Some(old) if old.metadata.resource_version != object.metadata.resource_version => {
                    self.pending
                        .push_back(Ok(WatchEvent::Modified(object.clone())));
                }
                Some(_) => {}
            }
            self.known.insert(key, object);
        }
        for (_, gone) in previous {
            self.pending.push_back(Ok(WatchEvent::Deleted(gone)));
        }
        self.version = list.metadata.resource_version.unwrap_or_default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_that_are_not_events() {
        let status = r#"{"kind":"Status","apiVersion":"v1","status":"Failure","code":500,"reason":"InternalError","message":"boom"}"#;
        let err = parse_event(status, "GET /x").unwrap_err();
        assert!(err.is_internal());
        let err = parse_event(
            r#"{"type":"ADDED","object":{"data":{"password":"aHVudGVyMg=="},"metadata":7}}"#,
            "GET /x",
        )
        .unwrap_err();
        assert!(err.is_decode());
        assert!(!err.to_string().contains("aHVudGVyMg=="));
        assert!(err.to_string().contains("GET /x"));
        let bookmark = r#"{"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"12"}}}"#;
        assert!(
            matches!(parse_event(bookmark, ""), Ok(WatchEvent::Bookmark(b)) if b.metadata.resource_version == "12")
        );
    }

    #[test]
    fn recovery_by_category() {
        assert!(matches!(
            recovery(&Error::expired("too old")),
            Recovery::Relist
        ));
        assert!(matches!(
            recovery(&Error::from_parts(410, "Gone", "gone")),
            Recovery::Relist
        ));
        assert!(matches!(
            recovery(&Error::transport("x", None)),
            Recovery::Retry
        ));
        assert!(matches!(recovery(&Error::internal("x")), Recovery::Retry));
        assert!(matches!(
            recovery(&Error::too_many_requests("x", 1)),
            Recovery::Retry
        ));
        assert!(matches!(
            recovery(&Error::unauthorized("x")),
            Recovery::Fail
        ));
        assert!(matches!(recovery(&Error::bad_request("x")), Recovery::Fail));
        assert!(matches!(
            recovery(&Error::config("x", None)),
            Recovery::Fail
        ));
    }
}
