//! Reading a run folder, also while another process (or the GUI's own engine) is writing it:
//! a [`Follower`] returns only what is new since its last poll, never a line the writer has
//! not finished, and starts over when a file was rewritten (a run resumed in place).
//! [`spawn`] polls one on its own thread, so a slow shared folder never holds up a frame.

use super::{CHECKPOINTS, EVENTS, METRICS, PRESET, RunEvent, SAMPLES, checkpoints, sample_steps};
use crate::preset::Preset;
use crate::protocol::StepMetrics;
use crossbeam_channel::Receiver;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How often a followed run folder is polled.
pub const POLL_EVERY: Duration = Duration::from_millis(500);

/// The complete lines appended to a growing text file. It notices a file rewritten under it
/// (shorter than what was read, or with another last line than the one read last) and then
/// reads it again from the start.
pub struct LineTail {
    path: PathBuf,
    /// Bytes consumed, the held-back partial line included.
    offset: u64,
    partial: Vec<u8>,
    /// The last complete line returned, newline included, which ends where `partial` starts.
    last_line: Vec<u8>,
    /// The last read stopped at [`READ_CHUNK`] with more of the file left.
    behind: bool,
}

/// The most one read takes in: a long run's first poll comes in slices, not all at once.
const READ_CHUNK: u64 = 8 << 20;
/// A line still unfinished past this length is not a metrics line: it is dropped rather than
/// held in memory without limit.
const MAX_LINE: usize = 1 << 20;

impl LineTail {
    pub fn new(path: &Path) -> LineTail {
        LineTail {
            path: path.to_path_buf(),
            offset: 0,
            partial: Vec::new(),
            last_line: Vec::new(),
            behind: false,
        }
    }

    /// Whether the file has more to read than the last read took in.
    pub fn behind(&self) -> bool {
        self.behind
    }

    /// Lines completed since the last read, without their newline; the flag says the file
    /// shrank since (it was rewritten) and the lines start again from its beginning. A missing
    /// file reads as empty.
    pub fn read(&mut self) -> std::io::Result<(bool, Vec<String>)> {
        // Opening a FIFO would block this thread for good: regular files only.
        match std::fs::metadata(&self.path) {
            Ok(m) if m.is_file() => {}
            Ok(_) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("{} is not a regular file", self.path.display()),
                ));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((false, Vec::new())),
            Err(e) => return Err(e),
        }
        let mut file = match std::fs::File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((false, Vec::new())),
            Err(e) => return Err(e),
        };
        let len = file.metadata()?.len();
        let restarted = len < self.offset || !self.still_there(&mut file)?;
        if restarted {
            self.rewind();
        }
        file.seek(SeekFrom::Start(self.offset))?;
        let mut fresh = Vec::new();
        file.take((len - self.offset).min(READ_CHUNK))
            .read_to_end(&mut fresh)?;
        self.offset += fresh.len() as u64;
        self.behind = self.offset < len;
        self.partial.extend_from_slice(&fresh);
        let Some(end) = self.partial.iter().rposition(|&b| b == b'\n') else {
            if self.partial.len() > MAX_LINE {
                // Its rest, once a newline comes, reads as a damaged line and is skipped.
                self.partial.clear();
                self.last_line.clear();
            }
            return Ok((restarted, Vec::new()));
        };
        let rest = self.partial.split_off(end + 1);
        let complete = std::mem::replace(&mut self.partial, rest);
        let last_start = complete[..end]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        self.last_line = complete[last_start..].to_vec();
        let lines = complete
            .split(|&b| b == b'\n')
            .filter(|line| !line.is_empty())
            .map(|line| String::from_utf8_lossy(line).into_owned())
            .collect();
        Ok((restarted, lines))
    }

    /// Read again from the start of the file.
    pub fn rewind(&mut self) {
        self.offset = 0;
        self.partial.clear();
        self.last_line.clear();
        self.behind = false;
    }

    /// Whether the last line returned is still where it was (the file only grew since).
    fn still_there(&self, file: &mut std::fs::File) -> std::io::Result<bool> {
        if self.last_line.is_empty() {
            return Ok(true);
        }
        let end = self.offset - self.partial.len() as u64;
        file.seek(SeekFrom::Start(end - self.last_line.len() as u64))?;
        let mut found = vec![0; self.last_line.len()];
        file.read_exact(&mut found)?;
        Ok(found == self.last_line)
    }
}

