//! The fake's clock: system time by default, or a clock tests set and advance.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use k8s_openapi::jiff::Timestamp;

/// A clock shared by clones; `now()` is system time unless a time was set.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    fixed: Arc<Mutex<Option<Timestamp>>>,
}

impl Clock {
    /// The system clock.
    #[must_use]
    pub fn system() -> Self {
        Self::default()
    }

    /// A manual clock starting at `start`.
    #[must_use]
    pub fn manual(start: Timestamp) -> Self {
        Self {
            fixed: Arc::new(Mutex::new(Some(start))),
        }
    }

    /// The current time, truncated to whole seconds as Kubernetes timestamps are.
    #[must_use]
    pub fn now(&self) -> Timestamp {
        let fixed = *self
            .fixed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let t = fixed.unwrap_or_else(Timestamp::now);
        Timestamp::from_second(t.as_second()).unwrap_or(t)
    }

    /// Sets the time (switches to manual).
    pub fn set(&self, t: Timestamp) {
        *self
            .fixed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(t);
    }

    /// Advances a manual clock (a system clock becomes manual at now + `d`).
    pub fn advance(&self, d: Duration) {
        let mut fixed = self
            .fixed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let base = fixed.unwrap_or_else(Timestamp::now);
        let step = k8s_openapi::jiff::SignedDuration::try_from(d).unwrap_or_default();
        *fixed = Some(base.checked_add(step).unwrap_or(base));
    }
}
