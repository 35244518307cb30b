//! The side panel: preset and device pickers, the training buttons, live statistics, and
//! messages. It draws and returns what the user asked for; the app applies it afterwards.

mod device;
mod files;
mod presets_list;

use super::balance::BalanceEditor;
use super::jobs::Jobs;
use super::run_state::RunState;
use super::samples::Pick;
use super::settings::{Recording, Tab};
use crate::preset::Preset;
use crate::protocol::DeviceChoice;
use crate::ui::run_state::MessageKind;

/// A request from the side panel, the tabs or the sample grid, applied by the app after every
/// panel has drawn.
#[must_use]
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    SelectPreset(usize),
    SelectDevice(DeviceChoice),
    Train,
    Pause,
    StepOnce,
    Reset,
    DismissMessage(usize),
    ShowTab(Tab),
    /// Slow motion: milliseconds per training step (0 = full speed).
    SetPace(u32),
    Export(ExportKind),
    /// A sample-grid tile was clicked.
    Pick(Pick),
    /// Save a checkpoint of the current step into the run's folder.
    SaveCheckpoint,
    /// Pick a run folder to open beside the live run.
    OpenRun,
    /// Pick a data set (folder or file) to make a preset from.
    OpenData,
    /// Ask for a remote server (`ganscope serve` elsewhere) to train on.
    OpenRemote,
    /// Connect to the remote server again and continue the lost run from this checkpoint.
    Reconnect(std::path::PathBuf),
    /// Stop reading a data set.
    CancelLoad,
    /// Pick the folder new runs are recorded in.
    ChooseRunsFolder,
    /// Record runs (from the next step) or not.
    SetRecording(bool),
    /// Save a checkpoint every N steps (0 = only on demand and on quit).
    SetCheckpointEvery(u64),
    /// Change the running game's balance settings from the next step.
    SetBalance(crate::preset::Balance),
}

/// What the Export row of the side panel saves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportKind {
    /// The current samples as PNG.
    Samples,
    /// The samples over the run as a looping GIF.
    Evolution,
    /// Every step's metrics as CSV.
    Metrics,
    /// G and its preset, into a folder.
    Generator,
}

/// What the side panel shows (borrowed from the app for one frame).
pub struct Controls<'a> {
    pub presets: &'a [Preset],
    pub preset_errors: &'a [String],
    pub selected: Option<usize>,
    pub device: DeviceChoice,
    pub run: &'a RunState,
    pub pace_ms: u32,
    pub recording: &'a Recording,
    /// Long jobs under way (exports), shown with progress bars.
    pub jobs: &'a Jobs,
    pub balance: &'a mut BalanceEditor,
}

