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
    assert_eq!(saved, ganscope::runs::checkpoint_path(dir.path(), 40));
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
    assert_eq!(ganscope::runs::checkpoints(dir.path()).len(), 2);
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

/// (step, losses) of every line of a run's metrics.jsonl.
fn logged(run: &std::path::Path) -> Vec<(u64, f64, f64)> {
    std::fs::read_to_string(run.join("metrics.jsonl"))
        .unwrap_or_else(|e| panic!("{e}"))
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}"));
            let f = |k: &str| v[k].as_f64().unwrap_or(f64::NAN);
            (v["step"].as_u64().unwrap_or(0), f("g_loss"), f("d_loss"))
        })
        .collect()
}

#[test]
fn train_resumes_in_place_and_forks_into_another_folder() {
    use ganscope::cli::train::{self, Checkpointing};
    use ganscope::protocol::DeviceChoice;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = dir.path().join("run");
    let preset = preset("ring8-mlp");
    let every = Checkpointing {
        every: Some(10),
        ..Checkpointing::default()
    };
    train::run_with(&preset, 30, DeviceChoice::Cpu, &run, &every).unwrap_or_else(|e| panic!("{e}"));
    let steps: Vec<u64> = ganscope::runs::checkpoints(&run)
        .iter()
        .map(|(s, _)| *s)
        .collect();
    assert_eq!(steps, vec![10, 20, 30]);
    // A checkpoint folder is a generator source like the run folder.
    let csv = dir.path().join("points.csv");
    let source =
        ganscope::cli::sample::Source::Checkpoint(ganscope::runs::checkpoint_path(&run, 20));
    ganscope::cli::sample::run(source, 50, DeviceChoice::Cpu, &csv)
        .unwrap_or_else(|e| panic!("{e}"));
    let original = logged(&run);

    let from_20 = Checkpointing {
        every: None,
        resume: Some(ganscope::runs::checkpoint_path(&run, 20)),
        cancel: None,
        seconds: None,
    };
    train::run_with(&preset, 10, DeviceChoice::Cpu, &run, &from_20)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        logged(&run),
        original,
        "the same curves, steps 21-30 recomputed exactly"
    );

    let mut faster = preset.clone();
    faster.train.lr_g *= 2.0;
    let fork = dir.path().join("fork");
    let from_10 = Checkpointing {
        every: None,
        resume: Some(ganscope::runs::checkpoint_path(&run, 10)),
        cancel: None,
        seconds: None,
    };
    train::run_with(&faster, 5, DeviceChoice::Cpu, &fork, &from_10)
        .unwrap_or_else(|e| panic!("{e}"));
    let forked = logged(&fork);
    assert_eq!(forked.len(), 15);
    assert_eq!(
        forked[..10],
        original[..10],
        "the fork starts with the history"
    );
    // Step 11's losses come before its G update; the new rate shows from step 12.
    assert_eq!(forked[10], original[10]);
    assert_ne!(
        forked[11], original[11],
        "and continues with the new learning rate"
    );
}

#[test]
fn a_checkpoint_written_before_tasks_existed_still_resumes() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let cpu = device::cpu();
    let preset = preset("digits-dcgan");
    let mut trainer = Trainer::new(&preset, &cpu);
    steps(&mut trainer, 2);
    let saved = trainer
        .save_checkpoint(dir.path())
        .unwrap_or_else(|e| panic!("{e}"));
    // Before tasks, a preset had no [task] section and a metrics line no "terms".
    let file = saved.join("preset.toml");
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{e}"));
    let old = text.replace("[task]\nkind = \"generate\"\n", "");
    assert_ne!(old, text, "the new form names its task");
    std::fs::write(&file, old).unwrap_or_else(|e| panic!("{e}"));
    let old_preset = checkpoint::preset_of(&saved).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(old_preset, preset, "the task defaults to generate");
    let mut resumed = Trainer::new(&old_preset, &cpu);
    resumed
        .load_checkpoint(&saved)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(steps(&mut resumed, 2), steps(&mut trainer, 2));
    let line = r#"{"step":1,"g_loss":0.7,"d_loss":1.3,"d_real":0.5,"d_fake":0.5,"g_grad_norm":1.0,"d_grad_norm":1.0,"wall_s":0.1}"#;
    let m: StepMetrics = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}"));
    assert!(m.terms.is_empty());
}

#[test]
fn a_time_budget_stops_training_and_measures_its_last_step() {
    use ganscope::cli::train::{self, Checkpointing};
    use ganscope::protocol::DeviceChoice;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = dir.path().join("run");
    let budget = Checkpointing {
        seconds: Some(1e-9),
        ..Checkpointing::default()
    };
    train::run_with(&preset("ring8-mlp"), 500, DeviceChoice::Cpu, &run, &budget)
        .unwrap_or_else(|e| panic!("{e}"));
    let text = std::fs::read_to_string(run.join(ganscope::runs::METRICS)).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "one step trains past a budget of a nanosecond"
    );
    assert!(lines[0].contains("\"diagnostics\""), "{}", lines[0]);
    let steps: Vec<u64> = ganscope::runs::checkpoints(&run)
        .iter()
        .map(|(s, _)| *s)
        .collect();
    assert_eq!(steps, vec![1], "a checkpoint at the step it stopped");
}
