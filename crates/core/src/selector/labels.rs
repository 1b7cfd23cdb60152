//! Label selectors: a port of `k8s.io/apimachinery/pkg/labels/selector.go`.
//!
//! Why hand-written: kube-core has `Selector`/`Expression` and can match them against labels,
//! but it has no parser for the selector string the API server receives, does not know the
//! `>`/`<` (`gt`/`lt`) operators, and does not validate keys and values. An in-memory backend
//! must accept and reject exactly what a cluster accepts and rejects, with the same error
//! texts, so the lexer, the parser, the validation (`content.IsLabelKey`,
//! `content.IsLabelValue`) and the `field.Error` formatting are reproduced here.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector as MetaLabelSelector;

use super::{SelectorError, SelectorKind};

/// The relation a [`LabelRequirement`] puts between a label key and its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LabelOperator {
    /// `k=v`: the label exists and equals `v`.
    Equals,
    /// `k==v`: same as [`Equals`](Self::Equals), kept apart to print back as written.
    DoubleEquals,
    /// `k!=v`: the label is absent or differs from `v`.
    NotEquals,
    /// `k in (a,b)`: the label exists and is one of the values.
    In,
    /// `k notin (a,b)`: the label is absent or is none of the values.
    NotIn,
    /// `k`: the label exists.
    Exists,
    /// `!k`: the label is absent.
    DoesNotExist,
    /// `k>n`: the label exists, is an integer and is greater than `n`.
    GreaterThan,
    /// `k<n`: the label exists, is an integer and is less than `n`.
    LessThan,
}

/// One comma-separated term of a label selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelRequirement {
    key: String,
    operator: LabelOperator,
    values: Vec<String>,
}

/// A parsed label selector: every requirement must hold. Empty selects everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LabelSelector {
    requirements: Vec<LabelRequirement>,
}

impl LabelRequirement {
    /// The label key (`[prefix/]name`).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The operator.
    pub fn operator(&self) -> LabelOperator {
        self.operator
    }

    /// The values: one for `=`, `==`, `!=`, `>`, `<`; a set for `in`/`notin` (sorted and
    /// deduplicated when parsed from a string); none for exists/does-not-exist.
    pub fn values(&self) -> &[String] {
        &self.values
    }

    fn has_value(&self, value: &str) -> bool {
        self.values.iter().any(|v| v == value)
    }

    /// Whether `labels` satisfy this requirement (`Requirement.Matches`): `!=` and `notin`
    /// also match when the key is missing; `>`/`<` need the label to parse as an `i64`.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let found = labels.get(&self.key);
        match self.operator {
            LabelOperator::In | LabelOperator::Equals | LabelOperator::DoubleEquals => {
                found.is_some_and(|v| self.has_value(v))
            }
            LabelOperator::NotIn | LabelOperator::NotEquals => {
                found.is_none_or(|v| !self.has_value(v))
            }
            LabelOperator::Exists => found.is_some(),
            LabelOperator::DoesNotExist => found.is_none(),
            LabelOperator::GreaterThan | LabelOperator::LessThan => {
                let Some(Ok(actual)) = found.map(|v| v.parse::<i64>()) else {
                    return false;
                };
                let [wanted] = self.values.as_slice() else {
                    return false;
                };
                let Ok(wanted) = wanted.parse::<i64>() else {
                    return false;
                };
                if self.operator == LabelOperator::GreaterThan {
                    actual > wanted
                } else {
                    actual < wanted
                }
            }
        }
    }
}

