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
