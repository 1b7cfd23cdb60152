//! Field selectors: a port of `k8s.io/apimachinery/pkg/fields/selector.go`.
//!
//! kube-core only passes field selector strings through; the in-memory backend needs to parse,
//! validate and evaluate them with the API server's rules, so `splitTerms`, `splitTerm`,
//! `UnescapeValue`, `EscapeValue` and the `hasTerm`/`notHasTerm` matching are reproduced here.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use super::{SelectorError, SelectorKind};

/// The comparison of a [`FieldRequirement`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldOperator {
    /// `field=value`.
    Equals,
    /// `field==value`, same meaning as [`Equals`](Self::Equals).
    DoubleEquals,
    /// `field!=value`.
    NotEquals,
}

/// One comma-separated term of a field selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRequirement {
    field: String,
    operator: FieldOperator,
    value: String,
}

/// A parsed field selector: every requirement must hold. Empty selects everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldSelector {
    requirements: Vec<FieldRequirement>,
}

impl FieldRequirement {
    /// The field path, e.g. `metadata.name` (taken verbatim, spaces included, as the server
    /// does).
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The operator.
    pub fn operator(&self) -> FieldOperator {
        self.operator
    }

    /// The value with `\,`, `\=` and `\\` unescaped.
    pub fn value(&self) -> &str {
        &self.value
    }

    fn is_equality(&self) -> bool {
        matches!(
            self.operator,
            FieldOperator::Equals | FieldOperator::DoubleEquals
        )
    }
}

impl fmt::Display for FieldRequirement {
    /// `hasTerm.String()` / `notHasTerm.String()`: `=` for both `=` and `==`, value re-escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = if self.is_equality() { "=" } else { "!=" };
        write!(f, "{}{op}{}", self.field, escape_value(&self.value))
    }
}

impl FieldSelector {
    /// Parses a selector string exactly as `fields.ParseSelector` does. An empty string (or
    /// one of only commas) selects everything.
    pub fn parse(selector: &str) -> Result<Self, SelectorError> {
        let err = |m: String| SelectorError::new(SelectorKind::Field, m);
        let mut parts = split_terms(selector);
        parts.sort_unstable();
        let mut requirements = Vec::new();
        for part in parts {
            if part.is_empty() {
                continue;
            }
            let Some((field, operator, rhs)) = split_term(part) else {
                return Err(err(format!(
                    "invalid selector: '{selector}'; can't understand '{part}'"
                )));
            };
            let value = unescape_value(rhs).map_err(err)?;
            // The identity transform turns a term with empty field and value into
            // Everything(), which the `andTerm` drops.
            if field.is_empty() && value.is_empty() {
                continue;
            }
            requirements.push(FieldRequirement {
                field: field.to_string(),
                operator,
                value,
            });
        }
        Ok(Self { requirements })
    }

    /// The requirements, in the server's order (terms sorted as written).
    pub fn requirements(&self) -> &[FieldRequirement] {
        &self.requirements
    }

    /// Whether the selector has no requirement and so selects everything.
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// Whether every requirement holds; `get(field)` returns the object's value for a field
    /// path. A missing field (`None`) compares as the empty string, like the server's
    /// `fields.Set.Get`, so `f!=x` matches an object without `f` and `f=` matches it too.
    pub fn matches<'a>(&self, get: impl Fn(&str) -> Option<Cow<'a, str>>) -> bool {
        self.requirements.iter().all(|r| {
            let actual = get(&r.field);
            let actual = actual.as_deref().unwrap_or("");
            (actual == r.value) == r.is_equality()
        })
    }

    /// The value an `=`/`==` requirement demands for `field` (`RequiresExactMatch`), e.g. the
    /// name in `metadata.name=x`; the first such requirement wins.
    pub fn value_for(&self, field: &str) -> Option<&str> {
        self.requirements
            .iter()
            .find(|r| r.is_equality() && r.field == field)
            .map(|r| r.value.as_str())
    }
}

