//! The interpolation strip: a walk between two seeds in N frames, straight (lerp) or along the
//! great circle (slerp), with a ping-pong animation and PNG/GIF export.

use crate::imaging;
use crate::latent::{self, InterpMode};
use crate::protocol::{Rendered, RgbaImage};
use egui::{TextureHandle, TextureOptions};
use std::time::Instant;

const FRAMES: std::ops::RangeInclusive<usize> = 2..=32;
/// Playback speed of the animation and the exported GIF.
pub const FRAME_MS: u32 = 90;

/// What the user asked of the walk this frame.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WalkResponse {
    /// The path changed: render it again.
    pub changed: bool,
    pub export_png: Option<RgbaImage>,
    pub export_gif: Option<Vec<RgbaImage>>,
}

pub struct Walk {
    pub from: u64,
    pub to: u64,
    pub frames: usize,
    pub mode: InterpMode,
    pub animate: bool,
    /// The last rendered path: images (with one texture each) or points.
    images: Vec<RgbaImage>,
    textures: Vec<TextureHandle>,
    pub points: Vec<[f32; 2]>,
    fresh: bool,
    started: Instant,
    /// The GIF's enlargement (nearest neighbour); 0 picks the smallest that makes it at
    /// least [`GIF_SIDE`] px.
    pub gif_scale: usize,
    /// The GIF's frame delay.
    pub gif_ms: u32,
}

/// The side the GIF's automatic enlargement reaches at least.
pub const GIF_SIDE: usize = 256;

/// The enlargement that takes frames of `side` px to at least [`GIF_SIDE`] px (at most 8×).
pub fn auto_scale(side: usize) -> usize {
    (1..=8).find(|s| side * s >= GIF_SIDE).unwrap_or(8)
}

impl Default for Walk {
    fn default() -> Self {
        Walk {
            from: 0,
            to: 1,
            frames: 8,
            mode: InterpMode::Slerp,
            animate: false,
            images: Vec::new(),
            textures: Vec::new(),
            points: Vec::new(),
            fresh: false,
            started: Instant::now(),
            gif_scale: 0,
            gif_ms: FRAME_MS,
        }
    }
}

impl Walk {
    /// A walk from seed 0 across the latent space (see [`latent::opposite_seed`]).
    pub fn across(latent_dim: usize) -> Walk {
        Walk {
            to: latent::opposite_seed(0, latent_dim),
            ..Walk::default()
        }
    }

    /// While animating a 2-D walk, the frame's point to mark on the plot (and a repaint
    /// booked for the next frame).
    pub fn animated_point(&self, ctx: &egui::Context) -> Option<[f32; 2]> {
        if !self.animate || self.points.is_empty() {
            return None;
        }
        ctx.request_repaint_after(std::time::Duration::from_millis(u64::from(FRAME_MS)));
        self.points
            .get(self.animated_frame(self.points.len()))
            .copied()
    }

    /// The latents of the path, truncated by `psi` like the main view.
    pub fn latents(&self, latent_dim: usize, psi: f32) -> Vec<Vec<f32>> {
        let zero = vec![0.0; latent_dim];
        let (a, b) = (
            latent::from_seed(self.from, latent_dim),
            latent::from_seed(self.to, latent_dim),
        );
        latent::path(&a, &b, self.frames, self.mode)
            .iter()
            .map(|z| latent::truncate(z, &zero, psi))
            .collect()
    }

    pub fn receive(&mut self, output: Rendered) {
        match output {
            Rendered::Images(images) => self.images = images,
            Rendered::Points(points) => self.points = points,
            // Latent renders do not fail; nothing to show.
            Rendered::Failed(_) => return,
        }
        self.fresh = true;
    }

    /// Frame shown by the animation now.
    fn animated_frame(&self, count: usize) -> usize {
        let tick = (self.started.elapsed().as_millis() / u128::from(FRAME_MS)) as usize;
        ping_pong(tick, count)
    }

