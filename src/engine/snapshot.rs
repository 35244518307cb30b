//! A frozen copy of the generator for exploring: taken from a training run (the training
//! thread publishes one every few seconds) or loaded from a run folder (the CLI). It renders
//! any number of latents, one included, with normalisation statistics measured once on a
//! fixed reference batch (see [`crate::models::Generator::calibrated`]).

use super::device::{self, OpenedDevice};
use crate::data::{self, SampleShape};
use crate::engine::ReadBack;
use crate::engine::translator::Translator;
use crate::engine::upscaler::Upscaler;
use crate::imaging;
use crate::latent::{self, Directions};
use crate::models::{self, Generator};
use crate::preset::Preset;
use crate::protocol::{DeviceChoice, Rendered};
use anyhow::Context;
use burn::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Seeds of the reference latents that fix the normalisation statistics (far from the seeds
/// a user types, which start at 0).
const REFERENCE_SEEDS: u64 = 1 << 40;
const REFERENCE_SIZE: usize = 128;
/// Seeds and count of the latents sampled for principal directions.
const PCA_SEEDS: u64 = 2 << 40;
const PCA_SAMPLES: usize = 1024;
/// The seed of the dropout draws of the draw-and-translate canvas.
const TRANSLATION_SEED: u64 = crate::engine::translator::DRAWS_SEED;
/// Seeds of the latents of a synthetic labelled set (class c's from `SYNTHETIC_SEEDS + c ·
/// 2³²`, so adding images to a class keeps the first ones).
const SYNTHETIC_SEEDS: u64 = 4 << 40;
/// Largest batch G runs at once while exploring.
const CHUNK: usize = 256;
/// Latents per progress report while computing principal directions.
const PCA_SLICE: usize = 64;

pub struct Snapshot {
    /// Training steps behind these weights.
    pub step: u64,
    generator: Generator,
    shape: SampleShape,
    latent_dim: usize,
    /// Classes of a conditional G.
    classes: Option<usize>,
    device: Device,
    /// An image-to-image G, for the draw-and-translate canvas (it has no latent).
    translator: Option<Translator>,
    /// A super-resolution G, for the explorer's before/after comparison.
    upscaler: Option<Upscaler>,
    /// The data set's class names, in label order, when loaded from a run folder (empty
    /// for a snapshot of a live run, whose front end has them in its `RunInfo`).
    class_names: Vec<String>,
    /// The preset G was trained with (what the lab's real images and a labeller come from).
    preset: Option<Arc<Preset>>,
    /// When this G is a moving average of the training weights (`[game] ema`), the training
    /// weights themselves, for an export that asks for them.
    raw: Option<Box<Snapshot>>,
}

/// A labelled set's pixels (bytes, channel-major, image after image) and labels.
pub type Labelled = (Vec<u8>, Vec<u32>);

/// Labels cycling through `classes` for `n` samples (a conditional G's reference and PCA
/// batches cover every class alike).
fn cycling(n: usize, classes: Option<usize>) -> Option<Vec<u32>> {
    classes.map(|k| (0..n).map(|i| (i % k) as u32).collect())
}

impl Snapshot {
    /// Freeze `generator` (inference mode, no autodiff) as it is after `step` steps;
    /// `classes` for a conditional G.
    pub fn new(
        generator: &Generator,
        step: u64,
        shape: SampleShape,
        latent_dim: usize,
        classes: Option<usize>,
        device: &Device,
    ) -> Snapshot {
        let translator = Translator::new(generator, TRANSLATION_SEED, device);
        let upscaler = Upscaler::new(generator, device);
        let generator = if latent_dim == 0 {
            generator.clone()
        } else {
            let reference = to_tensor(
                &latent::from_seeds(REFERENCE_SEEDS, REFERENCE_SIZE, latent_dim),
                latent_dim,
                device,
            );
            let labels = cycling(REFERENCE_SIZE, classes).map(|l| models::label_tensor(&l, device));
            generator.calibrated(reference, labels.as_ref())
        };
        Snapshot {
            step,
            generator,
            shape,
            latent_dim,
            classes,
            device: device.clone(),
            translator,
            upscaler,
            class_names: Vec::new(),
            preset: None,
            raw: None,
        }
    }

    /// The same snapshot, whose G is the moving average of `raw`'s.
    pub fn with_raw(mut self, raw: Snapshot) -> Snapshot {
        self.raw = Some(Box::new(raw));
        self
    }

    /// The training weights, when this snapshot's G is their moving average (else `None`:
    /// this G is the training weights).
    pub fn raw(&self) -> Option<&Snapshot> {
        self.raw.as_deref()
    }

    /// The same snapshot, knowing the preset G was trained with.
    pub fn with_preset(mut self, preset: &Preset) -> Snapshot {
        self.preset = Some(Arc::new(preset.clone()));
        self
    }

    /// The preset G was trained with, when known.
    pub fn preset(&self) -> Option<&Preset> {
        self.preset.as_deref()
    }

    /// The device G runs on (inference, no autodiff).
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// A super-resolution G's comparison for one image (see [`Upscaler::compare`]) as
    /// pictures: [G's input, bicubic, SR] and the original when `shrink`; `None` for another
    /// G, an error naming the cause for an image it cannot take.
    pub fn upscale(
        &self,
        image: &[f32],
        size: (usize, usize),
        shrink: bool,
    ) -> Option<Result<Rendered, String>> {
        let upscaler = self.upscaler.as_ref()?;
        let c = upscaler.channels();
        Some(upscaler.compare(image, size, shrink).map(|compared| {
            let large = compared.size(upscaler.scale());
            let mut images = vec![
                imaging::to_rgba_rect(&compared.low, c, compared.low_size),
                imaging::to_rgba_rect(&compared.bicubic, c, large),
                imaging::to_rgba_rect(&compared.sr, c, large),
            ];
            images.extend(
                compared
                    .original
                    .map(|original| imaging::to_rgba_rect(&original, c, large)),
            );
            Rendered::Images(images)
        }))
    }

    /// What an image-to-image G makes of one source image (channel-major, values in
    /// [-1, 1], of side `side`); `None` for a latent G or a source it cannot take.
    pub fn translate(&self, source: &[f32], side: usize) -> Option<Rendered> {
        let translator = self.translator.as_ref()?;
        let output = translator.translate(source, side).ok()?;
        Some(Rendered::Images(vec![imaging::to_rgba(
            &output,
            translator.target_channels(),
            side,
        )]))
    }

    /// Load the generator a run folder holds (`generator.bpk` beside its `preset.toml`, as
    /// `ganscope train` writes them). `path` is the folder or the `.bpk` file itself.
    pub fn load(path: &Path, choice: DeviceChoice) -> anyhow::Result<(Snapshot, Preset)> {
        let (folder, weights) = locate(path);
        let preset = Preset::from_file(&folder.join("preset.toml"))
            .with_context(|| format!("{} holds no usable preset.toml", folder.display()))?;
        if preset.latent_dim() == 0 {
            anyhow::bail!(
                "the {} of preset '{}' has no latent vector to sample or walk: it translates \
                 source images (use `ganscope apply`)",
                preset.networks_label(),
                preset.name
            );
        }
        let OpenedDevice { device, .. } =
            device::open(choice, preset.dataset.is_points()).map_err(|e| anyhow::anyhow!("{e}"))?;
        let data = data::open(&preset.dataset, preset.train.seed)?;
        let shape = data.shape();
        let (generator, _) = models::try_seeded(&device, preset.train.seed, || {
            models::build(&preset, shape, data.source_shape(), &device)
        })
        .map_err(|e| anyhow::anyhow!("preset '{}': {e}", preset.name))?;
        // A FIFO would block the load for good.
        crate::files::regular(&weights)?;
        let mut generator = generator.try_load_file(&weights).map_err(|e| {
            anyhow::anyhow!(
                "{} is not a generator for preset '{}': {e}",
                weights.display(),
                preset.name
            )
        })?;
        // A growing G draws at the stage saved with it.
        generator.restage();
        let classes = preset.dataset.classes().filter(|_| preset.conditional());
        let latent_dim = preset.latent_dim();
        let mut snapshot = Snapshot::new(&generator, 0, shape, latent_dim, classes, &device);
        snapshot.class_names = data::names_of(&preset.dataset, data.as_ref());
        Ok((snapshot.with_preset(&preset), preset))
    }

    pub fn latent_dim(&self) -> usize {
        self.latent_dim
    }

    /// How many latents to render between checks for more urgent work: a few images, or a
    /// large slice of cheap 2-D points.
    pub fn slice(&self) -> usize {
        match self.shape {
            SampleShape::Points2 => CHUNK,
            SampleShape::Image { .. } => 4,
        }
    }

    /// The data set's class names, when loaded from a run folder (see the field).
    pub fn class_names(&self) -> &[String] {
        &self.class_names
    }

    /// What G makes.
    pub fn shape(&self) -> SampleShape {
        self.shape
    }

    /// The classes of a conditional G.
    pub fn classes(&self) -> Option<usize> {
        self.classes
    }

    /// A labelled synthetic set from a conditional image G: `per_class` images of every
    /// class, their latents truncated toward 0 by `psi` (1: none), as bytes (channel-major,
    /// the loaders' scale) with their labels, class by class. `keep_going(done, total)` hears
    /// of progress after each batch; false stops (`Ok(None)`). An error says why this G
    /// cannot make one.
    pub fn labelled(
        &self,
        per_class: usize,
        psi: f32,
        mut keep_going: impl FnMut(usize, usize) -> bool,
    ) -> Result<Option<Labelled>, String> {
        let Some(classes) = self.classes else {
            return Err("a labelled set needs a conditional G (one that is told the class)".into());
        };
        if !matches!(self.shape, SampleShape::Image { .. }) {
            return Err("a labelled set is made of images, and this G makes 2-D points".into());
        }
        let total = classes * per_class;
        let zero = vec![0.0; self.latent_dim];
        let (mut pixels, mut labels) = (Vec::new(), Vec::with_capacity(total));
        for class in 0..classes {
            let first = SYNTHETIC_SEEDS + ((class as u64) << 32);
            let latents: Vec<f32> = latent::from_seeds(first, per_class, self.latent_dim)
                .chunks(self.latent_dim)
                .flat_map(|z| latent::truncate(z, &zero, psi))
                .collect();
            for chunk in latents.chunks(CHUNK * self.latent_dim) {
                let n = chunk.len() / self.latent_dim;
                let these = vec![class as u32; n];
                let values = self.outputs(chunk, Some(&these));
                pixels.extend(values.into_iter().map(imaging::to_byte));
                labels.extend(these);
                if !keep_going(labels.len(), total) {
                    return Ok(None);
                }
            }
        }
        Ok(Some((pixels, labels)))
    }

    /// G's outputs for `latents` ([n, latent_dim] row-major) with their `labels` (a
    /// conditional G), flattened [n, features].
    pub(crate) fn outputs(&self, latents: &[f32], labels: Option<&[u32]>) -> Vec<f32> {
        let rows = CHUNK * self.latent_dim;
        latents
            .chunks(rows)
            .enumerate()
            .flat_map(|(i, chunk)| {
                let n = chunk.len() / self.latent_dim;
                let labels = labels
                    .map(|l| models::label_tensor(&l[i * CHUNK..i * CHUNK + n], &self.device));
                self.generator
                    .forward(
                        to_tensor(chunk, self.latent_dim, &self.device),
                        labels.as_ref(),
                    )
                    .read_f32s()
            })
            .collect()
    }

    /// What G makes of each latent (of `class`, for a conditional G: class 0 when none or
    /// one out of range is given), or `None` when a latent has the wrong length (a request
    /// made for a different run).
    pub fn render(&self, latents: &[Vec<f32>], class: Option<usize>) -> Option<Rendered> {
        if self.latent_dim == 0 || latents.iter().any(|z| z.len() != self.latent_dim) {
            return None;
        }
        let labels = self.classes.map(|k| {
            let class = class.filter(|&c| c < k).unwrap_or(0) as u32;
            vec![class; latents.len()]
        });
        let values = self.outputs(&latents.concat(), labels.as_deref());
        Some(match self.shape {
            SampleShape::Points2 => {
                Rendered::Points(values.chunks_exact(2).map(|p| [p[0], p[1]]).collect())
            }
            SampleShape::Image {
                channels, height, ..
            } => Rendered::Images(
                values
                    .chunks_exact(self.shape.numel())
                    .map(|image| imaging::to_rgba(image, channels, height))
                    .collect(),
            ),
        })
    }

    /// The `k` leading principal directions of G's outputs over a fixed set of latents.
    /// `tick(done, total)` hears of progress after each slice of G's outputs; when it returns
    /// false the work stops and the answer is `None`.
    pub fn directions(
        &self,
        k: usize,
        tick: &mut dyn FnMut(usize, usize) -> bool,
    ) -> Option<Directions> {
        if self.latent_dim == 0 {
            return None;
        }
        let latents = latent::from_seeds(PCA_SEEDS, PCA_SAMPLES, self.latent_dim);
        let labels = cycling(PCA_SAMPLES, self.classes);
        // G's outputs in slices, then the decomposition as the last unit of work.
        let slices = PCA_SAMPLES.div_ceil(PCA_SLICE);
        let mut outputs = Vec::new();
        for (i, slice) in latents.chunks(PCA_SLICE * self.latent_dim).enumerate() {
            let slice_labels = labels.as_ref().map(|l| &l[i * PCA_SLICE..]);
            outputs.extend(self.outputs(slice, slice_labels));
            if !tick(i + 1, slices + 1) {
                return None;
            }
        }
        let directions =
            latent::principal_directions(&latents, &outputs, PCA_SAMPLES, k, self.step);
        tick(slices + 1, slices + 1);
        Some(directions)
    }
}

/// The run folder and the generator's weights `path` names: a run folder, or the `.bpk`
/// file inside one.
pub fn locate(path: &Path) -> (PathBuf, PathBuf) {
    if path.is_dir() {
        (path.to_path_buf(), path.join("generator.bpk"))
    } else {
        let folder = path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        (folder, path.to_path_buf())
    }
}

fn to_tensor(values: &[f32], latent_dim: usize, device: &Device) -> Tensor<2> {
    let n = values.len() / latent_dim;
    Tensor::from_data(TensorData::new(values.to_vec(), [n, latent_dim]), device)
}
