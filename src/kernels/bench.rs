//! Per-layer timings of burn's convolutions against ganscope's folded ones, for
//! `ganscope bench --compare-kernels`: each layer of a DCGAN, forward alone on the plain CPU
//! device, and forward + backward (input and weight gradients) on its autodiff device.

use super::{Kernels, conv_transpose2d_with, conv2d_with};
use burn::prelude::*;
use burn::tensor::Distribution;
use burn::tensor::ops::{ConvOptions, ConvTransposeOptions};
use std::time::Instant;

/// One convolution layer: what it is and its shapes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layer {
    /// "G.1" … for G's transposed convolutions, "D.1" … for D's convolutions.
    pub name: String,
    pub transposed: bool,
    /// Input `[batch, channels, height, width]`.
    pub input: [usize; 4],
    /// Weight as burn stores it.
    pub weight: [usize; 4],
    pub stride: usize,
    pub padding: usize,
}

/// The layers of the DCGAN family (see `models::dcgan`) for images of `size` pixels with
/// `channels` channels, a latent of `latent`, widths `ngf`/`ndf`, at `batch`.
pub fn dcgan_layers(
    latent: usize,
    channels: usize,
    size: usize,
    ngf: usize,
    ndf: usize,
    batch: usize,
) -> Vec<Layer> {
    let n = (size.max(8).trailing_zeros() as usize).saturating_sub(2);
    let mut layers = Vec::new();
    let mut input = [batch, latent, 1, 1];
    for i in 0..=n {
        let out = if i == n { channels } else { ngf << (n - 1 - i) };
        let (stride, padding) = if i == 0 { (1, 0) } else { (2, 1) };
        layers.push(Layer {
            name: format!("G.{}", i + 1),
            transposed: true,
            input,
            weight: [input[1], out, 4, 4],
            stride,
            padding,
        });
        let side = if i == 0 { 4 } else { input[2] * 2 };
        input = [batch, out, side, side];
    }
    let mut input = [batch, channels, size, size];
    for i in 0..=n {
        let last = i == n;
        let out = if last { 1 } else { ndf << i };
        let (stride, padding) = if last { (1, 0) } else { (2, 1) };
        layers.push(Layer {
            name: format!("D.{}", i + 1),
            transposed: false,
            input,
            weight: [out, input[1], 4, 4],
            stride,
            padding,
        });
        input = [batch, out, input[2] / 2, input[3] / 2];
    }
    layers
}

/// Milliseconds per pass of one layer with one kernel set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PassTimes {
    pub forward_ms: f64,
    /// Forward + backward minus forward: the input and weight gradients.
    pub backward_ms: f64,
}

fn apply(layer: &Layer, kernels: Kernels, x: Tensor<4>, w: Tensor<4>) -> Tensor<4> {
    let s = [layer.stride; 2];
    let p = [layer.padding; 2];
    if layer.transposed {
        let options = ConvTransposeOptions::new(s, p, [0, 0], [1, 1], 1);
        conv_transpose2d_with(kernels, x, w, None, options)
    } else {
        conv2d_with(kernels, x, w, None, ConvOptions::new(s, p, [1, 1], 1))
    }
}

/// Median of `repeats` timings of `f` in milliseconds, after one untimed call.
fn median_ms(repeats: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut times: Vec<f64> = (0..repeats.max(1))
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// Time `layer` with `kernels` on the CPU: the median over `repeats` runs.
pub fn time_layer(layer: &Layer, kernels: Kernels, repeats: usize) -> PassTimes {
    let plain = Device::flex();
    let x = Tensor::<4>::random(layer.input, Distribution::Normal(0.0, 1.0), &plain);
    let w = Tensor::<4>::random(layer.weight, Distribution::Normal(0.0, 0.02), &plain);
    let forward_ms = median_ms(repeats, || {
        let out = apply(layer, kernels, x.clone(), w.clone());
        let _ = out.into_data();
    });
    let tracked = plain.clone().autodiff();
    let both_ms = median_ms(repeats, || {
        let x = Tensor::<4>::from_data(x.to_data(), &tracked).require_grad();
        let w = Tensor::<4>::from_data(w.to_data(), &tracked).require_grad();
        let grads = apply(layer, kernels, x.clone(), w.clone()).sum().backward();
        let _ = (x.grad(&grads), w.grad(&grads));
    });
    PassTimes {
        forward_ms,
        backward_ms: (both_ms - forward_ms).max(0.0),
    }
}
