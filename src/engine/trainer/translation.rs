//! What a translation run shows and measures: rows of A | G(A) | B on its first held-out
//! pairs, and L1, PSNR, SSIM and the task score on all of them (see
//! [`crate::engine::task::translate`]).

use super::{Stream, Trainer, game};
use crate::data::SampleShape;
use crate::engine::HostValues;
use crate::engine::translator::{DRAWS_SEED, Translator};
use crate::imaging;
use crate::metrics::{self, coverage, similarity};
use crate::protocol::{DIAGNOSTIC_BINS, Diagnostics, SampleView, Tiles};
use burn::prelude::*;
use burn::tensor::activation::sigmoid;

/// Pairs G translates at once.
const CHUNK: usize = 64;
/// Pairs side by side in a row of the sample view.
const PAIRS_PER_ROW: usize = 2;
/// Captions of one pair's tiles.
const CAPTIONS: [&str; 3] = ["input A", "G(A)", "target B"];

impl Trainer {
    /// G as it is now, for translating images outside training; `None` for a latent G.
    pub fn translator(&self) -> Option<Translator> {
        Translator::new(&self.generator_for_export(), DRAWS_SEED, &self.plain)
    }

    /// G(A) for held-out pairs `range`, flattened [n, features] (`None` without pairs).
    pub(super) fn translate_held_out(&self, range: std::ops::Range<usize>) -> Option<Vec<f32>> {
        let held = self.task.held_out()?;
        let g = self.generator_for_export();
        let width = held.source_shape.numel() + held.noise_width;
        let mut out = Vec::with_capacity(range.len() * self.shape.numel());
        let mut start = range.start;
        while start < range.end.min(held.n) {
            let end = (start + CHUNK).min(range.end).min(held.n);
            let input = held.g_input(start..end);
            let x = Tensor::from_data(TensorData::new(input, [end - start, width]), &self.plain);
            out.extend(g.sample(x, None).into_data().to_f32s());
            start = end;
        }
        Some(out)
    }

    /// The sample view of a translation task: `samples` held-out pairs (at most the pairs
    /// held out), two to a row, each as source | output | target.
    pub(super) fn translated_view(&self) -> Option<SampleView> {
        let held = self.task.held_out()?;
        let pairs = self.preset.train.samples.min(held.n);
        let outputs = self.translate_held_out(0..pairs)?;
        let (
            SampleShape::Image { channels: sc, .. },
            SampleShape::Image {
                channels, height, ..
            },
        ) = (held.source_shape, self.shape)
        else {
            return None;
        };
        let (a, b) = (held.source_shape.numel(), self.shape.numel());
        let mut tiles = Vec::with_capacity(3 * pairs);
        for i in 0..pairs {
            tiles.push(imaging::to_rgba(
                &held.source[i * a..(i + 1) * a],
                sc,
                height,
            ));
            tiles.push(imaging::to_rgba(
                &outputs[i * b..(i + 1) * b],
                channels,
                height,
            ));
            tiles.push(imaging::to_rgba(
                &held.target[i * b..(i + 1) * b],
                channels,
                height,
            ));
        }
        let columns = 3 * PAIRS_PER_ROW.min(pairs);
        Some(SampleView::Grid {
            image: imaging::mosaic(&tiles, columns),
            columns,
            tiles: tiles.len(),
            meaning: Tiles::HeldOutPairs,
            captions: (0..columns).map(|i| CAPTIONS[i % 3].to_string()).collect(),
        })
    }

    /// The measurements of a translation task: similarity of G(A) to B on every held-out
    /// pair, the task score, and D's verdicts on real and translated pairs.
    pub(super) fn translation_diagnostics(&mut self) -> Option<Diagnostics> {
        let n = self.task.held_out()?.n;
        let outputs = self.translate_held_out(0..n)?;
        let SampleShape::Image { height, .. } = self.shape else {
            return None;
        };
        let labels = self.task.held_out()?.labels.clone();
        let task_score = self
            .class_coverage(&outputs, Some(&labels))
            .and_then(|c| c.as_asked);
        let held = self.task.held_out()?;
        let features = self.shape.numel();
        let target = &held.target[..n * features];
        let real_p = self.pair_probabilities(target);
        let fake_p = self.pair_probabilities(&outputs);
        let histogram = |p: Vec<f32>| metrics::histogram(&p, DIAGNOSTIC_BINS, 0.0, 1.0);
        Some(Diagnostics {
            step: self.step,
            modes: None,
            classes: None,
            diversity: Some([
                coverage::diversity(&outputs[..outputs.len().min(96 * features)], features),
                coverage::diversity(
                    &held.target[..(96 * features).min(held.target.len())],
                    features,
                ),
            ]),
            d_real_hist: histogram(real_p),
            d_fake_hist: histogram(fake_p),
            translation: Some(similarity::Translation {
                l1: similarity::l1(&outputs, target),
                psnr: similarity::psnr(&outputs, target, features),
                ssim: similarity::ssim(&outputs, target, height),
                task_score,
            }),
        })
    }

    /// D's mean probability "real" for each held-out pair with `judged` as its image (a
    /// patch discriminator's verdicts averaged), in batches of the training size.
    fn pair_probabilities(&self, judged: &[f32]) -> Vec<f32> {
        let Some(held) = self.task.held_out() else {
            return Vec::new();
        };
        let (a, b) = (held.source_shape.numel(), self.shape.numel());
        let sees_source = held.d_sees_source;
        let d = self.d().valid();
        let mut rng = self.rng(Stream::Judge);
        let std = self.preset.game.noise_at(self.step);
        let batch = self.preset.train.batch_size.max(1);
        let rows = judged.len() / b;
        let mut verdicts = Vec::with_capacity(rows);
        let mut start = 0;
        while start < rows {
            let end = (start + batch).min(rows);
            let n = end - start;
            let image = Tensor::<2>::from_data(
                TensorData::new(judged[start * b..end * b].to_vec(), [n, b]),
                &self.plain,
            );
            let input = if sees_source {
                let source = Tensor::from_data(
                    TensorData::new(held.source[start * a..end * a].to_vec(), [n, a]),
                    &self.plain,
                );
                Tensor::cat(vec![source, image], 1)
            } else {
                image
            };
            let input = game::with_noise(input, std, &mut rng);
            let p = sigmoid(d.judge(input, None))
                .mean_dim(1)
                .into_data()
                .to_f32s();
            verdicts.extend(p);
            start = end;
        }
        verdicts
    }
}
