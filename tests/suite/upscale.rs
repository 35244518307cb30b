//! The upscale task (SRGAN): the preset builds an SRResNet G and an image-level PatchGAN D;
//! the view is LR | bicubic | SR | original rows; the adversarial term joins exactly at the
//! end of the warm-up, which the task announces; a small seeded run's SR passes bicubic on
//! the held-out crops; a resumed run continues exactly; mismatched presets are refused;
//! `ganscope upscale` enlarges any size and scores against a reference; the app shows the
//! upscalings and says why the explorer has no latent.

use super::common::{assert_resumes_exactly, preset};
use ganscope::engine::{Trainer, device};
use ganscope::preset::{Content, DatasetSpec, GeneratorSpec, Preset, TaskSpec};
use ganscope::protocol::{SampleView, Tiles};

/// digits-sr4, smaller: 16-px digits (4-px inputs), a narrow G, a short warm-up.
fn small(warmup_steps: u64) -> Preset {
    let mut p = preset("digits-sr4");
    p.dataset = DatasetSpec::Digits { size: 16 };
    p.generator = Some(GeneratorSpec::Srresnet {
        width: 16,
        blocks: 2,
        bicubic_skip: false,
    });
    if let TaskSpec::Upscale {
        warmup_steps: w, ..
    } = &mut p.task
    {
        *w = warmup_steps;
    }
    p.train.batch_size = 8;
    p.validate().unwrap_or_else(|e| panic!("{e}"));
    p
}

#[test]
fn the_view_shows_four_tiles_per_crop_and_the_second_phase_is_announced_once() {
    let mut p = small(3);
    p.train.samples = 2;
    let mut trainer = Trainer::new(&p, &device::cpu());
    let mut announced = Vec::new();
    for _ in 0..5 {
        let m = trainer.step().unwrap_or_else(|e| panic!("{e}"));
        assert!(m.terms.contains_key("mse"), "{:?}", m.terms);
        if let Some(text) = trainer.phase_change() {
            announced.push((m.step, text));
        }
    }
    assert_eq!(announced.len(), 1, "{announced:?}");
    assert_eq!(announced[0].0, 3);
    assert!(announced[0].1.contains("adversarial"), "{}", announced[0].1);
    match trainer.samples() {
        SampleView::Grid {
            columns,
            tiles,
            meaning,
            captions,
            image,
        } => {
            assert_eq!((columns, tiles, meaning), (4, 8, Tiles::Upscaled));
            assert_eq!(captions[2], "SR (G)");
            assert!(image.width > 4 * 16 && image.height > 2 * 16);
        }
        other => panic!("not a grid: {other:?}"),
    }
    let d = trainer.diagnostics();
    let s = d.super_resolution.unwrap_or_else(|| panic!("no SR scores"));
    for v in [s.psnr, s.ssim, s.bicubic_psnr, s.bicubic_ssim, s.sharpness] {
        assert!(v.is_finite(), "{s:?}");
    }
}

#[test]
fn the_adversarial_term_is_weighted_from_the_warm_up_on_and_never_for_srresnet() {
    let p = small(10);
    assert_eq!(p.task.adversarial_weight(9), 0.0);
    assert_eq!(p.task.adversarial_weight(10), 1e-3);
    let mut baseline = p.clone();
    if let TaskSpec::Upscale { adversarial, .. } = &mut baseline.task {
        *adversarial = false;
    }
    assert_eq!(baseline.task.adversarial_weight(1_000_000), 0.0);
    // In the warm-up G's loss is its MSE alone.
    let mut trainer = Trainer::new(&p, &device::cpu());
    let m = trainer.step().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.g_loss, m.terms["mse"]);
}

