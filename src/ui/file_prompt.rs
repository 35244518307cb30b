//! The in-app file prompt: a path field that always works, for when the system's file dialog
//! cannot open (see [`super::export`]). It says why it is shown, proposes a path in the
//! exports folder (or the runs folder), lists the recorded runs to open with one click, and
//! accepts `~/` for the home folder. Folders that do not exist yet are created on save.

use super::export::{Export, FileRequest, FolderPurpose};
use std::path::{Path, PathBuf};

/// Recorded runs listed for one-click opening, newest first (in a scrolling list).
const LISTED_RUNS: usize = 500;

/// What the prompt came to.
pub enum PromptOutcome {
    /// Still open.
    Open,
    Cancelled,
    /// Save the export to this file.
    Save(Export, PathBuf),
    /// This folder, for this purpose.
    Folder(FolderPurpose, PathBuf),
}

pub struct FilePrompt {
    request: FileRequest,
    reason: String,
    path: String,
    /// Run folders in the runs folder, for Open run.
    runs: Vec<PathBuf>,
    error: Option<String>,
}

impl FilePrompt {
    /// A prompt for `request`, shown because of `reason`; files are proposed in `exports`,
    /// runs are looked for in `runs_folder`; `last` is the path chosen last time for the same
    /// purpose, proposed again (data, images and export folders).
    pub fn new(
        request: FileRequest,
        reason: String,
        exports: &Path,
        runs_folder: &Path,
        last: Option<&Path>,
    ) -> Self {
        let (path, runs) = match &request {
            FileRequest::Save(export) => (exports.join(export.name()), Vec::new()),
            FileRequest::Folder(FolderPurpose::Generator) => {
                (exports.join("generator"), Vec::new())
            }
            FileRequest::Folder(FolderPurpose::SyntheticSet) => (exports.to_path_buf(), Vec::new()),
            FileRequest::Folder(FolderPurpose::RunsFolder) => {
                (runs_folder.to_path_buf(), Vec::new())
            }
            FileRequest::Folder(FolderPurpose::OpenRun) => {
                (runs_folder.to_path_buf(), recorded_runs(runs_folder))
            }
            FileRequest::Folder(
                FolderPurpose::OpenData | FolderPurpose::LocateData | FolderPurpose::ImageToUpscale,
            ) => (
                std::env::home_dir().unwrap_or_else(|| exports.to_path_buf()),
                Vec::new(),
            ),
        };
        let path = match (&request, last) {
            (
                FileRequest::Folder(
                    FolderPurpose::OpenData
                    | FolderPurpose::LocateData
                    | FolderPurpose::ImageToUpscale
                    | FolderPurpose::Generator
                    | FolderPurpose::SyntheticSet,
                ),
                Some(last),
            ) => last.to_path_buf(),
            _ => path,
        };
        FilePrompt {
            request,
            reason,
            path: path.display().to_string(),
            runs,
            error: None,
        }
    }

