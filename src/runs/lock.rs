//! One writer per run folder. A process that writes a run (the GUI's recorder, `ganscope
//! train`) holds `RUN/.ganscope-lock`, which names its process id, for as long as it writes;
//! a second writer is refused with a message naming the first, instead of interleaving or
//! truncating its files. A lock left by a process that no longer runs (a kill -9) is taken
//! over. Readers (followers, Open run) never take it.

use anyhow::Context;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The lock file's name inside a run folder.
pub const LOCK: &str = ".ganscope-lock";

/// A held lock; dropping it releases the folder.
#[derive(Debug)]
pub struct RunLock {
    path: PathBuf,
}

impl RunLock {
    /// Take the lock of `folder` (which must exist), or say who holds it.
    pub fn acquire(folder: &Path) -> anyhow::Result<RunLock> {
        let path = folder.join(LOCK);
        for _ in 0..2 {
            match std::fs::File::options()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    write!(file, "{}", std::process::id())
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    return Ok(RunLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder = crate::files::read_text(&path, 64)
                        .ok()
                        .and_then(|t| t.trim().parse::<u32>().ok());
                    match holder {
                        Some(pid) if super::process_alive(pid) => anyhow::bail!(
                            "{} is being written by another ganscope (process {pid}); wait \
                             for it to finish, or use another folder",
                            folder.display()
                        ),
                        // Left by a process that is gone (or unreadable): take it over.
                        _ => {
                            std::fs::remove_file(&path)
                                .with_context(|| format!("cannot remove {}", path.display()))?;
                        }
                    }
                }
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot lock {}", folder.display()));
                }
            }
        }
        anyhow::bail!(
            "cannot lock {}: another process keeps taking it",
            folder.display()
        )
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