impl Controls<'_> {
    pub fn ui(self, ui: &mut egui::Ui) -> Vec<Action> {
        let mut actions = Vec::new();
        ui.heading("ganscope");
        ui.separator();
        self.preset_picker(ui, &mut actions);
        ui.add_space(6.0);
        self.device_picker(ui, &mut actions);
        ui.separator();
        self.buttons(ui, &mut actions);
        self.pace(ui, &mut actions);
        if let Some(info) = &self.run.info
            && let Some(balance) = self.balance.ui(ui, &info.balance, info.penalty_estimated)
        {
            actions.push(Action::SetBalance(balance));
        }
        self.exports(ui, &mut actions);
        self.jobs.ui(ui);
        ui.separator();
        self.run_folder(ui, &mut actions);
        ui.separator();
        self.statistics(ui);
        self.messages(ui, &mut actions);
        actions
    }

    fn preset_picker(&self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        let label = ui.label("Preset");
        let current = self
            .selected
            .and_then(|i| self.presets.get(i))
            .map_or("(none)", |p| p.name.as_str());
        egui::ComboBox::from_id_salt("preset")
            .selected_text(current)
            .width(ui.available_width())
            .height(560.0)
            .show_ui(ui, |ui| {
                if let Some(i) = presets_list::show(ui, self.presets, self.selected) {
                    actions.push(Action::SelectPreset(i));
                }
            })
            .response
            .labelled_by(label.id);
        if let Some(preset) = self.selected.and_then(|i| self.presets.get(i)) {
            // The loaded run's settings, live balance changes included.
            let live = self
                .run
                .info
                .as_ref()
                .filter(|info| info.preset == preset.name)
                .map(|info| preset.with_balance(&info.balance))
                .filter(|live| live != preset);
            let changed = live.is_some();
            let preset = &live.unwrap_or_else(|| preset.clone());
            ui.small(&preset.description);
            ui.small(format!(
                "{}{} · batch {} · lr G {} D {} · k {}",
                if preset.conditional() {
                    "conditional "
                } else {
                    ""
                },
                preset.networks_label(),
                preset.train.batch_size,
                preset.train.lr_g,
                preset.train.lr_d,
                preset.train.d_steps
            ));
            let summary = match task_summary(&preset.task) {
                Some(task) => format!("{task} · {}", game_summary(&preset.game)),
                None => game_summary(&preset.game),
            };
            if changed {
                ui.small(format!(
                    "{summary} (changed live; Reset restores the preset)"
                ));
            } else {
                ui.small(summary);
            }
        }
        if !self.preset_errors.is_empty() {
            let title = format!("{} preset file(s) failed to load", self.preset_errors.len());
            egui::CollapsingHeader::new(
                egui::RichText::new(title).color(ui.visuals().warn_fg_color),
            )
            .id_salt("preset-errors")
            .show(ui, |ui| {
                for error in self.preset_errors {
                    ui.small(error);
                }
            });
        }
    }

    /// A data set being read: how far, and a way to stop.
    fn loading(&self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        let Some((preset, done, total)) = &self.run.loading else {
            return;
        };
        let text = if *total == 0 {
            format!("Examining the data of {preset}…")
        } else {
            format!("Reading the data of {preset}: {done} of {total}")
        };
        let fraction = if *total == 0 {
            0.0
        } else {
            *done as f32 / *total as f32
        };
        ui.add(egui::ProgressBar::new(fraction).text(text));
        if ui.button("Cancel reading").clicked() {
            actions.push(Action::CancelLoad);
        }
    }

    fn buttons(&self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        self.loading(ui, actions);
        let loaded = self.run.info.is_some() || self.selected.is_some();
        let running = self.run.running;
        let train_label = if self.run.step > 0 { "Resume" } else { "Train" };
        let buttons = [
            (
                loaded && !running,
                train_label,
                "Train continuously (Space)",
                Action::Train,
            ),
            (
                running,
                "Pause",
                "Stop after the current step (Space)",
                Action::Pause,
            ),
            (
                loaded && !running,
                "Step once",
                "Advance exactly one step (S)",
                Action::StepOnce,
            ),
            (
                loaded,
                "Reset",
                "New models from the preset's seed, back to step 0",
                Action::Reset,
            ),
        ];
        ui.horizontal_wrapped(|ui| {
            for (enabled, label, hint, action) in buttons {
                if ui
                    .add_enabled(enabled, egui::Button::new(label))
                    .on_hover_text(hint)
                    .clicked()
                {
                    actions.push(action);
                }
            }
        });
    }

    fn pace(&self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        let mut pace = self.pace_ms;
        ui.horizontal(|ui| {
            let label = ui.label("Slow motion");
            let slider = ui
                .add(
                    egui::Slider::new(&mut pace, 0..=1000)
                        .suffix(" ms/step")
                        .custom_formatter(|v, _| {
                            if v == 0.0 {
                                "off".into()
                            } else {
                                format!("{v:.0}")
                            }
                        }),
                )
                .labelled_by(label.id)
                .on_hover_text("At most one step per this many milliseconds, samples after each");
            if slider.changed() {
                actions.push(Action::SetPace(pace));
            }
        });
    }

    fn statistics(&self, ui: &mut egui::Ui) {
        let run = self.run;
        egui::Grid::new("stats").num_columns(2).show(ui, |ui| {
            ui.label("Step");
            ui.monospace(run.step.to_string());
            ui.end_row();
            ui.label("Steps/s");
            ui.monospace(
                run.steps_per_s()
                    .filter(|_| run.running)
                    .map_or("–".into(), |r| format!("{r:.1}")),
            );
            ui.end_row();
            ui.label("Trained");
            ui.monospace(format!("{:.1} s", run.trained_s));
            ui.end_row();
            for (name, series) in [
                ("D loss", &run.curves.d_loss),
                ("G loss", &run.curves.g_loss),
                ("D(x)", &run.curves.d_real),
                ("D(G(z))", &run.curves.d_fake),
            ] {
                ui.label(name);
                ui.monospace(series.last().map_or("–".into(), |v| format!("{v:.4}")));
                ui.end_row();
            }
            if let Some(info) = &run.info {
                ui.label("Parameters");
                ui.monospace(format!(
                    "G {} · D {}",
                    info.generator_params, info.discriminator_params
                ));
                ui.end_row();
            }
        });
        // Below the grid, where a long line wraps instead of widening the panel.
        if let Some(alarm) = run.alarms.last() {
            ui.add(
                egui::Label::new(
                    egui::RichText::new(format!(
                        "Alarm {} (step {}): {}",
                        run.alarms.len(),
                        alarm.step,
                        alarm.saw
                    ))
                    .color(ui.visuals().warn_fg_color),
                )
                .wrap(),
            )
            .on_hover_text(format!(
                "What usually helps: {}. All alarms: Modes & balance tab.",
                alarm.helps
            ));
        }
    }

    fn messages(&self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        for (i, message) in self.run.messages.iter().enumerate() {
            ui.separator();
            let color = match message.kind {
                MessageKind::Error => ui.visuals().error_fg_color,
                MessageKind::Notice => ui.visuals().warn_fg_color,
                MessageKind::Done => ui.visuals().text_color(),
            };
            // Paths have no spaces to wrap at: let the text break anywhere.
            let mut job = egui::text::LayoutJob::simple(
                message.text.clone(),
                egui::TextStyle::Body.resolve(ui.style()),
                color,
                ui.available_width(),
            );
            job.wrap.break_anywhere = true;
            ui.add(egui::Label::new(job));
            if ui.small_button("Dismiss").clicked() {
                actions.push(Action::DismissMessage(i));
            }
        }
    }
}

