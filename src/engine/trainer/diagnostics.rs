//! Measurements of a run beside its training: mode coverage, class coverage by the reference
//! classifier, diversity, D's output histograms, and the nearest-neighbour memorisation check.

use super::{Stream, Trainer, game, points};
use crate::data::{SampleShape, digits};
use crate::engine::HostValues;
use crate::engine::classifier::{self, Classifier};
use crate::imaging;
use crate::metrics::coverage::{self, ClassCoverage};
use crate::metrics::{self, modes};
use crate::protocol::{DIAGNOSTIC_BINS, Diagnostics, RgbaImage};
use burn::prelude::*;
use burn::tensor::activation::sigmoid;
use crossbeam_channel::Receiver;

/// Samples per batch for D's output histograms (and generated images for coverage).
const DIAGNOSTIC_IMAGES: usize = 256;
/// Generated samples shown beside their nearest real neighbour, and the real samples searched.
const NEIGHBOURS: usize = 8;
const NEIGHBOUR_BANK: usize = 2000;
/// Samples whose pairwise distances give the diversity score.
const DIVERSITY_SAMPLES: usize = 96;

/// Where the reference classifier stands; it is loaded or trained on a helper thread the
/// first time coverage is measured.
pub(super) enum ReferenceClassifier {
    NotNeeded,
    NotStarted { size: usize },
    Training(Receiver<Classifier>),
    Ready(Box<Classifier>),
}

impl Trainer {
    /// Coverage and balance measurements on fresh samples (see [`Diagnostics`]); coverage
    /// also feeds the collapse alarm.
    pub fn diagnostics(&mut self) -> Diagnostics {
        if let Some(translation) = self.translation_diagnostics() {
            return translation;
        }
        let is_points = self.shape == SampleShape::Points2;
        let n = if is_points {
            modes::SAMPLES
        } else {
            DIAGNOSTIC_IMAGES
        };
        let fake = self.generate(n);
        let modes = self
            .mixture
            .as_ref()
            .map(|(means, std)| modes::mode_metrics(&points(&fake), means, *std));
        if let Some(m) = &modes {
            let raised = self
                .watch
                .observe_coverage(self.step, m.modes_covered, m.modes);
            self.alarms.extend(raised);
        }
        let features = self.shape.numel();
        let real_batch = self.data.batch(DIAGNOSTIC_IMAGES);
        let (real, real_labels) = (real_batch.x, real_batch.labels);
        let asked = self.asked_classes(n);
        let fake = &fake[..DIAGNOSTIC_IMAGES.min(n) * features];
        let diversity = (!is_points).then(|| {
            let pairs = DIVERSITY_SAMPLES * features;
            [
                coverage::diversity(&fake[..pairs.min(fake.len())], features),
                coverage::diversity(&real[..pairs.min(real.len())], features),
            ]
        });
        let classes = self.class_coverage(fake, asked.as_deref());
        if let Some(c) = &classes {
            let raised = self.watch.observe_coverage(self.step, c.covered, c.classes);
            self.alarms.extend(raised);
        }
        let real_p = self.probabilities(&real, real_labels.as_deref());
        let fake_p = self.probabilities(fake, asked.as_deref());
        let histogram = |p: Vec<f32>| metrics::histogram(&p, DIAGNOSTIC_BINS, 0.0, 1.0);
        Diagnostics {
            step: self.step,
            modes,
            classes,
            diversity,
            d_real_hist: histogram(real_p),
            d_fake_hist: histogram(fake_p),
            translation: None,
        }
    }

    /// D's probability "real" for each sample of `x` (flattened [n, features], of classes
    /// `labels`), judged as training judges: in batches of the training batch size with
    /// BatchNorm on each batch's own statistics, with the instance noise of this step, and
    /// packed as the game packs (each sample gets its pack's verdict). Scores of the
    /// non-logistic losses are squashed the same way.
    fn probabilities(&self, x: &[f32], labels: Option<&[u32]>) -> Vec<f32> {
        let features = self.shape.numel();
        let game = &self.preset.game;
        let batch = self.preset.train.batch_size.max(game.pack);
        let d = self.d().valid();
        let mut rng = self.rng(Stream::Judge);
        let std = game.noise_at(self.step);
        let rows = x.len() / features;
        let mut verdicts = Vec::with_capacity(rows);
        let mut start = 0;
        while start < rows {
            // Whole packs only; a ragged tail is left out.
            let n = (batch.min(rows - start) / game.pack) * game.pack;
            if n == 0 {
                break;
            }
            let chunk = x[start * features..(start + n) * features].to_vec();
            let input = Tensor::from_data(TensorData::new(chunk, [n, features]), &self.plain);
            let labels = self.labels(labels.map(|l| &l[start..start + n]), &self.plain);
            let input = game::pack(game::with_noise(input, std, &mut rng), game.pack);
            let scores = sigmoid(d.judge(input, labels.as_ref()))
                .into_data()
                .to_f32s();
            verdicts.extend(
                scores
                    .into_iter()
                    .flat_map(|p| std::iter::repeat_n(p, game.pack)),
            );
            start += n;
        }
        verdicts
    }

    /// The memorisation check: the first fixed-latent samples (top row) over their nearest
    /// neighbours among [`NEIGHBOUR_BANK`] fresh real samples (bottom row), with the
    /// distances; `None` for 2-D data.
    pub fn nearest_neighbours(&mut self) -> Option<(RgbaImage, Vec<f32>)> {
        // A translation is compared with its own target, not searched for.
        if self.task.held_out().is_some() {
            return None;
        }
        let SampleShape::Image {
            channels, height, ..
        } = self.shape
        else {
            return None;
        };
        let features = self.shape.numel();
        let shown = NEIGHBOURS.min(self.preset.train.samples);
        let labels = self.fixed_labels.as_ref().map(|l| &l[..shown]);
        let fake = self.generate_from(self.fixed_z.clone().narrow(0, 0, shown), labels);
        let bank = self.data.batch(NEIGHBOUR_BANK).x;
        let mut tiles = Vec::new();
        let mut nearest = Vec::new();
        let mut distances = Vec::new();
        for sample in fake.chunks_exact(features) {
            let (index, distance) = coverage::nearest(sample, &bank, features)?;
            tiles.push(imaging::to_rgba(sample, channels, height));
            nearest.push(imaging::to_rgba(
                &bank[index * features..(index + 1) * features],
                channels,
                height,
            ));
            distances.push(distance);
        }
        let columns = tiles.len();
        tiles.extend(nearest);
        Some((imaging::mosaic(&tiles, columns), distances))
    }

    /// Class coverage of generated images by the reference classifier, once it is ready.
    pub(super) fn class_coverage(
        &mut self,
        images: &[f32],
        asked: Option<&[u32]>,
    ) -> Option<ClassCoverage> {
        match &self.classifier {
            ReferenceClassifier::NotNeeded => return None,
            ReferenceClassifier::NotStarted { size } => {
                let pending = classifier::spawn(*size, self.plain.clone());
                self.classifier = ReferenceClassifier::Training(pending);
            }
            ReferenceClassifier::Training(pending) => {
                if let Ok(model) = pending.try_recv() {
                    self.classifier = ReferenceClassifier::Ready(Box::new(model));
                }
            }
            ReferenceClassifier::Ready(_) => {}
        }
        let ReferenceClassifier::Ready(model) = &self.classifier else {
            return None;
        };
        let probabilities = model.probabilities(images, self.shape.numel(), &self.plain);
        Some(coverage::class_coverage(
            &probabilities,
            digits::CLASSES,
            asked,
        ))
    }
}
