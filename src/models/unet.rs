//! pix2pix's U-Net generator (Isola et al. 2017), for square images whose side is a power of
//! two (16, 32, 64).
//!
//! With n = log2(S) levels, the encoder halves the resolution n times with Conv(k4 s2 p1)
//! down to 1×1, LeakyReLU(0.2) before every convolution but the first; the decoder doubles
//! it n times with ConvT(k4 s2 p1), ReLU before each, and every decoder level but the
//! innermost takes the encoder's output of its resolution beside its own input (the skip
//! connections that carry A's structure straight across). Level i has base·min(2^(i−1), 8)
//! channels. Hidden levels are instance-normalised (the paper trains with batch size 1, where
//! batch normalisation is instance normalisation; with it a single image renders exactly as
//! it does inside a batch). Output: tanh.
//!
//! Noise: dropout on the three innermost decoder levels, also when sampling, as in the paper.
//! Its uniform draws are part of G's input (after A's pixels), so that they come from the
//! run's seeded streams like every other random number: see [`UnetGenerator::noise_width`].

use super::activation::leaky_relu;
use crate::kernels;
use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::{Initializer, InstanceNorm, InstanceNormConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::{relu, tanh};

const INIT: Initializer = Initializer::Normal {
    mean: 0.0,
    std: 0.02,
};

/// Decoder levels with dropout, innermost first.
const DROPOUT_LEVELS: usize = 3;

/// What the U-Net maps: source images of `source_channels` to targets of `target_channels`,
/// both `size`² pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UnetShape {
    pub source_channels: usize,
    pub target_channels: usize,
    pub size: usize,
    pub base: usize,
    pub dropout: f32,
}

impl UnetShape {
    fn levels(&self) -> usize {
        self.size.trailing_zeros() as usize
    }

    /// Channels of encoder level `i` (1-based).
    fn width(&self, i: usize) -> usize {
        self.base * (1usize << (i - 1)).min(8)
    }

    /// Decoder step `k` (0 = innermost): (input channels, output channels, output side).
    fn decoder(&self, k: usize) -> (usize, usize, usize) {
        let n = self.levels();
        let j = n - k;
        let input = if k == 0 {
            self.width(n)
        } else {
            2 * self.width(j)
        };
        let output = if j > 1 {
            self.width(j - 1)
        } else {
            self.target_channels
        };
        (input, output, self.size >> (j - 1))
    }

    /// Decoder steps that drop out.
    fn dropped(&self) -> usize {
        if self.dropout > 0.0 {
            DROPOUT_LEVELS.min(self.levels() - 1)
        } else {
            0
        }
    }

    /// Uniform draws in [0, 1) G takes after A's pixels, per sample: one per unit of every
    /// dropout level.
    pub fn noise_width(&self) -> usize {
        (0..self.dropped())
            .map(|k| {
                let (_, channels, side) = self.decoder(k);
                channels * side * side
            })
            .sum()
    }

    /// Floats of one source image.
    pub fn source_features(&self) -> usize {
        self.source_channels * self.size * self.size
    }
}

#[derive(Module, Debug)]
pub struct UnetGenerator {
    down: Vec<Conv2d>,
    /// For encoder levels 2..n−1.
    down_norms: Vec<InstanceNorm>,
    /// Innermost first.
    up: Vec<ConvTranspose2d>,
    /// For every decoder step but the output.
    up_norms: Vec<InstanceNorm>,
    source_channels: usize,
    target_channels: usize,
    size: usize,
    dropout: f32,
    dropped: usize,
    noise_width: usize,
}

impl UnetGenerator {
    pub fn new(shape: UnetShape, device: &Device) -> UnetGenerator {
        let n = shape.levels();
        let down = (1..=n)
            .map(|i| {
                let input = if i == 1 {
                    shape.source_channels
                } else {
                    shape.width(i - 1)
                };
                Conv2dConfig::new([input, shape.width(i)], [4, 4])
                    .with_stride([2, 2])
                    .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                    .with_initializer(INIT)
                    .init(device)
            })
            .collect();
        let down_norms = (2..n)
            .map(|i| InstanceNormConfig::new(shape.width(i)).init(device))
            .collect();
        let up = (0..n)
            .map(|k| {
                let (input, output, _) = shape.decoder(k);
                ConvTranspose2dConfig::new([input, output], [4, 4])
                    .with_stride([2, 2])
                    .with_padding([1, 1])
                    .with_initializer(INIT)
                    .init(device)
            })
            .collect();
        let up_norms = (0..n - 1)
            .map(|k| InstanceNormConfig::new(shape.decoder(k).1).init(device))
            .collect();
        UnetGenerator {
            down,
            down_norms,
            up,
            up_norms,
            source_channels: shape.source_channels,
            target_channels: shape.target_channels,
            size: shape.size,
            dropout: shape.dropout,
            dropped: shape.dropped(),
            noise_width: shape.noise_width(),
        }
    }

