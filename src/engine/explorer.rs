//! The explorer thread: it owns the latest [`Snapshot`] of G and answers the front end's
//! [`ExploreRequest`]s with it, beside the training thread, so that exploring never pauses
//! training and training never holds up a slider.
//!
//! Requests are coalesced: before each piece of work the thread drains both of its channels and
//! keeps only the newest snapshot and the newest request per [`RenderTarget`], so a slider
//! dragged faster than G runs costs one render per round, never a queue. The main view goes
//! first, even in the middle of rendering a walk.

use super::snapshot::Snapshot;
use crate::protocol::{Event, ExploreRequest, RenderTarget, Rendered};
use crossbeam_channel::{Receiver, Sender, TryRecvError, select};
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

/// What the training thread hands over: a new snapshot, or `None` when its run is gone.
pub type SnapshotSender = Sender<Option<Box<Snapshot>>>;

/// Start the explorer thread; returns where to send it snapshots.
pub fn spawn(
    requests: Receiver<ExploreRequest>,
    events: Sender<Event>,
    wake: Arc<dyn Fn() + Send + Sync>,
) -> SnapshotSender {
    let (snapshot_tx, snapshot_rx) = crossbeam_channel::unbounded();
    let explorer = Explorer {
        requests,
        snapshots: snapshot_rx,
        events: events.clone(),
        wake,
        snapshot: None,
        pending: Pending::default(),
    };
    if let Err(e) = std::thread::Builder::new()
        .name("ganscope-explorer".into())
        .spawn(move || explorer.serve())
    {
        let _ = events.send(Event::Error {
            message: format!("could not start the explorer thread: {e}"),
            fatal_to_run: false,
        });
    }
    snapshot_tx
}

struct Explorer {
    requests: Receiver<ExploreRequest>,
    snapshots: Receiver<Option<Box<Snapshot>>>,
    events: Sender<Event>,
    wake: Arc<dyn Fn() + Send + Sync>,
    snapshot: Option<Arc<Snapshot>>,
    pending: Pending,
}

/// The newest work waiting, per kind.
#[derive(Default)]
struct Pending {
    renders: HashMap<RenderTarget, ExploreRequest>,
    directions: Option<ExploreRequest>,
    /// The directions under way (or waiting) were cancelled.
    cancel_directions: bool,
    /// Jobs to start on threads of their own, in order.
    jobs: Vec<ExploreRequest>,
}

impl Pending {
    fn add_all(&mut self, requests: impl Iterator<Item = ExploreRequest>) {
        requests.for_each(|r| self.add(r));
    }

