//! Real, seeded training on the CPU device: the models learn.

use super::common::preset;
use ganscope::data::toy2d::{ToyMixture, mean_distance_to_nearest};
use ganscope::engine::{Trainer, device};

fn points(flat: &[f32]) -> Vec<[f32; 2]> {
    flat.chunks_exact(2).map(|p| [p[0], p[1]]).collect()
}

#[test]
fn ring8_generated_points_move_onto_the_modes() {
    let preset = preset("ring8-mlp");
    let mut trainer = Trainer::new(&preset, &device::cpu());
    let means = ToyMixture::ring(8, 1.0, 0.01, 0).means().to_vec();
    let before = mean_distance_to_nearest(&points(&trainer.generate(1000)), &means);
    // Seed 1 is the slowest of seeds 1-4 to settle (0.68 at 1500 steps, 0.08-0.13 for the
    // others); by 3000 steps it is at 0.13.
    for _ in 0..3000 {
        trainer.step().expect("no divergence");
    }
    let after = mean_distance_to_nearest(&points(&trainer.generate(1000)), &means);
    assert!(
        after < before / 4.0,
        "mean distance to the nearest mode went from {before:.4} to {after:.4}"
    );
}

#[test]
fn digits_dcgan_discriminator_separates_and_samples_vary() {
    let preset = preset("digits-dcgan");
    let mut trainer = Trainer::new(&preset, &device::cpu());
    let metrics: Vec<_> = (0..25)
        .map(|_| trainer.step().expect("no divergence"))
        .collect();
    let best_gap = metrics
        .iter()
        .map(|m| m.d_real - m.d_fake)
        .fold(f32::MIN, f32::max);
    assert!(
        best_gap > 0.3,
        "D(x) - D(G(z)) never exceeded 0.3 in 25 steps (best {best_gap:.3})"
    );
    let samples = trainer.generate(8);
    let side = 32 * 32;
    let mean = samples.iter().sum::<f32>() / samples.len() as f32;
    let std =
        (samples.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / samples.len() as f32).sqrt();
    // Inference-mode BatchNorm still lags this early, so contrast is low but not zero.
    assert!(
        std > 0.02,
        "generated pixels are nearly constant (std {std})"
    );
    let diff = first_two_apart(&samples, side);
    eprintln!("digits-dcgan after 25 steps: best gap {best_gap:.3}, std {std:.4}, diff {diff:.4}");
    assert!(
        diff > 0.01,
        "two samples from different z are identical (mean |diff| {diff})"
    );
}

/// Mean |difference| between the first two samples (`side` floats each).
fn first_two_apart(samples: &[f32], side: usize) -> f32 {
    samples[..side]
        .iter()
        .zip(&samples[side..2 * side])
        .map(|(a, b)| (a - b).abs())
        .sum::<f32>()
        / side as f32
}

/// Mean of a histogram over [0, 1] from its bin centres.
fn histogram_mean(bins: &[u32]) -> f32 {
    let width = 1.0 / bins.len() as f32;
    let total: u32 = bins.iter().sum();
    bins.iter()
        .enumerate()
        .map(|(i, &n)| (i as f32 + 0.5) * width * n as f32)
        .sum::<f32>()
        / total.max(1) as f32
}

#[test]
fn d_output_histograms_agree_with_the_steps_on_a_batch_norm_discriminator() {
    // digits-dcgan's D has BatchNorm: judged with running statistics (inference mode) it put
    // most real digits below 0.05 while every step measured D(x) near 0.95.
    let preset = preset("digits-dcgan");
    let mut trainer = Trainer::new(&preset, &device::cpu());
    let metrics: Vec<_> = (0..40)
        .map(|_| trainer.step().expect("no divergence"))
        .collect();
    let recent = &metrics[metrics.len() - 4..];
    let real = recent.iter().map(|m| m.d_real).sum::<f32>() / recent.len() as f32;
    let fake = recent.iter().map(|m| m.d_fake).sum::<f32>() / recent.len() as f32;
    let diagnostics = trainer.diagnostics();
    let (hist_real, hist_fake) = (
        histogram_mean(&diagnostics.d_real_hist),
        histogram_mean(&diagnostics.d_fake_hist),
    );
    eprintln!(
        "step 40: D(x) {real:.3} vs histogram {hist_real:.3}; D(G(z)) {fake:.3} vs {hist_fake:.3}"
    );
    assert!(
        (hist_real - real).abs() < 0.15,
        "histogram of D(x) has mean {hist_real:.3}, the steps {real:.3}"
    );
    assert!(
        (hist_fake - fake).abs() < 0.15,
        "histogram of D(G(z)) has mean {hist_fake:.3}, the steps {fake:.3}"
    );
}

