//! Admission and API priority and fairness: printers.go's `printMutatingWebhook`,
//! `printValidatingWebhook`, `printValidatingAdmissionPolicy`,
//! `printValidatingAdmissionPolicyBinding`, `printFlowSchema` (whose list printer sorts by
//! matching precedence, then name) and `printPriorityLevelConfiguration`.

use std::cmp::Ordering;

use k8s_openapi::jiff::Timestamp;
use serde_json::{Value, json};

use super::fields::{self, int, list, string};
use super::format::age;
use super::{AGE, Col, NAME, Printer, Row, descriptions as d, integer, text};

/// `mutatingWebhookColumnDefinitions` and `validatingWebhookColumnDefinitions`.
const WEBHOOK_COLUMNS: &[Col] = &[
    NAME,
    integer(
        "Webhooks",
        "Webhooks indicates the number of webhooks registered in this configuration",
    ),
    AGE,
];

/// The MutatingWebhookConfiguration printer.
pub(super) const MUTATING_WEBHOOK_CONFIGURATION: Printer =
    Printer::new(WEBHOOK_COLUMNS, print_webhooks);

/// The ValidatingWebhookConfiguration printer.
pub(super) const VALIDATING_WEBHOOK_CONFIGURATION: Printer =
    Printer::new(WEBHOOK_COLUMNS, print_webhooks);

/// `validatingAdmissionPolicy` columns.
const POLICY_COLUMNS: &[Col] = &[
    NAME,
    integer(
        "Validations",
        "Validations indicates the number of validation rules defined in this configuration",
    ),
    text(
        "ParamKind",
        "ParamKind specifies the kind of resources used to parameterize this policy",
    ),
    AGE,
];

/// The ValidatingAdmissionPolicy printer.
pub(super) const VALIDATING_ADMISSION_POLICY: Printer = Printer::new(POLICY_COLUMNS, print_policy);

/// `validatingAdmissionPolicyBinding` columns.
const BINDING_COLUMNS: &[Col] = &[
    NAME,
    text(
        "PolicyName",
        "PolicyName indicates the policy definition which the policy binding binded to",
    ),
    text(
        "ParamRef",
        "ParamRef indicates the param resource which sets the configration param",
    ),
    AGE,
];

/// The ValidatingAdmissionPolicyBinding printer.
pub(super) const VALIDATING_ADMISSION_POLICY_BINDING: Printer =
    Printer::new(BINDING_COLUMNS, print_binding);

/// `flowSchemaColumnDefinitions` (MatchingPrecedence is a `string` column holding a
/// number).
const FLOW_SCHEMA_COLUMNS: &[Col] = &[
    NAME,
    text("PriorityLevel", d::FS_PL),
    text("MatchingPrecedence", d::FS_PRECEDENCE),
    text("DistinguisherMethod", d::FS_DISTINGUISHER),
    AGE,
    text(
        "MissingPL",
        "references a broken or non-existent PriorityLevelConfiguration",
    ),
];

/// The FlowSchema printer; lists come sorted by matching precedence, then name.
pub(super) const FLOW_SCHEMA: Printer = Printer {
    order: Some(flow_schema_order),
    ..Printer::new(FLOW_SCHEMA_COLUMNS, print_flow_schema)
};

/// `priorityLevelColumnDefinitions` (the numbers are in `string` columns).
const PRIORITY_LEVEL_COLUMNS: &[Col] = &[
    NAME,
    text("Type", d::PL_TYPE),
    text("NominalConcurrencyShares", d::PL_SHARES),
    text("Queues", d::PL_QUEUES),
    text("HandSize", d::PL_HAND),
    text("QueueLengthLimit", d::PL_LIMIT),
    AGE,
];

/// The PriorityLevelConfiguration printer.
pub(super) const PRIORITY_LEVEL_CONFIGURATION: Printer =
    Printer::new(PRIORITY_LEVEL_COLUMNS, print_priority_level);

