//! kobj.
fn main() {}
