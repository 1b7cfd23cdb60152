//! What a real API server does to a `metav1.Time` or `metav1.MicroTime` field when it
//! decodes the request JSON and encodes it again: the value goes through
//! `(*Time).UnmarshalJSON` (`json.Unmarshal` into a Go string, then `time.Parse`) and back
//! through `Time.MarshalJSON` (`t.UTC().Format(...)`, or `null` for the zero time).
//!
//! This is a port of the parts of Go's `time` package those two layouts reach
//! (`src/time/format.go`: `Parse`, `parse`, `skip`, `getnum`, `atoi`, `leadingInt`,
//! `parseNanoseconds`, `ParseError.Error`, `quote`; `src/time/format_rfc3339.go`:
//! `parseRFC3339`, `appendFormatRFC3339`), so that both the stored text and the error
//! texts agree with Go's byte for byte.

use serde_json::Value;

#[path = "go_time_parse.rs"]
mod parse;

use parse::{RFC3339_CHUNKS, RFC3339_MICRO_CHUNKS, parse, parse_rfc3339};

/// `time.RFC3339`, the layout of `metav1.Time`.
const RFC3339: &str = "2006-01-02T15:04:05Z07:00";
/// `metav1.RFC3339Micro`, the layout of `metav1.MicroTime`.
const RFC3339_MICRO: &str = "2006-01-02T15:04:05.000000Z07:00";

/// `metav1.Time`: the stored text for a JSON value, or the decoder's error text.
///
/// `null` and any value whose instant is Go's zero time (`0001-01-01T00:00:00Z`) give
/// `Ok(None)`: `MarshalJSON` writes `null` for them.
pub(crate) fn canonical_time(value: &Value) -> Result<Option<String>, String> {
    // (*metav1.Time).UnmarshalJSON
    let Some(text) = unmarshal_string(value)? else {
        return Ok(None);
    };
    // time.Parse(time.RFC3339, str): the parseRFC3339 fast path, then the general parse.
    let t = parse_rfc3339(text.as_bytes()).map_or_else(|| parse(&RFC3339_CHUNKS, text), Ok)?;
    // metav1.Time.MarshalJSON: `t.UTC().AppendFormat(buf, time.RFC3339)`.
    Ok((!t.is_zero()).then(|| format_utc(&t, false)))
}

/// `metav1.MicroTime`: the same for a MicroTime field (e.g. events.k8s.io Event.eventTime).
///
/// Parsing uses `RFC3339Micro` (exactly six fraction digits, no `time.Parse` fast path);
/// the stored text is UTC with six fraction digits (`t.UTC().Format(RFC3339Micro)`).
pub(crate) fn canonical_micro_time(value: &Value) -> Result<Option<String>, String> {
    // (*metav1.MicroTime).UnmarshalJSON
    let Some(text) = unmarshal_string(value)? else {
        return Ok(None);
    };
    // time.Parse(RFC3339Micro, str): not RFC3339, so only the general parse.
    let t = parse(&RFC3339_MICRO_CHUNKS, text)?;
    // metav1.MicroTime.MarshalJSON: `json.Marshal(t.UTC().Format(RFC3339Micro))`.
    Ok((!t.is_zero()).then(|| format_utc(&t, true)))
}

/// The `null` check of `UnmarshalJSON`, then `json.Unmarshal(b, &str)`: a non-string value
/// gives `encoding/json`'s `UnmarshalTypeError` text (its `Value` names the JSON kind).
fn unmarshal_string(value: &Value) -> Result<Option<&str>, String> {
    let kind = match value {
        Value::Null => return Ok(None),
        Value::String(s) => return Ok(Some(s)),
        other => super::json_decode::json_kind(other),
    };
    Err(format!(
        "json: cannot unmarshal {kind} into Go value of type string"
    ))
}

