//! The explorer: for a latent G, one large sample from the z the user shapes (seed,
//! per-dimension sliders, principal directions, truncation, class), a walk between two seeds,
//! and for 2-D models the warped latent grid; for an image-to-image G, which has no latent,
//! the draw-and-translate canvas instead (see [`canvas`]); for a super-resolution G, the
//! before/after comparison of an image and its upscaling (see [`compare`]). Everything is
//! rendered by the
//! engine's explorer thread from a snapshot of G, so exploring never pauses training.
//!
//! Latency is measured from the first unrendered change of z to the upload of an image that
//! reflects it (requests are numbered; the explorer drops stale ones).

pub mod canvas;
mod colour;
pub mod compare;
mod compare_view;
mod latent_controls;
pub mod synthetic;
mod views;
mod walk;
mod warp;

use super::export::Export;
use super::frame_stats::FrameStats;
use super::run_state::RunState;
use crate::protocol::{
    Event, ExploreRequest, RenderTarget, Rendered, RgbaImage, RunInfo, SampleView,
};
use crate::ui::samples::TileMarks;
use egui::TextureHandle;
use latent_controls::LatentControls;
use std::time::Instant;
use walk::Walk;
use warp::Warp;

/// What the explorer asks the app to do after drawing.
#[derive(Debug, Default)]
pub struct ExplorerOutput {
    /// Ask the training thread for a snapshot of G now.
    pub refresh_snapshot: bool,
    pub exports: Vec<Export>,
    /// Requests for the explorer thread, which the app sends (this view holds no link).
    pub requests: Vec<ExploreRequest>,
    /// Ask the user for an image file to upscale.
    pub open_image: bool,
    /// Write a synthetic labelled set (images per class, ψ): the app asks for a folder.
    pub synthesize: Option<synthetic::Asked>,
}

#[derive(Default)]
pub struct ExplorerView {
    latent_dim: usize,
    classes: Option<usize>,
    /// The data set's class names, for the class picker.
    class_names: Vec<String>,
    /// G's weights are averaged over steps (exports may take either).
    ema: bool,
    /// Step of the snapshot the explorer thread holds.
    snapshot: Option<u64>,
    controls: Option<LatentControls>,
    synthetic: synthetic::SyntheticForm,
    /// The draw-and-translate canvas, for an image-to-image G (then `controls` is `None`).
    canvas: Option<canvas::Canvas>,
    /// The before/after comparison, for a super-resolution G.
    compare: Option<compare::Compare>,
    walk: Walk,
    warp: Warp,
    main_image: Option<RgbaImage>,
    main_texture: Option<TextureHandle>,
    main_fresh: bool,
    /// Request id of `main_image`.
    main_id: u64,
    /// Which views must be requested again.
    dirty: [bool; 3],
    next_id: u64,
    /// When z first changed since the last request.
    changed_at: Option<Instant>,
    /// The first request carrying an unshown change, and when the change happened.
    awaiting: Option<(u64, Instant)>,
    latencies: FrameStats,
    latency_log: Vec<f64>,
}

fn slot(target: RenderTarget) -> usize {
    match target {
        RenderTarget::Main => 0,
        RenderTarget::Strip => 1,
        RenderTarget::Warp => 2,
    }
}

impl ExplorerView {
    /// A new run was loaded: start from seed 0 with its latent size.
    pub fn reset(&mut self, info: &RunInfo) {
        let latencies = std::mem::take(&mut self.latency_log);
        *self = ExplorerView {
            latent_dim: info.latent_dim,
            classes: info.classes,
            class_names: info.class_names.clone(),
            ema: info.ema,
            // A G with neither a latent nor a source image (SRGAN's upscaler) has nothing
            // for the sliders to move.
            controls: (info.source.is_none() && info.latent_dim > 0)
                .then(|| LatentControls::new(info.latent_dim)),
            canvas: info.source.map(canvas::Canvas::new),
            compare: info.upscale.map(compare::Compare::new),
            walk: Walk::across(info.latent_dim),
            latency_log: latencies,
            ..ExplorerView::default()
        };
    }

