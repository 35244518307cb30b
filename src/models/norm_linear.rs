//! A linear layer whose weight may be spectrally normalised, for the transformer family:
//! plain; spectral normalisation, W / σ(W) (Miyato et al. 2018); or ViTGAN's improved form,
//! W · σ(W₀) / σ(W), which keeps the layer at its initial scale (see
//! [`super::spectral::improved`]). σ is estimated by one power-iteration step per use from a
//! vector kept in the layer and advanced after each update of D (`advance`). The vector and
//! the target σ are parameters that do not train, so a checkpoint keeps them: a resumed D
//! normalises exactly as it did.

use super::spectral;
use burn::module::Param;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use serde::{Deserialize, Serialize};

/// How a layer's weight is normalised.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Normalisation {
    #[default]
    None,
    /// W / σ(W).
    Spectral,
    /// W · σ(W₀) / σ(W) (ViTGAN).
    Improved,
}

/// Power-iteration steps that measure σ(W₀) for the improved form.
const INITIAL_ITERATIONS: usize = 50;

#[derive(Module, Debug)]
pub struct NormLinear {
    linear: Linear,
    /// The power iteration's vector, when normalised.
    u: Option<Param<Tensor<2>>>,
    /// What σ(W) is scaled to: 1 for spectral normalisation, σ(W₀) for the improved form
    /// ([1]).
    target: Param<Tensor<1>>,
}

/// A value kept with the weights that training does not change.
fn fixed<const D: usize>(value: Tensor<D>) -> Param<Tensor<D>> {
    Param::from_tensor(value.detach()).set_require_grad(false)
}

impl NormLinear {
    pub fn new(
        input: usize,
        output: usize,
        bias: bool,
        norm: Normalisation,
        device: &Device,
    ) -> NormLinear {
        let linear = LinearConfig::new(input, output)
            .with_bias(bias)
            .init(device);
        let (u, target) = match norm {
            Normalisation::None => (None, 1.0),
            Normalisation::Spectral => (Some(spectral::initial_u(input, device)), 1.0),
            Normalisation::Improved => {
                let (sigma, u) = spectral::measured_sigma(linear.weight.val(), INITIAL_ITERATIONS);
                (Some(u), sigma)
            }
        };
        NormLinear {
            linear,
            u: u.map(fixed),
            target: fixed(Tensor::from_floats([target], device)),
        }
    }

    /// The weight as used ([input, output]).
    pub fn weight(&self) -> Tensor<2> {
        let w = self.linear.weight.val();
        match &self.u {
            // W · target / σ(W), on the device (no read-back per use).
            Some(u) => {
                let (sigma, _) = spectral::sigma(w.clone(), &u.val());
                w.mul(self.target.val().unsqueeze()).div(sigma.unsqueeze())
            }
            None => w,
        }
    }

    /// What σ of the weight used is held at (1 or σ(W₀)); 0 for a plain layer.
    pub fn target(&self) -> f32 {
        match self.u {
            Some(_) => self.target.val().into_scalar::<f32>(),
            None => 0.0,
        }
    }

    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        burn::tensor::module::linear(x, self.weight(), self.linear.bias.as_ref().map(|b| b.val()))
    }

    /// One power-iteration step (after an update of the weight).
    pub fn advance(&mut self) {
        let w = self.linear.weight.val();
        if let Some(u) = &mut self.u {
            *u = fixed(spectral::sigma(w, &u.val()).1);
        }
    }
}
