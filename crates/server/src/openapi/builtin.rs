//! The built-in kinds' schemas in the OpenAPI v3 documents: the k8s-openapi types' own
//! schemas (its `schemars` feature: the Kubernetes OpenAPI definitions the types were generated
//! from, descriptions included), rendered as OpenAPI 3.0 components (`$ref`s into
//! `#/components/schemas`, a reference with a description wrapped in `allOf` as the server
//! writes it) and each kind's root tagged `x-kubernetes-group-version-kind`, so that
//! `kubectl explain` finds every field and its documentation. Built once: the built-in kinds do
//! not change while the server runs.

use std::collections::HashMap;
use std::sync::OnceLock;

use k8s_openapi::Resource;
use k8s_openapi::api::{
    admissionregistration, apps, authentication, authorization, autoscaling, batch, certificates,
    coordination, core, discovery, events, flowcontrol, networking, node, policy, rbac, scheduling,
    storage,
};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions;
use schemars::JsonSchema;
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{Map, Value, json};

/// The schemas of one group version's built-in kinds.
pub(super) struct GroupVersionSchemas {
    /// Every definition the kinds use (their roots, ObjectMeta, …), by OpenAPI name.
    pub(super) definitions: Map<String, Value>,
    /// Each kind's root definition name (`io.k8s.api.core.v1.Pod`).
    pub(super) roots: HashMap<&'static str, String>,
}

/// The schemas of the built-in kinds of `api_version` (`v1`, `apps/v1`, …), if it has any.
pub(super) fn schemas(api_version: &str) -> Option<&'static GroupVersionSchemas> {
    static ALL: OnceLock<HashMap<&'static str, GroupVersionSchemas>> = OnceLock::new();
    ALL.get_or_init(build).get(api_version)
}

/// Adds one kind's schema to a generator; gives its apiVersion, kind and root name.
type AddKind = fn(&mut SchemaGenerator) -> (&'static str, &'static str, String);

fn add<T: Resource + JsonSchema>(g: &mut SchemaGenerator) -> (&'static str, &'static str, String) {
    g.subschema_for::<T>();
    (T::API_VERSION, T::KIND, T::schema_name().into_owned())
}

/// Every kind the fake registers from the start (`kobj_fake`'s built-in registry).
const KINDS: &[AddKind] = &[
    add::<core::v1::Pod>,
    add::<core::v1::Service>,
    add::<core::v1::ConfigMap>,
    add::<core::v1::Secret>,
    add::<core::v1::Namespace>,
    add::<core::v1::ServiceAccount>,
    add::<core::v1::Event>,
    add::<core::v1::Endpoints>,
    add::<core::v1::PersistentVolumeClaim>,
    add::<core::v1::PersistentVolume>,
    add::<core::v1::Node>,
    add::<core::v1::ReplicationController>,
    add::<core::v1::ResourceQuota>,
    add::<core::v1::LimitRange>,
    add::<core::v1::PodTemplate>,
    add::<apps::v1::Deployment>,
    add::<apps::v1::StatefulSet>,
    add::<apps::v1::DaemonSet>,
    add::<apps::v1::ReplicaSet>,
    add::<apps::v1::ControllerRevision>,
    add::<batch::v1::Job>,
    add::<batch::v1::CronJob>,
    add::<coordination::v1::Lease>,
    add::<rbac::v1::Role>,
    add::<rbac::v1::RoleBinding>,
    add::<rbac::v1::ClusterRole>,
    add::<rbac::v1::ClusterRoleBinding>,
    add::<networking::v1::Ingress>,
    add::<networking::v1::NetworkPolicy>,
    add::<networking::v1::IngressClass>,
    add::<policy::v1::PodDisruptionBudget>,
    add::<autoscaling::v2::HorizontalPodAutoscaler>,
    add::<autoscaling::v1::HorizontalPodAutoscaler>,
    add::<events::v1::Event>,
    add::<discovery::v1::EndpointSlice>,
    add::<apiextensions::v1::CustomResourceDefinition>,
    add::<scheduling::v1::PriorityClass>,
    add::<storage::v1::StorageClass>,
    add::<storage::v1::CSIDriver>,
    add::<storage::v1::CSINode>,
    add::<storage::v1::VolumeAttachment>,
    add::<admissionregistration::v1::ValidatingWebhookConfiguration>,
    add::<admissionregistration::v1::MutatingWebhookConfiguration>,
    add::<admissionregistration::v1::ValidatingAdmissionPolicy>,
    add::<admissionregistration::v1::ValidatingAdmissionPolicyBinding>,
    add::<flowcontrol::v1::FlowSchema>,
    add::<flowcontrol::v1::PriorityLevelConfiguration>,
    add::<certificates::v1::CertificateSigningRequest>,
    add::<node::v1::RuntimeClass>,
    add::<authorization::v1::SelfSubjectAccessReview>,
    add::<authorization::v1::SelfSubjectRulesReview>,
    add::<authorization::v1::SubjectAccessReview>,
    add::<authorization::v1::LocalSubjectAccessReview>,
    add::<authentication::v1::SelfSubjectReview>,
    add::<authentication::v1::TokenReview>,
];

