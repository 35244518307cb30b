//! Metric series for plotting: every value kept, TensorBoard-style EMA smoothing, and min/max
//! decimation through a pyramid so that drawing a million points costs a frame about as much
//! as drawing a thousand.

/// Per-step values of one metric and a min/max pyramid over them.
#[derive(Default)]
pub struct Series {
    values: Vec<f32>,
    /// `levels[k][j]` = (min, max) of `values[j·2^(k+1) .. (j+1)·2^(k+1)]`.
    levels: Vec<Vec<(f32, f32)>>,
}

impl Series {
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn values(&self) -> &[f32] {
        &self.values
    }

    pub fn last(&self) -> Option<f32> {
        self.values.last().copied()
    }

    pub fn clear(&mut self) {
        self.values.clear();
        self.levels.clear();
    }

    pub fn push(&mut self, value: f32) {
        self.values.push(value);
        // Each completed pair at one level completes one entry of the next.
        let mut len = self.values.len();
        let mut level = 0;
        while len.is_multiple_of(2) {
            let (a, b) = if level == 0 {
                let v = &self.values;
                ((v[len - 2], v[len - 2]), (v[len - 1], v[len - 1]))
            } else {
                let l = &self.levels[level - 1];
                (l[len - 2], l[len - 1])
            };
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            self.levels[level].push((a.0.min(b.0), a.1.max(b.1)));
            len = self.levels[level].len();
            level += 1;
        }
    }

    /// Points `[index, value]` covering indices `range` with at most about `max_points`
    /// points: raw values when they fit, else a min and a max per bucket.
    pub fn decimated(&self, range: std::ops::Range<usize>, max_points: usize) -> Vec<[f64; 2]> {
        let end = range.end.min(self.values.len());
        let start = range.start.min(end);
        let n = end - start;
        let buckets = (max_points / 2).max(1);
        if n <= max_points {
            return (start..end)
                .map(|i| [i as f64, self.values[i] as f64])
                .collect();
        }
        // Smallest level whose blocks give no more than `buckets` blocks over the range.
        let mut level = 0;
        while (n >> (level + 1)) > buckets && level + 1 < self.levels.len() {
            level += 1;
        }
        let mut out = Vec::with_capacity(buckets * 2 + 64);
        // Whole blocks of the chosen level, then the tail with ever smaller blocks, so the
        // tail costs at most two points per level.
        let mut pos = start / (1 << (level + 1)) * (1 << (level + 1));
        for level in (0..=level).rev() {
            let block = 1usize << (level + 1);
            while pos + block <= end {
                let (lo, hi) = self.levels[level][pos / block];
                let x = pos as f64 + block as f64 / 2.0;
                out.push([x, lo as f64]);
                out.push([x, hi as f64]);
                pos += block;
            }
        }
        for i in pos..end {
            out.push([i as f64, self.values[i] as f64]);
        }
        out
    }
}

/// An exponential moving average of a [`Series`], kept up to date incrementally, with
/// TensorBoard's debiasing so that early values are not dragged toward zero. Weight 0 is the
/// identity.
#[derive(Default)]
pub struct Smoothed {
    weight: f32,
    last: f32,
    debias: f32,
    series: Series,
}

impl Smoothed {
    /// Bring the average up to date with `raw`, starting over when the weight changed or the
    /// raw series was cleared. Weight 0 keeps no copy.
    pub fn update(&mut self, raw: &Series, weight: f32) {
        if weight != self.weight || raw.len() < self.series.len() {
            *self = Smoothed {
                weight,
                last: 0.0,
                debias: 1.0,
                series: Series::default(),
            };
        }
        if weight == 0.0 {
            return;
        }
        for &v in &raw.values()[self.series.len()..] {
            self.last = self.last * weight + (1.0 - weight) * v;
            self.debias *= weight;
            self.series
                .push(self.last / (1.0 - self.debias).max(f32::EPSILON));
        }
    }

    /// The smoothed series of `raw` (as of the last [`Smoothed::update`]): `raw` itself at
    /// weight 0.
    pub fn of<'a>(&'a self, raw: &'a Series) -> &'a Series {
        if self.weight == 0.0 {
            raw
        } else {
            &self.series
        }
    }

    /// Update, then view.
    pub fn sync<'a>(&'a mut self, raw: &'a Series, weight: f32) -> &'a Series {
        self.update(raw, weight);
        self.of(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: impl IntoIterator<Item = f32>) -> Series {
        let mut s = Series::default();
        values.into_iter().for_each(|v| s.push(v));
        s
    }

    #[test]
    fn small_ranges_come_back_raw() {
        let s = series((0..10).map(|i| i as f32));
        let points = s.decimated(0..10, 100);
        assert_eq!(points.len(), 10, "ten points fit in a budget of 100");
        assert_eq!(points[3], [3.0, 3.0], "raw points keep index and value");
    }

    #[test]
    fn a_million_points_decimate_to_the_budget_and_keep_extremes() {
        let mut s = series((0..1_000_000).map(|i| (i % 1000) as f32));
        s.push(-5.0);
        let points = s.decimated(0..s.len(), 1000);
        assert!(
            points.len() <= 1100,
            "got {} points for a budget of 1000",
            points.len()
        );
        let min = points.iter().map(|p| p[1]).fold(f64::INFINITY, f64::min);
        let max = points
            .iter()
            .map(|p| p[1])
            .fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(min, -5.0, "the single outlier survives decimation");
        assert_eq!(max, 999.0, "the per-period maximum survives decimation");
    }

    #[test]
    fn pyramid_blocks_hold_true_min_and_max() {
        let s = series([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]);
        assert_eq!(
            s.levels[0],
            vec![(1.0, 3.0), (1.0, 4.0), (5.0, 9.0), (2.0, 6.0)]
        );
        assert_eq!(
            s.levels[2],
            vec![(1.0, 9.0)],
            "top level spans all eight values"
        );
    }

    #[test]
    fn ema_is_debiased_incremental_and_weight_zero_is_identity() {
        let mut raw = series([2.0; 5]);
        let mut smoothed = Smoothed::default();
        let constant = smoothed.sync(&raw, 0.9).values().to_vec();
        assert!(
            constant.iter().all(|v| (v - 2.0).abs() < 1e-5),
            "a constant stays constant: {constant:?}"
        );
        raw.push(12.0);
        let next = smoothed.sync(&raw, 0.9).values()[5];
        let debias = 1.0 - 0.9f32.powi(6);
        let expected = (0.9 * 2.0 * (1.0 - 0.9f32.powi(5)) + 0.1 * 12.0) / debias;
        assert!(
            (next - expected).abs() < 1e-4,
            "incremental step {next} vs {expected}"
        );
        let raw = series([1.0, 5.0]);
        assert_eq!(Smoothed::default().sync(&raw, 0.0).values(), &[1.0, 5.0]);
    }
}
