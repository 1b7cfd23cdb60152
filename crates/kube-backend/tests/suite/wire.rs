//! Wire equivalence: for every verb, the backend sends byte for byte the request that a
//! kube-rs user sends by calling `kube::Api<DynamicObject>` directly (method, path, query,
//! headers and body), for a namespaced custom resource, a cluster-scoped one and a built-in kind.

use crate::common;

use common::*;
use futures::StreamExt;
use k8s_openapi::api::autoscaling::v1::{Scale, ScaleSpec};
use k8s_openapi::api::core::v1::ConfigMap;
use kobj_core::ResourceType;
use kobj_kube::KubeBackend;
use kube::Api;
use kube_core::DynamicObject;
use kube_core::params::{
    DeleteParams, GetParams, ListParams, Patch, PatchParams, PostParams, PropagationPolicy,
    VersionMatch, WatchParams,
};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// Runs `direct` (kube::Api) then `ours` (the backend) against a server answering `body`,
/// and returns the two requests.
async fn both<D, O>(body: Value, direct: D, ours: O) -> (Request, Request)
where
    D: AsyncFnOnce(kube::Client),
    O: AsyncFnOnce(KubeBackend),
{
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    direct(kube_client(&server)).await;
    ours(backend(&server)).await;
    let mut seen = requests(&server).await;
    assert_eq!(seen.len(), 2);
    let second = seen.pop().unwrap();
    (seen.pop().unwrap(), second)
}

fn assert_same(direct: &Request, ours: &Request) {
    assert_eq!(direct.method, ours.method);
    assert_eq!(direct.url, ours.url);
    let mut a: Vec<(String, String)> = direct
        .headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
        .collect();
    let mut b: Vec<(String, String)> = ours
        .headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
        .collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
    assert_eq!(direct.body, ours.body);
}

fn types() -> Vec<(ResourceType, Option<&'static str>)> {
    vec![
        (widgets(), Some("lab")),
        (cluster_widgets(), None),
        (ResourceType::of::<ConfigMap>(), Some("lab")),
    ]
}

fn api(client: kube::Client, rt: &ResourceType, ns: Option<&str>) -> Api<DynamicObject> {
    match ns {
        Some(ns) => Api::namespaced_with(client, ns, &rt.api),
        None => Api::all_with(client, &rt.api),
    }
}

fn obj(rt: &ResourceType) -> DynamicObject {
    let mut o = DynamicObject::new("w1", &rt.api);
    o.metadata.resource_version = Some("7".into());
    o.data = json!({"spec": {"size": 2}});
    o
}

#[tokio::test]
async fn create_get_list_replace() {
    for (rt, ns) in types() {
        let pp = PostParams {
            dry_run: true,
            field_manager: Some("m".into()),
        };
        let o = obj(&rt);
        let (d, b) = both(
            serde_json::to_value(&o).unwrap(),
            async |c| drop(api(c, &rt, ns).create(&pp, &o).await.unwrap()),
            async |k| drop(k.create_object(&rt, ns, &o, &pp).await.unwrap()),
        )
        .await;
        assert_same(&d, &b);

        let gp = GetParams::at("3");
        let (d, b) = both(
            serde_json::to_value(&o).unwrap(),
            async |c| drop(api(c, &rt, ns).get_with("w1", &gp).await.unwrap()),
            async |k| drop(k.get_object(&rt, ns, "w1", &gp).await.unwrap()),
        )
        .await;
        assert_same(&d, &b);

        let lp = ListParams::default()
            .labels("a=b")
            .fields("metadata.name=w1")
            .limit(3)
            .at("5")
            .matching(VersionMatch::NotOlderThan);
        let list = list_of(&rt.api.kind, &rt.api.api_version, "5", vec![]);
        let (d, b) = both(
            list,
            async |c| drop(api(c, &rt, ns).list(&lp).await.unwrap()),
            async |k| drop(k.list_objects(&rt, ns, &lp).await.unwrap()),
        )
        .await;
        assert_same(&d, &b);

        let (d, b) = both(
            serde_json::to_value(&o).unwrap(),
            async |c| drop(api(c, &rt, ns).replace("w1", &pp, &o).await.unwrap()),
            async |k| drop(k.replace_object(&rt, ns, "w1", &o, &pp).await.unwrap()),
        )
        .await;
        assert_same(&d, &b);
    }
}

