//! zxids as ZooKeeper builds them (`util.ZxidUtils`): `epoch << 32 | counter`.
//!
//! `e:0` marks the start of epoch `e` and names no txn; counter `0xffffffff`
//! is never used (the leader steps down instead, `Leader.propose`).
//! Printed as ZooKeeper prints them: `0x` and lowercase hex, no padding.

use serde::{Serialize, Serializer};
use std::fmt;

/// A ZooKeeper transaction id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Zxid(pub u64);

/// The counter value ZooKeeper refuses to hand out (`XidRolloverException`).
pub const ROLLOVER_COUNTER: u32 = 0xffff_ffff;

impl Zxid {
    pub const ZERO: Zxid = Zxid(0);

    pub fn new(epoch: u32, counter: u32) -> Zxid {
        Zxid(((epoch as u64) << 32) | counter as u64)
    }

    pub fn epoch(self) -> u32 {
        (self.0 >> 32) as u32
    }

    pub fn counter(self) -> u32 {
        (self.0 & 0xffff_ffff) as u32
    }

    /// The zxid that marks the start of `epoch` (`e:0`).
    pub fn epoch_start(epoch: u32) -> Zxid {
        Zxid::new(epoch, 0)
    }

    /// The next zxid in the same epoch.
    pub fn next(self) -> Zxid {
        Zxid(self.0 + 1)
    }
}

impl fmt::Display for Zxid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:x}", self.0)
    }
}

impl Serialize for Zxid {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// ZooKeeper's hex rendering of a signed long (`Long.toHexString`): -1 is
/// `ffffffffffffffff`.
pub fn hex_long(v: i64) -> String {
    format!("{:x}", v as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_counter_round_trip() {
        let z = Zxid::new(2, 1);
        assert_eq!(z.0, 0x2_0000_0001);
        assert_eq!(z.to_string(), "0x200000001");
        assert_eq!((z.epoch(), z.counter()), (2, 1));
        assert_eq!(Zxid::epoch_start(1).to_string(), "0x100000000");
        assert_eq!(Zxid::ZERO.to_string(), "0x0");
        assert_eq!(hex_long(-1), "ffffffffffffffff");
    }
}
