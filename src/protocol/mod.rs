//! The one seam between the engine (burn) and its front ends (egui, CLI, tests).
//!
//! Everything here is plain data: numbers, strings and RGBA bytes, never a tensor and never an
//! egui type. Front ends send [`Command`]s and receive [`Event`]s over the channels of a
//! [`Link`]; the engine thread owns every model, optimizer and data stream.

use crate::latent::Directions;
use crate::metrics::alarms::Alarm;
use crate::metrics::coverage::ClassCoverage;
use crate::metrics::modes::ModeMetrics;
use crate::preset::{Balance, Preset};
use crossbeam_channel::{Receiver, Sender};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A request from a front end to the engine thread.
#[derive(Clone, Debug)]
pub enum Command {
    /// Build fresh models from a preset on a device (replacing any current run), paused at
    /// step 0.
    Load {
        preset: Box<Preset>,
        device: DeviceChoice,
    },
    /// The remote server `DeviceChoice::Remote` connects to from now on (`None`: none); a
    /// `Load` on that device follows.
    SetRemote(Option<RemoteTarget>),
    /// Train continuously until paused.
    Run,
    /// Stop advancing; models and optimizers are kept.
    Pause,
    /// Advance exactly this many steps, then pause.
    Step(u64),
    /// Rebuild the current preset's models from its seed, at step 0, paused.
    Reset,
    /// Continue a saved run from one of its checkpoints, paused (replacing any current run):
    /// in its own folder, where the curves go on from that step and later lines are dropped,
    /// or with `fork` in a new folder under the runs folder that starts with a copy of its
    /// history. `preset`, of the same architecture, replaces the checkpoint's own (e.g. with
    /// another learning rate).
    Resume {
        checkpoint: std::path::PathBuf,
        preset: Option<Box<Preset>>,
        device: DeviceChoice,
        fork: bool,
    },
    /// Change the run's balance settings (learning rates, k, loss, penalty, stabiliser
    /// strengths) from the next step on; logged as a run event.
    SetBalance(Balance),
    /// Write the current generator (`generator.bpk`, burnpack) and its `preset.toml` into this
    /// folder, the layout `ganscope interpolate` and `sample` read.
    ExportGenerator(std::path::PathBuf),
    /// Record runs from now on into a new folder each under this runs folder (see
    /// [`crate::runs`]); `None` stops recording. The current run, if already recorded, keeps
    /// its folder.
    RecordInto(Option<std::path::PathBuf>),
    /// Save a checkpoint of the current step into the run's folder.
    SaveCheckpoint,
    /// Also save a checkpoint every this many steps (0 = only on demand and on quit).
    SetCheckpointEvery(u64),
    /// Find the nearest real neighbour of a few generated samples (memorisation check).
    NearestNeighbours,
    /// Slow motion for teaching: at most one training step per this many milliseconds, with
    /// fresh samples after every step (0 = full speed).
    SetPace(u32),
    /// Hand the explorer a snapshot of the current generator now (it also gets one every few
    /// seconds while training runs, and whenever training pauses).
    PublishSnapshot,
    /// Save a last checkpoint of a recorded run (unless it has one of this step), drop the
    /// run and end the engine thread.
    Shutdown,
    /// Stop reading a data set for a Load (answered with a notice).
    CancelLoad,
    /// Panic inside the training thread on purpose. Reachable from the debug overlay; it shows
    /// (and the tests check) that a crash in training arrives as [`Event::Error`] while the
    /// app keeps running.
    SimulateCrash,
}

