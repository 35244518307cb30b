//! The training thread: it owns the current [`Trainer`], obeys [`Command`]s and reports
//! [`Event`]s. Front ends never wait on it; it batches metrics into a few dozen events a
//! second and wakes the front end after each. A panic inside training is caught, reported as
//! an error, and the thread goes on serving commands. It hands the explorer thread a snapshot
//! of G when a run loads, every few seconds while training, when training pauses, and on
//! request, and records the run into its folder when a runs folder is set.

mod commands;
mod loading;

use super::explorer::{self, SnapshotSender};
use super::outbox::{self, Outbox};
use super::recording::Recording;
use super::trainer::Trainer;
use crate::protocol::{Command, Event, Link, StepMetrics};
use crate::runs::EventKind;
use crossbeam_channel::{Receiver, RecvTimeoutError};
use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often buffered metrics are sent while training runs.
const FLUSH_EVERY: Duration = Duration::from_millis(33);
/// How often the explorer gets a fresh generator while training runs.
const SNAPSHOT_EVERY: Duration = Duration::from_secs(2);
/// How often the engine looks at a data set being read.
const LOADING_POLL: Duration = Duration::from_millis(20);
/// How often a paused engine retries events the channel had no room for.
const OUTBOX_RETRY: Duration = Duration::from_millis(5);
/// How long a closing engine waits for the front end to take its last events.
const SHUTDOWN_PATIENCE: Duration = Duration::from_secs(2);
/// How often the recorded run's size on disk is reported, at most.
const DISK_EVERY: Duration = Duration::from_secs(1);
/// The least time between two sample views while training runs flat out: a view is due every
/// `sample_every` steps, but one costs a pass of G (and, for 2-D runs, D's heat map and G's
/// arrows), and a fast 2-D preset reaches `sample_every` ~100 times a second, more than a
/// 60 Hz display shows (the outbox would drop most of them: the latest view wins). Slow
/// motion still shows every step, a pause always its own step; the run folder's grids have
/// their own (longer) gap, see `Recording::samples`.
const VIEW_GAP: Duration = Duration::from_millis(30);

