//! Kubernetes version names and their priority.

use std::cmp::Ordering;

/// Kubernetes version priority (apimachinery's `CompareKubeAwareVersionStrings`):
/// `Ordering::Greater` when `a` is preferred over `b`. GA before beta before alpha, higher
/// numbers first, and versions of another form after those, alphabetically.
///
/// ```
/// use std::cmp::Ordering;
/// use kobj_fake::registry::compare_versions;
/// assert_eq!(compare_versions("v1", "v1beta1"), Ordering::Greater);
/// assert_eq!(compare_versions("v2alpha1", "v1beta1"), Ordering::Less);
/// assert_eq!(compare_versions("foo", "v1alpha1"), Ordering::Less);
/// ```
#[must_use]
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    match (parse_version(a), parse_version(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        (None, None) => b.cmp(a),
    }
}

/// `v<major>[(alpha|beta)<minor>]` as (stability, major, minor).
fn parse_version(v: &str) -> Option<(u8, u64, u64)> {
    let rest = v.strip_prefix('v')?;
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let major: u64 = rest[..digits].parse().ok()?;
    if major == 0 {
        return None;
    }
    let tail = &rest[digits..];
    if tail.is_empty() {
        return Some((3, major, 0));
    }
    let (stability, num) = if let Some(n) = tail.strip_prefix("beta") {
        (2, n)
    } else if let Some(n) = tail.strip_prefix("alpha") {
        (1, n)
    } else {
        return None;
    };
    let minor: u64 = num.parse().ok()?;
    Some((stability, major, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_and_forms() {
        assert_eq!(compare_versions("v1", "v1beta1"), Ordering::Greater);
        assert_eq!(compare_versions("v1beta2", "v1beta1"), Ordering::Greater);
        assert_eq!(compare_versions("v10", "v2"), Ordering::Greater);
        assert_eq!(compare_versions("bar", "foo"), Ordering::Greater);
        assert_eq!(parse_version("v0"), None);
        assert_eq!(parse_version("v1gamma1"), None);
    }
}