/// Loss and discriminator statistics of one training step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepMetrics {
    /// Steps completed, counting this one (a step is k D-updates and one G-update).
    pub step: u64,
    /// Generator loss of the step's G-update.
    pub g_loss: f32,
    /// Discriminator loss of the step's last D-update.
    pub d_loss: f32,
    /// Mean D(x) on real data, as a probability.
    pub d_real: f32,
    /// Mean D(G(z)) on generated data, as a probability.
    pub d_fake: f32,
    /// L2 norm of G's gradient in its update.
    pub g_grad_norm: f32,
    /// L2 norm of D's gradient in its last update.
    pub d_grad_norm: f32,
    /// Seconds of training since the run was loaded (pauses excluded).
    pub wall_s: f64,
    /// G's loss terms besides the adversarial one, by name (`l1`, `mode_seeking`), as
    /// recorded (the L1 term unweighted; G's loss adds it times λ).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub terms: BTreeMap<String, f32>,
    /// A growing model's level at this step (0 at the starting resolution).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<usize>,
    /// How far that level had faded in (1 once it has).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha: Option<f32>,
    /// The side G drew and D judged at, in px.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<usize>,
}

pub use crate::imaging::RgbaImage;

mod attention;
mod device;
mod explore;
pub mod job;
pub mod lab;
pub use attention::{AttendedSample, Attention};
pub use device::{CONNECT_TIMEOUT, DeviceChoice, DeviceInfo, RemoteTarget, parse_remote_address};
pub use explore::{ExploreRequest, RenderTarget, Rendered, Synthesis};
pub use job::Job;
pub use lab::{ArmResult, Experiment};

/// What the generator currently makes from the run's fixed latent vectors.
#[derive(Clone, Debug, PartialEq)]
pub enum SampleView {
    /// A grid of `tiles` images (`columns` per row), for image data sets; `meaning` says what
    /// each tile stands for, and `captions` name the columns (empty for latent grids).
    Grid {
        image: RgbaImage,
        columns: usize,
        tiles: usize,
        meaning: Tiles,
        captions: Vec<String>,
    },
    /// Real and generated 2-D points, for toy mixtures; `bounds` are the fixed axes
    /// `[x_min, x_max, y_min, y_max]` that fit the data set. `field` is D's output over the
    /// plane; `pushes[i]` is where G's loss pushes `fake[i]` (for the first few points).
    Points {
        real: Vec<[f32; 2]>,
        fake: Vec<[f32; 2]>,
        bounds: [f32; 4],
        field: Field,
        pushes: Vec<[f32; 2]>,
    },
}

/// What the tiles of a sample grid stand for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tiles {
    /// Tile `i` is what G makes of latent seed `i` (see [`crate::latent::from_seed`]).
    #[default]
    Seeds,
    /// One row per class: tile `i` is seed `i mod columns` of class `i / columns`.
    SeedsByClass,
    /// Held-out pairs, three tiles each (source | G(source) | target), pair `i` at tile 3i.
    HeldOutPairs,
    /// Held-out crops of an upscaling run, four tiles each (low resolution | bicubic | SR |
    /// original), crop `i` at tile 4i.
    Upscaled,
}

/// D's probability "real" over an `n`×`n` grid covering `bounds`; `values[row·n + col]`,
/// row 0 at the bottom (`y_min`), column 0 at the left (`x_min`).
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub n: usize,
    pub bounds: [f32; 4],
    pub values: Vec<f32>,
}

/// Measurements of mode coverage and of D's outputs, taken every `metrics_every` steps.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostics {
    pub step: u64,
    /// Mode metrics on fresh generated points (Gaussian-mixture data sets).
    pub modes: Option<ModeMetrics>,
    /// Class coverage of generated images by the reference classifier (labelled image sets).
    pub classes: Option<ClassCoverage>,
    /// Mean pairwise distance of generated and of real samples (image data sets).
    pub diversity: Option<[f32; 2]>,
    /// Fréchet distance between 256 generated and 256 fresh real images in the reference
    /// classifier's feature space (labelled image sets, once the classifier is ready; see
    /// `metrics::frechet`); comparable only between runs on the same data set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frechet: Option<f32>,
    /// D's probability "real" on a real and on a generated batch, as histograms of
    /// [`DIAGNOSTIC_BINS`] equal bins over [0, 1].
    pub d_real_hist: Vec<u32>,
    pub d_fake_hist: Vec<u32>,
    /// How close G(A) is to B on held-out pairs (translation tasks); in `metrics.jsonl` its
    /// fields sit beside the others (`l1`, `psnr`, `ssim`, `task_score`).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub translation: Option<crate::metrics::similarity::Translation>,
    /// SR and bicubic against the originals on held-out crops (upscale tasks); in
    /// `metrics.jsonl` as `psnr`, `ssim`, `bicubic_psnr`, `bicubic_ssim`, `sharpness`.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub super_resolution: Option<crate::metrics::upscaling::SuperResolution>,
    /// A ViT discriminator's attention (see [`Attention`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attention: Option<Attention>,
}

