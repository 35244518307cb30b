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

use rayon::prelude::*;

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
    fn valid(&self, axis: usize, k: usize) -> (isize, usize, usize) {
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

/// The im2col matrix of `image`: `[taps, columns]`, row-major.
pub fn im2col(image: &[f32], g: &Conv) -> Vec<f32> {
    assert_eq!(image.len(), g.image_len(), "im2col: image size");
    let columns = g.columns();
    let mut col = vec![0.0f32; g.taps() * columns];
    if columns == 0 {
        return col;
    }
    let [kh, kw] = g.kernel;
    let plane = g.height * g.width;
    col.par_chunks_mut(columns)
        .enumerate()
        .for_each(|(row, out)| {
            let c = row / (kh * kw);
            let (ki, kj) = ((row / kw) % kh, row % kw);
            let (off_y, y_lo, y_hi) = g.valid(0, ki);
            let (off_x, x_lo, x_hi) = g.valid(1, kj);
            for b in 0..g.batch {
                let src = &image[(b * g.channels + c) * plane..][..plane];
                for oy in y_lo..y_hi {
                    let iy = (oy * g.stride[0]) as isize + off_y;
                    let line = &src[iy as usize * g.width..][..g.width];
                    let dst = &mut out[(b * g.out_height + oy) * g.out_width..][..g.out_width];
                    if x_hi <= x_lo {
                        continue;
                    }
                    let first = ((x_lo * g.stride[1]) as isize + off_x) as usize;
                    if g.stride[1] == 1 {
                        dst[x_lo..x_hi].copy_from_slice(&line[first..first + (x_hi - x_lo)]);
                    } else {
                        for (d, s) in dst[x_lo..x_hi]
                            .iter_mut()
                            .zip(line[first..].iter().step_by(g.stride[1]))
                        {
                            *d = *s;
                        }
                    }
                }
            }
        });
    col
}

/// The adjoint of [`im2col`]: every column entry added back onto the image pixel it came
/// from. Parallel over (sample, channel) planes, so no two threads write one pixel.
pub fn col2im(col: &[f32], g: &Conv) -> Vec<f32> {
    let columns = g.columns();
    assert_eq!(col.len(), g.taps() * columns, "col2im: matrix size");
    let plane = g.height * g.width;
    let mut image = vec![0.0f32; g.image_len()];
    if plane == 0 {
        return image;
    }
    let [kh, kw] = g.kernel;
    image
        .par_chunks_mut(plane)
        .enumerate()
        .for_each(|(index, dst)| {
            let (b, c) = (index / g.channels, index % g.channels);
            for ki in 0..kh {
                let (off_y, y_lo, y_hi) = g.valid(0, ki);
                for kj in 0..kw {
                    let (off_x, x_lo, x_hi) = g.valid(1, kj);
                    if x_hi <= x_lo {
                        continue;
                    }
                    let row = &col[((c * kh + ki) * kw + kj) * columns..][..columns];
                    for oy in y_lo..y_hi {
                        let iy = ((oy * g.stride[0]) as isize + off_y) as usize;
                        let line = &mut dst[iy * g.width..][..g.width];
                        let src = &row[(b * g.out_height + oy) * g.out_width..][x_lo..x_hi];
                        let first = ((x_lo * g.stride[1]) as isize + off_x) as usize;
                        if g.stride[1] == 1 {
                            for (d, s) in line[first..first + src.len()].iter_mut().zip(src) {
                                *d += *s;
                            }
                        } else {
                            for (d, s) in line[first..].iter_mut().step_by(g.stride[1]).zip(src) {
                                *d += *s;
                            }
                        }
                    }
                }
            }
        });
    image
}

/// `[batch, channels, pixels]` → `[channels, batch · pixels]` (and back with the roles
/// swapped): the layout change between NCHW tensors and the folded matrices.
pub fn fold_batch(data: &[f32], batch: usize, channels: usize, pixels: usize) -> Vec<f32> {
    assert_eq!(data.len(), batch * channels * pixels, "fold_batch: size");
    let mut out = vec![0.0f32; data.len()];
    if pixels == 0 || batch == 0 {
        return out;
    }
    out.par_chunks_mut(batch * pixels)
        .enumerate()
        .for_each(|(c, row)| {
            for (b, dst) in row.chunks_mut(pixels).enumerate() {
                dst.copy_from_slice(&data[(b * channels + c) * pixels..][..pixels]);
            }
        });
    out
}

/// The inverse of [`fold_batch`]: `[channels, batch · pixels]` → `[batch, channels, pixels]`.
pub fn unfold_batch(data: &[f32], batch: usize, channels: usize, pixels: usize) -> Vec<f32> {
    assert_eq!(data.len(), batch * channels * pixels, "unfold_batch: size");
    let mut out = vec![0.0f32; data.len()];
    if pixels == 0 || channels == 0 {
        return out;
    }
    out.par_chunks_mut(pixels)
        .enumerate()
        .for_each(|(index, dst)| {
            let (b, c) = (index / channels, index % channels);
            dst.copy_from_slice(&data[c * batch * pixels + b * pixels..][..pixels]);
        });
    out
}

/// A read-only matrix inside a slice, with element strides for rows and columns.
#[derive(Clone, Copy)]
pub struct Matrix<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    row_stride: usize,
    col_stride: usize,
}

