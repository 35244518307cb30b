//! The matrix side of the folded convolutions: layout changes between NCHW tensors and
//! folded matrices, and `gemm`'s product on strided views.

use rayon::prelude::*;

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

/// The transpose of a row-major `rows × cols` matrix.
pub fn transpose(data: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    assert_eq!(data.len(), rows * cols, "transpose: size");
    let mut out = vec![0.0f32; data.len()];
    for (c, dst) in out.chunks_exact_mut(rows.max(1)).enumerate().take(cols) {
        for (r, d) in dst.iter_mut().enumerate() {
            *d = data[r * cols + c];
        }
    }
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
    let len = a.rows * b.cols;
    let mut dst: Vec<f32> = Vec::with_capacity(len);
    // SAFETY: `dst` has room for `len` elements; with `accumulate = false` `product` writes
    // all of them without reading any, so they are initialised when the length is set.
    unsafe {
        product(a, b, dst.as_mut_ptr(), false);
        dst.set_len(len);
    }
    dst
}

/// `dst + a · b`, in `dst`'s buffer (row-major `[a.rows, b.cols]`).
pub fn matmul_onto(a: Matrix, b: Matrix, mut dst: Vec<f32>) -> Vec<f32> {
    assert_eq!(dst.len(), a.rows * b.cols, "matmul_onto: destination size");
    // SAFETY: `dst` holds the a.rows × b.cols initialised elements `product` reads and writes.
    unsafe { product(a, b, dst.as_mut_ptr(), true) };
    dst
}

/// `dst (+)= a · b` through `gemm`, `dst` row-major `[a.rows, b.cols]`.
///
/// # Safety
/// `dst` must be valid for writes of `a.rows · b.cols` elements (and for reads, initialised,
/// when `accumulate`), exclusively owned and not overlapping `a` or `b`.
unsafe fn product(a: Matrix, b: Matrix, dst: *mut f32, accumulate: bool) {
    assert_eq!(a.cols, b.rows, "matmul: inner sizes");
    let (m, n, k) = (a.rows, b.cols, a.cols);
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            // SAFETY: the caller's contract: `dst` is valid for m × n writes.
            unsafe { std::ptr::write_bytes(dst, 0, m * n) };
        }
        return;
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
    // SAFETY: `a` and `b` are in bounds (asserted above); `dst` as the caller guarantees.
    // gemm computes dst = alpha·dst + beta·a·b, reading dst only when `accumulate`.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst,
            1,
            n as isize,
            accumulate,
            a.data.as_ptr(),
            a.col_stride as isize,
            a.row_stride as isize,
            b.data.as_ptr(),
            b.col_stride as isize,
            b.row_stride as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            parallelism,
        );
    }
}
