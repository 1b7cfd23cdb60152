//! Pod binding: the `pods/<name>/binding` subresource, which a scheduler calls to put a pod on
//! a node, following `BindingREST.Create` and `setPodNodeAndMetadata` of
//! `pkg/registry/core/pod/storage/storage.go`: the Binding's name must be the URL's, its
//! target a Node by name (`ValidatePodBinding`); the pod, not deleting, not yet on a node and
//! without scheduling gates, gets `spec.nodeName`, the Binding's annotations and labels (with
//! the Node's topology labels, which the `PodTopologyLabels` admission plugin adds), the
//! `PodScheduled` condition, and loses `status.nominatedNodeName`.

use k8s_openapi::api::core::v1::Pod;
use kobj_core::{Error, ResourceType, Result};
use serde_json::{Value, json};

use crate::cluster::FakeCluster;

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

impl FakeCluster {
    /// Binds a pod to a node (`POST /api/v1/namespaces/<ns>/pods/<name>/binding` with a v1
    /// Binding), as the server does (see the module's documentation). Answers the server's
    /// `Status` of success (201). Logged as a `create` of `pods` with subresource `binding`.
    ///
    /// # Errors
    /// 400 for a body whose name is not the URL's, 500 (the server's unconverted validation
    /// error) for a target that is not a Node or has no name, 404 for a missing pod, 409 for
    /// a pod that is deleting, already on a node, gated, or not the uid or resourceVersion
    /// the Binding names.
    pub async fn bind_pod_value(
        &self,
        namespace: &str,
        name: &str,
        body: Value,
        dry_run: bool,
    ) -> Result<Value> {
        let pods = ResourceType::of::<Pod>();
        self.run_subresource_create(&pods, namespace, name, "binding", async {
            self.bind_now(&pods, namespace, name, body, dry_run)
        })
        .await
    }

    fn bind_now(
        &self,
        pods: &ResourceType,
        namespace: &str,
        name: &str,
        mut body: Value,
        dry_run: bool,
    ) -> Result<Value> {
        let bindings = crate::registry::resource_type("", "v1", "Binding", "bindings", true);
        crate::builtins::json_decode::decode("v1", "Binding", &mut body)
            .map_err(|e| crate::verbs::write::cannot_be_handled(&bindings, &e))?;
        if text(&body, "/metadata/name") != name {
            return Err(Error::bad_request(
                "name in URL does not match name in Binding object",
            ));
        }
        let (kind, node) = (text(&body, "/target/kind"), text(&body, "/target/name"));
        let mut errors = Vec::new();
        if !kind.is_empty() && kind != "Node" {
            errors.push(format!(
                "target.kind: Unsupported value: {kind:?}: supported values: \"Node\", \"<empty>\""
            ));
        }
        if node.is_empty() {
            errors.push("target.name: Required value".to_string());
        }
        if !errors.is_empty() {
            // `errs.ToAggregate()` returned as is: the handler's 500 with reason Unknown.
            let message = if errors.len() == 1 {
                errors.remove(0)
            } else {
                format!("[{}]", errors.join(", "))
            };
            return Err(Error::from_parts(500, "", message));
        }
        let binding_conflict = |why: String| {
            Error::conflict(
                &crate::registry::resource_type("", "v1", "Pod", "pods/binding", true),
                name,
                why,
            )
        };
        // One read-modify-write of the stored pod under the lock, as the server's
        // `GuaranteedUpdate` on storage: no strategy, validation or field manager runs, so
        // managedFields are unchanged; watchers see one MODIFIED.
        let mut st = self.inner.lock();
        let store_key = crate::registry::store_key("", "pods");
        let key = crate::store::key(namespace, name);
        let mut pod = st
            .store
            .get(&store_key, &key)
            .map(|stored| stored.value())
            .ok_or_else(|| Error::not_found(pods, name))?;
        for (field, what) in [("uid", "UID"), ("resourceVersion", "ResourceVersion")] {
            let (given, had) = (
                text(&body, &format!("/metadata/{field}")),
                text(&pod, &format!("/metadata/{field}")),
            );
            if !given.is_empty() && given != had {
                return Err(Error::conflict(
                    pods,
                    name,
                    format!(
                        "Precondition failed: {what} in precondition: {given}, {what} in object meta: {had}"
                    ),
                ));
            }
        }
        if pod
            .pointer("/metadata/deletionTimestamp")
            .is_some_and(|t| !t.is_null())
        {
            return Err(binding_conflict(format!(
                "pod {name} is being deleted, cannot be assigned to a host"
            )));
        }
        let assigned = text(&pod, "/spec/nodeName");
        if !assigned.is_empty() {
            return Err(binding_conflict(format!(
                "pod {name} is already assigned to node {assigned:?}"
            )));
        }
        if pod
            .pointer("/spec/schedulingGates")
            .and_then(Value::as_array)
            .is_some_and(|g| !g.is_empty())
        {
            return Err(binding_conflict(format!(
                "pod {name} has non-empty .spec.schedulingGates"
            )));
        }
        if dry_run {
            return Ok(crate::verbs::gate::created_status());
        }
        pod["spec"]["nodeName"] = json!(node);
        if let Some(Value::Object(annotations)) = body.pointer("/metadata/annotations") {
            let target = crate::meta::meta_mut(&mut pod)
                .entry("annotations")
                .or_insert_with(|| json!({}));
            if let Value::Object(target) = target {
                for (k, v) in annotations {
                    target.insert(k.clone(), v.clone());
                }
            }
        }
        // `PodTopologyLabels` admission (beta, on since 1.35) puts the Node's topology labels
        // on a Binding to a Node; the storage then copies the Binding's labels onto the pod,
        // overwriting (`copyLabelsWithOverwriting`).
        let mut labels = body
            .pointer("/metadata/labels")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        if kind == "Node" {
            labels.extend(crate::builtins::node_topology_labels(&st, node));
        }
        if !labels.is_empty() {
            let target = crate::meta::meta_mut(&mut pod)
                .entry("labels")
                .or_insert_with(|| json!({}));
            if let Value::Object(target) = target {
                target.extend(labels);
            }
        }
        let now = self.inner.clock.now().to_string();
        if let Some(status) = pod
            .as_object_mut()
            .map(|o| o.entry("status").or_insert_with(|| json!({})))
        {
            if let Some(map) = status.as_object_mut() {
                map.remove("nominatedNodeName");
            }
            crate::eviction::set_condition(
                status,
                json!({"type": "PodScheduled", "status": "True", "lastProbeTime": null,
                       "lastTransitionTime": now}),
            );
        }
        let rv = st.store.next_rv();
        crate::store::object::set_rv(&mut pod, rv);
        st.commit(&store_key, &key, Some(crate::store::Stored::new(&pod, rv)));
        Ok(crate::verbs::gate::created_status())
    }
}
