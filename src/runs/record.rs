//! Writing a run folder. A [`Recorder`] hands every line and sample grid to its own writer
//! thread, so neither the training thread nor the CLI's loop waits on the disk or on PNG
//! encoding. The writer flushes whenever it has nothing queued, so a follower sees new lines
//! within moments. A write that fails stops the recording (training goes on); the error is
//! reported by the next [`Recorder::take_error`] or [`Recorder::sync`].

use super::lock::RunLock;
use super::{EVENTS, EventKind, METRICS, PRESET, RunEvent, SAMPLES, sample_path};
use crate::imaging;
use crate::metrics::alarms::Alarm;
use crate::preset::Preset;
use crate::protocol::{Diagnostics, SampleView, StepMetrics};
use anyhow::Context;
use crossbeam_channel::{Receiver, Sender};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// One `metrics.jsonl` line: the step's metrics, plus `diagnostics` when measured at this step
/// and `alarms` when any fired.
pub fn metrics_line(
    m: &StepMetrics,
    diagnostics: Option<&Diagnostics>,
    alarms: &[Alarm],
) -> serde_json::Result<String> {
    let mut line = serde_json::to_value(m)?;
    if let Some(d) = diagnostics {
        line["diagnostics"] = serde_json::to_value(d)?;
    }
    if !alarms.is_empty() {
        line["alarms"] = serde_json::to_value(alarms)?;
    }
    serde_json::to_string(&line)
}

enum Record {
    Metrics(String),
    Event(String),
    Samples {
        step: u64,
        view: Box<SampleView>,
    },
    /// Answer once everything sent before is on disk.
    Sync(Sender<()>),
}

/// The writer of one run folder.
pub struct Recorder {
    folder: PathBuf,
    records: Option<Sender<Record>>,
    writer: Option<JoinHandle<()>>,
    error: Arc<Mutex<Option<String>>>,
    /// Bytes in the run folder: what was there when recording started, plus what was
    /// written since (counted as written, so reading it costs no disk access).
    bytes: Arc<AtomicU64>,
    /// Held while this recorder writes the folder (released after the writer stops).
    _lock: RunLock,
}

impl Recorder {
    /// Start recording into `folder` (created when missing): write `preset.toml`, start
    /// `metrics.jsonl` with `history` (whole lines of an earlier run, for a resume or a fork)
    /// and append to `events.jsonl`.
    pub fn create(folder: &Path, preset: &Preset, history: &str) -> anyhow::Result<Recorder> {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
        let lock = RunLock::acquire(folder)?;
        Recorder::create_locked(folder, preset, history, lock)
    }

    /// [`Self::create`] for a folder whose lock the caller took already (to cut the run
    /// back before recording on in it, with no other writer in between).
    pub fn create_locked(
        folder: &Path,
        preset: &Preset,
        history: &str,
        lock: RunLock,
    ) -> anyhow::Result<Recorder> {
        std::fs::create_dir_all(folder.join(SAMPLES))
            .with_context(|| format!("cannot create {}", folder.display()))?;
        // Opening a FIFO for writing would block for good: only regular files (or none).
        for name in [PRESET, METRICS, EVENTS] {
            let path = folder.join(name);
            if path.exists() {
                crate::files::regular(&path)?;
            }
        }
        super::clean_leftovers(folder);
        // Both are replaced whole (a temporary file renamed over the old one): a kill in
        // between leaves the old file or the new one, never a truncated history.
        let cannot_write = || format!("cannot write into {}", folder.display());
        super::replace_file(&folder.join(PRESET), toml::to_string(preset)?.as_bytes())
            .with_context(cannot_write)?;
        super::replace_file(&folder.join(METRICS), history.as_bytes())
            .with_context(cannot_write)?;
        let metrics = BufWriter::new(
            File::options()
                .append(true)
                .open(folder.join(METRICS))
                .with_context(cannot_write)?,
        );
        let events = BufWriter::new(
            File::options()
                .create(true)
                .append(true)
                .open(folder.join(EVENTS))
                .with_context(cannot_write)?,
        );
        let (tx, rx) = crossbeam_channel::unbounded();
        let error = Arc::new(Mutex::new(None));
        let bytes = Arc::new(AtomicU64::new(super::folder_bytes(folder)));
        let writer = Writer {
            folder: folder.to_path_buf(),
            metrics,
            events,
            error: error.clone(),
            bytes: bytes.clone(),
        };
        let handle = std::thread::Builder::new()
            .name("ganscope-recorder".into())
            .spawn(move || writer.serve(rx))
            .context("cannot start the recorder thread")?;
        Ok(Recorder {
            folder: folder.to_path_buf(),
            records: Some(tx),
            writer: Some(handle),
            error,
            bytes,
            _lock: lock,
        })
    }

    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// Bytes the run folder holds, as far as this recorder knows.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Count `n` bytes written into the folder by someone else (a checkpoint).
    pub fn add_bytes(&self, n: u64) {
        self.bytes.fetch_add(n, Ordering::Relaxed);
    }

