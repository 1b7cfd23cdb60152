//! What every property file of the fake shares: the number of cases, the runner's settings,
//! a runtime per case, the ConfigMap type built from its group, version and kind, and the
//! check of a refusal.

use kobj_core::{ApiResource, ResourceType};
use kobj_fake::FakeCluster;
use kube_core::GroupVersionKind;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// Cases per property: enough to cover the shapes, few enough for a fast debug `cargo test`.
pub const CASES: u32 = 64;

/// The runner's settings: [`CASES`] cases, and `rejects_per_case` skipped inputs allowed per
/// case (a generated body that does not decode as a `DynamicObject`, say, is skipped).
pub fn config(rejects_per_case: u32) -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        max_global_rejects: CASES * rejects_per_case,
        ..ProptestConfig::default()
    }
}

/// Runs `f` on a runtime of its own (each case gets a fresh one).
pub fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// ConfigMaps as a resource type built from the group, version and kind alone.
pub fn configmaps_by_gvk() -> ResourceType {
    ResourceType::namespaced(ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("", "v1", "ConfigMap"),
        "configmaps",
    ))
}

/// A refusal must be an API `Status` with a code in `codes` and a message, and must leave
/// the state (`before`, a `dump_yaml`) as it was.
pub fn check_refused_with(
    c: &FakeCluster,
    e: &kobj_core::Error,
    before: &str,
    codes: std::ops::RangeInclusive<u16>,
) -> Result<(), TestCaseError> {
    // An applied configuration structured-merge-diff cannot type is the one refusal the
    // server answers with a 500 (it passes SMD's error on unwrapped).
    let untypable_apply = e.code() == Some(500)
        && e.status().is_some_and(|s| {
            s.message
                .starts_with("failed to create typed patch object (")
        });
    prop_assert!(
        untypable_apply || e.code().is_some_and(|code| codes.contains(&code)),
        "not a Kubernetes-shaped error with a code in {codes:?}: {e:?}"
    );
    prop_assert!(
        e.status().is_some_and(|s| !s.message.is_empty()),
        "a Status without a message: {e:?}"
    );
    let after = c.dump_yaml().unwrap();
    prop_assert!(
        after == before,
        "the refused call ({e}) changed the state:\n--- before\n{before}\n--- after\n{after}"
    );
    Ok(())
}

/// [`check_refused_with`] any 4xx or 5xx code.
pub fn check_refused(
    c: &FakeCluster,
    e: &kobj_core::Error,
    before: &str,
) -> Result<(), TestCaseError> {
    check_refused_with(c, e, before, 400..=599)
}
