//! `ganscope synthesize`: a labelled synthetic set from a trained generator — `--per-class`
//! images of every class (a conditional G is told the class; an unconditional one's samples
//! are labelled by the data set's reference classifier, kept when read with at least
//! `--min-confidence`), as an image folder with one subfolder per class
//! (which `--data` and the "Your data" window read back) and, for grey images, an IDX pair
//! (see `data::files::write`). The same job as the explorer's "Synthetic set" export
//! (`engine::jobs`). Prints one JSON line: where, how many, how long. Ctrl+C stops it with
//! nothing half-written left behind.

use crate::engine::jobs;
use crate::engine::snapshot::Snapshot;
use crate::protocol::{DeviceChoice, Job, Synthesis};
use std::path::Path;

/// What to make.
pub struct Request<'a> {
    pub checkpoint: &'a Path,
    pub per_class: usize,
    /// Truncation ψ (1: none).
    pub psi: f32,
    /// The confidence an unconditional G's samples must be read with (see
    /// `engine::labelling`).
    pub min_confidence: f32,
    pub out: &'a Path,
    pub device: DeviceChoice,
}

pub fn run(request: &Request) -> anyhow::Result<()> {
    if !(0.0..=1.0).contains(&request.psi) {
        anyhow::bail!("--psi {} is not in [0, 1] (1: no truncation)", request.psi);
    }
    if !(0.0..=1.0).contains(&request.min_confidence) {
        anyhow::bail!(
            "--min-confidence {} is not in [0, 1]",
            request.min_confidence
        );
    }
    let (snapshot, preset) = Snapshot::load(request.checkpoint, request.device)?;
    let synthesis = Synthesis {
        per_class: request.per_class,
        psi: request.psi,
        min_confidence: request.min_confidence,
        // A run folder's generator.bpk is what `train` exports: the average when it keeps one.
        ema: true,
        class_names: snapshot.class_names().to_vec(),
        dest: request.out.to_path_buf(),
    };
    let job = Job::new("synthetic set");
    let watcher = super::train::cancel_on_interrupt(&job)?;
    let outcome = jobs::write_synthetic(&snapshot, &synthesis, &job);
    job.finish();
    let _ = watcher.join();
    let written = outcome.map_err(|why| anyhow::anyhow!("preset '{}': {why}", preset.name))?;
    let line = serde_json::json!({
        "out": written.folder.display().to_string(),
        "images": written.images,
        "per_class": request.per_class,
        "classes": written.classes,
        "psi": request.psi,
        "idx": written.idx,
        "seconds": written.seconds,
    });
    println!("{line}");
    Ok(())
}
