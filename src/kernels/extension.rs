//! The folded convolutions as a burn backend extension: a forward pass on `Flex` tensors and,
//! on an autodiff device over `Flex`, a backward node that computes the input and weight
//! gradients with the same folded kernels ([`super::cpu`]). burn routes a call here by the
//! tensors' runtime device; [`super`] only calls in for `Flex`-backed tensors, every other
//! device keeps burn's own convolutions.
//!
//! A transposed convolution of `x` by `W` (`[in, out, kh, kw]`) is the input gradient of the
//! convolution by the same `W` read as `[out_channels = in, channels = out, kh, kw]`, taken
//! at `x`; so its input gradient is that convolution's forward pass and its weight gradient is
//! that convolution's weight gradient with the image and the output gradient swapped.

use super::cpu::{self, Conv};
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Backend, Flex, TensorMetadata, backend_extension};
use burn::tensor::{DType, TensorData};
use std::borrow::Cow;

/// Stride, padding and dilation of a convolution. For a convolution `pad_begin`/`pad_end`
/// are the zero rows and columns before and after the image; for a transposed convolution
/// `pad_begin` is its (symmetric) padding and `pad_out` the extra rows and columns at the end
/// of its output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    pub stride: [usize; 2],
    pub pad_begin: [usize; 2],
    pub pad_end: [usize; 2],
    pub pad_out: [usize; 2],
    pub dilation: [usize; 2],
}

#[backend_extension(Flex, Autodiff)]
pub trait FoldedConv: Backend {
    /// `x` `[b, c, h, w]` convolved by `weight` `[co, c, kh, kw]`, no bias.
    fn folded_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        geometry: Geometry,
    ) -> FloatTensor<Self>;

    /// `x` `[b, ci, h, w]` transposed-convolved by `weight` `[ci, co, kh, kw]`, no bias.
    fn folded_conv_transpose2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        geometry: Geometry,
    ) -> FloatTensor<Self>;
}

fn dims4(t: &FlexTensor) -> [usize; 4] {
    t.shape().dims::<4>()
}

/// The shape of the convolution that `geometry` applies to `x` with `weight`.
pub fn conv_shape(x: [usize; 4], weight: [usize; 4], geometry: &Geometry) -> Conv {
    let [batch, channels, height, width] = x;
    let [out_channels, _, kh, kw] = weight;
    let out = |axis: usize, size: usize, k: usize| {
        let span = geometry.dilation[axis] * (k - 1) + 1;
        let padded = size + geometry.pad_begin[axis] + geometry.pad_end[axis];
        if padded < span {
            0
        } else {
            (padded - span) / geometry.stride[axis] + 1
        }
    };
    Conv {
        batch,
        channels,
        height,
        width,
        out_channels,
        kernel: [kh, kw],
        stride: geometry.stride,
        dilation: geometry.dilation,
        pad_begin: geometry.pad_begin,
        out_height: out(0, height, kh),
        out_width: out(1, width, kw),
    }
}

/// The convolution whose input gradient is the transposed convolution of `x` by `weight`:
/// its image is the transposed convolution's output, its output is `x`.
pub fn transposed_shape(x: [usize; 4], weight: [usize; 4], geometry: &Geometry) -> Conv {
    let [batch, in_channels, height, width] = x;
    let [_, out_channels, kh, kw] = weight;
    let size = |axis: usize, input: usize, k: usize| {
        ((input.max(1) - 1) * geometry.stride[axis]
            + geometry.dilation[axis] * (k - 1)
            + geometry.pad_out[axis]
            + 1)
        .saturating_sub(2 * geometry.pad_begin[axis])
    };
    Conv {
        batch,
        channels: out_channels,
        height: size(0, height, kh),
        width: size(1, width, kw),
        out_channels: in_channels,
        kernel: [kh, kw],
        stride: geometry.stride,
        dilation: geometry.dilation,
        pad_begin: geometry.pad_begin,
        out_height: height,
        out_width: width,
    }
}

/// The tensor's elements in row-major order, borrowed when it is already laid out so.
pub(super) fn values(t: &FlexTensor) -> Cow<'_, [f32]> {
    match t.as_slice::<f32>() {
        Some(slice) => Cow::Borrowed(slice),
        None => Cow::Owned(t.to_contiguous().as_slice::<f32>().unwrap_or(&[]).to_vec()),
    }
}

fn tensor(values: Vec<f32>, shape: [usize; 4]) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, shape))
}

fn image_dims(g: &Conv) -> [usize; 4] {
    [g.batch, g.channels, g.height, g.width]
}

