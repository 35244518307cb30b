//! Run folders: a follower reads a run while another thread writes it (never misreading a
//! half-written line), starts over when the run is rewritten; the GUI's engine records its
//! runs (metrics, events, samples, checkpoints on demand and on quit); a headless job stops
//! cleanly when cancelled.

use super::common::preset;
use super::session::{loaded, stopped_at, wait_for};
use ganscope::engine;
use ganscope::protocol::{Command, DeviceChoice, Event, StepMetrics};
use ganscope::runs::follow::{Follower, Update};
use ganscope::runs::{self, EventKind, RunEvent};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn metrics(step: u64, g_loss: f32) -> StepMetrics {
    StepMetrics {
        step,
        g_loss,
        d_loss: 1.25,
        d_real: 0.5,
        d_fake: 0.25,
        g_grad_norm: 3.0,
        d_grad_norm: 4.0,
        wall_s: step as f64 * 0.01,
        terms: Default::default(),
        level: None,
        alpha: None,
        resolution: None,
    }
}

fn line(m: &StepMetrics) -> String {
    serde_json::to_string(m).unwrap_or_else(|e| panic!("{e}")) + "\n"
}

/// Poll until `n` metric steps arrived (or 30 s pass); the updates seen.
fn follow_until(follower: &mut Follower, n: usize) -> Vec<Update> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut updates = Vec::new();
    let mut count = 0;
    while count < n && Instant::now() < deadline {
        let update = follower.poll();
        if update.restarted {
            count = 0;
        }
        count += update.metrics.len();
        updates.push(update);
        std::thread::sleep(Duration::from_millis(1));
    }
    updates
}

#[test]
fn a_follower_reads_a_growing_run_without_misreading_partial_lines() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = dir.path().to_path_buf();
    std::fs::write(run.join(runs::PRESET), "").unwrap_or_else(|e| panic!("{e}"));
    let mut follower = Follower::open(&run).unwrap_or_else(|e| panic!("{e}"));
    const STEPS: u64 = 400;
    let writer = {
        let run = run.clone();
        std::thread::spawn(move || {
            let mut file =
                std::fs::File::create(run.join(runs::METRICS)).unwrap_or_else(|e| panic!("{e}"));
            for step in 1..=STEPS {
                // Each line reaches the file in two writes, so readers often find half of it.
                let text = line(&metrics(step, step as f32 * 0.5));
                let (head, tail) = text.split_at(text.len() / 2);
                for part in [head, tail] {
                    file.write_all(part.as_bytes())
                        .unwrap_or_else(|e| panic!("{e}"));
                    file.flush().unwrap_or_else(|e| panic!("{e}"));
                    if step % 7 == 0 {
                        std::thread::sleep(Duration::from_micros(300));
                    }
                }
            }
        })
    };
    let updates = follow_until(&mut follower, STEPS as usize);
    writer
        .join()
        .unwrap_or_else(|_| panic!("the writer panicked"));
    assert!(
        updates.len() > 3,
        "the reader polled while the writer wrote ({} polls)",
        updates.len()
    );
    assert!(updates.iter().all(|u| !u.restarted && u.error.is_none()));
    let read: Vec<StepMetrics> = updates.into_iter().flat_map(|u| u.metrics).collect();
    assert_eq!(read.len() as u64, STEPS, "every line once");
    for (i, m) in read.iter().enumerate() {
        let expected = metrics(i as u64 + 1, (i + 1) as f32 * 0.5);
        assert!(
            m.step == expected.step && m.g_loss == expected.g_loss && m.d_grad_norm == 4.0,
            "line {i} misread: {m:?}"
        );
    }
}

