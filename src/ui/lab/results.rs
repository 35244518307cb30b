//! The lab's results view: per k, the verdict sentence (and what the GAN's own training data
//! means for it), then one row per arm — each seed's accuracy as a dot on a strip shared by
//! the k's arms, the mean as a tick with ± one std as a bar, the best baseline as a dashed
//! line to read Δ against — and the per-class recall of the k chosen, as a table.

use super::Shown;
use crate::protocol::ArmResult;
use crate::protocol::lab::{self, Helped};
use egui::{Color32, Stroke};

const STRIP: egui::Vec2 = egui::vec2(260.0, 18.0);
const BASELINE: Color32 = Color32::from_rgb(110, 150, 220);
const AUGMENTED: Color32 = Color32::from_rgb(90, 190, 110);
const GAN_ONLY: Color32 = Color32::from_rgb(200, 130, 220);

/// Points of accuracy `arm` gains over the best arm without GAN samples at its k; `None` for
/// GAN-test or before any baseline of its k is in.
pub fn delta(results: &[ArmResult], arm: &ArmResult) -> Option<f32> {
    if arm.arm == "gan-test" {
        return None;
    }
    let best = results
        .iter()
        .filter(|r| r.per_class == arm.per_class && r.is_baseline())
        .map(|r| r.accuracy_mean)
        .max_by(f32::total_cmp)?;
    Some(arm.accuracy_mean - best)
}

fn colour(arm: &ArmResult) -> Color32 {
    if arm.is_baseline() {
        BASELINE
    } else if arm.is_augmented() {
        AUGMENTED
    } else {
        GAN_ONLY
    }
}

/// Draws the results of `shown`; true when the user asks to save them as CSV.
pub fn draw(ui: &mut egui::Ui, shown: &Shown, recall_k: &mut Option<usize>) -> bool {
    let mut save = false;
    ui.horizontal_wrapped(|ui| {
        let seconds = shown.elapsed().as_secs();
        let time = format!("{} min {:02} s", seconds / 60, seconds % 60);
        let time = if shown.job.is_finished() {
            format!("took {time}")
        } else {
            format!("{time} so far")
        };
        let of = match shown.step {
            Some(step) => format!("G of step {step}"),
            None => "G of the latest snapshot".to_string(),
        };
        ui.strong(format!(
            "{of}: {} seed(s) × {} classifier steps per arm, {time}",
            shown.seeds, shown.steps
        ));
        let logged = match &shown.run_folder {
            Some(folder) => format!("logged in {}", folder.join("lab").display()),
            None => "not logged: the run is not recorded (Record runs keeps them)".into(),
        };
        ui.weak(logged);
        if !shown.results.is_empty() && ui.button("Save CSV...").clicked() {
            save = true;
        }
    });
    if shown.job.is_finished() && shown.job.cancelled() {
        ui.weak("Cancelled: the arms below were measured before the cancel.");
    }
    if let Some(probe) = shown.results.iter().find(|r| r.arm == "gan-test") {
        ui.label(format!(
            "GAN-test: classifiers trained on plenty of real images read {:.1} ± {:.1} % of \
             G's samples as the class G was asked for.",
            100.0 * probe.accuracy_mean,
            100.0 * probe.accuracy_std
        ));
    }
    for &k in &shown.per_class {
        let arms: Vec<&ArmResult> = shown.results.iter().filter(|r| r.per_class == k).collect();
        if arms.is_empty() {
            continue;
        }
        ui.add_space(8.0);
        ui.heading(format!("k = {k} real images per class"));
        match lab::verdict(&shown.results, k) {
            Some(verdict) if !k_complete(shown, k) => {
                // The arms of this k are still coming: a reading, not yet a verdict.
                ui.label(format!(
                    "So far (arms of k = {k} still being measured): {}",
                    verdict.sentence
                ));
            }
            Some(verdict) => {
                let colour = match verdict.helped {
                    Helped::Yes => AUGMENTED,
                    Helped::No => ui.visuals().error_fg_color,
                    Helped::Unclear => ui.visuals().text_color(),
                };
                ui.colored_label(colour, verdict.sentence);
            }
            None => {
                ui.weak("measuring...");
            }
        }
        if let Some(caveat) = lab::fairness(k, shown.trained_on) {
            ui.colored_label(ui.visuals().warn_fg_color, caveat);
        }
        arm_rows(ui, &shown.results, &arms, k);
    }
    recall(ui, shown, recall_k);
    save
}

/// Whether every arm of `k` is measured: the experiment ended, or it has moved on to a later
/// k (the arms come k by k, in the order asked).
fn k_complete(shown: &Shown, k: usize) -> bool {
    shown.job.is_finished()
        || shown
            .per_class
            .iter()
            .skip_while(|&&x| x != k)
            .skip(1)
            .any(|&later| shown.results.iter().any(|r| r.per_class == later))
}

/// The strip's accuracy range for the arms of one k: every seed and mean ± std, padded.
fn range(arms: &[&ArmResult]) -> (f32, f32) {
    let values = arms.iter().flat_map(|r| {
        r.accuracies.iter().copied().chain([
            r.accuracy_mean - r.accuracy_std,
            r.accuracy_mean + r.accuracy_std,
        ])
    });
    let (lo, hi) = values.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let pad = ((hi - lo) * 0.08).max(0.005);
    ((lo - pad).max(0.0), (hi + pad).min(1.0))
}

