//! Who a request is, as the API server's authentication and impersonation filters resolve
//! it, and the authorization of paths that are not resources.
//!
//! - Authentication: the server's own bearer token (when one is configured) or no token (when
//!   none is) is the fake's administrator, a member of `system:masters` that nothing is
//!   refused; a service account token the fake issued (a TokenRequest, `kubectl create
//!   token`) is that service account, while its account and bound object exist and it has
//!   not expired; any other token is 401. (kubectl sends tokens only over TLS: serve with
//!   `--tls` to use service account tokens with it.)
//! - Impersonation (`staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go`):
//!   `Impersonate-User`, `Impersonate-Group` (repeated), `Impersonate-Uid` and
//!   `Impersonate-Extra-<key>` make the request as another user, each checked first as the
//!   `impersonate` verb on `users` or `serviceaccounts`, `groups`, `userextras/<key>` and
//!   `uids`. The groups are completed as the filter completes them
//!   ([`UserInfo::with_groups`]).
//!
//! A request made as anyone but the administrator goes to a handle of the fake made by
//! [`FakeCluster::impersonate`](kobj_fake::FakeCluster::impersonate), which authorizes every
//! resource request; [`authorize_path`] authorizes the others (discovery, `/version`,
//! `/healthz`, OpenAPI), which every authenticated user may read through the bootstrap
//! `system:discovery` and `system:public-info-viewer` roles.

use http::{HeaderMap, Method, header};
use kobj_core::Error;
use kobj_fake::rbac::{Attributes, Target};
use kobj_fake::{FakeCluster, UserInfo};

use crate::config::ServerConfig;

/// The user a request is made as; `None` for the administrator (no authorization step).
///
/// # Errors
/// 401 for a token that is neither the server's nor a service account's (when the server has
/// a token); 400 for impersonation headers without a user; 403 when the requester may not
/// impersonate what the headers ask.
pub(crate) fn resolve(
    cluster: &FakeCluster,
    config: &ServerConfig,
    headers: &HeaderMap,
) -> Result<Option<UserInfo>, Error> {
    let requester = authenticate(cluster, config, headers)?;
    impersonate(cluster, requester, headers)
}

/// The bearer token's user: `None` for the administrator.
fn authenticate(
    cluster: &FakeCluster,
    config: &ServerConfig,
    headers: &HeaderMap,
) -> Result<Option<UserInfo>, Error> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if let (Some(given), Some(expected)) = (given, &config.token)
        && constant_time_eq(given.as_bytes(), expected.as_bytes())
    {
        return Ok(None);
    }
    if let Some(user) = given.and_then(|t| cluster.authenticate_token(t)) {
        return Ok(Some(user));
    }
    match (&config.token, given) {
        // Without a token of its own the server takes a request with no token as its
        // administrator's (the kubeconfig it writes has no credentials).
        (None, None) => Ok(None),
        // A token no authenticator accepts (another, a deleted account's, an expired one)
        // is refused, as the server refuses it.
        _ => {
            tracing::debug!("refused a request without a known bearer token");
            Err(Error::unauthorized("Unauthorized"))
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The impersonation filter: the user the headers ask for, once the requester may be it.
fn impersonate(
    cluster: &FakeCluster,
    requester: Option<UserInfo>,
    headers: &HeaderMap,
) -> Result<Option<UserInfo>, Error> {
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(ToString::to_string)
            .collect()
    };
    // An empty header is no header (`Header.Get` gives "").
    let user = values("impersonate-user")
        .into_iter()
        .next()
        .filter(|u| !u.is_empty());
    let groups = values("impersonate-group");
    let uid = values("impersonate-uid")
        .into_iter()
        .next()
        .filter(|u| !u.is_empty());
    let mut extra: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (name, value) in headers {
        if let Some(key) = name.as_str().strip_prefix("impersonate-extra-")
            && let Ok(value) = value.to_str()
        {
            // Header names are case-insensitive; the key is unescaped as the filter does.
            let key = percent_decode(key);
            extra.entry(key).or_default().push(value.to_string());
        }
    }
    let Some(username) = user else {
        if groups.is_empty() && uid.is_none() && extra.is_empty() {
            return Ok(requester);
        }
        // `%v` of the requests: Go's ObjectReference fields in order, space-separated.
        let mut asked: Vec<String> = groups
            .iter()
            .map(|g| format!("{{Group  {g}    }}"))
            .collect();
        for (key, values) in &extra {
            for v in values {
                asked.push(format!(
                    "{{UserExtra  {v}  authentication.k8s.io/v1  {key}}}"
                ));
            }
        }
        if let Some(uid) = &uid {
            asked.push(format!("{{UID  {uid}  authentication.k8s.io/v1  }}"));
        }
        return Err(Error::bad_request(format!(
            "requested [{}] without impersonating a user",
            asked.join(" ")
        )));
    };
    let requester_or_admin = requester.clone().unwrap_or_else(UserInfo::admin);
    let allowed = |attributes: Attributes<'_>| -> Result<(), Error> {
        if requester.is_none() {
            // The administrator is in system:masters.
            return Ok(());
        }
        let decision = cluster.authorize(&requester_or_admin, &attributes);
        if decision.allowed {
            Ok(())
        } else {
            Err(attributes.forbidden(&requester_or_admin, &decision.reason))
        }
    };
    let impersonate = |group: &'static str, resource: &'static str| {
        move |subresource: &str, namespace: &str, name: &str| -> Result<(), Error> {
            allowed(Attributes {
                verb: "impersonate",
                target: Target::Resource {
                    group,
                    resource,
                    subresource,
                    namespace,
                    name,
                },
            })
        }
    };
    match kobj_fake::rbac::service_account_of(&username) {
        Some((ns, name)) => impersonate("", "serviceaccounts")("", ns, name)?,
        None => impersonate("", "users")("", "", &username)?,
    }
    for g in &groups {
        impersonate("", "groups")("", "", g)?;
    }
    for (key, values) in &extra {
        for v in values {
            impersonate("authentication.k8s.io", "userextras")(key, "", v)?;
        }
    }
    if let Some(uid) = &uid {
        impersonate("authentication.k8s.io", "uids")("", "", uid)?;
    }
    let mut user = UserInfo::new(username);
    if !groups.is_empty() {
        user = user.with_groups(groups);
    }
    if let Some(uid) = uid {
        user = user.with_uid(uid);
    }
    user.extra = extra;
    Ok(Some(user))
}

