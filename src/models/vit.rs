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
    /// Pixels each patch overlaps its neighbours by on each side (ViTGAN's overlapping
    /// patches): a token sees a (patch + 2·overlap)² window, the image zero-padded.
    pub overlap: usize,
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
    overlap: usize,
    /// Minibatch-stddev group size (0: none).
    group: usize,
}

impl VitDiscriminator {
    pub fn new(shape: VitShape, device: &Device) -> VitDiscriminator {
        let VitShape {
            channels,
            size,
            patch,
            overlap,
            dim,
            heads,
            depth,
            attention,
            norm,
            minibatch_stddev,
        } = shape;
        let window = patch + 2 * overlap;
        let tokens = (size / patch) * (size / patch);
        let small = |dims: [usize; 3]| {
            Param::from_tensor(Tensor::random(
                dims,
                burn::tensor::Distribution::Normal(0.0, 0.02),
                device,
            ))
        };
        VitDiscriminator {
            embed: NormLinear::new(channels * window * window, dim, true, norm, device),
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
            overlap,
            group: if minibatch_stddev {
                super::progan::GROUP
            } else {
                0
            },
        }
    }

    /// Images [batch, channels·size²] → patch tokens [batch, patches, channels·window²],
    /// row-major over the patch grid, each token's features channel-major then row-major
    /// (window = patch + 2·overlap).
    fn patches(&self, x: Tensor<2>) -> Tensor<3> {
        let [b, _] = x.dims();
        let (c, p, n, o) = (
            self.channels,
            self.patch,
            self.size / self.patch,
            self.overlap,
        );
        if o == 0 {
            return x
                .reshape([b, c, n, p, n, p])
                .permute([0, 2, 4, 1, 3, 5])
                .reshape([b, n * n, c * p * p]);
        }
        let k = p + 2 * o;
        let options = burn::tensor::ops::UnfoldOptions::new([p, p], [o, o], [1, 1]);
        burn::tensor::module::unfold4d(x.reshape([b, c, self.size, self.size]), [k, k], options)
            .swap_dims(1, 2)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn vit(channels: usize, size: usize, patch: usize, overlap: usize) -> VitDiscriminator {
        VitDiscriminator::new(
            VitShape {
                channels,
                size,
                patch,
                overlap,
                dim: 16,
                heads: 2,
                depth: 1,
                attention: AttentionKind::L2,
                norm: Normalisation::None,
                minibatch_stddev: false,
            },
            &Device::flex(),
        )
    }

    /// Each token against the window cut from the zero-padded image by hand: tokens row-major
    /// over the patch grid, features channel by channel, then row-major in the window.
    #[test]
    fn overlapping_patches_are_windows_of_the_zero_padded_image() {
        let (b, c, size, patch) = (2, 2, 6, 2);
        let pixels: Vec<f32> = (0..b * c * size * size).map(|i| i as f32 + 1.0).collect();
        let x = Tensor::<2>::from_data(
            TensorData::new(pixels.clone(), [b, c * size * size]),
            &Device::flex(),
        );
        for overlap in [0, 1, 2] {
            let d = vit(c, size, patch, overlap);
            let tokens = d.patches(x.clone());
            let window = patch + 2 * overlap;
            let n = size / patch;
            assert_eq!(tokens.dims(), [b, n * n, c * window * window]);
            let got = tokens.into_data().try_to_vec::<f32>().unwrap_or_default();
            let mut expected = Vec::new();
            for i in 0..b {
                for (ty, tx) in (0..n).flat_map(|ty| (0..n).map(move |tx| (ty, tx))) {
                    for ch in 0..c {
                        for wy in 0..window {
                            for wx in 0..window {
                                let y = (ty * patch + wy) as i64 - overlap as i64;
                                let x = (tx * patch + wx) as i64 - overlap as i64;
                                let inside =
                                    (0..size as i64).contains(&y) && (0..size as i64).contains(&x);
                                expected.push(if inside {
                                    pixels[((i * c + ch) * size + y as usize) * size + x as usize]
                                } else {
                                    0.0
                                });
                            }
                        }
                    }
                }
            }
            assert_eq!(got, expected, "overlap {overlap}");
        }
    }
}
