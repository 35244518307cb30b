//! The settings of a run that may change while it trains (see [`Balance`]).

use super::Trainer;
use crate::preset::Balance;

impl Trainer {
    /// The settings that may change while the run trains.
    pub fn balance(&self) -> Balance {
        let (t, g) = (&self.preset.train, &self.preset.game);
        Balance {
            lr_g: t.lr_g,
            lr_d: t.lr_d,
            d_steps: t.d_steps,
            loss: g.loss,
            penalty: g.penalty,
            penalty_weight: g.penalty_weight,
            clip: g.clip,
            label_smoothing: g.label_smoothing,
            instance_noise: g.instance_noise,
        }
    }

    /// Apply new balance settings from the next step; returns what changed, in words, or why
    /// they are refused (nothing is changed then).
    pub fn set_balance(&mut self, balance: Balance) -> Result<Vec<String>, String> {
        let preset = self.preset.with_balance(&balance);
        preset.validate().map_err(|e| e.to_string())?;
        let changes = balance.changes_from(&self.balance());
        self.preset = preset;
        Ok(changes)
    }
}
