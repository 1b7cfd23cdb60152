//! Reading a stored object's encoding in place: a member found, members and items walked, a
//! value compared with a JSON tree, all without decoding. An update compares the stored
//! version with the new one, and most of the two are equal; decoding the whole stored version
//! to compare it, and freeing it again, was about a third of a replace's time (see
//! `docs/performance.md`).
//!
//! [`JsonRead`] is the read access that a JSON tree and an encoding share, so the rules that
//! compare an old version with a new one are written once for both.

use std::borrow::Cow;

use either::Either;
use serde::de::Error as _;
use serde_json::Value;

use super::codec::{
    self, ARRAY, CodecError, FALSE, FLOAT, NEG, NULL, OBJECT, Reader, STR, TRUE, UINT,
};

/// Read access to a JSON value: a tree ([`Value`]) or an encoding ([`View`]). Object members
/// come in key order (serde_json's `Map` is sorted; the encoding keeps the map's order, see
/// the test `maps_iterate_in_key_order`).
pub(crate) trait JsonRead<'a>: Copy + 'a {
    /// The members of an object, in key order; `None` for any other value.
    fn members(self) -> Option<impl Iterator<Item = (&'a str, Self)>>;
    /// [`members`](Self::members) with the keys as bytes (not checked as UTF-8 in an
    /// encoding), for walks that only compare keys.
    fn byte_members(self) -> Option<impl Iterator<Item = (&'a [u8], Self)>>;
    /// The items of an array; `None` for any other value.
    fn items(self) -> Option<impl Iterator<Item = Self>>;
    /// The member `key` of an object.
    fn get(self, key: &str) -> Option<Self>;
    /// Whether this is the same JSON as `value`.
    fn eq_value(self, value: &Value) -> bool;
    /// The value as a tree (borrowed for a tree, decoded for an encoding).
    fn to_value(self) -> Cow<'a, Value>;
    /// The string, if the value is one.
    fn as_str(self) -> Option<&'a str>;
    /// Whether the value is `null`.
    fn is_null(self) -> bool;
    /// Whether the value is an object with no members.
    fn is_empty_object(self) -> bool {
        self.members().is_some_and(|mut m| m.next().is_none())
    }
}

impl<'a> JsonRead<'a> for &'a Value {
    fn members(self) -> Option<impl Iterator<Item = (&'a str, Self)>> {
        self.as_object()
            .map(|m| m.iter().map(|(k, v)| (k.as_str(), v)))
    }

    fn byte_members(self) -> Option<impl Iterator<Item = (&'a [u8], Self)>> {
        self.as_object()
            .map(|m| m.iter().map(|(k, v)| (k.as_bytes(), v)))
    }

    fn items(self) -> Option<impl Iterator<Item = Self>> {
        self.as_array().map(|items| items.iter())
    }

    fn get(self, key: &str) -> Option<Self> {
        Value::get(self, key)
    }

    fn eq_value(self, value: &Value) -> bool {
        self == value
    }

    fn to_value(self) -> Cow<'a, Value> {
        Cow::Borrowed(self)
    }

    fn as_str(self) -> Option<&'a str> {
        Value::as_str(self)
    }

    fn is_null(self) -> bool {
        Value::is_null(self)
    }
}

/// One encoded value: the bytes of exactly that value, as [`codec::encode`] writes them.
/// A malformed encoding (never written by `encode`) reads as shorter or different, never
/// panics.
#[derive(Clone, Copy, Debug)]
pub(crate) struct View<'a> {
    bytes: &'a [u8],
}

impl<'a> View<'a> {
    /// The value encoded in `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    /// The value as a JSON tree.
    pub fn decode(self) -> Value {
        codec::decode(self.bytes)
    }

    fn reader(self) -> Reader<'a> {
        Reader {
            buf: self.bytes,
            pos: 0,
        }
    }

    /// The members of an object, keys as bytes (none if it is another value).
    fn object_members(self) -> Option<Members<'a>> {
        let mut r = self.reader();
        if r.byte().ok()? != OBJECT {
            return None;
        }
        let (left, _) = r.container().ok()?;
        Some(Members { r, left })
    }
}

