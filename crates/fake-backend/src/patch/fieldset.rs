//! Sets of field paths and their `FieldsV1` encoding (kubernetes-sigs/structured-merge-diff
//! `fieldpath`): `f:<field>`, `k:<key fields as JSON>`, `v:<value as JSON>`, `i:<index>`, with
//! `.` marking a node that is itself a member and also has children.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};

use crate::store::JsonRead;

/// One step of a field path.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathElement {
    /// A field of a map or struct (`f:name`).
    Field(String),
    /// An item of an associative list, by its key fields as a JSON object (`k:{"name":"x"}`).
    Key(String),
    /// An item of a set, by its value as JSON (`v:"x"`).
    Value(String),
    /// An item of an atomic list by index (`i:0`); only appears in decoded input.
    Index(usize),
}

impl PathElement {
    /// The `FieldsV1` key for this element.
    #[must_use]
    pub fn encode(&self) -> String {
        let prefixed = |prefix: &str, rest: &str| {
            let mut s = String::with_capacity(prefix.len() + rest.len());
            s.push_str(prefix);
            s.push_str(rest);
            s
        };
        match self {
            PathElement::Field(f) => prefixed("f:", f),
            PathElement::Key(k) => prefixed("k:", k),
            PathElement::Value(v) => prefixed("v:", v),
            PathElement::Index(i) => format!("i:{i}"),
        }
    }

    /// Parses a `FieldsV1` key; `None` for an unknown prefix (ignored, as the server does).
    #[must_use]
    pub fn decode(s: &str) -> Option<Self> {
        let (prefix, rest) = s.split_at_checked(2)?;
        match prefix {
            "f:" => Some(PathElement::Field(rest.to_string())),
            "k:" => {
                let v: Value = serde_json::from_str(rest).ok()?;
                v.is_object().then(|| PathElement::Key(v.to_string()))
            }
            "v:" => {
                let v: Value = serde_json::from_str(rest).ok()?;
                Some(PathElement::Value(v.to_string()))
            }
            "i:" => rest.parse().ok().map(PathElement::Index),
            _ => None,
        }
    }

    /// A key element from the key fields of a list item.
    #[must_use]
    pub fn key(fields: &Map<String, Value>) -> Self {
        PathElement::Key(Value::Object(fields.clone()).to_string())
    }
}

impl fmt::Display for PathElement {
    /// As the server prints paths in conflicts: `.name`, `[k="v",k2=1]`, `[="v"]`, `[0]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathElement::Field(name) => write!(f, ".{name}"),
            PathElement::Key(json) => {
                let fields: Map<String, Value> = serde_json::from_str(json).unwrap_or_default();
                let parts: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
                write!(f, "[{}]", parts.join(","))
            }
            PathElement::Value(json) => write!(f, "[={json}]"),
            PathElement::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// A path from the object's root.
pub type Path = Vec<PathElement>;

/// Renders a path as the server does (`.spec.containers[name="a"].image`).
#[must_use]
pub fn path_string(path: &[PathElement]) -> String {
    path.iter().map(ToString::to_string).collect()
}

/// A node of a [`FieldSet`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Node {
    member: bool,
    children: FieldSet,
}

/// A set of field paths, stored as a tree.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSet {
    nodes: BTreeMap<PathElement, Node>,
}

impl FieldSet {
    /// An empty set.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the set has no paths.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Adds a path.
    pub fn insert(&mut self, path: &[PathElement]) {
        let Some((first, rest)) = path.split_first() else {
            return;
        };
        let node = match self.nodes.get_mut(first) {
            Some(node) => node,
            None => self.nodes.entry(first.clone()).or_default(),
        };
        if rest.is_empty() {
            node.member = true;
        } else {
            node.children.insert(rest);
        }
    }

    /// Whether `path` is a member.
    #[must_use]
    pub fn has(&self, path: &[PathElement]) -> bool {
        match path.split_first() {
            None => false,
            Some((first, rest)) => self.nodes.get(first).is_some_and(|n| {
                if rest.is_empty() {
                    n.member
                } else {
                    n.children.has(rest)
                }
            }),
        }
    }

    /// The subset below `pe` (paths relative to it).
    #[must_use]
    pub fn child(&self, pe: &PathElement) -> Option<&FieldSet> {
        self.nodes.get(pe).map(|n| &n.children)
    }