#[test]
fn a_follower_starts_over_when_a_run_is_resumed_in_place() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = dir.path();
    let write = |lines: &[StepMetrics]| {
        let text: String = lines.iter().map(line).collect();
        std::fs::write(run.join(runs::METRICS), text).unwrap_or_else(|e| panic!("{e}"));
    };
    write(&(1..=10).map(|s| metrics(s, 1.0)).collect::<Vec<_>>());
    let mut follower = Follower::open(run).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(follower.poll().metrics.len(), 10);
    // Resumed from step 5 and trained on to 12 with other values: the file is longer than
    // before, and the line at the old end is another one.
    let mut rewritten: Vec<StepMetrics> = (1..=5).map(|s| metrics(s, 1.0)).collect();
    rewritten.extend((6..=12).map(|s| metrics(s, 2.0)));
    write(&rewritten);
    let update = follower.poll();
    assert!(update.restarted, "the reader noticed the rewrite");
    assert_eq!(
        update.metrics, rewritten,
        "and read the run again from step 1"
    );
    assert!(follower.poll().is_empty(), "nothing new afterwards");
    assert!(
        Follower::open(&run.join("missing")).is_err(),
        "a folder that is not a run is refused"
    );
}

/// The run events in a folder's events.jsonl.
fn events_of(run: &Path) -> Vec<RunEvent> {
    std::fs::read_to_string(run.join(runs::EVENTS))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

#[test]
fn the_engine_records_its_run_and_checkpoints_on_demand_and_on_quit() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let link = engine::spawn(|| {});
    link.send(Command::RecordInto(Some(dir.path().to_path_buf())));
    loaded(&link, "ring8-mlp");
    assert!(
        std::fs::read_dir(dir.path()).map_or(0, |d| d.count()) == 0,
        "no folder before the first step"
    );
    link.send(Command::Step(30));
    let (folder, _) = wait_for(&link, |e| match e {
        Event::Recording(folder) => Some(folder.clone()),
        _ => None,
    });
    assert!(folder.starts_with(dir.path()));
    assert_eq!(stopped_at(&link).0, 30);
    link.send(Command::SaveCheckpoint);
    wait_for(&link, |e| match e {
        Event::Done(text) => text
            .contains("saved the checkpoint of step 30")
            .then_some(()),
        Event::Error { message, .. } => panic!("{message}"),
        _ => None,
    });
    link.send(Command::Run);
    std::thread::sleep(Duration::from_millis(100));
    link.send(Command::Pause);
    let (last, _) = stopped_at(&link);
    assert!(last > 30);
    link.send(Command::Shutdown);
    wait_for(&link, |e| matches!(e, Event::Stopped).then_some(()));

    let steps: Vec<u64> = runs::checkpoints(&folder).iter().map(|(s, _)| *s).collect();
    assert_eq!(steps, vec![30, last], "saved on demand, and on quit");
    let lines =
        std::fs::read_to_string(folder.join(runs::METRICS)).unwrap_or_else(|e| panic!("{e}"));
    let logged: Vec<u64> = lines
        .lines()
        .map(|l| {
            serde_json::from_str::<StepMetrics>(l)
                .unwrap_or_else(|e| panic!("{e}"))
                .step
        })
        .collect();
    assert_eq!(logged, (1..=last).collect::<Vec<_>>(), "every step, once");
    let kinds: Vec<EventKind> = events_of(&folder).iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        vec![
            EventKind::Checkpoint,
            EventKind::Train,
            EventKind::Pause,
            EventKind::Checkpoint
        ],
        "single steps are not logged; the rest is"
    );
    let samples = runs::sample_steps(&folder);
    assert_eq!(samples.first(), Some(&0), "the samples at the start");
    assert!(
        samples.contains(&30) && samples.contains(&last),
        "{samples:?}"
    );
    assert!(image::open(runs::sample_path(&folder, 30)).is_ok());
}

