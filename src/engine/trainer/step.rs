//! The step loop: `d_steps` D updates on rounds the task builds, then one G update through
//! the fresh D. Every statistic of the step is read back in one device sync, after G's
//! backward pass and before G's update (one round trip per step on a remote device): a loss
//! that is not finite is refused there, G is left as it was, and D and its optimizer go back
//! to where the step found them (kept as cheap handle copies for that).

use super::super::profile::{Laps, Phase};
use super::super::{grad_norm, loss};
use super::{DATA_KEY, Stream, TrainError, Trainer, game, mix};
use crate::engine::HostValues;
use crate::engine::task::Term;
use crate::metrics::alarms::{Alarm, Observation};
use crate::protocol::StepMetrics;
use burn::optim::GradientsParams;
use burn::prelude::*;
use burn::tensor::activation::sigmoid;
use std::collections::BTreeMap;
use std::time::Instant;

impl Trainer {
    /// One training step (k D-updates, one G-update).
    pub fn step(&mut self) -> Result<StepMetrics, TrainError> {
        let started = Instant::now();
        self.sync_stage();
        let stage = self.stage_at(self.step);
        let mut profile = self.profile.take();
        let plain = self.plain.clone();
        let outcome = self.timed_step(Laps::start(profile.as_mut(), &plain), stage);
        self.profile = profile;
        let (d_stats, g_stats, terms) = outcome?;
        self.step += 1;
        self.trained_s += started.elapsed().as_secs_f64();
        let metrics = StepMetrics {
            step: self.step,
            g_loss: g_stats[0],
            d_loss: d_stats[0],
            d_real: d_stats[1],
            d_fake: d_stats[2],
            g_grad_norm: g_stats[1].sqrt(),
            d_grad_norm: d_stats[3].sqrt(),
            wall_s: self.trained_s,
            terms,
            level: stage.map(|s| s.level),
            alpha: stage.map(|s| s.alpha),
            resolution: stage.map(|s| s.side),
        };
        self.after_growth_step();
        self.alarms.extend(
            self.watch.observe(&Observation {
                step: metrics.step,
                d_loss: metrics.d_loss,
                d_real: metrics.d_real,
                d_fake: metrics.d_fake,
                g_grad_norm: self
                    .task
                    .g_gradient_is_telling()
                    .then_some(metrics.g_grad_norm),
                d_grad_norm: Some(metrics.d_grad_norm),
                probabilities: self.preset.game.loss.is_logistic(),
            }),
        );
        Ok(metrics)
    }

    /// Alarms raised since the last call (see [`crate::metrics::alarms`]).
    pub fn take_alarms(&mut self) -> Vec<Alarm> {
        std::mem::take(&mut self.alarms)
    }

