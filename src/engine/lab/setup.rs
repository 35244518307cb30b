//! An experiment set up from a conditional run: its real images (a pool the k-per-class
//! subsets are cut from, and a held-out test set the GAN never saw: a file set's own test
//! split, or a draw of a generated set from a stream of its own), the images a low-data GAN
//! trained on, the plan's fixed sizes, and GAN samples from its snapshot — shared by
//! `ganscope augment` and any front end that runs the lab.

use super::cnn::Classical;
use super::{LabelledSet, Plan};
use crate::data::SampleShape;
use crate::data::files::ImageSet;
use crate::engine::snapshot::Snapshot;
use crate::preset::{DatasetSpec, Preset};
use std::path::Path;

/// Test images of a generated set every classifier is scored on.
const TEST_IMAGES: usize = 2000;
/// Classifier steps (default) and batch, every arm alike.
pub use crate::protocol::lab::STEPS;
const BATCH: usize = 64;
/// The `real+gan` arms' synthetic-to-real ratios.
pub const RATIOS: [f32; 4] = [0.1, 0.25, 0.5, 1.0];
/// Keys of the pool's and the test's draws of a generated set (apart from training's).
const POOL_KEY: u64 = 0x9001;
const TEST_KEY: u64 = 0x07E5_7A06;

/// What an experiment on a run needs besides its G.
pub struct Setup {
    pub plan: Plan,
    pub pool: LabelledSet,
    pub test: LabelledSet,
    pub channels: usize,
    pub side: usize,
    pub classes: usize,
}

fn values(bytes: &[u8]) -> Vec<f32> {
    bytes.iter().map(|&b| f32::from(b) / 127.5 - 1.0).collect()
}

/// A decoded file set as a labelled set (bytes back to [−1, 1]).
fn from_set(set: &ImageSet, classes: usize) -> LabelledSet {
    LabelledSet {
        channels: set.channels,
        side: set.side,
        classes,
        pixels: values(&set.pixels),
        labels: set.labels.clone().unwrap_or_default(),
    }
}

/// The experiment for `preset`'s run whose G is `snapshot`: k in `per_class`, `seeds`
/// classifier seeds, `steps` per classifier. An error says why the run cannot take it.
pub fn setup(
    preset: &Preset,
    snapshot: &Snapshot,
    per_class: Vec<usize>,
    seeds: usize,
    steps: usize,
) -> Result<Setup, String> {
    let Some(classes) = snapshot.classes() else {
        return Err(format!(
            "'{}' is not conditional: the lab needs a G that is told the class",
            preset.name
        ));
    };
    let SampleShape::Image {
        channels,
        height: side,
        ..
    } = snapshot.shape()
    else {
        return Err(format!("'{}' makes 2-D points, not images", preset.name));
    };
    let labelled = |batch: crate::data::HostBatch| LabelledSet {
        channels,
        side,
        classes,
        pixels: batch.x,
        labels: batch.labels.unwrap_or_default(),
    };
    let most = per_class.iter().copied().max().unwrap_or(1);
    let seed = preset.train.seed;
    let (pool, test) = match &preset.dataset {
        // A file set: its training images, each once, and its own held-out images.
        DatasetSpec::Files {
            path,
            size,
            channels: c,
            ..
        } => {
            let set =
                crate::data::files::load(Path::new(path), *size, *c).map_err(|e| e.to_string())?;
            let test = set.held_out.as_deref().ok_or_else(|| {
                format!("{path} has no held-out images to test the classifiers on")
            })?;
            (from_set(&set, classes), from_set(test, classes))
        }
        // A generated set: a large draw, and a test draw from a stream of its own.
        spec => {
            let open = |key| crate::data::open(spec, seed ^ key).map_err(|e| e.to_string());
            (
                labelled(open(POOL_KEY)?.batch((most * classes * 3).max(1000))),
                labelled(open(TEST_KEY)?.batch(TEST_IMAGES)),
            )
        }
    };
    // The GAN's own k per class, cut exactly as its trainer cut them.
    let given = match preset.train.real_per_class {
        Some(k) => {
            let data = crate::data::open(&preset.dataset, seed).map_err(|e| e.to_string())?;
            let kept = crate::data::subset::Subset::cut(data, classes, k, seed)?;
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
    };
    let plan = Plan {
        per_class,
        seeds,
        ratios: RATIOS.to_vec(),
        steps,
        batch: BATCH,
        // Shifts of 1/16 of the side; mirroring only for photographs of things (clothing),
        // never for digits.
        classical: Classical {
            shift: (side / 16).max(1),
            flip: matches!(preset.dataset, DatasetSpec::Files { .. }),
        },
        seed,
        given,
    };
    Ok(Setup {
        plan,
        pool,
        test,
        channels,
        side,
        classes,
    })
}

/// `n` GAN samples of every class from `snapshot` as a labelled set (ψ = 1).
pub fn synthetic(snapshot: &Snapshot, setup: &Setup, n: usize) -> Result<LabelledSet, String> {
    let (pixels, labels) = snapshot
        .labelled(n, 1.0, |_, _| true)?
        .ok_or_else(|| "cancelled".to_string())?;
    Ok(LabelledSet {
        channels: setup.channels,
        side: setup.side,
        classes: setup.classes,
        pixels: values(&pixels),
        labels,
    })
}
