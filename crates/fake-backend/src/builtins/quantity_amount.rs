//! The amounts behind a quantity: `int64Amount` and `infDecAmount` of
//! `k8s.io/apimachinery/pkg/api/resource/amount.go`, the helpers of `math.go` they use, and
//! [`Dec`], which stands in for the `gopkg.in/inf.v0` `Dec` that `infDecAmount` wraps.
//!
//! Go's scales are `int32` and its arithmetic on them wraps; the port wraps at the same
//! places (`wrapping_*`), so that even absurd exponents give the text Go computes.

use std::cmp::Ordering;

/// `int64Amount`: `value * 10^scale`, the fast form `ParseQuantity` gives when the digits
/// fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Int64Amount {
    /// The unscaled value.
    pub(super) value: i64,
    /// The power of ten (`Scale`, the opposite sign of an `inf.Scale`).
    pub(super) scale: i32,
}

impl Int64Amount {
    /// `int64Amount.AsDec`: the same value as an `inf.Dec` (scale `Scale.infScale()`).
    pub(super) fn as_dec(self) -> Dec {
        Dec::new(
            self.value < 0,
            self.value.unsigned_abs().to_string().as_bytes(),
            self.scale.wrapping_neg(),
        )
    }

    /// `int64Amount.AsScale`: the amount at no finer a scale than `scale`, rounded away
    /// from zero, and whether that was exact.
    pub(super) fn as_scale(self, scale: i32) -> (Int64Amount, bool) {
        if self.scale >= scale {
            return (self, true);
        }
        let (value, exact) = negative_scale_int64(self.value, scale.wrapping_sub(self.scale));
        (Int64Amount { value, scale }, exact)
    }

    /// `int64Amount.AsScaledInt64(0)`: the value at scale 0, rounded away from zero, or
    /// `None` when it overflows an `int64`. (`CanonicalizeBytes` only calls it on a BinarySI
    /// amount that `AsScale(0)` gave, so the scale is never negative there.)
    fn as_scaled_int64_0(self) -> Option<i64> {
        if self.scale < 0 {
            return Some(negative_scale_int64(self.value, self.scale.wrapping_neg()).0);
        }
        // positiveScaleInt64: multiply by ten `scale` times, failing on overflow.
        if self.value == 0 {
            return Some(0);
        }
        let mut value = self.value;
        for _ in 0..self.scale {
            value = value.checked_mul(10)?;
        }
        Some(value)
    }

    /// `int64Amount.AsCanonicalBytes`: the mantissa text and a base-10 exponent that is a
    /// multiple of three, with every factor of ten moved into the exponent ("110", 3 for
    /// 1.1e5). Falls back to the `inf.Dec` form when the mantissa would overflow.
    pub(super) fn as_canonical_bytes(self) -> (String, i32) {
        let (mut amount, times) = remove_int64_factors(self.value, 10);
        let mut exponent = self.scale.wrapping_add(times);
        // int64MultiplyScale10/100 return false exactly when the product overflows.
        match exponent % 3 {
            1 | -2 => match amount.checked_mul(10) {
                Some(a) => (amount, exponent) = (a, exponent.wrapping_sub(1)),
                None => return self.as_dec().as_canonical_bytes(),
            },
            2 | -1 => match amount.checked_mul(100) {
                Some(a) => (amount, exponent) = (a, exponent.wrapping_sub(2)),
                None => return self.as_dec().as_canonical_bytes(),
            },
            _ => {}
        }
        (amount.to_string(), exponent)
    }

    /// `int64Amount.AsCanonicalBase1024Bytes`: the mantissa text and a base-1024 exponent
    /// ("2", 1 for 2048). `None` only where Go's `inf.Dec` fallback would need an integer
    /// beyond `u64`, which a parsed BinarySI amount never is.
    pub(super) fn as_canonical_base1024_bytes(self) -> Option<(String, i32)> {
        match self.as_scaled_int64_0() {
            Some(value) => {
                let (amount, exponent) = remove_int64_factors(value, 1024);
                Some((amount.to_string(), exponent))
            }
            None => self.as_dec().as_canonical_base1024_bytes(),
        }
    }
}

