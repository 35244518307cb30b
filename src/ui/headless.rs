//! Running the real app without a window, to measure what a frame costs on the UI thread
//! (event intake, layout, tessellation; everything but the GPU's painting) while the engine
//! trains flat out.

use super::app::GanscopeApp;
use super::controls::Action;
use crate::preset::Preset;
use crate::protocol::{DeviceChoice, Link};
use std::time::{Duration, Instant};

/// Frame times of a headless session and how far training got meanwhile.
pub struct FrameRun {
    pub frame_ms: Vec<f64>,
    pub steps: u64,
}

/// Show `preset` in the app, press Train, and draw frames at 60 Hz for `seconds`.
pub fn frame_times(link: Link, preset: Preset, device: DeviceChoice, seconds: f64) -> FrameRun {
    let ctx = egui::Context::default();
    let mut app = GanscopeApp::new(link, vec![preset], Vec::new(), None);
    app.apply_action(Action::SelectDevice(device));
    app.apply_action(Action::Train);
    let period = Duration::from_secs_f64(1.0 / 60.0);
    let started = Instant::now();
    let mut frame_ms = Vec::new();
    let mut first_step = None;
    while started.elapsed().as_secs_f64() < seconds {
        let frame_start = Instant::now();
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(1280.0, 800.0),
            )),
            time: Some(started.elapsed().as_secs_f64()),
            ..Default::default()
        };
        let output = ctx.run_ui(input, |ui| {
            app.intake();
            app.show(ui);
        });
        let _ = ctx.tessellate(output.shapes, output.pixels_per_point);
        frame_ms.push(frame_start.elapsed().as_secs_f64() * 1000.0);
        if app.run_state().running {
            first_step.get_or_insert(app.run_state().step);
        }
        if let Some(rest) = period.checked_sub(frame_start.elapsed()) {
            std::thread::sleep(rest);
        }
    }
    let steps = app.run_state().step - first_step.unwrap_or(app.run_state().step);
    app.apply_action(Action::Pause);
    FrameRun { frame_ms, steps }
}