fn build() -> HashMap<&'static str, GroupVersionSchemas> {
    let mut out: HashMap<&'static str, GroupVersionSchemas> = HashMap::new();
    for add_kind in KINDS {
        let mut generator = SchemaGenerator::new(SchemaSettings::openapi3());
        let (api_version, kind, root) = add_kind(&mut generator);
        let gv = out
            .entry(api_version)
            .or_insert_with(|| GroupVersionSchemas {
                definitions: Map::new(),
                roots: HashMap::new(),
            });
        gv.definitions.extend(generator.take_definitions(true));
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        if let Some(Value::Object(schema)) = gv.definitions.get_mut(&root) {
            schema.insert(
                "x-kubernetes-group-version-kind".into(),
                json!([{"group": group, "kind": kind, "version": version}]),
            );
        }
        gv.roots.insert(kind, root);
    }
    out
}

/// The definitions a custom resource's document refers to (apiextensions' `builder.go` adds
/// them to every CRD's): ObjectMeta, ListMeta and autoscaling/v1 Scale, with everything they
/// use. Built once.
pub(super) fn custom_resource_definitions() -> &'static Map<String, Value> {
    static DEFINITIONS: OnceLock<Map<String, Value>> = OnceLock::new();
    DEFINITIONS.get_or_init(|| {
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ListMeta, ObjectMeta};
        let mut generator = SchemaGenerator::new(SchemaSettings::openapi3());
        generator.subschema_for::<ObjectMeta>();
        generator.subschema_for::<ListMeta>();
        generator.subschema_for::<autoscaling::v1::Scale>();
        generator.take_definitions(true)
    })
}

/// The description of one property of TypeMeta (`apiVersion`, `kind`), as every kind's
/// schema carries it.
pub(super) fn type_meta_property(name: &str) -> Option<&'static Value> {
    let core = schemas("v1")?;
    core.definitions
        .get(core.roots.get("ConfigMap")?)?
        .get("properties")?
        .get(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_described_roots_and_their_references_resolve() {
        let core = schemas("v1").unwrap();
        let pod = &core.definitions[&core.roots["Pod"]];
        assert_eq!(
            pod["x-kubernetes-group-version-kind"],
            json!([{"group": "", "kind": "Pod", "version": "v1"}])
        );
        assert!(pod["description"].as_str().unwrap().starts_with("Pod is"));
        // A reference with a description is wrapped as the server writes it.
        assert_eq!(
            pod["properties"]["spec"]["allOf"][0]["$ref"],
            "#/components/schemas/io.k8s.api.core.v1.PodSpec"
        );
        // Every reference of every group version names one of its definitions.
        for gv in ["v1", "apps/v1", "autoscaling/v2", "apiextensions.k8s.io/v1"] {
            let s = schemas(gv).unwrap();
            let text = Value::Object(s.definitions.clone()).to_string();
            for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
                let name = part.split('"').next().unwrap();
                assert!(s.definitions.contains_key(name), "{gv}: {name}");
            }
        }
        let deployment = &schemas("apps/v1").unwrap().roots["Deployment"];
        assert_eq!(deployment, "io.k8s.api.apps.v1.Deployment");
        assert!(schemas("example.com/v1").is_none());
    }
}
