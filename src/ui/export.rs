//! Files the user asked for: saving pictures and tables, and choosing folders (to open a run,
//! to record runs into, to export the generator). The native dialog and the write run on
//! helper threads, so the frame loop never blocks on them; a write shows progress (and can be
//! cancelled) in the side panel, and the outcome comes back as a message.
//!
//! A native dialog that cannot open (no desktop portal and no zenity on Linux) looks exactly
//! like a cancelled one to the dialog library. Decision: a dialog that comes back empty within
//! [`FAILED_DIALOG`] was not shown (nobody cancels that fast), and one that cannot be shown at
//! all is known up front on Linux (no D-Bus session bus and no zenity). Either way the request
//! goes to the in-app path prompt ([`super::file_prompt`]) with the reason, and from then on
//! every request goes there directly.

use super::jobs::{Job, Jobs};
use crate::imaging::{self, Playback};
use crate::protocol::RgbaImage;
use crossbeam_channel::{Receiver, Sender};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A native dialog that returns nothing sooner than this was not shown to the user.
const FAILED_DIALOG: Duration = Duration::from_millis(350);

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
    pub fn name(&self) -> &str {
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

/// What a folder is chosen for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FolderPurpose {
    /// A run folder to open beside the live run.
    OpenRun,
    /// Where the GUI records its runs.
    RunsFolder,
    /// Where to export the generator with its preset.
    Generator,
    /// A data set to make a preset from (a folder, or an IDX / CIFAR file in it).
    OpenData,
    /// Where the data of a run being continued is now (it moved since it was recorded).
    LocateData,
    /// An image file for a super-resolution G to upscale (a file, not a folder).
    ImageToUpscale,
    /// Where to write a synthetic labelled set (a new folder is made inside).
    SyntheticSet,
}

/// A file or folder the user is asked for.
#[derive(Clone, Debug)]
pub enum FileRequest {
    Save(Export),
    Folder(FolderPurpose),
}

/// A native dialog: the path picked for a request, or `None` (cancelled, or not shown).
pub type NativeDialog = Arc<dyn Fn(&FileRequest) -> Option<PathBuf> + Send + Sync>;

/// The outcome of one export: a line for the user, and whether it is an error.
pub type Outcome = (String, bool);

/// Both ends of an unbounded channel from the helper threads to the frame loop.
type Channel<T> = (Sender<T>, Receiver<T>);

pub struct Exporter {
    done: Channel<Outcome>,
    chosen: Channel<(FolderPurpose, PathBuf)>,
    /// Requests for the in-app prompt, with the reason native dialogs are not used.
    fallbacks: Channel<(FileRequest, String)>,
    native: NativeDialog,
    /// Why native dialogs are not used, once that is known.
    unavailable: Arc<Mutex<Option<String>>>,
    /// Writes under way, shown with progress bars.
    pub jobs: Jobs,
}

impl Default for Exporter {
    fn default() -> Self {
        Exporter::with_native(Arc::new(rfd_dialog), native_unavailable())
    }
}

impl Exporter {
    /// An exporter whose native dialog is `native`; `unavailable` says why it cannot be used
    /// at all (then every request goes to the in-app prompt).
    pub fn with_native(native: NativeDialog, unavailable: Option<String>) -> Exporter {
        Exporter {
            done: crossbeam_channel::unbounded(),
            chosen: crossbeam_channel::unbounded(),
            fallbacks: crossbeam_channel::unbounded(),
            native,
            unavailable: Arc::new(Mutex::new(unavailable)),
            jobs: Jobs::default(),
        }
    }

    /// Why native dialogs are not used, if they are not.
    pub fn unavailable(&self) -> Option<String> {
        self.unavailable.lock().ok().and_then(|u| u.clone())
    }

    /// Ask the user for `request`'s file or folder: with the native dialog on a helper
    /// thread, or with the in-app prompt when native dialogs are unavailable.
    pub fn request(&self, request: FileRequest) {
        if let Some(reason) = self.unavailable() {
            let _ = self.fallbacks.0.send((request, reason));
            return;
        }
        let native = self.native.clone();
        let unavailable = self.unavailable.clone();
        let fallbacks = self.fallbacks.0.clone();
        let chosen = self.chosen.0.clone();
        let writer = self.writer();
        let spawned = std::thread::Builder::new()
            .name("ganscope-dialog".into())
            .spawn(move || {
                let asked = Instant::now();
                match (native(&request), request) {
                    (Some(path), FileRequest::Save(export)) => writer.write(&export, &path),
                    (Some(path), FileRequest::Folder(purpose)) => {
                        let _ = chosen.send((purpose, path));
                    }
                    (None, request) if asked.elapsed() < FAILED_DIALOG => {
                        let reason = "the system's file dialog could not be opened (no desktop \
                                      portal, and no zenity)"
                            .to_string();
                        if let Ok(mut u) = unavailable.lock() {
                            *u = Some(reason.clone());
                        }
                        let _ = fallbacks.send((request, reason));
                    }
                    // The user cancelled.
                    (None, _) => {}
                }
            });
        if let Err(e) = spawned {
            let _ = self
                .done
                .0
                .send((format!("could not open the file dialog: {e}"), true));
        }
    }

