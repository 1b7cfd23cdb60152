//! The compact encoding of stored objects (compact JSON text, about 1× its size in memory)
//! and a direct decoder into [`DynamicObject`] that reads `metadata` straight into
//! `ObjectMeta` instead of going through a JSON tree and serde's slow `flatten`.

use std::fmt;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube_core::{DynamicObject, TypeMeta};
use serde::Deserialize;
use serde::de::{MapAccess, Visitor};
use serde_json::{Map, Value};

/// Encodes an object.
pub(crate) fn encode(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// Decodes an object encoded by [`encode`].
pub(crate) fn decode(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}

/// A stored object decoded straight into a [`DynamicObject`].
struct Doc(DynamicObject);

impl<'de> Deserialize<'de> for Doc {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Doc;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a Kubernetes object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Doc, A::Error> {
                let mut metadata = ObjectMeta::default();
                let mut api_version = None;
                let mut kind = None;
                let mut data = Map::new();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "metadata" => metadata = map.next_value()?,
                        "apiVersion" => api_version = Some(map.next_value::<String>()?),
                        "kind" => kind = Some(map.next_value::<String>()?),
                        _ => {
                            let v: Value = map.next_value()?;
                            data.insert(key, v);
                        }
                    }
                }
                let types = match (api_version, kind) {
                    (None, None) => None,
                    (a, k) => Some(TypeMeta {
                        api_version: a.unwrap_or_default(),
                        kind: k.unwrap_or_default(),
                    }),
                };
                Ok(Doc(DynamicObject {
                    types,
                    metadata,
                    data: Value::Object(data),
                }))
            }
        }
        d.deserialize_map(V)
    }
}

/// Decodes an object straight into a [`DynamicObject`].
pub(crate) fn decode_dynamic(bytes: &[u8]) -> Result<DynamicObject, serde_json::Error> {
    serde_json::from_slice::<Doc>(bytes).map(|d| d.0)
}
