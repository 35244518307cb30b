//! The app's dealings with run folders: recording settings sent to the engine, checkpoints
//! on demand, runs opened from disk (File → Open run, `ganscope open`) and a clean quit that
//! lets the engine save its last checkpoint.

use super::GanscopeApp;
use crate::protocol::{Command, Event};
use crate::ui::controls::Action;
use crate::ui::runs::RunRequest;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Longest wait on quit for the engine to save its last checkpoint.
const QUIT_WAIT: Duration = Duration::from_secs(20);

/// A folder the user picked in a dialog, and what for.
pub(super) enum FolderChoice {
    OpenRun(PathBuf),
    RunsFolder(PathBuf),
}

impl GanscopeApp {
    /// Open these run folders beside the live run (at the next frame), following each.
    pub fn open_runs(&mut self, folders: impl IntoIterator<Item = PathBuf>) {
        self.to_open.extend(folders);
    }

    /// Tell the engine where (and whether) to record, and how often to checkpoint.
    pub(super) fn send_recording(&self) {
        let recording = &self.recording;
        self.link.send(Command::RecordInto(
            recording.enabled.then(|| recording.runs_folder.clone()),
        ));
        self.link
            .send(Command::SetCheckpointEvery(recording.checkpoint_every));
    }

    /// Apply one of the run-folder actions.
    pub(super) fn apply_file_action(&mut self, action: Action) {
        match action {
            Action::SaveCheckpoint => {
                self.link.send(Command::SaveCheckpoint);
            }
            Action::OpenRun => {
                let choices = self.folder_choices.0.clone();
                self.exporter.pick_folder(move |folder| {
                    let _ = choices.send(FolderChoice::OpenRun(folder));
                });
            }
            Action::ChooseRunsFolder => {
                let choices = self.folder_choices.0.clone();
                self.exporter.pick_folder(move |folder| {
                    let _ = choices.send(FolderChoice::RunsFolder(folder));
                });
            }
            Action::SetRecording(enabled) => {
                self.recording.enabled = enabled;
                self.send_recording();
            }
            Action::SetCheckpointEvery(every) => {
                self.recording.checkpoint_every = every;
                self.send_recording();
            }
            _ => {}
        }
    }

    /// Fold folders picked in dialogs, and open the runs waiting to be opened.
    pub(super) fn take_folders(&mut self, ctx: &egui::Context) {
        while let Ok(choice) = self.folder_choices.1.try_recv() {
            match choice {
                FolderChoice::OpenRun(folder) => self.to_open.push(folder),
                FolderChoice::RunsFolder(folder) => {
                    self.recording.runs_folder = folder;
                    self.recording.enabled = true;
                    self.send_recording();
                }
            }
        }
        for folder in std::mem::take(&mut self.to_open) {
            if let Err(e) = self.runs.open(&folder, ctx) {
                self.run.apply(Event::Error {
                    message: format!("cannot open the run: {e:#}"),
                    fatal_to_run: false,
                });
            }
        }
        self.runs.intake();
    }

    /// Load an opened run's checkpoint into the engine, paused, to train on.
    pub fn continue_run(&mut self, request: RunRequest) {
        let RunRequest::Continue { checkpoint, fork } = request;
        self.link.send(Command::Resume {
            checkpoint,
            preset: None,
            device: self.device,
            fork,
        });
        // The engine now holds this run: Train must not reload the selected preset (the
        // selection follows the run's preset once it is loaded).
        self.loaded = self.selected.zip(Some(self.device));
    }

    /// Stop the engine, letting it save the recorded run's last checkpoint; gives up after
    /// [`QUIT_WAIT`].
    pub(super) fn shut_down(&mut self) {
        if !self.link.send(Command::Shutdown) {
            return;
        }
        let deadline = Instant::now() + QUIT_WAIT;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.link.events.recv_timeout(left) {
                Ok(Event::Stopped) | Err(_) => return,
                Ok(event) => self.run.apply(event),
            }
        }
    }
}
