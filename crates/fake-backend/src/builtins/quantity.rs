//! The JSON round trip of a `resource.Quantity` field of a built-in object (container
//! resources, PVC storage, ResourceQuota `hard`, ...): the text a real API server stores for
//! the quantity it decoded, or the error its decoder returns.
//!
//! A port of `k8s.io/apimachinery/pkg/api/resource`: `Quantity.UnmarshalJSON`,
//! `ParseQuantity` and `parseQuantityString` (quantity.go), the suffixer (suffix.go),
//! `Quantity.MarshalJSON` / `String` / `CanonicalizeBytes` (quantity.go), and the amounts in
//! `quantity_amount.rs` (amount.go, math.go, and the `inf.Dec` they use). Its quirks are
//! Go's: a parsed quantity already in canonical form keeps its text as written (`+1`,
//! `1.`, `1e3`), and a DecimalSI exponent outside `n`..`E` is printed without a suffix.

use std::cmp::Ordering;

use serde_json::Value;

#[path = "quantity_amount.rs"]
mod amount;

use amount::{Dec, Int64Amount};

/// `ErrFormatWrong`: the text does not have the shape of a quantity.
pub(crate) const ERR_FORMAT_WRONG: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/// `ErrNumeric`: the number part does not parse.
pub(crate) const ERR_NUMERIC: &str = "unable to parse numeric part of quantity";
/// `ErrSuffix`: the suffix is none of the known ones nor an exponent.
pub(crate) const ERR_SUFFIX: &str = "unable to parse quantity's suffix";

/// `maxInt64Factors` (math.go): the decimal digits the int64 fast path takes.
const MAX_INT64_FACTORS: i64 = 18;
/// `Nano` (amount.go): the finest scale a quantity keeps.
const NANO: i32 = -9;

/// The canonical text a real API server stores for a quantity given in JSON, or the error
/// its decoder returns.
///
/// `null` leaves the field unset (`Ok(None)`). Otherwise this is `Quantity.UnmarshalJSON`
/// on the value's JSON text: a string's quotes are dropped (its escapes stay, as in the
/// bytes Go sees), anything else (a number such as `1` or `0.5`, also `true`, objects,
/// arrays) is parsed as written, after `strings.TrimSpace`. A number is the text
/// `serde_json` writes for it, which for a float may differ from what the client sent
/// (`1e3` arrives as `1000.0`).
pub(crate) fn canonical_quantity(value: &Value) -> Result<Option<String>, String> {
    if value.is_null() {
        return Ok(None);
    }
    let raw = serde_json::to_string(value).map_err(|e| e.to_string())?;
    let text = match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) => inner,
        None => raw.as_str(),
    };
    // strings.TrimSpace and str::trim both trim Unicode White_Space.
    let quantity = parse_quantity(text.trim())?;
    Ok(Some(quantity.string()))
}

/// `Format`: how a quantity is written, remembered from parsing and used again to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    /// `DecimalExponent`, e.g. `12e6`.
    DecimalExponent,
    /// `BinarySI`, e.g. `12Mi` (12 * 2^20).
    BinarySI,
    /// `DecimalSI`, e.g. `12M` (12 * 10^6).
    DecimalSI,
}

/// The amount of a `Quantity` (`quantityState`): the int64 form, or the `inf.Dec` one.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Amount {
    /// `i`, used while `d.Dec` is nil.
    Int(Int64Amount),
    /// `d`, an `infDecAmount`.
    Dec(Dec),
}

impl Amount {
    /// `Quantity.AsDec`.
    fn as_dec(&self) -> Dec {
        match self {
            Amount::Int(i) => i.as_dec(),
            Amount::Dec(d) => d.clone(),
        }
    }

    /// `Quantity.AsCanonicalBytes`.
    fn as_canonical_bytes(&self) -> (String, i32) {
        match self {
            Amount::Int(i) => i.as_canonical_bytes(),
            Amount::Dec(d) => d.as_canonical_bytes(),
        }
    }
}

/// `Quantity`: an amount, its format, and `s`, the text kept when the input was already
/// canonical.
#[derive(Clone, Debug)]
struct Quantity {
    /// The value.
    amount: Amount,
    /// The format it prints in.
    format: Format,
    /// The cached text `String` and `MarshalJSON` return as they are.
    s: Option<String>,
}

