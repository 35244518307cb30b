//! What the front end knows about the current run, folded from engine [`Event`]s. Pure data:
//! no drawing here, so it is tested without a window.

use super::curves::Curves;
use crate::metrics::alarms::Alarm;
use crate::protocol::{Diagnostics, Event, RgbaImage, RunInfo, SampleView, StepMetrics};
use crate::runs::RunEvent;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Most sample views kept for the evolution GIF.
pub const EVOLUTION_FRAMES: usize = 120;
/// How far back the steps-per-second rate looks.
const RATE_WINDOW: Duration = Duration::from_secs(2);

/// A message for the user, kept until dismissed.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub text: String,
    pub kind: MessageKind,
}

/// How a message looks and how long it stays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    /// Something asked for is done: plain colour, only the newest is kept, and it goes away
    /// after [`DONE_FOR`].
    Done,
    /// A warning, kept until dismissed.
    Notice,
    /// A failure, kept until dismissed.
    Error,
}

/// How long a "done" message stays.
pub const DONE_FOR: Duration = Duration::from_secs(8);

#[derive(Default)]
pub struct RunState {
    pub info: Option<RunInfo>,
    pub running: bool,
    /// Steps completed (as last reported).
    pub step: u64,
    /// Seconds of training so far (pauses excluded).
    pub trained_s: f64,
    /// Every step's metrics: they all arrive, in order.
    pub curves: Curves,
    /// Every coverage and balance measurement, oldest first.
    pub diagnostics: Vec<Diagnostics>,
    /// Alarms raised in this run, oldest first.
    pub alarms: Vec<Alarm>,
    /// Sample views over the run for the evolution GIF: at most [`EVOLUTION_FRAMES`], thinned
    /// evenly (every other one dropped) whenever full, so they always span the whole run.
    pub evolution: Vec<(u64, SampleView)>,
    /// The latest memorisation check: step, generated-over-nearest-real image, distances.
    pub neighbours: Option<(u64, RgbaImage, Vec<f32>)>,
    pub samples: Option<(u64, SampleView)>,
    /// The folder the run is recorded into, once it is.
    pub folder: Option<PathBuf>,
    /// A data set being read for a Load: preset, images done, of how many (0: examining).
    pub loading: Option<(String, usize, usize)>,
    /// The address of a remote device being connected, until the run loads or fails.
    pub connecting: Option<String>,
    /// After a remote device was lost: the checkpoint Reconnect continues from.
    pub reconnect: Option<PathBuf>,
    /// Steps of the sample grids saved in that folder, oldest first.
    pub saved_samples: Vec<u64>,
    /// The run's event log (pauses, checkpoints, alarms, changed settings), oldest first.
    pub events: Vec<RunEvent>,
    pub messages: Vec<Message>,
    /// Notices about the run being loaded, said once it is (a `Loaded` clears the former
    /// run's messages).
    after_load: Vec<String>,
    /// (step, when its metrics arrived) over the last [`RATE_WINDOW`] of training, for the
    /// wall-clock rate.
    rate_window: VecDeque<(u64, Instant)>,
    /// When the "done" message on show arrived.
    done_at: Option<Instant>,
    /// The recorded run's folder size, as last reported.
    pub disk: Option<DiskUse>,
}

/// A recorded run's size on disk and how fast it grows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DiskUse {
    pub bytes: u64,
    /// The first report of this run, when it arrived, and when the latest did.
    first: u64,
    since: Instant,
    at: Instant,
}

impl DiskUse {
    /// "3.2 MB, about 40 MB an hour at this pace" (the pace once a minute is seen).
    pub fn describe(&self) -> String {
        let size = human_bytes(self.bytes as f64);
        let seconds = self.at.duration_since(self.since).as_secs_f64();
        if seconds < 60.0 {
            return size;
        }
        // The growth since the first report, projected over an hour.
        let growth = self.bytes.saturating_sub(self.first) as f64;
        format!(
            "{size}, about {} an hour at this pace",
            human_bytes(growth / seconds * 3600.0)
        )
    }
}

