//! Batch-folded 2-D convolution on plain `f32` slices (NCHW, contiguous), for the CPU.
//!
//! One convolution is three passes, and each is one large matrix product over the whole batch
//! instead of one small product per sample:
//! - forward: `Y[co, (b,p)] = W[co, (c,ki,kj)] · col[(c,ki,kj), (b,p)]`,
//! - input gradient: `dcol = Wᵀ · dY`, scattered back onto the image (col2im),
//! - weight gradient: `dW = dY · colᵀ`, one product whose inner size is batch × output pixels.
//!
//! `col` is the im2col matrix of the input: one row per (channel, kernel row, kernel column),
//! one column per (sample, output pixel). Building it and scattering it back are parallel
//! over rows and over (sample, channel) planes; the products are `gemm`'s, parallel on rayon's
//! pool when big enough. A transposed convolution is the adjoint of a convolution, so the same
//! three passes serve it with the roles of the image and the output swapped (see
//! [`super::extension`]).

mod matrix;
pub mod norm;
mod patches;

pub use matrix::{Matrix, fold_batch, matmul, matmul_onto, transpose, unfold_batch};
pub use patches::{col2im, im2col};

/// The shape of one convolution: an image of `channels × height × width` per sample, a
/// `kernel` with `stride`, `dilation` and padding (`pad_begin` before, rows/columns past the
/// end are implied by the output size), and the output's spatial size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv {
    pub batch: usize,
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub out_channels: usize,
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    pub dilation: [usize; 2],
    pub pad_begin: [usize; 2],
    pub out_height: usize,
    pub out_width: usize,
}

impl Conv {
    /// Rows of the im2col matrix: channels × kernel taps.
    pub fn taps(&self) -> usize {
        self.channels * self.kernel[0] * self.kernel[1]
    }

    /// Output pixels per sample.
    pub fn out_pixels(&self) -> usize {
        self.out_height * self.out_width
    }

    /// Columns of the im2col matrix: samples × output pixels.
    pub fn columns(&self) -> usize {
        self.batch * self.out_pixels()
    }

    pub fn image_len(&self) -> usize {
        self.batch * self.channels * self.height * self.width
    }

    pub fn output_len(&self) -> usize {
        self.batch * self.out_channels * self.out_pixels()
    }

    pub fn weight_len(&self) -> usize {
        self.out_channels * self.taps()
    }

    /// For kernel offset `k` along axis `axis`: the first input index (may be negative) at
    /// output index 0, and the range of output indices whose input index is inside the image.
    pub(crate) fn valid(&self, axis: usize, k: usize) -> (isize, usize, usize) {
        let (size, out) = if axis == 0 {
            (self.height, self.out_height)
        } else {
            (self.width, self.out_width)
        };
        let stride = self.stride[axis] as isize;
        let offset = (k * self.dilation[axis]) as isize - self.pad_begin[axis] as isize;
        // First o with o·s + offset ≥ 0, and one past the last with o·s + offset ≤ size − 1.
        let lo = if offset >= 0 {
            0
        } else {
            ((-offset + stride - 1) / stride) as usize
        };
        let last = size as isize - 1 - offset;
        let hi = if last < 0 {
            0
        } else {
            ((last / stride) as usize + 1).min(out)
        };
        (offset, lo.min(hi), hi)
    }
}

impl Conv {
    /// Whether the kernel covers the whole (unpadded) image in one position: D's last layer
    /// and, as its adjoint, G's first. Then each sample's image *is* its im2col column, and
    /// the three passes are plain products on the tensors as they lie.
    pub fn is_dense(&self) -> bool {
        self.out_height == 1
            && self.out_width == 1
            && self.kernel == [self.height, self.width]
            && self.pad_begin == [0, 0]
    }
}

/// The most elements an im2col matrix of [`forward`] may have (256 MB of `f32`); a larger
/// one is built and multiplied in parts: groups of samples, or bands of output rows of one
/// sample. (A 9×9 convolution of 32 maps on a 512² image would otherwise need 2.7 GB.)
pub const MAX_COLUMN_ELEMENTS: usize = 1 << 26;

/// The convolution of `image` by `weight` (`[out_channels, channels, kh, kw]`):
/// `[batch, out_channels, out_height, out_width]`.
pub fn forward(image: &[f32], weight: &[f32], g: &Conv) -> Vec<f32> {
    forward_within(image, weight, g, MAX_COLUMN_ELEMENTS)
}

/// [`forward`] with im2col matrices of at most `budget` elements where the shape allows
/// (one output row of one sample is the least it splits into).
pub fn forward_within(image: &[f32], weight: &[f32], g: &Conv, budget: usize) -> Vec<f32> {
    assert_eq!(weight.len(), g.weight_len(), "conv: weight size");
    assert_eq!(image.len(), g.image_len(), "conv: image size");
    if g.is_dense() {
        return matmul(
            Matrix::rows(image, g.batch, g.taps()),
            Matrix::rows(weight, g.out_channels, g.taps()).t(),
        );
    }
    let per_sample = g.taps() * g.out_pixels();
    if g.batch > 1 && g.batch * per_sample > budget {
        return in_groups(image, weight, g, budget);
    }
    if g.batch == 1 && per_sample > budget && g.out_height > 1 {
        return in_bands(image, weight, g, budget);
    }
    let col = im2col(image, g);
    let folded = matmul(
        Matrix::rows(weight, g.out_channels, g.taps()),
        Matrix::rows(&col, g.taps(), g.columns()),
    );
    unfold_batch(&folded, g.batch, g.out_channels, g.out_pixels())
}

