//! The classic game: G maps noise z (and a class, for a conditional pair) to a sample, D
//! judges samples. Its one extra term is mode seeking (MSGAN), when the game asks for it.
//! Its view is G on fixed latent vectors ([`view`]); its measurements are mode and class
//! coverage, diversity and D's verdicts ([`measure`]).

mod attention;
mod measure;
mod view;

pub use view::real_points;

use super::reference::ReferenceClassifier;
use super::{Round, Scene, Task, Term};
use crate::data::{self, DataSource, SampleShape};
use crate::engine::loss;
use crate::models::{Discriminator, Generator};
use crate::preset::Preset;
use crate::protocol::{Diagnostics, RgbaImage, SampleView};
use burn::prelude::*;
use rand::rngs::StdRng;
use rand_distr::{Distribution as _, StandardNormal};

pub struct Generate {
    latent_dim: usize,
    /// Classes G and D are conditioned on (a conditional GAN).
    classes: Option<usize>,
    mode_seeking: f32,
    shape: SampleShape,
    /// The view's latent vectors, and the class of each (one grid row per class).
    fixed_z: Tensor<2>,
    fixed_labels: Option<Vec<u32>>,
    /// Real points drawn once for the 2-D view.
    real_view: Vec<[f32; 2]>,
    /// Means and std of a Gaussian-mixture data set, for mode metrics.
    mixture: Option<(Vec<[f32; 2]>, f32)>,
    classifier: ReferenceClassifier,
}

impl Generate {
    /// The game for `preset` on samples of `shape`; its fixed latents live on `plain`.
    pub fn new(preset: &Preset, shape: SampleShape, plain: &Device) -> Generate {
        let classes = preset.dataset.classes().filter(|_| preset.conditional());
        let (fixed_z, fixed_labels) =
            view::fixed_latents(preset.train.samples, preset.latent_dim(), classes, plain);
        Generate {
            latent_dim: preset.latent_dim(),
            classes,
            mode_seeking: preset.game.mode_seeking,
            shape,
            fixed_z,
            fixed_labels,
            real_view: if shape == SampleShape::Points2 {
                real_points(preset)
            } else {
                Vec::new()
            },
            mixture: data::mixture(&preset.dataset),
            classifier: ReferenceClassifier::for_data(&preset.dataset),
        }
    }
}

/// `n` latent vectors of `dim` from N(0, I), drawn on the host from `rng`.
pub fn latent(n: usize, dim: usize, rng: &mut StdRng, device: &Device) -> Tensor<2> {
    let values: Vec<f32> = (0..n * dim).map(|_| StandardNormal.sample(rng)).collect();
    Tensor::from_data(TensorData::new(values, [n, dim]), device)
}

impl Task for Generate {
    fn round(
        &self,
        data: &mut dyn DataSource,
        resident: Option<&crate::engine::resident::Resident>,
        n: usize,
        noise: &mut StdRng,
        device: &Device,
    ) -> Round {
        let kept = resident.and_then(|r| Some(r.rows(&data.draw(n)?, device)));
        let (real, batch_labels) = kept.unwrap_or_else(|| {
            let batch = data.batch(n);
            let features = data.shape().numel();
            let x = TensorData::new(batch.x, [batch.n, features]);
            (Tensor::from_data(x, device), batch.labels)
        });
        // A conditional G makes fakes of the real batch's classes.
        let labels = batch_labels
            .filter(|_| self.classes.is_some())
            .map(|l| crate::models::label_tensor(&l, device));
        Round {
            g_input: latent(n, self.latent_dim, noise, device),
            labels,
            real,
            beside: None,
        }
    }

    fn g_terms(
        &self,
        _step: u64,
        g: &Generator,
        _judge: &Discriminator,
        fake: &Tensor<2>,
        round: &Round,
        noise: &mut StdRng,
    ) -> Vec<Term> {
        if self.mode_seeking <= 0.0 {
            return Vec::new();
        }
        let [n, _] = round.g_input.dims();
        let device = round.g_input.device();
        let other_z = latent(n, self.latent_dim, noise, &device);
        let other = g.forward(other_z.clone(), round.labels.as_ref());
        vec![Term {
            name: "mode_seeking",
            value: loss::mode_seeking(
                fake.clone(),
                other,
                round.g_input.clone(),
                other_z,
                self.mode_seeking,
            ),
            weight: 1.0,
        }]
    }

    fn samples(&self, scene: &Scene) -> SampleView {
        self.view(scene)
    }

    fn generate(&self, scene: &Scene, n: usize) -> Vec<f32> {
        self.fresh(scene, n)
    }

    fn diagnostics(&mut self, scene: &Scene, data: &mut dyn DataSource) -> Diagnostics {
        self.measure(scene, data)
    }

    fn prepare_measurements(&mut self, plain: &Device) {
        self.classifier.start(plain);
    }

    fn nearest_neighbours(
        &mut self,
        scene: &Scene,
        data: &mut dyn DataSource,
    ) -> Option<(RgbaImage, Vec<f32>)> {
        self.neighbours(scene, data)
    }
}
