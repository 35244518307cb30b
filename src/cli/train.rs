//! `ganscope train`: headless training into a run folder.
//!
//! The folder (see [`crate::runs`] for its layout) gets `preset.toml`, `metrics.jsonl`,
//! `events.jsonl`, `samples/` every `sample_every` steps (and at the start and end),
//! `generator.bpk`, and `checkpoints/step_NNNNNNN/` every `--checkpoint-every` steps and at
//! the end. Ctrl+C stops the job cleanly after the current step, saving both.
//!
//! `--resume` continues from a checkpoint: in its own run folder the run is cut back to the
//! checkpoint's step (later metrics, samples and checkpoints are removed) and the curves go
//! on from there; into another `--out` folder
//! it is a fork, which starts with a copy of the metrics up to that step (and may use another
//! preset of the same architecture, e.g. a different learning rate).

use crate::engine::trainer::TrainError;
use crate::engine::trainer::checkpoint;
use crate::engine::{Trainer, device};
use crate::preset::Preset;
use crate::protocol::DeviceChoice;
use crate::runs::{EventKind, lock::RunLock, record::Recorder};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Checkpoint and stop options of a training job.
#[derive(Clone, Debug, Default)]
pub struct Checkpointing {
    /// Save a checkpoint every this many steps (besides the one at the end).
    pub every: Option<u64>,
    /// Continue from this checkpoint folder.
    pub resume: Option<PathBuf>,
    /// Set to stop early (Ctrl+C does it for the command line): the job ends after the
    /// current step with its checkpoint and samples saved, as if that were the last step.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Stop once the run has trained this many seconds (its `wall_s`: training alone, not
    /// the measurements and samples between steps), with a last measurement of the
    /// diagnostics at that step: runs compared at equal training time.
    pub seconds: Option<f64>,
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
    let opened =
        device::open(choice, preset.dataset.is_points()).map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(notice) = &opened.notice {
        eprintln!("note: {notice}");
    }
    let continuing_here = checkpoints
        .resume
        .as_ref()
        .and_then(|c| checkpoint::run_of(c).ok())
        .is_some_and(|run| crate::runs::same_folder(&run, out));
    if !continuing_here
        && (out.join(crate::runs::METRICS).exists() || out.join(crate::runs::PRESET).exists())
    {
        anyhow::bail!(
            "{} already holds a run: give --resume {} to continue it, or another --out",
            out.display(),
            out.display()
        );
    }
    // File data is read first, with a progress bar; the run then takes it from the cache.
    let _data = crate::cli::data::read_with_progress(preset)?;
    let mut trainer = Trainer::try_new(preset, &opened)?;
    // A run measured only at its end (`--seconds`) still gets its class coverage and
    // Fréchet distance: the reference classifier loads while it trains.
    trainer.prepare_measurements();
    if let Some(notice) = trainer.data_notice() {
        eprintln!("note: {notice}");
    }
    let mut lock = None;
    let history = match &checkpoints.resume {
        Some(checkpoint) => {
            trainer.load_checkpoint(checkpoint)?;
            if let Some(changed) = trainer.data_changed() {
                eprintln!("note: {changed}");
            }
            eprintln!(
                "resumed from {} at step {}",
                checkpoint.display(),
                trainer.steps_done()
            );
            let run = checkpoint::run_of(checkpoint)?;
            let history = if continuing_here {
                lock = Some(RunLock::acquire(&run)?);
                crate::runs::truncate_after(&run, trainer.steps_done())?
            } else {
                crate::runs::history_until(&run, trainer.steps_done())
            };
            if history.unreadable > 0 {
                eprintln!(
                    "note: {} unreadable line(s) of {} were left out; every readable step was \
                     kept",
                    history.unreadable,
                    run.join(crate::runs::METRICS).display()
                );
            }
            history.text
        }
        None => String::new(),
    };
    let recorder = match lock {
        Some(lock) => Recorder::create_locked(out, preset, &history, lock)?,
        None => Recorder::create(out, preset, &history)?,
    };
    if let Some(checkpoint) = &checkpoints.resume {
        recorder.event(
            trainer.steps_done(),
            EventKind::Resume,
            format!("continued from {}", checkpoint.display()),
        );
    }
    eprintln!(
        "training {} on {} ({}) for {steps} steps into {}",
        preset.name,
        opened.info.name,
        opened.info.backend,
        out.display()
    );
    recorder.event(
        trainer.steps_done(),
        EventKind::Train,
        format!("training {steps} steps headless on {}", opened.info.name),
    );
    recorder.samples(trainer.steps_done(), trainer.samples());
    let bar = ProgressBar::new(steps).with_style(ProgressStyle::with_template(
        "{bar:40} {pos}/{len} steps  {per_sec}  eta {eta}  {msg}",
    )?);
    let train = &preset.train;
    let cancelled = || {
        checkpoints
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    };
    let mut outcome = Ok(());
    for _ in 0..steps {
        if cancelled() {
            bar.println("stopping early: saving the samples and a checkpoint");
            break;
        }
        let m = match trainer.step() {
            Ok(m) => m,
            // Nothing more can be read from a device that stopped answering: the run keeps
            // what is on disk (its metrics, and its last checkpoint, intact).
            Err(e @ TrainError::Device(_)) => {
                bar.finish();
                let step = trainer.steps_done();
                recorder.event(
                    step,
                    EventKind::Pause,
                    format!("stopped after step {step}: {e}"),
                );
                recorder.finish()?;
                let last = checkpoint::resolve(out).map_or("no checkpoint yet".into(), |c| {
                    format!(
                        "its last checkpoint is {}: `ganscope train --resume {} --device ...` \
                         continues it",
                        c.display(),
                        out.display()
                    )
                });
                anyhow::bail!("{e}\nthe run is in {} ({last})", out.display());
            }
            Err(e) => {
                outcome = Err(anyhow::anyhow!(e));
                break;
            }
        };
        let out_of_time = checkpoints.seconds.is_some_and(|s| m.wall_s >= s);
        let diagnostics = (m.step.is_multiple_of(train.metrics_every) || out_of_time)
            .then(|| trainer.diagnostics());
        let alarms = trainer.take_alarms();
        for alarm in &alarms {
            let text = format!("{}. {}.", alarm.saw, alarm.helps);
            bar.println(format!("step {}: {text}", alarm.step));
            recorder.event(alarm.step, EventKind::Alarm, text);
        }
        recorder.step(&m, diagnostics.as_ref(), &alarms);
        if let Some(text) = trainer.phase_change() {
            bar.println(format!("step {}: {text}", m.step));
            recorder.event(m.step, EventKind::Phase, text);
        }
        bar.set_message(format!(
            "D {:.3} G {:.3} D(x) {:.2} D(G(z)) {:.2}",
            m.d_loss, m.g_loss, m.d_real, m.d_fake
        ));
        bar.inc(1);
        if m.step % train.sample_every == 0 {
            recorder.samples(m.step, trainer.samples());
        }
        if checkpoints.every.is_some_and(|n| m.step % n == 0) {
            save_checkpoint(&trainer, &recorder)?;
        }
        if let Some(error) = recorder.take_error() {
            anyhow::bail!(error);
        }
        if out_of_time {
            bar.println(format!(
                "step {}: {:.0} s of training reached: saving the samples and a checkpoint",
                m.step, m.wall_s
            ));
            break;
        }
    }
    bar.finish();
    let step = trainer.steps_done();
    recorder.event(step, EventKind::Pause, format!("stopped after step {step}"));
    if !step.is_multiple_of(train.sample_every) {
        recorder.samples(step, trainer.samples());
    }
    save_checkpoint(&trainer, &recorder)?;
    trainer.export_generator(out)?;
    recorder.finish()?;
    eprintln!("wrote {}", out.display());
    outcome
}

