//! The application: composes the views, feeds them engine events, and turns user actions
//! into engine commands. It never waits on the engine: events are drained under a time budget
//! at the start of each frame.

mod actions;
mod exporting;
mod files;
mod lab;
mod persist;
mod remote;
mod tabs;
mod windows;

use super::balance::BalanceEditor;
use super::controls::{Action, Controls};
use super::explorer::ExplorerView;
use super::export::{Exporter, NativeDialog};
use super::file_prompt::FilePrompt;
use super::frame_stats::FrameStats;
use super::health::HealthView;
use super::plots::PlotsView;
use super::run_state::RunState;
use super::runs::RunsView;
use super::runs::scrubber::Shown;
use super::samples::{SamplesView, TileMarks};
use super::settings::Recording;
use crate::preset::Preset;
use crate::protocol::{Command, DeviceChoice, Event, Link, SampleView};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Longest time one frame spends folding engine events before drawing.
const INTAKE_BUDGET: Duration = Duration::from_millis(4);
/// Preset selected at start when the user names none and it exists.
const DEFAULT_PRESET: &str = "digits-dcgan";

pub use super::settings::Tab;

pub struct GanscopeApp {
    link: Link,
    presets: Vec<Preset>,
    preset_errors: Vec<String>,
    selected: Option<usize>,
    device: DeviceChoice,
    /// The (preset, device) the engine was last told to load.
    loaded: Option<(usize, DeviceChoice)>,
    /// The path last chosen for each kind of path asked for (by `FolderPurpose` name).
    last_folders: std::collections::BTreeMap<String, PathBuf>,
    /// The (preset, device) of the run loaded now: where a connect that failed leaves the
    /// choice, since that run goes on where it was.
    trained_on: Option<(usize, DeviceChoice)>,
    run: RunState,
    plots: PlotsView,
    samples: SamplesView,
    explorer: ExplorerView,
    health: HealthView,
    exporter: Exporter,
    tab: Tab,
    pace_ms: u32,
    frames: FrameStats,
    /// eframe's CPU time per frame, painting included (native window only).
    eframe_frames: FrameStats,
    show_overlay: bool,
    show_help: bool,
    light_theme: bool,
    frame_started: Option<Instant>,
    /// Runs opened from disk, the comparison and the scrubber.
    runs: RunsView,
    /// Run folders to open at the next frame.
    to_open: Vec<PathBuf>,
    /// An action that leaves the trained run, waiting for the user's yes.
    leaving: Option<Action>,
    /// When the next frame is needed without any input (a message to take down).
    repaint_in: Option<Duration>,
    /// The in-app file prompt, while one is open (native dialogs unavailable).
    prompt: Option<FilePrompt>,
    recording: Recording,
    balance: BalanceEditor,
    /// The "Your data" window, while open.
    import: Option<crate::ui::data_import::DataImport>,
    /// Where presets made from data are saved.
    user_presets: PathBuf,
    /// A run to continue once the user says where its moved data is now.
    locating: Option<crate::ui::runs::RunRequest>,
    /// A synthetic set asked for (images per class, ψ), waiting for its folder.
    synthetic: Option<crate::ui::explorer::synthetic::Asked>,
    /// The augmentation lab's form and results.
    lab: crate::ui::lab::LabView,
    /// The Remote... window, while open.
    remote: Option<crate::ui::remote::RemoteDialog>,
    /// The remote server last connected to, and its token when remembered.
    remote_address: String,
    remote_token: Option<String>,
}

impl GanscopeApp {
    /// An app talking to the engine at `link`; `initial` names the preset to open with (else
    /// `digits-dcgan`, else the first). The chosen preset is loaded at once, paused.
    pub fn new(
        link: Link,
        presets: Vec<Preset>,
        preset_errors: Vec<String>,
        initial: Option<&str>,
    ) -> GanscopeApp {
        GanscopeApp::new_on(link, presets, preset_errors, initial, DeviceChoice::Auto)
    }

