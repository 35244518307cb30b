//! What a translation run shows and measures: rows of A | G(A) | B on its first held-out
//! pairs, and L1, PSNR, SSIM and the task score on all of them.

use super::Translate;
use crate::data::SampleShape;
use crate::engine::ReadBack;
use crate::engine::task::{self, Scene};
use crate::imaging;
use crate::metrics::{self, coverage, similarity};
use crate::protocol::{DIAGNOSTIC_BINS, Diagnostics, SampleView, Tiles};
use burn::prelude::*;

/// Pairs G translates at once.
const CHUNK: usize = 64;
/// Pairs side by side in a row of the sample view.
const PAIRS_PER_ROW: usize = 2;
/// Captions of one pair's tiles.
const CAPTIONS: [&str; 3] = ["input A", "G(A)", "target B"];
/// Outputs whose pairwise distances give the diversity score.
const DIVERSITY_SAMPLES: usize = 96;

impl Translate {
    /// G(A) for held-out pairs `range`, flattened [n, features].
    pub(super) fn translate_held_out(
        &self,
        scene: &Scene,
        range: std::ops::Range<usize>,
    ) -> Vec<f32> {
        let held = &self.held_out;
        let width = held.source_shape.numel() + held.noise_width;
        let mut out = Vec::with_capacity(range.len() * scene.shape.numel());
        let mut start = range.start;
        while start < range.end.min(held.n) {
            let end = (start + CHUNK).min(range.end).min(held.n);
            let input = held.g_input(start..end);
            let x = Tensor::from_data(TensorData::new(input, [end - start, width]), scene.plain);
            out.extend(scene.g.sample(x, None).read_f32s());
            start = end;
        }
        out
    }

    /// The sample view: `samples` held-out pairs (at most the pairs held out), two to a
    /// row, each as source | output | target.
    pub(super) fn view(&self, scene: &Scene) -> SampleView {
        let held = &self.held_out;
        let pairs = scene.preset.train.samples.min(held.n);
        let outputs = self.translate_held_out(scene, 0..pairs);
        let (a, b) = (held.source_shape.numel(), scene.shape.numel());
        let (source_channels, channels, side) = match (held.source_shape, scene.shape) {
            (
                SampleShape::Image { channels: sc, .. },
                SampleShape::Image {
                    channels, height, ..
                },
            ) => (sc, channels, height),
            // Paired data sets hold images (presets ensure it).
            _ => (1, 1, 0),
        };
        let mut tiles = Vec::with_capacity(3 * pairs);
        for i in 0..pairs {
            let source = &held.source[i * a..(i + 1) * a];
            tiles.push(imaging::to_rgba(source, source_channels, side));
            tiles.push(imaging::to_rgba(
                &outputs[i * b..(i + 1) * b],
                channels,
                side,
            ));
            tiles.push(imaging::to_rgba(
                &held.target[i * b..(i + 1) * b],
                channels,
                side,
            ));
        }
        let columns = 3 * PAIRS_PER_ROW.min(pairs);
        SampleView::Grid {
            image: imaging::mosaic(&tiles, columns),
            columns,
            tiles: tiles.len(),
            meaning: Tiles::HeldOutPairs,
            captions: (0..columns).map(|i| CAPTIONS[i % 3].to_string()).collect(),
        }
    }

    /// Similarity of G(A) to B on every held-out pair, the task score, and D's verdicts on
    /// real and translated pairs.
    pub(super) fn measure(&mut self, scene: &Scene) -> Diagnostics {
        let n = self.held_out.n;
        let outputs = self.translate_held_out(scene, 0..n);
        let side = match scene.shape {
            SampleShape::Image { height, .. } => height,
            SampleShape::Points2 => 1,
        };
        let features = scene.shape.numel();
        let task_score = self
            .classifier
            .coverage(&outputs, features, Some(&self.held_out.labels), scene.plain)
            .and_then(|c| c.as_asked);
        let target = &self.held_out.target[..n * features];
        let real_p = self.pair_probabilities(scene, target);
        let fake_p = self.pair_probabilities(scene, &outputs);
        let histogram = |p: Vec<f32>| metrics::histogram(&p, DIAGNOSTIC_BINS, 0.0, 1.0);
        let shown = (DIVERSITY_SAMPLES * features).min(outputs.len());
        Diagnostics {
            step: scene.step,
            modes: None,
            classes: None,
            diversity: Some([
                coverage::diversity(&outputs[..shown], features),
                coverage::diversity(&target[..shown], features),
            ]),
            frechet: None,
            d_real_hist: histogram(real_p),
            d_fake_hist: histogram(fake_p),
            translation: Some(similarity::Translation {
                l1: similarity::l1(&outputs, target),
                psnr: similarity::psnr(&outputs, target, features),
                ssim: similarity::ssim(&outputs, target, side),
                task_score,
            }),
            super_resolution: None,
            attention: None,
        }
    }

    /// D's mean probability "real" for each held-out pair with `judged` as its image (the
    /// pair's source beside it when D sees one).
    fn pair_probabilities(&self, scene: &Scene, judged: &[f32]) -> Vec<f32> {
        let held = &self.held_out;
        let beside = self
            .conditional_d
            .then(|| (held.source.as_slice(), held.source_shape.numel()));
        task::verdicts(scene, judged, scene.shape.numel(), beside)
    }
}
