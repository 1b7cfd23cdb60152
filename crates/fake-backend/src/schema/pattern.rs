//! `pattern` regular expressions with Go RE2 semantics, compiled once per pattern.
//!
//! The API server compiles `pattern` with Go's `regexp`. The `regex` crate implements the same
//! RE2 syntax; the differences that matter are translated before compiling: Go's `\d`, `\w`,
//! `\s`, `\b` (and their negations) are ASCII-only, `\Q…\E` quotes literally, and inside a
//! bracket expression `[` (unless it opens a `[:class:]`), `&` and `~` are literals.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use regex::Regex;

/// Compiled patterns (or the compile error), keyed by the pattern text.
type Cache = HashMap<String, Result<Arc<Regex>, Arc<str>>>;

static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// Patterns kept before the cache is emptied (CRD schemas hold few distinct patterns).
const CACHE_LIMIT: usize = 4096;

/// Compiles `pattern` as Go's `regexp.Compile` would, from the cache when possible (shared, so
/// the regex's match caches are reused). The error is
/// the text Go's error would carry after `error parsing regexp: `.
pub(crate) fn compile(pattern: &str) -> Result<Arc<Regex>, Arc<str>> {
    if let Ok(cache) = CACHE.lock()
        && let Some(hit) = cache.get(pattern)
    {
        return hit.clone();
    }
    let compiled = compile_uncached(pattern);
    if let Ok(mut cache) = CACHE.lock() {
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(pattern.to_string(), compiled.clone());
    }
    compiled
}

/// Whether `text` contains a match of `pattern` (Go's `MatchString`); `Err` for an invalid
/// pattern.
pub(crate) fn is_match(pattern: &str, text: &str) -> Result<bool, Arc<str>> {
    compile(pattern).map(|re| re.is_match(text))
}

/// The message Go's `regexp.Compile` error prints, e.g.
/// ``error parsing regexp: missing closing ): `(a` ``.
pub(crate) fn go_error(pattern: &str, detail: &str) -> String {
    format!("error parsing regexp: {detail}: `{pattern}`")
}

fn compile_uncached(pattern: &str) -> Result<Arc<Regex>, Arc<str>> {
    let translated = translate(pattern);
    let re = regex::RegexBuilder::new(&translated)
        .size_limit(1 << 22)
        .build()
        .map_err(|err| Arc::from(describe(pattern, &err)))?;
    match go_repeat_error(pattern) {
        Some(err) => Err(Arc::from(err)),
        None => Ok(Arc::new(re)),
    }
}

/// A Go-like description of why a pattern does not compile.
fn describe(pattern: &str, err: &regex::Error) -> String {
    let text = err.to_string();
    let detail = if text.contains("unclosed group") {
        "missing closing )"
    } else if text.contains("unopened group") {
        "unexpected )"
    } else if text.contains("unclosed character class") {
        "missing closing ]"
    } else if text.contains("repetition operator missing expression") {
        "missing argument to repetition operator"
    } else if text.contains("exceeds size limit") {
        "expression too large"
    } else if text.contains("escape sequence") {
        "invalid escape sequence"
    } else {
        "invalid regular expression"
    };
    go_error(pattern, detail)
}

/// What Go's parser refuses about repetitions and the `regex` crate accepts: a count above
/// 1000 or a minimum above the maximum (`invalid repeat count: `{1001}``), and stacked
/// operators such as `a**` or `a{2}*` (`invalid nested repetition operator: `**``). The
/// text in backticks is the offending operators, as Go prints it.
fn go_repeat_error(pattern: &str) -> Option<String> {
    let bytes = pattern.as_bytes();
    let mut i = 0;
    // Where the previous token began, when it was a repetition operator.
    let mut last_repeat: Option<usize> = None;
    while i < bytes.len() {
        let start = i;
        let mut repeat = None;
        match bytes[i] {
            b'\\' => {
                i += 2;
                match bytes.get(start + 1) {
                    Some(b'p' | b'P' | b'x') if bytes.get(i) == Some(&b'{') => {
                        i = pattern[i..].find('}').map_or(bytes.len(), |e| i + e + 1);
                    }
                    Some(b'Q') => {
                        i = pattern[i..].find("\\E").map_or(bytes.len(), |e| i + e + 2);
                    }
                    _ => {}
                }
            }
            b'[' => {
                // Skip the class: `]` right after `[` or `[^` is a literal; `[:name:]` and
                // escapes are members.
                i += 1;
                if bytes.get(i) == Some(&b'^') {
                    i += 1;
                }
                if bytes.get(i) == Some(&b']') {
                    i += 1;
                }
                while i < bytes.len() && bytes[i] != b']' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    } else if bytes[i] == b'[' && bytes.get(i + 1) == Some(&b':') {
                        i = pattern[i + 2..].find(":]").map_or(i, |e| i + 2 + e + 1);
                    }
                    i += 1;
                }
                i += 1;
            }
            b'(' if bytes.get(i + 1) == Some(&b'?') => {
                // Flags or a group name: `(?i)`, `(?i:`, `(?P<n>`, `(?<n>`.
                i = pattern[i..]
                    .find([')', ':', '>'])
                    .map_or(bytes.len(), |e| i + e + 1);
            }
            b'*' | b'+' | b'?' => {
                i += 1;
                repeat = Some(start);
            }
            b'{' => match parse_repeat(&pattern[i..]) {
                None => i += 1,
                Some((min, max, len)) => {
                    i += len;
                    if min > 1000 || max.is_some_and(|m| m > 1000 || min > m) {
                        return Some(go_error(&pattern[start..i], "invalid repeat count"));
                    }
                    repeat = Some(start);
                }
            },
            // Byte by byte: only ASCII bytes are compared, and slices start at them.
            _ => i += 1,
        }
        if repeat.is_some() {
            if bytes.get(i) == Some(&b'?') {
                i += 1;
            }
            if let Some(last) = last_repeat {
                return Some(go_error(
                    &pattern[last..i],
                    "invalid nested repetition operator",
                ));
            }
        }
        last_repeat = repeat;
    }
    None
}

