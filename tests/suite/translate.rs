//! The translate task (pix2pix) and the network families: every G and D family builds, has
//! the documented shapes, renders a single input exactly as inside a batch and round-trips
//! through a checkpoint; PatchGAN maps have their size; an unconditional D cannot see A; a
//! small pix2pix run learns (held-out L1 below both trivial baselines) and resumes exactly.

use super::common::{assert_resumes_exactly, preset};
use burn::module::Module;
use burn::prelude::*;
use ganscope::data::{self, SampleShape};
use ganscope::engine::{Trainer, device, task};
use ganscope::metrics::similarity;
use ganscope::models::{self, patch};
use ganscope::preset::{GeneratorSpec, Preset, ReceptiveField, TaskSpec};
use rand::{Rng, SeedableRng, rngs::StdRng};

/// A small, fast pix2pix preset on 16-px digits.
fn small(name: &str) -> Preset {
    let mut p = preset(name);
    if let ganscope::preset::DatasetSpec::DigitSkeletons { size }
    | ganscope::preset::DatasetSpec::ShapesOutline { size }
    | ganscope::preset::DatasetSpec::ShapesGrey { size } = &mut p.dataset
    {
        *size = 16;
    }
    p.generator = Some(GeneratorSpec::Unet {
        base: 16,
        dropout: 0.5,
    });
    p.discriminator = Some(ganscope::preset::DiscriminatorSpec::PatchGan {
        base: 16,
        receptive_field: ReceptiveField::Patch,
    });
    p.validate().unwrap_or_else(|e| panic!("{e}"));
    p
}

fn rows(values: Vec<f32>, n: usize, device: &Device) -> Tensor<2> {
    let width = values.len() / n;
    Tensor::from_data(TensorData::new(values, [n, width]), device)
}

/// What D judges per row: the sample, after the source when the task conditions D on it.
fn d_width(p: &Preset, shape: SampleShape, from: Option<SampleShape>) -> usize {
    shape.numel()
        + match p.task {
            TaskSpec::Translate {
                conditional_d: true,
                ..
            } => from.map_or(0, SampleShape::numel),
            _ => 0,
        }
}

#[test]
fn every_family_builds_with_its_shapes_and_renders_one_input_as_in_a_batch() {
    let device = Device::flex();
    for name in [
        "ring8-mlp",
        "digits-dcgan",
        "shapes-pix2pix",
        "digits-transgan-hybrid",
        "digits-transgan-vit",
        "digits-transgan",
        "digits-progan",
    ] {
        let p = super::learning::family_preset(name);
        let source = data::open(&p.dataset, 1).unwrap_or_else(|e| panic!("{e}"));
        let (shape, from) = (source.shape(), source.source_shape());
        let (g, d) = models::seeded(&device, 3, || {
            models::build(&p, shape, from, &device).unwrap_or_else(|e| panic!("{name}: {e}"))
        });
        // G's input: z, or the source image followed by the dropout draws.
        let width = from.map_or(p.latent_dim(), |s| s.numel() + g.noise_width());
        let inputs: Vec<f32> = (0..3 * width)
            .map(|i| ((i * 7919) % 200) as f32 / 100.0 - 1.0)
            .collect();
        let batch = rows(inputs.clone(), 3, &device);
        // A round trip through burnpack files into networks built from another seed gives
        // back the same G and D, bit for bit.
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let (g_file, d_file) = (dir.path().join("g.bpk"), dir.path().join("d.bpk"));
        g.clone()
            .save_file(&g_file)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        d.clone()
            .save_file(&d_file)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let (other_g, other_d) = models::seeded(&device, 4, || {
            models::build(&p, shape, from, &device).unwrap_or_else(|e| panic!("{name}: {e}"))
        });
        let other_g = other_g
            .try_load_file(&g_file)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let other_d = other_d
            .try_load_file(&d_file)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let values = |t: Tensor<2>| t.into_data().try_to_vec::<f32>().unwrap_or_default();
        assert_eq!(
            values(other_g.forward(batch.clone(), None)),
            values(g.forward(batch.clone(), None)),
            "{name}: G round trip"
        );
        let judged_rows = rows(vec![0.2; 2 * d_width(&p, shape, from)], 2, &device);
        assert_eq!(
            values(other_d.forward(judged_rows.clone(), None)),
            values(d.forward(judged_rows, None)),
            "{name}: D round trip"
        );
        // Inference with fixed statistics (a DCGAN's calibrated copy): one input alone renders
        // as inside the batch.
        let g = g.calibrated(batch.clone(), None);
        let together = g
            .forward(batch, None)
            .into_data()
            .try_to_vec::<f32>()
            .unwrap_or_default();
        assert_eq!(together.len(), 3 * shape.numel(), "{name}: G's output");
        for i in 0..3 {
            let one = rows(inputs[i * width..(i + 1) * width].to_vec(), 1, &device);
            let alone = g
                .forward(one, None)
                .into_data()
                .try_to_vec::<f32>()
                .unwrap_or_default();
            let inside = &together[i * shape.numel()..(i + 1) * shape.numel()];
            let worst = alone
                .iter()
                .zip(inside)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0f32, f32::max);
            assert!(worst < 1e-4, "{name}: sample {i} differs by {worst} alone");
        }
        // D's verdicts: one per sample, or a map of them.
        let judged = d_width(&p, shape, from);
        let verdicts = d
            .forward(rows(vec![0.1; 2 * judged], 2, &device), None)
            .dims();
        let expected = match p.discriminator {
            Some(_) => patch::map_side(ReceptiveField::Patch, 32).pow(2),
            None => 1,
        };
        assert_eq!(verdicts, [2, expected], "{name}: D's verdicts");
    }
}

