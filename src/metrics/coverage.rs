//! Mode coverage of image samples, by analogy with the toy-mixture metrics:
//!
//! - **class coverage** from a reference classifier's probabilities: a sample counts for its
//!   predicted class when the classifier is at least [`CONFIDENT`] sure of it (the analogue of
//!   "high quality"); a class is covered when at least one sample counts for it; the KL from
//!   uniform is taken over those counts; the mean confidence (max probability) over all
//!   samples is a quality score;
//! - **diversity** for any images: the mean distance between random pairs of generated
//!   samples, to be compared with the same figure on real data (a collapsed G scores far
//!   below the data);
//! - **nearest neighbours** in a bank of real samples, to check for memorisation.

use serde::{Deserialize, Serialize};

/// Confidence at which a classified sample counts for its class.
pub const CONFIDENT: f32 = 0.5;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassCoverage {
    /// Confident samples per class.
    pub histogram: Vec<u32>,
    pub covered: usize,
    pub classes: usize,
    /// KL(confident-class histogram ‖ uniform), nats.
    pub kl: Option<f32>,
    /// Mean max-probability over all samples.
    pub confidence: f32,
    /// For a conditional G: the share of samples the classifier assigns to the class G was
    /// asked for.
    #[serde(default)]
    pub as_asked: Option<f32>,
}

/// Coverage from class probabilities ([n, classes] row-major); `asked` are the classes a
/// conditional G was asked for, sample by sample.
pub fn class_coverage(
    probabilities: &[f32],
    classes: usize,
    asked: Option<&[u32]>,
) -> ClassCoverage {
    let mut histogram = vec![0u32; classes];
    let mut confidence = 0.0f64;
    let mut matching = 0usize;
    let rows = probabilities.chunks_exact(classes.max(1));
    let n = rows.len();
    for (i, row) in rows.enumerate() {
        let (class, p) = row
            .iter()
            .copied()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((0, 0.0));
        confidence += f64::from(p);
        if p >= CONFIDENT {
            histogram[class] += 1;
        }
        if asked
            .and_then(|a| a.get(i))
            .is_some_and(|&c| c as usize == class)
        {
            matching += 1;
        }
    }
    ClassCoverage {
        covered: histogram.iter().filter(|&&c| c > 0).count(),
        classes,
        kl: super::kl_from_uniform(&histogram),
        confidence: if n == 0 {
            0.0
        } else {
            (confidence / n as f64) as f32
        },
        as_asked: asked.map(|_| matching as f32 / n.max(1) as f32),
        histogram,
    }
}

fn distance(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f32>()
        .sqrt()
}

/// Mean Euclidean distance over all pairs of the `n` rows of `samples` ([n, dim]).
pub fn diversity(samples: &[f32], dim: usize) -> f32 {
    let rows: Vec<&[f32]> = samples.chunks_exact(dim.max(1)).collect();
    let mut total = 0.0f64;
    let mut pairs = 0usize;
    for (i, a) in rows.iter().enumerate() {
        for b in &rows[i + 1..] {
            total += f64::from(distance(a, b));
            pairs += 1;
        }
    }
    if pairs == 0 {
        0.0
    } else {
        (total / pairs as f64) as f32
    }
}

/// Index of and distance to the row of `bank` ([m, dim]) nearest `query`.
pub fn nearest(query: &[f32], bank: &[f32], dim: usize) -> Option<(usize, f32)> {
    bank.chunks_exact(dim.max(1))
        .map(|row| distance(query, row))
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confident_samples_count_for_their_class() {
        // 3 classes; two confident 0s, one confident 2, one unsure sample.
        let p = [0.9, 0.05, 0.05, 0.8, 0.1, 0.1, 0.1, 0.1, 0.8, 0.4, 0.3, 0.3];
        let c = class_coverage(&p, 3, None);
        assert_eq!(c.histogram, vec![2, 0, 1]);
        assert_eq!(c.covered, 2);
        assert!((c.confidence - (0.9 + 0.8 + 0.8 + 0.4) / 4.0).abs() < 1e-6);
    }

    #[test]
    fn identical_samples_have_no_diversity_and_nearest_finds_the_copy() {
        assert_eq!(diversity(&[1.0, 2.0, 1.0, 2.0, 1.0, 2.0], 2), 0.0);
        assert!((diversity(&[0.0, 0.0, 3.0, 4.0], 2) - 5.0).abs() < 1e-6);
        let bank = [0.0, 0.0, 5.0, 5.0, 1.0, 1.0];
        assert_eq!(nearest(&[4.0, 6.0], &bank, 2).map(|n| n.0), Some(1));
    }
}
