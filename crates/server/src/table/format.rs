//! The formatting helpers printers.go uses, ported exactly: apimachinery's
//! `duration.HumanDuration`, `labels.FormatLabels`, `metav1.LabelSelectorAsSelector` with
//! `Selector.String()` and `metav1.FormatLabelSelector`, and printers.go's own
//! `translateTimestampSince`, `layoutContainerCells`, `listWithMoreString`, `printBoolPtr`.

use k8s_openapi::jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use super::fields;

/// Go's `duration.HumanDuration` of a number of seconds, as `kubectl get` shows ages.
pub(super) fn human_duration(seconds: i64) -> String {
    if seconds < -1 {
        return "<invalid>".into();
    }
    if seconds < 0 {
        return "0s".into();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{dy}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

/// The whole seconds of a duration as Go's `int(d.Seconds())` sees them: a `time.Duration`
/// saturates at about ±292 years.
fn go_seconds(d: SignedDuration) -> i64 {
    const MAX: i64 = i64::MAX / 1_000_000_000;
    d.as_secs().clamp(-MAX, MAX)
}

/// `translateTimestampSince`: the age of a timestamp, `<unknown>` for the zero time.
pub(super) fn since(now: Timestamp, t: Option<Timestamp>) -> String {
    t.map_or_else(
        || "<unknown>".into(),
        |t| human_duration(go_seconds(now.duration_since(t))),
    )
}

/// `duration.HumanDuration(end.Sub(start))`.
pub(super) fn between(start: Timestamp, end: Timestamp) -> String {
    human_duration(go_seconds(end.duration_since(start)))
}

/// A time as Go's `Format(time.RFC3339)` writes it in UTC (whole seconds).
pub(super) fn rfc3339(t: Timestamp) -> String {
    Timestamp::from_second(t.as_second())
        .unwrap_or(t)
        .to_string()
}

/// The object's age (`translateTimestampSince(obj.CreationTimestamp)`).
pub(super) fn age(obj: &Value, now: Timestamp) -> String {
    since(now, fields::time(obj, "metadata.creationTimestamp"))
}

/// `labels.FormatLabels`: `k=v` pairs sorted as strings and joined by `,`, `<none>` when
/// there are none.
pub(super) fn format_labels(obj: &Value, path: &str) -> String {
    let mut pairs: Vec<String> = fields::entries(obj, path)
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    pairs.sort();
    if pairs.is_empty() {
        "<none>".into()
    } else {
        pairs.join(",")
    }
}

/// A label selector requirement: key, operator and values.
struct Requirement<'a> {
    /// The label key.
    key: &'a str,
    /// The operator, as `Requirement.String()` writes it: `=`, ` in `, ` notin `, `!`
    /// (does not exist) or empty (exists).
    op: &'static str,
    /// The values.
    values: Vec<&'a str>,
}

impl Requirement<'_> {
    /// `Requirement.String()`.
    fn render(&self) -> String {
        match self.op {
            "" => self.key.to_string(),
            "!" => format!("!{}", self.key),
            op => {
                let values = if self.values.len() == 1 {
                    self.values.join("")
                } else {
                    let mut sorted = self.values.clone();
                    sorted.sort_unstable();
                    sorted.join(",")
                };
                if op == "=" {
                    format!("{}={values}", self.key)
                } else {
                    format!("{}{op}({values})", self.key)
                }
            }
        }
    }
}

