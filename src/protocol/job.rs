//! A long job's shared state (export, synthetic set, experiment): the thread doing it reports
//! progress and its outcome, and checks for a cancel; the UI shows a bar with a Cancel button
//! and, once the job ends, its outcome line. Plain atomics and a mutex: the UI and the engine
//! both hold one without knowing the other.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

struct JobState {
    label: String,
    /// Progress in thousandths.
    permille: AtomicU32,
    cancel: AtomicBool,
    finished: AtomicBool,
    /// What the job says at its end: a line for the user, and whether it is an error.
    outcome: Mutex<Option<(String, bool)>>,
}

/// One job, shared by the thread doing it and the UI showing it.
#[derive(Clone)]
pub struct Job(Arc<JobState>);

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Job({:?}, {:.3})", self.label(), self.fraction())
    }
}

impl Job {
    /// A job not yet started, named by `label`.
    pub fn new(label: impl Into<String>) -> Job {
        Job(Arc::new(JobState {
            label: label.into(),
            permille: AtomicU32::new(0),
            cancel: AtomicBool::new(false),
            finished: AtomicBool::new(false),
            outcome: Mutex::new(None),
        }))
    }

    /// Progress as `done` of `total`.
    pub fn progress(&self, done: usize, total: usize) {
        let permille = (done * 1000).checked_div(total).unwrap_or(0).min(1000) as u32;
        self.0.permille.store(permille, Ordering::Relaxed);
    }

    pub fn cancelled(&self) -> bool {
        self.0.cancel.load(Ordering::Relaxed)
    }

    pub fn cancel(&self) {
        self.0.cancel.store(true, Ordering::Relaxed);
    }

    /// The job ended (done, failed or cancelled); its bar goes away.
    pub fn finish(&self) {
        self.0.finished.store(true, Ordering::Relaxed);
    }

    /// The job ended, saying `text` (an error when `is_error`).
    pub fn finish_with(&self, text: impl Into<String>, is_error: bool) {
        if let Ok(mut outcome) = self.0.outcome.lock() {
            *outcome = Some((text.into(), is_error));
        }
        self.finish();
    }

    pub fn is_finished(&self) -> bool {
        self.0.finished.load(Ordering::Relaxed)
    }

    /// The outcome it ended with, taken (once).
    pub fn take_outcome(&self) -> Option<(String, bool)> {
        self.0.outcome.lock().ok()?.take()
    }

    pub fn label(&self) -> &str {
        &self.0.label
    }

    /// Progress in [0, 1].
    pub fn fraction(&self) -> f32 {
        self.0.permille.load(Ordering::Relaxed) as f32 / 1000.0
    }
}
