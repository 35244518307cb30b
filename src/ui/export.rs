//! Saving pictures the user asked for: the native save dialog and the write run on a helper
//! thread, so the frame loop never blocks on them; a write shows progress (and can be
//! cancelled) in the side panel, and the outcome comes back as a message.

use super::jobs::{Job, Jobs};
use crate::imaging::{self, Playback};
use crate::protocol::RgbaImage;
use crossbeam_channel::{Receiver, Sender};
use std::path::{Path, PathBuf};

/// Something to save and the file name the dialog proposes.
#[derive(Clone, Debug)]
pub enum Export {
    Png {
        image: RgbaImage,
        name: String,
    },
    Gif {
        frames: Vec<RgbaImage>,
        frame_ms: u32,
        playback: Playback,
        name: String,
    },
    Csv {
        text: String,
        name: String,
    },
}

impl Export {
    fn name(&self) -> &str {
        match self {
            Export::Png { name, .. } | Export::Gif { name, .. } | Export::Csv { name, .. } => name,
        }
    }

    /// Write to `path` (what the dialog thread does once the user picked a file), reporting
    /// to `job`.
    pub fn write(&self, path: &Path, job: &Job) -> anyhow::Result<()> {
        match self {
            Export::Png { image, .. } => imaging::save_png(image, path),
            Export::Gif {
                frames,
                frame_ms,
                playback,
                ..
            } => imaging::save_gif(frames, *frame_ms, *playback, path, &mut |done, total| {
                job.progress(done, total);
                !job.cancelled()
            }),
            Export::Csv { text, .. } => Ok(std::fs::write(path, text)?),
        }
    }
}

/// The outcome of one export: a line for the user, and whether it is an error.
pub type Outcome = (String, bool);

pub struct Exporter {
    done_tx: Sender<Outcome>,
    done_rx: Receiver<Outcome>,
    /// Writes under way, shown with progress bars.
    pub jobs: Jobs,
}

impl Default for Exporter {
    fn default() -> Self {
        let (done_tx, done_rx) = crossbeam_channel::unbounded();
        Exporter {
            done_tx,
            done_rx,
            jobs: Jobs::default(),
        }
    }
}

impl Exporter {
    /// Ask where to save, then save, on a helper thread.
    pub fn start(&self, export: Export) {
        let done = self.done_tx.clone();
        let jobs = self.jobs.clone();
        let spawned = std::thread::Builder::new()
            .name("ganscope-export".into())
            .spawn(move || {
                let extension = Path::new(export.name())
                    .extension()
                    .and_then(|e| e.to_str())
                    .unwrap_or("png")
                    .to_string();
                let picked: Option<PathBuf> = rfd::FileDialog::new()
                    .set_file_name(export.name())
                    .add_filter(extension.to_uppercase(), &[extension.as_str()])
                    .save_file();
                if let Some(path) = picked {
                    let name = path
                        .file_name()
                        .map_or(String::new(), |n| n.to_string_lossy().into_owned());
                    let job = jobs.start(format!("Saving {name}"));
                    let written = export.write(&path, &job);
                    job.finish();
                    let _ = done.send(match written {
                        Ok(()) => (format!("saved {}", path.display()), false),
                        Err(e) if e.is::<imaging::Cancelled>() => {
                            (format!("cancelled saving {}", path.display()), false)
                        }
                        Err(e) => (format!("could not save {}: {e}", path.display()), true),
                    });
                }
            });
        if let Err(e) = spawned {
            let _ = self
                .done_tx
                .send((format!("could not open the save dialog: {e}"), true));
        }
    }

    /// Ask for a folder on a helper thread, then hand it to `then` (e.g. to ask the engine to
    /// write the generator there).
    pub fn pick_folder(&self, then: impl FnOnce(PathBuf) + Send + 'static) {
        let spawned = std::thread::Builder::new()
            .name("ganscope-export".into())
            .spawn(move || {
                if let Some(folder) = rfd::FileDialog::new().pick_folder() {
                    then(folder);
                }
            });
        if let Err(e) = spawned {
            let _ = self
                .done_tx
                .send((format!("could not open the folder dialog: {e}"), true));
        }
    }

    /// Outcomes that arrived since the last call.
    pub fn finished(&self) -> Vec<Outcome> {
        self.done_rx.try_iter().collect()
    }
}
