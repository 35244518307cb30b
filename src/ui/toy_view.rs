//! The GAN Lab-style view of a 2-D model: real points (blue), generated points (orange), D's
//! output as a heat map over the plane (purple = "fake", green = "real"), and arrows showing
//! where G's loss pushes a subset of the generated points.

use crate::imaging::{FAKE_RGBA, REAL_RGBA};
use crate::protocol::Field;
use egui::{Color32, ColorImage, TextureHandle, TextureOptions};
use egui_plot::{Arrows, Legend, Plot, PlotImage, PlotPoint, PlotPoints, Points};

/// Heat-map colours at D = 0 and D = 1, and its opacity.
const D_FAKE: [f32; 3] = [110.0, 50.0, 150.0];
const D_REAL: [f32; 3] = [30.0, 150.0, 110.0];
const HEAT_ALPHA: u8 = 120;
/// The longest arrow, as a share of the plot's width.
const ARROW_SHARE: f32 = 0.08;

/// Everything the view draws for one step.
pub struct ToyFrame<'a> {
    pub step: u64,
    pub real: &'a [[f32; 2]],
    pub fake: &'a [[f32; 2]],
    pub bounds: [f32; 4],
    pub field: &'a Field,
    pub pushes: &'a [[f32; 2]],
}

pub struct ToyView {
    pub show_field: bool,
    pub show_arrows: bool,
    heat: Option<TextureHandle>,
    uploaded: Option<u64>,
}

impl Default for ToyView {
    fn default() -> Self {
        ToyView {
            show_field: true,
            show_arrows: true,
            heat: None,
            uploaded: None,
        }
    }
}

fn color([r, g, b, _]: [u8; 4]) -> Color32 {
    Color32::from_rgb(r, g, b)
}

/// The heat map as RGBA, top row first (the field's last row).
pub fn heat_image(field: &Field) -> ColorImage {
    let n = field.n;
    let mut pixels = Vec::with_capacity(n * n);
    for row in (0..n).rev() {
        for col in 0..n {
            let d = field.values[row * n + col].clamp(0.0, 1.0);
            let mix = |i: usize| (D_FAKE[i] + d * (D_REAL[i] - D_FAKE[i])) as u8;
            pixels.push(Color32::from_rgba_unmultiplied(
                mix(0),
                mix(1),
                mix(2),
                HEAT_ALPHA,
            ));
        }
    }
    ColorImage::new([n, n], pixels)
}

/// Arrow tips: each push scaled so the longest is [`ARROW_SHARE`] of the plot's width.
pub fn arrow_tips(points: &[[f32; 2]], pushes: &[[f32; 2]], width: f32) -> Vec<[f32; 2]> {
    let longest = pushes
        .iter()
        .map(|p| p[0].hypot(p[1]))
        .fold(0.0f32, f32::max);
    let scale = if longest > 0.0 {
        ARROW_SHARE * width / longest
    } else {
        0.0
    };
    points
        .iter()
        .zip(pushes)
        .map(|(p, d)| [p[0] + scale * d[0], p[1] + scale * d[1]])
        .collect()
}

impl ToyView {
    pub fn ui(&mut self, ui: &mut egui::Ui, frame: &ToyFrame) {
        ui.horizontal(|ui| {
            ui.checkbox(&mut self.show_field, "D heat map")
                .on_hover_text("D's probability that a point is real: green high, purple low");
            ui.checkbox(&mut self.show_arrows, "G arrows")
                .on_hover_text("Where G's loss pushes generated points (minus its gradient)");
        });
        if self.show_field && (self.uploaded != Some(frame.step) || self.heat.is_none()) {
            let image = heat_image(frame.field);
            match &mut self.heat {
                Some(texture) => texture.set(image, TextureOptions::LINEAR),
                None => {
                    self.heat = Some(ui.ctx().load_texture(
                        "d-field",
                        image,
                        TextureOptions::LINEAR,
                    ))
                }
            }
            self.uploaded = Some(frame.step);
        }
        let to_plot = |p: &[[f32; 2]]| -> PlotPoints<'static> {
            p.iter()
                .map(|p| [f64::from(p[0]), f64::from(p[1])])
                .collect()
        };
        let [x0, x1, y0, y1] = frame.bounds.map(f64::from);
        let with_arrows = &frame.fake[..frame.pushes.len().min(frame.fake.len())];
        // A square plot, as large as fits: the heat map covers the square the data is framed
        // in, so a plot stretched to a tall panel would show bands D was never asked about.
        let side = ui.available_width().min(ui.available_height()).max(120.0);
        Plot::new("samples-2d")
            .width(side)
            .height(side)
            .data_aspect(1.0)
            .legend(Legend::default())
            .default_x_bounds(x0, x1)
            .default_y_bounds(y0, y1)
            .show(ui, |plot| {
                if let (true, Some(texture)) = (self.show_field, &self.heat) {
                    let [fx0, fx1, fy0, fy1] = frame.field.bounds.map(f64::from);
                    plot.image(PlotImage::new(
                        "D(x)",
                        texture.id(),
                        PlotPoint::new((fx0 + fx1) / 2.0, (fy0 + fy1) / 2.0),
                        [(fx1 - fx0) as f32, (fy1 - fy0) as f32],
                    ));
                }
                plot.points(
                    Points::new("real", to_plot(frame.real))
                        .radius(1.5)
                        .color(color(REAL_RGBA)),
                );
                plot.points(
                    Points::new("generated", to_plot(frame.fake))
                        .radius(1.5)
                        .color(color(FAKE_RGBA)),
                );
                if self.show_arrows {
                    let tips = arrow_tips(with_arrows, frame.pushes, (x1 - x0) as f32);
                    plot.arrows(
                        Arrows::new("G's push", to_plot(with_arrows), to_plot(&tips))
                            .tip_length(4.0)
                            .color(Color32::from_gray(230)),
                    );
                }
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_heat_map_puts_the_bottom_row_last_and_colours_by_d() {
        let field = Field {
            n: 2,
            bounds: [0.0, 1.0, 0.0, 1.0],
            values: vec![0.0, 0.0, 1.0, 1.0],
        };
        let image = heat_image(&field);
        assert_eq!(image.size, [2, 2]);
        // Colours are stored premultiplied: compare within rounding.
        let near = |pixel: Color32, want: [u8; 3]| {
            let got = pixel.to_srgba_unmultiplied();
            (0..3).all(|i| got[i].abs_diff(want[i]) <= 2)
        };
        assert!(
            near(image.pixels[0], [30, 150, 110]),
            "top row is the field's last (D = 1)"
        );
        assert!(near(image.pixels[2], [110, 50, 150]));
    }

    #[test]
    fn the_longest_arrow_gets_the_fixed_length() {
        let tips = arrow_tips(&[[0.0, 0.0], [1.0, 1.0]], &[[3.0, 4.0], [0.0, -1.0]], 10.0);
        assert!((tips[0][0] - 0.48).abs() < 1e-6 && (tips[0][1] - 0.64).abs() < 1e-6);
        assert!((tips[1][1] - (1.0 - 0.16)).abs() < 1e-6);
    }
}
