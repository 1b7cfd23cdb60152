//! Discovery (legacy and aggregated), `/version`, OpenAPI v3 for kubectl's validation, Table
//! responses and content negotiation.

use crate::common;

use axum::body::Body;
use common::*;
use http::{Method, StatusCode};
use serde_json::{Value, json};

fn names(list: &Value, key: &str, field: &str) -> Vec<String> {
    list[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v[field].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn version_and_legacy_discovery_follow_the_registry() {
    let (_cluster, router) = setup().await;
    let v = get(&router, "/version").await.json();
    assert_eq!(v["major"], "1");
    assert!(v["minor"].as_str().unwrap().parse::<u32>().is_ok());
    assert!(v["gitVersion"].as_str().unwrap().starts_with('v'));

    let api = get(&router, "/api").await.json();
    assert_eq!(api["kind"], "APIVersions");
    assert_eq!(api["versions"], json!(["v1"]));

    let groups = get(&router, "/apis").await.json();
    assert_eq!(groups["kind"], "APIGroupList");
    let group_names = names(&groups, "groups", "name");
    assert!(group_names.contains(&"apps".to_string()));
    assert!(group_names.contains(&"test.kobj.dev".to_string()));
    let ours = groups["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "test.kobj.dev")
        .unwrap();
    assert_eq!(ours["preferredVersion"]["groupVersion"], "test.kobj.dev/v1");

    let group = get(&router, "/apis/test.kobj.dev").await.json();
    assert_eq!(group["kind"], "APIGroup");

    let resources = get(&router, "/apis/test.kobj.dev/v1").await.json();
    assert_eq!(resources["kind"], "APIResourceList");
    assert_eq!(resources["groupVersion"], "test.kobj.dev/v1");
    assert_eq!(
        names(&resources, "resources", "name"),
        ["widgets", "widgets/status", "widgets/scale"]
    );
    let widgets_res = &resources["resources"][0];
    assert_eq!(widgets_res["namespaced"], true);
    assert_eq!(widgets_res["kind"], "Widget");
    assert_eq!(widgets_res["singularName"], "widget");
    assert_eq!(widgets_res["shortNames"], json!(["wd"]));
    assert_eq!(
        widgets_res["verbs"],
        json!([
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "create",
            "update",
            "watch"
        ])
    );
    assert_eq!(resources["resources"][2]["kind"], "Scale");
    assert_eq!(resources["resources"][2]["group"], "autoscaling");

    let core = get(&router, "/api/v1").await.json();
    assert!(names(&core, "resources", "name").contains(&"configmaps".to_string()));
    // A built-in resource's verbs are sorted (`registerResourceHandlers`); a custom
    // resource's keep the apiextensions discovery controller's order (above).
    let configmaps = core["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "configmaps")
        .unwrap();
    assert_eq!(
        configmaps["verbs"],
        json!([
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch"
        ])
    );

    // Removing the CRD removes the group from discovery.
    let r = call(
        &router,
        Method::DELETE,
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.test.kobj.dev",
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let groups = get(&router, "/apis").await.json();
    assert!(!names(&groups, "groups", "name").contains(&"test.kobj.dev".to_string()));
    assert_eq!(
        get(&router, "/apis/test.kobj.dev/v1").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&router, "/apis/test.kobj.dev").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn aggregated_discovery_when_asked_for() {
    let (_cluster, router) = setup().await;
    let accept =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
    let r = call(
        &router,
        Method::GET,
        "/apis",
        &[("accept", accept)],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
    );
    let list = r.json();
    assert_eq!(list["kind"], "APIGroupDiscoveryList");
    let ours = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["metadata"]["name"] == "test.kobj.dev")
        .unwrap();
    let res = &ours["versions"][0]["resources"][0];
    assert_eq!(res["resource"], "widgets");
    assert_eq!(res["scope"], "Namespaced");
    assert_eq!(res["responseKind"]["kind"], "Widget");
    assert_eq!(
        names(res, "subresources", "subresource"),
        ["status", "scale"]
    );

    let r = call(
        &router,
        Method::GET,
        "/api",
        &[("accept", accept)],
        Body::empty(),
    )
    .await;
    let core = r.json();
    assert_eq!(core["items"].as_array().unwrap().len(), 1);
    assert_eq!(core["items"][0]["metadata"]["name"], "");
    // Plain JSON when aggregated discovery is not asked for.
    let r = call(
        &router,
        Method::GET,
        "/apis",
        &[("accept", "application/json")],
        Body::empty(),
    )
    .await;
    assert_eq!(r.json()["kind"], "APIGroupList");
}

#[tokio::test]
async fn openapi_v3_advertises_field_validation_on_patch() {
    let (_cluster, router) = setup().await;
    let root = get(&router, "/openapi/v3").await.json();
    let url = root["paths"]["apis/test.kobj.dev/v1"]["serverRelativeURL"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(url.starts_with("/openapi/v3/apis/test.kobj.dev/v1?hash="));
    assert!(root["paths"]["api/v1"].is_object());
    let doc = get(&router, &url).await.json();
    let item = &doc["paths"]["/apis/test.kobj.dev/v1/namespaces/{namespace}/widgets/{name}"];
    let patch_op = &item["patch"];
    assert_eq!(
        patch_op["x-kubernetes-group-version-kind"],
        json!({"group": "test.kobj.dev", "version": "v1", "kind": "Widget"})
    );
    let params: Vec<&str> = patch_op["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["in"] == "query")
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(params.contains(&"fieldValidation"), "{params:?}");
    // What apiextensions' builder adds for a CRD: the scale subresource's paths, the list
    // across namespaces, the List schema, and TypeMeta and ObjectMeta in the kind's schema.
    let paths = &doc["paths"];
    let scale = &paths["/apis/test.kobj.dev/v1/namespaces/{namespace}/widgets/{name}/scale"];
    assert_eq!(
        scale["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/io.k8s.api.autoscaling.v1.Scale"
    );
    assert!(
        scale["patch"].is_object() && scale["put"].is_object(),
        "{scale}"
    );
    let all = &paths["/apis/test.kobj.dev/v1/widgets"]["get"];
    assert_eq!(all["operationId"], "listWidgetForAllNamespaces");
    assert_eq!(
        all["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/dev.kobj.test.v1.WidgetList"
    );
    let schemas = &doc["components"]["schemas"];
    let widget = &schemas["dev.kobj.test.v1.Widget"];
    assert_eq!(
        widget["properties"]["metadata"]["allOf"][0]["$ref"],
        "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    );
    assert_eq!(widget["properties"]["kind"]["type"], "string");
    assert_eq!(
        schemas["dev.kobj.test.v1.WidgetList"]["properties"]["items"]["items"]["$ref"],
        "#/components/schemas/dev.kobj.test.v1.Widget"
    );
    // Every reference names a definition of the document.
    let text = doc["components"].to_string() + &doc["paths"].to_string();
    for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = part.split('"').next().unwrap();
        assert!(schemas.get(name).is_some(), "{name}");
    }
    // Patch content types: strategic merge is never listed (the schemas carry no merge keys,
    // so kubectl must not compute client-side apply patches from them).
    let content_types = |op: &Value| -> Vec<String> {
        let mut types: Vec<String> = op["requestBody"]["content"]
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        types.sort();
        types
    };
    assert_eq!(
        content_types(patch_op),
        [
            "application/apply-patch+yaml",
            "application/json-patch+json",
            "application/merge-patch+json"
        ]
    );
    let apps = get(&router, "/openapi/v3/apis/apps/v1").await.json();
    let deployment_patch =
        &apps["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"];
    assert_eq!(
        content_types(deployment_patch),
        [
            "application/apply-patch+yaml",
            "application/json-patch+json",
            "application/merge-patch+json"
        ]
    );
    let schema_ref = patch_op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        .as_str()
        .unwrap();
    let id = schema_ref.trim_start_matches("#/components/schemas/");
    assert_eq!(
        doc["components"]["schemas"][id]["properties"]["spec"]["properties"]["replicas"]["type"],
        "integer"
    );
    assert_eq!(
        get(&router, "/openapi/v3/apis/nope/v1").await.status,
        StatusCode::NOT_FOUND
    );
}

const KUBECTL_TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

#[tokio::test]
async fn tables_for_kubectl_get() {
    let (_cluster, router) = setup().await;
    create_widget(&router, "default", "w1", 3).await;
    let r = call(
        &router,
        Method::PUT,
        &format!("{}/w1/status", widgets("default")),
        &[("content-type", "application/json")],
        serde_json::to_vec(&{
            let mut w = get(&router, &format!("{}/w1", widgets("default")))
                .await
                .json();
            w["status"] = json!({"conditions": [{"type": "Ready", "status": "True"}]});
            w
        })
        .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);

    let r = call(
        &router,
        Method::GET,
        &widgets("default"),
        &[("accept", KUBECTL_TABLE)],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let t = r.json();
    assert_eq!(t["kind"], "Table");
    assert_eq!(t["apiVersion"], "meta.k8s.io/v1");
    assert_eq!(
        names(&t, "columnDefinitions", "name"),
        ["Name", "Replicas", "Color", "Ready", "Age"]
    );
    let row = &t["rows"][0];
    assert_eq!(row["cells"][0], "w1");
    assert_eq!(row["cells"][1], 3);
    assert_eq!(row["cells"][2], "red");
    assert_eq!(row["cells"][3], "True");
    let age = row["cells"][4].as_str().unwrap();
    assert!(age.ends_with('s') || age.ends_with('m'), "{age}");
    assert_eq!(row["object"]["kind"], "PartialObjectMetadata");
    assert_eq!(row["object"]["metadata"]["name"], "w1");
    assert!(t["metadata"]["resourceVersion"].is_string());

    let r = call(
        &router,
        Method::GET,
        &format!("{}/w1?includeObject=Object", widgets("default")),
        &[("accept", KUBECTL_TABLE)],
        Body::empty(),
    )
    .await;
    assert_eq!(r.json()["rows"][0]["object"]["kind"], "Widget");

    // Built-in kinds get their own columns.
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1", "b": "2"}});
    send_json(
        &router,
        Method::POST,
        "/api/v1/namespaces/default/configmaps",
        &cm,
    )
    .await;
    let r = call(
        &router,
        Method::GET,
        "/api/v1/namespaces/default/configmaps",
        &[("accept", KUBECTL_TABLE)],
        Body::empty(),
    )
    .await;
    let t = r.json();
    assert_eq!(
        names(&t, "columnDefinitions", "name"),
        ["Name", "Data", "Age"]
    );
    assert_eq!(t["rows"][0]["cells"][1], 2);
    let r = call(
        &router,
        Method::GET,
        "/api/v1/namespaces",
        &[("accept", KUBECTL_TABLE)],
        Body::empty(),
    )
    .await;
    let t = r.json();
    assert_eq!(
        names(&t, "columnDefinitions", "name"),
        ["Name", "Status", "Age"]
    );

    // Unsupported Accept: 406 Status.
    let r = call(
        &router,
        Method::GET,
        &widgets("default"),
        &[("accept", "text/html")],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_ACCEPTABLE);
    assert_eq!(r.json()["reason"], "NotAcceptable");
    // YAML when asked for.
    let r = call(
        &router,
        Method::GET,
        &format!("{}/w1", widgets("default")),
        &[("accept", "application/yaml")],
        Body::empty(),
    )
    .await;
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/yaml")
    );
    assert!(r.text().contains("kind: Widget"));
}

/// The create-only subresources beyond status and scale are listed (kubectl drain looks for
/// `pods/eviction`) and served: a binding over HTTP puts a pod on a node.
#[tokio::test]
async fn pod_and_service_account_subresources_are_listed_and_served() {
    let (_cluster, router) = setup().await;
    let core = get(&router, "/api/v1").await.json();
    let entry = |name: &str| {
        core["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(
        entry("pods/binding"),
        json!({"name": "pods/binding", "singularName": "", "namespaced": true,
               "kind": "Binding", "verbs": ["create"]})
    );
    assert_eq!(
        entry("pods/ephemeralcontainers"),
        json!({"name": "pods/ephemeralcontainers", "singularName": "", "namespaced": true,
               "kind": "Pod", "verbs": ["get", "patch", "update"]})
    );
    // Aggregated discovery lists it among the Pod's subresources.
    let aggregated = call(
        &router,
        Method::GET,
        "/api",
        &[(
            "accept",
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
        )],
        Body::empty(),
    )
    .await
    .json();
    let pods = aggregated["items"][0]["versions"][0]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource"] == "pods")
        .cloned()
        .unwrap();
    assert_eq!(
        names(&pods, "subresources", "subresource"),
        [
            "ephemeralcontainers",
            "resize",
            "status",
            "log",
            "attach",
            "exec",
            "portforward",
            "binding",
            "eviction"
        ]
    );
    assert_eq!(entry("pods/log")["verbs"], json!(["get"]));
    assert_eq!(entry("pods/exec")["verbs"], json!(["create", "get"]));
    assert_eq!(entry("pods/eviction")["group"], "policy");
    assert_eq!(entry("pods/eviction")["kind"], "Eviction");
    assert_eq!(
        entry("serviceaccounts/token")["group"],
        "authentication.k8s.io"
    );
    assert_eq!(entry("serviceaccounts/token")["kind"], "TokenRequest");

    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                     "spec": {"containers": [{"name": "app", "image": "nginx"}]}});
    created(&router, "/api/v1/namespaces/default/pods", &pod).await;
    let binding = json!({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "p"},
                         "target": {"kind": "Node", "name": "node-1"}});
    let uri = "/api/v1/namespaces/default/pods/p/binding";
    let r = send_json(&router, Method::POST, uri, &binding).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["status"], "Success");
    let p = get(&router, "/api/v1/namespaces/default/pods/p")
        .await
        .json();
    assert_eq!(p["spec"]["nodeName"], "node-1");
    let r = send_json(&router, Method::POST, uri, &binding).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    let r = get(&router, uri).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn health_endpoints_answer_as_the_server_does() {
    let (_cluster, router) = setup().await;
    for endpoint in ["/healthz", "/livez", "/readyz"] {
        let reply = get(&router, endpoint).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.text(), "ok");
    }
    let verbose = get(&router, "/livez?verbose").await.text();
    assert_eq!(
        verbose,
        "[+]ping ok\n[+]log ok\n[+]etcd ok\nlivez check passed\n"
    );
    assert_eq!(get(&router, "/readyz/etcd").await.text(), "ok");
    assert_eq!(get(&router, "/livez/ping").await.text(), "ok");
    let unknown = get(&router, "/readyz/nope").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.text(), "404 page not found\n");
}

#[tokio::test]
async fn openapi_v2_is_a_document_without_definitions() {
    let (_cluster, router) = setup().await;
    let json = get(&router, "/openapi/v2").await;
    assert_eq!(json.status, StatusCode::OK);
    let doc = json.json();
    assert_eq!(doc["swagger"], "2.0");
    assert_eq!(doc["definitions"], json!({}));
    let proto = call(
        &router,
        Method::GET,
        "/openapi/v2",
        &[(
            "accept",
            "application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
        )],
        Body::empty(),
    )
    .await;
    assert_eq!(
        proto.header("content-type").as_deref(),
        Some("application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
    );
    // Document.swagger (field 1) = "2.0" first.
    assert_eq!(&proto.body[..5], b"\x0a\x032.0");
}