/// `metav1.LabelSelectorAsSelector(selector).String()` of the selector at `path`: `""` for
/// a nil or empty selector, `Err` where the conversion fails (an unknown operator, an
/// invalid key or value, values where none belong or none where some must).
pub(super) fn selector_string(obj: &Value, path: &str) -> Result<String, ()> {
    let Some(selector) = fields::map(obj, path) else {
        return Ok(String::new());
    };
    let labels = selector
        .get("matchLabels")
        .and_then(Value::as_object)
        .map_or_else(Vec::new, |m| m.iter().collect::<Vec<_>>());
    let expressions = selector
        .get("matchExpressions")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let mut requirements = Vec::new();
    for (key, value) in labels {
        requirements.push(Requirement {
            key,
            op: "=",
            values: vec![value.as_str().unwrap_or("")],
        });
    }
    for expr in expressions {
        let op = match fields::string(expr, "operator") {
            "In" => " in ",
            "NotIn" => " notin ",
            "Exists" => "",
            "DoesNotExist" => "!",
            _ => return Err(()),
        };
        let values = fields::list(expr, "values")
            .iter()
            .map(|v| v.as_str().unwrap_or(""))
            .collect();
        requirements.push(Requirement {
            key: fields::string(expr, "key"),
            op,
            values,
        });
    }
    for r in &requirements {
        let count_ok = match r.op {
            "=" => r.values.len() == 1,
            "" | "!" => r.values.is_empty(),
            _ => !r.values.is_empty(),
        };
        if !count_ok || !is_qualified_name(r.key) || !r.values.iter().all(|v| is_label_value(v)) {
            return Err(());
        }
    }
    requirements.sort_by(|a, b| a.key.cmp(b.key));
    Ok(requirements
        .iter()
        .map(Requirement::render)
        .collect::<Vec<_>>()
        .join(","))
}

/// `metav1.FormatLabelSelector`: the selector's string, `<none>` when it selects everything
/// (or nothing), `<error>` when it does not convert.
pub(super) fn format_label_selector(obj: &Value, path: &str) -> String {
    match selector_string(obj, path) {
        Ok(s) if s.is_empty() => "<none>".into(),
        Ok(s) => s,
        Err(()) => "<error>".into(),
    }
}

/// Whether `c` may appear inside a label name or value (`[-A-Za-z0-9_.]`).
fn label_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.')
}

/// `validation.IsValidLabelValue`: empty, or at most 63 characters of
/// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`.
fn is_label_value(v: &str) -> bool {
    v.is_empty() || is_label_name(v)
}

/// A non-empty label name part: at most 63 characters, alphanumeric at both ends.
fn is_label_name(v: &str) -> bool {
    let b = v.as_bytes();
    match (b.first(), b.last()) {
        (Some(first), Some(last)) => {
            b.len() <= 63
                && first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && b.iter().all(|&c| label_char(c))
        }
        _ => false,
    }
}

/// `validation.IsDNS1123Subdomain`.
fn is_dns_subdomain(v: &str) -> bool {
    v.len() <= 253
        && v.split('.').all(|part| {
            let b = part.as_bytes();
            matches!((b.first(), b.last()), (Some(f), Some(l))
                if (f.is_ascii_lowercase() || f.is_ascii_digit())
                    && (l.is_ascii_lowercase() || l.is_ascii_digit())
                    && b.iter().all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-'))
        })
}

/// `validation.IsQualifiedName`: an optional DNS subdomain prefix and `/`, then a label name.
fn is_qualified_name(v: &str) -> bool {
    match v.split_once('/') {
        None => is_label_name(v),
        Some((prefix, name)) => {
            !name.contains('/') && is_dns_subdomain(prefix) && is_label_name(name)
        }
    }
}

/// `layoutContainerCells`: the containers' names and images, each joined by `,`.
pub(super) fn container_cells(obj: &Value, path: &str) -> (String, String) {
    let containers = fields::list(obj, path);
    let names: Vec<&str> = containers
        .iter()
        .map(|c| fields::string(c, "name"))
        .collect();
    let images: Vec<&str> = containers
        .iter()
        .map(|c| fields::string(c, "image"))
        .collect();
    (names.join(","), images.join(","))
}

/// `listWithMoreString`: the first `max` entries, `+ N more...` for the rest, `<unset>` for
/// none.
pub(super) fn list_with_more(list: &[String], count: usize, max: usize) -> String {
    let shown = list.iter().take(max).cloned().collect::<Vec<_>>().join(",");
    if count > max {
        return format!("{shown} + {} more...", count - max);
    }
    if shown.is_empty() {
        "<unset>".into()
    } else {
        shown
    }
}

/// `printBoolPtr`: `True`, `False` or `<unset>`.
pub(super) fn bool_ptr(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "True",
        Some(false) => "False",
        None => "<unset>",
    }
}

/// `resource.Quantity.String()` of a quantity field: its canonical text as stored, `0` for
/// the zero quantity.
pub(super) fn quantity(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => "0".into(),
    }
}

