//! The `[game]` section of a preset: the objective the two networks play (loss, penalty on
//! D's input gradient, weight clipping) and the stabilisers (spectral normalisation of D, label
//! smoothing, instance noise, an EMA of G, PacGAN packing). Every field has a default, so a
//! preset without the section is the plain non-saturating GAN.
//!
//! [`Balance`] is the part that may change while a run trains (applied at the next step).

use serde::{Deserialize, Serialize};

/// What G and D minimise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossKind {
    /// The original minimax game: G minimises log(1 − σ(D(G(z)))), which saturates early.
    Minimax,
    /// G maximises log σ(D(G(z))) instead (Goodfellow et al. 2014, §3).
    #[default]
    NonSaturating,
    /// Least squares on D's output (LSGAN, Mao et al. 2017): targets 1 for real, 0 for fake.
    LeastSquares,
    /// Hinge loss (Lim & Ye 2017; Miyato et al. 2018).
    Hinge,
    /// The Wasserstein critic (Arjovsky et al. 2017): D maximises D(x) − D(G(z)).
    Wasserstein,
}

impl LossKind {
    pub const ALL: [LossKind; 5] = [
        LossKind::Minimax,
        LossKind::NonSaturating,
        LossKind::LeastSquares,
        LossKind::Hinge,
        LossKind::Wasserstein,
    ];

    pub fn label(self) -> &'static str {
        match self {
            LossKind::Minimax => "minimax",
            LossKind::NonSaturating => "non-saturating",
            LossKind::LeastSquares => "least squares",
            LossKind::Hinge => "hinge",
            LossKind::Wasserstein => "Wasserstein",
        }
    }

    /// Whether D's output is a logit (shown as a probability); otherwise it is a score.
    pub fn is_logistic(self) -> bool {
        matches!(self, LossKind::Minimax | LossKind::NonSaturating)
    }
}

/// A penalty on the norm of D's gradient with respect to its input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PenaltyKind {
    #[default]
    None,
    /// WGAN-GP (Gulrajani et al. 2017): λ·E[(‖∇D(x̂)‖ − 1)²] on random interpolates x̂
    /// between real and generated samples.
    Gradient,
    /// R1 (Mescheder et al. 2018): λ/2·E[‖∇D(x)‖²] on real samples.
    R1,
}

impl PenaltyKind {
    pub const ALL: [PenaltyKind; 3] = [PenaltyKind::None, PenaltyKind::Gradient, PenaltyKind::R1];

    pub fn label(self) -> &'static str {
        match self {
            PenaltyKind::None => "none",
            PenaltyKind::Gradient => "gradient penalty (WGAN-GP)",
            PenaltyKind::R1 => "R1",
        }
    }
}

/// The optimizer of both networks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerKind {
    #[default]
    Adam,
    /// RMSProp, as the weight-clipped WGAN paper uses (momentum-free optimisers suit its
    /// critic).
    Rmsprop,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GameSpec {
    pub loss: LossKind,
    pub penalty: PenaltyKind,
    /// λ of the penalty.
    pub penalty_weight: f32,
    /// Clip every weight of D into [−clip, clip] after each of its updates (0 = off); the
    /// original WGAN uses 0.01.
    pub clip: f32,
    pub optimizer: OptimizerKind,
    /// Normalise D's linear and convolution weights by their largest singular value (power
    /// iteration, one step per update; Miyato et al. 2018).
    pub spectral_norm: bool,
    /// One-sided label smoothing: D's target for real samples is 1 − this (logistic and
    /// least-squares losses).
    pub label_smoothing: f32,
    /// Standard deviation of Gaussian noise added to every input D sees, annealed linearly to
    /// zero over `instance_noise_steps` (0 = off).
    pub instance_noise: f32,
    pub instance_noise_steps: u64,
    /// Decay of an exponential moving average of G's weights, used for samples (0 = off;
    /// e.g. 0.999).
    pub ema: f32,
    /// PacGAN: D judges `pack` samples at once, concatenated (1 = off).
    pub pack: usize,
    /// Mode seeking (MSGAN, Mao et al. 2019): G also minimises λ / (mean |G(z₁) − G(z₂)| /
    /// mean |z₁ − z₂|) over pairs of latents of the same class, so it cannot ignore z (the
    /// within-class collapse conditional GANs are prone to). 0 = off.
    pub mode_seeking: f32,
    /// DiffAugment: translation and cutout on every image D sees, real and generated, in
    /// both updates (see `engine::trainer::augment`).
    pub diff_augment: bool,
    /// ProGAN's drift term: D's loss adds this times the mean square of its scores on real
    /// samples, so a Wasserstein critic's scores cannot drift far from zero (0 = off; ProGAN
    /// uses 0.001).
    pub drift: f32,
}

impl Default for GameSpec {
    fn default() -> Self {
        GameSpec {
            loss: LossKind::default(),
            penalty: PenaltyKind::default(),
            penalty_weight: 10.0,
            clip: 0.0,
            optimizer: OptimizerKind::default(),
            spectral_norm: false,
            label_smoothing: 0.0,
            instance_noise: 0.0,
            instance_noise_steps: 0,
            ema: 0.0,
            pack: 1,
            mode_seeking: 0.0,
            diff_augment: false,
            drift: 0.0,
        }
    }
}

