//! Pods and the kinds with a pod template are validated as a real API server validates them
//! (`ValidatePodCreate`, `ValidateDeployment`, `ValidateJob`, …): a workload's selector must
//! be set, non-empty and match its template, containers need names and images, a Job's pods
//! may not restart `Always`, and an apps/v1 selector may not change. Each refusal is a 422
//! with the server's text, every error in one message, and leaves the stored state as it was.

use crate::common;

use common::*;
use kobj_core::{CustomObjects, ResourceType};
use kobj_fake::FakeCluster;
use kube_core::params::{Patch, PatchParams};
use serde_json::{Value, json};

fn jobs() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::batch::v1::Job>()
}

fn daemon_sets() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::apps::v1::DaemonSet>()
}

fn stateful_sets() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::apps::v1::StatefulSet>()
}

/// A valid Deployment `web`, with `edit` applied to its JSON.
fn deployment(edit: impl FnOnce(&mut Value)) -> Value {
    let mut d = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}
            }
        }
    });
    edit(&mut d);
    d
}

/// Creates `body` as `rt`, expecting a 422 with `expected` as its message and no change.
async fn refused(c: &FakeCluster, rt: &ResourceType, body: Value, expected: &str) {
    refused_as_invalid(c, rt, body, expected).await;
}

#[tokio::test]
async fn a_deployment_needs_a_selector_that_matches_its_template() {
    let c = cluster().await;
    refused(
        &c,
        &deployments(),
        deployment(|d| {
            d["spec"].as_object_mut().unwrap().remove("selector");
        }),
        "Deployment.apps \"web\" is invalid: [spec.selector: Required value, \
         spec.template.metadata.labels: Invalid value: {\"app\":\"web\"}: `selector` does not \
         match template `labels`]",
    )
    .await;
    refused(
        &c,
        &deployments(),
        deployment(|d| d["spec"]["template"]["metadata"]["labels"] = json!({"app": "api"})),
        "Deployment.apps \"web\" is invalid: spec.template.metadata.labels: Invalid value: \
         {\"app\":\"api\"}: `selector` does not match template `labels`",
    )
    .await;
    refused(
        &c,
        &deployments(),
        deployment(|d| d["spec"]["selector"] = json!({})),
        "Deployment.apps \"web\" is invalid: spec.selector: Invalid value: {}: empty selector \
         is invalid for deployment",
    )
    .await;
    refused(
        &c,
        &deployments(),
        deployment(|d| {
            d["spec"]["selector"] =
                json!({"matchExpressions": [{"key": "app", "operator": "Maybe"}]});
        }),
        "Deployment.apps \"web\" is invalid: [spec.selector.matchExpressions[0].operator: \
         Invalid value: \"Maybe\": not a valid selector operator, spec.selector: Invalid value: \
         {\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"Maybe\"}]}: invalid label \
         selector]",
    )
    .await;
    // A struct value prints as the internal Go type's JSON: field names and order are Go's.
    refused(
        &c,
        &deployments(),
        deployment(|d| d["spec"]["strategy"] = json!({"type": "BlueGreen"})),
        "Deployment.apps \"web\" is invalid: spec.strategy: Unsupported value: \
         {\"Type\":\"BlueGreen\",\"RollingUpdate\":null}: supported values: \"Recreate\", \
         \"RollingUpdate\"",
    )
    .await;
    refused(
        &c,
        &deployments(),
        deployment(|d| {
            d["spec"]["strategy"] =
                json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "0%"}});
        }),
        "Deployment.apps \"web\" is invalid: spec.strategy.rollingUpdate.maxUnavailable: \
         Invalid value: 0: may not be 0 when `maxSurge` is 0",
    )
    .await;
    // A selector of expressions that the template satisfies is accepted.
    created(
        &c,
        &deployments(),
        deployment(|d| {
            d["spec"]["selector"] = json!({"matchExpressions": [
                {"key": "app", "operator": "In", "values": ["web", "api"]},
                {"key": "tier", "operator": "DoesNotExist"}
            ]});
        }),
    )
    .await;
}

