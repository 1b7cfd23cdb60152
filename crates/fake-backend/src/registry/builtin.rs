//! The built-in resource types registered from the start, with the per-kind facts the fake
//! needs: scope, status and scale subresources, name rules (rule 8) and the field labels the
//! server's field selectors accept (rule 43).

use super::{NameRule, ScaleSpec, TypeInfo, resource_type};

/// Subresource flags in the table below.
const ST: u8 = 1;
/// The type has `/scale` at `.spec.replicas` / `.status.replicas` / `.status.selector`.
const SC: u8 = 2;
/// The type serves `create` alone and stores nothing (the reviews, `verbs::reviews`).
const CO: u8 = 4;

struct Row {
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
    flags: u8,
    name_rule: NameRule,
    short: &'static [&'static str],
    fields: &'static [&'static str],
}

const fn row(
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
    flags: u8,
) -> Row {
    Row {
        group,
        version,
        kind,
        plural,
        namespaced,
        flags,
        name_rule: NameRule::Subdomain,
        short: &[],
        fields: &[],
    }
}

impl Row {
    const fn names(mut self, rule: NameRule) -> Self {
        self.name_rule = rule;
        self
    }
    const fn short(mut self, short: &'static [&'static str]) -> Self {
        self.short = short;
        self
    }
    const fn fields(mut self, fields: &'static [&'static str]) -> Self {
        self.fields = fields;
        self
    }
}

/// The field labels of core/v1 Pods (pkg/registry/core/pod/strategy.go).
pub const POD_FIELDS: &[&str] = &[
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "spec.hostNetwork",
    "status.phase",
    "status.podIP",
    "status.podIPs",
    "status.nominatedNodeName",
];

/// The field labels of core/v1 Events (pkg/registry/core/event/strategy.go).
pub const EVENT_FIELDS: &[&str] = &[
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
];

/// The field labels of events.k8s.io/v1 Events (`AddFieldLabelConversionsForEvent`: each
/// names a core/v1 label, see `selection::field_value`).
pub const EVENTS_V1_FIELDS: &[&str] = &[
    "reason",
    "regarding.kind",
    "regarding.namespace",
    "regarding.name",
    "regarding.uid",
    "regarding.apiVersion",
    "regarding.resourceVersion",
    "regarding.fieldPath",
    "reportingController",
    "source",
    "type",
];

