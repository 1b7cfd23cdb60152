//! Generators, models and runners shared by the property tests.

pub mod apply;
pub mod cluster;
pub mod crds;
pub mod inputs;
pub mod managed_fields;
pub mod owners;
pub mod reads;
pub mod schemas;
pub mod support;
