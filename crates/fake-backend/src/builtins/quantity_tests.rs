//! Tests of the quantity port. The tables marked "Go:" are copied from
//! `k8s.io/apimachinery/pkg/api/resource` (quantity_test.go, amount_test.go) with their
//! expected values, so they check agreement with Go; the cases marked "source:" were worked
//! out by reading quantity.go, amount.go, suffix.go and inf.Dec, and have no Go test.

use serde_json::{Value, json};

use super::amount::{Dec, Int64Amount, remove_int64_factors};
use super::*;

/// Go's `dec(i, exponent)`: `i * 10^exponent` as an `inf.Dec`.
fn dec(i: i64, exponent: i32) -> Dec {
    let mut d = Dec::from_i64(i);
    d.set_scale(-exponent);
    d
}

/// Go's `decQuantity`.
fn dec_quantity(i: i64, exponent: i32, format: Format) -> Quantity {
    Quantity {
        amount: Amount::Dec(dec(i, exponent)),
        format,
        s: None,
    }
}

/// Go's `intQuantity`.
fn int_quantity(value: i64, scale: i32, format: Format) -> Quantity {
    Quantity {
        amount: Amount::Int(Int64Amount { value, scale }),
        format,
        s: None,
    }
}

fn parse(s: &str) -> Quantity {
    match parse_quantity(s) {
        Ok(q) => q,
        Err(e) => panic!("{s:?}: unexpected error: {e}"),
    }
}

fn emit(s: &str) -> String {
    parse(s).string()
}

fn negated(q: &Quantity) -> Quantity {
    Quantity {
        amount: Amount::Dec(q.amount.as_dec().negated()),
        format: q.format,
        s: None,
    }
}

use Format::{BinarySI, DecimalExponent, DecimalSI};

