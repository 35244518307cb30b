//! The explorer's central views: the large sample from the current z with the requests
//! that keep it and the walk up to date, and the draw-and-translate canvas of an
//! image-to-image G; how the app reaches the before/after comparison of a super-resolution
//! G.

use super::{ExplorerOutput, ExplorerView, compare};
use crate::protocol::{ExploreRequest, RenderTarget, SampleView};
use crate::ui::run_state::RunState;
use egui::TextureOptions;

impl ExplorerView {
    /// The explorer of an image-to-image G: the canvas and its translation.
    pub(super) fn canvas_ui(
        &mut self,
        ui: &mut egui::Ui,
        run: &RunState,
        output: &mut ExplorerOutput,
    ) {
        let snapshot = self.snapshot;
        let Some(canvas) = &mut self.canvas else {
            return;
        };
        egui::CentralPanel::default().show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(snapshot.map_or("Waiting for the generator...".into(), |s| {
                    format!("G as of step {s} (no latent: it translates what you draw)")
                }));
                output.refresh_snapshot = ui
                    .button("Refresh")
                    .on_hover_text("Take a snapshot of G at the current step now")
                    .clicked();
            });
            canvas.ui(ui, run.samples.as_ref(), &mut output.exports);
        });
        output.requests.extend(canvas.request(snapshot.is_some()));
    }

    pub(super) fn main_view(&mut self, ui: &mut egui::Ui, height: f32) {
        if self.main_fresh
            && let Some(image) = &self.main_image
        {
            let color = egui::ColorImage::from_rgba_unmultiplied(
                [image.width, image.height],
                &image.pixels,
            );
            match &mut self.main_texture {
                Some(texture) => texture.set(color, TextureOptions::NEAREST),
                None => {
                    self.main_texture = Some(ui.ctx().load_texture(
                        "explorer",
                        color,
                        TextureOptions::NEAREST,
                    ));
                }
            }
            self.main_fresh = false;
            self.shown(self.main_id);
        }
        let side = (height - 8.0).min(ui.available_width()).max(32.0);
        ui.allocate_ui(egui::vec2(ui.available_width(), height), |ui| {
            ui.vertical_centered(|ui| match &self.main_texture {
                Some(texture) => {
                    ui.add(
                        egui::Image::new((texture.id(), egui::vec2(side, side)))
                            .fit_to_exact_size(egui::vec2(side, side)),
                    );
                }
                None => {
                    ui.spinner();
                }
            });
        });
    }

    /// A request for every view that needs one, once a snapshot exists.
    pub(super) fn send(&mut self, out: &mut Vec<ExploreRequest>, points: bool) {
        let Some(controls) = &self.controls else {
            return;
        };
        if self.snapshot.is_none() {
            return;
        }
        let z = controls.z();
        let class = self.classes.map(|_| controls.class);
        let mut requests = Vec::new();
        if std::mem::take(&mut self.dirty[0]) {
            requests.push((RenderTarget::Main, vec![z.clone()]));
        }
        if std::mem::take(&mut self.dirty[1]) {
            requests.push((
                RenderTarget::Strip,
                self.walk.latents(self.latent_dim, controls.psi),
            ));
        }
        if std::mem::take(&mut self.dirty[2]) && points {
            requests.push((RenderTarget::Warp, self.warp.latents(&z)));
        }
        for (target, latents) in requests {
            let id = self.next_id;
            self.next_id += 1;
            if target == RenderTarget::Main
                && let Some(at) = self.changed_at.take()
            {
                self.awaiting.get_or_insert((id, at));
            }
            out.push(ExploreRequest::Render {
                id,
                target,
                latents,
                class,
            });
        }
    }
}

pub(super) fn points_model(run: &RunState) -> bool {
    matches!(run.samples, Some((_, SampleView::Points { .. })))
}

/// The before/after comparison of a super-resolution G, as the app reaches it.
impl ExplorerView {
    /// The before/after comparison (a super-resolution G).
    pub fn compare(&self) -> Option<&compare::Compare> {
        self.compare.as_ref()
    }

    /// The comparison, to drive it as its controls do (tests).
    pub fn compare_mut(&mut self) -> Option<&mut compare::Compare> {
        self.compare.as_mut()
    }

    /// Upscale the image file at `path`, for a super-resolution G; false for another G.
    pub fn open_image(&mut self, path: std::path::PathBuf) -> bool {
        self.compare.as_mut().map(|c| c.open(path)).is_some()
    }

    /// A held-out crop of the sample view was clicked: compare its upscaling.
    pub fn pick_crop(&mut self, samples: Option<&(u64, SampleView)>, crop: usize) -> bool {
        self.compare
            .as_mut()
            .is_some_and(|compare| compare.pick_crop(samples, crop))
    }
}