    /// Whether `pe` is a member at this level.
    #[must_use]
    pub fn has_member(&self, pe: &PathElement) -> bool {
        self.nodes.get(pe).is_some_and(|n| n.member)
    }

    /// The union of two sets.
    pub fn union_with(&mut self, other: &FieldSet) {
        for (pe, theirs) in &other.nodes {
            match self.nodes.get_mut(pe) {
                Some(mine) => {
                    mine.member |= theirs.member;
                    mine.children.union_with(&theirs.children);
                }
                None => {
                    self.nodes.insert(pe.clone(), theirs.clone());
                }
            }
        }
    }

    /// The paths of `self` that are not members of `other` (not recursive for members: a member
    /// of `other` removes only that path, not what is below it).
    #[must_use]
    pub fn difference(&self, other: &FieldSet) -> FieldSet {
        let mut out = FieldSet::new();
        for (pe, mine) in &self.nodes {
            let (member, children) = match other.nodes.get(pe) {
                None => (mine.member, mine.children.clone()),
                Some(theirs) => (
                    mine.member && !theirs.member,
                    mine.children.difference(&theirs.children),
                ),
            };
            if member || !children.is_empty() {
                out.nodes.insert(pe.clone(), Node { member, children });
            }
        }
        out
    }

    /// The paths in both sets.
    #[must_use]
    pub fn intersection(&self, other: &FieldSet) -> FieldSet {
        let mut out = FieldSet::new();
        for (pe, mine) in &self.nodes {
            if let Some(theirs) = other.nodes.get(pe) {
                let member = mine.member && theirs.member;
                let children = mine.children.intersection(&theirs.children);
                if member || !children.is_empty() {
                    out.nodes.insert(pe.clone(), Node { member, children });
                }
            }
        }
        out
    }

    /// Every member path, in order.
    #[must_use]
    pub fn paths(&self) -> Vec<Path> {
        let mut out = Vec::new();
        self.collect(&mut Vec::new(), &mut out);
        out
    }

    fn collect(&self, prefix: &mut Path, out: &mut Vec<Path>) {
        for (pe, node) in &self.nodes {
            prefix.push(pe.clone());
            if node.member {
                out.push(prefix.clone());
            }
            node.children.collect(prefix, out);
            prefix.pop();
        }
    }

    /// Removes exact member paths (stripmeta's `Difference` with a fixed set).
    pub fn remove_members(&mut self, paths: &[&[PathElement]]) {
        for path in paths {
            self.remove_member(path);
        }
    }

    fn remove_member(&mut self, path: &[PathElement]) {
        let Some((first, rest)) = path.split_first() else {
            return;
        };
        let Some(node) = self.nodes.get_mut(first) else {
            return;
        };
        if rest.is_empty() {
            node.member = false;
        } else {
            node.children.remove_member(rest);
        }
        if !node.member && node.children.is_empty() {
            self.nodes.remove(first);
        }
    }

    /// Removes `pe` and everything below it at this level.
    pub(crate) fn remove_subtree(&mut self, pe: &PathElement) {
        self.nodes.remove(pe);
    }

    /// Makes `pe` a member at this level (for `EnsureNamedFieldsAreMembers`).
    pub(crate) fn set_member(&mut self, pe: &PathElement) {
        if let Some(n) = self.nodes.get_mut(pe) {
            n.member = true;
        }
    }

    /// The member flag and children of `pe` at this level, adding an empty node if needed
    /// (remove it with [`prune_empty`](Self::prune_empty) if nothing goes into it).
    /// (`None` never happens: the node is added first). The element is cloned only when added.
    pub(crate) fn node_mut(&mut self, pe: &PathElement) -> Option<(&mut bool, &mut FieldSet)> {
        if !self.nodes.contains_key(pe) {
            self.nodes.insert(pe.clone(), Node::default());
        }
        self.nodes
            .get_mut(pe)
            .map(|node| (&mut node.member, &mut node.children))
    }

    /// Removes `pe` at this level when it is neither a member nor has children.
    pub(crate) fn prune_empty(&mut self, pe: &PathElement) {
        if self
            .nodes
            .get(pe)
            .is_some_and(|n| !n.member && n.children.is_empty())
        {
            self.nodes.remove(pe);
        }
    }

