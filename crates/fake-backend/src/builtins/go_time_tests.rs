use super::parse::quote;
use super::*;
use k8s_openapi::jiff;
use proptest::prelude::*;
use serde_json::json;

/// `canonical_time` of a JSON string.
fn time(s: &str) -> Result<Option<String>, String> {
    canonical_time(&json!(s))
}

/// `canonical_micro_time` of a JSON string.
fn micro(s: &str) -> Result<Option<String>, String> {
    canonical_micro_time(&json!(s))
}

/// The stored text of a value that parses.
fn stored(r: Result<Option<String>, String>) -> String {
    match r {
        Ok(Some(s)) => s,
        other => panic!("expected a stored time, got {other:?}"),
    }
}

/// The error text of a value that does not parse.
fn error(r: Result<Option<String>, String>) -> String {
    match r {
        Err(e) => e,
        other => panic!("expected an error, got {other:?}"),
    }
}

/// `time.Parse(time.RFC3339, s)`, through the fast path first as Go's `Parse` does.
fn go_parse_rfc3339(s: &str) -> Result<GoTime, String> {
    parse_rfc3339(s.as_bytes()).map_or_else(|| parse(&RFC3339_CHUNKS, s), Ok)
}

// ---- Go src/time/format_test.go ----

/// `parseErrorTests` entries with layout `RFC3339` (issues 4493, 54569, 45391, 54570); the
/// expected strings are Go's.
#[test]
fn go_parse_error_tests_rfc3339() {
    let cases = [
        (
            "2006-01-02T15:04:05Z07:00",
            r#"parsing time "2006-01-02T15:04:05Z07:00": extra text: "07:00""#,
        ),
        (
            "2006-01-02T15:04_abc",
            r#"parsing time "2006-01-02T15:04_abc" as "2006-01-02T15:04:05Z07:00": cannot parse "_abc" as ":""#,
        ),
        (
            "2006-01-02T15:04:05_abc",
            r#"parsing time "2006-01-02T15:04:05_abc" as "2006-01-02T15:04:05Z07:00": cannot parse "_abc" as "Z07:00""#,
        ),
        (
            "2006-01-02T15:04:05Z_abc",
            r#"parsing time "2006-01-02T15:04:05Z_abc": extra text: "_abc""#,
        ),
        (
            "0000-01-01T00:00:.0+00:00",
            r#"parsing time "0000-01-01T00:00:.0+00:00" as "2006-01-02T15:04:05Z07:00": cannot parse ".0+00:00" as "05""#,
        ),
        (
            "\"",
            r#"parsing time "\"" as "2006-01-02T15:04:05Z07:00": cannot parse "\"" as "2006""#,
        ),
        (
            "0000-01-01T00:00:00+00:+0",
            r#"parsing time "0000-01-01T00:00:00+00:+0" as "2006-01-02T15:04:05Z07:00": cannot parse "+00:+0" as "Z07:00""#,
        ),
        (
            "0000-01-01T00:00:00+-0:00",
            r#"parsing time "0000-01-01T00:00:00+-0:00" as "2006-01-02T15:04:05Z07:00": cannot parse "+-0:00" as "Z07:00""#,
        ),
    ];
    for (value, want) in cases {
        assert_eq!(error(time(value)), want, "{value:?}");
    }
    // Go only checks these contain the text.
    let e = error(time("2010-02-04T21:00:67.012345678-08:00"));
    assert!(e.contains("second out of range"), "{e}");
}

/// Issue 56730's "2006-01-02" / "22-10-25" case, whose first chunk is RFC3339's too, and the
/// "Z07:00" offset range cases of `parseErrorTests` (issue 67470).
#[test]
fn go_parse_error_tests_year_and_offset_range() {
    assert_eq!(
        error(time("22-10-25")),
        r#"parsing time "22-10-25" as "2006-01-02T15:04:05Z07:00": cannot parse "22-10-25" as "2006""#
    );
    let e = error(time("2024-01-01T00:00:00+25:00"));
    assert!(e.contains("time zone offset hour out of range"), "{e}");
    let e = error(time("2024-01-01T00:00:00-23:61"));
    assert!(e.contains("time zone offset minute out of range"), "{e}");
}

