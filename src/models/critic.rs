//! D's gradient with respect to its input, as ordinary differentiable tensor operations.
//!
//! Burn's autodiff is first order: the gradient it computes is not itself differentiable, so
//! a penalty on ‖∇ₓD(x)‖ (WGAN-GP, R1) could not train D through it. Here the gradient is
//! written out as the adjoint of D's forward pass: transposed matrix products for linear
//! layers, transposed convolutions (with the same weights, stride and padding) for
//! convolutions, and multiplication by the LeakyReLU's slope mask. The mask is piecewise
//! constant, so detaching it is exact (its derivative is zero almost everywhere); the weights
//! stay attached, so the penalty's gradient reaches them. BatchNorm couples the samples of a
//! batch and is not supported (presets refuse the combination, saying why).

use crate::kernels::conv_transpose2d;
use burn::prelude::*;
use burn::tensor::ops::ConvTransposeOptions;

/// LeakyReLU's derivative at `pre`: 1 where positive, `slope` elsewhere (detached).
fn leaky_mask<const D: usize>(pre: Tensor<D>, slope: f64) -> Tensor<D> {
    pre.detach()
        .greater_elem(0.0)
        .float()
        .mul_scalar(1.0 - slope)
        .add_scalar(slope)
}

/// Pull `top` (∂/∂ the last hidden activation, [batch, width]) back through linear layers,
/// each followed by a LeakyReLU: `weights[i]` is layer i's weight as used ([in, out]),
/// `pre[i]` its pre-activation. Returns ∂/∂input, [batch, in₀].
pub fn linear_adjoint(
    top: Tensor<2>,
    weights: Vec<Tensor<2>>,
    pre: Vec<Tensor<2>>,
    slope: f64,
) -> Tensor<2> {
    let mut g = top;
    for (w, pre) in weights.into_iter().zip(pre).rev() {
        g = (g * leaky_mask(pre, slope)).matmul(w.transpose());
    }
    g
}

/// One convolution of D as the adjoint needs it.
pub struct ConvStep {
    /// The weight as used, [out, in, k, k].
    pub weight: Tensor<4>,
    pub stride: usize,
    pub padding: usize,
}

/// The adjoint of one convolution: a transposed convolution with the same weight, stride
/// and padding.
pub fn conv_back(g: Tensor<4>, step: ConvStep) -> Tensor<4> {
    let options = ConvTransposeOptions::new([step.stride; 2], [step.padding; 2], [0, 0], [1, 1], 1);
    conv_transpose2d(g, step.weight, None, options)
}

/// Pull `top` (∂/∂ the last hidden activation) back through convolutions, each followed by
/// a LeakyReLU whose pre-activation is `pre[i]`. Returns ∂/∂input.
pub fn conv_adjoint(
    top: Tensor<4>,
    steps: Vec<ConvStep>,
    pre: Vec<Tensor<4>>,
    slope: f64,
) -> Tensor<4> {
    let mut g = top;
    for (step, pre) in steps.into_iter().zip(pre).rev() {
        g = conv_back(g * leaky_mask(pre, slope), step);
    }
    g
}

/// Per-sample ‖g‖ of gradients [batch, features] (never exactly zero, so its own gradient
/// stays finite).
pub fn norms(g: Tensor<2>) -> Tensor<2> {
    g.powi_scalar(2).sum_dim(1).add_scalar(1e-12).sqrt()
}

#[cfg(test)]
pub(crate) mod testing {
    //! Finite-difference checks shared by the families' tests.
    use crate::models::Discriminator;
    use burn::prelude::*;

    fn host(t: Tensor<2>) -> Vec<f32> {
        t.into_data().try_to_vec::<f32>().unwrap_or_default()
    }

    /// ‖a − b‖ / ‖b‖.
    pub fn relative_error(a: &[f32], b: &[f32]) -> f32 {
        let diff: f32 = a
            .iter()
            .zip(b)
            .map(|(x, y)| (x - y).powi(2))
            .sum::<f32>()
            .sqrt();
        let norm: f32 = b.iter().map(|y| y * y).sum::<f32>().sqrt();
        diff / norm.max(1e-12)
    }

    /// D's input gradient at `x` ([n, features], of classes `labels` for a conditional D)
    /// against central differences of D's output, over the coordinates `coords` of each
    /// sample: (analytic, numeric).
    pub fn input_gradient_vs_differences(
        d: &Discriminator,
        x: &[f32],
        n: usize,
        coords: &[usize],
        labels: Option<&Tensor<1, Int>>,
        device: &Device,
    ) -> (Vec<f32>, Vec<f32>) {
        let features = x.len() / n;
        let tensor =
            |v: Vec<f32>| Tensor::<2>::from_data(TensorData::new(v, [n, features]), device);
        let analytic = host(
            d.input_gradient(tensor(x.to_vec()), labels)
                .unwrap_or_else(|e| panic!("{e}")),
        );
        // Small enough that no LeakyReLU kink lies within ±h of a pre-activation (almost
        // surely), large enough for f32.
        let h = 1e-3;
        let (mut a, mut numeric) = (Vec::new(), Vec::new());
        for &j in coords {
            let shifted = |delta: f32| {
                let mut v = x.to_vec();
                for i in 0..n {
                    v[i * features + j] += delta;
                }
                host(d.forward(tensor(v), labels))
            };
            let (up, down) = (shifted(h), shifted(-h));
            for i in 0..n {
                numeric.push((up[i] - down[i]) / (2.0 * h));
                a.push(analytic[i * features + j]);
            }
        }
        (a, numeric)
    }

    /// ∂penalty/∂w for the element w of one weight tensor (read by `weight`, replaced by
    /// `with_weight`) with the largest gradient, by autodiff and by central differences;
    /// `penalty` maps a D on an autodiff device to a [1] loss. Each weight enters D's input
    /// gradient linearly, so the penalty is quadratic in it (between LeakyReLU kinks) and the
    /// central difference is exact up to rounding.
    pub fn weight_gradient_vs_difference<M, const D: usize>(
        d: &M,
        weight: impl Fn(&M) -> Tensor<D>,
        with_weight: impl Fn(&M, Tensor<D>) -> M,
        penalty: impl Fn(&M) -> Tensor<1>,
    ) -> (f32, f32) {
        let grads = penalty(d).backward();
        let grad: Vec<f32> = weight(d)
            .grad(&grads)
            .and_then(|g| g.into_data().try_to_vec::<f32>().ok())
            .unwrap_or_default();
        let (index, analytic) = grad
            .iter()
            .copied()
            .enumerate()
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
            .unwrap_or((0, 0.0));
        let w = weight(d);
        let (shape, device) = (w.shape(), w.device());
        let values = w.into_data().try_to_vec::<f32>().unwrap_or_default();
        let h = 1e-3;
        let value = |delta: f32| {
            let mut nudged = values.clone();
            nudged[index] += delta;
            let tensor = Tensor::from_data(TensorData::new(nudged, shape.clone()), &device);
            penalty(&with_weight(d, tensor)).into_scalar::<f32>()
        };
        (analytic, (value(h) - value(-h)) / (2.0 * h))
    }
}
