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

    /// Every step as CSV, with a header.
    pub fn csv(&self) -> String {
        let mut csv = String::from("step,g_loss,d_loss,d_real,d_fake,g_grad_norm,d_grad_norm");
        for name in self.terms.keys() {
            csv.push(',');
            csv.push_str(name);
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
