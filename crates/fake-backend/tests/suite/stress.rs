//! Concurrency: 8 tasks doing read-modify-write with conflict retry on one object, 10,000
//! successful updates in all; a watcher sees every resourceVersion in order with no gap.

use crate::common;

use common::*;
use futures::StreamExt;
use kobj_core::CustomObjects;
use kube_core::WatchEvent;
use kube_core::params::{GetParams, PostParams, WatchParams};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_thousand_increments_with_conflict_retry() {
    let c = cluster().await;
    let made = c
        .create_object(
            &widgets(),
            Some("default"),
            &widget("counter", json!({"size": 0})),
            &PostParams::default(),
        )
        .await
        .unwrap();
    let start: u64 = made.metadata.resource_version.unwrap().parse().unwrap();
    let wp = WatchParams {
        bookmarks: false,
        ..Default::default()
    };
    let mut watch = c
        .watch_objects(&widgets(), Some("default"), &wp, &start.to_string())
        .await
        .unwrap();
    let watcher = tokio::spawn(async move {
        let mut seen = Vec::with_capacity(10_000);
        while seen.len() < 10_000 {
            match watch.next().await.unwrap().unwrap() {
                WatchEvent::Modified(o) => seen.push((
                    o.metadata.resource_version.unwrap().parse::<u64>().unwrap(),
                    o.data["spec"]["size"].as_i64().unwrap(),
                )),
                e => panic!("unexpected {e:?}"),
            }
        }
        seen
    });
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move {
                let mut conflicts = 0u64;
                for _ in 0..1250 {
                    loop {
                        let mut cur = c
                            .get_object(
                                &widgets(),
                                Some("default"),
                                "counter",
                                &GetParams::default(),
                            )
                            .await
                            .unwrap();
                        let n = cur.data["spec"]["size"].as_i64().unwrap();
                        cur.data["spec"]["size"] = json!(n + 1);
                        match c
                            .replace_object(
                                &widgets(),
                                Some("default"),
                                "counter",
                                &cur,
                                &PostParams::default(),
                            )
                            .await
                        {
                            Ok(_) => break,
                            Err(e) if e.is_conflict() => conflicts += 1,
                            Err(e) => panic!("{e}"),
                        }
                    }
                }
                conflicts
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let end = c
        .get_object(
            &widgets(),
            Some("default"),
            "counter",
            &GetParams::default(),
        )
        .await
        .unwrap();
    assert_eq!(end.data["spec"]["size"], json!(10_000));
    let seen = watcher.await.unwrap();
    for (i, (rv, size)) in seen.iter().enumerate() {
        assert_eq!(
            *rv,
            start + 1 + i as u64,
            "resourceVersions in order with no gap"
        );
        assert_eq!(*size, i as i64 + 1);
    }
}
