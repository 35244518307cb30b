//! ganscope's fused CPU operations other than convolutions against burn's own, through
//! `.backward()` on an autodiff `Flex` device: the batch norm against `batch_norm_train`
//! (output, batch statistics, gradients of the input, γ and β) and `kernels::norm::batch_norm`
//! against `BatchNorm::forward` (running statistics included); the linear layer against
//! burn's `linear` (output and the gradients of the input, weight and bias).

use burn::nn::BatchNormConfig;
use burn::prelude::*;
use burn::tensor::Distribution;
use ganscope::kernels::{linear, norm};

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().expect("f32 data")
}

fn assert_close(what: &str, ours: &[f32], burns: &[f32]) {
    assert_eq!(ours.len(), burns.len(), "{what}: lengths");
    let scale = burns.iter().fold(1e-3f32, |m, v| m.max(v.abs()));
    for (i, (a, b)) in ours.iter().zip(burns).enumerate() {
        assert!(
            (a - b).abs() <= 1e-4 * scale.max(1.0),
            "{what}: element {i}: fused {a} vs burn {b} (scale {scale})"
        );
    }
}

fn random<const D: usize>(shape: [usize; D], mean: f64, device: &Device) -> Tensor<D> {
    Tensor::random(shape, Distribution::Normal(mean, 1.5), device)
}

/// Output, mean, variance and the three gradients of one implementation.
fn run<F>(
    x: &Tensor<4>,
    gamma: &Tensor<1>,
    beta: &Tensor<1>,
    weighting: &Tensor<4>,
    f: F,
) -> Vec<Vec<f32>>
where
    F: Fn(Tensor<4>, Tensor<1>, Tensor<1>) -> burn::tensor::module::BatchNormTrainOutput<4>,
{
    let device = x.device();
    let x = Tensor::<4>::from_data(x.to_data(), &device).require_grad();
    let gamma = Tensor::<1>::from_data(gamma.to_data(), &device).require_grad();
    let beta = Tensor::<1>::from_data(beta.to_data(), &device).require_grad();
    let result = f(x.clone(), gamma.clone(), beta.clone());
    let grads = (result.output.clone() * weighting.clone()).sum().backward();
    vec![
        values(result.output),
        values(result.mean),
        values(result.variance),
        values(x.grad(&grads).expect("dx")),
        values(gamma.grad(&grads).expect("dγ")),
        values(beta.grad(&grads).expect("dβ")),
    ]
}

#[test]
fn fused_batch_norm_matches_burns_in_values_statistics_and_gradients() {
    let device = Device::flex().autodiff();
    // Planes of 1, 3, 16 and 81 elements (tails of the 8-lane sums), batch 1 and 5.
    for shape in [
        [5, 3, 1, 1],
        [1, 4, 1, 3],
        [5, 6, 4, 4],
        [2, 7, 9, 9],
        [64, 8, 4, 4],
    ] {
        let x = random(shape, 2.0, &device);
        let gamma = random([shape[1]], 1.0, &device);
        let beta = random([shape[1]], 0.0, &device);
        let weighting = random(shape, 0.0, &device);
        assert!(norm::fuses(&x), "the CPU takes the fused batch norm");
        let ours = run(&x, &gamma, &beta, &weighting, |x, g, b| {
            norm::batch_norm_train(x, g, b, 1e-5)
        });
        let burns = run(&x, &gamma, &beta, &weighting, |x, g, b| {
            burn::tensor::module::batch_norm_train(x, g, b, 1e-5)
        });
        for (what, (a, b)) in ["output", "mean", "variance", "dx", "dγ", "dβ"]
            .iter()
            .zip(ours.iter().zip(&burns))
        {
            assert_close(&format!("{shape:?} {what}"), a, b);
        }
    }
}

#[test]
fn batch_norm_layer_trains_and_keeps_running_statistics_like_burns() {
    let device = Device::flex().autodiff();
    let ours = BatchNormConfig::new(6).init(&device);
    let burns = BatchNormConfig::new(6).init(&device);
    for step in 0..3 {
        let x = random([8, 6, 5, 5], step as f64, &device);
        let a = norm::batch_norm(&ours, x.clone());
        let b = burns.forward(x);
        assert_close(&format!("step {step} output"), &values(a), &values(b));
    }
    let mean = (
        values(ours.running_mean.value()),
        values(burns.running_mean.value()),
    );
    let var = (
        values(ours.running_var.value()),
        values(burns.running_var.value()),
    );
    assert_ne!(mean.0, vec![0.0; 6], "the running mean moved");
    assert_close("running mean", &mean.0, &mean.1);
    assert_close("running variance", &var.0, &var.1);
    // Outside training (a device without autodiff) both normalise with the running statistics.
    let plain = Device::flex();
    let x = random([2, 6, 3, 3], 1.0, &plain);
    let (ours, burns) = (ours.valid(), burns.valid());
    assert_close(
        "inference",
        &values(norm::batch_norm(&ours, x.clone())),
        &values(burns.forward(x)),
    );
}

#[test]
fn fused_linear_matches_burns_in_values_and_gradients() {
    let device = Device::flex().autodiff();
    // One row, a few, and a batch; widths from 1 to 64 (odd ones for gemm's edges).
    for (n, inputs, outputs) in [(1, 3, 5), (7, 2, 64), (128, 64, 64), (33, 64, 1)] {
        let x = random([n, inputs], 0.0, &device);
        let w = random([inputs, outputs], 0.0, &device);
        let b = random([outputs], 0.5, &device);
        let weighting = random([n, outputs], 0.0, &device);
        let run = |fused: bool| {
            let x = Tensor::<2>::from_data(x.to_data(), &device).require_grad();
            let w = Tensor::<2>::from_data(w.to_data(), &device).require_grad();
            let b = Tensor::<1>::from_data(b.to_data(), &device).require_grad();
            let out = if fused {
                linear::linear(x.clone(), w.clone(), Some(b.clone()))
            } else {
                burn::tensor::module::linear(x.clone(), w.clone(), Some(b.clone()))
            };
            let grads = (out.clone() * weighting.clone()).sum().backward();
            [
                values(out),
                values(x.grad(&grads).expect("dx")),
                values(w.grad(&grads).expect("dw")),
                values(b.grad(&grads).expect("db")),
            ]
        };
        let (ours, burns) = (run(true), run(false));
        for (what, (a, b)) in ["output", "dx", "dw", "db"]
            .iter()
            .zip(ours.iter().zip(&burns))
        {
            assert_close(&format!("{n}×{inputs}→{outputs} {what}"), a, b);
        }
    }
}
