//! Runs beside the live one: folders opened from disk (followed while they grow), the
//! comparison of their curves with the live run's, and the step scrubber over any run's saved
//! sample grids.

pub mod opened;
pub mod scrubber;

use super::plots::PlottedRun;
use super::run_state::RunState;
use crate::runs;
use egui::Color32;
use opened::OpenedRun;
use scrubber::{Scrubber, Shown};
use std::path::{Path, PathBuf};

/// What the user asked of an opened run.
#[derive(Clone, Debug, PartialEq)]
pub enum RunRequest {
    /// Load its checkpoint into the engine and continue it: in its own folder, or as a fork
    /// in a new one.
    Continue { checkpoint: PathBuf, fork: bool },
}

/// Distinct colours: runs in the comparison plots (the live run takes the first), and (from
/// the other end) the published reference lines of the Modes & balance tab.
pub const PALETTE: [Color32; 8] = [
    Color32::from_rgb(255, 140, 40),
    Color32::from_rgb(90, 160, 255),
    Color32::from_rgb(110, 200, 110),
    Color32::from_rgb(220, 90, 200),
    Color32::from_rgb(240, 220, 80),
    Color32::from_rgb(80, 210, 210),
    Color32::from_rgb(230, 80, 80),
    Color32::from_rgb(170, 140, 255),
];
const LIVE_KEY: &str = "live";
/// Tallest the list of compared runs grows before it scrolls.
const LIST_HEIGHT: f32 = 110.0;

/// Whose samples the scrubber shows.
#[derive(Clone, Debug, Default, PartialEq)]
enum Source {
    #[default]
    Live,
    /// An opened run, by its key.
    Opened(String),
}

#[derive(Default)]
pub struct RunsView {
    pub opened: Vec<OpenedRun>,
    /// Whether the live run is drawn in the plots beside opened runs.
    hide_live: bool,
    source: Source,
    scrubber: Scrubber,
    colors_used: usize,
}

impl RunsView {
    /// Open the run in `folder` and follow it (it becomes the scrubber's source); a folder
    /// opened already is only selected.
    pub fn open(&mut self, folder: &Path, ctx: &egui::Context) -> anyhow::Result<()> {
        let key = folder.display().to_string();
        if !self.opened.iter().any(|r| r.key == key) {
            self.colors_used += 1;
            let color = PALETTE[self.colors_used % PALETTE.len()];
            let waker = ctx.clone();
            let run = OpenedRun::open(folder, color, move || waker.request_repaint())?;
            self.opened.push(run);
        }
        self.set_source(Source::Opened(key));
        Ok(())
    }

    /// Fold what the followers found.
    pub fn intake(&mut self) {
        for run in &mut self.opened {
            run.intake();
        }
    }

    fn set_source(&mut self, source: Source) {
        if self.source != source {
            self.source = source;
            self.scrubber.reset();
        }
    }

    fn close(&mut self, index: usize) {
        let run = self.opened.remove(index);
        if self.source == Source::Opened(run.key) {
            self.set_source(Source::Live);
        }
    }

    /// The runs the plots draw: the live one (unless hidden) and every visible opened run.
    pub fn plotted<'a>(&'a self, live: &'a RunState) -> Vec<PlottedRun<'a>> {
        let live_name = live.info.as_ref().map_or("live", |i| i.preset.as_str());
        let mut plotted = Vec::new();
        if !self.hide_live || self.opened.is_empty() {
            plotted.push(PlottedRun {
                key: LIVE_KEY,
                name: live_name,
                color: PALETTE[0],
                curves: &live.curves,
                events: &live.events,
                scores: live
                    .info
                    .as_ref()
                    .is_some_and(|i| !i.balance.loss.is_logistic()),
            });
        }
        plotted.extend(self.opened.iter().filter(|r| r.visible).map(|r| {
            PlottedRun {
                key: &r.key,
                name: &r.name,
                color: r.color,
                curves: &r.curves,
                events: &r.events,
                scores: r
                    .preset
                    .as_ref()
                    .is_some_and(|p| !p.game.loss.is_logistic()),
            }
        }));
        plotted
    }

    /// The scrubbed step of the source, for the plots' cursor.
    pub fn cursor(&self, live: &RunState) -> Option<u64> {
        self.scrubber.step(self.source_steps(live))
    }

    fn source_steps<'a>(&'a self, live: &'a RunState) -> &'a [u64] {
        match &self.source {
            Source::Live => &live.saved_samples,
            Source::Opened(key) => self
                .opened
                .iter()
                .find(|r| &r.key == key)
                .map_or(&[], |r| &r.samples),
        }
    }

