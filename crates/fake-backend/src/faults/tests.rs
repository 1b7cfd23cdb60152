//! Tests of fault rules: matching, counting, delays and error texts.
#![allow(clippy::unwrap_used)]

use super::*;
use kobj_core::ApiResource;
use kobj_core::kube_core::GroupVersionKind;

fn widgets() -> ResourceType {
    ResourceType::namespaced(ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("example.com", "v1", "Widget"),
        "widgets",
    ))
}

fn namespaces() -> ResourceType {
    ResourceType::cluster(ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("", "v1", "Namespace"),
        "namespaces",
    ))
}

fn req<'a>(verb: Verb, name: Option<&'a str>) -> RequestInfo<'a> {
    RequestInfo {
        verb,
        group: "example.com",
        resource: "widgets",
        namespace: Some("default"),
        name,
        subresource: None,
    }
}

fn error_of(faults: &Faults, r: &RequestInfo<'_>, rt: &ResourceType) -> Error {
    faults.check(r, rt).unwrap().error.unwrap()
}

fn message(e: &Error) -> &str {
    &e.status().unwrap().message
}

#[test]
fn no_rules_means_no_injection() {
    let faults = Faults::new();
    assert!(faults.is_empty());
    assert!(
        faults
            .check(&req(Verb::Get, Some("a")), &widgets())
            .is_none()
    );
}

#[test]
fn rules_match_on_each_part() {
    let base = req(Verb::Get, Some("a"));
    let cases: Vec<(Fault, bool)> = vec![
        (Fault::on_any(), true),
        (Fault::on(Verb::Get), true),
        (Fault::on(Verb::List), false),
        (Fault::on_any().group("example.com"), true),
        (Fault::on_any().group(""), false),
        (Fault::on_any().resource("widgets"), true),
        (Fault::on_any().resource("gadgets"), false),
        (Fault::on_any().namespace("default"), true),
        (Fault::on_any().namespace("other"), false),
        (Fault::on_any().no_namespace(), false),
        (Fault::on_any().name("a"), true),
        (Fault::on_any().name("b"), false),
        (Fault::on_any().subresource("status"), false),
        (Fault::on_any().no_subresource(), true),
        (
            Fault::on(Verb::Get)
                .group("example.com")
                .resource("widgets")
                .namespace("default")
                .name("a"),
            true,
        ),
    ];
    for (fault, expected) in cases {
        assert_eq!(fault.matches(&base), expected, "{fault}");
    }
    let status = RequestInfo {
        subresource: Some("status"),
        ..base
    };
    assert!(Fault::on_any().subresource("status").matches(&status));
    assert!(!Fault::on_any().no_subresource().matches(&status));
    let unnamed = req(Verb::List, None);
    assert!(!Fault::on_any().name("a").matches(&unnamed));
}

#[test]
fn non_matching_requests_pass() {
    let faults = Faults::new();
    faults.add(Fault::on(Verb::Delete).error_kind(FaultError::NotFound));
    assert!(!faults.is_empty());
    assert!(
        faults
            .check(&req(Verb::Get, Some("a")), &widgets())
            .is_none()
    );
    assert!(
        faults
            .check(&req(Verb::Delete, Some("a")), &widgets())
            .is_some()
    );
}

#[test]
fn times_counts_down_then_stops() {
    let faults = Faults::new();
    let id = faults.add(
        Fault::on(Verb::Update)
            .error_kind(FaultError::Conflict)
            .times(2),
    );
    let r = req(Verb::Update, Some("a"));
    // A non-matching request does not use up the rule.
    assert!(
        faults
            .check(&req(Verb::Get, Some("a")), &widgets())
            .is_none()
    );
    assert!(error_of(&faults, &r, &widgets()).is_conflict());
    assert!(error_of(&faults, &r, &widgets()).is_conflict());
    assert_eq!(faults.fired(id), 2);
    assert!(faults.check(&r, &widgets()).is_none());
    assert!(faults.is_empty(), "an exhausted rule is not live");
    assert_eq!(faults.fired(id), 2);
}