    /// [`Self::new`] with the first preset loaded on `device` (the tests' CPU, say).
    pub fn new_on(
        link: Link,
        presets: Vec<Preset>,
        preset_errors: Vec<String>,
        initial: Option<&str>,
        device: DeviceChoice,
    ) -> GanscopeApp {
        let find = |name: &str| presets.iter().position(|p| p.name == name);
        let selected = initial
            .and_then(find)
            .or_else(|| find(DEFAULT_PRESET))
            .or((!presets.is_empty()).then_some(0));
        let unknown = initial.filter(|n| find(n).is_none()).map(str::to_string);
        let mut app = GanscopeApp {
            link,
            presets,
            preset_errors,
            selected,
            device,
            loaded: None,
            trained_on: None,
            last_folders: Default::default(),
            run: RunState::default(),
            plots: PlotsView::default(),
            samples: SamplesView::default(),
            explorer: ExplorerView::default(),
            health: HealthView::default(),
            exporter: Exporter::default(),
            tab: Tab::default(),
            pace_ms: 0,
            frames: FrameStats::default(),
            eframe_frames: FrameStats::default(),
            show_overlay: false,
            show_help: false,
            light_theme: false,
            frame_started: None,
            runs: RunsView::default(),
            to_open: Vec::new(),
            prompt: None,
            repaint_in: None,
            leaving: None,
            // Nothing is recorded until `restore` (the window) or `set_recording` asks.
            recording: Recording {
                enabled: false,
                ..Recording::default()
            },
            balance: BalanceEditor::default(),
            import: None,
            user_presets: crate::preset::library::user_dir(),
            locating: None,
            synthetic: None,
            lab: Default::default(),
            remote: None,
            remote_address: String::new(),
            remote_token: None,
        };
        if let Some(name) = unknown {
            app.run.apply(crate::protocol::Event::Notice(format!(
                "no preset named '{name}'"
            )));
        }
        app.load_selected();
        app
    }

    /// Record runs as `recording` says (from the next run's first step).
    pub fn set_recording(&mut self, recording: Recording) {
        self.recording = recording;
        self.send_recording();
    }

    /// Use `native` as the system's file dialog (`unavailable`: why none can open); tests
    /// stand in for the user with it.
    pub fn set_file_dialogs(&mut self, native: NativeDialog, unavailable: Option<String>) {
        self.exporter = Exporter::with_native(native, unavailable);
    }

    /// Whether the app is asking before it leaves the trained run.
    pub fn asks_to_leave(&self) -> bool {
        self.leaving.is_some()
    }

    /// Whether the in-app file prompt is open.
    pub fn file_prompt_open(&self) -> bool {
        self.prompt.is_some()
    }

    /// Runs opened from disk, the comparison and the scrubber.
    pub fn runs(&self) -> &RunsView {
        &self.runs
    }

    /// The same, to drive it as its widgets do (tests).
    pub fn runs_mut(&mut self) -> &mut RunsView {
        &mut self.runs
    }

    /// The run as the front end sees it.
    pub fn run_state(&self) -> &RunState {
        &self.run
    }

    /// Save presets made from data in `dir` (tests; the default is the user presets
    /// folder).
    pub fn set_user_presets_dir(&mut self, dir: PathBuf) {
        self.user_presets = dir;
    }

    /// The "Your data" window, while open.
    pub fn data_import(&self) -> Option<&crate::ui::data_import::DataImport> {
        self.import.as_ref()
    }

    /// The explorer's state.
    pub fn explorer(&self) -> &ExplorerView {
        &self.explorer
    }

    /// The explorer, to drive it as its controls do (tests and the bench).
    pub fn explorer_mut(&mut self) -> &mut ExplorerView {
        &mut self.explorer
    }

    /// Points the curve plots drew in the last frame.
    pub fn plot_points_drawn(&self) -> usize {
        self.plots.points_drawn()
    }

    /// Fold waiting engine events into the state, for at most [`INTAKE_BUDGET`].
    pub fn intake(&mut self) {
        self.frame_started.get_or_insert_with(Instant::now);
        let started = Instant::now();
        while let Ok(event) = self.link.events.try_recv() {
            match event {
                Event::Snapshot { .. }
                | Event::Rendered { .. }
                | Event::Directions { .. }
                | Event::DirectionsProgress { .. } => {
                    self.explorer.apply(event);
                }
                Event::LabResult { experiment, result } => self.lab.apply(experiment, result),
                Event::LabStarted { experiment, step } => self.lab.started(experiment, step),
                Event::Loaded(ref info) => {
                    self.explorer.reset(info);
                    self.lab.reset();
                    self.balance.reset();
                    self.follow_loaded_preset(&info.preset);
                    self.trained_on = self.loaded;
                    self.run.apply(event);
                }
                Event::Error { .. } if self.run.connecting.is_some() => {
                    // The connect failed and the former run (if any) goes on where it was:
                    // the device row says so, and Train continues it instead of connecting.
                    if self.run.info.is_some()
                        && let Some((preset, device)) = self.trained_on
                    {
                        self.selected = Some(preset);
                        self.device = device;
                        self.loaded = self.trained_on;
                    }
                    self.run.apply(event);
                }
                other => self.run.apply(other),
            }
            if started.elapsed() > INTAKE_BUDGET {
                break;
            }
        }
        let mut outcomes = self.exporter.finished();
        outcomes.extend(self.exporter.jobs.outcomes());
        for (text, is_error) in outcomes {
            self.run.apply(if is_error {
                Event::Error {
                    message: text,
                    fatal_to_run: false,
                }
            } else {
                Event::Done(text)
            });
        }
        if let Some(left) = self.run.expire_done(Instant::now()) {
            self.repaint_in = Some(left);
        }
    }