/// What a poll found new.
#[derive(Debug, Default)]
pub struct Update {
    /// The run was rewritten: drop what earlier updates gave; this one starts from step 1.
    pub restarted: bool,
    pub metrics: Vec<StepMetrics>,
    pub events: Vec<RunEvent>,
    /// Every saved sample grid's step, when the list changed.
    pub samples: Option<Vec<u64>>,
    /// Every complete checkpoint's step, when the list changed.
    pub checkpoints: Option<Vec<u64>>,
    /// Why the folder could not be read this time (it is tried again).
    pub error: Option<String>,
    /// More of the files is left than one poll reads: poll again at once.
    pub behind: bool,
    /// The run's preset, read once by the first poll (off the UI thread).
    pub preset: Option<Box<Preset>>,
}

impl Update {
    pub fn is_empty(&self) -> bool {
        !self.restarted
            && self.metrics.is_empty()
            && self.events.is_empty()
            && self.samples.is_none()
            && self.checkpoints.is_none()
            && self.error.is_none()
            && self.preset.is_none()
    }
}

pub struct Follower {
    folder: PathBuf,
    metrics: LineTail,
    events: LineTail,
    last_step: u64,
    samples: Vec<u64>,
    checkpoints: Vec<u64>,
    /// Modification times of the samples and checkpoints folders when last listed: they are
    /// listed again when they change, and every [`RELIST_EVERY`] in case the file system
    /// keeps coarse times.
    listed: [Option<std::time::SystemTime>; 2],
    relisted: std::time::Instant,
    preset_read: bool,
}

const RELIST_EVERY: Duration = Duration::from_secs(5);

/// Whether `folder`'s modification time differs from `seen` (updating it); a folder whose
/// time cannot be read counts as changed.
fn changed(folder: &Path, seen: &mut Option<std::time::SystemTime>) -> bool {
    let now = std::fs::metadata(folder).and_then(|m| m.modified()).ok();
    let changed = now.is_none() || now != *seen;
    *seen = now;
    changed
}

impl Follower {
    /// Follow the run in `folder`, which must hold `preset.toml` or `metrics.jsonl`.
    pub fn open(folder: &Path) -> anyhow::Result<Follower> {
        if !folder.join(PRESET).is_file() && !folder.join(METRICS).is_file() {
            anyhow::bail!(
                "{} is not a ganscope run folder (it has no {PRESET} and no {METRICS})",
                folder.display()
            );
        }
        Ok(Follower {
            folder: folder.to_path_buf(),
            metrics: LineTail::new(&folder.join(METRICS)),
            events: LineTail::new(&folder.join(EVENTS)),
            last_step: 0,
            samples: Vec::new(),
            checkpoints: Vec::new(),
            listed: [None, None],
            relisted: std::time::Instant::now(),
            preset_read: false,
        })
    }

    /// What is new in the folder since the last poll.
    pub fn poll(&mut self) -> Update {
        let mut update = Update::default();
        if !self.preset_read {
            self.preset_read = true;
            update.preset = Preset::from_file(&self.folder.join(PRESET))
                .ok()
                .map(Box::new);
        }
        if let Err(e) = self.poll_metrics(&mut update) {
            update.error = Some(format!("cannot read {}: {e}", self.folder.display()));
        }
        match self.events.read() {
            Ok((_, lines)) => {
                update.events = lines
                    .iter()
                    .filter_map(|l| serde_json::from_str(l).ok())
                    .collect();
            }
            Err(e) => update.error = Some(format!("cannot read {EVENTS}: {e}")),
        }
        let due = self.relisted.elapsed() >= RELIST_EVERY;
        if due {
            self.relisted = std::time::Instant::now();
        }
        if changed(&self.folder.join(SAMPLES), &mut self.listed[0]) || due {
            let samples = sample_steps(&self.folder);
            if samples != self.samples {
                self.samples = samples.clone();
                update.samples = Some(samples);
            }
        }
        if changed(&self.folder.join(CHECKPOINTS), &mut self.listed[1]) || due {
            let saved: Vec<u64> = checkpoints(&self.folder).iter().map(|(s, _)| *s).collect();
            if saved != self.checkpoints {
                self.checkpoints = saved.clone();
                update.checkpoints = Some(saved);
            }
        }
        update.behind = self.metrics.behind() || self.events.behind();
        update
    }

