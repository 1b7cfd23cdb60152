//! The health endpoints `/healthz`, `/livez` and `/readyz` (k8s.io/apiserver
//! `pkg/server/healthz`): `ok`, or with `?verbose` one `[+]<check> ok` line per check and
//! `<endpoint> check passed`; `?exclude=<check>` marks a check `excluded: ok`, and warns about
//! names no check has; `/<endpoint>/<check>` answers one check. The fake is always healthy,
//! so every check passes. The checks are those a server has whatever its configuration; its
//! post-start hooks (`poststarthook/…`), which vary with it, are not listed.

use axum::response::Response;
use bytes::Bytes;
use http::{HeaderValue, StatusCode};

use crate::respond;

/// The checks of each endpoint, in the server's order.
fn checks(endpoint: &str) -> Option<&'static [&'static str]> {
    match endpoint {
        "healthz" | "livez" => Some(&["ping", "log", "etcd"]),
        "readyz" => Some(&[
            "ping",
            "log",
            "etcd",
            "etcd-readiness",
            "informer-sync",
            "shutdown",
        ]),
        _ => None,
    }
}

/// The response for `path` when it is a health endpoint or one of its checks; `None` for any
/// other path.
pub(crate) fn serve(path: &str, query: Option<&str>) -> Option<Response> {
    let rest = path.strip_prefix('/')?;
    let (endpoint, check) = match rest.split_once('/') {
        Some((endpoint, check)) => (endpoint, Some(check)),
        None => (rest, None),
    };
    let all = checks(endpoint)?;
    let body = match check {
        // `/readyz/` is the endpoint itself, as the mux registers it.
        Some("") | None => root(endpoint, all, query),
        Some(one) if all.contains(&one) => "ok".to_string(),
        Some(_) => return Some(respond::page_not_found()),
    };
    let mut resp = respond::bytes_response(
        StatusCode::OK,
        "text/plain; charset=utf-8",
        Bytes::from(body),
    );
    resp.headers_mut().insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    Some(resp)
}

/// `handleRootHealth`.
fn root(endpoint: &str, all: &[&str], query: Option<&str>) -> String {
    let pairs: Vec<(String, String)> = query
        .map(|q| {
            form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    if !pairs.iter().any(|(k, _)| k == "verbose") {
        return "ok".to_string();
    }
    let mut excluded: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "exclude")
        .map(|(_, v)| v.clone())
        .collect();
    let mut out = String::new();
    for check in all {
        if excluded.iter().any(|e| e == check) {
            excluded.retain(|e| e != check);
            out.push_str(&format!("[+]{check} excluded: ok\n"));
        } else {
            out.push_str(&format!("[+]{check} ok\n"));
        }
    }
    if !excluded.is_empty() {
        excluded.sort();
        excluded.dedup();
        let quoted: Vec<String> = excluded.iter().map(|e| format!("{e:?}")).collect();
        out.push_str(&format!(
            "warn: some health checks cannot be excluded: no matches for {}\n",
            quoted.join(",")
        ));
    }
    out.push_str(&format!("{endpoint} check passed\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbose_lists_the_checks() {
        assert_eq!(root("livez", checks("livez").unwrap(), None), "ok");
        assert_eq!(
            root("livez", checks("livez").unwrap(), Some("verbose")),
            "[+]ping ok\n[+]log ok\n[+]etcd ok\nlivez check passed\n"
        );
        assert_eq!(
            root(
                "readyz",
                checks("readyz").unwrap(),
                Some("verbose&exclude=etcd&exclude=nope")
            ),
            "[+]ping ok\n[+]log ok\n[+]etcd excluded: ok\n[+]etcd-readiness ok\n[+]informer-sync ok\n[+]shutdown ok\nwarn: some health checks cannot be excluded: no matches for \"nope\"\nreadyz check passed\n"
        );
    }
}