    /// Draw one frame and apply what the user did.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let started = self.frame_started.take().unwrap_or_else(Instant::now);
        if !self.link.events.is_empty() {
            ui.ctx().request_repaint();
        }
        if let Some(after) = self.repaint_in.take() {
            ui.ctx().request_repaint_after(after);
        }
        self.take_folders(ui.ctx());
        let mut actions = self.shortcuts(ui.ctx());
        egui::Panel::left("controls")
            .default_size(270.0)
            .size_range(220.0..=480.0)
            .show(ui, |ui| {
                // The scroll area keeps the panel's width whatever the text inside: long
                // lines wrap instead of widening the panel frame after frame.
                egui::ScrollArea::vertical()
                    .auto_shrink([false, true])
                    .show(ui, |ui| {
                        let controls = Controls {
                            presets: &self.presets,
                            preset_errors: &self.preset_errors,
                            selected: self.selected,
                            device: self.device,
                            run: &self.run,
                            pace_ms: self.pace_ms,
                            recording: &self.recording,
                            jobs: &self.exporter.jobs,
                            balance: &mut self.balance,
                        };
                        actions.extend(controls.ui(ui));
                    });
            });
        ui.ctx().set_theme(if self.light_theme {
            egui::Theme::Light
        } else {
            egui::Theme::Dark
        });
        self.tab_bar(ui, &mut actions);
        let share = if self.tab == Tab::Training {
            0.45
        } else {
            0.25
        };
        let side = ui.available_width() * share;
        // One panel per tab, so each keeps its own width.
        let id = match self.tab {
            Tab::Training => "samples",
            Tab::Explorer => "samples-explorer",
            Tab::Health => "samples-health",
            Tab::Lab => "samples-lab",
        };
        let marks = match (&self.run.samples, &self.run.info) {
            (Some((_, SampleView::Grid { columns, .. })), Some(info)) => {
                self.explorer.marked_tiles(*columns, info.classes.is_some())
            }
            _ => TileMarks::default(),
        };
        let pick = egui::Panel::right(id)
            .default_size(side)
            .show(ui, |ui| {
                match self.runs.scrub(ui, &self.run, self.recording.enabled) {
                    Shown::Live => {
                        let names = self
                            .run
                            .info
                            .as_ref()
                            .map_or(&[][..], |info| info.class_names.as_slice());
                        let run = &self.run;
                        self.samples
                            .ui(ui, run.samples.as_ref(), marks, names, &run.curves)
                    }
                    Shown::Saved { step, texture } => {
                        let stage = self.run.curves.stage_after(step);
                        super::samples::saved(ui, step, stage, texture);
                        None
                    }
                }
            })
            .inner;
        if let Some(pick) = pick {
            actions.push(Action::Pick(pick));
        }
        egui::CentralPanel::default().show(ui, |ui| match self.tab {
            Tab::Training => {
                if let Some(request) = self.runs.list(ui, &self.run) {
                    self.continue_run(request);
                }
                let cursor = self.runs.cursor(&self.run);
                self.plots.ui(ui, &self.runs.plotted(&self.run), cursor);
            }
            Tab::Health => {
                if self.health.ui(ui, &self.run) {
                    self.link.send(Command::NearestNeighbours);
                }
            }
            Tab::Lab => self.lab_tab(ui),
            Tab::Explorer => {
                let output = self.explorer.ui(ui, &self.run);
                for request in output.requests {
                    self.link.request(request);
                }
                if output.refresh_snapshot {
                    self.link.send(Command::PublishSnapshot);
                }
                if output.open_image {
                    self.exporter
                        .request(crate::ui::export::FileRequest::Folder(
                            crate::ui::export::FolderPurpose::ImageToUpscale,
                        ));
                }
                for export in output.exports {
                    self.exporter.start(export);
                }
                if let Some(asked) = output.synthesize {
                    self.ask_synthetic_folder(asked);
                }
            }
        });
        if self.show_overlay {
            self.overlay(ui.ctx());
        }
        if self.show_help {
            self.help(ui.ctx());
        }
        self.remote_window(ui.ctx());
        if let Some(confirmed) = self.confirm_leaving(ui.ctx()) {
            self.apply_now(confirmed);
        }
        for action in actions {
            self.apply_action(action);
        }
        self.frames.record(started.elapsed().as_secs_f64() * 1000.0);
    }
}

impl eframe::App for GanscopeApp {
    fn logic(&mut self, _ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.intake();
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        if let Some(seconds) = frame.info().cpu_usage {
            self.eframe_frames.record(f64::from(seconds) * 1000.0);
        }
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.settings());
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.shut_down();
    }
}
