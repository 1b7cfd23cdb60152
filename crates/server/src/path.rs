//! Request paths of the Kubernetes REST API: the core group under `/api/v1`, named groups
//! under `/apis/<group>/<version>`, namespaced and cluster-scoped resources, subresources,
//! and the deprecated `/watch/` prefix (the API server's `RequestInfoFactory`).

/// What a path under `/api` or `/apis` addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ApiPath<'a> {
    /// `/api`: the core group's versions.
    CoreVersions,
    /// `/apis`: every named group.
    Groups,
    /// `/apis/<group>`: one named group.
    Group(&'a str),
    /// `/api/v1` or `/apis/<group>/<version>`: the resources of a group version.
    Resources {
        /// The group (`""` for the core group).
        group: &'a str,
        /// The version.
        version: &'a str,
    },
    /// A resource, a collection or a subresource.
    Resource(ResourcePath<'a>),
}

/// A path addressing a resource collection, one object, or a subresource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ResourcePath<'a> {
    /// The group (`""` for the core group).
    pub group: &'a str,
    /// The version.
    pub version: &'a str,
    /// The namespace of a namespaced path.
    pub namespace: Option<&'a str>,
    /// The resource (plural).
    pub plural: &'a str,
    /// The object's name, if the path names one.
    pub name: Option<&'a str>,
    /// The subresource (`status`, `scale`, …).
    pub subresource: Option<&'a str>,
    /// The path had the deprecated `/watch/` prefix.
    pub watch_prefix: bool,
}

/// Parses a request path. `None` for paths the API server does not route (plain 404).
pub(crate) fn parse(path: &str) -> Option<ApiPath<'_>> {
    let rest = path.strip_prefix('/')?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let mut parts = rest.split('/');
    let (group, version) = match parts.next()? {
        "api" => match parts.next() {
            None => return Some(ApiPath::CoreVersions),
            Some(version) => ("", version),
        },
        "apis" => match (parts.next(), parts.next()) {
            (None, _) => return Some(ApiPath::Groups),
            (Some(group), None) => return non_empty(group).map(ApiPath::Group),
            (Some(group), Some(version)) => (non_empty(group)?, version),
        },
        _ => return None,
    };
    non_empty(version)?;
    let mut segments: Vec<&str> = parts.collect();
    if segments.is_empty() {
        return Some(ApiPath::Resources { group, version });
    }
    if segments.iter().any(|s| s.is_empty()) {
        return None;
    }
    let watch_prefix = segments.first() == Some(&"watch");
    if watch_prefix {
        segments.remove(0);
    }
    let core = group.is_empty();
    // `namespaces/<ns>/<resource>...` is a namespaced path, except the namespace object's own
    // subresources in the core group (`namespaces/<name>/status`, `/finalize`).
    let (namespace, rest) = match segments.as_slice() {
        ["namespaces", _ns, sub] if core && matches!(*sub, "status" | "finalize") => {
            (None, &segments[..])
        }
        ["namespaces", ns, _, ..] => (Some(*ns), &segments[2..]),
        _ => (None, &segments[..]),
    };
    let (plural, name, subresource) = match rest {
        [plural] => (*plural, None, None),
        [plural, name] => (*plural, Some(*name), None),
        [plural, name, sub] => (*plural, Some(*name), Some(*sub)),
        _ => return None,
    };
    Some(ApiPath::Resource(ResourcePath {
        group,
        version,
        namespace,
        plural,
        name,
        subresource,
        watch_prefix,
    }))
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(path: &str) -> ResourcePath<'_> {
        match parse(path) {
            Some(ApiPath::Resource(r)) => r,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn discovery_paths() {
        assert_eq!(parse("/api"), Some(ApiPath::CoreVersions));
        assert_eq!(parse("/api/"), Some(ApiPath::CoreVersions));
        assert_eq!(parse("/apis"), Some(ApiPath::Groups));
        assert_eq!(parse("/apis/apps"), Some(ApiPath::Group("apps")));
        assert_eq!(
            parse("/api/v1"),
            Some(ApiPath::Resources {
                group: "",
                version: "v1"
            })
        );
        assert_eq!(
            parse("/apis/example.com/v1"),
            Some(ApiPath::Resources {
                group: "example.com",
                version: "v1"
            })
        );
        assert_eq!(parse("/version"), None);
        assert_eq!(parse("/apis//v1"), None);
        assert_eq!(parse("/api/v1/namespaces//configmaps"), None);
    }

    #[test]
    fn namespaced_and_cluster_paths() {
        let r = res("/apis/g.io/v1/namespaces/ns/widgets/w1/status");
        assert_eq!(
            (
                r.group,
                r.version,
                r.namespace,
                r.plural,
                r.name,
                r.subresource
            ),
            (
                "g.io",
                "v1",
                Some("ns"),
                "widgets",
                Some("w1"),
                Some("status")
            )
        );
        let r = res("/apis/g.io/v1/widgets");
        assert_eq!((r.namespace, r.plural, r.name), (None, "widgets", None));
        let r = res("/apis/g.io/v1/realms/r1");
        assert_eq!(
            (r.namespace, r.plural, r.name),
            (None, "realms", Some("r1"))
        );
        let r = res("/api/v1/namespaces/ns/configmaps");
        assert_eq!(
            (r.namespace, r.plural, r.name),
            (Some("ns"), "configmaps", None)
        );
    }

    #[test]
    fn namespace_objects_and_their_subresources() {
        let r = res("/api/v1/namespaces");
        assert_eq!((r.namespace, r.plural, r.name), (None, "namespaces", None));
        let r = res("/api/v1/namespaces/team");
        assert_eq!(
            (r.namespace, r.plural, r.name),
            (None, "namespaces", Some("team"))
        );
        let r = res("/api/v1/namespaces/team/status");
        assert_eq!(
            (r.namespace, r.plural, r.name, r.subresource),
            (None, "namespaces", Some("team"), Some("status"))
        );
        let r = res("/api/v1/namespaces/team/finalize");
        assert_eq!(r.subresource, Some("finalize"));
        // In a named group `status` is a resource name like any other.
        let r = res("/apis/g.io/v1/namespaces/team/status");
        assert_eq!((r.namespace, r.plural), (Some("team"), "status"));
    }

    #[test]
    fn watch_prefix_and_too_deep_paths() {
        let r = res("/apis/g.io/v1/watch/namespaces/ns/widgets/w1");
        assert!(r.watch_prefix);
        assert_eq!(
            (r.namespace, r.plural, r.name),
            (Some("ns"), "widgets", Some("w1"))
        );
        assert_eq!(
            parse("/apis/g.io/v1/namespaces/ns/widgets/w1/status/extra"),
            None
        );
        assert_eq!(parse("/apis/g.io/v1/widgets/w1/status/extra"), None);
        assert_eq!(parse("/other/v1"), None);
    }
}
