//! GAN losses on discriminator logits.
//!
//! The non-saturating loss (Goodfellow et al. 2014, §3): D minimises
//! −log σ(D(x)) − log(1 − σ(D(G(z)))), G minimises −log σ(D(G(z))). Written with log-sigmoid,
//! using 1 − σ(t) = σ(−t), so large logits cannot overflow.

use burn::prelude::*;
use burn::tensor::activation::log_sigmoid;

/// Discriminator loss: real logits pushed up, fake logits pushed down. Returns a [1] tensor.
pub fn discriminator(real_logits: Tensor<2>, fake_logits: Tensor<2>) -> Tensor<1> {
    -(log_sigmoid(real_logits).mean() + log_sigmoid(-fake_logits).mean())
}

/// Non-saturating generator loss. Returns a [1] tensor.
pub fn generator(fake_logits: Tensor<2>) -> Tensor<1> {
    -log_sigmoid(fake_logits).mean()
}
