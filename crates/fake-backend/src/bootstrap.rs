//! What a new API server creates for itself before anyone asks: the namespaces `default`,
//! `kube-node-lease`, `kube-public` and `kube-system`, the system PriorityClasses, the
//! `kubernetes` Service in `default` with its Endpoints and EndpointSlice, and the RBAC
//! bootstrap roles and bindings (`crate::rbac::bootstrap`).

use crate::cluster::FakeCluster;
use crate::store::Stored;

impl FakeCluster {
    /// Creates them in a new cluster (called once, by the constructor).
    pub(crate) fn bootstrap(&self) {
        let now = self.inner.clock.now().to_string();
        let mut st = self.inner.lock();
        for name in ["default", "kube-node-lease", "kube-public", "kube-system"] {
            let mut ns = serde_json::json!({
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {
                    "name": name,
                    "uid": self.inner.ids.uid(),
                    "creationTimestamp": now,
                    "labels": {"kubernetes.io/metadata.name": name},
                },
                "spec": {"finalizers": ["kubernetes"]},
                "status": {"phase": "Active"},
            });
            let rv = st.store.next_rv();
            crate::store::object::set_rv(&mut ns, rv);
            let key = crate::store::key("", name);
            st.commit("/namespaces", &key, Some(Stored::new(&ns, rv)));
        }
        // The PriorityClasses the server creates at start-up (Pods may name them).
        for (name, value, description) in crate::builtins::admission::SYSTEM_PRIORITY_CLASSES {
            let mut class = serde_json::json!({
                "apiVersion": "scheduling.k8s.io/v1",
                "kind": "PriorityClass",
                "metadata": {
                    "name": name,
                    "uid": self.inner.ids.uid(),
                    "creationTimestamp": now,
                },
                "value": value,
                "description": description,
                "preemptionPolicy": "PreemptLowerPriority",
            });
            let rv = st.store.next_rv();
            crate::store::object::set_rv(&mut class, rv);
            let key = crate::store::key("", name);
            st.commit(
                "scheduling.k8s.io/priorityclasses",
                &key,
                Some(Stored::new(&class, rv)),
            );
        }
        // The `kubernetes` Service the API server's own controller creates in `default`
        // (controlplane/controller/kubernetesservice), through the create path as
        // `kube-apiserver`: the first address of the service range, HTTPS to port 6443.
        let service = serde_json::json!({
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": "kubernetes",
                "namespace": "default",
                "labels": {"component": "apiserver", "provider": "kubernetes"},
            },
            "spec": {
                "type": "ClusterIP",
                "clusterIP": crate::builtins::KUBERNETES_SERVICE_IP,
                "sessionAffinity": "None",
                "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
            },
        });
        let opts = crate::verbs::WriteOptions {
            field_manager: Some("kube-apiserver".into()),
            ..Default::default()
        };
        // Its endpoints, as the API server's endpoint reconciler writes them
        // (controlplane/reconcilers: the Endpoints, kept out of EndpointSlice mirroring, and
        // the EndpointSlice its `EndpointsAdapter` derives from them), for one API server at
        // `API_SERVER_ADDRESS`.
        let endpoints = serde_json::json!({
            "apiVersion": "v1",
            "kind": "Endpoints",
            "metadata": {
                "name": "kubernetes",
                "namespace": "default",
                "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"},
            },
            "subsets": [{
                "addresses": [{"ip": crate::builtins::API_SERVER_ADDRESS}],
                "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}],
            }],
        });
        let slice = serde_json::json!({
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {
                "name": "kubernetes",
                "namespace": "default",
                "labels": {"kubernetes.io/service-name": "kubernetes"},
            },
            "addressType": "IPv4",
            "endpoints": [{"addresses": [crate::builtins::API_SERVER_ADDRESS], "conditions": {"ready": true}}],
            "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}],
        });
        let objects = [
            (("", "v1", "Service", "services"), service),
            (("", "v1", "Endpoints", "endpoints"), endpoints),
            (
                ("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices"),
                slice,
            ),
        ];
        for ((group, version, kind, plural), object) in objects {
            let rt = crate::registry::resource_type(group, version, kind, plural, true);
            if let Err(e) = crate::verbs::create::create_locked(
                &self.inner,
                &mut st,
                &rt,
                Some("default"),
                object,
                &opts,
                crate::verbs::write::Request::Create,
            ) {
                tracing::error!(error = %e, kind, "a kubernetes Service object was refused");
            }
        }
        crate::rbac::bootstrap::install(&self.inner, &mut st);
    }
}
