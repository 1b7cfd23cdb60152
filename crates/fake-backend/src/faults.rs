//! Fault injection: make chosen requests fail or slow down, in the spirit of client-go reactors
//! and controller-runtime interceptors.
//!
//! A [`Fault`] says which requests it applies to (verb, group, resource, namespace, name,
//! subresource), what happens to them (an error, a delay, or both) and how often (`times`,
//! `once`, `after`). [`Faults`] holds the rules; the engine calls [`Faults::check`] at the start
//! of every request, sleeps for the returned delay and then returns the error before touching
//! any state, so a faulted call leaves the cluster unchanged.
//!
//! ```
//! use kobj_core::{ApiResource, ResourceType};
//! use kobj_fake::actions::Verb;
//! use kobj_fake::faults::{Fault, FaultError, Faults, RequestInfo};
//! use kube_core::GroupVersionKind;
//!
//! let widgets = ResourceType::namespaced(ApiResource::from_gvk_with_plural(
//!     &GroupVersionKind::gvk("example.com", "v1", "Widget"), "widgets"));
//! let faults = Faults::default();
//! faults.add(Fault::on(Verb::Update).resource("widgets").error_kind(FaultError::Conflict).times(2));
//!
//! let req = RequestInfo { verb: Verb::Update, group: "example.com", resource: "widgets",
//!     namespace: Some("default"), name: Some("w1"), subresource: None };
//! for _ in 0..2 {
//!     let err = faults.check(&req, &widgets).and_then(|i| i.error).unwrap();
//!     assert!(err.is_conflict());
//! }
//! assert!(faults.check(&req, &widgets).is_none()); // the third call goes through
//! ```

use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use std::sync::Arc;

use kobj_core::error::StatusSummary;
use kobj_core::kube_core::Status;
use kobj_core::{Error, ResourceType};

use crate::actions::Verb;

/// The request a fault is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestInfo<'a> {
    /// The verb.
    pub verb: Verb,
    /// The API group (empty for the core group).
    pub group: &'a str,
    /// The resource, plural.
    pub resource: &'a str,
    /// The namespace of the request, if any.
    pub namespace: Option<&'a str>,
    /// The object's name: the URL's name, or for create the name in the body (if given).
    pub name: Option<&'a str>,
    /// The subresource (`status`, `scale`), if any.
    pub subresource: Option<&'a str>,
}

/// A common failure, built for the faulted request with the API server's texts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultError {
    /// 404 `<qr> "<name>" not found`.
    NotFound,
    /// 409 `<qr> "<name>" already exists`.
    AlreadyExists,
    /// 409 `Operation cannot be fulfilled on <qr> "<name>": the object has been modified; …`
    /// (a stale resourceVersion).
    Conflict,
    /// 403 `<qr> "<name>" is forbidden: <why>`. An empty `why` gives the RBAC text:
    /// `User "system:anonymous" cannot <verb> resource "<plural>[/<sub>]" in API group
    /// "<group>" in the namespace "<ns>"` (or `at the cluster scope`).
    Forbidden(String),
    /// 401 `Unauthorized`.
    Unauthorized,
    /// 500 `Internal error occurred: <message>`.
    Internal(String),
    /// 504 `Timeout: request did not complete within requested timeout - context deadline
    /// exceeded`.
    Timeout,
    /// 429 `Too many requests, please try again later.` with `retryAfterSeconds`.
    TooManyRequests {
        /// The retry hint in the Status details.
        retry_after_seconds: u32,
    },
    /// 503 `the server is currently unable to handle the request`.
    ServiceUnavailable,
    /// A transport error (no HTTP response): a broken connection, a refused dial.
    Transport(String),
}

/// The user the RBAC-style Forbidden message names.
pub const FORBIDDEN_USER: &str = "system:anonymous";

