//! Objects nested up to `MAX_NESTING_DEPTH` levels go through every verb on a thread with a
//! tokio worker's 2 MiB stack; deeper ones, through any entry, are refused with a 400 and
//! leave the state unchanged, instead of overflowing the stack.

use crate::common;

use common::*;
use futures::StreamExt;
use kobj_core::{CustomObjects, PatchValue};
use kobj_fake::{MAX_NESTING_DEPTH, WriteOptions};
use kube_core::params::{DeleteParams, ListParams, Patch, PatchParams, PostParams, WatchParams};
use kube_core::{DynamicObject, WatchEvent};
use serde_json::{Value, json};

/// `levels` nested objects, the outermost included, built by moving (`json!` would copy
/// its argument by serializing it, recursively).
fn nested(levels: usize) -> Value {
    let mut v = json!({});
    for _ in 1..levels {
        v = Value::Object([("a".to_string(), v)].into_iter().collect());
    }
    v
}

/// Leaks a deep value: dropping it would recurse as deep as it goes (serde_json's `Drop`
/// is recursive), which is the overflow these tests are about, not the fake's.
fn leak(value: Value) {
    std::mem::forget(value);
}

/// A gadget (its spec keeps unknown fields) whose deepest object is at level `levels`:
/// the gadget is level 1, its spec level 2.
fn gadget(name: &str, levels: usize) -> DynamicObject {
    let mut g =
        obj(json!({"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": name}}));
    if let Value::Object(m) = &mut g.data {
        m.insert("spec".into(), nested(levels - 1));
    }
    g
}

/// Runs `test` on a thread with the stack a tokio worker gets (2 MiB).
fn on_a_worker_sized_stack<F, Fut>(test: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(test());
        })
        .unwrap()
        .join()
        .unwrap();
}

fn assert_too_deep(result: kobj_core::Result<impl std::fmt::Debug>, what: &str) {
    let err = result.expect_err("refused");
    let (code, message) = code_and_message(&err);
    assert_eq!(code, 400, "{message}");
    assert_eq!(status(&err).reason, "BadRequest");
    assert_eq!(
        message,
        format!(
            "{what} is nested more than {MAX_NESTING_DEPTH} levels deep, which kobj-fake does \
             not accept (a real API server decodes up to 10000 levels)"
        )
    );
}

#[test]
fn an_object_at_the_limit_goes_through_every_verb() {
    on_a_worker_sized_stack(|| async {
        let c = cluster().await;
        let rt = gadgets();
        let mut events = c
            .watch_objects(
                &rt,
                None,
                &WatchParams::default(),
                &c.resource_version().to_string(),
            )
            .await
            .unwrap();

        let created = c
            .create_object(
                &rt,
                None,
                &gadget("g", MAX_NESTING_DEPTH),
                &PostParams::default(),
            )
            .await
            .unwrap();
        match events.next().await {
            Some(Ok(WatchEvent::Added(o))) => assert_eq!(o.metadata.name.as_deref(), Some("g")),
            other => panic!("{other:?}"),
        }
        let listed = c
            .list_objects(&rt, None, &ListParams::default())
            .await
            .unwrap();
        assert_eq!(listed.items.len(), 1);

        // Read back with its managedFields (whose sets go a level deeper) and written again.
        let mut read = c
            .get_object(&rt, None, "g", &Default::default())
            .await
            .unwrap();
        assert_eq!(read.data["spec"], created.data["spec"]);
        read.data["spec"]["note"] = json!("again");
        let replaced = c
            .replace_object(&rt, None, "g", &read, &PostParams::default())
            .await
            .unwrap();
        assert_eq!(replaced.data["spec"]["note"], "again");

        let merge = Patch::Merge(json!({"spec": {"b": nested(MAX_NESTING_DEPTH - 2)}}));
        c.patch_object(&rt, None, "g", &merge, &PatchParams::default())
            .await
            .unwrap();
        let json_patch: PatchValue = Patch::Json(
            serde_json::from_value(json!([{"op": "add", "path": "/spec/c", "value": 1}])).unwrap(),
        );
        c.patch_object(&rt, None, "g", &json_patch, &PatchParams::default())
            .await
            .unwrap();
        let apply = Patch::Apply(json!({
            "apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"},
            "spec": {"d": nested(MAX_NESTING_DEPTH - 2)}
        }));
        let applied = c
            .patch_object(&rt, None, "g", &apply, &PatchParams::apply("deep"))
            .await
            .unwrap();
        assert_eq!(applied.data["spec"]["c"], 1);

        assert!(c.dump_yaml().unwrap().contains("name: g"));
        c.delete_object(&rt, None, "g", &DeleteParams::default())
            .await
            .unwrap();
        assert!(!exists(&c, "g").await);
    });
}

/// The deep inputs: far past any stack.
const VERY_DEEP: usize = 100_000;

