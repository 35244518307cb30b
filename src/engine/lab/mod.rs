//! The GAN data-augmentation lab: does training a classifier on a GAN's samples help it
//! classify *real* images? Measured, with baselines and seeds, as DAGAN and later reports
//! do: the same small CNN ([`cnn`]), the same steps, several seeds, accuracy on a real
//! held-out test set the GAN never saw, for each arm at each k real images per class:
//!
//! - `real`: the k per class alone;
//! - `real+classical`: the same, each drawn image shifted (and mirrored where the classes
//!   allow);
//! - `real+gan`: the k per class plus ratio × as many GAN samples (ratios 0.1, 0.25, 0.5, 1);
//! - `gan`: GAN samples only, as many as the real arm's images (the classification accuracy
//!   score, CAS);
//! - `gan-test`: a classifier trained on plenty of real data scores the GAN's samples (high:
//!   they look like their class).
//!
//! The k real images come from [`crate::data::subset::per_class`] (nested across k); the
//! GAN samples from a conditional G (see `Snapshot::labelled`), passed in as a function of
//! how many per class.

pub mod cnn;
pub mod log;
pub mod setup;

pub use crate::protocol::ArmResult;
use crate::protocol::Job;
use burn::prelude::*;

/// Labelled images: `labels.len()` images of `channels` × `side`², values in [−1, 1],
/// channel-major, one after another.
#[derive(Clone, Debug, Default)]
pub struct LabelledSet {
    pub channels: usize,
    pub side: usize,
    pub classes: usize,
    pub pixels: Vec<f32>,
    pub labels: Vec<u32>,
}

impl LabelledSet {
    pub fn features(&self) -> usize {
        self.channels * self.side * self.side
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn image(&self, i: usize) -> &[f32] {
        let f = self.features();
        &self.pixels[i * f..(i + 1) * f]
    }

    /// The images at `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> LabelledSet {
        LabelledSet {
            pixels: indices
                .iter()
                .flat_map(|&i| self.image(i).to_vec())
                .collect(),
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
            ..self.empty()
        }
    }

    /// This set followed by `other` (same shape).
    pub fn joined(&self, other: &LabelledSet) -> LabelledSet {
        let mut joined = self.clone();
        joined.pixels.extend_from_slice(&other.pixels);
        joined.labels.extend_from_slice(&other.labels);
        joined
    }

    fn empty(&self) -> LabelledSet {
        LabelledSet {
            channels: self.channels,
            side: self.side,
            classes: self.classes,
            pixels: Vec::new(),
            labels: Vec::new(),
        }
    }
}

/// Counts of (true class, predicted class).
#[derive(Clone, Debug, PartialEq)]
pub struct Confusion {
    classes: usize,
    counts: Vec<u64>,
}

impl Confusion {
    pub fn new(classes: usize) -> Confusion {
        Confusion {
            classes,
            counts: vec![0; classes * classes],
        }
    }

    /// One image of class `truth` predicted as `guess` (out-of-range pairs are ignored).
    pub fn add(&mut self, truth: usize, guess: usize) {
        if truth < self.classes && guess < self.classes {
            self.counts[truth * self.classes + guess] += 1;
        }
    }

    /// Share of images predicted as their class.
    pub fn accuracy(&self) -> f32 {
        let total: u64 = self.counts.iter().sum();
        let right: u64 = (0..self.classes)
            .map(|c| self.counts[c * self.classes + c])
            .sum();
        if total == 0 {
            0.0
        } else {
            right as f32 / total as f32
        }
    }

    /// Per class, the share of its images predicted as it (NaN for a class with none).
    pub fn recall(&self) -> Vec<f32> {
        (0..self.classes)
            .map(|c| {
                let row = &self.counts[c * self.classes..(c + 1) * self.classes];
                row[c] as f32 / row.iter().sum::<u64>() as f32
            })
            .collect()
    }
}

/// An experiment's sizes.
#[derive(Clone, Debug)]
pub struct Plan {
    /// k values: real training images per class.
    pub per_class: Vec<usize>,
    pub seeds: usize,
    /// Synthetic-to-real ratios of the `real+gan` arms.
    pub ratios: Vec<f32>,
    /// Classifier training steps (every arm alike) and batch size.
    pub steps: usize,
    pub batch: usize,
    /// The classical arm's variation.
    pub classical: cnn::Classical,
    /// The seed the subsets and classifiers are keyed by.
    pub seed: u64,
    /// The real images to use at a given k instead of a cut of the pool: the very k per
    /// class a low-data GAN trained on (`[train] real_per_class`), so its arms compare like
    /// with like.
    pub given: Option<(usize, LabelledSet)>,
}

