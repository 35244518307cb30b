//! The "Augmentation lab" tab: does training a classifier on this G's samples help it
//! classify real images? One click runs the experiment (`engine::lab`: the same small CNN
//! trained on k real images per class alone, with classical augmentation, with GAN samples
//! at four ratios, on GAN samples only, and GAN-test) on the explorer's snapshot of G, as a
//! job beside training (progress and Cancel here and in the side panel); the results arrive
//! arm by arm and [`results`] draws them: a dot per seed with the mean ± std, Δ against the
//! best arm without GAN samples, per-class recall, and a sentence saying whether GAN samples
//! helped at each k. A recorded run keeps them in its folder (`lab/step<S>.jsonl`).

mod results;

use super::jobs::Job;
use super::run_state::RunState;
use crate::protocol::{ArmResult, Experiment};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The form's settings.
pub struct LabForm {
    /// k values, as typed ("10, 50, 100").
    pub per_class: String,
    pub seeds: usize,
    pub steps: usize,
}

impl Default for LabForm {
    fn default() -> Self {
        LabForm {
            per_class: "10, 50, 100".into(),
            seeds: 3,
            steps: crate::protocol::lab::STEPS,
        }
    }
}

/// An experiment asked for: under way, cancelled or done.
pub struct Shown {
    id: u64,
    per_class: Vec<usize>,
    seeds: usize,
    steps: usize,
    /// The training step of the G measured, once the experiment has started on it (the
    /// explorer's snapshot, which may be older than the live run's step).
    step: Option<u64>,
    /// Real images per class the GAN trained on (`None`: all of them).
    trained_on: Option<usize>,
    class_names: Vec<String>,
    results: Vec<ArmResult>,
    job: Job,
    /// Where the results are logged, when the run is recorded.
    run_folder: Option<PathBuf>,
    started: Instant,
    /// How long it took, once it ended.
    took: Option<Duration>,
}

impl Shown {
    /// Time since it started, or what it took once it ended.
    fn elapsed(&self) -> Duration {
        self.took.unwrap_or_else(|| self.started.elapsed())
    }
}

/// What the user asked of the lab.
#[derive(Clone, Debug, PartialEq)]
pub enum LabAction {
    /// Run an experiment: k values, seeds, classifier steps.
    Run {
        per_class: Vec<usize>,
        seeds: usize,
        steps: usize,
    },
    /// Save the results as a CSV file.
    SaveCsv,
}

#[derive(Default)]
pub struct LabView {
    pub form: LabForm,
    next_id: u64,
    shown: Option<Shown>,
    /// The k whose per-class recall is shown.
    recall_k: Option<usize>,
}

/// Largest k the form takes (real images per class).
const MOST_PER_CLASS: usize = 100_000;

/// The k values typed in the form: positive whole numbers separated by commas or spaces,
/// sorted, each once; an error says which one is wrong.
pub fn parse_per_class(text: &str) -> Result<Vec<usize>, String> {
    let mut ks = Vec::new();
    for part in text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
    {
        match part.parse::<usize>() {
            Ok(k) if (1..=MOST_PER_CLASS).contains(&k) => ks.push(k),
            _ => {
                return Err(format!(
                    "'{part}' is not a number of images per class (1 to {MOST_PER_CLASS})"
                ));
            }
        }
    }
    if ks.is_empty() {
        return Err("give at least one k, e.g. 10, 50, 100".into());
    }
    ks.sort_unstable();
    ks.dedup();
    Ok(ks)
}

/// Why the loaded run cannot take the experiment, if it cannot.
pub fn unavailable(run: &RunState) -> Option<&'static str> {
    let Some(info) = &run.info else {
        return Some("Load a preset to measure its generator.");
    };
    if info.classes.is_none() {
        return Some(
            "The lab needs a conditional generator of images (one told which class to \
             draw), so that its samples come with labels: load digits-cgan-low or \
             fashion-cgan-low.",
        );
    }
    let images = matches!(
        run.samples,
        Some((_, crate::protocol::SampleView::Grid { .. }))
    );
    if info.latent_dim == 0 || (run.samples.is_some() && !images) {
        return Some(
            "The lab needs a generator that makes images from noise and a class: this one \
             makes 2-D points.",
        );
    }
    None
}

impl LabView {
    /// A new run was loaded: an experiment under way measures a G that is gone, so it is
    /// cancelled, and its results leave with it.
    pub fn reset(&mut self) {
        if let Some(shown) = self.shown.take() {
            shown.job.cancel();
        }
        self.recall_k = None;
    }

