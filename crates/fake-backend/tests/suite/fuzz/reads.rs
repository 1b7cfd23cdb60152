//! The inputs of the read and delete properties (`fuzz_reads.rs`): label and field selectors
//! near valid syntax (structured ones whose matches a test can compute, and junk strings made
//! of selector tokens and odd characters), continue tokens (valid ones, base64 of JSON near a
//! token, base64 of junk, random text), resourceVersions, limits and delete options.

use kube_core::params::{DeleteParams, Preconditions, PropagationPolicy, VersionMatch};
use proptest::prelude::*;
use serde_json::{Value, json};

use super::inputs::{junk, odd_string};

/// Stands for the cluster's current resourceVersion in a generated parameter.
pub const NOW_RV: &str = "@now-rv";
/// Stands for a resourceVersion ahead of the cluster's.
pub const AHEAD_RV: &str = "@ahead-rv";
/// Stands for the target object's uid.
pub const TARGET_UID: &str = "@target-uid";
/// Stands for the target object's resourceVersion.
pub const TARGET_RV: &str = "@target-rv";

/// One label requirement whose meaning a test can compute.
#[derive(Clone, Debug)]
pub enum LabelReq {
    Eq(String, String, bool),
    Ne(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    Absent(String),
    Gt(String, i64),
    Lt(String, i64),
}

impl LabelReq {
    pub fn render(&self) -> String {
        match self {
            LabelReq::Eq(k, v, false) => format!("{k}={v}"),
            LabelReq::Eq(k, v, true) => format!("{k}=={v}"),
            LabelReq::Ne(k, v) => format!("{k}!={v}"),
            LabelReq::In(k, vs) => format!("{k} in ({})", vs.join(",")),
            LabelReq::NotIn(k, vs) => format!("{k} notin ({})", vs.join(",")),
            LabelReq::Exists(k) => k.clone(),
            LabelReq::Absent(k) => format!("!{k}"),
            LabelReq::Gt(k, n) => format!("{k}>{n}"),
            LabelReq::Lt(k, n) => format!("{k}<{n}"),
        }
    }

    /// Whether labels satisfy the requirement (apimachinery's `labels.Requirement.Matches`).
    pub fn matches(&self, labels: &std::collections::BTreeMap<String, String>) -> bool {
        let get = |k: &str| labels.get(k).map(String::as_str);
        let int = |k: &str| get(k).and_then(|v| v.parse::<i64>().ok());
        match self {
            LabelReq::Eq(k, v, _) => get(k) == Some(v.as_str()),
            LabelReq::Ne(k, v) => get(k) != Some(v.as_str()),
            LabelReq::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            LabelReq::NotIn(k, vs) => !get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            LabelReq::Exists(k) => get(k).is_some(),
            LabelReq::Absent(k) => get(k).is_none(),
            LabelReq::Gt(k, n) => int(k).is_some_and(|x| x > *n),
            LabelReq::Lt(k, n) => int(k).is_some_and(|x| x < *n),
        }
    }
}

pub const LABEL_KEYS: &[&str] = &["app", "tier", "missing", "example.com/x"];
pub const LABEL_VALUES: &[&str] = &["web", "db", "y", "1", "2", "3", "10"];

fn label_key() -> impl Strategy<Value = String> + Clone {
    prop::sample::select(LABEL_KEYS).prop_map(str::to_owned)
}

fn label_value() -> impl Strategy<Value = String> + Clone {
    prop::sample::select(LABEL_VALUES).prop_map(str::to_owned)
}

fn value_set() -> impl Strategy<Value = Vec<String>> + Clone {
    prop::collection::vec(label_value(), 1..3)
}

pub fn label_req() -> impl Strategy<Value = LabelReq> + Clone {
    prop_oneof![
        3 => (label_key(), prop_oneof![4 => label_value(), 1 => Just(String::new())], any::<bool>())
            .prop_map(|(k, v, double)| LabelReq::Eq(k, v, double)),
        2 => (label_key(), prop_oneof![4 => label_value(), 1 => Just(String::new())])
            .prop_map(|(k, v)| LabelReq::Ne(k, v)),
        2 => (label_key(), value_set()).prop_map(|(k, v)| LabelReq::In(k, v)),
        1 => (label_key(), value_set()).prop_map(|(k, v)| LabelReq::NotIn(k, v)),
        1 => label_key().prop_map(LabelReq::Exists),
        1 => label_key().prop_map(LabelReq::Absent),
        1 => (label_key(), 0i64..12).prop_map(|(k, n)| LabelReq::Gt(k, n)),
        1 => (label_key(), 0i64..12).prop_map(|(k, n)| LabelReq::Lt(k, n)),
    ]
}

/// One field requirement (`=`, `==`, `!=`) on a field every listed object has.
#[derive(Clone, Debug)]
pub struct FieldReq {
    pub field: &'static str,
    pub op: &'static str,
    pub value: String,
}

impl FieldReq {
    pub fn render(&self) -> String {
        format!("{}{}{}", self.field, self.op, self.value)
    }

