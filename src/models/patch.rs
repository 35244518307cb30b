//! pix2pix's PatchGAN discriminator: a fully convolutional D that returns one logit per
//! receptive field instead of one per image, so it judges texture and local structure and
//! leaves low frequencies to the L1 term. The receptive field is a setting:
//! - pixel: 1×1 convolutions (base, 2·base, 1): one verdict per pixel (PixelGAN);
//! - patch: Conv(k4 s2 p1, base), Conv(k4 s1 p1, 2·base), Conv(k4 s1 p1, 1): one verdict per
//!   16×16 patch, a map of (S/2 − 2)² logits;
//! - image: the DCGAN discriminator's stack down to 4×4 and Conv(k4 s1 p0) to one logit.
//!
//! Hidden layers after the first are instance-normalised, with LeakyReLU(0.2) after every
//! layer but the last. The input is the judged image, stacked after the source image along
//! the channels when D is conditioned on it.

use super::activation::leaky_relu;
use crate::preset::ReceptiveField;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Initializer, InstanceNorm, InstanceNormConfig, PaddingConfig2d};
use burn::prelude::*;

const INIT: Initializer = Initializer::Normal {
    mean: 0.0,
    std: 0.02,
};

/// One convolution of the stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Layer {
    kernel: usize,
    stride: usize,
    padding: usize,
    output: usize,
}

/// The layers for `field` on images of side `size`, and the side of the logit map.
fn layers(field: ReceptiveField, base: usize, size: usize) -> (Vec<Layer>, usize) {
    let layer = |kernel, stride, padding, output| Layer {
        kernel,
        stride,
        padding,
        output,
    };
    let stack = match field {
        ReceptiveField::Pixel => vec![
            layer(1, 1, 0, base),
            layer(1, 1, 0, 2 * base),
            layer(1, 1, 0, 1),
        ],
        ReceptiveField::Patch => vec![
            layer(4, 2, 1, base),
            layer(4, 1, 1, 2 * base),
            layer(4, 1, 1, 1),
        ],
        ReceptiveField::Image => {
            let doublings = size.trailing_zeros() as usize - 2;
            let mut stack: Vec<Layer> = (0..doublings).map(|i| layer(4, 2, 1, base << i)).collect();
            stack.push(layer(4, 1, 0, 1));
            stack
        }
    };
    let side = stack
        .iter()
        .fold(size, |s, l| (s + 2 * l.padding - l.kernel) / l.stride + 1);
    (stack, side)
}

/// The side of the logit map D returns for images of side `size`.
pub fn map_side(field: ReceptiveField, size: usize) -> usize {
    layers(field, 1, size).1
}

#[derive(Module, Debug)]
pub struct PatchDiscriminator {
    convs: Vec<Conv2d>,
    /// For every layer but the first and the last.
    norms: Vec<InstanceNorm>,
    channels: usize,
    size: usize,
    side: usize,
}

impl PatchDiscriminator {
    /// D for images of `channels` (source and judged image together when conditioned) and
    /// side `size`.
    pub fn new(
        channels: usize,
        size: usize,
        base: usize,
        field: ReceptiveField,
        device: &Device,
    ) -> PatchDiscriminator {
        let (stack, side) = layers(field, base, size);
        let mut input = channels;
        let mut convs = Vec::with_capacity(stack.len());
        let mut norms = Vec::new();
        for (i, l) in stack.iter().enumerate() {
            let p = l.padding;
            convs.push(
                Conv2dConfig::new([input, l.output], [l.kernel, l.kernel])
                    .with_stride([l.stride, l.stride])
                    .with_padding(PaddingConfig2d::Explicit(p, p, p, p))
                    .with_initializer(INIT)
                    .init(device),
            );
            if i > 0 && i + 1 < stack.len() {
                norms.push(InstanceNormConfig::new(l.output).init(device));
            }
            input = l.output;
        }
        PatchDiscriminator {
            convs,
            norms,
            channels,
            size,
            side,
        }
    }

    /// `x`: [batch, channels·size·size] → logits [batch, side²], one per receptive field.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let [batch, _] = x.dims();
        let mut h = x.reshape([batch, self.channels, self.size, self.size]);
        let last = self.convs.len() - 1;
        for (i, conv) in self.convs.iter().enumerate() {
            h = crate::kernels::conv(conv, h);
            if i > 0 && i < last {
                h = self.norms[i - 1].forward(h);
            }
            if i < last {
                h = leaky_relu(h, 0.2);
            }
        }
        h.reshape([batch, self.side * self.side])
    }

    /// `x`: [batch, channels·size·size] → the output of D's second convolution, before its
    /// normalisation, flattened [batch, features]: what the upscale task's feature loss
    /// compares (see `preset::Content`).
    pub fn features(&self, x: Tensor<2>) -> Tensor<2> {
        let [batch, _] = x.dims();
        let h = x.reshape([batch, self.channels, self.size, self.size]);
        let h = leaky_relu(crate::kernels::conv(&self.convs[0], h), 0.2);
        crate::kernels::conv(&self.convs[1], h).reshape([batch as i32, -1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_receptive_field_gives_its_map() {
        for (size, pixel, patch) in [(16, 16, 6), (32, 32, 14), (64, 64, 30)] {
            assert_eq!(map_side(ReceptiveField::Pixel, size), pixel);
            assert_eq!(map_side(ReceptiveField::Patch, size), patch);
            assert_eq!(map_side(ReceptiveField::Image, size), 1);
        }
    }
}