fn arm_rows(ui: &mut egui::Ui, all: &[ArmResult], arms: &[&ArmResult], k: usize) {
    let (lo, hi) = range(arms);
    let best = arms
        .iter()
        .filter(|r| r.is_baseline())
        .map(|r| r.accuracy_mean)
        .max_by(f32::total_cmp);
    egui::Grid::new(("lab-arms", k))
        .striped(true)
        .num_columns(4)
        .show(ui, |ui| {
            ui.strong("arm");
            ui.strong(format!(
                "accuracy, {:.1} – {:.1} % (a dot per seed)",
                100.0 * lo,
                100.0 * hi
            ));
            ui.strong("mean ± std");
            ui.strong("Δ (points)")
                .on_hover_text("Against the best arm without GAN samples at this k");
            ui.end_row();
            for arm in arms {
                ui.colored_label(colour(arm), arm.label());
                strip(ui, arm, (lo, hi), best);
                ui.label(format!(
                    "{:.1} ± {:.1} %",
                    100.0 * arm.accuracy_mean,
                    100.0 * arm.accuracy_std
                ));
                let text = match delta(all, arm) {
                    Some(d) if d.abs() < 5e-5 && arm.is_baseline() => "best baseline".into(),
                    Some(d) if (100.0 * d).abs() < 0.05 => "±0.0".into(),
                    Some(d) => format!("{:+.1}", 100.0 * d),
                    None => String::new(),
                };
                ui.label(text);
                ui.end_row();
            }
        });
}

/// One arm's seeds, mean and ± std on the strip [lo, hi]; the best baseline's mean dashed.
fn strip(ui: &mut egui::Ui, arm: &ArmResult, (lo, hi): (f32, f32), best: Option<f32>) {
    let (rect, response) = ui.allocate_exact_size(STRIP, egui::Sense::hover());
    let x = |v: f32| rect.left() + rect.width() * ((v - lo) / (hi - lo).max(1e-6)).clamp(0.0, 1.0);
    let y = rect.center().y;
    let painter = ui.painter_at(rect);
    let faint = ui.visuals().weak_text_color();
    painter.line_segment(
        [rect.left_center(), rect.right_center()],
        Stroke::new(0.5, faint),
    );
    if let Some(best) = best {
        painter.add(egui::Shape::dashed_line(
            &[
                egui::pos2(x(best), rect.top()),
                egui::pos2(x(best), rect.bottom()),
            ],
            Stroke::new(1.0, BASELINE),
            3.0,
            2.0,
        ));
    }
    let colour = colour(arm);
    let (m, s) = (arm.accuracy_mean, arm.accuracy_std);
    painter.line_segment(
        [egui::pos2(x(m - s), y), egui::pos2(x(m + s), y)],
        Stroke::new(2.0, colour),
    );
    painter.line_segment(
        [egui::pos2(x(m), y - 7.0), egui::pos2(x(m), y + 7.0)],
        Stroke::new(2.0, colour),
    );
    for &a in &arm.accuracies {
        painter.circle_filled(egui::pos2(x(a), y), 3.0, colour.gamma_multiply(0.8));
    }
    let seeds: Vec<String> = arm
        .accuracies
        .iter()
        .map(|a| format!("{:.1}", 100.0 * a))
        .collect();
    response.on_hover_text(format!("each seed: {} %", seeds.join(", ")));
}

/// The per-class recall of every arm at the k chosen.
fn recall(ui: &mut egui::Ui, shown: &Shown, recall_k: &mut Option<usize>) {
    let measured: Vec<usize> = shown
        .per_class
        .iter()
        .copied()
        .filter(|&k| shown.results.iter().any(|r| r.per_class == k))
        .collect();
    if measured.is_empty() {
        return;
    }
    let k = recall_k
        .filter(|k| measured.contains(k))
        .unwrap_or(measured[0]);
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        ui.heading("Per-class recall");
        for &each in &measured {
            if ui
                .selectable_label(each == k, format!("k = {each}"))
                .clicked()
            {
                *recall_k = Some(each);
            }
        }
    });
    let arms: Vec<&ArmResult> = shown.results.iter().filter(|r| r.per_class == k).collect();
    let classes = arms.iter().map(|r| r.recall.len()).max().unwrap_or(0);
    egui::Grid::new(("lab-recall", k))
        .striped(true)
        .show(ui, |ui| {
            ui.strong("class");
            for arm in &arms {
                ui.colored_label(colour(arm), arm.label());
            }
            ui.end_row();
            for c in 0..classes {
                let name = shown.class_names.get(c).cloned();
                ui.label(name.unwrap_or_else(|| c.to_string()));
                for arm in &arms {
                    let v = arm.recall.get(c).copied().unwrap_or(f32::NAN);
                    ui.label(heat(v));
                }
                ui.end_row();
            }
        });
}

/// A recall as a percentage on a red (0) to green (1) background.
fn heat(v: f32) -> egui::RichText {
    if !v.is_finite() {
        return egui::RichText::new("–");
    }
    let t = v.clamp(0.0, 1.0);
    let background = Color32::from_rgb(
        (230.0 - 130.0 * t) as u8,
        (110.0 + 110.0 * t) as u8,
        (110.0 + 10.0 * t) as u8,
    );
    egui::RichText::new(format!("{:.0} %", 100.0 * v))
        .color(Color32::BLACK)
        .background_color(background)
}