impl FromStr for FieldSelector {
    type Err = SelectorError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for FieldSelector {
    /// The canonical string (`andTerm.String()`): terms joined by `,`, values re-escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

/// `splitTerms`: split on commas not escaped by a backslash (the backslash is kept).
fn split_terms(selector: &str) -> Vec<&str> {
    if selector.is_empty() {
        return Vec::new();
    }
    let mut terms = Vec::new();
    let mut start = 0;
    let mut in_slash = false;
    for (i, c) in selector.char_indices() {
        if in_slash {
            in_slash = false;
        } else if c == '\\' {
            in_slash = true;
        } else if c == ',' {
            terms.push(&selector[start..i]);
            start = i + 1;
        }
    }
    terms.push(&selector[start..]);
    terms
}

/// `splitTerm`: the first position where `!=`, `==` or `=` (tried in that order) starts.
fn split_term(term: &str) -> Option<(&str, FieldOperator, &str)> {
    const OPERATORS: [(&str, FieldOperator); 3] = [
        ("!=", FieldOperator::NotEquals),
        ("==", FieldOperator::DoubleEquals),
        ("=", FieldOperator::Equals),
    ];
    term.char_indices().find_map(|(i, _)| {
        let remaining = &term[i..];
        OPERATORS.iter().find_map(|(op, operator)| {
            remaining
                .strip_prefix(op)
                .map(|rhs| (&term[..i], *operator, rhs))
        })
    })
}

/// `UnescapeValue`, with the texts of `InvalidEscapeSequence` and `UnescapedRune` (which
/// prints the rune as a number, `%v` of an `int32`).
fn unescape_value(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut in_slash = false;
    for c in s.chars() {
        if in_slash {
            match c {
                '\\' | ',' | '=' => out.push(c),
                _ => {
                    return Err(format!(
                        "invalid field selector: invalid escape sequence: \\{c}"
                    ));
                }
            }
            in_slash = false;
            continue;
        }
        match c {
            '\\' => in_slash = true,
            ',' | '=' => {
                return Err(format!(
                    "invalid field selector: unescaped character in value: {}",
                    c as u32
                ));
            }
            _ => out.push(c),
        }
    }
    if in_slash {
        return Err("invalid field selector: invalid escape sequence: \\".to_string());
    }
    Ok(out)
}

/// `EscapeValue`: prefix `\`, `,` and `=` with a backslash.
fn escape_value(s: &str) -> Cow<'_, str> {
    if !s.contains(['\\', ',', '=']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if matches!(c, '\\' | ',' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn parse(s: &str) -> FieldSelector {
        match FieldSelector::parse(s) {
            Ok(sel) => sel,
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    fn err(s: &str) -> String {
        match FieldSelector::parse(s) {
            Ok(sel) => panic!("{s:?} should not parse, got {sel:?}"),
            Err(e) => {
                assert_eq!(e.kind(), SelectorKind::Field);
                assert_eq!(e.to_string(), e.message());
                e.message().to_string()
            }
        }
    }

    fn object(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn matches(sel: &str, fields: &[(&str, &str)]) -> bool {
        let fields = object(fields);
        parse(sel).matches(|f| fields.get(f).map(|v| Cow::Owned(v.clone())))
    }

    #[test]
    fn operators_parse() {
        let cases = [
            ("a=b", "a", FieldOperator::Equals, "b"),
            ("a==b", "a", FieldOperator::DoubleEquals, "b"),
            ("a!=b", "a", FieldOperator::NotEquals, "b"),
            ("a=", "a", FieldOperator::Equals, ""),
            ("a=!b", "a", FieldOperator::Equals, "!b"),
            ("a!=\\=b", "a", FieldOperator::NotEquals, "=b"),
            ("=b", "", FieldOperator::Equals, "b"),
            (" a = b ", " a ", FieldOperator::Equals, " b "),
            (
                "spec.nodeName==",
                "spec.nodeName",
                FieldOperator::DoubleEquals,
                "",
            ),
        ];
        for (input, field, op, value) in cases {
            let sel = parse(input);
            let [r] = sel.requirements() else {
                panic!("{input}: one requirement expected, got {sel:?}");
            };
            assert_eq!(
                (r.field(), r.operator(), r.value()),
                (field, op, value),
                "{input}"
            );
        }
    }

    #[test]
    fn empty_selects_everything() {
        for s in ["", ",", ",,", "=", "!=,=="] {
            let sel = parse(s);
            assert!(sel.is_empty(), "{s:?}");
            assert_eq!(sel.to_string(), "");
            assert!(sel.matches(|_| None));
        }
        assert_eq!(FieldSelector::default(), parse(""));
    }

    #[test]
    fn escaping() {
        let sel = parse(r"a=x\,y\=z\\w,b!=\\");
        let values: Vec<_> = sel.requirements().iter().map(|r| r.value()).collect();
        assert_eq!(values, [r"x,y=z\w", "\\"]);
        assert_eq!(sel.to_string(), r"a=x\,y\=z\\w,b!=\\");
        assert_eq!(parse(&sel.to_string()), sel);
        assert_eq!(escape_value(r"a,b=c\d"), r"a\,b\=c\\d");
        assert_eq!(parse(r"a=\,").value_for("a"), Some(","));
        // An escaped comma in the field part is not a separator either (and stays escaped).
        assert_eq!(parse(r"a\,b=c").requirements()[0].field(), r"a\,b");
    }

    #[test]
    fn display_is_canonical() {
        assert_eq!(parse("b=2,a!=1").to_string(), "a!=1,b=2");
        assert_eq!(parse("x==1").to_string(), "x=1");
        assert_eq!(parse("a=1,,b=2,").to_string(), "a=1,b=2");
        assert_eq!("b=2,a=1".parse::<FieldSelector>(), Ok(parse("a=1,b=2")));
        // Terms are sorted as written (escaped), not by field.
        assert_eq!(parse("a=2,a!=1").to_string(), "a!=1,a=2");
    }

    #[test]
    fn parse_errors() {
        assert_eq!(err("a"), "invalid selector: 'a'; can't understand 'a'");
        assert_eq!(
            err("x=1,abc"),
            "invalid selector: 'x=1,abc'; can't understand 'abc'"
        );
        // Terms are checked in sorted order.
        assert_eq!(
            err("zz,aa"),
            "invalid selector: 'zz,aa'; can't understand 'aa'"
        );
        assert_eq!(
            err("a<1"),
            "invalid selector: 'a<1'; can't understand 'a<1'"
        );
        assert_eq!(
            err("a=b=c"),
            "invalid field selector: unescaped character in value: 61"
        );
        assert_eq!(
            err("a!==b"),
            "invalid field selector: unescaped character in value: 61"
        );
        assert_eq!(
            err(r"a=b\n"),
            r"invalid field selector: invalid escape sequence: \n"
        );
        assert_eq!(
            err(r"a=b\é"),
            r"invalid field selector: invalid escape sequence: \é"
        );
        assert_eq!(
            err("a=b\\"),
            r"invalid field selector: invalid escape sequence: \"
        );
        assert_eq!(
            err(r"a\,b"),
            r"invalid selector: 'a\,b'; can't understand 'a\,b'"
        );
        assert_eq!(
            unescape_value("a,b"),
            Err("invalid field selector: unescaped character in value: 44".to_string())
        );
    }

    #[test]
    fn matching_treats_missing_fields_as_empty() {
        let pod = [("metadata.name", "web"), ("status.phase", "Running")];
        assert!(matches("metadata.name=web", &pod));
        assert!(matches("metadata.name==web", &pod));
        assert!(!matches("metadata.name=db", &pod));
        assert!(matches("metadata.name!=db", &pod));
        assert!(!matches("metadata.name!=web", &pod));
        assert!(matches("metadata.name=web,status.phase!=Failed", &pod));
        assert!(!matches("metadata.name=web,status.phase=Failed", &pod));
        // Missing field compares as "".
        assert!(matches("spec.nodeName!=n1", &pod));
        assert!(matches("spec.nodeName=", &pod));
        assert!(!matches("spec.nodeName!=", &pod));
        assert!(!matches("spec.nodeName=n1", &pod));
        assert!(matches("a=x\\,y", &[("a", "x,y")]));
        // A borrowed value works too.
        let name = String::from("web");
        assert!(
            parse("metadata.name=web")
                .matches(|f| (f == "metadata.name").then_some(Cow::Borrowed(name.as_str())))
        );
    }

    #[test]
    fn value_for_reports_equality_requirements() {
        let sel = parse("metadata.namespace!=kube-system,metadata.name==web,status.phase=");
        assert_eq!(sel.value_for("metadata.name"), Some("web"));
        assert_eq!(sel.value_for("status.phase"), Some(""));
        assert_eq!(sel.value_for("metadata.namespace"), None);
        assert_eq!(sel.value_for("spec.nodeName"), None);
        assert_eq!(parse("a=2,a=1").value_for("a"), Some("1"));
    }
}
