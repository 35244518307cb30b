//! What a new user meets first, headless: file dialogs that cannot open fall back to a path
//! prompt that works, run folders dropped on the window open, compared runs fit their panel,
//! the mouse wheel scrolls the page rather than the plots, and leaving a trained run asks.

use super::common::preset;
use super::ui::{harness, step_until};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use ganscope::cli::train;
use ganscope::protocol::DeviceChoice;
use ganscope::ui::controls::Action;
use ganscope::ui::plot_frame::{self, XAxis};
use ganscope::ui::settings::Recording;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
}

/// A file or folder dropped on the window.
#[derive(Debug)]
pub struct Dropped(pub PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn a_dialog_that_cannot_open_falls_back_to_a_path_that_saves() {
    let dir = tempdir();
    let mut harness = harness("ring8-mlp");
    // The system's dialog comes back empty at once, as rfd does without a desktop portal.
    harness
        .state_mut()
        .set_file_dialogs(Arc::new(|_| None), None);
    step_until(&mut harness, |app| app.run_state().info.is_some());
    harness.get_by_label("Step once").click();
    step_until(&mut harness, |app| app.run_state().curves.len() == 1);
    harness.get_by_label("Metrics").click();
    step_until(&mut harness, |app| app.file_prompt_open());
    harness.run_steps(2);
    assert!(
        harness
            .query_by_label_contains("could not be opened")
            .is_some(),
        "the prompt says why it is there"
    );
    // A folder is refused with the reason; a path in a missing folder is created.
    harness
        .get_by_label("Path")
        .set_text_value_accesskit(&dir.path().display().to_string());
    harness.run_steps(2);
    harness.get_by_label("Save").click();
    harness.run_steps(2);
    assert!(harness.query_by_label_contains("is a folder").is_some());
    let target = dir.path().join("new").join("metrics.csv");
    harness
        .get_by_label("Path")
        .set_text_value_accesskit(&target.display().to_string());
    harness.run_steps(2);
    harness.get_by_label("Save").click();
    step_until(&mut harness, |_| target.is_file());
    let csv = std::fs::read_to_string(&target).unwrap_or_default();
    assert!(csv.starts_with("step,g_loss"), "{csv}");
    step_until(&mut harness, |app| {
        app.run_state()
            .messages
            .iter()
            .any(|m| m.text.starts_with("saved "))
    });
    assert!(!harness.state().file_prompt_open());
    // From now on the prompt comes at once, without trying the dialog again.
    harness.get_by_label("Metrics").click();
    harness.run_steps(2);
    assert!(harness.state().file_prompt_open());
    harness.get_by_label("Cancel").click();
    harness.run_steps(2);
    assert!(!harness.state().file_prompt_open());
}

/// A recorded ring8 run of `steps` steps in `folder`.
fn recorded(folder: &Path, steps: u64) -> PathBuf {
    train::run(&preset("ring8-mlp"), steps, DeviceChoice::Cpu, folder)
        .unwrap_or_else(|e| panic!("{e}"));
    folder.to_path_buf()
}

#[test]
fn open_run_without_dialogs_lists_the_recorded_runs_and_drops_open_runs() {
    let dir = tempdir();
    let runs_folder = dir.path().join("runs");
    let run = recorded(&runs_folder.join("ring-run"), 20);
    let mut harness = harness("ring8-mlp");
    harness.state_mut().set_file_dialogs(
        Arc::new(|_| panic!("no native dialog may be asked for")),
        Some("no desktop portal here".into()),
    );
    harness.state_mut().set_recording(Recording {
        runs_folder: runs_folder.clone(),
        enabled: true,
        checkpoint_every: 0,
    });
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    step_until(&mut harness, |app| app.file_prompt_open());
    harness.run_steps(2);
    assert!(
        harness
            .query_by_label_contains("no desktop portal here")
            .is_some()
    );
    harness.get_by_label("ring-run").click();
    step_until(&mut harness, |app| app.runs().opened.len() == 1);
    assert!(!harness.state().file_prompt_open());

    // A file dropped from inside another run folder opens that run; a stray file is refused.
    let other = recorded(&dir.path().join("other-run"), 10);
    let stray = dir.path().join("stray.txt");
    std::fs::write(&stray, "not a run").unwrap_or_else(|e| panic!("{e}"));
    harness.input_mut().dropped_files.extend(
        [other.join("metrics.jsonl"), stray]
            .map(|p| Arc::new(Dropped(p)) as Arc<dyn egui::DroppedFile + Send + Sync>),
    );
    step_until(&mut harness, |app| app.runs().opened.len() == 2);
    assert!(
        harness
            .state()
            .run_state()
            .messages
            .iter()
            .any(|m| m.text.contains("stray.txt is neither a run folder")),
        "the stray file is refused by name"
    );
    assert!(
        harness
            .state()
            .runs()
            .opened
            .iter()
            .any(|r| r.folder == run)
    );
}

#[test]
fn compared_runs_fit_their_panel() {
    let dir = tempdir();
    let long = "a-run-with-a-name-long-enough-to-fill-a-row-on-its-own";
    let runs = [1, 2].map(|i| recorded(&dir.path().join(format!("{long}-{i}")), 10));
    let mut harness = harness("ring8-mlp");
    harness.set_size(egui::vec2(1000.0, 700.0));
    harness.state_mut().open_runs(runs);
    step_until(&mut harness, |app| app.runs().opened.len() == 2);
    harness.run_steps(3);
    // The samples panel on the right begins where its source picker is.
    let samples_left = harness.get_by_label("Samples of").rect().min.x;
    let closes = harness.get_all_by_label("Close").collect::<Vec<_>>();
    assert_eq!(closes.len(), 2, "one Close per compared run");
    for close in closes {
        assert!(
            close.rect().max.x <= samples_left,
            "a Close button ends at x = {} past the panel's edge at {samples_left}",
            close.rect().max.x
        );
    }
}

#[test]
fn the_wheel_scrolls_the_page_over_a_plot_and_reset_fits_it_again() {
    struct Page {
        plot: Option<egui::Id>,
    }
    let mut harness = Harness::builder().with_size([400.0, 300.0]).build_ui_state(
        |ui, page: &mut Page| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                ui.label("top of the page");
                let plot = egui_plot::Plot::new("wheel-test").height(200.0);
                plot_frame::show(ui, "wheel-test", plot, XAxis::Step, false, |plot| {
                    plot.line(egui_plot::Line::new(
                        "line",
                        egui_plot::PlotPoints::new(vec![[0.0, 0.0], [10.0, 1.0]]),
                    ));
                });
                page.plot = Some(plot_frame::plot_id(ui, "wheel-test"));
                ui.add_space(600.0);
                ui.label("bottom of the page");
            });
        },
        Page { plot: None },
    );
    harness.run_steps(2);
    let top_before = harness.get_by_label("top of the page").rect().min.y;
    let plot_id = harness
        .state()
        .plot
        .unwrap_or_else(|| panic!("the plot drew"));
    let memory = |harness: &Harness<'_, Page>| {
        egui_plot::PlotMemory::load(&harness.ctx, plot_id).unwrap_or_else(|| panic!("memory"))
    };
    let bounds_before = *memory(&harness).bounds();
    harness.hover_at(egui::pos2(200.0, 120.0));
    harness.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: egui::vec2(0.0, -120.0),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Unknown,
        modifiers: egui::Modifiers::NONE,
    });
    harness.run_steps(10);
    let top_after = harness.get_by_label("top of the page").rect().min.y;
    assert!(
        top_after < top_before,
        "the page scrolled ({top_before} → {top_after})"
    );
    assert!(
        memory(&harness).auto_bounds.y,
        "the plot still follows its data"
    );
    assert_eq!(
        *memory(&harness).bounds(),
        bounds_before,
        "the wheel did not pan the plot"
    );

    // A plot the user moved comes back with its reset button.
    let mut moved = memory(&harness);
    moved.auto_bounds = false.into();
    moved.store(&harness.ctx, plot_id);
    harness.run_steps(2);
    harness.get_by_label("reset").scroll_to_me();
    harness.run_steps(10);
    assert!(!memory(&harness).auto_bounds.y, "the plot was moved");
    harness.get_by_label("reset").click();
    harness.run_steps(3);
    assert!(memory(&harness).auto_bounds.x && memory(&harness).auto_bounds.y);
}

