//! Property tests for a Pod's `ephemeralcontainers` and `resize` subresources: any patch or
//! replace through them gets a Kubernetes-shaped error that leaves the state as it was, or
//! succeeds having changed only what the subresource may change (its ephemeral containers,
//! or its containers' `resources` and `resizePolicy`), never a panic.

use crate::common;
use crate::fuzz::inputs;
use crate::fuzz::support;

use common::{manager, named_pod, pods};
use inputs::{junk, odd_value};
use kobj_core::PatchValue;
use kobj_fake::FakeCluster;
use kube_core::params::Patch;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Map, Value, json};
use support::{block_on, check_refused, config};

/// A cluster with the Burstable Pod `p` (containers `app` and `side`, an init container
/// `setup`) that already has the ephemeral container `debugger`.
fn seeded() -> FakeCluster {
    let c = FakeCluster::new();
    named_pod(&c, "p", |s| {
        let resources = json!({"requests": {"cpu": "100m", "memory": "64Mi"},
                               "limits": {"cpu": "200m", "memory": "128Mi"}});
        s["containers"] = json!([
            {"name": "app", "image": "nginx", "resources": resources},
            {"name": "side", "image": "busybox", "resizePolicy": [
                {"resourceName": "memory", "restartPolicy": "RestartContainer"}]}
        ]);
        s["initContainers"] = json!([{"name": "setup", "image": "busybox"}]);
    });
    c.patch_value(
        &pods(),
        Some("default"),
        "p",
        &Patch::Strategic(
            json!({"spec": {"ephemeralContainers": [{"name": "debugger", "image": "busybox"}]}}),
        ),
        Some("ephemeralcontainers"),
        &manager("kubectl-debug"),
    )
    .unwrap();
    c
}

fn name() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        4 => prop::sample::select(&["app", "side", "setup", "debugger", "d2", ""][..])
            .prop_map(Value::from),
        1 => odd_value(),
    ]
}

fn quantity() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        4 => prop::sample::select(&["50m", "100m", "1", "300m", "64Mi", "100Mi", "1Gi", "0"][..])
            .prop_map(Value::from),
        1 => junk(),
    ]
}

fn resource_list() -> impl Strategy<Value = Value> + Clone {
    prop::collection::btree_map(
        prop::sample::select(&["cpu", "memory", "ephemeral-storage", "example.com/gpu"][..]),
        quantity(),
        0..3,
    )
    .prop_map(|m| {
        Value::Object(
            m.into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<Map<_, _>>(),
        )
    })
}

/// A container as a patch or a body might give it: a name, and some of image, resources,
/// resize policy, ports, probes, target and junk.
fn container() -> impl Strategy<Value = Value> + Clone {
    (
        name(),
        prop::option::of(prop::sample::select(&["busybox", "nginx:2", " x "][..])),
        prop::option::of((
            prop::option::of(resource_list()),
            prop::option::of(resource_list()),
        )),
        prop::option::of(prop_oneof![
            Just(json!([{"resourceName": "memory", "restartPolicy": "RestartContainer"}])),
            Just(json!([{"resourceName": "cpu", "restartPolicy": "NotRequired"}])),
            junk(),
        ]),
        prop::option::of(prop_oneof![
            Just(json!({"ports": [{"containerPort": 80}]})),
            Just(json!({"readinessProbe": {"exec": {"command": ["true"]}}})),
            Just(json!({"targetContainerName": "app"})),
            Just(json!({"targetContainerName": "nope"})),
            Just(json!({"volumeMounts": [{"name": "x", "mountPath": "/x", "subPath": "y"}]})),
            junk(),
        ]),
    )
        .prop_map(|(name, image, resources, policy, extra)| {
            let mut c = Map::new();
            c.insert("name".into(), name);
            if let Some(image) = image {
                c.insert("image".into(), image.into());
            }
            if let Some((requests, limits)) = resources {
                let mut r = Map::new();
                if let Some(v) = requests {
                    r.insert("requests".into(), v);
                }
                if let Some(v) = limits {
                    r.insert("limits".into(), v);
                }
                c.insert("resources".into(), Value::Object(r));
            }
            if let Some(p) = policy {
                c.insert("resizePolicy".into(), p);
            }
            if let Some(Value::Object(extra)) = extra {
                c.extend(extra);
            }
            Value::Object(c)
        })
}