/// A parsed time: the wall clock read in the input and its zone offset (seconds east).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct GoTime {
    /// Year as written (0..=9999 after parsing).
    year: i64,
    /// Month 1..=12.
    month: i64,
    /// Day of the month, valid for `month` and `year`.
    day: i64,
    /// Hour 0..=23.
    hour: i64,
    /// Minute 0..=59.
    min: i64,
    /// Second 0..=59.
    sec: i64,
    /// Nanoseconds 0..=999_999_999.
    nsec: i64,
    /// Zone offset in seconds east of UTC (0 for `Z`).
    offset: i64,
}

/// Seconds from 1970-01-01T00:00:00Z to Go's zero time, January 1, year 1, 00:00:00 UTC.
const ZERO_TIME_UNIX: i64 = -62_135_596_800;

impl GoTime {
    /// Seconds since the Unix epoch of this instant (`Date(...)` then `addSec(-offset)`).
    fn unix(&self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * 86_400
            + self.hour * 3_600
            + self.min * 60
            + self.sec
            - self.offset
    }

    /// `Time.IsZero`: the instant is January 1, year 1, 00:00:00.000000000 UTC.
    fn is_zero(&self) -> bool {
        self.unix() == ZERO_TIME_UNIX && self.nsec == 0
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (any year, including 0 and negative).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian (year, month, day) of a count of days since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Go's `isLeap`.
fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Go's `daysIn(month, year)`; 0 for a month outside 1..=12.
fn days_in(month: i64, year: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => 0,
    }
}

/// `appendInt(b, x, width)`: decimal, zero-padded to `width` digits, `-` before the padding.
fn append_int(out: &mut String, x: i64, width: usize) {
    if x < 0 {
        out.push('-');
    }
    let digits = x.unsigned_abs().to_string();
    for _ in digits.len()..width {
        out.push('0');
    }
    out.push_str(&digits);
}

/// `t.UTC().Format(time.RFC3339)` (`appendFormatRFC3339` without nanoseconds) or, with
/// `micro`, `t.UTC().Format(RFC3339Micro)` (`appendFormat`; `appendNano` truncates to six
/// digits). The year is `appendInt(year, 4)`: `-0001`, `10000` and the like for instants
/// that UTC conversion moves out of 0..=9999.
fn format_utc(t: &GoTime, micro: bool) -> String {
    let unix = t.unix();
    let (year, month, day) = civil_from_days(unix.div_euclid(86_400));
    let secs = unix.rem_euclid(86_400);
    let mut out = String::with_capacity(32);
    append_int(&mut out, year, 4);
    out.push('-');
    append_int(&mut out, month, 2);
    out.push('-');
    append_int(&mut out, day, 2);
    out.push('T');
    append_int(&mut out, secs / 3_600, 2);
    out.push(':');
    append_int(&mut out, secs / 60 % 60, 2);
    out.push(':');
    append_int(&mut out, secs % 60, 2);
    if micro {
        out.push('.');
        append_int(&mut out, t.nsec / 1_000, 6);
    }
    out.push('Z');
    out
}

/// Whether `text` is a `metav1.Time` exactly as the server writes it (UTC, seconds, not the
/// zero time), so that decoding would give it back unchanged; what most writes carry.
pub(crate) fn is_canonical_time(text: &str) -> bool {
    text.len() == 20
        && text.ends_with('Z')
        && parse_rfc3339(text.as_bytes())
            .is_some_and(|t| t.offset == 0 && t.nsec == 0 && !t.is_zero())
}

/// The same for a `metav1.MicroTime` (six fraction digits).
pub(crate) fn is_canonical_micro_time(text: &str) -> bool {
    text.len() == 27
        && text.as_bytes().get(19) == Some(&b'.')
        && text.ends_with('Z')
        && parse(&RFC3339_MICRO_CHUNKS, text).is_ok_and(|t| t.offset == 0 && !t.is_zero())
}

#[cfg(test)]
#[path = "go_time_tests.rs"]
mod tests;
