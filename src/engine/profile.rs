//! Where a training step's time goes, for `ganscope bench --profile`.
//!
//! When profiling is on, the trainer marks the end of each phase; the device is synchronised
//! at every mark, so on a GPU the times are execution times rather than launch times (and the
//! syncs themselves slow the step a little). When it is off, a mark costs one branch.

use burn::prelude::*;
use std::time::Instant;

/// The parts of a training step, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Drawing the real batch on the host and uploading it.
    Data,
    /// G's forward pass on fresh z.
    GForward,
    /// D's forward passes on the real and the detached fake batch.
    DForward,
    /// Backpropagation of D's loss.
    DBackward,
    /// Adam's update of D.
    DUpdate,
    /// D's forward pass on the fake batch again, for G's loss.
    GLoss,
    /// Backpropagation of G's loss through D and G.
    GBackward,
    /// Adam's update of G.
    GUpdate,
    /// Reading the losses and D's outputs back to the host.
    Readback,
}

impl Phase {
    pub const ALL: [Phase; 9] = [
        Phase::Data,
        Phase::GForward,
        Phase::DForward,
        Phase::DBackward,
        Phase::DUpdate,
        Phase::GLoss,
        Phase::GBackward,
        Phase::GUpdate,
        Phase::Readback,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Phase::Data => "data",
            Phase::GForward => "g_forward",
            Phase::DForward => "d_forward",
            Phase::DBackward => "d_backward",
            Phase::DUpdate => "d_update",
            Phase::GLoss => "g_loss_forward",
            Phase::GBackward => "g_backward",
            Phase::GUpdate => "g_update",
            Phase::Readback => "readback",
        }
    }
}

/// Seconds accumulated per phase.
#[derive(Clone, Debug, Default)]
pub struct PhaseTimes {
    seconds: [f64; Phase::ALL.len()],
}

impl PhaseTimes {
    pub fn get(&self, phase: Phase) -> f64 {
        self.seconds[phase as usize]
    }

    pub fn total(&self) -> f64 {
        self.seconds.iter().sum()
    }
}

/// A stopwatch over one step: [`Laps::mark`] charges the time since the previous mark to a
/// phase.
pub struct Laps<'a> {
    times: Option<&'a mut PhaseTimes>,
    device: &'a Device,
    last: Instant,
}

impl<'a> Laps<'a> {
    pub fn start(times: Option<&'a mut PhaseTimes>, device: &'a Device) -> Laps<'a> {
        Laps {
            times,
            device,
            last: Instant::now(),
        }
    }

    pub fn mark(&mut self, phase: Phase) {
        if let Some(times) = self.times.as_deref_mut() {
            // A failed sync surfaces again at the next read-back, where it is reported.
            let _ = self.device.sync();
            let now = Instant::now();
            times.seconds[phase as usize] += (now - self.last).as_secs_f64();
            self.last = now;
        }
    }
}
