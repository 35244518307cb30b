//! One GAN run: the models, their optimizers, the data stream, the task and the step loop.
//!
//! A step is `d_steps` discriminator updates (real batch + detached fake batch) followed by
//! one generator update through the freshly updated D, reusing the last fake batch as the
//! reference DCGAN does. The task (see [`crate::engine::task`]) says what a batch becomes:
//! G's input, what D judges beside each sample, and G's extra loss terms. The preset's `[game]` picks the loss, the penalty and the
//! stabilisers (see [`game`]); its [`Balance`] may change between steps. Every loss is read
//! back before its update is applied, so a NaN or infinity is refused and the weights stay at
//! their last good values.

mod balance;
pub mod checkpoint;
mod diagnostics;
mod game;
mod sampling;
mod translation;

pub use sampling::real_points;
use sampling::{fixed_latents, points};

use diagnostics::ReferenceClassifier;

use super::profile::{Laps, Phase, PhaseTimes};
use super::task::{self, Task};
use super::{device::OpenedDevice, grad_norm, loss};
use crate::data::{self, DataSource, SampleShape};
use crate::engine::HostValues;
use crate::metrics::alarms::{Alarm, Alarms, Observation};
use crate::models::{self, Discriminator, Generator};
use crate::preset::{DatasetSpec, Preset};
use crate::protocol::{DeviceInfo, RunInfo, SourceInfo, StepMetrics};
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use burn::tensor::activation::sigmoid;
use rand::{SeedableRng, rngs::StdRng};
use std::collections::BTreeMap;
use std::time::Instant;

/// Why a step was refused.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error(
        "{what} became {value} at step {step}; that update was not applied. Lower the learning \
         rates or Reset."
    )]
    Diverged {
        step: u64,
        what: &'static str,
        value: f32,
    },
    /// The game asks for something this model cannot do.
    #[error("{0}")]
    Unsupported(String),
}

pub struct Trainer {
    /// The preset as the run now plays it (live balance changes included).
    preset: Preset,
    /// The preset the run was built from, for Reset.
    loaded: Preset,
    info: DeviceInfo,
    /// Autodiff device for training.
    device: Device,
    /// The same hardware without autodiff, for sampling.
    plain: Device,
    generator: Option<Generator>,
    discriminator: Option<Discriminator>,
    /// The moving average of G's weights (without autodiff), when the game keeps one.
    ema: Option<Generator>,
    opt_g: ModuleOptimizer,
    opt_d: ModuleOptimizer,
    data: Box<dyn DataSource>,
    /// The game.
    task: Box<dyn Task>,
    shape: SampleShape,
    /// Classes G and D are conditioned on (a conditional GAN).
    classes: Option<usize>,
    fixed_z: Tensor<2>,
    /// The class of each fixed latent (a conditional G: one grid row per class).
    fixed_labels: Option<Vec<u32>>,
    real_view: Vec<[f32; 2]>,
    step: u64,
    trained_s: f64,
    /// Per-phase times, while profiling.
    profile: Option<PhaseTimes>,
    watch: Alarms,
    alarms: Vec<Alarm>,
    /// Means and std of a Gaussian-mixture data set, for mode metrics.
    mixture: Option<(Vec<[f32; 2]>, f32)>,
    /// The reference classifier for class coverage (digits only).
    classifier: ReferenceClassifier,
}

