//! What the attention view of a ViT discriminator carries from the engine to the app.

use super::RgbaImage;
use serde::Serialize;

/// Where a ViT discriminator's class token looks, in its last block: for the first few
/// fixed-latent samples and a few real images, each head's attention over the patches, and
/// over the measurement's generated samples the mean entropy of that attention per head.
/// `metrics.jsonl` keeps the entropies; the maps go to the app only.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Attention {
    /// Mean entropy in nats of the class token's attention over all tokens (itself
    /// included), per head.
    pub entropy: Vec<f32>,
    /// The entropy of attention spread evenly over every token: ln(tokens).
    pub uniform_entropy: f32,
    /// Patches per side of the image.
    #[serde(skip)]
    pub grid: usize,
    #[serde(skip)]
    pub samples: Vec<AttendedSample>,
}

/// One image and where D's class token looks in it.
#[derive(Clone, Debug, PartialEq)]
pub struct AttendedSample {
    /// "sample 3" (fixed latent 3) or "real 1".
    pub label: String,
    pub image: RgbaImage,
    /// Per head, the weights on the grid² patches in row order (they and `to_class` sum to
    /// one).
    pub heads: Vec<Vec<f32>>,
    /// Per head, the weight the class token gives itself.
    pub to_class: Vec<f32>,
}
