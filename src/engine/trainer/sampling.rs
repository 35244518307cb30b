//! What a run shows of its generator and measures, through its task (see
//! [`crate::engine::task::Task`]): the sample view, fresh samples, diagnostics (which also
//! feed the collapse alarm), the memorisation check, snapshots for the explorer and the
//! translator for image-to-image generators.

use super::Trainer;
use crate::data::DataSource;
use crate::engine::snapshot::Snapshot;
use crate::engine::task::{Scene, Task};
use crate::engine::translator::{DRAWS_SEED, Translator};
use crate::engine::upscaler::Upscaler;
use crate::models::Generator;
use crate::protocol::{Diagnostics, RgbaImage, SampleView};
use burn::module::Module;

impl Trainer {
    /// G without autodiff and in inference mode, for samples, saving or use elsewhere: the
    /// moving average of its weights when the game keeps one.
    pub fn generator_for_export(&self) -> Generator {
        match &self.ema {
            Some(average) => average.clone(),
            None => self.g().valid(),
        }
    }

    /// What the task sees of the run now, with `g` as its G.
    fn scene<'a>(&'a self, g: &'a Generator) -> Scene<'a> {
        Scene {
            g,
            d: self.d(),
            preset: &self.preset,
            step: self.step,
            shape: self.shape,
            plain: &self.plain,
            autodiff: &self.device,
        }
    }

    /// What G makes of the task's fixed inputs, as the front ends show it.
    pub fn samples(&self) -> SampleView {
        let g = self.generator_for_export();
        self.task.samples(&self.scene(&g))
    }

    /// `n` samples, flattened [n, features]: from fresh latents (a conditional G is asked
    /// for the classes in turn), or the first held-out pairs translated.
    pub fn generate(&self, n: usize) -> Vec<f32> {
        let g = self.generator_for_export();
        self.task.generate(&self.scene(&g), n)
    }

    /// Run `f` on the task (mutably), the scene and the data stream.
    fn with_task<R>(
        &mut self,
        f: impl FnOnce(&mut dyn Task, &Scene, &mut dyn DataSource) -> R,
    ) -> Option<R> {
        let g = self.generator_for_export();
        let Trainer {
            task,
            data,
            discriminator,
            preset,
            step,
            shape,
            plain,
            device,
            ..
        } = self;
        let scene = Scene {
            g: &g,
            d: discriminator.as_ref()?,
            preset,
            step: *step,
            shape: *shape,
            plain,
            autodiff: device,
        };
        Some(f(task.as_mut(), &scene, data.as_mut()))
    }

    /// Start loading what the measurements need now (see `Task::prepare_measurements`).
    pub fn prepare_measurements(&mut self) {
        let plain = self.plain.clone();
        self.task.prepare_measurements(&plain);
    }

    /// The task's measurements (see [`Diagnostics`]); coverage also feeds the collapse
    /// alarm.
    pub fn diagnostics(&mut self) -> Diagnostics {
        let diagnostics = self
            .with_task(|task, scene, data| task.diagnostics(scene, data))
            .unwrap_or_else(|| unreachable!("D is only out during its own update"));
        if let Some(m) = &diagnostics.modes {
            let raised = self
                .watch
                .observe_coverage(self.step, m.modes_covered, m.modes);
            self.alarms.extend(raised);
        }
        if let Some(c) = &diagnostics.classes {
            let raised = self.watch.observe_coverage(self.step, c.covered, c.classes);
            self.alarms.extend(raised);
        }
        diagnostics
    }

    /// The memorisation check: samples (top row) over their nearest real neighbours
    /// (bottom row), with the pixel distances; `None` where the task has none.
    pub fn nearest_neighbours(&mut self) -> Option<(RgbaImage, Vec<f32>)> {
        self.with_task(|task, scene, data| task.nearest_neighbours(scene, data))
            .flatten()
    }

    /// A frozen copy of G as it is now, for the explorer: the moving average of its weights
    /// when the run keeps one, with the training weights beside it.
    pub fn snapshot(&self) -> Snapshot {
        let frozen = |g: &Generator| {
            Snapshot::new(
                g,
                self.step,
                self.shape,
                self.preset.latent_dim(),
                self.classes,
                &self.plain,
            )
            .with_preset(&self.preset)
        };
        match &self.ema {
            Some(average) => frozen(average).with_raw(frozen(&self.g().valid())),
            None => frozen(&self.g().valid()),
        }
    }

    /// G as it is now, for translating images outside training; `None` for a latent G.
    pub fn translator(&self) -> Option<Translator> {
        Translator::new(&self.generator_for_export(), DRAWS_SEED, &self.plain)
    }

    /// G as a super-resolution upscaler, when it is one (see [`Upscaler`]).
    pub fn upscaler(&self) -> Option<Upscaler> {
        Upscaler::new(&self.generator_for_export(), &self.plain)
    }
}
