//! Tests of the action log, its filters and assertions.
#![allow(clippy::unwrap_used)]

use super::*;
use serde_json::json;

fn action(verb: Verb, ns: Option<&str>, name: Option<&str>, outcome: Outcome) -> Action {
    Action {
        verb,
        group: "example.com".into(),
        version: "v1".into(),
        resource: "widgets".into(),
        namespace: ns.map(Into::into),
        name: name.map(Into::into),
        subresource: None,
        params: json!({}),
        outcome,
    }
}

fn ok(code: u16) -> Outcome {
    Outcome::Success { code }
}

fn failure(code: u16, reason: &str) -> Outcome {
    Outcome::Failure {
        code,
        reason: reason.into(),
        message: format!("{reason} happened"),
    }
}

/// A log with: create a (201), get a (200), update a (409 Conflict), patch a/status (200),
/// list ns-wide with a selector (200), delete a (200).
fn sample() -> ActionLog {
    let log = ActionLog::new();
    log.record(action(Verb::Create, Some("ns"), Some("a"), ok(201)));
    log.record(action(Verb::Get, Some("ns"), Some("a"), ok(200)));
    log.record(action(
        Verb::Update,
        Some("ns"),
        Some("a"),
        failure(409, "Conflict"),
    ));
    let mut status = action(Verb::Patch, Some("ns"), Some("a"), ok(200));
    status.subresource = Some("status".into());
    status.params = json!({"patchType": "merge", "fieldManager": "ctrl"});
    log.record(status);
    let mut list = action(Verb::List, Some("ns"), None, ok(200));
    list.params = json!({"labelSelector": "app=x", "limit": 10});
    log.record(list);
    log.record(action(Verb::Delete, Some("ns"), Some("a"), ok(200)));
    log
}

fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let err = std::panic::catch_unwind(f).unwrap_err();
    match err.downcast::<String>() {
        Ok(s) => *s,
        Err(err) => err.downcast::<&str>().map(|s| s.to_string()).unwrap(),
    }
}

#[test]
fn verb_names_are_the_authorizer_verbs() {
    let names: Vec<&str> = Verb::ALL.iter().map(|v| v.as_str()).collect();
    assert_eq!(
        names,
        [
            "create",
            "get",
            "list",
            "update",
            "patch",
            "delete",
            "deletecollection",
            "watch"
        ]
    );
    assert_eq!(Verb::DeleteCollection.to_string(), "deletecollection");
}

#[test]
fn outcome_from_result_keeps_code_reason_and_message() {
    let rt = kobj_core::ResourceType::namespaced(kobj_core::ApiResource::from_gvk_with_plural(
        &kobj_core::kube_core::GroupVersionKind::gvk("example.com", "v1", "Widget"),
        "widgets",
    ));
    let r: kobj_core::Result<()> = Err(kobj_core::Error::not_found(&rt, "a"));
    assert_eq!(
        Outcome::from_result(&r, 200),
        Outcome::Failure {
            code: 404,
            reason: "NotFound".into(),
            message: "widgets.example.com \"a\" not found".into()
        }
    );
    let r: kobj_core::Result<u8> = Ok(1);
    let outcome = Outcome::from_result(&r, 201);
    assert_eq!(outcome, Outcome::Success { code: 201 });
    assert!(outcome.is_success());
    assert_eq!(outcome.reason(), None);

    let r: kobj_core::Result<()> = Err(kobj_core::Error::transport("connection reset", None));
    let outcome = Outcome::from_result(&r, 200);
    assert_eq!(outcome.code(), 0);
    assert_eq!(outcome.reason(), Some("Transport"));
    assert!(!outcome.is_success());
}

