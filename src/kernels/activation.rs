//! LeakyReLU as one operation on the CPU, forward and backward.
//!
//! Composed from burn's primitives, LeakyReLU is four autodiff nodes (two scalings, a ReLU,
//! an addition), each a pass over memory and a node's bookkeeping; for the small 2-D MLPs that
//! bookkeeping is most of a step. Here it is one pass forward (`x` where positive, `s·x`
//! elsewhere) and one backward (the gradient times 1 or `s`, by the sign of the saved output),
//! on `Flex` and autodiff-over-`Flex`; other devices keep the composition
//! (`models::activation`).
//!
//! Both passes write into the buffer they read when no one else holds it (the forward into
//! its input, the backward into the incoming gradient), so a pass allocates nothing; the
//! backward keeps the *output*, whose sign is the input's for any slope ≥ 0, so the input
//! need not survive the forward. Negative slopes take burn's composition ([`fuses`]).

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
    /// `x` where positive, `slope · x` elsewhere (`slope` ≥ 0).
    fn fused_leaky_relu(x: FloatTensor<Self>, slope: f32) -> FloatTensor<Self>;
}

/// Elements per parallel piece: below this a pass is cheaper on one thread.
const PIECE: usize = 16 * 1024;

/// `f(t, other)` for every element of `t` and the matching one of `other` (`t` itself when
/// `other` is `None`): in `t`'s own buffer when `t` is its only holder, else into a new one.
fn map_owned(
    mut t: FlexTensor,
    other: Option<&FlexTensor>,
    f: impl Fn(f32, f32) -> f32 + Sync,
) -> FlexTensor {
    assert_eq!(
        t.dtype(),
        DType::F32,
        "the fused LeakyReLU takes f32 tensors"
    );
    let other = other.map(values);
    let piece = |dst: &mut [f32], b: Option<&[f32]>| match b {
        Some(b) => dst.iter_mut().zip(b).for_each(|(d, b)| *d = f(*d, *b)),
        None => dst.iter_mut().for_each(|d| *d = f(*d, *d)),
    };
    let run = |dst: &mut [f32]| {
        let b = other.as_deref();
        if dst.len() < 2 * PIECE {
            piece(dst, b);
        } else {
            dst.par_chunks_mut(PIECE)
                .enumerate()
                .for_each(|(i, chunk)| {
                    let start = i * PIECE;
                    piece(chunk, b.map(|b| &b[start..start + chunk.len()]));
                });
        }
    };
    if let Some((start, end)) = t.layout().contiguous_offsets()
        && let Some(storage) = t.try_storage_mut::<f32>()
    {
        run(&mut storage[start..end]);
        return t;
    }
    // Shared: one pass from the source into a new buffer.
    let src = values(&t);
    let fresh: Vec<f32> = match (other.as_deref(), src.len() < 2 * PIECE) {
        (Some(b), true) => src.iter().zip(b).map(|(a, b)| f(*a, *b)).collect(),
        (Some(b), false) => src.par_iter().zip(b).map(|(a, b)| f(*a, *b)).collect(),
        (None, true) => src.iter().map(|a| f(*a, *a)).collect(),
        (None, false) => src.par_iter().map(|a| f(*a, *a)).collect(),
    };
    FlexTensor::from_data(TensorData::new(fresh, t.shape()))
}

fn leaky(x: FlexTensor, slope: f32) -> FlexTensor {
    // Both arms computed, then a select: the loop vectorises (a branch per element does not).
    map_owned(x, None, move |a, _| {
        let scaled = a * slope;
        if a > 0.0 { a } else { scaled }
    })
}

impl FusedActivation for Flex {
    fn fused_leaky_relu(x: FlexTensor, slope: f32) -> FlexTensor {
        leaky(x, slope)
    }
}

/// Backward of LeakyReLU: the saved output and the slope.
#[derive(Debug)]
struct LeakyBackward;

impl Backward<Flex, 1> for LeakyBackward {
    type State = (FlexTensor, f32);

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_x] = ops.parents;
        let grad = grads.consume::<Flex>(&ops.node);
        let (out, slope) = ops.state;
        if let Some(node) = node_x {
            let dx = map_owned(grad, Some(&out), move |g, y| {
                let scaled = g * slope;
                if y > 0.0 { g } else { scaled }
            });
            grads.register::<Flex>(node.id, dx);
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
                let out = leaky(x.into_primitive(), slope);
                prep.finish((out.clone(), slope), out)
            }
            OpsKind::UnTracked(prep) => prep.finish(leaky(x.into_primitive(), slope)),
        }
    }
}

/// Whether LeakyReLU with `slope` on `x` runs fused: tensors the folded kernels serve (see
/// [`super::folds_on`]) and slopes ≥ 0; the others compose it from burn's operations
/// (`models::activation::leaky_relu`).
pub fn fuses<const D: usize>(x: &Tensor<D>, slope: f64) -> bool {
    slope >= 0.0
        && super::kernels() == super::Kernels::Folded
        && super::folds_on(&x.device(), x.dtype())
}

/// LeakyReLU with ganscope's fused kernel; only for what [`fuses`] admits.
pub fn leaky_relu<const D: usize>(x: Tensor<D>, slope: f64) -> Tensor<D> {
    let out = <Dispatch as FusedActivation>::fused_leaky_relu(x.into_dispatch(), slope as f32);
    Tensor::from_dispatch(out)
}
