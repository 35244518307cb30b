//! The ProGAN family: at α = 0 a new level draws and judges exactly as the previous one did
//! (G, D and the real images D sees); D's input gradient — the gradient penalty's — equals
//! autodiff's at every stage, with and without minibatch stddev and the equalised learning
//! rate; a growing run records level, α and resolution on the schedule, with the stage
//! changes as phases; it resumes exactly in the middle of a fade; a generator file keeps its
//! stage; and a short seeded run brings the Fréchet distance down from step 0.

use super::common::{assert_resumes_exactly, preset};
use burn::prelude::*;
use ganscope::engine::{Trainer, device};
use ganscope::metrics::frechet::frechet_distance;
use ganscope::models::progan::{ProDiscriminator, ProGenerator, ProShape};
use ganscope::models::progressive::{Stage, downsample, staged};
use ganscope::models::seeded;
use ganscope::preset::{DatasetSpec, GrowthSpec, ModelSpec, Preset};
use rand::{Rng, SeedableRng, rngs::StdRng};

fn shape(minibatch_stddev: bool, equalized: bool) -> ProShape {
    ProShape {
        latent: 8,
        channels: 1,
        end: 16,
        start: 4,
        width: 8,
        pixel_norm: true,
        equalized,
        minibatch_stddev,
    }
}

fn stage(level: usize, alpha: f32) -> Stage {
    Stage {
        level,
        side: 4 << level,
        alpha,
    }
}

fn values(t: Tensor<2>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap_or_default()
}

fn uniform(n: usize, seed: u64) -> Vec<f32> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).map(|_| rng.random_range(-1.0..1.0)).collect()
}

fn rows(v: Vec<f32>, n: usize, device: &Device) -> Tensor<2> {
    let width = v.len() / n;
    Tensor::from_data(TensorData::new(v, [n, width]), device)
}

fn worst(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn at_alpha_zero_a_new_level_draws_and_judges_as_the_previous_one() {
    let device = Device::flex();
    let mut g = seeded(&device, 2, || ProGenerator::new(shape(true, true), &device));
    let mut d = seeded(&device, 3, || {
        ProDiscriminator::new(shape(true, true), &device)
    });
    let z = rows(uniform(4 * 8, 1), 4, &device);
    let x = rows(uniform(4 * 256, 2), 4, &device);
    for level in 1..=2 {
        let mut at = |s: Stage| {
            g.set_stage(s);
            d.set_stage(s);
            (
                values(g.forward(z.clone())),
                values(d.forward(x.clone())),
                values(staged(x.clone(), 1, 16, s)),
            )
        };
        let (g_new, d_new, real_new) = at(stage(level, 0.0));
        let (g_old, d_old, real_old) = at(stage(level - 1, 1.0));
        assert!(worst(&g_new, &g_old) < 1e-6, "G at level {level}");
        assert!(worst(&d_new, &d_old) < 1e-5, "D at level {level}");
        assert!(worst(&real_new, &real_old) < 1e-6, "reals at level {level}");
        // Half-way, the new layers show.
        let (g_half, ..) = at(stage(level, 0.5));
        assert!(
            worst(&g_half, &g_old) > 1e-3,
            "the fade moves G at level {level}"
        );
    }
    // The previous level's output is blocky at the final size: every 2×2 block at 8 px.
    g.set_stage(stage(1, 1.0));
    let image = g.forward(z.clone()).reshape([4, 1, 16, 16]);
    let pooled = ganscope::models::progressive::upsample(downsample(image.clone()), 2);
    assert!(
        worst(
            &values(image.reshape([4, 256])),
            &values(pooled.reshape([4, 256]))
        ) < 1e-6
    );
    // At the last level with α = 1 the real images pass untouched.
    assert_eq!(values(staged(x.clone(), 1, 16, stage(2, 1.0))), values(x));
}

#[test]
fn the_input_gradient_equals_autodiff_at_every_stage() {
    let device = Device::flex().autodiff();
    for (stddev, equalized) in [(true, true), (false, true), (true, false)] {
        let mut d = seeded(&device, 5, || {
            ProDiscriminator::new(shape(stddev, equalized), &device)
        });
        for s in [
            stage(0, 1.0),
            stage(1, 0.3),
            stage(1, 1.0),
            stage(2, 0.7),
            stage(2, 1.0),
        ] {
            d.set_stage(s);
            // 8 samples: two groups of 4 for the minibatch stddev.
            let x = rows(uniform(8 * 256, 7), 8, &device).require_grad();
            let grads = d.forward(x.clone()).sum().backward();
            let reference: Vec<f32> = x
                .grad(&grads)
                .map(|g| g.into_data().try_to_vec::<f32>().unwrap_or_default())
                .unwrap_or_default();
            let adjoint = values(d.input_gradient(x.detach()));
            let norm = reference.iter().map(|v| v * v).sum::<f32>().sqrt();
            let error = adjoint
                .iter()
                .zip(&reference)
                .map(|(a, b)| (a - b).powi(2))
                .sum::<f32>()
                .sqrt();
            assert!(norm > 1e-6, "a gradient to compare ({s:?})");
            assert!(
                error / norm < 1e-4,
                "stddev {stddev}, equalised {equalized}, {s:?}: relative error {}",
                error / norm
            );
        }
    }
}

/// Counts the float parameters that `grads` holds a gradient for, and those it does not.
struct Trained<'a> {
    grads: &'a burn::tensor::Gradients,
    with: usize,
    without: usize,
}

