//! `ganscope augment`: the augmentation lab headless (see `engine::lab`). From a conditional
//! run folder: real images of its data set (a pool the k-per-class subsets are cut from, and
//! a held-out test set the GAN never saw: the set's own test split, or a separate draw of a
//! generated set), GAN samples from its generator, and every arm at every k over the seeds.
//! One JSON line per arm and k (`arm`, `per_class`, `ratio`, `accuracy_mean`,
//! `accuracy_std`, plus each seed's accuracy and the per-class recall) as each finishes;
//! Ctrl+C stops after the classifier under way, keeping the lines printed.

use crate::data::SampleShape;
use crate::engine::lab::{self, LabelledSet, Plan, cnn::Classical};
use crate::engine::snapshot::Snapshot;
use crate::preset::DatasetSpec;
use crate::protocol::{DeviceChoice, Job};
use std::path::Path;

/// Test images every classifier is scored on.
const TEST_IMAGES: usize = 2000;
/// Classifier steps and batch, every arm alike.
const STEPS: usize = 400;
const BATCH: usize = 64;
/// The `real+gan` arms' synthetic-to-real ratios.
pub const RATIOS: [f32; 4] = [0.1, 0.25, 0.5, 1.0];
/// Key of the test draw of a generated set (apart from training's and the pool's).
const TEST_KEY: u64 = 0x07E5_7A06;
const POOL_KEY: u64 = 0x9001;

pub struct Request<'a> {
    pub checkpoint: &'a Path,
    pub per_class: Vec<usize>,
    pub seeds: usize,
    pub steps: Option<usize>,
    pub device: DeviceChoice,
}

/// A host batch as a labelled set.
fn labelled(
    batch: crate::data::HostBatch,
    channels: usize,
    side: usize,
    classes: usize,
) -> LabelledSet {
    LabelledSet {
        channels,
        side,
        classes,
        pixels: batch.x,
        labels: batch.labels.unwrap_or_default(),
    }
}

/// A decoded file set as a labelled set (bytes back to [−1, 1]).
fn from_set(set: &crate::data::files::ImageSet, classes: usize) -> LabelledSet {
    LabelledSet {
        channels: set.channels,
        side: set.side,
        classes,
        pixels: set
            .pixels
            .iter()
            .map(|&b| f32::from(b) / 127.5 - 1.0)
            .collect(),
        labels: set.labels.clone().unwrap_or_default(),
    }
}

pub fn run(request: &Request) -> anyhow::Result<()> {
    let (snapshot, preset) = Snapshot::load(request.checkpoint, request.device)?;
    let Some(classes) = snapshot.classes() else {
        anyhow::bail!(
            "'{}' is not conditional: the lab needs a G that is told the class",
            preset.name
        );
    };
    let SampleShape::Image {
        channels,
        height: side,
        ..
    } = snapshot.shape()
    else {
        anyhow::bail!("'{}' makes 2-D points, not images", preset.name);
    };
    let most = request.per_class.iter().copied().max().unwrap_or(1);
    let (pool, test) = match &preset.dataset {
        // A file set: its training images, each once, and its own held-out images.
        DatasetSpec::Files {
            path,
            size,
            channels: c,
            ..
        } => {
            let set = crate::data::files::load(Path::new(path), *size, *c)?;
            let test = set.held_out.as_deref().ok_or_else(|| {
                anyhow::anyhow!("{path} has no held-out images to test the classifiers on")
            })?;
            (from_set(&set, classes), from_set(test, classes))
        }
        // A generated set: a large draw, and a test draw from a stream of its own.
        spec => {
            let pool = crate::data::open(spec, preset.train.seed ^ POOL_KEY)?
                .batch((most * classes * 3).max(1000));
            let test = crate::data::open(spec, preset.train.seed ^ TEST_KEY)?.batch(TEST_IMAGES);
            (
                labelled(pool, channels, side, classes),
                labelled(test, channels, side, classes),
            )
        }
    };
    let plan = Plan {
        per_class: request.per_class.clone(),
        seeds: request.seeds,
        ratios: RATIOS.to_vec(),
        steps: request.steps.unwrap_or(STEPS),
        batch: BATCH,
        // Shifts of 1/16 of the side; mirroring only for photographs of things (clothing),
        // never for digits.
        classical: Classical {
            shift: (side / 16).max(1),
            flip: matches!(preset.dataset, DatasetSpec::Files { .. }),
        },
        seed: preset.train.seed,
        given: match preset.train.real_per_class {
            // The GAN's own k per class, cut exactly as its trainer cut them.
            Some(k) => {
                let data = crate::data::open(&preset.dataset, preset.train.seed)?;
                let kept = crate::data::subset::Subset::cut(data, classes, k, preset.train.seed)
                    .map_err(|e| anyhow::anyhow!("preset '{}': {e}", preset.name))?;
                let (pixels, labels) = kept.examples();
                Some((
                    k,
                    LabelledSet {
                        channels,
                        side,
                        classes,
                        pixels: pixels.to_vec(),
                        labels: labels.to_vec(),
                    },
                ))
            }
            None => None,
        },
    };
    let job = Job::new("augmentation experiment");
    let watcher = super::train::cancel_on_interrupt(&job)?;
    let mut synthetic = |n: usize| -> Result<LabelledSet, String> {
        let (pixels, labels) = snapshot
            .labelled(n, 1.0, |_, _| true)?
            .ok_or_else(|| "cancelled".to_string())?;
        Ok(LabelledSet {
            channels,
            side,
            classes,
            pixels: pixels
                .into_iter()
                .map(|b| f32::from(b) / 127.5 - 1.0)
                .collect(),
            labels,
        })
    };
    let device = crate::engine::device::open(request.device, false).device;
    let outcome = lab::run(
        &plan,
        &pool,
        &test,
        &mut synthetic,
        &job,
        &mut |result| println!("{}", serde_json::to_string(result).unwrap_or_default()),
        &device,
    );
    job.finish();
    let _ = watcher.join();
    outcome.map_err(|e| anyhow::anyhow!("preset '{}': {e}", preset.name))?;
    Ok(())
}
