//! Watch helpers: read events with a deadline, skip bookmarks, describe events in failures.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use kobj_core::{SharedWatchStream, WatchStream};
use kube_core::{DynamicObject, WatchEvent};

use crate::case::{Failure, Outcome};
use crate::check::name_of;

/// How long a case waits for an event it expects. Events that arrive sooner end the wait at
/// once, so this costs nothing on a fast backend.
pub const EVENT_WAIT: Duration = Duration::from_secs(10);

/// The event type as the wire names it: `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK`, `ERROR`.
#[must_use]
pub fn event_type(event: &WatchEvent<DynamicObject>) -> &'static str {
    match event {
        WatchEvent::Added(_) => "ADDED",
        WatchEvent::Modified(_) => "MODIFIED",
        WatchEvent::Deleted(_) => "DELETED",
        WatchEvent::Bookmark(_) => "BOOKMARK",
        WatchEvent::Error(_) => "ERROR",
    }
}

/// The object an ADDED, MODIFIED or DELETED event carries.
#[must_use]
pub fn event_object(event: &WatchEvent<DynamicObject>) -> Option<&DynamicObject> {
    match event {
        WatchEvent::Added(o) | WatchEvent::Modified(o) | WatchEvent::Deleted(o) => Some(o),
        _ => None,
    }
}

/// One line describing an event: `MODIFIED w1@12`, `BOOKMARK @15`, `ERROR 410 Expired: …`.
#[must_use]
pub fn describe(event: &WatchEvent<DynamicObject>) -> String {
    match event {
        WatchEvent::Bookmark(b) => format!("BOOKMARK @{}", b.metadata.resource_version),
        WatchEvent::Error(s) => format!("ERROR {} {}: {}", s.code, s.reason, s.message),
        other => {
            let o = event_object(other);
            format!(
                "{} {}@{}",
                event_type(other),
                o.map(name_of).unwrap_or_default(),
                o.and_then(|o| o.metadata.resource_version.as_deref())
                    .unwrap_or_default()
            )
        }
    }
}

/// A watch with shared objects as one with owned objects (each object taken out of its
/// `Arc`, copied when another holder is left), so the helpers here read it too.
#[must_use]
pub fn unshared(stream: SharedWatchStream) -> WatchStream {
    stream
        .map(|item| {
            item.map(|event| match event {
                WatchEvent::Added(o) => WatchEvent::Added(Arc::unwrap_or_clone(o)),
                WatchEvent::Modified(o) => WatchEvent::Modified(Arc::unwrap_or_clone(o)),
                WatchEvent::Deleted(o) => WatchEvent::Deleted(Arc::unwrap_or_clone(o)),
                WatchEvent::Bookmark(b) => WatchEvent::Bookmark(b),
                WatchEvent::Error(e) => WatchEvent::Error(e),
            })
        })
        .boxed()
}

/// The next event of any type, within `within`.
///
/// # Errors
/// A failure when the stream ends, yields an error, or stays silent.
pub async fn next_event(
    stream: &mut WatchStream,
    within: Duration,
) -> Result<WatchEvent<DynamicObject>, Failure> {
    match tokio::time::timeout(within, stream.next()).await {
        Err(_) => Err(Failure::new(format!("no watch event within {within:?}"))),
        Ok(None) => Err(Failure::new("the watch ended before the expected event")),
        Ok(Some(Err(e))) => Err(Failure::new(format!("the watch failed: {e}"))),
        Ok(Some(Ok(event))) => Ok(event),
    }
}

/// The next event that is not a BOOKMARK, within `within`.
///
/// # Errors
/// As [`next_event`].
pub async fn next_change(
    stream: &mut WatchStream,
    within: Duration,
) -> Result<WatchEvent<DynamicObject>, Failure> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let event = next_event(stream, left).await?;
        if !matches!(event, WatchEvent::Bookmark(_)) {
            return Ok(event);
        }
    }
}

/// The next `n` events that are not BOOKMARKs.
///
/// # Errors
/// As [`next_event`], saying how many had arrived.
pub async fn next_changes(
    stream: &mut WatchStream,
    n: usize,
    within: Duration,
) -> Result<Vec<WatchEvent<DynamicObject>>, Failure> {
    let mut events = Vec::with_capacity(n);
    while events.len() < n {
        match next_change(stream, within).await {
            Ok(event) => events.push(event),
            Err(f) => {
                return Err(f.context(format!(
                    "after {} of {n} events [{}]",
                    events.len(),
                    events.iter().map(describe).collect::<Vec<_>>().join(", ")
                )));
            }
        }
    }
    Ok(events)
}

/// Expects the next change to be `kind` (`ADDED`, …) for the object `name`; returns the object.
///
/// # Errors
/// A failure naming the event that came instead.
pub async fn expect_change(
    stream: &mut WatchStream,
    kind: &str,
    name: &str,
) -> Result<DynamicObject, Failure> {
    let event = next_change(stream, EVENT_WAIT)
        .await
        .map_err(|f| f.context(format!("waiting for {kind} {name}")))?;
    match_change(&event, kind, name)
}

/// Checks that `event` is `kind` for `name`; returns its object.
///
/// # Errors
/// A failure describing the event.
pub fn match_change(
    event: &WatchEvent<DynamicObject>,
    kind: &str,
    name: &str,
) -> Result<DynamicObject, Failure> {
    match event_object(event) {
        Some(o) if event_type(event) == kind && name_of(o) == name => Ok(o.clone()),
        _ => Err(Failure::new(format!(
            "expected {kind} {name}, got {}",
            describe(event)
        ))),
    }
}

/// Expects the stream to end (bookmarks may come first) within `within`.
///
/// # Errors
/// A failure when a change or an error arrives, or the stream stays open.
pub async fn expect_end(stream: &mut WatchStream, within: Duration) -> Outcome {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left, stream.next()).await {
            Err(_) => {
                return Err(Failure::new(format!(
                    "the watch was still open after {within:?}"
                )));
            }
            Ok(None) => return Ok(()),
            Ok(Some(Ok(WatchEvent::Bookmark(_)))) => {}
            Ok(Some(Ok(event))) => {
                return Err(Failure::new(format!(
                    "expected the watch to end, got {}",
                    describe(&event)
                )));
            }
            Ok(Some(Err(e))) => {
                return Err(Failure::new(format!(
                    "expected the watch to end cleanly, got an error: {e}"
                )));
            }
        }
    }
}
