//! String formats of CRD schemas, as kube-openapi's `strfmt.Default` registry checks them, and
//! the rule that strips formats a CRD may not use (apiextensions `StripUnsupportedFormats`).

use std::borrow::Cow;
use std::net::Ipv6Addr;
use std::sync::LazyLock;

use regex::Regex;

mod net;
pub(crate) use net::parse_ip_sloppy;
use net::{is_cidr_sloppy, is_email, is_mac, is_request_uri};

/// String formats the API server validates for CRDs, by normalized name (dashes removed).
const SUPPORTED: &[&str] = &[
    "bsonobjectid",
    "uri",
    "email",
    "hostname",
    "ipv4",
    "ipv6",
    "cidr",
    "mac",
    "uuid",
    "uuid3",
    "uuid4",
    "uuid5",
    "isbn",
    "isbn10",
    "isbn13",
    "creditcard",
    "ssn",
    "hexcolor",
    "rgbcolor",
    "byte",
    "password",
    "date",
    "duration",
    "datetime",
    "quantity",
    "k8sshortname",
    "k8slongname",
];

/// The format the validator uses for a node: unsupported formats are dropped, integer nodes keep
/// only `int32`/`int64`, number nodes only `float`/`double`, other typed nodes none.
pub(crate) fn effective<'a>(format: &'a str, schema_type: &str) -> &'a str {
    if format.is_empty() {
        return "";
    }
    let keep = match schema_type {
        "" | "string" => SUPPORTED.contains(&normalize(format).as_ref()),
        "integer" => format == "int32" || format == "int64",
        "number" => format == "float" || format == "double",
        _ => false,
    };
    if keep { format } else { "" }
}

/// go-openapi's registry name normalization: dashes are removed.
fn normalize(format: &str) -> Cow<'_, str> {
    if format.contains('-') {
        Cow::Owned(format.replace('-', ""))
    } else {
        Cow::Borrowed(format)
    }
}

/// Whether the `strfmt.Default` registry knows the format (so the format validator applies).
pub(crate) fn is_known(format: &str) -> bool {
    !format.is_empty() && SUPPORTED.contains(&normalize(format).as_ref())
}

/// Whether `value` is valid for the (known) format.
pub(crate) fn check(format: &str, value: &str) -> bool {
    match normalize(format).as_ref() {
        "bsonobjectid" => value.len() == 24 && value.bytes().all(|b| b.is_ascii_hexdigit()),
        "uri" => is_request_uri(value),
        "email" => is_email(value),
        "hostname" => is_hostname(value),
        "ipv4" => parse_ip_sloppy(value) && value.contains('.'),
        "ipv6" => value.parse::<Ipv6Addr>().is_ok() && value.contains(':'),
        "cidr" => is_cidr_sloppy(value),
        "mac" => is_mac(value),
        "uuid" => regex_match(&UUID, value),
        "uuid3" => regex_match(&UUID3, value),
        "uuid4" => regex_match(&UUID4, value),
        "uuid5" => regex_match(&UUID5, value),
        "isbn" => is_isbn(value, 10) || is_isbn(value, 13),
        "isbn10" => is_isbn(value, 10),
        "isbn13" => is_isbn(value, 13),
        "creditcard" => is_credit_card(value),
        "ssn" => value.len() == 11 && regex_match(&SSN, value),
        "hexcolor" => regex_match(&HEX_COLOR, value),
        "rgbcolor" => regex_match(&RGB_COLOR, value),
        "byte" => regex_match(&BASE64, value),
        "date" => parse_date(value).is_some(),
        "datetime" => is_date_time(value),
        "duration" => is_duration(value),
        "quantity" => crate::builtins::quantity::is_quantity(value),
        "k8sshortname" => value.len() <= 63 && regex_match(&SHORT_NAME, value),
        "k8slongname" => value.len() <= 253 && regex_match(&LONG_NAME, value),
        // "password" and anything unknown.
        _ => true,
    }
}

