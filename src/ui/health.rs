//! The "Modes & balance" tab: mode coverage over training with the literature's numbers as
//! reference lines (toy mixtures), class coverage and diversity (images), the quality scores
//! of translation and upscaling runs ([`super::quality`]), D's output histograms, gradient
//! norms, a ViT discriminator's attention ([`super::attention_view`]), and the alarms raised
//! so far.

use super::plot_frame::{self, XAxis};
use super::plots::{self, D_COLOR, G_COLOR};
use super::quality;
use super::run_state::RunState;
use crate::metrics::references::{self, Mixture};
use crate::protocol::{DIAGNOSTIC_BINS, Diagnostics};
use egui::Color32;
use egui_plot::{Bar, BarChart, HLine, Legend, Plot};

#[derive(Default)]
pub struct HealthView {
    /// The memorisation check's picture and the step it was taken at.
    neighbours: Option<(u64, egui::TextureHandle)>,
    attention: super::attention_view::AttentionView,
}

/// One curve of a diagnostics field over steps.
pub(super) fn over_steps(
    all: &[Diagnostics],
    value: impl Fn(&Diagnostics) -> Option<f64>,
) -> Vec<[f64; 2]> {
    all.iter()
        .filter_map(|d| value(d).map(|v| [d.step as f64, v]))
        .collect()
}

impl HealthView {
    /// Draw the tab; returns true when the user asks for the memorisation check.
    pub fn ui(&mut self, ui: &mut egui::Ui, run: &RunState) -> bool {
        let latest = run.diagnostics.last();
        let height = ((ui.available_height() - 60.0) / 3.0).max(90.0);
        let mut check = false;
        egui::ScrollArea::vertical().show(ui, |ui| {
            match latest {
                None => {
                    ui.label(
                        "Coverage is measured as the run trains (every metrics_every steps, \
                         a setting of the preset's [train] table); train to see it.",
                    );
                }
                Some(d) if d.modes.is_some() => self.modes(ui, run, d, height),
                Some(d) if d.translation.is_some() => quality::translation(ui, run, d, height),
                Some(d) if d.super_resolution.is_some() => {
                    quality::super_resolution(ui, run, d, height);
                }
                Some(d) => {
                    self.images(ui, run, d, height);
                    if let Some(attention) = &d.attention {
                        ui.separator();
                        self.attention.ui(ui, run, d.step, attention);
                    }
                    check = self.memorisation(ui, run);
                }
            }
            ui.separator();
            self.balance(ui, run, latest, height);
            ui.separator();
            self.alarms(ui, run);
        });
        check
    }

    /// The nearest-neighbour check: generated samples over their closest real ones.
    fn memorisation(&mut self, ui: &mut egui::Ui, run: &RunState) -> bool {
        let asked = ui
            .button("Nearest real neighbours")
            .on_hover_text(
                "The first 8 samples of the grid (top) over their nearest real samples among \
                 2000 (bottom): near copies would mean memorisation",
            )
            .clicked();
        if let Some((step, image, distances)) = &run.neighbours {
            if self.neighbours.as_ref().is_none_or(|(s, _)| s != step) {
                let color = egui::ColorImage::from_rgba_unmultiplied(
                    [image.width, image.height],
                    &image.pixels,
                );
                let texture =
                    ui.ctx()
                        .load_texture("neighbours", color, egui::TextureOptions::NEAREST);
                self.neighbours = Some((*step, texture));
            }
            if let Some((_, texture)) = &self.neighbours {
                let scale = (ui.available_width() / texture.size_vec2().x).clamp(1.0, 4.0);
                ui.add(egui::Image::new((
                    texture.id(),
                    texture.size_vec2() * scale,
                )));
            }
            let shown: Vec<String> = distances.iter().map(|d| format!("{d:.1}")).collect();
            ui.small(format!("Step {step}: pixel distances {}", shown.join(", ")));
        }
        asked
    }

