//! A ViT discriminator after ViTGAN (Lee et al. 2022), sized for a CPU: the image cut into
//! `patch`² patches, each mapped linearly to a token of `dim` features; a class token and
//! learned position embeddings; `depth` transformer blocks; LayerNorm and a linear map of
//! the class token to the logit. ViTGAN's two fixes are settings: L2 attention with tied
//! query and key weights ([`super::attention`]) and the improved spectral normalisation of
//! every linear layer ([`super::norm_linear`]), so the user can switch them off and watch
//! D's gradient norm spike.

use super::attention::{AttentionKind, TransformerBlock};
use super::norm_linear::{NormLinear, Normalisation};
use burn::module::Param;
use burn::nn::{LayerNorm, LayerNormConfig};
use burn::prelude::*;

/// What a [`VitDiscriminator`] is.
#[derive(Clone, Copy, Debug)]
pub struct VitShape {
    /// Channels D sees (the image's, times the pack).
    pub channels: usize,
    pub size: usize,
    pub patch: usize,
    pub dim: usize,
    pub heads: usize,
    pub depth: usize,
    pub attention: AttentionKind,
    pub norm: Normalisation,
    /// ProGAN's minibatch standard deviation (groups of 4) appended to the class token's
    /// features before the head: D sees how varied a batch is, against collapse.
    pub minibatch_stddev: bool,
}

#[derive(Module, Debug)]
pub struct VitDiscriminator {
    embed: NormLinear,
    class: Param<Tensor<3>>,
    position: Param<Tensor<3>>,
    blocks: Vec<TransformerBlock>,
    norm: LayerNorm,
    head: NormLinear,
    channels: usize,
    size: usize,
    patch: usize,
    /// Minibatch-stddev group size (0: none).
    group: usize,
}

impl VitDiscriminator {
    pub fn new(shape: VitShape, device: &Device) -> VitDiscriminator {
        let VitShape {
            channels,
            size,
            patch,
            dim,
            heads,
            depth,
            attention,
            norm,
            minibatch_stddev,
        } = shape;
        let tokens = (size / patch) * (size / patch);
        let small = |dims: [usize; 3]| {
            Param::from_tensor(Tensor::random(
                dims,
                burn::tensor::Distribution::Normal(0.0, 0.02),
                device,
            ))
        };
        VitDiscriminator {
            embed: NormLinear::new(channels * patch * patch, dim, true, norm, device),
            class: small([1, 1, dim]),
            position: small([1, tokens + 1, dim]),
            blocks: (0..depth)
                .map(|_| TransformerBlock::new(dim, heads, attention, norm, device))
                .collect(),
            norm: LayerNormConfig::new(dim).init(device),
            head: NormLinear::new(dim + usize::from(minibatch_stddev), 1, true, norm, device),
            channels,
            size,
            patch,
            group: if minibatch_stddev {
                super::progan::GROUP
            } else {
                0
            },
        }
    }

    /// Images [batch, channels·size²] → patch tokens [batch, patches, channels·patch²].
    fn patches(&self, x: Tensor<2>) -> Tensor<3> {
        let [b, _] = x.dims();
        let (c, p, n) = (self.channels, self.patch, self.size / self.patch);
        x.reshape([b, c, n, p, n, p])
            .permute([0, 2, 4, 1, 3, 5])
            .reshape([b, n * n, c * p * p])
    }

    /// Images → (logits [batch, 1], the class token's attention over the tokens in the
    /// last block, [batch, heads, tokens + 1]).
    pub fn judge_with_attention(&self, x: Tensor<2>) -> (Tensor<2>, Tensor<3>) {
        let [b, _] = x.dims();
        let tokens = self.embed.forward(self.patches(x));
        let dim = tokens.dims()[2];
        let class = self.class.val().expand([b, 1, dim]);
        let mut h = Tensor::cat(vec![class, tokens], 1) + self.position.val();
        let mut attention = None;
        for block in &self.blocks {
            let (next, weights) = block.forward(h);
            h = next;
            attention = Some(weights);
        }
        let [_, t, _] = h.dims();
        let first = self
            .norm
            .forward(h)
            .slice([0..b, 0..1, 0..dim])
            .reshape([b, dim]);
        let class_attention = attention.map_or_else(
            || Tensor::zeros([b, 1, t], &first.device()),
            |w| {
                let [_, heads, _, _] = w.dims();
                w.slice([0..b, 0..heads, 0..1, 0..t]).reshape([b, heads, t])
            },
        );
        let first = if self.group > 0 {
            super::progressive::minibatch_stddev(first.reshape([b, dim, 1, 1]), self.group)
                .reshape([b, dim + 1])
        } else {
            first
        };
        (self.head.forward(first), class_attention)
    }

    /// Patches per side.
    pub fn grid(&self) -> usize {
        self.size / self.patch
    }

    /// Images [batch, channels·size²] → logits [batch, 1].
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.judge_with_attention(x).0
    }

    /// Advance every normalised layer's power iteration by one step (after an update of D).
    pub fn advance_spectral(&mut self) {
        self.embed.advance();
        self.head.advance();
        self.blocks
            .iter_mut()
            .for_each(TransformerBlock::advance_spectral);
    }
}
