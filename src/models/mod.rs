//! Model families. Each family is one file with its generator and discriminator; this module
//! turns a preset's [`ModelSpec`] into the pair.
//!
//! Every network speaks in flattened samples: G maps [batch, latent] to [batch, features] and
//! D maps [batch, features] to [batch, 1] logits, reshaping internally. That keeps the trainer
//! family-agnostic. A family conditioned on more than z (a class label, a low-resolution or a
//! paired image) adds its variant here and receives the extra input alongside z.

pub mod activation;
pub mod dcgan;
pub mod mlp;

use crate::data::SampleShape;
use crate::preset::ModelSpec;
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
    /// Samples [batch, features] → logits [batch, 1].
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        match self {
            Discriminator::Mlp(d) => d.forward(x),
            Discriminator::Dcgan(d) => d.forward(x),
        }
    }
}

/// Build G and D for samples of `shape` on `device` (validated presets only).
pub fn build(spec: &ModelSpec, shape: SampleShape, device: &Device) -> (Generator, Discriminator) {
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
                Discriminator::Mlp(mlp::MlpDiscriminator::new(features, hidden, layers, device)),
            )
        }
        ModelSpec::Dcgan {
            latent_dim,
            ngf,
            ndf,
            bias,
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
            };
            (
                Generator::Dcgan(dcgan::DcganGenerator::new(shape, device)),
                Discriminator::Dcgan(dcgan::DcganDiscriminator::new(shape, device)),
            )
        }
    }
}
