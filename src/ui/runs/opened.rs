//! A run opened from its folder (File → Open run, or `ganscope open DIR`): its curves, event
//! log and saved sample grids, kept up to date by a follower thread while the folder grows.

use crate::preset::Preset;
use crate::runs::follow::{self, Follower, Following, Update};
use crate::runs::{self, RunEvent};
use crate::ui::curves::Curves;
use egui::Color32;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A run counts as growing when its folder changed this recently.
const GROWING_FOR: Duration = Duration::from_secs(5);

pub struct OpenedRun {
    pub folder: PathBuf,
    /// Its folder's full path as text: the key of its smoothed curves.
    pub key: String,
    pub name: String,
    pub color: Color32,
    /// Drawn in the comparison plots.
    pub visible: bool,
    pub preset: Option<Preset>,
    pub curves: Curves,
    /// Seconds of training at the last step read.
    pub trained_s: f64,
    pub events: Vec<RunEvent>,
    /// Steps of its saved sample grids, oldest first.
    pub samples: Vec<u64>,
    /// Steps of its checkpoints, oldest first.
    pub checkpoints: Vec<u64>,
    /// Why the folder could not be read at the last try, if it could not.
    pub problem: Option<String>,
    following: Following,
    /// When the folder last changed after it was first read.
    changed_at: Option<Instant>,
    read_once: bool,
}

impl OpenedRun {
    /// Open `folder` and start following it; `wake` asks for a frame when it changes.
    pub fn open(
        folder: &Path,
        color: Color32,
        wake: impl Fn() + Send + 'static,
    ) -> anyhow::Result<OpenedRun> {
        let follower = Follower::open(folder)?;
        let following = follow::spawn(follower, follow::POLL_EVERY, wake)?;
        Ok(OpenedRun {
            folder: folder.to_path_buf(),
            key: folder.display().to_string(),
            name: runs::display_name(folder),
            color,
            visible: true,
            // Read by the follower's first poll, off the UI thread.
            preset: None,
            curves: Curves::default(),
            trained_s: 0.0,
            events: Vec::new(),
            samples: Vec::new(),
            checkpoints: Vec::new(),
            problem: None,
            following,
            changed_at: None,
            read_once: false,
        })
    }

    /// Fold what the follower found since the last frame; true when anything changed.
    pub fn intake(&mut self) -> bool {
        let updates: Vec<Update> = self.following.updates.try_iter().collect();
        let changed = !updates.is_empty();
        for update in updates {
            self.apply(update);
        }
        if changed && self.read_once {
            self.changed_at = Some(Instant::now());
        }
        self.read_once |= changed;
        changed
    }

    fn apply(&mut self, update: Update) {
        if update.restarted {
            self.curves = Curves::default();
        }
        for m in &update.metrics {
            self.curves.push(m);
            self.trained_s = m.wall_s;
        }
        self.events.extend(update.events);
        if let Some(samples) = update.samples {
            self.samples = samples;
        }
        if let Some(checkpoints) = update.checkpoints {
            self.checkpoints = checkpoints;
        }
        if let Some(preset) = update.preset {
            self.preset = Some(*preset);
        }
        self.problem = update.error;
    }

    /// Whether the folder grew in the last few seconds (another process is training it).
    pub fn growing(&self) -> bool {
        self.changed_at.is_some_and(|t| t.elapsed() < GROWING_FOR)
    }

    /// One line about the run for its row in the runs list.
    pub fn summary(&self) -> String {
        let preset = self.preset.as_ref().map_or("unknown preset", |p| &p.name);
        format!(
            "{preset} · {} steps · {:.0} s trained{}",
            self.curves.len(),
            self.trained_s,
            if self.growing() { " · growing" } else { "" }
        )
    }
}
