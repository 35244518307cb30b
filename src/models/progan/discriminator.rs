//! ProGAN's discriminator (see the module doc of [`super`]) and its input gradient.
//!
//! The gradient penalty needs ∂D/∂x as differentiable operations (see
//! [`crate::models::critic`]); here it is written out for D's own layers: average pooling's
//! adjoint spreads a quarter of each gradient over its 2×2 block, the fade splits the
//! gradient α : 1 − α between the new and the old fromRGB path, and the minibatch standard
//! deviation adds, to every sample of a group, Gₘ/(C·H·W) · (x − μ)/(g·σ), with Gₘ the
//! gradient reaching the group's stddev map summed over its samples and pixels. That term is
//! why the gradient is that of the batch's summed scores with respect to each sample (as
//! ProGAN's own penalty takes it): the samples of a group shape each other's score.

use super::{GROUP, ProShape, SLOPE, Staging, top};
use crate::models::activation::leaky_relu;
use crate::models::critic::{self, ConvStep};
use crate::models::progressive::{
    EqualConv2d, EqualLinear, Stage, downsample, group_size, minibatch_stddev, upsample,
};
use burn::prelude::*;

/// One level past 4×4: two 3×3 convolutions, then 2×2 average pooling.
#[derive(Module, Debug)]
struct Block {
    a: EqualConv2d,
    b: EqualConv2d,
}

#[derive(Module, Debug)]
pub struct ProDiscriminator {
    /// fromRGB of block `first_block + i`.
    from_rgb: Vec<EqualConv2d>,
    blocks: Vec<Block>,
    last_conv: EqualConv2d,
    dense: EqualLinear,
    score: EqualLinear,
    staging: Staging,
    first_block: usize,
    channels: usize,
    end: usize,
    /// Minibatch-stddev group size (0: none).
    group: usize,
}

/// What D's forward pass keeps for its input gradient: pre-activations in the order the
/// adjoint needs them.
struct Trace {
    /// The top level's fromRGB (pre-activation).
    rgb: Tensor<4>,
    /// The previous level's fromRGB on the pooled input, while fading.
    old_rgb: Option<Tensor<4>>,
    /// Each block's two pre-activations, from the top block down.
    blocks: Vec<(Tensor<4>, Tensor<4>)>,
    /// The features entering the minibatch stddev.
    features: Tensor<4>,
    last_conv: Tensor<4>,
    dense: Tensor<2>,
}

impl ProDiscriminator {
    pub fn new(shape: ProShape, device: &Device) -> ProDiscriminator {
        let w = shape.weights();
        let c0 = shape.fmaps(0);
        let group = if shape.minibatch_stddev { GROUP } else { 0 };
        ProDiscriminator {
            from_rgb: (shape.first_block()..=shape.last_block())
                .map(|i| EqualConv2d::with(shape.channels, shape.fmaps(i), 1, w, device))
                .collect(),
            blocks: (1..=shape.last_block())
                .map(|i| Block {
                    a: EqualConv2d::with(shape.fmaps(i), shape.fmaps(i), 3, w, device),
                    b: EqualConv2d::with(shape.fmaps(i), shape.fmaps(i - 1), 3, w, device),
                })
                .collect(),
            last_conv: EqualConv2d::with(c0 + usize::from(group > 0), c0, 3, w, device),
            dense: EqualLinear::new(c0 * 16, c0, w, device),
            score: EqualLinear::new(c0, 1, w.with_gain(1.0), device),
            staging: Staging::new(shape.start),
            first_block: shape.first_block(),
            channels: shape.channels,
            end: shape.end,
            group,
        }
    }

    pub fn stage(&self) -> Stage {
        self.staging.stage()
    }

    pub fn set_stage(&mut self, stage: Stage) {
        self.staging.set(stage);
    }

