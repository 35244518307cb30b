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

use burn::module::{Param, Parameter};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Initializer, Linear, LinearConfig, PaddingConfig2d};
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

/// The group size [`minibatch_stddev`] uses for a batch of `batch`: the largest divisor of
/// the batch up to `group` (a diagnostics batch of odd size gets smaller groups).
pub fn group_size(batch: usize, group: usize) -> usize {
    (1..=group.min(batch).max(1))
        .rev()
        .find(|g| batch.is_multiple_of(*g))
        .unwrap_or(1)
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

impl Growth {
    /// What changes when the steps done reach `steps_done`: a new level starts fading in,
    /// or finishes (for the run's events and plot markers); `None` between.
    pub fn change_at(&self, steps_done: u64) -> Option<String> {
        (1..self.levels()).find_map(|level| {
            let side = self.start << level;
            let from = self.fade_start(level);
            if steps_done == from {
                Some(format!(
                    "growing to {side} px: the new layers fade in over {} steps",
                    self.fade_steps
                ))
            } else if steps_done == from + self.fade_steps {
                Some(format!("{side} px faded in (alpha = 1)"))
            } else {
                None
            }
        })
    }

    /// The level that starts fading in when the steps done reach `steps_done`, if one does.
    pub fn level_starting(&self, steps_done: u64) -> Option<usize> {
        (1..self.levels()).find(|&level| self.fade_start(level) == steps_done)
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
/// and repeated over the map. Groups hold `group` samples where that divides the batch,
/// else the [`group_size`] that does.
pub fn minibatch_stddev(x: Tensor<4>, group: usize) -> Tensor<4> {
    let [b, c, h, w] = x.dims();
    let g = group_size(b, group);
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

/// How a layer's weights are drawn and scaled: with the equalised learning rate, N(0, 1) and
/// multiplied by gain·√(1 / fan-in) at every forward pass; without it (the ablation), drawn
/// from N(0, (gain·√(1 / fan-in))²) once (He's initialisation) and used as they are. Both
/// start from the same distribution of effective weights; only Adam's steps differ.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Weights {
    pub equalized: bool,
    /// √2 before a LeakyReLU, 1 for the linear layers into and out of pixels.
    pub gain: f32,
}

impl Weights {
    /// The equalised learning rate with He's gain √2.
    pub const EQUALIZED: Weights = Weights {
        equalized: true,
        gain: std::f32::consts::SQRT_2,
    };

    /// The same with gain `gain`.
    pub fn with_gain(self, gain: f32) -> Weights {
        Weights { gain, ..self }
    }

    /// (initial standard deviation, run-time scale) for a layer of fan-in `fan_in`.
    fn draw(self, fan_in: usize) -> (f64, f32) {
        let he = self.gain / (fan_in.max(1) as f32).sqrt();
        if self.equalized {
            (1.0, he)
        } else {
            (f64::from(he), 1.0)
        }
    }
}

/// A convolution with the equalised learning rate (see [`Weights`]): weights N(0, 1),
/// multiplied by √(2 / fan-in) at every forward pass; biases start at 0.
#[derive(Module, Debug)]
pub struct EqualConv2d {
    conv: Conv2d,
    scale: f32,
}

impl EqualConv2d {
    /// `input` → `output` maps with a `kernel`² kernel, padded to keep the size.
    pub fn new(input: usize, output: usize, kernel: usize, device: &Device) -> EqualConv2d {
        EqualConv2d::with(input, output, kernel, Weights::EQUALIZED, device)
    }

    /// [`Self::new`] with weights drawn and scaled as `weights` says.
    pub fn with(
        input: usize,
        output: usize,
        kernel: usize,
        weights: Weights,
        device: &Device,
    ) -> EqualConv2d {
        let p = kernel / 2;
        let (std, scale) = weights.draw(input * kernel * kernel);
        let conv = Conv2dConfig::new([input, output], [kernel, kernel])
            .with_padding(PaddingConfig2d::Explicit(p, p, p, p))
            .with_initializer(Initializer::Normal { mean: 0.0, std })
            .init(device);
        let conv = Conv2d {
            bias: conv.bias.map(zeroed),
            ..conv
        };
        EqualConv2d { conv, scale }
    }

    /// The factor this layer's weights are scaled by (He's constant; 1 without the
    /// equalised learning rate).
    pub fn scale(&self) -> f32 {
        self.scale
    }

    /// The weight as the forward pass uses it, [out, in, k, k].
    pub fn weight(&self) -> Tensor<4> {
        scaled(self.conv.weight.val(), self.scale)
    }

    /// The padding on each side.
    pub fn padding(&self) -> usize {
        self.conv.kernel_size[0] / 2
    }

    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let p = self.padding();
        crate::kernels::conv2d(
            x,
            self.weight(),
            self.conv.bias.as_ref().map(|b| b.val()),
            burn::tensor::ops::ConvOptions::new([1, 1], [p, p], [1, 1], 1),
        )
    }

    /// The stored (unscaled) weights.
    pub fn raw_weight(&self) -> Tensor<4> {
        self.conv.weight.val()
    }
}

/// `weight` times `scale` (itself when the scale is 1).
fn scaled<const D: usize>(weight: Tensor<D>, scale: f32) -> Tensor<D> {
    if scale == 1.0 {
        weight
    } else {
        weight.mul_scalar(f64::from(scale))
    }
}

/// A bias set to zeros, still a trained parameter (a mapped value that is not marked again
/// would leave training: it would then train only after a checkpoint's reload).
fn zeroed(bias: Param<Tensor<1>>) -> Param<Tensor<1>> {
    bias.map(|v| Parameter::set_require_grad(v.zeros_like().detach(), true))
}

/// A fully connected layer with the equalised learning rate (see [`Weights`]).
#[derive(Module, Debug)]
pub struct EqualLinear {
    linear: Linear,
    scale: f32,
}

impl EqualLinear {
    pub fn new(input: usize, output: usize, weights: Weights, device: &Device) -> EqualLinear {
        let (std, scale) = weights.draw(input);
        let linear = LinearConfig::new(input, output)
            .with_initializer(Initializer::Normal { mean: 0.0, std })
            .init(device);
        let linear = Linear {
            bias: linear.bias.map(zeroed),
            ..linear
        };
        EqualLinear { linear, scale }
    }

    /// The weight as used, [in, out].
    pub fn weight(&self) -> Tensor<2> {
        scaled(self.linear.weight.val(), self.scale)
    }

    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        burn::tensor::module::linear(x, self.weight(), self.linear.bias.as_ref().map(|b| b.val()))
    }
}

/// Real images `x` [batch, channels·end²] as D sees them at `stage`: averaged down to the
/// stage's side, blended during a fade with the previous level exactly as G's output is
/// ((1 − α)·up(down(x)) + α·x), then enlarged back to `end` (nearest, which D's own
/// averaging undoes exactly).
pub fn staged(x: Tensor<2>, channels: usize, end: usize, stage: Stage) -> Tensor<2> {
    let [batch, features] = x.dims();
    if stage.side >= end && stage.alpha >= 1.0 {
        return x;
    }
    let mut image = x.reshape([batch, channels, end, end]);
    let mut side = end;
    while side > stage.side {
        image = downsample(image);
        side /= 2;
    }
    if stage.level > 0 && stage.alpha < 1.0 {
        image = fade(downsample(image.clone()), image, stage.alpha);
    }
    upsample(image, end / side).reshape([batch, features])
}
