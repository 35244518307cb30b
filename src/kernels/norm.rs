//! Batch normalisation as one operation on the CPU, forward and backward.
//!
//! burn 0.22 trains BatchNorm through `batch_norm_train`, whose `Flex` implementation is
//! composed from tensor operations: two transposing copies and about six passes forward,
//! two copies and about twelve passes backward, each allocating. Here it is a backend
//! extension ([`cpu::norm`]: two passes each way, the backward writing into the incoming
//! gradient) on `Flex` and autodiff-over-`Flex`; every other device, and `--kernels
//! builtin`, keep burn's. [`batch_norm`] is burn's `BatchNorm::forward` with it, running
//! statistics included.

use super::cpu::norm::{self as cpu, Planes};
use super::extension::values;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{
    Autodiff, AutodiffBackend, Backend, Dispatch, Flex, TensorMetadata, backend_extension,
};
use burn::nn::BatchNorm;
use burn::prelude::*;
use burn::tensor::module::BatchNormTrainOutput;
use burn::tensor::{DType, TensorData};

#[backend_extension(Flex, Autodiff)]
pub trait FusedNorm: Backend {
    /// `x` `[n, c, …]` normalised per channel with the batch's mean and biased variance, then
    /// scaled by `gamma` and shifted by `beta`; returns (output, mean, variance), the two
    /// statistics detached.
    fn fused_batch_norm_train(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f32,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>);
}

fn planes(x: &FlexTensor) -> Planes {
    let shape = x.shape();
    let dims = shape.as_slice();
    assert!(dims.len() >= 2, "batch norm takes [batch, channels, …]");
    assert_eq!(
        x.dtype(),
        DType::F32,
        "the fused batch norm takes f32 tensors"
    );
    Planes {
        n: dims[0],
        c: dims[1],
        s: dims[2..].iter().product(),
    }
}

fn vector(values: Vec<f32>) -> FlexTensor {
    let len = values.len();
    FlexTensor::from_data(TensorData::new(values, [len]))
}

/// The forward pass: (output, mean, variance, 1/√(var + ε)).
fn forward(
    x: &FlexTensor,
    gamma: &FlexTensor,
    beta: &FlexTensor,
    epsilon: f32,
) -> (FlexTensor, Vec<f32>, Vec<f32>, Vec<f32>) {
    let p = planes(x);
    let data = values(x);
    let (mean, variance) = cpu::statistics(&data, p);
    let inv_std = cpu::inverse_std(&variance, epsilon);
    let out = cpu::forward(&data, &mean, &inv_std, &values(gamma), &values(beta), p);
    (
        FlexTensor::from_data(TensorData::new(out, x.shape())),
        mean,
        variance,
        inv_std,
    )
}

impl FusedNorm for Flex {
    fn fused_batch_norm_train(
        x: FlexTensor,
        gamma: FlexTensor,
        beta: FlexTensor,
        epsilon: f32,
    ) -> (FlexTensor, FlexTensor, FlexTensor) {
        let (out, mean, variance, _) = forward(&x, &gamma, &beta, epsilon);
        (out, vector(mean), vector(variance))
    }
}

/// Backward of the batch norm: the input, γ, the batch mean and 1/√(var + ε).
#[derive(Debug)]
struct NormBackward;

impl Backward<Flex, 3> for NormBackward {
    type State = (FlexTensor, FlexTensor, Vec<f32>, Vec<f32>);

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_x, node_gamma, node_beta] = ops.parents;
        let mut grad = grads.consume::<Flex>(&ops.node);
        let (x, gamma, mean, inv_std) = ops.state;
        let p = planes(&x);
        let gamma = values(&gamma);
        let xs = values(&x);
        let run = |dy: &mut [f32]| cpu::backward(&xs, dy, &mean, &inv_std, &gamma, p);
        let whole = grad.layout().contiguous_offsets();
        let (dx, (gamma_grad, beta_grad)) = match (whole, grad.try_storage_mut::<f32>()) {
            (Some((start, end)), Some(storage)) => {
                let sums = run(&mut storage[start..end]);
                (grad, sums)
            }
            _ => {
                let mut fresh = values(&grad).into_owned();
                let sums = run(&mut fresh);
                (
                    FlexTensor::from_data(TensorData::new(fresh, x.shape())),
                    sums,
                )
            }
        };
        if let Some(node) = node_x {
            grads.register::<Flex>(node.id, dx);
        }
        if let Some(node) = node_gamma {
            grads.register::<Flex>(node.id, vector(gamma_grad));
        }
        if let Some(node) = node_beta {
            grads.register::<Flex>(node.id, vector(beta_grad));
        }
    }
}

impl<C: CheckpointStrategy> FusedNorm for Autodiff<Flex, C> {
    fn fused_batch_norm_train(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f32,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        let detached = |values: Vec<f32>| <Self as AutodiffBackend>::from_inner(vector(values));
        match NormBackward
            .prepare::<C>([x.node(), gamma.node(), beta.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let (x, gamma) = (x.into_primitive(), gamma.into_primitive());
                let (out, mean, variance, inv_std) = forward(&x, &gamma, beta.primitive(), epsilon);
                let out = prep.finish((x, gamma, mean.clone(), inv_std), out);
                (out, detached(mean), detached(variance))
            }
            OpsKind::UnTracked(prep) => {
                let (out, mean, variance, _) =
                    forward(x.primitive(), gamma.primitive(), beta.primitive(), epsilon);
                (prep.finish(out), detached(mean), detached(variance))
            }
        }
    }
}

/// Whether batch norm on `x` runs fused (the tensors the folded kernels serve).
pub fn fuses<const D: usize>(x: &Tensor<D>) -> bool {
    super::kernels() == super::Kernels::Folded && super::folds_on(&x.device(), x.dtype())
}

/// burn's `batch_norm_train` (output, batch mean, biased batch variance), fused where
/// [`fuses`] admits the input.
pub fn batch_norm_train<const D: usize>(
    x: Tensor<D>,
    gamma: Tensor<1>,
    beta: Tensor<1>,
    epsilon: f64,
) -> BatchNormTrainOutput<D> {
    if !fuses(&x) {
        return burn::tensor::module::batch_norm_train(x, gamma, beta, epsilon);
    }
    let (output, mean, variance) = <Dispatch as FusedNorm>::fused_batch_norm_train(
        x.into_dispatch(),
        gamma.into_dispatch(),
        beta.into_dispatch(),
        epsilon as f32,
    );
    BatchNormTrainOutput {
        output: Tensor::from_dispatch(output),
        mean: Tensor::from_dispatch(mean),
        variance: Tensor::from_dispatch(variance),
    }
}

/// burn's `BatchNorm::forward` with the fused training pass: batch statistics and a running
/// average update (momentum as configured) when training on an autodiff device, the running
/// statistics otherwise.
pub fn batch_norm<const D: usize>(norm: &BatchNorm, x: Tensor<D>) -> Tensor<D> {
    if !(fuses(&x) && x.device().is_autodiff() && norm.training.is_enabled()) {
        return norm.forward(x);
    }
    let device = x.device();
    let result = batch_norm_train(x, norm.gamma.val(), norm.beta.val(), norm.epsilon);
    let momentum = norm.momentum;
    let blend = |running: Tensor<1>, batch: Tensor<1>| {
        running
            .to_device(&device)
            .mul_scalar(1.0 - momentum)
            .add(batch.detach().mul_scalar(momentum))
            .detach()
    };
    norm.running_mean
        .update(blend(norm.running_mean.value_sync(), result.mean));
    norm.running_var
        .update(blend(norm.running_var.value_sync(), result.variance));
    result.output
}