impl GameSpec {
    /// What is wrong with these settings, if anything.
    pub fn problem(&self) -> Option<String> {
        let g = self;
        // The papers use 1 to 10; past 1000 the penalty is all D learns.
        if !(g.penalty_weight.is_finite() && (0.0..=1000.0).contains(&g.penalty_weight)) {
            return Some(format!(
                "penalty_weight {} is not in [0, 1000]",
                g.penalty_weight
            ));
        }
        if !(g.clip.is_finite() && (0.0..=10.0).contains(&g.clip)) {
            return Some(format!("clip {} is not in [0, 10]", g.clip));
        }
        if !(0.0..0.5).contains(&g.label_smoothing) {
            return Some(format!(
                "label_smoothing {} is not in [0, 0.5)",
                g.label_smoothing
            ));
        }
        if !(g.instance_noise.is_finite() && (0.0..=10.0).contains(&g.instance_noise)) {
            return Some(format!(
                "instance_noise {} is not in [0, 10]",
                g.instance_noise
            ));
        }
        if g.instance_noise > 0.0 && g.instance_noise_steps == 0 {
            return Some(
                "instance_noise is set but instance_noise_steps is 0, so it would anneal away \
                 before the first step: give the steps it lasts"
                    .into(),
            );
        }
        if !(0.0..1.0).contains(&g.ema) {
            return Some(format!("ema {} is not in [0, 1)", g.ema));
        }
        if !(g.mode_seeking.is_finite() && g.mode_seeking >= 0.0) {
            return Some(format!("mode_seeking {} must be >= 0", g.mode_seeking));
        }
        if !(g.drift.is_finite() && (0.0..=1.0).contains(&g.drift)) {
            return Some(format!("drift {} is not in [0, 1]", g.drift));
        }
        if g.pack == 0 || g.pack > 16 {
            return Some(format!("pack {} is not in 1..=16", g.pack));
        }
        None
    }

    /// D's input noise at `step`.
    pub fn noise_at(&self, step: u64) -> f32 {
        if self.instance_noise == 0.0 || step >= self.instance_noise_steps {
            return 0.0;
        }
        self.instance_noise * (1.0 - step as f32 / self.instance_noise_steps as f32)
    }
}

/// The settings a user may change while a run trains; they apply from the next step.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Balance {
    pub lr_g: f64,
    pub lr_d: f64,
    pub d_steps: usize,
    pub loss: LossKind,
    pub penalty: PenaltyKind,
    pub penalty_weight: f32,
    pub clip: f32,
    pub label_smoothing: f32,
    pub instance_noise: f32,
}

impl Balance {
    /// The changes from `before` to `self`, in words (for the run's event log).
    pub fn changes_from(&self, before: &Balance) -> Vec<String> {
        let mut changes = Vec::new();
        let mut note = |what: &str, old: String, new: String| {
            if old != new {
                changes.push(format!("{what} {old} -> {new}"));
            }
        };
        note("lr G", before.lr_g.to_string(), self.lr_g.to_string());
        note("lr D", before.lr_d.to_string(), self.lr_d.to_string());
        note("k", before.d_steps.to_string(), self.d_steps.to_string());
        note("loss", before.loss.label().into(), self.loss.label().into());
        note(
            "penalty",
            before.penalty.label().into(),
            self.penalty.label().into(),
        );
        note(
            "penalty weight",
            before.penalty_weight.to_string(),
            self.penalty_weight.to_string(),
        );
        note("clip", before.clip.to_string(), self.clip.to_string());
        note(
            "label smoothing",
            before.label_smoothing.to_string(),
            self.label_smoothing.to_string(),
        );
        note(
            "instance noise",
            before.instance_noise.to_string(),
            self.instance_noise.to_string(),
        );
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_anneals_linearly_to_zero() {
        let game = GameSpec {
            instance_noise: 0.4,
            instance_noise_steps: 100,
            ..GameSpec::default()
        };
        assert_eq!(game.noise_at(0), 0.4);
        assert!((game.noise_at(50) - 0.2).abs() < 1e-6);
        assert_eq!(game.noise_at(100), 0.0);
        assert_eq!(GameSpec::default().noise_at(0), 0.0);
    }

    #[test]
    fn changes_are_listed_in_words() {
        let before = Balance {
            lr_g: 1e-3,
            lr_d: 1e-3,
            d_steps: 1,
            loss: LossKind::NonSaturating,
            penalty: PenaltyKind::None,
            penalty_weight: 10.0,
            clip: 0.0,
            label_smoothing: 0.0,
            instance_noise: 0.0,
        };
        let after = Balance {
            d_steps: 5,
            loss: LossKind::Hinge,
            ..before.clone()
        };
        assert_eq!(
            after.changes_from(&before),
            vec!["k 1 -> 5", "loss non-saturating -> hinge"]
        );
    }
}
