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
            // Right to left: the button first, then the bar takes exactly the width left.
            // (A bar sized as "available − 60" beside a wider button asked for a few pixels
            // more than the side panel had, and the panel grew by them every frame.)
            let row = egui::Layout::right_to_left(egui::Align::Center);
            ui.allocate_ui_with_layout(egui::vec2(ui.available_width(), 0.0), row, |ui| {
                let cancelling = job.cancelled();
                if ui
                    .add_enabled(!cancelling, egui::Button::new("Cancel").small())
                    .clicked()
                {
                    job.cancel();
                }
                let text = if cancelling {
                    format!("{} (cancelling)", job.label())
                } else {
                    job.label().to_string()
                };
                ui.add(
                    egui::ProgressBar::new(job.fraction())
                        .text(text)
                        .desired_width(ui.available_width()),
                );
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

    /// The side panel crept wider, a few pixels a frame, while a job's bar was shown.
    #[test]
    fn a_job_bar_keeps_the_side_panels_width() {
        let jobs = Jobs::default();
        let job = jobs.start("Augmentation experiment: measuring the arms of k = 10, 50, 100");
        job.progress(1, 3);
        let widths = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let seen = widths.clone();
        let mut harness = egui_kittest::Harness::builder()
            .with_size([1000.0, 600.0])
            .build_ui(move |ui| {
                let panel = egui::Panel::left("side")
                    .default_size(250.0)
                    .size_range(220.0..=480.0)
                    .show(ui, |ui| {
                        egui::ScrollArea::vertical()
                            .auto_shrink([false, true])
                            .show(ui, |ui| jobs.ui(ui));
                    });
                seen.borrow_mut().push(panel.response.rect.width());
            });
        harness.run_steps(40);
        let widths = widths.borrow();
        let (first, last) = (widths[2], widths[widths.len() - 1]);
        assert!(
            (last - first).abs() < 0.5,
            "the panel went from {first} to {last} px wide"
        );
    }

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
