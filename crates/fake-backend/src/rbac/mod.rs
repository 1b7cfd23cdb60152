//! Authorization: who a request is ([`UserInfo`]) and whether the cluster's RBAC objects
//! allow it, as a kube-apiserver with `--authorization-mode=Node,RBAC` decides.
//!
//! - The privileged-group authorizer comes first: a member of `system:masters` may do
//!   anything (`authorizerfactory.NewPrivilegedGroups`), with no reason given. The fake's
//!   own identity, [`UserInfo::admin`], is one, so a cluster that is not impersonating
//!   allows everything, as before.
//! - Then RBAC (`plugin/pkg/auth/authorizer/rbac`): the first rule of a binding that
//!   applies allows the request, with the reason `RBAC: allowed by <binding>`; without one
//!   there is no opinion, and a request with no opinion is denied, its reason the errors met
//!   (a binding to a role that does not exist). The rules are in `rules`, the bindings in
//!   `bindings`.
//! - The Node authorizer is not reproduced: a kubelet's identity (`system:node:<name>`) is
//!   authorized by RBAC alone.
//!
//! [`FakeCluster::impersonate`](crate::FakeCluster::impersonate) gives a handle whose
//! requests are made as another user and authorized so; access and rules reviews evaluate
//! the same rules. The roles and bindings a new server creates are in `bootstrap`, and the
//! controller that fills aggregated ClusterRoles in `aggregation`.

pub(crate) mod aggregation;
pub(crate) mod bindings;
pub(crate) mod bootstrap;
pub(crate) mod escalation;
pub(crate) mod reviews;
pub(crate) mod rules;

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::rbac::v1::PolicyRule;
use kobj_core::Error;
use kobj_core::error::empty_details;
use kube_core::response::StatusDetails;

use crate::cluster::{FakeCluster, State};
use crate::schema::go::quote;

/// The group whose members the privileged-group authorizer allows everything.
pub const SYSTEM_MASTERS: &str = "system:masters";
/// The group every authenticated user is in.
pub const SYSTEM_AUTHENTICATED: &str = "system:authenticated";

/// Who makes a request: what an authenticator or an impersonation resolved
/// (`k8s.io/apiserver/pkg/authentication/user.Info`).
///
/// ```
/// use kobj_fake::UserInfo;
/// let alice = UserInfo::new("alice").with_groups(["devs"]);
/// assert_eq!(alice.groups, ["devs", "system:authenticated"]);
/// let sa = UserInfo::service_account("apps", "deployer");
/// assert_eq!(sa.username, "system:serviceaccount:apps:deployer");
/// assert_eq!(
///     sa.groups,
///     ["system:serviceaccounts", "system:serviceaccounts:apps", "system:authenticated"]
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserInfo {
    /// The user name.
    pub username: String,
    /// The user's uid (empty when not known).
    pub uid: String,
    /// The groups, in the order an authenticator gave them.
    pub groups: Vec<String>,
    /// Extra attributes (scopes, a service account token's pod).
    pub extra: BTreeMap<String, Vec<String>>,
}

impl UserInfo {
    /// A user named `username` with the groups impersonating it without naming groups
    /// gives: `system:authenticated`; for a service account's username
    /// (`system:serviceaccount:<ns>:<name>`) also `system:serviceaccounts` and
    /// `system:serviceaccounts:<ns>`; for `system:anonymous`, `system:unauthenticated`.
    pub fn new(username: impl Into<String>) -> Self {
        let username = username.into();
        let groups = impersonated_groups(&username, Vec::new());
        Self {
            username,
            groups,
            ..Default::default()
        }
    }

    /// The service account `name` of `namespace`.
    pub fn service_account(namespace: &str, name: &str) -> Self {
        Self::new(service_account_username(namespace, name))
    }

    /// The identity of requests made without impersonation: [`crate::CALLER_USERNAME`] in
    /// [`crate::CALLER_GROUPS`] (`system:masters`: allowed everything).
    pub fn admin() -> Self {
        Self {
            username: crate::CALLER_USERNAME.to_string(),
            groups: crate::CALLER_GROUPS
                .iter()
                .map(ToString::to_string)
                .collect(),
            ..Default::default()
        }
    }