#[test]
fn once_fires_a_single_time() {
    let faults = Faults::new();
    faults.add(Fault::on_any().error_kind(FaultError::Unauthorized).once());
    let r = req(Verb::Get, Some("a"));
    assert!(error_of(&faults, &r, &widgets()).is_unauthorized());
    assert!(faults.check(&r, &widgets()).is_none());
}

#[test]
fn times_zero_never_fires() {
    let faults = Faults::new();
    faults.add(Fault::on_any().error_kind(FaultError::NotFound).times(0));
    assert!(faults.is_empty());
    assert!(
        faults
            .check(&req(Verb::Get, Some("a")), &widgets())
            .is_none()
    );
}

#[test]
fn without_times_a_rule_fires_forever() {
    let faults = Faults::new();
    let id = faults.add(Fault::on_any().error_kind(FaultError::ServiceUnavailable));
    for _ in 0..100 {
        assert!(
            faults
                .check(&req(Verb::Get, Some("a")), &widgets())
                .is_some()
        );
    }
    assert_eq!(faults.fired(id), 100);
}

#[test]
fn after_lets_calls_through_first() {
    let faults = Faults::new();
    faults.add(
        Fault::on(Verb::Create)
            .error_kind(FaultError::Internal("boom".into()))
            .after(2)
            .once(),
    );
    let r = req(Verb::Create, Some("a"));
    assert!(faults.check(&r, &widgets()).is_none());
    assert!(faults.check(&r, &widgets()).is_none());
    assert!(error_of(&faults, &r, &widgets()).is_internal());
    assert!(faults.check(&r, &widgets()).is_none());
    assert!(faults.is_empty());
}

#[test]
fn first_live_rule_wins_and_after_phase_defers_to_later_rules() {
    let faults = Faults::new();
    let late = faults.add(
        Fault::on(Verb::Get)
            .error_kind(FaultError::NotFound)
            .after(1)
            .once(),
    );
    let always = faults.add(Fault::on(Verb::Get).error_kind(FaultError::Timeout));
    let r = req(Verb::Get, Some("a"));
    // Call 1: `late` lets it through, `always` fires.
    assert!(error_of(&faults, &r, &widgets()).is_timeout());
    // Call 2: `late` fires and wins over `always`.
    assert!(error_of(&faults, &r, &widgets()).is_not_found());
    // Call 3: `late` is exhausted.
    assert!(error_of(&faults, &r, &widgets()).is_timeout());
    assert_eq!(faults.fired(late), 1);
    assert_eq!(faults.fired(always), 2);
}

#[test]
fn remove_and_clear() {
    let faults = Faults::new();
    let a = faults.add(Fault::on(Verb::Get).error_kind(FaultError::NotFound));
    let b = faults.add(Fault::on(Verb::Get).error_kind(FaultError::Timeout));
    let r = req(Verb::Get, Some("a"));
    faults.remove(a);
    assert!(error_of(&faults, &r, &widgets()).is_timeout());
    faults.remove(a); // already gone: no effect
    assert!(!faults.is_empty());
    faults.remove(b);
    assert!(faults.is_empty());
    assert!(faults.check(&r, &widgets()).is_none());
    faults.add(Fault::on(Verb::Get).error_kind(FaultError::NotFound));
    faults.add(Fault::on(Verb::List).error_kind(FaultError::NotFound));
    faults.clear();
    assert!(faults.is_empty());
    assert!(faults.check(&r, &widgets()).is_none());
    assert_eq!(faults.fired(a), 0);
}

#[test]
fn clones_share_rules() {
    let faults = Faults::new();
    let clone = faults.clone();
    clone.add(Fault::on_any().error_kind(FaultError::NotFound).once());
    assert!(
        faults
            .check(&req(Verb::Get, Some("a")), &widgets())
            .is_some()
    );
    assert!(clone.is_empty());
}

