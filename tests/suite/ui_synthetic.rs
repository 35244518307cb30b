//! The explorer's "Synthetic set" form in the real app (egui_kittest): a conditional run's
//! set written into the folder the dialog answers, with a progress bar, then its outcome on
//! the status line; the set reads back with every class.

use super::ui::{harness, step_until};
use egui_kittest::kittest::Queryable;
use ganscope::data::files;
use std::sync::Arc;

/// The explorer tab with its Synthetic set form opened.
fn open_the_form(harness: &mut egui_kittest::Harness<'static, ganscope::ui::GanscopeApp>) {
    harness.get_by_label("Explorer").click();
    harness.run_steps(3);
    harness.get_by_label("Synthetic set").click();
    for _ in 0..60 {
        if harness.query_by_label("Write...").is_some() {
            break;
        }
        harness.step();
    }
}

#[test]
fn the_explorer_writes_a_synthetic_set_from_a_conditional_run() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let folder = dir.path().to_path_buf();
    let mut harness = harness("digits-cgan");
    harness
        .state_mut()
        .set_file_dialogs(Arc::new(move |_| Some(folder.clone())), None);
    step_until(&mut harness, |app| app.run_state().info.is_some());
    harness.get_by_label("Step once").click();
    step_until(&mut harness, |app| app.run_state().step == 1);
    open_the_form(&mut harness);
    harness.get_by_label("Write...").click();
    let dest = dir.path().join("digits-cgan-synthetic-100");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !dest.join("classes.txt").is_file() {
        assert!(
            std::time::Instant::now() < deadline,
            "the set was never written"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
        harness.step();
    }
    harness.run_steps(5);
    assert!(
        harness
            .query_by_label_contains("wrote 1000 synthetic images")
            .is_some(),
        "the outcome is on the status line"
    );
    let set = files::load(&dest.join("images"), 32, 1).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(super::synthetic::counts(&set, 10), vec![100; 10]);
}

#[test]
fn an_unconditional_run_offers_the_set_labelled_by_the_reference_classifier() {
    let mut harness = harness("digits-dcgan");
    step_until(&mut harness, |app| app.run_state().info.is_some());
    open_the_form(&mut harness);
    assert!(harness.query_by_label("Min. confidence").is_some());
    assert!(
        harness
            .query_by_label_contains("labelled by the data set's reference classifier")
            .is_some()
    );
}
