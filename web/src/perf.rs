//! Work per animation frame: from the `requestAnimationFrame` callback to
//! the end of the render it caused (simulation + diff + canvas), kept for
//! the last frames; the e2e check reads the summary off the page.

const KEEP: usize = 600;

#[derive(Debug, Default)]
pub struct FrameStats {
    samples: Vec<f64>,
    next: usize,
    total: u64,
}

impl FrameStats {
    pub fn push(&mut self, ms: f64) {
        if self.samples.len() < KEEP {
            self.samples.push(ms);
        } else {
            self.samples[self.next] = ms;
        }
        self.next = (self.next + 1) % KEEP;
        self.total += 1;
    }

    /// The `q` quantile (0..=1) of the kept samples.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.samples.is_empty() {
            return 0.0;
        }
        let mut v = self.samples.clone();
        zablab_core::sorting::sort_by(&mut v, &f64::total_cmp);
        let i = ((v.len() - 1) as f64 * q.clamp(0.0, 1.0)).round() as usize;
        v[i]
    }

    /// `frames=N p50=… p95=… max=…` (ms), what the e2e check parses.
    pub fn summary(&self) -> String {
        self.summary_of("frames")
    }

    /// [`summary`](Self::summary) with another name for the count.
    pub fn summary_of(&self, what: &str) -> String {
        format!(
            "{what}={} p50={} p95={} max={}",
            self.total,
            crate::dec(self.quantile(0.5), 2),
            crate::dec(self.quantile(0.95), 2),
            crate::dec(self.quantile(1.0), 2)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_of_the_last_frames() {
        let mut s = FrameStats::default();
        assert_eq!(s.summary(), "frames=0 p50=0.00 p95=0.00 max=0.00");
        for i in 1..=100 {
            s.push(i as f64);
        }
        assert_eq!(s.quantile(0.95), 95.0);
        assert_eq!(s.quantile(1.0), 100.0);
        for _ in 0..KEEP {
            s.push(1.0);
        }
        assert_eq!(s.quantile(1.0), 1.0, "old frames age out");
    }
}
