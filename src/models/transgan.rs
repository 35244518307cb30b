//! A transformer generator after TransGAN (Jiang et al. 2021), sized for a CPU, paired with
//! the convolutional DCGAN discriminator (the hybrid of Durall et al. 2021, the cheapest
//! transformer GAN that trains well on a CPU).
//!
//! G: z → a linear map to a grid of `side/4`² tokens of `dim` features (plus learned
//! position embeddings) → `depth` transformer blocks (pre-LayerNorm multi-head
//! self-attention and a GELU MLP of 4× width, each added back) → PixelShuffle: the grid
//! doubles and the width quarters → `depth` blocks at `dim/4` → PixelShuffle again, to one
//! token per pixel of `dim/16` features → a linear map of each token to the pixel's channels
//! and tanh. The last stage has no attention: 1 024 tokens would cost a million logits per
//! head and sample (TransGAN uses local attention there). Attention is dot-product or L2
//! (tied query and key, see [`super::attention`]), from the preset.

use super::attention::{AttentionKind, TransformerBlock};
use super::norm_linear::Normalisation;
use burn::module::Param;
use burn::nn::{Linear, LinearConfig, PixelShuffle, PixelShuffleConfig};
use burn::prelude::*;
use burn::tensor::activation::tanh;

/// What a [`TransformerGenerator`] is.
#[derive(Clone, Copy, Debug)]
pub struct TransformerShape {
    pub latent: usize,
    pub channels: usize,
    /// The image side (a multiple of 4).
    pub size: usize,
    /// Token width at the first stage (a multiple of 16).
    pub dim: usize,
    /// Attention heads (dividing `dim / 4`).
    pub heads: usize,
    /// Transformer blocks per attention stage.
    pub depth: usize,
    pub attention: AttentionKind,
}

/// One attention stage: position embeddings for its tokens, then its blocks.
#[derive(Module, Debug)]
struct Stage {
    position: Param<Tensor<3>>,
    blocks: Vec<TransformerBlock>,
}

#[derive(Module, Debug)]
pub struct TransformerGenerator {
    input: Linear,
    stages: Vec<Stage>,
    shuffle: PixelShuffle,
    to_pixels: Linear,
    latent: usize,
    channels: usize,
    size: usize,
    dim: usize,
}

impl TransformerGenerator {
    pub fn new(shape: TransformerShape, device: &Device) -> TransformerGenerator {
        let TransformerShape {
            latent,
            channels,
            size,
            dim,
            heads,
            depth,
            attention,
        } = shape;
        let grid = size / 4;
        let stage = |tokens: usize, width: usize, heads: usize| Stage {
            position: Param::from_tensor(Tensor::random(
                [1, tokens, width],
                burn::tensor::Distribution::Normal(0.0, 0.02),
                device,
            )),
            blocks: (0..depth)
                .map(|_| {
                    TransformerBlock::new(width, heads, attention, Normalisation::None, device)
                })
                .collect(),
        };
        TransformerGenerator {
            input: LinearConfig::new(latent, grid * grid * dim).init(device),
            stages: vec![
                stage(grid * grid, dim, heads),
                stage(4 * grid * grid, dim / 4, heads),
            ],
            shuffle: PixelShuffleConfig::new(2).init(),
            to_pixels: LinearConfig::new(dim / 16, channels).init(device),
            latent,
            channels,
            size,
            dim,
        }
    }

    pub fn latent_dim(&self) -> usize {
        self.latent
    }

    /// Tokens [batch, g², width] of a g × g grid → [batch, 4g², width / 4]: PixelShuffle on
    /// the grid seen as an image.
    fn shuffle_up(&self, x: Tensor<3>) -> Tensor<3> {
        let [b, t, w] = x.dims();
        let g = (t as f64).sqrt().round() as usize;
        let image = x.swap_dims(1, 2).reshape([b, w, g, g]);
        super::pixel_shuffle(image, self.shuffle.upscale_factor)
            .reshape([b, w / 4, 4 * t])
            .swap_dims(1, 2)
    }

    /// `z` [batch, latent] → images [batch, channels·size²].
    pub fn forward(&self, z: Tensor<2>) -> Tensor<2> {
        let [b, _] = z.dims();
        let grid = self.size / 4;
        let mut x = self.input.forward(z).reshape([b, grid * grid, self.dim]);
        for stage in &self.stages {
            x = x + stage.position.val();
            for block in &stage.blocks {
                x = block.forward(x).0;
            }
            x = self.shuffle_up(x);
        }
        // [batch, size², dim/16] → pixels [batch, size², channels] → channel-major rows.
        tanh(self.to_pixels.forward(x))
            .swap_dims(1, 2)
            .reshape([b, self.channels * self.size * self.size])
    }
}

/// The discriminator of a transformer spec: the DCGAN's (`ndf`) or a ViT (`patch`, `isn`).
#[derive(Clone, Copy, Debug)]
pub struct DiscriminatorChoice {
    pub kind: crate::preset::TransformerD,
    pub ndf: usize,
    pub patch: usize,
    /// Pixels each ViT patch overlaps its neighbours by, on each side.
    pub overlap: usize,
    pub isn: bool,
    /// The ViT's class token gets the batch's minibatch standard deviation before its head.
    pub minibatch_stddev: bool,
}

/// G of shape `g` with the DCGAN discriminator (no BatchNorm) or the ViT of [`super::vit`]
/// (its width, heads, depth and attention those of G's first stage), normalised as the
/// game says.
pub fn pair(
    g: TransformerShape,
    d: DiscriminatorChoice,
    game: &crate::preset::GameSpec,
    device: &Device,
) -> (super::Generator, super::Discriminator) {
    use super::{Discriminator, Generator, dcgan, norm_linear, vit};
    let generator = Generator::Transformer(TransformerGenerator::new(g, device));
    let discriminator = match d.kind {
        crate::preset::TransformerD::Conv => Discriminator::Dcgan(dcgan::DcganDiscriminator::new(
            dcgan::DcganShape {
                latent: g.latent,
                channels: g.channels,
                size: g.size,
                ngf: d.ndf,
                ndf: d.ndf,
                bias: true,
                d_batch_norm: false,
                spectral: game.spectral_norm,
                pack: game.pack,
                classes: None,
            },
            device,
        )),
        crate::preset::TransformerD::Vit => {
            let norm = match (game.spectral_norm, d.isn) {
                (false, _) => norm_linear::Normalisation::None,
                (true, false) => norm_linear::Normalisation::Spectral,
                (true, true) => norm_linear::Normalisation::Improved,
            };
            Discriminator::Vit(vit::VitDiscriminator::new(
                vit::VitShape {
                    channels: g.channels * game.pack,
                    size: g.size,
                    patch: d.patch,
                    overlap: d.overlap,
                    dim: g.dim,
                    heads: g.heads,
                    depth: g.depth,
                    attention: g.attention,
                    norm,
                    minibatch_stddev: d.minibatch_stddev,
                },
                device,
            ))
        }
    };
    (generator, discriminator)
}