/// Go's `parseRepeat`: `{n}`, `{n,}` or `{n,m}` at the start of `s` (no leading zeros), as
/// (min, max, length); `None` when the brace is a literal.
fn parse_repeat(s: &str) -> Option<(u64, Option<u64>, usize)> {
    let close = s.find('}')?;
    let inner = &s[1..close];
    let number = |t: &str| -> Option<u64> {
        if t.is_empty()
            || !t.bytes().all(|b| b.is_ascii_digit())
            || (t.len() > 1 && t.starts_with('0'))
        {
            return None;
        }
        Some(t.parse::<u64>().unwrap_or(u64::MAX))
    };
    let (min, max) = match inner.split_once(',') {
        None => {
            let n = number(inner)?;
            (n, Some(n))
        }
        Some((a, "")) => (number(a)?, None),
        Some((a, b)) => (number(a)?, Some(number(b)?)),
    };
    Some((min, max, close + 1))
}

/// Rewrites Go-only constructs into their `regex` crate equivalents.
fn translate(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    // Position inside the class: true right after `[` or `[^`, where `]` is a literal.
    let mut class_start = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                class_start = false;
                let Some(n) = chars.next() else {
                    out.push('\\');
                    break;
                };
                match (n, in_class) {
                    ('d', true) => out.push_str("0-9"),
                    ('d', false) => out.push_str("[0-9]"),
                    ('D', _) => out.push_str("[^0-9]"),
                    ('w', true) => out.push_str("0-9A-Za-z_"),
                    ('w', false) => out.push_str("[0-9A-Za-z_]"),
                    ('W', _) => out.push_str("[^0-9A-Za-z_]"),
                    ('s', true) => out.push_str("\\t\\n\\x0C\\r\\x20"),
                    ('s', false) => out.push_str("[\\t\\n\\x0C\\r\\x20]"),
                    ('S', _) => out.push_str("[^\\t\\n\\x0C\\r\\x20]"),
                    ('b', false) => out.push_str("(?-u:\\b)"),
                    ('B', false) => out.push_str("(?-u:\\B)"),
                    ('Q', _) => {
                        let mut literal = String::new();
                        while let Some(q) = chars.next() {
                            if q == '\\' && chars.peek() == Some(&'E') {
                                chars.next();
                                break;
                            }
                            literal.push(q);
                        }
                        out.push_str(&regex::escape(&literal));
                    }
                    (other, _) => {
                        out.push('\\');
                        out.push(other);
                        if matches!(other, 'p' | 'P' | 'x') && chars.peek() == Some(&'{') {
                            // `\p{Greek}`, `\x{10FFFF}`: the braces are the escape's.
                            for q in chars.by_ref() {
                                out.push(q);
                                if q == '}' {
                                    break;
                                }
                            }
                        }
                    }
                }
            }
            '[' if !in_class => {
                in_class = true;
                class_start = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    chars.next();
                    out.push('^');
                }
            }
            '[' => {
                class_start = false;
                if chars.peek() == Some(&':') {
                    // A POSIX class such as [:alpha:] — copy it through its closing `:]`.
                    out.push('[');
                    let mut rest = String::new();
                    for q in chars.by_ref() {
                        rest.push(q);
                        if rest.ends_with(":]") && rest.len() > 2 {
                            break;
                        }
                    }
                    out.push_str(&rest);
                } else {
                    out.push_str("\\[");
                }
            }
            ']' if in_class && !class_start => {
                in_class = false;
                out.push(']');
            }
            ']' if in_class => {
                class_start = false;
                out.push_str("\\]");
            }
            '&' | '~' if in_class => {
                class_start = false;
                out.push('\\');
                out.push(c);
            }
            '{' if !in_class => {
                // Go reads a brace that does not start `{n}`, `{n,}` or `{n,m}` as a literal.
                let rest: String = std::iter::once('{').chain(chars.clone()).collect();
                if parse_repeat(&rest).is_some() {
                    out.push('{');
                } else {
                    out.push_str("\\{");
                }
            }
            other => {
                class_start = false;
                out.push(other);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perl_classes_are_ascii_like_go() {
        assert_eq!(is_match(r"^\d+$", "123"), Ok(true));
        // Arabic-Indic digits are \d for Unicode engines, not for Go.
        assert_eq!(is_match(r"^\d+$", "١٢٣"), Ok(false));
        assert_eq!(is_match(r"^\w+$", "héllo"), Ok(false));
        assert_eq!(is_match(r"^[\w-]+$", "a-b_c9"), Ok(true));
        assert_eq!(is_match(r"^\s$", "\u{a0}"), Ok(false));
        assert_eq!(is_match(r"^[^\s]+$", "ab"), Ok(true));
        assert_eq!(is_match(r"\bfoo\b", "a foo b"), Ok(true));
        assert_eq!(is_match(r"^[\D]$", "x"), Ok(true));
    }

    #[test]
    fn go_literals_inside_classes() {
        assert_eq!(is_match(r"^[]a]+$", "]a"), Ok(true));
        assert_eq!(is_match(r"^[a[]+$", "[a"), Ok(true));
        assert_eq!(is_match(r"^[a&&b]+$", "&"), Ok(true));
        assert_eq!(is_match(r"^[[:alpha:]]+$", "abc"), Ok(true));
        assert_eq!(is_match(r"^\Q.*\E$", ".*"), Ok(true));
        assert_eq!(is_match(r"^\Q.*\E$", "ab"), Ok(false));
    }

    #[test]
    fn matching_is_unanchored_like_match_string() {
        assert_eq!(is_match("b", "abc"), Ok(true));
        assert_eq!(is_match("^b", "abc"), Ok(false));
    }

    #[test]
    fn invalid_patterns_give_go_like_errors() {
        assert_eq!(
            is_match("(a", "a").unwrap_err().as_ref(),
            "error parsing regexp: missing closing ): `(a`"
        );
        assert_eq!(
            is_match("[a", "a").unwrap_err().as_ref(),
            "error parsing regexp: missing closing ]: `[a`"
        );
        assert!(is_match("*", "a").is_err());
    }

    #[test]
    fn repetitions_go_refuses_are_refused() {
        let err = |p: &str| is_match(p, "a").unwrap_err().to_string();
        assert_eq!(
            err("a{1001}"),
            "error parsing regexp: invalid repeat count: `{1001}`"
        );
        assert!(is_match("a{2,1}", "a").is_err());
        // Braces that are not a repeat count are literals, as in Go.
        assert_eq!(is_match("^a{,2}$", "a{,2}"), Ok(true));
        assert_eq!(is_match("^{$", "{"), Ok(true));
        assert_eq!(
            err("x**"),
            "error parsing regexp: invalid nested repetition operator: `**`"
        );
        assert_eq!(
            err("a{2}*"),
            "error parsing regexp: invalid nested repetition operator: `{2}*`"
        );
        assert_eq!(
            err("aü**"),
            "error parsing regexp: invalid nested repetition operator: `**`"
        );
        assert_eq!(
            err("a*?+"),
            "error parsing regexp: invalid nested repetition operator: `*?+`"
        );
        // Not stacked repetitions: non-greedy forms, flags, classes, escapes.
        for ok in [
            "a{1000}",
            "a*?",
            "a+?b??",
            "(?i)a",
            "(?P<n>a)?",
            "[*+]*",
            r"\**",
            r"\p{L}+",
            r"\Q**\E",
            "[[:alpha:]]+",
            "üx*",
            "a{x}",
            "{",
            "a{,2}",
            "x{}",
            "{1,2",
            "a{01}",
            "[üa]+ü?",
        ] {
            assert!(compile(ok).is_ok(), "{ok}: {:?}", compile(ok).err());
        }
    }

    #[test]
    fn cache_returns_the_same_result() {
        let first = compile("^cached-[0-9]+$").map(|r| r.as_str().to_string());
        let second = compile("^cached-[0-9]+$").map(|r| r.as_str().to_string());
        assert_eq!(first, second);
    }
}