    fn modes(&self, ui: &mut egui::Ui, run: &RunState, latest: &Diagnostics, height: f32) {
        let Some(m) = &latest.modes else { return };
        let mixture = if m.modes == 8 {
            Mixture::Ring8
        } else {
            Mixture::Grid25
        };
        ui.strong(format!(
            "Step {}: {} of {} modes covered, {:.1} % high quality, reverse KL {}",
            latest.step,
            m.modes_covered,
            m.modes,
            m.high_quality * 100.0,
            m.reverse_kl.map_or("-".into(), |kl| format!("{kl:.3}"))
        ))
        .on_hover_text(
            "On 2500 fresh samples: high quality = within 3 std of the nearest mode; a mode is \
             covered when a high-quality sample is nearest to it (VEEGAN, PacGAN)",
        );
        let entries = references::entries();
        let all = &run.diagnostics;
        let modes_covered: fn(&references::Result) -> f32 = |r| r.modes;
        let high_quality: fn(&references::Result) -> f32 = |r| r.high_quality;
        let panels = [
            (
                "modes covered",
                over_steps(all, |d| d.modes.as_ref().map(|m| m.modes_covered as f64)),
                modes_covered,
            ),
            (
                "% high quality",
                over_steps(all, |d| {
                    d.modes.as_ref().map(|m| f64::from(m.high_quality) * 100.0)
                }),
                high_quality,
            ),
        ];
        let colors = || super::runs::PALETTE.iter().rev().copied();
        for (name, points, reference) in panels {
            // The reference lines stay out of the plot's legend (nine entries hid the newest
            // steps of the run's own line); they are named in the row below.
            let plot = Plot::new(name)
                .height(height)
                .legend(Legend::default().position(egui_plot::Corner::LeftBottom))
                .y_axis_label(name)
                .include_y(0.0);
            plot_frame::show(ui, name, plot, XAxis::Step, false, |plot| {
                for (entry, color) in entries.iter().zip(colors()) {
                    let value = f64::from(reference(entry.result(mixture)));
                    plot.hline(
                        HLine::new("", value)
                            .color(color.gamma_multiply(0.7))
                            .style(egui_plot::LineStyle::dashed_loose()),
                    );
                }
                let (line, dots) = plot_frame::measured("this run", points, Color32::YELLOW);
                plot.line(line.width(2.5));
                plot.points(dots.radius(3.5));
            });
        }
        ui.horizontal_wrapped(|ui| {
            ui.small("Published (dashed):");
            for (entry, color) in entries.iter().zip(colors()) {
                let result = entry.result(mixture);
                let name = entry.name_among(entries);
                ui.colored_label(color, format!("— {name}"))
                    .on_hover_text(format!(
                        "{name}: {} modes, {:.1} % high quality. Source: {}",
                        result.modes,
                        result.high_quality,
                        entry.citation()
                    ));
            }
        });
        ui.label("Per mode (high-quality samples)");
        bars(ui, "per-mode", &m.per_mode, height * 0.6, G_COLOR);
    }

    fn images(&self, ui: &mut egui::Ui, run: &RunState, latest: &Diagnostics, height: f32) {
        if let Some(c) = &latest.classes {
            ui.strong(format!(
                "Step {}: {} of {} classes covered, KL from uniform {}, mean confidence {:.2}",
                latest.step,
                c.covered,
                c.classes,
                c.kl.map_or("-".into(), |kl| format!("{kl:.3}")),
                c.confidence
            ));
            if let Some(share) = c.as_asked {
                ui.label(format!(
                    "Conditional G: {:.1} % of samples are classified as the class they were asked for",
                    share * 100.0
                ))
                .on_hover_text("The reference classifier's verdict on samples of each class in turn");
            }
            let names = run
                .info
                .as_ref()
                .map_or(&[][..], |info| info.class_names.as_slice());
            named_bars(ui, "classes", &c.histogram, names, height * 0.6, G_COLOR);
            if !names.is_empty() && names.iter().enumerate().any(|(i, n)| *n != i.to_string()) {
                let legend: Vec<String> = names
                    .iter()
                    .enumerate()
                    .map(|(i, n)| format!("{i} {n}"))
                    .collect();
                ui.small(legend.join(" · "));
            }
        }
        if let Some([generated, real]) = latest.diversity {
            ui.strong(format!(
                "Diversity (mean pairwise pixel distance): generated {generated:.2}, real {real:.2}"
            ))
            .on_hover_text("A collapsed generator scores far below the real data");
            let all = &run.diagnostics;
            let plot = Plot::new("diversity")
                .height(height)
                .legend(Legend::default())
                .include_y(0.0);
            plot_frame::show(ui, "diversity", plot, XAxis::Step, false, |plot| {
                let generated = over_steps(all, |d| d.diversity.map(|v| f64::from(v[0])));
                let real = over_steps(all, |d| d.diversity.map(|v| f64::from(v[1])));
                plot_frame::draw_measured(plot, "generated", generated, G_COLOR);
                plot_frame::draw_measured(plot, "real", real, D_COLOR);
            });
        }
        if let Some(distance) = latest.frechet {
            ui.strong(format!(
                "Fréchet distance in the reference classifier's features: {distance:.3}"
            ))
            .on_hover_text(
                "Between 256 generated and 256 real images, as FID is, but in the features of \
                 ganscope's own classifier of this data set: lower is closer; comparable only \
                 between runs on the same data set",
            );
            let all = &run.diagnostics;
            let plot = Plot::new("frechet")
                .height(height)
                .legend(Legend::default())
                .include_y(0.0);
            plot_frame::show(ui, "frechet", plot, XAxis::Step, false, |plot| {
                let points = over_steps(all, |d| d.frechet.map(f64::from));
                plot_frame::draw_measured(plot, "Fréchet distance", points, G_COLOR);
            });
        }
    }

