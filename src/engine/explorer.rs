//! The explorer thread: it owns the latest [`Snapshot`] of G and answers the front end's
//! [`ExploreRequest`]s with it, beside the training thread, so that exploring never pauses
//! training and training never holds up a slider.
//!
//! Requests are coalesced: after each wake-up the thread drains both of its channels and keeps
//! only the newest snapshot and the newest request per [`RenderTarget`], so a slider dragged
//! faster than G runs costs one render per round, never a queue.

use super::snapshot::Snapshot;
use crate::protocol::{Event, ExploreRequest, RenderTarget};
use crossbeam_channel::{Receiver, Sender, select};
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
    snapshot: Option<Box<Snapshot>>,
}

/// The newest work waiting after a wake-up.
#[derive(Default)]
struct Pending {
    snapshot: Option<Option<Box<Snapshot>>>,
    renders: HashMap<RenderTarget, ExploreRequest>,
    directions: Option<ExploreRequest>,
}

impl Pending {
    fn add(&mut self, request: ExploreRequest) {
        match request {
            ExploreRequest::Render { target, .. } => {
                self.renders.insert(target, request);
            }
            ExploreRequest::Directions { .. } => self.directions = Some(request),
        }
    }
}

impl Explorer {
    fn serve(mut self) {
        loop {
            let mut pending = Pending::default();
            select! {
                recv(self.snapshots) -> s => match s {
                    Ok(s) => pending.snapshot = Some(s),
                    Err(_) => return,
                },
                recv(self.requests) -> r => match r {
                    Ok(r) => pending.add(r),
                    Err(_) => return,
                },
            }
            while let Ok(s) = self.snapshots.try_recv() {
                pending.snapshot = Some(s);
            }
            while let Ok(r) = self.requests.try_recv() {
                pending.add(r);
            }
            if let Some(snapshot) = pending.snapshot {
                self.snapshot = snapshot;
                if let Some(s) = &self.snapshot {
                    self.emit(Event::Snapshot { step: s.step });
                }
            }
            // Main first: it is what the user is dragging.
            let mut renders: Vec<ExploreRequest> = pending.renders.into_values().collect();
            renders.sort_by_key(|r| match r {
                ExploreRequest::Render { target, .. } => *target != RenderTarget::Main,
                ExploreRequest::Directions { .. } => true,
            });
            for request in renders.into_iter().chain(pending.directions) {
                self.answer(request);
            }
        }
    }

    fn answer(&mut self, request: ExploreRequest) {
        let Some(snapshot) = self.snapshot.as_deref() else {
            return; // The front end asks again when a snapshot arrives.
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| match request {
            ExploreRequest::Render {
                id,
                target,
                latents,
                class: _,
            } => snapshot.render(&latents).map(|output| Event::Rendered {
                id,
                target,
                step: snapshot.step,
                output,
            }),
            ExploreRequest::Directions { components } => Some(Event::Directions {
                step: snapshot.step,
                directions: snapshot.directions(components),
            }),
        }));
        match outcome {
            Ok(Some(event)) => self.emit(event),
            Ok(None) => {}
            Err(payload) => {
                let message = super::session::panic_message(payload.as_ref());
                self.emit(Event::Error {
                    message: format!("the explorer failed: {message}"),
                    fatal_to_run: false,
                });
            }
        }
    }

    fn emit(&self, event: Event) {
        if self.events.send(event).is_ok() {
            (self.wake)();
        }
    }
}
