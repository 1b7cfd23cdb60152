//! The inputs of the schema properties (`fuzz_schema.rs`): CustomResourceDefinitions whose
//! openAPIV3Schema is a random JSONSchemaProps tree (depth at most [`DEPTH`]) mixing valid and
//! invalid keyword combinations, CRD-level junk around it, and objects generated near the
//! shape of a schema (right and wrong types, missing and extra fields, nulls, huge numbers,
//! odd strings).

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

/// Junk at the CRD level, applied to an otherwise valid envelope.
#[derive(Debug, Clone, Copy)]
pub enum Junk {
    None,
    NameNotPluralGroup,
    GroupWithoutDot,
    NoStorageVersion,
    TwoStorageVersions,
    BogusScope,
    NoSchema,
    KindLowercase,
}

pub fn junk() -> impl Strategy<Value = Junk> {
    prop_oneof![
        12 => Just(Junk::None),
        1 => Just(Junk::NameNotPluralGroup),
        1 => Just(Junk::GroupWithoutDot),
        1 => Just(Junk::NoStorageVersion),
        1 => Just(Junk::TwoStorageVersions),
        1 => Just(Junk::BogusScope),
        1 => Just(Junk::NoSchema),
        1 => Just(Junk::KindLowercase),
    ]
}

/// The CRD body for `schema`, namespaced or cluster-scoped, spoiled by `junk`.
pub fn crd_body(schema: &Value, namespaced: bool, junk: Junk) -> Value {
    let version = |name: &str, storage: bool| {
        json!({
            "name": name, "served": true, "storage": storage,
            "schema": {"openAPIV3Schema": schema},
        })
    };
    let mut crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("{PLURAL}.{GROUP}")},
        "spec": {
            "group": GROUP,
            "scope": if namespaced { "Namespaced" } else { "Cluster" },
            "names": {"plural": PLURAL, "singular": "thing", "kind": KIND},
            "versions": [version(VERSION, true)],
        }
    });
    let spec = &mut crd["spec"];
    match junk {
        Junk::None => {}
        Junk::NameNotPluralGroup => crd["metadata"]["name"] = json!("thing.example.com"),
        Junk::GroupWithoutDot => spec["group"] = json!("example"),
        Junk::NoStorageVersion => spec["versions"] = json!([version(VERSION, false)]),
        Junk::TwoStorageVersions => {
            spec["versions"] = json!([version(VERSION, true), version("v2", true)]);
        }
        Junk::BogusScope => spec["scope"] = json!("Bogus"),
        Junk::NoSchema => {
            spec["versions"][0]
                .as_object_mut()
                .expect("an object")
                .remove("schema");
        }
        Junk::KindLowercase => spec["names"]["kind"] = json!("thing kind"),
    }
    crd
}

/// A whole CRD: (body, namespaced, junk).
pub fn crd() -> impl Strategy<Value = (Value, bool)> {
    (
        root_schema(),
        prop::bool::weighted(0.7),
        junk(),
        version_extras(),
    )
        .prop_map(|(s, namespaced, j, extras)| {
            (with_extras(crd_body(&s, namespaced, j), extras), namespaced)
        })
}

fn schema_type(s: &Value) -> &str {
    s.get("type").and_then(Value::as_str).unwrap_or("")
}

/// A value near the shape of `schema`: mostly what its type asks for (enum members, fields
/// of its properties, items of its items), sometimes any JSON at all. `depth` bounds the
/// nesting.
pub fn value_near(schema: &Value, depth: u32) -> BoxedStrategy<Value> {
    let wild = odd_json().boxed();
    if depth == 0 {
        return wild;
    }
    let enum_values: Vec<Value> = schema
        .get("enum")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let near: BoxedStrategy<Value> = match schema_type(schema) {
        "object" => {
            let props: Vec<(String, Value)> = schema
                .get("properties")
                .and_then(Value::as_object)
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default();
            let extra = schema
                .get("additionalProperties")
                .filter(|a| a.is_object())
                .cloned()
                .unwrap_or(json!({}));
            let fields: Vec<BoxedStrategy<Option<(String, Value)>>> = props
                .into_iter()
                .map(|(k, s)| {
                    prop::option::weighted(0.75, value_near(&s, depth - 1))
                        .prop_map(move |v| v.map(|v| (k.clone(), v)))
                        .boxed()
                })
                .collect();
            (
                fields,
                prop::collection::vec((field(), value_near(&extra, depth - 1)), 0..2),
            )
                .prop_map(|(fields, extras)| {
                    let mut m = Map::new();
                    for (k, v) in extras {
                        m.insert(k, v);
                    }
                    for (k, v) in fields.into_iter().flatten() {
                        m.insert(k, v);
                    }
                    Value::Object(m)
                })
                .boxed()
        }
        "array" => {
            let items = schema.get("items").cloned().unwrap_or(json!({}));
            prop::collection::vec(value_near(&items, depth - 1), 0..4)
                .prop_map(Value::from)
                .boxed()
        }
        "string" => prop_oneof![
            2 => prop::sample::select(vec!["a", "b"]).prop_map(Value::from),
            4 => odd_string().prop_map(Value::from),
            1 => odd_number(),
        ]
        .boxed(),
        "integer" | "number" => prop_oneof![
            4 => odd_number(),
            1 => odd_string().prop_map(Value::from),
        ]
        .boxed(),
        "boolean" => any::<bool>().prop_map(Value::from).boxed(),
        _ => wild.clone(),
    };
    let near = if schema.get("x-kubernetes-embedded-resource") == Some(&json!(true)) {
        (near, embedded_envelope())
            .prop_map(|(v, envelope)| match v {
                Value::Object(mut m) => {
                    m.extend(envelope);
                    Value::Object(m)
                }
                other => other,
            })
            .boxed()
    } else {
        near
    };
    if enum_values.is_empty() {
        prop_oneof![8 => near, 1 => wild].boxed()
    } else {
        prop_oneof![
            4 => prop::sample::select(enum_values),
            4 => near,
            1 => wild,
        ]
        .boxed()
    }
}

