//! The schemas of the schema properties (`fuzz_schema.rs`): random JSONSchemaProps trees
//! (depth at most [`DEPTH`]) mixing valid and invalid keyword combinations. The CRDs around
//! them and the objects near their shape are in `crds.rs`.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// The deepest a generated schema nests (properties, items, additionalProperties, allOf…).
pub const DEPTH: u32 = 3;

/// The CRD's group, plural, kind and version when the envelope is valid.
pub const GROUP: &str = "example.com";
pub const PLURAL: &str = "things";
pub const KIND: &str = "Thing";
pub const VERSION: &str = "v1";

/// Property names: a small set, so `required`, list-map keys and CEL rules name fields that
/// exist about half the time.
pub const FIELDS: &[&str] = &["a", "b", "c", "spec", "metadata", "apiVersion", "x-y", ""];

pub fn field() -> impl Strategy<Value = String> + Clone {
    prop::sample::select(FIELDS).prop_map(str::to_owned)
}

pub const TYPES: &[&str] = &[
    "object", "array", "string", "integer", "number", "boolean", "null", "bogus", "",
];

pub const ODD_STRINGS: &[&str] = &[
    "",
    "a",
    "abc",
    "A",
    "0",
    "-1",
    "1.5",
    "1e3",
    "true",
    "null",
    "ü",
    "\u{0}",
    "a\nb",
    "10%",
    "1Gi",
    "2024-01-01",
    "2024-01-01T00:00:00Z",
    "not-a-time",
    "127.0.0.1",
    "::1",
    "a@b.c",
    "http://x",
    "5f0c0a5e-4e9b-4f0b-8f3e-2b1c6e4d7a10",
    "aGVsbG8=",
    "1h2m",
    "99999999999999999999999",
    "red",
];

pub fn odd_string() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        6 => prop::sample::select(ODD_STRINGS).prop_map(str::to_owned),
        2 => "[a-z0-9./-]{0,8}",
        1 => "\\PC{0,5}",
        1 => (60usize..200).prop_map(|n| "x".repeat(n)),
    ]
}

/// Numbers from the ordinary to the extreme: negative, fractional, past i64 and f64's exact
/// integers.
pub fn odd_number() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        3 => (-3i64..4).prop_map(Value::from),
        1 => prop::sample::select(vec![i64::MIN, i64::MAX, 1 << 53, -(1 << 53)]).prop_map(Value::from),
        1 => Just(Value::from(u64::MAX)),
        1 => prop::sample::select(vec![0.5, -0.5, 1e300, -1e300, 2.0, 1e-300]).prop_map(Value::from),
    ]
}

/// A scalar of any JSON type, null included.
pub fn odd_scalar() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::from),
        2 => odd_number(),
        3 => odd_string().prop_map(Value::from),
    ]
}

/// Any JSON, shallow.
pub fn odd_json() -> impl Strategy<Value = Value> + Clone {
    odd_scalar().prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
            prop::collection::btree_map(field(), inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

pub const PATTERNS: &[&str] = &[
    "^a",
    "^[a-z]+$",
    "b$",
    "\\d+",
    "^\\p{L}*$",
    "(a|b)*c",
    "[",
    "(",
    "a{2,1}",
    "(?=x)",
    "(?!x)a",
    "(?<=a)b",
    "(a)\\1",
    "\\Z",
    "(?i)A",
    "(?P<n>a)",
    "a{1001}",
    "",
    "\\",
    "x**",
    "a{2}*",
    "a*?",
];

/// A pattern: a known one, or random text from regex syntax (non-ASCII included).
pub fn pattern() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        3 => prop::sample::select(PATTERNS).prop_map(Value::from),
        1 => "[a-c\\\\*+?{}()\\[\\]0-9,ü^$|.:PQE<>=!-]{0,10}".prop_map(Value::from),
    ]
}

pub const FORMATS: &[&str] = &[
    "int32",
    "int64",
    "float",
    "double",
    "byte",
    "date",
    "date-time",
    "duration",
    "uuid",
    "email",
    "hostname",
    "ipv4",
    "ipv6",
    "cidr",
    "uri",
    "password",
    "quantity",
    "bogus",
    "",
];

