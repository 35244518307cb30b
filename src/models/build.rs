//! Turning a preset into G and D: a matched pair from `[model]`, or the `[generator]` and
//! `[discriminator]` families.

use super::{Discriminator, Generator, dcgan, mlp, patch, progan, srresnet, transgan, unet};
use crate::data::SampleShape;
use crate::preset::{DiscriminatorSpec, GeneratorSpec, ModelSpec, Preset, TaskSpec};
use burn::prelude::*;

/// Build G and D for `preset` (validated) on `device`, for samples of `shape` and, on a paired
/// data set, sources of `source`: a matched pair from `[model]`, following the game's packing
/// and spectral normalisation and conditioned on the data set's classes when the model is
/// conditional; or the `[generator]` and `[discriminator]` families, D seeing the source
/// beside the judged image when the task conditions it.
pub fn build(
    preset: &Preset,
    shape: SampleShape,
    source: Option<SampleShape>,
    device: &Device,
) -> Result<(Generator, Discriminator), String> {
    if let Some(model) = &preset.model {
        return pair(model, preset, shape, device);
    }
    let (Some(g), Some(d)) = (&preset.generator, &preset.discriminator) else {
        return Err("the preset names no networks".into());
    };
    let SampleShape::Image {
        channels, height, ..
    } = shape
    else {
        return Err(format!(
            "the {} and the {} work on images, and this data set holds points",
            g.family_name(),
            d.family_name()
        ));
    };
    let source_channels = match source {
        Some(SampleShape::Image { channels, .. }) => Some(channels),
        _ => None,
    };
    let generator = match (g, &preset.task) {
        (&GeneratorSpec::Unet { base, dropout }, _) => {
            let Some(source_channels) = source_channels else {
                return Err(
                    "the U-Net translates images, and this data set has no source \
                            images"
                        .into(),
                );
            };
            Generator::Unet(unet::UnetGenerator::new(
                unet::UnetShape {
                    source_channels,
                    target_channels: channels,
                    size: height,
                    base,
                    dropout,
                },
                device,
            ))
        }
        (
            &GeneratorSpec::Srresnet {
                width,
                blocks,
                bicubic_skip,
            },
            TaskSpec::Upscale { scale, .. },
        ) => Generator::Srresnet(srresnet::SrResNet::new(
            srresnet::SrShape {
                channels,
                side: height / scale,
                scale: *scale,
                width,
                blocks,
                bicubic_skip,
            },
            device,
        )),
        (GeneratorSpec::Srresnet { .. }, _) => {
            return Err("SRResNet is the upscale task's generator".into());
        }
    };
    let sees_source = matches!(
        preset.task,
        TaskSpec::Translate {
            conditional_d: true,
            ..
        }
    );
    let judged = channels
        + if sees_source {
            source_channels.unwrap_or(0)
        } else {
            0
        };
    let discriminator = match *d {
        DiscriminatorSpec::PatchGan {
            base,
            receptive_field,
        } => Discriminator::Patch(patch::PatchDiscriminator::new(
            judged,
            height,
            base,
            receptive_field,
            device,
        )),
    };
    Ok((generator, discriminator))
}

/// The channels and side of an image data set, or why the `family` cannot train on points.
fn image_side(shape: SampleShape, family: &str) -> Result<(usize, usize), String> {
    match shape {
        SampleShape::Image {
            channels, height, ..
        } => Ok((channels, height)),
        SampleShape::Points2 => Err(format!(
            "the {family} family needs an image data set, not 2-D points"
        )),
    }
}

/// A matched pair from `[model]`.
fn pair(
    spec: &ModelSpec,
    preset: &Preset,
    shape: SampleShape,
    device: &Device,
) -> Result<(Generator, Discriminator), String> {
    let game = &preset.game;
    let classes = preset.dataset.classes().filter(|_| spec.conditional());
    match *spec {
        ModelSpec::Mlp {
            latent_dim,
            hidden,
            layers,
            ..
        } => {
            let features = shape.numel();
            let images = matches!(shape, SampleShape::Image { .. });
            Ok((
                Generator::Mlp(mlp::MlpGenerator::new(
                    latent_dim, hidden, layers, features, images, classes, device,
                )),
                Discriminator::Mlp(mlp::MlpDiscriminator::new(
                    features * game.pack,
                    hidden,
                    layers,
                    game.spectral_norm,
                    classes,
                    device,
                )),
            ))
        }
        ModelSpec::Dcgan {
            latent_dim,
            ngf,
            ndf,
            bias,
            d_batch_norm,
            ..
        } => {
            let (channels, height) = image_side(shape, "DCGAN")?;
            let shape = dcgan::DcganShape {
                latent: latent_dim,
                channels,
                size: height,
                ngf,
                ndf,
                bias,
                d_batch_norm,
                spectral: game.spectral_norm,
                pack: game.pack,
                classes,
            };
            Ok((
                Generator::Dcgan(dcgan::DcganGenerator::new(shape, device)),
                Discriminator::Dcgan(dcgan::DcganDiscriminator::new(shape, device)),
            ))
        }
        ModelSpec::Transformer {
            latent_dim,
            dim,
            heads,
            depth,
            attention,
            ndf,
            discriminator,
            patch,
            overlap,
            isn,
            minibatch_stddev,
        } => {
            let (channels, height) = image_side(shape, "transformer")?;
            let g = transgan::TransformerShape {
                latent: latent_dim,
                channels,
                size: height,
                dim,
                heads,
                depth,
                attention,
            };
            let d = transgan::DiscriminatorChoice {
                kind: discriminator,
                ndf,
                patch,
                overlap,
                isn,
                minibatch_stddev,
            };
            Ok(transgan::pair(g, d, game, device))
        }
        ModelSpec::Progressive {
            latent_dim,
            width,
            start,
            pixel_norm,
            equalized_lr,
            minibatch_stddev,
        } => {
            let (channels, height) = image_side(shape, "progressive")?;
            let shape = progan::ProShape {
                latent: latent_dim,
                channels,
                end: height,
                start,
                width,
                pixel_norm,
                equalized: equalized_lr,
                minibatch_stddev,
            };
            Ok((
                Generator::Progressive(progan::ProGenerator::new(shape, device)),
                Discriminator::Progressive(progan::ProDiscriminator::new(shape, device)),
            ))
        }
    }
}
