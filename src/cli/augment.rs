//! `ganscope augment`: the augmentation lab headless (see `engine::lab`; the same job the
//! GUI runs, `engine::jobs::measure`). One JSON line per arm and k (`arm`, `per_class`,
//! `ratio`, `accuracy_mean`, `accuracy_std`, plus each seed's accuracy and the per-class
//! recall) as each finishes, the same lines logged into the run folder's `lab/`; then, on
//! stderr, the verdict at each k. Ctrl+C stops after the classifier under way, keeping the
//! lines printed.

use crate::engine::jobs;
use crate::engine::lab::setup;
use crate::engine::snapshot::{self, Snapshot};
use crate::protocol::{DeviceChoice, Experiment, Job, lab};
use std::path::Path;

pub struct Request<'a> {
    pub checkpoint: &'a Path,
    pub per_class: Vec<usize>,
    pub seeds: usize,
    pub steps: Option<usize>,
    pub device: DeviceChoice,
}

pub fn run(request: &Request) -> anyhow::Result<()> {
    let (snapshot, preset) = Snapshot::load(request.checkpoint, request.device)?;
    let experiment = Experiment {
        id: 0,
        per_class: request.per_class.clone(),
        seeds: request.seeds,
        steps: request.steps.unwrap_or(setup::STEPS),
        run_folder: Some(snapshot::locate(request.checkpoint).0),
    };
    let job = Job::new("augmentation experiment");
    let watcher = super::train::cancel_on_interrupt(&job)?;
    let measured = jobs::measure(&snapshot, &experiment, &job, &mut |result| {
        println!("{}", serde_json::to_string(result).unwrap_or_default());
    });
    job.finish();
    let _ = watcher.join();
    let measured = measured.map_err(|e| anyhow::anyhow!("{e}"))?;
    for &k in &experiment.per_class {
        if let Some(verdict) = lab::verdict(&measured.results, k) {
            eprintln!("{}", verdict.sentence);
        }
        if let Some(caveat) = lab::fairness(k, preset.train.real_per_class) {
            eprintln!("  {caveat}");
        }
    }
    eprintln!("{}", measured.summary());
    if let Some(why) = measured.log_error {
        eprintln!("warning: the results could not be logged: {why}");
    }
    Ok(())
}
