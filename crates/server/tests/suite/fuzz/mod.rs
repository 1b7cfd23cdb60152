//! Generators, models and runners shared by the property tests.

pub mod bodies;
pub mod requests;
