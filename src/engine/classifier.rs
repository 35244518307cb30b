//! The reference classifiers that measure class coverage (and, through their penultimate
//! features, a Fréchet distance) of generated images: one for the procedural digits of each
//! size, and one per labelled file data set.
//!
//! A small MLP (pixels → 256 → 128 → classes, ReLU) trained once and cached on disk (`$GANSCOPE_CACHE`, else `$XDG_CACHE_HOME/ganscope`, else
//! `~/.cache/ganscope`). The cache file is named after a fingerprint of the data set itself (a
//! hash of a few rendered digits), so a change to the digit renderer retrains it. Files are
//! written to a temporary name and renamed, so a crash never leaves a half-written cache.
//! Training runs on a helper thread; until it is ready, diagnostics carry no class coverage.

use crate::data::DataSource;
use crate::data::digits::{CLASSES, Digits};
use crate::data::files::{FileData, ImageSet};
use crate::engine::HostValues;
use burn::nn::{Linear, LinearConfig};
use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use burn::tensor::activation::{relu, softmax};
use crossbeam_channel::Receiver;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Training schedule (measured to reach ≥ 95 % held-out accuracy; see the tests).
const STEPS: usize = 1500;
const BATCH: usize = 128;
const LEARNING_RATE: f64 = 1e-3;
/// Seeds of the training and the held-out streams.
const TRAIN_SEED: u64 = 0xC1A55;
pub const HELD_OUT_SEED: u64 = 0x7E57;

/// Width of the penultimate features (the Fréchet distance's space).
pub const FEATURES: usize = 128;

#[derive(Module, Debug)]
pub struct Classifier {
    layers: Vec<Linear>,
    classes: usize,
}

impl Classifier {
    fn new(pixels: usize, classes: usize, device: &Device) -> Classifier {
        let widths = [pixels, 256, FEATURES, classes];
        Classifier {
            layers: widths
                .windows(2)
                .map(|w| LinearConfig::new(w[0], w[1]).init(device))
                .collect(),
            classes,
        }
    }

    pub fn classes(&self) -> usize {
        self.classes
    }

    /// The penultimate features [n, FEATURES] of flattened images, flattened.
    pub fn features(&self, images: &[f32], pixels: usize, device: &Device) -> Vec<f32> {
        let n = images.len() / pixels.max(1);
        let x = Tensor::<2>::from_data(TensorData::new(images.to_vec(), [n, pixels]), device);
        let last = self.layers.len() - 1;
        self.layers[..last]
            .iter()
            .fold(x, |h, layer| relu(layer.forward(h)))
            .into_data()
            .to_f32s()
    }

    /// Images [n, pixels] (values in [-1, 1]) → logits [n, classes].
    fn logits(&self, x: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        self.layers.iter().enumerate().fold(x, |h, (i, layer)| {
            let h = layer.forward(h);
            if i < last { relu(h) } else { h }
        })
    }

    /// Class probabilities [n, classes], flattened, for flattened images.
    pub fn probabilities(&self, images: &[f32], pixels: usize, device: &Device) -> Vec<f32> {
        let n = images.len() / pixels;
        let x = Tensor::from_data(TensorData::new(images.to_vec(), [n, pixels]), device);
        softmax(self.logits(x), 1).into_data().to_f32s()
    }

    /// Share of `n` held-out digits classified correctly.
    pub fn accuracy(&self, size: usize, n: usize, device: &Device) -> f32 {
        let batch = Digits::new(size, HELD_OUT_SEED).batch(n);
        let probabilities = self.probabilities(&batch.x, size * size, device);
        let labels = batch.labels.unwrap_or_default();
        let correct = probabilities
            .chunks_exact(CLASSES)
            .zip(&labels)
            .filter(|(p, label)| argmax(p) == **label as usize)
            .count();
        correct as f32 / n as f32
    }
}

fn argmax(p: &[f32]) -> usize {
    p.iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i)
}

/// Train a classifier on digits of side `size` on `device` (plain, inference-ready result).
pub fn train(size: usize, device: &Device) -> Classifier {
    train_on(&mut Digits::new(size, TRAIN_SEED), CLASSES, device)
}

