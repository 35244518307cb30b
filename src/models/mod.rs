//! Model families. A matched pair (MLP, DCGAN) is one file with its generator and
//! discriminator, built from a preset's [`ModelSpec`](crate::preset::ModelSpec); a family of one network (the U-Net G,
//! the PatchGAN D) is one file, built from `[generator]` or `[discriminator]`. `build`
//! turns a preset into G and D.
//!
//! Every network speaks in flattened rows: G maps its input [batch, inputs] to samples
//! [batch, features], and D maps what it judges [batch, features] to logits [batch, verdicts]
//! (one per image, or a map of them for a PatchGAN; losses average over all of them),
//! reshaping internally. G's input is what the task hands it: z for the latent families, a
//! source image followed by dropout draws for the U-Net. That keeps the trainer
//! family-agnostic; class labels, when a pair is conditional, come alongside.

pub mod activation;
pub mod attention;
mod build;
pub mod critic;
pub mod dcgan;
pub mod estimate;
pub mod mlp;
pub mod norm_linear;
pub mod patch;
pub mod progan;
pub mod progressive;
pub mod spectral;
pub mod srresnet;
pub mod transgan;
pub mod unet;
pub mod vit;

use burn::nn::{Embedding, EmbeddingConfig, Initializer};
use burn::prelude::*;

/// Guards the backend's random generator while a model is built (see [`seeded`]).
static INITIALISING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Build a model with `build` from weights drawn under `seed`. Initialisers draw from the
/// backend's random generator, which is one per process: every model in ganscope is built
/// through here, under one lock, right after seeding that generator, so a build on another
/// thread (another run, the reference classifier, a parallel test) cannot take numbers from
/// the middle of this one's sequence. A run's initial weights are then a function of its seed
/// (on a given backend), as its noise and data are.
///
/// burn initialises parameters lazily, at their first use, so the draws are forced here, in
/// the module's own order, while the lock is held.
pub fn seeded<T: Module>(device: &Device, seed: u64, build: impl FnOnce() -> T) -> T {
    let built: Result<T, std::convert::Infallible> = try_seeded(device, seed, || Ok(build()));
    match built {
        Ok(model) => model,
        Err(never) => match never {},
    }
}

/// [`seeded`] for a build that may refuse.
pub fn try_seeded<T: Module, E>(
    device: &Device,
    seed: u64,
    build: impl FnOnce() -> Result<T, E>,
) -> Result<T, E> {
    let _guard = INITIALISING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    device.seed(seed);
    let built = build()?;
    built.visit(&mut Materialise);
    Ok(built)
}

/// Draws from the backend's generator under `seed` while holding the same lock as
/// [`seeded`], so no other thread's draws (another test's) land in the middle.
#[cfg(test)]
pub(crate) fn seeded_draws<T>(device: &Device, seed: u64, draw: impl FnOnce() -> T) -> T {
    let _guard = INITIALISING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    device.seed(seed);
    draw()
}

/// Visits every parameter, which draws a lazily initialised one's values.
struct Materialise;

impl burn::module::ModuleVisitor for Materialise {
    fn visit_float<const D: usize>(&mut self, param: &burn::module::Param<Tensor<D>>) {
        let _ = param.val();
    }

    fn visit_int<const D: usize>(&mut self, param: &burn::module::Param<Tensor<D, Int>>) {
        let _ = param.val();
    }

    fn visit_bool<const D: usize>(&mut self, param: &burn::module::Param<Tensor<D, Bool>>) {
        let _ = param.val();
    }
}

/// Width of a class label's embedding in a conditional G.
pub const LABEL_EMBEDDING: usize = 16;

/// PixelShuffle by `factor`: [B, C·r², H, W] → [B, C, H·r, W·r], channel c·r² + i·r + j
/// becoming sub-pixel (i, j) of map c, exactly as burn's `nn::PixelShuffle`. Written with
/// three transpositions of a 5-D view rather than burn's one 6-D permutation: burn-remote
/// 0.22's server replays a cached graph holding that permutation as an integer one and stops
/// the session ("Expected int handle, got float"), so the super-resolution and transformer
/// families could not train on a remote device.
pub fn pixel_shuffle(x: Tensor<4>, factor: usize) -> Tensor<4> {
    let [b, c, h, w] = x.dims();
    let (r, maps) = (factor, c / (factor * factor));
    // [B·C, i, j, H, W] → [B·C, H, i, W, j].
    x.reshape([b * maps, r, r, h, w])
        .swap_dims(1, 3)
        .swap_dims(2, 3)
        .swap_dims(3, 4)
        .reshape([b, maps, h * r, w * r])
}

