//! Run folders under hostile use: a checkpoint saved twice keeps the good copy, half-deleted
//! and empty checkpoint folders are passed over, inconsistent or impossible `state.json`
//! files are refused without touching anything, one bad metrics line does not erase the
//! history, interrupted writes are cleaned up, and count arguments are bounded.

use super::common::preset;
use clap::Parser;
use ganscope::cli::{Cli, train};
use ganscope::engine::trainer::checkpoint;
use ganscope::engine::{Trainer, device};
use ganscope::protocol::DeviceChoice;
use ganscope::runs;
use std::path::Path;

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
}

fn trained(steps: usize) -> Trainer {
    let mut trainer = Trainer::new(&preset("ring8-mlp"), &device::cpu());
    for _ in 0..steps {
        trainer.step().unwrap_or_else(|e| panic!("{e}"));
    }
    trainer
}

#[test]
fn a_checkpoint_saved_twice_keeps_its_copy_and_broken_folders_are_passed_over() {
    let dir = tempdir();
    let run = dir.path();
    let mut trainer = trained(5);
    let first = trainer
        .save_checkpoint(run)
        .unwrap_or_else(|e| panic!("{e}"));
    let written = std::fs::metadata(first.join("generator.bpk"))
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("{e}"));
    // The same step again (a run ending on a periodic checkpoint): the copy stays as it is.
    let again = trainer
        .save_checkpoint(run)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again, first);
    let kept = std::fs::metadata(first.join("generator.bpk"))
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kept, written, "the good copy was not removed and rewritten");

    for _ in 0..5 {
        trainer.step().unwrap_or_else(|e| panic!("{e}"));
    }
    let second = trainer
        .save_checkpoint(run)
        .unwrap_or_else(|e| panic!("{e}"));
    // What a kill leaves: the newest half-deleted, and an empty folder of a huge step.
    std::fs::remove_file(second.join("generator.bpk")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(runs::checkpoint_path(run, 99_999_999))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        runs::checkpoints(run)
            .iter()
            .map(|c| c.0)
            .collect::<Vec<_>>(),
        vec![5],
        "only complete checkpoints count"
    );
    assert_eq!(
        checkpoint::resolve(run).unwrap_or_else(|e| panic!("{e}")),
        first,
        "resume picks the newest complete one"
    );
    // Saving step 10 again replaces the broken folder with a whole checkpoint.
    let mended = trainer
        .save_checkpoint(run)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(runs::checkpoint_complete(&mended));
    let mut resumed = Trainer::new(&preset("ring8-mlp"), &device::cpu());
    resumed
        .load_checkpoint(&checkpoint::resolve(run).unwrap_or_else(|e| panic!("{e}")))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resumed.steps_done(), 10);
}