    /// Seed pickers, mode, frame count, animation and export buttons.
    pub fn controls(&mut self, ui: &mut egui::Ui, response: &mut WalkResponse) {
        ui.horizontal_wrapped(|ui| {
            ui.strong("Walk");
            for (name, seed) in [("from seed", &mut self.from), ("to seed", &mut self.to)] {
                let label = ui.label(name);
                response.changed |= ui
                    .add(egui::DragValue::new(seed).speed(0.2))
                    .labelled_by(label.id)
                    .changed();
            }
            for mode in InterpMode::ALL {
                response.changed |= ui
                    .selectable_value(&mut self.mode, mode, mode.label())
                    .on_hover_text(match mode {
                        InterpMode::Lerp => "Straight line between the two latents",
                        InterpMode::Slerp => "Great circle: keeps the norm typical of the prior",
                    })
                    .changed();
            }
            let label = ui.label("frames");
            response.changed |= ui
                .add(egui::DragValue::new(&mut self.frames).range(FRAMES))
                .labelled_by(label.id)
                .changed();
            if ui.checkbox(&mut self.animate, "Animate").changed() {
                self.started = Instant::now();
            }
            let has_images = !self.images.is_empty();
            let why_not = if self.points.is_empty() {
                "The walk appears once the generator is ready"
            } else {
                "2-D samples are points: the walk is drawn on the plot above (Animate marks \
                 each frame); strips and GIFs are for image presets"
            };
            if ui
                .add_enabled(has_images, egui::Button::new("Save strip PNG..."))
                .on_hover_text("The walk's frames side by side")
                .on_disabled_hover_text(why_not)
                .clicked()
            {
                response.export_png = Some(imaging::mosaic(&self.images, self.images.len()));
            }
            let side = self.images.first().map_or(0, |i| i.width.max(i.height));
            let scale = if self.gif_scale == 0 {
                auto_scale(side)
            } else {
                self.gif_scale
            };
            egui::ComboBox::from_id_salt("walk-gif-scale")
                .selected_text(format!("GIF ×{scale}"))
                .width(70.0)
                .show_ui(ui, |ui| {
                    ui.selectable_value(
                        &mut self.gif_scale,
                        0,
                        format!("auto (×{})", auto_scale(side)),
                    );
                    for s in 1..=8 {
                        ui.selectable_value(
                            &mut self.gif_scale,
                            s,
                            format!("×{s} ({} px)", side * s),
                        );
                    }
                })
                .response
                .on_hover_text("The GIF's enlargement: each pixel a block (stays sharp)");
            let label = ui.label("ms/frame");
            ui.add(
                egui::DragValue::new(&mut self.gif_ms)
                    .range(20..=2000)
                    .speed(5),
            )
            .labelled_by(label.id)
            .on_hover_text("The GIF's delay between frames");
            if ui
                .add_enabled(has_images, egui::Button::new("Save GIF..."))
                .on_hover_text("The walk there and back, looping, enlarged as chosen")
                .on_disabled_hover_text(why_not)
                .clicked()
            {
                response.export_gif = Some(
                    self.images
                        .iter()
                        .map(|i| imaging::enlarge_nearest(i, scale))
                        .collect(),
                );
            }
        });
    }