    /// Save `export` as a PNG/GIF/CSV file (the dialog proposes its name).
    pub fn start(&self, export: Export) {
        self.request(FileRequest::Save(export));
    }

    /// Write `export` to `path` on a helper thread (a path typed into the in-app prompt).
    pub fn write_to(&self, export: Export, path: PathBuf) {
        let writer = self.writer();
        let spawned = std::thread::Builder::new()
            .name("ganscope-export".into())
            .spawn(move || writer.write(&export, &path));
        if let Err(e) = spawned {
            let _ = self
                .done
                .0
                .send((format!("could not start writing: {e}"), true));
        }
    }

    fn writer(&self) -> Writer {
        Writer {
            done: self.done.0.clone(),
            jobs: self.jobs.clone(),
        }
    }

    /// Outcomes that arrived since the last call.
    pub fn finished(&self) -> Vec<Outcome> {
        self.done.1.try_iter().collect()
    }

    /// Folders chosen in native dialogs since the last call.
    pub fn chosen(&self) -> Vec<(FolderPurpose, PathBuf)> {
        self.chosen.1.try_iter().collect()
    }

    /// Requests waiting for the in-app prompt, with the reason.
    pub fn fallbacks(&self) -> Vec<(FileRequest, String)> {
        self.fallbacks.1.try_iter().collect()
    }
}

/// The writing half, for helper threads.
struct Writer {
    done: Sender<Outcome>,
    jobs: Jobs,
}

impl Writer {
    fn write(&self, export: &Export, path: &Path) {
        let name = path
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned());
        let job = self.jobs.start(format!("Saving {name}"));
        let created = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => std::fs::create_dir_all(parent)
                .map_err(|e| anyhow::anyhow!("cannot create the folder {}: {e}", parent.display())),
            _ => Ok(()),
        };
        let written = created.and_then(|()| export.write(path, &job));
        job.finish();
        let _ = self.done.send(match written {
            Ok(()) => (format!("saved {}", path.display()), false),
            Err(e) if e.is::<imaging::Cancelled>() => {
                (format!("cancelled saving {}", path.display()), false)
            }
            Err(e) => (format!("could not save {}: {e:#}", path.display()), true),
        });
    }
}

/// The system's dialog for `request` (blocks its thread until the user answers).
fn rfd_dialog(request: &FileRequest) -> Option<PathBuf> {
    match request {
        FileRequest::Save(export) => {
            let extension = Path::new(export.name())
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("png")
                .to_string();
            rfd::FileDialog::new()
                .set_file_name(export.name())
                .add_filter(extension.to_uppercase(), &[extension.as_str()])
                .save_file()
        }
        FileRequest::Folder(FolderPurpose::ImageToUpscale) => rfd::FileDialog::new()
            .add_filter("images", &["png", "jpg", "jpeg", "bmp", "webp", "gif"])
            .pick_file(),
        FileRequest::Folder(_) => rfd::FileDialog::new().pick_folder(),
    }
}

/// Why the system's file dialogs cannot open here, when that is known before trying: on Linux
/// they need a desktop portal over the D-Bus session bus, or zenity.
fn native_unavailable() -> Option<String> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        || std::env::var_os("XDG_RUNTIME_DIR")
            .is_some_and(|dir| Path::new(&dir).join("bus").exists());
    let zenity = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|p| p.join("zenity").is_file()));
    (!bus && !zenity).then(|| {
        "the system's file dialogs need a desktop portal (there is no D-Bus session bus) or \
         zenity, and neither is here"
            .to_string()
    })
}

/// Where exports go unless the user says otherwise: `~/ganscope/exports` (or `exports` in
/// the working folder without a home folder).
pub fn exports_folder() -> PathBuf {
    std::env::home_dir()
        .filter(|h| !h.as_os_str().is_empty())
        .map_or_else(
            || PathBuf::from("exports"),
            |h| h.join("ganscope").join("exports"),
        )
}
