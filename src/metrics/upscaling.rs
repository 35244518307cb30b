//! How well a super-resolution G restores an image: PSNR and SSIM against the original for
//! G's output and for the bicubic baseline, and a sharpness ratio.
//!
//! Conventions (stated because SR papers differ): images are compared on all their channels
//! (RGB, not the luma channel alone), with values mapped from [-1, 1] to [0, 1] (peak 1);
//! `scale` pixels are cropped at each border first, as BasicSR does (an upscaled border
//! depends on how the edges were padded); PSNR and SSIM are those of
//! [`super::similarity`] (SSIM: Wang et al.'s constants, 11×11 Gaussian of σ 1.5, valid
//! positions), averaged over images. Sharpness is the energy of the 4-neighbour Laplacian of
//! G's outputs over that of the originals (cropped alike): 1 has the originals' amount of
//! fine detail, below 1 is blurrier (an MSE-trained G), above 1 adds texture or noise.

use super::similarity;
use serde::{Deserialize, Serialize};

/// Scores of an upscaling task on its held-out crops; in `metrics.jsonl` beside the others.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuperResolution {
    pub psnr: f32,
    pub ssim: f32,
    pub bicubic_psnr: f32,
    pub bicubic_ssim: f32,
    pub sharpness: f32,
    /// The same ratio for bicubic (absent from runs recorded before it was).
    #[serde(default)]
    pub bicubic_sharpness: f32,
}

/// Every `height`×`width` plane of `images` without its outer `border` pixels.
pub fn crop_border(images: &[f32], (height, width): (usize, usize), border: usize) -> Vec<f32> {
    let (inner_h, inner_w) = (
        height.saturating_sub(2 * border),
        width.saturating_sub(2 * border),
    );
    images
        .chunks_exact((height * width).max(1))
        .flat_map(|plane| {
            (border..border + inner_h)
                .flat_map(move |y| plane[y * width + border..][..inner_w].iter().copied())
        })
        .collect()
}

/// Σ (4-neighbour Laplacian)² over the interior of every `height`×`width` plane.
pub fn detail_energy(images: &[f32], (height, width): (usize, usize)) -> f64 {
    let mut total = 0.0f64;
    for plane in images.chunks_exact((height * width).max(1)) {
        for y in 1..height.saturating_sub(1) {
            for x in 1..width.saturating_sub(1) {
                let at = |dy: usize, dx: usize| f64::from(plane[(y + dy - 1) * width + x + dx - 1]);
                let laplacian = at(0, 1) + at(2, 1) + at(1, 0) + at(1, 2) - 4.0 * at(1, 1);
                total += laplacian * laplacian;
            }
        }
    }
    total
}

/// The scores of `sr` and `bicubic` against `hr` (each images of `channels` planes of
/// `height`×`width`, the same count), cropping `border` pixels.
pub fn score(
    sr: &[f32],
    bicubic: &[f32],
    hr: &[f32],
    channels: usize,
    (height, width): (usize, usize),
    border: usize,
) -> SuperResolution {
    let inner = (
        height.saturating_sub(2 * border),
        width.saturating_sub(2 * border),
    );
    let [sr, bicubic, hr] =
        [sr, bicubic, hr].map(|images| crop_border(images, (height, width), border));
    let features = (channels * inner.0 * inner.1).max(1);
    let reference = detail_energy(&hr, inner);
    let ratio = |images: &[f32]| {
        if reference > 0.0 {
            (detail_energy(images, inner) / reference) as f32
        } else {
            1.0
        }
    };
    SuperResolution {
        psnr: similarity::psnr(&sr, &hr, features),
        ssim: similarity::ssim_rect(&sr, &hr, inner),
        bicubic_psnr: similarity::psnr(&bicubic, &hr, features),
        bicubic_ssim: similarity::ssim_rect(&bicubic, &hr, inner),
        sharpness: ratio(&sr),
        bicubic_sharpness: ratio(&bicubic),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cropping_keeps_the_inner_square_of_every_plane() {
        let images: Vec<f32> = (0..2 * 16).map(|v| v as f32).collect();
        assert_eq!(
            crop_border(&images, (4, 4), 1),
            vec![5.0, 6.0, 9.0, 10.0, 21.0, 22.0, 25.0, 26.0]
        );
    }

    #[test]
    fn a_perfect_upscaling_scores_the_cap_and_a_flat_one_has_no_detail() {
        let side = 16;
        let hr: Vec<f32> = (0..side * side)
            .map(|i| {
                if (i / side + i % side) % 2 == 0 {
                    0.5
                } else {
                    -0.5
                }
            })
            .collect();
        let flat = vec![0.0f32; side * side];
        let s = score(&hr, &flat, &hr, 1, (side, side), 2);
        assert_eq!(s.psnr, 100.0, "an exact match is capped at 100 dB");
        assert!((s.ssim - 1.0).abs() < 1e-5);
        assert!((s.sharpness - 1.0).abs() < 1e-6);
        // The flat image misses ±0.5 everywhere: 0.25 on [0, 1], MSE 1/16, PSNR 12.04 dB.
        assert!((s.bicubic_psnr - 12.041).abs() < 1e-2, "{}", s.bicubic_psnr);
        assert!(s.bicubic_ssim < 0.1);
        let blurry = score(&flat, &flat, &hr, 1, (side, side), 2);
        assert_eq!(blurry.sharpness, 0.0);
    }

    #[test]
    fn the_checkerboards_laplacian_energy_is_counted_by_hand() {
        // ±1 checkerboard: every interior Laplacian is ±8 (4 neighbours of the opposite sign
        // minus 4× the centre), 64 per pixel; a 4×4 plane has 2×2 interior pixels.
        let board: Vec<f32> = (0..16)
            .map(|i| if (i / 4 + i % 4) % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        assert_eq!(detail_energy(&board, (4, 4)), 4.0 * 64.0);
    }
}
