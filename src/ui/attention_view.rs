//! The attention view of the "Modes & balance" tab, for a ViT discriminator: pick one of the
//! fixed-latent samples or real images measured, and see where D's class token looks in it
//! (its last block), one picture per head with the attention drawn over the patches; below,
//! each head's attention entropy over the steps against the entropy of even attention (a
//! head whose entropy falls has learnt to look at a few patches; one at the line looks
//! everywhere alike).

use super::plot_frame::{self, XAxis};
use super::run_state::RunState;
use crate::protocol::{AttendedSample, Attention, Diagnostics, RgbaImage};
use egui::Color32;
use egui_plot::{HLine, Legend, Plot};

/// A patch with this many times an even share of the attention is drawn full red.
const FULL_TINT: f32 = 4.0;
/// Screen pixels per image pixel in the head pictures (at most).
const ZOOM: usize = 4;
/// Colours of the heads' entropy curves.
const HEAD_COLORS: [Color32; 4] = [
    Color32::from_rgb(255, 140, 40),
    Color32::from_rgb(90, 160, 255),
    Color32::from_rgb(120, 220, 120),
    Color32::from_rgb(220, 120, 220),
];

#[derive(Default)]
pub struct AttentionView {
    /// The sample shown, by index in the measurement's list.
    chosen: usize,
    /// The head pictures and what they show: (step, chosen sample).
    textures: Option<((u64, usize), Vec<egui::TextureHandle>)>,
}

impl AttentionView {
    pub fn ui(&mut self, ui: &mut egui::Ui, run: &RunState, step: u64, attention: &Attention) {
        ui.strong("Where D looks: its class token's attention over the patches (last block)");
        if attention.samples.is_empty() {
            return;
        }
        ui.horizontal_wrapped(|ui| {
            ui.label("Sample");
            for (i, sample) in attention.samples.iter().enumerate() {
                ui.selectable_value(&mut self.chosen, i, sample.label.as_str());
            }
        });
        self.chosen = self.chosen.min(attention.samples.len() - 1);
        let sample = &attention.samples[self.chosen];
        let key = (step, self.chosen);
        if self.textures.as_ref().is_none_or(|(k, _)| *k != key) {
            let textures = (0..sample.heads.len())
                .map(|h| {
                    let picture = overlay(&sample.image, attention.grid, &sample.heads[h]);
                    let color = egui::ColorImage::from_rgba_unmultiplied(
                        [picture.width, picture.height],
                        &picture.pixels,
                    );
                    ui.ctx().load_texture(
                        format!("attention-{h}"),
                        color,
                        egui::TextureOptions::NEAREST,
                    )
                })
                .collect();
            self.textures = Some((key, textures));
        }
        if let Some((_, textures)) = &self.textures {
            ui.horizontal_wrapped(|ui| {
                for (h, texture) in textures.iter().enumerate() {
                    ui.vertical(|ui| {
                        ui.image((texture.id(), texture.size_vec2()));
                        ui.small(head_caption(sample, h));
                    });
                }
            });
        }
        ui.small(format!(
            "Step {step}: red marks the patches the class token attends to more than an even \
             share (1 / {} tokens), full red at {FULL_TINT} times that share; {} x {} patches.",
            attention.grid * attention.grid + 1,
            attention.grid,
            attention.grid
        ));
        entropy_plot(ui, &run.diagnostics, attention.uniform_entropy);
    }
}

/// "head 2: 31 % on the class token, top patch 8 %".
fn head_caption(sample: &AttendedSample, head: usize) -> String {
    let top = sample.heads[head].iter().copied().fold(0.0f32, f32::max);
    format!(
        "head {head}: top patch {:.0} %, itself {:.0} %",
        top * 100.0,
        sample.to_class[head] * 100.0
    )
}

/// `image` enlarged with each patch of a `grid`² grid tinted red by how far its weight
/// exceeds an even share of the attention: untinted at or below 1/tokens, full red at
/// [`FULL_TINT`] times that share (an absolute scale: heads and steps compare, and
/// attention spread evenly leaves the image as it is).
fn overlay(image: &RgbaImage, grid: usize, weights: &[f32]) -> RgbaImage {
    let zoom = (128 / image.width.max(1)).clamp(1, ZOOM);
    let (width, height) = (image.width * zoom, image.height * zoom);
    // The class token is one of the tokens the attention is spread over.
    let even = 1.0 / (weights.len() + 1) as f32;
    let patch = (image.width / grid.max(1)).max(1);
    let mut pixels = Vec::with_capacity(width * height * 4);
    for y in 0..height {
        for x in 0..width {
            let (sx, sy) = (x / zoom, y / zoom);
            let at = (sy * image.width + sx) * 4;
            let cell = (sy / patch).min(grid - 1) * grid + (sx / patch).min(grid - 1);
            let share = weights.get(cell).map_or(0.0, |w| w / even);
            let w = ((share - 1.0) / (FULL_TINT - 1.0)).clamp(0.0, 1.0) * 0.75;
            let grey = &image.pixels[at..at + 3];
            let tint = [255.0, 40.0, 30.0];
            for c in 0..3 {
                let v = f32::from(grey[c]) * (1.0 - w) + tint[c] * w;
                pixels.push(v.round().clamp(0.0, 255.0) as u8);
            }
            pixels.push(255);
        }
    }
    RgbaImage {
        width,
        height,
        pixels,
    }
}

/// Each head's mean attention entropy over the steps, with the even-attention line.
fn entropy_plot(ui: &mut egui::Ui, all: &[Diagnostics], uniform: f32) {
    let heads = all
        .iter()
        .filter_map(|d| d.attention.as_ref().map(|a| a.entropy.len()))
        .max()
        .unwrap_or(0);
    let plot = Plot::new("attention-entropy")
        .height(140.0)
        .legend(Legend::default())
        .include_y(0.0)
        .include_y(f64::from(uniform))
        .y_axis_label("entropy (nats)");
    plot_frame::show(ui, "attention-entropy", plot, XAxis::Step, false, |plot| {
        for h in 0..heads {
            let points = super::health::over_steps(all, |d| {
                d.attention
                    .as_ref()
                    .and_then(|a| a.entropy.get(h))
                    .map(|e| f64::from(*e))
            });
            plot_frame::draw_measured(
                plot,
                format!("head {h}"),
                points,
                HEAD_COLORS[h % HEAD_COLORS.len()],
            );
        }
        plot.hline(HLine::new("even attention", f64::from(uniform)).color(Color32::GRAY));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_overlay_tints_the_patch_with_the_largest_weight_most() {
        let image = RgbaImage {
            width: 4,
            height: 4,
            pixels: vec![0; 64],
        };
        // 2 × 2 patches and the class token (an even share is 0.2): the bottom-right patch
        // holds four even shares, the top-right one less than one.
        let picture = overlay(&image, 2, &[0.3, 0.1, 0.4, 0.8]);
        let red = |x: usize, y: usize| picture.pixels[(y * picture.width + x) * 4];
        let zoom = picture.width / 4;
        assert_eq!(
            red(picture.width - 1, picture.height - 1),
            191,
            "full tint at four even shares"
        );
        assert_eq!(red(picture.width - 1, 0), 0, "no tint below an even share");
        assert!(
            red(0, 0) > 0 && red(0, 0) < red(0, 2 * zoom),
            "in proportion between"
        );
        // Even attention leaves the image untouched.
        let even = overlay(&image, 2, &[0.2; 4]);
        assert!(even.pixels.chunks(4).all(|p| p[0] == 0));
    }
}