impl<'a> JsonRead<'a> for View<'a> {
    fn members(self) -> Option<impl Iterator<Item = (&'a str, Self)>> {
        // A key that is not UTF-8 (never written by `encode`) ends the members.
        Some(
            self.object_members()?
                .map_while(|(k, v)| std::str::from_utf8(k).ok().map(|k| (k, v))),
        )
    }

    fn byte_members(self) -> Option<impl Iterator<Item = (&'a [u8], Self)>> {
        self.object_members()
    }

    fn items(self) -> Option<impl Iterator<Item = Self>> {
        let mut r = self.reader();
        if r.byte().ok()? != ARRAY {
            return None;
        }
        let (left, _) = r.container().ok()?;
        Some(Items { r, left })
    }

    fn get(self, key: &str) -> Option<Self> {
        // Members are in key order (byte order, as `str` orders): stop at the first one past
        // `key`. Keys are compared as bytes, not checked as UTF-8.
        for (k, v) in self.object_members()? {
            match k.cmp(key.as_bytes()) {
                std::cmp::Ordering::Less => {}
                std::cmp::Ordering::Equal => return Some(v),
                std::cmp::Ordering::Greater => return None,
            }
        }
        None
    }

    fn eq_value(self, value: &Value) -> bool {
        equal(&mut self.reader(), value).unwrap_or(false)
    }

    fn to_value(self) -> Cow<'a, Value> {
        Cow::Owned(self.decode())
    }

    fn as_str(self) -> Option<&'a str> {
        let mut r = self.reader();
        if r.byte().ok()? != STR {
            return None;
        }
        r.str().ok()
    }

    fn is_null(self) -> bool {
        self.bytes.first() == Some(&NULL)
    }
}

/// Either of two forms, e.g. a tree or an encoding: what an update's old version is (see
/// `verbs::old`).
impl<'a, L: JsonRead<'a>, R: JsonRead<'a>> JsonRead<'a> for Either<L, R> {
    fn members(self) -> Option<impl Iterator<Item = (&'a str, Self)>> {
        Some(match self {
            Either::Left(v) => Either::Left(v.members()?.map(|(k, c)| (k, Either::Left(c)))),
            Either::Right(v) => Either::Right(v.members()?.map(|(k, c)| (k, Either::Right(c)))),
        })
    }

    fn byte_members(self) -> Option<impl Iterator<Item = (&'a [u8], Self)>> {
        Some(match self {
            Either::Left(v) => Either::Left(v.byte_members()?.map(|(k, c)| (k, Either::Left(c)))),
            Either::Right(v) => {
                Either::Right(v.byte_members()?.map(|(k, c)| (k, Either::Right(c))))
            }
        })
    }

    fn items(self) -> Option<impl Iterator<Item = Self>> {
        Some(match self {
            Either::Left(v) => Either::Left(v.items()?.map(Either::Left)),
            Either::Right(v) => Either::Right(v.items()?.map(Either::Right)),
        })
    }

    fn get(self, key: &str) -> Option<Self> {
        match self {
            Either::Left(v) => JsonRead::get(v, key).map(Either::Left),
            Either::Right(v) => JsonRead::get(v, key).map(Either::Right),
        }
    }

    fn eq_value(self, value: &Value) -> bool {
        either::for_both!(self, v => v.eq_value(value))
    }

    fn to_value(self) -> Cow<'a, Value> {
        either::for_both!(self, v => v.to_value())
    }

    fn as_str(self) -> Option<&'a str> {
        either::for_both!(self, v => JsonRead::as_str(v))
    }

    fn is_null(self) -> bool {
        either::for_both!(self, v => JsonRead::is_null(v))
    }
}

/// The members of an encoded object, keys as bytes.
struct Members<'a> {
    r: Reader<'a>,
    left: usize,
}

impl<'a> Iterator for Members<'a> {
    type Item = (&'a [u8], View<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let key = str_bytes(&mut self.r).ok();
        let value = next_view(&mut self.r);
        match (key, value) {
            (Some(k), Some(v)) => Some((k, v)),
            _ => {
                self.left = 0;
                None
            }
        }
    }
}

/// The items of an encoded array.
struct Items<'a> {
    r: Reader<'a>,
    left: usize,
}

