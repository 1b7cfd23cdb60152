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

    /// An independent copy: a deterministic generator continues from the same point (both
    /// copies then produce the same sequence); a random one stays random.
    #[must_use]
    pub fn fork(&self) -> Self {
        let state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        Self {
            state: Arc::new(Mutex::new(state)),
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
            // A v4 uuid from the thread's fast generator (uids must be unique, not secret;
            // the OS generator costs a system call per uid).
            None => uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes())
                .into_uuid()
                .to_string(),
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn is_suffix(s: &str) -> bool {
        s.len() == 5 && s.bytes().all(|b| NAME_ALPHABET.contains(&b))
    }

    #[test]
    fn deterministic_uids_count_up() {
        let ids = Ids::deterministic(7);
        assert_eq!(ids.uid(), "00000000-0000-0000-0000-000000000001");
        assert_eq!(ids.uid(), "00000000-0000-0000-0000-000000000002");
        for _ in 0..7 {
            let _ = ids.uid();
        }
        let tenth = ids.uid();
        assert_eq!(tenth, "00000000-0000-0000-0000-000000000010");
        assert!(uuid::Uuid::parse_str(&tenth).is_ok());
    }

    #[test]
    fn seeded_suffixes_repeat_per_seed() {
        let a: Vec<String> = {
            let ids = Ids::deterministic(42);
            (0..20).map(|_| ids.name_suffix()).collect()
        };
        let b: Vec<String> = {
            let ids = Ids::deterministic(42);
            (0..20).map(|_| ids.name_suffix()).collect()
        };
        let c: Vec<String> = {
            let ids = Ids::deterministic(43);
            (0..20).map(|_| ids.name_suffix()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.iter().chain(&c).all(|s| is_suffix(s)), "{a:?} {c:?}");
        // Uids and suffixes do not disturb each other's sequences.
        let ids = Ids::deterministic(42);
        let _ = ids.uid();
        assert_eq!(ids.name_suffix(), a[0]);
    }

    #[test]
    fn random_ids_are_v4_uuids_and_alphabet_suffixes() {
        let ids = Ids::random();
        let a = ids.uid();
        let b = ids.uid();
        assert_ne!(a, b);
        let parsed = uuid::Uuid::parse_str(&a).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
        let suffixes: Vec<String> = (0..50).map(|_| ids.name_suffix()).collect();
        assert!(suffixes.iter().all(|s| is_suffix(s)), "{suffixes:?}");
        // The draws spread over the alphabet.
        let seen: std::collections::BTreeSet<u8> =
            suffixes.iter().flat_map(|s| s.bytes()).collect();
        assert!(seen.len() > 15, "{seen:?}");
    }

    #[test]
    fn clones_share_the_sequence_and_forks_copy_it() {
        let ids = Ids::deterministic(1);
        let clone = ids.clone();
        assert_eq!(ids.uid(), "00000000-0000-0000-0000-000000000001");
        assert_eq!(clone.uid(), "00000000-0000-0000-0000-000000000002");
        let fork = ids.fork();
        assert_eq!(fork.uid(), "00000000-0000-0000-0000-000000000003");
        assert_eq!(ids.uid(), "00000000-0000-0000-0000-000000000003");
        assert_eq!(fork.name_suffix(), ids.name_suffix());
    }
}
