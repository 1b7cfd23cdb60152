//! kobj-fake: placeholder until its issue lands.
