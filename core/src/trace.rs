//! The trace hash: FNV-1a (64-bit) over every handled event, fed as
//! little-endian `u64` words so that it is the same on every target.
//!
//! Two runs with the same hash handled the same events at the same virtual
//! times; the native/wasm comparison and the replay tests rest on it.

const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// Running FNV-1a hash of a trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceHasher(u64);

impl Default for TraceHasher {
    fn default() -> Self {
        Self::new()
    }
}

impl TraceHasher {
    pub fn new() -> Self {
        TraceHasher(OFFSET_BASIS)
    }

    /// Adds raw bytes.
    pub fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(PRIME);
        }
    }

    /// Adds one word.
    pub fn word(&mut self, w: u64) {
        self.bytes(&w.to_le_bytes());
    }

    /// Adds one event: its time, a kind tag and one detail word.
    pub fn event(&mut self, time_ms: u64, kind: u64, detail: u64) {
        self.word(time_ms);
        self.word(kind);
        self.word(detail);
    }

    pub fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_published_fnv1a_vectors() {
        let hash = |s: &str| {
            let mut h = TraceHasher::new();
            h.bytes(s.as_bytes());
            h.finish()
        };
        assert_eq!(hash(""), 0xcbf29ce484222325);
        assert_eq!(hash("a"), 0xaf63dc4c8601ec8c);
        assert_eq!(hash("foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn order_matters() {
        let mut a = TraceHasher::new();
        a.event(1, 0, 2);
        a.event(3, 1, 4);
        let mut b = TraceHasher::new();
        b.event(3, 1, 4);
        b.event(1, 0, 2);
        assert_ne!(a.finish(), b.finish());
    }
}
