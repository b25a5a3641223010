//! How many of something each client address holds right now.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use super::address_key::AddressKey;

type Held = Arc<Mutex<HashMap<AddressKey, usize>>>;

/// Counts per address (per [`AddressKey`]: an IPv6 /64 is one address),
/// capped; a slot is given back when its [`Slot`] drops.
#[derive(Clone)]
pub struct PerAddress {
    cap: Option<usize>,
    held: Held,
}

/// One held slot of one address.
pub struct Slot {
    address: AddressKey,
    held: Held,
}

impl PerAddress {
    /// `cap` 0 means no cap.
    pub fn new(cap: usize) -> Self {
        Self {
            cap: (cap > 0).then_some(cap),
            held: Arc::default(),
        }
    }

    /// A slot for `address`, unless it already holds `cap` of them.
    pub fn take(&self, address: IpAddr) -> Option<Slot> {
        let address = AddressKey::of(address);
        let mut held = lock(&self.held);
        let count = held.entry(address).or_default();
        if self.cap.is_some_and(|cap| *count >= cap) {
            return None;
        }
        *count += 1;
        Some(Slot {
            address,
            held: Arc::clone(&self.held),
        })
    }

    /// Slots `address` holds now.
    pub fn held_by(&self, address: IpAddr) -> usize {
        lock(&self.held)
            .get(&AddressKey::of(address))
            .copied()
            .unwrap_or(0)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut held = lock(&self.held);
        if let Some(count) = held.get_mut(&self.address) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                held.remove(&self.address);
            }
        }
    }
}

fn lock(held: &Held) -> std::sync::MutexGuard<'_, HashMap<AddressKey, usize>> {
    // Every update is a single counter step: a panic elsewhere cannot leave
    // the map half-changed.
    held.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));
    const B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2));

    #[test]
    fn an_address_gets_at_most_cap_slots_and_others_are_unaffected() {
        let slots = PerAddress::new(2);
        let first = slots.take(A).expect("first");
        let _second = slots.take(A).expect("second");
        assert!(slots.take(A).is_none());
        assert!(slots.take(B).is_some());
        drop(first);
        assert!(slots.take(A).is_some(), "a dropped slot is given back");
    }

    #[test]
    fn addresses_of_one_ipv6_network_share_its_slots() {
        let slots = PerAddress::new(2);
        let one: IpAddr = "2001:db8::1".parse().expect("ipv6");
        let two: IpAddr = "2001:db8::2".parse().expect("ipv6");
        let _first = slots.take(one).expect("first");
        let _second = slots.take(two).expect("second");
        assert!(slots.take("2001:db8::3".parse().expect("ipv6")).is_none());
        assert_eq!(slots.held_by(one), 2);
        assert!(
            slots
                .take("2001:db8:0:1::1".parse().expect("ipv6"))
                .is_some()
        );
    }

    #[test]
    fn no_cap_means_unlimited_and_counts_go_back_to_zero() {
        let slots = PerAddress::new(0);
        let held: Vec<Slot> = (0..1000).filter_map(|_| slots.take(A)).collect();
        assert_eq!(held.len(), 1000);
        drop(held);
        assert_eq!(slots.held_by(A), 0);
    }
}
