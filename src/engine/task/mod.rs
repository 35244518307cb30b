//! Tasks: what the game is, apart from what the networks are.
//!
//! A task says what a batch becomes in one round of the game (G's input, the real samples D
//! judges, what D sees beside them), which terms G's loss gets besides the adversarial one,
//! and which fixed inputs the sample view shows. The trainer's step loop is written once
//! against [`Task`]; a new game is a file here plus a preset that names it.
//!
//! - [`generate::Generate`]: noise (and a class, for a conditional pair) → sample.
//! - [`translate::Translate`]: source image → target image (pix2pix), D judging pairs.

pub mod generate;
pub mod translate;

use crate::data::{DataSource, HostBatch};
use crate::models::Generator;
use crate::preset::{Preset, TaskSpec};
use burn::prelude::*;
use rand::rngs::StdRng;

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
    /// from `noise`.
    fn round(
        &self,
        data: &mut dyn DataSource,
        n: usize,
        noise: &mut StdRng,
        device: &Device,
    ) -> Round;

    /// Whether G's loss has the adversarial term.
    fn adversarial(&self) -> bool {
        true
    }

    /// G's other terms for its samples `fake` of `round`.
    fn g_terms(
        &self,
        g: &Generator,
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
}

/// The task a preset names, for data of `data`'s shapes.
pub fn open(preset: &Preset, data: &dyn DataSource, g: &Generator) -> Box<dyn Task> {
    match preset.task {
        TaskSpec::Generate => Box::new(generate::Generate::new(preset)),
        TaskSpec::Translate { .. } => Box::new(translate::Translate::new(preset, data, g)),
    }
}

/// A batch's class labels as a conditional model takes them (`None` when it is not one).
pub fn labels(batch: &HostBatch, conditional: bool, device: &Device) -> Option<Tensor<1, Int>> {
    if !conditional {
        return None;
    }
    batch
        .labels
        .as_deref()
        .map(|l| crate::models::label_tensor(l, device))
}
