//! A cap on live-status streams (Server-Sent Events), in all and per
//! address. Each open stream holds a connection and a broadcast subscriber;
//! past the cap a client is told to come back later instead of being fed at
//! the expense of order intake.

use std::net::IpAddr;
use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::per_address::{PerAddress, Slot};

#[derive(Clone)]
pub struct EventStreamLimits {
    total: Arc<Semaphore>,
    max_streams: usize,
    per_address: PerAddress,
}

/// Held for as long as a stream is open.
pub struct StreamTicket {
    _total: OwnedSemaphorePermit,
    _address: Slot,
}

impl EventStreamLimits {
    pub fn new(max_streams: usize, max_per_address: usize) -> Self {
        Self {
            total: Arc::new(Semaphore::new(max_streams)),
            max_streams,
            per_address: PerAddress::new(max_per_address),
        }
    }

    /// Streams open now.
    pub fn open_streams(&self) -> usize {
        self.max_streams - self.total.available_permits()
    }

    /// A ticket for one more stream from `address`, if both caps allow it.
    pub fn open(&self, address: IpAddr) -> Option<StreamTicket> {
        let address = self.per_address.take(address)?;
        let total = Arc::clone(&self.total).try_acquire_owned().ok()?;
        Some(StreamTicket {
            _total: total,
            _address: address,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));
    const B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2));

    #[test]
    fn both_caps_hold_and_closing_a_stream_frees_its_place() {
        let limits = EventStreamLimits::new(3, 2);
        let a1 = limits.open(A).expect("a1");
        let _a2 = limits.open(A).expect("a2");
        assert!(limits.open(A).is_none(), "per-address cap");
        let _b1 = limits.open(B).expect("b1");
        assert!(limits.open(B).is_none(), "total cap");
        drop(a1);
        assert!(limits.open(B).is_some());
    }
}