/// Save a checkpoint once every metric line before it is on disk, and log it.
fn save_checkpoint(trainer: &Trainer, recorder: &Recorder) -> anyhow::Result<()> {
    recorder.sync()?;
    let path = trainer.save_checkpoint(recorder.folder())?;
    recorder.event(
        trainer.steps_done(),
        EventKind::Checkpoint,
        format!("saved {}", path.display()),
    );
    Ok(())
}

/// A flag that the first Ctrl+C sets (the job then stops cleanly); a second Ctrl+C ends the
/// process at once.
pub fn interrupt_flag() -> anyhow::Result<Arc<AtomicBool>> {
    use signal_hook::consts::SIGINT;
    let flag = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register_conditional_shutdown(SIGINT, 130, flag.clone())?;
    signal_hook::flag::register(SIGINT, flag.clone())?;
    Ok(flag)
}

/// A thread that cancels `job` at the first Ctrl+C (a second one ends the process) and ends
/// once the job is finished: join it after calling `job.finish()`.
pub fn cancel_on_interrupt(
    job: &crate::protocol::Job,
) -> anyhow::Result<std::thread::JoinHandle<()>> {
    let stop = interrupt_flag()?;
    let job = job.clone();
    Ok(std::thread::spawn(move || {
        while !job.is_finished() {
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                job.cancel();
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }))
}

/// Default run folder for a preset: a new one under `runs/`.
pub fn default_out(preset: &Preset) -> anyhow::Result<PathBuf> {
    Ok(crate::runs::new_folder(Path::new("runs"), &preset.name)?)
}
