//! The DCGAN family (Radford et al.), sized for square images of 16, 32 or 64 pixels.
//!
//! For an image of side S there are n = log2(S) − 2 resolution doublings.
//! G: ConvT(nz → ngf·2ⁿ⁻¹, k4 s1 p0) to 4×4, then n ConvT(k4 s2 p1) halving the channels
//! down to ngf and finally to the image channels; BatchNorm + ReLU between, tanh at the end.
//! D mirrors it: Conv(nc → ndf, k4 s2 p1) + LeakyReLU(0.2), then n − 1 Conv(k4 s2 p1) doubling
//! the channels with BatchNorm + LeakyReLU, then Conv(k4 s1 p0) to one logit.
//! Weights start from N(0, 0.02) as in the paper. D's BatchNorm can be left out (a critic
//! trained with a gradient penalty), its weights spectrally normalised, and its input may be
//! `pack` samples stacked along the channels (PacGAN). At S = 32, nc = 1, ngf = ndf = 64, nz = 100
//! and no biases this is exactly the reference DCGAN of pytorch/examples minus one layer per
//! side (G 1.07 M, D 0.66 M parameters).

use super::activation::leaky_relu;
use super::critic::{self, ConvStep};
use super::{EmbeddingRole, LABEL_EMBEDDING, embedding, projection, spectral, with_label};
use crate::kernels::norm::{batch_norm, batch_norm_train};
use crate::kernels::{self, conv2d};
use burn::module::RunningState;
use burn::nn::Embedding;
use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Initializer, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::{relu, tanh};
use burn::tensor::ops::ConvOptions;

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
    /// BatchNorm in D's hidden layers.
    pub d_batch_norm: bool,
    /// D's weights divided by their spectral norm.
    pub spectral: bool,
    /// Samples D judges at once (PacGAN), stacked along the channels.
    pub pack: usize,
    /// Class labels G and D are conditioned on (a conditional GAN).
    pub classes: Option<usize>,
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
    /// The class embedding appended to z, for a conditional G.
    label: Option<Embedding>,
    /// Input channels of the first layer: z, plus the label's embedding.
    input: usize,
    channels: usize,
    size: usize,
}

#[derive(Module, Debug)]
pub struct DcganDiscriminator {
    convs: Vec<Conv2d>,
    /// One per convolution after the first and before the last, or none.
    norms: Vec<BatchNorm>,
    /// Power-iteration vectors, one per convolution, when spectrally normalised.
    spectral: Option<Vec<Tensor<2>>>,
    /// The class embedding of a projection discriminator (conditional D).
    projection: Option<Embedding>,
    /// Input channels: image channels × pack.
    channels: usize,
    size: usize,
}

/// D's slope for negative inputs.
const SLOPE: f64 = 0.2;

impl DcganGenerator {
    pub fn new(shape: DcganShape, device: &Device) -> DcganGenerator {
        let n = shape.doublings();
        let widths: Vec<usize> = (0..n).map(|i| shape.ngf << (n - 1 - i)).collect();
        let input = shape.latent + shape.classes.map_or(0, |_| LABEL_EMBEDDING);
        let mut convs = vec![
            ConvTranspose2dConfig::new([input, widths[0]], [4, 4])
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
            label: embedding(shape.classes, LABEL_EMBEDDING, EmbeddingRole::Input, device),
            input,
            channels: shape.channels,
            size: shape.size,
        }
    }

    /// `z`: [batch, latent] (and labels, if conditional) → images flattened to
    /// [batch, channels·size·size].
    pub fn forward(&self, z: Tensor<2>, labels: Option<&Tensor<1, Int>>) -> Tensor<2> {
        self.run(with_label(z, &self.label, labels), false)
    }

    /// Like [`Self::forward`], but every BatchNorm normalises with the statistics of this
    /// batch and leaves its running statistics alone, as G behaves in training. Sample views
    /// use it: inference mode would normalise with running statistics that lag far behind the
    /// weights early in training, and the grid would show flat gray for the first ~100 steps.
    pub fn sample(&self, z: Tensor<2>, labels: Option<&Tensor<1, Int>>) -> Tensor<2> {
        self.run(with_label(z, &self.label, labels), true)
    }

