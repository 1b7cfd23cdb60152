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

    /// An independent copy: a manual clock at the same time (advancing one does not move the
    /// other), or a new system clock.
    #[must_use]
    pub fn fork(&self) -> Self {
        let fixed = *self
            .fixed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Self {
            fixed: Arc::new(Mutex::new(fixed)),
        }
    }

    /// Whether the clock was set by hand (it only moves when set or advanced).
    #[must_use]
    pub fn is_manual(&self) -> bool {
        self.fixed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_some()
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn manual_clock_truncates_to_seconds_and_does_not_move() {
        let clock = Clock::manual(ts("2024-05-01T10:00:00.750Z"));
        assert!(clock.is_manual());
        assert_eq!(clock.now(), ts("2024-05-01T10:00:00Z"));
        assert_eq!(clock.now(), clock.now());
    }

    #[test]
    fn set_and_advance() {
        let clock = Clock::manual(ts("2024-05-01T10:00:00Z"));
        clock.advance(Duration::from_millis(1500));
        assert_eq!(clock.now(), ts("2024-05-01T10:00:01Z"));
        clock.advance(Duration::from_millis(1500));
        assert_eq!(
            clock.now(),
            ts("2024-05-01T10:00:03Z"),
            "sub-second steps add up"
        );
        clock.advance(Duration::from_secs(3600));
        assert_eq!(clock.now(), ts("2024-05-01T11:00:03Z"));
        clock.set(ts("2030-01-01T00:00:00Z"));
        assert_eq!(clock.now(), ts("2030-01-01T00:00:00Z"));
        // A step too large for a timestamp leaves the time where it was.
        clock.advance(Duration::MAX);
        assert_eq!(clock.now(), ts("2030-01-01T00:00:00Z"));
    }

    #[test]
    fn clones_share_the_time_and_forks_do_not() {
        let clock = Clock::manual(ts("2024-05-01T10:00:00Z"));
        let clone = clock.clone();
        let fork = clock.fork();
        clone.advance(Duration::from_secs(60));
        assert_eq!(clock.now(), ts("2024-05-01T10:01:00Z"));
        assert_eq!(fork.now(), ts("2024-05-01T10:00:00Z"));
        fork.advance(Duration::from_secs(5));
        assert_eq!(clock.now(), ts("2024-05-01T10:01:00Z"));
        assert!(!Clock::system().fork().is_manual());
    }

    #[test]
    fn system_clock_follows_real_time_in_whole_seconds() {
        let clock = Clock::system();
        assert!(!clock.is_manual());
        let before = Timestamp::now().as_second();
        let now = clock.now();
        let after = Timestamp::now().as_second();
        assert_eq!(now.subsec_nanosecond(), 0);
        assert!(before <= now.as_second() && now.as_second() <= after);
    }

    #[test]
    fn advancing_a_system_clock_makes_it_manual() {
        let clock = Clock::system();
        let start = Timestamp::now().as_second();
        clock.advance(Duration::from_secs(86_400));
        assert!(clock.is_manual());
        let now = clock.now().as_second();
        assert!(
            now >= start + 86_400 && now <= start + 86_401,
            "{now} vs {start}"
        );
        assert_eq!(clock.now(), clock.now());
    }
}