impl fmt::Display for LabelRequirement {
    /// `Requirement.String()`: `in`/`notin` values printed sorted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.operator == LabelOperator::DoesNotExist {
            f.write_str("!")?;
        }
        f.write_str(&self.key)?;
        let (op, parens) = match self.operator {
            LabelOperator::Equals => ("=", false),
            LabelOperator::DoubleEquals => ("==", false),
            LabelOperator::NotEquals => ("!=", false),
            LabelOperator::In => (" in ", true),
            LabelOperator::NotIn => (" notin ", true),
            LabelOperator::GreaterThan => (">", false),
            LabelOperator::LessThan => ("<", false),
            LabelOperator::Exists | LabelOperator::DoesNotExist => return Ok(()),
        };
        f.write_str(op)?;
        if parens {
            f.write_str("(")?;
        }
        let mut sorted: Vec<&str> = self.values.iter().map(String::as_str).collect();
        sorted.sort_unstable();
        f.write_str(&sorted.join(","))?;
        if parens {
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl LabelSelector {
    /// Parses a selector string exactly as `labels.Parse` does. An empty string (or one of
    /// only whitespace) selects everything.
    pub fn parse(selector: &str) -> Result<Self, SelectorError> {
        let mut requirements = Parser::new(selector)
            .parse()
            .map_err(|m| SelectorError::new(SelectorKind::Label, m))?;
        // `sort.Sort(ByKey(items))`; Go's sort is unstable but insertion-sorts short slices,
        // so a stable sort gives the same order for every realistic selector.
        requirements.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(Self { requirements })
    }

    /// The requirements, sorted by key.
    pub fn requirements(&self) -> &[LabelRequirement] {
        &self.requirements
    }

    /// Whether the selector has no requirement and so selects everything.
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// Whether every requirement holds for `labels`.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }

    /// A selector of `key=value` requirements, one per entry (`labels.SelectorFromSet`, no
    /// validation), as `matchLabels` means.
    pub fn from_map(labels: &BTreeMap<String, String>) -> Self {
        let requirements = labels
            .iter()
            .map(|(k, v)| LabelRequirement {
                key: k.clone(),
                operator: LabelOperator::Equals,
                values: vec![v.clone()],
            })
            .collect();
        Self { requirements }
    }

    /// Converts a `metav1.LabelSelector` the way `metav1.LabelSelectorAsSelector` does:
    /// `matchLabels` become `=` requirements, `matchExpressions` use `In`, `NotIn`, `Exists`
    /// and `DoesNotExist`; every requirement is validated as `labels.NewRequirement` does.
    /// An empty selector selects everything.
    pub fn from_label_selector(sel: &MetaLabelSelector) -> Result<Self, SelectorError> {
        let err = |m: String| SelectorError::new(SelectorKind::Label, m);
        let mut requirements = Vec::new();
        for (k, v) in sel.match_labels.iter().flatten() {
            requirements.push(
                new_requirement(k, LabelOperator::Equals, vec![v.clone()], ValuesKind::Slice)
                    .map_err(err)?,
            );
        }
        for expr in sel.match_expressions.iter().flatten() {
            let op = match expr.operator.as_str() {
                "In" => LabelOperator::In,
                "NotIn" => LabelOperator::NotIn,
                "Exists" => LabelOperator::Exists,
                "DoesNotExist" => LabelOperator::DoesNotExist,
                // helpers.go: fmt.Errorf("%q is not a valid pod selector operator", expr.Operator)
                other => {
                    return Err(err(format!(
                        "{} is not a valid pod selector operator",
                        go_quote(other)
                    )));
                }
            };
            // `append([]string(nil), expr.Values...)` is nil when there are no values.
            let values = expr.values.clone().unwrap_or_default();
            let kind = if values.is_empty() {
                ValuesKind::Nil
            } else {
                ValuesKind::Slice
            };
            requirements.push(new_requirement(&expr.key, op, values, kind).map_err(err)?);
        }
        requirements.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(Self { requirements })
    }

    /// The equivalent kube-core selector, for `ListParams::labels_from`.
    ///
    /// Returns `None` when the selector uses `>` or `<`: kube-core's `Expression` has no
    /// variant for them, so such a selector cannot be expressed (send its
    /// [`Display`](fmt::Display) string instead).
    pub fn to_kube_selector(&self) -> Option<kube_core::Selector> {
        use kube_core::Expression;
        self.requirements
            .iter()
            .map(|r| {
                let key = r.key.clone();
                let first = || r.values.first().cloned().unwrap_or_default();
                let set = || r.values.iter().cloned().collect::<BTreeSet<_>>();
                Some(match r.operator {
                    LabelOperator::Equals | LabelOperator::DoubleEquals => {
                        Expression::Equal(key, first())
                    }
                    LabelOperator::NotEquals => Expression::NotEqual(key, first()),
                    LabelOperator::In => Expression::In(key, set()),
                    LabelOperator::NotIn => Expression::NotIn(key, set()),
                    LabelOperator::Exists => Expression::Exists(key),
                    LabelOperator::DoesNotExist => Expression::DoesNotExist(key),
                    LabelOperator::GreaterThan | LabelOperator::LessThan => return None,
                })
            })
            .collect()
    }
}

impl FromStr for LabelSelector {
    type Err = SelectorError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for LabelSelector {
    /// The canonical string (`internalSelector.String()`): requirements sorted by key, joined
    /// by `,`; empty for the select-everything selector.
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

// ---------------------------------------------------------------------------------------------
// Lexer (selector.go `Lexer`): works on bytes like the Go code, a NUL byte ends the input.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Error,
    EndOfString,
    ClosedPar,
    Comma,
    DoesNotExist,
    DoubleEquals,
    Equals,
    GreaterThan,
    Identifier,
    In,
    LessThan,
    NotEquals,
    NotIn,
    OpenPar,
}

/// `string2token`.
fn string_to_token(s: &[u8]) -> Option<Token> {
    Some(match s {
        b")" => Token::ClosedPar,
        b"," => Token::Comma,
        b"!" => Token::DoesNotExist,
        b"==" => Token::DoubleEquals,
        b"=" => Token::Equals,
        b">" => Token::GreaterThan,
        b"in" => Token::In,
        b"<" => Token::LessThan,
        b"!=" => Token::NotEquals,
        b"notin" => Token::NotIn,
        b"(" => Token::OpenPar,
        _ => return None,
    })
}

fn is_whitespace(ch: u8) -> bool {
    matches!(ch, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_special_symbol(ch: u8) -> bool {
    matches!(ch, b'=' | b'!' | b'(' | b')' | b',' | b'>' | b'<')
}

struct Lexer<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Lexer<'_> {
    fn read(&mut self) -> u8 {
        match self.s.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                b
            }
            None => 0,
        }
    }

    fn unread(&mut self) {
        self.pos = self.pos.saturating_sub(1);
    }

    fn scan_id_or_keyword(&mut self) -> (Token, String) {
        let mut buffer = Vec::new();
        loop {
            let ch = self.read();
            if ch == 0 {
                break;
            }
            if is_special_symbol(ch) || is_whitespace(ch) {
                self.unread();
                break;
            }
            buffer.push(ch);
        }
        let tok = string_to_token(&buffer).unwrap_or(Token::Identifier);
        // Split only at ASCII bytes, so the buffer is valid UTF-8.
        (tok, String::from_utf8_lossy(&buffer).into_owned())
    }

    fn scan_special_symbol(&mut self) -> (Token, String) {
        let mut last: Option<(Token, String)> = None;
        let mut buffer = Vec::new();
        loop {
            let ch = self.read();
            if ch == 0 {
                break;
            }
            if !is_special_symbol(ch) {
                self.unread();
                break;
            }
            buffer.push(ch);
            if let Some(tok) = string_to_token(&buffer) {
                last = Some((tok, String::from_utf8_lossy(&buffer).into_owned()));
            } else if last.is_some() {
                self.unread();
                break;
            }
        }
        match last {
            Some(item) => item,
            None => (
                Token::Error,
                format!(
                    "error expected: keyword found '{}'",
                    String::from_utf8_lossy(&buffer)
                ),
            ),
        }
    }

    fn lex(&mut self) -> (Token, String) {
        let mut ch = self.read();
        while is_whitespace(ch) {
            ch = self.read();
        }
        if ch == 0 {
            return (Token::EndOfString, String::new());
        }
        self.unread();
        if is_special_symbol(ch) {
            self.scan_special_symbol()
        } else {
            self.scan_id_or_keyword()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parser (selector.go `Parser`).

#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    KeyAndOperator,
    Values,
}

struct Parser {
    items: Vec<(Token, String)>,
    position: usize,
}

impl Parser {
    fn new(selector: &str) -> Self {
        let mut lexer = Lexer {
            s: selector.as_bytes(),
            pos: 0,
        };
        let mut items = Vec::new();
        loop {
            let item = lexer.lex();
            let end = item.0 == Token::EndOfString;
            items.push(item);
            if end {
                break;
            }
        }
        Self { items, position: 0 }
    }

    fn item(&self, index: usize, context: Context) -> (Token, String) {
        let (tok, lit) = self
            .items
            .get(index)
            .cloned()
            .unwrap_or((Token::EndOfString, String::new()));
        let tok = match (context, tok) {
            (Context::Values, Token::In | Token::NotIn) => Token::Identifier,
            _ => tok,
        };
        (tok, lit)
    }

    fn lookahead(&self, context: Context) -> (Token, String) {
        self.item(self.position, context)
    }

    fn consume(&mut self, context: Context) -> (Token, String) {
        self.position += 1;
        self.item(self.position - 1, context)
    }

    fn parse(&mut self) -> Result<Vec<LabelRequirement>, String> {
        let mut requirements = Vec::new();
        loop {
            let (tok, lit) = self.lookahead(Context::Values);
            match tok {
                Token::Identifier | Token::DoesNotExist => {
                    let r = self
                        .parse_requirement()
                        .map_err(|e| format!("unable to parse requirement: {e}"))?;
                    requirements.push(r);
                    let (t, l) = self.consume(Context::Values);
                    match t {
                        Token::EndOfString => return Ok(requirements),
                        Token::Comma => {
                            let (t2, l2) = self.lookahead(Context::Values);
                            if t2 != Token::Identifier && t2 != Token::DoesNotExist {
                                return Err(format!(
                                    "found '{l2}', expected: identifier after ','"
                                ));
                            }
                        }
                        _ => return Err(format!("found '{l}', expected: ',' or 'end of string'")),
                    }
                }
                Token::EndOfString => return Ok(requirements),
                _ => {
                    return Err(format!(
                        "found '{lit}', expected: !, identifier, or 'end of string'"
                    ));
                }
            }
        }
    }

    fn parse_requirement(&mut self) -> Result<LabelRequirement, String> {
        let (key, operator) = self.parse_key_and_infer_operator()?;
        if let Some(op @ (LabelOperator::Exists | LabelOperator::DoesNotExist)) = operator {
            return new_requirement(&key, op, Vec::new(), ValuesKind::Slice);
        }
        let operator = self.parse_operator()?;
        let values = match operator {
            LabelOperator::In | LabelOperator::NotIn => self.parse_values()?,
            _ => self.parse_exact_value()?,
        };
        new_requirement(
            &key,
            operator,
            values.into_iter().collect(),
            ValuesKind::Slice,
        )
    }

    fn parse_key_and_infer_operator(&mut self) -> Result<(String, Option<LabelOperator>), String> {
        let mut operator = None;
        let (mut tok, mut literal) = self.consume(Context::Values);
        if tok == Token::DoesNotExist {
            operator = Some(LabelOperator::DoesNotExist);
            (tok, literal) = self.consume(Context::Values);
        }
        if tok != Token::Identifier {
            return Err(format!("found '{literal}', expected: identifier"));
        }
        // validateLabelKey(literal, p.path) with a nil path: the field prints as "<nil>".
        if let Some(detail) = label_key_errors(&literal) {
            return Err(invalid_string("<nil>", &literal, &detail));
        }
        let (t, _) = self.lookahead(Context::Values);
        if (t == Token::EndOfString || t == Token::Comma) && operator.is_none() {
            operator = Some(LabelOperator::Exists);
        }
        Ok((literal, operator))
    }

    fn parse_operator(&mut self) -> Result<LabelOperator, String> {
        let (tok, lit) = self.consume(Context::KeyAndOperator);
        Ok(match tok {
            Token::In => LabelOperator::In,
            Token::Equals => LabelOperator::Equals,
            Token::DoubleEquals => LabelOperator::DoubleEquals,
            Token::GreaterThan => LabelOperator::GreaterThan,
            Token::LessThan => LabelOperator::LessThan,
            Token::NotIn => LabelOperator::NotIn,
            Token::NotEquals => LabelOperator::NotEquals,
            // strings.Join(binaryOperators, ", ")
            _ => {
                return Err(format!(
                    "found '{lit}', expected: in, notin, =, ==, !=, gt, lt"
                ));
            }
        })
    }

    fn parse_values(&mut self) -> Result<BTreeSet<String>, String> {
        let (tok, lit) = self.consume(Context::Values);
        if tok != Token::OpenPar {
            return Err(format!("found '{lit}' expected: '('"));
        }
        let (tok, lit) = self.lookahead(Context::Values);
        match tok {
            Token::Identifier | Token::Comma => {
                let s = self.parse_identifiers_list()?;
                let (closing, _) = self.consume(Context::Values);
                if closing != Token::ClosedPar {
                    // The Go code reports the literal seen right after '('.
                    return Err(format!("found '{lit}', expected: ')'"));
                }
                Ok(s)
            }
            Token::ClosedPar => {
                self.consume(Context::Values);
                Ok(BTreeSet::from([String::new()]))
            }
            _ => Err(format!("found '{lit}', expected: ',', ')' or identifier")),
        }
    }

    fn parse_identifiers_list(&mut self) -> Result<BTreeSet<String>, String> {
        let mut s = BTreeSet::new();
        loop {
            let (tok, lit) = self.consume(Context::Values);
            match tok {
                Token::Identifier => {
                    s.insert(lit);
                    let (tok2, lit2) = self.lookahead(Context::Values);
                    match tok2 {
                        Token::Comma => continue,
                        Token::ClosedPar => return Ok(s),
                        _ => return Err(format!("found '{lit2}', expected: ',' or ')'")),
                    }
                }
                Token::Comma => {
                    if s.is_empty() {
                        s.insert(String::new());
                    }
                    let (tok2, _) = self.lookahead(Context::Values);
                    if tok2 == Token::ClosedPar {
                        s.insert(String::new());
                        return Ok(s);
                    }
                    if tok2 == Token::Comma {
                        self.consume(Context::Values);
                        s.insert(String::new());
                    }
                }
                _ => return Err(format!("found '{lit}', expected: ',', or identifier")),
            }
        }
    }

    fn parse_exact_value(&mut self) -> Result<BTreeSet<String>, String> {
        let (tok, _) = self.lookahead(Context::Values);
        if tok == Token::EndOfString || tok == Token::Comma {
            return Ok(BTreeSet::from([String::new()]));
        }
        let (tok, lit) = self.consume(Context::Values);
        if tok == Token::Identifier {
            return Ok(BTreeSet::from([lit]));
        }
        Err(format!("found '{lit}', expected: identifier"))
    }
}

// ---------------------------------------------------------------------------------------------
// NewRequirement and its validation.

/// How Go's `encoding/json` would render the values slice in a `field.Invalid` message:
/// `null` for a nil slice (matchExpressions without values), `[...]` otherwise.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ValuesKind {
    Nil,
    Slice,
}

/// `labels.NewRequirement` with a nil path: every error is collected, deduplicated and
/// aggregated (`[a, b]` when more than one) like `field.ErrorList.ToAggregate()`.
fn new_requirement(
    key: &str,
    operator: LabelOperator,
    values: Vec<String>,
    kind: ValuesKind,
) -> Result<LabelRequirement, String> {
    let mut errs: Vec<String> = Vec::new();
    if let Some(detail) = label_key_errors(key) {
        errs.push(invalid_string("key", key, &detail));
    }
    let json = || {
        if kind == ValuesKind::Nil {
            "null".to_string()
        } else {
            go_json_strings(&values)
        }
    };
    let invalid_values = |detail: &str| format!("values: Invalid value: {}: {detail}", json());
    match operator {
        LabelOperator::In | LabelOperator::NotIn => {
            if values.is_empty() {
                errs.push(invalid_values(
                    "for 'in', 'notin' operators, values set can't be empty",
                ));
            }
        }
        LabelOperator::Equals | LabelOperator::DoubleEquals | LabelOperator::NotEquals => {
            if values.len() != 1 {
                errs.push(invalid_values(
                    "exact-match compatibility requires one single value",
                ));
            }
        }
        LabelOperator::Exists | LabelOperator::DoesNotExist => {
            if !values.is_empty() {
                errs.push(invalid_values(
                    "values set must be empty for exists and does not exist",
                ));
            }
        }
        LabelOperator::GreaterThan | LabelOperator::LessThan => {
            if values.len() != 1 {
                errs.push(invalid_values(
                    "for 'Gt', 'Lt' operators, exactly one value is required",
                ));
            }
            for (i, v) in values.iter().enumerate() {
                if v.parse::<i64>().is_err() {
                    errs.push(invalid_string(
                        &format!("values[{i}]"),
                        v,
                        "for 'Gt', 'Lt' operators, the value must be an integer",
                    ));
                }
            }
        }
    }
    for (i, v) in values.iter().enumerate() {
        if let Some(detail) = label_value_errors(v) {
            errs.push(invalid_string(&format!("values[{i}][{key}]"), v, &detail));
        }
    }
    // ToAggregate drops repeated messages, keeping the first occurrence.
    let mut unique: Vec<String> = Vec::new();
    for e in errs {
        if !unique.contains(&e) {
            unique.push(e);
        }
    }
    match unique.len() {
        0 => Ok(LabelRequirement {
            key: key.to_string(),
            operator,
            values,
        }),
        1 => Err(unique.concat()),
        _ => Err(format!("[{}]", unique.join(", "))),
    }
}

/// `field.Invalid(path, value, detail).Error()` for a string value.
fn invalid_string(field: &str, value: &str, detail: &str) -> String {
    format!("{field}: Invalid value: {}: {detail}", go_quote(value))
}

const LABEL_KEY_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_KEY_ERR_MSG: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
const LABEL_VALUE_ERR_MSG: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT: &str =
    r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1123_SUBDOMAIN_ERR_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

/// `content.RegexError`.
fn regex_error(msg: &str, re: &str, examples: &[&str]) -> String {
    if examples.is_empty() {
        return format!("{msg} (regex used for validation is '{re}')");
    }
    let mut out = format!("{msg} (e.g. ");
    for (i, ex) in examples.iter().enumerate() {
        if i > 0 {
            out.push_str(" or ");
        }
        out.push_str(&format!("'{ex}', "));
    }
    out.push_str(&format!("regex used for validation is '{re}')"));
    out
}

/// `content.MaxLenError`.
fn max_len_error(length: usize) -> String {
    format!("must be no more than {length} bytes")
}

/// `^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`
fn is_label_name(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && b.iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        }
        _ => false,
    }
}