/// Go: TestQuantityParse's table (value and format), and its `-` and `+` variants.
#[test]
fn go_quantity_parse() {
    let max = Quantity {
        amount: Amount::Dec(Dec::max_allowed()),
        format: BinarySI,
        s: None,
    };
    let table: Vec<(&str, Quantity)> = vec![
        ("0", dec_quantity(0, 0, DecimalSI)),
        ("0n", dec_quantity(0, 0, DecimalSI)),
        ("0u", dec_quantity(0, 0, DecimalSI)),
        ("0m", dec_quantity(0, 0, DecimalSI)),
        ("0Ki", dec_quantity(0, 0, BinarySI)),
        ("0k", dec_quantity(0, 0, DecimalSI)),
        ("0Mi", dec_quantity(0, 0, BinarySI)),
        ("0M", dec_quantity(0, 0, DecimalSI)),
        ("0Gi", dec_quantity(0, 0, BinarySI)),
        ("0G", dec_quantity(0, 0, DecimalSI)),
        ("0Ti", dec_quantity(0, 0, BinarySI)),
        ("0T", dec_quantity(0, 0, DecimalSI)),
        // Quantity less numbers are allowed
        ("1", dec_quantity(1, 0, DecimalSI)),
        // Binary suffixes
        ("1Ki", dec_quantity(1024, 0, BinarySI)),
        ("8Ki", dec_quantity(8 * 1024, 0, BinarySI)),
        ("7Mi", dec_quantity(7 * 1024 * 1024, 0, BinarySI)),
        ("6Gi", dec_quantity(6 * 1024 * 1024 * 1024, 0, BinarySI)),
        ("5Ti", dec_quantity(5 * 1024_i64.pow(4), 0, BinarySI)),
        ("4Pi", dec_quantity(4 * 1024_i64.pow(5), 0, BinarySI)),
        ("3Ei", dec_quantity(3 * 1024_i64.pow(6), 0, BinarySI)),
        ("10Ti", dec_quantity(10 * 1024_i64.pow(4), 0, BinarySI)),
        ("100Ti", dec_quantity(100 * 1024_i64.pow(4), 0, BinarySI)),
        // Decimal suffixes
        ("5n", dec_quantity(5, -9, DecimalSI)),
        ("4u", dec_quantity(4, -6, DecimalSI)),
        ("3m", dec_quantity(3, -3, DecimalSI)),
        ("9", dec_quantity(9, 0, DecimalSI)),
        ("8k", dec_quantity(8, 3, DecimalSI)),
        ("50k", dec_quantity(5, 4, DecimalSI)),
        ("7M", dec_quantity(7, 6, DecimalSI)),
        ("6G", dec_quantity(6, 9, DecimalSI)),
        ("5T", dec_quantity(5, 12, DecimalSI)),
        ("40T", dec_quantity(4, 13, DecimalSI)),
        ("300T", dec_quantity(3, 14, DecimalSI)),
        ("2P", dec_quantity(2, 15, DecimalSI)),
        ("1E", dec_quantity(1, 18, DecimalSI)),
        // Decimal exponents
        ("1E-3", dec_quantity(1, -3, DecimalExponent)),
        ("1e3", dec_quantity(1, 3, DecimalExponent)),
        ("1E6", dec_quantity(1, 6, DecimalExponent)),
        ("1e9", dec_quantity(1, 9, DecimalExponent)),
        ("1E12", dec_quantity(1, 12, DecimalExponent)),
        ("1e15", dec_quantity(1, 15, DecimalExponent)),
        ("1E18", dec_quantity(1, 18, DecimalExponent)),
        // Nonstandard but still parsable
        ("1e14", dec_quantity(1, 14, DecimalExponent)),
        ("1e13", dec_quantity(1, 13, DecimalExponent)),
        ("1e3", dec_quantity(1, 3, DecimalExponent)),
        ("100.035k", dec_quantity(100035, 0, DecimalSI)),
        // Things that look like floating point
        ("0.001", dec_quantity(1, -3, DecimalSI)),
        ("0.0005k", dec_quantity(5, -1, DecimalSI)),
        ("0.005", dec_quantity(5, -3, DecimalSI)),
        ("0.05", dec_quantity(5, -2, DecimalSI)),
        ("0.5", dec_quantity(5, -1, DecimalSI)),
        ("0.00050k", dec_quantity(5, -1, DecimalSI)),
        ("0.00500", dec_quantity(5, -3, DecimalSI)),
        ("0.05000", dec_quantity(5, -2, DecimalSI)),
        ("0.50000", dec_quantity(5, -1, DecimalSI)),
        ("0.5e0", dec_quantity(5, -1, DecimalExponent)),
        ("0.5e-1", dec_quantity(5, -2, DecimalExponent)),
        ("0.5e-2", dec_quantity(5, -3, DecimalExponent)),
        ("0.5e0", dec_quantity(5, -1, DecimalExponent)),
        ("10.035M", dec_quantity(10035, 3, DecimalSI)),
        ("1.2e3", dec_quantity(12, 2, DecimalExponent)),
        ("1.3E+6", dec_quantity(13, 5, DecimalExponent)),
        ("1.40e9", dec_quantity(14, 8, DecimalExponent)),
        ("1.53E12", dec_quantity(153, 10, DecimalExponent)),
        ("1.6e15", dec_quantity(16, 14, DecimalExponent)),
        ("1.7E18", dec_quantity(17, 17, DecimalExponent)),
        ("9.01", dec_quantity(901, -2, DecimalSI)),
        ("8.1k", dec_quantity(81, 2, DecimalSI)),
        ("7.123456M", dec_quantity(7123456, 0, DecimalSI)),
        ("6.987654321G", dec_quantity(6987654321, 0, DecimalSI)),
        ("5.444T", dec_quantity(5444, 9, DecimalSI)),
        ("40.1T", dec_quantity(401, 11, DecimalSI)),
        ("300.2T", dec_quantity(3002, 11, DecimalSI)),
        ("2.5P", dec_quantity(25, 14, DecimalSI)),
        ("1.01E", dec_quantity(101, 16, DecimalSI)),
        // Things that saturate/round
        ("3.001n", dec_quantity(4, -9, DecimalSI)),
        ("1.1E-9", dec_quantity(2, -9, DecimalExponent)),
        ("0.0000000001", dec_quantity(1, -9, DecimalSI)),
        ("0.0000000005", dec_quantity(1, -9, DecimalSI)),
        ("0.00000000050", dec_quantity(1, -9, DecimalSI)),
        ("0.5e-9", dec_quantity(1, -9, DecimalExponent)),
        ("0.9n", dec_quantity(1, -9, DecimalSI)),
        ("0.00000012345", dec_quantity(124, -9, DecimalSI)),
        ("0.00000012354", dec_quantity(124, -9, DecimalSI)),
        ("9Ei", max.clone()),
        ("9223372036854775807Ki", max),
        ("12E", dec_quantity(12, 18, DecimalSI)),
        // We'll accept fractional binary stuff, too.
        ("100.035Ki", dec_quantity(10243584, -2, BinarySI)),
        ("0.5Mi", dec_quantity(512 * 1024, 0, BinarySI)),
        ("0.05Gi", dec_quantity(536870912, -1, BinarySI)),
        ("0.025Ti", dec_quantity(274877906944, -1, BinarySI)),
        // Things written by trolls
        ("0.000000000001Ki", dec_quantity(2, -9, DecimalSI)), // rounds up, changes format
        (".001", dec_quantity(1, -3, DecimalSI)),
        (".0001k", dec_quantity(100, -3, DecimalSI)),
        ("1.", dec_quantity(1, 0, DecimalSI)),
        ("1.G", dec_quantity(1, 9, DecimalSI)),
    ];
    for (input, expect) in &table {
        let want = expect.amount.as_dec();
        for (text, want) in [
            (input.to_string(), want.clone()),
            (format!("-{input}"), want.clone().negated()),
            (format!("+{input}"), want.clone()),
        ] {
            let got = parse(&text);
            assert_eq!(
                got.amount.as_dec().cmp_value(&want),
                Ordering::Equal,
                "{text}: got {got:?}"
            );
            assert_eq!(got.format, expect.format, "{text}");
        }
    }
}

