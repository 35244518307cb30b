//! A gradient penalty for discriminators without an input-gradient adjoint (the ViT, the
//! PatchGAN): ‖∇ₓD(x)‖² **estimated** by central finite differences along random
//! directions, as ordinary differentiable operations on D's weights.
//!
//! For a unit direction u drawn uniformly on the sphere of ℝᶠ, the directional derivative
//! s = ∇D·u has E[s²] = ‖∇D‖²/F, so F·mean(s²) over `DIRECTIONS` draws is an unbiased
//! estimate of the squared norm. Each s is (D(x + h·u) − D(x − h·u)) / 2h: two forward
//! passes of D, which autodiff differentiates like any loss, so the penalty's gradient
//! reaches D's weights although burn's autodiff is first order. The truncation error is
//! O(h²) for smooth layers; the step is small against the pixels' range [−1, 1] and large
//! against f32 rounding of D's score.
//!
//! Decision: the exact adjoint stays the method wherever a family has one (MLP, DCGAN,
//! ProGAN); the estimate serves the others and is labelled "estimated" in the UI. WGAN-GP
//! needs ‖∇D‖, not its square: the square root of the estimate, divided by the mean of
//! √(χ²ₖ/k) (so the norm's estimate is unbiased), with k = `DIRECTIONS`. Its spread still
//! moves the penalty's minimum a little below a norm of 1: E[(n̂ − 1)²] = n²/c² − 2n + 1
//! with c = E[√(χ²₄/4)] ≈ 0.94 is least at n = c² ≈ 0.88.
//!
//! A discriminator that couples the samples of a batch (minibatch standard deviation)
//! moves the whole batch along its directions at once; its estimate is then that of the
//! batch-coupled gradient, as ProGAN's own penalty takes it.

use burn::prelude::*;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};

/// Random directions per sample.
pub const DIRECTIONS: usize = 4;

/// The finite-difference step along a unit direction (a total move of 0.01 spread over every
/// pixel: about 0.0003 per pixel of a 32 × 32 image).
pub const STEP: f64 = 0.01;

/// E[√(χ²ₖ/k)] for k = 4: √(2/4)·Γ(5/2)/Γ(2) = 3√π / (4√2).
const MEAN_CHI_4: f64 = 0.939_985_6;

/// Unit directions [count, features] drawn from `rng` (Gaussian rows, normalised).
pub fn directions(count: usize, features: usize, rng: &mut StdRng, device: &Device) -> Tensor<2> {
    let mut values = Vec::with_capacity(count * features);
    for _ in 0..count {
        let row: Vec<f32> = (0..features).map(|_| StandardNormal.sample(rng)).collect();
        let norm = row
            .iter()
            .map(|v| v * v)
            .sum::<f32>()
            .sqrt()
            .max(f32::MIN_POSITIVE);
        values.extend(row.into_iter().map(|v| v / norm));
    }
    Tensor::from_data(TensorData::new(values, [count, features]), device)
}

/// Directional derivatives of `d` at `x` [batch, features] along `u` [k·batch, features]
/// (row j·batch + i is a direction for sample i) by central differences of `step`:
/// [k·batch, 1].
pub fn directional(
    d: impl Fn(Tensor<2>) -> Tensor<2>,
    x: Tensor<2>,
    u: Tensor<2>,
    step: f64,
) -> Tensor<2> {
    let [batch, _] = x.dims();
    let k = u.dims()[0] / batch.max(1);
    let x = x.repeat_dim(0, k);
    let moved = u.mul_scalar(step);
    let ahead = d(x.clone() + moved.clone());
    let behind = d(x - moved);
    (ahead - behind).div_scalar(2.0 * step)
}

/// Estimated ‖∇ₓD(x)‖² per sample, [batch], from `DIRECTIONS` directions each; `d` maps
/// a batch of inputs to scores [n, 1] and treats the repeated batch's copies as samples.
pub fn squared_norms(
    d: impl Fn(Tensor<2>) -> Tensor<2>,
    x: Tensor<2>,
    rng: &mut StdRng,
) -> Tensor<1> {
    let [batch, features] = x.dims();
    let u = directions(DIRECTIONS * batch, features, rng, &x.device());
    directional(d, x.detach(), u, STEP)
        .reshape([DIRECTIONS, batch])
        .powi_scalar(2)
        .mean_dim(0)
        .reshape([batch])
        .mul_scalar(features as f64)
}

/// WGAN-GP's λ·E[(‖∇D‖ − 1)²] with the norm estimated (see the module's note).
pub fn gradient_penalty(squared: Tensor<1>, weight: f32) -> Tensor<1> {
    squared
        .add_scalar(1e-12)
        .sqrt()
        .div_scalar(MEAN_CHI_4)
        .sub_scalar(1.0)
        .powi_scalar(2)
        .mean()
        .mul_scalar(f64::from(weight))
}