/// Bytes as a person reads them: 820 kB, 3.2 MB, 1.1 GB.
pub fn human_bytes(bytes: f64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < units.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 || value >= 100.0 {
        format!("{value:.0} {}", units[unit])
    } else {
        format!("{value:.1} {}", units[unit])
    }
}

impl RunState {
    /// Fold one engine event into the state.
    pub fn apply(&mut self, event: Event) {
        match event {
            Event::Loaded(info) => {
                // A new run: the connecting state ends, a lost run is no longer offered, and
                // the warnings and errors said before it go with their context (the former
                // run's data notice, a failed attempt to connect, the loss of a remote
                // device): what holds for the new run is said again after this event. Only a
                // "done" message stays its few seconds.
                self.messages.retain(|m| m.kind == MessageKind::Done);
                let after_load = std::mem::take(&mut self.after_load);
                *self = RunState {
                    info: Some(info),
                    messages: std::mem::take(&mut self.messages),
                    done_at: self.done_at,
                    ..RunState::default()
                };
                for text in after_load {
                    self.say(text, MessageKind::Notice);
                }
            }
            Event::Running { running, step } => {
                self.running = running;
                if !running {
                    self.rate_window.clear();
                }
                if self.info.is_some() {
                    self.step = step;
                }
            }
            Event::Metrics(batch) => {
                batch.iter().for_each(|m| self.push(m));
                if let Some(last) = batch.last() {
                    self.clock(last.step, Instant::now());
                }
            }
            Event::Samples { step, view, saved } => {
                if self.samples.as_ref().is_none_or(|(s, _)| *s != step) {
                    self.keep_for_evolution(step, &view);
                }
                if saved && self.folder.is_some() && self.saved_samples.last() != Some(&step) {
                    self.saved_samples.push(step);
                }
                self.samples = Some((step, view));
            }
            Event::Diagnostics(d) => self.diagnostics.push(*d),
            Event::Neighbours {
                step,
                image,
                distances,
            } => self.neighbours = Some((step, image, distances)),
            Event::Alarm(alarm) => self.alarms.push(alarm),
            Event::Recording(folder) => {
                self.disk = None;
                // Grids already there (a resumed run), and the samples on show, which the
                // recorder writes first.
                let mut steps = crate::runs::sample_steps(&folder);
                if let Some((step, _)) = &self.samples
                    && !steps.contains(step)
                {
                    steps.push(*step);
                    steps.sort_unstable();
                }
                self.saved_samples = steps;
                self.folder = Some(folder);
            }
            Event::Logged(event) => self.events.push(event),
            Event::BalanceApplied(balance) => {
                if let Some(info) = &mut self.info {
                    info.balance = balance;
                }
            }
            Event::Notice(text) => self.say(text, MessageKind::Notice),
            Event::Done(text) => self.say(text, MessageKind::Done),
            Event::DiskUse(bytes) => {
                let now = Instant::now();
                let (first, since) = self.disk.map_or((bytes, now), |d| (d.first, d.since));
                self.disk = Some(DiskUse {
                    bytes,
                    first,
                    since,
                    at: now,
                });
            }
            Event::DataProgress {
                preset,
                done,
                total,
            } => self.loading = Some((preset, done, total)),
            Event::Connecting { address } => self.connecting = Some(address),
            Event::RemoteLost { checkpoint } => self.reconnect = checkpoint,
            Event::Error {
                message,
                fatal_to_run,
            } => {
                self.loading = None;
                self.connecting = None;
                // A load that failed says nothing more about its run.
                self.after_load.clear();
                if fatal_to_run {
                    self.info = None;
                    self.running = false;
                }
                self.say(message, MessageKind::Error);
            }
            // The explorer's events are folded by the explorer view, the lab's by the lab.
            Event::LabResult { .. }
            | Event::LabStarted { .. }
            | Event::Snapshot { .. }
            | Event::Rendered { .. }
            | Event::Directions { .. }
            | Event::DirectionsProgress { .. } => {}
            Event::Stopped => {
                self.running = false;
                self.say("the training engine has stopped".into(), MessageKind::Error);
            }
        }
    }

