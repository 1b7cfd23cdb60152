//! The v1 annotation types and the internal behavior as `encoding/json` writes them: a
//! struct's fields in declaration order (serde_json's map would sort them), a Go string or
//! quantity without `omitempty` written even when empty.

use serde_json::{Map, Value};

/// A JSON object's text with its members in the order given, as `encoding/json` writes a
/// struct (serde_json's map would sort them); members given `None` are left out.
pub(super) fn ordered(members: &[(&str, Option<String>)]) -> String {
    let body: Vec<String> = members
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{}:{v}", Value::from(*k))))
        .collect();
    format!("{{{}}}", body.join(","))
}

/// The member `key` of `v` as JSON text, if set.
pub(super) fn member(v: Option<&Value>, key: &str) -> Option<String> {
    v.and_then(|v| v.get(key))
        .filter(|x| !x.is_null())
        .map(Value::to_string)
}

/// A string member, `""` when unset (a Go string without `omitempty`).
pub(super) fn string(v: Option<&Value>, key: &str) -> Option<String> {
    Some(member(v, key).unwrap_or_else(|| "\"\"".to_string()))
}

/// A quantity member, `"0"` when unset (a `resource.Quantity` without a pointer).
pub(super) fn quantity(v: Option<&Value>, key: &str) -> Option<String> {
    Some(member(v, key).unwrap_or_else(|| "\"0\"".to_string()))
}

/// `metav1.LabelSelector` as `encoding/json` writes it.
pub(super) fn selector(v: Option<&Value>, key: &str) -> Option<String> {
    let s = v.and_then(|v| v.get(key)).filter(|s| !s.is_null())?;
    let expressions = s
        .get("matchExpressions")
        .and_then(Value::as_array)
        .map(|xs| {
            let items: Vec<String> = xs
                .iter()
                .map(|x| {
                    ordered(&[
                        ("key", string(Some(x), "key")),
                        ("operator", string(Some(x), "operator")),
                        ("values", member(Some(x), "values")),
                    ])
                })
                .collect();
            format!("[{}]", items.join(","))
        });
    Some(ordered(&[
        ("matchLabels", member(Some(s), "matchLabels")),
        ("matchExpressions", expressions),
    ]))
}

/// v1 `CrossVersionObjectReference` of a v2 one.
pub(super) fn reference(r: Option<&Value>) -> Option<String> {
    Some(ordered(&[
        ("kind", string(r, "kind")),
        ("name", string(r, "name")),
        (
            "apiVersion",
            member(r, "apiVersion").filter(|a| a != "\"\""),
        ),
    ]))
}

/// A v1 `HorizontalPodAutoscalerCondition`, as JSON text.
pub(super) fn condition_to_v1(c: &Value) -> String {
    let c = Some(c);
    ordered(&[
        ("type", string(c, "type")),
        ("status", string(c, "status")),
        (
            "lastTransitionTime",
            Some(member(c, "lastTransitionTime").unwrap_or_else(|| "null".to_string())),
        ),
        ("reason", member(c, "reason").filter(|r| r != "\"\"")),
        ("message", member(c, "message").filter(|m| m != "\"\"")),
        ("observedGeneration", member(c, "observedGeneration")),
    ])
}

/// Go field name → JSON name of the internal behavior types.
const BEHAVIOR_FIELDS: &[(&str, &str)] = &[
    ("ScaleUp", "scaleUp"),
    ("ScaleDown", "scaleDown"),
    ("StabilizationWindowSeconds", "stabilizationWindowSeconds"),
    ("SelectPolicy", "selectPolicy"),
    ("Policies", "policies"),
    ("Tolerance", "tolerance"),
    ("Type", "type"),
    ("Value", "value"),
    ("PeriodSeconds", "periodSeconds"),
];

/// The internal `HorizontalPodAutoscalerBehavior` as `encoding/json` writes it: Go's field
/// names in declaration order, unset pointers as `null` (`Tolerance`, newer than some
/// servers, only when set).
pub(super) fn behavior_to_go(b: &Value) -> String {
    let rules = |r: Option<&Value>| -> String {
        let Some(r) = r.filter(|r| r.is_object()) else {
            return "null".to_string();
        };
        let policies = r.get("policies").and_then(Value::as_array).map(|ps| {
            let items: Vec<String> = ps
                .iter()
                .map(|p| {
                    let p = Some(p);
                    ordered(&[
                        ("Type", string(p, "type")),
                        (
                            "Value",
                            Some(member(p, "value").unwrap_or_else(|| "0".into())),
                        ),
                        (
                            "PeriodSeconds",
                            Some(member(p, "periodSeconds").unwrap_or_else(|| "0".into())),
                        ),
                    ])
                })
                .collect();
            format!("[{}]", items.join(","))
        });
        let r = Some(r);
        let or_null = |v: Option<String>| Some(v.unwrap_or_else(|| "null".to_string()));
        ordered(&[
            (
                "StabilizationWindowSeconds",
                or_null(member(r, "stabilizationWindowSeconds")),
            ),
            ("SelectPolicy", or_null(member(r, "selectPolicy"))),
            ("Policies", or_null(policies)),
            ("Tolerance", member(r, "tolerance")),
        ])
    };
    ordered(&[
        ("ScaleUp", Some(rules(b.get("scaleUp")))),
        ("ScaleDown", Some(rules(b.get("scaleDown")))),
    ])
}

/// The behavior annotation back as v2 JSON. Go matches field names without regard to case,
/// so either spelling is read; `null`s are unset fields.
pub(super) fn behavior_from_go(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                if v.is_null() {
                    continue;
                }
                let name = BEHAVIOR_FIELDS
                    .iter()
                    .find(|(go, js)| go.eq_ignore_ascii_case(k) || js.eq_ignore_ascii_case(k))
                    .map_or(k.as_str(), |(_, js)| js);
                out.insert(name.to_string(), behavior_from_go(v));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(behavior_from_go).collect()),
        other => other.clone(),
    }
}