    /// The list of opened runs above the plots: show/hide, colour, summary, continue or fork
    /// from a checkpoint, close.
    pub fn list(&mut self, ui: &mut egui::Ui, live: &RunState) -> Option<RunRequest> {
        if self.opened.is_empty() {
            return None;
        }
        let mut close = None;
        let mut request = None;
        egui::CollapsingHeader::new(format!("Compared runs ({} opened)", self.opened.len()))
            .id_salt("compared-runs")
            .default_open(true)
            .show(ui, |ui| {
                // Rows wrap inside the panel, and the list scrolls past a few rows, so the
                // plots below always keep their room.
                egui::ScrollArea::vertical()
                    .max_height(LIST_HEIGHT)
                    .auto_shrink([false, true])
                    .show(ui, |ui| {
                        ui.horizontal_wrapped(|ui| {
                            let mut shown = !self.hide_live;
                            swatch(ui, PALETTE[0]);
                            let name = live.info.as_ref().map_or("(none)", |i| i.preset.as_str());
                            if ui.checkbox(&mut shown, format!("live: {name}")).changed() {
                                self.hide_live = !shown;
                            }
                            ui.small(format!("{} steps", live.curves.len()));
                        });
                        for (i, run) in self.opened.iter_mut().enumerate() {
                            ui.horizontal_wrapped(|ui| {
                                if ui
                                    .small_button("Close")
                                    .on_hover_text("Stop comparing this run (its folder stays)")
                                    .clicked()
                                {
                                    close = Some(i);
                                }
                                swatch(ui, run.color);
                                ui.checkbox(&mut run.visible, &run.name)
                                    .on_hover_text(run.folder.display().to_string());
                                ui.small(run.summary());
                                if let Some(problem) = &run.problem {
                                    ui.colored_label(ui.visuals().warn_fg_color, "!")
                                        .on_hover_text(problem);
                                }
                                request = request.take().or_else(|| continue_menus(ui, run));
                            });
                        }
                    });
            });
        if let Some(i) = close {
            self.close(i);
        }
        request
    }

    /// The scrubber over the chosen run's saved grids, with the source picker when runs are
    /// opened; returns what the samples panel shows.
    /// `recording` says whether the live run will be recorded (its folder opens at its first
    /// step).
    pub fn scrub<'a>(
        &'a mut self,
        ui: &mut egui::Ui,
        live: &'a RunState,
        recording: bool,
    ) -> Shown<'a> {
        if !self.opened.is_empty() {
            let mut source = self.source.clone();
            let name = |s: &Source| match s {
                Source::Live => "the live run".to_string(),
                Source::Opened(key) => runs::display_name(Path::new(key)),
            };
            ui.horizontal(|ui| {
                let label = ui.label("Samples of");
                egui::ComboBox::from_id_salt("scrub-source")
                    .selected_text(name(&source))
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut source, Source::Live, name(&Source::Live));
                        for run in &self.opened {
                            let option = Source::Opened(run.key.clone());
                            let text = name(&option);
                            ui.selectable_value(&mut source, option, text);
                        }
                    })
                    .response
                    .labelled_by(label.id);
            });
            self.set_source(source);
        }
        let (steps, folder, live_source) = match &self.source {
            Source::Live => (&live.saved_samples[..], live.folder.as_deref(), true),
            Source::Opened(key) => match self.opened.iter().find(|r| &r.key == key) {
                Some(run) => (&run.samples[..], Some(run.folder.as_path()), false),
                None => (&[][..], None, true),
            },
        };
        if live_source && live.folder.is_none() {
            ui.small(if recording {
                "Every sample grid is saved from the first step on, to scrub through here."
            } else {
                "Recording is off, so there are no saved samples to scrub."
            });
        }
        let folder = folder.map(Path::to_path_buf).unwrap_or_default();
        let live_step = live.samples.as_ref().map(|(step, _)| *step);
        self.scrubber.ui(
            ui,
            steps,
            |step| runs::sample_path(&folder, step),
            live_source,
            live_step.filter(|_| live_source),
        )
    }

    /// The scrubber, to drive it as its slider does (tests).
    pub fn scrubber_mut(&mut self) -> &mut Scrubber {
        &mut self.scrubber
    }
}

/// "Continue" and "Fork" menus listing the run's checkpoints; the one picked, if any.
fn continue_menus(ui: &mut egui::Ui, run: &OpenedRun) -> Option<RunRequest> {
    let mut request = None;
    let menus = [
        (
            "Continue",
            false,
            "Load a checkpoint and train on in this run's folder (later steps are replaced)",
        ),
        (
            "Fork",
            true,
            "Load a checkpoint and train on in a new folder that starts with this history",
        ),
    ];
    for (label, fork, hint) in menus {
        // Continuing in place would fight whoever is still writing the folder.
        let usable = !run.checkpoints.is_empty() && (fork || !run.growing());
        ui.add_enabled_ui(usable, |ui| {
            ui.menu_button(label, |ui| {
                for &step in run.checkpoints.iter().rev() {
                    if ui.button(format!("from step {step}")).clicked() {
                        request = Some(RunRequest::Continue {
                            checkpoint: runs::checkpoint_path(&run.folder, step),
                            fork,
                        });
                        ui.close();
                    }
                }
            })
            .response
            .on_hover_text(hint)
            .on_disabled_hover_text(
                "Needs a checkpoint (and, to continue in place, a run that is not growing)",
            );
        });
    }
    request
}

fn swatch(ui: &mut egui::Ui, color: Color32) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
    ui.painter().rect_filled(rect, 2.0, color);
}
