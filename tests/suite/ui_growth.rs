//! The real app headless (egui_kittest) on a growing run and on a ViT discriminator: the
//! sample grid's caption names the stage once a level fades in, and the Modes & balance tab
//! shows where the ViT's class token looks, per head, for the sample picked.

use super::ui::step_until;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use ganscope::preset::{DatasetSpec, GrowthSpec, ModelSpec, Preset};
use ganscope::ui::GanscopeApp;

/// The app with `preset` alone in its list, loaded on the CPU.
fn harness_on(preset: Preset) -> Harness<'static, GanscopeApp> {
    let name = preset.name.clone();
    super::ui::harness_with(vec![preset], &name)
}

/// Click Train until the run trains: the CPU choice reloads the run, and a click that lands
/// before the reload is undone by it.
fn start(harness: &mut Harness<'static, GanscopeApp>) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !harness.state().run_state().running {
        assert!(
            std::time::Instant::now() < deadline,
            "the run never started"
        );
        if harness.state().run_state().info.is_some()
            && let Some(train) = harness.query_by_label("Train")
        {
            train.click();
        }
        for _ in 0..10 {
            std::thread::sleep(std::time::Duration::from_millis(50));
            harness.step();
        }
    }
}

#[test]
fn a_growing_run_names_its_stage_over_the_samples() {
    let mut p = super::common::preset("digits-progan");
    p.name = "growing-ui".into();
    p.dataset = DatasetSpec::Digits { size: 16 };
    if let Some(ModelSpec::Progressive { width, .. }) = &mut p.model {
        *width = 8;
    }
    p.growth = Some(GrowthSpec {
        fade_steps: 4000,
        stable_steps: 20,
    });
    p.train.batch_size = 8;
    p.train.sample_every = 5;
    p.validate().unwrap_or_else(|e| panic!("{e}"));
    let mut harness = harness_on(p);
    start(&mut harness);
    // Level 1 fades in over steps 20..4 020: from step 30 on the grid is at 8 px, fading.
    step_until(&mut harness, |app| app.run_state().step >= 30);
    harness.get_by_label("Pause").click();
    step_until(&mut harness, |app| !app.run_state().running);
    harness.run_steps(3);
    assert!(
        harness
            .query_by_label_contains("8 px, fading in: alpha")
            .is_some(),
        "the caption names the stage"
    );
    assert!(harness.state().run_state().curves.grows());
}

/// `digits-transgan` at 16 px, small: the attention view on Modes & balance, and the
/// balance panel saying its gradient penalty is estimated.
#[test]
fn the_attention_view_shows_each_head_for_the_sample_picked() {
    let mut p = super::common::preset("digits-transgan");
    p.name = "vit-ui".into();
    p.dataset = DatasetSpec::Digits { size: 16 };
    if let Some(ModelSpec::Transformer { depth, dim, .. }) = &mut p.model {
        (*depth, *dim) = (1, 32);
    }
    p.train.batch_size = 8;
    p.train.metrics_every = 3;
    p.validate().unwrap_or_else(|e| panic!("{e}"));
    let mut harness = harness_on(p);
    start(&mut harness);
    step_until(&mut harness, |app| !app.run_state().diagnostics.is_empty());
    harness.get_by_label("Pause").click();
    step_until(&mut harness, |app| !app.run_state().running);
    harness.get_by_label("Modes & balance").click();
    harness.run_steps(3);
    assert!(
        harness.query_by_label_contains("Where D looks").is_some(),
        "the attention view is on the tab"
    );
    harness.get_by_label("real 1").click();
    harness.run_steps(3);
    for head in 0..4 {
        assert!(
            harness
                .query_by_label_contains(&format!("head {head}: top patch"))
                .is_some(),
            "head {head} has its picture and caption"
        );
    }
    // Open the balance panel (its header toggles: click until its Apply button shows), then
    // bring its rows into view (the side panel scrolls).
    for _ in 0..5 {
        if harness.query_by_label("Apply").is_some() {
            break;
        }
        harness.get_by_label("Balance (live)").click();
        harness.run_steps(4);
    }
    for _ in 0..20 {
        if harness
            .query_by_label_contains("(estimated: finite differences)")
            .is_some()
        {
            break;
        }
        harness.get_by_label("Balance (live)").scroll_down();
        harness.run_steps(2);
    }
    assert!(
        harness
            .query_by_label_contains("(estimated: finite differences)")
            .is_some(),
        "the ViT's penalty is labelled estimated (panel open: {}, info: {:?})",
        harness.query_by_label("Apply").is_some(),
        harness
            .state()
            .run_state()
            .info
            .as_ref()
            .map(|i| (i.penalty_estimated, i.balance.penalty))
    );
}
