//! Command line: `ganscope` opens the GUI (`open` with run folders beside it); `train`,
//! `bench`, `interpolate`, `sample`, `apply`, `upscale`, `data`, `synthesize` and `augment` run
//! the same engine headless.

pub mod apply;
pub mod augment;
pub mod bench;
pub mod data;
pub mod interpolate;
pub mod remote;
pub mod sample;
pub mod synthesize;
pub mod train;
pub mod upscale;

use crate::latent::InterpMode;
use crate::protocol::DeviceChoice;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "ganscope",
    version,
    about = "Train GANs interactively and watch them learn."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<CliCommand>,
}

#[derive(Subcommand, Debug)]
pub enum CliCommand {
    /// Open the desktop app (the default).
    Gui {
        /// Preset selected when the window opens.
        #[arg(long)]
        preset: Option<String>,
    },
    /// Open the app with run folders beside the live run: their curves in the comparison
    /// plots, their saved samples in the scrubber, followed live while they grow (e.g. a run
    /// training on a server into a synced folder).
    Open {
        /// Run folders (written by `ganscope train` or by the app).
        #[arg(required = true)]
        runs: Vec<PathBuf>,
    },
    /// Train headless, writing metrics.jsonl, sample PNGs and checkpoints to a run folder.
    Train {
        /// Preset name (from the presets folder) or path to a preset .toml. With --resume,
        /// defaults to the checkpoint's own preset (another one of the same architecture forks
        /// the run with new hyper-parameters).
        #[arg(long, required_unless_present = "resume")]
        preset: Option<String>,
        /// Continue from a checkpoint folder, or from the newest checkpoint of a run folder.
        #[arg(long)]
        resume: Option<PathBuf>,
        /// Also save a checkpoint every this many steps, at least 1 (one is always saved at
        /// the end).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
        checkpoint_every: Option<u64>,
        /// Training steps (one step = k D-updates + one G-update).
        #[arg(long, default_value_t = 1000)]
        steps: u64,
        /// Also stop once this many seconds of training have passed (time spent training,
        /// without the measurements between steps), measuring the diagnostics at that last
        /// step: for comparing runs at equal training time.
        #[arg(long, value_parser = positive_seconds)]
        seconds: Option<f64>,
        /// auto, gpu, cpu, or remote:ws://HOST:PORT (a `ganscope serve` elsewhere; the token
        /// from GANSCOPE_REMOTE_TOKEN).
        #[arg(long, value_parser = remote::device_arg, default_value = "auto")]
        device: DeviceChoice,
        /// Output folder (default: runs/<preset>-<unix time>; with --resume, the checkpoint's
        /// own run folder).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Train the preset's model and game on the data set at this path (format detected;
        /// see `ganscope data`) instead of the preset's own data, at the preset's image size
        /// and channels.
        #[arg(long, conflicts_with = "resume")]
        data: Option<PathBuf>,
    },
    /// Examine a data set: print what ganscope finds at PATH (format, images, classes with
    /// their counts, sizes) as one JSON line; exit with the reason when nothing usable is there.
    Data { path: PathBuf },
    /// Measure training and generation throughput; prints one JSON line.
    Bench {
        /// Preset name or .toml path (with --compare-kernels: whose DCGAN layers to time,
        /// default dcgan32-ref).
        #[arg(long, required_unless_present = "compare_kernels")]
        preset: Option<String>,
        /// auto, gpu, cpu, or remote:ws://HOST:PORT (a `ganscope serve` elsewhere; the token
        /// from GANSCOPE_REMOTE_TOKEN).
        #[arg(long, value_parser = remote::device_arg, default_value = "auto")]
        device: DeviceChoice,
        /// Timed training steps (default: 30 for images, 2000 for 2-D points).
        #[arg(long)]
        steps: Option<u64>,
        /// Also time each phase of a step (syncing the device at every phase boundary) in a
        /// second, separate pass over the same number of steps.
        #[arg(long)]
        profile: bool,
        /// Also measure the GUI's frame time (headless egui) while training runs flat out,
        /// for this many seconds (more than 0, at most 3600).
        #[arg(long, value_parser = seconds)]
        ui_seconds: Option<f64>,
        /// Also measure the explorer: drag a latent slider continuously in the headless app
        /// while the engine trains flat out, for this many seconds, and report the time from
        /// each change to the upload of its image (p50/p99); more than 0, at most 3600.
        #[arg(long, value_parser = seconds)]
        explore_seconds: Option<f64>,
        /// The CPU kernels to train with: ganscope's batch-folded convolutions and fused
        /// LeakyReLU, batch norm and linear layers (the default) or burn's built-in ones, for
        /// before/after comparisons.
        #[arg(long, value_enum, default_value_t = KernelChoice::Folded)]
        kernels: KernelChoice,
        /// Instead of training: time each convolution layer of the preset's DCGAN on the CPU,
        /// forward and backward, with burn's built-in kernels and with ganscope's folded ones
        /// (median of several passes, milliseconds); prints one JSON line.
        #[arg(long)]
        compare_kernels: bool,
    },
    /// Walk between two latent seeds through a saved generator and write the frames as a
    /// strip PNG (and a looping GIF).
    Interpolate {
        /// A run folder written by `ganscope train`, or the generator.bpk inside it.
        #[arg(long)]
        checkpoint: PathBuf,
        /// Seed of the first frame (tile i of the sample grid is seed i).
        #[arg(long)]
        from: u64,
        /// Seed of the last frame.
        #[arg(long)]
        to: u64,
        /// Frames in the walk, ends included.
        #[arg(long, default_value_t = 8)]
        steps: usize,
        #[arg(long, value_enum, default_value_t = InterpMode::Slerp)]
        mode: InterpMode,
        /// Truncation psi (1 = none, 0 = the mean).
        #[arg(long, default_value_t = 1.0)]
        psi: f32,
        #[arg(long, default_value = "strip.png")]
        out: PathBuf,
        /// Also write the walk there and back as an animated GIF.
        #[arg(long)]
        gif: Option<PathBuf>,
        /// The class of every frame, for a conditional generator (default 0).
        #[arg(long)]
        class: Option<usize>,
        /// auto, gpu, cpu, or remote:ws://HOST:PORT (a `ganscope serve` elsewhere; the token
        /// from GANSCOPE_REMOTE_TOKEN).
        #[arg(long, value_parser = remote::device_arg, default_value = "cpu")]
        device: DeviceChoice,
    },
    /// Write generated 2-D points as CSV (x,y) and print their mode metrics as JSON: from a
    /// saved run, or from a preset trained for --steps first.
    Sample {
        /// A run folder written by `ganscope train` (or its generator.bpk).
        #[arg(long, conflicts_with = "preset", required_unless_present = "preset")]
        checkpoint: Option<PathBuf>,
        /// Train this preset (name or .toml) for --steps, then sample.
        #[arg(long)]
        preset: Option<String>,
        /// Training steps before sampling, with --preset.
        #[arg(long, default_value_t = 2000)]
        steps: u64,
        /// Replace the preset's seed, with --preset.
        #[arg(long)]
        seed: Option<u64>,
        /// Points to write (the mode-collapse papers use 2500), from 1 to 1000000.
        #[arg(long, default_value_t = 2500, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        n: u64,
        #[arg(long, default_value = "points.csv")]
        out: PathBuf,
        /// auto, gpu, cpu, or remote:ws://HOST:PORT (a `ganscope serve` elsewhere; the token
        /// from GANSCOPE_REMOTE_TOKEN).
        #[arg(long, value_parser = remote::device_arg, default_value = "cpu")]
        device: DeviceChoice,
    },
    /// Translate images with the generator of a trained image-to-image run (pix2pix): a PNG,
    /// or every PNG of a folder, into PNGs of the target's channels.
    Apply {
        /// A run folder (its newest complete checkpoint is used) or one of its checkpoints.
        #[arg(long)]
        checkpoint: PathBuf,
        /// A PNG file, or a folder of them: square, with a side the U-Net accepts.
        #[arg(long)]
        input: PathBuf,
        /// The output PNG (for one input) or folder (for a folder).
        #[arg(long)]
        out: PathBuf,
        /// auto, gpu, cpu, or remote:ws://HOST:PORT (a `ganscope serve` elsewhere; the token
        /// from GANSCOPE_REMOTE_TOKEN).
        #[arg(long, value_parser = remote::device_arg, default_value = "cpu")]
        device: DeviceChoice,
    },
    /// Upscale images with the generator of a trained super-resolution run (upscale task):
    /// any size, in overlapping tiles; with --reference, print PSNR/SSIM of the result and of
    /// bicubic against it as one JSON line (with --evaluate, against each input itself).
    Upscale {
        /// A run folder (its newest complete checkpoint is used) or one of its checkpoints.
        #[arg(long)]
        checkpoint: PathBuf,
        /// An image file (PNG, JPEG, GIF, BMP, WebP) or a folder of them.
        #[arg(long)]
        input: PathBuf,
        /// The output PNG (for one input) or folder (for a folder).
        #[arg(long)]
        out: PathBuf,
        /// The original high-resolution image (one input only; its size must be the
        /// output's) to score the result and bicubic against.
        #[arg(long)]
        reference: Option<PathBuf>,
        /// Take each input as the original instead: shrink it by the run's scale (bicubic,
        /// as training does, after cutting it to a multiple of the scale), upscale that, and
        /// print one JSON line per image with `file` and the scores against the original.
        #[arg(long, conflicts_with = "reference")]
        evaluate: bool,
        /// auto, gpu, cpu, or remote:ws://HOST:PORT (a `ganscope serve` elsewhere; the token
        /// from GANSCOPE_REMOTE_TOKEN).
        #[arg(long, value_parser = remote::device_arg, default_value = "cpu")]
        device: DeviceChoice,
    },
    /// Write a labelled synthetic set from a trained generator: --per-class images of every
    /// class as a folder with one subfolder per class (and an IDX pair for grey images), for
    /// training a classifier on; prints one JSON line. A conditional generator is told the
    /// class; an unconditional one's samples are labelled by the data set's reference
    /// classifier.
    Synthesize {
        /// A run folder written by `ganscope train` or the app (or its generator.bpk), of a
        /// preset whose data has labels.
        #[arg(long)]
        checkpoint: PathBuf,
        /// Images of every class, from 1 to 100000.
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=100_000))]
        per_class: u64,
        /// Truncation psi (1 = none, 0 = the mean latent).
        #[arg(long, default_value_t = 1.0)]
        psi: f32,
        /// For an unconditional generator: the data set's reference classifier labels each
        /// sample, which is kept only when read with at least this confidence (0 to 1).
        #[arg(long, default_value_t = 0.9)]
        min_confidence: f32,
        /// The folder to create (it must not exist yet).
        #[arg(long)]
        out: PathBuf,
        /// auto, gpu, cpu, or remote:ws://HOST:PORT (a `ganscope serve` elsewhere; the token
        /// from GANSCOPE_REMOTE_TOKEN).
        #[arg(long, value_parser = remote::device_arg, default_value = "cpu")]
        device: DeviceChoice,
    },
    /// Serve this machine's device to ganscope on other machines (burn-remote over WebSocket):
    /// they train with `--device remote:ws://HOST:PORT`, or Remote... in the app, while their
    /// window stays local. Clients must present the token in GANSCOPE_REMOTE_TOKEN (set it
    /// here too). Listens on the loopback address unless --bind says otherwise: reach it
    /// through an SSH tunnel (see the README). Runs until Ctrl+C.
    Serve {
        /// The port to listen on (0: any free port, said in the first line).
        #[arg(long)]
        port: u16,
        #[arg(long, value_enum, default_value_t = remote::ServeDevice::Gpu)]
        device: remote::ServeDevice,
        /// The address to listen on (default: loopback, this machine only).
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
    },
    /// The augmentation lab: train a small CNN on k real images per class with and without
    /// the generator's samples (and classical augmentation, and GAN samples alone), over
    /// several seeds, scored on real held-out images; prints one JSON line per arm and k.
    Augment {
        /// A run folder of a conditional preset (or its generator.bpk).
        #[arg(long)]
        checkpoint: PathBuf,
        /// Real images per class, comma-separated (e.g. 10,50,100), each from 1 to 10000.
        #[arg(long, value_delimiter = ',', required = true,
              value_parser = clap::value_parser!(u64).range(1..=10_000))]
        per_class: Vec<u64>,
        /// Classifier seeds per arm (the spread is over these), from 1 to 100.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=100))]
        seeds: u64,
        /// Classifier training steps (every arm alike; default 400), from 1 to 100000.
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=100_000))]
        steps: Option<u64>,
        /// auto, gpu, cpu, or remote:ws://HOST:PORT (a `ganscope serve` elsewhere; the token
        /// from GANSCOPE_REMOTE_TOKEN).
        #[arg(long, value_parser = remote::device_arg, default_value = "cpu")]
        device: DeviceChoice,
    },
    /// List the presets and any that failed to load.
    Presets,
}

/// The CPU kernels (convolutions, LeakyReLU, batch norm, linear), as the command line names
/// them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum KernelChoice {
    Folded,
    Builtin,
}

impl From<KernelChoice> for crate::kernels::Kernels {
    fn from(choice: KernelChoice) -> Self {
        match choice {
            KernelChoice::Folded => crate::kernels::Kernels::Folded,
            KernelChoice::Builtin => crate::kernels::Kernels::Builtin,
        }
    }
}

/// A measuring time in seconds: a number in (0, 3600].
fn seconds(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("'{text}' is not a number of seconds"))?;
    if value > 0.0 && value <= 3600.0 {
        Ok(value)
    } else {
        Err(format!("{value} is not in (0, 3600] seconds"))
    }
}

/// A training time budget in seconds: a finite number above 0 (at most a year).
fn positive_seconds(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("'{text}' is not a number of seconds"))?;
    if value > 0.0 && value <= 3.2e7 {
        Ok(value)
    } else {
        Err(format!("{value} is not in (0, 3.2e7] seconds"))
    }
}
