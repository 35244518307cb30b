//! The Fréchet distance between two sets of feature vectors, each taken as a Gaussian:
//! ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^½). With the features of an Inception network this is
//! FID; ganscope uses the penultimate layer of its own reference classifier of the data set,
//! so it needs nothing downloaded, and its values are comparable only between runs on the
//! same data set with the same classifier (never with published FIDs).
//!
//! Tr((Σ₁ Σ₂)^½) is computed as the sum of the square roots of the eigenvalues of the
//! symmetric Σ₁^½ Σ₂ Σ₁^½ (same spectrum), both by Jacobi rotations.

use crate::linalg::jacobi_eigen;

/// Mean and covariance (divided by n − 1) of `n` rows of `dim` values.
fn moments(x: &[f32], dim: usize) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = x.len() / dim;
    let mut mean = vec![0.0f64; dim];
    for row in x.chunks_exact(dim) {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += f64::from(*v);
        }
    }
    mean.iter_mut().for_each(|m| *m /= n as f64);
    let mut cov = vec![vec![0.0f64; dim]; dim];
    for row in x.chunks_exact(dim) {
        let centred: Vec<f64> = row
            .iter()
            .zip(&mean)
            .map(|(v, m)| f64::from(*v) - m)
            .collect();
        for (row, ci) in cov.iter_mut().zip(&centred) {
            for (v, cj) in row.iter_mut().zip(&centred) {
                *v += ci * cj;
            }
        }
    }
    let scale = 1.0 / (n.max(2) - 1) as f64;
    cov.iter_mut()
        .for_each(|row| row.iter_mut().for_each(|v| *v *= scale));
    symmetrise(&mut cov);
    (mean, cov)
}

/// Replace each pair of mirrored entries by their mean, so round-off cannot make the matrix
/// asymmetric.
fn symmetrise(m: &mut [Vec<f64>]) {
    let n = m.len();
    for i in 0..n {
        let (upper, lower) = m.split_at_mut(i + 1);
        for (k, row) in lower.iter_mut().enumerate() {
            let j = i + 1 + k;
            let v = 0.5 * (upper[i][j] + row[i]);
            upper[i][j] = v;
            row[i] = v;
        }
    }
}

/// a · b for square matrices.
fn product(a: &[Vec<f64>], b: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let n = a.len();
    (0..n)
        .map(|i| {
            (0..n)
                .map(|j| (0..n).map(|k| a[i][k] * b[k][j]).sum())
                .collect()
        })
        .collect()
}

/// The Fréchet distance between rows of `a` and rows of `b` (`dim` values each); `None`
/// with fewer than two rows on a side.
pub fn frechet_distance(a: &[f32], b: &[f32], dim: usize) -> Option<f64> {
    if dim == 0 || a.len() < 2 * dim || b.len() < 2 * dim {
        return None;
    }
    let (mean_a, cov_a) = moments(a, dim);
    let (mean_b, cov_b) = moments(b, dim);
    // Σa^½ from Σa's eigen-decomposition (negative round-off clamped to zero).
    let (values, vectors) = jacobi_eigen(&mut cov_a.clone());
    let root: Vec<Vec<f64>> = (0..dim)
        .map(|i| {
            (0..dim)
                .map(|j| {
                    (0..dim)
                        .map(|k| vectors[i][k] * values[k].max(0.0).sqrt() * vectors[j][k])
                        .sum()
                })
                .collect()
        })
        .collect();
    let mut middle = product(&product(&root, &cov_b), &root);
    symmetrise(&mut middle);
    let (roots, _) = jacobi_eigen(&mut middle);
    let trace_root: f64 = roots.iter().map(|v| v.max(0.0).sqrt()).sum();
    let means: f64 = mean_a
        .iter()
        .zip(&mean_b)
        .map(|(x, y)| (x - y).powi(2))
        .sum();
    let traces: f64 = (0..dim).map(|i| cov_a[i][i] + cov_b[i][i]).sum();
    Some((means + traces - 2.0 * trace_root).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng, rngs::StdRng};

    fn gaussian(n: usize, dim: usize, mean: f32, scale: f32, seed: u64) -> Vec<f32> {
        let mut rng = StdRng::seed_from_u64(seed);
        (0..n * dim)
            .map(|i| {
                // A sum of uniforms: close to a Gaussian, of variance scale² per axis.
                let u: f32 = (0..12).map(|_| rng.random::<f32>()).sum::<f32>() - 6.0;
                mean + scale * u * if i % dim == 0 { 2.0 } else { 1.0 }
            })
            .collect()
    }

    #[test]
    fn the_distance_is_zero_for_one_set_and_sees_means_and_spreads() {
        let a = gaussian(2000, 4, 0.0, 1.0, 1);
        assert!(frechet_distance(&a, &a, 4).is_some_and(|d| d < 1e-6));
        // Shifting every axis by 1 adds ‖Δμ‖² = 4.
        let shifted: Vec<f32> = a.iter().map(|v| v + 1.0).collect();
        let d = frechet_distance(&a, &shifted, 4).unwrap_or_default();
        assert!((d - 4.0).abs() < 1e-6, "{d}");
        // Two independent draws of one Gaussian are close; a wider one is far.
        let b = gaussian(2000, 4, 0.0, 1.0, 2);
        let wide = gaussian(2000, 4, 0.0, 2.0, 3);
        let same = frechet_distance(&a, &b, 4).unwrap_or_default();
        let far = frechet_distance(&a, &wide, 4).unwrap_or_default();
        // Σ = diag(4, 1, 1, 1) against 4Σ: Tr Σ + Tr 4Σ − 2 Tr 2Σ = Tr Σ = 7.
        assert!(same < 0.1 && (far - 7.0).abs() < 0.5, "{same} {far}");
        assert_eq!(frechet_distance(&a[..4], &b, 4), None);
    }

    #[test]
    fn correlations_count() {
        // Unit variances with correlation 0.9 against independent ones:
        // 2 + 2 − 2 (√1.9 + √0.1) = 0.6108.
        let g = gaussian(20_000, 2, 0.0, 1.0, 4);
        let correlated: Vec<f32> = g
            .chunks_exact(2)
            .flat_map(|p| {
                let (x, y) = (p[0] / 2.0, p[1]);
                [x, 0.9 * x + 0.19f32.sqrt() * y]
            })
            .collect();
        let independent: Vec<f32> = gaussian(20_000, 2, 0.0, 1.0, 5)
            .chunks_exact(2)
            .flat_map(|p| [p[0] / 2.0, p[1]])
            .collect();
        let d = frechet_distance(&correlated, &independent, 2).unwrap_or_default();
        assert!((d - 0.6108).abs() < 0.05, "{d}");
    }
}
