//! The ProGAN family (Karras et al. 2018), scaled for a CPU: G and D grow from `start` px to
//! the data's size, each new level fading in (see [`super::progressive`] for the schedule
//! and the layers).
//!
//! Both networks hold every level from 4×4 up from the start (a run's weights, checkpoint
//! and parameter count never change shape); the stage ([`Stage`]: level and α) says which
//! of them a forward pass uses. The trainer sets it from the step before every step (and
//! after a resume), so the schedule stays a pure function of the step.
//!
//! Widths: a level of side s has min(`width`, 16·`width` / s) feature maps (`width` up to
//! 16 px, then halving with each doubling, as ProGAN's fmaps shrink at high resolution).
//! G: z (pixel-normalised) → dense to 4×4 → conv 3×3; each level: nearest ×2, two conv 3×3;
//! LeakyReLU 0.2 and PixelNorm after every conv; a 1×1 toRGB per level (linear output). D
//! mirrors it: a 1×1 fromRGB per level, two conv 3×3 and 2×2 average pooling per level, then
//! at 4×4 the minibatch standard deviation (groups of 4), a conv 3×3, a dense layer and the
//! score. Every layer uses the equalised learning rate unless the preset turns it off.

mod discriminator;
mod generator;

pub use discriminator::ProDiscriminator;
pub use generator::ProGenerator;

use super::progressive::{Stage, Weights};

/// LeakyReLU's slope.
const SLOPE: f64 = 0.2;
/// Samples per minibatch-stddev group (ProGAN's 4).
pub const GROUP: usize = 4;

/// What a ProGAN pair is.
#[derive(Clone, Copy, Debug)]
pub struct ProShape {
    pub latent: usize,
    pub channels: usize,
    /// The data's side: where G and D end.
    pub end: usize,
    /// The side of level 0 (4: growing from the smallest; `end`: full size from the start).
    pub start: usize,
    /// Feature maps up to 16 px.
    pub width: usize,
    /// PixelNorm in G.
    pub pixel_norm: bool,
    /// The equalised learning rate in both networks.
    pub equalized: bool,
    /// Minibatch standard deviation in D.
    pub minibatch_stddev: bool,
}

impl ProShape {
    /// Blocks past the 4×4 one: log2(end / 4).
    fn last_block(&self) -> usize {
        (self.end / 4).trailing_zeros() as usize
    }

    /// The block of level 0.
    fn first_block(&self) -> usize {
        (self.start / 4).trailing_zeros() as usize
    }

    /// Feature maps of block `i` (side 4·2ⁱ).
    fn fmaps(&self, block: usize) -> usize {
        let side = 4usize << block;
        self.width.min(self.width * 16 / side).max(1)
    }

    fn weights(&self) -> Weights {
        Weights {
            equalized: self.equalized,
            ..Weights::EQUALIZED
        }
    }
}

/// The block a stage's top level is drawn by, and whether its fade is under way.
fn top(first: usize, stage: Stage) -> (usize, bool) {
    let block = first + stage.level;
    (block, stage.level > 0 && stage.alpha < 1.0)
}

/// A stage as a network keeps it: (level, α) as host values for its forward pass.
#[derive(burn::module::Module, Debug)]
struct Staging {
    level: usize,
    alpha: f32,
    /// The side of level 0.
    start: usize,
}

impl Staging {
    fn new(start: usize) -> Staging {
        Staging {
            level: 0,
            alpha: 1.0,
            start,
        }
    }

    fn stage(&self) -> Stage {
        Stage {
            level: self.level,
            side: self.start << self.level,
            alpha: self.alpha,
        }
    }

    fn set(&mut self, stage: Stage) {
        self.level = stage.level;
        self.alpha = stage.alpha;
    }
}