/// Bins of the D-output histograms.
pub const DIAGNOSTIC_BINS: usize = 20;

impl SampleView {
    /// The view as one picture: the grid itself, or a `scatter_px`-pixel scatter of real and
    /// generated points on the view's axes.
    pub fn picture(&self, scatter_px: usize) -> RgbaImage {
        match self {
            SampleView::Grid { image, .. } => image.clone(),
            SampleView::Points {
                real, fake, bounds, ..
            } => crate::imaging::scatter(real, fake, *bounds, scatter_px),
        }
    }
}

/// Facts about a freshly loaded run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunInfo {
    pub preset: String,
    pub device: DeviceInfo,
    pub generator_params: usize,
    pub discriminator_params: usize,
    pub batch_size: usize,
    /// Length of G's latent vector z.
    pub latent_dim: usize,
    /// Number of classes G is conditioned on, for conditional families; `None` otherwise.
    pub classes: Option<usize>,
    /// The data set's class names in label order ("0"–"9", "circle"…), empty without labels.
    pub class_names: Vec<String>,
    /// The source image G translates, for image-to-image tasks (G then has no latent:
    /// `latent_dim` is 0).
    pub source: Option<SourceInfo>,
    /// What a super-resolution G does, for upscale tasks (G has no latent either).
    pub upscale: Option<UpscaleInfo>,
    /// The networks in words ("DCGAN", "U-Net G, PatchGAN D").
    pub networks: String,
    /// The settings that may change while it trains, as they are now.
    pub balance: Balance,
    /// D has no input-gradient adjoint (a ViT): a gradient penalty on it is estimated by
    /// finite differences along random directions, and the UI says so.
    pub penalty_estimated: bool,
    /// G's weights are averaged over steps (`[game] ema`): samples and exports use the
    /// average unless asked otherwise.
    pub ema: bool,
    /// Real images per class the run trains on (`[train] real_per_class`, the low-data
    /// setting); `None` for the whole data set.
    pub real_per_class: Option<usize>,
}

/// A super-resolution G: images of `channels` enlarged `scale` times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UpscaleInfo {
    pub scale: usize,
    pub channels: usize,
}

/// The source images of an image-to-image task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceInfo {
    pub channels: usize,
    /// Side of the square images.
    pub size: usize,
}

impl SourceInfo {
    /// The source of `shape` (2-D points have none: a zero-sized image).
    pub fn of(shape: crate::data::SampleShape) -> SourceInfo {
        match shape {
            crate::data::SampleShape::Image {
                channels, height, ..
            } => SourceInfo {
                channels,
                size: height,
            },
            crate::data::SampleShape::Points2 => SourceInfo {
                channels: 0,
                size: 0,
            },
        }
    }
}