    /// Mutable access to the children below `pe`.
    pub(crate) fn children_mut(&mut self) -> impl Iterator<Item = (&PathElement, &mut FieldSet)> {
        self.nodes.iter_mut().map(|(pe, n)| (pe, &mut n.children))
    }

    /// The `FieldsV1` JSON of this set.
    #[must_use]
    pub fn to_fields_v1(&self) -> Value {
        Value::Object(self.fields_v1_map())
    }

    fn fields_v1_map(&self) -> Map<String, Value> {
        let mut map = Map::new();
        for (pe, node) in &self.nodes {
            let mut inner = node.children.fields_v1_map();
            if node.member && !inner.is_empty() {
                inner.insert(".".to_string(), Value::Object(Map::new()));
            }
            map.insert(pe.encode(), Value::Object(inner));
        }
        map
    }

    /// Decodes `FieldsV1` JSON; keys with unknown prefixes are dropped, as the server does.
    #[must_use]
    pub fn from_fields_v1(value: &Value) -> FieldSet {
        let mut set = FieldSet::new();
        let Value::Object(map) = value else {
            return set;
        };
        for (key, child) in map {
            if key == "." {
                continue;
            }
            let Some(pe) = PathElement::decode(key) else {
                continue;
            };
            let children = FieldSet::from_fields_v1(child);
            let member = match child {
                Value::Object(m) => m.is_empty() || m.contains_key(".") || children.is_empty(),
                _ => true,
            };
            set.nodes.insert(pe, Node { member, children });
        }
        set
    }

    /// Whether every path of `self` is in the set `fields_v1` encodes: what
    /// `self.difference(&FieldSet::from_fields_v1(fields_v1)).is_empty()` says, reading only
    /// the nodes of `fields_v1` on `self`'s paths instead of decoding all of it.
    #[must_use]
    pub(crate) fn within_fields_v1<'a>(&self, fields_v1: impl JsonRead<'a>) -> bool {
        self.nodes
            .iter()
            .all(|(pe, mine)| match encoded_child(fields_v1, pe) {
                None => !mine.member && mine.children.is_empty(),
                Some(theirs) => {
                    // Not a member here while a member in `self`: that path is missing.
                    (!mine.member || encoded_member(theirs))
                        && mine.children.within_fields_v1(theirs)
                }
            })
    }

    /// Whether no path of `self` is in the set `fields_v1` encodes: what
    /// `FieldSet::from_fields_v1(fields_v1).intersection(self).is_empty()` says, reading only
    /// the nodes of `fields_v1` on `self`'s paths.
    #[must_use]
    pub(crate) fn disjoint_from_fields_v1<'a>(&self, fields_v1: impl JsonRead<'a>) -> bool {
        self.nodes
            .iter()
            .all(|(pe, mine)| match encoded_child(fields_v1, pe) {
                None => true,
                Some(theirs) => {
                    !(mine.member && encoded_member(theirs))
                        && mine.children.disjoint_from_fields_v1(theirs)
                }
            })
    }
}

/// The child of a `FieldsV1` node for `pe`, as [`FieldSet::from_fields_v1`] reads it: the
/// last key (in the map's order) that decodes to `pe`, since a later one replaces an earlier.
fn encoded_child<'a, J: JsonRead<'a>>(node: J, pe: &PathElement) -> Option<J> {
    let members = node.members()?;
    if let PathElement::Field(_) = pe {
        // Only `f:<name>` decodes to this field.
        return node.get(&pe.encode());
    }
    members
        .filter(|(k, _)| *k != "." && PathElement::decode(k).as_ref() == Some(pe))
        .last()
        .map(|(_, v)| v)
}