/// The body of an object of the CRD near `schema` (the root's fields, with `apiVersion`,
/// `kind` and `metadata` laid over them).
pub fn object_near(schema: &Value) -> BoxedStrategy<Value> {
    value_near(schema, DEPTH + 1)
        .prop_map(|v| {
            let mut m = match v {
                Value::Object(m) => m,
                other => {
                    let mut m = Map::new();
                    m.insert("spec".into(), other);
                    m
                }
            };
            m.insert("apiVersion".into(), format!("{GROUP}/{VERSION}").into());
            m.insert("kind".into(), KIND.into());
            m.insert("metadata".into(), json!({"name": "o"}));
            Value::Object(m)
        })
        .boxed()
}

/// A merge patch near `schema`: an object near it, with some fields set to null.
pub fn merge_patch_near(schema: &Value) -> BoxedStrategy<Value> {
    (
        value_near(schema, DEPTH + 1),
        prop::collection::vec(field(), 0..2),
    )
        .prop_map(|(v, nulls)| {
            let mut m = match v {
                Value::Object(m) => m,
                other => {
                    let mut m = Map::new();
                    m.insert("spec".into(), other);
                    m
                }
            };
            m.remove("metadata");
            m.remove("apiVersion");
            m.remove("kind");
            for k in nulls {
                m.insert(k, Value::Null);
            }
            Value::Object(m)
        })
        .boxed()
}

/// The apiVersion, kind and metadata of an embedded resource: right, wrong or missing.
fn embedded_envelope() -> impl Strategy<Value = Map<String, Value>> {
    (
        prop::option::weighted(
            0.8,
            prop_oneof![Just(json!("v1")), Just(json!("a/b/c")), odd_scalar()],
        ),
        prop::option::weighted(0.8, prop_oneof![Just(json!("Pod")), odd_scalar()]),
        prop::option::weighted(
            0.6,
            prop_oneof![
                2 => (
                    prop::option::of(odd_string()),
                    prop::option::of(odd_string()),
                    prop::option::of(prop::collection::btree_map(odd_string(), odd_scalar(), 0..2)),
                    prop::option::of(odd_json()),
                )
                    .prop_map(|(name, generate_name, labels, junk)| {
                        let mut m = Map::new();
                        if let Some(n) = name {
                            m.insert("name".into(), n.into());
                        }
                        if let Some(n) = generate_name {
                            m.insert("generateName".into(), n.into());
                        }
                        if let Some(l) = labels {
                            m.insert("labels".into(), Value::Object(l.into_iter().collect()));
                        }
                        if let Some(j) = junk {
                            m.insert("junk".into(), j);
                        }
                        Value::Object(m)
                    }),
                1 => odd_json(),
            ],
        ),
    )
        .prop_map(|(api_version, kind, metadata)| {
            let mut m = Map::new();
            for (k, v) in [
                ("apiVersion", api_version),
                ("kind", kind),
                ("metadata", metadata),
            ] {
                if let Some(v) = v {
                    m.insert(k.into(), v);
                }
            }
            m
        })
}

pub const JSON_PATHS: &[&str] = &[
    ".spec.a",
    ".spec.b",
    ".spec",
    ".status.a",
    ".status.replicas",
    ".spec.a.b",
    ".metadata.name",
    ".metadata.labels",
    "spec.a",
    ".spec.a[0]",
    ".spec[*]",
    "",
    ".",
];

pub fn json_path() -> impl Strategy<Value = Value> + Clone {
    prop::sample::select(JSON_PATHS).prop_map(Value::from)
}

/// What a version may have besides its schema: subresources (status; scale with paths into
/// the schema, right or wrong) and selectable fields.
pub fn version_extras() -> impl Strategy<Value = Map<String, Value>> {
    (
        prop::option::weighted(0.5, Just(json!({}))),
        prop::option::weighted(
            0.4,
            (json_path(), json_path(), prop::option::of(json_path())),
        ),
        prop::option::weighted(0.3, prop::collection::vec(json_path(), 0..3)),
    )
        .prop_map(|(status, scale, selectable)| {
            let mut version = Map::new();
            let mut subresources = Map::new();
            if let Some(s) = status {
                subresources.insert("status".into(), s);
            }
            if let Some((spec, status, selector)) = scale {
                let mut scale = Map::new();
                scale.insert("specReplicasPath".into(), spec);
                scale.insert("statusReplicasPath".into(), status);
                if let Some(s) = selector {
                    scale.insert("labelSelectorPath".into(), s);
                }
                subresources.insert("scale".into(), Value::Object(scale));
            }
            if !subresources.is_empty() {
                version.insert("subresources".into(), Value::Object(subresources));
            }
            if let Some(paths) = selectable {
                let fields: Vec<Value> = paths
                    .into_iter()
                    .map(|p| json!({ "jsonPath": p }))
                    .collect();
                version.insert("selectableFields".into(), Value::from(fields));
            }
            version
        })
}

/// Lays `extras` over the first version of a CRD body.
pub fn with_extras(mut crd: Value, extras: Map<String, Value>) -> Value {
    if let Some(v) = crd["spec"]["versions"][0].as_object_mut() {
        v.extend(extras);
    }
    crd
}