/// Class labels as the models take them.
pub fn label_tensor(labels: &[u32], device: &Device) -> Tensor<1, Int> {
    let values: Vec<i64> = labels.iter().map(|&l| i64::from(l)).collect();
    Tensor::from_data(TensorData::new(values, [labels.len()]), device)
}

/// A label embedding of `width` for a conditional model (`classes` set), else none: N(0, 1)
/// entries for G's input (on the scale of z), N(0, 0.02²) for a projection discriminator (as
/// DCGAN initialises weights: its term sums over D's widest features, and unit entries would
/// start the logits near ±100).
fn embedding(
    classes: Option<usize>,
    width: usize,
    role: EmbeddingRole,
    device: &Device,
) -> Option<Embedding> {
    let initializer = match role {
        EmbeddingRole::Input => Initializer::Normal {
            mean: 0.0,
            std: 1.0,
        },
        EmbeddingRole::Projection => Initializer::Normal {
            mean: 0.0,
            std: 0.02,
        },
    };
    classes.map(|k| {
        EmbeddingConfig::new(k, width)
            .with_initializer(initializer)
            .init(device)
    })
}

/// Where a label embedding goes.
#[derive(Clone, Copy)]
enum EmbeddingRole {
    /// Appended to G's z.
    Input,
    /// A projection discriminator's class vectors.
    Projection,
}

/// The labels' embeddings, [batch, width]; a conditional model asked without labels gets
/// class 0.
fn embed(
    embedding: &Embedding,
    labels: Option<&Tensor<1, Int>>,
    batch: usize,
    device: &Device,
) -> Tensor<2> {
    let labels = labels
        .cloned()
        .unwrap_or_else(|| Tensor::zeros([batch], device));
    let width = embedding.weight.dims()[1];
    embedding
        .forward(labels.reshape([batch, 1]))
        .reshape([batch, width])
}

/// `z` with the label's embedding appended (conditional G), or `z` itself.
pub fn with_label(
    z: Tensor<2>,
    embedding: &Option<Embedding>,
    labels: Option<&Tensor<1, Int>>,
) -> Tensor<2> {
    match embedding {
        Some(e) => {
            let [batch, _] = z.dims();
            let device = z.device();
            Tensor::cat(vec![z, embed(e, labels, batch, &device)], 1)
        }
        None => z,
    }
}

/// The projection discriminator's label embeddings for D's last features
/// ([batch, width]), when D is conditional.
pub fn projection(
    embedding: &Option<Embedding>,
    labels: Option<&Tensor<1, Int>>,
    batch: usize,
    device: &Device,
) -> Option<Tensor<2>> {
    embedding.as_ref().map(|e| embed(e, labels, batch, device))
}

// A run holds one G (and a snapshot or two), never a collection: the variants' sizes do not
// matter, and burn's `Module` has no implementation for a boxed variant.
pub use build::build;

#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Generator {
    Mlp(mlp::MlpGenerator),
    Dcgan(dcgan::DcganGenerator),
    Unet(unet::UnetGenerator),
    Srresnet(srresnet::SrResNet),
    Transformer(transgan::TransformerGenerator),
    Progressive(progan::ProGenerator),
}

#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Discriminator {
    Mlp(mlp::MlpDiscriminator),
    Dcgan(dcgan::DcganDiscriminator),
    Patch(patch::PatchDiscriminator),
    Vit(vit::VitDiscriminator),
    Progressive(progan::ProDiscriminator),
}

impl Generator {
    /// Uniform draws G takes after its source image (the U-Net's dropout); 0 for the latent
    /// families.
    pub fn noise_width(&self) -> usize {
        match self {
            Generator::Unet(g) => g.noise_width(),
            Generator::Mlp(_)
            | Generator::Dcgan(_)
            | Generator::Srresnet(_)
            | Generator::Transformer(_)
            | Generator::Progressive(_) => 0,
        }
    }

