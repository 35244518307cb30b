//! The explorer's "Synthetic set" form, for a conditional image G: how many images of every
//! class and their truncation ψ; **Write...** asks for a folder, and the engine writes the
//! set there on a thread of its own from the explorer's snapshot of G (progress and Cancel
//! in the side panel; see `engine::jobs`), as class subfolders of PNGs that "Your data"
//! reads back, plus an IDX pair for grey images.

/// The form's settings.
pub struct SyntheticForm {
    pub per_class: usize,
    pub psi: f32,
}

impl Default for SyntheticForm {
    fn default() -> Self {
        SyntheticForm {
            per_class: 100,
            psi: 1.0,
        }
    }
}

/// What the user asked for: (images per class, ψ).
pub type Asked = (usize, f32);

impl SyntheticForm {
    /// Draws the form; `Some` when **Write...** was clicked.
    pub fn ui(&mut self, ui: &mut egui::Ui, classes: usize) -> Option<Asked> {
        let mut asked = None;
        egui::CollapsingHeader::new("Synthetic set")
            .id_salt("synthetic-set")
            .show(ui, |ui| {
                ui.label("A labelled data set from G, for training a classifier on");
                ui.horizontal(|ui| {
                    let label = ui.label("Per class");
                    ui.add(egui::DragValue::new(&mut self.per_class).range(1..=100_000))
                        .on_hover_text("Images of every class")
                        .labelled_by(label.id);
                });
                ui.horizontal(|ui| {
                    let label = ui.label("psi");
                    ui.add(
                        egui::DragValue::new(&mut self.psi)
                            .range(0.0..=1.0)
                            .speed(0.01),
                    )
                    .on_hover_text(
                        "Truncation: 1 draws z as trained, lower trades variety for fidelity",
                    )
                    .labelled_by(label.id);
                });
                let total = self.per_class.saturating_mul(classes);
                if ui
                    .button("Write...")
                    .on_hover_text(format!(
                        "Write {total} images ({classes} classes) into a new folder, as class \
                         subfolders of PNGs (and IDX files for grey images)"
                    ))
                    .clicked()
                {
                    asked = Some((self.per_class, self.psi));
                }
            });
        asked
    }
}