    /// The groups impersonating this user with `groups` gives: those, then
    /// `system:authenticated` unless one of them is it or `system:unauthenticated` (a
    /// service account named with groups gets no service account groups, as the
    /// impersonation filter gives them only when none are named).
    #[must_use]
    pub fn with_groups<I, S>(mut self, groups: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.groups =
            impersonated_groups(&self.username, groups.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the uid.
    #[must_use]
    pub fn with_uid(mut self, uid: impl Into<String>) -> Self {
        self.uid = uid.into();
        self
    }

    /// Whether the privileged-group authorizer allows this user everything.
    pub fn is_privileged(&self) -> bool {
        self.groups.iter().any(|g| g == SYSTEM_MASTERS)
    }
}

/// `system:serviceaccount:<namespace>:<name>`.
pub fn service_account_username(namespace: &str, name: &str) -> String {
    format!("system:serviceaccount:{namespace}:{name}")
}

/// The groups the impersonation filter (`endpoints/filters/impersonation.go`) resolves for
/// `username` impersonated with `groups`.
fn impersonated_groups(username: &str, mut groups: Vec<String>) -> Vec<String> {
    if groups.is_empty()
        && let Some((ns, _)) = service_account_of(username)
    {
        groups = vec![
            "system:serviceaccounts".to_string(),
            format!("system:serviceaccounts:{ns}"),
        ];
    }
    if username == "system:anonymous" {
        if !groups.iter().any(|g| g == "system:unauthenticated") {
            groups.push("system:unauthenticated".to_string());
        }
    } else if !groups
        .iter()
        .any(|g| g == SYSTEM_AUTHENTICATED || g == "system:unauthenticated")
    {
        groups.push(SYSTEM_AUTHENTICATED.to_string());
    }
    groups
}

/// The namespace and name of a service account's username
/// (`system:serviceaccount:<namespace>:<name>`, `serviceaccount.SplitUsername`).
///
/// ```
/// assert_eq!(
///     kobj_fake::rbac::service_account_of("system:serviceaccount:ns:sa"),
///     Some(("ns", "sa"))
/// );
/// assert_eq!(kobj_fake::rbac::service_account_of("alice"), None);
/// ```
pub fn service_account_of(username: &str) -> Option<(&str, &str)> {
    let rest = username.strip_prefix("system:serviceaccount:")?;
    let (ns, name) = rest.split_once(':')?;
    (!ns.is_empty() && !name.is_empty() && !name.contains(':')).then_some((ns, name))
}

/// What a request asks to do (`authorizer.Attributes`, the user aside).
#[derive(Clone, Debug)]
pub struct Attributes<'a> {
    /// The verb (`get`, `list`, `watch`, `create`, `update`, `patch`, `delete`,
    /// `deletecollection`, or a special verb such as `impersonate`).
    pub verb: &'a str,
    /// A resource or a path.
    pub target: Target<'a>,
}

/// What a request is to.
#[derive(Clone, Debug)]
pub enum Target<'a> {
    /// A resource request; empty strings for what it does not name.
    Resource {
        /// The API group (`""` for core).
        group: &'a str,
        /// The resource (plural).
        resource: &'a str,
        /// The subresource.
        subresource: &'a str,
        /// The namespace (`""`: the cluster scope, or all namespaces).
        namespace: &'a str,
        /// The object's name (`""` for a collection, or a create).
        name: &'a str,
    },
    /// A request of a path that is not a resource (`/healthz`, `/api`).
    Path(&'a str),
}

impl Attributes<'_> {
    fn namespace(&self) -> &str {
        match &self.target {
            Target::Resource { namespace, .. } => namespace,
            Target::Path(_) => "",
        }
    }
}

/// An authorizer's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Allowed (otherwise denied: no authorizer had an opinion).
    pub allowed: bool,
    /// Why (empty for the privileged group and for a denial without errors).
    pub reason: String,
}

/// The authorizer chain: the privileged group, then RBAC.
pub(crate) fn authorize(st: &State, user: &UserInfo, attributes: &Attributes<'_>) -> Decision {
    if user.is_privileged() {
        return Decision {
            allowed: true,
            reason: String::new(),
        };
    }
    let mut allowed_by = None;
    let mut errors = Vec::new();
    bindings::visit_rules_for(st, user, attributes.namespace(), |visit| match visit {
        bindings::Visit::Rule { source, rule } => {
            if rules::allows(attributes, rule) {
                allowed_by = Some(format!("RBAC: allowed by {source}"));
                false
            } else {
                true
            }
        }
        bindings::Visit::Error(e) => {
            errors.push(e);
            true
        }
    });
    match allowed_by {
        Some(reason) => Decision {
            allowed: true,
            reason,
        },
        None => Decision {
            allowed: false,
            reason: if errors.is_empty() {
                String::new()
            } else {
                format!("RBAC: {}", aggregate_errors(&errors))
            },
        },
    }
}

