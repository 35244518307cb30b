//! Draw and translate: the explorer of an image-to-image generator. A canvas holds the source
//! image A (blank, or any held-out pair's source from the sample view); pen, eraser, brush
//! size, colour (when A has colour), undo and clear edit it, and after every change the latest
//! snapshot of G translates it, while training goes on. A and G(A) can be saved as PNG.
//!
//! Latency is measured as for the latent sliders: from the first untranslated change of A to
//! the upload of a G(A) that reflects it.

use super::super::export::Export;
use super::super::frame_stats::FrameStats;
use crate::imaging;
use crate::protocol::{ExploreRequest, RgbaImage, SampleView, SourceInfo, Tiles};
use egui::{TextureHandle, TextureOptions};
use std::time::Instant;

/// Edits kept for undo.
const UNDO_DEPTH: usize = 64;

pub struct Canvas {
    channels: usize,
    side: usize,
    /// A, channel-major, values in [-1, 1].
    pixels: Vec<f32>,
    undo: Vec<Vec<f32>>,
    /// Brush radius in image pixels.
    pub brush: f32,
    pub erase: bool,
    /// The pen's colour (RGB in [0, 1]; grey images use its brightness).
    pub colour: [f32; 3],
    /// The held-out pair to load.
    pair: usize,
    /// The last brush position of the stroke under way, in image pixels.
    last: Option<[f32; 2]>,
    dirty: bool,
    next_id: u64,
    changed_at: Option<Instant>,
    awaiting: Option<(u64, Instant)>,
    output: Option<(u64, RgbaImage)>,
    output_fresh: bool,
    textures: [Option<TextureHandle>; 2],
    input_fresh: bool,
}

impl Canvas {
    /// A blank canvas for sources like `source`.
    pub fn new(source: SourceInfo) -> Canvas {
        Canvas {
            channels: source.channels,
            side: source.size,
            pixels: vec![-1.0; source.channels * source.size * source.size],
            undo: Vec::new(),
            // A 24th of the side, to the half pixel (32 px: 1.5).
            brush: ((source.size as f32 / 12.0).round() / 2.0).max(1.0),
            erase: false,
            colour: [1.0, 1.0, 1.0],
            pair: 0,
            last: None,
            dirty: true,
            next_id: 0,
            changed_at: None,
            awaiting: None,
            output: None,
            output_fresh: false,
            textures: [None, None],
            input_fresh: true,
        }
    }

    /// Side of the canvas, in image pixels.
    pub fn side(&self) -> usize {
        self.side
    }

    /// The source image now on the canvas (channel-major, [-1, 1]).
    pub fn source(&self) -> &[f32] {
        &self.pixels
    }

    /// The translation now shown.
    pub fn output(&self) -> Option<&RgbaImage> {
        self.output.as_ref().map(|(_, image)| image)
    }

    /// A new snapshot of G: translate again.
    pub fn snapshot_changed(&mut self) {
        self.dirty = true;
    }

    /// G(A) for request `id` arrived; returns the latency (ms) of the change it answers.
    pub fn receive(&mut self, id: u64, image: RgbaImage) -> Option<f64> {
        if self.output.as_ref().is_some_and(|(shown, _)| *shown > id) {
            return None;
        }
        self.output = Some((id, image));
        self.output_fresh = true;
        match self.awaiting {
            Some((first, at)) if id >= first => {
                self.awaiting = None;
                Some(at.elapsed().as_secs_f64() * 1000.0)
            }
            _ => None,
        }
    }

    fn changed(&mut self) {
        self.dirty = true;
        self.input_fresh = true;
        self.changed_at.get_or_insert_with(Instant::now);
    }

    fn remember(&mut self) {
        if self.undo.len() == UNDO_DEPTH {
            self.undo.remove(0);
        }
        self.undo.push(self.pixels.clone());
    }