pub const RULES: &[&str] = &[
    "true",
    "false",
    "self.a > 0",
    "self.a == 'x'",
    "has(self.a)",
    "self.size() < 3",
    "size(self) <= 2",
    "self == oldSelf",
    "oldSelf.a == self.a",
    "self.nope == 1",
    "self.a.b.c",
    "self + 1",
    "self > 0",
    "self.startsWith('a')",
    "self.all(x, x != '')",
    "self.matches('^a')",
    "self.matches('(?=x)')",
    "1 +",
    "(",
    "",
    "self.a ? 1 : 'b'",
    "'a' + 1 == 'b'",
    "self.spec.a == self.spec.b",
    "isURL(self)",
    "quantity(self).isGreaterThan(quantity('1'))",
    "self.map(x, x * 2).size() > 0",
    "[1,2,3].exists(x, x > self)",
    "self.x_y == 1",
    "self.metadata.name == 'x'",
    "type(self) == string",
];

pub fn cel_rule() -> impl Strategy<Value = Value> + Clone {
    (
        prop_oneof![
            6 => prop::sample::select(RULES).prop_map(str::to_owned),
            1 => "[a-z .()=<>!0-9'+]{0,12}",
        ],
        prop::option::weighted(0.3, odd_string()),
        prop::option::weighted(0.2, "[a-z.\\[\\]']{0,8}"),
        prop::option::weighted(
            0.1,
            prop::sample::select(vec!["FieldValueInvalid", "bogus"]),
        ),
    )
        .prop_map(|(rule, message, field_path, reason)| {
            let mut m = Map::new();
            m.insert("rule".into(), rule.into());
            if let Some(s) = message {
                m.insert("message".into(), s.into());
            }
            if let Some(s) = field_path {
                m.insert("fieldPath".into(), s.into());
            }
            if let Some(s) = reason {
                m.insert("reason".into(), s.into());
            }
            Value::Object(m)
        })
}

/// Counts for the length, item and property limits.
pub fn count() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        4 => (0i64..4).prop_map(Value::from),
        1 => prop::sample::select(vec![-1i64, 1 << 40, i64::MAX]).prop_map(Value::from),
        1 => Just(Value::from(1.5)),
        1 => Just(Value::from("2")),
    ]
}

/// One keyword of a JSONSchemaProps, valid or not for the node it lands on. `sub` makes the
/// nested schemas (none at the deepest level); it is built once per level and shared, so
/// building the strategy stays linear in the depth.
pub fn keyword(sub: Option<BoxedStrategy<Value>>) -> BoxedStrategy<(String, Value)> {
    let leaf = prop_oneof![
        prop::collection::vec(field(), 0..3).prop_map(|v| ("required".to_owned(), json!(v))),
        prop::collection::vec(odd_scalar(), 0..4).prop_map(|v| ("enum".to_owned(), json!(v))),
        pattern().prop_map(|p| ("pattern".to_owned(), p)),
        prop::sample::select(FORMATS).prop_map(|f| ("format".to_owned(), json!(f))),
        (
            prop::sample::select(vec![
                "minLength",
                "maxLength",
                "minItems",
                "maxItems",
                "minProperties",
                "maxProperties"
            ]),
            count()
        )
            .prop_map(|(k, v)| (k.to_owned(), v)),
        (
            prop::sample::select(vec!["minimum", "maximum"]),
            odd_number()
        )
            .prop_map(|(k, v)| (k.to_owned(), v)),
        (
            prop::sample::select(vec!["exclusiveMinimum", "exclusiveMaximum"]),
            any::<bool>()
        )
            .prop_map(|(k, v)| (k.to_owned(), json!(v))),
        prop::sample::select(vec![
            json!(0),
            json!(-1),
            json!(0.5),
            json!(2),
            json!(1e-300)
        ])
        .prop_map(|v| ("multipleOf".to_owned(), v)),
        (
            prop::sample::select(vec![
                "nullable",
                "x-kubernetes-int-or-string",
                "x-kubernetes-preserve-unknown-fields",
                "x-kubernetes-embedded-resource",
                "uniqueItems"
            ]),
            any::<bool>()
        )
            .prop_map(|(k, v)| (k.to_owned(), json!(v))),
        odd_json().prop_map(|v| ("default".to_owned(), v)),
        prop::sample::select(vec!["atomic", "set", "map", "bogus"])
            .prop_map(|v| ("x-kubernetes-list-type".to_owned(), json!(v))),
        prop::collection::vec(field(), 0..3)
            .prop_map(|v| ("x-kubernetes-list-map-keys".to_owned(), json!(v))),
        prop::sample::select(vec!["atomic", "granular", "bogus"])
            .prop_map(|v| ("x-kubernetes-map-type".to_owned(), json!(v))),
        prop::collection::vec(cel_rule(), 1..3)
            .prop_map(|v| ("x-kubernetes-validations".to_owned(), json!(v))),
        // A keyword the structural schema forbids or a server does not know.
        prop::sample::select(vec![
            ("$ref", json!("#/x")),
            ("uniqueItems", json!(true)),
            ("additionalItems", json!(false)),
            ("title", json!("t")),
            ("description", json!("d")),
            ("bogus", json!(1)),
        ])
        .prop_map(|(k, v)| (k.to_owned(), v)),
    ];
    let Some(sub) = sub else {
        return leaf.boxed();
    };
    let sub = move || sub.clone();
    prop_oneof![
        6 => leaf,
        4 => prop::collection::btree_map(field(), sub(), 0..3)
            .prop_map(|m| ("properties".to_owned(), Value::Object(m.into_iter().collect()))),
        2 => sub().prop_map(|s| ("items".to_owned(), s)),
        2 => prop_oneof![any::<bool>().prop_map(Value::from), sub()]
            .prop_map(|s| ("additionalProperties".to_owned(), s)),
        2 => (
            prop::sample::select(vec!["allOf", "anyOf", "oneOf"]),
            prop::collection::vec(sub(), 1..3)
        )
            .prop_map(|(k, v)| (k.to_owned(), Value::from(v))),
        1 => sub().prop_map(|s| ("not".to_owned(), s)),
    ]
    .boxed()
}

