//! Principal directions of a generator, GANSpace-style (Härkönen et al. 2020).
//!
//! Sample many z, look at what G makes of them, and take the top principal components of those
//! outputs. A component lives in output space, but a slider needs a direction in z: regress
//! the latents on each component's coordinates (the components are uncorrelated, so each slope
//! is a one-dimensional least-squares fit). The z direction is scaled so that one unit moves
//! the output by one standard deviation along its component: sliders run over ±3σ.
//!
//! The components come from randomized subspace iteration (a few passes of Xᵀ·X over a block
//! of k + 8 vectors, then an exact eigen-decomposition of the small projected matrix by Jacobi
//! rotations); it needs only products with the data, never the features × features covariance.

use rand::{SeedableRng, rngs::StdRng};
use rand_distr::{Distribution, StandardNormal};

/// Extra vectors carried through the subspace iteration for accuracy.
const OVERSAMPLE: usize = 8;
/// Passes of the subspace iteration; the gap between the leading eigenvalues of image data is
/// wide enough that this converges far below what a slider can show.
const PASSES: usize = 12;

/// Directions in latent space, strongest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Directions {
    /// One z direction per component, scaled so that 1.0 moves the output by one standard
    /// deviation along the component.
    pub latent: Vec<Vec<f32>>,
    /// The unit component in output space.
    pub output: Vec<Vec<f32>>,
    /// Share of the outputs' total variance each component explains (0..1).
    pub explained: Vec<f32>,
    /// Standard deviation of the outputs along each component.
    pub sigma: Vec<f32>,
}

/// Top `k` principal directions of `outputs` ([n, features]) produced from `latents`
/// ([n, latent_dim]). `k` is capped at what the data can support.
pub fn principal_directions(
    latents: &[f32],
    outputs: &[f32],
    n: usize,
    k: usize,
    seed: u64,
) -> Directions {
    if n < 2 || outputs.is_empty() {
        return Directions::default();
    }
    let features = outputs.len() / n;
    let latent_dim = latents.len() / n;
    let x = centered(outputs, n, features);
    let z = centered(latents, n, latent_dim);
    let total: f64 = x.iter().map(|v| v * v).sum::<f64>() / (n - 1) as f64;
    let k = k.min(features).min(n - 1);
    let (axes, eigenvalues) = top_eigenvectors(&x, n, features, k, seed);
    let mut out = Directions::default();
    for (axis, lambda) in axes.into_iter().zip(eigenvalues) {
        let variance = (lambda / (n - 1) as f64).max(0.0);
        // Coordinates of every sample on this component, then the slope of z on them.
        let coords: Vec<f64> = (0..n).map(|j| dot(row(&x, j, features), &axis)).collect();
        let energy: f64 = coords.iter().map(|c| c * c).sum();
        let sigma = variance.sqrt();
        let direction: Vec<f32> = (0..latent_dim)
            .map(|d| {
                let slope: f64 = (0..n)
                    .map(|j| coords[j] * z[j * latent_dim + d])
                    .sum::<f64>()
                    / energy.max(1e-30);
                (slope * sigma) as f32
            })
            .collect();
        out.latent.push(direction);
        out.output.push(axis.iter().map(|&v| v as f32).collect());
        out.explained.push(if total > 0.0 {
            (variance / total) as f32
        } else {
            0.0
        });
        out.sigma.push(sigma as f32);
    }
    out
}

/// Rows minus their column means, in f64.
fn centered(values: &[f32], n: usize, width: usize) -> Vec<f64> {
    let mut mean = vec![0.0f64; width];
    for j in 0..n {
        for (m, &v) in mean.iter_mut().zip(&values[j * width..(j + 1) * width]) {
            *m += f64::from(v) / n as f64;
        }
    }
    (0..n * width)
        .map(|i| f64::from(values[i]) - mean[i % width])
        .collect()
}

fn row(x: &[f64], j: usize, width: usize) -> &[f64] {
    &x[j * width..(j + 1) * width]
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The `k` leading eigenvectors of XᵀX (unit length) and their eigenvalues, largest first.
fn top_eigenvectors(
    x: &[f64],
    n: usize,
    features: usize,
    k: usize,
    seed: u64,
) -> (Vec<Vec<f64>>, Vec<f64>) {
    let m = (k + OVERSAMPLE).min(features);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut block: Vec<Vec<f64>> = (0..m)
        .map(|_| {
            (0..features)
                .map(|_| StandardNormal.sample(&mut rng))
                .collect()
        })
        .collect();
    orthonormalize(&mut block);
    for _ in 0..PASSES {
        block = block
            .iter()
            .map(|q| gram_times(x, n, features, q))
            .collect();
        orthonormalize(&mut block);
    }
    // Project XᵀX onto the block (B = QᵀXᵀXQ, m × m) and diagonalise it exactly.
    let images: Vec<Vec<f64>> = block
        .iter()
        .map(|q| gram_times(x, n, features, q))
        .collect();
    let mut small: Vec<Vec<f64>> = (0..m)
        .map(|a| (0..m).map(|b| dot(&block[a], &images[b])).collect())
        .collect();
    let (values, vectors) = crate::linalg::jacobi_eigen(&mut small);
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    order
        .into_iter()
        .take(k)
        .map(|c| {
            let mut axis = vec![0.0; features];
            for (a, q) in block.iter().enumerate() {
                for (o, v) in axis.iter_mut().zip(q) {
                    *o += vectors[a][c] * v;
                }
            }
            (axis, values[c])
        })
        .unzip()
}

/// XᵀX·q without forming XᵀX.
fn gram_times(x: &[f64], n: usize, features: usize, q: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; features];
    for j in 0..n {
        let r = row(x, j, features);
        let c = dot(r, q);
        for (o, v) in out.iter_mut().zip(r) {
            *o += c * v;
        }
    }
    out
}

