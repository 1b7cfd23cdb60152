//! A model of the garbage collector's Background and Orphan deletes for `fuzz_gc.rs`: which
//! objects live, are held by a finalizer or are gone, which owners each still names, and the
//! namespace's phase, after each step.

use super::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Live,
    /// Marked for deletion, held by `example.com/hold`.
    Deleting,
    Gone,
}

/// The settled outcome of Background and Orphan deletes, releases and the namespace's
/// deletion: which objects live, are held or are gone, and which owners each names.
#[derive(Clone, Debug)]
pub struct Model {
    nodes: Vec<Node>,
    state: Vec<State>,
    hold: Vec<bool>,
    owners: Vec<Vec<usize>>,
    /// `None` once the namespace is gone; `Some(true)` while it terminates.
    ns: Option<bool>,
}

impl Model {
    pub fn new(nodes: &[Node]) -> Model {
        Model {
            nodes: nodes.to_vec(),
            state: vec![State::Live; nodes.len()],
            hold: nodes.iter().map(|n| n.hold).collect(),
            owners: nodes
                .iter()
                .map(|n| n.owners.iter().map(|o| o.0).collect())
                .collect(),
            ns: Some(false),
        }
    }

    pub fn delete(&mut self, i: usize, policy: Option<&PropagationPolicy>) {
        if self.state[i] == State::Gone {
            return;
        }
        if let Some(PropagationPolicy::Orphan) = policy {
            for owners in &mut self.owners {
                owners.retain(|&o| o != i);
            }
        }
        if self.state[i] == State::Live {
            self.state[i] = if self.hold[i] {
                State::Deleting
            } else {
                State::Gone
            };
        }
    }

    pub fn release(&mut self, i: usize) {
        if self.state[i] == State::Gone {
            return;
        }
        self.hold[i] = false;
        if self.state[i] == State::Deleting {
            self.state[i] = State::Gone;
        }
    }

    /// The collector and the namespace controller, run until nothing changes.
    pub fn settle(&mut self) {
        loop {
            // A live object with an owner left loses its references to the gone ones.
            for i in 0..self.state.len() {
                if self.state[i] == State::Live
                    && self.owners[i].iter().any(|&o| self.state[o] != State::Gone)
                {
                    let state = &self.state;
                    self.owners[i].retain(|&o| state[o] != State::Gone);
                }
            }
            let orphaned = (0..self.state.len()).find(|&i| {
                self.state[i] == State::Live
                    && !self.owners[i].is_empty()
                    && self.owners[i].iter().all(|&o| self.state[o] == State::Gone)
            });
            match orphaned {
                Some(i) => self.delete(i, None),
                None => break,
            }
        }
        let namespaced_left = (0..self.state.len())
            .any(|i| self.nodes[i].kind.namespace().is_some() && self.state[i] != State::Gone);
        if self.ns == Some(true) && !namespaced_left {
            self.ns = None;
        }
    }

    /// Applies a successful, non-dry-run step.
    pub fn apply(&mut self, op: &Op, uids_ok: bool) {
        let n = self.state.len();
        match op {
            Op::Delete { target, policy, .. } => {
                if uids_ok {
                    self.delete(target % n, policy.as_ref());
                }
            }
            Op::DeleteCollection {
                kind,
                group_a,
                policy,
                ..
            } => {
                for i in 0..n {
                    if self.nodes[i].kind == *kind && self.nodes[i].group_a == *group_a {
                        self.delete(i, policy.as_ref());
                    }
                }
            }
            Op::Release { target } => self.release(target % n),
            Op::DeleteNamespace { .. } => {
                if self.ns == Some(false) {
                    self.ns = Some(true);
                    for i in 0..n {
                        if self.nodes[i].kind.namespace().is_some() {
                            self.delete(i, None);
                        }
                    }
                }
            }
        }
        self.settle();
    }

    pub fn check(
        &self,
        snap: &Snapshot,
        uids: &[String],
        ns: Option<&Value>,
        step: &str,
    ) -> Result<(), TestCaseError> {
        for (i, o) in snap.iter().enumerate() {
            let got = match o {
                None => State::Gone,
                Some(o) if deleting(o) => State::Deleting,
                Some(_) => State::Live,
            };
            prop_assert_eq!(got, self.state[i], "after {}: o{} in {:?}", step, i, snap);
            if let Some(o) = o {
                let live = |owners: Vec<usize>| -> Vec<usize> {
                    owners
                        .into_iter()
                        .filter(|&j| self.state[j] != State::Gone)
                        .collect()
                };
                let named = live(
                    refs(o)
                        .iter()
                        .map(|(u, _)| uid_index(uids, u).unwrap())
                        .collect(),
                );
                prop_assert_eq!(
                    named,
                    live(self.owners[i].clone()),
                    "after {}: owners of o{}: {}",
                    step,
                    i,
                    o
                );
            }
        }
        let ns_got = ns.map(deleting);
        prop_assert_eq!(ns_got, self.ns, "after {}: namespace {:?}", step, ns);
        Ok(())
    }
}