/// Start the engine: the training thread and the explorer thread. `wake` is called after
/// events are sent (the GUI passes its repaint request; headless callers pass a no-op).
pub fn spawn(wake: impl Fn() + Send + Sync + 'static) -> Link {
    let (command_tx, command_rx) = crossbeam_channel::unbounded();
    let (explore_tx, explore_rx) = crossbeam_channel::unbounded();
    // Bounded: the training thread keeps what does not fit (see `outbox`); the explorer
    // thread waits for room (its renders answer requests the front end is reading for).
    let (event_tx, event_rx) = crossbeam_channel::bounded(outbox::CAPACITY);
    let wake: Arc<dyn Fn() + Send + Sync> = Arc::new(wake);
    let snapshots = explorer::spawn(explore_rx, event_tx.clone(), wake.clone());
    let engine = Engine {
        commands: command_rx,
        outbox: RefCell::new(Outbox::new(event_tx, wake)),
        snapshots,
        trainer: None,
        mode: Mode::Paused,
        pending: Vec::new(),
        last_flush: Instant::now(),
        last_sampled: None,
        sampled_at: None,
        published: None,
        pace: Duration::ZERO,
        next_step_at: Instant::now(),
        recording: Recording::default(),
        disk_reported: None,
        loading: None,
    };
    let spawned = std::thread::Builder::new()
        .name("ganscope-engine".into())
        .spawn(move || engine.serve());
    if let Err(e) = spawned {
        // The receiver still works: report why nothing will ever answer.
        let (tx, rx) = crossbeam_channel::unbounded();
        let _ = tx.send(Event::Error {
            message: format!("could not start the training thread: {e}"),
            fatal_to_run: true,
        });
        return Link {
            commands: command_tx,
            explore: explore_tx,
            events: rx,
        };
    }
    Link {
        commands: command_tx,
        explore: explore_tx,
        events: event_rx,
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Paused,
    Running,
    /// Stepping a fixed number of steps, then pausing.
    Stepping(u64),
}

struct Engine {
    commands: Receiver<Command>,
    /// Events to the front end (a cell: events are sent from `&self` methods too).
    outbox: RefCell<Outbox>,
    snapshots: SnapshotSender,
    trainer: Option<Trainer>,
    mode: Mode,
    pending: Vec<StepMetrics>,
    last_flush: Instant,
    /// Step of the last sample view sent.
    last_sampled: Option<u64>,
    /// When the last sample view was made (see [`VIEW_GAP`]).
    sampled_at: Option<Instant>,
    /// Step and time of the last snapshot handed to the explorer.
    published: Option<(u64, Instant)>,
    /// Slow motion: the least time between two steps (zero = full speed).
    pace: Duration,
    next_step_at: Instant,
    recording: Recording,
    /// The run folder's size last reported, and when.
    disk_reported: Option<(u64, Instant)>,
    /// A data set being read for the next run.
    loading: Option<loading::Loading>,
}

impl Engine {
    fn serve(mut self) {
        loop {
            let idle = self.mode == Mode::Paused || self.trainer.is_none();
            let command = if idle && self.loading.is_some() {
                // Reading data: answer commands, and look at the reading between them.
                match self.commands.recv_timeout(LOADING_POLL) {
                    Ok(c) => Some(c),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            } else if idle && self.outbox.get_mut().is_waiting() {
                // Events wait for room in the channel: look again every few milliseconds.
                self.outbox.get_mut().pump();
                match self.commands.recv_timeout(OUTBOX_RETRY) {
                    Ok(c) => Some(c),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            } else if idle {
                match self.commands.recv() {
                    Ok(c) => Some(c),
                    Err(_) => return,
                }
            } else {
                // In slow motion, wait for a command until the next step is due.
                let wait = self.next_step_at.saturating_duration_since(Instant::now());
                match self.commands.recv_timeout(wait) {
                    Ok(c) => Some(c),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            };
            if let Some(Command::Shutdown) = command {
                self.cancel_loading(false);
                self.flush();
                let closing = self.recording.close(self.trainer.as_ref());
                self.emit_all(closing);
                self.emit(Event::Stopped);
                self.outbox.get_mut().drain(SHUTDOWN_PATIENCE);
                return;
            }
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                if let Some(command) = command {
                    self.handle(command);
                }
                self.poll_loading();
                if self.mode != Mode::Paused
                    && self.trainer.is_some()
                    && Instant::now() >= self.next_step_at
                {
                    self.next_step_at = Instant::now() + self.pace;
                    self.advance();
                }
            }));
            if let Err(payload) = outcome {
                let message = super::panic_message(payload.as_ref());
                // A read from a remote device whose server went away panics inside burn
                // (samples, diagnostics): the device is lost, not the program broken.
                if self.trainer.as_ref().is_some_and(Trainer::is_remote) {
                    let why = message
                        .lines()
                        .last()
                        .unwrap_or_default()
                        .trim()
                        .to_string();
                    self.device_lost(&crate::engine::trainer::TrainError::Device(why));
                } else {
                    self.crashed(message);
                }
            }
        }
    }

    fn install(&mut self, trainer: Trainer) {
        self.emit(Event::Loaded(trainer.info()));
        if let Some(notice) = trainer.data_notice() {
            self.emit(Event::Notice(notice));
        }
        self.last_sampled = None;
        self.published = None;
        // Asked to run before the run existed (Train pressed while its data was read): start
        // it now, as a Run command would, so the front end hears it and the folder opens.
        let asked = std::mem::replace(&mut self.mode, Mode::Paused);
        self.trainer = Some(trainer);
        self.send_samples(true);
        self.publish();
        if asked != Mode::Paused {
            self.set_mode(asked);
        }
    }

    /// Hand the explorer the current G, unless it already has this step's.
    fn publish(&mut self) {
        let Some(trainer) = self.trainer.as_ref() else {
            return;
        };
        let step = trainer.steps_done();
        if self.published.is_some_and(|(s, _)| s == step) {
            return;
        }
        self.published = Some((step, Instant::now()));
        let _ = self.snapshots.send(Some(Box::new(trainer.snapshot())));
    }

    /// Change mode, telling the front end when training starts or stops advancing.
    fn set_mode(&mut self, mode: Mode) {
        let previous = self.mode;
        let was_running = previous != Mode::Paused;
        self.mode = mode;
        let running = mode != Mode::Paused;
        if self.trainer.is_none() || was_running == running {
            return;
        }
        if !running {
            self.flush();
            self.send_samples(true);
            self.publish();
        }
        let step = self.trainer.as_ref().map_or(0, Trainer::steps_done);
        self.emit(Event::Running { running, step });
        // A run's folder opens when it starts training, so its log starts with that.
        if mode == Mode::Running
            && let Some(trainer) = self.trainer.as_ref()
        {
            let started = self.recording.ensure(trainer);
            self.emit_all(started);
        }
        // Single steps are not worth a line of the log.
        let logged = match (previous, mode) {
            (_, Mode::Running) => Some((EventKind::Train, "training".to_string())),
            (Mode::Running, Mode::Paused) => {
                Some((EventKind::Pause, format!("paused after step {step}")))
            }
            _ => None,
        };
        if let Some((kind, text)) = logged {
            let event = self.recording.log(step, kind, text);
            self.emit(event);
        }
    }

    fn advance(&mut self) {
        if let Some(trainer) = self.trainer.as_ref() {
            let started = self.recording.ensure(trainer);
            self.emit_all(started);
        }
        let Some(trainer) = self.trainer.as_mut() else {
            return;
        };
        match trainer.step() {
            Ok(metrics) => {
                self.pending.push(metrics.clone());
                let train = &trainer.preset().train;
                let (sample_every, metrics_every) = (train.sample_every, train.metrics_every);
                let diagnostics =
                    (metrics.step % metrics_every == 0).then(|| trainer.diagnostics());
                let alarms = trainer.take_alarms();
                let recorded =
                    self.recording
                        .step(trainer, &metrics, diagnostics.as_ref(), &alarms);
                if let Some(diagnostics) = diagnostics {
                    self.flush();
                    self.emit(Event::Diagnostics(Box::new(diagnostics)));
                }
                let view_due = metrics.step % sample_every == 0
                    && self.sampled_at.is_none_or(|at| at.elapsed() >= VIEW_GAP);
                if view_due || !self.pace.is_zero() {
                    self.flush();
                    self.send_samples(false);
                } else if self.last_flush.elapsed() >= FLUSH_EVERY {
                    self.flush();
                }
                for alarm in alarms {
                    self.emit(Event::Alarm(alarm));
                }
                self.emit_all(recorded);
                if let Some(text) = self.trainer.as_ref().and_then(Trainer::phase_change) {
                    let event = self.recording.log(metrics.step, EventKind::Phase, text);
                    self.emit(event);
                }
                if self
                    .published
                    .is_none_or(|(_, at)| at.elapsed() >= SNAPSHOT_EVERY)
                {
                    self.publish();
                }
                if let Mode::Stepping(left) = self.mode {
                    self.set_mode(if left > 1 {
                        Mode::Stepping(left - 1)
                    } else {
                        Mode::Paused
                    });
                }
            }
            Err(e @ crate::engine::trainer::TrainError::Device(_)) => self.device_lost(&e),
            Err(e) => {
                self.set_mode(Mode::Paused);
                self.emit(Event::Error {
                    message: e.to_string(),
                    fatal_to_run: false,
                });
            }
        }
    }

    fn flush(&mut self) {
        self.last_flush = Instant::now();
        if !self.pending.is_empty() {
            let batch = std::mem::take(&mut self.pending);
            self.emit(Event::Metrics(batch));
        }
        if let Some(bytes) = self.recording.bytes()
            && self
                .disk_reported
                .is_none_or(|(b, at)| b != bytes && at.elapsed() >= DISK_EVERY)
        {
            self.disk_reported = Some((bytes, Instant::now()));
            self.emit(Event::DiskUse(bytes));
        }
    }

    /// Show the samples of this step (once), and record them when the recording keeps them
    /// (always with `keep`: a pause).
    fn send_samples(&mut self, keep: bool) {
        let Some(trainer) = self.trainer.as_ref() else {
            return;
        };
        let step = trainer.steps_done();
        let shown = self.last_sampled == Some(step);
        if shown && !(keep && self.recording.wants_samples(step)) {
            return;
        }
        let view = trainer.samples();
        self.sampled_at = Some(Instant::now());
        let saved = self.recording.samples(step, &view, keep);
        // Shown once; shown again only to say that a pause kept it after all.
        if !shown || saved {
            self.last_sampled = Some(step);
            self.emit(Event::Samples { step, view, saved });
        }
    }

    /// The device stopped answering (a remote server gone): nothing more can be read from
    /// it, so the run is let go without the samples or checkpoint a pause would take; its
    /// folder keeps its metrics and its last checkpoint, which the message names.
    fn device_lost(&mut self, error: &crate::engine::trainer::TrainError) {
        let step = self.trainer.as_ref().map_or(0, Trainer::steps_done);
        let last = self
            .recording
            .folder()
            .and_then(|f| crate::engine::trainer::checkpoint::resolve(&f).ok());
        self.trainer = None;
        let _ = self.snapshots.send(None);
        self.mode = Mode::Paused;
        self.flush();
        let closed = self.recording.end();
        self.emit_all(closed);
        self.emit(Event::Running {
            running: false,
            step,
        });
        // The next connect to that server opens a fresh session.
        crate::engine::remote::lost();
        let recover = match &last {
            Some(checkpoint) => format!(
                "Its last checkpoint, {}, is intact: Reconnect continues it on the server once \
                 it answers again, or Open run on another device.",
                checkpoint.display()
            ),
            None => "The run had no checkpoint yet (it is not recorded, or this was its first \
                     step): its training is lost."
                .into(),
        };
        self.emit(Event::RemoteLost { checkpoint: last });
        self.emit(Event::Error {
            message: format!("{error} {recover}"),
            fatal_to_run: true,
        });
    }

    fn crashed(&mut self, message: String) {
        self.trainer = None;
        let _ = self.snapshots.send(None);
        self.mode = Mode::Paused;
        self.pending.clear();
        self.emit(Event::Running {
            running: false,
            step: 0,
        });
        self.emit(Event::Error {
            message: format!("the training thread crashed: {message}. The run was dropped; load a preset to start again."),
            fatal_to_run: true,
        });
    }

    fn emit_all(&self, events: impl IntoIterator<Item = Event>) {
        events.into_iter().for_each(|e| self.emit(e));
    }

    fn emit(&self, event: Event) {
        self.outbox.borrow_mut().emit(event);
    }
}
