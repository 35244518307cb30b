//! The real app driven headless with egui_kittest: Train moves the counter and the plots,
//! Pause stops them.

use super::common::presets_dir;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use ganscope::engine;
use ganscope::preset::library::PresetLibrary;
use ganscope::ui::GanscopeApp;
use std::time::{Duration, Instant};

fn harness() -> Harness<'static, GanscopeApp> {
    let library = PresetLibrary::load_dir(&presets_dir());
    let app = GanscopeApp::new(
        engine::spawn(|| {}),
        library.presets,
        Vec::new(),
        Some("ring8-mlp"),
    );
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(
            |ui, app: &mut GanscopeApp| {
                app.intake();
                app.show(ui);
            },
            app,
        );
    harness.get_by_label("CPU").click();
    harness.run_steps(2);
    harness
}

/// Step the UI until `done` holds or a minute passes.
fn step_until(harness: &mut Harness<'static, GanscopeApp>, done: impl Fn(&GanscopeApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(harness.state()) {
        assert!(
            Instant::now() < deadline,
            "the UI never reached the expected state"
        );
        std::thread::sleep(Duration::from_millis(20));
        harness.step();
    }
}

#[test]
fn train_moves_the_counter_and_plots_and_pause_stops_them() {
    let mut harness = harness();
    step_until(&mut harness, |app| app.run_state().info.is_some());
    assert_eq!(harness.state().run_state().step, 0);

    harness.get_by_label("Train").click();
    step_until(&mut harness, |app| app.run_state().step >= 50);
    let run = harness.state().run_state();
    assert!(run.running, "the app says it is training");
    assert!(run.g_loss.len() >= 50, "the plots received the metrics");
    harness.run_steps(2);
    let drawn = harness.state().plot_points_drawn();
    assert!(drawn >= 4 * 50, "the four curves drew only {drawn} points");
    let shown = harness.state().run_state().step.to_string();
    assert!(
        harness.query_by_label(&shown).is_some(),
        "the step counter shows {shown}"
    );

    harness.get_by_label("Pause").click();
    step_until(&mut harness, |app| !app.run_state().running);
    let paused_at = harness.state().run_state().step;
    for _ in 0..10 {
        std::thread::sleep(Duration::from_millis(30));
        harness.step();
    }
    assert_eq!(
        harness.state().run_state().step,
        paused_at,
        "no steps while paused"
    );
    assert!(
        harness.query_by_label("Resume").is_some(),
        "Train became Resume"
    );
}
