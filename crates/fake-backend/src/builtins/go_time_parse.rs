//! Go's `time.Parse` for the two layouts of `metav1.Time` and `metav1.MicroTime`
//! (`src/time/format.go`: `parse`, `skip`, `getnum`, `atoi`, `leadingInt`,
//! `parseNanoseconds`, `ParseError.Error`, `quote`; `src/time/format_rfc3339.go`:
//! `parseRFC3339`), so that the error texts agree with Go's byte for byte.

use super::{GoTime, RFC3339, RFC3339_MICRO, days_in};

/// The std chunks of `nextStdChunk` these two layouts are made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Std {
    /// `stdLongYear`, "2006".
    LongYear,
    /// `stdZeroMonth`, "01".
    ZeroMonth,
    /// `stdZeroDay`, "02".
    ZeroDay,
    /// `stdHour`, "15".
    Hour,
    /// `stdZeroMinute`, "04".
    ZeroMinute,
    /// `stdZeroSecond`, "05".
    ZeroSecond,
    /// `stdFracSecond0` with this many digits, ".000000".
    FracSecond0(usize),
    /// `stdISO8601ColonTZ`, "Z07:00".
    Iso8601ColonTz,
}

/// One step of `parse`'s loop: the literal `prefix`, then the std value (`None` at the end
/// of the layout) and its text `stdstr`, as `nextStdChunk` splits the layout.
struct Chunk {
    /// Literal layout text before the std value.
    prefix: &'static str,
    /// The std value, `None` once the layout is used up.
    std: Option<Std>,
    /// The layout text of the std value (`LayoutElem` of a `ParseError`).
    stdstr: &'static str,
}

/// A layout split into its chunks, with the layout text for error messages.
pub(super) struct Layout {
    /// The layout string (`ParseError.Layout`).
    text: &'static str,
    /// `nextStdChunk`'s successive results, ending with the `std == 0` chunk.
    chunks: &'static [Chunk],
}

/// Builds a [`Chunk`].
const fn chunk(prefix: &'static str, std: Option<Std>, stdstr: &'static str) -> Chunk {
    Chunk {
        prefix,
        std,
        stdstr,
    }
}

/// `time.RFC3339` as `nextStdChunk` sees it: `(2006)-(01)-(02)T(15):(04):(05)(Z07:00)`.
pub(super) static RFC3339_CHUNKS: Layout = Layout {
    text: RFC3339,
    chunks: &[
        chunk("", Some(Std::LongYear), "2006"),
        chunk("-", Some(Std::ZeroMonth), "01"),
        chunk("-", Some(Std::ZeroDay), "02"),
        chunk("T", Some(Std::Hour), "15"),
        chunk(":", Some(Std::ZeroMinute), "04"),
        chunk(":", Some(Std::ZeroSecond), "05"),
        chunk("", Some(Std::Iso8601ColonTz), "Z07:00"),
        chunk("", None, ""),
    ],
};

/// `RFC3339Micro`: `(2006)-(01)-(02)T(15):(04):(05)(.000000)(Z07:00)`.
pub(super) static RFC3339_MICRO_CHUNKS: Layout = Layout {
    text: RFC3339_MICRO,
    chunks: &[
        chunk("", Some(Std::LongYear), "2006"),
        chunk("-", Some(Std::ZeroMonth), "01"),
        chunk("-", Some(Std::ZeroDay), "02"),
        chunk("T", Some(Std::Hour), "15"),
        chunk(":", Some(Std::ZeroMinute), "04"),
        chunk(":", Some(Std::ZeroSecond), "05"),
        chunk("", Some(Std::FracSecond0(6)), ".000000"),
        chunk("", Some(Std::Iso8601ColonTz), "Z07:00"),
        chunk("", None, ""),
    ],
};

