//! The step scrubber: a slider over every sample grid a run saved (the live run's folder or
//! an opened one), at full step resolution, with a time-lapse player. PNGs are decoded on a
//! helper thread that only ever works on the newest request, so dragging never stalls a
//! frame; the last decoded picture stays up until the next is ready.

use crate::protocol::RgbaImage;
use crossbeam_channel::{Receiver, Sender};
use egui::{ColorImage, TextureHandle, TextureOptions};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Time-lapse speeds offered, in frames per second.
const SPEEDS: [u32; 4] = [5, 10, 25, 50];

/// Decodes sample PNGs off the frame loop.
struct Loader {
    requests: Sender<PathBuf>,
    decoded: Receiver<(PathBuf, Result<RgbaImage, String>)>,
}

impl Loader {
    fn spawn(wake: impl Fn() + Send + 'static) -> Option<Loader> {
        let (request_tx, request_rx) = crossbeam_channel::unbounded::<PathBuf>();
        let (done_tx, done_rx) = crossbeam_channel::unbounded();
        std::thread::Builder::new()
            .name("ganscope-scrubber".into())
            .spawn(move || {
                while let Ok(mut path) = request_rx.recv() {
                    // Only the newest request matters.
                    while let Ok(newer) = request_rx.try_recv() {
                        path = newer;
                    }
                    let image = decode(&path);
                    if done_tx.send((path, image)).is_err() {
                        return;
                    }
                    wake();
                }
            })
            .ok()?;
        Some(Loader {
            requests: request_tx,
            decoded: done_rx,
        })
    }
}

/// Read a PNG into RGBA bytes.
pub fn decode(path: &std::path::Path) -> Result<RgbaImage, String> {
    let image = image::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let rgba = image.into_rgba8();
    Ok(RgbaImage {
        width: rgba.width() as usize,
        height: rgba.height() as usize,
        pixels: rgba.into_raw(),
    })
}

/// What the scrubber wants shown this frame.
pub enum Shown<'a> {
    /// Nothing scrubbed: the live samples.
    Live,
    /// A saved grid (the texture may still be the previous step's while the new one loads).
    Saved {
        step: u64,
        texture: Option<&'a TextureHandle>,
    },
}

#[derive(Default)]
pub struct Scrubber {
    /// Index into the steps scrubbed; `None` follows the newest samples.
    index: Option<usize>,
    playing: bool,
    fps: u32,
    last_frame: Option<Instant>,
    loader: Option<Loader>,
    requested: Option<PathBuf>,
    texture: Option<TextureHandle>,
    error: Option<String>,
}

impl Scrubber {
    /// Forget the position (the source changed).
    pub fn reset(&mut self) {
        self.index = None;
        self.playing = false;
        self.requested = None;
        self.error = None;
    }

    /// The scrubbed step, for the plots' cursor.
    pub fn step(&self, steps: &[u64]) -> Option<u64> {
        self.index.and_then(|i| steps.get(i).copied())
    }

    /// Move to the saved grid at `index` (tests and keyboard use this as the slider does).
    pub fn seek(&mut self, index: usize) {
        self.index = Some(index);
    }