/// `printMutatingWebhook` and `printValidatingWebhook`: the number of webhooks.
fn print_webhooks(obj: &Value, now: Timestamp) -> Row {
    vec![
        json!(fields::name(obj)),
        json!(fields::len(obj, "webhooks")),
        json!(age(obj, now)),
    ]
    .into()
}

/// `printValidatingAdmissionPolicy`: the param kind as `apiVersion/kind`.
fn print_policy(obj: &Value, now: Timestamp) -> Row {
    let param_kind = fields::object(obj, "spec.paramKind").map_or_else(
        || "<unset>".to_string(),
        |k| format!("{}/{}", string(k, "apiVersion"), string(k, "kind")),
    );
    vec![
        json!(fields::name(obj)),
        json!(fields::len(obj, "spec.validations")),
        json!(param_kind),
        json!(age(obj, now)),
    ]
    .into()
}

/// The generated `(*metav1.LabelSelector).String()` (the protobuf debug form).
fn selector_debug_string(selector: &Value) -> String {
    let labels: String = fields::entries(selector, "matchLabels")
        .into_iter()
        .map(|(k, v)| format!("{k}: {v},"))
        .collect();
    let expressions: String = list(selector, "matchExpressions")
        .iter()
        .map(|e| {
            let values: Vec<&str> = list(e, "values")
                .iter()
                .map(|v| v.as_str().unwrap_or(""))
                .collect();
            format!(
                "LabelSelectorRequirement{{Key:{},Operator:{},Values:[{}],}},",
                string(e, "key"),
                string(e, "operator"),
                values.join(" ")
            )
        })
        .collect();
    format!(
        "&LabelSelector{{MatchLabels:map[string]string{{{labels}}},MatchExpressions:[]LabelSelectorRequirement{{{expressions}}},}}"
    )
}

/// `printValidatingAdmissionPolicyBinding`: the param as `namespace/name` (`*/name` without
/// a namespace), else its selector.
fn print_binding(obj: &Value, now: Timestamp) -> Row {
    let param = fields::object(obj, "spec.paramRef").map_or_else(
        || "<unset>".to_string(),
        |p| match (string(p, "name"), string(p, "namespace")) {
            ("", _) => fields::object(p, "selector")
                .map_or_else(|| "<unset>".into(), selector_debug_string),
            (name, "") => format!("*/{name}"),
            (name, namespace) => format!("{namespace}/{name}"),
        },
    );
    vec![
        json!(fields::name(obj)),
        json!(string(obj, "spec.policyName")),
        json!(param),
        json!(age(obj, now)),
    ]
    .into()
}

/// `FlowSchemaSequence`'s order: matching precedence, then name.
fn flow_schema_order(a: &Value, b: &Value) -> Ordering {
    int(a, "spec.matchingPrecedence")
        .cmp(&int(b, "spec.matchingPrecedence"))
        .then_with(|| fields::name(a).cmp(fields::name(b)))
}

/// `printFlowSchema`: MissingPL is the `Dangling` condition's status, `?` without one.
fn print_flow_schema(obj: &Value, now: Timestamp) -> Row {
    let distinguisher =
        fields::object(obj, "spec.distinguisherMethod").map_or("<none>", |m| string(m, "type"));
    let missing = list(obj, "status.conditions")
        .iter()
        .find(|c| string(c, "type") == "Dangling")
        .map_or("?", |c| string(c, "status"));
    vec![
        json!(fields::name(obj)),
        json!(string(obj, "spec.priorityLevelConfiguration.name")),
        json!(int(obj, "spec.matchingPrecedence")),
        json!(distinguisher),
        json!(age(obj, now)),
        json!(missing),
    ]
    .into()
}

