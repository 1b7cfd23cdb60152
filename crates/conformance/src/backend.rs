//! What a backend hands the suite: the two traits and the capabilities that say where it may
//! legitimately differ from an in-process API server.

use std::fmt;
use std::time::Duration;

use kobj_core::{CoreResources, CustomObjects};

/// A backend under test: both traits (often the same value) and its [`Capabilities`].
///
/// ```no_run
/// # async fn demo(backend: &(impl kobj_core::CustomObjects + kobj_core::CoreResources)) {
/// use kobj_conformance::{Backend, Capabilities};
///
/// let under_test = Backend::new(backend, backend, Capabilities::full());
/// let report = kobj_conformance::run(&under_test, None).await;
/// println!("{}", report.summary_line("my-backend"));
/// assert!(report.is_success(), "{}", report.failures());
/// # }
/// ```
#[derive(Clone)]
pub struct Backend<'a> {
    /// The custom-object verbs.
    pub custom: &'a dyn CustomObjects,
    /// The built-in kinds' verbs (also used for namespaces and CRDs).
    pub core: &'a dyn CoreResources,
    /// Where this backend legitimately differs.
    pub capabilities: Capabilities,
}

impl<'a> Backend<'a> {
    /// A backend from its two trait objects and its capabilities.
    #[must_use]
    pub fn new(
        custom: &'a dyn CustomObjects,
        core: &'a dyn CoreResources,
        capabilities: Capabilities,
    ) -> Self {
        Self {
            custom,
            core,
            capabilities,
        }
    }
}

impl fmt::Debug for Backend<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Backend")
            .field("custom", &self.custom)
            .field("core", &self.core)
            .field("capabilities", &self.capabilities)
            .finish()
    }
}

/// Where a backend legitimately differs from an in-process API server, and how long the suite
/// may wait for what a real cluster does asynchronously.
///
/// Build one from [`Capabilities::full`] (an in-process backend that implements every rule)
/// or [`Capabilities::real_cluster`], then adjust with the `with_*` methods. A capability that
/// is off either changes what a case expects (as [`send_initial_events`](Self::send_initial_events)
/// does) or skips the cases that need it, with the reason in the report.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// Garbage collection, namespace cleanup and CRD establishment are done before the call
    /// that triggers them returns. When `false`, cases poll until
    /// [`eventual_timeout`](Self::eventual_timeout) instead of checking once.
    pub synchronous_gc: bool,
    /// How long cases wait for eventually consistent effects (garbage collection, namespace
    /// deletion, CRD establishment and schema changes).
    pub eventual_timeout: Duration,
    /// How many writes push a resourceVersion out of the backend's history, so that a watch
    /// from it gets `410 Expired` and a continue token taken before it expires. `None`: the
    /// cases that need it are skipped (a real cluster compacts on a timer instead).
    pub history_window: Option<usize>,
    /// `Some(true)`: watches honour `sendInitialEvents` (rule 39). `Some(false)`: the backend
    /// refuses it with the 422 of a disabled WatchList feature gate. `None`: unknown; the case
    /// is skipped.
    pub send_initial_events: Option<bool>,
    /// `fieldValidation=Strict` is honoured on patches (rule 27).
    pub strict_field_validation: bool,
    /// CRD `x-kubernetes-validations` (CEL) rules are evaluated.
    pub cel_validation: bool,
    /// Server-side apply with field managers and conflicts (rule 26).
    pub server_side_apply: bool,
    /// Strategic merge patch on built-in kinds (rule 23).
    pub strategic_merge: bool,
    /// The longest one case may run before it is failed as hung.
    pub case_timeout: Duration,
}

impl Capabilities {
    /// Every capability: what an in-process fake that implements every rule offers. The
    /// history window is unknown here; set it with
    /// [`with_history_window`](Self::with_history_window).
    #[must_use]
    pub fn full() -> Self {
        Self {
            synchronous_gc: true,
            eventual_timeout: Duration::from_secs(10),
            history_window: None,
            send_initial_events: Some(true),
            strict_field_validation: true,
            cel_validation: true,
            server_side_apply: true,
            strategic_merge: true,
            case_timeout: Duration::from_secs(60),
        }
    }

