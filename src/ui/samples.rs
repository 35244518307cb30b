//! The sample view: the image grid from the run's fixed latent vectors (one texture, updated
//! in place), or for 2-D data the GAN Lab-style view of [`super::toy_view`].

use super::toy_view::{ToyFrame, ToyView};
use crate::imaging;
use crate::protocol::SampleView;
use crate::protocol::Tiles;
use egui::{ColorImage, TextureHandle, TextureOptions};

#[derive(Default)]
pub struct SamplesView {
    toy: ToyView,
    texture: Option<TextureHandle>,
    /// Step of the samples now in the texture.
    uploaded: Option<u64>,
    /// The data set's class names, shown at the start of a class-per-row grid's rows.
    row_names: Vec<String>,
    /// The grid drawn now has one row per class.
    label_rows: bool,
}

/// Tiles of the grid to outline: the one the explorer shows and the walk's end.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TileMarks {
    pub explored: Option<usize>,
    pub walk_end: Option<usize>,
}

/// A click on a tile of the sample grid: tile `i` is latent seed `i`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pick {
    pub tile: usize,
    /// Right click.
    pub secondary: bool,
}

impl SamplesView {
    /// Draw the samples; returns the tile the user clicked, if any.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        samples: Option<&(u64, SampleView)>,
        marks: TileMarks,
        class_names: &[String],
        curves: &super::curves::Curves,
    ) -> Option<Pick> {
        self.row_names = class_names.to_vec();
        let Some((step, view)) = samples else {
            ui.centered_and_justified(|ui| ui.label("Pick a preset to see its samples."));
            return None;
        };
        match view {
            SampleView::Grid {
                meaning: Tiles::HeldOutPairs,
                image,
                columns,
                tiles,
                captions,
            } => {
                ui.label(format!("Translations after step {step} (held-out pairs)"));
                ui.small(
                    "Each pair: the input A, what G makes of it, and the target B. The pairs \
                     were never trained on. Click a pair to draw on its input in the explorer.",
                );
                return self.grid(ui, *step, image, (*columns, *tiles), marks, captions);
            }
            SampleView::Grid {
                meaning: Tiles::Upscaled,
                image,
                columns,
                tiles,
                captions,
            } => {
                self.label_rows = false;
                ui.label(format!("Upscalings after step {step} (held-out crops)"));
                ui.small(
                    "Each row: the low-resolution input (its pixels drawn large), bicubic \
                     upscaling, what G makes of it, and the original. The crops were never \
                     trained on.",
                );
                // Nothing to explore from a crop: clicks pick nothing.
                let _ = self.grid(ui, *step, image, (*columns, *tiles), marks, captions);
                return None;
            }
            SampleView::Grid {
                image,
                columns,
                tiles,
                captions,
                meaning,
            } => {
                self.label_rows = *meaning == Tiles::SeedsByClass;
                ui.label(match curves.stage_after(*step) {
                    // A growing G: the stage's output, enlarged to the final size.
                    Some(stage) => {
                        format!("Samples after step {step} (fixed latent vectors), {stage}")
                    }
                    None => format!("Samples after step {step} (fixed latent vectors)"),
                });
                ui.small(
                    "Click a sample to explore it (outlined); right-click to end the walk there \
                     (dashed green).",
                );
                return self.grid(ui, *step, image, (*columns, *tiles), marks, captions);
            }
            SampleView::Points {
                real,
                fake,
                bounds,
                field,
                pushes,
            } => {
                ui.label(format!("Samples after step {step} (fixed latent vectors)"));
                self.toy.ui(
                    ui,
                    &ToyFrame {
                        step: *step,
                        real,
                        fake,
                        bounds: *bounds,
                        field,
                        pushes,
                    },
                );
            }
        }
        None
    }

    fn grid(
        &mut self,
        ui: &mut egui::Ui,
        step: u64,
        image: &crate::protocol::RgbaImage,
        (columns, tiles): (usize, usize),
        marks: TileMarks,
        captions: &[String],
    ) -> Option<Pick> {
        if self.uploaded != Some(step) || self.texture.is_none() {
            let color =
                ColorImage::from_rgba_unmultiplied([image.width, image.height], &image.pixels);
            match &mut self.texture {
                Some(texture) => texture.set(color, TextureOptions::NEAREST),
                None => {
                    self.texture = Some(ui.ctx().load_texture(
                        "samples",
                        color,
                        TextureOptions::NEAREST,
                    ));
                }
            }
            self.uploaded = Some(step);
        }
        let texture = self.texture.as_ref()?;
        let available = ui.available_size();
        let size = texture.size_vec2();
        let scale = (available.x / size.x).min(available.y / size.y).max(0.1);
        let response = ui
            .centered_and_justified(|ui| {
                ui.add(egui::Image::new((texture.id(), size * scale)).sense(egui::Sense::click()))
            })
            .inner;
        // The layout may give the image more room than it paints; it is drawn centred.
        let painted = egui::Rect::from_center_size(response.rect.center(), size * scale);
        let outline = |index: Option<usize>, color: egui::Color32, dashed: bool| {
            let Some([x, y, side]) = index
                .filter(|&i| i < tiles)
                .and_then(|i| imaging::tile_rect(image.width, columns, i))
            else {
                return;
            };
            let rect = egui::Rect::from_min_size(
                painted.min + egui::vec2(x as f32, y as f32) * scale,
                egui::Vec2::splat(side as f32 * scale),
            );
            let stroke = egui::Stroke::new(2.0, color);
            if dashed {
                let corners = [rect.left_top(), rect.right_top(), rect.right_bottom()];
                let path = [corners.as_slice(), &[rect.left_bottom(), rect.left_top()]].concat();
                ui.painter()
                    .extend(egui::Shape::dashed_line(&path, stroke, 4.0, 3.0));
            } else {
                ui.painter()
                    .rect_stroke(rect, 0.0, stroke, egui::StrokeKind::Outside);
            }
        };
        // Column captions, over the top row of tiles.
        let column_width = painted.width() / columns.max(1) as f32;
        for (c, caption) in captions.iter().enumerate() {
            let at = egui::pos2(
                painted.left() + (c as f32 + 0.5) * column_width,
                painted.top() + 2.0,
            );
            let font = egui::FontId::proportional(11.0);
            let galley = ui
                .painter()
                .layout_no_wrap(caption.clone(), font, egui::Color32::WHITE);
            let rect = egui::Align2::CENTER_TOP.anchor_size(at, galley.size());
            ui.painter()
                .rect_filled(rect.expand(1.0), 2.0, egui::Color32::from_black_alpha(170));
            ui.painter().galley(rect.min, galley, egui::Color32::WHITE);
        }
        // Class names over the first tile of each row of a class-per-row grid.
        let rows = tiles.div_ceil(columns.max(1));
        if self.label_rows && captions.is_empty() && !self.row_names.is_empty() {
            let row_height = painted.height() / rows.max(1) as f32;
            for (r, name) in self.row_names.iter().take(rows).enumerate() {
                let at = egui::pos2(
                    painted.left() + 3.0,
                    painted.top() + r as f32 * row_height + 3.0,
                );
                let galley = ui.painter().layout_no_wrap(
                    name.clone(),
                    egui::FontId::proportional(10.0),
                    egui::Color32::WHITE,
                );
                let rect = egui::Align2::LEFT_TOP.anchor_size(at, galley.size());
                ui.painter().rect_filled(
                    rect.expand(1.0),
                    2.0,
                    egui::Color32::from_black_alpha(170),
                );
                ui.painter().galley(rect.min, galley, egui::Color32::WHITE);
            }
        }
        if captions.is_empty() {
            outline(marks.explored, ui.visuals().selection.stroke.color, false);
            outline(marks.walk_end, egui::Color32::LIGHT_GREEN, true);
        }
        let secondary = response.secondary_clicked();
        if !(response.clicked() || secondary) {
            return None;
        }
        let at = (response.interact_pointer_pos()? - painted.min) / scale;
        let tile = imaging::tile_at(image.width, columns, tiles, at.x, at.y)?;
        Some(Pick { tile, secondary })
    }
}

/// A saved sample grid chosen with the scrubber, of `step` (with a growing run's `stage`),
/// fitted to the panel; a spinner while its texture loads.
pub fn saved(
    ui: &mut egui::Ui,
    step: u64,
    stage: Option<String>,
    texture: Option<&egui::TextureHandle>,
) {
    ui.label(match stage {
        Some(stage) => format!("Saved samples of step {step}, {stage}"),
        None => format!("Saved samples of step {step}"),
    });
    let Some(texture) = texture else {
        ui.centered_and_justified(|ui| ui.spinner());
        return;
    };
    let available = ui.available_size();
    let size = texture.size_vec2();
    let scale = (available.x / size.x).min(available.y / size.y).max(0.1);
    ui.centered_and_justified(|ui| ui.image((texture.id(), size * scale)));
}
