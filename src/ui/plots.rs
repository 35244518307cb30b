//! Training curves: G and D losses, and D(x) / D(G(z)) as probabilities, with EMA smoothing
//! and a log scale for the losses, for the live run alone or overlaid with runs opened from
//! disk (one colour per run; G solid, D dashed). Settings changed mid-run show as vertical
//! markers, and the step scrubber as a cursor. Series are decimated to about two points per
//! horizontal pixel before egui_plot sees them. A growing run adds its level and α (see
//! [`super::growth_plot`]).

use super::curves::Curves;
use super::plot_frame::{self, XAxis};
use super::series::{Series, Smoothed};
use crate::runs::{EventKind, RunEvent};
use egui::Color32;
use egui_plot::{Legend, Line, LineStyle, Plot, PlotPoints, VLine};
use std::collections::HashMap;

pub(super) const G_COLOR: Color32 = Color32::from_rgb(255, 140, 40);
pub(super) const D_COLOR: Color32 = Color32::from_rgb(90, 160, 255);
/// Colours of G's named loss terms, in name order.
const TERM_COLORS: [Color32; 3] = [
    Color32::from_rgb(120, 220, 120),
    Color32::from_rgb(220, 120, 220),
    Color32::from_rgb(230, 230, 110),
];
const MARKER_COLOR: Color32 = Color32::from_rgb(170, 170, 170);
const CURSOR_COLOR: Color32 = Color32::from_rgb(230, 200, 60);

/// One run as the plots draw it.
pub struct PlottedRun<'a> {
    /// Stable identity across frames (keeps the run's smoothed copies).
    pub key: &'a str,
    /// Legend name.
    pub name: &'a str,
    /// The run's colour when several runs are drawn.
    pub color: Color32,
    pub curves: &'a Curves,
    /// Its event log; changed settings and resumes become markers.
    pub events: &'a [RunEvent],
    /// D's outputs are raw scores (hinge, least squares, Wasserstein), not probabilities.
    pub scores: bool,
}

/// One line of a plot.
pub(super) struct Curve<'a> {
    pub name: String,
    pub color: Color32,
    pub dashed: bool,
    pub series: &'a Series,
    /// The unsmoothed series, drawn faint behind the smoothed line of the same name.
    pub raw: bool,
}

/// The plots' settings, remembered between sessions.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct PlotSettings {
    /// EMA weight in [0, 0.999]; 0 shows raw values.
    pub smoothing: f32,
    pub log_losses: bool,
}

impl Default for PlotSettings {
    /// TensorBoard's default smoothing: noisy GAN losses are unreadable raw.
    fn default() -> Self {
        PlotSettings {
            smoothing: 0.6,
            log_losses: false,
        }
    }
}

/// The plot panel's state: user settings and the smoothed copies of each run's series.
#[derive(Default)]
pub struct PlotsView {
    pub settings: PlotSettings,
    smoothed: HashMap<String, [Smoothed; 4]>,
    /// Smoothed copies of each run's named loss terms, by (run, term).
    smoothed_terms: HashMap<(String, String), Smoothed>,
    /// Points handed to egui_plot in the last frame (all curves).
    drawn: usize,
}

