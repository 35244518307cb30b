//! The latent vector being explored and the controls that shape it: its seed, one slider per
//! dimension, the truncation psi, one slider per principal direction, and the class of a
//! conditional model.
//!
//! The z that G sees is built in that order: the seed's (or hand-edited) vector, moved along
//! the principal directions, then pulled toward the prior's mean (zero) by psi.

use crate::latent::{self, Directions};

/// Slider range of a single latent dimension (the prior is N(0, 1); ±4 covers 99.99 %).
const DIM_RANGE: std::ops::RangeInclusive<f32> = -4.0..=4.0;
/// Slider range of a principal direction, in standard deviations of the outputs.
const SIGMAS: std::ops::RangeInclusive<f32> = -3.0..=3.0;
/// Principal directions offered by default.
const DEFAULT_COMPONENTS: usize = 10;

/// What the user did to the latent controls this frame.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LatentResponse {
    /// z changed (slider, seed, psi, class…): render it again.
    pub changed: bool,
    /// The user asked for principal directions of the current snapshot.
    pub compute_directions: bool,
    /// The user cancelled the directions under way.
    pub cancel_directions: bool,
}

pub struct LatentControls {
    /// The seed z came from; `edited` says whether sliders moved it since.
    pub seed: u64,
    pub edited: bool,
    /// z before principal-direction offsets and truncation.
    pub base: Vec<f32>,
    pub psi: f32,
    /// Offsets along each principal direction, in standard deviations.
    pub offsets: Vec<f32>,
    /// The directions and the snapshot step they were computed on.
    pub directions: Option<(u64, Directions)>,
    pub directions_pending: bool,
    /// Progress of the directions under way, in [0, 1].
    pub directions_progress: f32,
    pub components: usize,
    pub class: usize,
    /// Said after a tile was picked with directions or truncation set (they were reset so
    /// the image is the tile); gone at the next edit.
    pub reset_note: Option<String>,
}

impl LatentControls {
    pub fn new(latent_dim: usize) -> LatentControls {
        LatentControls {
            seed: 0,
            edited: false,
            base: latent::from_seed(0, latent_dim),
            psi: 1.0,
            offsets: Vec::new(),
            directions: None,
            directions_pending: false,
            directions_progress: 0.0,
            components: DEFAULT_COMPONENTS,
            class: 0,
            reset_note: None,
        }
    }

    /// Show the sample-grid tile of `seed` as the grid draws it: the principal-direction
    /// offsets go back to zero and psi to 1 (the tiles are neither moved nor truncated), and
    /// the note says so when they were set.
    pub fn show_tile(&mut self, seed: u64) {
        let moved = self.offsets.iter().any(|&v| v != 0.0);
        let truncated = self.psi < 1.0;
        self.reset_note = (moved || truncated).then(|| {
            let what = match (moved, truncated) {
                (true, true) => format!("the direction sliders and psi ({:.2})", self.psi),
                (true, false) => "the direction sliders".to_string(),
                _ => format!("psi ({:.2})", self.psi),
            };
            format!("Tile {seed} as the grid shows it: {what} reset; set them again to move it")
        });
        self.offsets.iter_mut().for_each(|v| *v = 0.0);
        self.psi = 1.0;
        self.set_seed(seed);
    }

    /// The z G is asked to render.
    pub fn z(&self) -> Vec<f32> {
        let directions = self
            .directions
            .as_ref()
            .map_or(&[][..], |(_, d)| d.latent.as_slice());
        let moved = latent::offset(&self.base, directions, &self.offsets);
        latent::truncate(&moved, &vec![0.0; moved.len()], self.psi)
    }

    /// Start again from a seed's latent vector.
    pub fn set_seed(&mut self, seed: u64) {
        self.seed = seed;
        self.edited = false;
        self.base = latent::from_seed(seed, self.base.len());
    }

