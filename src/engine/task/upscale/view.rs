//! What an upscaling run shows and measures: rows of LR (shown at full size, each pixel
//! repeated) | bicubic | SR | original on its first held-out crops; PSNR, SSIM and
//! sharpness of SR and of bicubic against the originals on all of them
//! ([`crate::metrics::upscaling`]), and D's verdicts on originals and on SR.

use super::Upscale;
use crate::data::resample;
use crate::engine::ReadBack;
use crate::engine::task::{self, Scene};
use crate::imaging;
use crate::metrics::{self, upscaling};
use crate::protocol::{DIAGNOSTIC_BINS, Diagnostics, SampleView, Tiles};
use burn::prelude::*;

/// Crops G upscales at once.
const CHUNK: usize = 32;
/// Captions of one crop's tiles.
pub const CAPTIONS: [&str; 4] = ["low resolution", "bicubic", "SR (G)", "original"];

impl Upscale {
    /// G's upscalings of held-out crops `range`, flattened [n, features].
    pub(super) fn upscale_held_out(
        &self,
        scene: &Scene,
        range: std::ops::Range<usize>,
    ) -> Vec<f32> {
        let held = &self.held_out;
        let low = self.channels * self.low_side() * self.low_side();
        let mut out = Vec::with_capacity(range.len() * scene.shape.numel());
        let mut start = range.start;
        while start < range.end.min(held.n) {
            let end = (start + CHUNK).min(range.end).min(held.n);
            let rows = held.low[start * low..end * low].to_vec();
            let x = Tensor::from_data(TensorData::new(rows, [end - start, low]), scene.plain);
            out.extend(scene.g.sample(x, None).read_f32s());
            start = end;
        }
        out
    }

    /// The sample view: `samples` held-out crops, one to a row.
    pub(super) fn view(&self, scene: &Scene) -> SampleView {
        let held = &self.held_out;
        let crops = scene.preset.train.samples.min(held.n);
        let sr = self.upscale_held_out(scene, 0..crops);
        let (c, side, small) = (self.channels, self.side, self.low_side());
        let (hr, lr) = (c * side * side, c * small * small);
        let mut tiles = Vec::with_capacity(4 * crops);
        for i in 0..crops {
            let shown = resample::nearest(&held.low[i * lr..(i + 1) * lr], small, self.scale);
            tiles.push(imaging::to_rgba(&shown, c, side));
            for images in [&held.bicubic, &sr, &held.original] {
                tiles.push(imaging::to_rgba(&images[i * hr..(i + 1) * hr], c, side));
            }
        }
        SampleView::Grid {
            image: imaging::mosaic(&tiles, 4),
            columns: 4,
            tiles: tiles.len(),
            meaning: Tiles::Upscaled,
            captions: CAPTIONS.iter().map(|c| c.to_string()).collect(),
        }
    }

    /// The scores on every held-out crop, and D's verdicts on originals and on SR.
    pub(super) fn measure(&mut self, scene: &Scene) -> Diagnostics {
        let held = &self.held_out;
        let sr = self.upscale_held_out(scene, 0..held.n);
        let scores = upscaling::score(
            &sr,
            &held.bicubic,
            &held.original,
            self.channels,
            (self.side, self.side),
            self.scale,
        );
        let histogram = |p: Vec<f32>| metrics::histogram(&p, DIAGNOSTIC_BINS, 0.0, 1.0);
        Diagnostics {
            step: scene.step,
            modes: None,
            classes: None,
            diversity: None,
            frechet: None,
            d_real_hist: histogram(self.probabilities(scene, &held.original)),
            d_fake_hist: histogram(self.probabilities(scene, &sr)),
            translation: None,
            super_resolution: Some(scores),
            attention: None,
        }
    }

    /// D's mean probability "real" for each image of `judged`.
    fn probabilities(&self, scene: &Scene, judged: &[f32]) -> Vec<f32> {
        task::verdicts(scene, judged, scene.shape.numel(), None)
    }
}