#[tokio::test]
async fn containers_need_names_images_and_sane_fields() {
    let c = cluster().await;
    refused(
        &c,
        &deployments(),
        deployment(|d| d["spec"]["template"]["spec"]["containers"] = json!([])),
        "Deployment.apps \"web\" is invalid: spec.template.spec.containers: Required value",
    )
    .await;
    refused(
        &c,
        &deployments(),
        deployment(|d| {
            d["spec"]["template"]["spec"]["containers"] = json!([
                {"name": "app", "image": ""},
                {"name": "app", "image": "x", "ports": [{"containerPort": 70000}]},
                {"name": "Side_car", "image": "y", "env": [{"name": "A=B", "value": "1"}]}
            ]);
        }),
        "Deployment.apps \"web\" is invalid: [spec.template.spec.containers[0].image: Required \
         value, spec.template.spec.containers[1].ports[0].containerPort: Invalid value: 70000: \
         must be between 1 and 65535, inclusive, spec.template.spec.containers[1].name: \
         Duplicate value: \"app\", spec.template.spec.containers[2].name: Invalid value: \
         \"Side_car\": a lowercase RFC 1123 label must consist of lower case alphanumeric \
         characters or '-', and must start and end with an alphanumeric character (e.g. \
         'my-name',  or '123-abc', regex used for validation is \
         '[a-z0-9]([-a-z0-9]*[a-z0-9])?'), spec.template.spec.containers[2].env[0].name: \
         Invalid value: \"A=B\": a valid environment variable name must consist only of \
         printable ASCII characters other than '=']",
    )
    .await;
    refused(
        &c,
        &pods(),
        json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{
                "name": "app", "image": "busybox",
                "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                "resources": {"limits": {"cpu": "1"}, "requests": {"cpu": "1500m"}}
            }]}
        }),
        "Pod \"p\" is invalid: [spec.containers[0].volumeMounts[0].name: Not found: \"data\", \
         spec.containers[0].resources.requests: Invalid value: \"1500m\": must be less than or \
         equal to cpu limit of 1]",
    )
    .await;
    refused(
        &c,
        &pods(),
        json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"restartPolicy": "Sometimes", "containers": [{"name": "app", "image": "busybox"}]}
        }),
        "Pod \"p\" is invalid: spec.restartPolicy: Unsupported value: \"Sometimes\": supported \
         values: \"Always\", \"OnFailure\", \"Never\"",
    )
    .await;
    let pod = created(
        &c,
        &pods(),
        json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {
                "volumes": [{"name": "data", "emptyDir": {}}],
                "containers": [{
                    "name": "app", "image": "busybox",
                    "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                    "resources": {"limits": {"cpu": "1"}, "requests": {"cpu": "500m"}}
                }]
            }
        }),
    )
    .await;
    assert_eq!(
        pod["spec"]["containers"][0]["resources"]["requests"]["cpu"],
        "500m"
    );
}

#[tokio::test]
async fn a_job_restarts_on_failure_or_never() {
    let c = cluster().await;
    let job = |policy: Option<&str>| {
        let mut j = json!({
            "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once"},
            "spec": {"template": {"spec": {"containers": [{"name": "run", "image": "busybox"}]}}}
        });
        if let Some(p) = policy {
            j["spec"]["template"]["spec"]["restartPolicy"] = json!(p);
        }
        j
    };
    refused(
        &c,
        &jobs(),
        job(None),
        "Job.batch \"once\" is invalid: spec.template.spec.restartPolicy: Required value: valid \
         values: \"OnFailure\", \"Never\"",
    )
    .await;
    // The generated selector and labels pass their own checks.
    let created = created(&c, &jobs(), job(Some("Never"))).await;
    let uid = created["metadata"]["uid"].as_str().unwrap();
    assert_eq!(
        created["spec"]["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"],
        uid
    );
}

#[tokio::test]
async fn daemon_sets_and_stateful_sets_have_their_own_rules() {
    let c = cluster().await;
    let pod_template = json!({
        "metadata": {"labels": {"app": "agent"}},
        "spec": {"containers": [{"name": "agent", "image": "agent"}]}
    });
    // A DaemonSet without a selector is not `Required`: it only selects nothing.
    refused(
        &c,
        &daemon_sets(),
        json!({
            "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
            "spec": {"template": pod_template}
        }),
        "DaemonSet.apps \"agent\" is invalid: spec.template.metadata.labels: Invalid value: \
         {\"app\":\"agent\"}: `selector` does not match template `labels`",
    )
    .await;
    let mut template = pod_template.clone();
    template["spec"]["restartPolicy"] = json!("OnFailure");
    refused(
        &c,
        &stateful_sets(),
        json!({
            "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
            "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": template}
        }),
        "StatefulSet.apps \"db\" is invalid: spec.template.spec.restartPolicy: Unsupported \
         value: \"OnFailure\": supported values: \"Always\"",
    )
    .await;
}

#[tokio::test]
async fn an_apps_v1_selector_is_immutable() {
    let c = cluster().await;
    created(&c, &deployments(), deployment(|_| {})).await;
    let patch = json!({"spec": {
        "selector": {"matchLabels": {"app": "web2"}},
        "template": {"metadata": {"labels": {"app": "web2"}}}
    }});
    let before = c.dump_yaml().unwrap();
    let e = merge(&c, &deployments(), "web", patch).await.unwrap_err();
    assert_eq!(
        message(&e),
        "Deployment.apps \"web\" is invalid: spec.selector: Invalid value: \
         {\"matchLabels\":{\"app\":\"web2\"}}: field is immutable"
    );
    assert_eq!(c.dump_yaml().unwrap(), before);
    // The template alone may change, and the status is not validated as the spec is.
    let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:2"}]}}}});
    merge(&c, &deployments(), "web", patch).await.unwrap();
}