#[test]
fn patch_maps_have_their_size_and_an_unconditional_d_ignores_the_source() {
    let device = Device::flex();
    for (field, side) in [
        (ReceptiveField::Pixel, 16),
        (ReceptiveField::Patch, 6),
        (ReceptiveField::Image, 1),
    ] {
        let mut p = small("digits-pix2pix");
        p.discriminator = Some(ganscope::preset::DiscriminatorSpec::PatchGan {
            base: 8,
            receptive_field: field,
        });
        p.task = TaskSpec::Translate {
            l1_weight: 100.0,
            adversarial: true,
            conditional_d: false,
        };
        let source = data::open(&p.dataset, 1).unwrap_or_else(|e| panic!("{e}"));
        let (_, d) = models::build(&p, source.shape(), source.source_shape(), &device)
            .unwrap_or_else(|e| panic!("{e}"));
        // Unconditioned, D takes the judged image alone: 16² pixels, no room for A.
        let out = d.forward(rows(vec![0.3; 2 * 256], 2, &device), None);
        assert_eq!(out.dims(), [2, side * side], "{field:?}");
    }
    // The task's rounds: an unconditional D is handed B alone, whatever A is; a conditional
    // one gets A stacked before B.
    for (conditional_d, width) in [(false, 256), (true, 512)] {
        let mut p = small("digits-pix2pix");
        p.task = TaskSpec::Translate {
            l1_weight: 100.0,
            adversarial: true,
            conditional_d,
        };
        let mut source = data::open(&p.dataset, 1).unwrap_or_else(|e| panic!("{e}"));
        let (g, _) = models::build(&p, source.shape(), source.source_shape(), &device)
            .unwrap_or_else(|e| panic!("{e}"));
        let task = task::open(&p, source.as_ref(), &g, &device).unwrap_or_else(|e| panic!("{e}"));
        let mut rng = StdRng::seed_from_u64(1);
        let round = task.round(source.as_mut(), None, 2, &mut rng, &device);
        let b = round.real.clone();
        let judged = round.judged(b.clone());
        assert_eq!(judged.dims(), [2, width]);
        if !conditional_d {
            assert_eq!(
                judged.into_data().try_to_vec::<f32>().unwrap_or_default(),
                b.into_data().try_to_vec::<f32>().unwrap_or_default()
            );
        }
        let mut trainer = Trainer::new(&p, &device::cpu());
        let m = trainer.step().unwrap_or_else(|e| panic!("{e}"));
        assert!(m.terms.contains_key("l1"), "{:?}", m.terms);
    }
}

/// Held-out L1 of G(A) against B, measured by the run.
fn held_out_l1(trainer: &mut Trainer) -> f32 {
    trainer.diagnostics().translation.map_or(f32::NAN, |t| t.l1)
}

#[test]
fn a_small_pix2pix_run_beats_both_trivial_baselines_on_held_out_pairs() {
    let mut p = small("digits-pix2pix");
    // Faster learning rates let a few hundred steps of the small U-Net show the trend.
    p.train.lr_g = 1e-3;
    p.train.lr_d = 1e-3;
    let mut trainer = Trainer::new(&p, &device::cpu());
    let before = held_out_l1(&mut trainer);
    for _ in 0..600 {
        trainer.step().unwrap_or_else(|e| panic!("{e}"));
    }
    let after = held_out_l1(&mut trainer);
    // The baselines, on fresh pairs: B ≈ A, and B ≈ the mean target.
    let batch = data::open(&p.dataset, 99)
        .unwrap_or_else(|e| panic!("{e}"))
        .batch(256);
    let (a, b) = (batch.source.unwrap_or_default(), batch.x);
    let identity = similarity::l1(&a, &b);
    let features = b.len() / 256;
    let mean: Vec<f32> = (0..features)
        .map(|j| (0..256).map(|i| b[i * features + j]).sum::<f32>() / 256.0)
        .collect();
    let repeated: Vec<f32> = (0..256).flat_map(|_| mean.iter().copied()).collect();
    let mean_target = similarity::l1(&repeated, &b);
    let baseline = identity.min(mean_target);
    assert!(
        after < 0.5 * before && after < 0.8 * baseline,
        "held-out L1 {before} -> {after}; baselines: identity {identity}, mean {mean_target}"
    );
}

#[test]
fn a_resumed_pix2pix_run_continues_exactly() {
    let p = small("shapes-pix2pix");
    assert_resumes_exactly(&p, 4, 4);
}

