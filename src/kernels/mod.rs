//! ganscope's own compute kernels for the CPU, where burn's general ones leave speed behind.
//!
//! - [`conv2d`] and [`conv_transpose2d`] (and [`conv`]/[`conv_transpose`] for burn's layer
//!   modules): on `Flex`-backed tensors, plain or autodiff, the batch is folded into one matrix
//!   product per pass, forward and backward ([`cpu`], [`extension`]); on every other device,
//!   and for grouped convolutions, they are burn's own functions. Every convolutional model
//!   calls these instead of burn's.
//! - [`activation`]: LeakyReLU as one operation (one autodiff node) on the CPU, in place
//!   when its input is not shared.
//! - [`norm`]: batch normalisation with batch statistics as one operation (two passes each
//!   way instead of burn's composition), and `BatchNorm::forward` with it.
//! - [`linear`]: a fully connected layer (`x · W + b`) as one `gemm` call and one autodiff node.
//! - [`optim`]: one fused pass per parameter tensor for Adam and RMSProp on the CPU (used on
//!   every device: off the CPU each step is burn's).
//! - [`isa`]: the instruction set a CPU run's arithmetic uses, and what holds it fixed across
//!   CPUs (a seeded run replays bit for bit with or without AVX-512).
//! - [`bench`]: per-layer timings for `ganscope bench --compare-kernels`.
//!
//! [`set_kernels`] switches the whole process back to burn's convolutions, LeakyReLU, batch
//! norm and linear layers, for side-by-side measurements (`ganscope bench --kernels builtin`,
//! `--compare-kernels`).

pub mod activation;
pub mod bench;
pub mod cpu;
pub mod extension;
pub mod isa;
pub mod linear;
pub mod norm;
pub mod optim;

use burn::backend::{Dispatch, DispatchDevice};
use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, ConvTranspose2d};
use burn::prelude::*;
use burn::tensor::DType;
use burn::tensor::module;
use burn::tensor::ops::{ConvOptions, ConvTransposeOptions};
use extension::{FoldedConv, Geometry};
use std::sync::atomic::{AtomicBool, Ordering};

/// Which convolutions, LeakyReLU, batch norm and linear layers run on the CPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernels {
    /// burn's own `conv2d` / `conv_transpose2d`, `batch_norm_train` and `linear`, LeakyReLU
    /// composed from burn's operations.
    Builtin,
    /// ganscope's batch-folded convolutions and fused LeakyReLU, batch norm and linear layer
    /// (CPU only; other devices use burn's regardless).
    Folded,
}

static BUILTIN: AtomicBool = AtomicBool::new(false);

/// Choose the kernels for the whole process (the default is [`Kernels::Folded`]).
pub fn set_kernels(kernels: Kernels) {
    BUILTIN.store(kernels == Kernels::Builtin, Ordering::Relaxed);
}

/// The kernels in use.
pub fn kernels() -> Kernels {
    if BUILTIN.load(Ordering::Relaxed) {
        Kernels::Builtin
    } else {
        Kernels::Folded
    }
}

/// Whether the folded kernels can run on tensors of `device` and `dtype`: `Flex`, plain or
/// under autodiff, in `f32`.
pub fn folds_on(device: &Device, dtype: DType) -> bool {
    dtype == DType::F32
        && matches!(
            device.clone().inner().as_dispatch(),
            DispatchDevice::Flex(_)
        )
}

fn folded(x: &Tensor<4>, groups: usize, kernels: Kernels) -> bool {
    kernels == Kernels::Folded && groups == 1 && folds_on(&x.device(), x.dtype())
}

fn add_bias(out: Tensor<4>, bias: Option<Tensor<1>>) -> Tensor<4> {
    match bias {
        Some(bias) => {
            let [channels] = bias.dims();
            out + bias.reshape([1, channels, 1, 1])
        }
        None => out,
    }
}

/// A 2-D convolution, as burn's [`module::conv2d`], with the kernels in use.
pub fn conv2d(
    x: Tensor<4>,
    weight: Tensor<4>,
    bias: Option<Tensor<1>>,
    options: ConvOptions<2>,
) -> Tensor<4> {
    conv2d_with(kernels(), x, weight, bias, options)
}

