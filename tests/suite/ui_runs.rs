//! Run folders in the real app, headless: a recorded run is saved with Ctrl+S, a run from
//! disk opens beside the live one in the comparison plots and follows its folder as it grows,
//! and the scrubber shows any saved sample grid with a cursor on the plots.

use super::common::preset;
use super::ui::{harness, step_until};
use egui_kittest::kittest::Queryable;
use ganscope::cli::train;
use ganscope::protocol::DeviceChoice;
use ganscope::runs;
use ganscope::ui::settings::Recording;

/// The app on `ring8-mlp`, recording into `runs_folder` (no periodic checkpoints), after one
/// step; and the run's folder.
pub fn recorded_one_step(
    runs_folder: &std::path::Path,
) -> (
    egui_kittest::Harness<'static, ganscope::ui::GanscopeApp>,
    std::path::PathBuf,
) {
    let mut harness = harness("ring8-mlp");
    harness.state_mut().set_recording(Recording {
        runs_folder: runs_folder.to_path_buf(),
        enabled: true,
        checkpoint_every: 0,
    });
    step_until(&mut harness, |app| app.run_state().info.is_some());
    harness.get_by_label("Step once").click();
    step_until(&mut harness, |app| app.run_state().step == 1);
    let folder = harness
        .state()
        .run_state()
        .folder
        .clone()
        .unwrap_or_else(|| panic!("the run is recorded"));
    (harness, folder)
}

#[test]
fn the_app_records_its_run_and_saves_a_checkpoint_on_ctrl_s() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (mut harness, folder) = recorded_one_step(dir.path());
    assert!(folder.starts_with(dir.path()));
    assert!(
        harness.query_by_label_contains("Recording to").is_some(),
        "the side panel says where"
    );
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    step_until(&mut harness, |app| {
        app.run_state()
            .messages
            .iter()
            .any(|m| m.text.contains("saved the checkpoint of step 1"))
    });
    assert!(
        runs::checkpoint_path(&folder, 1)
            .join("generator.bpk")
            .is_file()
    );
}

#[test]
fn an_opened_run_is_compared_followed_and_scrubbed() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = dir.path().join("ring-run");
    let ring = preset("ring8-mlp");
    train::run(&ring, 120, DeviceChoice::Cpu, &run).unwrap_or_else(|e| panic!("{e}"));
    let mut harness = harness("ring8-mlp");
    harness.state_mut().open_runs([run.clone()]);
    step_until(&mut harness, |app| {
        app.runs()
            .opened
            .first()
            .is_some_and(|r| r.curves.len() == 120)
    });
    assert_eq!(
        harness.state().runs().opened[0].samples,
        vec![0, 25, 50, 75, 100, 120]
    );
    assert_eq!(
        harness
            .state()
            .runs()
            .plotted(harness.state().run_state())
            .len(),
        2,
        "the live run and the opened one share the plots"
    );
    assert!(
        harness
            .query_by_label_contains("Compared runs (1 opened)")
            .is_some()
    );

    // The opened run is the scrubber's source: its newest grid shows, then any other.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while harness
        .query_by_label("Saved samples of step 120")
        .is_none()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the newest grid never showed"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
        harness.step();
    }
    harness.state_mut().runs_mut().scrubber_mut().seek(4);
    harness.run_steps(2);
    let cursor = harness.state().runs().cursor(harness.state().run_state());
    assert_eq!(cursor, Some(100), "the plots' cursor follows the scrubber");
    assert!(
        harness
            .query_by_label("Saved samples of step 100")
            .is_some()
    );

    // The run grows on disk (another process resumes it): the app follows.
    let resume = train::Checkpointing {
        resume: Some(runs::checkpoint_path(&run, 120)),
        ..train::Checkpointing::default()
    };
    train::run_with(&ring, 30, DeviceChoice::Cpu, &run, &resume).unwrap_or_else(|e| panic!("{e}"));
    step_until(&mut harness, |app| app.runs().opened[0].curves.len() == 150);
    let steps = runs::sample_steps(&run);
    assert_eq!(steps, vec![0, 25, 50, 75, 100, 120, 125, 150]);
    step_until(&mut harness, |app| app.runs().opened[0].samples == steps);

    // Fork it from its last checkpoint: the live run continues it in a new folder, with its
    // history on the curves.
    let forks = dir.path().join("forks");
    harness.state_mut().set_recording(Recording {
        runs_folder: forks.clone(),
        enabled: true,
        checkpoint_every: 0,
    });
    step_until(&mut harness, |app| {
        app.runs().opened[0].checkpoints == [120, 150]
    });
    harness.get_by_label("Fork").click();
    harness.run_steps(2);
    harness.get_by_label("from step 150").click();
    step_until(&mut harness, |app| {
        app.run_state().folder.is_some() && app.run_state().curves.len() == 150
    });
    let live = harness.state().run_state();
    assert_eq!(live.step, 150);
    let folder = live.folder.clone().unwrap_or_default();
    assert!(folder.starts_with(&forks), "the fork has its own folder");
    harness.get_by_label("Step once").click();
    step_until(&mut harness, |app| app.run_state().step == 151);
}

#[test]
fn a_tile_of_a_conditional_grid_picks_its_seed_and_its_class() {
    use ganscope::ui::controls::Action;
    use ganscope::ui::samples::Pick;
    let mut harness = harness("digits-cgan");
    step_until(&mut harness, |app| app.run_state().samples.is_some());
    // Ten columns per row: tile 23 is seed 3 of class 2.
    harness.state_mut().apply_action(Action::Pick(Pick {
        tile: 23,
        secondary: false,
    }));
    harness.run_steps(2);
    let explorer = harness.state().explorer();
    assert_eq!(explorer.class(), Some(2));
    assert_eq!(
        explorer.z().unwrap_or_default(),
        ganscope::latent::from_seed(3, 64)
    );
}

#[test]
fn the_scrubber_lists_exactly_the_grids_the_recording_kept() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (mut harness, folder) = recorded_one_step(dir.path());
    // Fast steps show far more grids than the recording keeps (at most one a second).
    harness.get_by_label("Resume").click();
    step_until(&mut harness, |app| app.run_state().step >= 600);
    harness.get_by_label("Pause").click();
    step_until(&mut harness, |app| !app.run_state().running);
    harness.run_steps(3);
    let state = harness.state().run_state();
    let listed = state.saved_samples.clone();
    let paused_at = state.step;
    step_until(&mut harness, |_| {
        runs::sample_path(&folder, paused_at).is_file()
    });
    assert_eq!(listed, runs::sample_steps(&folder), "listed = on disk");
    assert_eq!(listed.last(), Some(&paused_at), "the pause's grid is kept");
    assert!(
        listed.len() < (paused_at / 25) as usize,
        "fewer grids than one every 25 steps: {listed:?}"
    );
}
