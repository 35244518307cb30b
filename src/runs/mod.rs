//! Run folders: the one on-disk format of a training run. The GUI's engine and `ganscope
//! train` write it ([`record`]); `ganscope open`, the step scrubber and the run comparison
//! read it back, also while it grows ([`follow`]). It knows neither burn nor egui.
//!
//! ```text
//! RUN/
//!   preset.toml          the exact preset, seed included
//!   metrics.jsonl        one JSON object per step, in step order (see `record::metrics_line`)
//!   events.jsonl         one RunEvent per line: training started or paused, checkpoints,
//!                        alarms, settings changed while training
//!   samples/step_NNNNNNN.png   the fixed-latent samples, every `sample_every` steps and
//!                        whenever training pauses
//!   checkpoints/step_NNNNNNN/  see `engine::trainer::checkpoint`
//!   generator.bpk        G alone (`ganscope train` writes it at the end)
//! ```
//!
//! Text files grow by whole lines, flushed as soon as the writer is idle; a reader must still
//! expect a last line cut short and wait for the rest. A sample PNG is written under a
//! temporary name and renamed, so a listed PNG is always whole. Resuming a run in its own
//! folder cuts it back to the checkpoint's step (metric lines, sample grids and checkpoints
//! after it are removed; see [`truncate_after`]) and continues it.

pub mod follow;
pub mod lock;
pub mod record;

use std::path::{Path, PathBuf};

pub const PRESET: &str = "preset.toml";
pub const METRICS: &str = "metrics.jsonl";
pub const EVENTS: &str = "events.jsonl";
pub const SAMPLES: &str = "samples";
pub const CHECKPOINTS: &str = "checkpoints";

pub use crate::protocol::{EventKind, RunEvent};

/// `RUN/samples/step_NNNNNNN.png`.
pub fn sample_path(run: &Path, step: u64) -> PathBuf {
    run.join(SAMPLES).join(format!("step_{step:07}.png"))
}

/// `RUN/checkpoints/step_NNNNNNN`.
pub fn checkpoint_path(run: &Path, step: u64) -> PathBuf {
    run.join(CHECKPOINTS).join(format!("step_{step:07}"))
}

/// The files of a complete checkpoint; `state.json` is written last, and the folder is
/// renamed into place only after it.
pub const CHECKPOINT_FILES: [&str; 6] = [
    "generator.bpk",
    "discriminator.bpk",
    "optimizer_g.bpk",
    "optimizer_d.bpk",
    "preset.toml",
    "state.json",
];

/// Whether `folder` holds a complete checkpoint: every file of [`CHECKPOINT_FILES`], each a
/// non-empty regular file. An empty or half-deleted `step_N` folder is not one.
pub fn checkpoint_complete(folder: &Path) -> bool {
    CHECKPOINT_FILES.iter().all(|name| {
        std::fs::symlink_metadata(folder.join(name)).is_ok_and(|m| m.is_file() && m.len() > 0)
    })
}

/// The complete checkpoints of a run, oldest first (see [`checkpoint_complete`]): folders
/// left half-written or half-deleted by a crash are passed over.
pub fn checkpoints(run: &Path) -> Vec<(u64, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(run.join(CHECKPOINTS)) else {
        return Vec::new();
    };
    let mut found: Vec<(u64, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let step = name.strip_prefix("step_")?.parse().ok()?;
            Some((step, e.path()))
        })
        .filter(|(_, path)| checkpoint_complete(path))
        .collect();
    found.sort();
    found
}

/// The step a checkpoint folder is named for (`step_NNNNNNN`).
pub fn checkpoint_step(folder: &Path) -> Option<u64> {
    folder
        .file_name()?
        .to_str()?
        .strip_prefix("step_")?
        .parse()
        .ok()
}

/// The steps of a run's saved sample grids, oldest first.
pub fn sample_steps(run: &Path) -> Vec<u64> {
    let Ok(entries) = std::fs::read_dir(run.join(SAMPLES)) else {
        return Vec::new();
    };
    let mut steps: Vec<u64> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.strip_prefix("step_")?
                .strip_suffix(".png")?
                .parse()
                .ok()
        })
        .collect();
    steps.sort_unstable();
    steps
}

