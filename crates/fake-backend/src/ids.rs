//! Uids and generated names: random by default, predictable on request.

use std::sync::{Arc, Mutex};

/// Generates uids and generateName suffixes. Clones share state.
#[derive(Clone, Debug, Default)]
pub struct Ids {
    state: Arc<Mutex<Option<(u64, fastrand::Rng)>>>,
}

/// The alphabet of generateName suffixes (k8s.io/apimachinery util/rand).
pub const NAME_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

impl Ids {
    /// Random uids (v4) and random suffixes.
    #[must_use]
    pub fn random() -> Self {
        Self::default()
    }

    /// Predictable: uids `00000000-0000-0000-0000-000000000001`, …, and suffixes from a seeded
    /// generator.
    #[must_use]
    pub fn deterministic(seed: u64) -> Self {
        Self {
            state: Arc::new(Mutex::new(Some((0, fastrand::Rng::with_seed(seed))))),
        }
    }

    /// A new uid.
    #[must_use]
    pub fn uid(&self) -> String {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match state.as_mut() {
            Some((counter, _)) => {
                *counter += 1;
                format!("00000000-0000-0000-0000-{:012}", *counter)
            }
            None => uuid::Uuid::new_v4().to_string(),
        }
    }

    /// Five random characters from [`NAME_ALPHABET`].
    #[must_use]
    pub fn name_suffix(&self) -> String {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        (0..5)
            .map(|_| {
                let i = match state.as_mut() {
                    Some((_, rng)) => rng.usize(..NAME_ALPHABET.len()),
                    None => fastrand::usize(..NAME_ALPHABET.len()),
                };
                char::from(NAME_ALPHABET[i])
            })
            .collect()
    }
}
