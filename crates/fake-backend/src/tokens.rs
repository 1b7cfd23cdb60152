//! ServiceAccount tokens: the `serviceaccounts/<name>/token` subresource (a TokenRequest, what
//! `kubectl create token` and the kubelet's projected volumes ask for), following
//! `pkg/registry/core/serviceaccount/storage/token.go` and `pkg/serviceaccount/claims.go`,
//! and the check a TokenReview makes of such a token (`review`).
//!
//! A token is a JWT with the server's claims (`iss`, `sub`, `aud`, `exp`, `iat`, `nbf`, `jti`
//! and `kubernetes.io` with the namespace, the service account and the bound object), which
//! tests can decode. It is not signed: its signature is a fixed marker, so only this fake
//! accepts it (its `review` also checks that the service account and the bound object still
//! exist with the same uids, as the server's authenticator does).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use k8s_openapi::api::authentication::v1::TokenRequest;
use kobj_core::{Error, FieldError, ResourceType, Result};
use serde_json::{Value, json};

use crate::cluster::{FakeCluster, State};
use crate::registry::resource_type;
use crate::store;

/// The API server's audience and issuer, as kind and kubeadm clusters have them: a token
/// requested without audiences is for this one.
pub const API_AUDIENCE: &str = "https://kubernetes.default.svc.cluster.local";

/// The token's header: RS256 as the server's, with a key id naming this fake.
const HEADER: &str = r#"{"alg":"RS256","kid":"kobj-fake"}"#;

/// The token's signature part: a fixed marker (`kobj-fake-unsigned`), not a signature.
const SIGNATURE: &str = "a29iai1mYWtlLXVuc2lnbmVk";

/// `SetDefaults_TokenRequestSpec`: an hour.
const DEFAULT_EXPIRATION_SECONDS: i64 = 3600;

/// `ValidateTokenRequest`'s bounds: ten minutes, 2^32 seconds.
const MIN_EXPIRATION_SECONDS: i64 = 600;
const MAX_EXPIRATION_SECONDS: i64 = 1 << 32;

fn token_requests() -> ResourceType {
    resource_type(
        "authentication.k8s.io",
        "v1",
        "TokenRequest",
        "tokenrequests",
        false,
    )
}

/// The group-resource the server names in a conflict: a kind where a resource belongs
/// (`TokenRequest.authentication.k8s.io`, `Pod`).
fn kind_as_resource(group: &str, kind: &str) -> ResourceType {
    resource_type(group, "v1", kind, kind, false)
}

fn service_accounts() -> ResourceType {
    resource_type("", "v1", "ServiceAccount", "serviceaccounts", true)
}

impl FakeCluster {
    /// Requests a token for a ServiceAccount (`POST
    /// /api/v1/namespaces/<ns>/serviceaccounts/<name>/token`): the request's `spec` with its
    /// defaults (audiences: [`API_AUDIENCE`]; an hour) and `status` with the token and its
    /// expiry. Logged as a `create` of `serviceaccounts` with subresource `token`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> kobj_core::Result<()> {
    /// use k8s_openapi::api::authentication::v1::TokenRequest;
    /// use k8s_openapi::api::core::v1::ServiceAccount;
    /// use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    /// use kobj_core::CoreResourcesExt;
    ///
    /// let cluster = kobj_fake::FakeCluster::new();
    /// let robot = ServiceAccount {
    ///     metadata: ObjectMeta {
    ///         name: Some("robot".into()),
    ///         namespace: Some("default".into()),
    ///         ..Default::default()
    ///     },
    ///     ..Default::default()
    /// };
    /// let _: ServiceAccount = cluster.create(&robot, &Default::default()).await?;
    /// let answer = cluster.create_token("default", "robot", &TokenRequest::default()).await?;
    /// let token = answer.status.and_then(|s| s.token).unwrap_or_default();
    /// assert_eq!(token.split('.').count(), 3);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// 404 for a missing ServiceAccount (or bound object), 422 for a name, namespace or
    /// expiry the server refuses, 409 for a uid that does not match, 400 for a bound object
    /// of another kind.
    pub async fn create_token(
        &self,
        namespace: &str,
        service_account: &str,
        request: &TokenRequest,
    ) -> Result<TokenRequest> {
        let body = serde_json::to_value(request).map_err(|e| Error::bad_request(e.to_string()))?;
        let answer = self
            .create_token_value(namespace, service_account, body)
            .await?;
        serde_json::from_value(answer).map_err(|e| Error::internal(e.to_string()))
    }

    /// [`create_token`](Self::create_token) with the request and answer as JSON (the HTTP
    /// server's entry point): the body is decoded as the server decodes a TokenRequest.
    ///
    /// # Errors
    /// As `create_token`, and 400 for a body that does not decode.
    pub async fn create_token_value(
        &self,
        namespace: &str,
        service_account: &str,
        body: Value,
    ) -> Result<Value> {
        let rt = service_accounts();
        self.run_subresource_create(&rt, namespace, service_account, "token", async {
            self.token_now(namespace, service_account, body)
        })
        .await
    }