#[test]
fn leaving_a_trained_run_asks_first_and_keeps_a_checkpoint() {
    let dir = tempdir();
    let (mut harness, folder) = super::ui_runs::recorded_one_step(dir.path());
    harness.get_by_label("Reset").click();
    // The modal measures itself in its first frame and shows in the next.
    harness.run_steps(4);
    assert!(harness.state().asks_to_leave(), "Reset asks first");
    harness.get_by_label("Cancel").click();
    harness.run_steps(2);
    assert!(!harness.state().asks_to_leave());
    assert_eq!(
        harness.state().run_state().step,
        1,
        "cancelled: nothing happened"
    );
    // The question names where the user is going.
    let presets =
        ganscope::preset::library::PresetLibrary::load_dir(&super::common::presets_dir()).presets;
    let other = presets
        .iter()
        .position(|p| p.name == "digits-cgan")
        .unwrap_or_else(|| panic!("digits-cgan ships"));
    for (action, question) in [
        (
            Action::SelectPreset(other),
            "Leave the run at step 1 and open digits-cgan?",
        ),
        (
            Action::Reset,
            "Leave the run at step 1 and start again from step 0?",
        ),
    ] {
        harness.state_mut().apply_action(action);
        harness.run_steps(4);
        assert!(harness.query_by_label(question).is_some(), "{question}");
        harness.get_by_label("Cancel").click();
        harness.run_steps(2);
    }
    harness.state_mut().apply_action(Action::Reset);
    harness.run_steps(4);
    assert!(
        harness
            .query_by_label_contains("A checkpoint of step 1 is saved")
            .is_some()
    );
    // The modal's own button carries the action's name; the side panel's is behind it.
    let buttons = harness.get_all_by_label("Reset").collect::<Vec<_>>();
    buttons
        .last()
        .unwrap_or_else(|| panic!("the modal's button"))
        .click();
    step_until(&mut harness, |app| app.run_state().step == 0);
    step_until(&mut harness, |_| {
        ganscope::runs::checkpoint_path(&folder, 1)
            .join("generator.bpk")
            .is_file()
    });
}

