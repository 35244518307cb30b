//! The `[task]` section of a preset: which game the two networks play.
//!
//! `generate` (the default, so presets written before tasks existed keep their meaning) is
//! the classic game: G maps noise, and a class for a conditional model, to a sample, and D
//! judges samples. `translate` is pix2pix's game (Isola et al. 2017): G maps a source image A
//! to a target B, D judges pairs (A, B) patch by patch, and G's loss adds λ·‖G(A) − B‖₁. Each
//! part of its objective can be switched off, so the paper's ablation can be run as presets.
//! `upscale` is SRGAN's game: a low-resolution image to its full-resolution original.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum TaskSpec {
    /// Noise (+ class) → sample.
    #[default]
    Generate,
    /// Image → image, on a paired data set.
    Translate {
        /// λ of the L1 term (0 = no L1 term). The paper uses 100.
        #[serde(default = "default_l1_weight")]
        l1_weight: f32,
        /// Whether G's loss has the adversarial term (false = the paper's "L1 only": D still
        /// trains and is plotted, but G does not listen to it).
        #[serde(default = "default_true")]
        adversarial: bool,
        /// Whether D sees the source image beside the image it judges (false = the paper's
        /// unconditional "GAN" variant).
        #[serde(default = "default_true")]
        conditional_d: bool,
    },
    /// Super-resolution (SRGAN, Ledig et al. 2017): G maps a low-resolution image, made from
    /// the data set's image by bicubic shrinking (`data::resample`), back to the full size;
    /// D judges full-size images. G's loss is the pixel MSE (the content loss) plus
    /// `adversarial_weight` × the adversarial loss once `warmup_steps` have passed: the first
    /// phase trains SRResNet, the second SRGAN from it.
    Upscale {
        /// The factor between the low- and the full-resolution image: 2 or 4.
        #[serde(default = "default_scale")]
        scale: usize,
        /// Steps of the MSE-only phase (SRResNet) before the adversarial term joins.
        #[serde(default = "default_warmup")]
        warmup_steps: u64,
        /// Weight of the adversarial term in phase two (the paper: 10⁻³).
        #[serde(default = "default_adversarial_weight")]
        adversarial_weight: f32,
        /// false = SRResNet alone: the adversarial term never joins (D still trains and is
        /// plotted), the baseline SRGAN is compared with.
        #[serde(default = "default_true")]
        adversarial: bool,
        /// G's content loss in phase two: the pixel MSE, or D's features (see [`Content`]).
        #[serde(default)]
        content: Content,
    },
}

/// The content loss of the upscale task's second phase (the first is always SRResNet's
/// pixel MSE: SRGAN starts from the MSE-trained network, as in the paper). SRGAN's is the
/// distance of VGG features; no VGG weights exist offline, so the feature loss here goes
/// through the one network every run trains itself: D (a learned similarity, as in Larsen et
/// al. 2016's VAE/GAN). Its features are the output of D's second convolution, before that
/// layer's normalisation (2·base channels at a quarter of the image's side); D is a constant
/// of G's update, and the squared difference is taken relative to the originals' features'
/// mean square (D's features change scale as it trains).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Content {
    /// Pixel MSE (the paper's SRGAN-MSE and SRResNet-MSE).
    #[default]
    Mse,
    /// MSE of D's features: D's second convolution.
    Features,
}

impl Content {
    /// The name of G's loss term, as `metrics.jsonl` and the plots show it.
    pub fn term(self) -> &'static str {
        match self {
            Content::Mse => "mse",
            Content::Features => "features",
        }
    }

    /// What the term is, for captions and summaries.
    pub fn label(self) -> &'static str {
        match self {
            Content::Mse => "pixel MSE",
            Content::Features => "D-feature MSE (D's conv 2)",
        }
    }
}

fn default_l1_weight() -> f32 {
    100.0
}
fn default_true() -> bool {
    true
}
fn default_scale() -> usize {
    4
}
fn default_warmup() -> u64 {
    1000
}
fn default_adversarial_weight() -> f32 {
    1e-3
}

impl TaskSpec {
    /// What is wrong with these settings, if anything.
    pub fn problem(&self) -> Option<String> {
        match *self {
            TaskSpec::Generate => None,
            TaskSpec::Translate {
                l1_weight,
                adversarial,
                ..
            } => {
                if !(l1_weight.is_finite() && (0.0..=10_000.0).contains(&l1_weight)) {
                    return Some(format!("l1_weight {l1_weight} is not in [0, 10000]"));
                }
                if l1_weight == 0.0 && !adversarial {
                    return Some(
                        "with l1_weight = 0 and adversarial = false G's loss would be empty".into(),
                    );
                }
                None
            }
            TaskSpec::Upscale {
                scale,
                warmup_steps,
                adversarial_weight,
                adversarial,
                content,
            } => {
                if scale != 2 && scale != 4 {
                    return Some(format!("upscale scale {scale} is not 2 or 4"));
                }
                if warmup_steps > 10_000_000 {
                    return Some(format!("warmup_steps {warmup_steps} is over 10 000 000"));
                }
                if content == Content::Features && !adversarial {
                    return Some(
                        "content = \"features\" is the content loss of phase two, and with \
                         adversarial = false there is none: use content = \"mse\""
                            .into(),
                    );
                }
                if !(adversarial_weight.is_finite() && adversarial_weight > 0.0)
                    || adversarial_weight > 1.0
                {
                    return Some(format!(
                        "adversarial_weight {adversarial_weight} is not in (0, 1]"
                    ));
                }
                None
            }
        }
    }

    /// The weight of G's adversarial term at `step` (0: G does not listen to D).
    pub fn adversarial_weight(&self, step: u64) -> f32 {
        match *self {
            TaskSpec::Generate => 1.0,
            TaskSpec::Translate { adversarial, .. } => f32::from(u8::from(adversarial)),
            TaskSpec::Upscale {
                warmup_steps,
                adversarial_weight,
                adversarial,
                ..
            } => {
                if adversarial && step >= warmup_steps {
                    adversarial_weight
                } else {
                    0.0
                }
            }
        }
    }

    /// A short name for logs and the preset summary.
    pub fn label(&self) -> &'static str {
        match self {
            TaskSpec::Generate => "generate",
            TaskSpec::Translate { .. } => "translate",
            TaskSpec::Upscale { .. } => "upscale",
        }
    }
}