    /// The experiment to send for what the user asked (`job` shows its progress); its
    /// results are shown from now on.
    pub fn begin(
        &mut self,
        per_class: Vec<usize>,
        seeds: usize,
        steps: usize,
        job: Job,
        run: &RunState,
    ) -> Experiment {
        if let Some(former) = self.shown.take() {
            former.job.cancel();
        }
        self.next_id += 1;
        let info = run.info.as_ref();
        self.shown = Some(Shown {
            id: self.next_id,
            per_class: per_class.clone(),
            seeds,
            steps,
            step: None,
            trained_on: info.and_then(|i| i.real_per_class),
            class_names: info.map(|i| i.class_names.clone()).unwrap_or_default(),
            results: Vec::new(),
            job,
            run_folder: run.folder.clone(),
            started: Instant::now(),
            took: None,
        });
        self.recall_k = per_class.first().copied();
        Experiment {
            id: self.next_id,
            per_class,
            seeds,
            steps,
            run_folder: run.folder.clone(),
        }
    }

    /// Experiment `experiment` started on the G of training step `step`.
    pub fn started(&mut self, experiment: u64, step: u64) {
        if let Some(shown) = &mut self.shown
            && shown.id == experiment
        {
            shown.step = Some(step);
        }
    }

    /// The training step of the G the experiment shown measures, once it has started.
    pub fn measured_step(&self) -> Option<u64> {
        self.shown.as_ref().and_then(|s| s.step)
    }

    /// One arm of experiment `experiment` measured (a former experiment's are dropped).
    pub fn apply(&mut self, experiment: u64, result: ArmResult) {
        if let Some(shown) = &mut self.shown
            && shown.id == experiment
        {
            shown.results.push(result);
        }
    }

    /// The results of the experiment shown, in the order they came.
    pub fn results(&self) -> &[ArmResult] {
        self.shown.as_ref().map_or(&[], |s| &s.results)
    }

    /// Whether an experiment is under way.
    pub fn running(&self) -> bool {
        self.shown.as_ref().is_some_and(|s| !s.job.is_finished())
    }

    /// The results as CSV: one row per arm and k, each seed's accuracy, Δ against the best
    /// arm without GAN samples at that k (points), and the per-class recall.
    pub fn csv(&self) -> Option<String> {
        let shown = self.shown.as_ref()?;
        let classes = shown.results.iter().map(|r| r.recall.len()).max()?;
        let names: Vec<String> = (0..classes)
            .map(|c| {
                let name = shown.class_names.get(c).cloned();
                format!("recall {}", name.unwrap_or_else(|| c.to_string()))
            })
            .collect();
        let mut text = format!(
            "per_class,arm,ratio,accuracy_mean,accuracy_std,accuracies,delta_points,{}\n",
            names.join(",")
        );
        for r in &shown.results {
            let delta = results::delta(&shown.results, r)
                .map_or(String::new(), |d| format!("{:.2}", 100.0 * d));
            let seeds: Vec<String> = r.accuracies.iter().map(|a| format!("{a:.4}")).collect();
            let recall: Vec<String> = r.recall.iter().map(|v| format!("{v:.4}")).collect();
            text.push_str(&format!(
                "{},{},{},{:.4},{:.4},{},{},{}\n",
                r.per_class,
                r.arm,
                r.ratio.map_or(String::new(), |x| x.to_string()),
                r.accuracy_mean,
                r.accuracy_std,
                seeds.join(";"),
                delta,
                recall.join(",")
            ));
        }
        Some(text)
    }