    fn token_now(&self, namespace: &str, name: &str, mut req: Value) -> Result<Value> {
        let tr = token_requests();
        crate::builtins::json_decode::decode("authentication.k8s.io/v1", "TokenRequest", &mut req)
            .map_err(|e| crate::verbs::write::cannot_be_handled(&tr, &e))?;
        req["apiVersion"] = json!("authentication.k8s.io/v1");
        req["kind"] = json!("TokenRequest");
        let text = |v: &Value, p: &str| {
            v.pointer(p)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let (req_name, req_ns) = (
            text(&req, "/metadata/name"),
            text(&req, "/metadata/namespace"),
        );
        if !req_name.is_empty() && req_name != name {
            let e = FieldError::invalid(
                "metadata.name",
                json!(req_name),
                "must match the service account name if specified",
            );
            return Err(Error::invalid(&tr, name, &[e]));
        }
        if !req_ns.is_empty() && req_ns != namespace {
            let e = FieldError::invalid(
                "metadata.namespace",
                json!(req_ns),
                "must match the service account namespace if specified",
            );
            return Err(Error::invalid(&tr, name, &[e]));
        }
        let st = self.inner.lock();
        let sa = read(&st, "/serviceaccounts", namespace, name)
            .ok_or_else(|| Error::not_found(&service_accounts(), name))?;
        let sa_uid = text(&sa, "/metadata/uid");
        let req_uid = text(&req, "/metadata/uid");
        if !req_uid.is_empty() && req_uid != sa_uid {
            return Err(Error::conflict(
                &kind_as_resource("authentication.k8s.io", "TokenRequest"),
                name,
                format!(
                    "the UID in the token request ({req_uid}) does not match the UID of the service account ({sa_uid})"
                ),
            ));
        }
        let audiences = match req.pointer("/spec/audiences").and_then(Value::as_array) {
            Some(list) if !list.is_empty() => list.clone(),
            _ => vec![json!(API_AUDIENCE)],
        };
        let seconds = req
            .pointer("/spec/expirationSeconds")
            .and_then(Value::as_i64)
            .unwrap_or(DEFAULT_EXPIRATION_SECONDS);
        let now = self.inner.clock.now();
        {
            let m = crate::meta::meta_mut(&mut req);
            m.insert("name".into(), json!(name));
            m.insert("namespace".into(), json!(namespace));
            m.insert("uid".into(), json!(sa_uid));
            m.insert("creationTimestamp".into(), json!(now.to_string()));
        }
        req["spec"]["audiences"] = Value::Array(audiences.clone());
        req["spec"]["expirationSeconds"] = json!(seconds);
        let mut errors = Vec::new();
        if seconds < MIN_EXPIRATION_SECONDS {
            errors.push(FieldError::invalid(
                "spec.expirationSeconds",
                json!(seconds),
                "may not specify a duration less than 10 minutes",
            ));
        }
        if seconds > MAX_EXPIRATION_SECONDS {
            errors.push(FieldError::invalid(
                "spec.expirationSeconds",
                json!(seconds),
                "may not specify a duration larger than 2^32 seconds",
            ));
        }
        if !errors.is_empty() {
            return Err(Error::invalid(&tr, "", &errors));
        }
        let mut private = json!({
            "namespace": namespace,
            "serviceaccount": {"name": name, "uid": sa_uid},
        });
        if let Some(bound) = req
            .pointer("/spec/boundObjectRef")
            .filter(|b| b.is_object())
        {
            let (kind, api_version) = (text(bound, "/kind"), text(bound, "/apiVersion"));
            let (bound_name, bound_uid) = (text(bound, "/name"), text(bound, "/uid"));
            let (group, version) = match api_version.rsplit_once('/') {
                Some((g, v)) => (g.to_string(), v.to_string()),
                None => (String::new(), api_version.clone()),
            };
            let (store_name, key, claim) = match (group.as_str(), kind.as_str()) {
                ("", "Pod") => ("/pods", store::key(namespace, &bound_name), "pod"),
                ("", "Secret") => ("/secrets", store::key(namespace, &bound_name), "secret"),
                ("", "Node") => ("/nodes", store::key("", &bound_name), "node"),
                _ => {
                    return Err(Error::bad_request(format!(
                        "cannot bind token to object of type {group}/{version}, Kind={kind}"
                    )));
                }
            };
            let plural = &store_name[1..];
            let object = st
                .store
                .get(store_name, &key)
                .map(|s| s.value())
                .ok_or_else(|| {
                    Error::not_found(
                        &resource_type("", "v1", &kind, plural, claim != "node"),
                        &bound_name,
                    )
                })?;
            if claim == "pod" && text(&object, "/spec/serviceAccountName") != name {
                return Err(Error::bad_request(format!(
                    "cannot bind token for serviceaccount {name:?} to pod running with different serviceaccount name."
                )));
            }
            let uid = text(&object, "/metadata/uid");
            if !bound_uid.is_empty() && bound_uid != uid {
                return Err(Error::conflict(
                    &kind_as_resource(&group, &kind),
                    &bound_name,
                    format!(
                        "the UID in the bound object reference ({bound_uid}) does not match the UID in record. The object might have been deleted and then recreated"
                    ),
                ));
            }
            private[claim] = json!({"name": bound_name, "uid": uid});
            if claim == "pod" {
                let node = text(&object, "/spec/nodeName");
                if !node.is_empty() {
                    let node_uid =
                        read(&st, "/nodes", "", &node).map(|n| text(&n, "/metadata/uid"));
                    private["node"] = match node_uid {
                        Some(uid) => json!({"name": node, "uid": uid}),
                        None => json!({"name": node}),
                    };
                }
            }
        }
        drop(st);
        let (iat, exp) = (now.as_second(), now.as_second() + seconds);
        let claims = json!({
            "aud": audiences,
            "exp": exp,
            "iat": iat,
            "iss": API_AUDIENCE,
            "jti": self.inner.ids.uid(),
            "kubernetes.io": private,
            "nbf": iat,
            "sub": format!("system:serviceaccount:{namespace}:{name}"),
        });
        let token = format!(
            "{}.{}.{SIGNATURE}",
            URL_SAFE_NO_PAD.encode(HEADER),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let expires = k8s_openapi::jiff::Timestamp::from_second(exp)
            .map_err(|e| Error::internal(e.to_string()))?;
        req["status"] = json!({"token": token, "expirationTimestamp": expires.to_string()});
        Ok(req)
    }
}

/// The audiences (`aud`) of a token this fake issued; empty for any other token.
pub(crate) fn audiences(token: &str) -> Vec<String> {
    let claims = token
        .split('.')
        .nth(1)
        .and_then(|payload| URL_SAFE_NO_PAD.decode(payload).ok())
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok());
    claims
        .as_ref()
        .and_then(|c| c.get("aud"))
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .map(ToString::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn read(st: &State, store_name: &str, namespace: &str, name: &str) -> Option<Value> {
    st.store
        .get(store_name, &store::key(namespace, name))
        .map(|s| s.value())
}

/// Who a token this fake issued stands for, as a TokenReview's `status.user`, or `None`
/// when it is not one of its tokens, has expired (by the cluster's clock), or its service
/// account or bound object is gone or was recreated.
pub(crate) fn review(st: &State, token: &str, now: i64) -> Option<Value> {
    let mut parts = token.split('.');
    let (Some(_), Some(payload), Some(SIGNATURE), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    if claims.get("iss").and_then(Value::as_str) != Some(API_AUDIENCE)
        || claims
            .get("exp")
            .and_then(Value::as_i64)
            .is_none_or(|exp| exp <= now)
    {
        return None;
    }
    let k = claims.get("kubernetes.io")?;
    let text = |v: &Value, p: &str| {
        v.pointer(p)
            .and_then(Value::as_str)
            .map(ToString::to_string)
    };
    let namespace = text(k, "/namespace")?;
    let (name, uid) = (
        text(k, "/serviceaccount/name")?,
        text(k, "/serviceaccount/uid")?,
    );
    let alive = |store_name: &str, ns: &str, claim: &str| match k.get(claim) {
        None => true,
        Some(bound) => {
            let (n, u) = (text(bound, "/name"), text(bound, "/uid"));
            n.and_then(|n| read(st, store_name, ns, &n))
                .is_some_and(|o| text(&o, "/metadata/uid") == u)
        }
    };
    let sa_alive = read(st, "/serviceaccounts", &namespace, &name)
        .is_some_and(|sa| text(&sa, "/metadata/uid").as_deref() == Some(uid.as_str()));
    if !sa_alive || !alive("/pods", &namespace, "pod") || !alive("/secrets", &namespace, "secret") {
        return None;
    }
    let mut extra = serde_json::Map::new();
    if let Some(jti) = text(&claims, "/jti") {
        extra.insert(
            "authentication.kubernetes.io/credential-id".into(),
            json!([format!("JTI={jti}")]),
        );
    }
    for (claim, key) in [("pod", "pod"), ("node", "node")] {
        if let Some(bound) = k.get(claim) {
            if let Some(n) = text(bound, "/name") {
                extra.insert(
                    format!("authentication.kubernetes.io/{key}-name"),
                    json!([n]),
                );
            }
            if let Some(u) = text(bound, "/uid") {
                extra.insert(
                    format!("authentication.kubernetes.io/{key}-uid"),
                    json!([u]),
                );
            }
        }
    }
    let mut user = json!({
        "username": format!("system:serviceaccount:{namespace}:{name}"),
        "uid": uid,
        "groups": ["system:serviceaccounts", format!("system:serviceaccounts:{namespace}"), "system:authenticated"],
    });
    if !extra.is_empty() {
        user["extra"] = Value::Object(extra);
    }
    Some(user)
}