    /// Queue one step's line of `metrics.jsonl`.
    pub fn step(&self, m: &StepMetrics, diagnostics: Option<&Diagnostics>, alarms: &[Alarm]) {
        match metrics_line(m, diagnostics, alarms) {
            Ok(line) => self.send(Record::Metrics(line)),
            Err(e) => self.fail(format!("cannot encode the metrics of step {}: {e}", m.step)),
        }
    }

    /// Queue a line of `events.jsonl`.
    pub fn event(&self, step: u64, kind: EventKind, text: impl Into<String>) {
        let event = RunEvent {
            step,
            kind,
            text: text.into(),
        };
        match serde_json::to_string(&event) {
            Ok(line) => self.send(Record::Event(line)),
            Err(e) => self.fail(format!("cannot encode an event: {e}")),
        }
    }

    /// Queue the sample grid of `step` (encoded as PNG by the writer).
    pub fn samples(&self, step: u64, view: SampleView) {
        self.send(Record::Samples {
            step,
            view: Box::new(view),
        });
    }

    /// Wait until everything queued so far is written and flushed; the first write error of
    /// the recording, if any.
    pub fn sync(&self) -> anyhow::Result<()> {
        let (tx, rx) = crossbeam_channel::bounded(1);
        self.send(Record::Sync(tx));
        let _ = rx.recv();
        match self.error.lock().map(|e| e.clone()) {
            Ok(None) => Ok(()),
            Ok(Some(e)) => anyhow::bail!(e),
            Err(_) => anyhow::bail!("the recorder thread failed"),
        }
    }

    /// The write error that stopped the recording, once (`None` while all is well).
    pub fn take_error(&self) -> Option<String> {
        self.error.lock().ok()?.take()
    }

    /// Write everything queued, then stop the writer.
    pub fn finish(mut self) -> anyhow::Result<()> {
        let outcome = self.sync();
        self.stop();
        outcome
    }

    fn send(&self, record: Record) {
        if let Some(records) = &self.records {
            let _ = records.send(record);
        }
    }

    fn fail(&self, message: String) {
        if let Ok(mut error) = self.error.lock() {
            error.get_or_insert(message);
        }
    }

    fn stop(&mut self) {
        self.records = None;
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.stop();
    }
}

struct Writer {
    folder: PathBuf,
    metrics: BufWriter<File>,
    events: BufWriter<File>,
    error: Arc<Mutex<Option<String>>>,
    bytes: Arc<AtomicU64>,
}

impl Writer {
    fn serve(mut self, records: Receiver<Record>) {
        let mut failed = false;
        while let Ok(record) = records.recv() {
            if let Record::Sync(done) = record {
                if !failed {
                    failed = self.flush().is_err();
                }
                let _ = done.send(());
                continue;
            }
            if failed {
                continue; // drain, so that senders never block on a dead writer
            }
            let mut outcome = self.write(record);
            if outcome.is_ok() && records.is_empty() {
                outcome = self.flush();
            }
            failed = outcome.is_err();
        }
        let _ = self.flush();
    }

    fn write(&mut self, record: Record) -> Result<(), ()> {
        let (outcome, written) = match record {
            Record::Metrics(line) => (
                writeln!(self.metrics, "{line}").map_err(anyhow::Error::from),
                line.len() + 1,
            ),
            Record::Event(line) => (
                writeln!(self.events, "{line}").map_err(anyhow::Error::from),
                line.len() + 1,
            ),
            Record::Samples { step, view } => match self.write_samples(step, &view) {
                Ok(size) => (Ok(()), size as usize),
                Err(e) => (Err(e), 0),
            },
            Record::Sync(_) => (Ok(()), 0),
        };
        self.bytes.fetch_add(written as u64, Ordering::Relaxed);
        outcome.map_err(|e| self.fail(format!("{e:#}")))
    }

    /// Write the grid of `step`; its size in bytes.
    fn write_samples(&self, step: u64, view: &SampleView) -> anyhow::Result<u64> {
        let path = sample_path(&self.folder, step);
        let temporary = path.with_extension("png.tmp");
        let image = view.picture(imaging::SCATTER_PX);
        let written = imaging::save_png(&image, &temporary)
            .and_then(|()| Ok(std::fs::rename(&temporary, &path)?))
            .and_then(|()| Ok(std::fs::metadata(&path)?.len()))
            .with_context(|| format!("cannot write {}", path.display()));
        if written.is_err() {
            // A full disk must not stay full of half-written grids.
            let _ = std::fs::remove_file(&temporary);
        }
        written
    }

    fn flush(&mut self) -> Result<(), ()> {
        let outcome = self.metrics.flush().and_then(|()| self.events.flush());
        outcome.map_err(|e| self.fail(format!("cannot write into {}: {e}", self.folder.display())))
    }

    fn fail(&self, message: String) {
        if let Ok(mut error) = self.error.lock() {
            error.get_or_insert(format!("recording stopped: {message}"));
        }
    }
}
