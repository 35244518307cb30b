//! Presets: the TOML description of a run (data set, model family and sizes, optimisation).
//!
//! A preset deserialises straight into the structs the engine builds from, and
//! [`Preset::validate`] rejects what would fail later (a DCGAN on 2-D points, a zero batch).
//! [`library`] loads a whole folder, reporting each broken file by name.

mod dataset;
pub mod game;
pub mod library;
pub mod networks;
pub mod task;

pub use dataset::DatasetSpec;
pub use game::{Balance, GameSpec, LossKind, OptimizerKind, PenaltyKind};
pub use networks::{DiscriminatorSpec, GeneratorSpec, ReceptiveField};
pub use task::{Content, TaskSpec};

mod validate;

use serde::{Deserialize, Serialize};

/// A complete, self-describing run configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    /// Unique name, used by `--preset NAME`.
    pub name: String,
    /// One or two sentences for the preset picker.
    #[serde(default)]
    pub description: String,
    pub dataset: DatasetSpec,
    /// The game (default: noise → sample).
    #[serde(default)]
    pub task: TaskSpec,
    /// A matched G/D pair (MLP, DCGAN): either this, or `generator` and `discriminator`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator: Option<GeneratorSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discriminator: Option<DiscriminatorSpec>,
    pub train: TrainSpec,
    /// Loss, penalty and stabilisers (defaults: the plain non-saturating GAN).
    #[serde(default)]
    pub game: GameSpec,
    /// The schedule of a growing model (family `progressive` with start below the data's
    /// side).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub growth: Option<GrowthSpec>,
}

/// The model family and its sizes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "family", rename_all = "snake_case", deny_unknown_fields)]
pub enum ModelSpec {
    /// Fully connected G and D with ReLU (G) / LeakyReLU 0.2 (D) hidden layers.
    Mlp {
        latent_dim: usize,
        hidden: usize,
        /// Number of hidden layers in each network.
        layers: usize,
        /// Condition G and D on the data set's class labels (see [`ModelSpec::conditional`]).
        #[serde(default)]
        conditional: bool,
    },
    /// DCGAN: transposed convolutions with BatchNorm and ReLU in G (tanh output), strided
    /// convolutions with BatchNorm and LeakyReLU 0.2 in D.
    Dcgan {
        latent_dim: usize,
        /// G's base width (channels of its last hidden layer).
        ngf: usize,
        /// D's base width (channels of its first layer).
        ndf: usize,
        /// Biases in the convolutions (the reference DCGAN has none).
        #[serde(default)]
        bias: bool,
        /// BatchNorm in D's hidden layers (the DCGAN default). A critic trained with a
        /// gradient penalty must not have it: the penalty is per sample, BatchNorm mixes
        /// samples.
        #[serde(default = "default_true")]
        d_batch_norm: bool,
        /// Condition G and D on the data set's class labels.
        #[serde(default)]
        conditional: bool,
    },
    /// A transformer G (TransGAN's, see `models::transgan`) with the convolutional DCGAN
    /// discriminator (without BatchNorm): the hybrid of Durall et al. 2021.
    Transformer {
        latent_dim: usize,
        /// Token width at the first stage (a multiple of 16; quartered at each doubling).
        dim: usize,
        /// Attention heads (dividing `dim / 4`).
        heads: usize,
        /// Transformer blocks per attention stage.
        depth: usize,
        /// `dot` (the default) or `l2` (ViTGAN's, query and key weights tied).
        #[serde(default)]
        attention: crate::models::attention::AttentionKind,
        /// The conv D's base width (channels of its first layer).
        #[serde(default = "default_ndf")]
        ndf: usize,
        /// D: `conv` (the DCGAN discriminator without BatchNorm: the hybrid) or `vit`.
        #[serde(default)]
        discriminator: TransformerD,
        /// The ViT's patch side.
        #[serde(default = "default_patch")]
        patch: usize,
        /// The ViT's patches overlap their neighbours by this many pixels on each side
        /// (ViTGAN's overlapping patches: each token sees a (patch + 2·overlap)² window, the
        /// image zero-padded at its border); 0 cuts the image into disjoint patches.
        #[serde(default)]
        overlap: usize,
        /// The ViT's spectral normalisation (`[game] spectral_norm`) in ViTGAN's improved
        /// form, W·σ(W₀)/σ(W) (false: plain W/σ(W)).
        #[serde(default = "default_true")]
        isn: bool,
        /// The ViT's class token gets the batch's minibatch standard deviation (ProGAN's,
        /// groups of 4) before its head.
        #[serde(default)]
        minibatch_stddev: bool,
    },
    /// Progressive growing (ProGAN, see `models::progan`): G and D grow from `start` px to
    /// the data's side on the `[growth]` schedule.
    Progressive {
        latent_dim: usize,
        /// Feature maps up to 16 px (halving with each doubling past it).
        width: usize,
        /// The side of the first level: 4 grows from the smallest; the data's side trains at
        /// full size from the start (the ablation).
        #[serde(default = "default_start")]
        start: usize,
        /// PixelNorm after every convolution of G.
        #[serde(default = "default_true")]
        pixel_norm: bool,
        /// The equalised learning rate (N(0, 1) weights scaled by He's constant at run time).
        #[serde(default = "default_true")]
        equalized_lr: bool,
        /// The minibatch standard deviation before D's last convolution.
        #[serde(default = "default_true")]
        minibatch_stddev: bool,
    },
}

