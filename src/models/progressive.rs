//! The parts of progressive growing (ProGAN, Karras et al. 2018), the first step of the
//! ProGAN family: its schedule as a pure function of the step, and its layers.
//!
//! - [`Growth`]: G and D start at `start` px and double up to `end`; each new level fades in
//!   over `fade_steps` (α rising linearly from 0 to 1), then trains `stable_steps` at α = 1.
//!   A stage is computed from the step alone, so a run resumed in the middle of a fade
//!   continues exactly.
//! - [`fade`]: out = (1 − α)·up(old) + α·new, with [`upsample`] (nearest) and [`downsample`]
//!   (2×2 average pooling) to move between levels.
//! - [`pixel_norm`]: each pixel's feature vector divided by its root mean square (G).
//! - [`minibatch_stddev`]: one more feature map holding, for each group of samples, the
//!   standard deviation of every feature across the group averaged over features and pixels
//!   (near the end of D: a batch without variety is told apart).
//! - [`EqualConv2d`]: the equalised learning rate: weights drawn from N(0, 1) and scaled at
//!   run time by He's constant √(2 / fan-in), so Adam's per-parameter step moves every layer
//!   at the same relative speed.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Initializer, PaddingConfig2d};
use burn::prelude::*;

/// Added under square roots.
const EPSILON: f64 = 1e-8;

/// Where a progressive run is at one step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stage {
    /// 0 for the starting resolution, one more per doubling.
    pub level: usize,
    /// The side G draws and D judges at this level.
    pub side: usize,
    /// How far the newest level has faded in (1 once it has).
    pub alpha: f32,
}

/// A progressive-growing schedule (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Growth {
    pub start: usize,
    pub end: usize,
    pub fade_steps: u64,
    pub stable_steps: u64,
}

impl Growth {
    /// What is wrong with it, if anything: sides must be powers of two with `start` ≤ `end`,
    /// and a fade at least one step long.
    pub fn problem(&self) -> Option<String> {
        if !(self.start.is_power_of_two() && self.end.is_power_of_two())
            || self.start < 4
            || self.start > self.end
        {
            return Some(format!(
                "progressive growing needs powers of two with 4 <= start <= end (got {} and {})",
                self.start, self.end
            ));
        }
        (self.fade_steps == 0).then(|| "fade_steps must be at least 1".to_string())
    }

    /// Levels from `start` to `end`, both included.
    pub fn levels(&self) -> usize {
        (self.end / self.start).trailing_zeros() as usize + 1
    }

    /// The step at which level `level` (1 or more) starts fading in: its α is 0 there and
    /// reaches 1 at `fade_start(level) + fade_steps`.
    pub fn fade_start(&self, level: usize) -> u64 {
        let level = level.max(1) as u64;
        self.stable_steps + (level - 1) * (self.fade_steps + self.stable_steps)
    }

    /// The stage of (0-based) step `step`.
    pub fn stage(&self, step: u64) -> Stage {
        let mut level = 0;
        while level + 1 < self.levels() && step >= self.fade_start(level + 1) {
            level += 1;
        }
        let alpha = if level == 0 {
            1.0
        } else {
            let into = step - self.fade_start(level);
            (into as f64 / self.fade_steps as f64).min(1.0) as f32
        };
        Stage {
            level,
            side: self.start << level,
            alpha,
        }
    }
}

/// `x` [batch, channels, h, w] enlarged `factor` times, each pixel repeated.
pub fn upsample(x: Tensor<4>, factor: usize) -> Tensor<4> {
    if factor == 1 {
        return x;
    }
    let [b, c, h, w] = x.dims();
    x.reshape([b, c, h, 1, w, 1])
        .repeat_dim(3, factor)
        .repeat_dim(5, factor)
        .reshape([b, c, h * factor, w * factor])
}

