//! `ganscope bench`: throughput of training and generation on one device, after a warm-up,
//! printed as one JSON line. Optionally also the GUI's frame time while the engine trains flat
//! out (headless egui: layout and tessellation, no GPU painting).

use crate::engine::profile::Phase;
use crate::engine::{self, Trainer, device};
use crate::kernels::{Kernels, bench};
use crate::preset::ModelSpec;
use crate::preset::Preset;
use crate::protocol::DeviceChoice;
use crate::ui;
use serde_json::json;
use std::time::Instant;

pub fn run(
    preset: &Preset,
    choice: DeviceChoice,
    steps: Option<u64>,
    profile: bool,
    ui_seconds: Option<f64>,
    explore_seconds: Option<f64>,
) -> anyhow::Result<serde_json::Value> {
    let opened =
        device::open(choice, preset.dataset.is_points()).map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(notice) = &opened.notice {
        eprintln!("note: {notice}");
    }
    let points = preset.dataset.is_points();
    let steps = steps.unwrap_or(if points { 2000 } else { 30 }).max(1);
    let warmup = (steps / 10).clamp(3, 200);
    let batch = preset.train.batch_size;
    let mut trainer = Trainer::try_new(preset, &opened)?;
    // A growing model is timed at every level, each once faded in; the headline number is
    // the last level's, comparable with a network that trains at that size throughout.
    let mut levels = Vec::new();
    if let Some(growth) = preset.growth().filter(|g| g.levels() > 1) {
        for level in 0..growth.levels() {
            let at = if level == 0 {
                0
            } else {
                growth.fade_start(level) + growth.fade_steps
            };
            trainer.clock_to(at);
            let seconds = timed(&mut trainer, warmup, steps)?;
            levels.push(json!({
                "level": level,
                "resolution": growth.start << level,
                "train_img_per_s": (steps as usize * batch) as f64 / seconds,
            }));
        }
    }
    let train_s = timed(&mut trainer, warmup, steps)?;

    // Generation: G in inference mode on fresh z, read back to the host each time.
    let gen_rounds = if points { 200 } else { 20 };
    trainer.generate(batch);
    let started = Instant::now();
    for _ in 0..gen_rounds {
        trainer.generate(batch);
    }
    let gen_s = started.elapsed().as_secs_f64();

    let mut report = json!({
        "preset": preset.name,
        "backend": opened.info.backend,
        "device": opened.info.name,
        "batch_size": batch,
        "d_steps": preset.train.d_steps,
        "unit": if points { "points" } else { "images" },
        "warmup_steps": warmup,
        "steps": steps,
        "train_steps_per_s": steps as f64 / train_s,
        "train_img_per_s": (steps as usize * batch) as f64 / train_s,
        "gen_img_per_s": (gen_rounds * batch) as f64 / gen_s,
    });
    if !levels.is_empty() {
        report["levels"] = levels.into();
    }
    if let Some(upscaler) = trainer.upscaler() {
        report["upscale"] = upscale_report(&upscaler)?;
    }
    if profile {
        trainer.start_profiling();
        for _ in 0..steps {
            trainer.step()?;
        }
        if let Some(times) = trainer.phase_times() {
            let total = times.total();
            let shares: serde_json::Map<String, serde_json::Value> = Phase::ALL
                .iter()
                .map(|&p| (p.name().to_string(), json!(times.get(p) / total)))
                .collect();
            report["profile_ms_per_step"] = json!(total * 1000.0 / steps as f64);
            report["profile_share"] = shares.into();
        }
    }
    if let Some(seconds) = ui_seconds {
        report["ui"] = frame_report(preset, choice, seconds);
    }
    if let Some(seconds) = explore_seconds {
        drop(trainer); // Free the cores for the explorer session's own training.
        report["explorer"] = explore_report(preset, choice, seconds);
    }
    Ok(report)
}

/// Seconds for `steps` training steps after `warmup` untimed ones.
fn timed(trainer: &mut Trainer, warmup: u64, steps: u64) -> anyhow::Result<f64> {
    for _ in 0..warmup {
        trainer.step()?;
    }
    let started = Instant::now();
    for _ in 0..steps {
        trainer.step()?;
    }
    Ok(started.elapsed().as_secs_f64())
}

/// The side of the photo a super-resolution G upscales in the bench.
const UPSCALE_SIDE: usize = 512;