/// Train a classifier of `classes` on the labelled stream `data` (plain result).
fn train_on(data: &mut dyn DataSource, classes: usize, device: &Device) -> Classifier {
    let autodiff = device.clone().autodiff();
    let pixels = data.shape().numel();
    let mut model = crate::models::seeded(device, TRAIN_SEED, || {
        Classifier::new(pixels, classes, &autodiff)
    });
    let mut optimizer = AdamConfig::new().init();
    for _ in 0..STEPS {
        let batch = data.batch(BATCH);
        let labels: Vec<i64> = batch
            .labels
            .unwrap_or_default()
            .into_iter()
            .map(i64::from)
            .collect();
        let x = Tensor::from_data(TensorData::new(batch.x, [BATCH, pixels]), &autodiff);
        let targets = Tensor::<1, Int>::from_data(TensorData::new(labels, [BATCH]), &autodiff);
        let loss = burn::nn::loss::CrossEntropyLossConfig::new()
            .init(&autodiff)
            .forward(model.logits(x), targets);
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optimizer.step(LEARNING_RATE, model, grads);
    }
    model.valid()
}

/// A fingerprint of the digits of side `size`: changes whenever the renderer does.
pub fn fingerprint(size: usize) -> u64 {
    let batch = Digits::new(size, 0).batch(16);
    let labels = batch.labels.unwrap_or_default();
    // FNV-1a over the quantised pixels and labels.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let bytes = batch
        .x
        .iter()
        .map(|v| ((v + 1.0) * 127.5) as u8)
        .chain(labels.iter().map(|&l| l as u8));
    for byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The cache folder for trained reference models.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("GANSCOPE_CACHE") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("ganscope")
}

/// Load the cached classifier for digits of side `size` from `dir`, or train and cache one.
/// Returns the classifier and whether it came from the cache.
pub fn load_or_train(size: usize, dir: &Path, device: &Device) -> (Classifier, bool) {
    let path = dir.join(format!(
        "digit-classifier-{size}-{:016x}.bpk",
        fingerprint(size)
    ));
    cached_or(&path, size * size, CLASSES, device, || train(size, device))
}

/// The classifier cached at `path`, or `train`'s, written there; and whether it was cached.
fn cached_or(
    path: &Path,
    pixels: usize,
    classes: usize,
    device: &Device,
    train: impl FnOnce() -> Classifier,
) -> (Classifier, bool) {
    if path.is_file()
        && let Ok(model) = crate::models::seeded(device, TRAIN_SEED, || {
            Classifier::new(pixels, classes, device)
        })
        .try_load_file(path)
    {
        return (model, true);
    }
    let model = train();
    let Some(dir) = path.parent() else {
        return (model, false);
    };
    // A cache that cannot be written only costs a retrain next time.
    let _ = std::fs::create_dir_all(dir).and_then(|()| {
        let partial = path.with_extension(format!("partial-{}", std::process::id()));
        model
            .clone()
            .save_file(&partial)
            .map_err(|e| std::io::Error::other(format!("{e:?}")))?;
        std::fs::rename(&partial, path)
    });
    (model, false)
}

/// Load (from `dir`) or train the classifier of a labelled file set; `None` when it has no
/// labels.
pub fn load_or_train_set(
    set: &Arc<ImageSet>,
    dir: &Path,
    device: &Device,
) -> Option<(Classifier, bool)> {
    set.labels.as_ref()?;
    let classes = set.class_names.len().max(1);
    let path = dir.join(format!(
        "set-classifier-{}-{}-{:016x}.bpk",
        set.side,
        set.channels,
        set.fingerprint()
    ));
    let pixels = set.channels * set.side * set.side;
    Some(cached_or(&path, pixels, classes, device, || {
        train_on(&mut FileData::new(set.clone(), TRAIN_SEED), classes, device)
    }))
}

/// [`load_or_train_set`] on a helper thread.
pub fn spawn_for_set(set: Arc<ImageSet>, device: Device) -> Receiver<Classifier> {
    let (tx, rx) = crossbeam_channel::bounded(1);
    let _ = std::thread::Builder::new()
        .name("ganscope-classifier".into())
        .spawn(move || {
            if let Some((model, _)) = load_or_train_set(&set, &cache_dir(), &device) {
                let _ = tx.send(model);
            }
        });
    rx
}

/// Load or train on a helper thread; the receiver yields the classifier once ready.
pub fn spawn(size: usize, device: Device) -> Receiver<Classifier> {
    let (tx, rx) = crossbeam_channel::bounded(1);
    let _ = std::thread::Builder::new()
        .name("ganscope-classifier".into())
        .spawn(move || {
            let (model, _) = load_or_train(size, &cache_dir(), &device);
            let _ = tx.send(model);
        });
    rx
}