impl PlotsView {
    /// Draw `runs` (the first is the live run when there is one); `cursor` is the scrubbed
    /// step.
    pub fn ui(&mut self, ui: &mut egui::Ui, runs: &[PlottedRun<'_>], cursor: Option<u64>) {
        ui.horizontal_wrapped(|ui| {
            ui.label("Curve smoothing");
            ui.add(egui::Slider::new(&mut self.settings.smoothing, 0.0..=0.999).fixed_decimals(3))
                .on_hover_text(
                    "Exponential moving average weight, as in TensorBoard; the raw curve stays \
                 faintly behind the smoothed one",
                );
            ui.checkbox(&mut self.settings.log_losses, "Log scale (losses)");
        });
        self.smoothed
            .retain(|key, _| runs.iter().any(|r| r.key == key));
        self.smoothed_terms
            .retain(|(key, _), _| runs.iter().any(|r| r.key == key));
        let single = runs.len() == 1;
        if !single {
            ui.small(
                "Top: G loss solid, D loss dashed. Bottom: D(x) solid, D(G(z)) dashed. \
                 One colour per run.",
            );
        }
        let budget = (ui.available_width().max(100.0) * 2.0) as usize;
        let with_terms = runs.iter().any(|r| !r.curves.terms.is_empty());
        let with_growth = runs.iter().any(|r| r.curves.grows());
        let plots = 2.0 + f32::from(u8::from(with_terms)) + if with_growth { 0.6 } else { 0.0 };
        let height = ((ui.available_height() - 8.0) / plots).max(80.0);
        let smoothing = self.settings.smoothing;
        let mut losses = Vec::new();
        let mut probabilities = Vec::new();
        for run in runs {
            let smoothed = self.smoothed.entry(run.key.to_string()).or_default();
            for (s, raw) in smoothed.iter_mut().zip(raw_series(run.curves)) {
                s.update(raw, smoothing);
            }
            for (term, raw) in &run.curves.terms {
                self.smoothed_terms
                    .entry((run.key.to_string(), term.clone()))
                    .or_default()
                    .update(raw, smoothing);
            }
        }
        for run in runs {
            let Some([g, d, real, fake]) = self.smoothed.get(run.key) else {
                continue;
            };
            let [g_raw, d_raw, real_raw, fake_raw] = raw_series(run.curves);
            let series = [
                (g.of(g_raw), g_raw, "G loss", G_COLOR, false),
                (d.of(d_raw), d_raw, "D loss", D_COLOR, true),
                (real.of(real_raw), real_raw, "D(x)", D_COLOR, false),
                (fake.of(fake_raw), fake_raw, "D(G(z))", G_COLOR, true),
            ];
            for (i, (smooth, raw, what, color, dashed)) in series.into_iter().enumerate() {
                // Several runs: one legend entry per run (egui_plot merges equal names), the
                // line style tells G from D.
                let (name, color, dashed) = if single {
                    (what.to_string(), color, false)
                } else {
                    (run.name.to_string(), run.color, dashed)
                };
                let target = if i < 2 {
                    &mut losses
                } else {
                    &mut probabilities
                };
                if smoothing > 0.0 {
                    target.push(Curve {
                        name: name.clone(),
                        color: color.gamma_multiply(0.15),
                        dashed,
                        series: raw,
                        raw: true,
                    });
                }
                target.push(Curve {
                    name,
                    color,
                    dashed,
                    series: smooth,
                    raw: false,
                });
            }
        }
        // G's other loss terms (L1, mode seeking), on their own axis: weighted by λ = 100 the
        // L1 term is most of G's loss, and its own value would be a flat line beside it.
        let mut terms = Vec::new();
        for run in runs {
            for (i, (term, raw)) in run.curves.terms.iter().enumerate() {
                let Some(smooth) = self
                    .smoothed_terms
                    .get(&(run.key.to_string(), term.clone()))
                else {
                    continue;
                };
                let (name, color) = if single {
                    (
                        format!("{term} (G term)"),
                        TERM_COLORS[i % TERM_COLORS.len()],
                    )
                } else {
                    (
                        format!("{} {term}", run.name),
                        run.color.gamma_multiply(0.7),
                    )
                };
                if smoothing > 0.0 {
                    terms.push(Curve {
                        name: name.clone(),
                        color: color.gamma_multiply(0.15),
                        dashed: !single,
                        series: raw,
                        raw: true,
                    });
                }
                terms.push(Curve {
                    name,
                    color,
                    dashed: !single,
                    series: smooth.of(raw),
                    raw: false,
                });
            }
        }
        let markers = markers(runs, cursor);
        let log = self.settings.log_losses;
        let losses_plot = Plot::new("losses").height(height).y_axis_label(if log {
            "loss (log scale)"
        } else {
            "loss"
        });
        self.drawn = curves(ui, "losses", losses_plot, &losses, &markers, budget, log);
        if with_terms {
            let terms_plot = Plot::new("g-terms")
                .height(height)
                .include_y(0.0)
                .y_axis_label("G's other terms (unweighted)");
            self.drawn += curves(ui, "g-terms", terms_plot, &terms, &markers, budget, log);
        }
        if with_growth {
            self.drawn += super::growth_plot::draw(ui, runs, &markers, budget, height * 0.6);
        }
        let axis = d_axis_label(runs);
        let probabilities_plot = Plot::new("d-outputs")
            .height(height)
            .include_y(0.0)
            .include_y(1.0)
            .x_axis_label("step")
            .y_axis_label(axis);
        self.drawn += curves(
            ui,
            "d-outputs",
            probabilities_plot,
            &probabilities,
            &markers,
            budget,
            false,
        );
    }

    /// Points drawn in the last frame, over all curves.
    pub fn points_drawn(&self) -> usize {
        self.drawn
    }
}

/// The lower plot's y label: D's outputs are probabilities for the logistic losses and raw
/// scores for the others, and compared runs may mix them.
fn d_axis_label(runs: &[PlottedRun<'_>]) -> &'static str {
    let scores = runs.iter().filter(|r| r.scores).count();
    if scores == 0 {
        "D output (probability)"
    } else if scores == runs.len() {
        "D output (score)"
    } else {
        "D output (probability or score)"
    }
}

/// The plotted series of a run, in the order of the smoothed copies.
fn raw_series(c: &Curves) -> [&Series; 4] {
    [&c.g_loss, &c.d_loss, &c.d_real, &c.d_fake]
}

/// A vertical line across the plots: a legend name, its step and colour.
pub(super) type Marker = (String, f64, Color32);

/// The markers of the runs' changed settings, resumes and phases, and the scrubber's cursor.
fn markers(runs: &[PlottedRun<'_>], cursor: Option<u64>) -> Vec<Marker> {
    let mut markers: Vec<Marker> = runs
        .iter()
        .flat_map(|run| run.events.iter())
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::Change | EventKind::Resume | EventKind::Phase
            )
        })
        .map(|e| {
            let name = match e.kind {
                EventKind::Change => "settings changed",
                EventKind::Phase => "phase began",
                _ => "resumed",
            };
            (name.to_string(), e.step as f64, MARKER_COLOR)
        })
        .collect();
    if let Some(step) = cursor {
        markers.push(("scrubber".into(), step as f64, CURSOR_COLOR));
    }
    markers
}

/// Draw `lines` and vertical `markers` in `plot` (x axes linked across the panel); returns
/// the number of points drawn.
pub(super) fn curves(
    ui: &mut egui::Ui,
    name: &str,
    plot: Plot<'_>,
    lines: &[Curve<'_>],
    markers: &[Marker],
    budget: usize,
    log: bool,
) -> usize {
    let link = egui::Id::unique("ganscope-plots-x");
    let mut drawn = 0;
    // Several runs share the budget.
    let budget = (budget * 2 / lines.len().max(2)).max(64);
    let plot = plot
        .legend(Legend::default())
        .link_axis(link, [true, false])
        .link_cursor(link, [true, false]);
    plot_frame::show(ui, name, plot, XAxis::Step, log, |plot| {
        for curve in lines {
            let points = visible(curve.series, x_range(plot), budget, log);
            drawn += points.len();
            plot.line(line_of(curve, points));
        }
        for (name, x, color) in markers {
            plot.vline(
                VLine::new(name.as_str(), *x)
                    .color(*color)
                    .style(LineStyle::dashed_dense()),
            );
        }
    });
    drawn
}

/// The line drawn for `curve`. A raw series, faint behind its smoothed line, has no legend
/// entry of its own: egui_plot merges the items of one name into one entry and greys its
/// swatch out when their colours differ (the legend swatches were all grey). It keeps the
/// smoothed line's identity, so hiding that entry hides both.
fn line_of<'a>(curve: &Curve<'_>, points: Vec<[f64; 2]>) -> Line<'a> {
    let line = if curve.raw {
        Line::new("", PlotPoints::new(points)).id(curve.name.as_str())
    } else {
        Line::new(curve.name.as_str(), PlotPoints::new(points))
    };
    let style = if curve.dashed {
        LineStyle::dashed_loose()
    } else {
        LineStyle::Solid
    };
    line.color(curve.color).style(style)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_d_axis_says_score_when_any_compared_run_uses_scores() {
        let curves = Curves::default();
        let run = |scores| PlottedRun {
            key: "k",
            name: "n",
            color: G_COLOR,
            curves: &curves,
            events: &[],
            scores,
        };
        assert_eq!(d_axis_label(&[run(false)]), "D output (probability)");
        assert_eq!(d_axis_label(&[run(true)]), "D output (score)");
        assert_eq!(
            d_axis_label(&[run(false), run(true)]),
            "D output (probability or score)"
        );
    }

