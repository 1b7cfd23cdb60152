//! The Pod subresources the API server hands over to the Pod's kubelet as a stream: `exec`,
//! `attach` and `portforward` (`kubectl exec`, `attach`, `port-forward`). The fake runs no
//! containers, so none of them can succeed; it gives the server's answers up to the point
//! where the server would dial the kubelet (`streamLocation`, `PortForwardLocation`): the
//! Pod (404), the container (400), a Pod not yet scheduled (400 `pod p does not have a host
//! assigned`), and then the error a server that cannot reach the kubelet gives (500
//! `error dialing backend: …`), instead of a 404 for an unknown path.

use std::convert::Infallible;

use kobj_core::{Error, ResourceType, Result};
use kube_core::DynamicObject;

use crate::actions::Verb;
use crate::cluster::FakeCluster;
use crate::verbs::gate::Call;

/// The container names of a list in a Pod's spec, space-separated as `getContainerNames`.
fn names(pod: &DynamicObject, list: &str) -> String {
    pod.data["spec"][list]
        .as_array()
        .map(|cs| {
            cs.iter()
                .filter_map(|c| c["name"].as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

/// `streamLocation`'s container check (exec and attach).
fn check_container(pod: &DynamicObject, name: &str, container: Option<&str>) -> Result<()> {
    let spec = &pod.data["spec"];
    match container.filter(|c| !c.is_empty()) {
        Some(c) => {
            let known = ["initContainers", "containers", "ephemeralContainers"]
                .iter()
                .filter_map(|l| spec[*l].as_array())
                .flatten()
                .any(|x| x["name"] == c);
            if known {
                Ok(())
            } else {
                Err(Error::bad_request(format!(
                    "container {c} is not valid for pod {name}"
                )))
            }
        }
        None => match spec["containers"].as_array().map_or(0, Vec::len) {
            1 => Ok(()),
            0 => Err(Error::bad_request(format!(
                "a container name must be specified for pod {name}"
            ))),
            _ => {
                let mut msg = format!(
                    "a container name must be specified for pod {name}, choose one of: [{}]",
                    names(pod, "containers")
                );
                let init = names(pod, "initContainers");
                if !init.is_empty() {
                    msg.push_str(&format!(" or one of the init containers: [{init}]"));
                }
                Err(Error::bad_request(msg))
            }
        },
    }
}

impl FakeCluster {
    /// A connect request on a Pod's `exec`, `attach` or `portforward` subresource (the
    /// `container` matters to exec and attach): the error the server gives, for it always
    /// fails here, recorded in the action log and checked against fault rules as a `create`
    /// of the subresource:
    ///
    /// ```
    /// use kobj_fake::FakeCluster;
    ///
    /// let cluster = FakeCluster::new();
    /// cluster.load_objects(vec![serde_json::from_value(serde_json::json!({
    ///     "apiVersion": "v1", "kind": "Pod",
    ///     "metadata": {"name": "app", "namespace": "default"},
    ///     "spec": {"containers": [{"name": "main", "image": "busybox"}]}
    /// })).unwrap()]).unwrap();
    /// let err = cluster.pod_connect("default", "app", "exec", None);
    /// assert_eq!(err.to_string(), "BadRequest (400): pod app does not have a host assigned");
    /// ```
    ///
    /// 404 for a missing Pod or another subresource; 400 for a container the Pod does not
    /// have or none named when it has several, and for a Pod without `spec.nodeName`; 500
    /// `Internal error occurred: error dialing backend: …` for a scheduled Pod.
    #[must_use]
    pub fn pod_connect(
        &self,
        namespace: &str,
        name: &str,
        subresource: &str,
        container: Option<&str>,
    ) -> Error {
        let rt = ResourceType::of::<k8s_openapi::api::core::v1::Pod>();
        let call = Call {
            verb: Verb::Create,
            rt: &rt,
            namespace: Some(namespace),
            name: Some(name),
            subresource: Some(subresource),
            selected_name: None,
            success: 101,
        };
        let params = || {
            let mut p = serde_json::Map::new();
            if let Some(c) = container {
                p.insert("container".into(), c.into());
            }
            serde_json::Value::Object(p)
        };
        let refused = self.run_sync(call, params, || {
            if !matches!(subresource, "exec" | "attach" | "portforward") {
                return Err(Error::not_found(&rt, name));
            }
            let pod = self.get_now(&rt, Some(namespace), name)?;
            if subresource != "portforward" {
                check_container(&pod, name, container)?;
            }
            let node = pod.data["spec"]["nodeName"].as_str().unwrap_or_default();
            if node.is_empty() {
                return Err(Error::bad_request(format!(
                    "pod {name} does not have a host assigned"
                )));
            }
            Err::<(Infallible, u16), _>(Error::internal(format!(
                "error dialing backend: no kubelet runs Node {node:?}: kobj-fake runs no \
                 containers"
            )))
        });
        match refused {
            Err(e) => e,
            Ok(never) => match never {},
        }
    }
}
