//! Spectral normalisation by hand (Miyato et al. 2018): a layer's weight W, viewed as a
//! matrix, is used as W / σ(W), where σ is its largest singular value, estimated by power
//! iteration from a vector `u` kept between steps (one iteration per training step, as in the
//! paper). σ = uᵀ W v carries the gradient to W; `u` and `v` do not.

use burn::prelude::*;

/// Starting estimate of the left singular vector for a matrix with `rows` rows: all ones,
/// normalised (any vector not orthogonal to the true one converges).
pub fn initial_u(rows: usize, device: &Device) -> Tensor<2> {
    Tensor::<2>::ones([1, rows], device).div_scalar((rows as f64).sqrt())
}

/// One power-iteration step on `w` ([rows, cols]) from `u` ([1, rows]): σ (a [1] tensor,
/// differentiable with respect to `w`) and the next `u` (detached).
pub fn sigma(w: Tensor<2>, u: &Tensor<2>) -> (Tensor<1>, Tensor<2>) {
    let fixed = w.clone().detach();
    let v = normalize(u.clone().matmul(fixed.clone())); // [1, cols]
    let u_next = normalize(v.clone().matmul(fixed.transpose())).detach(); // [1, rows]
    let sigma = u_next.clone().matmul(w).mul(v.detach()).sum(); // uᵀ W v
    (sigma, u_next)
}

/// σ of `w` ([rows, cols]) by `iterations` power-iteration steps from [`initial_u`], and
/// the `u` reached (for [`improved`] to continue from).
pub fn measured_sigma(w: Tensor<2>, iterations: usize) -> (f32, Tensor<2>) {
    let mut u = initial_u(w.dims()[0], &w.device());
    let mut sigma = 0.0;
    for _ in 0..iterations.max(1) {
        let (s, next) = self::sigma(w.clone().detach(), &u);
        sigma = s.into_scalar::<f32>();
        u = next;
    }
    (sigma, u)
}

/// Improved spectral normalisation (ViTGAN, Lee et al. 2022): the weight used is
/// W · σ(W₀) / σ(W), where σ(W₀) = `initial` is the largest singular value of the layer's
/// initial weight, so the layer keeps its initial scale instead of being pushed to σ = 1
/// (which slows a transformer's learning) while its Lipschitz constant stays bounded. One
/// power-iteration step from `u`; returns the weight and the next `u`.
pub fn improved(w: Tensor<2>, u: &Tensor<2>, initial: f32) -> (Tensor<2>, Tensor<2>) {
    let (sigma, next) = self::sigma(w.clone(), u);
    (
        w.mul_scalar(f64::from(initial)).div(sigma.unsqueeze()),
        next,
    )
}

/// A [1, n] row scaled to unit length.
fn normalize(x: Tensor<2>) -> Tensor<2> {
    let norm = x.clone().powi_scalar(2).sum().sqrt().add_scalar(1e-12);
    x.div(norm.unsqueeze())
}

/// A layer weight as the matrix power iteration runs on: a linear weight as it is
/// ([in, out]), a convolution weight [out, in, k, k] as [out, in·k·k].
pub fn as_matrix<const D: usize>(w: Tensor<D>) -> Tensor<2> {
    let dims = w.dims();
    let rows = dims[0];
    let cols = dims.iter().skip(1).product();
    w.reshape([rows, cols])
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Distribution;

    /// σ of a host matrix by a long power iteration in f64.
    fn reference_sigma(values: &[f32], rows: usize, cols: usize) -> f64 {
        let a = |r: usize, c: usize| f64::from(values[r * cols + c]);
        let mut v = vec![1.0f64; cols];
        let mut sigma = 0.0;
        for _ in 0..5000 {
            let u: Vec<f64> = (0..rows)
                .map(|r| (0..cols).map(|c| a(r, c) * v[c]).sum())
                .collect();
            let w: Vec<f64> = (0..cols)
                .map(|c| (0..rows).map(|r| a(r, c) * u[r]).sum())
                .collect();
            let norm = w.iter().map(|x| x * x).sum::<f64>().sqrt();
            sigma = norm.sqrt();
            v = w.iter().map(|x| x / norm).collect();
        }
        sigma
    }

    #[test]
    fn power_iteration_finds_the_top_singular_value_and_normalises_it_to_one() {
        let device = Device::flex();
        let (rows, cols) = (24, 40);
        let (w, mut u) = crate::models::seeded_draws(&device, 3, || {
            let w = Tensor::<2>::random([rows, cols], Distribution::Normal(0.0, 1.0), &device);
            (w, initial_u(rows, &device))
        });
        let values = w
            .clone()
            .into_data()
            .try_to_vec::<f32>()
            .unwrap_or_default();
        let expected = reference_sigma(&values, rows, cols);
        let mut estimate = 0.0;
        for _ in 0..200 {
            let (s, next) = sigma(w.clone(), &u);
            estimate = f64::from(s.into_scalar::<f32>());
            u = next;
        }
        assert!(
            (estimate - expected).abs() / expected < 1e-3,
            "σ {estimate} vs {expected}"
        );
        let normalised = w
            .div_scalar(estimate)
            .into_data()
            .try_to_vec::<f32>()
            .unwrap_or_default();
        let top = reference_sigma(&normalised, rows, cols);
        assert!((top - 1.0).abs() < 1e-3, "W/σ has top singular value {top}");
    }
}
