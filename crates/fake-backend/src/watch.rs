//! Watch (rules 34–41): one hub of watchers fed under the write lock, so every watcher sees
//! the same order; per-watcher unbounded channels, so a slow watcher never blocks a writer;
//! start points, replay from the history, 410 as one ERROR event, selectors with the
//! ADDED/DELETED transitions of rule 35, bookmarks and timeouts.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures::StreamExt;
use futures::stream::BoxStream;
use kube_core::watch::{Bookmark, BookmarkMeta};
use kube_core::{DynamicObject, Status, TypeMeta, WatchEvent};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use crate::cluster::Inner;
use crate::registry::TypeInfo;
use crate::selection::Selection;
use crate::store::{Change, ChangeKind, Stored, split_key};

/// What a watcher's channel carries.
#[derive(Debug)]
pub(crate) enum Msg {
    /// An event with its object, and the rendering shared by the watchers that receive the
    /// same object (decoded once, cloned by the others).
    Event(ChangeKind, Arc<Stored>, Arc<Rendered>),
    /// A bookmark at a resourceVersion; `true` marks the end of initial events (rule 39).
    Bookmark(u64, bool),
}

/// An object rendered for one apiVersion, shared between watchers of one change.
pub(crate) type Rendered = OnceLock<(String, Arc<DynamicObject>)>;

/// A watch stream whose events carry `T`: an owned `DynamicObject` (`watch_objects`) or an
/// `Arc` of one shared by every watcher of a change (`watch_objects_shared`).
pub(crate) type Events<T> = BoxStream<'static, kobj_core::Result<WatchEvent<T>>>;

/// What a watch event carries: an owned `DynamicObject` (`watch_objects`) or an `Arc` shared
/// with the other watchers of the change (`watch_objects_shared`).
pub(crate) trait Handout: Send + 'static {
    /// From the rendering the watchers of a change share.
    fn from_shared(obj: &Arc<DynamicObject>) -> Self;
    /// From a rendering no other watcher will read.
    fn from_owned(obj: DynamicObject) -> Self;
}

impl Handout for DynamicObject {
    fn from_shared(obj: &Arc<DynamicObject>) -> Self {
        DynamicObject::clone(obj)
    }

    fn from_owned(obj: DynamicObject) -> Self {
        obj
    }
}

impl Handout for Arc<DynamicObject> {
    fn from_shared(obj: &Arc<DynamicObject>) -> Self {
        obj.clone()
    }

    fn from_owned(obj: DynamicObject) -> Self {
        Arc::new(obj)
    }
}

/// A registered watcher.
#[derive(Debug)]
struct Watcher {
    store: Arc<str>,
    namespace: Option<String>,
    selection: Arc<Selection>,
    /// Changes up to this resourceVersion are not delivered: a watch started from a
    /// resourceVersion the cluster had not reached yet (the watch cache's `cacheWatcher`
    /// skips events not newer than the one it started from).
    after: u64,
    tx: UnboundedSender<Msg>,
}

/// Every open watch.
#[derive(Debug, Default)]
pub(crate) struct Hub {
    watchers: Vec<Watcher>,
}

/// What a change means to one watcher (rule 35).
pub(crate) fn event_for(
    change: &Change,
    namespace: Option<&str>,
    selection: &Selection,
) -> Option<(ChangeKind, Arc<Stored>)> {
    if let Some(ns) = namespace
        && split_key(&change.key).0 != ns
    {
        return None;
    }
    let prev_matches = change
        .prev
        .as_ref()
        .is_some_and(|p| selection.is_empty() || selection.matches(&change.key, p));
    match change.kind {
        ChangeKind::Deleted => prev_matches.then(|| (ChangeKind::Deleted, change.object.clone())),
        ChangeKind::Added | ChangeKind::Modified => {
            let now = selection.is_empty() || selection.matches(&change.key, &change.object);
            match (prev_matches, now) {
                (true, true) => Some((ChangeKind::Modified, change.object.clone())),
                (false, true) => Some((ChangeKind::Added, change.object.clone())),
                (true, false) => {
                    let prev = change.prev.as_ref()?;
                    Some((ChangeKind::Deleted, Arc::new(prev.at_version(change.rv))))
                }
                (false, false) => None,
            }
        }
    }
}

impl Hub {
    /// Delivers one committed change to every interested watcher (called under the lock).
    pub fn dispatch(&mut self, change: &Change) {
        let mut dead = false;
        let shared: Arc<Rendered> = Arc::default();
        for w in &self.watchers {
            if *w.store != *change.store || change.rv <= w.after {
                continue;
            }
            if let Some((kind, obj)) = event_for(change, w.namespace.as_deref(), &w.selection) {
                let cache = if Arc::ptr_eq(&obj, &change.object) {
                    shared.clone()
                } else {
                    Arc::default()
                };
                if w.tx.send(Msg::Event(kind, obj, cache)).is_err() {
                    dead = true;
                }
            }
        }
        if dead {
            self.watchers.retain(|w| !w.tx.is_closed());
        }
    }

