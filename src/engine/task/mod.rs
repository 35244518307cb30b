//! Tasks: what the game is, apart from what the networks are.
//!
//! A task says what a batch becomes in one round of the game (G's input, the real samples D
//! judges, what D sees beside them), which terms G's loss gets besides the adversarial one,
//! what the sample view shows and what is measured. The trainer's step loop, views and
//! measurements are written once against [`Task`]; a new game is a file (or folder) here plus
//! a preset that names it.
//!
//! - [`generate::Generate`]: noise (and a class, for a conditional pair) → sample.
//! - [`translate::Translate`]: source image → target image (pix2pix), D judging pairs.
//! - [`upscale::Upscale`]: low-resolution image → its original (SRResNet, then SRGAN).

pub mod generate;
mod reference;
pub mod translate;
pub mod upscale;

use crate::data::{DataSource, HostBatch, SampleShape};
use crate::engine::ReadBack;
use crate::models::{Discriminator, Generator};
use crate::preset::{Preset, TaskSpec};
use crate::protocol::{Diagnostics, RgbaImage, SampleView};
use burn::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// The independent streams of randomness of a run.
#[derive(Clone, Copy)]
pub enum Stream {
    Noise = 1,
    Measure = 2,
    /// Instance noise and penalty interpolates.
    Game = 3,
    /// Instance noise on the samples that diagnostics show D.
    Judge = 4,
}

/// SplitMix64 of `a` combined with `b`: well-spread keys from (seed, purpose, step).
pub fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A random generator for one purpose at one step: every stream of randomness is keyed by
/// (preset seed, purpose, step), so a run is a function of its seed, a run resumed from a
/// checkpoint continues exactly as an uninterrupted one, and other threads drawing random
/// numbers cannot disturb it.
pub fn keyed(seed: u64, purpose: Stream, step: u64) -> StdRng {
    StdRng::seed_from_u64(mix(mix(seed, purpose as u64), step))
}

/// What a task sees of the run when it draws its view or measures it.
pub struct Scene<'a> {
    /// G without autodiff, as exported (the moving average of its weights when kept).
    pub g: &'a Generator,
    /// D as it trains (autodiff: the 2-D view's arrows need its input gradient).
    pub d: &'a Discriminator,
    pub preset: &'a Preset,
    pub step: u64,
    pub shape: SampleShape,
    /// The device without autodiff, and the same hardware with it.
    pub plain: &'a Device,
    pub autodiff: &'a Device,
}

impl Scene<'_> {
    /// The stream `purpose` at this step (see [`keyed`]).
    pub fn rng(&self, purpose: Stream) -> StdRng {
        keyed(self.preset.train.seed, purpose, self.step)
    }
}

/// One round of the game, built from a batch.
pub struct Round {
    /// What G is given: z, or a source image followed by G's noise.
    pub g_input: Tensor<2>,
    /// Class labels, for a conditional pair.
    pub labels: Option<Tensor<1, Int>>,
    /// The real samples [batch, features].
    pub real: Tensor<2>,
    /// What D sees stacked before each judged sample (the source image), when the task
    /// conditions D on it.
    pub beside: Option<Tensor<2>>,
}

impl Round {
    /// What D judges for samples `x` of this round: `x`, after the source when D sees it.
    pub fn judged(&self, x: Tensor<2>) -> Tensor<2> {
        match &self.beside {
            Some(source) => Tensor::cat(vec![source.clone(), x], 1),
            None => x,
        }
    }
}

/// A term of G's loss besides the adversarial one.
pub struct Term {
    /// As `metrics.jsonl` and the plots name it.
    pub name: &'static str,
    /// The value recorded.
    pub value: Tensor<1>,
    /// What G's loss adds is `weight · value`.
    pub weight: f32,
}

impl Term {
    /// What the term adds to G's loss.
    pub fn loss(&self) -> Tensor<1> {
        if self.weight == 1.0 {
            self.value.clone()
        } else {
            self.value.clone().mul_scalar(f64::from(self.weight))
        }
    }
}

/// A game G and D play.
pub trait Task: Send {
    /// Draw a batch of `n` from `data` and turn it into a round on `device`; G's noise comes
    /// from `noise`. Where the whole set is kept on the device (`resident`), a task whose
    /// real samples are plain rows of the set may take them from there.
    fn round(
        &self,
        data: &mut dyn DataSource,
        resident: Option<&crate::engine::resident::Resident>,
        n: usize,
        noise: &mut StdRng,
        device: &Device,
    ) -> Round;

    /// The weight of the adversarial term in G's loss at (0-based) step `step`; 0 leaves it
    /// out (D still trains).
    fn adversarial_weight(&self, _step: u64) -> f32 {
        1.0
    }

