//! Starting a watch (rules 36–39): start points, replay from the history, 410 Expired as one
//! ERROR event, sendInitialEvents with its end-of-initial-events bookmark.

use std::sync::Arc;
use std::time::Duration;

use kobj_core::{ResourceType, Result};
use kube_core::Status;
use kube_core::params::WatchParams;
use kube_core::response::StatusSummary;
use tokio::sync::mpsc::unbounded_channel;

use super::resolve;
use crate::cluster::FakeCluster;
use crate::selection::Selection;
use crate::store::ChangeKind;
use crate::watch::{Events, Handout, Msg, StreamSpec, event_for, single_error, stream};

impl FakeCluster {
    /// Opens a watch (the engine behind `watch_objects` and `watch_objects_shared`, which
    /// differ only in how each event's object is handed out).
    pub(crate) async fn watch_dynamic<T: Handout>(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        params: &WatchParams,
        resource_version: &str,
    ) -> Result<Events<T>> {
        let from = super::read::parse_rv(resource_version)?.filter(|v| *v > 0);
        // A resourceVersion the cluster has not reached: with sendInitialEvents the watch
        // cache waits to be fresh (up to the configured time, then the 504 as an ERROR
        // event); otherwise the watch opens and delivers only what comes after it.
        if let Some(v) = from
            && params.send_initial_events
            && let Err(e) = self.wait_for_rv(v).await
        {
            return Ok(match e.status() {
                Some(status) => single_error(status.clone()),
                None => return Err(e),
            });
        }
        let (tx, rx) = unbounded_channel();
        let st_guard = self.inner.lock();
        let mut st = st_guard;
        let ahead = from.filter(|v| *v > st.store.rv);
        let info = resolve(&st, rt, namespace, true)?;
        let selection = Arc::new(Selection::parse(
            &info,
            params.label_selector.as_deref(),
            params.field_selector.as_deref(),
        )?);
        let ns = namespace
            .filter(|_| info.resource.is_namespaced())
            .map(ToString::to_string);
        let store_key: Arc<str> = info.store_key().into();
        let initial = params.send_initial_events || from.is_none();
        if initial {
            if let Some(table) = st.store.table(&store_key) {
                let (lo, hi) = match &ns {
                    Some(ns) => (
                        crate::store::key(ns, ""),
                        Some(crate::store::namespace_end(ns)),
                    ),
                    None => (String::new(), None),
                };
                let upper = match &hi {
                    Some(h) => std::ops::Bound::Excluded(h.as_str()),
                    None => std::ops::Bound::Unbounded,
                };
                for (k, o) in table.range::<str, _>((std::ops::Bound::Included(lo.as_str()), upper))
                {
                    if selection.is_empty() || selection.matches(k, o) {
                        let _ = tx.send(Msg::Event(ChangeKind::Added, o.clone(), Arc::default()));
                    }
                }
            }
            let _ = tx.send(Msg::Bookmark(st.store.rv, params.send_initial_events));
        } else if let Some(v) = from
            && ahead.is_none()
        {
            let Some(changes) = st.store.changes_since(v) else {
                let oldest = st.store.compacted;
                drop(st);
                return Ok(single_error(Status {
                    status: Some(StatusSummary::Failure),
                    code: 410,
                    message: format!("too old resource version: {v} ({oldest})"),
                    metadata: None,
                    reason: "Expired".into(),
                    details: None,
                }));
            };
            for change in changes {
                if *change.store != *store_key {
                    continue;
                }
                if let Some((kind, obj)) = event_for(change, ns.as_deref(), &selection) {
                    let _ = tx.send(Msg::Event(kind, obj, Arc::default()));
                }
            }
        }
        st.hub
            .add(store_key, ns, selection, ahead.unwrap_or(0), tx.clone());
        drop(st);
        Ok(stream(
            rx,
            tx,
            self.inner.clone(),
            StreamSpec {
                info,
                bookmarks: params.bookmarks,
                timeout: params.timeout.map(|t| Duration::from_secs(u64::from(t))),
                bookmark_interval: self.inner.settings.bookmark_interval,
            },
        ))
    }
}
