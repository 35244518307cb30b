//! The real app driven headless with egui_kittest: Train moves the counter and the plots,
//! Pause stops them.

use super::common::presets_dir;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use ganscope::engine;
use ganscope::preset::library::PresetLibrary;
use ganscope::protocol::{DeviceChoice, DeviceInfo, Event, ExploreRequest, RenderTarget, RunInfo};
use ganscope::ui::GanscopeApp;
use ganscope::ui::controls::Action;
use ganscope::ui::explorer::ExplorerView;
use ganscope::ui::run_state::RunState;
use ganscope::ui::samples::Pick;
use std::time::{Duration, Instant};

/// The app on the shipped presets with `preset` loaded on the CPU.
pub fn harness(preset: &str) -> Harness<'static, GanscopeApp> {
    harness_with(PresetLibrary::load_dir(&presets_dir()).presets, preset)
}

/// The app on `presets` with the one named `preset` loaded on the CPU.
pub fn harness_with(
    presets: Vec<ganscope::preset::Preset>,
    preset: &str,
) -> Harness<'static, GanscopeApp> {
    let app = GanscopeApp::new_on(
        engine::spawn(|| {}),
        presets,
        Vec::new(),
        Some(preset),
        DeviceChoice::Cpu,
    );
    let mut harness = harness_of(app);
    harness.run_steps(2);
    harness
}

/// `app` in a 1280×800 window, each frame taking in the engine's events and drawing.
pub fn harness_of(app: GanscopeApp) -> Harness<'static, GanscopeApp> {
    Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(
            |ui, app: &mut GanscopeApp| {
                app.intake();
                app.show(ui);
            },
            app,
        )
}

