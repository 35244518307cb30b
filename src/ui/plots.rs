//! Live training curves: G and D losses, and D(x) / D(G(z)) as probabilities, with EMA
//! smoothing and a log scale for the losses. Series are decimated to about two points per
//! horizontal pixel before egui_plot sees them.

use super::run_state::RunState;
use super::series::{Series, Smoothed};
use egui::Color32;
use egui_plot::{Legend, Line, Plot, PlotPoints};

pub(super) const G_COLOR: Color32 = Color32::from_rgb(255, 140, 40);
pub(super) const D_COLOR: Color32 = Color32::from_rgb(90, 160, 255);

/// The plot panel's state: user settings and the smoothed copies of each series.
#[derive(Default)]
pub struct PlotsView {
    /// EMA weight in [0, 0.999]; 0 shows raw values.
    pub smoothing: f32,
    pub log_losses: bool,
    smoothed: [Smoothed; 4],
    /// Points handed to egui_plot in the last frame (all four curves).
    drawn: usize,
}

impl PlotsView {
    pub fn ui(&mut self, ui: &mut egui::Ui, run: &RunState) {
        let Self {
            smoothing,
            log_losses,
            smoothed,
            drawn,
        } = self;
        ui.horizontal(|ui| {
            ui.label("Smoothing");
            ui.add(egui::Slider::new(smoothing, 0.0..=0.999).fixed_decimals(3))
                .on_hover_text("Exponential moving average weight, as in TensorBoard");
            ui.checkbox(log_losses, "Log scale (losses)");
        });
        let budget = (ui.available_width().max(100.0) * 2.0) as usize;
        let height = ((ui.available_height() - 8.0) / 2.0).max(80.0);
        let [g, d, real, fake] = smoothed;
        let losses = [
            ("G loss", G_COLOR, g.sync(&run.g_loss, *smoothing)),
            ("D loss", D_COLOR, d.sync(&run.d_loss, *smoothing)),
        ];
        let probabilities = [
            ("D(x)", D_COLOR, real.sync(&run.d_real, *smoothing)),
            ("D(G(z))", G_COLOR, fake.sync(&run.d_fake, *smoothing)),
        ];
        let losses_axis = if *log_losses { "loss (log10)" } else { "loss" };
        let losses_plot = Plot::new("losses").y_axis_label(losses_axis);
        *drawn = curves(ui, losses_plot, losses, height, budget, *log_losses);
        let probabilities_plot = Plot::new("d-outputs")
            .include_y(0.0)
            .include_y(1.0)
            .x_axis_label("step")
            .y_axis_label("probability");
        *drawn += curves(ui, probabilities_plot, probabilities, height, budget, false);
    }
}

/// Draw `series` as lines in `plot` (x axes linked across the panel); returns the number of
/// points drawn.
pub(super) fn curves(
    ui: &mut egui::Ui,
    plot: Plot<'_>,
    series: [(&str, Color32, &Series); 2],
    height: f32,
    budget: usize,
    log: bool,
) -> usize {
    let link = egui::Id::unique("ganscope-plots-x");
    let mut drawn = 0;
    plot.height(height)
        .legend(Legend::default())
        .link_axis(link, [true, false])
        .link_cursor(link, [true, false])
        .show(ui, |plot| {
            for (name, color, series) in series {
                let points = visible(series, x_range(plot), budget, log);
                drawn += points.len();
                plot.line(Line::new(name, PlotPoints::new(points)).color(color));
            }
        });
    drawn
}

impl PlotsView {
    /// Points drawn in the last frame, over all curves.
    pub fn points_drawn(&self) -> usize {
        self.drawn
    }
}

/// The x range the user is looking at, or `None` while the plot follows the data.
fn x_range(plot: &egui_plot::PlotUi<'_>) -> Option<(f64, f64)> {
    let range = plot.plot_bounds().range_x();
    let (lo, hi) = (*range.start(), *range.end());
    (!plot.auto_bounds().x && lo.is_finite() && hi.is_finite() && hi > lo).then_some((lo, hi))
}

/// Decimated points of the steps inside `x_range` (plus a margin; everything when `None`),
/// as `[step, value]`.
fn visible(
    series: &Series,
    x_range: Option<(f64, f64)>,
    budget: usize,
    log: bool,
) -> Vec<[f64; 2]> {
    let len = series.len();
    let index_range = match x_range {
        Some((lo, hi)) => {
            let margin = (hi - lo) * 0.05;
            let clamp = |x: f64| (x.max(0.0) as usize).min(len);
            clamp(lo - margin - 1.0)..clamp(hi + margin)
        }
        None => 0..len,
    };
    let mut points = series.decimated(index_range, budget);
    for p in &mut points {
        p[0] += 1.0; // index i holds step i + 1
        if log {
            p[1] = p[1].max(1e-6).log10();
        }
    }
    points
}