fn rows() -> Vec<Row> {
    use NameRule::{Dns1035, Label, PathSegment};
    vec![
        // core/v1
        row("", "v1", "Pod", "pods", true, ST)
            .short(&["po"])
            .fields(POD_FIELDS),
        row("", "v1", "Service", "services", true, ST)
            .names(Dns1035)
            .short(&["svc"]),
        row("", "v1", "ConfigMap", "configmaps", true, 0).short(&["cm"]),
        row("", "v1", "Secret", "secrets", true, 0).fields(&["type"]),
        row("", "v1", "Namespace", "namespaces", false, ST)
            .names(Label)
            .short(&["ns"])
            .fields(&["status.phase"]),
        row("", "v1", "ServiceAccount", "serviceaccounts", true, 0).short(&["sa"]),
        row("", "v1", "Event", "events", true, 0)
            .names(PathSegment)
            .short(&["ev"])
            .fields(EVENT_FIELDS),
        row("", "v1", "Endpoints", "endpoints", true, 0).short(&["ep"]),
        row(
            "",
            "v1",
            "PersistentVolumeClaim",
            "persistentvolumeclaims",
            true,
            ST,
        )
        .short(&["pvc"]),
        row("", "v1", "PersistentVolume", "persistentvolumes", false, ST).short(&["pv"]),
        row("", "v1", "Node", "nodes", false, ST)
            .short(&["no"])
            .fields(&["spec.unschedulable"]),
        row(
            "",
            "v1",
            "ReplicationController",
            "replicationcontrollers",
            true,
            ST | SC,
        )
        .short(&["rc"])
        .fields(&["status.replicas"]),
        row("", "v1", "ResourceQuota", "resourcequotas", true, ST).short(&["quota"]),
        row("", "v1", "LimitRange", "limitranges", true, 0).short(&["limits"]),
        row("", "v1", "PodTemplate", "podtemplates", true, 0),
        // apps/v1
        row("apps", "v1", "Deployment", "deployments", true, ST | SC).short(&["deploy"]),
        row("apps", "v1", "StatefulSet", "statefulsets", true, ST | SC).short(&["sts"]),
        row("apps", "v1", "DaemonSet", "daemonsets", true, ST).short(&["ds"]),
        row("apps", "v1", "ReplicaSet", "replicasets", true, ST | SC)
            .short(&["rs"])
            .fields(&["status.replicas"]),
        row(
            "apps",
            "v1",
            "ControllerRevision",
            "controllerrevisions",
            true,
            0,
        ),
        // batch/v1
        row("batch", "v1", "Job", "jobs", true, ST).fields(&["status.successful"]),
        row("batch", "v1", "CronJob", "cronjobs", true, ST).short(&["cj"]),
        // coordination.k8s.io/v1
        row("coordination.k8s.io", "v1", "Lease", "leases", true, 0),
        // rbac.authorization.k8s.io/v1
        row("rbac.authorization.k8s.io", "v1", "Role", "roles", true, 0).names(PathSegment),
        row(
            "rbac.authorization.k8s.io",
            "v1",
            "RoleBinding",
            "rolebindings",
            true,
            0,
        )
        .names(PathSegment),
        row(
            "rbac.authorization.k8s.io",
            "v1",
            "ClusterRole",
            "clusterroles",
            false,
            0,
        )
        .names(PathSegment),
        row(
            "rbac.authorization.k8s.io",
            "v1",
            "ClusterRoleBinding",
            "clusterrolebindings",
            false,
            0,
        )
        .names(PathSegment),
        // networking.k8s.io/v1
        row("networking.k8s.io", "v1", "Ingress", "ingresses", true, ST).short(&["ing"]),
        row(
            "networking.k8s.io",
            "v1",
            "NetworkPolicy",
            "networkpolicies",
            true,
            0,
        )
        .short(&["netpol"]),
        row(
            "networking.k8s.io",
            "v1",
            "IngressClass",
            "ingressclasses",
            false,
            0,
        ),
        // policy/v1
        row(
            "policy",
            "v1",
            "PodDisruptionBudget",
            "poddisruptionbudgets",
            true,
            ST,
        )
        .short(&["pdb"]),
        // autoscaling
        row(
            "autoscaling",
            "v2",
            "HorizontalPodAutoscaler",
            "horizontalpodautoscalers",
            true,
            ST,
        )
        .short(&["hpa"]),
        row(
            "autoscaling",
            "v1",
            "HorizontalPodAutoscaler",
            "horizontalpodautoscalers",
            true,
            ST,
        )
        .short(&["hpa"]),
        // events.k8s.io/v1
        row("events.k8s.io", "v1", "Event", "events", true, 0)
            .names(PathSegment)
            .short(&["ev"])
            .fields(EVENTS_V1_FIELDS),
        // discovery.k8s.io/v1
        row(
            "discovery.k8s.io",
            "v1",
            "EndpointSlice",
            "endpointslices",
            true,
            0,
        ),
        // apiextensions.k8s.io/v1
        row(
            "apiextensions.k8s.io",
            "v1",
            "CustomResourceDefinition",
            "customresourcedefinitions",
            false,
            ST,
        )
        .short(&["crd", "crds"]),
        // scheduling.k8s.io/v1
        row(
            "scheduling.k8s.io",
            "v1",
            "PriorityClass",
            "priorityclasses",
            false,
            0,
        )
        .short(&["pc"]),
        // storage.k8s.io/v1
        row(
            "storage.k8s.io",
            "v1",
            "StorageClass",
            "storageclasses",
            false,
            0,
        )
        .short(&["sc"]),
        row("storage.k8s.io", "v1", "CSIDriver", "csidrivers", false, 0),
        row("storage.k8s.io", "v1", "CSINode", "csinodes", false, 0),
        row(
            "storage.k8s.io",
            "v1",
            "VolumeAttachment",
            "volumeattachments",
            false,
            ST,
        ),
        // admissionregistration.k8s.io/v1
        row(
            "admissionregistration.k8s.io",
            "v1",
            "ValidatingWebhookConfiguration",
            "validatingwebhookconfigurations",
            false,
            0,
        ),
        row(
            "admissionregistration.k8s.io",
            "v1",
            "MutatingWebhookConfiguration",
            "mutatingwebhookconfigurations",
            false,
            0,
        ),
        row(
            "admissionregistration.k8s.io",
            "v1",
            "ValidatingAdmissionPolicy",
            "validatingadmissionpolicies",
            false,
            ST,
        ),
        row(
            "admissionregistration.k8s.io",
            "v1",
            "ValidatingAdmissionPolicyBinding",
            "validatingadmissionpolicybindings",
            false,
            0,
        ),
        // flowcontrol.apiserver.k8s.io/v1
        row(
            "flowcontrol.apiserver.k8s.io",
            "v1",
            "FlowSchema",
            "flowschemas",
            false,
            ST,
        ),
        row(
            "flowcontrol.apiserver.k8s.io",
            "v1",
            "PriorityLevelConfiguration",
            "prioritylevelconfigurations",
            false,
            ST,
        ),
        // certificates.k8s.io/v1
        row(
            "certificates.k8s.io",
            "v1",
            "CertificateSigningRequest",
            "certificatesigningrequests",
            false,
            ST,
        )
        .short(&["csr"])
        .fields(&["spec.signerName"]),
        // node.k8s.io/v1
        row(
            "node.k8s.io",
            "v1",
            "RuntimeClass",
            "runtimeclasses",
            false,
            0,
        ),
        // authorization.k8s.io/v1 and authentication.k8s.io/v1: the reviews, answered and
        // never stored.
        row(
            "authorization.k8s.io",
            "v1",
            "SelfSubjectAccessReview",
            "selfsubjectaccessreviews",
            false,
            CO,
        ),
        row(
            "authorization.k8s.io",
            "v1",
            "SelfSubjectRulesReview",
            "selfsubjectrulesreviews",
            false,
            CO,
        ),
        row(
            "authorization.k8s.io",
            "v1",
            "SubjectAccessReview",
            "subjectaccessreviews",
            false,
            CO,
        ),
        row(
            "authorization.k8s.io",
            "v1",
            "LocalSubjectAccessReview",
            "localsubjectaccessreviews",
            true,
            CO,
        ),
        row(
            "authentication.k8s.io",
            "v1",
            "SelfSubjectReview",
            "selfsubjectreviews",
            false,
            CO,
        ),
        row(
            "authentication.k8s.io",
            "v1",
            "TokenReview",
            "tokenreviews",
            false,
            CO,
        ),
    ]
}