impl Quantity {
    /// `Quantity.String` (and so `MarshalJSON`, less the quotes): the kept text, else the
    /// canonical form.
    fn string(&self) -> String {
        match &self.s {
            Some(s) if !s.is_empty() => s.clone(),
            _ => {
                let (number, suffix) = self.canonicalize_bytes();
                number + suffix.as_str()
            }
        }
    }

    /// `Quantity.IsZero`.
    fn is_zero(&self) -> bool {
        match &self.amount {
            Amount::Int(i) => i.value == 0,
            Amount::Dec(d) => d.is_zero(),
        }
    }

    /// `Quantity.CmpInt64`.
    fn cmp_int64(&self, y: i64) -> Ordering {
        self.amount.as_dec().cmp_value(&Dec::from_i64(y))
    }

    /// `Quantity.CanonicalizeBytes`: the canonical number and suffix. A BinarySI value
    /// strictly between -1024 and 1024, or one that is not whole, prints as DecimalSI.
    fn canonicalize_bytes(&self) -> (String, String) {
        if self.is_zero() {
            return ("0".to_owned(), String::new());
        }
        let mut format = self.format;
        let mut rounded = None;
        if format == Format::BinarySI {
            if self.cmp_int64(-1024) == Ordering::Greater && self.cmp_int64(1024) == Ordering::Less
            {
                format = Format::DecimalSI;
            } else {
                // Quantity.AsScale(0).
                let (r, exact) = match &self.amount {
                    Amount::Int(i) => {
                        let (r, exact) = i.as_scale(0);
                        (Amount::Int(r), exact)
                    }
                    Amount::Dec(d) => {
                        let r = d.clone().round_up(0);
                        let exact = r.cmp_value(d) == Ordering::Equal;
                        (Amount::Dec(r), exact)
                    }
                };
                if exact {
                    rounded = Some(r);
                } else {
                    format = Format::DecimalSI;
                }
            }
        }
        if let (Format::BinarySI, Some(rounded)) = (format, rounded) {
            let base1024 = match &rounded {
                Amount::Int(i) => i.as_canonical_base1024_bytes(),
                Amount::Dec(d) => d.as_canonical_base1024_bytes(),
            };
            // Always Some: ParseQuantity caps a BinarySI amount at maxAllowed (2^63-1).
            if let Some((number, exponent)) = base1024 {
                let suffix = construct_suffix(2, exponent.wrapping_mul(10), Format::BinarySI);
                return (number, suffix.to_owned());
            }
            format = Format::DecimalSI;
        }
        let (number, exponent) = self.amount.as_canonical_bytes();
        let suffix = match format {
            Format::DecimalExponent if exponent != 0 => format!("e{exponent}"),
            _ => construct_suffix(10, exponent, format).to_owned(),
        };
        (number, suffix)
    }
}

/// `suffixHandler.constructBytes` for the two suffix tables (a DecimalExponent suffix is
/// written by the caller). A pair missing from the table gives no suffix at all, as Go
/// ignores `constructBytes`' `ok`: 1e21 in DecimalSI prints as `1`.
fn construct_suffix(base: i32, exponent: i32, format: Format) -> &'static str {
    match (format, base, exponent) {
        (Format::BinarySI, 2, 10) => "Ki",
        (Format::BinarySI, 2, 20) => "Mi",
        (Format::BinarySI, 2, 30) => "Gi",
        (Format::BinarySI, 2, 40) => "Ti",
        (Format::BinarySI, 2, 50) => "Pi",
        (Format::BinarySI, 2, 60) => "Ei",
        (Format::DecimalSI, 10, -9) => "n",
        (Format::DecimalSI, 10, -6) => "u",
        (Format::DecimalSI, 10, -3) => "m",
        (Format::DecimalSI, 10, 3) => "k",
        (Format::DecimalSI, 10, 6) => "M",
        (Format::DecimalSI, 10, 9) => "G",
        (Format::DecimalSI, 10, 12) => "T",
        (Format::DecimalSI, 10, 15) => "P",
        (Format::DecimalSI, 10, 18) => "E",
        _ => "",
    }
}