/// Replace `"step": N` in a checkpoint's state.json.
fn set_state_step(folder: &Path, step: &str) {
    let state = folder.join("state.json");
    let text = std::fs::read_to_string(&state).unwrap_or_else(|e| panic!("{e}"));
    let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let old = value["step"].to_string();
    let changed = text.replacen(&format!("\"step\": {old}"), &format!("\"step\": {step}"), 1);
    assert_ne!(changed, text, "the step was replaced");
    std::fs::write(&state, changed).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn inconsistent_and_impossible_states_are_refused_and_nothing_is_touched() {
    let dir = tempdir();
    let run = dir.path().join("run");
    train::run_with(
        &preset("ring8-mlp"),
        20,
        DeviceChoice::Cpu,
        &run,
        &train::Checkpointing {
            every: Some(10),
            ..train::Checkpointing::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let at10 = runs::checkpoint_path(&run, 10);
    set_state_step(&at10, "15");
    let resume = |from: &Path| {
        train::run_with(
            &preset("ring8-mlp"),
            5,
            DeviceChoice::Cpu,
            &run,
            &train::Checkpointing {
                resume: Some(from.to_path_buf()),
                ..train::Checkpointing::default()
            },
        )
    };
    let refused = resume(&at10).err().map(|e| format!("{e:#}"));
    assert!(
        refused
            .as_deref()
            .is_some_and(|e| e.contains("inconsistent")),
        "{refused:?}"
    );
    let lines = |run: &Path| {
        std::fs::read_to_string(run.join(runs::METRICS))
            .unwrap_or_default()
            .lines()
            .count()
    };
    assert_eq!(lines(&run), 20, "the metrics were not cut");
    assert!(
        runs::checkpoint_complete(&at10),
        "the checkpoint was not deleted"
    );
    assert!(runs::checkpoint_complete(&runs::checkpoint_path(&run, 20)));

    set_state_step(&at10, "18446744073709551615");
    let mut trainer = Trainer::new(&preset("ring8-mlp"), &device::cpu());
    let refused = trainer.load_checkpoint(&at10).err().map(|e| e.to_string());
    assert!(refused.is_some(), "step u64::MAX is refused");
    assert_eq!(trainer.steps_done(), 0);
}

#[test]
fn a_bad_metrics_line_is_left_out_not_the_history() {
    let dir = tempdir();
    let run = dir.path().join("run");
    train::run(&preset("ring8-mlp"), 20, DeviceChoice::Cpu, &run).unwrap_or_else(|e| panic!("{e}"));
    let metrics = run.join(runs::METRICS);
    let mut bytes = std::fs::read(&metrics).unwrap_or_else(|e| panic!("{e}"));
    // A line of invalid UTF-8 in the middle, and one at the end.
    let middle = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or_else(|| panic!("a line"));
    bytes.splice(middle + 1..middle + 1, [0xff, 0xfe, b'\n']);
    bytes.extend([0xc3, 0x28, b'\n']);
    std::fs::write(&metrics, bytes).unwrap_or_else(|e| panic!("{e}"));

    let history = runs::history_until(&run, 20);
    assert_eq!(history.unreadable, 2);
    assert_eq!(
        history.text.lines().count(),
        20,
        "every readable step is kept"
    );

    train::run_with(
        &preset("ring8-mlp"),
        5,
        DeviceChoice::Cpu,
        &run,
        &train::Checkpointing {
            resume: Some(runs::checkpoint_path(&run, 20)),
            ..train::Checkpointing::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let steps: Vec<u64> = std::fs::read_to_string(&metrics)
        .unwrap_or_else(|e| panic!("{e}"))
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap_or_else(|e| panic!("{e}"))["step"]
                .as_u64()
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(steps, (1..=25).collect::<Vec<_>>(), "no gap, no duplicate");
    assert!(!metrics.with_extension("jsonl.tmp").exists());
}

#[test]
fn interrupted_writes_are_cleaned_up_when_a_run_is_opened_for_writing() {
    let dir = tempdir();
    let run = dir.path().join("run");
    train::run(&preset("ring8-mlp"), 5, DeviceChoice::Cpu, &run).unwrap_or_else(|e| panic!("{e}"));
    // A save by a process that is gone, and a grid whose encoding was cut off long ago.
    let partial = run
        .join(runs::CHECKPOINTS)
        .join("step_0000007.partial-4000000000");
    std::fs::create_dir_all(&partial).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(partial.join("generator.bpk"), b"half").unwrap_or_else(|e| panic!("{e}"));
    let tmp = run.join(runs::SAMPLES).join("step_0000007.png.tmp");
    let file = std::fs::File::create(&tmp).unwrap_or_else(|e| panic!("{e}"));
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    file.set_modified(old).unwrap_or_else(|e| panic!("{e}"));
    drop(file);
    // A save of this very process is under way: it stays.
    let ours = run
        .join(runs::CHECKPOINTS)
        .join(format!("step_0000008.partial-{}", std::process::id()));
    std::fs::create_dir_all(&ours).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(runs::clean_leftovers(&run), 2);
    assert!(!partial.exists() && !tmp.exists());
    assert!(ours.exists());
}

#[test]
fn count_arguments_are_bounded_with_a_message() {
    let parse = |args: &[&str]| {
        Cli::try_parse_from(args)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    let zero = parse(&[
        "ganscope",
        "train",
        "--preset",
        "ring8-mlp",
        "--checkpoint-every",
        "0",
    ]);
    assert!(zero.contains("--checkpoint-every"), "{zero}");
    let huge = parse(&[
        "ganscope",
        "sample",
        "--preset",
        "ring8-mlp",
        "--n",
        "10000000000",
    ]);
    assert!(huge.contains("--n") && huge.contains("1000000"), "{huge}");
    assert!(parse(&["ganscope", "sample", "--preset", "ring8-mlp", "--n", "2500"]).is_empty());
    for bad in ["NaN", "-1", "0", "inf"] {
        let refused = parse(&[
            "ganscope",
            "bench",
            "--preset",
            "ring8-mlp",
            &format!("--ui-seconds={bad}"),
        ]);
        assert!(refused.contains("--ui-seconds"), "{bad}: {refused}");
    }
}

#[test]
fn one_writer_per_run_folder() {
    use ganscope::runs::record::Recorder;
    let dir = tempdir();
    let run = dir.path().join("run");
    train::run(&preset("ring8-mlp"), 10, DeviceChoice::Cpu, &run).unwrap_or_else(|e| panic!("{e}"));
    let lines = || {
        std::fs::read_to_string(run.join(runs::METRICS))
            .unwrap_or_default()
            .lines()
            .count()
    };
    // Training into a folder that holds a run, without resuming it, is refused.
    let refused = train::run(&preset("ring8-mlp"), 5, DeviceChoice::Cpu, &run)
        .err()
        .map(|e| format!("{e:#}"));
    assert!(
        refused
            .as_deref()
            .is_some_and(|e| e.contains("already holds a run")),
        "{refused:?}"
    );
    assert_eq!(lines(), 10, "its metrics are untouched");
    // While one recorder writes a folder, a second is refused, naming the first.
    let other = dir.path().join("other");
    let first =
        Recorder::create(&other, &preset("ring8-mlp"), "").unwrap_or_else(|e| panic!("{e}"));
    let second = Recorder::create(&other, &preset("ring8-mlp"), "")
        .err()
        .map(|e| format!("{e:#}"));
    assert!(
        second
            .as_deref()
            .is_some_and(|e| e.contains(&format!("process {}", std::process::id()))),
        "{second:?}"
    );
    drop(first);
    Recorder::create(&other, &preset("ring8-mlp"), "")
        .unwrap_or_else(|e| panic!("released when the first is done: {e}"));
    // A lock left by a process that is gone is taken over.
    std::fs::write(other.join(runs::lock::LOCK), "4000000000").unwrap_or_else(|e| panic!("{e}"));
    Recorder::create(&other, &preset("ring8-mlp"), "")
        .unwrap_or_else(|e| panic!("a dead writer's lock is taken over: {e}"));
}

#[test]
fn flipped_bits_and_swapped_files_are_refused_by_checksum() {
    let dir = tempdir();
    let saved = trained(5)
        .save_checkpoint(dir.path())
        .unwrap_or_else(|e| panic!("{e}"));
    let load = || {
        Trainer::new(&preset("ring8-mlp"), &device::cpu())
            .load_checkpoint(&saved)
            .err()
            .map(|e| e.to_string())
    };
    assert_eq!(load(), None, "the checkpoint as saved loads");
    let weights = saved.join("generator.bpk");
    let good = std::fs::read(&weights).unwrap_or_else(|e| panic!("{e}"));
    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x01;
    std::fs::write(&weights, &flipped).unwrap_or_else(|e| panic!("{e}"));
    let refused = load();
    assert!(
        refused
            .as_deref()
            .is_some_and(|e| e.contains("generator.bpk") && e.contains("checksum")),
        "{refused:?}"
    );
    std::fs::write(&weights, &good).unwrap_or_else(|e| panic!("{e}"));
    let (g, d) = (saved.join("optimizer_g.bpk"), saved.join("optimizer_d.bpk"));
    let swap = saved.join("swap");
    for (from, to) in [(&g, &swap), (&d, &g), (&swap, &d)] {
        std::fs::rename(from, to).unwrap_or_else(|e| panic!("{e}"));
    }
    let refused = load();
    assert!(
        refused.as_deref().is_some_and(|e| e.contains("optimizer_")),
        "{refused:?}"
    );
}

/// Run `work` on a thread; panic if it has not finished within 20 s (a hang).
fn within_seconds<T: Send + 'static>(what: &str, work: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(work());
    });
    rx.recv_timeout(std::time::Duration::from_secs(20))
        .unwrap_or_else(|_| panic!("{what} hung"))
}

#[test]
fn fifos_and_devices_are_refused_instead_of_read() {
    let dir = tempdir();
    let fifo = |path: &Path| {
        let made = std::process::Command::new("mkfifo").arg(path).status();
        made.is_ok_and(|s| s.success())
    };
    let preset_fifo = dir.path().join("p.toml");
    if !fifo(&preset_fifo) {
        eprintln!("skipped: mkfifo is not available here");
        return;
    }
    let refused = within_seconds("a FIFO preset", move || {
        ganscope::preset::Preset::from_file(&preset_fifo)
            .err()
            .map(|e| e.to_string())
    });
    assert!(refused.is_some_and(|e| e.contains("not a regular file")));
    let zero = within_seconds("/dev/zero as a preset", || {
        ganscope::preset::Preset::from_file(Path::new("/dev/zero")).is_err()
    });
    assert!(zero);

    // In a checkpoint: state.json, then a weight file.
    let saved = trained(3)
        .save_checkpoint(&dir.path().join("run"))
        .unwrap_or_else(|e| panic!("{e}"));
    for name in ["state.json", "discriminator.bpk"] {
        let target = saved.join(name);
        let kept = std::fs::read(&target).unwrap_or_else(|e| panic!("{e}"));
        std::fs::remove_file(&target).unwrap_or_else(|e| panic!("{e}"));
        assert!(fifo(&target));
        let folder = saved.clone();
        let refused = within_seconds(name, move || {
            Trainer::new(&preset("ring8-mlp"), &device::cpu())
                .load_checkpoint(&folder)
                .err()
                .map(|e| e.to_string())
        });
        assert!(refused.is_some_and(|e| e.contains(name)), "{name}");
        std::fs::remove_file(&target).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(&target, kept).unwrap_or_else(|e| panic!("{e}"));
    }

    // A run folder whose metrics are a FIFO: following it and recording into it do not hang.
    let run = dir.path().join("fifo-run");
    std::fs::create_dir_all(&run).unwrap_or_else(|e| panic!("{e}"));
    assert!(fifo(&run.join(runs::METRICS)));
    std::fs::copy(
        super::common::presets_dir().join("ring8-mlp.toml"),
        run.join(runs::PRESET),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let followed = run.clone();
    let problem = within_seconds("following a FIFO", move || {
        ganscope::runs::follow::Follower::open(&followed)
            .map(|mut f| f.poll().error)
            .unwrap_or_else(|e| panic!("{e}"))
    });
    assert!(problem.is_some_and(|e| e.contains("not a regular file")));
    let recorded = run.clone();
    let refused = within_seconds("recording into a FIFO", move || {
        ganscope::runs::record::Recorder::create(&recorded, &preset("ring8-mlp"), "")
            .err()
            .map(|e| e.to_string())
    });
    assert!(refused.is_some_and(|e| e.contains("not a regular file")));
}

#[test]
fn oversized_presets_are_refused_with_the_reason() {
    let dir = tempdir();
    let text = std::fs::read_to_string(super::common::presets_dir().join("ring8-mlp.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let long = text.replacen(
        "description = \"",
        &format!("description = \"{}", "x".repeat(10_000)),
        1,
    );
    let path = dir.path().join("long.toml");
    std::fs::write(&path, long).unwrap_or_else(|e| panic!("{e}"));
    let refused = ganscope::preset::Preset::from_file(&path)
        .err()
        .map(|e| e.to_string());
    assert!(refused.is_some_and(|e| e.contains("description")));
    let huge = dir.path().join("huge.toml");
    std::fs::write(&huge, vec![b'#'; 300 * 1024]).unwrap_or_else(|e| panic!("{e}"));
    let refused = ganscope::preset::Preset::from_file(&huge)
        .err()
        .map(|e| e.to_string());
    assert!(refused.is_some_and(|e| e.contains("larger than")));
}

#[test]
fn forking_with_another_pack_says_so() {
    let dir = tempdir();
    let packed = preset("grid25-pacgan");
    assert!(packed.game.pack > 1, "the PacGAN preset packs");
    let mut trainer = Trainer::new(&packed, &device::cpu());
    trainer.step().unwrap_or_else(|e| panic!("{e}"));
    let saved = trainer
        .save_checkpoint(dir.path())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut single = packed.clone();
    single.game.pack = 1;
    let refused = Trainer::new(&single, &device::cpu())
        .load_checkpoint(&saved)
        .err()
        .map(|e| e.to_string());
    assert!(
        refused.as_deref().is_some_and(|e| e.contains("pack")),
        "{refused:?}"
    );
}

#[test]
fn nonsense_numbers_in_presets_are_refused() {
    let text = std::fs::read_to_string(super::common::presets_dir().join("ring8-mlp.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let with = |table: &str, line: &str| {
        let header = format!("[{table}]");
        let edited = if text.contains(&header) {
            text.replacen(&header, &format!("{header}\n{line}"), 1)
        } else {
            format!("{text}\n{header}\n{line}\n")
        };
        // A key given twice is a TOML error too; drop the original.
        let key = line.split('=').next().unwrap_or_default().trim();
        let mut seen = false;
        let kept: Vec<&str> = edited
            .lines()
            .filter(|l| {
                let is_key = l.trim_start().starts_with(&format!("{key} "))
                    || l.trim_start().starts_with(&format!("{key}="));
                let keep = !is_key || !seen;
                seen |= is_key;
                keep
            })
            .collect();
        ganscope::preset::Preset::from_toml(&kept.join("\n"), "edited.toml")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    assert!(with("dataset", "std = inf").contains("std"));
    assert!(with("dataset", "radius = 3e38").contains("radius"));
    assert!(with("game", "penalty_weight = 1e30").contains("penalty_weight"));
    assert!(with("game", "instance_noise = 0.5").contains("instance_noise_steps"));
}

/// A metrics line of `step`.
fn metrics_line(step: u64) -> String {
    let m = ganscope::protocol::StepMetrics {
        step,
        g_loss: 0.7,
        d_loss: 1.3,
        d_real: 0.5,
        d_fake: 0.5,
        g_grad_norm: 1.0,
        d_grad_norm: 1.0,
        wall_s: step as f64,
        terms: Default::default(),
        level: None,
        alpha: None,
        resolution: None,
    };
    format!("{}\n", serde_json::to_string(&m).unwrap_or_default())
}

#[test]
fn a_follower_is_not_fooled_into_rereading_and_takes_big_files_in_slices() {
    use ganscope::runs::follow::Follower;
    use std::io::Write;
    let dir = tempdir();
    let run = dir.path();
    let lines = |steps: &[u64]| steps.iter().map(|&s| metrics_line(s)).collect::<String>();
    // A duplicate step (two writers, or a line written twice) in the middle.
    std::fs::write(run.join(runs::METRICS), lines(&[1, 2, 3, 2, 4]))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut follower = Follower::open(run).unwrap_or_else(|e| panic!("{e}"));
    let first = follower.poll();
    let steps: Vec<u64> = first.metrics.iter().map(|m| m.step).collect();
    assert_eq!(steps, [1, 2, 3, 4], "the duplicate is left out");
    assert!(first.error.is_some_and(|e| e.contains("out of order")));
    let mut append = std::fs::File::options()
        .append(true)
        .open(run.join(runs::METRICS))
        .unwrap_or_else(|e| panic!("{e}"));
    append
        .write_all(lines(&[5]).as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    let next = follower.poll();
    assert!(!next.restarted, "no start over on the next poll");
    assert_eq!(next.metrics.iter().map(|m| m.step).collect::<Vec<_>>(), [5]);
    assert!(
        follower.poll().metrics.is_empty(),
        "nothing new, nothing read again"
    );

    // An endless unfinished line is dropped, not held; the lines after it still come.
    append
        .write_all(&vec![b'x'; 3 << 20])
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(follower.poll().metrics.is_empty());
    append
        .write_all(format!("\n{}", lines(&[6])).as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    let after = follower.poll();
    assert_eq!(
        after.metrics.iter().map(|m| m.step).collect::<Vec<_>>(),
        [6]
    );

    // A long run's history comes in slices of a few MB, each poll a slice.
    let big = dir.path().join("big");
    std::fs::create_dir_all(&big).unwrap_or_else(|e| panic!("{e}"));
    let steps: Vec<u64> = (1..=120_000).collect();
    std::fs::write(big.join(runs::METRICS), lines(&steps)).unwrap_or_else(|e| panic!("{e}"));
    let mut follower = Follower::open(&big).unwrap_or_else(|e| panic!("{e}"));
    let mut polls = 0;
    let mut read = Vec::new();
    loop {
        let update = follower.poll();
        polls += 1;
        read.extend(update.metrics.iter().map(|m| m.step));
        if !update.behind {
            break;
        }
    }
    assert_eq!(read, steps, "every line once, in order");
    assert!(polls > 1, "more than one slice");
}

/// A 1 MiB file system mounted for a test, unmounted when dropped.
struct SmallDisk(std::path::PathBuf);

impl SmallDisk {
    fn mount(at: &Path) -> Option<SmallDisk> {
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=1M", "tmpfs"])
            .arg(at)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        mounted.then(|| SmallDisk(at.to_path_buf()))
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_stops_with_the_reason_and_leaves_nothing_half_written() {
    let dir = tempdir();
    let Some(_disk) = SmallDisk::mount(dir.path()) else {
        eprintln!("skipped: cannot mount a small file system here (needs root)");
        return;
    };
    let run = dir.path().join("run");
    let outcome = train::run_with(
        &preset("ring8-mlp"),
        100_000,
        DeviceChoice::Cpu,
        &run,
        &train::Checkpointing {
            every: Some(5),
            ..train::Checkpointing::default()
        },
    );
    let error = outcome.err().map(|e| format!("{e:#}")).unwrap_or_default();
    assert!(
        error.contains("No space left") || error.contains("space"),
        "stops naming the cause: {error}"
    );
    // No half-written checkpoint or grid is left to keep the disk full.
    let leftovers: Vec<_> = [runs::CHECKPOINTS, runs::SAMPLES]
        .iter()
        .flat_map(|sub| std::fs::read_dir(run.join(sub)).into_iter().flatten())
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".partial-") || name.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // The newest complete checkpoint still loads.
    let newest = checkpoint::resolve(&run).unwrap_or_else(|e| panic!("{e}"));
    Trainer::new(&preset("ring8-mlp"), &device::cpu())
        .load_checkpoint(&newest)
        .unwrap_or_else(|e| panic!("{e}"));
    eprintln!("full disk after {}: {error}", newest.display());
}