    /// Paint (or erase) a disc of the brush at (x, y), in image pixels, with soft edges.
    pub fn dab(&mut self, x: f32, y: f32) {
        let plane = self.side * self.side;
        let value: Vec<f32> = if self.erase {
            vec![-1.0; self.channels]
        } else if self.channels >= 3 {
            self.colour.iter().map(|c| c * 2.0 - 1.0).collect()
        } else {
            let grey = 0.299 * self.colour[0] + 0.587 * self.colour[1] + 0.114 * self.colour[2];
            vec![grey * 2.0 - 1.0; self.channels]
        };
        let r = self.brush;
        let (x0, x1) = (
            (x - r - 1.0).floor().max(0.0) as usize,
            (x + r + 1.0).ceil() as usize,
        );
        let (y0, y1) = (
            (y - r - 1.0).floor().max(0.0) as usize,
            (y + r + 1.0).ceil() as usize,
        );
        for py in y0..y1.min(self.side) {
            for px in x0..x1.min(self.side) {
                let (dx, dy) = (px as f32 + 0.5 - x, py as f32 + 0.5 - y);
                let cover = (r + 0.5 - (dx * dx + dy * dy).sqrt()).clamp(0.0, 1.0);
                if cover <= 0.0 {
                    continue;
                }
                for (c, v) in value.iter().enumerate() {
                    let cell = &mut self.pixels[c * plane + py * self.side + px];
                    *cell += (v - *cell) * cover;
                }
            }
        }
        self.changed();
    }

    /// A stroke from the last brush position (if the stroke goes on) to (x, y).
    pub fn stroke_to(&mut self, x: f32, y: f32) {
        let from = self.last.unwrap_or([x, y]);
        let steps = ((x - from[0]).hypot(y - from[1]) / 0.5).ceil().max(1.0) as usize;
        for i in 1..=steps {
            let t = i as f32 / steps as f32;
            self.dab(from[0] + (x - from[0]) * t, from[1] + (y - from[1]) * t);
        }
        self.last = Some([x, y]);
    }

    /// Start a stroke (an undo step).
    pub fn begin_stroke(&mut self) {
        self.remember();
        self.last = None;
    }

    pub fn end_stroke(&mut self) {
        self.last = None;
    }

    pub fn undo(&mut self) {
        if let Some(previous) = self.undo.pop() {
            self.pixels = previous;
            self.changed();
        }
    }

    pub fn clear(&mut self) {
        self.remember();
        self.pixels.fill(-1.0);
        self.changed();
    }

    /// Put held-out pair `pair`'s source (from the sample view) on the canvas.
    pub fn load_pair(&mut self, samples: Option<&(u64, SampleView)>, pair: usize) -> bool {
        let Some((
            _,
            SampleView::Grid {
                image,
                columns,
                tiles,
                meaning: Tiles::HeldOutPairs,
                ..
            },
        )) = samples
        else {
            return false;
        };
        if 3 * pair >= *tiles {
            return false;
        }
        let Some((values, side)) = imaging::tile_values(image, *columns, 3 * pair, self.channels)
        else {
            return false;
        };
        if side != self.side {
            return false;
        }
        self.remember();
        self.pixels = values;
        self.pair = pair;
        self.changed();
        true
    }

    /// The translation request for the canvas as it is, when one is due.
    pub fn request(&mut self, snapshot: bool) -> Option<ExploreRequest> {
        if !(snapshot && std::mem::take(&mut self.dirty)) {
            return None;
        }
        let id = self.next_id;
        self.next_id += 1;
        if let Some(at) = self.changed_at.take() {
            self.awaiting.get_or_insert((id, at));
        }
        Some(ExploreRequest::Translate {
            id,
            source: self.pixels.clone(),
            side: self.side,
        })
    }