    /// When the steps done reach `steps_done`, the task's schedule starts a new phase: its
    /// description, logged as a run event and marked on the plots.
    fn phase_change(&self, _steps_done: u64) -> Option<String> {
        None
    }

    /// G's other terms at (0-based) step `step` for its samples `fake` of `round`; `judge`
    /// is D as a constant of G's update (no gradients of its own), for terms measured
    /// through it.
    fn g_terms(
        &self,
        step: u64,
        g: &Generator,
        judge: &Discriminator,
        fake: &Tensor<2>,
        round: &Round,
        noise: &mut StdRng,
    ) -> Vec<Term>;

    /// Whether the size of G's gradient says anything about the game's stability: not when
    /// the task scales a term of G's loss by a weight of its own (pix2pix's λ = 100 makes
    /// G's gradient large by design), and the gradient-explosion alarm then watches D alone.
    fn g_gradient_is_telling(&self) -> bool {
        true
    }

    /// The fixed held-out pairs the view and measurements use, for a task that has them.
    fn held_out(&self) -> Option<&translate::HeldOut> {
        None
    }

    /// What G makes of the task's fixed inputs, as the front ends show it.
    fn samples(&self, scene: &Scene) -> SampleView;

    /// `n` samples of G, flattened [n, features]: from fresh inputs, or the task's held-out
    /// inputs (for benches, the CLI and tests).
    fn generate(&self, scene: &Scene, n: usize) -> Vec<f32>;

    /// The task's measurements at this step, drawing real samples from `data`.
    fn diagnostics(&mut self, scene: &Scene, data: &mut dyn DataSource) -> Diagnostics;

    /// Start loading what the measurements need (a reference classifier, on a helper
    /// thread) now rather than at the first measurement, so that the first one has every
    /// number: for headless runs that measure rarely (`train --seconds`).
    fn prepare_measurements(&mut self, _plain: &Device) {}

    /// The memorisation check: samples over their nearest real neighbours, with distances;
    /// `None` where it means nothing.
    fn nearest_neighbours(
        &mut self,
        _scene: &Scene,
        _data: &mut dyn DataSource,
    ) -> Option<(RgbaImage, Vec<f32>)> {
        None
    }
}

/// `n` held-out samples for a task's view and measurements: the data set's own held-out
/// split when it keeps one (file sets), else a fresh draw from a generated set opened under
/// the run's seed mixed with `key` (so they never coincide with training batches' draws).
pub fn held_out_batch(
    preset: &Preset,
    data: &dyn DataSource,
    n: usize,
    key: u64,
) -> Result<HostBatch, String> {
    match data.held_out(n) {
        Some(batch) => Ok(batch),
        None => Ok(crate::data::open(&preset.dataset, preset.train.seed ^ key)
            .map_err(|e| e.to_string())?
            .batch(n)),
    }
}

/// D's mean probability "real" for each of the images `rows` (`features` floats each), with
/// the matching `beside` rows (`width` floats each) stacked before them when D sees a source;
/// with the step's instance noise from the judge stream, in batches of the training size (a
/// patch discriminator's verdicts averaged).
pub fn verdicts(
    scene: &Scene,
    rows: &[f32],
    features: usize,
    beside: Option<(&[f32], usize)>,
) -> Vec<f32> {
    let d = scene.d.valid();
    let mut rng = scene.rng(Stream::Judge);
    let std = scene.preset.game.noise_at(scene.step);
    let batch = scene.preset.train.batch_size.max(1);
    let n = rows.len() / features.max(1);
    let mut out = Vec::with_capacity(n);
    let mut start = 0;
    while start < n {
        let end = (start + batch).min(n);
        let slice = |values: &[f32], width: usize| {
            Tensor::<2>::from_data(
                TensorData::new(
                    values[start * width..end * width].to_vec(),
                    [end - start, width],
                ),
                scene.plain,
            )
        };
        let image = slice(rows, features);
        let input = match beside {
            Some((source, width)) => Tensor::cat(vec![slice(source, width), image], 1),
            None => image,
        };
        let input = crate::engine::trainer::game::with_noise(input, std, &mut rng);
        let p = burn::tensor::activation::sigmoid(d.judge(input, None)).mean_dim(1);
        out.extend(p.read_f32s());
        start = end;
    }
    out
}

/// The task a preset names, for data of `data`'s shapes; `plain` holds its fixed inputs.
pub fn open(
    preset: &Preset,
    data: &dyn DataSource,
    g: &Generator,
    plain: &Device,
) -> Result<Box<dyn Task>, String> {
    Ok(match preset.task {
        TaskSpec::Generate => Box::new(generate::Generate::new(preset, data.shape(), plain)),
        TaskSpec::Translate { .. } => Box::new(translate::Translate::new(preset, data, g)?),
        TaskSpec::Upscale { .. } => Box::new(upscale::Upscale::new(preset, data)?),
    })
}
