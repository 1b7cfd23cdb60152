//! kobj-kube: placeholder until its issue lands.
