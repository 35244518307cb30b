//! The app's floating windows: the keyboard-shortcut help (F1) and the debug overlay (F12).

use super::GanscopeApp;
use crate::protocol::Command;

/// Keys and what they do, for the help overlay (tooltips name them too).
const SHORTCUTS: [(&str, &str); 9] = [
    ("Space", "Train / pause"),
    ("S", "Step once (while paused)"),
    ("Ctrl+S", "Save a checkpoint into the run's folder"),
    ("Ctrl+O", "Open a run folder to compare and scrub"),
    ("1", "Training tab"),
    ("2", "Explorer tab"),
    ("3", "Modes & balance tab"),
    ("F1", "This help"),
    ("F12", "Debug overlay (frame times)"),
];

impl GanscopeApp {
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
