//! Strategic merge patch for built-in kinds.
//!
//! PLACEHOLDER INTERFACE — owned by the patch work; bodies are replaced there.

use kobj_core::{Error, Result};
use serde_json::Value;

/// Applies a strategic merge patch to `original`, an object of the built-in kind
/// `group`/`kind`, using the kind's list merge keys and patch directives.
///
/// # Errors
/// BadRequest for a malformed patch, Invalid for bad directives.
pub fn strategic_merge(group: &str, kind: &str, original: &Value, patch: &Value) -> Result<Value> {
    let _ = (group, kind, original, patch);
    Err(Error::bad_request(
        "strategic merge patch is not implemented yet",
    ))
}