#[test]
fn a_cancelled_headless_job_stops_with_its_checkpoint() {
    use ganscope::cli::train::{self, Checkpointing};
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = dir.path().join("run");
    let cancel = Arc::new(AtomicBool::new(false));
    let options = Checkpointing {
        cancel: Some(cancel.clone()),
        ..Checkpointing::default()
    };
    let trigger = {
        let run = run.clone();
        std::thread::spawn(move || {
            // Cancel once the job has visibly started training.
            let deadline = Instant::now() + Duration::from_secs(60);
            while runs::sample_steps(&run).is_empty() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            std::thread::sleep(Duration::from_millis(200));
            cancel.store(true, Ordering::Relaxed);
        })
    };
    const STEPS: u64 = 10_000_000;
    train::run_with(
        &preset("ring8-mlp"),
        STEPS,
        DeviceChoice::Cpu,
        &run,
        &options,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    trigger
        .join()
        .unwrap_or_else(|_| panic!("the trigger panicked"));
    let saved = runs::checkpoints(&run);
    let (step, _) = saved.last().unwrap_or_else(|| panic!("no checkpoint"));
    assert!(*step > 0 && *step < STEPS, "stopped early, at step {step}");
    let lines = std::fs::read_to_string(run.join(runs::METRICS)).unwrap_or_default();
    assert_eq!(
        lines.lines().count() as u64,
        *step,
        "metrics up to that step"
    );
    assert_eq!(
        runs::sample_steps(&run).last(),
        Some(step),
        "and its samples"
    );
}

#[test]
fn the_engine_continues_a_run_in_place_or_as_a_fork() {
    use ganscope::cli::train::{self, Checkpointing};
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = dir.path().join("run");
    let every = Checkpointing {
        every: Some(20),
        ..Checkpointing::default()
    };
    train::run_with(&preset("ring8-mlp"), 60, DeviceChoice::Cpu, &run, &every)
        .unwrap_or_else(|e| panic!("{e}"));
    let link = engine::spawn(|| {});
    let forks = dir.path().join("forks");
    link.send(Command::RecordInto(Some(forks.clone())));
    let resume = |step: u64, fork: bool| {
        link.send(Command::Resume {
            checkpoint: runs::checkpoint_path(&run, step),
            preset: None,
            device: DeviceChoice::Cpu,
            fork,
        });
        let (folder, seen) = wait_for(&link, |e| match e {
            Event::Recording(folder) => Some(folder.clone()),
            Event::Error { message, .. } => panic!("{message}"),
            _ => None,
        });
        let history: usize = seen
            .iter()
            .map(|e| match e {
                Event::Metrics(batch) => batch.len(),
                _ => 0,
            })
            .sum();
        assert_eq!(history as u64, step, "the curves start with the history");
        folder
    };

    let forked = resume(20, true);
    assert!(forked.starts_with(&forks));
    link.send(Command::Step(3));
    assert_eq!(stopped_at(&link).0, 23);
    link.send(Command::SaveCheckpoint);
    wait_for(&link, |e| matches!(e, Event::Done(_)).then_some(()));
    let lines = |folder: &Path| {
        std::fs::read_to_string(folder.join(runs::METRICS))
            .unwrap_or_default()
            .lines()
            .count()
    };
    assert_eq!(lines(&forked), 23);
    assert_eq!(lines(&run), 60, "the original run is untouched by a fork");

    let continued = resume(40, false);
    assert_eq!(continued, run, "in place");
    assert_eq!(
        runs::checkpoints(&run)
            .iter()
            .map(|(s, _)| *s)
            .collect::<Vec<_>>(),
        vec![20, 40],
        "the replaced history's later checkpoint is gone"
    );
    assert!(runs::sample_steps(&run).iter().all(|&s| s <= 40));
    link.send(Command::Step(2));
    assert_eq!(stopped_at(&link).0, 42);
    link.send(Command::Shutdown);
    wait_for(&link, |e| matches!(e, Event::Stopped).then_some(()));
    assert_eq!(lines(&run), 42, "the curves go on from step 40");
    assert!(events_of(&run).iter().any(|e| e.kind == EventKind::Resume));

    // Another architecture's preset is refused, and nothing is lost.
    let link = engine::spawn(|| {});
    link.send(Command::Resume {
        checkpoint: runs::checkpoint_path(&run, 20),
        preset: Some(Box::new(preset("digits-dcgan"))),
        device: DeviceChoice::Cpu,
        fork: false,
    });
    let (message, _) = wait_for(&link, |e| match e {
        Event::Error { message, .. } => Some(message.clone()),
        _ => None,
    });
    assert!(message.contains("different architecture"), "{message}");
    assert_eq!(lines(&run), 42);
}
