//! kobj's main job: a custom-object workflow, run against the embedded fake API server, or
//! against a real cluster when a kubeconfig is given (`--kubeconfig PATH`, or `KUBECONFIG`).
//!
//! ```sh
//! cargo run --example quickstart                              # embedded fake
//! cargo run --example quickstart -- --kubeconfig ~/.kube/config [--context NAME]
//! ```
//!
//! The workflow is what users of the seed's Python class do: install a CRD, create objects, list
//! them with a label selector, let a controller task create an owned Secret and write status,
//! wait (on a watch, with a deadline) until the Ready condition holds, read the Secret, release
//! the object with a merge patch, delete it, and see the Secret garbage-collected.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{Namespace, Secret};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kobj::kube_core::WatchEvent;
use kobj::kube_core::params::{
    DeleteParams, ListParams, Patch, PatchParams, PostParams, WatchParams,
};
use kobj::{Client, CoreResourcesExt, CustomObjectsExt};
use kube::{CustomResource, CustomResourceExt, Resource, ResourceExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A lab client, as in jumpstarter.dev/v1alpha1 (`clients`), named `LabClient` here.
#[derive(CustomResource, Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[kube(
    group = "quickstart.kobj.dev",
    version = "v1alpha1",
    kind = "LabClient",
    plural = "labclients",
    namespaced,
    status = "LabClientStatus"
)]
pub struct LabClientSpec {
    /// The user this client belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// What the controller writes.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct LabClientStatus {
    /// The Secret holding the client's token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<SecretRef>,
    /// Conditions, e.g. `Ready`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<ClientCondition>,
}

/// A reference to a Secret by name.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct SecretRef {
    /// The Secret's name.
    pub name: String,
}

/// One condition.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct ClientCondition {
    /// The condition type.
    #[serde(rename = "type")]
    pub type_: String,
    /// "True", "False" or "Unknown".
    pub status: String,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const NAMESPACE: &str = "kobj-quickstart";
const WAIT: Duration = Duration::from_secs(30);

#[tokio::main]
async fn main() {
    if let Err(e) = quickstart().await {
        eprintln!("quickstart failed: {e}");
        std::process::exit(1);
    }
}

async fn quickstart() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!(
            "usage: quickstart [--kubeconfig PATH] [--context NAME]\n\nWithout a kubeconfig (flag or KUBECONFIG) the workflow runs against the embedded fake."
        );
        return Ok(());
    }
    let kubeconfig =
        flag("--kubeconfig").or_else(|| std::env::var("KUBECONFIG").ok().filter(|v| !v.is_empty()));
    let client = match kubeconfig {
        Some(path) => connect_cluster(&path, flag("--context")).await?,
        None => {
            println!("backend: the embedded fake API server (kobj-fake)");
            kobj::fake::FakeCluster::new().client(NAMESPACE)
        }
    };
    run(&client).await?;
    println!("done");
    Ok(())
}

async fn connect_cluster(path: &str, context: Option<String>) -> Result<Client, BoxError> {
    let mut options = kobj::kube::Connect::default()
        .kubeconfig(path)
        .namespace(NAMESPACE);
    if let Some(context) = &context {
        options = options.context(context.clone());
    }
    let client = kobj::kube::connect(options).await?;
    println!(
        "backend: the cluster of kubeconfig {path}{}",
        context
            .map(|c| format!(", context {c}"))
            .unwrap_or_default()
    );
    Ok(client)
}

