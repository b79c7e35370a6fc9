//! The simulator's one source of randomness: PCG32 (O'Neill's `pcg32`,
//! XSH-RR output over a 64-bit LCG), written out here so that its output can
//! never change under us with a dependency update.
//!
//! Contract: the same `(seed, stream)` gives the same sequence on every
//! target (native and wasm32): only `u32`/`u64` wrapping arithmetic, no
//! `usize`, no floating point. Never seed it from a clock or the OS; the
//! seed comes from the scenario.

/// Multiplier of the 64-bit LCG (PCG's default).
const MULTIPLIER: u64 = 6_364_136_223_846_793_005;

/// PCG32 generator. `Clone` so that a simulator checkpoint carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pcg32 {
    state: u64,
    inc: u64,
}

impl Pcg32 {
    /// Seeds the generator the way the reference `pcg32_srandom_r` does.
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut rng = Pcg32 {
            state: 0,
            inc: (stream << 1) | 1,
        };
        rng.next_u32();
        rng.state = rng.state.wrapping_add(seed);
        rng.next_u32();
        rng
    }

    /// The next 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        let old = self.state;
        self.state = old.wrapping_mul(MULTIPLIER).wrapping_add(self.inc);
        let xorshifted = (((old >> 18) ^ old) >> 27) as u32;
        let rot = (old >> 59) as u32;
        xorshifted.rotate_right(rot)
    }

    /// The next 64 random bits (two draws, high word first).
    pub fn next_u64(&mut self) -> u64 {
        let hi = u64::from(self.next_u32());
        let lo = u64::from(self.next_u32());
        (hi << 32) | lo
    }

    /// A uniform value in `0..bound` without modulo bias (`bound > 0`).
    pub fn below(&mut self, bound: u32) -> u32 {
        assert!(bound > 0, "Pcg32::below needs a positive bound");
        // Lemire's threshold: reject the low values that would bias `% bound`.
        let threshold = bound.wrapping_neg() % bound;
        loop {
            let r = self.next_u32();
            if r >= threshold {
                return r % bound;
            }
        }
    }

    /// A uniform value in the inclusive range `lo..=hi` (`lo <= hi`).
    pub fn in_range(&mut self, lo: u64, hi: u64) -> u64 {
        assert!(lo <= hi, "Pcg32::in_range needs lo <= hi");
        let span = hi - lo;
        if span == 0 {
            return lo;
        }
        if span < u64::from(u32::MAX) {
            return lo + u64::from(self.below((span + 1) as u32));
        }
        // Wide ranges: rejection sampling on 64 bits.
        let bound = span.wrapping_add(1);
        if bound == 0 {
            return self.next_u64();
        }
        let threshold = bound.wrapping_neg() % bound;
        loop {
            let r = self.next_u64();
            if r >= threshold {
                return lo + r % bound;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first outputs of the reference implementation's demo
    /// (`pcg32-demo`, seed 42, stream 54).
    #[test]
    fn matches_reference_pcg32_vectors() {
        let mut rng = Pcg32::new(42, 54);
        let got: Vec<u32> = (0..6).map(|_| rng.next_u32()).collect();
        assert_eq!(
            got,
            [0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e]
        );
    }

    #[test]
    fn same_seed_same_sequence_other_seed_other_sequence() {
        let a: Vec<u64> = {
            let mut r = Pcg32::new(7, 0);
            (0..32).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = Pcg32::new(7, 0);
            (0..32).map(|_| r.next_u64()).collect()
        };
        let c: Vec<u64> = {
            let mut r = Pcg32::new(8, 0);
            (0..32).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn ranges_stay_inside_and_cover_their_ends() {
        let mut rng = Pcg32::new(1, 1);
        let mut seen = [false; 5];
        for _ in 0..1000 {
            let v = rng.in_range(10, 14);
            assert!((10..=14).contains(&v));
            seen[(v - 10) as usize] = true;
        }
        assert!(seen.iter().all(|s| *s), "every value of 10..=14 drawn");
        assert_eq!(rng.in_range(3, 3), 3);
        // The 64-bit path: a wide range above u32 still lands inside.
        let lo = 1u64 << 40;
        for _ in 0..100 {
            let v = rng.in_range(lo, lo + (1 << 36));
            assert!((lo..=lo + (1 << 36)).contains(&v));
        }
    }
}