/// Bytes of the files in `folder` and its sub-folders, two levels down (a run folder's
/// samples and checkpoints); links are not followed, and a folder that cannot be read counts
/// as empty.
pub fn folder_bytes(folder: &Path) -> u64 {
    fn walk(folder: &Path, depth: usize) -> u64 {
        let Ok(entries) = std::fs::read_dir(folder) else {
            return 0;
        };
        entries
            .filter_map(Result::ok)
            .map(|entry| match entry.file_type() {
                Ok(t) if t.is_file() => entry.metadata().map_or(0, |m| m.len()),
                Ok(t) if t.is_dir() && depth > 0 => walk(&entry.path(), depth - 1),
                _ => 0,
            })
            .sum()
    }
    walk(folder, 2)
}

/// The run folder `path` is or lies directly in (a dropped `metrics.jsonl`, say): a folder
/// holding a metrics log or a preset.
pub fn run_folder_of(path: &Path) -> Option<PathBuf> {
    let is_run = |p: &Path| p.join(METRICS).is_file() || p.join(PRESET).is_file();
    if path.is_dir() {
        return is_run(path).then(|| path.to_path_buf());
    }
    path.parent().filter(|p| is_run(p)).map(Path::to_path_buf)
}

/// Claim a new, empty run folder `PARENT/NAME-<unix time>` (with a `-2`, `-3` … suffix when
/// that exists already).
pub fn new_folder(parent: &Path, name: &str) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(parent)?;
    let stem = format!("{}-{}", safe_name(name), unix_time());
    let mut n = 1u64;
    loop {
        let folder = match n {
            1 => parent.join(&stem),
            n => parent.join(format!("{stem}-{n}")),
        };
        match std::fs::create_dir(&folder) {
            Ok(()) => return Ok(folder),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => n += 1,
            Err(e) => return Err(e),
        }
    }
}

/// What [`history_until`] kept of a run's metrics.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// Whole `metrics.jsonl` lines, each with its newline.
    pub text: String,
    /// Lines that could not be read (not UTF-8, not JSON, no step) and were left out.
    pub unreadable: usize,
}

/// A preset name as a file name: letters, digits, `-`, `_` and `.` kept (others become
/// `-`), no leading dot, at most 64 characters, never empty. A name such as `../../x` or
/// `/tmp/x` cannot place a run folder outside its runs folder.
pub fn safe_name(name: &str) -> String {
    let kept: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    let kept = kept.trim_start_matches('.');
    if kept.is_empty() {
        "run".into()
    } else {
        kept.into()
    }
}

/// The `metrics.jsonl` lines of `run` up to and including `step`, whole lines only (the
/// history a resumed or forked run starts from): an unreadable line is left out and counted,
/// never the rest with it. A run without metrics has none.
pub fn history_until(run: &Path, step: u64) -> History {
    let mut history = History::default();
    let path = run.join(METRICS);
    if crate::files::regular(&path).is_err() {
        return history;
    }
    let Ok(bytes) = std::fs::read(&path) else {
        return history;
    };
    // A last line without its newline is still being written (or was cut): not whole.
    let whole = bytes
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(&[][..], |end| &bytes[..end]);
    for line in whole.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let read = std::str::from_utf8(line).ok().and_then(|text| {
            let value: serde_json::Value = serde_json::from_str(text).ok()?;
            Some((text, value["step"].as_u64()?))
        });
        match read {
            Some((text, s)) if s <= step => {
                history.text.push_str(text);
                history.text.push('\n');
            }
            Some(_) => {}
            None => history.unreadable += 1,
        }
    }
    history
}