/// [`forward`] on groups of as many samples as `budget` allows.
fn in_groups(image: &[f32], weight: &[f32], g: &Conv, budget: usize) -> Vec<f32> {
    let size = (budget / (g.taps() * g.out_pixels()).max(1)).max(1);
    let mut out = Vec::with_capacity(g.output_len());
    let per_image = g.image_len() / g.batch;
    for group in image.chunks(size * per_image) {
        let part = Conv {
            batch: group.len() / per_image,
            ..*g
        };
        out.extend(forward_within(group, weight, &part, budget));
    }
    out
}

/// [`forward`] of one sample in bands of as many output rows as `budget` allows: each band
/// reads the input rows its outputs need (with the padding that falls inside it), so the
/// result is the same.
fn in_bands(image: &[f32], weight: &[f32], g: &Conv, budget: usize) -> Vec<f32> {
    let rows = (budget / (g.taps() * g.out_width).max(1)).max(1);
    let (s, d, pad) = (g.stride[0], g.dilation[0], g.pad_begin[0]);
    let reach = (g.kernel[0] - 1) * d;
    let mut out = vec![0.0f32; g.output_len()];
    let plane = g.height * g.width;
    let out_plane = g.out_pixels();
    for r0 in (0..g.out_height).step_by(rows) {
        let r1 = (r0 + rows).min(g.out_height);
        // Input rows [i0, i1) hold every valid tap of output rows [r0, r1).
        let i0 = (r0 * s).saturating_sub(pad).min(g.height);
        let i1 = ((r1 - 1) * s + reach + 1).saturating_sub(pad).min(g.height);
        let band_height = i1.saturating_sub(i0);
        // A band wholly in the padding below the image reads nothing: its outputs stay 0.
        let Some(pad_top) = (pad + i0).checked_sub(r0 * s) else {
            continue;
        };
        let mut band = Vec::with_capacity(g.channels * band_height * g.width);
        for c in 0..g.channels {
            band.extend_from_slice(&image[c * plane + i0 * g.width..][..band_height * g.width]);
        }
        let part = Conv {
            height: band_height,
            out_height: r1 - r0,
            pad_begin: [pad_top, g.pad_begin[1]],
            ..*g
        };
        let result = forward_within(&band, weight, &part, budget);
        let band_out = (r1 - r0) * g.out_width;
        for (co, values) in result.chunks_exact(band_out).enumerate() {
            out[co * out_plane + r0 * g.out_width..][..band_out].copy_from_slice(values);
        }
    }
    out
}

/// The gradient with respect to the image, given the output's gradient `grad`.
pub fn input_grad(grad: &[f32], weight: &[f32], g: &Conv) -> Vec<f32> {
    assert_eq!(grad.len(), g.output_len(), "conv: output gradient size");
    assert_eq!(weight.len(), g.weight_len(), "conv: weight size");
    if g.is_dense() {
        return matmul(
            Matrix::rows(grad, g.batch, g.out_channels),
            Matrix::rows(weight, g.out_channels, g.taps()),
        );
    }
    let grad = fold_batch(grad, g.batch, g.out_channels, g.out_pixels());
    let dcol = matmul(
        Matrix::rows(weight, g.out_channels, g.taps()).t(),
        Matrix::rows(&grad, g.out_channels, g.columns()),
    );
    col2im(&dcol, g)
}

/// The gradient with respect to the weight, given the image and the output's gradient.
/// The product is taken in whichever orientation puts the larger side of the weight matrix
/// on the rows: with few output channels and many taps, `gemm` is ~2.5× faster computing
/// `dWᵀ = col · dYᵀ` and transposing the (small) result than `dY · colᵀ` directly.
pub fn weight_grad(image: &[f32], grad: &[f32], g: &Conv) -> Vec<f32> {
    assert_eq!(grad.len(), g.output_len(), "conv: output gradient size");
    if g.is_dense() {
        return matmul(
            Matrix::rows(grad, g.batch, g.out_channels).t(),
            Matrix::rows(image, g.batch, g.taps()),
        );
    }
    let col = im2col(image, g);
    let grad = fold_batch(grad, g.batch, g.out_channels, g.out_pixels());
    let dy = Matrix::rows(&grad, g.out_channels, g.columns());
    let col = Matrix::rows(&col, g.taps(), g.columns());
    if g.out_channels >= g.taps() {
        matmul(dy, col.t())
    } else {
        transpose(&matmul(col, dy.t()), g.taps(), g.out_channels)
    }
}
