//! Times `load_objects` of the `engine` bench's 30,000 small ConfigMaps in a plain loop: `R`
//! rounds (default 7) of `N` objects (default 30,000), each into a fresh cluster, printing the
//! minimum and median time per object over the rounds (multiply by `N` for the load). The
//! clusters and the returned objects are dropped outside the timed part, as in the bench.
//!
//! `N=30000 R=7 cargo run --release -p kobj-fake --example load_loop`

#![allow(clippy::unwrap_used)]
#[path = "support/mod.rs"]
mod support;

fn main() {
    support::report("load (per object)", support::load_rounds());
}