/// Modified Gram–Schmidt; a vector that collapses to zero is replaced by a unit basis vector
/// orthogonalised in turn (only happens when the data has fewer dimensions than the block).
fn orthonormalize(block: &mut [Vec<f64>]) {
    for i in 0..block.len() {
        for attempt in 0..=block[i].len() {
            for j in 0..i {
                let projection = dot(&block[i], &block[j]);
                let (done, rest) = block.split_at_mut(i);
                for (v, u) in rest[0].iter_mut().zip(&done[j]) {
                    *v -= projection * u;
                }
            }
            let length = dot(&block[i], &block[i]).sqrt();
            if length > 1e-10 {
                block[i].iter_mut().for_each(|v| *v /= length);
                break;
            }
            let width = block[i].len();
            block[i] = (0..width)
                .map(|d| f64::from(u8::from(d == attempt % width)))
                .collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// n samples of a 20-D cloud: variance 9 along `axis`, 1 along a second orthogonal axis,
    /// 0.01 elsewhere; the latents are the first two coordinates that made them.
    fn cloud(n: usize, axis: &[f32], second: &[f32]) -> (Vec<f32>, Vec<f32>) {
        let mut rng = StdRng::seed_from_u64(5);
        let mut latents = Vec::new();
        let mut outputs = Vec::new();
        for _ in 0..n {
            let a: f32 = StandardNormal.sample(&mut rng);
            let b: f32 = StandardNormal.sample(&mut rng);
            latents.extend([a, b, StandardNormal.sample(&mut rng)]);
            for d in 0..axis.len() {
                let noise: f32 = StandardNormal.sample(&mut rng);
                outputs.push(3.0 * a * axis[d] + b * second[d] + 0.1 * noise + 5.0);
            }
        }
        (latents, outputs)
    }

    fn unit(v: Vec<f32>) -> Vec<f32> {
        let n = crate::latent::norm(&v);
        v.into_iter().map(|x| x / n).collect()
    }

    #[test]
    fn the_first_component_finds_the_dominant_axis() {
        let axis = unit((0..20).map(|i| (i as f32 * 0.7).sin()).collect());
        let raw: Vec<f32> = (0..20).map(|i| (i as f32 * 1.3).cos()).collect();
        let along = raw.iter().zip(&axis).map(|(r, a)| r * a).sum::<f32>();
        let second = unit(raw.iter().zip(&axis).map(|(r, a)| r - along * a).collect());
        let (latents, outputs) = cloud(2000, &axis, &second);
        let found = principal_directions(&latents, &outputs, 2000, 3, 1);
        assert_eq!(found.latent.len(), 3);
        let cos: f32 = found.output[0].iter().zip(&axis).map(|(a, b)| a * b).sum();
        assert!(cos.abs() > 0.999, "first component off the axis: cos {cos}");
        let cos2: f32 = found.output[1]
            .iter()
            .zip(&second)
            .map(|(a, b)| a * b)
            .sum();
        assert!(cos2.abs() > 0.99, "second component: cos {cos2}");
        // Expected shares: 9 and 1 out of 9 + 1 + 20·0.01.
        assert!(
            (found.explained[0] - 9.0 / 10.2).abs() < 0.03,
            "{:?}",
            found.explained
        );
        assert!(
            (found.explained[1] - 1.0 / 10.2).abs() < 0.02,
            "{:?}",
            found.explained
        );
        assert!((found.sigma[0] - 3.0).abs() < 0.15, "{:?}", found.sigma);
        // The latent direction of component 0 is (±1, 0, 0): 1σ of output = 1 unit of z[0].
        let d = &found.latent[0];
        assert!(
            (d[0].abs() - 1.0).abs() < 0.05 && d[1].abs() < 0.05 && d[2].abs() < 0.05,
            "{d:?}"
        );
    }

    #[test]
    fn rank_deficient_data_still_gives_orthonormal_axes() {
        // Every output is the same point on a line: 1 real dimension in 4.
        let latents: Vec<f32> = (0..10).map(|i| i as f32).collect();
        let outputs: Vec<f32> = (0..10).flat_map(|i| [i as f32, 0.0, 0.0, 0.0]).collect();
        let found = principal_directions(&latents, &outputs, 10, 3, 2);
        assert!((found.explained[0] - 1.0).abs() < 1e-5);
        for a in 0..3 {
            for b in 0..3 {
                let d: f32 = found.output[a]
                    .iter()
                    .zip(&found.output[b])
                    .map(|(x, y)| x * y)
                    .sum();
                let want = if a == b { 1.0 } else { 0.0 };
                assert!((d - want).abs() < 1e-4, "axes {a},{b}: {d}");
            }
        }
    }
}
