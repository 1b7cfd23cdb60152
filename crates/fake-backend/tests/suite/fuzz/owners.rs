//! Generators of the garbage-collection properties (`fuzz_gc.rs`): a handful of objects of
//! assorted kinds joined by random ownerReferences (several owners, cycles,
//! blockOwnerDeletion true, false or absent, some objects held by `example.com/hold`), and
//! a sequence of deletes, deletecollections, finalizer removals and a namespace deletion.

use kobj_core::ResourceType;
use kube_core::params::{DeleteParams, Preconditions, PropagationPolicy};
use proptest::prelude::*;

use crate::common::*;

/// The namespace the namespaced objects live in (not `default`, which a real server will
/// not delete).
pub const NS: &str = "team";
/// The finalizer that holds an object until a client removes it.
pub const HOLD: &str = "example.com/hold";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Widget,
    ConfigMap,
    Secret,
    /// Cluster-scoped: owned by gadgets only (a cluster-scoped dependent cannot name a
    /// namespaced owner).
    Gadget,
}

impl Kind {
    pub fn resource(self) -> ResourceType {
        match self {
            Kind::Widget => widgets(),
            Kind::ConfigMap => configmaps(),
            Kind::Secret => secrets(),
            Kind::Gadget => gadgets(),
        }
    }

    pub fn namespace(self) -> Option<&'static str> {
        (self != Kind::Gadget).then_some(NS)
    }

    pub fn api_version(self) -> &'static str {
        match self {
            Kind::Widget | Kind::Gadget => "example.com/v1",
            Kind::ConfigMap | Kind::Secret => "v1",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Widget => "Widget",
            Kind::ConfigMap => "ConfigMap",
            Kind::Secret => "Secret",
            Kind::Gadget => "Gadget",
        }
    }
}

pub fn kind() -> impl Strategy<Value = Kind> + Clone {
    prop_oneof![
        3 => Just(Kind::Widget),
        2 => Just(Kind::ConfigMap),
        1 => Just(Kind::Secret),
        2 => Just(Kind::Gadget),
    ]
}

/// One object of the graph: its kind, its `grp` label (`a` or `b`), whether it carries
/// `example.com/hold`, and its owners (indexes into the graph, with blockOwnerDeletion).
#[derive(Clone, Debug)]
pub struct Node {
    pub kind: Kind,
    pub group_a: bool,
    pub hold: bool,
    pub owners: Vec<(usize, Option<bool>)>,
}

/// A graph of 2 to 7 objects. Owners are any other object (so cycles are common), except
/// that a gadget's owners are gadgets; an owner is named at most once.
pub fn graph() -> impl Strategy<Value = Vec<Node>> {
    (2usize..=7)
        .prop_flat_map(|n| {
            let node = (
                kind(),
                any::<bool>(),
                prop::bool::weighted(0.3),
                prop::collection::vec(
                    (
                        0..n,
                        prop_oneof![Just(None), Just(Some(true)), Just(Some(false))],
                    ),
                    0..=3,
                ),
            );
            prop::collection::vec(node, n)
        })
        .prop_map(|raw| {
            let kinds: Vec<Kind> = raw.iter().map(|r| r.0).collect();
            raw.into_iter()
                .enumerate()
                .map(|(i, (kind, group_a, hold, owners))| {
                    let mut seen = Vec::new();
                    let owners = owners
                        .into_iter()
                        .filter(|(j, _)| {
                            let ok = *j != i
                                && (kind != Kind::Gadget || kinds[*j] == Kind::Gadget)
                                && !seen.contains(j);
                            seen.push(*j);
                            ok
                        })
                        .collect();
                    Node {
                        kind,
                        group_a,
                        hold,
                        owners,
                    }
                })
                .collect()
        })
}

/// A precondition on a delete: none, the target's uid, or another uid.
#[derive(Clone, Copy, Debug)]
pub enum Pre {
    None,
    RightUid,
    WrongUid,
}

#[derive(Clone, Debug)]
pub enum Op {
    Delete {
        target: usize,
        policy: Option<PropagationPolicy>,
        dry_run: bool,
        pre: Pre,
    },
    /// Deletes the objects of a kind labelled `grp=a` (or `grp=b`).
    DeleteCollection {
        kind: Kind,
        group_a: bool,
        policy: Option<PropagationPolicy>,
        dry_run: bool,
    },
    /// Removes `example.com/hold` with a merge patch of the finalizer list.
    Release { target: usize },
    DeleteNamespace {
        policy: Option<PropagationPolicy>,
        dry_run: bool,
    },
}

pub fn policy() -> impl Strategy<Value = Option<PropagationPolicy>> + Clone {
    prop_oneof![
        Just(None),
        Just(Some(PropagationPolicy::Background)),
        Just(Some(PropagationPolicy::Foreground)),
        Just(Some(PropagationPolicy::Orphan)),
    ]
}

/// The policies whose settled outcome the model of `fuzz_gc.rs` computes (no Foreground).
pub fn modelled_policy() -> impl Strategy<Value = Option<PropagationPolicy>> + Clone {
    prop_oneof![
        Just(None),
        Just(Some(PropagationPolicy::Background)),
        Just(Some(PropagationPolicy::Orphan)),
    ]
}

pub fn op() -> impl Strategy<Value = Op> {
    op_with(policy())
}

pub fn op_with(
    policy: impl Strategy<Value = Option<PropagationPolicy>> + Clone + 'static,
) -> impl Strategy<Value = Op> {
    let dry_run = prop::bool::weighted(0.15);
    let pre = prop_oneof![
        6 => Just(Pre::None),
        1 => Just(Pre::RightUid),
        1 => Just(Pre::WrongUid),
    ];
    prop_oneof![
        8 => (0usize..7, policy.clone(), dry_run, pre).prop_map(|(target, policy, dry_run, pre)| {
            Op::Delete { target, policy, dry_run, pre }
        }),
        2 => (kind(), any::<bool>(), policy.clone(), dry_run).prop_map(
            |(kind, group_a, policy, dry_run)| Op::DeleteCollection { kind, group_a, policy, dry_run }
        ),
        3 => (0usize..7).prop_map(|target| Op::Release { target }),
        1 => (policy, dry_run).prop_map(|(policy, dry_run)| Op::DeleteNamespace { policy, dry_run }),
    ]
}

pub fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op(), 1..=8)
}

/// Operations without Foreground, for the model.
pub fn modelled_ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op_with(modelled_policy()), 1..=8)
}

pub fn delete_params(
    policy: &Option<PropagationPolicy>,
    dry_run: bool,
    uid: Option<String>,
) -> DeleteParams {
    DeleteParams {
        propagation_policy: policy.clone(),
        dry_run,
        preconditions: uid.map(|uid| Preconditions {
            uid: Some(uid),
            resource_version: None,
        }),
        ..DeleteParams::default()
    }
}
