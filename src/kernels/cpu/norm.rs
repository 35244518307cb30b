//! Batch normalisation with the batch's own statistics, on row-major `[n, c, s]` data (`s`:
//! the elements of one channel of one sample, the product of the spatial sides).
//!
//! Two passes forward (the statistics, then `x·a + b` per channel) and two backward (the
//! per-channel sums of `dy` and `dy·(x − mean)`, then `dx = a·dy + b·x + c`), where burn's
//! composition takes about eight forward and fourteen backward, two of them transposing
//! copies. Sums run in 8 lanes of `f32` per plane and in `f64` across planes; the order is
//! fixed, so results do not depend on the thread count.

use rayon::prelude::*;

/// The layout: `n` samples of `c` channels of `s` elements.
#[derive(Clone, Copy, Debug)]
pub struct Planes {
    pub n: usize,
    pub c: usize,
    pub s: usize,
}

impl Planes {
    /// Elements per channel over the whole batch.
    fn count(&self) -> f64 {
        (self.n * self.s) as f64
    }

    /// The planes of channel `ch`, one per sample.
    fn channel<'a>(&self, data: &'a [f32], ch: usize) -> impl Iterator<Item = &'a [f32]> {
        let (c, s) = (self.c, self.s);
        (0..self.n).map(move |b| &data[(b * c + ch) * s..][..s])
    }
}

/// `Σ f(v)` over `v`, in 8 `f32` lanes (which the compiler vectorises), then in `f64`.
fn lane_sum(v: &[f32], f: impl Fn(f32) -> f32) -> f64 {
    let mut lanes = [0.0f32; 8];
    let chunks = v.chunks_exact(8);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (lane, &value) in lanes.iter_mut().zip(chunk) {
            *lane += f(value);
        }
    }
    let mut total: f64 = lanes.iter().map(|&l| f64::from(l)).sum();
    for &value in rest {
        total += f64::from(f(value));
    }
    total
}

/// Per channel: the mean and the biased variance of `x`.
pub fn statistics(x: &[f32], p: Planes) -> (Vec<f32>, Vec<f32>) {
    (0..p.c)
        .into_par_iter()
        .map(|ch| {
            let sum: f64 = p.channel(x, ch).map(|plane| lane_sum(plane, |v| v)).sum();
            let mean = (sum / p.count()) as f32;
            let squares: f64 = p
                .channel(x, ch)
                .map(|plane| lane_sum(plane, |v| (v - mean) * (v - mean)))
                .sum();
            (mean, (squares / p.count()) as f32)
        })
        .unzip()
}

/// `dst[b, ch, ·] = src[b, ch, ·] · scale[ch] + shift[ch]` (in place when `src` is `None`),
/// and `+ extra[b, ch, ·] · weight[ch]` when `extra` is given.
fn affine(
    dst: &mut [f32],
    src: Option<&[f32]>,
    extra: Option<(&[f32], &[f32])>,
    scale: &[f32],
    shift: &[f32],
    p: Planes,
) {
    let plane = |(i, out): (usize, &mut [f32])| {
        let ch = i % p.c;
        let (a, b) = (scale[ch], shift[ch]);
        let range = i * p.s..(i + 1) * p.s;
        match (src, extra) {
            (Some(src), _) => {
                for (o, &v) in out.iter_mut().zip(&src[range]) {
                    *o = v * a + b;
                }
            }
            (None, Some((other, weight))) => {
                let w = weight[ch];
                for (o, &v) in out.iter_mut().zip(&other[range]) {
                    *o = *o * a + v * w + b;
                }
            }
            (None, None) => out.iter_mut().for_each(|o| *o = *o * a + b),
        }
    };
    if dst.len() < 32 * 1024 {
        dst.chunks_mut(p.s).enumerate().for_each(plane);
    } else {
        dst.par_chunks_mut(p.s).enumerate().for_each(plane);
    }
}

/// The reciprocal standard deviations `1 / √(var + ε)`.
pub fn inverse_std(variance: &[f32], epsilon: f32) -> Vec<f32> {
    variance
        .iter()
        .map(|&v| 1.0 / (v + epsilon).sqrt())
        .collect()
}

/// The normalised output `(x − mean) · γ / √(var + ε) + β`.
pub fn forward(
    x: &[f32],
    mean: &[f32],
    inv_std: &[f32],
    gamma: &[f32],
    beta: &[f32],
    p: Planes,
) -> Vec<f32> {
    let scale: Vec<f32> = gamma.iter().zip(inv_std).map(|(g, i)| g * i).collect();
    let shift: Vec<f32> = (0..p.c).map(|ch| beta[ch] - mean[ch] * scale[ch]).collect();
    let mut out = vec![0.0f32; x.len()];
    affine(&mut out, Some(x), None, &scale, &shift, p);
    out
}

/// The gradients of γ and β, and `dy` turned in place into the gradient of `x`.
pub fn backward(
    x: &[f32],
    dy: &mut [f32],
    mean: &[f32],
    inv_std: &[f32],
    gamma: &[f32],
    p: Planes,
) -> (Vec<f32>, Vec<f32>) {
    let (beta_grad, centred): (Vec<f64>, Vec<f64>) = (0..p.c)
        .into_par_iter()
        .map(|ch| {
            let m = mean[ch];
            let pairs = p.channel(dy, ch).zip(p.channel(x, ch));
            let (mut sum, mut dot) = (0.0f64, 0.0f64);
            for (g, v) in pairs {
                sum += lane_sum(g, |g| g);
                let mut lanes = [0.0f32; 8];
                let (gc, vc) = (g.chunks_exact(8), v.chunks_exact(8));
                let (gr, vr) = (gc.remainder(), vc.remainder());
                for (g8, v8) in gc.zip(vc) {
                    for k in 0..8 {
                        lanes[k] += g8[k] * (v8[k] - m);
                    }
                }
                dot += lanes.iter().map(|&l| f64::from(l)).sum::<f64>();
                dot += gr
                    .iter()
                    .zip(vr)
                    .map(|(&g, &v)| f64::from(g * (v - m)))
                    .sum::<f64>();
            }
            (sum, dot)
        })
        .unzip();
    let n = p.count();
    let gamma_grad: Vec<f32> = (0..p.c)
        .map(|ch| (centred[ch] * f64::from(inv_std[ch])) as f32)
        .collect();
    // dx = γ·inv·(dy − Σdy/M − x̂·Σ(dy·x̂)/M), with x̂ = (x − mean)·inv, as a·dy + w·x + b.
    let scale: Vec<f32> = gamma.iter().zip(inv_std).map(|(g, i)| g * i).collect();
    let weight: Vec<f32> = (0..p.c)
        .map(|ch| -scale[ch] * inv_std[ch] * (f64::from(gamma_grad[ch]) / n) as f32)
        .collect();
    let shift: Vec<f32> = (0..p.c)
        .map(|ch| -scale[ch] * (beta_grad[ch] / n) as f32 - weight[ch] * mean[ch])
        .collect();
    affine(dy, None, Some((x, &weight)), &scale, &shift, p);
    let beta_grad = beta_grad.iter().map(|&b| b as f32).collect();
    (gamma_grad, beta_grad)
}