/// Modes covered after `steps` seeded steps of a shipped preset, by the trainer's own metrics.
fn modes_covered_after(name: &str, steps: usize) -> usize {
    let mut trainer = Trainer::new(&preset(name), &device::cpu());
    for _ in 0..steps {
        trainer.step().expect("no divergence");
    }
    let diagnostics = trainer.diagnostics();
    assert_eq!(diagnostics.d_real_hist.iter().sum::<u32>(), 256);
    diagnostics.modes.map_or(0, |m| m.modes_covered)
}

#[test]
fn the_collapsing_preset_covers_fewer_modes_than_the_stable_one() {
    let stable = modes_covered_after("ring8-mlp", 3000);
    let collapsing = modes_covered_after("ring8-collapse", 3000);
    assert!(
        collapsing + 4 <= stable,
        "ring8-collapse covered {collapsing} modes, ring8-mlp {stable}"
    );
}

#[test]
fn the_reference_classifier_reads_held_out_digits_and_is_cached() {
    use ganscope::engine::classifier;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let device = device::cpu().device;
    let (model, cached) = classifier::load_or_train(32, dir.path(), &device);
    assert!(!cached, "trained the first time");
    let accuracy = model.accuracy(32, 2000, &device);
    eprintln!("reference classifier: held-out accuracy {accuracy} on 2000 digits");
    assert!(accuracy >= 0.95, "held-out accuracy {accuracy}");
    let (again, cached) = classifier::load_or_train(32, dir.path(), &device);
    assert!(cached, "loaded from the cache the second time");
    assert_eq!(
        again.accuracy(32, 500, &device),
        model.accuracy(32, 500, &device)
    );
    // A corrupt cache file is replaced by a fresh training, not trusted.
    let file = std::fs::read_dir(dir.path())
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "bpk"))
        .unwrap_or_else(|| panic!("a cache file"));
    std::fs::write(&file, b"garbage").unwrap_or_else(|e| panic!("{e}"));
    let (_, cached) = classifier::load_or_train(32, dir.path(), &device);
    assert!(!cached, "retrained over a corrupt cache");
}

#[test]
fn the_transformer_hybrid_learns_on_digits_and_its_samples_vary() {
    transformer_learns("digits-transgan-hybrid");
}

#[test]
fn the_transformer_pair_with_a_vit_discriminator_learns_on_digits() {
    // ViTGAN's D with hinge loss and improved spectral normalisation, and the shipped pair
    // (WGAN-GP, its penalty estimated).
    transformer_learns("digits-transgan-vit");
    transformer_learns("digits-transgan");
}

/// A preset by name, or `digits-transgan-vit`: the hybrid with ViTGAN's discriminator (L2
/// attention, improved spectral normalisation), which has no preset of its own yet (on the
/// digits it collapses to one class within 500 steps).
pub fn family_preset(name: &str) -> ganscope::preset::Preset {
    use ganscope::models::attention::AttentionKind;
    use ganscope::preset::{ModelSpec, TransformerD};
    if name != "digits-transgan-vit" {
        return preset(name);
    }
    let mut p = preset("digits-transgan-hybrid");
    p.name = name.into();
    if let Some(ModelSpec::Transformer {
        attention,
        discriminator,
        isn,
        ..
    }) = &mut p.model
    {
        (*attention, *discriminator, *isn) = (AttentionKind::L2, TransformerD::Vit, true);
    }
    p.validate().unwrap_or_else(|e| panic!("{e}"));
    p
}

