//! The classic game: G maps noise z (and a class, for a conditional pair) to a sample, D
//! judges samples. Its one extra term is mode seeking (MSGAN), when the game asks for it.

use super::{Round, Task, Term, labels};
use crate::data::DataSource;
use crate::engine::loss;
use crate::models::Generator;
use crate::preset::Preset;
use burn::prelude::*;
use rand::rngs::StdRng;
use rand_distr::{Distribution as _, StandardNormal};

pub struct Generate {
    latent_dim: usize,
    conditional: bool,
    mode_seeking: f32,
}

impl Generate {
    pub fn new(preset: &Preset) -> Generate {
        Generate {
            latent_dim: preset.latent_dim(),
            conditional: preset.conditional() && preset.dataset.classes().is_some(),
            mode_seeking: preset.game.mode_seeking,
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
        n: usize,
        noise: &mut StdRng,
        device: &Device,
    ) -> Round {
        let batch = data.batch(n);
        let features = data.shape().numel();
        // A conditional G makes fakes of the real batch's classes.
        let labels = labels(&batch, self.conditional, device);
        let real = Tensor::from_data(TensorData::new(batch.x, [batch.n, features]), device);
        Round {
            g_input: latent(n, self.latent_dim, noise, device),
            labels,
            real,
            beside: None,
        }
    }

    fn g_terms(
        &self,
        g: &Generator,
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
}