fn output_dims(g: &Conv) -> [usize; 4] {
    [g.batch, g.out_channels, g.out_height, g.out_width]
}

fn check_f32(t: &FlexTensor) {
    assert_eq!(
        t.dtype(),
        DType::F32,
        "folded convolutions take f32 tensors"
    );
}

fn conv_forward(x: &FlexTensor, weight: &FlexTensor, g: &Conv) -> FlexTensor {
    check_f32(x);
    check_f32(weight);
    tensor(cpu::forward(&values(x), &values(weight), g), output_dims(g))
}

fn conv_transposed(x: &FlexTensor, weight: &FlexTensor, g: &Conv) -> FlexTensor {
    check_f32(x);
    check_f32(weight);
    tensor(
        cpu::input_grad(&values(x), &values(weight), g),
        image_dims(g),
    )
}

impl FoldedConv for Flex {
    fn folded_conv2d(x: FlexTensor, weight: FlexTensor, geometry: Geometry) -> FlexTensor {
        let g = conv_shape(dims4(&x), dims4(&weight), &geometry);
        conv_forward(&x, &weight, &g)
    }

    fn folded_conv_transpose2d(
        x: FlexTensor,
        weight: FlexTensor,
        geometry: Geometry,
    ) -> FlexTensor {
        let g = transposed_shape(dims4(&x), dims4(&weight), &geometry);
        conv_transposed(&x, &weight, &g)
    }
}

/// Backward of either op; the state is its input, its weight and its (convolution) shape.
/// For a convolution the gradients are its input and weight gradients. For a transposed
/// convolution (the adjoint of the convolution `g`) the input gradient is `g`'s forward pass
/// of the output gradient, and the weight gradient is `g`'s weight gradient with the output
/// gradient as the image and `x` as the output gradient.
#[derive(Debug)]
struct FoldedBackward {
    transposed: bool,
}

impl Backward<Flex, 2> for FoldedBackward {
    type State = (FlexTensor, FlexTensor, Conv);

    fn backward(self, ops: Ops<Self::State, 2>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_x, node_weight] = ops.parents;
        let grad = grads.consume::<Flex>(&ops.node);
        let (x, weight, g) = ops.state;
        let (grad, x_values) = (values(&grad), values(&x));
        if let Some(node) = node_x {
            let w = values(&weight);
            let dx = if self.transposed {
                tensor(cpu::forward(&grad, &w, &g), output_dims(&g))
            } else {
                tensor(cpu::input_grad(&grad, &w, &g), image_dims(&g))
            };
            grads.register::<Flex>(node.id, dx);
        }
        if let Some(node) = node_weight {
            let dw = if self.transposed {
                cpu::weight_grad(&grad, &x_values, &g)
            } else {
                cpu::weight_grad(&x_values, &grad, &g)
            };
            grads.register::<Flex>(node.id, tensor(dw, dims4(&weight)));
        }
    }
}

/// The autodiff side of either op: when a gradient is wanted, record `node` with the
/// inputs and the shape for the backward pass; run `pass` either way.
fn record<C: CheckpointStrategy>(
    node: FoldedBackward,
    x: FloatTensor<Autodiff<Flex, C>>,
    weight: FloatTensor<Autodiff<Flex, C>>,
    g: Conv,
    pass: fn(&FlexTensor, &FlexTensor, &Conv) -> FlexTensor,
) -> FloatTensor<Autodiff<Flex, C>> {
    match node
        .prepare::<C>([x.node(), weight.node()])
        .compute_bound()
        .stateful()
    {
        OpsKind::Tracked(prep) => {
            let (x, weight) = (x.into_primitive(), weight.into_primitive());
            let out = pass(&x, &weight, &g);
            prep.finish((x, weight, g), out)
        }
        OpsKind::UnTracked(prep) => prep.finish(pass(x.primitive(), weight.primitive(), &g)),
    }
}

impl<C: CheckpointStrategy> FoldedConv for Autodiff<Flex, C> {
    fn folded_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        geometry: Geometry,
    ) -> FloatTensor<Self> {
        let g = conv_shape(dims4(x.primitive()), dims4(weight.primitive()), &geometry);
        record::<C>(
            FoldedBackward { transposed: false },
            x,
            weight,
            g,
            conv_forward,
        )
    }

    fn folded_conv_transpose2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        geometry: Geometry,
    ) -> FloatTensor<Self> {
        let g = transposed_shape(dims4(x.primitive()), dims4(weight.primitive()), &geometry);
        record::<C>(
            FoldedBackward { transposed: true },
            x,
            weight,
            g,
            conv_transposed,
        )
    }
}