/// Go: TestQuantityParse's invalid inputs (Go checks only that they fail; the error
/// each gets is from the source).
#[test]
fn go_quantity_parse_invalid() {
    for (input, err) in [
        ("", ERR_FORMAT_WRONG),
        ("1.1.M", ERR_FORMAT_WRONG),
        ("1+1.0M", ERR_FORMAT_WRONG),
        ("0.1mi", ERR_SUFFIX),
        ("0.1am", ERR_FORMAT_WRONG),
        ("aoeu", ERR_FORMAT_WRONG),
        (".5i", ERR_SUFFIX),
        ("1i", ERR_SUFFIX),
        ("-3.01i", ERR_SUFFIX),
        ("-3.01e-", ERR_SUFFIX),
        // trailing whitespace is forbidden
        (" 1", ERR_FORMAT_WRONG),
        ("1 ", ERR_FORMAT_WRONG),
    ] {
        assert_eq!(parse_quantity(input).err(), Some(err), "{input:?}");
    }
}

/// Go: TestParseQuantityString.
#[test]
fn go_parse_quantity_string() {
    for (input, positive, value, num, denom, suffix) in [
        ("0.025Ti", true, "0.025", "0", "025", "Ti"),
        ("1.025Ti", true, "1.025", "1", "025", "Ti"),
        ("-1.025Ti", false, "-1.025", "1", "025", "Ti"),
        (".", true, ".", "0", "", ""),
        ("-.", false, "-.", "0", "", ""),
        ("1E-3", true, "1", "1", "", "E-3"),
    ] {
        let want = QuantityParts {
            positive,
            value: value.as_bytes(),
            num: num.as_bytes(),
            denom: denom.as_bytes(),
            suffix: suffix.as_bytes(),
        };
        assert_eq!(parse_quantity_string(input.as_bytes()), Ok(want), "{input}");
    }
}

