//! The explorer of a super-resolution G: an image the user opens (*Open image...*, or dropped
//! on the window) or a held-out crop picked in the Training tab is upscaled by the latest
//! snapshot of G, in tiles, on the explorer thread (so training never waits). A before/after
//! slider splits one view between G's result and a comparison (bicubic, G's input itself, or
//! the original when the image was shrunk first); zoom and pan move both sides together
//! ([`super::compare_view`]); the sizes in pixels are shown, and the result can be saved.
//!
//! Decisions: a new snapshot of G is upscaled again by itself only while one upscaling takes
//! under [`AUTO_REFRESH_MS`] (a large photo on a CPU takes seconds, which training would
//! lose every 2 s); otherwise a button offers it. Files are read and decoded on a helper
//! thread.

use super::compare_view::{self, Left, ViewState};
use crate::imaging;
use crate::protocol::{ExploreRequest, RgbaImage, SampleView, Tiles, UpscaleInfo};
use crate::ui::export::Export;
use crossbeam_channel::Receiver;
use egui::TextureHandle;
use std::path::PathBuf;
use std::time::Instant;

/// The longest upscaling redone by itself when G's snapshot changes.
pub const AUTO_REFRESH_MS: f64 = 700.0;

/// The image G is given (or shrinks first).
#[derive(Clone, Debug)]
pub struct Source {
    pub name: String,
    /// Channel-major, values in [-1, 1].
    pub pixels: Vec<f32>,
    /// (height, width).
    pub size: (usize, usize),
}

/// The explorer thread's answer, as pictures and the textures drawn from them.
pub(super) struct Answer {
    pub step: u64,
    /// G's input, bicubic, SR, and the original when the image was shrunk.
    pub images: Vec<RgbaImage>,
    pub textures: Vec<TextureHandle>,
    pub ms: f64,
}

impl Answer {
    pub fn image(&self, which: Left) -> Option<(&RgbaImage, &TextureHandle)> {
        let index = match which {
            Left::Input => 0,
            Left::Bicubic => 1,
            Left::Original => 3,
        };
        self.images.get(index).zip(self.textures.get(index))
    }

    pub fn sr(&self) -> Option<(&RgbaImage, &TextureHandle)> {
        self.images.get(2).zip(self.textures.get(2))
    }
}

pub struct Compare {
    pub info: UpscaleInfo,
    source: Option<Source>,
    /// Take the image as the original: shrink it by the scale, then upscale.
    pub shrink: bool,
    /// *Shrink first* as the user last set it: a held-out crop is always shrunk, and the
    /// next image opened goes back to the user's choice.
    user_shrink: bool,
    /// Images received and not yet uploaded, with their request id and G's step.
    fresh: Option<(u64, u64, Vec<RgbaImage>)>,
    pub(super) answer: Option<Answer>,
    pub(super) view: ViewState,
    /// A file being read and decoded.
    opening: Option<Receiver<Result<Source, String>>>,
    pub error: Option<String>,
    /// Held-out crop to load from the sample view.
    crop: usize,
    next_id: u64,
    /// The request in flight: its id, its snapshot step and when it was sent.
    sent: Option<(u64, Instant)>,
    dirty: bool,
    /// The newest snapshot's step, and whether one arrived since the last upscaling.
    pub snapshot: Option<u64>,
    stale: bool,
}

impl Compare {
    pub fn new(info: UpscaleInfo) -> Compare {
        Compare {
            info,
            source: None,
            shrink: false,
            user_shrink: false,
            fresh: None,
            answer: None,
            view: ViewState::default(),
            opening: None,
            error: None,
            crop: 0,
            next_id: 1,
            sent: None,
            dirty: false,
            snapshot: None,
            stale: false,
        }
    }

    pub fn source(&self) -> Option<&Source> {
        self.source.as_ref()
    }

    /// The result shown: G's step, the upscaled (height, width), and whether the original
    /// is there to compare with.
    pub fn shown(&self) -> Option<(u64, (usize, usize), bool)> {
        let answer = self.answer.as_ref()?;
        let (sr, _) = answer.sr()?;
        Some((answer.step, (sr.height, sr.width), answer.images.len() > 3))
    }

    /// Whether an upscaling is under way.
    pub fn busy(&self) -> bool {
        self.sent.is_some() || self.opening.is_some()
    }

