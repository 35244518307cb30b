//! im2col and its adjoint col2im, the patch side of the folded convolutions.
//!
//! `col` has one row per (channel, kernel row, kernel column) and one column per (sample,
//! output pixel). A row's entries for one output line are a run of input pixels `stride`
//! apart; with stride 1 that run is contiguous and is copied (or added) as one slice. For a
//! larger horizontal stride each image line is first split by phase (pixels `x ≡ p mod s`
//! side by side), which makes every run contiguous again: one cheap pass over the image
//! saves a strided gather per element of the (kernel-taps times larger) matrix.

use super::Conv;
use rayon::prelude::*;

/// Where one kernel position (kernel row, kernel column) reads, for every channel: per axis
/// the valid output range (see [`Conv::valid`]), the input row offset, and where a run
/// starts inside a phase-split line (its phase and the shift of its first element).
#[derive(Clone, Copy)]
struct Tap {
    off_y: isize,
    y: (usize, usize),
    x: (usize, usize),
    phase: usize,
    /// Index of output column `x.0`'s input inside its phase.
    first: usize,
}

impl Tap {
    /// The kernel positions in row-major order (the order of `col`'s rows per channel).
    fn table(g: &Conv) -> Vec<Tap> {
        let [kh, kw] = g.kernel;
        let s = g.stride[1] as isize;
        (0..kh * kw)
            .map(|k| {
                let (off_y, y_lo, y_hi) = g.valid(0, k / kw);
                let (off_x, x_lo, x_hi) = g.valid(1, k % kw);
                let first = (x_lo as isize + off_x.div_euclid(s)).max(0) as usize;
                Tap {
                    off_y,
                    y: (y_lo, y_hi),
                    x: (x_lo, x_hi),
                    phase: off_x.rem_euclid(s) as usize,
                    first,
                }
            })
            .collect()
    }

    fn is_empty(&self) -> bool {
        self.x.1 <= self.x.0 || self.y.1 <= self.y.0
    }

    /// Where the run of output row `oy` starts inside a phase-split plane (or a plain one
    /// when the horizontal stride is 1), `line` being the length of a split line.
    fn start(&self, g: &Conv, oy: usize, line: usize) -> usize {
        let iy = ((oy * g.stride[0]) as isize + self.off_y) as usize;
        iy * line + self.phase * phase_width(g) + self.first
    }
}

/// Pixels per phase of one split image line.
fn phase_width(g: &Conv) -> usize {
    g.width.div_ceil(g.stride[1])
}

/// Elements of one (sample, channel) plane after splitting its lines by phase.
fn phase_plane(g: &Conv) -> usize {
    g.height * g.stride[1] * phase_width(g)
}

/// Split every line of `plane` by horizontal phase into `out` (zeros past the line's end).
fn split(plane: &[f32], g: &Conv, out: &mut [f32]) {
    let (s, pw) = (g.stride[1], phase_width(g));
    for (line, dst) in plane
        .chunks_exact(g.width)
        .zip(out.chunks_exact_mut(s * pw))
    {
        for (phase, dst) in dst.chunks_exact_mut(pw).enumerate() {
            let pairs = line.iter().skip(phase).step_by(s).zip(dst.iter_mut());
            let filled = pairs.map(|(v, d)| *d = *v).count();
            dst[filled..].fill(0.0);
        }
    }
}

/// The inverse of [`split`]: phases back into lines.
fn merge(phased: &[f32], g: &Conv, plane: &mut [f32]) {
    let (s, pw) = (g.stride[1], phase_width(g));
    for (line, src) in plane
        .chunks_exact_mut(g.width)
        .zip(phased.chunks_exact(s * pw))
    {
        for (phase, src) in src.chunks_exact(pw).enumerate() {
            for (d, v) in line.iter_mut().skip(phase).step_by(s).zip(src) {
                *d = *v;
            }
        }
    }
}

/// The image's planes, phase-split when the horizontal stride is above 1 (else borrowed).
fn phased<'a>(image: &'a [f32], g: &Conv) -> std::borrow::Cow<'a, [f32]> {
    if g.stride[1] == 1 {
        return image.into();
    }
    let (plane, size) = (g.height * g.width, phase_plane(g));
    let mut out = vec![0.0f32; g.batch * g.channels * size];
    out.par_chunks_mut(size.max(1))
        .zip(image.par_chunks(plane.max(1)))
        .for_each(|(dst, src)| split(src, g, dst));
    out.into()
}

