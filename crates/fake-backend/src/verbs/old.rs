//! The version an update starts from. Decoding the stored version whole (and freeing it),
//! only to compare most of it with the new version and to copy a few metadata fields, was
//! about a third of a replace; [`Old`] reads it in place ([`View`]) and decodes a part, or the whole, only when a
//! rule needs it as JSON.

use std::borrow::Cow;
use std::cell::OnceCell;

use either::Either;
use serde_json::Value;

use crate::cluster::Inner;
use crate::registry::TypeInfo;
use crate::store::{JsonRead, Stored, View};

/// Evaluates `$body` with `$read` bound to the old version's tree or to its encoding, each
/// arm compiled on its own: a rule generic over [`JsonRead`] then reads the encoding
/// directly instead of dispatching between the two forms on every step.
macro_rules! with_read {
    ($old:expr, |$read:ident| $body:expr) => {
        match $old.read() {
            either::Either::Left($read) => $body,
            either::Either::Right($read) => $body,
        }
    };
}
pub(crate) use with_read;

/// The old version of an update: the stored encoding read in place, or a JSON tree.
pub(crate) struct Old<'a> {
    /// The encoding, when it is exactly what the endpoint shows of the stored version.
    view: Option<View<'a>>,
    /// The members of its `metadata`, found once: several rules read one of them.
    meta: Vec<(&'a str, View<'a>)>,
    /// The version as JSON: given, or decoded on first use.
    decoded: OnceCell<Value>,
}

impl<'a> Old<'a> {
    /// A version the caller already has as JSON (a patch has applied itself to it).
    pub fn decoded(value: Value) -> Self {
        Self {
            view: None,
            meta: Vec::new(),
            decoded: OnceCell::from(value),
        }
    }

    /// The stored version as the endpoint of `info` renders it
    /// ([`Inner::render_value`]): read in place when that is the encoding as stored (a
    /// built-in served at its storage version, or a custom resource stored at the served
    /// version whose schema sets no defaults) and the encoding carries the live
    /// resourceVersion; rendered now otherwise.
    pub fn stored(inner: &Inner, info: &TypeInfo, stored: &'a Stored) -> Self {
        let view = stored.view();
        let rendered_as_stored = (!info.is_custom()
            && !crate::builtins::conversion::converts(info))
            || ((!info.has_defaults || info.schema.is_none())
                && view.get("apiVersion").and_then(JsonRead::as_str)
                    == Some(info.resource.api.api_version.as_str()));
        if rendered_as_stored {
            let meta: Vec<(&str, View<'_>)> = view
                .get("metadata")
                .and_then(JsonRead::members)
                .map(Iterator::collect)
                .unwrap_or_default();
            let live_rv = member(&meta, "resourceVersion")
                .and_then(JsonRead::as_str)
                .is_some_and(|rv| is_decimal_text_of(rv, stored.rv));
            if live_rv {
                return Self {
                    view: Some(view),
                    meta,
                    decoded: OnceCell::new(),
                };
            }
        }
        Self::decoded(inner.render_value(info, stored))
    }

    /// The version as JSON (decoded on first use).
    pub fn value(&self) -> &Value {
        self.decoded
            .get_or_init(|| self.view.map_or(Value::Null, View::decode))
    }

    /// Read access: the tree once there is one, the encoding before.
    pub fn read(&self) -> Either<&Value, View<'a>> {
        match (self.decoded.get(), self.view) {
            (None, Some(view)) => Either::Right(view),
            _ => Either::Left(self.value()),
        }
    }

    /// The top-level member `key`, as JSON.
    pub fn get(&self, key: &str) -> Option<Cow<'_, Value>> {
        self.read().get(key).map(JsonRead::to_value)
    }

    /// The member `key` of `metadata`, as JSON.
    pub fn meta_get(&self, key: &str) -> Option<Cow<'_, Value>> {
        match self.read() {
            Either::Right(_) => member(&self.meta, key).map(JsonRead::to_value),
            Either::Left(value) => value.get("metadata")?.get(key).map(Cow::Borrowed),
        }
    }

    /// The version as JSON, by value.
    pub fn into_value(self) -> Value {
        self.value();
        self.decoded.into_inner().unwrap_or(Value::Null)
    }
}

