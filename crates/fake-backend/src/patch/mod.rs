//! Patches: JSON Patch and merge patch (the `json-patch` crate), strategic merge
//! ([`strategic`]), and server-side apply with managedFields tracking ([`managed`]).
//!
//! Built-in kinds take their list semantics from a type graph generated from the k8s-openapi
//! sources (`builtin_types.txt`) plus the hand-kept tag tables in `merge_keys.rs`; custom
//! resources take theirs from the CRD schema.

pub(crate) mod compare;
mod fields_v1;
pub mod fieldset;
pub(crate) mod gofmt;
pub(crate) mod json_ops;
pub mod managed;
mod merge_keys;
mod smd_validate;
pub(crate) use smd_validate::validation_errors;
pub mod strategic;
pub(crate) mod typed;
pub(crate) mod typeinfo;