#[test]
fn display_is_one_readable_line() {
    let mut a = action(Verb::Create, Some("ns"), Some("a"), ok(201));
    assert_eq!(a.to_string(), "create widgets.example.com ns/a -> 201");
    a.subresource = Some("status".into());
    a.verb = Verb::Update;
    a.outcome = Outcome::Failure {
        code: 409,
        reason: "Conflict".into(),
        message: "stale".into(),
    };
    assert_eq!(
        a.to_string(),
        "update widgets.example.com ns/a [status] -> 409 Conflict: stale"
    );

    let mut list = action(Verb::List, Some("ns"), None, ok(200));
    list.params = json!({"labelSelector": "app=x"});
    assert_eq!(
        list.to_string(),
        r#"list widgets.example.com ns/* {"labelSelector":"app=x"} -> 200"#
    );

    let mut cluster = action(Verb::Get, None, Some("default"), ok(200));
    cluster.group = String::new();
    cluster.resource = "namespaces".into();
    assert_eq!(cluster.to_string(), "get namespaces default -> 200");
    let all = action(Verb::Watch, None, None, ok(200));
    assert_eq!(all.to_string(), "watch widgets.example.com * -> 200");
}

#[test]
fn filters_match_each_part() {
    let log = sample();
    let count = |f: ActionFilter| log.count(&f);
    assert_eq!(count(ActionFilter::any()), 6);
    assert_eq!(count(ActionFilter::verb(Verb::Get)), 1);
    assert_eq!(count(ActionFilter::any().with_verb(Verb::Create)), 1);
    assert_eq!(count(ActionFilter::any().resource("widgets")), 6);
    assert_eq!(count(ActionFilter::any().resource("gadgets")), 0);
    assert_eq!(count(ActionFilter::any().group("example.com")), 6);
    assert_eq!(count(ActionFilter::any().group("")), 0);
    assert_eq!(count(ActionFilter::any().namespace("ns")), 6);
    assert_eq!(count(ActionFilter::any().namespace("other")), 0);
    assert_eq!(count(ActionFilter::any().no_namespace()), 0);
    assert_eq!(count(ActionFilter::any().name("a")), 5);
    assert_eq!(count(ActionFilter::any().no_name()), 1);
    assert_eq!(count(ActionFilter::any().subresource("status")), 1);
    assert_eq!(count(ActionFilter::any().no_subresource()), 5);
    assert_eq!(count(ActionFilter::any().succeeded()), 5);
    assert_eq!(count(ActionFilter::any().failed()), 1);
    assert_eq!(count(ActionFilter::any().code(201)), 1);
    assert_eq!(count(ActionFilter::any().code(409)), 1);
    assert_eq!(count(ActionFilter::any().reason("Conflict")), 1);
    assert_eq!(count(ActionFilter::any().reason("NotFound")), 0);
    assert_eq!(
        count(ActionFilter::any().param("fieldManager", json!("ctrl"))),
        1
    );
    assert_eq!(count(ActionFilter::any().param("limit", json!(10))), 1);
    assert_eq!(count(ActionFilter::any().param("limit", json!(11))), 0);
    // `null` stands for an absent parameter.
    assert_eq!(count(ActionFilter::any().param("limit", json!(null))), 5);
    // Parts combine with AND.
    assert_eq!(
        count(
            ActionFilter::verb(Verb::Update)
                .name("a")
                .failed()
                .code(409)
        ),
        1
    );
    assert_eq!(count(ActionFilter::verb(Verb::Update).succeeded()), 0);
    let found = log.matching(&ActionFilter::verb(Verb::Patch));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].subresource.as_deref(), Some("status"));
}

#[test]
fn filter_display_names_the_set_parts() {
    assert_eq!(ActionFilter::any().to_string(), "any action");
    assert_eq!(
        ActionFilter::verb(Verb::Get)
            .group("")
            .no_namespace()
            .no_name()
            .no_subresource()
            .failed()
            .code(404)
            .reason("NotFound")
            .to_string(),
        r#"verb=get group="" no namespace no name no subresource failed code=404 reason=NotFound"#
    );
}

#[test]
fn log_is_shared_by_clones_and_can_be_cleared() {
    let log = ActionLog::default();
    assert!(log.is_empty());
    let clone = log.clone();
    clone.record(action(Verb::Get, Some("ns"), Some("a"), ok(200)));
    assert_eq!(log.len(), 1);
    assert!(!log.is_empty());
    assert_eq!(log.all()[0].verb, Verb::Get);
    log.clear();
    assert!(clone.is_empty());
}

