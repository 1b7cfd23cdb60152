//! The one path every request takes around its verb: the fault check (delay, then error,
//! before any state is touched), the verb, then the action record. The async trait verbs
//! and the synchronous JSON entry points (`create_value`, …) share it.

use std::future::Future;
use std::time::Duration;

use kobj_core::{Error, ResourceType, Result};
use serde_json::Value;

use crate::actions::{Action, Outcome, Verb};
use crate::cluster::FakeCluster;
use crate::faults::RequestInfo;

/// What one request is, for faults and the action log.
pub(crate) struct Call<'a> {
    /// The verb.
    pub verb: Verb,
    /// The type.
    pub rt: &'a ResourceType,
    /// The namespace.
    pub namespace: Option<&'a str>,
    /// The name.
    pub name: Option<&'a str>,
    /// The subresource.
    pub subresource: Option<&'a str>,
    /// For a list or watch, the name its field selector requires (`metadata.name=<name>`),
    /// which the server's RequestInfo makes the request's name for authorization (so
    /// `resourceNames` rules allow it); not logged as the request's name.
    pub selected_name: Option<&'a str>,
    /// The HTTP code of success (unless the verb reports its own, see [`FakeCluster::run_coded`]).
    pub success: u16,
}

impl FakeCluster {
    /// The injected delay and error for this request, if a fault rule matches.
    fn gate(&self, call: &Call<'_>) -> (Option<Duration>, Option<Error>) {
        let req = RequestInfo {
            verb: call.verb,
            group: &call.rt.api.group,
            resource: &call.rt.api.plural,
            namespace: call.namespace,
            name: call.name,
            subresource: call.subresource,
        };
        match self.inner.faults.check(&req, call.rt) {
            Some(injection) => (injection.delay, injection.error),
            None => (None, None),
        }
    }

    /// The 403 of a request this handle's user may not make (none for the fake's own
    /// identity, which is not authorized at all: it is in `system:masters`).
    fn authorization_error(&self, call: &Call<'_>) -> Option<Error> {
        let user = self.user.as_deref()?;
        let attributes = crate::rbac::Attributes {
            verb: call.verb.as_str(),
            target: crate::rbac::Target::Resource {
                group: &call.rt.api.group,
                resource: &call.rt.api.plural,
                subresource: call.subresource.unwrap_or_default(),
                namespace: call.namespace.unwrap_or_default(),
                // A create's path names no object (its name is in the body), unless it is a
                // subresource's (`pods/<name>/eviction`).
                name: match (call.verb, call.subresource) {
                    (crate::actions::Verb::Create, None) => "",
                    _ => call.name.or(call.selected_name).unwrap_or_default(),
                },
            },
        };
        let decision = crate::rbac::authorize(&self.inner.lock(), user, &attributes);
        (!decision.allowed).then(|| attributes.forbidden(user, &decision.reason))
    }

    /// Records the request in the action log (when it is on) and hands back its result.
    fn finish<T>(
        &self,
        call: &Call<'_>,
        params: impl FnOnce() -> Value,
        result: Result<(T, u16)>,
    ) -> Result<T> {
        self.inner.actions.record_with(|| Action {
            verb: call.verb,
            group: call.rt.api.group.clone(),
            version: call.rt.api.version.clone(),
            resource: call.rt.api.plural.clone(),
            namespace: call.namespace.map(ToString::to_string),
            name: call.name.map(ToString::to_string),
            subresource: call.subresource.map(ToString::to_string),
            params: params(),
            outcome: match &result {
                Ok((_, code)) => Outcome::Success { code: *code },
                Err(e) => Outcome::from_error(e),
            },
        });
        result.map(|(value, _)| value)
    }

    /// Runs one request whose success code is `call.success`.
    pub(crate) async fn run<T, F>(
        &self,
        call: Call<'_>,
        params: impl FnOnce() -> Value,
        body: F,
    ) -> Result<T>
    where
        F: Future<Output = Result<T>>,
    {
        let result = match self.pass_gate(&call).await {
            Some(e) => Err(e),
            None => body.await.map(|t| (t, call.success)),
        };
        self.finish(&call, params, result)
    }

