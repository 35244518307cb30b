//! The attention view of a ViT discriminator (see [`Attention`]): where D's class token
//! looks in the first fixed-latent samples and in a few real images, per head, and the mean
//! entropy of that attention over the measurement's generated samples.

use super::Generate;
use crate::engine::ReadBack;
use crate::engine::task::Scene;
use crate::imaging;
use crate::protocol::{AttendedSample, Attention};
use burn::prelude::*;

/// Fixed-latent samples and real images shown.
const SHOWN_FAKE: usize = 6;
const SHOWN_REAL: usize = 2;

impl Generate {
    /// The attention view for D at this step, `None` when D has no attention. `fake` and
    /// `real` are the measurement's samples (flattened [n, features]).
    pub(super) fn attention(&self, scene: &Scene, fake: &[f32], real: &[f32]) -> Option<Attention> {
        let (channels, height) = self.image()?;
        let features = self.shape.numel();
        let d = scene.d.valid();
        let rows = |values: &[f32]| {
            let n = values.len() / features;
            Tensor::<2>::from_data(TensorData::new(values.to_vec(), [n, features]), scene.plain)
        };
        // Entropy over the generated samples, in batches of the training size.
        let batch = scene.preset.train.batch_size.max(1) * features;
        let mut sums: Vec<f64> = Vec::new();
        let mut count = 0usize;
        let mut grid = 0;
        let mut tokens = 0;
        for chunk in fake.chunks(batch) {
            let (weights, side) = d.class_attention(rows(chunk))?;
            let [n, heads, t] = weights.dims();
            (grid, tokens) = (side, t);
            let entropy = weights
                .clone()
                .clamp_min(1e-12)
                .log()
                .mul(weights)
                .sum_dim(2)
                .neg()
                .reshape([n, heads])
                .sum_dim(0)
                .read_f32s();
            sums.resize(heads, 0.0);
            for (s, e) in sums.iter_mut().zip(entropy) {
                *s += f64::from(e);
            }
            count += n;
        }
        let entropy = sums
            .iter()
            .map(|s| (s / count.max(1) as f64) as f32)
            .collect();
        // The maps: the first fixed latents' samples, then real images.
        let shown = SHOWN_FAKE.min(scene.preset.train.samples);
        let mut images = self.fixed_samples(scene, shown);
        let real_shown = SHOWN_REAL.min(real.len() / features);
        images.extend_from_slice(&real[..real_shown * features]);
        let n = shown + real_shown;
        let (weights, _) = d.class_attention(rows(&images))?;
        let [_, heads, t] = weights.dims();
        let values = weights.read_f32s();
        let samples = (0..n)
            .map(|i| {
                let per_head = |h: usize| &values[(i * heads + h) * t..(i * heads + h + 1) * t];
                AttendedSample {
                    label: if i < shown {
                        format!("sample {i}")
                    } else {
                        format!("real {}", i - shown)
                    },
                    image: imaging::to_rgba(
                        &images[i * features..(i + 1) * features],
                        channels,
                        height,
                    ),
                    heads: (0..heads).map(|h| per_head(h)[1..].to_vec()).collect(),
                    to_class: (0..heads).map(|h| per_head(h)[0]).collect(),
                }
            })
            .collect();
        Some(Attention {
            entropy,
            uniform_entropy: (tokens.max(1) as f32).ln(),
            grid,
            samples,
        })
    }
}