impl<'a> Iterator for Items<'a> {
    type Item = View<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let item = next_view(&mut self.r);
        if item.is_none() {
            self.left = 0;
        }
        item
    }
}

/// The value at the reader's position, which moves past it.
#[inline]
fn next_view<'a>(r: &mut Reader<'a>) -> Option<View<'a>> {
    let start = r.pos;
    skip(r).ok()?;
    r.buf.get(start..r.pos).map(View::new)
}

/// The bytes of an encoded string (not checked as UTF-8: only compared or skipped).
#[inline]
fn str_bytes<'a>(r: &mut Reader<'a>) -> Result<&'a [u8], CodecError> {
    let n = r.count()?;
    let end = r
        .pos
        .checked_add(n)
        .ok_or_else(|| CodecError::custom("truncated object encoding"))?;
    let bytes = r
        .buf
        .get(r.pos..end)
        .ok_or_else(|| CodecError::custom("truncated object encoding"))?;
    r.pos = end;
    Ok(bytes)
}

/// Moves the reader past one value.
#[inline]
fn skip(r: &mut Reader<'_>) -> Result<(), CodecError> {
    match r.byte()? {
        NULL | FALSE | TRUE => {}
        UINT | NEG => {
            r.len()?;
        }
        FLOAT => {
            r.f64()?;
        }
        STR => {
            str_bytes(r)?;
        }
        tag @ (ARRAY | OBJECT) => match r.container()? {
            // The recorded size: stepped over at once.
            (_, Some(size)) => {
                let end = r
                    .pos
                    .checked_add(size)
                    .filter(|end| *end <= r.buf.len())
                    .ok_or_else(|| CodecError::custom("truncated object encoding"))?;
                r.pos = end;
            }
            (n, None) => {
                for _ in 0..n {
                    if tag == OBJECT {
                        str_bytes(r)?;
                    }
                    skip(r)?;
                }
            }
        },
        t => {
            return Err(CodecError::custom(format!(
                "bad tag {t} in object encoding"
            )));
        }
    }
    Ok(())
}

