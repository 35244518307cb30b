//! GAN losses on D's raw outputs, and the penalties on D's input gradient.
//!
//! Logistic losses are written with log-sigmoid, using 1 − σ(t) = σ(−t), so large logits
//! cannot overflow. With `smoothing` s the target for real samples is 1 − s (one-sided label
//! smoothing, logistic and least-squares losses only).

use crate::models::critic;
use crate::preset::LossKind;
use burn::prelude::*;
use burn::tensor::activation::{log_sigmoid, relu};

/// D's loss on its outputs for a real and a generated batch. Returns a [1] tensor.
pub fn discriminator(
    kind: LossKind,
    real: Tensor<2>,
    fake: Tensor<2>,
    smoothing: f32,
) -> Tensor<1> {
    let target = 1.0 - f64::from(smoothing);
    match kind {
        LossKind::Minimax | LossKind::NonSaturating => {
            // −[t·log σ(r) + (1 − t)·log(1 − σ(r))] − log(1 − σ(f))
            let real_term = if smoothing == 0.0 {
                log_sigmoid(real).mean()
            } else {
                (log_sigmoid(real.clone()).mul_scalar(target)
                    + log_sigmoid(-real).mul_scalar(1.0 - target))
                .mean()
            };
            -(real_term + log_sigmoid(-fake).mean())
        }
        // ½E[(D(x) − t)²] + ½E[D(G(z))²]
        LossKind::LeastSquares => (real.sub_scalar(target).powi_scalar(2).mean()
            + fake.powi_scalar(2).mean())
        .mul_scalar(0.5),
        // E[max(0, 1 − D(x))] + E[max(0, 1 + D(G(z)))]
        LossKind::Hinge => {
            relu(real.neg().add_scalar(1.0)).mean() + relu(fake.add_scalar(1.0)).mean()
        }
        // D maximises E[D(x)] − E[D(G(z))]
        LossKind::Wasserstein => fake.mean() - real.mean(),
    }
}

/// G's loss on D's outputs for a generated batch. Returns a [1] tensor.
pub fn generator(kind: LossKind, fake: Tensor<2>) -> Tensor<1> {
    match kind {
        // G minimises log(1 − σ(D(G(z)))), the original (saturating) game.
        LossKind::Minimax => log_sigmoid(-fake).mean(),
        LossKind::NonSaturating => -log_sigmoid(fake).mean(),
        LossKind::LeastSquares => fake.sub_scalar(1.0).powi_scalar(2).mean().mul_scalar(0.5),
        LossKind::Hinge | LossKind::Wasserstein => -fake.mean(),
    }
}

/// Mode seeking: λ / (mean |a − b| / mean |z_a − z_b| + ε) for two generated batches `a`,
/// `b` from latents `z_a`, `z_b` (same classes). Small when G's outputs move with z.
pub fn mode_seeking(
    a: Tensor<2>,
    b: Tensor<2>,
    z_a: Tensor<2>,
    z_b: Tensor<2>,
    weight: f32,
) -> Tensor<1> {
    let ratio = (a - b).abs().mean() / (z_a - z_b).abs().mean().detach();
    ratio.add_scalar(1e-5).recip().mul_scalar(f64::from(weight))
}

/// WGAN-GP: λ·E[(‖g‖ − 1)²] for input gradients `g` [batch, features] at interpolates.
pub fn gradient_penalty(g: Tensor<2>, weight: f32) -> Tensor<1> {
    critic::norms(g)
        .sub_scalar(1.0)
        .powi_scalar(2)
        .mean()
        .mul_scalar(f64::from(weight))
}

