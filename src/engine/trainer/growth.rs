//! Progressive growing in the step loop: the stage is a function of the step, set on G, its
//! moving average and D before every step and after a resume; real images are shown to D
//! at the stage's resolution, faded as G's output is; stage changes are the run's phases.

use super::Trainer;
use crate::data::SampleShape;
use crate::engine::task::Round;
use crate::models::progressive::{self, Stage};

impl Trainer {
    /// The stage of (0-based) step `step` for a growing model.
    pub(super) fn stage_at(&self, step: u64) -> Option<Stage> {
        self.preset.growth().map(|growth| growth.stage(step))
    }

    /// Put G, its moving average and D at the stage of the next step.
    pub(super) fn sync_stage(&mut self) {
        let Some(stage) = self.stage_at(self.step) else {
            return;
        };
        if let Some(g) = self.generator.as_mut() {
            g.set_stage(stage);
        }
        if let Some(ema) = self.ema.as_mut() {
            ema.set_stage(stage);
        }
        if let Some(d) = self.discriminator.as_mut() {
            d.set_stage(stage);
        }
    }

    /// `round` with its real images at `stage`'s resolution (see [`progressive::staged`]).
    pub(super) fn staged(&self, mut round: Round, stage: Option<Stage>) -> Round {
        if let (
            Some(stage),
            SampleShape::Image {
                channels, height, ..
            },
        ) = (stage, self.shape)
        {
            round.real = progressive::staged(round.real, channels, height, stage);
        }
        round
    }

    /// Set the schedule's clock to `step` without training (the weights stay as they are):
    /// for `ganscope bench`, which times a growing model at each of its levels. A run that
    /// did this would no longer be a function of its preset, so nothing else calls it.
    pub fn clock_to(&mut self, step: u64) {
        self.step = step;
        self.sync_stage();
    }

    /// What the growth schedule changes when the steps done reach `steps_done`.
    pub(super) fn growth_change(&self, steps_done: u64) -> Option<String> {
        self.preset
            .growth()
            .and_then(|growth| growth.change_at(steps_done))
    }

    /// After a step: a new level restarts the alarms' streaks.
    pub(super) fn after_growth_step(&mut self) {
        if self
            .preset
            .growth()
            .and_then(|growth| growth.level_starting(self.step))
            .is_some()
        {
            self.watch.restart();
        }
        self.sync_stage();
    }
}
