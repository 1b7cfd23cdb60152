//! The compact encoding of stored objects (memory ≤ 2.5× compact JSON): compact JSON text.

use serde_json::Value;

/// Encodes an object.
pub(crate) fn encode(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// Decodes an object encoded by [`encode`].
pub(crate) fn decode(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}
