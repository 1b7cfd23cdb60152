//! Tests of the label selector parser, matcher and validation.

use super::validation::go_json_strings;
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
        format!("unable to parse requirement: <nil>: Invalid value: \"k\\v\": {NAME_REGEX_ERR}")
    );
    assert_eq!(
        err("kä\"=v"),
        format!("unable to parse requirement: <nil>: Invalid value: \"kä\\\"\": {NAME_REGEX_ERR}")
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
