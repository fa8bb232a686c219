//! Admission at the door: how many connections may be *pending*, that is not (yet) a
//! WebSocket session that said `hello` with a valid token. HTTP requests, idle keep-alive
//! connections and WebSockets before their hello are all pending; a greeted session counts
//! against `max_connections` instead. Pending connections are bounded in all
//! (`max_pending_connections`) and per IP address (`max_pending_per_address`), so one
//! machine that opens thousands of silent sockets fills only its own share and a real
//! tablet from another address still gets in.
//!
//! Each pending connection holds a [`Pending`] slot: the serving loop takes it when it
//! accepts, every request on the connection carries it, and it is given back when the
//! WebSocket's hello is accepted or when the connection ends, whichever comes first.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The counts of pending connections.
#[derive(Debug)]
pub struct Gate {
    max_total: usize,
    max_per_address: usize,
    counts: Mutex<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

/// Why a connection was not let in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// This address has `max_pending_per_address` connections pending already.
    Address,
    /// The hub has `max_pending_connections` pending already.
    Total,
}

impl Gate {
    pub fn new(max_total: usize, max_per_address: usize) -> Arc<Gate> {
        Arc::new(Gate {
            max_total,
            max_per_address,
            counts: Mutex::default(),
        })
    }

    /// A slot for a new connection from `address`, or why there is none.
    pub fn admit(self: &Arc<Self>, address: IpAddr) -> Result<Arc<Pending>, Refusal> {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let mine = counts.by_address.get(&address).copied().unwrap_or(0);
        if mine >= self.max_per_address {
            return Err(Refusal::Address);
        }
        if counts.total >= self.max_total {
            return Err(Refusal::Total);
        }
        counts.total += 1;
        *counts.by_address.entry(address).or_default() += 1;
        Ok(Arc::new(Pending {
            gate: self.clone(),
            address,
            released: AtomicBool::new(false),
        }))
    }

    /// Pending connections now: in all, and from `address`.
    pub fn pending(&self, address: IpAddr) -> (usize, usize) {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let mine = counts.by_address.get(&address).copied().unwrap_or(0);
        (counts.total, mine)
    }

    fn release(&self, address: IpAddr) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts.total = counts.total.saturating_sub(1);
        if let Some(n) = counts.by_address.get_mut(&address) {
            *n -= 1;
            if *n == 0 {
                counts.by_address.remove(&address);
            }
        }
    }
}

/// One pending connection's place; given back once, by [`Pending::identified`] or drop.
#[derive(Debug)]
pub struct Pending {
    gate: Arc<Gate>,
    address: IpAddr,
    released: AtomicBool,
}

impl Pending {
    /// The connection is now a greeted WebSocket session: it no longer counts as pending.
    pub fn identified(&self) {
        if !self.released.swap(true, Ordering::AcqRel) {
            self.gate.release(self.address);
        }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        self.identified();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_has_its_share_and_a_slot_comes_back_once() {
        let gate = Gate::new(3, 2);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let a1 = gate.admit(a).unwrap();
        let _a2 = gate.admit(a).unwrap();
        assert_eq!(gate.admit(a).unwrap_err(), Refusal::Address);
        let b1 = gate.admit(b).unwrap();
        assert_eq!(gate.admit(b).unwrap_err(), Refusal::Total);
        a1.identified();
        a1.identified();
        drop(a1);
        assert_eq!(gate.pending(a), (2, 1), "given back once, not twice");
        drop(b1);
        assert_eq!(gate.pending(b), (1, 0));
        assert!(gate.admit(b).is_ok());
    }
}
