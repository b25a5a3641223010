//! Keys whose first request is being handled right now, in this process.
//!
//! Across replicas the database's unique key is the guard; this set answers
//! the common case (a diner's retry racing its original) at once with 409,
//! without touching the database. Keys are held in their scope, the device,
//! like the database holds them: another device's request never waits on
//! this one's.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use crate::storage::ScopedKey;

#[derive(Clone, Default)]
pub struct InFlight {
    keys: Arc<Mutex<HashSet<ScopedKey>>>,
}

/// Holding a claim means handling the key; dropping it frees the key.
pub struct Claim {
    keys: Arc<Mutex<HashSet<ScopedKey>>>,
    key: ScopedKey,
}

impl InFlight {
    /// Claims `key`, or `None` when another request holds it.
    pub fn claim(&self, key: &ScopedKey) -> Option<Claim> {
        let mut keys = self
            .keys
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        keys.insert(key.clone()).then(|| Claim {
            keys: Arc::clone(&self.keys),
            key: key.clone(),
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
    use wendan_protocol::IdempotencyKey;

    use super::InFlight;
    use crate::storage::ScopedKey;

    fn scoped(device_id: &str, key: &str) -> ScopedKey {
        ScopedKey {
            device_id: device_id.to_owned(),
            key: IdempotencyKey::new(key).expect("valid key"),
        }
    }

    #[test]
    fn a_key_is_held_by_one_request_at_a_time() {
        let in_flight = InFlight::default();
        let first = in_flight
            .claim(&scoped("phone", "key-1234567890ab"))
            .expect("free");
        assert!(
            in_flight
                .claim(&scoped("phone", "key-1234567890ab"))
                .is_none()
        );
        assert!(
            in_flight
                .claim(&scoped("phone", "another-key-12345"))
                .is_some()
        );
        drop(first);
        assert!(
            in_flight
                .claim(&scoped("phone", "key-1234567890ab"))
                .is_some()
        );
    }

    #[test]
    fn the_same_key_from_another_device_is_another_key() {
        let in_flight = InFlight::default();
        let _mine = in_flight
            .claim(&scoped("phone-a", "key-1234567890ab"))
            .expect("free");
        assert!(
            in_flight
                .claim(&scoped("phone-b", "key-1234567890ab"))
                .is_some()
        );
    }
}
