//! The fully connected family: z → x for 2-D toys (or flattened images).
//! G: ReLU hidden layers, linear (points) or tanh (images) output.
//! D: LeakyReLU(0.2) hidden layers, one logit out; optionally spectrally normalised, and
//! with its gradient with respect to its input as explicit tensor operations (see
//! [`super::critic`]).

use super::activation::leaky_relu;
use super::{EmbeddingRole, LABEL_EMBEDDING, critic, embedding, projection, spectral, with_label};
use crate::kernels;
use burn::nn::{Embedding, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::{relu, tanh};

#[derive(Module, Debug)]
pub struct MlpGenerator {
    hidden: Vec<Linear>,
    out: Linear,
    tanh_output: bool,
    /// The class embedding appended to z, for a conditional G.
    label: Option<Embedding>,
}

#[derive(Module, Debug)]
pub struct MlpDiscriminator {
    hidden: Vec<Linear>,
    out: Linear,
    /// Power-iteration vectors, one per layer (hidden ones, then the output), when D is
    /// spectrally normalised.
    spectral: Option<Vec<Tensor<2>>>,
    /// The class embedding of a projection discriminator (conditional D).
    projection: Option<Embedding>,
}

/// D's slope for negative inputs.
const SLOPE: f64 = 0.2;

/// A stack of `layers` linear layers of width `hidden` starting from `input` features.
fn hidden_stack(input: usize, hidden: usize, layers: usize, device: &Device) -> Vec<Linear> {
    (0..layers)
        .map(|i| LinearConfig::new(if i == 0 { input } else { hidden }, hidden).init(device))
        .collect()
}

impl MlpGenerator {
    /// `classes` makes it conditional on that many class labels.
    pub fn new(
        latent: usize,
        hidden: usize,
        layers: usize,
        output: usize,
        tanh_output: bool,
        classes: Option<usize>,
        device: &Device,
    ) -> MlpGenerator {
        let input = latent + classes.map_or(0, |_| LABEL_EMBEDDING);
        MlpGenerator {
            hidden: hidden_stack(input, hidden, layers, device),
            out: LinearConfig::new(hidden, output).init(device),
            tanh_output,
            label: embedding(classes, LABEL_EMBEDDING, EmbeddingRole::Input, device),
        }
    }

    /// `z`: [batch, latent] (and labels, if conditional) → [batch, output].
    pub fn forward(&self, z: Tensor<2>, labels: Option<&Tensor<1, Int>>) -> Tensor<2> {
        let h = self
            .hidden
            .iter()
            .fold(with_label(z, &self.label, labels), |h, layer| {
                relu(kernels::linear::layer(layer, h))
            });
        let x = kernels::linear::layer(&self.out, h);
        if self.tanh_output { tanh(x) } else { x }
    }
}

impl MlpDiscriminator {
    /// `input` features (a packed sample counts as one); `spectral` normalises every layer;
    /// `classes` makes it a projection discriminator over that many labels.
    pub fn new(
        input: usize,
        width: usize,
        layers: usize,
        spectral: bool,
        classes: Option<usize>,
        device: &Device,
    ) -> MlpDiscriminator {
        let hidden = hidden_stack(input, width, layers, device);
        let last = if layers == 0 { input } else { width };
        let out = LinearConfig::new(last, 1).init(device);
        let spectral = spectral.then(|| {
            hidden
                .iter()
                .chain([&out])
                .map(|l| spectral::initial_u(l.weight.dims()[0], device))
                .collect()
        });
        MlpDiscriminator {
            hidden,
            out,
            spectral,
            projection: embedding(classes, last, EmbeddingRole::Projection, device),
        }
    }

    /// A D without hidden layers and with the given weights: logit = w·x + b on 2-D points.
    /// For tests that need a discriminator with a known shape.
    #[cfg(test)]
    pub fn linear(weight: [f32; 2], bias: f32, device: &Device) -> MlpDiscriminator {
        use burn::module::Param;
        let mut out = LinearConfig::new(2, 1).init(device);
        out.weight = Param::from_tensor(Tensor::from_data(
            TensorData::new(weight.to_vec(), [2, 1]),
            device,
        ));
        out.bias = Some(Param::from_tensor(Tensor::from_data(
            TensorData::new(vec![bias], [1]),
            device,
        )));
        MlpDiscriminator {
            hidden: Vec::new(),
            out,
            spectral: None,
            projection: None,
        }
    }

    fn layers(&self) -> impl Iterator<Item = &Linear> {
        self.hidden.iter().chain([&self.out])
    }

    /// Each layer's weight as used: W, or W / σ(W) under spectral normalisation.
    fn weights(&self) -> Vec<Tensor<2>> {
        self.layers()
            .enumerate()
            .map(|(i, layer)| {
                let w = layer.weight.val();
                match &self.spectral {
                    Some(us) => {
                        let (sigma, _) = spectral::sigma(w.clone(), &us[i]);
                        w.div(sigma.unsqueeze())
                    }
                    None => w,
                }
            })
            .collect()
    }

    /// Pre-activations of every hidden layer (when `keep_pre`: holding them makes each
    /// LeakyReLU copy its input instead of working in place), the last hidden activation, and
    /// the logits (with the projection term of a conditional D).
    fn run(
        &self,
        x: Tensor<2>,
        labels: Option<&Tensor<1, Int>>,
        keep_pre: bool,
    ) -> (Vec<Tensor<2>>, Tensor<2>, Tensor<2>) {
        let mut weights = self.weights();
        let out = weights
            .pop()
            .unwrap_or_else(|| unreachable!("the output layer"));
        let mut pre = Vec::with_capacity(self.hidden.len());
        let mut h = x;
        for (layer, w) in self.hidden.iter().zip(weights) {
            let bias = layer.bias.as_ref().map(|b| b.val());
            let z = kernels::linear::linear(h, w, bias);
            if keep_pre {
                pre.push(z.clone());
            }
            h = leaky_relu(z, SLOPE);
        }
        let bias = self.out.bias.as_ref().map(|b| b.val());
        let mut logits = kernels::linear::linear(h.clone(), out, bias);
        let [batch, _] = h.dims();
        if let Some(e) = projection(&self.projection, labels, batch, &h.device()) {
            logits = logits + (e * h.clone()).sum_dim(1);
        }
        (pre, h, logits)
    }

    /// `x`: [batch, features] (and labels, if conditional) → logits [batch, 1].
    pub fn forward(&self, x: Tensor<2>, labels: Option<&Tensor<1, Int>>) -> Tensor<2> {
        self.run(x, labels, false).2
    }

    /// ∂D(x)/∂x per sample, [batch, features], as differentiable operations on the weights
    /// (so a penalty on it trains D).
    pub fn input_gradient(&self, x: Tensor<2>, labels: Option<&Tensor<1, Int>>) -> Tensor<2> {
        let [batch, _] = x.dims();
        let device = x.device();
        let (pre, _, _) = self.run(x, labels, true);
        let mut weights = self.weights();
        let out = weights
            .pop()
            .unwrap_or_else(|| unreachable!("the output layer"));
        // ∂logit/∂h: the output layer's weights, plus the label's embedding if projecting.
        let mut top = Tensor::<2>::ones([batch, 1], &device).matmul(out.transpose());
        if let Some(e) = projection(&self.projection, labels, batch, &device) {
            top = top + e;
        }
        critic::linear_adjoint(top, weights, pre, SLOPE)
    }

    /// Advance every layer's power iteration by one step (after an update of D).
    pub fn advance_spectral(&mut self) {
        let weights: Vec<Tensor<2>> = self.layers().map(|l| l.weight.val()).collect();
        if let Some(us) = &mut self.spectral {
            for (u, w) in us.iter_mut().zip(weights) {
                *u = spectral::sigma(w, u).1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::loss;
    use crate::models::Discriminator;
    use crate::models::critic::testing::{
        input_gradient_vs_differences, relative_error, weight_gradient_vs_difference,
    };

    /// Standard normal samples from a generator of their own (tests running in parallel share
    /// the backend's).
    fn sample(n: usize, features: usize, _device: &Device) -> Vec<f32> {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64((n * features) as u64);
        (0..n * features)
            .map(|_| rng.sample::<f32, _>(rand_distr::StandardNormal))
            .collect()
    }

    #[test]
    fn the_input_gradient_matches_finite_differences_with_spectral_norm_and_projection() {
        for (spectral, classes) in [(false, None), (true, None), (false, Some(3))] {
            let device = Device::flex();
            let d = crate::models::seeded(&device, 11, || {
                Discriminator::Mlp(MlpDiscriminator::new(6, 32, 3, spectral, classes, &device))
            });
            let x = sample(4, 6, &device);
            let labels = classes.map(|_| crate::models::label_tensor(&[0, 2, 1, 2], &device));
            let (analytic, numeric) = input_gradient_vs_differences(
                &d,
                &x,
                4,
                &[0, 1, 2, 3, 4, 5],
                labels.as_ref(),
                &device,
            );
            let error = relative_error(&analytic, &numeric);
            assert!(error < 1e-2, "spectral {spectral}: relative error {error}");
        }
    }

    #[test]
    fn the_gradient_penalty_trains_the_weights_exactly() {
        let device = Device::flex().autodiff();
        let d = crate::models::seeded(&device, 12, || {
            MlpDiscriminator::new(2, 16, 2, false, None, &device)
        });
        let x = Tensor::<2>::from_data(TensorData::new(sample(8, 2, &device), [8, 2]), &device);
        let penalty =
            |d: &MlpDiscriminator| loss::gradient_penalty(d.input_gradient(x.clone(), None), 10.0);
        let (analytic, numeric) = weight_gradient_vs_difference(
            &d,
            |d| d.hidden[0].weight.val(),
            |d, w| {
                let mut d = d.clone();
                d.hidden[0].weight = burn::module::Param::from_tensor(w);
                d
            },
            penalty,
        );
        assert!(
            analytic.abs() > 1e-4,
            "the penalty reaches the weights: {analytic}"
        );
        assert!(
            (analytic - numeric).abs() / numeric.abs() < 2e-2,
            "autodiff {analytic} vs finite difference {numeric}"
        );
    }
}
