//! IP addresses as `IsValidIP` (k8s.io/apimachinery `pkg/util/validation`) checks them, for
//! Services and Pods. Rust's parser refuses the leading zeros Go's sloppy parser takes.

use kobj_core::FieldError;
use serde_json::Value;

/// `IsValidIP`'s message.
pub(crate) const IP_MSG: &str = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";

/// `IsValidIP`: an `Invalid` at `path` unless `value` is an IP address.
pub(crate) fn check_ip(value: &str, path: &str, errs: &mut Vec<FieldError>) {
    if value.parse::<std::net::IpAddr>().is_err() {
        errs.push(FieldError::invalid(
            path,
            Value::String(value.into()),
            IP_MSG,
        ));
    }
}
