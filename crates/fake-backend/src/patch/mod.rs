//! Patches: JSON Patch and merge patch (the `json-patch` crate), strategic merge, and
//! server-side apply.

pub mod managed;
pub mod strategic;
