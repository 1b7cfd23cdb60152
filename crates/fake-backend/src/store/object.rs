//! One stored object version: a compact encoding of the object plus the few fields the
//! engine reads without decoding it (labels for selectors, uid and owners for garbage
//! collection).

use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Map, Value};

use super::codec;

/// An immutable stored object version. Shared (`Arc`) between the live table, the history
/// and watch channels.
#[derive(Debug)]
pub(crate) struct Stored {
    /// The object's resourceVersion (decoding always writes it into the object).
    pub rv: u64,
    /// `metadata.uid`.
    pub uid: Box<str>,
    /// `metadata.labels`, sorted by key (inline strings: most labels fit, so no allocation).
    pub labels: Box<[(super::Key, super::Key)]>,
    /// The uids in `metadata.ownerReferences`.
    pub owners: Box<[Box<str>]>,
    /// Whether `metadata.deletionTimestamp` is set.
    pub deleting: bool,
    /// The encoded object.
    body: Box<[u8]>,
    /// The decoded form while the object is hot (see [`crate::cluster::Inner::render`]).
    hot: Mutex<Hot>,
}

/// How recently a stored object was read.
#[derive(Debug, Default)]
enum Hot {
    /// Not read since stored (or since it left the hot list).
    #[default]
    Cold,
    /// Read once: the next read keeps the decoded form.
    Seen,
    /// Read repeatedly: the decoded form, cloned by reads.
    Decoded(Arc<kube_core::DynamicObject>),
}

impl Stored {
    /// Encodes `object` (its resourceVersion is replaced by `rv` when decoded).
    pub fn new(object: &Value, rv: u64) -> Self {
        let meta = object.get("metadata").and_then(Value::as_object);
        let text = |k: &str| {
            meta.and_then(|m| m.get(k))
                .and_then(Value::as_str)
                .unwrap_or_default()
        };
        let labels = meta
            .and_then(|m| m.get("labels"))
            .and_then(Value::as_object)
            .map(|l| {
                l.iter()
                    .map(|(k, v)| (k.as_str().into(), v.as_str().unwrap_or_default().into()))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let owners = meta
            .and_then(|m| m.get("ownerReferences"))
            .and_then(Value::as_array)
            .map(|refs| {
                refs.iter()
                    .filter_map(|r| r.get("uid").and_then(Value::as_str))
                    .map(Into::into)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        Self {
            rv,
            uid: text("uid").into(),
            labels: labels.into_boxed_slice(),
            owners: owners.into_boxed_slice(),
            deleting: meta
                .is_some_and(|m| m.get("deletionTimestamp").is_some_and(|t| !t.is_null())),
            body: codec::encode(object),
            hot: Mutex::default(),
        }
    }

    /// The same object at another resourceVersion (a DELETED event carries the deletion's
    /// version, rule 35).
    pub fn at_version(&self, rv: u64) -> Self {
        Self {
            rv,
            uid: self.uid.clone(),
            labels: self.labels.clone(),
            owners: self.owners.clone(),
            deleting: self.deleting,
            body: self.body.clone(),
            hot: Mutex::default(),
        }
    }

    /// The encoding, read in place. It holds the resourceVersion the object was committed
    /// with, which is [`rv`](Self::rv) for the live version (see `verbs::old`).
    pub fn view(&self) -> super::View<'_> {
        super::View::new(&self.body)
    }

    /// The object as JSON, with `metadata.resourceVersion` set.
    pub fn value(&self) -> Value {
        let mut value = codec::decode(&self.body);
        set_rv(&mut value, self.rv);
        value
    }

    /// The object as a [`DynamicObject`](kube_core::DynamicObject), with its
    /// resourceVersion, decoded without an intermediate JSON tree.
    pub fn dynamic(&self) -> Result<kube_core::DynamicObject, codec::CodecError> {
        let mut obj = codec::decode_dynamic(&self.body)?;
        obj.metadata.resource_version = Some(self.rv.to_string());
        Ok(obj)
    }

    /// The decoded form if the object is hot; otherwise `None`, and whether the caller
    /// should keep what it decodes (a second read in a row).
    pub fn decoded(&self) -> (Option<Arc<kube_core::DynamicObject>>, bool) {
        let mut hot = self.hot.lock().unwrap_or_else(PoisonError::into_inner);
        match &*hot {
            Hot::Decoded(d) => (Some(d.clone()), false),
            Hot::Seen => (None, true),
            Hot::Cold => {
                *hot = Hot::Seen;
                (None, false)
            }
        }
    }

    /// Keeps the decoded form (after [`decoded`](Self::decoded) asked for it).
    pub fn keep(&self, decoded: Arc<kube_core::DynamicObject>) {
        *self.hot.lock().unwrap_or_else(PoisonError::into_inner) = Hot::Decoded(decoded);
    }

    /// Drops the decoded form.
    pub fn cool(&self) {
        *self.hot.lock().unwrap_or_else(PoisonError::into_inner) = Hot::Cold;
    }

    /// A label's value.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .binary_search_by(|(k, _)| (**k).cmp(key))
            .ok()
            .map(|i| &*self.labels[i].1)
    }
}

/// Writes `metadata.resourceVersion`.
pub(crate) fn set_rv(value: &mut Value, rv: u64) {
    if let Some(obj) = value.as_object_mut() {
        let rv = Value::String(rv.to_string());
        match obj.get_mut("metadata") {
            Some(Value::Object(meta)) => crate::meta::set_member(meta, "resourceVersion", rv),
            Some(_) => {}
            None => {
                let meta = Map::from_iter([("resourceVersion".to_string(), rv)]);
                obj.insert("metadata".into(), Value::Object(meta));
            }
        }
    }
}
