//! Times creates of the 1 KiB ConfigMap of the `engine` bench in a plain loop: `R` rounds
//! (default 7), each creating `N` objects (default 20,000) into a fresh cluster, and prints
//! the minimum and median time per create over the rounds. Steadier than criterion's median
//! on a busy machine.
//!
//! `N=20000 R=7 cargo run --release -p kobj-fake --example create_loop`

#![allow(clippy::unwrap_used)]
#[path = "support/mod.rs"]
mod support;

fn main() {
    support::report("create", support::create_rounds());
}