#[test]
fn forks_copy_rules_and_counters() {
    let faults = Faults::new();
    let id = faults.add(Fault::on_any().error_kind(FaultError::NotFound).times(2));
    let r = req(Verb::Get, Some("a"));
    assert!(faults.check(&r, &widgets()).is_some());
    let fork = faults.fork();
    assert_eq!(fork.fired(id), 1);
    // The fork has one firing left, and so has the original, independently.
    assert!(fork.check(&r, &widgets()).is_some());
    assert!(fork.check(&r, &widgets()).is_none());
    assert!(fork.is_empty());
    assert!(!faults.is_empty());
    assert!(faults.check(&r, &widgets()).is_some());
    assert!(faults.check(&r, &widgets()).is_none());
    // New ids in the fork do not collide with the original's.
    assert_ne!(fork.add(Fault::on_any()), id);
}

#[test]
fn delay_with_and_without_error() {
    let faults = Faults::new();
    faults.add(Fault::on(Verb::Get).delay(Duration::from_millis(30)).once());
    faults.add(
        Fault::on(Verb::Get)
            .delay(Duration::from_millis(10))
            .error_kind(FaultError::Timeout),
    );
    let r = req(Verb::Get, Some("a"));
    let first = faults.check(&r, &widgets()).unwrap();
    assert_eq!(first.delay, Some(Duration::from_millis(30)));
    assert!(first.error.is_none());
    let second = faults.check(&r, &widgets()).unwrap();
    assert_eq!(second.delay, Some(Duration::from_millis(10)));
    assert!(second.error.unwrap().is_timeout());
}

#[tokio::test(start_paused = true)]
async fn an_engine_applies_the_delay_before_the_error() {
    // What the engine does with an injection: sleep, then fail.
    let faults = Faults::new();
    faults.add(
        Fault::on(Verb::Get)
            .delay(Duration::from_secs(5))
            .error_kind(FaultError::ServiceUnavailable),
    );
    let start = tokio::time::Instant::now();
    let injection = faults
        .check(&req(Verb::Get, Some("a")), &widgets())
        .unwrap();
    if let Some(d) = injection.delay {
        tokio::time::sleep(d).await;
    }
    assert_eq!(start.elapsed(), Duration::from_secs(5));
    assert_eq!(injection.error.unwrap().code(), Some(503));
}

