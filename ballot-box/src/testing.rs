//! Test helpers: reproducible randomness.

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

/// A generator seeded by `n`, so a failing test fails the same way again.
pub(crate) fn rng(n: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(n)
}