/// `(*resource.Quantity).String()` of a pointer field: `<nil>` when unset.
pub(super) fn quantity_ptr(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "<nil>".into(),
        some => quantity(some),
    }
}

/// `intstr.IntOrString.String()`: the number or the string.
pub(super) fn int_or_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => fields::as_int(other).unwrap_or(0).to_string(),
    }
}

/// `net.JoinHostPort`: `host:port`, the host in brackets when it holds a colon.
pub(super) fn join_host_port(host: &str, port: i64) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn human_durations_as_go_prints_them() {
        assert_eq!(human_duration(-5), "<invalid>");
        assert_eq!(human_duration(-1), "0s");
        assert_eq!(human_duration(59), "59s");
        assert_eq!(human_duration(119), "119s");
        assert_eq!(human_duration(125), "2m5s");
        assert_eq!(human_duration(600), "10m");
        assert_eq!(human_duration(3 * 3600 + 60), "3h1m");
        assert_eq!(human_duration(9 * 3600), "9h");
        assert_eq!(human_duration(50 * 3600), "2d2h");
        assert_eq!(human_duration(10 * 86400), "10d");
        assert_eq!(human_duration(800 * 86400), "2y70d");
        assert_eq!(human_duration(3000 * 86400), "8y");
    }

    #[test]
    fn ages_saturate_like_go_durations() {
        let now: Timestamp = "2024-01-01T00:00:00Z".parse().unwrap();
        let old: Timestamp = "1000-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(since(now, Some(old)), "292y");
        assert_eq!(since(now, None), "<unknown>");
        assert_eq!(since(old, Some(now)), "<invalid>");
    }

    #[test]
    fn labels_sort_as_pairs() {
        let v = json!({"l": {"a": "y", "a.b": "x", "z": "1"}});
        assert_eq!(format_labels(&v, "l"), "a.b=x,a=y,z=1");
        assert_eq!(format_labels(&v, "missing"), "<none>");
    }

    #[test]
    fn selectors_render_as_label_selector_strings() {
        let v = json!({"s": {
            "matchLabels": {"tier": "web", "app": "demo"},
            "matchExpressions": [
                {"key": "env", "operator": "In", "values": ["prod", "dev"]},
                {"key": "gpu", "operator": "DoesNotExist"},
                {"key": "zone", "operator": "Exists"},
                {"key": "x", "operator": "NotIn", "values": ["a"]}
            ]
        }});
        assert_eq!(
            selector_string(&v, "s").unwrap(),
            "app=demo,env in (dev,prod),!gpu,tier=web,x notin (a),zone"
        );
        assert_eq!(format_label_selector(&json!({"s": {}}), "s"), "<none>");
        assert_eq!(format_label_selector(&json!({}), "s"), "<none>");
        let bad_op = json!({"s": {"matchExpressions": [{"key": "a", "operator": "Is"}]}});
        assert_eq!(format_label_selector(&bad_op, "s"), "<error>");
        let bad_key = json!({"s": {"matchLabels": {"-a": "b"}}});
        assert!(selector_string(&bad_key, "s").is_err());
        let empty_in = json!({"s": {"matchExpressions": [{"key": "a", "operator": "In"}]}});
        assert!(selector_string(&empty_in, "s").is_err());
        let prefixed = json!({"s": {"matchLabels": {"example.com/a": ""}}});
        assert_eq!(selector_string(&prefixed, "s").unwrap(), "example.com/a=");
    }

    #[test]
    fn small_helpers() {
        let names = ["a".to_string(), "b".into(), "c".into()];
        assert_eq!(list_with_more(&names, 5, 3), "a,b,c + 2 more...");
        assert_eq!(list_with_more(&[], 0, 3), "<unset>");
        assert_eq!(join_host_port("fd00::1", 80), "[fd00::1]:80");
        assert_eq!(quantity(None), "0");
        assert_eq!(quantity_ptr(None), "<nil>");
        assert_eq!(int_or_string(&json!("50%")), "50%");
        assert_eq!(int_or_string(&json!(2)), "2");
        assert_eq!(bool_ptr(None), "<unset>");
    }
}
