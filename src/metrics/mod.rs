//! Measuring mode collapse and the G/D balance: the toy-mixture metrics of the mode-collapse
//! literature, class coverage of image samples, the published reference numbers, the rules
//! of thumb that raise alarms, and image similarity for translation and super-resolution tasks. Plain numbers in and out; no burn and no egui.

pub mod alarms;
pub mod coverage;
pub mod frechet;
pub mod modes;
pub mod references;
pub mod similarity;
pub mod upscaling;

/// Equal-width histogram of `values` in [lo, hi] (values outside are clamped to the ends).
pub fn histogram(values: &[f32], bins: usize, lo: f32, hi: f32) -> Vec<u32> {
    let mut counts = vec![0u32; bins.max(1)];
    let last = counts.len() - 1;
    for &v in values.iter().filter(|v| v.is_finite()) {
        let at = ((v - lo) / (hi - lo) * counts.len() as f32).floor();
        counts[(at.max(0.0) as usize).min(last)] += 1;
    }
    counts
}

/// KL(p ‖ uniform) in nats for a histogram of counts over `bins` categories: 0 when every
/// category is equally frequent, ln(bins) when one category takes everything. `None` for an
/// empty histogram.
pub fn kl_from_uniform(counts: &[u32]) -> Option<f32> {
    let total: u32 = counts.iter().sum();
    if total == 0 || counts.is_empty() {
        return None;
    }
    let k = counts.len() as f64;
    let kl: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / f64::from(total);
            p * (p * k).ln()
        })
        .sum();
    Some(kl as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_bins_and_clamps() {
        assert_eq!(
            histogram(&[0.0, 0.1, 0.55, 0.99, 1.0, 7.0, -1.0], 2, 0.0, 1.0),
            vec![3, 4]
        );
    }

    #[test]
    fn kl_is_zero_for_uniform_and_ln_k_for_one_category() {
        assert!(kl_from_uniform(&[5, 5, 5, 5]).is_some_and(|kl| kl.abs() < 1e-6));
        let one = kl_from_uniform(&[0, 9, 0, 0]).unwrap_or_default();
        assert!((one - 4f32.ln()).abs() < 1e-5);
        assert_eq!(kl_from_uniform(&[0, 0]), None);
    }
}
