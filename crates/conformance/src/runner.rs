//! Running the suite: one fresh namespace per case, the shared CRDs installed once, a
//! [`Report`] at the end.

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::backend::Backend;
use crate::case::Case;
use crate::ctx::{Ctx, create_namespace};
use crate::fixtures;

/// The result of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// How many cases passed.
    pub passed: usize,
    /// `(case, why)` for each case that failed.
    pub failed: Vec<(String, String)>,
    /// `(case, why)` for each case that was skipped for a missing capability.
    pub skipped: Vec<(String, String)>,
}

impl Report {
    /// `conformance <backend>: P passed, F failed`, with `, S skipped` only when S > 0.
    ///
    /// ```
    /// let mut report = kobj_conformance::Report::default();
    /// report.passed = 3;
    /// assert_eq!(report.summary_line("fake"), "conformance fake: 3 passed, 0 failed");
    /// report.skipped.push(("c".into(), "needs x".into()));
    /// assert_eq!(report.summary_line("fake"), "conformance fake: 3 passed, 0 failed, 1 skipped");
    /// ```
    #[must_use]
    pub fn summary_line(&self, backend: &str) -> String {
        let mut line = format!(
            "conformance {backend}: {} passed, {} failed",
            self.passed,
            self.failed.len()
        );
        if !self.skipped.is_empty() {
            let _ = write!(line, ", {} skipped", self.skipped.len());
        }
        line
    }

    /// Whether no case failed.
    #[must_use]
    pub fn is_success(&self) -> bool {
        self.failed.is_empty()
    }

    /// One line per failed case: `  FAILED <case>: <why>`.
    #[must_use]
    pub fn failures(&self) -> String {
        let mut text = String::new();
        for (name, why) in &self.failed {
            let _ = writeln!(text, "  FAILED {name}: {why}");
        }
        text
    }

    /// One line per skipped case: `  skipped <case>: <why>`.
    #[must_use]
    pub fn skips(&self) -> String {
        let mut text = String::new();
        for (name, why) in &self.skipped {
            let _ = writeln!(text, "  skipped {name}: {why}");
        }
        text
    }
}

/// The cases `filter` selects (all when `None`): see [`Case::matches`].
#[must_use]
pub fn select(filter: Option<&str>) -> Vec<Case> {
    crate::cases::cases()
        .into_iter()
        .filter(|c| filter.is_none_or(|f| c.matches(f)))
        .collect()
}

/// Runs every case `filter` selects against `backend`, one after another, each in its own new
/// namespace `conf-<case>-<run><n>`, and reports the outcome. Never panics on what the backend
/// does: every error becomes a failed case.
///
/// Needs a tokio runtime with the time driver (`#[tokio::test]` has one).
pub async fn run(backend: &Backend<'_>, filter: Option<&str>) -> Report {
    run_cases(backend, select(filter)).await
}

/// Runs the given cases (the suite's, a selection of them, or a backend's own).
pub async fn run_cases(backend: &Backend<'_>, cases: Vec<Case>) -> Report {
    let mut report = Report::default();
    let caps = &backend.capabilities;
    let mut runnable = Vec::new();
    for case in cases {
        match case.missing(caps) {
            Some(need) => report
                .skipped
                .push((case.name.to_string(), format!("needs {need}"))),
            None => runnable.push(case),
        }
    }
    if runnable.is_empty() {
        return report;
    }
    let setup_timeout = caps
        .eventual_timeout
        .max(std::time::Duration::from_secs(10));
    if let Err(e) = fixtures::install(backend.core, setup_timeout).await {
        for case in runnable {
            report.failed.push((
                case.name.to_string(),
                format!("setup failed (installing the suite's CRDs): {e}"),
            ));
        }
        return report;
    }
    let run_id = run_id();
    for (index, case) in runnable.iter().enumerate() {
        let namespace = namespace_name(case.name, &run_id, index);
        let cx = Ctx::new(backend, namespace.clone());
        let outcome = match create_namespace(backend.core, &namespace, &namespace).await {
            Err(e) => Err(e.context("setup")),
            Ok(_) => match tokio::time::timeout(caps.case_timeout, case.run(&cx)).await {
                Ok(outcome) => outcome,
                Err(_) => Err(crate::case::Failure::new(format!(
                    "timed out after {:?}",
                    caps.case_timeout
                ))),
            },
        };
        cx.cleanup().await;
        match outcome {
            Ok(()) => report.passed += 1,
            Err(failure) => report
                .failed
                .push((case.name.to_string(), failure.message().to_string())),
        }
    }
    report
}

/// Four base-36 characters that differ between runs, so names from an earlier run against the
/// same cluster never collide.
fn run_id() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut n = (nanos / 1000) % (36u128.pow(4));
    let mut id = String::new();
    for _ in 0..4 {
        let digit = (n % 36) as u32;
        id.push(char::from_digit(digit, 36).unwrap_or('0'));
        n /= 36;
    }
    id
}

/// `conf-<case>-<run><n>`: a DNS-1123 label of at most 53 characters (so extra namespaces
/// `<ns>-<suffix>` stay within 63).
#[must_use]
pub fn namespace_name(case: &str, run_id: &str, index: usize) -> String {
    let mut slug: String = case
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(38)
        .collect();
    while slug.ends_with('-') {
        slug.pop();
    }
    format!("conf-{slug}-{run_id}{index}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_line_is_exact() {
        let mut report = Report {
            passed: 120,
            ..Report::default()
        };
        assert_eq!(
            report.summary_line("fake"),
            "conformance fake: 120 passed, 0 failed"
        );
        report.failed.push(("a".into(), "why".into()));
        report.skipped.push(("b".into(), "needs x".into()));
        report.skipped.push(("c".into(), "needs y".into()));
        assert_eq!(
            report.summary_line("kube-cluster"),
            "conformance kube-cluster: 120 passed, 1 failed, 2 skipped"
        );
        assert!(!report.is_success());
        assert_eq!(report.failures(), "  FAILED a: why\n");
        assert!(report.skips().contains("skipped c: needs y"));
    }

    #[test]
    fn namespace_names_are_dns_labels() {
        for (i, case) in crate::cases::cases().iter().enumerate() {
            let ns = namespace_name(case.name, &run_id(), i * 7);
            assert!(ns.len() <= 53, "{ns} is too long");
            assert!(
                ns.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{ns}"
            );
            assert!(!ns.ends_with('-') && ns.starts_with("conf-"), "{ns}");
        }
        assert_eq!(
            namespace_name("create_duplicate", "ab12", 3),
            "conf-create-duplicate-ab123"
        );
    }

    #[test]
    fn run_ids_are_four_base36_chars() {
        let id = run_id();
        assert_eq!(id.len(), 4);
        assert!(
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
    }

    #[test]
    fn filters_select_by_name_or_area() {
        let all = select(None);
        let watch = select(Some("watch"));
        assert!(!watch.is_empty() && watch.len() < all.len());
        assert!(
            watch
                .iter()
                .all(|c| c.name.contains("watch") || c.area.as_str() == "watch")
        );
        let one = select(Some(all[0].name));
        assert!(one.iter().any(|c| c.name == all[0].name));
        assert!(select(Some("no-such-case-anywhere")).is_empty());
    }
}
