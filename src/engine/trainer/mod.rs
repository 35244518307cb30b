//! One GAN run: the models, their optimizers, the data stream, the task and the step loop.
//!
//! A step is `d_steps` discriminator updates (real batch + detached fake batch) followed by
//! one generator update through the freshly updated D, reusing the last fake batch as the
//! reference DCGAN does. The task (see [`crate::engine::task`]) says what a batch becomes:
//! G's input, what D judges beside each sample, and G's extra loss terms. The preset's `[game]` picks the loss, the penalty and the
//! stabilisers (see [`game`]); its [`Balance`] may change between steps. Every loss is read
//! back before its update is applied, so a NaN or infinity is refused and the weights stay at
//! their last good values.

pub mod augment;
mod balance;
pub mod checkpoint;
pub(crate) mod game;
mod growth;
mod sampling;
mod step;

pub use crate::engine::task::generate::real_points;
use crate::engine::task::{Stream, keyed, mix};

use super::device::OpenedDevice;
use super::profile::PhaseTimes;
use super::task::{self, Task};
use crate::data::{self, DataSource, SampleShape};
use crate::engine::resident::Resident;
use crate::metrics::alarms::{Alarm, Alarms};
use crate::models::{self, Discriminator, Generator};
use crate::preset::Preset;
use crate::protocol::{DeviceInfo, RunInfo, SourceInfo, UpscaleInfo};
use burn::optim::ModuleOptimizer;
use burn::prelude::*;
use rand::rngs::StdRng;

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
    /// The data set could not be opened (a file set: which file, and why).
    #[error("{0}")]
    Data(String),
    /// The device stopped answering (a remote server gone or unreachable): the step was not
    /// applied, and the weights on this side are those of the last step read back.
    #[error("the remote device stopped answering ({0}); the step was not applied.")]
    Device(String),
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
    /// The data set kept on the device, where that pays (see [`crate::engine::resident`]).
    resident: Option<Resident>,
    /// The game.
    task: Box<dyn Task>,
    shape: SampleShape,
    /// Classes G and D are conditioned on (a conditional GAN).
    classes: Option<usize>,
    /// How the file data differs from when the loaded checkpoint was saved, if it does.
    data_changed: Option<String>,
    step: u64,
    trained_s: f64,
    /// Per-phase times, while profiling.
    profile: Option<PhaseTimes>,
    watch: Alarms,
    alarms: Vec<Alarm>,
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
        let mut data = data::open(&preset.dataset, preset.train.seed)
            .map_err(|e| TrainError::Data(e.to_string()))?;
        if let (Some(k), Some(classes)) = (preset.train.real_per_class, preset.dataset.classes()) {
            data = Box::new(
                data::subset::Subset::cut(data, classes, k, preset.train.seed)
                    .map_err(TrainError::Data)?,
            );
        }
        let shape = data.shape();
        let (generator, discriminator) = models::try_seeded(&plain, preset.train.seed, || {
            models::build(preset, shape, data.source_shape(), &device)
        })
        .map_err(TrainError::Unsupported)?;
        let task =
            task::open(preset, data.as_ref(), &generator, &plain).map_err(TrainError::Data)?;
        let classes = preset.dataset.classes().filter(|_| preset.conditional());
        let resident = (!opened.is_cpu())
            .then(|| Resident::upload(data.as_ref(), &device))
            .flatten();
        let t = &preset.train;
        let mut trainer = Trainer {
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
            resident,
            task,
            shape,
            classes,
            data_changed: None,
            step: 0,
            trained_s: 0.0,
            profile: None,
            watch: Alarms::default(),
            alarms: Vec::new(),
        };
        trainer.sync_stage();
        Ok(trainer)
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
    /// same device, back at step 0; an error when its data can no longer be opened (a file
    /// set moved away).
    pub fn restarted(&self) -> Result<Trainer, TrainError> {
        let opened = OpenedDevice {
            device: self.plain.clone(),
            info: self.info.clone(),
            notice: None,
        };
        Trainer::try_new(&self.loaded, &opened)
    }

    /// How the file data differs from when the loaded checkpoint was saved, if it does.
    pub fn data_changed(&self) -> Option<&str> {
        self.data_changed.as_deref()
    }

    /// What a user should know about the run's data (files skipped; changed since the
    /// checkpoint it resumed from).
    pub fn data_notice(&self) -> Option<String> {
        let notes: Vec<String> = self
            .data_changed
            .iter()
            .cloned()
            .chain(self.data.notice())
            .collect();
        (!notes.is_empty()).then(|| notes.join("; "))
    }

    pub fn preset(&self) -> &Preset {
        &self.preset
    }

    pub fn steps_done(&self) -> u64 {
        self.step
    }

    /// The description of the phase the task's schedule (see
    /// [`crate::engine::task::Task::phase_change`]) or the growth schedule starts now, if
    /// one does.
    pub fn phase_change(&self) -> Option<String> {
        match (
            self.task.phase_change(self.step),
            self.growth_change(self.step),
        ) {
            (Some(task), Some(growth)) => Some(format!("{task}; {growth}")),
            (task, growth) => task.or(growth),
        }
    }

    /// Whether the run trains on a remote device (whose server may go away).
    pub fn is_remote(&self) -> bool {
        self.info.backend == "remote"
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
            class_names: data::names_of(&self.preset.dataset, self.data.as_ref()),
            source: self.task.held_out().map(|h| SourceInfo::of(h.source_shape)),
            upscale: match self.preset.task {
                crate::preset::TaskSpec::Upscale { scale, .. } => Some(UpscaleInfo {
                    scale,
                    channels: self.preset.image_channels().1,
                }),
                _ => None,
            },
            networks: self.preset.networks_label(),
            balance: self.balance(),
            penalty_estimated: self.d().gradient_source()
                == Ok(crate::models::GradientSource::Estimated),
            real_per_class: self.preset.train.real_per_class,
            ema: self.preset.game.ema > 0.0,
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
        keyed(self.preset.train.seed, purpose, self.step)
    }
}

/// Keys the data stream apart from the others.
const DATA_KEY: u64 = 0xDA7A_0000_0000_0000;

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