    /// Runs one request whose verb reports its own success code (an apply that creates:
    /// 201, rule 24).
    pub(crate) async fn run_coded<T, F>(
        &self,
        call: Call<'_>,
        params: impl FnOnce() -> Value,
        body: F,
    ) -> Result<T>
    where
        F: Future<Output = Result<(T, u16)>>,
    {
        let result = match self.pass_gate(&call).await {
            Some(e) => Err(e),
            None => body.await,
        };
        self.finish(&call, params, result)
    }

    /// Runs a create on a subresource of the object `name` of `rt` (a TokenRequest, an
    /// Eviction, a Binding): logged and faulted as a `create` with that subresource, 201.
    pub(crate) async fn run_subresource_create<F>(
        &self,
        rt: &ResourceType,
        namespace: &str,
        name: &str,
        subresource: &str,
        body: F,
    ) -> Result<Value>
    where
        F: Future<Output = Result<Value>>,
    {
        let call = Call {
            verb: Verb::Create,
            rt,
            namespace: Some(namespace),
            name: Some(name),
            subresource: Some(subresource),
            selected_name: None,
            success: 201,
        };
        self.run(call, || Value::Object(serde_json::Map::new()), body)
            .await
    }

    /// Waits out an injected delay and hands back an injected error, if a fault rule matches.
    ///
    /// The timer is boxed: every verb's future embeds this one, and a `Sleep` held inline
    /// would make each request's (heap-allocated, async-trait) future hundreds of bytes
    /// larger for a delay that is almost never set.
    async fn pass_gate(&self, call: &Call<'_>) -> Option<Error> {
        let (delay, error) = self.gate(call);
        if let Some(delay) = delay {
            Box::pin(tokio::time::sleep(delay)).await;
        }
        error.or_else(|| self.authorization_error(call))
    }

    /// [`run_coded`](Self::run_coded) for a synchronous verb: an injected delay blocks the
    /// calling thread.
    pub(crate) fn run_sync<T>(
        &self,
        call: Call<'_>,
        params: impl FnOnce() -> Value,
        body: impl FnOnce() -> Result<(T, u16)>,
    ) -> Result<T> {
        let (delay, error) = self.gate(&call);
        if let Some(delay) = delay {
            std::thread::sleep(delay);
        }
        let result = match error.or_else(|| self.authorization_error(&call)) {
            Some(e) => Err(e),
            None => body(),
        };
        self.finish(&call, params, result)
    }
}

/// The name a list's or watch's field selector requires exactly
/// (`fields.Selector.RequiresExactMatch("metadata.name")`: a `metadata.name=` or `==` term
/// among its terms), when it is a valid path segment (`path.IsValidPathSegmentName`). A
/// selector with escapes gives none.
pub(crate) fn selected_name(field_selector: Option<&str>) -> Option<&str> {
    let selector = field_selector?;
    if selector.contains('\\') {
        return None;
    }
    selector.split(',').find_map(|term| {
        let name = term
            .trim()
            .strip_prefix("metadata.name")?
            .trim_start()
            .strip_prefix("==")
            .or_else(|| {
                term.trim()
                    .strip_prefix("metadata.name")?
                    .trim_start()
                    .strip_prefix('=')
            })?
            .trim();
        let valid = !name.is_empty()
            && name != "."
            && name != ".."
            && !name.contains('/')
            && !name.contains('%');
        valid.then_some(name)
    })
}

/// The `Status` of success a subresource create answers with when it returns no object (an
/// eviction, a binding): the create handler fills in its code, 201.
pub(crate) fn created_status() -> Value {
    serde_json::json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201})
}

#[cfg(test)]
mod tests {
    use super::selected_name;

    #[test]
    fn a_name_is_selected_by_an_equality_term_on_metadata_name() {
        assert_eq!(selected_name(Some("metadata.name=a")), Some("a"));
        assert_eq!(selected_name(Some("metadata.name==a")), Some("a"));
        assert_eq!(
            selected_name(Some("status.phase=Running,metadata.name=a")),
            Some("a")
        );
        for none in [
            "metadata.name!=a",
            "metadata.namespace=a",
            "metadata.name=",
            "metadata.name=..",
            "metadata.name=a/b",
            "metadata.name=a\\,b",
        ] {
            assert_eq!(selected_name(Some(none)), None, "{none}");
        }
        assert_eq!(selected_name(None), None);
    }
}