    /// egui_plot gives a legend entry its items' colour only when every item of that name
    /// has the same colour. The raw series (faint) and its smoothed line (full colour) were
    /// both named, so every Training-tab swatch was grey.
    #[test]
    fn a_legend_entry_takes_its_full_colour_and_hides_the_faint_raw_line_with_it() {
        use egui_plot::PlotItem;
        let series = Series::default();
        let curve = |raw: bool, color: Color32| Curve {
            name: "D loss".into(),
            color,
            dashed: false,
            series: &series,
            raw,
        };
        let faint = line_of(&curve(true, D_COLOR.gamma_multiply(0.15)), vec![[0.0, 1.0]]);
        let full = line_of(&curve(false, D_COLOR), vec![[0.0, 1.0]]);
        let named: Vec<&Line<'_>> = [&faint, &full]
            .into_iter()
            .filter(|l| PlotItem::name(*l) == "D loss")
            .collect();
        assert!(!named.is_empty());
        assert!(
            named.iter().all(|l| PlotItem::color(*l) == D_COLOR),
            "every item named in the legend has the line's colour"
        );
        assert_eq!(
            PlotItem::name(&faint),
            "",
            "the faint raw line has no entry of its own"
        );
        assert!(
            PlotItem::id(&faint) == PlotItem::id(&full),
            "hiding the entry hides the raw line too"
        );
    }
}