/// `printPriorityLevelConfiguration`: the limited settings as numbers, `<none>` for an
/// exempt level or one without queuing.
fn print_priority_level(obj: &Value, now: Timestamp) -> Row {
    let none = || json!("<none>");
    let (mut shares, mut queues, mut hand, mut limit) = (none(), none(), none(), none());
    if let Some(limited) = fields::object(obj, "spec.limited") {
        shares = json!(int(limited, "nominalConcurrencyShares"));
        if let Some(q) = fields::object(limited, "limitResponse.queuing") {
            queues = json!(int(q, "queues"));
            hand = json!(int(q, "handSize"));
            limit = json!(int(q, "queueLengthLimit"));
        }
    }
    vec![
        json!(fields::name(obj)),
        json!(string(obj, "spec.type")),
        shares,
        queues,
        hand,
        limit,
        json!(age(obj, now)),
    ]
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::table::tests::now;

    #[test]
    fn webhooks_and_policies() {
        let hooks = json!({"webhooks": [{"name": "a"}, {"name": "b"}]});
        assert_eq!(print_webhooks(&hooks, now()).cells[1], 2);
        let policy = json!({"spec": {"validations": [{"expression": "true"}],
            "paramKind": {"apiVersion": "v1", "kind": "ConfigMap"}}});
        assert_eq!(
            print_policy(&policy, now()).cells[1..3],
            [json!(1), json!("v1/ConfigMap")]
        );
        assert_eq!(print_policy(&json!({}), now()).cells[2], "<unset>");
        let named = |ns: &str| json!({"spec": {"policyName": "p", "paramRef": {"name": "cfg", "namespace": ns}}});
        assert_eq!(
            print_binding(&named("default"), now()).cells[1..3],
            [json!("p"), json!("default/cfg")]
        );
        assert_eq!(print_binding(&named(""), now()).cells[2], "*/cfg");
        let selected = json!({"spec": {"paramRef": {"selector": {"matchLabels": {"a": "b"},
            "matchExpressions": [{"key": "k", "operator": "In", "values": ["x", "y"]}]}}}});
        assert_eq!(
            print_binding(&selected, now()).cells[2],
            "&LabelSelector{MatchLabels:map[string]string{a: b,},MatchExpressions:[]LabelSelectorRequirement{LabelSelectorRequirement{Key:k,Operator:In,Values:[x y],},},}"
        );
        assert_eq!(
            print_binding(&json!({"spec": {"paramRef": {}}}), now()).cells[2],
            "<unset>"
        );
    }

    #[test]
    fn flow_control() {
        let fs = json!({"metadata": {"name": "exempt"},
            "spec": {"priorityLevelConfiguration": {"name": "exempt"}, "matchingPrecedence": 1,
                     "distinguisherMethod": {"type": "ByUser"}},
            "status": {"conditions": [{"type": "Dangling", "status": "False"}]}});
        assert_eq!(
            print_flow_schema(&fs, now()).cells,
            [
                json!("exempt"),
                json!("exempt"),
                json!(1),
                json!("ByUser"),
                json!("<unknown>"),
                json!("False")
            ]
        );
        assert_eq!(
            print_flow_schema(&json!({}), now()).cells[3..6],
            [json!("<none>"), json!("<unknown>"), json!("?")]
        );
        let later = json!({"metadata": {"name": "a"}, "spec": {"matchingPrecedence": 500}});
        assert_eq!(flow_schema_order(&fs, &later), Ordering::Less);
        let limited = json!({"spec": {"type": "Limited", "limited": {"nominalConcurrencyShares": 30,
            "limitResponse": {"type": "Queue", "queuing": {"queues": 64, "handSize": 6, "queueLengthLimit": 50}}}}});
        assert_eq!(
            print_priority_level(&limited, now()).cells[1..6],
            [json!("Limited"), json!(30), json!(64), json!(6), json!(50)]
        );
        let exempt = json!({"spec": {"type": "Exempt", "exempt": {}}});
        assert_eq!(
            print_priority_level(&exempt, now()).cells[1..6],
            [
                json!("Exempt"),
                json!("<none>"),
                json!("<none>"),
                json!("<none>"),
                json!("<none>")
            ]
        );
    }
}
