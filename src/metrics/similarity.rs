//! How close translated images are to their targets: L1, PSNR and SSIM, on images stored
//! channel-major with values in [-1, 1].
//!
//! - L1: mean |G(A) − B| on the [-1, 1] scale (the quantity G's L1 term minimises).
//! - PSNR: 10·log10(1 / MSE) with both images mapped to [0, 1] (peak 1), per image, averaged
//!   over images; an exact match counts as 100 dB.
//! - SSIM (Wang et al. 2004) on [0, 1] values with the paper's constants C1 = (0.01·1)²,
//!   C2 = (0.03·1)² and its 11×11 Gaussian window of σ = 1.5, over every position where the
//!   window fits inside the image (no padding), per channel, averaged over channels and
//!   images. Images smaller than the window use a window as wide as the image.

use serde::{Deserialize, Serialize};

/// Scores of a translation task on held-out pairs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Translation {
    pub l1: f32,
    pub psnr: f32,
    pub ssim: f32,
    /// The task's own score: for digits, the share of G(A) the reference classifier reads
    /// as A's digit (in the spirit of pix2pix's FCN score).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_score: Option<f32>,
}

const C1: f32 = 0.01 * 0.01;
const C2: f32 = 0.03 * 0.03;
const WINDOW: usize = 11;
const SIGMA: f32 = 1.5;
/// PSNR of an exact match.
const PSNR_CAP: f32 = 100.0;

/// Mean absolute difference.
pub fn l1(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len()).max(1);
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f32>() / n as f32
}

/// Mean PSNR over images of `features` floats.
pub fn psnr(a: &[f32], b: &[f32], features: usize) -> f32 {
    let scores: Vec<f32> = a
        .chunks_exact(features)
        .zip(b.chunks_exact(features))
        .map(|(x, y)| {
            // ((x − y) / 2)² is the squared error on the [0, 1] scale.
            let mse = x
                .iter()
                .zip(y)
                .map(|(p, q)| ((p - q) * 0.5).powi(2))
                .sum::<f32>()
                / features as f32;
            if mse <= 0.0 {
                PSNR_CAP
            } else {
                (-10.0 * mse.log10()).min(PSNR_CAP)
            }
        })
        .collect();
    mean(&scores)
}

/// Mean SSIM over every `size`² plane (each channel of each image).
pub fn ssim(a: &[f32], b: &[f32], size: usize) -> f32 {
    ssim_rect(a, b, (size, size))
}

/// Mean SSIM over every `height`×`width` plane.
pub fn ssim_rect(a: &[f32], b: &[f32], (height, width): (usize, usize)) -> f32 {
    let plane = height * width;
    if plane == 0 {
        return 0.0;
    }
    let window = gaussian(WINDOW.min(height).min(width));
    let scores: Vec<f32> = a
        .chunks_exact(plane)
        .zip(b.chunks_exact(plane))
        .map(|(x, y)| plane_ssim(x, y, (height, width), &window))
        .collect();
    mean(&scores)
}

fn mean(values: &[f32]) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().sum::<f32>() / values.len() as f32
}

/// A normalised 1-D Gaussian of `taps` (the 2-D window is its outer product).
fn gaussian(taps: usize) -> Vec<f32> {
    let centre = (taps as f32 - 1.0) / 2.0;
    let w: Vec<f32> = (0..taps)
        .map(|i| (-((i as f32 - centre).powi(2)) / (2.0 * SIGMA * SIGMA)).exp())
        .collect();
    let total: f32 = w.iter().sum();
    w.into_iter().map(|v| v / total).collect()
}

/// `image` (`height`×`width`) filtered by the separable `window`, valid positions only.
fn filter(image: &[f32], (height, width): (usize, usize), window: &[f32]) -> Vec<f32> {
    let (out_h, out_w) = (height + 1 - window.len(), width + 1 - window.len());
    let mut rows = vec![0.0f32; height * out_w];
    for y in 0..height {
        for x in 0..out_w {
            rows[y * out_w + x] = window
                .iter()
                .enumerate()
                .map(|(k, w)| w * image[y * width + x + k])
                .sum();
        }
    }
    let mut both = vec![0.0f32; out_h * out_w];
    for y in 0..out_h {
        for x in 0..out_w {
            both[y * out_w + x] = window
                .iter()
                .enumerate()
                .map(|(k, w)| w * rows[(y + k) * out_w + x])
                .sum();
        }
    }
    both
}

/// SSIM of one plane pair (values in [-1, 1], mapped to [0, 1]).
fn plane_ssim(x: &[f32], y: &[f32], size: (usize, usize), window: &[f32]) -> f32 {
    let x: Vec<f32> = x.iter().map(|v| (v + 1.0) * 0.5).collect();
    let y: Vec<f32> = y.iter().map(|v| (v + 1.0) * 0.5).collect();
    let product =
        |p: &[f32], q: &[f32]| -> Vec<f32> { p.iter().zip(q).map(|(a, b)| a * b).collect() };
    let mx = filter(&x, size, window);
    let my = filter(&y, size, window);
    let sxx = filter(&product(&x, &x), size, window);
    let syy = filter(&product(&y, &y), size, window);
    let sxy = filter(&product(&x, &y), size, window);
    let values: Vec<f32> = (0..mx.len())
        .map(|i| {
            let (mx, my) = (mx[i], my[i]);
            let vx = sxx[i] - mx * mx;
            let vy = syy[i] - my * my;
            let cov = sxy[i] - mx * my;
            ((2.0 * mx * my + C1) * (2.0 * cov + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2))
        })
        .collect();
    mean(&values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(size: usize) -> Vec<f32> {
        (0..size * size)
            .map(|i| ((i % size) as f32 / size as f32) * 2.0 - 1.0)
            .collect()
    }

    #[test]
    fn identical_images_score_perfectly_and_noise_lowers_every_score() {
        let a = ramp(16);
        assert_eq!(l1(&a, &a), 0.0);
        assert_eq!(psnr(&a, &a, 256), PSNR_CAP);
        assert!((ssim(&a, &a, 16) - 1.0).abs() < 1e-5);
        let noisy: Vec<f32> = a
            .iter()
            .enumerate()
            .map(|(i, v)| (v + if i % 3 == 0 { 0.3 } else { -0.2 }).clamp(-1.0, 1.0))
            .collect();
        assert!(l1(&a, &noisy) > 0.1);
        let p = psnr(&a, &noisy, 256);
        assert!(p > 10.0 && p < 30.0, "{p}");
        let s = ssim(&a, &noisy, 16);
        assert!(s < 0.9 && s > 0.0, "{s}");
    }

    #[test]
    fn psnr_of_a_known_error() {
        // A uniform error of 0.2 on [-1, 1] is 0.1 on [0, 1]: MSE 0.01, 20 dB.
        let a = vec![0.0f32; 64];
        let b = vec![0.2f32; 64];
        assert!((psnr(&a, &b, 64) - 20.0).abs() < 1e-3);
    }
}
