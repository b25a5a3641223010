//! Keys whose first request is being handled right now, in this process.
//!
//! Across replicas the database's unique key is the guard; this set answers
//! the common case (a diner's retry racing its original) at once with 409,
//! without touching the database.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
pub struct InFlight {
    keys: Arc<Mutex<HashSet<String>>>,
}

/// Holding a claim means handling the key; dropping it frees the key.
pub struct Claim {
    keys: Arc<Mutex<HashSet<String>>>,
    key: String,
}

impl InFlight {
    /// Claims `key`, or `None` when another request holds it.
    pub fn claim(&self, key: &str) -> Option<Claim> {
        let mut keys = self
            .keys
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        keys.insert(key.to_owned()).then(|| Claim {
            keys: Arc::clone(&self.keys),
            key: key.to_owned(),
        })
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.keys
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&self.key);
    }
}

#[cfg(test)]
mod tests {
    use super::InFlight;

    #[test]
    fn a_key_is_held_by_one_request_at_a_time() {
        let in_flight = InFlight::default();
        let first = in_flight.claim("key-1234567890ab").expect("free");
        assert!(in_flight.claim("key-1234567890ab").is_none());
        assert!(in_flight.claim("another-key-12345").is_some());
        drop(first);
        assert!(in_flight.claim("key-1234567890ab").is_some());
    }
}
