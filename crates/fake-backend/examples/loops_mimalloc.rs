//! The create, replace and load loops of `create_loop`, `replace_loop` and `load_loop` in a
//! binary whose global allocator is mimalloc instead of the system's (glibc's malloc on
//! Linux). A library cannot choose the allocator; a test binary can, and the fake allocates
//! and frees a tree per request, so this shows what that choice is worth
//! (`docs/performance.md`).
//!
//! `N=20000 R=7 cargo run --release -p kobj-fake --example loops_mimalloc`
//! (`N` applies to all three loops; the load's default is 30,000 when `N` is unset.)

#![allow(clippy::unwrap_used)]
#[path = "support/mod.rs"]
mod support;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    support::report("create", support::create_rounds());
    support::report("replace", support::replace_rounds());
    support::report("load (per object)", support::load_rounds());
}
