//! The side panel's Export row and its run-folder section: what to save and where runs are
//! recorded, each button saying why when it is disabled.

use super::{Action, Controls, ExportKind};

impl Controls<'_> {
    pub(super) fn exports(&self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        let has_samples = self.run.samples.is_some();
        let items = [
            (
                ExportKind::Samples,
                "Samples",
                "The current samples as PNG",
                has_samples,
                "No samples yet: press Train or Step once",
            ),
            (
                ExportKind::Evolution,
                "Evolution",
                "The samples over the whole run as a looping GIF (at most 120 frames)",
                self.run.evolution.len() > 1,
                "Needs samples from at least two steps: train a little first",
            ),
            (
                ExportKind::Metrics,
                "Metrics",
                "Every step's metrics as CSV",
                !self.run.curves.g_loss.is_empty(),
                "No steps yet: press Train or Step once",
            ),
            (
                ExportKind::Generator,
                "Generator",
                "G and its preset into a folder (ganscope interpolate / sample read it)",
                self.run.info.is_some(),
                "No run is loaded: pick a preset",
            ),
        ];
        ui.horizontal_wrapped(|ui| {
            ui.label("Export");
            for (kind, label, hint, enabled, why_not) in items {
                if ui
                    .add_enabled(enabled, egui::Button::new(label).small())
                    .on_hover_text(hint)
                    .on_disabled_hover_text(why_not)
                    .clicked()
                {
                    actions.push(Action::Export(kind));
                }
            }
        });
    }

    pub(super) fn run_folder(&self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        let recording = self.recording;
        let mut enabled = recording.enabled;
        ui.horizontal(|ui| {
            if ui
                .checkbox(&mut enabled, "Record runs")
                .on_hover_text(
                    "Keep every run in its own folder: preset, metrics, events, sample grids \
                     and checkpoints (open it later with Open run)",
                )
                .changed()
            {
                actions.push(Action::SetRecording(enabled));
            }
            if ui
                .small_button("Runs folder...")
                .on_hover_text(format!(
                    "New runs go into {}",
                    recording.runs_folder.display()
                ))
                .clicked()
            {
                actions.push(Action::ChooseRunsFolder);
            }
        });
        match &self.run.folder {
            Some(folder) => {
                ui.small(format!(
                    "Recording to {}",
                    crate::runs::display_name(folder)
                ))
                .on_hover_text(folder.display().to_string());
                if let Some(disk) = &self.run.disk {
                    ui.small(format!("On disk: {}", disk.describe()))
                        .on_hover_text(
                            "Metrics every step; sample grids at most once a second, thinning \
                         out as the run goes on; periodic checkpoints at most once a minute",
                        );
                }
            }
            None if recording.enabled => {
                ui.small(format!(
                    "A folder in {} is made at the first step",
                    recording.runs_folder.display()
                ));
            }
            None => {
                ui.small("Not recording");
            }
        }
        ui.horizontal(|ui| {
            if ui
                .add_enabled(
                    self.run.info.is_some() && recording.enabled,
                    egui::Button::new("Save checkpoint"),
                )
                .on_hover_text(
                    "G, D and both optimizers at this step, into the run's folder (Ctrl+S); \
                     one is also saved when you quit",
                )
                .on_disabled_hover_text("Checkpoints go into the run's folder: turn on Record runs")
                .clicked()
            {
                actions.push(Action::SaveCheckpoint);
            }
            let mut every = recording.checkpoint_every;
            let label = ui.label("every");
            let response = ui
                .add(
                    egui::DragValue::new(&mut every)
                        .range(0..=1_000_000)
                        .speed(10.0)
                        .custom_formatter(|v, _| {
                            if v == 0.0 {
                                "never".into()
                            } else {
                                format!("{v:.0} steps")
                            }
                        }),
                )
                .on_hover_text(
                    "Also save a checkpoint every N steps, at most once a minute (0 = never)",
                )
                .labelled_by(label.id);
            if response.changed() {
                actions.push(Action::SetCheckpointEvery(every));
            }
        });
    }
}