    /// Whether the object's value of the field satisfies the requirement.
    pub fn matches(&self, obj: &Value) -> bool {
        let path = match self.field {
            "metadata.name" => "/metadata/name",
            "metadata.namespace" => "/metadata/namespace",
            _ => "/spec/color",
        };
        let actual = obj.pointer(path).and_then(Value::as_str).unwrap_or("");
        (actual == self.value) == (self.op != "!=")
    }
}

/// A field requirement; `spec.color` (a widget's selectable field) only when `selectable`.
pub fn field_req(selectable: bool) -> impl Strategy<Value = FieldReq> + Clone {
    let fields: &'static [&'static str] = if selectable {
        &["metadata.name", "metadata.namespace", "spec.color"]
    } else {
        &["metadata.name", "metadata.namespace"]
    };
    (
        prop::sample::select(fields),
        prop::sample::select(&["=", "==", "!="][..]),
        prop::sample::select(&["a", "b", "cm", "e", "zz", "default", "team", "red", "blue"][..]),
    )
        .prop_map(|(field, op, value)| FieldReq {
            field,
            op,
            value: value.to_owned(),
        })
}

/// Structured selectors: label requirements and field requirements, all of which must hold.
#[derive(Clone, Debug)]
pub struct Selectors {
    pub labels: Vec<LabelReq>,
    pub fields: Vec<FieldReq>,
    /// Whether the requirements are joined with `, ` rather than `,`.
    pub spaced: bool,
}

impl Selectors {
    pub fn label_selector(&self) -> Option<String> {
        let sep = if self.spaced { ", " } else { "," };
        (!self.labels.is_empty()).then(|| {
            self.labels
                .iter()
                .map(LabelReq::render)
                .collect::<Vec<_>>()
                .join(sep)
        })
    }

    pub fn field_selector(&self) -> Option<String> {
        (!self.fields.is_empty()).then(|| {
            self.fields
                .iter()
                .map(FieldReq::render)
                .collect::<Vec<_>>()
                .join(",")
        })
    }

    /// Whether any requirement is given.
    pub fn is_set(&self) -> bool {
        !self.labels.is_empty() || !self.fields.is_empty()
    }

    /// Whether a listed object (as JSON) is selected.
    pub fn matches(&self, obj: &Value) -> bool {
        let labels: std::collections::BTreeMap<String, String> = obj
            .pointer("/metadata/labels")
            .cloned()
            .and_then(|l| serde_json::from_value(l).ok())
            .unwrap_or_default();
        self.labels.iter().all(|r| r.matches(&labels)) && self.fields.iter().all(|f| f.matches(obj))
    }
}

pub fn selectors(selectable: bool) -> impl Strategy<Value = Selectors> + Clone {
    (
        prop::collection::vec(label_req(), 0..3),
        prop::collection::vec(field_req(selectable), 0..2),
        any::<bool>(),
    )
        .prop_map(|(labels, fields, spaced)| Selectors {
            labels,
            fields,
            spaced,
        })
}

pub const SELECTOR_PIECES: &[&str] = &[
    "a=b",
    "a==b",
    "a!=b",
    "a in (x,y)",
    "a notin (x)",
    "a in ()",
    "a in (x,",
    "!a",
    "!!a",
    "a>1",
    "a<-1",
    "a>x",
    "a>",
    "metadata.name=x",
    "metadata.name==a",
    "metadata.name!=a",
    "metadata.namespace=default",
    "spec.color=red",
    "status.phase=x",
    "app=web",
    "tier in (1,2)",
    "example.com/x=y",
    "a/b/c=d",
    "-a=b",
    "a=-b",
    "a=b=c",
    "(",
    ")",
    ",",
    ",,",
    " ",
    "=",
    "==",
    "!=",
    "!",
    "in",
    "notin",
    "\\",
    "\\,",
    "a\\=b=c",
    "~",
    "*",
    "ü=ö",
    "\u{0}",
    "\t",
];