/// `negativeScaleInt64` (math.go): `base` divided by `10^scale`, rounded away from zero,
/// and whether no fraction was dropped. Stops as soon as the value reaches zero, so a huge
/// `scale` costs at most nineteen steps.
fn negative_scale_int64(base: i64, scale: i32) -> (i64, bool) {
    if scale == 0 {
        return (base, true);
    }
    let mut value = base;
    let mut fraction = false;
    for _ in 0..scale {
        if !fraction && value % 10 != 0 {
            fraction = true;
        }
        value /= 10;
        if value == 0 {
            if fraction {
                return (if base > 0 { 1 } else { -1 }, false);
            }
            return (0, true);
        }
    }
    if fraction {
        value += if base > 0 { 1 } else { -1 };
    }
    (value, !fraction)
}

/// `removeInt64Factors` (math.go): `value` with every factor of `base` divided out, and how
/// many there were (`value == result * base^times`).
pub(super) fn remove_int64_factors(value: i64, base: i64) -> (i64, i32) {
    let negative = value < 0;
    // Go negates in place; `mostNegative` stays negative and so keeps its factors.
    let mut result = if negative {
        value.wrapping_neg()
    } else {
        value
    };
    let mut times = 0i32;
    while result >= base && result % base == 0 {
        times = times.wrapping_add(1);
        result /= base;
    }
    if negative {
        result = result.wrapping_neg();
    }
    (result, times)
}

/// The `inf.Dec` of an `infDecAmount`: `unscaled * 10^-scale`, with `inf.Scale` an `int32`
/// as in Go.
///
/// The unscaled magnitude is kept as ASCII decimal digits rather than a big integer:
/// everything `ParseQuantity` and `CanonicalizeBytes` do with it (parse, multiply by
/// `2^k`, round at a decimal place, compare, strip factors of ten) is a digit-string
/// operation, and this keeps the module to one new file without a dependency (`num-bigint`
/// is in Cargo.lock but kobj-fake does not depend on it). It also never writes out `10^n`:
/// where `inf.Dec` would rescale a value by a huge power of ten (and Go spends the memory),
/// this keeps the same value with a different scale. Every later use is either by value or,
/// for the canonical exponent, modulo 2^32 as Go's `int32` sums are, so the text agrees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Dec {
    /// Whether the value is negative (never set for zero).
    neg: bool,
    /// The unscaled magnitude, ASCII digits without leading zeros (empty for zero).
    digits: Vec<u8>,
    /// `inf.Scale`: the count of digits after the decimal point.
    scale: i32,
}

impl Dec {
    /// A decimal from a sign, digits (leading zeros allowed) and an `inf.Scale`.
    pub(super) fn new(neg: bool, digits: &[u8], scale: i32) -> Dec {
        let first = digits
            .iter()
            .position(|&d| d != b'0')
            .unwrap_or(digits.len());
        let digits = digits[first..].to_vec();
        Dec {
            neg: neg && !digits.is_empty(),
            digits,
            scale,
        }
    }

    /// `inf.NewDec(value, 0)`.
    pub(super) fn from_i64(value: i64) -> Dec {
        Int64Amount { value, scale: 0 }.as_dec()
    }

    /// `maxAllowed` (math.go): the largest magnitude a BinarySI quantity keeps, `2^63-1`.
    pub(super) fn max_allowed() -> Dec {
        Dec::from_i64(i64::MAX)
    }