/// `utilerrors.NewAggregate(errs).Error()`: one error as it is; several without repeats,
/// in brackets (unless only one distinct message remains).
pub(crate) fn aggregate_errors(errors: &[String]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for e in errors {
        if !seen.contains(&e.as_str()) {
            seen.push(e);
        }
    }
    match seen.as_slice() {
        [one] => (*one).to_string(),
        _ => format!("[{}]", seen.join(", ")),
    }
}

/// The rules that apply to `user` in `namespace` (`RulesFor` of the rule resolvers, RBAC
/// alone: the privileged-group authorizer resolves no rules, so a member of `system:masters`
/// sees what its bindings give, `cluster-admin`'s), in visiting order, one per rule; and the
/// errors met.
pub(crate) fn rules_for(
    st: &State,
    user: &UserInfo,
    namespace: &str,
) -> (Vec<PolicyRule>, Vec<String>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    bindings::visit_rules_for(st, user, namespace, |visit| {
        match visit {
            bindings::Visit::Rule { rule, .. } => out.push(rule.clone()),
            bindings::Visit::Error(e) => errors.push(e),
        }
        true
    });
    (out, errors)
}

impl Attributes<'_> {
    /// The 403 the server answers when `user` may not do this
    /// (`responsewriters.ForbiddenStatusError`): `<resource>[.<group>] ["<name>"] is
    /// forbidden: User "<user>" cannot <verb> resource "<resource>[/<sub>]" in API group
    /// "<group>" in the namespace "<ns>"` (or `at the cluster scope`); for a path, `forbidden:
    /// User "<user>" cannot <verb> path "<path>"`; then `: <reason>` if there is one. Its
    /// details name the object, the group and the resource.
    pub fn forbidden(&self, user: &UserInfo, reason: &str) -> Error {
        let mut why = match &self.target {
            Target::Resource {
                group,
                resource,
                subresource,
                namespace,
                ..
            } => {
                let resource = if subresource.is_empty() {
                    (*resource).to_string()
                } else {
                    format!("{resource}/{subresource}")
                };
                let scope = if namespace.is_empty() {
                    "at the cluster scope".to_string()
                } else {
                    format!("in the namespace {}", quote(namespace))
                };
                format!(
                    "User {} cannot {} resource {} in API group {} {scope}",
                    quote(&user.username),
                    self.verb,
                    quote(&resource),
                    quote(group)
                )
            }
            Target::Path(path) => format!(
                "User {} cannot {} path {}",
                quote(&user.username),
                self.verb,
                quote(path)
            ),
        };
        if !reason.is_empty() {
            why.push_str(": ");
            why.push_str(reason);
        }
        match &self.target {
            Target::Resource {
                group,
                resource,
                name,
                ..
            } => forbidden_error(group, resource, name, &why),
            Target::Path(_) => Error::from_parts(403, "Forbidden", format!("forbidden: {why}"))
                .with_details(empty_details()),
        }
    }
}

/// `apierrors.NewForbidden` of a resource: `<resource>[.<group>] ["<name>"] is forbidden:
/// <why>`, its details naming the object, the group and the resource.
pub(crate) fn forbidden_error(group: &str, resource: &str, name: &str, why: &str) -> Error {
    let qualified = if group.is_empty() {
        resource.to_string()
    } else {
        format!("{resource}.{group}")
    };
    let message = if name.is_empty() {
        format!("{qualified} is forbidden: {why}")
    } else {
        format!("{qualified} {} is forbidden: {why}", quote(name))
    };
    Error::from_parts(403, "Forbidden", message).with_details(StatusDetails {
        name: name.to_string(),
        group: group.to_string(),
        kind: resource.to_string(),
        ..empty_details()
    })
}

/// A user written as JSON (a TokenReview's `status.user`, a SubjectAccessReview's `spec`):
/// the name under `name_key`, then `uid`, `groups` and `extra`.
pub(crate) fn user_from_json(v: &serde_json::Value, name_key: &str) -> UserInfo {
    use serde_json::Value;
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(ToString::to_string))
            .collect()
    };
    let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default();
    UserInfo {
        username: text(name_key).to_string(),
        uid: text("uid").to_string(),
        groups: strings(v.get("groups").unwrap_or(&Value::Null)),
        extra: v
            .get("extra")
            .and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), strings(v))).collect())
            .unwrap_or_default(),
    }
}

