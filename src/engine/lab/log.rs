//! The lab's results kept in the run folder: one experiment per file,
//! `<run>/lab/step<S>.jsonl` (S: the training step of the G measured; `-2`, `-3`… when a step
//! is measured again), one [`ArmResult`] per line exactly as `ganscope augment` prints it,
//! written and flushed as each arm finishes, so a cancel or a crash keeps what was measured.

use super::ArmResult;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The folder of a run's experiments.
pub const FOLDER: &str = "lab";

/// An experiment's log file, open for appending.
pub struct Log {
    path: PathBuf,
    file: File,
}

impl Log {
    /// A new log for an experiment on the G of training step `step` of the run in `run`
    /// (never an existing file).
    pub fn create(run: &Path, step: u64) -> std::io::Result<Log> {
        let dir = run.join(FOLDER);
        std::fs::create_dir_all(&dir)?;
        let mut n = 1;
        loop {
            let name = match n {
                1 => format!("step{step}.jsonl"),
                n => format!("step{step}-{n}.jsonl"),
            };
            let path = dir.join(name);
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => return Ok(Log { path, file }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 10_000 => n += 1,
                Err(e) => return Err(e),
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one result as a line, flushed to the file.
    pub fn append(&mut self, result: &ArmResult) -> std::io::Result<()> {
        let line = serde_json::to_string(result).map_err(std::io::Error::other)?;
        writeln!(self.file, "{line}")?;
        self.file.flush()
    }
}

/// The results a log file holds, in order; lines that do not parse (a line cut short by a
/// crash) are skipped.
pub fn read(path: &Path) -> std::io::Result<Vec<ArmResult>> {
    let text = std::fs::read_to_string(path)?;
    Ok(text
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect())
}