fn regex(pattern: &str) -> Option<Regex> {
    Regex::new(pattern).ok()
}

fn regex_match(re: &LazyLock<Option<Regex>>, value: &str) -> bool {
    re.as_ref().is_some_and(|re| re.is_match(value))
}

static UUID: LazyLock<Option<Regex>> = LazyLock::new(|| {
    regex("(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$")
});
static UUID3: LazyLock<Option<Regex>> = LazyLock::new(|| {
    regex("(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$")
});
static UUID4: LazyLock<Option<Regex>> = LazyLock::new(|| {
    regex("(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$")
});
static UUID5: LazyLock<Option<Regex>> = LazyLock::new(|| {
    regex("(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$")
});
static SSN: LazyLock<Option<Regex>> =
    LazyLock::new(|| regex(r"^[0-9]{3}[- ]?[0-9]{2}[- ]?[0-9]{4}$"));
static HEX_COLOR: LazyLock<Option<Regex>> =
    LazyLock::new(|| regex("^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"));
static RGB_COLOR: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let n = "(0|[1-9][0-9]?|1[0-9][0-9]?|2[0-4][0-9]|25[0-5])";
    let s = r"[\t\n\x0C\r ]*";
    regex(&format!(r"^rgb\({s}{n}{s},{s}{n}{s},{s}{n}{s}\)$"))
});
static BASE64: LazyLock<Option<Regex>> = LazyLock::new(|| {
    regex(r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$")
});
static HOSTNAME: LazyLock<Option<Regex>> = LazyLock::new(|| {
    regex(
        r"^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$",
    )
});
static SHORT_NAME: LazyLock<Option<Regex>> =
    LazyLock::new(|| regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"));
static LONG_NAME: LazyLock<Option<Regex>> =
    LazyLock::new(|| regex(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"));
static CREDIT_CARD: LazyLock<Option<Regex>> = LazyLock::new(|| {
    regex(
        "^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35[0-9]{3})[0-9]{11})$",
    )
});
static DATE_TIME_TAIL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    regex(r"^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$")
});
static DURATION_TOKEN: LazyLock<Option<Regex>> =
    LazyLock::new(|| regex(r"(((?:-[\t\n\x0C\r ]?)?[0-9]+)[\t\n\x0C\r ]*([A-Za-zµ]+))"));

/// strfmt's `IsHostname`.
fn is_hostname(value: &str) -> bool {
    regex_match(&HOSTNAME, value)
        && value.len() <= 255
        && value.split('.').all(|label| label.len() <= 63)
}

/// govalidator's `IsISBN` for version 10 or 13 (spaces and dashes ignored, checksum verified).
fn is_isbn(value: &str, version: u32) -> bool {
    let digits: Vec<u8> = value
        .bytes()
        .filter(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\x0C' | b'\r' | b'-'))
        .collect();
    let num = |b: u8| i32::from(b) - i32::from(b'0');
    match version {
        10 => {
            if digits.len() != 10
                || !digits[..9].iter().all(u8::is_ascii_digit)
                || !(digits[9].is_ascii_digit() || digits[9] == b'X')
            {
                return false;
            }
            let mut sum: i32 = (0..9).map(|i| (i as i32 + 1) * num(digits[i])).sum();
            sum += 10
                * if digits[9] == b'X' {
                    10
                } else {
                    num(digits[9])
                };
            sum % 11 == 0
        }
        _ => {
            if digits.len() != 13 || !digits.iter().all(u8::is_ascii_digit) {
                return false;
            }
            let sum: i32 = (0..12)
                .map(|i| if i % 2 == 0 { 1 } else { 3 } * num(digits[i]))
                .sum();
            num(digits[12]) - ((10 - (sum % 10)) % 10) == 0
        }
    }
}

/// govalidator's `IsCreditCard`: known issuer prefixes and the Luhn checksum.
fn is_credit_card(value: &str) -> bool {
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    if !regex_match(&CREDIT_CARD, &digits) {
        return false;
    }
    let mut sum = 0u32;
    let mut double = false;
    for d in digits.bytes().rev().map(|b| u32::from(b - b'0')) {
        let mut n = d;
        if double {
            n *= 2;
            if n >= 10 {
                n = n % 10 + 1;
            }
        }
        sum += n;
        double = !double;
    }
    sum.is_multiple_of(10)
}

/// `time.Parse("2006-01-02", value)`: (year, month, day).
pub(crate) fn parse_date(value: &str) -> Option<(i64, u32, u32)> {
    // The year takes exactly four bytes, which Go's atoi reads with an optional sign.
    let year_text = value.get(0..4)?;
    let rest = &value[4..];
    let digits = year_text.strip_prefix(['+', '-']).unwrap_or(year_text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut year: i64 = digits.parse().ok()?;
    if year_text.starts_with('-') {
        year = -year;
    }
    let b = rest.as_bytes();
    if b.len() != 6 || b[0] != b'-' || b[3] != b'-' {
        return None;
    }
    let two = |x: &[u8]| -> Option<u32> {
        (x[0].is_ascii_digit() && x[1].is_ascii_digit())
            .then(|| u32::from(x[0] - b'0') * 10 + u32::from(x[1] - b'0'))
    };
    let month = two(&b[1..3])?;
    let day = two(&b[4..6])?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in(month, year) {
        return None;
    }
    Some((year, month, day))
}

fn days_in(month: u32, year: i64) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// strfmt's `IsDateTime`: a valid date, `t`, then `hh:mm:ss[.frac](z|±hh:mm)`, case-insensitive.
fn is_date_time(value: &str) -> bool {
    if value.len() < 4 {
        return false;
    }
    let lower = value.to_lowercase();
    let mut parts = lower.split('t');
    let (Some(date), Some(time)) = (parts.next(), parts.next()) else {
        return false;
    };
    if parse_date(date).is_none() {
        return false;
    }
    let Some(re) = DATE_TIME_TAIL.as_ref() else {
        return false;
    };
    let Some(caps) = re.captures(time) else {
        return false;
    };
    let field = |i: usize| caps.get(i).map_or("", |m| m.as_str());
    field(1) <= "23" && field(2) <= "59" && field(3) <= "59"
}

/// strfmt's `ParseDuration`: Go's `time.ParseDuration`, else any `<n> <unit>` token with a
/// known unit (`ns`, `us`, `ms`, `s`, `m`, `h`, `d`, `w` and long forms).
pub(crate) fn is_duration(value: &str) -> bool {
    if go_parse_duration(value).is_some() {
        return true;
    }
    let Some(re) = DURATION_TOKEN.as_ref() else {
        return false;
    };
    const UNITS: &[&[&str]] = &[
        &["ns", "nano"],
        &["us", "µs", "micro"],
        &["ms", "milli"],
        &["s", "sec"],
        &["m", "min"],
        &["h", "hr", "hour"],
        &["d", "day"],
        &["w", "wk", "week"],
    ];
    let mut ok = false;
    for caps in re.captures_iter(value) {
        let number = caps.get(2).map_or("", |m| m.as_str());
        let number = number.strip_prefix('-').unwrap_or(number).trim();
        if number.parse::<i64>().is_err() {
            return false;
        }
        let unit = caps.get(3).map_or("", |m| m.as_str()).trim().to_lowercase();
        for variants in UNITS {
            let last = variants.len() - 1;
            for (i, variant) in variants.iter().enumerate() {
                if (i == last && unit.starts_with(variant)) || variant.eq_ignore_ascii_case(&unit) {
                    ok = true;
                }
            }
        }
    }
    ok
}

/// Go's `time.ParseDuration`, returning nanoseconds.
pub(crate) fn go_parse_duration(value: &str) -> Option<i128> {
    let (negative, mut s) = match value.as_bytes().first() {
        Some(b'-') => (true, &value[1..]),
        Some(b'+') => (false, &value[1..]),
        _ => (false, value),
    };
    if s == "0" {
        return Some(0);
    }
    if s.is_empty() {
        return None;
    }
    let mut total: i128 = 0;
    while !s.is_empty() {
        let int_end = s
            .bytes()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(s.len());
        let int_part = &s[..int_end];
        s = &s[int_end..];
        let mut frac_part = "";
        if let Some(rest) = s.strip_prefix('.') {
            let frac_end = rest
                .bytes()
                .position(|b| !b.is_ascii_digit())
                .unwrap_or(rest.len());
            frac_part = &rest[..frac_end];
            s = &rest[frac_end..];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        let unit_end = s
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(s.len(), |(i, _)| i);
        let unit = &s[..unit_end];
        s = &s[unit_end..];
        let scale: i128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return None,
        };
        let whole: i128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().ok()?
        };
        let mut amount = whole.checked_mul(scale)?;
        let mut frac_scale = scale;
        for d in frac_part.bytes().take(30) {
            frac_scale /= 10;
            amount += i128::from(d - b'0') * frac_scale;
        }
        total = total.checked_add(amount)?;
        if total > i128::from(i64::MAX) + i128::from(negative) {
            return None;
        }
    }
    Some(if negative { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsupported_formats_are_stripped() {
        assert_eq!(effective("date-time", "string"), "date-time");
        assert_eq!(effective("int32", "string"), "");
        assert_eq!(effective("int32", "integer"), "int32");
        assert_eq!(effective("uuid", "integer"), "");
        assert_eq!(effective("double", "number"), "double");
        assert_eq!(effective("email", "object"), "");
        assert_eq!(effective("k8s-short-name", ""), "k8s-short-name");
        assert_eq!(effective("semver", "string"), "");
        assert!(is_known("date-time"));
        assert!(!is_known("int64"));
    }

    #[test]
    fn dates_and_times() {
        assert!(check("date", "2024-02-29"));
        assert!(!check("date", "2023-02-29"));
        assert!(!check("date", "2024-1-01"));
        assert!(!check("date", "2024-13-01"));
        assert!(!check("date", "2024-01-01x"));
        assert!(check("date-time", "2024-01-02T03:04:05Z"));
        assert!(check("date-time", "2024-01-02t03:04:05.123+02:00"));
        assert!(!check("date-time", "2024-01-02T24:00:00Z"));
        assert!(!check("date-time", "2024-01-02 03:04:05Z"));
        assert!(!check("datetime", "2024-01-02T03:04:05"));
    }

    #[test]
    fn durations() {
        assert!(check("duration", "1h30m"));
        assert!(check("duration", "-1.5s"));
        assert!(check("duration", "0"));
        assert!(check("duration", "3 days"));
        assert!(check("duration", "2 weeks"));
        assert!(!check("duration", "3 parsecs"));
        assert!(!check("duration", "abc"));
        assert!(!check("duration", ""));
        assert_eq!(go_parse_duration("1m30s"), Some(90_000_000_000));
        assert_eq!(go_parse_duration(".5ms"), Some(500_000));
        assert_eq!(go_parse_duration("5"), None);
    }

    #[test]
    fn network_formats() {
        assert!(check("ipv4", "10.0.0.1"));
        assert!(check("ipv4", "010.000.000.001"));
        assert!(!check("ipv4", "256.0.0.1"));
        assert!(!check("ipv4", "::1"));
        assert!(check("ipv4", "::ffff:1.2.3.4"));
        assert!(check("ipv6", "2001:db8::1"));
        assert!(!check("ipv6", "1.2.3.4"));
        assert!(!check("ipv6", "fe80::1%eth0"));
        assert!(check("cidr", "10.0.0.0/8"));
        assert!(check("cidr", "2001:db8::/32"));
        assert!(!check("cidr", "10.0.0.0/33"));
        assert!(!check("cidr", "10.0.0.0"));
        assert!(check("mac", "01:23:45:67:89:ab"));
        assert!(check("mac", "01-23-45-67-89-AB"));
        assert!(check("mac", "0123.4567.89ab"));
        assert!(!check("mac", "01:23:45:67:89"));
        assert!(check("hostname", "example.com"));
        assert!(check("hostname", "localhost"));
        assert!(!check("hostname", "-bad.example.com"));
        assert!(!check("hostname", "a_b.com"));
        assert!(check("uri", "https://example.com/a%20b?q=1"));
        assert!(check("uri", "/just/a/path"));
        assert!(check("uri", "mailto:someone"));
        assert!(!check("uri", "relative/path"));
        assert!(!check("uri", "http://example.com/%zz"));
        assert!(!check("uri", "http://host:port/"));
        assert!(check("email", "someone@example.com"));
        assert!(check("email", "Some One <someone@example.com>"));
        assert!(!check("email", "not-an-email"));
        assert!(!check("email", "a@@b"));
    }

    #[test]
    fn identifiers_and_codes() {
        assert!(check("uuid", "123e4567-e89b-12d3-a456-426614174000"));
        assert!(check("uuid", "123E4567E89B12D3A456426614174000"));
        assert!(!check("uuid", "123e4567"));
        assert!(check("uuid4", "123e4567-e89b-42d3-a456-426614174000"));
        assert!(!check("uuid4", "123e4567-e89b-12d3-a456-426614174000"));
        assert!(check("uuid3", "123e4567-e89b-32d3-a456-426614174000"));
        assert!(check("uuid5", "123e4567-e89b-52d3-a456-426614174000"));
        assert!(check("bsonobjectid", "507f1f77bcf86cd799439011"));
        assert!(!check("bsonobjectid", "507f1f77bcf86cd79943901g"));
        assert!(check("isbn10", "0321751043"));
        assert!(check("isbn13", "978-0321751041"));
        assert!(!check("isbn10", "0321751044"));
        assert!(check("isbn", "978-0321751041"));
        assert!(check("creditcard", "4111 1111 1111 1111"));
        assert!(!check("creditcard", "4111 1111 1111 1112"));
        assert!(check("ssn", "123-45-6789"));
        assert!(!check("ssn", "123456789"));
        assert!(check("hexcolor", "#FFF"));
        assert!(!check("hexcolor", "#FFFF"));
        assert!(check("rgbcolor", "rgb(255, 0, 10)"));
        assert!(!check("rgbcolor", "rgb(256,0,0)"));
        assert!(check("byte", "aGVsbG8="));
        assert!(!check("byte", "aGVsbG8"));
        assert!(!check("byte", ""));
        assert!(check("password", "anything"));
        assert!(check("k8s-short-name", "my-name"));
        assert!(!check("k8s-short-name", "My-name"));
        assert!(!check("k8s-short-name", &"a".repeat(64)));
        assert!(check("k8s-long-name", "a.b-c.d"));
        assert!(!check("k8s-long-name", "a..b"));
        assert!(check("quantity", "10Gi"));
        assert!(!check("quantity", "10Gb"));
    }

    #[test]
    fn all_static_patterns_compile() {
        for re in [
            &UUID,
            &UUID3,
            &UUID4,
            &UUID5,
            &SSN,
            &HEX_COLOR,
            &RGB_COLOR,
            &BASE64,
            &HOSTNAME,
            &SHORT_NAME,
            &LONG_NAME,
            &CREDIT_CARD,
            &DATE_TIME_TAIL,
            &DURATION_TOKEN,
        ] {
            assert!(re.is_some());
        }
    }
}