fn summary(arm: &str, per_class: usize, ratio: Option<f32>, runs: &[Confusion]) -> ArmResult {
    let accuracies: Vec<f32> = runs.iter().map(Confusion::accuracy).collect();
    let n = accuracies.len().max(1) as f32;
    let mean = accuracies.iter().sum::<f32>() / n;
    let std = if accuracies.len() > 1 {
        (accuracies.iter().map(|a| (a - mean).powi(2)).sum::<f32>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    let classes = runs.first().map_or(0, |c| c.classes);
    let recall = (0..classes)
        .map(|c| runs.iter().map(|r| r.recall()[c]).sum::<f32>() / n)
        .collect();
    ArmResult {
        arm: arm.into(),
        per_class,
        ratio,
        accuracy_mean: mean,
        accuracy_std: std,
        accuracies,
        recall,
    }
}

/// Runs `plan`: `pool` holds the real training images the subsets are cut from, `test` the
/// real held-out images every classifier is scored on, `synthetic(n)` makes n GAN samples of
/// every class. Each result is handed to `report` as soon as it is known; `job` hears of
/// progress and may cancel (the results so far are returned). An error names a class
/// without k images.
pub fn run(
    plan: &Plan,
    pool: &LabelledSet,
    test: &LabelledSet,
    synthetic: &mut dyn FnMut(usize) -> Result<LabelledSet, String>,
    job: &Job,
    report: &mut dyn FnMut(&ArmResult),
    device: &Device,
) -> Result<Vec<ArmResult>, String> {
    // real, real+classical, gan and one real+gan per ratio.
    let arms_per_k = 3 + plan.ratios.len();
    let total = plan.per_class.len() * arms_per_k * plan.seeds + plan.seeds;
    let mut done = 0;
    let mut results = Vec::new();
    let mut finish = |result: ArmResult, results: &mut Vec<ArmResult>| {
        report(&result);
        results.push(result);
    };
    let seeds: Vec<u64> = (0..plan.seeds as u64).map(|s| plan.seed + s).collect();
    // One classifier per seed trained on `set`, each scored on `scored`; `None` once
    // cancelled (an arm is reported whole or not at all).
    let mut measure = |set: &LabelledSet, scored: &LabelledSet, classical| {
        let mut runs = Vec::with_capacity(seeds.len());
        for &seed in &seeds {
            if job.cancelled() {
                return None;
            }
            done += 1;
            job.progress(done, total);
            let model = cnn::train(set, plan.steps, plan.batch, seed, classical, device);
            runs.push(cnn::confusion(&model, scored, device));
        }
        Some(runs)
    };
    // GAN-test: classifiers trained on the whole pool score the GAN's samples.
    let probe = synthetic(plan.per_class.iter().copied().max().unwrap_or(10).max(10))?;
    let Some(judged) = measure(pool, &probe, None) else {
        return Ok(results);
    };
    finish(summary("gan-test", 0, None, &judged), &mut results);
    for &k in &plan.per_class {
        let real = match &plan.given {
            Some((given, set)) if *given == k => set.clone(),
            _ => pool.select(&crate::data::subset::per_class(
                &pool.labels,
                pool.classes,
                k,
                plan.seed,
            )?),
        };
        let mut arms: Vec<(&str, Option<f32>, LabelledSet, Option<cnn::Classical>)> = vec![
            ("real", Some(0.0), real.clone(), None),
            (
                "real+classical",
                Some(0.0),
                real.clone(),
                Some(plan.classical),
            ),
        ];
        for &ratio in &plan.ratios {
            arms.push(("real+gan", Some(ratio), real.clone(), None));
        }
        arms.push(("gan", None, LabelledSet::default(), None));
        for (name, ratio, set, classical) in arms {
            if job.cancelled() {
                return Ok(results);
            }
            // GAN samples are made only when their arm is reached.
            let set = match (name, ratio) {
                ("real+gan", Some(ratio)) => {
                    let extra = ((k as f32 * ratio).round() as usize).max(1);
                    set.joined(&synthetic(extra)?)
                }
                ("gan", _) => synthetic(k)?,
                _ => set,
            };
            let Some(runs) = measure(&set, test, classical) else {
                return Ok(results);
            };
            finish(summary(name, k, ratio, &runs), &mut results);
        }
    }
    Ok(results)
}
