//! The engine thread through its protocol: load, run, pause, step, reset, crash, shutdown.

use super::common::preset;
use ganscope::engine;
use ganscope::protocol::{Command, DeviceChoice, Event, Link};
use std::time::{Duration, Instant};

const PATIENCE: Duration = Duration::from_secs(60);

/// Receive events until `pick` accepts one; all events seen on the way are returned too.
pub fn wait_for<T>(link: &Link, mut pick: impl FnMut(&Event) -> Option<T>) -> (T, Vec<Event>) {
    let deadline = Instant::now() + PATIENCE;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let event = link
            .events
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("timed out; events so far: {seen:?}"));
        if let Some(found) = pick(&event) {
            return (found, seen);
        }
        seen.push(event);
    }
}

/// Wait until training stops; returns the step it stopped at and the events on the way.
pub fn stopped_at(link: &Link) -> (u64, Vec<Event>) {
    wait_for(link, |e| match e {
        Event::Running {
            running: false,
            step,
        } => Some(*step),
        _ => None,
    })
}

fn last_metric_step(events: &[Event]) -> Option<u64> {
    events.iter().rev().find_map(|e| match e {
        Event::Metrics(batch) => batch.last().map(|m| m.step),
        _ => None,
    })
}

pub fn loaded(link: &Link, name: &str) {
    link.send(Command::Load {
        preset: Box::new(preset(name)),
        device: DeviceChoice::Cpu,
    });
    wait_for(link, |e| matches!(e, Event::Loaded(_)).then_some(()));
}

#[test]
fn step_run_pause_reset_and_stop() {
    let link = engine::spawn(|| {});
    loaded(&link, "ring8-mlp");

    link.send(Command::Step(1));
    let (step, seen) = stopped_at(&link);
    assert_eq!(step, 1, "step once advances exactly one step");
    assert_eq!(
        last_metric_step(&seen),
        Some(1),
        "metrics of exactly step 1: {seen:?}"
    );

    link.send(Command::Run);
    let (first, _) = wait_for(&link, |e| match e {
        Event::Metrics(batch) => batch.last().map(|m| m.step),
        _ => None,
    });
    assert!(first > 1, "running advances");
    link.send(Command::Pause);
    let (paused_at, _) = stopped_at(&link);
    std::thread::sleep(Duration::from_millis(300));
    let after: Vec<Event> = link.events.try_iter().collect();
    assert!(
        after.iter().all(|e| !matches!(e, Event::Metrics(_))),
        "no step advances while paused: {after:?}"
    );

    link.send(Command::Reset);
    let (info, _) = wait_for(&link, |e| match e {
        Event::Loaded(info) => Some(info.clone()),
        _ => None,
    });
    assert_eq!(info.preset, "ring8-mlp");
    let (sample_step, _) = wait_for(&link, |e| match e {
        Event::Samples { step, .. } => Some(*step),
        _ => None,
    });
    assert_eq!(
        sample_step, 0,
        "reset goes back to step 0 (was at {paused_at})"
    );

    link.send(Command::Shutdown);
    wait_for(&link, |e| matches!(e, Event::Stopped).then_some(()));
}

#[test]
fn a_panic_in_training_is_reported_and_the_engine_keeps_serving() {
    let link = engine::spawn(|| {});
    loaded(&link, "ring8-mlp");
    link.send(Command::Run);
    link.send(Command::SimulateCrash);
    let (message, _) = wait_for(&link, |e| match e {
        Event::Error {
            message,
            fatal_to_run: true,
        } => Some(message.clone()),
        _ => None,
    });
    assert!(message.contains("crashed"), "{message}");
    loaded(&link, "ring8-mlp");
    link.send(Command::Step(2));
    let (step, _) = wait_for(&link, |e| match e {
        Event::Running {
            running: false,
            step,
        } if *step > 0 => Some(*step),
        _ => None,
    });
    assert_eq!(step, 2, "a fresh run trains after the crash");
}

#[test]
fn diagnostics_arrive_every_metrics_every_steps_and_neighbours_on_request() {
    let link = engine::spawn(|| {});
    loaded(&link, "ring8-mlp");
    link.send(Command::Step(100));
    let (diagnostics, _) = wait_for(&link, |e| match e {
        Event::Diagnostics(d) => Some(d.clone()),
        _ => None,
    });
    assert_eq!(diagnostics.step, 100);
    let modes = diagnostics
        .modes
        .unwrap_or_else(|| panic!("ring8 has mode metrics"));
    assert_eq!((modes.modes, modes.per_mode.len()), (8, 8));
    assert_eq!(diagnostics.d_fake_hist.iter().sum::<u32>(), 256);

    loaded(&link, "digits-dcgan");
    link.send(Command::NearestNeighbours);
    let ((image, distances), _) = wait_for(&link, |e| match e {
        Event::Neighbours {
            image, distances, ..
        } => Some((image.clone(), distances.clone())),
        _ => None,
    });
    assert_eq!(distances.len(), 8);
    assert!(distances.iter().all(|d| d.is_finite() && *d > 0.0));
    assert_eq!(
        (image.width, image.height),
        (8 * 32 + 9 * 2, 2 * 32 + 3 * 2)
    );
    link.send(Command::Shutdown);
}

