//! Reading a file data set beside the command loop: a helper thread decodes it (into the
//! shared cache of `data::files`) while the engine keeps answering commands and reports how
//! far it has come; once it is read, the run is built from the cache at once. A new Load,
//! a Resume, `CancelLoad` or Shutdown stops the reading.

use super::Engine;
use crate::data::files::{self, Progress};
use crate::engine::{device, trainer::Trainer};
use crate::preset::Preset;
use crate::protocol::{DeviceChoice, Event};
use crossbeam_channel::Receiver;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often progress is reported while reading.
const REPORT_EVERY: Duration = Duration::from_millis(100);

pub(super) struct Loading {
    preset: Box<Preset>,
    device: DeviceChoice,
    progress: Arc<Progress>,
    /// The decoded set (kept alive until the run holds it too), or why it failed.
    done: Receiver<Result<Option<files::Held>, String>>,
    reported: Instant,
}

impl Loading {
    /// Start reading `preset`'s data when it comes from files (`None` otherwise).
    pub(super) fn start(preset: Box<Preset>, device: DeviceChoice) -> Option<Loading> {
        preset.dataset.file_path()?;
        let progress = Arc::new(Progress::default());
        let (tx, done) = crossbeam_channel::bounded(1);
        let (shared, dataset) = (progress.clone(), preset.dataset.clone());
        let spawned = std::thread::Builder::new()
            .name("ganscope-data".into())
            .spawn(move || {
                let read = files::read_for(&dataset, &shared).map_err(|e| e.to_string());
                let _ = tx.send(read);
            });
        let done = match spawned {
            Ok(_) => done,
            Err(e) => {
                let (tx, rx) = crossbeam_channel::bounded(1);
                let _ = tx.send(Err(format!("could not start reading the data: {e}")));
                rx
            }
        };
        Some(Loading {
            preset,
            device,
            progress,
            done,
            reported: Instant::now(),
        })
    }

    pub(super) fn cancel(&self) {
        self.progress.cancel();
    }
}

impl Engine {
    /// Load `preset`: its data read on a helper thread when it comes from files, else built
    /// at once. A reading under way is stopped first.
    pub(super) fn load(&mut self, preset: Box<Preset>, device: DeviceChoice) {
        self.cancel_loading(false);
        let name = preset.name.clone();
        match Loading::start(preset.clone(), device) {
            Some(loading) => {
                self.emit(Event::DataProgress {
                    preset: name,
                    done: 0,
                    total: 0,
                });
                self.loading = Some(loading);
            }
            None => self.build(&preset, device),
        }
    }

    /// Build and install a run of `preset` (its data already read, or generated).
    fn build(&mut self, preset: &Preset, device: DeviceChoice) {
        let opened = match self.open_device(preset, device) {
            Ok(opened) => opened,
            Err(why) => {
                return self.emit(Event::Error {
                    message: format!("cannot open the device for preset '{}': {why}", preset.name),
                    fatal_to_run: false,
                });
            }
        };
        match Trainer::try_new(preset, &opened) {
            Ok(trainer) => self.install(trainer),
            Err(e) => self.emit(Event::Error {
                message: format!("cannot build preset '{}': {e}", preset.name),
                fatal_to_run: false,
            }),
        }
    }

    /// Open `device` for `preset`, telling the front end first when that means connecting to
    /// a remote server (which may take up to `CONNECT_TIMEOUT`).
    pub(super) fn open_device(
        &mut self,
        preset: &Preset,
        device: DeviceChoice,
    ) -> Result<device::OpenedDevice, String> {
        if let (DeviceChoice::Remote, Some(target)) = (device, crate::engine::remote::target()) {
            self.emit(Event::Connecting {
                address: target.address,
            });
        }
        device::open(device, preset.dataset.is_points())
    }

    /// Stop a reading under way (saying so when `say`).
    pub(super) fn cancel_loading(&mut self, say: bool) {
        if let Some(loading) = self.loading.take() {
            loading.cancel();
            if say {
                self.emit(Event::Notice(format!(
                    "reading the data of '{}' was cancelled",
                    loading.preset.name
                )));
            }
        }
    }

    /// Report a reading's progress, and build the run once it is read.
    pub(super) fn poll_loading(&mut self) {
        let Some(loading) = &mut self.loading else {
            return;
        };
        match loading.done.try_recv() {
            Ok(Ok(decoded)) => {
                let (preset, device) = (loading.preset.clone(), loading.device);
                self.loading = None;
                // The decoded set stays alive until the run holds it (no second decode).
                self.build(&preset, device);
                drop(decoded);
            }
            Ok(Err(e)) => {
                let name = loading.preset.name.clone();
                self.loading = None;
                self.emit(Event::Error {
                    message: format!("cannot read the data of '{name}': {e}"),
                    fatal_to_run: false,
                });
            }
            Err(_) if loading.reported.elapsed() >= REPORT_EVERY => {
                loading.reported = Instant::now();
                let (done, total) = loading.progress.done_of();
                let preset = loading.preset.name.clone();
                self.emit(Event::DataProgress {
                    preset,
                    done,
                    total,
                });
            }
            Err(_) => {}
        }
    }
}
