//! Turning the Export buttons into files: what each export contains, handed to the
//! [`super::Exporter`] that asks where to save it off the frame loop.

use super::GanscopeApp;
use crate::imaging;
use crate::protocol::{ExploreRequest, Synthesis};
use crate::ui::controls::ExportKind;
use crate::ui::explorer::synthetic::Asked;
use crate::ui::export::{Export, FileRequest, FolderPurpose};
use std::path::{Path, PathBuf};

/// Side of the evolution GIF's frames for 2-D samples (up to 120 of them are held at once),
/// and its frame time.
const EVOLUTION_PX: usize = 256;
const EVOLUTION_FRAME_MS: u32 = 120;

impl GanscopeApp {
    /// Start an export of the run (file dialogs and writing happen off the frame loop).
    pub(super) fn export(&mut self, kind: ExportKind) {
        let name = self.run_name();
        let export = match kind {
            ExportKind::Samples => self.run.samples.as_ref().map(|(step, view)| Export::Png {
                image: view.picture(imaging::SCATTER_PX),
                name: format!("{name}-step{step}.png"),
            }),
            ExportKind::Evolution => Some(Export::Gif {
                frames: self
                    .run
                    .evolution
                    .iter()
                    .map(|(_, view)| view.picture(EVOLUTION_PX))
                    .collect(),
                frame_ms: EVOLUTION_FRAME_MS,
                playback: imaging::Playback::Forward,
                name: format!("{name}-evolution.gif"),
            }),
            ExportKind::Metrics => Some(Export::Csv {
                text: self.run.curves.csv(),
                name: format!("{name}-metrics.csv"),
            }),
            ExportKind::Generator => {
                self.exporter
                    .request(FileRequest::Folder(FolderPurpose::Generator));
                None
            }
        };
        if let Some(export) = export {
            self.exporter.start(export);
        }
    }

    /// The loaded run's preset name, for file names ("run" before one is loaded).
    pub(super) fn run_name(&self) -> String {
        self.run
            .info
            .as_ref()
            .map_or("run", |i| i.preset.as_str())
            .to_string()
    }

    /// Ask where to write the synthetic set the explorer's form asked for.
    pub(super) fn ask_synthetic_folder(&mut self, asked: Asked) {
        self.synthetic = Some(asked);
        self.exporter
            .request(FileRequest::Folder(FolderPurpose::SyntheticSet));
    }

    /// Have the engine write the set asked for into a new folder inside `folder`, as a job
    /// with its progress bar.
    pub(super) fn write_synthetic(&mut self, folder: &Path) {
        let (Some(asked), Some(info)) = (self.synthetic.take(), &self.run.info) else {
            return;
        };
        let per_class = asked.per_class;
        let dest = fresh(folder.join(format!("{}-synthetic-{per_class}", info.preset)));
        let images = per_class * info.classes.unwrap_or(info.class_names.len());
        let job = self
            .exporter
            .jobs
            .start(format!("Synthetic set: {images} images"));
        self.link.request(ExploreRequest::Synthesize {
            synthesis: Synthesis {
                per_class,
                psi: asked.psi,
                min_confidence: asked.min_confidence,
                ema: asked.ema,
                class_names: info.class_names.clone(),
                dest,
            },
            job,
        });
    }
}

/// `base`, or `base-2`, `base-3`… : the first that does not exist.
fn fresh(base: PathBuf) -> PathBuf {
    if !base.exists() {
        return base;
    }
    let name = base
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (2..)
        .map(|i| base.with_file_name(format!("{name}-{i}")))
        .find(|p| !p.exists())
        .unwrap_or(base)
}
