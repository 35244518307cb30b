//! Frame-time bookkeeping for the debug overlay and `ganscope bench --ui-seconds`.

use std::collections::VecDeque;

/// The most recent frame times, in milliseconds.
pub struct FrameStats {
    recent: VecDeque<f64>,
    capacity: usize,
}

impl Default for FrameStats {
    fn default() -> Self {
        FrameStats {
            recent: VecDeque::new(),
            capacity: 600,
        }
    }
}

impl FrameStats {
    pub fn record(&mut self, ms: f64) {
        if self.recent.len() == self.capacity {
            self.recent.pop_front();
        }
        self.recent.push_back(ms);
    }

    pub fn summary(&self) -> Summary {
        summarize(&self.recent.iter().copied().collect::<Vec<_>>())
    }
}

/// Percentiles of a set of frame times.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Summary {
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
}

/// Nearest-rank percentiles; zeros for an empty set.
pub fn summarize(ms: &[f64]) -> Summary {
    if ms.is_empty() {
        return Summary::default();
    }
    let mut sorted = ms.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank =
        |p: f64| sorted[((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1];
    Summary {
        p50: rank(0.50),
        p99: rank(0.99),
        max: sorted[sorted.len() - 1],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let ms: Vec<f64> = (1..=100).map(f64::from).collect();
        let s = summarize(&ms);
        assert_eq!((s.p50, s.p99, s.max), (50.0, 99.0, 100.0));
    }

    #[test]
    fn old_frames_fall_out() {
        let mut stats = FrameStats::default();
        (0..700).for_each(|i| stats.record(f64::from(i)));
        assert_eq!(stats.summary().max, 699.0);
        assert_eq!(stats.recent.len(), 600, "only the last 600 frames are kept");
    }
}
