//! Go's `base64.StdEncoding.Decode`, for the `[]byte` fields of built-in objects (a Secret's
//! `data`, a ConfigMap's `binaryData`): encoding/json decodes a JSON string into `[]byte`
//! with it, so a value that is not base64 is refused with Go's `CorruptInputError` text,
//! whose byte offset follows Go's decoder (the `base64` crate reports a different offset,
//! and accepts or refuses other inputs, hence this port).

/// The value of a base64 digit of the standard alphabet, if `c` is one.
fn digit(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

fn is_newline(c: u8) -> bool {
    c == b'\n' || c == b'\r'
}

/// Decodes `src` as `base64.StdEncoding.Decode` does (padding required, `\r` and `\n`
/// skipped, trailing bits not checked); the error is `CorruptInputError`'s offset.
pub(crate) fn decode(src: &[u8]) -> Result<Vec<u8>, usize> {
    let mut out = Vec::with_capacity(src.len() / 4 * 3 + 3);
    let mut si = 0;
    while si < src.len() {
        si = decode_quantum(&mut out, src, si)?;
    }
    Ok(out)
}

/// `(*Encoding).decodeQuantum`: one group of up to four digits from `si`; returns where the
/// next group starts.
fn decode_quantum(out: &mut Vec<u8>, src: &[u8], mut si: usize) -> Result<usize, usize> {
    let mut dbuf = [0u8; 4];
    let mut dlen = 4;
    let mut j = 0;
    while j < 4 {
        let Some(&c) = src.get(si) else {
            // Go: `j == 1, enc.padChar != NoPadding` — the standard encoding pads.
            return if j == 0 { Ok(si) } else { Err(si - j) };
        };
        si += 1;
        if let Some(d) = digit(c) {
            dbuf[j] = d;
            j += 1;
            continue;
        }
        if is_newline(c) {
            continue;
        }
        if c != b'=' {
            return Err(si - 1);
        }
        // Padding.
        match j {
            0 | 1 => return Err(si - 1),
            2 => {
                // "==" is expected; the first "=" is consumed.
                while src.get(si).copied().is_some_and(is_newline) {
                    si += 1;
                }
                match src.get(si) {
                    None => return Err(src.len()),
                    Some(&b'=') => si += 1,
                    Some(_) => return Err(si - 1),
                }
            }
            _ => {}
        }
        while src.get(si).copied().is_some_and(is_newline) {
            si += 1;
        }
        if si < src.len() {
            // Trailing garbage after the padding.
            return Err(si);
        }
        dlen = j;
        break;
    }
    let val = (u32::from(dbuf[0]) << 18)
        | (u32::from(dbuf[1]) << 12)
        | (u32::from(dbuf[2]) << 6)
        | u32::from(dbuf[3]);
    let bytes = [(val >> 16) as u8, (val >> 8) as u8, val as u8];
    out.extend_from_slice(&bytes[..dlen - 1]);
    Ok(si)
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn decodes_standard_base64_with_newlines() {
        assert_eq!(decode(b"aGVsbG8="), Ok(b"hello".to_vec()));
        assert_eq!(decode(b"aGVs\nbG8="), Ok(b"hello".to_vec()));
        assert_eq!(decode(b"aGk="), Ok(b"hi".to_vec()));
        assert_eq!(decode(b""), Ok(Vec::new()));
    }

    /// The offsets of Go's `CorruptInputError` (cases from encoding/base64's TestDecodeCorrupt).
    #[test]
    fn corrupt_input_offsets_are_gos() {
        for (input, offset) in [
            ("!!!!", 0),
            ("====", 0),
            ("x===", 1),
            ("=AAA", 0),
            ("A=AA", 1),
            ("AA=A", 2),
            ("AA==A", 4),
            ("AAA=AAAA", 4),
            ("AAAAA", 4),
            ("AAAAAA", 4),
            ("A=", 1),
            ("A==", 1),
            ("AA=", 3),
            ("AA==", usize::MAX),
            ("AAA=", usize::MAX),
            ("AAAA", usize::MAX),
            ("AAAAAA=", 7),
            ("YWJjZA=====", 8),
            ("A!\n", 1),
            ("A=\n", 1),
            ("hello world", 5),
            ("abc", 0),
        ] {
            let got = decode(input.as_bytes());
            if offset == usize::MAX {
                assert!(got.is_ok(), "{input:?}: {got:?}");
            } else {
                assert_eq!(got, Err(offset), "{input:?}");
            }
        }
    }
}
