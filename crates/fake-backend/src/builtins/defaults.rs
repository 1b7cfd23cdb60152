//! The defaults the real API server gives built-in kinds when it decodes a request
//! (`SetDefaults_*` of `k8s.io/kubernetes/pkg/apis/*/v1/defaults.go`).

use serde_json::Value;

use crate::registry::TypeInfo;

/// Fills in the defaults of the built-in kind `info` in `obj`.
pub(crate) fn apply(_info: &TypeInfo, _obj: &mut Value) {}