/// R1: λ/2·E[‖g‖²] for input gradients `g` at real samples.
pub fn r1_penalty(g: Tensor<2>, weight: f32) -> Tensor<1> {
    g.powi_scalar(2)
        .sum_dim(1)
        .mean()
        .mul_scalar(f64::from(weight) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f32::consts::LN_2;

    fn column(values: &[f32], device: &Device) -> Tensor<2> {
        Tensor::from_data(TensorData::new(values.to_vec(), [values.len(), 1]), device)
            .require_grad()
    }

    /// The loss and its gradient with respect to the real and the fake outputs.
    fn d_case(
        kind: LossKind,
        real: &[f32],
        fake: &[f32],
        smoothing: f32,
    ) -> (f32, Vec<f32>, Vec<f32>) {
        let device = Device::flex().autodiff();
        let (r, f) = (column(real, &device), column(fake, &device));
        let loss = discriminator(kind, r.clone(), f.clone(), smoothing);
        let value = loss.clone().into_scalar::<f32>();
        let grads = loss.backward();
        let read = |t: &Tensor<2>| {
            t.grad(&grads)
                .map(|g| g.into_data().try_to_vec::<f32>().unwrap_or_default())
                .unwrap_or_default()
        };
        (value, read(&r), read(&f))
    }

    fn g_case(kind: LossKind, fake: &[f32]) -> (f32, Vec<f32>) {
        let device = Device::flex().autodiff();
        let f = column(fake, &device);
        let loss = generator(kind, f.clone());
        let value = loss.clone().into_scalar::<f32>();
        let grads = loss.backward();
        let grad = f
            .grad(&grads)
            .map(|g| g.into_data().try_to_vec::<f32>().unwrap_or_default())
            .unwrap_or_default();
        (value, grad)
    }

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 1e-5
    }

    #[test]
    fn logistic_losses_at_zero_logits() {
        // D: −log σ(0) − log(1 − σ(0)) = 2 ln 2; ∂/∂r = σ(0) − 1 = −½, ∂/∂f = σ(0) = ½.
        let (value, dr, df) = d_case(LossKind::NonSaturating, &[0.0], &[0.0], 0.0);
        assert!(close(value, 2.0 * LN_2), "{value}");
        assert!(close(dr[0], -0.5) && close(df[0], 0.5), "{dr:?} {df:?}");
        // Smoothing 0.1: the real term is −(0.9 log σ(0) + 0.1 log σ(0)) = ln 2 still, but
        // its gradient is σ(0) − 0.9 = −0.4.
        let (value, dr, _) = d_case(LossKind::Minimax, &[0.0], &[0.0], 0.1);
        assert!(
            close(value, 2.0 * LN_2) && close(dr[0], -0.4),
            "{value} {dr:?}"
        );
        // G, non-saturating: −log σ(0) = ln 2, gradient σ(0) − 1 = −½ per sample (mean of 2).
        let (value, grad) = g_case(LossKind::NonSaturating, &[0.0, 0.0]);
        assert!(
            close(value, LN_2) && close(grad[0], -0.25),
            "{value} {grad:?}"
        );
        // G, minimax: log(1 − σ(0)) = −ln 2, gradient −σ(0) = −½.
        let (value, grad) = g_case(LossKind::Minimax, &[0.0]);
        assert!(
            close(value, -LN_2) && close(grad[0], -0.5),
            "{value} {grad:?}"
        );
    }

    #[test]
    fn least_squares_hinge_and_wasserstein_by_hand() {
        // LSGAN: ½(0 − 1)² + ½·2² = 2.5; ∂/∂r = r − 1 = −1, ∂/∂f = f = 2.
        let (value, dr, df) = d_case(LossKind::LeastSquares, &[0.0], &[2.0], 0.0);
        assert!(close(value, 2.5) && close(dr[0], -1.0) && close(df[0], 2.0));
        let (value, grad) = g_case(LossKind::LeastSquares, &[3.0]);
        assert!(close(value, 2.0) && close(grad[0], 2.0), "{value} {grad:?}");
        // Hinge: max(0, 1 − 0.5) + max(0, 1 + (−2)) = 0.5; only the real term has gradient.
        let (value, dr, df) = d_case(LossKind::Hinge, &[0.5], &[-2.0], 0.0);
        assert!(close(value, 0.5) && close(dr[0], -1.0) && close(df[0], 0.0));
        // Wasserstein: mean(f) − mean(r) = 1 − 3 = −2; gradients ∓1/n.
        let (value, dr, df) = d_case(LossKind::Wasserstein, &[2.0, 4.0], &[1.0, 1.0], 0.0);
        assert!(close(value, -2.0) && close(dr[1], -0.5) && close(df[0], 0.5));
        let (value, grad) = g_case(LossKind::Hinge, &[2.0, 4.0]);
        assert!(close(value, -3.0) && close(grad[0], -0.5));
    }

    #[test]
    fn mode_seeking_rewards_outputs_that_move_with_z() {
        let device = Device::flex();
        let t = |v: Vec<f32>| Tensor::<2>::from_data(TensorData::new(v, [1, 2]), &device);
        let (za, zb) = (t(vec![0.0, 0.0]), t(vec![1.0, 1.0]));
        // Outputs 0.5 apart for latents 1 apart: ratio 0.5, term 2/(0.5 + 1e-5).
        let term = mode_seeking(
            t(vec![0.0, 0.0]),
            t(vec![0.5, 0.5]),
            za.clone(),
            zb.clone(),
            2.0,
        )
        .into_scalar::<f32>();
        assert!((term - 2.0 / 0.50001).abs() < 1e-3, "{term}");
        let spread =
            mode_seeking(t(vec![0.0, 0.0]), t(vec![2.0, 2.0]), za, zb, 2.0).into_scalar::<f32>();
        assert!(spread < term, "more spread, smaller term");
    }

    #[test]
    fn penalties_by_hand() {
        let device = Device::flex();
        // Gradients (3, 4) and (0, 0.5): norms 5 and 0.5.
        let g = Tensor::<2>::from_data(
            TensorData::new(vec![3.0f32, 4.0, 0.0, 0.5], [2, 2]),
            &device,
        );
        let gp = gradient_penalty(g.clone(), 10.0).into_scalar::<f32>();
        assert!(close(gp, 10.0 * (16.0 + 0.25) / 2.0), "{gp}");
        let r1 = r1_penalty(g, 10.0).into_scalar::<f32>();
        assert!(close(r1, 5.0 * (25.0 + 0.25) / 2.0), "{r1}");
    }
}
