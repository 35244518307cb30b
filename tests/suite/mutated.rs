//! Property tests with random and mutated bytes: every reader of a run folder (`preset.toml`,
//! `state.json`, `metrics.jsonl`) answers a damaged file with a clear error or a valid result,
//! never a panic or a hang. Seeded, so a failure reproduces.

use super::common::{preset, presets_dir};
use ganscope::engine::{Trainer, device};
use ganscope::preset::Preset;
use ganscope::runs;
use rand::{Rng, SeedableRng, rngs::StdRng};

/// `bytes` with one to four random edits: flipped bits, inserted or deleted bytes, a cut, or
/// a stretch of random bytes.
fn mutate(bytes: &[u8], rng: &mut StdRng) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for _ in 0..rng.random_range(1..=4) {
        let at = rng.random_range(0..=out.len());
        match rng.random_range(0..5) {
            0 if at < out.len() => out[at] ^= 1 << rng.random_range(0..8),
            1 => out.insert(at, rng.random()),
            2 if at < out.len() => {
                out.remove(at);
            }
            3 => out.truncate(at),
            _ => {
                let noise: Vec<u8> = (0..rng.random_range(1..16)).map(|_| rng.random()).collect();
                out.splice(at..at, noise);
            }
        }
    }
    out
}

#[test]
fn mutated_presets_parse_or_say_why() {
    let mut rng = StdRng::seed_from_u64(11);
    let originals: Vec<Vec<u8>> = ["ring8-mlp", "digits-dcgan", "digits-wgan-gp", "shapes-cgan"]
        .iter()
        .map(|name| {
            std::fs::read(presets_dir().join(format!("{name}.toml")))
                .unwrap_or_else(|e| panic!("{e}"))
        })
        .collect();
    let (mut accepted, mut refused) = (0, 0);
    for i in 0..2000 {
        let bytes = if i % 10 == 0 {
            (0..rng.random_range(0..400))
                .map(|_| rng.random())
                .collect()
        } else {
            mutate(&originals[i % originals.len()], &mut rng)
        };
        let text = String::from_utf8_lossy(&bytes);
        match Preset::from_toml(&text, "mutated.toml") {
            Ok(p) => {
                assert!(p.validate().is_ok(), "an accepted preset is valid");
                accepted += 1;
            }
            Err(e) => {
                assert!(!e.to_string().is_empty());
                refused += 1;
            }
        }
    }
    eprintln!("mutated presets: {accepted} accepted (valid), {refused} refused with a reason");
    assert!(refused > 0);
}

#[test]
fn mutated_checkpoint_states_load_or_say_why() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut trainer = Trainer::new(&preset("ring8-mlp"), &device::cpu());
    trainer.step().unwrap_or_else(|e| panic!("{e}"));
    let saved = trainer
        .save_checkpoint(dir.path())
        .unwrap_or_else(|e| panic!("{e}"));
    let state = saved.join("state.json");
    let original = std::fs::read(&state).unwrap_or_else(|e| panic!("{e}"));
    let mut rng = StdRng::seed_from_u64(12);
    let (mut loaded, mut refused) = (0, 0);
    for _ in 0..300 {
        std::fs::write(&state, mutate(&original, &mut rng)).unwrap_or_else(|e| panic!("{e}"));
        let mut fresh = Trainer::new(&preset("ring8-mlp"), &device::cpu());
        match fresh.load_checkpoint(&saved) {
            Ok(()) => {
                // Only a harmless edit (whitespace, the training time) can load: the step
                // still matches the folder.
                assert_eq!(fresh.steps_done(), 1);
                loaded += 1;
            }
            Err(e) => {
                assert_eq!(fresh.steps_done(), 0, "a refused load changed nothing");
                assert!(!e.to_string().is_empty());
                refused += 1;
            }
        }
    }
    eprintln!("mutated state.json: {loaded} loaded, {refused} refused with a reason");
    assert!(refused > 0);
}

#[test]
fn mutated_metrics_keep_every_readable_line() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = dir.path();
    let lines: String = (1..=40)
        .map(|step| {
            format!(
                "{{\"step\":{step},\"g_loss\":0.7,\"d_loss\":1.3,\"d_real\":0.5,\"d_fake\":0.5,\
                 \"g_grad_norm\":1.0,\"d_grad_norm\":1.0,\"wall_s\":{step}.0}}\n"
            )
        })
        .collect();
    let mut rng = StdRng::seed_from_u64(13);
    for _ in 0..300 {
        let bytes = mutate(lines.as_bytes(), &mut rng);
        std::fs::write(run.join(runs::METRICS), &bytes).unwrap_or_else(|e| panic!("{e}"));
        let history = runs::history_until(run, u64::MAX);
        // Every line kept is a whole JSON object with a step.
        for line in history.text.lines() {
            let value: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            assert!(value["step"].as_u64().is_some());
        }
        // And the follower reads the same file without a panic or a hang.
        let mut follower = runs::follow::Follower::open(run).unwrap_or_else(|e| panic!("{e}"));
        let update = follower.poll();
        assert!(update.metrics.windows(2).all(|w| w[0].step < w[1].step));
    }
}
