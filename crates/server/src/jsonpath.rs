//! The simple JSONPath of CRD printer columns (`.spec.replicas`,
//! `.status.conditions[?(@.type=="Ready")].status`, `.items[0]`, `.a['b.c']`, `[*]`), as the
//! API server evaluates it for Table cells.
//!
//! Why hand-written: printer columns use client-go's JSONPath dialect (`k8s.io/client-go/util/jsonpath`:
//! paths without `$`, Go's output formatting of the selected values), which the RFC 9535 crates
//! (`serde_json_path`, `jsonpath-rust`) neither parse nor print the same way; only the small
//! subset that CRDs' `additionalPrinterColumns` allow is needed.

use serde_json::Value;

/// One step of a path.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    /// `.name` or `['name']`.
    Field(String),
    /// `[n]` (negative counts from the end).
    Index(i64),
    /// `[*]` or `.*`.
    Wildcard,
    /// `[?(@.a.b=="v")]` (also `!=`; a bare `[?(@.a)]` tests presence).
    Filter {
        path: Vec<String>,
        op: Option<(bool, Value)>,
    },
}

/// A parsed path; `None` from [`parse`] for syntax the server would reject.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct JsonPath(Vec<Step>);

/// Parses a column's `jsonPath` (with or without the surrounding `{}`).
pub(crate) fn parse(path: &str) -> Option<JsonPath> {
    let mut s = path.trim();
    if let Some(inner) = s.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
        s = inner.trim();
    }
    let s = s.strip_prefix('$').unwrap_or(s);
    let chars: Vec<char> = s.chars().collect();
    let mut steps = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '.' => {
                i += 1;
                let start = i;
                while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                    i += 1;
                }
                let name: String = chars[start..i].iter().collect();
                match name.as_str() {
                    "" => return None,
                    "*" => steps.push(Step::Wildcard),
                    _ => steps.push(Step::Field(name)),
                }
            }
            '[' => {
                let end = find_close(&chars, i)?;
                let inner: String = chars[i + 1..end].iter().collect();
                steps.push(bracket(inner.trim())?);
                i = end + 1;
            }
            _ => return None,
        }
    }
    Some(JsonPath(steps))
}

fn find_close(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0;
    let mut quote: Option<char> = None;
    for (j, &c) in chars.iter().enumerate().skip(open) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '[' | '(') => depth += 1,
            (None, ']' | ')') => {
                depth -= 1;
                if depth == 0 {
                    return (c == ']').then_some(j);
                }
            }
            _ => {}
        }
    }
    None
}

fn bracket(inner: &str) -> Option<Step> {
    if inner == "*" {
        return Some(Step::Wildcard);
    }
    if let Some(quoted) = unquote(inner) {
        return Some(Step::Field(quoted));
    }
    if let Ok(n) = inner.parse::<i64>() {
        return Some(Step::Index(n));
    }
    let expr = inner.strip_prefix("?(")?.strip_suffix(')')?.trim();
    let (lhs, op) = if let Some((l, r)) = expr.split_once("==") {
        (l.trim(), Some((true, literal(r.trim())?)))
    } else if let Some((l, r)) = expr.split_once("!=") {
        (l.trim(), Some((false, literal(r.trim())?)))
    } else {
        (expr, None)
    };
    let path = lhs.strip_prefix("@.")?;
    Some(Step::Filter {
        path: path.split('.').map(ToString::to_string).collect(),
        op,
    })
}

fn unquote(s: &str) -> Option<String> {
    let s = s
        .strip_prefix('\'')
        .and_then(|r| r.strip_suffix('\''))
        .or_else(|| s.strip_prefix('"').and_then(|r| r.strip_suffix('"')))?;
    Some(s.to_string())
}

fn literal(s: &str) -> Option<Value> {
    if let Some(text) = unquote(s) {
        return Some(Value::String(text));
    }
    serde_json::from_str(s).ok()
}

impl JsonPath {
    /// Every value the path selects in `doc`, in document order.
    pub(crate) fn find<'a>(&self, doc: &'a Value) -> Vec<&'a Value> {
        let mut current = vec![doc];
        for step in &self.0 {
            let mut next = Vec::new();
            for v in current {
                match step {
                    Step::Field(name) => {
                        if let Some(child) = v.get(name.as_str()) {
                            next.push(child);
                        }
                    }
                    Step::Index(n) => {
                        if let Some(items) = v.as_array() {
                            let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
                            let idx = if *n < 0 { len + n } else { *n };
                            if let Some(item) = usize::try_from(idx).ok().and_then(|i| items.get(i))
                            {
                                next.push(item);
                            }
                        }
                    }
                    Step::Wildcard => match v {
                        Value::Array(items) => next.extend(items.iter()),
                        Value::Object(map) => next.extend(map.values()),
                        _ => {}
                    },
                    Step::Filter { path, op } => {
                        if let Some(items) = v.as_array() {
                            next.extend(items.iter().filter(|item| {
                                let mut cur = Some(*item);
                                for p in path {
                                    cur = cur.and_then(|c| c.get(p.as_str()));
                                }
                                match (cur, op) {
                                    (None, _) => false,
                                    (Some(_), None) => true,
                                    (Some(got), Some((eq, want))) => (got == want) == *eq,
                                }
                            }));
                        }
                    }
                }
            }
            current = next;
        }
        current
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn find(path: &str, doc: &Value) -> Vec<Value> {
        parse(path)
            .unwrap_or_else(|| panic!("{path} does not parse"))
            .find(doc)
            .into_iter()
            .cloned()
            .collect()
    }

    #[test]
    fn fields_indexes_and_filters() {
        let doc = json!({
            "spec": {"replicas": 3, "a.b": "dotted"},
            "status": {"conditions": [
                {"type": "Ready", "status": "True"},
                {"type": "Synced", "status": "False"}
            ]}
        });
        assert_eq!(find(".spec.replicas", &doc), vec![json!(3)]);
        assert_eq!(find("{.spec.replicas}", &doc), vec![json!(3)]);
        assert_eq!(find(".spec['a.b']", &doc), vec![json!("dotted")]);
        assert_eq!(
            find(".status.conditions[?(@.type==\"Ready\")].status", &doc),
            vec![json!("True")]
        );
        assert_eq!(
            find(".status.conditions[?(@.type!='Ready')].type", &doc),
            vec![json!("Synced")]
        );
        assert_eq!(
            find(".status.conditions[-1].type", &doc),
            vec![json!("Synced")]
        );
        assert_eq!(find(".status.conditions[*].type", &doc).len(), 2);
        assert!(find(".spec.missing", &doc).is_empty());
        assert!(find(".status.conditions[7]", &doc).is_empty());
    }

    #[test]
    fn bad_syntax_is_refused() {
        assert_eq!(parse(".spec..x"), None);
        assert_eq!(parse(".spec[unclosed"), None);
        assert_eq!(parse("spec"), None);
        assert_eq!(parse(".a[?(b==1)]"), None);
    }
}