/// A 2-D convolution with the kernels named.
pub fn conv2d_with(
    kernels: Kernels,
    x: Tensor<4>,
    weight: Tensor<4>,
    bias: Option<Tensor<1>>,
    options: ConvOptions<2>,
) -> Tensor<4> {
    if !folded(&x, options.groups, kernels) {
        return module::conv2d(x, weight, bias, options);
    }
    let geometry = Geometry {
        stride: options.stride,
        pad_begin: options.padding.map(|p| p.0),
        pad_end: options.padding.map(|p| p.1),
        pad_out: [0, 0],
        dilation: options.dilation,
    };
    let out = <Dispatch as FoldedConv>::folded_conv2d(
        x.into_dispatch(),
        weight.into_dispatch(),
        geometry,
    );
    add_bias(Tensor::from_dispatch(out), bias)
}

/// A 2-D transposed convolution, as burn's [`module::conv_transpose2d`], with the kernels in
/// use.
pub fn conv_transpose2d(
    x: Tensor<4>,
    weight: Tensor<4>,
    bias: Option<Tensor<1>>,
    options: ConvTransposeOptions<2>,
) -> Tensor<4> {
    conv_transpose2d_with(kernels(), x, weight, bias, options)
}

/// A 2-D transposed convolution with the kernels named.
pub fn conv_transpose2d_with(
    kernels: Kernels,
    x: Tensor<4>,
    weight: Tensor<4>,
    bias: Option<Tensor<1>>,
    options: ConvTransposeOptions<2>,
) -> Tensor<4> {
    if !folded(&x, options.groups, kernels) {
        return module::conv_transpose2d(x, weight, bias, options);
    }
    let geometry = Geometry {
        stride: options.stride,
        pad_begin: options.padding,
        pad_end: options.padding,
        pad_out: options.padding_out,
        dilation: options.dilation,
    };
    let out = <Dispatch as FoldedConv>::folded_conv_transpose2d(
        x.into_dispatch(),
        weight.into_dispatch(),
        geometry,
    );
    add_bias(Tensor::from_dispatch(out), bias)
}

/// burn's [`Conv2d`] layer applied with the kernels in use (its forward, padding included).
pub fn conv(layer: &Conv2d, x: Tensor<4>) -> Tensor<4> {
    let [_, _, height, width] = x.dims();
    let ((top, bottom), (left, right)) = match layer.padding {
        PaddingConfig2d::Valid => ((0, 0), (0, 0)),
        PaddingConfig2d::Explicit(top, left, bottom, right) => ((top, bottom), (left, right)),
        PaddingConfig2d::Same => (
            same_padding(layer.kernel_size[0], layer.stride[0], height),
            same_padding(layer.kernel_size[1], layer.stride[1], width),
        ),
    };
    let options = ConvOptions::new_with_padding(
        layer.stride,
        [(top, bottom), (left, right)],
        layer.dilation,
        layer.groups,
    );
    conv2d(
        x,
        layer.weight.val(),
        layer.bias.as_ref().map(|b| b.val()),
        options,
    )
}

/// "Same" padding as burn computes it: the output is ⌈size / stride⌉, the extra row or column
/// at the end.
fn same_padding(kernel: usize, stride: usize, size: usize) -> (usize, usize) {
    let out = size.div_ceil(stride);
    let total = if out > 0 {
        ((out - 1) * stride + kernel).saturating_sub(size)
    } else {
        0
    };
    (total / 2, total - total / 2)
}

/// burn's [`ConvTranspose2d`] layer applied with the kernels in use.
pub fn conv_transpose(layer: &ConvTranspose2d, x: Tensor<4>) -> Tensor<4> {
    let options = ConvTransposeOptions::new(
        layer.stride,
        layer.padding,
        layer.padding_out,
        layer.dilation,
        layer.groups,
    );
    conv_transpose2d(
        x,
        layer.weight.val(),
        layer.bias.as_ref().map(|b| b.val()),
        options,
    )
}