#[test]
fn a_dropped_image_folder_shows_what_it_holds_and_becomes_a_preset_that_loads() {
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = data.path().join("pets");
    for (class, colour) in [("cats", [200u8, 30, 30]), ("dogs", [30, 200, 30])] {
        std::fs::create_dir_all(root.join(class)).unwrap_or_else(|e| panic!("{e}"));
        for i in 0..3u32 {
            image::RgbImage::from_pixel(24 + i, 24, image::Rgb(colour))
                .save(root.join(class).join(format!("{i}.png")))
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    std::fs::write(root.join("cats/broken.png"), b"no").unwrap_or_else(|e| panic!("{e}"));
    let presets = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut harness = super::ui::harness("ring8-mlp");
    harness
        .state_mut()
        .set_user_presets_dir(presets.path().to_path_buf());
    harness
        .input_mut()
        .dropped_files
        .push(Arc::new(Dropped(root.clone())));
    super::ui::step_until(&mut harness, |app| {
        app.data_import().and_then(|i| i.examined()).is_some()
    });
    harness.run_steps(2);
    assert!(harness.query_by_label("class folders: 6 images").is_some());
    assert!(
        harness
            .query_by_label("2 classes: cats (3), dogs (3)")
            .is_some()
    );
    assert!(harness.query_by_label("1 file skipped").is_some());
    harness.get_by_label("Create preset and load").click();
    super::ui::step_until(&mut harness, |app| {
        app.run_state()
            .info
            .as_ref()
            .is_some_and(|info| info.preset == "pets-dcgan")
    });
    assert!(harness.state().data_import().is_none(), "the window closed");
    let saved = presets.path().join("pets-dcgan.toml");
    let preset = ganscope::preset::Preset::from_file(&saved).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        preset.dataset,
        ganscope::preset::DatasetSpec::Files {
            channels: 3,
            size: 32,
            ..
        }
    ));
}

#[test]
fn continuing_a_run_whose_data_moved_asks_where_it_is_now() {
    use ganscope::data::files::idx;
    let dir = tempdir();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap_or_else(|e| panic!("{e}"));
    let pixels: Vec<u8> = (0..20).flat_map(|i| vec![(i * 12) as u8; 256]).collect();
    std::fs::write(
        data.join("train-images-idx3-ubyte"),
        idx::encode(&[20, 16, 16], &pixels),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut p = preset("digits-dcgan");
    p.name = "moving-data".into();
    p.dataset = ganscope::preset::DatasetSpec::Files {
        path: data.display().to_string(),
        size: 16,
        channels: 1,
        classes: None,
    };
    p.train.batch_size = 8;
    let run = dir.path().join("run");
    train::run(&p, 2, DeviceChoice::Cpu, &run).unwrap_or_else(|e| panic!("{e}"));
    let moved = dir.path().join("moved");
    std::fs::rename(&data, &moved).unwrap_or_else(|e| panic!("{e}"));

    let mut harness = harness("ring8-mlp");
    let answer = moved.clone();
    harness
        .state_mut()
        .set_file_dialogs(Arc::new(move |_| Some(answer.clone())), None);
    let checkpoint =
        ganscope::engine::trainer::checkpoint::resolve(&run).unwrap_or_else(|e| panic!("{e}"));
    harness
        .state_mut()
        .continue_run(ganscope::ui::runs::RunRequest::Continue {
            checkpoint,
            fork: false,
        });
    step_until(&mut harness, |app| {
        let state = app.run_state();
        state
            .info
            .as_ref()
            .is_some_and(|i| i.preset == "moving-data")
            && state.step == 2
    });
    assert!(
        harness
            .state()
            .run_state()
            .messages
            .iter()
            .any(|m| m.text.contains("it continues with the data now at")),
        "the continued run says where its data is now"
    );
}