    /// The body of [`Self::step`]: returns D's [loss, D(x), D(G(z)), ‖∇D‖²], G's
    /// [loss, ‖∇G‖²] and the values of G's other loss terms by name. D's loss includes its
    /// penalty; D(x) and D(G(z)) are mean probabilities for the logistic losses and mean raw
    /// scores for the others (over every verdict of a patch discriminator).
    fn timed_step(
        &mut self,
        mut laps: Laps<'_>,
        stage: Option<crate::models::progressive::Stage>,
    ) -> Result<StepOutcome, TrainError> {
        let t = self.preset.train.clone();
        let game = self.preset.game.clone();
        let summary = |out: Tensor<2>| {
            if game.loss.is_logistic() {
                sigmoid(out).mean()
            } else {
                out.mean()
            }
        };
        let mut last = None;
        // D's statistics of every round, read with G's at the end of the step.
        let mut d_reads: Vec<Tensor<1>> = Vec::with_capacity(4 * t.d_steps);
        // Where D stood, to go back to when one of its losses turns out not finite.
        let d_before = (self.discriminator.clone(), self.opt_d.clone());
        let mut noise = self.rng(Stream::Noise);
        let mut extra = self.rng(Stream::Game);
        let std = game.noise_at(self.step);
        self.data.reseed(mix(t.seed, self.step ^ DATA_KEY));
        for _ in 0..t.d_steps {
            let round = self.task.round(
                self.data.as_mut(),
                self.resident.as_ref(),
                t.batch_size,
                &mut noise,
                &self.device,
            );
            let round = self.staged(round, stage);
            laps.mark(Phase::Data);
            let generated = self
                .g()
                .forward(round.g_input.clone(), round.labels.as_ref()); // [B, F]
            laps.mark(Phase::GForward);
            // What D sees: augmented, noisy, packed [B / m, m·F].
            let real_in = game::pack(
                game::with_noise(
                    self.augmented(round.judged(round.real.clone()), &mut extra),
                    std,
                    &mut extra,
                ),
                game.pack,
            );
            let fake_in = game::pack(
                game::with_noise(
                    self.augmented(round.judged(generated.clone().detach()), &mut extra),
                    std,
                    &mut extra,
                ),
                game.pack,
            );
            let real_out = self.d().forward(real_in.clone(), round.labels.as_ref());
            let fake_out = self.d().forward(fake_in.clone(), round.labels.as_ref());
            let mut d_loss = loss::discriminator(
                game.loss,
                real_out.clone(),
                fake_out.clone(),
                game.label_smoothing,
            );
            if game.drift > 0.0 {
                let drift = real_out.clone().powi_scalar(2).mean();
                d_loss = d_loss + drift.mul_scalar(f64::from(game.drift));
            }
            let penalty = game::penalty(
                self.d(),
                game.penalty,
                game.penalty_weight,
                &real_in,
                &fake_in,
                round.labels.as_ref(),
                &mut extra,
            )
            .map_err(TrainError::Unsupported)?;
            if let Some(penalty) = penalty {
                d_loss = d_loss + penalty;
            }
            laps.mark(Phase::DForward);
            let grads = d_loss.backward();
            laps.mark(Phase::DBackward);
            let d_norm = grad_norm::squared(self.d(), &grads, &self.device);
            d_reads.extend([d_loss, summary(real_out), summary(fake_out), d_norm]);
            let grads = GradientsParams::from_grads(grads, self.d());
            let d = self.take_d();
            let mut d = self.opt_d.step(t.lr_d, d, grads);
            if game.clip > 0.0 {
                d = game::clipped(d, game.clip);
            }
            d.advance_spectral();
            self.discriminator = Some(d);
            laps.mark(Phase::DUpdate);
            last = Some((generated, round));
        }
        // d_steps >= 1 is validated; without a round there is nothing to update G from.
        let Some((fake, round)) = last else {
            return Err(TrainError::Unsupported("d_steps must be at least 1".into()));
        };
        // D's weights are constants of G's update: judging with an untracked copy skips
        // their gradients (a third of D's backward pass) and leaves G's exactly as they
        // were. The copy shares D's BatchNorm running statistics, as D itself would.
        let judge = self.d().clone().no_grad();
        let terms = self
            .task
            .g_terms(self.step, self.g(), &judge, &fake, &round, &mut noise);
        let weight = self.task.adversarial_weight(self.step);
        let adversarial = (weight > 0.0).then(|| {
            let fake_in = game::pack(
                game::with_noise(
                    self.augmented(round.judged(fake.clone()), &mut extra),
                    std,
                    &mut extra,
                ),
                game.pack,
            );
            Term {
                name: "adversarial",
                value: loss::generator(game.loss, judge.forward(fake_in, round.labels.as_ref())),
                weight,
            }
            .loss()
        });
        let mut g_loss = adversarial;
        for term in &terms {
            g_loss = Some(match g_loss {
                Some(total) => total + term.loss(),
                None => term.loss(),
            });
        }
        let Some(g_loss) = g_loss else {
            return Err(TrainError::Unsupported("G's loss has no terms".into()));
        };
        laps.mark(Phase::GLoss);
        let grads = g_loss.backward();
        laps.mark(Phase::GBackward);
        let g_norm = grad_norm::squared(self.g(), &grads, &self.device);
        let d_count = d_reads.len();
        let mut read = d_reads;
        read.extend([g_loss, g_norm]);
        read.extend(terms.iter().map(|term| term.value.clone()));
        let all = read_values(read, self.read_deadline())?;
        laps.mark(Phase::Readback);
        let (d_all, values) = all.split_at(d_count);
        if let Some(bad) = d_all.chunks(4).map(|d| d[0]).find(|v| !v.is_finite()) {
            (self.discriminator, self.opt_d) = d_before;
            return Err(self.non_finite("D loss", bad));
        }
        let d_stats: [f32; 4] = std::array::from_fn(|i| d_all[d_count - 4 + i]);
        let g_stats = [values[0], values[1]];
        self.refuse_non_finite("G loss", g_stats[0])?;
        let grads = GradientsParams::from_grads(grads, self.g());
        let g = self.take_g();
        let g = self.opt_g.step(t.lr_g, g, grads);
        if game.ema > 0.0 {
            let now = g.valid();
            let average = self.ema.take().unwrap_or_else(|| now.clone());
            self.ema = Some(game::blend(average, &now, game.ema));
        }
        self.generator = Some(g);
        laps.mark(Phase::GUpdate);
        let named = terms
            .iter()
            .zip(&values[2..])
            .map(|(term, v)| (term.name.to_string(), *v))
            .collect();
        Ok((d_stats, g_stats, named))
    }

    /// How long a step's read may wait: a remote device's server may stall (see
    /// `engine::remote::read_deadline`); a local device always answers.
    fn read_deadline(&self) -> Option<std::time::Duration> {
        self.is_remote().then(crate::engine::remote::read_deadline)
    }

    fn refuse_non_finite(&self, what: &'static str, value: f32) -> Result<(), TrainError> {
        if value.is_finite() {
            Ok(())
        } else {
            Err(self.non_finite(what, value))
        }
    }

    fn non_finite(&self, what: &'static str, value: f32) -> TrainError {
        TrainError::Diverged {
            step: self.step + 1,
            what,
            value,
        }
    }

    /// What D judges, under DiffAugment when the game has it (images only).
    fn augmented(&self, x: Tensor<2>, rng: &mut rand::rngs::StdRng) -> Tensor<2> {
        match self.shape {
            crate::data::SampleShape::Image { height, .. } if self.preset.game.diff_augment => {
                super::augment::diff_augment(x, height, rng)
            }
            _ => x,
        }
    }
}

/// What one step returns: D's and G's statistics and G's other loss terms by name.
type StepOutcome = ([f32; 4], [f32; 2], BTreeMap<String, f32>);

/// Read several one-element tensors back in a single device sync; a device that cannot
/// answer (a remote server gone) is an error, not a panic, and so is one that does not answer
/// within `deadline` (a stalled remote server; the read is left to its helper thread).
fn read_values(
    values: Vec<Tensor<1>>,
    deadline: Option<std::time::Duration>,
) -> Result<Vec<f32>, TrainError> {
    let n = values.len();
    let joined = Tensor::cat(values.into_iter().map(|t| t.detach()).collect(), 0);
    let read = match deadline {
        None => joined.try_into_data(),
        Some(limit) => crate::engine::remote::within(limit, move || joined.try_into_data())
            .map_err(TrainError::Device)?,
    };
    let mut data = read
        .map_err(|e| TrainError::Device(crate::engine::remote::read_error(&e)))?
        .to_f32s();
    data.resize(n, f32::NAN);
    Ok(data)
}