    /// Whether a newer snapshot of G than the one shown waits for *Upscale again*.
    pub fn stale(&self) -> bool {
        self.stale
    }

    /// Upscale `source` (replacing the image shown).
    pub fn set_source(&mut self, source: Source) {
        self.source = Some(source);
        self.error = None;
        self.view.fit = true;
        self.dirty = true;
    }

    /// Read and decode the image at `path` on a helper thread; it is upscaled as *Shrink
    /// first* says, as the user last set it (a held-out crop's shrinking does not carry over:
    /// a photo of one's own is upscaled as it is unless the user asks otherwise).
    pub fn open(&mut self, path: PathBuf) {
        self.shrink = self.user_shrink;
        let (tx, rx) = crossbeam_channel::bounded(1);
        let channels = self.info.channels;
        let spawned = std::thread::Builder::new()
            .name("ganscope-open-image".into())
            .spawn(move || {
                let _ = tx.send(read_image(&path, channels));
            });
        match spawned {
            Ok(_) => self.opening = Some(rx),
            Err(e) => self.error = Some(format!("cannot read the image: {e}")),
        }
    }

    /// Put held-out crop `crop`'s original (from the sample view) in, to be shrunk: then SR
    /// can be compared with the original as well as with bicubic.
    pub fn pick_crop(&mut self, samples: Option<&(u64, SampleView)>, crop: usize) -> bool {
        let Some((
            step,
            SampleView::Grid {
                image,
                columns,
                tiles,
                meaning: Tiles::Upscaled,
                ..
            },
        )) = samples
        else {
            return false;
        };
        let Some((pixels, side)) = (4 * crop + 3 < *tiles)
            .then(|| imaging::tile_values(image, *columns, 4 * crop + 3, self.info.channels))
            .flatten()
        else {
            return false;
        };
        self.crop = crop;
        self.shrink = true;
        self.set_source(Source {
            name: format!("held-out crop {crop} (step {step})"),
            pixels,
            size: (side, side),
        });
        true
    }

    /// A new snapshot of G arrived.
    pub fn snapshot_changed(&mut self, step: u64) {
        self.snapshot = Some(step);
        if self.source.is_some() {
            self.stale = true;
            self.refresh_if_quick();
        }
    }

    /// Upscale again with a newer G when the last upscaling was quick and none is under way
    /// (one that is sent picks up the newest G anyway).
    fn refresh_if_quick(&mut self) {
        let quick = self.answer.as_ref().is_some_and(|a| a.ms < AUTO_REFRESH_MS);
        if self.stale && quick && !self.busy() {
            self.dirty = true;
        }
    }

    /// The explorer thread answered request `id` with `images`, from G as of `step`.
    pub fn receive(&mut self, id: u64, step: u64, images: Vec<RgbaImage>) {
        self.fresh = Some((id, step, images));
    }

    /// An upscaling failed (the explorer thread said why).
    pub fn failed(&mut self, message: String) {
        self.sent = None;
        self.error = Some(message);
    }

    /// The upscaling request due now, if one is.
    pub fn request(&mut self) -> Option<ExploreRequest> {
        if !self.dirty || self.snapshot.is_none() {
            return None;
        }
        let source = self.source.as_ref()?;
        self.dirty = false;
        self.stale = false;
        let id = self.next_id;
        self.next_id += 1;
        self.sent = Some((id, Instant::now()));
        Some(ExploreRequest::Upscale {
            id,
            image: source.pixels.clone(),
            height: source.size.0,
            width: source.size.1,
            shrink: self.shrink,
        })
    }

