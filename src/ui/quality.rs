//! The quality scores of the image-to-image tasks over steps, in the "Modes & balance" tab:
//! translation (L1, SSIM, PSNR, the task score) and upscaling (SR's PSNR and SSIM beside
//! bicubic's, and the sharpness ratio), each on the task's held-out images.

use super::health::over_steps;
use super::plot_frame::{self, XAxis};
use super::plots::{D_COLOR, G_COLOR};
use super::run_state::RunState;
use crate::metrics::upscaling::SuperResolution;
use crate::protocol::Diagnostics;
use crate::protocol::EventKind;
use egui::Color32;
use egui_plot::{Legend, Line, LineStyle, Plot, PlotPoints, VLine};

/// The bicubic baseline's colour.
const BASELINE_COLOR: Color32 = Color32::from_rgb(150, 150, 150);

/// A translation task's scores on its held-out pairs over steps: L1 and SSIM together (both
/// in [0, 1]-ish units), PSNR on its own axis.
pub(super) fn translation(ui: &mut egui::Ui, run: &RunState, latest: &Diagnostics, height: f32) {
    let Some(t) = &latest.translation else {
        return;
    };
    ui.strong(format!(
        "Step {}: on 256 held-out pairs, L1 {:.3}, PSNR {:.2} dB, SSIM {:.3}",
        latest.step, t.l1, t.psnr, t.ssim
    ))
    .on_hover_text(
        "How close G(A) is to the target B on pairs training never sees: L1 (lower is \
         better), PSNR and SSIM (higher is better; SSIM with an 11×11 Gaussian window)",
    );
    if let Some(score) = t.task_score {
        ui.label(format!(
            "Task score: the reference classifier reads {:.1} % of the translations as the \
             input's digit",
            score * 100.0
        ));
    }
    let all = &run.diagnostics;
    let value = |f: fn(&crate::metrics::similarity::Translation) -> f32| {
        over_steps(all, move |d| {
            d.translation.as_ref().map(|t| f64::from(f(t)))
        })
    };
    let plot = Plot::new("l1-ssim")
        .height(height)
        .legend(Legend::default())
        .include_y(0.0)
        .y_axis_label("L1, SSIM");
    plot_frame::show(ui, "l1-ssim", plot, XAxis::Step, false, |plot| {
        plot_frame::draw_measured(plot, "L1", value(|t| t.l1), G_COLOR);
        plot_frame::draw_measured(plot, "SSIM", value(|t| t.ssim), D_COLOR);
        let scores = value(|t| t.task_score.unwrap_or(f32::NAN));
        if scores.iter().any(|p| p[1].is_finite()) {
            plot_frame::draw_measured(plot, "task score", scores, Color32::LIGHT_GREEN);
        }
    });
    let plot = Plot::new("psnr")
        .height(height * 0.7)
        .legend(Legend::default())
        .y_axis_label("PSNR (dB)");
    plot_frame::show(ui, "psnr", plot, XAxis::Step, false, |plot| {
        plot_frame::draw_measured(plot, "PSNR", value(|t| t.psnr), G_COLOR);
    });
}

/// An upscaling task's scores on its held-out crops over steps: SR's PSNR against bicubic's
/// (where SR passes the baseline, and the dip when the adversarial phase begins), SSIM
/// likewise, and the sharpness ratio (detail of SR over the originals').
pub(super) fn super_resolution(
    ui: &mut egui::Ui,
    run: &RunState,
    latest: &Diagnostics,
    height: f32,
) {
    let Some(s) = &latest.super_resolution else {
        return;
    };
    ui.strong(format!(
        "Step {}: on the held-out crops, SR {:.2} dB / SSIM {:.3}, bicubic {:.2} dB / SSIM \
         {:.3}, sharpness {:.2} (bicubic {:.2})",
        latest.step,
        s.psnr,
        s.ssim,
        s.bicubic_psnr,
        s.bicubic_ssim,
        s.sharpness,
        s.bicubic_sharpness
    ))
    .on_hover_text(
        "PSNR and SSIM of G's upscalings and of bicubic upscaling against the originals, on \
         crops training never sees (all channels, the scale's width of border cropped). \
         Sharpness: the fine detail (Laplacian energy) of SR over the originals': an \
         MSE-trained G stays well below 1 (blurry); the adversarial phase pushes it up",
    );
    // Where the adversarial phase began, on both plots.
    let phases: Vec<f64> = run
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Phase)
        .map(|e| e.step as f64)
        .collect();
    let mark = |plot: &mut egui_plot::PlotUi<'_>| {
        for &step in &phases {
            plot.vline(
                VLine::new("phase began", step)
                    .color(BASELINE_COLOR)
                    .style(LineStyle::dashed_dense()),
            );
        }
    };
    let all = &run.diagnostics;
    let value = |f: fn(&SuperResolution) -> f32| {
        over_steps(all, move |d| {
            d.super_resolution.as_ref().map(|s| f64::from(f(s)))
        })
    };
    let plot = Plot::new("sr-psnr")
        .height(height)
        .legend(Legend::default())
        .y_axis_label("PSNR (dB)");
    plot_frame::show(ui, "sr-psnr", plot, XAxis::Step, false, |plot| {
        plot_frame::draw_measured(plot, "SR PSNR", value(|s| s.psnr), G_COLOR);
        plot_frame::draw_measured(
            plot,
            "bicubic PSNR",
            value(|s| s.bicubic_psnr),
            BASELINE_COLOR,
        );
        mark(plot);
    });
    let plot = Plot::new("sr-ssim")
        .height(height * 0.8)
        .legend(Legend::default())
        .include_y(0.0)
        .y_axis_label("SSIM, sharpness");
    plot_frame::show(ui, "sr-ssim", plot, XAxis::Step, false, |plot| {
        plot_frame::draw_measured(plot, "SR SSIM", value(|s| s.ssim), G_COLOR);
        plot_frame::draw_measured(
            plot,
            "bicubic SSIM",
            value(|s| s.bicubic_ssim),
            BASELINE_COLOR,
        );
        plot_frame::draw_measured(plot, "sharpness", value(|s| s.sharpness), D_COLOR);
        plot.line(
            Line::new(
                "bicubic sharpness",
                PlotPoints::new(value(|s| s.bicubic_sharpness)),
            )
            .color(BASELINE_COLOR)
            .style(egui_plot::LineStyle::dashed_loose()),
        );
    });
}