/// `fastLookup.interpret` / `suffixHandler.interpret` (suffix.go): the base, exponent and
/// format a suffix stands for. `e`/`E` plus an int64 is a decimal exponent, cut to `int32`
/// as Go's `int32(parsed)` does.
fn interpret(suffix: &[u8]) -> Option<(i32, i32, Format)> {
    let (base, exponent, format) = match suffix {
        b"" => (10, 0, Format::DecimalSI),
        b"n" => (10, -9, Format::DecimalSI),
        b"u" => (10, -6, Format::DecimalSI),
        b"m" => (10, -3, Format::DecimalSI),
        b"k" => (10, 3, Format::DecimalSI),
        b"M" => (10, 6, Format::DecimalSI),
        b"G" => (10, 9, Format::DecimalSI),
        b"T" => (10, 12, Format::DecimalSI),
        b"P" => (10, 15, Format::DecimalSI),
        b"E" => (10, 18, Format::DecimalSI),
        b"Ki" => (2, 10, Format::BinarySI),
        b"Mi" => (2, 20, Format::BinarySI),
        b"Gi" => (2, 30, Format::BinarySI),
        b"Ti" => (2, 40, Format::BinarySI),
        b"Pi" => (2, 50, Format::BinarySI),
        b"Ei" => (2, 60, Format::BinarySI),
        [b'e' | b'E', rest @ ..] if !rest.is_empty() => {
            // strconv.ParseInt(s, 10, 64): an optional sign and decimal digits, as i64's.
            let parsed: i64 = std::str::from_utf8(rest).ok()?.parse().ok()?;
            (10, parsed as i32, Format::DecimalExponent)
        }
        _ => return None,
    };
    Some((base, exponent, format))
}

/// The parts `parseQuantityString` splits a quantity into.
#[derive(Debug, PartialEq, Eq)]
struct QuantityParts<'a> {
    /// Whether there was no leading `-`.
    positive: bool,
    /// The number as written, with its sign and leading zeros.
    value: &'a [u8],
    /// The integer digits without leading zeros (`0` when none are left).
    num: &'a [u8],
    /// The digits after the decimal point.
    denom: &'a [u8],
    /// Everything after the number.
    suffix: &'a [u8],
}

/// `parseQuantityString` (quantity.go): the fast scanner that splits sign, integer digits,
/// fraction digits and suffix, failing with `ErrFormatWrong` when characters other than a
/// suffix's letters, a sign and digits follow the number.
fn parse_quantity_string(s: &[u8]) -> Result<QuantityParts<'_>, &'static str> {
    const ZERO: &[u8] = b"0";
    let end = s.len();
    let mut parts = QuantityParts {
        positive: true,
        value: &[],
        num: &[],
        denom: &[],
        suffix: &[],
    };
    let mut pos = 0;
    // handle leading sign
    match s.first() {
        Some(b'-') => (parts.positive, pos) = (false, 1),
        Some(b'+') => pos = 1,
        _ => {}
    }
    // strip leading zeros
    while pos < end && s[pos] == b'0' {
        pos += 1;
    }
    if pos >= end {
        (parts.num, parts.value) = (ZERO, ZERO);
        return Ok(parts);
    }
    // extract the numerator
    let mut i = pos;
    while i < end && s[i].is_ascii_digit() {
        i += 1;
    }
    if i >= end {
        (parts.num, parts.value) = (&s[pos..], s);
        return Ok(parts);
    }
    parts.num = if i == pos { ZERO } else { &s[pos..i] };
    pos = i;
    // handle a denominator ("1.G" is allowed)
    if s[pos] == b'.' {
        pos += 1;
        let mut i = pos;
        while i < end && s[i].is_ascii_digit() {
            i += 1;
        }
        if i >= end {
            (parts.denom, parts.value) = (&s[pos..], s);
            return Ok(parts);
        }
        parts.denom = &s[pos..i];
        pos = i;
    }
    parts.value = &s[..pos];
    // grab the elements of the suffix: letters, an optional sign, digits
    let suffix_start = pos;
    while pos < end && b"eEinumkKMGTP".contains(&s[pos]) {
        pos += 1;
    }
    if pos < end && matches!(s[pos], b'-' | b'+') {
        pos += 1;
    }
    while pos < end && s[pos].is_ascii_digit() {
        pos += 1;
    }
    if pos >= end {
        parts.suffix = &s[suffix_start..];
        return Ok(parts);
    }
    // a character that is none of those follows
    Err(ERR_FORMAT_WRONG)
}

/// Whether `text` parses as a quantity (the `quantity` string format of CRD schemas).
/// `Quantity.Cmp` of two stored (canonical) quantities; `None` when either does not parse.
pub(crate) fn compare_quantities(a: &str, b: &str) -> Option<Ordering> {
    let (a, b) = (parse_quantity(a).ok()?, parse_quantity(b).ok()?);
    Some(a.amount.as_dec().cmp_value(&b.amount.as_dec()))
}