/// Something the engine reports to its front end.
#[derive(Clone, Debug)]
pub enum Event {
    /// A run was built and is paused at step 0.
    Loaded(RunInfo),
    /// Reading the data of preset `preset` for a Load: `done` of `total` images (or pairs)
    /// decoded (`total` 0 while it is being examined).
    DataProgress {
        preset: String,
        done: usize,
        total: usize,
    },
    /// Training started or stopped advancing; `step` is the step count at that moment.
    Running { running: bool, step: u64 },
    /// Metrics of consecutive steps, batched (at most a few dozen events a second).
    Metrics(Vec<StepMetrics>),
    /// New samples from the fixed latent vectors, taken after `step` steps; `saved` says the
    /// recorded run keeps this grid (the GUI keeps grids by wall clock, not every one shown).
    Samples {
        step: u64,
        view: SampleView,
        saved: bool,
    },
    /// The explorer holds a new snapshot of G, taken after `step` steps; views drawn from an
    /// older one should be requested again.
    Snapshot { step: u64 },
    /// The answer to [`ExploreRequest::Render`] `id`, from the snapshot of `step`.
    Rendered {
        id: u64,
        target: RenderTarget,
        step: u64,
        output: Rendered,
    },
    /// Principal directions of the snapshot of `step`.
    Directions { step: u64, directions: Directions },
    /// How far the principal directions under way have come: `done` of `total` units.
    DirectionsProgress { done: usize, total: usize },
    /// Coverage and balance measurements.
    Diagnostics(Box<Diagnostics>),
    /// Generated samples (top row) over their nearest real neighbours (bottom row), with the
    /// pixel distances, after `step` steps.
    Neighbours {
        step: u64,
        image: RgbaImage,
        distances: Vec<f32>,
    },
    /// A rule of thumb fired (see [`crate::metrics::alarms`]).
    Alarm(Alarm),
    /// New balance settings are in force from the next step.
    BalanceApplied(Balance),
    /// The current run is recorded into this folder (from now on).
    Recording(std::path::PathBuf),
    /// Something happened to the run that its event log keeps (pauses, checkpoints, alarms,
    /// settings changed): the front end draws markers from these.
    Logged(RunEvent),
    /// Something the user should know that is not an error (e.g. a device fallback).
    Notice(String),
    /// Something the user asked for is done ("saved the checkpoint of step 40 to …").
    Done(String),
    /// The augmentation experiment `experiment` runs on the snapshot of G of training step
    /// `step` (the explorer's, which may be a little older than the live run); its log in a
    /// recorded run is `lab/step<step>.jsonl`.
    LabStarted { experiment: u64, step: u64 },
    /// One arm of the augmentation experiment `experiment` is measured (see
    /// [`ExploreRequest::Experiment`]); every result arrives, in order.
    LabResult { experiment: u64, result: ArmResult },
    /// Bytes the recorded run's folder holds (reported at most once a second, on change).
    DiskUse(u64),
    /// A remote device is being connected (at most `engine::remote::CONNECT_TIMEOUT`); the
    /// next `Loaded` or `Error` ends it.
    Connecting { address: String },
    /// The remote device stopped answering and the run was dropped (an `Error` says why);
    /// `checkpoint`, its last one, is what a reconnect continues from.
    RemoteLost {
        checkpoint: Option<std::path::PathBuf>,
    },
    /// A failure; the engine keeps serving commands. `fatal_to_run` says whether the run was
    /// dropped (a crash) or only paused (e.g. a NaN caught before it reached the weights).
    Error { message: String, fatal_to_run: bool },
    /// The engine thread has ended (after [`Command::Shutdown`]).
    Stopped,
}

/// A front end's ends of the channels to the engine: commands to the training thread,
/// requests to the explorer, and the events both send back.
pub struct Link {
    pub commands: Sender<Command>,
    pub explore: Sender<ExploreRequest>,
    pub events: Receiver<Event>,
}

impl Link {
    /// Send a command; returns false when the engine thread is gone.
    pub fn send(&self, command: Command) -> bool {
        self.commands.send(command).is_ok()
    }

    /// Send an explorer request; returns false when the explorer is gone.
    pub fn request(&self, request: ExploreRequest) -> bool {
        self.explore.send(request).is_ok()
    }
}

/// Something that happened to a run, besides its per-step metrics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunEvent {
    /// Steps completed when it happened.
    pub step: u64,
    pub kind: EventKind,
    /// What happened, for people.
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Training started (or went on after a pause).
    Train,
    Pause,
    /// A checkpoint was saved.
    Checkpoint,
    /// A rule of thumb fired (see `metrics::alarms`).
    Alarm,
    /// A setting changed while the run was loaded (drawn as a marker on the plots).
    Change,
    /// The run continued from a checkpoint: in place, or as a fork of another run.
    Resume,
    /// The task's schedule began a new phase (SRGAN's adversarial phase after the MSE
    /// warm-up); drawn as a marker on the plots.
    Phase,
}