/// Go's `quote` (format.go): ASCII kept (with `"` and `\` escaped); every byte of a
/// non-ASCII character and every control byte below 0x20 written as `\xNN`.
pub(super) fn quote(s: &[u8]) -> String {
    const LOWERHEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for &b in s {
        if !(b' '..0x80).contains(&b) {
            out.push_str("\\x");
            out.push(char::from(LOWERHEX[usize::from(b >> 4)]));
            out.push(char::from(LOWERHEX[usize::from(b & 0xf)]));
        } else {
            if b == b'"' || b == b'\\' {
                out.push('\\');
            }
            out.push(char::from(b));
        }
    }
    out.push('"');
    out
}

/// `(*ParseError).Error()` of `newParseError(layout, value, layoutElem, valueElem, message)`.
fn parse_error(
    layout: &str,
    value: &[u8],
    layout_elem: &str,
    value_elem: &[u8],
    message: &str,
) -> String {
    if message.is_empty() {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            quote(value),
            quote(layout.as_bytes()),
            quote(value_elem),
            quote(layout_elem.as_bytes())
        )
    } else {
        format!("parsing time {}{message}", quote(value))
    }
}

/// Go's `isDigit(s, i)`.
fn is_digit(s: &[u8], i: usize) -> bool {
    s.get(i).is_some_and(u8::is_ascii_digit)
}

/// Go's `getnum(s, fixed)`: one or two digits (exactly two when `fixed`).
fn getnum(s: &[u8], fixed: bool) -> Option<(i64, &[u8])> {
    let (&d0, rest) = s.split_first()?;
    if !d0.is_ascii_digit() {
        return None;
    }
    let n0 = i64::from(d0 - b'0');
    match rest.split_first() {
        Some((&d1, rest)) if d1.is_ascii_digit() => Some((n0 * 10 + i64::from(d1 - b'0'), rest)),
        _ if fixed => None,
        _ => Some((n0, rest)),
    }
}

/// Go's `leadingInt`: the leading `[0-9]*` (`None` on overflow past 1<<63) and the rest.
fn leading_int(s: &[u8]) -> Option<(u64, &[u8])> {
    let mut x: u64 = 0;
    let mut i = 0;
    while let Some(&c) = s.get(i).filter(|c| c.is_ascii_digit()) {
        if x > (1 << 63) / 10 {
            return None;
        }
        x = x * 10 + u64::from(c - b'0');
        if x > 1 << 63 {
            return None;
        }
        i += 1;
    }
    Some((x, s.get(i..).unwrap_or_default()))
}

/// Go's `atoi`: an optional sign, then digits making up the whole string.
fn atoi(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, s),
    };
    let (q, rem) = leading_int(digits)?;
    if !rem.is_empty() {
        return None;
    }
    // `x = int(q)`: 1<<63 wraps, as in Go.
    let x = q as i64;
    Some(if neg { x.wrapping_neg() } else { x })
}

/// Go's `commaOrPeriod`.
fn comma_or_period(b: u8) -> bool {
    b == b'.' || b == b','
}

/// Go's `parseNanoseconds(value, nbytes)`: `Err(())` for a bad value, `Ok(Err(..))` for
/// "fractional second" out of range (a signed fraction such as `.-12345`).
fn parse_nanoseconds(value: &[u8], nbytes: usize) -> Result<Result<i64, &'static str>, ()> {
    if !value.first().copied().is_some_and(comma_or_period) {
        return Err(());
    }
    let nbytes = nbytes.min(10);
    let ns = atoi(value.get(1..nbytes).ok_or(())?).ok_or(())?;
    if ns < 0 {
        return Ok(Err("fractional second"));
    }
    // Scale by the missing digits: at most nine digits are kept.
    let scale = 10_i64.pow(u32::try_from(10 - nbytes).unwrap_or(0));
    Ok(Ok(ns.saturating_mul(scale)))
}

/// Go's `skip(value, prefix)` for a prefix without spaces (none of these layouts has one,
/// so the runs-of-spaces rule never applies): the value after the literal prefix, or on a
/// mismatch the value where it stopped.
fn skip<'a>(mut value: &'a [u8], prefix: &str) -> Result<&'a [u8], &'a [u8]> {
    for &p in prefix.as_bytes() {
        match value.split_first() {
            Some((&c, rest)) if c == p => value = rest,
            _ => return Err(value),
        }
    }
    Ok(value)
}