fn default_start() -> usize {
    4
}

/// The schedule of progressive growing: each new level fades in over `fade_steps` steps (α
/// rising linearly from 0 to 1), then trains `stable_steps` at α = 1; level 0 trains
/// `stable_steps` first. Batch size and learning rates stay the preset's at every level
/// (ProGAN keeps them constant up to 128 px, past any size ganscope's data sets reach), so
/// the schedule is (level, side, α) as a function of the step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrowthSpec {
    pub fade_steps: u64,
    pub stable_steps: u64,
}

/// The discriminator of the transformer family.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransformerD {
    /// The DCGAN discriminator without BatchNorm (Durall et al.'s hybrid).
    #[default]
    Conv,
    /// A ViT on patches with a class token (ViTGAN's).
    Vit,
}

fn default_ndf() -> usize {
    32
}
fn default_patch() -> usize {
    4
}

impl ModelSpec {
    pub fn latent_dim(&self) -> usize {
        match self {
            ModelSpec::Mlp { latent_dim, .. }
            | ModelSpec::Dcgan { latent_dim, .. }
            | ModelSpec::Transformer { latent_dim, .. }
            | ModelSpec::Progressive { latent_dim, .. } => *latent_dim,
        }
    }

    /// Why D's input gradient, and so `penalty`, cannot be computed for this model (`None`
    /// when it can). The gradient is built layer by layer (see `models::critic`), which
    /// linear and convolution layers and LeakyReLU allow, or estimated by finite differences
    /// where a family has no such adjoint (the ViT: `models::estimate`); BatchNorm allows
    /// neither: it couples the samples of a batch.
    pub fn penalty_unsupported(&self, penalty: PenaltyKind) -> Option<String> {
        match (self, penalty) {
            (_, PenaltyKind::None) => None,
            (
                ModelSpec::Dcgan {
                    d_batch_norm: true, ..
                },
                _,
            ) => Some(format!(
                "the {} needs D's input gradient per sample, and the DCGAN \
                 discriminator's BatchNorm layers mix the samples of a batch: set \
                 d_batch_norm = false in [model]",
                penalty.label()
            )),
            _ => None,
        }
    }

    /// A conditional GAN: the label's embedding is concatenated to z in G, and D is a
    /// projection discriminator (its logit gains the inner product of the label's embedding
    /// with D's last features; Miyato & Koyama 2018).
    pub fn conditional(&self) -> bool {
        match self {
            ModelSpec::Mlp { conditional, .. } | ModelSpec::Dcgan { conditional, .. } => {
                *conditional
            }
            ModelSpec::Transformer { .. } | ModelSpec::Progressive { .. } => false,
        }
    }

