//! The warning a deprecated resource version carries (`TypeInfo::deprecation_warning`,
//! which `kobj serve` sends as a `Warning` header on every request of it).

use crate::common;

use common::*;
use kobj_fake::FakeCluster;

fn warning(c: &FakeCluster, group: &str, version: &str, plural: &str) -> Option<String> {
    c.resource_type_for_plural(group, version, plural)
        .unwrap_or_else(|| panic!("{group}/{version} {plural} is served"))
        .deprecation_warning
        .clone()
}

#[tokio::test]
async fn crd_versions_warn_with_their_text_or_the_servers_default() {
    let c = FakeCluster::new();
    let version = |name: &str, extra: serde_json::Value| {
        let mut v = serde_json::json!({"name": name, "served": true, "storage": name == "v1",
            "schema": {"openAPIV3Schema": {"type": "object"}}});
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        v
    };
    let crd = serde_json::from_value(serde_json::json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "things.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"plural": "things", "kind": "Thing"},
            "versions": [
                version("v1alpha1", serde_json::json!({"deprecated": true})),
                version("v1beta1", serde_json::json!({"deprecated": true, "deprecationWarning": "use v1"})),
                version("v1", serde_json::json!({})),
                // Served, not deprecated, but below v1alpha1: not named.
                version("foo", serde_json::json!({})),
                // Preferred over v1 but not served: not named.
                version("v2", serde_json::json!({"served": false})),
                version("v3alpha1", serde_json::json!({"deprecated": true})),
            ]}
    }))
    .unwrap();
    c.install_crd(&crd).await.unwrap();
    assert_eq!(
        warning(&c, "example.com", "v1alpha1", "things").as_deref(),
        Some("example.com/v1alpha1 Thing is deprecated; use example.com/v1 Thing")
    );
    assert_eq!(
        warning(&c, "example.com", "v1beta1", "things").as_deref(),
        Some("use v1")
    );
    assert_eq!(warning(&c, "example.com", "v1", "things"), None);
    assert_eq!(warning(&c, "example.com", "foo", "things"), None);
    // v3alpha1 ranks below v1 (alpha after GA): v1 is named.
    assert_eq!(
        warning(&c, "example.com", "v3alpha1", "things").as_deref(),
        Some("example.com/v3alpha1 Thing is deprecated; use example.com/v1 Thing")
    );
}

#[tokio::test]
async fn a_deprecated_version_with_nothing_newer_only_says_so() {
    let c = FakeCluster::new();
    let mut crd = gadget_crd();
    crd.spec.versions[0].deprecated = Some(true);
    c.install_crd(&crd).await.unwrap();
    assert_eq!(
        warning(&c, "example.com", "v1", "gadgets").as_deref(),
        Some("example.com/v1 Gadget is deprecated")
    );
}

#[test]
fn endpoints_are_deprecated_for_endpoint_slices() {
    let c = FakeCluster::new();
    assert_eq!(
        warning(&c, "", "v1", "endpoints").as_deref(),
        Some("v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice")
    );
    assert_eq!(
        warning(&c, "discovery.k8s.io", "v1", "endpointslices"),
        None
    );
    assert_eq!(warning(&c, "", "v1", "pods"), None);
}