    fn push(&mut self, m: &StepMetrics) {
        self.step = m.step;
        self.trained_s = m.wall_s;
        self.curves.push(m);
    }

    /// Note that `step` was reached at `now`. The window keeps at least two points, so a
    /// step slower than the window (slow motion) still gives a rate.
    fn clock(&mut self, step: u64, now: Instant) {
        self.rate_window.push_back((step, now));
        while self.rate_window.len() > 2
            && self
                .rate_window
                .front()
                .is_some_and(|&(_, t)| now.duration_since(t) > RATE_WINDOW)
        {
            self.rate_window.pop_front();
        }
    }

    fn keep_for_evolution(&mut self, step: u64, view: &SampleView) {
        if self.evolution.len() == EVOLUTION_FRAMES {
            let mut index = 0;
            self.evolution.retain(|_| {
                index += 1;
                index % 2 == 1
            });
        }
        self.evolution.push((step, view.clone()));
    }

    /// A notice about the run the engine is loading now, said once it has loaded.
    pub fn say_after_load(&mut self, text: String) {
        self.after_load.push(text);
    }

    fn say(&mut self, text: String, kind: MessageKind) {
        let message = Message { text, kind };
        // The same message twice in a row (e.g. a device notice on reloading) shows once.
        if self.messages.last() == Some(&message) {
            return;
        }
        if kind == MessageKind::Done {
            self.messages.retain(|m| m.kind != MessageKind::Done);
            self.done_at = Some(Instant::now());
        }
        self.messages.push(message);
    }

    /// Drop the "done" message once it has been up for [`DONE_FOR`]; how long until it goes,
    /// while one is up (to wake the UI then).
    pub fn expire_done(&mut self, now: Instant) -> Option<Duration> {
        let shown = now.duration_since(self.done_at?);
        if shown < DONE_FOR {
            return Some(DONE_FOR - shown);
        }
        self.messages.retain(|m| m.kind != MessageKind::Done);
        self.done_at = None;
        None
    }

    /// Steps per second of real (wall-clock) time over the last few seconds of training:
    /// slow motion's waits count, as the user sees them.
    pub fn steps_per_s(&self) -> Option<f64> {
        let (&(s0, t0), &(s1, t1)) = (self.rate_window.front()?, self.rate_window.back()?);
        let seconds = t1.duration_since(t0).as_secs_f64();
        (seconds > 0.0 && s1 > s0).then(|| (s1 - s0) as f64 / seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics(step: u64, wall_s: f64) -> StepMetrics {
        StepMetrics {
            step,
            g_loss: 0.7,
            d_loss: 1.3,
            d_real: 0.5,
            d_fake: 0.5,
            g_grad_norm: 1.0,
            d_grad_norm: 1.0,
            wall_s,
            terms: Default::default(),
            level: None,
            alpha: None,
            resolution: None,
        }
    }

    #[test]
    fn metrics_fill_the_series_and_give_a_rate() {
        let mut state = RunState::default();
        state.apply(Event::Metrics(
            (1..=11).map(|s| metrics(s, s as f64 * 0.1)).collect(),
        ));
        assert_eq!(state.step, 11);
        assert_eq!(state.curves.len(), 11, "one value per step");
        // The rate is of wall-clock time: slow motion at 500 ms per step is 2 steps/s,
        // whatever each step's training time, also once steps are slower than the window.
        let start = Instant::now();
        for i in 0..12u64 {
            state.clock(12 + i, start + std::time::Duration::from_millis(500 * i));
        }
        let rate = state.steps_per_s().unwrap_or_default();
        assert!((rate - 2.0).abs() < 1e-6, "2 steps per second, got {rate}");
        state.clock(30, start + std::time::Duration::from_secs(60));
        let rate = state.steps_per_s().unwrap_or_default();
        assert!(rate > 0.0, "a step slower than the window still has a rate");
    }

    #[test]
    fn metrics_export_as_csv_and_the_evolution_stays_bounded() {
        let mut state = RunState::default();
        state.apply(Event::Metrics(vec![metrics(1, 0.1), metrics(2, 0.2)]));
        let csv = state.curves.csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1], "1,0.7,1.3,0.5,0.5,1,1");
        let view = SampleView::Grid {
            image: crate::protocol::RgbaImage {
                width: 1,
                height: 1,
                pixels: vec![0; 4],
            },
            columns: 1,
            tiles: 1,
            meaning: Default::default(),
            captions: Vec::new(),
        };
        for step in 0..1000 {
            state.apply(Event::Samples {
                step,
                view: view.clone(),
                saved: false,
            });
        }
        let kept: Vec<u64> = state.evolution.iter().map(|(s, _)| *s).collect();
        assert!(kept.len() <= EVOLUTION_FRAMES);
        assert_eq!(
            (kept[0], kept[kept.len() - 1]),
            (0, 999),
            "spans the whole run"
        );
        assert!(kept.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_bytes(820.0), "820 B");
        assert_eq!(human_bytes(3_200_000.0), "3.2 MB");
        assert_eq!(human_bytes(150_000_000.0), "150 MB");
        let start = Instant::now();
        let disk = DiskUse {
            bytes: 2_000_000,
            first: 1_000_000,
            since: start,
            at: start + Duration::from_secs(360),
        };
        assert_eq!(
            disk.describe(),
            "2.0 MB, about 10.0 MB an hour at this pace"
        );
    }

