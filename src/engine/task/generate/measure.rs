//! The generate task's measurements beside training: mode coverage, class coverage by the
//! reference classifier, diversity, D's output histograms, and the nearest-neighbour
//! memorisation check.

use super::Generate;
use super::view::points;
use crate::data::{DataSource, SampleShape};
use crate::engine::ReadBack;
use crate::engine::task::{Scene, Stream};
use crate::engine::trainer::game;
use crate::imaging;
use crate::metrics::coverage;
use crate::metrics::{self, modes};
use crate::protocol::{DIAGNOSTIC_BINS, Diagnostics, RgbaImage};
use burn::prelude::*;
use burn::tensor::activation::sigmoid;

/// Samples per batch for D's output histograms (and generated images for coverage).
const DIAGNOSTIC_IMAGES: usize = 256;
/// Generated samples shown beside their nearest real neighbour, and the real samples searched.
const NEIGHBOURS: usize = 8;
const NEIGHBOUR_BANK: usize = 2000;
/// Samples whose pairwise distances give the diversity score.
const DIVERSITY_SAMPLES: usize = 96;

impl Generate {
    /// Coverage and balance measurements on fresh samples (see [`Diagnostics`]).
    pub(super) fn measure(&mut self, scene: &Scene, data: &mut dyn DataSource) -> Diagnostics {
        let is_points = self.shape == SampleShape::Points2;
        let n = if is_points {
            modes::SAMPLES
        } else {
            DIAGNOSTIC_IMAGES
        };
        let fake = self.fresh(scene, n);
        let modes = self
            .mixture
            .as_ref()
            .map(|(means, std)| modes::mode_metrics(&points(&fake), means, *std));
        let features = self.shape.numel();
        let real_batch = data.batch(DIAGNOSTIC_IMAGES);
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
        let classes = self
            .classifier
            .coverage(fake, features, asked.as_deref(), scene.plain);
        // Against the set's own test split when it has one, else fresh training images.
        let reference = data
            .held_out(DIAGNOSTIC_IMAGES)
            .map_or_else(|| real.clone(), |held| held.x);
        let frechet = (!is_points)
            .then(|| {
                self.classifier
                    .frechet(fake, &reference, features, scene.plain)
            })
            .flatten();
        let attention = self.attention(scene, fake, &real);
        let real_p = self.probabilities(scene, &real, real_labels.as_deref());
        let fake_p = self.probabilities(scene, fake, asked.as_deref());
        let histogram = |p: Vec<f32>| metrics::histogram(&p, DIAGNOSTIC_BINS, 0.0, 1.0);
        Diagnostics {
            step: scene.step,
            modes,
            classes,
            diversity,
            frechet,
            d_real_hist: histogram(real_p),
            d_fake_hist: histogram(fake_p),
            translation: None,
            super_resolution: None,
            attention,
        }
    }

    /// D's probability "real" for each sample of `x` (flattened [n, features], of classes
    /// `labels`), judged as training judges: in batches of the training batch size with
    /// BatchNorm on each batch's own statistics, with the instance noise of this step, and
    /// packed as the game packs (each sample gets its pack's verdict). Scores of the
    /// non-logistic losses are squashed the same way.
    fn probabilities(&self, scene: &Scene, x: &[f32], labels: Option<&[u32]>) -> Vec<f32> {
        let features = self.shape.numel();
        let game = &scene.preset.game;
        let batch = scene.preset.train.batch_size.max(game.pack);
        let d = scene.d.valid();
        let mut rng = scene.rng(Stream::Judge);
        let std = game.noise_at(scene.step);
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
            let input = Tensor::from_data(TensorData::new(chunk, [n, features]), scene.plain);
            let labels = self.labels(labels.map(|l| &l[start..start + n]), scene.plain);
            let input = game::pack(game::with_noise(input, std, &mut rng), game.pack);
            let scores = sigmoid(d.judge(input, labels.as_ref())).read_f32s();
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
    pub(super) fn neighbours(
        &mut self,
        scene: &Scene,
        data: &mut dyn DataSource,
    ) -> Option<(RgbaImage, Vec<f32>)> {
        let (channels, height) = self.image()?;
        let features = self.shape.numel();
        let shown = NEIGHBOURS.min(scene.preset.train.samples);
        let fake = self.fixed_samples(scene, shown);
        let bank = data.batch(NEIGHBOUR_BANK).x;
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
}