    /// New principal directions arrived: sliders start at zero.
    pub fn set_directions(&mut self, step: u64, directions: Directions) {
        self.offsets = vec![0.0; directions.latent.len()];
        self.directions = Some((step, directions));
        self.directions_pending = false;
    }

    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        classes: Option<usize>,
        names: &[String],
    ) -> LatentResponse {
        let mut response = LatentResponse::default();
        self.seed_row(ui, &mut response);
        if let Some(classes) = classes {
            self.class_picker(ui, classes, names, &mut response);
        }
        if let Some(note) = &self.reset_note {
            ui.weak(note.as_str());
        }
        let psi = ui
            .add(egui::Slider::new(&mut self.psi, 0.0..=1.0).text("Truncation psi"))
            .on_hover_text("Pull z toward the mean: 0 gives the average output, 1 leaves z as is");
        response.changed |= psi.changed();
        ui.separator();
        self.directions_ui(ui, &mut response);
        ui.separator();
        self.dimension_sliders(ui, &mut response);
        if response.changed {
            self.reset_note = None;
        }
        response
    }

    fn seed_row(&mut self, ui: &mut egui::Ui, response: &mut LatentResponse) {
        ui.horizontal(|ui| {
            let label = ui.label("Seed");
            let typed = ui
                .add(egui::DragValue::new(&mut self.seed).speed(0.2))
                .labelled_by(label.id)
                .on_hover_text("Type a seed: tile i of the sample grid is seed i");
            if typed.changed() {
                self.set_seed(self.seed);
                response.changed = true;
            }
            if self.edited {
                ui.small("(edited)");
            }
        });
        ui.horizontal_wrapped(|ui| {
            if ui
                .button("Randomize")
                .on_hover_text("A new random seed")
                .clicked()
            {
                self.set_seed(u64::from(rand::random::<u32>()));
                response.changed = true;
            }
            if ui
                .button("Reset to zero")
                .on_hover_text("z = 0, the prior's mean")
                .clicked()
            {
                self.base.iter_mut().for_each(|v| *v = 0.0);
                self.offsets.iter_mut().for_each(|v| *v = 0.0);
                self.edited = true;
                response.changed = true;
            }
            if ui.button("Copy seed").clicked() {
                ui.ctx().copy_text(self.seed.to_string());
            }
        });
    }

    fn class_picker(
        &mut self,
        ui: &mut egui::Ui,
        classes: usize,
        names: &[String],
        response: &mut LatentResponse,
    ) {
        // A class by its name, with its label number when the name is not that number.
        let name = |class: usize| match names.get(class) {
            Some(name) if *name != class.to_string() => format!("{class}: {name}"),
            _ => class.to_string(),
        };
        ui.horizontal(|ui| {
            let label = ui.label("Class");
            egui::ComboBox::from_id_salt("explorer-class")
                .selected_text(name(self.class))
                .show_ui(ui, |ui| {
                    for class in 0..classes {
                        response.changed |= ui
                            .selectable_value(&mut self.class, class, name(class))
                            .changed();
                    }
                })
                .response
                .labelled_by(label.id);
        });
    }

    fn directions_ui(&mut self, ui: &mut egui::Ui, response: &mut LatentResponse) {
        ui.horizontal(|ui| {
            ui.strong("Principal directions");
            let label = if self.directions.is_some() {
                "Recompute"
            } else {
                "Compute"
            };
            if ui
                .button(label)
                .on_hover_text(
                    "PCA of G's outputs over 1024 latents of the latest snapshot (GANSpace)",
                )
                .clicked()
            {
                self.directions_pending = true;
                self.directions_progress = 0.0;
                response.compute_directions = true;
            }
            ui.add(egui::DragValue::new(&mut self.components).range(1..=32))
                .on_hover_text("How many components");
        });
        if self.directions_pending {
            ui.horizontal(|ui| {
                ui.add(
                    egui::ProgressBar::new(self.directions_progress)
                        .text("computing")
                        .desired_width(160.0),
                );
                if ui.small_button("Cancel").clicked() {
                    self.directions_pending = false;
                    response.cancel_directions = true;
                }
            });
        }
        let Some((step, directions)) = &self.directions else {
            return;
        };
        ui.small(format!(
            "from the generator at step {step}; sliders in sigma"
        ));
        for (i, offset) in self.offsets.iter_mut().enumerate() {
            let share = directions.explained.get(i).copied().unwrap_or(0.0) * 100.0;
            response.changed |= ui
                .add(egui::Slider::new(offset, SIGMAS).text(format!("PC{i} {share:.1}%")))
                .on_hover_text(format!("Component {i}: {share:.2}% of the output variance"))
                .changed();
        }
        if ui.small_button("Zero the directions").clicked() {
            self.offsets.iter_mut().for_each(|v| *v = 0.0);
            response.changed = true;
        }
    }

    fn dimension_sliders(&mut self, ui: &mut egui::Ui, response: &mut LatentResponse) {
        ui.strong(format!("z ({} dimensions)", self.base.len()));
        let row = ui.spacing().interact_size.y;
        let mut moved = false;
        egui::ScrollArea::vertical()
            .id_salt("latent-dims")
            .auto_shrink([false, true])
            .show_rows(ui, row, self.base.len(), |ui, rows| {
                for i in rows {
                    moved |= ui
                        .add(egui::Slider::new(&mut self.base[i], DIM_RANGE).text(format!("z{i}")))
                        .changed();
                }
            });
        if moved {
            self.edited = true;
            response.changed = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picked_tile_is_shown_as_the_grid_draws_it_and_the_reset_is_said() {
        let mut controls = LatentControls::new(8);
        controls.psi = 0.78;
        controls.offsets = vec![3.0, 0.0];
        controls.show_tile(5);
        assert_eq!(controls.z(), latent::from_seed(5, 8));
        assert_eq!(controls.psi, 1.0);
        let note = controls.reset_note.clone().unwrap_or_default();
        assert!(
            note.contains("Tile 5") && note.contains("psi (0.78)"),
            "{note}"
        );
        controls.show_tile(6);
        assert!(
            controls.reset_note.is_none(),
            "nothing to reset, nothing said"
        );
    }
}
