//! Syntax of Kubernetes quantities (`resource.ParseQuantity` in k8s.io/apimachinery), for the
//! `quantity` string format.

/// Why a quantity does not parse, with apimachinery's error texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum QuantityError {
    /// `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`
    Format,
    /// `unable to parse quantity's suffix`
    Suffix,
    /// `unable to parse quantity's numeric part` (no digits at all).
    Numeric,
}

/// Checks that `text` is a quantity such as `10Gi`, `500m`, `1.5`, `1e3`, `-2Ki`.
pub(crate) fn parse(text: &str) -> Result<(), QuantityError> {
    if text.is_empty() {
        return Err(QuantityError::Format);
    }
    if text == "0" {
        return Ok(());
    }
    let b = text.as_bytes();
    let mut pos = 0;
    if matches!(b[0], b'+' | b'-') {
        pos += 1;
    }
    let number_start = pos;
    while pos < b.len() && b[pos].is_ascii_digit() {
        pos += 1;
    }
    let mut digits = pos - number_start;
    if pos < b.len() && b[pos] == b'.' {
        pos += 1;
        let frac_start = pos;
        while pos < b.len() && b[pos].is_ascii_digit() {
            pos += 1;
        }
        digits += pos - frac_start;
    }
    let suffix_start = pos;
    while pos < b.len() && b"eEinumkKMGTP".contains(&b[pos]) {
        pos += 1;
    }
    if pos < b.len() && matches!(b[pos], b'+' | b'-') {
        pos += 1;
    }
    while pos < b.len() && b[pos].is_ascii_digit() {
        pos += 1;
    }
    if pos != b.len() {
        return Err(QuantityError::Format);
    }
    if digits == 0 {
        return Err(QuantityError::Numeric);
    }
    if !valid_suffix(&text[suffix_start..]) {
        return Err(QuantityError::Suffix);
    }
    Ok(())
}

fn valid_suffix(suffix: &str) -> bool {
    match suffix {
        "" | "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" | "n" | "u" | "m" | "k" | "M" | "G" | "T"
        | "P" | "E" => true,
        _ => {
            let Some(exp) = suffix.strip_prefix(['e', 'E']) else {
                return false;
            };
            let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
            !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && exp.parse::<i64>().is_ok()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_quantities() {
        for q in [
            "0", "1", "10Gi", "500m", "1.5", ".5", "1.", "-2Ki", "+3", "1e3", "1E-3", "12M", "7Ei",
        ] {
            assert_eq!(parse(q), Ok(()), "{q}");
        }
    }

    #[test]
    fn invalid_quantities() {
        assert_eq!(parse(""), Err(QuantityError::Format));
        assert_eq!(parse("Gi"), Err(QuantityError::Numeric));
        assert_eq!(parse("10Gb"), Err(QuantityError::Format));
        assert_eq!(parse("10 Gi"), Err(QuantityError::Format));
        assert_eq!(parse("1Gii"), Err(QuantityError::Suffix));
        assert_eq!(parse("1e"), Err(QuantityError::Suffix));
        assert_eq!(parse("1.2.3"), Err(QuantityError::Format));
    }
}
