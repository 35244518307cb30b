//! Activations shared by the families.

use crate::kernels::activation;
use burn::prelude::*;
use burn::tensor::activation::relu;

/// LeakyReLU as `s·x + (1 − s)·relu(x)`: the same values as burn's `leaky_relu` and the same
/// gradient everywhere but at exactly 0. On an autodiff device burn builds `leaky_relu` from a
/// comparison and a masked select, whose CPU kernels took 6 % (DCGAN) to 17 % (2-D MLP) of a
/// training step; scaling, adding and ReLU all have fast dedicated kernels and backward passes.
/// On the CPU it is one fused operation instead (`kernels::activation`).
pub fn leaky_relu<const D: usize>(x: Tensor<D>, slope: f64) -> Tensor<D> {
    if activation::fuses(&x, slope) {
        activation::leaky_relu(x, slope)
    } else {
        x.clone().mul_scalar(slope) + relu(x).mul_scalar(1.0 - slope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Distribution;

    #[test]
    fn matches_burns_leaky_relu_in_value_and_gradient() {
        let device = Device::flex().autodiff();
        let (x, probe) = crate::models::seeded_draws(&device, 1, || {
            (
                Tensor::<2>::random([16, 16], Distribution::Normal(0.0, 1.0), &device),
                Tensor::<2>::random([16, 16], Distribution::Default, &device),
            )
        });
        let x = x.require_grad();
        assert!(
            activation::fuses(&x, 0.2),
            "the CPU takes the fused LeakyReLU"
        );
        let ours = leaky_relu(x.clone(), 0.2);
        let theirs = burn::tensor::activation::leaky_relu(x.clone(), 0.2);
        let diff = (ours.clone() - theirs.clone())
            .abs()
            .max()
            .into_scalar::<f32>();
        assert!(diff < 1e-6, "values differ by {diff}");
        let g_ours = x
            .grad(&(ours * probe.clone()).sum().backward())
            .expect("grad");
        let g_theirs = x.grad(&(theirs * probe).sum().backward()).expect("grad");
        let diff = (g_ours - g_theirs).abs().max().into_scalar::<f32>();
        assert!(diff < 1e-6, "gradients differ by {diff}");
    }
}