/// Go: TestQuantityString: the canonical text of an amount, that parsing the canonical
/// text keeps it, that an alternate spelling prints canonically, and negation.
#[test]
fn go_quantity_string() {
    let table = [
        (
            dec_quantity(1024 * 1024 * 1024, 0, BinarySI),
            "1Gi",
            "1024Mi",
        ),
        (
            dec_quantity(300 * 1024 * 1024, 0, BinarySI),
            "300Mi",
            "307200Ki",
        ),
        (dec_quantity(6 * 1024, 0, BinarySI), "6Ki", ""),
        (
            dec_quantity(1001 * 1024 * 1024 * 1024, 0, BinarySI),
            "1001Gi",
            "1025024Mi",
        ),
        (dec_quantity(1024_i64.pow(4), 0, BinarySI), "1Ti", "1024Gi"),
        (dec_quantity(5, 0, BinarySI), "5", "5000m"),
        (dec_quantity(500, -3, BinarySI), "500m", "0.5"),
        (dec_quantity(1, 9, DecimalSI), "1G", "1000M"),
        (dec_quantity(1000, 6, DecimalSI), "1G", "0.001T"),
        (dec_quantity(1000000, 3, DecimalSI), "1G", ""),
        (dec_quantity(1000000000, 0, DecimalSI), "1G", ""),
        (dec_quantity(1, -3, DecimalSI), "1m", "1000u"),
        (dec_quantity(80, -3, DecimalSI), "80m", ""),
        (dec_quantity(1080, -3, DecimalSI), "1080m", "1.08"),
        (dec_quantity(108, -2, DecimalSI), "1080m", "1080000000n"),
        (dec_quantity(10800, -4, DecimalSI), "1080m", ""),
        (dec_quantity(300, 6, DecimalSI), "300M", ""),
        (dec_quantity(1, 12, DecimalSI), "1T", ""),
        (dec_quantity(1234567, 6, DecimalSI), "1234567M", ""),
        (dec_quantity(1234567, -3, BinarySI), "1234567m", ""),
        (dec_quantity(3, 3, DecimalSI), "3k", ""),
        (dec_quantity(1025, 0, BinarySI), "1025", ""),
        (dec_quantity(0, 0, DecimalSI), "0", ""),
        (dec_quantity(0, 0, BinarySI), "0", ""),
        (dec_quantity(1, 9, DecimalExponent), "1e9", ".001e12"),
        (dec_quantity(1, -3, DecimalExponent), "1e-3", "0.001e0"),
        (dec_quantity(1, -9, DecimalExponent), "1e-9", "1000e-12"),
        (dec_quantity(80, -3, DecimalExponent), "80e-3", ""),
        (dec_quantity(300, 6, DecimalExponent), "300e6", ""),
        (dec_quantity(1, 12, DecimalExponent), "1e12", ""),
        (dec_quantity(1, 3, DecimalExponent), "1e3", ""),
        (dec_quantity(3, 3, DecimalExponent), "3e3", ""),
        (dec_quantity(3, 3, DecimalSI), "3k", ""),
        (dec_quantity(0, 0, DecimalExponent), "0", "00"),
        (dec_quantity(1, -9, DecimalSI), "1n", ""),
        (dec_quantity(80, -9, DecimalSI), "80n", ""),
        (dec_quantity(1080, -9, DecimalSI), "1080n", ""),
        (dec_quantity(108, -8, DecimalSI), "1080n", ""),
        (dec_quantity(10800, -10, DecimalSI), "1080n", ""),
        (dec_quantity(1, -6, DecimalSI), "1u", ""),
        (dec_quantity(80, -6, DecimalSI), "80u", ""),
        (dec_quantity(1080, -6, DecimalSI), "1080u", ""),
    ];
    for (q, expect, alternate) in &table {
        assert_eq!(q.string(), *expect, "{q:?}");
        assert_eq!(parse(expect).s.as_deref(), Some(*expect), "kept {expect}");
        if !alternate.is_empty() {
            let alt = parse(alternate);
            assert_eq!(alt.s, None, "{alternate} is not canonical");
            assert_eq!(alt.string(), *expect, "{alternate}");
            // Negating a quantity prefixes its canonical text with "-".
            if !q.is_zero() {
                assert_eq!(emit(&format!("-{alternate}")), format!("-{expect}"));
            }
        }
        if !q.is_zero() {
            assert_eq!(negated(q).string(), format!("-{expect}"), "-{q:?}");
        }
    }
}

/// Go: TestQuantityParseEmit, and its negated inputs.
#[test]
fn go_quantity_parse_emit() {
    for (input, expect) in [
        ("1Ki", "1Ki"),
        ("1Mi", "1Mi"),
        ("1Gi", "1Gi"),
        ("1024Mi", "1Gi"),
        ("1000M", "1G"),
        (".001Ki", "1024m"),
        (".000001Ki", "1024u"),
        (".000000001Ki", "1024n"),
        (".000000000001Ki", "2n"),
    ] {
        assert_eq!(emit(input), expect, "{input}");
        assert_eq!(emit(&format!("-{input}")), format!("-{expect}"), "-{input}");
    }
}

/// Go: TestJSONWhitespace, through `UnmarshalJSON` then `String`.
#[test]
fn go_json_whitespace() {
    for (input, expect) in [
        (json!(" 1"), "1"),
        (json!("1 "), "1"),
        (json!(1), "1"),
        (json!(10), "10"),
        (json!(-1), "-1"),
    ] {
        assert_eq!(
            canonical_quantity(&input),
            Ok(Some(expect.to_owned())),
            "{input}"
        );
    }
}