    pub fn family_name(&self) -> &'static str {
        match self {
            ModelSpec::Mlp { .. } => "MLP",
            ModelSpec::Dcgan { .. } => "DCGAN",
            ModelSpec::Transformer {
                discriminator: TransformerD::Conv,
                ..
            } => "transformer G, conv D",
            ModelSpec::Transformer { .. } => "transformer G, ViT D",
            ModelSpec::Progressive { start: 4, .. } => "ProGAN (growing)",
            ModelSpec::Progressive { .. } => "ProGAN",
        }
    }
}

/// Optimisation and schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainSpec {
    pub batch_size: usize,
    pub lr_g: f64,
    pub lr_d: f64,
    #[serde(default = "default_beta1")]
    pub beta1: f32,
    #[serde(default = "default_beta2")]
    pub beta2: f32,
    /// Discriminator updates per generator update.
    #[serde(default = "default_d_steps")]
    pub d_steps: usize,
    pub seed: u64,
    /// Steps between two refreshes of the sample view.
    #[serde(default = "default_sample_every")]
    pub sample_every: u64,
    /// Images in the sample grid, or generated points in the 2-D view.
    #[serde(default = "default_samples")]
    pub samples: usize,
    /// Steps between two measurements of mode coverage and D's output distribution.
    #[serde(default = "default_metrics_every")]
    pub metrics_every: u64,
    /// Train on only this many real examples of every class (a labelled data set), chosen
    /// once from the run's seed: the low-data setting of the augmentation lab, so that the
    /// lab's claim about a GAN trained on k per class is a fair one. None: all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub real_per_class: Option<usize>,
}

fn default_true() -> bool {
    true
}
fn default_beta1() -> f32 {
    0.5
}
fn default_beta2() -> f32 {
    0.999
}
fn default_d_steps() -> usize {
    1
}
fn default_metrics_every() -> u64 {
    100
}
fn default_sample_every() -> u64 {
    50
}
fn default_samples() -> usize {
    64
}

/// Why a preset was refused.
#[derive(Debug, thiserror::Error)]
pub enum PresetError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    File(#[from] crate::files::FileError),
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    #[error("preset '{name}': {message}")]
    Invalid { name: String, message: String },
}

/// Classes of the labelled data sets: the digits 0-9, and the five colour shapes (the data
/// module draws them; the count lives with the spec so that presets can be checked without
/// the data code).
pub const DIGIT_CLASSES: usize = 10;
pub const SHAPE_CLASSES: usize = 5;

/// The largest preset file read: real ones are a few hundred bytes.
pub const MAX_PRESET_BYTES: u64 = 256 * 1024;

impl Preset {
    /// Parse TOML text; `origin` names the file in error messages.
    pub fn from_toml(text: &str, origin: &str) -> Result<Preset, PresetError> {
        let preset: Preset = toml::from_str(text).map_err(|e| PresetError::Parse {
            path: origin.to_string(),
            message: e.to_string(),
        })?;
        preset.validate()?;
        Ok(preset)
    }

    /// Read and validate one preset file (a regular file of at most [`MAX_PRESET_BYTES`]).
    pub fn from_file(path: &std::path::Path) -> Result<Preset, PresetError> {
        let text = crate::files::read_text(path, MAX_PRESET_BYTES)?;
        Preset::from_toml(&text, &path.display().to_string())
    }

    /// Length of G's latent vector z; 0 for a G without one (the U-Net, whose noise is its
    /// dropout).
    pub fn latent_dim(&self) -> usize {
        self.model.as_ref().map_or(0, ModelSpec::latent_dim)
    }

    /// The growing schedule of a progressive model (a single level when it starts at full
    /// size), `None` for the other families.
    pub fn growth(&self) -> Option<crate::models::progressive::Growth> {
        let Some(ModelSpec::Progressive { start, .. }) = self.model else {
            return None;
        };
        let end = self.dataset.image_size()?;
        let schedule = self.growth.unwrap_or(GrowthSpec {
            fade_steps: 1,
            stable_steps: 0,
        });
        Some(crate::models::progressive::Growth {
            start,
            end,
            fade_steps: schedule.fade_steps,
            stable_steps: schedule.stable_steps,
        })
    }

    /// A class-conditional G and D.
    pub fn conditional(&self) -> bool {
        self.model.as_ref().is_some_and(ModelSpec::conditional)
    }

