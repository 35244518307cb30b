//! The explorer of a 2-D model: how G bends the latent plane onto the data. A grid of lines
//! in two chosen latent dimensions (the others held at the current z) is pushed through G and
//! drawn over the real points, with the current G(z) and the walk's path on top.

use crate::imaging::{FAKE_RGBA, REAL_RGBA};
use egui::Color32;
use egui_plot::{Line, MarkerShape, Plot, PlotPoints, Points};

/// Lines per direction, points per line, and the latent span they cover (±3σ).
const LINES: usize = 11;
const POINTS: usize = 41;
const SPAN: f32 = 3.0;

pub struct Warp {
    /// The two latent dimensions the grid spans.
    pub dims: [usize; 2],
    lines: Vec<Vec<[f32; 2]>>,
    /// G(z) of the current z.
    pub point: Option<[f32; 2]>,
}

impl Default for Warp {
    fn default() -> Self {
        Warp {
            dims: [0, 1],
            lines: Vec::new(),
            point: None,
        }
    }
}

fn grid_value(i: usize, count: usize) -> f32 {
    -SPAN + 2.0 * SPAN * i as f32 / (count - 1) as f32
}

impl Warp {
    /// The latents of the grid: for each spanned dimension, [`LINES`] lines of [`POINTS`]
    /// points along it, at evenly spaced values of the other one. A 1-D latent (or the same
    /// dimension picked twice) gives one line.
    pub fn latents(&self, z: &[f32]) -> Vec<Vec<f32>> {
        let [a, b] = self.dims.map(|d| d.min(z.len().saturating_sub(1)));
        let dims = if a == b { vec![a] } else { vec![a, b] };
        let mut out = Vec::new();
        for (a, &along) in dims.iter().enumerate() {
            let across = dims.get(1 - a).copied();
            let lines = if across.is_some() { LINES } else { 1 };
            for line in 0..lines {
                for p in 0..POINTS {
                    let mut point = z.to_vec();
                    point[along] = grid_value(p, POINTS);
                    if let Some(across) = across {
                        point[across] = grid_value(line, LINES);
                    }
                    out.push(point);
                }
            }
        }
        out
    }

    pub fn receive(&mut self, points: Vec<[f32; 2]>) {
        self.lines = points.chunks(POINTS).map(<[_]>::to_vec).collect();
    }

    /// Dimension pickers; true when the grid must be rendered again.
    pub fn controls(&mut self, ui: &mut egui::Ui, latent_dim: usize) -> bool {
        if latent_dim < 2 {
            return false;
        }
        let mut changed = false;
        ui.horizontal(|ui| {
            ui.label("Grid spans");
            for (axis, dim) in self.dims.iter_mut().enumerate() {
                let label = ui.label(if axis == 0 { "z" } else { "and z" });
                changed |= ui
                    .add(egui::DragValue::new(dim).range(0..=latent_dim - 1))
                    .labelled_by(label.id)
                    .changed();
            }
        });
        changed
    }

    /// The plot: real points, the warped grid, the walk and the current point.
    /// `current`: the animated walk's frame, marked.
    pub fn plot(
        &self,
        ui: &mut egui::Ui,
        real: &[[f32; 2]],
        bounds: [f32; 4],
        walk: &[[f32; 2]],
        current: Option<[f32; 2]>,
    ) {
        let to_plot = |p: &[[f32; 2]]| -> PlotPoints<'static> {
            p.iter()
                .map(|p| [f64::from(p[0]), f64::from(p[1])])
                .collect()
        };
        let [r, g, b, _] = REAL_RGBA;
        let [fr, fg, fb, _] = FAKE_RGBA;
        Plot::new("explorer-2d")
            .data_aspect(1.0)
            .default_x_bounds(f64::from(bounds[0]), f64::from(bounds[1]))
            .default_y_bounds(f64::from(bounds[2]), f64::from(bounds[3]))
            .show(ui, |plot| {
                plot.points(
                    Points::new("real", to_plot(real))
                        .radius(1.5)
                        .color(Color32::from_rgba_unmultiplied(r, g, b, 120)),
                );
                for (i, line) in self.lines.iter().enumerate() {
                    plot.line(
                        Line::new(format!("grid {i}"), to_plot(line))
                            .color(Color32::from_rgba_unmultiplied(fr, fg, fb, 140))
                            .width(1.0),
                    );
                }
                if !walk.is_empty() {
                    plot.line(Line::new("walk", to_plot(walk)).color(Color32::LIGHT_GREEN));
                    plot.points(
                        Points::new("walk frames", to_plot(walk))
                            .radius(3.0)
                            .color(Color32::LIGHT_GREEN),
                    );
                }
                if let Some(p) = current {
                    plot.points(
                        Points::new("walk frame", to_plot(&[p]))
                            .radius(6.0)
                            .color(Color32::YELLOW),
                    );
                }
                if let Some(p) = self.point {
                    plot.points(
                        Points::new("G(z)", to_plot(&[p]))
                            .shape(MarkerShape::Diamond)
                            .radius(7.0)
                            .color(Color32::WHITE),
                    );
                }
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_spans_both_dimensions_and_keeps_the_others() {
        let warp = Warp {
            dims: [0, 2],
            ..Warp::default()
        };
        let z = vec![0.5, 0.7, 0.9];
        let latents = warp.latents(&z);
        assert_eq!(latents.len(), 2 * LINES * POINTS);
        assert!(latents.iter().all(|l| l[1] == 0.7), "unspanned dims stay");
        assert_eq!(latents[0][0], -SPAN);
        assert_eq!(latents[POINTS - 1][0], SPAN);
        assert_eq!(
            latents[0][2], -SPAN,
            "first line at the low end of the other dim"
        );
        assert_eq!(warp.latents(&[0.1]).len(), POINTS, "1-D latent: one line");
        let same = Warp {
            dims: [1, 1],
            ..Warp::default()
        };
        assert_eq!(
            same.latents(&z).len(),
            POINTS,
            "one dimension twice: one line"
        );
        assert_eq!(Warp::default().dims, [0, 1]);
    }
}
