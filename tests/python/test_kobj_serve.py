"""kubernetes_asyncio (what the seed's Python class is built on) against `kobj serve`.

Run by tests/python/run.sh, which starts the server and sets KUBECONFIG.
"""

import asyncio
import base64
import json
import os
import uuid

import pytest
import pytest_asyncio
from kubernetes_asyncio import client, config, watch
from kubernetes_asyncio.client.rest import ApiException

GROUP = "pydemo.kobj.dev"
VERSION = "v1"
PLURAL = "gadgets"
MERGE = "application/merge-patch+json"

CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": f"{PLURAL}.{GROUP}"},
    "spec": {
        "group": GROUP,
        "scope": "Namespaced",
        "names": {"plural": PLURAL, "singular": "gadget", "kind": "Gadget"},
        "versions": [
            {
                "name": VERSION,
                "served": True,
                "storage": True,
                "subresources": {"status": {}},
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {
                                "type": "object",
                                "properties": {"size": {"type": "integer"}},
                            },
                            "status": {
                                "type": "object",
                                "properties": {"phase": {"type": "string"}},
                            },
                        },
                    }
                },
            }
        ],
    },
}


def gadget(name, size, parity):
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Gadget",
        "metadata": {"name": name, "labels": {"parity": parity}},
        "spec": {"size": size},
    }


@pytest_asyncio.fixture
async def api():
    await config.load_kube_config(config_file=os.environ["KUBECONFIG"])
    async with client.ApiClient() as api_client:
        yield api_client


@pytest_asyncio.fixture
async def namespace(api):
    """A fresh namespace with the Gadget CRD installed (once) and established."""
    ext = client.ApiextensionsV1Api(api)
    try:
        await ext.create_custom_resource_definition(CRD)
    except ApiException as e:
        assert e.status == 409, e
    for _ in range(100):
        crd = await ext.read_custom_resource_definition(f"{PLURAL}.{GROUP}")
        conditions = {c.type: c.status for c in (crd.status.conditions or [])}
        if conditions.get("Established") == "True":
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("the CRD never became Established")
    name = f"py-{uuid.uuid4().hex[:8]}"
    core = client.CoreV1Api(api)
    await core.create_namespace({"metadata": {"name": name}})
    yield name
    await core.delete_namespace(name)


async def test_custom_objects_create_list_select_page(api, namespace):
    co = client.CustomObjectsApi(api)
    for i in range(5):
        parity = "even" if i % 2 == 0 else "odd"
        created = await co.create_namespaced_custom_object(
            GROUP, VERSION, namespace, PLURAL, gadget(f"g{i}", i, parity)
        )
        assert created["metadata"]["generation"] == 1
        assert created["metadata"]["resourceVersion"].isdigit()

    even = await co.list_namespaced_custom_object(
        GROUP, VERSION, namespace, PLURAL, label_selector="parity=even"
    )
    assert [o["metadata"]["name"] for o in even["items"]] == ["g0", "g2", "g4"]
    assert even["kind"] == "GadgetList"

    not_even = await co.list_namespaced_custom_object(
        GROUP, VERSION, namespace, PLURAL, label_selector="parity notin (even)"
    )
    assert [o["metadata"]["name"] for o in not_even["items"]] == ["g1", "g3"]

    by_name = await co.list_namespaced_custom_object(
        GROUP, VERSION, namespace, PLURAL, field_selector="metadata.name=g3"
    )
    assert [o["metadata"]["name"] for o in by_name["items"]] == ["g3"]

    pages, token = [], None
    while True:
        page = await co.list_namespaced_custom_object(
            GROUP, VERSION, namespace, PLURAL, limit=2, _continue=token
        )
        pages.append([o["metadata"]["name"] for o in page["items"]])
        token = page["metadata"].get("continue")
        if not token:
            break
    assert pages == [["g0", "g1"], ["g2", "g3"], ["g4"]]


async def test_patch_status_replace_and_errors(api, namespace):
    co = client.CustomObjectsApi(api)
    await co.create_namespaced_custom_object(
        GROUP, VERSION, namespace, PLURAL, gadget("p1", 1, "odd")
    )
    merged = await co.patch_namespaced_custom_object(
        GROUP, VERSION, namespace, PLURAL, "p1", {"spec": {"size": 7}}, _content_type=MERGE
    )
    assert merged["spec"]["size"] == 7
    assert merged["metadata"]["generation"] == 2
    json_patched = await co.patch_namespaced_custom_object(
        GROUP,
        VERSION,
        namespace,
        PLURAL,
        "p1",
        [{"op": "replace", "path": "/spec/size", "value": 8}],
    )
    assert json_patched["spec"]["size"] == 8

    current = await co.get_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, "p1")
    current["status"] = {"phase": "Ready"}
    current["spec"]["size"] = 99  # ignored by /status
    replaced = await co.replace_namespaced_custom_object_status(
        GROUP, VERSION, namespace, PLURAL, "p1", current
    )
    assert replaced["status"] == {"phase": "Ready"}
    assert replaced["spec"]["size"] == 8

    with pytest.raises(ApiException) as missing:
        await co.get_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, "nope")
    assert missing.value.status == 404
    status = json.loads(missing.value.body)
    assert status["kind"] == "Status"
    assert status["reason"] == "NotFound"
    assert status["message"] == f'{PLURAL}.{GROUP} "nope" not found'

    with pytest.raises(ApiException) as duplicate:
        await co.create_namespaced_custom_object(
            GROUP, VERSION, namespace, PLURAL, gadget("p1", 1, "odd")
        )
    assert duplicate.value.status == 409
    assert json.loads(duplicate.value.body)["reason"] == "AlreadyExists"

    stale = dict(current)
    stale["spec"] = {"size": 1}
    with pytest.raises(ApiException) as conflict:
        await co.replace_namespaced_custom_object(
            GROUP, VERSION, namespace, PLURAL, "p1", stale
        )
    assert conflict.value.status == 409
    assert json.loads(conflict.value.body)["reason"] == "Conflict"
    assert "the object has been modified" in json.loads(conflict.value.body)["message"]


