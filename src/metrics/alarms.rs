//! Alarms from the rules of thumb GAN practitioners watch (soumith/ganhacks and the
//! mode-collapse literature). Each alarm says what it saw and what usually helps. An alarm is
//! raised once when its condition starts and may be raised again after the condition clears.

use serde::{Deserialize, Serialize};

/// D loss below this for [`STUCK_STEPS`] steps: D wins outright.
const D_LOSS_FLOOR: f32 = 0.05;
const STUCK_STEPS: u64 = 200;
/// Gradient norms above this are "trouble" when sustained: the alarm watches an exponential
/// average (weight [`NORM_SMOOTHING`] per step), so the lone spikes a BatchNorm D produces
/// do not raise it.
const GRAD_NORM_LIMIT: f32 = 100.0;
const NORM_SMOOTHING: f32 = 0.1;
/// D(x) and D(G(z)) both above 1 − this (or both below it) for [`STUCK_STEPS`] steps.
const SATURATION: f32 = 0.05;
/// Coverage below this share of its best so far counts as collapse.
const COLLAPSE_SHARE: f32 = 0.5;
/// ... once the best coverage has reached this share: before that, the first measurements of a
/// run that has not yet spread out (2 of 8 modes, then 0) are noise, not a collapse.
const COVERED_BEFORE: f32 = 0.5;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AlarmKind {
    DiscriminatorWins,
    GradientExplosion,
    DiscriminatorSaturated,
    ModeCollapse,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    pub kind: AlarmKind,
    pub step: u64,
    /// What was seen, with the numbers.
    pub saw: String,
    /// What usually helps.
    pub helps: String,
}

/// One step's numbers as the rules need them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Observation {
    pub step: u64,
    pub d_loss: f32,
    pub d_real: f32,
    pub d_fake: f32,
    pub g_grad_norm: Option<f32>,
    pub d_grad_norm: Option<f32>,
    /// The loss is logistic, so D's outputs are probabilities and its loss has the scale
    /// the D-wins and saturation rules assume; they stay silent otherwise (a Wasserstein
    /// critic's loss is negative and its scores unbounded by design).
    pub probabilities: bool,
}

#[derive(Default)]
pub struct Alarms {
    d_wins_since: Option<u64>,
    saturated_since: Option<u64>,
    /// Exponential average of the larger of the two gradient norms.
    norm_average: Option<f32>,
    best_coverage: f32,
    active: Vec<AlarmKind>,
}

impl Alarms {
    /// Forget every streak, average and best coverage: the game changed under them (a
    /// growing model's new level), and what held before says nothing of what comes.
    pub fn restart(&mut self) {
        *self = Alarms::default();
    }

    /// Feed one step; returns the alarms that start at it.
    pub fn observe(&mut self, o: &Observation) -> Vec<Alarm> {
        let mut raised = Vec::new();
        let wins = o.probabilities && o.d_loss < D_LOSS_FLOOR;
        let since = track(&mut self.d_wins_since, wins, o.step);
        self.check(
            AlarmKind::DiscriminatorWins,
            since.is_some_and(|s| o.step - s >= STUCK_STEPS),
            o.step,
            || {
                format!(
                    "D loss has stayed below {D_LOSS_FLOOR} since step {}",
                    since.unwrap_or(0)
                )
            },
            "D wins outright and G gets almost no gradient: lower D's learning rate or its \
             steps per G step, add instance noise or label smoothing, or switch to a \
             Wasserstein or hinge loss",
            &mut raised,
        );
        let worst = o
            .g_grad_norm
            .into_iter()
            .chain(o.d_grad_norm)
            .fold(0.0f32, f32::max);
        let average = self
            .norm_average
            .map_or(worst, |a| a + NORM_SMOOTHING * (worst - a));
        self.norm_average = Some(average);
        self.check(
            AlarmKind::GradientExplosion,
            average > GRAD_NORM_LIMIT,
            o.step,
            || {
                format!(
                    "gradient norms average {average:.1} (now G {}, D {})",
                    fmt(o.g_grad_norm),
                    fmt(o.d_grad_norm)
                )
            },
            "lower the learning rates, clip gradients, or add a gradient penalty or \
             spectral normalisation to D",
            &mut raised,
        );
        let saturated = o.probabilities
            && ((o.d_real > 1.0 - SATURATION && o.d_fake > 1.0 - SATURATION)
                || (o.d_real < SATURATION && o.d_fake < SATURATION));
        let since = track(&mut self.saturated_since, saturated, o.step);
        self.check(
            AlarmKind::DiscriminatorSaturated,
            since.is_some_and(|s| o.step - s >= STUCK_STEPS),
            o.step,
            || {
                format!(
                    "D(x) = {:.3} and D(G(z)) = {:.3} together since step {}",
                    o.d_real,
                    o.d_fake,
                    since.unwrap_or(0)
                )
            },
            "D no longer tells real from fake and says the same for both: reset or lower the \
             learning rates; check the data range matches G's output (tanh: [-1, 1])",
            &mut raised,
        );
        raised
    }

    /// Feed a coverage measurement (modes or classes covered out of `total`).
    pub fn observe_coverage(&mut self, step: u64, covered: usize, total: usize) -> Vec<Alarm> {
        let share = covered as f32 / total.max(1) as f32;
        let best = self.best_coverage.max(share);
        self.best_coverage = best;
        let mut raised = Vec::new();
        self.check(
            AlarmKind::ModeCollapse,
            best >= COVERED_BEFORE && share < COLLAPSE_SHARE * best,
            step,
            || {
                format!(
                    "coverage fell to {covered} of {total} (best {:.0})",
                    best * total as f32
                )
            },
            "G has collapsed onto a few modes: try PacGAN packing, a lower G learning rate, \
             more D steps, or WGAN-GP",
            &mut raised,
        );
        raised
    }