    /// See [`UnetShape::noise_width`].
    pub fn noise_width(&self) -> usize {
        self.noise_width
    }

    /// `input`: [batch, A's pixels followed by [`UnetShape::noise_width`] uniforms] →
    /// targets flattened to [batch, target_channels·size·size].
    pub fn forward(&self, input: Tensor<2>) -> Tensor<2> {
        self.forward_at(input, self.size)
    }

    /// Levels: halvings from the image to the innermost code.
    pub fn levels(&self) -> usize {
        self.down.len()
    }

    pub fn source_channels(&self) -> usize {
        self.source_channels
    }

    pub fn target_channels(&self) -> usize {
        self.target_channels
    }

    /// The side of the images it was built for.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Whether images of side `side` fit: every level must halve it exactly (the network is
    /// convolutional throughout, so any multiple of 2^levels works, not only the trained
    /// size).
    pub fn accepts(&self, side: usize) -> bool {
        side > 0 && side.is_multiple_of(1 << self.levels())
    }

    /// Uniform draws per sample for images of side `side` (see [`UnetShape::noise_width`]).
    pub fn noise_width_at(&self, side: usize) -> usize {
        let n = self.levels();
        (0..self.dropped)
            .map(|k| {
                let channels = self.up[k].weight.dims()[1];
                let level_side = side >> (n - k - 1);
                channels * level_side * level_side
            })
            .sum()
    }

    /// [`Self::forward`] for square images of side `side` (one that [`Self::accepts`]), the
    /// input's draws sized by [`Self::noise_width_at`].
    pub fn forward_at(&self, input: Tensor<2>, side: usize) -> Tensor<2> {
        let [batch, _] = input.dims();
        let (s, n) = (side, self.down.len());
        let a_features = self.source_channels * s * s;
        let mut h =
            input
                .clone()
                .narrow(1, 0, a_features)
                .reshape([batch, self.source_channels, s, s]);
        let mut skips = Vec::with_capacity(n);
        for (i, conv) in self.down.iter().enumerate() {
            if i > 0 {
                h = leaky_relu(h, 0.2);
            }
            h = kernels::conv(conv, h); // side ÷2
            if i > 0 && i + 1 < n {
                h = self.down_norms[i - 1].forward(h);
            }
            skips.push(h.clone());
        }
        let mut offset = a_features;
        let mut d = h;
        for (k, conv) in self.up.iter().enumerate() {
            let j = n - k;
            let joined = if k == 0 {
                d
            } else {
                Tensor::cat(vec![d, skips[j - 1].clone()], 1)
            };
            d = kernels::conv_transpose(conv, relu(joined)); // side ×2
            if let Some(norm) = self.up_norms.get(k) {
                d = norm.forward(d);
            }
            if k < self.dropped {
                let [_, channels, side, _] = d.dims();
                let units = channels * side * side;
                let draws = input
                    .clone()
                    .narrow(1, offset, units)
                    .reshape([batch, channels, side, side]);
                offset += units;
                let keep = f64::from(1.0 - self.dropout);
                let mask = draws
                    .greater_equal_elem(self.dropout)
                    .float()
                    .div_scalar(keep);
                d = d * mask;
            }
        }
        tanh(d).reshape([batch, self.target_channels * s * s])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_widths_and_noise_add_up() {
        let shape = UnetShape {
            source_channels: 1,
            target_channels: 3,
            size: 32,
            base: 8,
            dropout: 0.5,
        };
        assert_eq!(shape.levels(), 5);
        assert_eq!(shape.decoder(0), (64, 64, 2));
        assert_eq!(shape.decoder(4), (16, 3, 32));
        // 64·2² + 32·4² + 16·8²
        assert_eq!(shape.noise_width(), 256 + 512 + 1024);
        let deterministic = UnetShape {
            dropout: 0.0,
            ..shape
        };
        assert_eq!(deterministic.noise_width(), 0);
    }
}