/// Go: TestQuantityNeg.
#[test]
fn go_quantity_neg() {
    assert_eq!(
        negated(&int_quantity(901, -2, DecimalSI)).string(),
        "-9010m"
    );
    assert_eq!(
        negated(&dec_quantity(901, -2, DecimalSI)).string(),
        "-9010m"
    );
}

/// Go: TestMilliNewSet, TestNewSet (also as `inf.Dec`) and TestNewScaledSet, without
/// their invalid-format rows.
#[test]
fn go_new_set() {
    for (value, format, expect) in [
        (1, DecimalSI, "1m"),
        (1000, DecimalSI, "1"),
        (1234000, DecimalSI, "1234"),
        (1024, BinarySI, "1024m"),
        (1024 * 1024, BinarySI, "1048576m"),
    ] {
        assert_eq!(int_quantity(value, -3, format).string(), expect);
    }
    for (value, format, expect) in [
        (1, DecimalSI, "1"),
        (1000, DecimalSI, "1k"),
        (1234000, DecimalSI, "1234k"),
        (1024, BinarySI, "1Ki"),
        (1024 * 1024, BinarySI, "1Mi"),
    ] {
        assert_eq!(int_quantity(value, 0, format).string(), expect);
        assert_eq!(dec_quantity(value, 0, format).string(), expect);
        assert_eq!(emit(expect), expect);
    }
    for (value, scale, expect) in [
        (1, -9, "1n"),
        (1000, -9, "1u"),
        (1, -6, "1u"),
        (1000, -6, "1m"),
        (1, -3, "1m"),
        (1000, -3, "1"),
        (1, 0, "1"),
        (0, -9, "0"),
        (0, -6, "0"),
        (0, -3, "0"),
        (0, 0, "0"),
    ] {
        assert_eq!(int_quantity(value, scale, DecimalSI).string(), expect);
    }
}

/// Go: TestInt64AsCanonicalString (amount_test.go).
#[test]
fn go_int64_as_canonical_string() {
    for (value, scale, result, exponent) in [
        (100, 0, "100", 0),
        (100, 1, "1", 3),
        (100, -1, "10", 0),
        (10800, -10, "1080", -9),
    ] {
        let got = Int64Amount { value, scale }.as_canonical_bytes();
        assert_eq!(got, (result.to_owned(), exponent));
    }
    assert_eq!(remove_int64_factors(i64::MIN, 10), (i64::MIN, 0));
}

/// Source: the examples of the task and of `Quantity`'s doc comment, worked through
/// quantity.go; note that canonical input keeps its text (`+1`, `1e3`, `12e6`).
#[test]
fn source_round_trips() {
    for (input, expect) in [
        ("0.5", "500m"),
        ("1.5", "1500m"),
        ("1000m", "1"),
        ("1.5Gi", "1536Mi"),
        ("2048Mi", "2Gi"),
        ("1.5Ki", "1536"),
        ("1.1Ki", "1126400m"),
        ("100M", "100M"),
        ("0.1", "100m"),
        ("-1", "-1"),
        ("0", "0"),
        ("-0", "0"),
        ("+1", "+1"),
        ("+1000m", "1"),
        ("007", "007"),
        ("1.", "1."),
        ("1n", "1n"),
        ("0.0000000001", "1n"),
        ("-0.0000000001", "-1n"),
        ("1e3", "1e3"),
        ("12e6", "12e6"),
        ("120e5", "12e6"),
        ("1E", "1E"),
        ("1000E", "1"),
        ("1000000000000000000000", "1"),
        ("1200000000000000000000", "1200E"),
        ("9223372036854775807", "9223372036854775807"),
        ("9223372036854775808", "9223372036854775808"),
        ("12345678901234567890123m", "12345678901234567890123m"),
        ("9Ei", "9223372036854775807"),
        ("-9Ei", "-9223372036854775807"),
        ("7Ei", "7Ei"),
        ("8Ei", "9223372036854775807"),
        ("1.5Ei", "1536Pi"),
        ("0.5Ki", "512"),
        ("+", "0"),
        ("-", "0"),
        (".", "0"),
        ("1e999999999", "1e999999999"),
        ("1e999999998", "100e999999996"),
        ("1e-999999999", "1e-9"),
        ("1n", "1n"),
        ("0.5e-9999", "1e-9"),
        ("1e4294967296", "1e4294967296"),
        ("1e4294967297", "10"),
        ("10e4294967296", "10e4294967296"),
        ("1000e4294967296", "1e3"),
        ("1.5e-2147483648", "150e2147483646"),
        ("12345678901234567890e2147483640", "1e-9"),
    ] {
        assert_eq!(emit(input), expect, "{input}");
    }
}