#[test]
fn error_kinds_use_the_api_servers_texts() {
    let faults = Faults::new();
    let r = req(Verb::Get, Some("a"));
    let check = |kind: FaultError| {
        faults.clear();
        faults.add(Fault::on_any().error_kind(kind));
        error_of(&faults, &r, &widgets())
    };

    let e = check(FaultError::NotFound);
    assert!(e.is_not_found());
    assert_eq!(message(&e), r#"widgets.example.com "a" not found"#);
    assert_eq!(
        e.status().unwrap().details.as_ref().unwrap().kind,
        "widgets"
    );

    let e = check(FaultError::AlreadyExists);
    assert!(e.is_already_exists());
    assert_eq!(message(&e), r#"widgets.example.com "a" already exists"#);

    let e = check(FaultError::Conflict);
    assert!(e.is_conflict());
    assert_eq!(
        message(&e),
        "Operation cannot be fulfilled on widgets.example.com \"a\": the object has been \
         modified; please apply your changes to the latest version and try again"
    );

    let e = check(FaultError::Forbidden("no way".into()));
    assert!(e.is_forbidden());
    assert_eq!(
        message(&e),
        r#"widgets.example.com "a" is forbidden: no way"#
    );

    let e = check(FaultError::Forbidden(String::new()));
    assert_eq!(
        message(&e),
        "widgets.example.com \"a\" is forbidden: User \"system:anonymous\" cannot get \
         resource \"widgets\" in API group \"example.com\" in the namespace \"default\""
    );

    let e = check(FaultError::Unauthorized);
    assert!(e.is_unauthorized());
    assert_eq!(message(&e), "Unauthorized");

    let e = check(FaultError::Internal("etcd is down".into()));
    assert!(e.is_internal());
    assert_eq!(message(&e), "Internal error occurred: etcd is down");

    let e = check(FaultError::Timeout);
    assert!(e.is_timeout());
    assert_eq!(e.code(), Some(504));
    assert_eq!(
        message(&e),
        "Timeout: request did not complete within requested timeout - context deadline exceeded"
    );

    let e = check(FaultError::TooManyRequests {
        retry_after_seconds: 3,
    });
    assert!(e.is_too_many_requests());
    assert_eq!(message(&e), "Too many requests, please try again later.");
    assert_eq!(e.retry_after_seconds(), Some(3));

    let e = check(FaultError::ServiceUnavailable);
    assert_eq!(e.code(), Some(503));
    assert_eq!(e.kind(), kobj_core::ErrorKind::ServiceUnavailable);
    assert_eq!(
        message(&e),
        "the server is currently unable to handle the request"
    );

    let e = check(FaultError::Transport("connection reset by peer".into()));
    assert!(e.is_transport());
    assert_eq!(e.to_string(), "transport error: connection reset by peer");
}

#[test]
fn rbac_text_for_subresources_and_cluster_scope() {
    let faults = Faults::new();
    faults.add(Fault::on_any().error_kind(FaultError::Forbidden(String::new())));
    let status = RequestInfo {
        verb: Verb::Patch,
        subresource: Some("status"),
        ..req(Verb::Patch, Some("a"))
    };
    assert_eq!(
        message(&error_of(&faults, &status, &widgets())),
        "widgets.example.com \"a\" is forbidden: User \"system:anonymous\" cannot patch \
         resource \"widgets/status\" in API group \"example.com\" in the namespace \"default\""
    );
    let list = RequestInfo {
        verb: Verb::List,
        group: "",
        resource: "namespaces",
        namespace: None,
        name: None,
        subresource: None,
    };
    assert_eq!(
        message(&error_of(&faults, &list, &namespaces())),
        "namespaces is forbidden: User \"system:anonymous\" cannot list resource \
         \"namespaces\" in API group \"\" at the cluster scope"
    );
}

#[test]
fn explicit_status_is_returned_as_given_with_defaults() {
    let faults = Faults::new();
    let mut status = Status::failure("quota exceeded", "Forbidden");
    status.code = 403;
    faults.add(Fault::on(Verb::Create).error(status).once());
    let mut bare = Status::failure("something broke", "");
    bare.status = None;
    faults.add(Fault::on(Verb::Create).error(bare));
    let r = req(Verb::Create, Some("a"));

    let e = error_of(&faults, &r, &widgets());
    assert!(e.is_forbidden());
    assert_eq!(message(&e), "quota exceeded");
    let e = error_of(&faults, &r, &widgets());
    assert_eq!(e.code(), Some(500), "the server defaults the code to 500");
    assert_eq!(e.status().unwrap().status, Some(StatusSummary::Failure));
    assert!(e.is_internal());
}

#[test]
fn a_rule_fires_exactly_n_times_under_concurrency() {
    let faults = Faults::new();
    let id = faults.add(
        Fault::on(Verb::Update)
            .error_kind(FaultError::Conflict)
            .after(10)
            .times(50),
    );
    let fired = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                for _ in 0..100 {
                    if faults
                        .check(&req(Verb::Update, Some("a")), &widgets())
                        .is_some()
                    {
                        fired.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    assert_eq!(fired.load(Ordering::Relaxed), 50);
    assert_eq!(faults.fired(id), 50);
    assert!(faults.is_empty());
}

#[test]
fn display_describes_the_rule() {
    let f = Fault::on(Verb::Get)
        .resource("widgets")
        .namespace("default")
        .name("a")
        .delay(Duration::from_millis(5))
        .error_kind(FaultError::NotFound)
        .after(1)
        .times(2);
    assert_eq!(
        f.to_string(),
        "get resource=widgets namespace=default name=a: delay 5ms: fail NotFound after 1 2 time(s)"
    );
    assert_eq!(Fault::on_any().to_string(), "any verb");
}