    /// Fold one of the explorer thread's events.
    pub fn apply(&mut self, event: Event) {
        match event {
            Event::Snapshot { step } => {
                self.snapshot = Some(step);
                self.dirty = [true; 3];
                if let Some(canvas) = &mut self.canvas {
                    canvas.snapshot_changed();
                }
                if let Some(compare) = &mut self.compare {
                    compare.snapshot_changed(step);
                }
            }
            Event::Rendered {
                id,
                target: RenderTarget::Main,
                step,
                output: Rendered::Images(images),
            } if self.compare.is_some() => {
                if let Some(compare) = &mut self.compare {
                    compare.receive(id, step, images);
                }
            }
            Event::Rendered {
                output: Rendered::Failed(why),
                ..
            } => {
                if let Some(compare) = &mut self.compare {
                    compare.failed(why);
                }
            }
            Event::Rendered {
                id,
                target: RenderTarget::Main,
                output: Rendered::Images(mut images),
                ..
            } if self.canvas.is_some() => {
                if let (Some(canvas), Some(image)) = (&mut self.canvas, images.pop()) {
                    let ms = canvas.receive(id, image);
                    canvas::record(&mut self.latencies, &mut self.latency_log, ms);
                }
            }
            Event::Rendered {
                id, target, output, ..
            } => match (target, output) {
                (RenderTarget::Main, Rendered::Images(mut images)) => {
                    self.main_image = images.pop();
                    self.main_id = id;
                    self.main_fresh = true;
                }
                (RenderTarget::Main, Rendered::Points(points)) => {
                    // Plotted this very frame: nothing to upload.
                    self.warp.point = points.first().copied();
                    self.shown(id);
                }
                (RenderTarget::Strip, output) => self.walk.receive(output),
                (RenderTarget::Warp, Rendered::Points(points)) => self.warp.receive(points),
                (RenderTarget::Warp, Rendered::Images(_))
                | (RenderTarget::Main | RenderTarget::Warp, Rendered::Failed(_)) => {}
            },
            Event::DirectionsProgress { done, total } => {
                if let Some(c) = &mut self.controls {
                    c.directions_progress = done as f32 / total.max(1) as f32;
                }
            }
            Event::Directions { step, directions } => {
                if let Some(c) = &mut self.controls
                    && directions
                        .latent
                        .first()
                        .is_none_or(|d| d.len() == self.latent_dim)
                {
                    c.set_directions(step, directions);
                    self.dirty[slot(RenderTarget::Main)] = true;
                }
            }
            _ => {}
        }
    }

    fn shown(&mut self, id: u64) {
        if let Some((first, at)) = self.awaiting
            && id >= first
        {
            let ms = at.elapsed().as_secs_f64() * 1000.0;
            self.latencies.record(ms);
            self.latency_log.push(ms);
            self.awaiting = None;
        }
    }

    /// Percentiles of the recent latencies from a change of z to its image on screen.
    pub fn latency_summary(&self) -> super::frame_stats::Summary {
        self.latencies.summary()
    }

    /// Latencies (ms) from a change of z to its image on screen, oldest first, since start.
    pub fn latency_log(&self) -> &[f64] {
        &self.latency_log
    }

    /// The image now shown for the current z (image models), or G(A) for the canvas.
    pub fn main_image(&self) -> Option<&RgbaImage> {
        match &self.canvas {
            Some(canvas) => canvas.output(),
            None => self.main_image.as_ref(),
        }
    }

    /// The draw-and-translate canvas (an image-to-image G).
    pub fn canvas(&self) -> Option<&canvas::Canvas> {
        self.canvas.as_ref()
    }

    /// The canvas, to drive it as its tools do (tests and the bench).
    pub fn canvas_mut(&mut self) -> Option<&mut canvas::Canvas> {
        self.canvas.as_mut()
    }

    /// Whether the latent controls (z sliders, walks, principal directions) are shown.
    pub fn has_latent_controls(&self) -> bool {
        self.controls.is_some()
    }

    /// A held-out pair of the sample view was clicked: put its source on the canvas.
    pub fn pick_pair(&mut self, samples: Option<&(u64, SampleView)>, pair: usize) -> bool {
        self.canvas
            .as_mut()
            .is_some_and(|canvas| canvas.load_pair(samples, pair))
    }

    /// Step of the generator snapshot the explorer draws from.
    pub fn snapshot_step(&self) -> Option<u64> {
        self.snapshot
    }

    /// The current seed and z (for tests and the bench).
    /// The class the explorer renders, for a conditional model.
    pub fn class(&self) -> Option<usize> {
        self.classes.and(self.controls.as_ref().map(|c| c.class))
    }

    pub fn z(&self) -> Option<Vec<f32>> {
        self.controls.as_ref().map(LatentControls::z)
    }

    /// Set one latent dimension, as its slider does.
    pub fn set_dimension(&mut self, dim: usize, value: f32) {
        if let Some(c) = &mut self.controls
            && dim < c.base.len()
        {
            c.base[dim] = value;
            c.edited = true;
            self.z_changed();
        }
    }

    /// The grid tiles of the explored seed (and class) and of the walk's end, in a grid
    /// `columns` wide whose rows are classes when `conditional`.
    pub fn marked_tiles(&self, columns: usize, conditional: bool) -> TileMarks {
        let Some(controls) = &self.controls else {
            return TileMarks::default();
        };
        let row = if conditional { controls.class } else { 0 };
        let tile = |seed: u64| {
            let seed = usize::try_from(seed).ok()?;
            if conditional {
                (seed < columns).then(|| row * columns + seed)
            } else {
                Some(seed)
            }
        };
        TileMarks {
            explored: tile(controls.seed).filter(|_| !controls.edited),
            walk_end: tile(self.walk.to),
        }
    }