    /// `z`: [batch, latent] (and, for a conditional G, the class labels) → samples
    /// [batch, features].
    pub fn forward(&self, z: Tensor<2>, labels: Option<&Tensor<1, Int>>) -> Tensor<2> {
        match self {
            Generator::Mlp(g) => g.forward(z, labels),
            Generator::Dcgan(g) => g.forward(z, labels),
            Generator::Unet(g) => g.forward(z),
            Generator::Srresnet(g) => g.forward(z),
            Generator::Transformer(g) => g.forward(z),
            Generator::Progressive(g) => g.forward(z),
        }
    }

    /// G as it behaves in training (BatchNorm on this batch's statistics), without changing
    /// any state: for sample views of a batch of latent vectors.
    pub fn sample(&self, z: Tensor<2>, labels: Option<&Tensor<1, Int>>) -> Tensor<2> {
        match self {
            Generator::Mlp(g) => g.forward(z, labels),
            Generator::Dcgan(g) => g.sample(z, labels),
            Generator::Unet(g) => g.forward(z),
            Generator::Srresnet(g) => g.forward(z),
            Generator::Transformer(g) => g.forward(z),
            Generator::Progressive(g) => g.forward(z),
        }
    }

    /// A copy of G (without autodiff) for inference on batches of any size, one included;
    /// normalisation layers use statistics measured on the `reference` latents (and labels).
    /// See [`dcgan::DcganGenerator::calibrated`].
    pub fn calibrated(&self, reference: Tensor<2>, labels: Option<&Tensor<1, Int>>) -> Generator {
        match self {
            Generator::Mlp(g) => Generator::Mlp(g.clone()),
            Generator::Dcgan(g) => Generator::Dcgan(g.calibrated(reference, labels)),
            // Instance normalisation needs no reference; SRResNet has no normalisation.
            Generator::Unet(g) => Generator::Unet(g.clone()),
            Generator::Srresnet(g) => Generator::Srresnet(g.clone()),
            // LayerNorm normalises each token alone: nothing to calibrate.
            Generator::Transformer(g) => Generator::Transformer(g.clone()),
            // PixelNorm normalises each pixel of each sample alone.
            Generator::Progressive(g) => Generator::Progressive(g.clone()),
        }
    }

    /// The stage a growing G draws at (`None` for the families that do not grow).
    pub fn stage(&self) -> Option<progressive::Stage> {
        match self {
            Generator::Progressive(g) => Some(g.stage()),
            _ => None,
        }
    }

    /// Draw at `stage` from now on (a growing G; no-op for the others).
    pub fn set_stage(&mut self, stage: progressive::Stage) {
        if let Generator::Progressive(g) = self {
            g.set_stage(stage);
        }
    }

    /// Take the stage saved with the weights, after loading them from a file without the
    /// run's step (a growing G; no-op for the others).
    pub fn restage(&mut self) {
        if let Generator::Progressive(g) = self {
            g.restage();
        }
    }
}

/// Why a DCGAN D with BatchNorm has no input gradient per sample.
const BATCH_NORM_MIXES: &str = "D's BatchNorm layers mix the samples of a batch, so its \
                                gradient per sample cannot be formed: use a DCGAN with \
                                d_batch_norm = false";

/// Why the PatchGAN takes no gradient penalty.
const PATCH_SCORES: &str = "the PatchGAN's instance normalisation is not differentiated per \
                            sample here: no gradient penalty for it";

/// How a gradient penalty gets D's input gradient.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GradientSource {
    /// The family's adjoint: exact (see [`critic`]).
    Exact,
    /// Finite differences along random directions (see [`estimate`]).
    Estimated,
}

impl Discriminator {
    /// Samples [batch, features] (packed: [batch / pack, pack · features]) → logits
    /// [batch, 1].
    pub fn forward(&self, x: Tensor<2>, labels: Option<&Tensor<1, Int>>) -> Tensor<2> {
        match self {
            Discriminator::Mlp(d) => d.forward(x, labels),
            Discriminator::Dcgan(d) => d.forward(x, labels),
            Discriminator::Patch(d) => d.forward(x),
            Discriminator::Vit(d) => d.forward(x),
            Discriminator::Progressive(d) => d.forward(x),
        }
    }

