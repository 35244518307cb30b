//! Turning the Export buttons into files: what each export contains, handed to the
//! [`super::Exporter`] that asks where to save it off the frame loop.

use super::GanscopeApp;
use crate::imaging;
use crate::ui::controls::ExportKind;
use crate::ui::export::{Export, FileRequest, FolderPurpose};

/// Side of the evolution GIF's frames for 2-D samples (up to 120 of them are held at once),
/// and its frame time.
const EVOLUTION_PX: usize = 256;
const EVOLUTION_FRAME_MS: u32 = 120;

impl GanscopeApp {
    /// Start an export of the run (file dialogs and writing happen off the frame loop).
    pub(super) fn export(&mut self, kind: ExportKind) {
        let name = self
            .run
            .info
            .as_ref()
            .map_or("run", |i| i.preset.as_str())
            .to_string();
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
}
