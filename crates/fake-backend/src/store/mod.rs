//! Object storage with one cluster-wide resourceVersion counter (rule 14), a bounded history
//! of changes for watch resumption (rules 36–37) and consistent list snapshots (rules 12–13).

pub(crate) mod codec;
pub(crate) mod object;
pub(crate) mod view;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use foldhash::HashMap;
use std::sync::Arc;

pub(crate) use object::Stored;
pub(crate) use view::{JsonRead, View};

/// A table key, `"<namespace>/<name>"` (see [`key`]). Kept inline up to 24 bytes (most keys), so the
/// comparisons of a search in a large table or label index read the tree's nodes instead of
/// following a pointer per key.
pub(crate) type Key = compact_str::CompactString;

/// A table of one type: key → object, in the order of the apiserver's storage keys,
/// `<namespace>/<name>` (rule 11): by namespace then name, except that a namespace another
/// one extends with a character below `/` (`a` and `a-b`) sorts after it, as in etcd.
pub(crate) type Table = BTreeMap<Key, Arc<Stored>>;

/// The table key of an object: `<namespace>/<name>` (`/<name>` when cluster-scoped). Names
/// and namespaces never contain `/` (rule 8), so the first `/` splits the key.
pub(crate) fn key(namespace: &str, name: &str) -> String {
    let mut k = String::with_capacity(namespace.len() + name.len() + 1);
    k.push_str(namespace);
    k.push('/');
    k.push_str(name);
    k
}

/// Splits a table key into namespace and name.
pub(crate) fn split_key(key: &str) -> (&str, &str) {
    key.split_once('/').unwrap_or(("", key))
}

/// The first key after every key of `namespace` (`key(namespace, "")` is the first of them):
/// `0` is the character after `/`.
pub(crate) fn namespace_end(namespace: &str) -> String {
    format!("{namespace}0")
}

/// Table keys by label: label key → label value → the keys of the live objects that carry
/// it, in table order (for equality label selectors, rule 42).
pub(crate) type LabelIndex = HashMap<Key, HashMap<Key, BTreeSet<Key>>>;

/// The kind of a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChangeKind {
    /// Created.
    Added,
    /// Updated.
    Modified,
    /// Removed.
    Deleted,
}

/// One committed change.
#[derive(Debug)]
pub(crate) struct Change {
    /// The resourceVersion the change produced.
    pub rv: u64,
    /// The table.
    pub store: Arc<str>,
    /// The key in the table.
    pub key: Key,
    /// What happened.
    pub kind: ChangeKind,
    /// The new state (for a deletion: the last state, at the deletion's version).
    pub object: Arc<Stored>,
    /// The state before the change.
    pub prev: Option<Arc<Stored>>,
}

/// The store: tables, the counter and the history.
#[derive(Clone, Debug)]
pub(crate) struct Store {
    /// The newest resourceVersion handed out.
    pub rv: u64,
    /// Tables by store key (`<group>/<plural>`).
    pub tables: HashMap<Arc<str>, Table>,
    /// Where each uid lives: store key and table key.
    pub uids: HashMap<Box<str>, (Arc<str>, Key)>,
    /// The label index of each table.
    pub labels: HashMap<Arc<str>, LabelIndex>,
    /// Recent changes, oldest first.
    pub history: VecDeque<Arc<Change>>,
    /// How many changes the history keeps.
    pub capacity: usize,
    /// Changes at or below this version have left the history.
    pub compacted: u64,
}

impl Store {
    /// An empty store keeping `capacity` changes.
    pub fn new(capacity: usize) -> Self {
        Self {
            rv: 0,
            tables: HashMap::default(),
            uids: HashMap::default(),
            labels: HashMap::default(),
            history: VecDeque::new(),
            capacity: capacity.max(1),
            compacted: 0,
        }
    }

    /// The table for `store`, if it has ever held an object.
    pub fn table(&self, store: &str) -> Option<&Table> {
        self.tables.get(store)
    }

    /// Reads one object.
    pub fn get(&self, store: &str, key: &str) -> Option<&Arc<Stored>> {
        self.tables.get(store).and_then(|t| t.get(key))
    }

    /// The keys of the live objects of `store` labelled `key=value` (`None`: none are).
    pub fn labelled(&self, store: &str, key: &str, value: &str) -> Option<&BTreeSet<Key>> {
        self.labels.get(store)?.get(key)?.get(value)
    }