impl FaultError {
    /// The error for this request, with its resource and name in the texts.
    #[must_use]
    pub fn to_error(&self, req: &RequestInfo<'_>, qualified: &ResourceType) -> Error {
        let name = req.name.unwrap_or("");
        match self {
            FaultError::NotFound => Error::not_found(qualified, name),
            FaultError::AlreadyExists => Error::already_exists(qualified, name),
            FaultError::Conflict => Error::stale(qualified, name),
            FaultError::Forbidden(why) if why.is_empty() => {
                Error::forbidden(qualified, name, rbac_denial(req))
            }
            FaultError::Forbidden(why) => Error::forbidden(qualified, name, why),
            FaultError::Unauthorized => Error::unauthorized("Unauthorized"),
            FaultError::Internal(message) => Error::internal(message),
            FaultError::Timeout => Error::timeout(
                "request did not complete within requested timeout - context deadline exceeded",
            ),
            FaultError::TooManyRequests {
                retry_after_seconds,
            } => Error::too_many_requests(
                "Too many requests, please try again later.",
                *retry_after_seconds,
            ),
            FaultError::ServiceUnavailable => Error::from_parts(
                503,
                "ServiceUnavailable",
                "the server is currently unable to handle the request",
            ),
            FaultError::Transport(message) => Error::transport(message.clone(), None),
        }
    }
}

/// The RBAC authorizer's denial text for a request.
fn rbac_denial(req: &RequestInfo<'_>) -> String {
    let resource = match req.subresource {
        Some(sub) => format!("{}/{sub}", req.resource),
        None => req.resource.to_string(),
    };
    let scope = match req.namespace {
        Some(ns) => format!("in the namespace {ns:?}"),
        None => "at the cluster scope".to_string(),
    };
    format!(
        "User {FORBIDDEN_USER:?} cannot {} resource {resource:?} in API group {:?} {scope}",
        req.verb, req.group
    )
}

#[derive(Clone, Debug, PartialEq)]
enum FaultErrorSpec {
    Status(Box<Status>),
    Kind(FaultError),
}

/// A fault rule: which requests, what happens, how often. Parts left unset match anything.
///
/// ```
/// use std::time::Duration;
/// use kobj_fake::actions::Verb;
/// use kobj_fake::faults::{Fault, FaultError};
///
/// // The third and fourth gets of widget "w1" in "default" take 50 ms and then fail with 503.
/// let f = Fault::on(Verb::Get)
///     .resource("widgets")
///     .namespace("default")
///     .name("w1")
///     .delay(Duration::from_millis(50))
///     .error_kind(FaultError::ServiceUnavailable)
///     .after(2)
///     .times(2);
/// # let _ = f;
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    verb: Option<Verb>,
    group: Option<String>,
    resource: Option<String>,
    namespace: Option<Option<String>>,
    name: Option<String>,
    subresource: Option<Option<String>>,
    error: Option<FaultErrorSpec>,
    delay: Option<Duration>,
    times: Option<usize>,
    after: usize,
}

impl Fault {
    fn new(verb: Option<Verb>) -> Self {
        Self {
            verb,
            group: None,
            resource: None,
            namespace: None,
            name: None,
            subresource: None,
            error: None,
            delay: None,
            times: None,
            after: 0,
        }
    }

    /// A rule for requests with this verb.
    #[must_use]
    pub fn on(verb: Verb) -> Self {
        Self::new(Some(verb))
    }

    /// A rule for requests with any verb.
    #[must_use]
    pub fn on_any() -> Self {
        Self::new(None)
    }

    /// Only requests for this resource (plural).
    #[must_use]
    pub fn resource(mut self, plural: &str) -> Self {
        self.resource = Some(plural.to_string());
        self
    }

    /// Only requests in this API group (`""` for the core group).
    #[must_use]
    pub fn group(mut self, g: &str) -> Self {
        self.group = Some(g.to_string());
        self
    }

    /// Only requests in this namespace.
    #[must_use]
    pub fn namespace(mut self, ns: &str) -> Self {
        self.namespace = Some(Some(ns.to_string()));
        self
    }

