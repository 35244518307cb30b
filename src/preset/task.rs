//! The `[task]` section of a preset: which game the two networks play.
//!
//! `generate` (the default, so presets written before tasks existed keep their meaning) is
//! the classic game: G maps noise, and a class for a conditional model, to a sample, and D
//! judges samples. `translate` is pix2pix's game (Isola et al. 2017): G maps a source image A
//! to a target B, D judges pairs (A, B) patch by patch, and G's loss adds λ·‖G(A) − B‖₁. Each
//! part of its objective can be switched off, so the paper's ablation can be run as presets.

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
}

fn default_l1_weight() -> f32 {
    100.0
}
fn default_true() -> bool {
    true
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
        }
    }

    /// A short name for logs and the preset summary.
    pub fn label(&self) -> &'static str {
        match self {
            TaskSpec::Generate => "generate",
            TaskSpec::Translate { .. } => "translate",
        }
    }
}
