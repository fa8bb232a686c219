//! A token bucket per connection: a burst is fine, a flood is refused with `rate_limited`.

use std::time::Instant;

#[derive(Debug)]
pub(super) struct Bucket {
    capacity: f64,
    per_second: f64,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    pub fn new(per_second: u32, burst: u32) -> Self {
        let capacity = f64::from(burst.max(1));
        Bucket {
            capacity,
            per_second: f64::from(per_second.max(1)),
            tokens: capacity,
            last: Instant::now(),
        }
    }

    /// Takes one token if there is one.
    pub fn take(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.capacity);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Bucket;
    use std::time::{Duration, Instant};

    #[test]
    fn a_burst_passes_then_the_rate_holds() {
        let start = Instant::now();
        let mut b = Bucket::new(10, 5);
        assert_eq!((0..8).filter(|_| b.take(start)).count(), 5);
        assert!(
            b.take(start + Duration::from_millis(100)),
            "one refilled after 100 ms at 10/s"
        );
        assert!(!b.take(start + Duration::from_millis(100)));
    }
}