/// One std value's outcome in `parse`: `Ok("")`, `Ok(name)` for `rangeErrString` (which Go
/// reports before `err`), or `Err(())` for `errBad`.
type Step = Result<&'static str, ()>;

/// The `getnum` cases of `parse` (`stdZeroMonth`, `stdZeroDay`, `stdHour`, `stdZeroMinute`,
/// `stdZeroSecond`): the number into `slot`, `name` out of range unless within `range`.
fn getnum_step(
    value: &mut &[u8],
    slot: &mut i64,
    fixed: bool,
    range: std::ops::RangeInclusive<i64>,
    name: &'static str,
) -> Step {
    let (n, rest) = getnum(value, fixed).ok_or(())?;
    (*slot, *value) = (n, rest);
    Ok(if range.contains(&n) { "" } else { name })
}

/// The outcome of `parseNanoseconds` as a [`Step`], the nanoseconds into `nsec`.
fn nanos_step(value: &[u8], nbytes: usize, nsec: &mut i64) -> Step {
    match parse_nanoseconds(value, nbytes)? {
        Ok(ns) => {
            *nsec = ns;
            Ok("")
        }
        Err(range) => Ok(range),
    }
}

/// Go's `parse(layout, value, UTC, Local)` for these layouts (no weekday, yday, AM/PM, zone
/// names): the chunks in order, the std-specific checks, then "day out of range".
pub(super) fn parse(layout: &Layout, text: &str) -> Result<GoTime, String> {
    let avalue = text.as_bytes();
    let mut value = avalue;
    let err = |elem: &str, val: &[u8], msg: &str| parse_error(layout.text, avalue, elem, val, msg);
    let mut t = GoTime {
        month: -1,
        day: -1,
        ..GoTime::default()
    };
    for (i, c) in layout.chunks.iter().enumerate() {
        value = skip(value, c.prefix).map_err(|v| err(c.prefix, v, ""))?;
        let Some(std) = c.std else {
            if !value.is_empty() {
                return Err(err("", value, &format!(": extra text: {}", quote(value))));
            }
            break;
        };
        let hold = value;
        let step = match std {
            Std::LongYear => match value.split_at_checked(4).filter(|_| is_digit(value, 0)) {
                Some((p, rest)) => {
                    value = rest;
                    atoi(p).map(|y| t.year = y).map(|()| "").ok_or(())
                }
                None => Err(()),
            },
            Std::ZeroMonth => getnum_step(&mut value, &mut t.month, true, 1..=12, "month"),
            // Any two digits; the day is checked against the month at the end.
            Std::ZeroDay => getnum_step(&mut value, &mut t.day, true, 0..=99, ""),
            Std::Hour => getnum_step(&mut value, &mut t.hour, false, 0..=23, "hour"),
            Std::ZeroMinute => getnum_step(&mut value, &mut t.min, true, 0..=59, "minute"),
            Std::ZeroSecond => {
                let step = getnum_step(&mut value, &mut t.sec, true, 0..=59, "second");
                let next = layout.chunks.get(i + 1).and_then(|c| c.std);
                if step == Ok("")
                    && value.len() >= 2
                    && comma_or_period(value[0])
                    && is_digit(value, 1)
                    && !matches!(next, Some(Std::FracSecond0(_)))
                {
                    // A fraction the layout does not have: "." or "," and every digit that
                    // follows (unless the next chunk is itself a fraction).
                    let n = 2 + value
                        .iter()
                        .skip(2)
                        .take_while(|c| c.is_ascii_digit())
                        .count();
                    let step = nanos_step(value, n, &mut t.nsec);
                    value = value.get(n..).unwrap_or_default();
                    step
                } else {
                    step
                }
            }
            // Exactly as many digits as the layout has.
            Std::FracSecond0(digits) if value.len() > digits => {
                let step = nanos_step(value, 1 + digits, &mut t.nsec);
                value = value.get(1 + digits..).unwrap_or_default();
                step
            }
            Std::FracSecond0(_) => Err(()),
            Std::Iso8601ColonTz => parse_colon_offset(&mut value, &mut t.offset),
        };
        match step {
            Ok("") => {}
            Ok(range) => return Err(err(c.stdstr, value, &format!(": {range} out of range"))),
            Err(()) => return Err(err(c.stdstr, hold, "")),
        }
    }
    if t.month < 0 {
        t.month = 1;
    }
    if t.day < 0 {
        t.day = 1;
    }
    if t.day < 1 || t.day > days_in(t.month, t.year) {
        return Err(err("", value, ": day out of range"));
    }
    Ok(t)
}