    /// Draw the slider and player for `steps` (each saved as `path(step)`); `live` says the
    /// newest samples are also on show without scrubbing (`live_step`: theirs). Returns what
    /// to show.
    pub fn ui<'a>(
        &'a mut self,
        ui: &mut egui::Ui,
        steps: &[u64],
        path: impl Fn(u64) -> PathBuf,
        live: bool,
        live_step: Option<u64>,
    ) -> Shown<'a> {
        if self.fps == 0 {
            self.fps = SPEEDS[1];
        }
        if steps.is_empty() {
            self.reset();
            return if live {
                Shown::Live
            } else {
                Shown::Saved {
                    step: 0,
                    texture: None,
                }
            };
        }
        let last = steps.len() - 1;
        if self.index.is_some_and(|i| i > last) {
            self.index = Some(last);
        }
        self.controls(ui, steps, live, live_step);
        self.play(ui.ctx(), last);
        let index = match self.index {
            Some(i) => i,
            None if live => return Shown::Live,
            None => last,
        };
        let step = steps[index];
        self.load(ui.ctx(), path(step));
        if let Some(error) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        Shown::Saved {
            step,
            texture: self.texture.as_ref(),
        }
    }

    fn controls(&mut self, ui: &mut egui::Ui, steps: &[u64], live: bool, live_step: Option<u64>) {
        let last = steps.len() - 1;
        let mut index = self.index.unwrap_or(last);
        ui.horizontal(|ui| {
            let label = ui.label("Step");
            // The rest of the row: never more, or the panel would widen to fit it and the
            // slider with it, frame after frame.
            ui.spacing_mut().slider_width = (ui.available_width() - 8.0).max(40.0);
            // One grid so far: the handle rests at the start (a range of one value would
            // put it mid-track) and the slider waits for a second grid.
            let slider = egui::Slider::new(&mut index, 0..=last.max(1))
                .show_value(false)
                .custom_formatter(|i, _| {
                    steps.get(i as usize).map_or(String::new(), u64::to_string)
                });
            let response = ui
                .add_enabled(last > 0, slider)
                .on_hover_text(
                    "Every sample grid the run saved; drag to scrub (plots show a cursor)",
                )
                .on_disabled_hover_text("One sample grid saved so far: train on to scrub")
                .labelled_by(label.id);
            if response.changed() {
                self.index = Some(index);
                self.playing = false;
            }
        });
        ui.horizontal(|ui| {
            // Following the live view, the label says its step (the newest saved grid may be
            // older: it said 5025 while the view showed step 5225).
            let position = match (self.index, live_step) {
                (None, Some(step)) if live => {
                    format!("live, step {step} ({} saved)", steps.len())
                }
                _ => format!("{} ({}/{})", steps[index], index + 1, steps.len()),
            };
            ui.monospace(position);
            let play = if self.playing { "Pause" } else { "Play" };
            if ui
                .button(play)
                .on_hover_text("Time-lapse through the saved grids")
                .clicked()
            {
                self.playing = !self.playing;
                if self.playing && self.index.is_none_or(|i| i >= last) {
                    self.index = Some(0);
                }
                self.last_frame = None;
            }
            egui::ComboBox::from_id_salt("scrub-fps")
                .selected_text(format!("{} fps", self.fps))
                .width(70.0)
                .show_ui(ui, |ui| {
                    for fps in SPEEDS {
                        ui.selectable_value(&mut self.fps, fps, format!("{fps} fps"));
                    }
                });
            let latest = if live { "Live" } else { "Latest" };
            if ui
                .add_enabled(self.index.is_some(), egui::Button::new(latest))
                .on_hover_text("Back to the newest samples")
                .clicked()
            {
                self.index = None;
                self.playing = false;
            }
        });
    }

    fn play(&mut self, ctx: &egui::Context, last: usize) {
        if !self.playing {
            return;
        }
        let frame = Duration::from_secs_f64(1.0 / f64::from(self.fps.max(1)));
        let due = self.last_frame.is_none_or(|t| t.elapsed() >= frame);
        if due {
            self.last_frame = Some(Instant::now());
            let next = self.index.map_or(0, |i| i + 1);
            if next > last {
                self.playing = false;
                return;
            }
            self.index = Some(next);
        }
        ctx.request_repaint_after(frame);
    }

    /// Ask for `path` unless it is already shown or asked for; fold finished decodes.
    fn load(&mut self, ctx: &egui::Context, path: PathBuf) {
        if self.loader.is_none() {
            let waker = ctx.clone();
            self.loader = Loader::spawn(move || waker.request_repaint());
        }
        let Some(loader) = &self.loader else {
            self.error = Some("cannot start the image loader thread".into());
            return;
        };
        if self.requested.as_ref() != Some(&path) {
            let _ = loader.requests.send(path.clone());
            self.requested = Some(path);
        }
        while let Ok((path, decoded)) = loader.decoded.try_recv() {
            if self.requested.as_ref() != Some(&path) {
                continue;
            }
            match decoded {
                Ok(image) => {
                    self.error = None;
                    let color = ColorImage::from_rgba_unmultiplied(
                        [image.width, image.height],
                        &image.pixels,
                    );
                    match &mut self.texture {
                        Some(texture) => texture.set(color, TextureOptions::NEAREST),
                        None => {
                            self.texture =
                                Some(ctx.load_texture("scrubbed", color, TextureOptions::NEAREST));
                        }
                    }
                }
                Err(e) => self.error = Some(e),
            }
        }
    }
}
