//! Running the real app without a window, to measure what a frame costs on the UI thread
//! (event intake, layout, tessellation; everything but the GPU's painting) and how long a
//! slider change takes to reach the screen, while the engine trains flat out.

use super::app::{GanscopeApp, Tab};
use super::controls::Action;
use crate::preset::Preset;
use crate::protocol::{DeviceChoice, Link};
use crossbeam_channel::Receiver;
use std::time::{Duration, Instant};

const FRAME: Duration = Duration::from_micros(16_667);

/// Frame times of a headless session and how far training got meanwhile.
pub struct FrameRun {
    pub frame_ms: Vec<f64>,
    pub steps: u64,
}

/// The app in a headless egui context, training `preset` on `device`.
struct Driver {
    ctx: egui::Context,
    app: GanscopeApp,
    started: Instant,
}

impl Driver {
    fn new(link: Link, preset: Preset, device: DeviceChoice, tab: Tab) -> Driver {
        let mut app = GanscopeApp::new(link, vec![preset], Vec::new(), None);
        app.apply_action(Action::SelectDevice(device));
        app.apply_action(Action::ShowTab(tab));
        app.apply_action(Action::Train);
        Driver {
            ctx: egui::Context::default(),
            app,
            started: Instant::now(),
        }
    }

    /// One full frame; returns its duration in milliseconds.
    fn frame(&mut self) -> f64 {
        let frame_start = Instant::now();
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(1280.0, 800.0),
            )),
            time: Some(self.started.elapsed().as_secs_f64()),
            ..Default::default()
        };
        let app = &mut self.app;
        let output = self.ctx.run_ui(input, |ui| {
            app.intake();
            app.show(ui);
        });
        let _ = self.ctx.tessellate(output.shapes, output.pixels_per_point);
        frame_start.elapsed().as_secs_f64() * 1000.0
    }

    fn step(&self) -> u64 {
        self.app.run_state().step
    }
}

/// Show `preset` in the app, press Train, and draw frames at 60 Hz for `seconds`.
pub fn frame_times(link: Link, preset: Preset, device: DeviceChoice, seconds: f64) -> FrameRun {
    let mut driver = Driver::new(link, preset, device, Tab::Training);
    let mut frame_ms = Vec::new();
    let mut first_step = None;
    while driver.started.elapsed().as_secs_f64() < seconds {
        let frame_start = Instant::now();
        frame_ms.push(driver.frame());
        if driver.app.run_state().running {
            first_step.get_or_insert(driver.step());
        }
        if let Some(rest) = FRAME.checked_sub(frame_start.elapsed()) {
            std::thread::sleep(rest);
        }
    }
    let steps = driver.step() - first_step.unwrap_or(driver.step());
    driver.app.apply_action(Action::Pause);
    FrameRun { frame_ms, steps }
}

/// Slider-to-screen latencies of an explorer session and training progress meanwhile.
pub struct ExploreRun {
    /// Milliseconds from a change of z to the upload of the image showing it.
    pub latency_ms: Vec<f64>,
    pub frame_ms: Vec<f64>,
    pub steps: u64,
    pub seconds: f64,
    /// The changes were strokes on the draw-and-translate canvas, not a latent slider.
    pub stroke: bool,
}

/// Open the explorer on `preset` while it trains and drag a latent slider continuously (a new
/// value every 60 Hz frame) for `seconds`; for an image-to-image G, draw one continuous
/// stroke on the canvas instead (a new brush position every frame, round a circle). `woken` receives the engine's wake-ups; as in the
/// window, a wake-up draws a frame at once instead of waiting for the next 60 Hz tick.
pub fn explore_latency(
    link: Link,
    woken: &Receiver<()>,
    preset: Preset,
    device: DeviceChoice,
    seconds: f64,
) -> ExploreRun {
    let mut driver = Driver::new(link, preset, device, Tab::Explorer);
    // Warm up: until the first image from a snapshot is on screen.
    let deadline = Instant::now() + Duration::from_secs(120);
    while driver.app.explorer().main_image().is_none() && Instant::now() < deadline {
        driver.frame();
        let _ = woken.recv_timeout(FRAME);
    }
    let measured_from = driver.app.explorer().latency_log().len();
    let (start_step, started) = (driver.step(), Instant::now());
    let mut frame_ms = Vec::new();
    let mut tick = 0u32;
    let mut next_tick = Instant::now();
    while started.elapsed().as_secs_f64() < seconds {
        if Instant::now() >= next_tick {
            let phase = f64::from(tick) * 0.05;
            match driver.app.explorer_mut().canvas_mut() {
                Some(canvas) => {
                    if tick == 0 {
                        canvas.begin_stroke();
                    }
                    let (side, r) = (canvas.side() as f32, canvas.side() as f32 * 0.3);
                    let (s, c) = (phase as f32).sin_cos();
                    canvas.stroke_to(side / 2.0 + r * c, side / 2.0 + r * s);
                }
                // Drag z0 back and forth over ±2.5.
                None => {
                    let value = 2.5 * phase.sin() as f32;
                    driver.app.explorer_mut().set_dimension(0, value);
                }
            }
            tick += 1;
            next_tick += FRAME;
        }
        frame_ms.push(driver.frame());
        let _ = woken.recv_timeout(next_tick.saturating_duration_since(Instant::now()));
    }
    let steps = driver.step() - start_step;
    driver.app.apply_action(Action::Pause);
    ExploreRun {
        stroke: driver.app.explorer().canvas().is_some(),
        latency_ms: driver.app.explorer().latency_log()[measured_from..].to_vec(),
        frame_ms,
        steps,
        seconds: started.elapsed().as_secs_f64(),
    }
}