#[test]
fn forks_are_independent_copies() {
    let log = sample();
    log.set_enabled(false);
    let fork = log.fork();
    assert_eq!(fork.all(), log.all());
    assert!(!fork.is_enabled());
    fork.set_enabled(true);
    assert!(!log.is_enabled());
    fork.clear();
    assert_eq!(log.len(), 6);
}

#[test]
fn disabled_log_records_nothing_and_builds_nothing() {
    let log = ActionLog::default();
    assert!(log.is_enabled());
    log.set_enabled(false);
    assert!(!log.clone().is_enabled());
    log.record(action(Verb::Get, Some("ns"), Some("a"), ok(200)));
    let mut built = false;
    log.record_with(|| {
        built = true;
        action(Verb::Get, Some("ns"), Some("a"), ok(200))
    });
    assert!(!built);
    assert!(log.is_empty());
    log.set_enabled(true);
    log.record_with(|| action(Verb::Get, Some("ns"), Some("a"), ok(200)));
    assert_eq!(log.len(), 1);
}

#[test]
fn record_from_many_threads() {
    let log = ActionLog::default();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..250 {
                    log.record(action(Verb::Get, Some("ns"), Some("a"), ok(200)));
                }
            });
        }
    });
    assert_eq!(log.len(), 1000);
}

#[test]
fn passing_assertions() {
    let log = sample();
    log.assert_called(&ActionFilter::verb(Verb::Update).failed());
    log.assert_not_called(&ActionFilter::verb(Verb::Watch));
    log.assert_count(&ActionFilter::any().name("a"), 5);
    log.assert_count(&ActionFilter::verb(Verb::Watch), 0);
    // In order, with other actions in between.
    log.assert_sequence(&[
        ActionFilter::verb(Verb::Create),
        ActionFilter::verb(Verb::Update).code(409),
        ActionFilter::verb(Verb::Delete),
    ]);
    log.assert_sequence(&[]);
}

#[test]
#[should_panic(expected = "expected an action matching `verb=watch`, but none was recorded")]
fn assert_called_panics_when_missing() {
    sample().assert_called(&ActionFilter::verb(Verb::Watch));
}

#[test]
#[should_panic(expected = "expected no action matching `verb=get`, but 1 were recorded")]
fn assert_not_called_panics_when_present() {
    sample().assert_not_called(&ActionFilter::verb(Verb::Get));
}

#[test]
#[should_panic(expected = "expected 2 action(s) matching `name=a`, found 5")]
fn assert_count_panics_on_a_different_count() {
    sample().assert_count(&ActionFilter::any().name("a"), 2);
}

#[test]
#[should_panic(expected = "step 2 (`verb=create`) was not recorded after action #6")]
fn assert_sequence_panics_out_of_order() {
    sample().assert_sequence(&[
        ActionFilter::verb(Verb::Delete),
        ActionFilter::verb(Verb::Create),
    ]);
}

#[test]
fn failure_messages_list_the_recorded_actions() {
    let log = sample();
    let message = panic_message(|| log.assert_count(&ActionFilter::verb(Verb::Get), 3));
    assert!(
        message.contains("recorded actions (6):"),
        "unexpected message: {message}"
    );
    assert!(
        message.contains("\n *   2. get widgets.example.com ns/a -> 200"),
        "unexpected message: {message}"
    );
    assert!(
        message.contains(
            "\n     3. update widgets.example.com ns/a -> 409 Conflict: Conflict happened"
        ),
        "unexpected message: {message}"
    );
    let message = panic_message(|| ActionLog::new().assert_called(&ActionFilter::any()));
    assert!(
        message.ends_with("recorded actions: none"),
        "unexpected message: {message}"
    );
    let message = panic_message(|| {
        sample().assert_sequence(&[ActionFilter::verb(Verb::Watch)]);
    });
    assert!(
        message.contains("step 1 (`verb=watch`) was not recorded at all"),
        "unexpected message: {message}"
    );
}
