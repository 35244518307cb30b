//! The growth plot of progressive runs: each level as a step curve and its α rising from 0 to
//! 1 through every fade, on the plots' shared step axis (with the same markers: a new level
//! and the end of its fade are phases of the run).

use super::plots::{Curve, Marker, PlottedRun, curves};
use egui::Color32;
use egui_plot::Plot;

const LEVEL_COLOR: Color32 = Color32::from_rgb(150, 200, 255);
const ALPHA_COLOR: Color32 = Color32::from_rgb(250, 200, 90);

/// Draw the growth of the runs that grow, `height` px tall; returns the points drawn.
pub(super) fn draw(
    ui: &mut egui::Ui,
    runs: &[PlottedRun<'_>],
    markers: &[Marker],
    budget: usize,
    height: f32,
) -> usize {
    let single = runs.len() == 1;
    let mut lines = Vec::new();
    let mut top = 1.0f64;
    for run in runs.iter().filter(|r| r.curves.grows()) {
        let c = run.curves;
        let highest = c.level.values().iter().copied().fold(0.0f32, f32::max);
        top = top.max(f64::from(highest));
        let (level, alpha) = if single {
            (
                ("level (each one doubles the side)".to_string(), LEVEL_COLOR),
                (
                    "alpha (fade-in of the newest level)".to_string(),
                    ALPHA_COLOR,
                ),
            )
        } else {
            (
                (format!("{} level", run.name), run.color),
                (format!("{} alpha", run.name), run.color.gamma_multiply(0.7)),
            )
        };
        lines.push(Curve {
            name: level.0,
            color: level.1,
            dashed: true,
            series: &c.level,
            raw: false,
        });
        lines.push(Curve {
            name: alpha.0,
            color: alpha.1,
            dashed: false,
            series: &c.alpha,
            raw: false,
        });
    }
    let plot = Plot::new("growth")
        .height(height)
        .include_y(0.0)
        .include_y(top)
        .y_axis_label("level, alpha");
    curves(ui, "growth", plot, &lines, markers, budget, false)
}