/// Source: which branch gives which error.
#[test]
fn source_errors() {
    for (input, err) in [
        ("-", None),
        ("1e", Some(ERR_SUFFIX)),
        ("1e-", Some(ERR_SUFFIX)),
        ("1K", Some(ERR_SUFFIX)),
        ("1ki", Some(ERR_SUFFIX)),
        ("1Kii", Some(ERR_SUFFIX)),
        ("1ee5", Some(ERR_SUFFIX)),
        ("1e99999999999999999999", Some(ERR_SUFFIX)),
        ("1Gi5", Some(ERR_SUFFIX)),
        ("1x", Some(ERR_FORMAT_WRONG)),
        ("1e5x", Some(ERR_FORMAT_WRONG)),
        ("1e+-5", Some(ERR_FORMAT_WRONG)),
        // "-" is the number, "-1" the suffix
        ("--1", Some(ERR_SUFFIX)),
        ("1..", Some(ERR_FORMAT_WRONG)),
        ("１", Some(ERR_FORMAT_WRONG)),
        (".e-10", Some(ERR_NUMERIC)),
        ("-.n", None),
    ] {
        assert_eq!(parse_quantity(input).err(), err, "{input:?}");
    }
}

/// Source: `UnmarshalJSON` on JSON values that are not strings, and a string's escapes.
#[test]
fn source_json_values() {
    let err = |e: &str| Err(e.to_owned());
    for (input, expect) in [
        (Value::Null, Ok(None)),
        (json!(0.5), Ok(Some("500m".to_owned()))),
        (json!(1.5), Ok(Some("1500m".to_owned()))),
        (json!(0), Ok(Some("0".to_owned()))),
        (json!(u64::MAX), Ok(Some("18446744073709551615".to_owned()))),
        // serde_json writes 1e21 as "1e+21", which is canonical and kept.
        (json!(1e21), Ok(Some("1e+21".to_owned()))),
        (json!("1Gi"), Ok(Some("1Gi".to_owned()))),
        (json!(" 2048Mi\u{a0}"), Ok(Some("2Gi".to_owned()))),
        (json!(""), err(ERR_FORMAT_WRONG)),
        (json!("   "), err(ERR_FORMAT_WRONG)),
        (json!("\t1"), err(ERR_FORMAT_WRONG)),
        (json!("\"1\""), err(ERR_FORMAT_WRONG)),
        (json!(true), err(ERR_FORMAT_WRONG)),
        (json!({"a": 1}), err(ERR_FORMAT_WRONG)),
        (json!([1]), err(ERR_FORMAT_WRONG)),
        (json!("1x"), err(ERR_FORMAT_WRONG)),
    ] {
        assert_eq!(canonical_quantity(&input), expect, "{input}");
    }
}

/// Source: nothing panics or blows up, whatever the text: every short string over the
/// characters that matter, and long digit runs and exponents.
#[test]
fn never_panics() {
    let alphabet = b"09.+-eEiKMmn ";
    let n = alphabet.len();
    for len in 1..=4u32 {
        for mut code in 0..n.pow(len) {
            let mut text = String::new();
            for _ in 0..len {
                text.push(char::from(alphabet[code % n]));
                code /= n;
            }
            let _ = canonical_quantity(&Value::String(text));
        }
    }
    let long = "9".repeat(5000);
    for text in [
        long.clone(),
        format!("{long}Ei"),
        format!("-{long}Ki"),
        format!("0.{long}"),
        format!("0.{long}Ki"),
        format!("{long}.{long}e-2147483648"),
        format!("1{}", "0".repeat(5000)),
        "1e2147483647".to_owned(),
        "1e-2147483648".to_owned(),
        "123456789012345678901e2147483647".to_owned(),
        "123456789012345678901e-2147483648".to_owned(),
        "9223372036854775807e9223372036854775807".to_owned(),
        "0.000000000000000000000000001e-2147483648".to_owned(),
    ] {
        let _ = canonical_quantity(&Value::String(text));
    }
    assert_eq!(emit(&format!("1{}", "0".repeat(5000))), "100");
    // 1023.99...: rounded up at nano it is 1024.
    assert_eq!(emit(&format!("0.{long}Ki")), "1Ki");
}