    /// `Dec.SetString` (its `scan`): an optional leading sign, digits with at most one
    /// decimal point, and nothing else; `None` when no digit was read or text is left over.
    pub(super) fn set_string(s: &[u8]) -> Option<Dec> {
        let mut unscaled: Vec<u8> = Vec::with_capacity(s.len());
        let (mut dp, mut any_digit) = (None, false);
        for &ch in s {
            match ch {
                // The scan stops at a sign that is not first; SetString then fails because
                // text is left over.
                b'+' | b'-' if !unscaled.is_empty() || dp.is_some() => return None,
                b'+' | b'-' => {}
                b'.' if dp.is_some() => return None,
                b'.' => {
                    dp = Some(unscaled.len());
                    continue;
                }
                b'0'..=b'9' => any_digit = true,
                _ => return None,
            }
            unscaled.push(ch);
        }
        if !any_digit {
            return None; // "no digits read"
        }
        // Both counts include a leading sign, so the difference is the digits after '.'.
        let scale = dp.map_or(0, |dp| (unscaled.len() - dp) as i32);
        // big.Int.SetString(unscaled, 10): an optional sign, then only digits.
        let (neg, digits) = match unscaled.split_first() {
            Some((b'-', rest)) => (true, rest),
            Some((b'+', rest)) => (false, rest),
            _ => (false, &unscaled[..]),
        };
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(Dec::new(neg, digits, scale))
    }

    /// `Dec.Scale`.
    pub(super) fn scale(&self) -> i32 {
        self.scale
    }

    /// `Dec.SetScale`: the same unscaled digits under another scale.
    pub(super) fn set_scale(&mut self, scale: i32) {
        self.scale = scale;
    }

    /// `Dec.Sign`: -1, 0 or 1.
    pub(super) fn sign(&self) -> i32 {
        match (self.digits.is_empty(), self.neg) {
            (true, _) => 0,
            (false, true) => -1,
            (false, false) => 1,
        }
    }

    /// Whether the value is zero.
    pub(super) fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// `Dec.Neg`.
    pub(super) fn negated(mut self) -> Dec {
        self.neg = !self.neg && !self.digits.is_empty();
        self
    }

    /// `Dec.Cmp`, by value (Go aligns the scales by writing out a power of ten; comparing
    /// the orders of magnitude first gives the same answer without that).
    pub(super) fn cmp_value(&self, other: &Dec) -> Ordering {
        match self.sign().cmp(&other.sign()) {
            Ordering::Equal if self.neg => other.cmp_abs(self),
            Ordering::Equal => self.cmp_abs(other),
            unequal => unequal,
        }
    }

    /// Compares magnitudes: first the position of the leading digit, then the digits.
    fn cmp_abs(&self, other: &Dec) -> Ordering {
        match (self.digits.is_empty(), other.digits.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            (false, false) => {}
        }
        let lead = |d: &Dec| d.digits.len() as i64 - i64::from(d.scale);
        lead(self).cmp(&lead(other)).then_with(|| {
            let common = self.digits.len().min(other.digits.len());
            let rest_nonzero = |d: &[u8]| d[common..].iter().any(|&c| c != b'0');
            self.digits[..common]
                .cmp(&other.digits[..common])
                .then_with(|| rest_nonzero(&self.digits).cmp(&rest_nonzero(&other.digits)))
        })
    }

    /// `Dec.Round(x, s, inf.RoundUp)`: the value at scale `s`, a dropped non-zero fraction
    /// rounding away from zero. inf's `quoRem` takes the shift `s - x.Scale()` in `int32`;
    /// a non-negative shift is exact (Go multiplies the unscaled value by `10^shift`; the
    /// value is kept as it is here), a negative one divides by `10^-shift`.
    pub(super) fn round_up(self, s: i32) -> Dec {
        let shift = s.wrapping_sub(self.scale);
        if shift >= 0 {
            return self;
        }
        let drop = (-i64::from(shift)).unsigned_abs();
        let keep = (self.digits.len() as u64).saturating_sub(drop) as usize;
        let (kept, dropped) = self.digits.split_at(keep.min(self.digits.len()));
        let mut digits = kept.to_vec();
        if dropped.iter().any(|&d| d != b'0') {
            increment(&mut digits);
        }
        Dec::new(self.neg, &digits, s)
    }