    fn title(&self) -> &'static str {
        match &self.request {
            FileRequest::Save(_) => "Save as",
            FileRequest::Folder(FolderPurpose::OpenRun) => "Open run",
            FileRequest::Folder(FolderPurpose::RunsFolder) => "Runs folder",
            FileRequest::Folder(FolderPurpose::Generator) => "Export the generator to",
            FileRequest::Folder(FolderPurpose::OpenData) => "Open data",
            FileRequest::Folder(FolderPurpose::LocateData) => "Where is the run's data now?",
            FileRequest::Folder(FolderPurpose::ImageToUpscale) => "Image to upscale",
            FileRequest::Folder(FolderPurpose::SyntheticSet) => "Write the synthetic set into",
        }
    }

    fn confirm_label(&self) -> &'static str {
        match &self.request {
            FileRequest::Save(_) => "Save",
            FileRequest::Folder(
                FolderPurpose::OpenRun | FolderPurpose::OpenData | FolderPurpose::ImageToUpscale,
            ) => "Open",
            FileRequest::Folder(FolderPurpose::LocateData) => "Use",
            FileRequest::Folder(_) => "Choose",
        }
    }

    /// Draw the prompt as a window; what the user decided, if anything.
    pub fn ui(&mut self, ctx: &egui::Context) -> PromptOutcome {
        let mut outcome = PromptOutcome::Open;
        let mut open = true;
        egui::Window::new(self.title())
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .collapsible(false)
            .resizable(false)
            .open(&mut open)
            .show(ctx, |ui| {
                ui.set_max_width(520.0);
                ui.label(format!("Typing a path instead: {}.", self.reason));
                ui.horizontal(|ui| {
                    let label = ui.label("Path");
                    let field = ui
                        .add(
                            egui::TextEdit::singleline(&mut self.path)
                                .desired_width(440.0)
                                .id_salt("file-prompt-path"),
                        )
                        .labelled_by(label.id);
                    if field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                        outcome = self.confirm();
                    }
                });
                ui.small(match &self.request {
                    FileRequest::Folder(
                        FolderPurpose::OpenRun
                        | FolderPurpose::OpenData
                        | FolderPurpose::LocateData
                        | FolderPurpose::ImageToUpscale,
                    ) => "~/ is your home folder.",
                    _ => "~/ is your home folder; missing folders are created.",
                });
                if !self.runs.is_empty() {
                    let count = self.runs.len();
                    ui.label(if count >= LISTED_RUNS {
                        format!("The {count} newest recorded runs (scroll for more):")
                    } else if count > 1 {
                        format!("{count} recorded runs, newest first (scroll for more):")
                    } else {
                        "1 recorded run:".to_string()
                    });
                    let mut picked = None;
                    egui::ScrollArea::vertical()
                        .max_height(220.0)
                        .id_salt("file-prompt-runs")
                        .show(ui, |ui| {
                            for run in &self.runs {
                                let name = run.file_name().map_or_else(
                                    || run.display().to_string(),
                                    |n| n.to_string_lossy().into_owned(),
                                );
                                if ui
                                    .link(name)
                                    .on_hover_text(run.display().to_string())
                                    .clicked()
                                {
                                    picked = Some(run.display().to_string());
                                }
                            }
                        });
                    if let Some(run) = picked {
                        self.path = run;
                        outcome = self.confirm();
                    }
                }
                if let Some(error) = &self.error {
                    ui.colored_label(ui.visuals().error_fg_color, error);
                }
                ui.horizontal(|ui| {
                    if ui.button(self.confirm_label()).clicked() {
                        outcome = self.confirm();
                    }
                    if ui.button("Cancel").clicked() {
                        outcome = PromptOutcome::Cancelled;
                    }
                });
            });
        if !open {
            return PromptOutcome::Cancelled;
        }
        outcome
    }

    /// The typed path checked against the request: an outcome, or the prompt stays open with
    /// the reason.
    fn confirm(&mut self) -> PromptOutcome {
        let path = expand_home(self.path.trim());
        let problem = if path.as_os_str().is_empty() {
            Some("type a path first".to_string())
        } else {
            match &self.request {
                FileRequest::Save(_) if path.is_dir() => {
                    Some(format!("{} is a folder: add a file name", path.display()))
                }
                FileRequest::Folder(FolderPurpose::OpenRun) if !path.is_dir() => {
                    Some(format!("{} is not a folder", path.display()))
                }
                // A data set may be a file (IDX images, a CIFAR batch) or a folder.
                FileRequest::Folder(FolderPurpose::OpenData | FolderPurpose::LocateData)
                    if !path.exists() =>
                {
                    Some(format!("{} does not exist", path.display()))
                }
                FileRequest::Folder(FolderPurpose::OpenData | FolderPurpose::LocateData) => None,
                FileRequest::Folder(FolderPurpose::ImageToUpscale) if !path.is_file() => {
                    Some(format!("{} is not a file", path.display()))
                }
                FileRequest::Folder(FolderPurpose::ImageToUpscale) => None,
                FileRequest::Folder(_) if path.is_file() => {
                    Some(format!("{} is a file, not a folder", path.display()))
                }
                _ => None,
            }
        };
        if let Some(problem) = problem {
            self.error = Some(problem);
            return PromptOutcome::Open;
        }
        match &self.request {
            FileRequest::Save(export) => PromptOutcome::Save(export.clone(), path),
            FileRequest::Folder(purpose) => PromptOutcome::Folder(*purpose, path),
        }
    }
}

/// `~` and `~/…` in the home folder.
fn expand_home(typed: &str) -> PathBuf {
    let home = std::env::home_dir().filter(|h| !h.as_os_str().is_empty());
    match (typed.strip_prefix('~'), home) {
        (Some(""), Some(home)) => home,
        (Some(rest), Some(home)) if rest.starts_with('/') => home.join(&rest[1..]),
        _ => PathBuf::from(typed),
    }
}

/// The run folders (those with a metrics log) in `folder`, the most recently written first.
fn recorded_runs(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut runs: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .take(10_000)
        .filter_map(|e| {
            let written = std::fs::metadata(e.path().join(crate::runs::METRICS))
                .ok()
                .filter(std::fs::Metadata::is_file)?
                .modified()
                .ok()?;
            Some((written, e.path()))
        })
        .collect();
    runs.sort_by_key(|r| std::cmp::Reverse(r.0));
    runs.into_iter().take(LISTED_RUNS).map(|(_, p)| p).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_home_folder_is_expanded_only_at_the_start() {
        let Some(home) = std::env::home_dir().filter(|h| !h.as_os_str().is_empty()) else {
            return;
        };
        assert_eq!(expand_home("~/a/b.png"), home.join("a/b.png"));
        assert_eq!(expand_home("~"), home);
        assert_eq!(expand_home("/x/~/y"), PathBuf::from("/x/~/y"));
        assert_eq!(expand_home("~user/x"), PathBuf::from("~user/x"));
    }
}