impl<'a> Matrix<'a> {
    /// A row-major `rows × cols` matrix filling `data`.
    pub fn rows(data: &'a [f32], rows: usize, cols: usize) -> Matrix<'a> {
        assert_eq!(data.len(), rows * cols, "matrix size");
        Matrix {
            data,
            rows,
            cols,
            row_stride: cols,
            col_stride: 1,
        }
    }

    /// The transpose, as a view of the same data.
    pub fn t(self) -> Matrix<'a> {
        Matrix {
            data: self.data,
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
        }
    }
}

/// Products at least this big (m·n·k) use every thread of rayon's pool.
const PARALLEL_WORK: usize = 64 * 64 * 64;

/// `a · b` into a new row-major `[a.rows, b.cols]` matrix.
pub fn matmul(a: Matrix, b: Matrix) -> Vec<f32> {
    assert_eq!(a.cols, b.rows, "matmul: inner sizes");
    let (m, n, k) = (a.rows, b.cols, a.cols);
    let mut dst = vec![0.0f32; m * n];
    if m == 0 || n == 0 || k == 0 {
        return dst;
    }
    let parallelism = if m * n * k >= PARALLEL_WORK {
        gemm::Parallelism::Rayon(0)
    } else {
        gemm::Parallelism::None
    };
    // The largest element either view touches is inside its slice (checked here), so the
    // raw pointers below stay in bounds.
    for v in [&a, &b] {
        assert!((v.rows - 1) * v.row_stride + (v.cols - 1) * v.col_stride < v.data.len());
    }
    // SAFETY: `dst` is m × n row-major and exclusively borrowed; `a` and `b` are in bounds
    // (asserted above) and do not alias `dst`.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            false,
            a.data.as_ptr(),
            a.col_stride as isize,
            a.row_stride as isize,
            b.data.as_ptr(),
            b.col_stride as isize,
            b.row_stride as isize,
            0.0,
            1.0,
            false,
            false,
            false,
            parallelism,
        );
    }
    dst
}

/// The convolution of `image` by `weight` (`[out_channels, channels, kh, kw]`):
/// `[batch, out_channels, out_height, out_width]`.
pub fn forward(image: &[f32], weight: &[f32], g: &Conv) -> Vec<f32> {
    assert_eq!(weight.len(), g.weight_len(), "conv: weight size");
    let col = im2col(image, g);
    let folded = matmul(
        Matrix::rows(weight, g.out_channels, g.taps()),
        Matrix::rows(&col, g.taps(), g.columns()),
    );
    unfold_batch(&folded, g.batch, g.out_channels, g.out_pixels())
}

/// The gradient with respect to the image, given the output's gradient `grad`.
pub fn input_grad(grad: &[f32], weight: &[f32], g: &Conv) -> Vec<f32> {
    assert_eq!(grad.len(), g.output_len(), "conv: output gradient size");
    assert_eq!(weight.len(), g.weight_len(), "conv: weight size");
    let grad = fold_batch(grad, g.batch, g.out_channels, g.out_pixels());
    let dcol = matmul(
        Matrix::rows(weight, g.out_channels, g.taps()).t(),
        Matrix::rows(&grad, g.out_channels, g.columns()),
    );
    col2im(&dcol, g)
}

/// The gradient with respect to the weight, given the image and the output's gradient.
pub fn weight_grad(image: &[f32], grad: &[f32], g: &Conv) -> Vec<f32> {
    assert_eq!(grad.len(), g.output_len(), "conv: output gradient size");
    let col = im2col(image, g);
    let grad = fold_batch(grad, g.batch, g.out_channels, g.out_pixels());
    matmul(
        Matrix::rows(&grad, g.out_channels, g.columns()),
        Matrix::rows(&col, g.taps(), g.columns()).t(),
    )
}