#[test]
fn slow_motion_paces_the_steps_and_shows_samples_after_each() {
    let link = engine::spawn(|| {});
    loaded(&link, "ring8-mlp");
    link.send(Command::SetPace(100));
    link.send(Command::Run);
    std::thread::sleep(Duration::from_millis(550));
    link.send(Command::Pause);
    let (paused_at, seen) = stopped_at(&link);
    assert!(
        (3..=7).contains(&paused_at),
        "{paused_at} steps in 0.55 s at 100 ms/step"
    );
    let sampled: Vec<u64> = seen
        .iter()
        .filter_map(|e| match e {
            Event::Samples { step, .. } => Some(*step),
            _ => None,
        })
        .collect();
    assert!(
        (1..paused_at).all(|s| sampled.contains(&s)),
        "samples after every step: {sampled:?}"
    );
    link.send(Command::SetPace(0));
    link.send(Command::Step(300));
    let (fast, _) = stopped_at(&link);
    assert_eq!(fast, paused_at + 300, "full speed again");
    link.send(Command::Shutdown);
}

#[test]
fn the_generator_exports_into_a_folder_that_interpolate_reads() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let folder = dir.path().join("g");
    let link = engine::spawn(|| {});
    loaded(&link, "digits-dcgan");
    link.send(Command::Step(2));
    stopped_at(&link);
    link.send(Command::ExportGenerator(folder.clone()));
    let (notice, _) = wait_for(&link, |e| match e {
        Event::Done(text) if text.contains("saved the generator") => Some(text.clone()),
        _ => None,
    });
    assert!(notice.contains("step 2"), "{notice}");
    let strip = dir.path().join("strip.png");
    let walk = ganscope::cli::interpolate::WalkSpec {
        from: 0,
        to: 1,
        frames: 3,
        mode: ganscope::latent::InterpMode::Lerp,
        psi: 1.0,
        class: None,
    };
    ganscope::cli::interpolate::run(&folder, walk, DeviceChoice::Cpu, &strip, None)
        .unwrap_or_else(|e| panic!("{e}"));
    link.send(Command::Shutdown);
}

#[test]
fn a_balance_change_takes_effect_at_the_next_step_and_is_logged() {
    use ganscope::preset::{LossKind, PenaltyKind};
    let link = engine::spawn(|| {});
    link.send(Command::Load {
        preset: Box::new(preset("ring8-mlp")),
        device: DeviceChoice::Cpu,
    });
    let (info, _) = wait_for(&link, |e| match e {
        Event::Loaded(info) => Some(info.clone()),
        _ => None,
    });
    link.send(Command::Step(5));
    let (_, seen) = stopped_at(&link);
    let before = seen
        .iter()
        .rev()
        .find_map(|e| match e {
            Event::Metrics(batch) => batch.last().cloned(),
            _ => None,
        })
        .unwrap_or_else(|| panic!("metrics of step 5"));
    // The logistic loss is not the critic's difference of means.
    assert!((before.d_loss - (before.d_fake - before.d_real)).abs() > 0.1);

    let mut balance = info.balance.clone();
    balance.loss = LossKind::Wasserstein;
    balance.d_steps = 2;
    link.send(Command::SetBalance(balance));
    let (text, _) = wait_for(&link, |e| match e {
        Event::Logged(event) if event.kind == ganscope::runs::EventKind::Change => {
            Some((event.step, event.text.clone()))
        }
        _ => None,
    });
    assert_eq!(text.0, 5, "logged at the step it applies after");
    assert!(
        text.1.contains("loss non-saturating -> Wasserstein"),
        "{}",
        text.1
    );
    link.send(Command::Step(1));
    let (_, seen) = stopped_at(&link);
    let after = seen
        .iter()
        .find_map(|e| match e {
            Event::Metrics(batch) => batch.first().cloned(),
            _ => None,
        })
        .unwrap_or_else(|| panic!("metrics of step 6"));
    assert_eq!(after.step, 6);
    assert!(
        (after.d_loss - (after.d_fake - after.d_real)).abs() < 1e-4,
        "step 6 already trains the critic: {after:?}"
    );

    // A penalty this D cannot support... is fine for an MLP; a bad value is refused.
    let mut bad = info.balance.clone();
    bad.penalty = PenaltyKind::Gradient;
    bad.label_smoothing = 0.9;
    link.send(Command::SetBalance(bad));
    let (message, _) = wait_for(&link, |e| match e {
        Event::Error { message, .. } => Some(message.clone()),
        _ => None,
    });
    assert!(message.contains("label_smoothing"), "{message}");
    link.send(Command::Shutdown);
}