/// An apply that creates its object needs `create` as well as `patch` (the patch handler's
/// `withAuthorization`): refused with the authorizer's reason alone, `<resource> "<name>" is
/// forbidden: <reason>` (for a plain RBAC denial the reason is empty, and the message ends
/// with `: `).
pub(crate) fn authorize_create_on_apply(
    st: &State,
    user: &UserInfo,
    rt: &kobj_core::ResourceType,
    namespace: &str,
    name: &str,
) -> kobj_core::Result<()> {
    let attributes = Attributes {
        verb: "create",
        target: Target::Resource {
            group: &rt.api.group,
            resource: &rt.api.plural,
            subresource: "",
            namespace,
            name,
        },
    };
    let decision = authorize(st, user, &attributes);
    if decision.allowed {
        return Ok(());
    }
    Err(forbidden_error(
        &rt.api.group,
        &rt.api.plural,
        name,
        &decision.reason,
    ))
}

impl FakeCluster {
    /// A handle on the same cluster whose requests are made as `user` and authorized by the
    /// cluster's RBAC objects, as a request impersonating `user` (`kubectl --as`) is: a
    /// request no rule allows gets the server's 403, and reviews (`kubectl auth can-i`,
    /// `whoami`) answer for `user`. The fake's own handles act as [`UserInfo::admin`], a
    /// member of `system:masters`, whom nothing is refused.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> kobj_core::Result<()> {
    /// use k8s_openapi::api::core::v1::ConfigMap;
    /// use kobj_core::CoreResourcesExt;
    /// use kobj_fake::{FakeCluster, UserInfo};
    ///
    /// let cluster = FakeCluster::new();
    /// let alice = cluster.impersonate(UserInfo::new("alice")).client("default");
    /// let err = alice.core().list::<ConfigMap>(Some("default"), &Default::default()).await.unwrap_err();
    /// assert_eq!(err.code(), Some(403));
    /// assert_eq!(
    ///     err.status().map(|s| s.message.as_str()),
    ///     Some(r#"configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" in the namespace "default""#)
    /// );
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn impersonate(&self, user: UserInfo) -> FakeCluster {
        Self {
            inner: self.inner.clone(),
            user: Some(Arc::new(user)),
        }
    }

    /// The user this handle impersonates (`None` for the fake's own identity).
    #[must_use]
    pub fn impersonating(&self) -> Option<UserInfo> {
        self.user.as_deref().cloned()
    }

    /// Whom this handle's requests are made as.
    #[must_use]
    pub fn user(&self) -> UserInfo {
        self.user
            .as_deref()
            .cloned()
            .unwrap_or_else(UserInfo::admin)
    }

    /// Whether `user` may do what `attributes` ask, as the server's authorizers (the
    /// privileged group, then RBAC) decide over this cluster's RBAC objects.
    ///
    /// ```
    /// use kobj_fake::rbac::{Attributes, Target};
    /// use kobj_fake::{FakeCluster, UserInfo};
    ///
    /// let cluster = FakeCluster::new();
    /// let discovery = Attributes { verb: "get", target: Target::Path("/apis") };
    /// let decision = cluster.authorize(&UserInfo::new("alice"), &discovery);
    /// assert!(decision.allowed);
    /// assert_eq!(
    ///     decision.reason,
    ///     r#"RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" to Group "system:authenticated""#
    /// );
    /// ```
    #[must_use]
    pub fn authorize(&self, user: &UserInfo, attributes: &Attributes<'_>) -> Decision {
        authorize(&self.inner.lock(), user, attributes)
    }

    /// Who a bearer token stands for, as the server's service account authenticator finds:
    /// a token this cluster issued (a TokenRequest) for the API server's audience, not
    /// expired by the cluster's clock, whose service account (and bound object) still
    /// exists. `None` for any other token.
    #[must_use]
    pub fn authenticate_token(&self, token: &str) -> Option<UserInfo> {
        if !crate::tokens::audiences(token)
            .iter()
            .any(|a| a == crate::tokens::API_AUDIENCE)
        {
            return None;
        }
        let now = self.inner.clock.now().as_second();
        let user = crate::tokens::review(&self.inner.lock(), token, now)?;
        Some(user_from_json(&user, "username"))
    }
}