/// `url.PathUnescape` of an extra's key (an invalid escape leaves the key as it is).
fn percent_decode(key: &str) -> String {
    let bytes = key.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = key.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| key.to_string())
}

/// Authorizes a request of a path that is not a resource for `user` (the verb is the
/// method's lower-case name, `get` for HEAD, as `RequestInfo` names it).
///
/// # Errors
/// 403 `forbidden: User "…" cannot get path "…"`.
pub(crate) fn authorize_path(
    cluster: &FakeCluster,
    user: &UserInfo,
    method: &Method,
    path: &str,
) -> Result<(), Error> {
    let verb = match *method {
        Method::GET | Method::HEAD => "get".to_string(),
        ref other => other.as_str().to_ascii_lowercase(),
    };
    let attributes = Attributes {
        verb: &verb,
        target: Target::Path(path),
    };
    let decision = cluster.authorize(user, &attributes);
    if decision.allowed {
        Ok(())
    } else {
        Err(attributes.forbidden(user, &decision.reason))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn an_unknown_token_is_refused_even_without_a_server_token() {
        let cluster = FakeCluster::new();
        let garbage = headers(&[("authorization", "Bearer garbage")]);
        let e = resolve(&cluster, &ServerConfig::default(), &garbage).unwrap_err();
        assert_eq!(e.code(), Some(401));
    }

    #[test]
    fn the_servers_token_is_the_administrator_and_another_is_refused() {
        let cluster = FakeCluster::new();
        let config = ServerConfig::default().token("abc");
        assert!(resolve(&cluster, &config, &headers(&[])).is_err());
        let wrong = headers(&[("authorization", "Bearer abd")]);
        let e = resolve(&cluster, &config, &wrong).unwrap_err();
        assert_eq!(e.code(), Some(401));
        let right = headers(&[("authorization", "Bearer abc")]);
        assert_eq!(resolve(&cluster, &config, &right).unwrap(), None);
        assert_eq!(
            resolve(&cluster, &ServerConfig::default(), &headers(&[])).unwrap(),
            None
        );
    }

    #[test]
    fn impersonation_completes_the_groups_as_the_filter_does() {
        let cluster = FakeCluster::new();
        let config = ServerConfig::default();
        let as_user = |pairs: &[(&str, &str)]| {
            resolve(&cluster, &config, &headers(pairs))
                .unwrap()
                .unwrap()
        };
        let alice = as_user(&[("impersonate-user", "alice")]);
        assert_eq!(alice.groups, ["system:authenticated"]);
        let sa = as_user(&[("impersonate-user", "system:serviceaccount:ns:sa")]);
        assert_eq!(
            sa.groups,
            [
                "system:serviceaccounts",
                "system:serviceaccounts:ns",
                "system:authenticated"
            ]
        );
        let grouped = as_user(&[
            ("impersonate-user", "system:serviceaccount:ns:sa"),
            ("impersonate-group", "a"),
            ("impersonate-group", "b"),
            ("impersonate-uid", "u1"),
            ("impersonate-extra-scopes%2Fone", "x"),
        ]);
        assert_eq!(grouped.groups, ["a", "b", "system:authenticated"]);
        assert_eq!(grouped.uid, "u1");
        assert_eq!(grouped.extra["scopes/one"], ["x"]);
        let e = resolve(&cluster, &config, &headers(&[("impersonate-group", "g1")])).unwrap_err();
        assert_eq!(e.code(), Some(400));
        assert_eq!(
            e.status().unwrap().message,
            "requested [{Group  g1    }] without impersonating a user"
        );
    }

    #[test]
    fn paths_are_authorized_by_the_discovery_roles() {
        let cluster = FakeCluster::new();
        let alice = UserInfo::new("alice");
        authorize_path(&cluster, &alice, &Method::GET, "/apis/apps/v1").unwrap();
        let e = authorize_path(&cluster, &alice, &Method::GET, "/metrics").unwrap_err();
        assert_eq!(
            e.status().unwrap().message,
            r#"forbidden: User "alice" cannot get path "/metrics""#
        );
        // A SubjectAccessReview's user without groups is not even authenticated.
        let bare = UserInfo {
            username: "bob".into(),
            ..Default::default()
        };
        assert!(authorize_path(&cluster, &bare, &Method::GET, "/api").is_err());
    }
}