/// `x` [batch, channels, h, w] halved by the mean of each 2×2 block (h and w even).
pub fn downsample(x: Tensor<4>) -> Tensor<4> {
    let [b, c, h, w] = x.dims();
    x.reshape([b, c, h / 2, 2, w / 2, 2])
        .mean_dim(5)
        .mean_dim(3)
        .reshape([b, c, h / 2, w / 2])
}

/// The fade-in of a new level: (1 − α)·`old` enlarged to `new`'s size + α·`new`.
pub fn fade(old: Tensor<4>, new: Tensor<4>, alpha: f32) -> Tensor<4> {
    let factor = new.dims()[2] / old.dims()[2].max(1);
    let old = upsample(old, factor.max(1));
    if alpha >= 1.0 {
        return new;
    }
    old.mul_scalar(f64::from(1.0 - alpha)) + new.mul_scalar(f64::from(alpha))
}

/// Every pixel's feature vector over its root mean square: x / √(mean_c x² + ε).
pub fn pixel_norm(x: Tensor<4>) -> Tensor<4> {
    let norm = (x.clone() * x.clone())
        .mean_dim(1)
        .add_scalar(EPSILON)
        .sqrt();
    x / norm
}

/// `x` [batch, channels, h, w] with one more channel: for each group of `group` samples
/// (consecutive, ProGAN's layout: sample i belongs to group i mod (batch / group)), the
/// standard deviation over the group of every feature at every pixel, averaged to one value
/// and repeated over the map. `group` must divide the batch (the batch itself when smaller).
pub fn minibatch_stddev(x: Tensor<4>, group: usize) -> Tensor<4> {
    let [b, c, h, w] = x.dims();
    let g = group.min(b).max(1);
    let m = b / g;
    let y = x.clone().reshape([g, m, c, h, w]);
    let centred = y.clone() - y.mean_dim(0);
    let std = (centred.clone() * centred)
        .mean_dim(0)
        .add_scalar(EPSILON)
        .sqrt(); // [1, m, c, h, w]
    let per_group = std.reshape([m, c * h * w]).mean_dim(1); // [m, 1]
    let map = per_group
        .reshape([1, m, 1, 1])
        .repeat_dim(0, g)
        .reshape([b, 1, 1, 1])
        .repeat_dim(2, h)
        .repeat_dim(3, w);
    Tensor::cat(vec![x, map], 1)
}

/// A convolution with the equalised learning rate: weights N(0, 1), multiplied by
/// √(2 / fan-in) at every forward pass; biases start at 0.
#[derive(Module, Debug)]
pub struct EqualConv2d {
    conv: Conv2d,
    scale: f32,
}

impl EqualConv2d {
    /// `input` → `output` maps with a `kernel`² kernel, padded to keep the size.
    pub fn new(input: usize, output: usize, kernel: usize, device: &Device) -> EqualConv2d {
        let p = kernel / 2;
        let conv = Conv2dConfig::new([input, output], [kernel, kernel])
            .with_padding(PaddingConfig2d::Explicit(p, p, p, p))
            .with_initializer(Initializer::Normal {
                mean: 0.0,
                std: 1.0,
            })
            .init(device);
        let conv = Conv2d {
            bias: conv.bias.map(|b| b.map(|v| v.zeros_like())),
            ..conv
        };
        EqualConv2d {
            conv,
            scale: (2.0 / (input * kernel * kernel) as f32).sqrt(),
        }
    }

    /// He's constant this layer's weights are scaled by.
    pub fn scale(&self) -> f32 {
        self.scale
    }

    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let weight = self.conv.weight.val().mul_scalar(f64::from(self.scale));
        let layer = &self.conv;
        let p = layer.kernel_size[0] / 2;
        crate::kernels::conv2d(
            x,
            weight,
            layer.bias.as_ref().map(|b| b.val()),
            burn::tensor::ops::ConvOptions::new([1, 1], [p, p], [1, 1], 1),
        )
    }

    /// The stored (unscaled) weights.
    pub fn raw_weight(&self) -> Tensor<4> {
        self.conv.weight.val()
    }
}