/// The member `key` of collected members.
fn member<'a>(members: &[(&'a str, View<'a>)], key: &str) -> Option<View<'a>> {
    members.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// Whether `text` is `n` written as `set_rv` writes it (decimal, no sign, no leading zero).
fn is_decimal_text_of(text: &str, n: u64) -> bool {
    text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'))
        && text.parse::<u64>().ok() == Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtins;
    use crate::patch::compare::{compare, compare_from};
    use crate::patch::typeinfo::Ty;
    use crate::store::codec;
    use crate::verbs::write::{bump_generation, unchanged};
    use serde_json::json;

    /// Versions of a Deployment-like object, differing in the ways updates differ.
    fn versions() -> Vec<Value> {
        let base = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "d", "namespace": "ns", "uid": "u1", "resourceVersion": "5",
                         "generation": 2, "labels": {"app": "a"},
                         "managedFields": [{"manager": "m", "operation": "Update",
                                            "apiVersion": "apps/v1",
                                            "time": "2024-01-01T00:00:00Z",
                                            "fieldsType": "FieldsV1",
                                            "fieldsV1": {"f:spec": {"f:replicas": {}}}}]},
            "spec": {"replicas": 1, "template": {"spec": {"containers": [
                {"name": "c", "image": "i:1", "ports": [{"containerPort": 80}]}]}}},
            "status": {"replicas": 1},
        });
        let mut out = vec![base.clone()];
        let edits: Vec<fn(&mut Value)> = vec![
            |v| v["spec"]["replicas"] = json!(2),
            |v| v["spec"]["replicas"] = json!(1.0),
            |v| v["metadata"]["resourceVersion"] = json!("6"),
            |v| v["metadata"]["managedFields"][0]["time"] = json!("2025-01-01T00:00:00Z"),
            |v| v["metadata"]["managedFields"][0]["manager"] = json!("other"),
            |v| v["metadata"]["labels"]["new"] = json!("x"),
            |v| v["spec"]["template"]["spec"]["containers"][0]["image"] = json!("i:2"),
            |v| {
                if let Some(c) = v["spec"]["template"]["spec"]["containers"].as_array_mut() {
                    c.push(json!({"name": "d", "image": "j"}));
                }
            },
            |v| v["status"] = json!({"replicas": 3}),
            |v| v["extra"] = json!(null),
            |v| {
                v.as_object_mut().map(|m| m.remove("status"));
            },
            |v| {
                v["metadata"]
                    .as_object_mut()
                    .map(|m| m.remove("managedFields"));
            },
            |v| v["metadata"] = json!("not a map"),
            |v| *v = json!(["not", "an", "object"]),
        ];
        for edit in edits {
            let mut v = base.clone();
            edit(&mut v);
            out.push(v);
        }
        out
    }

    #[test]
    fn rules_read_a_stored_version_in_place_as_they_read_it_decoded() {
        let ty = Ty::root("apps", "Deployment", Some("v1"), None);
        let versions = versions();
        for old in &versions {
            let bytes = codec::encode(old);
            let view = View::new(&bytes);
            for new in &versions {
                assert_eq!(unchanged(view, new), unchanged(old, new), "{old} -> {new}");
                assert_eq!(
                    compare_from(view, new, ty, None),
                    compare(Some(old), new, ty, None),
                    "{old} -> {new}"
                );
            }
        }
    }

    #[tokio::test]
    async fn a_stored_version_is_read_in_place_only_when_it_is_what_the_endpoint_shows() {
        let cluster = crate::FakeCluster::new();
        let crd = |plural: &str, kind: &str, default: &str| {
            format!(
                "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {{name: {plural}.example.com}}
spec:
  group: example.com
  scope: Namespaced
  names: {{plural: {plural}, singular: {singular}, kind: {kind}}}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {{type: integer{default}}}
---
",
                singular = plural.trim_end_matches('s'),
            )
        };
        let text = format!(
            "{}{}apiVersion: v1
kind: ConfigMap
metadata: {{name: c, namespace: default}}
data: {{k: v}}
---
apiVersion: example.com/v1
kind: Plain
metadata: {{name: p, namespace: default}}
spec: {{size: 1}}
---
apiVersion: example.com/v1
kind: Defaulted
metadata: {{name: d, namespace: default}}
spec: {{}}
",
            crd("plains", "Plain", ""),
            crd("defaulteds", "Defaulted", ", default: 3"),
        );
        cluster.load_yaml(&text).await.unwrap();
        let st = cluster.inner.lock();
        for (group, plural, name, in_place) in [
            ("", "configmaps", "c", true),
            ("example.com", "plains", "p", true),
            // Defaults are applied when the version is read: decoded and rendered.
            ("example.com", "defaulteds", "d", false),
        ] {
            let info = st.registry.by_plural(group, "v1", plural).unwrap().clone();
            let stored = st
                .store
                .get(&info.store_key(), &crate::store::key("default", name))
                .unwrap()
                .clone();
            let old = Old::stored(&cluster.inner, &info, &stored);
            assert_eq!(old.view.is_some(), in_place, "{plural}");
            assert_eq!(*old.value(), cluster.inner.render_value(&info, &stored));
            // An encoding whose resourceVersion is not the live one is rendered instead.
            let moved = stored.at_version(stored.rv + 1);
            let old = Old::stored(&cluster.inner, &info, &moved);
            assert!(old.view.is_none(), "{plural}");
            assert_eq!(*old.value(), cluster.inner.render_value(&info, &moved));
        }
    }

    #[test]
    fn generation_and_built_in_checks_read_in_place_as_decoded() {
        let registry = crate::registry::Registry::with_builtins();
        let types = [
            ("apps", "v1", "deployments"),
            ("", "v1", "configmaps"),
            ("", "v1", "secrets"),
        ];
        let mut versions = versions();
        for extra in [
            json!({"immutable": true, "data": {"a": "b"}, "type": "Opaque"}),
            json!({"immutable": true, "data": {}, "type": "Opaque"}),
            json!({"immutable": true, "data": null, "binaryData": {"x": "eQ=="}}),
            json!({"immutable": false, "data": {"a": "c"}, "type": "kubernetes.io/tls"}),
            json!({"data": {"a": "b"}}),
        ] {
            let mut v = versions[0].clone();
            if let (Some(m), Some(extra)) = (v.as_object_mut(), extra.as_object()) {
                m.extend(extra.clone());
            }
            versions.push(v);
        }
        for (group, version, plural) in types {
            let info = registry.by_plural(group, version, plural).unwrap();
            for old in &versions {
                let bytes = codec::encode(old);
                let view = View::new(&bytes);
                for new in &versions {
                    let (mut a, mut b) = (new.clone(), new.clone());
                    bump_generation(info, view, &mut a);
                    bump_generation(info, old, &mut b);
                    assert_eq!(a, b, "{plural}: {old} -> {new}");
                    assert_eq!(
                        builtins::validate(info, new, Some(view), None),
                        builtins::validate(info, new, Some(old), None),
                        "{plural}: {old} -> {new}"
                    );
                }
            }
        }
    }

    #[test]
    fn only_the_canonical_text_of_a_version_counts_as_it() {
        assert!(is_decimal_text_of("17", 17));
        assert!(is_decimal_text_of("0", 0));
        for other in ["017", "+17", "18", "", " 17", "17 "] {
            assert!(!is_decimal_text_of(other, 17), "{other:?}");
        }
    }
}