/// `^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
fn is_dns1123_subdomain(s: &str) -> bool {
    s.split('.').all(|label| {
        let b = label.as_bytes();
        let alnum = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        match (b.first(), b.last()) {
            (Some(first), Some(last)) => {
                alnum(first) && alnum(last) && b.iter().all(|c| alnum(c) || *c == b'-')
            }
            _ => false,
        }
    })
}

/// `content.IsLabelKey` (alias `validation.IsQualifiedName`), joined with `"; "`.
fn label_key_errors(value: &str) -> Option<String> {
    let mut errs: Vec<String> = Vec::new();
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_string());
            } else {
                if prefix.len() > 253 {
                    errs.push(format!("prefix part {}", max_len_error(253)));
                }
                if !is_dns1123_subdomain(prefix) {
                    errs.push(format!(
                        "prefix part {}",
                        regex_error(
                            DNS1123_SUBDOMAIN_ERR_MSG,
                            DNS1123_SUBDOMAIN_FMT,
                            &["example.com"]
                        )
                    ));
                }
            }
            *name
        }
        _ => {
            return Some(format!(
                "a valid label key {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                regex_error(
                    LABEL_KEY_ERR_MSG,
                    LABEL_KEY_FMT,
                    &["MyName", "my.name", "123-abc"]
                )
            ));
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".to_string());
    } else if name.len() > 63 {
        errs.push(format!("name part {}", max_len_error(63)));
    }
    if !is_label_name(name) {
        errs.push(format!(
            "name part {}",
            regex_error(
                LABEL_KEY_ERR_MSG,
                LABEL_KEY_FMT,
                &["MyName", "my.name", "123-abc"]
            )
        ));
    }
    (!errs.is_empty()).then(|| errs.join("; "))
}

