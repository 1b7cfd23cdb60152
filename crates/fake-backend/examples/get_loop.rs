//! Times gets of the 1 KiB ConfigMap of the `engine` bench in a plain loop: `R` rounds
//! (default 7) of `N` gets (default 200,000), printing the minimum and median time per get
//! over the rounds. The minimum is steadier than criterion's median on a busy machine.
//!
//! `N=200000 R=7 cargo run --release -p kobj-fake --example get_loop`

#![allow(clippy::unwrap_used)]
#[path = "support/mod.rs"]
mod support;

fn main() {
    support::report("get", support::get_rounds());
}
