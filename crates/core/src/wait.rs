//! Waiting on watches: until an object satisfies a predicate, or until it is gone, within a
//! deadline. This replaces the "poll `get` ten times, one second apart" loops users of the
//! seed's class write.
//!
//! The wait lists the one object (field selector `metadata.name=<name>`), checks the
//! predicate, then watches from the list's resourceVersion. A stream that ends or breaks is
//! re-opened from the last resourceVersion seen, so no change is missed or seen twice; an
//! ERROR event with 410 Expired starts again from a fresh list.

use std::future::Future;
use std::time::Duration;

use futures::StreamExt;
use futures::future::BoxFuture;
use kube_core::params::{ListParams, WatchParams};
use kube_core::{DynamicObject, ObjectList, WatchEvent};

use crate::error::{Error, Result};
use crate::verbs::WatchStream;

/// The pause before re-opening a watch whose connection broke.
const RECONNECT_DELAY: Duration = Duration::from_millis(100);

/// Whether `object.status.conditions` has a condition of `type_` whose status is `"True"`.
///
/// ```
/// use kube_core::DynamicObject;
/// let obj: DynamicObject = serde_json::from_value(serde_json::json!({
///     "apiVersion": "v1", "kind": "X", "metadata": {"name": "a"},
///     "status": {"conditions": [{"type": "Ready", "status": "True"}]}
/// })).unwrap();
/// assert!(kobj_core::wait::condition_is_true(&obj, "Ready"));
/// assert!(!kobj_core::wait::condition_is_true(&obj, "Online"));
/// ```
#[must_use]
pub fn condition_is_true(object: &DynamicObject, type_: &str) -> bool {
    object
        .data
        .pointer("/status/conditions")
        .and_then(|c| c.as_array())
        .is_some_and(|conditions| {
            conditions.iter().any(|c| {
                c.get("type").and_then(|t| t.as_str()) == Some(type_)
                    && c.get("status").and_then(|s| s.as_str()) == Some("True")
            })
        })
}

/// The two reads a wait needs, as boxed futures so the wait works over either trait.
pub(crate) struct Source<'s> {
    /// Lists with the given parameters.
    pub list: Box<
        dyn Fn(ListParams) -> BoxFuture<'s, Result<ObjectList<DynamicObject>>> + Send + Sync + 's,
    >,
    /// Watches from a resourceVersion.
    pub watch:
        Box<dyn Fn(WatchParams, String) -> BoxFuture<'s, Result<WatchStream>> + Send + Sync + 's>,
}

/// Waits until `condition` holds for the object `name` (`None` = absent), or fails with a
/// Timeout error once `timeout` has passed. Returns the object as last seen.
pub(crate) async fn wait_for(
    source: Source<'_>,
    what: &str,
    name: &str,
    timeout: Duration,
    mut condition: impl FnMut(Option<&DynamicObject>) -> bool + Send,
) -> Result<Option<DynamicObject>> {
    let work = async {
        let selector = format!("metadata.name={name}");
        'relist: loop {
            let list = (source.list)(ListParams::default().fields(&selector)).await?;
            let mut current = list
                .items
                .into_iter()
                .find(|o| o.metadata.name.as_deref() == Some(name));
            if condition(current.as_ref()) {
                return Ok(current);
            }
            let mut version = list.metadata.resource_version.unwrap_or_default();
            loop {
                let params = WatchParams::default().fields(&selector);
                let mut stream = match (source.watch)(params, version.clone()).await {
                    Ok(stream) => stream,
                    Err(e) if e.is_expired() => continue 'relist,
                    Err(e) if e.is_transport() => {
                        tokio::time::sleep(RECONNECT_DELAY).await;
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                while let Some(event) = stream.next().await {
                    match event {
                        Ok(WatchEvent::Added(o)) | Ok(WatchEvent::Modified(o)) => {
                            version = o.metadata.resource_version.clone().unwrap_or(version);
                            current = Some(o);
                        }
                        Ok(WatchEvent::Deleted(o)) => {
                            version = o.metadata.resource_version.clone().unwrap_or(version);
                            current = None;
                        }
                        Ok(WatchEvent::Bookmark(b)) => {
                            version = b.metadata.resource_version;
                            continue;
                        }
                        Ok(WatchEvent::Error(status)) => {
                            let err = Error::from(*status);
                            if err.is_expired() {
                                continue 'relist;
                            }
                            return Err(err);
                        }
                        Err(e) if e.is_transport() => {
                            tracing::debug!(error = %e, "watch broke; resuming from {version}");
                            tokio::time::sleep(RECONNECT_DELAY).await;
                            break;
                        }
                        Err(e) => return Err(e),
                    }
                    if condition(current.as_ref()) {
                        return Ok(current);
                    }
                }
            }
        }
    };
    with_deadline(work, timeout, what, name).await
}

async fn with_deadline<T>(
    work: impl Future<Output = Result<T>>,
    timeout: Duration,
    what: &str,
    name: &str,
) -> Result<T> {
    match tokio::time::timeout(timeout, work).await {
        Ok(result) => result,
        Err(_) => Err(Error::timeout(format!(
            "condition not met for {what} {name:?} within {timeout:?}"
        ))),
    }
}