/// The game's loss and the stabilisers it switches on, in one line.
/// The game in words when it is not the classic one (pix2pix's objective and D's view).
fn task_summary(task: &crate::preset::TaskSpec) -> Option<String> {
    match *task {
        crate::preset::TaskSpec::Generate => None,
        crate::preset::TaskSpec::Translate {
            l1_weight,
            adversarial,
            conditional_d,
        } => {
            let objective = match (adversarial, l1_weight > 0.0) {
                (true, true) => format!("GAN + {l1_weight}·L1"),
                (true, false) => "GAN only".into(),
                (false, _) => format!("{l1_weight}·L1 only"),
            };
            let d = if conditional_d {
                "D sees A and B"
            } else {
                "D sees B alone"
            };
            Some(format!("translate A to B: {objective}, {d}"))
        }
        crate::preset::TaskSpec::Upscale {
            scale,
            warmup_steps,
            adversarial_weight,
            adversarial,
            content,
        } => {
            let objective = if adversarial {
                format!(
                    "pixel MSE for {warmup_steps} steps (SRResNet), then {} + \
                     {adversarial_weight}·GAN (SRGAN)",
                    content.label()
                )
            } else {
                "pixel MSE only (SRResNet)".into()
            };
            Some(format!(
                "upscale {scale}× from bicubic-shrunk inputs: {objective}"
            ))
        }
    }
}

fn game_summary(game: &crate::preset::GameSpec) -> String {
    let mut parts = vec![format!("{} loss", game.loss.label())];
    if game.penalty != crate::preset::PenaltyKind::None {
        parts.push(format!("{} x{}", game.penalty.label(), game.penalty_weight));
    }
    if game.clip > 0.0 {
        parts.push(format!("clip {}", game.clip));
    }
    if game.spectral_norm {
        parts.push("spectral norm".into());
    }
    if game.pack > 1 {
        parts.push(format!("PacGAN{}", game.pack));
    }
    if game.label_smoothing > 0.0 {
        parts.push(format!("smoothing {}", game.label_smoothing));
    }
    if game.instance_noise > 0.0 {
        parts.push(format!("instance noise {}", game.instance_noise));
    }
    if game.ema > 0.0 {
        parts.push(format!("EMA {}", game.ema));
    }
    parts.join(" · ")
}