#[test]
fn a_small_run_upscales_better_than_bicubic_on_held_out_crops() {
    let mut p = small(100_000);
    p.train.lr_g = 1e-3;
    let mut trainer = Trainer::new(&p, &device::cpu());
    let before = trainer.diagnostics().super_resolution;
    for _ in 0..250 {
        trainer.step().unwrap_or_else(|e| panic!("{e}"));
    }
    let after = trainer.diagnostics().super_resolution;
    let (Some(before), Some(after)) = (before, after) else {
        panic!("no SR scores");
    };
    assert!(
        after.psnr > after.bicubic_psnr && after.psnr > before.psnr + 1.0,
        "SR {} -> {} dB against bicubic {} dB",
        before.psnr,
        after.psnr,
        after.bicubic_psnr
    );
}

#[test]
fn the_feature_content_loss_replaces_mse_in_phase_two_and_is_named_in_the_run() {
    let mut p = small(3);
    p.train.lr_g = 1e-3;
    if let TaskSpec::Upscale { content, .. } = &mut p.task {
        *content = Content::Features;
    }
    let mut trainer = Trainer::new(&p, &device::cpu());
    let before = trainer.diagnostics().super_resolution;
    for step in 0..150 {
        let m = trainer.step().unwrap_or_else(|e| panic!("{e}"));
        let (content, other) = if step < 3 {
            ("mse", "features")
        } else {
            ("features", "mse")
        };
        assert!(m.terms[content].is_finite(), "{step}: {:?}", m.terms);
        assert!(!m.terms.contains_key(other), "{step}: {:?}", m.terms);
    }
    let after = trainer.diagnostics().super_resolution;
    let (Some(before), Some(after)) = (before, after) else {
        panic!("no SR scores");
    };
    // Matching D's features pulls G's images towards the originals.
    assert!(
        after.psnr > before.psnr + 1.0,
        "SR {} -> {} dB",
        before.psnr,
        after.psnr
    );
    // Without a phase two the feature loss has no place.
    if let TaskSpec::Upscale { adversarial, .. } = &mut p.task {
        *adversarial = false;
    }
    assert!(refusal(&p).contains("phase two"), "{}", refusal(&p));
}

#[test]
fn a_resumed_upscale_run_continues_exactly_across_the_phase_change() {
    let p = small(3);
    assert_resumes_exactly(&p, 2, 3);
}

/// Why `p` is refused ("" when it is not).
fn refusal(p: &Preset) -> String {
    p.validate()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default()
}

#[test]
fn presets_that_mix_the_tasks_networks_are_refused_with_the_reason() {
    let mut p = small(10);
    p.generator = Some(GeneratorSpec::Unet {
        base: 16,
        dropout: 0.5,
    });
    let e = refusal(&p);
    assert!(e.contains("srresnet"), "{e}");
    let mut p = small(10);
    if let TaskSpec::Upscale { scale, .. } = &mut p.task {
        *scale = 3;
    }
    let e = refusal(&p);
    assert!(e.contains("not 2 or 4"), "{e}");
    let mut p = preset("digits-pix2pix");
    p.generator = Some(GeneratorSpec::Srresnet {
        width: 16,
        blocks: 2,
        bicubic_skip: false,
    });
    let e = refusal(&p);
    assert!(e.contains("unet"), "{e}");
}