    /// Registers a watcher.
    pub fn add(
        &mut self,
        store: Arc<str>,
        namespace: Option<String>,
        selection: Arc<Selection>,
        after: u64,
        tx: UnboundedSender<Msg>,
    ) {
        self.watchers.retain(|w| !w.tx.is_closed());
        self.watchers.push(Watcher {
            store,
            namespace,
            selection,
            after,
            tx,
        });
    }

    /// The number of open watches.
    pub fn len(&self) -> usize {
        self.watchers.iter().filter(|w| !w.tx.is_closed()).count()
    }
}

/// How a stream turns stored objects into events.
pub(crate) struct StreamSpec {
    /// The type watched (apiVersion, kind, defaults).
    pub info: Arc<TypeInfo>,
    /// Send bookmarks.
    pub bookmarks: bool,
    /// Close after this long.
    pub timeout: Option<Duration>,
    /// Bookmark period.
    pub bookmark_interval: Duration,
}

struct StreamState {
    rx: UnboundedReceiver<Msg>,
    tx: UnboundedSender<Msg>,
    inner: Arc<Inner>,
    spec: StreamSpec,
    deadline: Option<tokio::time::Instant>,
    done: bool,
}

/// Builds the `'static` stream of a watch from its channel.
pub(crate) fn stream<T: Handout>(
    rx: UnboundedReceiver<Msg>,
    tx: UnboundedSender<Msg>,
    inner: Arc<Inner>,
    spec: StreamSpec,
) -> Events<T> {
    let deadline = spec.timeout.map(|t| tokio::time::Instant::now() + t);
    let state = StreamState {
        rx,
        tx,
        inner,
        spec,
        deadline,
        done: false,
    };
    futures::stream::unfold(state, |mut st| async move {
        if st.done {
            return None;
        }
        loop {
            // A queued message needs no timers; waiting does.
            let msg = match st.rx.try_recv() {
                Ok(m) => Some(m),
                Err(tokio::sync::mpsc::error::TryRecvError::Disconnected) => None,
                Err(tokio::sync::mpsc::error::TryRecvError::Empty) => {
                    let bookmarks = st.spec.bookmarks;
                    let bookmark_at = tokio::time::sleep(st.spec.bookmark_interval);
                    match st.deadline {
                        Some(deadline) => tokio::select! {
                            biased;
                            m = st.rx.recv() => m,
                            () = tokio::time::sleep_until(deadline) => return None,
                            () = bookmark_at, if bookmarks => { st.request_bookmark(); continue; }
                        },
                        None if !bookmarks => st.rx.recv().await,
                        None => tokio::select! {
                            biased;
                            m = st.rx.recv() => m,
                            () = bookmark_at => { st.request_bookmark(); continue; }
                        },
                    }
                }
            };
            let msg = msg?;
            let event = match msg {
                Msg::Event(kind, obj, cache) => {
                    let version = &st.spec.info.resource.api.api_version;
                    let obj = match cache.get() {
                        Some((v, o)) if v == version => T::from_shared(o),
                        _ => match st.inner.render(&st.spec.info, &obj) {
                            // No other message holds the cache (the dispatch that made it
                            // has returned, and every other watcher has read its event):
                            // nobody will look there, so the rendering is handed out whole.
                            Ok(o) if Arc::strong_count(&cache) == 1 => T::from_owned(o),
                            Ok(o) => {
                                let o = Arc::new(o);
                                let out = T::from_shared(&o);
                                let _ = cache.set((version.clone(), o));
                                out
                            }
                            Err(e) => return Some((Err(e), st)),
                        },
                    };
                    match kind {
                        ChangeKind::Added => WatchEvent::Added(obj),
                        ChangeKind::Modified => WatchEvent::Modified(obj),
                        ChangeKind::Deleted => WatchEvent::Deleted(obj),
                    }
                }
                Msg::Bookmark(rv, initial_end) => {
                    if !st.spec.bookmarks {
                        continue;
                    }
                    let mut annotations = std::collections::BTreeMap::new();
                    if initial_end {
                        annotations
                            .insert("k8s.io/initial-events-end".to_string(), "true".to_string());
                    }
                    WatchEvent::Bookmark(Bookmark {
                        types: TypeMeta {
                            api_version: st.spec.info.resource.api.api_version.clone(),
                            kind: st.spec.info.resource.api.kind.clone(),
                        },
                        metadata: BookmarkMeta {
                            resource_version: rv.to_string(),
                            annotations,
                        },
                    })
                }
            };
            return Some((Ok(event), st));
        }
    })
    .boxed()
}

impl StreamState {
    /// Queues a bookmark at the current resourceVersion behind every event already queued
    /// (taken under the lock, so no event at or below it can arrive later).
    fn request_bookmark(&mut self) {
        let rv = self.inner.lock().store.rv;
        let _ = self.tx.send(Msg::Bookmark(rv, false));
    }
}

/// A stream that yields one ERROR event and ends (the 410 of rule 37).
pub(crate) fn single_error<T: Handout>(status: Status) -> Events<T> {
    futures::stream::iter([Ok::<_, kobj_core::Error>(WatchEvent::Error(Box::new(
        status,
    )))])
    .boxed()
}