    /// Images [batch, channels·end²] → scores [batch, 1].
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.run(x).0
    }

    fn rgb(&self, block: usize) -> &EqualConv2d {
        &self.from_rgb[block - self.first_block]
    }

    fn run(&self, x: Tensor<2>) -> (Tensor<2>, Trace) {
        let [batch, _] = x.dims();
        let stage = self.stage();
        let (top, fading) = top(self.first_block, stage);
        let mut image = x.reshape([batch, self.channels, self.end, self.end]);
        for _ in top..self.end.trailing_zeros() as usize - 2 {
            image = downsample(image);
        }
        let rgb = self.rgb(top).forward(image.clone());
        let mut h = leaky_relu(rgb.clone(), SLOPE);
        let mut old_rgb = None;
        let mut blocks = Vec::new();
        for i in (1..=top).rev() {
            let block = &self.blocks[i - 1];
            let a = block.a.forward(h);
            let b = block.b.forward(leaky_relu(a.clone(), SLOPE));
            h = downsample(leaky_relu(b.clone(), SLOPE));
            blocks.push((a, b));
            if fading && i == top {
                let old = self.rgb(top - 1).forward(downsample(image.clone()));
                let alpha = f64::from(stage.alpha);
                h = leaky_relu(old.clone(), SLOPE).mul_scalar(1.0 - alpha) + h.mul_scalar(alpha);
                old_rgb = Some(old);
            }
        }
        let features = h;
        let widened = if self.group > 0 {
            minibatch_stddev(features.clone(), self.group)
        } else {
            features.clone()
        };
        let last_conv = self.last_conv.forward(widened);
        let [_, c0, h4, w4] = last_conv.dims();
        let flat = leaky_relu(last_conv.clone(), SLOPE).reshape([batch, c0 * h4 * w4]);
        let dense = self.dense.forward(flat);
        let score = self.score.forward(leaky_relu(dense.clone(), SLOPE));
        let trace = Trace {
            rgb,
            old_rgb,
            blocks,
            features,
            last_conv,
            dense,
        };
        (score, trace)
    }

    /// ∂(Σ scores)/∂x for each sample of `x`, as differentiable operations (see the module
    /// doc).
    pub fn input_gradient(&self, x: Tensor<2>) -> Tensor<2> {
        let [batch, width] = x.dims();
        let device = x.device();
        let stage = self.stage();
        let (top, _) = top(self.first_block, stage);
        let (_, trace) = self.run(x);
        let seed = Tensor::<2>::ones([batch, 1], &device);
        // ∂score/∂(the dense layer's activation), then back through the dense layer.
        let top_g = seed.matmul(self.score.weight().transpose());
        let flat =
            critic::linear_adjoint(top_g, vec![self.dense.weight()], vec![trace.dense], SLOPE);
        let [_, c0, _, _] = trace.features.dims();
        let spread = flat.reshape([batch, c0, 4, 4]);
        let widened = critic::conv_adjoint(
            spread,
            vec![self.step(&self.last_conv)],
            vec![trace.last_conv],
            SLOPE,
        );
        let mut g = widened.clone().narrow(1, 0, c0);
        if self.group > 0 {
            let map = widened.narrow(1, c0, 1);
            g = g + stddev_adjoint(trace.features, map, self.group);
        }
        // The blocks were kept from the top one down: undo block 1 first, up to the one
        // under the top, then the fade, then the top block.
        let mut blocks = trace.blocks;
        let top_block = (top > 0 && !blocks.is_empty()).then(|| blocks.remove(0));
        for (k, (a, b)) in blocks.into_iter().enumerate().rev() {
            g = self.block_back(top - 1 - k, g, a, b);
        }
        let alpha = f64::from(stage.alpha);
        let mut at_image = None;
        if let Some((a, b)) = top_block {
            if let Some(old) = trace.old_rgb {
                let old_g = critic::conv_adjoint(
                    g.clone().mul_scalar(1.0 - alpha),
                    vec![self.step(self.rgb(top - 1))],
                    vec![old],
                    SLOPE,
                );
                at_image = Some(upsample(old_g, 2).div_scalar(4.0));
                g = g.mul_scalar(alpha);
            }
            g = self.block_back(top, g, a, b);
        }
        let mut image_g =
            critic::conv_adjoint(g, vec![self.step(self.rgb(top))], vec![trace.rgb], SLOPE);
        if let Some(old) = at_image {
            image_g = image_g + old;
        }
        let factor = self.end >> (top + 2);
        let scale = (factor * factor) as f64;
        upsample(image_g, factor)
            .div_scalar(scale)
            .reshape([batch, width])
    }

    /// The adjoint of block `i` (pooling, then its two convolutions with their LeakyReLUs).
    fn block_back(&self, i: usize, g: Tensor<4>, a: Tensor<4>, b: Tensor<4>) -> Tensor<4> {
        let block = &self.blocks[i - 1];
        let g = upsample(g, 2).div_scalar(4.0);
        critic::conv_adjoint(
            g,
            vec![self.step(&block.a), self.step(&block.b)],
            vec![a, b],
            SLOPE,
        )
    }

    fn step(&self, conv: &EqualConv2d) -> ConvStep {
        ConvStep {
            weight: conv.weight(),
            stride: 1,
            padding: conv.padding(),
        }
    }
}

/// The minibatch stddev's share of the gradient reaching `features` [batch, c, h, w], given
/// the gradient `map` [batch, 1, h, w] reaching its stddev channel (see the module doc).
fn stddev_adjoint(features: Tensor<4>, map: Tensor<4>, group: usize) -> Tensor<4> {
    let [b, c, h, w] = features.dims();
    let g = group_size(b, group);
    let m = b / g;
    let y = features.reshape([g, m, c, h, w]);
    let centred = y.clone() - y.mean_dim(0);
    let std = (centred.clone() * centred.clone())
        .mean_dim(0)
        .add_scalar(1e-8)
        .sqrt();
    // Gₘ: the map's gradient summed over each group's samples and pixels.
    let total = map.reshape([g, m, h * w]).sum_dim(2).sum_dim(0); // [1, m, 1]
    let total = total.reshape([1, m, 1, 1, 1]);
    let scale = 1.0 / ((c * h * w) as f64 * g as f64);
    (centred / std * total)
        .mul_scalar(scale)
        .reshape([b, c, h, w])
}
