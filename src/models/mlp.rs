//! The fully connected family: z → x for 2-D toys (or flattened images).
//! G: ReLU hidden layers, linear (points) or tanh (images) output.
//! D: LeakyReLU(0.2) hidden layers, one logit out.

use super::activation::leaky_relu;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::{relu, tanh};

#[derive(Module, Debug)]
pub struct MlpGenerator {
    hidden: Vec<Linear>,
    out: Linear,
    tanh_output: bool,
}

#[derive(Module, Debug)]
pub struct MlpDiscriminator {
    hidden: Vec<Linear>,
    out: Linear,
}

/// A stack of `layers` linear layers of width `hidden` starting from `input` features.
fn hidden_stack(input: usize, hidden: usize, layers: usize, device: &Device) -> Vec<Linear> {
    (0..layers)
        .map(|i| LinearConfig::new(if i == 0 { input } else { hidden }, hidden).init(device))
        .collect()
}

impl MlpGenerator {
    pub fn new(
        latent: usize,
        hidden: usize,
        layers: usize,
        output: usize,
        tanh_output: bool,
        device: &Device,
    ) -> MlpGenerator {
        MlpGenerator {
            hidden: hidden_stack(latent, hidden, layers, device),
            out: LinearConfig::new(hidden, output).init(device),
            tanh_output,
        }
    }

    /// `z`: [batch, latent] → [batch, output].
    pub fn forward(&self, z: Tensor<2>) -> Tensor<2> {
        let h = self
            .hidden
            .iter()
            .fold(z, |h, layer| relu(layer.forward(h)));
        let x = self.out.forward(h);
        if self.tanh_output { tanh(x) } else { x }
    }
}

impl MlpDiscriminator {
    pub fn new(input: usize, hidden: usize, layers: usize, device: &Device) -> MlpDiscriminator {
        MlpDiscriminator {
            hidden: hidden_stack(input, hidden, layers, device),
            out: LinearConfig::new(hidden, 1).init(device),
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
        }
    }

    /// `x`: [batch, features] → logits [batch, 1].
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let h = self
            .hidden
            .iter()
            .fold(x, |h, layer| leaky_relu(layer.forward(h), 0.2));
        self.out.forward(h)
    }
}
