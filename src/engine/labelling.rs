//! Labels for an unconditional G's samples: the data set's reference classifier (see
//! [`super::classifier`]) reads each sample, and a sample is kept, under the class it is
//! read as, only when the classifier is at least `min_confidence` sure — until every class
//! has its count. A G that rarely draws a class (mode collapse) runs out of draws, and the
//! error says which classes fell short.
//!
//! The labels are only as good as the classifier (an MLP, ≈ 97 % on the digits and ≈ 88 % on
//! Fashion-MNIST's held-out images) and it has seen every labelled training image: that is
//! why the augmentation lab measures conditional Gs only, and this serves the synthetic-set
//! export.

use super::classifier::{self, Classifier};
use super::snapshot::{Labelled, Snapshot};
use crate::data::SampleShape;
use crate::imaging;
use crate::latent;
use crate::preset::{DatasetSpec, Preset};
use burn::prelude::*;

/// Latents of the labelled draws (apart from a conditional G's per-class streams).
const DRAW_SEEDS: u64 = 5 << 40;
/// Samples drawn per batch.
const BATCH: usize = 256;
/// Draws allowed per image asked for, before giving up on the classes still short.
const DRAWS_PER_IMAGE: usize = 20;
/// The default confidence threshold.
pub const MIN_CONFIDENCE: f32 = 0.9;

/// The reference classifier of a preset's data set and the confidence it must reach.
pub struct Labeller {
    classifier: Classifier,
    min_confidence: f32,
}

impl Labeller {
    /// The labeller of `preset`'s data set (its reference classifier, loaded from the cache
    /// or trained now: this can take a minute the first time); an error says why there is
    /// none.
    pub fn for_preset(
        preset: &Preset,
        min_confidence: f32,
        device: &Device,
    ) -> Result<Labeller, String> {
        if !(0.0..=1.0).contains(&min_confidence) {
            return Err(format!(
                "a confidence threshold is between 0 and 1, not {min_confidence}"
            ));
        }
        let dir = classifier::cache_dir();
        let classifier = match &preset.dataset {
            DatasetSpec::Digits { size } | DatasetSpec::DigitSkeletons { size } => {
                classifier::load_or_train(*size, &dir, device).0
            }
            DatasetSpec::Files {
                path,
                size,
                channels,
                ..
            } => {
                let set = crate::data::files::load(std::path::Path::new(path), *size, *channels)
                    .map_err(|e| e.to_string())?;
                classifier::load_or_train_set(&set, &dir, device)
                    .ok_or_else(|| format!("{path} has no labels: its samples cannot be labelled"))?
                    .0
            }
            _ => {
                return Err(format!(
                    "the data of preset '{}' has no reference classifier to label G's samples \
                     with",
                    preset.name
                ));
            }
        };
        Ok(Labeller {
            classifier,
            min_confidence,
        })
    }

    pub fn classes(&self) -> usize {
        self.classifier.classes()
    }

    /// `per_class` samples of every class from `snapshot`'s unconditional G, latents
    /// truncated by `psi`, each read as its class with at least the threshold's confidence;
    /// grouped class by class, as `Snapshot::labelled` gives them. `keep_going(done, total)`
    /// hears of progress; false stops (`Ok(None)`). `names` name the classes in an error.
    pub fn labelled(
        &self,
        snapshot: &Snapshot,
        per_class: usize,
        psi: f32,
        names: &[String],
        keep_going: impl FnMut(usize, usize) -> bool,
    ) -> Result<Option<Labelled>, String> {
        let SampleShape::Image { .. } = snapshot.shape() else {
            return Err("a labelled set is made of images, and this G makes 2-D points".into());
        };
        let features = snapshot.shape().numel();
        let dim = snapshot.latent_dim();
        let zero = vec![0.0; dim];
        let draw = |drawn: usize| {
            let latents: Vec<f32> = latent::from_seeds(DRAW_SEEDS + drawn as u64, BATCH, dim)
                .chunks(dim)
                .flat_map(|z| latent::truncate(z, &zero, psi))
                .collect();
            let images = snapshot.outputs(&latents, None);
            let probabilities = self
                .classifier
                .probabilities(&images, features, snapshot.device());
            (images, probabilities)
        };
        let selection = Selection {
            per_class,
            classes: self.classes(),
            features,
            min_confidence: self.min_confidence,
        };
        selection.run(draw, names, keep_going)
    }
}

/// How samples are kept: `per_class` of each of `classes`, images of `features` values, read
/// with at least `min_confidence`.
#[derive(Clone, Copy, Debug)]
pub struct Selection {
    pub per_class: usize,
    pub classes: usize,
    pub features: usize,
    pub min_confidence: f32,
}