    fn add(&mut self, request: ExploreRequest) {
        match request {
            ExploreRequest::Render { target, .. } => {
                self.renders.insert(target, request);
            }
            // A translation is what the main view shows for an image-to-image G.
            ExploreRequest::Translate { .. } | ExploreRequest::Upscale { .. } => {
                self.renders.insert(RenderTarget::Main, request);
            }
            ExploreRequest::Directions { .. } => {
                self.directions = Some(request);
                self.cancel_directions = false;
            }
            ExploreRequest::CancelDirections => {
                self.directions = None;
                self.cancel_directions = true;
            }
            ExploreRequest::Synthesize { .. } | ExploreRequest::Experiment { .. } => {
                self.jobs.push(request)
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.renders.is_empty() && self.directions.is_none() && self.jobs.is_empty()
    }

    /// The most urgent request: a job to start (it only takes a thread), the main view
    /// (what the user is dragging), then the warp grid, the walk, and principal directions
    /// last.
    fn next(&mut self) -> Option<ExploreRequest> {
        if !self.jobs.is_empty() {
            return Some(self.jobs.remove(0));
        }
        [RenderTarget::Main, RenderTarget::Warp, RenderTarget::Strip]
            .iter()
            .find_map(|target| self.renders.remove(target))
            .or_else(|| self.directions.take())
    }
}

impl Explorer {
    fn serve(mut self) {
        loop {
            if self.pending.is_empty() {
                select! {
                    recv(self.snapshots) -> s => match s {
                        Ok(s) => self.install(s),
                        Err(_) => return,
                    },
                    recv(self.requests) -> r => match r {
                        Ok(r) => self.pending.add(r),
                        Err(_) => return,
                    },
                }
            }
            if !self.take_waiting() {
                return;
            }
            if let Some(request) = self.pending.next() {
                self.answer(request);
            }
        }
    }

    /// Move everything waiting on the channels into `pending`; false once the engine is gone.
    fn take_waiting(&mut self) -> bool {
        loop {
            match self.snapshots.try_recv() {
                Ok(s) => self.install(s),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return false,
            }
        }
        self.pending.add_all(self.requests.try_iter());
        true
    }

    fn install(&mut self, snapshot: Option<Box<Snapshot>>) {
        self.snapshot = snapshot.map(Arc::from);
        if let Some(s) = &self.snapshot {
            self.emit(Event::Snapshot { step: s.step });
        }
    }

    fn answer(&mut self, request: ExploreRequest) {
        let Some(snapshot) = self.snapshot.clone() else {
            if let ExploreRequest::Synthesize { job, .. } | ExploreRequest::Experiment { job, .. } =
                request
            {
                job.finish_with("no snapshot of G yet: load a run and try again", true);
            }
            return; // The front end asks again when a snapshot arrives.
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| match request {
            ExploreRequest::Render {
                id,
                target,
                latents,
                class,
            } => {
                let output = if target == RenderTarget::Main {
                    snapshot.render(&latents, class)
                } else {
                    self.render_in_chunks(&snapshot, &latents, class)
                };
                output.map(|output| Event::Rendered {
                    id,
                    target,
                    step: snapshot.step,
                    output,
                })
            }
            ExploreRequest::Directions { components } => {
                self.pending.cancel_directions = false;
                let directions = snapshot.directions(components, &mut |done, total| {
                    self.emit(Event::DirectionsProgress { done, total });
                    // Answer the slider between slices, and hear a cancel.
                    self.pending.add_all(self.requests.try_iter());
                    if let Some(main) = self.pending.renders.remove(&RenderTarget::Main) {
                        self.answer(main);
                    }
                    !self.pending.cancel_directions
                });
                directions.map(|directions| Event::Directions {
                    step: snapshot.step,
                    directions,
                })
            }
            ExploreRequest::Translate { id, source, side } => snapshot
                .translate(&source, side)
                .map(|output| Event::Rendered {
                    id,
                    target: RenderTarget::Main,
                    step: snapshot.step,
                    output,
                }),
            ExploreRequest::Upscale {
                id,
                image,
                height,
                width,
                shrink,
            } => snapshot
                .upscale(&image, (height, width), shrink)
                .map(|outcome| Event::Rendered {
                    id,
                    target: RenderTarget::Main,
                    step: snapshot.step,
                    output: outcome.unwrap_or_else(|why| {
                        Rendered::Failed(format!("cannot upscale the image: {why}"))
                    }),
                }),
            ExploreRequest::CancelDirections => None,
            ExploreRequest::Synthesize { synthesis, job } => {
                super::jobs::synthesize(snapshot.clone(), synthesis, job);
                None
            }
            ExploreRequest::Experiment { experiment, job } => {
                let events = self.events.clone();
                let wake = self.wake.clone();
                let report = move |event: Event| {
                    if events.send(event).is_ok() {
                        wake();
                    }
                };
                super::jobs::experiment(snapshot.clone(), experiment, job, Box::new(report));
                None
            }
        }));
        match outcome {
            Ok(Some(event)) => self.emit(event),
            Ok(None) => {}
            Err(payload) => {
                let message = super::panic_message(payload.as_ref());
                self.emit(Event::Error {
                    message: format!("the explorer failed: {message}"),
                    fatal_to_run: false,
                });
            }
        }
    }

    /// Render a few latents at a time (see [`Snapshot::slice`]), answering any main-view
    /// request that arrives in between, so a long render never holds a slider up.
    fn render_in_chunks(
        &mut self,
        snapshot: &Snapshot,
        latents: &[Vec<f32>],
        class: Option<usize>,
    ) -> Option<Rendered> {
        let mut parts = Vec::new();
        for chunk in latents.chunks(snapshot.slice()) {
            parts.push(snapshot.render(chunk, class)?);
            self.pending.add_all(self.requests.try_iter());
            if let Some(main) = self.pending.renders.remove(&RenderTarget::Main) {
                self.answer(main);
            }
        }
        Some(Rendered::concat(parts))
    }

    fn emit(&self, event: Event) {
        if self.events.send(event).is_ok() {
            (self.wake)();
        }
    }
}
