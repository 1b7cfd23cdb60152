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
    regex::RegexBuilder::new(&translated)
        .size_limit(1 << 22)
        .build()
        .map(Arc::new)
        .map_err(|err| Arc::from(describe(pattern, &err)))
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
    fn cache_returns_the_same_result() {
        let first = compile("^cached-[0-9]+$").map(|r| r.as_str().to_string());
        let second = compile("^cached-[0-9]+$").map(|r| r.as_str().to_string());
        assert_eq!(first, second);
    }
}