/// The built-in resource versions the server marks deprecated, with the warning it adds to
/// every request of them (`k8s.io/apiserver/pkg/endpoints/deprecation`'s text from the
/// type's prerelease-lifecycle tags; Endpoints since 1.33, KEP-4974).
const DEPRECATED: &[(&str, &str, &str, &str)] = &[(
    "",
    "v1",
    "endpoints",
    "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice",
)];

/// The built-in types, as [`TypeInfo`]s.
#[must_use]
pub fn types() -> Vec<TypeInfo> {
    rows()
        .into_iter()
        .map(|r| TypeInfo {
            resource: resource_type(r.group, r.version, r.kind, r.plural, r.namespaced),
            singular: r.kind.to_ascii_lowercase(),
            list_kind: format!("{}List", r.kind),
            short_names: r.short.iter().map(ToString::to_string).collect(),
            categories: if matches!(
                r.plural,
                "pods"
                    | "services"
                    | "deployments"
                    | "statefulsets"
                    | "daemonsets"
                    | "replicasets"
                    | "jobs"
                    | "cronjobs"
                    | "replicationcontrollers"
                    | "horizontalpodautoscalers"
            ) {
                vec!["all".to_string()]
            } else {
                Vec::new()
            },
            status: r.flags & ST != 0,
            scale: (r.flags & SC != 0).then(|| ScaleSpec {
                spec_replicas_path: ".spec.replicas".to_string(),
                status_replicas_path: ".status.replicas".to_string(),
                label_selector_path: Some(".status.selector".to_string()),
            }),
            field_labels: r.fields.iter().map(ToString::to_string).collect(),
            name_rule: r.name_rule,
            crd: None,
            schema: None,
            has_defaults: false,
            printer_columns: Vec::new(),
            // autoscaling/v1 HorizontalPodAutoscalers are stored as v2 (`builtins::conversion`).
            storage: !(r.group == "autoscaling" && r.version == "v1"),
            terminating: false,
            create_only: r.flags & CO != 0,
            deprecation_warning: DEPRECATED
                .iter()
                .find(|(g, v, p, _)| (*g, *v, *p) == (r.group, r.version, r.plural))
                .map(|(.., text)| (*text).to_string()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    /// The `all` category holds the resources whose REST storage names it
    /// (`Categories()` in pkg/registry), which is what `kubectl get all` lists.
    #[test]
    fn the_all_category_is_the_servers() {
        let mut all: Vec<String> = super::types()
            .into_iter()
            .filter(|t| t.categories.iter().any(|c| c == "all"))
            .map(|t| format!("{}/{}", t.resource.api.api_version, t.resource.api.plural))
            .collect();
        all.sort();
        assert_eq!(
            all,
            [
                "apps/v1/daemonsets",
                "apps/v1/deployments",
                "apps/v1/replicasets",
                "apps/v1/statefulsets",
                "autoscaling/v1/horizontalpodautoscalers",
                "autoscaling/v2/horizontalpodautoscalers",
                "batch/v1/cronjobs",
                "batch/v1/jobs",
                "v1/pods",
                "v1/replicationcontrollers",
                "v1/services",
            ]
        );
    }
}
