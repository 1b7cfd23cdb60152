//! Argument checks made before anything goes on the wire.
//!
//! Two kinds of check live here:
//!
//! - **Path segments.** A name or namespace becomes a URL path segment. Like client-go's
//!   `Request.Name` / `Request.Namespace` (apimachinery `IsValidPathSegmentName`), a segment may
//!   not be `.` or `..` and may not contain `/` or `%`; those are refused with client-go's text
//!   (`invalid resource name "a/b": [may not contain '/']`) as a 400 BadRequest. Other
//!   characters that are not allowed in a path (a space, `?`, `#`, non-ASCII) are
//!   percent-encoded as Go's `url.URL` does, so they can never change the request's meaning
//!   (kube-rs itself pastes names into the path unescaped).
//! - **Parameters kube-rs refuses client-side.** kube-rs rejects some parameter combinations
//!   while building the request; the API server rejects the same combinations with a 422.
//!   These are checked here first and answered with the server's own 422, so the error is the
//!   one the fake and a real server give: `ListOptions.meta.k8s.io "" is invalid: …`,
//!   `PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for
//!   non-apply patch`, and the 128-byte `fieldManager` limit.

use std::borrow::Cow;
use std::fmt::Write as _;

use kobj_core::{Error, FieldError, FieldErrorType, PatchValue, Result};
use kube_core::params::{ListParams, Patch, PatchParams, PostParams, VersionMatch};

/// apimachinery `FieldManagerMaxLength`.
const FIELD_MANAGER_MAX_LENGTH: usize = 128;

/// client-go's check of a path segment (`IsValidPathSegmentName`); `what` is `resource name` or
/// `namespace`.
pub(crate) fn check_segment(what: &str, value: &str) -> Result<()> {
    // Fast path: every valid Kubernetes name is path-safe (no `/`, no `%`).
    if value.bytes().all(is_path_safe) && value != "." && value != ".." {
        return Ok(());
    }
    let mut problems: Vec<&str> = Vec::new();
    if value == "." || value == ".." {
        problems.push(if value == "." {
            "may not be '.'"
        } else {
            "may not be '..'"
        });
    } else {
        if value.contains('/') {
            problems.push("may not contain '/'");
        }
        if value.contains('%') {
            problems.push("may not contain '%'");
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::bad_request(format!(
            "invalid {what} {value:?}: [{}]",
            problems.join(" ")
        )))
    }
}

/// Percent-encodes what Go's `url.URL` escapes in a path segment; borrows when nothing needs it
/// (every valid Kubernetes name).
pub(crate) fn escape_segment(value: &str) -> Cow<'_, str> {
    if value.bytes().all(is_path_safe) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() * 3);
    for byte in value.bytes() {
        if is_path_safe(byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    Cow::Owned(out)
}

/// Go `shouldEscape(c, encodePath)` is false for these.
#[inline]
fn is_path_safe(byte: u8) -> bool {
    PATH_SAFE[usize::from(byte)]
}

/// [`is_path_safe`] as a table: ASCII letters and digits, and `-_.~$&+,:;=@`.
const PATH_SAFE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'-' | b'_' | b'.' | b'~' | b'$' | b'&' | b'+' | b',' | b':' | b';' | b'=' | b'@'
            );
        b += 1;
    }
    table
};

/// The list-option combinations kube-rs refuses or silently rewrites client-side, answered as
/// the server answers them: a 422 from `ValidateListOptions` (a `resourceVersionMatch` without
/// `resourceVersion`, with `continue`, or `Exact` at `"0"`), then the storage layer's 400 for a
/// `resourceVersion` other than `"0"` with `continue` (kube-rs drops both `resourceVersion` and
/// `resourceVersionMatch` from the query when a continue token is set, so the server would
/// never see them).
pub(crate) fn check_list_params(params: &ListParams) -> Result<()> {
    let rv = params.resource_version.as_deref();
    let mut errors = Vec::new();
    if let Some(matching) = &params.version_match {
        if rv.is_none() {
            errors.push(FieldError::forbidden(
                "resourceVersionMatch",
                "resourceVersionMatch is forbidden unless resourceVersion is provided",
            ));
        }
        if params.continue_token.is_some() {
            errors.push(FieldError::forbidden(
                "resourceVersionMatch",
                "resourceVersionMatch is forbidden when continue is provided",
            ));
        }
        if matches!(matching, VersionMatch::Exact) && rv == Some("0") {
            errors.push(FieldError::forbidden(
                "resourceVersionMatch",
                "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"",
            ));
        }
    }
    options_error("ListOptions", errors)?;
    if params.continue_token.is_some() && rv.is_some_and(|v| !v.is_empty() && v != "0") {
        return Err(Error::bad_request(
            "specifying resource version is not allowed when using continue",
        ));
    }
    Ok(())
}

/// The create/update-option rule kube-rs enforces client-side (the field manager's length).
pub(crate) fn check_post_params(params: &PostParams, options_kind: &str) -> Result<()> {
    let mut errors = Vec::new();
    field_manager_length(params.field_manager.as_deref(), &mut errors);
    options_error(options_kind, errors)
}

/// The patch-option rules kube-rs enforces client-side: `force` only with apply, and the
/// field manager's length.
pub(crate) fn check_patch_params(params: &PatchParams, patch: &PatchValue) -> Result<()> {
    let mut errors = Vec::new();
    if params.force && !matches!(patch, Patch::Apply(_)) {
        errors.push(FieldError::forbidden(
            "force",
            "may not be specified for non-apply patch",
        ));
    }
    field_manager_length(params.field_manager.as_deref(), &mut errors);
    options_error("PatchOptions", errors)
}

