//! The GUI run's folder on disk: which runs folder to record into, the [`Recorder`] of the
//! current run, its run-event log and its checkpoints (on demand, every N steps and when the
//! app quits). A run's folder is created at its first training step, so browsing presets
//! leaves no empty folders behind. A failed write stops the recording with a message;
//! training goes on.

use super::trainer::{Trainer, checkpoint};
use crate::metrics::alarms::Alarm;
use crate::protocol::{Diagnostics, Event, SampleView, StepMetrics};
use crate::runs::{self, EventKind, RunEvent, record::Recorder};
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Default)]
pub(super) struct Recording {
    /// The folder new runs are created in; `None` records nothing.
    root: Option<PathBuf>,
    recorder: Option<Recorder>,
    /// Save a checkpoint every this many steps (0 = only on demand and on quit).
    every: u64,
    /// Step of the current run's latest checkpoint, and when it was saved.
    last_checkpoint: Option<u64>,
    checkpointed_at: Option<Instant>,
    /// When the current run's folder opened, and when it last got a sample grid.
    opened_at: Option<Instant>,
    sampled_at: Option<Instant>,
    /// Step of the last grid saved.
    sampled_step: Option<u64>,
}

/// Periodic checkpoints come at most this often (on demand and on quit, whenever asked).
const CHECKPOINT_GAP: Duration = Duration::from_secs(60);
/// Sample grids are saved at most once per this long, or per this share of the time the run
/// has been recorded, whichever is longer: dense early, when the samples change fastest, and
/// thinning out later (an hour keeps about 250 grids, however fast the steps are).
const SAMPLE_GAP: Duration = Duration::from_secs(1);
const SAMPLE_GAP_SHARE: f64 = 0.02;

impl Recording {
    /// Record later runs (from their next step) under `root`, or stop recording them.
    pub fn set_root(&mut self, root: Option<PathBuf>) {
        self.root = root;
    }

    pub fn set_every(&mut self, every: u64) {
        self.every = every;
    }

    /// The current run's folder, while it is recorded.
    pub fn folder(&self) -> Option<PathBuf> {
        self.recorder.as_ref().map(|r| r.folder().to_path_buf())
    }

    /// Close the current run's folder (a new run is about to start).
    pub fn end(&mut self) -> Option<Event> {
        self.last_checkpoint = None;
        self.checkpointed_at = None;
        self.opened_at = None;
        self.sampled_at = None;
        self.sampled_step = None;
        let recorder = self.recorder.take()?;
        recorder.finish().err().map(|e| error(format!("{e:#}")))
    }

    /// Make sure the current run has a folder (when a runs folder is set); on creating one it
    /// writes the current samples into it and says where it is.
    pub fn ensure(&mut self, trainer: &Trainer) -> Vec<Event> {
        if self.recorder.is_some() {
            return Vec::new();
        }
        let Some(root) = self.root.clone() else {
            return Vec::new();
        };
        let preset = trainer.preset();
        let started = runs::new_folder(&root, &preset.name)
            .map_err(anyhow::Error::from)
            .and_then(|folder| Recorder::create(&folder, preset, ""));
        match started {
            Ok(recorder) => {
                recorder.samples(trainer.steps_done(), trainer.samples());
                let folder = recorder.folder().to_path_buf();
                self.recorder = Some(recorder);
                self.opened_at = Some(Instant::now());
                self.sampled_at = self.opened_at;
                self.sampled_step = Some(trainer.steps_done());
                vec![Event::Recording(folder)]
            }
            Err(e) => {
                self.root = None;
                vec![error(format!(
                    "cannot record this run under {}: {e:#}. Training goes on; choose another \
                     runs folder to record the next run.",
                    root.display()
                ))]
            }
        }
    }

    /// Record a run resumed from `checkpoint` (already loaded into `trainer`): in the
    /// checkpoint's own folder, or with `fork` in a new one. Returns the events that say so
    /// and the history the run starts with, for the front end's curves.
    pub fn resume(
        &mut self,
        trainer: &Trainer,
        checkpoint: &Path,
        fork: bool,
    ) -> anyhow::Result<(Vec<Event>, Vec<StepMetrics>)> {
        let run = checkpoint::run_of(checkpoint)?;
        let step = trainer.steps_done();
        let (recorder, history) = if fork {
            let root = self
                .root
                .clone()
                .context("turn on Record runs to fork: the fork gets its own folder")?;
            let history = runs::history_until(&run, step);
            let folder = runs::new_folder(&root, &trainer.preset().name)?;
            (
                Recorder::create(&folder, trainer.preset(), &history.text)?,
                history,
            )
        } else {
            // Locked before it is cut back, so no other writer comes in between.
            let lock = runs::lock::RunLock::acquire(&run)?;
            let history = runs::truncate_after(&run, step)?;
            (
                Recorder::create_locked(&run, trainer.preset(), &history.text, lock)?,
                history,
            )
        };
        let folder = recorder.folder().to_path_buf();
        recorder.samples(step, trainer.samples());
        self.recorder = Some(recorder);
        self.last_checkpoint = (!fork).then_some(step);
        self.opened_at = Some(Instant::now());
        self.sampled_at = self.opened_at;
        self.sampled_step = Some(step);
        self.checkpointed_at = self.opened_at;
        let text = if fork {
            format!("forked from {} at step {step}", checkpoint.display())
        } else {
            format!("continued from step {step}")
        };
        let mut events = vec![
            Event::Recording(folder),
            self.log(step, EventKind::Resume, text),
        ];
        if history.unreadable > 0 {
            events.push(Event::Notice(format!(
                "{} unreadable line(s) of {} were left out; every readable step was kept",
                history.unreadable,
                runs::METRICS
            )));
        }
        let metrics = history
            .text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        Ok((events, metrics))
    }

