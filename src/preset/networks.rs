//! The `[generator]` and `[discriminator]` sections: networks named one by one, for the
//! families that are not a matched G/D pair. (The `[model]` section names a pair, MLP or
//! DCGAN, whose G and D are built together; see [`super::ModelSpec`].) Each family here owns
//! its settings and their checks; the models module builds it.

use serde::{Deserialize, Serialize};

/// A generator family of its own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "family", rename_all = "snake_case", deny_unknown_fields)]
pub enum GeneratorSpec {
    /// pix2pix's U-Net: a strided-convolution encoder down to 1×1 and a transposed-convolution
    /// decoder back up, each decoder level joined by the encoder's output of its resolution
    /// (skip connections). Dropout on the innermost decoder levels is G's only noise, and it
    /// stays on when G is sampled.
    Unet {
        /// Channels of the outermost level; each level inward doubles them, up to 8×.
        #[serde(default = "default_base")]
        base: usize,
        /// Dropout probability on the three innermost decoder levels (0 = a deterministic G).
        #[serde(default = "default_dropout")]
        dropout: f32,
    },
    /// SRGAN's generator (SRResNet) for the upscale task: residual blocks at the low
    /// resolution, then PixelShuffle stages (see `models::srresnet`).
    Srresnet {
        /// Feature maps of every layer (the paper: 64).
        #[serde(default = "default_base")]
        width: usize,
        /// Residual blocks (the paper: 16).
        #[serde(default = "default_blocks")]
        blocks: usize,
        /// G adds its output to the bicubic upscaling of its input, so it learns only what
        /// bicubic lacks (VDSR's global residual; not in the paper's SRResNet).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        bicubic_skip: bool,
    },
}

/// How much of the image each of a PatchGAN's verdicts sees.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceptiveField {
    /// 1×1 convolutions only: one verdict per pixel (PixelGAN).
    Pixel,
    /// One verdict per overlapping 16×16 patch.
    #[default]
    Patch,
    /// One verdict for the whole image.
    Image,
}

impl ReceptiveField {
    pub fn label(self) -> &'static str {
        match self {
            ReceptiveField::Pixel => "1×1 (PixelGAN)",
            ReceptiveField::Patch => "16×16 patches",
            ReceptiveField::Image => "full image",
        }
    }
}

/// A discriminator family of its own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "family", rename_all = "snake_case", deny_unknown_fields)]
pub enum DiscriminatorSpec {
    /// pix2pix's PatchGAN: a fully convolutional D that returns a map of logits, one per
    /// receptive field; the losses average over the map.
    PatchGan {
        /// Channels of the first layer; each further layer doubles them.
        #[serde(default = "default_base")]
        base: usize,
        #[serde(default)]
        receptive_field: ReceptiveField,
    },
}

fn default_base() -> usize {
    32
}
fn default_dropout() -> f32 {
    0.5
}
fn default_blocks() -> usize {
    4
}

impl GeneratorSpec {
    pub fn problem(&self) -> Option<String> {
        match *self {
            GeneratorSpec::Unet { base, dropout } => {
                if base == 0 || base > 256 {
                    return Some(format!("unet base {base} is not in 1..=256"));
                }
                if !(0.0..0.9).contains(&dropout) {
                    return Some(format!("unet dropout {dropout} is not in [0, 0.9)"));
                }
                None
            }
            GeneratorSpec::Srresnet { width, blocks, .. } => {
                if width == 0 || width > 256 {
                    return Some(format!("srresnet width {width} is not in 1..=256"));
                }
                if blocks > 32 {
                    return Some(format!("srresnet blocks {blocks} is not in 0..=32"));
                }
                None
            }
        }
    }

    pub fn family_name(&self) -> &'static str {
        match self {
            GeneratorSpec::Unet { .. } => "U-Net",
            GeneratorSpec::Srresnet { .. } => "SRResNet",
        }
    }
}

impl DiscriminatorSpec {
    pub fn problem(&self) -> Option<String> {
        match *self {
            DiscriminatorSpec::PatchGan { base, .. } if base == 0 || base > 256 => {
                Some(format!("patch_gan base {base} is not in 1..=256"))
            }
            DiscriminatorSpec::PatchGan { .. } => None,
        }
    }

    pub fn family_name(&self) -> &'static str {
        match self {
            DiscriminatorSpec::PatchGan { .. } => "PatchGAN",
        }
    }
}
