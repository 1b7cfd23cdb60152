//! # kobj-conformance
//!
//! The conformance suite for kobj backends: named async cases that take
//! [`kobj_core::CustomObjects`] and [`kobj_core::CoreResources`] as `&dyn`, grouped by
//! [`Area`], each mapped to the numbered rules of kobj's `kubernetes-semantics.md` (what a real
//! API server does), asserting backend-neutral error categories (`is_not_found()`, codes) and,
//! where the rules give the server's exact texts, the messages.
//!
//! It is the referee between kobj's in-process fake, the kube-rs backend against a real
//! cluster, and any third-party backend: a case that passes on one and fails on another is a
//! bug in one of them.
//!
//! ## Running it against your backend
//!
//! Implement both traits (one value usually implements both), describe where your backend
//! legitimately differs with [`Capabilities`], and call [`run`]:
//!
//! ```no_run
//! use kobj_conformance::{Backend, Capabilities};
//!
//! # async fn demo(my_backend: &(impl kobj_core::CustomObjects + kobj_core::CoreResources)) {
//! // In-process and complete: every capability. A real cluster: `Capabilities::real_cluster()`.
//! let capabilities = Capabilities::full().with_history_window(Some(1000));
//! let backend = Backend::new(my_backend, my_backend, capabilities);
//!
//! // `None` runs every case; `Some("watch")` runs one area, `Some("gc_")` cases by name.
//! let report = kobj_conformance::run(&backend, None).await;
//! println!("{}", report.summary_line("my-backend")); // conformance my-backend: P passed, F failed
//! print!("{}", report.failures());
//! assert!(report.is_success());
//! # }
//! ```
//!
//! What the run does:
//!
//! - Installs three CRDs in the group `conformance.kobj.dev` (`widgets`, `gizmos`, cluster-scoped
//!   `realms`; see [`fixtures`]) through `CoreResources`, as kubectl would, and waits until each
//!   is Established. They stay installed afterwards (a later run replaces their spec).
//! - Runs each case in a new namespace `conf-<case>-<run><n>`; cluster-scoped objects a case
//!   makes carry the label `conformance.kobj.dev/case=<namespace>`. After the case, whatever
//!   finalizers it left are removed and its namespaces and cluster-scoped objects deleted, so
//!   the suite can run against a shared cluster.
//! - Skips the cases whose [`Need`]s the capabilities lack, and fails a case that runs longer
//!   than [`Capabilities::case_timeout`].
//!
//! The backend must work inside a tokio runtime with the time driver enabled.
//!
//! ## The case list
//!
//! [`cases()`] returns every [`Case`] with its name, area, rule numbers and a one-line summary,
//! so the mapping rule → cases can be generated (kobj's `docs/semantics.md` is).
//!
//! ```
//! let cases = kobj_conformance::cases();
//! assert!(cases.len() >= 120);
//! let for_rule_3: Vec<_> = cases.iter().filter(|c| c.rules.contains(&3)).map(|c| c.name).collect();
//! assert!(!for_rule_3.is_empty());
//! ```
//!
//! ## Writing more cases
//!
//! A case is an `async fn(&Ctx<'_>) -> Outcome`; [`Ctx`] gives the traits, the case's
//! namespace and helpers, and [`check`] the assertions (each returns a [`Failure`] with
//! expected vs got; nothing panics). Wrap it with [`Case::new`] and run it with [`run_cases`].

pub mod api;
pub mod backend;
pub mod case;
pub mod cases;
pub mod check;
pub mod ctx;
pub mod fixtures;
pub mod runner;
pub mod watching;

pub use api::Api;
pub use backend::{Backend, Capabilities, Need};
pub use case::{Area, Case, CaseFn, During, Failure, Outcome};
pub use cases::{cases, cases_by_rule};
pub use ctx::Ctx;
pub use runner::{Report, run, run_cases};
