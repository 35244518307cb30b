//! The desktop front end (egui). It never touches burn: it sends [`crate::protocol::Command`]s
//! and draws what the [`crate::protocol::Event`]s say.

pub mod app;
mod attention_view;
pub mod balance;
pub mod controls;
pub mod curves;
pub mod data_import;
pub mod explorer;
pub mod export;
pub mod file_prompt;
pub mod frame_stats;
mod growth_plot;
pub mod headless;
pub mod health;
pub mod jobs;
pub mod lab;
pub mod plot_frame;
pub mod plots;
pub mod quality;
pub mod remote;
pub mod run_state;
pub mod runs;
pub mod samples;
pub mod series;
pub mod settings;
pub mod toy_view;

use crate::preset::library::PresetLibrary;
use crate::protocol::Link;
pub use app::GanscopeApp;

/// Open the window. `spawn_engine` starts the engine thread given a callback that wakes the
/// UI; the app loads `preset` (or the default one) right away, and opens the run folders in
/// `open` beside it.
pub fn run_native(
    library: PresetLibrary,
    preset: Option<String>,
    open: Vec<std::path::PathBuf>,
    spawn_engine: impl FnOnce(Box<dyn Fn() + Send + Sync>) -> Link,
) -> anyhow::Result<()> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("ganscope")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([800.0, 500.0]),
        ..Default::default()
    };
    let errors: Vec<String> = library.errors.iter().map(|e| e.to_string()).collect();
    eframe::run_native(
        "ganscope",
        options,
        Box::new(move |cc| {
            let ctx = cc.egui_ctx.clone();
            let link = spawn_engine(Box::new(move || ctx.request_repaint()));
            let mut app = GanscopeApp::new(link, library.presets, errors, preset.as_deref());
            let saved: Option<settings::Settings> = cc
                .storage
                .and_then(|storage| eframe::get_value(storage, eframe::APP_KEY));
            if let Some(saved) = saved {
                app.restore(saved, preset.is_some());
            } else {
                app.set_recording(settings::Recording::default());
            }
            app.open_runs(open);
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("could not open the window: {e}"))
}
