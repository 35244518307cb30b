//! Command line: `ganscope` opens the GUI; `train` and `bench` run the same engine headless.

pub mod bench;
pub mod train;

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
    /// Train headless, writing metrics.jsonl and sample PNGs to a run folder.
    Train {
        /// Preset name (from the presets folder) or path to a preset .toml.
        #[arg(long)]
        preset: String,
        /// Training steps (one step = k D-updates + one G-update).
        #[arg(long, default_value_t = 1000)]
        steps: u64,
        #[arg(long, value_enum, default_value_t = DeviceChoice::Auto)]
        device: DeviceChoice,
        /// Output folder (default: runs/<preset>-<unix time>).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Measure training and generation throughput; prints one JSON line.
    Bench {
        #[arg(long)]
        preset: String,
        #[arg(long, value_enum, default_value_t = DeviceChoice::Auto)]
        device: DeviceChoice,
        /// Timed training steps (default: 30 for images, 2000 for 2-D points).
        #[arg(long)]
        steps: Option<u64>,
        /// Also time each phase of a step (syncing the device at every phase boundary) in a
        /// second, separate pass over the same number of steps.
        #[arg(long)]
        profile: bool,
        /// Also measure the GUI's frame time (headless egui) while training runs flat out,
        /// for this many seconds.
        #[arg(long)]
        ui_seconds: Option<f64>,
    },
    /// List the presets and any that failed to load.
    Presets,
}

/// Seconds since the Unix epoch, for default run-folder names.
pub fn unix_time() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
