//! Bicubic resampling of channel-major images, the way super-resolution data sets are made.
//!
//! The filter is Keys' cubic convolution with a = −0.5 (MATLAB's and Pillow's "bicubic"). As in
//! MATLAB's `imresize`, which made the low-resolution inputs of the SR literature (Set5, Set14,
//! BSD100 in SRGAN's tables), shrinking widens the kernel by the factor (antialiasing: every
//! input pixel under the footprint counts), the weights of each output pixel are normalised to
//! sum to one, and the image is mirrored at its borders (`…, 1, 0 | 0, 1, …`). Pixel centres
//! line up: output pixel `u` samples input coordinate `(u + ½)·in/out − ½`. Values are not
//! clamped (a cubic overshoots at edges; callers clamp where a picture is made).

/// Keys' cubic kernel with a = −0.5.
fn cubic(x: f64) -> f64 {
    let a = -0.5;
    let x = x.abs();
    if x <= 1.0 {
        ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
    } else if x < 2.0 {
        ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a
    } else {
        0.0
    }
}

/// Mirror `i` into `0..len` (`-1 → 0`, `len → len − 1`, …).
fn mirror(i: isize, len: usize) -> usize {
    let len = len as isize;
    let period = 2 * len;
    let i = i.rem_euclid(period);
    (if i < len { i } else { period - 1 - i }) as usize
}

/// The input taps and weights of every output position along one axis.
fn taps(input: usize, output: usize) -> Vec<Vec<(usize, f32)>> {
    let scale = output as f64 / input as f64;
    // Shrinking stretches the kernel over 1/scale input pixels per output pixel.
    let stretch = if scale < 1.0 { scale } else { 1.0 };
    let support = 2.0 / stretch;
    (0..output)
        .map(|u| {
            let centre = (u as f64 + 0.5) / scale - 0.5;
            let first = (centre - support).floor() as isize;
            let last = (centre + support).ceil() as isize;
            let raw: Vec<(usize, f64)> = (first..=last)
                .map(|i| {
                    (
                        mirror(i, input),
                        stretch * cubic(stretch * (centre - i as f64)),
                    )
                })
                .filter(|&(_, w)| w != 0.0)
                .collect();
            let total: f64 = raw.iter().map(|&(_, w)| w).sum();
            raw.into_iter()
                .map(|(i, w)| (i, (w / total) as f32))
                .collect()
        })
        .collect()
}

/// `images` (each `channels` planes of `height`×`width`, row-major) resized to
/// `out_height`×`out_width`, bicubic. Sides must be at least 1.
pub fn bicubic(
    images: &[f32],
    channels: usize,
    (height, width): (usize, usize),
    (out_height, out_width): (usize, usize),
) -> Vec<f32> {
    assert!(
        height > 0 && width > 0 && out_height > 0 && out_width > 0,
        "bicubic: empty side"
    );
    let plane = height * width;
    assert_eq!(images.len() % (channels * plane), 0, "bicubic: image size");
    let (rows, cols) = (taps(height, out_height), taps(width, out_width));
    let mut out = Vec::with_capacity(images.len() / plane * out_height * out_width);
    let mut across = vec![0.0f32; height * out_width];
    for src in images.chunks_exact(plane) {
        for y in 0..height {
            let line = &src[y * width..][..width];
            for (x, taps) in cols.iter().enumerate() {
                across[y * out_width + x] = taps.iter().map(|&(i, w)| w * line[i]).sum();
            }
        }
        for taps in &rows {
            for x in 0..out_width {
                out.push(
                    taps.iter()
                        .map(|&(i, w)| w * across[i * out_width + x])
                        .sum(),
                );
            }
        }
    }
    out
}

/// [`bicubic`] along one axis, from `input` to `output` samples, as a dense row-major
/// `output` × `input` matrix (row `u` holds output `u`'s weights), for resampling as a
/// matrix product on a device.
pub fn matrix(input: usize, output: usize) -> Vec<f32> {
    let mut m = vec![0.0f32; output * input];
    for (u, taps) in taps(input, output).iter().enumerate() {
        for &(i, w) in taps {
            m[u * input + i] += w;
        }
    }
    m
}

