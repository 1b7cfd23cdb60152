//! The network-shaped string formats: IP addresses and CIDRs as Go's `net` parses them (with
//! the pre-1.17 leading zeros `netutils` tolerates), MAC addresses, request URIs and email
//! addresses.

use std::net::{Ipv4Addr, Ipv6Addr};

/// `net.ParseIP` as Go before 1.17 (`netutils.ParseIPSloppy`): IPv4 octets may have leading
/// zeros.
pub(crate) fn parse_ip_sloppy(value: &str) -> bool {
    parse_ipv4_sloppy(value).is_some() || value.parse::<Ipv6Addr>().is_ok()
}

fn parse_ipv4_sloppy(value: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = value.split('.');
    for octet in &mut octets {
        let part = parts.next()?;
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let trimmed = part.trim_start_matches('0');
        if trimmed.len() > 3 {
            return None;
        }
        *octet = if trimmed.is_empty() {
            0
        } else {
            trimmed.parse().ok()?
        };
    }
    if parts.next().is_some() {
        return None;
    }
    Some(Ipv4Addr::from(octets))
}

/// `netutils.ParseCIDRSloppy`.
pub(super) fn is_cidr_sloppy(value: &str) -> bool {
    let Some((addr, mask)) = value.split_once('/') else {
        return false;
    };
    let bits = if parse_ipv4_sloppy(addr).is_some() {
        32
    } else if addr.parse::<Ipv6Addr>().is_ok() {
        128
    } else {
        return false;
    };
    !mask.is_empty()
        && mask.bytes().all(|b| b.is_ascii_digit())
        && mask.len() <= 5
        && mask.parse::<u32>().is_ok_and(|n| n <= bits)
}

/// `net.ParseMAC`: 6, 8 or 20 octets as `xx:xx…`, `xx-xx…` or `xxxx.xxxx…`.
pub(super) fn is_mac(value: &str) -> bool {
    let b = value.as_bytes();
    if b.len() < 14 {
        return false;
    }
    let hex = |x: &[u8]| x.iter().all(u8::is_ascii_hexdigit);
    if b[2] == b':' || b[2] == b'-' {
        if !(b.len() + 1).is_multiple_of(3) {
            return false;
        }
        let n = (b.len() + 1) / 3;
        if n != 6 && n != 8 && n != 20 {
            return false;
        }
        let sep = b[2];
        (0..n).all(|i| {
            let at = i * 3;
            hex(&b[at..at + 2]) && (i + 1 == n || b[at + 2] == sep)
        })
    } else if b[4] == b'.' {
        if !(b.len() + 1).is_multiple_of(5) {
            return false;
        }
        let n = 2 * (b.len() + 1) / 5;
        if n != 6 && n != 8 && n != 20 {
            return false;
        }
        (0..n / 2).all(|i| {
            let at = i * 5;
            hex(&b[at..at + 4]) && (i + 1 == n / 2 || b[at + 4] == b'.')
        })
    } else {
        false
    }
}

/// `net/url.ParseRequestURI`: an absolute URI or an absolute path.
pub(super) fn is_request_uri(value: &str) -> bool {
    if value.is_empty() || value.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return false;
    }
    if value == "*" {
        return true;
    }
    let (scheme, rest) = split_scheme(value);
    let Some(rest) = rest else {
        return false;
    };
    let rest = rest.split_once('?').map_or(rest, |(path, _)| path);
    if !rest.starts_with('/') {
        // "mailto:x" is an opaque URI; a bare relative path is not a request URI.
        return !scheme.is_empty();
    }
    let path = if !scheme.is_empty() && rest.starts_with("//") {
        let after = &rest[2..];
        let (authority, path) = after.find('/').map_or((after, ""), |i| after.split_at(i));
        if !valid_authority(authority) {
            return false;
        }
        path
    } else {
        rest
    };
    valid_escapes(path)
}

/// Splits `scheme:rest`; `None` as rest when the scheme is malformed (`:` first).
fn split_scheme(value: &str) -> (&str, Option<&str>) {
    for (i, c) in value.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' => {}
            '0'..='9' | '+' | '-' | '.' if i > 0 => {}
            ':' if i == 0 => return ("", None),
            ':' => return (&value[..i], Some(&value[i + 1..])),
            _ => return ("", Some(value)),
        }
    }
    ("", Some(value))
}

fn valid_authority(authority: &str) -> bool {
    let host_port = match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let ok = userinfo
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._:~!$&'()*+,;=%@".contains(c));
            if !ok {
                return false;
            }
            host
        }
        None => authority,
    };
    let (host, port) = if let Some(rest) = host_port.strip_prefix('[') {
        let Some(end) = rest.find(']') else {
            return false;
        };
        let after = &rest[end + 1..];
        if !after.is_empty() && !after.starts_with(':') {
            return false;
        }
        ("", after.strip_prefix(':'))
    } else {
        match host_port.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    if let Some(port) = port
        && !port.bytes().all(|b| b.is_ascii_digit())
    {
        return false;
    }
    host.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=%\"".contains(c) || !c.is_ascii())
        && valid_escapes(host)
}

fn valid_escapes(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if !(b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
            {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

/// `net/mail.ParseAddress` (simplified): `addr-spec` or `display-name <addr-spec>`, where the
/// local part is a dot-atom or a quoted string and the domain a dot-atom or a literal.
pub(super) fn is_email(value: &str) -> bool {
    let value = value.trim();
    let addr = if let Some(open) = value.rfind('<') {
        let Some(inner) = value[open + 1..].strip_suffix('>') else {
            return false;
        };
        inner
    } else {
        value
    };
    let Some(at) = addr.rfind('@') else {
        return false;
    };
    let (local, domain) = (&addr[..at], &addr[at + 1..]);
    let local_ok = if local.len() >= 2 && local.starts_with('"') && local.ends_with('"') {
        true
    } else {
        is_dot_atom(local)
    };
    let domain_ok = if domain.starts_with('[') && domain.ends_with(']') {
        domain.len() > 2
    } else {
        is_dot_atom(domain)
    };
    local_ok && domain_ok
}

fn is_dot_atom(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|atom| {
            !atom.is_empty()
                && atom.chars().all(|c| {
                    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c) || !c.is_ascii()
                })
        })
}
