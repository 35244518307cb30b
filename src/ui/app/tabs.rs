//! The bar above the views: the tabs (keys 1 to 4) on the left; opening data or a run, help
//! and the theme on the right.

use super::{GanscopeApp, Tab};
use crate::ui::controls::Action;

impl GanscopeApp {
    pub(super) fn tab_bar(&mut self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        egui::Panel::top("tabs").show(ui, |ui| {
            ui.horizontal(|ui| {
                for (tab, label, hint) in [
                    (Tab::Training, "Training", "Loss curves and D outputs (1)"),
                    (
                        Tab::Explorer,
                        "Explorer",
                        "Latent sliders, directions and walks (2)",
                    ),
                    (
                        Tab::Health,
                        "Modes & balance",
                        "Mode coverage against the papers, D/G balance, alarms (3)",
                    ),
                    (
                        Tab::Lab,
                        "Augmentation lab",
                        "Does training a classifier on G's samples help it? (4)",
                    ),
                ] {
                    if ui
                        .selectable_label(self.tab == tab, label)
                        .on_hover_text(hint)
                        .clicked()
                    {
                        actions.push(Action::ShowTab(tab));
                    }
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui
                        .button("Open data...")
                        .on_hover_text(
                            "Train on your own images: a folder (one subfolder per class \
                         gives labels), MNIST-format IDX files or CIFAR-10 batches; or \
                         drop one on the window",
                        )
                        .clicked()
                    {
                        actions.push(Action::OpenData);
                    }
                    if ui
                        .button("Open run...")
                        .on_hover_text(
                            "Open a run folder (a finished run, or one still training \
                         elsewhere) to compare and scrub it (Ctrl+O)",
                        )
                        .clicked()
                    {
                        actions.push(Action::OpenRun);
                    }
                    if ui
                        .button("Help")
                        .on_hover_text("Keyboard shortcuts (F1)")
                        .clicked()
                    {
                        self.show_help = !self.show_help;
                    }
                    let theme = if self.light_theme {
                        "Dark theme"
                    } else {
                        "Light theme"
                    };
                    if ui.button(theme).clicked() {
                        self.light_theme = !self.light_theme;
                    }
                });
            });
        });
    }
}
