//! ProGAN's generator (see the module doc of [`super`]).

use super::{ProShape, SLOPE, Staging, top};
use crate::models::activation::leaky_relu;
use crate::models::progressive::{EqualConv2d, EqualLinear, Stage, fade, pixel_norm, upsample};
use burn::module::Param;
use burn::prelude::*;

/// Added under the square root of z's normalisation.
const EPSILON: f64 = 1e-8;

/// One level past 4×4: nearest ×2, then two 3×3 convolutions.
#[derive(Module, Debug)]
struct Block {
    a: EqualConv2d,
    b: EqualConv2d,
}

#[derive(Module, Debug)]
pub struct ProGenerator {
    input: EqualLinear,
    first: EqualConv2d,
    blocks: Vec<Block>,
    /// toRGB of block `first_block + i`.
    to_rgb: Vec<EqualConv2d>,
    /// [level, α], saved with the weights, so a generator file read without its run (the
    /// explorer opening `generator.bpk`) draws at the stage it was saved at.
    saved_stage: Param<Tensor<1>>,
    staging: Staging,
    first_block: usize,
    width0: usize,
    channels: usize,
    end: usize,
    pixel_norm: bool,
}

impl ProGenerator {
    pub fn new(shape: ProShape, device: &Device) -> ProGenerator {
        let w = shape.weights();
        let c0 = shape.fmaps(0);
        let blocks = (1..=shape.last_block())
            .map(|i| Block {
                a: EqualConv2d::with(shape.fmaps(i - 1), shape.fmaps(i), 3, w, device),
                b: EqualConv2d::with(shape.fmaps(i), shape.fmaps(i), 3, w, device),
            })
            .collect();
        let to_rgb = (shape.first_block()..=shape.last_block())
            .map(|i| EqualConv2d::with(shape.fmaps(i), shape.channels, 1, w.with_gain(1.0), device))
            .collect();
        let saved = Tensor::<1>::from_floats([0.0, 1.0], device);
        ProGenerator {
            input: EqualLinear::new(shape.latent, c0 * 16, w, device),
            first: EqualConv2d::with(c0, c0, 3, w, device),
            blocks,
            to_rgb,
            saved_stage: Param::from_tensor(saved).set_require_grad(false),
            staging: Staging::new(shape.start),
            first_block: shape.first_block(),
            width0: c0,
            channels: shape.channels,
            end: shape.end,
            pixel_norm: shape.pixel_norm,
        }
    }

    /// The stage G draws at.
    pub fn stage(&self) -> Stage {
        self.staging.stage()
    }

    /// Draw at `stage` from now on. The saved copy is written every time, even for the
    /// same stage: the moving average blends every float parameter, this one included, and
    /// the trainer sets the stage again after each blend.
    pub fn set_stage(&mut self, stage: Stage) {
        self.staging.set(stage);
        let device = self.saved_stage.val().device();
        let saved = Tensor::<1>::from_floats([stage.level as f32, stage.alpha], &device);
        self.saved_stage = Param::from_tensor(saved).set_require_grad(false);
    }

    /// Take the stage saved with the weights (after loading a record).
    pub fn restage(&mut self) {
        let saved = self
            .saved_stage
            .val()
            .into_data()
            .try_to_vec::<f32>()
            .unwrap_or_default();
        if let [level, alpha] = saved[..] {
            let levels = self.to_rgb.len();
            self.staging.set(Stage {
                level: (level.max(0.0).round() as usize).min(levels.saturating_sub(1)),
                side: 0,
                alpha: alpha.clamp(0.0, 1.0),
            });
        }
    }

    fn normalised(&self, x: Tensor<4>) -> Tensor<4> {
        if self.pixel_norm { pixel_norm(x) } else { x }
    }

    /// A convolution, LeakyReLU and PixelNorm.
    fn layer(&self, conv: &EqualConv2d, x: Tensor<4>) -> Tensor<4> {
        self.normalised(leaky_relu(conv.forward(x), SLOPE))
    }

    /// `z` [batch, latent] → images [batch, channels·end²]: the stage's output enlarged to
    /// the final size.
    pub fn forward(&self, z: Tensor<2>) -> Tensor<2> {
        let [batch, _] = z.dims();
        let z = if self.pixel_norm {
            let norm = (z.clone() * z.clone())
                .mean_dim(1)
                .add_scalar(EPSILON)
                .sqrt();
            z / norm
        } else {
            z
        };
        let h = self.input.forward(z).reshape([batch, self.width0, 4, 4]);
        let h = self.normalised(leaky_relu(h, SLOPE));
        let mut h = self.layer(&self.first, h);
        let stage = self.stage();
        let (top, fading) = top(self.first_block, stage);
        let mut before = None;
        for (i, block) in self.blocks.iter().enumerate().take(top) {
            if fading && i + 1 == top {
                before = Some(h.clone());
            }
            h = self.layer(&block.a, upsample(h, 2));
            h = self.layer(&block.b, h);
        }
        let rgb = |block: usize, h: Tensor<4>| self.to_rgb[block - self.first_block].forward(h);
        let mut image = rgb(top, h);
        if let Some(before) = before {
            image = fade(rgb(top - 1, before), image, stage.alpha);
        }
        let side = 4 << top;
        upsample(image, self.end / side).reshape([batch, self.channels * self.end * self.end])
    }
}