    /// The strip of frames and, while animating, the current frame enlarged beside it.
    pub fn strip(&mut self, ui: &mut egui::Ui) {
        if self.fresh {
            self.upload(ui.ctx());
        }
        if !self.points.is_empty() {
            ui.label(
                "The walk is drawn on the plot above (green), one dot per frame; Animate \
                 marks the frames in turn (yellow).",
            );
            return;
        }
        if self.textures.is_empty() {
            ui.label("The walk appears here once the generator is ready.");
            return;
        }
        let count = self.textures.len();
        let current = self.animated_frame(count);
        let spacing = ui.spacing().item_spacing.x;
        // The strip keeps its size while animating; the enlarged frame goes beside it when
        // there is room, else below it.
        let side =
            ((ui.available_width() - spacing * count as f32) / count as f32).clamp(16.0, 128.0);
        let strip_width = (side + spacing) * count as f32;
        let beside = ui.available_width() - strip_width;
        let (large, below) = if !self.animate {
            (0.0, false)
        } else if beside >= side.max(96.0) {
            (beside.min(ui.available_height()).min(160.0), false)
        } else {
            (
                (ui.available_height() - side - spacing)
                    .min(160.0)
                    .max(side),
                true,
            )
        };
        if self.animate {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(u64::from(FRAME_MS)));
        }
        ui.horizontal(|ui| {
            for (i, texture) in self.textures.iter().enumerate() {
                let image = egui::Image::new((texture.id(), egui::vec2(side, side)));
                let frame = ui.add(image);
                if self.animate && i == current {
                    ui.painter().rect_stroke(
                        frame.rect,
                        0.0,
                        egui::Stroke::new(2.0, ui.visuals().selection.stroke.color),
                        egui::StrokeKind::Outside,
                    );
                }
            }
            if self.animate && !below {
                ui.add(egui::Image::new((
                    self.textures[current].id(),
                    egui::vec2(large, large),
                )));
            }
        });
        if self.animate && below {
            ui.add(egui::Image::new((
                self.textures[current].id(),
                egui::vec2(large, large),
            )));
        }
    }

    fn upload(&mut self, ctx: &egui::Context) {
        self.fresh = false;
        self.textures.truncate(self.images.len());
        for (i, image) in self.images.iter().enumerate() {
            let color = egui::ColorImage::from_rgba_unmultiplied(
                [image.width, image.height],
                &image.pixels,
            );
            match self.textures.get_mut(i) {
                Some(texture) => texture.set(color, TextureOptions::NEAREST),
                None => self.textures.push(ctx.load_texture(
                    format!("walk-{i}"),
                    color,
                    TextureOptions::NEAREST,
                )),
            }
        }
    }
}

/// Frame index at animation tick `tick` over `count` frames: forwards, then backwards.
fn ping_pong(tick: usize, count: usize) -> usize {
    if count < 2 {
        return 0;
    }
    let period = 2 * (count - 1);
    let phase = tick % period;
    if phase < count { phase } else { period - phase }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gif_is_enlarged_to_at_least_256_px_by_default() {
        assert_eq!(auto_scale(32), 8);
        assert_eq!(auto_scale(64), 4);
        assert_eq!(auto_scale(100), 3);
        assert_eq!(auto_scale(300), 1);
        assert_eq!(auto_scale(16), 8, "at most 8×");
    }

    #[test]
    fn animation_goes_there_and_back() {
        let frames: Vec<usize> = (0..8).map(|tick| ping_pong(tick, 4)).collect();
        assert_eq!(frames, vec![0, 1, 2, 3, 2, 1, 0, 1]);
        assert_eq!(ping_pong(5, 1), 0);
    }

    #[test]
    fn the_path_has_the_requested_frames_and_ends_at_the_seeds() {
        let walk = Walk {
            from: 3,
            to: 9,
            frames: 5,
            ..Walk::default()
        };
        let path = walk.latents(16, 1.0);
        assert_eq!(path.len(), 5);
        let close = |a: &[f32], b: &[f32]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-5);
        assert!(close(&path[0], &latent::from_seed(3, 16)));
        assert!(close(&path[4], &latent::from_seed(9, 16)));
    }
}

#[cfg(test)]
mod animation_tests {
    use super::*;

    #[test]
    fn an_animated_2d_walk_marks_its_frames_in_turn() {
        let ctx = egui::Context::default();
        let mut walk = Walk {
            animate: true,
            points: (0..8).map(|i| [i as f32, 0.0]).collect(),
            ..Walk::default()
        };
        walk.started =
            Instant::now() - std::time::Duration::from_millis(u64::from(FRAME_MS) * 3 + 10);
        assert_eq!(walk.animated_point(&ctx), Some([3.0, 0.0]));
        walk.animate = false;
        assert_eq!(walk.animated_point(&ctx), None);
    }
}