/// A selector string near valid syntax: selector tokens and odd text, concatenated.
pub fn junk_selector() -> impl Strategy<Value = String> + Clone {
    let piece = prop_oneof![
        6 => prop::sample::select(SELECTOR_PIECES).prop_map(str::to_owned),
        1 => "[a-z0-9=!,() ./-]{0,8}",
        1 => odd_string(),
        1 => (60usize..80).prop_map(|n| format!("k={}", "v".repeat(n))),
        1 => (250usize..270).prop_map(|n| format!("{}/k=v", "p".repeat(n))),
    ];
    prop::collection::vec(
        (piece, prop::sample::select(&["", ",", " ", ", "][..])),
        0..4,
    )
    .prop_map(|parts| {
        parts
            .into_iter()
            .map(|(p, sep)| format!("{p}{sep}"))
            .collect()
    })
}

/// A selector: structured (the string of [`Selectors`]) or junk.
pub fn any_selector() -> impl Strategy<Value = Option<String>> + Clone {
    prop_oneof![
        2 => Just(None),
        2 => selectors(true).prop_map(|s| s.label_selector()),
        2 => selectors(true).prop_map(|s| s.field_selector()),
        4 => junk_selector().prop_map(Some),
    ]
}

/// A limit: none, 0 (no limit), small, or huge.
pub fn limit() -> impl Strategy<Value = Option<u32>> + Clone {
    prop_oneof![
        2 => Just(None),
        1 => Just(Some(0)),
        3 => (1u32..4).prop_map(Some),
        1 => Just(Some(u32::MAX)),
        1 => any::<u32>().prop_map(Some),
    ]
}

/// A resourceVersion parameter.
pub fn read_rv() -> impl Strategy<Value = Option<String>> + Clone {
    prop_oneof![
        3 => Just(None),
        1 => prop::sample::select(
            &["", "0", "1", "2", NOW_RV, AHEAD_RV, "-1", "abc", " 1", "1 ", "+1", "0x1",
              "18446744073709551615", "18446744073709551616", "1e3"][..]
        )
        .prop_map(|s| Some(s.to_owned())),
        1 => odd_string().prop_map(Some),
    ]
}

pub fn version_match() -> impl Strategy<Value = Option<VersionMatch>> + Clone {
    prop_oneof![
        3 => Just(None),
        1 => Just(Some(VersionMatch::Exact)),
        1 => Just(Some(VersionMatch::NotOlderThan)),
    ]
}

/// A continue token, rendered once the cluster is known ([`render_token`]).
#[derive(Clone, Debug)]
pub enum Token {
    /// The token of a real first page with this limit and no selector, of the list's
    /// namespace or of all namespaces.
    Real { limit: u32, all: bool },
    /// URL-safe base64 (or standard, with padding) of this JSON.
    Encoded { json: Value, standard: bool },
    /// Raw text.
    Raw(String),
}

