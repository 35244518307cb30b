//! pix2pix's game (Isola et al. 2017): G maps a source image A to a target B; D judges the
//! pair (A, B) (or B alone, for the unconditional ablation), patch by patch; G's loss adds
//! λ·‖G(A) − B‖₁. G's noise is its dropout, whose uniform draws follow A in G's input.
//!
//! Held-out pairs, drawn once from a stream of their own seed, feed the sample view
//! (A | G(A) | B rows) and the measurements (L1, PSNR, SSIM, and for digits the share that the
//! reference classifier reads as A's digit).

mod view;

use super::reference::ReferenceClassifier;
use super::{Round, Scene, Task, Term};
use crate::data::{DataSource, SampleShape};
use crate::models::{Discriminator, Generator};
use crate::preset::{Preset, TaskSpec};
use crate::protocol::{Diagnostics, SampleView};
use burn::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Keys the held-out pairs apart from the training stream.
const HELD_OUT_KEY: u64 = 0x4E1D_0000_0000_0000;
/// Held-out pairs measured every `metrics_every` steps.
pub const HELD_OUT_PAIRS: usize = 256;

/// Fixed pairs that training never sees: sources, targets, classes, and the dropout draws G
/// gets with each (so that a pair's output changes only as G learns).
pub struct HeldOut {
    pub n: usize,
    pub source: Vec<f32>,
    pub target: Vec<f32>,
    pub labels: Vec<u32>,
    pub noise: Vec<f32>,
    pub source_shape: SampleShape,
    pub target_shape: SampleShape,
    pub noise_width: usize,
}

impl HeldOut {
    /// G's input rows for pairs `range`: each source followed by its draws.
    pub fn g_input(&self, range: std::ops::Range<usize>) -> Vec<f32> {
        let (a, u) = (self.source_shape.numel(), self.noise_width);
        interleave(
            &self.source[range.start * a..range.end * a],
            a,
            &self.noise[range.start * u..range.end * u],
            u,
        )
    }
}

pub struct Translate {
    /// The preset's task settings (the adversarial term's weight comes from them).
    spec: TaskSpec,
    l1_weight: f32,
    conditional_d: bool,
    source_features: usize,
    noise_width: usize,
    held_out: HeldOut,
    /// Reads translated digits for the task score.
    classifier: ReferenceClassifier,
}

/// G's input rows: each source image (`a` floats) followed by its draws (`u` floats).
pub fn interleave(sources: &[f32], a: usize, draws: &[f32], u: usize) -> Vec<f32> {
    let n = sources.len() / a.max(1);
    (0..n)
        .flat_map(|i| {
            sources[i * a..(i + 1) * a]
                .iter()
                .chain(&draws[i * u..(i + 1) * u])
                .copied()
        })
        .collect()
}

/// `n` uniform draws in [0, 1) from `rng`.
pub fn uniforms(n: usize, rng: &mut StdRng) -> Vec<f32> {
    (0..n).map(|_| rng.random::<f32>()).collect()
}

impl Translate {
    pub fn new(preset: &Preset, data: &dyn DataSource, g: &Generator) -> Result<Translate, String> {
        let (l1_weight, conditional_d) = match preset.task {
            TaskSpec::Translate {
                l1_weight,
                conditional_d,
                ..
            } => (l1_weight, conditional_d),
            TaskSpec::Generate | TaskSpec::Upscale { .. } => (0.0, false),
        };
        let target_shape = data.shape();
        let source_shape = data.source_shape().unwrap_or(target_shape);
        let noise_width = g.noise_width();
        let batch = super::held_out_batch(preset, data, HELD_OUT_PAIRS, HELD_OUT_KEY)?;
        let mut rng = StdRng::seed_from_u64(preset.train.seed ^ HELD_OUT_KEY);
        let held_out = HeldOut {
            n: batch.n,
            source: batch.source.unwrap_or_default(),
            target: batch.x,
            labels: batch.labels.unwrap_or_default(),
            noise: uniforms(HELD_OUT_PAIRS * noise_width, &mut rng),
            source_shape,
            target_shape,
            noise_width,
        };
        Ok(Translate {
            spec: preset.task.clone(),
            l1_weight,
            conditional_d,
            source_features: source_shape.numel(),
            noise_width,
            held_out,
            classifier: ReferenceClassifier::for_data(&preset.dataset),
        })
    }
}

impl Task for Translate {
    fn round(
        &self,
        data: &mut dyn DataSource,
        _resident: Option<&crate::engine::resident::Resident>,
        n: usize,
        noise: &mut StdRng,
        device: &Device,
    ) -> Round {
        let batch = data.batch(n);
        let features = data.shape().numel();
        let a = self.source_features;
        let source = batch.source.unwrap_or_else(|| vec![0.0; n * a]);
        let draws = uniforms(n * self.noise_width, noise);
        let u = self.noise_width;
        let input = interleave(&source, a, &draws, u);
        let beside = self
            .conditional_d
            .then(|| Tensor::from_data(TensorData::new(source, [n, a]), device));
        Round {
            g_input: Tensor::from_data(TensorData::new(input, [n, a + u]), device),
            labels: None,
            real: Tensor::from_data(TensorData::new(batch.x, [n, features]), device),
            beside,
        }
    }

    fn adversarial_weight(&self, step: u64) -> f32 {
        self.spec.adversarial_weight(step)
    }

    fn g_terms(
        &self,
        _step: u64,
        _g: &Generator,
        _judge: &Discriminator,
        fake: &Tensor<2>,
        round: &Round,
        _noise: &mut StdRng,
    ) -> Vec<Term> {
        vec![Term {
            name: "l1",
            value: (fake.clone() - round.real.clone()).abs().mean(),
            weight: self.l1_weight,
        }]
    }

    fn g_gradient_is_telling(&self) -> bool {
        self.l1_weight <= 1.0
    }

    fn held_out(&self) -> Option<&HeldOut> {
        Some(&self.held_out)
    }

    fn samples(&self, scene: &Scene) -> SampleView {
        self.view(scene)
    }

    /// The first `n` held-out pairs, translated.
    fn generate(&self, scene: &Scene, n: usize) -> Vec<f32> {
        self.translate_held_out(scene, 0..n.min(self.held_out.n))
    }

    fn diagnostics(&mut self, scene: &Scene, _data: &mut dyn DataSource) -> Diagnostics {
        self.measure(scene)
    }
}
