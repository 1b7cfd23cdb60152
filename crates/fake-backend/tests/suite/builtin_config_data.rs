//! ConfigMap and Secret keys are config keys, and a Secret's type requires its keys, as on a
//! real API server (`ValidateConfigMap`, `ValidateSecret`): 422 with the server's text, every
//! error in one message, nothing stored.

use crate::common;

use common::*;
use kobj_core::{CustomObjects, ResourceType};
use kobj_fake::FakeCluster;
use kube_core::params::PostParams;
use serde_json::{Value, json};

async fn refused(c: &FakeCluster, rt: &ResourceType, body: Value, expected: &str) {
    refused_as_invalid(c, rt, body, expected).await;
}

#[tokio::test]
async fn config_map_keys_are_config_keys() {
    let c = cluster().await;
    refused(
        &c,
        &configmaps(),
        json!({
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"},
            "data": {"conf/app.yaml": "a: 1", "..hidden": "x", "both": "1"},
            "binaryData": {"both": "AQ=="}
        }),
        "ConfigMap \"cfg\" is invalid: [data[..hidden]: Invalid value: \"..hidden\": must not \
         start with '..', data[both]: Invalid value: \"both\": duplicate of key present in \
         binaryData, data[conf/app.yaml]: Invalid value: \"conf/app.yaml\": a valid config key \
         must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or \
         'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')]",
    )
    .await;
    c.create_object(
        &configmaps(),
        Some("default"),
        &configmap("cfg", json!({"app.yaml": "a: 1", "KEY_NAME-2": "x"})),
        &PostParams::default(),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn a_secret_type_requires_its_keys() {
    let c = cluster().await;
    let secret = |kind: &str, data: Value| {
        json!({
            "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
            "type": kind, "data": data
        })
    };
    refused(
        &c,
        &secrets(),
        secret("kubernetes.io/tls", json!({"tls.crt": "YQ=="})),
        "Secret \"s\" is invalid: data[tls.key]: Required value",
    )
    .await;
    refused(
        &c,
        &secrets(),
        secret("kubernetes.io/basic-auth", json!({})),
        "Secret \"s\" is invalid: [data[username]: Required value, data[password]: Required \
         value]",
    )
    .await;
    refused(
        &c,
        &secrets(),
        secret("kubernetes.io/service-account-token", json!({})),
        "Secret \"s\" is invalid: metadata.annotations[kubernetes.io/service-account.name]: \
         Required value",
    )
    .await;
    refused(
        &c,
        &secrets(),
        secret("Opaque", json!({"a b": "YQ=="})),
        "Secret \"s\" is invalid: data[a b]: Invalid value: \"a b\": a valid config key must \
         consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  \
         or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    )
    .await;
    c.create_object(
        &secrets(),
        Some("default"),
        &obj(secret(
            "kubernetes.io/tls",
            json!({"tls.crt": "YQ==", "tls.key": "Yg=="}),
        )),
        &PostParams::default(),
    )
    .await
    .unwrap();
}

/// `SetDefaults_Secret` defaults an empty type as it defaults an absent one.
#[tokio::test]
async fn an_empty_secret_type_is_opaque() {
    let c = cluster().await;
    let s =
        obj(json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "e"}, "type": ""}));
    let created = c
        .create_object(&secrets(), Some("default"), &s, &PostParams::default())
        .await
        .unwrap();
    assert_eq!(created.data["type"], "Opaque");
    // Replaced with an empty type again: defaulted, so not a change of the immutable type.
    let mut again = created.clone();
    again.data["type"] = json!("");
    let replaced = c
        .replace_object(
            &secrets(),
            Some("default"),
            "e",
            &again,
            &PostParams::default(),
        )
        .await
        .unwrap();
    assert_eq!(replaced.data["type"], "Opaque");
}

/// A bad `generateName`: the name is generated before validation (`Store.create`), so the 422
/// names the generated object and reports its name too.
#[tokio::test]
async fn a_bad_generate_name_is_reported_with_the_generated_name() {
    let c = cluster().await;
    let before = c.dump_yaml().unwrap();
    let s = obj(
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"generateName": "BadName-"}}),
    );
    let e = c
        .create_object(&secrets(), Some("default"), &s, &PostParams::default())
        .await
        .unwrap_err();
    let m = message(&e);
    let generated = status(&e).details.as_ref().unwrap().name.clone();
    assert!(
        generated.starts_with("BadName-") && generated.len() == 13,
        "{generated}"
    );
    assert!(
        m.starts_with(&format!("Secret \"{generated}\" is invalid: [")),
        "{m}"
    );
    assert!(
        m.contains(
            "metadata.generateName: Invalid value: \"BadName-\": a lowercase RFC 1123 subdomain"
        ),
        "{m}"
    );
    assert!(
        m.contains(&format!(
            "metadata.name: Invalid value: \"{generated}\": a lowercase RFC 1123 subdomain"
        )),
        "{m}"
    );
    assert_eq!(c.dump_yaml().unwrap(), before);
}
