//! Long jobs run from a snapshot of G on threads of their own, so training and the explorer
//! never wait for them: each reports progress through its [`Job`], stops at a cancel with
//! nothing half-written left behind, and ends with an outcome line for the user.

mod experiment;

use super::snapshot::Snapshot;
use crate::data::SampleShape;
use crate::data::files::write::{self, LabelledImages, WriteError};
use crate::engine::labelling::Labeller;
use crate::protocol::{Job, Synthesis};
pub use experiment::{Measured, Report, experiment, measure};
use std::sync::Arc;

/// Writes a labelled synthetic set from `snapshot` (a conditional image G) on a thread named
/// `ganscope-synthesize`: generating takes the first half of the progress bar, writing the
/// second.
pub fn synthesize(snapshot: Arc<Snapshot>, synthesis: Synthesis, job: Job) {
    spawn("ganscope-synthesize", job, move |job| {
        let done = write_synthetic(&snapshot, &synthesis, job)?;
        Ok(format!(
            "wrote {} synthetic images ({} per class, psi {}) to {} in {:.1} s",
            done.images,
            synthesis.per_class,
            synthesis.psi,
            done.folder.display(),
            done.seconds
        ))
    });
}

/// Runs `work` on a thread named `name`; its outcome (a line for the user, or why it failed)
/// ends `job`.
fn spawn(name: &str, job: Job, work: impl FnOnce(&Job) -> Result<String, String> + Send + 'static) {
    let worker = job.clone();
    let spawned = std::thread::Builder::new()
        .name(name.into())
        .spawn(move || match work(&worker) {
            Ok(text) => worker.finish_with(text, false),
            Err(why) => worker.finish_with(why, true),
        });
    if let Err(e) = spawned {
        job.finish_with(format!("cannot start the thread {name}: {e}"), true);
    }
}

/// A synthetic set written.
#[derive(Clone, Debug)]
pub struct Written {
    pub folder: std::path::PathBuf,
    pub images: usize,
    pub classes: usize,
    /// Whether the IDX pair was written too (grey images).
    pub idx: bool,
    pub seconds: f64,
}

/// Generates and writes `synthesis` from `snapshot` on this thread (see [`synthesize`]); an
/// error (or a cancel) says why, with nothing written.
pub fn write_synthetic(
    snapshot: &Snapshot,
    synthesis: &Synthesis,
    job: &Job,
) -> Result<Written, String> {
    let started = std::time::Instant::now();
    // The training weights instead of their moving average, when asked for and there is one.
    let snapshot = match snapshot.raw() {
        Some(raw) if !synthesis.ema => raw,
        _ => snapshot,
    };
    let SampleShape::Image {
        channels, height, ..
    } = snapshot.shape()
    else {
        return Err("a synthetic set is made of images, and this G makes 2-D points".into());
    };
    let progress = |done, total| {
        job.progress(done, 2 * total);
        !job.cancelled()
    };
    // A conditional G is told the class; an unconditional one's samples are labelled by the
    // data set's reference classifier.
    let (made, classes) = match snapshot.classes() {
        Some(classes) => (
            snapshot.labelled(synthesis.per_class, synthesis.psi, progress)?,
            classes,
        ),
        None => {
            let preset = snapshot
                .preset()
                .ok_or("this snapshot of G does not say which preset trained it")?;
            let labeller =
                Labeller::for_preset(preset, synthesis.min_confidence, snapshot.device())?;
            let made = labeller.labelled(
                snapshot,
                synthesis.per_class,
                synthesis.psi,
                &synthesis.class_names,
                progress,
            )?;
            (made, labeller.classes())
        }
    };
    let Some((pixels, labels)) = made else {
        return Err("synthetic set cancelled: nothing was written".into());
    };
    let names: Vec<String> = (0..classes)
        .map(|c| {
            synthesis
                .class_names
                .get(c)
                .cloned()
                .unwrap_or_else(|| format!("class {c}"))
        })
        .collect();
    let set = LabelledImages {
        channels,
        side: height,
        pixels: &pixels,
        labels: &labels,
        class_names: &names,
    };
    let written = write::write_set(&set, &synthesis.dest, |done, total| {
        job.progress(total + done, 2 * total);
        !job.cancelled()
    })
    .map_err(|e| match e {
        WriteError::Cancelled => "synthetic set cancelled: nothing was written".to_string(),
        WriteError::Failed(why) => format!("cannot write the synthetic set: {why}"),
    })?;
    Ok(Written {
        idx: written.join("synthetic-images-idx3-ubyte").is_file(),
        folder: written,
        images: labels.len(),
        classes,
        seconds: started.elapsed().as_secs_f64(),
    })
}