/// A JSONSchemaProps: mostly a node whose keywords fit its type (so that about half the CRDs
/// install), sometimes a type (or none, or a bogus one) with keywords from anywhere.
pub fn schema(depth: u32) -> BoxedStrategy<Value> {
    let sub = (depth > 0).then(|| schema(depth - 1));
    let any_keyword = keyword(sub.clone());
    prop_oneof![
        3 => typed(sub, any_keyword.clone()),
        1 => (
            prop::option::weighted(0.85, prop::sample::select(TYPES)),
            prop::collection::vec(any_keyword, 0..4),
        )
            .prop_map(|(ty, keywords)| {
                let mut m = Map::new();
                if let Some(t) = ty {
                    m.insert("type".into(), t.into());
                }
                for (k, v) in keywords {
                    m.insert(k, v);
                }
                Value::Object(m)
            }),
    ]
    .boxed()
}

fn node(base: Value, keywords: Vec<(String, Value)>) -> Value {
    let mut m = base.as_object().cloned().unwrap_or_default();
    for (k, v) in keywords {
        m.insert(k, v);
    }
    Value::Object(m)
}

/// A keyword that fits any type.
fn common_keyword() -> BoxedStrategy<(String, Value)> {
    prop_oneof![
        2 => prop::collection::vec(cel_rule(), 1..3)
            .prop_map(|v| ("x-kubernetes-validations".to_owned(), json!(v))),
        1 => any::<bool>().prop_map(|b| ("nullable".to_owned(), json!(b))),
        1 => odd_json().prop_map(|v| ("default".to_owned(), v)),
        1 => Just(("description".to_owned(), json!("d"))),
    ]
    .boxed()
}

