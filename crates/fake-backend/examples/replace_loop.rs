//! Times replaces of the 1 KiB ConfigMap of the `engine` bench (one value changed each time,
//! with the resourceVersion check) in a plain loop: `R` rounds (default 7) of `N` replaces
//! (default 20,000), printing the minimum and median time per replace over the rounds. The
//! minimum is steadier than criterion's median on a busy machine.
//!
//! `N=20000 R=7 cargo run --release -p kobj-fake --example replace_loop`

#![allow(clippy::unwrap_used)]
#[path = "support/mod.rs"]
mod support;

fn main() {
    support::report("replace", support::replace_rounds());
}