    /// Draw the canvas, its tools and G(A).
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        samples: Option<&(u64, SampleView)>,
        exports: &mut Vec<Export>,
    ) {
        let pairs = match samples {
            Some((
                _,
                SampleView::Grid {
                    tiles,
                    meaning: Tiles::HeldOutPairs,
                    ..
                },
            )) => tiles / 3,
            _ => 0,
        };
        ui.horizontal_wrapped(|ui| {
            ui.selectable_value(&mut self.erase, false, "Pen");
            ui.selectable_value(&mut self.erase, true, "Eraser");
            ui.add(
                egui::Slider::new(&mut self.brush, 0.5..=8.0)
                    .step_by(0.5)
                    .fixed_decimals(1)
                    .text("brush (px)"),
            );
            if self.channels >= 3 {
                super::colour::picker(ui, &mut self.colour);
            } else {
                let mut grey = self.colour[0];
                if ui
                    .add(egui::Slider::new(&mut grey, 0.0..=1.0).text("ink"))
                    .changed()
                {
                    self.colour = [grey; 3];
                }
            }
            if ui
                .add_enabled(!self.undo.is_empty(), egui::Button::new("Undo"))
                .clicked()
            {
                self.undo();
            }
            if ui.button("Clear").clicked() {
                self.clear();
            }
        });
        ui.horizontal_wrapped(|ui| {
            ui.add_enabled(
                pairs > 0,
                egui::DragValue::new(&mut self.pair).range(0..=pairs.saturating_sub(1)),
            );
            if ui
                .add_enabled(pairs > 0, egui::Button::new("Load held-out pair"))
                .on_hover_text("Start from the source of one of the pairs in the sample view")
                .clicked()
            {
                let pair = self.pair;
                self.load_pair(samples, pair);
            }
            if ui.button("Save A").clicked() {
                exports.push(Export::Png {
                    image: imaging::to_rgba(&self.pixels, self.channels, self.side),
                    name: "source.png".into(),
                });
            }
            if ui
                .add_enabled(self.output.is_some(), egui::Button::new("Save G(A)"))
                .clicked()
                && let Some(image) = self.output()
            {
                exports.push(Export::Png {
                    image: image.clone(),
                    name: "translated.png".into(),
                });
            }
        });
        let side = ((ui.available_width() - 24.0) / 2.0)
            .min(ui.available_height() - 24.0)
            .max(64.0);
        ui.horizontal(|ui| {
            self.input_view(ui, side);
            ui.add_space(8.0);
            self.output_view(ui, side);
        });
        ui.small("Draw on A (left); G(A) (right) follows every stroke, from G as it trains.");
    }

    fn input_view(&mut self, ui: &mut egui::Ui, side: f32) {
        if self.input_fresh || self.textures[0].is_none() {
            let image = imaging::to_rgba(&self.pixels, self.channels, self.side);
            upload(ui, &mut self.textures[0], "canvas-input", &image);
            self.input_fresh = false;
        }
        let Some(texture) = &self.textures[0] else {
            return;
        };
        let response = ui.add(
            egui::Image::new((texture.id(), egui::vec2(side, side)))
                .sense(egui::Sense::click_and_drag()),
        );
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Canvas, true, "canvas A"));
        let scale = self.side as f32 / side;
        let at = |p: egui::Pos2| {
            [
                (p.x - response.rect.min.x) * scale,
                (p.y - response.rect.min.y) * scale,
            ]
        };
        if response.drag_started() || response.clicked() {
            self.begin_stroke();
        }
        if (response.dragged() || response.clicked() || response.drag_started())
            && let Some(p) = response.interact_pointer_pos()
        {
            let [x, y] = at(p);
            self.stroke_to(x, y);
        }
        if response.drag_stopped() || response.clicked() {
            self.end_stroke();
        }
    }

    fn output_view(&mut self, ui: &mut egui::Ui, side: f32) {
        if self.output_fresh
            && let Some((_, image)) = &self.output
        {
            upload(ui, &mut self.textures[1], "canvas-output", image);
            self.output_fresh = false;
        }
        match &self.textures[1] {
            Some(texture) => {
                ui.add(egui::Image::new((texture.id(), egui::vec2(side, side))));
            }
            None => {
                ui.allocate_ui(egui::vec2(side, side), |ui| ui.spinner());
            }
        }
    }
}

fn upload(ui: &egui::Ui, slot: &mut Option<TextureHandle>, name: &str, image: &RgbaImage) {
    let color =
        egui::ColorImage::from_rgba_unmultiplied([image.width, image.height], &image.pixels);
    match slot {
        Some(texture) => texture.set(color, TextureOptions::NEAREST),
        None => *slot = Some(ui.ctx().load_texture(name, color, TextureOptions::NEAREST)),
    }
}

/// Latencies of the canvas go with the sliders' (one statistic for the explorer).
pub fn record(stats: &mut FrameStats, log: &mut Vec<f64>, ms: Option<f64>) {
    if let Some(ms) = ms {
        stats.record(ms);
        log.push(ms);
    }
}