#[test]
fn apply_translates_pngs_refuses_the_wrong_ones_and_latent_models() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = dir.path().join("run");
    let mut trainer = Trainer::new(&small("digits-pix2pix"), &device::cpu());
    trainer.step().unwrap_or_else(|e| panic!("{e}"));
    trainer
        .save_checkpoint(&run)
        .unwrap_or_else(|e| panic!("{e}"));
    let inputs = dir.path().join("in");
    std::fs::create_dir_all(&inputs).unwrap_or_else(|e| panic!("{e}"));
    let png = |name: &str, side: usize| {
        let image = ganscope::imaging::RgbaImage {
            width: side,
            height: side,
            pixels: (0..side * side * 4).map(|i| (i * 37 % 256) as u8).collect(),
        };
        ganscope::imaging::save_png(&image, &inputs.join(name)).unwrap_or_else(|e| panic!("{e}"));
    };
    png("a.png", 16);
    png("b.png", 32); // a multiple of 16: the U-Net takes it too
    png("c.png", 24); // not a multiple of 16
    let out = dir.path().join("out");
    let outcome = ganscope::cli::apply::run(&run, &inputs, &out, Default::default());
    let message = format!(
        "{:#}",
        outcome.err().map(|e| e.to_string()).unwrap_or_default()
    );
    assert!(message.contains("1 of 3"), "{message}");
    for (name, side) in [("a.png", 16), ("b.png", 32)] {
        let bytes = std::fs::read(out.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (_, decoded) =
            ganscope::cli::apply::decode(&bytes, 1).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(decoded, side);
    }
    assert!(!out.join("c.png").exists());
    // A latent model is refused, saying why.
    let latent = dir.path().join("latent");
    Trainer::new(&preset("ring8-mlp"), &device::cpu())
        .save_checkpoint(&latent)
        .unwrap_or_else(|e| panic!("{e}"));
    let refused = ganscope::cli::apply::run(&latent, &inputs, &out, Default::default())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(refused.contains("latent"), "{refused}");
}

#[test]
fn decoding_random_and_mutated_bytes_answers_without_panicking() {
    let mut rng = StdRng::seed_from_u64(5);
    let image = ganscope::imaging::RgbaImage {
        width: 16,
        height: 16,
        pixels: (0..16 * 16 * 4).map(|i| (i % 251) as u8).collect(),
    };
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("x.png");
    ganscope::imaging::save_png(&image, &path).unwrap_or_else(|e| panic!("{e}"));
    let valid = std::fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(ganscope::cli::apply::decode(&valid, 3).is_ok());
    for round in 0..400 {
        let bytes: Vec<u8> = if round % 4 == 0 {
            (0..rng.random_range(0..200))
                .map(|_| rng.random())
                .collect()
        } else {
            let mut out = valid.clone();
            for _ in 0..rng.random_range(1..=4) {
                let at = rng.random_range(0..out.len());
                match rng.random_range(0..3) {
                    0 => out[at] ^= 1 << rng.random_range(0..8),
                    1 => out.truncate(at),
                    _ => out.insert(at, rng.random()),
                }
            }
            out
        };
        // Either a square image of the asked channels or an error; never a panic.
        if let Ok((values, side)) = ganscope::cli::apply::decode(&bytes, 1) {
            assert_eq!(values.len(), side * side);
            assert!(values.iter().all(|v| (-1.0..=1.0).contains(v)));
        }
    }
}

#[test]
fn a_pix2pix_run_records_named_terms_and_scores_and_latent_commands_refuse_it() {
    use ganscope::cli::{interpolate, sample, train};
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = dir.path().join("run");
    let mut p = small("digits-pix2pix");
    p.train.metrics_every = 2;
    train::run(&p, 2, Default::default(), &run).unwrap_or_else(|e| panic!("{e}"));
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(run.join("metrics.jsonl"))
        .unwrap_or_else(|e| panic!("{e}"))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    assert!(
        lines.iter().all(|l| l["terms"]["l1"].as_f64().is_some()),
        "{lines:?}"
    );
    let scores = &lines[1]["diagnostics"];
    for key in ["l1", "psnr", "ssim"] {
        assert!(
            scores[key].as_f64().is_some_and(f64::is_finite),
            "{key}: {scores}"
        );
    }
    let walk = interpolate::WalkSpec {
        from: 0,
        to: 1,
        frames: 3,
        mode: ganscope::latent::InterpMode::Slerp,
        psi: 1.0,
        class: None,
    };
    let png = dir.path().join("strip.png");
    let refused = interpolate::run(&run, walk, Default::default(), &png, None)
        .err()
        .map(|e| format!("{e:#}"))
        .unwrap_or_default();
    assert!(
        refused.contains("no latent") && refused.contains("apply"),
        "{refused}"
    );
    let csv = dir.path().join("points.csv");
    let refused = sample::run(
        sample::Source::Checkpoint(run),
        10,
        Default::default(),
        &csv,
    )
    .err()
    .map(|e| format!("{e:#}"))
    .unwrap_or_default();
    assert!(refused.contains("no latent"), "{refused}");
}
