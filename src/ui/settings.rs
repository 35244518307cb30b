//! What the app remembers between sessions (through eframe's storage): the last preset and
//! device, the open tab, the theme, the slow-motion pace and how runs are recorded. Window
//! size and panel widths are kept by eframe and egui themselves.

use super::plots::PlotSettings;
use crate::protocol::DeviceChoice;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The main views.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Tab {
    /// Loss curves beside the sample grid.
    #[default]
    Training,
    /// The latent-space explorer beside the sample grid.
    Explorer,
    /// Mode coverage, D/G balance and alarms beside the samples.
    Health,
    /// The augmentation lab: does training on G's samples help a classifier?
    Lab,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub preset: Option<String>,
    pub device: DeviceChoice,
    pub tab: Tab,
    pub light_theme: bool,
    pub pace_ms: u32,
    pub recording: Recording,
    /// Curve smoothing and log scale.
    pub plots: PlotSettings,
    /// The remote server last connected to (`ws://HOST:PORT`), and its token only when the
    /// user asked for it to be remembered.
    pub remote_address: String,
    pub remote_token: Option<String>,
    /// The path last chosen for each kind of path the in-app prompt asks for (data, an
    /// image, an export folder…), keyed by the kind's name; proposed again.
    pub last_folders: std::collections::BTreeMap<String, std::path::PathBuf>,
}

/// Where and how the GUI's runs are kept on disk.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Recording {
    /// Each run gets its own folder in here (see [`crate::runs`]).
    pub runs_folder: PathBuf,
    /// Record runs at all.
    pub enabled: bool,
    /// Save a checkpoint every this many steps (0 = on demand and on quit only).
    pub checkpoint_every: u64,
}

impl Default for Recording {
    /// `~/ganscope/runs` (or `runs` beside the app without a home folder), recording on,
    /// a checkpoint every 1000 steps.
    fn default() -> Self {
        let home = std::env::home_dir().filter(|h| !h.as_os_str().is_empty());
        Recording {
            runs_folder: home.map_or_else(
                || PathBuf::from("runs"),
                |h| h.join("ganscope").join("runs"),
            ),
            enabled: true,
            checkpoint_every: 1000,
        }
    }
}
