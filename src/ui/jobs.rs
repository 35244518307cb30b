//! Long jobs started from the GUI that run on helper threads (saving an animated GIF, …): each
//! shows a progress bar in the side panel with a Cancel button, and disappears when done.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

struct JobState {
    label: String,
    /// Progress in thousandths.
    permille: AtomicU32,
    cancel: AtomicBool,
    finished: AtomicBool,
}

/// One job's side: report progress, check for cancellation, say when it is finished.
#[derive(Clone)]
pub struct Job(Arc<JobState>);

impl Job {
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

    pub fn label(&self) -> &str {
        &self.0.label
    }

    /// Progress in [0, 1].
    pub fn fraction(&self) -> f32 {
        self.0.permille.load(Ordering::Relaxed) as f32 / 1000.0
    }
}

/// The jobs under way, shared with the threads that run them.
#[derive(Clone, Default)]
pub struct Jobs(Arc<Mutex<Vec<Job>>>);

impl Jobs {
    /// Register a new job; the returned side goes to the thread doing it.
    pub fn start(&self, label: impl Into<String>) -> Job {
        let job = Job(Arc::new(JobState {
            label: label.into(),
            permille: AtomicU32::new(0),
            cancel: AtomicBool::new(false),
            finished: AtomicBool::new(false),
        }));
        if let Ok(mut jobs) = self.0.lock() {
            jobs.push(job.clone());
        }
        job
    }

    /// The jobs still under way (finished ones are dropped here).
    pub fn active(&self) -> Vec<Job> {
        let Ok(mut jobs) = self.0.lock() else {
            return Vec::new();
        };
        jobs.retain(|j| !j.0.finished.load(Ordering::Relaxed));
        jobs.clone()
    }

    /// A bar and a Cancel button per job; keeps frames coming while any runs.
    pub fn ui(&self, ui: &mut egui::Ui) {
        let active = self.active();
        for job in &active {
            ui.horizontal(|ui| {
                let cancelling = job.cancelled();
                let text = if cancelling {
                    format!("{} (cancelling)", job.label())
                } else {
                    job.label().to_string()
                };
                ui.add(
                    egui::ProgressBar::new(job.fraction())
                        .text(text)
                        .desired_width(ui.available_width() - 60.0),
                );
                if ui
                    .add_enabled(!cancelling, egui::Button::new("Cancel").small())
                    .clicked()
                {
                    job.cancel();
                }
            });
        }
        if !active.is_empty() {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_report_progress_cancel_and_leave_when_finished() {
        let jobs = Jobs::default();
        let job = jobs.start("Saving walk.gif");
        job.progress(3, 4);
        assert_eq!(jobs.active()[0].fraction(), 0.75);
        jobs.active()[0].cancel();
        assert!(job.cancelled(), "the worker sees the cancel");
        job.finish();
        assert!(jobs.active().is_empty());
    }
}
