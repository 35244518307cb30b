//! The sample view: the image grid from the run's fixed latent vectors (one texture, updated
//! in place), or for 2-D data a scatter of real and generated points on fixed axes.

use crate::imaging::{self, FAKE_RGBA, REAL_RGBA};
use crate::protocol::SampleView;
use egui::{Color32, ColorImage, TextureHandle, TextureOptions};
use egui_plot::{Legend, Plot, PlotPoints, Points};

#[derive(Default)]
pub struct SamplesView {
    texture: Option<TextureHandle>,
    /// Step of the samples now in the texture.
    uploaded: Option<u64>,
}

fn color([r, g, b, _]: [u8; 4]) -> Color32 {
    Color32::from_rgb(r, g, b)
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
    pub fn ui(&mut self, ui: &mut egui::Ui, samples: Option<&(u64, SampleView)>) -> Option<Pick> {
        let Some((step, view)) = samples else {
            ui.centered_and_justified(|ui| ui.label("Pick a preset to see its samples."));
            return None;
        };
        ui.label(format!("Samples after step {step} (fixed latent vectors)"));
        match view {
            SampleView::Grid {
                image,
                columns,
                tiles,
            } => {
                ui.small("Click a sample to explore it; right-click to end the walk there.");
                return self.grid(ui, *step, image, *columns, *tiles);
            }
            SampleView::Points { real, fake, bounds } => {
                let to_points = |p: &[[f32; 2]]| -> PlotPoints<'static> {
                    p.iter().map(|p| [p[0] as f64, p[1] as f64]).collect()
                };
                Plot::new("samples-2d")
                    .data_aspect(1.0)
                    .legend(Legend::default())
                    .default_x_bounds(bounds[0] as f64, bounds[1] as f64)
                    .default_y_bounds(bounds[2] as f64, bounds[3] as f64)
                    .show(ui, |plot| {
                        plot.points(
                            Points::new("real", to_points(real))
                                .radius(1.5)
                                .color(color(REAL_RGBA)),
                        );
                        plot.points(
                            Points::new("generated", to_points(fake))
                                .radius(1.5)
                                .color(color(FAKE_RGBA)),
                        );
                    });
            }
        }
        None
    }

    fn grid(
        &mut self,
        ui: &mut egui::Ui,
        step: u64,
        image: &crate::protocol::RgbaImage,
        columns: usize,
        tiles: usize,
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
        let secondary = response.secondary_clicked();
        if !(response.clicked() || secondary) {
            return None;
        }
        // The layout may give the image more room than it paints; it is drawn centred.
        let painted = egui::Rect::from_center_size(response.rect.center(), size * scale);
        let at = (response.interact_pointer_pos()? - painted.min) / scale;
        let tile = imaging::tile_at(image.width, columns, tiles, at.x, at.y)?;
        Some(Pick { tile, secondary })
    }
}