async fn run(client: &Client) -> Result<(), BoxError> {
    let custom = client.custom_objects();
    let core = client.core();
    let ns = client.ns();

    // 1. Install the CRD through the traits, as kubectl would, and wait until it is Established.
    let crd = LabClient::crd();
    match core.create(&crd, &PostParams::default()).await {
        Ok(_) => println!("installed CRD {}", crd.name_any()),
        Err(e) if e.is_already_exists() => println!("CRD {} already installed", crd.name_any()),
        Err(e) => return Err(e.into()),
    }
    core.wait_until::<CustomResourceDefinition, _>(None, &crd.name_any(), WAIT, |crd| {
        crd.and_then(|c| c.status.as_ref())
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|cs| {
                cs.iter()
                    .any(|c| c.type_ == "Established" && c.status == "True")
            })
    })
    .await?;
    println!("CRD is Established");

    // 2. The namespace this client is bound to.
    let namespace = Namespace {
        metadata: ObjectMeta {
            name: Some(NAMESPACE.into()),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    };
    match core.create(&namespace, &PostParams::default()).await {
        Ok(_) => println!("created namespace {NAMESPACE}"),
        Err(e) if e.is_already_exists() => println!("namespace {NAMESPACE} exists"),
        Err(e) => return Err(e.into()),
    }

    // 3. A controller task: for every LabClient without a credential, create an owned Secret
    //    and write status (credential + Ready) through the status subresource.
    let controller = tokio::spawn(controller(client.clone()));

    // 4. Create two objects.
    for (name, team) in [("alice", "hardware"), ("bob", "software")] {
        let mut object = LabClient::new(
            name,
            LabClientSpec {
                username: Some(name.into()),
            },
        );
        object.metadata.namespace = Some(NAMESPACE.into());
        object.labels_mut().insert("team".into(), team.into());
        let created = custom.create(&object, &PostParams::default()).await?;
        println!(
            "created labclient {name} (uid {}, resourceVersion {})",
            created.uid().unwrap_or_default(),
            created.resource_version().unwrap_or_default()
        );
    }

    // 5. List with a label selector.
    let hardware = custom
        .list::<LabClient>(ns, &ListParams::default().labels("team=hardware"))
        .await?;
    let names: Vec<String> = hardware.items.iter().map(ResourceExt::name_any).collect();
    println!("labclients with team=hardware: {names:?}");

    // 6. Wait on a watch until the controller has made alice Ready (no polling loop).
    let alice = custom
        .wait_until::<LabClient, _>(ns, "alice", WAIT, |c| {
            c.and_then(|c| c.status.as_ref()).is_some_and(|s| {
                s.conditions
                    .iter()
                    .any(|c| c.type_ == "Ready" && c.status == "True")
            })
        })
        .await?
        .ok_or("alice vanished")?;
    let secret_name = alice
        .status
        .and_then(|s| s.credential)
        .map(|c| c.name)
        .ok_or("no credential")?;
    println!("alice is Ready; credential Secret {secret_name}");

    // 7. Read the Secret the controller made.
    let secret: Secret = core.get(ns, &secret_name).await?;
    let token = secret
        .data
        .as_ref()
        .and_then(|d| d.get("token"))
        .map(|b| String::from_utf8_lossy(&b.0).into_owned());
    println!(
        "token for alice has {} characters",
        token.map(|t| t.len()).unwrap_or(0)
    );

    // 8. Release alice with a merge patch.
    let patch = Patch::Merge(json!({"metadata": {"labels": {"released": "true"}}}));
    let released: LabClient = custom
        .patch(ns, "alice", &patch, &PatchParams::default())
        .await?;
    println!("released alice: labels {:?}", released.labels());

    // 9. Delete alice and watch the owned Secret get garbage-collected.
    custom
        .delete::<LabClient>(ns, "alice", &DeleteParams::default())
        .await?;
    custom.wait_deleted::<LabClient>(ns, "alice", WAIT).await?;
    println!("deleted alice");
    core.wait_deleted::<Secret>(ns, &secret_name, WAIT).await?;
    println!("Secret {secret_name} was garbage-collected");

    // 10. Clean up.
    controller.abort();
    custom
        .delete::<LabClient>(ns, "bob", &DeleteParams::default())
        .await?;
    core.delete::<Namespace>(None, NAMESPACE, &DeleteParams::default())
        .await?;
    println!("deleted labclient bob and namespace {NAMESPACE}");
    Ok(())
}

/// Reconciles LabClients: creates `<name>-token` Secrets owned by them, then writes status.
async fn controller(client: Client) -> kobj::Result<()> {
    let custom = client.custom_objects();
    let core = client.core();
    let mut events = custom
        .watch::<LabClient>(client.ns(), &WatchParams::default(), "0")
        .await?;
    while let Some(event) = events.next().await {
        let object = match event? {
            WatchEvent::Added(o) | WatchEvent::Modified(o) => o,
            _ => continue,
        };
        if object.meta().deletion_timestamp.is_some()
            || object
                .status
                .as_ref()
                .is_some_and(|s| s.credential.is_some())
        {
            continue;
        }
        let name = object.name_any();
        let secret_name = format!("{name}-token");
        let secret = Secret {
            metadata: ObjectMeta {
                name: Some(secret_name.clone()),
                namespace: Some(client.namespace().into()),
                owner_references: object.controller_owner_ref(&()).map(|r| vec![r]),
                ..ObjectMeta::default()
            },
            data: Some(BTreeMap::from([(
                "token".to_string(),
                ByteString(format!("token-for-{name}").into_bytes()),
            )])),
            ..Secret::default()
        };
        match core.create(&secret, &PostParams::default()).await {
            Ok(_) => println!("  controller: created Secret {secret_name} owned by {name}"),
            Err(e) if e.is_already_exists() => {}
            Err(e) => return Err(e),
        }
        let status = json!({"status": {
            "credential": {"name": secret_name},
            "conditions": [{"type": "Ready", "status": "True"}]
        }});
        custom
            .patch_status::<LabClient, _>(
                client.ns(),
                &name,
                &Patch::Merge(status),
                &PatchParams::default(),
            )
            .await?;
        println!("  controller: {name} is Ready");
    }
    Ok(())
}