fn field_manager_length(manager: Option<&str>, errors: &mut Vec<FieldError>) {
    if manager.is_some_and(|m| m.len() > FIELD_MANAGER_MAX_LENGTH) {
        errors.push(FieldError::new(
            FieldErrorType::TooLong,
            "fieldManager",
            None,
            format!("may not be more than {FIELD_MANAGER_MAX_LENGTH} bytes"),
        ));
    }
}

fn options_error(kind: &str, errors: Vec<FieldError>) -> Result<()> {
    if errors.is_empty() {
        return Ok(());
    }
    Err(Error::invalid_kind(
        &format!("{kind}.meta.k8s.io"),
        kind,
        "meta.k8s.io",
        "",
        &errors,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_like_client_go() {
        assert!(check_segment("resource name", "web-1.example").is_ok());
        let err = check_segment("resource name", "a/b").unwrap_err();
        assert!(err.is_bad_request());
        assert_eq!(
            err.status().map(|s| s.message.as_str()),
            Some("invalid resource name \"a/b\": [may not contain '/']")
        );
        let err = check_segment("namespace", "..").unwrap_err();
        assert_eq!(
            err.status().map(|s| s.message.as_str()),
            Some("invalid namespace \"..\": [may not be '..']")
        );
        let err = check_segment("resource name", "a/%b").unwrap_err();
        assert!(
            err.to_string()
                .contains("[may not contain '/' may not contain '%']")
        );
    }

    #[test]
    fn escaping_borrows_valid_names_and_encodes_the_rest() {
        assert!(matches!(escape_segment("web-1.example"), Cow::Borrowed(_)));
        assert_eq!(escape_segment("a b?c#d"), "a%20b%3Fc%23d");
        assert_eq!(escape_segment("ä"), "%C3%A4");
    }

    #[test]
    fn list_params_rules_are_the_servers_422() {
        assert!(check_list_params(&ListParams::default()).is_ok());
        let lp = ListParams {
            version_match: Some(VersionMatch::NotOlderThan),
            ..Default::default()
        };
        let err = check_list_params(&lp).unwrap_err();
        assert!(err.is_invalid());
        assert_eq!(
            err.status().map(|s| s.message.as_str()),
            Some(
                "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: \
                 resourceVersionMatch is forbidden unless resourceVersion is provided"
            )
        );
        let lp = ListParams::default().matching(VersionMatch::Exact).at("0");
        let err = check_list_params(&lp).unwrap_err();
        assert!(err.to_string().contains(
            "resourceVersionMatch: Forbidden: resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\""
        ));
        let lp = ListParams::default().matching(VersionMatch::Exact).at("12");
        assert!(check_list_params(&lp).is_ok());

        // kube-rs would drop resourceVersion(Match) next to a continue token.
        let lp = ListParams::default()
            .continue_token("t")
            .at("12")
            .matching(VersionMatch::NotOlderThan);
        let err = check_list_params(&lp).unwrap_err();
        assert!(err.is_invalid());
        assert!(err.to_string().ends_with(
            "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided"
        ));
        let lp = ListParams::default().continue_token("t").at("12");
        let err = check_list_params(&lp).unwrap_err();
        assert!(err.is_bad_request());
        assert_eq!(
            err.status().map(|s| s.message.as_str()),
            Some("specifying resource version is not allowed when using continue")
        );
        assert!(check_list_params(&ListParams::default().continue_token("t").at("0")).is_ok());
        assert!(check_list_params(&ListParams::default().continue_token("t")).is_ok());
        // Both match errors at once, in the server's order.
        let lp = ListParams {
            version_match: Some(VersionMatch::Exact),
            continue_token: Some("t".into()),
            ..Default::default()
        };
        assert!(check_list_params(&lp).unwrap_err().to_string().contains(
            "[resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless \
             resourceVersion is provided, resourceVersionMatch: Forbidden: resourceVersionMatch \
             is forbidden when continue is provided]"
        ));
    }

    #[test]
    fn patch_params_rules_are_the_servers_422() {
        let merge: PatchValue = Patch::Merge(serde_json::json!({}));
        let apply: PatchValue = Patch::Apply(serde_json::json!({}));
        let forced = PatchParams::apply("me").force();
        assert!(check_patch_params(&forced, &apply).is_ok());
        let err = check_patch_params(&forced, &merge).unwrap_err();
        assert!(err.is_invalid());
        assert_eq!(
            err.status().map(|s| s.message.as_str()),
            Some(
                "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be \
                 specified for non-apply patch"
            )
        );
        let long = PatchParams::apply(&"m".repeat(129));
        let err = check_patch_params(&long, &apply).unwrap_err();
        assert_eq!(
            err.status().map(|s| s.message.as_str()),
            Some(
                "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Too long: may not be \
                 more than 128 bytes"
            )
        );
        let pp = PostParams {
            field_manager: Some("m".repeat(129)),
            ..Default::default()
        };
        let err = check_post_params(&pp, "CreateOptions").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("Invalid (422): CreateOptions.meta.k8s.io")
        );
        assert!(check_post_params(&PostParams::default(), "UpdateOptions").is_ok());
    }
}
