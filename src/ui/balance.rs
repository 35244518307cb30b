//! The live balance controls in the side panel: learning rates, D steps per G step, loss,
//! penalty and stabiliser strengths of the running game. Edits collect in a draft; **Apply**
//! sends them (the engine applies them at the next step, logs the change and the plots mark
//! it), **Revert** drops them.

use crate::preset::{Balance, LossKind, PenaltyKind};

#[derive(Default)]
pub struct BalanceEditor {
    /// Edits not yet applied; `None` shows the run's settings.
    draft: Option<Balance>,
}

impl BalanceEditor {
    /// Forget the draft (a new run loaded).
    pub fn reset(&mut self) {
        self.draft = None;
    }

    /// Draw the controls for a run whose settings are `current` (`estimated`: its D's
    /// gradient penalty is estimated); returns settings to apply.
    pub fn ui(&mut self, ui: &mut egui::Ui, current: &Balance, estimated: bool) -> Option<Balance> {
        let mut apply = None;
        egui::CollapsingHeader::new("Balance (live)")
            .id_salt("balance")
            .show(ui, |ui| {
                let draft = self.draft.get_or_insert_with(|| current.clone());
                edit(ui, draft, estimated);
                let edited = draft != current;
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(edited, egui::Button::new("Apply"))
                        .on_hover_text(
                            "Use these settings from the next step (logged, and marked on the plots)",
                        )
                        .clicked()
                    {
                        apply = Some(draft.clone());
                    }
                    if ui.add_enabled(edited, egui::Button::new("Revert")).clicked() {
                        *draft = current.clone();
                    }
                });
            });
        if apply.is_some() {
            self.draft = None;
        }
        apply
    }
}

/// One row: a label and a widget, labelled for screen readers.
fn row(
    ui: &mut egui::Ui,
    label: &str,
    hint: &str,
    add: impl FnOnce(&mut egui::Ui) -> egui::Response,
) {
    ui.horizontal(|ui| {
        let label = ui.label(label);
        add(ui).on_hover_text(hint).labelled_by(label.id);
    });
}

fn rate(value: &mut f64) -> egui::DragValue<'_> {
    let speed = (*value * 0.02).max(1e-7);
    egui::DragValue::new(value)
        .range(1e-7..=0.5)
        .speed(speed)
        .custom_formatter(|v, _| format!("{v:.2e}"))
}

fn edit(ui: &mut egui::Ui, b: &mut Balance, estimated: bool) {
    row(
        ui,
        "lr G",
        "Generator learning rate (TTUR: set it apart from D's)",
        |ui| ui.add(rate(&mut b.lr_g)),
    );
    row(ui, "lr D", "Discriminator learning rate", |ui| {
        ui.add(rate(&mut b.lr_d))
    });
    row(ui, "k", "D updates per G update", |ui| {
        ui.add(egui::DragValue::new(&mut b.d_steps).range(1..=20))
    });
    row(ui, "Loss", "What G and D minimise", |ui| {
        egui::ComboBox::from_id_salt("balance-loss")
            .selected_text(b.loss.label())
            .show_ui(ui, |ui| {
                for kind in LossKind::ALL {
                    ui.selectable_value(&mut b.loss, kind, kind.label());
                }
            })
            .response
    });
    row(ui, "Penalty", "On the norm of D's input gradient", |ui| {
        egui::ComboBox::from_id_salt("balance-penalty")
            .selected_text(b.penalty.label())
            .show_ui(ui, |ui| {
                for kind in PenaltyKind::ALL {
                    ui.selectable_value(&mut b.penalty, kind, kind.label());
                }
            })
            .response
    });
    if estimated && b.penalty != PenaltyKind::None {
        ui.weak("(estimated: finite differences)").on_hover_text(
            "This D has no exact input gradient (a ViT), so the norm the penalty \
             constrains is estimated by finite differences along 4 random directions per \
             sample",
        );
    }
    let penalised = b.penalty != PenaltyKind::None;
    row(ui, "weight", "The penalty's lambda", |ui| {
        ui.add_enabled(
            penalised,
            egui::DragValue::new(&mut b.penalty_weight)
                .range(0.0..=1000.0)
                .speed(0.1),
        )
        .on_disabled_hover_text("No penalty is chosen, so it has no weight")
    });
    row(
        ui,
        "Clip D",
        "Clip D's weights into [-c, c] after each update (0 = off)",
        |ui| {
            ui.add(
                egui::DragValue::new(&mut b.clip)
                    .range(0.0..=1.0)
                    .speed(0.001),
            )
        },
    );
    row(
        ui,
        "Label smoothing",
        "One-sided label smoothing: D's target for real samples is 1 - this",
        |ui| ui.add(egui::Slider::new(&mut b.label_smoothing, 0.0..=0.45)),
    );
    row(
        ui,
        "Instance noise",
        "Standard deviation of noise added to D's inputs",
        |ui| {
            ui.add(
                egui::DragValue::new(&mut b.instance_noise)
                    .range(0.0..=2.0)
                    .speed(0.005),
            )
        },
    );
}