/// A node whose type and keywords go together, with one stray keyword now and then.
fn typed(
    sub: Option<BoxedStrategy<Value>>,
    any_keyword: BoxedStrategy<(String, Value)>,
) -> BoxedStrategy<Value> {
    let extra = move |specific: BoxedStrategy<(String, Value)>| {
        prop::collection::vec(
            prop_oneof![
                6 => specific,
                3 => common_keyword(),
                1 => any_keyword.clone(),
            ],
            0..4,
        )
    };
    let string = prop_oneof![
        pattern().prop_map(|p| ("pattern".to_owned(), p)),
        prop::sample::select(FORMATS).prop_map(|f| ("format".to_owned(), json!(f))),
        (
            prop::sample::select(vec!["minLength", "maxLength"]),
            count()
        )
            .prop_map(|(k, v)| (k.to_owned(), v)),
        prop::collection::vec(odd_string().prop_map(Value::from), 1..4)
            .prop_map(|v| ("enum".to_owned(), json!(v))),
        odd_string().prop_map(|v| ("default".to_owned(), json!(v))),
    ]
    .boxed();
    let number = prop_oneof![
        (
            prop::sample::select(vec!["minimum", "maximum"]),
            odd_number()
        )
            .prop_map(|(k, v)| (k.to_owned(), v)),
        (
            prop::sample::select(vec!["exclusiveMinimum", "exclusiveMaximum"]),
            any::<bool>()
        )
            .prop_map(|(k, v)| (k.to_owned(), json!(v))),
        prop::sample::select(vec![json!(0), json!(-1), json!(0.5), json!(2), json!(3)])
            .prop_map(|v| ("multipleOf".to_owned(), v)),
        prop::sample::select(vec!["int32", "int64", "float", "double", "bogus"])
            .prop_map(|f| ("format".to_owned(), json!(f))),
        odd_number().prop_map(|v| ("default".to_owned(), v)),
        prop::collection::vec(odd_number(), 1..3).prop_map(|v| ("enum".to_owned(), json!(v))),
    ]
    .boxed();
    let mut kinds: Vec<(u32, BoxedStrategy<Value>)> = vec![
        (
            3,
            extra(string)
                .prop_map(|k| node(json!({"type": "string"}), k))
                .boxed(),
        ),
        (
            2,
            (
                prop::sample::select(vec!["integer", "number"]),
                extra(number),
            )
                .prop_map(|(t, k)| node(json!({ "type": t }), k))
                .boxed(),
        ),
        (
            1,
            extra(
                any::<bool>()
                    .prop_map(|b| ("default".to_owned(), json!(b)))
                    .boxed(),
            )
            .prop_map(|k| node(json!({"type": "boolean"}), k))
            .boxed(),
        ),
        (
            1,
            extra(
                prop::collection::vec(odd_scalar(), 1..3)
                    .prop_map(|v| ("enum".to_owned(), json!(v)))
                    .boxed(),
            )
            .prop_map(|k| node(json!({"x-kubernetes-int-or-string": true}), k))
            .boxed(),
        ),
        (
            1,
            extra(common_keyword())
                .prop_map(|k| node(json!({"x-kubernetes-preserve-unknown-fields": true}), k))
                .boxed(),
        ),
    ];
    if let Some(sub) = sub {
        let sub = move || sub.clone();
        let object = prop_oneof![
            3 => prop::collection::btree_map(field(), sub(), 1..3)
                .prop_map(|m| ("properties".to_owned(), Value::Object(m.into_iter().collect()))),
            1 => sub().prop_map(|s| ("additionalProperties".to_owned(), s)),
            1 => prop::collection::vec(field(), 1..3).prop_map(|v| ("required".to_owned(), json!(v))),
            1 => (prop::sample::select(vec!["minProperties", "maxProperties"]), count())
                .prop_map(|(k, v)| (k.to_owned(), v)),
            1 => prop::sample::select(vec![
                "x-kubernetes-preserve-unknown-fields",
                "x-kubernetes-embedded-resource",
            ])
            .prop_map(|k| (k.to_owned(), json!(true))),
            1 => prop::sample::select(vec!["atomic", "granular"])
                .prop_map(|v| ("x-kubernetes-map-type".to_owned(), json!(v))),
            2 => (
                prop::sample::select(vec!["allOf", "anyOf", "oneOf"]),
                prop::collection::vec(value_validation(1), 1..3)
            )
                .prop_map(|(k, v)| (k.to_owned(), Value::from(v))),
            1 => value_validation(1).prop_map(|s| ("not".to_owned(), s)),
        ]
        .boxed();
        let array = prop_oneof![
            (prop::sample::select(vec!["minItems", "maxItems"]), count())
                .prop_map(|(k, v)| (k.to_owned(), v)),
            prop::sample::select(vec!["atomic", "set", "map"])
                .prop_map(|v| ("x-kubernetes-list-type".to_owned(), json!(v))),
            prop::collection::vec(field(), 1..3)
                .prop_map(|v| ("x-kubernetes-list-map-keys".to_owned(), json!(v))),
            prop::collection::vec(odd_json(), 0..3).prop_map(|v| ("default".to_owned(), json!(v))),
            value_validation(1).prop_map(|s| ("not".to_owned(), s)),
            prop::collection::vec(value_validation(1), 1..3)
                .prop_map(|v| ("anyOf".to_owned(), Value::from(v))),
        ]
        .boxed();
        kinds.push((
            4,
            extra(object)
                .prop_map(|k| node(json!({"type": "object"}), k))
                .boxed(),
        ));
        // An embedded resource: apiVersion, kind and metadata kept and checked.
        kinds.push((
            1,
            (
                any::<bool>(),
                prop::option::weighted(0.5, sub()),
                extra(common_keyword()),
            )
                .prop_map(|(preserve, spec, k)| {
                    let mut base =
                        json!({"type": "object", "x-kubernetes-embedded-resource": true});
                    if preserve {
                        base["x-kubernetes-preserve-unknown-fields"] = json!(true);
                    }
                    if let Some(spec) = spec {
                        base["properties"] = json!({ "spec": spec });
                    }
                    node(base, k)
                })
                .boxed(),
        ));
        // A list map keyed by `a` (sometimes also `b`), the key with or without a default.
        kinds.push((
            1,
            (
                prop::sample::select(vec!["string", "integer"]),
                prop::option::weighted(0.3, odd_scalar()),
                sub(),
                prop::sample::select(vec![json!(["a"]), json!(["a", "b"]), json!(["c"])]),
                extra(common_keyword()),
            )
                .prop_map(|(key_type, key_default, b, keys, k)| {
                    let mut key = json!({ "type": key_type });
                    if let Some(d) = key_default {
                        key["default"] = d;
                    }
                    let base = json!({
                        "type": "array",
                        "x-kubernetes-list-type": "map",
                        "x-kubernetes-list-map-keys": keys,
                        "items": {
                            "type": "object",
                            "required": ["a"],
                            "properties": {"a": key, "b": b},
                        },
                    });
                    node(base, k)
                })
                .boxed(),
        ));
        kinds.push((
            2,
            (sub(), extra(array))
                .prop_map(|(items, k)| node(json!({"type": "array", "items": items}), k))
                .boxed(),
        ));
    }
    prop::strategy::Union::new_weighted(kinds).boxed()
}