    /// Draws the tab; returns what the user asked for.
    pub fn ui(&mut self, ui: &mut egui::Ui, run: &RunState) -> Option<LabAction> {
        let mut action = None;
        if let Some(shown) = &mut self.shown
            && shown.took.is_none()
            && shown.job.is_finished()
        {
            shown.took = Some(shown.started.elapsed());
        }
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.heading("Augmentation lab");
            ui.label(
                "Does training a classifier on this G's samples help it classify real \
                 images? The same small CNN learns from k real images per class alone, with \
                 classical augmentation (shifts, mirrors where they make sense), with GAN \
                 samples added, and from GAN samples only, each with several seeds, and is \
                 scored on real images the GAN never saw.",
            );
            ui.add_space(6.0);
            if let Some(why) = unavailable(run) {
                ui.colored_label(ui.visuals().warn_fg_color, why);
            } else {
                action = self.form_ui(ui);
            }
            if let Some(shown) = &self.shown {
                ui.separator();
                if results::draw(ui, shown, &mut self.recall_k) {
                    action = Some(LabAction::SaveCsv);
                }
            }
        });
        action
    }

    /// The form and its Run button (or the progress of the experiment under way).
    fn form_ui(&mut self, ui: &mut egui::Ui) -> Option<LabAction> {
        let parsed = parse_per_class(&self.form.per_class);
        let mut action = None;
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("k per class");
            ui.add(egui::TextEdit::singleline(&mut self.form.per_class).desired_width(110.0))
                .on_hover_text("Real training images of every class, e.g. 10, 50, 100")
                .labelled_by(label.id);
            let label = ui.label("Seeds");
            ui.add(egui::DragValue::new(&mut self.form.seeds).range(1..=20))
                .on_hover_text("Classifiers trained per arm (at least 3 for a mean ± std)")
                .labelled_by(label.id);
            let label = ui.label("Classifier steps");
            ui.add(egui::DragValue::new(&mut self.form.steps).range(1..=100_000))
                .on_hover_text("Training steps of every classifier (batch 64), every arm alike")
                .labelled_by(label.id);
            let running = self.running();
            let run = ui
                .add_enabled(
                    parsed.is_ok() && !running,
                    egui::Button::new("Run experiment"),
                )
                .on_hover_text(
                    "Runs beside training on the latest snapshot of G; results appear as \
                     each arm finishes",
                );
            if run.clicked()
                && let Ok(per_class) = &parsed
            {
                action = Some(LabAction::Run {
                    per_class: per_class.clone(),
                    seeds: self.form.seeds,
                    steps: self.form.steps,
                });
            }
        });
        if let Err(why) = &parsed {
            ui.colored_label(ui.visuals().error_fg_color, why);
        }
        if let Some(shown) = self.shown.as_ref().filter(|s| !s.job.is_finished()) {
            ui.horizontal(|ui| {
                let text = if shown.job.cancelled() {
                    "cancelling...".to_string()
                } else {
                    match shown.results.len() {
                        1 => "measuring: 1 arm so far".to_string(),
                        n => format!("measuring: {n} arms so far"),
                    }
                };
                ui.add(
                    egui::ProgressBar::new(shown.job.fraction())
                        .text(text)
                        .desired_width(300.0),
                );
                if ui
                    .add_enabled(!shown.job.cancelled(), egui::Button::new("Cancel"))
                    .on_hover_text("Stop after the classifier under way; the arms measured stay")
                    .clicked()
                {
                    shown.job.cancel();
                }
            });
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(200));
        }
        action
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_values_parse_sorted_once_each_and_errors_name_the_bad_one() {
        assert_eq!(parse_per_class("100, 10 50,10"), Ok(vec![10, 50, 100]));
        assert_eq!(parse_per_class(" 7 "), Ok(vec![7]));
        assert!(parse_per_class("10, x").is_err_and(|e| e.contains("'x'")));
        assert!(parse_per_class("0").is_err_and(|e| e.contains("'0'")));
        assert!(parse_per_class(", ").is_err());
        assert!(parse_per_class("1000000").is_err());
    }

    #[test]
    fn results_of_a_former_experiment_are_dropped_and_the_csv_has_a_row_per_arm() {
        let mut view = LabView::default();
        let run = RunState::default();
        let first = view.begin(vec![5], 2, 10, Job::new("a"), &run);
        let second = view.begin(vec![5], 2, 10, Job::new("b"), &run);
        assert_ne!(first.id, second.id);
        let result = |arm: &str, mean: f32| ArmResult {
            arm: arm.into(),
            per_class: 5,
            ratio: Some(0.0),
            accuracy_mean: mean,
            accuracy_std: 0.01,
            accuracies: vec![mean - 0.01, mean + 0.01],
            recall: vec![0.5, 1.0],
        };
        view.apply(first.id, result("real", 0.1));
        assert!(view.results().is_empty(), "a former experiment's result");
        view.apply(second.id, result("real", 0.8));
        view.apply(second.id, result("real+gan", 0.85));
        let csv = view.csv().unwrap_or_default();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3, "{csv}");
        assert!(lines[0].ends_with("recall 0,recall 1"), "{}", lines[0]);
        assert!(lines[2].starts_with("5,real+gan,0,0.8500,0.0100,0.8400;0.8600,5.00,"));
        view.reset();
        assert!(view.results().is_empty());
    }
}
