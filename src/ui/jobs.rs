//! Long jobs started from the GUI that run on helper threads (saving an animated GIF, writing
//! a synthetic data set, …): each shows a progress bar in the side panel with a Cancel button,
//! and disappears when done, its outcome (if it says one) going to the status line. The
//! job's own state is `protocol::job`, shared with the engine's job threads.

pub use crate::protocol::job::Job;
use std::sync::{Arc, Mutex};

/// The jobs under way, shared with the threads that run them.
#[derive(Clone, Default)]
pub struct Jobs(Arc<Mutex<Vec<Job>>>);

impl Jobs {
    /// Register a new job; the returned side goes to the thread doing it.
    pub fn start(&self, label: impl Into<String>) -> Job {
        let job = Job::new(label);
        if let Ok(mut jobs) = self.0.lock() {
            jobs.push(job.clone());
        }
        job
    }

    /// The jobs still under way.
    pub fn active(&self) -> Vec<Job> {
        let Ok(jobs) = self.0.lock() else {
            return Vec::new();
        };
        jobs.iter().filter(|j| !j.is_finished()).cloned().collect()
    }

    /// The outcomes of the jobs that ended since the last call, which are dropped here (the
    /// app asks every frame).
    pub fn outcomes(&self) -> Vec<(String, bool)> {
        let Ok(mut jobs) = self.0.lock() else {
            return Vec::new();
        };
        let mut outcomes = Vec::new();
        jobs.retain(|j| {
            if j.is_finished() {
                outcomes.extend(j.take_outcome());
                false
            } else {
                true
            }
        });
        outcomes
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
        assert!(jobs.outcomes().is_empty(), "it said nothing");
        let job = jobs.start("Writing a synthetic set");
        assert!(jobs.outcomes().is_empty(), "not finished yet");
        job.finish_with("wrote 100 images", false);
        assert!(jobs.active().is_empty());
        assert_eq!(
            jobs.outcomes(),
            vec![("wrote 100 images".to_string(), false)]
        );
        assert!(jobs.outcomes().is_empty(), "said once");
    }
}
