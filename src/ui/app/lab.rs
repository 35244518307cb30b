//! The augmentation lab tab in the app: its Run button becomes a job the explorer thread
//! starts on its snapshot of G (progress and Cancel in the tab and the side panel), its
//! Save CSV button an export.

use super::GanscopeApp;
use crate::protocol::ExploreRequest;
use crate::ui::export::Export;
use crate::ui::lab::{LabAction, LabView};

impl GanscopeApp {
    pub(super) fn lab_tab(&mut self, ui: &mut egui::Ui) {
        match self.lab.ui(ui, &self.run) {
            Some(LabAction::Run {
                per_class,
                seeds,
                steps,
            }) => {
                let job = self.exporter.jobs.start("Augmentation experiment");
                let experiment = self
                    .lab
                    .begin(per_class, seeds, steps, job.clone(), &self.run);
                if !self
                    .link
                    .request(ExploreRequest::Experiment { experiment, job })
                {
                    self.run.apply(crate::protocol::Event::Error {
                        message: "the explorer thread is gone: cannot run the experiment".into(),
                        fatal_to_run: false,
                    });
                }
            }
            Some(LabAction::SaveCsv) => {
                let name = self.run_name();
                if let Some(text) = self.lab.csv() {
                    self.exporter.start(Export::Csv {
                        text,
                        name: format!("{name}-augmentation-lab.csv"),
                    });
                }
            }
            None => {}
        }
    }

    /// The augmentation lab's state.
    pub fn lab(&self) -> &LabView {
        &self.lab
    }

    /// The same, to set its form as its widgets do (tests).
    pub fn lab_mut(&mut self) -> &mut LabView {
        &mut self.lab
    }
}
