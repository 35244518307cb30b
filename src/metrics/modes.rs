//! Mode metrics for samples of a Gaussian mixture, as defined in VEEGAN (Srivastava et al.
//! 2017) and PacGAN (Lin et al. 2018), computed on 2500 generated samples by default:
//!
//! - a sample is **high quality** if it lies within 3 standard deviations of the nearest
//!   mixture mean (distance ≤ 3σ, σ the mixture's per-axis standard deviation);
//! - a mode is **covered** if it is the nearest mean of at least one high-quality sample;
//! - the **reverse KL** is KL(p ‖ u) between the histogram p of high-quality samples over the
//!   modes (each assigned to its nearest mean) and the uniform distribution u over the modes.
//!   It is undefined when no sample is high quality.

use serde::{Deserialize, Serialize};

/// Generated samples the metrics are computed on, as in the papers.
pub const SAMPLES: usize = 2500;

/// The metrics of one set of samples.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModeMetrics {
    /// Share of samples that are high quality, 0..1.
    pub high_quality: f32,
    pub modes_covered: usize,
    pub modes: usize,
    /// KL(histogram of high-quality samples ‖ uniform), nats; `None` without such samples.
    pub reverse_kl: Option<f32>,
    /// High-quality samples nearest each mode.
    pub per_mode: Vec<u32>,
}

/// The metrics of `samples` against a mixture with these `means` and per-axis `std`.
pub fn mode_metrics(samples: &[[f32; 2]], means: &[[f32; 2]], std: f32) -> ModeMetrics {
    let mut per_mode = vec![0u32; means.len()];
    let limit = (3.0 * std).powi(2);
    let mut high = 0usize;
    for p in samples {
        let nearest = means
            .iter()
            .enumerate()
            .map(|(k, m)| (k, (p[0] - m[0]).powi(2) + (p[1] - m[1]).powi(2)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((k, d2)) = nearest
            && d2 <= limit
        {
            per_mode[k] += 1;
            high += 1;
        }
    }
    ModeMetrics {
        high_quality: if samples.is_empty() {
            0.0
        } else {
            high as f32 / samples.len() as f32
        },
        modes_covered: per_mode.iter().filter(|&&c| c > 0).count(),
        modes: means.len(),
        reverse_kl: super::kl_from_uniform(&per_mode),
        per_mode,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring() -> Vec<[f32; 2]> {
        (0..8)
            .map(|k| {
                let a = std::f32::consts::TAU * k as f32 / 8.0;
                [a.cos(), a.sin()]
            })
            .collect()
    }

    #[test]
    fn points_on_three_of_eight_modes_cover_three() {
        let means = ring();
        let samples: Vec<[f32; 2]> = (0..300).map(|i| means[[0, 3, 5][i % 3]]).collect();
        let m = mode_metrics(&samples, &means, 0.01);
        assert_eq!(m.modes_covered, 3);
        assert_eq!(m.high_quality, 1.0);
        assert_eq!(m.per_mode, vec![100, 0, 0, 100, 0, 100, 0, 0]);
        // Uniform over 3 of 8: KL = ln(8/3).
        assert!((m.reverse_kl.unwrap_or_default() - (8.0f32 / 3.0).ln()).abs() < 1e-5);
    }

    #[test]
    fn points_four_sigma_away_are_not_high_quality() {
        let means = ring();
        let std = 0.01;
        let samples: Vec<[f32; 2]> = means.iter().map(|m| [m[0] + 4.0 * std, m[1]]).collect();
        let m = mode_metrics(&samples, &means, std);
        assert_eq!((m.high_quality, m.modes_covered), (0.0, 0));
        assert_eq!(m.reverse_kl, None);
        let near: Vec<[f32; 2]> = means.iter().map(|m| [m[0] + 2.9 * std, m[1]]).collect();
        assert_eq!(
            mode_metrics(&near, &means, std).modes_covered,
            8,
            "2.9σ is inside"
        );
    }

    #[test]
    fn uniform_over_all_modes_has_zero_reverse_kl() {
        let means = ring();
        let samples: Vec<[f32; 2]> = (0..800).map(|i| means[i % 8]).collect();
        let m = mode_metrics(&samples, &means, 0.01);
        assert_eq!(m.modes_covered, 8);
        assert!(m.reverse_kl.is_some_and(|kl| kl.abs() < 1e-6));
    }
}