#[test]
fn deeper_objects_are_refused_through_every_entry_and_change_nothing() {
    on_a_worker_sized_stack(|| async {
        let c = cluster().await;
        let rt = gadgets();
        c.create_object(&rt, None, &gadget("g", 3), &PostParams::default())
            .await
            .unwrap();
        let cm = configmap("cm", json!({"a": "1"}));
        c.create_object(&configmaps(), Some("default"), &cm, &PostParams::default())
            .await
            .unwrap();
        let before = c.dump_yaml().unwrap();

        // One level past the limit, and far past it.
        for levels in [MAX_NESTING_DEPTH + 1, VERY_DEEP] {
            let mut deep = gadget("h", levels);
            assert_too_deep(
                c.create_object(&rt, None, &deep, &PostParams::default())
                    .await,
                "the object",
            );
            deep.metadata.name = Some("g".into());
            assert_too_deep(
                c.replace_object(&rt, None, "g", &deep, &PostParams::default())
                    .await,
                "the object",
            );
            leak(std::mem::take(&mut deep.data));
        }

        let mut deep = gadget("g", VERY_DEEP);
        assert_too_deep(
            c.replace_object_status(&rt, None, "g", &deep, &PostParams::default())
                .await,
            "the object",
        );
        leak(std::mem::take(&mut deep.data));

        // The JSON entries own their body: a refused one is taken apart, not dropped.
        let body = deep_value("g", VERY_DEEP);
        assert_too_deep(
            c.create_value(&rt, None, body, &WriteOptions::default()),
            "the object",
        );
        let body = deep_value("g", VERY_DEEP);
        assert_too_deep(
            c.replace_value(&rt, None, "g", body, None, &WriteOptions::default()),
            "the object",
        );

        // A deep managedFields set given by the writer.
        let mut with_fields = gadget("h", 3);
        with_fields.metadata.managed_fields = Some(vec![
            k8s_openapi::apimachinery::pkg::apis::meta::v1::ManagedFieldsEntry {
                manager: Some("m".into()),
                operation: Some("Update".into()),
                api_version: Some("example.com/v1".into()),
                fields_type: Some("FieldsV1".into()),
                fields_v1: Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::FieldsV1(
                    nested(VERY_DEEP),
                )),
                ..Default::default()
            },
        ]);
        assert_too_deep(
            c.create_object(&rt, None, &with_fields, &PostParams::default())
                .await,
            "the object",
        );
        if let Some(f) = with_fields.metadata.managed_fields.as_mut().unwrap()[0]
            .fields_v1
            .take()
        {
            leak(f.0);
        }

        // Fixtures: nothing of the list is stored, not even the valid object before it.
        let fixtures = vec![gadget("first", 3), gadget("deep", VERY_DEEP)];
        let err = c.load_objects(fixtures).expect_err("refused");
        assert_eq!(code_and_message(&err).0, 400);
        assert!(message(&err).starts_with("object 2 of the fixtures is nested more than"));

        // Patches: the document itself, a JSON Patch value, and operations that nest the
        // object past the limit.
        let patches: Vec<(PatchValue, PatchParams, &str)> = vec![
            (Patch::Merge(wrap("spec", nested(VERY_DEEP))), PatchParams::default(), "the patch"),
            (
                Patch::Apply(wrap("spec", nested(VERY_DEEP))),
                PatchParams::apply("deep"),
                "the patch",
            ),
            (
                Patch::Json(json_patch::Patch(vec![json_patch::PatchOperation::Add(
                    json_patch::AddOperation {
                        path: json_patch::jsonptr::PointerBuf::parse("/spec/x").unwrap(),
                        value: nested(VERY_DEEP),
                    },
                )])),
                PatchParams::default(),
                "the patch",
            ),
            (
                Patch::Json(
                    serde_json::from_value(json!([
                        {"op": "add", "path": "/spec/x", "value": nested(200)},
                        {"op": "copy", "from": "/spec/x", "path": format!("/spec/x{}/b", "/a".repeat(100))},
                    ]))
                    .unwrap(),
                ),
                PatchParams::default(),
                "the patched object",
            ),
        ];
        for (patch, params, what) in patches {
            assert_too_deep(c.patch_object(&rt, None, "g", &patch, &params).await, what);
            match patch {
                Patch::Merge(v) | Patch::Apply(v) => leak(v),
                Patch::Json(p) => {
                    for op in p.0 {
                        if let json_patch::PatchOperation::Add(a) = op {
                            leak(a.value);
                        }
                    }
                }
                _ => {}
            }
        }

        // A built-in kind through a strategic merge patch.
        let smp = Patch::Strategic(wrap("data", nested(VERY_DEEP)));
        assert_too_deep(
            c.patch_object(
                &configmaps(),
                Some("default"),
                "cm",
                &smp,
                &PatchParams::default(),
            )
            .await,
            "the patch",
        );
        if let Patch::Strategic(v) = smp {
            leak(v);
        }

        assert_eq!(c.dump_yaml().unwrap(), before);
    });
}

fn deep_value(name: &str, levels: usize) -> Value {
    let mut v =
        json!({"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": name}});
    v["spec"] = nested(levels - 1);
    v
}

fn wrap(key: &str, value: Value) -> Value {
    Value::Object([(key.to_string(), value)].into_iter().collect())
}