    /// New metric lines; when a line's step does not follow the last one, the file may have
    /// been rewritten under us, so start over from its beginning, once. A step out of order
    /// met again on that second reading is not a rewrite but a bad line (a duplicate, or two
    /// writers): it is skipped and reported, and reading goes on, so such a line can never
    /// make every poll start over.
    fn poll_metrics(&mut self, update: &mut Update) -> std::io::Result<()> {
        for pass in 0..2 {
            let (restarted, lines) = self.metrics.read()?;
            if restarted {
                self.restart(update);
            }
            let mut rewritten = false;
            let mut out_of_order = 0;
            for line in &lines {
                // Lines that are not metrics (a damaged line) are skipped.
                let Ok(m) = serde_json::from_str::<StepMetrics>(line) else {
                    continue;
                };
                if m.step <= self.last_step {
                    if pass == 0 {
                        rewritten = true;
                        break;
                    }
                    out_of_order += 1;
                    continue;
                }
                self.last_step = m.step;
                update.metrics.push(m);
            }
            if out_of_order > 0 {
                update.error = Some(format!(
                    "{METRICS} has {out_of_order} line(s) whose step is out of order (written \
                     twice, or by two writers); they are left out"
                ));
            }
            if !rewritten {
                return Ok(());
            }
            self.metrics.rewind();
            self.restart(update);
        }
        Ok(())
    }

    fn restart(&mut self, update: &mut Update) {
        self.last_step = 0;
        update.restarted = true;
        update.metrics.clear();
    }
}

/// A follower polled on its own thread; dropping this stops the thread.
pub struct Following {
    pub updates: Receiver<Update>,
    stop: Arc<AtomicBool>,
}

impl Drop for Following {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Poll `follower` every `every` on a helper thread, sending each non-empty update and then
/// calling `wake` (the GUI's repaint request).
pub fn spawn(
    mut follower: Follower,
    every: Duration,
    wake: impl Fn() + Send + 'static,
) -> anyhow::Result<Following> {
    let (tx, rx) = crossbeam_channel::unbounded();
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    std::thread::Builder::new()
        .name("ganscope-follow".into())
        .spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                let update = follower.poll();
                let behind = update.behind;
                if !update.is_empty() {
                    if tx.send(update).is_err() {
                        return;
                    }
                    wake();
                }
                if !behind {
                    std::thread::sleep(every);
                }
            }
        })?;
    Ok(Following { updates: rx, stop })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn append(path: &Path, text: &str) {
        let mut file = std::fs::File::options()
            .create(true)
            .append(true)
            .open(path)
            .unwrap_or_else(|e| panic!("{e}"));
        file.write_all(text.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn a_tail_holds_back_a_partial_line_until_it_is_complete() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("log");
        let mut tail = LineTail::new(&path);
        assert_eq!(tail.read().ok(), Some((false, vec![])), "missing file");
        append(&path, "one\ntw");
        assert_eq!(tail.read().ok(), Some((false, vec!["one".into()])));
        assert_eq!(tail.read().ok(), Some((false, vec![])), "nothing new");
        append(&path, "o\nthree\n");
        assert_eq!(
            tail.read().ok(),
            Some((false, vec!["two".into(), "three".into()]))
        );
        std::fs::write(&path, "new\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            tail.read().ok(),
            Some((true, vec!["new".into()])),
            "a shorter file was rewritten"
        );
        std::fs::write(&path, "old\nand longer\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            tail.read().ok(),
            Some((true, vec!["old".into(), "and longer".into()])),
            "a longer one too, when its line at our position changed"
        );
    }
}
