//! Model families. Each family is one file with its generator and discriminator; this module
//! turns a preset's [`ModelSpec`] into the pair.
//!
//! Every network speaks in flattened samples: G maps [batch, latent] to [batch, features] and
//! D maps [batch, features] to [batch, 1] logits, reshaping internally. That keeps the trainer
//! family-agnostic. A family conditioned on more than z (a class label, a low-resolution or a
//! paired image) adds its variant here and receives the extra input alongside z.

pub mod activation;
pub mod critic;
pub mod dcgan;
pub mod mlp;
pub mod spectral;

use crate::data::SampleShape;
use crate::preset::{GameSpec, ModelSpec};
use burn::prelude::*;

#[derive(Module, Debug)]
pub enum Generator {
    Mlp(mlp::MlpGenerator),
    Dcgan(dcgan::DcganGenerator),
}

#[derive(Module, Debug)]
pub enum Discriminator {
    Mlp(mlp::MlpDiscriminator),
    Dcgan(dcgan::DcganDiscriminator),
}

impl Generator {
    /// `z`: [batch, latent] → samples [batch, features].
    pub fn forward(&self, z: Tensor<2>) -> Tensor<2> {
        match self {
            Generator::Mlp(g) => g.forward(z),
            Generator::Dcgan(g) => g.forward(z),
        }
    }

    /// G as it behaves in training (BatchNorm on this batch's statistics), without changing
    /// any state: for sample views of a batch of latent vectors.
    pub fn sample(&self, z: Tensor<2>) -> Tensor<2> {
        match self {
            Generator::Mlp(g) => g.forward(z),
            Generator::Dcgan(g) => g.sample(z),
        }
    }

    /// A copy of G (without autodiff) for inference on batches of any size, one included;
    /// normalisation layers use statistics measured on the `reference` latents.
    /// See [`dcgan::DcganGenerator::calibrated`].
    pub fn calibrated(&self, reference: Tensor<2>) -> Generator {
        match self {
            Generator::Mlp(g) => Generator::Mlp(g.clone()),
            Generator::Dcgan(g) => Generator::Dcgan(g.calibrated(reference)),
        }
    }
}

impl Discriminator {
    /// Samples [batch, features] (packed: [batch / pack, pack · features]) → logits
    /// [batch, 1].
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        match self {
            Discriminator::Mlp(d) => d.forward(x),
            Discriminator::Dcgan(d) => d.forward(x),
        }
    }

    /// ∂D(x)/∂x per sample, shaped like `x`, as differentiable operations on D's weights
    /// (see [`critic`]); an error naming the layer that prevents it.
    pub fn input_gradient(&self, x: Tensor<2>) -> Result<Tensor<2>, String> {
        match self {
            Discriminator::Mlp(d) => Ok(d.input_gradient(x)),
            Discriminator::Dcgan(d) if d.has_batch_norm() => Err(
                "D's BatchNorm layers mix the samples of a batch, so its gradient per sample \
                 cannot be formed: use a DCGAN with d_batch_norm = false"
                    .into(),
            ),
            Discriminator::Dcgan(d) => Ok(d.input_gradient(x)),
        }
    }

    /// Advance the power iteration of spectral normalisation (no-op without it).
    pub fn advance_spectral(&mut self) {
        match self {
            Discriminator::Mlp(d) => d.advance_spectral(),
            Discriminator::Dcgan(d) => d.advance_spectral(),
        }
    }
}

/// Build G and D for samples of `shape` on `device` (validated presets only); D follows the
/// game's packing and spectral normalisation.
pub fn build(
    spec: &ModelSpec,
    game: &GameSpec,
    shape: SampleShape,
    device: &Device,
) -> (Generator, Discriminator) {
    match *spec {
        ModelSpec::Mlp {
            latent_dim,
            hidden,
            layers,
        } => {
            let features = shape.numel();
            let images = matches!(shape, SampleShape::Image { .. });
            (
                Generator::Mlp(mlp::MlpGenerator::new(
                    latent_dim, hidden, layers, features, images, device,
                )),
                Discriminator::Mlp(mlp::MlpDiscriminator::new(
                    features * game.pack,
                    hidden,
                    layers,
                    game.spectral_norm,
                    device,
                )),
            )
        }
        ModelSpec::Dcgan {
            latent_dim,
            ngf,
            ndf,
            bias,
            d_batch_norm,
        } => {
            let (channels, size) = match shape {
                SampleShape::Image {
                    channels, height, ..
                } => (channels, height),
                SampleShape::Points2 => unreachable!("presets reject a DCGAN on points"),
            };
            let shape = dcgan::DcganShape {
                latent: latent_dim,
                channels,
                size,
                ngf,
                ndf,
                bias,
                d_batch_norm,
                spectral: game.spectral_norm,
                pack: game.pack,
            };
            (
                Generator::Dcgan(dcgan::DcganGenerator::new(shape, device)),
                Discriminator::Dcgan(dcgan::DcganDiscriminator::new(shape, device)),
            )
        }
    }
}
