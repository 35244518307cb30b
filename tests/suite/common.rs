//! Helpers shared by the integration tests.

use ganscope::preset::Preset;
use ganscope::preset::library::PresetLibrary;
use std::path::Path;

/// The shipped presets folder.
pub fn presets_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("presets")
}

/// A shipped preset by name.
pub fn preset(name: &str) -> Preset {
    let library = PresetLibrary::load_dir(&presets_dir());
    library
        .get(name)
        .unwrap_or_else(|| panic!("shipped preset {name} is missing"))
        .clone()
}

/// The presets of the game's variants (losses, penalties, stabilisers, conditioning).
pub const VARIANT_PRESETS: [&str; 6] = [
    "ring8-wgan-gp",
    "grid25-pacgan",
    "digits-wgan-gp",
    "digits-hinge-sn",
    "digits-cgan",
    "shapes-cgan",
];

/// Train `p` for `before` steps, checkpoint, train `after` more; then resume a fresh trainer
/// from the checkpoint and train `after` steps: the two continuations must be identical,
/// step by step (step, losses, D(x), D(G(z)), G's terms, a growing model's stage).
pub fn assert_resumes_exactly(p: &Preset, before: usize, after: usize) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    resumed_exactly(p, dir.path(), before, after);
}

/// [`assert_resumes_exactly`] with the checkpoint written into the run folder `run`; returns
/// the resumed trainer.
pub fn resumed_exactly(
    p: &Preset,
    run: &std::path::Path,
    before: usize,
    after: usize,
) -> ganscope::engine::Trainer {
    use ganscope::engine::trainer::checkpoint;
    use ganscope::engine::{Trainer, device};
    let cpu = device::cpu();
    let steps = |t: &mut Trainer, n: usize| -> Vec<String> {
        (0..n)
            .map(|_| {
                let m = t.step().unwrap_or_else(|e| panic!("{e}"));
                format!(
                    "{} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
                    m.step, m.g_loss, m.d_loss, m.d_real, m.d_fake, m.terms, m.level, m.alpha
                )
            })
            .collect()
    };
    let mut straight = Trainer::new(p, &cpu);
    steps(&mut straight, before);
    straight
        .save_checkpoint(run)
        .unwrap_or_else(|e| panic!("{e}"));
    let continued = steps(&mut straight, after);
    let mut resumed = Trainer::new(p, &cpu);
    resumed
        .load_checkpoint(&checkpoint::resolve(run).unwrap_or_else(|e| panic!("{e}")))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(steps(&mut resumed, after), continued, "bit for bit");
    resumed
}

/// The `ganscope` binary, run from the source tree.
pub fn ganscope() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ganscope"));
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

/// A run folder `ganscope train` wrote in `dir`: the shipped preset `name` on 16-px digits,
/// batch 10, trained `steps` steps.
pub fn trained_16px_run(dir: &Path, name: &str, steps: u64) -> std::path::PathBuf {
    let mut p = preset(name);
    p.dataset = ganscope::preset::DatasetSpec::Digits { size: 16 };
    p.train.batch_size = 10;
    let file = dir.join(format!("{name}-16.toml"));
    std::fs::write(&file, toml::to_string(&p).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    let run = dir.join(format!("{name}-run"));
    let trained = ganscope()
        .args([
            "train",
            "--device",
            "cpu",
            "--steps",
            &steps.to_string(),
            "--preset",
        ])
        .arg(&file)
        .arg("--out")
        .arg(&run)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        trained.status.success(),
        "{}",
        String::from_utf8_lossy(&trained.stderr)
    );
    run
}