    /// A real API server: garbage collection and namespace deletion are asynchronous,
    /// compaction runs on a timer, and whether the WatchList feature gate is on is unknown.
    #[must_use]
    pub fn real_cluster() -> Self {
        Self {
            synchronous_gc: false,
            eventual_timeout: Duration::from_secs(90),
            history_window: None,
            send_initial_events: None,
            strict_field_validation: true,
            cel_validation: true,
            server_side_apply: true,
            strategic_merge: true,
            case_timeout: Duration::from_secs(180),
        }
    }

    /// Sets [`synchronous_gc`](Self::synchronous_gc).
    #[must_use]
    pub fn with_synchronous_gc(mut self, on: bool) -> Self {
        self.synchronous_gc = on;
        self
    }

    /// Sets [`eventual_timeout`](Self::eventual_timeout).
    #[must_use]
    pub fn with_eventual_timeout(mut self, timeout: Duration) -> Self {
        self.eventual_timeout = timeout;
        self
    }

    /// Sets [`history_window`](Self::history_window).
    #[must_use]
    pub fn with_history_window(mut self, writes: Option<usize>) -> Self {
        self.history_window = writes;
        self
    }

    /// Sets [`send_initial_events`](Self::send_initial_events).
    #[must_use]
    pub fn with_send_initial_events(mut self, supported: Option<bool>) -> Self {
        self.send_initial_events = supported;
        self
    }

    /// Sets [`strict_field_validation`](Self::strict_field_validation).
    #[must_use]
    pub fn with_strict_field_validation(mut self, on: bool) -> Self {
        self.strict_field_validation = on;
        self
    }

    /// Sets [`cel_validation`](Self::cel_validation).
    #[must_use]
    pub fn with_cel_validation(mut self, on: bool) -> Self {
        self.cel_validation = on;
        self
    }

    /// Sets [`server_side_apply`](Self::server_side_apply).
    #[must_use]
    pub fn with_server_side_apply(mut self, on: bool) -> Self {
        self.server_side_apply = on;
        self
    }

    /// Sets [`strategic_merge`](Self::strategic_merge).
    #[must_use]
    pub fn with_strategic_merge(mut self, on: bool) -> Self {
        self.strategic_merge = on;
        self
    }

    /// Sets [`case_timeout`](Self::case_timeout).
    #[must_use]
    pub fn with_case_timeout(mut self, timeout: Duration) -> Self {
        self.case_timeout = timeout;
        self
    }

    /// Whether this backend offers what `need` names.
    #[must_use]
    pub fn has(&self, need: Need) -> bool {
        match need {
            Need::HistoryWindow => self.history_window.is_some(),
            Need::InitialEventsKnown => self.send_initial_events.is_some(),
            Need::StrictFieldValidation => self.strict_field_validation,
            Need::CelValidation => self.cel_validation,
            Need::ServerSideApply => self.server_side_apply,
            Need::StrategicMerge => self.strategic_merge,
        }
    }
}

impl Default for Capabilities {
    /// [`Capabilities::full`].
    fn default() -> Self {
        Self::full()
    }
}

/// A capability a case cannot run without; a backend lacking it gets the case skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Need {
    /// [`Capabilities::history_window`] is known.
    HistoryWindow,
    /// [`Capabilities::send_initial_events`] is known.
    InitialEventsKnown,
    /// [`Capabilities::strict_field_validation`].
    StrictFieldValidation,
    /// [`Capabilities::cel_validation`].
    CelValidation,
    /// [`Capabilities::server_side_apply`].
    ServerSideApply,
    /// [`Capabilities::strategic_merge`].
    StrategicMerge,
}

impl Need {
    /// The capability's name, as the skip reason shows it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Need::HistoryWindow => "history_window",
            Need::InitialEventsKnown => "send_initial_events",
            Need::StrictFieldValidation => "strict_field_validation",
            Need::CelValidation => "cel_validation",
            Need::ServerSideApply => "server_side_apply",
            Need::StrategicMerge => "strategic_merge",
        }
    }
}

impl fmt::Display for Need {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