#[test]
fn upscale_enlarges_any_size_scores_against_a_reference_and_refuses_bad_inputs() {
    use ganscope::cli::upscale::Scoring;
    let cpu = ganscope::protocol::DeviceChoice::Cpu;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = dir.path().join("run");
    let mut trainer = Trainer::new(&small(10), &device::cpu());
    trainer.step().unwrap_or_else(|e| panic!("{e}"));
    trainer
        .save_checkpoint(&run)
        .unwrap_or_else(|e| panic!("{e}"));
    let inputs = dir.path().join("in");
    std::fs::create_dir_all(&inputs).unwrap_or_else(|e| panic!("{e}"));
    let png = |path: &std::path::Path, (width, height): (usize, usize)| {
        let image = ganscope::imaging::RgbaImage {
            width,
            height,
            pixels: (0..width * height * 4)
                .map(|i| (i * 37 % 256) as u8)
                .collect(),
        };
        ganscope::imaging::save_png(&image, path).unwrap_or_else(|e| panic!("{e}"));
    };
    png(&inputs.join("wide.png"), (23, 9));
    png(&inputs.join("square.png"), (8, 8));
    std::fs::write(inputs.join("broken.png"), b"\x89PNG\r\n\x1a\nnot an image")
        .unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("out");
    let outcome = ganscope::cli::upscale::run(&run, &inputs, &out, Scoring::None, cpu);
    let message = outcome.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("1 of 3"), "{message}");
    for (name, size) in [("wide.png", (36, 92)), ("square.png", (32, 32))] {
        let bytes = std::fs::read(out.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (_, h, w) =
            ganscope::cli::apply::decode_any(&bytes, 1).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((h, w), size, "{name}");
    }
    // Scored against a reference of the output's size; refused against another size.
    let reference = dir.path().join("hr.png");
    png(&reference, (32, 32));
    let one = inputs.join("square.png");
    let scored = ganscope::cli::upscale::run(
        &run,
        &one,
        &dir.path().join("sr.png"),
        Scoring::Against(&reference),
        cpu,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(scored.len(), 1);
    for key in ["psnr", "ssim", "bicubic_psnr", "bicubic_ssim"] {
        assert!(scored[0][key].is_number(), "{key}: {scored:?}");
    }
    let wrong = ganscope::cli::upscale::run(
        &run,
        &inputs.join("wide.png"),
        &dir.path().join("sr2.png"),
        Scoring::Against(&reference),
        cpu,
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(wrong.contains("1 of 1"), "{wrong}");
    // A generator that is not an upscaler is refused, naming the kind of preset needed.
    let other = dir.path().join("other");
    Trainer::new(&preset("ring8-mlp"), &device::cpu())
        .save_checkpoint(&other)
        .unwrap_or_else(|e| panic!("{e}"));
    // --evaluate scores each input against itself, shrunk first (to 20x8, then 5x2).
    let evaluated = ganscope::cli::upscale::run(
        &run,
        &inputs.join("wide.png"),
        &dir.path().join("e.png"),
        Scoring::Itself,
        cpu,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        evaluated[0]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("wide.png"))
    );
    let bytes = std::fs::read(dir.path().join("e.png")).unwrap_or_else(|e| panic!("{e}"));
    let (_, h, w) = ganscope::cli::apply::decode_any(&bytes, 1).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((h, w), (8, 20));
    let refused = ganscope::cli::upscale::run(&other, &one, &out, Scoring::None, cpu)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        refused.contains("not a super-resolution generator"),
        "{refused}"
    );
}

