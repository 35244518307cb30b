//! `ganscope train`: headless training into a run folder.
//!
//! The folder gets `preset.toml` (the exact configuration, seed included), `metrics.jsonl`
//! (one JSON object per step: step, g_loss, d_loss, d_real, d_fake, g_grad_norm, d_grad_norm,
//! wall_s; every `metrics_every` steps also `diagnostics` (mode metrics or image diversity and
//! D's output histograms), and `alarms` when a rule of thumb fires), `samples/` with a
//! PNG of the fixed-latent samples every `sample_every` steps (and at the start and end),
//! `generator.bpk`, G's weights in burn's burnpack format, and `checkpoints/step_NNNNNNN/` (see
//! [`crate::engine::trainer::checkpoint`]) every `--checkpoint-every` steps and at the end.
//!
//! `--resume` continues from a checkpoint: in its own run folder the metrics after the
//! checkpoint's step are dropped and the curves go on from there; into another `--out` folder
//! it is a fork, which starts with a copy of the metrics up to that step (and may use another
//! preset of the same architecture, e.g. a different learning rate).

use crate::engine::trainer::checkpoint;
use crate::engine::{Trainer, device};
use crate::imaging;
use crate::preset::Preset;
use crate::protocol::DeviceChoice;
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Checkpoint options of a training job.
#[derive(Clone, Debug, Default)]
pub struct Checkpointing {
    /// Save a checkpoint every this many steps (besides the one at the end).
    pub every: Option<u64>,
    /// Continue from this checkpoint folder.
    pub resume: Option<PathBuf>,
}

/// Train a fresh run of `preset` for `steps` steps into `out`.
pub fn run(preset: &Preset, steps: u64, choice: DeviceChoice, out: &Path) -> anyhow::Result<()> {
    run_with(preset, steps, choice, out, &Checkpointing::default())
}

/// Train `steps` steps into `out`, resuming or forking when `checkpoints.resume` is set.
pub fn run_with(
    preset: &Preset,
    steps: u64,
    choice: DeviceChoice,
    out: &Path,
    checkpoints: &Checkpointing,
) -> anyhow::Result<()> {
    let opened = device::open(choice, preset.dataset.is_points());
    if let Some(notice) = &opened.notice {
        eprintln!("note: {notice}");
    }
    std::fs::create_dir_all(out.join("samples"))
        .with_context(|| format!("cannot create {}", out.display()))?;
    let mut trainer = Trainer::new(preset, &opened);
    let history = match &checkpoints.resume {
        Some(checkpoint) => {
            trainer.load_checkpoint(checkpoint)?;
            eprintln!(
                "resumed from {} at step {}",
                checkpoint.display(),
                trainer.steps_done()
            );
            history_until(checkpoint, trainer.steps_done())?
        }
        None => String::new(),
    };
    std::fs::write(out.join("preset.toml"), toml::to_string(preset)?)?;
    let mut metrics = std::io::BufWriter::new(std::fs::File::create(out.join("metrics.jsonl"))?);
    metrics.write_all(history.as_bytes())?;
    eprintln!(
        "training {} on {} ({}) for {steps} steps into {}",
        preset.name,
        opened.info.name,
        opened.info.backend,
        out.display()
    );
    write_samples(&trainer, out)?;
    let bar = ProgressBar::new(steps).with_style(ProgressStyle::with_template(
        "{bar:40} {pos}/{len} steps  {per_sec}  eta {eta}  {msg}",
    )?);
    let every = preset.train.sample_every;
    let mut outcome = Ok(());
    for _ in 0..steps {
        match trainer.step() {
            Ok(m) => {
                let mut line = serde_json::to_value(m)?;
                if m.step % preset.train.metrics_every == 0 {
                    line["diagnostics"] = serde_json::to_value(trainer.diagnostics())?;
                }
                let alarms = trainer.take_alarms();
                for alarm in &alarms {
                    bar.println(format!(
                        "step {}: {}. {}.",
                        alarm.step, alarm.saw, alarm.helps
                    ));
                }
                if !alarms.is_empty() {
                    line["alarms"] = serde_json::to_value(&alarms)?;
                }
                serde_json::to_writer(&mut metrics, &line)?;
                metrics.write_all(b"\n")?;
                bar.set_message(format!(
                    "D {:.3} G {:.3} D(x) {:.2} D(G(z)) {:.2}",
                    m.d_loss, m.g_loss, m.d_real, m.d_fake
                ));
                bar.inc(1);
                if m.step % every == 0 {
                    write_samples(&trainer, out)?;
                }
                if checkpoints.every.is_some_and(|n| m.step % n == 0) {
                    metrics.flush()?;
                    trainer.save_checkpoint(out)?;
                }
            }
            Err(e) => {
                outcome = Err(anyhow::anyhow!(e));
                break;
            }
        }
    }
    bar.finish();
    metrics.flush()?;
    write_samples(&trainer, out)?;
    trainer.save_checkpoint(out)?;
    trainer.export_generator(out)?;
    eprintln!("wrote {}", out.display());
    outcome
}

/// The metrics lines of the run a checkpoint belongs to, up to and including `step`.
fn history_until(checkpoint: &Path, step: u64) -> anyhow::Result<String> {
    let run = checkpoint::run_of(checkpoint)?;
    let Ok(text) = std::fs::read_to_string(run.join("metrics.jsonl")) else {
        return Ok(String::new());
    };
    let mut kept = String::new();
    for line in text.lines() {
        let parsed: Option<serde_json::Value> = serde_json::from_str(line).ok();
        if parsed
            .as_ref()
            .and_then(|v| v["step"].as_u64())
            .is_some_and(|s| s <= step)
        {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    Ok(kept)
}

/// Default run folder for a preset.
pub fn default_out(preset: &Preset) -> PathBuf {
    PathBuf::from("runs").join(format!("{}-{}", preset.name, super::unix_time()))
}

fn write_samples(trainer: &Trainer, out: &Path) -> anyhow::Result<()> {
    let image = imaging::picture(&trainer.samples(), imaging::SCATTER_PX);
    let path = out
        .join("samples")
        .join(format!("step_{:07}.png", trainer.steps_done()));
    imaging::save_png(&image, &path)
}
