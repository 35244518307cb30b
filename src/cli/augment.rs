//! `ganscope augment`: the augmentation lab headless (see `engine::lab`; the experiment's
//! real images and sizes from `engine::lab::setup`). One JSON line per arm and k (`arm`,
//! `per_class`, `ratio`, `accuracy_mean`, `accuracy_std`, plus each seed's accuracy and the
//! per-class recall) as each finishes; Ctrl+C stops after the classifier under way, keeping
//! the lines printed.

use crate::engine::lab::{self, setup};
use crate::engine::snapshot::Snapshot;
use crate::protocol::{DeviceChoice, Job};
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
    let setup = setup::setup(
        &preset,
        &snapshot,
        request.per_class.clone(),
        request.seeds,
        request.steps.unwrap_or(setup::STEPS),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let job = Job::new("augmentation experiment");
    let watcher = super::train::cancel_on_interrupt(&job)?;
    let device = crate::engine::device::open(request.device, false).device;
    let outcome = lab::run(
        &setup.plan,
        &setup.pool,
        &setup.test,
        &mut |n| setup::synthetic(&snapshot, &setup, n),
        &job,
        &mut |result| println!("{}", serde_json::to_string(result).unwrap_or_default()),
        &device,
    );
    job.finish();
    let _ = watcher.join();
    outcome.map_err(|e| anyhow::anyhow!("preset '{}': {e}", preset.name))?;
    Ok(())
}