/// Step the UI until `done` holds or a minute passes.
pub fn step_until(
    harness: &mut Harness<'static, GanscopeApp>,
    done: impl Fn(&GanscopeApp) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(harness.state()) {
        if Instant::now() >= deadline {
            let run = harness.state().run_state();
            panic!(
                "the UI never reached the expected state: step {}, running {}, loaded {}, \
                 connecting {:?}, messages {:?}",
                run.step,
                run.running,
                run.info.is_some(),
                run.connecting,
                run.messages.iter().map(|m| &m.text).collect::<Vec<_>>()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
        harness.step();
    }
}

#[test]
fn train_moves_the_counter_and_plots_and_pause_stops_them() {
    let mut harness = harness("ring8-mlp");
    step_until(&mut harness, |app| app.run_state().info.is_some());
    assert_eq!(harness.state().run_state().step, 0);

    harness.get_by_label("Train").click();
    step_until(&mut harness, |app| app.run_state().step >= 50);
    let run = harness.state().run_state();
    assert!(run.running, "the app says it is training");
    assert!(run.curves.len() >= 50, "the plots received the metrics");
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

    // Past metrics_every (100) steps, the Modes & balance tab reports coverage.
    harness.get_by_label("Resume").click();
    step_until(&mut harness, |app| !app.run_state().diagnostics.is_empty());
    harness.get_by_label("Modes & balance").click();
    harness.run_steps(2);
    assert!(
        harness
            .query_by_label_contains("of 8 modes covered")
            .is_some(),
        "the coverage headline is shown"
    );
    assert!(harness.query_by_label_contains("Alarms (").is_some());
}

#[test]
fn explorer_slider_changes_the_image_and_a_picked_tile_is_its_seed() {
    let mut harness = harness("digits-dcgan");
    harness.get_by_label("Explorer").click();
    step_until(&mut harness, |app| app.explorer().main_image().is_some());
    let before = harness.state().explorer().main_image().cloned();

    harness
        .get_by_role_and_label(egui::accesskit::Role::Slider, "z0")
        .set_value_accesskit(-3.5);
    step_until(&mut harness, |app| {
        app.explorer().main_image().cloned() != before
    });
    let z = harness.state().explorer().z().unwrap_or_default();
    assert_eq!(z[0], -3.5, "the slider set z0");
    assert!(
        harness.query_by_label("(edited)").is_some(),
        "the seed is marked as edited"
    );
    let latencies = harness.state().explorer().latency_log().len();
    assert!(latencies >= 1, "the change was timed to its texture upload");

    // Step once: the explorer receives the generator of step 1 and redraws from it.
    harness.get_by_label("Step once").click();
    step_until(&mut harness, |app| {
        app.explorer().snapshot_step() == Some(1)
    });
    let from_step_0 = harness.state().explorer().main_image().cloned();
    step_until(&mut harness, |app| {
        app.explorer().main_image().cloned() != from_step_0
    });

    // Seeds typed or picked reproduce the grid's tiles.
    harness.state_mut().apply_action(Action::Pick(Pick {
        tile: 5,
        secondary: false,
    }));
    harness.run_steps(2);
    let z = harness.state().explorer().z().unwrap_or_default();
    assert_eq!(z, ganscope::latent::from_seed(5, 64), "tile 5 is seed 5");
}

#[test]
fn a_conditional_model_gets_a_class_picker_whose_class_travels_with_the_request() {
    // What the view asks of the explorer thread (the app sends it on).
    let (explore, requests) = crossbeam_channel::unbounded();
    let info = RunInfo {
        preset: "conditional".into(),
        device: DeviceInfo {
            backend: "flex".into(),
            name: "test".into(),
            notice: None,
        },
        generator_params: 0,
        discriminator_params: 0,
        batch_size: 64,
        latent_dim: 8,
        classes: Some(10),
        class_names: (0..10).map(|d| d.to_string()).collect(),
        source: None,
        upscale: None,
        networks: "DCGAN".into(),
        balance: Default::default(),
        penalty_estimated: false,
        real_per_class: None,
        ema: false,
    };
    let mut view = ExplorerView::default();
    view.reset(&info);
    view.apply(Event::Snapshot { step: 0 });
    let mut run = RunState::default();
    run.apply(Event::Loaded(info));
    let mut harness = Harness::builder()
        .with_size([1000.0, 700.0])
        .build_ui_state(
            move |ui, view: &mut ExplorerView| {
                for request in view.ui(ui, &run).requests {
                    let _ = explore.send(request);
                }
            },
            view,
        );
    harness.run_steps(2);
    let first: Vec<ExploreRequest> = requests.try_iter().collect();
    assert!(
        first.iter().any(|r| matches!(
            r,
            ExploreRequest::Render { target: RenderTarget::Main, class: Some(0), latents, .. }
                if latents[0].len() == 8
        )),
        "the first render asks for class 0: {first:?}"
    );
    harness.get_by_label("Class").click();
    harness.run_steps(2);
    harness.get_by_label("7").click();
    harness.run_steps(2);
    let after: Vec<ExploreRequest> = requests.try_iter().collect();
    assert!(
        after.iter().any(|r| matches!(
            r,
            ExploreRequest::Render {
                target: RenderTarget::Main,
                class: Some(7),
                ..
            }
        )),
        "picking 7 re-renders with class 7: {after:?}"
    );
}

#[test]
fn help_theme_and_settings_survive_a_restart() {
    let mut harness = harness("ring8-mlp");
    harness.key_press(egui::Key::F1);
    harness.run_steps(2);
    assert!(
        harness.query_by_label("Keyboard shortcuts").is_some(),
        "F1 opens the help"
    );
    assert!(harness.query_by_label("Step once (while paused)").is_some());
    assert!(
        harness
            .query_by_label_contains("Quit (a recorded run saves")
            .is_some(),
        "the help lists Ctrl+Q"
    );
    harness.key_press(egui::Key::F1);
    harness.get_by_label("Log scale (losses)").click();
    harness.get_by_label("Light theme").click();
    harness.run_steps(2);
    assert!(
        harness.query_by_label("Dark theme").is_some(),
        "the toggle flipped"
    );
    harness.get_by_label("Explorer").click();
    harness.state_mut().apply_action(Action::SetPace(200));
    harness.run_steps(2);

    let saved = harness.state().settings();
    let text = serde_json::to_string(&saved).unwrap_or_else(|e| panic!("{e}"));
    let restored: ganscope::ui::settings::Settings =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(restored.preset.as_deref(), Some("ring8-mlp"));
    assert_eq!(restored.device, DeviceChoice::Cpu);
    assert!(restored.light_theme && restored.pace_ms == 200);
    assert!(restored.plots.log_losses, "the log scale is remembered");
    assert_eq!(
        restored.plots.smoothing, 0.6,
        "TensorBoard's default smoothing"
    );

    let library = PresetLibrary::load_dir(&presets_dir());
    let mut next = GanscopeApp::new(engine::spawn(|| {}), library.presets, Vec::new(), None);
    next.restore(restored, false);
    assert_eq!(
        next.settings(),
        saved,
        "the next session starts where this one ended"
    );
}

/// A session that trained on a remote device without remembering the token comes back on
/// Auto with the Remote... window open, its address filled in and the reason said (it came
/// back on Auto without a word).
#[test]
fn a_remote_device_without_its_token_is_asked_for_after_a_restart() {
    let mut settings = ganscope::ui::settings::Settings {
        preset: Some("ring8-mlp".into()),
        ..Default::default()
    };
    settings.device = DeviceChoice::Remote;
    settings.remote_address = "ws://127.0.0.1:4700".into();
    settings.remote_token = None;
    let library = PresetLibrary::load_dir(&presets_dir());
    let mut app = GanscopeApp::new(engine::spawn(|| {}), library.presets, Vec::new(), None);
    app.restore(settings, false);
    assert_eq!(app.settings().device, DeviceChoice::Auto);
    let mut harness = harness_of(app);
    harness.run_steps(3);
    assert!(
        harness
            .query_by_label_contains(
                "The last session trained on the remote device at ws://127.0.0.1:4700"
            )
            .is_some(),
        "the window says why it opened"
    );
    harness.get_by_label("Cancel").click();
    harness.run_steps(2);
    assert!(
        harness
            .query_by_label_contains("The last session")
            .is_none()
    );
    assert_eq!(harness.state().settings().device, DeviceChoice::Auto);
}

/// A restart on a conditional preset: the app starts on its default preset and the restored
/// one loads next; the grid shown is the conditional run's, one row per class (an 8×8 grid
/// of the first preset was shown under the conditional run's class labels).
#[test]
fn a_conditional_preset_restored_at_start_shows_its_own_grid() {
    let settings = ganscope::ui::settings::Settings {
        preset: Some("digits-cgan-low".into()),
        device: DeviceChoice::Cpu,
        ..Default::default()
    };
    let library = PresetLibrary::load_dir(&presets_dir());
    let mut app = GanscopeApp::new_on(
        engine::spawn(|| {}),
        library.presets,
        Vec::new(),
        None,
        DeviceChoice::Cpu,
    );
    app.restore(settings, false);
    let mut harness = harness_of(app);
    step_until(&mut harness, |app| {
        app.run_state()
            .info
            .as_ref()
            .is_some_and(|i| i.preset == "digits-cgan-low")
            && app.run_state().samples.is_some()
    });
    // Whatever arrives late must not replace it: give stragglers time.
    for _ in 0..20 {
        std::thread::sleep(Duration::from_millis(20));
        harness.step();
    }
    let Some((
        _,
        ganscope::protocol::SampleView::Grid {
            columns,
            tiles,
            meaning,
            ..
        },
    )) = &harness.state().run_state().samples
    else {
        panic!("a grid of samples")
    };
    assert_eq!(
        (*columns, *tiles, *meaning),
        (10, 100, ganscope::protocol::Tiles::SeedsByClass)
    );
}

#[test]
fn exports_write_csv_and_a_forward_looping_gif() {
    use ganscope::imaging::{self, Playback};
    use ganscope::ui::export::Export;
    use image::AnimationDecoder;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let frames: Vec<_> = (0..3)
        .map(|i| imaging::to_rgba(&[i as f32 / 3.0; 16], 1, 4))
        .collect();
    let gif = dir.path().join("evolution.gif");
    let jobs = ganscope::ui::jobs::Jobs::default();
    let job = jobs.start("Saving evolution.gif");
    Export::Gif {
        frames,
        frame_ms: 100,
        playback: Playback::Forward,
        name: "evolution.gif".into(),
    }
    .write(&gif, &job)
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(job.fraction(), 1.0, "the job's bar reached the end");
    let file = std::fs::File::open(&gif).unwrap_or_else(|e| panic!("{e}"));
    let decoded = image::codecs::gif::GifDecoder::new(std::io::BufReader::new(file))
        .and_then(|d| d.into_frames().collect_frames())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(decoded.len(), 3, "forward only");
    let csv = dir.path().join("metrics.csv");
    Export::Csv {
        text: "step,g_loss\n1,0.5\n".into(),
        name: "metrics.csv".into(),
    }
    .write(&csv, &job)
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap_or_default(),
        "step,g_loss\n1,0.5\n"
    );
}

#[test]
fn the_balance_panel_changes_the_loss_live_and_the_plots_mark_it() {
    let mut harness = harness("ring8-mlp");
    step_until(&mut harness, |app| app.run_state().info.is_some());
    harness.get_by_label("Step once").click();
    step_until(&mut harness, |app| app.run_state().step == 1);
    harness.get_by_label("Balance (live)").click();
    harness.run_steps(2);
    assert!(
        harness.query_by_label("Apply").is_some(),
        "the panel opened with its Apply button"
    );
    harness
        .get_by_role_and_label(egui::accesskit::Role::ComboBox, "Loss")
        .click();
    harness.run_steps(2);
    harness.get_by_label("hinge").click();
    harness.run_steps(2);
    harness.get_by_label("Apply").click();
    step_until(&mut harness, |app| {
        app.run_state()
            .info
            .as_ref()
            .is_some_and(|i| i.balance.loss == ganscope::preset::LossKind::Hinge)
    });
    let events = &harness.state().run_state().events;
    assert!(
        events
            .iter()
            .any(|e| e.kind == ganscope::runs::EventKind::Change && e.step == 1),
        "the change is logged at step 1 (a marker on the plots): {events:?}"
    );
}

#[test]
fn a_stroke_on_the_pix2pix_canvas_is_translated_and_the_latent_controls_are_gone() {
    let mut harness = harness("shapes-pix2pix");
    harness.get_by_label("Explorer").click();
    step_until(&mut harness, |app| app.explorer().main_image().is_some());
    assert!(!harness.state().explorer().has_latent_controls());
    assert!(
        harness
            .query_by_role_and_label(egui::accesskit::Role::Slider, "z0")
            .is_none(),
        "no z sliders for a G without a latent"
    );
    assert!(harness.query_by_label("Compute directions").is_none());
    let before = harness.state().explorer().main_image().cloned();
    let blank = harness
        .state()
        .explorer()
        .canvas()
        .map(|c| c.source().to_vec())
        .unwrap_or_default();

    // A stroke across the canvas with the mouse.
    let rect = harness.get_by_label("canvas A").rect();
    let from = rect.left_top() + rect.size() * 0.3;
    let to = rect.left_top() + rect.size() * 0.7;
    let button = |pos, pressed| egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: egui::Modifiers::NONE,
    };
    harness.event(egui::Event::PointerMoved(from));
    harness.event(button(from, true));
    harness.step();
    for i in 1..=8 {
        let at = from + (to - from) * (i as f32 / 8.0);
        harness.event(egui::Event::PointerMoved(at));
        harness.step();
    }
    harness.event(button(to, false));
    harness.step();
    let drawn = harness
        .state()
        .explorer()
        .canvas()
        .map(|c| c.source().to_vec())
        .unwrap_or_default();
    assert_ne!(drawn, blank, "the stroke painted A");
    step_until(&mut harness, |app| {
        app.explorer().main_image().cloned() != before
    });
    assert!(
        !harness.state().explorer().latency_log().is_empty(),
        "the stroke was timed to its translation on screen"
    );
}
