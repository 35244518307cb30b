//! The augmentation lab tab in the real app (egui_kittest): a conditional run's experiment
//! runs from one click as a job beside training, every arm's result reaches the view with
//! the verdict at its k and the per-class recall; an unconditional run is told why it
//! cannot take one.

use super::ui::{harness, step_until};
use egui_kittest::kittest::Queryable;

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
