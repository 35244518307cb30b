//! The DCGAN family (Radford et al.), sized for square images of 16, 32 or 64 pixels.
//!
//! For an image of side S there are n = log2(S) − 2 resolution doublings.
//! G: ConvT(nz → ngf·2ⁿ⁻¹, k4 s1 p0) to 4×4, then n ConvT(k4 s2 p1) halving the channels
//! down to ngf and finally to the image channels; BatchNorm + ReLU between, tanh at the end.
//! D mirrors it: Conv(nc → ndf, k4 s2 p1) + LeakyReLU(0.2), then n − 1 Conv(k4 s2 p1) doubling
//! the channels with BatchNorm + LeakyReLU, then Conv(k4 s1 p0) to one logit.
//! Weights start from N(0, 0.02) as in the paper. At S = 32, nc = 1, ngf = ndf = 64, nz = 100
//! and no biases this is exactly the reference DCGAN of pytorch/examples minus one layer per
//! side (G 1.07 M, D 0.66 M parameters).

use super::activation::leaky_relu;
use burn::module::RunningState;
use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Initializer, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::{relu, tanh};
use burn::tensor::module::batch_norm_train;

const INIT: Initializer = Initializer::Normal {
    mean: 0.0,
    std: 0.02,
};

/// Architecture numbers shared by G and D.
#[derive(Clone, Copy, Debug)]
pub struct DcganShape {
    pub latent: usize,
    pub channels: usize,
    pub size: usize,
    pub ngf: usize,
    pub ndf: usize,
    pub bias: bool,
}

impl DcganShape {
    /// Number of stride-2 layers: log2(size) − 2.
    fn doublings(&self) -> usize {
        self.size.trailing_zeros() as usize - 2
    }
}

#[derive(Module, Debug)]
pub struct DcganGenerator {
    convs: Vec<ConvTranspose2d>,
    norms: Vec<BatchNorm>,
    latent: usize,
    channels: usize,
    size: usize,
}

#[derive(Module, Debug)]
pub struct DcganDiscriminator {
    convs: Vec<Conv2d>,
    /// One per convolution after the first and before the last.
    norms: Vec<BatchNorm>,
    channels: usize,
    size: usize,
}

impl DcganGenerator {
    pub fn new(shape: DcganShape, device: &Device) -> DcganGenerator {
        let n = shape.doublings();
        let widths: Vec<usize> = (0..n).map(|i| shape.ngf << (n - 1 - i)).collect();
        let mut convs = vec![
            ConvTranspose2dConfig::new([shape.latent, widths[0]], [4, 4])
                .with_bias(shape.bias)
                .with_initializer(INIT)
                .init(device),
        ];
        let mut norms = vec![BatchNormConfig::new(widths[0]).init(device)];
        for i in 0..n {
            let out = widths.get(i + 1).copied().unwrap_or(shape.channels);
            convs.push(
                ConvTranspose2dConfig::new([widths[i], out], [4, 4])
                    .with_stride([2, 2])
                    .with_padding([1, 1])
                    .with_bias(shape.bias)
                    .with_initializer(INIT)
                    .init(device),
            );
            if i + 1 < n {
                norms.push(BatchNormConfig::new(out).init(device));
            }
        }
        DcganGenerator {
            convs,
            norms,
            latent: shape.latent,
            channels: shape.channels,
            size: shape.size,
        }
    }

    /// `z`: [batch, latent] → images flattened to [batch, channels·size·size].
    pub fn forward(&self, z: Tensor<2>) -> Tensor<2> {
        self.run(z, false)
    }

    /// Like [`Self::forward`], but every BatchNorm normalises with the statistics of this
    /// batch and leaves its running statistics alone, as G behaves in training. Sample views
    /// use it: inference mode would normalise with running statistics that lag far behind the
    /// weights early in training, and the grid would show flat gray for the first ~100 steps.
    pub fn sample(&self, z: Tensor<2>) -> Tensor<2> {
        self.run(z, true)
    }

    /// A copy for inference on any number of latents, one included: each BatchNorm normalises
    /// with fixed statistics measured on the `reference` batch of latents (as in training),
    /// instead of the running averages, which lag behind the weights, or the statistics of
    /// the batch at hand, which are meaningless for a single sample. Images from the copy
    /// match what G makes inside a training-sized batch. `self` is not changed.
    pub fn calibrated(&self, reference: Tensor<2>) -> DcganGenerator {
        let [batch, _] = reference.dims();
        let mut copy = self.clone();
        let mut h = reference.reshape([batch, self.latent, 1, 1]);
        for (conv, norm) in self.convs.iter().zip(copy.norms.iter_mut()) {
            let normalised = batch_norm_train(
                conv.forward(h),
                norm.gamma.val(),
                norm.beta.val(),
                norm.epsilon,
            );
            // Fresh states: a clone's running state is shared with the original.
            norm.running_mean = RunningState::new(normalised.mean);
            norm.running_var = RunningState::new(normalised.variance);
            h = relu(normalised.output);
        }
        copy
    }

    fn run(&self, z: Tensor<2>, batch_statistics: bool) -> Tensor<2> {
        let [batch, _] = z.dims();
        let mut h = z.reshape([batch, self.latent, 1, 1]); // [B, nz, 1, 1]
        let last = self.convs.len() - 1;
        for (i, conv) in self.convs.iter().enumerate() {
            h = conv.forward(h); // spatial ×2 per layer after the first (4×4)
            if i < last {
                let norm = &self.norms[i];
                h = relu(if batch_statistics {
                    batch_norm_train(h, norm.gamma.val(), norm.beta.val(), norm.epsilon).output
                } else {
                    norm.forward(h)
                });
            }
        }
        tanh(h).reshape([batch, self.channels * self.size * self.size])
    }
}

impl DcganDiscriminator {
    pub fn new(shape: DcganShape, device: &Device) -> DcganDiscriminator {
        let n = shape.doublings();
        let widths: Vec<usize> = (0..n).map(|i| shape.ndf << i).collect();
        let strided = |input: usize, output: usize| {
            Conv2dConfig::new([input, output], [4, 4])
                .with_stride([2, 2])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .with_bias(shape.bias)
                .with_initializer(INIT)
                .init(device)
        };
        let mut convs = vec![strided(shape.channels, widths[0])];
        let mut norms = Vec::new();
        for i in 1..n {
            convs.push(strided(widths[i - 1], widths[i]));
            norms.push(BatchNormConfig::new(widths[i]).init(device));
        }
        convs.push(
            Conv2dConfig::new([widths[n - 1], 1], [4, 4])
                .with_bias(shape.bias)
                .with_initializer(INIT)
                .init(device),
        );
        DcganDiscriminator {
            convs,
            norms,
            channels: shape.channels,
            size: shape.size,
        }
    }

    /// `x`: flattened images [batch, channels·size·size] → logits [batch, 1].
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let [batch, _] = x.dims();
        let mut h = x.reshape([batch, self.channels, self.size, self.size]);
        let last = self.convs.len() - 1;
        for (i, conv) in self.convs.iter().enumerate() {
            h = conv.forward(h); // spatial ÷2 per strided layer, 4×4 → 1×1 at the end
            if i == 0 {
                h = leaky_relu(h, 0.2);
            } else if i < last {
                h = leaky_relu(self.norms[i - 1].forward(h), 0.2);
            }
        }
        h.reshape([batch, 1])
    }
}
