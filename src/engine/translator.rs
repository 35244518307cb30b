//! A frozen image-to-image generator for use outside training: the explorer's draw-and-
//! translate canvas and `ganscope apply`. It translates square source images of any side the
//! U-Net accepts (multiples of 2^levels), with dropout draws from a fixed seed, so the same
//! input always gives the same output.

use crate::engine::ReadBack;
use crate::engine::task::translate;
use crate::models::{Generator, unet::UnetGenerator};
use burn::prelude::*;
use rand::{SeedableRng, rngs::StdRng};

/// The seed of the dropout draws outside training (the canvas and `ganscope apply` use the
/// same, so an image drawn in the app and applied on the command line match).
pub const DRAWS_SEED: u64 = 3 << 40;

/// Largest side translated (a 1024² image already takes seconds on a CPU).
pub const MAX_SIDE: usize = 1024;

pub struct Translator {
    g: UnetGenerator,
    seed: u64,
    device: Device,
}

impl Translator {
    /// A translator from `g` (without autodiff) when it is an image-to-image generator.
    pub fn new(g: &Generator, seed: u64, device: &Device) -> Option<Translator> {
        match g {
            Generator::Unet(g) => Some(Translator {
                g: g.clone(),
                seed,
                device: device.clone(),
            }),
            Generator::Mlp(_)
            | Generator::Dcgan(_)
            | Generator::Srresnet(_)
            | Generator::Transformer(_)
            | Generator::Progressive(_) => None,
        }
    }

    pub fn source_channels(&self) -> usize {
        self.g.source_channels()
    }

    pub fn target_channels(&self) -> usize {
        self.g.target_channels()
    }

    /// The side it was trained on.
    pub fn size(&self) -> usize {
        self.g.size()
    }

    /// The sides it accepts, in words.
    pub fn accepted_sizes(&self) -> String {
        let step = 1usize << self.g.levels();
        format!(
            "square images whose side is a multiple of {step} up to {MAX_SIDE} ({step}, {}, \
             {}, ... px; trained at {} px)",
            2 * step,
            3 * step,
            self.size()
        )
    }

    /// Whether it translates square images of side `side`.
    pub fn accepts(&self, side: usize) -> bool {
        side <= MAX_SIDE && self.g.accepts(side)
    }

    /// Translate `sources` (images of `source_channels` × `side`², channel-major, in
    /// [-1, 1], one after another) into targets laid out alike.
    pub fn translate(&self, sources: &[f32], side: usize) -> Result<Vec<f32>, String> {
        if !self.accepts(side) {
            return Err(format!(
                "a {side}×{side} image does not fit this U-Net: it takes {}",
                self.accepted_sizes()
            ));
        }
        let features = self.source_channels() * side * side;
        if sources.is_empty() || !sources.len().is_multiple_of(features) {
            return Err(format!(
                "{} values are not whole {side}×{side} images of {} channel(s)",
                sources.len(),
                self.source_channels()
            ));
        }
        let n = sources.len() / features;
        let noise = self.g.noise_width_at(side);
        let mut rng = StdRng::seed_from_u64(self.seed);
        let draws = translate::uniforms(n * noise, &mut rng);
        let input = translate::interleave(sources, features, &draws, noise);
        let x = Tensor::from_data(TensorData::new(input, [n, features + noise]), &self.device);
        Ok(self.g.forward_at(x, side).read_f32s())
    }
}