    /// A tile of the sample grid was clicked: explore it (primary) and start the walk there,
    /// or end the walk there (secondary).
    pub fn pick(&mut self, seed: u64, class: Option<usize>, secondary: bool) {
        if secondary {
            self.walk.to = seed;
        } else {
            self.walk.from = seed;
            if let Some(c) = &mut self.controls {
                c.show_tile(seed);
                if let Some(class) = class {
                    c.class = class;
                }
            }
            self.z_changed();
        }
        self.dirty[slot(RenderTarget::Strip)] = true;
    }

    fn z_changed(&mut self) {
        self.changed_at.get_or_insert_with(Instant::now);
        self.dirty[slot(RenderTarget::Main)] = true;
        self.dirty[slot(RenderTarget::Warp)] = true;
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, run: &RunState) -> ExplorerOutput {
        let mut output = ExplorerOutput::default();
        if self.canvas.is_some() && run.info.is_some() {
            self.canvas_ui(ui, run, &mut output);
            return output;
        }
        if let (Some(compare), Some(_)) = (&mut self.compare, &run.info) {
            egui::CentralPanel::default().show(ui, |ui| {
                compare.ui(
                    ui,
                    run.samples.as_ref(),
                    &mut output.exports,
                    &mut output.open_image,
                );
            });
            output.requests.extend(compare.request());
            return output;
        }
        let (Some(controls), Some(_)) = (self.controls.as_mut(), &run.info) else {
            ui.centered_and_justified(|ui| ui.label("Load a preset to explore its generator."));
            return output;
        };
        let mut changed = false;
        egui::Panel::right("explorer-latent")
            .default_size(250.0)
            .show(ui, |ui| {
                // A conditional G is told the class; an unconditional one's samples are
                // labelled by the data set's reference classifier, when its data has labels.
                let labelled = self
                    .classes
                    .or((!self.class_names.is_empty()).then_some(self.class_names.len()));
                if let Some(classes) = labelled
                    && !views::points_model(run)
                {
                    let conditional = self.classes.is_some();
                    output.synthesize = self.synthetic.ui(ui, classes, conditional, self.ema);
                    ui.separator();
                }
                let response = controls.ui(ui, self.classes, &self.class_names);
                changed = response.changed;
                if response.compute_directions {
                    output.requests.push(ExploreRequest::Directions {
                        components: controls.components,
                    });
                }
                if response.cancel_directions {
                    output.requests.push(ExploreRequest::CancelDirections);
                }
            });
        if changed {
            self.z_changed();
            self.dirty[slot(RenderTarget::Strip)] = true;
        }
        egui::CentralPanel::default().show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(self.snapshot.map_or("Waiting for the generator...".into(), |s| {
                    format!("G as of step {s}")
                }))
                .on_hover_text("The explorer draws from a snapshot of G, renewed every 2 s while training runs and whenever it pauses");
                output.refresh_snapshot = ui
                    .button("Refresh")
                    .on_hover_text("Take a snapshot of G at the current step now")
                    .clicked();
            });
            let points = match &run.samples {
                Some((_, SampleView::Points { real, bounds, .. })) => Some((real, *bounds)),
                _ => None,
            };
            let walk_height = (ui.available_height() * 0.42).max(150.0);
            let view_height = ui.available_height() - walk_height;
            match points {
                Some((real, bounds)) => {
                    if self.warp.controls(ui, self.latent_dim) {
                        self.dirty[slot(RenderTarget::Warp)] = true;
                    }
                    ui.allocate_ui(egui::vec2(ui.available_width(), view_height - 24.0), |ui| {
                        let current = self.walk.animated_point(ui.ctx());
                        self.warp.plot(ui, real, bounds, &self.walk.points, current);
                    });
                }
                None => self.main_view(ui, view_height),
            }
            ui.separator();
            let mut walk = walk::WalkResponse::default();
            self.walk.controls(ui, &mut walk);
            self.walk.strip(ui);
            if walk.changed {
                self.dirty[slot(RenderTarget::Strip)] = true;
            }
            if let Some(image) = walk.export_png {
                output.exports.push(Export::Png {
                    image,
                    name: "walk.png".into(),
                });
            }
            if let Some(frames) = walk.export_gif {
                output.exports.push(Export::Gif {
                    frames,
                    frame_ms: self.walk.gif_ms,
                    playback: crate::imaging::Playback::ThereAndBack,
                    name: "walk.gif".into(),
                });
            }
        });
        self.send(&mut output.requests, views::points_model(run));
        output
    }
}
