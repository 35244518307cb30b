//! LeakyReLU as one operation on the CPU, forward and backward.
//!
//! Composed from burn's primitives, LeakyReLU is four autodiff nodes (two scalings, a ReLU,
//! an addition), each a pass over memory and a node's bookkeeping; for the small 2-D MLPs that
//! bookkeeping is most of a step. Here it is one pass forward (`x` where positive, `s·x`
//! elsewhere) and one backward (the gradient times 1 or `s`, by the sign of the saved input),
//! on `Flex` and autodiff-over-`Flex`; other devices keep the composition
//! (`models::activation`).

use super::extension::values;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Backend, Dispatch, Flex, TensorMetadata, backend_extension};
use burn::prelude::*;
use burn::tensor::{DType, TensorData};
use rayon::prelude::*;

#[backend_extension(Flex, Autodiff)]
pub trait FusedActivation: Backend {
    /// `x` where positive, `slope · x` elsewhere.
    fn fused_leaky_relu(x: FloatTensor<Self>, slope: f32) -> FloatTensor<Self>;
}

/// Elements per parallel piece: below this a pass is cheaper on one thread.
const PIECE: usize = 16 * 1024;

/// `f` applied to every element of `x` (and the matching element of `other`), in parallel
/// pieces for large tensors.
fn map2(x: &[f32], other: &[f32], f: impl Fn(f32, f32) -> f32 + Sync) -> Vec<f32> {
    let mut out = vec![0.0f32; x.len()];
    let piece = |(dst, (a, b)): (&mut [f32], (&[f32], &[f32]))| {
        for ((d, a), b) in dst.iter_mut().zip(a).zip(b) {
            *d = f(*a, *b);
        }
    };
    if x.len() < 2 * PIECE {
        piece((&mut out, (x, other)));
    } else {
        out.par_chunks_mut(PIECE)
            .zip(x.par_chunks(PIECE).zip(other.par_chunks(PIECE)))
            .for_each(piece);
    }
    out
}

fn leaky(x: &FlexTensor, slope: f32) -> FlexTensor {
    assert_eq!(
        x.dtype(),
        DType::F32,
        "the fused LeakyReLU takes f32 tensors"
    );
    let v = values(x);
    let out = map2(&v, &v, |a, _| if a > 0.0 { a } else { a * slope });
    FlexTensor::from_data(TensorData::new(out, x.shape()))
}

impl FusedActivation for Flex {
    fn fused_leaky_relu(x: FlexTensor, slope: f32) -> FlexTensor {
        leaky(&x, slope)
    }
}

/// Backward of LeakyReLU: the saved input and the slope.
#[derive(Debug)]
struct LeakyBackward;

impl Backward<Flex, 1> for LeakyBackward {
    type State = (FlexTensor, f32);

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_x] = ops.parents;
        let grad = grads.consume::<Flex>(&ops.node);
        let (x, slope) = ops.state;
        if let Some(node) = node_x {
            let dx = map2(&values(&grad), &values(&x), |g, a| {
                if a > 0.0 { g } else { g * slope }
            });
            grads.register::<Flex>(
                node.id,
                FlexTensor::from_data(TensorData::new(dx, x.shape())),
            );
        }
    }
}

impl<C: CheckpointStrategy> FusedActivation for Autodiff<Flex, C> {
    fn fused_leaky_relu(x: FloatTensor<Self>, slope: f32) -> FloatTensor<Self> {
        match LeakyBackward
            .prepare::<C>([x.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let x = x.into_primitive();
                let out = leaky(&x, slope);
                prep.finish((x, slope), out)
            }
            OpsKind::UnTracked(prep) => prep.finish(leaky(x.primitive(), slope)),
        }
    }
}

/// Whether LeakyReLU on `x` runs fused (the tensors the folded kernels serve, see
/// [`super::folds_on`]); the others compose it from burn's operations
/// (`models::activation::leaky_relu`).
pub fn fuses<const D: usize>(x: &Tensor<D>) -> bool {
    super::kernels() == super::Kernels::Folded && super::folds_on(&x.device(), x.dtype())
}

/// LeakyReLU with ganscope's fused kernel; only for tensors [`fuses`] admits.
pub fn leaky_relu<const D: usize>(x: Tensor<D>, slope: f64) -> Tensor<D> {
    let out = <Dispatch as FusedActivation>::fused_leaky_relu(x.into_dispatch(), slope as f32);
    Tensor::from_dispatch(out)
}
