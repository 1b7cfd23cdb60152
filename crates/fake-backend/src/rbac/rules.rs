//! Whether one PolicyRule allows a request: `pkg/apis/rbac/v1/evaluation_helpers.go`
//! (`RuleAllows` and its `…Matches` helpers), rule for rule.

use k8s_openapi::api::rbac::v1::PolicyRule;

use super::{Attributes, Target};

/// `RuleAllows`: the verb, and for a resource request the group, the resource (with its
/// subresource) and the name; for any other request the path.
pub(crate) fn allows(attributes: &Attributes<'_>, rule: &PolicyRule) -> bool {
    if !verb_matches(rule, attributes.verb) {
        return false;
    }
    match &attributes.target {
        Target::Resource {
            group,
            resource,
            subresource,
            name,
            ..
        } => {
            let combined = if subresource.is_empty() {
                (*resource).to_string()
            } else {
                format!("{resource}/{subresource}")
            };
            api_group_matches(rule, group)
                && resource_matches(rule, &combined, subresource)
                && resource_name_matches(rule, name)
        }
        Target::Path(path) => non_resource_url_matches(rule, path),
    }
}

fn verb_matches(rule: &PolicyRule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v == "*" || v == verb)
}

fn api_group_matches(rule: &PolicyRule, group: &str) -> bool {
    rule.api_groups
        .iter()
        .flatten()
        .any(|g| g == "*" || g == group)
}

/// `ResourceMatches`: `*`, the exact `resource` or `resource/subresource`, or
/// `*/subresource` for a request of that subresource.
fn resource_matches(rule: &PolicyRule, combined: &str, subresource: &str) -> bool {
    rule.resources.iter().flatten().any(|r| {
        r == "*"
            || r == combined
            || (!subresource.is_empty()
                && r.len() == subresource.len() + 2
                && r.starts_with("*/")
                && r.ends_with(subresource))
    })
}

/// `ResourceNameMatches`: a rule without names matches every request; one with names only
/// requests of one of them (so never a list or a create, which have no name).
fn resource_name_matches(rule: &PolicyRule, name: &str) -> bool {
    match &rule.resource_names {
        None => true,
        Some(names) if names.is_empty() => true,
        Some(names) => names.iter().any(|n| n == name),
    }
}

/// `NonResourceURLMatches`: `*`, the exact path, or a prefix ending in `*`.
fn non_resource_url_matches(rule: &PolicyRule, path: &str) -> bool {
    rule.non_resource_urls.iter().flatten().any(|u| {
        u == "*" || u == path || (u.ends_with('*') && path.starts_with(u.trim_end_matches('*')))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(verbs: &[&str], groups: &[&str], resources: &[&str], names: &[&str]) -> PolicyRule {
        let strings = |v: &[&str]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
        PolicyRule {
            verbs: strings(verbs),
            api_groups: Some(strings(groups)),
            resources: Some(strings(resources)),
            resource_names: Some(strings(names)),
            non_resource_urls: None,
        }
    }

    fn request<'a>(
        verb: &'a str,
        resource: &'a str,
        sub: &'a str,
        name: &'a str,
    ) -> Attributes<'a> {
        Attributes {
            verb,
            target: Target::Resource {
                group: "",
                resource,
                subresource: sub,
                namespace: "default",
                name,
            },
        }
    }

    #[test]
    fn subresources_match_by_their_combined_name_or_a_wildcard_resource() {
        let logs = rule(&["get"], &[""], &["pods/log"], &[]);
        assert!(allows(&request("get", "pods", "log", "p"), &logs));
        assert!(!allows(&request("get", "pods", "", "p"), &logs));
        let any_status = rule(&["get"], &[""], &["*/status"], &[]);
        assert!(allows(&request("get", "pods", "status", "p"), &any_status));
        assert!(!allows(&request("get", "pods", "log", "p"), &any_status));
        // `pods` alone does not cover a subresource.
        let pods = rule(&["get"], &[""], &["pods"], &[]);
        assert!(!allows(&request("get", "pods", "log", "p"), &pods));
    }

    #[test]
    fn resource_names_never_match_a_request_without_a_name() {
        let named = rule(&["get", "list"], &[""], &["configmaps"], &["a"]);
        assert!(allows(&request("get", "configmaps", "", "a"), &named));
        assert!(!allows(&request("get", "configmaps", "", "b"), &named));
        assert!(!allows(&request("list", "configmaps", "", ""), &named));
    }

    #[test]
    fn paths_match_exactly_or_by_a_star_prefix() {
        let r = PolicyRule {
            verbs: vec!["get".into()],
            non_resource_urls: Some(vec!["/healthz".into(), "/api/*".into()]),
            ..Default::default()
        };
        let path = |p| Attributes {
            verb: "get",
            target: Target::Path(p),
        };
        assert!(allows(&path("/healthz"), &r));
        assert!(!allows(&path("/healthz/ready"), &r));
        assert!(allows(&path("/api/v1"), &r));
        assert!(allows(&path("/api/"), &r));
        assert!(!allows(&path("/api"), &r));
        // A resource request never matches a rule of paths alone.
        assert!(!allows(&request("get", "pods", "", "p"), &r));
    }
}