/// The `stdISO8601ColonTZ` case of `parse`: `Z`, or a sign, two hour digits, `:`, two minute
/// digits. The range checks use `>` (offsets of 24 hours or 60 minutes pass) and win over
/// a bad sign or digits, as in Go.
fn parse_colon_offset(value: &mut &[u8], offset: &mut i64) -> Step {
    let v = *value;
    if let Some((b'Z', rest)) = v.split_first() {
        *value = rest;
        return Ok("");
    }
    if v.len() < 6 || v[3] != b':' {
        return Err(());
    }
    *value = &v[6..];
    let hr = getnum(&v[1..3], true).map(|(n, _)| n);
    let mn = hr.and_then(|_| getnum(&v[4..6], true).map(|(n, _)| n));
    let (h, m) = (hr.unwrap_or(0), mn.unwrap_or(0));
    let range = if m > 60 {
        "time zone offset minute"
    } else if h > 24 {
        "time zone offset hour"
    } else {
        ""
    };
    let secs = (h * 60 + m) * 60;
    *offset = match (mn.is_some(), v[0]) {
        (true, b'+') => secs,
        (true, b'-') => -secs,
        _ if range.is_empty() => return Err(()),
        _ => 0,
    };
    Ok(range)
}

/// `parseRFC3339` (format_rfc3339.go), the fast path `time.Parse` tries first for
/// `time.RFC3339`; `None` sends the value to the general `parse`.
pub(super) fn parse_rfc3339(s: &[u8]) -> Option<GoTime> {
    // parseUint: digits only and within [min, max].
    let uint = |b: &[u8], min: i64, max: i64| -> Option<i64> {
        let mut x: i64 = 0;
        for &c in b {
            if !c.is_ascii_digit() {
                return None;
            }
            x = x * 10 + i64::from(c - b'0');
        }
        (min..=max).contains(&x).then_some(x)
    };
    let head = s.get(..19)?;
    let year = uint(&head[0..4], 0, 9999)?;
    let month = uint(&head[5..7], 1, 12)?;
    let day = uint(&head[8..10], 1, days_in(month, year))?;
    let hour = uint(&head[11..13], 0, 23)?;
    let min = uint(&head[14..16], 0, 59)?;
    let sec = uint(&head[17..19], 0, 59)?;
    let seps = [head[4], head[7], head[10], head[13], head[16]];
    if seps != [b'-', b'-', b'T', b':', b':'] {
        return None;
    }
    let mut s = &s[19..];
    let mut nsec = 0;
    if s.len() >= 2 && s[0] == b'.' && is_digit(s, 1) {
        let n = 2 + s.iter().skip(2).take_while(|c| c.is_ascii_digit()).count();
        nsec = parse_nanoseconds(s, n).ok()?.ok()?;
        s = &s[n..];
    }
    let offset = if s == b"Z" {
        0
    } else {
        if s.len() != 6 {
            return None;
        }
        let hr = uint(&s[1..3], 0, 23)?;
        let mm = uint(&s[4..6], 0, 59)?;
        if s[3] != b':' {
            return None;
        }
        match s[0] {
            b'+' => (hr * 60 + mm) * 60,
            b'-' => -(hr * 60 + mm) * 60,
            _ => return None,
        }
    };
    Some(GoTime {
        year,
        month,
        day,
        hour,
        min,
        sec,
        nsec,
        offset,
    })
}
