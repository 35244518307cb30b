//! The augmentation experiment as a job (see `engine::lab`): set up from the snapshot's
//! preset (the data opened afresh: training's own stream is never touched), run on a thread
//! named `ganscope-lab`, each arm's result reported as it is measured and appended to the
//! run folder's log, and a cancel keeping the arms already measured.

use super::Snapshot;
use crate::engine::lab::{self, log::Log, setup};
use crate::protocol::{ArmResult, Event, Experiment, Job};
use std::path::PathBuf;
use std::sync::Arc;

/// Where a job's events go (the explorer's event channel, waking the front end).
pub type Report = Box<dyn Fn(Event) + Send>;

/// Runs `experiment` on `snapshot` on a thread of its own; every arm arrives through
/// `report` as an [`Event::LabResult`], and the outcome line ends `job`.
pub fn experiment(snapshot: Arc<Snapshot>, experiment: Experiment, job: Job, report: Report) {
    super::spawn("ganscope-lab", job, move |job| {
        let id = experiment.id;
        report(Event::LabStarted {
            experiment: id,
            step: snapshot.step,
        });
        let measured = measure(&snapshot, &experiment, job, &mut |result| {
            report(Event::LabResult {
                experiment: id,
                result: result.clone(),
            });
        })?;
        let line = measured.summary();
        match measured.log_error {
            Some(why) => Err(format!(
                "{line}; but its results could not be logged: {why}"
            )),
            None => Ok(line),
        }
    });
}

/// An experiment measured (all of it, or up to a cancel).
#[derive(Debug)]
pub struct Measured {
    pub results: Vec<ArmResult>,
    /// The log in the run folder.
    pub log: Option<PathBuf>,
    /// Why the log could not be written, if it could not.
    pub log_error: Option<String>,
    pub seconds: f64,
    pub cancelled: bool,
    /// The k values asked for.
    pub per_class: Vec<usize>,
}

impl Measured {
    /// The outcome in a line.
    pub fn summary(&self) -> String {
        let ks: Vec<String> = self.per_class.iter().map(usize::to_string).collect();
        let arms = match self.results.len() {
            1 => "1 arm".to_string(),
            n => format!("{n} arms"),
        };
        let what = if self.cancelled {
            format!("augmentation experiment cancelled after {arms}")
        } else {
            format!(
                "augmentation experiment: {arms} at k = {} in {:.0} s",
                ks.join(", "),
                self.seconds
            )
        };
        match &self.log {
            Some(log) if self.log_error.is_none() => {
                format!("{what}; results in {}", log.display())
            }
            _ => what,
        }
    }
}

/// Runs `experiment` on `snapshot` on this thread: `report` hears of every arm as it is
/// measured, and the run folder (when given) logs it. An error says why the run cannot take
/// the experiment.
pub fn measure(
    snapshot: &Snapshot,
    experiment: &Experiment,
    job: &Job,
    report: &mut dyn FnMut(&ArmResult),
) -> Result<Measured, String> {
    let started = std::time::Instant::now();
    let preset = snapshot
        .preset()
        .ok_or("this snapshot of G does not say which preset trained it")?;
    if experiment.per_class.is_empty() || experiment.per_class.contains(&0) {
        return Err("the experiment needs k of at least 1 real image per class".into());
    }
    if experiment.seeds == 0 || experiment.steps == 0 {
        return Err("the experiment needs at least one seed and one classifier step".into());
    }
    let setup = setup::setup(
        preset,
        snapshot,
        experiment.per_class.clone(),
        experiment.seeds,
        experiment.steps,
    )?;
    let (mut log, mut log_error) = match &experiment.run_folder {
        Some(folder) => match Log::create(folder, snapshot.step) {
            Ok(log) => (Some(log), None),
            Err(e) => (None, Some(format!("{}: {e}", folder.display()))),
        },
        None => (None, None),
    };
    let results = lab::run(
        &setup.plan,
        &setup.pool,
        &setup.test,
        &mut |n| setup::synthetic(snapshot, &setup, n),
        job,
        &mut |result| {
            if let Some(file) = &mut log
                && let Err(e) = file.append(result)
            {
                log_error.get_or_insert_with(|| format!("{}: {e}", file.path().display()));
            }
            report(result);
        },
        snapshot.device(),
    )
    .map_err(|e| format!("preset '{}': {e}", preset.name))?;
    Ok(Measured {
        results,
        log: log.map(|l| l.path().to_path_buf()),
        log_error,
        seconds: started.elapsed().as_secs_f64(),
        cancelled: job.cancelled(),
        per_class: experiment.per_class.clone(),
    })
}
