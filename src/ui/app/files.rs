//! The app's dealings with run folders: recording settings sent to the engine, checkpoints
//! on demand, runs opened from disk (File → Open run, `ganscope open`) and a clean quit that
//! lets the engine save its last checkpoint.

use super::GanscopeApp;
use crate::preset::Preset;
use crate::protocol::{Command, Event};
use crate::ui::controls::Action;
use crate::ui::data_import::{DataImport, ImportOutcome};
use crate::ui::export::{self, FileRequest, FolderPurpose};
use crate::ui::file_prompt::{FilePrompt, PromptOutcome};
use crate::ui::runs::RunRequest;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Longest wait on quit for the engine to save its last checkpoint.
const QUIT_WAIT: Duration = Duration::from_secs(20);

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
                self.exporter
                    .request(FileRequest::Folder(FolderPurpose::OpenRun));
            }
            Action::OpenData => {
                self.exporter
                    .request(FileRequest::Folder(FolderPurpose::OpenData));
            }
            Action::ChooseRunsFolder => {
                self.exporter
                    .request(FileRequest::Folder(FolderPurpose::RunsFolder));
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

    /// Fold folders picked in dialogs (native or the in-app prompt) and run folders dropped
    /// on the window, and open the runs waiting to be opened.
    pub(super) fn take_folders(&mut self, ctx: &egui::Context) {
        for (purpose, folder) in self.exporter.chosen() {
            self.use_folder(purpose, folder);
        }
        for (request, reason) in self.exporter.fallbacks() {
            let last = match &request {
                export::FileRequest::Folder(purpose) => {
                    self.last_folders.get(&format!("{purpose:?}")).cloned()
                }
                export::FileRequest::Save(_) => None,
            };
            self.prompt = Some(FilePrompt::new(
                request,
                reason,
                &export::exports_folder(),
                &self.recording.runs_folder,
                last.as_deref(),
            ));
        }
        if let Some(prompt) = &mut self.prompt {
            match prompt.ui(ctx) {
                PromptOutcome::Open => {}
                PromptOutcome::Cancelled => self.prompt = None,
                PromptOutcome::Save(export, path) => {
                    self.prompt = None;
                    self.exporter.write_to(export, path);
                }
                PromptOutcome::Folder(purpose, folder) => {
                    self.prompt = None;
                    self.use_folder(purpose, folder);
                }
            }
        }
        self.take_dropped(ctx);
        self.show_import(ctx);
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

    /// Act on a folder the user chose for `purpose`.
    fn use_folder(&mut self, purpose: FolderPurpose, folder: PathBuf) {
        // Proposed again the next time the same kind of path is asked for.
        self.last_folders
            .insert(format!("{purpose:?}"), folder.clone());
        match purpose {
            FolderPurpose::OpenRun => self.to_open.push(folder),
            FolderPurpose::RunsFolder => {
                self.recording.runs_folder = folder;
                self.recording.enabled = true;
                self.send_recording();
            }
            FolderPurpose::Generator => {
                self.link.send(Command::ExportGenerator(folder));
            }
            FolderPurpose::SyntheticSet => self.write_synthetic(&folder),
            FolderPurpose::OpenData => self.import = Some(DataImport::start(folder)),
            FolderPurpose::ImageToUpscale => {
                if self.explorer.open_image(folder) {
                    self.tab = crate::ui::settings::Tab::Explorer;
                }
            }
            FolderPurpose::LocateData => {
                if let Some(request) = self.locating.take() {
                    self.resume_with_data(request, &folder);
                }
            }
        }
    }

    /// Continue `request`'s run on the data now at `folder`: its preset with the new path
    /// (the same architecture, so the checkpoint loads; a change in the data is reported).
    fn resume_with_data(&mut self, request: RunRequest, folder: &Path) {
        let RunRequest::Continue { checkpoint, fork } = request;
        let preset = Preset::from_file(&checkpoint.join(crate::runs::PRESET)).map(|mut p| {
            p.dataset = p.dataset.at(folder);
            p
        });
        match preset {
            Ok(preset) => {
                self.link.send(Command::Resume {
                    checkpoint,
                    preset: Some(Box::new(preset)),
                    device: self.device,
                    fork,
                });
                self.loaded = self.selected.zip(Some(self.device));
                self.run.say_after_load(format!(
                    "the run's data had moved: it continues with the data now at {}",
                    folder.display()
                ));
            }
            Err(e) => self.run.apply(Event::Error {
                message: format!("cannot continue the run: {e}"),
                fatal_to_run: false,
            }),
        }
    }

    /// The "Your data" window, while one is open: a preset made there is listed and loaded.
    fn show_import(&mut self, ctx: &egui::Context) {
        let Some(import) = &mut self.import else {
            return;
        };
        match import.ui(ctx, &self.presets, &self.user_presets) {
            ImportOutcome::Open => {}
            ImportOutcome::Cancelled => self.import = None,
            ImportOutcome::Create(preset, saved) => {
                self.import = None;
                self.run.apply(Event::Done(format!(
                    "Saved preset {} in {}",
                    preset.name,
                    saved.display()
                )));
                self.presets.push(*preset);
                self.apply_action(Action::SelectPreset(self.presets.len() - 1));
            }
        }
    }

    /// Run folders dropped on the window are opened (a file dropped from inside a run
    /// folder opens its run); a data set opens the "Your data" window; anything else is
    /// refused with a message. While files hover
    /// over the window, a hint says what dropping does.
    fn take_dropped(&mut self, ctx: &egui::Context) {
        let (hovering, dropped) = ctx.input(|i| {
            (
                !i.raw.hovered_files.is_empty(),
                i.raw
                    .dropped_files
                    .iter()
                    .map(|f| f.path().to_path_buf())
                    .collect::<Vec<_>>(),
            )
        });
        if hovering {
            let painter = ctx.layer_painter(egui::LayerId::new(
                egui::Order::Foreground,
                egui::Id::unique("drop-hint"),
            ));
            let screen = ctx.content_rect();
            painter.rect_filled(screen, 0.0, egui::Color32::from_black_alpha(160));
            painter.text(
                screen.center(),
                egui::Align2::CENTER_CENTER,
                if self.explorer.compare().is_some() {
                    "Drop a run folder to open it, a data set to train on, or an image to upscale"
                } else {
                    "Drop a run folder to open it, or a data set to train on"
                },
                egui::FontId::proportional(24.0),
                egui::Color32::WHITE,
            );
        }
        for path in dropped {
            // An image dropped while a super-resolution G is loaded is upscaled.
            if path.is_file()
                && crate::data::files::folder::is_image(&path)
                && self.explorer.open_image(path.clone())
            {
                self.tab = crate::ui::settings::Tab::Explorer;
                continue;
            }
            match crate::runs::run_folder_of(&path) {
                Some(run) => self.to_open.push(run),
                None => match crate::data::files::detect(&path) {
                    Ok(_) => self.import = Some(DataImport::start(path)),
                    Err(why) => self.run.apply(Event::Error {
                        message: format!(
                            "{} is neither a run folder (one holds {}) nor a data set: {why}",
                            path.display(),
                            crate::runs::METRICS
                        ),
                        fatal_to_run: false,
                    }),
                },
            }
        }
    }

    /// Load an opened run's checkpoint into the engine, paused, to train on. When the run's
    /// file data is no longer where it was recorded, ask where it is now first.
    pub fn continue_run(&mut self, request: RunRequest) {
        let RunRequest::Continue { checkpoint, fork } = &request;
        let moved = Preset::from_file(&checkpoint.join(crate::runs::PRESET))
            .ok()
            .and_then(|p| p.dataset.file_path().filter(|path| !path.exists()));
        if let Some(path) = moved {
            self.run.apply(Event::Notice(format!(
                "the run's data is no longer at {}: pick where it is now",
                path.display()
            )));
            self.locating = Some(request);
            self.exporter
                .request(FileRequest::Folder(FolderPurpose::LocateData));
            return;
        }
        let (checkpoint, fork) = (checkpoint.clone(), *fork);
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