/// `content.IsLabelValue`, joined with `"; "`.
fn label_value_errors(value: &str) -> Option<String> {
    let mut errs: Vec<String> = Vec::new();
    if value.len() > 63 {
        errs.push(max_len_error(63));
    }
    if !value.is_empty() && !is_label_name(value) {
        errs.push(regex_error(
            LABEL_VALUE_ERR_MSG,
            LABEL_VALUE_FMT,
            &["MyValue", "my_value", "12345"],
        ));
    }
    (!errs.is_empty()).then(|| errs.join("; "))
}

/// Go's `unicode.IsPrint`, exact for ASCII; outside ASCII, control, separator and the common
/// format characters count as non-printable (unassigned code points are not detected).
fn go_is_print(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    !(c.is_control()
        || c.is_whitespace()
        || matches!(c, '\u{AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}'))
}

/// Go's `%q` (`strconv.Quote`).
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if go_is_print(c) => out.push(c),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// Go's `json.Marshal` of a `[]string` (HTML-safe escaping, as `encoding/json` does).
fn go_json_strings(values: &[String]) -> String {
    let mut out = String::from("[");
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        for c in v.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                }
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    fn set(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn parse(s: &str) -> LabelSelector {
        match LabelSelector::parse(s) {
            Ok(sel) => sel,
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    fn err(s: &str) -> String {
        match LabelSelector::parse(s) {
            Ok(sel) => panic!("{s:?} should not parse, got {sel:?}"),
            Err(e) => {
                assert_eq!(e.kind(), SelectorKind::Label);
                assert_eq!(e.to_string(), e.message());
                e.message().to_string()
            }
        }
    }

    const NAME_REGEX_ERR: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    const VALUE_REGEX_ERR: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
    const PREFIX_REGEX_ERR: &str = "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    #[test]
    fn every_form_parses_to_its_operator() {
        let cases = [
            ("k=v", LabelOperator::Equals, vec!["v"]),
            ("k==v", LabelOperator::DoubleEquals, vec!["v"]),
            ("k!=v", LabelOperator::NotEquals, vec!["v"]),
            ("k in (b,a)", LabelOperator::In, vec!["a", "b"]),
            ("k notin (a,b,a)", LabelOperator::NotIn, vec!["a", "b"]),
            ("k", LabelOperator::Exists, vec![]),
            ("!k", LabelOperator::DoesNotExist, vec![]),
            ("k>5", LabelOperator::GreaterThan, vec!["5"]),
            ("k<5", LabelOperator::LessThan, vec!["5"]),
            ("k=", LabelOperator::Equals, vec![""]),
            ("k in ()", LabelOperator::In, vec![""]),
            ("k in (a,)", LabelOperator::In, vec!["", "a"]),
            ("k in (,a)", LabelOperator::In, vec!["", "a"]),
            ("k in (a,,b)", LabelOperator::In, vec!["", "a", "b"]),
            ("k in (in,notin)", LabelOperator::In, vec!["in", "notin"]),
            (
                "example.com/k-1.x_y=V.a_l-1",
                LabelOperator::Equals,
                vec!["V.a_l-1"],
            ),
        ];
        for (input, op, values) in cases {
            let sel = parse(input);
            let [r] = sel.requirements() else {
                panic!("{input}: one requirement expected, got {sel:?}");
            };
            assert_eq!(r.operator(), op, "{input}");
            assert_eq!(r.values(), values.as_slice(), "{input}");
        }
        assert_eq!(
            parse("example.com/k-1.x_y=v").requirements()[0].key(),
            "example.com/k-1.x_y"
        );
    }

    #[test]
    fn empty_and_whitespace_select_everything() {
        for s in ["", "  ", "\t\r\n"] {
            let sel = parse(s);
            assert!(sel.is_empty());
            assert!(sel.matches(&set(&[("a", "b")])));
            assert_eq!(sel.to_string(), "");
        }
        assert_eq!(LabelSelector::default(), parse(""));
    }

    #[test]
    fn whitespace_handling_matches_the_lexer() {
        assert_eq!(parse("\rx").to_string(), "x");
        assert_eq!(parse("foo  in\t (abc)").to_string(), "foo in (abc)");
        assert_eq!(parse("x notin\n (abc)").to_string(), "x notin (abc)");
        assert_eq!(
            parse("x  notin\t\t(abc,def)").to_string(),
            "x notin (abc,def)"
        );
        assert_eq!(parse(" a = b , c != d ").to_string(), "a=b,c!=d");
        assert_eq!(parse("x= ,z= ").to_string(), "x=,z=");
        assert_eq!(
            parse("k in ( v1 , v2 )").requirements()[0].values(),
            ["v1", "v2"]
        );
    }

    #[test]
    fn display_is_canonical_and_round_trips() {
        let cases = [
            ("x=a,y=b,z=c", "x=a,y=b,z=c"),
            ("z=c,x=a", "x=a,z=c"),
            ("x!=a,y=b", "x!=a,y=b"),
            ("x>1,z<5", "x>1,z<5"),
            ("!x", "!x"),
            ("y==jkl,x in (def,abc),z", "x in (abc,def),y==jkl,z"),
            (
                "x notin (abc,,def),bar,z in (),w",
                "bar,w,x notin (,abc,def),z in ()",
            ),
            ("x notin (abc,def)", "x notin (abc,def)"),
            ("x,y in (a)", "x,y in (a)"),
            ("a in (x,y,notin, z,in)", "a in (in,notin,x,y,z)"),
            ("x notin ( )", "x notin ()"),
            ("notin=in", "notin=in"),
        ];
        for (input, canonical) in cases {
            let sel = parse(input);
            assert_eq!(sel.to_string(), canonical, "{input}");
            assert_eq!(parse(canonical), sel, "{input}");
            assert_eq!(canonical.parse::<LabelSelector>(), Ok(sel));
        }
    }

    #[test]
    fn matching_follows_apimachinery() {
        let matches = |s: &str, l: &[(&str, &str)]| parse(s).matches(&set(l));
        assert!(matches("x=y", &[("x", "y")]));
        assert!(matches("x==y", &[("x", "y")]));
        assert!(!matches("x=y", &[("x", "z")]));
        assert!(!matches("x=z", &[]));
        assert!(matches("x=", &[("x", "")]));
        assert!(!matches("x=", &[]));
        assert!(matches("x!=y,z!=w", &[("x", "z"), ("z", "a")]));
        assert!(!matches("x!=y,z!=w", &[("x", "z"), ("z", "w")]));
        assert!(matches("x!=y", &[]), "!= matches a missing key");
        assert!(matches("x notin (a,b)", &[]), "notin matches a missing key");
        assert!(matches("x notin (a,b)", &[("x", "c")]));
        assert!(!matches("x notin (a,b)", &[("x", "b")]));
        assert!(matches("x in (a,b)", &[("x", "b")]));
        assert!(!matches("x in (a,b)", &[("x", "c")]));
        assert!(!matches("x in (a,b)", &[]));
        assert!(matches("x in ()", &[("x", "")]));
        assert!(matches("x", &[("x", "")]));
        assert!(!matches("x", &[("y", "z")]));
        assert!(matches("!x", &[("y", "z")]));
        assert!(!matches("!x", &[("x", "")]));
        assert!(matches(
            "foo=bar,baz=blah",
            &[("foo", "bar"), ("baz", "blah")]
        ));
        assert!(!matches(
            "foo=bar,foobar=bar,baz=blah",
            &[("foo", "bar"), ("baz", "blah")]
        ));
    }

    #[test]
    fn greater_and_less_than_compare_integers() {
        let matches = |s: &str, l: &[(&str, &str)]| parse(s).matches(&set(l));
        assert!(matches("x>1", &[("x", "2")]));
        assert!(!matches("x>1", &[("x", "1")]));
        assert!(!matches("x>1", &[("x", "0")]));
        assert!(matches("x<1", &[("x", "0")]));
        assert!(matches("x<1", &[("x", "-5")]));
        assert!(!matches("x<1", &[("x", "2")]));
        assert!(matches("x>9", &[("x", "10")]), "numeric, not lexicographic");
        assert!(matches("x>1", &[("x", "+2")]), "ParseInt accepts a sign");
        assert!(
            !matches("x>1", &[("x", "v2")]),
            "non-integer label never matches"
        );
        assert!(!matches("x>1", &[("x", "")]));
        assert!(!matches("x>1", &[]), "missing key never matches");
        assert!(!matches("x<1", &[]));
        assert!(
            !matches("x>1", &[("x", "99999999999999999999")]),
            "i64 overflow"
        );
    }

    #[test]
    fn lexer_and_parser_errors() {
        let cases = [
            (
                ",x",
                "found ',', expected: !, identifier, or 'end of string'",
            ),
            (
                "=x",
                "found '=', expected: !, identifier, or 'end of string'",
            ),
            ("x,", "found '', expected: identifier after ','"),
            ("x,,y", "found ',', expected: identifier after ','"),
            ("x=a,=b", "found '=', expected: identifier after ','"),
            ("x==a==b", "found '==', expected: ',' or 'end of string'"),
            ("!x=a", "found '=', expected: ',' or 'end of string'"),
            ("x=a b", "found 'b', expected: ',' or 'end of string'"),
            (
                "!,x",
                "unable to parse requirement: found ',', expected: identifier",
            ),
            (
                "!",
                "unable to parse requirement: found '', expected: identifier",
            ),
            (
                "!!x",
                "unable to parse requirement: found '!', expected: identifier",
            ),
            (
                "x y",
                "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt",
            ),
            (
                "x (a)",
                "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt",
            ),
            (
                "x in a",
                "unable to parse requirement: found 'a' expected: '('",
            ),
            (
                "x in",
                "unable to parse requirement: found '' expected: '('",
            ),
            (
                "x in (",
                "unable to parse requirement: found '', expected: ',', ')' or identifier",
            ),
            (
                "x in (=",
                "unable to parse requirement: found '=', expected: ',', ')' or identifier",
            ),
            (
                "x in (a b)",
                "unable to parse requirement: found 'b', expected: ',' or ')'",
            ),
            (
                "x in (a",
                "unable to parse requirement: found '', expected: ',' or ')'",
            ),
            (
                "x in (a,,)",
                "unable to parse requirement: found ')', expected: ',', or identifier",
            ),
            (
                "x in (a,=)",
                "unable to parse requirement: found '=', expected: ',', or identifier",
            ),
            (
                "x=(",
                "unable to parse requirement: found '(', expected: identifier",
            ),
            // The remaining invalid inputs of apimachinery's TestSetSelectorParser.
            ("a in (xyz),", "found '', expected: identifier after ','"),
            (
                "a in (xyz)b notin ()",
                "found 'b', expected: ',' or 'end of string'",
            ),
            (
                "a in (xyz abc)",
                "unable to parse requirement: found 'abc', expected: ',' or ')'",
            ),
            (
                "a notin(",
                "unable to parse requirement: found '', expected: ',', ')' or identifier",
            ),
            (
                "(",
                "found '(', expected: !, identifier, or 'end of string'",
            ),
            (
                "a (",
                "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt",
            ),
            (
                "x nott in (y)",
                "unable to parse requirement: found 'nott', expected: in, notin, =, ==, !=, gt, lt",
            ),
            (
                "x!=!",
                "unable to parse requirement: found '!', expected: identifier",
            ),
        ];
        for (input, message) in cases {
            assert_eq!(err(input), message, "{input:?}");
        }
    }

    #[test]
    fn key_validation_errors() {
        assert_eq!(
            err("x=a||y=b"),
            format!(
                "unable to parse requirement: values[0][x]: Invalid value: \"a||y\": {VALUE_REGEX_ERR}"
            )
        );
        assert_eq!(
            err("-x"),
            format!("unable to parse requirement: <nil>: Invalid value: \"-x\": {NAME_REGEX_ERR}")
        );
        assert_eq!(parse("my-value !=a").to_string(), "my-value!=a");
        let long = "a".repeat(64);
        assert_eq!(
            err(&format!("{long}=v")),
            format!(
                "unable to parse requirement: <nil>: Invalid value: \"{long}\": name part must be no more than 63 bytes"
            )
        );
        assert_eq!(
            err("/x"),
            "unable to parse requirement: <nil>: Invalid value: \"/x\": prefix part must be non-empty"
        );
        assert_eq!(
            err("a/"),
            format!(
                "unable to parse requirement: <nil>: Invalid value: \"a/\": name part must be non-empty; {NAME_REGEX_ERR}"
            )
        );
        assert_eq!(
            err("Example.com/x"),
            format!(
                "unable to parse requirement: <nil>: Invalid value: \"Example.com/x\": {PREFIX_REGEX_ERR}"
            )
        );
        let long_prefix = format!("{}.com/x", "a".repeat(250));
        assert_eq!(
            err(&long_prefix),
            format!(
                "unable to parse requirement: <nil>: Invalid value: \"{long_prefix}\": prefix part must be no more than 253 bytes"
            )
        );
        assert_eq!(
            err("a/b/c"),
            "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        );
        assert_eq!(
            err("k\u{b}=v"),
            format!(
                "unable to parse requirement: <nil>: Invalid value: \"k\\v\": {NAME_REGEX_ERR}"
            )
        );
        assert_eq!(
            err("kä\"=v"),
            format!(
                "unable to parse requirement: <nil>: Invalid value: \"kä\\\"\": {NAME_REGEX_ERR}"
            )
        );
        // The 253-byte prefix and 63-byte name limits are inclusive.
        let ok = format!("{}/{}", "a".repeat(253), "b".repeat(63));
        assert_eq!(parse(&ok).requirements()[0].key(), ok);
    }

    #[test]
    fn value_validation_errors() {
        let long = "v".repeat(64);
        assert_eq!(
            err(&format!("k={long}")),
            format!(
                "unable to parse requirement: values[0][k]: Invalid value: \"{long}\": must be no more than 63 bytes"
            )
        );
        let long_bad = format!("{}-", "v".repeat(63));
        assert_eq!(
            err(&format!("k={long_bad}")),
            format!(
                "unable to parse requirement: values[0][k]: Invalid value: \"{long_bad}\": must be no more than 63 bytes; {VALUE_REGEX_ERR}"
            )
        );
        assert_eq!(
            parse(&format!("k={}", "v".repeat(63))).to_string().len(),
            65
        );
        // Sorted set: the invalid value is reported at its sorted index.
        assert_eq!(
            err("k in (b,a-)"),
            format!(
                "unable to parse requirement: values[0][k]: Invalid value: \"a-\": {VALUE_REGEX_ERR}"
            )
        );
        assert_eq!(
            err("k in (-a,b-)"),
            format!(
                "unable to parse requirement: [values[0][k]: Invalid value: \"-a\": {VALUE_REGEX_ERR}, values[1][k]: Invalid value: \"b-\": {VALUE_REGEX_ERR}]"
            )
        );
        assert_eq!(
            err("example.com/k=_v"),
            format!(
                "unable to parse requirement: values[0][example.com/k]: Invalid value: \"_v\": {VALUE_REGEX_ERR}"
            )
        );
    }

    #[test]
    fn integer_operator_errors() {
        let not_int = "for 'Gt', 'Lt' operators, the value must be an integer";
        assert_eq!(
            err("x<a"),
            format!("unable to parse requirement: values[0]: Invalid value: \"a\": {not_int}")
        );
        assert_eq!(
            err("x>"),
            format!("unable to parse requirement: values[0]: Invalid value: \"\": {not_int}")
        );
        assert_eq!(
            err("x>1.5"),
            format!("unable to parse requirement: values[0]: Invalid value: \"1.5\": {not_int}")
        );
        assert_eq!(
            err("x>a-"),
            format!(
                "unable to parse requirement: [values[0]: Invalid value: \"a-\": {not_int}, values[0][x]: Invalid value: \"a-\": {VALUE_REGEX_ERR}]"
            )
        );
        // "-1" is an integer but not a valid label value.
        assert_eq!(
            err("x<-1"),
            format!(
                "unable to parse requirement: values[0][x]: Invalid value: \"-1\": {VALUE_REGEX_ERR}"
            )
        );
    }

    #[test]
    fn go_quoting_and_json() {
        assert_eq!(go_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(go_quote("\u{0}\u{7}\u{1b}\u{7f}"), "\"\\x00\\a\\x1b\\x7f\"");
        assert_eq!(go_quote("é\u{a0}\u{200b}😀"), "\"é\\u00a0\\u200b😀\"");
        assert_eq!(
            go_json_strings(&["<a&b>".to_string(), "q\"\n\u{1}".to_string()]),
            "[\"\\u003ca\\u0026b\\u003e\",\"q\\\"\\n\\u0001\"]"
        );
    }

    fn expr(key: &str, op: &str, values: Option<&[&str]>) -> LabelSelectorRequirement {
        LabelSelectorRequirement {
            key: key.to_string(),
            operator: op.to_string(),
            values: values.map(|v| v.iter().map(|s| s.to_string()).collect()),
        }
    }

    fn meta(labels: &[(&str, &str)], exprs: Vec<LabelSelectorRequirement>) -> MetaLabelSelector {
        MetaLabelSelector {
            match_labels: (!labels.is_empty()).then(|| set(labels)),
            match_expressions: (!exprs.is_empty()).then_some(exprs),
        }
    }

    fn from_meta_err(sel: &MetaLabelSelector) -> String {
        match LabelSelector::from_label_selector(sel) {
            Ok(s) => panic!("{sel:?} should fail, got {s:?}"),
            Err(e) => {
                assert_eq!(e.kind(), SelectorKind::Label);
                e.message().to_string()
            }
        }
    }

    #[test]
    fn from_label_selector_converts_and_sorts() {
        let sel = meta(
            &[("tier", "web"), ("app", "a")],
            vec![
                expr("env", "In", Some(&["prod", "dev"])),
                expr("zone", "NotIn", Some(&["x"])),
                expr("gpu", "Exists", None),
                expr("legacy", "DoesNotExist", Some(&[])),
            ],
        );
        let Ok(converted) = LabelSelector::from_label_selector(&sel) else {
            panic!("valid selector");
        };
        assert_eq!(
            converted.to_string(),
            "app=a,env in (dev,prod),gpu,!legacy,tier=web,zone notin (x)"
        );
        // Values keep their given order; only the printed form is sorted.
        assert_eq!(converted.requirements()[1].values(), ["prod", "dev"]);
        let labels = set(&[("app", "a"), ("tier", "web"), ("env", "dev"), ("gpu", "1")]);
        assert!(converted.matches(&labels));
        assert!(!converted.matches(&set(&[("app", "a"), ("tier", "web"), ("env", "dev")])));
        assert_eq!(
            parse(&converted.to_string()).to_string(),
            converted.to_string()
        );

        let Ok(empty) = LabelSelector::from_label_selector(&MetaLabelSelector::default()) else {
            panic!("empty selector");
        };
        assert!(empty.is_empty());
    }

    #[test]
    fn from_label_selector_errors() {
        assert_eq!(
            from_meta_err(&meta(&[], vec![expr("k", "Gt", Some(&["1"]))])),
            "\"Gt\" is not a valid pod selector operator"
        );
        assert_eq!(
            from_meta_err(&meta(&[], vec![expr("k", "in", Some(&["a"]))])),
            "\"in\" is not a valid pod selector operator"
        );
        assert_eq!(
            from_meta_err(&meta(&[], vec![expr("k", "In", None)])),
            "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty"
        );
        assert_eq!(
            from_meta_err(&meta(&[], vec![expr("k", "NotIn", Some(&[]))])),
            "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty"
        );
        assert_eq!(
            from_meta_err(&meta(&[], vec![expr("k", "Exists", Some(&["a", "b"]))])),
            "values: Invalid value: [\"a\",\"b\"]: values set must be empty for exists and does not exist"
        );
        assert_eq!(
            from_meta_err(&meta(&[("bad key", "v")], vec![])),
            format!("key: Invalid value: \"bad key\": {NAME_REGEX_ERR}")
        );
        assert_eq!(
            from_meta_err(&meta(&[("k", "a b")], vec![])),
            format!("values[0][k]: Invalid value: \"a b\": {VALUE_REGEX_ERR}")
        );
        assert_eq!(
            from_meta_err(&meta(&[], vec![expr("-k", "DoesNotExist", Some(&["-v"]))])),
            format!(
                "[key: Invalid value: \"-k\": {NAME_REGEX_ERR}, values: Invalid value: [\"-v\"]: values set must be empty for exists and does not exist, values[0][-k]: Invalid value: \"-v\": {VALUE_REGEX_ERR}]"
            )
        );
        // Repeated identical messages are reported once, as ToAggregate does.
        assert_eq!(
            from_meta_err(&meta(&[], vec![expr("k", "In", Some(&["-v", "-v"]))])),
            format!(
                "[values[0][k]: Invalid value: \"-v\": {VALUE_REGEX_ERR}, values[1][k]: Invalid value: \"-v\": {VALUE_REGEX_ERR}]"
            )
        );
    }

    #[test]
    fn from_map_builds_equality_requirements() {
        let sel = LabelSelector::from_map(&set(&[("b", "2"), ("a", "1")]));
        assert_eq!(sel.to_string(), "a=1,b=2");
        assert!(
            sel.requirements()
                .iter()
                .all(|r| r.operator() == LabelOperator::Equals)
        );
        assert!(sel.matches(&set(&[("a", "1"), ("b", "2"), ("c", "3")])));
        assert!(!sel.matches(&set(&[("a", "1")])));
        assert!(LabelSelector::from_map(&BTreeMap::new()).is_empty());
    }

    #[test]
    fn kube_selector_conversion() {
        use kube_core::SelectorExt;
        let sel = parse("a=1,b==2,c!=3,d in (x,y),e notin (z),f,!g");
        let Some(kube) = sel.to_kube_selector() else {
            panic!("expressible selector");
        };
        assert_eq!(kube.to_string(), "a=1,b=2,c!=3,d in (x,y),e notin (z),f,!g");
        let labels = set(&[("a", "1"), ("b", "2"), ("d", "y"), ("f", "")]);
        assert!(sel.matches(&labels));
        assert!(kube.matches(&labels));
        assert_eq!(parse("a>1").to_kube_selector(), None);
        assert_eq!(parse("a=1,b<1").to_kube_selector(), None);
        assert_eq!(
            parse("").to_kube_selector(),
            Some(kube_core::Selector::default())
        );
    }
}
