//! SRGAN's game (Ledig et al. 2017): G upscales a low-resolution image to its original size,
//! D judges full-size images (originals against G's), and G's loss is the pixel MSE (content
//! loss) plus, after a warm-up, 0.001 × the adversarial loss (the paper's 10^-3).
//!
//! The low-resolution inputs are made here from any image set, by bicubic shrinking
//! (`data::resample`: Keys a = −0.5, antialiased, as MATLAB's `imresize` made the SR
//! benchmarks), so every image set is an SR set. The warm-up trains SRResNet (MSE only); the
//! step it ends is a run event and a marker on the plots, and from it the adversarial term
//! joins (SRGAN starts from the MSE-trained network, as in the paper). With
//! `adversarial = false` the run stays SRResNet: the baseline.
//!
//! Held-out crops, drawn once from their own seed (or the file set's own held-out split),
//! feed the sample view (LR | bicubic | SR | original rows) and the measurements.

mod view;

use super::{Round, Scene, Task, Term};
use crate::data::{DataSource, SampleShape, resample};
use crate::models::{Discriminator, Generator};
use crate::preset::{Content, Preset, TaskSpec};
use crate::protocol::{Diagnostics, SampleView};
use burn::prelude::*;
use rand::rngs::StdRng;

/// Keys the held-out crops apart from the training stream.
const HELD_OUT_KEY: u64 = 0x5245_0000_0000_0000;
/// Held-out crops measured every `metrics_every` steps.
pub const HELD_OUT_CROPS: usize = 64;

/// Fixed crops training never sees: originals, their low-resolution versions, and the
/// bicubic upscaling of those (the baseline, computed once).
pub struct HeldOutCrops {
    pub n: usize,
    pub original: Vec<f32>,
    pub low: Vec<f32>,
    pub bicubic: Vec<f32>,
}

pub struct Upscale {
    /// The preset's task settings: the scale and the adversarial term's schedule
    /// ([`TaskSpec::adversarial_weight`]).
    spec: TaskSpec,
    scale: usize,
    channels: usize,
    /// Side of the originals.
    side: usize,
    held_out: HeldOutCrops,
}

impl Upscale {
    pub fn new(preset: &Preset, data: &dyn DataSource) -> Result<Upscale, String> {
        let TaskSpec::Upscale { scale, .. } = preset.task else {
            return Err("not an upscale preset".into());
        };
        let SampleShape::Image {
            channels, height, ..
        } = data.shape()
        else {
            return Err("the upscale task needs an image data set".into());
        };
        let batch = super::held_out_batch(preset, data, HELD_OUT_CROPS, HELD_OUT_KEY)?;
        let low = resample::downscale(&batch.x, channels, height, scale);
        let bicubic = resample::upscale(&low, channels, height / scale, scale);
        Ok(Upscale {
            spec: preset.task.clone(),
            scale,
            channels,
            side: height,
            held_out: HeldOutCrops {
                n: batch.n,
                original: batch.x,
                low,
                bicubic,
            },
        })
    }

    /// Side of the low-resolution images.
    fn low_side(&self) -> usize {
        self.side / self.scale
    }
}

/// The mean squared difference of G's features `fake` and the originals' `real`, over the
/// originals' mean square (a constant of the step): D's features change scale as D trains
/// and start tiny (its weights are initialised with std 0.02), so the plain difference would
/// leave G's update all but nothing; relative to the features' own size it weighs like the
/// pixel MSE it replaces.
fn relative_error(fake: Tensor<2>, real: Tensor<2>) -> Tensor<1> {
    let size = (real.clone() * real.clone()).mean().add_scalar(1e-12);
    let error = fake - real;
    (error.clone() * error).mean() / size
}

impl Task for Upscale {
    fn round(
        &self,
        data: &mut dyn DataSource,
        _resident: Option<&crate::engine::resident::Resident>,
        n: usize,
        _noise: &mut StdRng,
        device: &Device,
    ) -> Round {
        let batch = data.batch(n);
        let low = resample::downscale(&batch.x, self.channels, self.side, self.scale);
        let (hr, lr) = (
            self.channels * self.side * self.side,
            self.channels * self.low_side() * self.low_side(),
        );
        Round {
            g_input: Tensor::from_data(TensorData::new(low, [n, lr]), device),
            labels: None,
            real: Tensor::from_data(TensorData::new(batch.x, [n, hr]), device),
            beside: None,
        }
    }

    fn adversarial_weight(&self, step: u64) -> f32 {
        self.spec.adversarial_weight(step)
    }

    /// Phase two begins at the first step whose adversarial weight is above zero, after one
    /// at zero (never when there is no warm-up, or with `adversarial = false`).
    fn phase_change(&self, steps_done: u64) -> Option<String> {
        let weight = self.spec.adversarial_weight(steps_done);
        let began =
            steps_done > 0 && weight > 0.0 && self.spec.adversarial_weight(steps_done - 1) == 0.0;
        began.then(|| {
            format!(
                "phase two: the adversarial term joins G's loss ({weight} × GAN loss + MSE); \
                 SRResNet until here"
            )
        })
    }

    fn g_terms(
        &self,
        step: u64,
        _g: &Generator,
        judge: &Discriminator,
        fake: &Tensor<2>,
        round: &Round,
        _noise: &mut StdRng,
    ) -> Vec<Term> {
        // Phase one is SRResNet's, on pixel MSE whatever the content loss (SRGAN starts from
        // the MSE-trained network); the feature loss replaces MSE when the adversarial term
        // joins.
        let content = match self.spec {
            TaskSpec::Upscale { content, .. } if self.spec.adversarial_weight(step) > 0.0 => {
                content
            }
            _ => Content::Mse,
        };
        let value = match content {
            Content::Mse => None,
            Content::Features => judge
                .features(fake.clone())
                .zip(judge.features(round.real.clone().detach())),
        }
        .map_or_else(
            || {
                let error = fake.clone() - round.real.clone();
                (error.clone() * error).mean()
            },
            |(fake, real)| relative_error(fake, real),
        );
        vec![Term {
            name: content.term(),
            value,
            weight: 1.0,
        }]
    }

    fn samples(&self, scene: &Scene) -> SampleView {
        self.view(scene)
    }

    /// G's upscalings of the first `n` held-out crops.
    fn generate(&self, scene: &Scene, n: usize) -> Vec<f32> {
        self.upscale_held_out(scene, 0..n.min(self.held_out.n))
    }

    fn diagnostics(&mut self, scene: &Scene, _data: &mut dyn DataSource) -> Diagnostics {
        self.measure(scene)
    }
}
