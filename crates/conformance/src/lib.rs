//! kobj-conformance: placeholder until its issue lands.