pub fn token() -> impl Strategy<Value = Option<Token>> + Clone {
    let rv = prop_oneof![
        6 => Just(json!(NOW_RV)),
        1 => prop::sample::select(&[0i64, 1, 2, -1, i64::MAX][..]).prop_map(Value::from),
        1 => Just(json!(u64::MAX)),
        1 => junk(),
    ];
    let start = prop_oneof![
        4 => prop::sample::select(
            &["default/a\u{0}", "default/b", "team/a\u{0}", "zzz/x\u{0}", "a\u{0}", "g1\u{0}",
              "default\u{0}", "/", "", "\u{0}", "default/", "/a", "defaulu/a", "default/zzzz",
              "team/zzz\u{0}", "aaa/a\u{0}", "\u{1}", "ü/ö"][..]
        )
        .prop_map(Value::from),
        1 => odd_string().prop_map(Value::from),
        1 => junk(),
    ];
    let version = prop_oneof![
        6 => Just(json!("meta.k8s.io/v1")),
        1 => Just(json!("meta.k8s.io/v2")),
        1 => junk(),
    ];
    let near = (version, rv, start, any::<u16>()).prop_map(|(v, rv, start, drop)| {
        let mut m = serde_json::Map::new();
        for (i, (k, val)) in [("v", v), ("rv", rv), ("start", start)]
            .into_iter()
            .enumerate()
        {
            // Now and then a member is left out.
            if drop % 7 != i as u16 {
                m.insert(k.into(), val);
            }
        }
        Value::Object(m)
    });
    prop_oneof![
        4 => Just(None),
        2 => (1u32..8, any::<bool>()).prop_map(|(limit, all)| Some(Token::Real { limit, all })),
        6 => (near, prop::bool::weighted(0.2))
            .prop_map(|(json, standard)| Some(Token::Encoded { json, standard })),
        1 => (junk(), any::<bool>())
            .prop_map(|(json, standard)| Some(Token::Encoded { json, standard })),
        1 => prop_oneof![
            Just("".to_owned()),
            Just("!!!".to_owned()),
            Just("e30".to_owned()),
            Just("e30=".to_owned()),
            Just("e30==".to_owned()),
            "[A-Za-z0-9_=+/-]{0,24}",
        ]
        .prop_map(|s| Some(Token::Raw(s))),
    ]
}

/// Replaces the resourceVersion stand-ins in a parameter.
pub fn fill_rv(s: &str, now: u64) -> String {
    match s {
        NOW_RV => now.to_string(),
        AHEAD_RV => (now + 1000).to_string(),
        other => other.to_owned(),
    }
}

/// Replaces the stand-ins anywhere in a JSON value.
pub fn fill_json(v: &mut Value, now: u64) {
    match v {
        Value::String(s) if s == NOW_RV => *v = json!(now),
        Value::Array(items) => items.iter_mut().for_each(|i| fill_json(i, now)),
        Value::Object(m) => m.values_mut().for_each(|i| fill_json(i, now)),
        _ => {}
    }
}

pub fn encode_token(json: &Value, standard: bool) -> String {
    use base64::Engine as _;
    let text = json.to_string();
    if standard {
        base64::engine::general_purpose::STANDARD.encode(text)
    } else {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
    }
}

/// Delete options, with stand-ins for the target's uid and resourceVersion in preconditions.
pub fn delete_params() -> impl Strategy<Value = DeleteParams> + Clone {
    let precondition = prop_oneof![
        2 => Just(None),
        2 => Just(Some(TARGET_UID.to_owned())),
        1 => Just(Some(TARGET_RV.to_owned())),
        1 => Just(Some(String::new())),
        1 => odd_string().prop_map(Some),
    ];
    let preconditions = prop_oneof![
        3 => Just(None),
        2 => (precondition.clone(), precondition).prop_map(|(uid, resource_version)| {
            Some(Preconditions {
                uid,
                resource_version,
            })
        }),
    ];
    let policy = prop_oneof![
        2 => Just(None),
        1 => Just(Some(PropagationPolicy::Orphan)),
        1 => Just(Some(PropagationPolicy::Background)),
        1 => Just(Some(PropagationPolicy::Foreground)),
    ];
    (
        prop::bool::weighted(0.3),
        prop_oneof![3 => Just(None), 1 => any::<u32>().prop_map(Some)],
        policy,
        preconditions,
    )
        .prop_map(
            |(dry_run, grace_period_seconds, propagation_policy, preconditions)| DeleteParams {
                dry_run,
                grace_period_seconds,
                propagation_policy,
                preconditions,
            },
        )
}

/// A name to read or delete: mostly one that exists somewhere, sometimes an odd one.
pub fn read_name() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        4 => prop::sample::select(&["a", "b", "c", "d", "e", "cm", "cm2", "g1", "owned"][..])
            .prop_map(str::to_owned),
        1 => odd_string(),
    ]
}

/// A namespace argument.
pub fn namespace() -> impl Strategy<Value = Option<String>> + Clone {
    prop_oneof![
        4 => Just(Some("default".to_owned())),
        2 => Just(Some("team".to_owned())),
        2 => Just(None),
        1 => Just(Some("missing".to_owned())),
        1 => odd_string().prop_map(Some),
    ]
}
