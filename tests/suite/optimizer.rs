//! ganscope's fused CPU Adam and RMSProp against burn's, step by step on the same gradients.

use burn::optim::{AdamConfig, Optimizer, RmsPropConfig};
use burn::prelude::*;
use burn::tensor::Distribution;
use ganscope::kernels::optim::{FusedAdam, FusedRmsProp};

fn values<const D: usize>(t: &Tensor<D>) -> Vec<f32> {
    t.to_data().try_to_vec::<f32>().expect("f32")
}

#[test]
fn fused_adam_steps_are_burns_bit_for_bit() {
    let device = Device::flex();
    let (beta_1, beta_2) = (0.5, 0.999);
    let fused = FusedAdam::new(beta_1, beta_2);
    let builtin = AdamConfig::new()
        .with_beta_1(beta_1)
        .with_beta_2(beta_2)
        .build();
    let start = Tensor::<2>::random([7, 33], Distribution::Normal(0.0, 0.02), &device);
    let (mut a, mut b) = (start.clone(), start);
    let (mut state_a, mut state_b) = (None, None);
    for step in 0..6 {
        let grad = Tensor::<2>::random([7, 33], Distribution::Normal(0.0, 1.0), &device);
        let lr = 2e-4 * (step + 1) as f64;
        let (next_a, next_state_a) = fused.step(lr, a, grad.clone(), state_a);
        let (next_b, next_state_b) = builtin.step(lr, b, grad, state_b);
        assert_eq!(
            values(&next_a),
            values(&next_b),
            "parameters after step {step}"
        );
        let (ma, mb) = (
            next_state_a.clone().expect("state"),
            next_state_b.clone().expect("state"),
        );
        assert_eq!(ma.momentum.time, mb.momentum.time);
        assert_eq!(
            values(&ma.momentum.moment_1),
            values(&mb.momentum.moment_1),
            "m at {step}"
        );
        assert_eq!(
            values(&ma.momentum.moment_2),
            values(&mb.momentum.moment_2),
            "v at {step}"
        );
        (a, b, state_a, state_b) = (next_a, next_b, next_state_a, next_state_b);
    }
}

#[test]
fn fused_rmsprop_steps_are_burns_bit_for_bit() {
    let device = Device::flex();
    let fused = FusedRmsProp::new();
    let builtin = RmsPropConfig::new()
        .with_alpha(0.99)
        .with_momentum(0.0)
        .with_epsilon(1e-5)
        .build();
    let start = Tensor::<1>::random([257], Distribution::Normal(0.0, 0.02), &device);
    let (mut a, mut b) = (start.clone(), start);
    let (mut state_a, mut state_b) = (None, None);
    for step in 0..6 {
        let grad = Tensor::<1>::random([257], Distribution::Normal(0.0, 1.0), &device);
        let lr = 5e-5 * (step + 1) as f64;
        let (next_a, next_state_a) = fused.step(lr, a, grad.clone(), state_a);
        let (next_b, next_state_b) = builtin.step(lr, b, grad, state_b);
        assert_eq!(
            values(&next_a),
            values(&next_b),
            "parameters after step {step}"
        );
        let (sa, sb) = (
            next_state_a.clone().expect("state"),
            next_state_b.clone().expect("state"),
        );
        assert_eq!(
            values(&sa.square_avg.square_avg),
            values(&sb.square_avg.square_avg)
        );
        assert_eq!(values(&sa.centered.avg), values(&sb.centered.avg));
        assert!(sa.momentum.is_none() && sb.momentum.is_none());
        (a, b, state_a, state_b) = (next_a, next_b, next_state_a, next_state_b);
    }
}