/// How fast a super-resolution G upscales a [`UPSCALE_SIDE`]² photo (tiled, as `ganscope
/// upscale` and the explorer do), after one warm-up: seconds for one photo, and megapixels
/// of output (and of input) per second.
fn upscale_report(
    upscaler: &crate::engine::upscaler::Upscaler,
) -> anyhow::Result<serde_json::Value> {
    let (c, side) = (upscaler.channels(), UPSCALE_SIDE);
    // A photo-like image: smooth gradients with some texture (speed does not depend on it).
    let photo: Vec<f32> = (0..c * side * side)
        .map(|i| {
            let (y, x) = ((i / side) % side, i % side);
            ((x as f32 * 0.05).sin() * (y as f32 * 0.031).cos() * 0.8).clamp(-1.0, 1.0)
        })
        .collect();
    let warm = upscaler.upscale(&photo[..c * 64 * 64], (64, 64));
    warm.map_err(|e| anyhow::anyhow!(e))?;
    let started = Instant::now();
    upscaler
        .upscale(&photo, (side, side))
        .map_err(|e| anyhow::anyhow!(e))?;
    let seconds = started.elapsed().as_secs_f64();
    let out_side = side * upscaler.scale();
    Ok(json!({
        "input": format!("{side}x{side}"),
        "output": format!("{out_side}x{out_side}"),
        "seconds": seconds,
        "output_mp_per_s": (out_side * out_side) as f64 / 1e6 / seconds,
        "input_mp_per_s": (side * side) as f64 / 1e6 / seconds,
    }))
}

/// Time each convolution of the preset's DCGAN with burn's kernels and with ganscope's, on
/// the CPU, at the preset's batch size.
pub fn compare_kernels(preset: &Preset) -> anyhow::Result<serde_json::Value> {
    let Some(ModelSpec::Dcgan {
        latent_dim,
        ngf,
        ndf,
        ..
    }) = &preset.model
    else {
        anyhow::bail!(
            "--compare-kernels times the layers of a DCGAN preset; '{}' is not one",
            preset.name
        );
    };
    let size = preset
        .dataset
        .image_size()
        .ok_or_else(|| anyhow::anyhow!("'{}' has no image size", preset.name))?;
    let (channels, _) = preset.image_channels();
    let batch = preset.train.batch_size;
    let layers = bench::dcgan_layers(*latent_dim, channels, size, *ngf, *ndf, batch);
    let mut rows = Vec::new();
    let (mut builtin_total, mut folded_total) = (0.0, 0.0);
    for layer in &layers {
        let builtin = bench::time_layer(layer, Kernels::Builtin, 7);
        let folded = bench::time_layer(layer, Kernels::Folded, 7);
        builtin_total += builtin.forward_ms + builtin.backward_ms;
        folded_total += folded.forward_ms + folded.backward_ms;
        rows.push(json!({
            "layer": layer.name,
            "op": if layer.transposed { "conv_transpose2d" } else { "conv2d" },
            "input": layer.input,
            "weight": layer.weight,
            "stride": layer.stride,
            "padding": layer.padding,
            "builtin_forward_ms": builtin.forward_ms,
            "folded_forward_ms": folded.forward_ms,
            "builtin_backward_ms": builtin.backward_ms,
            "folded_backward_ms": folded.backward_ms,
            "speedup": (builtin.forward_ms + builtin.backward_ms)
                / (folded.forward_ms + folded.backward_ms).max(1e-9),
        }));
    }
    Ok(json!({
        "preset": preset.name,
        "batch_size": batch,
        "threads": rayon::current_num_threads(),
        "layers": rows,
        "builtin_total_ms": builtin_total,
        "folded_total_ms": folded_total,
    }))
}

/// Drag an explorer slider (or, for an image-to-image G, draw a stroke on the canvas) in the
/// real app (headless) while its engine trains, and summarise the time from each change to
/// its image on screen. Slider runs keep their `slider_*` keys; stroke runs report
/// `stroke_*`.
fn explore_report(preset: &Preset, choice: DeviceChoice, seconds: f64) -> serde_json::Value {
    let (wake_tx, woken) = crossbeam_channel::bounded(1);
    let link = engine::spawn(move || {
        let _ = wake_tx.try_send(());
    });
    let run = ui::headless::explore_latency(link, &woken, preset.clone(), choice, seconds);
    let latency = ui::frame_stats::summarize(&run.latency_ms);
    let frames = ui::frame_stats::summarize(&run.frame_ms);
    let input = if run.stroke { "stroke" } else { "slider" };
    json!({
        "input": input,
        format!("{input}_changes_shown"): run.latency_ms.len(),
        format!("{input}_to_texture_ms_p50"): latency.p50,
        format!("{input}_to_texture_ms_p99"): latency.p99,
        format!("{input}_to_texture_ms_max"): latency.max,
        "frame_ms_p50": frames.p50,
        "frame_ms_p99": frames.p99,
        "steps_per_s_while_exploring": run.steps as f64 / run.seconds,
    })
}

/// Drive the real app headless while its engine trains, and summarise frame times.
fn frame_report(preset: &Preset, choice: DeviceChoice, seconds: f64) -> serde_json::Value {
    let link = engine::spawn(|| {});
    let frames = ui::headless::frame_times(link, preset.clone(), choice, seconds);
    let stats = ui::frame_stats::summarize(&frames.frame_ms);
    json!({
        "frames": frames.frame_ms.len(),
        "frame_ms_p50": stats.p50,
        "frame_ms_p99": stats.p99,
        "frame_ms_max": stats.max,
        "steps_while_drawing": frames.steps,
        "steps_per_s_while_drawing": frames.steps as f64 / seconds,
    })
}
