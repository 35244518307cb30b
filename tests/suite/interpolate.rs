//! The headless subcommands on saved runs: `interpolate` (strips, GIFs, 2-D paths), `sample`
//! (CSV points) and what `train` logs, with clear errors for folders that hold no matching
//! generator.

use super::common::preset;
use ganscope::cli::interpolate::{self, WalkSpec};
use ganscope::cli::train;
use ganscope::latent::InterpMode;
use ganscope::protocol::DeviceChoice;
use image::{AnimationDecoder, GenericImageView};

/// The error a run ended with, as the CLI prints it.
fn error_of(result: anyhow::Result<()>) -> String {
    format!(
        "{:#}",
        result.err().unwrap_or_else(|| anyhow::anyhow!("no error"))
    )
}

fn walk(frames: usize) -> WalkSpec {
    WalkSpec {
        from: 3,
        to: 11,
        frames,
        mode: InterpMode::Slerp,
        psi: 1.0,
        class: None,
    }
}

#[test]
fn a_saved_dcgan_walks_into_a_strip_and_a_gif() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = dir.path().join("run");
    train::run(&preset("digits-dcgan"), 3, DeviceChoice::Cpu, &run)
        .unwrap_or_else(|e| panic!("{e}"));
    let (png, gif) = (dir.path().join("strip.png"), dir.path().join("walk.gif"));
    interpolate::run(&run, walk(6), DeviceChoice::Cpu, &png, Some(&gif))
        .unwrap_or_else(|e| panic!("{e}"));
    let strip = image::open(&png).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (strip.width(), strip.height()),
        (6 * 32 + 7 * 2, 32 + 2 * 2)
    );
    let file = std::fs::File::open(&gif).unwrap_or_else(|e| panic!("{e}"));
    let frames = image::codecs::gif::GifDecoder::new(std::io::BufReader::new(file))
        .and_then(|d| d.into_frames().collect_frames())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(frames.len(), 6 + 4, "there and back");

    // The .bpk path works as well as the folder, and lerp differs from slerp inside.
    let lerp = dir.path().join("lerp.png");
    let spec = WalkSpec {
        mode: InterpMode::Lerp,
        ..walk(6)
    };
    interpolate::run(
        &run.join("generator.bpk"),
        spec,
        DeviceChoice::Cpu,
        &lerp,
        None,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let lerp = image::open(&lerp).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(lerp.dimensions(), strip.dimensions());
    assert_ne!(lerp.as_bytes(), strip.as_bytes());

    // Weights of one architecture under another's preset: an error, not a panic.
    let mismatch = dir.path().join("mismatch");
    std::fs::create_dir_all(&mismatch).unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(run.join("generator.bpk"), mismatch.join("generator.bpk"))
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(
        super::common::presets_dir().join("ring8-mlp.toml"),
        mismatch.join("preset.toml"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let refused = interpolate::run(&mismatch, walk(4), DeviceChoice::Cpu, &png, None);
    let message = error_of(refused);
    assert!(message.contains("not a generator"), "{message}");
}

#[test]
fn a_2d_walk_is_drawn_over_the_data_and_bad_folders_are_refused() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = dir.path().join("ring");
    train::run(&preset("ring8-mlp"), 10, DeviceChoice::Cpu, &run).unwrap_or_else(|e| panic!("{e}"));
    let png = dir.path().join("path.png");
    interpolate::run(&run, walk(10), DeviceChoice::Cpu, &png, None)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(image::open(&png).map(|i| i.width()).unwrap_or(0), 512);
    let gif = interpolate::run(
        &run,
        walk(10),
        DeviceChoice::Cpu,
        &png,
        Some(&dir.path().join("x.gif")),
    );
    assert!(gif.is_err_and(|e| e.to_string().contains("image model")));

    let missing = interpolate::run(
        &dir.path().join("nowhere"),
        walk(4),
        DeviceChoice::Cpu,
        &png,
        None,
    );
    let message = error_of(missing);
    assert!(message.contains("preset.toml"), "{message}");

    // A folder whose preset does not match its weights.
    std::fs::copy(
        super::common::presets_dir().join("grid25-mlp.toml"),
        run.join("preset.toml"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(run.join("generator.bpk"), b"not a burnpack file")
        .unwrap_or_else(|e| panic!("{e}"));
    let corrupt = interpolate::run(&run, walk(4), DeviceChoice::Cpu, &png, None);
    let message = error_of(corrupt);
    assert!(message.contains("not a generator"), "{message}");
    assert!(
        interpolate::run(&run, walk(1), DeviceChoice::Cpu, &png, None).is_err(),
        "1 frame"
    );
}

#[test]
fn sample_writes_csv_points_from_a_run_or_a_preset_and_train_logs_mode_metrics() {
    use ganscope::cli::sample::{self, Source};
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = dir.path().join("ring");
    train::run(&preset("ring8-mlp"), 200, DeviceChoice::Cpu, &run)
        .unwrap_or_else(|e| panic!("{e}"));
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(run.join("metrics.jsonl"))
        .unwrap_or_else(|e| panic!("{e}"))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    assert_eq!(lines.len(), 200);
    let measured: Vec<u64> = lines
        .iter()
        .filter(|l| l.get("diagnostics").is_some())
        .map(|l| l["step"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(measured, vec![100, 200], "every metrics_every steps");
    let modes = &lines[199]["diagnostics"]["modes"];
    assert_eq!(modes["modes"], 8);
    assert!(
        modes["high_quality"]
            .as_f64()
            .is_some_and(|h| (0.0..=1.0).contains(&h))
    );
    assert!(lines[0]["g_grad_norm"].as_f64().is_some_and(|g| g > 0.0));

    let csv = dir.path().join("points.csv");
    sample::run(Source::Checkpoint(run), 2500, DeviceChoice::Cpu, &csv)
        .unwrap_or_else(|e| panic!("{e}"));
    let text = std::fs::read_to_string(&csv).unwrap_or_else(|e| panic!("{e}"));
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows[0], "x,y");
    assert_eq!(rows.len(), 2501);
    assert!(
        rows[1..]
            .iter()
            .all(|r| r.split(',').filter_map(|v| v.parse::<f32>().ok()).count() == 2)
    );

    let from_preset = Source::Preset {
        preset: Box::new(preset("grid25-mlp")),
        steps: 5,
    };
    sample::run(from_preset, 100, DeviceChoice::Cpu, &csv).unwrap_or_else(|e| panic!("{e}"));
    let images = Source::Preset {
        preset: Box::new(preset("digits-dcgan")),
        steps: 0,
    };
    let refused = sample::run(images, 10, DeviceChoice::Cpu, &csv);
    assert!(error_of(refused).contains("2-D points"));
}