    /// D as it behaves in training (BatchNorm on this batch's statistics), without changing
    /// any state: for diagnostics that must agree with the D(x) and D(G(z)) of the steps.
    pub fn judge(&self, x: Tensor<2>, labels: Option<&Tensor<1, Int>>) -> Tensor<2> {
        match self {
            Discriminator::Mlp(d) => d.forward(x, labels),
            Discriminator::Dcgan(d) => d.judge(x, labels),
            Discriminator::Patch(d) => d.forward(x),
            Discriminator::Vit(d) => d.forward(x),
            Discriminator::Progressive(d) => d.forward(x),
        }
    }

    /// The features the upscale task's feature loss compares (see
    /// [`PatchDiscriminator::features`](patch::PatchDiscriminator::features)); `None` for the
    /// families that have no such layer named.
    pub fn features(&self, x: Tensor<2>) -> Option<Tensor<2>> {
        match self {
            Discriminator::Patch(d) => Some(d.features(x)),
            Discriminator::Mlp(_)
            | Discriminator::Dcgan(_)
            | Discriminator::Vit(_)
            | Discriminator::Progressive(_) => None,
        }
    }

    /// The class token's attention over the tokens in the last block, [batch, heads, 1 +
    /// patches] (the class token first), and the patches per side, for a ViT D; `None` for
    /// the families without attention.
    pub fn class_attention(&self, x: Tensor<2>) -> Option<(Tensor<3>, usize)> {
        match self {
            Discriminator::Vit(d) => Some((d.judge_with_attention(x).1, d.grid())),
            _ => None,
        }
    }

    /// ∂D(x)/∂x per sample, shaped like `x`, as differentiable operations on D's weights
    /// (see [`critic`]); an error naming the layer that prevents it.
    pub fn input_gradient(
        &self,
        x: Tensor<2>,
        labels: Option<&Tensor<1, Int>>,
    ) -> Result<Tensor<2>, String> {
        match self {
            Discriminator::Mlp(d) => Ok(d.input_gradient(x, labels)),
            Discriminator::Dcgan(d) if d.has_batch_norm() => Err(BATCH_NORM_MIXES.into()),
            Discriminator::Dcgan(d) => Ok(d.input_gradient(x, labels)),
            Discriminator::Patch(_) => Err(PATCH_SCORES.into()),
            Discriminator::Vit(_) => Err(
                "the ViT discriminator's attention and LayerNorm have no input-gradient adjoint: \
                 its penalty is estimated (see `models::estimate`)"
                    .into(),
            ),
            // Summed over the batch: minibatch stddev couples a group's samples (see
            // `progan::ProDiscriminator::input_gradient`).
            Discriminator::Progressive(d) => Ok(d.input_gradient(x)),
        }
    }

    /// How a gradient penalty gets this D's input gradient: its exact adjoint, an
    /// estimate by finite differences ([`estimate`], for the ViT, which has no adjoint), or
    /// not at all (BatchNorm mixes a batch's samples; the PatchGAN: the reason).
    pub fn gradient_source(&self) -> Result<GradientSource, String> {
        match self {
            Discriminator::Vit(_) => Ok(GradientSource::Estimated),
            Discriminator::Dcgan(d) if d.has_batch_norm() => Err(BATCH_NORM_MIXES.into()),
            Discriminator::Patch(_) => Err(PATCH_SCORES.into()),
            _ => Ok(GradientSource::Exact),
        }
    }

    /// Draw at `stage` from now on (a growing D; no-op for the others).
    pub fn set_stage(&mut self, stage: progressive::Stage) {
        if let Discriminator::Progressive(d) = self {
            d.set_stage(stage);
        }
    }

    /// Advance the power iteration of spectral normalisation (no-op without it).
    pub fn advance_spectral(&mut self) {
        match self {
            Discriminator::Mlp(d) => d.advance_spectral(),
            Discriminator::Dcgan(d) => d.advance_spectral(),
            Discriminator::Patch(_) => {}
            Discriminator::Vit(d) => d.advance_spectral(),
            Discriminator::Progressive(_) => {}
        }
    }
}