    /// Only requests without a namespace (cluster-scoped, or across all namespaces).
    #[must_use]
    pub fn no_namespace(mut self) -> Self {
        self.namespace = Some(None);
        self
    }

    /// Only requests for the object with this name.
    #[must_use]
    pub fn name(mut self, n: &str) -> Self {
        self.name = Some(n.to_string());
        self
    }

    /// Only requests for this subresource (`status`, `scale`).
    #[must_use]
    pub fn subresource(mut self, s: &str) -> Self {
        self.subresource = Some(Some(s.to_string()));
        self
    }

    /// Only requests for the main resource, not a subresource.
    #[must_use]
    pub fn no_subresource(mut self) -> Self {
        self.subresource = Some(None);
        self
    }

    /// Fail with this Status (its `code` defaults to 500 and its `status` to `Failure`, as the
    /// API server fills them in).
    #[must_use]
    pub fn error(mut self, mut status: Status) -> Self {
        if status.code == 0 {
            status.code = 500;
        }
        status.status = Some(StatusSummary::Failure);
        self.error = Some(FaultErrorSpec::Status(Box::new(status)));
        self
    }

    /// Fail with a common error, built for each request with its resource and name.
    #[must_use]
    pub fn error_kind(mut self, kind: FaultError) -> Self {
        self.error = Some(FaultErrorSpec::Kind(kind));
        self
    }

    /// Wait this long before answering (or before failing, with an error too).
    #[must_use]
    pub fn delay(mut self, d: Duration) -> Self {
        self.delay = Some(d);
        self
    }

    /// Apply to the next `n` matching calls (after those [`after`](Self::after) lets
    /// through), then stop. Without it the rule applies forever.
    #[must_use]
    pub fn times(mut self, n: usize) -> Self {
        self.times = Some(n);
        self
    }

    /// Apply to the next matching call only: `times(1)`.
    #[must_use]
    pub fn once(self) -> Self {
        self.times(1)
    }

    /// Let the first `n` matching calls through untouched. While it lets calls through, the
    /// rule does not claim them, so later rules are still checked.
    #[must_use]
    pub fn after(mut self, n: usize) -> Self {
        self.after = n;
        self
    }

    /// Whether the rule's request pattern matches (ignoring its counters).
    #[must_use]
    pub fn matches(&self, req: &RequestInfo<'_>) -> bool {
        self.verb.is_none_or(|v| v == req.verb)
            && self.group.as_deref().is_none_or(|g| g == req.group)
            && self.resource.as_deref().is_none_or(|r| r == req.resource)
            && self
                .namespace
                .as_ref()
                .is_none_or(|ns| ns.as_deref() == req.namespace)
            && self.name.as_deref().is_none_or(|n| Some(n) == req.name)
            && self
                .subresource
                .as_ref()
                .is_none_or(|s| s.as_deref() == req.subresource)
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.verb {
            Some(v) => write!(f, "{v}")?,
            None => f.write_str("any verb")?,
        }
        if let Some(g) = &self.group {
            write!(f, " group={g:?}")?;
        }
        if let Some(r) = &self.resource {
            write!(f, " resource={r}")?;
        }
        match &self.namespace {
            Some(Some(ns)) => write!(f, " namespace={ns}")?,
            Some(None) => f.write_str(" no namespace")?,
            None => {}
        }
        if let Some(n) = &self.name {
            write!(f, " name={n}")?;
        }
        match &self.subresource {
            Some(Some(s)) => write!(f, " subresource={s}")?,
            Some(None) => f.write_str(" no subresource")?,
            None => {}
        }
        if let Some(d) = self.delay {
            write!(f, ": delay {d:?}")?;
        }
        match &self.error {
            Some(FaultErrorSpec::Status(s)) => write!(f, ": fail {} {}", s.code, s.reason)?,
            Some(FaultErrorSpec::Kind(k)) => write!(f, ": fail {k:?}")?,
            None => {}
        }
        if self.after > 0 {
            write!(f, " after {}", self.after)?;
        }
        if let Some(n) = self.times {
            write!(f, " {n} time(s)")?;
        }
        Ok(())
    }
}