/// A value validation for allOf, anyOf, oneOf and not: no type, default, nullable or
/// extension (a structural schema forbids them there), nested at most `depth` deep; now and
/// then one of the forbidden keywords anyway.
pub fn value_validation(depth: u32) -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        4 => prop_oneof![
            prop::collection::vec(odd_scalar(), 1..3).prop_map(|v| ("enum".to_owned(), json!(v))),
            pattern().prop_map(|p| ("pattern".to_owned(), p)),
            prop::sample::select(FORMATS).prop_map(|f| ("format".to_owned(), json!(f))),
            (
                prop::sample::select(vec!["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"]),
                count()
            )
                .prop_map(|(k, v)| (k.to_owned(), v)),
            (prop::sample::select(vec!["minimum", "maximum"]), odd_number())
                .prop_map(|(k, v)| (k.to_owned(), v)),
            prop::collection::vec(field(), 1..3).prop_map(|v| ("required".to_owned(), json!(v))),
        ],
        1 => keyword(None),
    ]
    .boxed();
    let keywords: BoxedStrategy<(String, Value)> = if depth == 0 {
        leaf
    } else {
        let sub = value_validation(depth - 1);
        prop_oneof![
            4 => leaf,
            1 => prop::collection::btree_map(field(), sub.clone(), 1..3)
                .prop_map(|m| ("properties".to_owned(), Value::Object(m.into_iter().collect()))),
            1 => sub.clone().prop_map(|s| ("items".to_owned(), s)),
            1 => sub.clone().prop_map(|s| ("not".to_owned(), s)),
            1 => (prop::sample::select(vec!["allOf", "anyOf", "oneOf"]), prop::collection::vec(sub, 1..3))
                .prop_map(|(k, v)| (k.to_owned(), Value::from(v))),
        ]
        .boxed()
    };
    prop::collection::vec(keywords, 1..3)
        .prop_map(|k| node(json!({}), k))
        .boxed()
}

/// A root schema: usually an object with `spec` (and maybe `status`) properties, as CRDs
/// have; sometimes a random node.
pub fn root_schema() -> BoxedStrategy<Value> {
    prop_oneof![
        4 => (
            schema(DEPTH - 1),
            prop::option::weighted(0.3, schema(1)),
            prop::collection::vec(keyword(None), 0..2),
        )
            .prop_map(|(spec, status, keywords)| {
                let mut props = Map::new();
                props.insert("spec".into(), spec);
                if let Some(s) = status {
                    props.insert("status".into(), s);
                }
                let mut m = Map::new();
                m.insert("type".into(), "object".into());
                m.insert("properties".into(), Value::Object(props));
                for (k, v) in keywords {
                    m.insert(k, v);
                }
                Value::Object(m)
            }),
        1 => schema(DEPTH),
    ]
    .boxed()
}