/// Whether a `FieldsV1` node is a member of its set, as [`FieldSet::from_fields_v1`] decides.
fn encoded_member<'a>(node: impl JsonRead<'a>) -> bool {
    match node.members() {
        Some(members) => {
            let mut empty = true;
            let mut has_child = false;
            for (k, _) in members {
                empty = false;
                if k == "." {
                    return true;
                }
                has_child = has_child || PathElement::decode(k).is_some();
            }
            empty || !has_child
        }
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `within_fields_v1` and `disjoint_from_fields_v1` answer what decoding the whole set
    /// and comparing answers, for sets and encodings that share some paths, nest, carry
    /// member marks, unknown prefixes, list keys (also written two ways) and non-objects.
    #[test]
    fn reads_membership_from_fields_v1_as_decoding_does() {
        let encodings = [
            json!({}),
            json!(null),
            json!({"f:data": {"f:a": {}, "f:b": {}}, "f:metadata": {"f:labels": {"f:app": {}}}}),
            json!({"f:data": {".": {}, "f:a": {}}}),
            json!({"f:data": {"x:odd": {}}}),
            json!({"f:data": {"f:a": 1}}),
            json!({"f:spec": {"f:list": {"k:{\"name\":\"a\"}": {".": {}, "f:image": {}},
                "k:{ \"name\": \"a\" }": {"f:other": {}}, "i:2": {}, "v:\"x\"": {}}}}),
        ];
        let key = PathElement::decode("k:{\"name\":\"a\"}").unwrap();
        let mut sets = Vec::new();
        for paths in [
            vec![],
            vec![vec![f("data")]],
            vec![vec![f("data"), f("a")]],
            vec![vec![f("data"), f("a")], vec![f("data"), f("c")]],
            vec![vec![f("data"), f("odd")]],
            vec![vec![f("metadata"), f("labels"), f("app")]],
            vec![vec![f("spec"), f("list"), key.clone()]],
            vec![vec![f("spec"), f("list"), key.clone(), f("image")]],
            vec![vec![f("spec"), f("list"), key.clone(), f("other")]],
            vec![vec![f("spec"), f("list"), PathElement::Index(2)]],
            vec![vec![
                f("spec"),
                f("list"),
                PathElement::Value("\"x\"".into()),
            ]],
        ] {
            let mut set = FieldSet::new();
            for p in paths {
                set.insert(&p);
            }
            sets.push(set);
        }
        for enc in &encodings {
            let decoded = FieldSet::from_fields_v1(enc);
            for set in &sets {
                assert_eq!(
                    set.within_fields_v1(enc),
                    set.difference(&decoded).is_empty(),
                    "within {enc} of {set:?}"
                );
                assert_eq!(
                    set.disjoint_from_fields_v1(enc),
                    decoded.intersection(set).is_empty(),
                    "disjoint {enc} of {set:?}"
                );
            }
        }
    }

    fn f(name: &str) -> PathElement {
        PathElement::Field(name.to_string())
    }

    #[test]
    fn encodes_like_the_server() {
        let mut set = FieldSet::new();
        set.insert(&[f("metadata"), f("labels"), f("app")]);
        set.insert(&[f("spec"), f("replicas")]);
        let key = PathElement::key(json!({"name": "x"}).as_object().unwrap());
        set.insert(&[f("spec"), f("containers"), key.clone()]);
        set.insert(&[f("spec"), f("containers"), key.clone(), f("image")]);
        set.insert(&[
            f("metadata"),
            f("finalizers"),
            PathElement::Value("\"a\"".into()),
        ]);
        assert_eq!(
            set.to_fields_v1(),
            json!({"f:metadata": {"f:finalizers": {"v:\"a\"": {}}, "f:labels": {"f:app": {}}},
                   "f:spec": {"f:containers": {"k:{\"name\":\"x\"}": {".": {}, "f:image": {}}}, "f:replicas": {}}})
        );
        assert_eq!(FieldSet::from_fields_v1(&set.to_fields_v1()), set);
        assert_eq!(
            path_string(&[f("spec"), f("containers"), key, f("image")]),
            ".spec.containers[name=\"x\"].image"
        );
    }

    #[test]
    fn set_operations() {
        let mut a = FieldSet::new();
        a.insert(&[f("a"), f("b")]);
        a.insert(&[f("a"), f("c")]);
        let mut b = FieldSet::new();
        b.insert(&[f("a"), f("c")]);
        b.insert(&[f("d")]);
        assert_eq!(a.intersection(&b).paths(), vec![vec![f("a"), f("c")]]);
        assert_eq!(a.difference(&b).paths(), vec![vec![f("a"), f("b")]]);
        let mut u = a.clone();
        u.union_with(&b);
        assert_eq!(u.paths().len(), 3);
        assert!(u.has(&[f("d")]) && !u.has(&[f("a")]));
        u.remove_members(&[&[f("d")]]);
        assert!(!u.has(&[f("d")]));
        assert!(FieldSet::from_fields_v1(&json!({"x:bad": {}})).is_empty());
    }
}