pub(crate) fn is_quantity(text: &str) -> bool {
    parse_quantity(text).is_ok()
}

/// `ParseQuantity` (quantity.go). Up to 18 digits at a scale no finer than nano take the
/// int64 fast path, which keeps the input text when it is already canonical; the rest go
/// through the decimal, rounded up to nano and, for BinarySI, capped at 2^63-1.
fn parse_quantity(s: &str) -> Result<Quantity, &'static str> {
    if s.is_empty() {
        return Err(ERR_FORMAT_WRONG);
    }
    if s == "0" {
        return Ok(Quantity {
            amount: Amount::Int(Int64Amount { value: 0, scale: 0 }),
            format: Format::DecimalSI,
            s: Some(s.to_owned()),
        });
    }
    let parts = parse_quantity_string(s.as_bytes())?;
    let (base, exponent, mut format) = interpret(parts.suffix).ok_or(ERR_SUFFIX)?;
    let (num, denom) = (parts.num, parts.denom);

    let mut scale = 0i32;
    let mut mantissa = 1i64;
    let precision = match format {
        Format::DecimalExponent | Format::DecimalSI => {
            scale = exponent;
            MAX_INT64_FACTORS - (num.len() + denom.len()) as i64
        }
        Format::BinarySI if exponent >= 0 && denom.is_empty() => {
            // only handle positive binary numbers with the fast path; Go's int64 shift
            // gives 0 past 63 bits.
            mantissa = u32::try_from(exponent)
                .ok()
                .and_then(|e| 1i64.checked_shl(e))
                .unwrap_or(0);
            // 1Mi (2^20) has ~6 digits of decimal precision, so exponent*3/10 -1 is roughly
            // the precision
            let digits = (exponent as f32 * 3.0 / 10.0) as i64;
            15 - num.len() as i64 - digits - 1
        }
        Format::BinarySI => -1,
    };

    if precision >= 0 {
        // shift the value left by the places of the denominator (int32 arithmetic)
        scale = scale.wrapping_sub(denom.len() as i32);
        if scale >= NANO {
            let shifted = [num, denom].concat();
            let value: i64 = std::str::from_utf8(&shifted)
                .ok()
                .and_then(|t| t.parse().ok())
                .ok_or(ERR_NUMERIC)?;
            // int64Multiply fails exactly when the product overflows.
            if let Some(product) = value.checked_mul(mantissa) {
                let result = if parts.positive {
                    product
                } else {
                    product.wrapping_neg()
                };
                // if the number is in canonical form, reuse the string
                let canonical = match format {
                    Format::BinarySI => exponent % 10 == 0 && value & 0x07 != 0,
                    _ => {
                        scale % 3 == 0
                            && !shifted.ends_with(b"000")
                            && shifted.first() != Some(&b'0')
                    }
                };
                return Ok(Quantity {
                    amount: Amount::Int(Int64Amount {
                        value: result,
                        scale,
                    }),
                    format,
                    s: canonical.then(|| s.to_owned()),
                });
            }
        }
    }

    let mut amount = Dec::set_string(parts.value).ok_or(ERR_NUMERIC)?;
    // So that no one but us has to think about suffixes, remove it.
    if base == 10 {
        // amount.SetScale(amount.Scale() + Scale(exponent).infScale()), all int32
        amount.set_scale(amount.scale().wrapping_add(exponent.wrapping_neg()));
    } else if base == 2 {
        amount.mul_pow2(u32::try_from(exponent).unwrap_or(0));
    }

    // Cap at min/max bounds.
    let sign = amount.sign();
    if sign == -1 {
        amount = amount.negated();
    }
    // Non-zero values round up to the minimum representable value (inf.RoundUp at nano).
    if !amount.is_zero() {
        amount = amount.round_up(-NANO);
    }
    // The max is just a simple cap.
    if format == Format::BinarySI && amount.cmp_value(&Dec::max_allowed()) == Ordering::Greater {
        amount = Dec::max_allowed();
    }
    if format == Format::BinarySI
        && amount.cmp_value(&Dec::from_i64(1)) == Ordering::Less
        && amount.cmp_value(&Dec::from_i64(0)) == Ordering::Greater
    {
        // This avoids rounding and hopefully confusion, too.
        format = Format::DecimalSI;
    }
    if sign == -1 {
        amount = amount.negated();
    }
    Ok(Quantity {
        amount: Amount::Dec(amount),
        format,
        s: None,
    })
}

#[cfg(test)]
#[path = "quantity_tests.rs"]
mod tests;
