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

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use futures::stream;
    use kube_core::{ApiResource, GroupVersionKind, ListMeta, TypeMeta};
    use serde_json::json;

    use crate::{CustomObjectsExt, MockCustomObjects, ResourceType};

    use super::*;

    fn widgets() -> ResourceType {
        let gvk = GroupVersionKind::gvk("example.com", "v1", "Widget");
        ResourceType::namespaced(ApiResource::from_gvk_with_plural(&gvk, "widgets"))
    }

    fn widget(rv: &str, ready: bool) -> DynamicObject {
        serde_json::from_value(json!({
            "apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": "w", "namespace": "lab", "resourceVersion": rv},
            "status": {"ready": ready}
        }))
        .unwrap()
    }

    fn list(rv: &str, items: Vec<DynamicObject>) -> ObjectList<DynamicObject> {
        ObjectList {
            types: TypeMeta {
                api_version: "example.com/v1".into(),
                kind: "WidgetList".into(),
            },
            metadata: ListMeta {
                resource_version: Some(rv.into()),
                ..ListMeta::default()
            },
            items,
        }
    }

    fn is_ready(o: Option<&DynamicObject>) -> bool {
        o.is_some_and(|o| o.data.pointer("/status/ready") == Some(&json!(true)))
    }

    #[tokio::test]
    async fn returns_at_once_when_the_listed_object_already_holds() {
        let mut mock = MockCustomObjects::new();
        mock.expect_list_objects()
            .withf(|_, ns, lp| {
                *ns == Some("lab") && lp.field_selector.as_deref() == Some("metadata.name=w")
            })
            .times(1)
            .returning(|_, _, _| Ok(list("7", vec![widget("7", true)])));
        mock.expect_watch_objects().never();
        let found = mock
            .wait_until_object(
                &widgets(),
                Some("lab"),
                "w",
                Duration::from_secs(5),
                is_ready,
            )
            .await
            .unwrap();
        assert_eq!(
            found.unwrap().metadata.resource_version.as_deref(),
            Some("7")
        );
    }

    #[tokio::test]
    async fn resumes_from_the_last_version_after_a_broken_stream() {
        let mut mock = MockCustomObjects::new();
        mock.expect_list_objects()
            .times(1)
            .returning(|_, _, _| Ok(list("5", vec![widget("5", false)])));
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = calls.clone();
        mock.expect_watch_objects()
            .times(2)
            .returning(move |_, _, wp, rv| {
                assert_eq!(wp.field_selector.as_deref(), Some("metadata.name=w"));
                match seen.fetch_add(1, Ordering::SeqCst) {
                    0 => {
                        assert_eq!(rv, "5");
                        Ok(stream::iter(vec![
                            Ok(WatchEvent::Modified(widget("6", false))),
                            Err(Error::transport("connection reset", None)),
                        ])
                        .boxed())
                    }
                    _ => {
                        // resumed from the version of the last event seen, not re-listed
                        assert_eq!(rv, "6");
                        Ok(stream::iter(vec![Ok(WatchEvent::Modified(widget("8", true)))]).boxed())
                    }
                }
            });
        let found = mock
            .wait_until_object(
                &widgets(),
                Some("lab"),
                "w",
                Duration::from_secs(5),
                is_ready,
            )
            .await
            .unwrap();
        assert_eq!(
            found.unwrap().metadata.resource_version.as_deref(),
            Some("8")
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn relists_after_an_expired_watch() {
        let mut mock = MockCustomObjects::new();
        let lists = Arc::new(AtomicUsize::new(0));
        let n = lists.clone();
        mock.expect_list_objects()
            .times(2)
            .returning(move |_, _, _| {
                Ok(match n.fetch_add(1, Ordering::SeqCst) {
                    0 => list("5", vec![widget("5", false)]),
                    _ => list("20", vec![widget("19", true)]),
                })
            });
        mock.expect_watch_objects()
            .times(1)
            .returning(|_, _, _, _| {
                let status = Error::expired("too old resource version: 5 (10)");
                let Error::Api(status) = status else {
                    unreachable!()
                };
                Ok(stream::iter(vec![Ok(WatchEvent::Error(status))]).boxed())
            });
        let found = mock
            .wait_until_object(
                &widgets(),
                Some("lab"),
                "w",
                Duration::from_secs(5),
                is_ready,
            )
            .await
            .unwrap();
        assert_eq!(
            found.unwrap().metadata.resource_version.as_deref(),
            Some("19")
        );
        assert_eq!(lists.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn waits_for_deletion_and_times_out_otherwise() {
        let mut mock = MockCustomObjects::new();
        mock.expect_list_objects()
            .returning(|_, _, _| Ok(list("5", vec![widget("5", false)])));
        mock.expect_watch_objects()
            .times(1)
            .returning(|_, _, _, _| {
                Ok(stream::iter(vec![Ok(WatchEvent::Deleted(widget("9", false)))]).boxed())
            });
        let gone = mock
            .wait_until_object(&widgets(), Some("lab"), "w", Duration::from_secs(5), |o| {
                o.is_none()
            })
            .await
            .unwrap();
        assert!(gone.is_none());

        let mut mock = MockCustomObjects::new();
        mock.expect_list_objects()
            .returning(|_, _, _| Ok(list("5", vec![widget("5", false)])));
        mock.expect_watch_objects()
            .returning(|_, _, _, _| Ok(stream::pending().boxed()));
        let err = mock
            .wait_until_object(
                &widgets(),
                Some("lab"),
                "w",
                Duration::from_millis(50),
                is_ready,
            )
            .await
            .unwrap_err();
        assert!(err.is_timeout(), "{err}");
        assert!(
            err.to_string().contains("widgets.example.com \"w\""),
            "{err}"
        );
    }

    #[tokio::test]
    async fn other_errors_end_the_wait() {
        let mut mock = MockCustomObjects::new();
        mock.expect_list_objects()
            .returning(|_, _, _| Err(Error::forbidden(&widgets(), "", "no list for you")));
        let err = mock
            .wait_until_object(
                &widgets(),
                Some("lab"),
                "w",
                Duration::from_secs(5),
                is_ready,
            )
            .await
            .unwrap_err();
        assert!(err.is_forbidden());
    }

    #[test]
    fn condition_helper_reads_status_conditions() {
        let mut w = widget("1", false);
        assert!(!condition_is_true(&w, "Ready"));
        w.data["status"]["conditions"] = json!([{"type": "Ready", "status": "False"}]);
        assert!(!condition_is_true(&w, "Ready"));
        w.data["status"]["conditions"] = json!([{"type": "Ready", "status": "True"}]);
        assert!(condition_is_true(&w, "Ready"));
    }
}