    #[test]
    fn done_messages_replace_each_other_and_go_away() {
        let mut state = RunState::default();
        state.apply(Event::Notice("a warning".into()));
        state.apply(Event::Done("saved a".into()));
        state.apply(Event::Done("saved b".into()));
        let texts: Vec<_> = state.messages.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(
            texts,
            ["a warning", "saved b"],
            "one done message at a time"
        );
        assert!(state.expire_done(Instant::now()).is_some(), "still up");
        assert_eq!(state.expire_done(Instant::now() + DONE_FOR), None);
        assert_eq!(state.messages.len(), 1, "the warning stays until dismissed");
        assert_eq!(state.messages[0].kind, MessageKind::Notice);
    }

    #[test]
    fn a_new_run_takes_the_former_runs_warnings_and_errors_away() {
        let mut state = RunState::default();
        state.apply(Event::Notice("held out for measuring: grace_hopper".into()));
        state.apply(Event::Error {
            message: "cannot open the device ws://127.0.0.1:59999".into(),
            fatal_to_run: false,
        });
        state.apply(Event::Done("saved the checkpoint of step 4".into()));
        state.apply(Event::Loaded(crate::protocol::RunInfo {
            preset: "photos-srresnet".into(),
            device: crate::protocol::DeviceInfo {
                backend: "flex".into(),
                name: "test".into(),
                notice: None,
            },
            generator_params: 0,
            discriminator_params: 0,
            batch_size: 16,
            latent_dim: 0,
            classes: None,
            class_names: Vec::new(),
            source: None,
            upscale: None,
            networks: "SRResNet".into(),
            balance: Default::default(),
            penalty_estimated: false,
            real_per_class: None,
            ema: false,
        }));
        let texts: Vec<_> = state.messages.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(texts, ["saved the checkpoint of step 4"]);
        state.apply(Event::Notice("held out for measuring: astronaut".into()));
        assert_eq!(state.messages.len(), 2, "the new run's own notice shows");
    }

    #[test]
    fn a_crash_drops_the_run_but_keeps_the_message() {
        let mut state = RunState::default();
        state.apply(Event::Error {
            message: "boom".into(),
            fatal_to_run: true,
        });
        assert!(state.info.is_none());
        assert_eq!(state.messages.len(), 1);
        assert_eq!(state.messages[0].kind, MessageKind::Error);
    }
}