/// `images` shrunk by the integer `factor` on both sides (SR's low-resolution inputs).
pub fn downscale(images: &[f32], channels: usize, side: usize, factor: usize) -> Vec<f32> {
    let small = side / factor;
    bicubic(images, channels, (side, side), (small, small))
}

/// `images` enlarged by the integer `factor` on both sides (SR's bicubic baseline).
pub fn upscale(images: &[f32], channels: usize, side: usize, factor: usize) -> Vec<f32> {
    let large = side * factor;
    bicubic(images, channels, (side, side), (large, large))
}

/// `images` enlarged by repeating each pixel `factor`×`factor` times (how an LR input is
/// shown beside its upscalings).
pub fn nearest(images: &[f32], side: usize, factor: usize) -> Vec<f32> {
    let large = side * factor;
    let mut out = Vec::with_capacity(images.len() * factor * factor);
    for plane in images.chunks_exact(side * side) {
        for y in 0..large {
            let line = &plane[(y / factor) * side..][..side];
            out.extend((0..large).map(|x| line[x / factor]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 1e-5
    }

    #[test]
    fn a_constant_image_stays_constant_at_every_size() {
        let image = vec![0.375f32; 2 * 12 * 12];
        for (h, w) in [(3, 3), (6, 4), (12, 12), (24, 48), (5, 37)] {
            let out = bicubic(&image, 2, (12, 12), (h, w));
            assert_eq!(out.len(), 2 * h * w);
            assert!(out.iter().all(|&v| close(v, 0.375)), "{h}×{w}: {out:?}");
        }
    }

    #[test]
    fn a_linear_ramp_is_resampled_exactly_away_from_the_borders() {
        // v(x) = 2x + 1 along each row; the cubic reproduces linear functions, so every
        // output pixel whose footprint stays inside the image lands on the ramp at its centre.
        let side = 16;
        let ramp: Vec<f32> = (0..side * side)
            .map(|i| 2.0 * (i % side) as f32 + 1.0)
            .collect();
        let mut checked = 0;
        for out in [8usize, 32, 48] {
            let resized = bicubic(&ramp, 1, (side, side), (out, out));
            let scale = out as f64 / side as f64;
            let reach = if scale < 1.0 { 2.0 / scale } else { 2.0 };
            for x in 0..out {
                let centre = (x as f64 + 0.5) / scale - 0.5;
                if centre - reach < 0.0 || centre + reach > (side - 1) as f64 {
                    continue;
                }
                let expected = (2.0 * centre + 1.0) as f32;
                for y in 0..out {
                    let got = resized[y * out + x];
                    assert!(
                        close(got, expected),
                        "{out}: ({x}, {y}) {got} vs {expected}"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 100, "only {checked} interior pixels checked");
    }

    #[test]
    fn shrinking_averages_what_it_covers_and_mirrors_at_the_borders() {
        // A single bright column: shrinking by 4 spreads it over its neighbours (antialiasing)
        // and the total per row is kept (weights sum to one, scaled by the factor).
        let side = 16;
        let mut image = vec![0.0f32; side * side];
        for y in 0..side {
            image[y * side + 7] = 4.0;
        }
        let small = downscale(&image, 1, side, 4);
        let row: Vec<f32> = small[..4].to_vec();
        assert!(
            row.iter().filter(|&&v| v.abs() > 1e-6).count() >= 2,
            "{row:?}"
        );
        assert!(close(row.iter().sum::<f32>(), 1.0), "{row:?}");
        assert_eq!(mirror(-1, 5), 0);
        assert_eq!(mirror(-2, 5), 1);
        assert_eq!(mirror(5, 5), 4);
        assert_eq!(mirror(6, 5), 3);
    }

    #[test]
    fn nearest_repeats_each_pixel() {
        let image = vec![1.0, 2.0, 3.0, 4.0];
        assert_eq!(
            nearest(&image, 2, 2),
            vec![
                1.0, 1.0, 2.0, 2.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0, 3.0, 3.0, 4.0, 4.0
            ]
        );
    }
}
