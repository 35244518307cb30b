//! The app's floating windows: the keyboard-shortcut help (F1) and the debug overlay (F12).

use super::GanscopeApp;
use crate::protocol::Command;
use crate::ui::controls::Action;

/// Keys and what they do, for the help overlay (tooltips name them too).
const SHORTCUTS: [(&str, &str); 11] = [
    ("Space", "Train / pause"),
    ("S", "Step once (while paused)"),
    ("Ctrl+S", "Save a checkpoint into the run's folder"),
    ("Ctrl+O", "Open a run folder to compare and scrub"),
    ("1", "Training tab"),
    ("2", "Explorer tab"),
    ("3", "Modes & balance tab"),
    ("4", "Augmentation lab tab"),
    ("F1", "This help"),
    ("F12", "Debug overlay (frame times)"),
    (
        "Ctrl+Q",
        "Quit (a recorded run saves its last checkpoint first)",
    ),
];

impl GanscopeApp {
    /// Ask before leaving a run that has trained (another preset or device, Reset): say
    /// whether its last step is kept as a checkpoint (recorded runs) or lost. Returns the
    /// action once the user confirms; Escape or Cancel drops it.
    pub(super) fn confirm_leaving(&mut self, ctx: &egui::Context) -> Option<Action> {
        let action = self.leaving.clone()?;
        let (what, whither) = match &action {
            Action::Reset => ("Reset", "start again from step 0".to_string()),
            Action::SelectDevice(device) => {
                ("Change device", format!("train on {}", device.label()))
            }
            Action::SelectPreset(i) => (
                "Switch preset",
                match self.presets.get(*i) {
                    Some(preset) => format!("open {}", preset.name),
                    None => "open another preset".to_string(),
                },
            ),
            _ => ("Leave", "go on".to_string()),
        };
        let step = self.run.step;
        let mut decided = None;
        let modal = egui::Modal::new(egui::Id::unique("leave-run")).show(ctx, |ui| {
            ui.set_max_width(420.0);
            ui.heading(format!("Leave the run at step {step} and {whither}?"));
            match &self.run.folder {
                Some(folder) => ui.label(format!(
                    "A checkpoint of step {step} is saved into {} first: continue it later \
                     with Open run.",
                    folder.display()
                )),
                None => ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!(
                        "This run is not recorded: its {step} steps of training will be lost. \
                         (Record runs keeps every run in a folder.)"
                    ),
                ),
            };
            ui.horizontal(|ui| {
                if ui.button(what).clicked() {
                    decided = Some(true);
                }
                if ui.button("Cancel").clicked() {
                    decided = Some(false);
                }
            });
        });
        if modal.should_close() && decided.is_none() {
            decided = Some(false);
        }
        match decided? {
            true => self.leaving.take(),
            false => {
                self.leaving = None;
                None
            }
        }
    }

    pub(super) fn help(&mut self, ctx: &egui::Context) {
        egui::Window::new("Keyboard shortcuts")
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .open(&mut self.show_help)
            .collapsible(false)
            .resizable(false)
            .show(ctx, |ui| {
                egui::Grid::new("shortcuts").num_columns(2).show(ui, |ui| {
                    for (key, what) in SHORTCUTS {
                        ui.monospace(key);
                        ui.label(what);
                        ui.end_row();
                    }
                });
                ui.small("Shortcuts work while no text field has the keyboard.");
            });
    }

    pub(super) fn overlay(&mut self, ctx: &egui::Context) {
        let summary = self.frames.summary();
        let mut crash = false;
        egui::Window::new("Debug (F12)")
            .default_pos([300.0, 60.0])
            .default_width(420.0)
            .show(ctx, |ui| {
                ui.monospace(format!(
                    "app frame ms     p50 {:.2}  p99 {:.2}  max {:.2}",
                    summary.p50, summary.p99, summary.max
                ));
                let painted = self.eframe_frames.summary();
                ui.monospace(format!(
                    "+ painting ms    p50 {:.2}  p99 {:.2}  max {:.2}",
                    painted.p50, painted.p99, painted.max
                ))
                .on_hover_text("eframe's CPU time per frame, tessellation and painting included");
                let explorer = self.explorer.latency_summary();
                ui.monospace(format!(
                    "explorer ms      p50 {:.2}  p99 {:.2}  max {:.2}",
                    explorer.p50, explorer.p99, explorer.max
                ))
                .on_hover_text("From a change of z to the upload of the image that shows it");
                ui.monospace(format!("events waiting {}", self.link.events.len()));
                ui.monospace(format!("plot points drawn {}", self.plots.points_drawn()));
                crash = ui
                    .button("Simulate a training crash")
                    .on_hover_text("Panics the training thread to show that the app survives")
                    .clicked();
            });
        if crash {
            self.link.send(Command::SimulateCrash);
        }
    }
}