/// What the engine must do to a faulted request: sleep for `delay`, then fail with `error`.
#[derive(Debug)]
pub struct Injection {
    /// Wait this long first.
    pub delay: Option<Duration>,
    /// Then fail with this error (or go on normally when `None`).
    pub error: Option<Error>,
}

/// Identifies a rule added with [`Faults::add`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FaultId(u64);

#[derive(Debug)]
struct Rule {
    id: FaultId,
    fault: Fault,
    /// Matching calls seen so far.
    seen: usize,
    /// Calls the rule was applied to.
    fired: usize,
}

impl Rule {
    fn is_live(&self) -> bool {
        self.fault.times.is_none_or(|n| self.fired < n)
    }
}

#[derive(Debug, Default)]
struct Inner {
    /// How many rules can still fire; `0` lets `check` return without locking.
    live: AtomicUsize,
    next_id: AtomicU64,
    rules: Mutex<Vec<Rule>>,
}

/// The fault rules of a cluster. Clones share them.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    inner: Arc<Inner>,
}

impl Faults {
    /// No rules.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Rule>> {
        self.inner
            .rules
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a rule after the existing ones (the first matching rule wins).
    pub fn add(&self, f: Fault) -> FaultId {
        let id = FaultId(self.inner.next_id.fetch_add(1, Ordering::Relaxed));
        let rule = Rule {
            id,
            fault: f,
            seen: 0,
            fired: 0,
        };
        let mut rules = self.lock();
        if rule.is_live() {
            self.inner.live.fetch_add(1, Ordering::Release);
        }
        rules.push(rule);
        id
    }

    /// Removes a rule (no-op if it is gone already).
    pub fn remove(&self, id: FaultId) {
        let mut rules = self.lock();
        if let Some(pos) = rules.iter().position(|r| r.id == id) {
            let rule = rules.remove(pos);
            if rule.is_live() {
                self.inner.live.fetch_sub(1, Ordering::Release);
            }
        }
    }

    /// Removes every rule.
    pub fn clear(&self) {
        let mut rules = self.lock();
        rules.clear();
        self.inner.live.store(0, Ordering::Release);
    }

    /// Whether no rule can fire any more.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.inner.live.load(Ordering::Acquire) == 0
    }

    /// How many calls a rule was applied to so far (`0` for an unknown id).
    #[must_use]
    pub fn fired(&self, id: FaultId) -> usize {
        self.lock()
            .iter()
            .find(|r| r.id == id)
            .map_or(0, |r| r.fired)
    }

    /// The injection for a request, if a rule applies: the first matching rule that can still
    /// fire wins and counts down its `times`. Rules still letting calls through
    /// ([`Fault::after`]) count the call and pass it on to later rules. With no live rules this
    /// is one atomic load.
    #[must_use]
    pub fn check(&self, req: &RequestInfo<'_>, qualified: &ResourceType) -> Option<Injection> {
        if self.inner.live.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut rules = self.lock();
        for rule in rules.iter_mut() {
            if !rule.is_live() || !rule.fault.matches(req) {
                continue;
            }
            rule.seen += 1;
            if rule.seen <= rule.fault.after {
                continue;
            }
            rule.fired += 1;
            if !rule.is_live() {
                self.inner.live.fetch_sub(1, Ordering::Release);
            }
            let error = rule.fault.error.as_ref().map(|spec| match spec {
                FaultErrorSpec::Status(status) => Error::Api(status.clone()),
                FaultErrorSpec::Kind(kind) => kind.to_error(req, qualified),
            });
            return Some(Injection {
                delay: rule.fault.delay,
                error,
            });
        }
        None
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
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
}