    /// A copy for inference on any number of latents, one included: each BatchNorm normalises
    /// with fixed statistics measured on the `reference` batch of latents (as in training),
    /// instead of the running averages, which lag behind the weights, or the statistics of
    /// the batch at hand, which are meaningless for a single sample. Images from the copy
    /// match what G makes inside a training-sized batch. `self` is not changed.
    pub fn calibrated(
        &self,
        reference: Tensor<2>,
        labels: Option<&Tensor<1, Int>>,
    ) -> DcganGenerator {
        let [batch, _] = reference.dims();
        let mut copy = self.clone();
        let reference = with_label(reference, &self.label, labels);
        let mut h = reference.reshape([batch, self.input, 1, 1]);
        for (conv, norm) in self.convs.iter().zip(copy.norms.iter_mut()) {
            let normalised = batch_norm_train(
                kernels::conv_transpose(conv, h),
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

    /// `z` with the label's embedding already appended.
    fn run(&self, z: Tensor<2>, batch_statistics: bool) -> Tensor<2> {
        let [batch, _] = z.dims();
        let mut h = z.reshape([batch, self.input, 1, 1]); // [B, nz (+ label), 1, 1]
        let last = self.convs.len() - 1;
        for (i, conv) in self.convs.iter().enumerate() {
            h = kernels::conv_transpose(conv, h); // spatial ×2 per layer after the first (4×4)
            if i < last {
                let norm = &self.norms[i];
                h = relu(if batch_statistics {
                    batch_norm_train(h, norm.gamma.val(), norm.beta.val(), norm.epsilon).output
                } else {
                    batch_norm(norm, h)
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
        let channels = shape.channels * shape.pack;
        let mut convs = vec![strided(channels, widths[0])];
        let mut norms = Vec::new();
        for i in 1..n {
            convs.push(strided(widths[i - 1], widths[i]));
            if shape.d_batch_norm {
                norms.push(BatchNormConfig::new(widths[i]).init(device));
            }
        }
        convs.push(
            Conv2dConfig::new([widths[n - 1], 1], [4, 4])
                .with_bias(shape.bias)
                .with_initializer(INIT)
                .init(device),
        );
        let spectral = shape.spectral.then(|| {
            convs
                .iter()
                .map(|c| spectral::initial_u(c.weight.dims()[0], device))
                .collect()
        });
        DcganDiscriminator {
            convs,
            norms,
            spectral,
            projection: embedding(
                shape.classes,
                widths[n - 1],
                EmbeddingRole::Projection,
                device,
            ),
            channels,
            size: shape.size,
        }
    }

    /// Stride and padding of convolution `i`: the last maps 4×4 to 1×1.
    fn geometry(&self, i: usize) -> (usize, usize) {
        if i + 1 == self.convs.len() {
            (1, 0)
        } else {
            (2, 1)
        }
    }

    /// Each convolution's weight as used: W, or W / σ(W) under spectral normalisation.
    fn weights(&self) -> Vec<Tensor<4>> {
        self.convs
            .iter()
            .enumerate()
            .map(|(i, conv)| {
                let w = conv.weight.val();
                match &self.spectral {
                    Some(us) => {
                        let (sigma, _) = spectral::sigma(spectral::as_matrix(w.clone()), &us[i]);
                        w.div(sigma.reshape([1, 1, 1, 1]))
                    }
                    None => w,
                }
            })
            .collect()
    }

    /// The pre-activation of every LeakyReLU, the last hidden activation, and the logits
    /// (with the projection term of a conditional D).
    /// With `batch_statistics`, every BatchNorm normalises with this batch's statistics and
    /// leaves its running statistics alone (see [`Self::judge`]).
    fn run(
        &self,
        x: Tensor<2>,
        labels: Option<&Tensor<1, Int>>,
        batch_statistics: bool,
    ) -> (Vec<Tensor<4>>, Tensor<4>, Tensor<2>) {
        let [batch, _] = x.dims();
        let mut h = x.reshape([batch, self.channels, self.size, self.size]);
        let mut weights = self.weights();
        let last = weights
            .pop()
            .unwrap_or_else(|| unreachable!("the output layer"));
        let mut pre = Vec::with_capacity(weights.len());
        for (i, (conv, w)) in self.convs.iter().zip(weights).enumerate() {
            let (stride, padding) = self.geometry(i);
            let options = ConvOptions::new([stride; 2], [padding; 2], [1, 1], 1);
            let bias = conv.bias.as_ref().map(|b| b.val());
            h = conv2d(h, w, bias, options); // spatial ÷2 per strided layer
            if i > 0
                && let Some(norm) = self.norms.get(i - 1)
            {
                h = if batch_statistics {
                    batch_norm_train(h, norm.gamma.val(), norm.beta.val(), norm.epsilon).output
                } else {
                    batch_norm(norm, h)
                };
            }
            pre.push(h.clone());
            h = leaky_relu(h, SLOPE);
        }
        let index = self.convs.len() - 1;
        let (stride, padding) = self.geometry(index);
        let options = ConvOptions::new([stride; 2], [padding; 2], [1, 1], 1);
        let bias = self.convs[index].bias.as_ref().map(|b| b.val());
        // 4×4 → 1×1
        let mut logits = conv2d(h.clone(), last, bias, options).reshape([batch, 1]);
        if let Some(e) = projection(&self.projection, labels, batch, &h.device()) {
            let pooled = h
                .clone()
                .sum_dim(3)
                .sum_dim(2)
                .reshape([batch, e.dims()[1]]);
            logits = logits + (e * pooled).sum_dim(1);
        }
        (pre, h, logits)
    }

    /// `x`: flattened images [batch, channels·size·size] (and labels, if conditional) →
    /// logits [batch, 1].
    pub fn forward(&self, x: Tensor<2>, labels: Option<&Tensor<1, Int>>) -> Tensor<2> {
        self.run(x, labels, false).2
    }

    /// Like [`Self::forward`], but every BatchNorm normalises with the statistics of this
    /// batch and leaves its running statistics alone, as D behaves in training. Diagnostics
    /// use it: D's running statistics blend its real and fake batches, so inference mode
    /// judges samples quite differently from the D that is being trained.
    pub fn judge(&self, x: Tensor<2>, labels: Option<&Tensor<1, Int>>) -> Tensor<2> {
        self.run(x, labels, true).2
    }

    /// ∂D(x)/∂x per sample, flattened like `x`, as differentiable operations on the weights.
    /// Only for a D without BatchNorm (presets ensure it).
    pub fn input_gradient(&self, x: Tensor<2>, labels: Option<&Tensor<1, Int>>) -> Tensor<2> {
        let [batch, features] = x.dims();
        let device = x.device();
        let (pre, h, _) = self.run(x, labels, false);
        let mut steps: Vec<ConvStep> = self
            .weights()
            .into_iter()
            .enumerate()
            .map(|(i, weight)| {
                let (stride, padding) = self.geometry(i);
                ConvStep {
                    weight,
                    stride,
                    padding,
                }
            })
            .collect();
        let last = steps
            .pop()
            .unwrap_or_else(|| unreachable!("the output layer"));
        // ∂logit/∂h: the last convolution's adjoint, plus the label's embedding at every
        // position if projecting.
        let seed = Tensor::<4>::ones([batch, 1, 1, 1], &device);
        let mut top = critic::conv_back(seed, last);
        if let Some(e) = projection(&self.projection, labels, batch, &device) {
            let [_, c, hh, ww] = h.dims();
            top = top + e.reshape([batch, c, 1, 1]).expand([batch, c, hh, ww]);
        }
        critic::conv_adjoint(top, steps, pre, SLOPE).reshape([batch, features])
    }

    /// Whether D has layers its input gradient cannot pass (BatchNorm).
    pub fn has_batch_norm(&self) -> bool {
        !self.norms.is_empty()
    }

    /// Advance every convolution's power iteration by one step (after an update of D).
    pub fn advance_spectral(&mut self) {
        let weights: Vec<Tensor<2>> = self
            .convs
            .iter()
            .map(|c| spectral::as_matrix(c.weight.val()))
            .collect();
        if let Some(us) = &mut self.spectral {
            for (u, w) in us.iter_mut().zip(weights) {
                *u = spectral::sigma(w, u).1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::loss;
    use crate::models::Discriminator;
    use crate::models::critic::testing::{
        input_gradient_vs_differences, relative_error, weight_gradient_vs_difference,
    };

    /// A small 16×16 critic without BatchNorm.
    fn shape(spectral: bool, pack: usize, classes: Option<usize>) -> DcganShape {
        DcganShape {
            latent: 8,
            channels: 1,
            size: 16,
            ngf: 4,
            ndf: 4,
            bias: true,
            d_batch_norm: false,
            spectral,
            pack,
            classes,
        }
    }

    fn critic(
        device: &Device,
        spectral: bool,
        pack: usize,
        classes: Option<usize>,
    ) -> Discriminator {
        // Seeded under the models' lock: tests running in parallel share the backend's
        // generator, and a draw taken in between would change these weights.
        crate::models::seeded(device, 21, || {
            Discriminator::Dcgan(DcganDiscriminator::new(
                shape(spectral, pack, classes),
                device,
            ))
        })
    }

    /// Uniform(−1, 1) images from a generator of their own (not the backend's shared one).
    fn images(n: usize, features: usize, _device: &Device) -> Vec<f32> {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64((n * features) as u64);
        (0..n * features)
            .map(|_| rng.random_range(-1.0f32..1.0))
            .collect()
    }

    #[test]
    fn the_critic_input_gradient_matches_finite_differences() {
        for (spectral, pack, classes) in [(false, 1, None), (true, 2, None), (false, 1, Some(4))] {
            let device = Device::flex();
            let d = critic(&device, spectral, pack, classes);
            let labels = classes.map(|_| crate::models::label_tensor(&[3, 0, 1], &device));
            let features = 16 * 16 * pack;
            let x = images(3, features, &device);
            let coords: Vec<usize> = (0..24).map(|i| (i * 37) % features).collect();
            let (analytic, numeric) =
                input_gradient_vs_differences(&d, &x, 3, &coords, labels.as_ref(), &device);
            let error = relative_error(&analytic, &numeric);
            assert!(
                error < 2e-2,
                "spectral {spectral} pack {pack}: relative error {error}"
            );
        }
    }

    #[test]
    fn r1_trains_the_critic_weights_exactly_and_batch_norm_is_refused() {
        let device = Device::flex().autodiff();
        let Discriminator::Dcgan(d) = critic(&device, false, 1, None) else {
            unreachable!("a DCGAN critic")
        };
        let x = Tensor::<2>::from_data(TensorData::new(images(4, 256, &device), [4, 256]), &device);
        let penalty =
            |d: &DcganDiscriminator| loss::r1_penalty(d.input_gradient(x.clone(), None), 10.0);
        let (analytic, numeric) = weight_gradient_vs_difference(
            &d,
            |d| d.convs[1].weight.val(),
            |d, w| {
                let mut d = d.clone();
                d.convs[1].weight = burn::module::Param::from_tensor(w);
                d
            },
            penalty,
        );
        assert!(analytic.abs() > 1e-5, "{analytic}");
        assert!(
            (analytic - numeric).abs() / numeric.abs() < 2e-2,
            "autodiff {analytic} vs finite difference {numeric}"
        );
        let with_norm = crate::models::seeded(&device, 23, || {
            Discriminator::Dcgan(DcganDiscriminator::new(
                DcganShape {
                    d_batch_norm: true,
                    ..shape(false, 1, None)
                },
                &device,
            ))
        });
        let refused = with_norm.input_gradient(x, None).err().unwrap_or_default();
        assert!(refused.contains("BatchNorm"), "{refused}");
    }
}