impl Selection {
    /// Keeps samples from `draw(drawn so far)` (a batch of images, values in [−1, 1], and
    /// their class probabilities) until every class has its count, class by class in the
    /// result; an error once the draws allowed run out, naming (by `names`) the classes
    /// short. `keep_going` as for [`Labeller::labelled`].
    pub fn run(
        &self,
        mut draw: impl FnMut(usize) -> (Vec<f32>, Vec<f32>),
        names: &[String],
        mut keep_going: impl FnMut(usize, usize) -> bool,
    ) -> Result<Option<Labelled>, String> {
        let Selection {
            per_class,
            classes,
            features,
            min_confidence,
        } = *self;
        let total = classes * per_class;
        let mut kept: Vec<Vec<u8>> = vec![Vec::new(); classes];
        let mut counts = vec![0; classes];
        let budget = (DRAWS_PER_IMAGE * total).max(4 * BATCH);
        let mut drawn = 0;
        while counts.iter().any(|&c| c < per_class) {
            if drawn >= budget {
                return Err(self.shortage(&counts, drawn, names));
            }
            let (images, probabilities) = draw(drawn);
            let n = images.len() / features.max(1);
            if n == 0 {
                return Err(self.shortage(&counts, drawn, names));
            }
            drawn += n;
            for (image, p) in images.chunks(features).zip(probabilities.chunks(classes)) {
                let (class, confidence) = p
                    .iter()
                    .copied()
                    .enumerate()
                    .max_by(|a, b| a.1.total_cmp(&b.1))
                    .unwrap_or((0, 0.0));
                if confidence >= min_confidence && counts[class] < per_class {
                    counts[class] += 1;
                    kept[class].extend(image.iter().map(|&v| imaging::to_byte(v)));
                }
            }
            if !keep_going(counts.iter().sum(), total) {
                return Ok(None);
            }
        }
        let labels = (0..classes)
            .flat_map(|c| std::iter::repeat_n(c as u32, per_class))
            .collect();
        Ok(Some((kept.concat(), labels)))
    }

    fn shortage(&self, counts: &[usize], drawn: usize, names: &[String]) -> String {
        let per_class = self.per_class;
        let short: Vec<String> = counts
            .iter()
            .enumerate()
            .filter(|(_, n)| **n < per_class)
            .map(|(c, n)| {
                let name = names.get(c).cloned().unwrap_or_else(|| c.to_string());
                format!("'{name}' {n} of {per_class}")
            })
            .collect();
        format!(
            "after {drawn} samples, too few were read with confidence ≥ {} as {}: lower the \
             confidence threshold or ask fewer per class (a G that rarely draws a class may \
             have collapsed)",
            self.min_confidence,
            short.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Batches of 1-pixel images whose value says the class read, with the confidence the
    /// cycle gives: class i % 3, confidence 0.95 on even i, 0.5 on odd.
    fn draw(drawn: usize) -> (Vec<f32>, Vec<f32>) {
        let mut images = Vec::new();
        let mut probabilities = Vec::new();
        for i in drawn..drawn + 8 {
            let class = i % 3;
            let sure = if i % 2 == 0 { 0.95 } else { 0.5 };
            images.push(class as f32 / 2.0 - 0.5);
            let mut p = vec![(1.0 - sure) / 2.0; 3];
            p[class] = sure;
            probabilities.extend(p);
        }
        (images, probabilities)
    }

    fn selection(per_class: usize, min_confidence: f32) -> Selection {
        Selection {
            per_class,
            classes: 3,
            features: 1,
            min_confidence,
        }
    }

    #[test]
    fn every_class_gets_its_count_of_confident_samples_class_by_class() {
        let names: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let (pixels, labels) = selection(4, 0.9)
            .run(draw, &names, |_, _| true)
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_default();
        assert_eq!(labels, [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
        // Each kept image is of the class it is filed under.
        let expected: Vec<u8> = labels
            .iter()
            .map(|&c| imaging::to_byte(c as f32 / 2.0 - 0.5))
            .collect();
        assert_eq!(pixels, expected);
    }

    #[test]
    fn a_threshold_no_sample_reaches_ends_in_an_error_naming_the_classes_short() {
        let names: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let error = selection(2, 0.99)
            .run(draw, &names, |_, _| true)
            .err()
            .unwrap_or_default();
        assert!(error.contains("'a' 0 of 2"), "{error}");
        assert!(error.contains("'c' 0 of 2"), "{error}");
        assert!(error.contains("confidence ≥ 0.99"), "{error}");
        // A stop is no error, and keeps nothing.
        let stopped = selection(2, 0.9).run(draw, &names, |_, _| false);
        assert_eq!(stopped, Ok(None));
    }
}
