//! Checkpoints: a round trip keeps the generator bit for bit, a resumed run continues exactly
//! as an uninterrupted one, damaged checkpoints and other architectures are refused.

use super::common::preset;
use ganscope::engine::trainer::checkpoint;
use ganscope::engine::{Trainer, device};
use ganscope::protocol::{SampleView, StepMetrics};

/// Everything of a step's metrics but the wall-clock time.
fn numbers(m: &StepMetrics) -> [f32; 6] {
    [
        m.g_loss,
        m.d_loss,
        m.d_real,
        m.d_fake,
        m.g_grad_norm,
        m.d_grad_norm,
    ]
}

fn steps(trainer: &mut Trainer, n: usize) -> Vec<(u64, [f32; 6])> {
    (0..n)
        .map(|_| {
            let m = trainer.step().unwrap_or_else(|e| panic!("{e}"));
            (m.step, numbers(&m))
        })
        .collect()
}

fn fake_points(view: SampleView) -> Vec<[f32; 2]> {
    match view {
        SampleView::Points { fake, .. } => fake,
        SampleView::Grid { .. } => panic!("a 2-D preset"),
    }
}

#[test]
fn a_resumed_run_continues_exactly_and_the_generator_round_trips() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let preset = preset("ring8-mlp");
    let cpu = device::cpu();
    let mut straight = Trainer::new(&preset, &cpu);
    steps(&mut straight, 40);
    let saved = straight
        .save_checkpoint(dir.path())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(saved, checkpoint::path_for(dir.path(), 40));
    let before = fake_points(straight.samples());
    let continued = steps(&mut straight, 40);

    let mut resumed = Trainer::new(&preset, &cpu);
    resumed
        .load_checkpoint(&checkpoint::resolve(dir.path()).unwrap_or_else(|e| panic!("{e}")))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resumed.steps_done(), 40);
    assert_eq!(
        fake_points(resumed.samples()),
        before,
        "bit-identical G on the fixed z"
    );
    assert_eq!(
        steps(&mut resumed, 40),
        continued,
        "the same 40 steps as straight through"
    );
}

#[test]
fn damaged_checkpoints_and_other_architectures_are_refused() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let preset = preset("ring8-mlp");
    let cpu = device::cpu();
    let mut trainer = Trainer::new(&preset, &cpu);
    steps(&mut trainer, 5);
    let good = trainer
        .save_checkpoint(dir.path())
        .unwrap_or_else(|e| panic!("{e}"));
    steps(&mut trainer, 5);
    let damaged = trainer
        .save_checkpoint(dir.path())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(checkpoint::list(dir.path()).len(), 2);
    let weights = damaged.join("generator.bpk");
    let bytes = std::fs::read(&weights).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&weights, &bytes[..bytes.len() / 2]).unwrap_or_else(|e| panic!("{e}"));

    let mut fresh = Trainer::new(&preset, &cpu);
    let error = fresh.load_checkpoint(&damaged).err().map(|e| e.to_string());
    assert!(
        error
            .as_deref()
            .is_some_and(|e| e.contains("generator.bpk")),
        "names the damaged file: {error:?}"
    );
    fresh
        .load_checkpoint(&good)
        .unwrap_or_else(|e| panic!("the older one still loads: {e}"));
    assert_eq!(fresh.steps_done(), 5);

    let mut other = Trainer::new(&super::common::preset("digits-dcgan"), &cpu);
    let error = other.load_checkpoint(&good).err().map(|e| e.to_string());
    assert!(
        error
            .as_deref()
            .is_some_and(|e| e.contains("different architecture")),
        "{error:?}"
    );
    assert_eq!(other.steps_done(), 0, "nothing was loaded");
}