/// A merge patch of `name` in `default`.
async fn merge(
    c: &FakeCluster,
    rt: &ResourceType,
    name: &str,
    patch: Value,
) -> kobj_core::Result<kube_core::DynamicObject> {
    c.patch_object(
        rt,
        Some("default"),
        name,
        &Patch::Merge(patch),
        &PatchParams::default(),
    )
    .await
}

#[tokio::test]
async fn a_disruption_budget_sets_one_bound() {
    let c = cluster().await;
    let rt = ResourceType::of::<k8s_openapi::api::policy::v1::PodDisruptionBudget>();
    refused(
        &c,
        &rt,
        json!({
            "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web"},
            "spec": {
                "minAvailable": 1, "maxUnavailable": "150%",
                "selector": {"matchLabels": {"app": "web"}}
            }
        }),
        "PodDisruptionBudget.policy \"web\" is invalid: [spec: Invalid value: \
         {\"MinAvailable\":1,\"Selector\":{\"matchLabels\":{\"app\":\"web\"}},\
         \"MaxUnavailable\":\"150%\",\"UnhealthyPodEvictionPolicy\":null}: minAvailable and \
         maxUnavailable cannot be both set, spec.maxUnavailable: Invalid value: \"150%\": must \
         not be greater than 100%]",
    )
    .await;
    created(
        &c,
        &rt,
        json!({
            "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web"},
            "spec": {"maxUnavailable": "50%", "selector": {"matchLabels": {"app": "web"}}}
        }),
    )
    .await;
}

#[tokio::test]
async fn a_job_template_is_fixed_once_created() {
    let c = cluster().await;
    let job = created(
        &c,
        &jobs(),
        json!({
            "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once"},
            "spec": {"suspend": true, "template": {"spec": {
                "restartPolicy": "Never",
                "containers": [{"name": "run", "image": "busybox"}]
            }}}
        }),
    )
    .await;
    let rt = jobs();
    let patch = |p: Value| merge(&c, &rt, "once", p);
    // Suspended and never started: the template's labels and node selector may change, and
    // the parallelism always.
    patch(json!({"spec": {"parallelism": 2, "template": {
        "metadata": {"labels": {"team": "a"}},
        "spec": {"nodeSelector": {"disk": "ssd"}}
    }}}))
    .await
    .unwrap();
    let before = c.dump_yaml().unwrap();
    let e = patch(json!({"spec": {"template": {"spec": {"containers": [
        {"name": "run", "image": "busybox:2"}
    ]}}}}))
    .await
    .unwrap_err();
    let text = message(&e);
    assert!(
        text.starts_with("Job.batch \"once\" is invalid: spec.template: Invalid value: {"),
        "{text}"
    );
    assert!(text.ends_with("}: field is immutable"), "{text}");
    assert_eq!(c.dump_yaml().unwrap(), before);
    let uid = job["metadata"]["uid"].as_str().unwrap();
    let e = patch(json!({"spec": {"selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "other"}}}}))
        .await
        .unwrap_err();
    assert!(
        message(&e).contains(
            "spec.selector: Invalid value: \
             {\"matchLabels\":{\"batch.kubernetes.io/controller-uid\":\"other\"}}: field is \
             immutable"
        ),
        "{e} (uid {uid})"
    );
}

#[tokio::test]
async fn a_pod_spec_changes_only_its_images_and_tolerations() {
    let c = cluster().await;
    created(
        &c,
        &pods(),
        json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "app", "image": "busybox:1"}]}
        }),
    )
    .await;
    let rt = pods();
    let patch = |p: Value| merge(&c, &rt, "p", p);
    patch(json!({
        "metadata": {"labels": {"a": "b"}},
        "spec": {
            "containers": [{"name": "app", "image": "busybox:2"}],
            "tolerations": [{"key": "k", "operator": "Exists"}],
            "activeDeadlineSeconds": 60
        }
    }))
    .await
    .unwrap();
    let before = c.dump_yaml().unwrap();
    for (p, expected) in [
        (
            json!({"spec": {"containers": [{"name": "app", "image": "busybox:2", "env": [{"name": "A", "value": "1"}]}]}}),
            "Pod \"p\" is invalid: spec: Forbidden: pod updates may not change fields other than \
             `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,\
             `spec.tolerations` (only additions to existing tolerations),\
             `spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously \
             negative)",
        ),
        (
            json!({"spec": {"containers": [
                {"name": "app", "image": "busybox:2"}, {"name": "side", "image": "busybox"}
            ]}}),
            "Pod \"p\" is invalid: spec.containers: Forbidden: pod updates may not add or remove \
             containers",
        ),
        (
            json!({"spec": {"activeDeadlineSeconds": 120}}),
            "Pod \"p\" is invalid: spec.activeDeadlineSeconds: Invalid value: 120: must be less \
             than or equal to previous value",
        ),
    ] {
        let e = patch(p).await.unwrap_err();
        assert_eq!(message(&e), expected);
        assert_eq!(c.dump_yaml().unwrap(), before);
    }
}