    fn balance(
        &self,
        ui: &mut egui::Ui,
        run: &RunState,
        latest: Option<&Diagnostics>,
        height: f32,
    ) {
        ui.strong("D/G balance");
        if let Some(d) = latest {
            ui.label(format!(
                "D's output at step {} (0 = fake, 1 = real)",
                d.step
            ));
            let width = 1.0 / DIAGNOSTIC_BINS as f64;
            let chart = |name: &str, counts: &[u32], color: Color32| {
                let bars: Vec<Bar> = counts
                    .iter()
                    .enumerate()
                    .map(|(i, &c)| Bar::new((i as f64 + 0.5) * width, f64::from(c)).width(width))
                    .collect();
                BarChart::new(name, bars).color(color)
            };
            let plot = Plot::new("d-histograms")
                .height(height * 0.8)
                .legend(Legend::default())
                .include_x(0.0)
                .include_x(1.0);
            plot_frame::show(ui, "d-histograms", plot, XAxis::Value, false, |plot| {
                plot.bar_chart(chart("D(x)", &d.d_real_hist, D_COLOR));
                plot.bar_chart(chart("D(G(z))", &d.d_fake_hist, G_COLOR));
            });
        }
        ui.label("Gradient norms per step (log scale)");
        let budget = (ui.available_width().max(100.0) * 2.0) as usize;
        let plot = Plot::new("grad-norms").height(height).x_axis_label("step");
        let lines = [
            ("|grad G|", G_COLOR, &run.curves.g_grad_norm),
            ("|grad D|", D_COLOR, &run.curves.d_grad_norm),
        ]
        .map(|(name, color, series)| plots::Curve {
            name: name.into(),
            color,
            dashed: false,
            series,
            raw: false,
        });
        plots::curves(ui, "grad-norms", plot, &lines, &[], budget, true);
    }

    fn alarms(&self, ui: &mut egui::Ui, run: &RunState) {
        ui.strong(format!("Alarms ({})", run.alarms.len()));
        if run.alarms.is_empty() {
            ui.label("None so far.");
        }
        for alarm in run.alarms.iter().rev() {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("Step {}: {}", alarm.step, alarm.saw),
            );
            ui.small(format!("What usually helps: {}", alarm.helps));
        }
    }
}

fn bars(ui: &mut egui::Ui, id: &str, counts: &[u32], height: f32, color: Color32) {
    named_bars(ui, id, counts, &[], height, color);
}

/// [`bars`] whose bars carry names (shown on hover): class names, where the data has them.
fn named_bars(
    ui: &mut egui::Ui,
    id: &str,
    counts: &[u32],
    names: &[String],
    height: f32,
    color: Color32,
) {
    let bars: Vec<Bar> = counts
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let bar = Bar::new(i as f64, f64::from(c)).width(0.8);
            match names.get(i) {
                Some(name) => bar.name(format!("{i}: {name}")),
                None => bar,
            }
        })
        .collect();
    plot_frame::show(
        ui,
        id,
        Plot::new(id).height(height),
        XAxis::Value,
        false,
        |plot| {
            plot.bar_chart(BarChart::new(id, bars).color(color));
        },
    );
}
