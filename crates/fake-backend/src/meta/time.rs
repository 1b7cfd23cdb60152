//! Times as the API server writes and reads them (RFC 3339 at second precision), with the
//! last two conversions of each kind remembered per thread: a write stamps its own clock
//! reading more than once, and a run of writes shares its second.

use std::cell::RefCell;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;

/// A `Time` as the API server writes it (`%Y-%m-%dT%H:%M:%SZ`, as k8s-openapi serializes).
///
/// Every write stamps at least one time, and jiff's `strtime` interprets its format string on
/// each call; for years 0 to 9999 (every time a cluster sees) the digits of jiff's UTC
/// civil time are written directly instead, and other years go through `strtime`.
pub(crate) fn time_text(t: &Time) -> Result<String, String> {
    // The times a write formats (its own clock reading, twice; a request's creationTimestamp
    // and managedFields times) repeat.
    thread_local! {
        static RECENT: RefCell<RecentTwo<Timestamp, String>> = const { RefCell::new(RecentTwo::EMPTY) };
    }
    remembered(&RECENT, &t.0, |at| *at, || format_time(t))
}

/// The last two results of a conversion, most recently used first: what [`time_text`] and
/// [`parse_time`] keep per thread, since the times one write converts repeat, and so do those
/// of a run of writes (a fixture load, a controller's loop), which share their second.
struct RecentTwo<K, V>([Option<(K, V)>; 2]);

impl<K, V> RecentTwo<K, V> {
    const EMPTY: Self = Self([None, None]);
}

/// The result of `compute` for `key`: remembered in `cell` (`owned` makes the key to keep),
/// or computed (an error is not remembered).
fn remembered<K, V, Q, E>(
    cell: &'static std::thread::LocalKey<RefCell<RecentTwo<K, V>>>,
    key: &Q,
    owned: impl FnOnce(&Q) -> K,
    compute: impl FnOnce() -> Result<V, E>,
) -> Result<V, E>
where
    K: std::borrow::Borrow<Q>,
    Q: PartialEq + ?Sized,
    V: Clone,
{
    cell.with(|cell| {
        let Ok(mut recent) = cell.try_borrow_mut() else {
            return compute();
        };
        let slots = &mut recent.0;
        if let Some(i) = slots
            .iter()
            .position(|s| s.as_ref().is_some_and(|(k, _)| k.borrow() == key))
        {
            slots.swap(0, i);
            if let Some((_, v)) = &slots[0] {
                return Ok(v.clone());
            }
        }
        let v = compute()?;
        slots.swap(0, 1);
        slots[0] = Some((owned(key), v.clone()));
        Ok(v)
    })
}

/// [`time_text`] without the remembered texts.
fn format_time(t: &Time) -> Result<String, String> {
    let dt = k8s_openapi::jiff::tz::Offset::UTC.to_datetime(t.0);
    let year = match u32::try_from(dt.year()) {
        Ok(year) if year <= 9999 => year,
        _ => return strtime_text(t),
    };
    let mut text = String::with_capacity(20);
    push_digits(&mut text, year, 4);
    for (separator, n) in [
        ('-', dt.month()),
        ('-', dt.day()),
        ('T', dt.hour()),
        (':', dt.minute()),
        (':', dt.second()),
    ] {
        text.push(separator);
        // In range by jiff's types (month 1–12, …, second 0–59).
        push_digits(&mut text, u32::try_from(n).unwrap_or(0), 2);
    }
    text.push('Z');
    Ok(text)
}

/// Appends the last `width` decimal digits of `n`, zero-padded.
fn push_digits(text: &mut String, n: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = (n / 10u32.pow(place)) % 10;
        text.push(char::from_digit(digit, 10).unwrap_or('0'));
    }
}

fn strtime_text(t: &Time) -> Result<String, String> {
    k8s_openapi::jiff::fmt::strtime::format("%Y-%m-%dT%H:%M:%SZ", t.0).map_err(|e| e.to_string())
}

/// A time's text parsed by jiff (`None`: it does not parse), remembering the last two texts
/// ([`RecentTwo`]): an answer's managedFields times are the write's clock reading and its
/// creationTimestamp that reading or the object's creation; jiff's RFC 3339 parser was a
/// tenth of turning an answer into a `DynamicObject`.
pub(crate) fn parse_time(text: &str) -> Option<Timestamp> {
    thread_local! {
        static RECENT: RefCell<RecentTwo<String, Option<Timestamp>>> = const { RefCell::new(RecentTwo::EMPTY) };
    }
    let parsed = remembered(&RECENT, text, str::to_owned, || {
        Ok::<_, std::convert::Infallible>(text.parse::<Timestamp>().ok())
    });
    match parsed {
        Ok(t) => t,
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn a_remembered_time_parse_answers_as_jiff_does() {
        let texts = [
            "2024-01-02T03:04:05Z",
            "2024-01-02T03:04:05Z",
            "",
            "",
            "not a time",
            "2024-01-02T03:04:05Z",
            "2024-01-02T03:04:06Z",
            "2024-01-02T03:04:05.5+01:00",
            "not a time",
            "2024-01-02T03:04:05.5+01:00",
        ];
        for text in texts {
            assert_eq!(
                parse_time(text),
                text.parse::<k8s_openapi::jiff::Timestamp>().ok(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn time_text_matches_k8s_openapi_serde() {
        use k8s_openapi::jiff::Timestamp;
        let seconds = [
            0,
            1,
            59,
            86_399,
            951_782_400,   // 2000-02-29
            1_796_601_599, // 2026-12-06T23:59:59
            -1,
            -62_135_596_800, // 0001-01-01
            -62_167_219_200, // 0000-01-01
            -62_167_219_201, // year -1: strtime
            253_402_207_200, // 9999-12-30T22:00:00, the last second jiff represents
        ];
        for s in seconds {
            for nanos in [0, 999_999_999] {
                let t = Time(Timestamp::new(s, nanos).unwrap());
                let serde = serde_json::to_value(&t).unwrap();
                assert_eq!(Value::String(time_text(&t).unwrap()), serde, "{s}.{nanos}");
                // Again, from the remembered texts, and after another time.
                assert_eq!(Value::String(time_text(&t).unwrap()), serde, "{s}.{nanos}");
                let other = Time(Timestamp::new(s / 2, 0).unwrap());
                time_text(&other).unwrap();
                assert_eq!(Value::String(time_text(&t).unwrap()), serde, "{s}.{nanos}");
            }
        }
    }
}
