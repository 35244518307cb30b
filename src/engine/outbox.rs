//! The training thread's side of the event channel to the front end.
//!
//! The channel is bounded ([`CAPACITY`] events) and the training thread never blocks on it:
//! what the channel does not take waits here, in order, and goes at the next chance (after
//! every step, and every few milliseconds while paused). The policy, per kind of event:
//! - metrics, messages and every other event: each one arrives, in order; metric batches
//!   waiting back to back merge into one;
//! - sample views: the latest wins: a view not yet taken is replaced by a newer one (unless it
//!   was kept on disk, which the scrubber lists), so a front end that stops reading (a
//!   minimised window) costs the engine a few numbers per step, never a queue of images.

use crate::protocol::Event;
use crossbeam_channel::{Sender, TrySendError};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Events the channel holds before the engine keeps them itself.
pub const CAPACITY: usize = 256;

pub struct Outbox {
    tx: Sender<Event>,
    wake: Arc<dyn Fn() + Send + Sync>,
    waiting: VecDeque<Event>,
}

impl Outbox {
    pub fn new(tx: Sender<Event>, wake: Arc<dyn Fn() + Send + Sync>) -> Outbox {
        Outbox {
            tx,
            wake,
            waiting: VecDeque::new(),
        }
    }

    /// Send `event`, or keep it (see the module's policy) until the channel has room.
    pub fn emit(&mut self, event: Event) {
        match event {
            Event::Samples { saved: false, .. } => {
                self.waiting
                    .retain(|e| !matches!(e, Event::Samples { saved: false, .. }));
                self.merge_metrics();
                self.waiting.push_back(event);
            }
            Event::Metrics(batch) => match self.waiting.back_mut() {
                Some(Event::Metrics(waiting)) => waiting.extend(batch),
                _ => self.waiting.push_back(Event::Metrics(batch)),
            },
            event => self.waiting.push_back(event),
        }
        self.pump();
    }

    /// Join metric batches that wait back to back (a dropped view left them side by side).
    fn merge_metrics(&mut self) {
        let mut merged: VecDeque<Event> = VecDeque::with_capacity(self.waiting.len());
        for event in self.waiting.drain(..) {
            match (merged.back_mut(), event) {
                (Some(Event::Metrics(previous)), Event::Metrics(batch)) => previous.extend(batch),
                (_, event) => merged.push_back(event),
            }
        }
        self.waiting = merged;
    }

    /// Hand the channel what it takes now; true when nothing is left waiting.
    pub fn pump(&mut self) -> bool {
        let mut sent = false;
        while let Some(event) = self.waiting.pop_front() {
            match self.tx.try_send(event) {
                Ok(()) => sent = true,
                Err(TrySendError::Full(event)) => {
                    self.waiting.push_front(event);
                    break;
                }
                // Nobody listens any more: nothing to keep.
                Err(TrySendError::Disconnected(_)) => self.waiting.clear(),
            }
        }
        if sent {
            (self.wake)();
        }
        self.waiting.is_empty()
    }

    /// Whether events wait for room.
    pub fn is_waiting(&self) -> bool {
        !self.waiting.is_empty()
    }

    /// Before the thread ends: hand over what waits, for at most `patience`.
    pub fn drain(&mut self, patience: Duration) {
        let deadline = Instant::now() + patience;
        while !self.pump() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{SampleView, StepMetrics};

    fn metrics(step: u64) -> StepMetrics {
        StepMetrics {
            step,
            g_loss: 0.0,
            d_loss: 0.0,
            d_real: 0.0,
            d_fake: 0.0,
            g_grad_norm: 0.0,
            d_grad_norm: 0.0,
            wall_s: 0.0,
            terms: Default::default(),
            level: None,
            alpha: None,
            resolution: None,
        }
    }

    fn view(step: u64, saved: bool) -> Event {
        Event::Samples {
            step,
            view: SampleView::Grid {
                image: crate::imaging::RgbaImage {
                    width: 1,
                    height: 1,
                    pixels: vec![0; 4],
                },
                columns: 1,
                tiles: 1,
                meaning: Default::default(),
                captions: Vec::new(),
            },
            saved,
        }
    }

    #[test]
    fn a_full_channel_loses_no_metric_and_keeps_only_the_latest_view() {
        let (tx, rx) = crossbeam_channel::bounded(2);
        let mut outbox = Outbox::new(tx, Arc::new(|| {}));
        // Nobody reads: the channel fills, then the outbox keeps what follows.
        for step in 1..=1000 {
            outbox.emit(Event::Metrics(vec![metrics(step)]));
            if step % 10 == 0 {
                outbox.emit(view(step, step == 500));
            }
        }
        assert!(outbox.is_waiting());
        // Metric batches merged, unsaved views replaced: a handful of events wait.
        assert!(outbox.waiting.len() < 10, "{}", outbox.waiting.len());
        let mut steps = Vec::new();
        let mut views = Vec::new();
        while !outbox.pump() || !rx.is_empty() {
            for event in rx.try_iter() {
                match event {
                    Event::Metrics(batch) => steps.extend(batch.iter().map(|m| m.step)),
                    Event::Samples { step, .. } => views.push(step),
                    _ => {}
                }
            }
        }
        assert_eq!(
            steps,
            (1..=1000).collect::<Vec<_>>(),
            "every metric, in order"
        );
        assert!(views.contains(&500), "a kept view is not dropped");
        assert_eq!(views.last(), Some(&1000), "the latest view arrives");
        assert!(views.len() <= 4, "stale views were dropped: {views:?}");
    }
}