impl burn::module::ModuleVisitor for Trained<'_> {
    fn visit_float<const D: usize>(&mut self, param: &burn::module::Param<Tensor<D>>) {
        if param.val().grad(self.grads).is_some() {
            self.with += 1;
        } else {
            self.without += 1;
        }
    }
}

#[test]
fn every_weight_and_bias_trains_while_a_level_fades_in() {
    use burn::module::Module;
    let device = Device::flex().autodiff();
    let mut g = seeded(&device, 2, || ProGenerator::new(shape(true, true), &device));
    let mut d = seeded(&device, 3, || {
        ProDiscriminator::new(shape(true, true), &device)
    });
    // Mid-fade at the last level: every layer of both networks is in use but level 0's
    // toRGB and fromRGB (weight and bias each).
    g.set_stage(stage(2, 0.5));
    d.set_stage(stage(2, 0.5));
    let z = rows(uniform(4 * 8, 1), 4, &device);
    let grads = d.forward(g.forward(z)).sum().backward();
    let mut trained = Trained {
        grads: &grads,
        with: 0,
        without: 0,
    };
    g.visit(&mut trained);
    // ... and G's saved stage, which is not trained.
    assert_eq!(trained.without, 3, "G: {} trained", trained.with);
    let before = trained.with;
    d.visit(&mut trained);
    assert_eq!(trained.without, 5, "D: {} trained", trained.with - before);
}

/// `digits-progan` at 16 px, small and quick: 4 → 8 → 16 with fades of `fade` steps.
fn small(fade: u64, stable: u64) -> Preset {
    let mut p = preset("digits-progan");
    p.dataset = DatasetSpec::Digits { size: 16 };
    if let Some(ModelSpec::Progressive { width, .. }) = &mut p.model {
        *width = 16;
    }
    p.growth = Some(GrowthSpec {
        fade_steps: fade,
        stable_steps: stable,
    });
    p.train.batch_size = 16;
    p.validate().unwrap_or_else(|e| panic!("{e}"));
    p
}

