//! The per-step curves of one run (the live one, or one read from its folder): every step's
//! losses, D outputs, gradient norms and G's named loss terms, index i holding step i + 1.

use super::series::Series;
use crate::protocol::StepMetrics;
use std::collections::BTreeMap;

#[derive(Default)]
pub struct Curves {
    pub g_loss: Series,
    pub d_loss: Series,
    pub d_real: Series,
    pub d_fake: Series,
    pub g_grad_norm: Series,
    pub d_grad_norm: Series,
    /// G's loss terms besides the adversarial one, by name (NaN for steps without them).
    pub terms: BTreeMap<String, Series>,
    /// A growing model's level, α and resolution at each step (empty for the others).
    pub level: Series,
    pub alpha: Series,
    pub resolution: Series,
}

impl Curves {
    /// Steps held.
    pub fn len(&self) -> usize {
        self.g_loss.len()
    }

    pub fn is_empty(&self) -> bool {
        self.g_loss.is_empty()
    }

    /// Append one step's values (steps arrive in order, one after another).
    pub fn push(&mut self, m: &StepMetrics) {
        self.g_loss.push(m.g_loss);
        self.d_loss.push(m.d_loss);
        self.d_real.push(m.d_real);
        self.d_fake.push(m.d_fake);
        self.g_grad_norm.push(m.g_grad_norm);
        self.d_grad_norm.push(m.d_grad_norm);
        let len = self.g_loss.len();
        if let (Some(level), Some(alpha), Some(resolution)) = (m.level, m.alpha, m.resolution) {
            for (series, value) in [
                (&mut self.level, level as f32),
                (&mut self.alpha, alpha),
                (&mut self.resolution, resolution as f32),
            ] {
                while series.len() + 1 < len {
                    series.push(f32::NAN);
                }
                series.push(value);
            }
        }
        for (name, value) in &m.terms {
            let series = self.terms.entry(name.clone()).or_default();
            while series.len() + 1 < len {
                series.push(f32::NAN);
            }
            series.push(*value);
        }
        for series in self.terms.values_mut() {
            while series.len() < len {
                series.push(f32::NAN);
            }
        }
    }

    /// Whether the run grows (a progressive model).
    pub fn grows(&self) -> bool {
        !self.alpha.is_empty()
    }

    /// What G draws at after `step` steps, in words ("16 px, fading in: alpha 0.42"): the
    /// stage of the step after it where that has arrived, else of the step itself.
    pub fn stage_after(&self, step: u64) -> Option<String> {
        let at = |i: usize| {
            let (side, alpha) = (
                *self.resolution.values().get(i)?,
                *self.alpha.values().get(i)?,
            );
            (side.is_finite() && alpha.is_finite()).then_some((side, alpha))
        };
        let (side, alpha) = at(step as usize).or_else(|| at((step as usize).checked_sub(1)?))?;
        Some(if alpha < 1.0 {
            format!("{side} px, fading in: alpha {alpha:.2}")
        } else {
            format!("{side} px")
        })
    }

    /// Every step as CSV, with a header.
    pub fn csv(&self) -> String {
        let mut csv = String::from("step,g_loss,d_loss,d_real,d_fake,g_grad_norm,d_grad_norm");
        for name in self.terms.keys() {
            csv.push(',');
            csv.push_str(name);
        }
        if self.grows() {
            csv.push_str(",level,alpha,resolution");
        }
        csv.push('\n');
        let mut columns = vec![
            &self.g_loss,
            &self.d_loss,
            &self.d_real,
            &self.d_fake,
            &self.g_grad_norm,
            &self.d_grad_norm,
        ];
        columns.extend(self.terms.values());
        if self.grows() {
            columns.extend([&self.level, &self.alpha, &self.resolution]);
        }
        for i in 0..self.len() {
            csv.push_str(&(i + 1).to_string());
            for column in &columns {
                csv.push(',');
                let value = column.values().get(i).filter(|v| v.is_finite());
                csv.push_str(&value.map_or(String::new(), f32::to_string));
            }
            csv.push('\n');
        }
        csv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(step: u64, stage: Option<(usize, f32, usize)>) -> StepMetrics {
        StepMetrics {
            step,
            g_loss: 1.0,
            d_loss: 1.0,
            d_real: 0.5,
            d_fake: 0.5,
            g_grad_norm: 1.0,
            d_grad_norm: 1.0,
            wall_s: 0.0,
            terms: BTreeMap::new(),
            level: stage.map(|s| s.0),
            alpha: stage.map(|s| s.1),
            resolution: stage.map(|s| s.2),
        }
    }

    #[test]
    fn a_growing_run_names_the_stage_g_draws_at_after_each_step() {
        let mut curves = Curves::default();
        curves.push(&step(1, Some((0, 1.0, 4))));
        curves.push(&step(2, Some((1, 0.0, 8))));
        curves.push(&step(3, Some((1, 0.5, 8))));
        assert!(curves.grows());
        // After step 1 G draws at the stage step 2 trained at; after the last step known,
        // at that step's.
        assert_eq!(
            curves.stage_after(1).as_deref(),
            Some("8 px, fading in: alpha 0.00")
        );
        assert_eq!(curves.stage_after(0).as_deref(), Some("4 px"));
        assert_eq!(
            curves.stage_after(3).as_deref(),
            Some("8 px, fading in: alpha 0.50")
        );
        assert_eq!(curves.stage_after(9), None);
        let csv = curves.csv();
        assert!(csv.starts_with(
            "step,g_loss,d_loss,d_real,d_fake,g_grad_norm,d_grad_norm,level,alpha,resolution\n"
        ));
        assert!(csv.ends_with("3,1,1,0.5,0.5,1,1,1,0.5,8\n"), "{csv}");
        let mut plain = Curves::default();
        plain.push(&step(1, None));
        assert!(!plain.grows() && plain.stage_after(1).is_none());
        assert!(!plain.csv().contains("alpha"));
    }
}