    /// The networks in words ("DCGAN", "U-Net G, PatchGAN D").
    pub fn networks_label(&self) -> String {
        match (&self.model, &self.generator, &self.discriminator) {
            (Some(model), _, _) => model.family_name().to_string(),
            (None, Some(g), Some(d)) => format!("{} G, {} D", g.family_name(), d.family_name()),
            _ => "no networks".into(),
        }
    }

    /// What a checkpoint's weights must fit: the networks, with their sizes. A matched pair
    /// is written as it was before tasks existed, so older checkpoints still resume.
    pub fn architecture(&self) -> String {
        let conditional_d = match self.task {
            TaskSpec::Translate { conditional_d, .. } => conditional_d,
            TaskSpec::Generate | TaskSpec::Upscale { .. } => false,
        };
        match &self.model {
            Some(model) => format!("{model:?}"),
            None => format!(
                "{:?} / {:?} / D sees the source: {conditional_d}",
                self.generator, self.discriminator
            ),
        }
    }

    /// The channels of this preset's images: (source, target) for a paired set, (n, n)
    /// otherwise (2-D points: (0, 0)).
    pub fn image_channels(&self) -> (usize, usize) {
        match &self.dataset {
            DatasetSpec::Shapes { .. } | DatasetSpec::ShapesOutline { .. } => (3, 3),
            DatasetSpec::ShapesGrey { .. } => (1, 3),
            DatasetSpec::Digits { .. } | DatasetSpec::DigitSkeletons { .. } => (1, 1),
            DatasetSpec::Files { channels, .. } | DatasetSpec::Photos { channels, .. } => {
                (*channels, *channels)
            }
            DatasetSpec::PairedFiles {
                source_channels,
                target_channels,
                ..
            } => (*source_channels, *target_channels),
            DatasetSpec::Ring8 { .. } | DatasetSpec::Grid25 { .. } | DatasetSpec::Spiral { .. } => {
                (0, 0)
            }
        }
    }

    /// This preset's model and game on the file data at `path`, at `size` with `channels`
    /// ((source, target) for a translate preset, which reads paired files); `classes` of a
    /// labelled set lets a conditional model be checked, its sample grid then one row per
    /// class.
    pub fn on_files(
        &self,
        path: &std::path::Path,
        size: usize,
        (source_channels, target_channels): (usize, usize),
        classes: Option<usize>,
    ) -> Result<Preset, PresetError> {
        let mut preset = self.clone();
        let path = path.display().to_string();
        preset.dataset = match (&self.task, &self.dataset) {
            (TaskSpec::Translate { .. }, _) => DatasetSpec::PairedFiles {
                path,
                size,
                source_channels,
                target_channels,
            },
            // Crops of photos at their own size; the template's held-out names were its
            // folder's, so the new folder holds out every fifth photo.
            (TaskSpec::Upscale { .. }, DatasetSpec::Photos { .. }) => DatasetSpec::Photos {
                path,
                size,
                channels: target_channels,
                held_out: Vec::new(),
            },
            (TaskSpec::Generate | TaskSpec::Upscale { .. }, _) => DatasetSpec::Files {
                path,
                size,
                channels: target_channels,
                classes,
            },
        };
        if let (true, Some(k)) = (preset.conditional(), classes) {
            preset.train.samples = k * (preset.train.samples / k).max(1);
        }
        preset.validate()?;
        Ok(preset)
    }

    /// This preset with the live-changeable settings of `balance` (not validated). Noise set
    /// by hand stays at that level: no annealing is left.
    pub fn with_balance(&self, balance: &Balance) -> Preset {
        let mut preset = self.clone();
        let (t, g) = (&mut preset.train, &mut preset.game);
        t.lr_g = balance.lr_g;
        t.lr_d = balance.lr_d;
        t.d_steps = balance.d_steps;
        g.loss = balance.loss;
        g.penalty = balance.penalty;
        g.penalty_weight = balance.penalty_weight;
        g.clip = balance.clip;
        g.label_smoothing = balance.label_smoothing;
        if balance.instance_noise != g.instance_noise {
            g.instance_noise = balance.instance_noise;
            g.instance_noise_steps = u64::MAX;
        }
        preset
    }
}
