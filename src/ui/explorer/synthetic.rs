//! The explorer's "Synthetic set" form, for an image G whose samples can carry labels: how
//! many images of every class and their truncation ψ (and, for an unconditional G, the
//! confidence the data set's reference classifier must read a sample's class with);
//! **Write...** asks for a folder, and the engine writes the set there on a thread of its own
//! from the explorer's snapshot of G (progress and Cancel in the side panel; see
//! `engine::jobs`), as class subfolders of PNGs that "Your data" reads back, plus an IDX pair
//! for grey images.

/// The form's settings.
pub struct SyntheticForm {
    pub per_class: usize,
    pub psi: f32,
    pub min_confidence: f32,
    /// Use the moving average of G's weights (when the run keeps one).
    pub ema: bool,
}

impl Default for SyntheticForm {
    fn default() -> Self {
        SyntheticForm {
            per_class: 100,
            psi: 1.0,
            min_confidence: 0.9,
            ema: true,
        }
    }
}

/// What the user asked for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Asked {
    pub per_class: usize,
    pub psi: f32,
    /// Used for an unconditional G only.
    pub min_confidence: f32,
    /// The moving average of G's weights rather than the training weights (where the run
    /// keeps one).
    pub ema: bool,
}

impl SyntheticForm {
    /// Draws the form for `classes` classes (`conditional`: G is told the class, else a
    /// classifier labels its samples; `ema`: the run averages G's weights, and the user may
    /// pick the average or the training weights); `Some` when **Write...** was clicked.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        classes: usize,
        conditional: bool,
        ema: bool,
    ) -> Option<Asked> {
        let mut asked = None;
        egui::CollapsingHeader::new("Synthetic set")
            .id_salt("synthetic-set")
            .show(ui, |ui| {
                ui.label(if conditional {
                    "A labelled data set from G, for training a classifier on"
                } else {
                    "A labelled data set from G, each sample labelled by the data set's \
                     reference classifier"
                });
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
                if !conditional {
                    ui.horizontal(|ui| {
                        let label = ui.label("Min. confidence");
                        ui.add(
                            egui::DragValue::new(&mut self.min_confidence)
                                .range(0.0..=1.0)
                                .speed(0.01),
                        )
                        .on_hover_text(
                            "A sample is kept only when the classifier reads its class with \
                             at least this probability; the rest are drawn again",
                        )
                        .labelled_by(label.id);
                    });
                }
                if ema {
                    ui.checkbox(&mut self.ema, "Averaged weights (EMA)")
                        .on_hover_text(
                            "The moving average of G's weights, which the samples show; off: \
                             the weights as training left them at this step",
                        );
                }
                let total = self.per_class.saturating_mul(classes);
                if ui
                    .button("Write...")
                    .on_hover_text(format!(
                        "Write {total} images ({classes} classes) into a new folder, as class \
                         subfolders of PNGs (and IDX files for grey images)"
                    ))
                    .clicked()
                {
                    asked = Some(Asked {
                        per_class: self.per_class,
                        psi: self.psi,
                        min_confidence: self.min_confidence,
                        ema: self.ema || !ema,
                    });
                }
            });
        asked
    }
}