#[test]
fn a_growing_run_records_its_stage_and_marks_its_changes() {
    let p = small(3, 2);
    let growth = p.growth().unwrap_or_else(|| panic!("a growth schedule"));
    let mut trainer = Trainer::new(&p, &device::cpu());
    let mut phases = Vec::new();
    for step in 0..12u64 {
        let m = trainer.step().unwrap_or_else(|e| panic!("{e}"));
        let expected = growth.stage(step);
        assert_eq!(m.level, Some(expected.level), "step {step}");
        assert_eq!(m.alpha, Some(expected.alpha), "step {step}");
        assert_eq!(m.resolution, Some(expected.side), "step {step}");
        if let Some(text) = trainer.phase_change() {
            phases.push((m.step, text));
        }
        let line = serde_json::to_string(&m).unwrap_or_default();
        assert!(
            line.contains("\"level\":") && line.contains("\"alpha\":"),
            "{line}"
        );
    }
    // Level 1 fades in over steps 2..5 (α = 0 at the third step, 1 at the sixth).
    assert_eq!(growth.stage(2), stage(1, 0.0));
    assert_eq!(growth.stage(5), stage(1, 1.0));
    assert_eq!(
        phases.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        vec![2, 5, 7, 10]
    );
    assert!(phases[0].1.contains("growing to 8 px"), "{:?}", phases[0]);
    assert!(phases[1].1.contains("8 px faded in"), "{:?}", phases[1]);
    assert!(trainer.generate(3).iter().all(|v| v.is_finite()));
}

#[test]
fn a_run_resumed_in_the_middle_of_a_fade_continues_exactly() {
    // Checkpoint after 3 steps: level 1 is a third faded in; the continuation crosses the
    // end of that fade and the start of the next.
    assert_resumes_exactly(&small(3, 2), 3, 5);
}

#[test]
fn a_generator_file_draws_at_the_stage_it_was_saved_at() {
    let p = small(3, 2);
    let mut trainer = Trainer::new(&p, &device::cpu());
    for _ in 0..3 {
        trainer.step().unwrap_or_else(|e| panic!("{e}"));
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    trainer
        .export_generator(dir.path())
        .unwrap_or_else(|e| panic!("{e}"));
    let (snapshot, _) = ganscope::engine::snapshot::Snapshot::load(
        dir.path(),
        ganscope::protocol::DeviceChoice::Cpu,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let g = trainer.generator_for_export();
    assert_eq!(g.stage(), Some(stage(1, 1.0 / 3.0)));
    let z = vec![vec![0.3f32; 64], vec![-0.5f32; 64]];
    let from_file = snapshot.render(&z, None);
    assert!(from_file.is_some());
    assert_eq!(
        from_file,
        trainer.snapshot().render(&z, None),
        "same images"
    );
    // ... which is not what the same weights draw at level 0.
    let mut level0 = g.clone();
    level0.set_stage(stage(0, 1.0));
    let z = rows(z.concat(), 2, &Device::flex());
    let apart = worst(
        &values(level0.forward(z.clone(), None)),
        &values(g.forward(z, None)),
    );
    assert!(apart > 1e-3, "the stage matters ({apart})");
}

/// Fréchet distance between `a` and `b` (16-px images, flattened), pooled to 8×8.
fn pixel_frechet(a: &[f32], b: &[f32]) -> f64 {
    let pool = |v: &[f32]| {
        let n = v.len() / 256;
        values(
            downsample(rows(v.to_vec(), n, &Device::flex()).reshape([n, 1, 16, 16]))
                .reshape([n, 64]),
        )
    };
    frechet_distance(&pool(a), &pool(b), 64).unwrap_or(f64::INFINITY)
}

#[test]
fn a_short_growing_run_brings_the_frechet_distance_down() {
    let p = small(20, 20);
    let mut trainer = Trainer::new(&p, &device::cpu());
    let mut data = ganscope::data::open(&p.dataset, 99).unwrap_or_else(|e| panic!("{e}"));
    let real = data.batch(256).x;
    let before = pixel_frechet(&trainer.generate(256), &real);
    for _ in 0..160 {
        trainer.step().unwrap_or_else(|e| panic!("{e}"));
    }
    let after = pixel_frechet(&trainer.generate(256), &real);
    eprintln!("pixel Fréchet distance (8x8): {before:.2} at step 0, {after:.2} at step 160");
    assert!(after < 0.5 * before, "{before} -> {after}");
}