/// `TestQuote` (issue 45391).
#[test]
fn go_quote() {
    let cases = [
        ("\"", r#""\"""#),
        ("abc\"xyz\"", r#""abc\"xyz\"""#),
        ("", r#""""#),
        ("abc", r#""abc""#),
        ("☺", r#""\xe2\x98\xba""#),
        (
            "☺ hello ☺ hello",
            r#""\xe2\x98\xba hello \xe2\x98\xba hello""#,
        ),
        ("\x04", r#""\x04""#),
    ];
    for (s, want) in cases {
        assert_eq!(quote(s.as_bytes()), want, "{s:?}");
    }
}

/// `parseTests` entries for `RFC3339` (Thu Feb 4 21:00:57 PST 2010, nine fraction digits)
/// and `rfc3339Formats`, read back in UTC.
#[test]
fn go_parse_tests_rfc3339() {
    for v in [
        "2010-02-04T21:00:57-08:00",
        "2010-02-04T21:00:57.012345678-08:00",
    ] {
        assert_eq!(stored(time(v)), "2010-02-05T05:00:57Z", "{v}");
    }
    let Ok(t) = go_parse_rfc3339("2010-02-04T21:00:57.012345678-08:00") else {
        panic!("does not parse");
    };
    assert_eq!((t.nsec, t.offset), (12_345_678, -28_800));
    let cases = [
        ("2008-09-17T20:04:26Z", "2008-09-17T20:04:26Z"),
        ("1994-09-17T20:04:26-05:00", "1994-09-18T01:04:26Z"),
        ("2000-12-26T01:15:06+04:20", "2000-12-25T20:55:06Z"),
    ];
    for (v, want) in cases {
        assert_eq!(stored(time(v)), want, "{v}");
    }
}

/// `longFractionalDigitsTests` (issues 48685 and 54567): any number of digits, truncated to
/// nanoseconds.
#[test]
fn go_long_fractional_digits() {
    let cases = [
        ("2021-09-29T16:04:33.000000000Z", 0),
        ("2021-09-29T16:04:33.000000001Z", 1),
        ("2021-09-29T16:04:33.100000000Z", 100_000_000),
        ("2021-09-29T16:04:33.100000001Z", 100_000_001),
        ("2021-09-29T16:04:33.999999999Z", 999_999_999),
        ("2021-09-29T16:04:33.012345678Z", 12_345_678),
        ("2021-09-29T16:04:33.0000000000Z", 0),
        ("2021-09-29T16:04:33.0000000001Z", 0),
        ("2021-09-29T16:04:33.1000000000Z", 100_000_000),
        ("2021-09-29T16:04:33.1000000009Z", 100_000_000),
        ("2021-09-29T16:04:33.9999999999Z", 999_999_999),
        ("2021-09-29T16:04:33.0123456789Z", 12_345_678),
        ("2021-09-29T16:04:33.10000000000Z", 100_000_000),
        ("2021-09-29T16:04:33.00123456789Z", 1_234_567),
        ("2021-09-29T16:04:33.000123456789Z", 123_456),
        ("2021-09-29T16:04:33.9999999999999999Z", 999_999_999),
    ];
    for (v, want) in cases {
        assert_eq!(go_parse_rfc3339(v).map(|t| t.nsec), Ok(want), "{v}");
        // The general parser agrees with the fast path.
        assert_eq!(parse(&RFC3339_CHUNKS, v).map(|t| t.nsec), Ok(want), "{v}");
        assert_eq!(stored(time(v)), "2021-09-29T16:04:33Z");
    }
}

/// `dayOutOfRangeTests` and `monthOutOfRangeTests`, with the dates in RFC3339.
#[test]
fn go_day_and_month_out_of_range() {
    let days = [
        ("2010-01-99", false),
        ("2010-01-31", true),
        ("2010-01-32", false),
        ("2012-02-28", true),
        ("2012-02-29", true),
        ("2010-02-29", false),
        ("2010-03-31", true),
        ("2010-03-32", false),
        ("2010-04-30", true),
        ("2010-04-31", false),
        ("2010-05-31", true),
        ("2010-05-32", false),
        ("2010-06-30", true),
        ("2010-06-31", false),
        ("2010-07-31", true),
        ("2010-07-32", false),
        ("2010-08-31", true),
        ("2010-08-32", false),
        ("2010-09-30", true),
        ("2010-09-31", false),
        ("2010-10-31", true),
        ("2010-10-32", false),
        ("2010-11-30", true),
        ("2010-11-31", false),
        ("2010-12-31", true),
        ("2010-12-32", false),
        ("2010-12-00", false),
        // Century rules.
        ("1900-02-29", false),
        ("2000-02-29", true),
    ];
    for (date, ok) in days {
        let v = format!("{date}T21:00:57Z");
        match time(&v) {
            Ok(Some(s)) if ok => assert_eq!(s, v),
            Err(e) if !ok => assert_eq!(e, format!("parsing time \"{v}\": day out of range")),
            other => panic!("{v}: {other:?}"),
        }
    }
    for m in ["00", "13"] {
        let v = format!("2010-{m}-01T00:00:00Z");
        assert_eq!(
            error(time(&v)),
            format!("parsing time \"{v}\": month out of range")
        );
    }
}

// ---- k8s.io/apimachinery pkg/apis/meta/v1 time_test.go and micro_time_test.go ----

/// `TestTimeUnmarshalJSON` then `TestTimeMarshalJSON`: null stays unset, the fraction is
/// dropped on the way out; `TestTimeMarshalYAML`'s -04:00 zone and the CBOR tests' epoch,
/// pre-epoch and malformed cases.
#[test]
fn apimachinery_time_round_trips() {
    assert_eq!(canonical_time(&Value::Null), Ok(None));
    assert_eq!(stored(time("1998-05-05T05:05:05Z")), "1998-05-05T05:05:05Z");
    assert_eq!(
        stored(time("1998-05-05T05:05:05.123456789Z")),
        "1998-05-05T05:05:05Z"
    );
    assert_eq!(
        stored(time("1998-05-05T01:05:05.00000005-04:00")),
        "1998-05-05T05:05:05Z"
    );
    assert_eq!(stored(time("1970-01-01T00:00:00Z")), "1970-01-01T00:00:00Z");
    assert_eq!(stored(time("1960-01-01T00:00:00Z")), "1960-01-01T00:00:00Z");
    assert_eq!(
        error(time("hello")),
        r#"parsing time "hello" as "2006-01-02T15:04:05Z07:00": cannot parse "hello" as "2006""#
    );
}

/// `TestMicroTimeUnmarshalJSON` / `TestMicroTimeMarshalJSON` / `TestMicroTimeMarshalYAML`
/// and the CBOR malformed case.
#[test]
fn apimachinery_micro_time_round_trips() {
    assert_eq!(canonical_micro_time(&Value::Null), Ok(None));
    assert_eq!(
        stored(micro("1998-05-05T05:05:05.000000Z")),
        "1998-05-05T05:05:05.000000Z"
    );
    assert_eq!(
        stored(micro("1998-05-05T01:05:05.000000-04:00")),
        "1998-05-05T05:05:05.000000Z"
    );
    assert_eq!(
        error(micro("hello")),
        r#"parsing time "hello" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "hello" as "2006""#
    );
}

// ---- Derived from reading format.go / time.go (no Go test states these texts) ----

/// `json.Unmarshal(b, &str)` of a non-string: `UnmarshalTypeError` with the JSON kind.
#[test]
fn non_string_values_are_type_errors() {
    for (v, kind) in [
        (json!(1), "number"),
        (json!(1.5), "number"),
        (json!(true), "bool"),
        (json!([]), "array"),
        (json!({"a": 1}), "object"),
    ] {
        let want = format!("json: cannot unmarshal {kind} into Go value of type string");
        assert_eq!(canonical_time(&v), Err(want.clone()));
        assert_eq!(canonical_micro_time(&v), Err(want));
    }
}

/// Go's zero time marshals as `null`, however it is written; a fraction makes it non-zero.
#[test]
fn zero_time_is_unset() {
    assert_eq!(time("0001-01-01T00:00:00Z"), Ok(None));
    assert_eq!(time("0001-01-01T01:00:00+01:00"), Ok(None));
    assert_eq!(time("0000-12-31T23:00:00-01:00"), Ok(None));
    assert_eq!(
        stored(time("0001-01-01T00:00:00.5Z")),
        "0001-01-01T00:00:00Z"
    );
    assert_eq!(micro("0001-01-01T00:00:00.000000Z"), Ok(None));
    assert_eq!(
        stored(micro("0001-01-01T00:00:00.000001Z")),
        "0001-01-01T00:00:00.000001Z"
    );
}

/// `appendInt(year, 4)` for years that UTC conversion moves out of 0..=9999.
#[test]
fn years_outside_four_digits() {
    assert_eq!(stored(time("0000-01-01T00:00:00Z")), "0000-01-01T00:00:00Z");
    assert_eq!(
        stored(time("0000-01-01T00:00:00+01:00")),
        "-0001-12-31T23:00:00Z"
    );
    assert_eq!(
        stored(time("9999-12-31T23:00:00-01:00")),
        "10000-01-01T00:00:00Z"
    );
    assert_eq!(
        stored(micro("9999-12-31T23:59:59.999999-00:01")),
        "10000-01-01T00:00:59.999999Z"
    );
}

/// Error texts of the general `parse` for realistic bad `metav1.Time` values.
#[test]
fn time_parse_errors() {
    const AS: &str = r#" as "2006-01-02T15:04:05Z07:00": cannot parse "#;
    let cannot = [
        ("", "\"\" as \"2006\""),
        ("abc", "\"abc\" as \"2006\""),
        (
            "2o24-01-01T00:00:00Z",
            "\"2o24-01-01T00:00:00Z\" as \"2006\"",
        ),
        ("2024/01/01T00:00:00Z", "\"/01/01T00:00:00Z\" as \"-\""),
        ("2024-1-01T00:00:00Z", "\"1-01T00:00:00Z\" as \"01\""),
        ("2024-01-1T00:00:00Z", "\"1T00:00:00Z\" as \"02\""),
        ("2024-01-01", "\"\" as \"T\""),
        ("2024-01-01 00:00:00Z", "\" 00:00:00Z\" as \"T\""),
        ("2024-01-01t00:00:00Z", "\"t00:00:00Z\" as \"T\""),
        ("2024-01-01T00:00Z", "\"Z\" as \":\""),
        ("2024-01-01T00:0:00Z", "\"0:00Z\" as \"04\""),
        ("2024-01-01T00:00:0Z", "\"0Z\" as \"05\""),
        ("2024-01-01T123:00:00Z", "\"3:00:00Z\" as \":\""),
        ("2024-01-01T00:00:00", "\"\" as \"Z07:00\""),
        ("2024-01-01T00:00:00z", "\"z\" as \"Z07:00\""),
        ("2024-01-01T00:00:00+0100", "\"+0100\" as \"Z07:00\""),
        ("2024-01-01T00:00:00+01", "\"+01\" as \"Z07:00\""),
        ("2024-01-01T00:00:00x01:00", "\"x01:00\" as \"Z07:00\""),
        ("2024-01-01T00:00:00+ab:00", "\"+ab:00\" as \"Z07:00\""),
        ("2024-01-01T00:00:00.Z", "\".Z\" as \"Z07:00\""),
    ];
    for (v, tail) in cannot {
        assert_eq!(error(time(v)), format!("parsing time \"{v}\"{AS}{tail}"));
    }
    let range = [
        ("2024-01-01T24:00:00Z", "hour"),
        ("2024-01-01T00:60:00Z", "minute"),
        ("2024-01-01T00:00:60Z", "second"),
        ("2024-01-01T00:00:00+25:00", "time zone offset hour"),
        ("2024-01-01T00:00:00+00:61", "time zone offset minute"),
        // The range check comes before the sign check.
        ("2024-01-01T00:00:00x25:00", "time zone offset hour"),
    ];
    for (v, what) in range {
        assert_eq!(
            error(time(v)),
            format!("parsing time \"{v}\": {what} out of range")
        );
    }
    assert_eq!(
        error(time("2024-01-01T00:00:00+01:00 ")),
        r#"parsing time "2024-01-01T00:00:00+01:00 ": extra text: " ""#
    );
    assert_eq!(
        error(time("2024-01-01T00:00:00Zé\n")),
        r#"parsing time "2024-01-01T00:00:00Z\xc3\xa9\x0a": extra text: "\xc3\xa9\x0a""#
    );
    // Extra text is reported before the day, which is checked last.
    assert_eq!(
        error(time("2023-02-29T00:00:00Zx")),
        r#"parsing time "2023-02-29T00:00:00Zx": extra text: "x""#
    );
}

/// What the general `parse` accepts beyond the RFC3339 fast path.
#[test]
fn time_lenient_forms() {
    let cases = [
        ("2024-01-01T1:02:03Z", "2024-01-01T01:02:03Z"),
        ("2024-01-01T00:00:00,5Z", "2024-01-01T00:00:00Z"),
        ("2024-01-02T00:00:00+24:00", "2024-01-01T00:00:00Z"),
        ("2024-01-02T00:00:00+23:60", "2024-01-01T00:00:00Z"),
        ("2024-01-01T00:00:00-00:00", "2024-01-01T00:00:00Z"),
        (
            "2024-06-30T23:59:59.999999999+05:30",
            "2024-06-30T18:29:59Z",
        ),
        ("2024-02-29T12:00:00Z", "2024-02-29T12:00:00Z"),
    ];
    for (v, want) in cases {
        assert_eq!(stored(time(v)), want, "{v}");
    }
}

/// `RFC3339Micro`: exactly six fraction digits ("." or ","), always written back.
#[test]
fn micro_time_parse() {
    const AS: &str = r#" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "#;
    let cannot = [
        ("2024-01-01T00:00:00Z", "\"Z\" as \".000000\""),
        ("2024-01-01T00:00:00.123Z", "\".123Z\" as \".000000\""),
        ("2024-01-01T00:00:00.12345Z", "\".12345Z\" as \".000000\""),
        ("2024-01-01T00:00:00.123456789Z", "\"789Z\" as \"Z07:00\""),
        ("2024-01-01T00:00:00x123456Z", "\"x123456Z\" as \".000000\""),
        ("2024-01-01T00:00:00.123456", "\"\" as \"Z07:00\""),
    ];
    for (v, tail) in cannot {
        assert_eq!(error(micro(v)), format!("parsing time \"{v}\"{AS}{tail}"));
    }
    assert_eq!(
        error(micro("2024-01-01T00:00:00.-12345Z")),
        r#"parsing time "2024-01-01T00:00:00.-12345Z": fractional second out of range"#
    );
    let ok = [
        (
            "2024-01-01T00:00:00.123456+01:00",
            "2023-12-31T23:00:00.123456Z",
        ),
        ("2024-01-01T00:00:00,123456Z", "2024-01-01T00:00:00.123456Z"),
        // `atoi` takes a sign: ".+12345" is 12345 of six digits.
        ("2024-01-01T00:00:00.+12345Z", "2024-01-01T00:00:00.012345Z"),
        ("2024-01-01T1:00:00.000001Z", "2024-01-01T01:00:00.000001Z"),
    ];
    for (v, want) in ok {
        assert_eq!(stored(micro(v)), want, "{v}");
    }
}

proptest! {
    /// No input panics.
    #[test]
    fn never_panics(s in "\\PC{0,40}", t in "[0-9TZz:.,+ -]{0,40}") {
        let _ = time(&s);
        let _ = micro(&s);
        let _ = time(&t);
        let _ = micro(&t);
    }

    /// The fast path and the general parser agree, and the UTC instant and its text agree
    /// with jiff.
    #[test]
    fn agrees_with_jiff(
        y in 1_i64..=9998, mo in 1_i64..=12, d in 1_i64..=31,
        h in 0_i64..24, mi in 0_i64..60, s in 0_i64..60,
        frac in 0_i64..1_000_000_000, off_h in 0_i64..24, off_m in 0_i64..60, neg: bool,
    ) {
        let d = d.min(days_in(mo, y));
        let sign = if neg { '-' } else { '+' };
        let v = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{frac:09}{sign}{off_h:02}:{off_m:02}");
        let fast = parse_rfc3339(v.as_bytes());
        let slow = parse(&RFC3339_CHUNKS, &v);
        prop_assert_eq!(fast, slow.clone().ok());
        let t = slow.map_err(TestCaseError::fail)?;
        let ts: jiff::Timestamp = v.parse().map_err(|e| TestCaseError::fail(format!("{e}")))?;
        // jiff's seconds round toward zero before 1970; Go's (and ours) toward the past.
        let floor = ts.as_second() - i64::from(ts.subsec_nanosecond() < 0);
        prop_assert_eq!(t.unix(), floor);
        let want = ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        prop_assert_eq!(format_utc(&t, false), want);
    }
}

/// The shortcut the built-ins' decoding takes holds only for text decoding gives back as is.
#[test]
fn canonical_texts_are_recognised() {
    for (text, canonical) in [
        ("2026-01-02T03:04:05Z", true),
        ("2026-01-02T03:04:05.5Z", false),
        ("2026-01-02T03:04:05+00:00", false),
        ("2026-01-02t03:04:05Z", false),
        ("2026-02-30T03:04:05Z", false),
        ("0001-01-01T00:00:00Z", false),
        ("2026-01-02T03:04:05", false),
    ] {
        assert_eq!(is_canonical_time(text), canonical, "{text}");
        if canonical {
            assert_eq!(canonical_time(&json!(text)), Ok(Some(text.to_string())));
        }
    }
    for (text, canonical) in [
        ("2026-01-02T03:04:05.123456Z", true),
        ("2026-01-02T03:04:05.123Z", false),
        ("2026-01-02T03:04:05.123456+01:00", false),
        ("0001-01-01T00:00:00.000000Z", false),
        ("2026-13-02T03:04:05.123456Z", false),
    ] {
        assert_eq!(is_canonical_micro_time(text), canonical, "{text}");
        if canonical {
            assert_eq!(
                canonical_micro_time(&json!(text)),
                Ok(Some(text.to_string()))
            );
        }
    }
}