/// Whether the value at the reader's position is `value` (as `decode(..) == *value`:
/// serde_json's numbers are equal only within one kind, unsigned, negative or float, and
/// the encoding keeps the kind).
fn equal(r: &mut Reader<'_>, value: &Value) -> Result<bool, CodecError> {
    Ok(match (r.byte()?, value) {
        (NULL, Value::Null) | (FALSE, Value::Bool(false)) | (TRUE, Value::Bool(true)) => true,
        (UINT, Value::Number(n)) => n.as_u64() == Some(r.len()?),
        (NEG, Value::Number(n)) => n.is_i64() && n.as_i64() == Some(!r.len()? as i64),
        (FLOAT, Value::Number(n)) => n.is_f64() && n.as_f64() == Some(r.f64()?),
        (STR, Value::String(s)) => str_bytes(r)? == s.as_bytes(),
        (ARRAY, Value::Array(items)) => {
            if r.container()?.0 != items.len() {
                return Ok(false);
            }
            for item in items {
                if !equal(r, item)? {
                    return Ok(false);
                }
            }
            true
        }
        (OBJECT, Value::Object(map)) => {
            if r.container()?.0 != map.len() {
                return Ok(false);
            }
            // Same number of members, both in key order: equal maps pair up one to one.
            for (k, v) in map {
                if str_bytes(r)? != k.as_bytes() || !equal(r, v)? {
                    return Ok(false);
                }
            }
            true
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn samples() -> Vec<Value> {
        vec![
            json!(null),
            json!(true),
            json!(false),
            json!(0),
            json!(7),
            json!(u64::MAX),
            json!(-1),
            json!(i64::MIN),
            json!(1.5),
            json!(2.0),
            json!(""),
            json!("ü"),
            json!("x".repeat(200)),
            json!([]),
            json!([1, "a", null]),
            json!([1, "a"]),
            json!({}),
            json!({"a": 1}),
            json!({"a": 1, "b": {"c": [1, 2, {"d": "e"}]}}),
            json!({"a": 1, "b": {"c": [1, 2, {"d": "f"}]}}),
            json!({"a": 1, "c": {"c": [1, 2, {"d": "e"}]}}),
            json!({"a": 2.0, "b": null}),
            json!({"a": 2, "b": null}),
        ]
    }

    #[test]
    fn maps_iterate_in_key_order() {
        // `View::get` and the merge walks of an update rely on sorted members: serde_json's
        // `Map` without its `preserve_order` feature.
        let v = json!({"b": 1, "a": 2, "c": 3});
        let keys: Vec<&str> = v.members().unwrap().map(|(k, _)| k).collect();
        assert_eq!(keys, ["a", "b", "c"]);
    }

    #[test]
    fn compares_like_the_decoded_tree() {
        let samples = samples();
        for a in &samples {
            let bytes = codec::encode(a);
            let view = View::new(&bytes);
            assert_eq!(view.decode(), *a);
            assert_eq!(bytes.len(), {
                let mut r = view.reader();
                skip(&mut r).unwrap();
                r.pos
            });
            for b in &samples {
                assert_eq!(view.eq_value(b), a == b, "{a} vs {b}");
            }
        }
    }

    #[test]
    fn reads_members_items_and_strings_in_place() {
        let v = json!({"apiVersion": "v1", "data": {"k": "v", "n": 1}, "list": [1, {"x": "y"}],
                       "metadata": {"name": "a", "resourceVersion": "7"}});
        let bytes = codec::encode(&v);
        let view = View::new(&bytes);
        let keys: Vec<&str> = view.members().unwrap().map(|(k, _)| k).collect();
        assert_eq!(keys, ["apiVersion", "data", "list", "metadata"]);
        for (k, child) in view.members().unwrap() {
            assert_eq!(child.decode(), v[k]);
            assert!(child.eq_value(&v[k]));
        }
        let meta = JsonRead::get(view, "metadata").unwrap();
        assert_eq!(
            JsonRead::get(meta, "name").and_then(JsonRead::as_str),
            Some("a")
        );
        assert!(JsonRead::get(meta, "uid").is_none());
        assert!(JsonRead::get(view, "zzz").is_none());
        assert!(JsonRead::get(view, "0").is_none());
        let items: Vec<Value> = JsonRead::get(view, "list")
            .unwrap()
            .items()
            .unwrap()
            .map(View::decode)
            .collect();
        assert_eq!(items, vec![json!(1), json!({"x": "y"})]);
        assert!(view.items().is_none());
        assert!(
            JsonRead::get(view, "apiVersion")
                .unwrap()
                .members()
                .is_none()
        );
        assert!(View::new(&codec::encode(&json!({}))).is_empty_object());
        assert!(!view.is_empty_object());
        assert!(View::new(&codec::encode(&json!(null))).is_null());
        // The tree and the either forms read the same.
        let either: Either<&Value, View<'_>> = Either::Right(view);
        assert_eq!(either.to_value().into_owned(), v);
        assert_eq!(
            JsonRead::get(Either::<&Value, View<'_>>::Left(&v), "data")
                .map(|d| d.to_value().into_owned()),
            Some(v["data"].clone())
        );
    }

    #[test]
    fn a_malformed_encoding_reads_short_and_never_panics() {
        let bytes = codec::encode(&json!({"a": [1, 2, 3], "b": "text"}));
        for cut in 0..bytes.len() {
            let view = View::new(&bytes[..cut]);
            let _ = view.members().map(Iterator::count);
            let _ = JsonRead::get(view, "b");
            assert!(!view.eq_value(&json!({"a": [1, 2, 3], "b": "text"})));
        }
        assert!(!View::new(&[42]).eq_value(&json!(null)));
        let unsized_bad = [OBJECT, 1, 0xff, 0xff, 0xff, 0xff, 1, b'a', 42];
        assert!(View::new(&unsized_bad).members().unwrap().next().is_none());
        // A size field past the end.
        let lying = [
            OBJECT, 1, 0x7f, 0, 0, 0, 1, b'a', ARRAY, 1, 0x7f, 0, 0, 0, NULL,
        ];
        assert!(View::new(&lying).members().unwrap().next().is_none());
        assert!(!View::new(&lying).eq_value(&serde_json::json!({"a": null})));
    }
}
