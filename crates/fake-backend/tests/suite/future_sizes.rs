//! The futures the verbs hand back stay small.
//!
//! `async-trait` boxes every call's future, so its size is one heap allocation per request.
//! Above about 1 KiB glibc serves it from its slow large-chunk path (consolidating freed
//! chunks first), which cost a get a fifth of its time before the fault-injection and
//! resourceVersion-wait timers were boxed (`verbs/gate.rs`, `verbs/read.rs`).

use crate::common;

use common::*;
use kobj_core::{CustomObjects, PatchValue};
use kube_core::params::{
    DeleteParams, GetParams, ListParams, PatchParams, PostParams, WatchParams,
};
use serde_json::json;

/// Below glibc's largest thread-cached chunk (1,032 bytes), with room for a word.
const LIMIT: usize = 1024;

#[tokio::test]
async fn every_verb_future_stays_under_1_kib() {
    let c = cluster().await;
    let rt = configmaps();
    let ns = Some("default");
    let o = obj(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}));
    let (gp, pp, lp, wp) = (
        GetParams::default(),
        PostParams::default(),
        ListParams::default(),
        WatchParams::default(),
    );
    let (patch, ptp, dp) = (
        PatchValue::Merge(json!({})),
        PatchParams::default(),
        DeleteParams::default(),
    );
    let sizes = [
        (
            "get",
            std::mem::size_of_val(&*c.get_object(&rt, ns, "a", &gp)),
        ),
        (
            "list",
            std::mem::size_of_val(&*c.list_objects(&rt, ns, &lp)),
        ),
        (
            "watch",
            std::mem::size_of_val(&*c.watch_objects(&rt, ns, &wp, "0")),
        ),
        (
            "create",
            std::mem::size_of_val(&*c.create_object(&rt, ns, &o, &pp)),
        ),
        (
            "replace",
            std::mem::size_of_val(&*c.replace_object(&rt, ns, "a", &o, &pp)),
        ),
        (
            "patch",
            std::mem::size_of_val(&*c.patch_object(&rt, ns, "a", &patch, &ptp)),
        ),
        (
            "delete",
            std::mem::size_of_val(&*c.delete_object(&rt, ns, "a", &dp)),
        ),
    ];
    for (verb, size) in sizes {
        assert!(
            size <= LIMIT,
            "{verb}: a {size}-byte future (limit {LIMIT})"
        );
    }
}