/// Cut a run back to `step` before it continues from there in its own folder: its metric
/// lines, sample grids and checkpoints after `step` belong to a history that is being
/// replaced, and are removed. Events are kept (they are a log). The metrics are rewritten
/// into a temporary file that is renamed over the old one, so a crash leaves either the
/// whole old file or the whole cut one. Returns what the run keeps.
pub fn truncate_after(run: &Path, step: u64) -> std::io::Result<History> {
    let history = history_until(run, step);
    let metrics = run.join(METRICS);
    if metrics.exists() {
        replace_file(&metrics, history.text.as_bytes())?;
    }
    for later in sample_steps(run).into_iter().filter(|&s| s > step) {
        std::fs::remove_file(sample_path(run, later))?;
    }
    for (_, later) in checkpoints(run).into_iter().filter(|&(s, _)| s > step) {
        std::fs::remove_dir_all(later)?;
    }
    Ok(history)
}

/// Replace `path` whole with `contents`: written (and synced) under `NAME.tmp`, then renamed
/// over it, so a crash leaves the old file or the new one, never a part.
pub fn replace_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    let mut file = std::fs::File::create(&temporary)?;
    std::io::Write::write_all(&mut file, contents)?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)
}

/// Remove what interrupted writes left in `run`: checkpoint folders being written by a
/// process that no longer runs (`step_N.partial-PID`), sample grids being encoded
/// (`.png.tmp`) more than a minute ago, and a metrics file being cut back (`.jsonl.tmp`).
/// Returns how many were removed.
pub fn clean_leftovers(run: &Path) -> usize {
    let mut removed = 0;
    let entries = |dir: PathBuf| {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|e| e.path())
    };
    for path in entries(run.join(CHECKPOINTS)) {
        let pid = path
            .extension()
            .and_then(|e| e.to_str())
            .and_then(|e| e.strip_prefix("partial-"))
            .and_then(|pid| pid.parse::<u32>().ok());
        if pid.is_some_and(|pid| !process_alive(pid)) && std::fs::remove_dir_all(&path).is_ok() {
            removed += 1;
        }
    }
    let stale = |path: &Path| {
        std::fs::metadata(path)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|age| age.as_secs() > 60))
    };
    for path in entries(run.join(SAMPLES)) {
        if path.to_string_lossy().ends_with(".png.tmp")
            && stale(&path)
            && std::fs::remove_file(&path).is_ok()
        {
            removed += 1;
        }
    }
    for name in [METRICS, PRESET] {
        let cut = run.join(format!("{name}.tmp"));
        if cut.is_file() && stale(&cut) && std::fs::remove_file(&cut).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Whether a process with this id runs (on Linux; elsewhere every process is assumed alive,
/// so nothing of another process is ever removed).
pub(crate) fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    !cfg!(target_os = "linux") || Path::new("/proc").join(pid.to_string()).exists()
}

/// Whether two paths name the same existing folder.
pub fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// A run's name for legends and titles: its folder's name.
pub fn display_name(run: &Path) -> String {
    run.file_name().map_or_else(
        || run.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Seconds since the Unix epoch.
pub fn unix_time() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preset_names_become_safe_file_names() {
        assert_eq!(safe_name("ring8-mlp"), "ring8-mlp");
        assert_eq!(safe_name("../../x"), "-..-x");
        assert_eq!(safe_name("/tmp/x"), "-tmp-x");
        assert_eq!(safe_name("..."), "run");
        assert_eq!(safe_name(""), "run");
        assert_eq!(safe_name(&"a".repeat(500)).len(), 64);
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let folder = new_folder(dir.path(), "../../escape").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            folder.parent(),
            Some(dir.path()),
            "stays in the runs folder"
        );
    }

    #[test]
    fn new_folders_never_collide_and_samples_list_in_step_order() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let a = new_folder(dir.path(), "ring").unwrap_or_else(|e| panic!("{e}"));
        let b = new_folder(dir.path(), "ring").unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(a, b);
        std::fs::create_dir_all(a.join(SAMPLES)).unwrap_or_else(|e| panic!("{e}"));
        for step in [200, 0, 100] {
            std::fs::write(sample_path(&a, step), b"").unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(a.join(SAMPLES).join("step_0000300.png.tmp"), b"")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            sample_steps(&a),
            vec![0, 100, 200],
            "temporary files are not listed"
        );
    }
}
