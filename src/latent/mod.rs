//! Latent-space arithmetic shared by the engine, the explorer UI and the CLI: seeded latent
//! vectors, truncation, interpolation paths and principal directions. Plain `f32` slices in,
//! plain vectors out; no burn and no egui here, so every formula is tested on its own.

pub mod interpolate;
pub mod pca;

use rand::{SeedableRng, rngs::StdRng};
use rand_distr::{Distribution, StandardNormal};

pub use interpolate::{InterpMode, path};
pub use pca::{Directions, principal_directions};

/// The latent vector a seed stands for: `dim` draws from N(0, 1). The sample grid's tile `i`
/// is seed `i`, so a tile can be named, typed in and reproduced anywhere (GUI and CLI alike).
pub fn from_seed(seed: u64, dim: usize) -> Vec<f32> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..dim).map(|_| StandardNormal.sample(&mut rng)).collect()
}

/// The seed among the next 64 after `from` whose latent points most nearly the opposite way
/// (lowest cosine similarity): a default walk end that crosses the latent space, so a walk
/// on a mixture visits more than the one mode both ends fall into.
pub fn opposite_seed(from: u64, dim: usize) -> u64 {
    let a = from_seed(from, dim);
    let cosine = |b: &[f32]| {
        let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
        let norms = a.iter().map(|x| x * x).sum::<f32>().sqrt()
            * b.iter().map(|x| x * x).sum::<f32>().sqrt();
        dot / norms.max(f32::MIN_POSITIVE)
    };
    (from + 1..from + 65)
        .min_by(|&x, &y| cosine(&from_seed(x, dim)).total_cmp(&cosine(&from_seed(y, dim))))
        .unwrap_or(from + 1)
}

/// Latent vectors for seeds `first..first + n`, concatenated ([n, dim] row-major).
pub fn from_seeds(first: u64, n: usize, dim: usize) -> Vec<f32> {
    (first..first + n as u64)
        .flat_map(|seed| from_seed(seed, dim))
        .collect()
}

/// The truncation trick: pull `z` toward `mean` by `psi` (0 gives the mean, 1 leaves `z` as it
/// is). The prior is N(0, I), so the UI passes a zero mean; values beyond 1 push outwards.
pub fn truncate(z: &[f32], mean: &[f32], psi: f32) -> Vec<f32> {
    z.iter()
        .zip(mean)
        .map(|(&v, &m)| psi * v + (1.0 - psi) * m)
        .collect()
}

/// `z + Σ offsets[i] · directions[i]`: moves along several latent directions at once.
pub fn offset(z: &[f32], directions: &[Vec<f32>], offsets: &[f32]) -> Vec<f32> {
    let mut out = z.to_vec();
    for (direction, &amount) in directions.iter().zip(offsets) {
        for (o, d) in out.iter_mut().zip(direction) {
            *o += amount * d;
        }
    }
    out
}

/// Euclidean norm.
pub fn norm(v: &[f32]) -> f32 {
    v.iter().map(|x| x * x).sum::<f32>().sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_opposite_seed_points_away() {
        let to = opposite_seed(0, 2);
        let (a, b) = (from_seed(0, 2), from_seed(to, 2));
        let dot: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!(dot < 0.0, "seed {to} points away from seed 0");
        assert_ne!(to, 0);
    }

    #[test]
    fn truncation_at_zero_is_the_mean_and_at_one_is_identity() {
        let z = from_seed(7, 16);
        let mean: Vec<f32> = (0..16).map(|i| i as f32 * 0.1).collect();
        assert_eq!(truncate(&z, &mean, 0.0), mean);
        assert_eq!(truncate(&z, &mean, 1.0), z);
        let half = truncate(&z, &[0.0; 16], 0.5);
        assert!((norm(&half) - 0.5 * norm(&z)).abs() < 1e-5);
    }

    #[test]
    fn seeds_are_reproducible_and_distinct() {
        assert_eq!(from_seed(3, 8), from_seed(3, 8));
        assert_ne!(from_seed(3, 8), from_seed(4, 8));
        let many = from_seeds(3, 2, 8);
        assert_eq!(&many[..8], from_seed(3, 8).as_slice());
        assert_eq!(&many[8..], from_seed(4, 8).as_slice());
    }

    #[test]
    fn offsets_add_scaled_directions() {
        let moved = offset(&[1.0, 1.0], &[vec![1.0, 0.0], vec![0.0, 2.0]], &[0.5, -1.0]);
        assert_eq!(moved, vec![1.5, -1.0]);
    }
}
