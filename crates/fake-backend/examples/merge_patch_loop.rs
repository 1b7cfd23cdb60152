//! Times merge patches of one value of the 1 KiB ConfigMap of the `engine` bench (its
//! `merge_patch` reference bench) in a plain loop: `R` rounds (default 7) of `N` patches
//! (default 20,000), printing the minimum and median time per patch over the rounds.
//!
//! `N=20000 R=7 cargo run --release -p kobj-fake --example merge_patch_loop`

#![allow(clippy::unwrap_used)]
#[path = "support/mod.rs"]
mod support;

fn main() {
    support::report("merge patch", support::merge_patch_rounds());
}