    /// Updates the label index of `store` for `key` going from `prev` to `new`.
    fn index_labels(
        &mut self,
        store: &Arc<str>,
        key: &str,
        prev: Option<&Stored>,
        new: Option<&Stored>,
    ) {
        let (old_labels, new_labels) = (
            prev.map_or(&[][..], |p| &p.labels[..]),
            new.map_or(&[][..], |n| &n.labels[..]),
        );
        if old_labels == new_labels {
            return;
        }
        let index = self.labels.entry(store.clone()).or_default();
        for (k, v) in old_labels {
            if new_labels.iter().any(|(nk, nv)| nk == k && nv == v) {
                continue;
            }
            if let Some(values) = index.get_mut(k) {
                if let Some(keys) = values.get_mut(v) {
                    keys.remove(key);
                    if keys.is_empty() {
                        values.remove(v);
                    }
                }
                if values.is_empty() {
                    index.remove(k);
                }
            }
        }
        for (k, v) in new_labels {
            if old_labels.iter().any(|(ok, ov)| ok == k && ov == v) {
                continue;
            }
            // Looked up before inserting: `entry` would take (and allocate) an owned key even
            // for a label already indexed, which is the usual case.
            let values = match index.get_mut(k) {
                Some(values) => values,
                None => index.entry(k.clone()).or_default(),
            };
            let keys = match values.get_mut(v) {
                Some(keys) => keys,
                None => values.entry(v.clone()).or_default(),
            };
            keys.insert(key.into());
        }
    }

    /// The next resourceVersion (not yet committed).
    pub fn next_rv(&self) -> u64 {
        self.rv + 1
    }

    /// Commits a change: `object` is the new state (`None` removes the object). Returns the
    /// change, to be delivered to watchers.
    pub fn commit(&mut self, store: &str, key: &str, object: Option<Stored>) -> Arc<Change> {
        self.rv += 1;
        let rv = self.rv;
        let store_arc: Arc<str> = match self.tables.get_key_value(store) {
            Some((k, _)) => k.clone(),
            None => {
                let k: Arc<str> = store.into();
                self.tables.insert(k.clone(), Table::new());
                k
            }
        };
        let table = self.tables.entry(store_arc.clone()).or_default();
        let (kind, object, prev) = match object {
            Some(new) => {
                let new = Arc::new(new);
                let prev = table.insert(key.into(), new.clone());
                let same_uid = prev.as_ref().is_some_and(|p| p.uid == new.uid);
                if let Some(p) = &prev
                    && !same_uid
                {
                    self.uids.remove(&p.uid);
                }
                // An update of the same object leaves its uid where it was.
                if !new.uid.is_empty() && !same_uid {
                    self.uids
                        .insert(new.uid.clone(), (store_arc.clone(), key.into()));
                }
                let kind = if prev.is_some() {
                    ChangeKind::Modified
                } else {
                    ChangeKind::Added
                };
                (kind, new, prev)
            }
            None => {
                let prev = table.remove(key);
                let last = prev
                    .as_ref()
                    .map(|p| Arc::new(p.at_version(rv)))
                    .unwrap_or_else(|| Arc::new(Stored::new(&serde_json::Value::Null, rv)));
                if let Some(p) = &prev {
                    self.uids.remove(&p.uid);
                }
                (ChangeKind::Deleted, last, prev)
            }
        };
        let (before, after) = match kind {
            ChangeKind::Deleted => (prev.as_deref(), None),
            _ => (prev.as_deref(), Some(&*object)),
        };
        self.index_labels(&store_arc, key, before, after);
        let change = Arc::new(Change {
            rv,
            store: store_arc,
            key: key.into(),
            kind,
            object,
            prev,
        });
        self.history.push_back(change.clone());
        while self.history.len() > self.capacity {
            if let Some(old) = self.history.pop_front() {
                self.compacted = old.rv;
            }
        }
        change
    }

    /// Whether the state at `rv` can still be reconstructed (or watched from).
    pub fn available(&self, rv: u64) -> bool {
        rv >= self.compacted
    }

    /// The changes after `rv`, oldest first (`None` if some have left the history).
    pub fn changes_since(&self, rv: u64) -> Option<impl Iterator<Item = &Arc<Change>>> {
        if !self.available(rv) {
            return None;
        }
        let start = self.history.partition_point(|c| c.rv <= rv);
        Some(self.history.range(start..))
    }

    /// The table `store` as it was at `rv` (rule 12's consistent snapshots): the live table
    /// with the later changes undone. `None` when `rv` has been compacted.
    pub fn table_at(&self, store: &str, rv: u64) -> Option<std::borrow::Cow<'_, Table>> {
        use std::borrow::Cow;
        let empty = Table::new();
        let live = self.tables.get(store);
        let mut later = self
            .changes_since(rv)?
            .filter(|c| &*c.store == store)
            .peekable();
        if later.peek().is_none() {
            return Some(match live {
                Some(t) => Cow::Borrowed(t),
                None => Cow::Owned(empty),
            });
        }
        let later: Vec<_> = later.collect();
        let mut table = live.cloned().unwrap_or_default();
        for change in later.iter().rev() {
            match &change.prev {
                Some(prev) => {
                    table.insert(change.key.clone(), prev.clone());
                }
                None => {
                    table.remove(&change.key);
                }
            }
        }
        Some(Cow::Owned(table))
    }
}
