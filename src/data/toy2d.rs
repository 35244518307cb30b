//! 2-D toy data: Gaussian mixtures from the mode-collapse literature (the ring of 8 and the
//! grid of 25, uniform weights) and a noisy two-armed spiral.

use super::{DataSource, HostBatch, SampleShape};
use rand::{Rng, SeedableRng, rngs::StdRng};
use rand_distr::{Distribution, StandardNormal};

/// An equal-weight mixture of isotropic Gaussians.
pub struct ToyMixture {
    means: Vec<[f32; 2]>,
    std: f32,
    rng: StdRng,
}

impl ToyMixture {
    /// `modes` Gaussians with means `radius·(cos 2πk/modes, sin 2πk/modes)`.
    pub fn ring(modes: usize, radius: f32, std: f32, seed: u64) -> ToyMixture {
        let means = (0..modes)
            .map(|k| {
                let a = std::f32::consts::TAU * k as f32 / modes as f32;
                [radius * a.cos(), radius * a.sin()]
            })
            .collect();
        ToyMixture::new(means, std, seed)
    }

    /// `side²` Gaussians with means on `{-(side-1)/2, …, (side-1)/2}² · spacing`.
    pub fn grid(side: usize, spacing: f32, std: f32, seed: u64) -> ToyMixture {
        let half = (side as f32 - 1.0) / 2.0;
        let coord = |i: usize| (i as f32 - half) * spacing;
        let means = (0..side)
            .flat_map(|i| (0..side).map(move |j| [coord(i), coord(j)]))
            .collect();
        ToyMixture::new(means, std, seed)
    }

    fn new(means: Vec<[f32; 2]>, std: f32, seed: u64) -> ToyMixture {
        ToyMixture {
            means,
            std,
            rng: StdRng::seed_from_u64(seed),
        }
    }

    pub fn means(&self) -> &[[f32; 2]] {
        &self.means
    }
}

impl DataSource for ToyMixture {
    fn reseed(&mut self, seed: u64) {
        self.rng = StdRng::seed_from_u64(seed);
    }

    fn shape(&self) -> SampleShape {
        SampleShape::Points2
    }

    fn batch(&mut self, n: usize) -> HostBatch {
        // N(0, std) as std · N(0, 1): what `Normal` draws, without a fallible constructor
        // (presets keep std finite and positive).
        let std = self.std;
        let normal = |rng: &mut StdRng| -> f32 {
            let z: f32 = StandardNormal.sample(rng);
            std * z
        };
        let mut x = Vec::with_capacity(n * 2);
        let mut labels = Vec::with_capacity(n);
        for _ in 0..n {
            let k = self.rng.random_range(0..self.means.len());
            let [mx, my] = self.means[k];
            x.push(mx + normal(&mut self.rng));
            x.push(my + normal(&mut self.rng));
            labels.push(k as u32);
        }
        HostBatch {
            n,
            x,
            labels: Some(labels),
            source: None,
        }
    }
}

/// Two interleaved spiral arms, each point jittered by `noise` across the arm.
pub struct Spiral {
    noise: f32,
    rng: StdRng,
}

impl Spiral {
    pub fn new(noise: f32, seed: u64) -> Spiral {
        Spiral {
            noise,
            rng: StdRng::seed_from_u64(seed),
        }
    }
}

impl DataSource for Spiral {
    fn reseed(&mut self, seed: u64) {
        self.rng = StdRng::seed_from_u64(seed);
    }

    fn shape(&self) -> SampleShape {
        SampleShape::Points2
    }

    fn batch(&mut self, n: usize) -> HostBatch {
        let noise = self.noise.max(f32::MIN_POSITIVE);
        let normal = |rng: &mut StdRng| -> f32 {
            let z: f32 = StandardNormal.sample(rng);
            noise * z
        };
        let mut x = Vec::with_capacity(n * 2);
        let mut labels = Vec::with_capacity(n);
        for _ in 0..n {
            let arm = self.rng.random_range(0..2u32);
            // sqrt keeps the density along the arm roughly uniform per unit length.
            let t: f32 = self.rng.random::<f32>().sqrt();
            let angle = 1.5 * std::f32::consts::TAU * t + std::f32::consts::PI * arm as f32;
            let r = 0.15 + 1.6 * t;
            x.push(r * angle.cos() + normal(&mut self.rng));
            x.push(r * angle.sin() + normal(&mut self.rng));
            labels.push(arm);
        }
        HostBatch {
            n,
            x,
            labels: Some(labels),
            source: None,
        }
    }
}

/// Mean Euclidean distance from each point to its nearest mean: how far generated points are
/// from the data's modes.
pub fn mean_distance_to_nearest(points: &[[f32; 2]], means: &[[f32; 2]]) -> f32 {
    if points.is_empty() {
        return f32::NAN;
    }
    let total: f32 = points
        .iter()
        .map(|p| {
            means
                .iter()
                .map(|m| ((p[0] - m[0]).powi(2) + (p[1] - m[1]).powi(2)).sqrt())
                .fold(f32::INFINITY, f32::min)
        })
        .sum();
    total / points.len() as f32
}

/// Axes `[x_min, x_max, y_min, y_max]` that frame a batch of points with a margin.
pub fn framing_bounds(points: &[[f32; 2]]) -> [f32; 4] {
    let mut b = [
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::INFINITY,
        f32::NEG_INFINITY,
    ];
    for p in points {
        b[0] = b[0].min(p[0]);
        b[1] = b[1].max(p[0]);
        b[2] = b[2].min(p[1]);
        b[3] = b[3].max(p[1]);
    }
    let half = ((b[1] - b[0]).max(b[3] - b[2]) / 2.0 * 1.25).max(0.5);
    let (cx, cy) = ((b[0] + b[1]) / 2.0, (b[2] + b[3]) / 2.0);
    [cx - half, cx + half, cy - half, cy + half]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_means_lie_on_the_circle() {
        let ring = ToyMixture::ring(8, 2.0, 0.02, 0);
        for m in ring.means() {
            let r = (m[0] * m[0] + m[1] * m[1]).sqrt();
            assert!(
                (r - 2.0).abs() < 1e-5,
                "mean {m:?} is off the radius-2 circle"
            );
        }
    }

    #[test]
    fn grid_means_cover_the_lattice() {
        let grid = ToyMixture::grid(5, 2.0, 0.05, 0);
        assert_eq!(grid.means().len(), 25, "a 5x5 grid has 25 modes");
        assert!(grid.means().contains(&[-4.0, 4.0]), "corner mean missing");
        assert!(grid.means().contains(&[0.0, 0.0]), "centre mean missing");
    }

    #[test]
    fn nearest_mode_distance_is_zero_on_the_means() {
        let grid = ToyMixture::grid(5, 2.0, 0.05, 0);
        let d = mean_distance_to_nearest(grid.means(), grid.means());
        assert_eq!(d, 0.0, "points on the means are at distance 0");
    }
}