#[derive(Debug, Clone)]
enum Write {
    Strategic(Value),
    Merge(Value),
    Json(Value),
    /// A replace of the stored Pod with this spec member set.
    Replace(&'static str, Value),
}

fn write() -> impl Strategy<Value = Write> {
    let list = prop::collection::vec(container(), 0..3).prop_map(Value::Array);
    let member = prop::sample::select(&["containers", "initContainers", "ephemeralContainers"][..]);
    prop_oneof![
        3 => (member.clone(), list.clone(), prop::option::of(junk())).prop_map(|(m, l, extra)| {
            let mut spec = json!({ m: l });
            if let Some(e) = extra {
                spec["activeDeadlineSeconds"] = e;
            }
            Write::Strategic(json!({"spec": spec, "metadata": {"labels": {"fuzz": "1"}}}))
        }),
        1 => (member.clone(), list.clone()).prop_map(|(m, l)| Write::Merge(json!({"spec": { m: l }}))),
        2 => (
            prop::sample::select(&[
                "/spec/containers/0/resources/limits/cpu",
                "/spec/containers/0/resources/requests",
                "/spec/containers/1/resizePolicy",
                "/spec/ephemeralContainers/0",
                "/spec/ephemeralContainers/0/image",
                "/spec/containers/0",
                "/spec/nodeName",
            ][..]),
            prop::sample::select(&["add", "replace", "remove"][..]),
            quantity(),
        )
            .prop_map(|(path, op, value)| {
                Write::Json(json!([{"op": op, "path": path, "value": value}]))
            }),
        1 => (member, list).prop_map(|(m, l)| Write::Replace(m, l)),
    ]
}

/// The Pod `p` as a get reads it.
fn read(c: &FakeCluster) -> Value {
    let got = block_on(kobj_core::CustomObjects::get_object(
        c,
        &pods(),
        Some("default"),
        "p",
        &kube_core::params::GetParams::default(),
    ))
    .unwrap();
    serde_json::to_value(got).unwrap()
}

/// `v` without what the subresource may change.
fn fixed_part(v: &Value, subresource: &str) -> Value {
    let mut v = v.clone();
    if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in ["resourceVersion", "managedFields", "generation"] {
            m.remove(k);
        }
    }
    let Some(spec) = v.get_mut("spec").and_then(Value::as_object_mut) else {
        return v;
    };
    if subresource == "ephemeralcontainers" {
        spec.remove("ephemeralContainers");
    } else {
        for list in ["containers", "initContainers"] {
            for c in spec
                .get_mut(list)
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                if let Some(c) = c.as_object_mut() {
                    c.remove("resources");
                    c.remove("resizePolicy");
                }
            }
        }
    }
    v
}

fn run(subresource: &'static str, w: Write) -> Result<(), TestCaseError> {
    let c = seeded();
    let before = c.dump_yaml().unwrap();
    let old = read(&c);
    let opts = manager("fuzz");
    let sub = Some(subresource);
    let result = match w {
        Write::Strategic(p) => c.patch_value(
            &pods(),
            Some("default"),
            "p",
            &Patch::Strategic(p),
            sub,
            &opts,
        ),
        Write::Merge(p) => {
            c.patch_value(&pods(), Some("default"), "p", &Patch::Merge(p), sub, &opts)
        }
        Write::Json(ops) => {
            let Ok(ops) = serde_json::from_value(ops) else {
                return Ok(());
            };
            let p: PatchValue = Patch::Json(ops);
            c.patch_value(&pods(), Some("default"), "p", &p, sub, &opts)
        }
        Write::Replace(member, list) => {
            let mut body = old.clone();
            body["spec"][member] = list;
            c.replace_value(&pods(), Some("default"), "p", body, sub, &opts)
        }
    };
    match result {
        Err(e) => check_refused(&c, &e, &before)?,
        Ok(written) => {
            prop_assert_eq!(&written["metadata"]["uid"], &old["metadata"]["uid"]);
            prop_assert_eq!(read(&c), written.clone());
            prop_assert_eq!(
                fixed_part(&written, subresource),
                fixed_part(&old, subresource),
                "{} changed what it may not",
                subresource
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(4))]

    #[test]
    fn ephemeral_container_writes_err_or_change_only_them(w in write()) {
        run("ephemeralcontainers", w)?;
    }

    #[test]
    fn resizes_err_or_change_only_resources(w in write()) {
        run("resize", w)?;
    }
}