/// The im2col matrix of `image`: `[taps, columns]`, row-major.
pub fn im2col(image: &[f32], g: &Conv) -> Vec<f32> {
    assert_eq!(image.len(), g.image_len(), "im2col: image size");
    let columns = g.columns();
    let mut col = vec![0.0f32; g.taps() * columns];
    if columns == 0 || g.image_len() == 0 {
        return col;
    }
    let source = phased(image, g);
    let taps = Tap::table(g);
    col.par_chunks_mut(columns)
        .enumerate()
        .for_each(|(row, out)| im2col_row(&source, g, &taps, row, out));
    col
}

/// One row of the im2col matrix, from the (phase-split) image; `out` starts zeroed.
#[inline(never)]
fn im2col_row(source: &[f32], g: &Conv, taps: &[Tap], row: usize, out: &mut [f32]) {
    let tap = taps[row % taps.len()];
    if tap.is_empty() {
        return;
    }
    let channel = row / taps.len();
    let (ow, size, line) = (g.out_width, phase_plane(g), g.stride[1] * phase_width(g));
    let (x_lo, x_hi) = tap.x;
    for (b, block) in out.chunks_exact_mut(g.out_pixels()).enumerate() {
        let src = &source[(b * g.channels + channel) * size..][..size];
        for oy in tap.y.0..tap.y.1 {
            let run = &src[tap.start(g, oy, line)..][..x_hi - x_lo];
            copy_run(&mut block[oy * ow + x_lo..oy * ow + x_hi], run);
        }
    }
}

/// The adjoint of [`im2col`]: every column entry added back onto the image pixel it came
/// from. Parallel over (sample, channel) planes, so no two threads write one pixel.
pub fn col2im(col: &[f32], g: &Conv) -> Vec<f32> {
    assert_eq!(col.len(), g.taps() * g.columns(), "col2im: matrix size");
    let plane = g.height * g.width;
    let mut image = vec![0.0f32; g.image_len()];
    if plane == 0 || g.columns() == 0 {
        return image;
    }
    let taps = Tap::table(g);
    image.par_chunks_mut(plane).enumerate().for_each_init(
        || vec![0.0f32; phase_plane(g)],
        |scratch, (index, dst)| {
            if g.stride[1] == 1 {
                col2im_plane(col, g, &taps, index, dst);
            } else {
                scratch.fill(0.0);
                col2im_plane(col, g, &taps, index, scratch);
                merge(scratch, g, dst);
            }
        },
    );
    image
}

/// Accumulate plane `index` (sample, channel) of [`col2im`] into `dst`, phase-split when the
/// horizontal stride is above 1.
#[inline(never)]
fn col2im_plane(col: &[f32], g: &Conv, taps: &[Tap], index: usize, dst: &mut [f32]) {
    let columns = g.columns();
    let line = g.stride[1] * phase_width(g);
    let (b, c) = (index / g.channels, index % g.channels);
    for (k, tap) in taps.iter().enumerate() {
        let row = c * taps.len() + k;
        if tap.is_empty() {
            continue;
        }
        let (x_lo, x_hi) = tap.x;
        let block = &col[row * columns + b * g.out_pixels()..][..g.out_pixels()];
        for oy in tap.y.0..tap.y.1 {
            let src = &block[oy * g.out_width + x_lo..][..x_hi - x_lo];
            let line = &mut dst[tap.start(g, oy, line)..][..src.len()];
            add_run(line, src);
        }
    }
}

/// `dst = src` for a short run, eight lanes at a time: runs are one output line (8–32
/// pixels), too short for a `memcpy` call to pay for itself.
#[inline(always)]
fn copy_run(dst: &mut [f32], src: &[f32]) {
    let (mut d, mut s) = (dst.chunks_exact_mut(8), src.chunks_exact(8));
    for (d, s) in (&mut d).zip(&mut s) {
        let lanes: [f32; 8] = [s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]];
        d.copy_from_slice(&lanes);
    }
    for (d, s) in d.into_remainder().iter_mut().zip(s.remainder()) {
        *d = *s;
    }
}

/// `dst += src` for a short run, eight lanes at a time.
#[inline(always)]
fn add_run(dst: &mut [f32], src: &[f32]) {
    let (mut d, mut s) = (dst.chunks_exact_mut(8), src.chunks_exact(8));
    for (d, s) in (&mut d).zip(&mut s) {
        for i in 0..8 {
            d[i] += s[i];
        }
    }
    for (d, s) in d.into_remainder().iter_mut().zip(s.remainder()) {
        *d += *s;
    }
}