    fn check(
        &mut self,
        kind: AlarmKind,
        condition: bool,
        step: u64,
        saw: impl FnOnce() -> String,
        helps: &str,
        raised: &mut Vec<Alarm>,
    ) {
        let active = self.active.contains(&kind);
        if condition && !active {
            self.active.push(kind);
            raised.push(Alarm {
                kind,
                step,
                saw: saw(),
                helps: helps.to_string(),
            });
        } else if !condition && active {
            self.active.retain(|k| *k != kind);
        }
    }
}

/// Start or clear a "since" marker; returns it.
fn track(since: &mut Option<u64>, holds: bool, step: u64) -> Option<u64> {
    if holds {
        since.get_or_insert(step);
    } else {
        *since = None;
    }
    *since
}

fn fmt(norm: Option<f32>) -> String {
    norm.map_or("-".into(), |n| format!("{n:.1}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(step: u64, d_loss: f32, d_real: f32, d_fake: f32) -> Observation {
        Observation {
            probabilities: true,
            step,
            d_loss,
            d_real,
            d_fake,
            ..Observation::default()
        }
    }

    #[test]
    fn a_discriminator_that_wins_for_long_raises_one_alarm() {
        let mut alarms = Alarms::default();
        let raised: Vec<Alarm> = (1..=400)
            .flat_map(|s| alarms.observe(&step(s, 0.01, 0.99, 0.01)))
            .collect();
        assert_eq!(raised.len(), 1, "{raised:?}");
        assert_eq!(raised[0].kind, AlarmKind::DiscriminatorWins);
        assert_eq!(raised[0].step, 201);
        assert!(raised[0].saw.contains("since step 1"));
        // Healthy again, then a short dip: nothing new.
        assert!(alarms.observe(&step(401, 1.3, 0.5, 0.5)).is_empty());
        assert!((402..450).all(|s| alarms.observe(&step(s, 0.01, 0.9, 0.1)).is_empty()));
    }

    #[test]
    fn sustained_large_gradients_and_saturation_are_seen_but_a_spike_is_not() {
        let mut alarms = Alarms::default();
        let norm = |s: u64, n: f32| Observation {
            probabilities: true,
            d_grad_norm: Some(n),
            ..step(s, 1.0, 0.5, 0.5)
        };
        assert!(alarms.observe(&norm(1, 5.0)).is_empty());
        assert!(alarms.observe(&norm(2, 400.0)).is_empty(), "one spike");
        let raised: Vec<Alarm> = (3..40)
            .flat_map(|s| alarms.observe(&norm(s, 250.0)))
            .collect();
        assert_eq!(raised.len(), 1);
        assert_eq!(raised[0].kind, AlarmKind::GradientExplosion);
        assert!(raised[0].saw.contains("D 250.0"), "{}", raised[0].saw);
        let raised: Vec<Alarm> = (10..=300)
            .flat_map(|s| alarms.observe(&step(s, 1.0, 0.99, 0.98)))
            .collect();
        assert!(
            raised
                .iter()
                .any(|a| a.kind == AlarmKind::DiscriminatorSaturated)
        );
    }

    #[test]
    fn a_restart_begins_every_streak_and_the_best_coverage_again() {
        let mut alarms = Alarms::default();
        // 150 steps of D winning, a restart (a growing model's new level): the streak begins
        // again at step 151, so the alarm comes at 351, not at 201.
        assert!((1..=150).all(|s| alarms.observe(&step(s, 0.01, 0.99, 0.01)).is_empty()));
        alarms.restart();
        assert!((151..=350).all(|s| alarms.observe(&step(s, 0.01, 0.99, 0.01)).is_empty()));
        let raised = alarms.observe(&step(351, 0.01, 0.99, 0.01));
        assert_eq!(raised.len(), 1, "{raised:?}");
        assert!(
            raised[0].saw.contains("since step 151"),
            "{}",
            raised[0].saw
        );
        // Coverage at a new level is measured against what that level reaches.
        let mut alarms = Alarms::default();
        assert!(alarms.observe_coverage(100, 20, 25).is_empty());
        alarms.restart();
        assert!(alarms.observe_coverage(200, 6, 25).is_empty(), "a new best");
    }

    #[test]
    fn falling_coverage_is_collapse() {
        let mut alarms = Alarms::default();
        assert!(alarms.observe_coverage(100, 20, 25).is_empty());
        assert!(
            alarms.observe_coverage(200, 12, 25).is_empty(),
            "60 % of best"
        );
        let raised = alarms.observe_coverage(300, 6, 25);
        assert_eq!(raised.len(), 1);
        assert!(raised[0].saw.contains("6 of 25"), "{}", raised[0].saw);
    }

    #[test]
    fn early_coverage_noise_is_not_collapse() {
        // ring8-mlp's first measurements: 2 of 8 modes, then none, then spreading out.
        let mut alarms = Alarms::default();
        for (step, covered) in [(100, 2), (200, 0), (300, 1), (400, 0), (500, 5), (600, 8)] {
            assert!(
                alarms.observe_coverage(step, covered, 8).is_empty(),
                "step {step}: {covered} of 8"
            );
        }
        assert_eq!(
            alarms.observe_coverage(700, 3, 8).len(),
            1,
            "8 then 3 is collapse"
        );
    }
}