    /// Take in what arrived: a decoded file, an upscaling (uploaded as textures).
    fn intake(&mut self, ctx: &egui::Context) {
        if let Some(rx) = &self.opening
            && let Ok(outcome) = rx.try_recv()
        {
            self.opening = None;
            match outcome {
                Ok(source) => self.set_source(source),
                Err(e) => self.error = Some(e),
            }
        }
        let Some((id, step, images)) = self.fresh.take() else {
            return;
        };
        let ms = match self.sent {
            Some((sent, at)) if sent == id => {
                self.sent = None;
                at.elapsed().as_secs_f64() * 1000.0
            }
            // An older request's answer: the newer one is on its way.
            Some(_) => return,
            None => 0.0,
        };
        let options = egui::TextureOptions {
            magnification: egui::TextureFilter::Nearest,
            minification: egui::TextureFilter::Linear,
            ..egui::TextureOptions::default()
        };
        let names = ["sr-input", "sr-bicubic", "sr-output", "sr-original"];
        let textures = images
            .iter()
            .zip(names)
            .map(|(image, name)| {
                let color = egui::ColorImage::from_rgba_unmultiplied(
                    [image.width, image.height],
                    &image.pixels,
                );
                ctx.load_texture(name, color, options)
            })
            .collect();
        if images.len() < 4 && self.view.left == Left::Original {
            self.view.left = Left::Bicubic;
        }
        // A picture of another size (another image, or shrunk now) is framed anew.
        let size = |images: &[RgbaImage]| images.get(2).map(|sr| (sr.width, sr.height));
        if self.answer.as_ref().map(|a| size(&a.images)) != Some(size(&images)) {
            self.view.fit = true;
        }
        self.answer = Some(Answer {
            step,
            images,
            textures,
            ms,
        });
        self.error = None;
        if self.snapshot.is_some_and(|s| s > step) {
            self.stale = true;
        }
        self.refresh_if_quick();
    }

    /// The toolbar, the sizes and the comparison view; asks the app for a file through
    /// `open_image`, and for saving through `exports`.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        samples: Option<&(u64, SampleView)>,
        exports: &mut Vec<Export>,
        open_image: &mut bool,
    ) {
        self.intake(ui.ctx());
        let crops = match samples {
            Some((
                _,
                SampleView::Grid {
                    tiles,
                    meaning: Tiles::Upscaled,
                    ..
                },
            )) => tiles / 4,
            _ => 0,
        };
        ui.horizontal_wrapped(|ui| {
            *open_image |= ui
                .button("Open image...")
                .on_hover_text("Upscale a photo of your own (or drop one on the window)")
                .clicked();
            ui.add_enabled(
                crops > 0,
                egui::DragValue::new(&mut self.crop).range(0..=crops.saturating_sub(1)),
            );
            if ui
                .add_enabled(crops > 0, egui::Button::new("Load held-out crop"))
                .on_hover_text("A crop training never saw, shrunk: compare SR with its original")
                .clicked()
            {
                let crop = self.crop;
                self.pick_crop(samples, crop);
            }
            let shrink = ui
                .checkbox(&mut self.shrink, "Shrink first")
                .on_hover_text(format!(
                    "Take the image as the original: shrink it {}x (bicubic, as training does), \
                     upscale that, and compare with the original",
                    self.info.scale
                ));
            if shrink.changed() {
                self.user_shrink = self.shrink;
                self.dirty = true;
            }
            if ui
                .add_enabled(
                    self.source.is_some() && !self.busy(),
                    egui::Button::new("Upscale again"),
                )
                .on_hover_text("Upscale with the newest snapshot of G")
                .clicked()
            {
                self.dirty = true;
            }
            let sr = self.answer.as_ref().and_then(Answer::sr);
            if ui
                .add_enabled(sr.is_some(), egui::Button::new("Save SR..."))
                .clicked()
                && let Some((image, _)) = sr
            {
                let stem = self.source.as_ref().map_or("image", |s| s.name.as_str());
                exports.push(Export::Png {
                    image: image.clone(),
                    name: format!("{}-sr{}x.png", file_stem(stem), self.info.scale),
                });
            }
        });
        ui.label(compare_view::caption(self));
        if let Some(error) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        compare_view::show(ui, self);
    }
}

/// A file name without its folders and extension.
fn file_stem(name: &str) -> String {
    std::path::Path::new(name)
        .file_stem()
        .map_or_else(|| "image".into(), |s| s.to_string_lossy().into_owned())
}

/// Read and decode the image file at `path` as `channels` planes in [-1, 1].
pub fn read_image(path: &std::path::Path, channels: usize) -> Result<Source, String> {
    let (pixels, height, width) = crate::data::files::folder::read_values(path, channels)?;
    Ok(Source {
        name: path
            .file_name()
            .map_or_else(|| "image".into(), |n| n.to_string_lossy().into_owned()),
        pixels,
        size: (height, width),
    })
}