async def test_watch_from_a_resource_version_then_delete(api, namespace):
    co = client.CustomObjectsApi(api)
    first = await co.create_namespaced_custom_object(
        GROUP, VERSION, namespace, PLURAL, gadget("w0", 0, "even")
    )
    start = first["metadata"]["resourceVersion"]

    async def writer():
        await asyncio.sleep(0.2)
        await co.create_namespaced_custom_object(
            GROUP, VERSION, namespace, PLURAL, gadget("w1", 1, "odd")
        )
        await co.patch_namespaced_custom_object(
            GROUP, VERSION, namespace, PLURAL, "w1", {"spec": {"size": 2}}, _content_type=MERGE
        )
        status = await co.delete_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, "w1")
        assert status["status"] == "Success"
        assert status["details"]["name"] == "w1"

    task = asyncio.create_task(writer())
    seen = []
    w = watch.Watch()
    async with w.stream(
        co.list_namespaced_custom_object,
        GROUP,
        VERSION,
        namespace,
        PLURAL,
        resource_version=start,
        timeout_seconds=10,
    ) as stream:
        async for event in stream:
            seen.append((event["type"], event["object"]["metadata"]["name"]))
            if event["type"] == "DELETED":
                w.stop()
    await task
    assert seen == [("ADDED", "w1"), ("MODIFIED", "w1"), ("DELETED", "w1")]

    with pytest.raises(ApiException) as gone:
        await co.get_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, "w1")
    assert gone.value.status == 404


async def test_secret_and_configmap_read(api, namespace):
    core = client.CoreV1Api(api)
    await core.create_namespaced_secret(
        namespace,
        {"metadata": {"name": "creds"}, "stringData": {"password": "hunter2"}},
    )
    await core.create_namespaced_config_map(
        namespace, {"metadata": {"name": "settings"}, "data": {"mode": "fast"}}
    )
    secret = await core.read_namespaced_secret("creds", namespace)
    assert base64.b64decode(secret.data["password"]) == b"hunter2"
    assert secret.type == "Opaque"
    cm = await core.read_namespaced_config_map("settings", namespace)
    assert cm.data == {"mode": "fast"}
    with pytest.raises(ApiException) as missing:
        await core.read_namespaced_config_map("absent", namespace)
    assert missing.value.status == 404


async def test_a_service_account_token_meets_rbac(api, namespace):
    """A client holding a service account's token (a TokenRequest) is that account: 403
    with the server's message until a RoleBinding lets it read ConfigMaps."""
    core = client.CoreV1Api(api)
    await core.create_namespaced_service_account(namespace, {"metadata": {"name": "reader"}})
    await core.create_namespaced_config_map(namespace, {"metadata": {"name": "settings"}})
    request = await core.create_namespaced_service_account_token(
        "reader", namespace, {"spec": {}}
    )
    token = request.status.token

    configuration = client.Configuration.get_default_copy()
    configuration.api_key = {"BearerToken": token}
    configuration.api_key_prefix = {"BearerToken": "Bearer"}
    # The kubeconfig's own credentials (if any) must not win over the token.
    configuration.username = None
    configuration.password = None
    configuration.cert_file = None
    configuration.key_file = None
    async with client.ApiClient(configuration) as as_reader:
        reader = client.CoreV1Api(as_reader)
        with pytest.raises(ApiException) as refused:
            await reader.list_namespaced_config_map(namespace)
        assert refused.value.status == 403
        body = json.loads(refused.value.body)
        assert body["message"] == (
            f'configmaps is forbidden: User "system:serviceaccount:{namespace}:reader" '
            f'cannot list resource "configmaps" in API group "" in the namespace "{namespace}"'
        )

        rbac = client.RbacAuthorizationV1Api(api)
        await rbac.create_namespaced_role_binding(
            namespace,
            {
                "metadata": {"name": "reader-view"},
                "roleRef": {
                    "apiGroup": "rbac.authorization.k8s.io",
                    "kind": "ClusterRole",
                    "name": "view",
                },
                "subjects": [
                    {"kind": "ServiceAccount", "name": "reader", "namespace": namespace}
                ],
            },
        )
        listed = await reader.list_namespaced_config_map(namespace)
        assert [cm.metadata.name for cm in listed.items] == ["settings"]