    /// Multiplies the unscaled value by `2^k` (`ParseQuantity`'s binary suffix on the
    /// `inf.Dec` path: `ub.Mul(ub, 1 << exponent)`).
    pub(super) fn mul_pow2(&mut self, mut k: u32) {
        while k > 0 {
            let step = k.min(60);
            let factor = 1u128 << step;
            let mut carry = 0u128;
            for d in self.digits.iter_mut().rev() {
                let x = u128::from(*d - b'0') * factor + carry;
                *d = b'0' + (x % 10) as u8;
                carry = x / 10;
            }
            let mut front = Vec::new();
            while carry > 0 {
                front.push(b'0' + (carry % 10) as u8);
                carry /= 10;
            }
            front.reverse();
            front.extend_from_slice(&self.digits);
            self.digits = front;
            k -= step;
        }
    }

    /// `infDecAmount.AsCanonicalBytes`: the mantissa text and a base-10 exponent that is a
    /// multiple of three. `removeBigIntFactors` moves every factor of ten into the
    /// exponent (`int32(-scale) + times`, wrapping), then the mantissa takes a zero per step
    /// down to a multiple of three (at most three steps, even across Go's wrap-around).
    pub(super) fn as_canonical_bytes(&self) -> (String, i32) {
        let zeros = self.digits.iter().rev().take_while(|&&d| d == b'0').count();
        let mut amount = self.digits[..self.digits.len() - zeros].to_vec();
        let mut exponent = self.scale.wrapping_neg().wrapping_add(zeros as i32);
        if amount.is_empty() {
            // removeBigIntFactors(0) is (0, 0), and ten times zero is still "0".
            amount.push(b'0');
            exponent = self.scale.wrapping_neg();
        }
        while exponent % 3 != 0 {
            if !self.digits.is_empty() {
                amount.push(b'0');
            }
            exponent = exponent.wrapping_sub(1);
        }
        (self.text(&amount), exponent)
    }

    /// `infDecAmount.AsCanonicalBase1024Bytes`: the value rounded up to an integer, with
    /// every factor of 1024 moved into the exponent. `None` when that integer does not fit a
    /// `u64` (a BinarySI amount is capped at `maxAllowed` by `ParseQuantity`, so the callers
    /// never see it).
    pub(super) fn as_canonical_base1024_bytes(&self) -> Option<(String, i32)> {
        let rounded = self.clone().round_up(0);
        let mut value = rounded.integer_u64()?;
        let mut times = 0i32;
        while value != 0 && value % 1024 == 0 {
            value /= 1024;
            times += 1;
        }
        Some((self.text(value.to_string().as_bytes()), times))
    }

    /// The magnitude of an integral value (scale at most 0) as a `u64`, if it fits.
    fn integer_u64(&self) -> Option<u64> {
        if self.scale > 0 {
            return None;
        }
        let mut value = 0u64;
        for &d in &self.digits {
            value = value.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
        }
        if value != 0 {
            for _ in 0..self.scale.unsigned_abs() {
                value = value.checked_mul(10)?;
            }
        }
        Some(value)
    }

    /// `big.Int.String` of a magnitude with this value's sign.
    fn text(&self, magnitude: &[u8]) -> String {
        let mut out = String::with_capacity(magnitude.len() + 1);
        if self.neg {
            out.push('-');
        }
        out.extend(magnitude.iter().map(|&d| char::from(d)));
        out
    }
}

/// Adds one to a magnitude written as ASCII digits.
fn increment(digits: &mut Vec<u8>) {
    for d in digits.iter_mut().rev() {
        if *d == b'9' {
            *d = b'0';
        } else {
            *d += 1;
            return;
        }
    }
    digits.insert(0, b'1');
}
