//! The augmentation lab tab in the real app (egui_kittest): a conditional run's experiment
//! runs from one click as a job beside training, every arm's result reaches the view with
//! the verdict at its k and the per-class recall; an unconditional run is told why it
//! cannot take one.

use super::ui::{harness, step_until};
use egui_kittest::kittest::Queryable;
use ganscope::ui::controls::Action;

#[test]
fn one_click_runs_the_experiment_and_the_view_reads_it() {
    let mut harness = harness("digits-cgan");
    step_until(&mut harness, |app| app.run_state().info.is_some());
    harness.get_by_label("Step once").click();
    step_until(&mut harness, |app| app.run_state().step == 1);
    harness.get_by_label("Augmentation lab").click();
    harness.run_steps(3);
    {
        let form = &mut harness.state_mut().lab_mut().form;
        form.per_class = "2".into();
        form.seeds = 2;
        form.steps = 3;
    }
    harness.run_steps(2);
    harness.get_by_label("Run experiment").click();
    harness.run_steps(2);
    assert!(harness.state().lab().running(), "the job started");
    // GAN-test, then real, real+classical, four real+gan ratios and GAN only at k = 2.
    step_until(&mut harness, |app| {
        !app.lab().running() && app.lab().results().len() == 8
    });
    harness.run_steps(5);
    let shown: Vec<String> = harness
        .query_all_by_role(egui::accesskit::Role::Label)
        .filter_map(|n| egui_kittest::kittest::NodeT::accesskit_node(&n).label())
        .collect();
    for text in [
        "At k = 2",
        "GAN-test: classifiers trained",
        "k = 2 real images per class",
        "real + GAN ×0.25",
        "Per-class recall",
        "whole data set",
        "augmentation experiment: 8 arms at k = 2",
        "classifier steps per arm, took",
    ] {
        assert!(
            harness.query_all_by_label_contains(text).next().is_some(),
            "'{text}' is shown: {shown:?}"
        );
    }
    let results = harness.state().lab().results();
    assert!(results.iter().all(|r| r.accuracies.len() == 2));
    assert!(results.iter().all(|r| r.recall.len() == 10));
}

#[test]
fn an_unconditional_run_is_told_why_the_lab_cannot_measure_it() {
    let mut harness = harness("ring8-mlp");
    step_until(&mut harness, |app| app.run_state().info.is_some());
    harness.get_by_label("Augmentation lab").click();
    harness.run_steps(3);
    let shown: Vec<String> = harness
        .query_all_by_role(egui::accesskit::Role::Label)
        .filter_map(|n| egui_kittest::kittest::NodeT::accesskit_node(&n).label())
        .collect();
    assert!(
        harness
            .query_by_label_contains("conditional generator of images")
            .is_some(),
        "{shown:?}"
    );
    assert!(harness.query_by_label("Run experiment").is_none());
}

/// The header names the step of the G the experiment measures, the explorer's snapshot, which
/// lags a run that is training; the recorded run's log file carries the same step (they
/// disagreed: the header took the live step when Run was clicked).
#[test]
fn the_header_names_the_step_its_log_file_names_while_the_run_trains() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut harness = harness("digits-cgan");
    harness
        .state_mut()
        .set_recording(ganscope::ui::settings::Recording {
            runs_folder: dir.path().to_path_buf(),
            enabled: true,
            checkpoint_every: 0,
        });
    step_until(&mut harness, |app| app.run_state().info.is_some());
    harness.get_by_label("Augmentation lab").click();
    harness.run_steps(3);
    {
        let form = &mut harness.state_mut().lab_mut().form;
        form.per_class = "2".into();
        form.seeds = 1;
        form.steps = 2;
    }
    harness.state_mut().apply_action(Action::Train);
    // Training, with the explorer's snapshot behind the live step.
    step_until(&mut harness, |app| {
        app.explorer()
            .snapshot_step()
            .is_some_and(|s| s + 1 < app.run_state().step)
    });
    harness.get_by_label("Run experiment").click();
    harness.run_steps(2);
    harness.state_mut().apply_action(Action::Pause);
    step_until(&mut harness, |app| {
        !app.lab().running() && app.lab().results().len() == 8
    });
    harness.run_steps(3);
    let folder = harness
        .state()
        .run_state()
        .folder
        .clone()
        .unwrap_or_else(|| panic!("the run is recorded"));
    let logs: Vec<String> = std::fs::read_dir(folder.join("lab"))
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    let [log] = logs.as_slice() else {
        panic!("one log file: {logs:?}")
    };
    let step: u64 = log
        .strip_prefix("step")
        .and_then(|s| s.strip_suffix(".jsonl"))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("a log named by its step: {log}"));
    assert_eq!(harness.state().lab().measured_step(), Some(step));
    assert!(
        harness
            .query_by_label_contains(&format!("G of step {step}:"))
            .is_some(),
        "the header names step {step}, as {log} does"
    );
}