#[test]
fn the_app_shows_upscalings_and_compares_sr_with_bicubic_and_the_original_in_the_explorer() {
    use egui_kittest::kittest::Queryable;
    let mut harness = super::ui::harness("digits-sr4");
    super::ui::step_until(&mut harness, |app| app.run_state().info.is_some());
    // Choosing the CPU may reload the run once more after the first load (a step taken in
    // between is reset): press Step once until a step stays.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while harness.state().run_state().curves.is_empty() {
        assert!(std::time::Instant::now() < deadline, "no step was taken");
        if let Some(button) = harness.query_by_label("Step once") {
            button.click();
        }
        for _ in 0..10 {
            std::thread::sleep(std::time::Duration::from_millis(20));
            harness.step();
        }
    }
    super::ui::step_until(&mut harness, |app| app.run_state().samples.is_some());
    harness.run_steps(2);
    assert!(
        harness
            .query_by_label_contains("Upscalings after step")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("bicubic upscaling")
            .is_some()
    );
    harness.get_by_label("Explorer").click();
    harness.run_steps(2);
    assert!(harness.query_by_label_contains("Open an image").is_some());
    assert!(!harness.state().explorer().has_latent_controls());
    // A held-out crop, shrunk and upscaled by the explorer thread: SR beside its original.
    harness.get_by_label("Load held-out crop").click();
    let shown = |app: &ganscope::ui::GanscopeApp| {
        app.explorer()
            .compare()
            .and_then(|c| c.shown())
            .map(|(_, size, original)| (size, original))
    };
    super::ui::step_until(&mut harness, |app| shown(app).is_some());
    assert_eq!(shown(harness.state()), Some(((32, 32), true)));
    // The caption follows within a few frames (more under a loaded machine).
    let caption = "held-out crop 0 (step 1): 32x32 px, shrunk to 8x8 px -> SR 32x32 px (4x)";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while harness.query_by_label_contains(caption).is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "the caption never showed"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
        harness.step();
    }
    assert!(harness.query_by_label("original").is_some());
    // A photo of any size dropped on the window is upscaled as it is; a broken one is refused
    // naming the cause.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let photo = dir.path().join("wide.png");
    image::GrayImage::from_fn(23, 9, |x, y| image::Luma([(x * 11 + y * 7) as u8]))
        .save(&photo)
        .unwrap_or_else(|e| panic!("{e}"));
    let drop = |harness: &mut egui_kittest::Harness<'static, ganscope::ui::GanscopeApp>,
                path: &std::path::Path| {
        let file = super::ui_files::Dropped(path.to_path_buf());
        harness
            .input_mut()
            .dropped_files
            .push(std::sync::Arc::new(file));
        harness.run_steps(1);
    };
    drop(&mut harness, &photo);
    super::ui::step_until(&mut harness, |app| shown(app) == Some(((36, 92), false)));
    harness.run_steps(2);
    assert!(
        harness
            .query_by_label_contains("wide.png: 23x9 px -> SR 92x36 px")
            .is_some()
    );
    let broken = dir.path().join("broken.png");
    std::fs::write(&broken, b"\x89PNG\r\n\x1a\nnot an image").unwrap_or_else(|e| panic!("{e}"));
    drop(&mut harness, &broken);
    super::ui::step_until(&mut harness, |app| {
        app.explorer()
            .compare()
            .and_then(|c| c.error.clone())
            .is_some()
    });
    harness.run_steps(2);
    assert!(
        harness
            .query_by_label_contains("broken.png: cannot be decoded")
            .is_some()
    );
    // Shrink first, ticked by the user, stays ticked for the next image opened (Open
    // image... cleared it), which is then shrunk and compared with itself as the original.
    let ticked =
        |app: &ganscope::ui::GanscopeApp| app.explorer().compare().is_some_and(|c| c.shrink);
    assert!(!ticked(harness.state()));
    harness.get_by_label("Shrink first").click();
    harness.run_steps(2);
    assert!(ticked(harness.state()));
    let big = dir.path().join("big.png");
    image::GrayImage::from_fn(40, 24, |x, y| image::Luma([(x * 5 + y * 3) as u8]))
        .save(&big)
        .unwrap_or_else(|e| panic!("{e}"));
    drop(&mut harness, &big);
    super::ui::step_until(&mut harness, |app| shown(app) == Some(((24, 40), true)));
    assert!(
        ticked(harness.state()),
        "Shrink first stays as the user left it"
    );
}

#[test]
fn the_bench_reports_upscaling_throughput_on_a_512_px_photo() {
    let bench = |p: &Preset| {
        ganscope::cli::bench::run(
            p,
            ganscope::protocol::DeviceChoice::Cpu,
            Some(2),
            false,
            None,
            None,
        )
        .unwrap_or_else(|e| panic!("{e}"))
    };
    let report = bench(&small(10));
    let upscale = &report["upscale"];
    assert_eq!(upscale["input"], "512x512");
    assert_eq!(upscale["output"], "2048x2048");
    let rate = upscale["output_mp_per_s"].as_f64().unwrap_or(0.0);
    assert!(rate.is_finite() && rate > 0.0, "{upscale}");
    // Presets that do not upscale have no such field.
    let other = bench(&preset("ring8-mlp"));
    assert!(other.get("upscale").is_none());
}
