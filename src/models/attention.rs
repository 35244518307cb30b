//! Multi-head self-attention for the transformer family (TransGAN's G, ViTGAN's D): the
//! first step of that family, with ViTGAN's **L2 attention** beside the usual dot product.
//!
//! Dot-product attention: logits qᵢ·kⱼ / √d with separate query and key weights. Its
//! Lipschitz constant is unbounded, which lets a ViT discriminator's gradient explode; Kim et
//! al. 2021 (and ViTGAN after them) replace it with logits −‖qᵢ − kⱼ‖² / √d where the query
//! and key weights are **the same matrix** (tied): with separate weights the L2 form is not
//! Lipschitz either. The sign matters: a logit is minus a squared distance, so with tied
//! weights every token's largest logit is its own (distance 0).
//!
//! Shapes: tokens [batch, tokens, dim]; `heads` heads of `dim / heads` each; the attention
//! weights are returned too ([batch, heads, tokens, tokens], rows summing to 1) for the
//! attention view.

use super::norm_linear::{NormLinear, Normalisation};
use burn::nn::{LayerNorm, LayerNormConfig};
use burn::prelude::*;
use burn::tensor::activation::{gelu, softmax};

/// Which attention logits a layer computes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttentionKind {
    /// qᵢ·kⱼ / √d, separate query and key weights.
    #[default]
    Dot,
    /// −‖qᵢ − kⱼ‖² / √d, query and key weights tied (ViTGAN).
    L2,
}

#[derive(Module, Debug)]
pub struct SelfAttention {
    query: NormLinear,
    /// Separate key weights (dot-product attention); `None` when tied to the query's.
    key: Option<NormLinear>,
    value: NormLinear,
    out: NormLinear,
    heads: usize,
}

/// Logits of queries `q` and keys `k` ([batch, heads, tokens, d]) for `kind`, scaled by
/// 1/√d: [batch, heads, tokens (queries), tokens (keys)].
pub fn logits(q: Tensor<4>, k: Tensor<4>, kind: AttentionKind) -> Tensor<4> {
    let d = q.dims()[3];
    let scale = 1.0 / (d as f64).sqrt();
    let dot = q.clone().matmul(k.clone().swap_dims(2, 3));
    match kind {
        AttentionKind::Dot => dot.mul_scalar(scale),
        AttentionKind::L2 => {
            // ‖q − k‖² = ‖q‖² + ‖k‖² − 2 q·k, as [.., tokens, 1] + [.., 1, tokens] − 2 dot.
            let qq = (q.clone() * q).sum_dim(3);
            let kk = (k.clone() * k).sum_dim(3).swap_dims(2, 3);
            (qq + kk - dot.mul_scalar(2.0)).mul_scalar(-scale)
        }
    }
}

impl SelfAttention {
    /// A layer over tokens of `dim` features with `heads` heads (`heads` divides `dim`),
    /// its weights normalised as `norm` says.
    pub fn new(
        dim: usize,
        heads: usize,
        kind: AttentionKind,
        norm: Normalisation,
        device: &Device,
    ) -> SelfAttention {
        assert!(
            heads > 0 && dim.is_multiple_of(heads),
            "{heads} heads of {dim}"
        );
        let linear = || NormLinear::new(dim, dim, false, norm, device);
        SelfAttention {
            query: linear(),
            key: (kind == AttentionKind::Dot).then(linear),
            value: linear(),
            out: linear(),
            heads,
        }
    }

    /// Dot product or L2 (tied query and key weights).
    pub fn kind(&self) -> AttentionKind {
        match self.key {
            Some(_) => AttentionKind::Dot,
            None => AttentionKind::L2,
        }
    }

    /// The query, key, value and output weights as used ([dim in, dim out] each; the key's
    /// is the query's own when tied).
    pub fn weights(&self) -> [Tensor<2>; 4] {
        let key = self.key.as_ref().unwrap_or(&self.query);
        [&self.query, key, &self.value, &self.out].map(NormLinear::weight)
    }

    /// Its normalised layers, to advance their power iterations.
    fn layers_mut(&mut self) -> impl Iterator<Item = &mut NormLinear> {
        [&mut self.query, &mut self.value, &mut self.out]
            .into_iter()
            .chain(self.key.as_mut())
    }

    /// [batch, tokens, dim] split into heads: [batch, heads, tokens, dim / heads].
    fn split(&self, x: Tensor<3>) -> Tensor<4> {
        let [b, t, d] = x.dims();
        x.reshape([b, t, self.heads, d / self.heads])
            .swap_dims(1, 2)
    }

    /// `x` [batch, tokens, dim] → (the attended tokens [batch, tokens, dim], the attention
    /// weights [batch, heads, tokens, tokens]).
    pub fn forward(&self, x: Tensor<3>) -> (Tensor<3>, Tensor<4>) {
        let [b, t, d] = x.dims();
        let q = self.split(self.query.forward(x.clone()));
        let k = match &self.key {
            Some(key) => self.split(key.forward(x.clone())),
            None => q.clone(),
        };
        let v = self.split(self.value.forward(x));
        let weights = softmax(logits(q, k, self.kind()), 3);
        let mixed = weights.clone().matmul(v).swap_dims(1, 2).reshape([b, t, d]);
        (self.out.forward(mixed), weights)
    }
}

/// A pre-LayerNorm transformer block: x + attention(LN(x)), then x + MLP(LN(x)) with a GELU
/// hidden layer of 4× the width.
#[derive(Module, Debug)]
pub struct TransformerBlock {
    norm1: LayerNorm,
    attention: SelfAttention,
    norm2: LayerNorm,
    hidden: NormLinear,
    out: NormLinear,
}

impl TransformerBlock {
    pub fn new(
        dim: usize,
        heads: usize,
        kind: AttentionKind,
        norm: Normalisation,
        device: &Device,
    ) -> TransformerBlock {
        TransformerBlock {
            norm1: LayerNormConfig::new(dim).init(device),
            attention: SelfAttention::new(dim, heads, kind, norm, device),
            norm2: LayerNormConfig::new(dim).init(device),
            hidden: NormLinear::new(dim, 4 * dim, true, norm, device),
            out: NormLinear::new(4 * dim, dim, true, norm, device),
        }
    }

    /// Tokens [batch, tokens, dim] → (the same, transformed; the attention weights).
    pub fn forward(&self, x: Tensor<3>) -> (Tensor<3>, Tensor<4>) {
        let (attended, weights) = self.attention.forward(self.norm1.forward(x.clone()));
        let x = x + attended;
        let h = gelu(self.hidden.forward(self.norm2.forward(x.clone())));
        (x + self.out.forward(h), weights)
    }

    /// Advance every normalised layer's power iteration by one step.
    pub fn advance_spectral(&mut self) {
        self.hidden.advance();
        self.out.advance();
        self.attention.layers_mut().for_each(NormLinear::advance);
    }
}