/// R1's λ/2·E[‖∇D‖²] with the squared norm estimated (unbiased).
pub fn r1_penalty(squared: Tensor<1>, weight: f32) -> Tensor<1> {
    squared.mean().mul_scalar(f64::from(weight) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::loss;
    use crate::models::{Discriminator, dcgan, mlp, vit};
    use burn::module::{Module, ModuleVisitor, Param};
    use rand::{Rng, SeedableRng};

    fn uniform(n: usize, seed: u64) -> Vec<f32> {
        let mut rng = StdRng::seed_from_u64(seed);
        (0..n).map(|_| rng.random_range(-1.0f32..1.0)).collect()
    }

    fn host<const D: usize>(t: Tensor<D>) -> Vec<f32> {
        t.into_data().try_to_vec::<f32>().unwrap_or_default()
    }

    fn rows(values: Vec<f32>, features: usize, device: &Device) -> Tensor<2> {
        let n = values.len() / features;
        Tensor::from_data(TensorData::new(values, [n, features]), device)
    }

    /// Errors `|a − b|` as fractions of the RMS of `b`, sorted.
    fn errors(a: &[f32], b: &[f32]) -> Vec<f64> {
        let rms = (b.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / b.len() as f64).sqrt();
        assert!(rms > 0.0, "something to compare");
        let mut e: Vec<f64> = a
            .iter()
            .zip(b)
            .map(|(a, b)| f64::from(a - b).abs() / rms)
            .collect();
        e.sort_by(f64::total_cmp);
        e
    }

    /// The `q` quantile of sorted values.
    fn quantile(sorted: &[f64], q: f64) -> f64 {
        sorted[((sorted.len() - 1) as f64 * q) as usize]
    }

    /// Sorted errors in words: their median, 95th percentile and largest.
    fn spread(sorted: &[f64]) -> String {
        format!(
            "median {:.2e}, 95th percentile {:.2e}, largest {:.2e} of the RMS",
            quantile(sorted, 0.5),
            quantile(sorted, 0.95),
            quantile(sorted, 1.0)
        )
    }

    /// The step for the LeakyReLU critics: a difference that straddles a kink is wrong for
    /// its direction, and a smaller step straddles fewer (the ViT, which the estimate
    /// serves, is smooth and is checked at [`STEP`]).
    const KINKED_STEP: f64 = 1e-3;

    fn critics(device: &Device) -> Vec<(Discriminator, usize)> {
        let mlp = crate::models::seeded(device, 31, || {
            Discriminator::Mlp(mlp::MlpDiscriminator::new(6, 32, 3, false, None, device))
        });
        let dcgan = crate::models::seeded(device, 32, || {
            Discriminator::Dcgan(dcgan::DcganDiscriminator::new(
                dcgan::DcganShape {
                    latent: 8,
                    channels: 1,
                    size: 16,
                    ngf: 4,
                    ndf: 8,
                    bias: true,
                    d_batch_norm: false,
                    spectral: false,
                    pack: 1,
                    classes: None,
                },
                device,
            ))
        });
        vec![(mlp, 6), (dcgan, 256)]
    }

    /// `exact` [batch, features] gradients dotted with the directions `u` [k·batch, features].
    fn dots(exact: &[f32], u: &[f32], batch: usize, features: usize) -> Vec<f32> {
        (0..u.len() / features)
            .map(|row| {
                let i = row % batch;
                (0..features)
                    .map(|f| exact[i * features + f] * u[row * features + f])
                    .sum()
            })
            .collect()
    }

    /// The finite differences against the exact adjoint's ∇D·u on the MLP and DCGAN critics,
    /// and the squared norm's estimate over many directions against ‖∇D‖². Their LeakyReLU
    /// kinks make a difference that straddles one wrong for that direction, so the check is
    /// on the 95th percentile (see [`KINKED_STEP`]); the ViT below is smooth.
    #[test]
    fn directional_derivatives_and_the_norm_estimate_match_the_exact_adjoint() {
        let device = Device::flex();
        for (d, features) in critics(&device) {
            let batch = 3;
            let x = rows(uniform(batch * features, 5), features, &device);
            let exact = host(d.input_gradient(x.clone(), None).expect("an adjoint"));
            let k = 500;
            let u = directions(k * batch, features, &mut StdRng::seed_from_u64(9), &device);
            let along = host(directional(
                |x| d.forward(x, None),
                x,
                u.clone(),
                KINKED_STEP,
            ));
            let dots = dots(&exact, &host(u), batch, features);
            let e = errors(&along, &dots);
            assert!(
                quantile(&e, 0.95) < 0.02,
                "{features} features: {}",
                spread(&e)
            );
            for i in 0..batch {
                let estimate: f64 = (i..along.len())
                    .step_by(batch)
                    .map(|row| features as f64 * f64::from(along[row]).powi(2))
                    .sum::<f64>()
                    / k as f64;
                let norm: f64 = exact[i * features..(i + 1) * features]
                    .iter()
                    .map(|g| f64::from(*g).powi(2))
                    .sum();
                // F·s² spreads about √2 times its mean: 500 draws leave about 6 %.
                assert!(
                    (estimate / norm - 1.0).abs() < 0.2,
                    "{features} features, sample {i}: {estimate} vs ‖g‖² {norm}"
                );
            }
        }
    }

    /// On the ViT (GELU, softmax, LayerNorm: smooth) every finite difference matches ∇D·u
    /// with ∇D from autodiff (its samples are independent, so the gradient of the batch's
    /// summed scores is each sample's own).
    #[test]
    fn on_the_vit_every_directional_derivative_matches_autodiff() {
        let device = Device::flex().autodiff();
        let (batch, side) = (2, 8);
        let features = side * side;
        let d = crate::models::seeded(&device, 33, || {
            vit::VitDiscriminator::new(
                vit::VitShape {
                    channels: 1,
                    size: side,
                    patch: 4,
                    overlap: 1,
                    dim: 16,
                    heads: 2,
                    depth: 2,
                    attention: crate::models::attention::AttentionKind::L2,
                    norm: crate::models::norm_linear::Normalisation::Improved,
                    minibatch_stddev: false,
                },
                &device,
            )
        });
        let x = rows(uniform(batch * features, 7), features, &device);
        let tracked = x.clone().require_grad();
        let grads = d.forward(tracked.clone()).sum().backward();
        let exact = tracked.grad(&grads).map(host).unwrap_or_default();
        let k = 50;
        let u = directions(k * batch, features, &mut StdRng::seed_from_u64(10), &device);
        let along = host(directional(|x| d.forward(x), x, u.clone(), STEP));
        let e = errors(&along, &dots(&exact, &host(u), batch, features));
        assert!(quantile(&e, 1.0) < 0.02, "{}", spread(&e));
    }

    /// Every float parameter's gradient, in visiting order (`None`: the loss does not reach
    /// it).
    struct Gradients<'a>(&'a burn::tensor::Gradients, Vec<Option<Vec<f32>>>);

    impl ModuleVisitor for Gradients<'_> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.1.push(param.val().grad(self.0).map(host));
        }
    }

    /// With the coordinate axes as its directions the estimate is the exact squared norm
    /// (up to the finite difference), so R1's gradients on D's weights agree with the exact
    /// penalty's: the finite differences carry the penalty's gradient to the weights. On
    /// the MLP critic; on the DCGAN critic a difference straddling a LeakyReLU kink (one in
    /// a few dozen pixels at this step) throws the summed gradient of a whole filter off by
    /// about 1/step, which is why the families with kinks keep their exact adjoint.
    #[test]
    fn along_the_axes_the_estimated_penalty_trains_the_weights_as_the_exact_one() {
        let device = Device::flex().autodiff();
        for (d, features) in critics(&device).into_iter().take(1) {
            let batch = 4;
            let x = rows(uniform(batch * features, 6), features, &device);
            let axes: Vec<f32> = (0..features)
                .flat_map(|j| {
                    (0..batch)
                        .flat_map(move |_| (0..features).map(move |f| f32::from(u8::from(f == j))))
                })
                .collect();
            let u = rows(axes, features, &device);
            let squared = directional(|x| d.forward(x, None), x.clone(), u, KINKED_STEP)
                .reshape([features, batch])
                .powi_scalar(2)
                .sum_dim(0)
                .reshape([batch]);
            let grads = |penalty: Tensor<1>| {
                let grads = penalty.backward();
                let mut collect = Gradients(&grads, Vec::new());
                d.visit(&mut collect);
                collect.1
            };
            let exact = loss::r1_penalty(d.input_gradient(x, None).expect("adjoint"), 10.0);
            let (estimated, exact) = (grads(r1_penalty(squared, 10.0)), grads(exact));
            assert_eq!(estimated.len(), exact.len());
            // The weights the exact penalty reaches (not the biases: the kinks' masks are
            // detached).
            let (a, b): (Vec<f32>, Vec<f32>) = estimated
                .iter()
                .zip(&exact)
                .filter_map(|(a, b)| Some(a.clone()?.into_iter().zip(b.clone()?)))
                .flatten()
                .unzip();
            let e = errors(&a, &b);
            assert!(
                quantile(&e, 0.95) < 0.02,
                "{features} features: {}",
                spread(&e)
            );
        }
    }
}