/// `name` at 16 px with one block per stage: D learns to score real digits above G's (the
/// gap D(x) − D(G(z)) of the raw scores widens, for hinge and Wasserstein losses alike)
/// and samples differ.
fn transformer_learns(name: &str) {
    use ganscope::preset::{DatasetSpec, ModelSpec};
    let mut p = family_preset(name);
    p.dataset = DatasetSpec::Digits { size: 16 };
    if let Some(ModelSpec::Transformer { depth, dim, .. }) = &mut p.model {
        (*depth, *dim) = (1, 32);
    }
    p.train.batch_size = 16;
    p.validate().unwrap_or_else(|e| panic!("{e}"));
    let mut trainer = Trainer::new(&p, &device::cpu());
    let metrics: Vec<_> = (0..40)
        .map(|_| trainer.step().expect("no divergence"))
        .collect();
    assert!(metrics.iter().all(|m| m.d_loss.is_finite()), "{name}");
    let gap = |m: &ganscope::protocol::StepMetrics| m.d_real - m.d_fake;
    let first = gap(&metrics[0]);
    let best = metrics.iter().map(gap).fold(f32::MIN, f32::max);
    assert!(
        best > first + 0.3,
        "{name}: D(x) - D(G(z)) {first} -> at best {best}"
    );
    let samples = trainer.generate(4);
    let side = 16 * 16;
    let diff = first_two_apart(&samples, side);
    assert!(
        diff > 0.01,
        "{name}: two samples from different z are identical ({diff})"
    );
    assert!(samples.iter().all(|v| v.is_finite() && v.abs() <= 1.0));
}

#[test]
fn a_transformer_run_resumes_exactly() {
    use ganscope::preset::{DatasetSpec, ModelSpec};
    let mut p = preset("digits-transgan-hybrid");
    p.dataset = DatasetSpec::Digits { size: 16 };
    if let Some(ModelSpec::Transformer {
        depth, attention, ..
    }) = &mut p.model
    {
        (*depth, *attention) = (1, ganscope::models::attention::AttentionKind::L2);
    }
    p.train.batch_size = 8;
    // Spectral normalisation's power-iteration vectors are not in a checkpoint (README): off.
    p.game.spectral_norm = false;
    super::common::assert_resumes_exactly(&p, 2, 2);
}

#[test]
fn the_shipped_vit_pair_resumes_exactly_with_its_estimated_penalty() {
    use ganscope::preset::{DatasetSpec, ModelSpec};
    // The penalty's random directions come from the game's stream, which a checkpoint keeps.
    let mut p = preset("digits-transgan");
    p.dataset = DatasetSpec::Digits { size: 16 };
    if let Some(ModelSpec::Transformer { depth, dim, .. }) = &mut p.model {
        (*depth, *dim) = (1, 32);
    }
    p.train.batch_size = 8;
    super::common::assert_resumes_exactly(&p, 2, 2);
}

#[test]
fn a_vit_discriminator_run_resumes_exactly_with_its_spectral_state() {
    use ganscope::preset::{DatasetSpec, ModelSpec};
    // The improved spectral normalisation's vectors and targets are in the checkpoint.
    let mut p = family_preset("digits-transgan-vit");
    p.dataset = DatasetSpec::Digits { size: 16 };
    if let Some(ModelSpec::Transformer { depth, dim, .. }) = &mut p.model {
        (*depth, *dim) = (1, 32);
    }
    p.train.batch_size = 8;
    assert!(p.game.spectral_norm);
    super::common::assert_resumes_exactly(&p, 3, 2);
}

/// A discriminator whose loss blows up is refused within the step that read it, and the
/// whole step is undone: D, its optimizer and G are exactly as the step found them (the
/// step's statistics are read once, after G's backward pass, so D's update had been made
/// and is rolled back).
#[test]
fn a_step_whose_d_loss_is_not_finite_leaves_every_weight_as_it_was() {
    use ganscope::engine::trainer::TrainError;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut p = preset("ring8-mlp");
    p.train.lr_d = 1e30;
    let mut trainer = Trainer::new(&p, &device::cpu());
    let files = [
        "generator.bpk",
        "discriminator.bpk",
        "optimizer_d.bpk",
        "optimizer_g.bpk",
    ];
    for i in 0..200 {
        // A folder per try: a refused step leaves the step count, and so the name, as it was.
        let before = trainer
            .save_checkpoint(&dir.path().join(format!("before-{i}")))
            .unwrap_or_else(|e| panic!("{e}"));
        match trainer.step() {
            Err(TrainError::Diverged { what: "D loss", .. }) => {
                let after = trainer
                    .save_checkpoint(&dir.path().join("after"))
                    .unwrap_or_else(|e| panic!("{e}"));
                for file in files {
                    let read = |c: &std::path::Path| {
                        std::fs::read(c.join(file)).unwrap_or_else(|e| panic!("{e}"))
                    };
                    assert!(read(&before) == read(&after), "{file} changed");
                }
                return;
            }
            // G's loss may go first (D's update made it so); that step's D update stands.
            Ok(_) | Err(TrainError::Diverged { .. }) => {}
            Err(e) => panic!("{e}"),
        }
    }
    panic!("D's loss never blew up at a learning rate of 1e30");
}
