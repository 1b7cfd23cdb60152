//! First end-to-end checks: create, get, list, watch through the traits.

use crate::common;

use common::*;
use futures::StreamExt;
use kobj_core::CustomObjects;
use kube_core::WatchEvent;
use kube_core::params::{GetParams, ListParams, PostParams, WatchParams};
use serde_json::json;

#[tokio::test]
async fn create_get_list_watch() {
    let c = cluster().await;
    let created = c
        .create_object(
            &widgets(),
            Some("default"),
            &widget("a", json!({"color": "red"})),
            &PostParams::default(),
        )
        .await
        .unwrap();
    assert_eq!(created.metadata.generation, Some(1));
    assert!(created.metadata.uid.is_some());
    assert_eq!(created.data["spec"]["replicas"], json!(1), "defaulted");
    let got = c
        .get_object(&widgets(), Some("default"), "a", &GetParams::default())
        .await
        .unwrap();
    assert_eq!(
        got.metadata.resource_version,
        created.metadata.resource_version
    );
    let list = c
        .list_objects(&widgets(), Some("default"), &ListParams::default())
        .await
        .unwrap();
    assert_eq!(list.items.len(), 1);
    assert_eq!(list.types.kind, "WidgetList");
    let mut w = c
        .watch_objects(&widgets(), Some("default"), &WatchParams::default(), "")
        .await
        .unwrap();
    match w.next().await.unwrap().unwrap() {
        WatchEvent::Added(o) => assert_eq!(o.metadata.name.as_deref(), Some("a")),
        other => panic!("{other:?}"),
    }
    c.create_object(
        &widgets(),
        Some("default"),
        &widget("b", json!({})),
        &PostParams::default(),
    )
    .await
    .unwrap();
    loop {
        match w.next().await.unwrap().unwrap() {
            WatchEvent::Bookmark(_) => continue,
            WatchEvent::Added(o) => {
                assert_eq!(o.metadata.name.as_deref(), Some("b"));
                break;
            }
            other => panic!("{other:?}"),
        }
    }
}
