//! A run is a function of its preset: weights drawn under the seed even when other models are
//! built at the same time, and seeded CPU runs of the shipped presets reproduce the metrics
//! recorded in `tests/golden/` bit for bit (the check that a refactor of the engine moved
//! nothing). `GANSCOPE_BLESS=1` records them again, after a change that is meant to change
//! training.

use super::common::preset;
use ganscope::engine::{Trainer, device};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[test]
fn runs_built_at_the_same_time_from_one_seed_start_from_the_same_weights() {
    let builds: Vec<_> = (0..6)
        .map(|i| {
            std::thread::spawn(move || {
                let name = if i % 2 == 0 {
                    "digits-dcgan"
                } else {
                    "ring8-mlp"
                };
                (name, Trainer::new(&preset(name), &device::cpu()))
            })
        })
        .collect();
    // The builds ran at once; what they built is compared one after another.
    let mut outputs: BTreeMap<&str, Vec<Vec<f32>>> = BTreeMap::new();
    for build in builds {
        let (name, trainer) = build.join().unwrap_or_else(|_| panic!("a build panicked"));
        outputs.entry(name).or_default().push(trainer.generate(4));
    }
    for (name, samples) in outputs {
        assert!(
            samples.windows(2).all(|w| w[0] == w[1]),
            "{name}: runs of one seed built concurrently differ"
        );
    }
}

/// Presets whose seeded CPU runs are recorded, and how many steps.
const GOLDEN: [(&str, usize); 4] = [
    ("ring8-mlp", 300),
    ("digits-dcgan", 12),
    ("digits-cgan", 12),
    ("digits-wgan-gp", 12),
];

/// Every step's metrics but the wall-clock time, in the shortest form that reads back exactly.
fn record(name: &str, steps: usize) -> String {
    let mut trainer = Trainer::new(&preset(name), &device::cpu());
    (0..steps)
        .map(|_| {
            let m = trainer.step().unwrap_or_else(|e| panic!("{name}: {e}"));
            format!(
                "{} {:?} {:?} {:?} {:?} {:?} {:?}\n",
                m.step, m.g_loss, m.d_loss, m.d_real, m.d_fake, m.g_grad_norm, m.d_grad_norm
            )
        })
        .collect()
}

#[test]
fn seeded_runs_reproduce_their_recorded_metrics_bit_for_bit() {
    let bless = std::env::var_os("GANSCOPE_BLESS").is_some();
    for (name, steps) in GOLDEN {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(format!("{name}.txt"));
        let got = record(name, steps);
        if bless {
            std::fs::write(&path, &got).unwrap_or_else(|e| panic!("{e}"));
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!("{}: {e} (record it with GANSCOPE_BLESS=1)", path.display())
        });
        let first_difference = want
            .lines()
            .zip(got.lines())
            .find(|(w, g)| w != g)
            .map(|(w, g)| format!("recorded: {w}\n     now: {g}"));
        assert!(
            first_difference.is_none() && want.lines().count() == got.lines().count(),
            "{name} no longer reproduces its recorded run:\n{}",
            first_difference.unwrap_or_default()
        );
    }
}
