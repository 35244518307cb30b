//! A run is a function of its preset: weights drawn under the seed even when other models are
//! built at the same time, and seeded CPU runs of the shipped presets reproduce the metrics
//! recorded in `tests/golden/` bit for bit (the check that a refactor of the engine moved
//! nothing). `GANSCOPE_BLESS=1` records them again, after a change that is meant to change
//! training.

use super::common::preset;
use ganscope::engine::{Trainer, device};
use ganscope::kernels::isa::Arithmetic;
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

/// The metrics a golden line holds after its step, in order.
const COLUMNS: [&str; 6] = [
    "g_loss",
    "d_loss",
    "d_real",
    "d_fake",
    "g_grad_norm",
    "d_grad_norm",
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

/// A golden file: the arithmetic it was recorded with (its `# arithmetic:` line) and its
/// metric lines.
fn parse(text: &str) -> (Option<Arithmetic>, Vec<&str>) {
    let recorded_with = text
        .lines()
        .find_map(|l| l.strip_prefix("# arithmetic:"))
        .and_then(Arithmetic::from_line);
    let lines = text.lines().filter(|l| !l.starts_with('#')).collect();
    (recorded_with, lines)
}

/// What moved between two metric lines of one step: each column that differs with both
/// values and their relative difference, then the columns that agree.
fn what_moved(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.split(' ').collect(), got.split(' ').collect());
    let mut moved = Vec::new();
    let mut same = Vec::new();
    for (i, column) in COLUMNS.iter().enumerate() {
        let (a, b) = (w.get(i + 1).copied(), g.get(i + 1).copied());
        if a == b {
            same.push(*column);
            continue;
        }
        let parse = |v: Option<&str>| v.and_then(|v| v.parse::<f64>().ok());
        let relative = match (parse(a), parse(b)) {
            (Some(a), Some(b)) => format!(" ({:.1e} relative)", (b - a).abs() / a.abs().max(1e-30)),
            _ => String::new(),
        };
        moved.push(format!(
            "{column} {} → {}{relative}",
            a.unwrap_or("?"),
            b.unwrap_or("?")
        ));
    }
    format!(
        "step {}: moved {}; unchanged: {}",
        w.first().copied().unwrap_or("?"),
        if moved.is_empty() {
            "nothing but the step".to_string()
        } else {
            moved.join(", ")
        },
        if same.is_empty() {
            "none".to_string()
        } else {
            same.join(" ")
        }
    )
}

/// Whether this host computes as the recording one did, in words.
fn host_versus(recorded_with: Option<&Arithmetic>) -> String {
    let host = Arithmetic::host();
    match recorded_with {
        None => format!(
            "recorded with: (not said)\n   this host: {host}\n(record it again with \
             GANSCOPE_BLESS=1 to keep the arithmetic in the file)"
        ),
        Some(recorded) => {
            let moved = recorded.differences(&host);
            let verdict = if moved.is_empty() {
                "this host's arithmetic matches the recording's: the code changed, not the CPU"
                    .to_string()
            } else {
                format!(
                    "this host differs from the recording one in {}",
                    moved.join("; ")
                )
            };
            format!("recorded with: {recorded}\n   this host: {host}\n{verdict}")
        }
    }
}

#[test]
fn seeded_runs_reproduce_their_recorded_metrics_bit_for_bit() {
    let bless = std::env::var_os("GANSCOPE_BLESS").is_some();
    let mut failures = Vec::new();
    // The emulated-CPU check in CI replays the first few steps only (an emulator runs the
    // step some fifty times slower); the step that moved in issue 37 was the second.
    let only: Option<usize> = std::env::var("GANSCOPE_GOLDEN_STEPS")
        .ok()
        .and_then(|n| n.parse().ok());
    for (name, steps) in GOLDEN {
        let steps = only.map_or(steps, |n| n.min(steps));
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(format!("{name}.txt"));
        let got = record(name, steps);
        if bless {
            assert!(
                only.is_none(),
                "record whole runs: unset GANSCOPE_GOLDEN_STEPS"
            );
            let header = format!(
                "# arithmetic: {}\n# step {}\n",
                Arithmetic::host(),
                COLUMNS.join(" ")
            );
            std::fs::write(&path, header + &got).unwrap_or_else(|e| panic!("{e}"));
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!("{}: {e} (record it with GANSCOPE_BLESS=1)", path.display())
        });
        let (recorded_with, mut want) = parse(&text);
        want.truncate(steps);
        let got: Vec<&str> = got.lines().collect();
        let first_difference = want
            .iter()
            .zip(&got)
            .find(|(w, g)| w != g)
            .map(|(w, g)| format!("recorded: {w}\n     now: {g}\n{}", what_moved(w, g)));
        let counts = (want.len() != got.len())
            .then(|| format!("{} steps recorded, {} run", want.len(), got.len()));
        if let Some(what) = first_difference.or(counts) {
            failures.push(format!(
                "{name} no longer reproduces its recorded run:\n{what}\n{}",
                host_versus(recorded_with.as_ref())
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_moved_metric_is_named_with_its_values() {
    let text = what_moved(
        "2 1.0325246 1.172085 0.6777322 0.51422083 12.214474 13.050609",
        "2 1.0325246 1.172085 0.6777322 0.51422083 12.214334 13.050608",
    );
    assert!(
        text.starts_with("step 2: moved g_grad_norm 12.214474 → 12.214334 (1.1e-5 relative)"),
        "{text}"
    );
    assert!(text.contains("d_grad_norm 13.050609 → 13.050608"), "{text}");
    assert!(
        text.ends_with("unchanged: g_loss d_loss d_real d_fake"),
        "{text}"
    );
    let other = Arithmetic {
        vectors: "V4".into(),
        ..Arithmetic::host()
    };
    let said = host_versus(Some(&other));
    assert!(
        said.contains("differs from the recording one in vectors: V4 → "),
        "{said}"
    );
    let said = host_versus(Some(&Arithmetic::host()));
    assert!(said.contains("the code changed, not the CPU"), "{said}");
}