#[tokio::test]
async fn patches_and_deletes() {
    for (rt, ns) in types() {
        let o = obj(&rt);
        let ops: json_patch::Patch =
            serde_json::from_value(json!([{"op": "add", "path": "/spec/x", "value": 1}])).unwrap();
        let patches: Vec<(Patch<Value>, PatchParams)> = vec![
            (
                Patch::Merge(json!({"spec": {"x": 1}})),
                PatchParams::default(),
            ),
            (
                Patch::Apply(serde_json::to_value(&o).unwrap()),
                PatchParams::apply("kobj").force(),
            ),
            (Patch::Json(ops), PatchParams::default().dry_run()),
            (
                Patch::Strategic(json!({"spec": {"x": 1}})),
                PatchParams::default(),
            ),
        ];
        for (patch, pp) in &patches {
            let (d, b) = both(
                serde_json::to_value(&o).unwrap(),
                async |c| drop(api(c, &rt, ns).patch("w1", pp, patch).await.unwrap()),
                async |k| drop(k.patch_object(&rt, ns, "w1", patch, pp).await.unwrap()),
            )
            .await;
            assert_same(&d, &b);
        }

        let dp = DeleteParams {
            dry_run: true,
            grace_period_seconds: Some(5),
            propagation_policy: Some(PropagationPolicy::Background),
            preconditions: None,
        };
        let (d, b) = both(
            serde_json::to_value(&o).unwrap(),
            async |c| drop(api(c, &rt, ns).delete("w1", &dp).await.unwrap()),
            async |k| drop(k.delete_object(&rt, ns, "w1", &dp).await.unwrap()),
        )
        .await;
        assert_same(&d, &b);

        let lp = ListParams::default().labels("a=b");
        let list = list_of(&rt.api.kind, &rt.api.api_version, "5", vec![]);
        let (d, b) = both(
            list,
            async |c| drop(api(c, &rt, ns).delete_collection(&dp, &lp).await.unwrap()),
            async |k| drop(k.delete_collection(&rt, ns, &dp, &lp).await.unwrap()),
        )
        .await;
        assert_same(&d, &b);
    }
}

#[tokio::test]
async fn subresources() {
    let rt = widgets();
    let ns = Some("lab");
    let o = obj(&rt);
    let pp = PostParams::default();
    let merge = Patch::Merge(json!({"status": {"ok": true}}));
    let patch_params = PatchParams::default();
    let body = serde_json::to_value(&o).unwrap();

    let (d, b) = both(
        body.clone(),
        async |c| drop(api(c, &rt, ns).get_status("w1").await.unwrap()),
        async |k| drop(k.get_object_status(&rt, ns, "w1").await.unwrap()),
    )
    .await;
    assert_same(&d, &b);
    let (d, b) = both(
        body.clone(),
        async |c| drop(api(c, &rt, ns).replace_status("w1", &pp, &o).await.unwrap()),
        async |k| {
            drop(
                k.replace_object_status(&rt, ns, "w1", &o, &pp)
                    .await
                    .unwrap(),
            )
        },
    )
    .await;
    assert_same(&d, &b);
    let (d, b) = both(
        body.clone(),
        async |c| {
            drop(
                api(c, &rt, ns)
                    .patch_status("w1", &patch_params, &merge)
                    .await
                    .unwrap(),
            )
        },
        async |k| {
            drop(
                k.patch_object_status(&rt, ns, "w1", &merge, &patch_params)
                    .await
                    .unwrap(),
            )
        },
    )
    .await;
    assert_same(&d, &b);

    let scale_body = json!({"apiVersion": "autoscaling/v1", "kind": "Scale",
        "metadata": {"name": "w1"}, "spec": {"replicas": 1}});
    let scale = Scale {
        spec: Some(ScaleSpec { replicas: Some(4) }),
        ..Default::default()
    };
    let (d, b) = both(
        scale_body.clone(),
        async |c| drop(api(c, &rt, ns).get_scale("w1").await.unwrap()),
        async |k| drop(k.get_scale(&rt, ns, "w1").await.unwrap()),
    )
    .await;
    assert_same(&d, &b);
    let (d, b) = both(
        scale_body.clone(),
        async |c| {
            drop(
                api(c, &rt, ns)
                    .replace_scale("w1", &pp, &scale)
                    .await
                    .unwrap(),
            )
        },
        async |k| drop(k.replace_scale(&rt, ns, "w1", &scale, &pp).await.unwrap()),
    )
    .await;
    assert_same(&d, &b);
    let scale_patch = Patch::Merge(json!({"spec": {"replicas": 2}}));
    let (d, b) = both(
        scale_body,
        async |c| {
            drop(
                api(c, &rt, ns)
                    .patch_scale("w1", &patch_params, &scale_patch)
                    .await
                    .unwrap(),
            )
        },
        async |k| {
            drop(
                k.patch_scale(&rt, ns, "w1", &scale_patch, &patch_params)
                    .await
                    .unwrap(),
            )
        },
    )
    .await;
    assert_same(&d, &b);
}

#[tokio::test]
async fn watch_is_kube_rs_api_watch() {
    for (rt, ns) in types() {
        for (wp, version) in [
            (WatchParams::default(), ""),
            (
                WatchParams::default()
                    .labels("a=b")
                    .timeout(10)
                    .disable_bookmarks(),
                "12",
            ),
            (WatchParams::streaming_lists(), "0"),
        ] {
            let server = MockServer::start().await;
            Mock::given(any())
                .respond_with(ResponseTemplate::new(200).set_body_raw("", "application/json"))
                .mount(&server)
                .await;
            let direct = api(kube_client(&server), &rt, ns);
            let mut s = direct.watch(&wp, version).await.unwrap().boxed();
            while s.next().await.is_some() {}
            let mut s = backend(&server)
                .watch_objects(&rt, ns, &wp, version)
                .await
                .unwrap();
            while s.next().await.is_some() {}
            let seen = requests(&server).await;
            assert_eq!(seen.len(), 2);
            assert_same(&seen[0], &seen[1]);
        }
    }
}