impl Trainer {
    /// Build a run from a validated preset on an opened device, seeded from the preset.
    /// Panics where [`Self::try_new`] fails, which a validated preset never makes it do.
    pub fn new(preset: &Preset, opened: &OpenedDevice) -> Trainer {
        Trainer::try_new(preset, opened).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Build a run from a preset on an opened device, seeded from the preset; an error when
    /// its networks cannot be built for its data.
    pub fn try_new(preset: &Preset, opened: &OpenedDevice) -> Result<Trainer, TrainError> {
        let plain = opened.device.clone();
        let device = plain.clone().autodiff();
        let data = data::open(&preset.dataset, preset.train.seed);
        let shape = data.shape();
        let (generator, discriminator) = models::try_seeded(&plain, preset.train.seed, || {
            models::build(preset, shape, data.source_shape(), &device)
        })
        .map_err(TrainError::Unsupported)?;
        let task = task::open(preset, data.as_ref(), &generator);
        let classes = preset.dataset.classes().filter(|_| preset.conditional());
        let t = &preset.train;
        let real_view = if shape == SampleShape::Points2 {
            real_points(preset)
        } else {
            Vec::new()
        };
        let (fixed_z, fixed_labels) =
            fixed_latents(t.samples, preset.latent_dim(), classes, &plain);
        Ok(Trainer {
            preset: preset.clone(),
            loaded: preset.clone(),
            info: opened.info.clone(),
            device,
            plain,
            generator: Some(generator),
            discriminator: Some(discriminator),
            ema: None,
            opt_g: game::optimizer(&preset.game, t),
            opt_d: game::optimizer(&preset.game, t),
            data,
            task,
            shape,
            classes,
            fixed_z,
            fixed_labels,
            real_view,
            step: 0,
            trained_s: 0.0,
            profile: None,
            watch: Alarms::default(),
            alarms: Vec::new(),
            mixture: data::mixture(&preset.dataset),
            classifier: match preset.dataset {
                DatasetSpec::Digits { size } | DatasetSpec::DigitSkeletons { size } => {
                    ReferenceClassifier::NotStarted { size }
                }
                _ => ReferenceClassifier::NotNeeded,
            },
        })
    }

    /// Start (or restart) timing each phase of every step; see [`super::profile`].
    pub fn start_profiling(&mut self) {
        self.profile = Some(PhaseTimes::default());
    }

    /// Phase times accumulated since [`Self::start_profiling`].
    pub fn phase_times(&self) -> Option<&PhaseTimes> {
        self.profile.as_ref()
    }

    /// A fresh run of the preset it was built from (live balance changes dropped) on the
    /// same device, back at step 0.
    pub fn restarted(&self) -> Trainer {
        let opened = OpenedDevice {
            device: self.plain.clone(),
            info: self.info.clone(),
            notice: None,
        };
        Trainer::new(&self.loaded, &opened)
    }

    pub fn preset(&self) -> &Preset {
        &self.preset
    }

    pub fn steps_done(&self) -> u64 {
        self.step
    }

    pub fn info(&self) -> RunInfo {
        RunInfo {
            preset: self.preset.name.clone(),
            device: self.info.clone(),
            generator_params: self.g().num_params(),
            discriminator_params: self.d().num_params(),
            batch_size: self.preset.train.batch_size,
            latent_dim: self.preset.latent_dim(),
            classes: self.classes,
            source: self.task.held_out().map(|h| SourceInfo::of(h.source_shape)),
            networks: self.preset.networks_label(),
            balance: self.balance(),
        }
    }

    fn g(&self) -> &Generator {
        self.generator
            .as_ref()
            .unwrap_or_else(|| unreachable!("G is only out during its own update"))
    }

    fn d(&self) -> &Discriminator {
        self.discriminator
            .as_ref()
            .unwrap_or_else(|| unreachable!("D is only out during its own update"))
    }

    /// G out of the run for its update (put back right after).
    fn take_g(&mut self) -> Generator {
        self.generator
            .take()
            .unwrap_or_else(|| unreachable!("G is only out during its own update"))
    }

    /// D out of the run for its update (put back right after).
    fn take_d(&mut self) -> Discriminator {
        self.discriminator
            .take()
            .unwrap_or_else(|| unreachable!("D is only out during its own update"))
    }

    /// A random generator for one purpose at the current step: every stream of randomness is
    /// keyed by (preset seed, purpose, step), so the run is a function of its seed and a run
    /// resumed from a checkpoint continues exactly as an uninterrupted one (and other threads
    /// drawing random numbers cannot disturb it).
    fn rng(&self, purpose: Stream) -> StdRng {
        StdRng::seed_from_u64(mix(mix(self.preset.train.seed, purpose as u64), self.step))
    }

    /// `n` latent vectors from N(0, I), drawn on the host from `rng`.
    fn latent(&self, n: usize, rng: &mut StdRng, device: &Device) -> Tensor<2> {
        task::generate::latent(n, self.preset.latent_dim(), rng, device)
    }

    /// One training step (k D-updates, one G-update).
    pub fn step(&mut self) -> Result<StepMetrics, TrainError> {
        let started = Instant::now();
        let mut profile = self.profile.take();
        let plain = self.plain.clone();
        let outcome = self.timed_step(Laps::start(profile.as_mut(), &plain));
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
        };
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
    fn timed_step(&mut self, mut laps: Laps<'_>) -> Result<StepOutcome, TrainError> {
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
        let mut d_stats = [0.0f32; 4];
        let mut noise = self.rng(Stream::Noise);
        let mut extra = self.rng(Stream::Game);
        let std = game.noise_at(self.step);
        self.data.reseed(mix(t.seed, self.step ^ DATA_KEY));
        for _ in 0..t.d_steps {
            let round = self
                .task
                .round(self.data.as_mut(), t.batch_size, &mut noise, &self.device);
            laps.mark(Phase::Data);
            let generated = self
                .g()
                .forward(round.g_input.clone(), round.labels.as_ref()); // [B, F]
            laps.mark(Phase::GForward);
            // What D sees: noisy, packed [B / m, m·F].
            let real_in = game::pack(
                game::with_noise(round.judged(round.real.clone()), std, &mut extra),
                game.pack,
            );
            let fake_in = game::pack(
                game::with_noise(round.judged(generated.clone().detach()), std, &mut extra),
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
            d_stats = read_scalars(vec![d_loss, summary(real_out), summary(fake_out), d_norm]);
            laps.mark(Phase::Readback);
            self.refuse_non_finite("D loss", d_stats[0])?;
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
        let terms = self.task.g_terms(self.g(), &fake, &round, &mut noise);
        let adversarial = self.task.adversarial().then(|| {
            let fake_in = game::pack(
                game::with_noise(round.judged(fake.clone()), std, &mut extra),
                game.pack,
            );
            loss::generator(game.loss, self.d().forward(fake_in, round.labels.as_ref()))
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
        let mut read = vec![g_loss, g_norm];
        read.extend(terms.iter().map(|term| term.value.clone()));
        let values = read_values(read);
        let g_stats = [values[0], values[1]];
        laps.mark(Phase::Readback);
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

    fn refuse_non_finite(&self, what: &'static str, value: f32) -> Result<(), TrainError> {
        if value.is_finite() {
            Ok(())
        } else {
            Err(TrainError::Diverged {
                step: self.step + 1,
                what,
                value,
            })
        }
    }
}

/// The independent streams of randomness of a run.
#[derive(Clone, Copy)]
enum Stream {
    Noise = 1,
    Measure = 2,
    /// Instance noise and penalty interpolates.
    Game = 3,
    /// Instance noise on the samples that diagnostics show D.
    Judge = 4,
}

/// Keys the data stream apart from the others.
const DATA_KEY: u64 = 0xDA7A_0000_0000_0000;

/// SplitMix64 of `a` combined with `b`: well-spread keys from (seed, purpose, step).
fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What one step returns: D's and G's statistics and G's other loss terms by name.
type StepOutcome = ([f32; 4], [f32; 2], BTreeMap<String, f32>);

/// Read several one-element tensors back in a single device sync.
fn read_values(values: Vec<Tensor<1>>) -> Vec<f32> {
    let n = values.len();
    let mut data = Tensor::cat(values.into_iter().map(|t| t.detach()).collect(), 0)
        .into_data()
        .to_f32s();
    data.resize(n, f32::NAN);
    data
}

/// [`read_values`] for a fixed number of tensors.
fn read_scalars<const N: usize>(values: Vec<Tensor<1>>) -> [f32; N] {
    let data = read_values(values);
    std::array::from_fn(|i| data[i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::{LossKind, OptimizerKind};
    use burn::module::{ModuleVisitor, Param};

    /// The largest |value| among a module's float parameters.
    struct Largest(f32);

    impl ModuleVisitor for Largest {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let max = param.val().abs().max().into_scalar::<f32>();
            self.0 = self.0.max(max);
        }
    }

    #[test]
    fn the_clipped_critic_stays_inside_its_box_after_every_step() {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("presets/ring8-mlp.toml"),
        )
        .unwrap_or_default();
        let mut preset = Preset::from_toml(&text, "ring8-mlp").unwrap_or_else(|e| panic!("{e}"));
        preset.game.loss = LossKind::Wasserstein;
        preset.game.optimizer = OptimizerKind::Rmsprop;
        preset.game.clip = 0.01;
        preset.train.lr_d = 5e-5;
        let mut trainer = Trainer::new(&preset, &crate::engine::device::cpu());
        let largest = |t: &Trainer| {
            let mut visitor = Largest(0.0);
            t.d().visit(&mut visitor);
            visitor.0
        };
        assert!(largest(&trainer) > 0.01, "initial weights exceed the box");
        for _ in 0..3 {
            trainer.step().unwrap_or_else(|e| panic!("{e}"));
            let max = largest(&trainer);
            assert!(max <= 0.01 + 1e-7, "a weight reached {max}");
        }
    }
}