    /// Record one step and save the periodic checkpoint when due.
    pub fn step(
        &mut self,
        trainer: &Trainer,
        m: &StepMetrics,
        diagnostics: Option<&Diagnostics>,
        alarms: &[Alarm],
    ) -> Vec<Event> {
        let Some(recorder) = &self.recorder else {
            return Vec::new();
        };
        recorder.step(m, diagnostics, alarms);
        let mut events: Vec<Event> = alarms
            .iter()
            .map(|a| self.log(a.step, EventKind::Alarm, format!("{}. {}.", a.saw, a.helps)))
            .collect();
        let checkpoint_due = self
            .checkpointed_at
            .is_none_or(|at| at.elapsed() >= CHECKPOINT_GAP);
        let periodic = self.every > 0 && m.step.is_multiple_of(self.every);
        // A remote server can vanish with the run's weights: such a run also keeps a
        // checkpoint from its first step on, one per CHECKPOINT_GAP, whatever `every` says.
        if (periodic || trainer.is_remote()) && checkpoint_due {
            events.extend(self.checkpoint(trainer, false));
        }
        events.extend(self.failed());
        events
    }

    /// Record a sample grid the front end is shown: always when `keep` (a pause), else when
    /// the last one saved is old enough (see [`SAMPLE_GAP`]).
    /// Returns whether the grid of `step` is kept in the run's folder.
    pub fn samples(&mut self, step: u64, view: &SampleView, keep: bool) -> bool {
        let Some(recorder) = &self.recorder else {
            return false;
        };
        let now = Instant::now();
        let recorded = self.opened_at.map_or(Duration::ZERO, |at| now - at);
        let gap = SAMPLE_GAP.max(recorded.mul_f64(SAMPLE_GAP_SHARE));
        let saved = self.sampled_step == Some(step);
        if !saved && (keep || self.sampled_at.is_none_or(|at| now - at >= gap)) {
            recorder.samples(step, view.clone());
            self.sampled_at = Some(now);
            self.sampled_step = Some(step);
        }
        self.sampled_step == Some(step)
    }

    /// Whether a grid must still be saved for `step` to keep it (a pause at a step whose
    /// grid was shown but passed over).
    pub fn wants_samples(&self, step: u64) -> bool {
        self.recorder.is_some() && self.sampled_step != Some(step)
    }

    /// Bytes the current run's folder holds (`None` when not recording).
    pub fn bytes(&self) -> Option<u64> {
        self.recorder.as_ref().map(Recorder::bytes)
    }

    /// Log a run event (to the folder when recording) and hand it to the front end.
    pub fn log(&self, step: u64, kind: EventKind, text: String) -> Event {
        if let Some(recorder) = &self.recorder {
            recorder.event(step, kind, text.clone());
        }
        Event::Logged(RunEvent { step, kind, text })
    }

    /// Save a checkpoint of the current step into the run's folder (creating the folder if
    /// need be). `announce` adds a notice for the user (a save they asked for).
    pub fn checkpoint(&mut self, trainer: &Trainer, announce: bool) -> Vec<Event> {
        let mut events = self.ensure(trainer);
        let Some(recorder) = &self.recorder else {
            events.push(error(
                "there is no runs folder to save into: choose one under Run folder".into(),
            ));
            return events;
        };
        let step = trainer.steps_done();
        let saved = recorder
            .sync()
            .and_then(|()| trainer.save_checkpoint(recorder.folder()));
        match saved {
            Ok(path) => {
                self.last_checkpoint = Some(step);
                self.checkpointed_at = Some(Instant::now());
                recorder.add_bytes(runs::folder_bytes(&path));
                events.push(self.log(
                    step,
                    EventKind::Checkpoint,
                    format!("saved {}", path.display()),
                ));
                if announce {
                    events.push(Event::Done(format!(
                        "saved the checkpoint of step {step} to {}",
                        path.display()
                    )));
                }
            }
            Err(e) => events.push(error(format!(
                "could not save the checkpoint of step {step}: {e:#}. Earlier checkpoints are \
                 untouched."
            ))),
        }
        events
    }

    /// On quit: save a checkpoint unless the latest one is of this step (or nothing was
    /// trained), then close the folder.
    pub fn close(&mut self, trainer: Option<&Trainer>) -> Vec<Event> {
        let mut events = Vec::new();
        if let Some(trainer) = trainer {
            let step = trainer.steps_done();
            if step > 0 && self.last_checkpoint != Some(step) && self.root.is_some() {
                events.extend(self.checkpoint(trainer, false));
            }
        }
        events.extend(self.end());
        events
    }

    /// A write error that stopped the recording: report it and stop recording this run.
    fn failed(&mut self) -> Option<Event> {
        let message = self.recorder.as_ref()?.take_error()?;
        self.recorder = None;
        Some(error(format!(
            "{message}. Training goes on without recording."
        )))
    }
}

fn error(message: String) -> Event {
    Event::Error {
        message,
        fatal_to_run: false,
    }
}
